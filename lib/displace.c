/* displace.c - drift-free displacements between two configurations. */
#include "displace.h"
#include "frame.h"

#include <math.h>
#include <stddef.h>

#define TWO_PI 6.283185307179586

/* The mean of the minimum-image displacements u_i = mic(b_i - a_i) per
 * axis: the circular mean as a start, then the plain mean of the residuals
 * mic(u_i - t) until it no longer changes t (once, unless particles wrap). */
static void drift_of(int n, double L, const double *a, const double *b, double t[3])
{
    for (int k = 0; k < 3; k++) {
        double c = 0, s = 0;
        for (int i = 0; i < n; i++) {
            double u = tk_mic(b[3 * i + k] - a[3 * i + k], L), ph = TWO_PI * u / L;
            c += cos(ph);
            s += sin(ph);
        }
        t[k] = c == 0 && s == 0 ? 0 : L / TWO_PI * atan2(s, c);
        for (int it = 0; it < 4; it++) {
            double m = 0;
            for (int i = 0; i < n; i++)
                m += tk_mic(tk_mic(b[3 * i + k] - a[3 * i + k], L) - t[k], L);
            m /= n;
            t[k] += m;
            if (fabs(m) <= 1e-15 * L)
                break;
        }
    }
}

void tk_disp_measure(int n, const double *d, tk_disp *s)
{
    double s2 = 0, s4 = 0, r2max = 0;
    int imax = 0;
    for (int i = 0; i < n; i++) {
        double r2 = 0;
        for (int k = 0; k < 3; k++) {
            double x2 = d[3 * i + k] * d[3 * i + k];
            r2 += x2;
            s4 += x2 * x2;
        }
        s2 += r2;
        if (r2 > r2max) {
            r2max = r2;
            imax = i;
        }
    }
    s->dist = sqrt(s2);
    s->pr = s4 > 0 ? s2 * s2 / s4 : NAN;
    s->dmax = sqrt(r2max);
    s->imax = imax;
}

/* Measures accumulated on the fly, without a displacement array. */
static void measure_on_the_fly(int n, double L, const double *a, const double *b, const double t[3],
                               double *d, double *out, tk_disp *s)
{
    double s2 = 0, s4 = 0, r2max = 0;
    int imax = 0;
    for (int i = 0; i < n; i++) {
        double r2 = 0;
        for (int k = 0; k < 3; k++) {
            double x = tk_mic(tk_mic(b[3 * i + k] - a[3 * i + k], L) - t[k], L), x2 = x * x;
            if (d)
                d[3 * i + k] = x;
            if (out)
                out[3 * i + k] = a[3 * i + k] + x;
            r2 += x2;
            s4 += x2 * x2;
        }
        s2 += r2;
        if (r2 > r2max) {
            r2max = r2;
            imax = i;
        }
    }
    if (s) {
        s->drift[0] = t[0];
        s->drift[1] = t[1];
        s->drift[2] = t[2];
        s->dist = sqrt(s2);
        s->pr = s4 > 0 ? s2 * s2 / s4 : NAN;
        s->dmax = sqrt(r2max);
        s->imax = imax;
    }
}

void tk_displace(int n, double L, const double *a, const double *b, int keep_drift, double *d,
                 tk_disp *s)
{
    double t[3] = {0, 0, 0};
    if (!keep_drift && n > 0)
        drift_of(n, L, a, b, t);
    measure_on_the_fly(n, L, a, b, t, d, NULL, s);
}

void tk_align(int n, double L, const double *a, const double *b, double *out, tk_disp *s)
{
    double t[3] = {0, 0, 0};
    if (n > 0)
        drift_of(n, L, a, b, t);
    /* element by element: out may be b */
    measure_on_the_fly(n, L, a, b, t, NULL, out, s);
}

void tk_remove_mean(int n, double *v)
{
    if (n <= 0)
        return;
    double m[3] = {0, 0, 0};
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 3; k++)
            m[k] += v[3 * i + k];
    for (int k = 0; k < 3; k++)
        m[k] /= n;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 3; k++)
            v[3 * i + k] -= m[k];
}

double tk_disp_drift(const tk_disp *s)
{
    return sqrt(s->drift[0] * s->drift[0] + s->drift[1] * s->drift[1] + s->drift[2] * s->drift[2]);
}
