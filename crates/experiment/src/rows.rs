//! The runs inside an experiment folder: where each one's folder is, and the row of figures
//! each one reported (read from its manifest). The tables, bands and comparisons all read
//! runs through here.

use std::path::{Path, PathBuf};

use mobilize_output::Manifest;

use crate::plan::RunSpec;
use crate::ExperimentError;

/// Folder of the runs inside an experiment folder.
pub const RUNS: &str = "runs";

/// Folder name of run `id`.
pub fn run_name(id: usize) -> String {
    format!("{id:06}")
}

/// Folder of run `id` inside experiment folder `dir`.
pub fn run_dir(dir: &Path, id: usize) -> PathBuf {
    dir.join(RUNS).join(run_name(id))
}

/// One run's row: who it was and what it reported.
#[derive(Clone, Debug)]
pub struct RunRow {
    /// The run.
    pub spec: RunSpec,
    /// Why it stopped.
    pub stop_reason: String,
    /// Last step computed.
    pub last_step: u32,
    /// Figures by name.
    pub figures: std::collections::BTreeMap<String, f64>,
}

/// Reads every run's manifest, in run order.
pub fn read_rows(dir: &Path, specs: &[RunSpec]) -> Result<Vec<RunRow>, ExperimentError> {
    specs
        .iter()
        .map(|spec| {
            let m = Manifest::read(&run_dir(dir, spec.id))?;
            Ok(RunRow {
                spec: *spec,
                stop_reason: m.stop_reason.unwrap_or_default(),
                last_step: m.last_step.unwrap_or(0),
                figures: m.figures,
            })
        })
        .collect()
}
