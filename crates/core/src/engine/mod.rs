//! The engine: builds the world from a scenario and runs the step loop.
//!
//! # The step, in order
//! The order of stages inside a step is written here and nowhere else:
//! 1. **timeline**: every event due at this step fires ([`Model::apply`]);
//! 2. **update**: the model advances from the previous step ([`Model::step`]);
//! 3. **observation**: the model's aggregates and the step's log go to every observer.
//!
//! Step 0 is the initial state: events due at step 0 fire, then it is observed (no update).
//! The run ends after `time.steps` steps, or earlier when the model has settled (nothing can
//! change without outside input) and no event is pending, or when the model says its own end
//! has come ([`Model::finished`], e.g. the collapse of the ruling system).

use crate::model::{self, Model};
use crate::network::Network;
use crate::observe::{LogEntry, Observer, Outcome, RunInfo, StepRecord, StopReason};
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

/// A simulation: a scenario, its world and a model's state.
pub struct Sim {
    scenario: Scenario,
    world: World,
    model: Box<dyn Model>,
}

impl Sim {
    /// Synthesizes the population and network and initializes the model.
    pub fn new(scenario: Scenario) -> Sim {
        let people = People::synthesize(&scenario.regions, scenario.seed);
        let network = Network::generate(&scenario.network, &people, scenario.seed);
        let world = World { people, network };
        let model = model::build(&scenario, &world);
        Sim {
            scenario,
            world,
            model,
        }
    }

    /// The scenario being run.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The people and ties.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// Runs to the end, reporting to every observer.
    pub fn run(&mut self, observers: &mut [&mut dyn Observer]) -> Outcome {
        let columns = self.model.columns(&self.scenario);
        let time = self.scenario.time.clone();
        let info = RunInfo {
            scenario: &self.scenario,
            columns: &columns,
            persons: self.world.people.len() as u32,
            ties: self.world.network.ties(),
            max_step: time.steps,
        };
        for o in observers.iter_mut() {
            o.start(&info);
        }
        let events = &self.scenario.events;
        let mut next_event = 0;
        let mut log: Vec<LogEntry> = Vec::new();
        let mut values = Vec::with_capacity(columns.len());
        let mut step = 0;
        let reason = loop {
            // 1. timeline
            while next_event < events.len() && events[next_event].step == step {
                self.model
                    .apply(&events[next_event], next_event, &self.world, &mut log);
                next_event += 1;
            }
            // 2. update
            if step > 0 {
                self.model.step(step, &self.world, &mut log);
            } else {
                self.model.start(&self.world, &mut log);
            }
            // 3. observation
            values.clear();
            self.model.observe(&mut values);
            // A model that names a different number of columns than it fills is a bug.
            assert_eq!(
                values.len(),
                columns.len(),
                "a model's values match its columns"
            );
            let picture = if self.model.snapshot_steps().contains(&step) {
                self.model.lattice()
            } else {
                None
            };
            let record = StepRecord {
                step,
                date: time.date_of(step),
                values: &values,
                lattice: picture.as_ref(),
            };
            for o in observers.iter_mut() {
                for entry in &log {
                    o.log(entry);
                }
                o.step(&record);
            }
            log.clear();
            if step == time.steps {
                break StopReason::TimeLimit;
            }
            if self.model.finished() {
                break StopReason::Ended;
            }
            if next_event == events.len() && self.model.settled() {
                break StopReason::Equilibrium;
            }
            step += 1;
        };
        let outcome = self.model.outcome(step, reason, &self.world);
        for o in observers.iter_mut() {
            o.finish(&outcome);
        }
        outcome
    }
}
