/* minimize.h - energy minimisation (FIRE 2.0, Guenole et al., Comput. Mater.
 * Sci. 175, 109584 (2020), semi-implicit Euler variant with the half-step
 * correction on uphill moves).
 *
 * Stops when the largest absolute force component is <= ftol.  The result
 * says honestly whether it converged.
 */
#ifndef TK_MINIMIZE_H
#define TK_MINIMIZE_H

#include "ipl.h"

typedef struct {
    double ftol;     /* convergence: max |F_i,mu| <= ftol */
    long maxforce;   /* give up after this many force evaluations */
    double dt0;      /* initial time step */
    double dtmax;    /* largest time step */
    double dtmin;    /* smallest time step */
    double dmax;     /* largest displacement of any coordinate per step */
    int ndelay;      /* steps before dt may grow */
    double finc, fdec, alpha0, falpha;
    long nnegmax;    /* give up after this many uphill steps in a row */
} tk_min_opts;

typedef struct {
    int converged;
    long nforce; /* force evaluations used */
    double epot; /* total potential energy at the end */
    double fmax; /* largest force component at the end */
} tk_min_result;

void tk_min_defaults(tk_min_opts *o);
/* Minimise x (3n) in place.  Workspace is allocated per call. */
tk_min_result tk_minimize(tk_ipl *m, double *x, const tk_min_opts *o);

#endif
