"""mobilize from Python: the same scenarios, the same runs and the same bytes as the CLI."""

import json
import pathlib
import pickle

import pytest

import mobilize

TABLES = ["series.csv", "series.parquet", "events.csv", "events.parquet", "scenario.toml"]


def results_folder(stdout: str, cwd: pathlib.Path) -> pathlib.Path:
    line = next(l for l in stdout.splitlines() if l.startswith("results: "))
    return cwd / line.removeprefix("results: ")


def test_a_run_writes_the_clis_tables_byte_for_byte(tmp_path, cli):
    p = cli("run", "two-valleys", "--seed", "3", "--threads", "1", "-q", "--out", "cli", cwd=tmp_path)
    by_cli = results_folder(p.stdout, tmp_path)
    s = mobilize.Scenario.load("two-valleys")
    run = mobilize.run(s, seed=3, threads=1, out=tmp_path / "py")
    assert run.folder is not None and run.folder.parent == tmp_path / "py" / "two-valleys"
    for name in TABLES:
        assert (run.folder / name).read_bytes() == (by_cli / name).read_bytes(), name
    a = json.loads((by_cli / "manifest.json").read_text())
    b = run.manifest
    for key in ["timings", "started_at", "finished_at"]:
        a.pop(key), b.pop(key)
    assert a == b
    # The tables in memory are the files' contents.
    csv = (by_cli / "series.csv").read_text().splitlines()
    header = csv[0].split(",")
    assert run.series.column_names == header
    organized = header.index("organized")
    assert run.series.column("organized") == [float(r.split(",")[organized]) for r in csv[1:]]
    assert run.events.num_rows == len((by_cli / "events.csv").read_text().splitlines()) - 1
    assert run.figures == b["figures"]


def test_without_out_a_run_leaves_no_folder_and_results_do_not_depend_on_threads():
    s = mobilize.Scenario.load("two-valleys").set("seed", 11)
    one = mobilize.run(s, threads=1)
    two = mobilize.run(s, threads=2)
    assert one.folder is None
    assert one.series.column("risen") == two.series.column("risen")
    assert one.figures == two.figures
    assert one.stop_reason in {"ended", "equilibrium", "time_limit"}


def test_tables_reach_polars_and_pyarrow_without_a_copy():
    pa = pytest.importorskip("pyarrow")
    pl = pytest.importorskip("polars")
    run = mobilize.run(mobilize.Scenario.load("two-valleys"), seed=2, threads=1)
    a = pa.table(run.series)
    b = pa.table(run.series)
    # Both views read the very buffer Rust filled: no copy was made for either.
    col = run.series.column_names.index("risen")
    addr = lambda t: t.column(col).chunk(0).buffers()[1].address
    assert addr(a) == addr(b)
    assert a.column("risen").to_pylist() == run.series.column("risen")
    df = pl.DataFrame(run.series)
    assert df.shape == (run.series.num_rows, len(run.series.column_names))
    assert df["step"].to_list() == list(range(run.series.num_rows))
    assert pa.table(run.events).column("kind").to_pylist()[0] is not None


def test_bad_input_raises_scenario_error_with_the_clis_located_problems(tmp_path, cli):
    text = (
        'name = "bad"\nmodel = "threshold"\n[[regions]]\nname = "town"\npopulation = 100\n'
        '[threshold]\nfrom = "crowd"\n[threshold.distribution]\nkind = "uniform"\nmin = 0\nmax = 500\n'
    )
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(mobilize.ScenarioError) as caught:
        mobilize.Scenario.load(str(path)).validate()
    problems = caught.value.problems
    assert [(p.path, p.line) for p in problems] == [
        ("threshold.from", 7),
        ("threshold.distribution.max", 11),
    ]
    assert problems[0].help == "did you mean `form`?"
    assert problems[0].column == 1 and problems[0].file == str(path)
    err = cli("validate", str(path), check=False)
    assert err.returncode == 2
    for p in problems:
        assert p.message in err.stderr and f"{path}:{p.line}:{p.column}" in err.stderr
    # A problem made by an override names it.
    with pytest.raises(mobilize.ScenarioError) as caught:
        mobilize.Scenario.load("two-valleys").set("resistance.outreach.persuade", 2).validate()
    (p,) = caught.value.problems
    assert p.override == "resistance.outreach.persuade=2" and p.line is None


def test_values_of_every_type_become_overrides():
    s = mobilize.Scenario.load("granovetter-uniform")
    t = s.set("threshold.initial_actors", [0, 1]).set("threshold.stop_at_equilibrium", False)
    t = t.set("threshold.distribution", {"kind": "uniform", "min": 0, "max": 10.5})
    assert t.overrides == [
        "threshold.initial_actors=[0, 1]",
        "threshold.stop_at_equilibrium=false",
        'threshold.distribution={"kind" = "uniform", "min" = 0, "max" = 10.5}',
    ]
    assert t.get("threshold.distribution.max") == "10.5"
    assert "initial_actors = [0, 1]" in t.to_toml()
    with pytest.raises(TypeError):
        s.set("seed", object())


def test_scenarios_pickle_for_process_pools():
    s = mobilize.Scenario.load("two-valleys").set("seed", 5)
    t = pickle.loads(pickle.dumps(s))
    assert t.overrides == s.overrides and t.to_toml() == s.to_toml()
    assert set(mobilize.scenarios()) >= {"korea-1936-1945", "two-valleys"}
    assert mobilize.replicate_seed(1, 0) != mobilize.replicate_seed(1, 1)
