/* neb.h - climbing-image nudged elastic band (Henkelman, Uberuaga and
 * Jonsson, J. Chem. Phys. 113, 9901 (2000); improved tangent: Henkelman and
 * Jonsson, J. Chem. Phys. 113, 9978 (2000)).
 *
 * A band of M images R_0 .. R_{M-1} joins two minima (the end images stay
 * fixed).  Interior images feel the true force perpendicular to the tangent
 * plus spring forces along it; once the band is roughly relaxed the highest
 * image climbs (its force along the tangent is inverted, no springs).  The
 * band is relaxed on all images together, by FIRE or by L-BFGS on the NEB
 * forces (Sheppard, Terrell and Henkelman, J. Chem. Phys. 128, 134106
 * (2008): no line search, a capped step, the memory dropped when a step
 * goes against the force or the climbing image changes), and converges
 * when the largest force component over all interior images is below tol.
 *
 * The energy profile is a cubic Hermite interpolation in the path length s:
 * image energies and the slopes dV/ds = -F.tau of the true forces.
 */
#ifndef TK_NEB_H
#define TK_NEB_H

#include "frame.h"
#include "ipl.h"

typedef struct {
    int nimages;    /* interior images */
    double k;       /* spring constant */
    double tol;     /* convergence: max |F| component over interior images */
    double ci_on;   /* climbing image switched on below this max |F| ... */
    long ci_after;  /* ... or after this many iterations */
    long maxiter;
    double dt0, dtmax, dmax; /* FIRE (dmax also caps every L-BFGS step component) */
    int method;     /* TK_NEB_FIRE or TK_NEB_LBFGS */
    int memory;     /* L-BFGS memory */
} tk_neb_opts;

enum { TK_NEB_FIRE, TK_NEB_LBFGS };

typedef struct {
    int n, M;       /* particles, images including the two ends */
    double L;
    double *R;      /* M x 3n positions (ends aligned: minimum image, drift removed) */
    double *E;      /* M total energies */
    double *F;      /* M x 3n true forces */
    double *tau;    /* M x 3n unit tangents */
    double *D;      /* (M-1) x 3n: minimum-image R_{i+1} - R_i */
    double *ftan;   /* M: F . tau */
    double *s;      /* M: path length from R_0 */
    int ci;         /* climbing image, -1 before it is switched on */
    int converged;
    int diverged;   /* stopped early: the path length ran away */
    int fallback;   /* L-BFGS ran away: relaxed again by FIRE from the start */
    long iter, nforce;
    double fmax;    /* largest NEB force component at the end */
    double drift[3]; /* the translation of the second end removed by tk_neb_init */
    tk_ipl *model;  /* one per image (each keeps its own Verlet list) */
} tk_neb;

void tk_neb_defaults(tk_neb_opts *o);
/* "fire" or "lbfgs"; -1 if unknown. */
int tk_neb_method_parse(const char *s);
/* Set up a band of nimages + 2 images between xa and xb (3n each) for the
 * particles of frame f (diameters, box).  xb is aligned to xa (tk_align of
 * displace.h: the minimum image, shifted by minus the mean displacement)
 * and the band interpolated linearly.  The tangents and the NEB forces
 * have their mean over particles removed, so that no image translates: the
 * saddle and the path length do not depend on a rigid translation of
 * either end. */
void tk_neb_init(tk_neb *b, const tk_frame *f, const double *xa, const double *xb,
                 const tk_neb_opts *o);
void tk_neb_free(tk_neb *b);
/* Relax the band; returns b->converged.  With TK_NEB_LBFGS, a band that
 * runs away is relaxed again by FIRE from the straight band (b->fallback;
 * iter and nforce count both). */
int tk_neb_run(tk_neb *b, const tk_neb_opts *o);
/* Profile at ns equally spaced xi = s / d in [0, 1]: V relative to E_0. */
void tk_neb_profile(const tk_neb *b, int ns, double *xi, double *V);

#endif
