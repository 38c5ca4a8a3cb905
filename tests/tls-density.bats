#!/usr/bin/env bats
# tls-density on constructed schrod1d tables: exact counts and conversions.

load helpers

setup() {
    cd "$BATS_TEST_TMPDIR"
    h='#id\tmass\te1\te2\tsplit\tdelta0\tdV\tVb\td\tPR\terr\tflag\n'
    printf "$h"'a\t4000\t0.1\t0.1001\t1e-4\tnan\t1e-5\t0.01\t0.5\t4\t1e-9\t0\nb\t4000\t0.1\t0.1002\t2e-4\tnan\t2e-5\t0.02\t0.6\t9\t1e-9\t0\nc\t4000\t0.1\t0.105\t5e-3\tnan\t3e-5\t0.03\t0.7\t16\t1e-9\t0\n' > g1.tsv
    printf "$h"'d\t4000\t0.1\t0.1003\t3e-4\tnan\t4e-5\t0.04\t0.8\t25\t1e-9\t0\n' > g2.tsv
}

@test "n(E) counts DWPs below E per particle and glass; n_active below 2 pi / mt" {
    tls-density -N 100 --curve c.tsv g1.tsv g2.tsv > s.tsv
    cat s.tsv
    [ "$(col ndwp < s.tsv)" = 4 ]
    [ "$(col ntls < s.tsv)" = 3 ]          # 1e-4, 2e-4, 3e-4 < 2 pi / 4000 = 1.57e-3
    [ "$(col n_active < s.tsv)" = 3 ]
    [ "$(col nglass < s.tsv)" = 2 ]
    close_to "$(col eq < s.tsv)" 0.0015707963267948966 1e-6
    # n(E) at grid points: E = 1e-3 -> 3 / (100 x 2); E = 1e-2 -> 4 / 200
    awk -F'\t' '$2 == "1.000000e-03" { print $3 }' c.tsv > n3
    close_to "$(cat n3)" 0.015 1e-9
    awk -F'\t' '$2 == "1.000000e-02" { print $3 }' c.tsv > n4
    close_to "$(cat n4)" 0.02 1e-9
    # and n/E
    close_to "$(awk -F'\t' '$2 == "1.000000e-03" { print $4 }' c.tsv)" 15 1e-9
}

@test "the plateau n0 is the mean of n(E)/E over the window, in lab units too" {
    tls-density -N 100 --per-decade 20 --window 0.1:1 g1.tsv g2.tsv > s.tsv
    # independent recomputation of the window average
    want=$(awk 'BEGIN { eq = 6.283185307179586 / 4000; split("1e-4 2e-4 3e-4 5e-3", s, " ");
        for (k = 0; k <= 20; k++) { e = 0.1 * eq * 10 ^ (k / 20); c = 0; for (i = 1; i <= 4; i++) if (s[i] + 0 < e) c++; sum += c / 200 / e; n++ }
        printf "%.10g", sum / n }')
    close_to "$(col n0 < s.tsv)" "$want" 1e-5
    n0=$(col n0 < s.tsv)
    close_to "$(col n0_ar < s.tsv)" "$(awk -v n="$n0" 'BEGIN { printf "%.10g", n / (6.6e-21 * 3.4e-10 ^ 3) }')" 1e-3
    close_to "$(col T_Q_ar < s.tsv)" 0.7297 1e-3
}

@test "bootstrap over glasses: identical glasses give no spread, different ones do" {
    tls-density -N 100 g1.tsv g1.tsv g1.tsv > same.tsv
    close_to "$(col n0_err < same.tsv)" 0 1
    awk -F'\t' 'NR == 2 { exit !($7 == 0) }' same.tsv
    tls-density -N 100 g1.tsv g2.tsv > diff.tsv
    awk -F'\t' 'NR == 2 { exit !($7 > 0) }' diff.tsv
    # reproducible with the seed
    tls-density -N 100 --seed 3 g1.tsv g2.tsv > a
    tls-density -N 100 --seed 3 g1.tsv g2.tsv > b
    cmp a b
}

@test "reference units: mt, T_Q, T_g of the argon-like and nickel-like glasses" {
    run tls-density --units
    [ "$status" -eq 0 ]
    close_to "$(echo "$output" | awk '/argon/ { print $2 }')" 4116 1e-3
    close_to "$(echo "$output" | awk '/nickel/ { print $2 }')" 27504 1e-3
    close_to "$(echo "$output" | awk '/argon/ { print $4 }')" 33.46 1e-3
}

@test "histograms hold every DWP once" {
    tls-density -N 100 --hist h.tsv g1.tsv g2.tsv > /dev/null
    for name in dV Vb d_sqrtPR PR; do
        [ "$(awk -F'\t' -v n="$name" '$1 == n { s += $4 } END { print s }' h.tsv)" -eq 4 ]
    done
}

@test "bad input" {
    run tls-density g1.tsv
    [ "$status" -eq 2 ]
    printf 'id\tmass\n' > bad.tsv
    run tls-density -N 100 bad.tsv
    [ "$status" -eq 1 ]
    [[ $output == *"bad.tsv:1:"* ]]
    printf '#id\tmass\te1\te2\tsplit\tdelta0\tdV\tVb\td\tPR\terr\tflag\nx\t4000\t1\t1\tabc\tnan\t0\t0\t0\t1\t0\t0\n' > bad2.tsv
    run tls-density -N 100 bad2.tsv
    [ "$status" -eq 1 ]
    [[ $output == *"bad2.tsv:2: column split"* ]]
}

@test "no DWP is a result: exit 0, n0 = 0, its 95% upper bound, curve and histograms still written" {
    printf '#id\tmass\te1\te2\tsplit\tdelta0\tdV\tVb\td\tPR\terr\tflag\n' > e1.tsv
    cp e1.tsv e2.tsv
    run tls-density -N 100 --curve c.tsv --hist h.tsv e1.tsv e2.tsv
    echo "$output"
    [ "$status" -eq 0 ]
    [[ $output == *"tls-density: mass 4000: no DWP in the 2 glasses of 100 particles: n0 = 0, below"* ]]
    [[ $output == *"mass 4000 (the default of schrod1d)"* ]]
    printf '%s\n' "$output" | grep -v '^tls-density:' > s.tsv
    [ "$(col mass < s.tsv)" = 4000 ]
    [ "$(col ndwp < s.tsv)" = 0 ]
    [ "$(col n0 < s.tsv)" = 0 ]
    [ "$(col n_active < s.tsv)" = 0 ]
    # n0_ub = -ln(0.05) / (N Ng E_hi), E_hi = 1 x E_Q = 2 pi / 4000
    close_to "$(col n0_ub < s.tsv)" "$(awk 'BEGIN { printf "%.10g", -log(0.05) / (100 * 2 * 6.283185307179586 / 4000) }')" 1e-3
    # the curve: the whole grid, n = 0; the histograms: four header-only blocks
    [ "$(grep -c '^4000' c.tsv)" -eq 161 ]
    awk -F'\t' '!/^#/ && ($3 != 0 || $4 != 0) { bad = 1 } END { exit bad }' c.tsv
    [ "$(grep -c '^#name' h.tsv)" -eq 4 ]
    [ "$(grep -vc '^#\|^$' h.tsv)" -eq 0 ]
    # the masses to report can be given: one row each, with or without DWPs
    tls-density -N 100 --mass 4000,27504 e1.tsv g1.tsv > m.tsv 2> m.err
    [ "$(grep -vc '^#' m.tsv)" -eq 2 ]
    [ "$(awk -F'\t' 'NR == 3 { print $1, $2, $6 }' m.tsv)" = "27504 0 0" ]
    grep -q 'mass 27504: no DWP' m.err
    # rows of a mass not asked for are left out, said so
    tls-density -N 100 --mass 27504 g1.tsv > m2.tsv 2> m2.err
    [ "$(col ndwp < m2.tsv)" = 0 ]
    grep -q '3 rows of masses not given by --mass are left out' m2.err
}

@test "n0_ub: the 95% Poisson upper limit from the DWPs below the top of the window" {
    tls-density -N 100 g1.tsv g2.tsv > s.tsv
    # 3 DWPs below E_Q: mu95(3) = 7.7537 (chi2_0.95(8) / 2)
    close_to "$(col n0_ub < s.tsv)" "$(awk 'BEGIN { printf "%.10g", 7.753652 / (200 * 6.283185307179586 / 4000) }')" 1e-4
    # a narrower window (top 0.5 E_Q): the same 3 DWPs, a higher bound
    tls-density -N 100 --window 0.1:0.5 g1.tsv g2.tsv > s2.tsv
    close_to "$(col n0_ub < s2.tsv)" "$(awk 'BEGIN { printf "%.10g", 7.753652 / (200 * 0.5 * 6.283185307179586 / 4000) }')" 1e-4
}

@test "a glass without DWPs flows through schrod1d and tls-density" {
    : > dwps.txt
    schrod1d --mass 4000 -o t1.tsv dwps.txt
    [ "$(cat t1.tsv)" = "$(printf '#id\tmass\te1\te2\tsplit\tdelta0\tdV\tVb\td\tPR\terr\tflag')" ]
    # one glass without DWPs beside one with DWPs, and all glasses without
    tls-density -N 100 t1.tsv g1.tsv > s.tsv
    [ "$(col nglass < s.tsv)" = 2 ] && [ "$(col ndwp < s.tsv)" = 3 ]
    run tls-density -N 100 --curve c.tsv --hist h.tsv t1.tsv t1.tsv t1.tsv
    [ "$status" -eq 0 ]
    [ -s c.tsv ] && [ -s h.tsv ]
    # and an empty dwp-split output (no pair gave a DWP) is such a glass
    printf '' | dwp-split > d2.txt 2> d2.err
    [ ! -s d2.txt ]
    schrod1d d2.txt | tls-density -N 100 /dev/stdin > s2.tsv
    [ "$(col n0 < s2.tsv)" = 0 ]
}
