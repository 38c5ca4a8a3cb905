#!/usr/bin/env bats
# neb-ci and dwp-split on pairs of real minima of a small glass.

load helpers

setup_file() {
    cd "$BATS_FILE_TMPDIR"
    # the same glass with or without sanitisers: the numbers must not differ
    ipl-swapmc -N 250 -T 0.1 --sweeps 3000 --seed 5 |
        md-quench -T 0.04 --time 2 --seed 6 > glass.xyz
    is-sample --runs 6 --time 6 --every 0.5 --seed 7 --transitions tr.tsv glass.xyz > min.bin
    pair-select --transitions tr.tsv --max-de 10 --max-dist 1 --table pairs.tsv min.bin > pairs.xyz
    neb-ci --images-out bands.xyz pairs.xyz > paths.txt
}

setup() {
    cd "$BATS_FILE_TMPDIR"
}

# metadata value KEY of record line $2
val() { printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }

@test "every band converges: largest force below the tolerance" {
    n=$(grep -c '^#' paths.txt)
    [ "$n" -eq "$(grep -vc '^#' pairs.tsv)" ]
    [ "$n" -ge 2 ]
    grep '^#' paths.txt | while read -r line; do
        [ "$(val converged "$line")" = T ] || { echo "$line"; false; }
        awk -v f="$(val fmax "$line")" 'BEGIN { exit !(f <= 1e-6) }'
    done
}

@test "profiles start at 0, end at the energy difference of the two minima, climb to e_saddle" {
    # dE of each pair from the library energies (pair-select table, total)
    awk 'NR > 1 { print $6 }' pairs.tsv > want
    grep '^#' paths.txt | tr ' ' '\n' | sed -n 's/^dE=//p' > got
    paste want got | awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > 1e-9) { print "dE " $0; bad = 1 } } END { exit bad }'
    # rows: V(0) = 0, V(1) = dE, max V = e_saddle, e_saddle >= max(0, dE)
    awk '/^#/ { for (k = 1; k <= NF; k++) { split($k, kv, "="); m[kv[1]] = kv[2] } first = 1; vmax = -1e300; next }
         NF == 2 { if (first && $2 != 0) { print "V(0) = " $2; bad = 1 } first = 0; last = $2; if ($2 > vmax) vmax = $2 }
         NF == 0 && vmax > -1e300 { if (last - m["dE"] > 1e-12 || m["dE"] - last > 1e-12) { print "V(1) " last " vs " m["dE"]; bad = 1 }
                   dv = vmax - m["e_saddle"]; if (dv < 0) dv = -dv
                   # the sampled maximum lies just below the climbing image
                   if (vmax > m["e_saddle"] + 1e-12 || vmax < m["e_saddle"] * (1 - 1e-3) - 1e-12) { print "max " vmax " vs " m["e_saddle"]; bad = 1 }
                   if (vmax < m["dE"] || vmax < 0) { print "no barrier"; bad = 1 } vmax = -1e300 }
         END { exit bad }' paths.txt
}

@test "the climbing image is the highest image and a first-order saddle (one negative mode)" {
    line=$(grep '^#' paths.txt | head -1)
    ci=$(val ci "$line")
    M=$(( $(val nimages "$line") + 2 ))
    [ "$ci" -gt 0 ] && [ "$ci" -lt $((M - 1)) ]
    # the first band's images, their energies
    conf-convert bands.xyz | awk -v M="$M" 'BEGIN { n = 0 } /^250$/ { n++ } n <= M' > band0.xyz
    conf-info --no-header band0.xyz | cut -f6,7 > e
    top=$(awk '{ if (NR == 1 || $1 > m) { m = $1; k = NR - 1 } } END { print k }' e)
    [ "$top" -eq "$ci" ]
    # its force vanishes: a stationary point
    awk -v k=$((ci + 1)) 'NR == k { exit !($2 < 1e-5) }' e
    # e_saddle = E_ci - E_0 (Hermite slopes vanish at the saddle)
    es=$(awk -v k=$((ci + 1)) 'NR == 1 { e0 = $1 } NR == k { printf "%.17g", 250 * ($1 - e0) }' e)
    close_to "$(val e_saddle "$line")" "$es" 1e-7
    # Hessian: one negative eigenvalue at the saddle, none at the ends
    awk -v M="$M" -v k=$((ci + 1)) 'BEGIN { n = 0 } /^250$/ { n++ } n == k' band0.xyz > saddle.xyz
    [ "$(conf-modes --no-header saddle.xyz | cut -f4,5)" = "$(printf '1\t3')" ]
    awk 'BEGIN { n = 0 } /^250$/ { n++ } n == 1' band0.xyz > end.xyz
    [ "$(conf-modes --no-header end.xyz | cut -f4,5)" = "$(printf '0\t3')" ]
}

@test "dwp-split leaves single-barrier paths whole and orients them" {
    neb-ci --bands pairs.xyz | dwp-split > dwps.txt
    # a one-part pair keeps its path: dV = |dE| (a pair may have no record of
    # its own when its DWP was already written on another pair's path)
    [ "$(grep -c '^#' dwps.txt)" -ge 1 ]
    grep '^#' paths.txt | awk '{ for (k = 2; k <= NF; k++) { split($k, kv, "="); m[kv[1]] = kv[2] }
        printf "%s %.17g\n", m["id"], (m["dE"] < 0 ? -m["dE"] : m["dE"]) }' | sort > absdE
    grep '^#' dwps.txt | grep ' parts=1 ' | awk '{ for (k = 2; k <= NF; k++) { split($k, kv, "="); m[kv[1]] = kv[2] }
        print m["pair"], m["dV"] }' | sort > dV
    [ -s dV ]
    join absdE dV | awk '{ d = $2 - $3; if (d < 0) d = -d; if (d > 1e-9 || $3 < 0) { print; bad = 1 } } END { exit bad }'
    grep '^#' dwps.txt | awk '{ for (k = 2; k <= NF; k++) { split($k, kv, "="); m[kv[1]] = kv[2] }
        if (m["Vb"] - (m["Va"] - m["dV"] / 2) > 1e-12 || m["Va"] < m["dV"]) { print; bad = 1 }
        r = m["d"] / sqrt(m["PR"]) - m["d_sqrtPR"]; if (r > 1e-8 || r < -1e-8) { print "d_sqrtPR"; bad = 1 } } END { exit bad }'
    awk '/^#/ { getline; if ($2 != 0) { print "V(0) " $2; bad = 1 } } END { exit bad }' dwps.txt
}

@test "a path over an intermediate minimum splits into two DWPs between true minima" {
    # minima a - b - c joined by two selected (short) pairs; the direct band
    # a - c must find b again: two DWPs with the energy differences a-b, b-c.
    # (A direct band may also take another route, or fail: then it says so.)
    awk -F'\t' 'NR > 1 { nb[$2] = nb[$2] " " $3; nb[$3] = nb[$3] " " $2 }
        END { for (m in nb) { k = split(nb[m], x, " "); for (p = 1; p <= k; p++) for (q = p + 1; q <= k; q++) print x[p], m, x[q] } }' pairs.tsv | head -5 > triples
    [ -s triples ]
    conf-info --no-header min.bin | cut -f6 > energies
    found=0
    while read -r a b c; do
        conf-convert min.bin | awk -v a="$a" -v c="$c" 'BEGIN { n = -1 } /^250$/ { n++ } n == a || n == c' > skip.xyz
        neb-ci --bands skip.xyz 2> /dev/null | dwp-split > split.txt 2> split.err || true
        [ "$(grep -c '^#' split.txt)" -eq 2 ] || continue
        grep -q 'parts=2' split.txt
        # the same path twice: its DWPs are written once
        cat skip.xyz skip.xyz | conf-convert --set pair=x | neb-ci --bands 2> /dev/null | dwp-split > twice.txt 2> twice.err
        [ "$(grep -c '^#' twice.txt)" -eq 2 ]
        grep -q 'written once' twice.err
        want=$(awk -v a="$a" -v b="$b" -v c="$c" '{ e[NR - 1] = $1 } END { d1 = 250 * (e[b] - e[a]); d2 = 250 * (e[c] - e[b]);
            printf "%.17g %.17g", d1 < 0 ? -d1 : d1, d2 < 0 ? -d2 : d2 }' energies)
        got=$(grep '^#' split.txt | tr ' ' '\n' | sed -n 's/^dV=//p' | tr '\n' ' ')
        echo "a=$a b=$b c=$c: dV $got, expected $want"
        set -- $want $got
        close_to "$3" "$1" 1e-6
        close_to "$4" "$2" 1e-6
        found=1
        break
    done < triples
    [ "$found" -eq 1 ]
}

@test "neb-ci: bad pairs" {
    conf-convert pairs.xyz | awk 'BEGIN { n = 0 } /^250$/ { n++ } n <= 3' > three.xyz
    run neb-ci three.xyz
    [ "$status" -eq 1 ]
    [[ $output == *"unpaired frame"* || $output == *"not a pair"* ]]
    conf-gen -N 150 --seed 1 > small.xyz
    awk 'BEGIN { n = 0 } /^250$/ { n++ } n == 1' pairs.xyz | conf-convert --unset pair > one.xyz
    cat one.xyz small.xyz > mixed.xyz
    run neb-ci mixed.xyz
    [ "$status" -eq 1 ]
    [[ $output == *"different N or box"* ]]
    run dwp-split pairs.xyz
    [ "$status" -eq 1 ]
    [[ $output == *"neb-ci --bands"* ]]
}
