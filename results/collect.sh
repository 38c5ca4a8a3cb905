#!/usr/bin/env bash
# results/collect.sh RUNDIR DEST - copy the small tables of a pipeline run
# (pipelines/tls.mk) into DEST (no configurations), and derive a few more:
#   Tf*/density.tsv curve.tsv hist.tsv growth.tsv   as the pipeline wrote them
#   Tf*/split.tsv      dwp-split's account per glass (pairs -> converged DWPs)
#   Tf*/glasses.tsv    per glass: IS energy per particle of the glass (the
#                      first minimum of run 0), minima, pairs, DWPs, TLS
#                      (all masses; tls_4000: mt = 4000 only), and the
#                      distinct defects among the TLS (mt = 4000,
#                      pipelines/defects.sh: overlap q >= 0.5; uncompared:
#                      TLS of split paths without stored minima)
#   Tf*/defects.tsv    the same summed over the glasses (pipelines/defects.sh:
#                      defects never span two glasses)
#   Tf*/chain.tsv      the swap-MC chain: sweep, energy per particle, and the
#                      self overlap q with the previous frame (conf-diff)
#   Tf*/overlap.tsv    decorrelation of the chain: the self overlap q
#                      (conf-diff, a = 0.3: the fraction of particles within
#                      0.3 of their own earlier place, drift removed; 0 once
#                      decorrelated) averaged over the frame pairs a lag apart
#   Tf*/shared.tsv     DWPs of glass k + 1 found already in glass k (dV, Va and
#                      d equal to 1e-2 relative): what adjacent glasses of one
#                      chain share of the objects counted
#   Tf*/cpu.tsv        CPU seconds per stage (from the LAUNCH timing log)
#   tls.tsv            every active TLS (all Tf), nE.png, n0.png, summary.txt
set -euo pipefail
run=$1 dest=$2
mkdir -p "$dest"
for d in "$run"/Tf*/; do
    tf=$(basename "$d")
    o=$dest/$tf
    mkdir -p "$o"
    for f in density.tsv curve.tsv hist.tsv growth.tsv params.txt; do
        [ -e "$d/$f" ] && cp "$d/$f" "$o/"
    done
    {
        h=0
        for g in "$d"/g*/; do
            [ -e "$g/split.tsv" ] || continue
            if [ $h -eq 0 ]; then printf '#glass\t'; head -1 "$g/split.tsv" | sed 's/^#//'; h=1; fi
            grep -v '^#' "$g/split.tsv" | sed "s/^/$(basename "$g")\t/"
        done
    } > "$o/split.tsv"
    "$(dirname "$0")/../pipelines/defects.sh" --per-glass "$d" 4000 > "$o/.defects" 2> /dev/null
    awk -F'\t' -v tf="${tf#Tf}" 'NR == 1 { sub(/\tglass/, ""); print; next }
        { for (k = 3; k <= 9; k++) t[k] += $k }
        END { printf "%s", tf; for (k = 3; k <= 9; k++) printf "\t%d", t[k]; print "" }' \
        "$o/.defects" > "$o/defects.tsv"
    {
        printf '#glass\te_is\tminima\tpairs\tdwps\ttls\ttls_4000\tdefects\tuncompared\n'
        for g in "$d"/g*/; do
            [ -e "$g/tls.tsv" ] || continue # finished glasses only
            conf-convert --frames 1:1 "$g/run0.bin" > "$o/.first.xyz"
            e=$(sed -n 2p "$o/.first.xyz" | grep -o ' epot=[^ ]*' | cut -d= -f2)
            rm -f "$o/.first.xyz"
            nm=$(grep -ao 'TLSKIT-FRAME 1' "$g/minima.bin" | wc -l)
            np=$(grep -vc '^#' "$g/pairs.tsv" || true)
            nd=$(grep -c '^# id=' "$g/dwps.txt" || true)
            nt=$(awk -F'\t' 'NR > 1 && $5 < 6.283185307179586 / $2 { c++ } END { print c + 0 }' "$g/tls.tsv")
            ndef=0 nunc=0
            read -r ndef nunc < <(awk -F'\t' -v g="$(basename "$g")" '$2 == g { print $7, $4 }' "$o/.defects") || true
            n4=$(awk -F'\t' 'NR > 1 && $2 == 4000 && $5 < 6.283185307179586 / $2 { c++ } END { print c + 0 }' "$g/tls.tsv")
            printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$(basename "$g")" "$e" "$nm" "$np" "$nd" "$nt" "$n4" "${ndef:-0}" "${nunc:-0}"
        done
    } > "$o/glasses.tsv"
    rm -f "$o/.defects"
    if [ -e "$d/chain.xyz" ]; then
        n=$(grep -c '^[0-9][0-9]*$' "$d/chain.xyz" || true)
        # every frame once; q between frames k and k + lag, lag 1 .. 8
        for ((k = 1; k <= n; k++)); do
            conf-convert --frames $k:$k "$d/chain.xyz" > "$o/.f$k.xyz"
        done
        q_at() { conf-diff -r "$o/.f$1.xyz" --no-header "$o/.f$2.xyz" | cut -f7; }
        meta() { sed -n 2p "$o/.f$1.xyz" | grep -o " $2=[^ ]*" | cut -d= -f2; }
        declare -A q=()
        for ((lag = 1; lag < n && lag <= 8; lag++)); do
            for ((k = 1; k + lag <= n; k++)); do q[$k,$lag]=$(q_at $k $((k + lag))); done
        done
        {
            printf '#frame\tsweep\tepot\tq_prev\n'
            for ((k = 1; k <= n; k++)); do
                printf '%d\t%s\t%s\t%s\n' $k "$(meta $k sweep)" "$(meta $k epot)" "${q[$((k - 1)),1]:-nan}"
            done
        } > "$o/chain.tsv"
        {
            printf '#lag_frames\tlag_sweeps\tframe_pairs\tq\n'
            sw=$(($(meta 2 sweep) - $(meta 1 sweep)))
            for ((lag = 1; lag < n && lag <= 8; lag++)); do
                for ((k = 1; k + lag <= n; k++)); do echo "${q[$k,$lag]}"; done |
                    awk -v lag=$lag -v sw=$sw '{ s += $1; c++ } END { printf "%d\t%d\t%d\t%.4f\n", lag, lag * sw, c, s / c }'
            done
        } > "$o/overlap.tsv"
        rm -f "$o"/.f*.xyz
        unset q
    fi
done
# DWPs of glass k + 1 found already in glass k (same dV, Va, d to 1e-2)
dwp_keys() { { grep '^# id=' "$1" || true; } | tr ' ' '\n' | awk -F= '$1 == "dV" { v = $2 } $1 == "Va" { a = $2 } $1 == "d" { print v, a, $2 }'; }
for d in "$run"/Tf*/; do
    o=$dest/$(basename "$d")
    {
        printf '#glass\tnext\tdwps_next\tshared\tfraction\n'
        prev=
        for g in $(ls -d "$d"/g*/ | sort -V); do
            [ -e "$g/dwps.txt" ] || continue
            if [ -n "$prev" ]; then
                dwp_keys "$prev/dwps.txt" > "$o/.a"
                dwp_keys "$g/dwps.txt" > "$o/.b"
                awk 'function rel(x, y) { return (x - y < 0 ? y - x : x - y) / ((x < 0 ? -x : x) + (y < 0 ? -y : y) + 1e-12) }
                     FNR == NR { v[NR] = $1; a[NR] = $2; l[NR] = $3; nb = NR; next }
                     { n++; for (k = 1; k <= nb; k++) if (rel($1, v[k]) < 1e-2 && rel($2, a[k]) < 1e-2 && rel($3, l[k]) < 1e-2) { s++; break } }
                     END { printf "%d\t%d\t%.4f\n", n, s, n ? s / n : 0 }' "$o/.b" "$o/.a" |
                    sed "s/^/$(basename "$prev")\t$(basename "$g")\t/"
                rm -f "$o/.a" "$o/.b"
            fi
            prev=$g
        done
    } > "$o/shared.tsv"
done
if [ -e "$run/cpu.tsv" ]; then
    # user sys command: summed per program and Tf
    awk -F'\t' '{ split($3, w, " "); p = w[1]; sub(/.*\//, "", p); tf = "-";
        if (match($3, /Tf[0-9.]+/)) tf = substr($3, RSTART, RLENGTH);
        s[tf "\t" p] += $1 + $2 }
        END { print "#Tf\tprogram\tcpu_s"; for (k in s) printf "%s\t%.1f\n", k, s[k] }' "$run/cpu.tsv" |
        sort > "$dest/cpu.tsv"
fi
for f in tls.tsv nE.png n0.png hist.png pr.png summary.txt; do
    [ -e "$run/$f" ] && cp "$run/$f" "$dest/"
done
echo "collected into $dest"
