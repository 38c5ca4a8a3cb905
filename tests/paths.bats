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

# frame K (from 1) of the xyz stream $2 (N = 250)
frame() { conf-convert "$2" | awk -v k="$1" 'BEGIN { n = 0 } /^250$/ { n++ } n == k'; }
# the xyz frame on stdin moved as a whole by (DX, DY, DZ), across the box faces
shift3() { awk -v x="$1" -v y="$2" -v z="$3" 'NR > 2 { $2 = sprintf("%.17g", $2 + x); $3 = sprintf("%.17g", $3 + y); $4 = sprintf("%.17g", $4 + z) } { print }'; }
# value of metadata KEY in the comment line of the xyz frame on stdin
meta() { awk -v k="$1" 'NR == 2 { n = split($0, w, " "); for (j = 1; j <= n; j++) if (index(w[j], k "=") == 1) { print substr(w[j], length(k) + 2); exit } }'; }
# column NAME of the one-row table FILE
sumcol() { col "$1" < "$2"; }

# minima a - b - c of the library, joined by two selected pairs, whose direct
# path a - c dwp-split splits at b into the two DWPs a-b and b-c: the frames
# of a and c in skip.xyz, "a b c dV(a-b) dV(b-c)" in triple.txt (empty when
# none is found)
find_triple() {
    [ -e triple.txt ] && return 0
    awk -F'\t' 'NR > 1 { nb[$2] = nb[$2] " " $3; nb[$3] = nb[$3] " " $2 }
        END { for (m in nb) { k = split(nb[m], x, " "); for (p = 1; p <= k; p++) for (q = p + 1; q <= k; q++) print x[p], m, x[q] } }' pairs.tsv | sort -n | head -8 > triples
    conf-info --no-header min.bin | cut -f6 > energies
    : > triple.txt
    while read -r a b c; do
        conf-convert min.bin | awk -v a="$a" -v c="$c" 'BEGIN { n = -1 } /^250$/ { n++ } n == a || n == c' > skip.xyz
        neb-ci --bands skip.xyz 2> /dev/null | dwp-split > split.txt 2> split.err || true
        [ "$(grep -c '^#' split.txt)" -eq 2 ] || continue
        want=$(awk -v a="$a" -v b="$b" -v c="$c" '{ e[NR - 1] = $1 } END { d1 = 250 * (e[b] - e[a]); d2 = 250 * (e[c] - e[b]);
            printf "%.17g %.17g", d1 < 0 ? -d1 : d1, d2 < 0 ? -d2 : d2 }' energies)
        got=$(grep '^#' split.txt | tr ' ' '\n' | sed -n 's/^dV=//p' | tr '\n' ' ')
        set -- $want $got
        close_to "$3" "$1" 1e-6 2> /dev/null && close_to "$4" "$2" 1e-6 2> /dev/null || continue
        echo "$a $b $c $want" > triple.txt
        return 0
    done < triples
}

@test "neb-ci --method lbfgs and fire find the same saddles, L-BFGS with fewer force evaluations" {
    neb-ci --method fire pairs.xyz > fire.txt
    neb-ci --method lbfgs pairs.xyz > lbfgs.txt
    cmp <(grep '^#' lbfgs.txt | cut -d' ' -f1-3) <(grep '^#' paths.txt | cut -d' ' -f1-3)
    nf=0 nl=0
    paste -d'\n' <(grep '^#' fire.txt) <(grep '^#' lbfgs.txt) | while read -r f && read -r l; do
        [ "$(val converged "$f")" = T ] && [ "$(val converged "$l")" = T ]
        close_to "$(val e_saddle "$l")" "$(val e_saddle "$f")" 1e-8
        close_to "$(val dE "$l")" "$(val dE "$f")" 1e-10
        close_to "$(val d "$l")" "$(val d "$f")" 1e-5
    done
    sf=$(grep '^#' fire.txt | tr ' ' '\n' | sed -n 's/^nforce=//p' | paste -sd+ | bc)
    sl=$(grep '^#' lbfgs.txt | tr ' ' '\n' | sed -n 's/^nforce=//p' | paste -sd+ | bc)
    echo "force evaluations: fire $sf, lbfgs $sl"
    [ "$sl" -lt "$sf" ]
    # the default is L-BFGS, and the same seedless input gives the same bytes
    cmp lbfgs.txt paths.txt
    run neb-ci --method bfgs pairs.xyz
    [ "$status" -eq 2 ]
    [[ $output == *"--method: 'bfgs' is not fire or lbfgs"* ]]
}

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

@test "dwp-split --minima: the two minima of every DWP, deeper first, the split path's middle one a true minimum" {
    find_triple
    [ -s triple.txt ] || skip "no path over an intermediate minimum in this glass"
    read -r a b c d1 d2 < triple.txt
    neb-ci --bands skip.xyz 2> /dev/null > skip.bands
    dwp-split --minima m.xyz --minima-to xyz skip.bands > split.txt 2> /dev/null
    # the records are unchanged by the option
    dwp-split skip.bands 2> /dev/null | cmp - split.txt
    [ "$(grep -c '^250$' m.xyz)" -eq 4 ]
    # per DWP: two frames with its id, role a then b, its dV, PR and dmax
    k=0
    for rec in $(grep '^#' split.txt | tr ' ' '\n' | sed -n 's/^id=//p'); do
        line=$(grep "^# id=$rec " split.txt)
        frame $((2 * k + 1)) m.xyz > fa.xyz
        frame $((2 * k + 2)) m.xyz > fb.xyz
        [ "$(meta dwp < fa.xyz)" = "$rec" ] && [ "$(meta dwp < fb.xyz)" = "$rec" ]
        [ "$(meta role < fa.xyz)" = a ] && [ "$(meta role < fb.xyz)" = b ]
        close_to "$(meta dV < fa.xyz)" "$(val dV "$line")" 1e-15
        # deeper first, and epot is the frame's own energy per particle
        ea=$(conf-info --no-header fa.xyz | cut -f6) eb=$(conf-info --no-header fb.xyz | cut -f6)
        close_to "$(meta epot < fa.xyz)" "$ea" 1e-9
        close_to "$(meta epot < fb.xyz)" "$eb" 1e-9
        awk -v a="$ea" -v b="$eb" 'BEGIN { exit !(a <= b + 1e-12) }'
        # the displacement between them is the record's (PR, dmax)
        tls-snapshot fa.xyz fb.xyz > snap.xyz
        close_to "$(meta pr < snap.xyz)" "$(val PR "$line")" 1e-6
        close_to "$(meta dmax < snap.xyz)" "$(val dmax "$line")" 1e-6
        # minima: the largest force is that of a minimisation
        awk -v f="$(conf-info --no-header fa.xyz | cut -f7)" 'BEGIN { exit !(f < 1e-8) }'
        k=$((k + 1))
    done
    [ "$k" -eq 2 ]
    # the middle minimum is b of the library, found again
    frame $((b + 1)) min.bin > mid.xyz
    found=0
    for q in 1 2 3 4; do
        frame "$q" m.xyz > fq.xyz
        dmax=$(conf-diff --no-header mid.xyz fq.xyz | tail -1 | cut -f5)
        awk -v d="$dmax" 'BEGIN { exit !(d < 1e-3) }' && found=$((found + 1))
    done
    [ "$found" -eq 2 ]
    # --minima-dv: only the DWPs at or below it
    lo=$(grep '^#' split.txt | tr ' ' '\n' | sed -n 's/^dV=//p' | sort -g | head -1)
    dwp-split --minima low.bin --minima-dv "$lo" skip.bands > /dev/null 2>&1
    [ "$(conf-info --no-header low.bin | wc -l)" -eq 2 ]
    dwp-split --minima none.bin --minima-dv 0 skip.bands > /dev/null 2>&1
    [ -e none.bin ] && [ ! -s none.bin ]
}

@test "dwp-split --minima: usage errors" {
    xrun dwp-split --minima-dv 1 bands.xyz
    [ "$status" -eq 2 ] && [[ $stderr == *"need --minima FILE"* ]]
    xrun dwp-split --minima m.bin --minima-to lammps bands.xyz
    [ "$status" -eq 2 ] && [[ $stderr == *"--minima-to: 'lammps'"* ]]
    xrun dwp-split --minima x.out -o x.out bands.xyz
    [ "$status" -eq 2 ] && [[ $stderr == *"same place 'x.out'"* ]]
    xrun dwp-split --minima m.bin --minima-dv -1 bands.xyz
    [ "$status" -eq 2 ]
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
    # the records of neb-ci without --bands: a clear message, not a frame error
    run dwp-split paths.txt
    [ "$status" -eq 1 ]
    [[ $output == "dwp-split: paths.txt: line 1: a path record of neb-ci (the energy profile only), not a band: dwp-split needs the images of the bands, written by neb-ci --bands" ]]
    run sh -c 'neb-ci pairs.xyz 2> /dev/null | dwp-split'
    [ "$status" -eq 1 ]
    [[ $output == "dwp-split: stdin: line 1: a path record of neb-ci"*"neb-ci --bands" ]]
}

# ---- rigid translations ----

@test "neb-ci: a rigid translation of the second minimum changes neither the saddle nor the path" {
    # pair 0: a real local rearrangement; then its second minimum moved as a
    # whole by 0.3 along each axis (across the box faces)
    frame 1 pairs.xyz > a.xyz
    frame 2 pairs.xyz > b.xyz
    shift3 0.3 -0.3 0.3 < b.xyz > bt.xyz
    cat a.xyz b.xyz > p.xyz
    cat a.xyz bt.xyz > pt.xyz
    neb-ci p.xyz > r.txt
    neb-ci pt.xyz > rt.txt
    l=$(grep '^#' r.txt) lt=$(grep '^#' rt.txt)
    echo "$l"; echo "$lt"
    [ "$(val converged "$lt")" = T ]
    # the translation is removed and reported
    close_to "$(val drift "$lt")" "$(awk 'BEGIN { printf "%.3g", sqrt(3 * 0.09) }')" 1e-2
    awk -v d="$(val drift "$l")" 'BEGIN { exit !(d < 1e-12) }'
    # the same saddle, path length, energy difference, PR and dmax
    close_to "$(val e_saddle "$lt")" "$(val e_saddle "$l")" 1e-9
    # d to 1e-5: the bands converge to NEB forces of 1e-6, and the
    # translated glass lists its pairs in another order (roundoff)
    close_to "$(val d "$lt")" "$(val d "$l")" 1e-5
    close_to "$(val dE "$lt")" "$(val dE "$l")" 1e-9
    [ "$(val PR "$lt")" = "$(val PR "$l")" ]
    [ "$(val dmax "$lt")" = "$(val dmax "$l")" ]
    # the same profile, row by row
    # (the profile on its grid of path lengths: the band's images sit where
    # the NEB forces are below 1e-6, so to about 1e-6 along the path:
    # energies to slope x 1e-6)
    paste <(grep -v '^#' r.txt) <(grep -v '^#' rt.txt) | awk 'NF == 4 { d = $2 - $4; if (d < 0) d = -d; if (d > 1e-6) { print; bad = 1 } } END { exit bad }'
    # and the same DWP out of dwp-split (to the precision of the bands)
    neb-ci --bands pt.xyz | dwp-split > dt.txt
    neb-ci --bands p.xyz | dwp-split > d.txt
    lt=$(grep '^#' dt.txt) l=$(grep '^#' d.txt)
    for k in dV Va d PR dmax; do close_to "$(val $k "$lt")" "$(val $k "$l")" 1e-5; done
}

@test "neb-ci: the same bands with every SIMD level, bit for bit; both minima moved by half a box give the same path" {
    # the band's vector passes (tangents, NEB forces, L-BFGS) run in 8-lane
    # blocks with a scalar tail: the results may not depend on the width
    frame 1 pairs.xyz > a.xyz
    frame 2 pairs.xyz > b.xyz
    cat a.xyz b.xyz > p.xyz
    for level in none avx2 avx512; do
        TLSKIT_SIMD=$level neb-ci --bands -t xyz p.xyz > "b_$level.xyz"
    done
    cmp b_none.xyz b_avx2.xyz
    cmp b_none.xyz b_avx512.xyz
    # half a box along each axis: the particles of the middle now sit on the
    # faces, images wrap them independently and the differences along the
    # band cross the box (minimum image, the last particles in the scalar tail too)
    h=$(sed -n '2s/.*Lattice="\([^ ]*\) .*/\1/p' a.xyz | awk '{ printf "%.17g", $1 / 2 }')
    awk -v h="$h" 'BEGIN { exit !(h > 1) }'
    shift3 "$h" "$h" "$h" < a.xyz > ah.xyz
    shift3 "$h" "$h" "$h" < b.xyz > bh.xyz
    cat ah.xyz bh.xyz > ph.xyz
    neb-ci p.xyz > r.txt
    neb-ci ph.xyz > rh.txt
    l=$(grep '^#' r.txt) lh=$(grep '^#' rh.txt)
    echo "$l"; echo "$lh"
    [ "$(val converged "$lh")" = T ]
    close_to "$(val e_saddle "$lh")" "$(val e_saddle "$l")" 1e-9
    close_to "$(val d "$lh")" "$(val d "$l")" 1e-5
    close_to "$(val dE "$lh")" "$(val dE "$l")" 1e-9
}

@test "neb-ci refuses a pair that is one minimum up to a translation; in a stream it skips it" {
    frame 1 pairs.xyz > a.xyz
    shift3 0.3 -0.3 0.3 < a.xyz > at.xyz
    cat a.xyz at.xyz > same.xyz
    run neb-ci same.xyz
    echo "$output"
    [ "$status" -eq 1 ]
    [[ $output == "neb-ci: same.xyz: frame 1: pair 0: the two frames are the same minimum (largest particle displacement "*" <= --dtol 0.001 once a translation of 0.52 is removed): not a pair" ]]
    # identical frames too
    cat a.xyz a.xyz > twice.xyz
    run neb-ci --bands twice.xyz
    [ "$status" -eq 1 ]
    [[ $output == *"same minimum"* ]]
    # one such pair among others: skipped, said so, the others computed
    { frame 1 pairs.xyz; frame 2 pairs.xyz; cat same.xyz; frame 3 pairs.xyz; frame 4 pairs.xyz; } | conf-convert --unset pair > stream.xyz
    neb-ci stream.xyz > s.txt 2> s.err
    cat s.err
    [ "$(grep -c '^#' s.txt)" -eq 2 ]
    [ "$(grep '^#' s.txt | awk '{ print $2 }' | tr '\n' ' ')" = "id=0 id=2 " ]
    grep -q 'stream.xyz: frame 3: pair 1: the two frames are the same minimum.*skipped' s.err
    grep -q '1 of 3 pairs skipped' s.err
    # no record with a vanishing path or an undefined PR, ever
    ! grep -q 'PR=nan' s.txt
}

# a band of 5 images written by hand, for dwp-split: images of frames with
# energies, tangential forces and path lengths given
band_image() { # FILE K E S
    conf-convert --unset role --unset history --set pair=t --set image="$2" --set nimages=5 --set E="$3" \
        --set ftan=0 --set s="$4" --set converged=T "$1"
}

@test "dwp-split: a translated copy of an end is not an intermediate minimum; a band of one minimum is not a pair" {
    frame 1 pairs.xyz > a.xyz
    frame 2 pairs.xyz > b.xyz
    dE=$(grep '^#' paths.txt | head -1 | tr ' ' '\n' | sed -n 's/^dE=//p')
    # image 2: the first minimum moved as a whole by 0.2 along x (and one
    # particle by 0.01, so that it has to be minimised): a dip of the profile
    shift3 0.1 0 0 < a.xyz > i1.xyz
    shift3 0.2 0 0 < a.xyz | awk 'NR == 3 { $3 = sprintf("%.17g", $3 + 0.01) } { print }' > i2.xyz
    { band_image a.xyz 0 0 0; band_image i1.xyz 1 1e-3 0.1; band_image i2.xyz 2 1e-4 0.2
      band_image b.xyz 3 1e-3 0.3; band_image b.xyz 4 "$dE" 0.4; } > band.xyz
    dwp-split --summary sum.tsv band.xyz > d.txt 2> d.err
    cat d.err sum.tsv
    # one DWP, the whole band: no DWP between a minimum and its translated copy
    [ "$(grep -c '^#' d.txt)" -eq 1 ]
    l=$(grep '^#' d.txt)
    [ "$(val parts "$l")" = 1 ]
    close_to "$(val dV "$l")" "${dE#-}" 1e-12
    close_to "$(val d "$l")" 0.4 1e-12
    [ "$(sumcol split sum.tsv)" = 0 ] && [ "$(sumcol complete sum.tsv)" = 1 ]
    # a band from a minimum to its translated copy: not a pair, no DWP
    shift3 0.3 0 0 < a.xyz > at.xyz
    { band_image a.xyz 0 0 0; band_image i1.xyz 1 1e-3 0.1; band_image i2.xyz 2 1e-4 0.2
      band_image at.xyz 3 1e-3 0.3; band_image at.xyz 4 0 0.4; } > same.xyz
    dwp-split --summary sum2.tsv same.xyz > d2.txt 2> d2.err
    cat d2.err
    [ ! -s d2.txt ]
    grep -q 'pair t: the two ends of the band are the same minimum' d2.err
    [ "$(sumcol same sum2.tsv)" = 1 ] && [ "$(sumcol failed sum2.tsv)" = 0 ] && [ "$(sumcol dwps sum2.tsv)" = 0 ]
}

# ---- bands that do not converge ----

@test "a band that did not converge: dwp-split splits it at the minimum its images fall into" {
    find_triple
    [ -s triple.txt ]
    read -r a b c w1 w2 < triple.txt
    echo "a=$a b=$b c=$c: dV $w1 $w2"
    # too few iterations: the band a - c does not converge
    neb-ci --maxiter 20 --bands skip.xyz > bands.bin 2> neb.err
    grep -q 'did not converge' neb.err
    # no retry allowed: the images alone must show b
    dwp-split --retries 0 --summary sum.tsv bands.bin > d.txt 2> d.err
    cat d.err sum.tsv
    [ "$(grep -c '^#' d.txt)" -eq 2 ]
    set -- $(grep '^#' d.txt | tr ' ' '\n' | sed -n 's/^dV=//p')
    close_to "$1" "$w1" 1e-6
    close_to "$2" "$w2" 1e-6
    grep '^#' d.txt | grep -q ' parts=2 .* converged=T lost=0$'
    [ "$(sumcol pairs sum.tsv)" = 1 ] && [ "$(sumcol complete sum.tsv)" = 1 ]
    [ "$(sumcol split sum.tsv)" = 1 ] && [ "$(sumcol rescued sum.tsv)" = 1 ]
    [ "$(sumcol failed sum.tsv)" = 0 ] && [ "$(sumcol complete_frac sum.tsv)" = 1.000000 ]
    grep -q '1 pair: 1 complete (1 split, 1 rescued), 0 failed, 0 not a pair' d.err
}

@test "a band that did not converge over a single barrier: a retry with more images and iterations" {
    frame 1 pairs.xyz > a.xyz
    frame 2 pairs.xyz > b.xyz
    cat a.xyz b.xyz > p.xyz
    neb-ci --maxiter 20 --bands p.xyz > bands.bin 2> /dev/null
    dwp-split --summary sum.tsv bands.bin > d.txt 2> d.err
    cat d.err sum.tsv
    [ "$(grep -c '^#' d.txt)" -eq 1 ]
    dE=$(grep '^#' paths.txt | head -1 | tr ' ' '\n' | sed -n 's/^dE=//p')
    close_to "$(val dV "$(grep '^#' d.txt)")" "${dE#-}" 1e-9
    [ "$(sumcol rescued sum.tsv)" = 1 ] && [ "$(sumcol split sum.tsv)" = 0 ]
    [ "$(sumcol complete sum.tsv)" = 1 ] && [ "$(sumcol bands sum.tsv)" -ge 1 ]
}

@test "a path that cannot be converged is lost, and said so: records, stderr and summary" {
    find_triple
    [ -s triple.txt ]
    neb-ci --maxiter 20 --bands skip.xyz > bands.bin 2> /dev/null
    # the new bands cannot converge either, and no retry
    run dwp-split --retries 0 --maxiter 20 --summary sum.tsv -o d.txt bands.bin
    echo "$output"
    [ "$status" -eq 0 ]
    [[ $output == *"this part of the path is lost (no DWP)"* ]]
    [[ $output == *"1 pair: 0 complete (1 split, 0 rescued), 1 failed (1 by bands that did not converge"*"0.0% of the pairs accounted for"* ]]
    [ "$(sumcol failed sum.tsv)" = 1 ] && [ "$(sumcol failed_nonconv sum.tsv)" = 1 ]
    [ "$(sumcol complete_frac sum.tsv)" = 0.000000 ]
    # any DWP written says how many parts of its path are missing
    if [ -s d.txt ]; then
        grep '^#' d.txt | grep -vq ' lost=0$'
    fi
}

@test "dwp-split --budget: a path that needs more force evaluations is cut, counted as failed_limit, and deterministic" {
    find_triple
    [ -s triple.txt ]
    neb-ci --maxiter 20 --bands skip.xyz > bands.bin 2> /dev/null
    # enough for the whole path
    dwp-split --summary full.tsv -o full.txt bands.bin 2> /dev/null
    [ "$(sumcol complete full.tsv)" = 1 ]
    # a budget of 300 force evaluations cannot split and converge it
    run dwp-split --budget 300 --summary sum.tsv -o d.txt bands.bin
    echo "$output"
    [ "$status" -eq 0 ]
    [[ $output == *"the budget of 300 force evaluations is spent"* ]]
    [ "$(sumcol failed sum.tsv)" = 1 ] && [ "$(sumcol failed_limit sum.tsv)" = 1 ]
    [ "$(sumcol failed_nonconv sum.tsv)" = 0 ]
    dwp-split --budget 300 -o d2.txt bands.bin 2> /dev/null
    cmp d.txt d2.txt
    run dwp-split --budget -1 bands.bin
    [ "$status" -eq 2 ]
}
