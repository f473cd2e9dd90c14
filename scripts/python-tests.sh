#!/usr/bin/env bash
# The Python package's tests: builds the `mobilize` CLI and the package (maturin, release) into
# a virtualenv of its own under target/, then runs pytest on python/tests.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/python-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r python/requirements-test.txt
cargo build --release -p mobilize-cli
(cd python && VIRTUAL_ENV="$PWD/../$venv" PATH="$PWD/../$venv/bin:$PATH" maturin develop --release --quiet)
MOBILIZE_BIN="$PWD/target/release/mobilize" "$venv/bin/python" -m pytest -q python/tests
