//! Paired differences between the two arms of a comparison.
//!
//! Replicate `r` of arm `a` and of arm `b` share their seed, so every random stream of the two
//! runs is the same draw for draw (common random numbers): what differs between a pair is what
//! the arms change. The difference is `b − a` for each figure, over the pairs where both runs
//! report it (a figure such as `collapse_step` is missing from a run without a collapse; those
//! pairs are counted, not guessed). The interval is Student's t on the paired differences.

use std::collections::BTreeSet;
use std::path::Path;

use mobilize_core::stats::student_t_quantile;
use mobilize_output::{write_tables, Column};

use crate::rows::RunRow;
use crate::ExperimentError;

/// Confidence level of the intervals.
pub const LEVEL: f64 = 0.95;

/// The paired comparison of one figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Paired {
    /// The figure's name.
    pub figure: String,
    /// Pairs where both arms report it.
    pub pairs: usize,
    /// Mean in arm a over those pairs.
    pub mean_a: f64,
    /// Mean in arm b over those pairs.
    pub mean_b: f64,
    /// Mean of b − a.
    pub difference: f64,
    /// Standard deviation of b − a.
    pub sd: f64,
    /// Lower end of the 95 % interval of the mean difference.
    pub ci_low: f64,
    /// Upper end.
    pub ci_high: f64,
    /// Replicates where only arm a reports it.
    pub only_a: usize,
    /// Replicates where only arm b reports it.
    pub only_b: usize,
}

/// Pairs the rows of arm 0 (`a`) and arm 1 (`b`) by replicate and compares every figure.
pub fn paired(rows: &[RunRow]) -> Vec<Paired> {
    let arm = |p: usize| -> Vec<&RunRow> { rows.iter().filter(|r| r.spec.point == p).collect() };
    let (a, b) = (arm(0), arm(1));
    let figures: BTreeSet<&String> = rows.iter().flat_map(|r| r.figures.keys()).collect();
    figures
        .into_iter()
        .map(|f| {
            let mut diffs = Vec::new();
            let (mut sum_a, mut sum_b) = (0.0, 0.0);
            let (mut only_a, mut only_b) = (0, 0);
            for (ra, rb) in a.iter().zip(&b) {
                debug_assert_eq!(ra.spec.seed, rb.spec.seed);
                match (ra.figures.get(f), rb.figures.get(f)) {
                    (Some(&x), Some(&y)) => {
                        sum_a += x;
                        sum_b += y;
                        diffs.push(y - x);
                    }
                    (Some(_), None) => only_a += 1,
                    (None, Some(_)) => only_b += 1,
                    (None, None) => {}
                }
            }
            let n = diffs.len();
            let mean = diffs.iter().sum::<f64>() / n.max(1) as f64;
            let sd = if n > 1 {
                (diffs.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
            } else {
                f64::NAN
            };
            let half = if n > 1 {
                student_t_quantile(0.5 + LEVEL / 2.0, (n - 1) as f64) * sd / (n as f64).sqrt()
            } else {
                f64::NAN
            };
            let nan_if_empty = |v: f64| if n == 0 { f64::NAN } else { v };
            Paired {
                figure: f.clone(),
                pairs: n,
                mean_a: nan_if_empty(sum_a / n.max(1) as f64),
                mean_b: nan_if_empty(sum_b / n.max(1) as f64),
                difference: nan_if_empty(mean),
                sd,
                ci_low: mean - half,
                ci_high: mean + half,
                only_a,
                only_b,
            }
        })
        .collect()
}

/// Writes `comparison.csv` and `comparison.parquet`, one row per figure.
pub fn write(rows: &[RunRow], dir: &Path) -> Result<(), ExperimentError> {
    let p = paired(rows);
    let opt = |f: fn(&Paired) -> f64| {
        Column::OptDouble(
            p.iter()
                .map(|x| Some(f(x)).filter(|v| !v.is_nan()))
                .collect(),
        )
    };
    let names: Vec<String> = [
        "figure",
        "pairs",
        "mean_a",
        "mean_b",
        "difference",
        "sd",
        "ci_low",
        "ci_high",
        "only_a",
        "only_b",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let columns = vec![
        Column::Text(p.iter().map(|x| Some(x.figure.clone())).collect()),
        Column::Int64(p.iter().map(|x| x.pairs as i64).collect()),
        opt(|x| x.mean_a),
        opt(|x| x.mean_b),
        opt(|x| x.difference),
        opt(|x| x.sd),
        opt(|x| x.ci_low),
        opt(|x| x.ci_high),
        Column::Int64(p.iter().map(|x| x.only_a as i64).collect()),
        Column::Int64(p.iter().map(|x| x.only_b as i64).collect()),
    ];
    write_tables(dir, "comparison", &names, columns)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::RunSpec;

    fn row(point: usize, replicate: u32, figures: &[(&str, f64)]) -> RunRow {
        RunRow {
            spec: RunSpec {
                id: point * 4 + replicate as usize,
                point,
                replicate,
                seed: u64::from(replicate),
            },
            stop_reason: "ended".into(),
            last_step: 10,
            figures: figures.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        }
    }

    #[test]
    fn paired_differences_with_t_interval_and_missing_figures_counted() {
        let rows = vec![
            row(0, 0, &[("x", 1.0), ("c", 5.0)]),
            row(0, 1, &[("x", 2.0)]),
            row(0, 2, &[("x", 3.0), ("c", 7.0)]),
            row(1, 0, &[("x", 2.0)]),
            row(1, 1, &[("x", 4.0)]),
            row(1, 2, &[("x", 6.0), ("c", 9.0)]),
        ];
        let p = paired(&rows);
        let c = &p[0];
        assert_eq!(
            (c.figure.as_str(), c.pairs, c.only_a, c.only_b),
            ("c", 1, 1, 0)
        );
        assert!(c.ci_low.is_nan());
        let x = &p[1];
        assert_eq!(
            (x.pairs, x.mean_a, x.mean_b, x.difference),
            (3, 2.0, 4.0, 2.0)
        );
        assert!((x.sd - 1.0).abs() < 1e-15);
        // t(0.975, 2) = 4.302653; half-width = 4.302653 / sqrt(3).
        assert!((x.ci_high - (2.0 + 4.302_652_73 / 3f64.sqrt())).abs() < 1e-6);
    }

    #[test]
    fn identical_arms_differ_by_exactly_zero() {
        let rows: Vec<RunRow> = (0..2)
            .flat_map(|p| (0..3).map(move |r| row(p, r, &[("x", 1.5 * f64::from(r))])))
            .collect();
        let x = &paired(&rows)[0];
        assert_eq!(
            (x.difference, x.sd, x.ci_low, x.ci_high),
            (0.0, 0.0, 0.0, 0.0)
        );
    }
}
