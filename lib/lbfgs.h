/* lbfgs.h - the L-BFGS two-loop recursion in fused passes over 8-lane
 * vectors, shared by the minimiser (minimize.c) and the NEB (neb.c).
 *
 * Everything here is static inline and always inlined, so that it is
 * compiled for the vector width of the function that calls it (a plain,
 * an AVX2 and an AVX-512 copy of each caller, chosen at run time: simd.h);
 * the results are the same bit for bit with every width.
 */
#ifndef TK_LBFGS_H
#define TK_LBFGS_H

#include <math.h>
#include <string.h>

/* The passes of the L-BFGS iteration, fused: each pass updates the
 * direction and takes the dot product that the next step needs.  A dot
 * product (vdot) has eight partial sums s_l over the elements
 * t = l mod 8, in order, then ((s0 + s1) + (s2 + s3)) + ((s4 + s5) +
 * (s6 + s7)), the tail into s0; an 8-lane vector holds the partial sums,
 * so the passes vectorise and give bit-identical results with any vector
 * width (four SSE2 quarters, two AVX halves or one AVX-512 register), and
 * the additions form two or more independent chains (a few per cent
 * faster than one chain of 4-lane additions).  Every element operation is
 * the one of the plain loops. */
typedef double v8 __attribute__((vector_size(64)));
/* the helpers are always inlined: no vector crosses a call */
#pragma GCC diagnostic ignored "-Wpsabi"

#define TK_INLINE static inline __attribute__((always_inline))

TK_INLINE v8 ld(const double *p)
{
    v8 v;
    memcpy(&v, p, sizeof v);
    return v;
}

TK_INLINE void st(double *p, v8 v)
{
    memcpy(p, &v, sizeof v);
}

typedef long long v8i __attribute__((vector_size(64)));

TK_INLINE v8 vabs(v8 v)
{
    const long long a = 0x7fffffffffffffffLL;
    const v8i m = {a, a, a, a, a, a, a, a};
    return (v8)((v8i)v & m);
}

/* a > b ? a : b per lane (NaN: b) */
TK_INLINE v8 vmax(v8 a, v8 b)
{
    v8i k = a > b;
    return (v8)(((v8i)a & k) | ((v8i)b & ~k));
}

TK_INLINE double hsum(v8 s)
{
    return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
}

/* a . b in the 8-lane order of the passes (the tail into lane 0) */
TK_INLINE double vdot(const double *a, const double *b, int n)
{
    v8 s = {0, 0, 0, 0, 0, 0, 0, 0};
    int t = 0;
    for (; t + 8 <= n; t += 8)
        s += ld(a + t) * ld(b + t);
    double s0 = s[0];
    for (; t < n; t++)
        s0 += a[t] * b[t];
    s[0] = s0;
    return hsum(s);
}

/* p = f; returns dot(a, p) */
TK_INLINE double pass_copy_dot(double *p, const double *f, const double *a, int n)
{
    v8 s = {0, 0, 0, 0, 0, 0, 0, 0};
    int t = 0;
    for (; t + 8 <= n; t += 8) {
        v8 v = ld(f + t);
        st(p + t, v);
        s += ld(a + t) * v;
    }
    double s0 = s[0];
    for (; t < n; t++) {
        p[t] = f[t];
        s0 += a[t] * p[t];
    }
    s[0] = s0;
    return hsum(s);
}

/* p = (p - c y) * g (g applied when scale); returns dot(a, p) */
TK_INLINE double pass_axpy_dot(double *p, double c, const double *y, int scale, double g,
                               const double *a, int n)
{
    v8 s = {0, 0, 0, 0, 0, 0, 0, 0};
    v8 cv = {c, c, c, c, c, c, c, c}, gv = {g, g, g, g, g, g, g, g};
    int t = 0;
    if (scale) {
        for (; t + 8 <= n; t += 8) {
            v8 v = (ld(p + t) - cv * ld(y + t)) * gv;
            st(p + t, v);
            s += ld(a + t) * v;
        }
    } else {
        for (; t + 8 <= n; t += 8) {
            v8 v = ld(p + t) - cv * ld(y + t);
            st(p + t, v);
            s += ld(a + t) * v;
        }
    }
    double s0 = s[0];
    for (; t < n; t++) {
        p[t] -= c * y[t];
        if (scale)
            p[t] *= g;
        s0 += a[t] * p[t];
    }
    s[0] = s0;
    return hsum(s);
}

/* p = p + c s; returns dot(a, p) (a = NULL: dot(p, f) and *pmax = max |p|) */
TK_INLINE double pass_axpy2_dot(double *p, double c, const double *sv, const double *a,
                                const double *f, double *pmax, int n)
{
    v8 s = {0, 0, 0, 0, 0, 0, 0, 0};
    v8 cv = {c, c, c, c, c, c, c, c};
    int t = 0;
    if (a) {
        for (; t + 8 <= n; t += 8) {
            v8 v = ld(p + t) + cv * ld(sv + t);
            st(p + t, v);
            s += ld(a + t) * v;
        }
        double s0 = s[0];
        for (; t < n; t++) {
            p[t] += c * sv[t];
            s0 += a[t] * p[t];
        }
        s[0] = s0;
        return hsum(s);
    }
    v8 mx = {0, 0, 0, 0, 0, 0, 0, 0};
    for (; t + 8 <= n; t += 8) {
        v8 v = ld(p + t) + cv * ld(sv + t);
        st(p + t, v);
        s += v * ld(f + t);
        mx = vmax(vabs(v), mx);
    }
    double s0 = s[0], m = 0;
    for (int l = 0; l < 8; l++)
        m = mx[l] > m ? mx[l] : m;
    for (; t < n; t++) {
        p[t] += c * sv[t];
        s0 += p[t] * f[t];
        double av = fabs(p[t]);
        m = av > m ? av : m;
    }
    s[0] = s0;
    *pmax = m;
    return hsum(s);
}

/* s = scale p; x += s; y = f (the forces before the step) */
TK_INLINE void pass_step(double *x, double *sv, double *y, const double *p, const double *f,
                         double scale, int n)
{
    v8 cv = {scale, scale, scale, scale, scale, scale, scale, scale};
    int t = 0;
    for (; t + 8 <= n; t += 8) {
        v8 v = cv * ld(p + t);
        st(sv + t, v);
        st(x + t, ld(x + t) + v);
        st(y + t, ld(f + t));
    }
    for (; t < n; t++) {
        sv[t] = scale * p[t];
        x[t] += sv[t];
        y[t] = f[t];
    }
}

/* y = y - f; *sy = dot(s, y), *yy = dot(y, y); returns max |f| (NaN when
 * some f is NaN), as tk_fmax */
TK_INLINE double pass_sy(double *y, const double *sv, const double *f, double *sy, double *yy,
                         int n)
{
    v8 a = {0, 0, 0, 0, 0, 0, 0, 0}, b = {0, 0, 0, 0, 0, 0, 0, 0}, mx = {0, 0, 0, 0, 0, 0, 0, 0};
    v8i nan = {0, 0, 0, 0, 0, 0, 0, 0};
    int t = 0;
    for (; t + 8 <= n; t += 8) {
        v8 fv = ld(f + t), v = ld(y + t) - fv;
        st(y + t, v);
        a += ld(sv + t) * v;
        b += v * v;
        v8 av = vabs(fv);
        mx = vmax(av, mx);
        nan |= av != av;
    }
    double a0 = a[0], b0 = b[0], m = 0;
    int isnan = 0;
    for (int l = 0; l < 8; l++) {
        m = mx[l] > m ? mx[l] : m;
        isnan |= nan[l] != 0;
    }
    for (; t < n; t++) {
        y[t] -= f[t];
        a0 += sv[t] * y[t];
        b0 += y[t] * y[t];
        double av = fabs(f[t]);
        m = av > m ? av : m;
        isnan |= av != av;
    }
    a[0] = a0;
    b[0] = b0;
    *sy = hsum(a);
    *yy = hsum(b);
    return isnan ? NAN : m;
}

/* The L-BFGS direction p = H f of the two-loop recursion over the k stored
 * pairs (S, Y: mem rows of n; the newest at row head - 1, ring order;
 * rho = 1 / s.y, syv = s.y, yyv = y.y per row; alpha: mem scratch):
 *
 *   p = f; for c = newest..oldest: a_c = rho_c s_c.p, p -= a_c y_c;
 *   p *= gamma (s.y / y.y of the newest pair; 0.01 without one);
 *   for c = oldest..newest: b = rho_c y_c.p, p += (a_c - b) s_c;
 *
 * with each update fused with the next dot product: 2 k + 1 passes.
 * Returns p.f; *pmax = max |p|. */
TK_INLINE double tk_lbfgs_direction(double *p, const double *f, const double *S, const double *Y,
                                    const double *rho, double *alpha, const double *syv,
                                    const double *yyv, int k, int head, int mem, int n,
                                    double *pmax)
{
#define TK_ROW(A, c) ((A) + (size_t)(((head) - 1 - (c) + (mem)) % (mem)) * (size_t)(n))
#define TK_IDX(c) (((head) - 1 - (c) + (mem)) % (mem))
    double gamma = 0.01, pf;
    if (k > 0) {
        int i = TK_IDX(0);
        gamma = syv[i] / yyv[i];
        /* loop 1, newest first; its last update also scales by gamma and
         * takes the first dot product of loop 2 */
        double d = pass_copy_dot(p, f, TK_ROW(S, 0), n);
        for (int c = 0; c < k; c++) {
            i = TK_IDX(c);
            alpha[i] = rho[i] * d;
            if (c + 1 < k)
                d = pass_axpy_dot(p, alpha[i], TK_ROW(Y, c), 0, 0, TK_ROW(S, c + 1), n);
            else
                d = pass_axpy_dot(p, alpha[i], TK_ROW(Y, c), 1, gamma, TK_ROW(Y, k - 1), n);
        }
        /* loop 2, oldest first; the last update takes p.f and max |p| */
        pf = 0;
        *pmax = 0;
        for (int c = k - 1; c >= 0; c--) {
            i = TK_IDX(c);
            double b = rho[i] * d;
            if (c > 0)
                d = pass_axpy2_dot(p, alpha[i] - b, TK_ROW(S, c), TK_ROW(Y, c - 1), NULL, NULL, n);
            else
                pf = pass_axpy2_dot(p, alpha[i] - b, TK_ROW(S, c), NULL, f, pmax, n);
        }
    } else {
        /* no pair yet: a short steepest descent */
        double m = 0;
        for (int t = 0; t < n; t++) {
            p[t] = f[t] * gamma;
            double a = fabs(p[t]);
            m = a > m ? a : m;
        }
        *pmax = m;
        pf = vdot(p, f, n);
    }
#undef TK_ROW
#undef TK_IDX
    return pf;
}

#endif
