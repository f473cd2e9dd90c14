#!/usr/bin/env python3
"""Each account's claims, judged across the posterior's draws, with and without each cause.

`mobilize calibrate` leaves `posterior.csv`: weighted parameter vectors fitted to the record.
This script runs every draw of it through both accounts and through the source's account
with its causes switched off, and prints the posterior probability of each claim in each arm,
and the paired effect of each cause:

    python3 scripts/posterior-claims.py scenarios/targets/korea-record-posterior.csv

(or a calibration folder, whose `posterior.csv` it reads; `--replicates 3`, `--scale 0.05` by
default, as the calibration ran).

Every arm is one `mobilize sweep --design` over the draws with the same replicate seeds
(common random numbers), so that a draw's runs with and without a cause differ only by the
cause. A claim's probability is the posterior-weighted share of runs meeting it; its 95 %
interval is Wilson's at the posterior's effective sample size (Kish: 1 / Σ w²), as
`mobilize calibrate` gives its claims. A cause's paired effect on a figure is, for each draw,
the mean over replicates of (with − without); the table gives its posterior mean and the
weighted 5 and 95 % quantiles across draws.
"""
import argparse
import os
import csv
import subprocess
import tempfile
import time
from math import sqrt
from pathlib import Path

import posterior_csv

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(os.environ.get("MOBILIZE", ROOT / "target/release/mobilize"))

SOURCE = "korea-1936-1945"
MAINSTREAM = "korea-1945-mainstream"
NO_ORGS = ["resistance.organizations=false"]
NO_MAIN_FORCE = [
    "events[12].strength=0",
    "resistance.initial_fighters=0",
    "resistance.training.military=0",
]
ARMS = [
    ("source's account", SOURCE, []),
    ("without the organizations", SOURCE, NO_ORGS),
    ("without the main force", SOURCE, NO_MAIN_FORCE),
    ("without either", SOURCE, NO_ORGS + NO_MAIN_FORCE),
    ("mainstream account", MAINSTREAM, []),
]


def fig(row, key):
    v = row.get(key, "")
    return float(v) if v != "" else None


CLAIMS = [
    (
        "the ruling system collapses within 7 days of the final offensive (source)",
        lambda r: (fig(r, "days_offensive_to_collapse") or 1e9) <= 7,
        {SOURCE},
    ),
    (
        "the ruling system has collapsed by 31 August 1945 (source)",
        lambda r: fig(r, "collapsed_on_1945_08_31") == 1,
        {SOURCE},
    ),
    (
        "some of the homeland is liberated by 31 August 1945",
        lambda r: (fig(r, "liberated_share_on_1945_08_31") or 0) > 0,
        {SOURCE},
    ),
    (
        "no collapse before the surrender; the surrender ends the rule (mainstream)",
        lambda r: fig(r, "collapse_imposed") == 1,
        {MAINSTREAM},
    ),
    (
        "120–170 committees by 31 August 1945, as the CPKI's ~145 (mainstream)",
        lambda r: 120 <= (fig(r, "committees_on_1945_08_31") or 0) <= 170,
        {MAINSTREAM},
    ),
]

EFFECTS = [
    ("peak out at once (full scale)", "peak_risen", True),
    ("liberated share on 31 August", "liberated_share_on_1945_08_31", False),
    ("killed (full scale)", "killed", True),
]


def wilson(p, n, z=1.96):
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * sqrt(max(p * (1 - p), 0) / n + z * z / (4 * n * n)) / d
    return max(0.0, c - h), min(1.0, c + h)


def weighted_quantile(values, weights, q):
    pairs = sorted(zip(values, weights))
    total = sum(weights)
    acc = 0.0
    for v, w in pairs:
        acc += w
        if acc >= q * total:
            return v
    return pairs[-1][0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("posterior", type=Path, help="posterior.csv, or the calibration folder holding it")
    ap.add_argument("--replicates", type=int, default=3)
    ap.add_argument("--scale", type=float, default=0.05)
    a = ap.parse_args()
    started = time.time()
    path = a.posterior / "posterior.csv" if a.posterior.is_dir() else a.posterior
    params, rows = posterior_csv.read(path)
    weights = [float(r["weight"]) for r in rows]
    total = sum(weights)
    weights = [w / total for w in weights]
    ess = 1 / sum(w * w for w in weights)
    work = Path(tempfile.mkdtemp(prefix="posterior-claims-"))
    design = work / "design.csv"
    posterior_csv.write_design(design, params, rows)

    results = {}
    for name, scenario, sets in ARMS:
        out = subprocess.run(
            [str(BIN), "sweep", scenario, "--design", str(design), "-n", str(a.replicates),
             "--scale", str(a.scale), "-q", "--out", str(work / "runs")]
            + [x for s in sets for x in ("--set", s)],
            check=True, capture_output=True, text=True,
        ).stdout
        folder = next(l[9:] for l in out.splitlines() if l.startswith("results: "))
        with open(Path(folder) / "summary.csv") as f:
            results[name] = list(csv.DictReader(f))

    def by_point(name):
        points = {}
        for r in results[name]:
            points.setdefault(int(r["point"]), {})[int(r["replicate"])] = r
        return points

    print(f"{len(rows)} draws (effective sample size {ess:.0f}), {a.replicates} replicates each, "
          f"scale {a.scale}; {sum(len(v) for v in results.values())} runs\n")
    print("| claim | arm | posterior probability (95 % interval) |")
    print("|---|---|---|")
    for claim, test, scenarios in CLAIMS:
        for name, scenario, _ in ARMS:
            if scenario not in scenarios:
                continue
            pts = by_point(name)
            p = sum(weights[i] * sum(test(r) for r in reps.values()) / len(reps) for i, reps in pts.items())
            lo, hi = wilson(p, ess)
            print(f"| {claim} | {name} | {p:.2f} ({lo:.2f}–{hi:.2f}) |")

    print("\n| cause | figure | with the cause, posterior mean | paired effect (with − without): posterior mean [5 – 95 % of draws] |")
    print("|---|---|---|---|")
    base = by_point("source's account")
    for cause, without in [("the organizations", "without the organizations"), ("the main force", "without the main force")]:
        other = by_point(without)
        for label, key, full in EFFECTS:
            k = 1 / a.scale if full else 1.0
            level, effect = [], []
            for i in range(len(rows)):
                reps = base[i]
                level.append(sum((fig(r, key) or 0) for r in reps.values()) / len(reps) * k)
                effect.append(
                    sum((fig(reps[j], key) or 0) - (fig(other[i][j], key) or 0) for j in reps) / len(reps) * k
                )
            mean = lambda v: sum(w * x for w, x in zip(weights, v))
            fmt = (lambda x: f"{x:,.0f}") if full else (lambda x: f"{x:.3f}")
            print(
                f"| {cause} | {label} | {fmt(mean(level))} | {fmt(mean(effect))} "
                f"[{fmt(weighted_quantile(effect, weights, 0.05))} – {fmt(weighted_quantile(effect, weights, 0.95))}] |"
            )
    print(f"\n({time.time() - started:.0f} s wall)")


if __name__ == "__main__":
    main()
