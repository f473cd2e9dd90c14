"""Calibration from Python: the plain simulator outside samplers call, and the same history
matching and ABC-SMC as `mobilize calibrate`."""

import pathlib

import pytest

import mobilize

ROOT = pathlib.Path(__file__).resolve().parents[2]
VALLEYS = ROOT / "scenarios" / "targets" / "two-valleys.toml"


def test_the_simulator_gives_each_target_by_name_and_is_deterministic():
    t = mobilize.Targets.read(VALLEYS)
    assert t.parameters == ["resistance.outreach.member_contacts", "resistance.repression.detection"]
    assert t.names[0] == "organized on the eve" and t.holdout == [False, False, True]
    theta = {"resistance.outreach.member_contacts": 0.15, "resistance.repression.detection": 0.001}
    a = t.simulate(theta, replicate=3)
    assert set(a) == set(t.names) and a["organized on the eve"] > 0
    assert t.simulate([0.15, 0.001], replicate=3) == a
    assert t.simulate(theta, replicate=4) != a
    with pytest.raises(KeyError, match="not a parameter"):
        t.simulate({"resistance.outreach.member_contact": 0.1, "resistance.repression.detection": 0.001})
    with pytest.raises(ValueError, match="2 parameters"):
        t.simulate([0.1])
    with pytest.raises(ValueError, match="out of range"):
        t.simulate([0.15, 5.0])
    draws = t.sample(8, seed=2)
    assert len(draws) == 8 and all(0.02 <= d[0] <= 0.6 for d in draws)


def test_calibrate_matches_the_command_line_and_judges_claims(tmp_path, cli):
    t = mobilize.Targets.read(VALLEYS)
    args = dict(waves=2, points=10, replicates=2, candidates=400, abc=True, particles=20, generations=1, threads=1)
    found = t.calibrate(tmp_path / "py", claims=["rising at its peak >= 150"], **args)
    assert [w["wave"] for w in found["waves"]] == [1, 2]
    assert found["stopped"] is None and len(found["left"]) > 0
    assert abs(sum(found["weights"]) - 1) < 1e-9 and len(found["draws"]) == 20
    p, lo, hi = found["claims"]["rising at its peak >= 150"]
    assert lo <= p <= hi
    cli(
        "calibrate", str(VALLEYS), "--waves", "2", "--points", "10", "-n", "2", "--candidates", "400",
        "--abc", "--particles", "20", "--generations", "1", "--threads", "1", "-q", "-o", str(tmp_path / "cli"),
        "--claim", "rising at its peak >= 150",
    )
    for table in ["waves.csv", "non-implausible.csv", "posterior.csv", "claims.csv"]:
        assert (tmp_path / "py" / table).read_text() == (tmp_path / "cli" / table).read_text(), table
    # In memory, no folder: the same answer.
    again = t.calibrate(None, claims=["rising at its peak >= 150"], **args)
    assert again["draws"] == found["draws"]
    with pytest.raises(ValueError, match="did you mean"):
        t.calibrate(None, claims=["rising at its peek >= 150"], **args)
