# pipelines/plot/n0.gp - the TLS density n0 against the fictive temperature
# (tlskit-physics(7), stage 9): the depletion of TLS in stable glasses.
# gnuplot -e "out='n0.png'; dir='demo'; tfs='0.092 0.07'; n=250" n0.gp
# (rows='FILE' in -e also writes the points drawn as text)
# Reads the first row (first mass) of DIR/Tf<tf>/density.tsv (tls-density):
# n0 from the plateau window with its bootstrap error (filled circles), the
# count estimate n(E_Q)/E_Q = TLS / (N Ng E_Q) (open squares), and, for a Tf
# without any TLS, the 95 % Poisson upper limit n0_ub (a downward triangle).
# Each point is labelled with its TLS and glasses.  An error as large as n0
# is drawn down to n0 / 100 (a log axis has no zero); n0_err nan (fewer than
# 2 bootstrap samples) draws no bar.
if (!exists("n")) n = 0
set terminal pngcairo size 900,650 font ",12"
set output out
ntf = words(tfs)
dens(k) = sprintf("%s/Tf%s/density.tsv", dir, word(tfs, k))
do for [k = 1:ntf] {
    if (system(sprintf("test -r '%s' && echo 1 || echo 0", dens(k))) ne "1") {
        exit error sprintf("n0.gp: cannot read %s (made by tls-density)", dens(k))
    }
}
# one row per Tf: Tf n0 n0_err ntls nglass n0_ub n(E_Q)/E_Q mass, by the
# columns' names (tlskit-table(5)), so that appended columns change nothing
set print $rows
do for [k = 1:ntf] {
    row = system(sprintf("awk -F'\t' -v tf=%s '\
        NR == 1 { for (i = 1; i <= NF; i++) { h = $i; sub(/^#/, \"\", h); c[h] = i } next } \
        NR == 2 { split(\"n0 n0_err ntls nglass n0_ub natoms eq mass\", need, \" \"); \
                  for (i in need) if (!(need[i] in c)) exit; \
                  q = ($(c[\"natoms\"]) * $(c[\"nglass\"]) * $(c[\"eq\"]) > 0) ? \
                      $(c[\"ntls\"]) / ($(c[\"natoms\"]) * $(c[\"nglass\"]) * $(c[\"eq\"])) : 0; \
                  printf \"%%s %%.6g %%.6g %%d %%d %%.6g %%.6g %%s\", tf, $(c[\"n0\"]), $(c[\"n0_err\"]), \
                      $(c[\"ntls\"]), $(c[\"nglass\"]), $(c[\"n0_ub\"]), q, $(c[\"mass\"]) }' '%s'", \
        word(tfs, k), dens(k)))
    if (words(row) != 8) {
        exit error sprintf("n0.gp: %s: no mass row with mass, n0, n0_err, ntls, nglass, n0_ub, natoms, eq", dens(k))
    }
    print row
}
unset print
# rows='FILE': also write the points drawn (Tf n0 n0_err ntls nglass n0_ub
# n(E_Q)/E_Q mass), for checking the figure against the tables
if (exists("rows")) { set print rows; print $rows; unset print }
mt = word($rows[1], 8)
set logscale y
set format y "10^{%T}"
set xlabel "Tf (fictive temperature, units of epsilon / k_B)"
set ylabel "n0  (per particle per epsilon)"
set title sprintf("TLS density against glass stability, N = %d, m_t = %s", n, mt)
set key top left
set grid
set offsets graph 0.15, graph 0.15, graph 0.15, graph 0.15
if (ntf == 1) {
    # one point: a range around it (gnuplot would warn of an empty range)
    tf1 = real(word($rows[1], 1))
    v1 = real(word($rows[1], 2)) > 0 ? real(word($rows[1], 2)) : real(word($rows[1], 6))
    set xrange [0.9 * tf1:1.1 * tf1]
    if (v1 > 0) { set yrange [v1 / 10:v1 * 10] }
}
# a Tf with n0 > 0 (DWPs below the window's top, which is not E_Q for every
# --window): n0 and the count estimate; n0 = 0: the upper limit (each
# clause only when it has a point: gnuplot stops on a log plot without any)
nwith = 0
do for [k = 1:ntf] { if (real(word($rows[k], 2)) > 0) { nwith = nwith + 1 } }
cmd = "plot $rows using 1:($2 > 0 ? $2 : $6):(sprintf('%d TLS, %d glasses', $4, $5)) with labels left offset 1.5, 0 font ',10' notitle"
if (nwith > 0) {
    cmd = cmd . ", '' using 1:($2 > 0 ? $2 : NaN):($2 - $3 > $2 / 100 ? $2 - $3 : $2 / 100):($2 + $3) with yerrorbars pt 7 ps 1.5 lc 1 title 'n0 (plateau window, bootstrap error)'"
    cmd = cmd . ", '' using 1:($7 > 0 ? $7 : NaN) with points pt 4 ps 1.5 lc 2 title 'n(E_Q)/E_Q = TLS / (N N_g E_Q)'"
}
if (nwith < ntf) {
    cmd = cmd . ", '' using 1:($2 > 0 ? NaN : $6) with points pt 11 ps 2 lc 3 title 'n0 = 0: 95 % upper limit'"
}
eval cmd
