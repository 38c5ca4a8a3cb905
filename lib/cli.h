/* cli.h - command-line helpers shared by every program.
 *
 * Each program keeps its usage text beside its option table (Seismic Unix
 * style) and calls these helpers to parse values; a bad value is a usage
 * error (exit 2) that names the option.
 */
#ifndef TK_CLI_H
#define TK_CLI_H

#include <stdint.h>

#ifndef TK_VERSION
#define TK_VERSION "unknown"
#endif

struct option;

/* getopt_long for every program: getopt's own messages are off (opterr = 0)
 * and a bad option is one usage error naming it (exit 2): "unknown option
 * '--foo'", "option '--seed' needs an argument", "option '--help' takes no
 * argument", "option '--s' is ambiguous (--seed, --skin)". */
int tk_getopt(int argc, char *const argv[], const char *optstring,
              const struct option *longopts);
/* The usage error for a '?' of getopt_long (optstring and longopts may be
 * NULL: less precise). */
_Noreturn void tk_bad_option(int argc, char *const argv[], const char *optstring,
                             const struct option *longopts);

/* Print usage to stdout and exit 0. */
_Noreturn void tk_help(const char *usage);
/* Print "prog (tlskit) VERSION" and exit 0. */
_Noreturn void tk_version(void);

double tk_arg_double(const char *opt, const char *s);
double tk_arg_double_pos(const char *opt, const char *s);   /* > 0 */
long tk_arg_long(const char *opt, const char *s, long min, long max);
uint64_t tk_arg_seed(const char *opt, const char *s);

/* Seconds on the monotonic clock (for rates and progress). */
double tk_seconds(void);

/* The command line as one string, for the history metadata. */
char *tk_cmdline(int argc, char **argv);

#endif
