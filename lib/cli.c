/* cli.c - option value parsing, --help and --version. */
#include "cli.h"
#include "err.h"

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The long option named by text (after "--", up to '=' or the end): its
 * index in longopts, or -1 if none matches; *nmatch counts the options the
 * text abbreviates (an exact match counts 1). */
static int find_long(const struct option *longopts, const char *text, size_t len, int *nmatch)
{
    int found = -1;
    *nmatch = 0;
    for (int k = 0; longopts && longopts[k].name; k++) {
        if (strncmp(longopts[k].name, text, len) != 0)
            continue;
        if (strlen(longopts[k].name) == len) { /* exact */
            *nmatch = 1;
            return k;
        }
        if (found < 0)
            found = k;
        ++*nmatch;
    }
    return found;
}

/* getopt_long has returned '?' (opterr = 0): say which option and why.
 * optstring and longopts may be NULL (tk_usage_error("unknown option") of a
 * program that calls getopt_long itself): then a short option at the very
 * end may be unknown or lack its argument, and is reported as such. */
_Noreturn void tk_bad_option(int argc, char *const argv[], const char *optstring,
                             const struct option *longopts)
{
    const char *arg = optind >= 1 && optind - 1 < argc ? argv[optind - 1] : NULL;
    int c = optopt, shortc = c > 0 && c < 256 && c != ':';
    if (arg && arg[0] == '-' && arg[1] == '-' && arg[2]) {
        /* a long option, if what getopt reports fits it (a short option in
         * the middle of the next argument leaves optind where it was) */
        const char *name = arg + 2, *eq = strchr(name, '=');
        int len = eq ? (int)(eq - name) : (int)strlen(name);
        if (longopts) {
            int nm, k = find_long(longopts, name, (size_t)len, &nm);
            if (c == 0 && nm > 1) {
                char list[512] = "";
                for (int q = 0; longopts[q].name; q++)
                    if (strncmp(longopts[q].name, name, (size_t)len) == 0 &&
                        strlen(list) + strlen(longopts[q].name) + 5 < sizeof list) {
                        strcat(list, list[0] ? ", --" : "--");
                        strcat(list, longopts[q].name);
                    }
                tk_usage_error("option '--%.*s' is ambiguous: %s", len, name, list);
            }
            if (c == 0 && nm == 0)
                tk_usage_error("unknown option '--%.*s'", len, name);
            if (c != 0 && nm == 1 && longopts[k].val == c && !longopts[k].flag) {
                if (eq && longopts[k].has_arg == no_argument)
                    tk_usage_error("option '--%s' takes no argument", longopts[k].name);
                if (!eq && longopts[k].has_arg == required_argument)
                    tk_usage_error("option '--%s' needs an argument", longopts[k].name);
            }
        } else {
            if (c == 0)
                tk_usage_error("unknown option '--%.*s'", len, name);
            if (eq)
                tk_usage_error("option '--%.*s' takes no argument", len, name);
            if (optind == argc)
                tk_usage_error("option '--%.*s' needs an argument", len, name);
        }
    }
    if (shortc && optstring) {
        const char *p = strchr(optstring, c);
        if (p && p[1] == ':')
            tk_usage_error("option '-%c' needs an argument", c);
    }
    if (shortc && !optstring && optind == argc && arg && arg[0] == '-' && arg[1] != '-' &&
        arg[strlen(arg) - 1] == c)
        tk_usage_error("option '-%c' is unknown or needs an argument", c);
    if (shortc && isprint(c))
        tk_usage_error("unknown option '-%c'", c);
    tk_usage_error("unknown option");
}

int tk_getopt(int argc, char *const argv[], const char *optstring,
              const struct option *longopts)
{
    opterr = 0; /* one message, ours */
    int c = getopt_long(argc, argv, optstring, longopts, NULL);
    if (c == '?' || c == ':')
        tk_bad_option(argc, argv, optstring, longopts);
    return c;
}

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
