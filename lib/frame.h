/* frame.h - one configuration of the model: the unit every stream carries.
 *
 * A frame holds N particles in a cubic periodic box [origin, origin + L)^3,
 * each with a diameter sigma and a position (optionally a velocity and an
 * id), plus free key=value metadata.  Metadata a program does not understand
 * is carried through unchanged.
 */
#ifndef TK_FRAME_H
#define TK_FRAME_H

typedef struct {
    char *key, *val;
} tk_kv;

typedef struct {
    tk_kv *kv;
    int n, cap;
} tk_meta;

typedef struct {
    int n;            /* number of particles */
    int cap;          /* allocated particles */
    double L;         /* cubic box edge */
    double origin[3]; /* lower corner of the box */
    double *x;        /* 3n positions, x0 y0 z0 x1 ... */
    double *sigma;    /* n diameters */
    double *v;        /* 3n velocities (valid when has_v) */
    long *id;         /* n ids (valid when has_id) */
    int has_v, has_id;
    tk_meta meta;
} tk_frame;

void tk_meta_set(tk_meta *m, const char *key, const char *val);
void tk_meta_setf(tk_meta *m, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void tk_meta_setd(tk_meta *m, const char *key, double v); /* %.17g */
const char *tk_meta_get(const tk_meta *m, const char *key);
/* 1 and *out set when key holds a finite number; 0 when absent; dies when
 * present but not a number. */
int tk_meta_get_double(const tk_meta *m, const char *key, double *out);
void tk_meta_del(tk_meta *m, const char *key);
void tk_meta_clear(tk_meta *m);
void tk_meta_free(tk_meta *m);
void tk_meta_copy(tk_meta *dst, const tk_meta *src);
/* Append "cmdline" to the history key (entries separated by " | ") so a
 * frame records every program that made it, Madagascar style. */
void tk_meta_history(tk_meta *m, const char *cmdline);

void tk_frame_init(tk_frame *f);
void tk_frame_resize(tk_frame *f, int n); /* contents of new slots undefined */
void tk_frame_free(tk_frame *f);
void tk_frame_copy(tk_frame *dst, const tk_frame *src);
void tk_frame_ensure_v(tk_frame *f); /* allocate zeroed velocities if absent */

/* Box volume and number density. */
double tk_frame_volume(const tk_frame *f);

/* Wrap positions into [origin, origin + L). Positions already inside are
 * left bit-identical. */
void tk_wrap(int n, double L, const double origin[3], double *x);

/* Checks on a frame under the model (O(n^2): for error paths and one-off
 * checks, not inner loops).  tk_frame_closest: the pair (i, j) closest in
 * units of its sigma_ij; returns x = r / sigma_ij (inf, i = j = -1, for
 * fewer than two particles) and its distance *r.  tk_frame_interacting: the
 * number of pairs closer than the cutoff 1.25 sigma_ij, counted up to max
 * (0: no particle interacts with any other).  tk_frame_overlap: "particles
 * I and J overlap (distance R, X sigma_ij)" for the closest pair (1-based),
 * for messages about a non-finite energy. */
double tk_frame_closest(const tk_frame *f, int *i, int *j, double *r);
long tk_frame_interacting(const tk_frame *f, long max);
const char *tk_frame_overlap(const tk_frame *f);

/* Minimum-image difference a - b in a cubic box of edge L. */
static inline double tk_mic(double d, double L)
{
    return d - L * __builtin_floor(d / L + 0.5);
}

#endif
