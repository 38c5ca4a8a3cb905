/* minlib.c - identification of minima. */
#include "minlib.h"
#include "err.h"
#include "frame.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void tk_minlib_init(tk_minlib *lib, int n, double L, double etol, double dtol)
{
    memset(lib, 0, sizeof *lib);
    lib->n = n;
    lib->L = L;
    lib->etol = etol;
    lib->dtol = dtol;
}

void tk_minlib_free(tk_minlib *lib)
{
    for (size_t i = 0; i < lib->count; i++)
        free(lib->m[i].x);
    free(lib->m);
    free(lib->by_e);
    memset(lib, 0, sizeof *lib);
}

/* Mean displacement from m to x: a rigid translation.  Relative to the
 * displacement of particle 0, so that a translation by up to L/2 (where the
 * minimum image of each displacement would be ambiguous) is found too. */
static void drift(const tk_minlib *lib, const double *x, const float *m, double d[3])
{
    double L = lib->L, s[3] = {0, 0, 0}, d0[3];
    for (int k = 0; k < 3; k++)
        d0[k] = lib->n ? tk_mic(x[k] - (double)m[k], L) : 0;
    for (int i = 0; i < lib->n; i++)
        for (int k = 0; k < 3; k++)
            s[k] += tk_mic(x[3 * i + k] - (double)m[3 * i + k] - d0[k], L);
    for (int k = 0; k < 3; k++)
        d[k] = d0[k] + (lib->n ? s[k] / lib->n : 0);
}

/* Largest squared drift-free displacement, stopping early once it exceeds
 * stop2 (most candidates differ at once). */
static double maxdisp2(const tk_minlib *lib, const double *x, const float *m, double stop2)
{
    double L = lib->L, worst = 0, d0[3];
    drift(lib, x, m, d0);
    for (int i = 0; i < lib->n; i++) {
        double r2 = 0;
        for (int k = 0; k < 3; k++) {
            double d = tk_mic(x[3 * i + k] - (double)m[3 * i + k] - d0[k], L);
            r2 += d * d;
        }
        if (r2 > worst) {
            worst = r2;
            if (worst > stop2)
                break;
        }
    }
    return worst;
}

double tk_minlib_maxdisp(const tk_minlib *lib, const double *x, const float *m)
{
    return sqrt(maxdisp2(lib, x, m, INFINITY));
}

/* first position in by_e with energy >= e */
static size_t lower(const tk_minlib *lib, double e)
{
    size_t lo = 0, hi = lib->count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (lib->m[lib->by_e[mid]].e < e)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

long tk_minlib_find_tol(const tk_minlib *lib, double e, const double *x, double etol,
                        double dtol)
{
    double d2max = dtol * dtol;
    for (size_t p = lower(lib, e - etol); p < lib->count; p++) {
        const tk_minimum *m = &lib->m[lib->by_e[p]];
        if (m->e > e + etol)
            break;
        if (maxdisp2(lib, x, m->x, d2max) <= d2max)
            return (long)lib->by_e[p];
    }
    return -1;
}

long tk_minlib_find(const tk_minlib *lib, double e, const double *x)
{
    return tk_minlib_find_tol(lib, e, x, lib->etol, lib->dtol);
}

long tk_minlib_add(tk_minlib *lib, double e, const double *x, long run, long k)
{
    /* v > 0 inside the cutoff: e = 0 exactly means that no two particles
     * interact.  Then every configuration is a "minimum" (positions are
     * arbitrary, forces zero): not an isolated minimum, and a library of
     * them would count transitions between nothing */
    if (e == 0)
        tk_die("a minimum of energy 0: no pair of particles interacts (all further apart than "
               "the cutoff 1.25 sigma_ij), so every configuration is a minimum: the landscape "
               "is flat, there is nothing to sample (%d particle%s in a box of %g: too dilute)",
               lib->n, lib->n == 1 ? "" : "s", lib->L);
    if (lib->count == lib->cap) {
        lib->cap = lib->cap ? 2 * lib->cap : 256;
        lib->m = tk_xrealloc(lib->m, lib->cap * sizeof *lib->m);
        lib->by_e = tk_xrealloc(lib->by_e, lib->cap * sizeof *lib->by_e);
    }
    tk_minimum *m = &lib->m[lib->count];
    m->e = e;
    m->run = run;
    m->k = k;
    m->id = (long)lib->count;
    m->x = tk_xmalloc(3 * (size_t)lib->n * sizeof *m->x);
    for (int i = 0; i < 3 * lib->n; i++)
        m->x[i] = (float)x[i];
    size_t at = lower(lib, e);
    memmove(lib->by_e + at + 1, lib->by_e + at, (lib->count - at) * sizeof *lib->by_e);
    lib->by_e[at] = lib->count;
    return (long)lib->count++;
}
