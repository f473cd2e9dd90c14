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

/// Worlds kept for runs that would build the same one again: calibrations and sweeps run
/// replicate k of every point with the same seed, and a point's parameters (the model's
/// rates) do not change the people or their ties, so replicate k's world is built once and
/// handed to every point. A world is reused only for a scenario with the very same regions,
/// network and seed, which is all that [`World::of`] reads; anything else builds anew.
///
/// Bounded: it keeps at most `capacity` worlds and at most [`WorldCache::MAX_PERSONS`] persons
/// in all, dropping the oldest first.
#[derive(Debug)]
pub struct WorldCache {
    capacity: usize,
    kept: std::sync::Mutex<Vec<(WorldKey, World)>>,
}

/// What a world is built from.
#[derive(Debug, PartialEq)]
struct WorldKey {
    regions: Vec<crate::scenario::Region>,
    network: NetworkSpec,
    seed: u64,
}

impl WorldCache {
    /// The most persons kept in all (about 60 bytes a person with their ties: ~1.2 GB).
    pub const MAX_PERSONS: usize = 20_000_000;

    /// A cache of at most `capacity` worlds.
    pub fn new(capacity: usize) -> WorldCache {
        WorldCache {
            capacity,
            kept: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// The world of `scenario`: a copy of the one kept, or a new one (then kept).
    pub fn world(&self, scenario: &Scenario) -> World {
        let key = WorldKey {
            regions: scenario.regions.clone(),
            network: scenario.network.clone(),
            seed: scenario.seed,
        };
        {
            let kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((_, w)) = kept.iter().find(|(k, _)| *k == key) {
                return w.clone();
            }
        }
        let world = World::of(scenario);
        let persons = world.people.len();
        if self.capacity > 0 && persons <= Self::MAX_PERSONS {
            let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner());
            if !kept.iter().any(|(k, _)| *k == key) {
                kept.push((key, world.clone()));
                let mut total: usize = kept.iter().map(|(_, w)| w.people.len()).sum();
                while kept.len() > self.capacity || total > Self::MAX_PERSONS {
                    total -= kept[0].1.people.len();
                    kept.remove(0);
                }
            }
        }
        world
    }
}
