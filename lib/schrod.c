/* schrod.c - the two lowest levels of a 1D double well (see schrod.h). */
#include "schrod.h"
#include "err.h"

#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EPS DBL_EPSILON

/* One grid: n interior points x_i = a + (i + 1) h, i = 0..n-1, psi = 0 at
 * a and at a + (n + 1) h.  The pencil A - E M, energies shifted by vref. */
typedef struct {
    int n;
    double a, h, c;
    double *vs;  /* V - vref at the points */
    double *ad;  /* diagonal of A */
    double *ao;  /* off-diagonal of A, ao[i] couples i and i + 1 */
    double anorm; /* bound on |A| for the Sturm-count tolerance */
    double *v1, *v2; /* the eigenvectors found on this grid */
} grid;

struct tk_schrod {
    /* the profile and its spline */
    int np, npcap;
    double *x, *y, *m;
    double vmin, vmax, kmax; /* range of the values, largest curvature */
    double s0, k0, s1, k1;   /* continuation slopes and curvatures */
    /* grids: coarse (0), N (1), 2N + 1 (2) */
    grid g[3];
    int gcap[3];
    /* work vectors, sized for the largest grid */
    int wcap;
    double *x1, *x2, *y1, *y2, *r1, *r2, *dl, *dd, *du, *du2;
    lapack_int *ipiv;
};

static const double MD = 10.0 / 12.0, MO = 1.0 / 12.0; /* Numerov's M */

void tk_schrod_defaults(tk_schrod_opts *o)
{
    o->points = 0;
    o->margin = 20;
    o->walls = 0;
}

tk_schrod *tk_schrod_new(void)
{
    tk_schrod *s = tk_xcalloc(1, sizeof *s);
    return s;
}

void tk_schrod_free(tk_schrod *s)
{
    if (!s)
        return;
    free(s->x);
    free(s->y);
    free(s->m);
    for (int k = 0; k < 3; k++) {
        free(s->g[k].vs);
        free(s->g[k].ad);
        free(s->g[k].ao);
        free(s->g[k].v1);
        free(s->g[k].v2);
    }
    double *w[] = {s->x1, s->x2, s->y1, s->y2, s->r1, s->r2, s->dl, s->dd, s->du, s->du2};
    for (size_t k = 0; k < sizeof w / sizeof *w; k++)
        free(w[k]);
    free(s->ipiv);
    free(s);
}

/* ------------------------------------------------------------------ spline */

/* Second derivatives m of the not-a-knot cubic spline through (x, y). */
static void spline_build(int n, const double *x, const double *y, double *m)
{
    if (n == 3) {
        /* not-a-knot with three points: the parabola */
        double d0 = (y[1] - y[0]) / (x[1] - x[0]), d1 = (y[2] - y[1]) / (x[2] - x[1]);
        m[0] = m[1] = m[2] = 2 * (d1 - d0) / (x[2] - x[0]);
        return;
    }
    int k = n - 2; /* unknowns m[1..n-2] */
    double *dl = tk_xmalloc(3 * (size_t)k * sizeof *dl), *d = dl + k, *du = d + k;
    for (int i = 1; i <= n - 2; i++) {
        double h0 = x[i] - x[i - 1], h1 = x[i + 1] - x[i];
        double r = 6 * ((y[i + 1] - y[i]) / h1 - (y[i] - y[i - 1]) / h0);
        double lo = h0, di = 2 * (h0 + h1), up = h1;
        if (i == 1) { /* m0 = ((h0 + h1) m1 - h0 m2) / h1 */
            di += h0 * (h0 + h1) / h1;
            up -= h0 * h0 / h1;
        }
        if (i == n - 2) { /* m_{n-1} = ((h0 + h1) m_{n-2} - h1 m_{n-3}) / h0 */
            di += h1 * (h0 + h1) / h0;
            lo -= h1 * h1 / h0;
        }
        d[i - 1] = di;
        m[i] = r;
        if (i > 1)
            dl[i - 2] = lo;
        if (i < n - 2)
            du[i - 1] = up;
    }
    lapack_int info = LAPACKE_dgtsv_work(LAPACK_COL_MAJOR, k, 1, dl, d, du, m + 1, k);
    if (info != 0)
        tk_die("internal error: spline system singular (%d)", (int)info);
    double h0 = x[1] - x[0], h1 = x[2] - x[1];
    m[0] = ((h0 + h1) * m[1] - h0 * m[2]) / h1;
    h0 = x[n - 2] - x[n - 3];
    h1 = x[n - 1] - x[n - 2];
    m[n - 1] = ((h0 + h1) * m[n - 2] - h1 * m[n - 3]) / h0;
    free(dl);
}

/* the spline on [x_k, x_{k+1}] */
static double spline_piece(const tk_schrod *s, int k, double t)
{
    const double *x = s->x, *y = s->y, *m = s->m;
    double h = x[k + 1] - x[k], u = x[k + 1] - t, v = t - x[k];
    return (m[k] * u * u * u + m[k + 1] * v * v * v) / (6 * h) + (y[k] / h - m[k] * h / 6) * u +
           (y[k + 1] / h - m[k + 1] * h / 6) * v;
}

void tk_schrod_set_profile(tk_schrod *s, int n, const double *xi, const double *v)
{
    if (n > s->npcap) {
        s->npcap = n;
        s->x = tk_xrealloc(s->x, (size_t)n * sizeof *s->x);
        s->y = tk_xrealloc(s->y, (size_t)n * sizeof *s->y);
        s->m = tk_xrealloc(s->m, (size_t)n * sizeof *s->m);
    }
    s->np = n;
    memcpy(s->x, xi, (size_t)n * sizeof *xi);
    memcpy(s->y, v, (size_t)n * sizeof *v);
    spline_build(n, s->x, s->y, s->m);
    s->vmin = s->vmax = v[0];
    s->kmax = 0;
    for (int i = 0; i < n; i++) {
        s->vmin = fmin(s->vmin, v[i]);
        s->vmax = fmax(s->vmax, v[i]);
        s->kmax = fmax(s->kmax, s->m[i]);
    }
    double kmin = s->vmax > s->vmin ? s->vmax - s->vmin : 1;
    double h0 = s->x[1] - s->x[0], h1 = s->x[n - 1] - s->x[n - 2];
    double d0 = (s->y[1] - s->y[0]) / h0 - h0 * (2 * s->m[0] + s->m[1]) / 6;
    double d1 = (s->y[n - 1] - s->y[n - 2]) / h1 + h1 * (s->m[n - 2] + 2 * s->m[n - 1]) / 6;
    s->s0 = fmin(d0, 0);
    s->k0 = fmax(s->m[0], kmin);
    s->s1 = fmax(d1, 0);
    s->k1 = fmax(s->m[n - 1], kmin);
}

double tk_schrod_potential(const tk_schrod *s, double xi, int walls)
{
    if (xi < 0)
        return walls ? INFINITY : s->y[0] + xi * (s->s0 + 0.5 * s->k0 * xi);
    if (xi > 1) {
        double u = xi - 1;
        return walls ? INFINITY : s->y[s->np - 1] + u * (s->s1 + 0.5 * s->k1 * u);
    }
    int lo = 0, hi = s->np - 1;
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (s->x[mid] <= xi)
            lo = mid;
        else
            hi = mid;
    }
    return spline_piece(s, lo, xi);
}

/* ------------------------------------------------------------------ domain */

/* How far beyond one end the domain must reach: the WKB exponent of a state
 * at etop, counted from its turning point (inside the profile, over the
 * knots, when the end is above etop), reaches w.  side 0: xi = 0, 1: xi = 1. */
static double extension(const tk_schrod *s, int side, double c, double etop, double w)
{
    int n = s->np;
    double acc = 0;
    /* decay inside [0, 1]: from the end inward while V > etop */
    for (int i = 0; i + 1 < n; i++) {
        int k = side ? n - 1 - i : i, k2 = side ? k - 1 : k + 1;
        if (s->y[k] <= etop || s->y[k2] <= etop)
            break;
        acc += 0.5 * (sqrt((s->y[k] - etop) / c) + sqrt((s->y[k2] - etop) / c)) *
               fabs(s->x[k2] - s->x[k]);
        if (acc >= w)
            return 0;
    }
    /* beyond: V = v + sl u + k u^2 / 2 with u >= 0 the distance outward */
    double v = side ? s->y[n - 1] : s->y[0], sl = side ? s->s1 : -s->s0, k = side ? s->k1 : s->k0;
    double ut = 0; /* turning point */
    if (v < etop)
        ut = (-sl + sqrt(sl * sl + 2 * k * (etop - v))) / k;
    double len = pow(2 * c / k, 0.25), du = len / 8, u = ut, f = 0;
    for (int it = 0; it < 100000 && acc < w; it++) {
        double u2 = u + du, q = v + u2 * (sl + 0.5 * k * u2) - etop;
        double f2 = q > 0 ? sqrt(q / c) : 0;
        acc += 0.5 * (f + f2) * du;
        u = u2;
        f = f2;
    }
    return u;
}

double tk_schrod_points(const tk_schrod *s, double c, double etop)
{
    /* the largest local wave number of the states up to etop, and the
     * curvature scale of the potential (harmonic length of the stiffest
     * point) */
    double kw = sqrt(fmax(etop - s->vmin, 0) / c);
    double kh = s->kmax > 0 ? pow(s->kmax / (2 * c), 0.25) : 0;
    double p = 0.6 * fmax(kw, 2 * kh);
    return fmax(p, 32);
}

/* ------------------------------------------------------------------ grids */

static void ensure_work(tk_schrod *s, int n)
{
    if (n <= s->wcap)
        return;
    s->wcap = n;
    size_t b = (size_t)n * sizeof(double);
    s->x1 = tk_xrealloc(s->x1, b);
    s->x2 = tk_xrealloc(s->x2, b);
    s->y1 = tk_xrealloc(s->y1, b);
    s->y2 = tk_xrealloc(s->y2, b);
    s->r1 = tk_xrealloc(s->r1, b);
    s->r2 = tk_xrealloc(s->r2, b);
    s->dl = tk_xrealloc(s->dl, b);
    s->dd = tk_xrealloc(s->dd, b);
    s->du = tk_xrealloc(s->du, b);
    s->du2 = tk_xrealloc(s->du2, b);
    s->ipiv = tk_xrealloc(s->ipiv, (size_t)n * sizeof *s->ipiv);
}

/* The potential on the grid points: one sweep through the knots. */
static void grid_setup(tk_schrod *s, int which, int n, double a, double h, double c, double vref,
                       int walls)
{
    grid *g = &s->g[which];
    if (n > s->gcap[which]) {
        s->gcap[which] = n;
        g->vs = tk_xrealloc(g->vs, (size_t)n * sizeof *g->vs);
        g->ad = tk_xrealloc(g->ad, (size_t)n * sizeof *g->ad);
        g->ao = tk_xrealloc(g->ao, (size_t)n * sizeof *g->ao);
        g->v1 = tk_xrealloc(g->v1, (size_t)n * sizeof *g->v1);
        g->v2 = tk_xrealloc(g->v2, (size_t)n * sizeof *g->v2);
    }
    ensure_work(s, n);
    g->n = n;
    g->a = a;
    g->h = h;
    g->c = c;
    int k = 0;
    double vmax = 0;
    for (int i = 0; i < n; i++) {
        double xi = a + (i + 1) * h, v;
        if (xi < 0 || xi > 1) {
            v = tk_schrod_potential(s, xi, walls);
        } else {
            while (k < s->np - 2 && s->x[k + 1] <= xi)
                k++;
            v = spline_piece(s, k, xi);
        }
        g->vs[i] = v - vref;
        vmax = fmax(vmax, fabs(g->vs[i]));
    }
    double kin = c / (h * h);
    for (int i = 0; i < n; i++) {
        g->ad[i] = 2 * kin + MD * g->vs[i];
        if (i + 1 < n)
            g->ao[i] = -kin + (g->vs[i] + g->vs[i + 1]) / 24;
    }
    g->anorm = 4 * kin + vmax;
}

/* Number of eigenvalues of the pencil below sigma (Sturm count of the LDL^T
 * factorisation of A - sigma M). */
static int sturm(const grid *g, double sigma)
{
    const double pivmin = DBL_MIN * 1e10 * fmax(g->anorm, 1);
    int neg = 0;
    double t = g->ad[0] - sigma * MD;
    const double e = MO * sigma;
    for (int i = 0;;) {
        if (fabs(t) < pivmin)
            t = -pivmin;
        neg += t < 0;
        if (++i == g->n)
            break;
        double o = g->ao[i - 1] - e;
        t = (g->ad[i] - sigma * MD) - o * o / t;
    }
    return neg;
}

/* y = M x */
static void mul_m(int n, const double *x, double *y)
{
    if (n == 1) {
        y[0] = MD * x[0];
        return;
    }
    y[0] = MD * x[0] + MO * x[1];
    for (int i = 1; i < n - 1; i++)
        y[i] = MD * x[i] + MO * (x[i - 1] + x[i + 1]);
    y[n - 1] = MD * x[n - 1] + MO * x[n - 2];
}

/* x^T M y */
static double form_m(int n, const double *x, const double *y)
{
    double s = 0, o = 0;
    for (int i = 0; i < n; i++)
        s += x[i] * y[i];
    for (int i = 0; i + 1 < n; i++)
        o += x[i] * y[i + 1] + x[i + 1] * y[i];
    return MD * s + MO * o;
}

/* x^T A y, the kinetic part as a sum over the n + 1 links of products of
 * differences (no cancellation for x = y). */
static double form_a(const grid *g, const double *x, const double *y)
{
    int n = g->n;
    const double *v = g->vs;
    double k = x[0] * y[0] + x[n - 1] * y[n - 1], p = 0, q = 0;
    for (int i = 0; i + 1 < n; i++)
        k += (x[i + 1] - x[i]) * (y[i + 1] - y[i]);
    for (int i = 0; i < n; i++)
        p += v[i] * x[i] * y[i];
    for (int i = 0; i + 1 < n; i++)
        q += (v[i] + v[i + 1]) * (x[i] * y[i + 1] + x[i + 1] * y[i]);
    return g->c / (g->h * g->h) * k + MD * p + q / 24;
}

/* Factorise A - sigma M (LAPACKE_dgttrf) into s->dl, dd, du, du2, ipiv.
 * Returns 0, or -1 if singular even after nudging sigma. */
static int factor(tk_schrod *s, const grid *g, double sigma)
{
    int n = g->n;
    for (int attempt = 0; attempt < 4; attempt++) {
        double e = MO * sigma;
        for (int i = 0; i < n; i++) {
            s->dd[i] = g->ad[i] - MD * sigma;
            if (i + 1 < n)
                s->dl[i] = s->du[i] = g->ao[i] - e;
        }
        if (LAPACKE_dgttrf_work(n, s->dl, s->dd, s->du, s->du2, s->ipiv) == 0)
            return 0;
        sigma += 64 * EPS * (fabs(sigma) + g->anorm * 1e-3);
    }
    return -1;
}

/* y = (A - sigma M)^{-1} M x with the factorisation of factor() */
static int inv_solve(tk_schrod *s, const grid *g, const double *x, double *y)
{
    mul_m(g->n, x, y);
    return LAPACKE_dgttrs_work(LAPACK_COL_MAJOR, 'N', g->n, 1, s->dl, s->dd, s->du, s->du2,
                               s->ipiv, y, g->n) ? -1 : 0;
}

static void scale(int n, double *x, double f)
{
    for (int i = 0; i < n; i++)
        x[i] *= f;
}

/* Rayleigh-Ritz on span{y1, y2}: M-orthonormal Ritz vectors into x1, x2,
 * Ritz values t[0] <= t[1].  Returns 0, -1 if the span is degenerate. */
static int ritz(const grid *g, const double *y1, const double *y2, double *x1, double *x2,
                double t[2])
{
    int n = g->n;
    double n1 = form_m(n, y1, y1);
    if (!(n1 > 0) || !isfinite(n1))
        return -1;
    memcpy(x1, y1, (size_t)n * sizeof *x1);
    scale(n, x1, 1 / sqrt(n1));
    memcpy(x2, y2, (size_t)n * sizeof *x2);
    double n2 = form_m(n, x2, x2);
    if (!(n2 > 0) || !isfinite(n2))
        return -1;
    scale(n, x2, 1 / sqrt(n2));
    for (int pass = 0; pass < 2; pass++) { /* Gram-Schmidt, twice */
        double r = form_m(n, x1, x2);
        for (int i = 0; i < n; i++)
            x2[i] -= r * x1[i];
        double nn = form_m(n, x2, x2);
        if (!(nn > 1e-24))
            return -1;
        scale(n, x2, 1 / sqrt(nn));
    }
    double h11 = form_a(g, x1, x1), h22 = form_a(g, x2, x2), h12 = form_a(g, x1, x2);
    /* Jacobi rotation diagonalising [[h11 h12] [h12 h22]] */
    double cs = 1, sn = 0;
    if (h12 != 0) {
        double tau = (h22 - h11) / (2 * h12);
        double tt = (tau >= 0 ? 1 : -1) / (fabs(tau) + sqrt(1 + tau * tau));
        cs = 1 / sqrt(1 + tt * tt);
        sn = tt * cs;
        /* new h11 = h11 - tt h12, h22 = h22 + tt h12 */
        h11 -= tt * h12;
        h22 += tt * h12;
    }
    for (int i = 0; i < n; i++) {
        double a = x1[i], b = x2[i];
        x1[i] = cs * a - sn * b;
        x2[i] = sn * a + cs * b;
    }
    if (h11 <= h22) {
        t[0] = h11;
        t[1] = h22;
    } else {
        t[0] = h22;
        t[1] = h11;
        for (int i = 0; i < n; i++) {
            double a = x1[i];
            x1[i] = x2[i];
            x2[i] = a;
        }
    }
    return 0;
}

/* Inverse iteration with Rayleigh-quotient shifts on the two vectors
 * s->x1, s->x2 (the current approximations, Ritz values t).  Returns the
 * number of steps, or -1 without convergence. */
static int rqi(tk_schrod *s, const grid *g, double t[2], int maxit, double tol)
{
    double scl = fmax(fabs(t[1]), fabs(t[0]));
    for (int it = 1; it <= maxit; it++) {
        double t0 = t[0], t1 = t[1];
        if (fabs(t1 - t0) <= 1e-12 * scl) {
            if (factor(s, g, 0.5 * (t0 + t1)) || inv_solve(s, g, s->x1, s->y1) ||
                inv_solve(s, g, s->x2, s->y2))
                return -1;
        } else {
            if (factor(s, g, t0) || inv_solve(s, g, s->x1, s->y1) || factor(s, g, t1) ||
                inv_solve(s, g, s->x2, s->y2))
                return -1;
        }
        if (ritz(g, s->y1, s->y2, s->x1, s->x2, t))
            return -1;
        scl = fmax(fabs(t[1]), fabs(t[0]));
        double ch = fmax(fabs(t[0] - t0), fabs(t[1] - t1));
        if (getenv("SCHROD_DEBUG"))
            fprintf(stderr, "rqi n=%d it=%d t=%.17g %.17g ch=%.3g\n", g->n, it, t[0], t[1], ch / scl);
        /* the change is the error before this step; the convergence is
         * cubic: a change of 2e-6 leaves an error of order 1e-17 */
        if (ch <= tol * scl)
            return it;
    }
    return -1;
}

/* Deterministic start vectors (a smooth hump and a ramp with noise). */
static void start_vectors(int n, double *r1, double *r2)
{
    unsigned long long z = 88172645463325252ULL;
    for (int i = 0; i < n; i++) {
        z ^= z << 13;
        z ^= z >> 7;
        z ^= z << 17;
        double u = (double)(z >> 11) / 9007199254740992.0 - 0.5;
        double t = (i + 1.0) / (n + 1.0);
        r1[i] = 1 + 0.25 * u;
        r2[i] = (t - 0.5) + 0.25 * u;
    }
}

/* The two lowest eigenpairs of grid g from scratch: bisection by Sturm
 * counts for starting shifts, then rqi.  Energies shifted; hi: a guess
 * above E2.  Returns steps or -1. */
static int solve_scratch(tk_schrod *s, const grid *g, double hi, double t[2], int *counts)
{
    int n = g->n;
    double lo = 0;
    for (int i = 0; i < n; i++)
        lo = fmin(lo, g->vs[i]);
    double span = fmax(hi - lo, 1e-300);
    lo -= 1e-3 * span;
    int nc = 0;
    for (int k = 0; sturm(g, lo) > 0; k++, nc++) {
        if (k > 60)
            return -1;
        lo -= span;
        span *= 2;
    }
    if (!(hi > lo))
        hi = lo + span;
    for (int k = 0; sturm(g, hi) < 2; k++, nc++) {
        if (k > 200)
            return -1;
        hi += 2 * (hi - lo);
    }
    /* brackets: count(l1) = 0 < count(u1), count(l2) <= 1 < count(u2) */
    double l1 = lo, u1 = hi, l2 = lo, u2 = hi, tol = 1e-3 * (hi - lo);
    while (u2 - l2 > tol) {
        double mid = 0.5 * (l2 + u2);
        int cnt = sturm(g, mid);
        nc++;
        if (cnt >= 2) {
            u2 = mid;
            u1 = fmin(u1, mid);
        } else {
            l2 = mid;
            if (cnt == 1)
                u1 = fmin(u1, mid);
            else
                l1 = fmax(l1, mid);
        }
    }
    while (u1 - l1 > tol) {
        double mid = 0.5 * (l1 + u1);
        if (sturm(g, mid) >= 1)
            u1 = mid;
        else
            l1 = mid;
        nc++;
    }
    *counts += nc;
    start_vectors(n, s->r1, s->r2);
    double s1 = 0.5 * (l1 + u1), s2 = 0.5 * (l2 + u2);
    if (s2 - s1 <= 1e-12 * fmax(fabs(s2), fabs(s1))) {
        if (factor(s, g, s1) || inv_solve(s, g, s->r1, s->y1) || inv_solve(s, g, s->r2, s->y2))
            return -1;
    } else {
        if (factor(s, g, s1) || inv_solve(s, g, s->r1, s->y1) || factor(s, g, s2) ||
            inv_solve(s, g, s->r2, s->y2))
            return -1;
    }
    if (ritz(g, s->y1, s->y2, s->x1, s->x2, t))
        return -1;
    int it = rqi(s, g, t, 40, 2e-6);
    return it < 0 ? -1 : it + 1;
}

/* Check with Sturm counts that t are the two lowest eigenvalues. */
static int check(const grid *g, const double t[2])
{
    double d = 1e-9 * fmax(fabs(t[1]), fabs(t[0])) + 1e3 * EPS * g->anorm;
    return sturm(g, t[0] - d) == 0 && sturm(g, t[1] + d) == 2;
}

/* Cubic (four-point Lagrange) interpolation of a vector from grid f
 * (values v, zero at and beyond its walls) to grid g. */
static double at(const grid *f, const double *v, int j)
{
    return j >= 0 && j < f->n ? v[j] : 0;
}

static void transfer(const grid *f, const double *v, const grid *g, double *out)
{
    for (int i = 0; i < g->n; i++) {
        double p = (g->a + (i + 1) * g->h - f->a) / f->h - 1; /* index on f */
        if (p <= -1 || p >= f->n) {
            out[i] = 0;
            continue;
        }
        int j = (int)floor(p);
        double w = p - j;
        double c0 = -w * (w - 1) * (w - 2) / 6, c1 = (w + 1) * (w - 1) * (w - 2) / 2,
               c2 = -(w + 1) * w * (w - 2) / 2, c3 = (w + 1) * w * (w - 1) / 6;
        out[i] = c0 * at(f, v, j - 1) + c1 * at(f, v, j) + c2 * at(f, v, j + 1) +
                 c3 * at(f, v, j + 2);
    }
}

/* Solve on grid g starting from the eigenvectors of grid f and its Ritz
 * values t; falls back to solve_scratch.  Keeps the vectors in g. */
static int solve_from(tk_schrod *s, const grid *f, grid *g, double t[2], double hi, int *counts)
{
    transfer(f, f->v1, g, s->r1);
    transfer(f, f->v2, g, s->r2);
    int it = -1;
    if (ritz(g, s->r1, s->r2, s->x1, s->x2, t) == 0)
        it = rqi(s, g, t, 30, 2e-6);
    if (it < 0 || !check(g, t)) {
        *counts += 1;
        int it2 = solve_scratch(s, g, hi, t, counts);
        if (it2 < 0 || !check(g, t))
            return -1;
        it = (it < 0 ? 30 : it) + it2;
    }
    memcpy(g->v1, s->x1, (size_t)g->n * sizeof *g->v1);
    memcpy(g->v2, s->x2, (size_t)g->n * sizeof *g->v2);
    return it;
}

/* ------------------------------------------------------------------ solve */

/* The extensions beyond xi = 0 and xi = 1 for levels up to etop. */
static void domain(const tk_schrod *s, double c, double etop, const tk_schrod_opts *o, double ext[2])
{
    ext[0] = o->walls ? 0 : extension(s, 0, c, etop, o->margin);
    ext[1] = o->walls ? 0 : extension(s, 1, c, etop, o->margin);
}

/* A grid with m cells per unit xi whose nodes include xi = 0 and xi = 1
 * (the profile joins its continuation there: a node at the joint keeps
 * the error expansion in powers of h regular), kl cells beyond 0 and kr
 * beyond 1. */
static grid *grid_aligned(tk_schrod *s, int which, double m, double kl, double kr, double c,
                          double vref, int walls)
{
    grid_setup(s, which, (int)(kl + m + kr) - 1, -kl / m, 1 / m, c, vref, walls);
    return &s->g[which];
}

int tk_schrod_solve(tk_schrod *s, double mt, double d, const tk_schrod_opts *o,
                    tk_schrod_result *r)
{
    memset(r, 0, sizeof *r);
    r->e1 = r->e2 = r->split = r->err = NAN;
    double c = 1 / (2 * mt * d * d), vref = s->vmin;
    int counts = 0;

    /* The domain holds the levels up to the top of the profile (or the
     * second level of a box of length 1, if higher); if E2 turns out to lie
     * above, it is enlarged and the levels recomputed. */
    double etop = fmax(s->vmax, s->vmin + 39.47841760435743 * c), ext[2], t[2], tn[2], tc[2];
    double p = 0;
    grid *g0 = &s->g[0], *g1 = &s->g[1], *g2 = &s->g[2];
    for (int pass = 0;; pass++) {
        domain(s, c, etop, o, ext);
        p = o->points > 0 ? o->points : tk_schrod_points(s, c, etop);
        /* cells per unit xi: m0, 2 m0, 4 m0; cells beyond the ends multiples */
        double m0 = fmin(fmax(ceil(p / 2), 4), 1e6);
        double kl = ceil(ext[0] * m0), kr = ceil(ext[1] * m0);
        if ((kl + kr + m0) * 4 > 1e8)
            return -1; /* absurd domain */
        p = 2 * m0;
        if (pass == 0) {
            g0 = grid_aligned(s, 0, m0, kl, kr, c, vref, o->walls);
            int it = solve_scratch(s, g0, etop - vref, t, &counts);
            if (it < 0 || !check(g0, t))
                return -1;
            memcpy(g0->v1, s->x1, (size_t)g0->n * sizeof *g0->v1);
            memcpy(g0->v2, s->x2, (size_t)g0->n * sizeof *g0->v2);
            r->iters += it;
        } else {
            /* start from the last finest grid */
            grid *g3 = grid_aligned(s, 0, m0, kl, kr, c, vref, o->walls);
            int it = solve_from(s, g2, g3, t, etop - vref, &counts);
            if (it < 0)
                return -1;
            r->iters += it;
            g0 = g3;
        }
        tc[0] = t[0];
        tc[1] = t[1];
        g1 = grid_aligned(s, 1, 2 * m0, 2 * kl, 2 * kr, c, vref, o->walls);
        int it = solve_from(s, g0, g1, t, etop - vref, &counts);
        if (it < 0)
            return -1;
        r->iters += it;
        tn[0] = t[0];
        tn[1] = t[1];
        g2 = grid_aligned(s, 2, 4 * m0, 4 * kl, 4 * kr, c, vref, o->walls);
        it = solve_from(s, g1, g2, t, etop - vref, &counts);
        if (it < 0)
            return -1;
        r->iters += it;
        if (getenv("SCHROD_DEBUG"))
            fprintf(stderr, "pass %d domain %g %g etop %g p %g n %d %d %d\n", pass, ext[0], ext[1],
                    etop, p, g0->n, g1->n, g2->n);
        double need = vref + t[1] + 0.1 * (t[1] - fmin(t[0], 0)) + 0.1 * (t[1] - t[0]);
        if (need <= etop || o->walls || pass == 2)
            break;
        etop = need;
    }
    double a = g2->a, b = g2->a + (g2->n + 1) * g2->h;
    int n2 = g2->n;

    /* 3. Richardson (h^4) and the error estimate */
    double sn = tn[1] - tn[0], sf = t[1] - t[0], sc = tc[1] - tc[0];
    double e1 = t[0] + (t[0] - tn[0]) / 15, e2x = t[1] + (t[1] - tn[1]) / 15;
    double rc = sn + (sn - sc) / 15, rf = sf + (sf - sn) / 15;
    if (getenv("SCHROD_DEBUG"))
        fprintf(stderr, "splits %.17g %.17g %.17g  R %.17g %.17g\n", sc, sn, sf, rc, rf);
    r->e1n = tn[0] + vref;
    r->e2n = tn[1] + vref;
    r->e1f = t[0] + vref;
    r->e2f = t[1] + vref;
    r->e1 = e1 + vref;
    r->e2 = e2x + vref;
    r->split = e2x - e1;
    double roundoff = 64 * EPS * fmax(fabs(t[1]), fabs(t[0])) / fabs(r->split);
    r->err = fabs(rf - rc) / (31 * fabs(r->split)) + roundoff;
    r->e1n = fabs(sf - sn) / (15 * fabs(r->split)); /* DEBUG: old estimate */
    r->a = a;
    r->b = b;
    r->etop = etop;
    r->points = p;
    r->n = n2;
    r->ok = 1;
    return 0;
}
