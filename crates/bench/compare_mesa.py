"""Runs Mesa 3.5.1's epstein_civil_violence over seeds and compares it with mobilize's runs.

Called by compare-mesa.sh: argv = folder of our runs, number of seeds, steps.
"""
import csv
import glob
import json
import statistics
import sys
import time

from scipy.stats import ks_2samp
from mesa.examples.advanced.epstein_civil_violence.agents import Citizen, CitizenState
from mesa.examples.advanced.epstein_civil_violence.model import (
    EpsteinCivilViolence,
    EpsteinScenario,
)

ours_dir, seeds, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
CONFIGS = {
    "default": dict(cop_density=0.074, legitimacy=0.8, max_jail_term=1000),
    "run2": dict(cop_density=0.04, legitimacy=0.82, max_jail_term=30),
}


def mesa_run(config, seed):
    scenario = EpsteinScenario(rng=seed, max_iters=steps + 10, **CONFIGS[config])
    model = EpsteinCivilViolence(width=40, height=40, scenario=scenario)
    citizens = list(model.agents_by_type[Citizen])
    n_agents = len(model.agents)
    active, jailed = [], []
    t = time.perf_counter()
    for _ in range(steps):
        model.step()
        states = [c.state for c in citizens]
        active.append(sum(s == CitizenState.ACTIVE for s in states) / len(citizens))
        jailed.append(sum(s == CitizenState.ARRESTED for s in states) / len(citizens))
    secs = time.perf_counter() - t
    half = steps // 2
    return (
        statistics.mean(active[half:]),
        statistics.mean(jailed[half:]),
        n_agents * steps / secs,
    )


def our_runs(config):
    out = []
    for folder in sorted(glob.glob(f"{ours_dir}/{config}/mesa-civil-violence/*/")):
        rows = list(csv.DictReader(open(folder + "series.csv")))[1:]
        citizens = [float(r["active"]) + float(r["quiet"]) + float(r["jailed"]) for r in rows]
        active = [float(r["active"]) / c for r, c in zip(rows, citizens)]
        jailed = [float(r["jailed"]) / c for r, c in zip(rows, citizens)]
        manifest = json.load(open(folder + "manifest.json"))
        agents = citizens[0] + float(rows[0]["cops"])
        speed = agents * len(rows) / manifest["timings"]["run_s"]
        half = len(rows) // 2
        out.append((statistics.mean(active[half:]), statistics.mean(jailed[half:]), speed))
    return out


print(f"# Mesa 3.5.1 vs mobilize (variant = mesa), 40 x 40, {seeds} seeds x {steps} steps")
print("| config | measure | Mesa median | mobilize median | KS D | p |")
print("|---|---|---|---|---|---|")
for config in CONFIGS:
    mesa = [mesa_run(config, s) for s in range(1, seeds + 1)]
    ours = our_runs(config)
    for k, name in enumerate(["mean active share", "mean jailed share"]):
        a = [m[k] for m in mesa]
        b = [o[k] for o in ours]
        test = ks_2samp(a, b)
        print(
            f"| {config} | {name} | {statistics.median(a):.4f} | {statistics.median(b):.4f} "
            f"| {test.statistic:.3f} | {test.pvalue:.3f} |"
        )
    ms = statistics.median(m[2] for m in mesa)
    os_ = statistics.median(o[2] for o in ours)
    print(
        f"| {config} | agent-steps/s (one core) | {ms:,.0f} | {os_:,.0f} | ratio {os_ / ms:,.0f}x | |"
    )
