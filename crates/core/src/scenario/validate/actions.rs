//! What each kind of timeline event needs, and which model may use it.

use super::super::decode::join;
use super::super::raw::{EventKind, ModelKind, RawEvent};
use super::super::Action;
use super::Validator;

/// The fields an event may carry besides `step`, `date` and `kind`.
const FIELDS: [&str; 10] = [
    "count", "region", "delta", "regions", "share", "days", "factor", "strength", "rate", "value",
];

/// (fields it needs, fields it may have) for each kind.
fn shape(kind: EventKind) -> (&'static [&'static str], &'static [&'static str]) {
    use EventKind::*;
    match kind {
        Activate => (&["count"], &["region"]),
        ShiftThresholds => (&["delta"], &[]),
        ProclaimProgramme | Surrender => (&[], &[]),
        Appeal => (&["share"], &["region", "delta", "days"]),
        AppealToRise => (&[], &["region", "delta", "days"]),
        TrainingDrive => (&["factor", "days"], &["region"]),
        SmallUnits => (&["regions", "count", "days"], &[]),
        FinalOffensive | ExternalAttack => (&["regions", "strength"], &[]),
        RepressionCampaign => (&["factor", "days"], &["region"]),
        PunitiveExpedition => (&["strength"], &["region"]),
        Conscription => (&["rate"], &[]),
        Legitimacy | Cops => (&["value"], &["days"]),
        Peacekeepers => (&["value"], &[]),
    }
}

/// Which model an event kind belongs to.
fn model_of(kind: EventKind) -> ModelKind {
    match kind {
        EventKind::Activate | EventKind::ShiftThresholds => ModelKind::Threshold,
        EventKind::Legitimacy | EventKind::Cops | EventKind::Peacekeepers => {
            ModelKind::CivilViolence
        }
        _ => ModelKind::Resistance,
    }
}

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

impl Validator<'_> {
    /// Checks an event's fields against its kind and builds its action.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn action(
        &mut self,
        e: &mut RawEvent,
        kind: EventKind,
        path: &str,
        region: Option<u16>,
        names: &[Option<String>],
        model: Option<ModelKind>,
        scale: f64,
    ) -> Option<Action> {
        let before = self.problems.list.len();
        if let Some(m) = model {
            if model_of(kind) != m {
                let allowed: Vec<&str> = ALL_KINDS
                    .iter()
                    .filter(|k| model_of(**k) == m)
                    .map(|k| k.as_str())
                    .collect();
                self.bad(
                    &join(path, "kind"),
                    format!("`{kind}` events are not part of the `{m}` model"),
                    Some(format!("allowed: {}", allowed.join(", "))),
                );
                return None;
            }
        }
        let (needs, may) = shape(kind);
        for f in needs {
            if !present(e, f) {
                self.bad(
                    &join(path, f),
                    format!("a `{kind}` event needs `{f}`"),
                    None,
                );
            }
        }
        for f in FIELDS {
            if present(e, f) && !needs.contains(&f) && !may.contains(&f) {
                let mut all: Vec<&str> = needs.to_vec();
                all.extend_from_slice(may);
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
        let mut list = Vec::new();
        if let Some(rs) = &e.regions {
            if rs.is_empty() {
                self.bad(&join(path, "regions"), "the list of regions is empty", None);
            }
            for n in rs {
                match names.iter().position(|m| m.as_deref() == Some(n.as_str())) {
                    Some(k) => list.push(k as u16),
                    None => self.unknown_region(&join(path, "regions"), n, names),
                }
            }
        }
        let days = e.days.unwrap_or(0.0);
        if e.days.is_some() {
            self.range(&join(path, "days"), days, 0.0, 1e6, "days");
        }
        let delta = e.delta.unwrap_or(0.0);
        if e.delta.is_some() && model == Some(ModelKind::Resistance) {
            self.range(&join(path, "delta"), delta, -1.0, 1.0, "fraction of ties");
        }
        let share = e.share.unwrap_or(0.0);
        if e.share.is_some() {
            self.range(&join(path, "share"), share, 0.0, 1.0, "");
        }
        let factor = e.factor.unwrap_or(1.0);
        if e.factor.is_some() {
            self.range(&join(path, "factor"), factor, 0.0, 1000.0, "");
        }
        let strength = e.strength.unwrap_or(0.0);
        if e.strength.is_some() {
            self.range(&join(path, "strength"), strength, 0.0, 1e9, "persons");
        }
        let value = e.value.unwrap_or(0.0);
        if e.value.is_some() {
            self.range(&join(path, "value"), value, 0.0, 1.0, "");
        }
        let rate = e.rate.unwrap_or(0.0);
        if e.rate.is_some() {
            self.range(&join(path, "rate"), rate, 0.0, 1.0, "per day");
        }
        if self.problems.list.len() > before {
            return None;
        }
        use EventKind::*;
        Some(match kind {
            Activate => Action::Activate {
                count: e.count?,
                region,
            },
            ShiftThresholds => Action::ShiftThresholds { delta },
            ProclaimProgramme => Action::ProclaimProgramme,
            Surrender => Action::Surrender,
            Appeal => Action::Appeal {
                region,
                share,
                delta,
                days,
            },
            AppealToRise => Action::AppealToRise {
                region,
                delta,
                days,
            },
            TrainingDrive => Action::TrainingDrive {
                region,
                factor,
                days,
            },
            SmallUnits => Action::SmallUnits {
                regions: list,
                count: e.count? as f64 * scale,
                days,
            },
            FinalOffensive => Action::FinalOffensive {
                regions: list,
                strength: strength * scale,
            },
            ExternalAttack => Action::ExternalAttack {
                regions: list,
                strength: strength * scale,
            },
            RepressionCampaign => Action::RepressionCampaign {
                region,
                factor,
                days,
            },
            PunitiveExpedition => Action::PunitiveExpedition {
                region,
                strength: strength * scale,
            },
            Conscription => Action::Conscription { rate },
            Legitimacy => Action::Legitimacy { value, days },
            Cops => Action::Cops { value, days },
            Peacekeepers => Action::Peacekeepers { value },
        })
    }
}

/// Every kind in the order of [`EventKind::ALL`].
const ALL_KINDS: [EventKind; 16] = [
    EventKind::Activate,
    EventKind::ShiftThresholds,
    EventKind::ProclaimProgramme,
    EventKind::Appeal,
    EventKind::AppealToRise,
    EventKind::TrainingDrive,
    EventKind::SmallUnits,
    EventKind::FinalOffensive,
    EventKind::ExternalAttack,
    EventKind::RepressionCampaign,
    EventKind::PunitiveExpedition,
    EventKind::Conscription,
    EventKind::Surrender,
    EventKind::Legitimacy,
    EventKind::Cops,
    EventKind::Peacekeepers,
];
