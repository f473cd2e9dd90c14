#!/usr/bin/env bash
# The same threshold cascade run by mobilize and by ndlib's ThresholdModel (Rossetti et al.,
# "NDlib: a python library to model and analyze diffusion processes over complex networks").
#
# mobilize-bench exports one cascade's inputs (network, thresholds, initial actors) and times
# its own run; ndlib, installed from PyPI into a throwaway virtualenv, runs the same cascade on
# the same inputs. Both time the cascade only (not building the network). The script checks that
# both reach the same number of actors and prints the ratio of their times.
#
# Usage: crates/bench/compare-ndlib.sh [PERSONS]        (default 100000)
set -euo pipefail
cd "$(dirname "$0")/../.."
persons=${1:-100000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release -q -p mobilize-bench
./target/release/mobilize-bench export --persons "$persons" --dir "$work/data" > /dev/null

python3 -m venv "$work/venv"
# ndlib imports `six` without declaring it.
"$work/venv/bin/pip" install -q ndlib six
"$work/venv/bin/python" - "$work/data" <<'PY'
import sys, time
import networkx as nx
import ndlib.models.ModelConfig as mc
import ndlib.models.epidemics as ep

d = sys.argv[1]
ours = dict(line.split(": ") for line in open(f"{d}/mobilize.txt").read().splitlines())
n = int(ours["persons"])
g = nx.Graph()
g.add_nodes_from(range(n))
with open(f"{d}/edges.txt") as f:
    g.add_edges_from(tuple(map(int, line.split())) for line in f)
thresholds = [float(x) for x in open(f"{d}/thresholds.txt")]
initial = [int(x) for x in open(f"{d}/initial.txt")]

model = ep.ThresholdModel(g, seed=0)
config = mc.Configuration()
for node, t in enumerate(thresholds):
    config.add_node_configuration("threshold", node, t)
config.add_model_initial_configuration("Infected", initial)
model.set_initial_status(config)

start = time.perf_counter()
previous, steps = -1, 0
while True:
    it = model.iteration(node_status=False)
    acting = it["node_count"][1]
    if acting == previous:
        break
    previous, steps = acting, it["iteration"]
seconds = time.perf_counter() - start

ours_s = float(ours["cascade_s"])
print(f"persons: {n}")
print(f"ties: {g.number_of_edges()} (mobilize: {ours['ties']})")
print(f"final actors: ndlib {acting}, mobilize {float(ours['final_active']):.0f}")
print(f"last change at step: ndlib {steps}, mobilize {int(ours['steps']) - 1}")
print(f"cascade time: ndlib {seconds:.3f} s, mobilize {ours_s:.6f} s")
print(f"ratio (ndlib / mobilize): {seconds / ours_s:.0f}x")
if acting != int(float(ours["final_active"])):
    sys.exit("the two runs disagree on the number of actors")
PY
