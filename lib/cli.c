/* cli.c - option value parsing, --help and --version. */
#include "cli.h"
#include "err.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void tk_help(const char *usage)
{
    fputs(usage, stdout);
    exit(tk_finish());
}

void tk_version(void)
{
    printf("%s (tlskit) %s\n", tk_prog, TK_VERSION);
    exit(tk_finish());
}

double tk_arg_double(const char *opt, const char *s)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || *end || errno || !isfinite(v))
        tk_usage_error("option %s: '%s' is not a finite number", opt, s);
    return v;
}

double tk_arg_double_pos(const char *opt, const char *s)
{
    double v = tk_arg_double(opt, s);
    if (!(v > 0))
        tk_usage_error("option %s: '%s' must be positive", opt, s);
    return v;
}

long tk_arg_long(const char *opt, const char *s, long min, long max)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno)
        tk_usage_error("option %s: '%s' is not an integer", opt, s);
    if (v < min || v > max)
        tk_usage_error("option %s: %ld is out of range [%ld, %ld]", opt, v, min, max);
    return v;
}

uint64_t tk_arg_seed(const char *opt, const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || *end || errno || s[0] == '-')
        tk_usage_error("option %s: '%s' is not a non-negative integer seed", opt, s);
    return (uint64_t)v;
}

char *tk_cmdline(int argc, char **argv)
{
    /* shell-quoted where needed, so the history line can be re-run */
    size_t n = 1;
    for (int i = 0; i < argc; i++)
        n += 4 * strlen(argv[i]) + 3;
    char *s = tk_xmalloc(n + strlen(tk_prog)), *p = s;
    for (int i = 0; i < argc; i++) {
        const char *a = i == 0 ? tk_prog : argv[i];
        int plain = *a != '\0';
        for (const char *c = a; *c; c++)
            if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+%@", *c))
                plain = 0;
        if (i)
            *p++ = ' ';
        if (plain) {
            strcpy(p, a);
            p += strlen(a);
        } else {
            *p++ = '\'';
            for (const char *c = a; *c; c++) {
                if (*c == '\'') {
                    memcpy(p, "'\\''", 4);
                    p += 4;
                } else {
                    *p++ = *c;
                }
            }
            *p++ = '\'';
        }
    }
    *p = '\0';
    return s;
}

double tk_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}
