#!/usr/bin/env bash
# pipelines/defects.sh - distinct defects among the active TLS, from the
# particles that move.
#
#   PATH=bin:$PATH bash pipelines/defects.sh [--per-glass] DIR [MASS [K]]
#
# DIR is a pipeline output (DIR/Tf*/g*/) or one Tf of it (DIR/g*/), each
# glass with tls.tsv, dwps.txt, pairs.xyz and, from pipelines made after
# dwp-split had --minima, dwp-minima.bin; MASS defaults to 4000; with K,
# only the glasses g1 .. gK (the pipeline's GLASSES) are read.  The
# pipeline writes Tf*/defects.tsv with it (the first mass of MASS).  For every active TLS (splitting below 2 pi / MASS)
# the two minima of its DWP come from dwp-minima.bin (any DWP with dV below
# the pipeline's MINIMA_DV), else from pairs.xyz when the DWP is a whole
# pair path (parts=1 in dwps.txt); tls-snapshot gives the displacement field
# d_i between them (mean removed).  Two TLS of one glass are one defect when
# their fields overlap:
#     q = |sum_i d_i(A) . d_i(B)| / (|d(A)| |d(B)|)
# (1: the same particles move the same way, whatever the rest of the box
# does; 0: disjoint regions), joined by single linkage at Q.  A TLS of a
# split path without dwp-minima.bin has minima that no stored frame holds:
# it is counted apart (column uncompared).
#
# Output, one row per Tf (with --per-glass, per glass that has a tls.tsv,
# with a glass column after Tf): tls (active TLS), uncompared, compared, then the
# distinct defects among the compared ones at Q = 0.3, 0.5, 0.7, and by the
# proxy of distinct.awk (Vb, d, PR within 5 %) on the same rows; on stderr,
# for every TLS the largest q with a TLS of another defect and with one of
# its own (Q = 0.5): how clear the cut is.
set -euo pipefail
per_glass=0
if [ "${1:-}" = --per-glass ]; then per_glass=1; shift; fi
dir=${1:?usage: defects.sh [--per-glass] DIR [MASS [K]]}
mass=${2:-4000}
nglass=${3:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '#Tf\t%stls\tuncompared\tcompared\tq0.3\tq0.5\tq0.7\tproxy5%%\n' "$( [ "$per_glass" = 1 ] && printf 'glass\t')"
tfdirs=("$dir"/Tf*/)
[ -d "${tfdirs[0]}" ] || tfdirs=("${dir%/}/")
for tfd in "${tfdirs[@]}"; do
    tf=${tfd%/}; tf=${tf##*/Tf}
    : > "$tmp/rows"
    for gd in "$tfd"g*/; do
        g=${gd%/}; g=${g##*/}
        [ -e "$gd/tls.tsv" ] || continue
        [ -z "$nglass" ] || [ "${g#g}" -le "$nglass" ] 2> /dev/null || continue
        printf '%s\t\t+\n' "$g" >> "$tmp/rows"   # the glass, TLS or not
        # the DWP ids of dwp-minima.bin, in order (frames 2K+1, 2K+2 are the K-th)
        : > "$tmp/index"
        if [ -s "$gd/dwp-minima.bin" ]; then
            conf-convert "$gd/dwp-minima.bin" | awk 'NR == h { n = $1; h = NR + n + 2; c = NR + 1 }
                NR == c { for (i = 1; i <= NF; i++) if ($i ~ /^dwp=/) { sub(/^dwp=/, "", $i); print $i; next } }' h=1 |
                awk 'NR % 2 == 1 { print $1, (NR - 1) / 2 }' > "$tmp/index"
        fi
        while IFS=$'\t' read -r id vb d pr; do
            f=$tmp/$g.$id
            k=$(awk -v id="$id" '$1 == id { print $2; exit }' "$tmp/index")
            if [ -n "$k" ]; then
                src=$gd/dwp-minima.bin
            else
                parts=$(grep -m1 "^# id=$id " "$gd/dwps.txt" | sed -n 's/.* pair=\([0-9]*\) .* parts=\([0-9]*\) .*/\1 \2/p')
                set -- $parts
                if [ "${2:-0}" != 1 ]; then printf '%s\t%s\t-\n' "$g" "$id" >> "$tmp/rows"; continue; fi
                k=$1 src=$gd/pairs.xyz
            fi
            tls-snapshot -p "$k" "$src" | awk 'NR > 2 { print $7, $8, $9 }' > "$f"
            printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$g" "$id" "$f" "$vb" "$d" "$pr" >> "$tmp/rows"
        done < <(awk -F'\t' -v M="$mass" 'NR > 1 && $2 == M && $5 < 6.283185307179586 / M { print $1 "\t" $8 "\t" $9 "\t" $10 }' "$gd/tls.tsv")
    done
    awk -F'\t' -v tf="$tf" -v per="$per_glass" '
        function rel(x, y) { return (x > y ? x - y : y - x) / ((x + y) / 2) }
        function find(l, k) { while (l[k] != k) k = l[k]; return k }
        # distinct roots among the compared TLS of glass G ("": all glasses)
        function count(l, G, k, s, c) { c = 0; delete s; for (k = 1; k <= n; k++) if ((G == "" || g[k] == G) && !(find(l, k) in s)) { s[find(l, k)] = 1; c++ } return c }
        function row(G, lab) { printf "%s%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\n", tf, lab, nc[G] + nu[G], nu[G], nc[G], count(l3, G), count(l5, G), count(l7, G), count(lp, G) }
        !($1 in seen) { seen[$1] = 1; order[++ng] = $1 }
        $3 == "+" { next }
        $3 == "-" { nu[$1]++; nu[""]++; next }
        { nc[$1]++; nc[""]++
          n++; g[n] = $1; id[n] = $2; vb[n] = $4; d[n] = $5; pr[n] = $6; m = 0
          while ((getline line < $3) > 0) { split(line, v, " "); x[n, m] = v[1]; y[n, m] = v[2]; z[n, m] = v[3]; m++ }
          close($3); na[n] = m
          s = 0; for (i = 0; i < m; i++) s += x[n, i] ^ 2 + y[n, i] ^ 2 + z[n, i] ^ 2; nrm[n] = sqrt(s) }
        END {
            for (k = 1; k <= n; k++) { l3[k] = l5[k] = l7[k] = lp[k] = k; qmax[k] = 0 }
            for (a = 1; a <= n; a++) for (b = 1; b < a; b++) {
                if (g[a] != g[b] || na[a] != na[b]) continue
                s = 0; for (i = 0; i < na[a]; i++) s += x[a, i] * x[b, i] + y[a, i] * y[b, i] + z[a, i] * z[b, i]
                q[a, b] = (s < 0 ? -s : s) / (nrm[a] * nrm[b])
                if (q[a, b] >= 0.3) l3[find(l3, a)] = find(l3, b)
                if (q[a, b] >= 0.5) l5[find(l5, a)] = find(l5, b)
                if (q[a, b] >= 0.7) l7[find(l7, a)] = find(l7, b)
                if (rel(vb[a], vb[b]) < 0.05 && rel(d[a], d[b]) < 0.05 && rel(pr[a], pr[b]) < 0.05)
                    lp[find(lp, a)] = find(lp, b)
            }
            for (a = 1; a <= n; a++) for (b = 1; b < a; b++) if ((a, b) in q) {
                if (find(l5, a) != find(l5, b)) {
                    if (q[a, b] > qmax[a]) qmax[a] = q[a, b]; if (q[a, b] > qmax[b]) qmax[b] = q[a, b]
                } else {
                    if (q[a, b] > qin[a]) qin[a] = q[a, b]; if (q[a, b] > qin[b]) qin[b] = q[a, b]
                }
            }
            for (a = 1; a <= n; a++)
                printf "defects.sh: Tf %s %s TLS %s: largest q with another defect %.3f, within its defect %s\n", tf, g[a], id[a], qmax[a], (a in qin) ? sprintf("%.3f", qin[a]) : "(alone)" > "/dev/stderr"
            if (per) { for (j = 1; j <= ng; j++) row(order[j], "\t" order[j]) }
            else row("", "")
        }' "$tmp/rows"
    rm -f "$tmp"/g*
done
