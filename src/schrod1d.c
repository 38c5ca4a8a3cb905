/* schrod1d - tunnel splitting of double-well potentials: the two lowest
 * levels of the 1D Schroedinger equation along each path (PHYSICS.md 2.8). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
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
    "  delta0     tunnelling element sqrt(E^2 - dV^2) if E >= |dV|, else nan\n"
    "  dV, Vb, d, PR  carried from the metadata (nan if absent)\n"
    "  err        estimated relative error of split\n"
    "  flag       1 if err > TOL (or no solution), else 0\n"
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
    "  -h, --help             show this help and exit\n"
    "  -V, --version          show the version and exit\n"
    "\n"
    "Example: schrod1d --mass 4000,30000 dwps.txt > levels.tsv\n";

/* ------------------------------------------------------------------ input */

/* Bounds of a record's numbers: beyond them the input is not a double well
 * (a total energy of 1e300, a path of 1e-30) and the solver would only
 * overflow.  Energies in epsilon, lengths in sigma. */
#define V_MAX 1e10
#define D_MIN 1e-8
#define D_MAX 1e8

typedef struct {
    const char *name; /* input name for messages ("stdin") */
    FILE *fp;
    char *buf;
    size_t cap;
    long line;     /* number of the last line read */
    long nrec;     /* records started in this input */
    int pushed;    /* cur holds a line read but not yet used */
    char *cur;
} src;

/* one record */
typedef struct {
    long first, last;       /* line numbers of its first line and last row */
    char *id, *d, *dv, *vb, *pr; /* metadata values (NULL if absent) */
    int n, cap;
    double *xi, *v;
} record;

static void rec_reset(record *r)
{
    free(r->id);
    free(r->d);
    free(r->dv);
    free(r->vb);
    free(r->pr);
    r->id = r->d = r->dv = r->vb = r->pr = NULL;
    r->n = 0;
    r->first = r->last = 0;
}

static void rec_free(record *r)
{
    rec_reset(r);
    free(r->xi);
    free(r->v);
}

/* "input:line: record K (id=X)" */
static const char *where(const src *in, long line, const record *r)
{
    static char w[512];
    if (r->id)
        snprintf(w, sizeof w, "%s:%ld: record %ld (id=%s)", in->name, line, in->nrec, r->id);
    else
        snprintf(w, sizeof w, "%s:%ld: record %ld", in->name, line, in->nrec);
    return w;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Keep the metadata of a comment line: KEY=VALUE tokens. */
static void parse_meta(record *r, char *s)
{
    static const char *keys[] = {"id", "d", "dV", "Vb", "PR"};
    char **slots[] = {&r->id, &r->d, &r->dv, &r->vb, &r->pr};
    while (*s) {
        while (is_blank(*s))
            s++;
        char *t = s;
        while (*s && !is_blank(*s))
            s++;
        if (s == t)
            break;
        char *eq = memchr(t, '=', (size_t)(s - t));
        if (!eq || eq == t)
            continue;
        for (size_t k = 0; k < sizeof keys / sizeof *keys; k++)
            if ((size_t)(eq - t) == strlen(keys[k]) && strncmp(t, keys[k], (size_t)(eq - t)) == 0) {
                free(*slots[k]);
                size_t n = (size_t)(s - eq - 1);
                *slots[k] = memcpy(tk_xmalloc(n + 1), eq + 1, n);
                (*slots[k])[n] = '\0';
            }
    }
}

/* Decimal to double for the common forms: up to 19 significant digits,
 * values from about 1e-19 up, correctly rounded like strtod (Clinger's
 * fast path, or one 128-bit division with a sticky bit), so that reading
 * is not dominated by strtod; 0 for anything else (then strtod decides). */
__extension__ typedef unsigned __int128 u128;

static int fast_num(const char *s, double *out)
{
    static const double p10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char *p = s;
    int neg = 0, nd = 0, e10 = 0, any = 0;
    unsigned long long m = 0;
    if (*p == '+' || *p == '-')
        neg = *p++ == '-';
    for (; *p >= '0' && *p <= '9'; p++, any = 1) {
        if (m == 0 && *p == '0')
            continue;
        if (nd == 19)
            return 0;
        m = 10 * m + (unsigned)(*p - '0');
        nd++;
    }
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++, any = 1) {
            if (m == 0 && *p == '0') {
                e10--;
                continue;
            }
            if (nd == 19)
                return 0;
            m = 10 * m + (unsigned)(*p - '0');
            nd++;
            e10--;
        }
    }
    if (!any)
        return 0;
    if (*p == 'e' || *p == 'E') {
        int es = 1, x = 0, dig = 0;
        p++;
        if (*p == '+' || *p == '-')
            es = *p++ == '-' ? -1 : 1;
        for (; *p >= '0' && *p <= '9'; p++, dig = 1)
            if (x < 100000)
                x = 10 * x + (*p - '0');
        if (!dig)
            return 0;
        e10 += es * x;
    }
    if (*p)
        return 0;
    double v;
    if (m == 0) {
        v = 0;
    } else if (m <= (1ULL << 53) && e10 >= -22 && e10 <= 22) {
        /* both exact: one correctly rounded operation (Clinger) */
        v = e10 < 0 ? (double)m / p10[-e10] : (double)m * p10[e10];
    } else if (e10 < 0 && e10 >= -19) {
        /* m / 10^k with a 64-bit or longer quotient and a sticky bit */
        unsigned long long d = 1;
        for (int k = 0; k < -e10; k++)
            d *= 10;
        int len = 64 - __builtin_clzll(m), sh = 128 - len;
        u128 num = (u128)m << sh, q = num / d;
        if (num % d)
            q |= 1;
        v = ldexp((double)q, -sh);
    } else if (e10 >= 0 && e10 <= 19) {
        u128 x = (u128)m;
        for (int k = 0; k < e10; k++)
            x *= 10;
        v = (double)x;
    } else {
        return 0;
    }
    *out = neg ? -v : v;
    return 1;
}

/* A number from a whole token; 0 if it is not one. */
static int parse_num(const char *s, double *v)
{
    if (fast_num(s, v))
        return 1;
    char *end;
    *v = strtod(s, &end);
    return end != s && *end == '\0'; /* out of range: +-inf or 0, checked by the callers */
}

/* Parse a row 'xi V' into r; dies with a message on bad input. */
static void parse_row(const src *in, record *r, char *s)
{
    double val[2];
    int k = 0;
    char *p = s;
    for (;;) {
        while (is_blank(*p))
            p++;
        if (!*p)
            break;
        char *t = p;
        while (*p && !is_blank(*p))
            p++;
        char save = *p;
        *p = '\0';
        if (k < 2 && !parse_num(t, &val[k]))
            tk_die("%s: '%s' is not a number", where(in, in->line, r), t);
        if (k < 2 && !isfinite(val[k]))
            tk_die("%s: %s %s is not finite", where(in, in->line, r), k ? "V" : "xi", t);
        if (k == 1 && !(fabs(val[k]) <= V_MAX))
            tk_die("%s: V = %s is out of range: |V| must be at most %g (epsilon): not the "
                   "energy of a double well", where(in, in->line, r), t, V_MAX);
        *p = save;
        k++;
    }
    if (k != 2)
        tk_die("%s: a row must hold 2 numbers 'xi V', this one has %d fields",
               where(in, in->line, r), k);
    if (r->n > 0 && !(val[0] > r->xi[r->n - 1]))
        tk_die("%s: xi = %.15g does not increase (previous row %.15g)", where(in, in->line, r),
               val[0], r->xi[r->n - 1]);
    if (r->n == 0 && fabs(val[0]) > 1e-9)
        tk_die("%s: the first xi is %.15g: the path must start at xi = 0", where(in, in->line, r),
               val[0]);
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 256;
        r->xi = tk_xrealloc(r->xi, (size_t)r->cap * sizeof *r->xi);
        r->v = tk_xrealloc(r->v, (size_t)r->cap * sizeof *r->v);
    }
    r->xi[r->n] = val[0];
    r->v[r->n] = val[1];
    r->n++;
    r->last = in->line;
}

/* Read the next record of in; 0 at the end of the input.  A block of
 * comments without rows, id= or d= is skipped (a file header, say); a
 * comment line right after the rows starts the next record. */
static int read_record(src *in, record *r)
{
    rec_reset(r);
    int real = 0; /* the block holds rows, id= or d=: a record */
    for (;;) {
        char *p;
        if (in->pushed) {
            in->pushed = 0;
            p = in->cur;
        } else {
            errno = 0;
            ssize_t len = getline(&in->buf, &in->cap, in->fp);
            if (len < 0) {
                if (ferror(in->fp))
                    tk_die("%s: read error: %s", in->name, strerror(errno ? errno : EIO));
                break;
            }
            in->line++;
            char *s = in->buf;
            if ((size_t)len != strlen(s))
                tk_die("%s:%ld: a NUL byte: not a text file", in->name, in->line);
            while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r'))
                s[--len] = '\0';
            p = s;
            while (is_blank(*p))
                p++;
        }
        if (!*p) { /* blank line: the end of a record */
            if (real)
                break;
            rec_reset(r); /* comments only: not a record */
            continue;
        }
        if (!r->first)
            r->first = in->line;
        if (*p == '#') {
            if (r->n) { /* the next record's metadata */
                in->pushed = 1;
                in->cur = p;
                break;
            }
            parse_meta(r, p + 1);
            if (!real && (r->id || r->d)) {
                in->nrec++;
                real = 1;
            }
            continue;
        }
        if (!real)
            in->nrec++;
        real = 1;
        parse_row(in, r, p);
    }
    if (!real)
        return 0;
    long at = r->first;
    if (!r->id)
        tk_die("%s: no id= in the record's metadata", where(in, at, r));
    if (!r->d)
        tk_die("%s: no d= (path length) in the record's metadata", where(in, at, r));
    double d;
    if (!parse_num(r->d, &d) || !isfinite(d) || !(d > 0))
        tk_die("%s: d=%s: the path length must be a positive number", where(in, at, r), r->d);
    if (d < D_MIN || d > D_MAX)
        tk_die("%s: d=%s: the path length is out of range [%g, %g] (sigma)", where(in, at, r),
               r->d, D_MIN, D_MAX);
    /* carried into the table (dV also into delta0): a finite number, or
     * the key left out (then nan in the table) */
    const char *names[] = {"dV", "Vb", "PR"};
    char *vals[] = {r->dv, r->vb, r->pr};
    for (int k = 0; k < 3; k++) {
        double v;
        if (vals[k] && (!parse_num(vals[k], &v) || !isfinite(v) || fabs(v) > V_MAX))
            tk_die("%s: %s=%s is not a number (finite, of size at most %g; leave the key out "
                   "when the value is not known)", where(in, at, r), names[k], vals[k], V_MAX);
    }
    if (r->n < 3)
        tk_die("%s: %d rows 'xi V': at least 3 are needed", where(in, r->n ? r->last : at, r),
               r->n);
    if (fabs(r->xi[r->n - 1] - 1) > 1e-9)
        tk_die("%s: the last xi is %.15g: the path must end at xi = 1", where(in, r->last, r),
               r->xi[r->n - 1]);
    r->xi[0] = 0;
    r->xi[r->n - 1] = 1;
    if (!(r->xi[1] > 0) || !(r->xi[r->n - 2] < 1))
        tk_die("%s: xi must increase once the ends are set to 0 and 1 (second xi %.15g, "
               "next to last %.15g)",
               where(in, r->last, r), r->xi[1], r->xi[r->n - 2]);
    return 1;
}

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
                                             {"version", no_argument, 0, 'V'},
                                             {0, 0, 0, 0}};
    tk_schrod_opts so;
    tk_schrod_defaults(&so);
    const char *outpath = "-";
    double *mass = NULL;
    int nmass = 0, header = 1, c;
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
        fputs("#id\tmass\te1\te2\tsplit\tdelta0\tdV\tVb\td\tPR\terr\tflag\n", fp);
    tk_schrod *sv = tk_schrod_new();
    record r = {0};
    int nin = argc - optind;
    long nrec = 0;
    for (int k = 0; k < (nin ? nin : 1); k++) {
        const char *path = nin ? argv[optind + k] : "-";
        src in = {0};
        if (strcmp(path, "-") == 0) {
            in.fp = stdin;
            in.name = "stdin";
        } else {
            in.fp = fopen(path, "r");
            if (!in.fp)
                tk_die("%s: cannot open: %s", path, strerror(errno));
            in.name = path;
        }
        while (read_record(&in, &r)) {
            nrec++;
            double d = strtod(r.d, NULL), dv = r.dv ? strtod(r.dv, NULL) : NAN;
            tk_schrod_set_profile(sv, r.n, r.xi, r.v);
            for (int j = 0; j < nmass; j++) {
                tk_schrod_result res;
                int bad = tk_schrod_solve(sv, mass[j], d, &so, &res) != 0;
                if (bad)
                    tk_warn("%s: mass %g: no converged solution (flag 1)",
                            where(&in, r.first, &r), mass[j]);
                double e = res.split, adv = fabs(dv), delta0 = NAN;
                if (!bad && e >= adv)
                    delta0 = sqrt((e - adv) * (e + adv));
                int flag = bad || !(res.err <= so.tol);
                fprintf(fp, "%s\t%.10g\t%.17g\t%.17g\t%.10g\t%.10g\t%s\t%s\t%s\t%s\t%.3g\t%d\n",
                        r.id, mass[j], bad ? NAN : res.e1, bad ? NAN : res.e2, bad ? NAN : e,
                        delta0, or_nan(r.dv), or_nan(r.vb), r.d, or_nan(r.pr),
                        bad ? NAN : res.err, flag);
            }
        }
        if (in.fp != stdin)
            fclose(in.fp);
        free(in.buf);
    }
    if (nrec == 0) /* dwp-split found no DWP (a glass without pairs): a result */
        tk_warn("%s%s: no record in the input: the header alone", nin ? argv[optind] : "stdin",
                nin > 1 ? " ..." : "");
    tk_output_commit(&out);
    rec_free(&r);
    tk_schrod_free(sv);
    free(mass);
    return tk_finish();
}
