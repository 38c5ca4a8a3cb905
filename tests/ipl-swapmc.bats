#!/usr/bin/env bats
# ipl-swapmc: the tracked energy, reproducibility, exact checkpoint/resume,
# the sampled ensemble (with and without swaps), and bad usage.

load helpers

setup() {
    cd "$BATS_TEST_TMPDIR"
}

# frames without the history entry (a resumed run records its own command)
strip() { conf-convert --unset history "$@"; }

# metadata value KEY of every frame of a stream
meta() { awk -v k="$1" 'NR == 1 || !/^Ar / { n = split($0, w, " "); for (i = 1; i <= n; i++) if (index(w[i], k "=") == 1) print substr(w[i], length(k) + 2) }' "${2:--}"; }

@test "the tracked energy equals a full recomputation (1e-9 per particle)" {
    ipl-swapmc -N 300 -T 0.1 --sweeps $((4000 / SLOW)) --every $((1000 / SLOW)) --seed 3 > run.xyz
    meta epot run.xyz > tracked
    conf-info --no-header run.xyz | cut -f6 > exact
    [ "$(wc -l < tracked)" -eq 4 ]
    paste tracked exact | awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > 1e-9) { print "frame " NR ": " $0; bad = 1 } } END { exit bad }'
    # and the chain moved: swaps happened, energies changed
    [ "$(sort -u tracked | wc -l)" -eq 4 ]
    conf-diff run.xyz | tail -1 | awk -F'\t' '$8 > 100 { ok = 1 } END { exit !ok }'
}

@test "the tracked energy equals a full recomputation with cell lists (N = 1500)" {
    # a box of several cells (the test above has one): recentring through
    # the cell list, the inner list for growing diameters
    n=$((2000 / SLOW))
    ipl-swapmc -T 0.07 --delta 0.057 --sweeps $n --every $((n / 4)) --seed 2 "$REF_MIN" > run.xyz
    meta epot run.xyz > tracked
    conf-info --no-header run.xyz | cut -f6 > exact
    [ "$(wc -l < tracked)" -eq 4 ]
    paste tracked exact | awk '{ d = $1 - $2; if (d < 0) d = -d; if (d > 1e-9) { print "frame " NR ": " $0; bad = 1 } } END { exit bad }'
    [ "$(sort -u tracked | wc -l)" -eq 4 ]
}

@test "the chain of the original implementation: same moves, same decisions" {
    # positions, diameters and acceptances after 200 sweeps from the
    # reference glass, as made by the scalar code before the SIMD kernels
    # (commit 4ff42a2): the energy changes are now summed in another
    # order, the decisions are the same
    ipl-swapmc -T 0.07 --delta 0.057 --seed 1 --sweeps 200 "$REF_MIN" > run.xyz
    sums=$(awk 'NR > 2 { sx += $2; sy += $3; sz += $4; sk += (NR - 2) * $5 } END { printf "%.9f %.9f %.9f %.9f", sx, sy, sz, sk }' run.xyz)
    [ "$sums" = "61.211208028 -32.197363479 20.145041787 566582.969378500" ] || { echo "sums: $sums"; false; }
    close_to "$(meta acc_disp run.xyz)" 0.3875680452162025 1e-13
    close_to "$(meta acc_swap run.xyz)" 0.1081782778018174 1e-13
    close_to "$(meta epot run.xyz)" 0.30752521685810524 1e-12
}

@test "SIMD kernels and scalar code: the same chain, bit for bit (TLSKIT_SIMD)" {
    # every level the CPU has (a level above it runs the best it has)
    n=$((300 / SLOW))
    for v in none avx2 avx512; do
        TLSKIT_SIMD=$v ipl-swapmc -T 0.07 --delta 0.057 --sweeps $n --every $((n / 3)) --seed 7 "$REF_MIN" > glass.$v
        TLSKIT_SIMD=$v ipl-swapmc -N 400 -T 0.3 --pswap 0.5 --sweeps $((3 * n)) --every $n --seed 3 > liquid.$v
    done
    ipl-swapmc -T 0.07 --delta 0.057 --sweeps $n --every $((n / 3)) --seed 7 "$REF_MIN" > glass.auto
    for v in avx2 avx512 auto; do
        cmp glass.none glass.$v
    done
    cmp liquid.none liquid.avx2
    cmp liquid.none liquid.avx512
    [ "$(grep -c '^1500$' glass.none)" -eq 3 ]
}

@test "frames carry the documented metadata" {
    ipl-swapmc -N 150 -T 0.2 --sweeps 20 --seed 1 > one.xyz
    line=$(sed -n 2p one.xyz)
    for k in sweep=20 T=0.2 Tf=0.2 epot= acc_disp= acc_swap= delta= pswap=0.2 seed=1 stage=ipl-swapmc tuning=T history=; do
        [[ $line == *" $k"* ]] || { echo "missing $k in: $line"; return 1; }
    done
}

@test "same seed, same chain; another seed, another chain" {
    conf-gen -N 150 --seed 2 > start.xyz
    ipl-swapmc -T 0.15 --sweeps 200 --every 50 --seed 5 start.xyz > a
    ipl-swapmc -T 0.15 --sweeps 200 --every 50 --seed 5 < start.xyz > b
    strip a > a1; strip b > b1
    cmp a1 b1
    ipl-swapmc -T 0.15 --sweeps 200 --every 50 --seed 6 start.xyz | strip > c1
    if cmp -s a1 c1; then echo "outputs should differ"; false; fi
}

@test "a chain of 2S sweeps equals S sweeps resumed for S more, bit for bit" {
    conf-gen -N 200 --seed 4 > start.xyz
    # the checkpoint falls inside the delta-tuning phase (first 100 sweeps)
    ipl-swapmc -T 0.12 --sweeps 300 --every 60 --seed 9 start.xyz > full
    ipl-swapmc -T 0.12 --sweeps 90 --every 60 --seed 9 --checkpoint ck start.xyz > part1
    [ -s ck ]
    ipl-swapmc --resume ck --sweeps 300 > part2
    strip full > f1
    cat part1 part2 | strip > p1
    cmp f1 p1
    [ "$(grep -c '^200$' f1)" -eq 5 ]
    # extending a finished chain continues it too
    ipl-swapmc -T 0.12 --sweeps 300 --every 60 --seed 9 --checkpoint ck2 start.xyz > /dev/null
    ipl-swapmc --resume ck2 --sweeps 420 > ext
    ipl-swapmc -T 0.12 --sweeps 420 --every 60 --seed 9 start.xyz | strip | tail -n 404 > f2
    strip ext | cmp - f2
}

@test "interrupted with SIGINT while writing -o, resumed: the same output file" {
    conf-gen -N 150 --seed 8 > start.xyz
    n=$((40000 / SLOW))
    ipl-swapmc -T 0.15 --sweeps $n --every $((n / 10)) --seed 4 start.xyz -o ref.xyz
    # interrupt once the chain is running (its first checkpoint exists): the
    # checkpoint is written, exit 1
    ipl-swapmc -T 0.15 --sweeps $n --every $((n / 10)) --seed 4 --checkpoint-every 0.05 \
        --checkpoint ck -o out.xyz start.xyz 2> err &
    pid=$!
    for k in $(seq 200); do [ -e ck ] && break; sleep 0.1; done
    kill -INT $pid 2> /dev/null || true
    status=0
    wait $pid || status=$?
    output=$(cat err)
    if [ "$status" -eq 0 ]; then skip "the run finished before the interrupt (machine too fast)"; fi
    [ "$status" -eq 1 ]
    [[ $output == *"interrupted at sweep"*"--resume ck"* ]]
    [ ! -e out.xyz ]
    [ -e out.xyz.partial ]
    ipl-swapmc --resume ck --sweeps $n -o out.xyz --checkpoint ck
    [ ! -e out.xyz.partial ]
    strip ref.xyz > r1
    strip out.xyz > o1
    cmp r1 o1
}

@test "resuming with a changed temperature or seed is refused" {
    ipl-swapmc -N 150 -T 0.2 --sweeps 10 --seed 1 --checkpoint ck > /dev/null
    run ipl-swapmc --resume ck -T 0.3 --sweeps 20
    [ "$status" -eq 2 ]
    [[ $output == *"made with T=0.2"* ]]
    run ipl-swapmc --resume ck --seed 2 --sweeps 20
    [ "$status" -eq 2 ]
    run ipl-swapmc --resume start.xyz --sweeps 20
    [ "$status" -eq 1 ]
    conf-gen -N 150 > plain.xyz
    run ipl-swapmc --resume plain.xyz --sweeps 20
    [ "$status" -eq 1 ]
    [[ $output == *"not an ipl-swapmc checkpoint"* ]]
}

@test "bad usage and bad input" {
    run ipl-swapmc -N 150 --sweeps 10
    [ "$status" -eq 2 ]
    [[ $output == *"-T is required"* ]]
    run ipl-swapmc -T 0.1 -N 150
    [ "$status" -eq 2 ]
    conf-gen -N 150 > a.xyz
    run ipl-swapmc -T 0.1 --sweeps 10 -N 150 a.xyz
    [ "$status" -eq 2 ]
    run ipl-swapmc -T 0.1 --sweeps 10 --pswap 1.5 a.xyz
    [ "$status" -eq 2 ]
    cat a.xyz a.xyz > two.xyz
    run ipl-swapmc -T 0.1 --sweeps 10 two.xyz
    [ "$status" -eq 1 ]
    [[ $output == *"more than one frame"* ]]
    run ipl-swapmc -T 0.1 --sweeps 10 < /dev/null
    [ "$status" -eq 1 ]
    [[ $output == *"no initial frame"* ]]
}

# mean and block-averaged standard error of column 1 (blocks of 10 rows)
mean_err() {
    awk '{ x[NR] = $1 } END { b = 10; nb = int(NR / b); for (k = 0; k < nb; k++) { s = 0; for (i = 1; i <= b; i++) s += x[k * b + i]; m[k] = s / b; t += m[k] }
          t /= nb; for (k = 0; k < nb; k++) v += (m[k] - t) ^ 2; printf "%.10g %.10g\n", t, sqrt(v / (nb - 1) / nb) }'
}

@test "swaps leave the equilibrium energy unchanged (T = 0.25, within error bars)" {
    [ "$SLOW" -eq 1 ] || skip "statistical test: too slow under the sanitisers"
    conf-gen -N 200 --seed 3 > start.xyz
    ipl-swapmc -T 0.25 --sweeps 30000 --every 100 --seed 1 start.xyz | meta epot | tail -n 250 | mean_err > swap
    ipl-swapmc -T 0.25 --sweeps 30000 --every 100 --seed 2 --no-swap start.xyz | meta epot | tail -n 250 | mean_err > noswap
    read -r m1 e1 < swap
    read -r m2 e2 < noswap
    echo "swap $m1 +- $e1, no swap $m2 +- $e2"
    # the comparison has power: error bars well below the energy scale
    awk -v e1="$e1" -v e2="$e2" -v m="$m1" 'BEGIN { exit !(e1 < 5e-3 * m && e2 < 5e-3 * m) }'
    awk -v a="$m1" -v b="$m2" -v e1="$e1" -v e2="$e2" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d < 4 * sqrt(e1 * e1 + e2 * e2)) }'
    # and the temperature matters at this resolution: T = 0.23 is distinguishable
    ipl-swapmc -T 0.23 --sweeps 30000 --every 100 --seed 1 start.xyz | meta epot | tail -n 250 | mean_err > cold
    read -r m3 e3 < cold
    awk -v a="$m1" -v b="$m3" -v e1="$e1" -v e3="$e3" 'BEGIN { exit !(a - b > 4 * sqrt(e1 * e1 + e3 * e3)) }'
}
