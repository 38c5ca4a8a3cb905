#!/usr/bin/env bats
# robustness.bats - defects found by fuzzing and an audit: undefined
# behaviour on degenerate but valid input (zero-length tables, huge counts),
# overlapping particles, degenerate systems (one or two particles, nothing
# interacting), and an exact resume of a swap-MC chain, history included.
# Every failure is one message naming the program, the input and what is
# wrong, with exit 1; under the sanitisers (make test SAN=1) any report
# adds lines to stderr, which the one-line checks catch.

bats_require_minimum_version 1.5.0
load helpers

setup() {
    cd "$BATS_TEST_TMPDIR" || return 1
}

# one_error PREFIX: the last xrun failed with status 1 and exactly one line
# on stderr starting with PREFIX (no sanitiser report, no second message)
one_error() {
    if [ "$status" -ne 1 ] || [ "${#stderr_lines[@]}" -ne 1 ] || [[ $stderr != "$1"* ]]; then
        echo "status $status, want 1; stderr (want one line '$1...'):" >&2
        printf '%s\n' "$stderr" | head -30 >&2
        return 1
    fi
}

# frame N L "x y z r" ...: an extended XYZ frame of N particles in a box L
frame() {
    local n=$1 L=$2
    shift 2
    printf '%s\nLattice="%s 0 0 0 %s 0 0 0 %s" Origin="0 0 0" Properties=species:S:1:pos:R:3:radius:R:1 pbc="T T T"\n' \
        "$n" "$L" "$L" "$L"
    for a in "$@"; do echo "Ar $a"; done
}

# a library of two minima (ids 0 and 1, their epot) and the transitions
# header, for pair-select
library() {
    conf-gen -N 150 --seed 1 | md-quench -T 0 --minimize --seed 1 | conf-convert --set id=0 > lib.xyz
    conf-gen -N 150 --seed 2 | md-quench -T 0 --minimize --seed 1 | conf-convert --set id=1 >> lib.xyz
    e0=$(sed -n 2p lib.xyz | grep -o ' epot=[^ ]*' | cut -d= -f2)
    e1=$(sed -n 154p lib.xyz | grep -o ' epot=[^ ]*' | cut -d= -f2)
    TRH=$'#i\tj\tei\tej\tnij\tnji\tri\tki\trj\tkj'
}

# ---------------------------------------------------------------- undefined behaviour

@test "pair-select: huge transition counts are refused (nij + nji overflowed)" {
    library
    for c in 9223372036854775807 1125899906842625 -1; do
        printf '%s\n0\t1\t%s\t%s\t%s\t1\t0\t0\t0\t1\n' "$TRH" "$e0" "$e1" "$c" > tr.tsv
        xrun pair-select --transitions tr.tsv lib.xyz
        one_error "pair-select: tr.tsv:2: bad row: the counts nij = $c, nji = 1 must be 0 to"
    done
    # beyond a long: not an integer in range (sscanf clipped it silently)
    printf '%s\n0\t1\t%s\t%s\t99999999999999999999\t1\t0\t0\t0\t1\n' "$TRH" "$e0" "$e1" > tr.tsv
    xrun pair-select --transitions tr.tsv lib.xyz
    one_error "pair-select: tr.tsv:2: nij = '99999999999999999999' is not an integer in range"
    # the largest count allowed goes through
    printf '%s\n0\t1\t%s\t%s\t1125899906842624\t1125899906842624\t0\t0\t0\t1\n' "$TRH" "$e0" "$e1" > tr.tsv
    xrun pair-select --transitions tr.tsv --max-dist 100 --max-de 100 --no-frames --table p.tsv lib.xyz
    [ "$status" -eq 0 ]
    [ "$(col nij < p.tsv)" = 1125899906842624 ]
}

@test "pair-select: a transitions table without transitions (header alone) selects nothing" {
    # qsort(NULL, 0, ...): undefined behaviour, reported by UBSan
    library
    echo "$TRH" > tr.tsv
    xrun pair-select --transitions tr.tsv --table p.tsv lib.xyz
    [ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ]
    [ "$(cat p.tsv)" = "$(printf '#pair\ti\tj\tei\tej\tdE\tdist\tpr\tdmax\tnij\tnji')" ]
}

@test "is-sample: a run without any transition writes the header-only table cleanly" {
    # tk_transitions_write copied zero transitions from a NULL array
    # (memcpy(NULL, 0): UBSan made is-sample exit 1)
    conf-gen -N 150 --seed 3 | md-quench -T 0 --minimize > glass.xyz
    xrun is-sample -T 0.0001 --time 0.005 --every 0.005 --transitions tr.tsv -o m.bin glass.xyz
    [ "$status" -eq 0 ]
    [ "$(cat tr.tsv)" = "$(printf '#i\tj\tei\tej\tnij\tnji\tri\tki\trj\tkj')" ]
    [ "$(conf-info --no-header m.bin | wc -l)" -eq 1 ]
}

# ---------------------------------------------------------------- overlapping particles

@test "conf-info: overlapping particles are an error naming the frame and the pair, not epot=inf" {
    frame 3 10 "1 1 1 0.5" "1 1 1 0.5" "5 5 5 0.5" > ovl.xyz
    xrun conf-info ovl.xyz
    one_error "conf-info: ovl.xyz: frame 1: the energy is not finite: particles 1 and 2 overlap (distance 0"
    # in a stream: the frames before are printed, the bad one is not
    frame 2 10 "1 1 1 0.5" "2 1 1 0.5" > ok.xyz
    cat ok.xyz ovl.xyz > both.xyz
    xrun conf-info < both.xyz
    one_error "conf-info: stdin: frame 2: the energy is not finite: particles 1 and 2"
    [ "${#lines[@]}" -eq 2 ]
    # md-quench rejects the same frame
    xrun md-quench -T 0.1 ovl.xyz
    [ "$status" -eq 1 ]
}

@test "conf-modes: overlapping particles are refused before the eigensolver, without a leak" {
    frame 3 10 "1 1 1 0.5" "1 1 1 0.5" "5 5 5 0.5" > ovl.xyz
    xrun conf-modes ovl.xyz
    one_error "conf-modes: ovl.xyz: frame 1: the Hessian is not finite: particles 1 and 2 overlap"
    frame 3 10 "0 0 0 0.5" "1e-30 0 0 0.5" "5 5 5 0.5" > near.xyz
    xrun conf-modes near.xyz
    one_error "conf-modes: near.xyz: frame 1: the Hessian is not finite: particles 1 and 2 overlap"
}

# ---------------------------------------------------------------- degenerate systems

@test "conf-modes: one particle is an error; two give their modes, nan where there are none" {
    frame 1 10 "1 1 1 0.5" > one.xyz
    xrun conf-modes one.xyz
    one_error "conf-modes: one.xyz: frame 1: 1 particle: no pair, no vibration"
    # two interacting particles: 3 translations, the bond and two bends
    # (negative: repulsion, not a minimum), so l2 and l3 are not defined
    frame 2 10 "1 1 1 0.5" "2 1 1 0.5" > two.xyz
    xrun conf-modes two.xyz
    [ "$status" -eq 0 ] && [ -z "$stderr" ]
    [ "$(col nzero <<< "$output")" = 3 ] && [ "$(col nneg <<< "$output")" = 2 ]
    [ "$(col l2 <<< "$output")" = nan ] && [ "$(col l3 <<< "$output")" = nan ]
    close_to "$(col l1 <<< "$output")" 306.2579105 1e-8
    xrun conf-modes --eigenvalues two.xyz
    [ "${#lines[@]}" -eq 7 ]
}

@test "is-sample: a glass in which nothing interacts is refused, not 100 transitions between nothing" {
    # N = 2 in a box of 10: every configuration is a minimum of energy 0
    conf-gen -N 2 --rho 0.002 > n2.xyz
    # checked on the input frame, before any MD (tk_frame_interacting)
    xrun is-sample --runs 2 --time 2 --every 0.5 --transitions tr.tsv -o m.bin n2.xyz
    one_error "is-sample: n2.xyz: frame 1: no pair of particles interacts"
    [[ $stderr == *"(2 particles in a box of 10, none within the cutoff 1.25 sigma_ij of another)"* ]]
    [ ! -e tr.tsv ] && [ ! -e m.bin ]
    xrun is-sample --transitions tr.tsv -o m.bin < n2.xyz
    one_error "is-sample: stdin: frame 1: no pair of particles interacts"
    # one particle alike (this once copied from a NULL transitions array)
    frame 1 10 "1 1 1 0.5" > one.xyz
    xrun is-sample --time 0.5 --every 0.5 --transitions tr.tsv -o m.bin one.xyz
    one_error "is-sample: one.xyz: frame 1: no pair of particles interacts (1 particle in"
    # a glass that interacts is sampled as before
    conf-gen -N 100 --seed 3 > g.xyz
    is-sample --time 0.5 --every 0.5 --transitions tr.tsv -o m.bin g.xyz
    [ -s m.bin ] && [ -s tr.tsv ]
}

# ---------------------------------------------------------------- exact resume

@test "ipl-swapmc: an interrupted and resumed chain is byte-identical to an uninterrupted one, history included" {
    # after --resume the frames recorded the resume command as history
    conf-gen -N 150 --seed 8 > start.xyz
    n=$((20000 / SLOW))
    mkdir ref run
    cp start.xyz ref/
    cp start.xyz run/
    args=(-T 0.15 --sweeps "$n" --every $((n / 10)) --seed 4 --checkpoint-every 0.05 --checkpoint ck -o out.xyz start.xyz)
    (cd ref && ipl-swapmc "${args[@]}")
    cd run
    ipl-swapmc "${args[@]}" 2> err &
    pid=$!
    for k in $(seq 300); do [ -e ck ] && break; sleep 0.1; done
    kill -INT $pid 2> /dev/null || true
    st=0
    wait $pid || st=$?
    if [ "$st" -eq 0 ]; then skip "the run finished before the interrupt (machine too fast)"; fi
    [ "$st" -eq 1 ]
    [ -e out.xyz.partial ] && [ ! -e out.xyz ]
    ipl-swapmc --resume ck --sweeps "$n" -o out.xyz --checkpoint ck
    cmp ../ref/out.xyz out.xyz
    # and once more: a resumed chain resumed again keeps the first command
    grep -q "history=\"conf-gen -N 150 --seed 8 | ipl-swapmc -T 0.15 --sweeps $n " out.xyz
    ipl-swapmc --resume ck --sweeps $((n + n / 10)) -o out.xyz --checkpoint ck
    [ "$(grep -c "history=\"conf-gen -N 150 --seed 8 | ipl-swapmc -T 0.15 --sweeps $n " out.xyz)" -eq 11 ]
    [ "$(grep -c resume out.xyz)" -eq 0 ]
}
