#!/usr/bin/env bats
# schrod1d: the two lowest levels of the 1D Schroedinger equation along a
# double-well path.  The physics here goes through the command line (the
# solver itself is checked against an independent sine-basis solution in
# tests/unit/test_schrod.c): exact harmonic levels, a quartic double well's
# splitting, the continuation beyond the ends (stable when the margin
# doubles), asym and delta0, and the input contract: records, metadata, masses,
# files and stdin, and bad input (exit 1, one message naming the input, the
# line and the record).

bats_require_minimum_version 1.5.0
load helpers

HEADER=$'#id\tmass\te1\te2\tsplit\tdelta0\tdV\tVb\td\tPR\terr\tflag\tasym\tloc'

setup() {
    cd "$BATS_TEST_TMPDIR" || return 1
}

# harmonic ID K D [N]: V = K (xi - 1/2)^2 / 2 at N points (default 201)
harmonic() {
    awk -v id="$1" -v k="$2" -v d="$3" -v n="${4:-201}" 'BEGIN {
        printf "# id=%s d=%s\n", id, d
        for (i = 0; i < n; i++) { x = i / (n - 1); printf "%.17g %.17g\n", x, 0.5 * k * (x - 0.5) ^ 2 } }'
}

# quartic ID VB DV D [N] [EXTRA]: V = 16 VB xi^2 (1 - xi)^2 + DV (3 xi^2 - 2 xi^3),
# minima at the ends, metadata dV=DV Vb=VB d=D and EXTRA
quartic() {
    awk -v id="$1" -v vb="$2" -v dv="$3" -v d="$4" -v n="${5:-2001}" -v extra="${6:-}" 'BEGIN {
        printf "# id=%s d=%s dV=%s Vb=%s%s\n", id, d, dv, vb, extra == "" ? "" : " " extra
        for (i = 0; i < n; i++) {
            x = i / (n - 1)
            printf "%.17g %.17g\n", x, 16 * vb * x * x * (1 - x) ^ 2 + dv * (3 * x * x - 2 * x ^ 3) } }'
}

# field ROW NAME: column NAME of data row ROW (1 = first row after the header)
field() {
    awk -F'\t' -v r="$1" -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++) { h = $i; sub(/^#/, "", h); if (h == c) k = i } next }
                                    NR - 1 == r { print $k; exit }'
}

# bad FILE WHERE WHAT: schrod1d FILE and schrod1d < FILE fail with status 1
# and one line "schrod1d: FILE|stdin:WHERE: ...WHAT..." (extended regular
# expressions), with nothing on stdout but the header and NGOOD rows
bad() {
    local file=$1 where=$2 what=$3 ngood=${4:-0} name re
    for name in "$file" stdin; do
        if [ "$name" = stdin ]; then xrun schrod1d < "$file"; else xrun schrod1d "$file"; fi
        re="^schrod1d: ${name//./[.]}:$where: .*($what)"
        if [ "$status" -ne 1 ] || [ "${#stderr_lines[@]}" -ne 1 ] || ! [[ $stderr =~ $re ]]; then
            echo "reading $name: status $status, stderr:" >&2
            printf '%s\n' "$stderr" >&2
            echo "want status 1 and one line matching /$re/" >&2
            return 1
        fi
        if [ "${lines[0]}" != "$HEADER" ] || [ $((${#lines[@]} - 1)) -ne "$ngood" ]; then
            echo "reading $name: want the header and $ngood rows, got:" >&2
            printf '%s\n' "$output" >&2
            return 1
        fi
    done
}

# ---------------------------------------------------------------- physics

@test "harmonic well: e1 = omega/2 and e2 = 3 omega/2 to 1e-8, omega = sqrt(k / (mt d^2))" {
    harmonic h1 10 1 > h.txt
    harmonic h2 40 0.7 >> h.txt
    run schrod1d --tol 1e-10 --mass 4000,30000 h.txt
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 5 ]
    for r in 1 2 3 4; do
        k=$( [ $r -le 2 ] && echo 10 || echo 40 ); d=$( [ $r -le 2 ] && echo 1 || echo 0.7 )
        mt=$( [ $((r % 2)) -eq 1 ] && echo 4000 || echo 30000 )
        w=$(awk -v k="$k" -v m="$mt" -v d="$d" 'BEGIN { printf "%.17g", sqrt(k / (m * d * d)) }')
        [ "$(field $r mass <<< "$output")" = "$mt" ]
        close_to "$(field $r e1 <<< "$output")" "$(awk -v w="$w" 'BEGIN { printf "%.17g", w / 2 }')" 1e-8
        close_to "$(field $r e2 <<< "$output")" "$(awk -v w="$w" 'BEGIN { printf "%.17g", 1.5 * w }')" 1e-8
        close_to "$(field $r split <<< "$output")" "$w" 1e-8
        [ "$(field $r flag <<< "$output")" = 0 ]
    done
}

@test "harmonic well at default settings: levels to 1e-6, err below the tolerance" {
    harmonic h 10 1 > h.txt
    run schrod1d h.txt
    [ "$status" -eq 0 ]
    close_to "$(field 1 split <<< "$output")" 0.05 1e-6
    close_to "$(field 1 e1 <<< "$output")" 0.025 1e-6
    awk -v e="$(field 1 err <<< "$output")" 'BEGIN { exit !(e < 1e-6) }'
    [ "$(field 1 flag <<< "$output")" = 0 ]
}

@test "quartic double wells: splittings of the sine-basis reference (test_schrod)" {
    # references: tests/unit/test_schrod.c (sine basis + LAPACKE_dsyev)
    { quartic sym 0.05 0 1; echo; quartic asym 0.05 0.002 1; echo; quartic deep 0.1 0 1; } > q.txt
    run schrod1d q.txt
    [ "$status" -eq 0 ]
    close_to "$(field 1 split <<< "$output")" 2.51895156722e-07 1e-6
    close_to "$(field 2 split <<< "$output")" 0.00191775661225 1e-6
    close_to "$(field 3 split <<< "$output")" 1.75918709396e-09 1e-6
    # split / e1 = 1.3e-7 for the deep well; the levels themselves
    close_to "$(field 3 e1 <<< "$output")" 0.013284933711303 1e-8
    close_to "$(field 1 e1 <<< "$output")" 0.0092560616091182 1e-8
}

@test "continuation: minima at the ends, the splitting is stable when the margin doubles" {
    quartic q 0.05 0 1 > q.txt
    a=$(schrod1d --tol 1e-10 q.txt | field 1 split)
    b=$(schrod1d --tol 1e-10 --margin 40 q.txt | field 1 split)
    close_to "$b" "$a" 1e-9
    # hard walls at 0 and 1 cut the wells in half: a very different answer
    w=$(schrod1d --walls q.txt | field 1 split)
    awk -v w="$w" -v a="$a" 'BEGIN { exit !(w > 50 * a) }'
}

@test "asym and delta0: split^2 = asym^2 + delta0^2; asym 0 when symmetric, above dV with a stiffer far well" {
    {
        quartic sym 0.05 0 1
        echo
        quartic shallow 0.01 0.0001 1           # split 1e-4 > dV
        echo
        quartic tilted 0.05 0.002 1             # split 0.00192 < dV = 0.002
        echo
        # harmonic wells of curvature 1 at xi = 0 and 2 at xi = 1, dV = 0.001:
        # the ground states differ by dV + (omega_R - omega_L) / 2
        awk 'BEGIN { print "# id=wells d=1 dV=0.001"; for (i = 0; i <= 2000; i++) { x = i / 2000
            a = 0.5 * x * x; b = 0.001 + (x - 1) * (x - 1); printf "%.17g %.17g\n", x, a < b ? a : b } }'
    } > q.txt
    run schrod1d q.txt
    [ "$status" -eq 0 ]
    for r in 1 2 3 4; do
        awk -v e="$(field $r split <<< "$output")" -v a="$(field $r asym <<< "$output")" \
            -v d="$(field $r delta0 <<< "$output")" 'BEGIN { x = sqrt(a * a + d * d) - e; if (x < 0) x = -x; exit !(x <= 1e-9 * e) }'
        awk -v l="$(field $r loc <<< "$output")" 'BEGIN { exit !(l > 0.95 && l <= 1) }'
    done
    # symmetric: no asymmetry, delta0 is the splitting
    awk -v a="$(field 1 asym <<< "$output")" -v e="$(field 1 split <<< "$output")" 'BEGIN { exit !(a < 1e-6 * e && a > -1e-6 * e) }'
    close_to "$(field 1 delta0 <<< "$output")" "$(field 1 split <<< "$output")" 1e-6
    # split below dV: the tilted wells' ground states are closer than their
    # minima (the deeper, stiffer well has the larger zero-point energy)
    awk -v a="$(field 3 asym <<< "$output")" -v e="$(field 3 split <<< "$output")" 'BEGIN { exit !(a > 0 && a <= e && e < 0.002) }'
    want=$(awk 'BEGIN { printf "%.17g", 0.001 + (sqrt(2 / 4000) - sqrt(1 / 4000)) / 2 }')
    close_to "$(field 4 asym <<< "$output")" "$want" 1e-5
}

@test "flag: 1 when err exceeds --tol, and for splittings lost in rounding" {
    quartic q 0.05 0 1 > q.txt
    run schrod1d --points 24 --tol 1e-9 q.txt
    [ "$(field 1 flag <<< "$output")" = 1 ]
    run schrod1d --points 64 q.txt
    [ "$(field 1 flag <<< "$output")" = 0 ]
    # split / e1 ~ 1e-16: below double precision
    quartic lost 0.05 0 1.5 > l.txt
    run schrod1d --mass 30000 l.txt
    [ "$status" -eq 0 ]
    [ "$(field 1 flag <<< "$output")" = 1 ]
    awk -v e="$(field 1 err <<< "$output")" 'BEGIN { exit !(e > 1) }'
}

# ---------------------------------------------------------------- records and options

@test "header, one row per record in order, metadata carried, nan when absent" {
    quartic a 0.05 0.001 0.8 101 "PR=12.5 note=x" > in.txt
    echo >> in.txt
    harmonic b 10 1 >> in.txt
    run schrod1d in.txt
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$HEADER" ]
    [ "${#lines[@]}" -eq 3 ]
    IFS=$'\t' read -r -a r1 <<< "${lines[1]}"
    IFS=$'\t' read -r -a r2 <<< "${lines[2]}"
    [ "${#r1[@]}" -eq 12 ] && [ "${#r2[@]}" -eq 12 ]
    [ "${r1[0]}" = a ] && [ "${r1[1]}" = 4000 ]
    [ "${r1[6]}" = 0.001 ] && [ "${r1[7]}" = 0.05 ] && [ "${r1[8]}" = 0.8 ] && [ "${r1[9]}" = 12.5 ]
    [ "${r2[0]}" = b ] && [ "${r2[6]}" = nan ] && [ "${r2[7]}" = nan ] && [ "${r2[9]}" = nan ]
    [ "${r2[8]}" = 1 ] && [ "${r2[5]}" = nan ]
    run schrod1d --no-header in.txt
    [ "${#lines[@]}" -eq 2 ]
    [ "${lines[0]}" = "${lines[0]#\#}" ]
}

@test "several masses: one row per record and mass, as separate runs give" {
    quartic a 0.05 0.001 0.8 101 > in.txt
    echo >> in.txt
    quartic b 0.02 0 1 101 >> in.txt
    run schrod1d -m 4000,30000 in.txt
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 5 ]
    [ "$(cut -f1,2 <<< "$output" | tail -n 4 | tr '\t\n' ' ')" = "a 4000 a 30000 b 4000 b 30000 " ]
    want=$(schrod1d --no-header --mass 30000 in.txt | head -n 1)
    [ "${lines[2]}" = "$want" ]
    # heavier: a smaller splitting of the symmetric well
    awk -v a="$(field 3 split <<< "$output")" -v b="$(field 4 split <<< "$output")" 'BEGIN { exit !(b < a / 10) }'
}

@test "stdin, '-' and file operands give the same table; files are read in order" {
    quartic a 0.05 0.001 0.8 101 > a.txt
    harmonic b 10 1 > b.txt
    want=$(schrod1d a.txt b.txt)
    [ "$(cat a.txt b.txt | schrod1d)" = "$want" ]
    [ "$(schrod1d a.txt - < b.txt)" = "$want" ]
    [ "$(schrod1d - b.txt < a.txt)" = "$want" ]
    [ "$(cut -f1 <<< "$want" | tail -n 2 | tr '\n' ' ')" = "a b " ]
}

@test "-o FILE: written atomically, nothing on stdout; not created on bad input" {
    harmonic h 10 1 > h.txt
    xrun schrod1d -o out.tsv h.txt
    [ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ]
    [ "$(cat out.tsv)" = "$(schrod1d h.txt)" ]
    printf '# id=x d=1\n0 0\n0.5 abc\n1 0\n' > bad.txt
    xrun schrod1d -o out2.tsv h.txt bad.txt
    [ "$status" -eq 1 ]
    [ ! -e out2.tsv ]
    [ -z "$(compgen -G 'out2.tsv*')" ]
}

@test "input forms: plain comment blocks, metadata on several lines, CRLF, no final blank line" {
    {
        echo "# DWPs from my own tool --steps=40 Vb=nonsense"
        echo "# (not a record: no rows, no id, no path length)"
        echo
        echo "# id=two-lines"
        echo "#   d=1 Vb=0.05"
        awk 'BEGIN { for (i = 0; i <= 100; i++) { x = i / 100; printf "%.17g\t%.17g\n", x, 0.8 * x * x * (1 - x) ^ 2 } }'
        # a comment right after the rows starts the next record
        quartic next 0.05 0 1 101
    } > in.txt
    run schrod1d in.txt
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 3 ]
    [ "$(field 1 id <<< "$output")" = two-lines ]
    [ "$(field 1 Vb <<< "$output")" = 0.05 ]
    [ "$(field 2 id <<< "$output")" = next ]
    [ "$(field 1 split <<< "$output")" = "$(field 2 split <<< "$output")" ]
    sed 's/$/\r/' in.txt > crlf.txt
    [ "$(schrod1d crlf.txt)" = "$output" ]
}

@test "empty input and comments only: an error, or with --allow-empty the header alone and a note" {
    # dwp-split writes nothing for a glass without pairs: with --allow-empty
    # (the pipeline) a result, said so on stderr; without it an error
    xrun schrod1d < /dev/null
    [ "$status" -eq 1 ]
    [ "$stderr" = "schrod1d: stdin: no record in the input (a glass without DWPs? --allow-empty accepts it)" ]
    xrun schrod1d --allow-empty < /dev/null
    [ "$status" -eq 0 ] && [ "$output" = "$HEADER" ]
    [ "$stderr" = "schrod1d: stdin: no record in the input: the header alone" ]
    printf '# nothing here\n\n\n# still nothing\n' > c.txt
    xrun schrod1d --allow-empty c.txt
    [ "$status" -eq 0 ] && [ "$output" = "$HEADER" ]
    [ "$stderr" = "schrod1d: c.txt: no record in the input: the header alone" ]
}

@test "absurd values are refused with the record and line: V = 1e300, -1e308, d out of range, dV=nan" {
    # V = 1e300 once overflowed the grid set-up (UBSan: signed integer
    # overflow; the plain build: "out of memory (34359738352 bytes)")
    printf '# id=r1 d=1\n0 0\n0.5 1e300\n1 0\n' > f.txt
    bad f.txt 3 "record 1 \(id=r1\): V = 1e300 is out of range"
    printf '# id=r1 d=1\n0 0\n0.5 -1e308\n1 0\n' > f.txt
    bad f.txt 3 "record 1 \(id=r1\): V = -1e308 is out of range"
    for d in 1e-30 1e300; do
        printf '# id=r1 d=%s\n0 0\n0.5 0.1\n1 0\n' "$d" > f.txt
        bad f.txt 1 "record 1 \(id=r1\): d=$d: the path length is out of range"
    done
    # metadata carried into the table: a finite number, or left out
    for kv in dV=nan dV=inf Vb=-nan PR=nan dV=1e300; do
        printf '# id=r1 d=1 %s\n0 0\n0.5 0.1\n1 0\n' "$kv" > f.txt
        bad f.txt 1 "record 1 \(id=r1\): $kv is not a number"
    done
    # left out: nan in the table, as documented
    printf '# id=r1 d=1\n0 0\n0.5 0.1\n1 0\n' > f.txt
    xrun schrod1d f.txt
    [ "$status" -eq 0 ]
    [ "$(field 1 dV <<< "$output")" = nan ]
    # a huge mass is solved or flagged, never an overflow
    xrun schrod1d --mass 1e300,1e-300 f.txt
    [ "$status" -eq 0 ]
    [ "$(field 1 flag <<< "$output")" = 1 ] && [ "$(field 2 flag <<< "$output")" = 1 ]
}

@test "-t is not an option of schrod1d (everywhere else it is --to); --tol has no short form" {
    xrun schrod1d -t 1e-3 < /dev/null
    [ "$status" -eq 2 ]
    [ "$stderr" = "schrod1d: unknown option '-t'"$'\n'"Try 'schrod1d --help' for more information." ]
    run schrod1d --help
    [[ $output == *"      --tol TOL"* ]]
    [[ $output != *"-t, "* ]]
    quartic q 0.05 0 1 101 > q.txt
    schrod1d --tol 1e-8 q.txt > /dev/null
}

# ---------------------------------------------------------------- bad input

@test "bad input: non-numbers, NaN, infinities, extra fields" {
    printf '# id=r1 d=1\n0 0\n0.5 abc\n1 0\n' > f.txt
    bad f.txt 3 "record 1 \(id=r1\): 'abc' is not a number"
    printf '# id=r1 d=1\n0 0\n0.5 nan\n1 0\n' > f.txt
    bad f.txt 3 "record 1 \(id=r1\): V nan is not finite"
    printf '# id=r1 d=1\n0 0\ninf 0.1\n1 0\n' > f.txt
    bad f.txt 3 "record 1 \(id=r1\): xi inf is not finite"
    printf '# id=r1 d=1\n0 0\n0.5 0.1 7\n1 0\n' > f.txt
    bad f.txt 3 "record 1 \(id=r1\): a row must hold 2 numbers"
    printf '# id=r1 d=1\n0 0\n0.5\n1 0\n' > f.txt
    bad f.txt 3 "record 1 \(id=r1\): a row must hold 2 numbers"
}

@test "bad input: xi not increasing, not from 0, not to 1" {
    printf '# id=r1 d=1\n0 0\n0.5 0.1\n0.5 0.2\n1 0\n' > f.txt
    bad f.txt 4 "record 1 \(id=r1\): xi = 0.5 does not increase"
    printf '# id=r1 d=1\n0 0\n0.6 0.1\n0.4 0.2\n1 0\n' > f.txt
    bad f.txt 4 "does not increase"
    printf '# id=r1 d=1\n0.01 0\n0.5 0.1\n1 0\n' > f.txt
    bad f.txt 2 "record 1 \(id=r1\): the first xi is 0.01"
    printf '# id=r1 d=1\n0 0\n0.5 0.1\n0.99 0\n' > f.txt
    bad f.txt 4 "record 1 \(id=r1\): the last xi is 0.99"
    # within 1e-9 of the ends is fine
    printf '# id=r1 d=1\n1e-10 0\n0.5 0.1\n0.9999999999 0\n' > f.txt
    run schrod1d f.txt
    [ "$status" -eq 0 ]
}

@test "bad input: too few points, missing id or d, bad d, bad metadata values" {
    printf '# id=r1 d=1\n0 0\n1 0\n' > f.txt
    bad f.txt 3 "record 1 \(id=r1\): 2 rows 'xi V': at least 3"
    printf '# id=r1 d=1\n\n' > f.txt
    bad f.txt 1 "record 1 \(id=r1\): 0 rows"
    printf '# d=1\n0 0\n0.5 1\n1 0\n' > f.txt
    bad f.txt 1 "record 1: no id="
    printf '0 0\n0.5 1\n1 0\n' > f.txt
    bad f.txt 1 "record 1: no id="
    printf '# id=r1\n0 0\n0.5 1\n1 0\n' > f.txt
    bad f.txt 1 "record 1 \(id=r1\): no d="
    for d in 0 -1 abc nan inf; do
        printf '# id=r1 d=%s\n0 0\n0.5 1\n1 0\n' "$d" > f.txt
        bad f.txt 1 "record 1 \(id=r1\): d=$d: the path length must be a positive number"
    done
    printf '# id=r1 d=1 dV=x\n0 0\n0.5 1\n1 0\n' > f.txt
    bad f.txt 1 "record 1 \(id=r1\): dV=x is not a number"
}

@test "bad input: the message names the record, after the good records' rows" {
    {
        quartic good1 0.05 0 1 101
        echo
        quartic good2 0.05 0 1 101
        printf '\n# id=third d=1\n0 0\n0.5 oops\n1 0\n'
    } > f.txt
    line=$(grep -n oops f.txt | cut -d: -f1)
    bad f.txt "$line" "record 3 \(id=third\): 'oops' is not a number" 2
    xrun schrod1d no-such-file.txt
    [ "$status" -eq 1 ]
    [[ $stderr == "schrod1d: no-such-file.txt: cannot open"* ]]
}

@test "usage errors: bad masses, grid, tolerance, margin" {
    for args in "--mass 0" "--mass -4000" "--mass abc" "--mass 4000," "--mass ,4000" "--mass 4000,,30000" \
        "--points 2" "--points abc" "--tol 0" "--tol -1" "--margin 0" "--bogus"; do
        # shellcheck disable=SC2086
        xrun schrod1d $args < /dev/null
        [ "$status" -eq 2 ] || { echo "$args: status $status"; return 1; }
        [[ $stderr == "schrod1d: "*"Try 'schrod1d --help'"* ]] || { echo "$args: $stderr"; return 1; }
        [ -z "$output" ]
    done
}

@test "--help describes the input, the columns and the options" {
    run schrod1d --help
    [ "$status" -eq 0 ]
    for w in "Usage: schrod1d" "id=" "d=" "xi V" delta0 split err flag --mass --points --margin --walls --tol --no-header; do
        [[ $output == *"$w"* ]] || { echo "missing: $w"; return 1; }
    done
}
