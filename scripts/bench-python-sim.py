"""Stepping a Python `Sim` one day at a time costs what running the same days at once costs.

    target/python-venv/bin/python scripts/bench-python-sim.py [DAYS] [SCALE]

Runs the default scenario (korea-1936-1945) at SCALE (default 0.01) for DAYS days (default
1000) twice on one thread: once with `run(until=DAYS)`, once with DAYS calls of
`run(until=day)` reading one value after each; prints both times and checks that the two
series are identical. Setup (building the world) is timed apart: it is the same for both.
"""

import sys
import time

import mobilize

days = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
scale = float(sys.argv[2]) if len(sys.argv) > 2 else 0.01
scenario = mobilize.Scenario.load("korea-1936-1945")

def timed(step_by_step):
    sim = mobilize.Sim(scenario, scale=scale, threads=1)
    t0 = time.perf_counter()
    sim.run(until=0)  # builds the world and computes step 0
    t1 = time.perf_counter()
    if step_by_step:
        for day in range(1, days + 1):
            sim.run(until=day)
            sim["organized"]
    else:
        sim.run(until=days)
    t2 = time.perf_counter()
    return t1 - t0, t2 - t1, sim.series.column("organized")

setup_a, at_once, a = timed(False)
setup_b, stepped, b = timed(True)
assert a == b, "stepping changed the run"
print(f"setup {setup_a:.2f} s / {setup_b:.2f} s")
print(f"{days} days at once:        {at_once:.3f} s")
print(f"{days} days one at a time:  {stepped:.3f} s ({stepped / at_once:.2f}x)")
