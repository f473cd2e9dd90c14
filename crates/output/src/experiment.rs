//! `experiment.json`: what an experiment folder records (its kind, design points, seeds and how
//! far it got), read and written in one place for the experiment runner, the report and the
//! dashboard.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::{layout, OutputError, Status};

/// What kind of experiment, which decides the tables and the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Replicates of one scenario.
    Ensemble,
    /// Replicates of each point of a design.
    Sweep,
    /// Two arms with common random numbers.
    Compare,
}

impl Kind {
    /// The word used in folder names and manifests.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Ensemble => "ensemble",
            Kind::Sweep => "sweep",
            Kind::Compare => "compare",
        }
    }
}

/// One design point: a scenario and the overrides that make this point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Point {
    /// Short name (`a`, `b`, or the point's number).
    pub label: String,
    /// Index into the experiment's sources.
    pub source: usize,
    /// Overrides, `key=value`, applied after the scenario file.
    pub sets: Vec<String>,
    /// Values of the varied parameters, in the order of the experiment's varied parameters.
    pub values: Vec<String>,
    /// Where the point was defined, for messages (`design.csv line 4`, `arm b`).
    pub origin: String,
}

/// `experiment.json`: what the experiment is and how far it got.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ExperimentManifest {
    /// `ensemble`, `sweep` or `compare`.
    pub kind: Kind,
    /// SHA-256 of everything that decides the results (the experiment's identity).
    pub identity: String,
    /// Version of mobilize.
    pub mobilize_version: String,
    /// Git commit of the build.
    pub git_commit: String,
    /// The command that started it.
    pub command: Vec<String>,
    /// Scenario name.
    pub scenario: String,
    /// Where each scenario came from.
    pub sources: Vec<String>,
    /// Base seed; replicate seeds derive from it (mobilize-experiment's `seeds.rs`).
    pub base_seed: u64,
    /// Replicates per point.
    pub replicates: u32,
    /// Varied parameters.
    pub varied: Vec<String>,
    /// The design points.
    pub points: Vec<Point>,
    /// Runs in all.
    pub runs: usize,
    /// Seed of each replicate, in order.
    pub seeds: Vec<u64>,
    /// `incomplete` until the tables are written.
    pub status: Status,
    /// UTC time of the first attempt.
    pub started_at: String,
    /// UTC time the last attempt ended.
    pub finished_at: Option<String>,
    /// Attempts so far (1, or more after resuming).
    pub attempts: u32,
    /// Runs found finished when the last attempt started.
    pub resumed_runs: usize,
    /// Wall-clock seconds of the last attempt.
    pub last_attempt_s: f64,
    /// Files written beside `runs/`.
    pub files: Vec<String>,
}

impl ExperimentManifest {
    /// Reads the text of an `experiment.json`.
    pub fn from_json(text: &str) -> Result<ExperimentManifest, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// Writes `dir/experiment.json` (atomically).
    pub fn write(&self, dir: &Path) -> Result<(), OutputError> {
        let mut json = serde_json::to_string_pretty(self).expect("a manifest always serializes");
        json.push('\n');
        crate::write_atomic(&dir.join(layout::EXPERIMENT), json.as_bytes())
    }
}
