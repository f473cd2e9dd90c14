//! Differences between the two arms of a comparison, paired where the arms allow it.
//!
//! Replicate `r` of arm `a` and of arm `b` share their seed. When the arms describe the same
//! world and the same timeline ([`pairable`]), every random stream of the two runs is the same
//! draw for draw (common random numbers): what differs between a pair is what the arms change.
//! The difference is then `b − a` for each figure, over the pairs where both runs report it (a
//! figure such as `collapse_step` is missing from a run without a collapse; those pairs are
//! counted, not guessed), with Student's t interval on the paired differences. When the arms
//! differ in their world or timeline (two accounts of history), the same seed no longer draws
//! the same things, pairing would be a fiction, and the difference of the two arms' means is
//! given with Welch's interval instead.

use std::collections::BTreeSet;
use std::path::Path;

use mobilize_core::scenario::Scenario;
use mobilize_core::stats::student_t_quantile;
use mobilize_output::{write_tables, Column};

use crate::rows::RunRow;
use crate::ExperimentError;

/// Confidence level of the intervals.
pub const LEVEL: f64 = 0.95;

/// Whether the arms can be paired replicate by replicate: the same people, ties and state
/// (no structural difference), and every event both arms have at the same place of the
/// timeline of the same kind at the same step (their sizes may differ, as when an arm sets an
/// offensive's strength to 0; an event one arm switches off, `enabled = false`, keeps every
/// other event's place and draws), so that the same seed draws the same random numbers for
/// the same decisions.
pub fn pairable(a: &Scenario, b: &Scenario) -> bool {
    why_unpaired(a, b).is_none()
}

/// Why the arms cannot be paired, in words, or `None` when they can ([`pairable`]).
pub fn why_unpaired(a: &Scenario, b: &Scenario) -> Option<String> {
    let structural = a.structural_differences(b);
    if !structural.is_empty() {
        return Some(format!("their worlds differ ({})", structural.join(", ")));
    }
    let at = |s: &Scenario| -> std::collections::BTreeMap<u32, (u32, &str)> {
        s.events
            .iter()
            .map(|e| (e.index, (e.step, e.kind)))
            .collect()
    };
    let (ta, tb) = (at(a), at(b));
    ta.iter().find_map(|(k, x)| {
        let y = tb.get(k)?;
        (x != y).then(|| {
            format!(
                "their timelines differ: event {k} is `{}` at step {} in arm a, `{}` at step {} in arm b",
                x.1, x.0, y.1, y.0
            )
        })
    })
}

/// The comparison of one figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Paired {
    /// The figure's name.
    pub figure: String,
    /// Whether the runs were paired (common random numbers) or compared as two samples.
    pub paired: bool,
    /// Pairs where both arms report it (0 when not paired).
    pub pairs: usize,
    /// Runs of arm a that report it.
    pub n_a: usize,
    /// Runs of arm b that report it.
    pub n_b: usize,
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

/// Compares every figure of arm 0 (`a`) and arm 1 (`b`): by replicate pairs when `paired`,
/// otherwise as two independent samples (Welch).
pub fn compare(rows: &[RunRow], paired: bool) -> Vec<Paired> {
    if paired {
        return self::paired(rows);
    }
    let arm = |p: usize| -> Vec<&RunRow> { rows.iter().filter(|r| r.spec.point == p).collect() };
    let (a, b) = (arm(0), arm(1));
    let figures: BTreeSet<&String> = rows.iter().flat_map(|r| r.figures.keys()).collect();
    figures
        .into_iter()
        .map(|f| {
            let values = |arm: &[&RunRow]| -> Vec<f64> {
                arm.iter()
                    .filter_map(|r| r.figures.get(f).copied())
                    .collect()
            };
            let (xs, ys) = (values(&a), values(&b));
            let (only_a, only_b) = a.iter().zip(&b).fold((0, 0), |(oa, ob), (ra, rb)| {
                match (ra.figures.contains_key(f), rb.figures.contains_key(f)) {
                    (true, false) => (oa + 1, ob),
                    (false, true) => (oa, ob + 1),
                    _ => (oa, ob),
                }
            });
            let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
            let var = |v: &[f64], m: f64| {
                if v.len() > 1 {
                    v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64
                } else {
                    f64::NAN
                }
            };
            let (ma, mb) = (mean(&xs), mean(&ys));
            let (va, vb) = (var(&xs, ma), var(&ys, mb));
            let (na, nb) = (xs.len() as f64, ys.len() as f64);
            let (sa, sb) = (va / na, vb / nb);
            let se = (sa + sb).sqrt();
            // Welch–Satterthwaite degrees of freedom.
            let df = (sa + sb).powi(2) / (sa * sa / (na - 1.0) + sb * sb / (nb - 1.0));
            let half = if se > 0.0 && df.is_finite() {
                student_t_quantile(0.5 + LEVEL / 2.0, df) * se
            } else if se == 0.0 {
                0.0
            } else {
                f64::NAN
            };
            let nan_if_empty = |v: f64, n: usize| if n == 0 { f64::NAN } else { v };
            let difference = if xs.is_empty() || ys.is_empty() {
                f64::NAN
            } else {
                mb - ma
            };
            Paired {
                figure: f.clone(),
                paired: false,
                pairs: 0,
                n_a: xs.len(),
                n_b: ys.len(),
                mean_a: nan_if_empty(ma, xs.len()),
                mean_b: nan_if_empty(mb, ys.len()),
                difference,
                sd: f64::NAN,
                ci_low: difference - half,
                ci_high: difference + half,
                only_a,
                only_b,
            }
        })
        .collect()
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
                paired: true,
                pairs: n,
                n_a: n + only_a,
                n_b: n + only_b,
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
pub fn write(rows: &[RunRow], paired: bool, dir: &Path) -> Result<(), ExperimentError> {
    let p = compare(rows, paired);
    let opt = |f: fn(&Paired) -> f64| {
        Column::OptDouble(
            p.iter()
                .map(|x| Some(f(x)).filter(|v| !v.is_nan()))
                .collect(),
        )
    };
    let names: Vec<String> = [
        "figure",
        "design",
        "pairs",
        "n_a",
        "n_b",
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
        Column::Text(
            p.iter()
                .map(|x| Some(if x.paired { "paired" } else { "unpaired" }.to_string()))
                .collect(),
        ),
        Column::Int64(p.iter().map(|x| x.pairs as i64).collect()),
        Column::Int64(p.iter().map(|x| x.n_a as i64).collect()),
        Column::Int64(p.iter().map(|x| x.n_b as i64).collect()),
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
    use mobilize_core::scenario::{embedded, Override};

    /// An arm that switches a cause off (an event with `enabled = false`) stays paired with
    /// the arm that keeps it (it was compared unpaired, as if the two were different worlds);
    /// two accounts of history are not paired, and the output says why.
    #[test]
    fn switching_an_event_off_keeps_the_arms_paired_and_an_unpaired_comparison_says_why() {
        let load = |name: &str, sets: &[&str]| {
            let o: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
            Scenario::load(&embedded::source(name).unwrap(), &o).unwrap()
        };
        let all = load("two-valleys", &[]);
        let off = load("two-valleys", &["events[1].enabled=false"]);
        assert!(pairable(&all, &off));
        assert!(pairable(&off, &all));
        let a = load("korea-1936-1945", &["scale=0.01"]);
        let b = load("korea-1945-mainstream", &["scale=0.01"]);
        let why = why_unpaired(&a, &b).expect("two accounts are not paired");
        assert!(why.starts_with("their timelines differ: event "), "{why}");
        let bigger = load("two-valleys", &["scale=0.5"]);
        assert!(why_unpaired(&all, &bigger)
            .unwrap()
            .starts_with("their worlds differ"));
    }

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

    #[test]
    fn unpaired_arms_are_compared_by_their_means_with_welch() {
        // Arm a: 1, 2, 3 (mean 2, variance 1); arm b: 2, 6 and one run without the figure
        // (mean 4, variance 8).
        let rows = vec![
            row(0, 0, &[("x", 1.0)]),
            row(0, 1, &[("x", 2.0)]),
            row(0, 2, &[("x", 3.0)]),
            row(1, 0, &[("x", 2.0)]),
            row(1, 1, &[]),
            row(1, 2, &[("x", 6.0)]),
        ];
        let x = &compare(&rows, false)[0];
        assert!(!x.paired);
        assert_eq!((x.pairs, x.n_a, x.n_b, x.only_a), (0, 3, 2, 1));
        assert_eq!((x.mean_a, x.mean_b, x.difference), (2.0, 4.0, 2.0));
        // se² = 1/3 + 8/2 = 13/3; Welch df = (13/3)² / ((1/3)²/2 + 4²/1) = 1.1687...
        let se = (13.0f64 / 3.0).sqrt();
        let df = (13.0f64 / 3.0).powi(2) / ((1.0f64 / 3.0).powi(2) / 2.0 + 16.0);
        let half = student_t_quantile(0.975, df) * se;
        assert!((x.ci_high - (2.0 + half)).abs() < 1e-9, "{x:?}");
        assert!(
            half > 10.0,
            "two runs in arm b leave the difference very uncertain"
        );
        // The same rows, paired, use only the two complete pairs.
        let p = &compare(&rows, true)[0];
        assert!(p.paired);
        assert_eq!((p.pairs, p.n_a, p.n_b), (2, 3, 2));
    }
}
