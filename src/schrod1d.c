/* schrod1d - tunnel splitting of double-well potentials: the two lowest
 * levels of the 1D Schroedinger equation along each path (tlskit-physics(7), stage 8). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "dwpio.h"
#include "err.h"
#include "output.h"
#include "schrod.h"

static const char usage[] =
    "Usage: schrod1d [OPTION]... [FILE]...\n"
    "Solve the one-dimensional Schroedinger equation along each double-well\n"
    "path of the input (FILEs, or standard input),\n"
    "    -(1 / (2 mt d^2)) psi''(xi) + V(xi) psi(xi) = E psi(xi),\n"
    "for its two lowest levels E1 < E2 and the tunnel splitting E2 - E1, and\n"
    "print one table row per path and mass (tlskit-table(5)).\n"
    "\n"
    "Input: records separated by blank lines.  A record is one or more\n"
    "comment lines ('#') holding blank-separated KEY=VALUE metadata, with at\n"
    "least id= (a name, no blanks) and d= (path length, > 0), then at least 3\n"
    "rows 'xi V': xi increasing from 0 to 1 (within 1e-9), V in epsilon.\n"
    "Example:\n"
    "    # id=g1.17 d=0.74 dV=0.0012 Vb=0.021 PR=35.2\n"
    "    0 0\n"
    "    0.05 0.0018\n"
    "    ...\n"
    "    1 0.0012\n"
    "\n"
    "V is interpolated by a not-a-knot cubic spline and continued beyond each\n"
    "end by its Taylor parabola V(end) + V'(end) u + k u^2 / 2 (u = xi - end;\n"
    "k = V''(end), at least max V - min V, raised if the end still falls\n"
    "outward so that the parabola dips at most 1e-3 (max V - min V) below\n"
    "V(end)); psi = 0 where psi2 has decayed by e^-W past its turning point.\n"
    "Numerov's scheme on three nested grids, Richardson extrapolation; see\n"
    "schrod1d(1).\n"
    "\n"
    "Columns:\n"
    "  id, mass   the record's id, the mass mt\n"
    "  e1, e2     the two lowest levels (epsilon, same zero as V)\n"
    "  split      e2 - e1, the tunnel splitting E (without cancellation)\n"
    "  delta0     the tunnelling element of the two-level description below\n"
    "  dV, Vb, d, PR  carried from the metadata (nan if absent)\n"
    "  err        estimated relative error of split\n"
    "  flag       1 if err > TOL (or no solution), else 0\n"
    "  asym       the asymmetry of the two-level description: eR - eL\n"
    "  loc        how well it separates the wells (1: wholly; towards 0:\n"
    "             the states spread over both, asym and delta0 mean little)\n"
    "psi1 and psi2 rotated into the states most localised on either side of\n"
    "the top of V (L: xi = 0, R: xi = 1) have the Hamiltonian [[eL, -delta0/2],\n"
    "[-delta0/2, eR]]: split^2 = asym^2 + delta0^2.  asym is the asymmetry of\n"
    "the wells' ground states, dV plus the difference of their zero-point\n"
    "energies; nan without a maximum of V inside (0, 1).\n"
    "\n"
    "Options:\n"
    "  -m, --mass MT[,MT]...  dimensionless mass mt = m sigma^2 epsilon / hbar^2\n"
    "                         (default 4000); a list gives one row per mass\n"
    "  -p, --points P         fixed grids: P points per unit xi (rounded up to\n"
    "                         even) on the middle of the three (default:\n"
    "                         automatic, refined until err < TOL/2)\n"
    "      --margin W         decay exponent beyond the turning points\n"
    "                         (default 20)\n"
    "      --walls            hard walls at xi = 0 and 1 instead of the\n"
    "                         continuation (to gauge its effect)\n"
    "      --tol TOL          relative error tolerance of split (default 1e-6)\n"
    "  -o, --output FILE      write FILE atomically instead of standard output\n"
    "      --no-header        omit the '#' header line\n"
    "      --allow-empty      no record in the input is a result (a glass\n"
    "                         without DWPs): the header alone, a note, exit 0\n"
    "  -h, --help             show this help and exit\n"
    "  -V, --version          show the version and exit\n"
    "\n"
    "Example: schrod1d --mass 4000,30000 dwps.txt > levels.tsv\n";

/* ------------------------------------------------------------------ main */

static double *parse_masses(const char *arg, int *n)
{
    char *s = tk_xstrdup(arg), *save = NULL;
    double *m = tk_xmalloc((strlen(arg) + 1) * sizeof *m);
    *n = 0;
    if (!*s || s[strlen(s) - 1] == ',' || *s == ',' || strstr(s, ",,"))
        tk_usage_error("option --mass: '%s' is not a list of numbers MT[,MT]...", arg);
    for (char *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save))
        m[(*n)++] = tk_arg_double_pos("--mass", t);
    free(s);
    return m;
}

static const char *or_nan(const char *s)
{
    return s ? s : "nan";
}

int main(int argc, char **argv)
{
    tk_init(argc, argv);
    static const struct option longopts[] = {{"mass", required_argument, 0, 'm'},
                                             {"points", required_argument, 0, 'p'},
                                             {"margin", required_argument, 0, 'W'},
                                             {"walls", no_argument, 0, 'w'},
                                             {"tol", required_argument, 0, 'r'},
                                             {"output", required_argument, 0, 'o'},
                                             {"no-header", no_argument, 0, 'H'},
                                             {"help", no_argument, 0, 'h'},
                                             {"allow-empty", no_argument, 0, 'E'},
                                             {"version", no_argument, 0, 'V'},
                                             {0, 0, 0, 0}};
    tk_schrod_opts so;
    tk_schrod_defaults(&so);
    const char *outpath = "-";
    double *mass = NULL;
    int nmass = 0, header = 1, allow_empty = 0, c;
    while ((c = tk_getopt(argc, argv, "m:p:o:hV", longopts)) != -1) {
        switch (c) {
        case 'm':
            free(mass);
            mass = parse_masses(optarg, &nmass);
            break;
        case 'p':
            so.points = tk_arg_double_pos("--points", optarg);
            if (so.points < 4 || so.points > 1e6)
                tk_usage_error("option --points: %s is out of range [4, 1e6]", optarg);
            break;
        case 'W':
            so.margin = tk_arg_double_pos("--margin", optarg);
            break;
        case 'w': so.walls = 1; break;
        case 'r': so.tol = tk_arg_double_pos("--tol", optarg); break;
        case 'o': outpath = optarg; break;
        case 'H': header = 0; break;
        case 'E': allow_empty = 1; break;
        case 'h': tk_help(usage);
        case 'V': tk_version();
        default: tk_usage_error("unknown option");
        }
    }
    if (!mass) {
        mass = tk_xmalloc(sizeof *mass);
        mass[0] = 4000;
        nmass = 1;
    }
    tk_output out;
    tk_output_open(&out, outpath);
    FILE *fp = out.fp;
    if (header)
        fputs("#id\tmass\te1\te2\tsplit\tdelta0\tdV\tVb\td\tPR\terr\tflag\tasym\tloc\n", fp);
    tk_schrod *sv = tk_schrod_new();
    tk_dwp_rec r = {0};
    int nin = argc - optind;
    long nrec = 0;
    for (int k = 0; k < (nin ? nin : 1); k++) {
        const char *path = nin ? argv[optind + k] : "-";
        tk_dwp_src in = {0};
        if (strcmp(path, "-") == 0) {
            in.fp = stdin;
            in.name = "stdin";
        } else {
            in.fp = fopen(path, "r");
            if (!in.fp)
                tk_die("%s: cannot open: %s", path, strerror(errno));
            in.name = path;
        }
        while (tk_dwp_read(&in, &r)) {
            nrec++;
            double d = strtod(r.d, NULL);
            tk_schrod_set_profile(sv, r.n, r.xi, r.v);
            for (int j = 0; j < nmass; j++) {
                tk_schrod_result res;
                int bad = tk_schrod_solve(sv, mass[j], d, &so, &res) != 0;
                if (bad)
                    tk_warn("%s: mass %g: no converged solution (flag 1)",
                            tk_dwp_where(&in, r.first, &r), mass[j]);
                int flag = bad || !(res.err <= so.tol);
                fprintf(fp,
                        "%s\t%.10g\t%.17g\t%.17g\t%.10g\t%.10g\t%s\t%s\t%s\t%s\t%.3g\t%d\t%.10g\t%.6g\n",
                        r.id, mass[j], bad ? NAN : res.e1, bad ? NAN : res.e2,
                        bad ? NAN : res.split, bad ? NAN : res.delta0, or_nan(r.dv),
                        or_nan(r.vb), r.d, or_nan(r.pr), bad ? NAN : res.err, flag,
                        bad ? NAN : res.asym, bad ? NAN : res.loc);
            }
        }
        if (in.fp != stdin)
            fclose(in.fp);
        free(in.buf);
    }
    if (nrec == 0 && !allow_empty) /* an empty file, a failed stage upstream */
        tk_die("%s%s: no record in the input (a glass without DWPs? --allow-empty accepts it)",
               nin ? argv[optind] : "stdin", nin > 1 ? " ..." : "");
    if (nrec == 0) /* dwp-split found no DWP (a glass without pairs): a result */
        tk_warn("%s%s: no record in the input: the header alone", nin ? argv[optind] : "stdin",
                nin > 1 ? " ..." : "");
    tk_output_commit(&out);
    tk_dwp_rec_free(&r);
    tk_schrod_free(sv);
    free(mass);
    return tk_finish();
}
