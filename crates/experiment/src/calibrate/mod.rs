//! History matching: which parameter values the record does not rule out.
//!
//! A targets file says what was observed and how uncertain it is; its `[priors]` say which
//! parameters may vary and how. History matching (Vernon, Goldstein and Bower 2010; Andrianakis
//! et al. 2015) throws out, wave by wave, the parts of the parameter space where the model
//! cannot reproduce the record:
//!
//! 1. a space-filling design of points is drawn from what is left of the space (the whole
//!    prior in wave 1), and every point is run `replicates` times with common random numbers;
//! 2. an emulator ([`emulator`]) is fitted per target to the runs: the model's mean and how
//!    unsure the emulator is, anywhere in the space, in microseconds;
//! 3. every point of a large sample of the space gets the implausibility of each target,
//!
//!    I(x) = |z − E[f(x)]| / √(V_em(x) + V_obs + V_run + V_disc),
//!
//!    z the observation, E[f(x)] and V_em(x) the emulator's mean and variance, V_obs the
//!    record's variance, V_run the model's own run-to-run variance (the record is one run of
//!    history) and V_disc the discrepancy allowed for a model that is not the world; a point
//!    where any target's I exceeds the cut-off (3) is ruled out;
//! 4. the next wave's design is drawn from what is left, where the emulators are unsure.
//!
//! The share of the prior that is left after each wave is the answer's first part ("the
//! record leaves 4 % of the space"); which targets rule out which parts is the second (a
//! target met nowhere is a misfit, and two targets met separately but never together
//! conflict); the points that are left are the third, for the user to run, plot or hand to a
//! sampler. Counts of people spanning orders of magnitude (largest value or observation over
//! 100, none negative) are emulated as log(1 + v), and their variances carried to that scale
//! by the delta method.
//!
//! Everything is deterministic: the same targets, settings and seed give the same designs,
//! runs, emulators and answer, at any thread count, and a calibration killed and run again
//! redoes no run it had finished ([`store`]).

mod abc;
pub mod claims;
pub mod emulator;
mod report;
mod store;
mod tables;
mod waves;

pub use abc::{abc_smc, AbcSettings, Generation, Particle, Posterior};
pub use report::{weighted_quantile, write as write_report};
pub use store::{Store, StoreError};
pub use tables::{write as write_tables, write_posterior};
pub use waves::{calibrate, four_digits, Calibration, Conflict, Simulator, TargetFit, Wave};

/// Why a calibration stopped before its answer.
#[derive(Debug, thiserror::Error)]
pub enum CalibrateError {
    /// A run could not be made or read (a target the scenario's runs cannot have, say).
    #[error("{0}")]
    Run(String),
    /// The folder could not be used.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Nothing to calibrate.
    #[error("{0}")]
    Setup(String),
}

/// How a calibration is run.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// Waves at most (it stops earlier when nothing of the space is left).
    pub waves: usize,
    /// Design points run per wave.
    pub points: usize,
    /// Replicates of each point (common random numbers across points).
    pub replicates: u32,
    /// Points sampled per batch to map what is left of the space.
    pub candidates: usize,
    /// Implausibility above which a point is ruled out.
    pub cutoff: f64,
    /// Seed of the designs and samples (not of the runs: replicate seeds are the scenarios').
    pub seed: u64,
    /// Model discrepancy: a relative error allowed for the model not being the world (0.1:
    /// 10 % of the observed value as a standard deviation).
    pub discrepancy: f64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            waves: 3,
            points: 40,
            replicates: 4,
            candidates: 20_000,
            cutoff: crate::targets::CUT_OFF,
            seed: 1,
            discrepancy: 0.0,
        }
    }
}

#[cfg(test)]
mod tests;
