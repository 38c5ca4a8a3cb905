/* fuzz.h - shared by the fuzz harnesses (fuzz/README.md).
 *
 * A harness is a program that reads the file argv[1] (afl-fuzz's @@) with a
 * library reader, in-process, as the programs do: its fuzz_one(path).  Bad
 * input ends in the reader's own error (tk_die: a message and exit 1): the
 * expected outcome, not a finding.  A finding is a crash: a sanitizer
 * report (built with ASan and UBSan), or fuzz_fail, called when input the
 * reader accepted breaks a promise of its documentation (a non-finite
 * number, a frame that does not read back the same, ...).
 *
 * Run by hand (harness FILE) it reads FILE once and exits as a program
 * would.  Under afl-fuzz it runs in persistent mode: many inputs per
 * process (__AFL_LOOP), exit() of the library (linked with
 * -Wl,--wrap=exit) returning to the loop by longjmp; what an input left
 * open (files) is closed after it, what it left allocated is dropped with
 * the process every FUZZ_LOOP inputs.
 */
#ifndef TK_FUZZ_H
#define TK_FUZZ_H

#include <fcntl.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "err.h"

#ifdef __clang__ /* __AFL_LOOP is a statement expression */
#pragma clang diagnostic ignored "-Wgnu-statement-expression"
#endif

/* A broken promise: say which, then abort (afl-fuzz records a crash). */
#define fuzz_fail(...)                                                                     \
    do {                                                                                   \
        fprintf(stderr, "%s: FUZZ FINDING (%s:%d): ", tk_prog, __FILE__, __LINE__);        \
        fprintf(stderr, __VA_ARGS__);                                                      \
        fputc('\n', stderr);                                                               \
        abort();                                                                           \
    } while (0)

#define fuzz_check(cond, ...)                                                              \
    do {                                                                                   \
        if (!(cond))                                                                       \
            fuzz_fail(__VA_ARGS__);                                                        \
    } while (0)

#define FUZZ_LOOP 1000

/* While set, an exit (a reader's error on data the library wrote itself)
 * is a finding too. */
static const char *fuzz_must_not_exit;
static jmp_buf fuzz_jump;
static int fuzz_in_loop, fuzz_status;

_Noreturn void __real_exit(int status);
_Noreturn void __wrap_exit(int status);

/* every exit() of the library and the harness (--wrap=exit) */
void __wrap_exit(int status)
{
    if (fuzz_must_not_exit)
        fuzz_fail("exit while %s: tlskit wrote what it cannot read back", fuzz_must_not_exit);
    if (fuzz_in_loop) {
        fuzz_status = status;
        longjmp(fuzz_jump, 1);
    }
    __real_exit(status);
}

/* Close the descriptors an input left open (a reader that died before its
 * fclose): those from first on that were not open before it. */
static void fuzz_close_new(int first, const unsigned char *was_open)
{
    for (int fd = first; fd < first + 64; fd++)
        if (!was_open[fd - first] && fcntl(fd, F_GETFD) != -1)
            close(fd);
}

static int fuzz_main(int argc, char **argv, void (*one)(const char *path))
{
    tk_init(argc, argv);
    if (argc != 2) {
        fprintf(stderr, "usage: %s FILE  (a fuzz harness: see fuzz/README.md)\n", tk_prog);
        return 2;
    }
    int persistent = getenv("__AFL_PERSISTENT") != NULL;
    int first = dup(0); /* the lowest free descriptor */
    if (first >= 0)
        close(first);
    unsigned char was_open[64];
    for (int k = 0; k < 64; k++)
        was_open[k] = first >= 0 && fcntl(first + k, F_GETFD) != -1;
#ifdef __AFL_LOOP
    while (__AFL_LOOP(FUZZ_LOOP)) {
#endif
        fuzz_status = 0;
        fuzz_must_not_exit = NULL;
        fuzz_in_loop = persistent;
        if (setjmp(fuzz_jump) == 0)
            one(argv[1]);
        fuzz_in_loop = 0;
        if (persistent && first >= 0)
            fuzz_close_new(first, was_open);
#ifdef __AFL_LOOP
    }
#endif
    return fuzz_status;
}

#endif
