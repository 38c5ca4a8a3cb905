/* md - time molecular dynamics steps (tk_md_step).
 *
 * A benchmark tool, not a user program (see bench/README.md).  Reads the
 * first frame of FILE, draws Maxwell-Boltzmann velocities at -T with the
 * given seed (as md-quench does for frame 1), sets up tk_md (which builds
 * the list and computes the first forces: the setup, not timed) and times S
 * calls of tk_md_step: velocity Verlet with forces only, list rebuilds when
 * some particle has moved more than skin/2, and the Bussi thermostat when
 * asked.  That is what LAMMPS's "Loop time" of a run covers.
 *
 * Output: one TSV row with a '#' header line.
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
#include "md.h"
#include "rng.h"

static const char usage[] =
    "Usage: md [OPTION]... FILE\n"
    "Time S velocity-Verlet steps (tk_md_step) from the first frame of FILE with\n"
    "velocities drawn at temperature T.  Prints a TSV row:\n"
    "  what  N  steps  s_total  s_per_step  us_per_atom_step  builds  T_end\n"
    "  etot_drift  epot_start  epot_end  s_plain_step  s_per_build\n"
    "(builds: list builds during the timed steps; etot_drift: change of the\n"
    "total energy per particle over the run (plus the heat removed by the\n"
    "thermostat), a check of the integration; energies per particle;\n"
    "s_plain_step: mean time of a step without a list rebuild; s_per_build:\n"
    "the extra time of a step with one, i.e. the list build).\n"
    "\n"
    "Options:\n"
    "  -S, --steps S        timed steps (default 10000)\n"
    "  -T, --temp T         velocity and thermostat temperature (default 0.04)\n"
    "      --dt DT          time step (default 0.005)\n"
    "      --thermostat K   none (NVE, default) or bussi\n"
    "      --tau TAU        Bussi coupling time (default 0.1)\n"
    "      --seed SEED      velocity and thermostat seed (default 1)\n"
    "  -s, --skin S         Verlet-list skin (default 0.3)\n"
    "      --label NAME     first column (default: nve or bussi)\n"
    "      --no-header      omit the '#' header line\n"
    "  -h, --help           show this help and exit\n"
    "  -V, --version        show the version and exit\n";

int main(int argc, char **argv)
{
    tk_init(argc, argv);
    static const struct option longopts[] = {{"steps", required_argument, 0, 'S'},
                                             {"temp", required_argument, 0, 'T'},
                                             {"dt", required_argument, 0, 'd'},
                                             {"thermostat", required_argument, 0, 'k'},
                                             {"tau", required_argument, 0, 'u'},
                                             {"seed", required_argument, 0, 'r'},
                                             {"skin", required_argument, 0, 's'},
                                             {"label", required_argument, 0, 'l'},
                                             {"no-header", no_argument, 0, 'H'},
                                             {"help", no_argument, 0, 'h'},
                                             {"version", no_argument, 0, 'V'},
                                             {0, 0, 0, 0}};
    long steps = 10000;
    double T = 0.04, dt = 0.005, tau = 0.1, skin = TK_SKIN_DEFAULT;
    int thermostat = 0, header = 1, c;
    uint64_t seed = 1;
    const char *label = NULL;
    while ((c = getopt_long(argc, argv, "S:T:s:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'S': steps = tk_arg_long("--steps", optarg, 1, 1L << 40); break;
        case 'T': T = tk_arg_double("--temp", optarg); break;
        case 'd': dt = tk_arg_double_pos("--dt", optarg); break;
        case 'k':
            if (strcmp(optarg, "none") == 0)
                thermostat = 0;
            else if (strcmp(optarg, "bussi") == 0)
                thermostat = 1;
            else
                tk_usage_error("--thermostat: unknown kind '%s' (none or bussi)", optarg);
            break;
        case 'u': tau = tk_arg_double_pos("--tau", optarg); break;
        case 'r': seed = tk_arg_seed("--seed", optarg); break;
        case 's': skin = tk_arg_double_pos("--skin", optarg); break;
        case 'l': label = optarg; break;
        case 'H': header = 0; break;
        case 'h': tk_help(usage);
        case 'V': tk_version();
        default: tk_usage_error("unknown option");
        }
    }
    if (T < 0)
        tk_usage_error("--temp must not be negative");
    if (argc - optind != 1)
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
    int n = fr.n;

    tk_rng rng;
    tk_rng_seed2(&rng, seed, 0);
    tk_md_velocities(n, fr.v, T, &rng);
    fr.has_v = 1;
    tk_ipl m;
    tk_ipl_for_frame(&m, &fr, skin, argv[optind]);
    tk_md md;
    tk_md_init(&md, &m, fr.x, fr.v, dt, &rng);
    md.thermostat = thermostat;
    md.T = T;
    md.tau = tau;
    double ep0 = tk_md_epot(&md), e0 = ep0 + tk_md_ekin(&md);

    /* each step is timed alone and classed by whether it rebuilt the list:
     * the clock costs some 20 ns a call, under 0.1 % of a step */
    long nb0 = m.nbuild, nplain = 0;
    double tplain = 0, trebuild = 0, t0 = tk_seconds(), ts = t0;
    for (long s = 0; s < steps; s++) {
        long nb = m.nbuild;
        if (tk_md_step(&md) != 0)
            tk_die("step %ld: the energy is not finite", s + 1);
        double te = tk_seconds();
        if (m.nbuild == nb) {
            tplain += te - ts;
            nplain++;
        } else {
            trebuild += te - ts;
        }
        ts = te;
    }
    double t = tk_seconds() - t0;
    long builds = m.nbuild - nb0;
    /* a step without a rebuild, and the extra cost of a rebuild */
    double splain = nplain ? tplain / (double)nplain : 0;
    double sbuild = builds ? (trebuild - (double)(steps - nplain) * splain) / (double)builds : 0;

    double ep1 = tk_md_epot(&md), e1 = ep1 + tk_md_ekin(&md) + md.heat;
    if (header)
        puts("#what\tN\tsteps\ts_total\ts_per_step\tus_per_atom_step\tbuilds\tT_end"
             "\tetot_drift\tepot_start\tepot_end\ts_plain_step\ts_per_build");
    printf("%s\t%d\t%ld\t%.6e\t%.6e\t%.6f\t%ld\t%.6f\t%.3e\t%.10f\t%.10f\t%.6e\t%.6e\n",
           label ? label : thermostat ? "bussi" : "nve", n, steps, t, t / (double)steps,
           1e6 * t / (double)steps / n, builds, tk_md_temperature(&md), (e1 - e0) / n, ep0 / n,
           ep1 / n, splain, sbuild);

    tk_md_free(&md);
    tk_ipl_free(&m);
    tk_frame_free(&fr);
    return tk_finish();
}
