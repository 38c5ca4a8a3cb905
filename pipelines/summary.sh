#!/usr/bin/env bash
# pipelines/summary.sh OUT TF... - the table that ends a pipeline run: per
# Tf the glasses, distinct minima, selected pairs, the share of pairs that
# ended in converged DWPs, DWPs, TLS, the distinct defects among them
# (defects.tsv: displacement overlap q >= 0.5; +U: U TLS of split paths not
# compared) and n0 (first mass of density.tsv), and where the figures are.
set -uo pipefail
out=$1; shift
printf '%-8s %7s %8s %7s %9s %6s %5s %7s  %s\n' Tf glasses minima pairs converged DWPs TLS defects "n0 (mass)"
for tf in "$@"; do
    d=$out/Tf$tf
    [ -d "$d" ] || continue
    ng=0 nmin=0 npair=0
    for g in "$d"/g*/; do
        [ -e "$g/minima.bin" ] || continue
        ng=$((ng + 1))
        nmin=$((nmin + $(grep -ao 'TLSKIT-FRAME 1' "$g/minima.bin" | wc -l)))
        [ -e "$g/pairs.tsv" ] && npair=$((npair + $(grep -vc '^#' "$g/pairs.tsv")))
    done
    conv=$(cat "$d"/g*/split.tsv 2>/dev/null | awk -F'\t' '/^#/ { for (k = 1; k <= NF; k++) { h = $k; sub(/^#/, "", h); c[h] = k } next }
        { p += $c["pairs"]; ok += $c["complete"] } END { if (p) printf "%.1f%%", 100 * ok / p; else printf "-" }')
    if [ -e "$d/density.tsv" ]; then
        read -r ndwp ntls n0 <<< "$(awk -F'\t' 'NR == 2 { printf "%s %s %s", $2, $3,
            ($3 > 0 ? sprintf("%.3g+-%.2g (%s)", $6, $7, $1) : sprintf("0, <%.3g (%s)", $14, $1)) }' "$d/density.tsv")"
    else
        ndwp=- ntls=- n0=-
    fi
    ndef=-
    [ -e "$d/defects.tsv" ] && ndef=$(awk -F'\t' 'NR == 2 { printf "%s%s", $6, ($3 > 0 ? "+" $3 : "") }' "$d/defects.tsv")
    printf '%-8s %7s %8s %7s %9s %6s %5s %7s  %s\n' "$tf" "$ng" "$nmin" "$npair" "$conv" "$ndwp" "$ntls" "$ndef" "$n0"
done
echo "figures: $(ls "$out"/*.png 2>/dev/null | tr '\n' ' ')"
echo "tables:  $out/Tf*/density.tsv, curve.tsv, growth.tsv, defects.tsv; active TLS: $out/tls.tsv"
