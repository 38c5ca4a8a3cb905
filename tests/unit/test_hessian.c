/* test_hessian.c - the analytic Hessian against finite differences of the
 * forces, and its symmetry and translation modes. */
#include <math.h>
#include <stdlib.h>

#include "frame.h"
#include "generate.h"
#include "hessian.h"
#include "ipl.h"
#include "tap.h"

int main(void)
{
    tk_frame f;
    tk_frame_init(&f);
    tk_generate(&f, 150, 1.0, 4, 1e-3, TK_DIAM_SET);
    int n = f.n, n3 = 3 * n;
    double *H = malloc((size_t)n3 * n3 * sizeof *H), *fp = malloc(n3 * sizeof *fp),
           *fm = malloc(n3 * sizeof *fm);
    tk_hessian(&f, H);
    double h = 1e-6, worst = 0, scale = 0;
    for (int t = 0; t < 20; t++) {
        int c = (t * 131) % n3;
        double x0 = f.x[c];
        f.x[c] = x0 + h;
        tk_ipl_forces_direct(n, f.L, f.x, f.sigma, fp, NULL);
        f.x[c] = x0 - h;
        tk_ipl_forces_direct(n, f.L, f.x, f.sigma, fm, NULL);
        f.x[c] = x0;
        for (int r = 0; r < n3; r++) {
            double fd = -(fp[r] - fm[r]) / (2 * h);
            worst = fmax(worst, fabs(fd - H[(size_t)c * n3 + r]));
            scale = fmax(scale, fabs(fd));
        }
    }
    ok(worst < 1e-5 * scale, "Hessian = -dF/dx by central differences (worst %.2g of %.3g)", worst,
       scale);
    double asym = 0;
    for (int a = 0; a < n3; a++)
        for (int b = 0; b < a; b++)
            asym = fmax(asym, fabs(H[(size_t)a * n3 + b] - H[(size_t)b * n3 + a]));
    ok(asym < 1e-9 * scale, "Hessian is symmetric (%.2g)", asym);
    /* a uniform translation costs nothing: every row sums to zero per axis */
    double rows = 0;
    for (int a = 0; a < n3; a++)
        for (int k = 0; k < 3; k++) {
            double s = 0;
            for (int j = 0; j < n; j++)
                s += H[(size_t)a * n3 + 3 * j + k];
            rows = fmax(rows, fabs(s));
        }
    ok(rows < 1e-9 * scale, "translations are zero modes (row sums %.2g)", rows);
    double *w = malloc(n3 * sizeof *w);
    ok(tk_hessian_eigenvalues(&f, w) == 0, "LAPACK diagonalises it");
    int nzero = 0;
    for (int k = 0; k < n3; k++)
        nzero += fabs(w[k]) < 1e-6;
    ok(nzero == 3 && w[0] > -1e-6, "a relaxed configuration (fmax 1e-3): three zero modes, none "
                                   "negative (lowest %.3g, then %.3g)", w[0], w[3]);
    free(H);
    free(fp);
    free(fm);
    free(w);
    tk_frame_free(&f);
    return done_testing();
}
