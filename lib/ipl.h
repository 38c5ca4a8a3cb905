/* ipl.h - the polydisperse inverse-power-law glass former (tlskit-physics(7),
 * the model).
 *
 * v(r) = (sigma_ij / r)^12 + c0 + c2 x^2 + c4 x^4,  x = r / sigma_ij < 1.25,
 * sigma_ij = (s_i + s_j)/2 (1 - 0.2 |s_i - s_j|), diameters from
 * P(s) ~ 1/s^3 on [0.73, 1.62].  v, v' and v'' vanish at the cutoff.
 *
 * tk_ipl evaluates energies and forces with a Verlet half list, with the
 * per-pair cutoff 1.25 sigma_ij + skin (not the global 2.025 + skin, which
 * would triple the pairs), rebuilt only when some particle has moved more
 * than skin/2 since the last build.  A rebuild filters an outer list of
 * candidates (skin + TK_OUTER_EXTRA), which is itself built from a cell
 * list only when some particle has moved more than TK_OUTER_EXTRA/2 since
 * its build.
 */
#ifndef TK_IPL_H
#define TK_IPL_H

#include <math.h>
#include <stddef.h>

#include "frame.h"

#define TK_SIGMA_MIN 0.73
#define TK_SIGMA_MAX 1.62
#define TK_XC 1.25
#define TK_NONADD 0.2
/* c0 = -28 / xc^12, c2 = 48 / xc^14, c4 = -21 / xc^16; the powers of
 * xc = 5/4 below are exact in binary floating point. */
#define TK_C0 (-28.0 / 14.551915228366852)
#define TK_C2 (48.0 / 22.737367544323206)
#define TK_C4 (-21.0 / 35.527136788005009)
#define TK_XC2 (TK_XC * TK_XC)
#define TK_SKIN_DEFAULT 0.3
/* the skin of the models that only minimise (is-sample's quenches, NEB
 * images): with list builds filtered from the outer list, a shorter list
 * pays (16 % less CPU time in is-sample than 0.3, 4 % in neb-ci) */
#define TK_SKIN_MINIMIZE 0.2
/* the outer list's skin is the skin plus this (when the box allows it):
 * a margin of 0.45 for the largest displacement between outer builds,
 * which the quenches of is-sample at T = 0.04 rarely exceed (0.3 did, at
 * almost every quench) */
#define TK_OUTER_EXTRA 0.9

/* Diameter for a uniform deviate u in [0, 1): inverse CDF of A / s^3. */
double tk_sigma_from_uniform(double u);

static inline double tk_sigma_ij(double si, double sj)
{
    /* fabs, not a conditional: the compiler made a branch of that */
    return 0.5 * (si + sj) * (1.0 - TK_NONADD * fabs(si - sj));
}

/* Pair energy and force factor for squared distance r2 and 1/sigma_ij^2.
 * Returns 0 (and nothing set) beyond the cutoff.  The force on i from j is
 * (*fr) * (r_i - r_j). */
static inline int tk_pair(double r2, double inv_s2, double *v, double *fr)
{
    double x2 = r2 * inv_s2;
    if (x2 >= TK_XC2)
        return 0;
    double i2 = 1.0 / x2, i6 = i2 * i2 * i2, i12 = i6 * i6;
    *v = i12 + TK_C0 + x2 * (TK_C2 + TK_C4 * x2);
    *fr = (12.0 * i12 * i2 - 2.0 * TK_C2 - 4.0 * TK_C4 * x2) * inv_s2;
    return 1;
}

typedef struct {
    int n;
    double L;
    double origin[3];
    const double *sigma; /* borrowed: n diameters */
    double skin;
    double rcmax; /* largest pair cutoff */
    /* Verlet half list: neighbours of i are nbr[first[i] .. first[i+1]) */
    int *first;
    int *nbr;
    double *inv_s2; /* 1 / sigma_ij^2 per listed pair */
    /* pairs of i needing a periodic image are nbr[mid[i] .. first[i+1]),
     * their shift is shift[img[k]] */
    int *mid;
    int *own; /* the particle i of each listed pair (SIMD kernel) */
    unsigned char *img;
    double shift[27][3];
    double rl2max;
    /* build scratch: pairs needing an image wait here until i is done */
    int *bbuf, nb;
    double *bbuf_s2;
    unsigned char *bbuf_img;
    size_t npair, cap;
    double *x0; /* positions at the last build */
    int valid;
    /* The outer list (skin_outer > skin; 0: none): the candidates j of each
     * i within 1.25 sigma_ij + skin_outer at its build (positions ox0),
     * onbr[ofirst[i] .. ofirst[i+1]).  A list build filters it instead of
     * searching the cells, until some particle has moved more than
     * (skin_outer - skin)/2 since the outer build. */
    double skin_outer;
    int *ofirst, *onbr;
    size_t ocap;
    double *ox0;
    int ovalid;
    int simd;   /* SIMD level of its kernels and of the minimiser:
                   tk_simd_level() at init; may be lowered (tests compare
                   TK_SIMD_NONE with it), never raised */
    /* cell list scratch */
    int nc;
    int *head, *cell;
    int *cstart, *order, *pos; /* particles sorted by cell */
    /* per cell, its own cell then its forward stencil, merged into runs of
     * consecutive cells of one image: segments seg_first[c] ..
     * seg_first[c + 1], cells seg_c0 .. seg_c1, image seg_img */
    int *seg_first, *seg_c0, *seg_c1;
    unsigned char *seg_img;
    double *xs; /* sorted x, y, z, sigma: four arrays of n + 8 */
    double *pbuf; /* SIMD force kernel: pair terms of a block (rows of 4) */
    double *f4;   /* and its forces, rows of 4 (64-byte aligned) */
    size_t pbuf_cap;
    /* counters: list builds (from the cells or the outer list), outer
     * list builds, force calls */
    long nbuild, nouter, nforce;
} tk_ipl;

/* Set up for n particles in a cubic box.  Returns 0, or -1 when the box is
 * too small for the minimum-image convention (L/2 <= largest cutoff + skin). */
int tk_ipl_init(tk_ipl *m, int n, double L, const double origin[3], const double *sigma,
                double skin);
void tk_ipl_free(tk_ipl *m);
/* Call after changing diameters: forces a rebuild. */
void tk_ipl_invalidate(tk_ipl *m);

/* Total potential energy; forces f (3n) and the virial sum r_ij . f_ij
 * (may be NULL).  Positions may be wrapped into the box in place when the
 * list is rebuilt. */
double tk_ipl_forces(tk_ipl *m, double *x, double *f, double *virial);
double tk_ipl_energy(tk_ipl *m, double *x);
/* Forces only (no energy, no virial): the MD and minimiser hot path. */
void tk_ipl_forces_only(tk_ipl *m, double *x, double *f);

/* Reference O(N^2) evaluation without any list, for tests. */
double tk_ipl_forces_direct(int n, double L, const double *x, const double *sigma, double *f,
                            double *virial);

/* Largest absolute force component. */
double tk_fmax(int n, const double *f);

/* Convenience for programs: set up m for a frame, dying with a message that
 * names `where` when the box is too small. */
void tk_ipl_for_frame(tk_ipl *m, tk_frame *f, double skin, const char *where);

#endif

