/* tlstable.c - schrod1d tables and laboratory units (tlstable.h). */
#include "tlstable.h"
#include "cli.h"
#include "err.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

const tk_lab_ref tk_refs[TK_NREFS] = {{"argon-like", 3.4e-10, 6.6e-21, 6.0e-26},
                                      {"nickel-like", 2.21e-10, 6.14e-20, 1.02e-25}};

double tk_ref_mass(const tk_lab_ref *r)
{
    return r->m * r->sigma * r->sigma * r->eps / (TK_HBAR * TK_HBAR);
}

double tk_ref_tq(const tk_lab_ref *r)
{
    return TK_TWO_PI * TK_HBAR * TK_HBAR / (r->m * r->sigma * r->sigma * TK_KB);
}

static const char *names[6] = {"mass", "split", "dV", "Vb", "d", "PR"};

/* The numbers of a row must make sense: a positive finite mass whose E_Q =
 * 2 pi / mt is a finite positive number, a splitting >= 0 (nan: schrod1d
 * found no levels), dV, Vb, d and PR finite or nan (undefined), d and PR
 * positive.  Anything else would count as a TLS or give n0 = nan. */
static void check_row(const char *path, long lineno, const double *v, char *const *tok)
{
    double eq = TK_TWO_PI / v[0];
    if (!(v[0] > 0) || !isfinite(v[0]) || !isnormal(eq) || !isnormal(v[0]))
        tk_die("%s:%ld: column mass: %s is not a usable mass (a positive finite number, with "
               "2 pi / mass finite)", path, lineno, tok[0]);
    if (v[1] < 0 || isinf(v[1]))
        tk_die("%s:%ld: column split: %s is not a splitting (a number >= 0, or nan when "
               "schrod1d found no levels)", path, lineno, tok[1]);
    for (int c = 2; c < 6; c++) {
        if (isinf(v[c]))
            tk_die("%s:%ld: column %s: %s is not finite (nan if undefined)", path, lineno,
                   names[c], tok[c]);
        if (c >= 4 && !isnan(v[c]) && !(v[c] > 0))
            tk_die("%s:%ld: column %s: %s must be positive", path, lineno, names[c], tok[c]);
    }
}

/* The next field of the line at *p, NULL after the last: fields are
 * separated by single tabs (tlskit-table(5)), an empty field is a field. */
static char *next_field(char **p)
{
    char *t = *p;
    if (!t)
        return NULL;
    char *tab = strchr(t, '\t');
    if (tab)
        *tab = '\0';
    *p = tab ? tab + 1 : NULL;
    return t;
}

void tk_tls_read(const char *path, int glass, tk_tls_set *s)
{
    FILE *fp = fopen(path, "r");
    if (!fp)
        tk_die("%s: cannot open: %s", path, strerror(errno));
    char *line = NULL;
    size_t lcap = 0;
    long lineno = 0;
    int col[6] = {-1, -1, -1, -1, -1, -1}; /* mass split dV Vb d PR */
    int ncol = 0;
    ssize_t len;
    while ((len = getline(&line, &lcap, fp)) >= 0) {
        lineno++;
        if ((size_t)len != strlen(line)) /* else the rest of the line is ignored */
            tk_die("%s:%ld: a NUL byte: not a text file", path, lineno);
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (lineno == 1) {
            if (line[0] != '#')
                tk_die("%s:1: no '#' header line (not a schrod1d table?)", path);
            char *p = line + 1;
            for (char *t; (t = next_field(&p)); ncol++)
                for (int c = 0; c < 6; c++)
                    if (strcmp(t, names[c]) == 0) {
                        if (col[c] >= 0)
                            tk_die("%s:1: two '%s' columns", path, names[c]);
                        col[c] = ncol;
                    }
            for (int c = 0; c < 6; c++)
                if (col[c] < 0)
                    tk_die("%s:1: no '%s' column (not a schrod1d table?)", path, names[c]);
            continue;
        }
        if (len == 0 || line[0] == '#')
            continue;
        double v[6] = {0, 0, 0, 0, 0, 0};
        char *tok[6] = {0};
        int k = 0;
        char *p = line;
        for (char *t; (t = next_field(&p)); k++)
            for (int c = 0; c < 6; c++)
                if (k == col[c]) {
                    char *end;
                    v[c] = strtod(t, &end);
                    tok[c] = t;
                    if (end == t || *end)
                        tk_die("%s:%ld: column %s: '%s' is not a number", path, lineno, names[c], t);
                }
        if (k != ncol)
            tk_die("%s:%ld: the row has %d fields, the header %d columns (fields are separated by "
                   "single tabs)", path, lineno, k, ncol);
        check_row(path, lineno, v, tok);
        if (isnan(v[1])) { /* schrod1d found no levels: not a DWP to count */
            s->nskipped++;
            continue;
        }
        if (s->n == s->cap) {
            s->cap = s->cap ? 2 * s->cap : 1024;
            s->row = tk_xrealloc(s->row, s->cap * sizeof *s->row);
        }
        s->row[s->n++] = (tk_tls_row){v[0], v[1], v[2], v[3], v[4], v[5], glass};
    }
    if (ferror(fp))
        tk_die("%s: read error", path);
    if (lineno == 0)
        tk_die("%s: empty (no header)", path);
    free(line);
    fclose(fp);
}

void tk_tls_free(tk_tls_set *s)
{
    free(s->row);
    s->row = NULL;
    s->n = s->cap = 0;
}

int tk_parse_masses(const char *opt, const char *arg, double *m, int max)
{
    char *s = tk_xstrdup(arg), *save = NULL;
    int n = 0;
    if (!*s || s[strlen(s) - 1] == ',' || *s == ',' || strstr(s, ",,"))
        tk_usage_error("option %s: '%s' is not a list of numbers MT[,MT]...", opt, arg);
    for (char *t = strtok_r(s, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (n == max)
            tk_usage_error("option %s: more than %d masses", opt, max);
        m[n++] = tk_arg_double_pos(opt, t);
    }
    free(s);
    return n;
}
