# pipelines/plot/pr.gp - how many particles move in a DWP: participation
# ratio PR against the tunnel splitting E, for several Tf (tlskit-physics(7), beyond the density).
# gnuplot -e "out='pr.png'; dir='demo'; tfs='0.092 0.07'" pr.gp
# (n=N, optional, goes into the title.)
# Reads the schrod1d tables DIR/Tf<tf>/g*/tls.tsv (columns id mass e1 e2
# split delta0 dV Vb d PR err flag asym loc): the rows of the first mass of the first
# table, one point per DWP; open symbols for rows flagged as less accurate
# than schrod1d's tolerance (flag 1).  The dashed line is the TLS threshold
# E_Q = 2 pi / mt: the points left of it are active TLS.
if (!exists("n")) n = 0
set terminal pngcairo size 900,700 font ",12"
set output out
set logscale xy
set format x "10^{%T}"
set grid
set key tmargin center horizontal samplen 1
set xlabel "E  (tunnel splitting, ε)"
set ylabel "PR  (participation ratio, of the 3N components)"
ntf = words(tfs)
# every table of one Tf, header lines included (they are '#' comments)
tables(k) = sprintf("%s/Tf%s/g*/tls.tsv", dir, word(tfs, k))
count(k, cond) = int(real(system(sprintf( \
    "cat %s | awk -F'\t' -v mt=%.17g '!/^#/ && $2 == mt && $5 > 0 %s { c++ } END { print c + 0 }'", \
    tables(k), mt, cond))))

# the first mass: column 2 of the first data row of the first table found
mt = 0
do for [k = 1:ntf] {
    if (system(sprintf("ls %s >/dev/null 2>&1 && echo 1 || echo 0", tables(k))) ne "1") {
        exit error sprintf("pr.gp: no table %s (made by schrod1d)", tables(k))
    }
    if (mt == 0) {
        mt = real(system(sprintf("cat %s | awk '!/^#/ && !m { m = $2 } END { print m + 0 }'", tables(k))))
    }
}
set title "Participation ratio against splitting" . (n > 0 ? sprintf(", N = %d", n) : "") . \
          (mt > 0 ? sprintf(", m_t = %g", mt) : "")
eq = mt > 0 ? 2 * pi / mt : 0
if (eq > 0) {
    set arrow from eq, graph 0 to eq, graph 1 nohead dt 2 lc rgb "gray40"
    set label "E_Q = 2π/m_t" at eq, graph 0.04 left offset 0.5, 0 tc rgb "gray40"
}

# one clause per Tf with DWPs (gnuplot stops on a plot without any point),
# the flagged rows as open circles after the good ones
cmd = ""
do for [k = 1:ntf] {
    good = mt > 0 ? count(k, "&& $12 == 0") : 0
    bad = mt > 0 ? count(k, "&& $12 != 0") : 0
    src = sprintf("'< cat %s'", tables(k))
    if (good > 0) {
        cmd = cmd . (cmd eq "" ? "plot " : ", ") . sprintf("%s using ($2 == %.17g && $12 == 0 ? $5 : NaN):10 with points pt 7 ps 0.8 lc %d title 'Tf = %s (%d DWPs)'", src, mt, k, word(tfs, k), good)
    }
    if (bad > 0) {
        cmd = cmd . (cmd eq "" ? "plot " : ", ") . sprintf("%s using ($2 == %.17g && $12 != 0 ? $5 : NaN):10 with points pt 6 ps 0.8 lc %d title 'Tf = %s, flagged (%d)'", src, mt, k, word(tfs, k), bad)
    }
}
if (cmd eq "") {
    set label 1 "no DWP" at graph 0.5, 0.5 center
    unset arrow
    plot [1e-6:1] [1:10] NaN notitle
} else {
    # a dry run for the data range, then whole decades that leave room
    # around the points and show the threshold E_Q
    set table $dry
    eval cmd
    unset table
    if (eq > 0) {
        lo = GPVAL_DATA_X_MIN / 1.5 < eq / 3 ? GPVAL_DATA_X_MIN / 1.5 : eq / 3
        hi = GPVAL_DATA_X_MAX * 1.5 > eq * 3 ? GPVAL_DATA_X_MAX * 1.5 : eq * 3
        set xrange [10 ** floor(log10(lo)) : 10 ** ceil(log10(hi))]
    }
    eval cmd
}
