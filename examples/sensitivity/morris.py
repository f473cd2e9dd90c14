"""Morris elementary-effects screening of the korea-1936-1945 scenario with SALib.

Which inputs decide how many people are out at once at the rising's peak?
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

# Five inputs, each over a range around the scenario's value (for the fitted ones, about their
# posterior's 90 % range; docs/models/resistance.md).
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
        [0.01, 0.06],
        [0.0008, 0.0025],
        [0.025, 0.1],
        [0.3, 0.9],
        [0.68, 0.78],
    ],
}
OUTPUT = "peak_risen"


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
    # The rising's peak is reported by every run (0 where nobody rose).
    y = [float(r[OUTPUT]) for r in rows]
    y = np.array(y)

    si = morris_analyze.analyze(PROBLEM, x, y, num_levels=args.levels, seed=args.seed)
    result = folder / "morris.csv"
    with result.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["parameter", "mu_star", "mu_star_conf", "mu", "sigma"])
        for i, name in enumerate(PROBLEM["names"]):
            w.writerow([name, si["mu_star"][i], si["mu_star_conf"][i], si["mu"][i], si["sigma"][i]])

    print(f"Morris screening of {OUTPUT} (persons out at once, at scale {args.scale}), "
          f"korea-1936-1945: {len(y)} runs, {args.trajectories} trajectories, {args.levels} levels, "
          f"seed {args.seed}")
    print(f"mean {y.mean():,.0f}, min {y.min():,.0f}, max {y.max():,.0f}")
    print(f"{'parameter':40} {'mu*':>8} {'mu* 95%':>8} {'mu':>8} {'sigma':>8}")
    for i in np.argsort(-np.asarray(si["mu_star"])):
        print(f"{PROBLEM['names'][i]:40} {si['mu_star'][i]:8.0f} {si['mu_star_conf'][i]:8.0f} "
              f"{si['mu'][i]:8.0f} {si['sigma'][i]:8.0f}")
    print(f"results: {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
