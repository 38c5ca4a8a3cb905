/* md.c - velocity Verlet and the Bussi thermostat. */
#include "md.h"
#include "err.h"

#include <math.h>
#include <stdlib.h>

void tk_md_init(tk_md *md, tk_ipl *model, double *x, double *v, double dt, tk_rng *rng)
{
    md->model = model;
    md->n = model->n;
    md->x = x;
    md->v = v;
    md->f = tk_xmalloc(3 * (size_t)md->n * sizeof *md->f);
    md->dt = dt;
    md->thermostat = 0;
    md->T = 0;
    md->tau = 0.1;
    md->heat = 0;
    md->step = 0;
    md->rng = rng;
    md->epot = tk_ipl_forces(model, x, md->f, &md->virial);
    md->epot_valid = 1;
}

double tk_md_epot(tk_md *md)
{
    if (!md->epot_valid) {
        /* the step computed forces only; energies are wanted rarely */
        md->epot = tk_ipl_forces(md->model, md->x, md->f, &md->virial);
        md->epot_valid = 1;
    }
    return md->epot;
}

void tk_md_free(tk_md *md)
{
    free(md->f);
    md->f = NULL;
}

double tk_md_ekin(const tk_md *md)
{
    double k = 0;
    for (int i = 0; i < 3 * md->n; i++)
        k += md->v[i] * md->v[i];
    return 0.5 * k;
}

double tk_md_temperature(const tk_md *md)
{
    return md->n > 1 ? 2 * tk_md_ekin(md) / (3.0 * md->n - 3) : 0;
}

double tk_rng_gamma(tk_rng *r, double shape)
{
    if (shape < 1) {
        /* boost: G(a) = G(a + 1) U^(1/a) */
        double u = tk_rng_uniform(r);
        return tk_rng_gamma(r, shape + 1) * pow(u > 0 ? u : 1e-300, 1 / shape);
    }
    double d = shape - 1.0 / 3, c = 1 / sqrt(9 * d);
    for (;;) {
        double z, v;
        do {
            z = tk_rng_normal(r);
            v = 1 + c * z;
        } while (v <= 0);
        v = v * v * v;
        double u = tk_rng_uniform(r);
        if (u < 1 - 0.0331 * z * z * z * z)
            return d * v;
        if (u > 0 && log(u) < 0.5 * z * z + d * (1 - v + log(v)))
            return d * v;
    }
}

double tk_bussi_resample(double K, double Kt, int nf, double c, tk_rng *rng)
{
    double r1 = tk_rng_normal(rng);
    /* sum of nf - 1 squared normals: chi-square = 2 Gamma((nf - 1) / 2) */
    double s = nf > 1 ? 2 * tk_rng_gamma(rng, 0.5 * (nf - 1)) : 0;
    return K + (1 - c) * (Kt * (s + r1 * r1) / nf - K) + 2 * r1 * sqrt(K * Kt / nf * (1 - c) * c);
}

int tk_md_step(tk_md *md)
{
    int n3 = 3 * md->n;
    double dt = md->dt, h = 0.5 * dt;
    double *x = md->x, *v = md->v, *f = md->f;
    for (int i = 0; i < n3; i++) {
        v[i] += h * f[i];
        x[i] += dt * v[i];
    }
    tk_ipl_forces_only(md->model, x, f);
    md->epot_valid = 0;
    /* the second half kick and the kinetic energy in one pass (the sum in
     * tk_md_ekin's order) */
    double k2 = 0;
    for (int i = 0; i < n3; i++) {
        v[i] += h * f[i];
        k2 += v[i] * v[i];
    }
    md->step++;
    double K = 0.5 * k2;
    if (!isfinite(K))
        return -1;
    if (md->thermostat) {
        int nf = n3 - 3;
        if (K > 0) {
            double Knew = tk_bussi_resample(K, 0.5 * nf * md->T, nf, exp(-dt / md->tau), md->rng);
            if (Knew < 0)
                Knew = 0;
            double a = sqrt(Knew / K);
            for (int i = 0; i < n3; i++)
                v[i] *= a;
            md->heat += K - Knew;
        }
    }
    return 0;
}

void tk_md_velocities(int n, double *v, double T, tk_rng *rng)
{
    double s = sqrt(T), p[3] = {0, 0, 0};
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 3; k++) {
            v[3 * i + k] = s * tk_rng_normal(rng);
            p[k] += v[3 * i + k];
        }
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 3; k++)
            v[3 * i + k] -= p[k] / n;
}
