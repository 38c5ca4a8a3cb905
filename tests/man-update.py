#!/usr/bin/python3
"""man-update.py - rewrite the shown output of the manual pages' worked
examples with what the programs print now.

    PATH=bin:$PATH tests/man-update.py [--check] PAGE...   (e.g. is-sample.1)

The examples are those tests/man-examples.bats runs (read its header: .EX
blocks with "$ " lines, continuation lines, example-files, example-setup,
notest).  Each page runs in a scratch directory the way the test runs it
(a page named by example-files first, its directory copied), and the lines
after each command are replaced by its standard error, then its standard
output, escaped for roff.  A command whose shown output holds a "..." line
(an elision) is left alone and reported, to be edited by hand.  The prose
around the examples is not touched: read it again after an update, its
numbers may be stale.  With --check nothing is written; the pages whose
output would change are listed (exit 1 if any).

A kernel change that moves results by roundoff changes every example whose
commands run long chaotic dynamics (swap Monte Carlo, MD): this is the tool
for that, not a licence to accept any change (look at the diff).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
MAN = os.path.join(ROOT, "man")


def find_page(page):
    for sec in sorted(os.listdir(MAN)):
        p = os.path.join(MAN, sec, page)
        if os.path.exists(p):
            return p
    sys.exit(f"man-update.py: no page {page} under {MAN}")


UNESC = [(r"\-", "-"), (r"\(aq", "'"), (r"\(ha", "^"), (r"\(ti", "~"), (r"\(dq", '"'),
         (r"\(rs", "\\"), (r"\(bu", "*"), (r"\(->", "->"), (r"\&", ""), (r"\%", ""),
         (r"\~", " "), (r"\ ", " ")]


def unescape(s):
    s = s.replace(r"\e", "\001")
    for a, b in UNESC:
        s = s.replace(a, b)
    s = re.sub(r"\\f[BIRP]", "", s)
    return s.replace("\001", "\\")


def escape(s):
    s = s.replace("\\", r"\e").replace("-", r"\-").replace("'", r"\(aq").replace("^", r"\(ha")
    s = s.replace("~", r"\(ti")
    if s.startswith(".") or s.startswith("'"):
        s = r"\&" + s
    return s


def parse(lines):
    """(base, setups, blocks): blocks are (start, end, notest) roff line
    indices of the lines between .EX and .EE; setups are (index, command)."""
    base, setups, blocks, notest, start = None, [], [], False, None
    for k, line in enumerate(lines):
        if line.startswith('.\\" example-files '):
            base = line[len('.\\" example-files '):].strip()
        elif line.startswith('.\\" example-setup '):
            setups.append((k, line[len('.\\" example-setup '):]))
        elif re.match(r'^\.\\" notest[ \t]*$', line):
            notest = True
        elif line.startswith(".EX"):
            start = k + 1
        elif line.startswith(".EE") and start is not None:
            blocks.append((start, k, notest))
            start, notest = None, False
        elif start is None and line and not line.startswith("."):
            notest = False
    return base, setups, blocks


def norm(s):
    return re.sub(r"[ \t]+", " ", s).rstrip()


def incomplete(cmd):
    return cmd.endswith("\\") or subprocess.run(
        ["bash", "--norc", "-n", "-c", cmd], stderr=subprocess.DEVNULL).returncode != 0


def run_page(page, work, done, check, report=True):
    """Run PAGE's examples in work/PAGE; returns True if its text changed
    (written unless check; said on stdout when report)."""
    if page in done and (check or not done[page][1]):
        return done[page][0]   # run already, and nothing left to write
    path = find_page(page)
    with open(path) as f:
        lines = f.read().split("\n")
    base, setups, blocks = parse(lines)
    d = os.path.join(work, page)
    shutil.rmtree(d, ignore_errors=True)   # run before as a base, check only
    if base:
        run_page(base, work, done, True, report=False)
        shutil.copytree(os.path.join(work, base), d, symlinks=True)
    else:
        os.makedirs(os.path.join(d, "tests"))
        os.symlink(os.environ.get("TLSKIT_DATA", os.path.join(HERE, "data")),
                   os.path.join(d, "tests", "data"))
        os.symlink(os.path.join(ROOT, "results"), os.path.join(d, "results"))
        os.symlink(os.path.join(ROOT, "pipelines"), os.path.join(d, "pipelines"))
    env = dict(os.environ, LC_ALL="C", OPENBLAS_NUM_THREADS="1")
    out = list(lines)
    edits = []  # (start, end, new lines) in roff line indices, applied last
    events = [(k, "S", c) for k, c in setups] + [(b[0], "B", b) for b in blocks]
    for _, kind, what in sorted(events, key=lambda e: e[0]):
        if kind == "S":
            subprocess.run(["bash", "--norc", "-c", what], cwd=d, env=env,
                           stdin=subprocess.DEVNULL)
            continue
        start, end, notest = what
        body = [(k, unescape(lines[k])) for k in range(start, end)
                if not re.match(r"^[.']", lines[k])]
        if notest or not any(t.startswith("$ ") for _, t in body):
            continue
        i = 0
        while i < len(body):
            if not body[i][1].startswith("$ "):
                sys.exit(f"{page}:{body[i][0] + 1}: a line before the first command")
            cmd = body[i][1][2:]
            i += 1
            while i < len(body) and not body[i][1].startswith("$ ") and incomplete(cmd):
                cmd += "\n" + body[i][1]
                i += 1
            o0 = i
            while i < len(body) and not body[i][1].startswith("$ "):
                i += 1
            shown = [t for _, t in body[o0:i]]
            r = subprocess.run(["bash", "--norc", "-c", cmd], cwd=d, env=env,
                               stdin=subprocess.DEVNULL, capture_output=True, text=True)
            got = (r.stderr + r.stdout).split("\n")
            if got and got[-1] == "":
                got.pop()
            if "..." in shown:
                if report:
                    print(f"{page}:{body[o0 - 1][0] + 1}: output with '...' left alone: $ {cmd}")
                continue
            # blanks as the test compares them: a run matches any run (the
            # pages show tabs as spaces); then tabs are kept only where the
            # page shows tabs
            if [norm(s) for s in shown] == [norm(g) for g in got]:
                continue
            if not any("\t" in s for s in shown):
                got = [g.expandtabs(8) for g in got]
            k0 = body[o0][0] if o0 < i else body[o0 - 1][0] + 1
            k1 = body[i - 1][0] + 1 if i > o0 else k0
            edits.append((k0, k1, [escape(g.rstrip()) for g in got]))
    for k0, k1, new in sorted(edits, reverse=True):
        out[k0:k1] = new
    changed = out != lines
    if changed and not check:
        with open(path + ".tmp", "w") as f:
            f.write("\n".join(out))
        os.replace(path + ".tmp", path)
    if changed and report:
        print(f"{page}: {len(edits)} outputs {'differ' if check else 'rewritten'}")
    done[page] = (changed, check)
    return changed


def main():
    args = sys.argv[1:]
    check = "--check" in args
    pages = [a for a in args if a != "--check"]
    if not pages or any(a.startswith("-") for a in pages):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    with tempfile.TemporaryDirectory() as work:
        done = {}
        changed = [p for p in pages if run_page(p, work, done, check)]
    sys.exit(1 if check and changed else 0)


if __name__ == "__main__":
    main()
