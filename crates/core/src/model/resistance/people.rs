//! Per-person state of the resistance model: a few bytes per person, in columns.

use rayon::prelude::*;

use super::params::{PeopleParams, UprisingParams};
use crate::rng::{Purpose, Stream};

/// Where a person stands. Stored as one byte.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[repr(u8)]
pub enum State {
    /// Not yet reached by the movement.
    Unreached = 0,
    /// Reached and sympathetic, not organized.
    Sympathizer = 1,
    /// A member of a cell.
    Member = 2,
    /// A trained member able to lead and recruit (the "hard core").
    Cadre = 3,
    /// A member trained and armed at a base.
    Fighter = 4,
    /// Has risen in the uprising.
    Risen = 5,
    /// In jail until a release step.
    Arrested = 6,
    /// Killed in combat.
    Dead = 7,
}

/// Names of the states, in code order (used in column names).
pub const STATES: [&str; 8] = [
    "unreached",
    "sympathizer",
    "member",
    "cadre",
    "fighter",
    "risen",
    "arrested",
    "dead",
];

impl State {
    /// The state of a stored byte.
    pub fn from_u8(b: u8) -> State {
        match b {
            0 => State::Unreached,
            1 => State::Sympathizer,
            2 => State::Member,
            3 => State::Cadre,
            4 => State::Fighter,
            5 => State::Risen,
            6 => State::Arrested,
            _ => State::Dead,
        }
    }

    /// Member or cadre: can recruit and be detected by the police.
    pub fn is_organizer(self) -> bool {
        matches!(self, State::Member | State::Cadre)
    }
}

/// No cell.
pub const NO_CELL: u32 = u32::MAX;

/// Flag: hiding in the mountains.
pub const HIDING: u8 = 1;
/// Flag: has an entry in its region's member list (which is pruned lazily).
pub const LISTED: u8 = 2;
/// Flag: has an entry in its region's cadre list (which is pruned lazily).
pub const CADRE_LISTED: u8 = 8;
/// Flag: has an entry in its region's hiding list.
pub const HIDE_LISTED: u8 = 4;
/// Flag: risen, and counted by their ties (`risen_ties`): set when the ties learn of the
/// rising (the step after), cleared when the person stops being out (home, jail, death).
pub const COUNTED: u8 = 16;
/// Flag: has been out in the rising and gone home (`weariness` raises their threshold).
pub const WENT_HOME: u8 = 32;
/// Bits 6–7: the state a risen person had before rising (unreached, sympathizer, member or
/// cadre), to which they return when they go home.
pub const PRIOR_SHIFT: u8 = 6;

/// The hot part of a person's state, packed in 8 bytes so that one cache line fetch gives
/// everything a contact or a threshold check reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[repr(C)]
pub struct Hot {
    /// [`State`] as a byte.
    pub state: u8,
    /// [`HIDING`], [`LISTED`], [`CADRE_LISTED`], [`HIDE_LISTED`], [`COUNTED`],
    /// [`WENT_HOME`], and the state before rising in the two bits from [`PRIOR_SHIFT`].
    pub flags: u8,
    /// Grievance, 0..=255 for 0..1.
    pub grievance: u8,
    /// Risk aversion, 0..=255 for 0..1.
    pub risk: u8,
    /// Region number (a copy of the population's column, kept here for locality).
    pub region: u16,
    /// Ties out in the rising now, as this person knows it (counted ties: see [`COUNTED`]).
    pub risen_ties: u16,
}

/// The people's changing state, one entry per person.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Persons {
    /// State, flags, grievance, risk, region and risen ties.
    pub hot: Vec<Hot>,
    /// Cell number, or [`NO_CELL`].
    pub cell: Vec<u32>,
}

impl Persons {
    /// Draws every person's grievance (normal around their occupation's mean) and risk
    /// aversion (uniform, as in Epstein 2002), each from the person's own stream.
    pub fn new(occupation: &[u8], region: &[u16], p: &PeopleParams, seed: u64) -> Persons {
        let n = occupation.len();
        let means = [
            p.grievance_peasant,
            p.grievance_worker,
            p.grievance_student,
            p.grievance_other,
        ];
        let mut hot = vec![Hot::default(); n];
        hot.par_iter_mut().enumerate().for_each(|(i, h)| {
            let mut s = Stream::new(seed, Purpose::DISPOSITION, 0, i as u32);
            let mean = means[occupation[i] as usize];
            h.grievance = to_byte(mean + p.grievance_sd * s.normal());
            h.risk = to_byte(s.uniform());
            h.region = region[i];
        });
        Persons {
            hot,
            cell: vec![NO_CELL; n],
        }
    }

    /// The state of person `i`.
    #[inline]
    pub fn state(&self, i: u32) -> State {
        State::from_u8(self.hot[i as usize].state)
    }

    /// Grievance of `i` as a fraction.
    #[inline]
    pub fn grievance(&self, i: u32) -> f64 {
        f64::from(self.hot[i as usize].grievance) / 255.0
    }

    /// Risk aversion of `i` as a fraction.
    #[inline]
    pub fn risk(&self, i: u32) -> f64 {
        f64::from(self.hot[i as usize].risk) / 255.0
    }

    /// The state `i` had before rising (meaningful while risen).
    #[inline]
    pub fn prior(&self, i: u32) -> State {
        State::from_u8(self.hot[i as usize].flags >> PRIOR_SHIFT)
    }

    /// Whether `i` has been out and gone home.
    #[inline]
    pub fn went_home(&self, i: u32) -> bool {
        self.hot[i as usize].flags & WENT_HOME != 0
    }

    /// Whether `i` hides in the mountains.
    #[inline]
    pub fn hiding(&self, i: u32) -> bool {
        self.hot[i as usize].flags & HIDING != 0
    }

    /// The uprising threshold of `i` before bonuses, as a fraction of ties.
    #[inline]
    pub fn threshold(&self, i: u32, u: &UprisingParams) -> f64 {
        u.threshold_base + u.risk_weight * (self.risk(i) - 0.5)
            - u.grievance_weight * self.grievance(i)
    }
}

/// A fraction as a byte, clipped to 0..1.
pub fn to_byte(x: f64) -> u8 {
    (x.clamp(0.0, 1.0) * 255.0).round() as u8
}
