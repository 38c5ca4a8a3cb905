#!/usr/bin/env python3
"""lmp_peer.py - the LAMMPS side of the tlskit benchmarks (standard library only).

Subcommands (`lmp_peer.py SUBCOMMAND --help` lists the options):

  lmp_peer.py input [options] DATA OUTDIR
      Read a LAMMPS data file written by `conf-convert -t lammps` (Atoms #
      charge, diameter in the charge column), bin the diameters into T atom
      types and write OUTDIR/peer.data (the same glass, typed) and
      OUTDIR/in.force (the force-evaluation benchmark input).

  lmp_peer.py md [options] DATA OUTDIR
      OUTDIR/peer.data and OUTDIR/in.md: minimise the peer in its own
      potential (not timed), then MD runs from that minimum with velocities
      created at T: fix nve (label nve) and fix nvt (label nvt).

  lmp_peer.py min [options] DATA... OUTDIR
      OUTDIR/peer<k>.data for every snapshot k and OUTDIR/in.min: the
      minimisations labelled <variant>_<k> (fire, fire_default, fire_norm2,
      cg, fire_own, fire_ipl; see --help); fire_ipl also writes
      OUTDIR/ipl<m>.table, one per set of type sigmas.

  lmp_peer.py fmax DUMP...
      Largest absolute force component of `write_dump ... id fx fy fz` files.

  lmp_peer.py parse SCREEN...
      Parse LAMMPS screen output (one or more `run` or `minimize` commands
      each) and print one TSV row per run: label steps natoms loop_s pair_s
      neigh_s comm_s output_s modify_s other_s ave_neighs builds dangerous
      fevals fnorm2 fnorminf efinal stop temp pe (the minimisation statistics
      are nan for a run; temp and pe come from the last thermo row, per atom
      with thermo_modify norm yes).  The label of a run is the last
      `print "BENCH label"` line before it.

Pair potential of the peer: lj/cut/opt, epsilon 1, per type pair
sigma_ij = (s_i + s_j)/2 (1 - 0.2 |s_i - s_j|) and cutoff 1.25 sigma_ij,
with s_t the mean diameter of bin t: the tlskit IPL model's pair geometry
(tlskit-physics(7), the model) with 4 (r^-12 - r^-6) in place of r^-12 + polynomial.
The md and min peers add `pair_modify shift yes` (continuous energy; the
force still jumps at the cutoff, which lies inside the LJ well).
"""

import argparse
import re
import sys

SMIN, SMAX, XC, NONADD = 0.73, 1.62, 1.25, 0.2


def die(msg):
    sys.stderr.write("lmp_peer.py: %s\n" % msg)
    sys.exit(1)


def sigma_ij(a, b):
    return 0.5 * (a + b) * (1.0 - NONADD * abs(a - b))


def read_data(path):
    """Header lines (before Masses/Atoms) and atoms [id, q, x, y, z, rest]."""
    try:
        lines = open(path).read().splitlines()
    except OSError as e:
        die("%s: %s" % (path, e.strerror))
    box, natoms, atoms = [], None, []
    i = 0
    while i < len(lines):
        s = lines[i].split("#")[0].split()
        if len(s) == 2 and s[1] == "atoms":
            natoms = int(s[0])
        elif len(s) == 4 and s[2] in ("xlo", "ylo", "zlo"):
            box.append(lines[i].strip())
        elif lines[i].startswith("Atoms"):
            if "charge" not in lines[i] and "#" in lines[i]:
                die("%s: expected 'Atoms # charge', found '%s'" % (path, lines[i].strip()))
            i += 1
            while i < len(lines) and len(atoms) < (natoms or 0):
                f = lines[i].split()
                if f:
                    if len(f) not in (6, 9):
                        die("%s:%d: expected 6 or 9 fields in Atoms" % (path, i + 1))
                    atoms.append([int(f[0]), float(f[2])] + f[3:])
                i += 1
            break
        i += 1
    if natoms is None or len(atoms) != natoms or len(box) != 3:
        die("%s: not a complete LAMMPS data file (atoms %s, found %d)"
            % (path, natoms, len(atoms)))
    return box, atoms


def make_types(diam, ntypes, mode):
    """Type (1-based) of each particle and the sigma of each type."""
    n = len(diam)
    typ = [0] * n
    if mode == "count":
        order = sorted(range(n), key=lambda k: diam[k])
        for rank, k in enumerate(order):
            typ[k] = rank * ntypes // n + 1
    else:
        lo = min(SMIN, min(diam))
        hi = max(SMAX, max(diam))
        w = (hi - lo) / ntypes
        for k, d in enumerate(diam):
            typ[k] = min(int((d - lo) / w), ntypes - 1) + 1
    sig = []
    for t in range(1, ntypes + 1):
        ds = [d for d, u in zip(diam, typ) if u == t]
        if ds:
            sig.append(sum(ds) / len(ds))
        elif mode == "width":
            sig.append(lo + (t - 0.5) * w)
        else:
            die("empty bin %d: fewer particles (%d) than types?" % (t, n))
    return typ, sig


def write_peer(data, path, ntypes, bins):
    """Write the typed peer data file; return the type sigmas."""
    box, atoms = read_data(data)
    diam = [at[1] for at in atoms]
    typ, sig = make_types(diam, ntypes, bins)
    with open(path, "w") as fp:
        fp.write("LAMMPS data file: tlskit bench peer, %d types (%s bins)\n\n"
                 % (ntypes, bins))
        fp.write("%d atoms\n%d atom types\n\n" % (len(atoms), ntypes))
        fp.write("\n".join(box) + "\n\nMasses\n\n")
        fp.write("".join("%d 1\n" % t for t in range(1, ntypes + 1)))
        fp.write("\nAtoms # charge\n\n")
        for at, t in zip(atoms, typ):
            # charge column keeps the true diameter (tlskit reads it back)
            fp.write("%d %d %.17g %s\n" % (at[0], t, at[1], " ".join(at[2:])))
    return sig


# The IPL pair potential itself (lib/ipl.h), for the pair_style table peer:
# v = x^-12 + C0 + C2 x^2 + C4 x^4, x = r / sigma_ij < 1.25
C0, C2, C4 = -28.0 / XC ** 12, 48.0 / XC ** 14, -21.0 / XC ** 16
TABLE_XLO, TABLE_POINTS = 0.5, 400


def write_ipl_table(path, sig):
    """One pair_style table section per type pair (keyword IPL_i_j): the
    tlskit potential with sigma_ij of the type sigmas, r from 0.5 sigma_ij to
    the cutoff 1.25 sigma_ij."""
    with open(path, "w") as fp:
        fp.write("# tlskit IPL potential per type pair (generated by lmp_peer.py)\n")
        for i in range(len(sig)):
            for j in range(i, len(sig)):
                s = sigma_ij(sig[i], sig[j])
                lo, hi = TABLE_XLO * s, XC * s
                fp.write("\nIPL_%d_%d\nN %d R %.15g %.15g\n\n" % (i + 1, j + 1, TABLE_POINTS,
                                                                   lo, hi))
                for k in range(TABLE_POINTS):
                    r = lo + (hi - lo) * k / (TABLE_POINTS - 1)
                    x = r / s
                    e = x ** -12 + C0 + C2 * x * x + C4 * x ** 4
                    f = (12 * x ** -13 - 2 * C2 * x - 4 * C4 * x ** 3) / s
                    fp.write("%d %.15g %.15g %.15g\n" % (k + 1, r, e, f))


def setup_lines(datafile, sig, a, shift=False, table=None):
    """units ... read_data ... pair_style/pair_coeff ... neighbor: the model
    (lj/cut/opt, or with table=FILE the IPL potential by pair_style table)."""
    rcmax = max(XC * sigma_ij(si, sj) for si in sig for sj in sig)
    L = ["units lj", "atom_style charge", "boundary p p p", "read_data %s" % datafile,
         "mass * 1.0"]
    if table:
        L.append("pair_style table linear %d" % (4 * TABLE_POINTS))
    else:
        L.append("pair_style lj/cut/opt %.10g" % rcmax)
    for i in range(len(sig)):
        for j in range(i, len(sig)):
            s = sigma_ij(sig[i], sig[j])
            if table:
                # the same digits as the table's upper end (LAMMPS refuses a
                # cutoff beyond the table)
                L.append("pair_coeff %d %d %s IPL_%d_%d %.15g" % (i + 1, j + 1, table, i + 1,
                                                                   j + 1, XC * s))
            else:
                L.append("pair_coeff %d %d 1.0 %.12g %.12g" % (i + 1, j + 1, s, XC * s))
    if shift and not table:
        # continuous energy at the cutoff (forces unchanged: they still jump)
        L.append("pair_modify shift yes")
    L.append("neighbor %g bin" % a.skin)
    L.append("neigh_modify every 1 delay 0 check yes")
    if getattr(a, "nosort", False):
        L.append("atom_modify sort 0 0.0")
    return L


def type_comment(sig, a):
    return "# type sigmas (%s bins): %s" % (a.bins, " ".join("%.6f" % s for s in sig))


def write_input(path, L):
    with open(path, "w") as fp:
        fp.write("\n".join(L) + "\n")


def cmd_input(a):
    out = a.outdir.rstrip("/")
    sig = write_peer(a.data, out + "/peer.data", a.types, a.bins)
    L = ["# tlskit bench: LAMMPS force-evaluation peer (generated by lmp_peer.py)",
         type_comment(sig, a)]
    L += setup_lines("peer.data", sig, a)
    L.append("velocity all set 0.0 0.0 0.0")
    L.append("fix nve all nve")
    # so small a step that no particle moves a measurable distance: the list
    # built at setup is never rebuilt and every step is one force evaluation
    L.append("timestep 1e-8")
    L.append("thermo_style custom step pe press")
    L.append("thermo_modify norm yes flush no")
    L.append("print 'BENCH warmup'")
    L.append("thermo %d" % a.steps)
    L.append("run %d" % max(1, a.steps // 10))
    # forces + energy + virial every step (what tk_ipl_forces computes)
    L.append("thermo 1")
    for k in range(a.runs):
        L.append("print 'BENCH force_ev'")
        L.append("run %d" % a.steps)
    # forces only; energy and virial at the last step
    L.append("thermo %d" % a.steps)
    for k in range(a.runs):
        L.append("print 'BENCH force'")
        L.append("run %d" % a.steps)
    # list build every step
    if a.builds > 0:
        L.append("neigh_modify every 1 delay 0 check no")
        for k in range(a.runs):
            L.append("print 'BENCH build'")
            L.append("run %d" % a.builds)
    write_input(out + "/in.force", L)


# FIRE 2.0 with tlskit's parameters (lib/minimize.c tk_min_defaults): dt0
# 0.01 (the timestep), dtmax = tmax dt0 = 0.1, dtmin = tmin dt0 = 1e-4,
# delay 5, finc 1.1, fdec 0.5, alpha0 0.25, falpha 0.99, 2000 uphill steps,
# semi-implicit Euler with the half step back, dmax 0.1; stop on the largest
# force component (norm inf), as tlskit does.
FIRE_SAME = ("min_modify integrator eulerimplicit tmax 10.0 tmin 0.01 delaystep 5 dtgrow 1.1 "
             "dtshrink 0.5 alpha0 0.25 alphashrink 0.99 vdfmax 2000 halfstepback yes "
             "initialdelay yes dmax 0.1")


def cmd_md(a):
    """in.md: minimise the peer glass in its own potential (not timed), then
    from that minimum, with velocities at T: NVE, and Nose-Hoover NVT."""
    out = a.outdir.rstrip("/")
    sig = write_peer(a.data, out + "/peer.data", a.types, a.bins)
    L = ["# tlskit bench: LAMMPS MD peer (generated by lmp_peer.py)", type_comment(sig, a)]
    L += setup_lines("peer.data", sig, a, shift=True)
    # the tlskit glass is a minimum of its potential, not of this one: start
    # the peer from a minimum of its own, as tlskit starts from one of its own
    L += ["print 'BENCH prep'", "min_style fire", "timestep 0.01", FIRE_SAME,
          "min_modify norm inf", "minimize 0 1e-6 100000 1000000",
          "write_data peer_min.data nocoeff"]
    for v in a.variants.split(","):
        L += ["clear"] + setup_lines("peer_min.data", sig, a, shift=True)
        L += ["velocity all create %.10g %d dist gaussian mom yes rot no" % (a.temp, a.seed),
              "timestep %.10g" % a.dt, "fix nve all nve"]
        if v == "nvt":
            L[-1] = "fix nvt all nvt temp %.10g %.10g %.10g" % (a.temp, a.temp, a.tdamp)
        elif v != "nve":
            die("unknown MD variant '%s' (nve or nvt)" % v)
        L += ["thermo_style custom step temp pe etotal", "thermo_modify norm yes",
              "thermo %d" % a.steps, "print 'BENCH %s'" % v, "run %d" % a.steps]
    write_input(out + "/in.md", L)


def cmd_min(a):
    """in.min: for each snapshot k, minimisations labelled <variant>_<k>."""
    out = a.outdir.rstrip("/")
    L = ["# tlskit bench: LAMMPS minimisation peer (generated by lmp_peer.py)"]
    ftol = "%.6g" % a.ftol
    variants = a.variants.split(",")
    tables = {}
    for k, data in enumerate(a.data, 1):
        sig = write_peer(data, "%s/peer%d.data" % (out, k), a.types, a.bins)
        L.append("# snapshot %d: %s" % (k, data))
        L.append(type_comment(sig, a))
        for v in variants:
            # the minimisations from the snapshot file are repeated (best of
            # them taken by the driver); the own-snapshot ones run once
            reps = 1 if v in ("fire_own", "fire_ipl") else a.repeat
            for r in range(reps):
                L.append("clear")
                table = None
                if v == "fire_ipl":
                    # one table file per set of type sigmas
                    key = tuple(sig)
                    if key not in tables:
                        tables[key] = "ipl%d.table" % (len(tables) + 1)
                        write_ipl_table("%s/%s" % (out, tables[key]), sig)
                    table = tables[key]
                L += setup_lines("peer%d.data" % k, sig, a, shift=True, table=table)
                L += ["thermo_style custom step pe fnorm fmax", "thermo 0"]
                if v == "fire":           # tlskit's FIRE parameters and criterion
                    L += ["min_style fire", "timestep 0.01", FIRE_SAME, "min_modify norm inf"]
                elif v == "fire_default":  # LAMMPS's defaults, tlskit's criterion
                    L += ["min_style fire", "timestep 0.005", "min_modify norm inf"]
                elif v == "fire_norm2":   # tlskit's parameters, LAMMPS's 2-norm criterion
                    L += ["min_style fire", "timestep 0.01", FIRE_SAME, "min_modify norm two"]
                elif v == "cg":
                    L += ["min_style cg", "min_modify norm inf"]
                elif v in ("fire_own", "fire_ipl"):
                    # from a T snapshot of the peer's own potential: minimise,
                    # MD at T (not timed), then the timed FIRE
                    L += ["print 'BENCH prep'", "min_style fire", "timestep 0.01", FIRE_SAME,
                          "min_modify norm inf", "minimize 0 1e-6 100000 1000000",
                          "reset_timestep 0",
                          "velocity all create %.10g %d dist gaussian mom yes rot no"
                          % (a.temp, 1000 + k),
                          "timestep 0.005",
                          "fix nvt all nvt temp %.10g %.10g 0.5" % (a.temp, a.temp),
                          "run %d" % a.own_steps, "unfix nvt", "reset_timestep 0",
                          "min_style fire", "timestep 0.01", FIRE_SAME, "min_modify norm inf"]
                else:
                    die("unknown minimisation variant '%s'" % v)
                L += ["print 'BENCH %s_%d'" % (v, k),
                      "minimize 0 %s 1000000 10000000" % ftol]
                if a.dump:
                    # the final forces, to check the reported largest component
                    L.append("write_dump all custom forces_%s_%d.txt id fx fy fz modify "
                             "format float %%.17g" % (v, k))
    write_input(out + "/in.min", L)


def cmd_fmax(a):
    """Largest absolute force component of LAMMPS dump files (id fx fy fz)."""
    for path in a.dump:
        m, n, body = 0.0, 0, False
        for line in open(path):
            if line.startswith("ITEM: ATOMS"):
                body = True
                continue
            if body and line.strip():
                f = line.split()
                m = max(m, abs(float(f[1])), abs(float(f[2])), abs(float(f[3])))
                n += 1
        print("%s\t%d\t%.6e" % (path, n, m))


def cmd_parse(a):
    rows = ["#label\tsteps\tnatoms\tloop_s\tpair_s\tneigh_s\tcomm_s\toutput_s\tmodify_s\tother_s"
            "\tave_neighs\tbuilds\tdangerous\tfevals\tfnorm2\tfnorminf\tefinal\tstop\ttemp"
            "\tpe"]
    for path in a.screen:
        try:
            text = open(path).read()
        except OSError as e:
            die("%s: %s" % (path, e.strerror))
        m = re.search(r"^ERROR.*$", text, re.M)
        if m:
            die("%s: LAMMPS failed: %s" % (path, m.group(0)))
        label, row, nrow = "run", None, 0

        def flush():
            if row is not None:
                rows.append("\t".join(str(row.get(k, "nan")) for k in
                                ("label", "steps", "natoms", "loop", "Pair", "Neigh", "Comm",
                                 "Output", "Modify", "Other", "neighs", "builds", "dangerous",
                                 "fevals", "fnorm2", "fnorminf", "efinal", "stop", "temp",
                                 "pe")))

        lines = text.splitlines()
        thermo_cols, last_thermo = None, None
        for ln, line in enumerate(lines):
            m = re.match(r"^BENCH (\S+)", line)
            if m:
                label = m.group(1)
                continue
            # thermo table: a header starting with Step, then numeric rows;
            # remember the last row before the Loop line (temp, pe columns)
            f = line.split()
            if f and f[0] == "Step":
                thermo_cols, last_thermo = f, None
                continue
            if thermo_cols and len(f) == len(thermo_cols) and re.match(r"^-?\d+$", f[0]):
                last_thermo = dict(zip(thermo_cols, f))
                continue
            m = re.match(r"^Loop time of (\S+) on \d+ procs for (\d+) steps with (\d+) atoms",
                         line)
            if m:
                flush()
                row = {"label": label, "loop": float(m.group(1)), "steps": int(m.group(2)),
                       "natoms": int(m.group(3))}
                if last_thermo:
                    row["temp"] = last_thermo.get("Temp", "nan")
                    row["pe"] = last_thermo.get("PotEng", "nan")
                thermo_cols, last_thermo = None, None
                nrow += 1
                continue
            if row is None:
                continue
            # minimisation statistics (minimize runs only)
            m = re.match(r"^\s*Stopping criterion = (.*\S)", line)
            if m:
                row["stop"] = m.group(1).replace(" ", "_")
                continue
            m = re.match(r"^\s*Energy initial, next-to-last, final =", line)
            if m and ln + 1 < len(lines):
                row["efinal"] = float(lines[ln + 1].split()[-1])
                continue
            m = re.match(r"^\s*Force two-norm initial, final = \S+ (\S+)", line)
            if m:
                row["fnorm2"] = float(m.group(1))
                continue
            m = re.match(r"^\s*Force max component initial, final = \S+ (\S+)", line)
            if m:
                row["fnorminf"] = float(m.group(1))
                continue
            m = re.match(r"^\s*Iterations, force evaluations = \d+ (\d+)", line)
            if m:
                row["fevals"] = int(m.group(1))
                continue
            m = re.match(r"^(Pair|Neigh|Comm|Output|Modify|Other)\s*\|", line)
            if m:
                # Section | min | avg | max | %varavg | %total; serial: the avg
                # column (the only one filled in the Other row)
                row[m.group(1)] = float(line.split("|")[2])
                continue
            m = re.match(r"^Ave neighs/atom = (\S+)", line)
            if m:
                row["neighs"] = float(m.group(1))
            m = re.match(r"^Neighbor list builds = (\d+)", line)
            if m:
                row["builds"] = int(m.group(1))
            m = re.match(r"^Dangerous builds = (\d+)", line)
            if m:
                row["dangerous"] = int(m.group(1))
        flush()
        if nrow == 0:
            die("%s: no 'Loop time' line: not LAMMPS screen output?" % path)
    print("\n".join(rows))


def main():
    p = argparse.ArgumentParser(prog="lmp_peer.py", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    q = sub.add_parser("input", help="write peer.data and in.force")
    q.add_argument("data")
    q.add_argument("outdir")
    q.add_argument("--types", type=int, default=16)
    q.add_argument("--bins", choices=("count", "width"), default="count")
    q.add_argument("--skin", type=float, default=0.3)
    q.add_argument("--steps", type=int, default=2000, help="steps per timed run")
    q.add_argument("--runs", type=int, default=3, help="timed runs per variant")
    q.add_argument("--builds", type=int, default=100,
                   help="steps of the rebuild-every-step run (0: skip)")
    q.add_argument("--nosort", action="store_true", help="atom_modify sort 0 0.0")
    q = sub.add_parser("md", help="write peer.data and in.md")
    q.add_argument("data")
    q.add_argument("outdir")
    q.add_argument("--types", type=int, default=16)
    q.add_argument("--bins", choices=("count", "width"), default="count")
    q.add_argument("--skin", type=float, default=0.3)
    q.add_argument("--steps", type=int, default=10000, help="steps per run")
    q.add_argument("--temp", type=float, default=0.04, help="velocity temperature")
    q.add_argument("--dt", type=float, default=0.005)
    q.add_argument("--tdamp", type=float, default=0.5, help="fix nvt damping time")
    q.add_argument("--seed", type=int, default=12345, help="velocity create seed")
    q.add_argument("--variants", default="nve,nvt", help="comma-separated: nve, nvt")
    q = sub.add_parser("min", help="write peer<k>.data and in.min")
    q.add_argument("data", nargs="+", help="snapshots (LAMMPS data files)")
    q.add_argument("outdir")
    q.add_argument("--types", type=int, default=16)
    q.add_argument("--bins", choices=("count", "width"), default="count")
    q.add_argument("--skin", type=float, default=0.3)
    q.add_argument("--ftol", type=float, default=1e-10)
    q.add_argument("--variants", default="fire,fire_default,fire_norm2,cg,fire_own",
                   help="comma-separated: fire (tlskit's parameters, norm inf), "
                   "fire_default (LAMMPS's parameters, norm inf), fire_norm2 (norm two), "
                   "cg (norm inf), fire_own (fire from the peer's own T snapshot), "
                   "fire_ipl (fire_own with the IPL potential by pair_style table)")
    q.add_argument("--temp", type=float, default=0.04, help="fire_own: snapshot temperature")
    q.add_argument("--own-steps", type=int, default=4000,
                   help="fire_own: MD steps (dt 0.005) before the snapshot")
    q.add_argument("--dump", action="store_true",
                   help="write the final forces of every minimisation")
    q.add_argument("--repeat", type=int, default=1,
                   help="runs of each minimisation from a snapshot file (not fire_own, "
                   "fire_ipl)")
    q = sub.add_parser("fmax", help="largest force component of LAMMPS force dumps")
    q.add_argument("dump", nargs="+")
    q = sub.add_parser("parse", help="TSV of the timing of each run")
    q.add_argument("screen", nargs="+")
    a = p.parse_args()
    if a.cmd in ("input", "md", "min"):
        if a.types < 1 or a.skin <= 0:
            p.error("--types must be >= 1, --skin > 0")
    if a.cmd == "input":
        if a.steps < 1 or a.runs < 1 or a.builds < 0:
            p.error("--steps, --runs must be >= 1, --builds >= 0")
        cmd_input(a)
    elif a.cmd == "md":
        if a.steps < 1 or a.dt <= 0 or a.temp <= 0:
            p.error("--steps must be >= 1, --dt and --temp > 0")
        cmd_md(a)
    elif a.cmd == "min":
        if a.ftol <= 0 or a.own_steps < 0 or a.repeat < 1:
            p.error("--ftol must be > 0, --own-steps >= 0, --repeat >= 1")
        cmd_min(a)
    elif a.cmd == "fmax":
        cmd_fmax(a)
    else:
        cmd_parse(a)


if __name__ == "__main__":
    main()
