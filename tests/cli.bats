#!/usr/bin/env bats
# cli.bats - the command-line conventions every tlskit program keeps
# (lib/err.h, lib/cli.h): --help and --version, usage errors (exit 2),
# write errors (exit 1), atomic -o outputs, reproducible random output.
# The per-program tests loop over every executable in $TLSKIT_BIN, so a new
# program is covered as soon as it is built.

bats_require_minimum_version 1.5.0
load helpers

setup() {
    cd "$BATS_TEST_TMPDIR" || return 1
}

# every program in $TLSKIT_BIN, one per line; fails if there are none
programs() {
    local p n=0
    for p in "$TLSKIT_BIN"/*; do
        [ -f "$p" ] && [ -x "$p" ] || continue
        basename "$p"
        n=$((n + 1))
    done
    [ "$n" -gt 0 ]
}

# xrun_to DEST CMD...: run CMD with stdout to DEST (e.g. /dev/full); sets
# status, stderr and stderr_lines.
xrun_to() {
    local dest=$1 errf=$BATS_TEST_TMPDIR/.stderr
    shift
    status=0
    "$@" > "$dest" 2> "$errf" || status=$?
    mapfile -t stderr_lines < "$errf"
    IFS= read -r -d '' stderr < "$errf" || true
    stderr=${stderr%$'\n'}
}

say() { echo "$*" >&2; }

# usage_error PROG ARG...: PROG ARG... is a usage error: exit 2, nothing on
# stdout, a message naming PROG on stderr and the pointer to --help.  The
# stderr text is left in $stderr for further checks.
usage_error() {
    local prog=$1
    xrun "$@" < /dev/null
    if [ "$status" -ne 2 ]; then
        say "$*: exit status $status, want 2; stderr: $stderr"
        return 1
    fi
    if [ -n "$output" ]; then
        say "$*: want nothing on stdout, got: ${output:0:200}"
        return 1
    fi
    if ! [[ $stderr == "$prog: "* && $stderr == *"Try '$prog --help'"* ]]; then
        say "$*: stderr does not start with '$prog: ' or lacks the --help pointer:"
        say "$stderr"
        return 1
    fi
}

# ---------------------------------------------------------------- every program

@test "the known programs are all there" {
    # guards the loops below against an empty or mistyped TLSKIT_BIN
    progs=$(programs)
    for p in conf-gen conf-info conf-convert; do
        grep -qx "$p" <<< "$progs"
    done
}

@test "every program: --help exits 0 with Usage: on stdout and nothing on stderr" {
    nfail=0
    for p in $(programs); do
        xrun "$p" --help < /dev/null
        if [ "$status" -ne 0 ] || [ -n "$stderr" ] || [[ ${lines[0]} != "Usage: $p "* ]]; then
            say "$p --help: status $status, first line '${lines[0]}', stderr '$stderr'"
            nfail=$((nfail + 1))
        fi
    done
    [ "$nfail" -eq 0 ]
}

@test "every program: --version exits 0 and names the program and tlskit" {
    nfail=0
    for p in $(programs); do
        xrun "$p" --version < /dev/null
        if [ "$status" -ne 0 ] || [ -n "$stderr" ] || [ "${#lines[@]}" -ne 1 ] ||
            [[ $output != "$p "*tlskit* ]]; then
            say "$p --version: status $status, stdout '$output', stderr '$stderr'"
            nfail=$((nfail + 1))
        fi
    done
    [ "$nfail" -eq 0 ]
}

@test "every program: an unknown option exits 2 with a message naming the program" {
    nfail=0
    for p in $(programs); do
        usage_error "$p" --no-such-option || nfail=$((nfail + 1))
        [[ $stderr == *no-such-option* ]] || { say "$p: message does not name the option"; nfail=$((nfail + 1)); }
        usage_error "$p" -Z || nfail=$((nfail + 1))
    done
    [ "$nfail" -eq 0 ]
}

@test "every program: a bad option is one line naming it, then the --help hint (no getopt line)" {
    # getopt's own "unrecognized option" line came first, then ours
    hint() { echo "Try '$1 --help' for more information."; }
    nfail=0
    for p in $(programs); do
        xrun "$p" --no-such-option < /dev/null
        want="$p: unknown option '--no-such-option'"$'\n'"$(hint "$p")"
        [ "$stderr" = "$want" ] || { say "$p --no-such-option: stderr '$stderr'"; nfail=$((nfail + 1)); }
        xrun "$p" -Z --help < /dev/null
        want="$p: unknown option '-Z'"$'\n'"$(hint "$p")"
        [ "$stderr" = "$want" ] || { say "$p -Z: stderr '$stderr'"; nfail=$((nfail + 1)); }
        # -Z last: one line naming -Z whatever the program (a program that
        # calls getopt_long itself cannot tell "unknown" from "no argument")
        xrun "$p" -Z < /dev/null
        [ "${#stderr_lines[@]}" -eq 2 ] && [[ ${stderr_lines[0]} == "$p: "*"'-Z'"* ]] ||
            { say "$p -Z (last): stderr '$stderr'"; nfail=$((nfail + 1)); }
        xrun "$p" --help=yes < /dev/null
        want="$p: option '--help' takes no argument"$'\n'"$(hint "$p")"
        [ "$stderr" = "$want" ] || { say "$p --help=yes: stderr '$stderr'"; nfail=$((nfail + 1)); }
    done
    [ "$nfail" -eq 0 ]
}

@test "a missing option argument and an ambiguous abbreviation are named, one line each" {
    usage_error conf-gen -N
    [ "${stderr_lines[0]}" = "conf-gen: option '-N' needs an argument" ]
    usage_error conf-gen --natoms
    [ "${stderr_lines[0]}" = "conf-gen: option '--natoms' needs an argument" ]
    usage_error md-quench -T 0.1 --s 3
    [ "${stderr_lines[0]}" = "md-quench: option '--s' is ambiguous: --seed, --skin" ]
    [ "${#stderr_lines[@]}" -eq 2 ]
    # a short option in the middle of a cluster, after a long one
    usage_error md-quench -T 0.1 --progress -xT 0.2
    [ "${stderr_lines[0]}" = "md-quench: unknown option '-x'" ]
    # abbreviations that are unique still work
    conf-gen --nat 150 --se 2 > /dev/null
}

@test "is-sample parses its options with tk_getopt: every bad option is named exactly" {
    # it called getopt_long itself: a short option at the end could not be
    # told from one lacking its argument, and an ambiguous one was not named
    usage_error is-sample --transitions t.tsv -Z
    [ "${stderr_lines[0]}" = "is-sample: unknown option '-Z'" ]
    usage_error is-sample --transitions t.tsv -T
    [ "${stderr_lines[0]}" = "is-sample: option '-T' needs an argument" ]
    usage_error is-sample --transitions t.tsv --id 1e-3
    [ "${stderr_lines[0]}" = "is-sample: option '--id' is ambiguous: --id-ftol, --id-etol, --id-dtol" ]
    usage_error is-sample --progress=yes --transitions t.tsv
    [ "${stderr_lines[0]}" = "is-sample: option '--progress' takes no argument" ]
    [ "${#stderr_lines[@]}" -eq 2 ]
    [ ! -e t.tsv ]
}

@test "every program: --help and --version to a full disk fail with a write error" {
    nfail=0
    for p in $(programs); do
        for opt in --help --version; do
            xrun_to /dev/full "$p" "$opt" < /dev/null
            if [ "$status" -ne 1 ] || ! [[ $stderr == "$p: "*"write error"* ]]; then
                say "$p $opt > /dev/full: status $status, stderr '$stderr'"
                nfail=$((nfail + 1))
            fi
        done
    done
    [ "$nfail" -eq 0 ]
}

# ---------------------------------------------------------------- bad option values

@test "conf-gen -N abc is a usage error naming the option and the value" {
    usage_error conf-gen -N abc
    [[ $stderr == *natoms* && $stderr == *"'abc'"* ]]
}

@test "conf-gen --rho -1 is a usage error" {
    usage_error conf-gen -N 150 --rho -1
    [[ $stderr == *--rho* && $stderr == *-1* ]]
    usage_error conf-gen -N 150 --rho 0
    usage_error conf-gen -N 150 --rho nan
    usage_error conf-gen -N 150 --rho inf
}

@test "conf-convert -t pdf is a usage error naming the format" {
    usage_error conf-convert -t pdf
    [[ $stderr == *"'pdf'"* ]]
    usage_error conf-gen -N 150 -t pdf
    [[ $stderr == *"'pdf'"* ]]
}

@test "conf-gen and ipl-swapmc -N 50: a box too small for the cutoff is a usage error" {
    # a bad argument (exit 2), not a data error (exit 1)
    usage_error conf-gen -N 50
    [[ ${stderr_lines[0]} == "conf-gen: -N 50 at density 1: the box edge 3.684 must exceed"*"take N >= 96"* ]]
    usage_error conf-gen -N 200 --rho 5
    usage_error ipl-swapmc -N 50 -T 0.1 --sweeps 1
    [[ ${stderr_lines[0]} == "ipl-swapmc: -N 50 at density 1: the box edge 3.684 must exceed"* ]]
    # the Monte Carlo neighbour list needs a larger skin than conf-gen's
    conf-gen -N 100 > /dev/null
    usage_error ipl-swapmc -N 100 -T 0.1 --sweeps 1
    [[ ${stderr_lines[0]} == *"take N >= 110"* ]]
    ipl-swapmc -N 110 -T 0.1 --sweeps 1 > /dev/null
    conf-gen -N 96 > /dev/null
    # a frame read from a file is data: exit 1
    conf-gen -N 200 --rho 0.05 > dilute.xyz
    awk 'NR == 2 { gsub(/Lattice="[^"]*"/, "Lattice=\"3 0 0 0 3 0 0 0 3\"") } 1' dilute.xyz > small.xyz
    xrun ipl-swapmc -T 0.1 --sweeps 1 small.xyz
    [ "$status" -eq 1 ]
}

@test "other bad option values and operands are usage errors" {
    usage_error conf-gen                      # -N is required
    [[ $stderr == *-N* ]]
    usage_error conf-gen -N 0
    usage_error conf-gen -N -150
    usage_error conf-gen -N 1.5e2
    usage_error conf-gen -N 99999999999999999999
    usage_error conf-gen -N 150 --seed -3
    usage_error conf-gen -N 150 --seed 1x
    usage_error conf-gen -N 150 --ftol 0
    usage_error conf-gen -N 150 stray-operand
    [[ $stderr == *stray-operand* ]]
    usage_error conf-info --skin abc
    usage_error conf-info --skin -1
    usage_error conf-convert -t                # missing argument
    usage_error conf-convert --set novalue
    usage_error conf-convert --set =1
}

# ---------------------------------------------------------------- write errors

@test "conf-gen -N 150 > /dev/full exits 1 with a write error" {
    xrun_to /dev/full conf-gen -N 150
    [ "$status" -eq 1 ]
    [[ $stderr == "conf-gen: "*"write error"* ]]
    [ "${#stderr_lines[@]}" -eq 1 ]
}

@test "conf-convert and conf-info to a full disk exit 1 with a write error" {
    conf-gen -N 150 > g.xyz
    for to in xyz bin lammps; do
        xrun_to /dev/full conf-convert -t "$to" g.xyz
        [ "$status" -eq 1 ]
        [[ $stderr == "conf-convert: "*"write error"* ]]
    done
    xrun_to /dev/full conf-info g.xyz
    [ "$status" -eq 1 ]
    [[ $stderr == "conf-info: "*"write error"* ]]
}

# ---------------------------------------------------------------- atomic -o

@test "conf-convert -o FILE writes FILE atomically, leaving no temporary file" {
    conf-gen -N 150 > g.xyz
    conf-convert -t bin g.xyz > want.bin
    xrun conf-convert -t bin -o out.bin g.xyz
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    [ -z "$stderr" ]
    cmp out.bin want.bin
    [ -z "$(compgen -G 'out.bin.tmp*')" ]
    [ "$(ls -A | sort | tr '\n' ' ')" = ".stderr g.xyz out.bin want.bin " ]
}

@test "conf-convert -o FILE on bad input: FILE not created, no temporary file left" {
    conf-gen -N 150 > g.xyz
    head -n 100 g.xyz > bad.xyz
    xrun conf-convert -o out.xyz bad.xyz
    [ "$status" -eq 1 ]
    [[ $stderr == "conf-convert: bad.xyz"* ]]
    [ ! -e out.xyz ]
    [ -z "$(compgen -G 'out.xyz*')" ]
    # an error in frame 3, after two frames went to the temporary file
    cat g.xyz g.xyz bad.xyz > bad3.xyz
    xrun conf-convert -o out.xyz bad3.xyz
    [ "$status" -eq 1 ]
    [[ $stderr == *"frame 3"* ]]
    [ -z "$(compgen -G 'out.xyz*')" ]
}

@test "conf-convert -o FILE on bad input leaves an existing FILE untouched" {
    conf-gen -N 150 > g.xyz
    echo "precious" > out.xyz
    head -n 100 g.xyz > bad.xyz
    xrun conf-convert -o out.xyz g.xyz bad.xyz
    [ "$status" -eq 1 ]
    [ "$(cat out.xyz)" = precious ]
    [ -z "$(compgen -G 'out.xyz.*')" ]
}

@test "conf-convert -o FILE can replace its own input" {
    conf-gen -N 150 > g.xyz
    cp g.xyz copy.xyz
    xrun conf-convert -o g.xyz g.xyz
    [ "$status" -eq 0 ]
    cmp g.xyz copy.xyz
    [ -z "$(compgen -G 'g.xyz.*')" ]
}

@test "every output into a missing directory: one line naming the user's path, not the temporary" {
    # the message named FILE.tmpPID; now the path given, and why
    conf-gen -N 150 > g.xyz
    h='#id\tmass\te1\te2\tsplit\tdelta0\tdV\tVb\td\tPR\terr\tflag\n'
    printf "$h"'a\t4000\t0.1\t0.1001\t1e-4\tnan\t1e-5\t0.01\t0.5\t4\t1e-9\t0\n' > t.tsv
    nfail=0
    check() { # PATH CMD...: CMD fails writing PATH (whose directory is missing)
        local path=$1 dir=${1%/*}
        shift
        xrun "$@" < /dev/null
        want="$1: $path: cannot write: the directory $dir does not exist"
        if [ "$status" -ne 1 ] || [ "$stderr" != "$want" ]; then
            say "$*: status $status, stderr '$stderr', want '$want'"
            nfail=$((nfail + 1))
        fi
    }
    check no/dir/out.xyz conf-gen -N 150 -o no/dir/out.xyz
    check no/out.xyz conf-convert -o no/out.xyz g.xyz
    check no/out.xyz md-quench -T 0 -o no/out.xyz g.xyz
    check no/log.tsv md-quench -T 0 --log no/log.tsv g.xyz
    check no/out.xyz ipl-swapmc -T 0.2 --sweeps 1 -o no/out.xyz g.xyz
    check no/out.xyz ipl-swapmc -T 0.2 --sweeps 1 --checkpoint ck -o no/out.xyz g.xyz
    check no/ck ipl-swapmc -T 0.2 --sweeps 1 --checkpoint no/ck g.xyz
    check no/t.tsv is-sample --transitions no/t.tsv -o m.bin g.xyz
    check no/m.bin is-sample --transitions t.tsv -o no/m.bin g.xyz
    check no/b.bin neb-ci --bands -o no/b.bin
    check no/d.txt dwp-split -o no/d.txt
    check no/s.tsv dwp-split --summary no/s.tsv
    check no/l.tsv schrod1d -o no/l.tsv
    check no/c.tsv tls-density -N 100 --curve no/c.tsv t.tsv
    check no/h.tsv tls-density -N 100 --hist no/h.tsv t.tsv
    [ "$nfail" -eq 0 ]
    [ ! -e no ] && [ ! -e ck ] && [ -z "$(compgen -G '*.tmp*')" ]
}

@test "-o into a missing directory exits 1 naming the path" {
    conf-gen -N 150 > g.xyz
    xrun conf-convert -o no-such-dir/out.xyz g.xyz
    [ "$status" -eq 1 ]
    [[ $stderr == "conf-convert: no-such-dir/out.xyz"* ]]
    xrun conf-gen -N 150 -o no-such-dir/out.xyz
    [ "$status" -eq 1 ]
    [[ $stderr == "conf-gen: no-such-dir/out.xyz"* ]]
    [ ! -e no-such-dir ]
}

@test "conf-gen -o FILE writes FILE atomically" {
    xrun conf-gen -N 150 --seed 3 -o g.xyz
    [ "$status" -eq 0 ]
    [ -z "$output" ]
    [ -z "$stderr" ]
    [ "$(ls -A | sort | tr '\n' ' ')" = ".stderr g.xyz " ]
    # the same frame as on stdout, but for the recorded command line
    conf-gen -N 150 --seed 3 | grep -v '^[0-9]*$' | sed 's/ history="[^"]*"//' > want
    grep -v '^[0-9]*$' g.xyz | sed 's/ history="[^"]*"//' > got
    cmp got want
}

# ---------------------------------------------------------------- reproducibility

@test "conf-gen: the same seed gives the same output, another seed differs" {
    conf-gen -N 150 --seed 42 > a.xyz
    conf-gen -N 150 --seed 42 > b.xyz
    cmp a.xyz b.xyz
    conf-gen -N 150 --seed 43 > c.xyz
    if cmp -s a.xyz c.xyz; then echo "outputs should differ"; false; fi
    # the positions differ, not only the seed= metadata
    if cmp -s <(tail -n +3 a.xyz) <(tail -n +3 c.xyz); then echo "outputs should differ"; false; fi
    conf-gen -N 150 --seed 42 -t bin > a.bin
    conf-gen -N 150 --seed 42 -t bin > b.bin
    cmp a.bin b.bin
    # the default seed is 1
    cmp <(conf-gen -N 150 | tail -n +3) <(conf-gen -N 150 --seed 1 | tail -n +3)
}

@test "conf-gen output passes conf-info: finite epot, fmax below the 1e-3 default" {
    row=$(conf-gen -N 150 --seed 5 | conf-info)
    [ "$(col natoms <<< "$row")" = 150 ]
    close_to "$(col rho <<< "$row")" 1 1e-12
    epot=$(col epot <<< "$row")
    fmax=$(col fmax <<< "$row")
    awk -v e="$epot" -v f="$fmax" 'BEGIN {
        if (!(e == e + 0 && e > -1e300 && e < 1e300 && e > 0)) { print "epot " e > "/dev/stderr"; exit 1 }
        if (!(f == f + 0 && f >= 0 && f < 1e-3)) { print "fmax " f > "/dev/stderr"; exit 1 } }'
    # --rho is honoured
    row=$(conf-gen -N 150 --rho 1.2 | conf-info)
    close_to "$(col rho <<< "$row")" 1.2 1e-12
}

@test "conf-gen -t bin and -t lammps give the same conf-info row as xyz" {
    want=$(conf-gen -N 150 --seed 2 | conf-info --no-header | cut -f2-)
    for to in bin lammps; do
        got=$(conf-gen -N 150 --seed 2 -t "$to" | conf-info --no-header | cut -f2-)
        [ "$got" = "$want" ] || { say "-t $to: $got"; say "xyz:    $want"; return 1; }
    done
}

@test "conf-convert -t lammps refuses a second frame, naming it" {
    conf-gen -N 150 > g.xyz
    cat g.xyz g.xyz > two.xyz
    xrun conf-convert -t lammps two.xyz
    [ "$status" -eq 1 ]
    [[ $stderr == "conf-convert: two.xyz: frame 2: "*"one frame"* ]]
}
