/* hessian.h - the analytic Hessian of the IPL model and its eigenvalues.
 *
 * For a pair at distance r (x = r / sigma_ij), with v' = dv/dr and
 * v'' = d2v/dr2, the off-diagonal 3x3 block is
 *   H_ij = -[ v'' n n^T + (v' / r) (I - n n^T) ],   n = (r_i - r_j) / r,
 * and H_ii = -sum_j H_ij.  Dense 3N x 3N (N = 1500: 162 MB), diagonalised
 * with LAPACKE_dsyevd: eigenvalues only (jobz 'N') unless the eigenvectors
 * are needed (the participation ratios of tk_hessian_modes).
 */
#ifndef TK_HESSIAN_H
#define TK_HESSIAN_H

#include "frame.h"

/* Fill H (3n x 3n, row major) for frame f. */
void tk_hessian(const tk_frame *f, double *H);
/* Eigenvalues of the Hessian of f into w (3n, ascending); 0 on success,
 * TK_HESSIAN_NOT_FINITE when an entry is inf or nan (overlapping
 * particles), else LAPACK's info. */
#define TK_HESSIAN_NOT_FINITE (-1000)
int tk_hessian_eigenvalues(const tk_frame *f, double *w);
/* The same, and for every mode k the participation ratios of its unit
 * eigenvector e (3n components e_{i,mu}), when pr or pr_atoms is not NULL
 * (only then are the eigenvectors computed: dsyevd jobz 'V', about twice
 * the time and 324 MB more at N = 1500):
 *   pr[k]       = (sum_{i,mu} e_{i,mu}^2)^2 / sum_{i,mu} e_{i,mu}^4, from 1
 *                 to 3n: the definition of the DWPs' PR (tlskit-physics(7));
 *   pr_atoms[k] = (sum_i |e_i|^2)^2 / sum_i |e_i|^4, from 1 to n: over
 *                 particles, independent of the orientation of the axes.
 * Either may be NULL. */
int tk_hessian_modes(const tk_frame *f, double *w, double *pr, double *pr_atoms);

#endif
