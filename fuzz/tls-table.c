/* tls-table - fuzz harness: schrod1d tables as tls-density and tls-heat read
 * them (tk_tls_read).  Promises of every row kept: a positive finite mass
 * with 2 pi / mass normal, a splitting >= 0 and finite (rows of nan
 * splitting are skipped and counted), dV, Vb, d, PR finite or nan, d and PR
 * positive. */
#include <math.h>

#include "fuzz.h"
#include "tlstable.h"

static void one(const char *path)
{
    tk_tls_set s = {0};
    tk_tls_read(path, 0, &s);
    tk_tls_read(path, 1, &s); /* a second table appended to the same set */
    fuzz_check(s.n % 2 == 0 && s.nskipped % 2 == 0, "%zu rows, %ld skipped from the table twice",
               s.n, s.nskipped);
    for (size_t k = 0; k < s.n; k++) {
        const tk_tls_row *t = &s.row[k];
        fuzz_check(t->mass > 0 && isfinite(t->mass) && isnormal(TK_TWO_PI / t->mass),
                   "row %zu: mass %g", k + 1, t->mass);
        fuzz_check(t->split >= 0 && isfinite(t->split), "row %zu: split %g", k + 1, t->split);
        fuzz_check(!isinf(t->dV) && !isinf(t->Vb), "row %zu: dV %g, Vb %g", k + 1, t->dV, t->Vb);
        fuzz_check(isnan(t->d) || (t->d > 0 && isfinite(t->d)), "row %zu: d %g", k + 1, t->d);
        fuzz_check(isnan(t->pr) || (t->pr > 0 && isfinite(t->pr)), "row %zu: PR %g", k + 1,
                   t->pr);
        fuzz_check(t->glass == (k < s.n / 2 ? 0 : 1), "row %zu: glass %d", k + 1, t->glass);
    }
    tk_tls_free(&s);
}

int main(int argc, char **argv)
{
    return fuzz_main(argc, argv, one);
}
