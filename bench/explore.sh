#!/usr/bin/env bash
# bench/explore.sh - the whole exploration, side by side with a baseline
# build of tlskit (by default the commit before the throughput work).
#
#   bash bench/explore.sh                 (after make; make bench runs it)
#
# On one fixed glass (bench/data/glass-0.092.xyz: N = 1500, Tf = 0.092,
# quenched to T_MD = 0.04, made by the science pipeline), both builds run
# the same is-sample job (same seeds and parameters), then pair-select,
# neb-ci --bands, dwp-split and schrod1d.  Reported: distinct minima,
# connected pairs, DWPs and TLS (splitting below 2 pi / 4000), the CPU
# seconds of exploration and of the whole chain, the rates per CPU-second
# or CPU-hour and their ratios; and whether both sides found the same
# minima (energy within 1e-8 per particle and no particle further than
# 1e-3 apart, translation removed): any minimum only one side found is
# listed.
#
# Environment: EXPLORE_BASE (git revision of the baseline, default
# 339b8b4; built from this repository's history), EXPLORE_BASE_BIN (a
# directory of baseline programs already built: no build), EXPLORE_RUNS (2), EXPLORE_TIME (20), EXPLORE_EVERY (1),
# EXPLORE_GLASS, EXPLORE_SAMPLE_OPTS (more is-sample options for this
# build's side only, to measure a trade against the baseline's defaults:
# e.g. --resolution 4), TLSKIT_BIN, TLSKIT_BENCH_OUT (bench/out).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
BIN=${TLSKIT_BIN:-$root/bin}
OUT=${TLSKIT_BENCH_OUT:-$here/out}/explore
BASE=${EXPLORE_BASE:-339b8b4}
RUNS=${EXPLORE_RUNS:-2}
TIME=${EXPLORE_TIME:-20}
EVERY=${EXPLORE_EVERY:-1}
GLASS=${EXPLORE_GLASS:-$here/data/glass-0.092.xyz}
PY=${PYTHON:-/usr/bin/python3}
MASS=4000
mkdir -p "$OUT"
[ -r "$GLASS" ] || { echo "bench/explore.sh: no glass $GLASS" >&2; exit 1; }

# the baseline build, once per revision, in the benchmark's own directory
basedir=$OUT/base-$BASE
if [ -n "${EXPLORE_BASE_BIN:-}" ]; then
    mkdir -p "$basedir" && rm -rf "$basedir/bin" && cp -r "$EXPLORE_BASE_BIN" "$basedir/bin"
elif [ ! -x "$basedir/bin/is-sample" ]; then
    git -C "$root" rev-parse --git-dir > /dev/null 2>&1 ||
        { echo "bench/explore.sh: $root is not a git clone: set EXPLORE_BASE_BIN" >&2; exit 1; }
    echo "== building the baseline $BASE in $basedir"
    rm -rf "$basedir" && mkdir -p "$basedir"
    git -C "$root" archive "$BASE" | tar -x -C "$basedir"
    make -C "$basedir" -j2 all >"$basedir.build.log" 2>&1 ||
        { echo "bench/explore.sh: baseline build failed ($basedir.build.log)" >&2; exit 1; }
fi

cpu() { # cpu FILE CMD...: run CMD, append its user+sys seconds to FILE
    local f=$1; shift
    /usr/bin/time -f '%U %S' -a -o "$f.raw" "$@"
    awk '{ s += $1 + $2 } END { printf "%.2f\n", s }' "$f.raw" > "$f"
}

side() { # side NAME BINDIR [IS-SAMPLE OPTION]...
    local d=$OUT/$1 b=$2
    shift 2
    rm -rf "$d" && mkdir -p "$d"
    cpu "$d/cpu_explore" "$b/is-sample" -T 0.04 --runs "$RUNS" --time "$TIME" --every "$EVERY" \
        --seed 1 --progress "$@" --transitions "$d/tr.tsv" -t xyz -o "$d/minima.xyz" "$GLASS" 2>"$d/is-sample.log"
    cp "$d/cpu_explore.raw" "$d/explore.raw"
    cpu "$d/cpu_all" "$b/pair-select" --transitions "$d/tr.tsv" --max-de 0.02 --max-dist 1 \
        --table "$d/pairs.tsv" -o "$d/pairs.xyz" "$d/minima.xyz" 2>"$d/pair-select.log"
    cpu "$d/cpu_all" "$b/neb-ci" --bands -o "$d/bands.bin" "$d/pairs.xyz" 2>"$d/neb-ci.log"
    cpu "$d/cpu_all" "$b/dwp-split" -o "$d/dwps.txt" "$d/bands.bin" 2>"$d/dwp-split.log"
    cpu "$d/cpu_all" "$b/schrod1d" --mass $MASS -o "$d/tls.tsv" "$d/dwps.txt" 2>"$d/schrod1d.log"
    cat "$d/explore.raw" >> "$d/cpu_all.raw"
    awk '{ s += $1 + $2 } END { printf "%.2f\n", s }' "$d/cpu_all.raw" > "$d/cpu_all"
}

count() { # count DIR: minima pairs dwps tls
    local d=$1
    local nmin npair ndwp ntls
    nmin=$(grep -c '^[0-9]' "$d/minima.xyz" || true)
    npair=$(grep -vc '^#' "$d/tr.tsv" || true)
    ndwp=$(grep -c '^# id=' "$d/dwps.txt" || true)
    # splitting column named E in schrod1d's table
    ntls=$(awk -F'\t' -v m=$MASS 'NR == 1 { for (i = 1; i <= NF; i++) { h = $i; sub(/^#/, "", h); if (h == "E") k = i } next }
        k && $k < 6.283185307179586 / m { c++ } END { print c + 0 }' "$d/tls.tsv")
    echo "$nmin $npair $ndwp $ntls"
}

echo "== glass $GLASS: $RUNS runs x $TIME time units, minimise every $EVERY"
echo "== baseline ($BASE)"; side base "$basedir/bin"
read -r -a sample_opts <<< "${EXPLORE_SAMPLE_OPTS:-}"
echo "== this build${EXPLORE_SAMPLE_OPTS:+ (is-sample $EXPLORE_SAMPLE_OPTS)}"; side new "$BIN" "${sample_opts[@]}"

read -r bm bp bd bt < <(count "$OUT/base")
read -r nm np nd nt < <(count "$OUT/new")
be=$(cat "$OUT/base/cpu_explore") ne=$(cat "$OUT/new/cpu_explore")
ba=$(cat "$OUT/base/cpu_all") na=$(cat "$OUT/new/cpu_all")

# the same minima? (energy 1e-8 per particle, max displacement 1e-3, drift removed)
"$PY" - "$OUT/base/minima.xyz" "$OUT/new/minima.xyz" > "$OUT/compare.txt" <<'PYEOF'
import sys, numpy as np
def frames(path):
    out = []
    with open(path) as f:
        while True:
            line = f.readline()
            if not line.strip():
                break
            n = int(line)
            head = f.readline()
            L = float(head.split('Lattice="')[1].split()[0])
            e = float(head.split(' epot=')[1].split()[0])
            x = np.array([[float(v) for v in f.readline().split()[1:4]] for _ in range(n)])
            out.append((e, x, L))
    return out
A, B = frames(sys.argv[1]), frames(sys.argv[2])
def same(a, b):
    if abs(a[0] - b[0]) > 1e-8:
        return False
    L = a[2]
    d = b[1] - a[1]
    d0 = d[0] - L * np.round(d[0] / L)
    d = d - d0
    d -= L * np.round(d / L)
    d -= d.mean(axis=0)
    return np.sqrt((d * d).sum(axis=1)).max() < 1e-3
onlyA = [k for k, a in enumerate(A) if not any(same(a, b) for b in B)]
onlyB = [k for k, b in enumerate(B) if not any(same(b, a) for a in A)]
print(f"baseline minima {len(A)}, this build {len(B)}, only in baseline {len(onlyA)}, only in this build {len(onlyB)}")
for k in onlyA:
    print(f"  only baseline: frame {k + 1}, e = {A[k][0]:.10f}")
for k in onlyB:
    print(f"  only this build: frame {k + 1}, e = {B[k][0]:.10f}")
PYEOF

{
    printf 'quantity\tbaseline\tthis\tratio\n'
    printf 'distinct minima\t%s\t%s\t\n' "$bm" "$nm"
    printf 'connected pairs\t%s\t%s\t\n' "$bp" "$np"
    printf 'DWPs\t%s\t%s\t\n' "$bd" "$nd"
    printf 'TLS (E < 2pi/%s)\t%s\t%s\t\n' "$MASS" "$bt" "$nt"
    awk -v b="$be" -v n="$ne" 'BEGIN { printf "CPU s, is-sample\t%s\t%s\t%.2f\n", b, n, b / n }'
    awk -v b="$ba" -v n="$na" 'BEGIN { printf "CPU s, is-sample..schrod1d\t%s\t%s\t%.2f\n", b, n, b / n }'
    awk -v b="$bm" -v n="$nm" -v x="$be" -v y="$ne" 'BEGIN { printf "minima per CPU-s\t%.3f\t%.3f\t%.2f\n", b / x, n / y, (n / y) / (b / x) }'
    awk -v b="$bp" -v n="$np" -v x="$be" -v y="$ne" 'BEGIN { printf "pairs per CPU-s\t%.3f\t%.3f\t%.2f\n", b / x, n / y, (n / y) / (b / x) }'
    awk -v b="$bd" -v n="$nd" -v x="$ba" -v y="$na" 'BEGIN { printf "DWPs per CPU-s (end to end)\t%.3f\t%.3f\t%.2f\n", b / x, n / y, (b > 0 ? (n / y) / (b / x) : 0) }'
    awk -v b="$bt" -v n="$nt" -v x="$ba" -v y="$na" 'BEGIN { printf "TLS per CPU-hour (end to end)\t%.1f\t%.1f\t%s\n", 3600 * b / x, 3600 * n / y, (b > 0 ? sprintf("%.2f", (n / y) / (b / x)) : "-") }'
} > "$OUT/summary.tsv"
column -t -s $'\t' "$OUT/summary.tsv"
cat "$OUT/compare.txt"
echo "== where the time goes (this build):"; tail -1 "$OUT/new/is-sample.log"
