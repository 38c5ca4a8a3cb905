#!/usr/bin/env bats
# io-errors.bats - bad input gives one clear message and exit status 1.
#
# The convention (lib/err.h, lib/frameio.h): a data error is one line on
# stderr,
#     PROG: INPUT[:LINE]: frame K: what is wrong
# naming the program, the input (file name, or "stdin") and the frame, and the
# line where a line is meaningful; the exit status is 1.  Never a crash
# (status >= 128), never a sanitizer report (it would add lines to stderr; the
# tests demand exactly one), never silent garbage: nothing of the bad frame
# reaches stdout.  Each bad input is fed to the two readers: to conf-info as a
# file operand, to conf-convert on standard input.
#
# The bad inputs are edits of one small good frame, conf-gen -N 150 --seed 1,
# in its three formats.  Line map of good.xyz: 1 count, 2 comment, atom k on
# line k + 2.  Of good.data: 3 "150 atoms", 6-8 box, 10 Masses, 14 Atoms,
# atom k on line k + 15 (165 lines).

bats_require_minimum_version 1.5.0
load helpers

setup_file() {
    cd "$BATS_FILE_TMPDIR" || return 1
    conf-gen -N 150 --seed 1 > good.xyz
    conf-convert -t bin good.xyz > good.bin
    conf-convert -t lammps good.xyz > good.data
}

HEADER=$'#input\tframe\tnatoms\tbox\trho\tepot\tfmax\tpressure\tekin'

setup() {
    G=$BATS_FILE_TMPDIR
    cd "$BATS_TEST_TMPDIR" || return 1
}

# check_error PROG NAME WHERE WHAT: the last `xrun PROG ...` failed with
# status 1 and one stderr line "PROG: NAME<WHERE>: ...<WHAT>...".
# WHERE and WHAT are extended regular expressions.
check_error() {
    local prog=$1 name=$2 where=$3 what=$4 re
    local LC_ALL=C # the message may quote bytes of binary garbage
    re="^$prog: ${name//./[.]}$where: "
    [ -n "$what" ] && re="$re.*($what)"
    if [ "$status" -ne 1 ]; then
        echo "$prog reading $name: exit status $status, want 1; stderr:" >&2
        printf '%s\n' "$stderr" | head -20 >&2
        return 1
    fi
    if [ "${#stderr_lines[@]}" -ne 1 ]; then
        echo "$prog reading $name: want one line on stderr, got ${#stderr_lines[@]}:" >&2
        printf '%s\n' "$stderr" | head -20 >&2
        return 1
    fi
    if ! [[ $stderr =~ $re ]]; then
        echo "$prog reading $name: message does not match /$re/:" >&2
        echo "  $stderr" >&2
        return 1
    fi
}

# check_partial PROG NGOOD: stdout of the last run holds exactly the NGOOD
# good frames that came before the bad one ("*": not checked).
check_partial() {
    local prog=$1 ngood=$2 rows
    [ "$ngood" = "*" ] && return 0
    case $prog in
    conf-info)
        # the header comes with the first row: a bad first frame writes nothing
        rows=$((${#lines[@]} - 1))
        if [ "$ngood" -eq 0 ] && [ -n "$output" ]; then
            echo "conf-info: want nothing on stdout, got:" >&2
            printf '%s\n' "$output" | head -5 >&2
            return 1
        elif [ "$ngood" -gt 0 ] && { [ "${lines[0]}" != "$HEADER" ] || [ "$rows" -ne "$ngood" ]; }; then
            echo "conf-info: want the header and $ngood rows on stdout, got:" >&2
            printf '%s\n' "$output" | head -5 >&2
            return 1
        fi ;;
    conf-convert)
        if [ "$ngood" -eq 0 ]; then
            if [ -n "$output" ]; then
                echo "conf-convert: want nothing on stdout, got:" >&2
                printf '%s\n' "$output" | head -3 | cut -c1-100 >&2
                return 1
            fi
        else
            printf '%s\n' "$output" > partial.xyz
            rows=$(conf-info --no-header partial.xyz | wc -l)
            if [ "$rows" -ne "$ngood" ]; then
                echo "conf-convert: want the $ngood good frames on stdout, got $rows" >&2
                return 1
            fi
        fi ;;
    esac
}

# bad_input FILE WHERE WHAT [NGOOD]: conf-info reading FILE as an operand
# and conf-convert reading it on stdin (the two readers and the two ways of
# naming the input) fail with status 1 and one message
#   PROG: FILE|stdin<WHERE>: ...<WHAT>...
# and write nothing but the NGOOD (default 0) good frames before the bad one.
# (A subshell without Bats' DEBUG trap, which costs ~0.4 ms a command.)
bad_input() (
    trap - DEBUG
    local file=$1 where=$2 what=$3 ngood=${4:-0}
    [ -s "$file" ] || { echo "test setup: $file is empty or missing" >&2; return 1; }
    xrun conf-info "$file"
    check_error conf-info "$file" "$where" "$what" || return 1
    check_partial conf-info "$ngood" || return 1
    xrun conf-convert < "$file"
    check_error conf-convert stdin "$where" "$what" || return 1
    check_partial conf-convert "$ngood" || return 1
)

# A reproducible stream of N pseudo-random bytes (Park-Miller minimal
# standard generator: exact in double precision, the same in every awk).
garbage() { # SEED N
    LC_ALL=C awk -v x="$1" -v n="$2" 'BEGIN {
        for (i = 0; i < n; i++) { x = (x * 16807) % 2147483647; printf "%c", int(x / 65536) % 256 } }'
}

# Replace line 2 (the comment line) Lattice of good.xyz by "$1".
with_lattice() {
    sed "2s/Lattice=\"[^\"]*\"/Lattice=\"$1\"/" "$G/good.xyz"
}

# binary layout of good.bin: text header of $hdr bytes, then pos (3N
# float64), then sigma (N float64)
bin_layout() {
    hdr=$(($(stat -c %s "$G/good.bin") - 150 * 4 * 8))
    [ "$(head -c "$hdr" "$G/good.bin" | tail -n 1)" = END ] || {
        echo "test setup: good.bin does not have the expected layout" >&2
        return 1
    }
}

# write the 8 little-endian bytes of a float64 ($2, as \x escapes) at byte
# offset $1 of file $3
poke() {
    printf "$2" | dd of="$3" bs=1 seek="$1" conv=notrunc status=none
}

# ---------------------------------------------------------------- the good
# frame itself, so that every failure below is due to the edit

@test "the good frame is read without error in all three formats" {
    for f in good.xyz good.bin good.data; do
        xrun conf-info --no-header "$G/$f"
        [ "$status" -eq 0 ]
        [ -z "$stderr" ]
        [ "$(printf '%s\n' "$output" | cut -f3)" = 150 ]
    done
}

# ---------------------------------------------------------------- extended XYZ

@test "xyz: truncated frame (98 of 150 atom lines) is an error naming frame 1" {
    head -n 100 "$G/good.xyz" > trunc.xyz
    bad_input trunc.xyz '(:[0-9]+)?: frame 1' 'truncated.*150'
}

@test "xyz: count 5 but 4 atom lines then end of input" {
    sed '1s/.*/5/' "$G/good.xyz" | head -n 6 > n5.xyz
    bad_input n5.xyz '(:[0-9]+)?: frame 1' 'truncated.*5.*4'
}

@test "xyz: count 3 but 4 atom lines, then another frame" {
    { sed '1s/.*/3/' "$G/good.xyz" | head -n 6; cat "$G/good.xyz"; } > n3.xyz
    # The surplus line 6 cannot be told from a short frame 1 until the reader
    # looks for the start of frame 2, so the message may name frame 1 or 2,
    # but it must point at line 6 and at the atom count.  (Whether the
    # 3-atom frame 1 was already written is not checked.)
    bad_input n3.xyz ':6: frame [12]' 'atom (count|lines)' '*'
}

@test "xyz: an atom count of 0 or -5" {
    sed '1s/.*/0/' "$G/good.xyz" > zero.xyz
    bad_input zero.xyz ':1: frame 1' 'atom count'
    sed '1s/.*/-5/' "$G/good.xyz" > neg.xyz
    bad_input neg.xyz ':1: frame 1' 'atom count'
}

@test "xyz: a count line and nothing else" {
    echo 150 > count.xyz
    bad_input count.xyz '(:[0-9]+)?: frame 1' 'truncated.*comment'
}

@test "xyz: non-numeric position field names the line" {
    awk 'NR == 5 { $3 = "abc" } 1' "$G/good.xyz" > nonnum.xyz
    bad_input nonnum.xyz ':5: frame 1' "'abc' is not a number"
    awk 'NR == 8 { $5 = "0.5x" } 1' "$G/good.xyz" > nonnum2.xyz
    bad_input nonnum2.xyz ':8: frame 1' "radius.*'0\.5x' is not a number"
}

@test "xyz: NaN coordinate" {
    awk 'NR == 5 { $2 = "nan" } 1' "$G/good.xyz" > nan.xyz
    bad_input nan.xyz ':5: frame 1' "'nan' is not a finite number"
    awk 'NR == 9 { $3 = "NaN" } 1' "$G/good.xyz" > nan2.xyz
    bad_input nan2.xyz ':9: frame 1' "'NaN' is not a finite number"
}

@test "xyz: infinite coordinate" {
    awk 'NR == 5 { $4 = "inf" } 1' "$G/good.xyz" > inf.xyz
    bad_input inf.xyz ':5: frame 1' "'inf' is not a finite number"
    awk 'NR == 152 { $2 = "-1e400" } 1' "$G/good.xyz" > ovf.xyz
    bad_input ovf.xyz ':152: frame 1' "'-1e400' is not a finite number"
}

@test "xyz: missing Lattice" {
    sed '2s/Lattice="[^"]*" //' "$G/good.xyz" > nolat.xyz
    bad_input nolat.xyz ':2: frame 1' 'no Lattice'
}

@test "xyz: non-cubic Lattice (unequal edges, then a tilt)" {
    L=$(sed -n '2s/^Lattice="\([^ ]*\) .*/\1/p' "$G/good.xyz")
    with_lattice "$L 0 0 0 $L 0 0 0 6" > rect.xyz
    bad_input rect.xyz ':2: frame 1' 'not a cubic box'
    with_lattice "$L 0 0 0.5 $L 0 0 0 $L" > tilt.xyz
    bad_input tilt.xyz ':2: frame 1' 'not a cubic box'
}

@test "xyz: zero box" {
    with_lattice "0 0 0 0 0 0 0 0 0" > zero.xyz
    bad_input zero.xyz ':2: frame 1' 'box.*positive'
}

@test "xyz: negative box" {
    with_lattice "-5.3 0 0 0 -5.3 0 0 0 -5.3" > neg.xyz
    bad_input neg.xyz ':2: frame 1' 'box.*positive'
}

@test "xyz: Lattice with a NaN" {
    with_lattice "nan 0 0 0 nan 0 0 0 nan" > nanbox.xyz
    bad_input nanbox.xyz ':2: frame 1' 'Lattice.*finite'
}

@test "xyz: missing radius column" {
    # dropped from Properties and from the atom lines
    awk 'NR == 2 { sub(/:radius:R:1/, "") } NR > 2 { NF = 4 } 1' "$G/good.xyz" > norad.xyz
    bad_input norad.xyz ':2: frame 1' 'radius'
    # declared in Properties but absent from the atom lines
    awk 'NR > 2 { NF = 4 } 1' "$G/good.xyz" > short.xyz
    bad_input short.xyz ':3: frame 1' 'atom 1: expected 5 fields, found 4'
}

@test "xyz: missing Properties" {
    sed '2s/Properties=[^ ]* //' "$G/good.xyz" > noprop.xyz
    bad_input noprop.xyz ':2: frame 1' 'Properties'
}

@test "xyz: zero radius" {
    awk 'NR == 7 { $5 = "0" } 1' "$G/good.xyz" > zr.xyz
    bad_input zr.xyz ':7: frame 1' 'atom 5: radius must be positive'
}

@test "xyz: negative radius" {
    awk 'NR == 7 { $5 = "-0.5" } 1' "$G/good.xyz" > nr.xyz
    bad_input nr.xyz ':7: frame 1' 'atom 5: radius must be positive'
}

@test "xyz: pbc=\"F F F\"" {
    sed '2s/pbc="T T T"/pbc="F F F"/' "$G/good.xyz" > pbc.xyz
    grep -q 'pbc="F F F"' pbc.xyz
    bad_input pbc.xyz ':2: frame 1' 'periodic'
}

# ---------------------------------------------------------------- empty input

@test "empty input where a frame is required is an error naming the input" {
    # conf-info, conf-convert, conf-diff, conf-modes and md-quench compute
    # or convert frames: no frame at all is a mistake upstream (an empty
    # file, a failed stage), not an empty success.  The same for blank
    # lines only.  (The table programs print their header first.)
    printf '\n\n  \n' > blank.xyz
    : > empty.xyz
    nfail=0
    for src in /dev/null empty.xyz blank.xyz; do
        for cmd in conf-info conf-convert conf-diff conf-modes "md-quench -T 0.1"; do
            p=${cmd%% *}
            # shellcheck disable=SC2086
            xrun $cmd < "$src"
            if [ "$status" -ne 1 ] || [ "$stderr" != "$p: stdin: no frame in the input" ]; then
                echo "$cmd < $src: status $status, stderr '$stderr'" >&2
                nfail=$((nfail + 1))
            fi
            case $p in conf-convert | md-quench) [ -z "$output" ] || nfail=$((nfail + 1)) ;; esac
            [ "$src" = /dev/null ] && continue
            # shellcheck disable=SC2086
            xrun $cmd "$src" "$src"
            if [ "$status" -ne 1 ] || [ "$stderr" != "$p: $src ... $src (2 inputs): no frame in the input" ]; then
                echo "$cmd $src $src: status $status, stderr '$stderr'" >&2
                nfail=$((nfail + 1))
            fi
        done
    done
    [ "$nfail" -eq 0 ]
    # --no-header: nothing on stdout at all
    xrun conf-info --no-header empty.xyz
    [ "$status" -eq 1 ] && [ -z "$output" ]
    # one empty file among others is fine: the stream holds frames
    conf-info empty.xyz "$G/good.xyz" blank.xyz > /dev/null
    conf-convert empty.xyz < /dev/null "$G/good.xyz" > /dev/null
}

@test "empty input to neb-ci, dwp-split, schrod1d: an error, or with --allow-empty a note" {
    # an empty file or a failed stage upstream is an error naming the input
    xrun neb-ci --bands < /dev/null
    [ "$status" -eq 1 ] && [ -z "$output" ]
    [ "$stderr" = "neb-ci: stdin: no frame in the input (a glass without pairs? --allow-empty accepts it)" ]
    xrun dwp-split -o d.txt < /dev/null
    [ "$status" -eq 1 ] && [ ! -e d.txt ]
    [ "$stderr" = "dwp-split: stdin: no frame in the input (a glass without pairs? --allow-empty accepts it)" ]
    : > e.txt
    xrun schrod1d -o s.tsv e.txt
    [ "$status" -eq 1 ] && [ ! -e s.tsv ]
    [ "$stderr" = "schrod1d: e.txt: no record in the input (a glass without DWPs? --allow-empty accepts it)" ]
    # pair-select writes no frame for a glass without pairs, and the
    # pipeline runs neb-ci, dwp-split and schrod1d on that with
    # --allow-empty: exit 0, nothing (or the header) on stdout, a note
    xrun neb-ci --bands --allow-empty < /dev/null
    [ "$status" -eq 0 ] && [ -z "$output" ]
    [ "$stderr" = "neb-ci: stdin: no frame in the input: no pair, nothing written" ]
    xrun dwp-split --allow-empty < /dev/null
    [ "$status" -eq 0 ] && [ -z "$output" ]
    [ "${stderr_lines[0]}" = "dwp-split: stdin: no frame in the input: no band, no DWP written" ]
    [[ ${stderr_lines[1]} == "dwp-split: 0 pairs: "* ]]
    xrun schrod1d --allow-empty < /dev/null
    [ "$status" -eq 0 ] && [[ $output == "#id"* ]] && [ "${#lines[@]}" -eq 1 ]
    [ "$stderr" = "schrod1d: stdin: no record in the input: the header alone" ]
}

# ---------------------------------------------------------------- binary

@test "binary: cut inside the header" {
    bin_layout
    box=$(grep -abo '^box=' "$G/good.bin" | cut -d: -f1)
    org=$(grep -abo '^origin=' "$G/good.bin" | cut -d: -f1)
    # at a line boundary; inside "box=" (empty value, then a partial number);
    # inside the origin line; inside "END"; after "END" without its newline
    nfail=0
    for c in "$box" $((box + 4)) $((box + 6)) $((org + 10)) $((hdr - 2)) $((hdr - 1)); do
        head -c "$c" "$G/good.bin" > "cut$c.bin"
        bad_input "cut$c.bin" '(:[0-9]+)?: frame 1' '(cut short|truncated)' || nfail=$((nfail + 1))
    done
    [ "$nfail" -eq 0 ]
}

@test "binary: cut inside the pos array" {
    bin_layout
    for c in "$hdr" $((hdr + 8)) $((hdr + 1001)) $((hdr + 3600 - 1)); do
        head -c "$c" "$G/good.bin" > "cut$c.bin"
        bad_input "cut$c.bin" '(:[0-9]+)?: frame 1' '(cut short|truncated).*pos'
    done
}

@test "binary: cut inside the sigma array" {
    bin_layout
    for c in $((hdr + 3600)) $((hdr + 4000)) $((hdr + 4800 - 1)); do
        head -c "$c" "$G/good.bin" > "cut$c.bin"
        bad_input "cut$c.bin" '(:[0-9]+)?: frame 1' '(cut short|truncated).*sigma'
    done
}

@test "binary: unsupported version in the magic line" {
    for v in 2 0 1.5 11; do
        { printf 'TLSKIT-FRAME %s\n' "$v"; tail -c +16 "$G/good.bin"; } > "v$v.bin"
        bad_input "v$v.bin" ':1: frame 1' "unsupported version.*TLSKIT-FRAME $v"
    done
}

@test "binary: NaN position and non-finite or zero diameter name the atom" {
    bin_layout
    cp "$G/good.bin" nanpos.bin   # y of atom 2 = flat pos value 4 (from 0)
    poke $((hdr + 4 * 8)) '\x00\x00\x00\x00\x00\x00\xf8\x7f' nanpos.bin
    bad_input nanpos.bin '(:[0-9]+)?: frame 1' 'atom 2[^0-9].*not finite|not finite.*atom 2([^0-9]|$)'
    cp "$G/good.bin" infsig.bin   # sigma of atom 3
    poke $((hdr + 3600 + 2 * 8)) '\x00\x00\x00\x00\x00\x00\xf0\x7f' infsig.bin
    bad_input infsig.bin '(:[0-9]+)?: frame 1' 'atom 3[^0-9].*not finite|not finite.*atom 3([^0-9]|$)'
    cp "$G/good.bin" zerosig.bin  # sigma of atom 3
    poke $((hdr + 3600 + 2 * 8)) '\x00\x00\x00\x00\x00\x00\x00\x00' zerosig.bin
    bad_input zerosig.bin '(:[0-9]+)?: frame 1' 'atom 3[^0-9].*not positive'
}

@test "binary: bad header values" {
    sed '2s/.*/natoms=abc/' "$G/good.bin" > natoms.bin
    bad_input natoms.bin ':2: frame 1' "natoms.*'abc'"
    sed '3s/.*/box=-1/' "$G/good.bin" > box.bin
    bad_input box.bin ':3: frame 1' 'box.*positive'
    sed '5s/.*/arrays=pos/' "$G/good.bin" > arrays.bin
    bad_input arrays.bin '(:[0-9]+)?: frame 1' 'sigma'
}

# ---------------------------------------------------------------- files

@test "a file that does not exist" {
    for prog in conf-info conf-convert; do
        xrun "$prog" no-such-file.xyz
        [ "$status" -eq 1 ]
        [ "${#stderr_lines[@]}" -eq 1 ]
        [[ $stderr =~ ^$prog:\ no-such-file\.xyz:\ .*No\ such\ file ]]
    done
}

@test "a directory given as a file" {
    mkdir adir
    for prog in conf-info conf-convert; do
        xrun "$prog" adir
        [ "$status" -eq 1 ]
        [ "${#stderr_lines[@]}" -eq 1 ]
        [[ $stderr =~ ^$prog:\ adir:\ .*[Ii]s\ a\ directory ]]
    done
}

@test "conf-info names stdin, conf-convert names its file operand" {
    awk 'NR == 5 { $2 = "nan" } 1' "$G/good.xyz" > nan.xyz
    xrun conf-info < nan.xyz
    check_error conf-info stdin ':5: frame 1' 'not a finite number'
    check_partial conf-info 0
    xrun conf-convert nan.xyz
    check_error conf-convert nan.xyz ':5: frame 1' 'not a finite number'
    check_partial conf-convert 0
    xrun conf-convert - < nan.xyz
    check_error conf-convert stdin ':5: frame 1' 'not a finite number'
}

@test "an error in the second file operand names that file and its frame 1" {
    awk 'NR == 5 { $2 = "nan" } 1' "$G/good.xyz" > nan.xyz
    for prog in conf-info conf-convert; do
        xrun "$prog" "$G/good.xyz" nan.xyz
        check_error "$prog" nan.xyz ':5: frame 1' 'not a finite number'
        check_partial "$prog" 1
    done
}

# ---------------------------------------------------------------- LAMMPS data

@test "lammps: missing Atoms section" {
    awk '/^Atoms/ { exit } 1' "$G/good.data" > noatoms.data
    bad_input noatoms.data '(:[0-9]+)?: frame 1' 'no Atoms section'
    head -n 9 "$G/good.data" > header.data
    bad_input header.data '(:[0-9]+)?: frame 1' 'no Atoms section'
}

@test "lammps: truncated Atoms section" {
    head -n 100 "$G/good.data" > trunc.data
    bad_input trunc.data '(:[0-9]+)?: frame 1' 'truncated.*Atoms.*85.*150'
}

@test "lammps: duplicate atom ids" {
    awk 'NR == 16 { $1 = 7 } 1' "$G/good.data" > dup.data
    [ "$(grep -c '^7 1 ' dup.data)" -eq 2 ]
    bad_input dup.data '(:[0-9]+)?: frame 1' 'atom id 7 .*twice'
}

@test "lammps: Velocities with a repeated or unknown atom id, or missing one" {
    # a repeated id left another atom's velocity unset: garbage, or in a
    # stream the previous frame's velocity
    md-quench -T 0.1 --time 0.01 -t lammps "$G/good.data" > v.data
    v=$(grep -n '^Velocities' v.data | cut -d: -f1)
    conf-info v.data > /dev/null
    awk -v l=$((v + 3)) 'NR == l { $1 = 1 } 1' v.data > dup.data
    bad_input dup.data ":$((v + 3)): frame 1" 'Velocities: atom id 1 appears twice'
    # in a two-frame stream: frame 2 is refused, frame 1 written
    cat v.data dup.data > two.data
    bad_input two.data ":$(($(wc -l < v.data) + v + 3)): frame 2" 'Velocities: atom id 1 appears twice' 1
    awk -v l=$((v + 3)) 'NR == l { $1 = 999 } 1' v.data > unknown.data
    bad_input unknown.data ":$((v + 3)): frame 1" 'Velocities: atom id 999 is not in the Atoms section'
    awk -v l=$((v + 3)) 'NR != l' v.data > short.data
    bad_input short.data '(:[0-9]+)?: frame 1' 'truncated.*Velocities.*149.*150'
    { cat v.data; echo; sed -n "$v,\$p" v.data; } > twice.data
    bad_input twice.data ':[0-9]+: frame 1' 'two Velocities sections'
}

@test "lammps: triclinic tilt factors" {
    sed '8a 0.5 0 0 xy xz yz' "$G/good.data" > tri.data
    bad_input tri.data ':9: frame 1' 'triclinic'
}

@test "lammps: unsupported atom style" {
    sed 's/^Atoms # charge$/Atoms # atomic/' "$G/good.data" > atomic.data
    bad_input atomic.data ':14: frame 1' 'Atoms # atomic.*charge.*sphere'
}

@test "lammps: non-cubic box names the line of the box bounds, or no line" {
    sed 's/^.* zlo zhi$/-3 3 zlo zhi/' "$G/good.data" > rect.data
    # not line 10, the "Masses" keyword where the header happened to end
    bad_input rect.data '(:[678])?: frame 1' 'not cubic'
}

@test "lammps: missing 'N atoms', NaN position, zero diameter" {
    sed '/^150 atoms$/d' "$G/good.data" > nonatoms.data
    bad_input nonatoms.data '(:[0-9]+)?: frame 1' "atoms"
    awk 'NR == 20 { $5 = "nan" } 1' "$G/good.data" > nan.data
    bad_input nan.data ':20: frame 1' "'nan' is not a finite number"
    awk 'NR == 20 { $3 = "0" } 1' "$G/good.data" > zero.data
    bad_input zero.data ':20: frame 1' 'atom id 5: diameter must be positive'
}

@test "lammps: more Atoms lines than 'N atoms' names the surplus line" {
    sed 's/^150 atoms$/149 atoms/' "$G/good.data" > extra.data
    # line 165 is the 150th atom line, one more than the header announces
    bad_input extra.data ':165: frame [12]' 'atom' '*'
}

@test "lammps: more Atoms lines than 'N atoms', then another frame, is not accepted" {
    sed 's/^150 atoms$/149 atoms/' "$G/good.data" > extra.data
    cat extra.data "$G/good.data" > two.data
    # the surplus line must not vanish into the header of frame 2
    bad_input two.data ':165: frame [12]' 'atom' '*'
}

# ---------------------------------------------------------------- garbage

@test "random binary garbage" {
    nfail=0
    for seed in 1 2 3; do
        garbage "$seed" 4096 > "garbage$seed"
        [ "$(stat -c %s "garbage$seed")" -eq 4096 ]
        bad_input "garbage$seed" '(:[0-9]+)?: frame 1' '' || nfail=$((nfail + 1))
    done
    [ "$nfail" -eq 0 ]
}

@test "random text garbage (no NUL bytes), bare and after a frame header" {
    for seed in 4 5; do
        garbage "$seed" 4096 | tr -d '\000' > "text$seed"
        bad_input "text$seed" '(:[0-9]+)?: frame 1' ''
        { echo 150; cat "text$seed"; } > "xyz$seed"
        bad_input "xyz$seed" '(:[0-9]+)?: frame 1' ''
        { echo 'TLSKIT-FRAME 1'; cat "text$seed"; } > "bin$seed"
        bad_input "bin$seed" '(:[0-9]+)?: frame 1' ''
    done
}

# ---------------------------------------------------------------- multi-frame

@test "multi-frame xyz: an error in frame 3 names frame 3 and its line" {
    awk 'NR == 5 { $2 = "nan" } 1' "$G/good.xyz" > nan.xyz
    cat "$G/good.xyz" "$G/good.xyz" nan.xyz > multi.xyz
    bad_input multi.xyz ':309: frame 3' "'nan' is not a finite number" 2
}

@test "multi-frame binary: a cut in frame 3 names frame 3" {
    bin_layout
    { cat "$G/good.bin" "$G/good.bin"; head -c $((hdr + 1001)) "$G/good.bin"; } > multi.bin
    bad_input multi.bin '(:[0-9]+)?: frame 3' '(cut short|truncated).*pos' 2
}

@test "multi-frame LAMMPS: a truncated frame 3 names frame 3" {
    { cat "$G/good.data" "$G/good.data"; head -n 100 "$G/good.data"; } > multi.data
    bad_input multi.data '(:[0-9]+)?: frame 3' 'truncated' 2
}

@test "mixed formats: an error in frame 3 (xyz after xyz and binary) names frame 3" {
    awk 'NR == 5 { $2 = "nan" } 1' "$G/good.xyz" > nan.xyz
    cat "$G/good.xyz" "$G/good.bin" nan.xyz > mixed
    bad_input mixed '(:[0-9]+)?: frame 3' "'nan' is not a finite number" 2
}

@test "garbage after two good frames names frame 3" {
    garbage 1 4096 > garbage
    cat "$G/good.xyz" "$G/good.bin" garbage > multi
    bad_input multi '(:[0-9]+)?: frame 3' '' 2
}

# ---------------------------------------------------------------- the model

@test "conf-info: a box too small for the cutoff is a data error naming the frame" {
    with_lattice "1 0 0 0 1 0 0 0 1" > small.xyz
    xrun conf-info small.xyz
    check_error conf-info small.xyz ': frame 1' 'too small'
    # a pure format conversion does not need the model
    run conf-convert small.xyz
    [ "$status" -eq 0 ]
}

@test "conf-info: a huge dilute box (L = 1e6, 150 atoms) is read, not a memory blow-up" {
    # valid input (a dilute gas, or a box typed in the wrong unit): the cell
    # list must not grow with the volume
    with_lattice "1e6 0 0 0 1e6 0 0 0 1e6" > huge.xyz
    xrun conf-info --no-header huge.xyz
    if [ "$status" -ne 0 ]; then
        printf '%s\n' "$stderr" | head -5 >&2
        return 1
    fi
    [ -z "$stderr" ]
    [ "$(printf '%s\n' "$output" | cut -f3)" = 150 ]
    epot=$(printf '%s\n' "$output" | cut -f6)
    awk -v e="$epot" 'BEGIN { exit !(e + 0 == e && e > 0 && e < 1e3) }'
}
