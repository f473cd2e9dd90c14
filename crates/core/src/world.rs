//! The world a run takes place in: the people and their ties, fixed for the run.
//!
//! Kept apart from the engine and the models so that both can read it without depending on
//! each other.

use std::sync::Arc;

use crate::network::Network;
use crate::population::People;
use crate::scenario::{NetworkSpec, Scenario};

/// What every model reads: the people and their ties. Fixed for a run.
#[derive(Clone, Debug, Default)]
pub struct World {
    /// Attribute columns.
    pub people: People,
    /// Social ties (shared: a network read from files stays with its scenario, and runs of
    /// it read the same copy).
    pub network: Arc<Network>,
}

impl World {
    /// Synthesizes the people and ties of a scenario (deterministic in its seed).
    pub fn of(scenario: &Scenario) -> World {
        let mut people = People::synthesize(&scenario.regions, scenario.seed);
        let network = match &scenario.network {
            NetworkSpec::File(f) => {
                // The people table's attributes replace the drawn ones where it gives them.
                let a = &f.attributes;
                for (column, given) in [
                    (&mut people.age, &a.age),
                    (&mut people.sex, &a.sex),
                    (&mut people.occupation, &a.occupation),
                ] {
                    if let Some(v) = given {
                        column.clone_from(v);
                    }
                }
                f.network()
            }
            spec => Arc::new(Network::generate(spec, &people, scenario.seed)),
        };
        World { people, network }
    }
}
