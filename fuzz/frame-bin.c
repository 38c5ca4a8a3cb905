/* frame-bin - fuzz harness: frame streams, seeded with binary frames
 * (TLSKIT-FRAME 1); each frame written back in the binary format, then as
 * extended XYZ and LAMMPS, and read again (frames.h). */
#include "frames.h"

static void one(const char *path)
{
    fuzz_frames(path, TK_FMT_BIN);
}

int main(int argc, char **argv)
{
    return fuzz_main(argc, argv, one);
}
