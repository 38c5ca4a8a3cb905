/* neb.c - climbing-image NEB relaxed by FIRE or L-BFGS. */
#include "neb.h"
#include "displace.h"
#include "err.h"

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

/* a . c in 8 independent partial sums (a fixed order, so deterministic):
 * the L-BFGS recursion takes 4 m of these per step over the whole band,
 * and one serial sum would cost as much as the forces. */
static double dot8(const double *a, const double *c, size_t n)
{
    double p[8] = {0};
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        for (int l = 0; l < 8; l++)
            p[l] += a[i + l] * c[i + l];
    for (; i < n; i++)
        p[i % 8] += a[i] * c[i];
    return ((p[0] + p[1]) + (p[2] + p[3])) + ((p[4] + p[5]) + (p[6] + p[7]));
}

static double dot(const double *a, const double *c, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += a[i] * c[i];
    return s;
}

static void evaluate(tk_neb *b, int i)
{
    int n3 = 3 * b->n;
    b->E[i] = tk_ipl_forces(&b->model[i], b->R + (size_t)i * n3, b->F + (size_t)i * n3, NULL);
    b->nforce++;
}

/* Improved tangents, path lengths, and F . tau of every image.  Images may
 * be wrapped into the box independently (the force code does so), so every
 * difference along the band is taken under minimum image.  The
 * minimum-image differences of consecutive images are taken once (b->D)
 * and serve both the path length and the tangents. */
static void tangents(tk_neb *b)
{
    int n3 = 3 * b->n, M = b->M;
    double L = b->L;
    b->s[0] = 0;
    for (int i = 0; i + 1 < M; i++) {
        const double *r = b->R + (size_t)i * n3;
        double *d = b->D + (size_t)i * n3;
        for (int c = 0; c < n3; c++)
            d[c] = tk_mic(r[n3 + c] - r[c], L);
        b->s[i + 1] = b->s[i] + sqrt(dot(d, d, n3));
    }
    for (int i = 0; i < M; i++) {
        double *t = b->tau + (size_t)i * n3;
        if (i == 0 || i == M - 1) {
            /* the ends: the direction of the band there */
            memcpy(t, b->D + (size_t)(i == 0 ? 0 : M - 2) * n3, (size_t)n3 * sizeof *t);
        } else {
            const double *dp = b->D + (size_t)i * n3, *dm = dp - n3;
            double ep = b->E[i + 1], e = b->E[i], em = b->E[i - 1];
            double wp, wm;
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
            for (int c = 0; c < n3; c++)
                t[c] = wp * dp[c] + wm * dm[c];
        }
        /* no translation along the band: the images share the centroid
         * of the aligned ends */
        tk_remove_mean(b->n, t);
        double norm = sqrt(dot(t, t, n3));
        if (norm > 0)
            for (int c = 0; c < n3; c++)
                t[c] /= norm;
        b->ftan[i] = dot(b->F + (size_t)i * n3, t, n3);
    }
}

/* NEB forces of the interior images into g (M x 3n; ends zero); returns the
 * largest component. */
static double neb_forces(tk_neb *b, const tk_neb_opts *o, double *g)
{
    int n3 = 3 * b->n, M = b->M;
    double worst = 0;
    memset(g, 0, (size_t)M * n3 * sizeof *g);
    for (int i = 1; i < M - 1; i++) {
        const double *F = b->F + (size_t)i * n3, *t = b->tau + (size_t)i * n3;
        double *gi = g + (size_t)i * n3, ft = b->ftan[i];
        if (i == b->ci) {
            for (int c = 0; c < n3; c++)
                gi[c] = F[c] - 2 * ft * t[c];
        } else {
            double spring = o->k * ((b->s[i + 1] - b->s[i]) - (b->s[i] - b->s[i - 1]));
            for (int c = 0; c < n3; c++)
                gi[c] = F[c] - ft * t[c] + spring * t[c];
        }
        /* the true forces sum to zero only to rounding: no net force, so
         * that FIRE never moves an image's centre of mass */
        tk_remove_mean(b->n, gi);
        for (int c = 0; c < n3; c++) {
            double a = fabs(gi[c]);
            worst = a > worst ? a : worst;
        }
    }
    return worst;
}

/* L-BFGS on the NEB forces of the interior images (the forces play the
 * part of minus a gradient; there is no objective, so no line search): the
 * two-loop direction, scaled so that no component exceeds dmax; the memory
 * is dropped when the direction goes against the force, when a step shows
 * negative curvature, and when the climbing image changes (the force field
 * changes).  The first step after a reset moves by the force times 0.01
 * (about dt^2 of FIRE's largest step), capped in the same way. */
typedef struct {
    size_t n;          /* interior coordinates */
    int m, k, head;    /* memory, pairs stored, newest */
    double *S, *Y, *rho, *alpha, *d, *gold;
} lbfgs;

static lbfgs *lbfgs_new(size_t n, int m)
{
    lbfgs *l = tk_xcalloc(1, sizeof *l);
    l->n = n;
    l->m = m;
    l->S = tk_xmalloc((size_t)m * n * sizeof *l->S);
    l->Y = tk_xmalloc((size_t)m * n * sizeof *l->Y);
    l->rho = tk_xmalloc((size_t)m * sizeof *l->rho);
    l->alpha = tk_xmalloc((size_t)m * sizeof *l->alpha);
    l->d = tk_xmalloc(n * sizeof *l->d);
    l->gold = tk_xmalloc(n * sizeof *l->gold);
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
    free(l->d);
    free(l->gold);
    free(l);
}

/* One step of the band from the NEB forces g (M x 3n, ends zero); moves the
 * interior images and evaluates them.  reset: forget the memory first. */
static void lbfgs_step(lbfgs *l, tk_neb *b, const tk_neb_opts *o, const double *g, int reset)
{
    int n3 = 3 * b->n, M = b->M;
    size_t n = l->n;
    const double *gi = g + n3; /* interior images */
    double *d = l->d;
    if (reset)
        l->k = 0;
    /* direction d = H g by the two-loop recursion (g = minus the gradient) */
    memcpy(d, gi, n * sizeof *d);
    for (int j = 0; j < l->k; j++) {
        int h = (l->head - j + l->m) % l->m;
        l->alpha[h] = l->rho[h] * dot8(l->S + (size_t)h * n, d, n);
        for (size_t c = 0; c < n; c++)
            d[c] -= l->alpha[h] * l->Y[(size_t)h * n + c];
    }
    double h0 = 0.01;
    if (l->k > 0) {
        const double *y = l->Y + (size_t)l->head * n;
        h0 = 1 / (l->rho[l->head] * dot8(y, y, n)); /* s.y / y.y */
    }
    for (size_t c = 0; c < n; c++)
        d[c] *= h0;
    for (int j = l->k - 1; j >= 0; j--) {
        int h = (l->head - j + l->m) % l->m;
        double beta = l->rho[h] * dot8(l->Y + (size_t)h * n, d, n);
        for (size_t c = 0; c < n; c++)
            d[c] += (l->alpha[h] - beta) * l->S[(size_t)h * n + c];
    }
    if (dot8(d, gi, n) <= 0) { /* uphill against the force: start again */
        l->k = 0;
        for (size_t c = 0; c < n; c++)
            d[c] = 0.01 * gi[c];
    }
    double dm = 0;
    for (size_t c = 0; c < n; c++)
        dm = fabs(d[c]) > dm ? fabs(d[c]) : dm;
    double scale = dm > o->dmax ? o->dmax / dm : 1;
    for (size_t c = 0; c < n; c++)
        d[c] *= scale;
    memcpy(l->gold, gi, n * sizeof *gi);
    for (size_t c = 0; c < n; c++)
        b->R[(size_t)n3 + c] += d[c];
    for (int i = 1; i < M - 1; i++)
        evaluate(b, i);
    tangents(b);
}

/* After the forces at the new positions are known: store the step. */
static void lbfgs_update(lbfgs *l, const double *g, int n3)
{
    size_t n = l->n;
    const double *gi = g + n3;
    int h = (l->head + 1) % l->m;
    double *s = l->S + (size_t)h * n, *y = l->Y + (size_t)h * n;
    for (size_t c = 0; c < n; c++) {
        s[c] = l->d[c];
        y[c] = l->gold[c] - gi[c]; /* gradient difference */
    }
    double sy = dot8(s, y, n);
    if (!(sy > 0)) { /* negative curvature along the step: forget */
        l->k = 0;
        return;
    }
    l->rho[h] = 1 / sy;
    l->head = h;
    if (l->k < l->m)
        l->k++;
}

static int relax(tk_neb *b, const tk_neb_opts *o, int method)
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
    lbfgs *lb = method == TK_NEB_LBFGS ? lbfgs_new((size_t)(M - 2) * n3, o->memory) : NULL;
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
            lbfgs_step(lb, b, o, g, ci_seen != b->ci);
            ci_seen = b->ci;
            fm = neb_forces(b, o, g);
            lbfgs_update(lb, g, n3);
            continue;
        }
        /* FIRE on the whole band */
        double p = dot(g, v, (int)all);
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
        double mix = gg > 0 ? alpha * sqrt(vv) / sqrt(gg) : 0, vmax = 0;
        for (size_t c = 0; c < all; c++) {
            v[c] = (1 - alpha) * v[c] + mix * g[c];
            double a = fabs(v[c]);
            vmax = a > vmax ? a : vmax;
        }
        double scale = vmax * dt > o->dmax ? o->dmax / (vmax * dt) : 1;
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
