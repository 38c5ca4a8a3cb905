/* swapmc.c - swap Monte Carlo for the polydisperse IPL model.
 *
 * Exact and reproducible energy changes.  An energy change is a sum of pair
 * terms pair_energy(r2, s2) - pair_energy(r2', s2') over the pairs within
 * the cutoff before or after the move, taken in the order of the partner's
 * index (the lists are sorted), term k of that sequence added into lane
 * k mod 8 of 8 accumulators, the lanes summed by a fixed tree (reduce8).
 * The lists hold more pairs than those (a skin), and which ones depends on
 * the chain's history (when each particle was last recentred): the pairs
 * out of reach are dropped before they take a lane.  So an energy change
 * depends on the configuration alone - a resumed chain is bit-identical to
 * an uninterrupted one - and the scalar code and the SIMD kernels (AVX2,
 * AVX-512, chosen at run time: simd.h, TLSKIT_SIMD) agree to the bit: the
 * same IEEE operations lane by lane, the same lanes, the same tree, and no
 * contraction into FMA (the pragma below; the AVX-512 target has FMA).
 *
 * Where the time goes (N = 1500, T = 0.07, AVX-512; bench/README.md): 38 %
 * in the displacement kernel (the near list, about 15 partners: two vectors
 * of 8, a division per pair term), 22 % in the swap kernel (the near lists
 * of both particles for the early rejection, which settles nine swaps in
 * ten; the inner or full list, 33 or 59 partners, for the others), 16 % in
 * the rest of the moves (random numbers, recentring's list updates), 8 %
 * in exp(), 10 % in recentring (a cell scan, about 1 % of the moves) and
 * 4 % in the near-list updates after accepted swaps.
 */
#pragma GCC optimize("fp-contract=off")

#include "swapmc.h"
#include "err.h"
#include "ipl.h"
#include "simd.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SKIN_MIN 0.4
/* list radii a hair above the exact bound: rounding never drops a pair */
#define MARGIN (1 + 1e-9)
/* the largest n for which list builds sort with a bitmap of n bits */
#define BITMAP_MAX 65536

/* Minimum image for two points inside the box (or just outside): one
 * conditional correction, far cheaper than a floor() per component. */
static inline double wrap1(double d, double L, double hL)
{
    return d > hL ? d - L : d < -hL ? d + L : d;
}

static inline double dist2(const double *a, const double *b, double L, double hL)
{
    double dx = wrap1(a[0] - b[0], L, hL), dy = wrap1(a[1] - b[1], L, hL),
           dz = wrap1(a[2] - b[2], L, hL);
    return dx * dx + dy * dy + dz * dz;
}

/* The pair energy at squared distance r2 and sigma_ij^2 = s2, zero at and
 * beyond the cutoff (r2 >= 1.25^2 s2), with one division:
 * q = 1 / (r2 s2), (r / sigma)^2 = r2^2 q, (sigma / r)^2 = s2^2 q.  No
 * branch: the cutoff test is unpredictable, a wasted division is cheaper.
 * The SIMD kernels repeat these operations in this order. */
static inline double pair_energy(double r2, double s2)
{
    double q = 1.0 / (r2 * s2), x2 = r2 * r2 * q, i2 = s2 * s2 * q, i6 = i2 * i2 * i2;
    double v = i6 * i6 + TK_C0 + x2 * (TK_C2 + TK_C4 * x2);
    return r2 < TK_XC2 * s2 ? v : 0.0;
}

/* The near-list relation for centres d2 apart */
static inline int near_pred(double d2, double sij, double skin)
{
    double rl = (TK_XC * sij + skin) * MARGIN;
    return d2 < rl * rl;
}

static double reduce8(const double *a)
{
    return ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]));
}

/* ---- random numbers: inline copies of rng.c's tk_rng_u64, tk_rng_uniform
 * and tk_rng_below (the same stream; checked against them at set-up) ---- */

static inline uint64_t rotl64(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_u64(tk_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl64(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

static inline double rng_uniform(tk_rng *r)
{
    return (double)(rng_u64(r) >> 11) * 0x1.0p-53;
}

/* uniform in [0, n) by rejection, with lim = UINT64_MAX - UINT64_MAX % n */
static inline uint64_t rng_below_lim(tk_rng *r, uint64_t n, uint64_t lim)
{
    uint64_t x;
    do
        x = rng_u64(r);
    while (x >= lim);
    return x % n;
}

static inline uint64_t rng_below(tk_rng *r, uint64_t n)
{
    return rng_below_lim(r, n, UINT64_MAX - UINT64_MAX % n);
}

static void rng_check(void)
{
    tk_rng a, b;
    tk_rng_seed2(&a, 12345, 7);
    b = a;
    for (int k = 0; k < 64; k++)
        if (rng_u64(&a) != tk_rng_u64(&b) || rng_uniform(&a) != tk_rng_uniform(&b) ||
            rng_below(&a, 1499 + (uint64_t)k) != tk_rng_below(&b, 1499 + (uint64_t)k))
            tk_die("internal error: swapmc.c's random numbers differ from rng.c's");
}

/* ---- kernels: scalar code, and SIMD code with the same results ---- */

/* Energy change of moving i (row i of xs) to p, over its list l of cnt. */
typedef double disp_de_fn(const double *xs, const int *l, int cnt, int i, const double *p,
                          double L);
/* Energy change of giving i the diameter snew, over its list l of cnt,
 * without the pair (i, skip). */
typedef double sigma_de_fn(const double *xs, const int *l, int cnt, int i, double snew,
                           int skip, double L);
/* The near-list entries among the full list g (cnt entries) of i: into
 * out (returns their number).  With ch, i's diameter was so before and its
 * swap partner p's changed too (the pair (i, p) is as it was): ch gets the
 * partners whose membership changed, j if it came, ~j if it went.  out and
 * ch have room for 8 entries beyond cnt. */
typedef int near_scan_fn(const double *c4, const double *xs, const int *g, int cnt, int i,
                         double so, int p, double skin, double L, int *out, int *ch, int *nch);
/* The entries of g (cnt) whose centres are closer to i's than sqrt(r2lim):
 * into out (room for 8 beyond cnt); returns their number. */
typedef int dist_scan_fn(const double *c4, const int *g, int cnt, int i, double r2lim, double L,
                         int *out);
/* The members m[0 .. cnt) of a cell (centres cx, cy, cz) within rl2 of ci,
 * other than i: into out (room for 8 beyond cnt); returns their number. */
typedef int cell_scan_fn(const int *m, const double *cx, const double *cy, const double *cz,
                         int cnt, int i, const double *ci, double L, double rl2, int *out);

static double disp_de_scalar(const double *xs, const int *l, int cnt, int i, const double *p,
                             double L)
{
    const double *xi = xs + 4 * (size_t)i;
    double si = xi[3], hL = 0.5 * L, acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int m = 0;
    for (int k = 0; k < cnt; k++) {
        const double *xj = xs + 4 * (size_t)l[k];
        double sij = tk_sigma_ij(si, xj[3]), s2 = sij * sij, rc2 = TK_XC2 * s2;
        double a = dist2(p, xj, L, hL), b = dist2(xi, xj, L, hL);
        if (a < rc2 || b < rc2)
            acc[m++ & 7] += pair_energy(a, s2) - pair_energy(b, s2);
    }
    return reduce8(acc);
}

static double sigma_de_scalar(const double *xs, const int *l, int cnt, int i, double snew,
                              int skip, double L)
{
    const double *xi = xs + 4 * (size_t)i;
    double si = xi[3], hL = 0.5 * L, acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int m = 0;
    for (int k = 0; k < cnt; k++) {
        int j = l[k];
        const double *xj = xs + 4 * (size_t)j;
        double a = tk_sigma_ij(snew, xj[3]), b = tk_sigma_ij(si, xj[3]), a2 = a * a, b2 = b * b;
        double r = dist2(xi, xj, L, hL);
        if ((r < TK_XC2 * a2 || r < TK_XC2 * b2) && j != skip)
            acc[m++ & 7] += pair_energy(r, a2) - pair_energy(r, b2);
    }
    return reduce8(acc);
}

static int near_scan_scalar(const double *c4, const double *xs, const int *g, int cnt, int i,
                            double so, int p, double skin, double L, int *out, int *ch, int *nch)
{
    const double *ci = c4 + 4 * (size_t)i;
    double hL = 0.5 * L, sn = xs[4 * (size_t)i + 3];
    int c = 0, nc = 0;
    for (int k = 0; k < cnt; k++) {
        int j = g[k];
        double d2 = dist2(ci, c4 + 4 * (size_t)j, L, hL), sj = xs[4 * (size_t)j + 3];
        int want = near_pred(d2, tk_sigma_ij(sn, sj), skin);
        out[c] = j;
        c += want;
        if (ch) {
            int had = j == p ? want : near_pred(d2, tk_sigma_ij(so, sj), skin);
            ch[nc] = want ? j : ~j;
            nc += want != had;
        }
    }
    if (ch)
        *nch = nc;
    return c;
}

static int dist_scan_scalar(const double *c4, const int *g, int cnt, int i, double r2lim,
                            double L, int *out)
{
    const double *ci = c4 + 4 * (size_t)i;
    double hL = 0.5 * L;
    int c = 0;
    for (int k = 0; k < cnt; k++) {
        out[c] = g[k];
        c += dist2(ci, c4 + 4 * (size_t)g[k], L, hL) < r2lim;
    }
    return c;
}

static int cell_scan_scalar(const int *m, const double *cx, const double *cy, const double *cz,
                            int cnt, int i, const double *ci, double L, double rl2, int *out)
{
    double hL = 0.5 * L;
    int c = 0;
    for (int k = 0; k < cnt; k++) {
        double dx = wrap1(ci[0] - cx[k], L, hL), dy = wrap1(ci[1] - cy[k], L, hL),
               dz = wrap1(ci[2] - cz[k], L, hL);
        out[c] = m[k];
        c += (m[k] != i) & (dx * dx + dy * dy + dz * dz < rl2);
    }
    return c;
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define HAVE_X86 1
#define AVX2 __attribute__((target("avx2")))
#define AVX512 __attribute__((target("avx512f")))

/* -- AVX2: 4 lanes; the pairs in reach go through the 8 accumulators one
 * by one (disp) or in blocks of 8 (sigma), as in the scalar code -- */

AVX2 static inline __m256d wrap_256(__m256d d, __m256d L, __m256d hL, __m256d mhL)
{
    __m256d gt = _mm256_cmp_pd(d, hL, _CMP_GT_OQ), lt = _mm256_cmp_pd(d, mhL, _CMP_LT_OQ);
    __m256d e = _mm256_blendv_pd(d, _mm256_sub_pd(d, L), gt);
    return _mm256_blendv_pd(e, _mm256_add_pd(d, L), lt);
}

AVX2 static inline __m256d dist2_256(__m256d ax, __m256d ay, __m256d az, __m256d bx,
                                     __m256d by, __m256d bz, __m256d L, __m256d hL, __m256d mhL)
{
    __m256d dx = wrap_256(_mm256_sub_pd(ax, bx), L, hL, mhL);
    __m256d dy = wrap_256(_mm256_sub_pd(ay, by), L, hL, mhL);
    __m256d dz = wrap_256(_mm256_sub_pd(az, bz), L, hL, mhL);
    return _mm256_add_pd(_mm256_add_pd(_mm256_mul_pd(dx, dx), _mm256_mul_pd(dy, dy)),
                         _mm256_mul_pd(dz, dz));
}

AVX2 static inline __m256d sigma_ij_256(__m256d a, __m256d b)
{
    __m256d h = _mm256_mul_pd(_mm256_set1_pd(0.5), _mm256_add_pd(a, b));
    __m256d ad = _mm256_andnot_pd(_mm256_set1_pd(-0.0), _mm256_sub_pd(a, b));
    return _mm256_mul_pd(h, _mm256_sub_pd(_mm256_set1_pd(1.0),
                                          _mm256_mul_pd(_mm256_set1_pd(TK_NONADD), ad)));
}

AVX2 static inline __m256d pair_energy_256(__m256d r2, __m256d s2)
{
    __m256d in = _mm256_cmp_pd(r2, _mm256_mul_pd(_mm256_set1_pd(TK_XC2), s2), _CMP_LT_OQ);
    __m256d q = _mm256_div_pd(_mm256_set1_pd(1.0), _mm256_mul_pd(r2, s2));
    __m256d x2 = _mm256_mul_pd(_mm256_mul_pd(r2, r2), q);
    __m256d i2 = _mm256_mul_pd(_mm256_mul_pd(s2, s2), q);
    __m256d i6 = _mm256_mul_pd(_mm256_mul_pd(i2, i2), i2);
    __m256d poly = _mm256_mul_pd(
        x2, _mm256_add_pd(_mm256_set1_pd(TK_C2), _mm256_mul_pd(_mm256_set1_pd(TK_C4), x2)));
    __m256d v = _mm256_add_pd(_mm256_add_pd(_mm256_mul_pd(i6, i6), _mm256_set1_pd(TK_C0)), poly);
    return _mm256_and_pd(in, v);
}

/* rows (x, y, z, sigma) of the particles j[0 .. 4), transposed */
AVX2 static inline void rows_256(const double *xs, const int *j, __m256d *x, __m256d *y,
                                 __m256d *z, __m256d *s)
{
    __m256d r0 = _mm256_loadu_pd(xs + 4 * (size_t)j[0]), r1 = _mm256_loadu_pd(xs + 4 * (size_t)j[1]);
    __m256d r2 = _mm256_loadu_pd(xs + 4 * (size_t)j[2]), r3 = _mm256_loadu_pd(xs + 4 * (size_t)j[3]);
    __m256d t0 = _mm256_unpacklo_pd(r0, r1), t1 = _mm256_unpackhi_pd(r0, r1);
    __m256d t2 = _mm256_unpacklo_pd(r2, r3), t3 = _mm256_unpackhi_pd(r2, r3);
    *x = _mm256_permute2f128_pd(t0, t2, 0x20);
    *z = _mm256_permute2f128_pd(t0, t2, 0x31);
    *y = _mm256_permute2f128_pd(t1, t3, 0x20);
    *s = _mm256_permute2f128_pd(t1, t3, 0x31);
}

/* l[k .. k + 4) with the entries at and beyond cnt read as 0 */
static inline const int *quad(const int *l, int k, int cnt, int *t)
{
    if (cnt - k >= 4)
        return l + k;
    for (int q = 0; q < 4; q++)
        t[q] = k + q < cnt ? l[k + q] : 0;
    return t;
}

AVX2 static double disp_de_avx2(const double *xs, const int *l, int cnt, int i, const double *p,
                                double L)
{
    const double *xi = xs + 4 * (size_t)i;
    __m256d vL = _mm256_set1_pd(L), hL = _mm256_set1_pd(0.5 * L), mhL = _mm256_set1_pd(-(0.5 * L));
    __m256d ix = _mm256_set1_pd(xi[0]), iy = _mm256_set1_pd(xi[1]), iz = _mm256_set1_pd(xi[2]),
            si = _mm256_set1_pd(xi[3]);
    __m256d px = _mm256_set1_pd(p[0]), py = _mm256_set1_pd(p[1]), pz = _mm256_set1_pd(p[2]);
    __m256d xc2 = _mm256_set1_pd(TK_XC2);
    double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0}, d[4];
    int m = 0, t[4];
    for (int k = 0; k < cnt; k += 4) {
        __m256d jx, jy, jz, sj;
        rows_256(xs, quad(l, k, cnt, t), &jx, &jy, &jz, &sj);
        __m256d sij = sigma_ij_256(si, sj), s2 = _mm256_mul_pd(sij, sij);
        __m256d rc2 = _mm256_mul_pd(xc2, s2);
        __m256d a = dist2_256(px, py, pz, jx, jy, jz, vL, hL, mhL);
        __m256d b = dist2_256(ix, iy, iz, jx, jy, jz, vL, hL, mhL);
        unsigned keep = (unsigned)_mm256_movemask_pd(_mm256_or_pd(
            _mm256_cmp_pd(a, rc2, _CMP_LT_OQ), _mm256_cmp_pd(b, rc2, _CMP_LT_OQ)));
        if (cnt - k < 4)
            keep &= (1u << (cnt - k)) - 1;
        if (!keep)
            continue;
        _mm256_storeu_pd(d, _mm256_sub_pd(pair_energy_256(a, s2), pair_energy_256(b, s2)));
        for (; keep; keep &= keep - 1)
            acc[m++ & 7] += d[__builtin_ctz(keep)];
    }
    return reduce8(acc);
}

AVX2 static double sigma_de_avx2(const double *xs, const int *l, int cnt, int i, double snew,
                                 int skip, double L)
{
    const double *xi = xs + 4 * (size_t)i;
    __m256d vL = _mm256_set1_pd(L), hL = _mm256_set1_pd(0.5 * L), mhL = _mm256_set1_pd(-(0.5 * L));
    __m256d ix = _mm256_set1_pd(xi[0]), iy = _mm256_set1_pd(xi[1]), iz = _mm256_set1_pd(xi[2]),
            si = _mm256_set1_pd(xi[3]), sn = _mm256_set1_pd(snew);
    __m256d xc2 = _mm256_set1_pd(TK_XC2), lo = _mm256_setzero_pd(), hi = lo;
    /* the pairs in reach, pending in blocks of 8: r2, new and old s2 */
    double br[12], ba[12], bb[12], vr[4], va[4], vb[4], acc[8];
    int c = 0, t[4];
    for (int k = 0; k < cnt; k += 4) {
        const int *j = quad(l, k, cnt, t);
        __m256d jx, jy, jz, sj;
        rows_256(xs, j, &jx, &jy, &jz, &sj);
        __m256d a = sigma_ij_256(sn, sj), b = sigma_ij_256(si, sj);
        __m256d a2 = _mm256_mul_pd(a, a), b2 = _mm256_mul_pd(b, b);
        __m256d r = dist2_256(ix, iy, iz, jx, jy, jz, vL, hL, mhL);
        unsigned keep = (unsigned)_mm256_movemask_pd(
            _mm256_or_pd(_mm256_cmp_pd(r, _mm256_mul_pd(xc2, a2), _CMP_LT_OQ),
                         _mm256_cmp_pd(r, _mm256_mul_pd(xc2, b2), _CMP_LT_OQ)));
        if (cnt - k < 4)
            keep &= (1u << (cnt - k)) - 1;
        if (!keep)
            continue;
        _mm256_storeu_pd(vr, r);
        _mm256_storeu_pd(va, a2);
        _mm256_storeu_pd(vb, b2);
        for (; keep; keep &= keep - 1) {
            int q = __builtin_ctz(keep);
            if (j[q] == skip)
                continue;
            br[c] = vr[q];
            ba[c] = va[q];
            bb[c] = vb[q];
            c++;
        }
        if (c >= 8) {
            for (int h = 0; h < 2; h++) {
                __m256d R = _mm256_loadu_pd(br + 4 * h);
                __m256d e = _mm256_sub_pd(pair_energy_256(R, _mm256_loadu_pd(ba + 4 * h)),
                                          pair_energy_256(R, _mm256_loadu_pd(bb + 4 * h)));
                if (h == 0)
                    lo = _mm256_add_pd(lo, e);
                else
                    hi = _mm256_add_pd(hi, e);
            }
            c -= 8;
            memmove(br, br + 8, (size_t)c * sizeof *br);
            memmove(ba, ba + 8, (size_t)c * sizeof *ba);
            memmove(bb, bb + 8, (size_t)c * sizeof *bb);
        }
    }
    if (c) {
        /* the last block, padded with pairs out of reach (terms +0) */
        for (int q = c; q < 8; q++) {
            br[q] = 4.0;
            ba[q] = bb[q] = 1.0;
        }
        for (int h = 0; h < 2; h++) {
            __m256d R = _mm256_loadu_pd(br + 4 * h);
            __m256d e = _mm256_sub_pd(pair_energy_256(R, _mm256_loadu_pd(ba + 4 * h)),
                                      pair_energy_256(R, _mm256_loadu_pd(bb + 4 * h)));
            if (h == 0)
                lo = _mm256_add_pd(lo, e);
            else
                hi = _mm256_add_pd(hi, e);
        }
    }
    _mm256_storeu_pd(acc, lo);
    _mm256_storeu_pd(acc + 4, hi);
    return reduce8(acc);
}

/* -- AVX-512: 8 lanes -- */

AVX512 static inline __m512d wrap_512(__m512d d, __m512d L, __m512d hL, __m512d mhL)
{
    __mmask8 gt = _mm512_cmp_pd_mask(d, hL, _CMP_GT_OQ), lt = _mm512_cmp_pd_mask(d, mhL, _CMP_LT_OQ);
    __m512d e = _mm512_mask_sub_pd(d, gt, d, L);
    return _mm512_mask_add_pd(e, lt, d, L);
}

AVX512 static inline __m512d dist2_512(__m512d ax, __m512d ay, __m512d az, __m512d bx,
                                       __m512d by, __m512d bz, __m512d L, __m512d hL,
                                       __m512d mhL)
{
    __m512d dx = wrap_512(_mm512_sub_pd(ax, bx), L, hL, mhL);
    __m512d dy = wrap_512(_mm512_sub_pd(ay, by), L, hL, mhL);
    __m512d dz = wrap_512(_mm512_sub_pd(az, bz), L, hL, mhL);
    return _mm512_add_pd(_mm512_add_pd(_mm512_mul_pd(dx, dx), _mm512_mul_pd(dy, dy)),
                         _mm512_mul_pd(dz, dz));
}

/* tk_sigma_ij(a, b) lane by lane */
AVX512 static inline __m512d sigma_ij_512(__m512d a, __m512d b)
{
    __m512d h = _mm512_mul_pd(_mm512_set1_pd(0.5), _mm512_add_pd(a, b));
    __m512d ad = _mm512_abs_pd(_mm512_sub_pd(a, b));
    return _mm512_mul_pd(h, _mm512_sub_pd(_mm512_set1_pd(1.0),
                                          _mm512_mul_pd(_mm512_set1_pd(TK_NONADD), ad)));
}

AVX512 static inline __m512d pair_energy_512(__m512d r2, __m512d s2)
{
    __mmask8 in = _mm512_cmp_pd_mask(r2, _mm512_mul_pd(_mm512_set1_pd(TK_XC2), s2), _CMP_LT_OQ);
    __m512d q = _mm512_div_pd(_mm512_set1_pd(1.0), _mm512_mul_pd(r2, s2));
    __m512d x2 = _mm512_mul_pd(_mm512_mul_pd(r2, r2), q);
    __m512d i2 = _mm512_mul_pd(_mm512_mul_pd(s2, s2), q);
    __m512d i6 = _mm512_mul_pd(_mm512_mul_pd(i2, i2), i2);
    __m512d poly = _mm512_mul_pd(
        x2, _mm512_add_pd(_mm512_set1_pd(TK_C2), _mm512_mul_pd(_mm512_set1_pd(TK_C4), x2)));
    __m512d v = _mm512_add_pd(_mm512_add_pd(_mm512_mul_pd(i6, i6), _mm512_set1_pd(TK_C0)), poly);
    return _mm512_maskz_mov_pd(in, v);
}

AVX512 static inline double reduce8_512(__m512d acc)
{
    /* reduce8: lanes l + (l + 4), then (0 + 2), (1 + 3), then 0 + 1 */
    __m256d s = _mm256_add_pd(_mm512_castpd512_pd256(acc), _mm512_extractf64x4_pd(acc, 1));
    __m128d t = _mm_add_pd(_mm256_castpd256_pd128(s), _mm256_extractf128_pd(s, 1));
    return _mm_cvtsd_f64(_mm_add_sd(t, _mm_unpackhi_pd(t, t)));
}

/* lane masks: the first n lanes, n = 0 .. 8 */
static inline __mmask8 first_lanes(int n)
{
    return (__mmask8)((1u << n) - 1);
}

/* A stream of values in lanes: *c (0 .. 7) of them are pending in *carry
 * (the other lanes 0).  Rotates w (nw values in its first lanes, zeros
 * after) behind them; returns the vector of the first 8 when it fills
 * (*full set), leaving the rest pending. */
AVX512 static inline __m512d stream_put(__m512d *carry, int *c, __m512d w, int nw, int *full)
{
    int c0 = *c, t = c0 + nw;
    __m512i idx = _mm512_and_si512(
        _mm512_sub_epi64(_mm512_setr_epi64(0, 1, 2, 3, 4, 5, 6, 7), _mm512_set1_epi64(c0)),
        _mm512_set1_epi64(7));
    __m512d sh = _mm512_permutexvar_pd(idx, w);
    __m512d comb = _mm512_mask_mov_pd(sh, first_lanes(c0), *carry);
    *full = t >= 8;
    if (t >= 8) {
        *carry = _mm512_maskz_mov_pd(first_lanes(t - 8), sh);
        *c = t - 8;
    } else {
        *carry = comb;
        *c = t;
    }
    return comb;
}

/* rows (x, y, z, sigma) of the particles l[0 .. 8) (lanes lm; the others
 * read row 0), one 32-byte load each, transposed into four vectors: faster
 * than four gathers */
AVX512 static inline void rows_512(const double *xs, const int *l, __mmask8 lm, __m512d *x,
                                   __m512d *y, __m512d *z, __m512d *s)
{
    int t[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    const int *j = l;
    if (lm != 0xff) {
        for (int q = 0; q < 8; q++)
            if (lm >> q & 1)
                t[q] = l[q];
        j = t;
    }
    __m512d a = _mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_loadu_pd(xs + 4 * (size_t)j[0])),
                                   _mm256_loadu_pd(xs + 4 * (size_t)j[4]), 1);
    __m512d b = _mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_loadu_pd(xs + 4 * (size_t)j[1])),
                                   _mm256_loadu_pd(xs + 4 * (size_t)j[5]), 1);
    __m512d c = _mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_loadu_pd(xs + 4 * (size_t)j[2])),
                                   _mm256_loadu_pd(xs + 4 * (size_t)j[6]), 1);
    __m512d d = _mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_loadu_pd(xs + 4 * (size_t)j[3])),
                                   _mm256_loadu_pd(xs + 4 * (size_t)j[7]), 1);
    __m512d t0 = _mm512_unpacklo_pd(a, b), t1 = _mm512_unpackhi_pd(a, b);
    __m512d t2 = _mm512_unpacklo_pd(c, d), t3 = _mm512_unpackhi_pd(c, d);
    __m512i lo = _mm512_setr_epi64(0, 1, 8, 9, 4, 5, 12, 13),
            hi = _mm512_setr_epi64(2, 3, 10, 11, 6, 7, 14, 15);
    *x = _mm512_permutex2var_pd(t0, lo, t2);
    *z = _mm512_permutex2var_pd(t0, hi, t2);
    *y = _mm512_permutex2var_pd(t1, lo, t3);
    *s = _mm512_permutex2var_pd(t1, hi, t3);
}

AVX512 static double disp_de_avx512(const double *xs, const int *l, int cnt, int i,
                                    const double *p, double L)
{
    const double *xi = xs + 4 * (size_t)i;
    __m512d vL = _mm512_set1_pd(L), hL = _mm512_set1_pd(0.5 * L), mhL = _mm512_set1_pd(-(0.5 * L));
    __m512d ix = _mm512_set1_pd(xi[0]), iy = _mm512_set1_pd(xi[1]), iz = _mm512_set1_pd(xi[2]),
            si = _mm512_set1_pd(xi[3]);
    __m512d px = _mm512_set1_pd(p[0]), py = _mm512_set1_pd(p[1]), pz = _mm512_set1_pd(p[2]);
    __m512d xc2 = _mm512_set1_pd(TK_XC2), z = _mm512_setzero_pd(), acc = z, carry = z;
    int c = 0, full;
    for (int k = 0; k < cnt; k += 8) {
        int rem = cnt - k;
        __mmask8 lm = rem >= 8 ? 0xff : first_lanes(rem);
        __m512d jx, jy, jz, sj;
        rows_512(xs, l + k, lm, &jx, &jy, &jz, &sj);
        __m512d sij = sigma_ij_512(si, sj), s2 = _mm512_mul_pd(sij, sij);
        __m512d rc2 = _mm512_mul_pd(xc2, s2);
        __m512d a = dist2_512(px, py, pz, jx, jy, jz, vL, hL, mhL);
        __m512d b = dist2_512(ix, iy, iz, jx, jy, jz, vL, hL, mhL);
        __mmask8 keep = lm & (_mm512_cmp_pd_mask(a, rc2, _CMP_LT_OQ) |
                              _mm512_cmp_pd_mask(b, rc2, _CMP_LT_OQ));
        if (!keep)
            continue;
        __m512d d = _mm512_sub_pd(pair_energy_512(a, s2), pair_energy_512(b, s2));
        __m512d v = stream_put(&carry, &c, _mm512_maskz_compress_pd(keep, d),
                               __builtin_popcount(keep), &full);
        if (full)
            acc = _mm512_add_pd(acc, v);
    }
    return reduce8_512(_mm512_add_pd(acc, carry));
}

AVX512 static double sigma_de_avx512(const double *xs, const int *l, int cnt, int i, double snew,
                                     int skip, double L)
{
    const double *xi = xs + 4 * (size_t)i;
    __m512d vL = _mm512_set1_pd(L), hL = _mm512_set1_pd(0.5 * L), mhL = _mm512_set1_pd(-(0.5 * L));
    __m512d ix = _mm512_set1_pd(xi[0]), iy = _mm512_set1_pd(xi[1]), iz = _mm512_set1_pd(xi[2]),
            si = _mm512_set1_pd(xi[3]), sn = _mm512_set1_pd(snew);
    __m512d xc2 = _mm512_set1_pd(TK_XC2), z = _mm512_setzero_pd(), acc = z;
    /* the pairs in reach stream through three vectors: r2, new and old s2 */
    __m512d pr = z, pa = z, pb = z;
    __m512i vskip = _mm512_set1_epi32(skip);
    int c = 0, full;
    for (int k = 0; k < cnt; k += 8) {
        int rem = cnt - k;
        __mmask8 lm = rem >= 8 ? 0xff : first_lanes(rem);
        __m512i idx = _mm512_maskz_loadu_epi32((__mmask16)lm, l + k);
        __mmask8 other = (__mmask8)_mm512_cmpneq_epi32_mask(idx, vskip);
        __m512d jx, jy, jz, sj;
        rows_512(xs, l + k, lm, &jx, &jy, &jz, &sj);
        __m512d a = sigma_ij_512(sn, sj), b = sigma_ij_512(si, sj);
        __m512d a2 = _mm512_mul_pd(a, a), b2 = _mm512_mul_pd(b, b);
        __m512d d = dist2_512(ix, iy, iz, jx, jy, jz, vL, hL, mhL);
        __mmask8 keep = lm & other &
                        (_mm512_cmp_pd_mask(d, _mm512_mul_pd(xc2, a2), _CMP_LT_OQ) |
                         _mm512_cmp_pd_mask(d, _mm512_mul_pd(xc2, b2), _CMP_LT_OQ));
        if (!keep)
            continue;
        int nw = __builtin_popcount(keep), c0 = c;
        __m512d vr = stream_put(&pr, &c, _mm512_maskz_compress_pd(keep, d), nw, &full);
        c = c0;
        __m512d va = stream_put(&pa, &c, _mm512_maskz_compress_pd(keep, a2), nw, &full);
        c = c0;
        __m512d vb = stream_put(&pb, &c, _mm512_maskz_compress_pd(keep, b2), nw, &full);
        if (full)
            acc = _mm512_add_pd(acc, _mm512_sub_pd(pair_energy_512(vr, va),
                                                   pair_energy_512(vr, vb)));
    }
    if (c) {
        __m512d e = _mm512_sub_pd(pair_energy_512(pr, pa), pair_energy_512(pr, pb));
        acc = _mm512_add_pd(acc, _mm512_maskz_mov_pd(first_lanes(c), e));
    }
    return reduce8_512(acc);
}

/* near_pred lane by lane */
AVX512 static inline __mmask8 near_pred_512(__m512d d2, __m512d sij, __m512d skin)
{
    __m512d rl = _mm512_mul_pd(_mm512_add_pd(_mm512_mul_pd(_mm512_set1_pd(TK_XC), sij), skin),
                               _mm512_set1_pd(MARGIN));
    return _mm512_cmp_pd_mask(d2, _mm512_mul_pd(rl, rl), _CMP_LT_OQ);
}

AVX512 static int near_scan_avx512(const double *c4, const double *xs, const int *g, int cnt,
                                   int i, double so, int p, double skin, double L, int *out,
                                   int *ch, int *nch)
{
    const double *ci = c4 + 4 * (size_t)i;
    __m512d vL = _mm512_set1_pd(L), hL = _mm512_set1_pd(0.5 * L), mhL = _mm512_set1_pd(-(0.5 * L));
    __m512d ix = _mm512_set1_pd(ci[0]), iy = _mm512_set1_pd(ci[1]), iz = _mm512_set1_pd(ci[2]);
    __m512d sn = _mm512_set1_pd(xs[4 * (size_t)i + 3]), vso = _mm512_set1_pd(so),
            vskin = _mm512_set1_pd(skin), z = _mm512_setzero_pd();
    __m512i vp = _mm512_set1_epi32(p), ones = _mm512_set1_epi32(-1);
    int c = 0, nc = 0;
    for (int k = 0; k < cnt; k += 8) {
        int rem = cnt - k;
        __mmask8 lm = rem >= 8 ? 0xff : first_lanes(rem);
        __m512i idx = _mm512_maskz_loadu_epi32((__mmask16)lm, g + k);
        __m256i r = _mm256_slli_epi32(_mm512_castsi512_si256(idx), 2);
        __m512d jx = _mm512_mask_i32gather_pd(z, lm, r, c4, 8);
        __m512d jy = _mm512_mask_i32gather_pd(z, lm, r, c4 + 1, 8);
        __m512d jz = _mm512_mask_i32gather_pd(z, lm, r, c4 + 2, 8);
        __m512d sj = _mm512_mask_i32gather_pd(z, lm, r, xs + 3, 8);
        __m512d d2 = dist2_512(ix, iy, iz, jx, jy, jz, vL, hL, mhL);
        __mmask8 want = lm & near_pred_512(d2, sigma_ij_512(sn, sj), vskin);
        _mm256_storeu_si256((__m256i *)(out + c),
                            _mm512_castsi512_si256(_mm512_maskz_compress_epi32(want, idx)));
        c += __builtin_popcount(want);
        if (ch) {
            __mmask8 pm = (__mmask8)_mm512_cmpeq_epi32_mask(idx, vp);
            __mmask8 had = (near_pred_512(d2, sigma_ij_512(vso, sj), vskin) & ~pm) | (want & pm);
            __mmask8 diff = lm & (want ^ had);
            if (diff) {
                /* want ? j : ~j */
                __m512i v = _mm512_mask_xor_epi32(idx, (__mmask16)(~want & 0xff), idx, ones);
                _mm256_storeu_si256((__m256i *)(ch + nc),
                                    _mm512_castsi512_si256(_mm512_maskz_compress_epi32(diff, v)));
                nc += __builtin_popcount(diff);
            }
        }
    }
    if (ch)
        *nch = nc;
    return c;
}

AVX512 static int cell_scan_avx512(const int *m, const double *cx, const double *cy,
                                   const double *cz, int cnt, int i, const double *ci, double L,
                                   double rl2, int *out)
{
    __m512d vL = _mm512_set1_pd(L), hL = _mm512_set1_pd(0.5 * L), mhL = _mm512_set1_pd(-(0.5 * L));
    __m512d ix = _mm512_set1_pd(ci[0]), iy = _mm512_set1_pd(ci[1]), iz = _mm512_set1_pd(ci[2]);
    __m512d vrl2 = _mm512_set1_pd(rl2);
    __m512i vi = _mm512_set1_epi32(i);
    int c = 0;
    for (int k = 0; k < cnt; k += 8) {
        int rem = cnt - k;
        __mmask8 lm = rem >= 8 ? 0xff : first_lanes(rem);
        __m512i idx = _mm512_maskz_loadu_epi32((__mmask16)lm, m + k);
        __m512d jx = _mm512_maskz_loadu_pd(lm, cx + k), jy = _mm512_maskz_loadu_pd(lm, cy + k),
                jz = _mm512_maskz_loadu_pd(lm, cz + k);
        __m512d d2 = dist2_512(ix, iy, iz, jx, jy, jz, vL, hL, mhL);
        __mmask8 hit = lm & _mm512_cmp_pd_mask(d2, vrl2, _CMP_LT_OQ) &
                       (__mmask8)_mm512_cmpneq_epi32_mask(idx, vi);
        _mm256_storeu_si256((__m256i *)(out + c),
                            _mm512_castsi512_si256(_mm512_maskz_compress_epi32(hit, idx)));
        c += __builtin_popcount(hit);
    }
    return c;
}

AVX512 static int dist_scan_avx512(const double *c4, const int *g, int cnt, int i, double r2lim,
                                   double L, int *out)
{
    const double *ci = c4 + 4 * (size_t)i;
    __m512d vL = _mm512_set1_pd(L), hL = _mm512_set1_pd(0.5 * L), mhL = _mm512_set1_pd(-(0.5 * L));
    __m512d ix = _mm512_set1_pd(ci[0]), iy = _mm512_set1_pd(ci[1]), iz = _mm512_set1_pd(ci[2]);
    __m512d lim = _mm512_set1_pd(r2lim), z = _mm512_setzero_pd();
    int c = 0;
    for (int k = 0; k < cnt; k += 8) {
        int rem = cnt - k;
        __mmask8 lm = rem >= 8 ? 0xff : first_lanes(rem);
        __m512i idx = _mm512_maskz_loadu_epi32((__mmask16)lm, g + k);
        __m256i r = _mm256_slli_epi32(_mm512_castsi512_si256(idx), 2);
        __m512d jx = _mm512_mask_i32gather_pd(z, lm, r, c4, 8);
        __m512d jy = _mm512_mask_i32gather_pd(z, lm, r, c4 + 1, 8);
        __m512d jz = _mm512_mask_i32gather_pd(z, lm, r, c4 + 2, 8);
        __m512d d2 = dist2_512(ix, iy, iz, jx, jy, jz, vL, hL, mhL);
        __mmask8 in = lm & _mm512_cmp_pd_mask(d2, lim, _CMP_LT_OQ);
        _mm256_storeu_si256((__m256i *)(out + c),
                            _mm512_castsi512_si256(_mm512_maskz_compress_epi32(in, idx)));
        c += __builtin_popcount(in);
    }
    return c;
}
#endif

typedef struct {
    disp_de_fn *disp_de;
    sigma_de_fn *sigma_de;
    near_scan_fn *near_scan;
    dist_scan_fn *dist_scan;
    cell_scan_fn *cell_scan;
} kernels;

static const kernels kernels_scalar = {disp_de_scalar, sigma_de_scalar, near_scan_scalar,
                                       dist_scan_scalar, cell_scan_scalar};
#ifdef HAVE_X86
static const kernels kernels_avx2 = {disp_de_avx2, sigma_de_avx2, near_scan_scalar,
                                     dist_scan_scalar, cell_scan_scalar};
static const kernels kernels_avx512 = {disp_de_avx512, sigma_de_avx512, near_scan_avx512,
                                       dist_scan_avx512, cell_scan_avx512};
#endif

static const kernels *kernels_for(int level)
{
#ifdef HAVE_X86
    if (level >= TK_SIMD_AVX512)
        return &kernels_avx512;
    if (level >= TK_SIMD_AVX2)
        return &kernels_avx2;
#endif
    (void)level;
    return &kernels_scalar;
}

/* ---- lists ----
 *
 * Pairs are listed when their centres are closer than rc + skin (full),
 * 1.25 sigma(sgrow, smax) + skin (inner) or 1.25 sigma_ij + skin (near);
 * every particle stays within skin/2 of its centre, so no pair in reach is
 * ever missing.  A particle about to leave its sphere is recentred alone.
 * The relations are symmetric (i lists j if and only if j lists i). */

static void list_init(tk_swapmc_list *l, int n, int stride)
{
    l->stride = stride;
    l->idx = tk_xmalloc((size_t)n * stride * sizeof *l->idx);
    l->cnt = tk_xcalloc((size_t)n, sizeof *l->cnt);
}

static void list_free(tk_swapmc_list *l)
{
    free(l->idx);
    free(l->cnt);
}

static int *list_row(const tk_swapmc_list *l, int i)
{
    return l->idx + (size_t)i * l->stride;
}

static void list_grow(tk_swapmc_list *l, int n, int need)
{
    int old = l->stride, s = 2 * old;
    while (s < need)
        s *= 2;
    int *idx = tk_xmalloc((size_t)n * s * sizeof *idx);
    for (int i = 0; i < n; i++)
        memcpy(idx + (size_t)i * s, l->idx + (size_t)i * old, (size_t)l->cnt[i] * sizeof *idx);
    free(l->idx);
    l->idx = idx;
    l->stride = s;
}

static void list_set(tk_swapmc_list *l, int n, int i, const int *src, int c)
{
    if (c > l->stride)
        list_grow(l, n, c);
    memcpy(list_row(l, i), src, (size_t)c * sizeof *src);
    l->cnt[i] = c;
}

/* Position of i in the sorted list l of n entries (or where it would go):
 * the entries below i, counted without branches (vectorised; lists are
 * short) */
static int lower_bound(const int *l, int n, int i)
{
    int k = 0;
    for (int m = 0; m < n; m++)
        k += l[m] < i;
    return k;
}

/* remove i from / insert i into the list of j */
static void list_remove(tk_swapmc_list *l, int j, int i)
{
    int *r = list_row(l, j), n = l->cnt[j], k = lower_bound(r, n, i);
    if (k < n && r[k] == i) {
        memmove(r + k, r + k + 1, (size_t)(n - k - 1) * sizeof *r);
        l->cnt[j]--;
    }
}

static void list_insert(tk_swapmc_list *l, int n, int j, int i)
{
    if (l->cnt[j] == l->stride)
        list_grow(l, n, l->stride + 1);
    int *r = list_row(l, j), c = l->cnt[j], k = lower_bound(r, c, i);
    memmove(r + k + 1, r + k, (size_t)(c - k) * sizeof *r);
    r[k] = i;
    l->cnt[j]++;
}

/* i's list went from a (na entries) to b (nb): take i out of the lists of
 * the partners gone, into those of the partners come */
static void list_diff(tk_swapmc_list *l, int n, int i, const int *a, int na, const int *b, int nb)
{
    int ka = 0, kb = 0;
    while (ka < na || kb < nb) {
        if (kb == nb || (ka < na && a[ka] < b[kb]))
            list_remove(l, a[ka++], i);
        else if (ka == na || b[kb] < a[ka])
            list_insert(l, n, b[kb++], i);
        else
            ka++, kb++;
    }
}

/* ---- set-up ---- */

static double skin_for(double delta)
{
    /* a trial displacement is at most sqrt(3) delta; rebuilding before a
     * trial that leaves the skin/2 sphere keeps every trial inside it */
    double s = 2 * sqrt(3.0) * delta * 1.0001;
    return s > SKIN_MIN ? s : SKIN_MIN;
}

/* scratch of the kernels for lists of up to cap entries: 2 int arrays,
 * each with room for a full vector beyond the end */
static int *scratch(tk_swapmc *mc, int k)
{
    int cap = mc->full.stride;
    if (cap > mc->bufcap) {
        mc->bufcap = cap;
        free(mc->ibuf);
        mc->ibuf = tk_xmalloc(2 * ((size_t)cap + 16) * sizeof *mc->ibuf);
    }
    return mc->ibuf + (size_t)k * ((size_t)mc->bufcap + 16);
}

int tk_swapmc_init(tk_swapmc *mc, int n, double L, const double origin[3], double *x,
                   double *sigma, double T, double delta, double pswap)
{
    memset(mc, 0, sizeof *mc);
    rng_check();
    mc->n = n;
    mc->L = L;
    memcpy(mc->origin, origin, sizeof mc->origin);
    mc->x = x;
    mc->sigma = sigma;
    mc->T = T;
    mc->pswap = pswap;
    double smax = 0;
    for (int i = 0; i < n; i++)
        smax = fmax(smax, sigma[i]);
    mc->rc = TK_XC * smax; /* largest sigma_ij any permutation can make */
    mc->sgrow = smax;
    mc->delta = delta;
    mc->skin = skin_for(delta);
    mc->simd = tk_simd_level();
    list_init(&mc->full, n, 96);
    list_init(&mc->inner, n, 64);
    list_init(&mc->near, n, 32);
    mc->xs = tk_xmalloc(4 * (size_t)n * sizeof *mc->xs);
    mc->c4 = tk_xcalloc(4 * (size_t)n, sizeof *mc->c4);
    mc->cell = tk_xmalloc((size_t)n * sizeof *mc->cell);
    mc->cslot = tk_xmalloc((size_t)n * sizeof *mc->cslot);
    if (n <= BITMAP_MAX)
        mc->bits = tk_xcalloc(((size_t)n + 63) / 64, sizeof *mc->bits);
    tk_wrap(n, L, origin, x);
    return 0.5 * L > mc->rc + mc->skin ? 0 : -1;
}

void tk_swapmc_free(tk_swapmc *mc)
{
    list_free(&mc->full);
    list_free(&mc->inner);
    list_free(&mc->near);
    free(mc->xs);
    free(mc->c4);
    free(mc->cmem);
    free(mc->ccnt);
    free(mc->ccen);
    free(mc->cell);
    free(mc->cslot);
    free(mc->ibuf);
    free(mc->rbuf);
    free(mc->cbuf);
    free(mc->bits);
    memset(mc, 0, sizeof *mc);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ---- cells ---- */

static int cell_index(const tk_swapmc *mc, const double *p)
{
    int nc = mc->nc, ci[3];
    for (int d = 0; d < 3; d++) {
        double u = (p[d] - mc->origin[d]) / mc->L;
        u -= floor(u);
        int k = (int)(u * nc);
        ci[d] = k < 0 ? 0 : k >= nc ? nc - 1 : k;
    }
    return (ci[0] * nc + ci[1]) * nc + ci[2];
}

static double *cell_cen(const tk_swapmc *mc, int d, int c)
{
    int nc3 = mc->nc * mc->nc * mc->nc;
    return mc->ccen + ((size_t)d * nc3 + c) * mc->ccap;
}

static void cell_insert(tk_swapmc *mc, int i)
{
    int c = cell_index(mc, mc->c4 + 4 * (size_t)i), nc3 = mc->nc * mc->nc * mc->nc;
    if (mc->ccnt[c] == mc->ccap) {
        int old = mc->ccap, s = 2 * old;
        int *m = tk_xmalloc((size_t)nc3 * s * sizeof *m);
        double *cen = tk_xmalloc(3 * (size_t)nc3 * s * sizeof *cen);
        for (int k = 0; k < nc3; k++) {
            memcpy(m + (size_t)k * s, mc->cmem + (size_t)k * old, (size_t)mc->ccnt[k] * sizeof *m);
            for (int d = 0; d < 3; d++)
                memcpy(cen + ((size_t)d * nc3 + k) * s, cell_cen(mc, d, k),
                       (size_t)mc->ccnt[k] * sizeof *cen);
        }
        free(mc->cmem);
        free(mc->ccen);
        mc->cmem = m;
        mc->ccen = cen;
        mc->ccap = s;
    }
    int slot = mc->ccnt[c]++;
    mc->cell[i] = c;
    mc->cslot[i] = slot;
    mc->cmem[(size_t)c * mc->ccap + slot] = i;
    for (int d = 0; d < 3; d++)
        cell_cen(mc, d, c)[slot] = mc->c4[4 * (size_t)i + d];
}

static void cell_remove(tk_swapmc *mc, int i)
{
    int c = mc->cell[i], *m = mc->cmem + (size_t)c * mc->ccap, last = --mc->ccnt[c],
        s = mc->cslot[i], j = m[last];
    m[s] = j;
    mc->cslot[j] = s;
    for (int d = 0; d < 3; d++) {
        double *cen = cell_cen(mc, d, c);
        cen[s] = cen[last];
    }
}

/* ---- making lists ---- */

/* The full list of i: the particles whose centres are within rc + skin of
 * i's (from the 27 cells around i's, or from all particles in a small
 * box), in index order (a bitmap of marks read in order, or a sort). */
static void collect(tk_swapmc *mc, int i)
{
    const kernels *kn = kernels_for(mc->simd);
    double L = mc->L, rl = (mc->rc + mc->skin) * MARGIN, rl2 = rl * rl;
    const double *ci = mc->c4 + 4 * (size_t)i;
    int nc = mc->nc, cells[27], ncell = 0, total = 0, count = 0;
    if (nc >= 3) {
        int c = mc->cell[i], cx = c / (nc * nc), cy = (c / nc) % nc, cz = c % nc;
        for (int ax = -1; ax <= 1; ax++)
            for (int ay = -1; ay <= 1; ay++)
                for (int az = -1; az <= 1; az++)
                    cells[ncell++] = (((cx + ax + nc) % nc) * nc + (cy + ay + nc) % nc) * nc +
                                     (cz + az + nc) % nc;
    } else {
        cells[ncell++] = 0; /* the one cell */
    }
    for (int k = 0; k < ncell; k++)
        total += mc->ccnt[cells[k]];
    if (total + 8 > mc->cbufcap) {
        mc->cbufcap = 2 * total + 8;
        free(mc->cbuf);
        mc->cbuf = tk_xmalloc((size_t)mc->cbufcap * sizeof *mc->cbuf);
    }
    int *out = mc->cbuf;
    for (int k = 0; k < ncell; k++) {
        int cc = cells[k];
        count += kn->cell_scan(mc->cmem + (size_t)cc * mc->ccap, cell_cen(mc, 0, cc),
                               cell_cen(mc, 1, cc), cell_cen(mc, 2, cc), mc->ccnt[cc], i, ci, L,
                               rl2, out + count);
    }
    tk_swapmc_list *f = &mc->full;
    if (count > f->stride)
        list_grow(f, mc->n, count);
    int *l = list_row(f, i);
    unsigned long long *bits = mc->bits;
    if (bits) {
        for (int k = 0; k < count; k++)
            bits[out[k] >> 6] |= 1ULL << (out[k] & 63);
        int k = 0, nw = (mc->n + 63) / 64;
        for (int w = 0; w < nw && k < count; w++) {
            unsigned long long b = bits[w];
            bits[w] = 0;
            while (b) {
                l[k++] = 64 * w + __builtin_ctzll(b);
                b &= b - 1;
            }
        }
    } else {
        qsort(out, (size_t)count, sizeof *out, cmp_int);
        memcpy(l, out, (size_t)count * sizeof *l);
    }
    f->cnt[i] = count;
}

/* The inner list's radius, a margin above every near-list radius for
 * diameters up to sgrow (so that near lists can come from it) */
static double inner_radius(const tk_swapmc *mc)
{
    return (TK_XC * tk_sigma_ij(mc->sgrow, mc->rc / TK_XC) + mc->skin) * MARGIN * MARGIN;
}

/* The inner list of i from its full list. */
static void inner_build(tk_swapmc *mc, int i)
{
    int *out = scratch(mc, 0);
    double rin = inner_radius(mc);
    int c = kernels_for(mc->simd)->dist_scan(mc->c4, list_row(&mc->full, i), mc->full.cnt[i], i,
                                             rin * rin, mc->L, out);
    list_set(&mc->inner, mc->n, i, out, c);
}

/* The list that holds the near list of i for the diameter s: a near pair
 * is closer than 1.25 sigma(s, s_j) + skin <= 1.25 sigma(sgrow, smax) + skin
 * for s <= sgrow, i.e. it is in the inner list. */
static const tk_swapmc_list *near_source(const tk_swapmc *mc, double s)
{
    return s <= mc->sgrow ? &mc->inner : &mc->full;
}

/* The near list of i from its inner or full list. */
static void near_build(tk_swapmc *mc, int i)
{
    int *out = scratch(mc, 0);
    const tk_swapmc_list *src = near_source(mc, mc->xs[4 * (size_t)i + 3]);
    int c = kernels_for(mc->simd)->near_scan(mc->c4, mc->xs, list_row(src, i), src->cnt[i], i, 0,
                                             -1, mc->skin, mc->L, out, NULL, NULL);
    list_set(&mc->near, mc->n, i, out, c);
}

/* i's diameter changed from so (its partner p's too, which leaves the pair
 * (i, p) as it was): i's near list and its entries in the others' (the
 * pairs out of the source list are near neither before nor after). */
static void near_refresh(tk_swapmc *mc, int i, double so, int p)
{
    int *out = scratch(mc, 0), *ch = scratch(mc, 1), nch = 0;
    double sn = mc->xs[4 * (size_t)i + 3];
    const tk_swapmc_list *src = near_source(mc, sn > so ? sn : so);
    int c = kernels_for(mc->simd)->near_scan(mc->c4, mc->xs, list_row(src, i), src->cnt[i], i, so,
                                             p, mc->skin, mc->L, out, ch, &nch);
    list_set(&mc->near, mc->n, i, out, c);
    for (int k = 0; k < nch; k++) {
        if (ch[k] >= 0)
            list_insert(&mc->near, mc->n, ch[k], i);
        else
            list_remove(&mc->near, ~ch[k], i);
    }
}

/* sgrow: the inner list serves a growing diameter up to sgrow; chosen for
 * the fewest partners scanned on average over the swaps (the growing
 * particle takes the larger of two random diameters), from the numbers of
 * partners within the two radii (~ radius^3) */
static void choose_sgrow(tk_swapmc *mc)
{
    int n = mc->n;
    double *s = tk_xmalloc((size_t)n * sizeof *s), smax = mc->rc / TK_XC;
    memcpy(s, mc->sigma, (size_t)n * sizeof *s);
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    double rf = mc->rc + mc->skin, best = 1;
    mc->sgrow = smax;
    for (int q = 1; q < 32; q++) {
        int k = (int)((double)q / 32 * (n - 1));
        double F = (double)(k + 1) / n, g = s[k];
        double ri = TK_XC * tk_sigma_ij(g, smax) + mc->skin, f3 = pow(ri / rf, 3);
        double cost = F * F * f3 + (1 - F * F);
        if (cost < best) {
            best = cost;
            mc->sgrow = g;
        }
    }
    free(s);
}

static void build(tk_swapmc *mc)
{
    int n = mc->n, nc = (int)floor(mc->L / ((mc->rc + mc->skin) * MARGIN)),
        ncmax = (int)cbrt(2.0 * n) + 1;
    if (nc > ncmax) /* a dilute box needs no more cells than particles */
        nc = ncmax > 3 ? ncmax : 3;
    for (int i = 0; i < n; i++) {
        memcpy(mc->xs + 4 * (size_t)i, mc->x + 3 * (size_t)i, 3 * sizeof *mc->xs);
        mc->xs[4 * (size_t)i + 3] = mc->sigma[i];
        memcpy(mc->c4 + 4 * (size_t)i, mc->x + 3 * (size_t)i, 3 * sizeof *mc->c4);
    }
    choose_sgrow(mc);
    mc->nc = nc >= 3 ? nc : 1;
    int nc3 = mc->nc * mc->nc * mc->nc;
    mc->ccap = 2 * n / nc3 + 16;
    free(mc->cmem);
    free(mc->ccen);
    free(mc->ccnt);
    mc->cmem = tk_xmalloc((size_t)nc3 * mc->ccap * sizeof *mc->cmem);
    mc->ccen = tk_xmalloc(3 * (size_t)nc3 * mc->ccap * sizeof *mc->ccen);
    mc->ccnt = tk_xcalloc((size_t)nc3, sizeof *mc->ccnt);
    for (int i = 0; i < n; i++)
        cell_insert(mc, i);
    for (int i = 0; i < n; i++)
        collect(mc, i);
    for (int i = 0; i < n; i++) {
        inner_build(mc, i);
        near_build(mc, i);
    }
    mc->nbuild++;
    mc->valid = 1;
}

/* Recentre i on its current position: its new lists, and i taken out of
 * or put into the lists of the partners that changed. */
static void recentre(tk_swapmc *mc, int i)
{
    tk_swapmc_list *ls[3] = {&mc->full, &mc->inner, &mc->near};
    int old[3], now[3], need = 0;
    for (int k = 0; k < 3; k++)
        need += old[k] = ls[k]->cnt[i];
    if (need > mc->rcap) {
        mc->rcap = 2 * need;
        mc->rbuf = tk_xrealloc(mc->rbuf, (size_t)mc->rcap * sizeof *mc->rbuf);
    }
    for (int k = 0, at = 0; k < 3; at += old[k++])
        memcpy(mc->rbuf + at, list_row(ls[k], i), (size_t)old[k] * sizeof *mc->rbuf);
    cell_remove(mc, i);
    memcpy(mc->c4 + 4 * (size_t)i, mc->xs + 4 * (size_t)i, 3 * sizeof *mc->c4);
    cell_insert(mc, i);
    collect(mc, i);
    inner_build(mc, i);
    near_build(mc, i);
    for (int k = 0; k < 3; k++)
        need += now[k] = ls[k]->cnt[i];
    if (need > mc->rcap) {
        mc->rcap = 2 * need;
        mc->rbuf = tk_xrealloc(mc->rbuf, (size_t)mc->rcap * sizeof *mc->rbuf);
    }
    /* copies of the new lists: the updates of the others may move them */
    int *a = mc->rbuf, *b = mc->rbuf + old[0] + old[1] + old[2];
    for (int k = 0; k < 3; k++) {
        memcpy(b, list_row(ls[k], i), (size_t)now[k] * sizeof *b);
        list_diff(ls[k], mc->n, i, a, old[k], b, now[k]);
        a += old[k];
        b += now[k];
    }
    mc->nrecentre++;
}

void tk_swapmc_set_delta(tk_swapmc *mc, double delta)
{
    mc->delta = delta;
    double s = skin_for(delta);
    if (s != mc->skin) {
        mc->skin = s;
        mc->valid = 0;
    }
}

/* ---- moves ---- */

/* u < exp(-de / T), for the deviate u drawn because de > 0 */
static inline int accept_u(const tk_swapmc *mc, double de, double u)
{
    double y = -de / mc->T;
    /* u is 0 or at least 2^-53 > exp(-38): no need to ask exp() */
    if (y < -38)
        return u == 0 && exp(y) > 0;
    return u < exp(y);
}

/* Accept with probability min(1, exp(-de / T)): a deviate is drawn only
 * when de > 0. */
static inline int metropolis(tk_swapmc *mc, double de)
{
    if (de <= 0)
        return 1;
    return accept_u(mc, de, rng_uniform(&mc->rng));
}

/* tk_wrap of one point, without its floor() calls for a point in the box */
static void wrap_point(const tk_swapmc *mc, double p[3])
{
    for (int d = 0; d < 3; d++) {
        double u = (p[d] - mc->origin[d]) / mc->L;
        if (!(u >= 0 && u < 1)) {
            tk_wrap(1, mc->L, mc->origin, p);
            return;
        }
    }
}

void tk_swapmc_sweep(tk_swapmc *mc)
{
    int n = mc->n;
    double lim = 0.25 * mc->skin * mc->skin, L = mc->L, hL = 0.5 * L;
    const kernels *kn = kernels_for(mc->simd);
    uint64_t un = (uint64_t)n, ln = UINT64_MAX - UINT64_MAX % un,
             ln1 = n > 1 ? UINT64_MAX - UINT64_MAX % (un - 1) : 0;
    if (!mc->valid)
        build(mc);
    for (int t = 0; t < n; t++) {
        if (mc->pswap > 0 && rng_uniform(&mc->rng) < mc->pswap) {
            if (n < 2) { /* no two particles to swap: a rejected trial */
                mc->try_swap++;
                continue;
            }
            int i = (int)rng_below_lim(&mc->rng, un, ln);
            int j = (int)rng_below_lim(&mc->rng, un - 1, ln1);
            if (j >= i)
                j++;
            mc->try_swap++;
            double si = mc->xs[4 * (size_t)i + 3], sj = mc->xs[4 * (size_t)j + 3];
            /* the (i, j) pair keeps its sigma_ij: it drops out of dU.  The
             * smaller diameter grows: the inner list (up to sgrow) or the
             * full list; the larger one shrinks: the near list suffices */
            int g = si < sj ? i : j, h = si < sj ? j : i;
            double sg = mc->xs[4 * (size_t)h + 3], sh = mc->xs[4 * (size_t)g + 3];
            const tk_swapmc_list *lg = sg <= mc->sgrow ? &mc->inner : &mc->full;
            if (sg <= sh)
                lg = &mc->near; /* equal diameters: nothing changes */
            double dh = kn->sigma_de(mc->xs, list_row(&mc->near, h), mc->near.cnt[h], h, sh, g, L);
            double de = 0, u = -1;
            tk_rng before = mc->rng;
            if (lg != &mc->near) {
                /* Early rejection, with the decision of the full sum.  A
                 * growing diameter raises every pair energy (v decreases
                 * with r / sigma_ij), so the terms of g's near list alone
                 * (the pairs in reach before the swap) give a lower bound b
                 * of dU, up to rounding (the margin).  If b > 0, the full
                 * sum is > 0 too: metropolis() would draw the deviate u,
                 * and reject if u >= exp(-b / T).  Most swaps end here
                 * (at T = 0.07 all the rejected ones), without the longer
                 * list of g. */
                double bg = kn->sigma_de(mc->xs, list_row(&mc->near, g), mc->near.cnt[g], g, sg,
                                         h, L);
                double b = (g == i ? bg + dh : dh + bg) - 1e-9 * (1 + fabs(bg) + fabs(dh));
                if (b > 0) {
                    u = rng_uniform(&mc->rng);
                    /* (exp(-38) < 2^-53 <= u > 0: no need to ask exp()) */
                    if (u > 0 && (b > 38 * mc->T || u >= exp(-b / mc->T) * (1 + 1e-12)))
                        continue;
                }
            }
            double dg = kn->sigma_de(mc->xs, list_row(lg, g), lg->cnt[g], g, sg, h, L);
            de = g == i ? dg + dh : dh + dg;
            int acc;
            if (u < 0) /* no deviate drawn yet */
                acc = metropolis(mc, de);
            else if (de > 0)
                acc = accept_u(mc, de, u);
            else /* (never for b > 0) as metropolis(): no deviate */
                mc->rng = before, acc = 1;
            if (acc) {
                mc->sigma[i] = mc->xs[4 * (size_t)i + 3] = sj;
                mc->sigma[j] = mc->xs[4 * (size_t)j + 3] = si;
                near_refresh(mc, i, si, j);
                near_refresh(mc, j, sj, i);
                mc->E += de;
                mc->acc_swap++;
            }
        } else {
            int i = (int)rng_below_lim(&mc->rng, un, ln);
            double *xi = mc->xs + 4 * (size_t)i, p[3];
            for (int d = 0; d < 3; d++)
                p[d] = xi[d] + mc->delta * (2 * rng_uniform(&mc->rng) - 1);
            mc->try_disp++;
            const double *ci = mc->c4 + 4 * (size_t)i;
            double dx = wrap1(p[0] - ci[0], L, hL), dy = wrap1(p[1] - ci[1], L, hL),
                   dz = wrap1(p[2] - ci[2], L, hL);
            /* the lists may not hold the trial's new partners: recentre i
             * on its current position first (the trial is within skin/2) */
            if (dx * dx + dy * dy + dz * dz > lim)
                recentre(mc, i);
            double de = kn->disp_de(mc->xs, list_row(&mc->near, i), mc->near.cnt[i], i, p, L);
            if (metropolis(mc, de)) {
                wrap_point(mc, p);
                memcpy(mc->x + 3 * (size_t)i, p, sizeof p);
                memcpy(xi, p, sizeof p);
                mc->E += de;
                mc->acc_disp++;
            }
        }
    }
}

double tk_swapmc_energy(tk_swapmc *mc)
{
    /* an independent evaluation: the force code's per-pair Verlet list */
    tk_ipl m;
    tk_ipl_init(&m, mc->n, mc->L, mc->origin, mc->sigma, TK_SKIN_DEFAULT);
    double e = tk_ipl_energy(&m, mc->x);
    tk_ipl_free(&m);
    return e;
}
