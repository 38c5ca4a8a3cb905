#!/usr/bin/env bash
# pipelines/growth.sh - how the exploration of one glass grows with the
# number of isoconfigurational runs: is it deep enough?
#
#   growth.sh GLASSDIR RUNS MASS > growth.tsv
#
# GLASSDIR holds the pipeline's run<r>.bin/.tsv (is-sample, r = 0..RUNS-1),
# dwps.txt (dwp-split) and tls.tsv (schrod1d).  For R = 1 .. RUNS the first
# R runs are merged with is-merge; is-merge gives every minimum the id it has
# in the merge of all runs (ids follow the discovery keys), so the DWPs of
# the full exploration (whose records carry their pair's ids i and j) that
# the first R runs already reach are those whose pair is among the R-run
# transitions.  Columns:
#   R        runs merged
#   minima   distinct minima found by the first R runs
#   pairs    dynamically connected pairs (rows of the transitions table)
#   new_pairs pairs added by run R
#   dwps     DWPs (of the full exploration) whose pair the first R runs reach
#   tls      those with a splitting below 2 pi / MASS
#   e_is     mean inherent-structure energy per particle of the visits...
#            here: of the distinct minima found (a drift of this mean with R
#            means the runs still find new, different kinds of minima)
# The exploration is stationary when new_pairs per run and e_is level off.
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: growth.sh GLASSDIR RUNS MASS" >&2; exit 2; }
dir=$1 runs=$2 mass=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# DWP records: pair ids and record id; TLS table: record id and splitting
awk '/^# id=/ { id = ""; i = ""; j = "";
        for (k = 2; k <= NF; k++) { split($k, kv, "="); if (kv[1] == "id") id = kv[2];
            if (kv[1] == "i") i = kv[2]; if (kv[1] == "j") j = kv[2] }
        if (id != "") print id "\t" (i < j ? i "\t" j : j "\t" i) }' "$dir/dwps.txt" > "$tmp/dwp"
awk -F'\t' 'NR == 1 { for (k = 1; k <= NF; k++) { h = $k; sub(/^#/, "", h); c[h] = k } next }
    !/^#/ { print $c["id"] "\t" $c["split"] "\t" $c["mass"] }' "$dir/tls.tsv" > "$tmp/tls"
printf '#R\tminima\tpairs\tnew_pairs\tdwps\ttls\te_is\n'
prev=0 parts=()
for ((r = 0; r < runs; r++)); do
    parts+=("$dir/run$r.bin" "$dir/run$r.tsv")
    is-merge --transitions "$tmp/tr.tsv" -o "$tmp/m.bin" "${parts[@]}" 2>/dev/null
    nmin=$(grep -ao 'TLSKIT-FRAME 1' "$tmp/m.bin" | wc -l)
    eis=$(grep -aoE '(^| )epot=[^ ]*' "$tmp/m.bin" | cut -d= -f2 | awk '{ s += $1; n++ } END { if (n) printf "%.10f", s / n; else printf "nan" }')
    awk -F'\t' '!/^#/ { print ($1 < $2 ? $1 "\t" $2 : $2 "\t" $1) }' "$tmp/tr.tsv" | sort -u > "$tmp/pairs"
    npair=$(wc -l < "$tmp/pairs")
    read -r ndwp ntls < <(awk -F'\t' -v m="$mass" '
        FILENAME == ARGV[1] { have[$1 "\t" $2] = 1; next }
        FILENAME == ARGV[2] { if (($2 "\t" $3) in have) { ok[$1] = 1; n++ } next }
        ($1 in ok) && $3 == m && $2 < 6.283185307179586 / m { t++ }
        END { print n + 0, t + 0 }' "$tmp/pairs" "$tmp/dwp" "$tmp/tls")
    printf '%d\t%d\t%d\t%d\t%d\t%d\t%s\n' $((r + 1)) "$nmin" "$npair" $((npair - prev)) "$ndwp" "$ntls" "$eis"
    prev=$npair
done
