//! The world a run takes place in: the people and their ties, fixed for the run.
//!
//! Kept apart from the engine and the models so that both can read it without depending on
//! each other.

use crate::network::Network;
use crate::population::People;
use crate::scenario::Scenario;

/// What every model reads: the people and their ties. Fixed for a run.
#[derive(Clone, Debug, Default)]
pub struct World {
    /// Attribute columns.
    pub people: People,
    /// Social ties.
    pub network: Network,
}

impl World {
    /// Synthesizes the people and ties of a scenario (deterministic in its seed).
    pub fn of(scenario: &Scenario) -> World {
        let people = People::synthesize(&scenario.regions, scenario.seed);
        let network = Network::generate(&scenario.network, &people, scenario.seed);
        World { people, network }
    }
}
