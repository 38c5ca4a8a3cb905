/* minimize.h - energy minimisation.
 *
 * FIRE 2.0 (Guenole et al., Comput. Mater. Sci. 175, 109584 (2020),
 * semi-implicit Euler variant with the half-step correction on uphill
 * moves) is robust from any start; L-BFGS (two-loop recursion, memory m)
 * converges superlinearly near a minimum.  The default "fire+lbfgs" runs
 * FIRE until max |F| <= switch_tol, then L-BFGS to ftol, falling back to
 * FIRE if L-BFGS stalls.  L-BFGS takes energy-free steps capped at dmax (no
 * line search): at max |F| ~ 1e-10 energy differences are far below the
 * roundoff of a total energy, so an energy-based line search cannot work.
 *
 * Stops when the largest absolute force component is <= ftol.  The result
 * says honestly whether it converged.
 */
#ifndef TK_MINIMIZE_H
#define TK_MINIMIZE_H

#include "ipl.h"

typedef enum { TK_MIN_FIRE, TK_MIN_LBFGS, TK_MIN_FIRE_LBFGS } tk_min_method;

typedef struct {
    tk_min_method method;
    double ftol;     /* convergence: max |F_i,mu| <= ftol */
    double switch_tol; /* fire+lbfgs: switch to L-BFGS below this max |F| */
    int memory;      /* L-BFGS memory */
    long maxforce;   /* give up after this many force evaluations */
    double dt0;      /* initial time step */
    double dtmax;    /* largest time step */
    double dtmin;    /* smallest time step */
    double dmax;     /* largest displacement of any coordinate per step */
    int ndelay;      /* steps before dt may grow */
    double finc, fdec, alpha0, falpha;
    long nnegmax;    /* give up after this many uphill steps in a row */
    /* Early stop: when max |F| first drops to check_tol (> ftol), check(ctx,
     * m, x) is called; a nonzero return stops the minimisation there
     * (result.stopped = 1).  Otherwise it goes on exactly as without the
     * check, so the final minimum does not depend on it, and the check is
     * called again each time max |F| first drops another decade
     * (check_tol / 10, / 100, ...).  is-sample uses it to recognise a known
     * minimum before polishing. */
    double check_tol;
    int (*check)(void *ctx, tk_ipl *m, double *x);
    void *check_ctx;
} tk_min_opts;

typedef struct {
    int converged;
    long nforce; /* force evaluations used */
    double epot; /* total potential energy at the end */
    double fmax; /* largest force component at the end */
    int stopped; /* stopped early by check() (converged = 0) */
} tk_min_result;

void tk_min_defaults(tk_min_opts *o);
/* "fire", "lbfgs" or "fire+lbfgs"; -1 if unknown. */
int tk_min_method_parse(const char *s);
/* Minimise x (3n) in place.  Workspace is allocated per call. */
tk_min_result tk_minimize(tk_ipl *m, double *x, const tk_min_opts *o);

#endif
