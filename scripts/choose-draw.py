#!/usr/bin/env python3
"""Chooses the posterior draw that a scenario ships: the one that meets the record best.

The marginal medians of a posterior whose parameters trade off need not be a point of it (for
the Korean record they bring twice the record's participants of 1919 out). This picks one
draw instead, in two steps, and prints its values:

1. keep the draws whose calibration run is within a factor of three of every fitted target
   (a target given as an interval counts from its ends; one given as a value, from the value);
2. score those again with more replicates (`mobilize score TARGETS --design … -n 10`), and
   take the one that meets the most targets, then the one with the smallest largest
   implausibility.

    python3 scripts/choose-draw.py scenarios/targets/korea-record-posterior.csv \\
        scenarios/targets/korea-record.toml [--replicates 10] [--scale 0.05]
"""
import argparse
import csv
import os
import subprocess
import tempfile
import tomllib
from pathlib import Path

import posterior_csv

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(os.environ.get("MOBILIZE", ROOT / "target/release/mobilize"))


def ranges(targets_path):
    """Each fitted target's range: its interval, or its observed value at both ends."""
    doc = tomllib.loads(Path(targets_path).read_text())
    out = {}
    for t in doc.get("target", []):
        if t.get("holdout"):
            continue
        if "interval" in t:
            out[t["name"]] = tuple(float(x) for x in t["interval"])
        elif "observed" in t:
            out[t["name"]] = (float(t["observed"]), float(t["observed"]))
    return out


def factor(v, lo, hi):
    """How many times outside [lo, hi] a value lies (1 inside it)."""
    if v is None:
        return float("inf")
    if v < lo:
        return lo / v if v > 0 else float("inf")
    return v / hi if hi > 0 and v > hi else 1.0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("posterior", type=Path)
    ap.add_argument("targets", type=Path)
    ap.add_argument("--replicates", type=int, default=10)
    ap.add_argument("--scale", type=float, default=0.05)
    ap.add_argument("--within", type=float, default=3.0)
    a = ap.parse_args()
    record = ranges(a.targets)
    params, draws = posterior_csv.read(a.posterior)
    num = lambda r, k: float(r[k]) if r.get(k) not in (None, "") else None
    kept = [
        i for i, r in enumerate(draws)
        if all(factor(num(r, t), lo, hi) <= a.within for t, (lo, hi) in record.items())
    ]
    print(f"{len(kept)} of {len(draws)} draws within ×{a.within:g} of every fitted target: {kept}")
    if not kept:
        return 1
    work = Path(tempfile.mkdtemp(prefix="choose-draw-"))
    design = work / "design.csv"
    posterior_csv.write_design(design, params, [draws[i] for i in kept])
    scored = work / "score.csv"
    subprocess.run(
        [str(BIN), "score", str(a.targets.resolve()), "--design", str(design), "-n", str(a.replicates),
         "--scale", str(a.scale), "-q", "--csv", str(scored)],
        check=True, capture_output=True, text=True, cwd=work,
    )
    by_point = {}
    with open(scored) as f:
        for r in csv.DictReader(f):
            if r["holdout"] == "true":
                continue
            met, worst = by_point.get(int(r["point"]), (0, 0.0))
            i = float(r["implausibility"]) if r["implausibility"] not in ("", "inf") else float("inf")
            by_point[int(r["point"])] = (met + (r["met"] == "true"), max(worst, i))
    best = min(by_point, key=lambda p: (-by_point[p][0], by_point[p][1]))
    for p, (met, worst) in sorted(by_point.items()):
        mark = "  <- chosen" if p == best else ""
        print(f"draw {kept[p]:3d}: {met} of {len(record)} met, largest I {worst:.1f}{mark}")
    chosen = draws[kept[best]]
    print(f"\ndraw {kept[best]}:")
    for p in params:
        print(f"  {p} = {chosen[p]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
