/* md.h - molecular dynamics: velocity Verlet with the Bussi-Donadio-
 * Parrinello stochastic velocity rescaling thermostat (J. Chem. Phys. 126,
 * 014101 (2007)), which samples the canonical ensemble exactly for any
 * coupling time tau and conserves the total momentum, or none (NVE).
 * Masses are 1.
 */
#ifndef TK_MD_H
#define TK_MD_H

#include "ipl.h"
#include "rng.h"

typedef struct {
    tk_ipl *model;
    int n;
    double *x, *v, *f; /* x, v borrowed (3n); f owned */
    double dt;
    double epot;       /* total potential energy at x: read it with
                          tk_md_epot(), steps compute forces only */
    double virial;
    int epot_valid;
    int thermostat;    /* 1 = Bussi, 0 = NVE */
    double T;          /* thermostat target temperature */
    double tau;        /* thermostat coupling time */
    double heat;       /* energy removed by the thermostat (for the
                          conserved quantity epot + ekin + heat) */
    long step;
    tk_rng *rng;
} tk_md;

/* Set up and compute the initial forces. */
void tk_md_init(tk_md *md, tk_ipl *model, double *x, double *v, double dt, tk_rng *rng);
void tk_md_free(tk_md *md);
/* One velocity-Verlet step followed by the thermostat (if on).  Returns 0,
 * or -1 when the energy is no longer finite (the caller reports it). */
int tk_md_step(tk_md *md);
double tk_md_ekin(const tk_md *md);
/* Potential energy (and virial) at the current positions. */
double tk_md_epot(tk_md *md);
/* Kinetic temperature 2K / (3N - 3): the centre of mass does not move. */
double tk_md_temperature(const tk_md *md);

/* Maxwell-Boltzmann velocities at temperature T with zero total momentum. */
void tk_md_velocities(int n, double *v, double T, tk_rng *rng);

/* Bussi's kinetic-energy resampling: new K given K, target Kt, nf degrees
 * of freedom and c = exp(-dt / tau). */
double tk_bussi_resample(double K, double Kt, int nf, double c, tk_rng *rng);
/* Gamma(shape, 1) deviate (Marsaglia-Tsang). */
double tk_rng_gamma(tk_rng *r, double shape);

#endif
