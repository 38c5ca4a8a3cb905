#!/usr/bin/env bats
# The make-driven pipeline (pipelines/tls.mk) at the tiny scale: every stage
# end to end, restart after an interruption, make -j2 = make -j1, and the
# glasses stage done by LAMMPS (pipelines/lammps/quench.lmp).

load helpers

TOP="$BATS_TEST_DIRNAME/.."
pipe() { make --no-print-directory -s -f "$TOP/pipelines/tls.mk" SCALE=tiny BIN="$TLSKIT_BIN" "$@"; }

# the science outputs (no frame histories: those name the output paths)
results() {
    for f in $(cd "$1" && find . -name 'density.tsv' -o -name 'curve.tsv' -o -name 'transitions.tsv' \
               -o -name 'dwps.txt' -o -name 'tls.tsv' -o -name 'pairs.tsv' | sort); do
        echo "== $f"; cat "$1/$f"
    done
}

setup_file() {
    [ "${SLOW:-1}" -eq 1 ] || return 0
    cd "$BATS_FILE_TMPDIR"
    make --no-print-directory -s -f "$BATS_TEST_DIRNAME/../pipelines/tls.mk" SCALE=tiny \
        BIN="$TLSKIT_BIN" OUT=ref -j1 > ref.out 2>&1
}

setup() {
    [ "$SLOW" -eq 1 ] || skip "the pipeline runs every stage: too slow under the sanitisers"
    cd "$BATS_FILE_TMPDIR"
}

@test "the tiny pipeline runs every stage and ends with the figure and the TLS table" {
    cat ref.out
    for tf in 0.2 0.15; do
        for f in params.txt chain.xyz glasses.xyz density.tsv curve.tsv hist.tsv \
                 g1/glass.xyz g1/run0.bin g1/run1.tsv g1/minima.bin g1/transitions.tsv g1/pairs.xyz \
                 g1/bands0.bin g1/bands1.bin g1/dwps.txt g1/tls.tsv g2/tls.tsv; do
            [ -e "ref/Tf$tf/$f" ] || { echo "missing ref/Tf$tf/$f"; false; }
        done
        [ "$(conf-info --no-header ref/Tf$tf/glasses.xyz | wc -l)" -eq 2 ]
        [ -s "ref/Tf$tf/g1/tls.tsv" ] && [ -s "ref/Tf$tf/density.tsv" ]
        # the glasses carry their fictive temperature
        grep -q " Tf=$tf" ref/Tf$tf/g1/glass.xyz
        # logs beside the outputs; parameters and versions recorded
        [ -e "ref/Tf$tf/g1/minima.bin.log" ]
        grep -q "is-sample (tlskit)" "ref/Tf$tf/params.txt"
    done
    [ -s ref/nE.png ] && [ -s ref/n0.png ] && [ -s ref/hist.png ] && [ -s ref/pr.png ]
    head -c 8 ref/n0.png | od -c | grep -q 'P   N   G'
    head -c 8 ref/nE.png | od -c | grep -q 'P   N   G'
    head -1 ref/tls.tsv | grep -q '^#Tf'
    # the minima of the DWPs with dV <= MINIMA_DV (0.002): two frames each
    want=$(cat ref/Tf0.2/g*/dwps.txt | sed -n 's/^# id=.* dV=\([^ ]*\) .*/\1/p' | awk '$1 <= 0.002' | wc -l)
    got=$(cat ref/Tf0.2/g*/dwp-minima.bin | conf-info --no-header 2> /dev/null | wc -l)
    [ "$got" -eq $((2 * want)) ]
    # the distinct defects per Tf (pipelines/defects.sh), one row each, the
    # same as the script over the whole output; and in the summary
    for tf in 0.2 0.15; do
        [ "$(grep -vc '^#' ref/Tf$tf/defects.tsv)" -eq 1 ]
    done
    bash "$BATS_TEST_DIRNAME/../pipelines/defects.sh" ref 4000 > defects.tsv 2> /dev/null
    diff <(grep -v '^#' defects.tsv | sort) <(cat ref/Tf0.2/defects.tsv ref/Tf0.15/defects.tsv | grep -v '^#' | sort)
    grep -q '^Tf .* TLS  *defects  *n0' ref/summary.txt
}

@test "make again does nothing; an interrupted run resumes to the same results" {
    # nothing is redone: no file changes (the per-glass frames are compared,
    # not rewritten)
    touch marker
    sleep 1
    pipe OUT=ref -j1 all > again.out 2>&1
    changed=$(find ref -type f -newer marker)
    [ -z "$changed" ] || { echo "changed: $changed"; cat again.out; false; }
    # interrupt a fresh run part way, then finish it
    ( pipe OUT=int -j1 > /dev/null 2>&1 & echo $! > pid; wait ) &
    sleep 4
    pkill -TERM -P "$(cat pid)" 2> /dev/null || true
    kill -TERM "$(cat pid)" 2> /dev/null || true
    wait
    # no half-written outputs were left under their final names
    for f in $(find int -name '*.tmp*' -o -name '*.partial' 2> /dev/null); do echo "left: $f"; done
    pipe OUT=int -j1
    diff <(results ref) <(results int)
}

@test "make -j2 gives the same results as -j1" {
    pipe OUT=par -j2
    diff <(results ref) <(results par)
}

# the commands make would run (dry run), one program name per line
would_run() { pipe "$@" -n 2>&1 | grep -oE '(^|[|] *)(ipl-swapmc|md-quench|is-sample|is-merge|pair-select|neb-ci|dwp-split|schrod1d|tls-density)( |$)' | grep -oE '[a-z0-9-]+' | sort | uniq -c; }

@test "the run ends with a summary table per Tf" {
    grep -q '^Tf  *glasses  *minima' ref.out
    grep -qE '^0\.2 +2 ' ref.out
    grep -q '^figures: ' ref.out
    [ -s ref/summary.txt ]
}

@test "results/collect.sh keeps the small tables of a run, per glass and per Tf" {
    bash "$BATS_TEST_DIRNAME/../results/collect.sh" ref col
    for tf in 0.2 0.15; do
        for f in density.tsv curve.tsv hist.tsv growth.tsv params.txt split.tsv glasses.tsv \
                 defects.tsv chain.tsv overlap.tsv; do
            [ -s "col/Tf$tf/$f" ] || { echo "missing col/Tf$tf/$f"; false; }
        done
        # a row per finished glass; their defects are the pipeline's per Tf
        [ "$(grep -vc '^#' col/Tf$tf/glasses.tsv)" -eq 2 ]
        head -1 col/Tf$tf/glasses.tsv | grep -q 'tls.tls_4000.defects.uncompared$'
        diff col/Tf$tf/defects.tsv ref/Tf$tf/defects.tsv
        # the chain: one row per frame, q with the previous one in [0, 1]
        [ "$(grep -vc '^#' col/Tf$tf/chain.tsv)" -eq "$(grep -c '^150$' ref/Tf$tf/chain.xyz)" ]
        awk -F'\t' 'NR > 2 && !($4 >= 0 && $4 <= 1) { bad = 1 } END { exit bad }' col/Tf$tf/chain.tsv
    done
    [ -s col/tls.tsv ] && [ -s col/summary.txt ]
    [ -z "$(find col -name '*.xyz' -o -name '*.bin')" ]
}

@test "a changed parameter redoes exactly the stages that depend on it" {
    cp -a ref chg
    out=$(would_run OUT=chg MASS=30000 all)
    echo "$out"
    [[ "$out" == *schrod1d* ]] && [[ "$out" == *tls-density* ]]
    [[ "$out" != *is-sample* ]] && [[ "$out" != *neb-ci* ]] && [[ "$out" != *pair-select* ]] &&
        [[ "$out" != *ipl-swapmc* ]]
    pipe OUT=chg MASS=30000 all > /dev/null
    grep -q 'MASS=30000' chg/Tf0.2/params.txt
    awk -F'\t' 'NR > 1 && $2 != 30000 { bad = 1 } END { exit bad }' chg/Tf0.2/g1/tls.tsv
    # and back: the old parameter is a change too
    pipe OUT=chg all > /dev/null
    diff <(results ref) <(results chg)
}

@test "a deleted file is made again, with what depends on it" {
    cp -a ref del
    rm del/Tf0.2/density.tsv
    out=$(would_run OUT=del all)
    [[ "$out" == *tls-density* ]] && [[ "$out" != *schrod1d* ]]
    rm del/Tf0.15/g1/pairs.xyz
    out=$(would_run OUT=del all)
    echo "$out"
    [[ "$out" == *pair-select* ]] && [[ "$out" == *neb-ci* ]] && [[ "$out" == *dwp-split* ]]
    [[ "$out" != *is-sample* ]]
    pipe OUT=del all > /dev/null
    diff <(results ref) <(results del)
}

@test "a failing step says why: the end of its log" {
    cp -a ref bad
    run pipe OUT=bad PAIR_OPTS=--no-such-option all
    [ "$status" -ne 0 ]
    [[ "$output" == *"failed; the end of"*"pairs.xyz.log"* ]]
    [[ "$output" == *"no-such-option"* ]]
}

@test "a pipe fails when any of its stages fails (pipefail), and nothing is left half made" {
    mkdir -p short/Tf0.2
    cp ref/Tf0.2/params.txt short/Tf0.2/
    cp -a ref/Tf0.2/.stamps short/Tf0.2/
    # a chain with one frame fewer than the glasses need
    conf-convert --frames 1:2 ref/Tf0.2/chain.xyz > short/Tf0.2/chain.xyz
    touch -d '+1 hour' short/Tf0.2/chain.xyz
    run pipe OUT=short short/Tf0.2/glasses.xyz
    [ "$status" -ne 0 ]
    [[ "$output" == *"asked for, but the input holds 2 frames"* ]]
    [ ! -e short/Tf0.2/glasses.xyz ]
    # and it fails the same way again instead of going on from an empty file
    run pipe OUT=short short/Tf0.2/g1/glass.xyz
    [ "$status" -ne 0 ]
}

# last: it extends ref in place (frame histories name the output directory,
# so a copy of ref elsewhere would not be the same pipeline)
@test "adding glasses explores only the new ones" {
    touch marker
    sleep 1
    pipe OUT=ref GLASSES=3 all > /dev/null
    [ -e ref/Tf0.2/g3/tls.tsv ] && [ -e ref/Tf0.15/g3/tls.tsv ]
    for f in ref/Tf0.2/g1/run0.bin ref/Tf0.2/g2/bands0.bin ref/Tf0.15/g1/glass.xyz; do
        if [ "$f" -nt marker ]; then echo "redone: $f"; false; fi
    done
    [ "$(conf-info --no-header ref/Tf0.2/glasses.xyz | wc -l)" -eq 3 ]
}

# after "adding glasses": ref's chain then holds a third glass's frames,
# which this test does not use (frames 3:4 are the glasses of GLASSES=2)
@test "the glasses stage done by LAMMPS (pipelines/lammps/quench.lmp), and the pipeline goes on from it" {
    command -v lmp > /dev/null || skip "lmp (Debian lammps) not installed"
    mkdir -p lmp/Tf0.2 && cp ref/Tf0.2/chain.xyz lmp/Tf0.2/
    cd lmp
    # the frames md-quench would quench (EQ / SPACING + 1 .. + GLASSES), one
    # data file each, and the model tabulated per diameter bin (64 types)
    conf-convert --frames 3:4 -t lammps --pair-table ipl --split 'in%d.data' Tf0.2/chain.xyz
    [ -s in1.data ] && [ -s in2.data ] && [ ! -e in3.data ] && [ -s ipl/pair.lmp ] && [ -s ipl/64_64.table ]
    # md-quench -T 0.04 --time 1 (T_MD, QUENCH_TIME of the tiny scale) in LAMMPS
    for k in 1 2; do
        lmp -log quench$k.log -screen none -in "$TOP/pipelines/lammps/quench.lmp" -var in in$k.data \
            -var out out$k.data -var pair ipl/pair.lmp -var T 0.04 -var time 1 -var seed $k
    done
    conf-convert --set Tf=0.2 --set stage=lammps out1.data out2.data > Tf0.2/glasses.xyz
    # its trajectory, when asked for, is a stream too: steps 0, 100, 200, the
    # last one the glass
    lmp -log none -screen none -in "$TOP/pipelines/lammps/quench.lmp" -var in in1.data \
        -var out again1.data -var pair ipl/pair.lmp -var T 0.04 -var time 1 -var seed 1 \
        -var every 100 -var traj traj1.dump
    cmp out1.data again1.data
    [ "$(conf-info --no-header traj1.dump | wc -l)" -eq 3 ]
    conf-convert --frames 3:3 traj1.dump | conf-diff -r out1.data --no-header | cut -f3 | grep -qx 0
    # really quenched by the model: LAMMPS's last energy is the exact model's
    # energy of its glass to the tabulation's error, well below the chain's
    for k in 1 2; do
        pe=$(awk '/^ *Step /{ s = 1; next } s && /^Loop/ { exit } s { e = $3 } END { print e }' quench$k.log)
        e=$(conf-convert --frames $k:$k Tf0.2/glasses.xyz | conf-info | col epot)
        e0=$(conf-convert --frames $((k + 2)):$((k + 2)) Tf0.2/chain.xyz | conf-info | col epot)
        echo "glass $k: LAMMPS $pe, exact model $e, chain frame $e0"
        close_to "$pe" "$e" 0.005
        awk -v e="$e" -v e0="$e0" 'BEGIN { exit !(e < e0 - 0.1) }'
    done
    cd ..
    # the rest of the pipeline from LAMMPS's glasses: the chain is not rerun
    pipe OUT=lmp lmp/Tf0.2/density.tsv
    grep -q 'stage=lammps' lmp/Tf0.2/g1/glass.xyz && grep -q 'stage=lammps' lmp/Tf0.2/g2/glass.xyz
    [ -s lmp/Tf0.2/g1/minima.bin ] && [ -s lmp/Tf0.2/g2/tls.tsv ] && [ -s lmp/Tf0.2/density.tsv ]
    [ "$(conf-info --no-header lmp/Tf0.2/g1/minima.bin | wc -l)" -ge 2 ]
    cmp ref/Tf0.2/chain.xyz lmp/Tf0.2/chain.xyz
    [ ! -e lmp/Tf0.2/glasses.xyz.log ]
}
