//! # mobilize-experiment
//!
//! Many runs of a scenario, organized so that the answer is a table:
//! - [`single`]: one run into one folder (what `mobilize run` does, and every replicate);
//! - [`plan`]: an experiment as design points × replicates, each replicate with a derived seed
//!   ([`seeds`]), the same for every point (common random numbers);
//! - [`design`]: full-factorial grids (`--grid key=v1,v2`) and design files (`--design
//!   FILE.csv`, as SALib, Optuna or R write them);
//! - [`execute`]: runs the plan in parallel, each run streamed into its own folder as it
//!   finishes, skipping the runs a killed attempt already finished (resume);
//! - [`tables`]: `design`, `summary` and per-step `bands` (median, 5–95 %) as CSV and Parquet;
//! - [`resume`]: finishing an interrupted run from its newest good checkpoint;
//! - [`calibrate`]: history matching against a targets file, wave by wave;
//! - [`compare`]: paired differences of outcomes between two arms, with confidence intervals.

pub mod bands;
pub mod calibrate;
pub mod compare;
pub mod design;
pub mod execute;
pub mod plan;
pub mod resume;
pub mod rows;
pub mod seeds;
pub mod single;
pub mod tables;
pub mod targets;

use mobilize_core::scenario::ScenarioError;

pub use execute::{run, Done, Options};
pub use plan::{Experiment, Kind, Point};
pub use single::{execute as execute_run, Finished, Provenance, RunRequest, Start, StartHow};

/// Why an experiment could not be run or finished.
#[derive(Debug, thiserror::Error)]
pub enum ExperimentError {
    /// A design point's scenario is invalid; `context` says which point (`design.csv line 4`).
    #[error("{context}: the scenario is invalid")]
    Scenario {
        /// Which point, in words.
        context: String,
        /// The problems, with the scenario text for rendering.
        error: Box<ScenarioError>,
    },
    /// A `--grid` argument or a design file is malformed.
    #[error(transparent)]
    Design(#[from] design::DesignError),
    /// A file could not be written or read.
    #[error(transparent)]
    Output(#[from] mobilize_output::OutputError),
    /// An observer given to the run (a progress display, a live stream) failed.
    #[error("the run stopped: {0}")]
    Observer(mobilize_core::observe::ObserverError),
    /// The report could not be built.
    #[error(transparent)]
    Report(#[from] mobilize_report::ReportError),
    /// A checkpoint could not be used.
    #[error("{0}")]
    Checkpoint(String),
    /// The run was stopped from outside; what it computed is in `dir`.
    #[error("interrupted after step {step}; partial results in `{dir}`{}", if *resumable { format!("; `mobilize resume {}` continues it", dir.display()) } else { String::new() })]
    Interrupted {
        /// The run's (hidden) folder.
        dir: std::path::PathBuf,
        /// Last step computed.
        step: u32,
        /// Whether a checkpoint was written.
        resumable: bool,
    },
    /// An experiment was stopped from outside; the same command resumes it.
    #[error("interrupted; run the same command again to finish the experiment in `{0}` (finished runs are kept)")]
    ExperimentInterrupted(std::path::PathBuf),
    /// A run of the experiment is not finished (a shard not done, a task that failed).
    #[error("the experiment in `{dir}` is missing run {id} (`{run}` is not finished): do that shard, or the experiment, again, then finish it")]
    Missing {
        /// The experiment folder.
        dir: std::path::PathBuf,
        /// The run.
        id: usize,
        /// Its folder.
        run: std::path::PathBuf,
    },
    /// The experiment folder belongs to another experiment or another build.
    #[error("cannot resume `{dir}`: {reason}")]
    Resume {
        /// The folder.
        dir: std::path::PathBuf,
        /// Why not.
        reason: String,
    },
}
