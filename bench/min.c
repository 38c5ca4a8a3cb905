/* min - time energy minimisations (tk_minimize, FIRE 2.0).
 *
 * A benchmark tool, not a user program (see bench/README.md).  For every
 * frame of FILE (snapshots, e.g. from md-quench): set up tk_ipl and build
 * the list with one force evaluation (the setup, not timed, as LAMMPS's
 * "Loop time" of a minimize excludes its setup), then time tk_minimize from
 * those positions with tk_min_defaults, the given method and ftol (stop when
 * the largest force component is <= ftol).  Each minimisation is repeated R
 * times from the same positions (it is deterministic) and the fastest time
 * is reported.
 *
 * Output: one TSV row per frame, with a '#' header line.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "err.h"
#include "frameio.h"
#include "ipl.h"
#include "minimize.h"

static const char usage[] =
    "Usage: min [OPTION]... FILE...\n"
    "Time tk_minimize (tk_min_defaults) from every frame of the FILEs.\n"
    "Prints one TSV row per frame:\n"
    "  what  frame  N  s_min  nforce  s_per_force  builds  converged  fmax\n"
    "  epot_start  epot_end\n"
    "(s_min: fastest of R runs; nforce: force evaluations; builds: list builds\n"
    "during the minimisation; fmax: largest force component at the end;\n"
    "energies per particle).\n"
    "\n"
    "Options:\n"
    "  -m, --method M    fire, lbfgs or fire+lbfgs (default: the library's)\n"
    "  -f, --ftol F      largest force component at convergence (default 1e-10)\n"
    "  -r, --repeat R    runs per frame, the fastest reported (default 3)\n"
    "  -s, --skin S      Verlet-list skin (default 0.3)\n"
    "      --label NAME  first column (default: the method)\n"
    "      --no-header   omit the '#' header line\n"
    "  -h, --help        show this help and exit\n"
    "  -V, --version     show the version and exit\n";

int main(int argc, char **argv)
{
    tk_init(argc, argv);
    static const struct option longopts[] = {{"method", required_argument, 0, 'm'},
                                             {"ftol", required_argument, 0, 'f'},
                                             {"repeat", required_argument, 0, 'r'},
                                             {"skin", required_argument, 0, 's'},
                                             {"label", required_argument, 0, 'l'},
                                             {"no-header", no_argument, 0, 'H'},
                                             {"help", no_argument, 0, 'h'},
                                             {"version", no_argument, 0, 'V'},
                                             {0, 0, 0, 0}};
    double ftol = 1e-10, skin = TK_SKIN_DEFAULT;
    long repeat = 3;
    int header = 1, c, method = -1;
    const char *label = NULL, *mname = NULL;
    while ((c = getopt_long(argc, argv, "m:f:r:s:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'm':
            if ((method = tk_min_method_parse(optarg)) < 0)
                tk_usage_error("--method: unknown method '%s' (fire, lbfgs, fire+lbfgs)", optarg);
            mname = optarg;
            break;
        case 'f': ftol = tk_arg_double_pos("--ftol", optarg); break;
        case 'r': repeat = tk_arg_long("--repeat", optarg, 1, 1000000); break;
        case 's': skin = tk_arg_double_pos("--skin", optarg); break;
        case 'l': label = optarg; break;
        case 'H': header = 0; break;
        case 'h': tk_help(usage);
        case 'V': tk_version();
        default: tk_usage_error("unknown option");
        }
    }
    if (argc - optind < 1)
        tk_usage_error("missing FILE");

    tk_min_opts mo;
    tk_min_defaults(&mo);
    mo.ftol = ftol;
    if (method >= 0)
        mo.method = (tk_min_method)method;
    if (!label)
        label = mname ? mname : "default";
    if (header)
        puts("#what\tframe\tN\ts_min\tnforce\ts_per_force\tbuilds\tconverged\tfmax"
             "\tepot_start\tepot_end");
    tk_input in;
    tk_input_init(&in, argc - optind, argv + optind);
    tk_frame fr;
    tk_frame_init(&fr);
    long k = 0;
    double *x = NULL, *f = NULL;
    while (tk_input_next(&in, &fr)) {
        k++;
        int n = fr.n;
        if (n < 2)
            tk_die("%s: need at least 2 particles", tk_input_where(&in));
        x = tk_xrealloc(x, 3 * (size_t)n * sizeof *x);
        f = tk_xrealloc(f, 3 * (size_t)n * sizeof *f);
        tk_wrap(n, fr.L, fr.origin, fr.x);
        double best = 1e300, e0 = 0;
        tk_min_result res = {0, 0, 0, 0, 0}, first = {0, 0, 0, 0, 0};
        long builds = 0;
        for (long r = 0; r < repeat; r++) {
            memcpy(x, fr.x, 3 * (size_t)n * sizeof *x);
            tk_ipl m;
            tk_ipl_for_frame(&m, &fr, skin, tk_input_where(&in));
            e0 = tk_ipl_forces(&m, x, f, NULL) / n; /* setup: the first build */
            long nb0 = m.nbuild;
            double t0 = tk_seconds();
            res = tk_minimize(&m, x, &mo);
            double t = tk_seconds() - t0;
            builds = m.nbuild - nb0;
            tk_ipl_free(&m);
            if (t < best)
                best = t;
            if (r == 0)
                first = res;
            else if (res.nforce != first.nforce || res.epot != first.epot)
                tk_die("%s: the minimisation is not deterministic", tk_input_where(&in));
        }
        printf("%s\t%ld\t%d\t%.6e\t%ld\t%.6e\t%ld\t%d\t%.3e\t%.10f\t%.10f\n", label, k, n, best,
               res.nforce, best / (double)res.nforce, builds, res.converged, res.fmax, e0,
               res.epot / n);
    }
    free(x);
    free(f);
    tk_frame_free(&fr);
    tk_input_close(&in);
    return tk_finish();
}
