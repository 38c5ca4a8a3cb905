/* is-sample - explore the landscape of a glass (tlskit-physics(7), stage 3): MD runs at
 * T_MD, inherent structures along them, dynamically connected minima. */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "frameio.h"
#include "ipl.h"
#include "md.h"
#include "minimize.h"
#include "minlib.h"
#include "output.h"
#include "rng.h"
#include "transitions.h"

static const char usage[] =
    "Usage: is-sample --transitions FILE [OPTION]... [FILE]\n"
    "Explore the metabasin of one glass (the frame in FILE or standard input)\n"
    "with isoconfigurational molecular dynamics: each run starts from the glass\n"
    "with fresh Maxwell-Boltzmann velocities at T (run r uses the random stream\n"
    "(seed, r)), evolves with velocity Verlet and the Bussi thermostat, and every\n"
    "--every time units a copy is minimised to its inherent structure (IS).\n"
    "When two consecutive IS differ, the MD interval between them is bisected\n"
    "(stored snapshots minimised at midpoints, down to --resolution steps), so\n"
    "that every recorded transition joins two directly adjacent minima.\n"
    "\n"
    "Minima are identified by energy per particle (within --etol) AND\n"
    "configuration (no particle displaced by more than --dtol, after removing\n"
    "the mean displacement): nearly degenerate minima can be far apart, two\n"
    "quenches into one basin differ by roundoff.\n"
    "\n"
    "Most quenches end in a minimum already known.  A quench is therefore\n"
    "checked on its way down, when its largest force first drops to --id-ftol\n"
    "and again at each further decade (--id-ftol/10, /100, ...): if it is then\n"
    "within --id-etol (energy per particle) and --id-dtol (largest particle\n"
    "displacement) of a known minimum, it is that minimum and stops there;\n"
    "otherwise the same minimisation goes on, exactly as without the check, and\n"
    "at --ftol the strict rule decides.  This saves more than half of the force\n"
    "evaluations (is-sample(1) for the risk).\n"
    "\n"
    "Each new minimum is written at once to the output stream\n"
    "(binary frames by default) with metadata id, epot, fmax, run, time, k\n"
    "(discovery key: the k-th minimisation of that run).\n"
    "\n"
    "The transitions table (tlskit-table(5)) has one row per connected pair\n"
    "i < j: i j ei ej nij nji (energies per particle, counts of i->j and j->i)\n"
    "plus the discovery keys of i and j (ri ki rj kj), which is-merge uses.\n"
    "\n"
    "Runs are independent: --first-run K --runs R computes runs K..K+R-1, so one\n"
    "glass can be spread over processes and the parts joined by is-merge, which\n"
    "gives the same minima, ids and counts as one job over all runs.\n"
    "\n"
    "Options:\n"
    "      --transitions FILE  write the transitions table to FILE (required)\n"
    "      --visits FILE       also write the sequence of minima of each run:\n"
    "                          run step time id\n"
    "  -T, --temp T            MD temperature T_MD (default 0.04)\n"
    "      --runs R            number of runs (default 1)\n"
    "      --first-run K       index of the first run (default 0)\n"
    "      --time TIME         MD time per run (default 10)\n"
    "      --every TIME        MD time between minimisations (default 1)\n"
    "      --resolution S      bisect down to S MD steps (default 1)\n"
    "      --dt DT             time step (default 0.005)\n"
    "      --tau TAU           thermostat coupling time (default 0.1)\n"
    "      --seed SEED         random seed (default 1)\n"
    "      --ftol F            minimiser force tolerance (default 1e-10)\n"
    "      --etol E            same-minimum energy tolerance per particle\n"
    "                          (default 1e-8)\n"
    "      --dtol D            same-minimum largest particle displacement\n"
    "                          (default 1e-3)\n"
    "      --id-ftol F         force at which a quench is first compared with the\n"
    "                          known minima, then at each decade below\n"
    "                          (default 1e-3; 0: never, polish every quench\n"
    "                          to --ftol)\n"
    "      --id-etol E         energy tolerance per particle of that comparison\n"
    "                          (default 1e-7)\n"
    "      --id-dtol D         its largest particle displacement (default 0.02)\n"
    "  -t, --to FORMAT         minima as bin (default) or xyz\n"
    "  -o, --output FILE       write the minima to FILE atomically instead of\n"
    "                          standard output\n"
    "      --progress          progress on standard error (default: when it is\n"
    "                          a terminal)\n"
    "  -h, --help              show this help and exit\n"
    "  -V, --version           show the version and exit\n"
    "\n"
    "Example: md-quench -T 0.04 glass.xyz | is-sample --runs 20 --time 50 \\\n"
    "           --transitions tr.tsv > minima.bin\n";

typedef struct {
    double T, time, every, dt, tau, ftol, etol, dtol, id_ftol, id_etol, id_dtol;
    long runs, first_run, resolution;
    uint64_t seed;
    int fmt, progress;
} opts;

typedef struct {
    const opts *o;
    tk_frame *glass;  /* input frame: metadata template of the output */
    tk_frame out;     /* scratch output frame */
    tk_minlib lib;
    tk_transitions tr;
    tk_ipl minmodel;  /* model for minimisations */
    double *work;     /* 3n scratch */
    FILE *fp, *visits;
    char *cmd;
    char glass_id[20]; /* fingerprint of the input glass */
    long run, k;      /* current run, minimisations in it */
    long nmin, nnew, nfail, nforce, nmd, nknown; /* nknown: stopped at --id-ftol */
    long found;                                  /* the early check's match */
    double tmin, tmd; /* seconds in minimisation and in MD */
} sampler;

/* The early check of a quench (tk_min_opts.check, at --id-ftol and each
 * decade below): is it a known minimum? */
static int known_minimum(void *ctx, tk_ipl *m, double *x)
{
    sampler *s = ctx;
    double e = tk_ipl_energy(m, x) / m->n;
    s->found = tk_minlib_find_tol(&s->lib, e, x, s->o->id_etol, s->o->id_dtol);
    return s->found >= 0;
}

/* Minimise snapshot x taken at MD step `step`; return the minimum's index in
 * the library (adding and writing it when new), or -1 if not converged. */
static long quench(sampler *s, const double *x, long step)
{
    int n = s->glass->n;
    memcpy(s->work, x, 3 * (size_t)n * sizeof *x);
    tk_min_opts mo;
    tk_min_defaults(&mo);
    mo.ftol = s->o->ftol;
    if (s->o->id_ftol > s->o->ftol) {
        mo.check_tol = s->o->id_ftol;
        mo.check = known_minimum;
        mo.check_ctx = s;
    }
    double t0 = tk_seconds();
    tk_min_result r = tk_minimize(&s->minmodel, s->work, &mo);
    s->tmin += tk_seconds() - t0;
    s->nforce += r.nforce;
    long k = s->k++;
    s->nmin++;
    if (r.stopped) {
        s->nknown++;
        return s->found;
    }
    if (!r.converged) {
        s->nfail++;
        tk_warn("run %ld, step %ld: minimisation did not converge (fmax %.3g after %ld force "
                "evaluations); snapshot skipped", s->run, step, r.fmax, r.nforce);
        return -1;
    }
    double e = r.epot / n;
    long id = tk_minlib_find(&s->lib, e, s->work);
    if (id >= 0)
        return id;
    id = tk_minlib_add(&s->lib, e, s->work, s->run, k);
    s->nnew++;
    tk_frame_copy(&s->out, s->glass);
    memcpy(s->out.x, s->work, 3 * (size_t)n * sizeof *s->work);
    s->out.has_v = 0;
    tk_wrap(n, s->out.L, s->out.origin, s->out.x);
    tk_meta *m = &s->out.meta;
    static const char *stale[] = {"ekin", "md_steps", "md_time", "converged", "nforce"};
    for (size_t q = 0; q < sizeof stale / sizeof *stale; q++)
        tk_meta_del(m, stale[q]);
    tk_meta_setf(m, "id", "%ld", id);
    tk_meta_setd(m, "epot", e);
    tk_meta_setd(m, "fmax", r.fmax);
    tk_meta_setf(m, "run", "%ld", s->run);
    tk_meta_setd(m, "time", step * s->o->dt);
    tk_meta_setf(m, "k", "%ld", k);
    tk_meta_setd(m, "T_MD", s->o->T);
    tk_meta_set(m, "glass", s->glass_id);
    tk_meta_setf(m, "sample_seed", "%llu", (unsigned long long)s->o->seed);
    tk_meta_setd(m, "etol", s->o->etol);
    tk_meta_setd(m, "dtol", s->o->dtol);
    tk_meta_set(m, "stage", "is-sample");
    tk_meta_history(m, s->cmd);
    tk_write_frame(s->fp, &s->out, s->o->fmt);
    return id;
}

static void visit(sampler *s, long step, long id)
{
    if (s->visits)
        fprintf(s->visits, "%ld\t%ld\t%.10g\t%ld\n", s->run, step, step * s->o->dt, id);
}

/* Snapshots snap[0..m] cover MD steps step0..step0+m; minima a at ia and b at
 * ib are known.  Bisect until the two ends are adjacent. */
static void resolve(sampler *s, double *const *snap, long step0, long ia, long a, long ib, long b)
{
    if (a == b)
        return;
    if (ib - ia <= s->o->resolution) {
        tk_transitions_add(&s->tr, a, b);
        visit(s, step0 + ib, b);
        return;
    }
    long im = (ia + ib) / 2;
    long c = quench(s, snap[im], step0 + im);
    if (c < 0)
        c = a; /* an unconverged midpoint: search the later half */
    resolve(s, snap, step0, ia, a, im, c);
    resolve(s, snap, step0, im, c, ib, b);
}

int main(int argc, char **argv)
{
    tk_init(argc, argv);
    static const struct option longopts[] = {
        {"transitions", required_argument, 0, 'X'}, {"visits", required_argument, 0, 'v'},
        {"temp", required_argument, 0, 'T'},        {"runs", required_argument, 0, 'R'},
        {"first-run", required_argument, 0, 'K'},   {"time", required_argument, 0, 'D'},
        {"every", required_argument, 0, 'e'},       {"resolution", required_argument, 0, 'r'},
        {"dt", required_argument, 0, 'd'},          {"tau", required_argument, 0, 'u'},
        {"seed", required_argument, 0, 's'},        {"ftol", required_argument, 0, 'f'},
        {"etol", required_argument, 0, 'E'},        {"dtol", required_argument, 0, 'L'},
        {"id-ftol", required_argument, 0, 'I'},     {"id-etol", required_argument, 0, 'J'},
        {"id-dtol", required_argument, 0, 'M'},
        {"to", required_argument, 0, 't'},          {"output", required_argument, 0, 'o'},
        {"progress", no_argument, 0, 'P'},          {"help", no_argument, 0, 'h'},
        {"version", no_argument, 0, 'V'},           {0, 0, 0, 0}};
    opts o = {.T = 0.04, .time = 10, .every = 1, .dt = 0.005, .tau = 0.1, .ftol = 1e-10,
              .etol = 1e-8, .dtol = 1e-3, .id_ftol = 1e-3, .id_etol = 1e-7, .id_dtol = 0.02,
              .runs = 1, .resolution = 1, .seed = 1,
              .fmt = TK_FMT_BIN, .progress = isatty(2)};
    const char *trpath = NULL, *vpath = NULL, *outpath = "-";
    char *cmd = tk_cmdline(argc, argv);
    int c;
    while ((c = tk_getopt(argc, argv, "T:t:o:hV", longopts)) != -1) {
        switch (c) {
        case 'X': trpath = optarg; break;
        case 'v': vpath = optarg; break;
        case 'T': o.T = tk_arg_double_pos("--temp", optarg); break;
        case 'R': o.runs = tk_arg_long("--runs", optarg, 1, 1L << 40); break;
        case 'K': o.first_run = tk_arg_long("--first-run", optarg, 0, 1L << 40); break;
        case 'D': o.time = tk_arg_double_pos("--time", optarg); break;
        case 'e': o.every = tk_arg_double_pos("--every", optarg); break;
        case 'r': o.resolution = tk_arg_long("--resolution", optarg, 1, 1L << 30); break;
        case 'd': o.dt = tk_arg_double_pos("--dt", optarg); break;
        case 'u': o.tau = tk_arg_double_pos("--tau", optarg); break;
        case 's': o.seed = tk_arg_seed("--seed", optarg); break;
        case 'f': o.ftol = tk_arg_double_pos("--ftol", optarg); break;
        case 'E': o.etol = tk_arg_double_pos("--etol", optarg); break;
        case 'L': o.dtol = tk_arg_double_pos("--dtol", optarg); break;
        case 'I':
            o.id_ftol = tk_arg_double("--id-ftol", optarg);
            if (!(o.id_ftol >= 0))
                tk_usage_error("--id-ftol: '%s' must be >= 0", optarg);
            break;
        case 'J': o.id_etol = tk_arg_double_pos("--id-etol", optarg); break;
        case 'M': o.id_dtol = tk_arg_double_pos("--id-dtol", optarg); break;
        case 't':
            if ((o.fmt = tk_format_parse(optarg)) < 0 || o.fmt == TK_FMT_LAMMPS)
                tk_usage_error("--to: '%s': the minima stream is bin or xyz", optarg);
            break;
        case 'o': outpath = optarg; break;
        case 'P': o.progress = 1; break;
        case 'h': tk_help(usage);
        case 'V': tk_version();
        default: tk_usage_error("unknown option");
        }
    }
    if (!trpath)
        tk_usage_error("--transitions FILE is required");
    if (argc - optind > 1)
        tk_usage_error("one glass FILE at most");
    long every = lround(o.every / o.dt), nsteps = lround(o.time / o.dt);
    if (every < 1 || nsteps < every)
        tk_usage_error("--every must be at least one step and at most --time");
    if (nsteps % every)
        tk_usage_error("--time %g must be a multiple of --every %g", o.time, o.every);
    const char *outs[3] = {outpath, trpath, vpath};
    for (int p = 0; p < 3; p++)
        for (int q = p + 1; q < 3; q++)
            if (outs[p] && outs[q] && strcmp(outs[p], outs[q]) == 0)
                tk_usage_error("two outputs go to the same place '%s'", outs[p]);
    if (every > 100000)
        tk_usage_error("--every %g is %ld steps: snapshots of at most 100000 steps are kept",
                       o.every, every);

    tk_frame glass;
    tk_frame_init(&glass);
    {
        tk_reader r;
        tk_reader_open(&r, optind < argc ? argv[optind] : "-");
        if (!tk_read_frame(&r, &glass))
            tk_die("%s: no glass frame in the input", r.name);
        tk_frame extra;
        tk_frame_init(&extra);
        if (tk_read_frame(&r, &extra))
            tk_die("%s: more than one frame; is-sample explores one glass (split the stream)",
                   r.name);
        tk_frame_free(&extra);
        /* a glass in which no pair is within the cutoff has a flat landscape:
         * every configuration is a "minimum" of energy 0; say so before any
         * MD (the library of minima would stop at the first one) */
        if (tk_frame_interacting(&glass, 1) == 0)
            tk_die("%s: frame 1: no pair of particles interacts (%d particle%s in a box of "
                   "%g, none within the cutoff 1.25 sigma_ij of another): the landscape is "
                   "flat, there is nothing to sample", r.name, glass.n, glass.n == 1 ? "" : "s",
                   glass.L);
        tk_reader_close(&r);
    }
    int n = glass.n;
    tk_wrap(n, glass.L, glass.origin, glass.x);

    sampler s = {.o = &o, .glass = &glass, .cmd = cmd};
    {
        /* FNV-1a over positions and diameters: is-merge joins only parts of
         * one glass */
        uint64_t h = 1469598103934665603ULL;
        const unsigned char *p[2] = {(const unsigned char *)glass.x,
                                     (const unsigned char *)glass.sigma};
        size_t len[2] = {3 * (size_t)n * sizeof *glass.x, (size_t)n * sizeof *glass.sigma};
        for (int q = 0; q < 2; q++)
            for (size_t k = 0; k < len[q]; k++)
                h = (h ^ p[q][k]) * 1099511628211ULL;
        snprintf(s.glass_id, sizeof s.glass_id, "%016llx", (unsigned long long)h);
    }
    tk_frame_init(&s.out);
    tk_minlib_init(&s.lib, n, glass.L, o.etol, o.dtol);
    tk_transitions_init(&s.tr);
    tk_ipl_for_frame(&s.minmodel, &glass, TK_SKIN_MINIMIZE, "glass");
    s.work = tk_xmalloc(3 * (size_t)n * sizeof *s.work);
    tk_output out, trout, vout;
    /* every output opened before the work: a bad path fails at once */
    tk_output_open(&trout, trpath);
    tk_output_open(&out, outpath);
    s.fp = out.fp;
    if (vpath) {
        tk_output_open(&vout, vpath);
        s.visits = vout.fp;
        fputs("#run\tstep\ttime\tid\n", s.visits);
    }

    /* snapshots of one interval: step 0 .. every */
    double **snap = tk_xmalloc(((size_t)every + 1) * sizeof *snap);
    for (long q = 0; q <= every; q++)
        snap[q] = tk_xmalloc(3 * (size_t)n * sizeof **snap);
    double *x = tk_xmalloc(3 * (size_t)n * sizeof *x), *v = tk_xmalloc(3 * (size_t)n * sizeof *v);
    double t0 = tk_seconds();
    for (long run = o.first_run; run < o.first_run + o.runs; run++) {
        s.run = run;
        s.k = 0;
        /* a fresh list for the quenches of each run: the order of its
         * pairs, hence the roundoff of the forces, must not depend on the
         * runs before (is-merge joins parts to exactly one job's result) */
        tk_ipl_invalidate(&s.minmodel);
        tk_rng rng;
        tk_rng_seed2(&rng, o.seed, (uint64_t)run);
        memcpy(x, glass.x, 3 * (size_t)n * sizeof *x);
        tk_md_velocities(n, v, o.T, &rng);
        tk_ipl m;
        tk_ipl_for_frame(&m, &glass, TK_SKIN_DEFAULT, "glass");
        tk_md md;
        tk_md_init(&md, &m, x, v, o.dt, &rng);
        md.thermostat = 1;
        md.T = o.T;
        md.tau = o.tau;
        memcpy(snap[0], x, 3 * (size_t)n * sizeof *x);
        long prev = quench(&s, snap[0], 0);
        visit(&s, 0, prev);
        for (long step0 = 0; step0 + every <= nsteps; step0 += every) {
            double tm = tk_seconds();
            for (long q = 1; q <= every; q++) {
                if (tk_md_step(&md) != 0)
                    tk_die("run %ld, step %ld: the energy is not finite (the MD exploded)", run,
                           step0 + q);
                memcpy(snap[q], x, 3 * (size_t)n * sizeof *x);
            }
            s.tmd += tk_seconds() - tm;
            s.nmd += every;
            long cur = quench(&s, snap[every], step0 + every);
            if (prev >= 0 && cur >= 0)
                resolve(&s, snap, step0, 0, prev, every, cur);
            else if (cur >= 0)
                visit(&s, step0 + every, cur);
            prev = cur;
            double *t = snap[0];
            snap[0] = snap[every];
            snap[every] = t;
        }
        tk_md_free(&md);
        tk_ipl_free(&m);
        if (o.progress) {
            double el = tk_seconds() - t0;
            fprintf(stderr, "%s: run %ld/%ld: %zu minima, %zu transitions, %ld minimisations "
                            "(%ld new, %ld known early, %ld unconverged, %.0f force evaluations "
                            "each, %.1f/s); MD %.3g ms/step; %.0fs\n",
                    tk_prog, run - o.first_run + 1, o.runs, s.lib.count, s.tr.count, s.nmin,
                    s.nnew, s.nknown, s.nfail, (double)s.nforce / s.nmin, s.nmin / s.tmin,
                    1e3 * s.tmd / s.nmd, el);
        }
    }
    tk_transitions_write(&s.tr, &s.lib, trout.fp);
    tk_output_commit(&trout);
    if (vpath)
        tk_output_commit(&vout);
    tk_output_commit(&out);

    for (long q = 0; q <= every; q++)
        free(snap[q]);
    free(snap);
    free(x);
    free(v);
    free(s.work);
    tk_ipl_free(&s.minmodel);
    tk_minlib_free(&s.lib);
    tk_transitions_free(&s.tr);
    tk_frame_free(&s.out);
    tk_frame_free(&glass);
    free(cmd);
    return tk_finish();
}
