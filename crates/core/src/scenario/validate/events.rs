//! The timeline: each event's step (or date), region and kind; the fields its kind needs and
//! allows; the ranges every model shares; and the hand-over to the model that owns the kind.

use super::super::decode::join;
use super::super::raw::RawEvent;
use super::super::{Check, Event, EventArgs, MAX_EVENTS};
use crate::calendar::Date;
use crate::model::{ModelDef, Models, Payload};

/// The fields an event may carry besides `step`, `date` and `kind`.
const FIELDS: [&str; 10] = [
    "count", "region", "delta", "regions", "share", "days", "factor", "strength", "rate", "value",
];

fn present(e: &RawEvent, field: &str) -> bool {
    match field {
        "count" => e.count.is_some(),
        "region" => e.region.is_some(),
        "delta" => e.delta.is_some(),
        "regions" => e.regions.is_some(),
        "share" => e.share.is_some(),
        "days" => e.days.is_some(),
        "factor" => e.factor.is_some(),
        "strength" => e.strength.is_some(),
        "rate" => e.rate.is_some(),
        "value" => e.value.is_some(),
        _ => false,
    }
}

impl Check<'_> {
    /// Checks an event's fields against its kind and has the model build its action.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn action(
        &mut self,
        e: &mut RawEvent,
        kind: &str,
        path: &str,
        region: Option<u16>,
        names: &[Option<String>],
        model: Option<&'static dyn ModelDef>,
        models: &Models,
    ) -> Option<(&'static str, Payload)> {
        let before = self.problems.list.len();
        let kind_path = join(path, "kind");
        let Some(owner) = models.owner_of(kind) else {
            self.bad(
                &kind_path,
                format!("unknown value `{}`", super::super::problem::printable(kind)),
                Some(crate::scenario::decode::allowed_help(
                    kind,
                    &models.event_kinds(),
                )),
            );
            return None;
        };
        // Without a known model, the event's fields are still checked against its kind.
        let model = model.unwrap_or(owner);
        let Some(shape) = model.events().iter().find(|s| s.kind == kind) else {
            let allowed: Vec<&str> = model.events().iter().map(|s| s.kind).collect();
            self.bad(
                &kind_path,
                format!(
                    "`{kind}` events are not part of the `{}` model",
                    model.name()
                ),
                Some(format!("allowed: {}", allowed.join(", "))),
            );
            return None;
        };
        for f in shape.needs {
            if !present(e, f) {
                self.bad(
                    &join(path, f),
                    format!("a `{kind}` event needs `{f}`"),
                    None,
                );
            }
        }
        for f in FIELDS {
            if present(e, f) && !shape.needs.contains(&f) && !shape.may.contains(&f) {
                let mut all: Vec<&str> = shape.needs.to_vec();
                all.extend_from_slice(shape.may);
                self.bad(
                    &join(path, f),
                    format!("`{f}` does not apply to a `{kind}` event"),
                    Some(if all.is_empty() {
                        "this kind takes no other fields".to_string()
                    } else {
                        format!("it takes: {}", all.join(", "))
                    }),
                );
            }
        }
        let mut regions = Vec::new();
        if let Some(rs) = &e.regions {
            if rs.is_empty() {
                self.bad(&join(path, "regions"), "the list of regions is empty", None);
            }
            for n in rs {
                match names.iter().position(|m| m.as_deref() == Some(n.as_str())) {
                    Some(k) => regions.push(k as u16),
                    None => self.unknown_region(&join(path, "regions"), n, names),
                }
            }
        }
        let mut field = |name: &str, v: Option<f64>, default: f64, lo: f64, hi: f64, unit: &str| {
            if let Some(v) = v {
                self.range(&join(path, name), v, lo, hi, unit);
            }
            v.unwrap_or(default)
        };
        let args = EventArgs {
            count: e.count,
            region,
            regions,
            days: field("days", e.days, 0.0, 0.0, 1e6, "days"),
            // The unit of `delta` is the model's: it checks the range itself.
            delta: e.delta.unwrap_or(0.0),
            share: field("share", e.share, 0.0, 0.0, 1.0, ""),
            factor: field("factor", e.factor, 1.0, 0.0, 1000.0, ""),
            strength: field("strength", e.strength, 0.0, 0.0, 1e9, "persons"),
            value: field("value", e.value, 0.0, 0.0, 1.0, ""),
            rate: field("rate", e.rate, 0.0, 0.0, 1.0, "per day"),
        };
        if self.problems.list.len() > before {
            return None;
        }
        let action = model.event(shape.kind, &args, path, self)?;
        (self.problems.list.len() == before).then_some((shape.kind, action))
    }

    pub(super) fn check_events(
        &mut self,
        raw: Option<&mut Vec<RawEvent>>,
        model: Option<&'static dyn ModelDef>,
        models: &Models,
    ) -> Vec<Event> {
        let time = self.cx.time.clone();
        let time = &time;
        let Some(raw) = raw else { return Vec::new() };
        if raw.len() > MAX_EVENTS {
            self.bad(
                "events",
                format!("{} events", raw.len()),
                Some(format!("allowed: at most {MAX_EVENTS}")),
            );
            return Vec::new();
        }
        let names: Vec<Option<String>> = self
            .cx
            .regions
            .iter()
            .map(|r| Some(r.name.clone()))
            .collect();
        let mut all = Vec::new();
        for (i, e) in raw.iter_mut().enumerate() {
            let path = format!("events[{i}]");
            let step = match (e.step, &e.date, time) {
                (Some(_), Some(_), _) => {
                    self.bad(
                        &path,
                        "an event has both `step` and `date`",
                        Some("give one of them".into()),
                    );
                    None
                }
                (None, None, _) => {
                    self.bad(
                        &join(&path, "step"),
                        "an event needs `step` or `date`",
                        None,
                    );
                    None
                }
                (Some(s), None, _) => Some(s),
                (None, Some(d), Some(t)) => match (Date::parse(d), t.start) {
                    (None, _) => {
                        self.bad(
                            &join(&path, "date"),
                            format!("`{d}` is not a date"),
                            Some("write YYYY-MM-DD".into()),
                        );
                        None
                    }
                    (Some(_), None) => {
                        self.bad(
                            &join(&path, "date"),
                            "a dated event needs `time.start`",
                            Some("set time.start, or use `step`".into()),
                        );
                        None
                    }
                    (Some(day), Some(start)) => {
                        let days = day.days_since(start);
                        if days < 0 {
                            self.bad(
                                &join(&path, "date"),
                                format!("{d} is before time.start ({start})"),
                                None,
                            );
                            None
                        } else {
                            Some((days as f64 / t.step_days).floor() as u32)
                        }
                    }
                },
                (None, Some(_), None) => None,
            };
            if let (Some(s), Some(t)) = (step, time) {
                if s > t.steps {
                    self.bad(
                        &join(&path, if e.date.is_some() { "date" } else { "step" }),
                        format!("step {s} is after the last step ({})", t.steps),
                        Some("raise time.steps or move the event".into()),
                    );
                }
            }
            let region = match &e.region {
                None => None,
                Some(n) => match names.iter().position(|m| m.as_deref() == Some(n.as_str())) {
                    Some(k) => Some(k as u16),
                    None => {
                        self.unknown_region(&join(&path, "region"), n, &names);
                        None
                    }
                },
            };
            let action = match e.kind.clone() {
                None => {
                    self.bad(
                        &join(&path, "kind"),
                        "missing field `kind`",
                        Some(format!("allowed: {}", models.event_kinds().join(", "))),
                    );
                    None
                }
                Some(kind) => self.action(e, &kind, &path, region, &names, model, models),
            };
            // A switched-off event is checked like any other and keeps its place (its index),
            // then is left off the timeline.
            if let (Some(step), Some((kind, action))) = (step, action) {
                all.push((
                    Event {
                        step,
                        kind,
                        action,
                        index: 0,
                    },
                    e.enabled.unwrap_or(true),
                ));
            }
        }
        all.sort_by_key(|(e, _)| e.step);
        all.into_iter()
            .enumerate()
            .filter(|(_, (_, on))| *on)
            .map(|(k, (e, _))| Event {
                index: k as u32,
                ..e
            })
            .collect()
    }
}
