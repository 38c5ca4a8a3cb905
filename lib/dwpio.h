/* dwpio.h - reading path and DWP records (tlskit-dwp(5)): the input of
 * schrod1d(1).
 *
 * Records are separated by blank lines: comment lines ('#') of blank-
 * separated KEY=VALUE metadata (id=, d= required; dV=, Vb=, PR= kept), then
 * rows 'xi V'.  A record read by tk_dwp_read is checked: id= and d= present,
 * d a number in [TK_DWP_D_MIN, TK_DWP_D_MAX], dV, Vb and PR finite numbers of
 * size at most TK_DWP_V_MAX when present, at least 3 rows, xi strictly
 * increasing from 0 to 1 (within 1e-9; the ends are then set to exactly 0 and
 * 1), V finite with |V| <= TK_DWP_V_MAX.  Anything else is fatal, naming the
 * input, line and record ("FILE:LINE: record K (id=X): what").
 */
#ifndef TK_DWPIO_H
#define TK_DWPIO_H

#include <stdio.h>

/* Bounds of a record's numbers: beyond them the input is not a double well
 * (a total energy of 1e300, a path of 1e-30) and the solver would only
 * overflow.  Energies in epsilon, lengths in sigma. */
#define TK_DWP_V_MAX 1e10
#define TK_DWP_D_MIN 1e-8
#define TK_DWP_D_MAX 1e8

/* One input: set name and fp, the rest zero ({0}). */
typedef struct {
    const char *name; /* input name for messages ("stdin") */
    FILE *fp;
    char *buf;
    size_t cap;
    long line;  /* number of the last line read */
    long nrec;  /* records started in this input */
    int pushed; /* cur holds a line read but not yet used */
    char *cur;
} tk_dwp_src;

/* One record (start from {0}; reused from record to record). */
typedef struct {
    long first, last;            /* line numbers of its first line and last row */
    char *id, *d, *dv, *vb, *pr; /* metadata values (NULL if absent) */
    int n, cap;                  /* rows */
    double *xi, *v;
} tk_dwp_rec;

/* Read the next record of in into r: 1, or 0 at the end of the input. */
int tk_dwp_read(tk_dwp_src *in, tk_dwp_rec *r);
void tk_dwp_rec_free(tk_dwp_rec *r);
/* "input:line: record K (id=X)", for messages (a static buffer). */
const char *tk_dwp_where(const tk_dwp_src *in, long line, const tk_dwp_rec *r);

#endif
