//! Targets files are read with located problems; each measure reads what it says from a
//! hand-built run; the implausibility is the formula's.

use mobilize_core::calendar::Date;
use mobilize_core::observe::{LogEntry, Outcome, Recorder, StopReason};
use mobilize_core::scenario::TimeSpan;

use super::*;

const GOOD: &str = r#"
scenario = "korea-1919"

[[target]]
name = "killed"
figure = "killed"
interval = [553, 7509]
counts_persons = true
source = "official and Park Eun-sik"

[[target]]
name = "risen on 1 April"
series = "risen"
at = "1919-04-01"
observed = 100000
cv = 0.5
source = "an estimate"
holdout = true

[[target]]
name = "arrests in the window"
series = "arrested"
window = [2, 4]
stat = "change"
observed = 30
error = "negative_binomial"
dispersion = 2.0
source = "police returns"

[[target]]
name = "liberations"
scenario = "two-valleys"
events = "liberation"
window = ["1919-03-01", "1919-03-10"]
count = "persons"
regions = ["north"]
observed = 3
error = "binomial"
trials = 10
source = "a count"
weight = 2
"#;

fn err(text: &str) -> TargetsError {
    Targets::parse("t.toml", text).unwrap_err()
}

#[test]
fn a_good_file_reads_every_kind_of_target() {
    let t = Targets::parse("t.toml", GOOD).unwrap();
    assert_eq!(t.targets.len(), 4);
    assert_eq!(t.scenarios(), ["korea-1919", "two-valleys"]);
    let k = &t.targets[0];
    assert_eq!(k.measure, Measure::Figure("killed".into()));
    assert_eq!(
        k.error,
        ErrorModel::Interval {
            lo: 553.0,
            hi: 7509.0
        }
    );
    assert_eq!(k.line, 4);
    assert_eq!(k.observed, (553.0 + 7509.0) / 2.0, "an interval's middle");
    assert!(k.counts_persons);
    assert!(t.targets[1].holdout);
    assert_eq!(t.targets[1].error, ErrorModel::Normal { sd: 50000.0 });
    assert!(matches!(
        t.targets[2].measure,
        Measure::SeriesOver {
            stat: Stat::Change,
            ..
        }
    ));
    assert_eq!(t.targets[3].weight, 2.0);
    assert!(matches!(
        t.targets[3].measure,
        Measure::Events {
            persons: true,
            regions: Some(_),
            ..
        }
    ));
    let e = err(&GOOD.replace(
        "stat = \"change\"",
        "stat = \"change\"\nregions = [\"north\"]",
    ));
    assert!(e.message.contains("`regions` selects logged events"), "{e}");
}

#[test]
fn problems_are_located_and_say_what_is_allowed() {
    // A misspelt field: serde names it, the place is its line.
    let e = err(&GOOD.replace("counts_persons = true", "counts_person = true"));
    assert_eq!(e.line, 8, "{e}");
    assert!(e.message.contains("counts_person"), "{e}");
    // A reversed interval, at its target's line.
    let e = err(&GOOD.replace("[553, 7509]", "[7509, 553]"));
    assert_eq!(e.line, 4, "{e}");
    assert!(e.message.contains("low ≤ high"), "{e}");
    // No error model; two measures; an unknown stat; a window that ends first.
    let e = err(&GOOD.replace("interval = [553, 7509]\n", "observed = 5\n"));
    assert!(e.message.contains("exactly one of `interval`"), "{e}");
    let e = err(&GOOD.replace("figure = \"killed\"", "figure = \"killed\"\nseries = \"x\""));
    assert!(e.message.contains("found figure, series"), "{e}");
    let e = err(&GOOD.replace("stat = \"change\"", "stat = \"median\""));
    assert!(
        e.message.contains("allowed: sum, mean, max, min, change"),
        "{e}"
    );
    let e = err(&GOOD.replace("window = [2, 4]", "window = [4, 2]"));
    assert!(e.message.contains("ends (step 2) before it starts"), "{e}");
    let e = err(&GOOD.replace("at = \"1919-04-01\"", "at = \"1919-13-01\""));
    assert!(e.message.contains("not a date"), "{e}");
    let e = err(&GOOD.replace("trials = 10", "trials = 2"));
    assert!(e.message.contains("allowed: 0 to trials"), "{e}");
    let e = err(&GOOD.replace("name = \"liberations\"", "name = \"killed\""));
    assert!(e.message.contains("a second target"), "{e}");
    let e = err(&GOOD.replace("observed = 100000\n", ""));
    assert!(e.message.contains("no `observed` value"), "{e}");
    let e = err("scenario = \"x\"\n");
    assert!(e.message.contains("no targets"), "{e}");
    let e = err(&GOOD.replace("scenario = \"korea-1919\"\n", ""));
    assert!(e.message.contains("no scenario"), "{e}");
}

fn run() -> (TimeSpan, Recorder) {
    let time = TimeSpan {
        start: Date::parse("1919-03-01"),
        steps: 10,
        step_days: 1.0,
    };
    let mut rec = Recorder {
        columns: vec!["risen".into(), "arrested".into()],
        ..Recorder::default()
    };
    // Five steps: risen 0, 10, 20, 30, 40; arrested (cumulative) 0, 5, 7, 12, 12.
    for (k, arrested) in [0.0, 5.0, 7.0, 12.0, 12.0].into_iter().enumerate() {
        rec.steps.push(k as u32);
        rec.rows.push(vec![10.0 * k as f64, arrested]);
    }
    for (step, count, region) in [(1, 100, None), (3, 50, Some(1)), (9, 7, Some(0))] {
        rec.log.push(LogEntry {
            step,
            kind: "liberation".into(),
            region,
            count,
            detail: String::new(),
        });
    }
    rec.outcome = Some(Outcome {
        last_step: 4,
        reason: StopReason::Ended,
        figures: vec![("killed".into(), 1200.0)],
        sentence: String::new(),
    });
    (time, rec)
}

fn target(measure: Measure) -> Target {
    Target {
        name: "t".into(),
        scenario: "s".into(),
        measure,
        observed: 0.0,
        error: ErrorModel::Normal { sd: 1.0 },
        source: String::new(),
        holdout: false,
        weight: 1.0,
        counts_persons: false,
        line: 1,
    }
}

#[test]
fn each_measure_reads_what_it_says() {
    let (time, rec) = run();
    let names = vec!["north".to_string(), "south".to_string()];
    let v = |m: Measure| value_in(&target(m), &time, &names, &rec);
    assert_eq!(v(Measure::Figure("killed".into())), Some(1200.0));
    assert_eq!(
        v(Measure::Figure("collapse_step".into())),
        None,
        "not reported"
    );
    let at = |d: &str| When::Date(Date::parse(d).unwrap());
    let s = |c: &str| c.to_string();
    assert_eq!(
        v(Measure::SeriesAt {
            column: s("risen"),
            at: at("1919-03-03")
        }),
        Some(20.0)
    );
    assert_eq!(
        v(Measure::SeriesAt {
            column: s("risen"),
            at: When::Step(9)
        }),
        None,
        "after the end"
    );
    let over = |stat, a, b| Measure::SeriesOver {
        column: s("arrested"),
        from: When::Step(a),
        to: When::Step(b),
        stat,
    };
    assert_eq!(
        v(over(Stat::Change, 2, 3)),
        Some(7.0),
        "12 − 5: what happened in steps 2–3"
    );
    assert_eq!(v(over(Stat::Change, 0, 1)), Some(5.0));
    assert_eq!(v(over(Stat::Sum, 1, 3)), Some(24.0));
    assert_eq!(v(over(Stat::Mean, 1, 2)), Some(6.0));
    assert_eq!(v(over(Stat::Max, 0, 4)), Some(12.0));
    assert_eq!(v(over(Stat::Min, 1, 4)), Some(5.0));
    assert_eq!(
        v(over(Stat::Max, 3, 9)),
        Some(12.0),
        "a run ending inside the window"
    );
    let events = |persons, a, b| Measure::Events {
        kind: s("liberation"),
        from: When::Step(a),
        to: When::Step(b),
        persons,
        regions: None,
    };
    assert_eq!(v(events(false, 0, 3)), Some(2.0));
    assert_eq!(v(events(true, 0, 3)), Some(150.0));
    assert_eq!(v(events(true, 2, 9)), Some(57.0));
    assert_eq!(v(events(false, 5, 9)), None, "a window after the run's end");
    let south = Measure::Events {
        kind: s("liberation"),
        from: When::Step(0),
        to: When::Step(9),
        persons: true,
        regions: Some(vec![s("south")]),
    };
    assert_eq!(
        v(south.clone()),
        Some(50.0),
        "only the south's entry (step 3)"
    );
    let nowhere = target(Measure::Events {
        kind: s("liberation"),
        from: When::Step(0),
        to: When::Step(1),
        persons: true,
        regions: Some(vec![s("east")]),
    });
    let e = check_against(&nowhere, &time, &rec.columns, &names).unwrap_err();
    assert!(e.contains("no region `east`"), "{e}");
    // Against the run's columns and span.
    let bad = target(Measure::SeriesAt {
        column: s("risn"),
        at: When::Step(1),
    });
    let e = check_against(&bad, &time, &rec.columns, &names).unwrap_err();
    assert!(e.contains("did you mean `risen`"), "{e}");
    let late = target(Measure::SeriesAt {
        column: s("risen"),
        at: at("1919-04-01"),
    });
    assert!(check_against(&late, &time, &rec.columns, &names)
        .unwrap_err()
        .contains("after the scenario's last step"));
    let early = target(Measure::SeriesAt {
        column: s("risen"),
        at: at("1919-02-01"),
    });
    assert!(check_against(&early, &time, &rec.columns, &names)
        .unwrap_err()
        .contains("before the scenario starts"));
}

#[test]
fn the_implausibility_is_the_distance_over_both_spreads() {
    let mut t = target(Measure::Figure("x".into()));
    t.observed = 10.0;
    t.error = ErrorModel::Normal { sd: 3.0 };
    // Replicates 2, 4, 6: mean 4, variance 4; I = |10 − 4| / √(9 + 4).
    let s = Score::of(&t, &[Some(2.0), Some(4.0), Some(6.0)]);
    assert_eq!((s.mean, s.sd), (4.0, 2.0));
    assert!((s.implausibility - 6.0 / 13f64.sqrt()).abs() < 1e-12);
    assert!(s.met());
    assert_eq!(s.quantiles[1], 4.0);
    // An interval is read as a 95 % range around its middle: sd = width / 4.
    t.error = ErrorModel::Interval {
        lo: 100.0,
        hi: 140.0,
    };
    let s = Score::of(&t, &[Some(60.0), Some(60.0)]);
    assert!((s.implausibility - 60.0 / 10.0).abs() < 1e-12);
    assert!(!s.met());
    assert_eq!(s.verdict(), "missed");
    // Variances of the count models.
    assert_eq!(
        ErrorModel::NegativeBinomial { dispersion: 2.0 }.variance(10.0),
        60.0
    );
    assert_eq!(ErrorModel::Binomial { trials: 10.0 }.variance(5.0), 2.5);
    // Never reached; reached in some runs only.
    let none = Score::of(&t, &[None, None]);
    assert_eq!(none.verdict(), "never reached");
    assert!(none.implausibility.is_infinite());
    let some = Score::of(&t, &[Some(120.0), None]);
    assert!(!some.met() && some.verdict().starts_with("reached in 1 of 2"));
}

#[test]
fn priors_are_read_in_file_order_and_checked() {
    let text = format!(
        "{GOOD}\n[priors]\n\"resistance.outreach.member_contacts\" = {{ dist = \"log_uniform\", min = 0.01, max = 0.3 }}\n\"resistance.repression.detection\" = {{ dist = \"uniform\", min = 0.0001, max = 0.001 }}\n\"a.b\" = {{ dist = \"normal\", mean = 0.5, sd = 0.1 }}\n\"c.d\" = {{ dist = \"beta\", a = 2, b = 5 }}\n"
    );
    let t = Targets::parse("t.toml", &text).unwrap();
    let names: Vec<&str> = t.priors.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "resistance.outreach.member_contacts",
            "resistance.repression.detection",
            "a.b",
            "c.d"
        ]
    );
    assert_eq!(
        t.priors[3].1,
        Prior::Beta {
            a: 2.0,
            b: 5.0,
            min: 0.0,
            max: 1.0
        }
    );
    let bad = |prior: &str| {
        Targets::parse("t.toml", &format!("{GOOD}\n[priors]\n\"x\" = {prior}\n"))
            .unwrap_err()
            .message
    };
    assert!(bad("{ dist = \"log_uniform\", min = 0, max = 1 }").contains("needs min > 0"));
    assert!(bad("{ dist = \"uniform\", min = 2, max = 1 }").contains("allowed: min < max"));
    // A bound left out is taken from the declared range later (`bound_priors`).
    assert!(Targets::parse(
        "t.toml",
        &format!("{GOOD}\n[priors]\n\"x\" = {{ dist = \"uniform\", min = 0 }}\n")
    )
    .is_ok());
    assert!(
        bad("{ dist = \"normal\", mean = 0, sd = 1, min = 0 }").contains("`min` does not apply")
    );
    assert!(bad("{ dist = \"cauchy\", min = 0, max = 1 }")
        .contains("allowed: uniform, log_uniform, normal, beta"));
    assert!(bad("{ dist = \"uniform\", min = 0, max = 1, step = 2 }").contains("step"));
}

#[test]
fn a_latin_hypercube_draws_each_stratum_once_and_repeats_with_its_seed() {
    let priors = vec![
        (
            "u".to_string(),
            Prior::Uniform {
                min: 10.0,
                max: 20.0,
            },
        ),
        (
            "l".to_string(),
            Prior::LogUniform {
                min: 0.001,
                max: 1.0,
            },
        ),
        (
            "b".to_string(),
            Prior::Beta {
                a: 2.0,
                b: 2.0,
                min: 0.0,
                max: 1.0,
            },
        ),
        ("n".to_string(), Prior::Normal { mean: 0.0, sd: 1.0 }),
    ];
    let n = 50;
    let rows = latin_hypercube(&priors, n, 7);
    assert_eq!(rows.len(), n);
    // Uniform: each tenth-of-a-unit stratum exactly once.
    let mut strata: Vec<usize> = rows
        .iter()
        .map(|r| ((r[0] - 10.0) / 10.0 * n as f64) as usize)
        .collect();
    strata.sort_unstable();
    assert_eq!(strata, (0..n).collect::<Vec<_>>());
    // Log-uniform: each stratum of the logarithm once.
    let mut logs: Vec<usize> = rows
        .iter()
        .map(|r| ((r[1].log10() + 3.0) / 3.0 * n as f64) as usize)
        .collect();
    logs.sort_unstable();
    assert_eq!(logs, (0..n).collect::<Vec<_>>());
    // Beta(2, 2) is symmetric: half the points below 0.5.
    assert_eq!(rows.iter().filter(|r| r[2] < 0.5).count(), n / 2);
    // Normal: half below the mean, the median stratum's quantiles around it.
    assert_eq!(rows.iter().filter(|r| r[3] < 0.0).count(), n / 2);
    assert_eq!(
        latin_hypercube(&priors, n, 7),
        rows,
        "the same seed, the same points"
    );
    assert_ne!(latin_hypercube(&priors, n, 8), rows);
}

#[test]
fn priors_take_missing_bounds_from_the_declared_range_and_may_not_reach_outside_it() {
    let text = |priors: &str| {
        format!(
            "scenario = \"x\"\n[[target]]\nname = \"t\"\nfigure = \"f\"\nobserved = 1\nsd = 1\nsource = \"s\"\n[priors]\n{priors}\n"
        )
    };
    let declared = |p: &str| match p {
        "a.rate" => Some((0.0, 1.0)),
        "a.count" => Some((1.0, 100.0)),
        _ => None,
    };
    let mut t = Targets::parse(
        "t.toml",
        &text("\"a.rate\" = { dist = \"uniform\" }\n\"a.count\" = { dist = \"log_uniform\", max = 50.0 }"),
    )
    .unwrap();
    t.bound_priors(&declared).unwrap();
    assert_eq!(t.priors[0].1, Prior::Uniform { min: 0.0, max: 1.0 });
    assert_eq!(
        t.priors[1].1,
        Prior::LogUniform {
            min: 1.0,
            max: 50.0
        }
    );
    let refused = |priors: &str, wanted: &str| {
        let mut t = Targets::parse("t.toml", &text(priors)).unwrap();
        let e = t.bound_priors(&declared).unwrap_err();
        assert_eq!(e.line, 8, "{e}");
        assert!(e.message.contains(wanted), "{e}");
    };
    refused(
        "\"a.rate\" = { dist = \"uniform\", min = 0.5, max = 2.0 }",
        "reaches outside the parameter's range (allowed: 0 to 1)",
    );
    refused(
        "\"a.rate\" = { dist = \"log_uniform\" }",
        "declared range starts at 0; give `min`",
    );
    refused("\"b.other\" = { dist = \"uniform\" }", "declares no range");
    refused(
        "\"a.rate\" = { dist = \"uniform\", min = 1.5 }\n",
        "[1.5, 1] is not a range",
    );
}
