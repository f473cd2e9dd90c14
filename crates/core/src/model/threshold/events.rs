//! The threshold model's timeline events.

use std::sync::Arc;

use crate::model::Payload;
use crate::scenario::EventArgs;

crate::event_kinds! {
    /// Kinds of threshold-model event.
    pub enum Kind {
        /// `count` randomly chosen people (in `region`, if given) start acting.
        Activate = "activate" { needs: ["count"], may: ["region"] },
        /// Every threshold moves by `delta` (in the threshold's unit; negative lowers it).
        ShiftThresholds = "shift_thresholds" { needs: ["delta"], may: [] },
    }
}

/// What a threshold-model event does.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// `count` random people (of `region`, or anyone) who are not acting start acting.
    Activate {
        /// Persons (not scaled: a threshold scenario names its crowd exactly).
        count: u64,
        /// Region number, or everywhere.
        region: Option<u16>,
    },
    /// Every threshold moves by `delta` (in the threshold's unit; negative lowers it).
    ShiftThresholds {
        /// Change, in the threshold's unit.
        delta: f64,
    },
}

/// Builds the action of a checked event (its needed fields are present).
pub(super) fn build(kind: Kind, a: &EventArgs) -> Payload {
    Arc::new(match kind {
        Kind::Activate => Action::Activate {
            count: a.count.unwrap_or(0),
            region: a.region,
        },
        Kind::ShiftThresholds => Action::ShiftThresholds { delta: a.delta },
    })
}
