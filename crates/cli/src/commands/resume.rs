//! `mobilize resume`: finish an interrupted run from its newest good checkpoint.

use std::path::PathBuf;

use clap::Args;
use mobilize_experiment::resume;

use super::run::{execute_and_print, threads};
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

/// Resumes the run and prints where its results are.
pub fn run(args: ResumeArgs) -> Result<(), Failure> {
    let provenance = crate::provenance();
    let resumable = resume::open(&args.dir, &provenance, &Default::default())?;
    for w in &resumable.warnings {
        eprintln!("warning: {w}");
    }
    if !args.quiet {
        eprintln!("resuming after step {}", resumable.checkpoint.step);
    }
    let threads = threads(args.threads)?;
    let (req, folder, _lock) = resumable.into_request(threads, &provenance, Some(&crate::STOP))?;
    execute_and_print(req, folder, threads, args.quiet)
}
