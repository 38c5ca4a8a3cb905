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

@test "block bootstrap: blocks of consecutive glasses, exact where the blocks are alike" {
    printf '#id\tmass\te1\te2\tsplit\tdelta0\tdV\tVb\td\tPR\terr\tflag\n' > e.tsv
    # alternating glasses: every circular block of 2 holds one of each, so
    # every resample has the same n0 (no spread); glasses drawn one by one do
    alt="g1.tsv e.tsv g1.tsv e.tsv g1.tsv e.tsv g1.tsv e.tsv"
    tls-density -N 100 --block 2 $alt > b2.tsv
    [ "$(col n0_err < b2.tsv)" = 0 ]
    tls-density -N 100 --block 1 $alt > b1.tsv
    awk -F'\t' 'NR == 2 { exit !($7 > 0.1 * $6) }' b1.tsv
    # --block 1 is the ordinary bootstrap, the same draws
    tls-density -N 100 $alt > b0.tsv
    cmp b0.tsv b1.tsv
    # glasses alike in pairs (a correlated chain): the block bootstrap's
    # spread is the exact one of circular blocks, computed here from the
    # sequence (n0 is linear in the glasses' weights: only the count of g1
    # in a resample varies): floor(ng / K) blocks of K and one of ng mod K,
    # from independent uniform starts, against ng glasses drawn one by one
    seq="1 1 1 1 0 0 1 1 0 0 0 0 0 0 1 1"
    tabs=$(for x in $seq; do [ $x = 1 ] && echo g1.tsv || echo e.tsv; done)
    e1=$(tls-density -N 100 --bootstrap 40000 $tabs | col n0_err)
    for k in 2 3 4 5 6 7; do
        want=$(echo $seq | awk -v K=$k 'function vblock(L,   s, j, b, m, v) { if (L == 0) return 0
                for (s = 0; s < n; s++) { b = 0; for (j = 0; j < L; j++) b += $((s + j) % n + 1); v += b * b / n; m += b / n }
                return v - m * m }
            { n = NF; for (i = 1; i <= n; i++) { m1 += $i / n; v1 += $i * $i / n }; v1 -= m1 * m1
              printf "%.6f", sqrt((int(n / K) * vblock(K) + vblock(n % K)) / (n * v1)) }')
        ek=$(tls-density -N 100 --bootstrap 40000 --block $k $tabs | col n0_err)
        close_to "$(awk -v a="$e1" -v b="$ek" 'BEGIN { print b / a }')" "$want" 0.03
    done
    # a block longer than half the chain (the whole ring at K = Ng: no
    # spread), or glasses without a table (no place in the chain's order),
    # is a usage error
    run tls-density -N 100 --block 2 g1.tsv g2.tsv e.tsv
    [ "$status" -eq 2 ]
    [[ $output == *"--block 2 is more than half the 3 glasses"* ]]
    run tls-density -N 100 --block 2 --glasses 8 g1.tsv g2.tsv e.tsv e.tsv
    [ "$status" -eq 2 ]
    [[ $output == *"--block needs a TABLE for every glass"* ]]
    tls-density -N 100 --block 2 g1.tsv g2.tsv e.tsv e.tsv > /dev/null
    run tls-density -N 100 --block 0 g1.tsv g2.tsv
    [ "$status" -eq 2 ]
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
    # the curve: the whole grid, n = 0; the histograms: the header alone
    [ "$(grep -c '^4000' c.tsv)" -eq 161 ]
    awk -F'\t' '!/^#/ && ($3 != 0 || $4 != 0) { bad = 1 } END { exit bad }' c.tsv
    [ "$(cat h.tsv)" = "$(printf '#quantity\tlo\thi\tcount')" ]
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
    schrod1d --allow-empty --mass 4000 -o t1.tsv dwps.txt
    [ "$(cat t1.tsv)" = "$(printf '#id\tmass\te1\te2\tsplit\tdelta0\tdV\tVb\td\tPR\terr\tflag\tasym\tloc')" ]
    # one glass without DWPs beside one with DWPs, and all glasses without
    tls-density -N 100 t1.tsv g1.tsv > s.tsv
    [ "$(col nglass < s.tsv)" = 2 ] && [ "$(col ndwp < s.tsv)" = 3 ]
    run tls-density -N 100 --curve c.tsv --hist h.tsv t1.tsv t1.tsv t1.tsv
    [ "$status" -eq 0 ]
    [ -s c.tsv ] && [ -s h.tsv ]
    # and an empty dwp-split output (no pair gave a DWP) is such a glass
    printf '' | dwp-split --allow-empty > d2.txt 2> d2.err
    [ ! -s d2.txt ]
    schrod1d --allow-empty d2.txt | tls-density -N 100 /dev/stdin > s2.tsv
    [ "$(col n0 < s2.tsv)" = 0 ]
}

# a tlskit table (tlskit-table(5)): one '#' header, then rows of exactly as
# many tab-separated fields, no blank lines, no second header
is_table() {
    awk -F'\t' 'NR == 1 { if ($0 !~ /^#/) { print "no header"; bad = 1 } n = NF; next }
                 /^#/ || /^$/ || NF != n { print FILENAME ":" NR ": not a table row: " $0; bad = 1 }
                 END { exit bad }' "$1"
}

@test "curve.tsv and hist.tsv are single tables: one header, a column naming the block" {
    # they used to repeat their header per block (gnuplot index blocks), so
    # pandas and awk read every column as strings
    tls-density -N 100 --mass 4000,30000 --curve c.tsv --hist h.tsv g1.tsv g2.tsv > s.tsv
    is_table c.tsv
    is_table h.tsv
    [ "$(head -1 c.tsv)" = "$(printf '#mass\tE\tn\tn_over_E')" ]
    [ "$(head -1 h.tsv)" = "$(printf '#quantity\tlo\thi\tcount')" ]
    # every mass's grid, every quantity's bins
    [ "$(awk -F'\t' '$1 == 4000' c.tsv | wc -l)" -eq 161 ]
    [ "$(awk -F'\t' '$1 == 30000' c.tsv | wc -l)" -eq 161 ]
    [ "$(cut -f1 h.tsv | tail -n +2 | uniq | tr '\n' ' ')" = "dV Vb d_sqrtPR PR " ]
    [ "$(awk -F'\t' '$1 == "PR"' h.tsv | wc -l)" -eq 30 ]
    # numbers all through: awk sums them, and so does pandas when present
    [ "$(awk -F'\t' 'NR > 1 && $1 == "dV" { s += $4 } END { print s }' h.tsv)" -eq 4 ]
    if python3 -c 'import pandas' 2> /dev/null; then
        python3 -c 'import pandas as pd, sys
c = pd.read_csv("c.tsv", sep="\t"); h = pd.read_csv("h.tsv", sep="\t")
assert all(str(c[k].dtype) == "float64" for k in ("E", "n", "n_over_E")), c.dtypes
assert str(h["count"].dtype) == "int64", h.dtypes
assert h[h["#quantity"] == "Vb"]["count"].sum() == 4'
    fi
}

@test "nonsense rows are refused naming the file and line: negative or infinite splitting, bad masses" {
    h='#id\tmass\te1\te2\tsplit\tdelta0\tdV\tVb\td\tPR\terr\tflag\n'
    row() { printf "$h"'a\t4000\t0.1\t0.1001\t1e-4\tnan\t1e-5\t0.01\t0.5\t4\t1e-9\t0\n'"$1"'\n' > bad.tsv; }
    # a negative splitting once counted as an active TLS; mass inf (or 1e400)
    # gave n0 = -nan, mass 1e-320 E_Q = inf, all with exit 0
    for r in 'b\t4000\t0.1\t0.1\t-1e-4\tnan\t0\t0.01\t0.5\t4\t0\t0|column split: -1e-4' \
             'b\t4000\t0.1\t0.1\tinf\tnan\t0\t0.01\t0.5\t4\t0\t0|column split: inf' \
             'b\tinf\t0.1\t0.1\t1e-4\tnan\t0\t0.01\t0.5\t4\t0\t0|column mass: inf' \
             'b\t1e400\t0.1\t0.1\t1e-4\tnan\t0\t0.01\t0.5\t4\t0\t0|column mass: 1e400' \
             'b\t1e-320\t0.1\t0.1\t1e-4\tnan\t0\t0.01\t0.5\t4\t0\t0|column mass: 1e-320' \
             'b\t-4000\t0.1\t0.1\t1e-4\tnan\t0\t0.01\t0.5\t4\t0\t0|column mass: -4000' \
             'b\t4000\t0.1\t0.1\t1e-4\tnan\t-inf\t0.01\t0.5\t4\t0\t0|column dV: -inf' \
             'b\t4000\t0.1\t0.1\t1e-4\tnan\t0\t0.01\t0.5\t-4\t0\t0|column PR: -4' \
             'b\t4000\t0.1\t0.1\t1e-4\tnan\t0\t0.01\t0\t4\t0\t0|column d: 0'; do
        row "${r%|*}"
        run tls-density -N 100 bad.tsv
        [ "$status" -eq 1 ] || { echo "${r#*|}: status $status: $output"; return 1; }
        [[ $output == "tls-density: bad.tsv:3: ${r#*|} "* ]] || { echo "want '${r#*|}', got: $output"; return 1; }
        [ "${#lines[@]}" -eq 1 ]
    done
    # nan is what schrod1d writes for no levels (split) or an absent value:
    # not counted, or left out of the histograms
    row 'b\t4000\tnan\tnan\tnan\tnan\tnan\tnan\t0.5\tnan\tnan\t1'
    run tls-density -N 100 bad.tsv
    [ "$status" -eq 0 ]
    [[ $output == *"1 rows without a finite splitting"* ]]
}

@test "the figures read the single tables: nE.gp, n0.gp and hist.gp, also when n(E) is zero everywhere" {
    command -v gnuplot > /dev/null || skip "gnuplot is not installed"
    top="$BATS_TEST_DIRNAME/.."
    png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; }
    printf '#id\tmass\te1\te2\tsplit\tdelta0\tdV\tVb\td\tPR\terr\tflag\n' > e.tsv
    mkdir -p d/Tf0.1 d/Tf0.2
    tls-density -N 100 --mass 4000,30000 --curve d/Tf0.1/curve.tsv --hist d/Tf0.1/hist.tsv g1.tsv g2.tsv > d/Tf0.1/density.tsv
    tls-density -N 100 --mass 4000,30000 --curve d/Tf0.2/curve.tsv --hist d/Tf0.2/hist.tsv e.tsv e.tsv \
        > d/Tf0.2/density.tsv 2> /dev/null
    for tfs in "0.1 0.2" "0.2 0.1" "0.2"; do
        for gp in nE n0 hist; do
            run gnuplot -e "out='$gp.png'; dir='d'; tfs='$tfs'; n=100" "$top/pipelines/plot/$gp.gp"
            [ "$status" -eq 0 ] || { echo "$gp.gp, Tf $tfs: $output"; return 1; }
            [ -z "$output" ] || { echo "$gp.gp, Tf $tfs: $output"; return 1; }
            png $gp.png
            rm $gp.png
        done
    done
    # the points n0.gp draws: n0 and its error as tls-density gave them,
    # n(E_Q)/E_Q = 3 TLS / (100 particles x 2 glasses x 2 pi / 4000) =
    # 9.549; Tf 0.2 (no DWP) drawn at its upper limit n0_ub
    gnuplot -e "out='n0.png'; dir='d'; tfs='0.1 0.2'; n=100; rows='rows.txt'" "$top/pipelines/plot/n0.gp"
    cat rows.txt
    read -r tf n0 err ntls ng ub q mt < <(sed -n 1p rows.txt)
    [ "$tf" = 0.1 ] && [ "$ntls" = 3 ] && [ "$ng" = 2 ] && [ "$mt" = 4000 ]
    close_to "$n0" "$(col n0 < d/Tf0.1/density.tsv)" 1e-5
    close_to "$err" "$(col n0_err < d/Tf0.1/density.tsv)" 1e-5
    close_to "$q" 9.5492966 1e-6
    read -r tf n0 err ntls ng ub q mt < <(sed -n 2p rows.txt)
    [ "$tf" = 0.2 ] && [ "$n0" = 0 ] && [ "$ntls" = 0 ]
    close_to "$ub" "$(col n0_ub < d/Tf0.2/density.tsv)" 1e-5
    # a missing Tf is an error, not an empty curve
    run gnuplot -e "out='nE.png'; dir='d'; tfs='0.1 0.3'" "$top/pipelines/plot/nE.gp"
    [ "$status" -ne 0 ]
    [[ $output == *"cannot read d/Tf0.3/curve.tsv"* ]]
    run gnuplot -e "out='n0.png'; dir='d'; tfs='0.1 0.3'" "$top/pipelines/plot/n0.gp"
    [ "$status" -ne 0 ]
    [[ $output == *"cannot read d/Tf0.3/density.tsv"* ]]
    # a density table without the columns n0.gp reads
    mkdir -p d/Tf0.4 && printf '#mass\tn0\n4000\t1\n' > d/Tf0.4/density.tsv
    run gnuplot -e "out='n0.png'; dir='d'; tfs='0.1 0.4'" "$top/pipelines/plot/n0.gp"
    [ "$status" -ne 0 ]
    [[ $output == *"d/Tf0.4/density.tsv: no mass row with mass, n0"* ]]
}

@test "histograms of a single value span the decade around it (not bins 1e-4 wide)" {
    # g2.tsv holds one DWP: dV = 4e-5; its bins were [4e-5, 4.0004e-5], a
    # per-decade density 10^4 times that of any other Tf in hist.gp
    tls-density -N 100 --hist h.tsv g2.tsv > /dev/null
    close_to "$(awk -F'\t' '$1 == "dV" { print $2; exit }' h.tsv)" "$(awk 'BEGIN { print 4e-5 / sqrt(10) }')" 1e-5
    close_to "$(awk -F'\t' '$1 == "dV" { h = $3 } END { print h }' h.tsv)" "$(awk 'BEGIN { print 4e-5 * sqrt(10) }')" 1e-5
    [ "$(awk -F'\t' '$1 == "dV" && $2 <= 4e-5 && 4e-5 < $3 { print $4 }' h.tsv)" = 1 ]
    [ "$(awk -F'\t' '$1 == "dV" { s += $4 } END { print s }' h.tsv)" = 1 ]
}
