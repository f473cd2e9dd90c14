//! `mobilize.Sim`: a run step by step. Run it to a step or a date, look at its aggregates,
//! change its parameters (an intervention written in Python, at chosen steps), save it,
//! resume it, branch it.
//!
//! Between segments the engine simply waits ([`Engine::step_with`] is called again when the
//! run goes on): a run paused and continued, with no change, gives exactly the series of one
//! that never paused, at the cost of one that never paused; a changed parameter takes effect
//! as `mobilize run --from` would make it (the model is built for the changed scenario and its
//! state carried over, [`Engine::set_scenario`]).

use std::path::PathBuf;
use std::sync::Mutex;

use mobilize_core::engine::{RunControl, Sim as Engine};
use mobilize_core::observe::{Observer, ObserverError, Outcome};
use mobilize_core::scenario::{Scenario as Core, Source};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::run::{Memory, MAX_THREADS};
use crate::scenario::{Scenario, ScenarioArg};
use crate::table::Table;

struct State {
    /// The scenario as the user has it (overrides included), and validated.
    user: Scenario,
    core: Core,
    /// The scenario that made the world (fixed for the run).
    world_core: Core,
    /// The run, once started (its world is built then) and until it ends.
    engine: Option<Engine>,
    /// What the run told its observer so far.
    memory: Memory,
    outcome: Option<Outcome>,
    /// The tables of `memory`, made when first asked for after a segment.
    tables: Option<(Py<Table>, Py<Table>)>,
    /// The last step computed.
    step: Option<u32>,
    threads: usize,
}

impl State {
    fn tables(&mut self, py: Python<'_>) -> PyResult<(Py<Table>, Py<Table>)> {
        if self.step.is_none() {
            return Err(PyRuntimeError::new_err("the run has not started"));
        }
        if self.tables.is_none() {
            let (series, events) = self.memory.clone().tables();
            self.tables = Some((Py::new(py, series)?, Py::new(py, events)?));
        }
        let (a, b) = self.tables.as_ref().expect("just made");
        Ok((a.clone_ref(py), b.clone_ref(py)))
    }

    /// Carries a changed scenario into the run (if it has started).
    fn change(&mut self, user: Scenario, core: Core) -> PyResult<()> {
        if let Some(engine) = &mut self.engine {
            engine
                .set_scenario(core.clone())
                .map_err(|e| PyValueError::new_err(e.to_string()))?;
        }
        self.user = user;
        self.core = core;
        Ok(())
    }
}

/// Steps `engine` until step `target` is computed (or the run is over before); the outcome
/// when the run is over at the step reached.
fn advance(
    engine: &mut Engine,
    memory: &mut Memory,
    target: u32,
) -> Result<Option<Outcome>, ObserverError> {
    let mut control = RunControl {
        keep_history: true,
        ..RunControl::default()
    };
    let observers: &mut [&mut dyn Observer] = &mut [memory];
    loop {
        if engine.step_reached().is_some_and(|now| now >= target) {
            // Reached: the run may be over at this very step (its last, or its end).
            return match engine.over(&control) {
                Some(reason) => engine.finish(observers, reason).map(Some),
                None => Ok(None),
            };
        }
        if let Some(reason) = engine.step_with(observers, &mut control)? {
            return engine.finish(observers, reason).map(Some);
        }
    }
}

/// A run to be carried out step by step.
#[pyclass(frozen, module = "mobilize")]
pub struct Sim {
    state: Mutex<State>,
}

fn busy() -> PyErr {
    PyRuntimeError::new_err("this Sim is in use by another thread")
}

impl Sim {
    fn from_state(s: State) -> Sim {
        Sim {
            state: Mutex::new(s),
        }
    }
}

/// The step of `until`: an int, or a date `YYYY-MM-DD` on a dated scenario (the step it falls
/// in, as events' dates).
fn step_of(core: &Core, until: &Bound<'_, PyAny>) -> PyResult<u32> {
    if let Ok(step) = until.extract::<u32>() {
        return Ok(step);
    }
    let text: String = until.extract().map_err(|_| {
        PyValueError::new_err("`until` is a step (an int) or a date (\"YYYY-MM-DD\")")
    })?;
    let date = mobilize_core::calendar::Date::parse(&text)
        .ok_or_else(|| PyValueError::new_err(format!("`{text}` is not a date (YYYY-MM-DD)")))?;
    let start = core.time.start.ok_or_else(|| {
        PyValueError::new_err("this scenario has no dates (time.start): give a step")
    })?;
    let days = date.days_since(start);
    if days < 0 {
        return Err(PyValueError::new_err(format!(
            "{text} is before the scenario starts ({start})"
        )));
    }
    Ok((days as f64 / core.time.step_days)
        .floor()
        .min(f64::from(u32::MAX)) as u32)
}

#[pymethods]
impl Sim {
    /// A run of `scenario` (with `seed`, `scale` as in `mobilize.run`), not started yet.
    #[new]
    #[pyo3(signature = (scenario, *, seed = None, scale = None, threads = None))]
    fn new(
        py: Python<'_>,
        scenario: ScenarioArg,
        seed: Option<u64>,
        scale: Option<f64>,
        threads: Option<usize>,
    ) -> PyResult<Sim> {
        let scenario = &scenario.0;
        let mut extra = Vec::new();
        if let Some(seed) = seed {
            extra.push(format!("seed={seed}"));
        }
        if let Some(scale) = scale {
            extra.push(crate::scenario::scale_set(scale)?);
        }
        let user = scenario.clone().with_overrides_vec(extra);
        let core = user.load_with(py, &[])?;
        let threads = match threads {
            Some(n) if n == 0 || n > MAX_THREADS => {
                return Err(PyValueError::new_err(format!(
                    "threads = {n} is out of range (allowed: 1 to {MAX_THREADS})"
                )))
            }
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        Ok(Sim::from_state(State {
            user,
            world_core: core.clone(),
            core,
            engine: None,
            memory: Memory::default(),
            outcome: None,
            tables: None,
            step: None,
            threads,
        }))
    }

    /// Runs to step `until` (an int, or a date "YYYY-MM-DD"), or to the end; returns the Sim.
    /// Running to a step already passed does nothing.
    #[pyo3(signature = (until = None))]
    fn run<'py>(
        slf: Bound<'py, Self>,
        until: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, Self>> {
        let py = slf.py();
        {
            let mut s = slf.get().state.try_lock().map_err(|_| busy())?;
            if s.outcome.is_some() {
                return Ok(slf.clone());
            }
            let steps = s.core.time.steps;
            let target = match &until {
                Some(u) => step_of(&s.core, u)?.min(steps),
                None => steps,
            };
            if s.step.is_some_and(|now| target <= now) {
                return Ok(slf.clone());
            }
            // The scenario is copied only to build the run (its world), not at every call.
            let engine = s.engine.take();
            let core = engine.is_none().then(|| s.core.clone());
            let mut memory = std::mem::take(&mut s.memory);
            let threads = s.threads;
            let result = py.detach(move || {
                let mut engine = match (engine, core) {
                    (Some(engine), _) => engine,
                    (None, Some(core)) => Engine::new(core),
                    (None, None) => unreachable!("a scenario is copied when there is no run"),
                };
                let outcome = crate::pool(threads).and_then(|pool| {
                    pool.install(|| advance(&mut engine, &mut memory, target))
                        .map_err(|e| e.to_string())
                });
                (engine, memory, outcome)
            });
            let (engine, memory, outcome) = result;
            s.step = engine.step_reached();
            s.memory = memory;
            s.tables = None;
            match outcome.map_err(PyRuntimeError::new_err)? {
                Some(o) => s.outcome = Some(o),
                None => s.engine = Some(engine),
            }
        }
        Ok(slf)
    }

    /// Changes a parameter from the next step on (`sim.set("resistance.repression.arrest",
    /// 0.05)`), as a branch from a checkpoint would: rates, probabilities, events, seeds and
    /// the number of steps may change, not the people, their ties or the shape of the state.
    fn set(&self, py: Python<'_>, path: &str, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let mut s = self.state.try_lock().map_err(|_| busy())?;
        let user = s.user.set(path, value)?;
        let core = user.load_with(py, &[])?;
        let differ = s.world_core.structural_differences(&core);
        if !differ.is_empty() {
            return Err(PyValueError::new_err(format!(
                "`{path}` cannot change during a run: it changes the world ({})",
                differ.join(", ")
            )));
        }
        if s.step.is_some_and(|now| core.time.steps <= now) {
            return Err(PyValueError::new_err(format!(
                "the run is at step {}; it cannot end before (time.steps = {})",
                s.step.unwrap_or(0),
                core.time.steps
            )));
        }
        s.change(user, core)
    }

    /// Adds an event to the timeline (`sim.add_event("appeal", share=0.2)`): at the next step
    /// unless `step` (or `date`) says when; any event kind of the model, with its fields as
    /// the scenario file gives them. Like `set`, it is what a branch with one more event would
    /// do.
    #[pyo3(signature = (kind, *, step = None, date = None, **fields))]
    fn add_event(
        &self,
        py: Python<'_>,
        kind: &str,
        step: Option<crate::scenario::Whole<u32>>,
        date: Option<String>,
        fields: Option<Bound<'_, PyDict>>,
    ) -> PyResult<()> {
        let step = step.map(|s| s.0);
        let mut s = self.state.try_lock().map_err(|_| busy())?;
        let next = s.step.map_or(0, |t| t + 1);
        let mut table = format!(
            "\n[[events]]\nkind = {}\n",
            crate::scenario::toml_string(kind)
        );
        match (step, &date) {
            (Some(_), Some(_)) => {
                return Err(PyValueError::new_err("give `step` or `date`, not both"));
            }
            (None, Some(d)) => {
                table.push_str(&format!("date = {}\n", crate::scenario::toml_string(d)))
            }
            (Some(t), None) => table.push_str(&format!("step = {t}\n")),
            (None, None) => table.push_str(&format!("step = {next}\n")),
        }
        for (k, v) in fields.iter().flat_map(|d| d.iter()) {
            let k: String = k.extract()?;
            table.push_str(&format!("{k} = {}\n", crate::scenario::toml_of(&v)?));
        }
        let at = match (step, &date) {
            (Some(t), _) => t,
            (None, Some(d)) => step_of(&s.core, &pyo3::types::PyString::new(py, d).into_any())?,
            (None, None) => next,
        };
        if s.step.is_some_and(|now| at <= now) {
            return Err(PyValueError::new_err(format!(
                "step {at} has passed: the run is after step {} (an event fires before its step)",
                s.step.unwrap_or(0)
            )));
        }
        let user = s.user.with_text_appended(&table);
        let core = user.load_with(py, &[])?;
        let differ = s.world_core.structural_differences(&core);
        if !differ.is_empty() {
            return Err(PyValueError::new_err(format!(
                "this event changes the world ({})",
                differ.join(", ")
            )));
        }
        s.change(user, core)
    }

    /// A copy of this run from where it is, with `overrides` (`{"path": value}`) applied to
    /// the copy only: two futures of one past.
    #[pyo3(signature = (overrides = None))]
    fn branch(&self, py: Python<'_>, overrides: Option<Bound<'_, PyDict>>) -> PyResult<Sim> {
        let copy = {
            let s = self.state.try_lock().map_err(|_| busy())?;
            // The copy's observer has seen what this run's has: it is not told again.
            let engine = match &s.engine {
                Some(e) => {
                    let world = e.world().clone();
                    let copy = Engine::resume_in(world, s.core.clone(), e.checkpoint())
                        .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
                    Some(copy.already_told())
                }
                None => None,
            };
            Sim::from_state(State {
                user: s.user.clone(),
                core: s.core.clone(),
                world_core: s.world_core.clone(),
                engine,
                memory: s.memory.clone(),
                outcome: s.outcome.clone(),
                tables: None,
                step: s.step,
                threads: s.threads,
            })
        };
        if let Some(o) = overrides {
            for (k, v) in o.iter() {
                let k: String = k.extract()?;
                copy.set(py, &k, &v)?;
            }
        }
        Ok(copy)
    }

    /// Saves the paused run to `path` (the CLI's checkpoint format: `mobilize run --from PATH`
    /// branches from it, `Sim.resume(PATH)` continues it).
    fn checkpoint(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        let s = self.state.try_lock().map_err(|_| busy())?;
        let Some(c) = s.engine.as_ref().map(Engine::checkpoint) else {
            return Err(PyRuntimeError::new_err(
                "nothing to save: run the Sim to a step first (a finished run has its results)",
            ));
        };
        let folder = path
            .parent()
            .map(PathBuf::from)
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| ".".into());
        let file = path
            .file_name()
            .ok_or_else(|| PyValueError::new_err("give a file name"))?
            .to_string_lossy()
            .into_owned();
        let p = crate::provenance();
        let name = s.core.name.clone();
        py.detach(|| {
            mobilize_output::checkpoint::write(&folder, &c, &name, &p.version, &p.git_commit, &file)
        })
        .map_err(|e| PyRuntimeError::new_err(e.to_string()))
    }

    /// A run continued from a checkpoint file (one `Sim.checkpoint` or `mobilize run
    /// --checkpoint-every` wrote), with the checkpoint's own scenario.
    #[staticmethod]
    #[pyo3(signature = (path, *, threads = None))]
    fn resume(py: Python<'_>, path: PathBuf, threads: Option<usize>) -> PyResult<Sim> {
        let p = crate::provenance();
        let (_, c) = mobilize_output::checkpoint::read(&path, &p.version, &p.git_commit)
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        let load = |text: &str, what: &str| {
            Core::load(&Source::text(&format!("<checkpoint {what}>"), text), &[])
                .map_err(|e| crate::problems::to_py(py, &e))
        };
        let world_core = load(&c.world_scenario, "world")?;
        let core = load(&c.scenario, "scenario")?;
        let user = Scenario::from_text(&c.scenario, &format!("<checkpoint {}>", path.display()));
        let threads =
            threads.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        let step = c.step;
        let engine = py
            .detach(|| Engine::resume(&world_core, core.clone(), c))
            .map_err(|e| PyRuntimeError::new_err(e.to_string()))?;
        Ok(Sim::from_state(State {
            user,
            core,
            world_core,
            engine: Some(engine),
            memory: Memory::default(),
            outcome: None,
            tables: None,
            step: Some(step),
            threads: threads.clamp(1, MAX_THREADS),
        }))
    }

    /// The last step computed (`None` before the run starts).
    #[getter]
    fn step(&self) -> PyResult<Option<u32>> {
        Ok(self.state.try_lock().map_err(|_| busy())?.step)
    }

    /// Whether the run has ended.
    #[getter]
    fn done(&self) -> PyResult<bool> {
        Ok(self.state.try_lock().map_err(|_| busy())?.outcome.is_some())
    }

    /// The series so far (as `Run.series`).
    #[getter]
    fn series(&self, py: Python<'_>) -> PyResult<Option<Py<Table>>> {
        let mut s = self.state.try_lock().map_err(|_| busy())?;
        Ok(s.tables(py).ok().map(|t| t.0))
    }

    /// The event log so far (as `Run.events`).
    #[getter]
    fn events(&self, py: Python<'_>) -> PyResult<Option<Py<Table>>> {
        let mut s = self.state.try_lock().map_err(|_| busy())?;
        Ok(s.tables(py).ok().map(|t| t.1))
    }

    /// The latest value of series `name` (`sim["risen"]`).
    fn __getitem__(&self, name: &str) -> PyResult<f64> {
        let s = self.state.try_lock().map_err(|_| busy())?;
        s.memory.last_value(name).ok_or_else(|| {
            pyo3::exceptions::PyKeyError::new_err(format!(
                "no series `{name}` (yet): run the Sim first, and see `series.column_names`"
            ))
        })
    }

    /// The headline figures, once the run has ended.
    #[getter]
    fn figures<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let s = self.state.try_lock().map_err(|_| busy())?;
        let Some(o) = &s.outcome else { return Ok(None) };
        let d = PyDict::new(py);
        for (k, v) in &o.figures {
            crate::run::set_figure(&d, k, *v)?;
        }
        Ok(Some(d))
    }

    /// One sentence saying what happened, once the run has ended.
    #[getter]
    fn summary(&self) -> PyResult<Option<String>> {
        let s = self.state.try_lock().map_err(|_| busy())?;
        Ok(s.outcome
            .as_ref()
            .map(|o| crate::run::summary_at_scale(&o.sentence, s.core.scale, s.core.population())))
    }

    /// The scenario in force (with every change made by `set`).
    #[getter]
    fn scenario(&self) -> PyResult<Scenario> {
        Ok(self.state.try_lock().map_err(|_| busy())?.user.clone())
    }

    fn __repr__(&self) -> String {
        match self.state.try_lock() {
            Ok(s) => match (&s.outcome, s.step) {
                (Some(o), _) => format!("Sim(ended at step {}: {})", o.last_step, o.sentence),
                (None, Some(t)) => format!("Sim(paused after step {t} of {})", s.core.time.steps),
                (None, None) => format!("Sim(not started, {} steps)", s.core.time.steps),
            },
            Err(_) => "Sim(running)".into(),
        }
    }
}
