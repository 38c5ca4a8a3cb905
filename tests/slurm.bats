#!/usr/bin/env bats
# pipelines/tls.mk on a real SLURM scheduler (pipelines/slurm/).  This file
# starts a one-node SLURM of its own: Debian's munged, slurmctld and slurmd
# (make deps installs them), run directly as root (no systemd) on a
# slurm.conf written into a temporary directory with its own ports, state
# and spool directories, proctrack/linuxproc and task/none (SLURM signals
# only its jobs' own processes).  Through it, the tiny pipeline as a user runs
# it (pipelines/slurm/tls.sbatch: make in a job, every heavy step a job of its
# own): the driver cancelled, a step's job cancelled with scancel, the
# pipeline submitted again; every file compared with the same pipeline run
# without SLURM, byte for byte.  The job log (jobcomp/filetxt; sacct needs
# slurmdbd and a database) shows which jobs ran.  teardown_file stops the
# daemons whatever happened.  Not root, or the sanitiser build: every test is
# skipped saying why (in CI, as root, it runs; in CI not as root, it fails).

load helpers

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
BIN=${TLSKIT_BIN:-$TOP/bin}

pipe() { make --no-print-directory -s -f "$TOP/pipelines/tls.mk" SCALE=tiny BIN="$BIN" "$@"; }

setup_file() {
    NOSLURM=
    if [ "$SLOW" -ne 1 ]; then
        NOSLURM="the pipeline runs every stage: too slow under the sanitisers"
    elif [ "$(id -u)" != 0 ]; then
        NOSLURM="not root: munged, slurmctld and slurmd must be started as root (run make test as root, as CI does)"
        if [ "${CI:-}" = true ]; then
            echo "# slurm.bats: in CI, $NOSLURM" >&3
            return 1
        fi
    fi
    export NOSLURM
    if [ -n "$NOSLURM" ]; then
        echo "# slurm.bats: every test skipped: $NOSLURM" >&3
        return 0
    fi
    local p
    for p in munged mungekey slurmctld slurmd sbatch scancel squeue sinfo scontrol python3; do
        command -v $p > /dev/null || {
            echo "# slurm.bats: $p not found: make deps installs munge, slurmctld, slurmd, slurm-client" >&3
            return 1
        }
    done
    start_slurm || return 1
    # the reference: the same pipeline without SLURM
    mkdir -p "$BATS_FILE_TMPDIR/plain" "$BATS_FILE_TMPDIR/slurm"
    (cd "$BATS_FILE_TMPDIR/plain" && pipe OUT=tiny -j2 < /dev/null > make.out 2>&1) || {
        sed 's/^/# /' "$BATS_FILE_TMPDIR/plain/make.out" >&3
        return 1
    }
}

# the daemons, each told where everything is (SLURM_CONF for every command)
start_slurm() {
    local v p1 p2 i
    # an outer SLURM's environment (make test inside a job) is not ours
    for v in $(compgen -e); do
        case $v in SLURM_* | SBATCH_* | SALLOC_* | SRUN_*) unset "$v" ;; esac
    done
    S=$(mktemp -d /tmp/tlskit-slurm.XXXXXX) || return 1 # short: the socket path
    echo "$S" > "$BATS_FILE_TMPDIR/slurm-dir"
    export S SLURM_CONF=$S/slurm.conf
    mkdir -p "$S/munge" "$S/state" "$S/spool"
    chmod 755 "$S" "$S/munge"
    mungekey -c -k "$S/munge/munge.key" &&
        munged --force --socket="$S/munge/socket" --key-file="$S/munge/munge.key" \
            --pid-file="$S/munged.pid" --log-file="$S/munged.log" --seed-file="$S/munge/seed" \
            < /dev/null > "$S/munged.out" 2>&1 3>&- || {
        echo "# slurm.bats: munged did not start:" >&3
        cat "$S/munged.out" "$S/munged.log" 2> /dev/null | sed 's/^/#   /' >&3
        return 1
    }
    # two free ports
    read -r p1 p2 < <(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
    cat > "$SLURM_CONF" << EOF
ClusterName=tlskit
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmctldPort=$p1
SlurmdPort=$p2
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$S/munge/socket
StateSaveLocation=$S/state
SlurmdSpoolDir=$S/spool
SlurmctldPidFile=$S/slurmctld.pid
SlurmdPidFile=$S/slurmd.pid
SlurmctldLogFile=$S/slurmctld.log
SlurmdLogFile=$S/slurmd.log
# only the jobs' own processes are tracked and signalled; no cgroups
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
# the job log: one line per finished job (name, state, requests)
JobCompType=jobcomp/filetxt
JobCompLoc=$S/jobcomp.log
SchedulerType=sched/builtin
# a job submitted is started at once, not up to 3 s later
SchedulerParameters=batch_sched_delay=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
MpiDefault=none
ReturnToService=2
# sbatch --wait polls every 2 s when MinJobAge < 5 (else 2, 8, 32 s)
MinJobAge=4
KillWait=5
InactiveLimit=0
# 4 CPUs on a machine of 2: the driver and 3 steps at once (config_overrides)
SlurmdParameters=config_overrides
NodeName=tlsnode NodeAddr=127.0.0.1 CPUs=4 RealMemory=4000 State=UNKNOWN
PartitionName=tlskit Nodes=tlsnode Default=YES MaxTime=INFINITE State=UP
EOF
    slurmctld < /dev/null > "$S/slurmctld.out" 2>&1 3>&- &&
        slurmd -N tlsnode < /dev/null > "$S/slurmd.out" 2>&1 3>&- || {
        echo "# slurm.bats: slurmctld or slurmd did not start:" >&3
        tail -n 20 "$S"/*.out "$S"/*.log 2> /dev/null | sed 's/^/#   /' >&3
        return 1
    }
    for ((i = 0; i < 120; i++)); do
        [ "$(sinfo -h -n tlsnode -o %T 2> /dev/null)" = idle ] && break
        sleep 0.5
    done
    if [ "$(sinfo -h -n tlsnode -o %T 2> /dev/null)" != idle ] ||
        ! (cd "$S" && timeout 120 sbatch --wait -Q -o /dev/null --wrap true < /dev/null 3>&-); then
        echo "# slurm.bats: SLURM started but runs no job:" >&3
        sinfo 2>&1 | sed 's/^/#   /' >&3
        tail -n 20 "$S/slurmctld.log" "$S/slurmd.log" | sed 's/^/#   /' >&3
        return 1
    fi
}

# end a daemon of ours by its pid file (and only if it is that daemon)
stop_daemon() { # PIDFILE NAME
    local p i
    [ -s "$1" ] || return 0
    p=$(cat "$1")
    [ "$(cat /proc/$p/comm 2> /dev/null)" = "$2" ] || return 0
    kill -TERM "$p" 2> /dev/null
    for ((i = 0; i < 40; i++)); do
        kill -0 "$p" 2> /dev/null || return 0
        sleep 0.25
    done
    kill -KILL "$p" 2> /dev/null
}

teardown_file() {
    local i
    S=${S:-$(cat "$BATS_FILE_TMPDIR/slurm-dir" 2> /dev/null)}
    [ -n "$S" ] && [ -d "$S" ] || return 0
    export SLURM_CONF=$S/slurm.conf
    # no job of ours left running, then the daemons
    if [ -s "$S/slurmctld.pid" ]; then
        timeout 20 scancel --user="$(id -un)" 2> /dev/null
        for ((i = 0; i < 40; i++)); do
            [ -z "$(timeout 10 squeue -h -o %i 2> /dev/null)" ] && break
            sleep 0.5
        done
        timeout 20 scontrol shutdown > /dev/null 2>&1
    fi
    stop_daemon "$S/slurmd.pid" slurmd
    stop_daemon "$S/slurmctld.pid" slurmctld
    stop_daemon "$S/munged.pid" munged
    rm -rf "$S"
}

setup() {
    [ -z "$NOSLURM" ] || skip "$NOSLURM"
    cd "$BATS_FILE_TMPDIR/slurm"
}

# the jobs that ended after line N of the job log: NAME STATE, one a line
joblog() {
    awk -v from="${1:-0}" 'NR > from { n = s = ""
        for (i = 1; i <= NF; i++) { if ($i ~ /^Name=/) n = substr($i, 6); if ($i ~ /^JobState=/) s = substr($i, 10) }
        print n, s }' "$S/jobcomp.log"
}

# the job log's line of job ID, once the job has ended (within T seconds)
ended() { # ID [T]
    local i
    for ((i = 0; i < ${2:-600} * 2; i++)); do
        grep "^JobId=$1 " "$S/jobcomp.log" 2> /dev/null && return 0
        sleep 0.5
    done
    echo "job $1 still not ended after ${2:-600} s:"
    squeue
    return 1
}
state_of() { grep -oE 'JobState=[A-Z_]+' | cut -d= -f2; }

# the id of the job named NAME once it runs; fails when job DRIVER ends first
running() { # NAME DRIVER
    local id i
    for ((i = 0; i < 1200; i++)); do
        id=$(squeue -h -t R -n "$1" -o %i)
        [ -n "$id" ] && { echo "$id"; return 0; }
        if grep -q "^JobId=$2 " "$S/jobcomp.log" 2> /dev/null; then
            echo "the pipeline ended before job $1 ran:" >&2
            cat tls-make-$2.log >&2
            return 1
        fi
        sleep 0.5
    done
    echo "job $1 never ran" >&2
    return 1
}

# submit the pipeline as a user does: make in a job of its own (one CPU here),
# up to 3 step jobs at once; HOLD, a pattern of job names, keeps those jobs
# running (they sleep before their command) until they are cancelled
submit() { # [HOLD]
    local setup=
    [ -n "${1:-}" ] && setup="case \$SLURM_JOB_NAME in $1) sleep 600 ;; esac"
    TLS_JOB_SETUP=$setup TLSKIT=$TOP JOBS=3 sbatch --parsable -c1 --mem=400M --time=0:30:00 \
        "$TOP/pipelines/slurm/tls.sbatch" SCALE=tiny OUT=tiny BIN="$BIN" < /dev/null 3>&-
}

# the names of the step jobs of the tiny pipeline (2 Tf, 2 glasses, 2 runs,
# 2 NEB chunks): STAGE:FILE, sorted
step_jobs() {
    local tf g k
    for tf in 0.2 0.15; do
        echo "chain:Tf$tf/chain.xyz"
        echo "quench:tiny/Tf$tf/glasses.xyz"
        for g in 1 2; do
            for k in 0 1; do echo "sample:tiny/Tf$tf/g$g/run$k.bin"; done
            for k in 0 1; do echo "neb:tiny/Tf$tf/g$g/bands$k.bin"; done
            echo "split:tiny/Tf$tf/g$g/dwps.txt"
        done
    done | sort
}

@test "the tiny pipeline through SLURM, its driver and one step's job cancelled, submitted again: every file as without SLURM" {
    # 1. the pipeline's own job (make) cancelled while the chains' jobs run:
    #    they are cancelled with it
    drv=$(submit 'chain:*')
    step1=$(running chain:Tf0.2/chain.xyz "$drv")
    step2=$(running chain:Tf0.15/chain.xyz "$drv")
    scancel "$drv"
    [ "$(ended "$drv" 60 | state_of)" = CANCELLED ]
    [ "$(ended "$step1" 60 | state_of)" = CANCELLED ]
    [ "$(ended "$step2" 60 | state_of)" = CANCELLED ]
    for ((i = 0; i < 60; i++)); do [ -z "$(squeue -h -o %i)" ] && break; sleep 0.5; done
    [ -z "$(squeue -h -o %i)" ] || { squeue; false; }

    # 2. submitted again, and one step's job cancelled with scancel: make
    #    (-k) fails that file and finishes the rest
    hold=sample:tiny/Tf0.2/g1/run1.bin
    drv=$(submit "$hold")
    step=$(running "$hold" "$drv")
    scancel "$step"
    [ "$(ended "$step" 60 | state_of)" = CANCELLED ]
    [ "$(ended "$drv" 600 | state_of)" = FAILED ]
    cat tls-make-$drv.log
    grep -q 'making tiny/Tf0.2/g1/run1.bin failed' tls-make-$drv.log
    grep -q "job $step (.*) failed: JobState=CANCELLED" tiny/Tf0.2/g1/run1.bin.log
    [ ! -e tiny/Tf0.2/g1/run1.bin ]
    [ -s tiny/Tf0.2/g2/tls.tsv ] && [ -s tiny/Tf0.15/density.tsv ]
    n=$(wc -l < "$S/jobcomp.log")

    # 3. submitted again: it goes on from where it stopped, submitting only
    #    the cancelled run and what needs it (the NEB and dwp-split of its glass)
    drv=$(submit)
    [ "$(ended "$drv" 600 | state_of)" = COMPLETED ] || { cat tls-make-$drv.log; false; }
    cat tls-make-$drv.log
    diff <(joblog "$n" | sort) <(printf '%s COMPLETED\n' tls-make sample:tiny/Tf0.2/g1/run1.bin \
        neb:tiny/Tf0.2/g1/bands0.bin neb:tiny/Tf0.2/g1/bands1.bin split:tiny/Tf0.2/g1/dwps.txt | sort)
    grep -q '^Tf  *glasses  *minima' tls-make-$drv.log

    # every file the same bytes as without SLURM (the logs time the steps)
    diff -r -x '*.log' ../plain/tiny tiny
    # and every log there (no job's directory left behind)
    diff <(cd ../plain/tiny && find . | sort) <(cd tiny && find . | sort)
}

@test "the job log: every step of the pipeline ran as a job of its own, with its stage's requests" {
    [ -s "$S/jobcomp.log" ]
    # each step job finished once (a cancelled one ran again), nothing else
    diff <(joblog | awk '$2 == "COMPLETED" && $1 != "tls-make" && $1 != "wrap" { print $1 }' | sort) <(step_jobs)
    # the requests of tiny.mk (SLURM_<stage>: 1 CPU, 200 MB) for each step,
    # the driver's own (1 CPU, 400 MB)
    [ -z "$(grep 'Name=[a-z]*:' "$S/jobcomp.log" | grep -v 'Tres=cpu=1,mem=200M,')" ]
    [ -z "$(grep 'Name=tls-make ' "$S/jobcomp.log" | grep -v 'Tres=cpu=1,mem=400M,')" ]
    # the steps' logs were written by the jobs, beside their files
    grep -q 'is-sample: run 1/1' tiny/Tf0.2/g1/run1.bin.log
    [ -s tiny/Tf0.15/g2/dwps.txt.log ]
}
