/* frameio.h - reading and writing frame streams (see man5/tlskit-frame.5).
 *
 * A stream is a concatenation of frames.  Readers detect the format of each
 * frame from its first line:
 *   "TLSKIT-FRAME 1"      binary frame (text header, little-endian float64)
 *   a lone atom count     extended XYZ
 *   "ITEM: TIMESTEP"      LAMMPS text dump snapshot (read only): columns id,
 *                         q (the diameter), diameter or radius, x y z (or
 *                         xu.., xs.., xsu..), optionally vx vy vz
 *   anything else         LAMMPS data file (write_data, Atoms # charge with
 *                         the diameter in the charge column, or # sphere)
 * Frames are read one at a time into a reusable tk_frame: constant memory.
 * Any malformed input is fatal with "prog: input:line: frame K: what".
 */
#ifndef TK_FRAMEIO_H
#define TK_FRAMEIO_H

#include <stdio.h>
#include <sys/types.h>

#include "frame.h"

typedef enum { TK_FMT_XYZ, TK_FMT_BIN, TK_FMT_LAMMPS } tk_format;

typedef struct {
    FILE *fp;
    char *name;  /* for messages */
    int own;     /* we opened fp */
    long line;   /* text lines consumed */
    long frame;  /* frames started so far (1-based in messages) */
    char *buf;   /* current line */
    size_t cap;
    ssize_t len;
    int pushed;  /* buf holds a line to be read again */
    int nl;      /* the current line ended with a newline */
    int last_fmt; /* -1 before the first frame */
} tk_reader;

/* Open path ("-" is standard input).  A missing file is fatal. */
void tk_reader_open(tk_reader *r, const char *path);
/* Read the next frame: 1 when one was read, 0 at a clean end of input. */
int tk_read_frame(tk_reader *r, tk_frame *f);
void tk_reader_close(tk_reader *r);
/* Open path for random access (tk_reader_tell/seek): a regular file as it
 * is; standard input ("-"), a pipe or any other stream that cannot seek is
 * first copied to an unlinked temporary file in $TMPDIR (or /tmp), which
 * disappears when it is closed or the program exits, however it exits.
 * Messages still name the input ("stdin"). */
void tk_reader_open_seekable(tk_reader *r, const char *path);
/* Byte offset of the next frame, and a jump to such an offset (seekable
 * files only; line numbers in later messages count from the jump). */
long tk_reader_tell(tk_reader *r);
void tk_reader_seek(tk_reader *r, long offset);

/* Iterate over the frames of file operands argv[0..argc-1], or standard
 * input when argc == 0: the usual filter contract. */
typedef struct {
    char **paths;
    int n, i;
    int open;
    long count; /* frames read so far, over all inputs */
    tk_reader r;
} tk_input;

void tk_input_init(tk_input *in, int argc, char **argv);
int tk_input_next(tk_input *in, tk_frame *f);
/* "name: frame K" of the frame last read, for messages. */
const char *tk_input_where(const tk_input *in);
void tk_input_close(tk_input *in);
/* After the last tk_input_next: die with "NAME: no frame in the input"
 * when the inputs held no frame at all (empty, or blank lines only). */
void tk_input_require(const tk_input *in);
/* The inputs for messages: "stdin", "FILE" or "FIRST ... LAST (K inputs)". */
const char *tk_input_names(const tk_input *in);

void tk_write_frame(FILE *out, const tk_frame *f, tk_format fmt);
/* Extended XYZ with ncol extra real per-atom columns described by props
 * (e.g. "disp:R:1:dvec:R:3"), values extra[i * ncol + c]; readers skip them. */
void tk_write_xyz_extra(FILE *out, const tk_frame *f, const char *props, int ncol,
                        const double *extra);
/* A LAMMPS data file whose particle i has atom type type[i] (1..ntypes;
 * type NULL: every particle type 1), as tk_write_frame(..., TK_FMT_LAMMPS). */
void tk_write_lammps_typed(FILE *out, const tk_frame *f, int ntypes, const int *type);
/* Parse "xyz", "bin", "lammps"; -1 if unknown. */
int tk_format_parse(const char *s);

#endif
