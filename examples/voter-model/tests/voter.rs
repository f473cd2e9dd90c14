//! The voter model runs through mobilize's engine as a built-in model does: its section and
//! events are validated with located problems, its rules act, and its run folder has a report.

use mobilize_core::engine::Sim;
use mobilize_core::model::Models;
use mobilize_core::observe::Recorder;
use mobilize_core::scenario::{Override, Scenario, ScenarioError, Source};
use voter_model::VOTER;

const TWO_TOWNS: &str = include_str!("../scenarios/two-towns.toml");

fn load(text: &str, sets: &[&str]) -> Result<Scenario, ScenarioError> {
    let o: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    Scenario::load_with(&Source::text("t.toml", text), &o, &Models::with(&VOTER))
}

fn run(text: &str, sets: &[&str]) -> Recorder {
    let mut rec = Recorder::default();
    Sim::new(load(text, sets).unwrap())
        .run(&mut [&mut rec])
        .unwrap();
    rec
}

#[test]
fn the_section_is_checked_with_located_problems() {
    let e = load(TWO_TOWNS, &["voter.noise=2"]).unwrap_err();
    assert_eq!(e.problems.len(), 1, "{e}");
    assert_eq!(e.problems[0].path, "voter.noise");
    assert!(e.problems[0].message.contains("out of range"), "{e}");

    let text = TWO_TOWNS.replace("noise = 0.0", "nosie = 0.0");
    let e = load(&text, &[]).unwrap_err();
    assert!(e.to_string().contains("nosie"), "{e}");

    let text = TWO_TOWNS
        .replace("kind = \"erdos_renyi\"", "kind = \"none\"")
        .replace("mean_degree = 6.0\n", "");
    let e = load(&text, &[]).unwrap_err();
    assert!(e.problems.iter().any(|p| p.path == "network.kind"), "{e}");

    // A built-in model's event is refused, naming the voter model's own.
    let text = TWO_TOWNS.replace("kind = \"convert\"", "kind = \"surrender\"");
    let e = load(&text, &[]).unwrap_err();
    assert!(
        e.to_string().contains("not part of the `voter` model"),
        "{e}"
    );
    assert!(e.to_string().contains("allowed: convert"), "{e}");

    // Without the model registered, `voter` is an unknown model.
    let e = Scenario::load(&Source::text("t.toml", TWO_TOWNS), &[]).unwrap_err();
    assert!(e.problems.iter().any(|p| p.path == "model"), "{e}");
}

#[test]
fn the_resolved_scenario_carries_the_section_with_its_defaults() {
    let text = TWO_TOWNS.replace("noise = 0.0\n", "");
    let s = load(&text, &[]).unwrap();
    let resolved = s.resolved_toml();
    assert!(resolved.contains("[voter]"), "{resolved}");
    assert!(resolved.contains("noise = 0.0"), "{resolved}");
    // The resolved scenario loads again to the same thing.
    let again = load(&resolved, &[]).unwrap();
    assert_eq!(again.resolved_toml(), resolved);
}

#[test]
fn copying_ties_without_noise_reaches_consensus_and_conversion_acts() {
    // Without noise a finite connected population reaches consensus, in a time of the order
    // of its size: 100 people copying a tie every step.
    let rec = run(
        TWO_TOWNS,
        &["scale=0.025", "voter.rate=1", "time.steps=20000"],
    );
    let outcome = rec.outcome.clone().unwrap();
    let share = rec.column("share_1").unwrap();
    let last = *share.last().unwrap();
    assert!(last == 0.0 || last == 1.0, "no consensus: {last}");
    assert!(outcome.figures.iter().any(|(k, _)| k == "consensus_step"));

    // The campaign converts a tenth of the river town's 0-holders on day 20 (about 0.1 × 0.7
    // × 2000 = 140 persons, sd about 11), before that day's copying.
    let rec = run(TWO_TOWNS, &[]);
    let converted = rec.log.iter().find(|e| e.kind == "convert").unwrap().count;
    assert!((100..=180).contains(&converted), "{converted} converted");
    let with = rec.column("opinion_1.river").unwrap();
    let text = TWO_TOWNS.replace("share = 0.1", "share = 0.0");
    let without = run(&text, &[]).column("opinion_1.river").unwrap();
    assert_eq!(
        with[..20],
        without[..20],
        "nothing differs before the event"
    );
    assert!(with[20] > without[20], "{} vs {}", with[20], without[20]);
}

#[test]
fn region_counts_add_up_and_runs_repeat_bit_for_bit() {
    let rec = run(TWO_TOWNS, &[]);
    let (all, hill, river) = (
        rec.column("opinion_1").unwrap(),
        rec.column("opinion_1.hill").unwrap(),
        rec.column("opinion_1.river").unwrap(),
    );
    for k in 0..all.len() {
        assert_eq!(all[k], hill[k] + river[k], "step {k}");
    }
    assert_eq!(run(TWO_TOWNS, &[]).rows, rec.rows);
}

#[test]
fn the_binary_writes_a_run_folder_with_a_report_and_a_map() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_voter-model"))
        .args(["--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let runs: Vec<_> = std::fs::read_dir(dir.path().join("two-towns"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| !p.file_name().unwrap().to_str().unwrap().starts_with('.'))
        .collect();
    assert_eq!(runs.len(), 1);
    let run = &runs[0];
    let manifest = mobilize_output::Manifest::read(run).unwrap();
    assert_eq!(manifest.model.as_ref().unwrap().model, "voter");
    assert_eq!(manifest.status, mobilize_output::Status::Complete);
    let report = std::fs::read_to_string(run.join("report.html")).unwrap();
    assert!(
        report.contains("Share holding opinion 1"),
        "chart group missing"
    );
    assert!(report.contains("map-opinion_1"), "map missing");

    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_voter-model"))
        .args(["--set", "voter.rate=7", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("voter.rate"));
}

/// Stops a run after step `0` by answering `Break`, as a signal would.
struct BreakAt(u32);

impl mobilize_core::observe::Observer for BreakAt {
    fn step(
        &mut self,
        record: &mobilize_core::observe::StepRecord<'_>,
    ) -> mobilize_core::observe::Flow {
        if record.step >= self.0 {
            Ok(std::ops::ControlFlow::Break(()))
        } else {
            mobilize_core::observe::GO_ON
        }
    }
}

#[test]
fn the_model_is_swept_resumed_and_reported_as_a_built_in_one_is() {
    use mobilize_experiment::design::Design;
    use mobilize_experiment::{execute_run, resume, Experiment, ExperimentError, Options};
    use mobilize_experiment::{Provenance, RunRequest};
    let dir = tempfile::tempdir().unwrap();
    let models = Models::with(&VOTER);
    let provenance = Provenance::this_build();
    let description = "Voter model: two towns, 4,000 people";

    // A sweep: two points, two replicates each, summarized and reported.
    let design = Design {
        keys: vec!["voter.rate".into()],
        rows: vec![vec!["0.2".into()], vec!["0.8".into()]],
        lines: vec![0, 0],
        file: None,
    };
    let source = Source::text("<embedded:two-towns>", TWO_TOWNS);
    let exp = Experiment::sweep(source, vec!["scale=0.1".into()], &design, 2, 5)
        .with_models(models.clone());
    let opts = Options {
        out: dir.path().join("sweeps"),
        threads: 1,
        provenance: provenance.clone(),
        command: vec![],
        progress: None,
        stop: None,
    };
    let done = mobilize_experiment::run(&exp, &opts).unwrap();
    assert_eq!((done.total, done.skipped), (4, 0));
    let summary = std::fs::read_to_string(done.dir.join("summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 5, "{summary}");
    let report = std::fs::read_to_string(done.dir.join("report.html")).unwrap();
    assert!(
        report.contains(description),
        "the sweep's report describes it"
    );
    // The same experiment is not understood without its model.
    let plain = Experiment::sweep(
        Source::text("<embedded:two-towns>", TWO_TOWNS),
        vec!["scale=0.1".into()],
        &design,
        2,
        5,
    );
    assert!(plain.validate().is_err());

    // A run stopped at step 50 by an observer, with checkpoints, then resumed.
    let scenario = load(TWO_TOWNS, &["scale=0.1"]).unwrap();
    let run_in = |name: &str| {
        mobilize_output::RunFolder::create(
            &dir.path().join(name),
            &scenario.name,
            &scenario.resolved_toml(),
            std::time::SystemTime::now(),
        )
        .unwrap()
    };
    let fresh =
        |s: &Scenario| RunRequest::fresh(s.clone(), "t.toml".into(), vec![], 1, &provenance);
    let whole = execute_run(fresh(&scenario), run_in("whole"), &mut []).unwrap();
    let mut req = fresh(&scenario);
    req.checkpoint_every = 20;
    req.report = true;
    let err = execute_run(req, run_in("stopped"), &mut [&mut BreakAt(50)]).unwrap_err();
    let ExperimentError::Interrupted {
        dir: partial,
        step: 50,
        resumable: true,
    } = err
    else {
        panic!("not interrupted at step 50: {err}");
    };
    let refused = resume::open(&partial, &provenance, &Models::default()).unwrap_err();
    assert!(refused.to_string().contains("voter"), "{refused}");
    let resumable = resume::open(&partial, &provenance, &models).unwrap();
    let (req, folder, _lock) = resumable.into_request(1, &provenance, None).unwrap();
    let finished = execute_run(req, folder, &mut []).unwrap();
    let series = |d: &std::path::Path| std::fs::read(d.join("series.csv")).unwrap();
    assert_eq!(
        series(&finished.dir),
        series(&whole.dir),
        "resumed = never stopped"
    );
    // Its report: the description and the timeline's marks, from the manifest.
    let report = std::fs::read_to_string(finished.dir.join("report.html")).unwrap();
    assert!(
        report.contains(description),
        "the run's report describes it"
    );
    assert!(
        report.contains("1946-03-21: convert"),
        "the event is marked"
    );
}
