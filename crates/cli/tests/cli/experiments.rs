//! Ensembles, sweeps, comparisons and reports through the command line.

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::*;

/// A small scenario runs in well under a second even unoptimized.
const SMALL: [&str; 2] = ["--set", "scale=0.25"];

#[test]
fn ensemble_of_n_has_n_rows_and_replicate_k_is_the_single_run_with_its_seed() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["ensemble", "two-valleys", "-n", "5", "-q", "--seed", "11"];
    args.extend(SMALL);
    let out = results(&ok(&mobilize(&args, dir.path())), dir.path());
    let summary = csv_rows(&out.join("summary.csv"));
    assert_eq!(summary.len(), 1 + 5, "header + one row per replicate");
    assert_eq!(csv_rows(&out.join("design.csv")).len(), 1 + 5);
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("experiment.json")).unwrap()).unwrap();
    assert_eq!(manifest["status"], "complete");
    let seeds: Vec<u64> = manifest["seeds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_u64().unwrap())
        .collect();
    assert_eq!(seeds.len(), 5);
    // Replicate 3, run on its own with its seed.
    let k = 3;
    assert_eq!(summary[k + 1][3], seeds[k].to_string());
    let seed = seeds[k].to_string();
    let mut single = vec![
        "run",
        "two-valleys",
        "-q",
        "--seed",
        &seed,
        "--out",
        "single",
    ];
    single.extend(SMALL);
    let one = results(&ok(&mobilize(&single, dir.path())), dir.path());
    let replicate = out.join("runs").join(format!("{k:06}"));
    for f in [
        "scenario.toml",
        "series.csv",
        "series.parquet",
        "events.csv",
        "events.parquet",
        "series.svg",
    ] {
        assert!(
            fs::read(replicate.join(f)).unwrap() == fs::read(one.join(f)).unwrap(),
            "{f} differs between replicate {k} and the single run with seed {seed}"
        );
    }
    // Bands: every series × every step, quantiles ordered.
    let bands = csv_rows(&out.join("bands.csv"));
    assert_eq!(bands[0][..4], ["series", "step", "date", "p05"]);
    for row in &bands[1..] {
        let q: Vec<f64> = row[3..6].iter().map(|v| v.parse().unwrap()).collect();
        assert!(q[0] <= q[1] && q[1] <= q[2], "{row:?}");
    }
}

#[test]
fn a_killed_sweep_resumes_to_the_same_tables() {
    let dir = tempfile::tempdir().unwrap();
    let args = |out: &'static str| {
        let mut a = vec![
            "sweep",
            "two-valleys",
            "--grid",
            "resistance.outreach.member_contacts=1,3",
            "-n",
            "12",
            "-q",
            "--threads",
            "1",
            "--out",
            out,
        ];
        a.extend(SMALL);
        a
    };
    let whole = results(&ok(&mobilize(&args("whole"), dir.path())), dir.path());

    // Start the same sweep elsewhere and kill it once a few runs are finished.
    let mut child = Command::new(env!("CARGO_BIN_EXE_mobilize"))
        .args(args("killed"))
        .current_dir(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let runs = dir
        .path()
        .join("killed/two-valleys")
        .join(whole.file_name().unwrap())
        .join("runs");
    let started = Instant::now();
    let finished_runs = |runs: &Path| {
        fs::read_dir(runs).map_or(0, |d| {
            d.filter(|e| {
                let name = e.as_ref().unwrap().file_name();
                !name.to_string_lossy().starts_with('.')
            })
            .count()
        })
    };
    while finished_runs(&runs) < 3 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sweep ended before it was killed"
        );
        assert!(started.elapsed() < Duration::from_secs(120));
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    let done_before = finished_runs(&runs);
    assert!(done_before < 24, "killed before the end");
    let killed_dir = runs.parent().unwrap().to_path_buf();
    assert!(!killed_dir.join("summary.csv").exists());

    let stdout = ok(&mobilize(&args("killed"), dir.path()));
    assert!(
        stdout.contains(&format!("{} finished before and kept", done_before))
            || stdout.contains("finished before and kept"),
        "{stdout}"
    );
    let resumed = results(&stdout, dir.path());
    assert_eq!(resumed, killed_dir);
    for f in [
        "design.csv",
        "design.parquet",
        "summary.csv",
        "summary.parquet",
    ] {
        assert!(
            fs::read(whole.join(f)).unwrap() == fs::read(resumed.join(f)).unwrap(),
            "{f} differs after resuming"
        );
    }
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(resumed.join("experiment.json")).unwrap())
            .unwrap();
    assert_eq!(manifest["attempts"], 2);
    assert!(manifest["resumed_runs"].as_u64().unwrap() >= 3);
    // No unfinished run folder is left behind.
    assert!(fs::read_dir(&runs).unwrap().all(|e| !e
        .unwrap()
        .file_name()
        .to_string_lossy()
        .ends_with(".partial")));
}

#[test]
fn compare_with_identical_arms_reports_exactly_zero() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["compare", "two-valleys", "-n", "4", "-q"];
    args.extend(SMALL);
    args.extend(["--vs", "--set", "scale=0.25"]);
    let out = results(&ok(&mobilize(&args, dir.path())), dir.path());
    let rows = csv_rows(&out.join("comparison.csv"));
    let col = |name: &str| rows[0].iter().position(|c| c == name).unwrap();
    assert!(rows.len() > 5);
    for r in &rows[1..] {
        assert_eq!(r[col("difference")], "0", "{r:?}");
        assert_eq!(r[col("ci_low")], "0", "{r:?}");
        assert_eq!(r[col("ci_high")], "0", "{r:?}");
    }
}

#[test]
fn compare_finds_the_organizations_raise_the_rising() {
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "compare",
        "two-valleys",
        "-n",
        "6",
        "-q",
        "--vs",
        "--set",
        "resistance.organizations=false",
    ];
    let stdout = ok(&mobilize(&args, dir.path()));
    let out = results(&stdout, dir.path());
    let rows = csv_rows(&out.join("comparison.csv"));
    let col = |name: &str| rows[0].iter().position(|c| c == name).unwrap();
    let peak = rows.iter().find(|r| r[0] == "peak_risen").unwrap();
    // Without organizations fewer rise, in every pair: the interval excludes 0.
    let high: f64 = peak[col("ci_high")].parse().unwrap();
    assert!(high < 0.0, "{peak:?}");
    assert!(stdout.contains("paired differences"));
    // A key outcome no run reached is said, with its interval, not left out.
    assert!(
        stdout.contains("The ruling system collapsed in 0 of 6 runs of arm a (the scenario as it is) (95 % interval 0 to 39 %)"),
        "{stdout}"
    );
    // The report opens with the outcome counted by arm, before the experiment's details.
    let report = fs::read_to_string(out.join("report.html")).unwrap();
    let lead = report.find("<p class=\"lead\">Runs ended by: time limit 6 of arm a (the scenario as it is); time limit 6 of arm b (resistance.organizations=false).</p>");
    let details = report.find("Experiment details");
    assert!(lead.is_some() && lead < details, "{lead:?} {details:?}");
    // Every series of a group is charted for both arms, as an ensemble's report would (only
    // the first three were, and `risen` was missing from "People by state").
    // Every state but `unreached` (charted on its own), as the model names them.
    for &state in &mobilize_core::model::resistance::STATES[1..] {
        let drawn = report
            .matches(&format!("class=\"series\" data-name=\"{state}\""))
            .count();
        assert!(drawn >= 2, "{state} is drawn for both arms ({drawn})");
    }
}

/// Checks that `report.html` is well-formed (parses as XML: every element closed, attributes
/// quoted, text escaped), refers to nothing outside itself, and returns its text.
fn check_report(dir: &Path) -> String {
    let html = fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    let mut reader = quick_xml::Reader::from_str(&html);
    let mut depth = 0i64;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(_)) => depth += 1,
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!(
                "report.html is not well-formed at byte {}: {e}",
                reader.buffer_position()
            ),
        }
    }
    assert_eq!(depth, 0);
    for bad in [
        "<link",
        "src=\"http",
        "href=\"http",
        "@import",
        "url(",
        "<iframe",
        "src=\"//",
    ] {
        assert!(!html.contains(bad), "report refers outside itself: {bad}");
    }
    // The only URL is the SVG namespace, which is a name, not a download.
    assert_eq!(
        html.matches("http").count(),
        html.matches("http://www.w3.org/2000/svg").count()
    );
    html
}

/// Points of the first `class="series"` path named `name`.
fn path_points(svg: &str, name: &str) -> usize {
    let start = svg
        .find(&format!("class=\"series\" data-name=\"{name}\""))
        .unwrap_or_else(|| panic!("no series {name}"));
    let d = svg[start..].split(" d=\"").nth(1).unwrap();
    d.split('"').next().unwrap().split(' ').count()
}

#[test]
fn reports_are_self_contained_and_their_charts_hold_the_data() {
    let dir = tempfile::tempdir().unwrap();
    // A run: the chart has one point per step.
    let run = results(
        &ok(&mobilize(&["run", "village-cascade", "-q"], dir.path())),
        dir.path(),
    );
    let html = check_report(&run);
    let steps = csv_rows(&run.join("series.csv")).len() - 1;
    assert_eq!(path_points(&html, "active"), steps);
    assert!(
        html.contains("input type=\"range\" data-map"),
        "a map with a slider"
    );
    let chart = fs::read_to_string(run.join("charts/headline.svg")).unwrap();
    assert_eq!(path_points(&chart, "active"), steps);
    // Rebuilding gives the same bytes.
    let before = fs::read(run.join("report.html")).unwrap();
    let again = ok(&mobilize(&["report", run.to_str().unwrap()], dir.path()));
    assert!(again.contains("report.html"));
    assert!(before == fs::read(run.join("report.html")).unwrap());

    // An ensemble: median lines with bands, one point per step.
    let mut args = vec!["ensemble", "two-valleys", "-n", "3", "-q"];
    args.extend(SMALL);
    let ens = results(&ok(&mobilize(&args, dir.path())), dir.path());
    let html = check_report(&ens);
    let bands = csv_rows(&ens.join("bands.csv"));
    let steps = bands.iter().filter(|r| r[0] == "organized").count();
    assert_eq!(path_points(&html, "organized"), steps);
    assert!(html.contains("class=\"band\""));

    // A sweep over two parameters: heat maps, one cell per point.
    let mut args = vec![
        "sweep",
        "two-valleys",
        "--grid",
        "resistance.outreach.member_contacts=1,2",
        "--grid",
        "resistance.repression.detection=0.002,0.004,0.008",
        "-n",
        "2",
        "-q",
    ];
    args.extend(SMALL);
    let sw = results(&ok(&mobilize(&args, dir.path())), dir.path());
    let html = check_report(&sw);
    let heat = fs::read_dir(sw.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("heat-")
        })
        .expect("a heat map");
    assert_eq!(
        fs::read_to_string(heat)
            .unwrap()
            .matches("class=\"cell\"")
            .count(),
        6
    );
    assert!(html.contains("class=\"cell\""));

    // Lattice pictures are embedded, not linked.
    let cv = results(
        &ok(&mobilize(
            &[
                "run",
                "epstein-run1",
                "-q",
                "--set",
                "time.steps=20",
                "--set",
                "civil_violence.snapshots=[0, 10]",
            ],
            dir.path(),
        )),
        dir.path(),
    );
    let html = check_report(&cv);
    assert!(html.contains("src=\"data:image/png;base64,"));
}

#[test]
fn bad_grids_and_design_files_are_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let o = mobilize(
        &[
            "sweep",
            "two-valleys",
            "--grid",
            "resistance.outreach.member_contacts",
        ],
        dir.path(),
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr)
        .contains("--grid resistance.outreach.member_contacts: no `=`"));

    fs::write(
        dir.path().join("d.csv"),
        "resistance.outreach.member_contacts,resistance.repression.detection\n1,0.002\n2\n",
    )
    .unwrap();
    let o = mobilize(&["sweep", "two-valleys", "--design", "d.csv"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("d.csv:3: row: 1 values for 2 columns"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );

    fs::write(
        dir.path().join("d.csv"),
        "resistance.outreach.member_contacts\n1\n-3\n",
    )
    .unwrap();
    let o = mobilize(&["sweep", "two-valleys", "--design", "d.csv"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("resistance.outreach.member_contacts") && err.contains("d.csv line 3"),
        "{err}"
    );
    assert!(!dir.path().join("runs").exists(), "nothing ran");

    let o = mobilize(&["compare", "two-valleys"], dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("needs `--vs`"));
}

#[test]
fn design_files_run_as_written() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("design.csv"),
        "resistance.outreach.member_contacts,resistance.organizations\n1.5,true\n2.5,false\n",
    )
    .unwrap();
    let mut args = vec![
        "sweep",
        "two-valleys",
        "--design",
        "design.csv",
        "-n",
        "2",
        "-q",
    ];
    args.extend(SMALL);
    let out = results(&ok(&mobilize(&args, dir.path())), dir.path());
    let design = csv_rows(&out.join("design.csv"));
    assert_eq!(
        design[0],
        [
            "run",
            "point",
            "replicate",
            "seed",
            "resistance.outreach.member_contacts",
            "resistance.organizations"
        ]
    );
    assert_eq!(design.len(), 1 + 4);
    assert_eq!(design[3][4], "2.5");
    assert_eq!(design[3][5], "false");
    check_report(&out);
}

#[test]
fn experiment_tables_do_not_depend_on_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let run = |threads: &'static str, out: &'static str| {
        let mut args = vec![
            "ensemble",
            "two-valleys",
            "-n",
            "4",
            "-q",
            "--threads",
            threads,
            "--out",
            out,
        ];
        args.extend(SMALL);
        results(&ok(&mobilize(&args, dir.path())), dir.path())
    };
    let (one, three) = (run("1", "one"), run("3", "three"));
    for f in [
        "design.csv",
        "design.parquet",
        "summary.csv",
        "summary.parquet",
        "bands.csv",
        "bands.parquet",
    ] {
        assert!(
            fs::read(one.join(f)).unwrap() == fs::read(three.join(f)).unwrap(),
            "{f} differs between 1 and 3 threads"
        );
    }
}

/// Arms that describe different worlds (here: another scale, so other people) cannot be paired
/// by replicate: the comparison says so and compares the arms' means with Welch's interval.
#[test]
fn compare_of_different_worlds_is_unpaired() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["compare", "two-valleys", "-n", "3", "-q"];
    args.extend(SMALL);
    args.extend(["--vs", "--set", "scale=0.2"]);
    let stdout = ok(&mobilize(&args, dir.path()));
    assert!(stdout.contains("cannot be paired"), "{stdout}");
    let out = results(&stdout, dir.path());
    let rows = csv_rows(&out.join("comparison.csv"));
    let col = |name: &str| rows[0].iter().position(|c| c == name).unwrap();
    for r in &rows[1..] {
        assert_eq!(r[col("design")], "unpaired", "{r:?}");
        assert_eq!(r[col("pairs")], "0", "{r:?}");
    }
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        report.contains("unpaired"),
        "the report says how it compared"
    );

    // The same arms with the same world are paired.
    let mut args = vec!["compare", "two-valleys", "-n", "3", "-q"];
    args.extend(SMALL);
    args.extend([
        "--vs",
        "--set",
        "resistance.organizations=false",
        "--set",
        "scale=0.25",
    ]);
    let stdout = ok(&mobilize(&args, dir.path()));
    assert!(stdout.contains("common random numbers"), "{stdout}");
}

/// The line `key: value` of a command's output.
fn line_of(stdout: &str, key: &str) -> String {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .unwrap_or_else(|| panic!("no `{key}` line in:\n{stdout}"))
        .trim()
        .to_string()
}

#[test]
fn shards_merged_give_the_tables_of_the_experiment_run_whole() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut base = vec!["ensemble", "two-valleys", "-n", "7", "-q", "--seed", "2"];
    base.extend(SMALL);
    let whole = results(
        &ok(&mobilize(&[&base[..], &["--out", "whole"]].concat(), d)),
        d,
    );
    let tables = [
        "design.csv",
        "design.parquet",
        "summary.csv",
        "summary.parquet",
        "bands.csv",
        "bands.parquet",
    ];
    let same = |a: &Path, b: &Path| {
        for t in tables {
            assert_eq!(
                fs::read(a.join(t)).unwrap(),
                fs::read(b.join(t)).unwrap(),
                "{t}"
            );
        }
    };
    // Three shards sharing a folder (one file system), one of them from a Slurm array.
    let mut folder = String::new();
    for (i, env) in [
        ("0/3", vec![]),
        (
            "slurm",
            vec![
                ("SLURM_ARRAY_TASK_ID", "2"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_COUNT", "3"),
            ],
        ),
        ("2/3", vec![]),
    ] {
        let args = [&base[..], &["--out", "shared", "--shard", i]].concat();
        let out = ok(&mobilize_env(&args, d, &env));
        folder = line_of(&out, "folder:");
    }
    let shared = d.join(&folder);
    assert!(
        !shared.join("summary.csv").exists(),
        "shards leave the tables to merge"
    );
    let merged = results(&ok(&mobilize(&["merge", &folder], d)), d);
    same(&merged, &whole);
    // Three shards on machines of their own, merged from their three folders.
    let mut folders = Vec::new();
    for i in 0..3 {
        let (shard, own) = (format!("{i}/3"), format!("own{i}"));
        let args = [&base[..], &["--out", &own, "--shard", &shard]].concat();
        folders.push(line_of(&ok(&mobilize(&args, d)), "folder:"));
    }
    // One shard missing: refused, naming a run it lacks, and nothing written.
    let o = mobilize(&["merge", &folders[0], &folders[1]], d);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("is missing run 2"), "{err}");
    assert!(!Path::new(&d.join(&folders[0])).join("summary.csv").exists());
    let all: Vec<&str> = ["merge"]
        .into_iter()
        .chain(folders.iter().map(String::as_str))
        .collect();
    let merged = results(&ok(&mobilize(&all, d)), d);
    same(&merged, &whole);
    // A shard that does not exist is refused before anything runs.
    let o = mobilize(&[&base[..], &["--shard", "3/3"]].concat(), d);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("shard 3 of 3 does not exist"));
}

/// The teaching scenario retold as a general strike that wins a concession: its report leads
/// with the rising (not the organizations, which a rising empties), and its decisive days run
/// from the rising to the concession, with control beside it; no word of an offensive.
#[test]
fn a_strike_runs_report_follows_its_rising_to_the_concession() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios/two-valleys.toml"),
    )
    .unwrap()
    .replace(
        "kind = \"final_offensive\"\nregions = [\"north\"]\nstrength = 30",
        "kind = \"strike\"\ndays = 60",
    );
    assert!(text.contains("kind = \"strike\""));
    fs::write(dir.path().join("strike.toml"), text).unwrap();
    let o = mobilize(
        &[
            "run",
            "strike.toml",
            "-q",
            "--set",
            "resistance.concession.resolve=0.08",
        ],
        dir.path(),
    );
    let run = results(&ok(&o), dir.path());
    let manifest: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(run.join("manifest.json")).unwrap()).unwrap();
    let conceded = manifest["figures"]["concession_step"].as_f64().unwrap();
    let html = check_report(&run);
    assert!(
        html.contains("out in the rising, in all and by region"),
        "the rising leads"
    );
    let lead = html
        .find("out in the rising, in all and by region")
        .unwrap();
    let organized = html.find("organized (members, cadres, fighters)").unwrap();
    assert!(lead < organized, "the rising before the organizations");
    assert!(html.contains("The decisive days"));
    assert!(run.join("charts/headline-decisive.svg").exists());
    assert!(run.join("charts/control-decisive.svg").exists());
    // The events of those days on their own axis: the concession among them, and none of
    // the organizations' founding years before.
    let events = fs::read_to_string(run.join("charts/timeline-decisive.svg")).unwrap();
    assert!(events.contains(">concession ("), "{events}");
    assert!(!events.contains(">programme ("), "{events}");
    assert!(
        events.matches("text-anchor=\"middle\"").count() >= 3,
        "the window's axis has ticks of its own: {events}"
    );
    // No word of an offensive, but in the small-scale warning's comparison with Korea.
    let told: String = html
        .split("<p class=\"warning\">")
        .map(|part| part.split_once("</p>").map_or(part, |(_, rest)| rest))
        .collect();
    assert!(!told.contains("offensive"), "no offensive in this run");
    // The decisive days end shortly after the concession and start before it.
    let days = mobilize_report::run::decisive_steps(&run).expect("decisive days");
    assert!(
        days.0 < conceded && conceded <= days.1 && days.1 - conceded <= 20.0,
        "{days:?} around {conceded}"
    );
}
