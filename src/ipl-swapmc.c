/* ipl-swapmc - equilibrate the IPL model at a temperature with swap Monte
 * Carlo (tlskit-physics(7), stage 1). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "frameio.h"
#include "generate.h"
#include "output.h"
#include "swapmc.h"

static const char usage[] =
    "Usage: ipl-swapmc -T TEMP --sweeps S [OPTION]... [FILE]\n"
    "Run a swap Monte Carlo chain of the polydisperse IPL model at temperature\n"
    "TEMP, from the initial frame in FILE (or standard input), or from a new\n"
    "random configuration with -N.  Each trial move is, with probability PSWAP,\n"
    "an exchange of the diameters of two random particles, otherwise a uniform\n"
    "displacement of one random particle in [-DELTA, DELTA]^3; Metropolis\n"
    "acceptance.  One sweep = N trial moves.  Frames are written every K sweeps\n"
    "(a long chain yields many independent glasses), or once at the end.\n"
    "\n"
    "Options:\n"
    "  -T, --temp T             temperature (required; the glass's Tf)\n"
    "      --sweeps S           total length of the chain in sweeps (required)\n"
    "      --every K            write a frame every K sweeps (default: at the end)\n"
    "  -N, --natoms N           start from a new random configuration of N\n"
    "                           particles (density --rho, default 1) instead of\n"
    "                           reading a frame\n"
    "      --rho RHO            density for -N (default 1)\n"
    "      --random-diameters   with -N, draw the diameters at random instead of\n"
    "                           the deterministic set sigma_i = F^-1(i/N) of the\n"
    "                           published glasses (see conf-gen(1))\n"
    "      --seed SEED          random seed of the chain and of -N (default 1)\n"
    "      --pswap P            probability of a swap move (default 0.2)\n"
    "      --no-swap            plain Metropolis MC (same as --pswap 0)\n"
    "      --delta D            maximum displacement, fixed for the whole chain\n"
    "                           (default: tuned towards 40% acceptance during the\n"
    "                           first --tune sweeps, then frozen so that the chain\n"
    "                           obeys detailed balance)\n"
    "      --tune S             length of the tuning phase (default 100 sweeps;\n"
    "                           frames written in it carry tuning=T)\n"
    "      --checkpoint FILE    write the full chain state to FILE (atomically)\n"
    "                           every --checkpoint-every seconds, at the end, and\n"
    "                           on SIGINT/SIGTERM (then exit 1)\n"
    "      --checkpoint-every SECONDS (default 600)\n"
    "      --resume FILE        continue the chain saved in FILE up to --sweeps:\n"
    "                           the frames written are exactly those an\n"
    "                           uninterrupted run writes after the checkpoint;\n"
    "                           with -o, the output of the first run is\n"
    "                           continued in place\n"
    "  -t, --to FORMAT          xyz (default), bin or lammps\n"
    "  -o, --output FILE        write FILE (complete only at the end: FILE.partial\n"
    "                           meanwhile when checkpointing, else a temporary)\n"
    "      --progress           progress on standard error (default: when it is\n"
    "                           a terminal): sweeps, sweeps/s, acceptances,\n"
    "                           energy, time left\n"
    "  -h, --help               show this help and exit\n"
    "  -V, --version            show the version and exit\n"
    "\n"
    "Metadata written: sweep, T, Tf (= T), epot (tracked energy per particle),\n"
    "acc_disp and acc_swap (acceptance since the previous frame), delta, pswap,\n"
    "seed, stage=ipl-swapmc, history.\n"
    "\n"
    "Example: ipl-swapmc -N 1500 -T 0.07 --sweeps 1000000 --every 100000 \\\n"
    "           --checkpoint chain.ckpt -o glasses.xyz\n";

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

typedef struct {
    double T, pswap, delta, rho;
    long sweeps, every, tune, natoms;
    uint64_t seed;
    int fixed_delta, fmt, progress, random_diameters;
    double ckpt_every;
    const char *ckpt, *resume, *outpath;
    /* which were given on the command line (checked against a resume) */
    int given_T, given_pswap, given_seed, given_every, given_delta, given_tune, given_rho,
        given_fmt;
} opts;

typedef struct {
    FILE *fp;
    char *partial; /* FILE.partial when checkpointing to a file */
    tk_output plain;
    int mode; /* 0 stdout, 1 tk_output temp file, 2 .partial */
} chain_out;

/* ---- checkpoint: a binary frame whose metadata is the chain state ---- */

static void write_checkpoint(const opts *o, tk_frame *fr, const tk_swapmc *mc, long sweep,
                             int tuned, const long win[2], chain_out *out, const char *cmd)
{
    long out_bytes = 0;
    if (fflush(out->fp) != 0 || ferror(out->fp))
        tk_die("%s: write error", out->mode ? "output" : "standard output");
    if (out->mode == 2)
        out_bytes = ftell(out->fp);
    tk_frame ck;
    tk_frame_init(&ck);
    tk_frame_copy(&ck, fr);
    tk_meta *m = &ck.meta;
    /* chain state in keys of its own: the frame's metadata stays as is */
    tk_meta_set(m, "ckpt", "ipl-swapmc 1");
    tk_meta_setf(m, "ckpt_sweep", "%ld", sweep);
    tk_meta_setd(m, "ckpt_T", o->T);
    tk_meta_setd(m, "ckpt_pswap", o->pswap);
    tk_meta_setd(m, "ckpt_delta", mc->delta);
    tk_meta_setf(m, "ckpt_tuned", "%d", tuned);
    tk_meta_setf(m, "ckpt_fixed", "%d", o->fixed_delta);
    tk_meta_setf(m, "ckpt_fmt", "%d", o->fmt);
    tk_meta_setf(m, "ckpt_every", "%ld", o->every);
    tk_meta_setf(m, "ckpt_tune", "%ld", o->tune);
    tk_meta_setf(m, "ckpt_seed", "%" PRIu64, o->seed);
    tk_meta_setd(m, "ckpt_E", mc->E);
    tk_meta_setf(m, "ckpt_rng", "%016" PRIx64 " %016" PRIx64 " %016" PRIx64 " %016" PRIx64,
                 mc->rng.s[0], mc->rng.s[1], mc->rng.s[2], mc->rng.s[3]);
    tk_meta_setf(m, "ckpt_counts", "%ld %ld %ld %ld %ld %ld", mc->try_disp, mc->acc_disp,
                 mc->try_swap, mc->acc_swap, win[0], win[1]);
    tk_meta_setf(m, "ckpt_out_bytes", "%ld", out_bytes);
    /* the command that started the chain: the history of every frame, also
     * of those written after a resume */
    tk_meta_set(m, "ckpt_cmd", cmd);
    tk_output co;
    tk_output_open(&co, o->ckpt);
    tk_write_frame(co.fp, &ck, TK_FMT_BIN);
    tk_output_commit(&co);
    tk_frame_free(&ck);
}

/* the chain-state keys of a checkpoint (removed again on resume) */
static const char *ckpt_keys[] = {"ckpt",       "ckpt_sweep",  "ckpt_T",     "ckpt_pswap",
                                  "ckpt_delta", "ckpt_tuned",  "ckpt_fixed", "ckpt_fmt",
                                  "ckpt_every", "ckpt_tune",   "ckpt_seed",  "ckpt_E",
                                  "ckpt_rng",   "ckpt_counts", "ckpt_out_bytes", "ckpt_cmd"};

static const char *ck_get(const tk_frame *f, const char *key, const char *path)
{
    const char *v = tk_meta_get(&f->meta, key);
    if (!v)
        tk_die("%s: not an ipl-swapmc checkpoint (no %s=)", path, key);
    return v;
}

static double ck_double(const tk_frame *f, const char *key, const char *path)
{
    double v;
    ck_get(f, key, path);
    tk_meta_get_double(&f->meta, key, &v);
    return v;
}

static double ratio(long a, long b)
{
    return b ? (double)a / b : 0;
}

static void mismatch(const char *path, const char *what, const char *was)
{
    tk_usage_error("--resume %s: the chain was made with %s=%s; do not change it on resume",
                   path, what, was);
}

int main(int argc, char **argv)
{
    tk_init(argc, argv);
    static const struct option longopts[] = {
        {"temp", required_argument, 0, 'T'},    {"sweeps", required_argument, 0, 'S'},
        {"every", required_argument, 0, 'e'},   {"natoms", required_argument, 0, 'N'},
        {"rho", required_argument, 0, 'r'},     {"seed", required_argument, 0, 's'},
        {"random-diameters", no_argument, 0, 'D'},
        {"pswap", required_argument, 0, 'p'},   {"no-swap", no_argument, 0, 'n'},
        {"delta", required_argument, 0, 'd'},   {"tune", required_argument, 0, 'u'},
        {"checkpoint", required_argument, 0, 'c'},
        {"checkpoint-every", required_argument, 0, 'C'},
        {"resume", required_argument, 0, 'R'},  {"to", required_argument, 0, 't'},
        {"output", required_argument, 0, 'o'},  {"progress", no_argument, 0, 'P'},
        {"help", no_argument, 0, 'h'},          {"version", no_argument, 0, 'V'},
        {0, 0, 0, 0}};
    opts o = {.T = -1, .pswap = 0.2, .delta = 0.1, .rho = 1, .sweeps = -1, .tune = 100,
              .seed = 1, .fmt = TK_FMT_XYZ, .progress = isatty(2), .ckpt_every = 600};
    char *cmd = tk_cmdline(argc, argv);
    int c;
    while ((c = tk_getopt(argc, argv, "T:N:t:o:hV", longopts)) != -1) {
        switch (c) {
        case 'T': o.T = tk_arg_double_pos("--temp", optarg); o.given_T = 1; break;
        case 'S': o.sweeps = tk_arg_long("--sweeps", optarg, 0, 1L << 50); break;
        case 'e': o.every = tk_arg_long("--every", optarg, 1, 1L << 50); o.given_every = 1; break;
        case 'N': o.natoms = tk_arg_long("--natoms", optarg, 1, 100000000); break;
        case 'r': o.rho = tk_arg_double_pos("--rho", optarg); o.given_rho = 1; break;
        case 'D': o.random_diameters = 1; break;
        case 's': o.seed = tk_arg_seed("--seed", optarg); o.given_seed = 1; break;
        case 'p':
            o.pswap = tk_arg_double("--pswap", optarg);
            if (o.pswap < 0 || o.pswap > 1)
                tk_usage_error("--pswap: %s is not a probability", optarg);
            o.given_pswap = 1;
            break;
        case 'n': o.pswap = 0; o.given_pswap = 1; break;
        case 'd':
            o.delta = tk_arg_double_pos("--delta", optarg);
            o.fixed_delta = o.given_delta = 1;
            break;
        case 'u': o.tune = tk_arg_long("--tune", optarg, 0, 1L << 50); o.given_tune = 1; break;
        case 'c': o.ckpt = optarg; break;
        case 'C': o.ckpt_every = tk_arg_double_pos("--checkpoint-every", optarg); break;
        case 'R': o.resume = optarg; break;
        case 't':
            if ((o.fmt = tk_format_parse(optarg)) < 0)
                tk_usage_error("--to: unknown format '%s' (xyz, bin or lammps)", optarg);
            o.given_fmt = 1;
            break;
        case 'o': o.outpath = optarg; break;
        case 'P': o.progress = 1; break;
        case 'h': tk_help(usage);
        case 'V': tk_version();
        default: tk_usage_error("unknown option");
        }
    }
    if (o.sweeps < 0)
        tk_usage_error("the chain length --sweeps is required");
    if (!o.resume && !o.given_T)
        tk_usage_error("the temperature -T is required");
    if (o.natoms && (optind < argc || o.resume))
        tk_usage_error("-N makes a new configuration: give no input FILE or --resume");
    if (o.resume && optind < argc)
        tk_usage_error("--resume continues a saved chain: give no input FILE");
    if (o.resume && o.given_tune)
        tk_usage_error("--tune cannot change on --resume");
    if (o.given_rho && !o.natoms)
        tk_usage_error("--rho goes with -N");
    if (argc - optind > 1)
        tk_usage_error("one initial frame FILE at most");
    if (o.outpath && strcmp(o.outpath, "-") == 0)
        o.outpath = NULL;
    if (o.outpath && (o.ckpt || o.resume)) {
        /* the output is continued in place on resume: it must be a file */
        struct stat st;
        if (lstat(o.outpath, &st) == 0 && !S_ISREG(st.st_mode))
            tk_usage_error("-o %s: with --checkpoint or --resume the output must be a regular "
                           "file", o.outpath);
    }
    if (o.ckpt) /* written first after --checkpoint-every seconds: fail now */
        tk_output_check_dir(o.ckpt);
    if (o.ckpt && !o.resume && access(o.ckpt, F_OK) == 0)
        tk_usage_error("checkpoint %s exists: continue that chain with --resume %s, or remove it",
                       o.ckpt, o.ckpt);
    if (o.fixed_delta && o.delta > 1)
        tk_usage_error("--delta %g is larger than a particle", o.delta);

    tk_frame fr;
    tk_frame_init(&fr);
    long sweep = 0;
    int tuned = o.fixed_delta || o.tune == 0;
    long out_bytes = 0;
    uint64_t rng_state[4] = {0, 0, 0, 0};
    long counts[6] = {0, 0, 0, 0, 0, 0};
    double E = 0;
    char where[512];

    if (o.resume) {
        tk_reader r;
        tk_reader_open(&r, o.resume);
        if (!tk_read_frame(&r, &fr))
            tk_die("%s: empty checkpoint", o.resume);
        tk_reader_close(&r);
        const char *p = o.resume;
        if (strcmp(ck_get(&fr, "ckpt", p), "ipl-swapmc 1") != 0)
            tk_die("%s: not an ipl-swapmc checkpoint of version 1", p);
        double T = ck_double(&fr, "ckpt_T", p), ps = ck_double(&fr, "ckpt_pswap", p);
        if (o.given_T && T != o.T)
            mismatch(p, "T", ck_get(&fr, "ckpt_T", p));
        if (o.given_pswap && ps != o.pswap)
            mismatch(p, "pswap", ck_get(&fr, "ckpt_pswap", p));
        o.T = T;
        o.pswap = ps;
        long every = atol(ck_get(&fr, "ckpt_every", p));
        if (o.given_every && every != o.every)
            mismatch(p, "every", ck_get(&fr, "ckpt_every", p));
        o.every = every;
        uint64_t seed = strtoull(ck_get(&fr, "ckpt_seed", p), NULL, 10);
        if (o.given_seed && seed != o.seed)
            mismatch(p, "seed", ck_get(&fr, "ckpt_seed", p));
        o.seed = seed;
        o.tune = atol(ck_get(&fr, "ckpt_tune", p));
        double delta = ck_double(&fr, "ckpt_delta", p);
        if (o.given_delta && delta != o.delta)
            mismatch(p, "delta", ck_get(&fr, "ckpt_delta", p));
        o.delta = delta;
        o.fixed_delta = atoi(ck_get(&fr, "ckpt_fixed", p));
        int fmt = atoi(ck_get(&fr, "ckpt_fmt", p));
        if (o.given_fmt && fmt != o.fmt)
            mismatch(p, "the output format (-t)", fmt == TK_FMT_BIN ? "bin" :
                     fmt == TK_FMT_LAMMPS ? "lammps" : "xyz");
        o.fmt = fmt;
        tuned = atoi(ck_get(&fr, "ckpt_tuned", p));
        sweep = atol(ck_get(&fr, "ckpt_sweep", p));
        E = ck_double(&fr, "ckpt_E", p);
        out_bytes = atol(ck_get(&fr, "ckpt_out_bytes", p));
        if (sscanf(ck_get(&fr, "ckpt_rng", p), "%" SCNx64 " %" SCNx64 " %" SCNx64 " %" SCNx64,
                   &rng_state[0], &rng_state[1], &rng_state[2], &rng_state[3]) != 4 ||
            sscanf(ck_get(&fr, "ckpt_counts", p), "%ld %ld %ld %ld %ld %ld", &counts[0],
                   &counts[1], &counts[2], &counts[3], &counts[4], &counts[5]) != 6)
            tk_die("%s: damaged checkpoint (rng or counts)", p);
        /* frames record the chain's own command, not this resume (a
         * checkpoint of an older version has none: then this command) */
        const char *ccmd = tk_meta_get(&fr.meta, "ckpt_cmd");
        if (ccmd) {
            free(cmd);
            cmd = tk_xstrdup(ccmd);
        }
        for (size_t k = 0; k < sizeof ckpt_keys / sizeof *ckpt_keys; k++)
            tk_meta_del(&fr.meta, ckpt_keys[k]);
        snprintf(where, sizeof where, "%s", o.resume);
    } else if (o.natoms) {
        tk_generate(&fr, o.natoms, o.rho, o.seed, 1e-3,
                    o.random_diameters ? TK_DIAM_RANDOM : TK_DIAM_SET);
        snprintf(where, sizeof where, "N=%ld, rho=%g", o.natoms, o.rho);
    } else {
        tk_reader r;
        tk_reader_open(&r, optind < argc ? argv[optind] : "-");
        if (!tk_read_frame(&r, &fr))
            tk_die("%s: no initial frame in the input", r.name);
        snprintf(where, sizeof where, "%s: frame 1", r.name);
        tk_frame extra;
        tk_frame_init(&extra);
        if (tk_read_frame(&r, &extra))
            tk_die("%s: more than one frame; ipl-swapmc starts one chain from one frame",
                   r.name);
        tk_frame_free(&extra);
        tk_reader_close(&r);
    }
    fr.has_v = 0;
    if (o.fmt == TK_FMT_LAMMPS && o.every)
        tk_usage_error("a LAMMPS data file holds one frame: use -t xyz or bin with --every");

    tk_swapmc mc;
    if (tk_swapmc_init(&mc, fr.n, fr.L, fr.origin, fr.x, fr.sigma, o.T, o.delta, o.pswap) != 0) {
        if (o.natoms) /* -N and --rho made the box: a bad argument */
            tk_usage_error("-N %ld at density %g: the box edge %.4g must exceed 2 x (cutoff %.4g "
                           "+ skin %.2g): take N >= %ld at this density (or a lower density)",
                           o.natoms, o.rho, fr.L, mc.rc, mc.skin,
                           tk_generate_min_n(o.rho, mc.skin, o.random_diameters ? TK_DIAM_RANDOM
                                                                                : TK_DIAM_SET));
        tk_die("%s: box edge %.6g is too small for %d particles (must exceed 2 x (%.4g + "
               "%.4g))", where, fr.L, fr.n, mc.rc, mc.skin);
    }
    if (o.resume) {
        memcpy(mc.rng.s, rng_state, sizeof rng_state);
        mc.E = E;
        mc.try_disp = counts[0];
        mc.acc_disp = counts[1];
        mc.try_swap = counts[2];
        mc.acc_swap = counts[3];
    } else {
        tk_rng_seed2(&mc.rng, o.seed, 1);
        mc.E = tk_swapmc_energy(&mc);
        if (!isfinite(mc.E))
            tk_die("%s: the initial energy is not finite (overlapping particles?)", where);
    }

    /* outputs */
    chain_out out = {.fp = stdout};
    if (o.outpath && (o.ckpt || o.resume)) {
        size_t k = strlen(o.outpath) + 9;
        out.partial = tk_xmalloc(k);
        snprintf(out.partial, k, "%s.partial", o.outpath);
        out.mode = 2;
        if (o.resume) {
            /* extending a finished chain: its output becomes partial again */
            if (access(out.partial, F_OK) != 0 && access(o.outpath, F_OK) == 0 &&
                rename(o.outpath, out.partial) != 0)
                tk_die("%s: cannot reopen: %s", o.outpath, strerror(errno));
            out.fp = fopen(out.partial, "r+b");
            if (!out.fp)
                tk_die("%s: cannot continue the output of the saved chain: %s (was it written "
                       "to standard output? then resume without -o and append)",
                       out.partial, strerror(errno));
            struct stat st;
            if (fstat(fileno(out.fp), &st) != 0 || st.st_size < out_bytes)
                tk_die("%s: shorter (%lld bytes) than the %ld bytes the checkpoint has seen "
                       "written", out.partial, (long long)st.st_size, out_bytes);
            if (ftruncate(fileno(out.fp), out_bytes) != 0 || fseek(out.fp, 0, SEEK_END) != 0)
                tk_die("%s: cannot truncate to the checkpoint: %s", out.partial, strerror(errno));
        } else {
            out.fp = fopen(out.partial, "wb");
            if (!out.fp)
                tk_output_fail(o.outpath, errno);
        }
    } else if (o.outpath) {
        tk_output_open(&out.plain, o.outpath);
        out.fp = out.plain.fp;
        out.mode = 1;
    }
    if (o.ckpt) {
        signal(SIGINT, on_signal);
        signal(SIGTERM, on_signal);
    }

    double t0 = tk_seconds(), tlast = t0, tckpt = t0;
    const int tty = isatty(2);
    long done_try[2] = {0, 0}, done_acc[2] = {0, 0}; /* moves before the last frame */
    long sweep0 = sweep, win_try = counts[4], win_acc = counts[5];
    while (sweep < o.sweeps) {
        long td = mc.try_disp, ad = mc.acc_disp;
        tk_swapmc_sweep(&mc);
        sweep++;
        if (!tuned) {
            win_try += mc.try_disp - td;
            win_acc += mc.acc_disp - ad;
            if (sweep % 10 == 0 && win_try > 0) {
                double acc = (double)win_acc / win_try, f = acc / 0.4;
                f = f < 0.5 ? 0.5 : f > 1.5 ? 1.5 : f;
                double d = mc.delta * f;
                tk_swapmc_set_delta(&mc, d < 1e-4 ? 1e-4 : d > 0.5 ? 0.5 : d);
                win_try = win_acc = 0;
            }
            if (sweep >= o.tune)
                tuned = 1;
        }
        if ((o.every && sweep % o.every == 0) || (!o.every && sweep == o.sweeps)) {
            tk_meta_setf(&fr.meta, "sweep", "%ld", sweep);
            tk_meta_setd(&fr.meta, "T", o.T);
            tk_meta_setd(&fr.meta, "Tf", o.T);
            tk_meta_setd(&fr.meta, "epot", mc.E / fr.n);
            tk_meta_setd(&fr.meta, "acc_disp", mc.try_disp ? (double)mc.acc_disp / mc.try_disp : 0);
            tk_meta_setd(&fr.meta, "acc_swap", mc.try_swap ? (double)mc.acc_swap / mc.try_swap : 0);
            tk_meta_setd(&fr.meta, "delta", mc.delta);
            tk_meta_setd(&fr.meta, "pswap", o.pswap);
            tk_meta_setf(&fr.meta, "seed", "%" PRIu64, o.seed);
            if (sweep <= o.tune && !o.fixed_delta)
                tk_meta_set(&fr.meta, "tuning", "T");
            else
                tk_meta_del(&fr.meta, "tuning");
            tk_meta_set(&fr.meta, "stage", "ipl-swapmc");
            tk_frame hist;
            tk_frame_init(&hist);
            tk_frame_copy(&hist, &fr);
            tk_meta_history(&hist.meta, cmd);
            tk_write_frame(out.fp, &hist, o.fmt);
            tk_frame_free(&hist);
            done_try[0] += mc.try_disp;
            done_acc[0] += mc.acc_disp;
            done_try[1] += mc.try_swap;
            done_acc[1] += mc.acc_swap;
            mc.try_disp = mc.acc_disp = mc.try_swap = mc.acc_swap = 0;
            if (!isfinite(mc.E))
                tk_die("%s: sweep %ld: the energy is not finite", where, sweep);
        }
        double t = tk_seconds();
        /* a terminal gets one line rewritten every second, a log file a
         * line every 30 seconds */
        if (o.progress && (t - tlast > (tty ? 1 : 30) || sweep == o.sweeps)) {
            double rate = (sweep - sweep0) / (t - t0);
            fprintf(stderr, "%s%s: sweep %ld/%ld  %.0f sweeps/s  acc %.2f/%.2f  e %.6f  left %.0fs%s",
                    tty ? "\r" : "", tk_prog, sweep, o.sweeps, rate,
                    /* since this process started: frames reset mc's counts */
                    ratio(done_acc[0] + mc.acc_disp, done_try[0] + mc.try_disp),
                    ratio(done_acc[1] + mc.acc_swap, done_try[1] + mc.try_swap), mc.E / fr.n,
                    (o.sweeps - sweep) / rate, tty ? "   " : "\n");
            tlast = t;
        }
        if (o.ckpt && (stop_requested || t - tckpt > o.ckpt_every || sweep == o.sweeps)) {
            long win[2] = {win_try, win_acc};
            write_checkpoint(&o, &fr, &mc, sweep, tuned, win, &out, cmd);
            tckpt = t;
        }
        if (stop_requested) {
            if (o.progress && tty)
                fputc('\n', stderr);
            if (out.mode == 2)
                fclose(out.fp);
            tk_die("interrupted at sweep %ld; the chain is saved in %s: continue it with "
                   "ipl-swapmc --resume %s --sweeps %ld%s%s --checkpoint %s", sweep, o.ckpt,
                   o.ckpt, o.sweeps, o.outpath ? " -o " : "", o.outpath ? o.outpath : "",
                   o.ckpt);
        }
    }
    if (o.progress && tty)
        fputc('\n', stderr);
    /* the tracked energy must agree with a fresh evaluation: a check of the
     * incremental bookkeeping on every run */
    double Eexact = tk_swapmc_energy(&mc);
    if (fabs(Eexact - mc.E) > 1e-8 * fr.n)
        tk_die("%s: internal error: tracked energy %.15g differs from the recomputed %.15g",
               where, mc.E / fr.n, Eexact / fr.n);
    if (out.mode == 2) {
        tk_fclose_checked(out.fp, out.partial);
        if (rename(out.partial, o.outpath) != 0)
            tk_die("%s: cannot rename into place: %s", o.outpath, strerror(errno));
        free(out.partial);
    } else if (out.mode == 1) {
        tk_output_commit(&out.plain);
    }
    tk_swapmc_free(&mc);
    tk_frame_free(&fr);
    free(cmd);
    return tk_finish();
}
