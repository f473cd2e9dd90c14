//! `mobilize score`: the model beside a targets file, the same at any thread count, and a bad
//! targets file refused with its place.

use std::fs;

use crate::common::*;

const TARGETS: &str = r#"
scenario = "two-valleys"

[[target]]
name = "organized on the eve"
series = "organized"
at = "1938-04-30"
interval = [200, 400]
source = "the scenario's own comment: about 290 members by the offensive"

[[target]]
name = "collapse step"
figure = "collapse_step"
observed = 740
sd = 5
source = "a test"

[[target]]
name = "a figure no run reports"
figure = "no_such_figure"
observed = 1
sd = 1
holdout = true
source = "a test"
"#;

#[test]
fn score_sets_the_model_beside_the_record_the_same_at_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("t.toml"), TARGETS).unwrap();
    let run = |threads: &str, csv: &str| {
        let o = mobilize(
            &[
                "score",
                "t.toml",
                "-n",
                "3",
                "--threads",
                threads,
                "-q",
                "--csv",
                csv,
            ],
            dir.path(),
        );
        ok(&o)
    };
    let out = run("1", "one.csv");
    assert!(out.contains("organized on the eve"), "{out}");
    assert!(out.contains("never reached"), "{out}");
    assert!(out.contains("of 2 targets met"), "{out}");
    assert!(out.contains("held out: 0 of 1"), "{out}");
    let rows = csv_rows(&dir.path().join("one.csv"));
    assert_eq!(rows.len(), 4, "a header and a row per target");
    assert_eq!(rows[1][6], "3", "three runs");
    assert_eq!(rows[3][7], "0", "the unknown figure is never reached");
    run("2", "two.csv");
    assert_eq!(
        fs::read(dir.path().join("one.csv")).unwrap(),
        fs::read(dir.path().join("two.csv")).unwrap(),
        "the same numbers at 1 and 2 threads"
    );
}

#[test]
fn a_bad_targets_file_is_refused_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.toml");
    // A series the scenario's runs do not have: found after the first run, at its line.
    fs::write(
        &t,
        TARGETS.replace("series = \"organized\"", "series = \"organised\""),
    )
    .unwrap();
    let o = mobilize(&["score", "t.toml", "-n", "2", "-q"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("t.toml:4:"), "{err}");
    assert!(err.contains("did you mean `organized`"), "{err}");
    // A field misspelt: refused before anything runs.
    fs::write(&t, TARGETS.replace("sd = 5", "sdev = 5")).unwrap();
    let o = mobilize(&["score", "t.toml", "-q"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("t.toml:15:1: unknown field `sdev`"), "{err}");
    // A scenario that does not exist, by a name relative to the targets file.
    fs::write(&t, TARGETS.replace("\"two-valleys\"", "\"no-such.toml\"")).unwrap();
    let o = mobilize(&["score", "t.toml", "-q"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no-such.toml"));
}

#[test]
fn score_over_a_grid_marks_the_points_that_meet_every_target() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("t.toml"), TARGETS).unwrap();
    let o = mobilize(
        &[
            "score",
            "t.toml",
            "-n",
            "2",
            "-q",
            "--threads",
            "1",
            "--csv",
            "grid.csv",
            "--grid",
            "resistance.organizations=true,false",
        ],
        dir.path(),
    );
    let out = ok(&o);
    assert!(out.contains("resistance.organizations"), "{out}");
    assert!(out.contains("of 2 points meet every target"), "{out}");
    let rows = csv_rows(&dir.path().join("grid.csv"));
    assert_eq!(rows.len(), 1 + 2 * 3, "a row per point and target");
    // Without organizations only the leadership's cadres are organized on the eve: the first
    // target is missed there.
    let organized: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r[2] == "organized on the eve")
        .collect();
    assert_eq!(organized[0][1], "true");
    assert_eq!(organized[1][1], "false");
    let median: f64 = organized[1][4].parse().unwrap();
    assert!(
        median < 50.0,
        "only the leadership's cadres are organized: {median}"
    );
    assert_eq!(organized[1][9], "false", "missed");
    // A bad grid value is refused with its point.
    let o = mobilize(
        &[
            "score",
            "t.toml",
            "-q",
            "--grid",
            "resistance.organizations=maybe",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("grid point"));
}

#[test]
fn score_over_a_sample_from_the_priors() {
    let dir = tempfile::tempdir().unwrap();
    let with_priors = format!(
        "{TARGETS}\n[priors]\n\"resistance.outreach.member_contacts\" = {{ dist = \"log_uniform\", min = 0.05, max = 0.5 }}\n"
    );
    fs::write(dir.path().join("t.toml"), &with_priors).unwrap();
    let run = |seed: &str| {
        ok(&mobilize(
            &[
                "score",
                "t.toml",
                "-n",
                "1",
                "-q",
                "--threads",
                "1",
                "--sample",
                "3",
                "--seed",
                seed,
            ],
            dir.path(),
        ))
    };
    let out = run("5");
    assert!(out.contains("resistance.outreach.member_contacts"), "{out}");
    assert!(out.contains("of 3 points meet every target"), "{out}");
    assert_eq!(run("5"), out, "the same seed, the same points and numbers");
    // Without priors there is nothing to sample.
    fs::write(dir.path().join("t.toml"), TARGETS).unwrap();
    let o = mobilize(&["score", "t.toml", "-q", "--sample", "3"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("has none"));
}
