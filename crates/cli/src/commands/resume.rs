//! `mobilize resume`: finish an interrupted run from its newest good checkpoint.

use std::path::{Path, PathBuf};

use clap::Args;
use mobilize_experiment::single::checkpoints;
use mobilize_experiment::{RunRequest, Start, StartHow};
use mobilize_output::{Manifest, RunFolder, Status};

use super::run::{checkpoint_scenario, execute_and_print, read_checkpoint, threads};
use crate::Failure;

/// Arguments of `mobilize resume`.
#[derive(Args, Debug)]
pub struct ResumeArgs {
    /// The interrupted run's folder (`runs/<scenario>/.<name>.partial`, as the interrupted
    /// run printed it; the name without the dot and `.partial` is found too).
    pub dir: PathBuf,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress output.
    #[arg(long, short)]
    pub quiet: bool,
}

/// The hidden folder of an unfinished run, given it or its final name.
fn partial_dir(dir: &Path) -> PathBuf {
    if dir.exists() {
        return dir.to_path_buf();
    }
    match (dir.parent(), dir.file_name().and_then(|n| n.to_str())) {
        (Some(parent), Some(name)) => parent.join(format!(".{name}.partial")),
        _ => dir.to_path_buf(),
    }
}

/// A lock on a run folder being resumed: a file beside it holding the resuming process's id,
/// removed when the resume ends. A lock whose process is gone (a crash, `kill -9`) is stale and
/// taken over.
struct Lock(PathBuf);

impl Lock {
    fn take(dir: &Path) -> Result<Lock, Failure> {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("run");
        let path = dir.with_file_name(format!("{name}.lock"));
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
                    let holder = std::fs::read_to_string(&path).unwrap_or_default();
                    let pid = holder.trim();
                    let alive = !pid.is_empty()
                        && pid.chars().all(|c| c.is_ascii_digit())
                        && Path::new("/proc").join(pid).exists();
                    if alive {
                        eprintln!(
                            "error: `{}` is being resumed by process {pid}; wait for it to end \
                             (or remove `{}` if that process is not a resume)",
                            dir.display(),
                            path.display()
                        );
                        return Err(Failure::Input);
                    }
                    // Stale: its process is gone.
                    let _ = std::fs::remove_file(&path);
                }
                Err(e) => {
                    eprintln!("error: cannot lock `{}`: {e}", dir.display());
                    return Err(Failure::Input);
                }
            }
        }
        eprintln!("error: cannot lock `{}`", dir.display());
        Err(Failure::Input)
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Resumes the run and prints where its results are.
pub fn run(args: ResumeArgs) -> Result<(), Failure> {
    let dir = partial_dir(&args.dir);
    if !dir.is_dir() {
        eprintln!("error: `{}` is not a run folder", args.dir.display());
        return Err(Failure::Input);
    }
    let _lock = Lock::take(&dir)?;
    let manifest = Manifest::read(&dir).map_err(|e| {
        eprintln!("error: `{}` is not a run folder: {e}", args.dir.display());
        Failure::Input
    })?;
    if manifest.status == Status::Complete {
        eprintln!(
            "error: the run in `{}` is complete; nothing to resume",
            dir.display()
        );
        return Err(Failure::Input);
    }
    let found = checkpoints(&dir);
    if found.is_empty() {
        eprintln!(
            "error: `{}` holds no checkpoint; the run cannot be resumed (run it again with --checkpoint-every N)",
            dir.display()
        );
        return Err(Failure::Input);
    }
    // The newest good checkpoint; a damaged one is named and passed over.
    let mut chosen = None;
    for path in &found {
        match read_checkpoint(path) {
            Ok(c) => {
                chosen = Some(c);
                break;
            }
            Err(_) if path != found.last().expect("not empty") => {
                eprintln!("warning: trying the previous checkpoint");
            }
            Err(e) => return Err(e),
        }
    }
    let checkpoint = chosen.expect("a good checkpoint or an error above");
    let world = checkpoint_scenario(&checkpoint.world_scenario, "<checkpoint world>")?;
    let scenario = checkpoint_scenario(&checkpoint.scenario, "<checkpoint scenario>")?;
    // A checkpoint is a file anyone could have edited (and re-checksummed): it must be the
    // run's own, same seed and same scenario, or the finished manifest would state a seed or
    // scenario that did not produce its results.
    if scenario.seed != manifest.seed {
        eprintln!(
            "error: the checkpoint's seed ({}) is not the run's ({}, in `{}`); refusing to resume",
            scenario.seed,
            manifest.seed,
            dir.join(mobilize_output::layout::MANIFEST).display()
        );
        return Err(Failure::Input);
    }
    let hash = Manifest::sha256(&scenario.resolved_toml());
    if hash != manifest.scenario_sha256 {
        eprintln!(
            "error: the checkpoint's scenario is not the run's (its SHA-256 is {hash}, the run's \
             {}); refusing to resume",
            manifest.scenario_sha256
        );
        return Err(Failure::Input);
    }
    if !args.quiet {
        eprintln!("resuming after step {}", checkpoint.step);
    }
    let threads = threads(args.threads)?;
    let folder = RunFolder::reopen(&dir)?;
    let provenance = crate::provenance();
    let req = RunRequest {
        checkpoint_every: manifest.checkpoint_every.unwrap_or(0),
        stop: Some(&crate::STOP),
        report: true,
        start: Start::From {
            world: Box::new(world),
            checkpoint: Box::new(checkpoint),
            how: StartHow::Resume(Box::new(manifest.clone())),
        },
        ..RunRequest::fresh(
            scenario,
            manifest.scenario_source.clone(),
            manifest.overrides.clone(),
            threads,
            &provenance,
        )
    };
    execute_and_print(req, folder, threads, args.quiet)
}
