/* conf-convert - frames from any supported format to a chosen one. */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "err.h"
#include "frameio.h"
#include "output.h"

static const char usage[] =
    "Usage: conf-convert [OPTION]... [FILE]...\n"
    "Convert frames (FILEs, or standard input; extended XYZ, tlskit binary or\n"
    "LAMMPS data, detected per frame) to one format, frame by frame.  Numbers\n"
    "are written with 17 significant digits: xyz <-> bin round trips are exact;\n"
    "LAMMPS data keep positions and diameters exactly, while the box edge is\n"
    "recomputed as xhi - xlo, particles are ordered by id and positions outside\n"
    "the box are wrapped.  A change of representation is not a change of data,\n"
    "so no history is added.\n"
    "\n"
    "Options:\n"
    "  -t, --to FORMAT     xyz (extended XYZ, default), bin (binary twin) or\n"
    "                      lammps (LAMMPS data file, Atoms # charge with the\n"
    "                      diameter in the charge column; one frame per file,\n"
    "                      so give a single frame)\n"
    "  -o, --output FILE   write FILE atomically instead of standard output\n"
    "      --set KEY=VALUE add or replace a metadata entry (repeatable)\n"
    "      --frames A:B    only frames A to B of the input (counted from 1 over\n"
    "                      all FILEs; A: means to the end)\n"
    "      --unset KEY     remove a metadata entry (repeatable; applied before\n"
    "                      any --set)\n"
    "  -h, --help          show this help and exit\n"
    "  -V, --version       show the version and exit\n"
    "\n"
    "Examples:\n"
    "  conf-convert -t bin glass.xyz > glass.bin\n"
    "  conf-convert -t lammps --set Tf=0.07 glass.bin > glass.data\n";

/* A key must read back as itself and must not be one of the format's own. */
static void check_key(const char *k, size_t n)
{
    static const char *reserved[] = {"Lattice", "Origin", "pbc", "Properties"};
    for (size_t i = 0; i < n; i++)
        if (!isgraph((unsigned char)k[i]) || k[i] == '"' || k[i] == '=')
            tk_usage_error("--set: key '%.*s' must be printable, without blanks, '\"' or '='",
                           (int)n, k);
    for (size_t i = 0; i < sizeof reserved / sizeof *reserved; i++)
        if (strlen(reserved[i]) == n && strncmp(k, reserved[i], n) == 0)
            tk_usage_error("--set: %s is part of the frame format, not metadata", reserved[i]);
}

int main(int argc, char **argv)
{
    tk_init(argc, argv);
    static const struct option longopts[] = {{"to", required_argument, 0, 't'},
                                             {"output", required_argument, 0, 'o'},
                                             {"set", required_argument, 0, 'S'},
                                             {"unset", required_argument, 0, 'U'},
                                             {"frames", required_argument, 0, 'F'},
                                             {"help", no_argument, 0, 'h'},
                                             {"version", no_argument, 0, 'V'},
                                             {0, 0, 0, 0}};
    int fmt = TK_FMT_XYZ, c;
    const char *outpath = "-";
    char **sets = tk_xcalloc((size_t)argc, sizeof *sets), **unsets = tk_xcalloc((size_t)argc, sizeof *unsets);
    int nset = 0, nunset = 0;
    long first = 1, last = -1;
    int frames_given = 0;
    while ((c = tk_getopt(argc, argv, "t:o:hV", longopts)) != -1) {
        switch (c) {
        case 't':
            if ((fmt = tk_format_parse(optarg)) < 0)
                tk_usage_error("--to: unknown format '%s' (xyz, bin or lammps)", optarg);
            break;
        case 'o': outpath = optarg; break;
        case 'S':
            if (!strchr(optarg, '=') || optarg[0] == '=')
                tk_usage_error("--set: '%s' is not KEY=VALUE", optarg);
            check_key(optarg, strchr(optarg, '=') - optarg);
            sets[nset++] = optarg;
            break;
        case 'U': unsets[nunset++] = optarg; break;
        case 'F': {
            frames_given = 1;
            char *colon = strchr(optarg, ':'), *end;
            if (!colon)
                tk_usage_error("--frames: '%s' is not A:B", optarg);
            first = strtol(optarg, &end, 10);
            if (end != colon || first < 1)
                tk_usage_error("--frames: '%s': A must be a frame number from 1", optarg);
            if (colon[1]) {
                last = strtol(colon + 1, &end, 10);
                if (*end || last < first)
                    tk_usage_error("--frames: '%s': B must be a number >= A", optarg);
            }
            break;
        }
        case 'h': tk_help(usage);
        case 'V': tk_version();
        default: tk_usage_error("unknown option");
        }
    }
    tk_input in;
    tk_input_init(&in, argc - optind, argv + optind);
    tk_output out;
    tk_output_open(&out, outpath);
    tk_frame fr;
    tk_frame_init(&fr);
    long nframes = 0;
    long index = 0;
    while (tk_input_next(&in, &fr)) {
        if (++index < first)
            continue;
        if (last >= 0 && index > last)
            break;
        if (fmt == TK_FMT_LAMMPS && ++nframes > 1)
            tk_die("%s: a LAMMPS data file holds one frame; convert one frame at a time",
                   tk_input_where(&in));
        for (int k = 0; k < nunset; k++)
            tk_meta_del(&fr.meta, unsets[k]);
        for (int k = 0; k < nset; k++) {
            char *eq = strchr(sets[k], '=');
            *eq = '\0';
            tk_meta_set(&fr.meta, sets[k], eq + 1);
            *eq = '=';
        }
        tk_write_frame(out.fp, &fr, fmt);
    }
    /* frames asked for but not there are an error, not an empty success */
    if (!frames_given)
        tk_input_require(&in);
    long want = last >= 0 ? last : first;
    if (index < want)
        tk_die("--frames: frame %ld asked for, but the input holds %ld frame%s", want, index,
               index == 1 ? "" : "s");
    tk_output_commit(&out);
    tk_frame_free(&fr);
    tk_input_close(&in);
    free(sets);
    free(unsets);
    return tk_finish();
}
