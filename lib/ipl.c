/* ipl.c - energies and forces of the IPL model with a Verlet list. */
#include "ipl.h"
#include "err.h"
#include "frame.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

double tk_sigma_from_uniform(double u)
{
    const double a = 1.0 / (TK_SIGMA_MIN * TK_SIGMA_MIN);
    const double b = 1.0 / (TK_SIGMA_MAX * TK_SIGMA_MAX);
    return 1.0 / sqrt(a - u * (a - b));
}

int tk_ipl_init(tk_ipl *m, int n, double L, const double origin[3], const double *sigma,
                double skin)
{
    memset(m, 0, sizeof *m);
    m->n = n;
    m->L = L;
    memcpy(m->origin, origin, sizeof m->origin);
    m->sigma = sigma;
    m->skin = skin;
    double smax = 0;
    for (int i = 0; i < n; i++)
        if (sigma[i] > smax)
            smax = sigma[i];
    m->rcmax = TK_XC * smax;
    m->first = tk_xmalloc(((size_t)n + 1) * sizeof *m->first);
    m->x0 = tk_xmalloc(3 * (size_t)n * sizeof *m->x0);
    m->next = tk_xmalloc((size_t)n * sizeof *m->next);
    m->cell = tk_xmalloc((size_t)n * sizeof *m->cell);
    m->order = tk_xmalloc((size_t)n * sizeof *m->order);
    m->pos = tk_xmalloc((size_t)n * sizeof *m->pos);
    m->xs = tk_xmalloc(3 * (size_t)n * sizeof *m->xs);
    m->mid = tk_xmalloc(((size_t)n + 1) * sizeof *m->mid);
    m->ibuf = tk_xmalloc((size_t)n * sizeof *m->ibuf);
    m->bbuf = tk_xmalloc((size_t)n * sizeof *m->bbuf);
    m->ibuf_s2 = tk_xmalloc((size_t)n * sizeof *m->ibuf_s2);
    m->bbuf_s2 = tk_xmalloc((size_t)n * sizeof *m->bbuf_s2);
    m->bbuf_img = tk_xmalloc((size_t)n);
    for (int c = 0; c < 27; c++) {
        m->shift[c][0] = (c / 9 - 1) * L;
        m->shift[c][1] = ((c / 3) % 3 - 1) * L;
        m->shift[c][2] = (c % 3 - 1) * L;
    }
    /* the half-box test keeps every pair unique under minimum image */
    return 0.5 * L > m->rcmax + skin ? 0 : -1;
}

void tk_ipl_free(tk_ipl *m)
{
    free(m->first);
    free(m->nbr);
    free(m->inv_s2);
    free(m->x0);
    free(m->head);
    free(m->next);
    free(m->cell);
    free(m->order);
    free(m->pos);
    free(m->xs);
    free(m->cstart);
    free(m->sten);
    free(m->sten_img);
    free(m->mid);
    free(m->img);
    free(m->ibuf);
    free(m->bbuf);
    free(m->ibuf_s2);
    free(m->bbuf_s2);
    free(m->bbuf_img);
    memset(m, 0, sizeof *m);
}

void tk_ipl_invalidate(tk_ipl *m)
{
    m->valid = 0;
}

static void reserve(tk_ipl *m, size_t extra)
{
    if (m->npair + extra <= m->cap)
        return;
    while (m->npair + extra > m->cap)
        m->cap = m->cap ? 2 * m->cap : 16 * (size_t)m->n + 64;
    m->nbr = tk_xrealloc(m->nbr, m->cap * sizeof *m->nbr);
    m->inv_s2 = tk_xrealloc(m->inv_s2, m->cap * sizeof *m->inv_s2);
    m->img = tk_xrealloc(m->img, m->cap * sizeof *m->img);
}

/* Candidate j seen through a known periodic image (code, shift s): the
 * cell stencil fixes it, so no minimum-image arithmetic at all. */
static inline void candidate_img(tk_ipl *m, const double *xi, const double *xj, int i, int j,
                                 int code, const double *s)
{
    double dx = xi[0] - xj[0] + s[0], dy = xi[1] - xj[1] + s[1], dz = xi[2] - xj[2] + s[2];
    double r2 = dx * dx + dy * dy + dz * dz;
    if (r2 >= m->rl2max)
        return;
    double sij = tk_sigma_ij(m->sigma[i], m->sigma[j]), rl = TK_XC * sij + m->skin;
    if (r2 >= rl * rl)
        return;
    if (code == 13) {
        m->ibuf[m->ni] = j;
        m->ibuf_s2[m->ni++] = 1.0 / (sij * sij);
    } else {
        m->bbuf[m->nb] = j;
        m->bbuf_s2[m->nb] = 1.0 / (sij * sij);
        m->bbuf_img[m->nb++] = (unsigned char)code;
    }
}

/* Candidate pair (i, j) of the all-pairs build (small boxes): find the
 * periodic image first.  Positions are wrapped, so |x_i - x_j| < L. */
static void candidate(tk_ipl *m, const double *x, int i, int j)
{
    int sh[3];
    for (int d = 0; d < 3; d++) {
        double dd = x[3 * i + d] - x[3 * j + d];
        sh[d] = dd > 0.5 * m->L ? -1 : dd < -0.5 * m->L ? 1 : 0;
    }
    int code = (sh[0] + 1) * 9 + (sh[1] + 1) * 3 + (sh[2] + 1);
    candidate_img(m, x + 3 * i, x + 3 * j, i, j, code, m->shift[code]);
}

static void flush_particle(tk_ipl *m, int i)
{
    /* at least one slot: memcpy must never see a null list, even for 0 */
    reserve(m, (size_t)(m->ni + m->nb) + 1);
    m->first[i] = (int)m->npair;
    memcpy(m->nbr + m->npair, m->ibuf, (size_t)m->ni * sizeof *m->nbr);
    memcpy(m->inv_s2 + m->npair, m->ibuf_s2, (size_t)m->ni * sizeof *m->inv_s2);
    memset(m->img + m->npair, 13, (size_t)m->ni);
    m->npair += (size_t)m->ni;
    m->mid[i] = (int)m->npair;
    memcpy(m->nbr + m->npair, m->bbuf, (size_t)m->nb * sizeof *m->nbr);
    memcpy(m->inv_s2 + m->npair, m->bbuf_s2, (size_t)m->nb * sizeof *m->inv_s2);
    memcpy(m->img + m->npair, m->bbuf_img, (size_t)m->nb);
    m->npair += (size_t)m->nb;
    m->ni = m->nb = 0;
}

static void build(tk_ipl *m, double *x)
{
    int n = m->n;
    double L = m->L, rl = m->rcmax + m->skin;
    /* wrapped positions: every pair's image shift is fixed until the next
     * build, so the force loop needs no minimum-image arithmetic */
    tk_wrap(n, L, m->origin, x);
    memcpy(m->x0, x, 3 * (size_t)n * sizeof *x);
    m->npair = 0;
    m->rl2max = rl * rl;
    m->ni = m->nb = 0;
    /* cells of at least half the list range, a 5x5x5 half stencil: about
     * 2.5 times fewer candidates than 3x3x3 cells of the full range */
    int reach = 2, nc = (int)floor(L / (0.5 * rl));
    if (nc < 5) {
        reach = 1;
        nc = (int)floor(L / rl);
    }
    /* a dilute box needs no more cells than particles (larger cells stay
     * correct, they only hold more candidates) */
    int ncmax = (int)cbrt(2.0 * n) + 1;
    if (nc > ncmax)
        nc = ncmax > 5 ? ncmax : 5;
    if (nc < 3) {
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++)
                candidate(m, x, i, j);
            flush_particle(m, i);
        }
        m->first[n] = (int)m->npair;
        m->valid = 1;
        m->nbuild++;
        return;
    }
    int ncell = nc * nc * nc;
    if (nc != m->nc) {
        /* the forward half stencil of every cell, computed once */
        m->nc = nc;
        m->nsten = reach == 2 ? 62 : 13;
        m->cstart = tk_xrealloc(m->cstart, ((size_t)ncell + 1) * sizeof *m->cstart);
        m->head = tk_xrealloc(m->head, (size_t)ncell * sizeof *m->head);
        m->sten = tk_xrealloc(m->sten, (size_t)ncell * m->nsten * sizeof *m->sten);
        m->sten_img = tk_xrealloc(m->sten_img, (size_t)ncell * m->nsten);
        for (int c = 0; c < ncell; c++) {
            int cx = c / (nc * nc), cy = (c / nc) % nc, cz = c % nc, k = 0;
            for (int ax = 0; ax <= reach; ax++)
                for (int ay = ax ? -reach : 0; ay <= reach; ay++)
                    for (int az = (ax || ay) ? -reach : 1; az <= reach; az++) {
                        int a[3] = {cx + ax, cy + ay, cz + az}, sh[3];
                        for (int d = 0; d < 3; d++) {
                            /* a neighbour cell across the upper face holds
                             * particles whose near image is one box up */
                            sh[d] = a[d] >= nc ? -1 : a[d] < 0 ? 1 : 0;
                            a[d] = (a[d] + nc) % nc;
                        }
                        m->sten[(size_t)c * m->nsten + k] = (a[0] * nc + a[1]) * nc + a[2];
                        m->sten_img[(size_t)c * m->nsten + k] =
                            (unsigned char)((sh[0] + 1) * 9 + (sh[1] + 1) * 3 + (sh[2] + 1));
                        k++;
                    }
        }
    }
    /* counting sort into cell order, coordinates copied contiguously */
    int *cs = m->cstart;
    memset(cs, 0, ((size_t)ncell + 1) * sizeof *cs);
    for (int i = 0; i < n; i++) {
        int ci[3];
        for (int d = 0; d < 3; d++) {
            int k = (int)((x[3 * i + d] - m->origin[d]) / L * nc);
            ci[d] = k < 0 ? 0 : k >= nc ? nc - 1 : k;
        }
        m->cell[i] = (ci[0] * nc + ci[1]) * nc + ci[2];
        cs[m->cell[i] + 1]++;
    }
    for (int c = 0; c < ncell; c++)
        cs[c + 1] += cs[c];
    for (int c = 0; c < ncell; c++)
        m->head[c] = cs[c]; /* fill pointers */
    for (int i = 0; i < n; i++) { /* stable: a cell lists ascending indices */
        int q = m->head[m->cell[i]]++;
        m->order[q] = i;
        m->pos[i] = q;
        memcpy(m->xs + 3 * q, x + 3 * i, 3 * sizeof *x);
    }
    for (int i = 0; i < n; i++) {
        int c = m->cell[i];
        const double *xi = x + 3 * i;
        for (int q = m->pos[i] + 1; q < cs[c + 1]; q++) /* own cell, j > i */
            candidate_img(m, xi, m->xs + 3 * q, i, m->order[q], 13, m->shift[13]);
        const int *st = m->sten + (size_t)c * m->nsten;
        const unsigned char *im = m->sten_img + (size_t)c * m->nsten;
        for (int k = 0; k < m->nsten; k++) {
            const double *sh = m->shift[im[k]];
            for (int q = cs[st[k]]; q < cs[st[k] + 1]; q++)
                candidate_img(m, xi, m->xs + 3 * q, i, m->order[q], im[k], sh);
        }
        flush_particle(m, i);
    }
    m->first[n] = (int)m->npair;
    m->valid = 1;
    m->nbuild++;
}

static void ensure_list(tk_ipl *m, double *x)
{
    if (m->valid) {
        /* plain differences: a particle wrapped by someone else shows up as
         * a jump of L and simply triggers a rebuild; no early exit, so the
         * loop vectorises (the list is usually still valid) */
        double worst = 0;
        const double *x0 = m->x0;
        for (int i = 0; i < 3 * m->n; i += 3) {
            double dx = x[i] - x0[i], dy = x[i + 1] - x0[i + 1], dz = x[i + 2] - x0[i + 2];
            double d2 = dx * dx + dy * dy + dz * dz;
            worst = d2 > worst ? d2 : worst;
        }
        if (worst <= 0.25 * m->skin * m->skin)
            return;
    }
    build(m, x);
}

/* The force loop, specialised by the compiler for want_e = 0 and 1. */
static inline double kernel(tk_ipl *m, const double *x, double *f, double *virial,
                            const int want_e)
{
    int n = m->n;
    double e = 0, w = 0;
    memset(f, 0, 3 * (size_t)n * sizeof *f);
    const int *nbr = m->nbr;
    const double *is2 = m->inv_s2;
    const unsigned char *img = m->img;
    for (int i = 0; i < n; i++) {
        double xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2];
        double fxi = 0, fyi = 0, fzi = 0;
        int end = m->first[i + 1], mid = m->mid[i];
        for (int k = m->first[i]; k < end; k++) {
            int j = nbr[k];
            double dx = xi - x[3 * j], dy = yi - x[3 * j + 1], dz = zi - x[3 * j + 2];
            if (k >= mid) { /* boundary pairs come last */
                const double *s = m->shift[img[k]];
                dx += s[0];
                dy += s[1];
                dz += s[2];
            }
            double r2 = dx * dx + dy * dy + dz * dz;
            double x2 = r2 * is2[k];
            if (x2 < TK_XC2) {
                double i2 = 1.0 / x2, i6 = i2 * i2 * i2, i12 = i6 * i6;
                double fr = (12.0 * i12 * i2 - 2.0 * TK_C2 - 4.0 * TK_C4 * x2) * is2[k];
                if (want_e) {
                    e += i12 + TK_C0 + x2 * (TK_C2 + TK_C4 * x2);
                    w += fr * r2;
                }
                fxi += fr * dx;
                fyi += fr * dy;
                fzi += fr * dz;
                f[3 * j] -= fr * dx;
                f[3 * j + 1] -= fr * dy;
                f[3 * j + 2] -= fr * dz;
            }
        }
        f[3 * i] += fxi;
        f[3 * i + 1] += fyi;
        f[3 * i + 2] += fzi;
    }
    if (virial)
        *virial = w;
    return e;
}

double tk_ipl_forces(tk_ipl *m, double *x, double *f, double *virial)
{
    ensure_list(m, x);
    m->nforce++;
    return kernel(m, x, f, virial, 1);
}

void tk_ipl_forces_only(tk_ipl *m, double *x, double *f)
{
    ensure_list(m, x);
    m->nforce++;
    kernel(m, x, f, NULL, 0);
}

double tk_ipl_energy(tk_ipl *m, double *x)
{
    ensure_list(m, x);
    int n = m->n;
    double e = 0;
    for (int i = 0; i < n; i++)
        for (int k = m->first[i]; k < m->first[i + 1]; k++) {
            int j = m->nbr[k];
            const double *s = m->shift[m->img[k]];
            double dx = x[3 * i] - x[3 * j] + s[0], dy = x[3 * i + 1] - x[3 * j + 1] + s[1],
                   dz = x[3 * i + 2] - x[3 * j + 2] + s[2];
            double v, fr;
            if (tk_pair(dx * dx + dy * dy + dz * dz, m->inv_s2[k], &v, &fr))
                e += v;
        }
    return e;
}

double tk_ipl_forces_direct(int n, double L, const double *x, const double *sigma, double *f,
                            double *virial)
{
    double e = 0, w = 0;
    if (f)
        memset(f, 0, 3 * (size_t)n * sizeof *f);
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++) {
            double d[3];
            for (int k = 0; k < 3; k++)
                d[k] = tk_mic(x[3 * i + k] - x[3 * j + k], L);
            double r2 = d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
            double s = tk_sigma_ij(sigma[i], sigma[j]);
            double v, fr;
            if (!tk_pair(r2, 1.0 / (s * s), &v, &fr))
                continue;
            e += v;
            w += fr * r2;
            if (f)
                for (int k = 0; k < 3; k++) {
                    f[3 * i + k] += fr * d[k];
                    f[3 * j + k] -= fr * d[k];
                }
        }
    if (virial)
        *virial = w;
    return e;
}

double tk_fmax(int n, const double *f)
{
    /* branch-free so that it vectorises; NaN is reported as NaN */
    double m = 0;
    int nan = 0;
    for (int i = 0; i < 3 * n; i++) {
        double a = fabs(f[i]);
        m = a > m ? a : m;
        nan |= a != a;
    }
    return nan ? NAN : m;
}

void tk_ipl_for_frame(tk_ipl *m, tk_frame *f, double skin, const char *where)
{
    if (tk_ipl_init(m, f->n, f->L, f->origin, f->sigma, skin) != 0)
        tk_die("%s: box edge %.6g is too small for %d particles: it must exceed twice the "
               "largest cutoff plus skin (2 x (%.6g + %.6g))",
               where, f->L, f->n, m->rcmax, skin);
}
