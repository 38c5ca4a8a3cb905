/* pair-select - choose the pairs of adjacent minima that go on to the path
 * calculation (tlskit-physics(7), stage 4). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "displace.h"
#include "err.h"
#include "frameio.h"
#include "output.h"
#include "transitions.h"

static const char usage[] =
    "Usage: pair-select --transitions FILE [OPTION]... MINIMA\n"
    "Choose pairs of dynamically connected minima (the rows of an is-sample or\n"
    "is-merge transitions table) from the library MINIMA (a file, or - for\n"
    "standard input: it is read with random access, so a pipe is first copied\n"
    "to a temporary file in $TMPDIR, removed on exit) and write each selected\n"
    "pair as two frames, i then j, for neb-ci, and/or a table.\n"
    "\n"
    "Per pair, from the displacement d_k,mu = r_k(j) - r_k(i) of every particle\n"
    "k (minimum image, then minus its mean over particles: a rigid translation\n"
    "of the whole system is not a rearrangement):\n"
    "  dE    energy difference E_j - E_i (total, epsilon)\n"
    "  dist  Euclidean distance in 3N-space, sqrt(sum d_k,mu^2)\n"
    "  pr    participation ratio (sum d_k,mu^2)^2 / sum d_k,mu^4\n"
    "  dmax  largest single-particle displacement |d_k|\n"
    "\n"
    "Filters (a pair must pass all):\n"
    "      --min-count C   at least C transitions, both ways together (default 1)\n"
    "      --max-de E      |dE| <= E, total energy (default 0.02: ten times the\n"
    "                      TLS threshold 2 pi / mt at mt = 4000)\n"
    "      --max-dist D    dist <= D (default 1: tunnelling falls off as\n"
    "                      exp(-d sqrt(2 mt Vb)); at mt >= 4000 longer paths matter\n"
    "                      only for barriers below 1e-4, and their NEB is hard)\n"
    "\n"
    "Two minima with no particle displaced by more than --dtol (default 1e-3)\n"
    "once the mean is removed are one minimum, not a pair: skipped with a\n"
    "warning and counted at the end.\n"
    "\n"
    "Options:\n"
    "      --transitions FILE  the transitions table (required)\n"
    "      --dtol D            the same-minimum tolerance (default 1e-3)\n"
    "      --table FILE        also write the selected pairs as a table:\n"
    "                          pair i j ei ej dE dist pr dmax nij nji\n"
    "      --no-frames         write no frames (with --table)\n"
    "  -t, --to FORMAT         frames as xyz (default) or bin\n"
    "  -o, --output FILE       write the frames to FILE atomically\n"
    "  -h, --help              show this help and exit\n"
    "  -V, --version           show the version and exit\n"
    "\n"
    "Frames carry the metadata pair, i, j, role (a or b), dE, dist, pr, dmax,\n"
    "nij, nji, stage=pair-select.  Scales to 1e5 minima: one pass indexes the\n"
    "library, then each pair reads its two frames (pairs sorted by i, so the\n"
    "first frame is reused).\n"
    "\n"
    "Examples:\n"
    "  pair-select --transitions tr.tsv minima.bin | neb-ci > paths.txt\n"
    "  is-sample --transitions tr.tsv glass.xyz | pair-select --transitions tr.tsv -\n";

typedef struct {
    long offset;
    double e;
} entry;

static int cmp_row(const void *a, const void *b)
{
    const tk_trow *x = a, *y = b;
    if (x->i != y->i)
        return (x->i > y->i) - (x->i < y->i);
    return (x->j > y->j) - (x->j < y->j);
}

int main(int argc, char **argv)
{
    tk_init(argc, argv);
    static const struct option longopts[] = {{"transitions", required_argument, 0, 'X'},
                                             {"min-count", required_argument, 0, 'c'},
                                             {"max-de", required_argument, 0, 'e'},
                                             {"max-dist", required_argument, 0, 'd'},
                                             {"dtol", required_argument, 0, 'D'},
                                             {"table", required_argument, 0, 'T'},
                                             {"no-frames", no_argument, 0, 'N'},
                                             {"to", required_argument, 0, 't'},
                                             {"output", required_argument, 0, 'o'},
                                             {"help", no_argument, 0, 'h'},
                                             {"version", no_argument, 0, 'V'},
                                             {0, 0, 0, 0}};
    const char *trpath = NULL, *tabpath = NULL, *outpath = "-";
    long min_count = 1;
    double max_de = 0.02, max_dist = 1, dtol = TK_SAME_DTOL;
    int frames = 1, fmt = TK_FMT_XYZ, c;
    char *cmd = tk_cmdline(argc, argv);
    while ((c = tk_getopt(argc, argv, "t:o:hV", longopts)) != -1) {
        switch (c) {
        case 'X': trpath = optarg; break;
        case 'c': min_count = tk_arg_long("--min-count", optarg, 1, 1L << 50); break;
        case 'e': max_de = tk_arg_double_pos("--max-de", optarg); break;
        case 'd': max_dist = tk_arg_double_pos("--max-dist", optarg); break;
        case 'D': dtol = tk_arg_double_pos("--dtol", optarg); break;
        case 'T': tabpath = optarg; break;
        case 'N': frames = 0; break;
        case 't':
            if ((fmt = tk_format_parse(optarg)) < 0 || fmt == TK_FMT_LAMMPS)
                tk_usage_error("--to: '%s': pair frames are xyz or bin", optarg);
            break;
        case 'o': outpath = optarg; break;
        case 'h': tk_help(usage);
        case 'V': tk_version();
        default: tk_usage_error("unknown option");
        }
    }
    if (!trpath)
        tk_usage_error("--transitions FILE is required");
    if (argc - optind != 1)
        tk_usage_error("give one MINIMA library (a file, or - for standard input)");
    if (strcmp(argv[optind], "-") == 0 && strcmp(trpath, "-") == 0)
        tk_usage_error("MINIMA and --transitions cannot both be standard input");
    if (!frames && !tabpath)
        tk_usage_error("--no-frames without --table writes nothing");
    if (frames && tabpath && strcmp(tabpath, outpath) == 0)
        tk_usage_error("the frames and the table go to the same place '%s'", tabpath);
    /* standard input or a pipe is spooled to a temporary file: the pairs
     * are read with random access */
    const char *libpath = strcmp(argv[optind], "-") == 0 ? "stdin" : argv[optind];

    /* index the library: offset and energy of each id */
    tk_reader rd;
    tk_reader_open_seekable(&rd, argv[optind]);
    entry *idx = NULL;
    long nmin = 0, cap = 0;
    tk_frame a, b;
    tk_frame_init(&a);
    tk_frame_init(&b);
    int n = -1;
    double L = 0;
    for (;;) {
        long off = tk_reader_tell(&rd);
        if (!tk_read_frame(&rd, &a))
            break;
        double id, e;
        if (!tk_meta_get_double(&a.meta, "id", &id) || id != nmin)
            tk_die("%s: frame %ld: id %s where %ld was expected (an is-sample library has ids "
                   "0, 1, 2, ...)", libpath, rd.frame,
                   tk_meta_get(&a.meta, "id") ? tk_meta_get(&a.meta, "id") : "missing", nmin);
        if (!tk_meta_get_double(&a.meta, "epot", &e))
            tk_die("%s: frame %ld: no epot= metadata", libpath, rd.frame);
        if (n < 0) {
            n = a.n;
            L = a.L;
        } else if (a.n != n || a.L != L) {
            tk_die("%s: frame %ld: %d particles in a box of %.17g, but frame 1 has %d in %.17g: "
                   "a library holds minima of one glass", libpath, rd.frame, a.n, a.L, n, L);
        }
        if (nmin == cap) {
            cap = cap ? 2 * cap : 1024;
            idx = tk_xrealloc(idx, (size_t)cap * sizeof *idx);
        }
        idx[nmin].offset = off;
        idx[nmin].e = e;
        nmin++;
    }
    if (nmin == 0)
        tk_die("%s: empty library", libpath);

    tk_trow *rows;
    size_t nrow = tk_transitions_read(trpath, &rows);
    if (nrow) /* rows is NULL for a table without transitions */
        qsort(rows, nrow, sizeof *rows, cmp_row);
    for (size_t k = 0; k < nrow; k++) {
        if (rows[k].j >= nmin)
            tk_die("%s: pair (%ld, %ld): minimum %ld is not in %s (%ld minima): the table and "
                   "the library do not belong together", trpath, rows[k].i, rows[k].j,
                   rows[k].j, libpath, nmin);
        if (fabs(rows[k].ei - idx[rows[k].i].e) > 1e-12 ||
            fabs(rows[k].ej - idx[rows[k].j].e) > 1e-12)
            tk_die("%s: pair (%ld, %ld): energies differ from %s: the table and the library do "
                   "not belong together", trpath, rows[k].i, rows[k].j, libpath);
    }

    tk_output out, tab;
    if (frames)
        tk_output_open(&out, outpath);
    if (tabpath) {
        tk_output_open(&tab, tabpath);
        fputs("#pair\ti\tj\tei\tej\tdE\tdist\tpr\tdmax\tnij\tnji\n", tab.fp);
    }
    long loaded = -1, npair = 0, nsame = 0;
    for (size_t k = 0; k < nrow; k++) {
        const tk_trow *t = &rows[k];
        double dE = n * (t->ej - t->ei);
        if (t->nij + t->nji < min_count || fabs(dE) > max_de)
            continue;
        if (loaded != t->i) {
            tk_reader_seek(&rd, idx[t->i].offset);
            tk_read_frame(&rd, &a);
            loaded = t->i;
        }
        tk_reader_seek(&rd, idx[t->j].offset);
        tk_read_frame(&rd, &b);
        tk_disp ds;
        tk_displace(n, L, a.x, b.x, 0, NULL, &ds);
        double dist = ds.dist, pr = ds.pr, dmax = ds.dmax;
        if (!(dmax > dtol)) {
            /* one minimum twice in the library (up to a translation) */
            tk_warn("%s: pair (%ld, %ld): the same minimum (largest particle displacement %.3g "
                    "<= --dtol %g once a translation of %.3g is removed): not a pair, skipped",
                    trpath, t->i, t->j, dmax, dtol, tk_disp_drift(&ds));
            nsame++;
            continue;
        }
        if (dist > max_dist)
            continue;
        if (tabpath)
            fprintf(tab.fp, "%ld\t%ld\t%ld\t%.17g\t%.17g\t%.10g\t%.10g\t%.10g\t%.10g\t%ld\t%ld\n",
                    npair, t->i, t->j, t->ei, t->ej, dE, dist, pr, dmax, t->nij, t->nji);
        if (frames) {
            tk_frame *fr[2] = {&a, &b};
            for (int q = 0; q < 2; q++) {
                tk_meta *m = &fr[q]->meta;
                tk_meta_setf(m, "pair", "%ld", npair);
                tk_meta_setf(m, "i", "%ld", t->i);
                tk_meta_setf(m, "j", "%ld", t->j);
                tk_meta_set(m, "role", q ? "b" : "a");
                tk_meta_setd(m, "dE", dE);
                tk_meta_setd(m, "dist", dist);
                tk_meta_setd(m, "pr", pr);
                tk_meta_setd(m, "dmax", dmax);
                tk_meta_setf(m, "nij", "%ld", t->nij);
                tk_meta_setf(m, "nji", "%ld", t->nji);
                tk_meta_set(m, "stage", "pair-select");
                tk_frame h;
                tk_frame_init(&h);
                tk_frame_copy(&h, fr[q]);
                tk_meta_history(&h.meta, cmd);
                tk_write_frame(out.fp, &h, fmt);
                tk_frame_free(&h);
            }
        }
        npair++;
    }
    if (nsame)
        tk_warn("%ld pairs skipped: two ids of the same minimum (see above)", nsame);
    if (tabpath)
        tk_output_commit(&tab);
    if (frames)
        tk_output_commit(&out);
    tk_reader_close(&rd);
    free(rows);
    free(idx);
    tk_frame_free(&a);
    tk_frame_free(&b);
    free(cmd);
    return tk_finish();
}
