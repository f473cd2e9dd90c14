#!/usr/bin/env bash
# The Python package's tests. Builds the `mobilize` command and the package's wheel (maturin,
# release), with the command inside it (as ruff and uv ship theirs: `pip install` gives the
# module and the command); installs the wheel into a virtualenv of its own under target/ and
# runs pytest on python/tests; then installs the same wheel into a fresh virtualenv with no
# Rust toolchain on PATH and smoke-tests it there (what a user without a compiler gets).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/python-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install --quiet --disable-pip-version-check -r python/requirements-test.txt
cargo build --release -p mobilize-cli

# The command goes into the wheel's scripts (stripped of its line tables: 76 MB -> 11 MB).
data=python/wheel-data/scripts
rm -rf python/wheel-data && mkdir -p "$data"
cp target/release/mobilize "$data/mobilize"
strip "$data/mobilize" 2>/dev/null || true
rm -rf target/wheels
start=$(date +%s.%N)
(cd python && VIRTUAL_ENV="$PWD/../$venv" PATH="$PWD/../$venv/bin:$PATH" \
   maturin build --release --quiet --out ../target/wheels)
built=$(date +%s.%N)
wheel=$(ls target/wheels/mobilize-*.whl)
"$venv/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheel"
MOBILIZE_BIN="$PWD/target/release/mobilize" "$venv/bin/python" -m pytest -q python/tests

# The same wheel in a fresh virtualenv, with nothing of Rust on PATH.
smoke="$PWD/target/wheel-smoke"
rm -rf "$smoke" && python3 -m venv "$smoke"
t0=$(date +%s.%N)
env -i HOME="$HOME" PATH="$smoke/bin" \
  "$smoke/bin/pip" install --quiet --disable-pip-version-check --no-index --no-deps "$wheel"
t1=$(date +%s.%N)
out=$(mktemp -d)
# Only the virtualenv's bin/ on PATH: no cargo, no rustc, nothing else of the machine's.
(cd "$out" && env -i HOME="$HOME" PATH="$smoke/bin" /bin/sh -c '
  if command -v cargo >/dev/null || command -v rustc >/dev/null; then echo "Rust is on PATH"; exit 1; fi
  mobilize --version
  mobilize run two-valleys -q --out runs
  python -c "import mobilize; r = mobilize.run(\"two-valleys\", seed=2); print(\"python:\", r.figures[\"peak_risen\"], \"peak risen\")"
' ) | sed "s|^|  wheel smoke: |"
rm -rf "$out"
python3 -c "import sys, os; w, a, b, c, d = sys.argv[1:]; print(f'  wheel: {os.path.basename(w)}, {os.path.getsize(w) / 1e6:.1f} MB, built in {float(b) - float(a):.0f} s, installed in {float(d) - float(c):.1f} s (no Rust on PATH)')" \
  "$wheel" "$start" "$built" "$t0" "$t1"
