/* frames.h - the frame-stream harnesses (frame-xyz, frame-bin,
 * frame-lammps): read every frame of the input as conf-convert does
 * (tk_reader: each frame's format detected from its first line), check what
 * the reader promises of a frame it accepted, then write the frame in each
 * format, the harness's own first, and read it back: the same frame must
 * come back (bit for bit from extended XYZ and the binary twin; from LAMMPS
 * the same atoms in the same box, which it wraps positions into and
 * computes L of as hi - lo).  The harnesses differ in their seeds. */
#ifndef TK_FUZZ_FRAMES_H
#define TK_FUZZ_FRAMES_H

#include <math.h>
#include <string.h>

#include "frame.h"
#include "frameio.h"
#include "fuzz.h"

/* What the reader promises of an accepted frame. */
static void fuzz_frame_valid(const tk_frame *f, long k)
{
    fuzz_check(f->n > 0, "frame %ld: %d atoms", k, f->n);
    fuzz_check(isfinite(f->L) && f->L > 0, "frame %ld: box edge %g", k, f->L);
    for (int d = 0; d < 3; d++)
        fuzz_check(isfinite(f->origin[d]), "frame %ld: origin %g", k, f->origin[d]);
    for (int i = 0; i < f->n; i++) {
        fuzz_check(isfinite(f->sigma[i]) && f->sigma[i] > 0, "frame %ld: atom %d: diameter %g",
                   k, i + 1, f->sigma[i]);
        for (int d = 0; d < 3; d++) {
            fuzz_check(isfinite(f->x[3 * i + d]), "frame %ld: atom %d: position %g", k, i + 1,
                       f->x[3 * i + d]);
            if (f->has_v)
                fuzz_check(isfinite(f->v[3 * i + d]), "frame %ld: atom %d: velocity %g", k,
                           i + 1, f->v[3 * i + d]);
        }
    }
    for (int m = 0; m < f->meta.n; m++)
        fuzz_check(f->meta.kv[m].key[0], "frame %ld: an empty metadata key", k);
}

static int same_bits(const double *a, const double *b, size_t n)
{
    return n == 0 || memcmp(a, b, n * sizeof *a) == 0;
}

static const tk_frame *sort_frame; /* for by_id */

static long atom_id(const tk_frame *f, size_t i)
{
    return f->has_id ? f->id[i] : (long)i + 1;
}

static int by_id(const void *x, const void *y)
{
    long a = atom_id(sort_frame, *(const size_t *)x), b = atom_id(sort_frame, *(const size_t *)y);
    return (a > b) - (a < b);
}

/* b (read back) against a (as first read): exact (the origin by value: -0
 * comes back as 0), or for LAMMPS the same atoms in id order (ids 1..n
 * when the frame had none) in the same box, L = (origin + L) - origin
 * within rounding and positions the same modulo the box. */
static void fuzz_frame_compare(const tk_frame *a, const tk_frame *b, tk_format fmt, long k)
{
    fuzz_check(a->n == b->n, "frame %ld: %d atoms read back as %d", k, a->n, b->n);
    size_t n = (size_t)a->n;
    fuzz_check(b->meta.n == a->meta.n, "frame %ld: %d metadata keys read back as %d", k,
               a->meta.n, b->meta.n);
    for (int m = 0; m < a->meta.n; m++)
        fuzz_check(strcmp(a->meta.kv[m].key, b->meta.kv[m].key) == 0 &&
                       strcmp(a->meta.kv[m].val, b->meta.kv[m].val) == 0,
                   "frame %ld: metadata '%s=%s' read back as '%s=%s'", k, a->meta.kv[m].key,
                   a->meta.kv[m].val, b->meta.kv[m].key, b->meta.kv[m].val);
    for (int d = 0; d < 3; d++)
        fuzz_check(a->origin[d] == b->origin[d], "frame %ld: origin %.17g read back as %.17g", k,
                   a->origin[d], b->origin[d]);
    fuzz_check(a->has_v == b->has_v, "frame %ld: velocities lost or gained", k);
    if (fmt != TK_FMT_LAMMPS) {
        fuzz_check(a->L == b->L, "frame %ld: box %.17g read back as %.17g", k, a->L, b->L);
        fuzz_check(same_bits(a->sigma, b->sigma, n), "frame %ld: diameters changed", k);
        fuzz_check(same_bits(a->x, b->x, 3 * n), "frame %ld: positions changed", k);
        if (a->has_v)
            fuzz_check(same_bits(a->v, b->v, 3 * n), "frame %ld: velocities changed", k);
        fuzz_check(a->has_id == b->has_id, "frame %ld: ids lost or gained", k);
        if (a->has_id)
            for (size_t i = 0; i < n; i++)
                fuzz_check(a->id[i] == b->id[i], "frame %ld: id %ld read back as %ld", k,
                           a->id[i], b->id[i]);
        return;
    }
    fuzz_check(fabs(a->L - b->L) <= 4e-16 * (a->L + fabs(a->origin[0]) + fabs(a->origin[1]) +
                                             fabs(a->origin[2])),
               "frame %ld: box %.17g read back as %.17g", k, a->L, b->L);
    fuzz_check(b->has_id, "frame %ld: no ids read back from LAMMPS", k);
    size_t *perm = tk_xmalloc(n * sizeof *perm);
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    sort_frame = a;
    qsort(perm, n, sizeof *perm, by_id);
    for (size_t j = 0; j < n; j++) {
        size_t i = perm[j];
        fuzz_check(b->id[j] == atom_id(a, i), "frame %ld: atom %zu: id %ld read back as %ld", k,
                   i + 1, atom_id(a, i), b->id[j]);
        fuzz_check(same_bits(a->sigma + i, b->sigma + j, 1), "frame %ld: atom %zu: diameter "
                   "changed", k, i + 1);
        if (a->has_v)
            fuzz_check(same_bits(a->v + 3 * i, b->v + 3 * j, 3), "frame %ld: atom %zu: "
                       "velocity changed", k, i + 1);
        for (int d = 0; d < 3; d++) {
            double dx = tk_mic(a->x[3 * i + d] - b->x[3 * j + d], a->L);
            double scale = fabs(a->x[3 * i + d]) + fabs(a->origin[d]) + a->L;
            fuzz_check(fabs(dx) <= 1e-15 * scale,
                       "frame %ld: atom %zu: position %.17g read back as %.17g", k, i + 1,
                       a->x[3 * i + d], b->x[3 * j + d]);
        }
    }
    free(perm);
}

/* Write f as fmt into memory and read it back into g. */
static void fuzz_frame_roundtrip(const tk_frame *f, tk_frame *g, tk_format fmt, long k)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    if (!out)
        fuzz_fail("open_memstream failed");
    tk_write_frame(out, f, fmt);
    fclose(out);
    tk_reader r;
    memset(&r, 0, sizeof r);
    r.last_fmt = -1;
    r.name = tk_xstrdup("(the frame written back)");
    r.own = 1;
    r.fp = fmemopen(buf, len, "rb");
    if (!r.fp)
        fuzz_fail("fmemopen failed");
    fuzz_must_not_exit = "reading a frame tlskit wrote";
    if (!tk_read_frame(&r, g))
        fuzz_fail("frame %ld: written, but no frame read back", k);
    fuzz_frame_valid(g, k);
    tk_frame extra;
    tk_frame_init(&extra);
    if (tk_read_frame(&r, &extra))
        fuzz_fail("frame %ld: one frame written, two read back", k);
    fuzz_must_not_exit = NULL;
    tk_frame_free(&extra);
    tk_reader_close(&r);
    free(buf);
    fuzz_frame_compare(f, g, fmt, k);
}

/* The whole harness: every frame of path, round trips through fmt and
 * the two other formats. */
static void fuzz_frames(const char *path, tk_format fmt)
{
    const tk_format all[3] = {fmt, fmt == TK_FMT_XYZ ? TK_FMT_BIN : TK_FMT_XYZ,
                              fmt == TK_FMT_LAMMPS ? TK_FMT_BIN : TK_FMT_LAMMPS};
    tk_reader r;
    tk_reader_open(&r, path);
    tk_frame f, g;
    tk_frame_init(&f);
    tk_frame_init(&g);
    long k = 0;
    while (tk_read_frame(&r, &f)) {
        k++;
        fuzz_frame_valid(&f, k);
        for (int q = 0; q < 3; q++)
            fuzz_frame_roundtrip(&f, &g, all[q], k);
    }
    tk_reader_close(&r);
    tk_frame_free(&f);
    tk_frame_free(&g);
}

#endif
