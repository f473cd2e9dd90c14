#!/usr/bin/env bash
# Epstein's civil violence model run by Mesa 3.5.1's own `epstein_civil_violence` example and by
# mobilize (`variant = "mesa"`), side by side: speed (agent-steps per second, one core) and
# dynamics (distributions over seeds of the mean active and jailed shares, compared by a
# two-sample Kolmogorov-Smirnov test).
#
# Mesa 3.5.1 needs Python 3.12 (the machine's pyenv has one) and `networkx` for `import mesa`;
# both go into a throwaway virtualenv.
#
# Usage: crates/bench/compare-mesa.sh [SEEDS] [STEPS]        (default 20 seeds, 200 steps)
set -euo pipefail
cd "$(dirname "$0")/../.."
seeds=${1:-20}
steps=${2:-200}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release -q -p mobilize-cli
# A Python 3.12: on PATH, or from pyenv.
py=""
if python3.12 --version > /dev/null 2>&1; then
  py=python3.12
elif command -v pyenv > /dev/null; then
  py=$(ls -d "$(pyenv root)"/versions/3.12*/bin/python3.12 2>/dev/null | head -1)
fi
[ -n "$py" ] || { echo "error: Mesa 3.5.1 needs Python 3.12, and none was found" >&2; exit 1; }
"$py" -m venv "$work/venv"
"$work/venv/bin/pip" install -q "mesa==3.5.1" networkx scipy

# Our runs: one folder per configuration and seed.
for config in default run2; do
  case $config in
    default) sets=(--set civil_violence.cop_density=0.074 --set civil_violence.legitimacy=0.8 --set civil_violence.max_jail_term=1000) ;;
    run2)    sets=(--set civil_violence.cop_density=0.04 --set civil_violence.legitimacy=0.82 --set civil_violence.max_jail_term=30) ;;
  esac
  for seed in $(seq 1 "$seeds"); do
    ./target/release/mobilize run mesa-civil-violence -q --threads 1 --seed "$seed" \
      --set time.steps="$steps" --set 'civil_violence.snapshots=[]' "${sets[@]}" \
      --out "$work/ours/$config" > /dev/null
  done
done

"$work/venv/bin/python" crates/bench/compare_mesa.py "$work/ours" "$seeds" "$steps"
