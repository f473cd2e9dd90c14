//! Observers: what the engine tells the outside world at each step.
//!
//! The engine calls every observer with the same aggregates in the same order. Writers, the
//! progress bar and in-memory collectors are observers; none of them can change the run.

pub mod meta;

pub use meta::{ChartGroup, FigureDoc, KeyOutcome, Lattice, MapFamily, ModelMeta};

use crate::calendar::Date;
use crate::scenario::Scenario;

/// What is known when a run starts.
#[derive(Clone, Debug)]
pub struct RunInfo<'a> {
    /// The validated scenario.
    pub scenario: &'a Scenario,
    /// What outputs need to know about the model: its lattice, snapshot steps, chart groups
    /// and maps.
    pub meta: &'a ModelMeta,
    /// Names of the per-step series, in the order of [`StepRecord::values`].
    pub columns: &'a [String],
    /// Persons in the run.
    pub persons: u32,
    /// Undirected ties in the network.
    pub ties: u64,
    /// Last step the run may reach.
    pub max_step: u32,
}

/// Where a model writes one step's series: each value together with the name of its column,
/// so that the two are declared in one place. The engine asks once for names and values (at
/// the start of a run) and then, at every step, for the values only; names are not built then.
pub struct Series<'a> {
    regions: &'a [String],
    names: Option<&'a mut Vec<String>>,
    values: &'a mut Vec<f64>,
}

impl<'a> Series<'a> {
    /// A writer that records the column names as well as the values.
    pub fn naming(
        regions: &'a [String],
        names: &'a mut Vec<String>,
        values: &'a mut Vec<f64>,
    ) -> Series<'a> {
        Series {
            regions,
            names: Some(names),
            values,
        }
    }

    /// A writer of values only.
    pub fn values(regions: &'a [String], values: &'a mut Vec<f64>) -> Series<'a> {
        Series {
            regions,
            names: None,
            values,
        }
    }

    /// One column.
    #[inline]
    pub fn put(&mut self, name: &str, value: f64) {
        if let Some(n) = self.names.as_mut() {
            n.push(name.to_string());
        }
        self.values.push(value);
    }

    /// One column whose name is built only when names are recorded (`kind.<name>`).
    #[inline]
    pub fn put_named(&mut self, name: impl FnOnce() -> String, value: f64) {
        if let Some(n) = self.names.as_mut() {
            n.push(name());
        }
        self.values.push(value);
    }

    /// One column per region, `family.<region>`, with the values in region order.
    ///
    /// # Panics
    /// If there are more values than regions (a bug in the model).
    #[inline]
    pub fn per_region(&mut self, family: &str, values: impl IntoIterator<Item = f64>) {
        match self.names.as_mut() {
            Some(n) => {
                for (k, v) in values.into_iter().enumerate() {
                    n.push(format!("{family}.{}", self.regions[k]));
                    self.values.push(v);
                }
            }
            None => self.values.extend(values),
        }
    }
}

/// One step's aggregates.
#[derive(Clone, Debug)]
pub struct StepRecord<'a> {
    /// Step number (0 = the initial state).
    pub step: u32,
    /// Calendar date of the step, for dated scenarios.
    pub date: Option<Date>,
    /// One value per column of [`RunInfo::columns`].
    pub values: &'a [f64],
    /// A picture of the lattice, at the steps a lattice model asks for.
    pub lattice: Option<&'a LatticeImage>,
}

/// A lattice as one code per site (row by row), with the colour and name of each code.
#[derive(Clone, Debug, PartialEq)]
pub struct LatticeImage {
    /// Sites per row.
    pub width: u32,
    /// Rows.
    pub height: u32,
    /// One code per site.
    pub cells: Vec<u8>,
    /// (code, name, RGB colour).
    pub legend: &'static [(u8, &'static str, [u8; 3])],
}

/// One line of the event log: something that happened, with when and where.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LogEntry {
    /// Step at which it happened.
    pub step: u32,
    /// What happened, as a short snake_case word (`initial_actors`, `equilibrium`).
    pub kind: String,
    /// Region number, if it happened in one region.
    pub region: Option<u16>,
    /// Persons concerned (0 if none).
    pub count: u64,
    /// Free text for people.
    pub detail: String,
}

/// Why a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// Nothing could change any more and no event was pending.
    Equilibrium,
    /// The last step of `time.steps` was reached.
    TimeLimit,
    /// The model reached its own end (e.g. the ruling system collapsed).
    Ended,
    /// Stopped from outside (Ctrl-C, SIGTERM, an observer's `Break`) before its end;
    /// resumable from a checkpoint.
    Interrupted,
}

impl StopReason {
    /// The word used in manifests and summaries.
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::Equilibrium => "equilibrium",
            StopReason::TimeLimit => "time_limit",
            StopReason::Ended => "ended",
            StopReason::Interrupted => "interrupted",
        }
    }
}

/// How a run ended, with the model's headline figures.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// Last step computed.
    pub last_step: u32,
    /// Why it stopped.
    pub reason: StopReason,
    /// Headline figures as (name, value), e.g. `("final_active", 100.0)`.
    pub figures: Vec<(String, f64)>,
    /// One sentence saying what happened.
    pub sentence: String,
}

/// Why an observer could not take what the engine told it (a file that cannot be written, a
/// display that went away). The engine stops the run at once and hands the error to its
/// caller; the observer's own error type is kept inside, for the caller to look at.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ObserverError(pub Box<dyn std::error::Error + Send + Sync + 'static>);

impl ObserverError {
    /// Wraps any error.
    pub fn new(e: impl std::error::Error + Send + Sync + 'static) -> ObserverError {
        ObserverError(Box::new(e))
    }

    /// The observer's own error, if it is an `E`.
    pub fn downcast<E: std::error::Error + 'static>(self) -> Result<E, ObserverError> {
        match self.0.downcast::<E>() {
            Ok(e) => Ok(*e),
            Err(other) => Err(ObserverError(other)),
        }
    }
}

/// What an observer answers to a step: go on, or stop the run at the end of this step (it is
/// then stopped as from outside, [`StopReason::Interrupted`], and resumable from a checkpoint);
/// or an error, which ends the run at once.
pub type Flow = Result<std::ops::ControlFlow<()>, ObserverError>;

/// "Go on", the answer of an observer that never stops a run.
pub const GO_ON: Flow = Ok(std::ops::ControlFlow::Continue(()));

/// Receives a run's aggregates as they are produced.
///
/// Every method may fail; the engine then stops the run and returns the error. An observer
/// may also ask the run to stop after a step ([`Flow`]): this is how a caller runs "until"
/// something happens without a flag of its own.
pub trait Observer {
    /// Called once before step 0.
    fn start(&mut self, _info: &RunInfo<'_>) -> Result<(), ObserverError> {
        Ok(())
    }
    /// Called after each step, starting with step 0.
    fn step(&mut self, _record: &StepRecord<'_>) -> Flow {
        GO_ON
    }
    /// Called for each event-log entry, before the step's record.
    fn log(&mut self, _entry: &LogEntry) -> Result<(), ObserverError> {
        Ok(())
    }
    /// Called once at the end.
    fn finish(&mut self, _outcome: &Outcome) -> Result<(), ObserverError> {
        Ok(())
    }
}

/// Keeps everything in memory: for tests, small runs and summaries.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Recorder {
    /// Column names.
    pub columns: Vec<String>,
    /// Step numbers, one per row.
    pub steps: Vec<u32>,
    /// Rows of values.
    pub rows: Vec<Vec<f64>>,
    /// The event log.
    pub log: Vec<LogEntry>,
    /// The outcome, once finished.
    pub outcome: Option<Outcome>,
}

impl Recorder {
    /// The series of one column, if it exists.
    pub fn column(&self, name: &str) -> Option<Vec<f64>> {
        let c = self.columns.iter().position(|n| n == name)?;
        Some(self.rows.iter().map(|r| r[c]).collect())
    }
}

impl Observer for Recorder {
    fn start(&mut self, info: &RunInfo<'_>) -> Result<(), ObserverError> {
        self.columns = info.columns.to_vec();
        Ok(())
    }
    fn step(&mut self, record: &StepRecord<'_>) -> Flow {
        self.steps.push(record.step);
        self.rows.push(record.values.to_vec());
        GO_ON
    }
    fn log(&mut self, entry: &LogEntry) -> Result<(), ObserverError> {
        self.log.push(entry.clone());
        Ok(())
    }
    fn finish(&mut self, outcome: &Outcome) -> Result<(), ObserverError> {
        self.outcome = Some(outcome.clone());
        Ok(())
    }
}
