"""A run step by step: paused, changed, saved, resumed and branched with the CLI's guarantees."""

import pytest

import mobilize


def columns(table):
    return {name: table.column(name) for name in table.column_names}


def read_csv(path):
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    rows = [l.split(",") for l in lines[1:]]
    return {h: [r[k] for r in rows] for k, h in enumerate(header)}


@pytest.fixture
def valleys():
    return mobilize.Scenario.load("two-valleys")


def test_a_run_paused_and_continued_is_the_run_that_never_paused(valleys):
    whole = mobilize.run(valleys, seed=3, threads=1)
    sim = mobilize.Sim(valleys, seed=3, threads=1)
    assert sim.step is None and not sim.done
    sim.run(until=200)
    assert sim.step == 200 and not sim.done and sim.series.num_rows == 201
    assert sim["organized"] == sim.series.column("organized")[-1]
    sim.run(until="1937-06-01").run(until=150)  # a step already passed does nothing
    assert sim.series.column("date")[-1] == "1937-06-01"
    sim.run()
    assert sim.done and sim.figures == whole.figures and sim.summary == whole.summary
    assert columns(sim.series) == columns(whole.series)
    assert columns(sim.events) == columns(whole.events)


def test_a_run_stepped_day_by_day_is_the_run_and_is_not_told_again(valleys):
    whole = mobilize.run(valleys, seed=3, threads=1)
    sim = mobilize.Sim(valleys, seed=3, threads=1)
    day = 0
    while not sim.done:
        sim.run(until=day)
        assert sim.step == day or sim.done
        day += 1
    assert sim.series.num_rows == whole.series.num_rows  # every step once, never replayed
    assert columns(sim.series) == columns(whole.series)
    assert columns(sim.events) == columns(whole.events)
    assert sim.figures == whole.figures


def test_an_intervention_between_steps_acts_and_a_change_to_the_world_is_refused(valleys):
    base = mobilize.Sim(valleys, seed=3, threads=1).run()
    sim = mobilize.Sim(valleys, seed=3, threads=1).run(until="1938-04-01")
    # The final offensive is events[6]: called off a month before it was due.
    sim.set("events[6].enabled", False)
    sim.run()
    assert base.figures["offensive_step"] > 0
    assert sim.figures.get("offensive_step", -1) != base.figures["offensive_step"]
    assert sim.series.column("risen")[:700] == base.series.column("risen")[:700]
    with pytest.raises(ValueError, match="changes the world"):
        mobilize.Sim(valleys, seed=3).run(until=10).set("scale", 2.0)


def test_checkpoint_resume_and_branch_match_the_cli(tmp_path, valleys, cli):
    whole = mobilize.run(valleys, seed=5, threads=1)
    sim = mobilize.Sim(valleys, seed=5, threads=1).run(until=400)
    path = tmp_path / "at-400.bin"
    sim.checkpoint(path)
    # Resumed from the file: the uninterrupted run.
    again = mobilize.Sim.resume(path, threads=1).run()
    assert columns(again.series) == columns(whole.series) and again.figures == whole.figures
    # A branch with a changed parameter, in memory and by the CLI from the same file.
    branch = sim.branch({"resistance.outreach.persuade": 0.9}).run()
    assert not sim.done and sim.step == 400  # the original is where it was
    p = cli(
        "run", "--from", str(path), "--set", "resistance.outreach.persuade=0.9",
        "--threads", "1", "-q", "--out", "cli", cwd=tmp_path,
    )
    folder = tmp_path / next(l for l in p.stdout.splitlines() if l.startswith("results: ")).removeprefix("results: ")
    by_cli = read_csv(folder / "series.csv")
    assert [float(x) for x in by_cli["organized"]] == branch.series.column("organized")
    assert [float(x) for x in by_cli["risen"]] == branch.series.column("risen")
    assert branch.series.column("organized") != whole.series.column("organized")


def test_an_event_added_between_steps_fires_when_asked(valleys):
    base = mobilize.Sim(valleys, seed=3, threads=1).run()
    sim = mobilize.Sim(valleys, seed=3, threads=1).run(until=300)
    sim.add_event("repression_campaign", factor=20.0, days=200)
    with pytest.raises(ValueError, match="has passed"):
        sim.add_event("appeal", share=0.5, step=100)
    sim.run()
    kinds = sim.events.column("kind")
    steps = sim.events.column("step")
    assert (301, "repression_campaign") in list(zip(steps, kinds))
    assert sim.series.column("arrested")[:301] == base.series.column("arrested")[:301]
    assert sim.series.column("arrested") != base.series.column("arrested")
    with pytest.raises(mobilize.ScenarioError):
        mobilize.Sim(valleys, seed=3).run(until=10).add_event("no_such_kind")
