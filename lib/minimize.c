/* minimize.c - FIRE 2.0 and L-BFGS. */
#include "minimize.h"
#include "err.h"
#include "simd.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void tk_min_defaults(tk_min_opts *o)
{
    o->method = TK_MIN_FIRE_LBFGS;
    o->switch_tol = 1;
    o->memory = 5;
    o->ftol = 1e-10;
    o->maxforce = 1000000;
    o->dt0 = 0.01;
    o->dtmax = 0.1;
    o->dtmin = 1e-4;
    o->dmax = 0.1;
    o->ndelay = 5;
    o->finc = 1.1;
    o->fdec = 0.5;
    o->alpha0 = 0.25;
    o->falpha = 0.99;
    o->nnegmax = 2000;
    o->check_tol = 0;
    o->check = NULL;
    o->check_ctx = NULL;
}

/* The early-stop hook of tk_min_opts: when fmax first reaches check_tol,
 * then check_tol / 10, / 100, ... (*checked: the decades passed; a step
 * across several decades calls the hook once).  Returns 1 when the caller
 * asked to stop. */
static int early_stop(tk_ipl *m, double *x, const tk_min_opts *o, double fmax, int *checked)
{
    if (!o->check || !(fmax <= o->check_tol))
        return 0;
    int due = 0;
    double level = o->check_tol * pow(10, -*checked);
    while (*checked < 30 && fmax <= level) {
        due = 1;
        ++*checked;
        level *= 0.1;
    }
    return due && o->check(o->check_ctx, m, x) != 0;
}

int tk_min_method_parse(const char *s)
{
    if (strcmp(s, "fire") == 0)
        return TK_MIN_FIRE;
    if (strcmp(s, "lbfgs") == 0)
        return TK_MIN_LBFGS;
    if (strcmp(s, "fire+lbfgs") == 0)
        return TK_MIN_FIRE_LBFGS;
    return -1;
}

/* FIRE from x down to max |F| <= tol (or the budget); f holds the forces. */
static tk_min_result fire(tk_ipl *m, double *x, double *f, const tk_min_opts *o, double tol,
                          long budget, int *checked)
{
    int n3 = 3 * m->n;
    double *v = tk_xcalloc((size_t)n3, sizeof *v);
    tk_min_result res = {0, 0, 0, 0, 0};
    double dt = o->dt0, alpha = o->alpha0;
    long npos = 0, nneg = 0;

    /* FIRE needs no energies: forces only in the loop, the energy once at
     * the end */
    tk_ipl_forces_only(m, x, f);
    res.nforce = 1;
    res.fmax = tk_fmax(m->n, f);
    for (long step = 0; res.fmax > tol && res.nforce < budget; step++) {
        if (!isfinite(res.fmax))
            break;
        if (early_stop(m, x, o, res.fmax, checked)) {
            res.stopped = 1;
            break;
        }
        double p = 0;
        for (int i = 0; i < n3; i++)
            p += f[i] * v[i];
        if (p > 0) {
            npos++;
            nneg = 0;
            if (npos > o->ndelay) {
                dt = fmin(dt * o->finc, o->dtmax);
                alpha *= o->falpha;
            }
        } else {
            npos = 0;
            if (++nneg > o->nnegmax)
                break;
            /* no slowing down during the initial delay (FIRE 2.0) */
            if (step >= o->ndelay) {
                if (dt * o->fdec >= o->dtmin)
                    dt *= o->fdec;
                alpha = o->alpha0;
            }
            for (int i = 0; i < n3; i++) {
                x[i] -= 0.5 * dt * v[i];
                v[i] = 0;
            }
        }
        /* semi-implicit Euler, then the FIRE velocity mixing */
        double vv = 0, ff = 0;
        for (int i = 0; i < n3; i++) {
            v[i] += dt * f[i];
            vv += v[i] * v[i];
            ff += f[i] * f[i];
        }
        double mix = ff > 0 ? alpha * sqrt(vv) / sqrt(ff) : 0;
        double vmax = 0;
        for (int i = 0; i < n3; i++) {
            v[i] = (1 - alpha) * v[i] + mix * f[i];
            double a = fabs(v[i]);
            vmax = a > vmax ? a : vmax;
        }
        /* cap the largest step, and the velocity with it, so that the huge
         * forces of overlapping particles can neither throw them across the
         * box nor overflow the velocities */
        double scale = vmax * dt > o->dmax ? o->dmax / (vmax * dt) : 1;
        for (int i = 0; i < n3; i++) {
            v[i] *= scale;
            x[i] += dt * v[i];
        }
        tk_ipl_forces_only(m, x, f);
        res.nforce++;
        res.fmax = tk_fmax(m->n, f);
    }
    res.converged = res.fmax <= tol;
    free(v);
    return res;
}

static double dot(const double *a, const double *b, int n)
{
    /* eight partial sums: one long chain of dependent additions was a third
     * of the minimiser's time (deterministic: the order is fixed) */
    double s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++)
            s[l] += a[i + l] * b[i + l];
    for (; i < n; i++)
        s[0] += a[i] * b[i];
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

/* The passes of the L-BFGS iteration, fused: each pass updates the
 * direction and takes the dot product that the next step needs.  A dot
 * product is dot()'s exactly: eight partial sums s_l over the elements
 * t = l mod 8, in order, then ((s0 + s1) + (s2 + s3)) + ((s4 + s5) +
 * (s6 + s7)), the tail into s0; an 8-lane vector holds the partial sums,
 * so the passes vectorise and give bit-identical results with any vector
 * width (four SSE2 quarters, two AVX halves or one AVX-512 register), and
 * the additions form two or more independent chains (a few per cent
 * faster than one chain of 4-lane additions).  Every element operation is
 * the one of the plain loops. */
typedef double v8 __attribute__((vector_size(64)));
/* the helpers are always inlined: no vector crosses a call */
#pragma GCC diagnostic ignored "-Wpsabi"

#define TK_INLINE static inline __attribute__((always_inline))

TK_INLINE v8 ld(const double *p)
{
    v8 v;
    memcpy(&v, p, sizeof v);
    return v;
}

TK_INLINE void st(double *p, v8 v)
{
    memcpy(p, &v, sizeof v);
}

typedef long long v8i __attribute__((vector_size(64)));

TK_INLINE v8 vabs(v8 v)
{
    const long long a = 0x7fffffffffffffffLL;
    const v8i m = {a, a, a, a, a, a, a, a};
    return (v8)((v8i)v & m);
}

/* a > b ? a : b per lane (NaN: b) */
TK_INLINE v8 vmax(v8 a, v8 b)
{
    v8i k = a > b;
    return (v8)(((v8i)a & k) | ((v8i)b & ~k));
}

TK_INLINE double hsum(v8 s)
{
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

/* p = f; returns dot(a, p) */
TK_INLINE double pass_copy_dot(double *p, const double *f, const double *a, int n)
{
    v8 s = {0, 0, 0, 0, 0, 0, 0, 0};
    int t = 0;
    for (; t + 8 <= n; t += 8) {
        v8 v = ld(f + t);
        st(p + t, v);
        s += ld(a + t) * v;
    }
    double s0 = s[0];
    for (; t < n; t++) {
        p[t] = f[t];
        s0 += a[t] * p[t];
    }
    s[0] = s0;
    return hsum(s);
}

/* p = (p - c y) * g (g applied when scale); returns dot(a, p) */
TK_INLINE double pass_axpy_dot(double *p, double c, const double *y, int scale, double g,
                               const double *a, int n)
{
    v8 s = {0, 0, 0, 0, 0, 0, 0, 0};
    v8 cv = {c, c, c, c, c, c, c, c}, gv = {g, g, g, g, g, g, g, g};
    int t = 0;
    if (scale) {
        for (; t + 8 <= n; t += 8) {
            v8 v = (ld(p + t) - cv * ld(y + t)) * gv;
            st(p + t, v);
            s += ld(a + t) * v;
        }
    } else {
        for (; t + 8 <= n; t += 8) {
            v8 v = ld(p + t) - cv * ld(y + t);
            st(p + t, v);
            s += ld(a + t) * v;
        }
    }
    double s0 = s[0];
    for (; t < n; t++) {
        p[t] -= c * y[t];
        if (scale)
            p[t] *= g;
        s0 += a[t] * p[t];
    }
    s[0] = s0;
    return hsum(s);
}

/* p = p + c s; returns dot(a, p) (a = NULL: dot(p, f) and *pmax = max |p|) */
TK_INLINE double pass_axpy2_dot(double *p, double c, const double *sv, const double *a,
                                const double *f, double *pmax, int n)
{
    v8 s = {0, 0, 0, 0, 0, 0, 0, 0};
    v8 cv = {c, c, c, c, c, c, c, c};
    int t = 0;
    if (a) {
        for (; t + 8 <= n; t += 8) {
            v8 v = ld(p + t) + cv * ld(sv + t);
            st(p + t, v);
            s += ld(a + t) * v;
        }
        double s0 = s[0];
        for (; t < n; t++) {
            p[t] += c * sv[t];
            s0 += a[t] * p[t];
        }
        s[0] = s0;
        return hsum(s);
    }
    v8 mx = {0, 0, 0, 0, 0, 0, 0, 0};
    for (; t + 8 <= n; t += 8) {
        v8 v = ld(p + t) + cv * ld(sv + t);
        st(p + t, v);
        s += v * ld(f + t);
        mx = vmax(vabs(v), mx);
    }
    double s0 = s[0], m = 0;
    for (int l = 0; l < 8; l++)
        m = mx[l] > m ? mx[l] : m;
    for (; t < n; t++) {
        p[t] += c * sv[t];
        s0 += p[t] * f[t];
        double av = fabs(p[t]);
        m = av > m ? av : m;
    }
    s[0] = s0;
    *pmax = m;
    return hsum(s);
}

/* s = scale p; x += s; y = f (the forces before the step) */
TK_INLINE void pass_step(double *x, double *sv, double *y, const double *p, const double *f,
                         double scale, int n)
{
    v8 cv = {scale, scale, scale, scale, scale, scale, scale, scale};
    int t = 0;
    for (; t + 8 <= n; t += 8) {
        v8 v = cv * ld(p + t);
        st(sv + t, v);
        st(x + t, ld(x + t) + v);
        st(y + t, ld(f + t));
    }
    for (; t < n; t++) {
        sv[t] = scale * p[t];
        x[t] += sv[t];
        y[t] = f[t];
    }
}

/* y = y - f; *sy = dot(s, y), *yy = dot(y, y); returns max |f| (NaN when
 * some f is NaN), as tk_fmax */
TK_INLINE double pass_sy(double *y, const double *sv, const double *f, double *sy, double *yy,
                         int n)
{
    v8 a = {0, 0, 0, 0, 0, 0, 0, 0}, b = {0, 0, 0, 0, 0, 0, 0, 0}, mx = {0, 0, 0, 0, 0, 0, 0, 0};
    v8i nan = {0, 0, 0, 0, 0, 0, 0, 0};
    int t = 0;
    for (; t + 8 <= n; t += 8) {
        v8 fv = ld(f + t), v = ld(y + t) - fv;
        st(y + t, v);
        a += ld(sv + t) * v;
        b += v * v;
        v8 av = vabs(fv);
        mx = vmax(av, mx);
        nan |= av != av;
    }
    double a0 = a[0], b0 = b[0], m = 0;
    int isnan = 0;
    for (int l = 0; l < 8; l++) {
        m = mx[l] > m ? mx[l] : m;
        isnan |= nan[l] != 0;
    }
    for (; t < n; t++) {
        y[t] -= f[t];
        a0 += sv[t] * y[t];
        b0 += y[t] * y[t];
        double av = fabs(f[t]);
        m = av > m ? av : m;
        isnan |= av != av;
    }
    a[0] = a0;
    b[0] = b0;
    *sy = hsum(a);
    *yy = hsum(b);
    return isnan ? NAN : m;
}

/* L-BFGS from x (forces f on entry) down to max |F| <= tol.  Returns with
 * converged = 0 when it stalls (too many resets) or the budget is spent.
 * The arithmetic is that of the plain two-loop recursion (memory m):
 *
 *   p = f; for c = newest..oldest: a_c = rho_c s_c.p, p -= a_c y_c;
 *   p *= gamma (s.y / y.y of the newest pair; 0.01 without one);
 *   for c = oldest..newest: b = rho_c y_c.p, p += (a_c - b) s_c;
 *   step dmax-capped along p; s = step, y = f_old - f_new, kept if s.y > 0
 *
 * with each update fused with the next dot product, the step with the
 * storing of s and f_old, and after the forces y, s.y, y.y and max |F| in
 * one pass: about 2m + 3 passes over 3N instead of 5m + 8. */
TK_INLINE tk_min_result lbfgs_impl(tk_ipl *m, double *x, double *f, const tk_min_opts *o,
                                   double tol, long budget, int *checked)
{
    int n3 = 3 * m->n, mem = o->memory > 0 ? o->memory : 1;
    double *S = tk_xmalloc((size_t)mem * n3 * sizeof *S), *Y = tk_xmalloc((size_t)mem * n3 * sizeof *Y);
    double *rho = tk_xmalloc((size_t)mem * sizeof *rho), *alpha = tk_xmalloc((size_t)mem * sizeof *alpha);
    double *syv = tk_xmalloc((size_t)mem * sizeof *syv), *yyv = tk_xmalloc((size_t)mem * sizeof *yyv);
    double *p = tk_xmalloc((size_t)n3 * sizeof *p);
    tk_min_result res = {0, 0, 0, tk_fmax(m->n, f), 0};
    int k = 0, head = 0, resets = 0; /* k stored pairs, the newest at head - 1 */
#define SL(i) (S + (size_t)(i) * n3)
#define YL(i) (Y + (size_t)(i) * n3)
#define IDX(c) ((head - 1 - (c) + mem) % mem)
    while (res.fmax > tol && res.nforce < budget && isfinite(res.fmax)) {
        if (early_stop(m, x, o, res.fmax, checked)) {
            res.stopped = 1;
            break;
        }
        double gamma = 0.01, pf, pmax;
        if (k > 0) {
            int i = IDX(0);
            gamma = syv[i] / yyv[i];
            /* loop 1, newest first; its last update also scales by gamma
             * and takes the first dot product of loop 2 */
            double d = pass_copy_dot(p, f, SL(i), n3);
            for (int c = 0; c < k; c++) {
                i = IDX(c);
                alpha[i] = rho[i] * d;
                if (c + 1 < k)
                    d = pass_axpy_dot(p, alpha[i], YL(i), 0, 0, SL(IDX(c + 1)), n3);
                else
                    d = pass_axpy_dot(p, alpha[i], YL(i), 1, gamma, YL(IDX(k - 1)), n3);
            }
            /* loop 2, oldest first; the last update takes p.f and max |p| */
            pf = 0;
            pmax = 0;
            for (int c = k - 1; c >= 0; c--) {
                i = IDX(c);
                double b = rho[i] * d;
                if (c > 0)
                    d = pass_axpy2_dot(p, alpha[i] - b, SL(i), YL(IDX(c - 1)), NULL, NULL, n3);
                else
                    pf = pass_axpy2_dot(p, alpha[i] - b, SL(i), NULL, f, &pmax, n3);
            }
        } else {
            /* first step: a short steepest descent */
            for (int t = 0; t < n3; t++)
                p[t] = f[t] * gamma;
            pf = dot(p, f, n3);
            pmax = 0;
            for (int t = 0; t < n3; t++) {
                double a = fabs(p[t]);
                pmax = a > pmax ? a : pmax;
            }
        }
        if (pf <= 0) {
            /* not downhill: forget the curvature history */
            if (++resets > 20)
                break;
            k = 0;
            pmax = 0;
            for (int t = 0; t < n3; t++) {
                p[t] = 0.01 * f[t];
                double a = fabs(p[t]);
                pmax = a > pmax ? a : pmax;
            }
        }
        double scale = pmax > o->dmax ? o->dmax / pmax : 1;
        /* s = step, y = change of the gradient = f_old - f */
        double *sv = SL(head), *y = YL(head);
        pass_step(x, sv, y, p, f, scale, n3);
        tk_ipl_forces_only(m, x, f);
        res.nforce++;
        double sy, yy;
        res.fmax = pass_sy(y, sv, f, &sy, &yy, n3);
        if (sy > 0) { /* keep only positive curvature */
            rho[head] = 1 / sy;
            syv[head] = sy;
            yyv[head] = yy;
            head = (head + 1) % mem;
            if (k < mem)
                k++;
        }
    }
#undef SL
#undef YL
#undef IDX
    res.converged = res.fmax <= tol;
    free(S);
    free(Y);
    free(rho);
    free(alpha);
    free(syv);
    free(yyv);
    free(p);
    return res;
}

static tk_min_result lbfgs_plain(tk_ipl *m, double *x, double *f, const tk_min_opts *o,
                                 double tol, long budget, int *checked)
{
    return lbfgs_impl(m, x, f, o, tol, budget, checked);
}

#if TK_SIMD_X86
__attribute__((target("avx2"))) static tk_min_result
lbfgs_avx2(tk_ipl *m, double *x, double *f, const tk_min_opts *o, double tol, long budget,
           int *checked)
{
    return lbfgs_impl(m, x, f, o, tol, budget, checked);
}
#endif

#if TK_SIMD_X86
__attribute__((target("avx512f,avx512vl,avx512dq"))) static tk_min_result
lbfgs_avx512(tk_ipl *m, double *x, double *f, const tk_min_opts *o, double tol, long budget,
             int *checked)
{
    return lbfgs_impl(m, x, f, o, tol, budget, checked);
}
#endif

static tk_min_result lbfgs(tk_ipl *m, double *x, double *f, const tk_min_opts *o, double tol,
                           long budget, int *checked)
{
#if TK_SIMD_X86
    if (m->simd >= TK_SIMD_AVX512)
        return lbfgs_avx512(m, x, f, o, tol, budget, checked);
    if (m->simd >= TK_SIMD_AVX2) /* the model's level (tk_simd_level()) */
        return lbfgs_avx2(m, x, f, o, tol, budget, checked);
#endif
    return lbfgs_plain(m, x, f, o, tol, budget, checked);
}

tk_min_result tk_minimize(tk_ipl *m, double *x, const tk_min_opts *o)
{
    double *f = tk_xmalloc(3 * (size_t)m->n * sizeof *f);
    tk_min_result r = {0, 0, 0, 0, 0};
    long used = 0;
    int checked = 0;
    if (o->method == TK_MIN_FIRE) {
        r = fire(m, x, f, o, o->ftol, o->maxforce, &checked);
        used = r.nforce;
    } else {
        if (o->method == TK_MIN_FIRE_LBFGS) {
            r = fire(m, x, f, o, fmax(o->switch_tol, o->ftol), o->maxforce, &checked);
            used = r.nforce;
        } else {
            tk_ipl_forces_only(m, x, f);
            used = 1;
        }
        if (!r.stopped && isfinite(tk_fmax(m->n, f))) {
            r = lbfgs(m, x, f, o, o->ftol, o->maxforce - used, &checked);
            used += r.nforce;
            if (!r.stopped && !r.converged && isfinite(r.fmax) && used < o->maxforce) {
                /* L-BFGS stalled: FIRE is slow but sure */
                r = fire(m, x, f, o, o->ftol, o->maxforce - used, &checked);
                used += r.nforce;
            }
        }
    }
    r.nforce = used;
    r.epot = tk_ipl_energy(m, x);
    r.converged = !r.stopped && r.fmax <= o->ftol && isfinite(r.epot);
    free(f);
    return r;
}
