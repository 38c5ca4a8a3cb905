/* minimize.c - FIRE 2.0 and L-BFGS. */
#include "minimize.h"
#include "err.h"
#include "lbfgs.h"
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
        double pmax, pf = tk_lbfgs_direction(p, f, S, Y, rho, alpha, syv, yyv, k, head, mem, n3,
                                             &pmax);
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
