//! The civil violence model's timeline events: legitimacy, cops and peacekeepers.

use std::sync::Arc;

use crate::model::Payload;
use crate::scenario::EventArgs;

crate::event_kinds! {
    /// Kinds of civil-violence event.
    pub enum Kind {
        /// Legitimacy becomes `value`, at once or linearly over `days`.
        Legitimacy = "legitimacy" { needs: ["value"], may: ["days"] },
        /// The cop density becomes `value`, at once or linearly over `days`.
        Cops = "cops" { needs: ["value"], may: ["days"] },
        /// Peacekeepers (cops) at density `value` enter random empty sites.
        Peacekeepers = "peacekeepers" { needs: ["value"], may: [] },
    }
}

/// What a civil-violence event does.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Legitimacy moves to `value`.
    Legitimacy {
        /// New legitimacy (fraction).
        value: f64,
        /// Days over which it moves linearly (0: at once).
        days: f64,
    },
    /// The cop density moves to `value`.
    Cops {
        /// New cop density (fraction of sites).
        value: f64,
        /// Days over which it moves linearly (0: at once).
        days: f64,
    },
    /// Peacekeepers enter.
    Peacekeepers {
        /// Density (fraction of sites).
        value: f64,
    },
}

/// Builds the action of a checked event.
pub(super) fn build(kind: Kind, a: &EventArgs) -> Payload {
    let (value, days) = (a.value, a.days);
    Arc::new(match kind {
        Kind::Legitimacy => Action::Legitimacy { value, days },
        Kind::Cops => Action::Cops { value, days },
        Kind::Peacekeepers => Action::Peacekeepers { value },
    })
}
