/* conf-diff - how far each frame of a stream is from a reference frame. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "displace.h"
#include "err.h"
#include "frameio.h"

static const char usage[] =
    "Usage: conf-diff [OPTION]... [FILE]...\n"
    "Compare every frame of the input (FILEs, or standard input) with a\n"
    "reference frame (by default the first frame of the input) and print one\n"
    "table row per frame (tlskit-table(5)).  Particles are matched by their\n"
    "order; displacements d_i = r_i - r_i(ref) use the minimum-image\n"
    "convention in the reference's box, and the mean displacement (the drift\n"
    "of the centre of mass, a random walk in Monte Carlo) is subtracted unless\n"
    "--keep-drift is given (the same drift-free displacement as pair-select,\n"
    "neb-ci, dwp-split and tls-snapshot).\n"
    "\n"
    "Columns:\n"
    "  input, frame  where the frame comes from\n"
    "  dist          Euclidean distance in 3N-space: sqrt(sum_i,mu d_i,mu^2)\n"
    "  drms          root mean square particle displacement: dist / sqrt(N)\n"
    "  dmax          largest single-particle displacement |d_i|\n"
    "  pr            participation ratio (sum d_i,mu^2)^2 / sum d_i,mu^4 over\n"
    "                the 3N components (1: one coordinate moves; 3N: all\n"
    "                equally); nan when dist = 0\n"
    "  q             self overlap: fraction of particles with |d_i| < A\n"
    "  swapped       number of particles whose diameter differs from the\n"
    "                reference (swap Monte Carlo exchanges diameters)\n"
    "\n"
    "Options:\n"
    "  -r, --ref FILE     reference frame: the first frame of FILE\n"
    "  -a, --overlap A    overlap distance A of the q column (default 0.3)\n"
    "      --keep-drift   do not subtract the mean displacement\n"
    "      --no-header    omit the '#' header line\n"
    "  -h, --help         show this help and exit\n"
    "  -V, --version      show the version and exit\n"
    "\n"
    "Example: ipl-swapmc -N 500 -T 0.1 --sweeps 2000 --every 100 | conf-diff\n";

int main(int argc, char **argv)
{
    tk_init(argc, argv);
    static const struct option longopts[] = {{"ref", required_argument, 0, 'r'},
                                             {"overlap", required_argument, 0, 'a'},
                                             {"no-header", no_argument, 0, 'H'},
                                             {"keep-drift", no_argument, 0, 'K'},
                                             {"help", no_argument, 0, 'h'},
                                             {"version", no_argument, 0, 'V'},
                                             {0, 0, 0, 0}};
    const char *refpath = NULL;
    double a = 0.3;
    int header = 1, keep_drift = 0, c;
    while ((c = tk_getopt(argc, argv, "r:a:hV", longopts)) != -1) {
        switch (c) {
        case 'r': refpath = optarg; break;
        case 'a': a = tk_arg_double_pos("--overlap", optarg); break;
        case 'H': header = 0; break;
        case 'K': keep_drift = 1; break;
        case 'h': tk_help(usage);
        case 'V': tk_version();
        default: tk_usage_error("unknown option");
        }
    }
    tk_frame ref, fr;
    tk_frame_init(&ref);
    tk_frame_init(&fr);
    int have_ref = 0;
    if (refpath) {
        tk_reader r;
        tk_reader_open(&r, refpath);
        if (!tk_read_frame(&r, &ref))
            tk_die("%s: no frame to use as reference", refpath);
        tk_reader_close(&r);
        have_ref = 1;
    }
    tk_input in;
    tk_input_init(&in, argc - optind, argv + optind);
    double *d = NULL;
    if (header)
        puts("#input\tframe\tdist\tdrms\tdmax\tpr\tq\tswapped");
    while (tk_input_next(&in, &fr)) {
        if (!have_ref) {
            tk_frame_copy(&ref, &fr);
            have_ref = 1;
        }
        if (fr.n != ref.n)
            tk_die("%s: %d particles, the reference has %d", tk_input_where(&in), fr.n, ref.n);
        if (fabs(fr.L - ref.L) > 1e-9 * ref.L)
            tk_die("%s: box edge %.17g differs from the reference's %.17g", tk_input_where(&in),
                   fr.L, ref.L);
        d = tk_xrealloc(d, 3 * (size_t)fr.n * sizeof *d);
        tk_disp s;
        tk_displace(fr.n, ref.L, ref.x, fr.x, keep_drift, d, &s);
        long inside = 0, swapped = 0;
        for (int i = 0; i < fr.n; i++) {
            const double *di = d + 3 * i;
            inside += di[0] * di[0] + di[1] * di[1] + di[2] * di[2] < a * a;
            swapped += fr.sigma[i] != ref.sigma[i];
        }
        printf("%s\t%ld\t%.10g\t%.10g\t%.10g\t%.10g\t%.10g\t%ld\n", in.r.name, in.r.frame,
               s.dist, s.dist / sqrt(fr.n), s.dmax, s.pr,
               (double)inside / fr.n, swapped);
    }
    tk_input_require(&in);
    free(d);
    tk_frame_free(&ref);
    tk_frame_free(&fr);
    tk_input_close(&in);
    return tk_finish();
}
