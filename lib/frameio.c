/* frameio.c - extended XYZ, binary and LAMMPS data frames; LAMMPS dumps read. */
#define _POSIX_C_SOURCE 200809L
#include "frameio.h"
#include "err.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BIN_MAGIC "TLSKIT-FRAME 1"
/* The smallest diameter: twice the smallest normal double, so that the
 * radius sigma / 2 written as extended XYZ is exact (a subnormal diameter
 * lost its last bit on the way). */
#define SIGMA_MIN (2 * DBL_MIN)
#define MAX_ATOMS (INT_MAX / 4)

/* ---------- messages ---------- */

static _Noreturn void rdie(const tk_reader *r, int with_line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void rdie(const tk_reader *r, int with_line, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (with_line)
        tk_die("%s:%ld: frame %ld: %s", r->name, r->line, r->frame, msg);
    tk_die("%s: frame %ld: %s", r->name, r->frame, msg);
}

/* ---------- line reading ---------- */

static int next_line(tk_reader *r)
{
    if (r->pushed) {
        r->pushed = 0;
        return 1;
    }
    errno = 0;
    r->len = getline(&r->buf, &r->cap, r->fp);
    if (r->len < 0) {
        if (ferror(r->fp))
            tk_die("%s: read error: %s", r->name, strerror(errno));
        return 0;
    }
    r->line++;
    r->nl = r->len > 0 && r->buf[r->len - 1] == '\n';
    if (memchr(r->buf, '\0', (size_t)r->len))
        rdie(r, 1, "unexpected NUL byte in a text line (binary garbage?)");
    while (r->len > 0 && (r->buf[r->len - 1] == '\n' || r->buf[r->len - 1] == '\r'))
        r->buf[--r->len] = '\0';
    return 1;
}

static void push_line(tk_reader *r)
{
    r->pushed = 1;
}

static int is_blank(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return 0;
    return 1;
}

static int next_nonblank(tk_reader *r)
{
    while (next_line(r))
        if (!is_blank(r->buf))
            return 1;
    return 0;
}

/* Split s in place on whitespace; returns the number of fields (<= max). */
static int split_ws(char *s, char **fld, int max)
{
    int n = 0;
    for (;;) {
        while (isspace((unsigned char)*s))
            s++;
        if (!*s)
            return n;
        if (n == max)
            return max + 1;
        fld[n++] = s;
        while (*s && !isspace((unsigned char)*s))
            s++;
        if (*s)
            *s++ = '\0';
    }
}

static double num(const tk_reader *r, const char *s, const char *what)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno == EINVAL)
        rdie(r, 1, "%s: '%s' is not a number", what, s);
    if (!isfinite(v))
        rdie(r, 1, "%s: '%s' is not a finite number", what, s);
    return v;
}

static long integer(const tk_reader *r, const char *s, const char *what)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno)
        rdie(r, 1, "%s: '%s' is not an integer", what, s);
    return v;
}

/* A line that holds one integer and nothing else. */
static int lone_integer(const char *s, long *out)
{
    while (isspace((unsigned char)*s))
        s++;
    if (!*s)
        return 0;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || errno)
        return 0;
    if (!is_blank(end))
        return 0;
    *out = v;
    return 1;
}

static void check_natoms(const tk_reader *r, long n)
{
    if (n <= 0)
        rdie(r, 1, "atom count must be positive, found %ld", n);
    if (n > MAX_ATOMS)
        rdie(r, 1, "atom count %ld is too large", n);
}

static void check_box(const tk_reader *r, double L, int with_line)
{
    if (!(L > 0) || !isfinite(L))
        rdie(r, with_line, "box edge must be positive and finite, found %.17g", L);
}

/* Arrays for the atoms of a frame grow with the atom lines read, up to the
 * count the frame gives: a header that claims 10^8 atoms in a file of a
 * few lines reserves no gigabytes.  The next size after have slots. */
static long grow(long have, long natoms)
{
    long want = have < 512 ? 1024 : 2 * have;
    return want < natoms ? want : natoms;
}

/* ---------- key=value lists (extended XYZ comment line) ---------- */

/* Why a metadata key cannot be carried by every format, or NULL: the
 * extended XYZ comment line and the LAMMPS title line split on blanks, and
 * four keys of the comment line describe the frame itself. */
static const char *meta_key_problem(const char *key)
{
    static const char *reserved[] = {"Lattice", "Origin", "pbc", "Properties"};
    for (const char *p = key; *p; p++)
        if (isspace((unsigned char)*p))
            return "holds a blank (extended XYZ could not carry it)";
    for (size_t i = 0; i < sizeof reserved / sizeof *reserved; i++)
        if (strcmp(key, reserved[i]) == 0)
            return "is part of the extended XYZ frame format, not metadata";
    return NULL;
}

/* Parse extended-XYZ key=value pairs of s into m.  Values may be quoted with
 * double quotes; \" and \\ escape inside quotes.  A bare key means "T". */
static void parse_kv(const tk_reader *r, const char *s, tk_meta *m)
{
    size_t n = strlen(s);
    char *key = tk_xmalloc(n + 1), *val = tk_xmalloc(n + 1);
    const char *p = s;
    for (;;) {
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            break;
        size_t k = 0;
        while (*p && *p != '=' && !isspace((unsigned char)*p))
            key[k++] = *p++;
        key[k] = '\0';
        if (k == 0)
            rdie(r, 1, "comment line: empty key before '='");
        if (*p != '=') {
            tk_meta_set(m, key, "T");
            continue;
        }
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        size_t v = 0;
        if (*p == '"') {
            p++;
            while (*p && *p != '"') {
                if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
                    p++;
                val[v++] = *p++;
            }
            if (*p != '"')
                rdie(r, 1, "comment line: unterminated quoted value of key '%s'", key);
            p++;
        } else {
            while (*p && !isspace((unsigned char)*p))
                val[v++] = *p++;
        }
        val[v] = '\0';
        tk_meta_set(m, key, val);
    }
    free(key);
    free(val);
}

static int parse_numbers(const char *s, double *out, int max)
{
    char *end;
    int n = 0;
    for (;;) {
        while (isspace((unsigned char)*s))
            s++;
        if (!*s)
            return n;
        if (n == max)
            return max + 1;
        errno = 0;
        double v = strtod(s, &end);
        if (end == s || !isfinite(v))
            return -1;
        out[n++] = v;
        s = end;
    }
}

/* ---------- extended XYZ ---------- */

enum { COL_SKIP, COL_POS, COL_RADIUS, COL_VELO, COL_ID };

typedef struct {
    int kind; /* COL_* */
    int comp; /* component 0..2 */
} column;

static int parse_properties(const tk_reader *r, const char *props, column **cols_out)
{
    char *s = tk_xstrdup(props);
    int ncol = 0, cap = 16;
    column *cols = tk_xmalloc((size_t)cap * sizeof *cols);
    int have_pos = 0, have_rad = 0;
    char *save = NULL;
    for (char *name = strtok_r(s, ":", &save); name; name = strtok_r(NULL, ":", &save)) {
        char *type = strtok_r(NULL, ":", &save);
        char *cnt = strtok_r(NULL, ":", &save);
        if (!type || !cnt)
            rdie(r, 1, "Properties: '%s' is not a list of name:type:count", props);
        char *end;
        long k = strtol(cnt, &end, 10);
        if (*end || k < 1 || k > 100)
            rdie(r, 1, "Properties: bad column count '%s' for '%s'", cnt, name);
        int kind = COL_SKIP;
        if (strcmp(name, "pos") == 0) {
            if (k != 3 || strcmp(type, "R"))
                rdie(r, 1, "Properties: pos must be pos:R:3");
            kind = COL_POS;
            have_pos = 1;
        } else if (strcmp(name, "radius") == 0) {
            if (k != 1 || strcmp(type, "R"))
                rdie(r, 1, "Properties: radius must be radius:R:1");
            kind = COL_RADIUS;
            have_rad = 1;
        } else if (strcmp(name, "velo") == 0) {
            if (k != 3 || strcmp(type, "R"))
                rdie(r, 1, "Properties: velo must be velo:R:3");
            kind = COL_VELO;
        } else if (strcmp(name, "id") == 0) {
            if (k != 1 || strcmp(type, "I"))
                rdie(r, 1, "Properties: id must be id:I:1");
            kind = COL_ID;
        }
        for (long c = 0; c < k; c++) {
            if (ncol == cap) {
                cap *= 2;
                cols = tk_xrealloc(cols, (size_t)cap * sizeof *cols);
            }
            cols[ncol].kind = kind;
            cols[ncol].comp = (int)c;
            ncol++;
        }
    }
    free(s);
    if (!have_pos)
        rdie(r, 1, "Properties has no pos:R:3 column");
    if (!have_rad)
        rdie(r, 1, "Properties has no radius:R:1 column (the particle diameters are needed)");
    *cols_out = cols;
    return ncol;
}

static void read_xyz(tk_reader *r, tk_frame *f, long natoms)
{
    check_natoms(r, natoms);
    if (!next_line(r))
        rdie(r, 1, "truncated frame: no comment line after the atom count");
    tk_meta_clear(&f->meta);
    parse_kv(r, r->buf, &f->meta);

    const char *lat = tk_meta_get(&f->meta, "Lattice");
    if (!lat)
        rdie(r, 1, "no Lattice= in the comment line (extended XYZ with a cubic box is needed)");
    double h[10];
    if (parse_numbers(lat, h, 9) != 9)
        rdie(r, 1, "Lattice=\"%s\" is not 9 finite numbers", lat);
    double L = h[0];
    check_box(r, L, 1);
    if (h[1] != 0 || h[2] != 0 || h[3] != 0 || h[5] != 0 || h[6] != 0 || h[7] != 0 ||
        fabs(h[4] - L) > 1e-12 * L || fabs(h[8] - L) > 1e-12 * L)
        rdie(r, 1, "Lattice=\"%s\" is not a cubic box", lat);
    f->L = L;
    f->origin[0] = f->origin[1] = f->origin[2] = 0;
    const char *org = tk_meta_get(&f->meta, "Origin");
    if (org && parse_numbers(org, f->origin, 3) != 3)
        rdie(r, 1, "Origin=\"%s\" is not 3 finite numbers", org);
    const char *pbc = tk_meta_get(&f->meta, "pbc");
    if (pbc) {
        char t[3][8];
        if (sscanf(pbc, " %7s %7s %7s", t[0], t[1], t[2]) != 3)
            rdie(r, 1, "pbc=\"%s\" is not three flags", pbc);
        for (int k = 0; k < 3; k++)
            if (strcmp(t[k], "T") && strcmp(t[k], "True") && strcmp(t[k], "true"))
                rdie(r, 1, "pbc=\"%s\": the box must be periodic in x, y and z", pbc);
    }
    const char *props = tk_meta_get(&f->meta, "Properties");
    if (!props)
        rdie(r, 1, "no Properties= in the comment line");
    column *cols;
    int ncol = parse_properties(r, props, &cols);
    int has_v = 0, has_id = 0;
    for (int c = 0; c < ncol; c++) {
        has_v |= cols[c].kind == COL_VELO;
        has_id |= cols[c].kind == COL_ID;
    }
    tk_meta_del(&f->meta, "Lattice");
    tk_meta_del(&f->meta, "Origin");
    tk_meta_del(&f->meta, "pbc");
    tk_meta_del(&f->meta, "Properties");

    tk_frame_resize(f, 0);
    f->has_v = has_v;
    f->has_id = has_id;
    char **fld = tk_xmalloc((size_t)(ncol + 1) * sizeof *fld);
    for (long i = 0; i < natoms; i++) {
        if (i == f->n)
            tk_frame_resize(f, (int)grow(f->n, natoms));
        if (!next_line(r)) {
            free(fld);
            free(cols);
            rdie(r, 0, "truncated frame: expected %ld atom lines, found %ld", natoms, i);
        }
        int nf = split_ws(r->buf, fld, ncol);
        if (nf != ncol) {
            free(fld);
            free(cols);
            if (nf > ncol)
                rdie(r, 1, "atom %ld: more than the %d fields of Properties (wrong atom count?)",
                     i + 1, ncol);
            rdie(r, 1, "atom %ld: expected %d fields, found %d (wrong atom count?)", i + 1,
                 ncol, nf);
        }
        for (int c = 0; c < ncol; c++) {
            switch (cols[c].kind) {
            case COL_POS:
                f->x[3 * i + cols[c].comp] = num(r, fld[c], "position");
                break;
            case COL_RADIUS: {
                double rad = num(r, fld[c], "radius");
                if (!(rad > 0))
                    rdie(r, 1, "atom %ld: radius must be positive, found %s", i + 1, fld[c]);
                if (!isfinite(2 * rad))
                    rdie(r, 1, "atom %ld: radius %s: the diameter (twice the radius) is not "
                               "finite", i + 1, fld[c]);
                if (2 * rad < SIGMA_MIN)
                    rdie(r, 1, "atom %ld: radius %s is too small (the diameter must be at "
                               "least %.17g)", i + 1, fld[c], SIGMA_MIN);
                f->sigma[i] = 2 * rad;
                break;
            }
            case COL_VELO:
                f->v[3 * i + cols[c].comp] = num(r, fld[c], "velocity");
                break;
            case COL_ID:
                f->id[i] = integer(r, fld[c], "id");
                break;
            default:
                break;
            }
        }
    }
    free(fld);
    free(cols);
}

static void write_value(FILE *out, const char *v)
{
    int quote = !*v;
    for (const char *p = v; *p; p++)
        if (isspace((unsigned char)*p) || *p == '"' || *p == '=' || *p == '\\')
            quote = 1;
    if (!quote) {
        fputs(v, out);
        return;
    }
    fputc('"', out);
    for (const char *p = v; *p; p++) {
        if (*p == '"' || *p == '\\')
            fputc('\\', out);
        fputc(*p, out);
    }
    fputc('"', out);
}

void tk_write_xyz_extra(FILE *out, const tk_frame *f, const char *props, int ncol,
                        const double *extra)
{
    double L = f->L;
    fprintf(out, "%d\nLattice=\"%.17g 0 0 0 %.17g 0 0 0 %.17g\"", f->n, L, L, L);
    if (f->origin[0] != 0 || f->origin[1] != 0 || f->origin[2] != 0)
        fprintf(out, " Origin=\"%.17g %.17g %.17g\"", f->origin[0], f->origin[1], f->origin[2]);
    fprintf(out, " Properties=species:S:1:pos:R:3:radius:R:1%s%s%s%s pbc=\"T T T\"",
            f->has_v ? ":velo:R:3" : "", f->has_id ? ":id:I:1" : "", ncol ? ":" : "",
            ncol ? props : "");
    for (int k = 0; k < f->meta.n; k++) {
        fprintf(out, " %s=", f->meta.kv[k].key);
        write_value(out, f->meta.kv[k].val);
    }
    fputc('\n', out);
    for (int i = 0; i < f->n; i++) {
        const double *x = f->x + 3 * i;
        fprintf(out, "Ar %.17g %.17g %.17g %.17g", x[0], x[1], x[2], f->sigma[i] / 2);
        if (f->has_v)
            fprintf(out, " %.17g %.17g %.17g", f->v[3 * i], f->v[3 * i + 1], f->v[3 * i + 2]);
        if (f->has_id)
            fprintf(out, " %ld", f->id[i]);
        for (int c = 0; c < ncol; c++)
            fprintf(out, " %.17g", extra[(size_t)i * ncol + c]);
        fputc('\n', out);
    }
}

static void write_xyz(FILE *out, const tk_frame *f)
{
    tk_write_xyz_extra(out, f, NULL, 0, NULL);
}

/* ---------- binary ---------- */

static int host_is_le(void)
{
    const uint16_t one = 1;
    return *(const unsigned char *)&one == 1;
}

static void swap8(void *p, size_t n)
{
    unsigned char *b = p;
    for (size_t i = 0; i < n; i++, b += 8)
        for (int k = 0; k < 4; k++) {
            unsigned char t = b[k];
            b[k] = b[7 - k];
            b[7 - k] = t;
        }
}

static void read_array(tk_reader *r, void *dst, size_t count, const char *what)
{
    size_t got = fread(dst, 8, count, r->fp);
    if (got != count) {
        if (ferror(r->fp))
            tk_die("%s: read error: %s", r->name, strerror(errno));
        rdie(r, 0, "binary frame cut short: %s array has %zu of %zu values", what, got, count);
    }
    if (!host_is_le())
        swap8(dst, count);
}

static void check_finite(tk_reader *r, const double *a, size_t n, int per_atom,
                         const char *what)
{
    static const char xyz[] = "xyz";
    for (size_t i = 0; i < n; i++)
        if (!isfinite(a[i])) {
            if (per_atom == 3)
                rdie(r, 0, "%s %c of atom %zu is not finite", what, xyz[i % 3], i / 3 + 1);
            rdie(r, 0, "%s of atom %zu is not finite", what, i + 1);
        }
}

static const char *header_value(tk_reader *r, const char *key)
{
    if (!next_line(r) || !r->nl)
        rdie(r, 0, "binary frame cut short in its header (at %s=)", key);
    size_t k = strlen(key);
    if (strncmp(r->buf, key, k) != 0 || r->buf[k] != '=')
        rdie(r, 1, "binary header: expected %s=, found '%.40s'", key, r->buf);
    return r->buf + k + 1;
}

/* In a regular file, the arrays must fit in what is left of it: the first
 * that does not is cut short, said before anything is allocated for the
 * atoms (a header of 10^8 atoms in a small file reserved gigabytes).  From
 * a pipe they are found short as they are read.  The message, or NULL. */
static const char *arrays_cut_short(tk_reader *r, const char *arrays, size_t n)
{
    static char msg[128];
    struct stat st;
    long at = ftell(r->fp);
    if (at < 0 || fstat(fileno(r->fp), &st) != 0 || !S_ISREG(st.st_mode))
        return NULL;
    double left = (double)st.st_size - (double)at; /* bytes */
    char *copy = tk_xstrdup(arrays), *save = NULL;
    for (char *a = strtok_r(copy, " ", &save); a; a = strtok_r(NULL, " ", &save)) {
        size_t per = strcmp(a, "pos") == 0 || strcmp(a, "velo") == 0     ? 3
                     : strcmp(a, "sigma") == 0 || strcmp(a, "id") == 0 ? 1
                                                                        : 0;
        if (!per) /* an unknown name: said when the arrays are read */
            break;
        double count = (double)per * (double)n;
        if (left < 8 * count) {
            size_t have = left > 0 ? (size_t)(left / 8) : 0;
            snprintf(msg, sizeof msg, "binary frame cut short: %s array has %zu of %zu values",
                     a, have, per * n);
            free(copy);
            return msg;
        }
        left -= 8 * count;
    }
    free(copy);
    return NULL;
}

static void read_bin(tk_reader *r, tk_frame *f)
{
    long natoms = integer(r, header_value(r, "natoms"), "natoms");
    check_natoms(r, natoms);
    double L = num(r, header_value(r, "box"), "box");
    check_box(r, L, 1);
    double org[4];
    const char *o = header_value(r, "origin");
    if (parse_numbers(o, org, 3) != 3)
        rdie(r, 1, "binary header: origin '%s' is not 3 finite numbers", o);
    char *arrays = tk_xstrdup(header_value(r, "arrays"));
    tk_meta_clear(&f->meta);
    for (;;) {
        if (!next_line(r) || !r->nl) {
            free(arrays);
            rdie(r, 0, "binary frame cut short in its header (no END line)");
        }
        if (strcmp(r->buf, "END") == 0)
            break;
        char *eq = strchr(r->buf, '=');
        if (!eq || eq == r->buf) {
            free(arrays);
            rdie(r, 1, "binary header: '%.40s' is not key=value", r->buf);
        }
        *eq = '\0';
        const char *why = meta_key_problem(r->buf);
        if (why) {
            free(arrays);
            rdie(r, 1, "binary header: metadata key '%.40s' %s", r->buf, why);
        }
        tk_meta_set(&f->meta, r->buf, eq + 1);
    }
    const char *cut = arrays_cut_short(r, arrays, (size_t)natoms);
    if (cut) {
        free(arrays);
        rdie(r, 0, "%s", cut);
    }
    tk_frame_resize(f, (int)natoms);
    f->L = L;
    memcpy(f->origin, org, sizeof f->origin);
    f->has_v = f->has_id = 0;
    int have_pos = 0, have_sigma = 0;
    size_t n = (size_t)natoms;
    char *save = NULL;
    for (char *a = strtok_r(arrays, " ", &save); a; a = strtok_r(NULL, " ", &save)) {
        if (strcmp(a, "pos") == 0) {
            read_array(r, f->x, 3 * n, "pos");
            check_finite(r, f->x, 3 * n, 3, "position");
            have_pos = 1;
        } else if (strcmp(a, "sigma") == 0) {
            read_array(r, f->sigma, n, "sigma");
            check_finite(r, f->sigma, n, 1, "diameter");
            for (size_t i = 0; i < n; i++)
                if (!(f->sigma[i] > 0))
                    rdie(r, 0, "diameter of atom %zu is not positive", i + 1);
                else if (f->sigma[i] < SIGMA_MIN)
                    rdie(r, 0, "diameter of atom %zu is %.17g, too small (at least %.17g)",
                         i + 1, f->sigma[i], SIGMA_MIN);
            have_sigma = 1;
        } else if (strcmp(a, "velo") == 0) {
            read_array(r, f->v, 3 * n, "velo");
            check_finite(r, f->v, 3 * n, 3, "velocity");
            f->has_v = 1;
        } else if (strcmp(a, "id") == 0) {
            int64_t *tmp = tk_xmalloc(n * sizeof *tmp);
            read_array(r, tmp, n, "id");
            for (size_t i = 0; i < n; i++)
                f->id[i] = (long)tmp[i];
            free(tmp);
            f->has_id = 1;
        } else {
            rdie(r, 0, "binary header: unknown array '%s'", a);
        }
    }
    free(arrays);
    if (!have_pos || !have_sigma)
        rdie(r, 0, "binary frame lacks the pos or sigma array");
}

static void write_array(FILE *out, const double *a, size_t n)
{
    if (host_is_le()) {
        fwrite(a, 8, n, out);
        return;
    }
    double tmp[256];
    for (size_t i = 0; i < n; i += 256) {
        size_t k = n - i < 256 ? n - i : 256;
        memcpy(tmp, a + i, k * 8);
        swap8(tmp, k);
        fwrite(tmp, 8, k, out);
    }
}

static void write_bin(FILE *out, const tk_frame *f)
{
    fprintf(out, BIN_MAGIC "\nnatoms=%d\nbox=%.17g\norigin=%.17g %.17g %.17g\narrays=pos sigma%s%s\n",
            f->n, f->L, f->origin[0], f->origin[1], f->origin[2], f->has_v ? " velo" : "",
            f->has_id ? " id" : "");
    for (int k = 0; k < f->meta.n; k++)
        fprintf(out, "%s=%s\n", f->meta.kv[k].key, f->meta.kv[k].val);
    fputs("END\n", out);
    size_t n = (size_t)f->n;
    write_array(out, f->x, 3 * n);
    write_array(out, f->sigma, n);
    if (f->has_v)
        write_array(out, f->v, 3 * n);
    if (f->has_id) {
        int64_t buf[256];
        for (size_t i = 0; i < n; i += 256) {
            size_t k = n - i < 256 ? n - i : 256;
            for (size_t j = 0; j < k; j++)
                buf[j] = (int64_t)f->id[i + j];
            if (!host_is_le())
                swap8(buf, k);
            fwrite(buf, 8, k, out);
        }
    }
}

/* ---------- LAMMPS data ---------- */

#define LMP_TITLE "LAMMPS data file via tlskit"

typedef struct {
    long id, row;
    double q, x[3];
} lmp_atom;

static int cmp_atom(const void *a, const void *b)
{
    long x = ((const lmp_atom *)a)->id, y = ((const lmp_atom *)b)->id;
    return (x > y) - (x < y);
}

static int cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

static void strip_comment(char *s)
{
    char *h = strchr(s, '#');
    if (h)
        *h = '\0';
}

/* Is the current line a section keyword?  Returns its name (static) or NULL. */
static const char *section_name(const char *line, char *style, size_t style_cap)
{
    static const char *known[] = {"Atoms", "Velocities", "Masses", "Bonds", "Angles",
                                  "Dihedrals", "Impropers", "Ellipsoids", "Lines",
                                  "Triangles", "Bodies"};
    char word[64];
    const char *p = line;
    while (isspace((unsigned char)*p))
        p++;
    size_t k = 0;
    while (*p && *p != '#' && k < sizeof word - 1)
        word[k++] = *p++;
    while (k > 0 && isspace((unsigned char)word[k - 1]))
        k--;
    word[k] = '\0';
    style[0] = '\0';
    if (*p == '#') {
        p++;
        while (isspace((unsigned char)*p))
            p++;
        size_t j = 0;
        while (*p && !isspace((unsigned char)*p) && j < style_cap - 1)
            style[j++] = *p++;
        style[j] = '\0';
    }
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (strcmp(word, known[i]) == 0)
            return known[i];
    if (k > 7 && strcmp(word + k - 7, " Coeffs") == 0)
        return "Coeffs";
    return NULL;
}

/* Is the box edge along d the one along x: within 1e-12, or within the
 * rounding of the bounds (a box 1e-3 wide at y = 1e5, written as lo and
 * lo + L, has a y edge 1e-11 off)? */
static int same_edge(const double *lo, const double *hi, int d)
{
    double L = hi[0] - lo[0];
    double round = 8 * DBL_EPSILON * (fabs(lo[0]) + fabs(hi[0]) + fabs(lo[d]) + fabs(hi[d]));
    return fabs((hi[d] - lo[d]) - L) <= 1e-12 * L + round;
}

static void read_lammps(tk_reader *r, tk_frame *f)
{
    tk_meta_clear(&f->meta);
    if (strncmp(r->buf, LMP_TITLE, strlen(LMP_TITLE)) == 0) {
        parse_kv(r, r->buf + strlen(LMP_TITLE), &f->meta);
        for (int k = 0; k < f->meta.n; k++) {
            const char *why = meta_key_problem(f->meta.kv[k].key);
            if (why)
                rdie(r, 1, "title line: metadata key '%.40s' %s", f->meta.kv[k].key, why);
        }
    }
    long natoms = -1;
    double lo[3], hi[3];
    int have[3] = {0, 0, 0};
    char style[64];
    const char *sec = NULL;
    char *fld[16];

    /* header */
    while (next_nonblank(r)) {
        if ((sec = section_name(r->buf, style, sizeof style)))
            break;
        strip_comment(r->buf);
        int nf = split_ws(r->buf, fld, 15);
        if (nf == 2 && strcmp(fld[1], "atoms") == 0)
            natoms = integer(r, fld[0], "atoms");
        else if (nf == 4 && fld[2][1] == 'l' && fld[2][2] == 'o' && fld[3][1] == 'h' &&
                 fld[3][2] == 'i' && fld[2][0] >= 'x' && fld[2][0] <= 'z' &&
                 strlen(fld[2]) == 3 && strlen(fld[3]) == 3) {
            int d = fld[2][0] - 'x';
            lo[d] = num(r, fld[0], "box bound");
            hi[d] = num(r, fld[1], "box bound");
            have[d] = 1;
        } else if (nf == 6 && strcmp(fld[3], "xy") == 0) {
            if (num(r, fld[0], "tilt") != 0 || num(r, fld[1], "tilt") != 0 ||
                num(r, fld[2], "tilt") != 0)
                rdie(r, 1, "triclinic box: only cubic boxes are supported");
        }
        /* other header lines (bonds, extra ...) carry nothing for us */
    }
    if (!sec)
        rdie(r, 0, "LAMMPS data file: no Atoms section (truncated, or not a frame?)");
    if (natoms < 0)
        rdie(r, 1, "LAMMPS data file: no 'N atoms' line in the header");
    check_natoms(r, natoms);
    if (!have[0] || !have[1] || !have[2])
        rdie(r, 1, "LAMMPS data file: missing xlo xhi, ylo yhi or zlo zhi");
    double L = hi[0] - lo[0];
    check_box(r, L, 1);
    for (int d = 1; d < 3; d++)
        if (!same_edge(lo, hi, d))
            rdie(r, 0, "LAMMPS data file: the box is not cubic (x %.17g..%.17g, %c %.17g..%.17g)",
                 lo[0], hi[0], 'x' + d, lo[d], hi[d]);

    lmp_atom *at = NULL;
    long *vid = NULL, *vline = NULL;
    double *vel = NULL;
    int got_atoms = 0, got_vel = 0;
    while (sec) {
        if (strcmp(sec, "Atoms") == 0) {
            if (got_atoms)
                rdie(r, 1, "LAMMPS data file: two Atoms sections");
            if (style[0] && strcmp(style, "charge") && strcmp(style, "sphere"))
                rdie(r, 1, "Atoms # %s: only atom styles charge (diameter in the charge "
                           "column) and sphere are supported", style);
            int sphere = strcmp(style, "sphere") == 0;
            long acap = 0;
            for (long i = 0; i < natoms; i++) {
                if (i == acap) {
                    acap = grow(acap, natoms);
                    at = tk_xrealloc(at, (size_t)acap * sizeof *at);
                }
                if (!next_nonblank(r))
                    rdie(r, 0, "truncated frame: Atoms section has %ld of %ld lines", i, natoms);
                strip_comment(r->buf);
                int nf = split_ws(r->buf, fld, 12);
                if (!style[0] && i == 0)
                    sphere = nf == 7 || nf == 10;
                int want = sphere ? 7 : 6;
                if (nf != want && nf != want + 3)
                    rdie(r, 1, "Atoms line %ld: expected %d or %d fields (atom style %s), found %d",
                         i + 1, want, want + 3, sphere ? "sphere" : "charge", nf);
                at[i].id = integer(r, fld[0], "atom id");
                if (at[i].id < 1)
                    rdie(r, 1, "Atoms line %ld: atom id %ld is not positive", i + 1, at[i].id);
                at[i].q = num(r, fld[2], sphere ? "diameter" : "diameter (charge column)");
                if (!(at[i].q > 0))
                    rdie(r, 1, "atom id %ld: diameter must be positive, found %s", at[i].id,
                         fld[2]);
                if (at[i].q < SIGMA_MIN)
                    rdie(r, 1, "atom id %ld: diameter %s is too small (at least %.17g)",
                         at[i].id, fld[2], SIGMA_MIN);
                int off = sphere ? 4 : 3;
                for (int d = 0; d < 3; d++)
                    at[i].x[d] = num(r, fld[off + d], "position");
            }
            got_atoms = 1;
        } else if (strcmp(sec, "Velocities") == 0) {
            if (got_vel)
                rdie(r, 1, "LAMMPS data file: two Velocities sections");
            long vcap = 0;
            for (long i = 0; i < natoms; i++) {
                if (i == vcap) {
                    vcap = grow(vcap, natoms);
                    vid = tk_xrealloc(vid, (size_t)vcap * sizeof *vid);
                    vline = tk_xrealloc(vline, (size_t)vcap * sizeof *vline);
                    vel = tk_xrealloc(vel, 3 * (size_t)vcap * sizeof *vel);
                }
                if (!next_nonblank(r))
                    rdie(r, 0, "truncated frame: Velocities section has %ld of %ld lines", i,
                         natoms);
                strip_comment(r->buf);
                int nf = split_ws(r->buf, fld, 12);
                if (nf != 4 && nf != 7)
                    rdie(r, 1, "Velocities line %ld: expected 4 fields, found %d", i + 1, nf);
                vid[i] = integer(r, fld[0], "atom id");
                vline[i] = r->line;
                for (int d = 0; d < 3; d++)
                    vel[3 * i + d] = num(r, fld[1 + d], "velocity");
            }
            got_vel = 1;
        } else if (strcmp(sec, "Masses") == 0 || strcmp(sec, "Coeffs") == 0) {
            /* rows of numbers, as many as they are (Masses, Pair Coeffs,
             * PairIJ Coeffs ... differ): up to the next keyword line */
            long rows = 0;
            while (next_nonblank(r)) {
                const char *p = r->buf;
                while (isspace((unsigned char)*p))
                    p++;
                if (!isdigit((unsigned char)*p) && *p != '-' && *p != '+' && *p != '.') {
                    push_line(r);
                    break;
                }
                rows++;
            }
            if (rows == 0)
                rdie(r, 0, "empty %s section", sec);
            /* the line after the section has been looked at already */
            sec = NULL;
            if (next_nonblank(r)) {
                sec = section_name(r->buf, style, sizeof style);
                if (!sec)
                    push_line(r);
            }
            continue;
        } else {
            rdie(r, 1, "LAMMPS data file: section %s is not supported", sec);
        }
        /* next section, or the end of this frame; a row of numbers here
         * means the section had more lines than the header said */
        sec = NULL;
        if (next_nonblank(r)) {
            sec = section_name(r->buf, style, sizeof style);
            if (!sec) {
                const char *p = r->buf;
                long count;
                while (isspace((unsigned char)*p))
                    p++;
                /* a lone integer starts the next (xyz) frame */
                if (isdigit((unsigned char)*p) && !lone_integer(p, &count))
                    rdie(r, 1, "more lines in the section than the %ld of 'N atoms'", natoms);
                push_line(r);
            }
        }
    }
    if (!got_atoms)
        rdie(r, 0, "LAMMPS data file: no Atoms section");

    qsort(at, (size_t)natoms, sizeof *at, cmp_atom);
    for (long i = 1; i < natoms; i++)
        if (at[i].id == at[i - 1].id)
            rdie(r, 0, "LAMMPS data file: atom id %ld appears twice", at[i].id);
    tk_frame_resize(f, (int)natoms);
    f->L = L;
    memcpy(f->origin, lo, sizeof f->origin);
    f->has_id = 1;
    f->has_v = got_vel;
    for (long i = 0; i < natoms; i++) {
        f->id[i] = at[i].id;
        f->sigma[i] = at[i].q;
        memcpy(f->x + 3 * i, at[i].x, sizeof at[i].x);
    }
    if (got_vel) {
        /* ids are sorted: place each velocity by binary search; every atom
         * exactly once (a repeated id would leave another atom's velocity
         * unset: garbage, or the previous frame's) */
        unsigned char *set = tk_xcalloc((size_t)natoms, 1);
        for (long i = 0; i < natoms; i++) {
            long *p = bsearch(&vid[i], f->id, (size_t)natoms, sizeof *f->id, cmp_long);
            if (!p)
                tk_die("%s:%ld: frame %ld: Velocities: atom id %ld is not in the Atoms section",
                       r->name, vline[i], r->frame, vid[i]);
            if (set[p - f->id]++)
                tk_die("%s:%ld: frame %ld: Velocities: atom id %ld appears twice (every atom "
                       "needs exactly one velocity)", r->name, vline[i], r->frame, vid[i]);
            memcpy(f->v + 3 * (p - f->id), vel + 3 * i, 3 * sizeof *vel);
        }
        for (long i = 0; i < natoms; i++)
            if (!set[i])
                rdie(r, 0, "Velocities: no velocity for atom id %ld", f->id[i]);
        free(set);
    }
    free(at);
    free(vid);
    free(vline);
    free(vel);
}

/* ---------- LAMMPS text dumps (read only) ---------- */

#define DUMP_MAGIC "ITEM: TIMESTEP"
#define FMT_DUMP 3 /* r->last_fmt of a dump frame */

/* One snapshot of a `dump custom` / `dump atom` / `write_dump` text file:
 * ITEM: TIMESTEP, NUMBER OF ATOMS, BOX BOUNDS (orthogonal, cubic), ATOMS
 * with named columns: id, a diameter (q, as in our data files, diameter
 * or radius), positions (x y z, xu yu zu, xs ys zs or xsu ysu zsu) and
 * optionally vx vy vz; other columns (type, image flags ...) are ignored. */
static void read_dump(tk_reader *r, tk_frame *f)
{
    tk_meta_clear(&f->meta);
    long natoms = -1;
    double lo[3], hi[3];
    int have_box = 0;
    char *fld[64];
    /* the first line, ITEM: TIMESTEP, has been read already */
    for (int first = 1;; first = 0) {
        if (!first && !next_nonblank(r))
            rdie(r, 0, "LAMMPS dump: truncated snapshot (no ITEM: ATOMS)");
        if (strncmp(r->buf, "ITEM:", 5) != 0)
            rdie(r, 1, "LAMMPS dump: expected an ITEM: line, found '%.40s'", r->buf);
        const char *item = r->buf + 5;
        while (isspace((unsigned char)*item))
            item++;
        if (strncmp(item, "TIMESTEP", 8) == 0 || strncmp(item, "TIME", 4) == 0 ||
            strncmp(item, "UNITS", 5) == 0) {
            /* item points into the line buffer, which the next line reuses */
            char name[21];
            snprintf(name, sizeof name, "%s", item);
            if (!next_nonblank(r))
                rdie(r, 0, "LAMMPS dump: truncated after ITEM: %s", name);
            if (strncmp(name, "TIMESTEP", 8) == 0) {
                char *v[2] = {NULL, NULL};
                if (split_ws(r->buf, v, 1) != 1)
                    rdie(r, 1, "LAMMPS dump: TIMESTEP: expected one integer");
                tk_meta_setf(&f->meta, "timestep", "%ld", integer(r, v[0], "TIMESTEP"));
            }
        } else if (strncmp(item, "NUMBER OF ATOMS", 15) == 0) {
            if (!next_nonblank(r))
                rdie(r, 0, "LAMMPS dump: truncated after ITEM: NUMBER OF ATOMS");
            char *v[2] = {NULL, NULL};
            if (split_ws(r->buf, v, 1) != 1)
                rdie(r, 1, "LAMMPS dump: NUMBER OF ATOMS: expected one integer");
            natoms = integer(r, v[0], "NUMBER OF ATOMS");
            check_natoms(r, natoms);
        } else if (strncmp(item, "BOX BOUNDS", 10) == 0) {
            int tri = strstr(item, "xy") != NULL;
            for (int d = 0; d < 3; d++) {
                if (!next_nonblank(r))
                    rdie(r, 0, "LAMMPS dump: truncated BOX BOUNDS");
                char *v[4] = {NULL, NULL, NULL, NULL};
                int nf = split_ws(r->buf, v, 3);
                if (nf != (tri ? 3 : 2))
                    rdie(r, 1, "LAMMPS dump: BOX BOUNDS: expected %d numbers", tri ? 3 : 2);
                lo[d] = num(r, v[0], "box bound");
                hi[d] = num(r, v[1], "box bound");
                if (tri && num(r, v[2], "tilt") != 0)
                    rdie(r, 1, "triclinic box: only cubic boxes are supported");
            }
            have_box = 1;
        } else if (strncmp(item, "ATOMS", 5) == 0) {
            break;
        } else {
            rdie(r, 1, "LAMMPS dump: unknown item '%.40s'", item);
        }
    }
    if (natoms < 0)
        rdie(r, 1, "LAMMPS dump: ITEM: ATOMS before ITEM: NUMBER OF ATOMS");
    if (!have_box)
        rdie(r, 1, "LAMMPS dump: ITEM: ATOMS before ITEM: BOX BOUNDS");
    double L = hi[0] - lo[0];
    check_box(r, L, 1);
    for (int d = 1; d < 3; d++)
        if (!same_edge(lo, hi, d))
            rdie(r, 0, "LAMMPS dump: the box is not cubic (x %.17g..%.17g, %c %.17g..%.17g)",
                 lo[0], hi[0], 'x' + d, lo[d], hi[d]);

    /* the columns */
    char *cols = tk_xstrdup(r->buf + (strstr(r->buf, "ATOMS") - r->buf) + 5);
    int ncol = split_ws(cols, fld, 63);
    if (ncol > 63)
        rdie(r, 1, "LAMMPS dump: more than 63 columns");
    int cid = -1, cdiam = -1, cpos[3] = {-1, -1, -1}, cvel[3] = {-1, -1, -1};
    double dscale = 1;
    int scaled = 0, pos_kind = -1;
    static const char *pos_names[4][3] = {{"x", "y", "z"}, {"xu", "yu", "zu"},
                                          {"xs", "ys", "zs"}, {"xsu", "ysu", "zsu"}};
    for (int c = 0; c < ncol; c++) {
        const char *h = fld[c];
        if (strcmp(h, "id") == 0)
            cid = c;
        else if (strcmp(h, "q") == 0 || strcmp(h, "diameter") == 0 ||
                 strcmp(h, "radius") == 0) {
            if (cdiam >= 0)
                rdie(r, 1, "LAMMPS dump: two diameter columns (q, diameter, radius)");
            cdiam = c;
            dscale = strcmp(h, "radius") == 0 ? 2 : 1;
        } else if (strcmp(h, "vx") == 0 || strcmp(h, "vy") == 0 || strcmp(h, "vz") == 0)
            cvel[h[1] - 'x'] = c;
        else
            for (int k = 0; k < 4; k++)
                for (int d = 0; d < 3; d++)
                    if (strcmp(h, pos_names[k][d]) == 0) {
                        if (pos_kind >= 0 && pos_kind != k)
                            rdie(r, 1, "LAMMPS dump: positions in two kinds of columns (%s "
                                       "and %s)", pos_names[pos_kind][0], pos_names[k][0]);
                        pos_kind = k;
                        cpos[d] = c;
                    }
    }
    if (cid < 0)
        rdie(r, 1, "LAMMPS dump: no id column");
    if (cdiam < 0)
        rdie(r, 1, "LAMMPS dump: no diameter column: dump q (the diameter, atom style "
                   "charge), diameter or radius");
    if (cpos[0] < 0 || cpos[1] < 0 || cpos[2] < 0)
        rdie(r, 1, "LAMMPS dump: no positions (x y z, xu yu zu, xs ys zs or xsu ysu zsu)");
    int nvel = (cvel[0] >= 0) + (cvel[1] >= 0) + (cvel[2] >= 0);
    if (nvel != 0 && nvel != 3)
        rdie(r, 1, "LAMMPS dump: velocities need all of vx vy vz");
    scaled = pos_kind >= 2;
    free(cols);

    lmp_atom *at = NULL;
    double *vel = NULL;
    long acap = 0;
    for (long i = 0; i < natoms; i++) {
        if (i == acap) {
            acap = grow(acap, natoms);
            at = tk_xrealloc(at, (size_t)acap * sizeof *at);
            if (nvel)
                vel = tk_xrealloc(vel, 3 * (size_t)acap * sizeof *vel);
        }
        if (!next_nonblank(r))
            rdie(r, 0, "truncated frame: ATOMS has %ld of %ld lines", i, natoms);
        int nf = split_ws(r->buf, fld, 63);
        if (nf != ncol)
            rdie(r, 1, "ATOMS line %ld: expected %d columns, found %d", i + 1, ncol, nf);
        at[i].id = integer(r, fld[cid], "atom id");
        if (at[i].id < 1)
            rdie(r, 1, "ATOMS line %ld: atom id %ld is not positive", i + 1, at[i].id);
        at[i].q = dscale * num(r, fld[cdiam], "diameter");
        if (!(at[i].q > 0))
            rdie(r, 1, "atom id %ld: diameter must be positive, found %s", at[i].id, fld[cdiam]);
        if (!isfinite(at[i].q))
            rdie(r, 1, "atom id %ld: radius %s: the diameter (twice the radius) is not finite",
                 at[i].id, fld[cdiam]);
        if (at[i].q < SIGMA_MIN)
            rdie(r, 1, "atom id %ld: diameter %.17g is too small (at least %.17g)", at[i].id,
                 at[i].q, SIGMA_MIN);
        for (int d = 0; d < 3; d++) {
            double v = num(r, fld[cpos[d]], "position");
            at[i].x[d] = scaled ? lo[d] + v * L : v;
            if (!isfinite(at[i].x[d]))
                rdie(r, 1, "atom id %ld: scaled position %s: %c is not finite", at[i].id,
                     fld[cpos[d]], 'x' + d);
        }
        if (vel)
            for (int d = 0; d < 3; d++)
                vel[3 * i + d] = num(r, fld[cvel[d]], "velocity");
        /* the atom's index in the input, for its velocity after the sort */
        at[i].row = i;
    }
    qsort(at, (size_t)natoms, sizeof *at, cmp_atom);
    for (long i = 1; i < natoms; i++)
        if (at[i].id == at[i - 1].id)
            rdie(r, 0, "LAMMPS dump: atom id %ld appears twice", at[i].id);
    tk_frame_resize(f, (int)natoms);
    f->L = L;
    memcpy(f->origin, lo, sizeof f->origin);
    f->has_id = 1;
    f->has_v = vel != NULL;
    for (long i = 0; i < natoms; i++) {
        f->id[i] = at[i].id;
        f->sigma[i] = at[i].q;
        memcpy(f->x + 3 * i, at[i].x, sizeof at[i].x);
        if (vel)
            memcpy(f->v + 3 * i, vel + 3 * at[i].row, 3 * sizeof *vel);
    }
    free(at);
    free(vel);
}

void tk_write_lammps_typed(FILE *out, const tk_frame *f, int ntypes, const int *type)
{
    if (f->has_id && f->n > 0) {
        /* LAMMPS atom ids are distinct positive integers (and the reader
         * places atoms and velocities by id) */
        long *ids = tk_xmalloc((size_t)f->n * sizeof *ids);
        memcpy(ids, f->id, (size_t)f->n * sizeof *ids);
        qsort(ids, (size_t)f->n, sizeof *ids, cmp_long);
        long first = ids[0], twice = 0;
        int dup = 0;
        for (int i = 1; i < f->n && !dup; i++)
            if (ids[i] == ids[i - 1]) {
                dup = 1;
                twice = ids[i];
            }
        free(ids);
        if (first < 1)
            tk_die("LAMMPS data file: atom id %ld is not positive (LAMMPS ids are distinct "
                   "positive integers)", first);
        if (dup)
            tk_die("LAMMPS data file: atom id %ld appears twice (LAMMPS ids are distinct "
                   "positive integers)", twice);
    }
    fputs(LMP_TITLE, out);
    for (int k = 0; k < f->meta.n; k++) {
        fprintf(out, " %s=", f->meta.kv[k].key);
        write_value(out, f->meta.kv[k].val);
    }
    fprintf(out, "\n\n%d atoms\n%d atom types\n\n", f->n, type ? ntypes : 1);
    const char *ax[3] = {"x", "y", "z"};
    for (int d = 0; d < 3; d++)
        fprintf(out, "%.17g %.17g %slo %shi\n", f->origin[d], f->origin[d] + f->L, ax[d], ax[d]);
    fputs("\nMasses\n\n", out);
    for (int t = 1; t <= (type ? ntypes : 1); t++)
        fprintf(out, "%d 1\n", t);
    fputs("\nAtoms # charge\n\n", out);
    for (int i = 0; i < f->n; i++) {
        long id = f->has_id ? f->id[i] : i + 1;
        double p[3];
        long img[3];
        for (int d = 0; d < 3; d++) {
            /* LAMMPS wants atoms inside the box: wrap, keeping exact values
             * for atoms already inside, and record the image flags */
            double s = floor((f->x[3 * i + d] - f->origin[d]) / f->L);
            p[d] = f->x[3 * i + d] - s * f->L;
            /* rounding can land on the upper face or just below the lower */
            if (p[d] >= f->origin[d] + f->L) {
                p[d] -= f->L;
                s += 1;
            }
            if (p[d] < f->origin[d])
                p[d] = f->origin[d];
            /* LAMMPS reads image flags as int (and the cast of a larger
             * double is undefined) */
            if (!(fabs(s) <= INT_MAX))
                tk_die("LAMMPS data file: atom %d: %c = %.17g is %.3g box lengths from the box, "
                       "beyond an image flag (write extended XYZ or binary)",
                       i + 1, 'x' + d, f->x[3 * i + d], s);
            img[d] = (long)s;
        }
        fprintf(out, "%ld %d %.17g %.17g %.17g %.17g %ld %ld %ld\n", id, type ? type[i] : 1,
                f->sigma[i], p[0], p[1], p[2], img[0], img[1], img[2]);
    }
    if (f->has_v) {
        fputs("\nVelocities\n\n", out);
        for (int i = 0; i < f->n; i++)
            fprintf(out, "%ld %.17g %.17g %.17g\n", f->has_id ? f->id[i] : i + 1, f->v[3 * i],
                    f->v[3 * i + 1], f->v[3 * i + 2]);
    }
}

/* ---------- public ---------- */

void tk_reader_open(tk_reader *r, const char *path)
{
    memset(r, 0, sizeof *r);
    r->last_fmt = -1;
    if (strcmp(path, "-") == 0) {
        r->fp = stdin;
        r->name = tk_xstrdup("stdin");
        return;
    }
    r->fp = fopen(path, "rb");
    if (!r->fp)
        tk_die("%s: cannot open: %s", path, strerror(errno));
    r->own = 1;
    r->name = tk_xstrdup(path);
}

void tk_reader_close(tk_reader *r)
{
    if (r->own && r->fp)
        fclose(r->fp);
    free(r->buf);
    free(r->name);
    memset(r, 0, sizeof *r);
}

void tk_reader_open_seekable(tk_reader *r, const char *path)
{
    tk_reader_open(r, path);
    if (fseek(r->fp, 0, SEEK_CUR) == 0 && ftell(r->fp) >= 0)
        return;
    /* spool: an unlinked file is removed by the system at the last close */
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    size_t len = strlen(dir) + 32;
    char *tmpl = tk_xmalloc(len);
    snprintf(tmpl, len, "%s/tlskit-spool.XXXXXX", dir);
    int fd = mkstemp(tmpl);
    if (fd < 0)
        tk_die("%s: cannot make a temporary copy in %s (for random access): %s", r->name, dir,
               strerror(errno));
    unlink(tmpl);
    free(tmpl);
    FILE *tmp = fdopen(fd, "w+b");
    if (!tmp)
        tk_die("%s: temporary copy: %s", r->name, strerror(errno));
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, r->fp)) > 0)
        if (fwrite(buf, 1, n, tmp) != n)
            tk_die("%s: cannot write the temporary copy in %s (for random access): %s", r->name,
                   dir, strerror(errno));
    if (ferror(r->fp))
        tk_die("%s: read error: %s", r->name, strerror(errno));
    if (fflush(tmp) != 0 || fseek(tmp, 0, SEEK_SET) != 0)
        tk_die("%s: cannot write the temporary copy in %s (for random access): %s", r->name,
               dir, strerror(errno));
    if (r->own)
        fclose(r->fp);
    r->fp = tmp;
    r->own = 1;
}

long tk_reader_tell(tk_reader *r)
{
    if (r->pushed)
        tk_die("%s: internal error: tell with a pushed-back line", r->name);
    long off = ftell(r->fp);
    if (off < 0)
        tk_die("%s: not a seekable file (give a file, not a pipe)", r->name);
    return off;
}

void tk_reader_seek(tk_reader *r, long offset)
{
    if (fseek(r->fp, offset, SEEK_SET) != 0)
        tk_die("%s: cannot seek: %s", r->name, strerror(errno));
    r->pushed = 0;
}

int tk_read_frame(tk_reader *r, tk_frame *f)
{
    r->frame++; /* messages about the first line already name this frame */
    if (!next_nonblank(r)) {
        r->frame--;
        return 0;
    }
    long natoms;
    if (strncmp(r->buf, BIN_MAGIC, strlen(BIN_MAGIC)) == 0 && r->buf[strlen(BIN_MAGIC)] == '\0') {
        read_bin(r, f);
        r->last_fmt = TK_FMT_BIN;
    } else if (strncmp(r->buf, "TLSKIT-FRAME", 12) == 0) {
        rdie(r, 1, "binary frame of an unsupported version: '%.40s'", r->buf);
    } else if (lone_integer(r->buf, &natoms)) {
        read_xyz(r, f, natoms);
        r->last_fmt = TK_FMT_XYZ;
    } else if (strncmp(r->buf, DUMP_MAGIC, strlen(DUMP_MAGIC)) == 0) {
        read_dump(r, f);
        r->last_fmt = FMT_DUMP;
    } else if (r->last_fmt == -1 || r->last_fmt == TK_FMT_LAMMPS ||
               strncmp(r->buf, "LAMMPS", 6) == 0) {
        read_lammps(r, f);
        r->last_fmt = TK_FMT_LAMMPS;
    } else {
        rdie(r, 1, "expected the start of a frame (an atom count), found '%.40s' "
                   "(too many atom lines in the previous frame?)", r->buf);
    }
    return 1;
}

void tk_input_init(tk_input *in, int argc, char **argv)
{
    static char *dash[] = {"-"};
    memset(in, 0, sizeof *in);
    in->paths = argc > 0 ? argv : dash;
    in->n = argc > 0 ? argc : 1;
}

int tk_input_next(tk_input *in, tk_frame *f)
{
    while (in->i < in->n) {
        if (!in->open) {
            tk_reader_open(&in->r, in->paths[in->i]);
            in->open = 1;
        }
        if (tk_read_frame(&in->r, f)) {
            in->count++;
            return 1;
        }
        tk_reader_close(&in->r);
        in->open = 0;
        in->i++;
    }
    return 0;
}

const char *tk_input_where(const tk_input *in)
{
    static char buf[512];
    snprintf(buf, sizeof buf, "%s: frame %ld", in->open ? in->r.name : "input",
             in->open ? in->r.frame : 0L);
    return buf;
}

const char *tk_input_names(const tk_input *in)
{
    static char buf[600];
    const char *a = strcmp(in->paths[0], "-") == 0 ? "stdin" : in->paths[0];
    const char *b = strcmp(in->paths[in->n - 1], "-") == 0 ? "stdin" : in->paths[in->n - 1];
    if (in->n == 1)
        snprintf(buf, sizeof buf, "%s", a);
    else
        snprintf(buf, sizeof buf, "%s ... %s (%d inputs)", a, b, in->n);
    return buf;
}

void tk_input_require(const tk_input *in)
{
    if (in->count == 0)
        tk_die("%s: no frame in the input", tk_input_names(in));
}

void tk_input_close(tk_input *in)
{
    if (in->open)
        tk_reader_close(&in->r);
    in->open = 0;
}

void tk_write_frame(FILE *out, const tk_frame *f, tk_format fmt)
{
    switch (fmt) {
    case TK_FMT_XYZ:
        write_xyz(out, f);
        break;
    case TK_FMT_BIN:
        write_bin(out, f);
        break;
    case TK_FMT_LAMMPS:
        tk_write_lammps_typed(out, f, 1, NULL);
        break;
    }
}

int tk_format_parse(const char *s)
{
    if (strcmp(s, "xyz") == 0)
        return TK_FMT_XYZ;
    if (strcmp(s, "bin") == 0)
        return TK_FMT_BIN;
    if (strcmp(s, "lammps") == 0)
        return TK_FMT_LAMMPS;
    return -1;
}
