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
    /* with eigenvectors: the same eigenvalues, and participation ratios
     * in range; the translations (any combination of the three) move every
     * particle alike: pr_atoms = n exactly */
    double *w2 = malloc(n3 * sizeof *w2), *pr = malloc(n3 * sizeof *pr),
           *pra = malloc(n3 * sizeof *pra);
    ok(tk_hessian_modes(&f, w2, pr, pra) == 0, "LAPACK gives the eigenvectors too");
    double dw = 0, wmax = 0;
    int inrange = 1;
    for (int k = 0; k < n3; k++) {
        dw = fmax(dw, fabs(w2[k] - w[k]));
        wmax = fmax(wmax, fabs(w[k]));
        inrange &= pr[k] >= 1 - 1e-9 && pr[k] <= n3 * (1 + 1e-9) && pra[k] >= 1 - 1e-9 &&
                   pra[k] <= n * (1 + 1e-9);
    }
    ok(dw < 1e-10 * wmax, "eigenvalues with and without vectors agree (%.2g)", dw);
    ok(inrange, "1 <= pr <= 3n and 1 <= pr_atoms <= n for every mode");
    ok(fabs(pra[0] - n) < 1e-6 * n && fabs(pra[1] - n) < 1e-6 * n && fabs(pra[2] - n) < 1e-6 * n,
       "the three translations: pr_atoms = n (%.9g %.9g %.9g)", pra[0], pra[1], pra[2]);
    ok(pra[3] < n, "the softest vibration is not uniform (pr_atoms %.4g of %d)", pra[3], n);
    free(w2);
    free(pr);
    free(pra);
    free(H);
    free(fp);
    free(fm);
    free(w);
    tk_frame_free(&f);
    return done_testing();
}
