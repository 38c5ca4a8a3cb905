/* schrod.h - the two lowest levels of the one-dimensional Schroedinger
 * equation along a double-well path (PHYSICS.md 2.8), for schrod1d(1):
 *
 *     -(1 / (2 mt d^2)) psi''(xi) + V(xi) psi(xi) = E psi(xi)
 *
 * The profile V is given at points 0 = xi_0 < ... < xi_{n-1} = 1 and
 * interpolated by a not-a-knot cubic spline (exact for cubic polynomials).
 * Outside [0, 1] it is continued by a parabola that rises away from the
 * interval, V(xi) = V(0) + s0 xi + k0 xi^2 / 2 for xi < 0 with s0 =
 * min(V'(0), 0), k0 = max(V''(0), kmin) (the spline's end derivatives), and
 * likewise beyond 1 with s1 = max(V'(1), 0); kmin = max V - min V of the
 * profile (1 when it is flat).  The domain ends, with psi = 0, where the WKB
 * decay exponent of a state at energy etop (just above E2), integral of
 * sqrt((V - etop) / c) dxi with c = 1 / (2 mt d^2), has reached the margin W
 * beyond the turning point.
 *
 * Discretisation: Numerov's scheme in its symmetric form, the tridiagonal
 * pencil A psi = E M psi with M = tridiag(1, 10, 1) / 12 and
 * A = (c/h^2) tridiag(-1, 2, -1) + (M V + V M) / 2 (fourth order in the
 * grid step h).  Levels on two nested grids (N and 2N + 1 interior points)
 * are extrapolated (Richardson, h^4); err is |split_2N - split_N| /
 * (15 split), the estimated error of the finer grid's splitting, plus the
 * rounding floor.  The two lowest eigenpairs of each pencil come from Sturm
 * counts (bisection) and inverse iteration with Rayleigh quotient shifts
 * (LAPACKE_dgttrf/dgttrs) and Rayleigh-Ritz on two vectors; the result is
 * checked by Sturm counts (exactly two eigenvalues up to E2).
 */
#ifndef TK_SCHROD_H
#define TK_SCHROD_H

typedef struct {
    double points; /* grid points per unit xi of the middle grid, fixed;
                      0 = automatic: start from tk_schrod_points and add
                      finer grids until err < tol (default) */
    double margin; /* decay exponent W beyond the turning points (default 20) */
    double tol;    /* target relative error of split, automatic grid (1e-6) */
    int walls;     /* 1: hard walls at xi = 0 and 1 instead of the continuation */
} tk_schrod_opts;

void tk_schrod_defaults(tk_schrod_opts *o);

typedef struct {
    double e1, e2;       /* the two lowest levels (extrapolated) */
    double split;        /* e2 - e1, computed without cancellation */
    double err;          /* relative error estimate of split */
    double e1f, e2f;     /* levels on the finest grid */
    double a, b;         /* the domain in xi (walls at a and b) */
    double etop;         /* the energy the domain was built for */
    double points;       /* grid points per unit xi of the middle grid */
    int n;               /* interior points of the finest grid */
    int refined;         /* grids added to reach tol (automatic grid) */
    int iters;           /* inverse-iteration steps, all grids (diagnostic) */
    int ok;              /* 1: converged, and the Sturm counts agree */
} tk_schrod_result;

typedef struct tk_schrod tk_schrod;

tk_schrod *tk_schrod_new(void);
void tk_schrod_free(tk_schrod *s);

/* Set the profile (n >= 3 points, xi strictly increasing from exactly 0 to
 * exactly 1, finite values: the caller checks).  For n = 3 the interpolant
 * is the parabola through the points. */
void tk_schrod_set_profile(tk_schrod *s, int n, const double *xi, const double *v);

/* The potential the equation is solved with (spline inside [0, 1], the
 * continuation outside; with walls, +inf outside). */
double tk_schrod_potential(const tk_schrod *s, double xi, int walls);

/* The automatic grid's start: points per unit xi of the middle grid for
 * the kinetic coefficient c = 1 / (2 mt d^2). */
double tk_schrod_points(const tk_schrod *s, double c);

/* Solve for mass mt and path length d (both > 0).  Returns 0 when the
 * result is ok, -1 otherwise (r->ok = 0, the levels may be nan). */
int tk_schrod_solve(tk_schrod *s, double mt, double d, const tk_schrod_opts *o,
                    tk_schrod_result *r);

#endif
