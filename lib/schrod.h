/* schrod.h - the two lowest levels of the one-dimensional Schroedinger
 * equation along a double-well path (tlskit-physics(7), stage 8), for schrod1d(1):
 *
 *     -(1 / (2 mt d^2)) psi''(xi) + V(xi) psi(xi) = E psi(xi)
 *
 * The profile V is given at points 0 = xi_0 < ... < xi_{n-1} = 1 and
 * interpolated by the not-a-knot cubic spline (exact for cubics).  Beyond
 * the ends it is continued by its Taylor parabola, V(0) + V'(0) xi + k0
 * xi^2 / 2 for xi < 0 (likewise beyond 1), with k the spline's end
 * curvature, at least max V - min V of the points, and raised if the end
 * still falls outward so that the parabola dips at most 1e-3 of that range
 * below V(end).  The domain ends, with psi = 0, where the WKB decay
 * exponent of a state just above E2 reaches the margin W past its turning
 * point.
 *
 * Discretisation: Numerov's scheme in symmetric form, the tridiagonal
 * pencil A psi = E M psi, M = tridiag(1, 10, 1) / 12, A = (c / h^2)
 * tridiag(-1, 2, -1) + (M V + V M) / 2, c = 1 / (2 mt d^2): fourth order,
 * on grids whose nodes include xi = 0 and 1, less the erratic error of the
 * spline's knots between nodes.  Three nested grids (p/2, p, 2p points per
 * unit xi); the levels of the two finer ones are extrapolated (Richardson,
 * h^4), the extrapolation of the two coarser ones gives the error
 * estimate.  The automatic grid adds finer grids until that is below the
 * tolerance.  Eigenpairs by inverse iteration with Rayleigh-quotient
 * shifts on two vectors and Rayleigh-Ritz (LAPACKE_dgttrf / dgttrs),
 * started from Sturm-count brackets on the coarsest grid, checked by a
 * Sturm count.  See schrod1d(1) for the measured accuracy.
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
    double split;        /* e2 - e1, computed before shifting to V's zero */
    double err;          /* relative error estimate of split (inf if lost) */
    double e1f, e2f;     /* levels on the finest grid */
    double a, b;         /* the domain in xi (walls at a and b) */
    double etop;         /* the energy the domain was built for */
    double points;       /* grid points per unit xi of the middle grid */
    int n;               /* interior points of the finest grid */
    int refined;         /* grids added to reach tol (automatic grid) */
    int iters;           /* inverse-iteration steps, all grids (diagnostic) */
    int ok;              /* 1: converged, and the Sturm counts agree */
    /* The two-level description: psi1 and psi2 rotated into the two
     * states most localised on either side of the top of the profile
     * (the eigenvectors of P_jk, the part of psi_j psi_k beyond the top);
     * in that basis the Hamiltonian is [[eL, -delta0/2], [-delta0/2, eR]]:
     * asym = eR - eL (the xi = 1 side less the xi = 0 side: the asymmetry
     * of the wells' ground states, zero-point energies included), delta0
     * the tunnelling element, asym^2 + delta0^2 = split^2 exactly; loc, the
     * difference of P's eigenvalues, is 1 for states wholly in one well
     * each and falls towards 0 as the states spread over both (no barrier
     * to speak of: then asym and delta0 mean little).  The rotation is
     * extrapolated from the two finest grids as the levels are (err does
     * not include its error; 1e-5 relative or better where split meets
     * 1e-6).  nan without a top inside (0, 1) or a solution. */
    double asym, delta0, loc;
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

/* Solve for mass mt and path length d (both > 0).  Returns 0, or -1 when
 * no solution was found (r->ok = 0, the levels nan): a domain of more than
 * 4e6 grid points, or an iteration that failed. */
int tk_schrod_solve(tk_schrod *s, double mt, double d, const tk_schrod_opts *o,
                    tk_schrod_result *r);

#endif
