/* frame-xyz - fuzz harness: frame streams, seeded with extended XYZ; each
 * frame written back as extended XYZ, then binary and LAMMPS, and read
 * again (frames.h). */
#include "frames.h"

static void one(const char *path)
{
    fuzz_frames(path, TK_FMT_XYZ);
}

int main(int argc, char **argv)
{
    return fuzz_main(argc, argv, one);
}
