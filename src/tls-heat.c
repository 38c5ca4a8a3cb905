/* tls-heat - the low-temperature specific heat of a set of glasses: the
 * two-level term of their DWPs against the harmonic term of their normal
 * modes (tlskit-physics(7), "The specific heat"). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cli.h"
#include "err.h"
#include "output.h"
#include "tlstable.h"

static const char usage[] =
    "Usage: tls-heat --natoms N [OPTION]... [TABLE]...\n"
    "The specific heat per particle C(T) of a set of glasses (k_B = 1): the\n"
    "two-level term of their DWPs against the harmonic term of their normal\n"
    "modes.  Each TABLE is the schrod1d output of one glass (as tls-density\n"
    "reads them; Ng = the number of TABLEs, or --glasses); each --modes FILE is\n"
    "a conf-modes --modes table (one glass per frame, at a minimum).  For each\n"
    "mass mt, with hbar = 1/sqrt(mt) and T_Q = 2 pi / mt:\n"
    "  c_tls  = sum over DWPs of x^2 e^x / (1 + e^x)^2, x = E/T (E the\n"
    "           splitting; the Schottky form), / (N Ng)\n"
    "  c_harm = sum over the vibrational modes of y^2 e^y / (e^y - 1)^2,\n"
    "           y = hbar omega / T (the Einstein form), / (N Ngm), Ngm the\n"
    "           number of mode frames; zero modes (|omega| <= --zero: the 3\n"
    "           translations) are left out\n"
    "  c_qlm  = the part of c_harm from quasi-localised modes: pr_atoms below\n"
    "           --qlm-frac times N (nan if the tables have no pr_atoms)\n"
    "on a logarithmic grid of T around T_Q.  At small T a density n(E) = n0 E\n"
    "of splittings gives c_tls = (pi^2 / 6) n0 T: the column n0_heat =\n"
    "6 c_tls / (pi^2 T) is the n0 that the heat sees at T.\n"
    "\n"
    "Standard output, one row per mass and T (tlskit-table(5)):\n"
    "  mass T T_TQ c_tls c_harm c_qlm ratio n0_heat\n"
    "  T_ar c_tls_ar c_harm_ar T_ni c_tls_ni c_harm_ni\n"
    "T_TQ = T / T_Q, ratio = c_tls / c_harm; _ar, _ni: laboratory units of the\n"
    "argon-like and nickel-like references (tls-density --units): T in K\n"
    "(T epsilon / k_B), C in J K^-1 m^-3 (C k_B / sigma^3, density 1).\n"
    "--summary: one row per mass, with the crossover T_x below which the TLS\n"
    "term exceeds the harmonic one (see tls-heat(1)).\n"
    "\n"
    "Options:\n"
    "  -N, --natoms N       particles per glass (required)\n"
    "      --glasses NG     number of glasses of the TABLEs, if some had no\n"
    "                       table (default: the number of TABLEs)\n"
    "  -M, --modes FILE     a conf-modes --modes table (repeat for more files)\n"
    "  -m, --mass MT[,MT]...  the masses (default: those of the TABLEs' rows,\n"
    "                       or 4000 as schrod1d)\n"
    "      --range LO:HI    the T grid, in units of T_Q (default 0.001:100)\n"
    "      --per-decade K   grid points per decade (default 20)\n"
    "      --zero W         |omega| <= W is a zero mode (default 1e-3: conf-modes'\n"
    "                       default --tol 1e-6 on lambda)\n"
    "      --qlm-frac F     quasi-localised: pr_atoms < F N (default 0.1)\n"
    "      --summary FILE   write the per-mass summary table to FILE\n"
    "  -o, --output FILE    write FILE atomically instead of standard output\n"
    "      --no-header      omit the '#' header lines\n"
    "  -h, --help           show this help and exit\n"
    "  -V, --version        show the version and exit\n"
    "\n"
    "Example: tls-heat -N 1500 --mass 4000 -M g1/modes.tsv -M g2/modes.tsv \\\n"
    "             g1/tls.tsv g2/tls.tsv > heat.tsv\n";

/* ------------------------------------------------------------ mode tables */

typedef struct {
    double *omega, *pra; /* the vibrational modes of every frame */
    size_t n, cap;
    long nframes, nzero; /* mode frames (glasses), zero modes in all */
    int have_pra;        /* every table has pr_atoms */
    double omin;         /* the lowest vibrational frequency */
} modeset;

static void add_mode(modeset *m, double om, double pra)
{
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 4096;
        m->omega = tk_xrealloc(m->omega, m->cap * sizeof *m->omega);
        m->pra = tk_xrealloc(m->pra, m->cap * sizeof *m->pra);
    }
    m->omega[m->n] = om;
    m->pra[m->n++] = pra;
    if (om < m->omin)
        m->omin = om;
}

/* The frame that ends at line `line` of path has `rows` modes: 3 N? */
static void end_frame(const char *path, long line, const char *frame, long rows, long natoms)
{
    if (rows != 3 * natoms)
        tk_die("%s:%ld: frame %s has %ld modes, not 3N = %ld (--natoms %ld): not a glass of "
               "this set, or not a whole conf-modes --modes table", path, line, frame, rows,
               3 * natoms, natoms);
}

/* Read a conf-modes --modes table: columns by name; omega required,
 * input, frame and pr_atoms used when present.  A frame is a run of rows
 * with the same input and frame. */
static void read_modes(const char *path, long natoms, double zero, modeset *m)
{
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!fp)
        tk_die("%s: cannot open: %s", path, strerror(errno));
    char *line = NULL, *prev = NULL;
    size_t lcap = 0;
    ssize_t len;
    long lineno = 0, rows = 0;
    int c_om = -1, c_in = -1, c_fr = -1, c_pra = -1;
    while ((len = getline(&line, &lcap, fp)) >= 0) {
        lineno++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (lineno == 1) {
            if (line[0] != '#')
                tk_die("%s:1: no '#' header line (not a conf-modes --modes table?)", path);
            int k = 0;
            char *save = NULL;
            for (char *t = strtok_r(line + 1, "\t", &save); t; t = strtok_r(NULL, "\t", &save), k++) {
                if (strcmp(t, "omega") == 0)
                    c_om = k;
                else if (strcmp(t, "input") == 0)
                    c_in = k;
                else if (strcmp(t, "frame") == 0)
                    c_fr = k;
                else if (strcmp(t, "pr_atoms") == 0)
                    c_pra = k;
            }
            if (c_om < 0)
                tk_die("%s:1: no 'omega' column (not a conf-modes --modes table?)", path);
            if (c_pra < 0)
                m->have_pra = 0;
            continue;
        }
        if (len == 0 || line[0] == '#')
            continue;
        /* the frame key: input and frame fields joined */
        char key[1024] = "", *tok[64] = {0};
        int k = 0;
        char *save = NULL;
        for (char *t = strtok_r(line, "\t", &save); t && k < 64; t = strtok_r(NULL, "\t", &save))
            tok[k++] = t;
        int need = c_om;
        if (c_pra > need)
            need = c_pra;
        if (c_in > need)
            need = c_in;
        if (c_fr > need)
            need = c_fr;
        if (k <= need)
            tk_die("%s:%ld: the row has fewer columns than the header", path, lineno);
        snprintf(key, sizeof key, "%s\t%s", c_in >= 0 ? tok[c_in] : "", c_fr >= 0 ? tok[c_fr] : "");
        if (!prev || strcmp(prev, key) != 0) {
            if (prev)
                end_frame(path, lineno - 1, strchr(prev, '\t') + 1, rows, natoms);
            free(prev);
            prev = tk_xstrdup(key);
            m->nframes++;
            rows = 0;
        }
        rows++;
        char *end;
        double om = strtod(tok[c_om], &end);
        if (end == tok[c_om] || *end || !isfinite(om))
            tk_die("%s:%ld: column omega: '%s' is not a finite number", path, lineno, tok[c_om]);
        double pra = NAN;
        if (c_pra >= 0) {
            pra = strtod(tok[c_pra], &end);
            if (end == tok[c_pra] || *end)
                tk_die("%s:%ld: column pr_atoms: '%s' is not a number", path, lineno, tok[c_pra]);
            if (!isnan(pra) && !(pra >= 1 - 1e-6 && pra <= natoms * (1 + 1e-6)))
                tk_die("%s:%ld: column pr_atoms: %s is not between 1 and N = %ld", path, lineno,
                       tok[c_pra], natoms);
        }
        if (om < -zero)
            tk_die("%s:%ld: frame %s: mode with omega %s < 0 (a negative eigenvalue): not a "
                   "minimum; minimise the glass first (md-quench --minimize)", path, lineno,
                   c_fr >= 0 ? tok[c_fr] : "?", tok[c_om]);
        if (fabs(om) <= zero)
            m->nzero++;
        else
            add_mode(m, om, pra);
    }
    if (ferror(fp))
        tk_die("%s: read error", path);
    if (lineno == 0)
        tk_die("%s: empty (no header)", path);
    if (!prev)
        tk_die("%s: no mode (the header alone)", path);
    end_frame(path, lineno, strchr(prev, '\t') + 1, rows, natoms);
    free(prev);
    free(line);
    if (fp != stdin)
        fclose(fp);
}

/* ------------------------------------------------------------------ heat */

/* Schottky: x^2 e^x / (1 + e^x)^2 = x^2 e^-x / (1 + e^-x)^2, x >= 0 */
static double schottky(double x)
{
    double e = exp(-x);
    return x * x * e / ((1 + e) * (1 + e));
}

/* Einstein: y^2 e^y / (e^y - 1)^2 = ((y/2) / sinh(y/2))^2, y > 0 */
static double einstein(double y)
{
    double h = 0.5 * y;
    if (h > 300)
        return y * y * exp(-y);
    if (h < 1e-8)
        return 1;
    double s = h / sinh(h);
    return s * s;
}

typedef struct {
    const tk_tls_set *tls;
    const modeset *modes;
    double mass, natoms, qlm;
    int ng; /* TLS glasses; 0: no TLS term */
} heatctx;

static double c_tls(const heatctx *h, double T)
{
    if (h->ng == 0)
        return NAN;
    double s = 0;
    for (size_t k = 0; k < h->tls->n; k++)
        if (h->tls->row[k].mass == h->mass)
            s += schottky(h->tls->row[k].split / T);
    return s / (h->natoms * h->ng);
}

/* the harmonic term per particle, and its quasi-localised part in *qlm */
static double c_harm(const heatctx *h, double T, double *qlm)
{
    const modeset *m = h->modes;
    if (m->nframes == 0) {
        *qlm = NAN;
        return NAN;
    }
    double hbar = 1 / sqrt(h->mass), s = 0, q = 0;
    for (size_t k = 0; k < m->n; k++) {
        double c = einstein(hbar * m->omega[k] / T);
        s += c;
        if (m->pra[k] < h->qlm * h->natoms)
            q += c;
    }
    double norm = h->natoms * (double)m->nframes;
    *qlm = m->have_pra ? q / norm : NAN;
    return s / norm;
}

/* c_tls - c_harm, for the crossover */
static double excess(const heatctx *h, double T)
{
    double q;
    return c_tls(h, T) - c_harm(h, T, &q);
}

int main(int argc, char **argv)
{
    tk_init(argc, argv);
    static const struct option longopts[] = {
        {"natoms", required_argument, 0, 'N'},  {"glasses", required_argument, 0, 'g'},
        {"modes", required_argument, 0, 'M'},   {"mass", required_argument, 0, 'm'},
        {"range", required_argument, 0, 'r'},   {"per-decade", required_argument, 0, 'p'},
        {"zero", required_argument, 0, 'z'},    {"qlm-frac", required_argument, 0, 'q'},
        {"summary", required_argument, 0, 's'}, {"output", required_argument, 0, 'o'},
        {"no-header", no_argument, 0, 'n'},     {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, 'V'},       {0, 0, 0, 0}};
    long natoms = 0, glasses = 0, perdec = 20;
    double lo = 1e-3, hi = 100, zero = 1e-3, qlm = 0.1, masses[64];
    const char *outpath = "-", *sumpath = NULL;
    const char **mpaths = tk_xmalloc((size_t)argc * sizeof *mpaths);
    int nmodes = 0, nmass = 0, header = 1, c;
    while ((c = tk_getopt(argc, argv, "N:M:m:o:hV", longopts)) != -1) {
        switch (c) {
        case 'N': natoms = tk_arg_long("--natoms", optarg, 1, 1L << 40); break;
        case 'g': glasses = tk_arg_long("--glasses", optarg, 1, 1L << 30); break;
        case 'M': mpaths[nmodes++] = optarg; break;
        case 'm': nmass = tk_parse_masses("--mass", optarg, masses, 64); break;
        case 'r': {
            char *end;
            lo = strtod(optarg, &end);
            if (*end != ':' || !(lo > 0) || !isfinite(lo))
                tk_usage_error("--range: '%s' is not LO:HI with 0 < LO < HI", optarg);
            char *e2;
            hi = strtod(end + 1, &e2);
            if (e2 == end + 1 || *e2 || !(hi > lo) || !isfinite(hi))
                tk_usage_error("--range: '%s' is not LO:HI with 0 < LO < HI", optarg);
            break;
        }
        case 'p': perdec = tk_arg_long("--per-decade", optarg, 1, 10000); break;
        case 'z': zero = tk_arg_double_pos("--zero", optarg); break;
        case 'q': qlm = tk_arg_double_pos("--qlm-frac", optarg); break;
        case 's': sumpath = optarg; break;
        case 'o': outpath = optarg; break;
        case 'n': header = 0; break;
        case 'h': tk_help(usage);
        case 'V': tk_version();
        default: tk_usage_error("unknown option");
        }
    }
    if (!natoms)
        tk_usage_error("the number of particles per glass --natoms is required");
    int ntab = argc - optind;
    if (ntab == 0 && nmodes == 0 && !glasses)
        tk_usage_error("give the schrod1d TABLE of each glass, or --modes tables, or both");
    int ng = glasses ? (int)glasses : ntab;
    if (ng < ntab)
        tk_usage_error("--glasses %d is fewer than the %d tables", ng, ntab);
    if ((double)perdec * log10(hi / lo) > 1e6)
        tk_usage_error("--range %g:%g with --per-decade %ld: more than a million temperatures",
                       lo, hi, perdec);

    tk_tls_set set = {0};
    for (int t = 0; t < ntab; t++)
        tk_tls_read(argv[optind + t], t, &set);
    modeset ms = {.have_pra = 1, .omin = INFINITY};
    for (int k = 0; k < nmodes; k++)
        read_modes(mpaths[k], natoms, zero, &ms);
    if (nmodes && ms.nzero != 3 * ms.nframes)
        tk_warn("%ld zero modes in %ld frames (3 translations each expected): a rattler adds "
                "3, a --zero too large or too small changes the count", ms.nzero, ms.nframes);

    /* the masses: given, or those of the rows in order, or schrod1d's default */
    int given = nmass > 0;
    long nother = 0;
    for (size_t k = 0; k < set.n; k++) {
        int seen = 0;
        for (int q = 0; q < nmass; q++)
            seen |= masses[q] == set.row[k].mass;
        if (seen)
            continue;
        if (given) {
            nother++;
            continue;
        }
        if (nmass == 64)
            tk_die("more than 64 different masses");
        masses[nmass++] = set.row[k].mass;
    }
    if (set.nskipped)
        tk_warn("%ld rows without a finite splitting (schrod1d found no levels) are not counted",
                set.nskipped);
    if (nother)
        tk_warn("%ld rows of masses not given by --mass are left out", nother);
    if (nmass == 0)
        masses[nmass++] = 4000;

    tk_output out, sum;
    tk_output_open(&out, outpath);
    if (sumpath)
        tk_output_open(&sum, sumpath);
    if (header)
        fputs("#mass\tT\tT_TQ\tc_tls\tc_harm\tc_qlm\tratio\tn0_heat\tT_ar\tc_tls_ar\tc_harm_ar"
              "\tT_ni\tc_tls_ni\tc_harm_ni\n", out.fp);
    if (sumpath && header)
        fputs("#mass\tndwp\tnglass\tnmodeglass\tnatoms\tnzero\tomega_min\tT_x\tT_x_TQ\tT_x_ar"
              "\tT_x_ni\tn0_heat\n", sum.fp);
    int ngrid = (int)floor(perdec * log10(hi / lo) + 1e-9) + 1;
    const double pi2_6 = 1.6449340668482264; /* pi^2 / 6 */
    for (int q = 0; q < nmass; q++) {
        double mt = masses[q], tq = TK_TWO_PI / mt;
        heatctx h = {&set, &ms, mt, (double)natoms, qlm, ntab || glasses ? ng : 0};
        long ndwp = 0;
        for (size_t k = 0; k < set.n; k++)
            ndwp += set.row[k].mass == mt;
        /* the crossover: the first grid point where c_harm >= c_tls, then
         * bisection in log T with the point before */
        double tx = NAN, tprev = NAN;
        int state = -1; /* -1: no point yet; 1: TLS above; 0: done */
        for (int g = 0; g < ngrid; g++) {
            double T = lo * tq * pow(10, (double)g / perdec), cq;
            double ct = c_tls(&h, T), ch = c_harm(&h, T, &cq);
            double lab[TK_NREFS][3];
            for (int r = 0; r < TK_NREFS; r++) {
                const tk_lab_ref *R = &tk_refs[r];
                double cu = TK_KB / (R->sigma * R->sigma * R->sigma);
                lab[r][0] = T * R->eps / TK_KB;
                lab[r][1] = ct * cu;
                lab[r][2] = ch * cu;
            }
            fprintf(out.fp,
                    "%.10g\t%.10g\t%.10g\t%.6e\t%.6e\t%.6e\t%.6e\t%.6e\t%.6e\t%.6e\t%.6e\t%.6e\t%.6e"
                    "\t%.6e\n", mt, T, T / tq, ct, ch, cq, ct / ch, ct / (pi2_6 * T), lab[0][0],
                    lab[0][1], lab[0][2], lab[1][0], lab[1][1], lab[1][2]);
            if (state != 0 && !isnan(ct) && !isnan(ch) && ct != ch) {
                if (ch > ct) {
                    if (state == 1) { /* bisect in log T on [tprev, T] */
                        double a = log(tprev), b = log(T);
                        for (int it = 0; it < 60; it++) {
                            double mid = 0.5 * (a + b);
                            if (excess(&h, exp(mid)) > 0)
                                a = mid;
                            else
                                b = mid;
                        }
                        tx = exp(0.5 * (a + b));
                    }
                    state = 0;
                } else
                    state = 1;
                tprev = T;
            }
        }
        if (!isnan(c_tls(&h, tq)) && ms.nframes) {
            if (state == 1)
                tk_warn("mass %g: the TLS term exceeds the harmonic term up to the top of the "
                        "grid (T = %g T_Q): no crossover, T_x = nan", mt, hi);
            else if (isnan(tx))
                tk_warn("mass %g: the harmonic term is above the TLS term from the bottom of the "
                        "grid (T = %g T_Q): no crossover, T_x = nan", mt, lo);
        }
        if (sumpath) {
            double t10 = 0.1 * tq;
            fprintf(sum.fp, "%.10g\t%ld\t%d\t%ld\t%ld\t%.6g\t%.6g\t%.6e\t%.6g\t%.6g\t%.6g\t%.6e\n",
                    mt, ndwp, h.ng, ms.nframes, natoms,
                    ms.nframes ? (double)ms.nzero / ms.nframes : NAN, ms.n ? ms.omin : NAN, tx,
                    tx / tq, tx * tk_refs[0].eps / TK_KB, tx * tk_refs[1].eps / TK_KB,
                    c_tls(&h, t10) / (pi2_6 * t10));
        }
    }
    /* the summary first: a pipeline's target is the main table, so when it
     * exists the summary is complete too */
    if (sumpath)
        tk_output_commit(&sum);
    tk_output_commit(&out);
    tk_tls_free(&set);
    free(ms.omega);
    free(ms.pra);
    free(mpaths);
    return tk_finish();
}
