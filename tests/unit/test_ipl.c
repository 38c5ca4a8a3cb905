/* test_ipl.c - the model: diameters, pair potential, forces, virial, the
 * Verlet list against a direct sum, and the reference glasses. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "frameio.h"
#include "ipl.h"
#include "md.h"
#include "rng.h"
#include "simd.h"
#include "tap.h"


static double relerr(double a, double b)
{
    return fabs(a - b) / fmax(fabs(b), 1e-300);
}

/* a random dense configuration: relaxed enough that no pair is deep inside
 * the core (so finite differences are well conditioned) */
static void random_conf(tk_frame *f, int n, uint64_t seed)
{
    tk_rng r;
    tk_rng_seed(&r, seed);
    tk_frame_resize(f, n);
    f->L = cbrt(n);
    f->origin[0] = f->origin[1] = f->origin[2] = 0;
    for (int i = 0; i < n; i++)
        f->sigma[i] = tk_sigma_from_uniform(tk_rng_uniform(&r));
    /* jittered lattice: no overlaps, every distance well defined */
    int m = (int)ceil(cbrt(n));
    double a = f->L / m;
    for (int i = 0; i < n; i++) {
        int ix = i % m, iy = (i / m) % m, iz = i / (m * m);
        f->x[3 * i] = (ix + 0.5) * a + 0.15 * a * (tk_rng_uniform(&r) - 0.5);
        f->x[3 * i + 1] = (iy + 0.5) * a + 0.15 * a * (tk_rng_uniform(&r) - 0.5);
        f->x[3 * i + 2] = (iz + 0.5) * a + 0.15 * a * (tk_rng_uniform(&r) - 0.5);
    }
}

static void test_diameters(void)
{
    ok(fabs(tk_sigma_from_uniform(0) - TK_SIGMA_MIN) < 1e-15, "u = 0 gives sigma_min");
    ok(fabs(tk_sigma_from_uniform(1) - TK_SIGMA_MAX) < 1e-12, "u = 1 gives sigma_max");
    /* the empirical CDF against F(s) = (smin^-2 - s^-2) / (smin^-2 - smax^-2) */
    tk_rng r;
    tk_rng_seed(&r, 42);
    int n = 200000, below[3] = {0, 0, 0};
    double s_at[3] = {0.8, 1.0, 1.3};
    for (int i = 0; i < n; i++) {
        double s = tk_sigma_from_uniform(tk_rng_uniform(&r));
        for (int k = 0; k < 3; k++)
            below[k] += s < s_at[k];
    }
    double a = pow(TK_SIGMA_MIN, -2), b = pow(TK_SIGMA_MAX, -2);
    int good = 1;
    for (int k = 0; k < 3; k++) {
        double F = (a - pow(s_at[k], -2)) / (a - b), emp = (double)below[k] / n;
        double sd = sqrt(F * (1 - F) / n);
        if (fabs(emp - F) > 5 * sd) {
            good = 0;
            diag("CDF at %g: %g, expected %g +- %g", s_at[k], emp, F, sd);
        }
    }
    ok(good, "diameters follow P(sigma) ~ 1/sigma^3 (CDF at 0.8, 1.0, 1.3 within 5 sd)");
    ok(fabs(tk_sigma_ij(1.0, 1.5) - 1.25 * 0.9) < 1e-15, "sigma_ij non-additive: (1+1.5)/2 (1 - 0.2 * 0.5)");
}

static void test_pair(void)
{
    double v, fr;
    /* at x = 1: v = 1 + c0 + c2 + c4 */
    tk_pair(1.0, 1.0, &v, &fr);
    double c0 = -28 / pow(1.25, 12), c2 = 48 / pow(1.25, 14), c4 = -21 / pow(1.25, 16);
    ok(relerr(v, 1 + c0 + c2 + c4) < 1e-15, "v(x=1) = 1 + c0 + c2 + c4 = %.15g", v);
    ok(fabs(c0 - TK_C0) < 1e-16 && fabs(c2 - TK_C2) < 1e-16 && fabs(c4 - TK_C4) < 1e-16,
       "smoothing coefficients c0, c2, c4");
    /* v, v', v'' vanish at the cutoff: v(xc - h) = O(h^3) */
    double h = 1e-3, x = TK_XC - h;
    tk_pair(x * x, 1.0, &v, &fr);
    ok(fabs(v) < 1e-7 && fabs(v) > 0, "v(xc - 1e-3) = %.3g is O(h^3)", v);
    ok(fabs(fr * x) < 1e-4, "v'(xc - 1e-3) = %.3g is O(h^2)", fr * x);
    ok(!tk_pair(TK_XC * TK_XC, 1.0, &v, &fr), "no interaction at and beyond the cutoff");
    /* force factor against the derivative of v, with sigma_ij = 1.3 */
    double s = 1.3, r = 1.1 * s, dr = 1e-6, vp, vm, f0;
    tk_pair((r + dr) * (r + dr), 1 / (s * s), &vp, &f0);
    tk_pair((r - dr) * (r - dr), 1 / (s * s), &vm, &f0);
    tk_pair(r * r, 1 / (s * s), &v, &fr);
    ok(relerr(fr * r, -(vp - vm) / (2 * dr)) < 1e-7, "pair force = -dv/dr (sigma_ij = 1.3)");
}

static void test_forces_fd(int n, uint64_t seed)
{
    tk_frame f;
    tk_frame_init(&f);
    random_conf(&f, n, seed);
    tk_ipl m;
    ok(tk_ipl_init(&m, n, f.L, f.origin, f.sigma, 0.3) == 0, "N = %d: box holds the cutoff", n);
    double *F = malloc(3 * n * sizeof *F);
    tk_ipl_forces(&m, f.x, F, NULL);
    double worst = 0, h = 1e-5;
    for (int t = 0; t < 12; t++) {
        int i = (t * 7919) % n, k = t % 3;
        double x0 = f.x[3 * i + k];
        f.x[3 * i + k] = x0 + h;
        double ep = tk_ipl_forces_direct(n, f.L, f.x, f.sigma, NULL, NULL);
        f.x[3 * i + k] = x0 - h;
        double em = tk_ipl_forces_direct(n, f.L, f.x, f.sigma, NULL, NULL);
        f.x[3 * i + k] = x0;
        double fd = -(ep - em) / (2 * h);
        double err = fabs(F[3 * i + k] - fd) / fmax(fabs(fd), 1e-2);
        if (err > worst)
            worst = err;
    }
    ok(worst < 1e-6, "N = %d: forces = -grad E by central differences (worst rel. err %.2g)", n,
       worst);
    free(F);
    tk_ipl_free(&m);
    tk_frame_free(&f);
}

static void test_list_vs_direct(int n, uint64_t seed)
{
    tk_frame f;
    tk_frame_init(&f);
    random_conf(&f, n, seed);
    tk_ipl m;
    tk_ipl_init(&m, n, f.L, f.origin, f.sigma, 0.3);
    double *F = malloc(3 * n * sizeof *F), *G = malloc(3 * n * sizeof *G);
    tk_rng r;
    tk_rng_seed(&r, seed + 1);
    int good = 1;
    long builds0 = 0;
    /* small moves (list reused) then large ones (list rebuilt) */
    double amp[4] = {0, 0.02, 0.04, 0.5};
    for (int s = 0; s < 4; s++) {
        for (int i = 0; i < 3 * n; i++)
            f.x[i] += amp[s] * (tk_rng_uniform(&r) - 0.5);
        if (s == 0)
            builds0 = m.nbuild;
        double w1, w2;
        double e1 = tk_ipl_forces(&m, f.x, F, &w1);
        double e2 = tk_ipl_forces_direct(n, f.L, f.x, f.sigma, G, &w2);
        double df = 0;
        for (int i = 0; i < 3 * n; i++)
            df = fmax(df, fabs(F[i] - G[i]));
        if (relerr(e1, e2) > 1e-12 || relerr(w1, w2) > 1e-12 || df > 1e-9 * tk_fmax(n, G)) {
            good = 0;
            diag("step %d: E %.17g vs %.17g, W %.17g vs %.17g, dF %.3g", s, e1, e2, w1, w2, df);
        }
        if (s == 0)
            builds0 = m.nbuild;
    }
    ok(good, "N = %d: Verlet list = direct sum (energy, virial, forces) across moves", n);
    ok(m.nbuild >= builds0 + 1 && m.nbuild <= builds0 + 2,
       "N = %d: list kept for moves below skin/2, rebuilt after large ones (%ld builds)", n,
       m.nbuild);
    tk_ipl_energy(&m, f.x);
    ok(relerr(tk_ipl_energy(&m, f.x), tk_ipl_forces_direct(n, f.L, f.x, f.sigma, NULL, NULL)) <
           1e-12,
       "N = %d: energy-only path agrees", n);
    free(F);
    free(G);
    tk_ipl_free(&m);
    tk_frame_free(&f);
}

static void test_virial(void)
{
    /* W / (3V) = -dE/dV under a uniform scaling of box and positions */
    int n = 300;
    tk_frame f;
    tk_frame_init(&f);
    random_conf(&f, n, 5);
    double w, e = tk_ipl_forces_direct(n, f.L, f.x, f.sigma, NULL, &w);
    double V = f.L * f.L * f.L, h = 1e-6;
    double *x = malloc(3 * n * sizeof *x);
    double es[2];
    for (int s = 0; s < 2; s++) {
        double lam = 1 + (s ? -h : h);
        for (int i = 0; i < 3 * n; i++)
            x[i] = f.x[i] * lam;
        es[s] = tk_ipl_forces_direct(n, f.L * lam, x, f.sigma, NULL, NULL);
    }
    /* dV = 3 V h per unit lambda */
    double dEdV = (es[0] - es[1]) / (2 * h * 3 * V);
    ok(relerr(w / (3 * V), -dEdV) < 1e-6, "virial pressure W/(3V) = -dE/dV (%.10g vs %.10g, E %.6g)",
       w / (3 * V), -dEdV, e);
    free(x);
    tk_frame_free(&f);
}

static void test_reference(void)
{
    static const struct {
        const char *file;
        double e, fmax;
    } ref[] = {{"2.044404608E-01.conf.txt", 0.2044404608, 1.110e-05},
               {"2.045088163E-01.conf.txt", 0.2045088163, 1.439e-05},
               {"2.047608997E-01.conf.txt", 0.2047608997, 2.775e-05},
               {"2.044849555E-01.conf.txt", 0.2044849555, 8.392e-01}};
    for (int k = 0; k < 4; k++) {
        tk_reader r;
        tk_frame f;
        tk_frame_init(&f);
        char path[256];
        const char *data = getenv("TLSKIT_DATA"); /* tests/run: run from tests/ */
        snprintf(path, sizeof path, "%s/reference/%s", data ? data : "data", ref[k].file);
        tk_reader_open(&r, path);
        tk_read_frame(&r, &f);
        tk_ipl m;
        tk_ipl_for_frame(&m, &f, 0.3, path);
        double *F = malloc(3 * f.n * sizeof *F);
        double e = tk_ipl_forces(&m, f.x, F, NULL) / f.n, fm = tk_fmax(f.n, F);
        /* the table gives fmax to 4 digits: 1e-6 relative of the exact value
         * is checked against the direct sum below; the table to its digits */
        ok(fabs(e - ref[k].e) < 1e-9, "%s: e = %.12f (reference %.10f)", ref[k].file, e, ref[k].e);
        ok(relerr(fm, ref[k].fmax) < 5e-4, "%s: fmax = %.6e (reference %.3e)", ref[k].file, fm,
           ref[k].fmax);
        double *G = malloc(3 * f.n * sizeof *G);
        tk_ipl_forces_direct(f.n, f.L, f.x, f.sigma, G, NULL);
        ok(relerr(fm, tk_fmax(f.n, G)) < 1e-6, "%s: fmax agrees with the direct sum to 1e-6",
           ref[k].file);
        free(F);
        free(G);
        tk_ipl_free(&m);
        tk_reader_close(&r);
        tk_frame_free(&f);
    }
}

/* The SIMD kernels (chosen at run time, lib/simd.h) against the scalar
 * ones (TK_SIMD_NONE): the same Verlet list, bit for bit, the same forces,
 * bit for bit, and the same MD trajectory over steps that rebuild the
 * list.  On a CPU without AVX-512 both sides are scalar and agree
 * trivially (the test says which it compared). */
static void test_simd_identical(void)
{
    tk_reader r;
    tk_frame f;
    tk_frame_init(&f);
    char path[256];
    const char *data = getenv("TLSKIT_DATA");
    snprintf(path, sizeof path, "%s/reference/%s", data ? data : "data",
             "2.044849555E-01.conf.txt");
    tk_reader_open(&r, path);
    tk_read_frame(&r, &f);
    tk_reader_close(&r);
    int n = f.n, level = tk_simd_level();
    tk_ipl a, b;
    tk_ipl_for_frame(&a, &f, 0.3, path);
    tk_ipl_for_frame(&b, &f, 0.3, path);
    b.simd = TK_SIMD_NONE;
    double *xa = malloc(3 * n * sizeof *xa), *xb = malloc(3 * n * sizeof *xb);
    double *va = malloc(3 * n * sizeof *va), *vb = malloc(3 * n * sizeof *vb);
    double *fa = malloc(3 * n * sizeof *fa), *fb = malloc(3 * n * sizeof *fb);
    memcpy(xa, f.x, 3 * n * sizeof *xa);
    memcpy(xb, f.x, 3 * n * sizeof *xb);
    tk_ipl_forces_only(&a, xa, fa);
    tk_ipl_forces_only(&b, xb, fb);
    int same_list = a.npair == b.npair && memcmp(a.first, b.first, (n + 1) * sizeof *a.first) == 0 &&
                    memcmp(a.mid, b.mid, n * sizeof *a.mid) == 0 &&
                    memcmp(a.nbr, b.nbr, a.npair * sizeof *a.nbr) == 0 &&
                    memcmp(a.inv_s2, b.inv_s2, a.npair * sizeof *a.inv_s2) == 0 &&
                    memcmp(a.img, b.img, a.npair) == 0;
    ok(same_list, "SIMD level %d: the Verlet list is the scalar build's, bit for bit (%zu pairs)",
       level, a.npair);
    ok(memcmp(fa, fb, 3 * n * sizeof *fa) == 0,
       "SIMD level %d: forces bit-identical to the scalar kernel", level);
    /* forces and energy without the virial (the NEB path) */
    double ea = tk_ipl_forces(&a, xa, fa, NULL), eb = tk_ipl_forces(&b, xb, fb, NULL), w;
    double ev = tk_ipl_forces(&b, xb, fb, &w);
    ok(memcmp(fa, fb, 3 * n * sizeof *fa) == 0 && ea == eb && eb == ev,
       "SIMD level %d: forces and energy (no virial) bit-identical to the scalar kernel "
       "(E = %.17g)", level, ea);
    /* MD at a high temperature: many rebuilds */
    tk_rng ra, rb;
    tk_rng_seed2(&ra, 7, 0);
    tk_rng_seed2(&rb, 7, 0);
    tk_md_velocities(n, va, 0.2, &ra);
    tk_md_velocities(n, vb, 0.2, &rb);
    tk_md ma, mb;
    tk_md_init(&ma, &a, xa, va, 0.005, &ra);
    tk_md_init(&mb, &b, xb, vb, 0.005, &rb);
    ma.thermostat = mb.thermostat = 1;
    ma.T = mb.T = 0.2;
    long b0 = a.nbuild;
    int same = 1;
    for (int s = 0; s < 300 && same; s++) {
        tk_md_step(&ma);
        tk_md_step(&mb);
        same = memcmp(xa, xb, 3 * n * sizeof *xa) == 0 && memcmp(va, vb, 3 * n * sizeof *va) == 0;
    }
    ok(same && a.nbuild == b.nbuild && a.nbuild - b0 >= 3,
       "SIMD level %d: 300 MD steps bit-identical to the scalar kernels (%ld list builds)",
       level, a.nbuild - b0);
    tk_md_free(&ma);
    tk_md_free(&mb);
    free(xa);
    free(xb);
    free(va);
    free(vb);
    free(fa);
    free(fb);
    tk_ipl_free(&a);
    tk_ipl_free(&b);
    tk_frame_free(&f);
}

/* unordered pairs (i < j) of the list, sorted: the set of listed pairs */
static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static long *pair_set(const tk_ipl *m)
{
    long *k = malloc((m->npair + 1) * sizeof *k);
    for (int i = 0; i < m->n; i++)
        for (int q = m->first[i]; q < m->first[i + 1]; q++) {
            long a = i < m->nbr[q] ? i : m->nbr[q], b = i < m->nbr[q] ? m->nbr[q] : i;
            k[q] = a * m->n + b;
        }
    qsort(k, m->npair, sizeof *k, cmp_long);
    return k;
}

/* The outer list: builds filtered from it list exactly the pairs a cell
 * build lists at the same positions (as a set of unordered pairs), the
 * forces agree with a model without it, and it is rebuilt only once some
 * particle has moved more than TK_OUTER_EXTRA / 2 since its build. */
static void test_outer_list(void)
{
    int n = 1500;
    tk_frame f;
    tk_frame_init(&f);
    random_conf(&f, n, 11);
    tk_ipl a, b;
    tk_ipl_init(&a, n, f.L, f.origin, f.sigma, 0.2);
    tk_ipl_init(&b, n, f.L, f.origin, f.sigma, 0.2);
    ok(a.skin_outer > a.skin, "N = 1500: the outer list is on (skin %.2g, outer %.2g)", a.skin,
       a.skin_outer);
    b.skin_outer = 0; /* the reference: cell builds only */
    double *xa = malloc(3 * n * sizeof *xa), *xb = malloc(3 * n * sizeof *xb);
    double *fa = malloc(3 * n * sizeof *fa), *fb = malloc(3 * n * sizeof *fb);
    double *u = calloc(3 * n, sizeof *u); /* displacement since the start */
    memcpy(xa, f.x, 3 * n * sizeof *xa);
    tk_rng r;
    tk_rng_seed(&r, 12);
    int same_set = 1, close = 1, early_outer = 0;
    long builds = 0, outer0 = 0;
    for (int s = 0; s < 40; s++) {
        /* steps of up to 0.06 per component on every particle, a third of
         * them a larger kick of particle s (0.3 along x) */
        for (int i = 0; i < 3 * n; i++) {
            double d = 0.06 * (tk_rng_uniform(&r) - 0.5);
            xa[i] += d;
            u[i] += d;
        }
        if (s % 3 == 2) {
            xa[3 * s] += 0.3;
            u[3 * s] += 0.3;
        }
        double umax = 0;
        for (int i = 0; i < n; i++)
            umax = fmax(umax, sqrt(u[3 * i] * u[3 * i] + u[3 * i + 1] * u[3 * i + 1] +
                                   u[3 * i + 2] * u[3 * i + 2]));
        long nb0 = a.nbuild, no0 = a.nouter;
        double ea = tk_ipl_forces(&a, xa, fa, NULL);
        if (a.nouter > no0) {
            /* rebuilt: the displacement since the last outer build had to
             * exceed the margin (except for the very first build) */
            if (no0 > 0 && umax <= 0.5 * TK_OUTER_EXTRA)
                early_outer = 1;
            memset(u, 0, 3 * n * sizeof *u);
            outer0++;
        }
        memcpy(xb, xa, 3 * n * sizeof *xb);
        tk_ipl_invalidate(&b);
        double eb = tk_ipl_forces(&b, xb, fb, NULL);
        if (a.nbuild > nb0) {
            builds++;
            long *ka = pair_set(&a), *kb = pair_set(&b);
            if (a.npair != b.npair || memcmp(ka, kb, a.npair * sizeof *ka) != 0)
                same_set = 0;
            free(ka);
            free(kb);
        }
        double df = 0;
        for (int i = 0; i < 3 * n; i++)
            df = fmax(df, fabs(fa[i] - fb[i]));
        if (relerr(ea, eb) > 1e-12 || df > 1e-9 * tk_fmax(n, fb))
            close = 0;
    }
    ok(same_set && builds >= 5, "the %ld builds from the outer list list the cell build's pairs",
       builds);
    ok(close, "energies and forces = those of cell builds only (40 moves)");
    ok(!early_outer && outer0 >= 2 && a.nouter == outer0,
       "outer list rebuilt %ld times, each after a displacement beyond %.2g", a.nouter,
       0.5 * TK_OUTER_EXTRA);
    free(xa);
    free(xb);
    free(fa);
    free(fb);
    free(u);
    tk_ipl_free(&a);
    tk_ipl_free(&b);
    tk_frame_free(&f);
}

int main(void)
{
    test_diameters();
    test_pair();
    test_forces_fd(150, 1);  /* small box: all-pairs list build */
    test_forces_fd(1000, 2); /* cell-list build */
    test_list_vs_direct(150, 3);
    test_list_vs_direct(1500, 4);
    test_virial();
    test_reference();
    test_simd_identical();
    test_outer_list();
    return done_testing();
}
