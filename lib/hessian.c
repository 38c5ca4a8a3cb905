/* hessian.c - analytic Hessian, LAPACK eigenvalues. */
#include "hessian.h"
#include "err.h"
#include "ipl.h"

#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

void tk_hessian(const tk_frame *f, double *H)
{
    int n = f->n, n3 = 3 * n;
    memset(H, 0, (size_t)n3 * n3 * sizeof *H);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            double d[3], r2 = 0;
            for (int k = 0; k < 3; k++) {
                d[k] = tk_mic(f->x[3 * i + k] - f->x[3 * j + k], f->L);
                r2 += d[k] * d[k];
            }
            double s = tk_sigma_ij(f->sigma[i], f->sigma[j]), x2 = r2 / (s * s);
            if (x2 >= TK_XC2)
                continue;
            double r = sqrt(r2), x = r / s, ix2 = 1 / x2, ix12 = ix2 * ix2 * ix2 * ix2 * ix2 * ix2;
            /* dv/dx and d2v/dx2, then per r */
            double dvdx = -12 * ix12 / x + 2 * TK_C2 * x + 4 * TK_C4 * x * x2;
            double d2vdx2 = 156 * ix12 * ix2 + 2 * TK_C2 + 12 * TK_C4 * x2;
            double v1 = dvdx / s, v2 = d2vdx2 / (s * s);
            for (int a = 0; a < 3; a++)
                for (int b = 0; b < 3; b++) {
                    double na = d[a] / r, nb = d[b] / r;
                    double h = -(v2 * na * nb + v1 / r * ((a == b) - na * nb));
                    H[(size_t)(3 * i + a) * n3 + 3 * j + b] += h;
                    H[(size_t)(3 * j + b) * n3 + 3 * i + a] += h;
                    H[(size_t)(3 * i + a) * n3 + 3 * i + b] -= h;
                    H[(size_t)(3 * j + a) * n3 + 3 * j + b] -= h;
                }
        }
}

int tk_hessian_eigenvalues(const tk_frame *f, double *w)
{
    return tk_hessian_modes(f, w, NULL, NULL);
}

int tk_hessian_modes(const tk_frame *f, double *w, double *pr, double *pr_atoms)
{
    int n = f->n, n3 = 3 * n, vec = pr || pr_atoms;
    double *H = malloc((size_t)n3 * n3 * sizeof *H);
    if (!H)
        tk_die("out of memory for a %d x %d Hessian", n3, n3);
    tk_hessian(f, H);
    /* overlapping particles give inf or nan: no eigenvalues to speak of */
    for (size_t k = 0; k < (size_t)n3 * n3; k++)
        if (!isfinite(H[k])) {
            free(H);
            return TK_HESSIAN_NOT_FINITE;
        }
    int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, vec ? 'V' : 'N', 'U', n3, H, n3, w);
    if (info == 0 && vec) {
        /* row r of H holds component r of every eigenvector (column k):
         * accumulate along rows, particle by particle */
        double *s2 = tk_xcalloc((size_t)n3, sizeof *s2), *s4 = tk_xcalloc((size_t)n3, sizeof *s4);
        double *p4 = tk_xcalloc((size_t)n3, sizeof *p4), *b = tk_xmalloc((size_t)n3 * sizeof *b);
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n3; k++)
                b[k] = 0;
            for (int mu = 0; mu < 3; mu++) {
                const double *row = H + (size_t)(3 * i + mu) * n3;
                for (int k = 0; k < n3; k++) {
                    double e2 = row[k] * row[k];
                    s4[k] += e2 * e2;
                    b[k] += e2;
                }
            }
            for (int k = 0; k < n3; k++) {
                s2[k] += b[k];
                p4[k] += b[k] * b[k];
            }
        }
        for (int k = 0; k < n3; k++) {
            if (pr)
                pr[k] = s2[k] * s2[k] / s4[k];
            if (pr_atoms)
                pr_atoms[k] = s2[k] * s2[k] / p4[k];
        }
        free(s2);
        free(s4);
        free(p4);
        free(b);
    }
    free(H);
    return info;
}
