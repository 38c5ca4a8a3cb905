#!/usr/bin/env bash
# pipelines/demo.sh - what `make demo` runs: a small tour of the toolkit on an
# embedded default.  (The full TLS pipeline per Tf joins here as its stages
# land.)  Outputs go to demo/.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$top/bin:$PATH"
shared="${TLSKIT_SHARED:-$top/../shared}"
out="$top/demo"
mkdir -p "$out"
cd "$out"

echo "== a fresh N = 500 glass former, overlaps removed (conf-gen)"
conf-gen -N 500 --seed 1 -o conf.xyz
conf-info conf.xyz

echo "== the same frame as binary and LAMMPS data; the round trip is exact"
conf-convert -t bin -o conf.bin conf.xyz
conf-convert -t lammps -o conf.data conf.bin
conf-convert conf.bin | cmp - conf.xyz && echo "xyz -> bin -> xyz: identical"
ls -l conf.xyz conf.bin conf.data | awk '{ print "  " $5 "\t" $9 }'

if [ -d "$shared/reference/minima" ]; then
    echo "== the reference glasses (file name = energy per particle)"
    conf-info "$shared"/reference/minima/*.conf.txt | cut -f1,3,6,7 |
        sed "s|$shared/reference/minima/||"
fi
echo "demo outputs are in $out"
