/* transitions - fuzz harness: the transitions table of is-sample and
 * is-merge, read by is-merge and pair-select (tk_transitions_read), then
 * summed as pair-select does.  Promises: 0 <= i < j, finite energies,
 * counts in 0 .. TK_COUNT_MAX (so nij + nji cannot overflow). */
#include <math.h>

#include "fuzz.h"
#include "transitions.h"

static void one(const char *path)
{
    tk_trow *rows = NULL;
    size_t n = tk_transitions_read(path, &rows);
    long total = 0;
    for (size_t k = 0; k < n; k++) {
        const tk_trow *t = &rows[k];
        fuzz_check(t->i >= 0 && t->j > t->i, "row %zu: i = %ld, j = %ld", k + 1, t->i, t->j);
        fuzz_check(isfinite(t->ei) && isfinite(t->ej), "row %zu: energies %g %g", k + 1, t->ei,
                   t->ej);
        fuzz_check(t->nij >= 0 && t->nij <= TK_COUNT_MAX && t->nji >= 0 &&
                       t->nji <= TK_COUNT_MAX,
                   "row %zu: counts %ld %ld", k + 1, t->nij, t->nji);
        long both = t->nij + t->nji;
        total = both > total ? both : total;
    }
    free(rows);
    fuzz_check(total >= 0, "a sum of counts overflowed");
}

int main(int argc, char **argv)
{
    return fuzz_main(argc, argv, one);
}
