/* conf-info - one table row of model properties per frame. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "err.h"
#include "frameio.h"
#include "ipl.h"

static const char usage[] =
    "Usage: conf-info [OPTION]... [FILE]...\n"
    "Print one tab-separated row per frame of the input frames (FILEs, or\n"
    "standard input; extended XYZ, tlskit binary, LAMMPS data or LAMMPS text\n"
    "dumps, detected per frame), computed with the polydisperse IPL model.\n"
    "\n"
    "Columns (tlskit-table(5), header line starting with '#'):\n"
    "  input     file name, or stdin\n"
    "  frame     frame number within that input, from 1\n"
    "  natoms    number of particles N\n"
    "  box       cubic box edge L\n"
    "  rho       number density N / L^3\n"
    "  epot      potential energy per particle\n"
    "  fmax      largest absolute force component\n"
    "  pressure  virial pressure W / (3V), W = sum over pairs of r_ij . f_ij,\n"
    "            plus the kinetic part 2K / (3V) when the frame has velocities\n"
    "            (K the kinetic energy; the same convention as LAMMPS)\n"
    "  ekin      kinetic energy per particle (nan without velocities)\n"
    "\n"
    "Options:\n"
    "      --no-header  omit the '#' header line\n"
    "      --skin S     Verlet-list skin (default 0.3; does not change results)\n"
    "  -h, --help       show this help and exit\n"
    "  -V, --version    show the version and exit\n"
    "\n"
    "Example: conf-info tests/data/reference/*.conf.txt\n";

int main(int argc, char **argv)
{
    tk_init(argc, argv);
    static const struct option longopts[] = {{"no-header", no_argument, 0, 'H'},
                                             {"skin", required_argument, 0, 's'},
                                             {"help", no_argument, 0, 'h'},
                                             {"version", no_argument, 0, 'V'},
                                             {0, 0, 0, 0}};
    int header = 1, c;
    double skin = TK_SKIN_DEFAULT;
    while ((c = tk_getopt(argc, argv, "hV", longopts)) != -1) {
        switch (c) {
        case 'H': header = 0; break;
        case 's': skin = tk_arg_double_pos("--skin", optarg); break;
        case 'h': tk_help(usage);
        case 'V': tk_version();
        default: tk_usage_error("unknown option");
        }
    }
    tk_input in;
    tk_input_init(&in, argc - optind, argv + optind);
    tk_frame fr;
    tk_frame_init(&fr);
    double *f = NULL;
    int fcap = 0;
    while (tk_input_next(&in, &fr)) {
        tk_ipl m;
        tk_ipl_for_frame(&m, &fr, skin, tk_input_where(&in));
        if (fr.n > fcap) {
            fcap = fr.n;
            f = tk_xrealloc(f, 3 * (size_t)fcap * sizeof *f);
        }
        double w, e = tk_ipl_forces(&m, fr.x, f, &w), fm = tk_fmax(fr.n, f);
        if (!isfinite(e) || !isfinite(fm) || !isfinite(w)) {
            /* a frame no model quantity can be given for: an error, as in
             * md-quench, ipl-swapmc and neb-ci */
            tk_ipl_free(&m);
            free(f);
            tk_die("%s: the energy is not finite: %s", tk_input_where(&in), tk_frame_overlap(&fr));
        }
        double V = tk_frame_volume(&fr), p = w / (3 * V), ekin = NAN;
        if (fr.has_v) {
            double k = 0;
            for (int i = 0; i < 3 * fr.n; i++)
                k += 0.5 * fr.v[i] * fr.v[i];
            ekin = k / fr.n;
            p += 2 * k / (3 * V);
        }
        /* the header once a frame has given a row: a bad first frame is an
         * error alone, not a table with a header and no row */
        if (header) {
            puts("#input\tframe\tnatoms\tbox\trho\tepot\tfmax\tpressure\tekin");
            header = 0;
        }
        printf("%s\t%ld\t%d\t%.17g\t%.10g\t%.12f\t%.6e\t%.10g\t%.10g\n", in.r.name, in.r.frame,
               fr.n, fr.L, fr.n / V, e / fr.n, fm, p, ekin);
        tk_ipl_free(&m);
    }
    tk_input_require(&in);
    free(f);
    tk_frame_free(&fr);
    tk_input_close(&in);
    return tk_finish();
}
