/* test_schrod.c - the 1D Schroedinger solver of lib/schrod.c (schrod1d).
 *
 *   - the interpolant: the not-a-knot spline reproduces cubic polynomials,
 *     three points give their parabola, and the continuation beyond the
 *     ends is V(end) + V'(end) u + V''(end) u^2 / 2;
 *   - exact levels: a harmonic well, E_n = (n + 1/2) omega with omega =
 *     sqrt(k / (mt d^2)), to 1e-8 for two masses and path lengths (a factor
 *     of two or a wrong sign in the kinetic term is off by 40 % or more),
 *     and a box with hard walls, E_n = n^2 pi^2 / (2 mt d^2);
 *   - the order of the method: Numerov's h^4 on one grid, better after the
 *     extrapolation;
 *   - quartic double wells, symmetric, asymmetric and with a splitting
 *     of 1.4e-7 E1, against an independent reference: the Hamiltonian in a
 *     sine basis on a long interval, matrix elements by Gauss-Legendre
 *     quadrature, diagonalised by LAPACKE_dsyev (and a 2 x 2 Rayleigh-Ritz
 *     on the two lowest eigenvectors for an accurate splitting);
 *   - the continuation: with the minima at the ends, the splitting does
 *     not move when the margin doubles; hard walls change it completely;
 *   - the two-level description (asym, delta0): zero asymmetry for a
 *     symmetric well, the wells' zero-point energies for harmonic wells of
 *     different curvature.
 */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "schrod.h"
#include "tap.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

static double relerr(double a, double b)
{
    return fabs(a - b) / fmax(fabs(b), 1e-300);
}

/* ---------------------------------------------------------------- potentials */

/* the quartic double well with minima at 0 and 1, asymmetry dv and barrier
 * about vb: V = 16 vb x^2 (1 - x)^2 + dv (3 x^2 - 2 x^3), continued beyond
 * the ends by its Taylor parabola (V' = 0 there) as schrod1d does */
typedef struct {
    double vb, dv;
} quartic;

static double quartic_v(const quartic *q, double x)
{
    if (x < 0)
        return (16 * q->vb + 3 * q->dv) * x * x;
    if (x > 1)
        return q->dv + (16 * q->vb - 3 * q->dv) * (x - 1) * (x - 1);
    return 16 * q->vb * x * x * (1 - x) * (1 - x) + q->dv * (3 * x * x - 2 * x * x * x);
}

static void sample_quartic(const quartic *q, int n, double *x, double *v)
{
    for (int i = 0; i < n; i++) {
        x[i] = (double)i / (n - 1);
        v[i] = quartic_v(q, x[i]);
    }
}

/* ---------------------------------------------------------------- reference */

/* Gauss-Legendre nodes and weights on [-1, 1] (Newton on P_n) */
static void gauss_legendre(int n, double *t, double *w)
{
    for (int i = 0; i < n; i++) {
        double z = cos(M_PI * (i + 0.75) / (n + 0.5)), dp = 0;
        for (int it = 0; it < 100; it++) {
            double p0 = 1, p1 = z;
            for (int k = 2; k <= n; k++) {
                double p2 = ((2 * k - 1) * z * p1 - (k - 1) * p0) / k;
                p0 = p1;
                p1 = p2;
            }
            dp = n * (z * p1 - p0) / (z * z - 1);
            double dz = p1 / dp;
            z -= dz;
            if (fabs(dz) < 1e-16)
                break;
        }
        t[i] = z;
        w[i] = 2 / ((1 - z * z) * dp * dp);
    }
}

/* The two lowest levels of -c psi'' + V psi on [A, B] with psi = 0 at the
 * ends, in the basis of the first nb sines phi_m = sqrt(2/L) sin(m th),
 * th = pi (x - A) / L.  Since phi_m phi_n = (cos((m - n) th) - cos((m + n)
 * th)) / L, the potential's matrix needs only the cosine moments C_k of V,
 * integrated by 10-point Gauss-Legendre on panels of width 0.01 (A, 0, 1
 * and B on panel edges), summed in long double.  LAPACKE_dsyev gives the
 * eigenvectors; the levels and the splitting come from the 2 x 2
 * Hamiltonian on the two lowest (in long double), so that a splitting far
 * below the levels keeps its digits.  V is the potential schrod1d solves
 * with: the spline of the samples, continued by the parabola of its end
 * derivatives (tk_schrod_potential), which test_interpolant checks. */
static void reference(const tk_schrod *sv, double c, double A, double B, int nb, double out[3])
{
    const int ng = 10;
    double gt[10], gw[10];
    gauss_legendre(ng, gt, gw);
    double L = B - A, pw = 0.01;
    int np = (int)lround(L / pw), nk = 2 * nb + 1;
    long double *cm = calloc((size_t)nk, sizeof *cm);
    for (int p = 0; p < np; p++)
        for (int k = 0; k < ng; k++) {
            double x = A + (p + 0.5) * pw + 0.5 * pw * gt[k], th = M_PI * (x - A) / L;
            double wv = 0.5 * pw * gw[k] * tk_schrod_potential(sv, x, 0);
            for (int j = 0; j < nk; j++)
                cm[j] += (long double)wv * cos(j * th);
        }
    double *h = malloc((size_t)nb * nb * sizeof *h), *h0 = malloc((size_t)nb * nb * sizeof *h0);
    double *w = malloc((size_t)nb * sizeof *w);
    for (int m = 1; m <= nb; m++)
        for (int n = 1; n <= nb; n++) {
            double v = (double)((cm[abs(m - n)] - cm[m + n]) / L);
            if (m == n)
                v += c * (m * M_PI / L) * (m * M_PI / L);
            h[(size_t)(m - 1) * nb + n - 1] = h0[(size_t)(m - 1) * nb + n - 1] = v;
        }
    if (LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'V', 'U', nb, h, nb, w) != 0)
        abort();
    /* columns 0 and 1 of h: the eigenvectors; 2 x 2 Rayleigh-Ritz */
    long double r[2][2];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            long double s = 0;
            for (int m = 0; m < nb; m++)
                for (int n = 0; n < nb; n++)
                    s += (long double)h[(size_t)m * nb + i] * h0[(size_t)m * nb + n] *
                         h[(size_t)n * nb + j];
            r[i][j] = s;
        }
    long double mean = 0.5L * (r[0][0] + r[1][1]), half = 0.5L * (r[1][1] - r[0][0]);
    long double sp = 2 * sqrtl(half * half + r[0][1] * r[0][1]);
    out[0] = (double)(mean - sp / 2);
    out[1] = (double)(mean + sp / 2);
    out[2] = (double)sp;
    free(cm);
    free(h);
    free(h0);
    free(w);
}

/* ---------------------------------------------------------------- tests */

static void test_interpolant(void)
{
    /* a cubic, on uneven points: reproduced everywhere inside; beyond the
     * ends its Taylor parabola */
    double x[6] = {0, 0.07, 0.3, 0.55, 0.61, 1}, v[6];
    for (int i = 0; i < 6; i++)
        v[i] = 0.3 - 0.2 * x[i] + 0.9 * x[i] * x[i] - 0.45 * x[i] * x[i] * x[i];
    tk_schrod *s = tk_schrod_new();
    tk_schrod_set_profile(s, 6, x, v);
    double worst = 0;
    for (int k = 0; k <= 100; k++) {
        double t = k / 100.0, want = 0.3 - 0.2 * t + 0.9 * t * t - 0.45 * t * t * t;
        worst = fmax(worst, fabs(tk_schrod_potential(s, t, 0) - want));
    }
    ok(worst < 1e-14, "spline reproduces a cubic on uneven points (max error %.2g)", worst);
    /* V'(0) = -0.2 (falls inward: kept), V''(0) = 1.8; V'(1) = -0.2 + 1.8
     * - 1.35 = 0.25, V''(1) = 1.8 - 2.7 = -0.9, raised to the range */
    double range = 0, lo = v[0], hi = v[0];
    for (int i = 0; i < 6; i++) {
        lo = fmin(lo, v[i]);
        hi = fmax(hi, v[i]);
    }
    range = hi - lo;
    double u = 0.3, left = 0.3 + 0.2 * u + 0.9 * u * u;
    double right = v[5] + 0.25 * u + 0.5 * range * u * u;
    ok(fabs(tk_schrod_potential(s, -u, 0) - left) < 1e-13,
       "continuation beyond 0: V(0) + V'(0) xi + V''(0) xi^2 / 2 (%.15g vs %.15g)",
       tk_schrod_potential(s, -u, 0), left);
    ok(fabs(tk_schrod_potential(s, 1 + u, 0) - right) < 1e-13,
       "continuation beyond 1 with the curvature raised to max V - min V (%.15g vs %.15g)",
       tk_schrod_potential(s, 1 + u, 0), right);
    ok(isinf(tk_schrod_potential(s, -u, 1)) && isinf(tk_schrod_potential(s, 1 + u, 1)),
       "with walls the potential is infinite outside [0, 1]");
    /* three points: their parabola */
    double x3[3] = {0, 0.4, 1}, v3[3];
    for (int i = 0; i < 3; i++)
        v3[i] = 2 * (x3[i] - 0.3) * (x3[i] - 0.3);
    tk_schrod_set_profile(s, 3, x3, v3);
    worst = 0;
    for (int k = -20; k <= 120; k++) {
        double t = k / 100.0;
        worst = fmax(worst, fabs(tk_schrod_potential(s, t, 0) - 2 * (t - 0.3) * (t - 0.3)));
    }
    ok(worst < 1e-14, "three points: the parabola, also continued (max error %.2g)", worst);
    tk_schrod_free(s);
}

static void test_harmonic(double k, double mt, double d)
{
    int n = 201;
    double x[201], v[201];
    for (int i = 0; i < n; i++) {
        x[i] = (double)i / (n - 1);
        v[i] = 0.5 * k * (x[i] - 0.5) * (x[i] - 0.5);
    }
    tk_schrod *s = tk_schrod_new();
    tk_schrod_set_profile(s, n, x, v);
    tk_schrod_opts o;
    tk_schrod_defaults(&o);
    o.tol = 1e-10;
    tk_schrod_result r;
    int rc = tk_schrod_solve(s, mt, d, &o, &r);
    double w = sqrt(k / (mt * d * d));
    ok(rc == 0 && relerr(r.e1, 0.5 * w) < 1e-8 && relerr(r.e2, 1.5 * w) < 1e-8 &&
           relerr(r.split, w) < 1e-8,
       "harmonic k=%g mt=%g d=%g: e1 %.15g e2 %.15g = omega/2, 3 omega/2 (omega %.15g; "
       "errors %.1e %.1e, split %.1e, estimate %.1e)",
       k, mt, d, r.e1, r.e2, w, relerr(r.e1, 0.5 * w), relerr(r.e2, 1.5 * w),
       relerr(r.split, w), r.err);
    ok(r.err < 1e-9 && r.err > relerr(r.split, w),
       "harmonic: error estimate %.2g covers the error %.2g", r.err, relerr(r.split, w));
    /* the automatic grid at the default tolerance */
    tk_schrod_defaults(&o);
    rc = tk_schrod_solve(s, mt, d, &o, &r);
    ok(rc == 0 && relerr(r.split, w) < 1e-6 && r.err < 1e-6,
       "harmonic at the default tolerance: split error %.2g, estimate %.2g (< 1e-6)",
       relerr(r.split, w), r.err);
    tk_schrod_free(s);
}

static void test_box(void)
{
    /* flat profile between hard walls: E_n = c (n pi)^2 */
    double x[5] = {0, 0.25, 0.5, 0.75, 1}, v[5] = {0.01, 0.01, 0.01, 0.01, 0.01};
    tk_schrod *s = tk_schrod_new();
    tk_schrod_set_profile(s, 5, x, v);
    tk_schrod_opts o;
    tk_schrod_defaults(&o);
    o.walls = 1;
    o.tol = 1e-10;
    tk_schrod_result r;
    double mt = 4000, d = 0.3, c = 1 / (2 * mt * d * d);
    int rc = tk_schrod_solve(s, mt, d, &o, &r);
    double e1 = 0.01 + c * M_PI * M_PI, e2 = 0.01 + 4 * c * M_PI * M_PI;
    ok(rc == 0 && relerr(r.e1, e1) < 1e-9 && relerr(r.e2, e2) < 1e-9,
       "box with hard walls: e1 %.15g e2 %.15g (exact %.15g %.15g)", r.e1, r.e2, e1, e2);
    tk_schrod_free(s);
}

static void test_order(void)
{
    /* fixed grids P and 2P on a harmonic well: the finest grid's levels
     * converge as h^4 (Numerov), the extrapolated ones faster */
    int n = 201;
    double x[201], v[201], k = 10, mt = 4000, d = 1, w = sqrt(k / (mt * d * d));
    for (int i = 0; i < n; i++) {
        x[i] = (double)i / (n - 1);
        v[i] = 0.5 * k * (x[i] - 0.5) * (x[i] - 0.5);
    }
    tk_schrod *s = tk_schrod_new();
    tk_schrod_set_profile(s, n, x, v);
    tk_schrod_opts o;
    tk_schrod_defaults(&o);
    tk_schrod_result r1, r2;
    o.points = 40;
    tk_schrod_solve(s, mt, d, &o, &r1);
    o.points = 80;
    tk_schrod_solve(s, mt, d, &o, &r2);
    double f1 = relerr(r1.e1f, 0.5 * w), f2 = relerr(r2.e1f, 0.5 * w);
    double x1 = relerr(r1.e1, 0.5 * w), x2 = relerr(r2.e1, 0.5 * w);
    ok(f1 / f2 > 13 && f1 / f2 < 19, "Numerov: the finest grid's error falls by %.1f (16 for h^4) "
       "when the grid doubles (%.2g, %.2g)", f1 / f2, f1, f2);
    ok(x1 < f1 / 50 && x2 < f2 / 50 && x1 / x2 > 30,
       "extrapolated: errors %.2g, %.2g, far below the grids' and falling by %.0f", x1, x2,
       x1 / x2);
    tk_schrod_free(s);
}

static void test_quartic(const char *name, quartic q, double mt, double d)
{
    enum { N = 2001 };
    static double x[N], v[N];
    sample_quartic(&q, N, x, v);
    tk_schrod *s = tk_schrod_new();
    tk_schrod_set_profile(s, N, x, v);
    tk_schrod_opts o;
    tk_schrod_defaults(&o);
    o.tol = 1e-10;
    tk_schrod_result r;
    int rc = tk_schrod_solve(s, mt, d, &o, &r);
    double c = 1 / (2 * mt * d * d), ref[3], ref2[3];
    reference(s, c, -1.5, 2.5, 300, ref);
    reference(s, c, -1.5, 2.5, 400, ref2);
    ok(relerr(ref[2], ref2[2]) < 2e-7,
       "%s: the reference is converged: split %.12g with 300 sines, %.12g with 400 (%.1e)",
       name, ref[2], ref2[2], relerr(ref[2], ref2[2]));
    ok(rc == 0 && relerr(r.split, ref2[2]) < 1e-6,
       "%s: split %.12g vs reference %.12g: %.1e apart (< 1e-6); split / e1 = %.1e, estimate %.1e",
       name, r.split, ref2[2], relerr(r.split, ref2[2]), r.split / r.e1, r.err);
    ok(relerr(r.e1, ref2[0]) < 1e-8 && relerr(r.e2, ref2[1]) < 1e-8,
       "%s: e1, e2 agree with the reference (%.1e, %.1e)", name, relerr(r.e1, ref2[0]),
       relerr(r.e2, ref2[1]));
    /* the default settings meet the 1e-6 target too */
    tk_schrod_defaults(&o);
    rc = tk_schrod_solve(s, mt, d, &o, &r);
    ok(rc == 0 && relerr(r.split, ref2[2]) < 1e-6,
       "%s, default settings: split %.1e from the reference (estimate %.1e, %d points)", name,
       relerr(r.split, ref2[2]), r.err, r.n);
    tk_schrod_free(s);
}

static void test_continuation(void)
{
    /* minima at the ends: the result must not depend on where the domain
     * stops; hard walls at 0 and 1 cut the wells in half */
    enum { N = 2001 };
    static double x[N], v[N];
    quartic q = {0.05, 0};
    sample_quartic(&q, N, x, v);
    tk_schrod *s = tk_schrod_new();
    tk_schrod_set_profile(s, N, x, v);
    tk_schrod_opts o;
    tk_schrod_defaults(&o);
    o.tol = 1e-10;
    tk_schrod_result r1, r2, r3;
    tk_schrod_solve(s, 4000, 1, &o, &r1);
    o.margin = 40;
    tk_schrod_solve(s, 4000, 1, &o, &r2);
    ok(relerr(r2.split, r1.split) < 1e-9 && r2.b - r2.a > r1.b - r1.a + 0.2,
       "margin 20 -> 40 (domain [%.3f, %.3f] -> [%.3f, %.3f]): split changes by %.1e", r1.a,
       r1.b, r2.a, r2.b, relerr(r2.split, r1.split));
    o.margin = 20;
    o.walls = 1;
    tk_schrod_solve(s, 4000, 1, &o, &r3);
    ok(r3.split > 10 * r1.split && r3.e1 > 2 * r1.e1,
       "hard walls at 0 and 1 instead: split %.3g (x%.0f), e1 %.3g (x%.1f)", r3.split,
       r3.split / r1.split, r3.e1, r3.e1 / r1.e1);
    /* the quartic itself beyond its minima (it rises faster than the
     * parabola there): the path sampled on [-0.6, 1.6], mapped to [0, 1]
     * with d = 2.2; the splitting moves by some 20 % for this symmetric
     * well, 0.04 % for an asymmetric one: the continuation is part of the
     * model, and a harmonic one is a neutral choice */
    static double xe[N], ve[N];
    for (int pass = 0; pass < 2; pass++) {
        quartic qq = {0.05, pass ? 0.002 : 0};
        sample_quartic(&qq, N, x, v);
        tk_schrod_set_profile(s, N, x, v);
        o.walls = 0;
        tk_schrod_solve(s, 4000, 1, &o, &r1);
        for (int i = 0; i < N; i++) {
            xe[i] = (double)i / (N - 1);
            double t = -0.6 + 2.2 * xe[i];
            ve[i] = 16 * qq.vb * t * t * (1 - t) * (1 - t) + qq.dv * (3 * t * t - 2 * t * t * t);
        }
        tk_schrod_set_profile(s, N, xe, ve);
        tk_schrod_solve(s, 4000, 2.2, &o, &r2);
        double ch = (r2.split - r1.split) / r1.split;
        ok(pass ? fabs(ch) < 1e-3 : ch > 0.1 && ch < 0.3,
           "%s quartic continued as itself instead of harmonically: split %.6g -> %.6g (%+.2g)",
           pass ? "asymmetric" : "symmetric", r1.split, r2.split, ch);
    }
    tk_schrod_free(s);
}

static void test_sampling(void)
{
    /* the same cubic given by 4 or by 400 points is the same potential */
    double x4[4] = {0, 0.2, 0.7, 1}, v4[4];
    static double x[400], v[400];
    for (int i = 0; i < 4; i++)
        v4[i] = 0.04 * x4[i] * x4[i] * (3 - 2 * x4[i]) + 0.001;
    for (int i = 0; i < 400; i++) {
        x[i] = i / 399.0;
        v[i] = 0.04 * x[i] * x[i] * (3 - 2 * x[i]) + 0.001;
    }
    tk_schrod *s = tk_schrod_new();
    tk_schrod_opts o;
    tk_schrod_defaults(&o);
    tk_schrod_result a, b;
    tk_schrod_set_profile(s, 4, x4, v4);
    tk_schrod_solve(s, 4000, 0.8, &o, &a);
    tk_schrod_set_profile(s, 400, x, v);
    tk_schrod_solve(s, 4000, 0.8, &o, &b);
    ok(relerr(a.e1, b.e1) < 1e-12 && relerr(a.split, b.split) < 1e-10,
       "a cubic from 4 or 400 points: same levels (%.1e, split %.1e)", relerr(a.e1, b.e1),
       relerr(a.split, b.split));
    tk_schrod_free(s);
}

/* The two-level description (asym, delta0, loc): for a symmetric double
 * well asym = 0 and delta0 = split; for two harmonic wells of curvatures kL
 * and kR at xi = 0 and 1 (dV apart, a barrier far above both zero-point
 * energies) asym is the difference of the wells' ground states, dV +
 * (omega_R - omega_L) / 2 with omega = sqrt(k / (mt d^2)), of either sign
 * (a wrong sign, a missing zero-point term or dV alone fail), delta0 is
 * tiny, and always asym^2 + delta0^2 = split^2. */
static void test_two_level(void)
{
    enum { N = 2001 };
    static double x[N], v[N];
    tk_schrod_opts o;
    tk_schrod_defaults(&o);
    tk_schrod_result r;
    quartic q = {0.05, 0};
    sample_quartic(&q, N, x, v);
    tk_schrod *s = tk_schrod_new();
    tk_schrod_set_profile(s, N, x, v);
    int rc = tk_schrod_solve(s, 4000, 1, &o, &r);
    ok(rc == 0 && fabs(r.asym) < 1e-6 * r.split && relerr(r.delta0, r.split) < 1e-6 && r.loc > 0.99,
       "symmetric quartic: asym %.2g (0), delta0 / split - 1 = %.1e, loc %.4f", r.asym,
       r.delta0 / r.split - 1, r.loc);
    q.dv = 0.002;
    sample_quartic(&q, N, x, v);
    tk_schrod_set_profile(s, N, x, v);
    rc = tk_schrod_solve(s, 4000, 1, &o, &r);
    ok(rc == 0 && relerr(hypot(r.asym, r.delta0), r.split) < 1e-12 && r.asym > 0 &&
           r.delta0 > 0,
       "asymmetric quartic: asym %.6g, delta0 %.6g, their norm is split %.6g", r.asym, r.delta0,
       r.split);
    const double mt = 4000, d = 1, dv = 0.001, ks[2][2] = {{1, 2}, {2, 1}};
    for (int c = 0; c < 2; c++) {
        double kl = ks[c][0], kr = ks[c][1];
        for (int i = 0; i < N; i++) {
            x[i] = (double)i / (N - 1);
            double a = 0.5 * kl * x[i] * x[i], b = dv + 0.5 * kr * (x[i] - 1) * (x[i] - 1);
            v[i] = a < b ? a : b;
        }
        tk_schrod_set_profile(s, N, x, v);
        rc = tk_schrod_solve(s, mt, d, &o, &r);
        double wl = sqrt(kl / (mt * d * d)), wr = sqrt(kr / (mt * d * d));
        double want = dv + 0.5 * (wr - wl);
        ok(rc == 0 && relerr(r.asym, want) < 1e-5 && r.delta0 < 1e-5 * fabs(want) &&
               r.loc > 0.999 && relerr(r.split, fabs(want)) < 1e-5,
           "harmonic wells kL %g, kR %g, dV %g: asym %.8g, dV + (wR - wL)/2 = %.8g (%.1e); "
           "delta0 %.2g, loc %.6f",
           kl, kr, dv, r.asym, want, relerr(r.asym, want), r.delta0, r.loc);
    }
    /* no barrier: V rises from 0 to 1 */
    for (int i = 0; i < N; i++) {
        x[i] = (double)i / (N - 1);
        v[i] = 0.01 * x[i] * x[i];
    }
    tk_schrod_set_profile(s, N, x, v);
    rc = tk_schrod_solve(s, mt, d, &o, &r);
    ok(rc == 0 && isnan(r.asym) && isnan(r.delta0) && isnan(r.loc),
       "no maximum inside (0, 1): asym, delta0, loc are nan");
    tk_schrod_free(s);
}

int main(void)
{
    test_interpolant();
    test_harmonic(10, 4000, 1);
    test_harmonic(40, 30000, 0.7);
    test_box();
    test_order();
    test_quartic("symmetric quartic Vb=0.05", (quartic){0.05, 0}, 4000, 1);
    test_quartic("asymmetric quartic Vb=0.05 dV=0.002", (quartic){0.05, 0.002}, 4000, 1);
    test_quartic("deep symmetric quartic Vb=0.1 (tiny split)", (quartic){0.1, 0}, 4000, 1);
    test_quartic("quartic Vb=0.02 dV=0.0005, mt=30000 d=0.5", (quartic){0.02, 0.0005}, 30000, 0.5);
    test_continuation();
    test_sampling();
    test_two_level();
    return done_testing();
}
