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
