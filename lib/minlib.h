/* minlib.h - a library of distinct energy minima (inherent structures).
 *
 * Two minima are the same when their energies per particle differ by less
 * than etol AND no particle is displaced by more than dtol between them
 * (minimum image, after removing the mean displacement: a rigid translation
 * of the whole system is the same minimum): nearly degenerate minima can be
 * far apart, and two quenches into one basin differ only by roundoff (about
 * 1e-8 in position for a force tolerance of 1e-10).  Candidates are found by binary search
 * in an energy-sorted index, then compared configuration by configuration
 * (positions kept in single precision: plenty for dtol >= 1e-5).
 *
 * Every minimum carries the key (run, k) of its first discovery: run index
 * and the k-th minimisation of that run.  Ids are assigned in key order, so
 * libraries built from parts of the runs and merged afterwards get the same
 * ids as one library built from all of them.
 */
#ifndef TK_MINLIB_H
#define TK_MINLIB_H

#include <stddef.h>

typedef struct {
    double e;    /* energy per particle */
    long run, k; /* discovery key */
    long id;     /* position in discovery order (assigned by the owner) */
    float *x;    /* 3n positions */
} tk_minimum;

typedef struct {
    int n;
    double L;
    double etol, dtol;
    tk_minimum *m;
    size_t count, cap;
    size_t *by_e; /* indices sorted by energy */
} tk_minlib;

void tk_minlib_init(tk_minlib *lib, int n, double L, double etol, double dtol);
void tk_minlib_free(tk_minlib *lib);
/* Index of the minimum matching (e, x), or -1. */
long tk_minlib_find(const tk_minlib *lib, double e, const double *x);
/* The same with other tolerances (is-sample's loose identification). */
long tk_minlib_find_tol(const tk_minlib *lib, double e, const double *x, double etol,
                        double dtol);
/* Add a new minimum; returns its index (= count - 1).  A minimum of energy
 * exactly 0 (no pair interacts: a flat landscape, every configuration a
 * "minimum") is a fatal error. */
long tk_minlib_add(tk_minlib *lib, double e, const double *x, long run, long k);
/* Largest single-particle displacement between x (double) and m (float),
 * the mean displacement removed. */
double tk_minlib_maxdisp(const tk_minlib *lib, const double *x, const float *m);

#endif
