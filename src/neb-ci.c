/* neb-ci - minimum energy paths between pairs of minima (tlskit-physics(7), stage 5). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "displace.h"
#include "err.h"
#include "frameio.h"
#include "minimize.h"
#include "neb.h"
#include "output.h"

static const char usage[] =
    "Usage: neb-ci [OPTION]... [FILE]...\n"
    "Find the minimum energy path between the two frames of every pair in the\n"
    "input (pair-select output, or any stream of frames taken two by two) by\n"
    "the climbing-image nudged elastic band: the two ends are re-minimised, the\n"
    "band interpolated under the minimum-image convention, relaxed by FIRE with\n"
    "the improved tangent and springs along it, and once it is roughly relaxed\n"
    "its highest image climbs to the saddle.  A rigid translation between the\n"
    "two frames is removed first: the second end is shifted by minus the mean\n"
    "displacement, and no image of the band translates.  Two frames that are\n"
    "one minimum (largest drift-free particle displacement below --dtol) are\n"
    "not a pair: an error when the input is that one pair, else skipped with a\n"
    "warning and counted at the end.\n"
    "\n"
    "Output, one record per pair (the schrod1d input format, blocks separated\n"
    "by a blank line):\n"
    "  # id=PAIR i=I j=J converged=T|F iterations=.. nforce=.. fmax=..\n"
    "    e_saddle=.. dE=.. d=.. PR=.. dmax=.. nimages=.. ci=.. drift=..\n"
    "  xi V           (--samples rows, xi from 0 to 1)\n"
    "V is the energy relative to the first frame's minimum (total, epsilon),\n"
    "xi = s / d with s the path length in 3N-space and d the total length; the\n"
    "profile is a cubic Hermite interpolation through the image energies with\n"
    "the slopes dV/ds = -F.tau of the true forces.  e_saddle is the energy of\n"
    "the highest image (the climbing image at convergence) relative to V(0),\n"
    "dE = V(1); PR and dmax describe the displacement between the two minima\n"
    "without its mean, drift the length of that mean (the translation removed).\n"
    "\n"
    "Options:\n"
    "  -n, --images N      interior images (default 9)\n"
    "  -k, --spring K      spring constant (default 5)\n"
    "      --tol F         converged when the largest force component of all\n"
    "                      images is <= F (default 1e-6)\n"
    "      --maxiter N     iteration limit (default 20000); a band whose length\n"
    "                      grows beyond 10 times the start is stopped at once\n"
    "      --ci-on F       switch the climbing image on below this force\n"
    "                      (default 1e-2) or after --ci-after iterations\n"
    "      --ci-after N    (default 2000)\n"
    "      --method M      optimiser of the band: lbfgs (default) or fire\n"
    "                      (L-BFGS on the NEB forces, no line search, steps\n"
    "                      capped at 0.02 per component; a band it lets run\n"
    "                      away is relaxed again by FIRE from the start)\n"
    "      --memory M      L-BFGS memory (default 5)\n"
    "      --ftol F        force tolerance of the end minimisations (1e-10)\n"
    "      --dtol D        the two ends are one minimum when no particle moves\n"
    "                      by more than D, drift removed (default 1e-3)\n"
    "      --samples S     rows of the profile (default 201)\n"
    "      --chunk C/K     work only on the pairs number p (from 0) with\n"
    "                      p mod K = C: K processes with C = 0 .. K-1 share a\n"
    "                      pair stream (make -j, a job array)\n"
    "      --images-out FILE  also write every band as frames (xyz) to FILE\n"
    "      --bands         write the bands as frames (for dwp-split) instead of\n"
    "                      the records: every image with metadata pair, i, j,\n"
    "                      image, nimages, E (total energy), ftan (F.tau), s\n"
    "                      (path length), converged; -t chooses the format\n"
    "  -t, --to FORMAT     format of --bands: bin (default) or xyz\n"
    "  -o, --output FILE   write the records to FILE atomically\n"
    "      --progress      one line per pair on standard error (default: when\n"
    "                      it is a terminal)\n"
    "      --allow-empty   no pair in the input is a result (a glass without\n"
    "                      pairs), not an error: a note, exit 0\n"
    "  -h, --help          show this help and exit\n"
    "  -V, --version       show the version and exit\n"
    "\n"
    "Pairs are independent: split a big pair stream into chunks and run\n"
    "several neb-ci (make -j, xargs -P, a scheduler).  A band that does not\n"
    "converge is still written, with converged=F, and reported on stderr.\n"
    "\n"
    "Example: pair-select --transitions tr.tsv minima.bin | neb-ci > paths.txt\n";

static void minimise_end(tk_frame *f, double ftol, const char *where, long *nforce)
{
    tk_ipl m;
    tk_ipl_for_frame(&m, f, TK_SKIN_DEFAULT, where);
    tk_min_opts mo;
    tk_min_defaults(&mo);
    mo.ftol = ftol;
    tk_min_result r = tk_minimize(&m, f->x, &mo);
    *nforce += r.nforce;
    if (!r.converged)
        tk_die("%s: the end point does not minimise (fmax %.3g after %ld force evaluations)",
               where, r.fmax, r.nforce);
    tk_ipl_free(&m);
}

int main(int argc, char **argv)
{
    tk_init(argc, argv);
    static const struct option longopts[] = {
        {"images", required_argument, 0, 'n'},  {"spring", required_argument, 0, 'k'},
        {"tol", required_argument, 0, 'f'},     {"maxiter", required_argument, 0, 'm'},
        {"ci-on", required_argument, 0, 'c'},   {"ci-after", required_argument, 0, 'a'},
        {"ftol", required_argument, 0, 'F'},    {"samples", required_argument, 0, 's'},
        {"images-out", required_argument, 0, 'I'}, {"output", required_argument, 0, 'o'},
        {"bands", no_argument, 0, 'B'},         {"to", required_argument, 0, 't'},
        {"chunk", required_argument, 0, 'C'},   {"dtol", required_argument, 0, 'D'},
        {"progress", no_argument, 0, 'P'},      {"help", no_argument, 0, 'h'},
        {"method", required_argument, 0, 'M'},  {"memory", required_argument, 0, 'Y'},
        {"allow-empty", no_argument, 0, 'E'},
        {"version", no_argument, 0, 'V'},       {0, 0, 0, 0}};
    tk_neb_opts no;
    tk_neb_defaults(&no);
    double ftol = 1e-10, dtol = TK_SAME_DTOL;
    int samples = 201, progress = isatty(2), bands = 0, bfmt = TK_FMT_BIN, allow_empty = 0, c;
    long chunk = 0, nchunk = 1;
    const char *outpath = "-", *imgpath = NULL;
    while ((c = tk_getopt(argc, argv, "n:k:t:o:hV", longopts)) != -1) {
        switch (c) {
        case 'n': no.nimages = (int)tk_arg_long("--images", optarg, 1, 1000); break;
        case 'k': no.k = tk_arg_double_pos("--spring", optarg); break;
        case 'f': no.tol = tk_arg_double_pos("--tol", optarg); break;
        case 'm': no.maxiter = tk_arg_long("--maxiter", optarg, 1, 1L << 40); break;
        case 'c': no.ci_on = tk_arg_double_pos("--ci-on", optarg); break;
        case 'a': no.ci_after = tk_arg_long("--ci-after", optarg, 0, 1L << 40); break;
        case 'F': ftol = tk_arg_double_pos("--ftol", optarg); break;
        case 'Y': no.memory = (int)tk_arg_long("--memory", optarg, 1, 100); break;
        case 'M':
            if ((no.method = tk_neb_method_parse(optarg)) < 0)
                tk_usage_error("--method: '%s' is not fire or lbfgs", optarg);
            break;
        case 'D': dtol = tk_arg_double_pos("--dtol", optarg); break;
        case 's': samples = (int)tk_arg_long("--samples", optarg, 3, 1000000); break;
        case 'I': imgpath = optarg; break;
        case 'B': bands = 1; break;
        case 'C':
            if (sscanf(optarg, "%ld/%ld", &chunk, &nchunk) != 2 || nchunk < 1 || chunk < 0 ||
                chunk >= nchunk)
                tk_usage_error("--chunk: '%s' is not C/K with 0 <= C < K", optarg);
            break;
        case 't':
            if ((bfmt = tk_format_parse(optarg)) < 0 || bfmt == TK_FMT_LAMMPS)
                tk_usage_error("--to: '%s': bands are bin or xyz", optarg);
            break;
        case 'o': outpath = optarg; break;
        case 'P': progress = 1; break;
        case 'E': allow_empty = 1; break;
        case 'h': tk_help(usage);
        case 'V': tk_version();
        default: tk_usage_error("unknown option");
        }
    }
    tk_input in;
    tk_input_init(&in, argc - optind, argv + optind);
    tk_output out, imgs;
    tk_output_open(&out, outpath);
    if (imgpath)
        tk_output_open(&imgs, imgpath);
    tk_frame a, b;
    tk_frame_init(&a);
    tk_frame_init(&b);
    double *xi = tk_xmalloc((size_t)samples * sizeof *xi), *V = tk_xmalloc((size_t)samples * sizeof *V);
    long npair = 0, nsame = 0;
    char where[700], refused[1024] = "";
    while (tk_input_next(&in, &a)) {
        snprintf(where, sizeof where, "%s", tk_input_where(&in));
        if (refused[0]) { /* pair 0 was refused, and it is not alone */
            tk_warn("%s; skipped", refused);
            refused[0] = '\0';
        }
        if (!tk_input_next(&in, &b))
            tk_die("%s: an unpaired frame at the end of the input (pairs are two frames)", where);
        const char *pa = tk_meta_get(&a.meta, "pair"), *pb = tk_meta_get(&b.meta, "pair");
        if ((pa || pb) && !(pa && pb && strcmp(pa, pb) == 0))
            tk_die("%s: the frame and the next one are not a pair (pair=%s and pair=%s)", where,
                   pa ? pa : "none", pb ? pb : "none");
        if (a.n != b.n || fabs(a.L - b.L) > 1e-12 * a.L)
            tk_die("%s: the two frames of a pair have different N or box", where);
        for (int p = 0; p < a.n; p++)
            if (a.sigma[p] != b.sigma[p])
                tk_die("%s: particle %d has different diameters in the two frames", where, p + 1);
        if (npair % nchunk != chunk) {
            npair++;
            continue;
        }
        long nforce = 0;
        minimise_end(&a, ftol, where, &nforce);
        minimise_end(&b, ftol, where, &nforce);
        /* one minimum twice, or up to a translation: not a pair */
        tk_disp ends;
        tk_displace(a.n, a.L, a.x, b.x, 0, NULL, &ends);
        if (!(ends.dmax > dtol)) {
            char what[300], id[64];
            snprintf(id, sizeof id, "%s", pa ? pa : "");
            if (!pa)
                snprintf(id, sizeof id, "%ld", npair);
            snprintf(what, sizeof what, "pair %s: the two frames are the same minimum (largest "
                     "particle displacement %.3g <= --dtol %g once a translation of %.3g is "
                     "removed): not a pair", id, ends.dmax, dtol, tk_disp_drift(&ends));
            if (npair == 0) /* an error if it is the only pair: decided at the next frame */
                snprintf(refused, sizeof refused, "%s: %s", where, what);
            else
                tk_warn("%s: %s; skipped", where, what);
            nsame++;
            npair++;
            continue;
        }

        tk_neb band;
        tk_neb_init(&band, &a, a.x, b.x, &no);
        tk_neb_run(&band, &no);
        nforce += band.nforce;
        tk_neb_profile(&band, samples, xi, V);
        int M = band.M, n3 = 3 * a.n;
        /* the displacement between the minima, without the translation */
        tk_disp dsp;
        tk_displace(a.n, a.L, band.R, band.R + (size_t)(M - 1) * n3, 0, NULL, &dsp);
        /* the saddle energy is the climbing image's, not a sampled maximum */
        double vmax = 0;
        for (int i = 0; i < M; i++)
            vmax = band.E[i] - band.E[0] > vmax ? band.E[i] - band.E[0] : vmax;
        if (bands) {
            tk_frame img;
            tk_frame_init(&img);
            tk_frame_copy(&img, &a);
            img.has_v = 0;
            tk_meta_del(&img.meta, "role");
            if (!pa)
                tk_meta_setf(&img.meta, "pair", "%ld", npair);
            for (int i = 0; i < M; i++) {
                memcpy(img.x, band.R + (size_t)i * n3, (size_t)n3 * sizeof *img.x);
                tk_meta_setf(&img.meta, "image", "%d", i);
                tk_meta_setf(&img.meta, "nimages", "%d", M);
                tk_meta_setd(&img.meta, "E", band.E[i]);
                tk_meta_setd(&img.meta, "epot", band.E[i] / a.n);
                tk_meta_setd(&img.meta, "ftan", band.ftan[i]);
                tk_meta_setd(&img.meta, "s", band.s[i]);
                tk_meta_set(&img.meta, "converged", band.converged ? "T" : "F");
                tk_meta_setd(&img.meta, "fneb", band.fmax);
                tk_meta_setf(&img.meta, "ci", "%d", band.ci);
                tk_meta_set(&img.meta, "stage", "neb-ci");
                tk_write_frame(out.fp, &img, bfmt);
            }
            tk_frame_free(&img);
        } else {
        fprintf(out.fp, "# id=%s", pa ? pa : "");
        if (!pa)
            fprintf(out.fp, "%ld", npair);
        const char *ki = tk_meta_get(&a.meta, "i"), *kj = tk_meta_get(&a.meta, "j");
        if (ki && kj)
            fprintf(out.fp, " i=%s j=%s", ki, kj);
        fprintf(out.fp,
                " converged=%s iterations=%ld nforce=%ld fmax=%.3e e_saddle=%.17g dE=%.17g "
                "d=%.17g PR=%.10g dmax=%.10g nimages=%d ci=%d drift=%.3g\n",
                band.converged ? "T" : "F", band.iter, nforce, band.fmax, vmax,
                band.E[M - 1] - band.E[0], band.s[M - 1], dsp.pr, dsp.dmax, no.nimages,
                band.ci, sqrt(band.drift[0] * band.drift[0] + band.drift[1] * band.drift[1] +
                              band.drift[2] * band.drift[2]));
        for (int q = 0; q < samples; q++)
            fprintf(out.fp, "%.10f %.17g\n", xi[q], V[q]);
        fputc('\n', out.fp);
        }
        if (!band.converged)
            tk_warn("%s: the band %s: largest force %.3g > %.3g after %ld iterations (written "
                    "with converged=F)", where, band.diverged ? "diverged" : "did not converge",
                    band.fmax, no.tol, band.iter);
        if (progress)
            fprintf(stderr, "%s: pair %ld: %s after %ld iterations, %ld force evaluations, "
                            "barrier %.4g, dE %.4g, d %.4g%s\n",
                    tk_prog, npair, band.converged ? "converged" : "NOT converged", band.iter,
                    nforce, vmax, band.E[M - 1] - band.E[0], band.s[M - 1],
                    band.fallback ? " (L-BFGS ran away: FIRE)" : "");
        if (imgpath) {
            tk_frame img;
            tk_frame_init(&img);
            tk_frame_copy(&img, &a);
            for (int i = 0; i < M; i++) {
                memcpy(img.x, band.R + (size_t)i * n3, (size_t)n3 * sizeof *img.x);
                tk_wrap(img.n, img.L, img.origin, img.x);
                tk_meta_setf(&img.meta, "image", "%d", i);
                tk_meta_setd(&img.meta, "epot", band.E[i] / a.n);
                tk_meta_setd(&img.meta, "s", band.s[i]);
                tk_meta_set(&img.meta, "stage", "neb-ci");
                tk_write_frame(imgs.fp, &img, TK_FMT_XYZ);
            }
            tk_frame_free(&img);
        }
        tk_neb_free(&band);
        npair++;
    }
    if (refused[0]) /* the one pair of the input */
        tk_die("%s", refused);
    if (in.count == 0 && !allow_empty) /* an empty file, a failed stage upstream */
        tk_die("%s: no frame in the input (a glass without pairs? --allow-empty accepts it)",
               tk_input_names(&in));
    if (in.count == 0) /* pair-select found no pair: a result */
        tk_warn("%s: no frame in the input: no pair, nothing written", tk_input_names(&in));
    if (nsame)
        tk_warn("%ld of %ld pairs skipped: their two frames are the same minimum (no band, no "
                "record)", nsame, npair);
    if (imgpath)
        tk_output_commit(&imgs);
    tk_output_commit(&out);
    free(xi);
    free(V);
    tk_frame_free(&a);
    tk_frame_free(&b);
    tk_input_close(&in);
    return tk_finish();
}
