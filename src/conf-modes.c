/* conf-modes - harmonic analysis: eigenvalues of the Hessian per frame. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "err.h"
#include "frameio.h"
#include "hessian.h"

static const char usage[] =
    "Usage: conf-modes [OPTION]... [FILE]...\n"
    "Diagonalise the Hessian (second derivatives of the energy, analytic) of\n"
    "every input frame with LAPACK and print, per frame, one table row:\n"
    "  input frame natoms nneg nzero lmin l1 l2 l3\n"
    "nneg: eigenvalues below -TOL (a minimum has 0, a first-order saddle 1);\n"
    "nzero: |lambda| <= TOL (3 uniform translations in a periodic box);\n"
    "lmin: the lowest eigenvalue; l1 l2 l3: the three lowest above TOL (the\n"
    "softest vibrations of a minimum, omega = sqrt(lambda), masses 1).\n"
    "The Hessian is dense, 3N x 3N: N = 1500 needs 162 MB and some seconds.\n"
    "\n"
    "Options:\n"
    "      --tol TOL        zero threshold (default 1e-6)\n"
    "      --eigenvalues    print every eigenvalue instead: input frame k lambda\n"
    "      --no-header      omit the '#' header line\n"
    "  -h, --help           show this help and exit\n"
    "  -V, --version        show the version and exit\n"
    "\n"
    "Example: neb-ci --images-out band.xyz pair.xyz > path.txt; conf-modes band.xyz\n";

int main(int argc, char **argv)
{
    tk_init(argc, argv);
    static const struct option longopts[] = {{"tol", required_argument, 0, 't'},
                                             {"eigenvalues", no_argument, 0, 'E'},
                                             {"no-header", no_argument, 0, 'H'},
                                             {"help", no_argument, 0, 'h'},
                                             {"version", no_argument, 0, 'V'},
                                             {0, 0, 0, 0}};
    double tol = 1e-6;
    int all = 0, header = 1, c;
    while ((c = tk_getopt(argc, argv, "hV", longopts)) != -1) {
        switch (c) {
        case 't': tol = tk_arg_double_pos("--tol", optarg); break;
        case 'E': all = 1; break;
        case 'H': header = 0; break;
        case 'h': tk_help(usage);
        case 'V': tk_version();
        default: tk_usage_error("unknown option");
        }
    }
    tk_input in;
    tk_input_init(&in, argc - optind, argv + optind);
    tk_frame f;
    tk_frame_init(&f);
    if (header)
        puts(all ? "#input\tframe\tk\tlambda" : "#input\tframe\tnatoms\tnneg\tnzero\tlmin\tl1\tl2\tl3");
    while (tk_input_next(&in, &f)) {
        if (f.n < 2)
            tk_die("%s: 1 particle: no pair, no vibration (the Hessian needs at least 2 "
                   "particles)", tk_input_where(&in));
        int n3 = 3 * f.n;
        double *w = tk_xmalloc((size_t)n3 * sizeof *w);
        int info = tk_hessian_eigenvalues(&f, w);
        if (info != 0) {
            /* say why, then free everything: nothing left for the leak checker */
            char msg[1000];
            if (info == TK_HESSIAN_NOT_FINITE)
                snprintf(msg, sizeof msg, "%s: the Hessian is not finite: %s",
                         tk_input_where(&in), tk_frame_overlap(&f));
            else
                snprintf(msg, sizeof msg, "%s: the eigenvalue solver failed (LAPACK info %d)",
                         tk_input_where(&in), info);
            free(w);
            tk_frame_free(&f);
            tk_input_close(&in);
            tk_die("%s", msg);
        }
        if (all) {
            for (int k = 0; k < n3; k++)
                printf("%s\t%ld\t%d\t%.12g\n", in.r.name, in.r.frame, k, w[k]);
        } else {
            int nneg = 0, nzero = 0, k = 0;
            double l[3] = {NAN, NAN, NAN};
            for (int q = 0; q < n3; q++) {
                if (w[q] < -tol)
                    nneg++;
                else if (w[q] <= tol)
                    nzero++;
                else if (k < 3)
                    l[k++] = w[q];
            }
            printf("%s\t%ld\t%d\t%d\t%d\t%.10g\t%.10g\t%.10g\t%.10g\n", in.r.name, in.r.frame,
                   f.n, nneg, nzero, w[0], l[0], l[1], l[2]);
        }
        free(w);
    }
    tk_input_require(&in);
    tk_frame_free(&f);
    tk_input_close(&in);
    return tk_finish();
}
