/* is-merge - join the partial results of is-sample runs of one glass. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "frameio.h"
#include "minlib.h"
#include "output.h"
#include "transitions.h"

static const char usage[] =
    "Usage: is-merge --transitions FILE [OPTION]... MINIMA TRANSITIONS [MINIMA TRANSITIONS]...\n"
    "Join the outputs of is-sample jobs that explored the same glass in\n"
    "different runs (--first-run/--runs): each MINIMA stream with its\n"
    "TRANSITIONS table.  Minima found by several jobs are kept once (same\n"
    "identification rule as is-sample: --etol and --dtol), ids are reassigned\n"
    "in discovery order (run, then the k-th minimisation of the run), and the\n"
    "transition counts are summed: the result equals one is-sample job over\n"
    "all the runs.  MINIMA must be files (they are read twice).\n"
    "\n"
    "Options:\n"
    "      --transitions FILE  write the merged transitions table to FILE\n"
    "      --etol E            same-minimum energy tolerance (default 1e-8)\n"
    "      --dtol D            same-minimum largest displacement (default 1e-3)\n"
    "  -t, --to FORMAT         merged minima as bin (default) or xyz\n"
    "  -o, --output FILE       write the merged minima to FILE atomically\n"
    "  -h, --help              show this help and exit\n"
    "  -V, --version           show the version and exit\n"
    "\n"
    "Example: is-merge --transitions all.tsv -o all.bin r0.bin r0.tsv r1.bin r1.tsv\n";

typedef struct {
    long run, k;   /* discovery key */
    int part;
    long local;    /* id within its part */
    long offset;   /* byte offset of its frame */
    double e;
    float *x;
} rec;

static int cmp_key(const void *a, const void *b)
{
    const rec *x = a, *y = b;
    if (x->run != y->run)
        return (x->run > y->run) - (x->run < y->run);
    if (x->k != y->k)
        return (x->k > y->k) - (x->k < y->k);
    return (x->part > y->part) - (x->part < y->part);
}

static long meta_long(const tk_frame *f, const char *key, const char *where)
{
    double v;
    if (!tk_meta_get_double(&f->meta, key, &v) || v != floor(v))
        tk_die("%s: no integer %s= metadata (not an is-sample minima stream?)", where, key);
    return (long)v;
}

int main(int argc, char **argv)
{
    tk_init(argc, argv);
    static const struct option longopts[] = {{"transitions", required_argument, 0, 'X'},
                                             {"etol", required_argument, 0, 'E'},
                                             {"dtol", required_argument, 0, 'L'},
                                             {"to", required_argument, 0, 't'},
                                             {"output", required_argument, 0, 'o'},
                                             {"help", no_argument, 0, 'h'},
                                             {"version", no_argument, 0, 'V'},
                                             {0, 0, 0, 0}};
    const char *trpath = NULL, *outpath = "-";
    double etol = 1e-8, dtol = 1e-3;
    int fmt = TK_FMT_BIN, c;
    char *cmd = tk_cmdline(argc, argv);
    while ((c = tk_getopt(argc, argv, "t:o:hV", longopts)) != -1) {
        switch (c) {
        case 'X': trpath = optarg; break;
        case 'E': etol = tk_arg_double_pos("--etol", optarg); break;
        case 'L': dtol = tk_arg_double_pos("--dtol", optarg); break;
        case 't':
            if ((fmt = tk_format_parse(optarg)) < 0 || fmt == TK_FMT_LAMMPS)
                tk_usage_error("--to: '%s': the minima stream is bin or xyz", optarg);
            break;
        case 'o': outpath = optarg; break;
        case 'h': tk_help(usage);
        case 'V': tk_version();
        default: tk_usage_error("unknown option");
        }
    }
    int nops = argc - optind;
    if (!trpath)
        tk_usage_error("--transitions FILE is required");
    if (strcmp(trpath, outpath) == 0)
        tk_usage_error("the minima and the transitions go to the same place '%s'", trpath);
    if (nops < 2 || nops % 2)
        tk_usage_error("give MINIMA TRANSITIONS pairs (%d operands)", nops);
    int nparts = nops / 2;
    char **minpath = tk_xmalloc((size_t)nparts * sizeof *minpath);
    for (int p = 0; p < nparts; p++) {
        minpath[p] = argv[optind + 2 * p];
        if (strcmp(minpath[p], "-") == 0)
            tk_usage_error("MINIMA must be files, not standard input");
    }

    /* pass 1: every minimum's key, energy and (single precision) positions */
    rec *r = NULL;
    size_t nrec = 0, rcap = 0;
    long *nlocal = tk_xcalloc((size_t)nparts, sizeof *nlocal);
    tk_frame f, ref;
    tk_frame_init(&f);
    tk_frame_init(&ref);
    int have_ref = 0;
    for (int p = 0; p < nparts; p++) {
        tk_reader rd;
        tk_reader_open(&rd, minpath[p]);
        for (;;) {
            long off = tk_reader_tell(&rd);
            if (!tk_read_frame(&rd, &f))
                break;
            char where[600];
            snprintf(where, sizeof where, "%s: frame %ld", rd.name, rd.frame);
            if (!have_ref) {
                tk_frame_copy(&ref, &f);
                have_ref = 1;
            } else if (f.n != ref.n || fabs(f.L - ref.L) > 1e-12 * ref.L) {
                tk_die("%s: %d particles in a box of %.17g, not %d in %.17g as in %s: minima of "
                       "different glasses", where, f.n, f.L, ref.n, ref.L, minpath[0]);
            }
            static const char *same[] = {"glass", "sample_seed", "T_MD", "etol", "dtol"};
            for (size_t q = 0; q < sizeof same / sizeof *same; q++) {
                const char *v = tk_meta_get(&f.meta, same[q]), *v0 = tk_meta_get(&ref.meta, same[q]);
                /* numbers by value: 0.04 and 0.040000000000000001 are one */
                char *e1, *e2;
                int same_num = v && v0 && strtod(v, &e1) == strtod(v0, &e2) && !*e1 && !*e2;
                if (!v || !v0 || (strcmp(v, v0) != 0 && !same_num))
                    tk_die("%s: %s=%s, but %s has %s=%s: parts of different samplings (another "
                           "glass, seed, temperature or tolerance) cannot be merged", where,
                           same[q], v ? v : "(none)", minpath[0], same[q], v0 ? v0 : "(none)");
            }
            long id = meta_long(&f, "id", where);
            if (id != nlocal[p])
                tk_die("%s: id %ld where %ld was expected (ids are consecutive from 0)", where, id,
                       nlocal[p]);
            double e;
            if (!tk_meta_get_double(&f.meta, "epot", &e))
                tk_die("%s: no epot= metadata", where);
            if (nrec == rcap) {
                rcap = rcap ? 2 * rcap : 256;
                r = tk_xrealloc(r, rcap * sizeof *r);
            }
            rec *q = &r[nrec++];
            q->run = meta_long(&f, "run", where);
            q->k = meta_long(&f, "k", where);
            q->part = p;
            q->local = id;
            q->offset = off;
            q->e = e;
            q->x = tk_xmalloc(3 * (size_t)f.n * sizeof *q->x);
            for (int i = 0; i < 3 * f.n; i++)
                q->x[i] = (float)f.x[i];
            nlocal[p]++;
        }
        tk_reader_close(&rd);
    }
    if (!have_ref)
        tk_die("no minima in the inputs");

    /* identification in discovery order: the ids of a single job */
    qsort(r, nrec, sizeof *r, cmp_key);
    /* a run sampled by two parts would be counted twice */
    for (size_t q = 1; q < nrec; q++)
        if (r[q].run == r[q - 1].run && r[q].part != r[q - 1].part)
            tk_die("run %ld appears in both %s and %s: overlapping parts would be counted twice",
                   r[q].run, minpath[r[q - 1].part], minpath[r[q].part]);
    /* each part's own energies, for checking its table */
    double **elocal = tk_xmalloc((size_t)nparts * sizeof *elocal);
    for (int p = 0; p < nparts; p++)
        elocal[p] = tk_xmalloc(((size_t)nlocal[p] + 1) * sizeof **elocal);
    for (size_t q = 0; q < nrec; q++)
        elocal[r[q].part][r[q].local] = r[q].e;
    tk_minlib lib;
    tk_minlib_init(&lib, ref.n, ref.L, etol, dtol);
    long **map = tk_xmalloc((size_t)nparts * sizeof *map);
    for (int p = 0; p < nparts; p++)
        map[p] = tk_xmalloc(((size_t)nlocal[p] + 1) * sizeof **map);
    long *origin = tk_xmalloc((nrec ? nrec : 1) * sizeof *origin); /* global id -> record */
    double *xd = tk_xmalloc(3 * (size_t)ref.n * sizeof *xd);
    for (size_t q = 0; q < nrec; q++) {
        for (int i = 0; i < 3 * ref.n; i++)
            xd[i] = r[q].x[i];
        long g = tk_minlib_find(&lib, r[q].e, xd);
        if (g < 0) {
            g = tk_minlib_add(&lib, r[q].e, xd, r[q].run, r[q].k);
            origin[g] = (long)q;
        }
        map[r[q].part][r[q].local] = g;
    }

    /* transitions, renumbered and summed */
    tk_transitions tr;
    tk_transitions_init(&tr);
    for (int p = 0; p < nparts; p++) {
        const char *tp = argv[optind + 2 * p + 1];
        tk_trow *rows;
        size_t nrow = tk_transitions_read(tp, &rows);
        for (size_t k = 0; k < nrow; k++) {
            if (rows[k].j >= nlocal[p])
                tk_die("%s: row %zu: minimum %ld is not in %s (%ld minima): the table and the "
                       "library do not belong together", tp, k + 1, rows[k].j, minpath[p],
                       nlocal[p]);
            long gi = map[p][rows[k].i], gj = map[p][rows[k].j];
            if (fabs(elocal[p][rows[k].i] - rows[k].ei) > 1e-12 ||
                fabs(elocal[p][rows[k].j] - rows[k].ej) > 1e-12)
                tk_die("%s: row %zu: energies of %ld and %ld differ from %s: the table and the "
                       "library do not belong together", tp, k + 1, rows[k].i, rows[k].j,
                       minpath[p]);
            tk_transitions_addn(&tr, gi, gj, rows[k].nij, rows[k].nji);
        }
        free(rows);
    }

    /* pass 2: the first-found copy of every minimum, in the new id order */
    tk_output out;
    tk_output_open(&out, outpath);
    tk_reader *rd = tk_xmalloc((size_t)nparts * sizeof *rd);
    for (int p = 0; p < nparts; p++)
        tk_reader_open(&rd[p], minpath[p]);
    for (size_t g = 0; g < lib.count; g++) {
        const rec *q = &r[origin[g]];
        tk_reader_seek(&rd[q->part], q->offset);
        if (!tk_read_frame(&rd[q->part], &f))
            tk_die("%s: changed while merging", minpath[q->part]);
        tk_meta_setf(&f.meta, "id", "%zu", g);
        tk_meta_history(&f.meta, cmd);
        tk_write_frame(out.fp, &f, fmt);
    }
    for (int p = 0; p < nparts; p++)
        tk_reader_close(&rd[p]);
    tk_output trout;
    tk_output_open(&trout, trpath);
    tk_transitions_write(&tr, &lib, trout.fp);
    tk_output_commit(&trout);
    tk_output_commit(&out);

    for (size_t q = 0; q < nrec; q++)
        free(r[q].x);
    for (int p = 0; p < nparts; p++) {
        free(map[p]);
        free(elocal[p]);
    }
    free(elocal);
    free(map);
    free(r);
    free(rd);
    free(origin);
    free(xd);
    free(nlocal);
    free(minpath);
    tk_minlib_free(&lib);
    tk_transitions_free(&tr);
    tk_frame_free(&f);
    tk_frame_free(&ref);
    free(cmd);
    return tk_finish();
}
