/* frame-lammps - fuzz harness: frame streams, seeded with LAMMPS data files
 * (write_data, Atoms # charge or # sphere, Velocities, Masses, Coeffs);
 * each frame written back as a LAMMPS data file, then as extended XYZ and
 * binary, and read again (frames.h). */
#include "frames.h"

static void one(const char *path)
{
    fuzz_frames(path, TK_FMT_LAMMPS);
}

int main(int argc, char **argv)
{
    return fuzz_main(argc, argv, one);
}
