#!/usr/bin/env python3
"""ase_neb.py - the ASE peer of the bench/run `neb` section (bench/README.md).

An ASE calculator for the polydisperse IPL model (tlskit-physics(7), the model) in
numpy, with a Verlet list (per-pair cutoff 1.25 sigma_ij + skin, from a
periodic scipy cKDTree, rebuilt when some particle has moved more than
skin/2: tlskit's rule), and ASE's climbing-image NEB relaxed by ASE's FIRE.

  ase_neb.py check --conf-info TSV FILE...
      energy per particle and largest force component of every frame of the
      extended XYZ FILEs, compared with conf-info's rows (TSV, same frames in
      the same order); exits 1 when a difference exceeds --tol (1e-9).
  ase_neb.py neb [options] PAIRS.xyz
      for the pairs (two frames each, pair-select output) chosen by --pairs,
      ASE's NEB with the same band as neb-ci (ends aligned under minimum
      image, linear interpolation), one TSV row per pair.

Needs ASE (Debian python3-ase), numpy and scipy: run with /usr/bin/python3.
"""
import argparse
import sys
import time

try:
    import numpy as np
except ImportError:
    sys.exit("ase_neb.py: no numpy (needs python3-ase, python3-numpy, python3-scipy;"
             " use /usr/bin/python3)")

XC = 1.25
C0 = -28.0 / XC**12
C2 = 48.0 / XC**14
C4 = -21.0 / XC**16
NONADD = 0.2


def sigma_ij(si, sj):
    return 0.5 * (si + sj) * (1.0 - NONADD * np.abs(si - sj))


def import_ase():
    import importlib
    try:
        for m in ("ase", "ase.io", "ase.calculators.calculator", "ase.optimize", "scipy.spatial"):
            importlib.import_module(m)
    except ImportError as e:
        sys.exit(f"ase_neb.py: {e} (needs python3-ase and python3-scipy; use /usr/bin/python3)")


def make_calculator_class():
    from ase.calculators.calculator import Calculator, all_changes
    from scipy.spatial import cKDTree

    class IPL(Calculator):
        """v(r) = x^-12 + c0 + c2 x^2 + c4 x^4, x = r / sigma_ij < 1.25."""

        implemented_properties = ["energy", "forces"]

        def __init__(self, sigma, L, skin=0.3, **kw):
            Calculator.__init__(self, **kw)
            self.sigma = np.asarray(sigma, dtype=float)
            self.L = float(L)
            self.skin = skin
            smax = self.sigma.max()
            self.rlist = XC * smax + skin  # largest pair cutoff + skin
            if self.rlist >= self.L / 2:
                raise ValueError("box too small for the minimum-image convention")
            self.x0 = None
            self.ncalc = 0   # force evaluations
            self.nbuild = 0  # list builds
            self.tcalc = 0.0  # seconds in calculate()

        def build(self, x):
            L = self.L
            xw = np.mod(x, L)
            xw[xw >= L] = 0.0
            tree = cKDTree(xw, boxsize=L)
            p = tree.query_pairs(self.rlist, output_type="ndarray")
            i, j = p[:, 0], p[:, 1]
            s = sigma_ij(self.sigma[i], self.sigma[j])
            d = x[i] - x[j]
            d -= L * np.rint(d / L)
            r2 = np.einsum("ij,ij->i", d, d)
            keep = r2 < (XC * s + self.skin) ** 2
            self.i = np.ascontiguousarray(i[keep])
            self.j = np.ascontiguousarray(j[keep])
            self.inv_s2 = 1.0 / s[keep] ** 2
            self.x0 = x.copy()
            self.nbuild += 1

        def calculate(self, atoms=None, properties=("energy",), system_changes=all_changes):
            t0 = time.perf_counter()
            Calculator.calculate(self, atoms, properties, system_changes)
            x = self.atoms.positions
            n, L = len(x), self.L
            if self.x0 is None or self.x0.shape != x.shape:
                self.build(x)
            else:
                dx = x - self.x0
                if np.einsum("ij,ij->i", dx, dx).max() > (0.5 * self.skin) ** 2:
                    self.build(x)
            d = x[self.i] - x[self.j]
            d -= L * np.rint(d / L)
            x2 = np.einsum("ij,ij->i", d, d) * self.inv_s2
            m = x2 < XC * XC
            x2, d, inv_s2 = x2[m], d[m], self.inv_s2[m]
            i, j = self.i[m], self.j[m]
            i2 = 1.0 / x2
            i6 = i2 * i2 * i2
            i12 = i6 * i6
            e = np.sum(i12 + C0 + x2 * (C2 + C4 * x2))
            fr = (12.0 * i12 * i2 - 2.0 * C2 - 4.0 * C4 * x2) * inv_s2
            fd = d * fr[:, None]  # force on i from j
            f = np.empty((n, 3))
            for c in range(3):
                f[:, c] = np.bincount(i, fd[:, c], minlength=n) - np.bincount(j, fd[:, c], minlength=n)
            self.results["energy"] = e
            self.results["forces"] = f
            self.ncalc += 1
            self.tcalc += time.perf_counter() - t0

    return IPL


def frame_model(atoms):
    """Diameters (2 x radius) and box edge of an extended XYZ frame."""
    if "radius" not in atoms.arrays:
        sys.exit("ase_neb.py: a frame without the radius column")
    cell = np.asarray(atoms.cell)
    L = cell[0, 0]
    if not (np.allclose(cell, L * np.eye(3)) and all(atoms.pbc)):
        sys.exit("ase_neb.py: only cubic periodic boxes")
    return 2.0 * atoms.arrays["radius"], L


def cmd_check(a):
    import ase.io

    IPL = make_calculator_class()
    rows = []
    with open(a.conf_info) as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            w = line.rstrip("\n").split("\t")
            rows.append((w[0], float(w[5]), float(w[6])))
    frames = []
    for fn in a.files:
        frames += [(fn, f) for f in ase.io.read(fn, index=":")]
    if len(frames) != len(rows):
        sys.exit(f"ase_neb.py check: {len(frames)} frames but {len(rows)} conf-info rows")
    print("#file\tN\tepot_ase\tepot_tlskit\tdiff\tfmax_ase\tfmax_tlskit\tdiff")
    bad = 0
    for (fn, at), (name, e_ref, f_ref) in zip(frames, rows):
        sigma, L = frame_model(at)
        at.calc = IPL(sigma, L)
        n = len(at)
        e = at.get_potential_energy() / n
        fm = np.abs(at.get_forces()).max()
        de, df = abs(e - e_ref), abs(fm - f_ref)
        # conf-info prints epot to 12 decimals and fmax to 7 digits
        df_ok = df <= a.tol + 5e-7 * f_ref
        if de > a.tol or not df_ok:
            bad += 1
        print(f"{fn}\t{n}\t{e:.12f}\t{e_ref:.12f}\t{de:.2e}\t{fm:.6e}\t{f_ref:.6e}\t{df:.2e}")
    if a.bands:
        bad += check_bands(a, IPL)
    if bad:
        print(f"ase_neb.py check: {bad} frames differ from tlskit by more than {a.tol}",
              file=sys.stderr)
        return 1
    return 0


def improved_tangent(rm, r, rp, em, e, ep, L):
    """neb-ci's (and ASE's) improved tangent at image r, differences under
    minimum image."""
    def mic(v):
        return v - L * np.rint(v / L)
    if ep > e > em:
        wp, wm = 1.0, 0.0
    elif ep < e < em:
        wp, wm = 0.0, 1.0
    else:
        dmax = max(abs(ep - e), abs(em - e))
        dmin = min(abs(ep - e), abs(em - e))
        wp, wm = (dmax, dmin) if ep > em else (dmin, dmax)
        if wp == 0 and wm == 0:
            wp = wm = 1.0
    t = wp * mic(rp - r) + wm * mic(r - rm)
    return t / np.linalg.norm(t)


def check_bands(a, IPL):
    """Every image of neb-ci --bands output: its energy E (total) and
    F.tau (ftan), printed to 17 digits, against this calculator: a check
    of the forces at full precision away from minima (near saddles)."""
    import ase.io
    frames = ase.io.read(a.bands, index=":")
    bands = {}
    for f in frames:
        bands.setdefault(f.info["pair"], []).append(f)
    print("#pair\timage\tE_ase\tE_tlskit\tdiff/N\tftan_ase\tftan_tlskit\tdiff")
    bad = 0
    for p, ims in bands.items():
        ims.sort(key=lambda f: f.info["image"])
        sigma, L = frame_model(ims[0])
        n = len(ims[0])
        E = [f.info["E"] for f in ims]
        for k in range(1, len(ims) - 1):
            at = ims[k]
            at.calc = IPL(sigma, L)
            e = at.get_potential_energy()
            t = improved_tangent(ims[k - 1].positions, at.positions, ims[k + 1].positions,
                                 E[k - 1], E[k], E[k + 1], L)
            ft = np.vdot(at.get_forces(), t)
            de, dft = abs(e - E[k]) / n, abs(ft - at.info["ftan"])
            if de > a.tol or dft > a.tol:
                bad += 1
            print(f"{p}\t{k}\t{e:.12f}\t{E[k]:.12f}\t{de:.2e}\t{ft:.10e}\t{at.info['ftan']:.10e}"
                  f"\t{dft:.2e}")
    return bad


def cmd_neb(a):
    import ase.io
    from ase.optimize import FIRE
    try:
        from ase.mep import NEB  # ASE >= 3.23
    except ImportError:
        from ase.neb import NEB

    IPL = make_calculator_class()
    frames = ase.io.read(a.pairs, index=":")
    if len(frames) % 2:
        sys.exit("ase_neb.py neb: an odd number of frames (pairs are two frames)")
    npair = len(frames) // 2
    want = range(npair) if a.pairs_sel is None else [int(p) for p in a.pairs_sel.split(",")]
    fire = dict(dt=a.dt, dtmax=a.dtmax, maxstep=a.maxstep) if a.fire == "tlskit" else {}
    ref = {}  # pair -> neb-ci's climbing image (positions)
    if a.bands:
        for f in ase.io.read(a.bands, index=":"):
            if f.info.get("image") == f.info.get("ci"):
                ref[f.info["pair"]] = f.positions.copy()
    print("#pair\tconverged\tsteps\tnforce\twall_s\tcalc_s\tnbuild\te_saddle\tdE\td"
          "\tfmax_norm\tfmax_comp\tci\tfire\tsaddle_dmax\tsaddle_dist")
    for p in want:
        fa, fb = frames[2 * p], frames[2 * p + 1]
        sigma, L = frame_model(fa)
        xa = fa.positions.copy()
        xb = fb.positions - xa
        xb = xa + (xb - L * np.rint(xb / L))  # the near image of b, as neb-ci
        M = a.images + 2
        images = []
        for k in range(M):
            t = k / (M - 1)
            im = fa.copy()
            im.positions = (1 - t) * xa + t * xb
            im.calc = IPL(sigma, L, skin=a.skin)
            images.append(im)
        neb = NEB(images, k=a.k, climb=True, method="improvedtangent")
        opt = FIRE(neb, logfile=None, **fire)
        t0 = time.perf_counter()
        conv = opt.run(fmax=a.fmax, steps=a.steps)
        wall = time.perf_counter() - t0
        f = neb.get_forces()  # cached images: no new evaluation
        E = np.array([im.get_potential_energy() for im in images])
        nforce = sum(im.calc.ncalc for im in images)
        tcalc = sum(im.calc.tcalc for im in images)
        nbuild = sum(im.calc.nbuild for im in images)
        R = np.array([im.positions for im in images]).reshape(M, -1)
        dR = np.diff(R, axis=0)
        dR -= L * np.rint(dR / L)
        d = np.sqrt((dR ** 2).sum(axis=1)).sum()
        imax = int(1 + np.argmax(E[1:-1]))
        # distance of ASE's climbing image from neb-ci's: the same saddle?
        sdmax = sdist = float("nan")
        if p in ref:
            u = images[imax].positions - ref[p]
            u -= L * np.rint(u / L)
            sdmax = np.sqrt((u ** 2).sum(axis=1)).max()
            sdist = np.sqrt((u ** 2).sum())
        print(f"{p}\t{'T' if conv else 'F'}\t{opt.nsteps}\t{nforce}\t{wall:.4f}\t{tcalc:.4f}"
              f"\t{nbuild}\t{E[imax] - E[0]:.17g}\t{E[-1] - E[0]:.17g}\t{d:.10g}"
              f"\t{np.sqrt((f ** 2).sum(axis=1)).max():.3e}\t{np.abs(f).max():.3e}\t{imax}"
              f"\t{a.fire}\t{sdmax:.2e}\t{sdist:.2e}", flush=True)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check", help="compare the calculator with conf-info")
    c.add_argument("--conf-info", required=True, help="conf-info output for the same frames")
    c.add_argument("--tol", type=float, default=1e-9,
                   help="largest difference in epot (per particle) and fmax (default 1e-9)")
    c.add_argument("--bands", help="also neb-ci --bands -t xyz output: E and F.tau of every"
                   " interior image")
    c.add_argument("files", nargs="+", help="extended XYZ frames")
    c.set_defaults(func=cmd_check)
    n = sub.add_parser("neb", help="ASE's CI-NEB on pair-select pairs")
    n.add_argument("--pairs", dest="pairs_sel", help="pair numbers from 0, e.g. 0,1 (default all)")
    n.add_argument("--images", type=int, default=9, help="interior images (default 9)")
    n.add_argument("-k", type=float, default=5.0, help="spring constant (default 5)")
    n.add_argument("--fmax", type=float, default=1e-6,
                   help="ASE's criterion: largest per-atom force norm (default 1e-6)")
    n.add_argument("--steps", type=int, default=20000, help="FIRE step cap (default 20000)")
    n.add_argument("--skin", type=float, default=0.3, help="Verlet skin (default 0.3)")
    n.add_argument("--fire", choices=("tlskit", "ase"), default="tlskit",
                   help="FIRE parameters: tlskit's dt0/dtmax (default) or ASE's defaults")
    n.add_argument("--dt", type=float, default=0.01, help="with --fire tlskit (default 0.01)")
    n.add_argument("--dtmax", type=float, default=0.1, help="with --fire tlskit (default 0.1)")
    n.add_argument("--maxstep", type=float, default=0.2,
                   help="with --fire tlskit: ASE's cap on the norm of the whole step (0.2)")
    n.add_argument("--bands", help="neb-ci --bands -t xyz output of the same pairs: report the"
                   " distance between its climbing images and ASE's (saddle_dmax: largest"
                   " particle displacement, saddle_dist: in 3N-space)")
    n.add_argument("pairs", help="pair-select frames (extended XYZ)")
    n.set_defaults(func=cmd_neb)
    a = ap.parse_args()
    import_ase()
    return a.func(a)


if __name__ == "__main__":
    sys.exit(main())
