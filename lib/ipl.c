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
    memset(m, 0, sizeof *m);
}

void tk_ipl_invalidate(tk_ipl *m)
{
    m->valid = 0;
}

static void add_pair(tk_ipl *m, int j, double is2)
{
    if (m->npair == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 16 * (size_t)m->n + 64;
        m->nbr = tk_xrealloc(m->nbr, m->cap * sizeof *m->nbr);
        m->inv_s2 = tk_xrealloc(m->inv_s2, m->cap * sizeof *m->inv_s2);
    }
    m->nbr[m->npair] = j;
    m->inv_s2[m->npair] = is2;
    m->npair++;
}

static void try_pair(tk_ipl *m, const double *x, int i, int j)
{
    double L = m->L;
    double dx = tk_mic(x[3 * i] - x[3 * j], L);
    double dy = tk_mic(x[3 * i + 1] - x[3 * j + 1], L);
    double dz = tk_mic(x[3 * i + 2] - x[3 * j + 2], L);
    double r2 = dx * dx + dy * dy + dz * dz;
    double sij = tk_sigma_ij(m->sigma[i], m->sigma[j]);
    double rl = TK_XC * sij + m->skin;
    if (r2 < rl * rl)
        add_pair(m, j, 1.0 / (sij * sij));
}

static void build(tk_ipl *m, double *x)
{
    int n = m->n;
    double L = m->L;
    /* wrapping keeps |x_i - x_j| < L + skin between builds, so the force loop
     * needs one conditional correction instead of a rounding per component */
    tk_wrap(n, L, m->origin, x);
    memcpy(m->x0, x, 3 * (size_t)n * sizeof *x);
    m->npair = 0;
    int nc = (int)floor(L / (m->rcmax + m->skin));
    if (nc < 3) {
        for (int i = 0; i < n; i++) {
            m->first[i] = (int)m->npair;
            for (int j = i + 1; j < n; j++)
                try_pair(m, x, i, j);
        }
        m->first[n] = (int)m->npair;
    } else {
        if (nc != m->nc) {
            m->nc = nc;
            m->head = tk_xrealloc(m->head, (size_t)nc * nc * nc * sizeof *m->head);
        }
        int ncell = nc * nc * nc;
        for (int c = 0; c < ncell; c++)
            m->head[c] = -1;
        int *cell = m->cell;
        for (int i = n - 1; i >= 0; i--) {
            int ci[3];
            for (int d = 0; d < 3; d++) {
                int k = (int)((x[3 * i + d] - m->origin[d]) / L * nc);
                ci[d] = k < 0 ? 0 : k >= nc ? nc - 1 : k;
            }
            int c = (ci[0] * nc + ci[1]) * nc + ci[2];
            cell[i] = c;
            m->next[i] = m->head[c];
            m->head[c] = i;
        }
        for (int i = 0; i < n; i++) {
            m->first[i] = (int)m->npair;
            int c = cell[i];
            int cx = c / (nc * nc), cy = (c / nc) % nc, cz = c % nc;
            for (int ax = -1; ax <= 1; ax++)
                for (int ay = -1; ay <= 1; ay++)
                    for (int az = -1; az <= 1; az++) {
                        int nx = (cx + ax + nc) % nc, ny = (cy + ay + nc) % nc,
                            nz = (cz + az + nc) % nc;
                        for (int j = m->head[(nx * nc + ny) * nc + nz]; j >= 0; j = m->next[j])
                            if (j > i)
                                try_pair(m, x, i, j);
                    }
        }
        m->first[n] = (int)m->npair;
    }
    m->valid = 1;
    m->nbuild++;
}

static void ensure_list(tk_ipl *m, double *x)
{
    if (m->valid) {
        double lim = 0.25 * m->skin * m->skin;
        int i, n = m->n;
        for (i = 0; i < n; i++) {
            /* plain difference: a particle wrapped by someone else shows up
             * as a jump of L and simply triggers a rebuild */
            double dx = x[3 * i] - m->x0[3 * i], dy = x[3 * i + 1] - m->x0[3 * i + 1],
                   dz = x[3 * i + 2] - m->x0[3 * i + 2];
            if (dx * dx + dy * dy + dz * dz > lim)
                break;
        }
        if (i == n)
            return;
    }
    build(m, x);
}

double tk_ipl_forces(tk_ipl *m, double *x, double *f, double *virial)
{
    ensure_list(m, x);
    m->nforce++;
    int n = m->n;
    double L = m->L, hL = 0.5 * L;
    double e = 0, w = 0;
    memset(f, 0, 3 * (size_t)n * sizeof *f);
    const int *nbr = m->nbr;
    const double *is2 = m->inv_s2;
    for (int i = 0; i < n; i++) {
        double xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2];
        double fxi = 0, fyi = 0, fzi = 0;
        for (int k = m->first[i]; k < m->first[i + 1]; k++) {
            int j = nbr[k];
            double dx = xi - x[3 * j], dy = yi - x[3 * j + 1], dz = zi - x[3 * j + 2];
            dx = dx > hL ? dx - L : dx < -hL ? dx + L : dx;
            dy = dy > hL ? dy - L : dy < -hL ? dy + L : dy;
            dz = dz > hL ? dz - L : dz < -hL ? dz + L : dz;
            double r2 = dx * dx + dy * dy + dz * dz;
            double x2 = r2 * is2[k];
            if (x2 < TK_XC2) {
                double i2 = 1.0 / x2, i6 = i2 * i2 * i2, i12 = i6 * i6;
                e += i12 + TK_C0 + x2 * (TK_C2 + TK_C4 * x2);
                double fr = (12.0 * i12 * i2 - 2.0 * TK_C2 - 4.0 * TK_C4 * x2) * is2[k];
                w += fr * r2;
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

double tk_ipl_energy(tk_ipl *m, double *x)
{
    ensure_list(m, x);
    int n = m->n;
    double L = m->L;
    double e = 0;
    for (int i = 0; i < n; i++)
        for (int k = m->first[i]; k < m->first[i + 1]; k++) {
            int j = m->nbr[k];
            double dx = tk_mic(x[3 * i] - x[3 * j], L), dy = tk_mic(x[3 * i + 1] - x[3 * j + 1], L),
                   dz = tk_mic(x[3 * i + 2] - x[3 * j + 2], L);
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
    double m = 0;
    for (int i = 0; i < 3 * n; i++) {
        double a = fabs(f[i]);
        if (a > m || a != a)
            m = a;
    }
    return m;
}

void tk_ipl_for_frame(tk_ipl *m, tk_frame *f, double skin, const char *where)
{
    if (tk_ipl_init(m, f->n, f->L, f->origin, f->sigma, skin) != 0)
        tk_die("%s: box edge %.6g is too small for %d particles: it must exceed twice the "
               "largest cutoff plus skin (2 x (%.6g + %.6g))",
               where, f->L, f->n, m->rcmax, skin);
}
