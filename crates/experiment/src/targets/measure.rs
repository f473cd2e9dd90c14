//! What a target reads from a run: a figure, a series at a step or over a window, logged
//! events; and whether a scenario's runs can have it.

use mobilize_core::calendar::Date;
use mobilize_core::observe::Recorder;
use mobilize_core::scenario::TimeSpan;

use super::Target;

/// When, in a run: a step or a date (dated scenarios).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum When {
    /// A step number.
    Step(u32),
    /// A calendar date; the step it falls in.
    Date(Date),
}

impl When {
    /// The step `self` falls in under `time`, or why it has none.
    pub fn step(self, time: &TimeSpan) -> Result<u32, String> {
        match self {
            When::Step(s) => Ok(s),
            When::Date(d) => {
                let start = time
                    .start
                    .ok_or_else(|| format!("{d} is a date, but the scenario has no dates"))?;
                let days = d.days_since(start);
                if days < 0 {
                    return Err(format!("{d} is before the scenario starts ({start})"));
                }
                Ok((days as f64 / time.step_days)
                    .floor()
                    .min(f64::from(u32::MAX)) as u32)
            }
        }
    }
}

/// A summary of a series over a window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stat {
    /// Sum of the values at every step of the window.
    Sum,
    /// Mean of the values.
    Mean,
    /// Largest value.
    Max,
    /// Smallest value.
    Min,
    /// Last value minus the value just before the window (for cumulative series: what
    /// happened within it).
    Change,
}

impl Stat {
    pub(super) const NAMES: [&'static str; 5] = ["sum", "mean", "max", "min", "change"];

    pub(super) fn parse(s: &str) -> Option<Stat> {
        Some(match s {
            "sum" => Stat::Sum,
            "mean" => Stat::Mean,
            "max" => Stat::Max,
            "min" => Stat::Min,
            "change" => Stat::Change,
            _ => return None,
        })
    }
}

/// What a target reads from a run.
#[derive(Clone, Debug, PartialEq)]
pub enum Measure {
    /// A headline figure (a run may not report it: a collapse that did not happen).
    Figure(String),
    /// A series' value at a step.
    SeriesAt {
        /// The column.
        column: String,
        /// When.
        at: When,
    },
    /// A series summarized over a window (both ends included).
    SeriesOver {
        /// The column.
        column: String,
        /// First step.
        from: When,
        /// Last step.
        to: When,
        /// How.
        stat: Stat,
    },
    /// Logged events of a kind within a window: entries, or the persons they concern.
    Events {
        /// The kind (`crowd_arrests`, `liberation`).
        kind: String,
        /// First step.
        from: When,
        /// Last step.
        to: When,
        /// Sum the entries' persons rather than count the entries.
        persons: bool,
        /// Only entries in these regions (by name); all entries when `None`.
        regions: Option<Vec<String>>,
    },
}

/// Why a target cannot be read from a run of its scenario (a series it does not have, a date
/// outside it): a problem of the targets file, found once the scenario's run is known.
pub fn check_against(
    t: &Target,
    time: &TimeSpan,
    columns: &[String],
    region_names: &[String],
) -> Result<(), String> {
    let column_ok = |c: &str| -> Result<(), String> {
        if columns.iter().any(|k| k == c) {
            Ok(())
        } else {
            let near = columns
                .iter()
                .map(|k| (strsim::jaro_winkler(c, k), k))
                .max_by(|a, b| a.0.total_cmp(&b.0))
                .filter(|(s, _)| *s > 0.8)
                .map(|(_, k)| format!("; did you mean `{k}`?"))
                .unwrap_or_default();
            Err(format!(
                "target `{}`: the scenario's runs have no series `{c}`{near}",
                t.name
            ))
        }
    };
    let in_run = |w: When| -> Result<(), String> {
        let s = w
            .step(time)
            .map_err(|m| format!("target `{}`: {m}", t.name))?;
        if s > time.steps {
            return Err(format!(
                "target `{}`: step {s} is after the scenario's last step ({})",
                t.name, time.steps
            ));
        }
        Ok(())
    };
    match &t.measure {
        Measure::Figure(_) => Ok(()),
        Measure::SeriesAt { column, at } => {
            column_ok(column)?;
            in_run(*at)
        }
        Measure::SeriesOver {
            column, from, to, ..
        } => {
            column_ok(column)?;
            in_run(*from)?;
            in_run(*to)
        }
        Measure::Events {
            from, to, regions, ..
        } => {
            for r in regions.iter().flatten() {
                if !region_names.contains(r) {
                    return Err(format!(
                        "target `{}`: the scenario has no region `{r}` (its regions: {})",
                        t.name,
                        region_names.join(", ")
                    ));
                }
            }
            in_run(*from)?;
            in_run(*to)
        }
    }
}

/// The target's value in one run (recorded with every column and the event log), or `None`
/// when the run did not reach it (a figure it does not report, a window after its end).
pub fn value_in(
    t: &Target,
    time: &TimeSpan,
    region_names: &[String],
    run: &Recorder,
) -> Option<f64> {
    let row_of = |w: When| -> Option<usize> {
        let s = w.step(time).ok()?;
        run.steps.iter().position(|&k| k == s)
    };
    let last = run.steps.last().copied()?;
    match &t.measure {
        Measure::Figure(f) => run
            .outcome
            .as_ref()?
            .figures
            .iter()
            .find(|(k, _)| k == f)
            .map(|&(_, v)| v),
        Measure::SeriesAt { column, at } => {
            let c = run.columns.iter().position(|k| k == column)?;
            Some(run.rows[row_of(*at)?][c])
        }
        Measure::SeriesOver {
            column,
            from,
            to,
            stat,
        } => {
            let c = run.columns.iter().position(|k| k == column)?;
            let a = row_of(*from)?;
            // A run that ended inside the window is read to its end.
            let b = to.step(time).ok().map_or(last, |s| s.min(last));
            let b = run.steps.iter().position(|&k| k == b)?;
            let values = run.rows[a..=b].iter().map(|r| r[c]);
            Some(match stat {
                Stat::Sum => values.sum(),
                Stat::Mean => values.sum::<f64>() / (b - a + 1) as f64,
                Stat::Max => values.fold(f64::NEG_INFINITY, f64::max),
                Stat::Min => values.fold(f64::INFINITY, f64::min),
                Stat::Change => {
                    let before = if a == 0 { 0.0 } else { run.rows[a - 1][c] };
                    run.rows[b][c] - before
                }
            })
        }
        Measure::Events {
            kind,
            from,
            to,
            persons,
            regions,
        } => {
            let (a, b) = (from.step(time).ok()?, to.step(time).ok()?);
            if a > last {
                return None;
            }
            let in_regions = |r: Option<u16>| match regions {
                None => true,
                Some(list) => r
                    .and_then(|r| region_names.get(r as usize))
                    .is_some_and(|n| list.contains(n)),
            };
            Some(
                run.log
                    .iter()
                    .filter(|e| {
                        e.kind == *kind && (a..=b).contains(&e.step) && in_regions(e.region)
                    })
                    .map(|e| if *persons { e.count as f64 } else { 1.0 })
                    .sum(),
            )
        }
    }
}
