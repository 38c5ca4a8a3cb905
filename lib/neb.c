/* neb.c - climbing-image NEB relaxed by FIRE. */
#include "neb.h"
#include "displace.h"
#include "err.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void tk_neb_defaults(tk_neb_opts *o)
{
    o->nimages = 9;
    o->k = 5.0;
    o->tol = 1e-6;
    o->ci_on = 1e-2;
    o->ci_after = 2000;
    o->maxiter = 20000;
    o->dt0 = 0.01;
    o->dtmax = 0.1;
    o->dmax = 0.02;
}

void tk_neb_init(tk_neb *b, const tk_frame *f, const double *xa, const double *xb,
                 const tk_neb_opts *o)
{
    memset(b, 0, sizeof *b);
    int n = f->n, n3 = 3 * n, M = o->nimages + 2;
    b->n = n;
    b->M = M;
    b->L = f->L;
    b->ci = -1;
    b->R = tk_xmalloc((size_t)M * n3 * sizeof *b->R);
    b->F = tk_xcalloc((size_t)M * n3, sizeof *b->F);
    b->tau = tk_xcalloc((size_t)M * n3, sizeof *b->tau);
    b->E = tk_xcalloc((size_t)M, sizeof *b->E);
    b->ftan = tk_xcalloc((size_t)M, sizeof *b->ftan);
    b->s = tk_xcalloc((size_t)M, sizeof *b->s);
    b->model = tk_xmalloc((size_t)M * sizeof *b->model);
    double *ra = b->R, *rb = b->R + (size_t)(M - 1) * n3;
    memcpy(ra, xa, (size_t)n3 * sizeof *xa);
    /* b aligned to a: the drift-free near image, so that the band is the
     * straight line of the rearrangement, not of a rigid translation */
    tk_disp ds;
    tk_align(n, f->L, xa, xb, rb, &ds);
    memcpy(b->drift, ds.drift, sizeof b->drift);
    for (int i = 1; i < M - 1; i++) {
        double t = (double)i / (M - 1);
        for (int c = 0; c < n3; c++)
            b->R[(size_t)i * n3 + c] = (1 - t) * ra[c] + t * rb[c];
    }
    for (int i = 0; i < M; i++)
        tk_ipl_for_frame(&b->model[i], (tk_frame *)f, TK_SKIN_DEFAULT, "neb image");
}

void tk_neb_free(tk_neb *b)
{
    for (int i = 0; i < b->M; i++)
        tk_ipl_free(&b->model[i]);
    free(b->model);
    free(b->R);
    free(b->F);
    free(b->tau);
    free(b->E);
    free(b->ftan);
    free(b->s);
    memset(b, 0, sizeof *b);
}

static double dot(const double *a, const double *c, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += a[i] * c[i];
    return s;
}

/* Images may be wrapped into the box independently (the force code does
 * so), so every difference along the band is taken under minimum image. */
static double dist(const double *a, const double *c, int n, double L)
{
    double s = 0;
    for (int i = 0; i < n; i++) {
        double d = tk_mic(a[i] - c[i], L);
        s += d * d;
    }
    return sqrt(s);
}

static void evaluate(tk_neb *b, int i)
{
    int n3 = 3 * b->n;
    b->E[i] = tk_ipl_forces(&b->model[i], b->R + (size_t)i * n3, b->F + (size_t)i * n3, NULL);
    b->nforce++;
}

/* Improved tangents, path lengths, and F . tau of every image. */
static void tangents(tk_neb *b)
{
    int n3 = 3 * b->n, M = b->M;
    b->s[0] = 0;
    for (int i = 1; i < M; i++)
        b->s[i] = b->s[i - 1] + dist(b->R + (size_t)i * n3, b->R + (size_t)(i - 1) * n3, n3, b->L);
    for (int i = 0; i < M; i++) {
        double *t = b->tau + (size_t)i * n3;
        const double *r = b->R + (size_t)i * n3;
        if (i == 0 || i == M - 1) {
            /* the ends: the direction of the band there */
            const double *p = b->R + (size_t)(i == 0 ? 1 : M - 2) * n3;
            for (int c = 0; c < n3; c++)
                t[c] = tk_mic(i == 0 ? p[c] - r[c] : r[c] - p[c], b->L);
        } else {
            const double *rp = r + n3, *rm = r - n3;
            double ep = b->E[i + 1], e = b->E[i], em = b->E[i - 1];
            double wp, wm;
            if (ep > e && e > em) {
                wp = 1;
                wm = 0;
            } else if (ep < e && e < em) {
                wp = 0;
                wm = 1;
            } else {
                double dmax = fmax(fabs(ep - e), fabs(em - e)), dmin = fmin(fabs(ep - e), fabs(em - e));
                wp = ep > em ? dmax : dmin;
                wm = ep > em ? dmin : dmax;
                if (wp == 0 && wm == 0)
                    wp = wm = 1;
            }
            for (int c = 0; c < n3; c++)
                t[c] = wp * tk_mic(rp[c] - r[c], b->L) + wm * tk_mic(r[c] - rm[c], b->L);
        }
        /* no translation along the band: the images share the centroid
         * of the aligned ends */
        tk_remove_mean(b->n, t);
        double norm = sqrt(dot(t, t, n3));
        if (norm > 0)
            for (int c = 0; c < n3; c++)
                t[c] /= norm;
        b->ftan[i] = dot(b->F + (size_t)i * n3, t, n3);
    }
}

/* NEB forces of the interior images into g (M x 3n; ends zero); returns the
 * largest component. */
static double neb_forces(tk_neb *b, const tk_neb_opts *o, double *g)
{
    int n3 = 3 * b->n, M = b->M;
    double worst = 0;
    memset(g, 0, (size_t)M * n3 * sizeof *g);
    for (int i = 1; i < M - 1; i++) {
        const double *F = b->F + (size_t)i * n3, *t = b->tau + (size_t)i * n3;
        double *gi = g + (size_t)i * n3, ft = b->ftan[i];
        if (i == b->ci) {
            for (int c = 0; c < n3; c++)
                gi[c] = F[c] - 2 * ft * t[c];
        } else {
            double spring = o->k * ((b->s[i + 1] - b->s[i]) - (b->s[i] - b->s[i - 1]));
            for (int c = 0; c < n3; c++)
                gi[c] = F[c] - ft * t[c] + spring * t[c];
        }
        /* the true forces sum to zero only to rounding: no net force, so
         * that FIRE never moves an image's centre of mass */
        tk_remove_mean(b->n, gi);
        for (int c = 0; c < n3; c++) {
            double a = fabs(gi[c]);
            worst = a > worst ? a : worst;
        }
    }
    return worst;
}

int tk_neb_run(tk_neb *b, const tk_neb_opts *o)
{
    int n3 = 3 * b->n, M = b->M;
    size_t all = (size_t)M * n3;
    double *v = tk_xcalloc(all, sizeof *v), *g = tk_xmalloc(all * sizeof *g);
    for (int i = 0; i < M; i++)
        evaluate(b, i);
    tangents(b);
    double fm = neb_forces(b, o, g);
    double dt = o->dt0, alpha = 0.1;
    long npos = 0;
    b->converged = 0;
    b->diverged = 0;
    /* a band whose length runs away is not going to converge */
    double dlimit = fmax(10 * b->s[M - 1], b->s[M - 1] + 5);
    for (b->iter = 0; b->iter < o->maxiter; b->iter++) {
        if (b->ci < 0 && (fm < o->ci_on || b->iter >= o->ci_after)) {
            int top = 1;
            for (int i = 2; i < M - 1; i++)
                if (b->E[i] > b->E[top])
                    top = i;
            b->ci = top;
            fm = neb_forces(b, o, g);
        } else if (b->ci >= 0) {
            /* the highest image climbs: follow it if another overtakes */
            int top = b->ci;
            for (int i = 1; i < M - 1; i++)
                if (b->E[i] > b->E[top])
                    top = i;
            if (top != b->ci) {
                b->ci = top;
                fm = neb_forces(b, o, g);
            }
        }
        if (b->ci >= 0 && fm <= o->tol) {
            b->converged = 1;
            break;
        }
        if (!isfinite(fm) || b->s[M - 1] > dlimit) {
            b->diverged = 1;
            break;
        }
        /* FIRE on the whole band */
        double p = dot(g, v, (int)all);
        if (p > 0) {
            if (++npos > 5) {
                dt = fmin(dt * 1.1, o->dtmax);
                alpha *= 0.99;
            }
        } else {
            npos = 0;
            dt *= 0.5;
            alpha = 0.1;
            for (size_t c = 0; c < all; c++) {
                b->R[c] -= 0.5 * dt * v[c];
                v[c] = 0;
            }
        }
        double vv = 0, gg = 0;
        for (size_t c = 0; c < all; c++) {
            v[c] += dt * g[c];
            vv += v[c] * v[c];
            gg += g[c] * g[c];
        }
        double mix = gg > 0 ? alpha * sqrt(vv) / sqrt(gg) : 0, vmax = 0;
        for (size_t c = 0; c < all; c++) {
            v[c] = (1 - alpha) * v[c] + mix * g[c];
            double a = fabs(v[c]);
            vmax = a > vmax ? a : vmax;
        }
        double scale = vmax * dt > o->dmax ? o->dmax / (vmax * dt) : 1;
        for (size_t c = (size_t)n3; c < (size_t)(M - 1) * n3; c++) {
            v[c] *= scale;
            b->R[c] += dt * v[c];
        }
        for (int i = 1; i < M - 1; i++)
            evaluate(b, i);
        tangents(b);
        fm = neb_forces(b, o, g);
    }
    b->fmax = fm;
    free(v);
    free(g);
    return b->converged;
}

void tk_neb_profile(const tk_neb *b, int ns, double *xi, double *V)
{
    int M = b->M;
    double d = b->s[M - 1], e0 = b->E[0];
    int seg = 0;
    for (int q = 0; q < ns; q++) {
        double x = ns > 1 ? (double)q / (ns - 1) : 0, s = x * d;
        while (seg < M - 2 && s > b->s[seg + 1])
            seg++;
        double h = b->s[seg + 1] - b->s[seg], t = h > 0 ? (s - b->s[seg]) / h : 0;
        /* cubic Hermite with slopes dV/ds = -F . tau */
        double p0 = b->E[seg] - e0, p1 = b->E[seg + 1] - e0;
        double m0 = -b->ftan[seg] * h, m1 = -b->ftan[seg + 1] * h;
        double t2 = t * t, t3 = t2 * t;
        xi[q] = x;
        V[q] = (2 * t3 - 3 * t2 + 1) * p0 + (t3 - 2 * t2 + t) * m0 + (-2 * t3 + 3 * t2) * p1 +
               (t3 - t2) * m1;
    }
    xi[ns - 1] = 1;
}
