/* test_minimize.c - the minimisers of lib/minimize.c (FIRE 2.0, L-BFGS and
 * the default FIRE + L-BFGS, each through tk_minimize): the reference
 * minima are fixed points, the reference non-minimum relaxes to a nearby
 * minimum, the result reports honestly (converged, fmax, epot, force
 * evaluations), and constructed problems with known answers: two particles
 * pushed apart to the cutoff, and a perturbed fcc crystal of equal spheres
 * that relaxes back to the perfect lattice with the lattice-sum energy. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "frameio.h"
#include "ipl.h"
#include "minimize.h"
#include "rng.h"
#include "simd.h"
#include "tap.h"

static const char *mname[] = {"fire", "lbfgs", "fire+lbfgs"};

static double relerr(double a, double b)
{
    return fabs(a - b) / fmax(fabs(b), 1e-300);
}

static void load_ref(tk_frame *f, const char *file, char *path, size_t np)
{
    const char *data = getenv("TLSKIT_DATA"); /* tests/run: run from tests/ */
    snprintf(path, np, "%s/reference/%s", data ? data : "data", file);
    tk_reader r;
    tk_reader_open(&r, path);
    tk_read_frame(&r, f);
    tk_reader_close(&r);
}

/* largest minimum-image displacement |a_i - b_i| of any particle, and the
 * minimum-image displacement vector d = a - b (3n) when d is not NULL */
static double max_disp(int n, double L, const double *a, const double *b, double *d)
{
    double m = 0;
    for (int i = 0; i < n; i++) {
        double s = 0;
        for (int k = 0; k < 3; k++) {
            double dk = tk_mic(a[3 * i + k] - b[3 * i + k], L);
            if (d)
                d[3 * i + k] = dk;
            s += dk * dk;
        }
        m = fmax(m, sqrt(s));
    }
    return m;
}

/* The three real minima: the minimiser ends where it started (their fmax is
 * 1.1e-5 .. 2.8e-5, so the true minimum lies a Newton step H^-1 F0 away,
 * of order 1e-5: the displacement must be that step, which the quadratic
 * model checks: E0 - E1 = F0 . dx / 2). */
static void test_reference_minimum(const char *file, tk_min_method meth)
{
    const char *mn = mname[meth];
    char path[512];
    tk_frame f;
    tk_frame_init(&f);
    load_ref(&f, file, path, sizeof path);
    int n = f.n;
    tk_ipl m;
    ok(tk_ipl_init(&m, n, f.L, f.origin, f.sigma, 0.3) == 0, "%s: %s: model set up", mn, file);
    double *x0 = malloc(3 * n * sizeof *x0), *F0 = malloc(3 * n * sizeof *F0);
    double *d = malloc(3 * n * sizeof *d), *G = malloc(3 * n * sizeof *G);
    memcpy(x0, f.x, 3 * n * sizeof *x0);
    double e0 = tk_ipl_forces_direct(n, f.L, x0, f.sigma, F0, NULL);

    tk_min_opts o;
    tk_min_defaults(&o);
    o.method = meth;
    long before = m.nforce;
    tk_min_result r = tk_minimize(&m, f.x, &o);
    double e1 = tk_ipl_forces_direct(n, f.L, f.x, f.sigma, G, NULL);
    double fm = tk_fmax(n, G);
    ok(r.converged && r.fmax <= 1e-10, "%s: %s: converged (flag %d), fmax %.3g <= 1e-10", mn, file,
       r.converged, r.fmax);
    ok(fm <= 1e-10 && relerr(r.fmax, fm) < 1e-3,
       "%s: %s: reported fmax %.6g = fmax of the direct sum at the result %.6g", mn, file, r.fmax,
       fm);
    ok(relerr(r.epot, e1) < 1e-12, "%s: %s: reported epot %.15g = direct-sum energy %.15g", mn,
       file, r.epot, e1);
    ok(r.nforce == m.nforce - before && r.nforce > 1,
       "%s: %s: reported force evaluations %ld = counted by the model %ld", mn, file, r.nforce,
       m.nforce - before);
    double dm = max_disp(n, f.L, f.x, x0, d);
    ok(dm < 1e-4, "%s: %s: stays at its minimum: largest displacement %.3g < 1e-4", mn, file, dm);
    double fdx = 0;
    for (int i = 0; i < 3 * n; i++)
        fdx += F0[i] * d[i];
    ok(e1 <= e0 && fdx > 0 && relerr(e0 - e1, 0.5 * fdx) < 0.05,
       "%s: %s: the move is the Newton step: E0 - E1 = %.4g vs F0.dx/2 = %.4g", mn, file, e0 - e1,
       0.5 * fdx);

    /* again from the result: nothing to do, one force evaluation, no move */
    memcpy(x0, f.x, 3 * n * sizeof *x0);
    tk_min_result r2 = tk_minimize(&m, f.x, &o);
    ok(r2.converged && r2.nforce == 1 && memcmp(x0, f.x, 3 * n * sizeof *x0) == 0,
       "%s: %s: minimising the result again: 1 force evaluation (%ld), positions unchanged", mn,
       file, r2.nforce);
    /* a tighter tolerance from the minimum: a short warm start */
    o.ftol = 1e-12;
    tk_min_result r3 = tk_minimize(&m, f.x, &o);
    double dm3 = max_disp(n, f.L, f.x, x0, NULL);
    ok(r3.converged && r3.fmax <= 1e-12 && r3.nforce < r.nforce && dm3 < 1e-8,
       "%s: %s: tightening to 1e-12 from the minimum: %ld force evaluations (< %ld), moved %.2g",
       mn, file, r3.nforce, r.nforce, dm3);

    free(x0);
    free(F0);
    free(d);
    free(G);
    tk_ipl_free(&m);
    tk_frame_free(&f);
}

static void test_non_minimum(tk_min_method meth)
{
    const char *mn = mname[meth];
    const char *file = "2.044849555E-01.conf.txt";
    char path[512];
    tk_frame f;
    tk_frame_init(&f);
    load_ref(&f, file, path, sizeof path);
    int n = f.n;
    tk_ipl m;
    tk_ipl_init(&m, n, f.L, f.origin, f.sigma, 0.3);
    double *x0 = malloc(3 * n * sizeof *x0), *G = malloc(3 * n * sizeof *G);
    memcpy(x0, f.x, 3 * n * sizeof *x0);
    double e0 = tk_ipl_energy(&m, f.x);

    /* a budget too small: it says so, and what it reports is true */
    tk_min_opts o;
    tk_min_defaults(&o);
    o.method = meth;
    o.maxforce = 20;
    tk_min_result r = tk_minimize(&m, f.x, &o);
    tk_ipl_forces_direct(n, f.L, f.x, f.sigma, G, NULL);
    ok(!r.converged && r.nforce == 20 && relerr(r.fmax, tk_fmax(n, G)) < 1e-6,
       "%s: %s: with 20 force evaluations: not converged, nforce %ld, true fmax %.4g reported", mn,
       file, r.nforce, r.fmax);
    ok(r.epot < e0, "%s: %s: 20 evaluations already lower the energy (%.10g < %.10g per particle)",
       mn, file, r.epot / n, e0 / n);

    memcpy(f.x, x0, 3 * n * sizeof *x0);
    tk_min_defaults(&o);
    o.method = meth;
    long before = m.nforce;
    r = tk_minimize(&m, f.x, &o);
    double e1 = tk_ipl_forces_direct(n, f.L, f.x, f.sigma, G, NULL);
    double dm = max_disp(n, f.L, f.x, x0, NULL);
    diag("%s: %s: %ld force evaluations, e %.10f -> %.10f, largest displacement %.3g", mn, file,
         r.nforce, e0 / n, e1 / n, dm);
    ok(r.converged && r.fmax <= 1e-10 && tk_fmax(n, G) <= 1e-10,
       "%s: %s: relaxes to fmax %.3g <= 1e-10 (direct sum %.3g)", mn, file, r.fmax, tk_fmax(n, G));
    ok(e1 < e0 && relerr(r.epot, e1) < 1e-12,
       "%s: %s: energy %.10f below the start %.10f per particle", mn, file, e1 / n, e0 / n);
    ok(r.nforce == m.nforce - before, "%s: %s: reported force evaluations %ld = counted %ld", mn,
       file, r.nforce, m.nforce - before);
    /* a nearby minimum: no particle travels as far as a neighbour distance */
    ok(dm > 1e-3 && dm < 0.3,
       "%s: %s: the minimum is nearby: largest displacement %.3g in (1e-3, 0.3)", mn, file, dm);
    /* the result is a fixed point: again costs 1 evaluation */
    tk_min_result r2 = tk_minimize(&m, f.x, &o);
    ok(r2.converged && r2.nforce == 1, "%s: %s: minimising the result again: %ld evaluation", mn,
       file, r2.nforce);
    free(x0);
    free(G);
    tk_ipl_free(&m);
    tk_frame_free(&f);
}

/* Two independent algorithms must find the same point: FIRE and L-BFGS from
 * a reference minimum end within 1e-8 of each other (|dx| ~ |F| / lambda_min
 * at fmax 1e-10), so the ~1e-5 move of test_reference_minimum is the
 * distance to the true minimum, not wandering. */
static void test_methods_agree(const char *file)
{
    char path[512];
    tk_frame f;
    tk_frame_init(&f);
    load_ref(&f, file, path, sizeof path);
    int n = f.n;
    tk_ipl m;
    tk_ipl_init(&m, n, f.L, f.origin, f.sigma, 0.3);
    double *xa = malloc(3 * n * sizeof *xa);
    memcpy(xa, f.x, 3 * n * sizeof *xa);
    tk_min_opts o;
    tk_min_defaults(&o);
    o.method = TK_MIN_FIRE;
    tk_min_result ra = tk_minimize(&m, xa, &o);
    o.method = TK_MIN_LBFGS;
    tk_min_result rb = tk_minimize(&m, f.x, &o);
    double dm = max_disp(n, f.L, xa, f.x, NULL);
    ok(ra.converged && rb.converged && dm < 1e-8 && relerr(ra.epot, rb.epot) < 1e-13,
       "%s: FIRE and L-BFGS reach the same minimum (largest difference %.2g < 1e-8, energies "
       "%.15g, %.15g)",
       file, dm, ra.epot, rb.epot);
    free(xa);
    tk_ipl_free(&m);
    tk_frame_free(&f);
}

/* Two particles of diameter s1, s2 in a box of 10 at distance r0 along a
 * direction: they repel until r >= 1.25 sigma_12 where the force and the
 * energy vanish.  Every step is a combination of forces, so the centre of
 * mass stays put (sum F = 0) and the motion stays on the line of centres. */
static void test_pair_apart(double s1, double s2, double r0, tk_min_method meth)
{
    const char *mn = mname[meth];
    double L = 10, origin[3] = {0, 0, 0}, sigma[2] = {s1, s2};
    double s12 = tk_sigma_ij(s1, s2), u[3] = {0.6, 0.0, 0.8};
    double x[6], c[3] = {4.9, 5.3, 4.7};
    for (int k = 0; k < 3; k++) {
        x[k] = c[k] - 0.5 * r0 * s12 * u[k];
        x[3 + k] = c[k] + 0.5 * r0 * s12 * u[k];
    }
    tk_ipl m;
    ok(tk_ipl_init(&m, 2, L, origin, sigma, 0.3) == 0,
       "%s: pair %.2f/%.2f: box 10 holds the cutoff", mn, s1, s2);
    double e0 = tk_ipl_energy(&m, x);
    tk_min_opts o;
    tk_min_defaults(&o);
    o.method = meth;
    tk_min_result r = tk_minimize(&m, x, &o);
    double d[3], rr = 0, cm = 0, perp = 0;
    for (int k = 0; k < 3; k++) {
        d[k] = tk_mic(x[3 + k] - x[k], L);
        rr += d[k] * d[k];
        cm = fmax(cm, fabs(tk_mic(0.5 * (x[k] + x[3 + k]) - c[k], L)));
    }
    rr = sqrt(rr);
    for (int k = 0; k < 3; k++)
        perp = fmax(perp, fabs(d[k] - rr * u[k]));
    double ef = tk_ipl_forces_direct(2, L, x, sigma, NULL, NULL);
    diag("%s: pair %.2f/%.2f from r = %.2f sigma_12 (E0 %.4g): r = %.12f sigma_12, %ld force "
         "evaluations",
         mn, s1, s2, r0, e0, rr / s12, r.nforce);
    ok(r.converged && r.fmax <= 1e-10 && r.nforce <= 100,
       "%s: pair %.2f/%.2f from %.2f sigma_12: converged, fmax %.3g, %ld <= 100 force evaluations",
       mn, s1, s2, r0, r.fmax, r.nforce);
    /* the force vanishes as (xc - x)^2: fmax <= 1e-10 can stop within ~1e-5
     * of the cutoff; the energy (xc - x)^3 is then below 1e-14 */
    ok(rr >= (TK_XC - 1e-4) * s12 && rr < 3 * s12,
       "%s: pair %.2f/%.2f: pushed apart to the cutoff: r = %.9f sigma_12 (>= 1.25 - 1e-4)", mn, s1,
       s2, rr / s12);
    ok(fabs(r.epot) < 1e-12 && fabs(ef) < 1e-12,
       "%s: pair %.2f/%.2f: final energy %.3g (direct %.3g) ~ 0", mn, s1, s2, r.epot, ef);
    ok(cm < 1e-12 && perp < 1e-12,
       "%s: pair %.2f/%.2f: centre of mass fixed (%.2g) and motion along the line of centres "
       "(%.2g)",
       mn, s1, s2, cm, perp);
    /* no coordinate moves more than dmax per step, however large the force:
     * the distance grows by at most 2 dmax / 0.8 per force evaluation */
    double reach = fmin(rr, TK_XC * s12) - r0 * s12;
    ok(r.nforce - 1 >= (long)floor(reach / (2 * o.dmax / 0.8)),
       "%s: pair %.2f/%.2f: steps capped at dmax = %g (%ld evaluations for %.3g)", mn, s1, s2,
       o.dmax, r.nforce, reach);
    tk_ipl_free(&m);
}

/* fcc of equal spheres (sigma 1) at density 1, 4x4x4 cells (256 particles):
 * nearest neighbours at a / sqrt(2) = 1.1225 < 1.25, second neighbours at
 * a = 1.587 beyond the cutoff, so e = 6 v(a / sqrt 2).  Randomly displaced
 * by up to 0.1, the minimiser must bring it back to the perfect lattice (up
 * to the centre-of-mass shift of the perturbation, which it conserves). */
static void test_fcc(tk_min_method meth)
{
    const char *mn = mname[meth];
    int nc = 4, n = 4 * nc * nc * nc;
    double a = cbrt(4.0), L = nc * a, origin[3] = {0, 0, 0};
    double *x = malloc(3 * n * sizeof *x), *x0 = malloc(3 * n * sizeof *x0);
    double *sigma = malloc(n * sizeof *sigma);
    static const double basis[4][3] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
    int p = 0;
    for (int i = 0; i < nc; i++)
        for (int j = 0; j < nc; j++)
            for (int k = 0; k < nc; k++)
                for (int b = 0; b < 4; b++) {
                    x0[3 * p] = (i + basis[b][0] + 0.25) * a;
                    x0[3 * p + 1] = (j + basis[b][1] + 0.25) * a;
                    x0[3 * p + 2] = (k + basis[b][2] + 0.25) * a;
                    sigma[p++] = 1.0;
                }
    tk_rng rng;
    tk_rng_seed(&rng, 11);
    double shift[3] = {0, 0, 0};
    for (int i = 0; i < 3 * n; i++) {
        x[i] = x0[i] + 0.2 * (tk_rng_uniform(&rng) - 0.5);
        shift[i % 3] += (x[i] - x0[i]) / n;
    }
    tk_ipl m;
    ok(tk_ipl_init(&m, n, L, origin, sigma, 0.3) == 0, "%s: fcc 256: model set up", mn);
    double v, fr, rnn = a / sqrt(2.0);
    tk_pair(rnn * rnn, 1.0, &v, &fr);
    double e_exact = 6 * v, e_perfect = tk_ipl_energy(&m, x0) / n;
    ok(relerr(e_perfect, e_exact) < 1e-13,
       "%s: fcc 256: lattice energy %.15g = 6 v(a/sqrt 2) %.15g", mn, e_perfect, e_exact);
    double e_start = tk_ipl_energy(&m, x) / n;
    tk_min_opts o;
    tk_min_defaults(&o);
    o.method = meth;
    tk_min_result r = tk_minimize(&m, x, &o);
    for (int i = 0; i < 3 * n; i++)
        x[i] -= shift[i % 3];
    double dm = max_disp(n, L, x, x0, NULL);
    diag("%s: fcc 256: e %.12f -> %.12f (exact %.12f), %ld force evaluations, off the lattice by "
         "%.3g",
         mn, e_start, r.epot / n, e_exact, r.nforce, dm);
    ok(r.converged && r.fmax <= 1e-10, "%s: fcc 256: converged, fmax %.3g", mn, r.fmax);
    ok(relerr(r.epot / n, e_exact) < 1e-12,
       "%s: fcc 256: relaxed energy %.15g = lattice energy %.15g", mn, r.epot / n, e_exact);
    ok(dm < 1e-8, "%s: fcc 256: back on the perfect lattice (largest deviation %.3g < 1e-8)", mn,
       dm);
    free(x);
    free(x0);
    free(sigma);
    tk_ipl_free(&m);
}

/* The plain L-BFGS of lib/minimize.c before its passes were fused (two-loop
 * recursion, memory m, dmax-capped steps, the 8-partial-sum dot product):
 * tk_minimize's L-BFGS must give the same positions bit for bit. */
static double ref_dot(const double *a, const double *b, int n)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
    int i = 0;
    for (; i + 8 <= n; i += 8) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
        s2 += a[i + 2] * b[i + 2];
        s3 += a[i + 3] * b[i + 3];
        s4 += a[i + 4] * b[i + 4];
        s5 += a[i + 5] * b[i + 5];
        s6 += a[i + 6] * b[i + 6];
        s7 += a[i + 7] * b[i + 7];
    }
    for (; i < n; i++)
        s0 += a[i] * b[i];
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
}

static long ref_lbfgs(tk_ipl *m, double *x, double tol, int mem, double dmax)
{
    int n3 = 3 * m->n;
    double *S = malloc((size_t)mem * n3 * sizeof *S), *Y = malloc((size_t)mem * n3 * sizeof *Y);
    double *rho = malloc(mem * sizeof *rho), *alpha = malloc(mem * sizeof *alpha);
    double *p = malloc(n3 * sizeof *p), *fold = malloc(n3 * sizeof *fold),
           *f = malloc(n3 * sizeof *f);
    tk_ipl_forces_only(m, x, f);
    long nf = 1;
    double fm = tk_fmax(m->n, f);
    int k = 0, head = 0, resets = 0;
    while (fm > tol && nf < 100000) {
        memcpy(p, f, n3 * sizeof *p);
        for (int c = 0; c < k; c++) {
            int i = (head - 1 - c + mem) % mem;
            alpha[i] = rho[i] * ref_dot(S + (size_t)i * n3, p, n3);
            for (int t = 0; t < n3; t++)
                p[t] -= alpha[i] * Y[(size_t)i * n3 + t];
        }
        double gamma = 0.01;
        if (k > 0) {
            int i = (head - 1 + mem) % mem;
            gamma = ref_dot(S + (size_t)i * n3, Y + (size_t)i * n3, n3) /
                    ref_dot(Y + (size_t)i * n3, Y + (size_t)i * n3, n3);
        }
        for (int t = 0; t < n3; t++)
            p[t] *= gamma;
        for (int c = k - 1; c >= 0; c--) {
            int i = (head - 1 - c + mem) % mem;
            double b = rho[i] * ref_dot(Y + (size_t)i * n3, p, n3);
            for (int t = 0; t < n3; t++)
                p[t] += (alpha[i] - b) * S[(size_t)i * n3 + t];
        }
        if (ref_dot(p, f, n3) <= 0) {
            if (++resets > 20)
                break;
            k = 0;
            for (int t = 0; t < n3; t++)
                p[t] = 0.01 * f[t];
        }
        double pmax = 0;
        for (int t = 0; t < n3; t++)
            pmax = fabs(p[t]) > pmax ? fabs(p[t]) : pmax;
        double scale = pmax > dmax ? dmax / pmax : 1;
        memcpy(fold, f, n3 * sizeof *f);
        for (int t = 0; t < n3; t++)
            x[t] += scale * p[t];
        tk_ipl_forces_only(m, x, f);
        nf++;
        fm = tk_fmax(m->n, f);
        double *s = S + (size_t)head * n3, *y = Y + (size_t)head * n3;
        for (int t = 0; t < n3; t++) {
            s[t] = scale * p[t];
            y[t] = fold[t] - f[t];
        }
        double sy = ref_dot(s, y, n3);
        if (sy > 0) {
            rho[head] = 1 / sy;
            head = (head + 1) % mem;
            if (k < mem)
                k++;
        }
    }
    free(S);
    free(Y);
    free(rho);
    free(alpha);
    free(p);
    free(fold);
    free(f);
    return nf;
}

/* Bit-identity: the fused L-BFGS against the plain one above, and the SIMD
 * passes and kernels (lib/simd.h) against the scalar ones, from the
 * reference non-minimum; the default method too (FIRE then L-BFGS). */
static void test_bit_identical(void)
{
    const char *file = "2.044849555E-01.conf.txt";
    char path[512];
    tk_frame f;
    tk_frame_init(&f);
    load_ref(&f, file, path, sizeof path);
    int n = f.n;
    size_t sz = 3 * (size_t)n * sizeof(double);
    double *x1 = malloc(sz), *x2 = malloc(sz), *x3 = malloc(sz);
    tk_ipl m1, m2, m3;
    tk_ipl_init(&m1, n, f.L, f.origin, f.sigma, 0.3);
    tk_ipl_init(&m2, n, f.L, f.origin, f.sigma, 0.3);
    tk_ipl_init(&m3, n, f.L, f.origin, f.sigma, 0.3);
    m2.simd = TK_SIMD_NONE;
    m3.simd = TK_SIMD_NONE;
    tk_min_opts o;
    tk_min_defaults(&o);
    o.method = TK_MIN_LBFGS;
    memcpy(x1, f.x, sz);
    memcpy(x2, f.x, sz);
    memcpy(x3, f.x, sz);
    tk_min_result r1 = tk_minimize(&m1, x1, &o), r2 = tk_minimize(&m2, x2, &o);
    long nref = ref_lbfgs(&m3, x3, o.ftol, o.memory, o.dmax);
    ok(r2.converged && r2.nforce == nref && memcmp(x2, x3, sz) == 0,
       "lbfgs: fused passes = the plain two-loop recursion, bit for bit (%ld evaluations)",
       r2.nforce);
    ok(r1.nforce == r2.nforce && memcmp(x1, x2, sz) == 0 && r1.fmax == r2.fmax,
       "lbfgs: SIMD level %d = scalar, bit for bit", tk_simd_level());
    o.method = TK_MIN_FIRE_LBFGS;
    memcpy(x1, f.x, sz);
    memcpy(x2, f.x, sz);
    r1 = tk_minimize(&m1, x1, &o);
    r2 = tk_minimize(&m2, x2, &o);
    ok(r1.converged && r1.nforce == r2.nforce && memcmp(x1, x2, sz) == 0 && r1.epot == r2.epot,
       "fire+lbfgs: SIMD level %d = scalar, bit for bit (%ld evaluations)", tk_simd_level(),
       r1.nforce);
    free(x1);
    free(x2);
    free(x3);
    tk_ipl_free(&m1);
    tk_ipl_free(&m2);
    tk_ipl_free(&m3);
    tk_frame_free(&f);
}

int main(void)
{
    static const char *ref[] = {"2.044404608E-01.conf.txt", "2.045088163E-01.conf.txt",
                                "2.047608997E-01.conf.txt"};
    /* FIRE alone, L-BFGS alone and the default FIRE + L-BFGS */
    static const tk_min_method meths[] = {TK_MIN_FIRE, TK_MIN_LBFGS, TK_MIN_FIRE_LBFGS};
    tk_min_opts o;
    tk_min_defaults(&o);
    ok(o.ftol == 1e-10, "default ftol is 1e-10");
    for (int k = 0; k < 3; k++) {
        tk_min_method meth = meths[k];
        for (int r = 0; r < 3; r++)
            test_reference_minimum(ref[r], meth);
        test_non_minimum(meth);
        test_pair_apart(1.0, 1.0, 1.0, meth);   /* sigma_12 = 1, inside the repulsive wall */
        test_pair_apart(1.0, 1.5, 0.9, meth);   /* non-additive sigma_12 = 1.125 */
        test_pair_apart(0.73, 1.62, 0.3, meth); /* deep overlap: force ~ 1e7, steps capped */
        test_fcc(meth);
    }
    for (int r = 0; r < 3; r++)
        test_methods_agree(ref[r]);
    test_bit_identical();
    return done_testing();
}
