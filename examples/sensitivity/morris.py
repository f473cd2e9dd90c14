"""Morris elementary-effects screening of the korea-1936-1945 scenario with SALib.

Which inputs decide how many days the ruling system lasts after the final offensive?
SALib makes a Morris design; `mobilize sweep --design` runs it as it is (one run per row, all
with the same seed: common random numbers); SALib computes the indices from `summary.csv`.

    bash examples/sensitivity/run.sh            # makes a virtualenv with SALib, then this

Output: the index table on standard output and `morris.csv` in the sweep's folder.
"""

import argparse
import csv
import pathlib
import subprocess
import sys

import numpy as np
from SALib.analyze import morris as morris_analyze
from SALib.sample import morris as morris_sample

# Five inputs, each over a range around the scenario's value (the docs page gives the reasons).
PROBLEM = {
    "num_vars": 5,
    "names": [
        "resistance.outreach.member_contacts",
        "resistance.repression.detection",
        "resistance.combat.fire",
        "resistance.combat.garrison_weight",
        "resistance.uprising.threshold_base",
    ],
    "bounds": [
        [0.075, 0.3],
        [0.00025, 0.001],
        [0.025, 0.1],
        [0.3, 0.9],
        [0.6, 0.9],
    ],
}
OUTPUT = "days_offensive_to_collapse"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mobilize", default="target/release/mobilize")
    ap.add_argument("--trajectories", type=int, default=10)
    ap.add_argument("--levels", type=int, default=4)
    ap.add_argument("--scale", default="0.02")
    ap.add_argument("--out", default="runs")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    x = morris_sample.sample(PROBLEM, N=args.trajectories, num_levels=args.levels, seed=args.seed)
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    design = out / "morris-design.csv"
    with design.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(PROBLEM["names"])
        for row in x:
            w.writerow([repr(float(v)) for v in row])

    cmd = [args.mobilize, "sweep", "korea-1936-1945", "--design", str(design), "-n", "1",
           "--scale", args.scale, "--out", args.out, "-q"]
    print("$", " ".join(cmd), file=sys.stderr)
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    folder = pathlib.Path(next(l[len("results: "):] for l in done.stdout.splitlines()
                               if l.startswith("results: ")))

    with (folder / "summary.csv").open() as f:
        rows = sorted(csv.DictReader(f), key=lambda r: int(r["point"]))
    y, censored = [], 0
    for r in rows:
        if r.get(OUTPUT):
            y.append(float(r[OUTPUT]))
        else:
            # No collapse by the end: the days to the end are a lower bound (right-censored).
            censored += 1
            y.append(float(r["last_step"]) - float(r["offensive_step"] or r["last_step"]))
    y = np.array(y)

    si = morris_analyze.analyze(PROBLEM, x, y, num_levels=args.levels, seed=args.seed)
    result = folder / "morris.csv"
    with result.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["parameter", "mu_star", "mu_star_conf", "mu", "sigma"])
        for i, name in enumerate(PROBLEM["names"]):
            w.writerow([name, si["mu_star"][i], si["mu_star_conf"][i], si["mu"][i], si["sigma"][i]])

    print(f"Morris screening of {OUTPUT} (days), korea-1936-1945 at scale {args.scale}: "
          f"{len(y)} runs, {args.trajectories} trajectories, {args.levels} levels, seed {args.seed}; "
          f"{censored} runs without collapse (censored at the end)")
    print(f"mean {y.mean():.2f} days, min {y.min():.0f}, max {y.max():.0f}")
    print(f"{'parameter':40} {'mu*':>8} {'mu* 95%':>8} {'mu':>8} {'sigma':>8}")
    for i in np.argsort(-np.asarray(si["mu_star"])):
        print(f"{PROBLEM['names'][i]:40} {si['mu_star'][i]:8.3f} {si['mu_star_conf'][i]:8.3f} "
              f"{si['mu'][i]:8.3f} {si['sigma'][i]:8.3f}")
    print(f"results: {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
