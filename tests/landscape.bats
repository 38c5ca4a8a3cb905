#!/usr/bin/env bats
# is-sample, is-merge and pair-select: minima and their connections.

load helpers

# one small glass (N = 250, Tf = 0.1, quenched to T_MD = 0.04) shared by the tests
# (seed 20: on this glass a quench list carried from one run into the next
# changes the merged table, so the merge test below catches it)
setup_file() {
    cd "$BATS_FILE_TMPDIR"
    ipl-swapmc -N 250 -T 0.1 --sweeps $((3000 / SLOW)) --seed 20 |
        md-quench -T 0.04 --time 2 --seed 6 > glass.xyz
    is-sample --runs 4 --time 6 --every 0.5 --seed 7 --transitions all.tsv \
        --visits all.visits glass.xyz > all.bin
}

setup() {
    cd "$BATS_FILE_TMPDIR"
}

@test "is-sample finds several distinct minima and transitions between them" {
    nmin=$(conf-info --no-header all.bin | wc -l)
    ntr=$(grep -vc '^#' all.tsv)
    echo "minima $nmin, transitions $ntr"
    [ "$nmin" -ge 4 ]
    [ "$ntr" -ge 3 ]
    # ids are 0..nmin-1 in order
    conf-convert all.bin | awk 'NR % 252 == 2' | grep -o ' id=[0-9]*' | cut -d= -f2 > ids
    seq 0 $((nmin - 1)) | cmp - ids
}

@test "every library minimum is a minimum: fmax below the tolerance" {
    conf-info --no-header all.bin | awk -F'\t' '$7 > 1e-10 { print "frame " $2 ": fmax " $7; bad = 1 } END { exit bad }'
    # and its epot metadata is its energy
    conf-convert all.bin | awk 'NR % 252 == 2' | grep -o ' epot=[^ ]*' | cut -d= -f2 > meta
    conf-info --no-header all.bin | cut -f6 > info
    paste meta info | awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > 1e-11) { print; bad = 1 } } END { exit bad }'
}

@test "the same minimum reached twice gets one id; distinct ids are distinct minima" {
    # visits revisit ids (the runs start from one glass: its IS is visited by all)
    awk -F'\t' 'NR > 1 && $3 == 0 { print $4 }' all.visits | sort -u > starts
    [ "$(wc -l < starts)" -eq 1 ]
    [ "$(awk -F'\t' 'NR > 1 { print $4 }' all.visits | sort | uniq -d | wc -l)" -ge 1 ]
    # pairwise: every two library minima differ in energy or by a displaced particle
    n=$(conf-info --no-header all.bin | wc -l)
    for k in $(seq 1 "$n"); do
        conf-convert all.bin | awk -v k="$k" 'NR > (k - 1) * 252 && NR <= k * 252' > ref.xyz
        conf-diff -r ref.xyz --keep-drift --no-header all.bin | awk -F'\t' -v k="$k" '$2 != k && $5 < 1e-3 { print "minima " k " and " $2 " coincide"; bad = 1 } END { exit bad }'
    done
}

@test "transitions join adjacent minima: both ends are in the library, counts add up" {
    n=$(conf-info --no-header all.bin | wc -l)
    awk -F'\t' -v n="$n" 'NR > 1 && ($1 >= $2 || $2 >= n || $5 + $6 < 1) { print; bad = 1 } END { exit bad }' all.tsv
    # the transitions counted equal the changes of minimum along the visits
    changes=$(awk -F'\t' 'NR > 1 { if ($1 == run && $4 != id) c++; run = $1; id = $4 } END { print c }' all.visits)
    total=$(awk -F'\t' 'NR > 1 { s += $5 + $6 } END { print s }' all.tsv)
    [ "$changes" -eq "$total" ]
}

@test "the same seed gives the same library and table" {
    is-sample --runs 1 --first-run 2 --time 6 --every 0.5 --seed 7 --transitions a.tsv glass.xyz > a.bin
    is-sample --runs 1 --first-run 2 --time 6 --every 0.5 --seed 7 --transitions b.tsv glass.xyz > b.bin
    cmp a.tsv b.tsv
    cmp <(conf-convert --unset history a.bin) <(conf-convert --unset history b.bin)
}

@test "merging per-run partial libraries equals one job over all runs" {
    for r in 0 1 2 3; do
        is-sample --runs 1 --first-run $r --time 6 --every 0.5 --seed 7 --transitions p$r.tsv glass.xyz > p$r.bin
    done
    # in any order of the parts
    is-merge --transitions m.tsv -o m.bin p2.bin p2.tsv p0.bin p0.tsv p3.bin p3.tsv p1.bin p1.tsv
    cmp m.tsv all.tsv
    cmp <(conf-convert --unset history m.bin) <(conf-convert --unset history all.bin)
    # and parts of two runs each
    is-sample --runs 2 --first-run 0 --time 6 --every 0.5 --seed 7 --transitions q0.tsv glass.xyz > q0.bin
    is-sample --runs 2 --first-run 2 --time 6 --every 0.5 --seed 7 --transitions q1.tsv glass.xyz > q1.bin
    is-merge --transitions m2.tsv q0.bin q0.tsv q1.bin q1.tsv > m2.bin
    cmp m2.tsv all.tsv
}

@test "is-merge refuses a table that does not belong to its library" {
    is-sample --runs 1 --first-run 0 --time 6 --every 0.5 --seed 7 --transitions p0.tsv glass.xyz > p0.bin
    is-sample --runs 1 --first-run 3 --time 6 --every 0.5 --seed 7 --transitions p3.tsv glass.xyz > p3.bin
    run is-merge --transitions x.tsv p0.bin p3.tsv p3.bin p0.tsv
    [ "$status" -eq 1 ]
    [[ $output == *"do not belong together"* ]]
    run is-merge --transitions x.tsv p0.bin
    [ "$status" -eq 2 ]
}

# a library of constructed minima: base, one particle moved by 0.1 along x,
# four particles moved by 0.05 along x
make_library() {
    conf-gen -N 150 --seed 3 > base.xyz
    e=$(conf-info --no-header base.xyz | cut -f6)
    conf-convert --set id=0 --set run=0 --set k=0 --set epot="$e" base.xyz > lib.xyz
    awk 'NR == 3 { $2 = sprintf("%.17g", $2 + 0.1) } { print }' base.xyz | conf-convert --set id=1 --set run=0 --set k=1 --set epot="$e" >> lib.xyz
    awk 'NR >= 3 && NR <= 6 { $2 = sprintf("%.17g", $2 + 0.05) } { print }' base.xyz | conf-convert --set id=2 --set run=0 --set k=2 --set epot="$e" >> lib.xyz
    printf '#i\tj\tei\tej\tnij\tnji\tri\tki\trj\tkj\n0\t1\t%s\t%s\t2\t1\t0\t0\t0\t1\n0\t2\t%s\t%s\t1\t0\t0\t0\t0\t2\n' "$e" "$e" "$e" "$e" > lib.tsv
}

@test "pair-select: d and PR exact on constructed displacements (PR = 1 and PR = k)" {
    make_library
    pair-select --transitions lib.tsv --table pairs.tsv lib.xyz > pairs.xyz
    cat pairs.tsv
    [ "$(grep -vc '^#' pairs.tsv)" -eq 2 ]
    # the displacement is taken without its mean (N = 150): k particles moved
    # by D along x move by D - kD/N, the others by -kD/N
    want() { awk -v k="$1" -v D="$2" 'BEGIN { N = 150; m = D - k * D / N; o = k * D / N
        s2 = k * m ^ 2 + (N - k) * o ^ 2; s4 = k * m ^ 4 + (N - k) * o ^ 4
        printf "%.17g %.17g %.17g\n", sqrt(s2), s2 * s2 / s4, m }'; }
    read -r _ i j _ _ de dist pr dmax nij nji < <(sed -n 2p pairs.tsv)
    [ "$i" = 0 ] && [ "$j" = 1 ] && [ "$nij" = 2 ] && [ "$nji" = 1 ]
    read -r wd wp wm < <(want 1 0.1)
    close_to "$dist" "$wd" 1e-9    # about 0.1
    close_to "$pr" "$wp" 1e-9      # about 1
    close_to "$dmax" "$wm" 1e-9
    read -r _ i j _ _ de dist pr dmax _ _ < <(sed -n 3p pairs.tsv)
    read -r wd wp wm < <(want 4 0.05)
    close_to "$dist" "$wd" 1e-9    # about sqrt(4 x 0.05^2)
    close_to "$pr" "$wp" 1e-9      # about 4
    close_to "$dmax" "$wm" 1e-9
    # two frames per pair, labelled
    [ "$(grep -c ' role=a ' pairs.xyz)" -eq 2 ]
    [ "$(grep -c ' role=b ' pairs.xyz)" -eq 2 ]
    # filters
    pair-select --transitions lib.tsv --table t2.tsv --no-frames --min-count 2 lib.xyz
    [ "$(grep -vc '^#' t2.tsv)" -eq 1 ]
    pair-select --transitions lib.tsv --table t3.tsv --no-frames --max-dist 0.05 lib.xyz
    [ "$(grep -vc '^#' t3.tsv)" -eq 0 ]
}

@test "pair-select: a rigid translation changes neither dist, PR nor dmax; a translated copy is not a pair" {
    # a real pair of minima of the glass, and the second one moved as a whole
    # by (0.3, -0.2, 0.1); then the first one and its own translated copy
    pair-select --transitions all.tsv --table p.tsv --max-de 10 --max-dist 100 all.bin > p.xyz
    ids=$(awk 'NR == 2 { print $2, $3 }' p.tsv)
    set -- $ids
    conf-convert all.bin | awk -v a="$1" 'BEGIN { n = -1 } /^250$/ { n++ } n == a' > ma.xyz
    conf-convert all.bin | awk -v b="$2" 'BEGIN { n = -1 } /^250$/ { n++ } n == b' > mb.xyz
    shift3() { awk 'NR > 2 { $2 = sprintf("%.17g", $2 + 0.3); $3 = sprintf("%.17g", $3 - 0.2); $4 = sprintf("%.17g", $4 + 0.1) } { print }'; }
    ea=$(conf-info --no-header ma.xyz | cut -f6)
    eb=$(conf-info --no-header mb.xyz | cut -f6)
    { conf-convert --set id=0 --set epot="$ea" ma.xyz
      conf-convert --set id=1 --set epot="$eb" mb.xyz
      shift3 < mb.xyz | conf-convert --set id=2 --set epot="$eb"
      shift3 < ma.xyz | conf-convert --set id=3 --set epot="$ea"; } > tl.xyz
    printf '#i\tj\tei\tej\tnij\tnji\tri\tki\trj\tkj\n' > tl.tsv
    printf '0\t%s\t%s\t%s\t1\t0\t0\t0\t0\t%s\n' 1 "$ea" "$eb" 1 2 "$ea" "$eb" 2 3 "$ea" "$ea" 3 >> tl.tsv
    run pair-select --transitions tl.tsv --max-de 10 --max-dist 100 --table tl.out --no-frames tl.xyz
    echo "$output"
    [ "$status" -eq 0 ]
    [[ $output == *"tl.tsv: pair (0, 3): the same minimum"*"translation of 0.374 is removed): not a pair, skipped"* ]]
    [[ $output == *"1 pairs skipped"* ]]
    cat tl.out
    [ "$(grep -vc '^#' tl.out)" -eq 2 ]
    read -r _ _ _ _ _ _ d1 p1 m1 _ _ < <(sed -n 2p tl.out)
    read -r _ _ j _ _ _ d2 p2 m2 _ _ < <(sed -n 3p tl.out)
    [ "$j" = 2 ]
    [ "$d1" = "$d2" ] && [ "$p1" = "$p2" ] && [ "$m1" = "$m2" ]
    # and the same as in the library's own pair
    [ "$(awk 'NR == 2 { print $7, $8, $9 }' p.tsv)" = "$d1 $p1 $m1" ]
}

@test "pair-select on the sampled library: frames i and j, energy difference consistent" {
    pair-select --transitions all.tsv --table p.tsv --max-de 10 --max-dist 100 all.bin > p.xyz
    np=$(grep -vc '^#' p.tsv)
    [ "$np" -eq "$(grep -vc '^#' all.tsv)" ]
    [ "$(conf-info --no-header p.xyz | wc -l)" -eq $((2 * np)) ]
    # dE = N (ej - ei) and it matches the two frames' energies
    conf-info --no-header p.xyz | cut -f6 | paste - - | paste - <(awk 'NR > 1 { print $6 }' p.tsv) |
        awk '{ d = 250 * ($2 - $1) - $3; if (d < 0) d = -d; if (d > 1e-8) { print; bad = 1 } } END { exit bad }'
}

@test "pair-select refuses a table and library that do not belong together" {
    make_library
    # an unknown id
    printf '#i\tj\tei\tej\tnij\tnji\tri\tki\trj\tkj\n0\t7\t0.1\t0.1\t1\t0\t0\t0\t0\t1\n' > bad.tsv
    run pair-select --transitions bad.tsv lib.xyz
    [ "$status" -eq 1 ]
    [[ $output == *"minimum 7 is not in lib.xyz"* ]]
    # energies that do not match
    sed '2s/^0\t1\t[^\t]*/0\t1\t0.5/' lib.tsv > bad2.tsv
    run pair-select --transitions bad2.tsv lib.xyz
    [ "$status" -eq 1 ]
    [[ $output == *"do not belong together"* ]]
    # a library with mixed N
    conf-gen -N 200 --seed 1 | conf-convert --set id=3 --set epot=0.3 > other.xyz
    cat lib.xyz other.xyz > mixed.xyz
    run pair-select --transitions lib.tsv mixed.xyz
    [ "$status" -eq 1 ]
    [[ $output == *"a library holds minima of one glass"* ]]
    # both from standard input
    run pair-select --transitions - - < lib.xyz
    [ "$status" -eq 2 ]
}

@test "is-sample: bad usage" {
    run is-sample glass.xyz
    [ "$status" -eq 2 ]
    [[ $output == *"--transitions FILE is required"* ]]
    cat glass.xyz glass.xyz > two.xyz
    run is-sample --transitions t.tsv two.xyz
    [ "$status" -eq 1 ]
    [[ $output == *"more than one frame"* ]]
    run is-sample --transitions t.tsv --every 20 --time 10 glass.xyz
    [ "$status" -eq 2 ]
}

@test "pair-select: the library from standard input (-) or a pipe gives the same bytes as from the file" {
    mkdir -p spool && export TMPDIR=$PWD/spool
    pair-select --transitions all.tsv --table f.tsv --max-de 10 --max-dist 100 all.bin > f.xyz
    cat all.bin | pair-select --transitions all.tsv --table p.tsv --max-de 10 --max-dist 100 - > p.xyz
    [ "$(grep -vc '^#' p.tsv)" -ge 2 ]
    cmp f.tsv p.tsv
    # the frames differ only by the command in their history
    cmp <(conf-convert --unset history f.xyz) <(conf-convert --unset history p.xyz)
    # the same command line, from a seekable standard input and from a pipe:
    # the same bytes
    pair-select --transitions all.tsv --max-de 10 --max-dist 100 - < all.bin > s.xyz
    cat all.bin | pair-select --transitions all.tsv --max-de 10 --max-dist 100 - > q.xyz
    cmp s.xyz q.xyz
    # a text library through a pipe as well
    conf-convert all.bin | pair-select --transitions all.tsv --max-de 10 --max-dist 100 - > t.xyz
    cmp s.xyz t.xyz
    # errors name stdin; the temporary copy is gone, also after an error
    run bash -c 'conf-convert --set id=9 all.bin | pair-select --transitions all.tsv -'
    [ "$status" -eq 1 ]
    [[ $output == "pair-select: stdin: frame 1: id 9 where 0 was expected"* ]]
    [ -z "$(ls -A spool)" ]
}
