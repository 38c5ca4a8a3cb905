# Shared setup for the Bats tests: programs are on PATH (tests/run puts
# TLSKIT_BIN first), reference glasses under $REF, scratch in $BATS_TEST_TMPDIR.
REF="${TLSKIT_DATA:-$BATS_TEST_DIRNAME/data}/reference"
REF_MIN="$REF/2.044404608E-01.conf.txt"      # a real minimum
REF_NOTMIN="$REF/2.044849555E-01.conf.txt"   # not a minimum

# column NAME of the first data row of a tlskit table on stdin
col() {
    awk -v c="$1" -F'\t' 'NR==1 { for (i = 1; i <= NF; i++) { h = $i; sub(/^#/, "", h); if (h == c) k = i } next }
                          { print $k; exit }'
}

# |a - b| <= tol * max(|b|, tiny)
close_to() {
    awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; s = b < 0 ? -b : b;
        if (s < 1e-300) s = 1; if (d <= t * s) exit 0; print "not close: " a " vs " b " (tol " t ")" > "/dev/stderr"; exit 1 }'
}

# Sanitiser builds run 5-20x slower: long physics runs scale down with this
# (1 normally, 10 under SAN=1).  Use: steps=$((100000 / SLOW))
if [ "${TLSKIT_SAN:-0}" = 1 ]; then SLOW=10; else SLOW=1; fi

# xrun CMD...: like Bats' `run --separate-stderr` (status, output, lines,
# stderr, stderr_lines), at a fraction of its cost (some files run it
# hundreds of times)
xrun() {
    local errf=$BATS_TEST_TMPDIR/.stderr
    status=0
    output=$("$@" 2> "$errf") || status=$?
    mapfile -t lines <<< "$output"
    mapfile -t stderr_lines < "$errf"
    IFS= read -r -d '' stderr < "$errf" || true
    stderr=${stderr%$'\n'}
}
