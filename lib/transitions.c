/* transitions.c - transition counts and their table. */
#include "transitions.h"
#include "err.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HEADER "#i\tj\tei\tej\tnij\tnji\tri\tki\trj\tkj"

void tk_transitions_init(tk_transitions *tr)
{
    memset(tr, 0, sizeof *tr);
}

void tk_transitions_free(tk_transitions *tr)
{
    free(tr->t);
    free(tr->slot);
    memset(tr, 0, sizeof *tr);
}

static size_t hash(long i, long j, size_t nslot)
{
    unsigned long long h = (unsigned long long)i * 0x9e3779b97f4a7c15ULL ^
                           (unsigned long long)j * 0xc2b2ae3d27d4eb4fULL;
    h ^= h >> 29;
    return (size_t)(h & (nslot - 1));
}

static void rehash(tk_transitions *tr)
{
    free(tr->slot);
    tr->nslot = tr->nslot ? 2 * tr->nslot : 1024;
    tr->slot = tk_xmalloc(tr->nslot * sizeof *tr->slot);
    for (size_t s = 0; s < tr->nslot; s++)
        tr->slot[s] = -1;
    for (size_t k = 0; k < tr->count; k++) {
        size_t s = hash(tr->t[k].i, tr->t[k].j, tr->nslot);
        while (tr->slot[s] >= 0)
            s = (s + 1) & (tr->nslot - 1);
        tr->slot[s] = (long)k;
    }
}

void tk_transitions_addn(tk_transitions *tr, long i, long j, long nij, long nji)
{
    if (i > j) {
        long t = i;
        i = j;
        j = t;
        t = nij;
        nij = nji;
        nji = t;
    }
    if (2 * (tr->count + 1) > tr->nslot)
        rehash(tr);
    size_t s = hash(i, j, tr->nslot);
    while (tr->slot[s] >= 0) {
        tk_trans *t = &tr->t[tr->slot[s]];
        if (t->i == i && t->j == j) {
            if (nij > TK_COUNT_MAX - t->nij || nji > TK_COUNT_MAX - t->nji)
                tk_die("pair (%ld, %ld): more than %g transitions: the counts would overflow", i,
                       j, (double)TK_COUNT_MAX);
            t->nij += nij;
            t->nji += nji;
            return;
        }
        s = (s + 1) & (tr->nslot - 1);
    }
    if (tr->count == tr->cap) {
        tr->cap = tr->cap ? 2 * tr->cap : 256;
        tr->t = tk_xrealloc(tr->t, tr->cap * sizeof *tr->t);
    }
    tr->t[tr->count] = (tk_trans){i, j, nij, nji};
    tr->slot[s] = (long)tr->count++;
}

void tk_transitions_add(tk_transitions *tr, long from, long to)
{
    tk_transitions_addn(tr, from, to, 1, 0);
}

static int cmp_trans(const void *a, const void *b)
{
    const tk_trans *x = a, *y = b;
    if (x->i != y->i)
        return (x->i > y->i) - (x->i < y->i);
    return (x->j > y->j) - (x->j < y->j);
}

void tk_transitions_write(const tk_transitions *tr, const tk_minlib *lib, FILE *fp)
{
    tk_trans *t = tk_xmalloc((tr->count ? tr->count : 1) * sizeof *t);
    if (tr->count) { /* tr->t is NULL before the first transition */
        memcpy(t, tr->t, tr->count * sizeof *t);
        qsort(t, tr->count, sizeof *t, cmp_trans);
    }
    fputs(HEADER "\n", fp);
    for (size_t k = 0; k < tr->count; k++) {
        const tk_minimum *a = &lib->m[t[k].i], *b = &lib->m[t[k].j];
        fprintf(fp, "%ld\t%ld\t%.17g\t%.17g\t%ld\t%ld\t%ld\t%ld\t%ld\t%ld\n", t[k].i, t[k].j, a->e,
                b->e, t[k].nij, t[k].nji, a->run, a->k, b->run, b->k);
    }
    free(t);
}

/* One row: 10 tab-separated fields, integers in range (strtol: no silent
 * overflow), counts 0 .. TK_COUNT_MAX so that sums cannot overflow. */
static void parse_row(const char *path, long lineno, char *line, tk_trow *t)
{
    static const char *names[10] = {"i", "j", "ei", "ej", "nij", "nji", "ri", "ki", "rj", "kj"};
    long *ints[10] = {&t->i, &t->j, NULL, NULL, &t->nij, &t->nji, &t->ri, &t->ki, &t->rj, &t->kj};
    double *dbl[10] = {NULL, NULL, &t->ei, &t->ej};
    char *p = line;
    for (int k = 0; k < 10; k++) {
        char *end = p;
        while (*end && *end != '\t')
            end++;
        if (k < 9 ? *end != '\t' : *end != '\0')
            tk_die("%s:%ld: expected 10 tab-separated fields i j ei ej nij nji ri ki rj kj", path,
                   lineno);
        char save = *end;
        *end = '\0';
        char *stop;
        errno = 0;
        if (ints[k]) {
            *ints[k] = strtol(p, &stop, 10);
            if (stop == p || *stop || errno)
                tk_die("%s:%ld: %s = '%s' is not an integer in range", path, lineno, names[k], p);
        } else {
            *dbl[k] = strtod(p, &stop);
            if (stop == p || *stop || !isfinite(*dbl[k]))
                tk_die("%s:%ld: %s = '%s' is not a finite number", path, lineno, names[k], p);
        }
        *end = save;
        p = end + 1;
    }
    if (t->i < 0 || t->j <= t->i)
        tk_die("%s:%ld: bad row: need 0 <= i < j (i = %ld, j = %ld)", path, lineno, t->i, t->j);
    if (t->nij < 0 || t->nji < 0 || t->nij > TK_COUNT_MAX || t->nji > TK_COUNT_MAX)
        tk_die("%s:%ld: bad row: the counts nij = %ld, nji = %ld must be 0 to %g", path, lineno,
               t->nij, t->nji, (double)TK_COUNT_MAX);
}

size_t tk_transitions_read(const char *path, tk_trow **rows)
{
    FILE *fp = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!fp)
        tk_die("%s: cannot open: %s", path, strerror(errno));
    char *line = NULL;
    size_t cap = 0, count = 0, rcap = 0;
    long lineno = 0;
    tk_trow *r = NULL;
    ssize_t len;
    while ((len = getline(&line, &cap, fp)) >= 0) {
        lineno++;
        if ((size_t)len != strlen(line)) /* else the rest of the line is ignored */
            tk_die("%s:%ld: a NUL byte: not a text file", path, lineno);
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        if (lineno == 1) {
            if (strcmp(line, HEADER) != 0)
                tk_die("%s:1: not a transitions table (header '%.60s', expected '%s')", path,
                       line, HEADER);
            continue;
        }
        if (strcmp(line, HEADER) == 0)
            tk_die("%s:%ld: a second header: concatenated tables would count pairs twice (use "
                   "is-merge)", path, lineno);
        if (len == 0 || line[0] == '#')
            continue;
        if (count == rcap) {
            rcap = rcap ? 2 * rcap : 256;
            r = tk_xrealloc(r, rcap * sizeof *r);
        }
        tk_trow *t = &r[count];
        parse_row(path, lineno, line, t);
        count++;
    }
    if (ferror(fp))
        tk_die("%s: read error", path);
    if (lineno == 0)
        tk_die("%s: empty transitions table (no header)", path);
    free(line);
    if (fp != stdin)
        fclose(fp);
    *rows = r;
    return count;
}
