//! The experiment's tables, tidy (one row per run, or per step and series) so that pandas,
//! polars, R and DuckDB read them as they are: `design`, `summary`, `bands` and, for a
//! comparison, `comparison`; each as CSV and Parquet. They are built from the run folders on
//! disk, one manifest at a time, so a resumed experiment writes the same bytes as one that
//! never stopped.

use std::collections::BTreeSet;
use std::path::Path;

use mobilize_core::scenario::Scenario;
use mobilize_output::{write_tables, Column};

use crate::plan::{Experiment, Kind, RunSpec};
pub use crate::rows::{read_rows, RunRow};
use crate::{bands, compare, ExperimentError};

/// Writes every table of the experiment; returns the file names written.
pub fn write_all(
    exp: &Experiment,
    scenarios: &[Scenario],
    specs: &[RunSpec],
    dir: &Path,
) -> Result<Vec<String>, ExperimentError> {
    let rows = read_rows(dir, specs)?;
    let mut files = Vec::new();
    let (names, columns) = design_columns(exp, specs);
    write_tables(dir, "design", &names, columns)?;
    files.extend(["design.csv".to_string(), "design.parquet".to_string()]);

    let (mut names, mut columns) = design_columns(exp, specs);
    names.push("stop_reason".into());
    columns.push(Column::Text(
        rows.iter().map(|r| Some(r.stop_reason.clone())).collect(),
    ));
    names.push("last_step".into());
    columns.push(Column::Int64(
        rows.iter().map(|r| i64::from(r.last_step)).collect(),
    ));
    let figures: BTreeSet<&String> = rows.iter().flat_map(|r| r.figures.keys()).collect();
    for f in &figures {
        names.push((*f).clone());
        columns.push(Column::OptDouble(
            rows.iter().map(|r| r.figures.get(*f).copied()).collect(),
        ));
    }
    write_tables(dir, "summary", &names, columns)?;
    files.extend(["summary.csv".to_string(), "summary.parquet".to_string()]);

    if matches!(exp.kind, Kind::Ensemble | Kind::Compare) {
        bands::write(exp, scenarios, &rows, dir)?;
        files.extend(["bands.csv".to_string(), "bands.parquet".to_string()]);
    }
    if exp.kind == Kind::Compare {
        let paired = compare::pairable(&scenarios[0], &scenarios[1]);
        compare::write(&rows, paired, dir)?;
        files.extend([
            "comparison.csv".to_string(),
            "comparison.parquet".to_string(),
        ]);
    }
    Ok(files)
}

/// `run, point, replicate, seed` and one column per varied parameter (numbers when every
/// value is one, text otherwise).
fn design_columns(exp: &Experiment, specs: &[RunSpec]) -> (Vec<String>, Vec<Column>) {
    let mut names: Vec<String> = ["run", "point", "replicate", "seed"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut columns = vec![
        Column::Int64(specs.iter().map(|s| s.id as i64).collect()),
        Column::Int64(specs.iter().map(|s| s.point as i64).collect()),
        Column::Int64(specs.iter().map(|s| i64::from(s.replicate)).collect()),
        Column::Int64(specs.iter().map(|s| s.seed as i64).collect()),
    ];
    for (k, key) in exp.varied.iter().enumerate() {
        let texts: Vec<&str> = specs
            .iter()
            .map(|s| exp.points[s.point].values[k].as_str())
            .collect();
        let numbers: Option<Vec<f64>> = texts.iter().map(|t| t.parse::<f64>().ok()).collect();
        names.push(key.clone());
        columns.push(match numbers {
            Some(v) => Column::Double(v),
            None => Column::Text(
                texts
                    .iter()
                    .map(|t| Some(t.trim_matches('"').to_string()))
                    .collect(),
            ),
        });
    }
    (names, columns)
}
