//! One run into one folder: the work of `mobilize run`, shared by every experiment so that a
//! replicate and a single run with the same seed write the same bytes.

use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use mobilize_core::engine::Sim;
use mobilize_core::observe::{Observer, Outcome};
use mobilize_core::scenario::Scenario;
use mobilize_output::{
    ChartWriter, LatticeWriter, LogWriter, Manifest, OutputError, RunFolder, SeriesWriter, Status,
    Timings,
};

use crate::ExperimentError;

/// Which build produced a result, recorded in every manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Provenance {
    /// Version of mobilize.
    pub version: String,
    /// Git commit of the build (`unknown` outside a checkout).
    pub git_commit: String,
}

/// What to run and how to record it.
pub struct RunRequest<'a> {
    /// The validated scenario (its seed included).
    pub scenario: Scenario,
    /// Where the scenario came from (a path or `<embedded:NAME>`).
    pub source: String,
    /// The overrides that made it, as typed (`seed=7`, `resistance.organizations=false`).
    pub overrides: Vec<String>,
    /// Threads of the pool the run is executed in (recorded; results do not depend on it).
    pub threads: usize,
    /// Build that runs it.
    pub provenance: &'a Provenance,
    /// Whether to write `report.html` into the folder.
    pub report: bool,
}

/// A finished run.
#[derive(Clone, Debug)]
pub struct Finished {
    /// The committed run folder.
    pub dir: PathBuf,
    /// How the model ended, with its figures.
    pub outcome: Outcome,
    /// Persons simulated.
    pub persons: u32,
    /// Undirected ties.
    pub ties: u64,
    /// Seconds spent building the world.
    pub setup_s: f64,
    /// Seconds spent in the step loop (observers included).
    pub run_s: f64,
}

/// Files every run folder holds besides `manifest.json`.
const FILES: [&str; 6] = [
    "scenario.toml",
    "series.csv",
    "series.parquet",
    "events.csv",
    "events.parquet",
    "series.svg",
];

/// Runs `req` into `folder` (in the current rayon pool), with `extra` observers (a progress
/// bar) beside the writers, and commits the folder. On a failure the folder stays hidden
/// (`.partial`) with a manifest that says why.
pub fn execute(
    req: RunRequest<'_>,
    folder: RunFolder,
    extra: &mut [&mut dyn Observer],
) -> Result<Finished, ExperimentError> {
    let t0 = Instant::now();
    let started = SystemTime::now();
    let dir = folder.path().to_path_buf();
    let resolved = req.scenario.resolved_toml();
    let scenario_path = dir.join("scenario.toml");
    std::fs::write(&scenario_path, &resolved).map_err(|e| OutputError::Io {
        action: "cannot write",
        path: scenario_path.clone(),
        source: e,
    })?;
    let mut manifest = Manifest {
        mobilize_version: req.provenance.version.clone(),
        git_commit: req.provenance.git_commit.clone(),
        scenario: req.scenario.name.clone(),
        scenario_source: req.source.clone(),
        scenario_sha256: Manifest::sha256(&resolved),
        overrides: req.overrides.clone(),
        seed: req.scenario.seed,
        threads: req.threads,
        persons: u64::from(req.scenario.population()),
        ties: 0,
        started_at: humantime::format_rfc3339_seconds(started).to_string(),
        finished_at: None,
        status: Status::Incomplete,
        exit_code: None,
        error: None,
        stop_reason: None,
        last_step: None,
        figures: Default::default(),
        summary: None,
        timings: Timings::default(),
        files: FILES.iter().map(|f| f.to_string()).collect(),
    };
    manifest.write(&dir)?;

    let persons = req.scenario.population();
    let t_setup = Instant::now();
    let mut sim = Sim::new(req.scenario);
    let setup_s = t_setup.elapsed().as_secs_f64();
    let ties = sim.world().network.ties();
    let mut series = SeriesWriter::new(&dir);
    let mut events = LogWriter::new(&dir);
    let mut chart = ChartWriter::new(&dir);
    let mut lattice = LatticeWriter::new(&dir);
    let t_run = Instant::now();
    let outcome = {
        let mut observers: Vec<&mut dyn Observer> =
            vec![&mut series, &mut events, &mut chart, &mut lattice];
        for o in extra.iter_mut() {
            observers.push(&mut **o);
        }
        sim.run(&mut observers)
    };
    let run_s = t_run.elapsed().as_secs_f64();
    let closed = series
        .close()
        .and(events.close())
        .and(chart.close())
        .and(lattice.close());

    manifest.ties = ties;
    manifest.finished_at = Some(humantime::format_rfc3339_seconds(SystemTime::now()).to_string());
    manifest.stop_reason = Some(outcome.reason.as_str().to_string());
    manifest.last_step = Some(outcome.last_step);
    manifest.figures = outcome.figures.iter().cloned().collect();
    manifest.summary = Some(outcome.sentence.clone());
    let fail = |manifest: &mut Manifest, e: &dyn std::fmt::Display| {
        manifest.status = Status::Failed;
        manifest.exit_code = Some(1);
        manifest.error = Some(e.to_string());
        // Best effort: the folder stays hidden (`.partial`) and says why.
        let _ = manifest.write(&dir);
    };
    match closed {
        Ok(pictures) => {
            if !pictures.is_empty() {
                manifest.files.extend(pictures);
                manifest.files.push("lattice-legend.txt".into());
            }
        }
        Err(e) => {
            fail(&mut manifest, &e);
            return Err(e.into());
        }
    }
    manifest.status = Status::Complete;
    manifest.exit_code = Some(0);
    if req.report {
        manifest.files.push("report.html".into());
        manifest.files.push("charts/".into());
    }
    manifest.timings = Timings {
        setup_s,
        run_s,
        total_s: t0.elapsed().as_secs_f64(),
    };
    manifest.write(&dir)?;
    if req.report {
        if let Err(e) = mobilize_report::build(&dir) {
            fail(&mut manifest, &e);
            return Err(e.into());
        }
    }
    let dir = folder.commit()?;
    Ok(Finished {
        dir,
        outcome,
        persons,
        ties,
        setup_s,
        run_s,
    })
}
