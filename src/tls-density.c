/* tls-density - the density of tunnelling two-level systems
 * (tlskit-physics(7), stage 9 and units) from schrod1d tables, one per glass. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "err.h"
#include "output.h"
#include "rng.h"
#include "tlstable.h"

static const char usage[] =
    "Usage: tls-density --natoms N [OPTION]... TABLE...\n"
    "Count tunnelling two-level systems.  Each TABLE is the schrod1d output of\n"
    "one glass (all of one Tf); the number of glasses Ng is the number of\n"
    "TABLEs.  For each dimensionless mass mt in the tables:\n"
    "  n(E) = (number of DWPs with splitting below E) / (N Ng)\n"
    "on a logarithmic grid of E, the plateau n0 = mean of n(E)/E over the\n"
    "window [LO, HI] x E_Q with E_Q = 2 pi / mt the TLS threshold (default: the\n"
    "decade below it, [0.1, 1]), its error from a bootstrap over glasses, and\n"
    "the number of active TLS n_active = N Ng n(E_Q).\n"
    "\n"
    "Rows are checked: a mass must be positive and finite, a splitting >= 0 or\n"
    "nan (no levels: not counted), dV, Vb, d, PR finite or nan; else an error\n"
    "naming the file and line.\n"
    "\n"
    "No DWP is a result, not an error (at low Tf many glasses have none): a mass\n"
    "without DWPs gets n0 = 0, said so on stderr, with its upper bound n0_ub.\n"
    "n0_ub is the one-sided 95% Poisson upper limit on n0 from the k DWPs with\n"
    "splitting below the top of the window E_hi = HI E_Q, assuming n(E) = n0 E:\n"
    "  n0_ub = mu95(k) / (N Ng E_hi),  P(Poisson(mu95) <= k) = 0.05,\n"
    "mu95(0) = -ln 0.05 = 2.996 (so about 3 / (N Ng E_Q) for the default window).\n"
    "\n"
    "Standard output, one row per mass (tlskit-table(5)):\n"
    "  mass ndwp ntls natoms nglass n0 n0_err n_active eq T_Q_ar n0_ar T_Q_ni n0_ni\n"
    "  n0_ub\n"
    "ntls = DWPs with splitting below E_Q; eq = E_Q; the last columns convert\n"
    "to laboratory units for the argon-like (sigma 3.4e-10 m, epsilon 6.6e-21 J,\n"
    "m 6.0e-26 kg) and nickel-like (2.21e-10 m, 6.14e-20 J, 1.02e-25 kg)\n"
    "references of tlskit-physics(7): T_Q = 2 pi hbar^2 / (m sigma^2 k_B) in K\n"
    "and n0 in J^-1 m^-3 = n0 / (epsilon sigma^3).  (They convert the reduced n0\n"
    "at the mass of the row; the mass that matches a reference is\n"
    "mt = m sigma^2 epsilon / hbar^2: 4116 argon-like, 27504 nickel-like, see\n"
    "--units.)\n"
    "\n"
    "Options:\n"
    "  -N, --natoms N     particles per glass (required)\n"
    "      --glasses NG   number of glasses, if some had no DWP at all and so no\n"
    "                     table (default: the number of TABLEs)\n"
    "  -m, --mass MT[,MT]...  the masses to report, in this order (rows of other\n"
    "                     masses are left out); default: those of the rows, or\n"
    "                     4000 (as schrod1d) when the tables hold none\n"
    "      --window LO:HI plateau window in units of E_Q (default 0.1:1)\n"
    "      --emin E, --emax E  range of the grid (default 1e-8 to 1)\n"
    "      --per-decade K grid points per decade (default 20)\n"
    "      --curve FILE   write n(E) and n(E)/E as one table: mass E n n_over_E\n"
    "                     (the rows of each mass in turn)\n"
    "      --hist FILE    write histograms of dV, Vb, d/sqrt(PR) and PR (of all\n"
    "                     DWPs of the first mass) as one table: quantity lo hi\n"
    "                     count (quantity dV, Vb, d_sqrtPR or PR; no rows for a\n"
    "                     quantity without DWPs)\n"
    "      --bins K       histogram bins (default 30, logarithmic)\n"
    "      --bootstrap B  bootstrap samples (default 1000)\n"
    "      --block K      resample blocks of K consecutive glasses (TABLE order,\n"
    "                     circularly; default 1; at most NG/2, best much less):\n"
    "                     glasses K apart or more along one chain are then\n"
    "                     treated as independent, those closer as correlated (a\n"
    "                     wider error when they are); needs a TABLE per glass\n"
    "      --seed SEED    bootstrap seed (default 1)\n"
    "      --units        print the reference constants (mt, T_Q, T_g) and exit\n"
    "      --no-header    omit the '#' header line\n"
    "  -h, --help         show this help and exit\n"
    "  -V, --version      show the version and exit\n"
    "\n"
    "Example: tls-density -N 1500 --curve nE.tsv glass*/tls.tsv\n";

typedef tk_tls_row dwp;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The mu with P(Poisson(mu) <= k) = 0.05: the one-sided 95% upper limit
 * of a Poisson mean after k events (2.996 for k = 0). */
static double poisson_upper95(long k)
{
    double lo = 0, hi = k + 10 + 10 * sqrt((double)k + 1);
    for (int it = 0; it < 100; it++) {
        /* sum_j<=k exp(-mu) mu^j / j!, the terms in logs */
        double mu = 0.5 * (lo + hi), lt = -mu, cdf = exp(lt);
        for (long j = 1; j <= k; j++) {
            lt += log(mu / j);
            cdf += exp(lt);
        }
        if (cdf > 0.05)
            lo = mu;
        else
            hi = mu;
    }
    return 0.5 * (lo + hi);
}

/* n(E)/E averaged over the window, for DWPs of the given mass, with each
 * glass g counted weight[g] times. */
static double plateau(const dwp *d, size_t n, double mass, const int *weight, int ng, double natoms,
                      const double *grid, int ngrid)
{
    double sum = 0;
    int pts = 0, wsum = 0;
    for (int g = 0; g < ng; g++)
        wsum += weight[g];
    for (int q = 0; q < ngrid; q++) {
        long below = 0;
        for (size_t k = 0; k < n; k++)
            if (d[k].mass == mass && d[k].split < grid[q])
                below += weight[d[k].glass];
        sum += below / (natoms * wsum) / grid[q];
        pts++;
    }
    return pts ? sum / pts : NAN;
}

int main(int argc, char **argv)
{
    tk_init(argc, argv);
    static const struct option longopts[] = {
        {"natoms", required_argument, 0, 'N'},    {"glasses", required_argument, 0, 'g'},
        {"window", required_argument, 0, 'w'},    {"emin", required_argument, 0, 'a'},
        {"emax", required_argument, 0, 'b'},      {"per-decade", required_argument, 0, 'p'},
        {"curve", required_argument, 0, 'c'},     {"hist", required_argument, 0, 'H'},
        {"bins", required_argument, 0, 'k'},      {"bootstrap", required_argument, 0, 'B'},
        {"block", required_argument, 0, 'K'},
        {"seed", required_argument, 0, 's'},      {"units", no_argument, 0, 'u'},
        {"no-header", no_argument, 0, 'n'},       {"help", no_argument, 0, 'h'},
        {"mass", required_argument, 0, 'm'},
        {"version", no_argument, 0, 'V'},         {0, 0, 0, 0}};
    long natoms = 0, nboot = 1000, glasses = 0, perdec = 20, bins = 30, block = 1;
    double wlo = 0.1, whi = 1, emin = 1e-8, emax = 1;
    uint64_t seed = 1;
    const char *curvepath = NULL, *histpath = NULL;
    int header = 1, c, nmass = 0;
    double masses[64];
    while ((c = tk_getopt(argc, argv, "N:m:hV", longopts)) != -1) {
        switch (c) {
        case 'N': natoms = tk_arg_long("--natoms", optarg, 1, 1L << 40); break;
        case 'g': glasses = tk_arg_long("--glasses", optarg, 1, 1L << 30); break;
        case 'w':
            if (sscanf(optarg, "%lf:%lf", &wlo, &whi) != 2 || !(wlo > 0) || !(whi > wlo))
                tk_usage_error("--window: '%s' is not LO:HI with 0 < LO < HI", optarg);
            break;
        case 'a': emin = tk_arg_double_pos("--emin", optarg); break;
        case 'b': emax = tk_arg_double_pos("--emax", optarg); break;
        case 'p': perdec = tk_arg_long("--per-decade", optarg, 1, 1000); break;
        case 'c': curvepath = optarg; break;
        case 'H': histpath = optarg; break;
        case 'k': bins = tk_arg_long("--bins", optarg, 1, 10000); break;
        case 'B': nboot = tk_arg_long("--bootstrap", optarg, 0, 1000000); break;
        case 'K': block = tk_arg_long("--block", optarg, 1, 1L << 30); break;
        case 's': seed = tk_arg_seed("--seed", optarg); break;
        case 'u':
            printf("#reference\tmt\tT_Q_K\tT_g_K\n");
            for (int r = 0; r < TK_NREFS; r++) {
                const tk_lab_ref *R = &tk_refs[r];
                printf("%s\t%.6g\t%.6g\t%.6g\n", R->name, tk_ref_mass(R), tk_ref_tq(R),
                       0.07 * R->eps / TK_KB);
            }
            return tk_finish();
        case 'n': header = 0; break;
        case 'm': nmass = tk_parse_masses("--mass", optarg, masses, 64); break;
        case 'h': tk_help(usage);
        case 'V': tk_version();
        default: tk_usage_error("unknown option");
        }
    }
    if (!natoms)
        tk_usage_error("the number of particles per glass --natoms is required");
    if (optind >= argc)
        tk_usage_error("give the schrod1d TABLE of each glass");
    if (!(emax > emin))
        tk_usage_error("--emax must exceed --emin");
    int ntab = argc - optind;
    int ng = glasses ? (int)glasses : ntab;
    if (ng < ntab)
        tk_usage_error("--glasses %d is fewer than the %d tables", ng, ntab);
    /* a block as long as the chain resamples the whole ring (error 0), and
     * glasses without a table have no place in the chain's order */
    if (block > 1 && 2 * block > ng)
        tk_usage_error("--block %ld is more than half the %d glasses", block, ng);
    if (block > 1 && ng > ntab)
        tk_usage_error("--block needs a TABLE for every glass, in the chain's order (an empty "
                       "schrod1d table for a glass without DWPs), not --glasses %d for %d tables",
                       ng, ntab);
    tk_tls_set set = {0};
    for (int t = 0; t < ntab; t++)
        tk_tls_read(argv[optind + t], t, &set);
    dwp *d = set.row;
    size_t n = set.n;
    long nskipped = set.nskipped;

    /* the masses: given, or the distinct ones of the rows in order of
     * appearance, or schrod1d's default when there is no row */
    int given = nmass > 0;
    long nother = 0;
    for (size_t k = 0; k < n; k++) {
        int seen = 0;
        for (int q = 0; q < nmass; q++)
            seen |= masses[q] == d[k].mass;
        if (seen)
            continue;
        if (given) {
            nother++;
            continue;
        }
        if (nmass == 64)
            tk_die("more than 64 different masses");
        masses[nmass++] = d[k].mass;
    }
    if (nskipped)
        tk_warn("%ld rows without a finite splitting (schrod1d found no levels) are not counted",
                nskipped);
    if (nother)
        tk_warn("%ld rows of masses not given by --mass are left out", nother);
    if (nmass == 0) {
        masses[nmass++] = 4000;
        tk_warn("no DWP in the tables and no --mass: mass 4000 (the default of schrod1d)");
    }

    int ngrid = (int)floor(perdec * log10(emax / emin)) + 1;
    double *grid = tk_xmalloc((size_t)ngrid * sizeof *grid);
    for (int q = 0; q < ngrid; q++)
        grid[q] = emin * pow(10, (double)q / perdec);
    int *w1 = tk_xmalloc((size_t)ng * sizeof *w1), *wb = tk_xmalloc((size_t)ng * sizeof *wb);
    for (int g = 0; g < ng; g++)
        w1[g] = 1;
    tk_rng rng;
    tk_rng_seed(&rng, seed);

    if (header)
        puts("#mass\tndwp\tntls\tnatoms\tnglass\tn0\tn0_err\tn_active\teq\tT_Q_ar\tn0_ar\tT_Q_ni\tn0_ni"
             "\tn0_ub");
    tk_output cv;
    if (curvepath) {
        tk_output_open(&cv, curvepath);
        fputs("#mass\tE\tn\tn_over_E\n", cv.fp); /* one table: the rows of every mass */
    }
    for (int q = 0; q < nmass; q++) {
        double mt = masses[q], eq = TK_TWO_PI / mt;
        /* the plateau window on the grid's spacing */
        int nwin = (int)floor(perdec * log10(whi / wlo)) + 1;
        double *win = tk_xmalloc((size_t)nwin * sizeof *win);
        for (int k = 0; k < nwin; k++)
            win[k] = wlo * eq * pow(10, (double)k / perdec);
        double n0 = plateau(d, n, mt, w1, ng, (double)natoms, win, nwin);
        /* the 95% upper bound from the count below the top of the window */
        double ehi = whi * eq;
        long khi = 0;
        for (size_t k = 0; k < n; k++)
            khi += d[k].mass == mt && d[k].split < ehi;
        double n0ub = poisson_upper95(khi) / ((double)natoms * ng * ehi);
        double s = 0, s2 = 0;
        for (long b = 0; b < nboot; b++) {
            for (int g = 0; g < ng; g++)
                wb[g] = 0;
            /* circular block bootstrap: blocks of `block` consecutive
             * glasses from random starts until ng are drawn (block 1: the
             * ordinary bootstrap, the same draws) */
            for (int g = 0; g < ng;) {
                int start = (int)tk_rng_below(&rng, (uint64_t)ng);
                for (long j = 0; j < block && g < ng; j++, g++)
                    wb[(start + j) % ng]++;
            }
            double v = plateau(d, n, mt, wb, ng, (double)natoms, win, nwin);
            s += v;
            s2 += v * v;
        }
        double err = nboot > 1 ? sqrt(fmax(0, (s2 - s * s / nboot) / (nboot - 1))) : NAN;
        long ndwp = 0, ntls = 0;
        for (size_t k = 0; k < n; k++)
            if (d[k].mass == mt) {
                ndwp++;
                ntls += d[k].split < eq;
            }
        double tq[2], n0lab[2];
        for (int r = 0; r < TK_NREFS; r++) {
            const tk_lab_ref *R = &tk_refs[r];
            tq[r] = tk_ref_tq(R);
            n0lab[r] = n0 / (R->eps * R->sigma * R->sigma * R->sigma);
        }
        if (ndwp == 0)
            tk_warn("mass %g: no DWP in the %d glass%s of %ld particles: n0 = 0, below %.3g "
                    "(95%% Poisson upper bound, n0_ub)", mt, ng, ng == 1 ? "" : "es", natoms,
                    n0ub);
        printf("%.10g\t%ld\t%ld\t%ld\t%d\t%.8g\t%.3g\t%ld\t%.10g\t%.4g\t%.4g\t%.4g\t%.4g\t%.4g\n",
               mt, ndwp, ntls, natoms, ng, n0, err, ntls, eq, tq[0], n0lab[0], tq[1], n0lab[1],
               n0ub);
        if (curvepath) {
            double *sp = tk_xmalloc((size_t)(ndwp ? ndwp : 1) * sizeof *sp);
            long m = 0;
            for (size_t k = 0; k < n; k++)
                if (d[k].mass == mt)
                    sp[m++] = d[k].split;
            qsort(sp, (size_t)m, sizeof *sp, cmp_double);
            long below = 0;
            for (int g = 0; g < ngrid; g++) {
                while (below < m && sp[below] < grid[g])
                    below++;
                double nE = below / ((double)natoms * ng);
                fprintf(cv.fp, "%.10g\t%.6e\t%.6e\t%.6e\n", mt, grid[g], nE, nE / grid[g]);
            }
            free(sp);
        }
        free(win);
    }
    if (curvepath)
        tk_output_commit(&cv);
    if (histpath) {
        tk_output hs;
        tk_output_open(&hs, histpath);
        /* one table: the bins of the four quantities, named in a column */
        fputs("#quantity\tlo\thi\tcount\n", hs.fp);
        static const char *hn[4] = {"dV", "Vb", "d_sqrtPR", "PR"};
        for (int h = 0; h < 4; h++) {
            double lo = INFINITY, hi = 0;
            for (size_t k = 0; k < n; k++) {
                if (d[k].mass != masses[0])
                    continue;
                double v = h == 0 ? d[k].dV : h == 1 ? d[k].Vb : h == 2 ? d[k].d / sqrt(d[k].pr) : d[k].pr;
                if (v > 0 && isfinite(v)) {
                    lo = fmin(lo, v);
                    hi = fmax(hi, v);
                }
            }
            if (!(hi > 0)) /* no DWP with this quantity > 0: no rows */
                continue;
            if (hi <= lo) { /* one value (or all equal): the decade around it, not
                             * bins 1e-4 wide that would dwarf every other Tf */
                hi = lo * 3.1622776601683795;
                lo /= 3.1622776601683795;
            }
            long *cnt = tk_xcalloc((size_t)bins, sizeof *cnt);
            for (size_t k = 0; k < n; k++) {
                if (d[k].mass != masses[0])
                    continue;
                double v = h == 0 ? d[k].dV : h == 1 ? d[k].Vb : h == 2 ? d[k].d / sqrt(d[k].pr) : d[k].pr;
                if (!(v > 0) || !isfinite(v))
                    continue;
                long b = (long)(bins * log(v / lo) / log(hi / lo));
                cnt[b >= bins ? bins - 1 : b]++;
            }
            for (long b = 0; b < bins; b++)
                fprintf(hs.fp, "%s\t%.6e\t%.6e\t%ld\n", hn[h], lo * pow(hi / lo, (double)b / bins),
                        lo * pow(hi / lo, (double)(b + 1) / bins), cnt[b]);
            free(cnt);
        }
        tk_output_commit(&hs);
    }
    free(grid);
    free(w1);
    free(wb);
    tk_tls_free(&set);
    return tk_finish();
}
