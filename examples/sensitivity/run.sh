#!/usr/bin/env bash
# Morris screening of korea-1936-1945 with SALib: makes a throwaway virtualenv with SALib from
# PyPI (once), builds mobilize, and runs morris.py. Extra arguments go to morris.py.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/salib-venv
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "SALib==1.5.1" "numpy<3"
fi
cargo build --release --quiet -p mobilize-cli
"$venv/bin/python" examples/sensitivity/morris.py "$@"
