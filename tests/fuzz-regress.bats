#!/usr/bin/env bats
# fuzz-regress.bats - inputs found by the fuzz harnesses (fuzz/README.md),
# each now refused with one message naming the program, the input, the line
# and what is wrong (exit 1), or read correctly.

bats_require_minimum_version 1.5.0
load helpers

setup() {
    cd "$BATS_TEST_TMPDIR" || return 1
}

# one_error TEXT: the last xrun failed with status 1 and one line on stderr
# that is TEXT
one_error() {
    if [ "$status" -ne 1 ] || [ "${#stderr_lines[@]}" -ne 1 ] || [ "$stderr" != "$1" ]; then
        echo "status $status, want 1; stderr (want the one line '$1'):" >&2
        printf '%s\n' "$stderr" | head -30 >&2
        return 1
    fi
}

frame_xyz() {
    printf '1\nLattice="2 0 0 0 2 0 0 0 2" Properties=species:S:1:pos:R:3:radius:R:1 %s\nAr 0.5 0.5 0.5 0.5\n' "$1"
}

# a binary frame whose header holds the line $1 among its metadata
frame_bin_with() {
    frame_xyz "a=1" | conf-convert -t bin | sed "0,/^END\$/s//$1\nEND/"
}

@test "fuzz frame-xyz: a binary frame's metadata key with a blank is refused (it was split in two as extended XYZ)" {
    frame_bin_with 'a b=c' > k.bin
    xrun conf-convert k.bin
    one_error "conf-convert: k.bin:7: frame 1: binary header: metadata key 'a b' holds a blank (extended XYZ could not carry it)"
    frame_bin_with $'\tkey=c' > t.bin
    xrun conf-convert -t bin t.bin
    [ "$status" -eq 1 ] && [[ $stderr == *"holds a blank"* ]]
}

@test "fuzz frame-xyz: a binary frame's metadata key Lattice, Origin, pbc or Properties is refused (the XYZ frame became unreadable)" {
    for key in Lattice Origin pbc Properties; do
        frame_bin_with "$key=oops" > k.bin
        xrun conf-convert k.bin
        one_error "conf-convert: k.bin:7: frame 1: binary header: metadata key '$key' is part of the extended XYZ frame format, not metadata"
    done
}

@test "fuzz frame-lammps: tlskit's LAMMPS title line with a key of the XYZ format is refused" {
    frame_xyz "a=1" | conf-convert -t lammps | sed '1s/$/ pbc=F/' > k.data
    xrun conf-convert k.data
    one_error "conf-convert: k.data:1: frame 1: title line: metadata key 'pbc' is part of the extended XYZ frame format, not metadata"
}

@test "fuzz frame round trips: quoted, escaped and odd metadata survive xyz -> bin -> lammps -> xyz unchanged" {
    printf '1\nLattice="2 0 0 0 2 0 0 0 2" Properties=species:S:1:pos:R:3:radius:R:1:id:I:1 %s\n%s\n' \
        'note="a \"quoted\" \\ value" e="" flag x"y=1 t=a\b' 'Ar 0.5 0.5 0.5 0.5 1' > a.xyz
    conf-convert -t bin a.xyz | conf-convert -t lammps | conf-convert > b.xyz
    diff <(conf-convert a.xyz) b.xyz
    grep -q 'note="a \\"quoted\\" \\\\ value" e="" flag=T x"y=1 t="a\\\\b"' b.xyz
}

@test "fuzz frame-lammps: a small box far from the origin, written as LAMMPS, reads back (it was 'not cubic')" {
    printf '1\nLattice="0.001 0 0 0 0.001 0 0 0 0.001" Origin="0 100000 0" Properties=species:S:1:pos:R:3:radius:R:1:id:I:1\nAr 0.0005 100000.0005 0.0005 0.5 1\n' > a.xyz
    conf-convert -t lammps a.xyz > a.data
    xrun conf-convert a.data
    [ "$status" -eq 0 ] && [ -z "$stderr" ]
    [[ $output == *'Lattice="0.001 0 0 0 0.001 0 0 0 0.001" Origin="0 100000 0"'* ]]
    # a box that is not cubic is still refused
    sed 's/^0 0.001 zlo zhi/0 0.0011 zlo zhi/' a.data > b.data
    xrun conf-convert b.data
    [ "$status" -eq 1 ] && [[ $stderr == *"the box is not cubic"* ]]
}

@test "fuzz frame-xyz: a position 1e300 box lengths away is refused by the LAMMPS writer (its image flag overflowed a long: undefined)" {
    printf '1\nLattice="2 0 0 0 2 0 0 0 2" Properties=species:S:1:pos:R:3:radius:R:1\nAr 0.5 1e300 0.5 0.5\n' > far.xyz
    xrun conf-convert -t lammps -o far.data far.xyz
    one_error "conf-convert: LAMMPS data file: atom 1: y = 1.0000000000000001e+300 is 5e+299 box lengths from the box, beyond an image flag (write extended XYZ or binary)"
    [ ! -e far.data ]
    # far, but within an image flag: written, and read back inside the box
    printf '1\nLattice="2 0 0 0 2 0 0 0 2" Properties=species:S:1:pos:R:3:radius:R:1\nAr 0.5 1e9 0.5 0.5\n' > far.xyz
    conf-convert -t lammps far.xyz | grep -q '^1 1 1 0.5 0 0.5 0 500000000 0$'
}

@test "fuzz frame-xyz: a radius whose diameter is not finite (1e308) is refused (the frame carried diameter inf)" {
    printf '1\nLattice="2 0 0 0 2 0 0 0 2" Properties=species:S:1:pos:R:3:radius:R:1\nAr 0.5 0.5 0.5 1e308\n' > r.xyz
    xrun conf-info r.xyz
    one_error "conf-info: r.xyz:3: frame 1: atom 1: radius 1e308: the diameter (twice the radius) is not finite"
}

@test "fuzz tls-table: schrod1d table rows are split on single tabs: an empty field no longer shifts the columns after it" {
    h=$'#id\tmass\te1\te2\tsplit\tdelta0\tdV\tVb\td\tPR\terr\tflag'
    row=$'0.0\t4000\t0.005\t0.013\t0.0084\t0.0079\t0.0029\t0.0016\t0.198\t13.04\t2.25e-10\t0'
    printf '%s\n%s\n' "$h" "$row" > good.tsv
    # e1 empty (tls-density does not read it): the same result, not split = delta0
    printf '%s\n%s\n' "$h" "${row/$'\t'0.005/$'\t'}" > empty.tsv
    diff <(tls-density -N 150 --hist h1.tsv good.tsv) <(tls-density -N 150 --hist h2.tsv empty.tsv)
    diff h1.tsv h2.tsv
    printf '%s\n%s\n' "$h" "${row/$'\t'0.0084/$'\t'}" > nosplit.tsv
    xrun tls-density -N 150 nosplit.tsv
    one_error "tls-density: nosplit.tsv:2: column split: '' is not a number"
    printf '%s\n%s\n' "$h" "${row/$'\t'/$'\t\t'}" > extra.tsv
    xrun tls-density -N 150 extra.tsv
    one_error "tls-density: extra.tsv:2: column mass: '' is not a number"
    printf '%s\n%s\t\n' "$h" "$row" > trailing.tsv
    xrun tls-density -N 150 trailing.tsv
    one_error "tls-density: trailing.tsv:2: the row has 13 fields, the header 12 columns (fields are separated by single tabs)"
    printf '%s\tsplit\n%s\t1\n' "$h" "$row" > twice.tsv
    xrun tls-density -N 150 twice.tsv
    one_error "tls-density: twice.tsv:1: two 'split' columns"
}

@test "fuzz transitions, tls-table: a NUL byte in a table is refused naming the line (the rest of its line was ignored)" {
    printf '#i\tj\tei\tej\tnij\tnji\tri\tki\trj\tkj\n0\t1\t-1\t-2\t1\t0\t0\t0\t0\t1\0junk\n' > tr.tsv
    for k in 0 1; do
        printf '1\nLattice="2 0 0 0 2 0 0 0 2" Properties=species:S:1:pos:R:3:radius:R:1 id=%d epot=-%d run=0 k=%d\nAr 1 1 1 0.5\n' \
            $k $((k + 1)) $k
    done > m.xyz
    xrun pair-select --transitions tr.tsv m.xyz
    one_error "pair-select: tr.tsv:2: a NUL byte: not a text file"
    h=$'#id\tmass\te1\te2\tsplit\tdelta0\tdV\tVb\td\tPR\terr\tflag'
    printf '%s\n0.0\t4000\t0.005\t0.013\t0.0084\t0.0079\t0.0029\t0.0016\t0.198\t13.04\t2.25e-10\t0\0junk\n' "$h" > t.tsv
    xrun tls-density -N 150 t.tsv
    one_error "tls-density: t.tsv:2: a NUL byte: not a text file"
}

@test "fuzz frame-lammps: a LAMMPS dump with a radius or a scaled position that overflows is refused (the frame carried inf)" {
    dump() {
        printf 'ITEM: TIMESTEP\n100\nITEM: NUMBER OF ATOMS\n1\nITEM: BOX BOUNDS pp pp pp\n0 4\n0 4\n0 4\n'
        printf 'ITEM: ATOMS id type radius %s\n1 1 %s\n' "$1" "$2"
    }
    dump "x y z" "1e308 1 1 1" > r.dump
    xrun conf-convert r.dump
    one_error "conf-convert: r.dump:10: frame 1: atom id 1: radius 1e308: the diameter (twice the radius) is not finite"
    dump "xs ys zs" "0.5 0.5 1e308 0.5" > s.dump
    xrun conf-convert s.dump
    one_error "conf-convert: s.dump:10: frame 1: atom id 1: scaled position 1e308: y is not finite"
    dump "xs ys zs" "0.5 0.5 0.25 0.5" > ok.dump
    conf-convert ok.dump | grep -q '^Ar 2 1 2 0.5 1$'
}

@test "fuzz frame-bin: ids a LAMMPS data file cannot hold (repeated, not positive) are refused by the LAMMPS writer and reader" {
    xyz() { printf '2\nLattice="2 0 0 0 2 0 0 0 2" Properties=species:S:1:pos:R:3:radius:R:1:id:I:1\nAr 0.5 0.5 0.5 0.5 %s\nAr 1.5 1.5 1.5 0.5 %s\n' "$1" "$2"; }
    xyz 7 7 > dup.xyz
    xrun conf-convert -t lammps -o dup.data dup.xyz
    one_error "conf-convert: LAMMPS data file: atom id 7 appears twice (LAMMPS ids are distinct positive integers)"
    [ ! -e dup.data ]
    xyz 3 0 > zero.xyz
    xrun conf-convert -t lammps zero.xyz
    one_error "conf-convert: LAMMPS data file: atom id 0 is not positive (LAMMPS ids are distinct positive integers)"
    [ -z "$output" ]
    # as before, any other ids in any order: atoms written and read back in id order
    xyz 9 4 | conf-convert -t lammps | conf-convert | awk 'NR > 2 { print $2, $6 }' | paste -sd' ' |
        grep -qx '1.5 4 0.5 9'
    xyz 9 4 | conf-convert -t lammps | sed 's/^4 1 /0 1 /' > zero.data
    xrun conf-convert zero.data
    one_error "conf-convert: zero.data:17: frame 1: Atoms line 2: atom id 0 is not positive"
}

@test "fuzz frame-bin: a subnormal diameter is refused (its radius did not read back exactly as extended XYZ)" {
    printf '1\nLattice="2 0 0 0 2 0 0 0 2" Properties=species:S:1:pos:R:3:radius:R:1\nAr 1 1 1 1e-310\n' > r.xyz
    xrun conf-convert r.xyz
    one_error "conf-convert: r.xyz:3: frame 1: atom 1: radius 1e-310 is too small (the diameter must be at least 4.4501477170144028e-308)"
    printf '1\nLattice="2 0 0 0 2 0 0 0 2" Properties=species:S:1:pos:R:3:radius:R:1\nAr 1 1 1 0.5\n' |
        conf-convert -t lammps | sed 's/^1 1 1 /1 1 4e-319 /' > s.data
    xrun conf-convert s.data
    one_error "conf-convert: s.data:16: frame 1: atom id 1: diameter 4e-319 is too small (at least 4.4501477170144028e-308)"
}

@test "fuzz frame-xyz: a LAMMPS dump's TIMESTEP followed by a long line keeps its timestep (the item name was read from freed memory)" {
    { echo 'ITEM: TIMESTEP'; printf '100%300s\n' ''; printf 'ITEM: NUMBER OF ATOMS\n1\nITEM: BOX BOUNDS pp pp pp\n0 4\n0 4\n0 4\n'
      printf 'ITEM: ATOMS id type q x y z\n1 1 1 2 2 2\n'; } > long.dump
    xrun conf-convert long.dump
    [ "$status" -eq 0 ] && [ -z "$stderr" ]
    [[ $output == *' timestep=100'* ]]
}

@test "fuzz frame-lammps: a frame that claims 2e8 atoms in a few lines is refused as truncated, without reserving gigabytes first" {
    [ "$SLOW" -eq 1 ] || skip "a memory limit and the sanitisers' reservations do not mix"
    n=200000000
    printf '%d\nLattice="2 0 0 0 2 0 0 0 2" Properties=species:S:1:pos:R:3:radius:R:1\nAr 1 1 1 0.5\n' $n > big.xyz
    { printf 'TLSKIT-FRAME 1\nnatoms=%d\nbox=2\norigin=0 0 0\narrays=pos sigma\nEND\n' $n; head -c 80 /dev/zero; } > big.bin
    printf 'LAMMPS data file\n\n%d atoms\n1 atom types\n\n0 2 xlo xhi\n0 2 ylo yhi\n0 2 zlo zhi\n\nAtoms # charge\n\n1 1 1 0.5 0.5 0.5\n\nVelocities\n\n1 0 0 0\n' $n > big.data
    printf 'ITEM: TIMESTEP\n0\nITEM: NUMBER OF ATOMS\n%d\nITEM: BOX BOUNDS pp pp pp\n0 2\n0 2\n0 2\nITEM: ATOMS id type q x y z\n1 1 1 1 1 1\n' $n > big.dump
    # 300 MB of address space: the frames' arrays for 2e8 atoms need 10 GB
    for f in big.xyz big.bin big.data big.dump; do
        ( ulimit -v 300000; conf-convert "$f" > /dev/null 2> "$f.err" ) || true
        cat "$f.err"
        grep -Eq "truncated|cut short" "$f.err" && ! grep -q "out of memory" "$f.err"
    done
}
