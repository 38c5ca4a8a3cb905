# pipelines/plot/hist.gp - distributions of the DWP parameters for several Tf
# (tlskit-physics(7), stage 7): asymmetry dV, barrier Vb, d/sqrt(PR) and PR, 2x2 panels.
# gnuplot -e "out='hist.png'; dir='demo'; tfs='0.092 0.07'" hist.gp
# (n=N, optional, goes into the title.)
# Reads DIR/Tf<tf>/hist.tsv (tls-density --hist: one table "quantity lo hi
# count", the logarithmic bins of dV, Vb, d_sqrtPR and PR of the DWPs of the
# first mass, each quantity's rows in turn).  Each Tf is drawn
# as its distribution per decade, count / (total * log10(hi / lo)), so that
# Tf with different numbers of glasses or bins compare; the key gives the
# number of DWPs.
if (!exists("n")) n = 0
set terminal pngcairo size 1200,900 font ",11"
set output out
set logscale x
set format x "10^{%T}"
set grid
set style fill transparent solid 0.25 border
set key top right samplen 1.5 opaque
set offsets 0, 0, graph 0.22, 0   # headroom for the key

array names[4] = ["dV", "Vb", "d_sqrtPR", "PR"]
array xlabels[4] = ["ΔV  (asymmetry V(1) - V(0), ε)", \
                    "V_b  (barrier V_a - ΔV/2, ε)", \
                    "d / √PR  (displacement of a participating particle, σ)", \
                    "PR  (participation ratio, of the 3N components)"]
ntf = words(tfs)

file(k) = sprintf("%s/Tf%s/hist.tsv", dir, word(tfs, k))
# total count of each block of each Tf (0 when the block is empty)
array tot[4 * ntf]
do for [k = 1:ntf] {
    if (system(sprintf("test -r '%s' && echo 1 || echo 0", file(k))) ne "1") {
        exit error sprintf("hist.gp: cannot read %s (made by tls-density --hist)", file(k))
    }
    do for [b = 1:4] {
        tot[4 * (k - 1) + b] = real(system(sprintf( \
            "awk -F'\t' '$1 == \"%s\" { s += $4 } END { print s + 0 }' '%s'", names[b], file(k))))
    }
}

set multiplot layout 2, 2 title (n > 0 ? \
    sprintf("Double-well potentials by Tf, N = %d (first mass): distribution per decade", n) : \
    "Double-well potentials by Tf (first mass): distribution per decade")
do for [b = 1:4] {
    set xlabel xlabels[b]
    set ylabel "fraction of DWPs per decade"
    grand = 0
    do for [k = 1:ntf] { grand = grand + tot[4 * (k - 1) + b] }
    if (grand > 0) {
        # one clause per Tf that has DWPs (an empty block would stop gnuplot)
        cmd = ""
        do for [k = 1:ntf] {
            t = tot[4 * (k - 1) + b]
            if (t > 0) {
                # the rows of this quantity; the others NaN in every column
                # (left out, also from the autoscaled ranges)
                is = sprintf("strcol(1) eq \"%s\"", names[b])
                y = sprintf("(%s ? $4 / (%.17g * log10($3 / $2)) : NaN)", is, t)
                x = sprintf("(%s ? sqrt($2 * $3) : NaN)", is)
                xl = sprintf("(%s ? $2 : NaN)", is)
                xh = sprintf("(%s ? $3 : NaN)", is)
                cmd = cmd . (cmd eq "" ? "plot " : ", ") . \
                    sprintf("'%s' using %s:%s:%s:%s:(0):%s with boxxyerror lc %d title 'Tf = %s (%d DWPs)'", \
                            file(k), x, y, xl, xh, y, k, word(tfs, k), int(t))
            }
        }
        eval cmd
    } else {
        set label 1 "no DWP" at graph 0.5, 0.5 center
        plot [1:10] [0:1] NaN notitle
        unset label 1
    }
}
unset multiplot
