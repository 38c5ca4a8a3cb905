#!/usr/bin/env bats
# man-examples.bats - the worked examples of the manual pages are run and
# their shown output compared with what the programs print now.
#
# In the roff source of man/man*/*, an example block is .EX ... .EE.  A
# block with lines beginning with "$ " is a terminal session: each "$ "
# line is a command, continued on the next lines while the roff line ends
# in \e (a backslash) or the shell finds the command incomplete (an open
# quote, a trailing |); the lines after it, up to the next "$ " line or the
# end of the block, are what it prints: its standard error, then its
# standard output.  Roff escapes are undone (\- \(aq \e \(ha \& ...; an
# escape this file does not know fails the test).  Blocks without "$ "
# lines (formats, Python, make files, commands shown without output) are
# not run.
#
# The blocks of a page run in order, each command with bash (stdin
# /dev/null, LC_ALL=C) in a directory of the page's own, which holds
# tests/data (the test data), results and pipelines as at the top of the
# source tree (links, to be read only).  Directives in roff comments:
#   .\" notest                 just before .RS/.EX: the block is not run
#                              (timing, a cluster, too long; counted and
#                              printed as skipped)
#   .\" example-files PAGE     the page's examples start in a copy of the
#                              directory left by the examples of PAGE
#                              (e.g. is-sample.1), whose files they use
#   .\" example-setup COMMAND  run where it stands, before the blocks after
#                              it, unseen by the reader: input files the
#                              prose describes but does not make
#
# Comparison, line by line: numbers (integers, decimals, exponents) within
# a relative 1e-6 (the SIMD kernels are bit-identical to the scalar code,
# but libm or compilers elsewhere may differ in the last digits), and two
# numbers both below 1e-9 in magnitude (residual forces, zero modes, drift:
# rounding noise) match; the text between numbers exactly, except that a
# run of blanks matches any run of blanks (column -t realigns when a
# number's width changes; the pages show tabs as spaces) and blanks at the
# end of a line are ignored.  An expected line "..." (roff \&...) stands for
# any number of lines.  Exit statuses are not checked: a failure shows in
# the output (the examples of diagnostics fail on purpose).
#
# Nothing here depends on timing; under SAN=1 the examples run unchanged,
# only slower.

bats_require_minimum_version 1.5.0
load helpers

MAN=$BATS_TEST_DIRNAME/../man

setup() {
    export LC_ALL=C OPENBLAS_NUM_THREADS=1   # one BLAS thread: no spinning, same sums
    W=$BATS_FILE_TMPDIR
}

# mex_parse PAGE: the page as records, one per line, fields split by a tab:
#   U <page>            example-files
#   S <command>         example-setup
#   B <line> <notest>   a block begins (roff line number of .EX)
#   L <text>            a line of the block, unescaped
#   E                   the block ends
#   X <line> <text>     an unknown escape (an error)
mex_parse() {
    awk '
    function unescape(s) {
        gsub(/\\e/, "\001", s)
        gsub(/\\-/, "-", s); gsub(/\\\(aq/, "\047", s); gsub(/\\\(ha/, "^", s)
        gsub(/\\\(ti/, "~", s); gsub(/\\\(dq/, "\"", s); gsub(/\\\(rs/, "\001", s)
        gsub(/\\\(bu/, "*", s); gsub(/\\\(->/, "->", s)
        gsub(/\\&/, "", s); gsub(/\\%/, "", s); gsub(/\\~/, " ", s); gsub(/\\ /, " ", s)
        gsub(/\\f[BIRP]/, "", s)
        if (index(s, "\\")) printf "X\t%d\t%s\n", FNR, s
        gsub(/\001/, "\\", s)
        return s
    }
    /^\.\\" example-files / { sub(/^\.\\" example-files /, ""); printf "U\t%s\n", $0; next }
    /^\.\\" example-setup / { sub(/^\.\\" example-setup /, ""); printf "S\t%s\n", $0; next }
    /^\.\\" notest[ \t]*$/ { notest = 1; next }
    /^\.EX/ { inb = 1; printf "B\t%d\t%d\n", FNR, notest; notest = 0; next }
    /^\.EE/ { inb = 0; print "E"; next }
    inb && /^[.\047]/ { next }              # a request inside a block
    inb { printf "L\t%s\n", unescape($0); next }
    /^[^.]/ { notest = 0 }                  # text between the mark and .EX
    ' "$1"
}

# mex_compare EXPECTED ACTUAL: 0 when they match (see the top of the file)
mex_compare() {
    awk -v ef="$1" -v af="$2" '
    function num(x) { return x + 0 }
    function absv(x) { return x < 0 ? -x : x }
    # the line as alternating text and number pieces in p[1..n]; returns n
    function pieces(s, p,   n, re) {
        gsub(/[ \t]+/, " ", s); sub(/ $/, "", s)
        re = "[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?"
        n = 0
        while (match(s, re)) {
            p[++n] = substr(s, 1, RSTART - 1)
            p[++n] = "\001" substr(s, RSTART, RLENGTH)
            s = substr(s, RSTART + RLENGTH)
        }
        p[++n] = s
        return n
    }
    function same(e, a,   pe, pa, ne, na, k, x, y, d, m) {
        if (e == a) return 1
        ne = pieces(e, pe); na = pieces(a, pa)
        if (ne != na) return 0
        for (k = 1; k <= ne; k++) {
            if (substr(pe[k], 1, 1) == "\001" && substr(pa[k], 1, 1) == "\001") {
                x = num(substr(pe[k], 2)); y = num(substr(pa[k], 2))
                d = absv(x - y); m = absv(x) > absv(y) ? absv(x) : absv(y)
                if (d > 1e-6 * m && m >= 1e-9) return 0
            } else if (pe[k] != pa[k]) return 0
        }
        return 1
    }
    BEGIN {
        while ((getline l < ef) > 0) E[++ne] = l
        while ((getline l < af) > 0) A[++na] = l
        i = 1; j = 1
        while (i <= ne) {
            if (E[i] == "...") {
                if (i == ne) exit 0
                while (j <= na && !same(E[i + 1], A[j])) j++
                if (j > na) exit 1
                i++
                continue
            }
            if (j > na || !same(E[i], A[j])) exit 1
            i++; j++
        }
        exit (j <= na)       # lines left over
    }'
}

# mex_page PAGE: run the examples of man page PAGE (e.g. is-sample.1) in
# $W/PAGE; prints every mismatch; fails if there is one.  A page's run is
# done once per file (pages of example-files reuse it).
mex_page() {
    local page=$1 src dir kind a b line notest bad=0
    src=$(ls "$MAN"/man*/"$page") || return 1
    dir=$W/$page
    if [ -e "$dir.done" ]; then
        cat "$dir.result"
        return "$(cat "$dir.done")"
    fi
    mex_parse "$src" > "$W/$page.parsed"
    if grep -q '^X' "$W/$page.parsed"; then
        echo "$page: unknown roff escapes:"; grep '^X' "$W/$page.parsed"
        return 1
    fi
    local base
    base=$(awk -F'\t' '$1 == "U" { print $2 }' "$W/$page.parsed")
    rm -rf "$dir"
    if [ -n "$base" ]; then
        mex_page "$base" > /dev/null || true
        cp -a "$W/$base" "$dir"
    else
        mkdir -p "$dir/tests"
        ln -s "${TLSKIT_DATA:-$BATS_TEST_DIRNAME/data}" "$dir/tests/data"
        ln -s "$BATS_TEST_DIRNAME/../results" "$dir/results"
        ln -s "$BATS_TEST_DIRNAME/../pipelines" "$dir/pipelines"
    fi
    # setup commands, then the blocks
    local -a blk=()
    local nrun=0 nskip=0
    {
        while IFS= read -r line; do
            kind=${line%%$'\t'*}
            a=${line#*$'\t'}
            case $kind in
            S) (cd "$dir" && bash --norc -c "$a") < /dev/null || { echo "$page: setup failed: $a"; bad=1; } ;;
            B) blk=(); b=${a%%$'\t'*}; notest=${a#*$'\t'} ;;
            L) blk+=("$a") ;;
            E)
                if printf '%s\n' "${blk[@]}" | grep -q '^\$ '; then
                    if [ "$notest" = 1 ]; then
                        nskip=$((nskip + 1))
                    else
                        nrun=$((nrun + 1))
                        mex_block "$page" "$b" "$dir" || bad=1
                    fi
                fi
                ;;
            esac
        done < "$W/$page.parsed"
        echo "$page: $nrun blocks run, $nskip skipped"
    } > "$dir.result" 2>&1
    echo $bad > "$dir.done"
    cat "$dir.result"
    return $bad
}

# mex_block PAGE LINE DIR: the block in ${blk[@]}; 1 on any mismatch
mex_block() {
    local page=$1 at=$2 dir=$3 n=${#blk[@]} i=0 cmd bad=0 exp=$W/.expected act=$W/.actual
    while [ $i -lt $n ]; do
        if [ "${blk[i]:0:2}" != '$ ' ]; then
            echo "$page:$at: a line before the first command: ${blk[i]}"
            return 1
        fi
        cmd=${blk[i]:2}
        i=$((i + 1))
        # continuation: a trailing backslash, or a command bash finds incomplete
        while [ $i -lt $n ] && [ "${blk[i]:0:2}" != '$ ' ] &&
              { [ "${cmd: -1}" = '\' ] || ! bash --norc -n -c "$cmd" 2> /dev/null; }; do
            cmd+=$'\n'${blk[i]}
            i=$((i + 1))
        done
        : > "$exp"
        while [ $i -lt $n ] && [ "${blk[i]:0:2}" != '$ ' ]; do
            printf '%s\n' "${blk[i]}" >> "$exp"
            i=$((i + 1))
        done
        (cd "$dir" && bash --norc -c "$cmd") < /dev/null > "$act.out" 2> "$act.err"
        cat "$act.err" "$act.out" > "$act"
        if ! mex_compare "$exp" "$act"; then
            echo "$page:$at: \$ $cmd"
            diff -u "$exp" "$act" | sed '1,2d; s/^/    /'
            bad=1
        fi
    done
    return $bad
}

# One test per page with examples; pages whose files others use come first
# (a page runs once per file: the later ones reuse its directory).
@test "is-sample(1)" { mex_page is-sample.1; }
@test "is-merge(1)" { mex_page is-merge.1; }
@test "pair-select(1)" { mex_page pair-select.1; }
@test "conf-diff(1)" { mex_page conf-diff.1; }
@test "neb-ci(1)" { mex_page neb-ci.1; }
@test "dwp-split(1)" { mex_page dwp-split.1; }
@test "conf-modes(1)" { mex_page conf-modes.1; }
@test "tls-snapshot(1)" { mex_page tls-snapshot.1; }
@test "tlskit-dwp(5)" { mex_page tlskit-dwp.5; }
@test "schrod1d(1)" { mex_page schrod1d.1; }
@test "tls-density(1)" { mex_page tls-density.1; }
@test "tls-heat(1)" { mex_page tls-heat.1; }
@test "ipl-swapmc(1)" { mex_page ipl-swapmc.1; }
@test "md-quench(1)" { mex_page md-quench.1; }
@test "conf-info(1)" { mex_page conf-info.1; }
@test "tlskit-frame(5)" { mex_page tlskit-frame.5; }
@test "tlskit(7)" { mex_page tlskit.7; }

@test "every page with examples to run has a test above; the count of blocks run and skipped" {
    local f page tested run=0 skip=0 plain=0 missing=""
    tested=$(grep -o '^@test "[^"]*" { mex_page [^;]*;' "$BATS_TEST_FILENAME" | sed 's/.* //; s/;$//')
    for f in "$MAN"/man*/*; do
        page=${f##*/}
        mex_parse "$f" > "$W/.parsed"
        # blocks with and without commands, the marked ones
        read -r r s p < <(awk -F'\t' '$1 == "B" { n = $3; c = 0 } $1 == "L" && $2 ~ /^\$ / { c = 1 }
            $1 == "E" { if (!c) p++; else if (n) s++; else r++ } END { print r + 0, s + 0, p + 0 }' "$W/.parsed")
        run=$((run + r)) skip=$((skip + s)) plain=$((plain + p))
        if [ $((r + s)) -gt 0 ] && ! grep -qx "$page" <<< "$tested"; then
            missing+=" $page"
        fi
    done
    echo "# man pages: $run example blocks run, $skip skipped (notest), $plain without commands" >&3
    [ -z "$missing" ] || { echo "pages with examples but no test in $BATS_TEST_FILENAME:$missing"; return 1; }
}
