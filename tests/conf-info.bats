#!/usr/bin/env bats
# conf-info reproduces the reference glasses of tests/data/reference: energy per
# particle to 1e-9 (the file names) and the largest force component to the
# digits given in its README.

load helpers

check_ref() { # file e fmax
    run conf-info "$REF/$1"
    [ "$status" -eq 0 ]
    e=$(printf '%s\n' "$output" | col epot)
    fm=$(printf '%s\n' "$output" | col fmax)
    awk -v a="$e" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d < 1e-9) }' || {
        echo "epot $e vs $2"; return 1; }
    close_to "$fm" "$3" 5e-4
}

@test "reference minimum 2.044404608E-01: e and fmax" {
    check_ref 2.044404608E-01.conf.txt 0.2044404608 1.110e-05
}

@test "reference minimum 2.045088163E-01: e and fmax" {
    check_ref 2.045088163E-01.conf.txt 0.2045088163 1.439e-05
}

@test "reference minimum 2.047608997E-01: e and fmax" {
    check_ref 2.047608997E-01.conf.txt 0.2047608997 2.775e-05
}

@test "reference non-minimum 2.044849555E-01: e and fmax" {
    check_ref 2.044849555E-01.conf.txt 0.2044849555 8.392e-01
}

@test "every file gives one row, in order, with the header once" {
    run conf-info "$REF"/*.conf.txt
    [ "$status" -eq 0 ]
    [ "${#lines[@]}" -eq 5 ]
    [ "${lines[0]}" = "#input	frame	natoms	box	rho	epot	fmax	pressure	ekin" ]
    run conf-info --no-header "$REF_MIN"
    [ "${#lines[@]}" -eq 1 ]
}

@test "the result does not depend on the Verlet skin" {
    a=$(conf-info --skin 0.1 "$REF_NOTMIN" | cut -f6-)
    b=$(conf-info --skin 0.7 "$REF_NOTMIN" | cut -f6-)
    [ "$a" = "$b" ] || { echo "$a"; echo "$b"; false; }
}

@test "pressure: virial part only without velocities, plus 2K/(3V) with them" {
    p0=$(conf-info "$REF_MIN" | col pressure)
    # velocities of +-1 in x only: K = N/2, p adds 2K/(3V) = N/(3V)
    cd "$BATS_TEST_TMPDIR"
    conf-convert "$REF_MIN" | awk 'NR == 2 { sub(/:id:I:1/, ":id:I:1:velo:R:3") }
        NR > 2 { v = NR % 2 ? 1 : -1; $0 = $0 " " v " 0 0" } { print }' > v.xyz
    run conf-info v.xyz
    p1=$(printf '%s\n' "$output" | col pressure)
    ek=$(printf '%s\n' "$output" | col ekin)
    close_to "$ek" 0.5 1e-12
    expect=$(awk -v p="$p0" 'BEGIN { n = 1500; V = 11.447142426 ^ 3; printf "%.17g", p + n / (3 * V) }')
    close_to "$p1" "$expect" 1e-8
}
