/* dwpio.c - reading path and DWP records (tlskit-dwp(5)), the input of
 * schrod1d(1). */
#include "dwpio.h"
#include "err.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void rec_reset(tk_dwp_rec *r)
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

void tk_dwp_rec_free(tk_dwp_rec *r)
{
    rec_reset(r);
    free(r->xi);
    free(r->v);
}

/* "input:line: record K (id=X)" */
const char *tk_dwp_where(const tk_dwp_src *in, long line, const tk_dwp_rec *r)
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
static void parse_meta(tk_dwp_rec *r, char *s)
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
static void parse_row(const tk_dwp_src *in, tk_dwp_rec *r, char *s)
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
            tk_die("%s: '%s' is not a number", tk_dwp_where(in, in->line, r), t);
        if (k < 2 && !isfinite(val[k]))
            tk_die("%s: %s %s is not finite", tk_dwp_where(in, in->line, r), k ? "V" : "xi", t);
        if (k == 1 && !(fabs(val[k]) <= TK_DWP_V_MAX))
            tk_die("%s: V = %s is out of range: |V| must be at most %g (epsilon): not the "
                   "energy of a double well",
                   tk_dwp_where(in, in->line, r), t, TK_DWP_V_MAX);
        *p = save;
        k++;
    }
    if (k != 2)
        tk_die("%s: a row must hold 2 numbers 'xi V', this one has %d fields",
               tk_dwp_where(in, in->line, r), k);
    if (r->n > 0 && !(val[0] > r->xi[r->n - 1]))
        tk_die("%s: xi = %.15g does not increase (previous row %.15g)",
               tk_dwp_where(in, in->line, r), val[0], r->xi[r->n - 1]);
    if (r->n == 0 && fabs(val[0]) > 1e-9)
        tk_die("%s: the first xi is %.15g: the path must start at xi = 0",
               tk_dwp_where(in, in->line, r), val[0]);
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
int tk_dwp_read(tk_dwp_src *in, tk_dwp_rec *r)
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
        tk_die("%s: no id= in the record's metadata", tk_dwp_where(in, at, r));
    if (!r->d)
        tk_die("%s: no d= (path length) in the record's metadata", tk_dwp_where(in, at, r));
    double d;
    if (!parse_num(r->d, &d) || !isfinite(d) || !(d > 0))
        tk_die("%s: d=%s: the path length must be a positive number", tk_dwp_where(in, at, r),
               r->d);
    if (d < TK_DWP_D_MIN || d > TK_DWP_D_MAX)
        tk_die("%s: d=%s: the path length is out of range [%g, %g] (sigma)",
               tk_dwp_where(in, at, r), r->d, TK_DWP_D_MIN, TK_DWP_D_MAX);
    /* carried into the table (dV also into delta0): a finite number, or
     * the key left out (then nan in the table) */
    const char *names[] = {"dV", "Vb", "PR"};
    char *vals[] = {r->dv, r->vb, r->pr};
    for (int k = 0; k < 3; k++) {
        double v;
        if (vals[k] && (!parse_num(vals[k], &v) || !isfinite(v) || fabs(v) > TK_DWP_V_MAX))
            tk_die("%s: %s=%s is not a number (finite, of size at most %g; leave the key out "
                   "when the value is not known)",
                   tk_dwp_where(in, at, r), names[k], vals[k], TK_DWP_V_MAX);
    }
    if (r->n < 3)
        tk_die("%s: %d rows 'xi V': at least 3 are needed",
               tk_dwp_where(in, r->n ? r->last : at, r), r->n);
    if (fabs(r->xi[r->n - 1] - 1) > 1e-9)
        tk_die("%s: the last xi is %.15g: the path must end at xi = 1",
               tk_dwp_where(in, r->last, r), r->xi[r->n - 1]);
    r->xi[0] = 0;
    r->xi[r->n - 1] = 1;
    if (!(r->xi[1] > 0) || !(r->xi[r->n - 2] < 1))
        tk_die("%s: xi must increase once the ends are set to 0 and 1 (second xi %.15g, "
               "next to last %.15g)",
               tk_dwp_where(in, r->last, r), r->xi[1], r->xi[r->n - 2]);
    return 1;
}
