/* frame.c - frames and their metadata. */
#include "frame.h"
#include "err.h"
#include "ipl.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_oneline(const char *s)
{
    /* metadata values are single-line: a newline would break both formats */
    char *d = tk_xstrdup(s);
    for (char *p = d; *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
    return d;
}

void tk_meta_set(tk_meta *m, const char *key, const char *val)
{
    for (int i = 0; i < m->n; i++)
        if (strcmp(m->kv[i].key, key) == 0) {
            char *v = dup_oneline(val);
            free(m->kv[i].val);
            m->kv[i].val = v;
            return;
        }
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 16;
        m->kv = tk_xrealloc(m->kv, (size_t)m->cap * sizeof *m->kv);
    }
    m->kv[m->n].key = tk_xstrdup(key);
    m->kv[m->n].val = dup_oneline(val);
    m->n++;
}

void tk_meta_setf(tk_meta *m, const char *key, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (k < (int)sizeof buf) {
        tk_meta_set(m, key, buf);
        return;
    }
    char *big = tk_xmalloc((size_t)k + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)k + 1, fmt, ap);
    va_end(ap);
    tk_meta_set(m, key, big);
    free(big);
}

void tk_meta_setd(tk_meta *m, const char *key, double v)
{
    /* the shortest form that reads back as the same double: 0.07, not
     * 0.070000000000000007 */
    char buf[40];
    for (int p = 15; p <= 17; p++) {
        snprintf(buf, sizeof buf, "%.*g", p, v);
        if (strtod(buf, NULL) == v || p == 17)
            break;
    }
    tk_meta_set(m, key, buf);
}

const char *tk_meta_get(const tk_meta *m, const char *key)
{
    for (int i = 0; i < m->n; i++)
        if (strcmp(m->kv[i].key, key) == 0)
            return m->kv[i].val;
    return NULL;
}

int tk_meta_get_double(const tk_meta *m, const char *key, double *out)
{
    const char *s = tk_meta_get(m, key);
    if (!s)
        return 0;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v))
        tk_die("metadata %s='%s' is not a finite number", key, s);
    *out = v;
    return 1;
}

void tk_meta_del(tk_meta *m, const char *key)
{
    for (int i = 0; i < m->n; i++)
        if (strcmp(m->kv[i].key, key) == 0) {
            free(m->kv[i].key);
            free(m->kv[i].val);
            memmove(m->kv + i, m->kv + i + 1, (size_t)(m->n - i - 1) * sizeof *m->kv);
            m->n--;
            return;
        }
}

void tk_meta_clear(tk_meta *m)
{
    for (int i = 0; i < m->n; i++) {
        free(m->kv[i].key);
        free(m->kv[i].val);
    }
    m->n = 0;
}

void tk_meta_free(tk_meta *m)
{
    tk_meta_clear(m);
    free(m->kv);
    m->kv = NULL;
    m->cap = 0;
}

void tk_meta_copy(tk_meta *dst, const tk_meta *src)
{
    if (dst == src)
        return;
    tk_meta_clear(dst);
    for (int i = 0; i < src->n; i++)
        tk_meta_set(dst, src->kv[i].key, src->kv[i].val);
}

void tk_meta_history(tk_meta *m, const char *cmdline)
{
    const char *old = tk_meta_get(m, "history");
    if (!old || !*old) {
        tk_meta_set(m, "history", cmdline);
        return;
    }
    size_t n = strlen(old) + strlen(cmdline) + 4;
    char *s = tk_xmalloc(n);
    snprintf(s, n, "%s | %s", old, cmdline);
    tk_meta_set(m, "history", s);
    free(s);
}

void tk_frame_init(tk_frame *f)
{
    memset(f, 0, sizeof *f);
}

void tk_frame_resize(tk_frame *f, int n)
{
    if (n > f->cap) {
        size_t c = (size_t)n;
        f->x = tk_xrealloc(f->x, 3 * c * sizeof *f->x);
        f->sigma = tk_xrealloc(f->sigma, c * sizeof *f->sigma);
        f->v = tk_xrealloc(f->v, 3 * c * sizeof *f->v);
        f->id = tk_xrealloc(f->id, c * sizeof *f->id);
        f->cap = n;
    }
    f->n = n;
}

void tk_frame_free(tk_frame *f)
{
    free(f->x);
    free(f->sigma);
    free(f->v);
    free(f->id);
    tk_meta_free(&f->meta);
    memset(f, 0, sizeof *f);
}

void tk_frame_copy(tk_frame *dst, const tk_frame *src)
{
    if (dst == src)
        return;
    tk_frame_resize(dst, src->n);
    size_t n = (size_t)src->n;
    dst->L = src->L;
    memcpy(dst->origin, src->origin, sizeof dst->origin);
    memcpy(dst->x, src->x, 3 * n * sizeof *dst->x);
    memcpy(dst->sigma, src->sigma, n * sizeof *dst->sigma);
    dst->has_v = src->has_v;
    dst->has_id = src->has_id;
    if (src->has_v)
        memcpy(dst->v, src->v, 3 * n * sizeof *dst->v);
    if (src->has_id)
        memcpy(dst->id, src->id, n * sizeof *dst->id);
    tk_meta_copy(&dst->meta, &src->meta);
}

void tk_frame_ensure_v(tk_frame *f)
{
    if (!f->has_v) {
        memset(f->v, 0, 3 * (size_t)f->n * sizeof *f->v);
        f->has_v = 1;
    }
}

double tk_frame_volume(const tk_frame *f)
{
    return f->L * f->L * f->L;
}

void tk_wrap(int n, double L, const double origin[3], double *x)
{
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 3; k++) {
            double *p = &x[3 * i + k];
            double s = floor((*p - origin[k]) / L);
            if (s != 0) {
                *p -= s * L;
                /* rounding can land exactly on the upper face */
                if (*p >= origin[k] + L)
                    *p -= L;
                if (*p < origin[k])
                    *p = origin[k];
            }
        }
}

/* Minimum-image distance of particles i and j, and r / sigma_ij. */
static double pair_x(const tk_frame *f, int i, int j, double *r)
{
    double r2 = 0;
    for (int k = 0; k < 3; k++) {
        double d = tk_mic(f->x[3 * i + k] - f->x[3 * j + k], f->L);
        r2 += d * d;
    }
    *r = sqrt(r2);
    return *r / tk_sigma_ij(f->sigma[i], f->sigma[j]);
}

double tk_frame_closest(const tk_frame *f, int *pi, int *pj, double *pr)
{
    double best = INFINITY, rbest = INFINITY, r;
    int bi = -1, bj = -1;
    for (int i = 0; i < f->n; i++)
        for (int j = i + 1; j < f->n; j++) {
            double x = pair_x(f, i, j, &r);
            if (x < best || bi < 0) {
                best = x;
                rbest = r;
                bi = i;
                bj = j;
            }
        }
    if (pi)
        *pi = bi;
    if (pj)
        *pj = bj;
    if (pr)
        *pr = rbest;
    return best;
}

long tk_frame_interacting(const tk_frame *f, long max)
{
    long count = 0;
    double r;
    for (int i = 0; i < f->n && count < max; i++)
        for (int j = i + 1; j < f->n && count < max; j++)
            count += pair_x(f, i, j, &r) < TK_XC;
    return count;
}

const char *tk_frame_overlap(const tk_frame *f)
{
    static char msg[200];
    int i, j;
    double r, x = tk_frame_closest(f, &i, &j, &r);
    if (i < 0)
        snprintf(msg, sizeof msg, "%d particle%s", f->n, f->n == 1 ? "" : "s");
    else
        snprintf(msg, sizeof msg, "particles %d and %d overlap (distance %.3g, %.3g sigma_ij)",
                 i + 1, j + 1, r, x);
    return msg;
}
