/* tlstable.h - reading schrod1d tables (one per glass) and the laboratory
 * units of the TLS results; shared by tls-density and tls-heat.
 *
 * A schrod1d table (tlskit-table(5), schrod1d(1)) has a '#' header line;
 * its columns are found by name: mass split dV Vb d PR.  Fields are
 * separated by single tabs: a row must have as many as the header (an
 * empty field is a field, and not a number).  Every row is
 * checked: a positive finite mass whose 2 pi / mass is a normal number, a
 * splitting >= 0 or nan (schrod1d found no levels: the row is skipped and
 * counted), dV, Vb, d, PR finite or nan, d and PR positive.  Anything else
 * is fatal, naming the file and line ("FILE:LINE: column split: ...").
 */
#ifndef TK_TLSTABLE_H
#define TK_TLSTABLE_H

#include <stddef.h>

/* One DWP row of a schrod1d table. */
typedef struct {
    double mass, split, dV, Vb, d, pr;
    int glass; /* the number the caller gave the table */
} tk_tls_row;

/* A growing set of rows read from several tables. */
typedef struct {
    tk_tls_row *row;
    size_t n, cap;
    long nskipped; /* rows without a finite splitting (not kept) */
} tk_tls_set;

/* Append the rows of the table at path, tagged with glass. */
void tk_tls_read(const char *path, int glass, tk_tls_set *s);
void tk_tls_free(tk_tls_set *s);

/* Parse a list MT[,MT]... of positive masses (option opt) into m, at most
 * max of them; a bad list is a usage error.  Returns how many. */
int tk_parse_masses(const char *opt, const char *arg, double *m, int max);

/* The laboratory references of tlskit-physics(7). */
#define TK_HBAR 1.054571817e-34 /* J s */
#define TK_KB 1.380649e-23      /* J / K */
#define TK_TWO_PI 6.283185307179586

typedef struct {
    const char *name;
    double sigma, eps, m; /* m, J, kg */
} tk_lab_ref;

/* argon-like (3.4e-10 m, 6.6e-21 J, 6.0e-26 kg) and nickel-like
 * (2.21e-10 m, 6.14e-20 J, 1.02e-25 kg) */
#define TK_NREFS 2
extern const tk_lab_ref tk_refs[TK_NREFS];

/* mt = m sigma^2 epsilon / hbar^2 of a reference, and its T_Q = 2 pi
 * hbar^2 / (m sigma^2 k_B) in K. */
double tk_ref_mass(const tk_lab_ref *r);
double tk_ref_tq(const tk_lab_ref *r);

#endif
