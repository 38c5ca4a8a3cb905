/* swapmc - time swap Monte Carlo sweeps (lib/swapmc.c) in blocks.
 *
 * A benchmark tool, not a user program (see bench/README.md).  Reads the
 * first frame of FILE, sets up tk_swapmc as ipl-swapmc does (seed stream 1,
 * fixed delta), runs W warm-up sweeps (the first builds the lists), then B
 * blocks of S sweeps, each timed alone: the fastest block filters out
 * interference from the rest of the machine better than one long run.
 * Prints "key<TAB>value" lines: the rates (fastest and median block), the
 * kernel level, the mean list lengths, recentres per sweep, acceptances,
 * and the tracked energy against a fresh evaluation.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
#include "err.h"
#include "frameio.h"
#include "simd.h"
#include "swapmc.h"

static const char usage[] =
    "Usage: swapmc [OPTION]... FILE\n"
    "Time swap Monte Carlo sweeps on the first frame of FILE: W warm-up sweeps,\n"
    "then B timed blocks of S sweeps; prints key<TAB>value lines (sweeps_per_s\n"
    "of the fastest block by wall time, sweeps_per_s_median, the same by the\n"
    "thread's CPU time (sweeps_per_s_cpu ...), simd, list lengths, recentres\n"
    "per sweep, acceptances, epot and its error against a fresh evaluation).\n"
    "TLSKIT_SIMD=none|avx2|avx512 caps the kernels (simd.h).\n"
    "\n"
    "Options:\n"
    "  -T, --temp T       temperature (default 0.07)\n"
    "      --delta D      maximum displacement (default 0.057)\n"
    "      --pswap P      probability of a swap move (default 0.2)\n"
    "      --seed SEED    random seed (default 1)\n"
    "  -s, --sweeps S     sweeps per timed block (default 200)\n"
    "  -b, --blocks B     timed blocks (default 10)\n"
    "  -w, --warmup W     warm-up sweeps (default 20)\n"
    "  -h, --help         show this help and exit\n"
    "  -V, --version      show the version and exit\n";

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

static const char *simd_name(int level)
{
    return level == TK_SIMD_AVX512 ? "avx512" : level == TK_SIMD_AVX2 ? "avx2" : "none";
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double mean_count(const tk_swapmc_list *l, int n)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += l->cnt[i];
    return s / n;
}

int main(int argc, char **argv)
{
    tk_init(argc, argv);
    static const struct option longopts[] = {
        {"temp", required_argument, 0, 'T'},   {"delta", required_argument, 0, 'd'},
        {"pswap", required_argument, 0, 'p'},  {"seed", required_argument, 0, 'e'},
        {"sweeps", required_argument, 0, 's'}, {"blocks", required_argument, 0, 'b'},
        {"warmup", required_argument, 0, 'w'}, {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, 'V'},      {0, 0, 0, 0}};
    double T = 0.07, delta = 0.057, pswap = 0.2;
    long sweeps = 200, blocks = 10, warmup = 20;
    uint64_t seed = 1;
    int c;
    while ((c = getopt_long(argc, argv, "T:s:b:w:hV", longopts, NULL)) != -1) {
        switch (c) {
        case 'T': T = tk_arg_double_pos("--temp", optarg); break;
        case 'd': delta = tk_arg_double_pos("--delta", optarg); break;
        case 'p':
            pswap = tk_arg_double("--pswap", optarg);
            if (pswap < 0 || pswap > 1)
                tk_usage_error("--pswap: %s is not a probability", optarg);
            break;
        case 'e': seed = tk_arg_seed("--seed", optarg); break;
        case 's': sweeps = tk_arg_long("--sweeps", optarg, 1, 100000000L); break;
        case 'b': blocks = tk_arg_long("--blocks", optarg, 1, 100000); break;
        case 'w': warmup = tk_arg_long("--warmup", optarg, 1, 100000000L); break;
        case 'h': tk_help(usage);
        case 'V': tk_version();
        default: tk_usage_error("unknown option");
        }
    }
    if (argc - optind != 1)
        tk_usage_error("expected one FILE");

    tk_reader rd;
    tk_reader_open(&rd, argv[optind]);
    tk_frame fr;
    tk_frame_init(&fr);
    if (!tk_read_frame(&rd, &fr))
        tk_die("%s: no frame", argv[optind]);
    tk_reader_close(&rd);

    tk_swapmc mc;
    if (tk_swapmc_init(&mc, fr.n, fr.L, fr.origin, fr.x, fr.sigma, T, delta, pswap) != 0)
        tk_die("%s: box too small for the cutoff", argv[optind]);
    tk_rng_seed2(&mc.rng, seed, 1);
    mc.E = tk_swapmc_energy(&mc);
    for (long s = 0; s < warmup; s++)
        tk_swapmc_sweep(&mc);
    long td = mc.try_disp, ad = mc.acc_disp, ts = mc.try_swap, as = mc.acc_swap,
         nr = mc.nrecentre;
    double *rate = tk_xmalloc(2 * (size_t)blocks * sizeof *rate), *crate = rate + blocks;
    for (long b = 0; b < blocks; b++) {
        double t0 = tk_seconds(), c0 = cpu_seconds();
        for (long s = 0; s < sweeps; s++)
            tk_swapmc_sweep(&mc);
        rate[b] = sweeps / (tk_seconds() - t0);
        crate[b] = sweeps / (cpu_seconds() - c0);
    }
    qsort(rate, (size_t)blocks, sizeof *rate, cmp_double);
    qsort(crate, (size_t)blocks, sizeof *crate, cmp_double);
    double E = tk_swapmc_energy(&mc), total = (double)sweeps * blocks;
    printf("N\t%d\n", fr.n);
    printf("simd\t%s\n", simd_name(mc.simd));
    printf("sweeps_per_block\t%ld\nblocks\t%ld\n", sweeps, blocks);
    printf("sweeps_per_s\t%.1f\n", rate[blocks - 1]);
    printf("sweeps_per_s_median\t%.1f\n", rate[blocks / 2]);
    printf("sweeps_per_s_cpu\t%.1f\n", crate[blocks - 1]);
    printf("sweeps_per_s_cpu_median\t%.1f\n", crate[blocks / 2]);
    printf("ns_per_move\t%.1f\n", 1e9 / (rate[blocks - 1] * fr.n));
    printf("full_list\t%.2f\ninner_list\t%.2f\nnear_list\t%.2f\n", mean_count(&mc.full, fr.n),
           mean_count(&mc.inner, fr.n), mean_count(&mc.near, fr.n));
    printf("sgrow\t%.4f\nskin\t%.4f\n", mc.sgrow, mc.skin);
    printf("recentres_per_sweep\t%.3f\n", (mc.nrecentre - nr) / total);
    printf("acc_disp\t%.4f\n", mc.try_disp > td ? (double)(mc.acc_disp - ad) / (mc.try_disp - td) : 0);
    printf("acc_swap\t%.4f\n", mc.try_swap > ts ? (double)(mc.acc_swap - as) / (mc.try_swap - ts) : 0);
    printf("epot\t%.12f\n", mc.E / fr.n);
    printf("epot_error\t%.3g\n", fabs(mc.E - E) / fr.n);
    free(rate);
    tk_swapmc_free(&mc);
    tk_frame_free(&fr);
    return tk_finish();
}
