/* swapmc.h - Metropolis Monte Carlo with diameter swaps (PHYSICS.md §2.1).
 *
 * A trial move is, with probability pswap, the exchange of the diameters of
 * two distinct random particles, otherwise the displacement of one random
 * particle by a uniform vector in [-delta, delta]^3; acceptance
 * min(1, exp(-dU / T)).  One sweep is N trial moves.
 *
 * Energy changes come from a full neighbour list (each pair in both lists)
 * with the global cutoff 1.25 max(sigma) + skin: swaps change sigma_ij, so
 * the list cannot use per-pair cutoffs.  Each particle's neighbours are kept
 * sorted by index, which makes every energy a deterministic function of the
 * positions alone (not of when the list was built): a resumed chain is
 * bit-identical to an uninterrupted one.
 */
#ifndef TK_SWAPMC_H
#define TK_SWAPMC_H

#include <stddef.h>

#include "frame.h"
#include "rng.h"

typedef struct {
    int n;
    double L, origin[3];
    double *x;     /* borrowed: 3n positions */
    double *sigma; /* borrowed: n diameters, permuted by swaps */
    double T, delta, pswap;
    double E; /* tracked total potential energy */
    /* full list: the cnt[i] neighbours of i are nbr[i * stride ...],
     * sorted: the pairs whose centres x0 are closer than rc + skin */
    double skin, rc;
    int *nbr, *cnt, stride;
    double *x0;
    int nc;
    int *head, *next, *prev, *cell; /* cell list over the centres */
    /* near lists: pairs within 1.25 sigma_ij + skin of each other's centre
     * for the current diameters, with 1/sigma_ij^2 (see swapmc.c) */
    int *pn, *pcnt, pstride;
    double *ps2;
    long nbuild, nrecentre;
    int valid;
    /* move statistics (reset by the caller when it likes) */
    long try_disp, acc_disp, try_swap, acc_swap;
    tk_rng rng;
} tk_swapmc;

/* Set up (wraps x into the box); the tracked energy E starts at 0: set it
 * with tk_swapmc_energy().  Returns 0, or -1 when the box is too small for the cutoff. */
int tk_swapmc_init(tk_swapmc *mc, int n, double L, const double origin[3], double *x,
                   double *sigma, double T, double delta, double pswap);
void tk_swapmc_free(tk_swapmc *mc);
/* Change delta (keeps the list valid for any trial: skin >= 2 sqrt(3) delta). */
void tk_swapmc_set_delta(tk_swapmc *mc, double delta);
/* One sweep of N trial moves. */
void tk_swapmc_sweep(tk_swapmc *mc);
/* Total energy recomputed from scratch (for checks). */
double tk_swapmc_energy(tk_swapmc *mc);

#endif
