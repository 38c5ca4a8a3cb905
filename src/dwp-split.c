/* dwp-split - split minimum energy paths into double-well potentials and
 * characterise them (tlskit-physics(7), stages 6-7). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "displace.h"
#include "err.h"
#include "frameio.h"
#include "minimize.h"
#include "neb.h"
#include "output.h"

static const char usage[] =
    "Usage: dwp-split [OPTION]... [FILE]...\n"
    "Read relaxed bands (neb-ci --bands: the images of each pair as frames)\n"
    "and split every path whose profile shows intermediate minima into double-\n"
    "well potentials (DWPs) with one barrier each: a local minimum of the\n"
    "profile deeper than --depth is confirmed by minimising the nearest image\n"
    "(it must differ from both ends and the minima kept by more than --dtol,\n"
    "a rigid translation removed), and a fresh CI-NEB is run between each two\n"
    "consecutive minima; the new paths are examined again, until every DWP\n"
    "has a single barrier.\n"
    "\n"
    "A DWP whose two minima were already joined by a DWP written before (a path\n"
    "split at b reproduces the pairs a-b and b-c) is written only once; parts\n"
    "still counts it, so ids keep their place along the path.\n"
    "A band that did not converge (converged=F, or a new one) is not skipped:\n"
    "its images are minimised and the path split at the distinct minima they\n"
    "fall into (loops erased); if there is none, fresh bands with 2(n+1)-1\n"
    "images (n = --images) and twice the iterations are tried (--retries\n"
    "times); only then is that part of the path lost (a warning; lost= counts\n"
    "such parts in the records of the pair).  At most 64 bands are run per\n"
    "pair, and at most --budget force evaluations (bands and minimisations);\n"
    "a band that would exceed the budget runs only its share of iterations,\n"
    "and what remains of the path is lost (failed_limit).  A band whose two\n"
    "ends are one minimum (up to a translation) is not a pair: no DWP.  The\n"
    "last line on stderr accounts for every pair (complete, split, rescued,\n"
    "failed and why, not a pair); --summary writes it as a table.  The path\n"
    "records of neb-ci without --bands are refused: they hold no images.\n"
    "\n"
    "Each DWP is oriented so that xi = 0 is the deeper minimum and written as a\n"
    "record for schrod1d (blocks separated by a blank line):\n"
    "  # id=PAIR.K pair=PAIR i=I j=J part=K parts=P dV=.. Va=.. Vb=.. d=..\n"
    "    PR=.. d_sqrtPR=.. dmax=.. converged=T lost=K\n"
    "  xi V      (--samples rows)\n"
    "with dV = V(1) - V(0) >= 0, Va = max V - V(0), Vb = Va - dV/2, d the path\n"
    "length (3N-dimensional), PR = (sum d_k,mu^2)^2 / sum d_k,mu^4 of the\n"
    "displacement between the two minima (without its mean), d_sqrtPR =\n"
    "d / sqrt(PR) and dmax the largest single-particle displacement.  Energies\n"
    "in epsilon (totals).\n"
    "\n";
/* in two parts: C11 promises string literals of 4095 characters only */
static const char usage_options[] =
    "Options:\n"
    "      --depth E       least depth of an intermediate minimum below both of\n"
    "                      its neighbouring maxima (default 1e-6)\n"
    "      --dtol D        least particle displacement (drift removed) that\n"
    "                      makes a new minimum, or a pair (default 1e-3)\n"
    "      --max-level N   split at most N times in a row (default 8)\n"
    "  -n, --images N      interior images of the new bands (default 9)\n"
    "  -k, --spring K      their spring constant (default 5)\n"
    "      --tol F         their force tolerance (default 1e-6)\n"
    "      --maxiter N     their iteration limit (default 20000)\n"
    "      --method M      their optimiser: lbfgs (default) or fire (neb-ci)\n"
    "      --ftol F        force tolerance of the minimisations (1e-10)\n"
    "      --samples S     rows per profile (default 201)\n"
    "      --retries R     fresh bands with more images and iterations for a\n"
    "                      band that did not converge (default 2; 0 to 4)\n"
    "      --budget N      force evaluations per pair, over all its bands and\n"
    "                      minimisations (default 2e6; 0: no limit): bounds the\n"
    "                      time a path of many minima can take\n"
    "      --summary FILE  also write the account of the pairs as a table:\n"
    "                      pairs complete split rescued failed failed_nonconv\n"
    "                      failed_limit same dwps duplicates bands complete_frac\n"
    "      --minima FILE   also write the two minima of each DWP as frames\n"
    "                      (deeper first, role=a/b, dwp=ID): tls-snapshot(1)\n"
    "      --minima-dv E   only for DWPs with dV <= E (default: all)\n"
    "      --minima-to F   their format: bin (default) or xyz\n"
    "  -o, --output FILE   write the records to FILE atomically\n"
    "      --progress      one line per pair on standard error\n"
    "      --allow-empty   no band in the input is a result (a glass without\n"
    "                      pairs), not an error: a note, exit 0\n"
    "  -h, --help          show this help and exit\n"
    "  -V, --version       show the version and exit\n"
    "\n"
    "Example: pair-select --transitions tr.tsv minima.bin | neb-ci --bands |\n"
    "           dwp-split | schrod1d > tls.tsv\n";

typedef struct {
    double depth, dtol, ftol;
    int samples, max_level, progress, retries;
    long budget; /* force evaluations per pair; 0: no limit */
    double minima_dv; /* --minima: DWPs with dV <= minima_dv */
    int minima_fmt;
    tk_neb_opts neb;
} opts;

#define MAX_BANDS 64 /* new bands per pair */

typedef struct {
    const opts *o;
    tk_frame *proto; /* diameters, box and metadata of the pair */
    const char *pair, *i, *j;
    /* this pair */
    int part;        /* DWPs of this pair so far (written or found again) */
    int nbands;      /* bands run for this pair */
    long nforce;     /* force evaluations spent on this pair */
    int split;       /* the path was split at intermediate minima */
    int rescued;     /* a band that did not converge was recovered */
    int lost_nonconv, lost_limit; /* path segments without a DWP, and why */
    int same;        /* the band joins one minimum to itself */
    /* the whole run */
    long npairs, ncomplete, nsplit, nrescued, nfailed, nfail_nonconv, nfail_limit, nsame;
    long nwritten, duplicates, nbands_total, nmin_fail;
    double *seen;    /* (lower E, higher E, d) of every DWP written */
    size_t nseen, capseen;
    /* records are buffered to know the number of parts */
    char *buf;
    size_t len, cap;
    FILE *minfp;     /* --minima, or NULL */
    const char *cmd; /* the command line, for the frames' history */
    tk_frame mframe; /* scratch frame of a minimum */
} splitter;

/* The pair-select and is-sample keys that describe the pair's own minima,
 * not a DWP's (dropped from the frames of --minima). */
static const char *const pair_keys[] = {"i", "j", "dE", "dist", "pr", "dmax", "nij", "nji",
                                        "id", "epot", "fmax", "run", "time", "k", "image",
                                        "nimages", "E", "ftan", "s", "converged", "fneb",
                                        "ci", "role", "pair"};

/* --minima: the two minima of a DWP as frames, the deeper (xi = 0) first. */
static void write_minima(splitter *sp, const tk_neb *b, int flip, double dV, double Vb,
                         double d, const tk_disp *ds)
{
    int n = b->n, M = b->M;
    for (int r = 0; r < 2; r++) {
        int img = (r == 0) == !flip ? 0 : M - 1;
        tk_frame *f = &sp->mframe;
        tk_frame_copy(f, sp->proto);
        memcpy(f->x, b->R + (size_t)img * 3 * n, 3 * (size_t)n * sizeof *f->x);
        f->has_v = 0;
        tk_wrap(n, f->L, f->origin, f->x);
        tk_meta *m = &f->meta;
        for (size_t q = 0; q < sizeof pair_keys / sizeof *pair_keys; q++)
            tk_meta_del(m, pair_keys[q]);
        tk_meta_set(m, "pair", sp->pair);
        tk_meta_setf(m, "dwp", "%s.%d", sp->pair, sp->part);
        tk_meta_set(m, "role", r == 0 ? "a" : "b");
        tk_meta_setd(m, "epot", b->E[img] / n);
        tk_meta_setd(m, "dV", dV);
        tk_meta_setd(m, "Vb", Vb);
        tk_meta_setd(m, "d", d);
        tk_meta_setd(m, "pr", ds->pr);
        tk_meta_setd(m, "dmax", ds->dmax);
        tk_meta_set(m, "stage", "dwp-split");
        tk_meta_history(m, sp->cmd);
        tk_write_frame(sp->minfp, f, sp->o->minima_fmt);
    }
}

static void emit(splitter *sp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#include <stdarg.h>
static void emit(splitter *sp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (sp->len + (size_t)k + 1 > sp->cap) {
        sp->cap = 2 * (sp->len + (size_t)k + 1);
        sp->buf = tk_xrealloc(sp->buf, sp->cap);
    }
    va_start(ap, fmt);
    vsnprintf(sp->buf + sp->len, (size_t)k + 1, fmt, ap);
    va_end(ap);
    sp->len += (size_t)k;
}

/* Are x and y one minimum?  No particle displaced by more than --dtol once
 * the mean displacement (a rigid translation) is removed. */
static int same_minimum(const splitter *sp, const double *x, const double *y)
{
    tk_disp ds;
    tk_displace(sp->proto->n, sp->proto->L, x, y, 0, NULL, &ds);
    return !(ds.dmax > sp->o->dtol);
}

/* Has a DWP between these two minima been written already?  A path split at
 * an intermediate minimum b reproduces the DWPs of the pairs (a, b) and
 * (b, c), which are usually in the stream too: each DWP must count once.
 * Minima are told apart by their energies and the path length. */
static int seen_before(splitter *sp, const tk_neb *b)
{
    double e0 = b->E[0], e1 = b->E[b->M - 1], d = b->s[b->M - 1];
    double lo = e0 < e1 ? e0 : e1, hi = e0 < e1 ? e1 : e0;
    double tol = 1e-9 * b->n;
    for (size_t k = 0; k < sp->nseen; k++) {
        const double *q = sp->seen + 3 * k;
        if (fabs(q[0] - lo) < tol && fabs(q[1] - hi) < tol && fabs(q[2] - d) < 0.05 * d)
            return 1;
    }
    if (sp->nseen == sp->capseen) {
        sp->capseen = sp->capseen ? 2 * sp->capseen : 64;
        sp->seen = tk_xrealloc(sp->seen, 3 * sp->capseen * sizeof *sp->seen);
    }
    double *q = sp->seen + 3 * sp->nseen++;
    q[0] = lo;
    q[1] = hi;
    q[2] = d;
    return 0;
}

/* Write band b as one DWP, oriented with the deeper minimum at xi = 0. */
static void write_dwp(splitter *sp, const tk_neb *b)
{
    const opts *o = sp->o;
    if (seen_before(sp, b)) {
        /* counted in parts (ids keep their place along the path), not written */
        sp->duplicates++;
        sp->part++;
        return;
    }
    int ns = o->samples, M = b->M, n = b->n, n3 = 3 * n;
    double *xi = tk_xmalloc((size_t)ns * sizeof *xi), *V = tk_xmalloc((size_t)ns * sizeof *V);
    tk_neb_profile(b, ns, xi, V);
    int flip = V[ns - 1] < V[0];
    if (flip) {
        double v1 = V[ns - 1];
        for (int q = 0; q < ns / 2; q++) {
            double t = V[q];
            V[q] = V[ns - 1 - q];
            V[ns - 1 - q] = t;
        }
        for (int q = 0; q < ns; q++)
            V[q] -= v1;
    }
    V[0] = 0;
    double vmax = 0;
    for (int q = 0; q < ns; q++)
        vmax = V[q] > vmax ? V[q] : vmax;
    double dV = V[ns - 1], Va = vmax, Vb = Va - 0.5 * dV, d = b->s[M - 1];
    /* the displacement between the two minima, without a translation */
    tk_disp ds;
    tk_displace(n, b->L, b->R, b->R + (size_t)(M - 1) * n3, 0, NULL, &ds);
    emit(sp, "# id=%s.%d pair=%s", sp->pair, sp->part, sp->pair);
    if (sp->i && sp->j)
        emit(sp, " i=%s j=%s", sp->i, sp->j);
    emit(sp, " part=%d parts=@PARTS@ dV=%.17g Va=%.17g Vb=%.17g d=%.17g PR=%.10g d_sqrtPR=%.10g "
             "dmax=%.10g converged=%s lost=@LOST@\n",
         sp->part, dV, Va, Vb, d, ds.pr, d / sqrt(ds.pr), ds.dmax, b->converged ? "T" : "F");
    for (int q = 0; q < ns; q++)
        emit(sp, "%.10f %.17g\n", xi[q], V[q]);
    emit(sp, "\n");
    if (sp->minfp && dV <= o->minima_dv)
        write_minima(sp, b, flip, dV, Vb, d, &ds);
    sp->part++;
    sp->nwritten++;
    free(xi);
    free(V);
}

/* Force evaluations left for this pair; -1 when there is no limit. */
static long budget_left(const splitter *sp)
{
    if (sp->o->budget == 0)
        return -1;
    return sp->nforce < sp->o->budget ? sp->o->budget - sp->nforce : 0;
}

/* Minimise x in place; 0 (with a warning) when it does not converge. */
static int minimise(splitter *sp, double *x)
{
    long left = budget_left(sp);
    if (left == 0)
        return 0;
    tk_ipl m;
    tk_ipl_for_frame(&m, sp->proto, TK_SKIN_DEFAULT, "dwp-split");
    tk_min_opts mo;
    tk_min_defaults(&mo);
    mo.ftol = sp->o->ftol;
    if (left > 0 && left < mo.maxforce)
        mo.maxforce = left;
    tk_min_result r = tk_minimize(&m, x, &mo);
    tk_ipl_free(&m);
    sp->nforce += r.nforce;
    if (!r.converged && budget_left(sp) == 0)
        return 0; /* the budget ran out: the caller stops at the next band */
    if (!r.converged) {
        sp->nmin_fail++;
        tk_warn("pair %s: an intermediate minimisation did not converge (fmax %.3g after %ld "
                "force evaluations): not taken for a minimum", sp->pair, r.fmax, r.nforce);
    }
    return r.converged;
}

/* Keep c (a minimum, 3n) as a new one when it differs, drift removed, from
 * the first end, every minimum kept so far (mins[1 .. *nm - 1]) and the
 * second end xb; mins[0] is the first end. */
static int keep_if_new(splitter *sp, double *mins, int *nm, const double *c, const double *xb)
{
    int n3 = 3 * sp->proto->n;
    if (same_minimum(sp, c, xb))
        return 0;
    for (int k = 0; k < *nm; k++)
        if (same_minimum(sp, c, mins + (size_t)k * n3))
            return 0;
    memcpy(mins + (size_t)(*nm) * n3, c, (size_t)n3 * sizeof *c);
    (*nm)++;
    return 1;
}

static void process(splitter *sp, tk_neb *b, int level);

/* A fresh band from xa to xb with options no, examined in turn; its state
 * is left in *nb (freed by the caller) when nb is not NULL.  Returns 0
 * when no band was run (the limit of bands per pair). */
static int new_band(splitter *sp, const double *xa, const double *xb, const tk_neb_opts *no,
                    tk_neb *nb)
{
    long left = budget_left(sp);
    /* a band needs at least a few iterations of all its images to be worth running */
    if (++sp->nbands > MAX_BANDS || (left >= 0 && left < 10L * (no->nimages + 2))) {
        if (sp->lost_limit++ == 0) {
            if (sp->nbands > MAX_BANDS)
                tk_warn("pair %s: more than %d bands; the rest of this path is lost (no DWP)",
                        sp->pair, MAX_BANDS);
            else
                tk_warn("pair %s: the budget of %ld force evaluations is spent; the rest of "
                        "this path is lost (no DWP)", sp->pair, sp->o->budget);
        }
        return 0;
    }
    sp->nbands_total++;
    tk_neb_opts capped = *no;
    if (left >= 0 && capped.maxiter > left / (no->nimages + 2))
        capped.maxiter = left / (no->nimages + 2);
    tk_neb_init(nb, sp->proto, xa, xb, &capped);
    tk_neb_run(nb, &capped);
    sp->nforce += nb->nforce;
    return 1;
}

/* The path xa - mins[1] - ... - mins[nm - 1] - xb, a fresh CI-NEB per
 * segment, each examined in turn. */
static void split_at(splitter *sp, const double *mins, int nm, const double *xb, int level)
{
    int n3 = 3 * sp->proto->n;
    sp->split = 1;
    for (int k = 0; k < nm; k++) {
        const double *x0 = mins + (size_t)k * n3, *x1 = k + 1 < nm ? x0 + n3 : xb;
        tk_neb nb;
        if (!new_band(sp, x0, x1, &sp->o->neb, &nb)) {
            sp->lost_limit += nm - 1 - k; /* this segment and the ones after it */
            return;
        }
        process(sp, &nb, level + 1);
        tk_neb_free(&nb);
    }
}

/* The minima the interior images of band b fall into, as a path from the
 * first end: mins[0] = the first end, then the new minima in image order,
 * loops erased (an image that falls back into a minimum of the path cuts
 * the path back to it), up to the first image that falls into the second
 * end (a band that overshoots the end and comes back makes a loop through
 * other minima, not part of the path).  Minima are compared drift removed.
 * Returns their number plus one. */
static int image_minima(splitter *sp, const tk_neb *b, double *mins)
{
    int M = b->M, n3 = 3 * b->n, nm = 1;
    const double *xb = b->R + (size_t)(M - 1) * n3;
    double *c = tk_xmalloc((size_t)n3 * sizeof *c);
    memcpy(mins, b->R, (size_t)n3 * sizeof *mins);
    for (int i = 1; i < M - 1; i++) {
        memcpy(c, b->R + (size_t)i * n3, (size_t)n3 * sizeof *c);
        if (!minimise(sp, c))
            continue;
        if (same_minimum(sp, c, xb))
            break;
        int k = nm - 1;
        while (k >= 0 && !same_minimum(sp, c, mins + (size_t)k * n3))
            k--;
        if (k >= 0) {
            nm = k + 1; /* back on the path: erase the loop */
            continue;
        }
        memcpy(mins + (size_t)nm * n3, c, (size_t)n3 * sizeof *c);
        nm++;
    }
    free(c);
    return nm;
}

/* A band that did not converge usually hides intermediate minima, or needs
 * more images: minimise its images and split the path at the minima they
 * fall into; if there are none, run fresh bands with twice the images plus
 * one and twice the iterations (--retries times, each also searched for
 * minima); only then is the segment lost. */
static void rescue(splitter *sp, const tk_neb *b, int level)
{
    const opts *o = sp->o;
    int M = b->M, n3 = 3 * b->n;
    const double *xa = b->R, *xb = b->R + (size_t)(M - 1) * n3;
    int base = o->neb.nimages;
    double *mins = tk_xmalloc((size_t)(M + 1) * n3 * sizeof *mins);
    int nm = level < o->max_level ? image_minima(sp, b, mins) : 1;
    double fmax = b->fmax;
    const char *how = b->diverged ? "diverged" : "did not converge";
    if (nm > 1) {
        sp->rescued = 1;
        split_at(sp, mins, nm, xb, level);
        free(mins);
        return;
    }
    free(mins);
    double *ends = tk_xmalloc(2 * (size_t)n3 * sizeof *ends);
    memcpy(ends, xa, (size_t)n3 * sizeof *ends);
    memcpy(ends + n3, xb, (size_t)n3 * sizeof *ends);
    for (int k = 1; k <= o->retries; k++) {
        tk_neb_opts no = o->neb;
        long grow = 1L << k;
        no.nimages = (int)((base + 1) * grow - 1 > 1000 ? 1000 : (base + 1) * grow - 1);
        no.maxiter = o->neb.maxiter * grow;
        tk_neb nb;
        if (!new_band(sp, ends, ends + n3, &no, &nb)) {
            free(ends);
            return;
        }
        if (nb.converged) {
            sp->rescued = 1;
            process(sp, &nb, level);
            tk_neb_free(&nb);
            free(ends);
            return;
        }
        fmax = nb.fmax;
        how = nb.diverged ? "diverged" : "did not converge";
        mins = tk_xmalloc((size_t)(nb.M + 1) * n3 * sizeof *mins);
        nm = level < o->max_level ? image_minima(sp, &nb, mins) : 1;
        if (nm > 1) {
            sp->rescued = 1;
            split_at(sp, mins, nm, ends + n3, level);
        }
        free(mins);
        tk_neb_free(&nb);
        if (nm > 1) {
            free(ends);
            return;
        }
    }
    free(ends);
    if (budget_left(sp) == 0) { /* cut short by the budget, not a failure to converge */
        if (sp->lost_limit++ == 0)
            tk_warn("pair %s: the budget of %ld force evaluations is spent; the rest of this "
                    "path is lost (no DWP)", sp->pair, o->budget);
        return;
    }
    sp->lost_nonconv++;
    tk_warn("pair %s: a band %s (largest force %.3g > %g) and has no intermediate minimum%s: "
            "this part of the path is lost (no DWP)", sp->pair, how, fmax, o->neb.tol,
            o->retries ? ", also with more images and iterations (--retries)" : "");
}

static void process(splitter *sp, tk_neb *b, int level)
{
    const opts *o = sp->o;
    int ns = o->samples, M = b->M, n = b->n, n3 = 3 * n;
    const double *xb = b->R + (size_t)(M - 1) * n3;
    if (same_minimum(sp, b->R, xb)) {
        /* a band from a minimum to itself (or a translated copy): no DWP */
        sp->same++;
        return;
    }
    if (!b->converged) {
        rescue(sp, b, level);
        return;
    }
    double *xi = tk_xmalloc((size_t)ns * sizeof *xi), *V = tk_xmalloc((size_t)ns * sizeof *V);
    tk_neb_profile(b, ns, xi, V);
    /* interior minima of the profile, deeper than o->depth below the
     * highest points on both sides */
    int *cand = tk_xmalloc((size_t)ns * sizeof *cand), nc = 0;
    for (int q = 1; q < ns - 1; q++) {
        if (!(V[q] < V[q - 1] && V[q] <= V[q + 1]))
            continue;
        double left = V[q], right = V[q];
        for (int p = 0; p < q; p++)
            left = V[p] > left ? V[p] : left;
        for (int p = q + 1; p < ns; p++)
            right = V[p] > right ? V[p] : right;
        if (fmin(left, right) - V[q] > o->depth)
            cand[nc++] = q;
    }
    /* confirm each by minimising the nearest interior image */
    double *mins = tk_xmalloc((size_t)(nc + 2) * n3 * sizeof *mins);
    double *c = tk_xmalloc((size_t)n3 * sizeof *c);
    memcpy(mins, b->R, (size_t)n3 * sizeof *mins);
    int nm = 1;
    if (level < o->max_level)
        for (int k = 0; k < nc; k++) {
            double s = xi[cand[k]] * b->s[M - 1];
            int best = 1;
            for (int i = 1; i < M - 1; i++)
                if (fabs(b->s[i] - s) < fabs(b->s[best] - s))
                    best = i;
            memcpy(c, b->R + (size_t)best * n3, (size_t)n3 * sizeof *c);
            if (minimise(sp, c))
                keep_if_new(sp, mins, &nm, c, xb);
        }
    if (nm == 1) {
        if (nc > 0 && level >= o->max_level)
            tk_warn("pair %s: intermediate minima remain at --max-level %d: written as one DWP",
                    sp->pair, o->max_level);
        write_dwp(sp, b);
    } else {
        split_at(sp, mins, nm, xb, level);
    }
    free(c);
    free(mins);
    free(cand);
    free(xi);
    free(V);
}

/* The frames of the input, as tk_input_next, refusing at the start of each
 * input the path records of neb-ci without --bands (they are not frames). */
static int next_frame(tk_input *in, tk_frame *f)
{
    while (in->i < in->n) {
        if (!in->open) {
            tk_reader_open(&in->r, in->paths[in->i]);
            in->open = 1;
            int ch = getc(in->r.fp);
            if (ch == '#')
                tk_die("%s: line 1: a path record of neb-ci (the energy profile only), not a "
                       "band: dwp-split needs the images of the bands, written by neb-ci --bands",
                       in->r.name);
            if (ch != EOF)
                ungetc(ch, in->r.fp);
        }
        if (tk_read_frame(&in->r, f)) {
            in->count++;
            return 1;
        }
        tk_reader_close(&in->r);
        in->open = 0;
        in->i++;
    }
    return 0;
}

/* Replace every @KEY@ of the buffered records by its value. */
static void flush_records(splitter *sp, FILE *out)
{
    char parts[16], lost[16];
    snprintf(parts, sizeof parts, "%d", sp->part);
    snprintf(lost, sizeof lost, "%d", sp->lost_nonconv + sp->lost_limit);
    const char *q = sp->buf, *end = sp->buf + sp->len;
    while (q < end) {
        const char *h = strchr(q, '@');
        if (!h || h >= end) {
            fwrite(q, 1, (size_t)(end - q), out);
            break;
        }
        fwrite(q, 1, (size_t)(h - q), out);
        if (strncmp(h, "@PARTS@", 7) == 0) {
            fputs(parts, out);
            q = h + 7;
        } else if (strncmp(h, "@LOST@", 6) == 0) {
            fputs(lost, out);
            q = h + 6;
        } else {
            fputc('@', out);
            q = h + 1;
        }
    }
    sp->len = 0;
}

int main(int argc, char **argv)
{
    tk_init(argc, argv);
    static const struct option longopts[] = {
        {"depth", required_argument, 0, 'D'},   {"dtol", required_argument, 0, 'L'},
        {"max-level", required_argument, 0, 'l'}, {"images", required_argument, 0, 'n'},
        {"spring", required_argument, 0, 'k'},  {"tol", required_argument, 0, 'f'},
        {"maxiter", required_argument, 0, 'm'}, {"ftol", required_argument, 0, 'F'},
        {"samples", required_argument, 0, 's'}, {"output", required_argument, 0, 'o'},
        {"progress", no_argument, 0, 'P'},      {"help", no_argument, 0, 'h'},
        {"retries", required_argument, 0, 'r'}, {"summary", required_argument, 0, 'S'},
        {"budget", required_argument, 0, 'B'},  {"method", required_argument, 0, 'M'},
        {"allow-empty", no_argument, 0, 'E'},   {"minima", required_argument, 0, 'x'},
        {"minima-dv", required_argument, 0, 'X'}, {"minima-to", required_argument, 0, 't'},
        {"version", no_argument, 0, 'V'},       {0, 0, 0, 0}};
    opts o = {.depth = 1e-6, .dtol = TK_SAME_DTOL, .ftol = 1e-10, .samples = 201,
              .max_level = 8, .progress = isatty(2), .retries = 2,
              .budget = 2000000, .minima_dv = INFINITY, .minima_fmt = TK_FMT_BIN};
    tk_neb_defaults(&o.neb);
    const char *outpath = "-", *sumpath = NULL, *minpath = NULL;
    int c, allow_empty = 0, minima_opt = 0;
    while ((c = tk_getopt(argc, argv, "n:k:o:hV", longopts)) != -1) {
        switch (c) {
        case 'D': o.depth = tk_arg_double_pos("--depth", optarg); break;
        case 'L': o.dtol = tk_arg_double_pos("--dtol", optarg); break;
        case 'l': o.max_level = (int)tk_arg_long("--max-level", optarg, 0, 100); break;
        case 'n': o.neb.nimages = (int)tk_arg_long("--images", optarg, 1, 1000); break;
        case 'k': o.neb.k = tk_arg_double_pos("--spring", optarg); break;
        case 'f': o.neb.tol = tk_arg_double_pos("--tol", optarg); break;
        case 'm': o.neb.maxiter = tk_arg_long("--maxiter", optarg, 1, 1L << 40); break;
        case 'F': o.ftol = tk_arg_double_pos("--ftol", optarg); break;
        case 's': o.samples = (int)tk_arg_long("--samples", optarg, 3, 1000000); break;
        case 'o': outpath = optarg; break;
        case 'r': o.retries = (int)tk_arg_long("--retries", optarg, 0, 4); break;
        case 'S': sumpath = optarg; break;
        case 'M':
            if ((o.neb.method = tk_neb_method_parse(optarg)) < 0)
                tk_usage_error("--method: '%s' is not fire or lbfgs", optarg);
            break;
        case 'B': o.budget = tk_arg_long("--budget", optarg, 0, 1L << 50); break;
        case 'P': o.progress = 1; break;
        case 'E': allow_empty = 1; break;
        case 'x': minpath = optarg; break;
        case 'X':
            o.minima_dv = tk_arg_double("--minima-dv", optarg);
            if (!(o.minima_dv >= 0))
                tk_usage_error("--minima-dv: '%s' must be >= 0", optarg);
            minima_opt = 1;
            break;
        case 't':
            if ((o.minima_fmt = tk_format_parse(optarg)) < 0 || o.minima_fmt == TK_FMT_LAMMPS)
                tk_usage_error("--minima-to: '%s': the minima are bin or xyz", optarg);
            minima_opt = 1;
            break;
        case 'h':
            fputs(usage, stdout);
            tk_help(usage_options);
        case 'V': tk_version();
        default: tk_usage_error("unknown option");
        }
    }
    tk_input in;
    tk_input_init(&in, argc - optind, argv + optind);
    if (sumpath && strcmp(sumpath, outpath) == 0)
        tk_usage_error("the records and the summary go to the same place '%s'", sumpath);
    if (minima_opt && !minpath)
        tk_usage_error("--minima-dv and --minima-to need --minima FILE");
    if (minpath && (strcmp(minpath, outpath) == 0 || (sumpath && strcmp(minpath, sumpath) == 0)))
        tk_usage_error("--minima goes to the same place '%s' as another output", minpath);
    char *cmd = tk_cmdline(argc, argv);
    tk_output out, sum, mins;
    tk_output_open(&out, outpath);
    if (sumpath)
        tk_output_open(&sum, sumpath);
    splitter sp = {.o = &o};
    if (minpath) {
        tk_output_open(&mins, minpath);
        sp.minfp = mins.fp;
        sp.cmd = cmd;
        tk_frame_init(&sp.mframe);
    }
    tk_frame f;
    tk_frame_init(&f);
    int have = next_frame(&in, &f);
    while (have) {
        char where[700], pair[64], si[64], sj[64];
        snprintf(where, sizeof where, "%s", tk_input_where(&in));
        const char *p = tk_meta_get(&f.meta, "pair"), *im = tk_meta_get(&f.meta, "image");
        double M_d, e, ft, s;
        if (!p || !im || strcmp(im, "0") != 0 || !tk_meta_get_double(&f.meta, "nimages", &M_d))
            tk_die("%s: not the first image of a band (need pair=, image=0, nimages=: the "
                   "output of neb-ci --bands)", where);
        int M = (int)M_d;
        if (M < 3 || M > 100000)
            tk_die("%s: nimages=%d is not a band", where, M);
        snprintf(pair, sizeof pair, "%s", p);
        const char *mi = tk_meta_get(&f.meta, "i"), *mj = tk_meta_get(&f.meta, "j");
        snprintf(si, sizeof si, "%s", mi ? mi : "");
        snprintf(sj, sizeof sj, "%s", mj ? mj : "");
        tk_frame proto;
        tk_frame_init(&proto);
        tk_frame_copy(&proto, &f);
        tk_neb b;
        memset(&b, 0, sizeof b);
        b.n = f.n;
        b.M = M;
        b.L = f.L;
        b.ci = -1;
        b.R = tk_xmalloc((size_t)M * 3 * f.n * sizeof *b.R);
        b.E = tk_xmalloc((size_t)M * sizeof *b.E);
        b.ftan = tk_xmalloc((size_t)M * sizeof *b.ftan);
        b.s = tk_xmalloc((size_t)M * sizeof *b.s);
        const char *conv = tk_meta_get(&f.meta, "converged");
        b.converged = conv && strcmp(conv, "T") == 0;
        if (!tk_meta_get_double(&f.meta, "fneb", &b.fmax)) /* neb-ci --bands writes it */
            b.fmax = NAN;
        for (int i = 0; i < M; i++) {
            if (i > 0) {
                if (!next_frame(&in, &f))
                    tk_die("%s: the band of pair %s ends after %d of %d images", where, pair, i, M);
                const char *pi = tk_meta_get(&f.meta, "pair"), *ii = tk_meta_get(&f.meta, "image");
                if (!pi || strcmp(pi, pair) || !ii || atoi(ii) != i || f.n != proto.n)
                    tk_die("%s: expected image %d of pair %s", tk_input_where(&in), i, pair);
            }
            if (!tk_meta_get_double(&f.meta, "E", &e) || !tk_meta_get_double(&f.meta, "ftan", &ft) ||
                !tk_meta_get_double(&f.meta, "s", &s))
                tk_die("%s: image %d lacks E=, ftan= or s=", tk_input_where(&in), i);
            memcpy(b.R + (size_t)i * 3 * f.n, f.x, 3 * (size_t)f.n * sizeof *f.x);
            b.E[i] = e;
            b.ftan[i] = ft;
            b.s[i] = s;
        }
        sp.proto = &proto;
        sp.pair = pair;
        sp.i = si[0] ? si : NULL;
        sp.j = sj[0] ? sj : NULL;
        sp.part = sp.nbands = sp.split = sp.rescued = sp.same = 0;
        sp.lost_nonconv = sp.lost_limit = 0;
        sp.nforce = 0;
        sp.len = 0;
        process(&sp, &b, 0);
        int lost = sp.lost_nonconv + sp.lost_limit;
        sp.npairs++;
        if (sp.same && sp.part == 0 && lost == 0) {
            /* the band of a minimum to itself: not a pair */
            sp.nsame++;
            tk_warn("%s: pair %s: the two ends of the band are the same minimum (largest "
                    "particle displacement <= --dtol %g once a translation is removed): not a "
                    "pair, no DWP", where, pair, o.dtol);
        } else if (lost) {
            sp.nfailed++;
            sp.nfail_nonconv += sp.lost_nonconv > 0;
            sp.nfail_limit += sp.lost_nonconv == 0;
            tk_warn("%s: pair %s: %d part%s of the path without a DWP (%d DWP%s found)", where,
                    pair, lost, lost == 1 ? "" : "s", sp.part, sp.part == 1 ? "" : "s");
        } else {
            sp.ncomplete++;
            sp.nrescued += sp.rescued;
        }
        sp.nsplit += sp.split;
        /* now the number of parts is known */
        flush_records(&sp, out.fp);
        if (o.progress)
            fprintf(stderr, "%s: pair %s: %d DWP%s%s%s%s\n", tk_prog, pair, sp.part,
                    sp.part == 1 ? "" : "s", sp.split ? ", split" : "",
                    sp.rescued ? ", rescued" : "", lost ? ", part of the path lost" : "");
        free(b.R);
        free(b.E);
        free(b.ftan);
        free(b.s);
        tk_frame_free(&proto);
        have = next_frame(&in, &f);
    }
    if (in.count == 0 && !allow_empty) /* an empty file, a failed stage upstream */
        tk_die("%s: no frame in the input (a glass without pairs? --allow-empty accepts it)",
               tk_input_names(&in));
    if (in.count == 0) /* no pair upstream (the pipeline's glass without pairs) */
        tk_warn("%s: no frame in the input: no band, no DWP written", tk_input_names(&in));
    if (sp.duplicates)
        tk_warn("%ld DWP%s found again on the paths of other pairs and written once",
                sp.duplicates, sp.duplicates == 1 ? " was" : "s were");
    free(sp.seen);
    long real = sp.npairs - sp.nsame;
    double frac = real > 0 ? (double)sp.ncomplete / real : 1;
    char why[160] = "";
    if (sp.nfailed)
        snprintf(why, sizeof why, " (%ld by bands that did not converge, %ld by the limit of %d "
                 "bands or the --budget)", sp.nfail_nonconv, sp.nfail_limit, MAX_BANDS);
    tk_warn("%ld pair%s: %ld complete (%ld split, %ld rescued), %ld failed%s, %ld not a pair; %ld "
            "DWP%s written, %ld found again; %.1f%% of the pairs accounted for by converged DWPs",
            sp.npairs, sp.npairs == 1 ? "" : "s", sp.ncomplete, sp.nsplit, sp.nrescued,
            sp.nfailed, why, sp.nsame, sp.nwritten, sp.nwritten == 1 ? "" : "s", sp.duplicates,
            100 * frac);
    if (sumpath) {
        fputs("#pairs\tcomplete\tsplit\trescued\tfailed\tfailed_nonconv\tfailed_limit\tsame\t"
              "dwps\tduplicates\tbands\tcomplete_frac\n", sum.fp);
        fprintf(sum.fp, "%ld\t%ld\t%ld\t%ld\t%ld\t%ld\t%ld\t%ld\t%ld\t%ld\t%ld\t%.6f\n", sp.npairs,
                sp.ncomplete, sp.nsplit, sp.nrescued, sp.nfailed, sp.nfail_nonconv, sp.nfail_limit,
                sp.nsame, sp.nwritten, sp.duplicates, sp.nbands_total, frac);
    }
    /* the summary first: a run killed between the two leaves no finished
     * -o file (what make goes by) beside a missing or stale summary */
    if (sumpath)
        tk_output_commit(&sum);
    if (minpath) {
        tk_output_commit(&mins);
        tk_frame_free(&sp.mframe);
    }
    tk_output_commit(&out);
    free(cmd);
    free(sp.buf);
    tk_frame_free(&f);
    tk_input_close(&in);
    return tk_finish();
}
