/* force - time the IPL force kernel and the neighbour-list build.
 *
 * A benchmark tool, not a user program (see bench/README.md).  Reads the
 * first frame of FILE, sets up tk_ipl with the given skin, and times
 *
 *   force     R calls of tk_ipl_forces_only at fixed positions (the MD and
 *             minimiser path): the list is built once before timing and
 *             never rebuilt, so this is the force kernel (plus the O(N)
 *             displacement check and the clearing of f that every call does);
 *   force_ev  the same with tk_ipl_forces: forces, energy and virial;
 *   build     tk_ipl_invalidate + tk_ipl_forces, repeated: a list build plus
 *             a force call; the row reports that time minus the force_ev
 *             time, i.e. the list build alone (the raw sum is the
 *             build+force row); tk_ipl_invalidate discards the outer list
 *             too, so this is an outer build plus the list from it;
 *   rebuild   the usual rebuild, the list filtered from a valid outer list
 *             (minus the force_ev time as well).
 *
 * Each measurement is repeated in B blocks and the fastest block's mean is
 * reported, which filters out interference from the rest of the machine.
 * Output: a tab-separated table with a '#' header line.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "err.h"
#include "frameio.h"
#include "ipl.h"

static const char usage[] =
    "Usage: force [OPTION]... FILE\n"
    "Time tk_ipl_forces_only and tk_ipl_forces (fixed positions, no list\n"
    "rebuild) and the Verlet-list build on the first frame of FILE.  Prints a\n"
    "TSV table with the rows force (forces only), force_ev (forces, energy and\n"
    "virial), build (the list build alone, outer list included), build+force and\n"
    "rebuild (the list from a valid outer list, the usual rebuild):\n"
    "  what  N  reps  blocks  s_per_eval  us_per_atom_eval  pairs_listed  pairs_cut  epot\n"
    "(pairs_* are half-list pairs per atom: listed within 1.25 sigma_ij + skin,\n"
    "and within the cutoff 1.25 sigma_ij; epot is the energy per particle).\n"
    "\n"
    "Options:\n"
    "  -r, --reps R      force calls per timing block (default 1000)\n"
    "  -n, --builds M    list builds per timing block (default 100)\n"
    "  -b, --blocks B    timing blocks; the fastest is reported (default 5)\n"
    "  -s, --skin S      Verlet-list skin (default 0.3)\n"
    "      --no-header   omit the '#' header line\n"
    "  -h, --help        show this help and exit\n"
    "  -V, --version     show the version and exit\n";

int main(int argc, char **argv)
{
    tk_init(argc, argv);
    static const struct option longopts[] = {{"reps", required_argument, 0, 'r'},
                                             {"builds", required_argument, 0, 'n'},
                                             {"blocks", required_argument, 0, 'b'},
                                             {"skin", required_argument, 0, 's'},
                                             {"no-header", no_argument, 0, 'H'},
                                             {"help", no_argument, 0, 'h'},
                                             {"version", no_argument, 0, 'V'},
                                             {0, 0, 0, 0}};
    long reps = 1000, builds = 100, blocks = 5;
    double skin = TK_SKIN_DEFAULT;
    int header = 1, c;
    while ((c = getopt_long(argc, argv, "r:n:b:s:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'r': reps = tk_arg_long("--reps", optarg, 1, 100000000L); break;
        case 'n': builds = tk_arg_long("--builds", optarg, 1, 100000000L); break;
        case 'b': blocks = tk_arg_long("--blocks", optarg, 1, 1000); break;
        case 's': skin = tk_arg_double_pos("--skin", optarg); break;
        case 'H': header = 0; break;
        case 'h': tk_help(usage);
        case 'V': tk_version();
        default: tk_usage_error("unknown option");
        }
    }
    if (argc - optind == 0)
        tk_usage_error("missing FILE");
    if (argc - optind > 1)
        tk_usage_error("expected one FILE, got %d", argc - optind);

    tk_reader rd;
    tk_reader_open(&rd, argv[optind]);
    tk_frame fr;
    tk_frame_init(&fr);
    if (!tk_read_frame(&rd, &fr))
        tk_die("%s: no frame in the input", argv[optind]);
    tk_reader_close(&rd);
    if (fr.n < 2)
        tk_die("%s: need at least 2 particles, found %d", argv[optind], fr.n);

    tk_ipl m;
    tk_ipl_for_frame(&m, &fr, skin, argv[optind]);
    int n = fr.n;
    double *f = tk_xmalloc(3 * (size_t)n * sizeof *f);

    /* warm-up: first build, caches, page faults, CPU frequency */
    double epot = tk_ipl_forces(&m, fr.x, f, NULL) / n;
    for (int k = 0; k < 20; k++)
        tk_ipl_forces(&m, fr.x, f, NULL);

    /* pairs per atom: listed, and within the cutoff */
    long ncut = 0;
    for (int i = 0; i < n; i++)
        for (int k = m.first[i]; k < m.first[i + 1]; k++) {
            int j = m.nbr[k];
            double r2 = 0;
            for (int d = 0; d < 3; d++) {
                double dd = tk_mic(fr.x[3 * i + d] - fr.x[3 * j + d], m.L);
                r2 += dd * dd;
            }
            ncut += r2 * m.inv_s2[k] < TK_XC2;
        }
    double plist = (double)m.npair / n, pcut = (double)ncut / n;

    /* force kernels at fixed positions, the two alternating block by block
     * so that a burst of load hits both */
    long nb0 = m.nbuild;
    double sink = 0, tforce = 1e300, tforce_ev = 1e300;
    for (long b = 0; b < blocks; b++) {
        double w, t0 = tk_seconds();
        for (long r = 0; r < reps; r++) {
            tk_ipl_forces_only(&m, fr.x, f);
            sink += f[0];
        }
        double t = (tk_seconds() - t0) / (double)reps;
        if (t < tforce)
            tforce = t;
        t0 = tk_seconds();
        for (long r = 0; r < reps; r++)
            sink += tk_ipl_forces(&m, fr.x, f, &w);
        t = (tk_seconds() - t0) / (double)reps;
        if (t < tforce_ev)
            tforce_ev = t;
    }
    if (m.nbuild != nb0)
        tk_die("the list was rebuilt %ld times during the force timing (positions moved?)",
               m.nbuild - nb0);

    /* list build (+ one force call) */
    double tbuild = 1e300;
    for (long b = 0; b < blocks; b++) {
        double w, t0 = tk_seconds();
        for (long r = 0; r < builds; r++) {
            tk_ipl_invalidate(&m);
            sink += tk_ipl_forces(&m, fr.x, f, &w);
        }
        double t = (tk_seconds() - t0) / (double)builds;
        if (t < tbuild)
            tbuild = t;
    }
    if (m.nbuild - nb0 != blocks * builds)
        tk_die("expected %ld list builds, counted %ld", blocks * builds, m.nbuild - nb0);

    /* the usual rebuild: the list filtered from the outer list, which stays
     * valid (the outer build is the one above, done when a particle has
     * moved more than TK_OUTER_EXTRA/2 since the last) */
    double trebuild = 1e300;
    long no0 = m.nouter;
    for (long b = 0; b < blocks; b++) {
        double w, t0 = tk_seconds();
        for (long r = 0; r < builds; r++) {
            m.valid = 0;
            sink += tk_ipl_forces(&m, fr.x, f, &w);
        }
        double t = (tk_seconds() - t0) / (double)builds;
        if (t < trebuild)
            trebuild = t;
    }
    if (m.skin_outer > 0 && m.nouter != no0)
        tk_die("the outer list was rebuilt %ld times during the rebuild timing", m.nouter - no0);
    if (!(sink == sink))
        tk_die("non-finite energy");

    if (header)
        puts("#what\tN\treps\tblocks\ts_per_eval\tus_per_atom_eval\tpairs_listed\tpairs_cut\tepot");
    const char *fmt = "%s\t%d\t%ld\t%ld\t%.6e\t%.6f\t%.3f\t%.3f\t%.10f\n";
    printf(fmt, "force", n, reps, blocks, tforce, 1e6 * tforce / n, plist, pcut, epot);
    printf(fmt, "force_ev", n, reps, blocks, tforce_ev, 1e6 * tforce_ev / n, plist, pcut, epot);
    double tb = tbuild - tforce_ev > 0 ? tbuild - tforce_ev : 0;
    printf(fmt, "build", n, builds, blocks, tb, 1e6 * tb / n, plist, pcut, epot);
    printf(fmt, "build+force", n, builds, blocks, tbuild, 1e6 * tbuild / n, plist, pcut, epot);
    double tr = trebuild - tforce_ev > 0 ? trebuild - tforce_ev : 0;
    printf(fmt, "rebuild", n, builds, blocks, tr, 1e6 * tr / n, plist, pcut, epot);

    free(f);
    tk_ipl_free(&m);
    tk_frame_free(&fr);
    return tk_finish();
}
