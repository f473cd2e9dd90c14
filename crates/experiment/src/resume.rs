//! Finishing an interrupted run, from the command line (`mobilize resume`) or the dashboard:
//! its folder locked against a second resume, its newest good checkpoint found, and that
//! checkpoint checked to be the run's own (same seed, same scenario) before anything runs.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use mobilize_core::engine::Checkpoint;
use mobilize_core::model::Models;
use mobilize_core::scenario::{Scenario, Source};
use mobilize_output::{checkpoint, Manifest, RunFolder, Status};

use crate::single::checkpoints;
use crate::{ExperimentError, Provenance, RunRequest, Start, StartHow};

/// A lock on a run folder being written, by a run or a resume: a file beside it
/// (`.NAME.partial.lock`) holding the writing process's id, removed when the lock is dropped.
/// A lock whose process is gone (a crash, `kill -9`) is stale and taken over. Within one
/// process (the dashboard), a held lock is refused the same way. So a run in progress is never
/// resumed a second time beside itself.
#[derive(Debug)]
pub struct Lock(PathBuf);

fn lock_path(dir: &Path) -> PathBuf {
    let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("run");
    dir.with_file_name(format!("{name}.lock"))
}

/// The process writing the run folder `dir` (its hidden name), if one is alive: a run in
/// progress or a resume.
pub fn writer(dir: &Path) -> Option<String> {
    let holder = std::fs::read_to_string(lock_path(dir)).ok()?;
    let pid = holder.trim();
    let alive = !pid.is_empty()
        && pid.len() <= 10
        && pid.chars().all(|c| c.is_ascii_digit())
        && Path::new("/proc").join(pid).exists();
    alive.then(|| pid.to_string())
}

impl Lock {
    /// Takes the lock on `dir`, or says who holds it.
    pub fn take(dir: &Path) -> Result<Lock, ExperimentError> {
        let path = lock_path(dir);
        let refuse = |reason: String| ExperimentError::Checkpoint(reason);
        for _ in 0..2 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut f) => {
                    use std::io::Write;
                    let _ = write!(f, "{}", std::process::id());
                    return Ok(Lock(path));
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    if let Some(pid) = writer(dir) {
                        return Err(refuse(format!(
                            "`{}` is being written by process {pid} (a run or a resume in \
                             progress); wait for it to end (or remove `{}` if that process is \
                             not mobilize)",
                            dir.display(),
                            path.display()
                        )));
                    }
                    // Stale: its process is gone.
                    let _ = std::fs::remove_file(&path);
                }
                Err(e) => return Err(refuse(format!("cannot lock `{}`: {e}", dir.display()))),
            }
        }
        Err(refuse(format!("cannot lock `{}`", dir.display())))
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// The hidden folder of an unfinished run, given it or its final name.
pub fn partial_dir(dir: &Path) -> PathBuf {
    if dir.exists() {
        return dir.to_path_buf();
    }
    match (dir.parent(), dir.file_name().and_then(|n| n.to_str())) {
        (Some(parent), Some(name)) => parent.join(format!(".{name}.partial")),
        _ => dir.to_path_buf(),
    }
}

/// An interrupted run ready to be finished.
#[derive(Debug)]
pub struct Resumable {
    /// Its (hidden) folder.
    pub dir: PathBuf,
    /// What its manifest says.
    pub manifest: Manifest,
    /// The world the checkpoint's people were built from.
    pub world: Scenario,
    /// The scenario the run follows.
    pub scenario: Scenario,
    /// The checkpoint it continues from.
    pub checkpoint: Checkpoint,
    /// Damaged newer checkpoints passed over, one line each.
    pub warnings: Vec<String>,
    /// Held until the resumed run ends.
    pub lock: Lock,
}

fn scenario_of(text: &str, what: &str, models: &Models) -> Result<Scenario, ExperimentError> {
    Scenario::load_with(&Source::text(what, text), &[], models).map_err(|e| {
        ExperimentError::Checkpoint(format!("the checkpoint's {what} is not valid: {e}"))
    })
}

/// Opens the interrupted run in `dir` (its hidden folder or its final name): locks it, takes
/// the newest checkpoint that reads, and checks that it is the run's own. Its scenarios are
/// read by `models` (the built-in ones, and the run's own if it came from outside).
pub fn open(
    dir: &Path,
    provenance: &Provenance,
    models: &Models,
) -> Result<Resumable, ExperimentError> {
    let refuse = |reason: String| ExperimentError::Checkpoint(reason);
    let given = dir;
    let dir = partial_dir(dir);
    if !dir.is_dir() {
        return Err(refuse(format!("`{}` is not a run folder", given.display())));
    }
    let lock = Lock::take(&dir)?;
    let manifest = Manifest::read(&dir)
        .map_err(|e| refuse(format!("`{}` is not a run folder: {e}", given.display())))?;
    if manifest.status == Status::Complete {
        return Err(refuse(format!(
            "the run in `{}` is complete; nothing to resume",
            dir.display()
        )));
    }
    let found = checkpoints(&dir);
    if found.is_empty() {
        return Err(refuse(format!(
            "`{}` holds no checkpoint; the run cannot be resumed (run it again with \
             --checkpoint-every N)",
            dir.display()
        )));
    }
    // The newest good checkpoint; a damaged one is named and passed over.
    let mut warnings = Vec::new();
    let mut chosen = None;
    for path in &found {
        match checkpoint::read(path, &provenance.version, &provenance.git_commit) {
            Ok((_, c)) => {
                chosen = Some(c);
                break;
            }
            Err(e) if path != found.last().expect("not empty") => {
                warnings.push(format!("{e}; trying the previous checkpoint"));
            }
            Err(e) => return Err(refuse(e.to_string())),
        }
    }
    let checkpoint = chosen.expect("a good checkpoint or an error above");
    let world = scenario_of(&checkpoint.world_scenario, "world scenario", models)?;
    let scenario = scenario_of(&checkpoint.scenario, "scenario", models)?;
    // A checkpoint is a file anyone could have edited (and re-checksummed): it must be the
    // run's own, same seed and same scenario, or the finished manifest would state a seed or
    // scenario that did not produce its results.
    if scenario.seed != manifest.seed {
        return Err(refuse(format!(
            "the checkpoint's seed ({}) is not the run's ({}, in `{}`); refusing to resume",
            scenario.seed,
            manifest.seed,
            dir.join(mobilize_output::layout::MANIFEST).display()
        )));
    }
    let hash = Manifest::sha256(&scenario.resolved_toml());
    if hash != manifest.scenario_sha256 {
        return Err(refuse(format!(
            "the checkpoint's scenario is not the run's (its SHA-256 is {hash}, the run's {}); \
             refusing to resume",
            manifest.scenario_sha256
        )));
    }
    Ok(Resumable {
        dir,
        manifest,
        world,
        scenario,
        checkpoint,
        warnings,
        lock,
    })
}

impl Resumable {
    /// The request that finishes the run (checkpointing as it did), its reopened folder and
    /// the lock to hold until it ends.
    pub fn into_request<'a>(
        self,
        threads: usize,
        provenance: &'a Provenance,
        stop: Option<&'a AtomicBool>,
    ) -> Result<(RunRequest<'a>, RunFolder, Lock), ExperimentError> {
        let folder = RunFolder::reopen(&self.dir)?;
        let req = RunRequest {
            checkpoint_every: self.manifest.checkpoint_every.unwrap_or(0),
            stop,
            report: true,
            start: Start::From {
                world: Box::new(self.world),
                checkpoint: Box::new(self.checkpoint),
                how: StartHow::Resume(Box::new(self.manifest.clone())),
            },
            ..RunRequest::fresh(
                self.scenario,
                self.manifest.scenario_source.clone(),
                self.manifest.overrides.clone(),
                threads,
                provenance,
            )
        };
        Ok((req, folder, self.lock))
    }
}
