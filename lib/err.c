/* err.c - error reporting, checked allocation, checked output. */
#include "err.h"
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const char *tk_prog = "tlskit";
static int saved_argc;
static char **saved_argv;

void tk_init(int argc, char **argv)
{
    /* getopt's own messages off: a bad option is one message, ours (see
     * tk_getopt and tk_usage_error) */
    opterr = 0;
    saved_argc = argc;
    saved_argv = argv;
    if (argv && argv[0]) {
        const char *s = strrchr(argv[0], '/');
        tk_prog = s ? s + 1 : argv[0];
    }
}

static void vmsg(const char *fmt, va_list ap)
{
    fflush(stdout);
    fprintf(stderr, "%s: ", tk_prog);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void tk_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(fmt, ap);
    va_end(ap);
    exit(TK_EXIT_DATA);
}

void tk_usage_error(const char *fmt, ...)
{
    /* the plain "unknown option" of a program that calls getopt_long
     * itself: name the option from getopt's state */
    if (saved_argv && strcmp(fmt, "unknown option") == 0 && (optopt || optind > 1)) {
        char **argv = saved_argv;
        saved_argv = NULL; /* once */
        tk_bad_option(saved_argc, argv, NULL, NULL);
    }
    va_list ap;
    va_start(ap, fmt);
    vmsg(fmt, ap);
    va_end(ap);
    fprintf(stderr, "Try '%s --help' for more information.\n", tk_prog);
    exit(TK_EXIT_USAGE);
}

void tk_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg(fmt, ap);
    va_end(ap);
}

void *tk_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        tk_die("out of memory (%zu bytes)", n);
    return p;
}

void *tk_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        tk_die("out of memory (%zu x %zu bytes)", n, size);
    return p;
}

void *tk_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        tk_die("out of memory (%zu bytes)", n);
    return q;
}

char *tk_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(tk_xmalloc(n), s, n);
}

void tk_fclose_checked(FILE *fp, const char *name)
{
    int err = ferror(fp);
    errno = 0;
    if (fclose(fp) != 0 || err)
        tk_die("%s: write error%s%s", name, errno ? ": " : "", errno ? strerror(errno) : "");
}

int tk_finish(void)
{
    errno = 0;
    if (fflush(stdout) != 0 || ferror(stdout))
        tk_die("standard output: write error%s%s", errno ? ": " : "", errno ? strerror(errno) : "");
    tk_fclose_checked(stdout, "standard output");
    return 0;
}
