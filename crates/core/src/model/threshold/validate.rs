//! Validation of the `[threshold]` section: form against network, initial actors against the
//! population, and the threshold distribution (a list, a file, uniform or normal).

use super::params::*;
use crate::scenario::decode::join;
use crate::scenario::{Check, NetworkSpec};

/// Checks `[threshold]` and fills in its defaults.
pub(crate) fn validate(c: &mut Check<'_>, t: &mut RawThreshold) -> Option<ThresholdParams> {
    let total = c.population();
    let network = c.cx.network.clone();
    let before = c.problems.list.len();
    let form = *t.form.get_or_insert(ThresholdForm::Crowd);
    let unit = *t.unit.get_or_insert(ThresholdUnit::Count);
    let stop_at_equilibrium = *t.stop_at_equilibrium.get_or_insert(true);
    let initial_random = *t.initial_random.get_or_insert(0);
    let named = t.initial_actors.get_or_insert_with(Vec::new).clone();
    if form == ThresholdForm::Network && matches!(network, Some(NetworkSpec::None)) {
        c.bad(
            "threshold.form",
            "the network form needs a network",
            Some("set network.kind to structured, erdos_renyi, watts_strogatz or file".into()),
        );
    }
    let file = match &network {
        Some(NetworkSpec::File(f)) => Some(f.clone()),
        _ => None,
    };
    let mut initial_actors = Vec::with_capacity(named.len());
    // A file network's people are named by the files' ids (integers read as ids too).
    let by_id = file.as_ref().map(|f| f.person_of());
    for (i, a) in named.iter().enumerate() {
        let path = format!("threshold.initial_actors[{i}]");
        match (a, &by_id) {
            (a, Some(by_id)) => {
                let id = match a {
                    PersonRef::Number(k) => k.to_string(),
                    PersonRef::Id(s) => s.clone(),
                };
                match by_id.get(id.as_str()) {
                    Some(k) => initial_actors.push(k),
                    None => c.bad(
                        &path,
                        format!(
                            "no person has id `{}` in the network's files",
                            crate::scenario::excerpt(&id, 60)
                        ),
                        Some("name people by the ids of the edge list or people table".into()),
                    ),
                }
            }
            (PersonRef::Number(k), None) if u64::from(*k) < total => initial_actors.push(*k),
            (PersonRef::Number(k), None) => c.bad(
                &path,
                format!("person {k} does not exist"),
                Some(format!("allowed: 0 to {}", total.saturating_sub(1))),
            ),
            (PersonRef::Id(_), None) => c.bad(
                &path,
                "people are named by id only with a network read from files",
                Some(format!(
                    "give a person number, 0 to {}",
                    total.saturating_sub(1)
                )),
            ),
        }
    }
    if initial_random > total {
        c.bad(
            "threshold.initial_random",
            format!("{initial_random} is more than the population ({total})"),
            None,
        );
    }
    let hi = match unit {
        ThresholdUnit::Count => total as f64,
        ThresholdUnit::Fraction => 1.0,
    };
    let Some(d) = t.distribution.as_mut() else {
        c.bad(
            "threshold.distribution",
            "missing table `threshold.distribution`",
            Some(format!(
                "kind = one of {}",
                DistributionKind::ALL.join(", ")
            )),
        );
        return None;
    };
    let rounding = *d.rounding.get_or_insert(Rounding::None);
    let dp = "threshold.distribution";
    let distribution = match d.kind {
        None => {
            c.bad(
                &join(dp, "kind"),
                "missing field `kind`",
                Some(format!("allowed: {}", DistributionKind::ALL.join(", "))),
            );
            None
        }
        Some(DistributionKind::List) => match d.values.clone() {
            None => {
                c.bad(
                    &join(dp, "values"),
                    "a list distribution needs `values`",
                    None,
                );
                None
            }
            Some(values) => list(c, values, total, hi, &join(dp, "values")),
        },
        Some(DistributionKind::File) => match d.path.clone() {
            None => {
                c.bad(&join(dp, "path"), "a file distribution needs `path`", None);
                None
            }
            Some(path) => {
                let values = read_values(c, &path)?;
                let list = list(c, values.clone(), total, hi, &join(dp, "path"));
                // The resolved scenario carries the values, so it runs again anywhere.
                d.kind = Some(DistributionKind::List);
                d.values = Some(values);
                d.path = None;
                list
            }
        },
        Some(DistributionKind::Uniform) => {
            let min = *d.min.get_or_insert(0.0);
            let max = *d.max.get_or_insert(hi);
            let sampling = *d.sampling.get_or_insert(Sampling::Quantile);
            let ok = c.range(&join(dp, "min"), min, 0.0, hi, "")
                & c.range(&join(dp, "max"), max, 0.0, hi, "");
            if ok && min > max {
                c.bad(
                    &join(dp, "min"),
                    format!("min {min} is above max {max}"),
                    None,
                );
            }
            Some(Distribution::Uniform { min, max, sampling })
        }
        Some(DistributionKind::Normal) => {
            let sampling = *d.sampling.get_or_insert(Sampling::Quantile);
            match (d.mean, d.sd) {
                (Some(mean), Some(sd)) => {
                    if sd < 0.0 {
                        c.bad(
                            &join(dp, "sd"),
                            format!("{sd} is negative"),
                            Some("allowed: 0 or more".into()),
                        );
                    }
                    Some(Distribution::Normal { mean, sd, sampling })
                }
                _ => {
                    c.bad(dp, "a normal distribution needs `mean` and `sd`", None);
                    None
                }
            }
        }
    };
    if let Some(kind) = d.kind {
        let allowed: &[&str] = match kind {
            DistributionKind::List => &["values"],
            DistributionKind::File => &["path"],
            DistributionKind::Uniform => &["min", "max", "sampling"],
            DistributionKind::Normal => &["mean", "sd", "sampling"],
        };
        for (k, set) in [
            ("values", d.values.is_some()),
            ("path", d.path.is_some()),
            ("min", d.min.is_some()),
            ("max", d.max.is_some()),
            ("mean", d.mean.is_some()),
            ("sd", d.sd.is_some()),
            ("sampling", d.sampling.is_some()),
        ] {
            if set && !allowed.contains(&k) && !(kind == DistributionKind::File && k == "values") {
                c.bad(
                    &join(dp, k),
                    format!("`{k}` does not apply to distribution kind `{kind}`"),
                    Some(format!("{kind} takes: {}", allowed.join(", "))),
                );
            }
        }
    }
    let mut distribution = distribution?;
    // A list gives thresholds in the files' order; the model numbers people otherwise.
    if let (Some(f), Distribution::List(values)) = (&file, &mut distribution) {
        *values = f.file_order.iter().map(|&p| values[p as usize]).collect();
    }
    (c.problems.list.len() == before).then_some(ThresholdParams {
        form,
        unit,
        initial_actors,
        initial_random,
        stop_at_equilibrium,
        distribution,
        rounding,
    })
}

fn list(
    c: &mut Check<'_>,
    values: Vec<f64>,
    total: u64,
    hi: f64,
    path: &str,
) -> Option<Distribution> {
    if values.len() as u64 != total {
        c.bad(
            path,
            format!("{} thresholds for {total} persons", values.len()),
            Some("give one threshold per person (after scaling)".into()),
        );
        return None;
    }
    let mut ok = true;
    for (i, &v) in values.iter().enumerate() {
        if !(0.0..=hi).contains(&v) {
            c.bad(
                path,
                format!("threshold {v} of person {i} is out of range"),
                Some(format!("allowed: 0 to {hi}")),
            );
            ok = false;
            break;
        }
    }
    ok.then_some(Distribution::List(values))
}

/// The largest thresholds file read (bytes): 64 MiB holds millions of thresholds.
const MAX_FILE_BYTES: u64 = 64 << 20;

fn read_values(c: &mut Check<'_>, path: &str) -> Option<Vec<f64>> {
    use std::io::Read;
    let field = "threshold.distribution.path";
    let full = c.scenario_file(field, path, false)?;
    let cannot = |c: &mut Check<'_>, why: String| {
        c.bad(
            field,
            format!("cannot read `{}`: {why}", full.display()),
            Some("the path is relative to the scenario file".into()),
        );
    };
    let file = match crate::files::open_regular(&full) {
        Ok(f) => f,
        Err(e) => {
            cannot(c, e.to_string());
            return None;
        }
    };
    let mut bytes = Vec::new();
    if let Err(e) = file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes) {
        cannot(c, e.to_string());
        return None;
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        cannot(c, format!("larger than {} MiB", MAX_FILE_BYTES >> 20));
        return None;
    }
    let Ok(text) = String::from_utf8(bytes) else {
        cannot(c, "not UTF-8 text".into());
        return None;
    };
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line.parse::<f64>() {
            Ok(v) if v.is_finite() => out.push(v),
            _ => {
                // The line itself is not repeated: the file's contents are not ours to show.
                c.bad(
                    field,
                    format!("{}:{}: not a number", full.display(), n + 1),
                    Some("one threshold per line; `#` starts a comment".into()),
                );
                return None;
            }
        }
    }
    Some(out)
}
