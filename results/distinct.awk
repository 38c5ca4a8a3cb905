# results/distinct.awk - distinct defects among the active TLS of a tls.tsv
# (the pipeline's table of active TLS: Tf, glass, then the schrod1d
# columns), for one mass:
#
#   awk -v M=4000 -v TOL=0.05 -f results/distinct.awk tls.tsv
#
# prints per Tf: the active TLS (rows) and the distinct defects among them.
# A deep exploration finds one local rearrangement many times, joined to
# different states of the rest of the box: those DWPs have almost the same
# barrier Vb, path length d and participation ratio PR (a few per cent
# apart, where distinct defects differ by factors).  Within a glass, rows
# whose Vb, d and PR all agree to TOL (relative) are taken as one defect
# (single linkage).  A proxy: it does not compare the particles that move.
function rel(x, y) { return (x > y ? x - y : y - x) / ((x + y) / 2) }
BEGIN { FS = "\t" }
/^#/ { next }
$4 == M { n++; tf[n] = $1; g[n] = $2; vb[n] = $10; d[n] = $11; pr[n] = $12; lab[n] = n }
END {
    for (i = 1; i <= n; i++) for (j = 1; j < i; j++)
        if (tf[i] == tf[j] && g[i] == g[j] && rel(vb[i], vb[j]) < TOL && rel(d[i], d[j]) < TOL && rel(pr[i], pr[j]) < TOL) {
            a = lab[i]; b = lab[j]; for (k = 1; k <= n; k++) if (lab[k] == a) lab[k] = b
        }
    for (i = 1; i <= n; i++) { rows[tf[i]]++; if (!(lab[i] in seen)) { seen[lab[i]] = 1; dist[tf[i]]++ } }
    for (t in rows) printf "%s\t%d\t%d\n", t, rows[t], dist[t]
}
