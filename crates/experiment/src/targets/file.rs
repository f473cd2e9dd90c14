//! Reading and checking a targets file, every problem located.

use std::path::Path;

use mobilize_core::calendar::Date;
use serde::Deserialize;

use super::prior::{check_prior, RawPrior};
use super::{ErrorModel, Measure, Stat, Target, Targets, TargetsError, When};

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
        let mut priors_line = 0;
        if let Some(table) = raw.priors {
            let at = table.span().start;
            priors_line = place(text, at).0;
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
            priors_line,
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
