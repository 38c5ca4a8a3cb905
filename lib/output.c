/* output.c - atomic outputs: write to a temporary file, rename when done. */
#define _POSIX_C_SOURCE 200809L
#include "output.h"
#include "err.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_PENDING 16
static char *pending[MAX_PENDING];

static void remove_pending(void)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (pending[i])
            unlink(pending[i]);
}

static void on_fatal_signal(int sig)
{
    /* unlink is async-signal-safe; then die of the signal as if unhandled */
    for (int i = 0; i < MAX_PENDING; i++)
        if (pending[i])
            unlink(pending[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void track(char *tmp)
{
    static int registered;
    if (!registered) {
        atexit(remove_pending);
        /* a killed run must not leave temporaries behind either (programs
         * that handle these signals themselves install their own) */
        int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
        for (size_t k = 0; k < sizeof sigs / sizeof *sigs; k++) {
            void (*old)(int) = signal(sigs[k], on_fatal_signal);
            if (old != SIG_DFL)
                signal(sigs[k], old);
        }
        registered = 1;
    }
    for (int i = 0; i < MAX_PENDING; i++)
        if (!pending[i]) {
            pending[i] = tmp;
            return;
        }
    tk_die("too many outputs open at once");
}

static void untrack(const char *tmp)
{
    for (int i = 0; i < MAX_PENDING; i++)
        if (pending[i] == tmp)
            pending[i] = NULL;
}

/* Die if the directory of path does not exist or is not a directory. */
void tk_output_check_dir(const char *path)
{
    /* the directory part of path: "." when there is none */
    const char *slash = strrchr(path, '/');
    char *dir = slash ? tk_xstrdup(path) : tk_xstrdup(".");
    if (slash)
        dir[slash == path ? 1 : slash - path] = '\0';
    struct stat st;
    if (stat(dir, &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR)
            tk_die("%s: cannot write: the directory %s does not exist", path, dir);
    } else if (!S_ISDIR(st.st_mode)) {
        tk_die("%s: cannot write: %s is not a directory", path, dir);
    }
    free(dir);
}

void tk_output_fail(const char *path, int err)
{
    tk_output_check_dir(path);
    tk_die("%s: cannot write: %s", path, strerror(err));
}

static char *tmp_name(const char *path)
{
    size_t n = strlen(path) + 32;
    char *t = tk_xmalloc(n);
    snprintf(t, n, "%s.tmp%ld", path, (long)getpid());
    return t;
}

/* Does process pid still run?  Not when it is gone, nor when it is a zombie:
 * killed and not yet reaped, as when its parent was killed with it and
 * whoever adopted it has not waited for it yet (seen in containers). */
static int pid_runs(long pid)
{
    if (kill((pid_t)pid, 0) != 0 && errno == ESRCH)
        return 0;
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *fp = fopen(path, "r");
    if (!fp) /* no /proc: it runs, as far as we know */
        return 1;
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')'); /* "PID (COMMAND) STATE ..." */
    return !(p && p[1] == ' ' && (p[2] == 'Z' || p[2] == 'X'));
}

/* Remove the temporaries of path that a killed run left: PATH.tmpPID of a
 * PID that no longer runs (kill -9 and crashes skip the cleanup at exit).
 * A running PID is left alone: another process still writing path. */
static void remove_stale(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t nb = strlen(base);
    char *dir = slash ? tk_xstrdup(path) : tk_xstrdup(".");
    if (slash)
        dir[slash == path ? 1 : slash - path] = '\0';
    DIR *d = opendir(dir);
    if (!d) {
        free(dir);
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        const char *n = e->d_name;
        if (strncmp(n, base, nb) != 0 || strncmp(n + nb, ".tmp", 4) != 0)
            continue;
        const char *p = n + nb + 4;
        char *end;
        errno = 0;
        long pid = strtol(p, &end, 10);
        if (!(*p >= '0' && *p <= '9') || *end || errno || pid <= 0 || pid == (long)getpid() ||
            pid != (long)(pid_t)pid)
            continue;
        if (pid_runs(pid))
            continue;
        size_t k = strlen(dir) + strlen(n) + 2;
        char *full = tk_xmalloc(k);
        snprintf(full, k, "%s/%s", dir, n);
        unlink(full);
        free(full);
    }
    closedir(d);
    free(dir);
}

void tk_output_open(tk_output *o, const char *path)
{
    memset(o, 0, sizeof *o);
    if (!path || strcmp(path, "-") == 0) {
        o->fp = stdout;
        return;
    }
    struct stat st;
    if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        /* a device, FIFO or symlink must be written through, never
         * replaced by a rename (think of /dev/null or /dev/full) */
        o->fp = fopen(path, "wb");
        if (!o->fp)
            tk_output_fail(path, errno);
        o->path = tk_xstrdup(path);
        return;
    }
    remove_stale(path);
    o->path = tk_xstrdup(path);
    o->tmp = tmp_name(path);
    o->fp = fopen(o->tmp, "wb");
    if (!o->fp) /* name the user's path, not the temporary */
        tk_output_fail(path, errno);
    track(o->tmp);
}

void tk_output_commit(tk_output *o)
{
    if (!o->path) {
        if (fflush(stdout) != 0 || ferror(stdout))
            tk_die("standard output: write error");
        return;
    }
    if (!o->tmp) {
        tk_fclose_checked(o->fp, o->path);
        free(o->path);
        memset(o, 0, sizeof *o);
        return;
    }
    tk_fclose_checked(o->fp, o->path);
    if (rename(o->tmp, o->path) != 0)
        tk_die("%s: cannot rename into place: %s", o->path, strerror(errno));
    untrack(o->tmp);
    free(o->tmp);
    free(o->path);
    memset(o, 0, sizeof *o);
}

void tk_write_file_atomic(const char *path, const void *data, size_t n)
{
    tk_output o;
    tk_output_open(&o, path);
    if (fwrite(data, 1, n, o.fp) != n)
        tk_die("%s: write error: %s", path, strerror(errno));
    tk_output_commit(&o);
}
