/* swapmc.c - swap Monte Carlo for the polydisperse IPL model. */
#include "swapmc.h"
#include "err.h"
#include "ipl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SKIN_MIN 0.3

static double skin_for(double delta)
{
    /* a trial displacement is at most sqrt(3) delta; rebuilding before a
     * trial that leaves the skin/2 sphere keeps every trial inside it */
    double s = 2 * sqrt(3.0) * delta * 1.0001;
    return s > SKIN_MIN ? s : SKIN_MIN;
}

int tk_swapmc_init(tk_swapmc *mc, int n, double L, const double origin[3], double *x,
                   double *sigma, double T, double delta, double pswap)
{
    memset(mc, 0, sizeof *mc);
    mc->n = n;
    mc->L = L;
    memcpy(mc->origin, origin, sizeof mc->origin);
    mc->x = x;
    mc->sigma = sigma;
    mc->T = T;
    mc->pswap = pswap;
    double smax = 0;
    for (int i = 0; i < n; i++)
        smax = fmax(smax, sigma[i]);
    mc->rc = TK_XC * smax; /* largest sigma_ij any permutation can make */
    mc->delta = delta;
    mc->skin = skin_for(delta);
    mc->stride = 96;
    mc->nbr = tk_xmalloc((size_t)n * mc->stride * sizeof *mc->nbr);
    mc->cnt = tk_xcalloc((size_t)n, sizeof *mc->cnt);
    mc->prev = tk_xmalloc((size_t)n * sizeof *mc->prev);
    mc->x0 = tk_xmalloc(3 * (size_t)n * sizeof *mc->x0);
    mc->next = tk_xmalloc((size_t)n * sizeof *mc->next);
    mc->cell = tk_xmalloc((size_t)n * sizeof *mc->cell);
    tk_wrap(n, L, origin, x);
    return 0.5 * L > mc->rc + mc->skin ? 0 : -1;
}

void tk_swapmc_free(tk_swapmc *mc)
{
    free(mc->cnt);
    free(mc->prev);
    free(mc->nbr);
    free(mc->x0);
    free(mc->head);
    free(mc->next);
    free(mc->cell);
    memset(mc, 0, sizeof *mc);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Pairs are listed when their centres x0 are closer than rc + skin; every
 * particle stays within skin/2 of its centre, so no pair closer than rc is
 * ever missing.  A particle about to leave its sphere is recentred alone. */

static int cell_index(const tk_swapmc *mc, const double *p)
{
    int nc = mc->nc, ci[3];
    for (int d = 0; d < 3; d++) {
        double u = (p[d] - mc->origin[d]) / mc->L;
        u -= floor(u);
        int k = (int)(u * nc);
        ci[d] = k < 0 ? 0 : k >= nc ? nc - 1 : k;
    }
    return (ci[0] * nc + ci[1]) * nc + ci[2];
}

static void cell_insert(tk_swapmc *mc, int i)
{
    int c = cell_index(mc, mc->x0 + 3 * i);
    mc->cell[i] = c;
    mc->prev[i] = -1;
    mc->next[i] = mc->head[c];
    if (mc->head[c] >= 0)
        mc->prev[mc->head[c]] = i;
    mc->head[c] = i;
}

static void cell_remove(tk_swapmc *mc, int i)
{
    if (mc->prev[i] >= 0)
        mc->next[mc->prev[i]] = mc->next[i];
    else
        mc->head[mc->cell[i]] = mc->next[i];
    if (mc->next[i] >= 0)
        mc->prev[mc->next[i]] = mc->prev[i];
}

static int centres_close(const tk_swapmc *mc, int i, int j)
{
    double L = mc->L, rl = mc->rc + mc->skin;
    const double *a = mc->x0 + 3 * i, *b = mc->x0 + 3 * j;
    double dx = tk_mic(a[0] - b[0], L), dy = tk_mic(a[1] - b[1], L), dz = tk_mic(a[2] - b[2], L);
    return dx * dx + dy * dy + dz * dz < rl * rl;
}

static void grow(tk_swapmc *mc)
{
    int n = mc->n, old = mc->stride, s = 2 * old;
    int *nb = tk_xmalloc((size_t)n * s * sizeof *nb);
    for (int i = 0; i < n; i++)
        memcpy(nb + (size_t)i * s, mc->nbr + (size_t)i * old, (size_t)mc->cnt[i] * sizeof *nb);
    free(mc->nbr);
    mc->nbr = nb;
    mc->stride = s;
}

static void add(tk_swapmc *mc, int i, int j)
{
    if (mc->cnt[i] == mc->stride)
        grow(mc);
    mc->nbr[(size_t)i * mc->stride + mc->cnt[i]++] = j;
}

/* Collect the neighbours of i around its centre into i's sorted list. */
static void collect(tk_swapmc *mc, int i)
{
    int nc = mc->nc;
    mc->cnt[i] = 0;
    if (nc >= 3) {
        int c = mc->cell[i], cx = c / (nc * nc), cy = (c / nc) % nc, cz = c % nc;
        for (int ax = -1; ax <= 1; ax++)
            for (int ay = -1; ay <= 1; ay++)
                for (int az = -1; az <= 1; az++) {
                    int cc = (((cx + ax + nc) % nc) * nc + (cy + ay + nc) % nc) * nc +
                             (cz + az + nc) % nc;
                    for (int j = mc->head[cc]; j >= 0; j = mc->next[j])
                        if (j != i && centres_close(mc, i, j))
                            add(mc, i, j);
                }
    } else {
        for (int j = 0; j < mc->n; j++)
            if (j != i && centres_close(mc, i, j))
                add(mc, i, j);
    }
    /* index order: energies do not depend on the list's history */
    qsort(mc->nbr + (size_t)i * mc->stride, (size_t)mc->cnt[i], sizeof *mc->nbr, cmp_int);
}

/* Position of i in j's sorted list (or where it would go). */
static int find(const tk_swapmc *mc, int j, int i)
{
    const int *l = mc->nbr + (size_t)j * mc->stride;
    int lo = 0, hi = mc->cnt[j];
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (l[mid] < i)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void list_remove(tk_swapmc *mc, int j, int i)
{
    int *l = mc->nbr + (size_t)j * mc->stride, n = mc->cnt[j], k = find(mc, j, i);
    if (k < n && l[k] == i) {
        memmove(l + k, l + k + 1, (size_t)(n - k - 1) * sizeof *l);
        mc->cnt[j]--;
    }
}

static void list_insert(tk_swapmc *mc, int j, int i)
{
    if (mc->cnt[j] == mc->stride)
        grow(mc);
    int *l = mc->nbr + (size_t)j * mc->stride, n = mc->cnt[j], k = find(mc, j, i);
    memmove(l + k + 1, l + k, (size_t)(n - k) * sizeof *l);
    l[k] = i;
    mc->cnt[j]++;
}

static void build(tk_swapmc *mc)
{
    int n = mc->n, nc = (int)floor(mc->L / (mc->rc + mc->skin)), ncmax = (int)cbrt(2.0 * n) + 1;
    if (nc > ncmax) /* a dilute box needs no more cells than particles */
        nc = ncmax > 3 ? ncmax : 3;
    memcpy(mc->x0, mc->x, 3 * (size_t)n * sizeof *mc->x);
    mc->nc = nc >= 3 ? nc : 1;
    mc->head = tk_xrealloc(mc->head, (size_t)mc->nc * mc->nc * mc->nc * sizeof *mc->head);
    for (int c = 0; c < mc->nc * mc->nc * mc->nc; c++)
        mc->head[c] = -1;
    for (int i = n - 1; i >= 0; i--)
        cell_insert(mc, i);
    for (int i = 0; i < n; i++)
        collect(mc, i);
    mc->nbuild++;
    mc->valid = 1;
}

static void recentre(tk_swapmc *mc, int i)
{
    for (int k = 0; k < mc->cnt[i]; k++)
        list_remove(mc, mc->nbr[(size_t)i * mc->stride + k], i);
    cell_remove(mc, i);
    memcpy(mc->x0 + 3 * i, mc->x + 3 * i, 3 * sizeof *mc->x);
    cell_insert(mc, i);
    collect(mc, i);
    for (int k = 0; k < mc->cnt[i]; k++)
        list_insert(mc, mc->nbr[(size_t)i * mc->stride + k], i);
    mc->nrecentre++;
}

void tk_swapmc_set_delta(tk_swapmc *mc, double delta)
{
    mc->delta = delta;
    double s = skin_for(delta);
    if (s != mc->skin) {
        mc->skin = s;
        mc->valid = 0;
    }
}

static inline double wrap1(double d, double L, double hL)
{
    return d > hL ? d - L : d < -hL ? d + L : d;
}

static inline double pair_v(double r2, double sij)
{
    /* cutoff test by multiplication: most listed pairs fail it, and the
     * division is then needed only inside the cutoff */
    double s2 = sij * sij;
    if (r2 >= TK_XC2 * s2)
        return 0;
    double i2 = s2 / r2, x2 = r2 / s2, i6 = i2 * i2 * i2;
    return i6 * i6 + TK_C0 + x2 * (TK_C2 + TK_C4 * x2);
}

/* Energy change of moving i from x_i to p. */
static double delta_disp(const tk_swapmc *mc, int i, const double p[3])
{
    const double *x = mc->x, *s = mc->sigma;
    double L = mc->L, hL = 0.5 * L, rc2 = mc->rc * mc->rc, si = s[i];
    double xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2];
    double de = 0;
    const int *l = mc->nbr + (size_t)i * mc->stride;
    for (int k = 0; k < mc->cnt[i]; k++) {
        int j = l[k];
        double xj = x[3 * j], yj = x[3 * j + 1], zj = x[3 * j + 2];
        double ax = wrap1(p[0] - xj, L, hL), ay = wrap1(p[1] - yj, L, hL),
               az = wrap1(p[2] - zj, L, hL);
        double bx = wrap1(xi - xj, L, hL), by = wrap1(yi - yj, L, hL), bz = wrap1(zi - zj, L, hL);
        double ra = ax * ax + ay * ay + az * az, rb = bx * bx + by * by + bz * bz;
        if (ra >= rc2 && rb >= rc2)
            continue;
        double sij = tk_sigma_ij(si, s[j]);
        de += pair_v(ra, sij) - pair_v(rb, sij);
    }
    return de;
}

/* Energy change of giving i the diameter snew, ignoring the pair (i, skip). */
static double delta_sigma(const tk_swapmc *mc, int i, double snew, int skip)
{
    const double *x = mc->x, *s = mc->sigma;
    double L = mc->L, hL = 0.5 * L, rc2 = mc->rc * mc->rc, si = s[i];
    double xi = x[3 * i], yi = x[3 * i + 1], zi = x[3 * i + 2];
    double de = 0;
    const int *l = mc->nbr + (size_t)i * mc->stride;
    for (int k = 0; k < mc->cnt[i]; k++) {
        int j = l[k];
        if (j == skip)
            continue;
        double dx = wrap1(xi - x[3 * j], L, hL), dy = wrap1(yi - x[3 * j + 1], L, hL),
               dz = wrap1(zi - x[3 * j + 2], L, hL);
        double r2 = dx * dx + dy * dy + dz * dz;
        if (r2 >= rc2)
            continue;
        de += pair_v(r2, tk_sigma_ij(snew, s[j])) - pair_v(r2, tk_sigma_ij(si, s[j]));
    }
    return de;
}

static int metropolis(tk_swapmc *mc, double de)
{
    if (de <= 0)
        return 1;
    return tk_rng_uniform(&mc->rng) < exp(-de / mc->T);
}

void tk_swapmc_sweep(tk_swapmc *mc)
{
    int n = mc->n;
    double lim = 0.25 * mc->skin * mc->skin;
    if (!mc->valid)
        build(mc);
    for (int t = 0; t < n; t++) {
        if (mc->pswap > 0 && tk_rng_uniform(&mc->rng) < mc->pswap) {
            int i = (int)tk_rng_below(&mc->rng, (uint64_t)n);
            int j = (int)tk_rng_below(&mc->rng, (uint64_t)n - 1);
            if (j >= i)
                j++;
            mc->try_swap++;
            double si = mc->sigma[i], sj = mc->sigma[j];
            /* the (i, j) pair keeps its sigma_ij: it drops out of dU */
            double de = delta_sigma(mc, i, sj, j) + delta_sigma(mc, j, si, i);
            if (metropolis(mc, de)) {
                mc->sigma[i] = sj;
                mc->sigma[j] = si;
                mc->E += de;
                mc->acc_swap++;
            }
        } else {
            int i = (int)tk_rng_below(&mc->rng, (uint64_t)n);
            double p[3];
            for (int d = 0; d < 3; d++)
                p[d] = mc->x[3 * i + d] + mc->delta * (2 * tk_rng_uniform(&mc->rng) - 1);
            mc->try_disp++;
            double L = mc->L, dx = tk_mic(p[0] - mc->x0[3 * i], L),
                   dy = tk_mic(p[1] - mc->x0[3 * i + 1], L),
                   dz = tk_mic(p[2] - mc->x0[3 * i + 2], L);
            /* the list may not hold the trial's new neighbours: recentre i
             * on its current position first (the trial is within skin/2) */
            if (dx * dx + dy * dy + dz * dz > lim)
                recentre(mc, i);
            double de = delta_disp(mc, i, p);
            if (metropolis(mc, de)) {
                tk_wrap(1, mc->L, mc->origin, p);
                memcpy(mc->x + 3 * i, p, sizeof p);
                mc->E += de;
                mc->acc_disp++;
            }
        }
    }
}

double tk_swapmc_energy(tk_swapmc *mc)
{
    /* an independent evaluation: the force code's per-pair Verlet list */
    tk_ipl m;
    tk_ipl_init(&m, mc->n, mc->L, mc->origin, mc->sigma, TK_SKIN_DEFAULT);
    double e = tk_ipl_energy(&m, mc->x);
    tk_ipl_free(&m);
    return e;
}
