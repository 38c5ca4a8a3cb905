/* minimize.c - FIRE 2.0. */
#include "minimize.h"
#include "err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void tk_min_defaults(tk_min_opts *o)
{
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
}

tk_min_result tk_minimize(tk_ipl *m, double *x, const tk_min_opts *o)
{
    int n3 = 3 * m->n;
    double *v = tk_xcalloc((size_t)n3, sizeof *v);
    double *f = tk_xmalloc((size_t)n3 * sizeof *f);
    tk_min_result res = {0, 0, 0, 0};
    double dt = o->dt0, alpha = o->alpha0;
    long npos = 0, nneg = 0;

    /* FIRE needs no energies: forces only in the loop, the energy once at
     * the end */
    tk_ipl_forces_only(m, x, f);
    res.nforce = 1;
    res.fmax = tk_fmax(m->n, f);
    for (long step = 0; res.fmax > o->ftol && res.nforce < o->maxforce; step++) {
        if (!isfinite(res.fmax))
            break;
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
            vmax = fmax(vmax, fabs(v[i]));
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
    res.epot = tk_ipl_energy(m, x);
    res.converged = res.fmax <= o->ftol && isfinite(res.epot);
    free(v);
    free(f);
    return res;
}
