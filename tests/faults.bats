#!/usr/bin/env bats
# faults.bats - fault injection: kill -9 at seeded random points of a swap-MC
# chain with a checkpoint and of a small run of the pipeline, then resume;
# the final files must be byte-identical to an uninterrupted run's, and no
# temporary file may be left behind.  The kill points are drawn from
# FAULT_SEED (default 12; the seed is printed when a test fails): a point is
# a stage to wait for (a file appearing) plus a random delay, so the same
# seed interrupts the same stages, at times that vary with the machine's load.

load helpers

TOP="$BATS_TEST_DIRNAME/.."

setup() {
    cd "$BATS_TEST_TMPDIR" || return 1
    SEED=${FAULT_SEED:-12}
    RANDOM=$SEED
    echo "# FAULT_SEED=$SEED"
}

# wait until file $1 exists (at most $2 seconds, or until process $3, if
# given, has ended); 1 if it never does
wait_for() {
    local k
    for ((k = 0; k < $2 * 20; k++)); do
        [ -e "$1" ] && return 0
        [ -z "${3:-}" ] || kill -0 "$3" 2> /dev/null || return 1
        sleep 0.05
    done
    return 1
}

# run "$@" in a process group of its own, kill -9 the group when file $1
# appears plus a random delay of 0 .. $2 ms; status in $killed (1 if killed, 0 if the
# command had finished first)
kill_at() {
    local file=$1 ms=$((RANDOM % ($2 + 1)))
    shift 2
    setsid "$@" > /dev/null 2>> faults.log &
    local pid=$!
    wait_for "$file" 120 "$pid" || true
    sleep "$(printf '0.%03d' "$ms")"
    killed=0
    if kill -9 -- -"$pid" 2> /dev/null; then killed=1; fi
    { wait "$pid"; } 2> /dev/null || true
    echo "kill -9 at $file + $ms ms: killed=$killed" >> faults.log
}

# temporaries and partial outputs under $1
leftovers() {
    find "$1" \( -name '*.tmp*' -o -name '*.partial' -o -name '*.new' \) -print
}

@test "outputs: a temporary left by a process killed outright is removed when the output is written again" {
    frame() { printf '1\nLattice="2 0 0 0 2 0 0 0 2" Properties=species:S:1:pos:R:3:radius:R:1\nAr 1 1 1 0.5\n'; }
    frame > a.xyz
    # a PID that is gone, a zombie (killed, its parent not waiting for it:
    # as when make and its jobs are killed together), a running process
    (exit 0) &
    dead=$!
    wait "$dead"
    bash -c 'sleep 30 & echo $! > z.tmp; mv z.tmp z; exec sleep 30' &
    holder=$!
    wait_for z 10
    zombie=$(cat z)
    kill -9 "$zombie"
    for ((k = 0; k < 100; k++)); do
        [ "$(awk '{ print $3 }' "/proc/$zombie/stat" 2> /dev/null)" = Z ] && break
        sleep 0.05
    done
    sleep 30 &
    live=$!
    touch b.xyz.tmp$dead b.xyz.tmp$zombie b.xyz.tmp$live b.xyz.tmpx b.xyz.tmp$$.png
    conf-convert -o b.xyz a.xyz
    kill "$holder" "$live"
    diff <(conf-convert a.xyz) b.xyz
    [ ! -e b.xyz.tmp$dead ] && [ ! -e b.xyz.tmp$zombie ]
    # not ours to remove: a running writer's, and other names
    [ -e b.xyz.tmp$live ] && [ -e b.xyz.tmpx ] && [ -e b.xyz.tmp$$.png ]
}

@test "ipl-swapmc: kill -9 at random points, --resume: the chain is byte-identical to an uninterrupted one" {
    conf-gen -N 150 --seed 8 > start.xyz
    n=$((20000 / SLOW))
    args=(-T 0.15 --sweeps "$n" --every $((n / 10)) --seed 4 --checkpoint-every 0.02
          --checkpoint ck -o out.xyz)
    mkdir ref run
    (cd ref && ipl-swapmc "${args[@]}" ../start.xyz)
    cd run
    # three kills: the first may come before any checkpoint (start afresh)
    kills=0
    for round in 1 2 3; do
        if [ -e ck ]; then
            cmd=(ipl-swapmc --resume ck --sweeps "$n" --checkpoint-every 0.02 --checkpoint ck
                 -o out.xyz)
        else
            cmd=(ipl-swapmc "${args[@]}" ../start.xyz)
        fi
        # the chain runs about a second: kill it within half a second of
        # the output's first frame
        kill_at out.xyz.partial 500 "${cmd[@]}"
        kills=$((kills + killed))
    done
    cat faults.log
    [ "$kills" -ge 1 ] || skip "every run finished before its kill (machine too fast)"
    if [ -e ck ]; then
        ipl-swapmc --resume ck --sweeps "$n" --checkpoint-every 0.02 --checkpoint ck -o out.xyz
    else
        ipl-swapmc "${args[@]}" ../start.xyz
    fi
    cmp ../ref/out.xyz out.xyz
    cmp ../ref/ck ck
    [ -z "$(leftovers .)" ] || { echo "left behind: $(leftovers .)"; false; }
}

# the pipeline at its smallest: pipelines/params/tiny.mk, one Tf (the
# cheaper), two glasses, two runs, two NEB chunks: every stage, a CPU second
pipe() {
    make --no-print-directory -s -f "$TOP/pipelines/tls.mk" SCALE=tiny BIN="$TLSKIT_BIN" \
        TFS=0.15 OUT=out -j2 "$@"
}

# every file of a run but the logs (they hold timings)
files() {
    (cd "$1" && find . -type f ! -name '*.log' | sort)
}

@test "pipeline: kill -9 of make and its jobs at random stages, make again: the same files, no temporary left" {
    [ "$SLOW" -eq 1 ] || skip "the pipeline runs every stage: too slow under the sanitisers"
    mkdir ref run
    (cd ref && pipe > /dev/null)
    cd run
    # two kill points: stages drawn at random, in the order the run makes them
    stages=(Tf0.15/chain.xyz.partial Tf0.15/glasses.xyz Tf0.15/g1/run0.bin Tf0.15/g2/minima.bin
            Tf0.15/g1/pairs.xyz Tf0.15/g1/bands1.bin Tf0.15/g2/dwps.txt Tf0.15/density.tsv)
    a=$((RANDOM % 4)) b=$((4 + RANDOM % 4)) kills=0
    for s in "${stages[a]}" "${stages[b]}"; do
        kill_at "out/$s" 300 bash -c "$(declare -f pipe); TOP='$TOP' TLSKIT_BIN='$TLSKIT_BIN' pipe"
        kills=$((kills + killed))
    done
    cat faults.log
    [ "$kills" -ge 1 ] || skip "both runs finished before their kill (machine too fast)"
    pipe > /dev/null
    [ -z "$(leftovers out)" ] || { echo "left behind: $(leftovers out)"; false; }
    diff <(files ../ref/out) <(files out)
    for f in $(files out); do
        cmp "../ref/out/$f" "out/$f"
    done
}
