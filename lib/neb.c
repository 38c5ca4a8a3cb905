/* neb.c - climbing-image NEB relaxed by FIRE or L-BFGS. */
#include "neb.h"
#include "displace.h"
#include "err.h"
#include "lbfgs.h"
#include "simd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void tk_neb_defaults(tk_neb_opts *o)
{
    o->nimages = 9;
    o->k = 5.0;
    o->tol = 1e-6;
    o->ci_on = 1e-2;
    o->ci_after = 2000;
    o->maxiter = 20000;
    o->dt0 = 0.01;
    o->dtmax = 0.1;
    o->dmax = 0.02;
    o->method = TK_NEB_LBFGS;
    o->memory = 5;
}

int tk_neb_method_parse(const char *s)
{
    return strcmp(s, "fire") == 0 ? TK_NEB_FIRE : strcmp(s, "lbfgs") == 0 ? TK_NEB_LBFGS : -1;
}

void tk_neb_init(tk_neb *b, const tk_frame *f, const double *xa, const double *xb,
                 const tk_neb_opts *o)
{
    memset(b, 0, sizeof *b);
    int n = f->n, n3 = 3 * n, M = o->nimages + 2;
    b->n = n;
    b->M = M;
    b->L = f->L;
    b->ci = -1;
    b->R = tk_xmalloc((size_t)M * n3 * sizeof *b->R);
    b->F = tk_xcalloc((size_t)M * n3, sizeof *b->F);
    b->tau = tk_xcalloc((size_t)M * n3, sizeof *b->tau);
    b->D = tk_xcalloc((size_t)(M - 1) * n3, sizeof *b->D);
    b->E = tk_xcalloc((size_t)M, sizeof *b->E);
    b->ftan = tk_xcalloc((size_t)M, sizeof *b->ftan);
    b->s = tk_xcalloc((size_t)M, sizeof *b->s);
    b->model = tk_xmalloc((size_t)M * sizeof *b->model);
    double *ra = b->R, *rb = b->R + (size_t)(M - 1) * n3;
    memcpy(ra, xa, (size_t)n3 * sizeof *xa);
    /* b aligned to a: the drift-free near image, so that the band is the
     * straight line of the rearrangement, not of a rigid translation */
    tk_disp ds;
    tk_align(n, f->L, xa, xb, rb, &ds);
    memcpy(b->drift, ds.drift, sizeof b->drift);
    for (int i = 1; i < M - 1; i++) {
        double t = (double)i / (M - 1);
        for (int c = 0; c < n3; c++)
            b->R[(size_t)i * n3 + c] = (1 - t) * ra[c] + t * rb[c];
    }
    for (int i = 0; i < M; i++)
        tk_ipl_for_frame(&b->model[i], (tk_frame *)f, TK_SKIN_MINIMIZE, "neb image");
}

void tk_neb_free(tk_neb *b)
{
    for (int i = 0; i < b->M; i++)
        tk_ipl_free(&b->model[i]);
    free(b->model);
    free(b->R);
    free(b->F);
    free(b->tau);
    free(b->D);
    free(b->E);
    free(b->ftan);
    free(b->s);
    memset(b, 0, sizeof *b);
}

/* The vector work of an iteration (tangents, NEB forces, the L-BFGS
 * direction: passes over the whole band, as much as the forces cost) is in
 * 8-lane passes (lbfgs.h), inlined into a plain, an AVX2 and an AVX-512
 * copy of relax() chosen at run time; the results are the same bit for bit
 * with every width.  A vector of 3n coordinates is taken in blocks of 24
 * elements (three 8-lane vectors, eight particles), so that the x, y and z
 * of the per-particle means fall in fixed lanes. */

static double dot(const double *a, const double *c, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * c[i];
    return s;
}

static void evaluate(tk_neb *b, int i)
{
    int n3 = 3 * b->n;
    b->E[i] = tk_ipl_forces(&b->model[i], b->R + (size_t)i * n3, b->F + (size_t)i * n3, NULL);
    b->nforce++;
}

/* the means of the x, y and z components of the 3n-vector whose 24-element
 * block sums are a0, a1, a2 (tail: the elements from t on) */
TK_INLINE void block_means(v8 a0, v8 a1, v8 a2, const double *v, int t, int n3, double m[3])
{
    m[0] = m[1] = m[2] = 0;
    for (int l = 0; l < 8; l++) {
        m[l % 3] += a0[l];
        m[(8 + l) % 3] += a1[l];
        m[(16 + l) % 3] += a2[l];
    }
    for (; t < n3; t++)
        m[t % 3] += v[t];
    for (int k = 0; k < 3; k++)
        m[k] /= n3 / 3;
}

/* the means m as the three lane patterns of a 24-element block */
TK_INLINE void mean_lanes(const double m[3], v8 *p0, v8 *p1, v8 *p2)
{
    for (int l = 0; l < 8; l++) {
        (*p0)[l] = m[l % 3];
        (*p1)[l] = m[(8 + l) % 3];
        (*p2)[l] = m[(16 + l) % 3];
    }
}

/* d = the minimum image of r1 - r0; returns d . d.  Images are wrapped into
 * the box, so a difference is within 1.5 L and one box length is the
 * whole correction: d - L k, k = (d > L/2) - (d < -L/2), branch-free (the
 * general form, d - L floor(d/L + 1/2), is taken when some |d| is not). */
TK_INLINE double mic_pass(double *d, const double *r1, const double *r0, double L, int n)
{
    double h = 0.5 * L;
    v8 hv = {h, h, h, h, h, h, h, h}, Lv = {L, L, L, L, L, L, L, L}, s = {0}, bad = {0};
    int t = 0;
    for (; t + 8 <= n; t += 8) {
        v8 v = ld(r1 + t) - ld(r0 + t);
        v8 k = __builtin_convertvector((v < -hv) - (v > hv), v8);
        v = v - Lv * k;
        bad = vmax(vabs(v), bad);
        st(d + t, v);
        s += v * v;
    }
    double s0 = s[0], worst = 0;
    for (int l = 0; l < 8; l++)
        worst = bad[l] > worst ? bad[l] : worst;
    for (; t < n; t++) {
        double v = r1[t] - r0[t];
        v = v - L * (double)((v > h) - (v < -h)); /* scalar comparisons are 1, not -1 */
        worst = fabs(v) > worst ? fabs(v) : worst;
        d[t] = v;
        s0 += v * v;
    }
    s[0] = s0;
    if (worst <= h)
        return hsum(s);
    double q = 0;
    for (t = 0; t < n; t++) {
        d[t] = tk_mic(r1[t] - r0[t], L);
        q += d[t] * d[t];
    }
    return q;
}

/* v = a u + c w less its mean over particles (of x, y and z): the sums in
 * the first pass, the mean removed in a second that also takes v . v
 * (returned) and max |v| (into *vbig, when not NULL). */
TK_INLINE double combine_center(double *v, double a, const double *u, double c, const double *w,
                                int n3, double *vbig)
{
    v8 av = {a, a, a, a, a, a, a, a}, cv = {c, c, c, c, c, c, c, c};
    v8 a0 = {0}, a1 = {0}, a2 = {0};
    int t = 0;
    for (; t + 24 <= n3; t += 24) {
        v8 x0 = av * ld(u + t) + cv * ld(w + t);
        v8 x1 = av * ld(u + t + 8) + cv * ld(w + t + 8);
        v8 x2 = av * ld(u + t + 16) + cv * ld(w + t + 16);
        st(v + t, x0);
        st(v + t + 8, x1);
        st(v + t + 16, x2);
        a0 += x0;
        a1 += x1;
        a2 += x2;
    }
    for (int e = t; e < n3; e++)
        v[e] = a * u[e] + c * w[e];
    double m[3];
    block_means(a0, a1, a2, v, t, n3, m);
    v8 p0, p1, p2;
    mean_lanes(m, &p0, &p1, &p2);
    v8 s0 = {0}, s1 = {0}, s2 = {0}, mx = {0};
    for (t = 0; t + 24 <= n3; t += 24) {
        v8 x0 = ld(v + t) - p0, x1 = ld(v + t + 8) - p1, x2 = ld(v + t + 16) - p2;
        st(v + t, x0);
        st(v + t + 8, x1);
        st(v + t + 16, x2);
        s0 += x0 * x0;
        s1 += x1 * x1;
        s2 += x2 * x2;
        mx = vmax(vabs(x0), vmax(vabs(x1), vmax(vabs(x2), mx)));
    }
    double q = 0, big = 0;
    for (int l = 0; l < 8; l++)
        big = mx[l] > big ? mx[l] : big;
    for (int e = t; e < n3; e++) {
        v[e] -= m[e % 3];
        q += v[e] * v[e];
        big = fabs(v[e]) > big ? fabs(v[e]) : big;
    }
    if (vbig)
        *vbig = big;
    return (hsum(s0) + hsum(s1)) + (hsum(s2) + q);
}

/* v *= c; returns v . F */
TK_INLINE double scale_dot(double *v, double c, const double *F, int n)
{
    v8 cv = {c, c, c, c, c, c, c, c}, s = {0};
    int t = 0;
    for (; t + 8 <= n; t += 8) {
        v8 x = ld(v + t) * cv;
        st(v + t, x);
        s += x * ld(F + t);
    }
    double s0 = s[0];
    for (; t < n; t++) {
        v[t] *= c;
        s0 += v[t] * F[t];
    }
    s[0] = s0;
    return hsum(s);
}

/* Improved tangents, path lengths, and F . tau of every image.  Images may
 * be wrapped into the box independently (the force code does so), so every
 * difference along the band is taken under minimum image.  The
 * minimum-image differences of consecutive images are taken once (b->D)
 * and serve both the path length and the tangents. */
TK_INLINE void tangents(tk_neb *b)
{
    int n3 = 3 * b->n, M = b->M;
    b->s[0] = 0;
    for (int i = 0; i + 1 < M; i++) {
        const double *r = b->R + (size_t)i * n3;
        double dd = mic_pass(b->D + (size_t)i * n3, r + n3, r, b->L, n3);
        b->s[i + 1] = b->s[i] + sqrt(dd);
    }
    for (int i = 0; i < M; i++) {
        double *t = b->tau + (size_t)i * n3;
        const double *dp, *dm;
        double wp, wm;
        if (i == 0 || i == M - 1) {
            /* the ends: the direction of the band there */
            dp = dm = b->D + (size_t)(i == 0 ? 0 : M - 2) * n3;
            wp = 1;
            wm = 0;
        } else {
            dp = b->D + (size_t)i * n3;
            dm = dp - n3;
            double ep = b->E[i + 1], e = b->E[i], em = b->E[i - 1];
            if (ep > e && e > em) {
                wp = 1;
                wm = 0;
            } else if (ep < e && e < em) {
                wp = 0;
                wm = 1;
            } else {
                double dmax = fmax(fabs(ep - e), fabs(em - e)), dmin = fmin(fabs(ep - e), fabs(em - e));
                wp = ep > em ? dmax : dmin;
                wm = ep > em ? dmin : dmax;
                if (wp == 0 && wm == 0)
                    wp = wm = 1;
            }
        }
        /* no translation along the band: the images share the centroid
         * of the aligned ends */
        double norm = sqrt(combine_center(t, wp, dp, wm, dm, n3, NULL));
        b->ftan[i] = scale_dot(t, norm > 0 ? 1 / norm : 1, b->F + (size_t)i * n3, n3);
    }
}

/* NEB forces of the interior images into g (M x 3n; ends zero); returns the
 * largest component. */
TK_INLINE double neb_forces(tk_neb *b, const tk_neb_opts *o, double *g)
{
    int n3 = 3 * b->n, M = b->M;
    double worst = 0;
    memset(g, 0, (size_t)n3 * sizeof *g);
    memset(g + (size_t)(M - 1) * n3, 0, (size_t)n3 * sizeof *g);
    for (int i = 1; i < M - 1; i++) {
        const double *F = b->F + (size_t)i * n3, *t = b->tau + (size_t)i * n3;
        double *gi = g + (size_t)i * n3, ft = b->ftan[i];
        /* the climbing image: the force along the tangent inverted, no
         * springs; the others: the perpendicular force plus the springs */
        double c = i == b->ci ? -2 * ft
                              : o->k * ((b->s[i + 1] - b->s[i]) - (b->s[i] - b->s[i - 1])) - ft;
        /* the true forces sum to zero only to rounding: no net force, so
         * that no image's centre of mass moves */
        double big;
        combine_center(gi, 1, F, c, t, n3, &big);
        worst = big > worst ? big : worst;
    }
    return worst;
}

/* L-BFGS on the NEB forces of the interior images (the forces play the
 * part of minus a gradient; there is no objective, so no line search): the
 * two-loop direction (lbfgs.h), scaled so that no component exceeds dmax;
 * the memory is dropped when the direction goes against the force, when a
 * step shows negative curvature, and when the climbing image changes (the
 * force field changes).  The first step after a reset moves by the force
 * times 0.01 (about dt^2 of FIRE's largest step), capped in the same way. */
typedef struct {
    int n;             /* interior coordinates */
    int m, k, head;    /* memory, pairs stored, the newest at head - 1 */
    double *S, *Y, *rho, *alpha, *syv, *yyv, *d;
} lbfgs;

static lbfgs *lbfgs_new(int n, int m)
{
    lbfgs *l = tk_xcalloc(1, sizeof *l);
    l->n = n;
    l->m = m;
    l->S = tk_xmalloc((size_t)m * n * sizeof *l->S);
    l->Y = tk_xmalloc((size_t)m * n * sizeof *l->Y);
    l->rho = tk_xmalloc((size_t)m * sizeof *l->rho);
    l->alpha = tk_xmalloc((size_t)m * sizeof *l->alpha);
    l->syv = tk_xmalloc((size_t)m * sizeof *l->syv);
    l->yyv = tk_xmalloc((size_t)m * sizeof *l->yyv);
    l->d = tk_xmalloc((size_t)n * sizeof *l->d);
    return l;
}

static void lbfgs_free(lbfgs *l)
{
    if (!l)
        return;
    free(l->S);
    free(l->Y);
    free(l->rho);
    free(l->alpha);
    free(l->syv);
    free(l->yyv);
    free(l->d);
    free(l);
}

/* One step of the band from the NEB forces g (M x 3n, ends zero): moves the
 * interior images, evaluates them, and leaves the new NEB forces in g
 * (returns their largest component).  reset: forget the memory first. */
TK_INLINE double lbfgs_step(lbfgs *l, tk_neb *b, const tk_neb_opts *o, double *g, int reset)
{
    int n3 = 3 * b->n, M = b->M, n = l->n;
    double *gi = g + n3, *d = l->d; /* interior images */
    if (reset)
        l->k = 0;
    double dm, dg = tk_lbfgs_direction(d, gi, l->S, l->Y, l->rho, l->alpha, l->syv, l->yyv,
                                       l->k, l->head, l->m, n, &dm);
    if (dg <= 0) { /* uphill against the force: start again */
        l->k = 0;
        dm = 0;
        for (int c = 0; c < n; c++) {
            d[c] = 0.01 * gi[c];
            dm = fabs(d[c]) > dm ? fabs(d[c]) : dm;
        }
    }
    double scale = dm > o->dmax ? o->dmax / dm : 1;
    /* s = the step, y = the old forces (made the difference below) */
    double *s = l->S + (size_t)l->head * n, *y = l->Y + (size_t)l->head * n;
    pass_step(b->R + n3, s, y, d, gi, scale, n);
    for (int i = 1; i < M - 1; i++)
        evaluate(b, i);
    tangents(b);
    double fm = neb_forces(b, o, g);
    double sy, yy;
    pass_sy(y, s, gi, &sy, &yy, n); /* y = g_old - g: the gradient difference */
    if (!(sy > 0)) { /* negative curvature along the step: forget */
        l->k = 0;
        return fm;
    }
    l->rho[l->head] = 1 / sy;
    l->syv[l->head] = sy;
    l->yyv[l->head] = yy;
    l->head = (l->head + 1) % l->m;
    if (l->k < l->m)
        l->k++;
    return fm;
}

TK_INLINE int relax_impl(tk_neb *b, const tk_neb_opts *o, int method)
{
    int n3 = 3 * b->n, M = b->M;
    size_t all = (size_t)M * n3;
    double *v = tk_xcalloc(all, sizeof *v), *g = tk_xmalloc(all * sizeof *g);
    for (int i = 0; i < M; i++)
        evaluate(b, i);
    tangents(b);
    double fm = neb_forces(b, o, g);
    double dt = o->dt0, alpha = 0.1;
    long npos = 0;
    b->converged = 0;
    b->diverged = 0;
    /* a band whose length runs away is not going to converge */
    double dlimit = fmax(10 * b->s[M - 1], b->s[M - 1] + 5);
    lbfgs *lb = method == TK_NEB_LBFGS ? lbfgs_new((M - 2) * n3, o->memory > 0 ? o->memory : 1)
                                       : NULL;
    int ci_seen = b->ci;
    for (b->iter = 0; b->iter < o->maxiter; b->iter++) {
        if (b->ci < 0 && (fm < o->ci_on || b->iter >= o->ci_after)) {
            int top = 1;
            for (int i = 2; i < M - 1; i++)
                if (b->E[i] > b->E[top])
                    top = i;
            b->ci = top;
            fm = neb_forces(b, o, g);
        } else if (b->ci >= 0) {
            /* the highest image climbs: follow it if another overtakes */
            int top = b->ci;
            for (int i = 1; i < M - 1; i++)
                if (b->E[i] > b->E[top])
                    top = i;
            if (top != b->ci) {
                b->ci = top;
                fm = neb_forces(b, o, g);
            }
        }
        if (b->ci >= 0 && fm <= o->tol) {
            b->converged = 1;
            break;
        }
        if (!isfinite(fm) || b->s[M - 1] > dlimit) {
            b->diverged = 1;
            break;
        }
        if (lb) {
            fm = lbfgs_step(lb, b, o, g, ci_seen != b->ci);
            ci_seen = b->ci;
            continue;
        }
        /* FIRE on the whole band */
        double p = dot(g, v, all);
        if (p > 0) {
            if (++npos > 5) {
                dt = fmin(dt * 1.1, o->dtmax);
                alpha *= 0.99;
            }
        } else {
            npos = 0;
            dt *= 0.5;
            alpha = 0.1;
            for (size_t c = 0; c < all; c++) {
                b->R[c] -= 0.5 * dt * v[c];
                v[c] = 0;
            }
        }
        double vv = 0, gg = 0;
        for (size_t c = 0; c < all; c++) {
            v[c] += dt * g[c];
            vv += v[c] * v[c];
            gg += g[c] * g[c];
        }
        double mix = gg > 0 ? alpha * sqrt(vv) / sqrt(gg) : 0, vmx = 0;
        for (size_t c = 0; c < all; c++) {
            v[c] = (1 - alpha) * v[c] + mix * g[c];
            double a = fabs(v[c]);
            vmx = a > vmx ? a : vmx;
        }
        double scale = vmx * dt > o->dmax ? o->dmax / (vmx * dt) : 1;
        for (size_t c = (size_t)n3; c < (size_t)(M - 1) * n3; c++) {
            v[c] *= scale;
            b->R[c] += dt * v[c];
        }
        for (int i = 1; i < M - 1; i++)
            evaluate(b, i);
        tangents(b);
        fm = neb_forces(b, o, g);
    }
    b->fmax = fm;
    lbfgs_free(lb);
    free(v);
    free(g);
    return b->converged;
}

static int relax_plain(tk_neb *b, const tk_neb_opts *o, int method)
{
    return relax_impl(b, o, method);
}

#if TK_SIMD_X86
__attribute__((target("avx2"))) static int relax_avx2(tk_neb *b, const tk_neb_opts *o, int method)
{
    return relax_impl(b, o, method);
}

__attribute__((target("avx512f,avx512vl,avx512dq"))) static int
relax_avx512(tk_neb *b, const tk_neb_opts *o, int method)
{
    return relax_impl(b, o, method);
}
#endif

static int relax(tk_neb *b, const tk_neb_opts *o, int method)
{
#if TK_SIMD_X86
    int level = b->model[0].simd; /* tk_simd_level(), read by the models */
    if (level >= TK_SIMD_AVX512)
        return relax_avx512(b, o, method);
    if (level >= TK_SIMD_AVX2)
        return relax_avx2(b, o, method);
#endif
    return relax_plain(b, o, method);
}

/* L-BFGS takes 2 to 3 times fewer steps than FIRE on the bands of these
 * glasses, but a few per cent of its bands run away where FIRE's converge:
 * those start again from the straight band with FIRE. */
int tk_neb_run(tk_neb *b, const tk_neb_opts *o)
{
    b->fallback = 0;
    if (o->method != TK_NEB_LBFGS)
        return relax(b, o, TK_NEB_FIRE);
    size_t all = (size_t)b->M * 3 * b->n;
    double *r0 = tk_xmalloc(all * sizeof *r0);
    memcpy(r0, b->R, all * sizeof *r0);
    relax(b, o, TK_NEB_LBFGS);
    if (b->diverged) {
        long it = b->iter;
        memcpy(b->R, r0, all * sizeof *r0);
        b->ci = -1;
        b->fallback = 1;
        relax(b, o, TK_NEB_FIRE);
        b->iter += it;
    }
    free(r0);
    return b->converged;
}

void tk_neb_profile(const tk_neb *b, int ns, double *xi, double *V)
{
    int M = b->M;
    double d = b->s[M - 1], e0 = b->E[0];
    int seg = 0;
    for (int q = 0; q < ns; q++) {
        double x = ns > 1 ? (double)q / (ns - 1) : 0, s = x * d;
        while (seg < M - 2 && s > b->s[seg + 1])
            seg++;
        double h = b->s[seg + 1] - b->s[seg], t = h > 0 ? (s - b->s[seg]) / h : 0;
        /* cubic Hermite with slopes dV/ds = -F . tau */
        double p0 = b->E[seg] - e0, p1 = b->E[seg + 1] - e0;
        double m0 = -b->ftan[seg] * h, m1 = -b->ftan[seg + 1] * h;
        double t2 = t * t, t3 = t2 * t;
        xi[q] = x;
        V[q] = (2 * t3 - 3 * t2 + 1) * p0 + (t3 - 2 * t2 + t) * m0 + (-2 * t3 + 3 * t2) * p1 +
               (t3 - t2) * m1;
    }
    xi[ns - 1] = 1;
}
