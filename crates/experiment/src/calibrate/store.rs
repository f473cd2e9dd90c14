//! The calibration folder: what was asked, every point's runs as they finish, and the tables
//! of each wave, so that a calibration killed and run again redoes no finished run.
//!
//! ```text
//! DIR/calibration.json        what was asked (targets, priors, settings, overrides)
//! DIR/wave-1/runs/0007.json   point 7's parameter values and each replicate's target values
//! DIR/wave-1/design.csv       the wave's points
//! DIR/wave-1/results.csv      each point's mean, spread and implausibility per target
//! DIR/wave-1/emulators.csv    each target's emulator and how well it predicts left-out runs
//! DIR/waves.csv               the space left after each wave
//! DIR/non-implausible.csv     a sample of the points the record does not rule out
//! DIR/conflicts.csv           each target (and pair) against the share of the space it allows
//! DIR/report.html             the report: space left, marginals, pairs, the posterior's runs
//! ```

use std::path::{Path, PathBuf};

/// Why the folder cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The folder holds a calibration of something else.
    #[error("`{0}` holds a different calibration (other targets, priors or settings); choose another folder or remove it")]
    Different(PathBuf),
    /// A file could not be written or read.
    #[error(transparent)]
    Output(#[from] mobilize_output::OutputError),
    /// The report could not be written.
    #[error("cannot write the report: {0}")]
    Report(String),
}

/// Where a calibration keeps its runs and tables: a folder, or nowhere (tests, Python).
#[derive(Clone, Debug)]
pub struct Store {
    dir: Option<PathBuf>,
}

/// A point's runs as kept: numbers as their shortest exact text (a JSON parser need not read
/// a double back to the last bit; Rust's `str::parse` does).
#[derive(serde::Serialize, serde::Deserialize)]
struct PointFile {
    point: Vec<String>,
    runs: Vec<Vec<Option<String>>>,
}

fn text(v: f64) -> String {
    format!("{v:?}")
}

impl Store {
    /// Keeps nothing: every run is made.
    pub fn memory() -> Store {
        Store { dir: None }
    }

    /// Opens (or creates) `dir` for the calibration `asked` (a JSON text saying what was asked:
    /// it must match the folder's if the folder has one, so that a rerun resumes only the same
    /// calibration).
    pub fn open(dir: &Path, asked: &str) -> Result<Store, StoreError> {
        let file = dir.join("calibration.json");
        if let Ok(old) = mobilize_core::files::read_regular(&file, 1 << 20) {
            if old != asked.as_bytes() {
                return Err(StoreError::Different(dir.to_path_buf()));
            }
        } else {
            std::fs::create_dir_all(dir)
                .map_err(|e| mobilize_output::OutputError::io("cannot create", dir, e))?;
            mobilize_output::write_atomic(&file, asked.as_bytes())?;
        }
        Ok(Store {
            dir: Some(dir.to_path_buf()),
        })
    }

    /// The folder, if any.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// Point `i` of `stage`'s runs (`wave-2`, `abc-1`) if an earlier attempt finished them at
    /// these very parameter values, with `replicates` replicates of `targets` values each. A
    /// file that does not read back as such is ignored (the point is run again).
    pub(super) fn cached(
        &self,
        stage: &str,
        i: usize,
        point: &[f64],
        replicates: usize,
        targets: usize,
    ) -> Option<Vec<Vec<Option<f64>>>> {
        let path = self.point_path(stage, i)?;
        let bytes = mobilize_core::files::read_regular(&path, 64 << 20).ok()?;
        let f: PointFile = serde_json::from_slice(&bytes).ok()?;
        let same = f.point.len() == point.len()
            && f.point.iter().zip(point).all(|(a, b)| *a == text(*b))
            && f.runs.len() == replicates
            && f.runs.iter().all(|r| r.len() == targets);
        if !same {
            return None;
        }
        f.runs
            .iter()
            .map(|r| {
                r.iter()
                    .map(|v| match v {
                        None => Some(None),
                        Some(t) => t.parse::<f64>().ok().map(Some),
                    })
                    .collect()
            })
            .collect()
    }

    /// Keeps point `i`'s runs.
    pub(super) fn save_point(
        &self,
        stage: &str,
        i: usize,
        point: &[f64],
        runs: &[Vec<Option<f64>>],
    ) -> Result<(), StoreError> {
        let Some(path) = self.point_path(stage, i) else {
            return Ok(());
        };
        let text = serde_json::to_vec(&PointFile {
            point: point.iter().map(|&v| text(v)).collect(),
            runs: runs
                .iter()
                .map(|r| r.iter().map(|v| v.map(text)).collect())
                .collect(),
        })
        .expect("numbers and nulls serialize");
        self.write_file(&path, &text)
    }

    /// Writes `name` (a path under the folder) whole or not at all.
    pub(super) fn write(&self, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
        match &self.dir {
            Some(dir) => self.write_file(&dir.join(name), bytes),
            None => Ok(()),
        }
    }

    fn write_file(&self, path: &Path, bytes: &[u8]) -> Result<(), StoreError> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| mobilize_output::OutputError::io("cannot create", parent, e))?;
        }
        Ok(mobilize_output::write_atomic(path, bytes)?)
    }

    fn point_path(&self, stage: &str, i: usize) -> Option<PathBuf> {
        self.dir
            .as_ref()
            .map(|d| d.join(format!("{stage}/runs/{i:04}.json")))
    }
}
