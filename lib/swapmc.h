/* swapmc.h - Metropolis Monte Carlo with diameter swaps (tlskit-physics(7), stage 1).
 *
 * A trial move is, with probability pswap, the exchange of the diameters of
 * two distinct random particles, otherwise the displacement of one random
 * particle by a uniform vector in [-delta, delta]^3; acceptance
 * min(1, exp(-dU / T)).  One sweep is N trial moves.
 *
 * Energy changes come from neighbour lists over "centres" (each particle's
 * position when its lists were last made; it stays within skin/2 of it):
 * a near list (centres closer than 1.25 sigma_ij + skin for the current
 * diameters) for displacements and shrinking diameters, and for a growing
 * diameter the full list (closer than 1.25 max(sigma) + skin: swaps change
 * sigma_ij) or, when the new diameter is at most sgrow, the inner list
 * (closer than 1.25 sigma(sgrow, max sigma) + skin).  Every list is sorted
 * by index, and an energy change sums only the pairs within the cutoff, in
 * that order, in a fixed way (swapmc.c): each energy change is a function
 * of the configuration alone, not of when lists were made, so a resumed
 * chain is bit-identical to an uninterrupted one, and the SIMD kernels
 * chosen at run time (simd.h, TLSKIT_SIMD) give the same results to the
 * bit as the scalar code.
 */
#ifndef TK_SWAPMC_H
#define TK_SWAPMC_H

#include <stddef.h>

#include "frame.h"
#include "rng.h"

/* Neighbour lists: the cnt[i] partners of i, sorted, at idx[i * stride]. */
typedef struct {
    int *idx, *cnt, stride;
} tk_swapmc_list;

typedef struct {
    int n;
    double L, origin[3];
    double *x;     /* borrowed: 3n positions */
    double *sigma; /* borrowed: n diameters, permuted by swaps */
    double T, delta, pswap;
    double E; /* tracked total potential energy */
    double skin, rc; /* rc = 1.25 max(sigma), the largest pair cutoff */
    double sgrow;    /* the inner list serves diameters up to sgrow */
    tk_swapmc_list full, inner, near;
    /* rows of 4 doubles: xs = (x, y, z, sigma) of each particle (a copy of
     * x and sigma, kept in step), c4 = its centre (x, y, z, 0) */
    double *xs, *c4;
    /* cell list over the centres: cell c holds the ccnt[c] particles
     * cmem[c * ccap ...], whose centres are ccen[(d * nc^3 + c) * ccap ...] */
    int nc, ccap, *cmem, *ccnt, *cell, *cslot;
    double *ccen;
    /* scratch of the kernels and of the list updates */
    int *ibuf, bufcap, *rbuf, rcap, *cbuf, cbufcap;
    unsigned long long *bits;
    long nbuild, nrecentre;
    int valid;
    int simd; /* kernel level (simd.h), chosen at set-up */
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
