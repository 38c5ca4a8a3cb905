#!/usr/bin/env bats
# The analysis scripts (pipelines/defects.sh, results/distinct.awk) on a
# constructed pipeline output: a glass
# with four active TLS, three of them whole pair paths whose displacement
# fields are known (two the same rearrangement, one elsewhere), one from a
# split path.

load helpers
bats_require_minimum_version 1.5.0

TOP="$BATS_TEST_DIRNAME/.."

# move particle I of the xyz on stdin by (DX, DY, 0)
move() { awk -v i="$1" -v dx="$2" -v dy="$3" 'NR == i + 2 { $2 = sprintf("%.17g", $2 + dx); $3 = sprintf("%.17g", $3 + dy) } { print }'; }

setup() {
    cd "$BATS_TEST_TMPDIR"
    export TMPDIR="$BATS_TEST_TMPDIR/tmp"
    mkdir -p "$TMPDIR" out/Tf0.1/g1 out/Tf0.1/g2
    conf-gen -N 150 --seed 5 > a.xyz
    # pair 0: particles 5 and 6 swing; pair 1: the same swing, 10 % larger
    # and with a little noise elsewhere; pair 2: particles 40 and 41 move
    move 5 0.2 0 < a.xyz | move 6 0 -0.15 > b0.xyz
    move 5 0.22 0 < a.xyz | move 6 0 -0.165 | move 90 0 0.01 > b1.xyz
    move 40 0 0.2 < a.xyz | move 41 0.1 0.1 > b2.xyz
    cat a.xyz b0.xyz a.xyz b1.xyz a.xyz b2.xyz > out/Tf0.1/g1/pairs.xyz
    # the DWP records' headers (only what the scripts read) and the TLS
    # table: split below 2 pi / 4000 = 1.57e-3 for all four; Vb, d and PR
    # of pairs 0 and 1 differ by 20 % (one defect the proxy splits)
    {
        echo '# id=0.0 pair=0 i=0 j=1 part=0 parts=1 dV=1e-4'
        echo '# id=1.0 pair=1 i=0 j=2 part=0 parts=1 dV=1e-4'
        echo '# id=2.0 pair=2 i=0 j=3 part=0 parts=1 dV=1e-4'
        echo '# id=3.1 pair=3 i=0 j=4 part=1 parts=2 dV=1e-4'
    } > out/Tf0.1/g1/dwps.txt
    {
        printf '#id\tmass\te1\te2\tsplit\tdelta0\tdV\tVb\td\tPR\terr\tflag\n'
        printf '0.0\t4000\t0.001\t0.0015\t0.0005\tnan\t1e-4\t0.05\t0.25\t2\t1e-8\t0\n'
        printf '1.0\t4000\t0.001\t0.0015\t0.0005\tnan\t1e-4\t0.06\t0.3\t2.4\t1e-8\t0\n'
        printf '2.0\t4000\t0.001\t0.0015\t0.0005\tnan\t1e-4\t0.05\t0.25\t2\t1e-8\t0\n'
        printf '3.1\t4000\t0.001\t0.0015\t0.0005\tnan\t1e-4\t0.09\t0.5\t3\t1e-8\t0\n'
        printf '4.0\t4000\t0.001\t0.0200\t0.0190\tnan\t1e-4\t0.09\t0.5\t3\t1e-8\t0\n'
    } > out/Tf0.1/g1/tls.tsv
}

@test "defects.sh: one rearrangement found twice is one defect, another is a second, a split path is counted apart" {
    run --separate-stderr bash "$TOP/pipelines/defects.sh" out 4000
    [ "$status" -eq 0 ]
    [ "${lines[0]}" = "$(printf '#Tf\ttls\tuncompared\tcompared\tq0.3\tq0.5\tq0.7\tproxy5%%')" ]
    # 4 active TLS (the fifth row splits above 2 pi / 4000), 1 from a split
    # path, 3 compared: 2 defects by the fields; the proxy (Vb, d, PR within
    # 5 %) joins pairs 0 and 2, which move different particles, and keeps
    # 0 and 1 apart: 2 as well, but the wrong two
    [ "${lines[1]}" = "$(printf '0.1\t4\t1\t3\t2\t2\t2\t2')" ]
    # the overlaps on stderr: pairs 0 and 1 almost 1, pair 2 disjoint
    [[ $stderr == *"g1 TLS 0.0: largest q with another defect 0."* ]]
    q=$(printf '%s\n' "$stderr" | sed -n 's/.*g1 TLS 1.0: .* within its defect \([0-9.]*\)$/\1/p')
    awk -v q="$q" 'BEGIN { exit !(q > 0.99 && q <= 1) }'
    q=$(printf '%s\n' "$stderr" | sed -n 's/.*g1 TLS 2.0: largest q with another defect \([0-9.]*\),.*/\1/p')
    awk -v q="$q" 'BEGIN { exit !(q < 0.05) }'
}

@test "defects.sh: a glass without TLS and a Tf without glasses give zero rows of defects" {
    printf '#id\tmass\te1\te2\tsplit\tdelta0\tdV\tVb\td\tPR\terr\tflag\n' > out/Tf0.1/g2/tls.tsv
    : > out/Tf0.1/g2/dwps.txt
    : > out/Tf0.1/g2/pairs.xyz
    mkdir -p out/Tf0.2
    run --separate-stderr bash "$TOP/pipelines/defects.sh" out 4000
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = "$(printf '0.1\t4\t1\t3\t2\t2\t2\t2')" ]
    [ "${lines[2]}" = "$(printf '0.2\t0\t0\t0\t0\t0\t0\t0')" ]
    # per glass: g1 with its four TLS, g2 with none
    run --separate-stderr bash "$TOP/pipelines/defects.sh" --per-glass out 4000
    [ "${lines[0]}" = "$(printf '#Tf\tglass\ttls\tuncompared\tcompared\tq0.3\tq0.5\tq0.7\tproxy5%%')" ]
    [ "${lines[1]}" = "$(printf '0.1\tg1\t4\t1\t3\t2\t2\t2\t2')" ]
    [ "${lines[2]}" = "$(printf '0.1\tg2\t0\t0\t0\t0\t0\t0\t0')" ]
    [ "${#lines[@]}" -eq 3 ]
    # one Tf directory, and only its first K glasses
    run --separate-stderr bash "$TOP/pipelines/defects.sh" out/Tf0.1 4000
    [ "${lines[1]}" = "$(printf '0.1\t4\t1\t3\t2\t2\t2\t2')" ]
    mv out/Tf0.1/g1 out/Tf0.1/g3
    run --separate-stderr bash "$TOP/pipelines/defects.sh" out/Tf0.1 4000 2
    [ "${lines[1]}" = "$(printf '0.1\t0\t0\t0\t0\t0\t0\t0')" ]
}

@test "defects.sh: the minima of dwp-split --minima cover a split path's TLS" {
    # the DWP 3.1 of a split path moves particles 5 and 6 like pairs 0 and 1
    # (the same defect, a third time); 9.0 is in the file but not active
    move 5 -0.21 0 < a.xyz | move 6 0 0.16 > b3.xyz
    move 70 0.2 0 < a.xyz > b9.xyz
    {
        conf-convert --set pair=3 --set role=a --set dwp=3.1 a.xyz
        conf-convert --set pair=3 --set role=b --set dwp=3.1 b3.xyz
        conf-convert --set pair=9 --set role=a --set dwp=9.0 a.xyz
        conf-convert --set pair=9 --set role=b --set dwp=9.0 b9.xyz
    } | conf-convert -t bin > out/Tf0.1/g1/dwp-minima.bin
    run --separate-stderr bash "$TOP/pipelines/defects.sh" out 4000
    [ "$status" -eq 0 ]
    [ "${lines[1]}" = "$(printf '0.1\t4\t0\t4\t2\t2\t2\t3')" ]
    q=$(printf '%s\n' "$stderr" | sed -n 's/.*g1 TLS 3.1: .* within its defect \([0-9.]*\)$/\1/p')
    awk -v q="$q" 'BEGIN { exit !(q > 0.99 && q <= 1) }'
}

@test "distinct.awk: rows of one glass with Vb, d, PR within TOL are one defect" {
    {
        printf '#Tf\tglass\tid\tmass\te1\te2\tsplit\tdelta0\tdV\tVb\td\tPR\terr\tflag\n'
        printf '0.1\tg1\t0.0\t4000\t0\t0\t0.0005\tnan\t1e-4\t0.05\t0.25\t2\t0\t0\n'
        printf '0.1\tg1\t1.0\t4000\t0\t0\t0.0005\tnan\t1e-4\t0.051\t0.251\t2.02\t0\t0\n'
        printf '0.1\tg2\t0.0\t4000\t0\t0\t0.0005\tnan\t1e-4\t0.05\t0.25\t2\t0\t0\n'
        printf '0.1\tg1\t2.0\t4000\t0\t0\t0.0005\tnan\t1e-4\t0.08\t0.25\t2\t0\t0\n'
    } > tls.tsv
    run awk -v M=4000 -v TOL=0.05 -f "$TOP/results/distinct.awk" tls.tsv
    [ "$status" -eq 0 ]
    [ "$output" = "$(printf '0.1\t4\t3')" ]
    run awk -v M=4000 -v TOL=0.01 -f "$TOP/results/distinct.awk" tls.tsv
    [ "$output" = "$(printf '0.1\t4\t4')" ]
}
