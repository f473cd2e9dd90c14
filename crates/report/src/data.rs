//! Reading what runs and experiments left on disk: CSV tables and the scenario (manifests are
//! read typed, with `mobilize-output`).

use std::path::Path;

use mobilize_core::scenario::{Scenario, Source};

use crate::ReportError;

/// A CSV table held as text cells, with numeric access.
#[derive(Clone, Debug, Default)]
pub struct Table {
    /// Column names.
    pub names: Vec<String>,
    /// Rows of cells.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// Reads `path`.
    pub fn read(path: &Path) -> Result<Table, ReportError> {
        let err = |e: csv::Error| ReportError::Read {
            path: path.to_path_buf(),
            reason: e.to_string(),
        };
        let mut reader = csv::Reader::from_path(path).map_err(err)?;
        let names = reader
            .headers()
            .map_err(err)?
            .iter()
            .map(str::to_string)
            .collect();
        let mut rows = Vec::new();
        for r in reader.records() {
            rows.push(r.map_err(err)?.iter().map(str::to_string).collect());
        }
        Ok(Table { names, rows })
    }

    /// Index of a column.
    pub fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// A column as numbers (NaN where empty or not a number).
    pub fn numbers(&self, name: &str) -> Option<Vec<f64>> {
        let c = self.index(name)?;
        Some(
            self.rows
                .iter()
                .map(|r| r.get(c).and_then(|v| v.parse().ok()).unwrap_or(f64::NAN))
                .collect(),
        )
    }

    /// A column as text.
    pub fn texts(&self, name: &str) -> Option<Vec<String>> {
        let c = self.index(name)?;
        Some(
            self.rows
                .iter()
                .map(|r| r.get(c).cloned().unwrap_or_default())
                .collect(),
        )
    }
}

/// Loads the resolved `scenario.toml` a run folder holds (for region names, positions and
/// populations).
pub fn scenario(run: &Path) -> Result<Scenario, ReportError> {
    let path = run.join(mobilize_output::layout::SCENARIO);
    let text = std::fs::read_to_string(&path).map_err(|e| ReportError::Read {
        path: path.clone(),
        reason: e.to_string(),
    })?;
    let source = Source {
        name: path.display().to_string(),
        text,
        base_dir: Some(run.to_path_buf()),
    };
    // The report draws its map from the manifest; the scenario's own `[map]` files lie beside
    // the original scenario, not in the run folder, so they are not read again here.
    let no_map = mobilize_core::scenario::Override::parse("map={}").expect("a valid override");
    Scenario::load(&source, &[no_map]).map_err(|e| ReportError::Read {
        path,
        reason: e.to_string(),
    })
}
