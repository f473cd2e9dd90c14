//! Per-person state of the resistance model: a few bytes per person, in columns.

use rayon::prelude::*;

use crate::rng::{Purpose, Stream};
use crate::scenario::resistance::{PeopleParams, UprisingParams};

/// Where a person stands. Stored as one byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
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
/// Flag: has an entry in its region's organizer list (which is pruned lazily).
pub const LISTED: u8 = 2;
/// Flag: has an entry in its region's hiding list.
pub const HIDE_LISTED: u8 = 4;

/// The people's changing state, one entry per person.
#[derive(Clone, Debug, Default)]
pub struct Persons {
    /// [`State`] as a byte.
    pub state: Vec<u8>,
    /// [`HIDING`], [`LISTED`], [`HIDE_LISTED`].
    pub flags: Vec<u8>,
    /// Grievance, 0..=255 for 0..1.
    pub grievance: Vec<u8>,
    /// Risk aversion, 0..=255 for 0..1.
    pub risk: Vec<u8>,
    /// Cell number, or [`NO_CELL`].
    pub cell: Vec<u32>,
    /// Ties that have risen (saturating).
    pub risen_ties: Vec<u16>,
}

impl Persons {
    /// Draws every person's grievance (normal around their occupation's mean) and risk
    /// aversion (uniform, as in Epstein 2002), each from the person's own stream.
    pub fn new(occupation: &[u8], p: &PeopleParams, seed: u64) -> Persons {
        let n = occupation.len();
        let means = [
            p.grievance_peasant,
            p.grievance_worker,
            p.grievance_student,
            p.grievance_other,
        ];
        let mut grievance = vec![0u8; n];
        let mut risk = vec![0u8; n];
        grievance
            .par_iter_mut()
            .zip(risk.par_iter_mut())
            .enumerate()
            .for_each(|(i, (g, r))| {
                let mut s = Stream::new(seed, Purpose::DISPOSITION, 0, i as u32);
                let mean = means[occupation[i] as usize];
                *g = to_byte(mean + p.grievance_sd * s.normal());
                *r = to_byte(s.uniform());
            });
        Persons {
            state: vec![0; n],
            flags: vec![0; n],
            grievance,
            risk,
            cell: vec![NO_CELL; n],
            risen_ties: vec![0; n],
        }
    }

    /// The state of person `i`.
    #[inline]
    pub fn state(&self, i: u32) -> State {
        State::from_u8(self.state[i as usize])
    }

    /// Grievance of `i` as a fraction.
    #[inline]
    pub fn grievance(&self, i: u32) -> f64 {
        f64::from(self.grievance[i as usize]) / 255.0
    }

    /// Risk aversion of `i` as a fraction.
    #[inline]
    pub fn risk(&self, i: u32) -> f64 {
        f64::from(self.risk[i as usize]) / 255.0
    }

    /// Whether `i` hides in the mountains.
    #[inline]
    pub fn hiding(&self, i: u32) -> bool {
        self.flags[i as usize] & HIDING != 0
    }

    /// The uprising threshold of `i` before bonuses, as a fraction of ties.
    #[inline]
    pub fn threshold(&self, i: u32, u: &UprisingParams) -> f64 {
        u.threshold_base + u.risk_weight * (self.risk(i) - 0.5) - u.grievance_weight * self.grievance(i)
    }

    /// Resident bytes per person.
    pub const BYTES_PER_PERSON: usize = 1 + 1 + 1 + 1 + 4 + 2;
}

/// A fraction as a byte, clipped to 0..1.
pub fn to_byte(x: f64) -> u8 {
    (x.clamp(0.0, 1.0) * 255.0).round() as u8
}
