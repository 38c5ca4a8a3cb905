/* err.h - the one error helper, checked allocation and stdout closing.
 *
 * Conventions (every tlskit program):
 *   exit 1  data or runtime error:  "prog: input:frame/line: what is wrong"
 *   exit 2  usage error:            "prog: what is wrong\nTry 'prog --help'."
 */
#ifndef TK_ERR_H
#define TK_ERR_H

#include <stddef.h>
#include <stdio.h>

#define TK_EXIT_DATA 1
#define TK_EXIT_USAGE 2

extern const char *tk_prog; /* program name used in every message */

void tk_init(int argc, char **argv);
_Noreturn void tk_die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void tk_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void tk_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void *tk_xmalloc(size_t n);
void *tk_xcalloc(size_t n, size_t size);
void *tk_xrealloc(void *p, size_t n);
char *tk_xstrdup(const char *s);

/* Flush and close stdout; a write error (full disk, closed pipe) is fatal.
 * Call as the last statement of main: return tk_finish(); */
int tk_finish(void);
/* Same for any output file opened by a program. */
void tk_fclose_checked(FILE *fp, const char *name);

#endif
