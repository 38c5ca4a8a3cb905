/* generate.h - a random starting configuration of the IPL model. */
#ifndef TK_GENERATE_H
#define TK_GENERATE_H

#include <stdint.h>

#include "frame.h"
#include "minimize.h"

/* The diameters of a glass of n particles: by default the deterministic set
 * sigma_i = F^-1(i / n), i = 0 .. n-1, F the CDF of 1/sigma^3 on [0.73, 1.62],
 * which every published glass of this model holds (same volume fraction for
 * every sample); random = 1 draws them instead from (rng). */
typedef enum { TK_DIAM_SET = 0, TK_DIAM_RANDOM = 1 } tk_diameters;
void tk_diameter_set(double *sigma, long n);

/* n diameters (tk_diameter_set, or drawn), uniform positions in a cubic box
 * of density rho centred on the origin, then (if ftol > 0) overlaps removed
 * by FIRE to max |F| <= ftol.  Records diameters=set|random in the metadata.
 * A box too small for the cutoff (n, rho from options) is a usage error
 * (exit 2); no convergence a data error. */
void tk_generate(tk_frame *f, long n, double rho, uint64_t seed, double ftol, tk_diameters dm);

/* The least n whose box at density rho exceeds twice the largest cutoff
 * plus skin (with the diameter set; with random draws, for any draw). */
long tk_generate_min_n(double rho, double skin, tk_diameters dm);

#endif
