#!/usr/bin/env bats
# tls-heat against closed forms (Schottky, a flat n(E), Einstein oscillators),
# conf-modes --modes on a lattice whose spectrum is known, and the heat
# target of the pipeline at the tiny scale.

load helpers

TOP="$BATS_TEST_DIRNAME/.."
H='#id\tmass\te1\te2\tsplit\tdelta0\tdV\tVb\td\tPR\terr\tflag\n'
TQ=0.0015707963267948966   # 2 pi / 4000

setup() {
    cd "$BATS_TEST_TMPDIR"
}

# a mode table of one glass of N particles: 3 zero modes, then omega...
modes() {
    local n=$1; shift
    printf '#input\tframe\tk\tlambda\tomega\tpr\tpr_atoms\n'
    printf 'g\t1\t%d\t0\t0\t%d\t%d\n' 0 "$n" "$n" 1 "$n" "$n" 2 "$n" "$n"
    local k=3
    for w in "$@"; do printf 'g\t1\t%d\t%s\t%s\t2\t1.5\n' $k "$(awk -v w="$w" 'BEGIN { print w * w }')" "$w"; k=$((k + 1)); done
}

@test "a single two-level system: the Schottky peak at T = 0.4168 E, height 0.4392, and the closed form at every T" {
    printf "$H"'a\t4000\t0\t1\t%s\tnan\t0\t0.01\t0.5\t4\t1e-9\t0\n' $TQ > one.tsv
    tls-heat -N 1 --range 0.1:10 --per-decade 2000 one.tsv > h.tsv
    read t m < <(awk -F'\t' 'NR > 1 && $4 > m { m = $4; t = $3 } END { print t, m }' h.tsv)
    # x tanh(x / 2) = 2: x = 2.399357, T / E = 0.416778; height 0.439229
    close_to "$t" 0.416778 2e-3
    close_to "$m" 0.439229 1e-5
    # every row: x^2 e^x / (1 + e^x)^2 with x = E / T; no modes: harmonic nan
    awk -F'\t' -v e=$TQ 'NR > 1 { x = e / $2; c = x * x * exp(x) / (1 + exp(x))^2; d = $4 - c;
        if (d < 0) d = -d; if (d > 2e-6 * c + 1e-300) { print "row " NR ": " $4 " vs " c; bad = 1 }
        if ($5 != "nan" || $7 != "nan") { print "harmonic not nan: " $0; bad = 1 } } END { exit bad }' h.tsv
    # per particle and glass: 10 particles, 2 glasses (one without a table)
    tls-heat -N 10 --glasses 2 --range 0.1:10 --per-decade 2000 one.tsv > h2.tsv
    close_to "$(awk -F'\t' 'NR > 1 && $4 > m { m = $4 } END { print m }' h2.tsv)" 0.0219614 1e-5
}

@test "a flat n(E) = n0 E: c_tls = (pi^2 / 6) n0 T at small T, n0_heat = n0" {
    # K splittings evenly over [0, 20 T_Q] in one glass of N = 1000
    awk -v h="$H" -v tq=$TQ 'BEGIN { printf h; K = 20000; for (k = 0; k < K; k++)
        printf "d%d\t4000\t0\t1\t%.17g\tnan\t0\t0.01\t0.5\t4\t1e-9\t0\n", k, (k + 0.5) * 20 * tq / K }' > flat.tsv
    n0=$(awk -v tq=$TQ 'BEGIN { printf "%.10g", 20000 / (1000 * 20 * tq) }')
    tls-heat -N 1000 --range 0.01:1 --per-decade 10 flat.tsv > h.tsv
    [ "$(grep -vc '^#' h.tsv)" -eq 21 ]
    awk -F'\t' -v n0="$n0" 'NR > 1 { c = 1.6449340668482264 * n0 * $2; d = $4 / c - 1; e = $8 / n0 - 1;
        if (d < 0) d = -d; if (e < 0) e = -e;
        if (d > 1e-4 || e > 1e-4) { print "T/T_Q " $3 ": c_tls " $4 " vs " c ", n0_heat " $8 " vs " n0; bad = 1 } }
        END { exit bad }' h.tsv
    # the summary: n0_heat at T = 0.1 T_Q
    tls-heat -N 1000 --summary s.tsv flat.tsv > /dev/null
    close_to "$(col n0_heat < s.tsv)" "$n0" 1e-4
    [ "$(col ndwp < s.tsv)" = 20000 ]
}

@test "harmonic oscillators: the Einstein form per mode, zero modes left out, 1 per mode at high T" {
    modes 2 1 2 3 > m.tsv
    tls-heat -N 2 -M m.tsv --range 0.01:1e5 --per-decade 5 > h.tsv
    # c = sum over omega = 1, 2, 3 of y^2 e^y / (e^y - 1)^2, y = omega / (sqrt(4000) T), / N
    awk -F'\t' 'NR > 1 { s = 0; for (w = 1; w <= 3; w++) { y = w / sqrt(4000) / $2;
            s += y * y * exp(-y) / (1 - exp(-y))^2 }
        c = s / 2; d = $5 - c; if (d < 0) d = -d;
        if (d > 2e-6 * c + 1e-300) { print "T " $2 ": " $5 " vs " c; bad = 1 }
        if ($4 != "nan") { print "TLS not nan without tables: " $0; bad = 1 } } END { exit bad }' h.tsv
    # the classical limit: 3 modes of 2 particles, 1.5 per particle (not 3 with the translations)
    close_to "$(tail -1 h.tsv | cut -f5)" 1.5 1e-6
    # the quasi-localised part: pr_atoms 1.5 is not below 0.1 N = 0.2; below 1 N, all are
    [ "$(tail -1 h.tsv | cut -f6)" = 0.000000e+00 ]
    tls-heat -N 2 -M m.tsv --qlm-frac 1 --range 0.01:1e5 --per-decade 5 > q.tsv
    [ "$(tail -1 q.tsv | cut -f5)" = "$(tail -1 q.tsv | cut -f6)" ]
    # two glasses: the average per glass
    modes 2 2 4 6 > m2.tsv
    tls-heat -N 2 -M m.tsv -M m2.tsv --summary s.tsv --range 0.01:1e5 --per-decade 5 > h2.tsv
    [ "$(col nmodeglass < s.tsv)" = 2 ]
    [ "$(col nzero < s.tsv)" = 3 ]
    [ "$(col omega_min < s.tsv)" = 1 ]
    close_to "$(tail -1 h2.tsv | cut -f5)" 1.5 1e-6
}

@test "the crossover T_x: c_tls = c_harm there, in reduced and laboratory units" {
    # one TLS with E = T_Q against one oscillator with hbar omega = 20 T_Q, N = 1
    printf "$H"'a\t4000\t0\t1\t%s\tnan\t0\t0.01\t0.5\t4\t1e-9\t0\n' $TQ > one.tsv
    w=$(awk -v tq=$TQ 'BEGIN { printf "%.17g", 20 * tq * sqrt(4000) }')
    { printf '#input\tframe\tk\tlambda\tomega\tpr\tpr_atoms\n'
      printf 'g\t1\t0\t0\t0\t1\t1\ng\t1\t1\t0\t0\t1\t1\ng\t1\t2\t1\t%s\t1\t1\n' "$w"; } > m.tsv
    run tls-heat -N 1 -M m.tsv --summary s.tsv -o h.tsv one.tsv
    [ "$status" -eq 0 ]
    [[ $output == *"2 zero modes in 1 frames"* ]]
    tx=$(col T_x < s.tsv)
    # at T_x the two closed forms agree
    awk -v t="$tx" -v tq=$TQ 'BEGIN { x = tq / t; y = 20 * tq / t; s = x * x * exp(x) / (1 + exp(x))^2;
        e = y * y * exp(y) / (exp(y) - 1)^2; d = s / e - 1; if (d < 0) d = -d; print x, y, s, e; exit !(d < 1e-6) }'
    close_to "$(col T_x_TQ < s.tsv)" "$(awk -v t="$tx" -v tq=$TQ 'BEGIN { print t / tq }')" 1e-5
    close_to "$(col T_x_ar < s.tsv)" "$(awk -v t="$tx" 'BEGIN { print t * 6.6e-21 / 1.380649e-23 }')" 1e-5
    close_to "$(col T_x_ni < s.tsv)" "$(awk -v t="$tx" 'BEGIN { print t * 6.14e-20 / 1.380649e-23 }')" 1e-5
    # below T_x the TLS term is above, beyond it below: the ratio column
    awk -F'\t' -v t="$tx" 'NR > 1 && $5 > 0 { if (($2 < t) != ($7 > 1)) { print "T " $2 " ratio " $7; bad = 1 } }
        END { exit bad }' h.tsv
    # laboratory columns: T epsilon / k_B, C k_B / sigma^3
    awk -F'\t' 'NR == 40 { a = $2 * 6.6e-21 / 1.380649e-23; b = $4 * 1.380649e-23 / 3.4e-10^3;
        c = $5 * 1.380649e-23 / 2.21e-10^3;
        exit !(($9 / a - 1)^2 < 1e-10 && ($10 / b - 1)^2 < 1e-10 && ($14 / c - 1)^2 < 1e-10) }' h.tsv
}

@test "no crossover: said so, T_x = nan; masses as in tls-density" {
    printf "$H"'a\t4000\t0\t1\t1e-9\tnan\t0\t0.01\t0.5\t4\t1e-9\t0\na\t27504\t0\t1\t1e-9\tnan\t0\t0.01\t0.5\t4\t1e-9\t0\n' > far.tsv
    { printf '#input\tframe\tk\tlambda\tomega\tpr\tpr_atoms\n'
      printf 'g\t1\t0\t0\t0\t1\t1\ng\t1\t1\t0\t0\t1\t1\ng\t1\t2\t0\t0\t1\t1\n'; } > z.tsv
    # only zero modes: the harmonic term is 0, the TLS term wins everywhere
    run tls-heat -N 1 -M z.tsv --summary s.tsv -o h.tsv far.tsv
    [ "$status" -eq 0 ]
    [[ $output == *"mass 4000: the TLS term exceeds the harmonic term up to the top of the grid"* ]]
    [ "$(grep -vc '^#' s.tsv)" -eq 2 ]
    [ "$(col T_x < s.tsv)" = nan ]
    [ "$(awk -F'\t' '!/^#/ { print $1 }' h.tsv | uniq | tr '\n' ' ')" = "4000 27504 " ]
    tls-heat -N 1 --mass 27504 -M z.tsv far.tsv 2> err > h2.tsv
    grep -q '1 rows of masses not given by --mass are left out' err
    [ "$(awk -F'\t' '!/^#/ { print $1 }' h2.tsv | uniq)" = 27504 ]
}

@test "bad input: usage errors exit 2, data errors exit 1 naming the file and line" {
    modes 2 1 2 3 > m.tsv
    run tls-heat -M m.tsv
    [ "$status" -eq 2 ]
    [[ $output == *"--natoms is required"* ]]
    run tls-heat -N 2
    [ "$status" -eq 2 ]
    run tls-heat -N 2 --range 5:1 -M m.tsv
    [ "$status" -eq 2 ]
    [[ $output == *"--range: '5:1'"* ]]
    # a negative mode: not a minimum
    modes 2 1 2 -3 > neg.tsv
    run tls-heat -N 2 -M neg.tsv
    [ "$status" -eq 1 ]
    [[ $output == *"neg.tsv:7: frame 1: mode with omega -3 < 0"*"md-quench --minimize"* ]]
    # the wrong number of modes for N
    run tls-heat -N 3 -M m.tsv
    [ "$status" -eq 1 ]
    [[ $output == *"m.tsv:7: frame 1 has 6 modes, not 3N = 9"* ]]
    printf '#input\tframe\tk\tlambda\tomega\npx\t1\t0\t0\tabc\n' > bad.tsv
    run tls-heat -N 2 -M bad.tsv
    [ "$status" -eq 1 ]
    [[ $output == *"bad.tsv:2: column omega: 'abc'"* ]]
    printf 'k\tlambda\n' > nohead.tsv
    run tls-heat -N 2 -M nohead.tsv
    [ "$status" -eq 1 ]
    [[ $output == *"nohead.tsv:1: no '#' header"* ]]
    # the TLS tables: the readers of tls-density
    printf "$H"'x\t4000\t1\t1\t-1\tnan\t0\t0\t0.5\t1\t0\t0\n' > badt.tsv
    run tls-heat -N 2 badt.tsv
    [ "$status" -eq 1 ]
    [[ $output == *"badt.tsv:2: column split"* ]]
    # outputs are atomic: nothing under the name after an error
    run tls-heat -N 2 -M neg.tsv -o out.tsv --summary sum.tsv
    [ "$status" -eq 1 ]
    [ ! -e out.tsv ] && [ ! -e sum.tsv ]
}

# a simple cubic crystal of M^3 equal spheres (sigma 1), spacing a: only the
# six nearest neighbours interact (a < 1.25 < a sqrt 2), and the Hessian is
# the dynamical matrix at k = 2 pi (i, j, l) / (M a):
#   lambda_x = 2 v'' (1 - cos k_x a) + 2 (v'/a) (2 - cos k_y a - cos k_z a), ...
sc_frame() {
    awk -v M=3 -v a=1.1 'BEGIN { L = M * a; print M^3
        printf "Lattice=\"%.17g 0 0 0 %.17g 0 0 0 %.17g\" Properties=species:S:1:pos:R:3:radius:R:1 pbc=\"T T T\"\n", L, L, L
        for (i = 0; i < M; i++) for (j = 0; j < M; j++) for (k = 0; k < M; k++)
            printf "A %.17g %.17g %.17g 0.5\n", i * a, j * a, k * a }'
}
sc_spectrum() {
    awk -v M=3 -v a=1.1 'BEGIN { xc = 1.25; c2 = 48 / xc^14; c4 = -21 / xc^16; x = a
        v1 = -12 * x^-13 + 2 * c2 * x + 4 * c4 * x^3; v2 = 156 * x^-14 + 2 * c2 + 12 * c4 * x^2; pi = atan2(0, -1)
        for (i = 0; i < M; i++) for (j = 0; j < M; j++) for (k = 0; k < M; k++) {
            cx = 1 - cos(2 * pi * i / M); cy = 1 - cos(2 * pi * j / M); cz = 1 - cos(2 * pi * k / M)
            printf "%.15g\n%.15g\n%.15g\n", 2 * v2 * cx + 2 * v1 / a * (cy + cz),
                2 * v2 * cy + 2 * v1 / a * (cx + cz), 2 * v2 * cz + 2 * v1 / a * (cx + cy) } }' | sort -g
}

@test "conf-modes: the spectrum of a simple cubic crystal in closed form; frequencies, zero and unstable modes" {
    sc_frame > sc.xyz
    sc_spectrum > want
    conf-modes --eigenvalues --no-header sc.xyz | cut -f4 > got
    [ "$(wc -l < got)" -eq 81 ]
    paste want got | awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > m) m = d } END { print m; exit !(m < 1e-9) }'
    # the repulsive pairs pull the transverse waves below zero: 24 unstable
    # modes, the 3 translations, 54 vibrations
    conf-modes sc.xyz > s.tsv
    [ "$(col nneg < s.tsv)" = 24 ] && [ "$(col nzero < s.tsv)" = 3 ]
    conf-modes --modes -o m.tsv sc.xyz
    head -1 m.tsv | grep -q $'^#input\tframe\tk\tlambda\tomega\tpr\tpr_atoms$'
    # omega = sqrt(lambda), -sqrt(-lambda) below zero, exactly 0 for the
    # translations, which move every particle alike (pr_atoms = N)
    awk -F'\t' 'NR > 1 { l = $4; w = $5
        if (l > 1e-6) { if ((w * w / l - 1)^2 > 1e-20) bad = 1 }
        else if (l < -1e-6) { if (!(w < 0) || (w * w / -l - 1)^2 > 1e-20) bad = 1 }
        else { z++; if (w != 0 || ($7 - 27)^2 > 1e-8) bad = 1 }
        if ($6 < 1 || $6 > 81 || $7 < 1 || $7 > 27) bad = 1 }
        END { exit bad || z != 3 }' m.tsv
    paste want <(cut -f4 m.tsv | tail -n +2) | awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > m) m = d } END { exit !(m < 1e-9) }'
    run conf-modes --modes --eigenvalues sc.xyz
    [ "$status" -eq 2 ]
    # tls-heat refuses it: not a minimum
    run tls-heat -N 27 -M m.tsv
    [ "$status" -eq 1 ]
    [[ $output == *"m.tsv:2: frame 1: mode with omega"*"not a minimum"* ]]
}

@test "a minimised glass: no unstable mode, 3 translations, phonons extended; the classical limit (3N - 3) / N" {
    conf-gen -N 150 --seed 2 | md-quench -T 0.04 --minimize > is.xyz
    conf-modes --modes -o m.tsv is.xyz
    awk -F'\t' 'NR > 1 { if ($5 < 0) neg++; if ($5 == 0) z++ } END { exit neg || z != 3 }' m.tsv
    tls-heat -N 150 -M m.tsv --range 1:1e6 --per-decade 1 > h.tsv
    close_to "$(tail -1 h.tsv | cut -f5)" "$(awk 'BEGIN { print 447 / 150 }')" 1e-4
    # the quasi-localised part is a part
    awk -F'\t' 'NR > 1 && !($6 >= 0 && $6 <= $5) { bad = 1 } END { exit bad }' h.tsv
}

@test "the pipeline's heat target: modes of the minimised glasses, C(T) per Tf, the figure" {
    [ "$SLOW" -eq 1 ] || skip "the pipeline runs every stage: too slow under the sanitisers"
    make --no-print-directory -s -f "$TOP/pipelines/tls.mk" SCALE=tiny BIN="$TLSKIT_BIN" OUT=p -j2 heat > out 2>&1 \
        || { cat out; false; }
    for tf in 0.2 0.15; do
        for g in 1 2; do
            m=p/Tf$tf/g$g/modes.tsv
            [ "$(grep -vc '^#' $m)" -eq 450 ]
            # conf-modes ran on the minimised glass: no unstable mode
            awk -F'\t' 'NR > 1 && $5 < 0 { exit 1 } NR > 1 && $5 == 0 { z++ } END { exit z != 3 }' $m
        done
        h=p/Tf$tf/heat.tsv
        head -1 $h | grep -q '^#mass'
        [ "$(grep -vc '^#' $h)" -eq 101 ]
        [ "$(grep -vc '^#' p/Tf$tf/heat-summary.tsv)" -eq 1 ]
    done
    head -c 8 p/heat.png | od -c | grep -q 'P   N   G'
    # again: nothing to do
    touch marker
    sleep 1
    make --no-print-directory -s -f "$TOP/pipelines/tls.mk" SCALE=tiny BIN="$TLSKIT_BIN" OUT=p heat > again 2>&1
    [ -z "$(find p -type f -newer marker)" ]
}
