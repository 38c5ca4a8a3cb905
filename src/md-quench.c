/* md-quench - quench frames with molecular dynamics (tlskit-physics(7), stage 2). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "frameio.h"
#include "ipl.h"
#include "md.h"
#include "minimize.h"
#include "output.h"
#include "rng.h"

static const char usage[] =
    "Usage: md-quench -T TEMP [OPTION]... [FILE]...\n"
    "Quench every input frame (FILEs, or standard input) with molecular dynamics:\n"
    "draw velocities at the start temperature, cool to TEMP instantly or along a\n"
    "linear ramp, optionally run on at TEMP, and write the final frame (with\n"
    "velocities) or, with --minimize, its inherent structure.  Frames are\n"
    "independent: frame k uses the random stream (seed, k).\n"
    "\n"
    "Integrator: velocity Verlet, masses 1.  Thermostat: Bussi-Donadio-Parrinello\n"
    "stochastic velocity rescaling (canonical for any tau, momentum conserving),\n"
    "applied after every step; 'none' gives NVE.\n"
    "\n"
    "Options:\n"
    "  -T, --temp T          final and thermostat temperature (required)\n"
    "      --from T0         start temperature: initial velocities and the start\n"
    "                        of the ramp (default: with --ramp the frame's T\n"
    "                        metadata if it has one, else T)\n"
    "      --ramp TIME       cool linearly from T0 to T over TIME (default 0:\n"
    "                        instant quench, velocities drawn at T)\n"
    "      --time TIME       then run on at T for TIME (default 0)\n"
    "      --dt DT           time step (default 0.005)\n"
    "      --thermostat KIND bussi (default) or none (NVE)\n"
    "      --tau TAU         thermostat coupling time (default 0.1)\n"
    "      --keep-velocities start from the frame's own velocities if it has them\n"
    "      --seed SEED       random seed (default 1)\n"
    "      --minimize        write the inherent structure (the energy minimum\n"
    "                        reached from the final MD frame) instead of it\n"
    "      --ftol F          force tolerance of --minimize (default 1e-10)\n"
    "      --min-method M    fire, lbfgs or fire+lbfgs (default: FIRE 2.0 down\n"
    "                        to max |F| 1, then L-BFGS)\n"
    "      --every TIME      also write an MD snapshot every TIME along the run\n"
    "                        (before the final frame; never minimised)\n"
    "      --log FILE        thermodynamics table (tlskit-table(5)) every\n"
    "                        --log-every steps: frame step time temp epot ekin\n"
    "                        etot conserved (energies per particle; conserved =\n"
    "                        etot + heat removed by the thermostat)\n"
    "      --log-every K     (default 100)\n"
    "      --skin S          Verlet-list skin (default 0.3)\n"
    "  -t, --to FORMAT       xyz (default), bin or lammps\n"
    "  -o, --output FILE     write FILE atomically instead of standard output\n"
    "      --progress        progress on standard error (default: when it is a\n"
    "                        terminal)\n"
    "  -h, --help            show this help and exit\n"
    "  -V, --version         show the version and exit\n"
    "\n"
    "Metadata written: T (final temperature), Tf (kept, or the input's T: the\n"
    "swap-MC temperature is the glass's fictive temperature), md_steps,\n"
    "md_time, epot, ekin, seed, stage=md-quench, history; with --minimize also\n"
    "fmax, converged, nforce.\n"
    "\n"
    "Example: ipl-swapmc -N 1500 -T 0.07 --sweeps 100000 | md-quench -T 0.04 --time 10\n";

typedef struct {
    double T, T0, ramp, time, dt, tau, ftol, every, skin;
    int thermostat, keep_v, minimize, have_T0, progress, fmt, min_method;
    long log_every;
    uint64_t seed;
} opts;

static void write_log_row(FILE *lg, long frame, tk_md *md)
{
    int n = md->n;
    double ek = tk_md_ekin(md);
    double ep = tk_md_epot(md);
    fprintf(lg, "%ld\t%ld\t%.10g\t%.10g\t%.15g\t%.15g\t%.15g\t%.15g\n", frame, md->step,
            md->step * md->dt, tk_md_temperature(md), ep / n, ek / n, (ep + ek) / n,
            (ep + ek + md->heat) / n);
}

int main(int argc, char **argv)
{
    tk_init(argc, argv);
    static const struct option longopts[] = {
        {"temp", required_argument, 0, 'T'},   {"from", required_argument, 0, 'F'},
        {"ramp", required_argument, 0, 'R'},   {"time", required_argument, 0, 'D'},
        {"dt", required_argument, 0, 'd'},     {"thermostat", required_argument, 0, 'k'},
        {"tau", required_argument, 0, 'u'},    {"keep-velocities", no_argument, 0, 'K'},
        {"seed", required_argument, 0, 's'},   {"minimize", no_argument, 0, 'm'},
        {"ftol", required_argument, 0, 'f'},   {"every", required_argument, 0, 'e'},
        {"min-method", required_argument, 0, 'M'},
        {"log", required_argument, 0, 'l'},    {"log-every", required_argument, 0, 'L'},
        {"skin", required_argument, 0, 'S'},   {"to", required_argument, 0, 't'},
        {"output", required_argument, 0, 'o'}, {"progress", no_argument, 0, 'P'},
        {"help", no_argument, 0, 'h'},         {"version", no_argument, 0, 'V'},
        {0, 0, 0, 0}};
    opts o = {.T = -1, .dt = 0.005, .tau = 0.1, .ftol = 1e-10, .skin = TK_SKIN_DEFAULT,
              .thermostat = 1, .seed = 1, .log_every = 100, .fmt = TK_FMT_XYZ,
              .progress = isatty(2), .min_method = TK_MIN_FIRE_LBFGS};
    const char *outpath = "-", *logpath = NULL;
    char *cmd = tk_cmdline(argc, argv);
    int c;
    while ((c = tk_getopt(argc, argv, "T:t:o:hV", longopts)) != -1) {
        switch (c) {
        case 'T': o.T = tk_arg_double("--temp", optarg); break;
        case 'F': o.T0 = tk_arg_double("--from", optarg); o.have_T0 = 1; break;
        case 'R': o.ramp = tk_arg_double("--ramp", optarg); break;
        case 'D': o.time = tk_arg_double("--time", optarg); break;
        case 'd': o.dt = tk_arg_double_pos("--dt", optarg); break;
        case 'k':
            if (strcmp(optarg, "bussi") == 0)
                o.thermostat = 1;
            else if (strcmp(optarg, "none") == 0)
                o.thermostat = 0;
            else
                tk_usage_error("--thermostat: unknown kind '%s' (bussi or none)", optarg);
            break;
        case 'u': o.tau = tk_arg_double_pos("--tau", optarg); break;
        case 'K': o.keep_v = 1; break;
        case 's': o.seed = tk_arg_seed("--seed", optarg); break;
        case 'm': o.minimize = 1; break;
        case 'f': o.ftol = tk_arg_double_pos("--ftol", optarg); break;
        case 'M':
            if ((o.min_method = tk_min_method_parse(optarg)) < 0)
                tk_usage_error("--min-method: unknown method '%s' (fire, lbfgs, fire+lbfgs)",
                               optarg);
            break;
        case 'e': o.every = tk_arg_double_pos("--every", optarg); break;
        case 'l': logpath = optarg; break;
        case 'L': o.log_every = tk_arg_long("--log-every", optarg, 1, 1L << 40); break;
        case 'S': o.skin = tk_arg_double_pos("--skin", optarg); break;
        case 't':
            if ((o.fmt = tk_format_parse(optarg)) < 0)
                tk_usage_error("--to: unknown format '%s' (xyz, bin or lammps)", optarg);
            break;
        case 'o': outpath = optarg; break;
        case 'P': o.progress = 1; break;
        case 'h': tk_help(usage);
        case 'V': tk_version();
        default: tk_usage_error("unknown option");
        }
    }
    if (o.T < 0)
        tk_usage_error("the final temperature -T (>= 0) is required");
    if (o.ramp < 0 || o.time < 0)
        tk_usage_error("--ramp and --time must not be negative");
    if (o.have_T0 && o.T0 < 0)
        tk_usage_error("--from must not be negative");
    if (o.ramp > 0 && !o.thermostat)
        tk_usage_error("--ramp needs a thermostat: drop --thermostat none");
    if ((o.ramp + o.time) / o.dt > 1e15)
        tk_usage_error("--ramp + --time is %g steps of %g: too many", (o.ramp + o.time) / o.dt,
                       o.dt);
    if (logpath && strcmp(logpath, "-") == 0 && strcmp(outpath, "-") == 0)
        tk_usage_error("--log - and the frames would share standard output");
    if (o.fmt == TK_FMT_LAMMPS && o.every > 0)
        tk_usage_error("a LAMMPS data file holds one frame: use -t xyz or bin with --every");

    tk_input in;
    tk_input_init(&in, argc - optind, argv + optind);
    tk_output out, lg;
    tk_output_open(&out, outpath);
    if (logpath) {
        tk_output_open(&lg, logpath);
        fputs("#frame\tstep\ttime\ttemp\tepot\tekin\tetot\tconserved\n", lg.fp);
    }
    tk_frame fr, snap;
    tk_frame_init(&fr);
    tk_frame_init(&snap);
    long nframe = 0;
    long nramp = lround(o.ramp / o.dt), nrun = lround(o.time / o.dt), ntot = nramp + nrun;
    long every = o.every > 0 ? lround(o.every / o.dt) : 0;
    if (o.every > 0 && every < 1)
        every = 1;
    while (tk_input_next(&in, &fr)) {
        nframe++;
        if (o.fmt == TK_FMT_LAMMPS && nframe > 1)
            tk_die("%s: a LAMMPS data file holds one frame; quench one frame at a time",
                   tk_input_where(&in));
        const char *where = tk_input_where(&in);
        char wbuf[600];
        snprintf(wbuf, sizeof wbuf, "%s", where);
        double Tin = -1, T0;
        tk_meta_get_double(&fr.meta, "T", &Tin);
        T0 = o.have_T0 ? o.T0 : nramp > 0 && Tin >= 0 ? Tin : o.T;
        if (!tk_meta_get(&fr.meta, "Tf") && Tin >= 0)
            tk_meta_setd(&fr.meta, "Tf", Tin);

        tk_rng rng;
        tk_rng_seed2(&rng, o.seed, (uint64_t)(nframe - 1));
        if (!(o.keep_v && fr.has_v)) {
            tk_md_velocities(fr.n, fr.v, T0, &rng);
            fr.has_v = 1;
        }
        tk_ipl m;
        tk_ipl_for_frame(&m, &fr, o.skin, wbuf);
        tk_md md;
        tk_md_init(&md, &m, fr.x, fr.v, o.dt, &rng);
        md.thermostat = o.thermostat;
        md.tau = o.tau;
        md.T = T0;
        if (!isfinite(md.epot))
            tk_die("%s: the initial energy is not finite (overlapping particles?)", wbuf);
        if (logpath)
            write_log_row(lg.fp, nframe, &md);
        tk_meta_setf(&fr.meta, "seed", "%llu", (unsigned long long)o.seed);
        tk_meta_set(&fr.meta, "stage", "md-quench");
        tk_meta_history(&fr.meta, cmd);
        static const char *stale[] = {"fmax", "converged", "nforce"};
        for (size_t k = 0; k < sizeof stale / sizeof *stale; k++)
            tk_meta_del(&fr.meta, stale[k]);
        /* kinetic energies far above any temperature of the run mean the
         * integration has blown up, even before anything overflows */
        double kmax = 1e3 * fmax(1.0, fmax(T0, o.T)) * fr.n;
        for (long s = 1; s <= ntot; s++) {
            /* the target follows the ramp, then stays at T */
            md.T = s < nramp ? T0 + (o.T - T0) * (double)s / nramp : o.T;
            if (tk_md_step(&md) != 0 || tk_md_ekin(&md) > kmax)
                tk_die("%s: step %ld: the energy is not finite or exploded (kinetic energy %.3g "
                       "per particle); is the time step %g too large?", wbuf, s,
                       tk_md_ekin(&md) / fr.n, o.dt);
            if (logpath && s % o.log_every == 0)
                write_log_row(lg.fp, nframe, &md);
            if (every && s % every == 0 && s < ntot) {
                tk_meta_setd(&fr.meta, "T", md.T);
                tk_meta_setf(&fr.meta, "md_steps", "%ld", s);
                tk_meta_setd(&fr.meta, "md_time", s * o.dt);
                tk_meta_setd(&fr.meta, "epot", tk_md_epot(&md) / fr.n);
                tk_meta_setd(&fr.meta, "ekin", tk_md_ekin(&md) / fr.n);
                /* a wrapped copy: wrapping in place would perturb the run */
                tk_frame_copy(&snap, &fr);
                tk_wrap(snap.n, snap.L, snap.origin, snap.x);
                tk_write_frame(out.fp, &snap, o.fmt);
            }
            if (o.progress && s % 1000 == 0)
                fprintf(stderr, "\r%s: frame %ld: step %ld/%ld  T %.4f  epot %.6f   ", tk_prog,
                        nframe, s, ntot, tk_md_temperature(&md), tk_md_epot(&md) / fr.n);
        }
        if (o.progress && ntot >= 1000)
            fputc('\n', stderr);
        tk_meta_setd(&fr.meta, "T", o.T);
        tk_meta_setf(&fr.meta, "md_steps", "%ld", ntot);
        tk_meta_setd(&fr.meta, "md_time", ntot * o.dt);
        if (o.minimize) {
            tk_min_opts mo;
            tk_min_defaults(&mo);
            mo.ftol = o.ftol;
            mo.method = o.min_method;
            tk_min_result r = tk_minimize(&m, fr.x, &mo);
            if (!isfinite(r.epot))
                tk_die("%s: minimisation: the energy is not finite", wbuf);
            fr.has_v = 0;
            tk_meta_del(&fr.meta, "ekin");
            tk_meta_setd(&fr.meta, "epot", r.epot / fr.n);
            tk_meta_setd(&fr.meta, "fmax", r.fmax);
            tk_meta_set(&fr.meta, "converged", r.converged ? "T" : "F");
            tk_meta_setf(&fr.meta, "nforce", "%ld", r.nforce);
            if (!r.converged)
                tk_warn("%s: minimisation did not converge: fmax %.3g > %.3g after %ld force "
                        "evaluations (written with converged=F)", wbuf, r.fmax, o.ftol, r.nforce);
        } else {
            tk_meta_setd(&fr.meta, "epot", tk_md_epot(&md) / fr.n);
            tk_meta_setd(&fr.meta, "ekin", tk_md_ekin(&md) / fr.n);
        }
        tk_wrap(fr.n, fr.L, fr.origin, fr.x);
        tk_write_frame(out.fp, &fr, o.fmt);
        tk_md_free(&md);
        tk_ipl_free(&m);
    }
    tk_input_require(&in); /* a quench of nothing is a mistake upstream */
    if (logpath)
        tk_output_commit(&lg);
    tk_output_commit(&out);
    tk_frame_free(&fr);
    tk_frame_free(&snap);
    tk_input_close(&in);
    free(cmd);
    return tk_finish();
}
