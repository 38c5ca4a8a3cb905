/* output.h - outputs that are never half-written.
 *
 * tk_output_open("-") is standard output.  Any other path is written to a
 * temporary file beside it and renamed over it by tk_output_commit(), so a
 * crash, a kill or a full disk never leaves a truncated result that looks
 * complete.  Uncommitted temporary files are removed at exit and on the
 * usual signals; those of a process killed outright (kill -9, a crash: a
 * PATH.tmpPID whose PID no longer runs) are removed when PATH is opened for
 * output again.  A path that
 * exists and is not a regular file (a device, FIFO or symlink) is written
 * through directly instead.
 */
#ifndef TK_OUTPUT_H
#define TK_OUTPUT_H

#include <stdio.h>

typedef struct {
    FILE *fp;
    char *path; /* NULL for stdout */
    char *tmp;
} tk_output;

void tk_output_open(tk_output *o, const char *path);
/* Flush, check, close and rename into place (or close stdout). */
void tk_output_commit(tk_output *o);

/* Die because path (or its temporary) cannot be created: the message names
 * path and says when its directory does not exist. */
_Noreturn void tk_output_fail(const char *path, int err);
/* Die at once (the same message) if the directory of path does not exist:
 * for outputs opened late, such as checkpoints. */
void tk_output_check_dir(const char *path);

/* Write a whole small file atomically (checkpoints). */
void tk_write_file_atomic(const char *path, const void *data, size_t n);

#endif
