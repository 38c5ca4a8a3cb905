/* displace.h - the displacement between two configurations of the same
 * particles, without the rigid translation of the whole system.
 *
 * Two minima of one glass can differ by a uniform drift: MD with a
 * thermostat that does not conserve momentum, frames from another code, a
 * Monte Carlo random walk of the centre of mass.  A translation is not a
 * rearrangement: every stage that compares two configurations (pair-select,
 * neb-ci, dwp-split, tls-snapshot, conf-diff) measures
 *
 *     u_i = mic(b_i - a_i)           the minimum-image displacement,
 *     t   = mean_i u_i               the drift (per axis),
 *     d_i = mic(u_i - t)             the drift-free displacement,
 *
 * and reports the distance, participation ratio and largest displacement
 * of d.  The mean is taken on the circle first (the circular mean of the
 * u_i per axis, then corrected by the ordinary mean of the residuals), so
 * that a drift near half the box, where the u_i of different particles wrap
 * to opposite sides, is still found; otherwise it is the plain mean of the
 * u_i, to rounding.
 */
#ifndef TK_DISPLACE_H
#define TK_DISPLACE_H

/* The default same-minimum tolerance: two configurations whose largest
 * drift-free particle displacement is below it are one minimum (the
 * criterion is-sample uses to tell minima apart). */
#define TK_SAME_DTOL 1e-3

typedef struct {
    double drift[3]; /* the mean displacement removed (0 with keep_drift) */
    double dist;     /* sqrt(sum_i,mu d_i,mu^2), 3N-dimensional distance */
    double pr;       /* (sum d_i,mu^2)^2 / sum d_i,mu^4; NAN when dist = 0 */
    double dmax;     /* max_i |d_i| */
    int imax;        /* the particle of dmax (0-based) */
} tk_disp;

/* The displacement from a to b (3n positions each) in a cubic periodic box
 * of edge L: drift-free unless keep_drift.  d (3n) receives the
 * displacement vector when not NULL; s (not NULL) its measures. */
void tk_displace(int n, double L, const double *a, const double *b, int keep_drift, double *d,
                 tk_disp *s);

/* The measures of a given displacement vector d (3n), as tk_displace. */
void tk_disp_measure(int n, const double *d, tk_disp *s);

/* b aligned to a: out_i = a_i + d_i with d the drift-free displacement, the
 * periodic image of b nearest to a once the drift is removed (out may be
 * b).  Returns the measures of d in s (may be NULL). */
void tk_align(int n, double L, const double *a, const double *b, double *out, tk_disp *s);

/* Remove the mean over particles, per axis, of a 3n vector (forces,
 * velocities, tangents): no net translation. */
void tk_remove_mean(int n, double *v);

/* |drift|, the length of the removed translation. */
double tk_disp_drift(const tk_disp *s);

#endif
