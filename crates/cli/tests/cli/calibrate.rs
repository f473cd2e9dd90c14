//! `mobilize calibrate`: history matching into a folder, resumed without a run made again,
//! the same at any thread count, and bad priors refused before anything runs.

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

[priors]
"resistance.outreach.member_contacts" = { dist = "log_uniform", min = 0.02, max = 0.6 }
"resistance.repression.detection" = { dist = "log_uniform", min = 0.0005, max = 0.05 }
"#;

fn calibrate(dir: &std::path::Path, threads: &str, out: &str) -> std::process::Output {
    mobilize(
        &[
            "calibrate",
            "t.toml",
            "--waves",
            "2",
            "--points",
            "10",
            "-n",
            "2",
            "--candidates",
            "400",
            "--threads",
            threads,
            "-q",
            "-o",
            out,
        ],
        dir,
    )
}

#[test]
fn calibrate_writes_its_folder_resumes_without_a_run_and_is_the_same_at_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("t.toml"), TARGETS).unwrap();
    let out = ok(&calibrate(dir.path(), "1", "one"));
    assert!(
        out.contains("History matching of t.toml over 2 parameter(s)"),
        "{out}"
    );
    assert!(out.contains("40 runs (40 made now"), "{out}");
    assert!(out.contains("organized on the eve"), "{out}");
    let one = dir.path().join("one");
    for f in [
        "calibration.json",
        "summary.txt",
        "waves.csv",
        "conflicts.csv",
        "non-implausible.csv",
        "wave-1/design.csv",
        "wave-1/results.csv",
        "wave-1/emulators.csv",
        "wave-2/runs/0009.json",
    ] {
        assert!(one.join(f).is_file(), "{f} missing");
    }
    let waves = csv_rows(&one.join("waves.csv"));
    assert_eq!(waves[0][..4], ["wave", "points", "runs", "space_before"]);
    assert_eq!(waves[1][1], "10");
    let before: f64 = waves[1][4].parse().unwrap();
    assert!(before < 1.0, "wave 1 rules part of the space out: {before}");
    // Run again: nothing is run, the same tables.
    let tables = |d: &str| {
        ["waves.csv", "non-implausible.csv", "wave-2/design.csv"]
            .map(|f| fs::read_to_string(dir.path().join(d).join(f)).unwrap())
    };
    let first = tables("one");
    let again = ok(&calibrate(dir.path(), "1", "one"));
    assert!(again.contains("40 runs (0 made now"), "{again}");
    assert_eq!(tables("one"), first);
    // Two threads: the same answer.
    ok(&calibrate(dir.path(), "2", "two"));
    assert_eq!(tables("two"), first);
    // Another calibration is refused the folder.
    fs::write(
        dir.path().join("t.toml"),
        TARGETS.replace("[200, 400]", "[250, 400]"),
    )
    .unwrap();
    let o = calibrate(dir.path(), "1", "one");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("holds a different calibration"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn bad_priors_are_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let t = dir.path().join("t.toml");
    let refused = |text: String, wanted: &str| {
        fs::write(&t, text).unwrap();
        let o = calibrate(dir.path(), "1", "out");
        assert_eq!(o.status.code(), Some(2));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(wanted), "{err}");
        assert!(
            !dir.path().join("out").exists(),
            "nothing was run or written"
        );
    };
    // A prior reaching outside the parameter's range: named with the value.
    refused(
        TARGETS.replace("min = 0.0005, max = 0.05", "min = 0.0005, max = 5.0"),
        "priors.\"resistance.repression.detection\": [0.0005, 5] reaches outside the parameter's range (allowed: 0 to 1)",
    );
    // A parameter that does not exist.
    refused(
        TARGETS.replace("repression.detection", "repression.detectoin"),
        "detectoin",
    );
    // No priors at all.
    refused(
        TARGETS[..TARGETS.find("[priors]").unwrap()].to_string(),
        "has none",
    );
}

#[test]
fn abc_draws_a_weighted_posterior_judges_claims_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let text = TARGETS.replace(
        "[priors]",
        "[[target]]\nname = \"organized at the end\"\nseries = \"organized\"\nat = \"1938-05-10\"\nobserved = 100\nsd = 10\nholdout = true\nsource = \"a claim\"\n\n[priors]",
    );
    fs::write(dir.path().join("t.toml"), text).unwrap();
    let go = || {
        mobilize(
            &[
                "calibrate",
                "t.toml",
                "--waves",
                "1",
                "--points",
                "10",
                "-n",
                "2",
                "--candidates",
                "400",
                "--particles",
                "20",
                "--generations",
                "2",
                "--claim",
                "organized at the end >= 1",
                "-q",
                "-o",
                "out",
            ],
            dir.path(),
        )
    };
    let out = ok(&go());
    assert!(out.contains("Posterior by ABC-SMC"), "{out}");
    assert!(out.contains("organized at the end >= 1: "), "{out}");
    let rows = csv_rows(&dir.path().join("out/posterior.csv"));
    assert_eq!(rows.len(), 21, "a header and 20 draws");
    let w = rows[0].iter().position(|c| c == "weight").unwrap();
    let total: f64 = rows[1..].iter().map(|r| r[w].parse::<f64>().unwrap()).sum();
    assert!((total - 1.0).abs() < 1e-9, "{total}");
    assert!(dir.path().join("out/posterior.parquet").is_file());
    let claims = csv_rows(&dir.path().join("out/claims.csv"));
    let p: f64 = claims[1][1].parse().unwrap();
    assert!((0.0..=1.0).contains(&p));
    let again = ok(&go());
    assert!(again.contains("(0 made now"), "{again}");
    assert_eq!(
        fs::read(dir.path().join("out/posterior.csv")).unwrap(),
        rows.iter()
            .map(|r| r.join(",") + "\n")
            .collect::<String>()
            .into_bytes()
    );
    // A claim naming no target is refused before anything runs.
    let o = mobilize(
        &[
            "calibrate",
            "t.toml",
            "--claim",
            "organised at the end >= 1",
            "-q",
            "-o",
            "bad",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("did you mean `organized at the end`"));
    assert!(!dir.path().join("bad").exists());
}

/// The Korean scenarios as shipped carry a draw of the posterior of the record's calibration
/// (`mobilize calibrate scenarios/targets/korea-record.toml --abc …`, docs/models/resistance.md,
/// its draws in `scenarios/targets/korea-record-posterior.csv`). They meet what the record says
/// of both episodes within a factor of three: 1919's participants, killed and arrested, and no
/// collapse; the yearly arrests of 1938–1943, the prisoners of August 1945, the main force and
/// its arms. One target is missed by more, and is held to what the docs report so that it
/// cannot drift unseen: the arrests of 1937 (450 against 1,637 over 10 replicates, ×3.6 below).
/// If a change to the model moves any out, this fails, and the calibration is to be run again.
#[test]
fn the_calibrated_resistance_model_meets_the_record_within_three_fold() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let dir = tempfile::tempdir().unwrap();
    let out = ok(&mobilize(
        &[
            "score",
            root.join("scenarios/targets/korea-record.toml")
                .to_str()
                .unwrap(),
            "-n",
            "10",
            "--scale",
            "0.05",
            "-q",
            "--csv",
            "score.csv",
        ],
        dir.path(),
    ));
    assert!(out.contains("targets met"), "{out}");
    let text = fs::read_to_string(dir.path().join("score.csv")).unwrap();
    let mut rows = csv::Reader::from_reader(text.as_bytes());
    let head = rows.headers().unwrap().clone();
    let col = |name: &str| head.iter().position(|h| h == name).unwrap();
    let (target, holdout, median) = (col("target"), col("holdout"), col("median"));
    // (target, record low, record high, factor allowed)
    let record: &[(&str, f64, f64, f64)] = &[
        ("took part", 800_000.0, 2_000_000.0, 3.0),
        ("killed", 798.0, 7_509.0, 3.0),
        ("arrested", 46_948.0, 46_948.0, 3.0),
        ("arrests in 1937", 1_637.0, 1_637.0, 5.0),
        ("arrests in 1938", 1_344.0, 1_344.0, 3.0),
        ("arrests in 1939", 1_042.0, 1_042.0, 3.0),
        ("arrests in 1940", 1_193.0, 1_193.0, 3.0),
        ("arrests in 1941", 861.0, 861.0, 3.0),
        ("arrests in 1942", 1_142.0, 1_142.0, 3.0),
        ("arrests in 1943", 1_002.0, 1_002.0, 3.0),
        (
            "prisoners on the eve of liberation",
            12_000.0,
            20_000.0,
            3.0,
        ),
        ("main force at the offensive", 1_000.0, 2_000.0, 3.0),
        ("arms on the eve of the offensive", 2_000.0, 10_000.0, 3.0),
    ];
    let mut seen = 0;
    for r in rows.records() {
        let r = r.unwrap();
        if &r[holdout] == "true" {
            continue;
        }
        let v: f64 = r[median].parse().unwrap();
        if &r[target] == "the ruling system held" {
            assert_eq!(v, 1.0, "1919 did not topple the colonial state");
            seen += 1;
            continue;
        }
        let (_, lo, hi, k) = record
            .iter()
            .find(|(n, _, _, _)| *n == &r[target])
            .unwrap_or_else(|| panic!("a target the test does not know: {}", &r[target]));
        assert!(
            v >= lo / k && v <= hi * k,
            "{}: {v} is not within ×{k} of the record's {lo}–{hi}",
            &r[target]
        );
        seen += 1;
    }
    assert_eq!(seen, record.len() + 1, "every fitted target was checked");
}
