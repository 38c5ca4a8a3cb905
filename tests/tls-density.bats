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
