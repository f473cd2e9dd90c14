//! `mobilize.run`: one run, through the same function as `mobilize run`, into a run folder
//! (a temporary one unless `out` is given), with its tables also kept in memory.

use std::path::PathBuf;
use std::time::SystemTime;

use mobilize_core::observe::{Flow, LogEntry, Observer, ObserverError, RunInfo, StepRecord, GO_ON};
use mobilize_experiment::single::{execute, RunRequest};
use mobilize_output::RunFolder;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::scenario::ScenarioArg;
use crate::table::{Col, Table};

pyo3::create_exception!(
    mobilize,
    RunError,
    PyRuntimeError,
    "A run that could not be carried out or recorded (a folder that cannot be written, a \
     scenario too big for the memory)."
);

/// The most threads a run may use (as the CLI).
pub(crate) const MAX_THREADS: usize = 1024;

/// Collects the series and the event log as columns, as the run folder's writers do.
#[derive(Clone, Default)]
pub(crate) struct Memory {
    names: Vec<String>,
    dated: bool,
    steps: Vec<i32>,
    dates: Vec<Option<String>>,
    values: Vec<Vec<f64>>,
    regions: Vec<String>,
    start: Option<mobilize_core::calendar::Date>,
    step_days: f64,
    ev_step: Vec<i32>,
    ev_date: Vec<Option<String>>,
    ev_kind: Vec<Option<String>>,
    ev_region: Vec<Option<String>>,
    ev_count: Vec<i64>,
    ev_detail: Vec<Option<String>>,
}

impl Observer for Memory {
    fn start(&mut self, info: &RunInfo<'_>) -> Result<(), ObserverError> {
        self.names = info.columns.to_vec();
        self.values = vec![Vec::new(); info.columns.len()];
        self.dated = info.scenario.time.start.is_some();
        self.start = info.scenario.time.start;
        self.step_days = info.scenario.time.step_days;
        self.regions = info
            .scenario
            .regions
            .iter()
            .map(|r| r.name.clone())
            .collect();
        Ok(())
    }

    fn step(&mut self, record: &StepRecord<'_>) -> Flow {
        self.steps.push(record.step as i32);
        if self.dated {
            self.dates.push(record.date.map(|d| d.to_string()));
        }
        for (col, &x) in self.values.iter_mut().zip(record.values) {
            col.push(x);
        }
        GO_ON
    }

    fn log(&mut self, e: &LogEntry) -> Result<(), ObserverError> {
        self.ev_step.push(e.step as i32);
        self.ev_date.push(self.start.map(|d| {
            d.plus_days((f64::from(e.step) * self.step_days).floor() as i64)
                .to_string()
        }));
        self.ev_kind.push(Some(e.kind.clone()));
        self.ev_region
            .push(e.region.map(|r| self.regions[r as usize].clone()));
        self.ev_count.push(e.count as i64);
        self.ev_detail.push(Some(e.detail.clone()));
        Ok(())
    }
}

impl Memory {
    /// The last value of series `name`, if it exists and has a value.
    pub(crate) fn last_value(&self, name: &str) -> Option<f64> {
        let k = self.names.iter().position(|n| n == name)?;
        self.values[k].last().copied()
    }

    /// The series and the event log, with the columns of `series.*` and `events.*`.
    pub(crate) fn tables(self) -> (Table, Table) {
        let mut series = vec![("step".to_string(), Col::Int32(self.steps))];
        if self.dated {
            series.push(("date".into(), Col::Text(self.dates)));
        }
        series.extend(
            self.names
                .into_iter()
                .zip(self.values)
                .map(|(n, v)| (n, Col::Float64(v))),
        );
        let events = vec![
            ("step".to_string(), Col::Int32(self.ev_step)),
            ("date".into(), Col::Text(self.ev_date)),
            ("kind".into(), Col::Text(self.ev_kind)),
            ("region".into(), Col::Text(self.ev_region)),
            ("count".into(), Col::Int64(self.ev_count)),
            ("detail".into(), Col::Text(self.ev_detail)),
        ];
        (Table::new(series), Table::new(events))
    }
}

/// Puts figure `k` into `d`: a step (`collapse_step`, `offensive_step`: whole numbers by
/// construction) as an int, every other figure as a float.
pub(crate) fn set_figure(d: &Bound<'_, PyDict>, k: &str, v: f64) -> PyResult<()> {
    if k.ends_with("_step") && v.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&v) {
        d.set_item(k, v as u32)
    } else {
        d.set_item(k, v)
    }
}

/// A finished run: its tables, figures and manifest.
#[pyclass(frozen, module = "mobilize")]
pub struct Run {
    /// The time series: one row per step (`step`, `date` on dated scenarios, then every
    /// series), as the run folder's `series.csv`.
    #[pyo3(get)]
    series: Py<Table>,
    /// The event log, as `events.csv`.
    #[pyo3(get)]
    events: Py<Table>,
    /// The model's headline figures by name.
    #[pyo3(get)]
    figures: Py<PyDict>,
    /// The run's `manifest.json` as a dict (seed, scenario hash, timings, figures, …).
    #[pyo3(get)]
    manifest: Py<PyAny>,
    /// The run folder, when `out` was given (else the run left no files).
    #[pyo3(get)]
    folder: Option<PathBuf>,
    /// One sentence saying what happened.
    #[pyo3(get)]
    summary: String,
    /// Why the run stopped (`equilibrium`, `time_limit`, …).
    #[pyo3(get)]
    stop_reason: String,
    /// The last step computed.
    #[pyo3(get)]
    last_step: u32,
}

#[pymethods]
impl Run {
    /// The run report's path (`report.html`), when the run was written with `report=True`.
    #[getter]
    fn report(&self) -> Option<PathBuf> {
        self.folder
            .as_ref()
            .map(|f| f.join(mobilize_output::layout::REPORT))
            .filter(|p| p.exists())
    }

    fn __repr__(&self) -> String {
        format!(
            "Run({} steps, stopped: {}; {})",
            self.last_step, self.stop_reason, self.summary
        )
    }
}

/// A folder of our own under the system's temporary folder.
fn scratch() -> PathBuf {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let k = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("mobilize-py-{}-{k}", std::process::id()))
}

/// Runs `scenario` (with `seed` and `scale` if given, as `--seed` and `--scale`) on
/// `threads` threads (default: every core; results do not depend on it). With `out`, the run
/// folder is written there exactly as `mobilize run --out OUT` writes it, `report.html`
/// included (`report=False` leaves it out); without, in a temporary folder removed
/// afterwards.
#[pyfunction]
#[pyo3(signature = (scenario, *, seed = None, scale = None, threads = None, out = None, report = None))]
pub fn run(
    py: Python<'_>,
    scenario: ScenarioArg,
    seed: Option<u64>,
    scale: Option<f64>,
    threads: Option<usize>,
    out: Option<PathBuf>,
    report: Option<bool>,
) -> PyResult<Run> {
    let scenario = &scenario.0;
    let report = report.unwrap_or(out.is_some());
    let mut extra = Vec::new();
    if let Some(seed) = seed {
        extra.push(format!("seed={seed}"));
    }
    if let Some(scale) = scale {
        extra.push(crate::scenario::scale_set(scale)?);
    }
    let core = scenario.load_with(py, &extra)?;
    // What the reader should know before trusting the figures (a population too small for the
    // model's shares), raised as Python warnings, not only kept in the manifest.
    for w in core.model.warnings(&core) {
        PyErr::warn(
            py,
            &py.get_type::<pyo3::exceptions::PyUserWarning>(),
            &std::ffi::CString::new(w).unwrap_or_default(),
            1,
        )?;
    }
    let scale_now = core.scale;
    let persons_now = core.population();
    let threads = match threads {
        Some(n) if n == 0 || n > MAX_THREADS => {
            return Err(PyValueError::new_err(format!(
                "threads = {n} is out of range (allowed: 1 to {MAX_THREADS})"
            )))
        }
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    if let Some(limit) = mobilize_core::scenario::memory::available() {
        mobilize_core::scenario::memory::check(&core, limit).map_err(RunError::new_err)?;
    }
    let (parent, temporary) = match &out {
        Some(o) => (o.clone(), false),
        None => (scratch(), true),
    };
    let provenance = crate::provenance();
    let sets = scenario.sets_with(&extra);
    let source = scenario.origin();
    let outcome = py.detach(|| -> Result<_, String> {
        let folder = RunFolder::create(
            &parent,
            &core.name,
            &core.resolved_toml(),
            SystemTime::now(),
        )
        .map_err(|e| e.to_string())?;
        let pool = crate::pool(threads)?;
        let mut memory = Memory::default();
        let mut req = RunRequest::fresh(core, source, sets, threads, &provenance);
        req.report = report;
        let finished = pool
            .install(|| execute(req, folder, &mut [&mut memory]))
            .map_err(|e| e.to_string())?;
        let manifest =
            std::fs::read_to_string(finished.dir.join(mobilize_output::layout::MANIFEST))
                .map_err(|e| e.to_string())?;
        Ok((finished, memory, manifest))
    });
    let (finished, memory, manifest_text) = match outcome {
        Ok(x) => x,
        Err(e) => {
            if temporary {
                let _ = std::fs::remove_dir_all(&parent);
            }
            return Err(RunError::new_err(e));
        }
    };
    if temporary {
        let _ = std::fs::remove_dir_all(&parent);
    }
    let (series, events) = memory.tables();
    let figures = PyDict::new(py);
    for (k, v) in &finished.outcome.figures {
        set_figure(&figures, k, *v)?;
    }
    let manifest = py
        .import("json")?
        .call_method1("loads", (manifest_text,))?
        .unbind();
    Ok(Run {
        series: Py::new(py, series)?,
        events: Py::new(py, events)?,
        figures: figures.unbind(),
        manifest,
        folder: (!temporary).then(|| finished.dir.clone()),
        // Counts in the summary are of the persons simulated: say so where they are a sample.
        summary: summary_at_scale(&finished.outcome.sentence, scale_now, persons_now),
        stop_reason: finished.outcome.reason.as_str().to_string(),
        last_step: finished.outcome.last_step,
    })
}

/// The model's sentence, with the scale said where the run is a sample: its counts are of the
/// persons simulated, not of the whole population.
pub(crate) fn summary_at_scale(sentence: &str, scale: f64, persons: u32) -> String {
    if scale == 1.0 {
        sentence.to_string()
    } else {
        format!(
            "{sentence} (Scale {scale}: counts are of the {} persons simulated.)",
            mobilize_core::text::human(f64::from(persons))
        )
    }
}
