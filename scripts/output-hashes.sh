#!/usr/bin/env bash
# Hashes what every embedded scenario produces (and a few variants that reach other code paths),
# so that a refactor can show its outputs are byte-identical: run it before and after, then diff.
#
#   scripts/output-hashes.sh [MOBILIZE_BINARY] > before.txt
#   ... change the code, rebuild ...
#   scripts/output-hashes.sh > after.txt && diff before.txt after.txt
#
# Hashed per run: series.csv, series.parquet, events.csv, events.parquet, scenario.toml (the
# resolved scenario), every lattice-*.png and lattice-legend.txt, and the manifest's outcome
# (figures, summary, stop reason, last step, persons, ties, scenario hash). Timings, dates, the
# git commit and the folder name change from run to run and are left out.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/mobilize}
[ -x "$bin" ] || { echo "no binary at $bin (cargo build --release -p mobilize-cli)" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

runs=()
while read -r name _; do
  runs+=("$name")
done < <("$bin" scenarios | awk 'NR > 0 && $1 ~ /^[a-z0-9.-]+$/ { print $1 }')
# Variants: other engines, switches and counterfactuals.
variants=(
  "epstein-run2 --set civil_violence.mode=fast"
  "epstein-run2 --set civil_violence.variant=netlogo"
  "mesa-civil-violence --set civil_violence.mode=fast"
  "epstein-run7-genocide --set civil_violence.mode=fast"
  "korea-1936-1945 --set resistance.organizations=false"
  "korea-1936-1945 --scale 0.02 --seed 3"
  "two-valleys --seed 11"
)

hash_run() {
  local label=$1 dir=$2
  local f
  for f in scenario.toml series.csv series.parquet events.csv events.parquet lattice-legend.txt; do
    [ -f "$dir/$f" ] && echo "$label $f $(sha256sum < "$dir/$f" | cut -c1-16)"
  done
  for f in "$dir"/lattice-*.png; do
    [ -f "$f" ] && echo "$label $(basename "$f") $(sha256sum < "$f" | cut -c1-16)"
  done
  python3 - "$dir/manifest.json" "$label" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
keep = {k: m.get(k) for k in ("scenario_sha256", "seed", "persons", "ties", "stop_reason", "last_step", "figures", "summary")}
print(sys.argv[2], "manifest", json.dumps(keep, sort_keys=True))
PY
}

k=0
for spec in "${runs[@]}" "${variants[@]}"; do
  k=$((k + 1))
  # shellcheck disable=SC2086
  "$bin" run $spec --threads 1 --quiet --out "$out/$k" > /dev/null
  dir=$(find "$out/$k" -mindepth 2 -maxdepth 2 -type d | head -1)
  hash_run "[${spec// /_}]" "$dir"
done
