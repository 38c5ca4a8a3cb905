#!/usr/bin/env bats
# The published model's diameters, and the fast exploration: is-sample's
# early identification of known minima changes nothing in its results.

load helpers

setup() {
    cd "$BATS_TEST_TMPDIR"
}

sorted_diameters_xyz() { # extended XYZ on stdin: 2 x radius, sorted
    awk 'NR > 2 { printf "%.6f\n", 2 * $5 }' | sort -g
}

@test "conf-gen -N 1500 holds the diameters of the published glasses (sorted, to 1e-5)" {
    conf-gen -N 1500 --seed 3 > g.xyz
    grep -q ' diameters=set ' g.xyz
    sorted_diameters_xyz < g.xyz > ours
    awk '/Atoms/ { a = 1; next } a && NF >= 6 { print $3 }' "$REF_MIN" | sort -g > ref
    [ "$(wc -l < ref)" -eq 1500 ]
    paste ours ref | awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > 1e-5) { print NR ": " $0; bad = 1 } } END { exit bad }'
}

@test "the diameter set does not depend on the seed; --random-diameters does" {
    conf-gen -N 300 --seed 1 | sorted_diameters_xyz > a
    conf-gen -N 300 --seed 2 | sorted_diameters_xyz > b
    cmp a b
    conf-gen -N 300 --seed 1 --random-diameters > r.xyz
    grep -q ' diameters=random ' r.xyz
    sorted_diameters_xyz < r.xyz > r
    if cmp -s a r; then echo "random draws equal the set"; return 1; fi
    # every drawn diameter lies in [0.73, 1.62]
    awk '$1 < 0.73 - 1e-9 || $1 > 1.62 + 1e-9 { bad = 1 } END { exit bad }' r
}

@test "ipl-swapmc -N starts from the diameter set and records it" {
    ipl-swapmc -N 200 -T 0.2 --sweeps 20 --seed 4 > c.xyz
    grep -q ' diameters=set ' c.xyz
    conf-gen -N 200 | sorted_diameters_xyz > a
    sorted_diameters_xyz < c.xyz > b
    cmp a b
}

@test "is-sample: early identification gives the same minima and transitions as full quenches" {
    ipl-swapmc -N 200 -T 0.1 --sweeps $((2000 / SLOW)) --seed 8 |
        md-quench -T 0.04 --time 2 --seed 2 > glass.xyz
    is-sample --runs 2 --time 8 --every 0.5 --seed 3 --transitions fast.tsv --visits fast.v \
        --progress -t xyz -o fast.xyz glass.xyz 2> fast.log
    is-sample --runs 2 --time 8 --every 0.5 --seed 3 --id-ftol 0 --transitions full.tsv \
        --visits full.v -t xyz -o full.xyz glass.xyz
    cat fast.log
    cmp fast.tsv full.tsv
    cmp fast.v full.v
    # the minima streams differ only in the command line of their history
    cmp <(grep -v history fast.xyz) <(grep -v history full.xyz)
    [ "$(grep -c history fast.xyz)" -eq "$(grep -c history full.xyz)" ]
    # and the early check was really used
    known=$(tail -1 fast.log | grep -o '[0-9]* known early' | cut -d' ' -f1)
    [ "$known" -gt 0 ]
}

@test "is-sample: --id-ftol must not be negative" {
    run is-sample --transitions t.tsv --id-ftol -1 /dev/null
    [ "$status" -eq 2 ]
    [[ "$output" == *"--id-ftol"* ]]
}
