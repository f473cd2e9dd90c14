#!/usr/bin/env python3
"""Global sensitivity analysis of `korea-1936-1945`: Morris screening over every parameter
with a plausible range, Sobol indices on those that matter, and the share of the plausible
parameter space in which each account's claim holds.

Run it through `scripts/sensitivity/run.sh` (which builds the binary and installs SALib into
a throwaway virtualenv); it writes `docs/models/resistance-sensitivity.md` and the raw tables
under the output folder. Every model run goes through `mobilize sweep --design`, so each
point can be rerun alone with `mobilize run` and the same `--set`s.

Outputs of one run (from the sweep's summary table):
  collapse_by_surrender  1 if the ruling system collapsed on or before 2 September 1945
                         (the Instrument of Surrender), else 0;
  days                   days from the final offensive to the collapse; a run with no
                         collapse by the end (9 September 1945) counts as the days to the end
                         plus one (censored; the table says how many were);
  within_7               1 if the collapse came within 7 days of the offensive (the source's
                         claim: "within a week"), else 0.
"""

import argparse
import csv
import datetime as dt
import json
import math
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = "korea-1936-1945"
MAINSTREAM = "korea-1945-mainstream"
# Seconds spent by each stage, including stages kept from an earlier invocation.
SECONDS = []
START = dt.date(1936, 5, 5)
SURRENDER = dt.date(1945, 9, 2)
OFFENSIVE = dt.date(1945, 8, 9)
END = dt.date(1945, 9, 9)
INTEGER = {"resistance.training.max_bases"}
# Switching the main force off: no offensive strength, no fighters at the start, none trained.
MAIN_FORCE_OFF = {
    "events[12].strength": "0",
    "resistance.initial_fighters": "0",
    "resistance.training.military": "0",
}


def read_ranges(path):
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    return [
        (r["parameter"], float(r["default"]), float(r["low"]), float(r["high"]), r["basis"])
        for r in rows
    ]


def value(name, x):
    return str(int(round(x))) if name in INTEGER else repr(float(x))


def sweep(binary, names, X, out, label, scale, threads, sets=(), scenario=SCENARIO):
    """Runs one design point per row of X (one replicate, common random numbers) and returns
    the summary rows in design order. A stage whose design and command are those of a
    finished earlier run of this script is not run again (its summary is kept)."""
    folder = out / label
    folder.mkdir(parents=True, exist_ok=True)
    design = folder / "design.csv"
    table = [list(names)] + [[value(n, x) for n, x in zip(names, row)] for row in X]
    cmd = [
        str(binary), "sweep", scenario, "--design", str(design), "-n", "1",
        "--scale", str(scale), "--threads", str(threads), "--out", str(folder / "runs"), "-q",
    ]
    for k, v in sets:
        cmd += ["--set", f"{k}={v}"]
    done = folder / "summary.csv"
    same = (
        done.exists()
        and design.exists()
        and list(csv.reader(design.open(newline=""))) == table
        and (folder / "command.txt").exists()
        # The same command but for where the binary lies.
        and (folder / "command.txt").read_text().split(" ")[1:] == (" ".join(cmd) + "\n").split(" ")[1:]
    )
    if same:
        print(f"[{label}] kept from an earlier run", flush=True)
        spent = folder / "seconds.txt"
        SECONDS.append(float(spent.read_text()) if spent.exists() else 0.0)
        with open(done, newline="") as f:
            return sorted(csv.DictReader(f), key=lambda r: int(r["point"]))
    done.unlink(missing_ok=True)
    with open(design, "w", newline="") as f:
        csv.writer(f).writerows(table)
    t0 = time.time()
    print(f"[{label}] {len(X)} runs ...", flush=True)
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    spent = time.time() - t0
    print(f"[{label}] done in {spent:.0f} s", flush=True)
    SECONDS.append(spent)
    (folder / "seconds.txt").write_text(f"{spent:.0f}\n")
    summary = next((folder / "runs" / scenario).glob("sweep-*/summary.csv"))
    with open(summary, newline="") as f:
        rows = sorted(csv.DictReader(f), key=lambda r: int(r["point"]))
    # The runs' own folders (series of every day) are not needed once summarized.
    (folder / "command.txt").write_text(" ".join(cmd) + "\n")
    shutil.copy(summary, done)
    shutil.rmtree(folder / "runs")
    return rows


def outcomes(rows):
    days_to_end = (END - OFFENSIVE).days
    surrender_step = (SURRENDER - START).days
    y = {"collapse_by_surrender": [], "days": [], "within_7": [], "censored": []}
    for r in rows:
        step = r["collapse_step"]
        days = r["days_offensive_to_collapse"]
        collapsed = step != "" and int(float(step)) <= surrender_step
        y["collapse_by_surrender"].append(1.0 if collapsed else 0.0)
        if days == "":
            y["days"].append(float(days_to_end + 1))
            y["censored"].append(1)
            y["within_7"].append(0.0)
        else:
            y["days"].append(float(days))
            y["censored"].append(0)
            y["within_7"].append(1.0 if float(days) <= 7 else 0.0)
    return {k: np.array(v) for k, v in y.items()}


def wilson(k, n, z=1.96):
    """95 % Wilson interval of a proportion k / n."""
    if n == 0:
        return (math.nan, math.nan)
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (max(0.0, c - h), min(1.0, c + h))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--binary", default=str(ROOT / "target/release/mobilize"))
    ap.add_argument("--out", default=str(ROOT / "target/sensitivity"))
    ap.add_argument("--scale", type=float, default=0.05)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--trajectories", type=int, default=10, help="Morris trajectories")
    ap.add_argument("--sobol-n", type=int, default=64, help="Sobol base sample (power of 2)")
    ap.add_argument("--top", type=int, default=8, help="parameters kept for Sobol")
    ap.add_argument("--arms-n", type=int, default=128, help="points per account arm")
    ap.add_argument("--seed", type=int, default=1945)
    ap.add_argument("--docs", default=str(ROOT / "docs/models/resistance-sensitivity.md"))
    a = ap.parse_args()
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    ranges = read_ranges(Path(__file__).with_name("ranges.csv"))
    names = [r[0] for r in ranges]
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [[r[2], r[3]] for r in ranges],
    }
    t0 = time.time()

    # 1. Morris screening over every parameter.
    X = morris_sample.sample(problem, a.trajectories, num_levels=4, seed=a.seed)
    rows = sweep(a.binary, names, X, out, "morris", a.scale, a.threads)
    Y = outcomes(rows)
    morris = {}
    for key in ("collapse_by_surrender", "days"):
        morris[key] = morris_analyze.analyze(problem, X, Y[key], num_levels=4, seed=a.seed)
    # Rank by mu* on the days to collapse, scaled by its spread, and by collapse, together.
    def norm(v):
        v = np.nan_to_num(np.asarray(v, dtype=float))
        return v / v.max() if v.max() > 0 else v

    score = norm(morris["days"]["mu_star"]) + norm(morris["collapse_by_surrender"]["mu_star"])
    order = list(np.argsort(-score, kind="stable"))
    top = [names[i] for i in order[: a.top]]

    # 2. Sobol indices on the parameters that matter; the others at their defaults.
    sub = {
        "num_vars": len(top),
        "names": top,
        "bounds": [problem["bounds"][names.index(n)] for n in top],
    }
    XS = sobol_sample.sample(sub, a.sobol_n, calc_second_order=False, seed=a.seed)
    rows = sweep(a.binary, top, XS, out, "sobol", a.scale, a.threads)
    YS = outcomes(rows)
    sobol = {}
    for key in ("collapse_by_surrender", "days", "within_7"):
        if np.var(YS[key]) == 0:
            sobol[key] = None
        else:
            sobol[key] = sobol_analyze.analyze(
                sub, YS[key], calc_second_order=False, seed=a.seed
            )

    # 3. The share of the plausible space in which each claim holds, by arm: every parameter
    #    drawn from its range (Sobol' sequence), organizations and main force on or off.
    XA = sobol_sample.sample(problem, a.arms_n, calc_second_order=False, seed=a.seed + 1)
    XA = XA[:: len(names) + 2][: a.arms_n]  # the base matrix A: a quasi-random cover
    arms = {}
    for orgs in (True, False):
        for main in (True, False):
            label = f"arm-org-{'on' if orgs else 'off'}-main-{'on' if main else 'off'}"
            keep = [i for i, n in enumerate(names) if main or n not in MAIN_FORCE_OFF]
            sets = [("resistance.organizations", "true" if orgs else "false")]
            if not main:
                sets += list(MAIN_FORCE_OFF.items())
            rows = sweep(
                a.binary, [names[i] for i in keep], XA[:, keep], out, label, a.scale,
                a.threads, sets,
            )
            arms[(orgs, main)] = outcomes(rows)
    # 4. The mainstream account over the same space: its claim is that nothing collapsed
    #    before the surrender (the collapse is imposed, not produced), from little organization.
    #    The source's offensive and call to rise are not in its timeline: their ranges drop.
    keep = [i for i, n in enumerate(names) if not n.startswith("events[")]
    rows = sweep(
        a.binary, [names[i] for i in keep], XA[:, keep], out, "mainstream", a.scale, a.threads,
        scenario=MAINSTREAM,
    )
    mainstream = {
        "imposed": np.array([float(r.get("collapse_imposed") or 0) for r in rows]),
        "organized": np.array([float(r.get("organized_share_on_1945_08_15") or "nan") for r in rows]),
        "committees": np.array([float(r.get("committees_on_1945_08_31") or "nan") for r in rows]),
    }
    elapsed = time.time() - t0

    # 4. What decides the claim: within the organizations-on, main-force-on arm, the
    #    parameters whose values differ most between points where it holds and fails.
    Yon = arms[(True, True)]["within_7"]
    decide = []
    for j, n in enumerate(names):
        lo, hi = problem["bounds"][j]
        x = (XA[:, j] - lo) / (hi - lo) if hi > lo else XA[:, j] * 0
        if Yon.min() == Yon.max():
            break
        d = x[Yon == 1].mean() - x[Yon == 0].mean()
        decide.append((abs(d), d, n))
    decide.sort(reverse=True)

    result = {
        "scale": a.scale,
        "seed": a.seed,
        "runs": int(len(X) + len(XS) + 4 * len(XA)),
        "seconds": round(sum(SECONDS)),
        "morris": {
            k: {
                "names": names,
                "mu_star": [float(v) for v in m["mu_star"]],
                "sigma": [float(v) for v in m["sigma"]],
            }
            for k, m in morris.items()
        },
        "top": top,
        "sobol": {
            k: None
            if s is None
            else {
                "S1": [float(v) for v in s["S1"]],
                "S1_conf": [float(v) for v in s["S1_conf"]],
                "ST": [float(v) for v in s["ST"]],
                "ST_conf": [float(v) for v in s["ST_conf"]],
            }
            for k, s in sobol.items()
        },
        "arms": {
            f"organizations={'on' if o else 'off'},main_force={'on' if m else 'off'}": {
                k: [float(v) for v in y[k]] for k in y
            }
            for (o, m), y in arms.items()
        },
    }
    (out / "sensitivity.json").write_text(json.dumps(result, indent=1))
    result["mainstream"] = {k: [float(x) for x in v] for k, v in mainstream.items()}
    result["runs"] += len(XA)
    (out / "sensitivity.json").write_text(json.dumps(result, indent=1))
    write_docs(Path(a.docs), a, ranges, morris, top, sobol, YS, arms, decide, result, mainstream)
    print(f"done: {result['runs']} runs in {elapsed:.0f} s; wrote {a.docs}")


def fmt(x, digits=2):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x:.{digits}f}"


def write_docs(path, a, ranges, morris, top, sobol, YS, arms, decide, result, mainstream):
    names = [r[0] for r in ranges]
    L = []
    w = L.append
    w("# `resistance`: global sensitivity analysis of `korea-1936-1945`")
    w("")
    w("Generated by `scripts/sensitivity/run.sh` (do not edit by hand; rerun it). "
      f"{result['runs']} runs at scale {a.scale:g}"
      + (" (the smallest scale whose regions all have at least 40,000 persons, where shares "
         "agree with larger scales within sampling noise)" if a.scale >= 0.05 else
         " (below 1/20: shares are biased, a trial only)")
      + ", "
      f"one replicate per point with common random numbers (base seed {a.seed}), "
      f"{result['seconds'] / 60:.0f} minutes on one machine ({a.threads} runs at once).")
    w("")
    w("Outputs: **collapse by the surrender** (1 if the ruling system collapsed on or before "
      "2 September 1945, else 0); **days** from the final offensive (9 August 1945) to the "
      "collapse, a run without collapse by 9 September counting as 32 (censored); **within 7** "
      "(the source's claim: a collapse within a week of the offensive).")
    w("")
    w("## What holds where: the share of the plausible parameter space")
    w("")
    w(f"{a.arms_n} points of a Sobol' sequence over every range below (a quasi-random cover of "
      "the space), run in four arms: mass organizations on or off, the main force on or off "
      "(off: no offensive strength, no fighters at the start, none trained). Intervals are 95 % "
      "Wilson intervals of the share of points.")
    w("")
    w("| organizations | main force | collapse within 7 days | collapse by the surrender | median days (collapsed runs) | no collapse by 9 Sept |")
    w("|---|---|---|---|---|---|")
    for (o, m), y in arms.items():
        n = len(y["within_7"])
        k7 = int(y["within_7"].sum())
        ks = int(y["collapse_by_surrender"].sum())
        lo7, hi7 = wilson(k7, n)
        los, his = wilson(ks, n)
        collapsed = y["days"][y["censored"] == 0]
        med = fmt(float(np.median(collapsed)), 0) if len(collapsed) else "—"
        w(f"| {'on' if o else 'off'} | {'on' if m else 'off'} | {k7}/{n} = {k7 / n:.0%} "
          f"({lo7:.0%}–{hi7:.0%}) | {ks}/{n} = {ks / n:.0%} ({los:.0%}–{his:.0%}) | {med} | "
          f"{int(y['censored'].sum())} |")
    w("")
    n = len(mainstream["imposed"])
    k = int(mainstream["imposed"].sum())
    lo, hi = wilson(k, n)
    org = mainstream["organized"][~np.isnan(mainstream["organized"])]
    com = mainstream["committees"][~np.isnan(mainstream["committees"])]
    w(f"The mainstream account (`{MAINSTREAM}`, the same {n} points, without the source's "
      "offensive and call to rise): its claim, that the ruling system did not collapse before "
      f"the surrender of 15 August, holds at {k}/{n} = {k / n:.0%} ({lo:.0%}–{hi:.0%}) of the "
      "points. ")
    if len(org) and len(com):
        w(f"On the eve of the surrender the organized share is {np.median(org):.2%} (median; "
          f"{np.min(org):.2%}–{np.max(org):.2%}); by 31 August the model counts "
          f"{np.median(com):.0f} local committees (median; {np.min(com):.0f}–{np.max(com):.0f}) "
          "against about 145 CPKI branches on record.")
    w("")
    if decide:
        w("What decides the claim (organizations and main force on): the parameters whose "
          "values differ most between the points where the collapse comes within 7 days and "
          "those where it does not (mean position in the range, 0 = low end, 1 = high end; "
          "difference where it holds minus where it fails):")
        w("")
        w("| parameter | difference |")
        w("|---|---|")
        for _, d, n in decide[:8]:
            w(f"| `{n}` | {d:+.2f} |")
        w("")
    w("## Morris screening (every parameter)")
    w("")
    w(f"{a.trajectories} trajectories, 4 levels, {len(names) + 1} runs each. μ* is the mean "
      "absolute elementary effect of moving the parameter across 2/3 of its range; σ their "
      "spread (interactions and non-linearity). Sorted by the combined rank; the first "
      f"{len(top)} went on to Sobol.")
    w("")
    w("| parameter | μ* days | σ days | μ* collapse | σ collapse |")
    w("|---|---|---|---|---|")
    md, mc = morris["days"], morris["collapse_by_surrender"]
    order = top + [n for n in sorted(
        names, key=lambda n: -float(np.nan_to_num(md["mu_star"][names.index(n)])))
        if n not in top]
    for n in order:
        i = names.index(n)
        w(f"| `{n}` | {fmt(float(md['mu_star'][i]))} | {fmt(float(md['sigma'][i]))} | "
          f"{fmt(float(mc['mu_star'][i]))} | {fmt(float(mc['sigma'][i]))} |")
    w("")
    w("## Sobol indices (the parameters that matter)")
    w("")
    w(f"Saltelli's scheme, base sample {a.sobol_n}, {len(YS['days'])} runs; the other "
      "parameters at their defaults. S1: share of the output's variance due to the parameter "
      "alone; ST: with all its interactions. ± is the 95 % bootstrap half-width; at this "
      "sample size indices below about 0.05 cannot be told from zero.")
    w("")
    w("| parameter | S1 days | ST days | S1 collapse | ST collapse | S1 within 7 | ST within 7 |")
    w("|---|---|---|---|---|---|---|")
    for j, n in enumerate(top):
        cells = []
        for key in ("days", "collapse_by_surrender", "within_7"):
            s = sobol[key]
            if s is None:
                cells += ["—", "—"]
            else:
                cells += [f"{s['S1'][j]:.2f} ± {s['S1_conf'][j]:.2f}",
                          f"{s['ST'][j]:.2f} ± {s['ST_conf'][j]:.2f}"]
        w(f"| `{n}` | " + " | ".join(cells) + " |")
    ys = YS
    w("")
    w(f"Over the Sobol sample: collapse by the surrender in {int(ys['collapse_by_surrender'].sum())} "
      f"of {len(ys['days'])} runs, within 7 days in {int(ys['within_7'].sum())}; "
      f"{int(ys['censored'].sum())} without collapse by 9 September. An output that never varies "
      "has no indices (—).")
    w("")
    w("## The ranges")
    w("")
    w("Every parameter varied, with its default in the scenario, its plausible range and why. "
      "Estimates with no source are halved and doubled (clipped to what the parameter allows); "
      "the control rule's constants, which no source fixes, get ranges wide enough to say so; "
      "the fire on crowds is bounded by the record of 1919. Not varied: `police_reference` (the "
      "unit in which detection is expressed) and `external_weight` (no outside army in this "
      "account).")
    w("")
    w("| parameter | default | low | high | basis |")
    w("|---|---|---|---|---|")
    for n, d, lo, hi, why in ranges:
        w(f"| `{n}` | {d:g} | {lo:g} | {hi:g} | {why} |")
    w("")
    path.write_text("\n".join(L))


if __name__ == "__main__":
    sys.exit(main())
