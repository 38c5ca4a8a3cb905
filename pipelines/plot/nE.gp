# pipelines/plot/nE.gp - n(E)/E against E for several Tf (PHYSICS.md §2.9).
# gnuplot -e "out='nE.png'; dir='demo'; tfs='0.092 0.07'; n=250" nE.gp
# Reads DIR/Tf<tf>/curve.tsv (tls-density --curve) and density.tsv.
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
# E_Q = 2 pi / mt of the first mass (a vertical line)
mt = real(system(sprintf("awk 'NR == 2 { print $1 }' %s/Tf%s/density.tsv", dir, word(tfs, 1))))
eq = 2 * pi / mt
# from a decade below the smallest splitting found (or E_Q) to the top
emin_data = real(system(sprintf("cat %s/Tf*/curve.tsv | awk '!/^#/ && $3 + 0 > 0 { print $2; exit }'", dir)))
xmin = (emin_data > 0 && emin_data < eq ? emin_data : eq) / 10
set xrange [xmin:1]
set arrow from eq, graph 0 to eq, graph 1 nohead dt 2 lc rgb "gray40"
set label "E_Q = 2{/Symbol p}/m_t" at eq, graph 0.95 right offset -0.5, 0 tc rgb "gray40"
plot for [k = 1:words(tfs)] sprintf("%s/Tf%s/curve.tsv", dir, word(tfs, k)) index 0 \
     using 2:($4 > 0 ? $4 : 1/0) with steps lw 2 title sprintf("Tf = %s", word(tfs, k))
