/* schrod.c - the two lowest levels of a 1D double well (see schrod.h).
 *
 * Outline of tk_schrod_solve:
 *   1. domain: the profile's continuation, long enough for states up to
 *      etop (the top of the profile, or E2 if that is higher);
 *   2. three nested grids with m, 2m and 4m cells per unit xi, their nodes
 *      on xi = 0 and xi = 1; on each, the two lowest eigenpairs of the
 *      Numerov pencil: from scratch on the coarsest (Sturm bisection, then
 *      inverse iteration), from the coarser grid's vectors on the others;
 *   3. Richardson extrapolation of the levels of grids 2 and 3 (h^4); the
 *      error estimate compares it with that of grids 1 and 2; with the
 *      automatic grid, finer grids are added (each one more solve) until the
 *      estimate is below the tolerance. */
#include "schrod.h"
#include "err.h"

#include <float.h>
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EPS DBL_EPSILON

/* One grid: n interior points x_i = a + (i + 1) h, i = 0..n-1, psi = 0 at
 * a and at a + (n + 1) h.  The pencil A - E M, energies shifted by vref. */
typedef struct {
    int n, cap;
    double a, h, c, m; /* m = 1/h cells per unit xi */
    double kl, kr;     /* cells beyond xi = 0 and beyond xi = 1 */
    double *vs;        /* V - vref at the points */
    double *ad;        /* diagonal of A */
    double *ao;        /* off-diagonal of A, ao[i] couples i and i + 1 */
    double anorm;      /* bound on |A| (Sturm-count tolerance) */
    double *v1, *v2;   /* the eigenvectors found on this grid */
    double t[2];       /* and the eigenvalues (shifted) */
    double tc[2];      /* the eigenvalues less the knot defects (corrected) */
    int have_tc;
} grid;

struct tk_schrod {
    /* the profile and its spline */
    int np, npcap;
    double *x, *y, *m;
    double *jmp;             /* jumps of V''' at the knots (right - left) */
    double vmin, vmax, kmax; /* range of the values, largest curvature */
    double s0, k0, s1, k1;   /* continuation slopes and curvatures */
    double tol;              /* the tolerance of the current solve */
    grid gs[3];
    grid *g[3]; /* coarse to fine, rotated when refining */
    /* work vectors, sized for the largest grid */
    int wcap;
    double *x1, *x2, *y1, *r1, *r2, *dl, *dd, *du, *du2; /* y1: 2 vectors */
    lapack_int *ipiv;
};

static const double MD = 10.0 / 12.0, MO = 1.0 / 12.0; /* Numerov's M */

void tk_schrod_defaults(tk_schrod_opts *o)
{
    o->points = 0;
    o->margin = 20;
    o->tol = 1e-6;
    o->walls = 0;
}

tk_schrod *tk_schrod_new(void)
{
    tk_schrod *s = tk_xcalloc(1, sizeof *s);
    for (int k = 0; k < 3; k++)
        s->g[k] = &s->gs[k];
    return s;
}

void tk_schrod_free(tk_schrod *s)
{
    if (!s)
        return;
    free(s->x);
    free(s->y);
    free(s->m);
    free(s->jmp);
    for (int k = 0; k < 3; k++) {
        grid *g = &s->gs[k];
        free(g->vs);
        free(g->ad);
        free(g->ao);
        free(g->v1);
        free(g->v2);
    }
    double *w[] = {s->x1, s->x2, s->y1, s->r1, s->r2, s->dl, s->dd, s->du, s->du2};
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
        s->jmp = tk_xrealloc(s->jmp, (size_t)n * sizeof *s->jmp);
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
    /* V''' is constant on each interval; its jumps at the knots, the
     * continuation beyond the ends having V''' = 0 */
    for (int k = 0; k < n; k++) {
        double right = k + 1 < n ? (s->m[k + 1] - s->m[k]) / (s->x[k + 1] - s->x[k]) : 0;
        double left = k > 0 ? (s->m[k] - s->m[k - 1]) / (s->x[k] - s->x[k - 1]) : 0;
        s->jmp[k] = right - left;
    }
    /* the continuation: V(end) + s u + k u^2 / 2 outward, s and k the
     * spline's end slope (outward) and curvature, k at least the range of
     * the profile, and raised if the end still falls outward (s < 0) so
     * that the parabola dips by at most 1e-3 of the range below V(end) */
    double range = s->vmax - s->vmin, kmin = range > 0 ? range : 1, dip = 1e-3 * kmin;
    double h0 = s->x[1] - s->x[0], h1 = s->x[n - 1] - s->x[n - 2];
    double d0 = (s->y[1] - s->y[0]) / h0 - h0 * (2 * s->m[0] + s->m[1]) / 6;
    double d1 = (s->y[n - 1] - s->y[n - 2]) / h1 + h1 * (s->m[n - 2] + 2 * s->m[n - 1]) / 6;
    s->s0 = d0;
    s->k0 = fmax(s->m[0], kmin);
    if (d0 > 0)
        s->k0 = fmax(s->k0, d0 * d0 / (2 * dip));
    s->s1 = d1;
    s->k1 = fmax(s->m[n - 1], kmin);
    if (d1 < 0)
        s->k1 = fmax(s->k1, d1 * d1 / (2 * dip));
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

double tk_schrod_points(const tk_schrod *s, double c)
{
    /* three points per harmonic length (2 c / k)^(1/4) at the stiffest knot
     * of the profile (k its curvature), at least 24, at most 512 */
    double p = s->kmax > 0 ? 3 * pow(s->kmax / (2 * c), 0.25) : 0;
    return fmin(fmax(p, 24), 512);
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
    s->y1 = tk_xrealloc(s->y1, 2 * b);
    s->r1 = tk_xrealloc(s->r1, b);
    s->r2 = tk_xrealloc(s->r2, b);
    s->dl = tk_xrealloc(s->dl, b);
    s->dd = tk_xrealloc(s->dd, b);
    s->du = tk_xrealloc(s->du, b);
    s->du2 = tk_xrealloc(s->du2, b);
    s->ipiv = tk_xrealloc(s->ipiv, (size_t)n * sizeof *s->ipiv);
}

/* Set up grid g: m cells per unit xi, kl cells beyond xi = 0 and kr beyond
 * xi = 1, so that 0 and 1 are nodes (the profile joins its continuation
 * there, where V''' jumps: a node at the joint keeps the error expansion in
 * powers of h regular).  The potential at the points comes from one sweep
 * through the knots. */
static void grid_setup(tk_schrod *s, grid *g, double m, double kl, double kr, double c,
                       double vref, int walls)
{
    int n = (int)(kl + m + kr) - 1;
    if (n > g->cap) {
        g->cap = n;
        size_t b = (size_t)n * sizeof(double);
        g->vs = tk_xrealloc(g->vs, b);
        g->ad = tk_xrealloc(g->ad, b);
        g->ao = tk_xrealloc(g->ao, b);
        g->v1 = tk_xrealloc(g->v1, b);
        g->v2 = tk_xrealloc(g->v2, b);
    }
    ensure_work(s, n);
    g->n = n;
    g->m = m;
    g->kl = kl;
    g->kr = kr;
    g->h = 1 / m;
    g->a = -kl / m;
    g->c = c;
    int k = 0;
    double vmax = 0;
    for (int i = 0; i < n; i++) {
        double j = i + 1 - kl, xi = j / m, v;
        if (j <= 0 || j >= m) {
            v = j == 0 ? s->y[0] : j == m ? s->y[s->np - 1] : tk_schrod_potential(s, xi, walls);
        } else {
            while (k < s->np - 2 && s->x[k + 1] <= xi)
                k++;
            v = spline_piece(s, k, xi);
        }
        g->vs[i] = v - vref;
        vmax = fmax(vmax, fabs(g->vs[i]));
    }
    double kin = c * m * m;
    for (int i = 0; i < n; i++) {
        g->ad[i] = 2 * kin + MD * g->vs[i];
        if (i + 1 < n)
            g->ao[i] = -kin + (g->vs[i] + g->vs[i + 1]) / 24;
    }
    g->anorm = 4 * kin + vmax;
}

/* Number of eigenvalues of the pencil below sigma: the negative pivots of
 * the LDL^T factorisation of A - sigma M (Sturm count). */
static int sturm(const grid *g, double sigma)
{
    const double pivmin = DBL_MIN * 1e10 * fmax(g->anorm, 1), e = MO * sigma, dm = MD * sigma;
    const double *ad = g->ad, *ao = g->ao;
    double t = ad[0] - dm;
    if (fabs(t) < pivmin)
        t = -pivmin;
    int neg = t < 0;
    for (int i = 1; i < g->n; i++) {
        double o = ao[i - 1] - e;
        t = (ad[i] - dm) - o * o / t;
        if (fabs(t) < pivmin)
            t = -pivmin;
        neg += t < 0;
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

/* The M-inner products of x and y: out = {x.x, x.y, y.y} */
static void forms_m(int n, const double *x, const double *y, double out[3])
{
    double sxx = 0, sxy = 0, syy = 0, oxx = 0, oxy = 0, oyy = 0;
    for (int i = 0; i < n; i++) {
        sxx += x[i] * x[i];
        sxy += x[i] * y[i];
        syy += y[i] * y[i];
    }
    for (int i = 0; i + 1 < n; i++) {
        oxx += x[i] * x[i + 1];
        oxy += x[i] * y[i + 1] + x[i + 1] * y[i];
        oyy += y[i] * y[i + 1];
    }
    out[0] = MD * sxx + 2 * MO * oxx;
    out[1] = MD * sxy + MO * oxy;
    out[2] = MD * syy + 2 * MO * oyy;
}

/* The A-forms {x.A.x, x.A.y, y.A.y}; the kinetic part is a sum over the
 * n + 1 links of products of differences, so that the diagonal forms (the
 * energies above vref) are sums of positive terms, without cancellation. */
static void forms_a(const grid *g, const double *x, const double *y, double out[3])
{
    int n = g->n;
    const double *v = g->vs;
    double kxx = x[0] * x[0] + x[n - 1] * x[n - 1];
    double kxy = x[0] * y[0] + x[n - 1] * y[n - 1];
    double kyy = y[0] * y[0] + y[n - 1] * y[n - 1];
    double pxx = 0, pxy = 0, pyy = 0;
    for (int i = 0; i + 1 < n; i++) {
        double dx = x[i + 1] - x[i], dy = y[i + 1] - y[i], w = (v[i] + v[i + 1]) / 24;
        kxx += dx * dx;
        kxy += dx * dy;
        kyy += dy * dy;
        pxx += w * 2 * x[i] * x[i + 1];
        pxy += w * (x[i] * y[i + 1] + x[i + 1] * y[i]);
        pyy += w * 2 * y[i] * y[i + 1];
    }
    for (int i = 0; i < n; i++) {
        double w = MD * v[i];
        pxx += w * x[i] * x[i];
        pxy += w * x[i] * y[i];
        pyy += w * y[i] * y[i];
    }
    double kin = g->c * g->m * g->m;
    out[0] = kin * kxx + pxx;
    out[1] = kin * kxy + pxy;
    out[2] = kin * kyy + pyy;
}

/* Factorise A - sigma M (LAPACKE_dgttrf, LU with partial pivoting) into
 * s->dl, dd, du, du2, ipiv.  Returns 0, or -1 if singular even after
 * nudging sigma. */
static int factor(tk_schrod *s, const grid *g, double sigma)
{
    int n = g->n;
    for (int attempt = 0; attempt < 4; attempt++) {
        double e = MO * sigma, dm = MD * sigma;
        for (int i = 0; i < n; i++)
            s->dd[i] = g->ad[i] - dm;
        for (int i = 0; i + 1 < n; i++)
            s->dl[i] = s->du[i] = g->ao[i] - e;
        if (LAPACKE_dgttrf_work(n, s->dl, s->dd, s->du, s->du2, s->ipiv) == 0)
            return 0;
        sigma += 64 * EPS * (fabs(sigma) + g->anorm * 1e-3);
    }
    return -1;
}

/* y = (A - sigma M)^{-1} M x with the factorisation of factor(); with
 * x2, y2 too (y2 must follow y in memory: y2 = y + n). */
static int inv_solve(tk_schrod *s, const grid *g, const double *x, const double *x2, double *y)
{
    int n = g->n;
    mul_m(n, x, y);
    if (x2)
        mul_m(n, x2, y + n);
    return LAPACKE_dgttrs_work(LAPACK_COL_MAJOR, 'N', n, x2 ? 2 : 1, s->dl, s->dd, s->du, s->du2,
                               s->ipiv, y, n)
               ? -1
               : 0;
}

static void scale(int n, double *x, double f)
{
    for (int i = 0; i < n; i++)
        x[i] *= f;
}

/* Rayleigh-Ritz on span{y1, y2} (overwritten): M-orthonormal Ritz vectors
 * into x1, x2, Ritz values t[0] <= t[1].  Returns 0, -1 if degenerate.
 * When y1 and y2 are far from parallel (the usual case), the 2 x 2 problem
 * is set up from their Gram matrices directly and the Ritz vectors formed
 * in one pass; otherwise y2 is orthogonalised against y1 first (twice if
 * needed), which keeps the accuracy when they are nearly parallel. */
static int ritz(const grid *g, double *y1, double *y2, double *x1, double *x2, double t[2])
{
    int n = g->n;
    double f[3], h[3];
    forms_m(n, y1, y2, f);
    if (!(f[0] > 0) || !(f[2] > 0) || !isfinite(f[0]) || !isfinite(f[2]))
        return -1;
    double a = 1 / sqrt(f[0]), b = 1 / sqrt(f[2]), r = f[1] * a * b;
    /* x = c11 y1 + c12 y2 for the orthonormal z1, z2 below */
    double c11, c12, c21, c22, h11, h12, h22;
    if (fabs(r) <= 0.1) {
        /* z1 = a y1, z2 = (b y2 - r a y1) / sg */
        double sg = sqrt(1 - r * r);
        forms_a(g, y1, y2, h);
        double k11 = h[0] * a * a, k12 = h[1] * a * b, k22 = h[2] * b * b;
        h11 = k11;
        h12 = (k12 - r * k11) / sg;
        h22 = (k22 - 2 * r * k12 + r * r * k11) / (sg * sg);
        c11 = a;
        c12 = 0;
        c21 = -r * a / sg;
        c22 = b / sg;
    } else {
        scale(n, y1, a);
        scale(n, y2, b);
        for (int pass = 0; pass < 2; pass++) { /* Gram-Schmidt, twice if needed */
            for (int i = 0; i < n; i++)
                y2[i] -= r * y1[i];
            forms_m(n, y1, y2, f);
            if (!(f[2] > 1e-24))
                return -1;
            b = 1 / sqrt(f[2]);
            scale(n, y2, b);
            r = f[1] * b;
            if (f[2] > 0.01) /* little cancellation: orthogonal to working precision */
                break;
        }
        forms_a(g, y1, y2, h);
        h11 = h[0];
        h12 = h[1];
        h22 = h[2];
        c11 = c22 = 1;
        c12 = c21 = 0;
    }
    double cs = 1, sn = 0;
    if (h12 != 0) { /* Jacobi rotation */
        double tau = (h22 - h11) / (2 * h12);
        double tt = (tau >= 0 ? 1 : -1) / (fabs(tau) + sqrt(1 + tau * tau));
        cs = 1 / sqrt(1 + tt * tt);
        sn = tt * cs;
        h11 -= tt * h12;
        h22 += tt * h12;
    }
    if (h11 > h22) { /* lower first */
        double tmp = h11;
        h11 = h22;
        h22 = tmp;
        tmp = cs;
        cs = -sn;
        sn = tmp;
    }
    /* x1 = cs z1 - sn z2, x2 = sn z1 + cs z2 */
    double p1 = cs * c11 - sn * c21, q1 = cs * c12 - sn * c22;
    double p2 = sn * c11 + cs * c21, q2 = sn * c12 + cs * c22;
    for (int i = 0; i < n; i++) {
        double u = y1[i], v = y2[i];
        x1[i] = p1 * u + q1 * v;
        x2[i] = p2 * u + q2 * v;
    }
    t[0] = h11;
    t[1] = h22;
    return 0;
}

/* |A x - t M x|^2 for an M-normalised x */
static double resid2(const grid *g, const double *x, double t)
{
    int n = g->n;
    const double *ad = g->ad, *ao = g->ao;
    double sum = 0;
    for (int i = 0; i < n; i++) {
        double xl = i > 0 ? x[i - 1] : 0, xr = i + 1 < n ? x[i + 1] : 0;
        double ol = i > 0 ? ao[i - 1] : 0, orr = i + 1 < n ? ao[i] : 0;
        double r = (ad[i] - t * MD) * x[i] + (ol - t * MO) * xl + (orr - t * MO) * xr;
        sum += r * r;
    }
    return sum;
}

/* Inverse iteration with Rayleigh-quotient shifts on s->x1, s->x2 (Ritz
 * values t), Rayleigh-Ritz after every step.  With brackets br = {l1, u1,
 * l2, u2} (each holding its eigenvalue), a Ritz value outside its bracket
 * is replaced as shift by the bracket's midpoint, so that the iteration
 * cannot wander to a neighbour.  Converged:
 *   - when the residuals R of the Ritz pairs are so small that the
 *     Rayleigh-Ritz bound |t - E| <= |R|^2_{M^-1} / gap (|.|^2_{M^-1} <=
 *     1.5 |.|^2, M's eigenvalues being at least 2/3) is below
 *     q = max(1e-16 t1, 1e-4 tol (t1 - t0)): negligible for the splitting
 *     at the tolerance; the gap to E3 is at least g3 = 0.2 t1 when a Sturm
 *     count finds exactly two eigenvalues below t1 + g3 (which also proves
 *     that t are E1 and E2: *sure = 1);
 *   - otherwise after the step whose change of t is below 2e-6 (relative):
 *     the change is the error before the step and the convergence cubic,
 *     so that the error left is of order 1e-17.
 * Returns the steps, -1 on failure. */
static int rqi(tk_schrod *s, const grid *g, double t[2], int maxit, const double *br, int *sure)
{
    *sure = 0;
    for (int it = 1; it <= maxit; it++) {
        double t0 = t[0], t1 = t[1], scl = fmax(fabs(t0), fabs(t1));
        const double tol = 2e-6;
        double s0 = t0, s1 = t1;
        if (br) {
            if (!(s0 >= br[0] && s0 <= br[1]))
                s0 = 0.5 * (br[0] + br[1]);
            if (!(s1 >= br[2] && s1 <= br[3]))
                s1 = 0.5 * (br[2] + br[3]);
        }
        if (fabs(s1 - s0) <= 1e-3 * scl) {
            /* a near-degenerate pair: one shift for both, the convergence
             * factor (t1 - t0) / (E3 - t1) per step is still small */
            if (factor(s, g, 0.5 * (s0 + s1)) || inv_solve(s, g, s->x1, s->x2, s->y1))
                return -1;
        } else {
            if (factor(s, g, s0) || inv_solve(s, g, s->x1, NULL, s->y1) || factor(s, g, s1) ||
                inv_solve(s, g, s->x2, NULL, s->y1 + g->n))
                return -1;
        }
        if (ritz(g, s->y1, s->y1 + g->n, s->x1, s->x2, t))
            return -1;
        double ch = fmax(fabs(t[0] - t0), fabs(t[1] - t1));
        int plain = s0 == t0 && s1 == t1; /* Rayleigh-quotient shifts */
        if (plain && ch <= 1e-3 * scl && t[1] > 0) {
            double g3 = 0.2 * t[1];
            double r2 = fmax(resid2(g, s->x1, t[0]), resid2(g, s->x2, t[1]));
            double q = fmax(1e-16 * t[1], 1e-4 * s->tol * (t[1] - t[0]));
            if (1.5 * r2 <= q * g3 && sturm(g, t[1] + g3) == 2) {
                *sure = 1;
                return it;
            }
        }
        if (ch <= tol * scl && plain)
            return it;
    }
    return -1;
}

/* Deterministic start vectors: a hump and a ramp, with noise. */
static void start_vectors(int n, double *r1, double *r2)
{
    unsigned long long z = 88172645463325252ULL;
    for (int i = 0; i < n; i++) {
        z ^= z << 13;
        z ^= z >> 7;
        z ^= z << 17;
        double u = (double)(z >> 11) / 9007199254740992.0 - 0.5;
        double x = (i + 1.0) / (n + 1.0);
        r1[i] = 1 + 0.25 * u;
        r2[i] = (x - 0.5) + 0.25 * u;
    }
}

/* Check with a Sturm count that t are the two lowest eigenvalues of g: t
 * are Ritz values of two orthogonal converged vectors, so t[1] is at least
 * E2, and the pair is (E1, E2) when exactly two eigenvalues lie below t[1]
 * (plus the error of the count). */
static int check(const grid *g, const double t[2])
{
    double d = 1e-9 * fmax(fabs(t[1]), fabs(t[0])) + 1e3 * EPS * g->anorm;
    return sturm(g, t[1] + d) == 2;
}

/* v_j, zero at and beyond the walls */
static double at(const grid *f, const double *v, int j)
{
    return j >= 0 && j < f->n ? v[j] : 0;
}

/* The leading error that a jump J of V''' at a point between grid nodes
 * (a knot of the spline) adds to an eigenvalue: psi^(5) jumps there by
 * J psi / c, and Numerov's residual at the two nodes whose stencils
 * straddle the point is J psi h^3 g / c, g = (w (1 - w))^2 / 24 - 1/180
 * for the point at x_i + w h.  So E_h - E = -sum J h^3 g v(x)^2 for an
 * eigenvector v normalised on the grid.  The constant part of g adds one
 * more h^4 term, which the extrapolation removes; the part that depends
 * on where the knots fall between the nodes is erratic and does not
 * extrapolate: it is subtracted here.  (xi = 0 and 1, where V''' jumps
 * too, are nodes: w = 0.)  out = sum J h^3 (w (1 - w))^2 / 24 v(x)^2 for
 * the two eigenvectors of g (v(x) interpolated linearly). */
static void knot_defects(const tk_schrod *s, const grid *g, double out[2])
{
    double s1 = 0, s2 = 0, h3 = g->h * g->h * g->h / 24;
    const double *v1 = g->v1, *v2 = g->v2;
    for (int k = 1; k + 1 < s->np; k++) {
        double p = (s->x[k] - g->a) * g->m - 1; /* index of the knot on g */
        int i = (int)floor(p);
        if (i < 0 || i + 1 >= g->n)
            continue;
        double w = p - i, f = s->jmp[k] * h3 * (w * (1 - w)) * (w * (1 - w));
        double p1 = v1[i] + w * (v1[i + 1] - v1[i]), p2 = v2[i] + w * (v2[i + 1] - v2[i]);
        s1 += f * p1 * p1;
        s2 += f * p2 * p2;
    }
    out[0] = s1;
    out[1] = s2;
}

/* The eigenvalues of g less the knot defects (computed once). */
static const double *corrected(const tk_schrod *s, grid *g)
{
    if (!g->have_tc) {
        double d[2] = {0, 0};
        knot_defects(s, g, d);
        g->tc[0] = g->t[0] + d[0];
        g->tc[1] = g->t[1] + d[1];
        g->have_tc = 1;
    }
    return g->tc;
}

static void keep(tk_schrod *s, grid *g, const double t[2])
{
    memcpy(g->v1, s->x1, (size_t)g->n * sizeof *g->v1);
    memcpy(g->v2, s->x2, (size_t)g->n * sizeof *g->v2);
    g->t[0] = t[0];
    g->t[1] = t[1];
    g->have_tc = 0;
}

/* The two lowest eigenpairs of g from scratch: brackets of width tol
 * (relative to the range) from Sturm counts (bisection), then inverse
 * iteration.  hi: a guess above E2 (shifted).  Returns the steps, or -1. */
static int scratch_try(tk_schrod *s, grid *g, double hi, double rtol)
{
    int n = g->n;
    double lo = 0;
    for (int i = 0; i < n; i++)
        lo = fmin(lo, g->vs[i]);
    double span = fmax(hi - lo, 1e-300);
    lo -= 1e-3 * span;
    for (int k = 0; sturm(g, lo) > 0; k++) {
        if (k > 60)
            return -1;
        lo -= span;
        span *= 2;
    }
    if (!(hi > lo))
        hi = lo + span;
    for (int k = 0; sturm(g, hi) < 2; k++) {
        if (k > 200)
            return -1;
        hi += 2 * (hi - lo);
    }
    /* brackets: count(l1) = 0 < count(u1), count(l2) <= 1 < count(u2) */
    double l1 = lo, u1 = hi, l2 = lo, u2 = hi, tol = rtol * (hi - lo);
    while (u2 - l2 > tol) {
        double mid = 0.5 * (l2 + u2);
        int cnt = sturm(g, mid);
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
    }
    start_vectors(n, s->r1, s->r2);
    double s1 = 0.5 * (l1 + u1), s2 = 0.5 * (l2 + u2), t[2];
    if (s2 - s1 <= 1e-3 * fmax(fabs(s1), fabs(s2))) {
        if (factor(s, g, 0.5 * (s1 + s2)) || inv_solve(s, g, s->r1, s->r2, s->y1))
            return -1;
    } else if (factor(s, g, s1) || inv_solve(s, g, s->r1, NULL, s->y1) || factor(s, g, s2) ||
               inv_solve(s, g, s->r2, NULL, s->y1 + g->n)) {
        return -1;
    }
    if (ritz(g, s->y1, s->y1 + g->n, s->x1, s->x2, t))
        return -1;
    double br[4] = {l1, u1, l2, u2};
    int sure, it = rqi(s, g, t, 60, br, &sure);
    if (it < 0 || !(sure || check(g, t)))
        return -1;
    keep(s, g, t);
    return it + 1;
}

/* From scratch, with narrow brackets on a second try (levels close to
 * each other). */
static int solve_scratch(tk_schrod *s, grid *g, double hi)
{
    int it = scratch_try(s, g, hi, 1e-3);
    if (it < 0)
        it = scratch_try(s, g, hi, 1e-9);
    return it;
}

/* Interpolation of a vector from grid f (values v, zero at and beyond its
 * walls) to grid g: six-point Lagrange at the midpoints of a nested grid
 * twice as fine, four-point Lagrange otherwise. */
static void transfer(const grid *f, const double *v, const grid *g, double *out)
{
    if (g->m == 2 * f->m && g->a == f->a && g->n == 2 * f->n + 1) {
        /* the nested grid: old nodes, and midpoints */
        for (int i = 0; i < f->n; i++)
            out[2 * i + 1] = v[i];
        for (int j = -1; j < f->n; j++) /* six-point Lagrange */
            out[2 * j + 2] = (150 * (at(f, v, j) + at(f, v, j + 1)) -
                              25 * (at(f, v, j - 1) + at(f, v, j + 2)) +
                              3 * (at(f, v, j - 2) + at(f, v, j + 3))) / 256;
        return;
    }
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

/* Solve on grid g starting from the eigenpairs of grid f; falls back to
 * solve_scratch.  Returns the steps, or -1. */
static int solve_from(tk_schrod *s, const grid *f, grid *g, double hi)
{
    transfer(f, f->v1, g, s->r1);
    transfer(f, f->v2, g, s->r2);
    double t[2];
    int it = -1, sure = 0;
    if (ritz(g, s->r1, s->r2, s->x1, s->x2, t) == 0)
        it = rqi(s, g, t, 30, NULL, &sure);
    if (it >= 0 && (sure || check(g, t))) {
        keep(s, g, t);
        return it;
    }
    int it2 = solve_scratch(s, g, hi);
    return it2 < 0 ? -1 : 30 + it2;
}

/* ------------------------------------------------------------------ solve */

/* The extensions beyond xi = 0 and xi = 1 for levels up to etop. */
static void domain(const tk_schrod *s, double c, double etop, const tk_schrod_opts *o,
                   double ext[2])
{
    ext[0] = o->walls ? 0 : extension(s, 0, c, etop, o->margin);
    ext[1] = o->walls ? 0 : extension(s, 1, c, etop, o->margin);
}

/* Richardson extrapolation (h^4) from grids with h and h/2 */
static double richardson(double coarse, double fine)
{
    return fine + (fine - coarse) / 15;
}

/* The rotation of the two-level description on grid g (schrod.h): P_jk =
 * the M-form of v_j and v_k weighted by the side of the profile's highest
 * point xt (weight 1 beyond it, 0 before, 1/2 for a node on it, the
 * couplings of M by the mean weight of their two nodes, so that a
 * symmetric well splits evenly), normalised by the whole M-forms.  out =
 * {(p22 - p11) / r, 2 |p12| / r, r}, r = sqrt((p22 - p11)^2 + 4 p12^2):
 * cos and sin of twice the rotation angle, and loc.  Returns -1 when the
 * top is not inside the grid's interior or r = 0. */
static int rotation(const grid *g, double xt, double out[3])
{
    int n = g->n;
    double q = (xt - g->a) * g->m - 1; /* the top's place in node units */
    int i0 = (int)floor(q + 0.5), on = fabs(q - i0) < 1e-6, ib = on ? i0 : (int)ceil(q);
    if (ib < 1 || ib >= n)
        return -1;
    const double *v1 = g->v1, *v2 = g->v2;
    double all[3], p[3] = {0, 0, 0}, wprev = 0;
    forms_m(n, v1, v2, all);
    for (int i = ib - 1; i < n; i++) {
        double wi = i < ib ? 0 : (on && i == ib) ? 0.5 : 1;
        p[0] += wi * MD * v1[i] * v1[i];
        p[1] += wi * MD * v1[i] * v2[i];
        p[2] += wi * MD * v2[i] * v2[i];
        if (i > ib - 1) { /* the coupling of i - 1 and i */
            double c = 0.5 * (wprev + wi) * MO;
            p[0] += c * 2 * v1[i - 1] * v1[i];
            p[1] += c * (v1[i - 1] * v2[i] + v1[i] * v2[i - 1]);
            p[2] += c * 2 * v2[i - 1] * v2[i];
        }
        wprev = wi;
    }
    if (!(all[0] > 0 && all[2] > 0))
        return -1;
    double p11 = p[0] / all[0], p22 = p[2] / all[2], p12 = p[1] / sqrt(all[0] * all[2]);
    double dp = p22 - p11, qq = 2 * fabs(p12), r = hypot(dp, qq);
    if (!(r > 0))
        return -1;
    out[0] = dp / r;
    out[1] = qq / r;
    out[2] = r;
    return 0;
}

/* The two-level description (schrod.h) from the two finest grids: the
 * rotation's cos and sin extrapolated as the levels are (h^4, Richardson)
 * and made a unit vector again, so that asym^2 + delta0^2 = split^2; loc
 * from the finest grid. */
static void two_level(const tk_schrod *s, const grid *g1, const grid *g2, tk_schrod_result *r)
{
    r->asym = r->delta0 = r->loc = NAN;
    int top = 0;
    for (int k = 1; k < s->np; k++)
        if (s->y[k] > s->y[top])
            top = k;
    if (top == 0 || top == s->np - 1)
        return; /* no barrier between the ends */
    double c1[3], c2[3];
    if (rotation(g1, s->x[top], c1) != 0 || rotation(g2, s->x[top], c2) != 0)
        return;
    double c = richardson(c1[0], c2[0]), sn = richardson(c1[1], c2[1]), norm = hypot(c, sn);
    if (!(norm > 0))
        return;
    r->loc = c2[2];
    r->asym = r->split * c / norm;
    r->delta0 = r->split * fabs(sn) / norm;
}


int tk_schrod_solve(tk_schrod *s, double mt, double d, const tk_schrod_opts *o,
                    tk_schrod_result *r)
{
    memset(r, 0, sizeof *r);
    r->e1 = r->e2 = r->split = r->err = r->e1f = r->e2f = NAN;
    r->asym = r->delta0 = r->loc = NAN;
    const double c = 1 / (2 * mt * d * d), vref = s->vmin, cap = 4e6; /* points */
    const int autogrid = !(o->points > 0);
    /* absurd masses, lengths or energies (the callers check theirs) must
     * not reach the grid set-up: no solution instead of an overflow */
    if (!(c > 0 && c < INFINITY) || !isfinite(s->vmax - s->vmin))
        return -1;
    s->tol = o->tol > 0 ? o->tol : 1e-6;

    /* The domain holds the levels up to the top of the profile (or the
     * second level of a box of length 1, if higher); if E2 turns out to
     * lie above, it is enlarged and the levels recomputed. */
    double etop = fmax(s->vmax, s->vmin + 39.47841760435743 * c), ext[2], kl = 0, kr = 0;
    double m = fmax(ceil((autogrid ? tk_schrod_points(s, c) : o->points) / 2), 2);
    for (int pass = 0;; pass++) {
        domain(s, c, etop, o, ext);
        kl = ceil(ext[0] * m);
        kr = ceil(ext[1] * m);
        if (!((kl + kr + m) * 4 <= cap)) /* also nan */
            return -1;
        grid **g = s->g;
        if (pass == 0) {
            grid_setup(s, g[0], m, kl, kr, c, vref, o->walls);
            int it = solve_scratch(s, g[0], etop - vref);
            if (it < 0)
                return -1;
            r->iters += it;
        } else {
            /* the old finest grid is the start */
            grid *t = g[0];
            g[0] = g[2];
            g[2] = t;
            grid_setup(s, g[0], m, kl, kr, c, vref, o->walls);
            int it = solve_from(s, g[2], g[0], etop - vref);
            if (it < 0)
                return -1;
            r->iters += it;
        }
        for (int k = 1; k < 3; k++) {
            double f = k == 1 ? 2 : 4;
            grid_setup(s, g[k], f * m, f * kl, f * kr, c, vref, o->walls);
            int it = solve_from(s, g[k - 1], g[k], etop - vref);
            if (it < 0)
                return -1;
            r->iters += it;
        }
        const double *t = g[2]->t;
        double need = vref + t[1] + 0.1 * (t[1] - fmin(t[0], 0)) + 0.1 * (t[1] - t[0]);
        if (need <= etop || o->walls)
            break;
        if (pass == 5)
            return -1; /* E2 keeps escaping: no bound states to speak of */
        etop = need;
    }

    /* Richardson on grids 2 and 3, error estimate from grids 1 and 2;
     * refine (one more grid each time) while the estimate is too large */
    for (;;) {
        grid **g = s->g;
        const double *t0 = corrected(s, g[0]), *t1 = corrected(s, g[1]), *t2 = corrected(s, g[2]);
        double e1 = richardson(t1[0], t2[0]), e2 = richardson(t1[1], t2[1]);
        double split = fmax(e2 - e1, 0); /* below rounding it may come out < 0 */
        double rc = richardson(t0[1] - t0[0], t1[1] - t1[0]);
        double disc = fabs(split - rc) / (31 * split);
        double round = 64 * EPS * fmax(fabs(t2[1]), fabs(t2[0])) / split;
        if (!(disc < INFINITY))
            disc = INFINITY; /* also for 0 / 0 */
        r->e1 = e1 + vref;
        r->e2 = e2 + vref;
        r->split = split;
        r->err = disc + round;
        r->e1f = t2[0] + vref;
        r->e2f = t2[1] + vref;
        r->points = g[1]->m;
        r->n = g[2]->n;
        r->a = g[2]->a;
        r->b = g[2]->a + (g[2]->n + 1) * g[2]->h;
        if (!autogrid || !(disc > 0.5 * o->tol) || disc < round || r->refined >= 4 ||
            (double)g[2]->n * 2 > cap)
            break;
        grid *t = g[0];
        g[0] = g[1];
        g[1] = g[2];
        g[2] = t;
        grid_setup(s, g[2], 2 * g[1]->m, 2 * g[1]->kl, 2 * g[1]->kr, c, vref, o->walls);
        int it = solve_from(s, g[1], g[2], etop - vref);
        if (it < 0)
            return -1;
        r->iters += it;
        r->refined++;
    }
    r->etop = etop;
    r->ok = 1;
    two_level(s, s->g[1], s->g[2], r);
    return 0;
}
