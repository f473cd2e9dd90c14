"""Ensembles, sweeps and comparisons over any ``concurrent.futures.Executor``.

Each run is a task: a pure function of (experiment, run id) that writes the run's folder in
the experiment folder and nothing else. Tasks go to the executor given (a process pool by
default; ``dask.distributed.Client(...).get_executor()``, ``mpi4py.futures.MPIPoolExecutor``
or any other), so the results are the same whatever the executor and the number of workers:
the tables are then written from the run folders by the same code as ``mobilize ensemble``,
and come out byte for byte as the CLI's.

If a task fails or a worker dies, the experiment fails with an ``ExperimentError`` that says
which; the runs that finished are kept, and calling the same experiment again (same
arguments, same ``out``) does only the runs that are missing.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import pathlib
from dataclasses import dataclass
from typing import Any

from . import _mobilize
from ._mobilize import ExperimentError, Scenario, Table


@dataclass(frozen=True)
class Results:
    """A finished experiment: its folder and its tidy tables (the CLI's, read back)."""

    folder: pathlib.Path
    """The experiment folder (`<out>/<scenario>/<kind>-<identity>`)."""
    design: Table
    """One row per run: run, point, replicate, seed and the varied parameters."""
    summary: Table
    """The design, then stop_reason, last_step and every headline figure."""
    bands: Table | None
    """Per step and series: mean, quantiles (ensembles and comparisons)."""
    comparison: Table | None
    """Per figure: the arms' difference with its interval (comparisons)."""

    @property
    def report(self) -> pathlib.Path:
        """The experiment's `report.html`."""
        return self.folder / "report.html"


def _task(experiment: Any, folder: str, run_id: int, threads: int) -> int:
    """One run (in whatever process the executor chose)."""
    return experiment.run_one(folder, run_id, threads)


def _default_executor() -> cf.Executor:
    # "spawn" starts clean interpreters: safe with threads in the parent, and it works from
    # Jupyter because the task is this module's function, not one defined in a notebook.
    return cf.ProcessPoolExecutor(
        max_workers=os.cpu_count() or 1, mp_context=multiprocessing.get_context("spawn")
    )


def _table(folder: pathlib.Path, name: str) -> Table | None:
    path = folder / f"{name}.csv"
    return _mobilize.read_table(str(path)) if path.exists() else None


def execute(
    experiment: Any,
    *,
    executor: cf.Executor | None = None,
    out: str | os.PathLike[str] = "runs",
    threads: int = 1,
) -> Results:
    """Carries out a planned experiment (``mobilize._mobilize.Experiment``)."""
    pending = experiment.prepare(str(out))
    own = executor is None
    pool = _default_executor() if own else executor
    failures: list[tuple[int, BaseException]] = []
    try:
        futures = {
            pool.submit(_task, experiment, str(pending.dir), i, threads): i for i in pending.pending
        }
        for f in cf.as_completed(futures):
            try:
                f.result()
            except BaseException as e:  # a task's error, or a worker that died
                failures.append((futures[f], e))
    finally:
        if own:
            pool.shutdown(cancel_futures=True)
    if failures:
        failures.sort(key=lambda x: x[0])
        first_id, first = failures[0]
        done = pending.total - len(failures) - (len(pending.pending) - len(futures))
        raise ExperimentError(
            f"{len(failures)} of {pending.total} runs failed (first: run {first_id}: "
            f"{type(first).__name__}: {first}); the {done} finished runs are kept in "
            f"{pending.dir}: call the experiment again to do the rest"
        ) from first
    folder = pathlib.Path(experiment.finish(pending))
    return Results(
        folder=folder,
        design=_table(folder, "design"),
        summary=_table(folder, "summary"),
        bands=_table(folder, "bands"),
        comparison=_table(folder, "comparison"),
    )


def ensemble(
    scenario: Scenario | str | os.PathLike[str],
    n: int,
    *,
    seed: int | None = None,
    scale: float | None = None,
    executor: cf.Executor | None = None,
    out: str | os.PathLike[str] = "runs",
    threads: int = 1,
) -> Results:
    """``n`` replicates of ``scenario``, as ``mobilize ensemble SCENARIO -n N``."""
    exp = _mobilize.Experiment.ensemble(scenario, n, seed=seed, scale=scale)
    return execute(exp, executor=executor, out=out, threads=threads)


def sweep(
    scenario: Scenario | str | os.PathLike[str],
    grid: dict[str, list[Any]] | None = None,
    *,
    design: str | os.PathLike[str] | None = None,
    n: int = 1,
    seed: int | None = None,
    scale: float | None = None,
    executor: cf.Executor | None = None,
    out: str | os.PathLike[str] = "runs",
    threads: int = 1,
) -> Results:
    """Every combination of ``grid`` (``{"path": [values]}``) or every row of a ``design`` CSV
    (a SALib or Optuna sample written with a header of parameter paths), ``n`` replicates each,
    as ``mobilize sweep``."""
    exp = _mobilize.Experiment.sweep(
        scenario, grid, design=None if design is None else str(design), n=n, seed=seed, scale=scale
    )
    return execute(exp, executor=executor, out=out, threads=threads)


def compare(
    a: Scenario,
    b: Scenario,
    n: int,
    *,
    seed: int | None = None,
    scale: float | None = None,
    executor: cf.Executor | None = None,
    out: str | os.PathLike[str] = "runs",
    threads: int = 1,
) -> Results:
    """Arms ``a`` and ``b`` with the same seeds, as ``mobilize compare``: paired differences
    with common random numbers when the arms share their world and timeline."""
    exp = _mobilize.Experiment.compare(a, b, n, seed=seed, scale=scale)
    return execute(exp, executor=executor, out=out, threads=threads)
