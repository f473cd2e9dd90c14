//! The built-in models. Each implements [`Model`]; the engine knows nothing else about them.

pub mod civil_violence;
pub mod resistance;
pub mod state;
pub mod threshold;

use crate::engine::World;
use crate::observe::{LatticeImage, LogEntry, Outcome, StopReason};
use crate::scenario::{Event, ModelKind, Scenario};

/// A model's state and rules. The engine calls these in the order written in
/// [`crate::engine`].
pub trait Model: Send {
    /// Names of the per-step series this model produces.
    fn columns(&self, scenario: &Scenario) -> Vec<String>;
    /// Sets up step 0 (after step-0 events).
    fn start(&mut self, world: &World, log: &mut Vec<LogEntry>);
    /// Applies a timeline event (`index` is its place in the timeline, for its random stream).
    fn apply(&mut self, event: &Event, index: usize, world: &World, log: &mut Vec<LogEntry>);
    /// Advances to `step`.
    fn step(&mut self, step: u32, world: &World, log: &mut Vec<LogEntry>);
    /// Appends this step's values, one per column.
    fn observe(&self, out: &mut Vec<f64>);
    /// True when nothing can change without outside input.
    fn settled(&self) -> bool;
    /// True when the model's own end has come (e.g. the ruling system collapsed); the run
    /// stops even if timeline events are pending.
    fn finished(&self) -> bool {
        false
    }
    /// A picture of the model's lattice, if it has one.
    fn lattice(&self) -> Option<LatticeImage> {
        None
    }
    /// Steps at which [`Model::lattice`] is drawn for the observers.
    fn snapshot_steps(&self) -> &[u32] {
        &[]
    }
    /// The changing state (not what the scenario fixes), encoded for a checkpoint.
    fn save(&self) -> Vec<u8>;
    /// Puts back a state from [`Model::save`] into a model built from a scenario with the
    /// same world.
    fn restore(&mut self, bytes: &[u8]) -> Result<(), state::StateError>;
    /// Headline figures and a sentence for the end of the run.
    fn outcome(&self, last_step: u32, reason: StopReason, world: &World) -> Outcome;
}

/// Builds the model a scenario names.
pub fn build(scenario: &Scenario, world: &World) -> Box<dyn Model> {
    match scenario.model {
        ModelKind::Threshold => Box::new(threshold::Threshold::new(scenario, world)),
        ModelKind::Resistance => Box::new(resistance::Resistance::new(scenario, world)),
        ModelKind::CivilViolence => Box::new(civil_violence::CivilViolence::new(scenario, world)),
    }
}
