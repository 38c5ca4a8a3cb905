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
