"""What the Python tests share: the `mobilize` binary built from the same sources."""

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def cli():
    """Runs the `mobilize` command (MOBILIZE_BIN, or target/release/mobilize)."""
    binary = os.environ.get("MOBILIZE_BIN", str(ROOT / "target" / "release" / "mobilize"))
    if not pathlib.Path(binary).exists():
        pytest.fail(f"no mobilize binary at {binary}: build it (cargo build --release -p mobilize-cli)")

    def call(*args, cwd=None, check=True):
        p = subprocess.run([binary, *args], cwd=cwd, capture_output=True, text=True)
        if check and p.returncode != 0:
            raise AssertionError(f"mobilize {' '.join(args)} exited {p.returncode}:\n{p.stderr}")
        return p

    return call
