//! Scoring: the model's replicates against each target, by the implausibility of history
//! matching.

use mobilize_core::observe::Recorder;

use super::{check_against, value_in, Target, Targets, TargetsError};

/// How uncertain an observed value is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ErrorModel {
    /// A range as sources give it (`[lo, hi]`), read as a 95 % range: sd = (hi − lo) / 4.
    Interval {
        /// Low end.
        lo: f64,
        /// High end.
        hi: f64,
    },
    /// Normal with this standard deviation (`sd`, or `cv` × observed).
    Normal {
        /// Standard deviation.
        sd: f64,
    },
    /// A count with extra-Poisson spread: variance = μ + μ² / dispersion.
    NegativeBinomial {
        /// The dispersion k (smaller: more spread).
        dispersion: f64,
    },
    /// Successes out of a known number of trials: variance = n p (1 − p).
    Binomial {
        /// Trials.
        trials: f64,
    },
}

impl ErrorModel {
    /// The observation's variance around `observed`.
    pub fn variance(&self, observed: f64) -> f64 {
        match *self {
            ErrorModel::Interval { lo, hi } => ((hi - lo) / 4.0).powi(2),
            ErrorModel::Normal { sd } => sd * sd,
            ErrorModel::NegativeBinomial { dispersion } => {
                observed + observed * observed / dispersion
            }
            ErrorModel::Binomial { trials } => {
                let p = observed / trials;
                trials * p * (1.0 - p)
            }
        }
    }

    /// The value the model is measured against: an interval's middle, else the observation.
    pub fn centre(&self, observed: f64) -> f64 {
        match *self {
            ErrorModel::Interval { lo, hi } => (lo + hi) / 2.0,
            _ => observed,
        }
    }

    /// How the uncertainty reads in a table.
    pub fn describe(&self, observed: f64) -> String {
        match *self {
            ErrorModel::Interval { lo, hi } => format!("[{} – {}]", human(lo), human(hi)),
            ErrorModel::Normal { sd } => format!("± {}", human(sd)),
            ErrorModel::NegativeBinomial { dispersion } => {
                format!("negative binomial, k = {dispersion}")
            }
            ErrorModel::Binomial { trials } => format!(
                "{} of {} ({:.1} %)",
                human(observed),
                human(trials),
                100.0 * observed / trials
            ),
        }
    }
}

/// A target against the model's replicates.
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    /// Replicates run.
    pub runs: usize,
    /// Replicates that reached the target (reported the figure, ran into the window).
    pub reached: usize,
    /// Mean over those.
    pub mean: f64,
    /// Standard deviation over those (the model's own noise).
    pub sd: f64,
    /// 5th, 50th and 95th percentiles.
    pub quantiles: [f64; 3],
    /// |z − mean| / √(V_obs + V_model); infinite when no replicate reached the target.
    pub implausibility: f64,
}

/// The cut-off of history matching: a target farther than this is missed.
pub const CUT_OFF: f64 = 3.0;

impl Score {
    /// Scores `values` (one per replicate, `None` where the target was not reached) against
    /// `t`.
    pub fn of(t: &Target, values: &[Option<f64>]) -> Score {
        let mut got: Vec<f64> = values.iter().flatten().copied().collect();
        got.sort_by(f64::total_cmp);
        let n = got.len();
        if n == 0 {
            return Score {
                runs: values.len(),
                reached: 0,
                mean: f64::NAN,
                sd: f64::NAN,
                quantiles: [f64::NAN; 3],
                implausibility: f64::INFINITY,
            };
        }
        let mean = got.iter().sum::<f64>() / n as f64;
        let var = if n > 1 {
            got.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64
        } else {
            0.0
        };
        let q = |p: f64| {
            let x = p * (n - 1) as f64;
            let (i, f) = (x.floor() as usize, x.fract());
            if i + 1 < n {
                got[i] * (1.0 - f) + got[i + 1] * f
            } else {
                got[n - 1]
            }
        };
        let z = t.error.centre(t.observed);
        let denom = (t.error.variance(t.observed) + var).sqrt();
        let gap = (z - mean).abs();
        let implausibility = if denom > 0.0 {
            gap / denom
        } else if gap == 0.0 {
            0.0
        } else {
            f64::INFINITY
        };
        Score {
            runs: values.len(),
            reached: n,
            mean,
            sd: var.sqrt(),
            quantiles: [q(0.05), q(0.5), q(0.95)],
            implausibility,
        }
    }

    /// Whether the model meets the target (I ≤ 3 and reached in every replicate).
    pub fn met(&self) -> bool {
        self.reached == self.runs && self.implausibility <= CUT_OFF
    }

    /// The verdict in words.
    pub fn verdict(&self) -> String {
        if self.reached == 0 {
            "never reached".into()
        } else if self.reached < self.runs {
            format!(
                "reached in {} of {} runs (I = {})",
                self.reached,
                self.runs,
                fmt_i(self.implausibility)
            )
        } else if self.met() {
            "met".into()
        } else {
            "missed".into()
        }
    }
}

fn fmt_i(i: f64) -> String {
    if i.is_finite() {
        format!("{i:.1}")
    } else {
        "∞".into()
    }
}

pub use mobilize_core::text::human;

/// The target's value in a run of `scenario`, counts of persons taken to full scale.
fn full_scale(
    t: &Target,
    scenario: &mobilize_core::scenario::Scenario,
    run: &Recorder,
) -> Option<f64> {
    let names: Vec<String> = scenario.regions.iter().map(|r| r.name.clone()).collect();
    let v = value_in(t, &scenario.time, &names, run)?;
    Some(if t.counts_persons {
        v / scenario.scale
    } else {
        v
    })
}

/// Replicate `k` of `scenario` (seed `replicate_seed(base, k)`), in the world `worlds` keeps.
fn replicate(
    scenario: &mobilize_core::scenario::Scenario,
    base: u64,
    k: u32,
    worlds: &mobilize_core::world::WorldCache,
) -> Recorder {
    let s = scenario.with_seed(crate::seeds::replicate_seed(base, k));
    let world = worlds.world(&s);
    let mut rec = Recorder::default();
    // A recorder never fails.
    let _ = mobilize_core::engine::Sim::in_world(s, world).run(&mut [&mut rec]);
    rec
}

/// Whether target `t` can be read from a run of `scenario` (its series, regions and dates);
/// an error of the targets file at the target's line if not.
fn readable(
    targets: &Targets,
    t: &Target,
    scenario: &mobilize_core::scenario::Scenario,
    run: &Recorder,
) -> Result<(), TargetsError> {
    let names: Vec<String> = scenario.regions.iter().map(|r| r.name.clone()).collect();
    check_against(t, &scenario.time, &run.columns, &names).map_err(|message| TargetsError {
        file: targets.file.clone(),
        line: t.line,
        column: 1,
        message,
    })
}

/// Runs `replicates` replicates of each scenario in `scenarios` (name as the targets file
/// gives it, and the validated scenario) in the current rayon pool, and scores every target;
/// replicate k's world comes from `worlds` (built once for every point of a design).
/// Replicate k of a scenario has seed `replicate_seed(base, k)`, `base` being `base_seed` or
/// the scenario's own; `progress` is called after each run with (done, total).
///
/// A target its scenario's runs cannot have (an unknown series, a date outside the run) is an
/// error of the file, found after the first run of that scenario.
pub fn score(
    targets: &Targets,
    scenarios: &[(String, mobilize_core::scenario::Scenario)],
    replicates: u32,
    base_seed: Option<u64>,
    worlds: &mobilize_core::world::WorldCache,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Vec<Score>, TargetsError> {
    use rayon::prelude::*;
    let total = scenarios.len() * replicates as usize;
    let done = std::sync::atomic::AtomicUsize::new(0);
    let mut values: Vec<Vec<Option<f64>>> = vec![Vec::new(); targets.targets.len()];
    for (name, scenario) in scenarios {
        let mine: Vec<usize> = (0..targets.targets.len())
            .filter(|&i| targets.targets[i].scenario == *name)
            .collect();
        let base = base_seed.unwrap_or(scenario.seed);
        let run = |k: u32| -> Vec<Option<f64>> {
            let rec = replicate(scenario, base, k, worlds);
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            progress(n, total);
            mine.iter()
                .map(|&i| full_scale(&targets.targets[i], scenario, &rec))
                .collect()
        };
        if replicates == 0 {
            continue;
        }
        // The first run alone: it says whether the targets can be read from this scenario.
        let first = {
            let rec = replicate(scenario, base, 0, worlds);
            for &i in &mine {
                readable(targets, &targets.targets[i], scenario, &rec)?;
            }
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            progress(n, total);
            mine.iter()
                .map(|&i| full_scale(&targets.targets[i], scenario, &rec))
                .collect::<Vec<_>>()
        };
        let rest: Vec<Vec<Option<f64>>> = (1..replicates).into_par_iter().map(run).collect();
        for row in std::iter::once(first).chain(rest) {
            for (j, &i) in mine.iter().enumerate() {
                values[i].push(row[j]);
            }
        }
    }
    Ok(targets
        .targets
        .iter()
        .zip(&values)
        .map(|(t, v)| Score::of(t, v))
        .collect())
}

/// One replicate of every scenario in `scenarios` (as [`score`] runs them: replicate `k` has
/// seed `replicate_seed(base, k)`), and the value of every target of `targets` in file order,
/// `None` where the run did not reach it. A target the scenario's runs cannot have is an error
/// of the file.
///
/// Worlds come from `worlds`: replicate k of every point builds its people and ties once.
pub fn replicate_values(
    targets: &Targets,
    scenarios: &[(String, mobilize_core::scenario::Scenario)],
    base_seed: Option<u64>,
    k: u32,
    worlds: &mobilize_core::world::WorldCache,
) -> Result<Vec<Option<f64>>, TargetsError> {
    let mut out = vec![None; targets.targets.len()];
    for (name, scenario) in scenarios {
        let rec = replicate(scenario, base_seed.unwrap_or(scenario.seed), k, worlds);
        for (i, t) in targets.targets.iter().enumerate() {
            if t.scenario != *name {
                continue;
            }
            readable(targets, t, scenario, &rec)?;
            out[i] = full_scale(t, scenario, &rec);
        }
    }
    Ok(out)
}
