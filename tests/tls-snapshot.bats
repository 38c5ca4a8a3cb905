#!/usr/bin/env bats
# tls-snapshot on constructed pairs (one particle moved by a known vector),
# and the figures of pipelines/plot (hist.gp, pr.gp) on constructed tables.

load helpers

TOP="$BATS_TEST_DIRNAME/.."

# column K (1-based, after the species) of atom I (1-based) of the xyz on stdin
atom() { awk -v i="$1" -v k="$2" 'NR == i + 2 { print $(k + 1) }'; }
# value of metadata KEY in the comment line of the xyz on stdin
meta() { awk -v k="$1" 'NR == 2 { n = split($0, w, " "); for (j = 1; j <= n; j++) if (index(w[j], k "=") == 1) { print substr(w[j], length(k) + 2); exit } }'; }
# the 8 bytes that open every PNG file
is_png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }

setup() {
    cd "$BATS_TEST_TMPDIR"
    export TMPDIR="$BATS_TEST_TMPDIR/tmp"
    mkdir -p "$TMPDIR"
    conf-gen -N 150 --seed 5 > a.xyz
    # particle 5 moved by +0.1 along x (%.17g keeps every other digit)
    awk 'NR == 7 { $2 = sprintf("%.17g", $2 + 0.1) } { print }' a.xyz > b.xyz
    cat a.xyz b.xyz > pair.xyz
}

# The displacement is taken without its mean (a rigid translation is not a
# rearrangement): one particle of N = 150 moved by D along x gives it
# D (1 - 1/N) and every other particle -D/N, all along x.
moved() { awk -v D="$1" 'BEGIN { printf "%.17g", D * (1 - 1 / 150) }'; }
others() { awk -v D="$1" 'BEGIN { printf "%.17g", -D / 150 }'; }

@test "disp is 0.1 (1 - 1/N) for the moved particle and 0.1/N elsewhere: the drift is removed" {
    tls-snapshot pair.xyz > s.xyz
    head -2 s.xyz | tail -1 | grep -q 'Properties=species:S:1:pos:R:3:radius:R:1:disp:R:1:dvec:R:3 '
    [ "$(head -1 s.xyz)" = 150 ]
    close_to "$(atom 5 5 < s.xyz)" "$(moved 0.1)" 1e-13
    close_to "$(atom 5 6 < s.xyz)" "$(moved 0.1)" 1e-13
    [ "$(atom 5 7 < s.xyz)" = 0 ]
    [ "$(atom 5 8 < s.xyz)" = 0 ]
    # every other particle: -0.1/N along x, zero along y and z, four columns
    o=$(others 0.1)
    [ "$(awk -v o="$o" 'function abs(x) { return x < 0 ? -x : x }
        NR > 2 && NR != 7 && (abs($6 + o) > 1e-15 || abs($7 - o) > 1e-15 || $8 != 0 || $9 != 0)' s.xyz | wc -l)" -eq 0 ]
    [ "$(awk 'NR > 2 { print NF }' s.xyz | sort -u)" = 9 ]
    # positions and radii are those of the first frame, digit for digit
    diff <(awk 'NR > 2 { print $1, $2, $3, $4, $5 }' a.xyz) <(awk 'NR > 2 { print $1, $2, $3, $4, $5 }' s.xyz)
}

@test "the metadata: those of the first frame plus dist, pr, dmax, threshold, nmoved, stage, history" {
    tls-snapshot pair.xyz > s.xyz
    # dist = 0.1 sqrt(1 - 1/N); PR of the x components (1 - 1/N)^2 / ((1 - 1/N)^4 + (N - 1)/N^4)
    close_to "$(meta dist < s.xyz)" "$(awk 'BEGIN { printf "%.17g", 0.1 * sqrt(1 - 1 / 150) }')" 1e-13
    close_to "$(meta pr < s.xyz)" "$(awk 'BEGIN { u = 1 - 1 / 150; printf "%.17g", u * u / (u ^ 4 + 149 / 150 ^ 4) }')" 1e-12
    close_to "$(meta dmax < s.xyz)" "$(moved 0.1)" 1e-13
    close_to "$(meta threshold < s.xyz)" "$(moved 0.02)" 1e-13     # dmax / 5
    [ "$(meta nmoved < s.xyz)" = 1 ]
    [ "$(meta stage < s.xyz)" = tls-snapshot ]
    [ "$(meta seed < s.xyz)" = 5 ]                      # carried from conf-gen
    head -2 s.xyz | grep -q 'history="conf-gen -N 150 --seed 5 | tls-snapshot pair.xyz"'
    # the lattice and origin lines as lib/frameio.c writes them
    [ "$(head -2 s.xyz | tail -1 | cut -d' ' -f1-6)" = "$(head -2 a.xyz | tail -1 | cut -d' ' -f1-6)" ]
}

@test "minimum image: a particle moved across the box boundary moves by 0.1" {
    L=$(head -2 a.xyz | tail -1 | sed 's/^Lattice="\([^ ]*\) .*/\1/')
    o=$(head -2 a.xyz | tail -1 | sed 's/.*Origin="\([^ ]*\) .*/\1/')
    # particle 9, y - 0.1, wrapped: put it 0.03 above the lower face first
    awk -v L="$L" -v o="$o" 'NR == 11 { $3 = sprintf("%.17g", o + 0.03) } { print }' a.xyz > a2.xyz
    awk -v L="$L" -v o="$o" 'NR == 11 { y = $3 - 0.1; if (y < o) y += L; $3 = sprintf("%.17g", y) } { print }' a2.xyz > b2.xyz
    tls-snapshot a2.xyz b2.xyz > s.xyz
    close_to "$(atom 9 5 < s.xyz)" "$(moved 0.1)" 1e-12
    close_to "$(atom 9 7 < s.xyz)" "$(moved -0.1)" 1e-12
    [ "$(atom 9 6 < s.xyz)" = 0 ]
}

@test "a rigid translation changes nothing; a translated copy is not a pair" {
    tls-snapshot pair.xyz > s.xyz
    # b moved as a whole by (0.3, -0.2, 0.1), across the box faces
    awk 'NR > 2 { $2 = sprintf("%.17g", $2 + 0.3); $3 = sprintf("%.17g", $3 - 0.2); $4 = sprintf("%.17g", $4 + 0.1) } { print }' b.xyz > bt.xyz
    tls-snapshot a.xyz bt.xyz > st.xyz
    for k in dist pr dmax threshold nmoved; do
        close_to "$(meta $k < st.xyz)" "$(meta $k < s.xyz)" 1e-12
    done
    # every displacement component alike, to rounding
    paste <(sed 1,2d s.xyz) <(sed 1,2d st.xyz) | awk '{ for (k = 6; k <= 9; k++) { d = $k - $(k + 9); if (d < 0) d = -d; if (d > 1e-12) { print NR, k, $k, $(k + 9); bad = 1 } } } END { exit bad }'
    # a frame and its translated copy hold one minimum
    awk 'NR > 2 { $2 = sprintf("%.17g", $2 + 0.3) } { print }' a.xyz > at.xyz
    run tls-snapshot a.xyz at.xyz
    [ "$status" -eq 1 ]
    [[ "$output" == "tls-snapshot: a.xyz: frame 1 and at.xyz: frame 1 hold the same configuration up to a translation of 0.3"*"not a pair of distinct minima" ]]
    # --dtol sets how far apart two minima must be
    run tls-snapshot --dtol 0.2 a.xyz b.xyz
    [ "$status" -eq 1 ]
    [[ "$output" == *"same configuration"*"--dtol 0.2"* ]]
}

@test "tlskit reads the snapshot back (extra columns skipped): same frame as the first minimum" {
    tls-snapshot -o s.xyz pair.xyz
    conf-info s.xyz > i1
    conf-info a.xyz > i2
    diff <(cut -f3- i1) <(cut -f3- i2)
    conf-diff --keep-drift --no-header -r a.xyz s.xyz > d
    [ "$(cut -f3 d)" = 0 ]
    [ "$(cut -f8 d)" = 0 ]
    # and the binary twin of the pair gives the same snapshot
    conf-convert -t bin pair.xyz | tls-snapshot > s2.xyz
    diff <(sed 1,2d s.xyz) <(sed 1,2d s2.xyz)
}

@test "ASE reads the snapshot: disp and dvec in atoms.arrays" {
    /usr/bin/python3 -c 'import ase.io' 2>/dev/null || skip "python3-ase is not installed"
    tls-snapshot -o s.xyz pair.xyz
    run /usr/bin/python3 -c '
import ase.io
a = ase.io.read("s.xyz")
print(sorted(a.arrays.keys()))
print(len(a), a.arrays["disp"].shape, a.arrays["dvec"].shape)
print("%.12f %.12f %.12f" % (a.arrays["disp"][4], a.arrays["dvec"][4][0], abs(a.arrays["disp"]).sum()))
print(a.info["stage"], a.info["nmoved"])'
    echo "$output"
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "['disp', 'dvec', 'numbers', 'positions', 'radius']" ]
    [ "${lines[1]}" = "150 (150,) (150, 3)" ]
    # |d_5| = 0.1 (1 - 1/150), and 149 others of 0.1/150: the sum is 0.2 (1 - 1/150)
    [ "${lines[2]}" = "0.099333333333 0.099333333333 0.198666666667" ]
    [ "${lines[3]}" = "tls-snapshot 1" ]
}

@test "--threshold chooses the emphasised particles (nmoved)" {
    # a second particle moved by 0.01: below the default dmax / 5 = 0.02
    awk 'NR == 20 { $4 = sprintf("%.17g", $4 + 0.01) } { print }' b.xyz > b3.xyz
    tls-snapshot a.xyz b3.xyz > s.xyz
    [ "$(meta nmoved < s.xyz)" = 1 ]
    tls-snapshot --threshold 0.005 a.xyz b3.xyz > s.xyz
    [ "$(meta nmoved < s.xyz)" = 2 ]
    close_to "$(meta threshold < s.xyz)" 0.005 1e-15
    # particle 18 moved by 0.01 along z, the mean removed: (-0.1/N, 0, 0.01 (1 - 1/N))
    close_to "$(atom 18 5 < s.xyz)" "$(awk 'BEGIN { printf "%.17g", sqrt((0.1 / 150) ^ 2 + (0.01 * (1 - 1 / 150)) ^ 2) }')" 1e-12
}

@test "--png draws a PNG, quietly, leaves no temporaries; the frame is unchanged" {
    command -v gnuplot > /dev/null || skip "gnuplot is not installed"
    run tls-snapshot --png s.png -o s.xyz pair.xyz
    [ "$status" -eq 0 ]
    [ -z "$output" ]                       # nothing on stdout or stderr
    is_png s.png
    [ "$(stat -c %s s.png)" -gt 10000 ]
    tls-snapshot pair.xyz > plain.xyz
    diff <(sed 1,2d s.xyz) <(sed 1,2d plain.xyz)
    [ -z "$(ls -A "$TMPDIR")" ]
    [ "$(ls)" = "$(printf 'a.xyz\nb.xyz\npair.xyz\nplain.xyz\ns.png\ns.xyz\ntmp')" ]
    # the picture may go to standard output when the frame goes elsewhere
    tls-snapshot --png - -o s2.xyz pair.xyz > s2.png
    is_png s2.png
    # a threshold just below dmax (one particle emphasised) or above it (none)
    tls-snapshot --threshold 0.099 --png s3.png pair.xyz > /dev/null
    is_png s3.png
    tls-snapshot --threshold 5 --png s4.png pair.xyz > /dev/null
    is_png s4.png
}

@test "--pair K takes pair K of a stream of pairs; the pair's metadata go into the title" {
    command -v gnuplot > /dev/null || skip "gnuplot is not installed"
    awk 'NR == 40 { $4 = sprintf("%.17g", $4 - 0.2) } { print }' a.xyz > c.xyz
    { conf-convert --set pair=0 --set role=a a.xyz; conf-convert --set pair=0 --set role=b b.xyz
      conf-convert --set pair=1 --set role=a --set dE=0.0123 a.xyz
      conf-convert --set pair=1 --set role=b c.xyz; } > pairs.xyz
    tls-snapshot --pair 1 --png p1.png pairs.xyz > s.xyz
    is_png p1.png
    close_to "$(atom 38 5 < s.xyz)" "$(moved 0.2)" 1e-12
    close_to "$(atom 38 8 < s.xyz)" "$(moved -0.2)" 1e-12
    [ "$(meta pair < s.xyz)" = 1 ]
    [ "$(meta dE < s.xyz)" = 0.0123 ]
    tls-snapshot --pair 0 pairs.xyz | atom 5 5 > d0
    close_to "$(cat d0)" "$(moved 0.1)" 1e-12
    run tls-snapshot --pair 2 pairs.xyz
    [ "$status" -eq 1 ]
    [[ "$output" == *"4 frames: there is no pair 2"* ]]
    run tls-snapshot pairs.xyz
    [ "$status" -eq 1 ]
    [[ "$output" == *"more than two frames"*"--pair"* ]]
    # frames 2 and 3 belong to different pairs
    conf-convert --frames 2:3 pairs.xyz > mixed.xyz
    run tls-snapshot mixed.xyz
    [ "$status" -eq 1 ]
    [[ "$output" == *"not one pair"* ]]
    # roles b then a
    { conf-convert --set role=b a.xyz; conf-convert --set role=a b.xyz; } > ba.xyz
    run tls-snapshot ba.xyz
    [ "$status" -eq 1 ]
    [[ "$output" == *"roles a then b"* ]]
}

@test "bad inputs: one frame, different N, box or diameters, identical frames" {
    run tls-snapshot a.xyz
    [ "$status" -eq 1 ]
    [[ "$output" == "tls-snapshot: a.xyz: 1 frame: a pair of minima (two frames) is needed" ]]
    run tls-snapshot < /dev/null
    [ "$status" -eq 1 ]
    [[ "$output" == *"stdin: 0 frames"* ]]
    conf-gen -N 100 --seed 5 > small.xyz
    run tls-snapshot a.xyz small.xyz
    [ "$status" -eq 1 ]
    [[ "$output" == *"small.xyz: frame 1: 100 particles, but a.xyz: frame 1 has 150"* ]]
    conf-gen -N 150 --rho 0.9 --seed 5 > dilute.xyz
    run tls-snapshot a.xyz dilute.xyz
    [ "$status" -eq 1 ]
    [[ "$output" == *"box edge"* ]]
    awk 'NR == 9 { $5 = sprintf("%.17g", $5 * 1.1) } { print }' b.xyz > swapped.xyz
    run tls-snapshot a.xyz swapped.xyz
    [ "$status" -eq 1 ]
    [[ "$output" == *"particle 7 has diameter"* ]]
    run tls-snapshot a.xyz a.xyz
    [ "$status" -eq 1 ]
    [[ "$output" == *"same configuration"* ]]
    run tls-snapshot a.xyz b.xyz a.xyz
    [ "$status" -eq 1 ]
    [[ "$output" == *"more than two frames"* ]]
    echo garbage > bad.xyz
    run tls-snapshot a.xyz bad.xyz
    [ "$status" -eq 1 ]
    # no output file from a failed run
    run tls-snapshot -o out.xyz --png out.png a.xyz
    [ "$status" -eq 1 ]
    [ ! -e out.xyz ]
    [ ! -e out.png ]
}

@test "usage errors exit 2; --help and --version" {
    run tls-snapshot --threshold -1 pair.xyz
    [ "$status" -eq 2 ]
    run tls-snapshot --pair x pair.xyz
    [ "$status" -eq 2 ]
    run tls-snapshot --png - pair.xyz
    [ "$status" -eq 2 ]
    [[ "$output" == *"standard output"* ]]
    run tls-snapshot --bogus
    [ "$status" -eq 2 ]
    run tls-snapshot --help
    [ "$status" -eq 0 ]
    [[ "$output" == Usage:\ tls-snapshot* ]]
    [[ "$output" == *"--threshold D"* ]]
    [[ "$output" == *"--png FILE"* ]]
    run tls-snapshot --version
    [ "$status" -eq 0 ]
    [[ "$output" == "tls-snapshot (tlskit) "* ]]
}

@test "gnuplot missing or failing: exit 1 with its message, no outputs, no temporaries" {
    GNUPLOT=no-such-gnuplot run tls-snapshot --png s.png -o s.xyz pair.xyz
    [ "$status" -eq 1 ]
    [[ "$output" == *"cannot run 'no-such-gnuplot'"*"gnuplot-nox"* ]]
    GNUPLOT="echo 'line 3: bad'; exit 1; :" run tls-snapshot --png s.png -o s.xyz pair.xyz
    [ "$status" -eq 1 ]
    [[ "$output" == *"failed drawing s.png"*"line 3: bad"* ]]
    GNUPLOT=true run tls-snapshot --png s.png -o s.xyz pair.xyz
    [ "$status" -eq 1 ]
    [[ "$output" == *"wrote no picture"* ]]
    [ ! -e s.png ]
    [ ! -e s.xyz ]
    [ -z "$(ls -A "$TMPDIR")" ]
    run tls-snapshot --png no/such/dir/s.png pair.xyz
    [ "$status" -eq 1 ]
}

# ---- pipelines/plot: hist.gp and pr.gp on constructed schrod1d tables ----

tables() { # two Tf, two glasses each, as the pipeline lays them out
    h='#id\tmass\te1\te2\tsplit\tdelta0\tdV\tVb\td\tPR\terr\tflag\n'
    mkdir -p d/Tf0.1/g1 d/Tf0.1/g2 d/Tf0.2/g1 d/Tf0.2/g2
    printf "$h"'a\t4000\t0.1\t0.1001\t1e-4\tnan\t1e-5\t0.01\t0.5\t4\t1e-9\t0\nb\t4000\t0.1\t0.1002\t2e-4\tnan\t2e-3\t0.02\t0.6\t9\t1e-9\t0\n' > d/Tf0.1/g1/tls.tsv
    printf "$h"'c\t4000\t0.1\t0.105\t5e-3\tnan\t3e-2\t0.03\t0.7\t16\t1e-5\t1\n' > d/Tf0.1/g2/tls.tsv
    printf "$h"'d\t4000\t0.1\t0.1003\t3e-4\tnan\t4e-5\t0.04\t0.8\t25\t1e-9\t0\ne\t4000\t0.1\t0.1003\t3e-2\tnan\t4e-1\t0.2\t0.9\t80\t1e-9\t0\n' > d/Tf0.2/g1/tls.tsv
    printf "$h" > d/Tf0.2/g2/tls.tsv
    for tf in 0.1 0.2; do
        tls-density -N 100 --bins 5 --hist d/Tf$tf/hist.tsv d/Tf$tf/g*/tls.tsv > d/Tf$tf/density.tsv
    done
}

@test "hist.gp: the four histograms of several Tf in one PNG" {
    command -v gnuplot > /dev/null || skip "gnuplot is not installed"
    tables
    run gnuplot -e "out='hist.png'; dir='d'; tfs='0.1 0.2'; n=100" "$TOP/pipelines/plot/hist.gp"
    echo "$output"
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    is_png hist.png
    [ "$(stat -c %s hist.png)" -gt 20000 ]
    # a block without counts (no DWP with dV > 0, say) is drawn as "no DWP"
    awk -F'\t' 'BEGIN { OFS = "\t" } $1 == "dV" { $4 = 0 } { print }' d/Tf0.1/hist.tsv > h
    mv h d/Tf0.1/hist.tsv
    awk -F'\t' 'BEGIN { OFS = "\t" } $1 == "dV" { $4 = 0 } { print }' d/Tf0.2/hist.tsv > h
    mv h d/Tf0.2/hist.tsv
    gnuplot -e "out='hist2.png'; dir='d'; tfs='0.1 0.2'" "$TOP/pipelines/plot/hist.gp"
    is_png hist2.png
    # a missing Tf is an error, not an empty panel
    run gnuplot -e "out='hist3.png'; dir='d'; tfs='0.1 0.3'" "$TOP/pipelines/plot/hist.gp"
    [ "$status" -ne 0 ]
    [[ "$output" == *"cannot read d/Tf0.3/hist.tsv"* ]]
}

@test "pr.gp: PR against the splitting, several Tf, in one PNG" {
    command -v gnuplot > /dev/null || skip "gnuplot is not installed"
    tables
    run gnuplot -e "out='pr.png'; dir='d'; tfs='0.1 0.2'; n=100" "$TOP/pipelines/plot/pr.gp"
    echo "$output"
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    is_png pr.png
    [ "$(stat -c %s pr.png)" -gt 15000 ]
    # tables without any DWP still make a picture
    mkdir -p e/Tf0.1/g1
    printf '#id\tmass\te1\te2\tsplit\tdelta0\tdV\tVb\td\tPR\terr\tflag\n' > e/Tf0.1/g1/tls.tsv
    gnuplot -e "out='pr2.png'; dir='e'; tfs='0.1'" "$TOP/pipelines/plot/pr.gp"
    is_png pr2.png
    run gnuplot -e "out='pr3.png'; dir='d'; tfs='0.1 0.3'" "$TOP/pipelines/plot/pr.gp"
    [ "$status" -ne 0 ]
    [[ "$output" == *"no table d/Tf0.3/g*/tls.tsv"* ]]
}
