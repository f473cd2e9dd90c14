//! The `mobilize` command, end to end: error messages (snapshots), run folders, determinism.

mod calibrate;
mod common;
mod experiments;
mod messages;
mod reliability;
mod score;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::{mobilize, ok, results};

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Writes a scenario that differs from a small valid one by `change` (a line replacement), and
/// returns what `mobilize validate` says about it.
fn validate_variant(change: (&str, &str)) -> (i32, String) {
    let base = r#"name = "small"
model = "threshold"
[[regions]]
name = "north"
population = 100
[[regions]]
name = "south"
population = 100
[population.shares]
age = { child = 0.3, youth = 0.2, adult = 0.5 }
[network]
kind = "structured"
[[network.links]]
regions = ["north", "south"]
ties_per_person = 0.1
[threshold]
form = "network"
unit = "fraction"
[threshold.distribution]
kind = "uniform"
min = 0.0
max = 0.5
"#;
    assert!(base.contains(change.0), "{}", change.0);
    let text = base.replacen(change.0, change.1, 1);
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("small.toml"), text).unwrap();
    let o = mobilize(&["validate", "small.toml"], dir.path());
    (o.status.code().unwrap(), stderr(&o))
}

#[test]
fn error_unknown_key_suggests_the_right_one() {
    let (code, err) = validate_variant((
        "population = 100\n[[regions]]",
        "populaton = 100\n[[regions]]",
    ));
    assert_eq!(code, 2);
    insta::assert_snapshot!(err);
}

#[test]
fn error_wrong_type() {
    let (code, err) = validate_variant(("ties_per_person = 0.1", "ties_per_person = \"some\""));
    assert_eq!(code, 2);
    insta::assert_snapshot!(err);
}

#[test]
fn error_share_out_of_range() {
    let (code, err) = validate_variant(("child = 0.3, youth = 0.2", "child = 1.3, youth = -0.8"));
    assert_eq!(code, 2);
    insta::assert_snapshot!(err);
}

#[test]
fn error_shares_do_not_sum_to_one() {
    let (code, err) = validate_variant(("adult = 0.5", "adult = 0.4"));
    assert_eq!(code, 2);
    insta::assert_snapshot!(err);
}

#[test]
fn error_unknown_region_in_a_tie_rule() {
    let (code, err) = validate_variant(("[\"north\", \"south\"]", "[\"north\", \"sout\"]"));
    assert_eq!(code, 2);
    insta::assert_snapshot!(err);
}

#[test]
fn error_missing_threshold_file() {
    let (code, err) = validate_variant((
        "kind = \"uniform\"\nmin = 0.0\nmax = 0.5",
        "kind = \"file\"\npath = \"thresholds.txt\"",
    ));
    assert_eq!(code, 2);
    let err = err.replace(std::env::temp_dir().to_str().unwrap(), "$TMP");
    assert!(err.contains("thresholds.txt"), "{err}");
    assert!(err.contains("threshold.distribution.path"), "{err}");
}

/// A thresholds file is read only from inside the scenario's folder, only if it is a regular
/// file of bounded size, and a bad line is named by its number without being repeated (the
/// file's contents may be a secret: `/proc/self/environ`).
#[test]
fn threshold_files_outside_the_scenario_or_not_regular_are_refused_and_never_echoed() {
    for path in [
        "/proc/self/environ",
        "/dev/zero",
        "../outside.txt",
        "a/../../b.txt",
    ] {
        let (code, err) = validate_variant((
            "kind = \"uniform\"\nmin = 0.0\nmax = 0.5",
            &format!("kind = \"file\"\npath = \"{path}\""),
        ));
        assert_eq!(code, 2, "{path}");
        assert!(
            err.contains("not a path inside the scenario's folder"),
            "{path}: {err}"
        );
        assert!(!err.contains("PATH="), "{err}");
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.txt"), "0.1\nSECRET=hunter2\n").unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.txt")).unwrap();
    for (file, want) in [
        ("t.txt", "t.txt:2: not a number"),
        ("zero.txt", "leads out of the scenario's folder (a link)"),
    ] {
        let text = format!(
            "name = \"f\"\nmodel = \"threshold\"\n[[regions]]\nname = \"a\"\npopulation = 10\n\
             [threshold]\nform = \"crowd\"\nunit = \"fraction\"\n\
             [threshold.distribution]\nkind = \"file\"\npath = \"{file}\"\n"
        );
        std::fs::write(dir.path().join("s.toml"), text).unwrap();
        let o = mobilize(&["validate", "s.toml"], dir.path());
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{err}");
        assert!(err.contains(want), "{file}: {err}");
        assert!(!err.contains("hunter2"), "the line is not echoed: {err}");
    }
}

/// A device or FIFO as the scenario fails at once (`/dev/zero` used to be read for gigabytes),
/// and `--threads` beyond 1,024 is refused before any thread starts.
#[test]
fn a_scenario_that_is_not_a_file_and_absurd_thread_counts_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let o = mobilize(&["run", "/dev/zero"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("not a regular file"), "{}", stderr(&o));
    let o = mobilize(&["run", "two-valleys", "--threads", "10000"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("allowed: 1 to 1024"), "{}", stderr(&o));
    assert!(!dir.path().join("runs").exists(), "nothing is created");
}

/// A scenario that validates but cannot fit in memory is refused before anything is
/// allocated or created: a run, an ensemble (its runs at once share the memory), a lattice.
#[test]
fn a_scenario_too_big_for_memory_is_refused_before_anything_is_allocated() {
    let dir = tempfile::tempdir().unwrap();
    let o = mobilize(
        &[
            "run",
            "korea-1936-1945",
            "--scale",
            "8.7",
            "--max-memory",
            "4G",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("needs about 15.1 GB") && err.contains("lower `scale`"),
        "{err}"
    );
    let o = mobilize(
        &[
            "run",
            "epstein-run1",
            "--set",
            "civil_violence.width=20000",
            "--set",
            "civil_violence.height=20000",
            "--max-memory",
            "8G",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    // A lattice is not shrunk by `scale`: the advice says what is (following the old
    // advice, to lower `scale`, looped).
    let err = stderr(&o);
    assert!(err.contains("needs about 25.7 GB"), "{err}");
    assert!(
        err.contains("20000 × 20000 lattice")
            && err.contains("make the lattice smaller")
            && !err.contains("scale"),
        "{err}"
    );
    let o = mobilize(&["validate", "epstein-run1"], dir.path());
    assert!(
        ok(&o).contains("valid (civil_violence model, 40 × 40 lattice, 1000 steps)"),
        "not '0 persons in 0 regions': {}",
        stdout(&o)
    );
    let o = mobilize(
        &[
            "ensemble",
            "korea-1936-1945",
            "-n",
            "4",
            "--scale",
            "1",
            "--threads",
            "4",
            "--max-memory",
            "4G",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("4 runs at once share it"),
        "{}",
        stderr(&o)
    );
    let o = mobilize(&["run", "two-valleys", "--max-memory", "lots"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(!dir.path().join("runs").exists(), "nothing is created");
}

/// Text from the command line or a file is never printed raw to the terminal: ESC, BEL and the
/// right-to-left override are escaped, and a region name holding them is refused.
#[test]
fn control_characters_are_escaped_in_terminal_output() {
    let dir = tempfile::tempdir().unwrap();
    let o = mobilize(&["run", "\u{1b}[31mred\u{7}\u{202e}"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        !err.contains('\u{1b}') && !err.contains('\u{7}') && !err.contains('\u{202e}'),
        "{err:?}"
    );
    assert!(err.contains("\\u{1b}[31mred\\u{7}\\u{202e}"), "{err}");
    let (code, err) = validate_variant(("name = \"north\"", "name = \"nor\\u001Bth\""));
    assert_eq!(code, 2);
    assert!(
        err.contains("control or text-direction characters"),
        "{err}"
    );
    assert!(!err.contains('\u{1b}'), "{err:?}");
}

/// Messages say what is wrong, not a limit that is not the real one: a negative count is
/// "negative" (the type's 18446744073709551615 was printed), and `-n 0` names `--replicates`
/// (it used to speak of a `--grid` that was never given).
#[test]
fn a_negative_count_and_zero_replicates_are_explained_plainly() {
    let dir = tempfile::tempdir().unwrap();
    let o = mobilize(
        &[
            "validate",
            "two-valleys",
            "--set",
            "regions[0].population=-5",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("it cannot be negative"), "{err}");
    assert!(!err.contains("18446744073709551615"), "{err}");
    let o = mobilize(&["ensemble", "two-valleys", "-n", "0"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("--replicates") && !err.contains("--grid"),
        "{err}"
    );
}

/// `mobilize validate SCENARIO --set SET`: its exit code and what it printed.
fn validate_set(scenario: &str, set: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let o = mobilize(&["validate", scenario, "--set", set], dir.path());
    (o.status.code(), stderr(&o))
}

#[test]
fn each_message_names_its_real_cause_once_and_blames_the_set_that_made_it() {
    // A broken TOML value says so, instead of "found a string".
    let (code, err) = validate_set("two-valleys", "seed=[1,");
    assert_eq!(code, Some(2));
    assert!(err.contains("not valid TOML"), "{err}");
    assert!(!err.contains("found a string"), "{err}");
    // A wrong `time.steps` is one problem, not six false ones about events and dates.
    let (code, err) = validate_set("korea-1936-1945", "time.steps=abc");
    assert_eq!(code, Some(2));
    assert!(err.contains("has 1 problem;"), "{err}");
    assert!(
        !err.contains("after the last step") && !err.contains("needs `time.start`"),
        "{err}"
    );
    // A section for another model, made by a --set, is blamed on that --set, not line 1.
    let (_, err) = validate_set("korea-1936-1945", "civil_violence.width=10");
    assert!(err.contains("in --set civil_violence.width=10"), "{err}");
    assert!(!err.contains(":1:1"), "{err}");
    // A misspelt event kind or model gets a suggestion.
    let (_, err) = validate_set("two-valleys", "events[0].kind=final_ofensive");
    assert!(err.contains("did you mean `final_offensive`?"), "{err}");
    let (_, err) = validate_set("two-valleys", "model=resistence");
    assert!(err.contains("did you mean `resistance`?"), "{err}");
    // A huge value is quoted once, cut short.
    let huge = format!("events[0].kind=[\"{}\"]", "x".repeat(100_000));
    let (code, err) = validate_set("two-valleys", &huge);
    assert_eq!(code, Some(2));
    assert!(err.len() < 4_000, "{} bytes on stderr", err.len());
    assert!(err.contains("bytes in all"), "{err}");
}

#[test]
fn a_crowd_in_which_no_one_can_ever_act_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let never =
        r#"threshold.distribution={kind="uniform",min=0,max=99,rounding="none"}"#.to_string();
    let o = mobilize(
        &["validate", "granovetter-uniform", "--set", &never],
        dir.path(),
    );
    ok(&o);
    assert!(stderr(&o).contains("no one can ever act"), "{}", stderr(&o));
    // Thresholds that reach 0, or someone who starts: no warning.
    for sets in [
        vec![
            r#"threshold.distribution={kind="uniform",min=0,max=100,rounding="floor"}"#.to_string(),
        ],
        vec![never.clone(), "threshold.initial_random=1".to_string()],
    ] {
        let mut args = vec!["validate", "granovetter-uniform"];
        for s in &sets {
            args.extend(["--set", s.as_str()]);
        }
        let o = mobilize(&args, dir.path());
        ok(&o);
        assert!(
            !stderr(&o).contains("no one can ever act"),
            "{sets:?}: {}",
            stderr(&o)
        );
    }
    // The warning is in the run's manifest too.
    let o = mobilize(
        &["run", "granovetter-uniform", "-q", "--set", &never],
        dir.path(),
    );
    let folder = results(&ok(&o), dir.path());
    let m = std::fs::read_to_string(folder.join("manifest.json")).unwrap();
    assert!(m.contains("no one can ever act"), "{m}");
}

#[test]
fn error_missing_scenario_file() {
    let dir = tempfile::tempdir().unwrap();
    let o = mobilize(&["run", "nowhere/scenario.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    insta::assert_snapshot!(stderr(&o));
    assert!(
        !dir.path().join("runs").exists(),
        "nothing is created for bad input"
    );
}

#[test]
fn error_unknown_scenario_name() {
    let dir = tempfile::tempdir().unwrap();
    let o = mobilize(&["run", "granoveter-uniform"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    insta::assert_snapshot!(stderr(&o));
}

#[test]
fn every_problem_is_reported_at_once() {
    let o = mobilize(
        &["validate", "fixtures/mistakes.toml"],
        &fixtures().join(".."),
    );
    assert_eq!(o.status.code(), Some(2));
    insta::assert_snapshot!(stderr(&o));
}

#[test]
fn overrides_are_validated_like_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let o = mobilize(
        &[
            "validate",
            "granovetter-normal",
            "--set",
            "threshold.distribution.sd=-1",
            "--set",
            "threshold.frm=crowd",
            "--set",
            "time.steps=many",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    insta::assert_snapshot!(stderr(&o));
    let o = mobilize(
        &["validate", "granovetter-normal", "--set", "seed"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no `=`"), "{}", stderr(&o));
}

#[test]
fn scenarios_lists_the_embedded_ones_and_each_validates() {
    let dir = tempfile::tempdir().unwrap();
    let o = mobilize(&["scenarios"], dir.path());
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(out.contains("(default)"));
    for line in out.lines() {
        let name = line.split_whitespace().next().unwrap();
        let v = mobilize(&["validate", name], dir.path());
        assert!(v.status.success(), "{name}: {}", stderr(&v));
    }
}

fn only_run_folder(out: &Path, scenario: &str) -> PathBuf {
    let mut dirs: Vec<PathBuf> = fs::read_dir(out.join(scenario))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    dirs.pop().unwrap()
}

#[test]
fn run_writes_a_complete_folder() {
    let dir = tempfile::tempdir().unwrap();
    let o = mobilize(&["run", "granovetter-uniform", "--out", "res"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let run = only_run_folder(&dir.path().join("res"), "granovetter-uniform");
    let name = run.file_name().unwrap().to_str().unwrap().to_string();
    // <UTC time>_<short hash>
    assert_eq!(name.len(), "20261126T164218Z_6e8a33b8".len(), "{name}");
    assert!(stdout(&o).contains(&name));
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(run.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["status"], "complete");
    assert_eq!(manifest["exit_code"], 0);
    assert!(manifest["threads"].as_u64().unwrap() >= 1);
    assert!(manifest["git_commit"].as_str().is_some());
    assert!(manifest["timings"]["total_s"].as_f64().unwrap() > 0.0);
    assert_eq!(manifest["seed"], 1);
    assert_eq!(manifest["persons"], 100);
    assert_eq!(manifest["figures"]["final_active"], 100.0);
    assert_eq!(manifest["stop_reason"], "equilibrium");
    let resolved = fs::read_to_string(run.join("scenario.toml")).unwrap();
    assert_eq!(
        manifest["scenario_sha256"].as_str().unwrap(),
        mobilize_sha256(&resolved)
    );
    for f in [
        "series.csv",
        "series.parquet",
        "events.csv",
        "events.parquet",
        "scenario.toml",
    ] {
        assert!(run.join(f).is_file(), "{f}");
    }
    let series = fs::read_to_string(run.join("series.csv")).unwrap();
    assert_eq!(series.lines().count(), 1 + 102);
    assert!(series.starts_with("step,active,new_active,share_active,active.crowd\n"));
    assert!(series.contains("\n100,100,1,1,100\n"));
    // Parquet holds the same rows as the CSV.
    let file = fs::File::open(run.join("series.parquet")).unwrap();
    let reader = parquet::file::reader::SerializedFileReader::new(file).unwrap();
    use parquet::file::reader::FileReader;
    assert_eq!(reader.metadata().file_metadata().num_rows(), 102);
    // The chart draws every step of the headline series and of its parts by region.
    let svg = fs::read_to_string(run.join("series.svg")).unwrap();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(
        !svg.contains("http://") || svg.matches("http").count() == 1,
        "no external references"
    );
    for series in ["active", "active.crowd"] {
        let tag = format!("data-series=\"{series}\"");
        let line = svg
            .lines()
            .find(|l| l.contains(&tag))
            .expect("a line per series");
        let points = line
            .split("points=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert_eq!(points.split(' ').count(), 102, "{series}");
    }
    // A second run never overwrites the first.
    let o = mobilize(&["run", "granovetter-uniform", "--out", "res"], dir.path());
    assert!(o.status.success());
    assert_eq!(
        fs::read_dir(dir.path().join("res/granovetter-uniform"))
            .unwrap()
            .count(),
        2
    );
}

fn mobilize_sha256(text: &str) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every output file except the manifest and the report (which record timings and the thread
/// count), charts included.
fn outputs(run: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for dir in [run.to_path_buf(), run.join("charts")] {
        for p in fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()) {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            if p.is_dir() || name == "manifest.json" || name == "report.html" {
                continue;
            }
            files.push((name, fs::read(&p).unwrap()));
        }
    }
    files.sort();
    files
}

#[test]
fn outputs_are_byte_identical_across_thread_counts_and_runs() {
    let dir = tempfile::tempdir().unwrap();
    for (scenario, scale) in [
        ("village-cascade", "1"),
        ("korea-1936-1945", "0.01"),
        ("epstein-run2", "1"),
    ] {
        let mut results = Vec::new();
        for (i, threads) in ["1", "2", "8", "1"].iter().enumerate() {
            let out = format!("out-{scenario}-{i}");
            let o = mobilize(
                &[
                    "run",
                    scenario,
                    "--scale",
                    scale,
                    "--threads",
                    threads,
                    "--out",
                    &out,
                    "-q",
                ],
                dir.path(),
            );
            assert!(o.status.success(), "{}", stderr(&o));
            results.push(outputs(&only_run_folder(&dir.path().join(&out), scenario)));
        }
        assert!(
            results[0].len() >= 6,
            "{scenario}: {} files",
            results[0].len()
        );
        for r in &results[1..] {
            assert!(
                r == &results[0],
                "{scenario}: outputs differ between thread counts"
            );
        }
    }
}

#[test]
fn the_resolved_scenario_runs_again_to_the_same_results() {
    let dir = tempfile::tempdir().unwrap();
    let o = mobilize(
        &[
            "run",
            "village-cascade",
            "--scale",
            "0.1",
            "--seed",
            "5",
            "--set",
            "events[0].delta=-0.1",
            "--out",
            "a",
            "-q",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let first = only_run_folder(&dir.path().join("a"), "village-cascade");
    let resolved = first.join("scenario.toml");
    let text = fs::read_to_string(&resolved).unwrap();
    assert!(
        text.contains("seed = 5") && text.contains("scale = 0.1"),
        "{text}"
    );
    let o = mobilize(
        &["run", resolved.to_str().unwrap(), "--out", "b", "-q"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let second = only_run_folder(&dir.path().join("b"), "village-cascade");
    assert_eq!(outputs(&first), outputs(&second));
}

#[test]
fn an_unwritable_output_folder_is_reported_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("blocker"), "a file, not a folder").unwrap();
    let o = mobilize(
        &["run", "granovetter-uniform", "--out", "blocker", "-q"],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(1));
    let err = stderr(&o);
    assert!(
        err.starts_with("error: cannot create folder `blocker/granovetter-uniform`"),
        "{err}"
    );
    assert!(!err.contains("panicked"));
}

#[test]
fn piped_runs_print_plain_progress_lines_and_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let o = mobilize(&["run", "--scale", "0.01"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.lines().any(|l| l.starts_with("step ")), "{err}");
    assert!(!err.contains('\u{1b}'), "no terminal escapes when piped");
    let out = stdout(&o);
    // A dated scenario says when, as a date with its step.
    assert!(
        out.contains("The ruling system collapsed on 1945-08-")
            || out.contains("No collapse by 1945-09-09 (step 3414)"),
        "{out}"
    );
    assert!(
        out.contains("days after the final offensive of 1945-08-"),
        "{out}"
    );
    assert!(out.contains("results: runs/korea-1936-1945/"), "{out}");
}

/// A dated scenario's summary says when things happened as dates, and the manifest gives the
/// date of every figure that is a step (korea-1945-mainstream starts on 1936-05-05; its
/// collapse is the surrender, its first attack the Soviet offensive).
#[test]
fn dated_runs_give_their_steps_as_dates() {
    let dir = tempfile::tempdir().unwrap();
    let o = mobilize(
        &[
            "run",
            "korea-1945-mainstream",
            "--scale",
            "0.01",
            "--threads",
            "1",
        ],
        dir.path(),
    );
    let out = common::ok(&o);
    let folder = common::results(&out, dir.path());
    let m: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(folder.join("manifest.json")).unwrap()).unwrap();
    let collapse = m["figures"]["collapse_step"].as_f64().unwrap();
    let attack = m["figures"]["attack_step"].as_f64().unwrap();
    let date = |step: f64| {
        mobilize_core::calendar::Date::parse("1936-05-05")
            .unwrap()
            .plus_days(step as i64)
            .to_string()
    };
    assert_eq!(m["dates"]["collapse_step"], date(collapse).as_str(), "{m}");
    assert_eq!(m["dates"]["collapse_step"], "1945-08-15");
    assert_eq!(m["dates"]["attack_step"], date(attack).as_str());
    assert_eq!(
        m["dates"]["last_step"],
        date(m["last_step"].as_f64().unwrap()).as_str()
    );
    let summary = m["summary"].as_str().unwrap();
    assert!(
        summary.starts_with(&format!(
            "The ruling system collapsed on {} (step {collapse}; surrender)",
            date(collapse)
        )),
        "{summary}"
    );
}

/// Below the size at which the resistance model's shares are unbiased, `mobilize run` warns,
/// and the manifest and report carry the warning; at the default scale it does not.
#[test]
fn too_small_a_population_is_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let o = mobilize(&["run", "--scale", "0.01", "--threads", "1"], dir.path());
    let out = common::ok(&o);
    let err = stderr(&o);
    assert!(
        err.contains("warning: the smallest home region has 8139 persons"),
        "{err}"
    );
    let folder = common::results(&out, dir.path());
    let m: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(folder.join("manifest.json")).unwrap()).unwrap();
    assert_eq!(m["warnings"].as_array().map(Vec::len), Some(1), "{m}");
    let report = fs::read_to_string(folder.join("report.html")).unwrap();
    assert!(report.contains("Warning: the smallest home region"));

    let o = mobilize(&["run", "--scale", "0.05", "--threads", "1"], dir.path());
    common::ok(&o);
    assert!(!stderr(&o).contains("warning"), "{}", stderr(&o));
}

/// A copy of `examples/networks` in a folder of its own.
fn karate() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/networks");
    for f in ["karate.toml", "karate-edges.csv", "karate-people.csv"] {
        fs::copy(from.join(f), dir.path().join(f)).unwrap();
    }
    dir
}

#[test]
fn a_network_from_files_runs_and_its_run_names_the_very_files() {
    let dir = karate();
    let out = ok(&mobilize(
        &[
            "run",
            "karate.toml",
            "-q",
            "--checkpoint-every",
            "10",
            "--set",
            "threshold.stop_at_equilibrium=false",
        ],
        dir.path(),
    ));
    let run = results(&out, dir.path());
    let manifest = fs::read_to_string(run.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"persons\": 34"), "{manifest}");
    assert!(manifest.contains("\"ties\": 78"), "{manifest}");
    // The resolved scenario names the files by absolute path and hash.
    let resolved = fs::read_to_string(run.join("scenario.toml")).unwrap();
    let edges = fs::canonicalize(dir.path().join("karate-edges.csv")).unwrap();
    assert!(
        resolved.contains(&format!("edges = \"{}\"", edges.display())),
        "{resolved}"
    );
    assert!(resolved.contains("edges_sha256 = \""), "{resolved}");
    // A branch from a checkpoint reads the same files; once the file changes it is refused.
    let checkpoint = run.join("checkpoint-000020.bin");
    let branch = |dir: &Path| {
        mobilize(
            &[
                "run",
                "--from",
                checkpoint.to_str().unwrap(),
                "-q",
                "--set",
                "threshold.stop_at_equilibrium=false",
            ],
            dir,
        )
    };
    ok(&branch(dir.path()));
    let mut text = fs::read_to_string(&edges).unwrap();
    text.push_str("0,33,1\n");
    fs::write(&edges, text).unwrap();
    let o = branch(dir.path());
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("is not the file this scenario was made with"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn bad_network_files_get_located_errors_and_a_file_network_cannot_be_scaled() {
    let dir = karate();
    let o = mobilize(&["run", "karate.toml", "--scale", "2"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("a network read from a file cannot be scaled"),
        "{}",
        stderr(&o)
    );
    let edges = dir.path().join("karate-edges.csv");
    let good = fs::read_to_string(&edges).unwrap();
    fs::write(&edges, format!("{good}0,99,1\n5,5,1\n1,0,2\n2,3,-4\n")).unwrap();
    let o = mobilize(&["validate", "karate.toml"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    for want in [
        "karate-edges.csv, line 80, column `target`: unknown id `99`",
        "karate-edges.csv, line 81, column `target`: a tie from `5` to itself",
        "karate-edges.csv, line 83, column `weight`: weight -4 is not allowed",
        "karate-edges.csv, line 82: duplicate tie: the same two people as line 2",
        "network.edges",
    ] {
        assert!(err.contains(want), "{want}\n{err}");
    }
    // A region population that does not match the files is blamed on the region.
    fs::write(&edges, good).unwrap();
    let o = mobilize(
        &[
            "validate",
            "karate.toml",
            "--set",
            "regions[0].population=20",
        ],
        dir.path(),
    );
    assert!(
        stderr(&o).contains("20 people in the scenario, 17 in the files"),
        "{}",
        stderr(&o)
    );
}
