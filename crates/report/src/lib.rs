//! # mobilize-report
//!
//! Self-contained HTML reports (no external scripts, styles or fonts) and SVG charts for the
//! folders mobilize writes, built from the files in the folder alone so that `mobilize report
//! DIR` can rebuild them at any time:
//! - a run folder (`manifest.json`): its series by group, regions as maps with a time slider,
//!   the event timeline, lattice pictures, its figures ([`run`]);
//! - an experiment folder (`experiment.json`): an ensemble's median and 5–95 % bands, a sweep's
//!   response curves or heat maps, a comparison's paired differences ([`experiment`]).

pub mod cells;
pub mod data;
pub mod experiment;
pub mod groups;
pub mod map;
pub mod page;
pub mod run;
pub mod svg;
pub mod timeline;

use std::path::{Path, PathBuf};

/// Why a report could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The folder is neither a run nor an experiment.
    #[error(
        "`{0}` is not a run or experiment folder (it has no manifest.json or experiment.json)"
    )]
    NotAResult(PathBuf),
    /// A file of the folder could not be read.
    #[error("cannot read `{path}`: {reason}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The report could not be written.
    #[error("cannot write `{path}`: {reason}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// Builds `report.html` and `charts/` in `dir`, whatever kind of folder it is; returns the
/// report's path.
pub fn build(dir: &Path) -> Result<PathBuf, ReportError> {
    let page = if dir.join(mobilize_output::layout::EXPERIMENT).exists() {
        experiment::page(dir)?
    } else if dir.join(mobilize_output::layout::MANIFEST).exists() {
        run::page(dir)?
    } else {
        return Err(ReportError::NotAResult(dir.to_path_buf()));
    };
    page.write(dir)?;
    Ok(dir.join(mobilize_output::layout::REPORT))
}
