#!/usr/bin/env bats
# md-quench: the physics of the integrator and the thermostat (NVE energy
# conservation, canonical kinetic-energy fluctuations, the ramp), --minimize,
# random streams per frame, the Tf bookkeeping and exploding runs.
#
# Long runs shrink under the sanitisers ($SLOW); the criteria stay the same.

bats_require_minimum_version 1.5.0
load helpers

BOX=11.447142426 # edge of the reference glasses

setup_file() {
    cd "$BATS_FILE_TMPDIR" || return 1
    # a small glass former (N = 150, nf = 447) equilibrated at T = 0.07
    conf-gen -N 150 --seed 5 > g150.xyz
    md-quench -T 0.07 --time $((100 / SLOW)) g150.xyz > eq150.xyz
}

setup() {
    cd "$BATS_TEST_TMPDIR" || return 1
    G=$BATS_FILE_TMPDIR/g150.xyz
    EQ=$BATS_FILE_TMPDIR/eq150.xyz
}

# meta KEY FILE [FRAME_HEADER_LINE]: value of a simple (unquoted) metadata key
meta() {
    sed -n "${3:-2}p" "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# the particle rows of the first frame of an xyz file
rows() {
    awk 'NR == 1 { n = $1 } NR > 2 && NR <= n + 2' "$1"
}

# differ A B: the files differ (a bare `! cmp` would not fail a Bats test)
differ() {
    if cmp -s "$1" "$2"; then echo "$1 and $2 are identical" >&2; return 1; fi
}

# awk -v a=.. -v b=.. 'BEGIN { exit !(cond) }' with a message on failure
check() { # description awk-condition var=value...
    local what=$1 cond=$2
    shift 2
    local args=() kv
    for kv in "$@"; do args+=(-v "$kv"); done
    awk "${args[@]}" "BEGIN { exit !($cond) }" || { echo "failed: $what ($*)" >&2; return 1; }
}

@test "NVE: velocity Verlet conserves the total energy (N = 1500, T = 0.04, dt = 0.005)" {
    steps=$((100000 / SLOW))
    md-quench -T 0.04 --time 5 "$REF_MIN" > eq.xyz
    md-quench -T 0.04 --keep-velocities --thermostat none --dt 0.005 --time "$((steps / 200))" \
        --log nve.log --log-every 100 eq.xyz > nve.xyz
    [ "$(meta md_steps nve.xyz)" = "$steps" ]
    # the run starts from the thermalised velocities (no redraw): row 0 = eq.xyz
    close_to "$(awk -F'\t' 'NR == 2 { print $6 }' nve.log)" "$(meta ekin eq.xyz)" 1e-12
    # drift: means of the first and the last 10% of the log; largest excursion
    # from the first mean; the potential energy's own spread, to show that the
    # test is sensitive: a wrong force sign blows up, a missing or doubled
    # half-kick conserves about K + U/2 or K + 2U instead, so that K + U
    # wanders by about sd(epot), far above the tolerance (checked on mutated
    # builds: drift ~2e-4, max deviation ~7e-3)
    read -r n drift maxdev sdep tmean heat < <(awk -F'\t' 'BEGIN { n = 0 } !/^#/ {
            e[n] = $7; p[n] = $5; s += $5; ss += $5 * $5; t += $4; if ($8 != $7) h++; n++ }
        END { m = int(n / 10); a = b = 0
            for (i = 0; i < m; i++) { a += e[i]; b += e[n - 1 - i] }
            a /= m; b /= m; d = (b - a) / a; d = d < 0 ? -d : d
            for (i = 0; i < n; i++) { x = (e[i] - a) / a; x = x < 0 ? -x : x; if (x > mx) mx = x }
            sd = sqrt(ss / n - (s / n) ^ 2) / a
            printf "%d %.6g %.6g %.6g %.6g %d\n", n, d, mx, sd, t / n, h }' nve.log)
    echo "rows $n: drift $drift, max deviation $maxdev, sd(epot)/etot $sdep, mean T $tmean" >&2
    [ "$n" -eq $((steps / 100 + 1)) ]
    [ "$heat" -eq 0 ] # NVE: conserved = etot, no heat
    check "relative drift < 1e-5" "d < 1e-5" "d=$drift"
    check "max relative deviation < 5e-5" "d < 5e-5" "d=$maxdev"
    check "sd(epot) >> tolerance (sensitivity)" "s > 20 * 5e-5" "s=$sdep"
    check "the glass stays near T = 0.04" "t > 0.036 && t < 0.044" "t=$tmean"
}

@test "Bussi thermostat: canonical mean and variance of the kinetic temperature (N = 150, T = 0.07)" {
    # Var(T_kin) = 2 T^2 / nf, nf = 3N - 3 = 447, i.e. Var(K) = nf T^2 / 2.
    # A velocity-rescaling (Berendsen-like) thermostat gives about half of it
    # or less; error bars from 20 block averages of 50 time units
    # (>> the correlation time ~ tau = 0.1).  The standard error of the mean,
    # ~7e-5, is small enough to catch a thermostat counting nf = 3N (+0.67%).
    if [ "$SLOW" -gt 1 ]; then steps=40000; else steps=200000; fi
    md-quench -T 0.07 --tau 0.1 --keep-velocities --time $((steps / 200)) --log b.log \
        --log-every 10 "$EQ" > /dev/null
    read -r M sM V sV C < <(awk -F'\t' '!/^#/ && $2 > 0 { t[n++] = $4; c = $8; if (n == 1) c0 = $8 }
        END { nb = 20; m = int(n / nb)
            for (b = 0; b < nb; b++) { s = ss = 0
                for (i = b * m; i < (b + 1) * m; i++) { s += t[i]; ss += t[i] * t[i] }
                mb[b] = s / m; vb[b] = ss / m - (s / m) ^ 2; M += mb[b] / nb; V += vb[b] / nb }
            for (b = 0; b < nb; b++) { sm += (mb[b] - M) ^ 2; sv += (vb[b] - V) ^ 2 }
            printf "%.8g %.3g %.8g %.3g %.3g\n", M, sqrt(sm / (nb - 1) / nb), V, sqrt(sv / (nb - 1) / nb), (c - c0) / c0 }' b.log)
    Vexp=$(awk 'BEGIN { printf "%.8g", 2 * 0.07 ^ 2 / 447 }')
    echo "mean T $M +- $sM; var $V +- $sV (canonical $Vexp); conserved drift $C" >&2
    check "mean T = 0.07 within 4 standard errors" "(m - 0.07) ^ 2 < (4 * s) ^ 2 && (m - 0.07) ^ 2 < 0.0007 ^ 2" "m=$M" "s=$sM"
    check "Var(T) = 2 T^2 / nf within 15%" "(v - e) ^ 2 < (0.15 * e) ^ 2" "v=$V" "e=$Vexp"
    check "the variance is measured well enough to tell" "s < 0.05 * e" "s=$sV" "e=$Vexp"
    # the heat bookkeeping: etot + heat removed is conserved like NVE's etot
    # while etot itself wanders by ~1e-2 relative
    check "conserved quantity drifts < 3e-4 relative" "c ^ 2 < 3e-4 ^ 2" "c=$C"
}

@test "ramp: the kinetic temperature follows the linear target from --from to -T, then stays" {
    md-quench --from 0.1 -T 0.04 --ramp 50 --time 10 --log r.log --log-every 10 "$EQ" > r.xyz
    [ "$(meta md_steps r.xyz)" = 12000 ]
    # velocities drawn at --from (N = 150: T(0) within ~6% of 0.1)
    check "T(0) = 0.1" "t > 0.085 && t < 0.115" "t=$(awk -F'\t' 'NR == 2 { print $4 }' r.log)"
    check "T metadata is the final temperature" "t == 0.04" "t=$(meta T r.xyz)"
    # mean over windows of 10 time units against the mean target there;
    # the thermostat lags by ~ tau = 0.1 only
    awk -F'\t' '!/^#/ && $2 > 0 { t = $3; g = t <= 50 ? 0.1 - 0.06 * t / 50 : 0.04
            k = int((t - 1e-9) / 10); s[k] += $4; G[k] += g; c[k]++ }
        END { for (k = 0; k <= 5; k++) { a = s[k] / c[k]; b = G[k] / c[k]; d = (a - b) / b
                printf "window %d: T %.5f target %.5f\n", k, a, b > "/dev/stderr"
                if (d > 0.05 || d < -0.05) bad = 1 }
            exit bad }' r.log
}

@test "ramp: without --from it starts at the frame's T metadata (else at -T)" {
    # eq150 carries T=0.07: initial velocities and the ramp start there
    md-quench -T 0.04 --ramp 20 --log r.log --log-every 10 "$EQ" > r.xyz
    awk -F'\t' '!/^#/ { t = $3; if (t == 0) T0 = $4; else if (t <= 4) { s += $4; c++ } else if (t > 16) { u += $4; d++ } }
        END { a = s / c; b = u / d; printf "T(0) %.4f, T(0..4) %.4f, T(16..20) %.4f\n", T0, a, b > "/dev/stderr"
            exit !(T0 > 0.056 && T0 < 0.084 && a > 0.064 && a < 0.070 && b > 0.0395 && b < 0.0445) }' r.log
    # conf-gen output has no T: no ramp at all, velocities drawn at -T
    md-quench -T 0.05 --ramp 5 --log r2.log --log-every 10 "$G" > /dev/null
    awk -F'\t' '!/^#/ { if ($2 == 0) T0 = $4; else { s += $4; c++ } }
        END { printf "T(0) %.4f mean %.4f\n", T0, s / c > "/dev/stderr"; exit !(T0 > 0.04 && T0 < 0.06) }' r2.log
}

@test "--minimize: a converged inherent structure, no velocities, epot and fmax as conf-info" {
    md-quench -T 0.04 --time 1 --minimize "$REF_MIN" > is.xyz
    [ "$(meta converged is.xyz)" = T ]
    check "fmax <= 1e-10" "f <= 1e-10 && f > 0" "f=$(meta fmax is.xyz)"
    [ "$(meta nforce is.xyz)" -gt 1 ]
    check "T = 0.04" "t == 0.04" "t=$(meta T is.xyz)"
    [ "$(meta md_steps is.xyz)" = 200 ]
    [ -z "$(meta ekin is.xyz)" ]
    sed -n 2p is.xyz | grep -q 'Properties=species:S:1:pos:R:3:radius:R:1:id:I:1 '
    if sed -n 2p is.xyz | grep -q velo; then false; fi
    run conf-info is.xyz
    [ "$status" -eq 0 ]
    fm=$(printf '%s\n' "$output" | col fmax)
    check "conf-info fmax <= 1e-10" "f <= 1e-10" "f=$fm"
    [ "$(printf '%s\n' "$output" | col ekin)" = nan ]
    close_to "$(printf '%s\n' "$output" | col epot)" "$(meta epot is.xyz)" 1e-11
    # the inherent structure is a fixed point: one force evaluation, no move
    md-quench -T 0.04 --minimize is.xyz > is2.xyz
    [ "$(meta nforce is2.xyz)" = 1 ]
    cmp <(rows is.xyz) <(rows is2.xyz)
}

@test "--minimize --time 0 from a reference minimum stays there, with every --min-method" {
    conf-convert "$REF_MIN" > ref.xyz
    # The reference has fmax 1.1e-5, so its true minimum is a Newton step
    # H^-1 F ~ 1e-5 away (test_minimize checks that step, and that FIRE and
    # L-BFGS agree on the minimum to 1e-8): 1e-6 cannot be asked for; 1e-4
    # still excludes any other minimum.
    for meth in fire lbfgs fire+lbfgs; do
        md-quench -T 0.04 --time 0 --minimize --min-method "$meth" ref.xyz > m0.xyz
        [ "$(meta converged m0.xyz)" = T ]
        [ "$(meta md_steps m0.xyz)" = 0 ]
        disp=$(awk -v L=$BOX 'function mi(d) { return d - L * int(d / L + (d >= 0 ? 0.5 : -0.5)) }
            NR == FNR { if (FNR > 2) { x[$6] = $2; y[$6] = $3; z[$6] = $4 } next }
            FNR > 2 { dx = mi($2 - x[$6]); dy = mi($3 - y[$6]); dz = mi($4 - z[$6])
                      d = sqrt(dx * dx + dy * dy + dz * dz); if (d > m) m = d; k++ }
            END { if (k != 1500) m = 1; printf "%.3g", m }' ref.xyz m0.xyz)
        echo "$meth: largest displacement $disp, $(meta nforce m0.xyz) force evaluations" >&2
        check "$meth: largest displacement < 1e-4" "d < 1e-4" "d=$disp"
        close_to "$(meta epot m0.xyz)" 0.2044404608 1e-9
    done
    # a tolerance the reference already meets: not a single step, positions
    # bit-identical
    md-quench -T 0.04 --minimize --ftol 1e-4 ref.xyz > m1.xyz
    [ "$(meta nforce m1.xyz)" = 1 ]
    cmp <(rows ref.xyz | cut -d' ' -f1-6) <(rows m1.xyz)
}

@test "streams: one output frame per input frame, each frame its own random stream" {
    cat "$G" "$G" > two.xyz
    md-quench -T 0.07 --time 0.5 --log two.log two.xyz > out.xyz
    run conf-info out.xyz
    [ "${#lines[@]}" -eq 3 ]
    [ "$(awk -F'\t' '!/^#/ { print $1 }' two.log | uniq | tr '\n' ' ')" = "1 2 " ]
    # identical inputs, different velocities
    awk 'NR == 1 { n = $1 } FNR > 2 && FNR <= n + 2 { print $6, $7, $8 }' out.xyz > v1
    awk 'NR == 1 { n = $1 } NR > n + 4 { print $6, $7, $8 }' out.xyz > v2
    [ "$(wc -l < v1)" -eq 150 ] && [ "$(wc -l < v2)" -eq 150 ]
    differ v1 v2
    # frame 1 does not depend on what follows it
    md-quench -T 0.07 --time 0.5 "$G" > one.xyz
    cmp <(rows one.xyz) <(rows out.xyz)
}

@test "streams: the same seed reproduces the output byte for byte, another seed does not" {
    md-quench -T 0.07 --time 0.5 --seed 7 "$G" > a.xyz
    md-quench -T 0.07 --time 0.5 --seed 7 "$G" > b.xyz
    cmp a.xyz b.xyz
    [ "$(meta seed a.xyz)" = 7 ]
    md-quench -T 0.07 --time 0.5 --seed 8 "$G" > c.xyz
    rows a.xyz > a.rows
    rows c.xyz > c.rows
    differ a.rows c.rows
}

@test "Tf: the input's T becomes Tf; an existing Tf is kept; T is the -T given" {
    conf-convert --set T=0.07 "$G" > t.xyz
    md-quench -T 0.04 --time 0.5 t.xyz > q.xyz
    check "Tf = 0.07" "t == 0.07" "t=$(meta Tf q.xyz)"
    check "T = 0.04" "t == 0.04" "t=$(meta T q.xyz)"
    [ "$(meta stage q.xyz)" = md-quench ]
    sed -n 2p q.xyz | grep -q 'history="conf-gen -N 150 --seed 5 | md-quench -T 0.04 --time 0.5 t.xyz"'
    conf-convert --set T=0.07 --set Tf=0.062 "$G" > tf.xyz
    md-quench -T 0.04 --time 0.5 tf.xyz > q2.xyz
    check "Tf = 0.062 kept" "t == 0.062" "t=$(meta Tf q2.xyz)"
    # no T in, no Tf out
    md-quench -T 0.04 --time 0.5 "$G" > q3.xyz
    [ -z "$(meta Tf q3.xyz)" ]
}

@test "--every: snapshots along the run, wrapped, without perturbing it" {
    md-quench -T 0.07 --time 1 --every 0.25 --keep-velocities "$EQ" > ev.xyz
    md-quench -T 0.07 --time 1 --keep-velocities "$EQ" > one.xyz
    [ "$(grep -o ' md_steps=[0-9]*' ev.xyz | tr -d ' ' | tr '\n' ' ')" = "md_steps=50 md_steps=100 md_steps=150 md_steps=200 " ]
    # the last frame is the one a run without --every writes
    cmp <(tail -n 150 ev.xyz) <(rows one.xyz)
    # every snapshot lies inside its box [origin, origin + L)
    awk 'FNR == 1 { n = $1; r = 0; next } !/^Ar/ { split($0, a, "\""); split(a[4], o, " "); split(a[2], l, " "); L = l[1]; next }
        { for (k = 2; k <= 4; k++) if ($k < o[k - 1] || $k >= o[k - 1] + L) { print "outside: " $0; bad = 1 } }
        END { exit bad }' ev.xyz
}

@test "keys of an earlier minimisation do not survive a new MD run" {
    md-quench -T 0.04 --time 0 --minimize "$G" > is.xyz
    [ "$(meta converged is.xyz)" = T ]
    md-quench -T 0.04 --time 0.5 is.xyz > md.xyz
    sed -n 2p md.xyz | tr ' ' '\n' > keys
    if grep -E '^(fmax|converged|nforce)=' keys; then false; fi
    grep -q '^ekin=' keys
}

@test "an exploding run (dt = 0.5) fails naming the frame and the step, and writes no frame" {
    st=0
    md-quench -T 1 --dt 0.5 --time 50 "$G" > out.xyz 2> err || st=$?
    cat err >&2
    [ "$st" -eq 1 ]
    grep -q "g150.xyz: frame 1: step [0-9]*:" err
    [ ! -s out.xyz ]
    st=0
    md-quench -T 1 --dt 0.5 --time 50 -o o.xyz "$G" 2> /dev/null || st=$?
    [ "$st" -eq 1 ]
    [ ! -e o.xyz ]
}

@test "a frame with two particles almost on top of each other fails at its frame and step" {
    # particle 2 put 0.01 from particle 1: energy ~ 1e22 per particle
    awk 'NR == 3 { split($0, p, " ") } NR == 4 { $2 = p[2] + 0.01; $3 = p[3]; $4 = p[4] } { print }' \
        "$G" > bad.xyz
    cat "$G" bad.xyz > two.xyz
    st=0
    md-quench -T 0.07 --time 1 two.xyz > out.xyz 2> err || st=$?
    cat err >&2
    [ "$st" -eq 1 ]
    grep -q "two.xyz: frame 2: step [0-9]*:" err
    # frame 1 was written before, nothing of frame 2
    [ "$(grep -c '^Lattice=' out.xyz)" -eq 1 ]
    [ "$(wc -l < out.xyz)" -eq 152 ]
    # exactly on top: the initial energy is already infinite
    awk 'NR == 3 { split($0, p, " ") } NR == 4 { $2 = p[2]; $3 = p[3]; $4 = p[4] } { print }' \
        "$G" > top.xyz
    st=0
    md-quench -T 0.07 --time 1 top.xyz > out2.xyz 2> err2 || st=$?
    cat err2 >&2
    [ "$st" -eq 1 ]
    grep -q "top.xyz: frame 1: .*not finite" err2
    [ ! -s out2.xyz ]
}

@test "a badly overlapping frame never comes out as a finite but exploded frame" {
    # particle 2 put 0.05 from particle 1 (energy of order 1e13 per
    # particle): the first step throws it ~1e13 box lengths.  Whatever the random stream,
    # the run must fail (exit 1, frame and step named), not write a frame
    # with a kinetic temperature of 1e33.
    awk 'NR == 3 { split($0, p, " ") } NR == 4 { $2 = p[2] + 0.05; $3 = p[3]; $4 = p[4] } { print }' \
        "$G" > bad.xyz
    fails=0
    for seed in 1 2 3 4 5 6 7 8; do
        st=0
        md-quench -T 0.07 --time 1 --seed $seed bad.xyz > out.xyz 2> err || st=$?
        if [ "$st" -ne 1 ] || ! grep -q "bad.xyz: frame 1: step [0-9]*:" err; then
            echo "seed $seed: exit $st, $(cat err); output: $(conf-info out.xyz 2>&1 | tail -1)" >&2
            fails=$((fails + 1))
        fi
    done
    [ "$fails" -eq 0 ]
}
