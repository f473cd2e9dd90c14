#!/usr/bin/env bash
# Global sensitivity analysis of korea-1936-1945 (Morris, then Sobol, then the share of the
# plausible parameter space in which each claim holds). Writes
# docs/models/resistance-sensitivity.md and the raw tables under target/sensitivity/.
#
#   bash scripts/sensitivity/run.sh            # the committed analysis (~45 min, 2 cores)
#   bash scripts/sensitivity/run.sh --trajectories 2 --sobol-n 8 --arms-n 8   # a quick try
#
# SALib goes into a throwaway virtualenv (MOBILIZE_SA_VENV, default under /tmp); nothing is
# installed system-wide.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${MOBILIZE_SA_VENV:-${TMPDIR:-/tmp}/mobilize-sa-venv}"
cargo build --release -p mobilize-cli --manifest-path "$root/Cargo.toml"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q "SALib==1.6.0"
exec "$venv/bin/python" "$here/sensitivity.py" --binary "$root/target/release/mobilize" "$@"
