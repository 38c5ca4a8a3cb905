#!/usr/bin/env bats
# Frame streams: exact round trips between the three formats, multi-frame
# streams, metadata pass-through, and real clients (ASE, LAMMPS) reading ours.

load helpers

setup() {
    cd "$BATS_TEST_TMPDIR"
}

@test "LAMMPS data -> xyz -> binary -> xyz is exact" {
    conf-convert -t xyz "$REF_MIN" > a.xyz
    conf-convert -t bin a.xyz > a.bin
    conf-convert -t xyz a.bin > b.xyz
    cmp a.xyz b.xyz
    # and the numbers are the LAMMPS file's own: compare diameters and positions
    awk 'NR > 2 { printf "%s %s %s %.17g\n", $2, $3, $4, 2 * $5 }' a.xyz > ours
    awk '/^Atoms/ { on = 1; next } on && NF == 9 { print $4, $5, $6, $3 }' "$REF_MIN" > theirs
    awk 'NR == FNR { a[FNR] = $0; next } { split(a[FNR], u, " "); for (k = 1; k <= 4; k++) if (u[k] + 0 != $k + 0) { print "row " FNR ": " a[FNR] " vs " $0; bad = 1; exit } } END { exit bad }' ours theirs
    [ "$(wc -l < ours)" -eq 1500 ]
}

@test "binary -> LAMMPS -> binary keeps every position and diameter" {
    conf-convert -t bin "$REF_MIN" > a.bin
    conf-convert -t lammps a.bin > a.data
    conf-convert -t bin a.data > b.bin
    conf-convert -t xyz a.bin | tail -n +3 > a.rows
    conf-convert -t xyz b.bin | tail -n +3 > b.rows
    cmp a.rows b.rows
}

@test "binary is much smaller to parse: same frames, byte-exact twin" {
    conf-gen -N 200 --seed 4 > g.xyz
    conf-convert -t bin g.xyz g.xyz > two.bin
    run conf-info two.bin
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 3 ]
    [ "$(echo "${lines[1]}" | cut -f3-)" = "$(echo "${lines[2]}" | cut -f3-)" ]
    conf-convert two.bin > two.xyz
    cat g.xyz g.xyz | cmp - two.xyz
}

@test "velocities and ids survive every format" {
    conf-gen -N 150 --seed 2 > g.xyz
    # add velocities and ids by hand
    awk 'NR == 1 { print; next }
         NR == 2 { sub(/radius:R:1/, "radius:R:1:velo:R:3:id:I:1"); print; next }
         { printf "%s %.17g %.17g %.17g %d\n", $0, (NR % 7) / 8, -(NR % 5) / 16, (NR % 3) / 4, 1000 - NR }' g.xyz > v.xyz
    conf-convert -t bin v.xyz | conf-convert -t xyz > v2.xyz
    cmp v.xyz v2.xyz
    conf-convert -t lammps v.xyz > v.data
    grep -q '^Velocities' v.data
    # LAMMPS frames come back sorted by id
    conf-convert -t xyz v.data | tail -n +3 | sort -k9,9n > from_lmp
    tail -n +3 v.xyz | sort -k9,9n > sorted
    cmp from_lmp sorted
}

@test "metadata a filter does not know passes through unchanged, quoting included" {
    conf-gen -N 150 --seed 1 | conf-convert --set Tf=0.07 --set 'note=two words "quoted"' > m.xyz
    conf-convert -t bin m.xyz | conf-convert -t xyz > m2.xyz
    cmp m.xyz m2.xyz
    grep -q 'Tf=0.07' m2.xyz
    grep -q 'note="two words \\"quoted\\""' m2.xyz
    conf-convert --unset note m.xyz | grep -vq 'note='
}

@test "a stream mixing formats is read frame by frame" {
    conf-gen -N 150 --seed 1 > a.xyz
    conf-convert -t bin a.xyz > a.bin
    cat a.xyz a.bin "$REF_MIN" a.xyz > mixed
    run conf-info mixed
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 5 ]
    [ "$(echo "${lines[3]}" | cut -f3)" = 1500 ]
    [ "$(echo "${lines[4]}" | cut -f2)" = 4 ]
}

@test "ASE reads our xyz frames: same N, cell, positions and radii" {
    conf-convert "$REF_MIN" > a.xyz
    conf-gen -N 150 --seed 9 >> a.xyz
    /usr/bin/python3 - a.xyz "$REF_MIN" <<'PY'
import sys
import ase.io
import numpy as np
frames = ase.io.read(sys.argv[1], ':')
assert len(frames) == 2, len(frames)
a = frames[0]
assert len(a) == 1500
assert np.allclose(a.cell.lengths(), [11.447142426] * 3, rtol=0, atol=1e-9)
assert np.allclose(a.cell.angles(), [90, 90, 90])
assert all(a.pbc)
rows = []
on = False
for line in open(sys.argv[2]):
    w = line.split()
    if line.startswith('Atoms'):
        on = True
        continue
    if on and len(w) == 9:
        rows.append([float(t) for t in w])
rows = np.array(sorted(rows))
assert np.array_equal(a.positions, rows[:, 3:6]), "positions differ"
assert np.array_equal(2 * a.arrays['radius'], rows[:, 2]), "diameters differ"
assert len(frames[1]) == 150
print("ASE ok")
PY
}

@test "LAMMPS reads our data file and writes back the same configuration" {
    command -v lmp >/dev/null || skip "lmp (Debian lammps) not installed"
    conf-convert -t lammps "$REF_MIN" > in.data
    cat > in.lmp <<'LMP'
units lj
atom_style charge
read_data in.data
write_data out.data
LMP
    lmp -log none -screen none -in in.lmp
    # LAMMPS 2021 prints 16 significant digits: equal to roundoff, not bits
    conf-convert -t xyz out.data | tail -n +3 > a
    conf-convert -t xyz "$REF_MIN" | tail -n +3 > b
    [ "$(wc -l < a)" -eq 1500 ]
    paste -d' ' a b | awk '{ for (k = 2; k <= 5; k++) { d = $k - $(k + 9); if (d < 0) d = -d; if (d > 2e-15 * 8) { print "line " NR ": " $0; exit 1 } } }'
    e1=$(conf-info out.data | col epot)
    close_to "$e1" 0.2044404608 5e-9
}

@test "conf-convert --split: one file per frame, named by a pattern; a multi-frame LAMMPS output needs it" {
    conf-gen -N 100 --seed 1 > a.xyz
    conf-gen -N 100 --seed 2 > b.xyz
    cat a.xyz b.xyz a.xyz > abc.xyz
    conf-convert --split 'f%02d.xyz' abc.xyz
    cmp f01.xyz a.xyz && cmp f02.xyz b.xyz && cmp f03.xyz a.xyz
    [ ! -e f04.xyz ] && [ -z "$(conf-convert abc.xyz | head -c 0)" ]
    # LAMMPS data files, one per frame, numbered among the frames written
    conf-convert --frames 2:3 -t lammps --split 'in%d.data' abc.xyz
    conf-convert -t lammps b.xyz | cmp - in1.data
    conf-convert -t lammps a.xyz | cmp - in2.data
    [ ! -e in3.data ]
    # without --split a LAMMPS data file is one frame
    run conf-convert -t lammps abc.xyz
    [ "$status" -eq 1 ]
    [[ $output == *"abc.xyz: frame 2: a LAMMPS data file holds one frame"*"--split"* ]]
    # a pattern needs exactly one %d; -o and --split exclude each other
    for p in 'x.data' 'x%d%d' 'x%s' '%'; do
        run conf-convert --split "$p" a.xyz
        [ "$status" -eq 2 ] || { echo "pattern '$p': status $status"; false; }
    done
    run conf-convert --split 'y%d' -o z a.xyz
    [ "$status" -eq 2 ]
    conf-convert --split '100%%-%d.xyz' a.xyz && [ -e 100%-1.xyz ]
}

@test "LAMMPS dumps are read: columns by name, atoms by id, scaled positions, radius, several snapshots" {
    # two snapshots of three atoms, out of id order, in two column layouts
    cat > d.dump <<'D'
ITEM: TIMESTEP
100
ITEM: NUMBER OF ATOMS
3
ITEM: BOX BOUNDS pp pp pp
0 4
0 4
0 4
ITEM: ATOMS id type q x y z vx vy vz
3 1 1.5 3 3 3 0.3 0.3 0.3
1 1 0.8 1 1 1 0.1 0.1 0.1
2 2 1.2 2 2 2 0.2 0.2 0.2
ITEM: TIMESTEP
200
ITEM: NUMBER OF ATOMS
3
ITEM: BOX BOUNDS xy xz yz pp pp pp
0 4 0
0 4 0
0 4 0
ITEM: ATOMS radius id xs ys zs
0.6 2 0.5 0.5 0.25
0.4 1 0.25 0.25 0.5
0.75 3 0.75 0.75 0.75
D
    conf-convert d.dump > d.xyz
    [ "$(grep -c '^3$' d.xyz)" -eq 2 ]
    sed -n 2p d.xyz | grep -q ' timestep=100'
    sed -n 7p d.xyz | grep -q ' timestep=200'
    # id order; diameter = q or 2 radius; xs scaled by the box
    [ "$(sed -n 3p d.xyz | awk '{ print $2, $5, $6, $9 }')" = "1 0.40000000000000002 0.10000000000000001 1" ]
    [ "$(sed -n 8,10p d.xyz | awk '{ printf "%s %s %s %s;", $2, $3, $4, $5 }')" = "1 1 2 0.40000000000000002;2 2 1 0.59999999999999998;3 3 3 0.75;" ]
    # what is wrong is named, with the line
    sed 's/ATOMS id type q x y z vx vy vz/ATOMS id type x y z/; s/^\([0-9]\) \([0-9]\) [0-9.]* /\1 \2 /' d.dump | head -12 > nod.dump
    run conf-convert nod.dump
    [ "$status" -eq 1 ]
    [[ $output == "conf-convert: nod.dump:9: frame 1: LAMMPS dump: no diameter column"* ]]
    head -11 d.dump > short.dump
    run conf-convert short.dump
    [ "$status" -eq 1 ]
    [[ $output == *"short.dump: frame 1: truncated frame: ATOMS has 2 of 3 lines"* ]]
    sed '7s/0 4/0 5/' d.dump > box.dump
    run conf-convert box.dump
    [ "$status" -eq 1 ]
    [[ $output == *"the box is not cubic"* ]]
}

@test "LAMMPS's own dumps read back as the data file it wrote, exactly" {
    command -v lmp >/dev/null || skip "lmp (Debian lammps) not installed"
    conf-gen -N 150 --seed 3 | md-quench -T 0.04 --time 0.1 -t lammps > in.data
    cat > in.lmp <<'LMP'
units lj
atom_style charge
read_data in.data
write_data out.data
write_dump all custom d.dump id type q x y z vx vy vz modify format float %.17g
LMP
    lmp -log none -screen none -in in.lmp
    conf-convert out.data > a.xyz
    conf-convert d.dump | conf-convert --unset timestep > b.xyz
    # the data file has 16 digits, the dump 17: the same to roundoff
    paste -d' ' <(tail -n +3 a.xyz) <(tail -n +3 b.xyz) |
        awk '{ for (k = 2; k <= 9; k++) { d = $k - $(k + 9); if (d < 0) d = -d; if (d > 1e-14) { print "line " NR ": " $0; bad = 1 } } } END { exit bad }'
    [ "$(conf-info --no-header d.dump | cut -f3)" = 150 ]
}

# a frame of 4 diameters, 50 particles each: with --types 4 every particle
# keeps its own diameter, and only the tabulation is left
exact_types_frame() {
    conf-gen -N 200 --seed 7 |
        awk 'NR <= 2 { print; next } { r = (NR % 4 == 0) ? 0.4 : (NR % 4 == 1) ? 0.475 : (NR % 4 == 2) ? 0.55 : 0.65;
             $5 = r; print }' |
        md-quench -T 0.04 --time 0.5 --seed 2
}

@test "conf-convert --pair-table: LAMMPS with the tabulated model gives tlskit's energy and pressure (exact types)" {
    command -v lmp >/dev/null || skip "lmp (Debian lammps) not installed"
    exact_types_frame > g.xyz
    conf-convert -t lammps --types 4 --pair-table tab g.xyz > g.data
    [ "$(ls tab | wc -l)" -eq 11 ]        # 10 type pairs and pair.lmp
    grep -q '^4 atom types' g.data
    [ "$(grep -c '^pair_coeff' tab/pair.lmp)" -eq 10 ]
    cat > in.lmp <<'LMP'
units lj
atom_style charge
read_data g.data
include tab/pair.lmp
thermo_style custom step pe press
thermo_modify norm yes format float %.15g
run 0
LMP
    lmp -log log.lmp -screen none -in in.lmp
    read -r pe press < <(awk '/^ *Step /{ getline; print $2, $3; exit }' log.lmp)
    e=$(conf-info g.xyz | col epot)
    p=$(conf-info g.xyz | col pressure)
    echo "LAMMPS pe $pe press $press, tlskit $e $p"
    close_to "$pe" "$e" 1e-6
    close_to "$press" "$p" 1e-6
}

@test "conf-convert --pair-table: the binning error on the published glass is as documented (64 types: 0.26 %)" {
    command -v lmp >/dev/null || skip "lmp (Debian lammps) not installed"
    conf-convert -t lammps --pair-table tab "$REF_MIN" > g.data
    grep -q '^64 atom types' g.data
    # every frame of a --split must have the first frame's diameters
    conf-gen -N 1500 --seed 9 --random-diameters > other.xyz
    run conf-convert -t lammps --pair-table tab2 --split 'x%d.data' "$REF_MIN" other.xyz
    [ "$status" -eq 1 ]
    [[ $output == *"other.xyz: frame 1: not the diameters of the first frame"* ]]
    cat > in.lmp <<'LMP'
units lj
atom_style charge
read_data g.data
include tab/pair.lmp
thermo_style custom step pe
thermo_modify norm yes format float %.15g
run 0
LMP
    lmp -log log.lmp -screen none -in in.lmp
    pe=$(awk '/^ *Step /{ getline; print $2; exit }' log.lmp)
    e=$(conf-info "$REF_MIN" | col epot)
    echo "64 types: LAMMPS $pe, exact $e"
    awk -v a="$pe" -v b="$e" 'BEGIN { r = (a - b) / b; printf "relative error %.3g\n", r; exit !(r > 0.002 && r < 0.003) }'
}
