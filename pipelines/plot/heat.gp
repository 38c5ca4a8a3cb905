# pipelines/plot/heat.gp - the specific heat C/T against T for several Tf:
# the TLS term (solid), the harmonic term of the normal modes (dashed) and
# its quasi-localised part (dotted), one colour per Tf (tls-heat(1)).
# gnuplot -e "out='heat.png'; dir='demo'; tfs='0.092 0.07'; n=250" heat.gp
# Reads DIR/Tf<tf>/heat.tsv (tls-heat: mass T T_TQ c_tls c_harm c_qlm ...),
# the rows of its first mass, and heat-summary.tsv (the crossover T_x, in
# the key).  The top axis is in kelvin for the laboratory reference whose
# mass mt is the nearer (argon-like 4116, nickel-like 27504).
if (!exists("n")) n = 0
set terminal pngcairo size 900,650 font ",12"
set output out
set logscale xyx2
ntf = words(tfs)
heat(k) = sprintf("%s/Tf%s/heat.tsv", dir, word(tfs, k))
summ(k) = sprintf("%s/Tf%s/heat-summary.tsv", dir, word(tfs, k))
do for [k = 1:ntf] {
    if (system(sprintf("test -r '%s' && echo 1 || echo 0", heat(k))) ne "1") {
        exit error sprintf("heat.gp: cannot read %s (made by tls-heat)", heat(k))
    }
}
mt = real(system(sprintf("awk -F'\t' '!/^#/ { print $1; exit }' %s", heat(1))))
if (!(mt > 0)) {
    exit error sprintf("heat.gp: no row in %s (made by tls-heat)", heat(1))
}
tq = 2 * pi / mt
# kelvin per reduced temperature: epsilon / k_B of the nearer reference
ar = abs(mt - 4116) < abs(mt - 27504)
kfac = ar ? 6.6e-21 / 1.380649e-23 : 6.14e-20 / 1.380649e-23
set xlabel sprintf("T (units of epsilon / k_B); m_t = %g, T_Q = 2{/Symbol p}/m_t", mt)
set x2label sprintf("T (K), %s reference", ar ? "argon-like" : "nickel-like")
set ylabel "C / T  (k_B per particle per epsilon)"
set title sprintf("Specific heat, N = %d: TLS term (solid), harmonic modes (dashed), quasi-localised modes (dotted)", n) font ",11"
set format y "10^{%T}"
set format x "10^{%T}"
set format x2 "%g"
set grid
set key bottom right font ",10"
# the y range: from the TLS term at its lowest useful values to the top
stats = sprintf("cat %s | awk -F'\t' -v mt=%.17g '!/^#/ && $1 == mt { for (c = 4; c <= 5; c++) if ($c + 0 > 0) { v = $c / $2; if (v > mx) mx = v } if ($4 + 0 > 0 && $3 >= 0.01) { v = $4 / $2; if (mn == \"\" || v < mn) mn = v } } END { print mx + 0, mn + 0 }'", \
    sprintf("%s/Tf*/heat.tsv", dir), mt)
r = system(stats)
ymax = real(word(r, 1))
ymin = real(word(r, 2))
if (!(ymax > 0)) {
    exit error sprintf("heat.gp: C(T) is zero everywhere in %s/Tf*/heat.tsv", dir)
}
if (!(ymin > 0) || ymin > ymax) { ymin = ymax * 1e-6 }
ymin = ymin / 10 > ymax * 1e-9 ? ymin / 10 : ymax * 1e-9
set yrange [ymin:ymax * 3]
xlo = real(system(sprintf("awk -F'\t' -v mt=%.17g '!/^#/ && $1 == mt { print $2; exit }' %s", mt, heat(1))))
xhi = real(system(sprintf("awk -F'\t' -v mt=%.17g '!/^#/ && $1 == mt { x = $2 } END { print x }' %s", mt, heat(1))))
set xrange [xlo:xhi]
set x2range [xlo * kfac:xhi * kfac]
set x2tics
set xtics nomirror
set arrow from tq, graph 0 to tq, graph 1 nohead dt 2 lc rgb "gray40"
set label 2 "T_Q" at tq, graph 0.95 right offset -0.5, 0 tc rgb "gray40"
tx(k) = real(system(sprintf("awk -F'\t' -v mt=%.17g '!/^#/ && $1 == mt { print $8; exit }' %s 2> /dev/null", mt, summ(k))))
cmd = "plot "
do for [k = 1:ntf] {
    t = tx(k)
    xt = t > 0 ? sprintf(", T_x = %.3g (%.3g K)", t, t * kfac) : ", no crossover"
    cmd = cmd . (k > 1 ? ", " : "") . sprintf( \
        "'%s' using ($1 == %.17g ? $2 : NaN):($4 > 0 ? $4 / $2 : NaN) with lines lw 2 lc %d title 'Tf = %s: TLS%s', " . \
        "'' using ($1 == %.17g ? $2 : NaN):($5 > 0 ? $5 / $2 : NaN) with lines lw 2 dt 2 lc %d title 'harmonic', " . \
        "'' using ($1 == %.17g ? $2 : NaN):($6 > 0 ? $6 / $2 : NaN) with lines lw 1 dt 3 lc %d notitle", \
        heat(k), mt, k, word(tfs, k), xt, mt, k, mt, k)
}
eval cmd
