"""The README's Python snippet runs as written, and a scenario may be given by name or path."""

import pathlib
import re

import mobilize

README = pathlib.Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_snippet_runs_as_written():
    text = README.read_text()
    section = text[text.index("## From Python"):]
    snippet = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    exec(compile(snippet, "README.md", "exec"), {})


def test_a_name_or_a_path_is_a_scenario_and_steps_are_ints(tmp_path):
    by_name = mobilize.run("two-valleys", seed=3, threads=1)
    path = tmp_path / "v.toml"
    path.write_text(mobilize.Scenario.load("two-valleys").to_toml())
    by_path = mobilize.run(path, seed=3, threads=1)
    assert by_name.figures == by_path.figures
    assert isinstance(by_name.figures["offensive_step"], int)
    assert isinstance(mobilize.Sim("two-valleys", seed=3).run().figures["offensive_step"], int)
    ens = mobilize.ensemble("two-valleys", 2, seed=1, out=tmp_path / "ens", executor=None)
    assert ens.summary.num_rows == 2
    try:
        mobilize.run(42)
    except TypeError as err:
        assert "a built-in scenario's name or a file's path" in str(err)
    else:
        raise AssertionError("a number is not a scenario")


def test_values_nested_too_deep_or_holding_themselves_are_refused_not_crashing():
    s = mobilize.Scenario.load("two-valleys")
    deep = []
    c = deep
    for _ in range(10000):
        x = []
        c.append(x)
        c = x
    d = {}
    c = d
    for _ in range(30000):
        c["a"] = {}
        c = c["a"]
    selfish = []
    selfish.append(selfish)
    for v in (deep, d, selfish):
        try:
            s.set("seed", v)
        except ValueError as err:
            assert "nested more than 32" in str(err)
        else:
            raise AssertionError("a value nested too deep was taken")
    sim = mobilize.Sim(s, seed=1).run(until=1)
    try:
        sim.add_event("appeal", share=deep)
    except ValueError as err:
        assert "nested more than 32" in str(err)
    else:
        raise AssertionError("an event field nested too deep was taken")


def _message(f, kind=Exception):
    try:
        f()
    except kind as err:
        return str(err)
    raise AssertionError("no error")


def test_messages_say_what_is_wrong_and_what_is_allowed(tmp_path):
    s = mobilize.Scenario.load("two-valleys")
    # A scale far out of range: the bound is shown as words, not 300 digits.
    m = _message(lambda: mobilize.Sim(s, scale=1e9))
    assert "allowed: above 0, at most 1000" in m and len(m) < 200, m
    # A scale that is not a number is said so (it was read back as a string).
    m = _message(lambda: mobilize.run(s, scale=float("nan")), ValueError)
    assert "not a number a scale can be" in m and "string" not in m, m
    # No replicates: the count, not a --grid never given.
    m = _message(lambda: mobilize.ensemble(s, 0, out=tmp_path / "e"))
    assert "0 replicates" in m and "--grid" not in m, m
    # A negative step or count: what is allowed, not an integer conversion.
    sim = mobilize.Sim(s, seed=1)
    m = _message(lambda: sim.add_event("appeal", step=-5, share=0.1), ValueError)
    assert "-5 is negative" in m and "conversion" not in m, m
    m = _message(lambda: mobilize.ensemble(s, -2, out=tmp_path / "f"), ValueError)
    assert "-2 is negative" in m, m


def test_python_writes_only_regular_files_where_the_caller_said(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sim = mobilize.Sim("two-valleys", seed=1)
    sim.run(until=3)
    # A device is never written over (as root, `/dev/full` was replaced by a regular file and
    # no error was raised).
    for device in ("/dev/full", "/dev/null"):
        m = _message(lambda: sim.checkpoint(device))
        assert "not a regular file" in m, m
    # A checkpoint beside an unrelated `results.tmp` leaves it alone.
    (tmp_path / "results.tmp").write_text("keep me")
    sim.checkpoint("results.bin")
    assert (tmp_path / "results.tmp").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.bin", "results.tmp"]
    # A run is written only into the folder its experiment was prepared in, never at `/`.
    from mobilize import _mobilize

    exp = _mobilize.Experiment.ensemble("two-valleys", 1, seed=1)
    m = _message(lambda: exp.run_one("/", 0))
    assert "not this experiment's folder" in m, m
    assert not pathlib.Path("/runs/000000").exists()
    pending = exp.prepare(tmp_path / "out")
    assert exp.run_one(pending.dir, 0) == 0


def test_a_sample_says_its_scale_and_warns_as_python_does():
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run = mobilize.run("korea-1936-1945", scale=0.01, seed=1)
    assert any("smallest home region" in str(w.message) for w in caught), caught
    assert "Scale 0.01: counts are of the 228,348 persons simulated." in run.summary, run.summary
    assert "," in run.summary.split("Scale")[0], "thousands separated in the sentence"
