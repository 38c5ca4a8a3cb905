/* conf-convert - frames from any supported format to a chosen one. */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "err.h"
#include "frameio.h"
#include "ipl.h"
#include "output.h"

static const char usage[] =
    "Usage: conf-convert [OPTION]... [FILE]...\n"
    "Convert frames (FILEs, or standard input; extended XYZ, tlskit binary,\n"
    "LAMMPS data files and LAMMPS text dumps, detected per frame) to one format,\n"
    "frame by frame.  Numbers are written with 17 significant digits: xyz <-> bin\n"
    "round trips are exact; LAMMPS data keep positions and diameters exactly,\n"
    "while the box edge is recomputed as xhi - xlo, particles are ordered by id\n"
    "and positions outside the box are wrapped.  A change of representation is\n"
    "not a change of data, so no history is added.\n"
    "\n"
    "LAMMPS dumps (dump custom, write_dump) are read when they hold the columns\n"
    "id, the diameter (q, as in our data files, or diameter, or radius) and\n"
    "x y z (or xu yu zu, xs ys zs, xsu ysu zsu), optionally vx vy vz; each\n"
    "snapshot is a frame, with its step as timestep= metadata.\n"
    "\n"
    "Options:\n"
    "  -t, --to FORMAT     xyz (extended XYZ, default), bin (binary twin) or\n"
    "                      lammps (LAMMPS data file, Atoms # charge with the\n"
    "                      diameter in the charge column; one frame per file:\n"
    "                      give a single frame, or --split)\n"
    "  -o, --output FILE   write FILE atomically instead of standard output\n"
    "      --split PATTERN write each frame to its own file (atomically), named\n"
    "                      by PATTERN with %d, or %0Nd, replaced by the frame's\n"
    "                      number among those written (1, 2, ...): in%d.data\n"
    "      --set KEY=VALUE add or replace a metadata entry (repeatable)\n"
    "      --frames A:B    only frames A to B of the input (counted from 1 over\n"
    "                      all FILEs; A: means to the end)\n"
    "      --unset KEY     remove a metadata entry (repeatable; applied before\n"
    "                      any --set)\n"
    "\n"
    "The model in LAMMPS (-t lammps), for pair_style table: LAMMPS has no pair\n"
    "style with per-particle diameters, so the diameters are binned into atom\n"
    "types and each type pair gets the potential of its types' mean diameters.\n"
    "      --types K       K atom types: the particles sorted by diameter, in K\n"
    "                      bins of equal counts (default 1; 64 with --pair-table)\n"
    "      --pair-table DIR  also write DIR/I_J.table, the model's pair potential\n"
    "                      for type pair I <= J tabulated from 0.5 to 1.25 sigma_IJ\n"
    "                      (keyword IPL_I_J), and DIR/pair.lmp, the pair_style\n"
    "                      and pair_coeff commands that read them (include it\n"
    "                      after read_data; its paths are DIR as given).  Every\n"
    "                      frame must have the diameters of the first.  With 64\n"
    "                      types the energy of a glass comes out 0.26 % too high\n"
    "                      and the forces are off by 0.09 rms (conf-convert(1));\n"
    "                      the tlskit stages after LAMMPS use the exact model\n"
    "  -h, --help          show this help and exit\n"
    "  -V, --version       show the version and exit\n"
    "\n"
    "Examples:\n"
    "  conf-convert -t bin glass.xyz > glass.bin\n"
    "  conf-convert -t lammps --set Tf=0.07 glass.bin > glass.data\n"
    "  conf-convert -t lammps --pair-table ipl --split in%d.data frames.xyz\n"
    "  conf-convert --set Tf=0.07 out1.data out2.data > glasses.xyz\n"
    "  conf-convert -o traj.xyz traj.dump\n";

/* A key must read back as itself and must not be one of the format's own. */
static void check_key(const char *k, size_t n)
{
    static const char *reserved[] = {"Lattice", "Origin", "pbc", "Properties"};
    for (size_t i = 0; i < n; i++)
        if (!isgraph((unsigned char)k[i]) || k[i] == '"' || k[i] == '=')
            tk_usage_error("--set: key '%.*s' must be printable, without blanks, '\"' or '='",
                           (int)n, k);
    for (size_t i = 0; i < sizeof reserved / sizeof *reserved; i++)
        if (strlen(reserved[i]) == n && strncmp(k, reserved[i], n) == 0)
            tk_usage_error("--set: %s is part of the frame format, not metadata", reserved[i]);
}

/* The frame number in a --split PATTERN: one %d or %0Nd (N < 10), %% for a
 * percent sign.  Returns the expanded name (malloc'd); with k < 0 only
 * checks the pattern (usage error). */
static char *expand(const char *pat, long k)
{
    size_t cap = strlen(pat) + 32, n = 0;
    char *out = tk_xmalloc(cap);
    int conv = 0;
    for (const char *p = pat; *p; p++) {
        if (*p != '%') {
            out[n++] = *p;
            continue;
        }
        p++;
        if (*p == '%') {
            out[n++] = '%';
            continue;
        }
        int zero = 0, width = 0;
        if (*p == '0') {
            zero = 1;
            p++;
        }
        if (isdigit((unsigned char)*p))
            width = *p++ - '0';
        if (*p != 'd' || conv++)
            tk_usage_error("--split: '%s' must hold one %%d (or %%0Nd, N < 10) for the frame "
                           "number, and %%%% for a percent sign", pat);
        n += (size_t)snprintf(out + n, cap - n, zero ? "%0*ld" : "%*ld", width, k < 0 ? 0 : k);
    }
    if (!conv)
        tk_usage_error("--split: '%s' has no %%d for the frame number", pat);
    out[n] = '\0';
    return out;
}

typedef struct {
    long i;
    double s;
} by_diam;

static int cmp_diam(const void *a, const void *b)
{
    const by_diam *x = a, *y = b;
    if (x->s != y->s)
        return (x->s > y->s) - (x->s < y->s);
    return (x->i > y->i) - (x->i < y->i);
}

/* Atom types of the n particles: sorted by diameter (ties by index), K bins
 * of equal counts; tsig[t] is the mean diameter of type t + 1, summed in
 * sorted order (so any permutation of one set of diameters gives the same
 * type diameters, to the bit). */
static void make_types(const tk_frame *f, int K, int *type, double *tsig)
{
    int n = f->n;
    by_diam *o = tk_xmalloc((size_t)n * sizeof *o);
    for (int i = 0; i < n; i++)
        o[i] = (by_diam){i, f->sigma[i]};
    qsort(o, (size_t)n, sizeof *o, cmp_diam);
    long *count = tk_xcalloc((size_t)K, sizeof *count);
    for (int t = 0; t < K; t++)
        tsig[t] = 0;
    for (long r = 0; r < n; r++) {
        int t = (int)(r * K / n);
        type[o[r].i] = t + 1;
        tsig[t] += o[r].s;
        count[t]++;
    }
    for (int t = 0; t < K; t++)
        tsig[t] /= (double)count[t];
    free(count);
    free(o);
}

/* Points of each table (cubic splines in LAMMPS, with the end derivatives
 * given: FPRIME), its inner end in units of sigma_IJ (v = 4096 there), and
 * the length of LAMMPS's internal tables. */
#define TABLE_POINTS 100
#define TABLE_XLO 0.5
#define TABLE_N 500

static char *path_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = tk_xmalloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* DIR/I_J.table for every type pair and DIR/pair.lmp (see the usage). */
static void write_pair_table(const char *dir, int K, const double *tsig, const char *source)
{
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        tk_die("--pair-table: %s: cannot create the directory: %s", dir, strerror(errno));
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        tk_die("--pair-table: %s is not a directory", dir);
    char *pl = path_join(dir, "pair.lmp");
    tk_output po;
    tk_output_open(&po, pl);
    fprintf(po.fp,
            "# The tlskit IPL model for LAMMPS, %d atom types (diameter bins of equal counts),\n"
            "# written by conf-convert --pair-table for %s.\n"
            "# Per type pair I <= J: v(r) = (s/r)^12 + c0 + c2 (r/s)^2 + c4 (r/s)^4 for r < 1.25 s,\n"
            "# s = sigma_IJ = (s_I + s_J)/2 (1 - 0.2 |s_I - s_J|), with s_I the mean diameter\n"
            "# of type I (an approximation: each particle's own diameter is replaced by\n"
            "# its type's), tabulated in %s/I_J.table.  Use after read_data.\n"
            "# type diameters:",
            K, source, dir);
    for (int t = 0; t < K; t++)
        fprintf(po.fp, "%s %.10g", t % 8 == 0 ? "\n#" : "", tsig[t]);
    fprintf(po.fp, "\npair_style table spline %d\n", TABLE_N);
    for (int i = 0; i < K; i++)
        for (int j = i; j < K; j++) {
            double sij = tk_sigma_ij(tsig[i], tsig[j]), lo = TABLE_XLO * sij, hi = TK_XC * sij;
            char name[64];
            snprintf(name, sizeof name, "%d_%d.table", i + 1, j + 1);
            char *tp = path_join(dir, name);
            tk_output to;
            tk_output_open(&to, tp);
            double inv_s2 = 1.0 / (sij * sij), v, fr;
            /* FPRIME: the derivative of the force, -v''(r), at the two ends
             * (0 at the cutoff, where v, v' and v'' vanish) */
            double xl = TABLE_XLO, fp_lo = -(156.0 * pow(xl, -14) + 2.0 * TK_C2 +
                                             12.0 * TK_C4 * xl * xl) * inv_s2;
            fprintf(to.fp,
                    "# tlskit IPL potential, types %d and %d (diameters %.17g, %.17g): "
                    "sigma_ij %.17g\n\nIPL_%d_%d\nN %d R %.17g %.17g FPRIME %.17g 0\n\n",
                    i + 1, j + 1, tsig[i], tsig[j], sij, i + 1, j + 1, TABLE_POINTS, lo, hi,
                    fp_lo);
            for (int k = 0; k < TABLE_POINTS; k++) {
                double r = k == TABLE_POINTS - 1 ? hi : lo + (hi - lo) * k / (TABLE_POINTS - 1);
                v = fr = 0; /* the cutoff itself: v = v' = 0 */
                tk_pair(r * r, inv_s2, &v, &fr);
                fprintf(to.fp, "%d %.17g %.17g %.17g\n", k + 1, r, v, fr * r);
            }
            tk_output_commit(&to);
            fprintf(po.fp, "pair_coeff %d %d %s IPL_%d_%d %.17g\n", i + 1, j + 1, tp, i + 1, j + 1,
                    hi);
            free(tp);
        }
    tk_output_commit(&po);
    free(pl);
}

int main(int argc, char **argv)
{
    tk_init(argc, argv);
    static const struct option longopts[] = {{"to", required_argument, 0, 't'},
                                             {"output", required_argument, 0, 'o'},
                                             {"split", required_argument, 0, 's'},
                                             {"set", required_argument, 0, 'S'},
                                             {"unset", required_argument, 0, 'U'},
                                             {"frames", required_argument, 0, 'F'},
                                             {"types", required_argument, 0, 'K'},
                                             {"pair-table", required_argument, 0, 'P'},
                                             {"help", no_argument, 0, 'h'},
                                             {"version", no_argument, 0, 'V'},
                                             {0, 0, 0, 0}};
    int fmt = TK_FMT_XYZ, c;
    const char *outpath = NULL, *split = NULL, *tabledir = NULL;
    char **sets = tk_xcalloc((size_t)argc, sizeof *sets), **unsets = tk_xcalloc((size_t)argc, sizeof *unsets);
    int nset = 0, nunset = 0;
    long first = 1, last = -1, ntypes = 0;
    int frames_given = 0;
    while ((c = tk_getopt(argc, argv, "t:o:hV", longopts)) != -1) {
        switch (c) {
        case 't':
            if ((fmt = tk_format_parse(optarg)) < 0)
                tk_usage_error("--to: unknown format '%s' (xyz, bin or lammps)", optarg);
            break;
        case 'o': outpath = optarg; break;
        case 's': free(expand(optarg, -1)); split = optarg; break;
        case 'S':
            if (!strchr(optarg, '=') || optarg[0] == '=')
                tk_usage_error("--set: '%s' is not KEY=VALUE", optarg);
            check_key(optarg, strchr(optarg, '=') - optarg);
            sets[nset++] = optarg;
            break;
        case 'U': unsets[nunset++] = optarg; break;
        case 'F': {
            frames_given = 1;
            char *colon = strchr(optarg, ':'), *end;
            if (!colon)
                tk_usage_error("--frames: '%s' is not A:B", optarg);
            first = strtol(optarg, &end, 10);
            if (end != colon || first < 1)
                tk_usage_error("--frames: '%s': A must be a frame number from 1", optarg);
            if (colon[1]) {
                last = strtol(colon + 1, &end, 10);
                if (*end || last < first)
                    tk_usage_error("--frames: '%s': B must be a number >= A", optarg);
            }
            break;
        }
        case 'K': ntypes = tk_arg_long("--types", optarg, 1, 1000000); break;
        case 'P': tabledir = optarg; break;
        case 'h': tk_help(usage);
        case 'V': tk_version();
        default: tk_usage_error("unknown option");
        }
    }
    if (split && outpath)
        tk_usage_error("-o and --split: one output file, or one file per frame");
    if ((ntypes || tabledir) && fmt != TK_FMT_LAMMPS)
        tk_usage_error("--types and --pair-table describe LAMMPS atom types: give -t lammps");
    if (tabledir && !*tabledir)
        tk_usage_error("--pair-table: an empty directory name");
    if (!ntypes)
        ntypes = tabledir ? 64 : 1;
    if (!outpath)
        outpath = "-";
    tk_input in;
    tk_input_init(&in, argc - optind, argv + optind);
    tk_output out;
    if (!split)
        tk_output_open(&out, outpath);
    tk_frame fr;
    tk_frame_init(&fr);
    long nframes = 0;
    long index = 0;
    int *type = NULL, typed = fmt == TK_FMT_LAMMPS && (ntypes > 1 || tabledir);
    double *tsig = NULL, *tsig1 = NULL;
    while (tk_input_next(&in, &fr)) {
        if (++index < first)
            continue;
        if (last >= 0 && index > last)
            break;
        nframes++;
        if (fmt == TK_FMT_LAMMPS && !split && nframes > 1)
            tk_die("%s: a LAMMPS data file holds one frame; convert one frame at a time, or "
                   "give --split", tk_input_where(&in));
        for (int k = 0; k < nunset; k++)
            tk_meta_del(&fr.meta, unsets[k]);
        for (int k = 0; k < nset; k++) {
            char *eq = strchr(sets[k], '=');
            *eq = '\0';
            tk_meta_set(&fr.meta, sets[k], eq + 1);
            *eq = '=';
        }
        if (typed) {
            if (ntypes > fr.n)
                tk_die("%s: --types %ld: more types than the %d particles", tk_input_where(&in),
                       ntypes, fr.n);
            type = tk_xrealloc(type, (size_t)fr.n * sizeof *type);
            tsig = tk_xrealloc(tsig, (size_t)ntypes * sizeof *tsig);
            make_types(&fr, (int)ntypes, type, tsig);
            if (tabledir && !tsig1) {
                tsig1 = tk_xmalloc((size_t)ntypes * sizeof *tsig1);
                memcpy(tsig1, tsig, (size_t)ntypes * sizeof *tsig);
                write_pair_table(tabledir, (int)ntypes, tsig, tk_input_where(&in));
            } else if (tabledir && memcmp(tsig1, tsig, (size_t)ntypes * sizeof *tsig) != 0) {
                tk_die("%s: not the diameters of the first frame (its type diameters differ): "
                       "the pair table of %s holds the first frame's; convert this one "
                       "separately, with its own --pair-table", tk_input_where(&in), tabledir);
            }
        }
        tk_output *o = &out, one;
        if (split) {
            char *name = expand(split, nframes);
            tk_output_open(&one, name);
            free(name);
            o = &one;
        }
        if (typed)
            tk_write_lammps_typed(o->fp, &fr, (int)ntypes, type);
        else
            tk_write_frame(o->fp, &fr, fmt);
        if (split)
            tk_output_commit(&one);
    }
    /* frames asked for but not there are an error, not an empty success */
    if (!frames_given)
        tk_input_require(&in);
    long want = last >= 0 ? last : first;
    if (index < want)
        tk_die("--frames: frame %ld asked for, but the input holds %ld frame%s", want, index,
               index == 1 ? "" : "s");
    if (!split)
        tk_output_commit(&out);
    tk_frame_free(&fr);
    tk_input_close(&in);
    free(type);
    free(tsig);
    free(tsig1);
    free(sets);
    free(unsets);
    return tk_finish();
}
