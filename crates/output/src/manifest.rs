//! `manifest.json`: what ran, with what, how it ended.

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::run_folder::{hex, write_atomic};
use crate::OutputError;

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Still running, or interrupted before the end.
    Incomplete,
    /// Ran to the end; every output was written.
    Complete,
    /// Stopped by an error (named in `error`).
    Failed,
}

/// Wall-clock durations in seconds.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Timings {
    /// Synthesizing people and ties, preparing the model.
    pub setup_s: f64,
    /// The step loop, observers included.
    pub run_s: f64,
    /// Everything, from reading the scenario to committing the folder.
    pub total_s: f64,
}

/// A region as outputs show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegionInfo {
    /// Name (as in column names: `organized.<name>`).
    pub name: String,
    /// Display name, where the scenario gives one that differs from the name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Map position, if the scenario gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<(f64, f64)>,
    /// Persons, after scaling.
    pub population: u32,
    /// Outside the ruled country.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub abroad: bool,
}

impl RegionInfo {
    /// What pages call the region: its label, or its name.
    pub fn shown(&self) -> &str {
        self.label.as_deref().unwrap_or(&self.name)
    }

    /// The regions of a scenario.
    pub fn of(scenario: &mobilize_core::scenario::Scenario) -> Vec<RegionInfo> {
        scenario
            .regions
            .iter()
            .map(|r| RegionInfo {
                name: r.name.clone(),
                label: (r.label != r.name).then(|| r.label.clone()),
                position: r.position,
                population: r.population,
                abroad: r.abroad,
            })
            .collect()
    }
}

/// The run's record.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// Version of mobilize.
    pub mobilize_version: String,
    /// Git commit the binary was built from (`unknown` outside a checkout).
    pub git_commit: String,
    /// Scenario name.
    pub scenario: String,
    /// Where the scenario came from (a path or `<embedded:NAME>`).
    pub scenario_source: String,
    /// SHA-256 of the resolved scenario (`scenario.toml` in this folder).
    pub scenario_sha256: String,
    /// Overrides given on the command line.
    pub overrides: Vec<String>,
    /// Seed of every random stream.
    pub seed: u64,
    /// Worker threads.
    pub threads: usize,
    /// Persons simulated.
    pub persons: u64,
    /// The scenario's `scale`: the share of its population simulated (absent in folders
    /// written before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scale: Option<f64>,
    /// Undirected ties.
    pub ties: u64,
    /// UTC start time (RFC 3339).
    pub started_at: String,
    /// UTC end time (RFC 3339), once ended.
    pub finished_at: Option<String>,
    /// How it ended.
    pub status: Status,
    /// The process's exit code, once ended (0 complete, 1 failed, 130 interrupted).
    pub exit_code: Option<i32>,
    /// The error that stopped it, if any.
    pub error: Option<String>,
    /// Why the model stopped (`equilibrium`, `time_limit`).
    pub stop_reason: Option<String>,
    /// Last step computed.
    pub last_step: Option<u32>,
    /// The model's headline figures, by name.
    pub figures: std::collections::BTreeMap<String, f64>,
    /// The calendar date of every figure that is a step (`collapse_step`), and of the last
    /// step, on dated scenarios.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub dates: std::collections::BTreeMap<String, String>,
    /// One sentence saying what happened.
    pub summary: Option<String>,
    /// What the reader should know before trusting the figures (a population too small for
    /// the model's shares to be unbiased).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// Durations.
    pub timings: Timings,
    /// Files in the folder, besides this one.
    pub files: Vec<String>,
    /// Checkpoints written every this many steps (`--checkpoint-every`), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint_every: Option<u32>,
    /// Steps after which the run was resumed from a checkpoint (`mobilize resume`), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resumed_after: Vec<u32>,
    /// The checkpoint a branch started from (`mobilize run --from`), and its step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branched_from: Option<(String, u32)>,
    /// What the report and the dashboard need to know about the model: its lattice,
    /// snapshot steps, chart groups and maps (absent in folders written before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<mobilize_core::model::ModelMeta>,
    /// The regions, in order, with their map positions and populations (after scaling), for
    /// maps; the report reads them here so that it needs no model to read the scenario.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub regions: Vec<RegionInfo>,
    /// Calendar date of step 0, for dated scenarios (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    /// How the regions are drawn (the scenario's `[map]`: shapes, or an outline for schematic
    /// cells), so that the report draws the map from the folder alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub map: Option<mobilize_core::scenario::map::MapSpec>,
    /// The scenario's description, which the report shows under its lead; kept here so that
    /// the report needs no model to read the scenario (a model outside mobilize's own).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The scenario's timeline, which the report marks on its charts (likewise).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<TimelineMark>,
}

/// A timeline event as outputs mark it: when, and what kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelineMark {
    /// Step at which it fires.
    pub step: u32,
    /// Its date (`YYYY-MM-DD`), for dated scenarios.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// Its kind (`final_offensive`).
    pub kind: String,
}

impl TimelineMark {
    /// Every event of `scenario`, in timeline order.
    pub fn of(scenario: &mobilize_core::scenario::Scenario) -> Vec<TimelineMark> {
        scenario
            .events
            .iter()
            .map(|e| TimelineMark {
                step: e.step,
                date: scenario.time.date_of(e.step).map(|d| d.to_string()),
                kind: e.kind.to_string(),
            })
            .collect()
    }
}

impl Manifest {
    /// SHA-256 of a text, in hexadecimal.
    pub fn sha256(text: &str) -> String {
        hex(&Sha256::digest(text.as_bytes()))
    }

    /// Reads `folder/manifest.json`.
    pub fn read(folder: &Path) -> Result<Manifest, OutputError> {
        let path = folder.join(crate::layout::MANIFEST);
        // A manifest is a few kilobytes (a map's outlines make it larger): 64 MiB bounds a
        // device or a FIFO put in its place, which is refused without waiting.
        let bytes = mobilize_core::files::read_regular(&path, 64 << 20)
            .map_err(|e| OutputError::io("cannot read", &path, e))?;
        serde_json::from_slice(&bytes).map_err(|e| {
            OutputError::io("cannot read", &path, std::io::Error::other(e.to_string()))
        })
    }

    /// Writes `manifest.json` into `folder` (atomically).
    pub fn write(&self, folder: &Path) -> Result<(), OutputError> {
        let mut json = serde_json::to_string_pretty(self).expect("a manifest always serializes");
        json.push('\n');
        write_atomic(&folder.join(crate::layout::MANIFEST), json.as_bytes())
    }
}
