/* generate.c - random configurations. */
#include "generate.h"
#include "err.h"
#include "ipl.h"
#include "rng.h"

#include <math.h>
#include <stdio.h>

void tk_diameter_set(double *sigma, long n)
{
    for (long i = 0; i < n; i++)
        sigma[i] = tk_sigma_from_uniform((double)i / (double)n);
}

long tk_generate_min_n(double rho, double skin, tk_diameters dm)
{
    /* the deterministic set's largest diameter grows with n towards
     * TK_SIGMA_MAX, the bound of random draws */
    for (long n = 2; n < 100000000; n++) {
        double smax = dm == TK_DIAM_RANDOM ? TK_SIGMA_MAX
                                           : tk_sigma_from_uniform((double)(n - 1) / (double)n);
        if (cbrt(n / rho) > 2 * (TK_XC * smax + skin))
            return n;
    }
    return 100000000;
}

void tk_generate(tk_frame *f, long n, double rho, uint64_t seed, double ftol, tk_diameters dm)
{
    tk_rng rng;
    tk_rng_seed(&rng, seed);
    tk_frame_resize(f, (int)n);
    f->has_v = f->has_id = 0;
    f->L = cbrt(n / rho);
    for (int d = 0; d < 3; d++)
        f->origin[d] = -0.5 * f->L;
    if (dm == TK_DIAM_RANDOM)
        for (long i = 0; i < n; i++)
            f->sigma[i] = tk_sigma_from_uniform(tk_rng_uniform(&rng));
    else
        tk_diameter_set(f->sigma, n);
    /* the box must hold the cutoff under the minimum image: N and rho are
     * the caller's options, so a box too small is a usage error */
    double smax = 0;
    for (long i = 0; i < n; i++)
        smax = fmax(smax, f->sigma[i]);
    double need = 2 * (TK_XC * smax + TK_SKIN_DEFAULT);
    if (!(f->L > need))
        tk_usage_error("-N %ld at density %g: the box edge %.4g must exceed 2 x (cutoff %.4g + "
                       "skin %.2g) = %.4g: take N >= %ld at this density (or a lower density)",
                       n, rho, f->L, TK_XC * smax, TK_SKIN_DEFAULT, need,
                       tk_generate_min_n(rho, TK_SKIN_DEFAULT, dm));
    for (long i = 0; i < 3 * n; i++)
        f->x[i] = f->origin[i % 3] + f->L * tk_rng_uniform(&rng);
    char where[64];
    snprintf(where, sizeof where, "N=%ld, rho=%g", n, rho);
    tk_ipl m;
    tk_ipl_for_frame(&m, f, TK_SKIN_DEFAULT, where);
    if (ftol > 0) {
        tk_min_opts o;
        tk_min_defaults(&o);
        o.ftol = ftol;
        tk_min_result r = tk_minimize(&m, f->x, &o);
        if (!r.converged)
            tk_die("%s: overlap removal did not converge (fmax %.3g after %ld force "
                   "evaluations)", where, r.fmax, r.nforce);
        tk_wrap(f->n, f->L, f->origin, f->x);
    }
    double e = tk_ipl_energy(&m, f->x);
    if (!isfinite(e))
        tk_die("%s: the energy is not finite (particles on top of each other)", where);
    tk_meta_setd(&f->meta, "epot", e / n);
    tk_meta_setf(&f->meta, "seed", "%llu", (unsigned long long)seed);
    tk_meta_set(&f->meta, "diameters", dm == TK_DIAM_RANDOM ? "random" : "set");
    tk_ipl_free(&m);
}
