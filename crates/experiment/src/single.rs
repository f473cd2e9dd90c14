//! One run into one folder: the work of `mobilize run` and `mobilize resume`, shared by every
//! experiment so that a replicate and a single run with the same seed write the same bytes.
//!
//! A run may write checkpoints (`checkpoint-NNNNNN.bin`, the newest few kept), may be stopped
//! from outside (it then flushes what it computed, marks its manifest incomplete and stays in
//! its hidden `.partial` folder), and may start from a checkpoint: to finish an interrupted run
//! (resume) or to follow changed parameters from a saved state (branch).

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{Instant, SystemTime};

use mobilize_core::engine::{Checkpoint, RunControl, Sim};
use mobilize_core::observe::{Observer, Outcome, StopReason};
use mobilize_core::scenario::Scenario;
use mobilize_output::layout;
use mobilize_output::{
    checkpoint, ChartWriter, LatticeWriter, LogWriter, Manifest, OutputError, RunFolder,
    SeriesWriter, Status, Timings,
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

impl Provenance {
    /// This build: the crates' version and the commit it was built from (recorded by this
    /// crate's build script), the same for the CLI, the dashboard and the Python package.
    pub fn this_build() -> Provenance {
        Provenance {
            version: env!("CARGO_PKG_VERSION").to_string(),
            git_commit: env!("MOBILIZE_GIT_COMMIT").to_string(),
        }
    }
}

/// Where a run starts.
pub enum Start {
    /// From step 0.
    Fresh,
    /// From a checkpoint: its world, its state and what its observers saw.
    From {
        /// The checkpoint's world scenario.
        world: Box<Scenario>,
        /// The checkpoint.
        checkpoint: Box<Checkpoint>,
        /// `Resume` (same run, same folder) or `Branch` (new run, recorded as such).
        how: StartHow,
    },
}

/// Why a run starts from a checkpoint.
#[derive(Clone, Debug)]
pub enum StartHow {
    /// Finishing an interrupted run; its earlier manifest.
    Resume(Box<Manifest>),
    /// A new run following changed parameters from the checkpoint at this path.
    Branch(PathBuf),
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
    /// Write a checkpoint every this many steps (0: never).
    pub checkpoint_every: u32,
    /// Checkpoints kept (the newest); older ones are removed.
    pub keep_checkpoints: usize,
    /// Set from outside to stop at the end of the current step.
    pub stop: Option<&'a AtomicBool>,
    /// Fresh, resumed or branched.
    pub start: Start,
    /// Hand the lattice to the observers at every step (the dashboard draws it live).
    pub live_lattice: bool,
}

impl<'a> RunRequest<'a> {
    /// A fresh run without checkpoints (what experiments run).
    pub fn fresh(
        scenario: Scenario,
        source: String,
        overrides: Vec<String>,
        threads: usize,
        provenance: &'a Provenance,
    ) -> RunRequest<'a> {
        RunRequest {
            scenario,
            source,
            overrides,
            threads,
            provenance,
            report: false,
            checkpoint_every: 0,
            keep_checkpoints: 2,
            stop: None,
            start: Start::Fresh,
            live_lattice: false,
        }
    }
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

/// Exit code of an interrupted run (128 + SIGINT, as shells report it).
pub const INTERRUPTED_EXIT: i32 = 130;

/// The checkpoint files in `dir`, newest first.
pub fn checkpoints(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(layout::is_checkpoint)
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found.reverse();
    found
}

/// Runs `req` into `folder` (in the current rayon pool), with `extra` observers (a progress
/// bar) beside the writers, and commits the folder. On a failure or an interruption the folder
/// stays hidden (`.partial`) with a manifest that says why.
pub fn execute(
    req: RunRequest<'_>,
    folder: RunFolder,
    extra: &mut [&mut dyn Observer],
) -> Result<Finished, ExperimentError> {
    let t0 = Instant::now();
    let started = SystemTime::now();
    let dir = folder.path().to_path_buf();
    // The folder is locked while it is written, so that nothing resumes it beside this run
    // (a resume holds the lock it took already).
    let _lock = match &req.start {
        Start::From {
            how: StartHow::Resume(_),
            ..
        } => None,
        _ => Some(crate::resume::Lock::take(&dir)?),
    };
    let resolved = req.scenario.resolved_toml();
    let scenario_path = dir.join(layout::SCENARIO);
    mobilize_output::write_atomic(&scenario_path, resolved.as_bytes())?;
    let previous = match &req.start {
        Start::From {
            how: StartHow::Resume(m),
            ..
        } => Some((**m).clone()),
        _ => None,
    };
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
        scale: Some(req.scenario.scale),
        ties: 0,
        started_at: previous.as_ref().map_or_else(
            || humantime::format_rfc3339_seconds(started).to_string(),
            |m| m.started_at.clone(),
        ),
        finished_at: None,
        status: Status::Incomplete,
        exit_code: None,
        error: None,
        stop_reason: None,
        last_step: None,
        figures: Default::default(),
        dates: Default::default(),
        warnings: req
            .scenario
            .warnings
            .iter()
            .cloned()
            .chain(req.scenario.model.warnings(&req.scenario))
            .collect(),
        summary: None,
        timings: Timings::default(),
        files: layout::ALWAYS.iter().map(|f| f.to_string()).collect(),
        checkpoint_every: (req.checkpoint_every > 0).then_some(req.checkpoint_every),
        resumed_after: previous
            .as_ref()
            .map(|m| m.resumed_after.clone())
            .unwrap_or_default(),
        branched_from: None,
        model: Some(req.scenario.model.meta(&req.scenario)),
        regions: mobilize_output::RegionInfo::of(&req.scenario),
        start_date: req.scenario.time.start.map(|d| d.to_string()),
        // A scenario given as text (a checkpoint's) has no map read: the run keeps the one
        // it had.
        map: req
            .scenario
            .map
            .as_deref()
            .cloned()
            .or_else(|| previous.as_ref().and_then(|m| m.map.clone())),
        description: req.scenario.description.clone(),
        timeline: mobilize_output::TimelineMark::of(&req.scenario),
    };
    manifest.write(&dir)?;

    // Stopped before the world is built (a signal while the folder was made): nothing to
    // compute or save. A signal during the build is honoured when it ends, at step 0.
    if req
        .stop
        .is_some_and(|s| s.load(std::sync::atomic::Ordering::SeqCst))
    {
        manifest.stop_reason = Some(StopReason::Interrupted.as_str().to_string());
        manifest.exit_code = Some(INTERRUPTED_EXIT);
        manifest.error = Some("interrupted before the world was built".into());
        manifest.write(&dir)?;
        return Err(ExperimentError::Interrupted {
            dir,
            step: 0,
            resumable: false,
        });
    }
    let persons = req.scenario.population();
    let time = req.scenario.time.clone();
    let t_setup = Instant::now();
    let mut sim = match req.start {
        Start::Fresh => Sim::new(req.scenario),
        Start::From {
            world,
            checkpoint,
            how,
        } => {
            let step = checkpoint.step;
            match how {
                StartHow::Resume(_) => manifest.resumed_after.push(step),
                StartHow::Branch(path) => {
                    manifest.branched_from = Some((path.display().to_string(), step))
                }
            }
            Sim::resume(&world, req.scenario, *checkpoint).map_err(|e| {
                ExperimentError::Checkpoint(format!("the checkpoint cannot be restored: {e}"))
            })?
        }
    };
    let setup_s = t_setup.elapsed().as_secs_f64();
    let ties = sim.world().network.ties();
    let mut series = SeriesWriter::new(&dir);
    let mut events = LogWriter::new(&dir);
    let mut chart = ChartWriter::new(&dir);
    let mut lattice = LatticeWriter::new(&dir);
    let t_run = Instant::now();
    let name = manifest.scenario.clone();
    let mut checkpoint_error: Option<OutputError> = None;
    let mut write_checkpoint = |c: &Checkpoint| {
        if checkpoint_error.is_some() {
            return;
        }
        let r = checkpoint::write(
            &dir,
            c,
            &name,
            &req.provenance.version,
            &req.provenance.git_commit,
            &layout::checkpoint(c.step),
        )
        .and_then(|()| {
            for old in checkpoints(&dir)
                .into_iter()
                .skip(req.keep_checkpoints.max(1))
            {
                std::fs::remove_file(&old).map_err(|e| OutputError::Io {
                    action: "cannot remove old checkpoint",
                    path: old.clone(),
                    source: e,
                })?;
            }
            Ok(())
        });
        if let Err(e) = r {
            checkpoint_error = Some(e);
        }
    };
    let outcome = {
        let mut observers: Vec<&mut dyn Observer> =
            vec![&mut series, &mut events, &mut chart, &mut lattice];
        for o in extra.iter_mut() {
            observers.push(&mut **o);
        }
        let control = RunControl {
            checkpoint_every: req.checkpoint_every,
            on_checkpoint: (req.checkpoint_every > 0).then_some(&mut write_checkpoint as _),
            stop: req.stop,
            live_lattice: req.live_lattice,
            keep_history: false,
        };
        sim.run_with(&mut observers, control)
    };
    let run_s = t_run.elapsed().as_secs_f64();
    let closed = series.close().and(events.close());
    let fail = |manifest: &mut Manifest, e: &dyn std::fmt::Display| {
        manifest.status = Status::Failed;
        manifest.exit_code = Some(1);
        manifest.error = Some(e.to_string());
        // Best effort: the folder stays hidden (`.partial`) and says why.
        let _ = manifest.write(&dir);
    };
    let outcome = match outcome {
        Ok(o) => o,
        Err(e) => {
            // An observer failed (a file that cannot be written): the run stopped there.
            fail(&mut manifest, &e);
            return Err(match e.downcast::<OutputError>() {
                Ok(e) => ExperimentError::Output(e),
                Err(e) => ExperimentError::Observer(e),
            });
        }
    };

    manifest.ties = ties;
    manifest.finished_at = Some(humantime::format_rfc3339_seconds(SystemTime::now()).to_string());
    manifest.stop_reason = Some(outcome.reason.as_str().to_string());
    manifest.last_step = Some(outcome.last_step);
    manifest.figures = outcome.figures.iter().cloned().collect();
    // On a dated scenario, every figure that is a step is also given as a date.
    manifest.dates = outcome
        .figures
        .iter()
        .map(|(k, v)| (k.as_str(), *v))
        .chain([("last_step", f64::from(outcome.last_step))])
        .filter(|(k, v)| k.ends_with("_step") && *v >= 0.0 && v.fract() == 0.0)
        .filter_map(|(k, v)| Some((k.to_string(), time.date_of(v as u32)?.to_string())))
        .collect();
    manifest.summary = Some(outcome.sentence.clone());
    manifest.timings = Timings {
        setup_s,
        run_s,
        total_s: t0.elapsed().as_secs_f64(),
    };
    if let Err(e) = closed.and_then(|()| checkpoint_error.map_or(Ok(()), Err)) {
        fail(&mut manifest, &e);
        return Err(e.into());
    }
    let pictures = lattice.into_files();
    if !pictures.is_empty() {
        manifest.files.extend(pictures);
        manifest.files.push(layout::LATTICE_LEGEND.into());
    }
    let saved: Vec<String> = checkpoints(&dir)
        .iter()
        .rev()
        .filter_map(|p| p.file_name()?.to_str().map(str::to_string))
        .collect();
    manifest.files.extend(saved.iter().cloned());
    if outcome.reason == StopReason::Interrupted {
        let resumable = !saved.is_empty();
        manifest.exit_code = Some(INTERRUPTED_EXIT);
        manifest.error = Some(format!(
            "interrupted after step {}{}",
            outcome.last_step,
            if resumable {
                format!("; `mobilize resume {}` continues it", dir.display())
            } else {
                " (no checkpoint: run with --checkpoint-every N to make runs resumable)".into()
            }
        ));
        manifest.write(&dir)?;
        return Err(ExperimentError::Interrupted {
            dir,
            step: outcome.last_step,
            resumable,
        });
    }
    manifest.status = Status::Complete;
    manifest.exit_code = Some(0);
    if req.report {
        manifest.files.push(layout::REPORT.into());
        manifest.files.push(format!("{}/", layout::CHARTS));
    }
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
