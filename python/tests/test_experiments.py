"""Experiments from Python over any executor: the CLI's tables, whatever runs the tasks."""

import concurrent.futures as cf
import os
import pathlib

import pytest

import mobilize

TABLES = ["design.csv", "design.parquet", "summary.csv", "summary.parquet"]


def only_folder(root: pathlib.Path) -> pathlib.Path:
    (scenario,) = [p for p in root.iterdir() if p.is_dir()]
    (experiment,) = [p for p in scenario.iterdir() if p.is_dir()]
    return experiment


def same_tables(a: pathlib.Path, b: pathlib.Path, names):
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_an_ensemble_on_a_process_pool_writes_the_clis_tables(tmp_path, cli):
    cli("ensemble", "two-valleys", "-n", "6", "--seed", "1", "-q", "--out", "cli", cwd=tmp_path)
    by_cli = only_folder(tmp_path / "cli")
    s = mobilize.Scenario.load("two-valleys")
    pooled = mobilize.ensemble(s, 6, seed=1, out=tmp_path / "pool")  # the default: processes
    serial = mobilize.ensemble(s, 6, seed=1, out=tmp_path / "serial", executor=cf.ThreadPoolExecutor(1))
    assert pooled.folder.name == by_cli.name  # the same experiment, so the same identity
    same_tables(pooled.folder, by_cli, TABLES + ["bands.csv", "bands.parquet"])
    same_tables(serial.folder, by_cli, TABLES + ["bands.csv", "bands.parquet"])
    assert pooled.summary.column("seed") == [mobilize.replicate_seed(1, r) for r in range(6)]
    assert pooled.report.exists()


def test_a_sweep_and_a_comparison_match_the_cli(tmp_path, cli):
    cli(
        "sweep", "two-valleys", "--grid", "resistance.outreach.persuade=0.3,0.6", "-n", "2",
        "--seed", "4", "-q", "--out", "cli-sweep", cwd=tmp_path,
    )
    s = mobilize.Scenario.load("two-valleys")
    sw = mobilize.sweep(
        s, {"resistance.outreach.persuade": [0.3, 0.6]}, n=2, seed=4,
        out=tmp_path / "sweep", executor=cf.ThreadPoolExecutor(2),
    )
    same_tables(sw.folder, only_folder(tmp_path / "cli-sweep"), TABLES)
    cli(
        "compare", "two-valleys", "-n", "3", "--seed", "2", "-q", "--out", "cli-cmp",
        "--vs", "--set", "resistance.organizations=false", cwd=tmp_path,
    )
    cmp = mobilize.compare(
        s, s.set("resistance.organizations", False), 3, seed=2,
        out=tmp_path / "cmp", executor=cf.ThreadPoolExecutor(2),
    )
    same_tables(cmp.folder, only_folder(tmp_path / "cli-cmp"), TABLES + ["comparison.csv"])
    assert cmp.comparison is not None and cmp.comparison.num_rows > 0


class DyingWorker(cf.Executor):
    """A process pool whose worker dies (as if killed) when it is given run `victim`."""

    def __init__(self, victim: int):
        self.pool = cf.ProcessPoolExecutor(max_workers=1)
        self.victim = victim

    def submit(self, fn, /, *args, **kwargs):
        if args[2] == self.victim:
            return self.pool.submit(os._exit, 9)
        return self.pool.submit(fn, *args, **kwargs)

    def shutdown(self, wait=True, *, cancel_futures=False):
        self.pool.shutdown(wait=wait, cancel_futures=cancel_futures)


def test_a_worker_that_dies_fails_the_experiment_and_no_finished_run_is_lost(tmp_path):
    s = mobilize.Scenario.load("two-valleys")
    out = tmp_path / "exp"
    with DyingWorker(victim=3) as dying:
        with pytest.raises(mobilize.ExperimentError) as caught:
            mobilize.ensemble(s, 6, seed=1, out=out, executor=dying)
    message = str(caught.value)
    assert "runs failed" in message and "call the experiment again" in message, message
    runs = only_folder(out) / "runs"
    kept = sorted(p.name for p in runs.iterdir() if (p / "manifest.json").exists())
    assert "000000" in kept and "000003" not in kept, kept
    # Called again, it does only what is missing and ends as if nothing had happened.
    stamps = {n: (runs / n / "manifest.json").stat().st_mtime_ns for n in kept}
    again = mobilize.ensemble(s, 6, seed=1, out=out, executor=cf.ThreadPoolExecutor(2))
    for n, t in stamps.items():
        assert (runs / n / "manifest.json").stat().st_mtime_ns == t, f"run {n} was redone"
    whole = mobilize.ensemble(s, 6, seed=1, out=tmp_path / "whole", executor=cf.ThreadPoolExecutor(2))
    same_tables(again.folder, whole.folder, TABLES)


def test_experiments_pickle_to_their_workers():
    import pickle

    exp = mobilize._mobilize.Experiment.ensemble(mobilize.Scenario.load("two-valleys"), 4, seed=9)
    back = pickle.loads(pickle.dumps(exp))
    assert (back.kind, back.total_runs) == ("ensemble", 4)
    bad = mobilize.Scenario.load("two-valleys").set("resistance.outreach.persuade", 5)
    for seed in [None, 3]:  # found while reading the seed, or while checking the points
        with pytest.raises(mobilize.ScenarioError) as caught:
            mobilize.ensemble(bad, 2, seed=seed)
        assert caught.value.problems[0].path == "resistance.outreach.persuade"


def test_an_ensemble_on_a_dask_cluster_of_two_workers_equals_the_serial_one(tmp_path):
    distributed = pytest.importorskip("distributed")
    s = mobilize.Scenario.load("two-valleys")
    serial = mobilize.ensemble(s, 4, seed=6, out=tmp_path / "serial", executor=cf.ThreadPoolExecutor(1))
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            on_dask = mobilize.ensemble(s, 4, seed=6, out=tmp_path / "dask", executor=client.get_executor())
    same_tables(on_dask.folder, serial.folder, TABLES + ["bands.csv"])
