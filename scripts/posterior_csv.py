"""Reading the posterior that `mobilize calibrate` writes, for the scripts beside this one.

`posterior.csv` has the parameter columns first, then `weight`, `distance` and every target's
value in the draw's run.
"""
import csv
from pathlib import Path


def read(path):
    """The parameter names and the draws (one dict per row) of a posterior file."""
    with open(path) as f:
        draws = list(csv.DictReader(f))
    header = list(draws[0])
    return header[: header.index("weight")], draws


def write_design(path, params, draws):
    """A design file for `mobilize sweep|score --design`: the draws' parameter values."""
    with open(Path(path), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(params)
        for r in draws:
            w.writerow([r[p] for p in params])
