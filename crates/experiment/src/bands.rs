//! Per-step bands over replicates: for every series and step, the 5 %, 50 % and 95 %
//! quantiles and the mean across the runs of a point.
//!
//! Memory stays flat as the number of runs grows: series are read back from each run's
//! `series.parquet` a few columns at a time (Parquet decodes only the columns asked for), so
//! at most [`BUDGET`] values are held at once whatever the ensemble's size (unless a single
//! series of all runs is larger). A run that ended before the others (a collapse, an
//! equilibrium) keeps its last state for the remaining steps: nothing changes after its end.

use std::path::Path;

use mobilize_core::scenario::Scenario;
use mobilize_core::stats::quantile;
use mobilize_output::layout;
use mobilize_output::{read_double_columns, write_tables, Column};
use rayon::prelude::*;

use crate::plan::{Experiment, Kind};
use crate::rows::run_dir;
use crate::rows::RunRow;
use crate::ExperimentError;

/// Most values held at once while computing bands (8 bytes each: 16 MiB).
pub const BUDGET: usize = 2 << 20;

/// The quantiles reported, as fractions.
pub const QUANTILES: [f64; 3] = [0.05, 0.5, 0.95];

/// The model's series names, from a run's `series.csv` header.
pub fn series_names(run: &Path) -> Result<Vec<String>, ExperimentError> {
    let path = run.join(layout::table(layout::SERIES, "csv"));
    let io = |e: csv::Error| mobilize_output::OutputError::Io {
        action: "cannot read",
        path: path.clone(),
        source: std::io::Error::other(e),
    };
    let mut reader = csv::Reader::from_path(&path).map_err(io)?;
    Ok(reader
        .headers()
        .map_err(io)?
        .iter()
        .filter(|h| *h != "step" && *h != "date")
        .map(str::to_string)
        .collect())
}

/// Writes `bands.csv` and `bands.parquet` (with an `arm` column for comparisons).
pub fn write(
    exp: &Experiment,
    scenarios: &[Scenario],
    rows: &[RunRow],
    dir: &Path,
) -> Result<(), ExperimentError> {
    let dated = scenarios.iter().all(|s| s.time.start.is_some());
    let mut arm: Vec<Option<String>> = Vec::new();
    let mut steps: Vec<i32> = Vec::new();
    let mut dates: Vec<Option<String>> = Vec::new();
    let mut series: Vec<Option<String>> = Vec::new();
    let mut q: [Vec<f64>; 3] = Default::default();
    let mut means: Vec<f64> = Vec::new();
    for (p, point) in exp.points.iter().enumerate() {
        let runs: Vec<&RunRow> = rows.iter().filter(|r| r.spec.point == p).collect();
        let Some(first) = runs.first() else { continue };
        let names = series_names(&run_dir(dir, first.spec.id))?;
        let len = runs
            .iter()
            .map(|r| r.last_step as usize + 1)
            .max()
            .unwrap_or(1);
        let n = runs.len();
        let per_pass = (BUDGET / (n * len).max(1)).max(1);
        for chunk in names.chunks(per_pass) {
            let wanted: Vec<&str> = chunk.iter().map(String::as_str).collect();
            // Filled run by run in parallel, each run owning `[run][column][step]`.
            let block = chunk.len() * len;
            let mut buf = vec![0.0f64; block * n];
            buf.par_chunks_mut(block)
                .zip(runs.par_iter())
                .try_for_each(|(slot, run)| -> Result<(), ExperimentError> {
                    let path =
                        run_dir(dir, run.spec.id).join(layout::table(layout::SERIES, "parquet"));
                    let columns = read_double_columns(&path, &wanted)?;
                    for (c, values) in columns.iter().enumerate() {
                        let last = values.last().copied().unwrap_or(f64::NAN);
                        for (step, x) in slot[c * len..(c + 1) * len].iter_mut().enumerate() {
                            *x = values.get(step).copied().unwrap_or(last);
                        }
                    }
                    Ok(())
                })?;
            // One (mean, quantiles) per column and step, computed in parallel, kept in order.
            let cells: Vec<(f64, [f64; 3])> = (0..block)
                .into_par_iter()
                .map_init(Vec::new, |cell, k| {
                    cell.clear();
                    cell.extend((0..n).map(|r| buf[r * block + k]));
                    let mean = cell.iter().sum::<f64>() / n as f64;
                    (mean, QUANTILES.map(|p| quantile(cell, p)))
                })
                .collect();
            for (c, name) in chunk.iter().enumerate() {
                for step in 0..len {
                    let (mean, qs) = cells[c * len + step];
                    means.push(mean);
                    for (k, v) in qs.into_iter().enumerate() {
                        q[k].push(v);
                    }
                    if exp.kind == Kind::Compare {
                        arm.push(Some(point.label.clone()));
                    }
                    steps.push(step as i32);
                    if dated {
                        dates.push(
                            scenarios[p]
                                .time
                                .date_of(step as u32)
                                .map(|d| d.to_string()),
                        );
                    }
                    series.push(Some(name.clone()));
                }
            }
        }
    }
    let mut names: Vec<String> = Vec::new();
    let mut columns = Vec::new();
    if exp.kind == Kind::Compare {
        names.push("arm".into());
        columns.push(Column::Text(arm));
    }
    names.push("series".into());
    columns.push(Column::Text(series));
    names.push("step".into());
    columns.push(Column::Int32(steps));
    if dated {
        names.push("date".into());
        columns.push(Column::Text(dates));
    }
    let [p05, median, p95] = q;
    for (name, v) in [
        ("p05", p05),
        ("median", median),
        ("p95", p95),
        ("mean", means),
    ] {
        names.push(name.into());
        columns.push(Column::Double(v));
    }
    write_tables(dir, "bands", &names, columns)?;
    Ok(())
}
