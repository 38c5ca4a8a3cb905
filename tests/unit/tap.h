/* tap.h - a minimal TAP producer for the C unit tests.
 * Each test binary prints "ok N - name" / "not ok N - name" lines and a plan;
 * tests/run counts them. */
#ifndef TK_TAP_H
#define TK_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_n, tap_fail;

__attribute__((format(printf, 2, 3))) static int ok(int cond, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
    if (!cond)
        tap_fail++;
    fflush(stdout);
    return cond;
}

__attribute__((format(printf, 1, 2), unused)) static void diag(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("# ", stdout);
    vprintf(fmt, ap);
    putchar('\n');
    va_end(ap);
}

static int done_testing(void)
{
    printf("1..%d\n", tap_n);
    return tap_fail ? 1 : 0;
}

#endif
