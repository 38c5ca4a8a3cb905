/* tls-snapshot - a snapshot of one TLS: each particle's displacement between
 * the two minima of a pair, as extended XYZ and as a picture
 * (tlskit-physics(7), beyond the density). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "displace.h"
#include "err.h"
#include "frameio.h"
#include "output.h"

#define TWO_PI 6.283185307179586

static const char usage[] =
    "Usage: tls-snapshot [OPTION]... [FILE]...\n"
    "A snapshot of one tunnelling two-level system: the input (FILEs, or\n"
    "standard input) holds a pair of minima, two frames a then b (the two\n"
    "frames of a pair of pair-select(1), or any two minima of one glass).\n"
    "Particles are matched by their order; the displacement of particle i is\n"
    "d_i = r_i(b) - r_i(a) under the minimum-image convention, minus its mean\n"
    "over particles (a rigid translation is not a rearrangement; as in\n"
    "pair-select, neb-ci and dwp-split).\n"
    "\n"
    "Output: frame a as extended XYZ with two more per-atom properties,\n"
    "  disp:R:1   |d_i|\n"
    "  dvec:R:3   d_i (x, y, z)\n"
    "and the metadata of frame a with dist, pr, dmax (as in pair-select),\n"
    "threshold, nmoved (particles with |d_i| >= threshold), dE (from the\n"
    "epot of both frames, unless present), stage=tls-snapshot and history.\n"
    "ASE reads disp and dvec into atoms.arrays; tlskit readers skip them.\n"
    "\n"
    "With --png, also a picture drawn by gnuplot (pngcairo): the particles of\n"
    "frame a in 3D, in a periodic copy of the box centred on the TLS; those\n"
    "with |d_i| >= threshold large and coloured by |d_i|, with arrows along\n"
    "d_i (magnified), the others small and faint; the title gives the pair,\n"
    "dE, dist, pr and dmax.\n"
    "\n"
    "Options:\n"
    "  -p, --pair K         take the pair K (from 0): frames 2K+1 and 2K+2 of a\n"
    "                       stream of pairs; without it the input must hold\n"
    "                       exactly two frames\n"
    "      --threshold D    emphasise particles with |d_i| >= D (default:\n"
    "                       dmax / 5)\n"
    "      --png FILE       also draw the picture into FILE (PNG, atomically)\n"
    "      --dtol D         the frames are one minimum, not a pair, when no\n"
    "                       particle moves by more than D (default 1e-3)\n"
    "  -o, --output FILE    write the frame to FILE atomically instead of\n"
    "                       standard output\n"
    "  -h, --help           show this help and exit\n"
    "  -V, --version        show the version and exit\n"
    "\n"
    "The two frames must have the same particles (number and diameters) and\n"
    "box, must differ by more than a translation (--dtol), and when they carry\n"
    "pair-select's pair and role keys,\n"
    "the same pair and roles a then b.  Environment: GNUPLOT, the gnuplot\n"
    "command (default gnuplot); TMPDIR, where the picture's data go.\n"
    "\n"
    "Example: tls-snapshot --pair 3 --png tls3.png -o tls3.xyz g1/pairs.xyz\n";

/* ------------------------------------------------------- temporaries */

/* The data, script and picture of gnuplot live in a private directory that
 * is removed at exit and on a fatal signal. */
static char tmpdir[4096];
static char tmpfile_[3][4200]; /* data, script, png */
static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
static void (*oldsig[4])(int);

static void cleanup(void)
{
    if (!tmpdir[0])
        return;
    for (int k = 0; k < 3; k++)
        if (tmpfile_[k][0])
            unlink(tmpfile_[k]);
    rmdir(tmpdir);
    tmpdir[0] = '\0';
}

static void on_signal(int sig)
{
    /* unlink and rmdir are async-signal-safe; then the previous handler
     * (tk_output's, which removes its own temporaries) or the default */
    if (tmpdir[0]) {
        for (int k = 0; k < 3; k++)
            if (tmpfile_[k][0])
                unlink(tmpfile_[k]);
        rmdir(tmpdir);
    }
    for (int k = 0; k < 4; k++)
        if (sigs[k] == sig) {
            signal(sig, oldsig[k] == SIG_ERR ? SIG_DFL : oldsig[k]);
            break;
        }
    raise(sig);
}

static void make_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    if (snprintf(tmpdir, sizeof tmpdir, "%s/tls-snapshot.XXXXXX", base) >= (int)sizeof tmpdir)
        tk_die("TMPDIR is too long");
    if (!mkdtemp(tmpdir)) {
        int e = errno;
        tmpdir[0] = '\0';
        tk_die("cannot create a temporary directory in %s: %s", base, strerror(e));
    }
    static const char *names[3] = {"data.tsv", "plot.gp", "plot.png"};
    for (int k = 0; k < 3; k++)
        snprintf(tmpfile_[k], sizeof tmpfile_[k], "%s/%s", tmpdir, names[k]);
    atexit(cleanup);
    for (int k = 0; k < 4; k++) {
        oldsig[k] = signal(sigs[k], on_signal);
        if (oldsig[k] == SIG_IGN)
            signal(sigs[k], SIG_IGN);
    }
}

/* ------------------------------------------------------- extended XYZ */

/* Frame f with the per-atom columns disp (|d_i|) and dvec (d_i). */
static void write_snapshot(FILE *out, const tk_frame *f, const double *d)
{
    double *extra = tk_xmalloc(4 * (size_t)f->n * sizeof *extra);
    for (int i = 0; i < f->n; i++) {
        const double *di = d + 3 * i;
        extra[4 * i] = sqrt(di[0] * di[0] + di[1] * di[1] + di[2] * di[2]);
        memcpy(extra + 4 * i + 1, di, 3 * sizeof *di);
    }
    tk_write_xyz_extra(out, f, "disp:R:1:dvec:R:3", 4, extra);
    free(extra);
}

/* ------------------------------------------------------- the picture */

typedef struct {
    int i;
    double r;
} byr;

static int cmp_byr(const void *a, const void *b)
{
    const byr *x = a, *y = b;
    if (x->r != y->r)
        return (x->r > y->r) - (x->r < y->r);
    return (x->i > y->i) - (x->i < y->i);
}

/* A metadata value that is a plain number, copied into buf; else NULL. */
static const char *meta_number(const tk_meta *m, const char *key, char *buf, size_t n)
{
    const char *v = tk_meta_get(m, key);
    if (!v || !*v || strlen(v) >= n)
        return NULL;
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (end == v || *end || !isfinite(x))
        return NULL;
    snprintf(buf, n, "%s", v);
    return buf;
}

/* The largest of 1, 2, 3, 5 x 10^k not above x (at least 1). */
static double nice_floor(double x)
{
    if (!(x > 1))
        return 1;
    double p = pow(10, floor(log10(x))), m = x / p;
    return p * (m >= 5 ? 5 : m >= 3 ? 3 : m >= 2 ? 2 : 1);
}

/* Shell-quote s into a fresh string ('...' with ' as '\''). */
static char *shell_quote(const char *s)
{
    size_t n = 3;
    for (const char *p = s; *p; p++)
        n += *p == '\'' ? 4 : 1;
    char *q = tk_xmalloc(n), *o = q;
    *o++ = '\'';
    for (const char *p = s; *p; p++) {
        if (*p == '\'') {
            memcpy(o, "'\\''", 4);
            o += 4;
        } else {
            *o++ = *p;
        }
    }
    *o++ = '\'';
    *o = '\0';
    return q;
}

/* s as a gnuplot single-quoted string ('' for '). */
static void gp_string(FILE *fp, const char *s)
{
    if (strchr(s, '\n'))
        tk_die("'%s': a newline in a file name cannot be passed to gnuplot", s);
    fputc('\'', fp);
    for (; *s; s++) {
        if (*s == '\'')
            fputc('\'', fp);
        fputc(*s, fp);
    }
    fputc('\'', fp);
}

static void render(const tk_frame *a, const double *d, const double *r, double dmax, double thr,
                   double dist, double pr, const char *dE, tk_output *po, const char *pngpath)
{
    int n = a->n;
    double L = a->L;
    make_tmpdir();

    /* centre: the circular mean of each coordinate, weighted by |d_i|^4 so
     * that the moving core, not the elastic far field, decides */
    double c[3];
    for (int k = 0; k < 3; k++) {
        double sc = 0, ss = 0;
        for (int i = 0; i < n; i++) {
            double w = r[i] * r[i] * r[i] * r[i], t = TWO_PI * (a->x[3 * i + k] - a->origin[k]) / L;
            sc += w * cos(t);
            ss += w * sin(t);
        }
        double phi = atan2(ss, sc); /* (-pi, pi]: the centre inside the box */
        c[k] = a->origin[k] + L * (phi < 0 ? phi + TWO_PI : phi) / TWO_PI;
    }
    double scale = nice_floor(0.25 * L / dmax); /* the longest arrow ~ L / 4 */

    byr *ord = tk_xmalloc((size_t)n * sizeof *ord);
    for (int i = 0; i < n; i++)
        ord[i] = (byr){i, r[i]};
    qsort(ord, (size_t)n, sizeof *ord, cmp_byr);
    int nlow = 0;
    while (nlow < n && ord[nlow].r < thr)
        nlow++;
    int nhigh = n - nlow;

    /* block 0: the faint particles; block 1: the emphasised ones, in
     * increasing |d_i| so that the most displaced are drawn last (on top).
     * Columns: x y z |d| dx dy dz (magnified) pointsize */
    FILE *fp = fopen(tmpfile_[0], "w");
    if (!fp)
        tk_die("%s: cannot create: %s", tmpfile_[0], strerror(errno));
    for (int b = 0; b < 2; b++) {
        if (b)
            fputs("\n\n", fp);
        fputs("# x y z disp dx dy dz ps\n", fp);
        for (int q = b ? nlow : 0; q < (b ? n : nlow); q++) {
            int i = ord[q].i;
            double u[3];
            for (int k = 0; k < 3; k++)
                u[k] = c[k] + tk_mic(a->x[3 * i + k] - c[k], L);
            double ps = b ? 1.0 + 2.6 * (nhigh > 1 && dmax > thr ? (r[i] - thr) / (dmax - thr) : 1)
                          : 0.3 + 0.4 * r[i] / thr;
            fprintf(fp, "%.10g %.10g %.10g %.10g %.10g %.10g %.10g %.4g\n", u[0], u[1], u[2], r[i],
                    scale * d[3 * i], scale * d[3 * i + 1], scale * d[3 * i + 2], ps);
        }
    }
    tk_fclose_checked(fp, tmpfile_[0]);

    /* the title, from numbers only (metadata strings never reach gnuplot) */
    char title[1024], buf[4][64];
    const char *pair = meta_number(&a->meta, "pair", buf[0], sizeof buf[0]),
               *mi = meta_number(&a->meta, "i", buf[1], sizeof buf[1]),
               *mj = meta_number(&a->meta, "j", buf[2], sizeof buf[2]),
               *tf = meta_number(&a->meta, "Tf", buf[3], sizeof buf[3]);
    size_t t = 0;
    t += (size_t)snprintf(title + t, sizeof title - t, "TLS snapshot");
    if (pair)
        t += (size_t)snprintf(title + t, sizeof title - t, ": pair %s", pair);
    if (mi && mj)
        t += (size_t)snprintf(title + t, sizeof title - t, " (minima %s → %s)", mi, mj);
    if (tf)
        t += (size_t)snprintf(title + t, sizeof title - t, ", Tf = %s", tf);
    t += (size_t)snprintf(title + t, sizeof title - t, ", N = %d\\n", n);
    if (dE)
        t += (size_t)snprintf(title + t, sizeof title - t, "ΔE = %.4g   ", atof(dE));
    snprintf(title + t, sizeof title - t, "dist = %.4g   PR = %.4g   dmax = %.4g", dist, pr, dmax);

    fp = fopen(tmpfile_[1], "w");
    if (!fp)
        tk_die("%s: cannot create: %s", tmpfile_[1], strerror(errno));
    fprintf(fp,
            "set terminal pngcairo size 1000,850 font \",12\" noenhanced\n"
            "set title \"%s\"\n"
            "set view 62, 28, 1.0\n"
            "set view equal xyz\n"
            "set xyplane at %.10g\n"
            "set border 4095 lc rgb \"gray50\"\n"
            "set xrange [%.10g:%.10g]\nset yrange [%.10g:%.10g]\nset zrange [%.10g:%.10g]\n"
            "set xlabel \"x\"\nset ylabel \"y\"\nset zlabel \"z\"\n"
            "set tics textcolor rgb \"gray40\"\n"
            "set xtics offset -0.5, -0.2\nset ytics offset 1, -0.2\n"
            "set cbrange [%.17g:%.17g]\n"
            "set cblabel \"|d_i|  (between the two minima)\"\n"
            "set palette defined (0 \"#fdae61\", 0.45 \"#f46d43\", 0.75 \"#d73027\", "
            "1 \"#67001f\")\n"
            "set colorbox vertical user origin 0.88, 0.25 size 0.025, 0.5\n"
            "set key at screen 0.02, 0.13 left top vertical Left reverse samplen 1.5 spacing 1.3\n"
            "set style arrow 1 head filled size 0.09, 22 lw 2 lc rgb \"#202020\"\n"
            "set lmargin 0\nset rmargin 0\nset bmargin 3\n",
            title, c[2] - L / 2, c[0] - L / 2, c[0] + L / 2, c[1] - L / 2,
            c[1] + L / 2, c[2] - L / 2, c[2] + L / 2, fmin(thr, dmax * (1 - 1e-3)), dmax);
    if (!nhigh)
        fputs("unset colorbox\n", fp);
    fputs("set output ", fp);
    gp_string(fp, tmpfile_[2]);
    fputs("\nsplot ", fp);
    int first = 1;
    if (nlow) {
        gp_string(fp, tmpfile_[0]);
        fprintf(fp,
                " index 0 using 1:2:3:8 with points pt 7 ps variable lc rgb \"#A0909090\" "
                "notitle, \\\n  keyentry with points pt 7 ps 0.7 lc rgb \"#A0909090\" "
                "title \"|d_i| < %.3g (%d particle%s)\"",
                thr, nlow, nlow == 1 ? "" : "s");
        first = 0;
    }
    if (nhigh) {
        fputs(first ? "" : ", \\\n  ", fp);
        gp_string(fp, tmpfile_[0]);
        fprintf(fp,
                " index 1 using 1:2:3:8:4 with points pt 7 ps variable lc palette notitle, \\\n"
                "  keyentry with points pt 7 ps 2 lc rgb \"#d73027\" "
                "title \"|d_i| ≥ %.3g (%d particle%s)\", \\\n  ",
                thr, nhigh, nhigh == 1 ? "" : "s");
        gp_string(fp, tmpfile_[0]);
        fprintf(fp,
                " index 1 using 1:2:3:5:6:7 with vectors arrowstyle 1 "
                "title \"d_i × %g (from minimum a to b)\"",
                scale);
    }
    fputs("\nunset output\n", fp);
    tk_fclose_checked(fp, tmpfile_[1]);
    free(ord);

    /* run gnuplot quietly: its messages are shown only when it fails */
    const char *gp = getenv("GNUPLOT");
    if (!gp || !*gp)
        gp = "gnuplot";
    char *qs = shell_quote(tmpfile_[1]);
    size_t cl = strlen(gp) + strlen(qs) + 16;
    char *cmd = tk_xmalloc(cl);
    snprintf(cmd, cl, "%s %s 2>&1", gp, qs);
    fflush(NULL);
    FILE *pp = popen(cmd, "r");
    if (!pp)
        tk_die("cannot run %s: %s", gp, strerror(errno));
    char msg[2048];
    size_t mlen = 0;
    int ch;
    while ((ch = fgetc(pp)) != EOF)
        if (mlen + 1 < sizeof msg)
            msg[mlen++] = (char)ch;
    msg[mlen] = '\0';
    while (mlen > 0 && msg[mlen - 1] == '\n')
        msg[--mlen] = '\0';
    int st = pclose(pp);
    if (st == -1)
        tk_die("%s: %s", gp, strerror(errno));
    if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
        tk_die("cannot run '%s' (install gnuplot, Debian package gnuplot-nox, or set GNUPLOT)%s%s",
               gp, mlen ? ": " : "", msg);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        tk_die("%s failed drawing %s%s%s", gp, pngpath, mlen ? ":\n" : "", msg);
    free(cmd);
    free(qs);

    /* check the result is a PNG, then copy it into place atomically */
    fp = fopen(tmpfile_[2], "rb");
    if (!fp)
        tk_die("%s wrote no picture (%s)%s%s", gp, strerror(errno), mlen ? ":\n" : "", msg);
    static const unsigned char magic[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char blk[65536];
    size_t got = fread(blk, 1, sizeof blk, fp);
    if (got < 8 || memcmp(blk, magic, 8) != 0)
        tk_die("%s wrote no PNG picture (does it have the pngcairo terminal?)%s%s", gp,
               mlen ? ":\n" : "", msg);
    do {
        if (fwrite(blk, 1, got, po->fp) != got)
            tk_die("%s: write error: %s", pngpath, strerror(errno));
    } while ((got = fread(blk, 1, sizeof blk, fp)) > 0);
    if (ferror(fp))
        tk_die("%s: read error", tmpfile_[2]);
    fclose(fp);
    cleanup();
}

/* ------------------------------------------------------------- main */

int main(int argc, char **argv)
{
    tk_init(argc, argv);
    static const struct option longopts[] = {{"pair", required_argument, 0, 'p'},
                                             {"threshold", required_argument, 0, 'T'},
                                             {"png", required_argument, 0, 'P'},
                                             {"dtol", required_argument, 0, 'D'},
                                             {"output", required_argument, 0, 'o'},
                                             {"help", no_argument, 0, 'h'},
                                             {"version", no_argument, 0, 'V'},
                                             {0, 0, 0, 0}};
    const char *outpath = "-", *pngpath = NULL;
    long pairk = -1;
    double thr = 0, dtol = TK_SAME_DTOL;
    int c;
    while ((c = tk_getopt(argc, argv, "p:o:hV", longopts)) != -1) {
        switch (c) {
        case 'p': pairk = tk_arg_long("--pair", optarg, 0, 1L << 40); break;
        case 'T': thr = tk_arg_double_pos("--threshold", optarg); break;
        case 'P': pngpath = optarg; break;
        case 'D': dtol = tk_arg_double_pos("--dtol", optarg); break;
        case 'o': outpath = optarg; break;
        case 'h': tk_help(usage);
        case 'V': tk_version();
        default: tk_usage_error("unknown option");
        }
    }
    if (pngpath && strcmp(pngpath, "-") == 0 && strcmp(outpath, "-") == 0)
        tk_usage_error("--png - and the frame would both go to standard output: give -o FILE");
    if (pngpath && !*pngpath)
        tk_usage_error("--png: empty file name");

    /* the two frames */
    char *cmd = tk_cmdline(argc, argv);
    tk_frame fr[2], skip;
    tk_frame_init(&fr[0]);
    tk_frame_init(&fr[1]);
    tk_frame_init(&skip);
    char where[2][600];
    tk_input in;
    tk_input_init(&in, argc - optind, argv + optind);
    const char *label = in.n > 1                         ? "the input"
                        : strcmp(in.paths[0], "-") == 0 ? "stdin"
                                                        : in.paths[0];
    long first = pairk < 0 ? 0 : 2 * pairk; /* frames to skip */
    for (long k = 0; k < first; k++)
        if (!tk_input_next(&in, &skip))
            tk_die("%s: %ld frames: there is no pair %ld (frames %ld and %ld)",
                   label, k, pairk, first + 1, first + 2);
    for (int q = 0; q < 2; q++) {
        if (!tk_input_next(&in, &fr[q])) {
            long got = first + q;
            if (pairk >= 0)
                tk_die("%s: %ld frame%s: there is no pair %ld (frames %ld and %ld)",
                       label, got, got == 1 ? "" : "s", pairk, first + 1,
                       first + 2);
            tk_die("%s: %ld frame%s: a pair of minima (two frames) is needed",
                   label, got, got == 1 ? "" : "s");
        }
        snprintf(where[q], sizeof where[q], "%s", tk_input_where(&in));
    }
    if (pairk < 0 && tk_input_next(&in, &skip))
        tk_die("%s: more than two frames: the input must be one pair of minima (give --pair K "
               "to take pair K of a stream of pairs)", tk_input_where(&in));
    tk_input_close(&in);
    tk_frame_free(&skip);

    tk_frame *a = &fr[0], *b = &fr[1];
    if (a->n != b->n)
        tk_die("%s: %d particles, but %s has %d: not a pair of minima of one glass", where[1], b->n,
               where[0], a->n);
    if (fabs(a->L - b->L) > 1e-9 * a->L)
        tk_die("%s: box edge %.17g differs from the %.17g of %s: not a pair of minima of one glass",
               where[1], b->L, a->L, where[0]);
    for (int i = 0; i < a->n; i++)
        if (a->sigma[i] != b->sigma[i])
            tk_die("%s: particle %d has diameter %.17g, but %.17g in %s: not a pair of minima of "
                   "one glass (particles are matched by their order)",
                   where[1], i + 1, b->sigma[i], a->sigma[i], where[0]);
    const char *pa = tk_meta_get(&a->meta, "pair"), *pb = tk_meta_get(&b->meta, "pair");
    if (pa && pb && strcmp(pa, pb) != 0)
        tk_die("%s: pair=%s, but %s has pair=%s: the two frames are not one pair", where[1], pb,
               where[0], pa);
    const char *ra = tk_meta_get(&a->meta, "role"), *rb = tk_meta_get(&b->meta, "role");
    if ((ra && strcmp(ra, "a") != 0) || (rb && strcmp(rb, "b") != 0))
        tk_die("%s: role=%s, then %s: role=%s: not a pair (roles a then b expected)", where[0],
               ra ? ra : "(none)", where[1], rb ? rb : "(none)");

    /* displacements */
    int n = a->n;
    double *d = tk_xmalloc(3 * (size_t)n * sizeof *d), *r = tk_xmalloc((size_t)n * sizeof *r);
    tk_disp ds;
    tk_displace(n, a->L, a->x, b->x, 0, d, &ds);
    for (int i = 0; i < n; i++)
        r[i] = sqrt(d[3 * i] * d[3 * i] + d[3 * i + 1] * d[3 * i + 1] + d[3 * i + 2] * d[3 * i + 2]);
    if (!(ds.dmax > dtol))
        tk_die("%s and %s hold the same configuration up to a translation of %.3g (largest "
               "particle displacement %.3g <= --dtol %g once it is removed): not a pair of "
               "distinct minima", where[0], where[1], tk_disp_drift(&ds), ds.dmax, dtol);
    double dist = ds.dist, pr = ds.pr, dmax = ds.dmax;
    if (thr == 0)
        thr = dmax / 5;
    long nmoved = 0;
    for (int i = 0; i < n; i++)
        nmoved += r[i] >= thr;

    tk_meta *m = &a->meta;
    if (!tk_meta_get(m, "dE")) {
        double ea, eb;
        if (tk_meta_get_double(&a->meta, "epot", &ea) && tk_meta_get_double(&b->meta, "epot", &eb))
            tk_meta_setd(m, "dE", n * (eb - ea));
    }
    tk_meta_setd(m, "dist", dist);
    tk_meta_setd(m, "pr", pr);
    tk_meta_setd(m, "dmax", dmax);
    tk_meta_setd(m, "threshold", thr);
    tk_meta_setf(m, "nmoved", "%ld", nmoved);
    tk_meta_set(m, "stage", "tls-snapshot");
    tk_meta_history(m, cmd);

    /* both outputs are opened (and so checked) before gnuplot runs; the
     * frame is written only once the picture is drawn */
    tk_output out, po;
    if (pngpath)
        tk_output_open(&po, pngpath);
    tk_output_open(&out, outpath);
    if (pngpath) {
        char buf[64];
        render(a, d, r, dmax, thr, dist, pr, meta_number(m, "dE", buf, sizeof buf), &po, pngpath);
    }
    write_snapshot(out.fp, a, d);
    if (pngpath)
        tk_output_commit(&po);
    tk_output_commit(&out);

    free(d);
    free(r);
    free(cmd);
    tk_frame_free(&fr[0]);
    tk_frame_free(&fr[1]);
    return tk_finish();
}
