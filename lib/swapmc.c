/* swapmc.c - swap Monte Carlo for the polydisperse IPL model. */
#include "swapmc.h"
#include "err.h"
#include "ipl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SKIN_MIN 0.4

/* Minimum image for two points inside the box (or just outside): one
 * conditional correction, far cheaper than a floor() per component. */
static inline double wrap1(double d, double L, double hL)
{
    return d > hL ? d - L : d < -hL ? d + L : d;
}


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
    mc->pstride = 32;
    mc->pn = tk_xmalloc((size_t)n * mc->pstride * sizeof *mc->pn);
    mc->ps2 = tk_xmalloc((size_t)n * mc->pstride * sizeof *mc->ps2);
    mc->pcnt = tk_xcalloc((size_t)n, sizeof *mc->pcnt);
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
    free(mc->pn);
    free(mc->ps2);
    free(mc->pcnt);
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
    double L = mc->L, hL = 0.5 * L, rl = mc->rc + mc->skin;
    const double *a = mc->x0 + 3 * i, *b = mc->x0 + 3 * j;
    double dx = wrap1(a[0] - b[0], L, hL), dy = wrap1(a[1] - b[1], L, hL),
           dz = wrap1(a[2] - b[2], L, hL);
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

/* Position of i in the sorted list l of n entries (or where it would go). */
static int lower_bound(const int *l, int n, int i)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        if (l[mid] < i)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int find(const tk_swapmc *mc, int j, int i)
{
    return lower_bound(mc->nbr + (size_t)j * mc->stride, mc->cnt[j], i);
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

/* Near lists: the subset of the full list with |x0_i - x0_j| < 1.25 sigma_ij
 * + skin for the current diameters, with 1/sigma_ij^2 stored.  Displacement
 * trials need only these (about a third of the full list); they are
 * updated when a swap is accepted or a particle is recentred. */

static int near_pair(const tk_swapmc *mc, int i, int j, double *is2)
{
    double sij = tk_sigma_ij(mc->sigma[i], mc->sigma[j]), rl = TK_XC * sij + mc->skin;
    double L = mc->L, hL = 0.5 * L;
    const double *a = mc->x0 + 3 * i, *b = mc->x0 + 3 * j;
    double dx = wrap1(a[0] - b[0], L, hL), dy = wrap1(a[1] - b[1], L, hL),
           dz = wrap1(a[2] - b[2], L, hL);
    *is2 = 1 / (sij * sij);
    return dx * dx + dy * dy + dz * dz < rl * rl;
}

static void pgrow(tk_swapmc *mc)
{
    int n = mc->n, old = mc->pstride, s = 2 * old;
    int *pn = tk_xmalloc((size_t)n * s * sizeof *pn);
    double *ps = tk_xmalloc((size_t)n * s * sizeof *ps);
    for (int i = 0; i < n; i++) {
        memcpy(pn + (size_t)i * s, mc->pn + (size_t)i * old, (size_t)mc->pcnt[i] * sizeof *pn);
        memcpy(ps + (size_t)i * s, mc->ps2 + (size_t)i * old, (size_t)mc->pcnt[i] * sizeof *ps);
    }
    free(mc->pn);
    free(mc->ps2);
    mc->pn = pn;
    mc->ps2 = ps;
    mc->pstride = s;
}

static void near_rebuild(tk_swapmc *mc, int i)
{
    const int *g = mc->nbr + (size_t)i * mc->stride;
    mc->pcnt[i] = 0;
    for (int k = 0; k < mc->cnt[i]; k++) {
        double is2;
        if (near_pair(mc, i, g[k], &is2)) {
            if (mc->pcnt[i] == mc->pstride)
                pgrow(mc);
            size_t at = (size_t)i * mc->pstride + mc->pcnt[i]++;
            mc->pn[at] = g[k];
            mc->ps2[at] = is2;
        }
    }
}

static int pfind(const tk_swapmc *mc, int k, int i)
{
    return lower_bound(mc->pn + (size_t)k * mc->pstride, mc->pcnt[k], i);
}

static void near_remove(tk_swapmc *mc, int k, int i)
{
    int n = mc->pcnt[k], at = pfind(mc, k, i);
    int *l = mc->pn + (size_t)k * mc->pstride;
    double *s2 = mc->ps2 + (size_t)k * mc->pstride;
    if (at < n && l[at] == i) {
        memmove(l + at, l + at + 1, (size_t)(n - at - 1) * sizeof *l);
        memmove(s2 + at, s2 + at + 1, (size_t)(n - at - 1) * sizeof *s2);
        mc->pcnt[k]--;
    }
}

static void near_insert(tk_swapmc *mc, int k, int i, double is2)
{
    if (mc->pcnt[k] == mc->pstride)
        pgrow(mc);
    int n = mc->pcnt[k], at = pfind(mc, k, i);
    int *l = mc->pn + (size_t)k * mc->pstride;
    double *s2 = mc->ps2 + (size_t)k * mc->pstride;
    memmove(l + at + 1, l + at, (size_t)(n - at) * sizeof *l);
    memmove(s2 + at + 1, s2 + at, (size_t)(n - at) * sizeof *s2);
    l[at] = i;
    s2[at] = is2;
    mc->pcnt[k]++;
}

/* i's diameter changed: its own near list and its entries in the others'. */
static void near_refresh(tk_swapmc *mc, int i)
{
    near_rebuild(mc, i);
    const int *g = mc->nbr + (size_t)i * mc->stride;
    for (int k = 0; k < mc->cnt[i]; k++) {
        int j = g[k], at = pfind(mc, j, i);
        double is2;
        int want = near_pair(mc, i, j, &is2);
        int has = at < mc->pcnt[j] && mc->pn[(size_t)j * mc->pstride + at] == i;
        if (has && want)
            mc->ps2[(size_t)j * mc->pstride + at] = is2; /* in place, no moves */
        else if (has)
            near_remove(mc, j, i);
        else if (want)
            near_insert(mc, j, i, is2);
    }
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
    for (int i = 0; i < n; i++)
        near_rebuild(mc, i);
    mc->nbuild++;
    mc->valid = 1;
}

static void recentre(tk_swapmc *mc, int i)
{
    for (int k = 0; k < mc->cnt[i]; k++) {
        int j = mc->nbr[(size_t)i * mc->stride + k];
        list_remove(mc, j, i);
        near_remove(mc, j, i);
    }
    cell_remove(mc, i);
    memcpy(mc->x0 + 3 * i, mc->x + 3 * i, 3 * sizeof *mc->x);
    cell_insert(mc, i);
    collect(mc, i);
    near_rebuild(mc, i);
    for (int k = 0; k < mc->cnt[i]; k++) {
        int j = mc->nbr[(size_t)i * mc->stride + k];
        double is2;
        list_insert(mc, j, i);
        if (near_pair(mc, i, j, &is2))
            near_insert(mc, j, i, is2);
    }
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

/* Pair energy, zero beyond the cutoff, computed without a branch: the
 * cutoff test is unpredictable, a wasted division is cheaper. */
static inline double vmask(double r2, double is2)
{
    double x2 = r2 * is2, i2 = 1.0 / x2, i6 = i2 * i2 * i2;
    double v = i6 * i6 + TK_C0 + x2 * (TK_C2 + TK_C4 * x2);
    return x2 < TK_XC2 ? v : 0.0;
}

static inline double dist2(const double *a, const double *b, double L, double hL)
{
    double dx = wrap1(a[0] - b[0], L, hL), dy = wrap1(a[1] - b[1], L, hL),
           dz = wrap1(a[2] - b[2], L, hL);
    return dx * dx + dy * dy + dz * dz;
}

/* Energy change of moving i from x_i to p: the near list suffices. */
static double delta_disp(const tk_swapmc *mc, int i, const double p[3])
{
    const double *x = mc->x, *xi = mc->x + 3 * i;
    double L = mc->L, hL = 0.5 * L, de = 0;
    const int *l = mc->pn + (size_t)i * mc->pstride;
    const double *is2 = mc->ps2 + (size_t)i * mc->pstride;
    for (int k = 0; k < mc->pcnt[i]; k++) {
        const double *xj = x + 3 * l[k];
        de += vmask(dist2(p, xj, L, hL), is2[k]) - vmask(dist2(xi, xj, L, hL), is2[k]);
    }
    return de;
}

/* Energy change of giving i the diameter snew, ignoring the pair (i, skip).
 * sigma_ij grows with sigma_i, so a smaller diameter needs only the near
 * list; a larger one looks through the full list. */
static double delta_sigma(const tk_swapmc *mc, int i, double snew, int skip)
{
    const double *x = mc->x, *s = mc->sigma, *xi = mc->x + 3 * i;
    double L = mc->L, hL = 0.5 * L, si = s[i], de = 0;
    if (snew <= si) {
        const int *l = mc->pn + (size_t)i * mc->pstride;
        const double *is2 = mc->ps2 + (size_t)i * mc->pstride;
        for (int k = 0; k < mc->pcnt[i]; k++) {
            int j = l[k];
            double r2 = dist2(xi, x + 3 * j, L, hL), sn = tk_sigma_ij(snew, s[j]);
            double d = vmask(r2, 1 / (sn * sn)) - vmask(r2, is2[k]);
            de += j == skip ? 0.0 : d;
        }
        return de;
    }
    const int *l = mc->nbr + (size_t)i * mc->stride;
    for (int k = 0; k < mc->cnt[i]; k++) {
        int j = l[k];
        double r2 = dist2(xi, x + 3 * j, L, hL), sn = tk_sigma_ij(snew, s[j]);
        /* beyond the new (larger) cutoff both terms vanish */
        if (j == skip || r2 >= TK_XC2 * sn * sn)
            continue;
        double so = tk_sigma_ij(si, s[j]);
        de += vmask(r2, 1 / (sn * sn)) - vmask(r2, 1 / (so * so));
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
                near_refresh(mc, i);
                near_refresh(mc, j);
                mc->E += de;
                mc->acc_swap++;
            }
        } else {
            int i = (int)tk_rng_below(&mc->rng, (uint64_t)n);
            double p[3];
            for (int d = 0; d < 3; d++)
                p[d] = mc->x[3 * i + d] + mc->delta * (2 * tk_rng_uniform(&mc->rng) - 1);
            mc->try_disp++;
            double L = mc->L, hL = 0.5 * L, dx = wrap1(p[0] - mc->x0[3 * i], L, hL),
                   dy = wrap1(p[1] - mc->x0[3 * i + 1], L, hL),
                   dz = wrap1(p[2] - mc->x0[3 * i + 2], L, hL);
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
