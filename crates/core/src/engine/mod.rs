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
//! stopped from outside ([`RunControl::stop`], or an observer's `Break`).
//!
//! The caller owns the loop: [`Sim::step_with`] computes one step (the first call, step 0) and
//! says when the run is over; [`Sim::run_with`] is the loop written once for callers that do
//! not pause. An observer that fails ends the run with its error ([`ObserverError`]).
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
    LatticeImage, LogEntry, Observer, ObserverError, Outcome, RunInfo, Series, StepRecord,
    StopReason,
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
    /// Keep what the observers were told even without `on_checkpoint`, so that
    /// [`Sim::checkpoint`] can be asked for at any step (a paused Python `Sim` saves itself).
    pub keep_history: bool,
}

impl RunControl<'_> {
    fn stop_asked(&self) -> bool {
        self.stop.is_some_and(|s| s.load(Ordering::Relaxed))
    }
}

/// Where a resumed run picks up.
struct ResumeAt {
    step: u32,
    history: History,
    /// The observers were told the history already (a branch made in memory): do not tell
    /// them again.
    told: bool,
}

/// Where a started run stands between two calls of [`Sim::step_with`].
struct Cursor {
    regions: Vec<String>,
    columns: Vec<String>,
    legend: Option<&'static [(u8, &'static str, [u8; 3])]>,
    /// The last step computed and observed.
    step: u32,
    /// The first timeline event not yet applied.
    next_event: usize,
    /// Kept when `recording`, for checkpoints.
    history: History,
    recording: bool,
    /// An observer answered `Break`: stop at the end of this step.
    break_asked: bool,
    values: Vec<f64>,
    log: Vec<LogEntry>,
}

/// A simulation: a scenario, its world and a model's state.
///
/// A run is a loop of [`Sim::step_with`] (the first call starts the observers and computes
/// step 0, or retells a resumed run's history; each later call computes one more step) until
/// it answers why the run is over, then [`Sim::finish`]; [`Sim::run_with`] is that loop. A
/// caller that steps a run itself (a notebook, a calibration, a live display) pauses between
/// steps at no cost and may change the scenario by value in between ([`Sim::set_scenario`]).
pub struct Sim {
    scenario: Scenario,
    world_scenario: String,
    world: World,
    model: Box<dyn Model>,
    resume: Option<ResumeAt>,
    cursor: Option<Cursor>,
}

impl Sim {
    /// Synthesizes the population and network and initializes the model.
    pub fn new(scenario: Scenario) -> Sim {
        let world = World::of(&scenario);
        Sim::in_world(scenario, world)
    }

    /// A run of `scenario` in a world already built, which must be the scenario's own (the
    /// same regions, network and seed: [`crate::world::WorldCache`] hands out only such).
    pub fn in_world(scenario: Scenario, world: World) -> Sim {
        let model = scenario.model.build(&scenario, &world);
        Sim {
            world_scenario: scenario.resolved_toml(),
            scenario,
            world,
            model,
            resume: None,
            cursor: None,
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

    /// [`Sim::resume`] in a world already built, which must be the checkpoint's (a copy of a
    /// paused run's, [`Sim::world`]): a run continued in memory does not build its world again.
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
                told: false,
            }),
            cursor: None,
        })
    }

    /// A resumed run whose observers were started and told its history already (copies of
    /// the observers of the run it was copied from): they are neither started nor told again.
    pub fn already_told(mut self) -> Sim {
        if let Some(r) = &mut self.resume {
            r.told = true;
        }
        self
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

    /// The last step computed and observed (`None` before the first [`Sim::step_with`]).
    pub fn step_reached(&self) -> Option<u32> {
        self.cursor.as_ref().map(|c| c.step)
    }

    /// The run as it stands: the state after the last step computed, with what the observers
    /// were told (kept when the run was stepped with `keep_history` or checkpoints).
    ///
    /// # Panics
    /// Before the first step (there is no state to save yet).
    pub fn checkpoint(&self) -> Checkpoint {
        let c = self
            .cursor
            .as_ref()
            .expect("a run is saved after its first step");
        Checkpoint {
            world_scenario: self.world_scenario.clone(),
            scenario: self.scenario.resolved_toml(),
            step: c.step,
            model: self.model.save(),
            history: c.history.clone(),
        }
    }

    /// Goes on under `scenario` from the state reached: the model is built for it and the
    /// changing state carried over, as a branch from a checkpoint does (rates, events and the
    /// number of steps may change; the caller has checked that the world does not). Events of
    /// the new timeline at steps already computed do not fire.
    pub fn set_scenario(&mut self, scenario: Scenario) -> Result<(), StateError> {
        let saved = self.model.save();
        let mut model = scenario.model.build(&scenario, &self.world);
        model.restore(&saved)?;
        if let Some(c) = &mut self.cursor {
            let regions: Vec<String> = scenario.regions.iter().map(|r| r.name.clone()).collect();
            let mut columns = Vec::new();
            model.series(&mut Series::naming(&regions, &mut columns, &mut Vec::new()));
            if columns != c.columns {
                return Err(StateError(
                    "the changed scenario gives the run other series".into(),
                ));
            }
            c.next_event = scenario
                .events
                .iter()
                .take_while(|e| e.step <= c.step)
                .count();
        }
        self.model = model;
        self.scenario = scenario;
        Ok(())
    }

    /// Runs to the end, reporting to every observer.
    pub fn run(&mut self, observers: &mut [&mut dyn Observer]) -> Result<Outcome, ObserverError> {
        self.run_with(observers, RunControl::default())
    }

    /// Runs to the end (or until stopped), reporting to every observer and handing out
    /// checkpoints as `control` asks.
    pub fn run_with(
        &mut self,
        observers: &mut [&mut dyn Observer],
        mut control: RunControl<'_>,
    ) -> Result<Outcome, ObserverError> {
        let reason = loop {
            if let Some(reason) = self.step_with(observers, &mut control)? {
                break reason;
            }
        };
        self.finish(observers, reason)
    }

    /// Why the run is over after the step last computed, if it is; `None` before the first
    /// step and while it goes on.
    pub fn over(&self, control: &RunControl<'_>) -> Option<StopReason> {
        let c = self.cursor.as_ref()?;
        if c.step == self.scenario.time.steps {
            Some(StopReason::TimeLimit)
        } else if self.model.finished() {
            Some(StopReason::Ended)
        } else if c.next_event == self.scenario.events.len() && self.model.settled() {
            Some(StopReason::Equilibrium)
        } else if c.break_asked || control.stop_asked() {
            Some(StopReason::Interrupted)
        } else {
            None
        }
    }

    /// One step: the first call starts the observers and computes step 0 (or, for a resumed
    /// run, tells them what they saw before the checkpoint); each later call computes the next
    /// step. Returns why the run is over instead when it is (nothing is then computed; call
    /// [`Sim::finish`]). The same observers, in the same order, are to be given at every call.
    pub fn step_with(
        &mut self,
        observers: &mut [&mut dyn Observer],
        control: &mut RunControl<'_>,
    ) -> Result<Option<StopReason>, ObserverError> {
        if self.cursor.is_none() {
            self.begin(observers, control)?;
            return Ok(None);
        }
        if let Some(reason) = self.over(control) {
            return Ok(Some(reason));
        }
        let c = self.cursor.as_mut().expect("started");
        c.step += 1;
        self.compute(observers, control)?;
        Ok(None)
    }

    /// Ends the run: the model's outcome, told to every observer.
    pub fn finish(
        &mut self,
        observers: &mut [&mut dyn Observer],
        reason: StopReason,
    ) -> Result<Outcome, ObserverError> {
        let step = self.cursor.as_ref().map_or(0, |c| c.step);
        let outcome = self.model.outcome(step, reason, &self.world);
        for o in observers.iter_mut() {
            o.finish(&outcome)?;
        }
        Ok(outcome)
    }

    /// Starts the observers; computes step 0 or retells a resumed run's history.
    fn begin(
        &mut self,
        observers: &mut [&mut dyn Observer],
        control: &mut RunControl<'_>,
    ) -> Result<(), ObserverError> {
        let regions: Vec<String> = self
            .scenario
            .regions
            .iter()
            .map(|r| r.name.clone())
            .collect();
        let mut columns = Vec::new();
        self.model
            .series(&mut Series::naming(&regions, &mut columns, &mut Vec::new()));
        let meta = self.scenario.model.meta(&self.scenario);
        let info = RunInfo {
            scenario: &self.scenario,
            meta: &meta,
            columns: &columns,
            persons: self.world.people.len() as u32,
            ties: self.world.network.ties(),
            max_step: self.scenario.time.steps,
        };
        // Observers copied from a run's own were started and told its past with it.
        if !self.resume.as_ref().is_some_and(|r| r.told) {
            for o in observers.iter_mut() {
                o.start(&info)?;
            }
        }
        let recording =
            control.keep_history || control.checkpoint_every > 0 || control.on_checkpoint.is_some();
        let mut cursor = Cursor {
            values: Vec::with_capacity(columns.len()),
            legend: self.model.lattice().map(|l| l.legend),
            regions,
            columns,
            step: 0,
            next_event: 0,
            history: History::default(),
            recording,
            break_asked: false,
            log: Vec::new(),
        };
        let Some(r) = self.resume.take() else {
            self.cursor = Some(cursor);
            return self.compute(observers, control);
        };
        if !r.told {
            // Tell the observers again what they were told before the checkpoint.
            let time = &self.scenario.time;
            for (k, (row, log)) in r.history.rows.iter().zip(&r.history.logs).enumerate() {
                let picture = r.history.pictures.iter().find(|p| p.0 as usize == k);
                let image = picture.zip(cursor.legend).map(|(p, legend)| LatticeImage {
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
                        o.log(entry)?;
                    }
                    cursor.break_asked |= o.step(&record)?.is_break();
                }
            }
        }
        cursor.step = r.step;
        cursor.next_event = self
            .scenario
            .events
            .iter()
            .take_while(|e| e.step <= r.step)
            .count();
        if recording {
            cursor.history = r.history;
        }
        self.cursor = Some(cursor);
        Ok(())
    }

    /// Computes the cursor's step: timeline, update, observation, checkpoint.
    fn compute(
        &mut self,
        observers: &mut [&mut dyn Observer],
        control: &mut RunControl<'_>,
    ) -> Result<(), ObserverError> {
        let Sim {
            scenario,
            world_scenario,
            world,
            model,
            cursor,
            ..
        } = self;
        let c = cursor.as_mut().expect("started");
        let step = c.step;
        let events = &scenario.events;
        // 1. timeline
        while c.next_event < events.len() && events[c.next_event].step == step {
            // Keyed by the event's place counting those switched off, not by its position here.
            let e = &events[c.next_event];
            model.apply(e, e.index as usize, world, &mut c.log);
            c.next_event += 1;
        }
        // 2. update
        if step > 0 {
            model.step(step, world, &mut c.log);
        } else {
            model.start(world, &mut c.log);
        }
        // 3. observation
        c.values.clear();
        model.series(&mut Series::values(&c.regions, &mut c.values));
        // A model whose columns change from step to step is a bug.
        assert_eq!(
            c.values.len(),
            c.columns.len(),
            "a model's values match its columns"
        );
        let snapshot = model.snapshot_steps().contains(&step);
        let picture = if snapshot || control.live_lattice {
            model.lattice()
        } else {
            None
        };
        let record = StepRecord {
            step,
            date: scenario.time.date_of(step),
            values: &c.values,
            lattice: picture.as_ref(),
        };
        for o in observers.iter_mut() {
            for entry in &c.log {
                o.log(entry)?;
            }
            c.break_asked |= o.step(&record)?.is_break();
        }
        if c.recording {
            c.history.rows.push(c.values.clone());
            c.history.logs.push(std::mem::take(&mut c.log));
            if let Some(p) = picture.filter(|_| snapshot) {
                c.history.pictures.push((step, p.width, p.height, p.cells));
            }
        }
        c.log.clear();
        // 4. checkpoint
        let stopping = c.break_asked || control.stop_asked();
        let due = control.checkpoint_every > 0 && step % control.checkpoint_every == 0;
        if (due || stopping) && step < scenario.time.steps {
            if let Some(write) = control.on_checkpoint.as_mut() {
                // The history is lent to the checkpoint and taken back, not copied.
                let checkpoint = Checkpoint {
                    world_scenario: world_scenario.clone(),
                    scenario: scenario.resolved_toml(),
                    step,
                    model: model.save(),
                    history: std::mem::take(&mut c.history),
                };
                write(&checkpoint);
                c.history = checkpoint.history;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
