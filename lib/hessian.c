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
    int n3 = 3 * f->n;
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
    int info = LAPACKE_dsyevd(LAPACK_ROW_MAJOR, 'N', 'U', n3, H, n3, w);
    free(H);
    return info;
}
