//! The engine: builds the world from a scenario and runs the step loop.
//!
//! # The step, in order
//! The order of stages inside a step is written here and nowhere else:
//! 1. **timeline**: every event due at this step fires ([`Model::apply`]);
//! 2. **update**: the model advances from the previous step ([`Model::step`]);
//! 3. **observation**: the model's aggregates and the step's log go to every observer;
//! 4. **checkpoint**: every `checkpoint_every` steps, and when stopped from outside, the whole
//!    state is handed to the caller ([`Checkpoint`]).
//!
//! Step 0 is the initial state: events due at step 0 fire, then it is observed (no update).
//! The run ends after `time.steps` steps, or earlier when the model has settled (nothing can
//! change without outside input) and no event is pending, when the model says its own end
//! has come ([`Model::finished`], e.g. the collapse of the ruling system), or when it is
//! stopped from outside ([`RunControl::stop`]).
//!
//! A run resumed from a checkpoint first tells its observers everything they were told before
//! the checkpoint, in the same order, then goes on: observers that write files write the same
//! bytes as in a run never interrupted. Random streams are keyed by (seed, step, agent,
//! purpose), so nothing about them needs saving.

use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use crate::model::state::StateError;
use crate::model::Model;
use crate::observe::{
    LatticeImage, LogEntry, Observer, Outcome, RunInfo, Series, StepRecord, StopReason,
};
use crate::scenario::Scenario;
pub use crate::world::World;

/// Everything observers saw up to a checkpoint, so that it can be told again on resume.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    /// One row of values per step, from step 0.
    pub rows: Vec<Vec<f64>>,
    /// The log entries of each step.
    pub logs: Vec<Vec<LogEntry>>,
    /// Lattice pictures drawn: (step, width, height, one code per site).
    pub pictures: Vec<(u32, u32, u32, Vec<u8>)>,
}

/// A saved run: the scenario texts, where the run stood, the model's changing state and what
/// the observers were told. Encoded and checked by `mobilize_output::checkpoint`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The resolved scenario whose people and ties the state belongs to (TOML); a branch keeps
    /// the world of the run it branched from.
    pub world_scenario: String,
    /// The resolved scenario the run follows (TOML).
    pub scenario: String,
    /// Last step computed and observed.
    pub step: u32,
    /// The model's changing state ([`Model::save`]).
    pub model: Vec<u8>,
    /// What the observers were told, steps 0..=`step`.
    pub history: History,
}

impl Checkpoint {
    /// The checkpoint as bytes (postcard); framing and checksum are the file's business.
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_stdvec(self).expect("plain data always encodes")
    }

    /// Reads bytes from [`Checkpoint::encode`].
    pub fn decode(bytes: &[u8]) -> Result<Checkpoint, StateError> {
        Ok(postcard::from_bytes(bytes)?)
    }
}

/// How a run is steered from outside: checkpoints and stopping.
#[derive(Default)]
pub struct RunControl<'a> {
    /// Hand a checkpoint to `on_checkpoint` every this many steps (0: never, except when
    /// stopped).
    pub checkpoint_every: u32,
    /// Receives each checkpoint (writes it to disk).
    pub on_checkpoint: Option<&'a mut dyn FnMut(&Checkpoint)>,
    /// Set from outside (a signal handler) to stop at the end of the current step.
    pub stop: Option<&'a AtomicBool>,
    /// Draw the lattice for the observers at every step (a live display), not only at the
    /// scenario's snapshot steps.
    pub live_lattice: bool,
}

/// Where a resumed run picks up.
struct ResumeAt {
    step: u32,
    history: History,
}

/// A simulation: a scenario, its world and a model's state.
pub struct Sim {
    scenario: Scenario,
    world_scenario: String,
    world: World,
    model: Box<dyn Model>,
    resume: Option<ResumeAt>,
}

impl Sim {
    /// Synthesizes the population and network and initializes the model.
    pub fn new(scenario: Scenario) -> Sim {
        let world = World::of(&scenario);
        let model = scenario.model.build(&scenario, &world);
        Sim {
            world_scenario: scenario.resolved_toml(),
            scenario,
            world,
            model,
            resume: None,
        }
    }

    /// Rebuilds a run from a checkpoint: the world of `world_scenario` (the checkpoint's), the
    /// model of `scenario` (the checkpoint's own to resume, a changed one to branch) with the
    /// saved state put back. The caller has checked that both scenarios describe the same world.
    pub fn resume(
        world_scenario: &Scenario,
        scenario: Scenario,
        checkpoint: Checkpoint,
    ) -> Result<Sim, StateError> {
        Sim::resume_in(World::of(world_scenario), scenario, checkpoint)
    }

    /// [`Sim::resume`] in a world already built (the one a paused run leaves with
    /// [`Sim::into_world`]), which must be the checkpoint's: a run paused and continued in
    /// memory does not build its world again.
    pub fn resume_in(
        world: World,
        scenario: Scenario,
        checkpoint: Checkpoint,
    ) -> Result<Sim, StateError> {
        let mut model = scenario.model.build(&scenario, &world);
        model.restore(&checkpoint.model)?;
        if checkpoint.history.rows.len() != checkpoint.step as usize + 1 {
            return Err(StateError(format!(
                "{} rows of history for step {}",
                checkpoint.history.rows.len(),
                checkpoint.step
            )));
        }
        Ok(Sim {
            scenario,
            world_scenario: checkpoint.world_scenario,
            world,
            model,
            resume: Some(ResumeAt {
                step: checkpoint.step,
                history: checkpoint.history,
            }),
        })
    }

    /// The world, once the run is over (to continue from one of its checkpoints with
    /// [`Sim::resume_in`]).
    pub fn into_world(self) -> World {
        self.world
    }

    /// The scenario being run.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// The people and ties.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The step a resumed run continues after, if it is one.
    pub fn resumes_after(&self) -> Option<u32> {
        self.resume.as_ref().map(|r| r.step)
    }

    /// Runs to the end, reporting to every observer.
    pub fn run(&mut self, observers: &mut [&mut dyn Observer]) -> Outcome {
        self.run_with(observers, RunControl::default())
    }

    /// Runs to the end (or until stopped), reporting to every observer and handing out
    /// checkpoints as `control` asks.
    pub fn run_with(
        &mut self,
        observers: &mut [&mut dyn Observer],
        mut control: RunControl<'_>,
    ) -> Outcome {
        let regions: Vec<String> = self
            .scenario
            .regions
            .iter()
            .map(|r| r.name.clone())
            .collect();
        let mut columns = Vec::new();
        self.model
            .series(&mut Series::naming(&regions, &mut columns, &mut Vec::new()));
        let time = self.scenario.time.clone();
        let meta = self.scenario.model.meta(&self.scenario);
        let info = RunInfo {
            scenario: &self.scenario,
            meta: &meta,
            columns: &columns,
            persons: self.world.people.len() as u32,
            ties: self.world.network.ties(),
            max_step: time.steps,
        };
        for o in observers.iter_mut() {
            o.start(&info);
        }
        let recording = control.checkpoint_every > 0 || control.on_checkpoint.is_some();
        let events = &self.scenario.events;
        let legend = self.model.lattice().map(|l| l.legend);
        let mut history = History::default();
        let mut step = 0;
        let mut next_event = 0;
        let mut resumed = false;
        if let Some(r) = self.resume.take() {
            // Tell the observers again what they were told before the checkpoint.
            for (k, (row, log)) in r.history.rows.iter().zip(&r.history.logs).enumerate() {
                let picture = r.history.pictures.iter().find(|p| p.0 as usize == k);
                let image = picture.zip(legend).map(|(p, legend)| LatticeImage {
                    width: p.1,
                    height: p.2,
                    cells: p.3.clone(),
                    legend,
                });
                let record = StepRecord {
                    step: k as u32,
                    date: time.date_of(k as u32),
                    values: row,
                    lattice: image.as_ref(),
                };
                for o in observers.iter_mut() {
                    for entry in log {
                        o.log(entry);
                    }
                    o.step(&record);
                }
            }
            step = r.step;
            next_event = events.iter().take_while(|e| e.step <= step).count();
            if recording {
                history = r.history;
            }
            resumed = true;
        }
        let mut log: Vec<LogEntry> = Vec::new();
        let mut values = Vec::with_capacity(columns.len());
        let reason = loop {
            if !resumed {
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
                self.model
                    .series(&mut Series::values(&regions, &mut values));
                // A model whose columns change from step to step is a bug.
                assert_eq!(
                    values.len(),
                    columns.len(),
                    "a model's values match its columns"
                );
                let snapshot = self.model.snapshot_steps().contains(&step);
                let picture = if snapshot || control.live_lattice {
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
                if recording {
                    history.rows.push(values.clone());
                    history.logs.push(std::mem::take(&mut log));
                    if let Some(p) = picture.filter(|_| snapshot) {
                        history.pictures.push((step, p.width, p.height, p.cells));
                    }
                }
                log.clear();
                // 4. checkpoint
                let stopping = control.stop.is_some_and(|s| s.load(Ordering::Relaxed));
                let due = control.checkpoint_every > 0 && step % control.checkpoint_every == 0;
                if (due || stopping) && step < time.steps {
                    if let Some(write) = control.on_checkpoint.as_mut() {
                        // The history is lent to the checkpoint and taken back, not copied.
                        let checkpoint = Checkpoint {
                            world_scenario: self.world_scenario.clone(),
                            scenario: self.scenario.resolved_toml(),
                            step,
                            model: self.model.save(),
                            history: std::mem::take(&mut history),
                        };
                        write(&checkpoint);
                        history = checkpoint.history;
                    }
                }
            }
            resumed = false;
            if step == time.steps {
                break StopReason::TimeLimit;
            }
            if self.model.finished() {
                break StopReason::Ended;
            }
            if next_event == events.len() && self.model.settled() {
                break StopReason::Equilibrium;
            }
            if control.stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
                break StopReason::Interrupted;
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
