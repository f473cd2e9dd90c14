//! Running an experiment: every pending run in parallel, each streamed into its own folder as
//! it finishes, then the tables and the report. Repeating the command resumes a killed
//! experiment: finished runs are kept, unfinished ones redone, and the tables come out the
//! same as if it had never stopped.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Instant, SystemTime};

use mobilize_output::{Manifest, OutputError, RunFolder, Status};
use rayon::prelude::*;

use crate::plan::{Experiment, RunSpec};
use crate::single::{execute as execute_run, Provenance, RunRequest};
use crate::{tables, ExperimentError};

pub use crate::rows::{run_dir, run_name, RUNS};

/// How to run an experiment (nothing here changes its results).
pub struct Options<'a> {
    /// Folder under which experiment folders are created (`runs` by default).
    pub out: PathBuf,
    /// Runs executed at once (and threads each may use).
    pub threads: usize,
    /// The build.
    pub provenance: Provenance,
    /// The command line, recorded in the manifest.
    pub command: Vec<String>,
    /// Called after each finished run with (finished so far, total).
    pub progress: Option<&'a (dyn Fn(usize, usize) + Sync)>,
    /// Set from outside (Ctrl-C) to stop: runs in progress stop, the experiment ends
    /// incomplete, and the same command resumes it.
    pub stop: Option<&'a std::sync::atomic::AtomicBool>,
}

pub use mobilize_output::experiment::ExperimentManifest;

/// What an experiment run did.
#[derive(Clone, Debug)]
pub struct Done {
    /// The experiment folder.
    pub dir: PathBuf,
    /// Runs in all.
    pub total: usize,
    /// Runs found already finished (resumed).
    pub skipped: usize,
    /// Seconds this attempt took.
    pub seconds: f64,
    /// The manifest as written.
    pub manifest: ExperimentManifest,
}

/// The folder of `exp` under `out`: `<out>/<scenario>/<kind>-<identity, 8 digits>`.
pub fn folder_of(exp: &Experiment, scenario: &str, out: &Path) -> PathBuf {
    out.join(scenario)
        .join(format!("{}-{}", exp.kind.as_str(), &exp.identity()[..8]))
}

/// An experiment ready to run: its folder made and checked, its manifest written as
/// incomplete, and the runs still to do. [`run`] executes them on rayon threads; another
/// executor (a Python process pool, a cluster) can run each pending one with [`run_one`],
/// in any order and anywhere the folder is reachable, then call [`finish`].
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The experiment folder.
    pub dir: PathBuf,
    /// Every run.
    pub specs: Vec<RunSpec>,
    /// The runs not finished yet (run ids).
    pub pending: Vec<usize>,
    /// The manifest as written (incomplete).
    pub manifest: ExperimentManifest,
    /// When this attempt started.
    started: Instant,
}

/// Makes (or reopens) the folder of `exp` under `out` and finds the runs still to do.
pub fn prepare(
    exp: &Experiment,
    out: &Path,
    provenance: &Provenance,
    command: Vec<String>,
) -> Result<Prepared, ExperimentError> {
    let t0 = Instant::now();
    let scenarios = exp.validate()?;
    let scenario = scenarios[0].name.clone();
    let dir = folder_of(exp, &scenario, out);
    std::fs::create_dir_all(dir.join(RUNS)).map_err(|e| OutputError::Io {
        action: "cannot create folder",
        path: dir.join(RUNS),
        source: e,
    })?;
    let identity = exp.identity();
    let previous = read_manifest(&dir)?;
    if let Some(prev) = &previous {
        if prev.identity != identity {
            return Err(ExperimentError::Resume {
                dir,
                reason: "it holds a different experiment (its identity differs)".into(),
            });
        }
        if prev.git_commit != provenance.git_commit || prev.mobilize_version != provenance.version {
            return Err(ExperimentError::Resume {
                dir,
                reason: format!(
                    "it was started by mobilize {} ({}), this is {} ({}); results of two builds are not mixed: remove the folder or use another --out",
                    prev.mobilize_version,
                    prev.git_commit,
                    provenance.version,
                    provenance.git_commit
                ),
            });
        }
    }
    let specs: Vec<RunSpec> = exp.runs().collect();
    let finished: Vec<bool> = specs
        .par_iter()
        .map(|s| is_finished(&run_dir(&dir, s.id)))
        .collect();
    let pending: Vec<usize> = specs
        .iter()
        .zip(&finished)
        .filter(|(_, &f)| !f)
        .map(|(s, _)| s.id)
        .collect();
    let skipped = specs.len() - pending.len();
    let manifest = ExperimentManifest {
        kind: exp.kind,
        identity,
        mobilize_version: provenance.version.clone(),
        git_commit: provenance.git_commit.clone(),
        command,
        scenario,
        sources: exp.sources.iter().map(|s| s.name.clone()).collect(),
        base_seed: exp.base_seed,
        replicates: exp.replicates,
        varied: exp.varied.clone(),
        points: exp.points.clone(),
        runs: specs.len(),
        seeds: specs
            .iter()
            .take(exp.replicates as usize)
            .map(|s| s.seed)
            .collect(),
        status: Status::Incomplete,
        started_at: previous.as_ref().map_or_else(now, |p| p.started_at.clone()),
        finished_at: None,
        attempts: previous.as_ref().map_or(1, |p| p.attempts + 1),
        resumed_runs: skipped,
        last_attempt_s: 0.0,
        files: vec![],
    };
    write_manifest(&dir, &manifest)?;
    Ok(Prepared {
        dir,
        specs,
        pending,
        manifest,
        started: t0,
    })
}

fn now() -> String {
    humantime::format_rfc3339_seconds(SystemTime::now()).to_string()
}

/// Executes run `id` of `exp` into its folder under `dir` (in the current rayon pool, with
/// `threads` recorded). A run already finished is left as it is, so a task given twice (a
/// retried worker) does no harm.
pub fn run_one(
    exp: &Experiment,
    dir: &Path,
    id: usize,
    threads: usize,
    provenance: &Provenance,
    stop: Option<&std::sync::atomic::AtomicBool>,
) -> Result<(), ExperimentError> {
    let Some(spec) = exp.runs().nth(id) else {
        return Err(ExperimentError::Resume {
            dir: dir.to_path_buf(),
            reason: format!("it has no run {id} ({} runs)", exp.total_runs()),
        });
    };
    // Only into the folder `prepare` made for this experiment: a worker handed another path
    // (`/`) must not write runs there.
    match read_manifest(dir) {
        Ok(Some(m)) if m.identity == exp.identity() => {}
        _ => {
            return Err(ExperimentError::Resume {
                dir: dir.to_path_buf(),
                reason: "it is not this experiment's folder (prepare the experiment first; \
                         runs are written only where it was prepared)"
                    .into(),
            })
        }
    }
    if is_finished(&run_dir(dir, id)) {
        return Ok(());
    }
    let scenario = exp.load_run(&spec)?;
    let folder = RunFolder::create_named(&dir.join(RUNS), &run_name(spec.id))?;
    let mut req = RunRequest::fresh(
        scenario,
        exp.sources[exp.points[spec.point].source].name.clone(),
        exp.run_sets(&spec),
        threads.max(1),
        provenance,
    );
    req.stop = stop;
    match execute_run(req, folder, &mut []) {
        Err(ExperimentError::Interrupted { .. }) => {
            Err(ExperimentError::ExperimentInterrupted(dir.to_path_buf()))
        }
        r => r.map(|_| ()),
    }
}

/// Writes the tables and the report once every run is finished, and marks the experiment
/// complete. A run still missing is an error that names it (its experiment resumes).
pub fn finish(exp: &Experiment, prepared: Prepared) -> Result<Done, ExperimentError> {
    let Prepared {
        dir,
        specs,
        mut manifest,
        started,
        pending,
    } = prepared;
    if let Some(missing) = specs.iter().find(|s| !is_finished(&run_dir(&dir, s.id))) {
        return Err(ExperimentError::Missing {
            dir: dir.clone(),
            id: missing.id,
            run: run_dir(&dir, missing.id),
        });
    }
    let scenarios = exp.validate()?;
    manifest.files = tables::write_all(exp, &scenarios, &specs, &dir)?;
    manifest.files.push(mobilize_output::layout::REPORT.into());
    manifest.status = Status::Complete;
    manifest.finished_at = Some(now());
    manifest.last_attempt_s = started.elapsed().as_secs_f64();
    write_manifest(&dir, &manifest)?;
    mobilize_report::build(&dir)?;
    Ok(Done {
        dir,
        total: specs.len(),
        skipped: specs.len() - pending.len(),
        seconds: started.elapsed().as_secs_f64(),
        manifest,
    })
}

/// Runs (or resumes) `exp`.
pub fn run(exp: &Experiment, opts: &Options<'_>) -> Result<Done, ExperimentError> {
    let prepared = prepare(exp, &opts.out, &opts.provenance, opts.command.clone())?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.max(1))
        .build()
        .map_err(|e| OutputError::Io {
            action: "cannot start worker threads for",
            path: prepared.dir.clone(),
            source: std::io::Error::other(e),
        })?;
    let total = prepared.specs.len();
    let done = AtomicUsize::new(total - prepared.pending.len());
    if let Some(p) = opts.progress {
        p(done.load(Ordering::Relaxed), total);
    }
    let dir = prepared.dir.clone();
    pool.install(|| {
        prepared
            .pending
            .par_iter()
            .try_for_each(|&id| -> Result<(), ExperimentError> {
                run_one(exp, &dir, id, opts.threads, &opts.provenance, opts.stop)?;
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                if let Some(p) = opts.progress {
                    p(n, total);
                }
                Ok(())
            })
    })?;
    finish(exp, prepared)
}

/// A run counts as finished when its folder was committed with a complete manifest.
fn is_finished(dir: &Path) -> bool {
    Manifest::read(dir).is_ok_and(|m| m.status == Status::Complete)
}

/// Reads `dir/experiment.json`, if there is one.
pub fn read_manifest(dir: &Path) -> Result<Option<ExperimentManifest>, ExperimentError> {
    let path = dir.join(mobilize_output::layout::EXPERIMENT);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            ExperimentManifest::from_json(&text)
                .map(Some)
                .map_err(|e| ExperimentError::Resume {
                    dir: dir.to_path_buf(),
                    reason: format!(
                        "its experiment.json is unreadable ({e}); remove the folder to start again"
                    ),
                })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(OutputError::Io {
            action: "cannot read",
            path,
            source: e,
        }
        .into()),
    }
}

fn write_manifest(dir: &Path, m: &ExperimentManifest) -> Result<(), ExperimentError> {
    Ok(m.write(dir)?)
}
