/* test_minlib.c - identification of minima: roundoff-level differences and
 * rigid translations are the same minimum, one displaced particle is not;
 * the early identification of a quench (minimiser check hook) ends in the
 * minimum the full minimisation reaches. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "generate.h"
#include "ipl.h"
#include "minimize.h"
#include "minlib.h"
#include "tap.h"

static int calls;
static int stop_here(void *ctx, tk_ipl *m, double *x)
{
    (void)m;
    calls++;
    memcpy(ctx, x, 3 * (size_t)m->n * sizeof *x);
    return 1;
}

/* a hook that never stops: records max |F| at each call */
static double seen[40];
static int nseen;
static int record_only(void *ctx, tk_ipl *m, double *x)
{
    (void)ctx;
    double *g = malloc(3 * (size_t)m->n * sizeof *g);
    tk_ipl_forces_only(m, x, g);
    if (nseen < 40)
        seen[nseen++] = tk_fmax(m->n, g);
    free(g);
    return 0;
}

int main(void)
{
    tk_frame f;
    tk_frame_init(&f);
    tk_generate(&f, 200, 1.0, 3, 1e-3, TK_DIAM_SET);
    int n = f.n;
    size_t bytes = 3 * (size_t)n * sizeof(double);
    tk_ipl m;
    tk_ipl_for_frame(&m, &f, TK_SKIN_DEFAULT, "test");
    tk_min_opts o;
    tk_min_defaults(&o);
    tk_min_result r = tk_minimize(&m, f.x, &o);
    ok(r.converged, "a minimum to start from (fmax %.2g)", r.fmax);
    double e = r.epot / n;

    tk_minlib lib;
    tk_minlib_init(&lib, n, f.L, 1e-8, 1e-3);
    long id = tk_minlib_add(&lib, e, f.x, 0, 0);
    double *y = malloc(bytes);

    memcpy(y, f.x, bytes);
    for (int i = 0; i < 3 * n; i++)
        y[i] += 1e-7 * ((i * 7919) % 13 - 6) / 6.0;
    ok(tk_minlib_find(&lib, e, y) == id, "roundoff-level differences: the same minimum");

    for (int i = 0; i < 3 * n; i++)
        y[i] = f.x[i] + (i % 3 == 0 ? 0.3 : i % 3 == 1 ? -0.25 : 0.5 * f.L);
    ok(tk_minlib_find(&lib, e, y) == id, "a rigid translation (0.3, -0.25, L/2): the same minimum");
    ok(fabs(tk_minlib_maxdisp(&lib, y, lib.m[id].x)) < 1e-5,
       "maxdisp of the translated copy is ~0 (%.2g)", tk_minlib_maxdisp(&lib, y, lib.m[id].x));

    memcpy(y, f.x, bytes);
    y[3 * 17] += 0.01;
    ok(tk_minlib_find(&lib, e, y) == -1, "one particle moved by 0.01: another minimum");
    ok(tk_minlib_find_tol(&lib, e, y, 1e-7, 0.02) == id, "... but within a loose dtol 0.02");
    ok(tk_minlib_find(&lib, e + 2e-8, f.x) == -1, "energy outside etol: another minimum");

    /* the check hook: called once when fmax first drops to check_tol, and
     * without a stop the minimisation is exactly the one without the hook */
    tk_frame g;
    tk_frame_init(&g);
    tk_generate(&g, 200, 1.0, 4, 0.5, TK_DIAM_SET);
    double *a = malloc(bytes), *b = malloc(bytes), *at = malloc(bytes);
    memcpy(a, g.x, bytes);
    memcpy(b, g.x, bytes);
    tk_min_result ra = tk_minimize(&m, a, &o);
    tk_min_opts oc = o;
    oc.check_tol = 1e-3;
    oc.check = stop_here;
    oc.check_ctx = at;
    calls = 0;
    tk_min_result rs = tk_minimize(&m, b, &oc);
    ok(calls == 1 && rs.stopped && !rs.converged && rs.fmax <= 1e-3 && rs.fmax > 1e-10,
       "check called once at fmax %.2g, stopped there", rs.fmax);
    ok(rs.nforce < ra.nforce, "stopping early saves force evaluations (%ld of %ld)", rs.nforce,
       ra.nforce);
    double dmax = 0;
    for (int i = 0; i < 3 * n; i++)
        dmax = fmax(dmax, fabs(tk_mic(at[i] - a[i], g.L)));
    ok(dmax < 0.02, "the configuration at the check is within 0.02 of the minimum (%.2g)", dmax);

    /* a hook that never stops: called again at each further decade of
     * max |F| (1e-3, 1e-4, ... down to ftol), and the minimisation is the
     * one without it, bit for bit */
    memcpy(b, g.x, bytes);
    oc.check = record_only;
    oc.check_ctx = NULL;
    nseen = 0;
    tk_min_result rn = tk_minimize(&m, b, &oc);
    ok(rn.converged && !rn.stopped && rn.nforce == ra.nforce && memcmp(a, b, bytes) == 0,
       "a hook that never stops changes nothing (%ld evaluations)", rn.nforce);
    int decades = 1;
    for (int k = 0; k < nseen; k++)
        if (!(seen[k] <= 1e-3 * pow(10, -k) && seen[k] > 1e-3 * pow(10, -k - 3)))
            decades = 0;
    ok(nseen >= 5 && nseen <= 7 && decades,
       "the hook is called once per decade of max |F| from 1e-3 down to 1e-10: %d calls, "
       "the last at %.2g", nseen, nseen ? seen[nseen - 1] : 0);

    tk_ipl_free(&m);
    tk_minlib_free(&lib);
    free(y);
    free(a);
    free(b);
    free(at);
    tk_frame_free(&f);
    tk_frame_free(&g);
    return done_testing();
}
