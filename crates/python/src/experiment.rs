//! `mobilize._mobilize.Experiment`: ensembles, sweeps and comparisons, planned and recorded
//! by `mobilize_experiment` exactly as the CLI does, with each run a separate task that any
//! executor may carry out (`mobilize/experiments.py` hands them to `concurrent.futures`).
//!
//! A task is a pure function of (experiment, run id): it writes `runs/<id>` in the experiment
//! folder and nothing else, so results are the same whatever the executor, the number of
//! workers or the order, and a task given twice does no harm.

use std::path::PathBuf;
use std::sync::Mutex;

use mobilize_core::scenario::Source;
use mobilize_experiment::design::{full_factorial, read_design};
use mobilize_experiment::execute::{finish, prepare, run_one, Prepared};
use mobilize_experiment::{Experiment as Plan, Kind, Point};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::scenario::{toml_of, Scenario, ScenarioArg, Whole};

pyo3::create_exception!(
    mobilize,
    ExperimentError,
    PyRuntimeError,
    "An experiment that could not be carried out: a run that failed or was not done, a folder \
     that holds another experiment. Finished runs are kept; calling the experiment again \
     resumes it."
);

fn experiment_error(e: mobilize_experiment::ExperimentError) -> PyErr {
    ExperimentError::new_err(e.to_string())
}

/// An experiment's plan: its scenarios, design points, replicates and seeds.
#[pyclass(frozen, module = "mobilize._mobilize")]
pub struct Experiment {
    plan: Plan,
}

/// What a pickled experiment is made of.
type Sources = Vec<(String, String, Option<PathBuf>)>;
type Points = Vec<(String, usize, Vec<String>, Vec<String>, String)>;
type Parts = (&'static str, Sources, Points, Vec<String>, u32, u64);

/// The overrides of `scenario` with `scale`, and the base seed (given, or the scenario's).
fn sets_and_seed(
    py: Python<'_>,
    scenario: &Scenario,
    seed: Option<u64>,
    scale: Option<f64>,
) -> PyResult<(Vec<String>, u64)> {
    let mut extra = Vec::new();
    if let Some(scale) = scale {
        extra.push(crate::scenario::scale_set(scale)?);
    }
    // As the CLI: --scale comes before the user's overrides.
    let sets: Vec<String> = extra.iter().chain(scenario.sets()).cloned().collect();
    let base = match seed {
        Some(s) => s,
        None => scenario.load_with(py, &extra)?.seed,
    };
    Ok((sets, base))
}

/// An experiment prepared in its folder: the runs still to do.
#[pyclass(module = "mobilize._mobilize")]
pub struct Pending {
    prepared: Mutex<Option<Prepared>>,
    /// The experiment folder.
    #[pyo3(get)]
    dir: PathBuf,
    /// The run ids still to do.
    #[pyo3(get)]
    pending: Vec<usize>,
    /// Runs in all.
    #[pyo3(get)]
    total: usize,
}

#[pymethods]
impl Experiment {
    /// `n` replicates of `scenario`, seeds derived from `seed` (default: the scenario's).
    #[staticmethod]
    #[pyo3(signature = (scenario, n, *, seed = None, scale = None))]
    fn ensemble(
        py: Python<'_>,
        scenario: ScenarioArg,
        n: Whole<u32>,
        seed: Option<Whole<u64>>,
        scale: Option<f64>,
    ) -> PyResult<Experiment> {
        let (n, seed) = (n.0, seed.map(|s| s.0));
        let scenario = &scenario.0;
        let (sets, base) = sets_and_seed(py, scenario, seed, scale)?;
        let plan = Plan::ensemble(scenario.source(), sets, n, base);
        Self::checked(py, plan)
    }

    /// Every combination of `grid` (`{"path": [values]}`), or every row of the design file
    /// `design` (CSV: a header of paths, a row of values per point), `n` replicates each.
    #[staticmethod]
    #[pyo3(signature = (scenario, grid = None, *, design = None, n = Whole(1), seed = None, scale = None))]
    fn sweep(
        py: Python<'_>,
        scenario: ScenarioArg,
        grid: Option<Bound<'_, PyDict>>,
        design: Option<PathBuf>,
        n: Whole<u32>,
        seed: Option<Whole<u64>>,
        scale: Option<f64>,
    ) -> PyResult<Experiment> {
        let (n, seed) = (n.0, seed.map(|s| s.0));
        let scenario = &scenario.0;
        let (sets, base) = sets_and_seed(py, scenario, seed, scale)?;
        let design = match (grid, design) {
            (Some(g), None) => {
                let mut grids = Vec::new();
                for (k, values) in g.iter() {
                    let k: String = k.extract()?;
                    let values: Vec<String> = values
                        .try_iter()?
                        .map(|v| toml_of(&v?))
                        .collect::<PyResult<_>>()?;
                    grids.push((k, values));
                }
                full_factorial(&grids)
            }
            (None, Some(path)) => read_design(&path),
            _ => {
                return Err(PyValueError::new_err(
                    "give `grid` (a dict of lists) or `design` (a CSV file), not both",
                ))
            }
        }
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let plan = Plan::sweep(scenario.source(), sets, &design, n, base);
        Self::checked(py, plan)
    }

    /// Arms `a` and `b`, `n` replicates each with the same seeds (paired with common random
    /// numbers when the arms share their world and timeline).
    #[staticmethod]
    #[pyo3(signature = (a, b, n, *, seed = None, scale = None))]
    fn compare(
        py: Python<'_>,
        a: ScenarioArg,
        b: ScenarioArg,
        n: Whole<u32>,
        seed: Option<Whole<u64>>,
        scale: Option<f64>,
    ) -> PyResult<Experiment> {
        let (n, seed) = (n.0, seed.map(|s| s.0));
        let (a, b) = (&a.0, &b.0);
        let (sets_a, base) = sets_and_seed(py, a, seed, scale)?;
        let (sets_b, _) = sets_and_seed(py, b, Some(base), scale)?;
        let plan = Plan::compare((a.source(), sets_a), (b.source(), sets_b), n, base);
        Self::checked(py, plan)
    }

    /// Runs in all.
    #[getter]
    fn total_runs(&self) -> usize {
        self.plan.total_runs()
    }

    /// `ensemble`, `sweep` or `compare`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.plan.kind.as_str()
    }

    /// Makes (or reopens) the experiment's folder under `out` and lists the runs to do.
    fn prepare(&self, py: Python<'_>, out: PathBuf) -> PyResult<Pending> {
        let command = vec!["python".to_string(), format!("mobilize.{}", self.kind())];
        let provenance = crate::provenance();
        let p = py
            .detach(|| prepare(&self.plan, &out, &provenance, command))
            .map_err(experiment_error)?;
        Ok(Pending {
            dir: p.dir.clone(),
            pending: p.pending.clone(),
            total: p.specs.len(),
            prepared: Mutex::new(Some(p)),
        })
    }

    /// Carries out run `id` into the folder `dir` (a task; the GIL is released).
    #[pyo3(signature = (dir, id, threads = 1))]
    fn run_one(&self, py: Python<'_>, dir: PathBuf, id: usize, threads: usize) -> PyResult<usize> {
        let provenance = crate::provenance();
        py.detach(|| {
            let pool = crate::pool(threads.clamp(1, 1024)).map_err(ExperimentError::new_err)?;
            pool.install(|| run_one(&self.plan, &dir, id, threads, &provenance, None))
                .map_err(experiment_error)
        })?;
        Ok(id)
    }

    /// Writes the tables and the report once every run is done; returns the folder.
    fn finish(&self, py: Python<'_>, pending: &Pending) -> PyResult<PathBuf> {
        let prepared = pending
            .prepared
            .lock()
            .map_err(|_| PyRuntimeError::new_err("poisoned"))?
            .take()
            .ok_or_else(|| PyValueError::new_err("this experiment was finished already"))?;
        let done = py
            .detach(|| finish(&self.plan, prepared))
            .map_err(experiment_error)?;
        Ok(done.dir)
    }

    fn __repr__(&self) -> String {
        format!(
            "Experiment({}, {} runs)",
            self.plan.kind.as_str(),
            self.plan.total_runs()
        )
    }

    /// Pickled as its plan, so that every worker carries out the same experiment.
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Parts)> {
        let p = &slf.get().plan;
        let sources = p
            .sources
            .iter()
            .map(|s| (s.name.clone(), s.text.clone(), s.base_dir.clone()))
            .collect();
        let points = p
            .points
            .iter()
            .map(|q| {
                (
                    q.label.clone(),
                    q.source,
                    q.sets.clone(),
                    q.values.clone(),
                    q.origin.clone(),
                )
            })
            .collect();
        Ok((
            slf.getattr("_restore")?,
            (
                p.kind.as_str(),
                sources,
                points,
                p.varied.clone(),
                p.replicates,
                p.base_seed,
            ),
        ))
    }

    #[staticmethod]
    fn _restore(
        kind: &str,
        sources: Sources,
        points: Points,
        varied: Vec<String>,
        replicates: u32,
        base_seed: u64,
    ) -> PyResult<Experiment> {
        let kind = match kind {
            "ensemble" => Kind::Ensemble,
            "sweep" => Kind::Sweep,
            "compare" => Kind::Compare,
            other => {
                return Err(PyValueError::new_err(format!(
                    "no experiment kind `{other}`"
                )))
            }
        };
        Ok(Experiment {
            plan: Plan::new(
                kind,
                sources
                    .into_iter()
                    .map(|(name, text, base_dir)| Source {
                        name,
                        text,
                        base_dir,
                    })
                    .collect(),
                points
                    .into_iter()
                    .map(|(label, source, sets, values, origin)| Point {
                        label,
                        source,
                        sets,
                        values,
                        origin,
                    })
                    .collect(),
                varied,
                replicates,
                base_seed,
            ),
        })
    }
}

impl Experiment {
    /// The plan, once every point validates.
    fn checked(py: Python<'_>, plan: Plan) -> PyResult<Experiment> {
        match py.detach(|| plan.validate()) {
            Ok(_) => Ok(Experiment { plan }),
            // A point's scenario: the typed error, located, like `Scenario.validate()`.
            Err(mobilize_experiment::ExperimentError::Scenario { error, .. }) => {
                Err(crate::problems::to_py(py, &error))
            }
            Err(e) => Err(experiment_error(e)),
        }
    }
}
