#!/usr/bin/env bash
# bench/schrod1d.sh - schrod1d throughput: double-well paths solved per
# second at default settings (automatic grid, tolerance 1e-6, mass 4000).
#
#   bash bench/schrod1d.sh [COUNT]      (from the repository root, after make)
#
# Makes COUNT (default 20000) random double wells of the family
#     V'(xi) = C xi (xi - b)(xi - 1),  minima at 0 and 1, barrier at b,
# with b uniform in [0.5, 0.7] (asymmetry dV = C (2b - 1) / 12 >= 0), the
# activation energy Va = C b^3 (2 - b) / 12 log-uniform in [0.003, 0.1],
# path length d uniform in [0.3, 1.5], and 50 to 200 points uniform in xi
# (fixed seed), then times schrod1d on them (best of ROUNDS runs, default
# 3) and prints DWPs per second, with the share of flagged rows and the
# distribution of the estimated errors.  Environment: TLSKIT_BIN (default
# bin/), ROUNDS.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BIN=${TLSKIT_BIN:-$(dirname "$here")/bin}
count=${1:-20000}
rounds=${ROUNDS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

awk -v n="$count" 'BEGIN {
    srand(12345)
    for (r = 0; r < n; r++) {
        b = 0.5 + 0.2 * rand()
        va = exp(log(0.003) + (log(0.1) - log(0.003)) * rand())
        C = 12 * va / (b ^ 3 * (2 - b))
        d = 0.3 + 1.2 * rand()
        np = 50 + int(151 * rand())
        printf "# id=b%d d=%.6f dV=%.10g Vb=%.10g\n", r, d, C * (2 * b - 1) / 12, va - C * (2 * b - 1) / 24
        for (i = 0; i < np; i++) {
            x = i / (np - 1)
            printf "%.12g %.17g\n", x, C * (x ^ 4 / 4 - (1 + b) * x ^ 3 / 3 + b * x ^ 2 / 2)
        }
        print ""
    }
}' > "$tmp/dwps.txt"

best='' cpu=''
for ((k = 0; k < rounds; k++)); do
    t0=$(date +%s.%N)
    /usr/bin/time -f '%U %S' -o "$tmp/cpu" "$BIN/schrod1d" "$tmp/dwps.txt" > "$tmp/out.tsv"
    t1=$(date +%s.%N)
    best=$(awk -v a="$t0" -v b="$t1" -v m="$best" 'BEGIN { t = b - a; if (m == "" || t < m) m = t; print m }')
    cpu=$(awk -v m="$cpu" '{ t = $1 + $2; if (m == "" || t < m) m = t; print m }' "$tmp/cpu")
done
awk -F'\t' -v n="$count" -v t="$best" -v u="$cpu" -v cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)" '
    NR > 1 { rows++; flagged += $12; e = $11 + 0
             if (e <= 1e-9) a++; else if (e <= 1e-8) b++; else if (e <= 1e-7) c++; else if (e <= 1e-6) d++; else f++ }
    END { printf "schrod1d: %d DWPs in %.3f s wall, %.3f s CPU (best of runs): %.0f DWPs/s (wall), %.0f (CPU) on%s\n", n, t, u, n / t, n / u, cpu
          printf "flagged (err > 1e-6): %d of %d rows\n", flagged, rows
          printf "err <= 1e-9: %d, 1e-9..1e-8: %d, 1e-8..1e-7: %d, 1e-7..1e-6: %d, > 1e-6: %d\n", a, b, c, d, f }' "$tmp/out.tsv"
