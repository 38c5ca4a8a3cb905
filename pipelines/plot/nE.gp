# pipelines/plot/nE.gp - n(E)/E against E for several Tf (tlskit-physics(7), stage 9).
# gnuplot -e "out='nE.png'; dir='demo'; tfs='0.092 0.07'; n=250" nE.gp
# Reads DIR/Tf<tf>/curve.tsv (tls-density --curve: one table "mass E n
# n_over_E", the rows of each mass in turn) and density.tsv (the first mass:
# its first row).  A Tf whose n(E) is zero over the whole grid (no DWP) is
# named in the key and drawn as nothing; if no Tf has any, the figure says so.
if (!exists("n")) n = 0
set terminal pngcairo size 900,650 font ",12"
set output out
set logscale xy
set xlabel "E (splitting, units of epsilon)"
set ylabel "n(E) / E  (per particle per epsilon)"
set title sprintf("Density of two-level systems, N = %d: n(E)/E, first mass; plateau = n0", n)
set key top right
set format y "10^{%T}"
set format x "10^{%T}"
set grid
ntf = words(tfs)
curve(k) = sprintf("%s/Tf%s/curve.tsv", dir, word(tfs, k))
do for [k = 1:ntf] {
    if (system(sprintf("test -r '%s' && echo 1 || echo 0", curve(k))) ne "1") {
        exit error sprintf("nE.gp: cannot read %s (made by tls-density --curve)", curve(k))
    }
}
# E_Q = 2 pi / mt of the first mass (a vertical line)
mt = real(system(sprintf("awk -F'\t' 'NR == 2 { print $1 }' %s/Tf%s/density.tsv", dir, word(tfs, 1))))
if (!(mt > 0)) {
    exit error sprintf("nE.gp: no mass in %s/Tf%s/density.tsv (made by tls-density)", dir, word(tfs, 1))
}
eq = 2 * pi / mt
# rows of the first mass with n(E) > 0, per Tf (0: nothing to draw)
npos(k) = int(real(system(sprintf( \
    "awk -F'\t' -v mt=%.17g '!/^#/ && $1 == mt && $3 + 0 > 0 { c++ } END { print c + 0 }' '%s'", \
    mt, curve(k)))))
# from a decade below the smallest splitting found (or E_Q) to the top
emin_data = real(system(sprintf( \
    "awk -F'\t' -v mt=%.17g '!/^#/ && $1 == mt && $3 + 0 > 0 && (m == \"\" || $2 < m) { m = $2 } END { print m + 0 }' %s/Tf*/curve.tsv", \
    mt, dir)))
xmin = (emin_data > 0 && emin_data < eq ? emin_data : eq) / 10
set xrange [xmin:1]
set arrow from eq, graph 0 to eq, graph 1 nohead dt 2 lc rgb "gray40"
set label 2 "E_Q = 2{/Symbol p}/m_t" at eq, graph 0.95 right offset -0.5, 0 tc rgb "gray40"
# one clause per Tf with points (gnuplot stops on a log plot without any);
# a Tf without is named in the key by an empty clause
cmd = ""
empty = ""
do for [k = 1:ntf] {
    if (npos(k) > 0) {
        cmd = cmd . (cmd eq "" ? "plot " : ", ") . sprintf( \
            "'%s' using ($1 == %.17g ? $2 : NaN):($4 > 0 ? $4 : NaN) with steps lw 2 lc %d title 'Tf = %s'", \
            curve(k), mt, k, word(tfs, k))
    } else {
        empty = empty . (empty eq "" ? "" : ", ") . word(tfs, k)
    }
}
if (cmd eq "") {
    set label 1 "no DWP with a splitting in the grid: n(E) = 0" at graph 0.5, 0.5 center
    set yrange [1:10]
    plot NaN title sprintf("Tf = %s: n(E) = 0", empty)
} else {
    if (empty ne "") {
        cmd = cmd . sprintf(", NaN lc rgb 'gray60' title 'Tf = %s: n(E) = 0'", empty)
    }
    eval cmd
}
