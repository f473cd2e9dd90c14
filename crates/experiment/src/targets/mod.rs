//! Targets: what the record says, set against what a model does.
//!
//! A targets file (TOML) lists observations, each with what it reads from a run (a headline
//! figure, a series at a date or over a window, a count of logged events in a window), the
//! value observed, how uncertain that value is (an interval as sources give them, or an error
//! model) and where it comes from. [`score`] runs replicates of each scenario the file names
//! and says, target by target, how far the model's values lie from the observation, measured
//! by the implausibility of history matching (Vernon, Goldstein and Bower 2010):
//!
//! I = |z − E[f]| / √(V_obs + V_model),
//!
//! where z is the observed value, E[f] the mean over replicates, V_obs the observation's
//! variance (from its error model) and V_model the variance over replicates (the model's own
//! noise). A target with I > 3 is missed: the model as it stands does not reproduce it.
//!
//! ```toml
//! scenario = "korea-1919"          # the default for every target
//!
//! [[target]]
//! name = "killed"
//! figure = "killed"                 # a headline figure of the run
//! interval = [798, 7509]            # as the sources give it: read as a 95 % range
//! counts_persons = true             # at full scale: a run's value is divided by its scale
//! source = "Japanese official count (798) and Park Eun-sik (7,509)"
//!
//! [[target]]
//! name = "arrests in 1937"
//! series = "arrested_total"         # a series column
//! window = ["1937-01-01", "1937-12-31"]
//! stat = "change"                   # sum, mean, max, min, change (last − first), or `at = date`
//! observed = 1637
//! cv = 0.2                          # or sd = …, or error = "negative_binomial" with dispersion
//! ```
//!
//! The parts: `file.rs` reads and checks a targets file, `measure.rs` says what a target reads
//! from a run, `prior.rs` draws parameters from their priors, `score.rs` runs replicates and
//! scores them.

mod file;
mod measure;
mod prior;
mod score;

pub use file::MAX_TARGETS;
pub use measure::{check_against, value_in, Measure, Stat, When};
pub use prior::{latin_hypercube, unit_hypercube, Prior};
pub use score::{human, replicate_values, score, ErrorModel, Score, CUT_OFF};

/// A targets file, checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Targets {
    /// Where it was read from, for messages.
    pub file: String,
    /// Targets in file order.
    pub targets: Vec<Target>,
    /// The parameters to vary and how each is drawn (`[priors]`), in file order; the others
    /// stay as the scenario sets them.
    pub priors: Vec<(String, Prior)>,
    /// Line of the `[priors]` table (0 without one), for messages.
    pub priors_line: usize,
}

impl Targets {
    /// Takes each prior's missing bounds from its parameter's declared range (`declared(path)`,
    /// [`mobilize_core::model::declared_range`]), and refuses a prior that reaches outside
    /// that range, before anything runs.
    pub fn bound_priors(
        &mut self,
        declared: &dyn Fn(&str) -> Option<(f64, f64)>,
    ) -> Result<(), TargetsError> {
        let err = |message: String| TargetsError {
            file: self.file.clone(),
            line: self.priors_line,
            column: 1,
            message,
        };
        for (path, prior) in &mut self.priors {
            let range = declared(path);
            let Some((min, max)) = prior.bounds() else {
                continue;
            };
            let (lo, hi) = match (min.is_nan() || max.is_nan(), range) {
                (true, None) => {
                    return Err(err(format!(
                        "priors.\"{path}\": the parameter declares no range to take `min` and `max` from; give them"
                    )))
                }
                (true, Some((dlo, dhi))) => (
                    if min.is_nan() { dlo } else { min },
                    if max.is_nan() { dhi } else { max },
                ),
                (false, _) => (min, max),
            };
            if let Some((dlo, dhi)) = range {
                if lo < dlo || hi > dhi {
                    return Err(err(format!(
                        "priors.\"{path}\": [{lo}, {hi}] reaches outside the parameter's range (allowed: {dlo} to {dhi})"
                    )));
                }
            }
            if lo >= hi {
                return Err(err(format!(
                    "priors.\"{path}\": [{lo}, {hi}] is not a range (allowed: min < max)"
                )));
            }
            *prior = match *prior {
                Prior::Uniform { .. } => Prior::Uniform { min: lo, max: hi },
                Prior::LogUniform { .. } if lo > 0.0 => Prior::LogUniform { min: lo, max: hi },
                Prior::LogUniform { .. } => {
                    return Err(err(format!(
                        "priors.\"{path}\": `log_uniform` needs min > 0, and the declared range starts at {lo}; give `min`"
                    )))
                }
                other => other,
            };
        }
        Ok(())
    }
}

/// One observation and how to read it from a run.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// Its name, unique in the file.
    pub name: String,
    /// The scenario it is an observation of (a file or an embedded name).
    pub scenario: String,
    /// What it reads from a run.
    pub measure: Measure,
    /// The value observed.
    pub observed: f64,
    /// How uncertain the observed value is.
    pub error: ErrorModel,
    /// Where the value comes from.
    pub source: String,
    /// Kept out of a fit and scored afterwards.
    pub holdout: bool,
    /// Weight in a fit's distance (1 unless given).
    pub weight: f64,
    /// The value counts persons at full scale (a number of people killed, arrested, risen):
    /// a run at `scale` s counts s times as many, so its value is divided by s first.
    pub counts_persons: bool,
    /// Line of its `[[target]]` table.
    pub line: usize,
}

/// A problem in a targets file, located.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{file}{}: {message}", if *line > 0 { format!(":{line}:{column}") } else { String::new() })]
pub struct TargetsError {
    /// The file.
    pub file: String,
    /// Line (from 1; 0 when the problem is the whole file's, as a file that cannot be read).
    pub line: usize,
    /// Column (from 1).
    pub column: usize,
    /// What is wrong, with the field and what is allowed.
    pub message: String,
}

#[cfg(test)]
mod tests;
