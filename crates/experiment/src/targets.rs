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

use std::path::Path;

use mobilize_core::calendar::Date;
use mobilize_core::observe::Recorder;
use mobilize_core::scenario::TimeSpan;
use serde::Deserialize;

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
}

/// How a parameter is drawn before any target is seen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Prior {
    /// Uniform on [min, max].
    Uniform {
        /// Low end.
        min: f64,
        /// High end.
        max: f64,
    },
    /// Uniform in the logarithm on [min, max], min > 0: every factor of ten as likely (for
    /// rates known only to an order of magnitude).
    LogUniform {
        /// Low end (> 0).
        min: f64,
        /// High end.
        max: f64,
    },
    /// Normal with this mean and standard deviation (a value outside the parameter's range
    /// is refused when the point is validated).
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation (> 0).
        sd: f64,
    },
    /// Beta(a, b) stretched onto [min, max] (by default [0, 1]).
    Beta {
        /// Shape a (> 0).
        a: f64,
        /// Shape b (> 0).
        b: f64,
        /// Low end.
        min: f64,
        /// High end.
        max: f64,
    },
}

impl Prior {
    /// The value at cumulative probability `u` in (0, 1).
    pub fn quantile(&self, u: f64) -> f64 {
        match *self {
            Prior::Uniform { min, max } => min + u * (max - min),
            Prior::LogUniform { min, max } => (min.ln() + u * (max.ln() - min.ln())).exp(),
            Prior::Normal { mean, sd } => mean + sd * mobilize_core::stats::normal_quantile(u),
            Prior::Beta { a, b, min, max } => {
                // The incomplete beta function is increasing in x: bisection to 1e-12.
                let (mut lo, mut hi) = (0.0f64, 1.0f64);
                for _ in 0..60 {
                    let mid = 0.5 * (lo + hi);
                    if mobilize_core::stats::incomplete_beta(mid, a, b) < u {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                min + 0.5 * (lo + hi) * (max - min)
            }
        }
    }
}

/// A Latin hypercube of `n` points from `priors`: each parameter's range cut into `n` strata
/// of equal prior probability, each stratum drawn once, the strata paired at random across
/// parameters; the same `seed` gives the same points. Rows are points, columns parameters.
pub fn latin_hypercube(priors: &[(String, Prior)], n: usize, seed: u64) -> Vec<Vec<f64>> {
    // SplitMix64: a small, well-mixed generator, enough to shuffle strata reproducibly.
    let mut state = seed ^ 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut rows = vec![vec![0.0; priors.len()]; n];
    for (d, (_, prior)) in priors.iter().enumerate() {
        let mut strata: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = (next() % (i as u64 + 1)) as usize;
            strata.swap(i, j);
        }
        for (row, &k) in rows.iter_mut().zip(&strata) {
            // Within the stratum, strictly inside (0, 1).
            let within = ((next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
            row[d] = prior.quantile((k as f64 + within) / n as f64);
        }
    }
    rows
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
    const NAMES: [&'static str; 5] = ["sum", "mean", "max", "min", "change"];

    fn parse(s: &str) -> Option<Stat> {
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

/// A problem in a targets file, located.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct TargetsError {
    /// The file.
    pub file: String,
    /// Line (from 1).
    pub line: usize,
    /// Column (from 1).
    pub column: usize,
    /// What is wrong, with the field and what is allowed.
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    scenario: Option<String>,
    #[serde(default)]
    target: Vec<toml::Spanned<RawTarget>>,
    priors: Option<toml::Spanned<toml::Table>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrior {
    dist: String,
    min: Option<f64>,
    max: Option<f64>,
    mean: Option<f64>,
    sd: Option<f64>,
    a: Option<f64>,
    b: Option<f64>,
}

fn check_prior(raw: RawPrior) -> Result<Prior, String> {
    let given = |v: Option<f64>, field: &str| -> Result<f64, String> {
        let v = v.ok_or_else(|| format!("`{}` needs `{field}`", raw.dist))?;
        if v.is_finite() {
            Ok(v)
        } else {
            Err(format!("`{field}`: {v} is not a number"))
        }
    };
    let none = |fields: &[(&str, Option<f64>)]| -> Result<(), String> {
        match fields.iter().find(|(_, v)| v.is_some()) {
            Some((f, _)) => Err(format!("`{f}` does not apply to `{}`", raw.dist)),
            None => Ok(()),
        }
    };
    let range = |min: f64, max: f64| -> Result<(), String> {
        if min < max {
            Ok(())
        } else {
            Err(format!(
                "[{min}, {max}] is not a range (allowed: min < max)"
            ))
        }
    };
    match raw.dist.as_str() {
        "uniform" | "log_uniform" => {
            none(&[
                ("mean", raw.mean),
                ("sd", raw.sd),
                ("a", raw.a),
                ("b", raw.b),
            ])?;
            let (min, max) = (given(raw.min, "min")?, given(raw.max, "max")?);
            range(min, max)?;
            if raw.dist == "uniform" {
                Ok(Prior::Uniform { min, max })
            } else if min > 0.0 {
                Ok(Prior::LogUniform { min, max })
            } else {
                Err(format!("`log_uniform` needs min > 0 (found {min})"))
            }
        }
        "normal" => {
            none(&[
                ("min", raw.min),
                ("max", raw.max),
                ("a", raw.a),
                ("b", raw.b),
            ])?;
            let (mean, sd) = (given(raw.mean, "mean")?, given(raw.sd, "sd")?);
            if sd <= 0.0 {
                return Err(format!("`sd`: {sd} is out of range (allowed: more than 0)"));
            }
            Ok(Prior::Normal { mean, sd })
        }
        "beta" => {
            none(&[("mean", raw.mean), ("sd", raw.sd)])?;
            let (a, b) = (given(raw.a, "a")?, given(raw.b, "b")?);
            if a <= 0.0 || b <= 0.0 {
                return Err(format!("a = {a}, b = {b} (allowed: both more than 0)"));
            }
            let (min, max) = (raw.min.unwrap_or(0.0), raw.max.unwrap_or(1.0));
            range(min, max)?;
            Ok(Prior::Beta { a, b, min, max })
        }
        other => Err(format!(
            "`dist`: unknown value `{other}` (allowed: uniform, log_uniform, normal, beta)"
        )),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTarget {
    name: String,
    scenario: Option<String>,
    figure: Option<String>,
    series: Option<String>,
    events: Option<String>,
    at: Option<toml::Value>,
    window: Option<[toml::Value; 2]>,
    stat: Option<String>,
    count: Option<String>,
    regions: Option<Vec<String>>,
    observed: Option<f64>,
    interval: Option<[f64; 2]>,
    sd: Option<f64>,
    cv: Option<f64>,
    error: Option<String>,
    dispersion: Option<f64>,
    trials: Option<f64>,
    source: String,
    #[serde(default)]
    holdout: bool,
    weight: Option<f64>,
    #[serde(default)]
    counts_persons: bool,
}

/// Most targets in one file.
pub const MAX_TARGETS: usize = 10_000;

/// (line, column) of byte `at` in `text`, both from 1.
fn place(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before.len(), |i| before.len() - i - 1)
        + 1;
    (line, column)
}

fn when(v: &toml::Value, field: &str) -> Result<When, String> {
    match v {
        toml::Value::Integer(i) => u32::try_from(*i).map(When::Step).map_err(|_| {
            format!(
                "`{field}`: step {i} is out of range (allowed: 0 to {})",
                u32::MAX
            )
        }),
        toml::Value::String(s) => Date::parse(s).map(When::Date).ok_or_else(|| {
            format!("`{field}`: `{s}` is not a date (allowed: YYYY-MM-DD or a step)")
        }),
        toml::Value::Datetime(d) => Date::parse(&d.to_string())
            .map(When::Date)
            .ok_or_else(|| format!("`{field}`: {d} is not a date (allowed: YYYY-MM-DD or a step)")),
        other => Err(format!(
            "`{field}`: a {} is not a time (allowed: a date YYYY-MM-DD or a step)",
            other.type_str()
        )),
    }
}

fn check_target(raw: RawTarget, default_scenario: Option<&str>) -> Result<Target, String> {
    let name = raw.name;
    let t = |m: String| format!("target `{name}`: {m}");
    let scenario = raw
        .scenario
        .or(default_scenario.map(str::to_string))
        .ok_or_else(|| t("no scenario (give `scenario` here or at the top of the file)".into()))?;
    let given: Vec<&str> = [
        ("figure", raw.figure.is_some()),
        ("series", raw.series.is_some()),
        ("events", raw.events.is_some()),
    ]
    .iter()
    .filter(|(_, g)| *g)
    .map(|(n, _)| *n)
    .collect();
    if given.len() != 1 {
        return Err(t(format!(
            "give exactly one of `figure`, `series` or `events` (found {})",
            if given.is_empty() {
                "none".to_string()
            } else {
                given.join(", ")
            }
        )));
    }
    let window = |w: &Option<[toml::Value; 2]>| -> Result<Option<(When, When)>, String> {
        match w {
            None => Ok(None),
            Some([a, b]) => {
                let (a, b) = (when(a, "window")?, when(b, "window")?);
                match (a, b) {
                    (When::Step(x), When::Step(y)) if x > y => Err(format!(
                        "`window`: it ends (step {y}) before it starts (step {x})"
                    )),
                    (When::Date(x), When::Date(y)) if y.days_since(x) < 0 => {
                        Err(format!("`window`: it ends ({y}) before it starts ({x})"))
                    }
                    _ => Ok(Some((a, b))),
                }
            }
        }
    };
    if raw.regions.is_some() && raw.events.is_none() {
        return Err(t(
            "`regions` selects logged events; a series has a column per region (`family.<region>`)"
                .into(),
        ));
    }
    let measure = if let Some(f) = raw.figure {
        if raw.at.is_some() || raw.window.is_some() || raw.stat.is_some() || raw.count.is_some() {
            return Err(t("`figure` is read at the end of the run: `at`, `window`, `stat` and `count` do not apply".into()));
        }
        Measure::Figure(f)
    } else if let Some(column) = raw.series {
        if raw.count.is_some() {
            return Err(t("`count` applies to `events`, not to `series`".into()));
        }
        match (&raw.at, window(&raw.window).map_err(&t)?) {
            (Some(_), Some(_)) => return Err(t("give `at` or `window`, not both".into())),
            (Some(a), None) => {
                if raw.stat.is_some() {
                    return Err(t(
                        "`stat` summarizes a `window`; with `at` there is one value".into(),
                    ));
                }
                Measure::SeriesAt {
                    column,
                    at: when(a, "at").map_err(&t)?,
                }
            }
            (None, Some((from, to))) => {
                let stat = raw.stat.as_deref().unwrap_or("mean");
                let stat = Stat::parse(stat).ok_or_else(|| {
                    t(format!(
                        "`stat`: unknown value `{stat}` (allowed: {})",
                        Stat::NAMES.join(", ")
                    ))
                })?;
                Measure::SeriesOver {
                    column,
                    from,
                    to,
                    stat,
                }
            }
            (None, None) => {
                return Err(t(
                    "a `series` is read `at` a date or step, or over a `window`".into(),
                ))
            }
        }
    } else {
        let kind = raw.events.expect("one of three, checked");
        if raw.at.is_some() || raw.stat.is_some() {
            return Err(t(
                "`events` are counted over a `window`: `at` and `stat` do not apply".into(),
            ));
        }
        let (from, to) = window(&raw.window)
            .map_err(&t)?
            .ok_or_else(|| t("`events` are counted over a `window` = [from, to]".into()))?;
        let persons = match raw.count.as_deref() {
            None | Some("entries") => false,
            Some("persons") => true,
            Some(other) => {
                return Err(t(format!(
                    "`count`: unknown value `{other}` (allowed: entries, persons)"
                )))
            }
        };
        if raw.regions.as_ref().is_some_and(Vec::is_empty) {
            return Err(t(
                "`regions`: an empty list selects nothing (leave it out for every region)".into(),
            ));
        }
        Measure::Events {
            kind,
            from,
            to,
            persons,
            regions: raw.regions,
        }
    };
    let observed = match (raw.observed, raw.interval) {
        (Some(v), _) => v,
        (None, Some([lo, hi])) => (lo + hi) / 2.0,
        (None, None) => {
            return Err(t(
                "no `observed` value (it may be left out only with an `interval`)".into(),
            ))
        }
    };
    if !observed.is_finite() {
        return Err(t(format!("`observed`: {observed} is not a number")));
    }
    let models = [
        raw.interval.is_some(),
        raw.sd.is_some(),
        raw.cv.is_some(),
        raw.error.is_some(),
    ];
    if models.iter().filter(|g| **g).count() != 1 {
        return Err(t(
            "give exactly one of `interval`, `sd`, `cv` or `error` (how uncertain the observation is)"
                .into(),
        ));
    }
    let positive = |v: f64, field: &str| -> Result<f64, String> {
        if v.is_finite() && v > 0.0 {
            Ok(v)
        } else {
            Err(t(format!(
                "`{field}`: {v} is out of range (allowed: more than 0)"
            )))
        }
    };
    let error = if let Some([lo, hi]) = raw.interval {
        if !(lo.is_finite() && hi.is_finite()) || lo > hi {
            return Err(t(format!(
                "`interval`: [{lo}, {hi}] is not a range (allowed: [low, high], low ≤ high)"
            )));
        }
        if hi == lo {
            return Err(t(format!(
                "`interval`: [{lo}, {hi}] has no width; a value known exactly has no error model that can score it (give `sd`)"
            )));
        }
        ErrorModel::Interval { lo, hi }
    } else if let Some(sd) = raw.sd {
        ErrorModel::Normal {
            sd: positive(sd, "sd")?,
        }
    } else if let Some(cv) = raw.cv {
        let cv = positive(cv, "cv")?;
        if observed == 0.0 {
            return Err(t("`cv` of an observed 0 is 0: give `sd`".into()));
        }
        ErrorModel::Normal {
            sd: cv * observed.abs(),
        }
    } else {
        let kind = raw.error.expect("one of four, checked");
        match kind.as_str() {
            "negative_binomial" => {
                let k = raw.dispersion.ok_or_else(|| {
                    t("`error = \"negative_binomial\"` needs `dispersion` (k > 0)".into())
                })?;
                if observed < 0.0 {
                    return Err(t(format!("`observed`: {observed} is not a count")));
                }
                ErrorModel::NegativeBinomial {
                    dispersion: positive(k, "dispersion")?,
                }
            }
            "binomial" => {
                let n = raw
                    .trials
                    .ok_or_else(|| t("`error = \"binomial\"` needs `trials`".into()))?;
                let n = positive(n, "trials")?;
                if !(0.0..=n).contains(&observed) {
                    return Err(t(format!(
                        "`observed`: {observed} is out of range (allowed: 0 to trials = {n})"
                    )));
                }
                ErrorModel::Binomial { trials: n }
            }
            other => {
                return Err(t(format!(
                    "`error`: unknown value `{other}` (allowed: negative_binomial, binomial; or give `interval`, `sd` or `cv`)"
                )))
            }
        }
    };
    if (raw.dispersion.is_some() && !matches!(error, ErrorModel::NegativeBinomial { .. }))
        || (raw.trials.is_some() && !matches!(error, ErrorModel::Binomial { .. }))
    {
        return Err(t(
            "`dispersion` goes with error = \"negative_binomial\", `trials` with error = \"binomial\""
                .into(),
        ));
    }
    let weight = raw.weight.unwrap_or(1.0);
    if !weight.is_finite() || weight < 0.0 {
        return Err(t(format!(
            "`weight`: {weight} is out of range (allowed: 0 or more)"
        )));
    }
    Ok(Target {
        name,
        scenario,
        measure,
        observed,
        error,
        source: raw.source,
        holdout: raw.holdout,
        weight,
        counts_persons: raw.counts_persons,
        line: 0,
    })
}

impl Targets {
    /// Reads and checks a targets file's text; `file` names it in messages.
    pub fn parse(file: &str, text: &str) -> Result<Targets, TargetsError> {
        let err = |at: usize, message: String| {
            let (line, column) = place(text, at);
            TargetsError {
                file: file.to_string(),
                line,
                column,
                message,
            }
        };
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let at = e.span().map_or(0, |s| s.start);
            err(at, e.message().trim().to_string())
        })?;
        if raw.target.is_empty() {
            return Err(err(0, "no targets (each is a `[[target]]` table)".into()));
        }
        let mut priors = Vec::new();
        if let Some(table) = raw.priors {
            let at = table.span().start;
            for (path, value) in table.into_inner() {
                let prior = value
                    .try_into::<RawPrior>()
                    .map_err(|e| e.message().trim().to_string())
                    .and_then(check_prior)
                    .map_err(|m| err(at, format!("priors.\"{path}\": {m}")))?;
                priors.push((path, prior));
            }
        }
        if raw.target.len() > MAX_TARGETS {
            return Err(err(
                0,
                format!(
                    "{} targets (allowed: at most {MAX_TARGETS})",
                    raw.target.len()
                ),
            ));
        }
        let mut targets: Vec<Target> = Vec::with_capacity(raw.target.len());
        for spanned in raw.target {
            let at = spanned.span().start;
            let mut t = check_target(spanned.into_inner(), raw.scenario.as_deref())
                .map_err(|m| err(at, m))?;
            if targets.iter().any(|o| o.name == t.name) {
                return Err(err(
                    at,
                    format!("target `{}`: a second target of that name", t.name),
                ));
            }
            t.line = place(text, at).0;
            targets.push(t);
        }
        Ok(Targets {
            file: file.to_string(),
            targets,
            priors,
        })
    }

    /// Reads a targets file (a regular file of at most 16 MiB).
    pub fn read(path: &Path) -> Result<Targets, TargetsError> {
        let name = path.display().to_string();
        let fail = |message: String| TargetsError {
            file: name.clone(),
            line: 0,
            column: 0,
            message,
        };
        let bytes = mobilize_core::files::read_regular(path, 16 << 20)
            .map_err(|e| fail(format!("cannot read it: {e}")))?;
        let text = String::from_utf8(bytes).map_err(|e| {
            fail(format!(
                "not UTF-8 text (byte {})",
                e.utf8_error().valid_up_to()
            ))
        })?;
        Targets::parse(&name, &text)
    }

    /// The scenarios named, each once, in order of first mention.
    pub fn scenarios(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for t in &self.targets {
            if !out.contains(&t.scenario.as_str()) {
                out.push(&t.scenario);
            }
        }
        out
    }
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

/// A number as a table shows it: thousands separated, at most three significant decimals.
pub fn human(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let a = v.abs();
    let text = if a >= 100.0 || v == v.round() {
        format!("{:.0}", v.round())
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    };
    let (sign, body) = text
        .strip_prefix('-')
        .map_or(("", text.as_str()), |b| ("-", b));
    let (int, frac) = body
        .split_once('.')
        .map_or((body, None), |(i, f)| (i, Some(f)));
    let mut grouped = String::new();
    for (k, ch) in int.chars().enumerate() {
        if k > 0 && (int.len() - k) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    match frac {
        Some(f) => format!("{sign}{grouped}.{f}"),
        None => format!("{sign}{grouped}"),
    }
}

#[cfg(test)]
mod tests;

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

/// Runs `replicates` replicates of each scenario in `scenarios` (name as the targets file
/// gives it, and the validated scenario) in the current rayon pool, and scores every target.
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
            let s = scenario.with_seed(crate::seeds::replicate_seed(base, k));
            let mut rec = Recorder::default();
            // A recorder never fails.
            let _ = mobilize_core::engine::Sim::new(s).run(&mut [&mut rec]);
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
            let s = scenario.with_seed(crate::seeds::replicate_seed(base, 0));
            let mut rec = Recorder::default();
            let _ = mobilize_core::engine::Sim::new(s).run(&mut [&mut rec]);
            for &i in &mine {
                let t = &targets.targets[i];
                let names: Vec<String> = scenario.regions.iter().map(|r| r.name.clone()).collect();
                check_against(t, &scenario.time, &rec.columns, &names).map_err(|message| {
                    TargetsError {
                        file: targets.file.clone(),
                        line: t.line,
                        column: 1,
                        message,
                    }
                })?;
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
