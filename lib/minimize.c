/* minimize.c - FIRE 2.0. */
#include "minimize.h"
#include "err.h"

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

/* The early-stop hook of tk_min_opts: once, when fmax first reaches
 * check_tol.  Returns 1 when the caller asked to stop. */
static int early_stop(tk_ipl *m, double *x, const tk_min_opts *o, double fmax, int *checked)
{
    if (!o->check || *checked || !(fmax <= o->check_tol))
        return 0;
    *checked = 1;
    return o->check(o->check_ctx, m, x) != 0;
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
    /* four partial sums: one long chain of dependent additions was a third
     * of the minimiser's time (deterministic: the order is fixed) */
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    int i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
        s2 += a[i + 2] * b[i + 2];
        s3 += a[i + 3] * b[i + 3];
    }
    for (; i < n; i++)
        s0 += a[i] * b[i];
    return (s0 + s1) + (s2 + s3);
}

/* L-BFGS from x (forces f on entry) down to max |F| <= tol.  Returns with
 * converged = 0 when it stalls (too many resets) or the budget is spent. */
static tk_min_result lbfgs(tk_ipl *m, double *x, double *f, const tk_min_opts *o, double tol,
                           long budget, int *checked)
{
    int n3 = 3 * m->n, mem = o->memory > 0 ? o->memory : 1;
    double *S = tk_xmalloc((size_t)mem * n3 * sizeof *S), *Y = tk_xmalloc((size_t)mem * n3 * sizeof *Y);
    double *rho = tk_xmalloc((size_t)mem * sizeof *rho), *alpha = tk_xmalloc((size_t)mem * sizeof *alpha);
    double *p = tk_xmalloc((size_t)n3 * sizeof *p), *fold = tk_xmalloc((size_t)n3 * sizeof *fold);
    tk_min_result res = {0, 0, 0, tk_fmax(m->n, f), 0};
    int k = 0, head = 0, resets = 0; /* k stored pairs, the newest at head - 1 */
    while (res.fmax > tol && res.nforce < budget && isfinite(res.fmax)) {
        if (early_stop(m, x, o, res.fmax, checked)) {
            res.stopped = 1;
            break;
        }
        /* two-loop recursion: p = H grad-descent direction = H f */
        memcpy(p, f, (size_t)n3 * sizeof *p);
        for (int c = 0; c < k; c++) {
            int i = (head - 1 - c + mem) % mem;
            alpha[i] = rho[i] * dot(S + (size_t)i * n3, p, n3);
            for (int t = 0; t < n3; t++)
                p[t] -= alpha[i] * Y[(size_t)i * n3 + t];
        }
        double gamma = 0.01; /* first step: a short steepest descent */
        if (k > 0) {
            int i = (head - 1 + mem) % mem;
            gamma = dot(S + (size_t)i * n3, Y + (size_t)i * n3, n3) /
                    dot(Y + (size_t)i * n3, Y + (size_t)i * n3, n3);
        }
        for (int t = 0; t < n3; t++)
            p[t] *= gamma;
        for (int c = k - 1; c >= 0; c--) {
            int i = (head - 1 - c + mem) % mem;
            double b = rho[i] * dot(Y + (size_t)i * n3, p, n3);
            for (int t = 0; t < n3; t++)
                p[t] += (alpha[i] - b) * S[(size_t)i * n3 + t];
        }
        if (dot(p, f, n3) <= 0) {
            /* not downhill: forget the curvature history */
            if (++resets > 20)
                break;
            k = 0;
            for (int t = 0; t < n3; t++)
                p[t] = 0.01 * f[t];
        }
        double pmax = 0;
        for (int t = 0; t < n3; t++) {
            double a = fabs(p[t]);
            pmax = a > pmax ? a : pmax;
        }
        double scale = pmax > o->dmax ? o->dmax / pmax : 1;
        memcpy(fold, f, (size_t)n3 * sizeof *f);
        for (int t = 0; t < n3; t++)
            x[t] += scale * p[t];
        tk_ipl_forces_only(m, x, f);
        res.nforce++;
        res.fmax = tk_fmax(m->n, f);
        /* s = step, y = change of the gradient = fold - f */
        double *s = S + (size_t)head * n3, *y = Y + (size_t)head * n3;
        for (int t = 0; t < n3; t++) {
            s[t] = scale * p[t];
            y[t] = fold[t] - f[t];
        }
        double sy = dot(s, y, n3);
        if (sy > 0) { /* keep only positive curvature */
            rho[head] = 1 / sy;
            head = (head + 1) % mem;
            if (k < mem)
                k++;
        }
    }
    res.converged = res.fmax <= tol;
    free(S);
    free(Y);
    free(rho);
    free(alpha);
    free(p);
    free(fold);
    return res;
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
