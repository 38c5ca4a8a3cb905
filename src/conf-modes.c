/* conf-modes - harmonic analysis: eigenvalues of the Hessian per frame. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "err.h"
#include "frameio.h"
#include "hessian.h"
#include "output.h"

static const char usage[] =
    "Usage: conf-modes [OPTION]... [FILE]...\n"
    "Diagonalise the Hessian (second derivatives of the energy, analytic) of\n"
    "every input frame with LAPACK and print, per frame, one table row:\n"
    "  input frame natoms nneg nzero lmin l1 l2 l3\n"
    "nneg: eigenvalues below -TOL (a minimum has 0, a first-order saddle 1);\n"
    "nzero: |lambda| <= TOL (3 uniform translations in a periodic box);\n"
    "lmin: the lowest eigenvalue; l1 l2 l3: the three lowest above TOL (the\n"
    "softest vibrations of a minimum, omega = sqrt(lambda), masses 1).\n"
    "With --modes, one row per normal mode instead (the input of tls-heat):\n"
    "  input frame k lambda omega pr pr_atoms\n"
    "omega = sqrt(lambda), 0 for the zero modes (|lambda| <= TOL), -sqrt(-lambda)\n"
    "below -TOL (not a minimum); pr = (sum e^2)^2 / sum e^4 over the 3N\n"
    "components of the unit eigenvector (as the DWPs' PR: 1 to 3N), pr_atoms the\n"
    "same over the N particles' |e_i|^2 (1 to N; phonons ~ 2N/3, quasi-localised\n"
    "modes a few tens).  Only --modes computes eigenvectors (LAPACK dsyevd,\n"
    "jobz 'V'); the other outputs ask for eigenvalues only (jobz 'N').\n"
    "The Hessian is dense, 3N x 3N: N = 1500 needs 162 MB (--modes: 500 MB);\n"
    "CPU time on one core at N = 1500: 20 s, 45 s with --modes (conf-modes(1)).\n"
    "\n"
    "Options:\n"
    "      --tol TOL        zero threshold (default 1e-6)\n"
    "      --eigenvalues    print every eigenvalue instead: input frame k lambda\n"
    "      --modes          print every mode with its frequency and participation\n"
    "                       ratios instead: input frame k lambda omega pr pr_atoms\n"
    "  -o, --output FILE    write FILE atomically instead of standard output\n"
    "      --no-header      omit the '#' header line\n"
    "  -h, --help           show this help and exit\n"
    "  -V, --version        show the version and exit\n"
    "\n"
    "Examples: neb-ci --images-out band.xyz pair.xyz > path.txt; conf-modes band.xyz\n"
    "          md-quench -T 0.04 --minimize glass.xyz | conf-modes --modes -o modes.tsv\n";

int main(int argc, char **argv)
{
    tk_init(argc, argv);
    static const struct option longopts[] = {{"tol", required_argument, 0, 't'},
                                             {"eigenvalues", no_argument, 0, 'E'},
                                             {"modes", no_argument, 0, 'M'},
                                             {"output", required_argument, 0, 'o'},
                                             {"no-header", no_argument, 0, 'H'},
                                             {"help", no_argument, 0, 'h'},
                                             {"version", no_argument, 0, 'V'},
                                             {0, 0, 0, 0}};
    double tol = 1e-6;
    int all = 0, modes = 0, header = 1, c;
    const char *outpath = "-";
    while ((c = tk_getopt(argc, argv, "o:hV", longopts)) != -1) {
        switch (c) {
        case 't': tol = tk_arg_double_pos("--tol", optarg); break;
        case 'E': all = 1; break;
        case 'M': modes = 1; break;
        case 'o': outpath = optarg; break;
        case 'H': header = 0; break;
        case 'h': tk_help(usage);
        case 'V': tk_version();
        default: tk_usage_error("unknown option");
        }
    }
    if (all && modes)
        tk_usage_error("--eigenvalues and --modes are different tables: give one");
    tk_input in;
    tk_input_init(&in, argc - optind, argv + optind);
    tk_frame f;
    tk_frame_init(&f);
    tk_output out;
    tk_output_open(&out, outpath);
    FILE *fp = out.fp;
    if (header)
        fputs(modes ? "#input\tframe\tk\tlambda\tomega\tpr\tpr_atoms\n"
              : all ? "#input\tframe\tk\tlambda\n"
                    : "#input\tframe\tnatoms\tnneg\tnzero\tlmin\tl1\tl2\tl3\n", fp);
    while (tk_input_next(&in, &f)) {
        if (f.n < 2)
            tk_die("%s: 1 particle: no pair, no vibration (the Hessian needs at least 2 "
                   "particles)", tk_input_where(&in));
        int n3 = 3 * f.n;
        double *w = tk_xmalloc((size_t)n3 * sizeof *w), *pr = NULL, *pra = NULL;
        if (modes) {
            pr = tk_xmalloc((size_t)n3 * sizeof *pr);
            pra = tk_xmalloc((size_t)n3 * sizeof *pra);
        }
        int info = tk_hessian_modes(&f, w, pr, pra);
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
            free(pr);
            free(pra);
            tk_frame_free(&f);
            tk_input_close(&in);
            tk_die("%s", msg);
        }
        if (modes) {
            for (int k = 0; k < n3; k++) {
                double om = w[k] > tol ? sqrt(w[k]) : w[k] < -tol ? -sqrt(-w[k]) : 0;
                fprintf(fp, "%s\t%ld\t%d\t%.12g\t%.12g\t%.6g\t%.6g\n", in.r.name, in.r.frame, k,
                        w[k], om, pr[k], pra[k]);
            }
        } else if (all) {
            for (int k = 0; k < n3; k++)
                fprintf(fp, "%s\t%ld\t%d\t%.12g\n", in.r.name, in.r.frame, k, w[k]);
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
            fprintf(fp, "%s\t%ld\t%d\t%d\t%d\t%.10g\t%.10g\t%.10g\t%.10g\n", in.r.name, in.r.frame,
                   f.n, nneg, nzero, w[0], l[0], l[1], l[2]);
        }
        free(w);
        free(pr);
        free(pra);
    }
    tk_input_require(&in);
    tk_output_commit(&out);
    tk_frame_free(&f);
    tk_input_close(&in);
    return tk_finish();
}
