//! `mobilize`: run, validate and list scenarios; run ensembles, sweeps and comparisons; rebuild
//! reports.
//!
//! Exit codes: 0 success; 1 a run failed (I/O); 2 bad input (scenario, overrides, arguments).

mod commands;
mod progress;
mod render;
mod source;

use std::process::ExitCode;

use std::sync::atomic::{AtomicBool, Ordering};

use clap::{Parser, Subcommand};

/// Population-scale agent-based simulation of mass mobilization.
#[derive(Parser, Debug)]
#[command(name = "mobilize", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a scenario and write its results to a new run folder.
    Run(commands::run::RunArgs),
    /// Run replicates of a scenario with derived seeds; tables of figures and per-step bands.
    Ensemble(commands::ensemble::EnsembleArgs),
    /// Run every point of a grid or design file, with replicates; tidy tables of the results.
    Sweep(commands::sweep::SweepArgs),
    /// Run two arms with common random numbers and report paired differences (arm b after --vs).
    Compare(commands::compare::CompareArgs),
    /// Serve the live dashboard in the browser.
    Serve(commands::serve::ServeArgs),
    /// Finish an interrupted run from its newest good checkpoint.
    Resume(commands::resume::ResumeArgs),
    /// Rebuild report.html and charts/ of a run or experiment folder.
    Report(commands::report::ReportArgs),
    /// Write the tables and report of an experiment run in shards (`--shard I/N`), from the
    /// shards' folders.
    Merge(commands::merge::MergeArgs),
    /// Score the model against a targets file: replicates of each scenario it names, and for
    /// each observation the model's values, their implausibility and a verdict.
    Score(commands::score::ScoreArgs),
    /// History matching: which values of the targets file's `[priors]` the record does not rule
    /// out, wave by wave, with Gaussian-process emulators (resumable, into a folder).
    Calibrate(commands::calibrate::CalibrateArgs),
    /// Check a scenario and report every problem in it.
    Validate(commands::validate::ValidateArgs),
    /// List the scenarios embedded in this binary.
    Scenarios,
}

/// A command's failure, with the exit code it maps to.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The input is wrong; the message was already printed.
    #[error("invalid input")]
    Input,
    /// Something failed while running or writing.
    #[error(transparent)]
    Output(#[from] mobilize_output::OutputError),
    /// Stopped from outside (Ctrl-C, SIGTERM); the message was already printed.
    #[error("interrupted")]
    Interrupted,
    /// One shard of an experiment was done (not a failure: its lines were printed, and the
    /// tables wait for `mobilize merge`).
    #[error("shard done")]
    Sharded,
    /// An experiment failed while running or writing.
    #[error(transparent)]
    Experiment(mobilize_experiment::ExperimentError),
    /// Another failure, described.
    #[error("{0}")]
    Other(String),
}

impl From<mobilize_experiment::ExperimentError> for Failure {
    /// Bad input (a design row, a grid, an invalid point) is printed here and maps to exit
    /// code 2; the rest is reported by `main`.
    fn from(e: mobilize_experiment::ExperimentError) -> Failure {
        use mobilize_experiment::ExperimentError as E;
        match e {
            E::Scenario { context, error } => {
                render::scenario_error(&error);
                eprintln!("  (in {context})");
                Failure::Input
            }
            E::Design(d) => {
                eprintln!("error: {d}");
                Failure::Input
            }
            E::Output(o) => Failure::Output(o),
            E::Checkpoint(m) => {
                eprintln!("error: {m}");
                Failure::Input
            }
            e @ (E::Interrupted { .. } | E::ExperimentInterrupted(_)) => {
                eprintln!("{e}");
                Failure::Interrupted
            }
            e => Failure::Experiment(e),
        }
    }
}

/// This build, for manifests.
pub fn provenance() -> mobilize_experiment::Provenance {
    mobilize_experiment::Provenance::this_build()
}

/// Set by the first Ctrl-C or SIGTERM: runs stop at the end of their current step (or, while
/// the world is being built, when it is built, at step 0; before, at once), save what they
/// computed, and the command exits with code 130. A second one exits at once. Reading is
/// bounded (regular files of at most 16 MiB) and threads are at most 1,024, so no stage
/// outlasts a signal by more than the seconds a world takes to build.
pub static STOP: AtomicBool = AtomicBool::new(false);

fn watch_signals() {
    let handler = ctrlc::set_handler(|| {
        if STOP.swap(true, Ordering::SeqCst) {
            eprintln!("\nstopped at once");
            std::process::exit(130);
        }
        eprintln!("\ninterrupted: stopping at the end of this stage or step and saving what was computed (interrupt again to stop at once)");
    });
    if let Err(e) = handler {
        eprintln!("warning: Ctrl-C will stop at once, without saving: {e}");
    }
}

fn main() -> ExitCode {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let vs = commands::compare::split_vs(&mut args);
    let cli = Cli::parse_from(args);
    if !matches!(
        cli.command,
        Command::Validate(_) | Command::Scenarios | Command::Report(_) | Command::Serve(_)
    ) {
        watch_signals();
    }
    let result = match cli.command {
        Command::Run(args) => commands::run::run(args),
        Command::Ensemble(args) => commands::ensemble::run(args),
        Command::Sweep(args) => commands::sweep::run(args),
        Command::Compare(args) => commands::compare::run(args, vs),
        Command::Report(args) => commands::report::run(args),
        Command::Merge(args) => commands::merge::run(args),
        Command::Resume(args) => commands::resume::run(args),
        Command::Serve(args) => commands::serve::run(args),
        Command::Validate(args) => commands::validate::validate(args),
        Command::Score(args) => commands::score::run(args),
        Command::Calibrate(args) => commands::calibrate::run(args),
        Command::Scenarios => commands::scenarios::list(),
    };
    match result {
        Ok(()) | Err(Failure::Sharded) => ExitCode::SUCCESS,
        Err(Failure::Input) => ExitCode::from(2),
        Err(Failure::Interrupted) => ExitCode::from(130),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
