/* dwp - fuzz harness: path and DWP records (tlskit-dwp(5)) as schrod1d
 * reads them (tk_dwp_read); each accepted record of up to 64 rows is then
 * solved as schrod1d does (mass 4000, the automatic grid).  Promises of an
 * accepted record: id= and d= present, d in [TK_DWP_D_MIN, TK_DWP_D_MAX],
 * at least 3 rows, xi from exactly 0 to exactly 1 and increasing, |V| <=
 * TK_DWP_V_MAX; the solver's levels finite when it reports a solution. */
#include <math.h>
#include <string.h>

#include "dwpio.h"
#include "fuzz.h"
#include "schrod.h"

static void one(const char *path)
{
    tk_dwp_src in = {0};
    in.name = path;
    in.fp = fopen(path, "r");
    if (!in.fp)
        tk_die("%s: cannot open", path);
    tk_dwp_rec r = {0};
    tk_schrod *sv = tk_schrod_new();
    tk_schrod_opts so;
    tk_schrod_defaults(&so);
    while (tk_dwp_read(&in, &r)) {
        fuzz_check(r.id && r.d, "record %ld: no id= or d=", in.nrec);
        double d = strtod(r.d, NULL);
        fuzz_check(d >= TK_DWP_D_MIN && d <= TK_DWP_D_MAX, "record %ld: d = %g", in.nrec, d);
        fuzz_check(r.n >= 3 && r.xi[0] == 0 && r.xi[r.n - 1] == 1, "record %ld: %d rows",
                   in.nrec, r.n);
        for (int k = 0; k < r.n; k++) {
            fuzz_check(k == 0 || r.xi[k] > r.xi[k - 1], "record %ld: xi not increasing",
                       in.nrec);
            fuzz_check(fabs(r.v[k]) <= TK_DWP_V_MAX, "record %ld: V = %g", in.nrec, r.v[k]);
        }
        if (r.n > 64)
            continue;
        tk_schrod_set_profile(sv, r.n, r.xi, r.v);
        tk_schrod_result res;
        if (tk_schrod_solve(sv, 4000, d, &so, &res) == 0)
            fuzz_check(isfinite(res.e1) && isfinite(res.e2) && res.split >= 0,
                       "record %ld: levels %g %g, split %g", in.nrec, res.e1, res.e2,
                       res.split);
    }
    tk_schrod_free(sv);
    tk_dwp_rec_free(&r);
    fclose(in.fp);
    free(in.buf);
}

int main(int argc, char **argv)
{
    return fuzz_main(argc, argv, one);
}
