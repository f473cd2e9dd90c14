#!/usr/bin/env python3
"""Reruns the resistance model's documented experiments and prints their tables.

docs/models/resistance.md reports what the model says about the Korean scenarios, each table
with the command that gives it. This script runs those commands (the release build of
`mobilize`, in a scratch folder) and prints the tables in the docs' Markdown, so that a change
to the model or to the scenarios' values is followed by one command, not by hand:

    python3 scripts/resistance-figures.py causes      # the 2 x 2 x 2 of organizations, main force, call
    python3 scripts/resistance-figures.py switches    # each new cause switched off, 1945 and 1919
    python3 scripts/resistance-figures.py committees  # the mainstream's committees by quorum
    python3 scripts/resistance-figures.py scale       # shares on the eve by scale
    python3 scripts/resistance-figures.py all

Every figure is a count of the model at the scale it ran, or that count divided by the scale
where a column says "full scale". Medians and means are over the seeds named in the docs.
"""
import csv
import os
import json
import statistics
import subprocess
import sys
import tempfile
from math import sqrt
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(os.environ.get("MOBILIZE", ROOT / "target/release/mobilize"))
WORK = Path(tempfile.mkdtemp(prefix="resistance-figures-"))

NO_MAIN_FORCE = [
    "events[12].strength=0",
    "resistance.initial_fighters=0",
    "resistance.training.military=0",
]
NO_CALL = ["events[13].enabled=false"]
NO_ORGS = ["resistance.organizations=false"]


def mobilize(*args):
    out = subprocess.run(
        [str(BIN), *args, "-q", "--out", str(WORK / "runs")],
        check=True,
        capture_output=True,
        text=True,
        cwd=WORK,
    ).stdout
    folder = next(l[len("results: ") :] for l in out.splitlines() if l.startswith("results: "))
    return WORK / folder


def sets(values):
    return [a for v in values for a in ("--set", v)]


def thousands(x):
    return f"{x:,.0f}"


def wilson(k, n, z=1.96):
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return max(0.0, c - h), min(1.0, c + h)


def summary(folder):
    with open(folder / "summary.csv") as f:
        return list(csv.DictReader(f))


def num(row, key):
    v = row.get(key, "")
    return float(v) if v not in ("", None) else None


def causes():
    arms = [
        ("organizations, main force and call to rise", []),
        ("organizations and call to rise, no main force", NO_MAIN_FORCE),
        ("organizations and main force, no call to rise", NO_CALL),
        ("organizations only (no main force, no call)", NO_MAIN_FORCE + NO_CALL),
        ("main force and call to rise, no organizations", NO_ORGS),
        ("neither organizations nor main force", NO_ORGS + NO_MAIN_FORCE),
    ]
    print(
        "| arm | collapsed by 9 September | within 7 days of the offensive (95 % Wilson interval)"
        " | liberated share at the end, median | peak out at once, median (scale 1/20)"
        " | out at least once, median | killed, median (scale 1/20) | organized at the peak, median (scale 1/20)"
        " | rising over by the end (held) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for name, extra in arms:
        rows = summary(mobilize("ensemble", "korea-1936-1945", "-n", "20", "--scale", "0.05", *sets(extra)))
        n = len(rows)
        collapsed = sum(1 for r in rows if num(r, "collapse_step") is not None)
        week = sum(
            1
            for r in rows
            if num(r, "collapse_step") is not None
            and num(r, "collapse_step") - num(r, "offensive_step") <= 7
        )
        lo, hi = wilson(week, n)
        med = lambda k: statistics.median(num(r, k) for r in rows)
        held = sum(1 for r in rows if num(r, "held") == 1)
        print(
            f"| {name} | {collapsed} of {n} | {week} of {n} ({lo:.2f}–{hi:.2f}) | {med('liberated_share'):.2f}"
            f" | {thousands(med('peak_risen'))} | {thousands(med('ever_risen'))} | {thousands(med('killed'))}"
            f" | {thousands(med('peak_organized'))} | {held} of {n} |"
        )


SWITCHES_1945 = [
    ("base", []),
    ("children_rise", ['resistance.who_rises.ages=["child","youth","adult"]']),
    ("crowds_by_numbers", ["resistance.combat.unarmed_weight=0.03"]),
    ("jails_unbounded", ["resistance.policing.jail_capacity=1e9"]),
    ("no_crowd_arrest", ["resistance.policing.crowd_arrest=0"]),
    ("no_defection", ["resistance.loyalty.defection=0"]),
    ("no_dispersal", ["resistance.policing.dispersal=0"]),
    ("no_fatigue", ["resistance.demobilization.fatigue=0"]),
    ("no_fear_exit", ["resistance.demobilization.fear_exit=0"]),
    ("no_fear_weight", ["resistance.uprising.fear_weight=0"]),
    ("no_killing_fear", ["resistance.policing.killing_fear=0"]),
    ("no_unsupported_exit", ["resistance.demobilization.unsupported_exit=0"]),
    ("no_weariness", ["resistance.demobilization.weariness=0"]),
]


def switches():
    for scenario, extra_arms in [
        ("korea-1936-1945", [("strength_3000", ["events[12].strength=3000"]), ("strength_750", ["events[12].strength=750"])]),
        ("korea-1919", []),
    ]:
        print(f"\n{scenario}:\n")
        print(
            "| arm | collapsed | liberated share, end | peak out (full scale) | took part (full scale)"
            " | killed (full scale) | arrests (full scale) | crowd arrests (full scale) | stopped obeying (full scale) | held |"
        )
        print("|---|---|---|---|---|---|---|---|---|---|")
        for name, extra in SWITCHES_1945 + extra_arms:
            ms = []
            for seed in (1, 2, 3):
                folder = mobilize("run", scenario, "--scale", "0.05", "--seed", str(seed), *sets(extra))
                ms.append(json.load(open(folder / "manifest.json")))
            fig = lambda k: [m["figures"].get(k) for m in ms]
            mean = lambda k: statistics.mean(v or 0 for v in fig(k))
            full = lambda k: thousands(mean(k) / 0.05)
            collapsed = sum(1 for v in fig("collapse_step") if v is not None)
            print(
                f"| {name} | {collapsed}/3 | {mean('liberated_share'):.2f} | {full('peak_risen')} | {full('ever_risen')}"
                f" | {full('killed')} | {full('arrests')} | {full('crowd_arrests')} | {full('defected')} | {mean('held'):.2f} |"
            )


def committees():
    print("| quorum | committees by 31 August 1945 (3 seeds, scale 1/20) | record |")
    print("|---|---|---|")
    for q, label in [("0.01", "1 %"), ("0.05", "5 % (the default)"), ("0.1", "10 %")]:
        got = []
        for seed in (1, 2, 3):
            folder = mobilize(
                "run", "korea-1945-mainstream", "--scale", "0.05", "--seed", str(seed),
                "--set", f"resistance.committees.quorum={q}",
            )
            got.append(json.load(open(folder / "manifest.json"))["figures"]["committees_on_1945_08_31"])
        print(f"| {label} of a unit's people out at once | {min(got):.0f}–{max(got):.0f} | |")


def scale():
    print(
        "| scale | smallest home region (persons) | organized share on the eve | sympathizer share on the eve"
        " | arrested share on the eve | risen share on the offensive's third day |"
    )
    print("|---|---|---|---|---|---|")
    for sc, label in [("0.01", "1/100"), ("0.02", "1/50"), ("0.033", "1/30"), ("0.05", "1/20"), ("0.1", "1/10")]:
        shares = {k: [] for k in ("organized", "sympathizer", "arrested", "risen")}
        for seed in (1, 2, 3, 4, 5):
            folder = mobilize("run", "--scale", sc, "--seed", str(seed))
            m = json.load(open(folder / "manifest.json"))
            eve = int(m["figures"]["offensive_step"]) - 1
            with open(folder / "series.csv") as f:
                rows = list(csv.DictReader(f))
            people = sum(
                float(rows[0][s])
                for s in ["unreached", "sympathizer", "member", "cadre", "fighter", "risen", "arrested", "dead"]
            )
            for k in ("organized", "sympathizer", "arrested"):
                shares[k].append(float(rows[eve][k]) / people)
            shares["risen"].append(float(rows[eve + 3]["risen"]) / people)
            # Jiandao is the one region abroad in the Korean scenarios.
            smallest = min(r["population"] for r in m["regions"] if r["name"] != "Jiandao")
        cells = " | ".join(
            f"{100 * min(v):.3g}–{100 * max(v):.3g} % (mean {100 * statistics.mean(v):.3g}, sd {100 * statistics.stdev(v):.2g})"
            for v in shares.values()
        )
        print(f"| {label} | {thousands(smallest)} | {cells} |")


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    table = {"causes": causes, "switches": switches, "committees": committees, "scale": scale}
    for name, f in table.items():
        if what in (name, "all"):
            print(f"\n## {name}\n")
            f()
