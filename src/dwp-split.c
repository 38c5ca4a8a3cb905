/* dwp-split - split minimum energy paths into double-well potentials and
 * characterise them (PHYSICS.md §2.6-2.7). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
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
    "(it must differ from both ends by more than --dtol), and a fresh CI-NEB\n"
    "is run between each two consecutive minima; the new paths are examined\n"
    "again, until every DWP has a single barrier.\n"
    "\n"
    "A DWP whose two minima were already joined by a DWP written before (a path\n"
    "split at b reproduces the pairs a-b and b-c) is written only once; parts\n"
    "still counts it, so ids keep their place along the path.\n"
    "A band that did not converge (converged=F) is skipped with a warning: its\n"
    "profile means nothing.  At most 64 bands are run per pair.\n"
    "\n"
    "Each DWP is oriented so that xi = 0 is the deeper minimum and written as a\n"
    "record for schrod1d (blocks separated by a blank line):\n"
    "  # id=PAIR.K pair=PAIR i=I j=J part=K parts=P dV=.. Va=.. Vb=.. d=..\n"
    "    PR=.. d_sqrtPR=.. dmax=.. converged=T|F\n"
    "  xi V      (--samples rows)\n"
    "with dV = V(1) - V(0) >= 0, Va = max V - V(0), Vb = Va - dV/2, d the path\n"
    "length (3N-dimensional), PR = (sum d_k,mu^2)^2 / sum d_k,mu^4 of the\n"
    "displacement between the two minima, d_sqrtPR = d / sqrt(PR) and dmax the\n"
    "largest single-particle displacement.  Energies in epsilon (totals).\n"
    "\n"
    "Options:\n"
    "      --depth E       least depth of an intermediate minimum below both of\n"
    "                      its neighbouring maxima (default 1e-6)\n"
    "      --dtol D        least particle displacement that makes a new minimum\n"
    "                      (default 1e-3)\n"
    "      --max-level N   split at most N times in a row (default 8)\n"
    "  -n, --images N      interior images of the new bands (default 9)\n"
    "  -k, --spring K      their spring constant (default 5)\n"
    "      --tol F         their force tolerance (default 1e-6)\n"
    "      --maxiter N     their iteration limit (default 20000)\n"
    "      --ftol F        force tolerance of the minimisations (1e-10)\n"
    "      --samples S     rows per profile (default 201)\n"
    "  -o, --output FILE   write the records to FILE atomically\n"
    "      --progress      one line per pair on standard error\n"
    "  -h, --help          show this help and exit\n"
    "  -V, --version       show the version and exit\n"
    "\n"
    "Example: pair-select --transitions tr.tsv minima.bin | neb-ci --bands |\n"
    "           dwp-split | schrod1d > tls.tsv\n";

typedef struct {
    double depth, dtol, ftol;
    int samples, max_level, progress;
    tk_neb_opts neb;
} opts;

typedef struct {
    const opts *o;
    tk_frame *proto; /* diameters, box and metadata of the pair */
    FILE *out;
    const char *pair, *i, *j;
    int part;        /* DWPs written for this pair so far */
    int nbands;      /* bands run for this pair */
    int skipped;     /* bands skipped (not converged, or too many) */
    int nconv_fail;
    long duplicates; /* DWPs already written for another pair */
    double *seen;    /* (lower E, higher E, d) of every DWP written */
    size_t nseen, capseen;
    /* records are buffered to know the number of parts */
    char *buf;
    size_t len, cap;
} splitter;

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

static double maxdisp(const double *a, const double *b, int n, double L)
{
    double worst = 0;
    for (int p = 0; p < n; p++) {
        double r2 = 0;
        for (int m = 0; m < 3; m++) {
            double d = tk_mic(a[3 * p + m] - b[3 * p + m], L);
            r2 += d * d;
        }
        worst = r2 > worst ? r2 : worst;
    }
    return sqrt(worst);
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
    const double *ra = b->R, *rb = b->R + (size_t)(M - 1) * n3;
    double s2 = 0, s4 = 0;
    for (int c = 0; c < n3; c++) {
        double x = tk_mic(rb[c] - ra[c], b->L), x2 = x * x;
        s2 += x2;
        s4 += x2 * x2;
    }
    double pr = s4 > 0 ? s2 * s2 / s4 : NAN;
    emit(sp, "# id=%s.%d pair=%s", sp->pair, sp->part, sp->pair);
    if (sp->i && sp->j)
        emit(sp, " i=%s j=%s", sp->i, sp->j);
    emit(sp, " part=%d parts=@PARTS@ dV=%.17g Va=%.17g Vb=%.17g d=%.17g PR=%.10g d_sqrtPR=%.10g "
             "dmax=%.10g converged=%s\n",
         sp->part, dV, Va, Vb, d, pr, d / sqrt(pr), maxdisp(ra, rb, n, b->L),
         b->converged ? "T" : "F");
    for (int q = 0; q < ns; q++)
        emit(sp, "%.10f %.17g\n", xi[q], V[q]);
    emit(sp, "\n");
    sp->part++;
    free(xi);
    free(V);
}

static void minimise(const tk_frame *proto, double *x, double ftol)
{
    tk_ipl m;
    tk_ipl_for_frame(&m, (tk_frame *)proto, TK_SKIN_DEFAULT, "dwp-split");
    tk_min_opts mo;
    tk_min_defaults(&mo);
    mo.ftol = ftol;
    tk_min_result r = tk_minimize(&m, x, &mo);
    tk_ipl_free(&m);
    if (!r.converged)
        tk_warn("an intermediate minimisation did not converge (fmax %.3g)", r.fmax);
}

static void process(splitter *sp, tk_neb *b, int level);

/* A fresh band from xa to xb, examined in turn. */
static void rerun(splitter *sp, const double *xa, const double *xb, int level)
{
    if (++sp->nbands > 64) {
        sp->skipped++;
        tk_warn("pair %s: more than 64 bands; the rest of this path is skipped", sp->pair);
        return;
    }
    tk_neb nb;
    tk_neb_init(&nb, sp->proto, xa, xb, &sp->o->neb);
    tk_neb_run(&nb, &sp->o->neb);
    if (!nb.converged)
        sp->nconv_fail++;
    process(sp, &nb, level + 1);
    tk_neb_free(&nb);
}

static void process(splitter *sp, tk_neb *b, int level)
{
    const opts *o = sp->o;
    if (!b->converged) {
        sp->skipped++;
        tk_warn("pair %s: a band that did not converge is skipped (no DWP from it)", sp->pair);
        return;
    }
    int ns = o->samples, M = b->M, n = b->n, n3 = 3 * n;
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
    int nm = 0;
    memcpy(mins, b->R, (size_t)n3 * sizeof *mins);
    nm = 1;
    if (level < o->max_level)
        for (int k = 0; k < nc; k++) {
            double s = xi[cand[k]] * b->s[M - 1];
            int best = 1;
            for (int i = 1; i < M - 1; i++)
                if (fabs(b->s[i] - s) < fabs(b->s[best] - s))
                    best = i;
            double *c = mins + (size_t)nm * n3;
            memcpy(c, b->R + (size_t)best * n3, (size_t)n3 * sizeof *c);
            minimise(sp->proto, c, o->ftol);
            if (maxdisp(c, mins + (size_t)(nm - 1) * n3, n, b->L) > o->dtol &&
                maxdisp(c, b->R + (size_t)(M - 1) * n3, n, b->L) > o->dtol)
                nm++;
        }
    if (nm == 1) {
        if (nc > 0 && level >= o->max_level)
            tk_warn("pair %s: intermediate minima remain at --max-level %d: written as one DWP",
                    sp->pair, o->max_level);
        write_dwp(sp, b);
    } else {
        memcpy(mins + (size_t)nm * n3, b->R + (size_t)(M - 1) * n3, (size_t)n3 * sizeof *mins);
        nm++;
        for (int k = 0; k + 1 < nm; k++)
            rerun(sp, mins + (size_t)k * n3, mins + (size_t)(k + 1) * n3, level);
    }
    free(mins);
    free(cand);
    free(xi);
    free(V);
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
        {"version", no_argument, 0, 'V'},       {0, 0, 0, 0}};
    opts o = {.depth = 1e-6, .dtol = 1e-3, .ftol = 1e-10, .samples = 201, .max_level = 8,
              .progress = isatty(2)};
    tk_neb_defaults(&o.neb);
    const char *outpath = "-";
    int c;
    while ((c = getopt_long(argc, argv, "n:k:o:hV", longopts, NULL)) != -1) {
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
        case 'P': o.progress = 1; break;
        case 'h': tk_help(usage);
        case 'V': tk_version();
        default: tk_usage_error("unknown option");
        }
    }
    tk_input in;
    tk_input_init(&in, argc - optind, argv + optind);
    tk_output out;
    tk_output_open(&out, outpath);
    tk_frame f;
    tk_frame_init(&f);
    splitter sp = {.o = &o, .out = out.fp};
    int have = tk_input_next(&in, &f);
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
        for (int i = 0; i < M; i++) {
            if (i > 0) {
                if (!tk_input_next(&in, &f))
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
        sp.part = 0;
        sp.nbands = 0;
        sp.len = 0;
        process(&sp, &b, 0);
        /* now the number of parts is known */
        char parts[16];
        snprintf(parts, sizeof parts, "%d", sp.part);
        if (sp.len == 0 && sp.buf)
            sp.buf[0] = '\0'; /* no DWP from this pair: nothing to write */
        for (char *q = sp.len ? sp.buf : NULL, *h; q && (h = strstr(q, "@PARTS@")); q = h) {
            fwrite(q, 1, (size_t)(h - q), out.fp);
            fputs(parts, out.fp);
            h += 7;
            if (!strstr(h, "@PARTS@")) {
                fwrite(h, 1, sp.len - (size_t)(h - sp.buf), out.fp);
                break;
            }
        }
        if (o.progress)
            fprintf(stderr, "%s: pair %s: %d DWP%s\n", tk_prog, pair, sp.part,
                    sp.part == 1 ? "" : "s");
        free(b.R);
        free(b.E);
        free(b.ftan);
        free(b.s);
        tk_frame_free(&proto);
        have = tk_input_next(&in, &f);
    }
    if (sp.duplicates)
        tk_warn("%ld DWPs were found again on the paths of other pairs and written once",
                sp.duplicates);
    free(sp.seen);
    if (sp.nconv_fail)
        tk_warn("%d of the new bands did not converge; their DWPs are missing from the output",
                sp.nconv_fail);
    tk_output_commit(&out);
    free(sp.buf);
    tk_frame_free(&f);
    tk_input_close(&in);
    return tk_finish();
}
