//! The resistance model's timeline events: the programme, appeals, drives, small units, the
//! final offensive, an outside army, police campaigns, expeditions, drafts, strikes and a
//! surrender.

use std::sync::Arc;

use crate::model::Payload;
use crate::scenario::{Check, EventArgs};

crate::event_kinds! {
    /// Kinds of resistance-model event.
    pub enum Kind {
        /// The programme is proclaimed; members start contributing.
        ProclaimProgramme = "proclaim_programme" { needs: [], may: [] },
        /// An appeal reaches `share` of the people (of `region`, or everywhere), making
        /// sympathizers and lowering uprising thresholds by `delta` for `days`.
        Appeal = "appeal" { needs: ["share"], may: ["region", "delta", "days"] },
        /// The call to rise: opens the uprising (in `region`, or everywhere) and lowers
        /// thresholds by `delta` for `days`.
        AppealToRise = "appeal_to_rise" { needs: [], may: ["region", "delta", "days"] },
        /// Meetings and training drives multiply recruitment and training by `factor` for
        /// `days` (in `region`, or everywhere).
        TrainingDrive = "training_drive" { needs: ["factor", "days"], may: ["region"] },
        /// `count` cadres of the main force infiltrate `regions` for `days`.
        SmallUnits = "small_units" { needs: ["regions", "count", "days"], may: [] },
        /// The main force (`strength` persons) enters `regions` and advances by the
        /// operations plan; the uprising opens where it stands.
        FinalOffensive = "final_offensive" { needs: ["regions", "strength"], may: [] },
        /// An outside army (`strength` persons) enters `regions` and advances.
        ExternalAttack = "external_attack" { needs: ["regions", "strength"], may: [] },
        /// Police detection is multiplied by `factor` for `days`.
        RepressionCampaign = "repression_campaign" { needs: ["factor", "days"], may: ["region"] },
        /// `strength` troops attack the bases (in `region`, or all bases).
        PunitiveExpedition = "punitive_expedition" { needs: ["strength"], may: ["region"] },
        /// From now on, young unorganized men hide in the mountains at `rate` per day (times
        /// the region's mountain share) to escape labour and military drafts.
        Conscription = "conscription" { needs: ["rate"], may: [] },
        /// The ruling side surrenders (an outside cause, as in the mainstream account); its
        /// forces lay down their arms the next day, except in `regions`, fronts that fight on
        /// for `days` more (until the order reaches them).
        Surrender = "surrender" { needs: [], may: ["regions", "days"] },
        /// A strike call: for `days`, the people out (in `region`, or everywhere) withdraw
        /// their labour as well, a cost to the regime (`[resistance.concession]`).
        Strike = "strike" { needs: ["days"], may: ["region"] },
    }
}

/// What a resistance-model event does. Counts of persons are after scaling.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// The programme is proclaimed: contributions start.
    ProclaimProgramme,
    /// An appeal reaches a share of the people, and lowers uprising thresholds for a while.
    Appeal {
        /// Region, or everywhere.
        region: Option<u16>,
        /// Fraction of the people reached.
        share: f64,
        /// Threshold change (fraction of ties; negative lowers).
        delta: f64,
        /// Days the change lasts.
        days: f64,
    },
    /// The call to rise: the uprising opens.
    AppealToRise {
        /// Region, or everywhere.
        region: Option<u16>,
        /// Threshold change (fraction of ties; negative lowers).
        delta: f64,
        /// Days the change lasts.
        days: f64,
    },
    /// Meetings and training drives.
    TrainingDrive {
        /// Region, or everywhere.
        region: Option<u16>,
        /// Multiplier on recruitment and training.
        factor: f64,
        /// Days it lasts.
        days: f64,
    },
    /// Cadres of the main force infiltrate regions.
    SmallUnits {
        /// Target regions.
        regions: Vec<u16>,
        /// Persons per region (after scaling).
        count: f64,
        /// Days they stay.
        days: f64,
    },
    /// The final offensive of the main force.
    FinalOffensive {
        /// Entry regions (one column each).
        regions: Vec<u16>,
        /// Persons in all (after scaling).
        strength: f64,
    },
    /// An outside army attacks.
    ExternalAttack {
        /// Entry regions (one column each).
        regions: Vec<u16>,
        /// Persons in all (after scaling).
        strength: f64,
    },
    /// A police campaign.
    RepressionCampaign {
        /// Region, or everywhere.
        region: Option<u16>,
        /// Multiplier on detection.
        factor: f64,
        /// Days it lasts.
        days: f64,
    },
    /// Troops attack the bases.
    PunitiveExpedition {
        /// Region, or every base.
        region: Option<u16>,
        /// Persons (after scaling).
        strength: f64,
    },
    /// Young unorganized men start hiding in the mountains.
    Conscription {
        /// Fraction per day, times mountain share.
        rate: f64,
    },
    /// A strike call: those out withdraw their labour for a while.
    Strike {
        /// Region, or everywhere.
        region: Option<u16>,
        /// Days it lasts.
        days: f64,
    },
    /// The ruling side surrenders for an outside reason.
    Surrender {
        /// Regions where the fighting goes on for a while.
        fronts: Vec<u16>,
        /// Days the fronts fight on.
        days: f64,
    },
}

/// Checks what only this model knows about an event's fields, and builds its action.
pub(super) fn build(kind: Kind, a: &EventArgs, path: &str, c: &mut Check<'_>) -> Option<Payload> {
    if a.delta != 0.0
        && !c.range(
            &format!("{path}.delta"),
            a.delta,
            -1.0,
            1.0,
            "fraction of ties",
        )
    {
        return None;
    }
    let scale = c.scale();
    let (region, delta, days, factor) = (a.region, a.delta, a.days, a.factor);
    Some(Arc::new(match kind {
        Kind::ProclaimProgramme => Action::ProclaimProgramme,
        Kind::Surrender => Action::Surrender {
            fronts: a.regions.clone(),
            days,
        },
        Kind::Appeal => Action::Appeal {
            region,
            share: a.share,
            delta,
            days,
        },
        Kind::AppealToRise => Action::AppealToRise {
            region,
            delta,
            days,
        },
        Kind::TrainingDrive => Action::TrainingDrive {
            region,
            factor,
            days,
        },
        Kind::SmallUnits => Action::SmallUnits {
            regions: a.regions.clone(),
            count: a.count.unwrap_or(0) as f64 * scale,
            days,
        },
        Kind::FinalOffensive => Action::FinalOffensive {
            regions: a.regions.clone(),
            strength: a.strength * scale,
        },
        Kind::ExternalAttack => Action::ExternalAttack {
            regions: a.regions.clone(),
            strength: a.strength * scale,
        },
        Kind::RepressionCampaign => Action::RepressionCampaign {
            region,
            factor,
            days,
        },
        Kind::PunitiveExpedition => Action::PunitiveExpedition {
            region,
            strength: a.strength * scale,
        },
        Kind::Conscription => Action::Conscription { rate: a.rate },
        Kind::Strike => Action::Strike { region, days },
    }))
}
