/* ipl.c - energies and forces of the IPL model with a Verlet list. */
#include "ipl.h"
#include "err.h"
#include "frame.h"
#include "simd.h"

#include <stdint.h>
#if TK_SIMD_X86
#include <immintrin.h>
#endif

#include <math.h>
#include <stdlib.h>
#include <string.h>

double tk_sigma_from_uniform(double u)
{
    const double a = 1.0 / (TK_SIGMA_MIN * TK_SIGMA_MIN);
    const double b = 1.0 / (TK_SIGMA_MAX * TK_SIGMA_MAX);
    return 1.0 / sqrt(a - u * (a - b));
}

int tk_ipl_init(tk_ipl *m, int n, double L, const double origin[3], const double *sigma,
                double skin)
{
    memset(m, 0, sizeof *m);
    m->n = n;
    m->L = L;
    memcpy(m->origin, origin, sizeof m->origin);
    m->sigma = sigma;
    m->skin = skin;
    m->simd = tk_simd_level();
    double smax = 0;
    for (int i = 0; i < n; i++)
        if (sigma[i] > smax)
            smax = sigma[i];
    m->rcmax = TK_XC * smax;
    /* + 8: room for the full-vector stores of the SIMD candidate filter */
    size_t np = (size_t)n + 8;
    m->first = tk_xmalloc(((size_t)n + 1) * sizeof *m->first);
    m->x0 = tk_xmalloc(3 * (size_t)n * sizeof *m->x0);
    m->cell = tk_xmalloc((size_t)n * sizeof *m->cell);
    m->order = tk_xmalloc(np * sizeof *m->order);
    m->pos = tk_xmalloc((size_t)n * sizeof *m->pos);
    m->xs = tk_xcalloc(4 * np, sizeof *m->xs);
    m->mid = tk_xmalloc(((size_t)n + 1) * sizeof *m->mid);
    m->bbuf = tk_xmalloc(np * sizeof *m->bbuf);
    m->bbuf_s2 = tk_xmalloc(np * sizeof *m->bbuf_s2);
    m->bbuf_img = tk_xmalloc(np);
    if (m->simd >= TK_SIMD_AVX512 &&
        posix_memalign((void **)&m->f4, 64, 4 * ((size_t)n + 1) * sizeof *m->f4) != 0)
        tk_die("out of memory");
    memset(m->order, 0, np * sizeof *m->order);
    for (int c = 0; c < 27; c++) {
        m->shift[c][0] = (c / 9 - 1) * L;
        m->shift[c][1] = ((c / 3) % 3 - 1) * L;
        m->shift[c][2] = (c % 3 - 1) * L;
    }
    /* the outer list, when the box is large enough for its range */
    double so = skin + TK_OUTER_EXTRA;
    if (skin > 0 && 0.5 * L > m->rcmax + so) {
        m->skin_outer = so;
        m->ofirst = tk_xmalloc(((size_t)n + 1) * sizeof *m->ofirst);
        m->ox0 = tk_xmalloc(3 * (size_t)n * sizeof *m->ox0);
    }
    /* the half-box test keeps every pair unique under minimum image */
    return 0.5 * L > m->rcmax + skin ? 0 : -1;
}

void tk_ipl_free(tk_ipl *m)
{
    free(m->first);
    free(m->nbr);
    free(m->inv_s2);
    free(m->x0);
    free(m->head);
    free(m->cell);
    free(m->order);
    free(m->pos);
    free(m->xs);
    free(m->cstart);
    free(m->seg_first);
    free(m->seg_c0);
    free(m->seg_c1);
    free(m->seg_img);
    free(m->mid);
    free(m->own);
    free(m->img);
    free(m->bbuf);
    free(m->bbuf_s2);
    free(m->bbuf_img);
    free(m->pbuf);
    free(m->f4);
    free(m->ofirst);
    free(m->onbr);
    free(m->ox0);
    memset(m, 0, sizeof *m);
}

void tk_ipl_invalidate(tk_ipl *m)
{
    m->valid = 0;
    m->ovalid = 0;
}

static void reserve(tk_ipl *m, size_t extra)
{
    if (m->npair + extra <= m->cap)
        return;
    while (m->npair + extra > m->cap)
        m->cap = m->cap ? 2 * m->cap : 16 * (size_t)m->n + 64;
    m->nbr = tk_xrealloc(m->nbr, m->cap * sizeof *m->nbr);
    m->inv_s2 = tk_xrealloc(m->inv_s2, m->cap * sizeof *m->inv_s2);
    m->img = tk_xrealloc(m->img, m->cap * sizeof *m->img);
}

/* Candidate j seen through a known periodic image (code, shift s): the
 * cell stencil fixes it, so no minimum-image arithmetic at all.  Listed
 * when r < 1.25 sigma_ij + skin; the list holds sigma_ij until the end of
 * the build, which turns it into 1 / sigma_ij^2. */
static inline void candidate_img(tk_ipl *m, const double *xi, const double *xj, int i, int j,
                                 int code, const double *s)
{
    double dx = xi[0] - xj[0] + s[0], dy = xi[1] - xj[1] + s[1], dz = xi[2] - xj[2] + s[2];
    double r2 = dx * dx + dy * dy + dz * dz;
    double sij = tk_sigma_ij(m->sigma[i], m->sigma[j]), rl = TK_XC * sij + m->skin;
    if (r2 >= rl * rl)
        return;
    if (code == 13) {
        m->nbr[m->npair] = j;
        m->inv_s2[m->npair] = sij;
        m->img[m->npair++] = 13;
    } else {
        m->bbuf[m->nb] = j;
        m->bbuf_s2[m->nb] = sij;
        m->bbuf_img[m->nb++] = (unsigned char)code;
    }
}

/* Candidate pair (i, j) of the all-pairs build (small boxes): find the
 * periodic image first.  Positions are wrapped, so |x_i - x_j| < L. */
static void candidate(tk_ipl *m, const double *x, int i, int j)
{
    int sh[3];
    for (int d = 0; d < 3; d++) {
        double dd = x[3 * i + d] - x[3 * j + d];
        sh[d] = dd > 0.5 * m->L ? -1 : dd < -0.5 * m->L ? 1 : 0;
    }
    int code = (sh[0] + 1) * 9 + (sh[1] + 1) * 3 + (sh[2] + 1);
    candidate_img(m, x + 3 * i, x + 3 * j, i, j, code, m->shift[code]);
}

/* Particle i is done: its pairs through an image follow the others. */
static void flush_particle(tk_ipl *m, int i, size_t start)
{
    m->first[i] = (int)start;
    m->mid[i] = (int)m->npair;
    memcpy(m->nbr + m->npair, m->bbuf, (size_t)m->nb * sizeof *m->nbr);
    memcpy(m->inv_s2 + m->npair, m->bbuf_s2, (size_t)m->nb * sizeof *m->inv_s2);
    memcpy(m->img + m->npair, m->bbuf_img, (size_t)m->nb);
    m->npair += (size_t)m->nb;
    m->nb = 0;
}

/* The candidate filter of the cell build: sorted particles q in [qa, qb)
 * (coordinates sx, sy, sz, diameters ss) seen from particle (xi, si)
 * through the image shift s.  Appends the original index and sigma_ij of
 * each one within 1.25 sigma_ij + skin to outj, outs, in order; returns
 * how many.  outj and outs have room for 8 more entries than are kept.
 * The same arithmetic as candidate_img, so the list is the same. */
typedef struct {
    const double *sx, *sy, *sz, *ss;
    const int *order;
    double skin;
} sorted_set;

static int filter_scalar(const sorted_set *p, int qa, int qb, const double *xi, double si,
                         const double *s, int *outj, double *outs)
{
    int c = 0;
    double x0 = xi[0], y0 = xi[1], z0 = xi[2], skin = p->skin;
    for (int q = qa; q < qb; q++) {
        double dx = x0 - p->sx[q] + s[0], dy = y0 - p->sy[q] + s[1], dz = z0 - p->sz[q] + s[2];
        double r2 = dx * dx + dy * dy + dz * dz;
        double sij = tk_sigma_ij(si, p->ss[q]), rl = TK_XC * sij + skin;
        /* branch free: written always, kept when inside */
        outj[c] = p->order[q];
        outs[c] = sij;
        c += r2 < rl * rl;
    }
    return c;
}

#if TK_SIMD_X86
#define TK_AVX512 __attribute__((target("avx512f,avx512vl,avx512bw,avx512dq,popcnt")))
#define TK_AVX2 __attribute__((target("avx2,popcnt")))

/* tk_sigma_ij and the listing test of candidate_img, eight pairs at a time
 * (the same operations, so the same list): *sij, and the lanes of lm with
 * r2 < (1.25 sigma_ij + skin)^2 */
TK_AVX512 static inline __attribute__((always_inline)) __mmask8
listed_avx512(__mmask8 lm, __m512d r2, __m512d si, __m512d sj, __m512d skin, __m512d *sij)
{
    const __m512d HALF = _mm512_set1_pd(0.5), ONE = _mm512_set1_pd(1.0);
    const __m512d NA = _mm512_set1_pd(TK_NONADD), XC = _mm512_set1_pd(TK_XC);
    __m512d d = _mm512_abs_pd(_mm512_sub_pd(si, sj));
    *sij = _mm512_mul_pd(_mm512_mul_pd(HALF, _mm512_add_pd(si, sj)),
                         _mm512_sub_pd(ONE, _mm512_mul_pd(NA, d)));
    __m512d rl = _mm512_add_pd(_mm512_mul_pd(XC, *sij), skin);
    return _mm512_mask_cmp_pd_mask(lm, r2, _mm512_mul_pd(rl, rl), _CMP_LT_OQ);
}

TK_AVX512 static int filter_avx512(const sorted_set *p, int qa, int qb, const double *xi,
                                   double si, const double *s, int *outj, double *outs)
{
    int c = 0;
    const __m512d X = _mm512_set1_pd(xi[0]), Y = _mm512_set1_pd(xi[1]), Z = _mm512_set1_pd(xi[2]);
    const __m512d SX = _mm512_set1_pd(s[0]), SY = _mm512_set1_pd(s[1]), SZ = _mm512_set1_pd(s[2]);
    const __m512d SI = _mm512_set1_pd(si), SKIN = _mm512_set1_pd(p->skin);
    for (int q = qa; q < qb; q += 8) {
        int rem = qb - q;
        __mmask8 lm = rem >= 8 ? (__mmask8)0xff : (__mmask8)((1u << rem) - 1);
        __m512d dx = _mm512_add_pd(_mm512_sub_pd(X, _mm512_maskz_loadu_pd(lm, p->sx + q)), SX);
        __m512d dy = _mm512_add_pd(_mm512_sub_pd(Y, _mm512_maskz_loadu_pd(lm, p->sy + q)), SY);
        __m512d dz = _mm512_add_pd(_mm512_sub_pd(Z, _mm512_maskz_loadu_pd(lm, p->sz + q)), SZ);
        __m512d r2 = _mm512_add_pd(_mm512_add_pd(_mm512_mul_pd(dx, dx), _mm512_mul_pd(dy, dy)),
                                   _mm512_mul_pd(dz, dz));
        __m512d sij;
        __mmask8 k = listed_avx512(lm, r2, SI, _mm512_maskz_loadu_pd(lm, p->ss + q), SKIN, &sij);
        __m256i jv = _mm256_maskz_loadu_epi32(lm, p->order + q);
        _mm256_storeu_si256((__m256i *)(outj + c), _mm256_maskz_compress_epi32(k, jv));
        _mm512_storeu_pd(outs + c, _mm512_maskz_compress_pd(k, sij));
        c += __builtin_popcount(k);
    }
    return c;
}
#endif

static int filter(int simd, const sorted_set *p, int qa, int qb, const double *xi, double si,
                  const double *s, int *outj, double *outs)
{
#if TK_SIMD_X86
    if (simd >= TK_SIMD_AVX512)
        return filter_avx512(p, qa, qb, xi, si, s, outj, outs);
#endif
    (void)simd;
    return filter_scalar(p, qa, qb, xi, si, s, outj, outs);
}

/* The last step of a build: sigma_ij -> 1 / sigma_ij^2 (vectorises). */
static void finish_list(tk_ipl *m)
{
    double *s = m->inv_s2;
    size_t np = m->npair;
    for (size_t k = 0; k < np; k++)
        s[k] = 1.0 / (s[k] * s[k]);
    m->first[m->n] = (int)m->npair;
    /* the owner of each pair, for the AVX-512 kernel's chunks (8 more: the
     * last chunk's full-vector loads) */
    if (m->simd >= TK_SIMD_AVX512) {
        m->own = tk_xrealloc(m->own, (m->npair + 8) * sizeof *m->own);
        for (int i = 0; i < m->n; i++)
            for (int k = m->first[i]; k < m->first[i + 1]; k++)
                m->own[k] = i;
        for (size_t k = m->npair; k < m->npair + 8; k++)
            m->own[k] = 0;
    }
    /* the pair buffer of the SIMD kernel: blocks of about 256 pairs (their
     * rows, 8 KB, stay in the L1 cache between the two passes: 8 % faster
     * than 1024), and
     * at least the longest list */
    size_t B = 256;
    for (int i = 0; i < m->n; i++)
        if ((size_t)(m->first[i + 1] - m->first[i]) > B)
            B = (size_t)(m->first[i + 1] - m->first[i]);
    if (B > m->pbuf_cap) {
        free(m->pbuf);
        m->pbuf = tk_xmalloc(4 * (B + 8) * sizeof *m->pbuf);
        m->pbuf_cap = B;
    }
    m->valid = 1;
    m->nbuild++;
}

static void build(tk_ipl *m, double *x)
{
    int n = m->n;
    double L = m->L, rl = m->rcmax + m->skin;
    /* wrapped positions: every pair's image shift is fixed until the next
     * build, so the force loop needs no minimum-image arithmetic */
    tk_wrap(n, L, m->origin, x);
    memcpy(m->x0, x, 3 * (size_t)n * sizeof *x);
    m->npair = 0;
    m->rl2max = rl * rl;
    m->nb = 0;
    /* cells of at least half the list range, a 5x5x5 half stencil: about
     * 2.5 times fewer candidates than 3x3x3 cells of the full range */
    int reach = 2, nc = (int)floor(L / (0.5 * rl));
    if (nc < 5) {
        reach = 1;
        nc = (int)floor(L / rl);
    }
    /* a dilute box needs no more cells than particles (larger cells stay
     * correct, they only hold more candidates) */
    int ncmax = (int)cbrt(2.0 * n) + 1;
    if (nc > ncmax)
        nc = ncmax > 5 ? ncmax : 5;
    if (nc < 3) {
        for (int i = 0; i < n; i++) {
            reserve(m, (size_t)n + 8);
            size_t start = m->npair;
            for (int j = i + 1; j < n; j++)
                candidate(m, x, i, j);
            flush_particle(m, i, start);
        }
        finish_list(m);
        return;
    }
    int ncell = nc * nc * nc;
    if (nc != m->nc) {
        /* per cell: its own cell, then the forward half stencil, merged
         * into runs of consecutive cells (in memory order) of one image */
        m->nc = nc;
        int nsten = reach == 2 ? 62 : 13;
        m->cstart = tk_xrealloc(m->cstart, ((size_t)ncell + 1) * sizeof *m->cstart);
        m->head = tk_xrealloc(m->head, (size_t)ncell * sizeof *m->head);
        size_t cap = (size_t)ncell * (nsten + 1);
        m->seg_first = tk_xrealloc(m->seg_first, ((size_t)ncell + 1) * sizeof *m->seg_first);
        m->seg_c0 = tk_xrealloc(m->seg_c0, cap * sizeof *m->seg_c0);
        m->seg_c1 = tk_xrealloc(m->seg_c1, cap * sizeof *m->seg_c1);
        m->seg_img = tk_xrealloc(m->seg_img, cap);
        int ns = 0;
        for (int c = 0; c < ncell; c++) {
            int cx = c / (nc * nc), cy = (c / nc) % nc, cz = c % nc;
            m->seg_first[c] = ns;
            /* the own cell: image 13 */
            m->seg_c0[ns] = m->seg_c1[ns] = c;
            m->seg_img[ns++] = 13;
            for (int ax = 0; ax <= reach; ax++)
                for (int ay = ax ? -reach : 0; ay <= reach; ay++)
                    for (int az = (ax || ay) ? -reach : 1; az <= reach; az++) {
                        int a[3] = {cx + ax, cy + ay, cz + az}, sh[3];
                        for (int d = 0; d < 3; d++) {
                            /* a neighbour cell across the upper face holds
                             * particles whose near image is one box up */
                            sh[d] = a[d] >= nc ? -1 : a[d] < 0 ? 1 : 0;
                            a[d] = (a[d] + nc) % nc;
                        }
                        int cc = (a[0] * nc + a[1]) * nc + a[2];
                        int code = (sh[0] + 1) * 9 + (sh[1] + 1) * 3 + (sh[2] + 1);
                        if (cc == m->seg_c1[ns - 1] + 1 && code == m->seg_img[ns - 1]) {
                            m->seg_c1[ns - 1] = cc;
                        } else {
                            m->seg_c0[ns] = m->seg_c1[ns] = cc;
                            m->seg_img[ns++] = (unsigned char)code;
                        }
                    }
        }
        m->seg_first[ncell] = ns;
    }
    /* counting sort into cell order, coordinates and diameters copied
     * contiguously (one array each) */
    int *cs = m->cstart;
    size_t np = (size_t)n + 8;
    double *sx = m->xs, *sy = sx + np, *sz = sy + np, *ss = sz + np;
    memset(cs, 0, ((size_t)ncell + 1) * sizeof *cs);
    for (int i = 0; i < n; i++) {
        int ci[3];
        for (int d = 0; d < 3; d++) {
            int k = (int)((x[3 * i + d] - m->origin[d]) / L * nc);
            ci[d] = k < 0 ? 0 : k >= nc ? nc - 1 : k;
        }
        m->cell[i] = (ci[0] * nc + ci[1]) * nc + ci[2];
        cs[m->cell[i] + 1]++;
    }
    for (int c = 0; c < ncell; c++)
        cs[c + 1] += cs[c];
    for (int c = 0; c < ncell; c++)
        m->head[c] = cs[c]; /* fill pointers */
    for (int i = 0; i < n; i++) { /* stable: a cell lists ascending indices */
        int q = m->head[m->cell[i]]++;
        m->order[q] = i;
        m->pos[i] = q;
        sx[q] = x[3 * i];
        sy[q] = x[3 * i + 1];
        sz[q] = x[3 * i + 2];
        ss[q] = m->sigma[i];
    }
    sorted_set set = {sx, sy, sz, ss, m->order, m->skin};
    int simd = m->simd;
    for (int i = 0; i < n; i++) {
        reserve(m, (size_t)n + 8);
        size_t start = m->npair;
        int c = m->cell[i];
        const double *xi = x + 3 * i;
        double si = m->sigma[i];
        /* the own cell from just after i (j > i in cell order), then the
         * stencil: the order of the per-cell loops of a plain build */
        for (int g = m->seg_first[c]; g < m->seg_first[c + 1]; g++) {
            int qa = g == m->seg_first[c] ? m->pos[i] + 1 : cs[m->seg_c0[g]];
            int qb = cs[m->seg_c1[g] + 1];
            if (qa >= qb)
                continue;
            int code = m->seg_img[g];
            if (code == 13) {
                m->npair += (size_t)filter(simd, &set, qa, qb, xi, si, m->shift[13],
                                           m->nbr + m->npair, m->inv_s2 + m->npair);
            } else {
                int k = filter(simd, &set, qa, qb, xi, si, m->shift[code], m->bbuf + m->nb,
                               m->bbuf_s2 + m->nb);
                for (int q = 0; q < k; q++)
                    m->bbuf_img[m->nb + q] = (unsigned char)code;
                m->nb += k;
            }
        }
        memset(m->img + start, 13, m->npair - start);
        flush_particle(m, i, start);
    }
    finish_list(m);
}

/* The outer list: a cell build with the outer skin, kept as candidates. */
static void build_outer(tk_ipl *m, double *x)
{
    double skin = m->skin;
    m->skin = m->skin_outer;
    build(m, x);
    m->skin = skin;
    m->nbuild--; /* counted as an outer build */
    m->nouter++;
    int n = m->n;
    if (m->npair > m->ocap) {
        m->ocap = m->npair + m->npair / 4;
        free(m->onbr);
        m->onbr = tk_xmalloc(m->ocap * sizeof *m->onbr);
    }
    memcpy(m->ofirst, m->first, ((size_t)n + 1) * sizeof *m->first);
    if (m->npair) /* no pair at all (a dilute gas): onbr may be NULL */
        memcpy(m->onbr, m->nbr, m->npair * sizeof *m->nbr);
    memcpy(m->ox0, x, 3 * (size_t)n * sizeof *x); /* wrapped by build() */
    m->ovalid = 1;
}

#if TK_SIMD_X86
/* candidate() for the outer candidates on[ka .. kb) of particle i, eight
 * at a time: the same arithmetic, so the same list.  Interior pairs go to
 * the list, pairs through an image to the build buffer. */
TK_AVX512 static void outer_candidates_avx512(tk_ipl *m, const double *x, int i, const int *on,
                                              int ka, int kb)
{
    const __m512d X = _mm512_set1_pd(x[3 * i]), Y = _mm512_set1_pd(x[3 * i + 1]),
                  Z = _mm512_set1_pd(x[3 * i + 2]);
    const __m512d SI = _mm512_set1_pd(m->sigma[i]), SKIN = _mm512_set1_pd(m->skin);
    const __m512d ONE = _mm512_set1_pd(1.0);
    const __m512d HL = _mm512_set1_pd(0.5 * m->L), NHL = _mm512_set1_pd(-0.5 * m->L);
    const __m512d LP = _mm512_set1_pd(m->L), LM = _mm512_set1_pd(-m->L), Z0 = _mm512_setzero_pd();
    const __m256i C13 = _mm256_set1_epi32(13);
    for (int k = ka; k < kb; k += 8) {
        int rem = kb - k;
        __mmask8 lm = rem >= 8 ? (__mmask8)0xff : (__mmask8)((1u << rem) - 1);
        __m256i jv = _mm256_maskz_loadu_epi32(lm, on + k);
        __m256i j3 = _mm256_add_epi32(jv, _mm256_add_epi32(jv, jv));
        __m512d d[3];
        __m256i code = _mm256_setzero_si256();
        const __m512d C[3] = {X, Y, Z};
        static const int w[3] = {9, 3, 1};
        for (int a = 0; a < 3; a++) {
            __m512d dd = _mm512_sub_pd(C[a], _mm512_mask_i32gather_pd(C[a], lm, j3, x + a, 8));
            /* dd > L/2: the image one box up (shift -L, sh = -1); dd < -L/2:
             * one box down (+L, sh = +1); code = sum (sh + 1) w */
            __mmask8 up = _mm512_cmp_pd_mask(dd, HL, _CMP_GT_OQ);
            __mmask8 dn = _mm512_cmp_pd_mask(dd, NHL, _CMP_LT_OQ) & (__mmask8)~up;
            __m512d sh = _mm512_mask_mov_pd(_mm512_mask_mov_pd(Z0, up, LM), dn, LP);
            d[a] = _mm512_add_pd(dd, sh);
            __m256i c = _mm256_set1_epi32(w[a]);
            c = _mm256_mask_mov_epi32(c, up, _mm256_setzero_si256());
            c = _mm256_mask_mov_epi32(c, dn, _mm256_set1_epi32(2 * w[a]));
            code = _mm256_add_epi32(code, c);
        }
        __m512d r2 = _mm512_add_pd(_mm512_add_pd(_mm512_mul_pd(d[0], d[0]), _mm512_mul_pd(d[1], d[1])),
                                   _mm512_mul_pd(d[2], d[2]));
        __m512d sij;
        __mmask8 keep = listed_avx512(lm, r2, SI, _mm512_mask_i32gather_pd(ONE, lm, jv, m->sigma, 8),
                                      SKIN, &sij);
        __mmask8 in = keep & _mm256_cmpeq_epi32_mask(code, C13), out = keep & (__mmask8)~in;
        _mm256_storeu_si256((__m256i *)(m->nbr + m->npair), _mm256_maskz_compress_epi32(in, jv));
        _mm512_storeu_pd(m->inv_s2 + m->npair, _mm512_maskz_compress_pd(in, sij));
        m->npair += (size_t)__builtin_popcount(in);
        if (out) {
            _mm256_storeu_si256((__m256i *)(m->bbuf + m->nb), _mm256_maskz_compress_epi32(out, jv));
            _mm512_storeu_pd(m->bbuf_s2 + m->nb, _mm512_maskz_compress_pd(out, sij));
            _mm_storel_epi64((__m128i *)(m->bbuf_img + m->nb),
                             _mm256_cvtepi32_epi8(_mm256_maskz_compress_epi32(out, code)));
            m->nb += __builtin_popcount(out);
        }
    }
}
#endif

/* The list from the outer candidates: the same pairs as a cell build (all
 * within 1.25 sigma_ij + skin), in the outer list's order. */
static void build_from_outer(tk_ipl *m, double *x)
{
    int n = m->n;
    tk_wrap(n, m->L, m->origin, x);
    memcpy(m->x0, x, 3 * (size_t)n * sizeof *x);
    m->npair = 0;
    m->nb = 0;
    const int *of = m->ofirst, *on = m->onbr;
    for (int i = 0; i < n; i++) {
        reserve(m, (size_t)(of[i + 1] - of[i]) + 8);
        size_t start = m->npair;
#if TK_SIMD_X86
        if (m->simd >= TK_SIMD_AVX512)
            outer_candidates_avx512(m, x, i, on, of[i], of[i + 1]);
        else
#endif
            for (int k = of[i]; k < of[i + 1]; k++)
                candidate(m, x, i, on[k]);
        memset(m->img + start, 13, m->npair - start);
        flush_particle(m, i, start);
    }
    finish_list(m);
}

/* Is the outer list still a superset?  Largest displacement since its
 * build, under minimum image (list builds wrap positions in place). */
static int outer_valid(const tk_ipl *m, const double *x)
{
    if (!m->ovalid)
        return 0;
    double L = m->L, half = 0.5 * L, worst = 0;
    const double *x0 = m->ox0;
    for (int i = 0; i < 3 * m->n; i += 3) {
        double d2 = 0;
        for (int d = 0; d < 3; d++) {
            double dd = fabs(x[i + d] - x0[i + d]);
            dd = dd > half ? L - dd : dd;
            d2 += dd * dd;
        }
        worst = d2 > worst ? d2 : worst;
    }
    double lim = 0.5 * (m->skin_outer - m->skin);
    return worst <= lim * lim;
}

static void ensure_list(tk_ipl *m, double *x)
{
    if (m->valid) {
        /* plain differences: a particle wrapped by someone else shows up as
         * a jump of L and simply triggers a rebuild; no early exit, so the
         * loop vectorises (the list is usually still valid) */
        double worst = 0;
        const double *x0 = m->x0;
        for (int i = 0; i < 3 * m->n; i += 3) {
            double dx = x[i] - x0[i], dy = x[i + 1] - x0[i + 1], dz = x[i + 2] - x0[i + 2];
            double d2 = dx * dx + dy * dy + dz * dz;
            worst = d2 > worst ? d2 : worst;
        }
        if (worst <= 0.25 * m->skin * m->skin)
            return;
    }
    if (m->skin_outer > 0) {
        if (!outer_valid(m, x))
            build_outer(m, x);
        build_from_outer(m, x);
        return;
    }
    build(m, x);
}

/* The force loop, specialised by the compiler for want_e = 0 and 1. */
static inline double kernel(tk_ipl *m, const double *x, double *f, double *virial,
                            const int want_e)
{
    int n = m->n;
    double e = 0, w = 0;
    memset(f, 0, 3 * (size_t)n * sizeof *f);
    const int *nbr = m->nbr;
    const double *is2 = m->inv_s2;
    const unsigned char *img = m->img;
    for (int i = 0; i < n; i++) {
        double xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2];
        double fxi = 0, fyi = 0, fzi = 0;
        int end = m->first[i + 1], mid = m->mid[i];
        for (int k = m->first[i]; k < end; k++) {
            int j = nbr[k];
            double dx = xi - x[3 * j], dy = yi - x[3 * j + 1], dz = zi - x[3 * j + 2];
            if (k >= mid) { /* boundary pairs come last */
                const double *s = m->shift[img[k]];
                dx += s[0];
                dy += s[1];
                dz += s[2];
            }
            double r2 = dx * dx + dy * dy + dz * dz;
            double x2 = r2 * is2[k];
            if (x2 < TK_XC2) {
                double i2 = 1.0 / x2, i6 = i2 * i2 * i2, i12 = i6 * i6;
                double fr = (12.0 * i12 * i2 - 2.0 * TK_C2 - 4.0 * TK_C4 * x2) * is2[k];
                if (want_e) {
                    e += i12 + TK_C0 + x2 * (TK_C2 + TK_C4 * x2);
                    w += fr * r2;
                }
                fxi += fr * dx;
                fyi += fr * dy;
                fzi += fr * dz;
                f[3 * j] -= fr * dx;
                f[3 * j + 1] -= fr * dy;
                f[3 * j + 2] -= fr * dz;
            }
        }
        f[3 * i] += fxi;
        f[3 * i + 1] += fyi;
        f[3 * i + 2] += fzi;
    }
    if (virial)
        *virial = w;
    return e;
}

#if TK_SIMD_X86
/* kernel() with the pair terms computed eight pairs at a time.  In blocks
 * of particles: first the products fr * (dx, dy, dz) of every pair of the
 * block, eight consecutive pairs at a time across particles (the same
 * operations per pair as kernel(); gathers of the i and j positions, the
 * image shift added to the pairs across the box, zero for the pairs beyond
 * the cutoff), with no dependency between chunks, so that the long
 * division and power chains overlap, stored as rows (x, y, z, v) (v the
 * pair energy when want_e, else 0); then the sums in list order, one pair
 * at a time as kernel() does them, on rows (x, y, z, -) of forces (f4,
 * copied to f at the end).  Adding or subtracting the exact zeros of the
 * pairs beyond the cutoff changes no sum: forces and energy are
 * bit-identical to kernel()'s. */
TK_AVX512 static inline __attribute__((always_inline)) double
kernel_avx512_impl(tk_ipl *m, const double *x, double *f, const int want_e)
{
    int n = m->n;
    double e = 0;
    double *f4 = m->f4;
    memset(f4, 0, 4 * (size_t)n * sizeof *f4);
    const int *nbr = m->nbr, *first = m->first;
    const double *is2 = m->inv_s2, *sh = &m->shift[0][0];
    const unsigned char *img = m->img;
    const __m512d XC2 = _mm512_set1_pd(TK_XC2), ONE = _mm512_set1_pd(1.0);
    const __m512d C12 = _mm512_set1_pd(12.0), C2 = _mm512_set1_pd(2.0 * TK_C2);
    const __m512d C4 = _mm512_set1_pd(4.0 * TK_C4), Z0 = _mm512_setzero_pd();
    const __m512d E0 = _mm512_set1_pd(TK_C0), E2 = _mm512_set1_pd(TK_C2),
                  E4 = _mm512_set1_pd(TK_C4);
    const __m512i IA = _mm512_set_epi64(11, 10, 3, 2, 9, 8, 1, 0);
    const __m512i IB = _mm512_set_epi64(15, 14, 7, 6, 13, 12, 5, 4);
    size_t B = m->pbuf_cap; /* rows; the buffer has 8 more */
    double *buf = m->pbuf;
    for (int i0 = 0; i0 < n;) {
        int base = first[i0], i1 = i0 + 1;
        while (i1 < n && (size_t)(first[i1 + 1] - base) <= B)
            i1++;
        {
            /* the pairs of the block in chunks of eight, across particles
             * (own[k] is the i of pair k): full vectors and no loop per
             * particle, 12 % faster than a chunk per particle */
            const int *own = m->own;
            int kend = first[i1];
            for (int k0 = base; k0 < kend; k0 += 8) {
                int cnt = kend - k0 < 8 ? kend - k0 : 8;
                __mmask8 lm = (__mmask8)((1u << cnt) - 1);
                __m256i jv = _mm256_maskz_loadu_epi32(lm, nbr + k0);
                __m256i j3 = _mm256_add_epi32(jv, _mm256_add_epi32(jv, jv));
                __m256i iv = _mm256_maskz_loadu_epi32(lm, own + k0);
                __m256i i3 = _mm256_add_epi32(iv, _mm256_add_epi32(iv, iv));
                __m512d dx = _mm512_sub_pd(_mm512_mask_i32gather_pd(Z0, lm, i3, x, 8), _mm512_mask_i32gather_pd(Z0, lm, j3, x, 8));
                __m512d dy = _mm512_sub_pd(_mm512_mask_i32gather_pd(Z0, lm, i3, x + 1, 8), _mm512_mask_i32gather_pd(Z0, lm, j3, x + 1, 8));
                __m512d dz = _mm512_sub_pd(_mm512_mask_i32gather_pd(Z0, lm, i3, x + 2, 8), _mm512_mask_i32gather_pd(Z0, lm, j3, x + 2, 8));
                /* the image shift, added to the pairs across the box only
                 * (as kernel() does) */
                __m256i c = _mm256_cvtepu8_epi32(_mm_maskz_loadu_epi8(lm, img + k0));
                __mmask8 bm = lm & _mm256_cmpneq_epi32_mask(c, _mm256_set1_epi32(13));
                if (bm) {
                    __m256i c3 = _mm256_add_epi32(c, _mm256_add_epi32(c, c));
                    dx = _mm512_mask_add_pd(dx, bm, dx, _mm512_mask_i32gather_pd(Z0, bm, c3, sh, 8));
                    dy = _mm512_mask_add_pd(dy, bm, dy, _mm512_mask_i32gather_pd(Z0, bm, c3, sh + 1, 8));
                    dz = _mm512_mask_add_pd(dz, bm, dz, _mm512_mask_i32gather_pd(Z0, bm, c3, sh + 2, 8));
                }
                __m512d r2 = _mm512_add_pd(
                    _mm512_add_pd(_mm512_mul_pd(dx, dx), _mm512_mul_pd(dy, dy)),
                    _mm512_mul_pd(dz, dz));
                __m512d s2 = _mm512_maskz_loadu_pd(lm, is2 + k0);
                __m512d x2 = _mm512_mul_pd(r2, s2);
                __mmask8 in = _mm512_mask_cmp_pd_mask(lm, x2, XC2, _CMP_LT_OQ);
                __m512d i2 = _mm512_maskz_div_pd(in, ONE, x2);
                __m512d i6 = _mm512_mul_pd(_mm512_mul_pd(i2, i2), i2),
                        i12 = _mm512_mul_pd(i6, i6);
                __m512d fr = _mm512_mul_pd(
                    _mm512_sub_pd(_mm512_sub_pd(_mm512_mul_pd(_mm512_mul_pd(C12, i12), i2), C2),
                                  _mm512_mul_pd(C4, x2)),
                    s2);
                __m512d px = _mm512_maskz_mul_pd(in, fr, dx), py = _mm512_maskz_mul_pd(in, fr, dy),
                        pz = _mm512_maskz_mul_pd(in, fr, dz);
                /* the pair energy, kernel()'s operations, in the fourth
                 * element of the rows (zero beyond the cutoff) */
                __m512d pv = Z0;
                if (want_e)
                    pv = _mm512_maskz_add_pd(
                        in, _mm512_add_pd(i12, E0),
                        _mm512_mul_pd(x2, _mm512_add_pd(E2, _mm512_mul_pd(E4, x2))));
                /* 8 rows (px, py, pz, 0) in pair order; rows past the
                 * chunk's end are zeros, overwritten by the next particle */
                __m512d t0 = _mm512_unpacklo_pd(px, py), t1 = _mm512_unpackhi_pd(px, py);
                __m512d t2 = _mm512_unpacklo_pd(pz, pv), t3 = _mm512_unpackhi_pd(pz, pv);
                __m512d r02 = _mm512_permutex2var_pd(t0, IA, t2), r46 = _mm512_permutex2var_pd(t0, IB, t2);
                __m512d r13 = _mm512_permutex2var_pd(t1, IA, t3), r57 = _mm512_permutex2var_pd(t1, IB, t3);
                double *o = buf + 4 * (size_t)(k0 - base);
                _mm512_storeu_pd(o, _mm512_shuffle_f64x2(r02, r13, 0x44));
                _mm512_storeu_pd(o + 8, _mm512_shuffle_f64x2(r02, r13, 0xee));
                _mm512_storeu_pd(o + 16, _mm512_shuffle_f64x2(r46, r57, 0x44));
                _mm512_storeu_pd(o + 24, _mm512_shuffle_f64x2(r46, r57, 0xee));
            }
        }
        const double *rows = buf - 4 * (size_t)base;
        for (int i = i0; i < i1; i++) {
            __m256d fi = _mm256_setzero_pd();
            int end = first[i + 1];
            for (int k = first[i]; k < end; k++) {
                __m256d p = _mm256_loadu_pd(rows + 4 * (size_t)k);
                double *fj = f4 + 4 * (size_t)nbr[k];
                fi = _mm256_add_pd(fi, p);
                _mm256_store_pd(fj, _mm256_sub_pd(_mm256_load_pd(fj), p));
                if (want_e)
                    e += rows[4 * (size_t)k + 3]; /* kernel()'s order */
            }
            double *fr = f4 + 4 * (size_t)i;
            _mm256_store_pd(fr, _mm256_add_pd(_mm256_load_pd(fr), fi));
        }
        i0 = i1;
    }
    for (int i = 0; i < n; i++) {
        f[3 * i] = f4[4 * i];
        f[3 * i + 1] = f4[4 * i + 1];
        f[3 * i + 2] = f4[4 * i + 2];
    }
    return e;
}

TK_AVX512 static void kernel_avx512(tk_ipl *m, const double *x, double *f)
{
    kernel_avx512_impl(m, x, f, 0);
}

/* forces and the energy (no virial): bit-identical to kernel(want_e = 1) */
TK_AVX512 static double kernel_e_avx512(tk_ipl *m, const double *x, double *f)
{
    return kernel_avx512_impl(m, x, f, 1);
}
#endif

double tk_ipl_forces(tk_ipl *m, double *x, double *f, double *virial)
{
    ensure_list(m, x);
    m->nforce++;
#if TK_SIMD_X86
    if (!virial && m->simd >= TK_SIMD_AVX512)
        return kernel_e_avx512(m, x, f);
#endif
    return kernel(m, x, f, virial, 1);
}

void tk_ipl_forces_only(tk_ipl *m, double *x, double *f)
{
    ensure_list(m, x);
    m->nforce++;
#if TK_SIMD_X86
    if (m->simd >= TK_SIMD_AVX512) {
        kernel_avx512(m, x, f);
        return;
    }
#endif
    kernel(m, x, f, NULL, 0);
}

double tk_ipl_energy(tk_ipl *m, double *x)
{
    ensure_list(m, x);
    int n = m->n;
    double e = 0;
    for (int i = 0; i < n; i++)
        for (int k = m->first[i]; k < m->first[i + 1]; k++) {
            int j = m->nbr[k];
            const double *s = m->shift[m->img[k]];
            double dx = x[3 * i] - x[3 * j] + s[0], dy = x[3 * i + 1] - x[3 * j + 1] + s[1],
                   dz = x[3 * i + 2] - x[3 * j + 2] + s[2];
            double v, fr;
            if (tk_pair(dx * dx + dy * dy + dz * dz, m->inv_s2[k], &v, &fr))
                e += v;
        }
    return e;
}

double tk_ipl_forces_direct(int n, double L, const double *x, const double *sigma, double *f,
                            double *virial)
{
    double e = 0, w = 0;
    if (f)
        memset(f, 0, 3 * (size_t)n * sizeof *f);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            double d[3];
            for (int k = 0; k < 3; k++)
                d[k] = tk_mic(x[3 * i + k] - x[3 * j + k], L);
            double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
            double s = tk_sigma_ij(sigma[i], sigma[j]);
            double v, fr;
            if (!tk_pair(r2, 1.0 / (s * s), &v, &fr))
                continue;
            e += v;
            w += fr * r2;
            if (f)
                for (int k = 0; k < 3; k++) {
                    f[3 * i + k] += fr * d[k];
                    f[3 * j + k] -= fr * d[k];
                }
        }
    if (virial)
        *virial = w;
    return e;
}

double tk_fmax(int n, const double *f)
{
    /* branch-free so that it vectorises; NaN is reported as NaN */
    double m = 0;
    int nan = 0;
    for (int i = 0; i < 3 * n; i++) {
        double a = fabs(f[i]);
        m = a > m ? a : m;
        nan |= a != a;
    }
    return nan ? NAN : m;
}

void tk_ipl_for_frame(tk_ipl *m, tk_frame *f, double skin, const char *where)
{
    if (tk_ipl_init(m, f->n, f->L, f->origin, f->sigma, skin) != 0)
        tk_die("%s: box edge %.6g is too small for %d particles: it must exceed twice the "
               "largest cutoff plus skin (2 x (%.6g + %.6g))",
               where, f->L, f->n, m->rcmax, skin);
}
