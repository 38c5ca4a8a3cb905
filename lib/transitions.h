/* transitions.h - counts of transitions between minima, and their table.
 *
 * Table (tlskit-table(5)), one row per connected pair i < j:
 *   i j ei ej nij nji ri ki rj kj
 * energies per particle; nij = transitions i -> j, nji = j -> i; (ri, ki) and
 * (rj, kj) the discovery keys of i and j (see minlib.h).
 */
#ifndef TK_TRANSITIONS_H
#define TK_TRANSITIONS_H

#include <stddef.h>
#include <stdio.h>

#include "minlib.h"

/* The largest transition count of a pair (2^50, 1e15: far beyond any run)
 * read or summed: counts and their sums never overflow a long. */
#define TK_COUNT_MAX (1L << 50)

typedef struct {
    long i, j, nij, nji;
} tk_trans;

typedef struct {
    tk_trans *t;
    size_t count, cap;
    long *slot; /* open-addressing hash: index into t, or -1 */
    size_t nslot;
} tk_transitions;

void tk_transitions_init(tk_transitions *tr);
void tk_transitions_free(tk_transitions *tr);
/* One transition from -> to (from != to). */
void tk_transitions_add(tk_transitions *tr, long from, long to);
/* Add counts for the pair (i, j), nij for i -> j and nji for j -> i. */
void tk_transitions_addn(tk_transitions *tr, long i, long j, long nij, long nji);
/* Write the table sorted by (i, j); energies and keys from lib (indices =
 * ids). */
void tk_transitions_write(const tk_transitions *tr, const tk_minlib *lib, FILE *fp);

typedef struct {
    long i, j;
    double ei, ej;
    long nij, nji, ri, ki, rj, kj;
} tk_trow;

/* Read a transitions table; dies with "prog: path:line: what" on bad input. */
size_t tk_transitions_read(const char *path, tk_trow **rows);

#endif
