//! `mobilize.Targets`: a targets file, its scenarios, a plain simulator (`theta → the targets'
//! values`) for outside samplers (pyabc, sbi, Optuna), and `calibrate`, the same history
//! matching and ABC-SMC as `mobilize calibrate`.

use std::path::{Path, PathBuf};

use crate::scenario::Whole;
use mobilize_core::scenario::{embedded, Override, Scenario as Core, Source};
use mobilize_experiment::calibrate::{self, claims::Claim, AbcSettings, Settings, Store};
use mobilize_experiment::targets::{self, Targets as Record};
use pyo3::exceptions::{PyFileNotFoundError, PyKeyError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// A targets file and the scenarios it names, with the overrides every run gets.
#[pyclass(frozen, module = "mobilize")]
pub struct Targets {
    record: Record,
    sources: Vec<(String, Source)>,
    sets: Vec<String>,
    /// Worlds of the replicates run so far, reused by later calls at other parameter values.
    worlds: mobilize_core::world::WorldCache,
}

impl Targets {
    /// The scenarios validated with the overrides and one point's values (`path=value`).
    fn load(&self, point: &[String]) -> Result<Vec<(String, Core)>, String> {
        load(&self.sources, &self.sets, point)
    }

    fn sets_of(&self, x: &[f64]) -> Vec<String> {
        self.record
            .priors
            .iter()
            .zip(x)
            .map(|(k, v)| format!("{}={v:?}", k.0))
            .collect()
    }

    /// `theta` as the priors' values in order: a dict by parameter path, or a sequence.
    fn theta(&self, theta: &Bound<'_, PyAny>) -> PyResult<Vec<f64>> {
        let keys: Vec<&str> = self.record.priors.iter().map(|(k, _)| k.as_str()).collect();
        if let Ok(d) = theta.cast::<PyDict>() {
            for k in d.keys() {
                let k: String = k.extract()?;
                if !keys.contains(&k.as_str()) {
                    return Err(PyKeyError::new_err(format!(
                        "`{k}` is not a parameter of the targets file's [priors] ({})",
                        keys.join(", ")
                    )));
                }
            }
            return keys
                .iter()
                .map(|k| {
                    d.get_item(k)?
                        .ok_or_else(|| PyKeyError::new_err(format!("theta has no `{k}`")))?
                        .extract::<f64>()
                })
                .collect();
        }
        let v: Vec<f64> = theta.extract()?;
        if v.len() != keys.len() {
            return Err(PyValueError::new_err(format!(
                "theta has {} values; the priors name {} parameters ({})",
                v.len(),
                keys.len(),
                keys.join(", ")
            )));
        }
        Ok(v)
    }
}

/// The scenarios `sources` validated with `sets` and then one point's values (`path=value`).
fn load(
    sources: &[(String, Source)],
    sets: &[String],
    point: &[String],
) -> Result<Vec<(String, Core)>, String> {
    let overrides = sets
        .iter()
        .chain(point)
        .map(|s| Override::parse(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| e.to_string())?;
    sources
        .iter()
        .map(|(name, src)| {
            Core::load(src, &overrides)
                .map(|s| (name.clone(), s))
                .map_err(|e| {
                    let first = e
                        .problems
                        .first()
                        .map_or(String::new(), |p| format!(": {} {}", p.path, p.message));
                    format!("scenario `{name}` is invalid{first}")
                })
        })
        .collect()
}

fn source_of(name: &str, beside: &Path) -> PyResult<Source> {
    if !embedded::looks_like_path(name) {
        if let Some(s) = embedded::source(name) {
            return Ok(s);
        }
    }
    let path = beside.join(name);
    Source::from_file(&path.to_string_lossy()).map_err(|why| {
        PyFileNotFoundError::new_err(format!("cannot read scenario `{}`: {why}", path.display()))
    })
}

#[pymethods]
impl Targets {
    /// Reads a targets file (TOML; see docs/calibration.md), with `scale` and `set` overrides
    /// applied to every scenario it names.
    #[staticmethod]
    #[pyo3(signature = (path, *, scale = None, set = None))]
    fn read(path: PathBuf, scale: Option<f64>, set: Option<Vec<String>>) -> PyResult<Targets> {
        let mut record = Record::read(&path).map_err(|e| PyValueError::new_err(e.to_string()))?;
        let beside = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let sources: Vec<(String, Source)> = record
            .scenarios()
            .into_iter()
            .map(|n| Ok((n.to_string(), source_of(n, &beside)?)))
            .collect::<PyResult<_>>()?;
        let mut sets = set.unwrap_or_default();
        if let Some(s) = scale {
            sets.push(crate::scenario::scale_set(s)?);
        }
        // Bounds a prior leaves out come from its parameter's declared range.
        let scenarios = load(&sources, &sets, &[]).map_err(PyValueError::new_err)?;
        if let Some((_, s)) = scenarios.first() {
            let model = s.model;
            record
                .bound_priors(&|p| mobilize_core::model::declared_range(model, p))
                .map_err(|e| PyValueError::new_err(e.to_string()))?;
        }
        Ok(Targets {
            record,
            sources,
            sets,
            worlds: mobilize_core::world::WorldCache::new(16),
        })
    }

    /// The targets' names, in file order.
    #[getter]
    fn names(&self) -> Vec<String> {
        self.record.targets.iter().map(|t| t.name.clone()).collect()
    }

    /// The observed values (an interval's middle), in file order.
    #[getter]
    fn observed(&self) -> Vec<f64> {
        self.record
            .targets
            .iter()
            .map(|t| t.error.centre(t.observed))
            .collect()
    }

    /// Which targets are held out of a fit.
    #[getter]
    fn holdout(&self) -> Vec<bool> {
        self.record.targets.iter().map(|t| t.holdout).collect()
    }

    /// The parameters the `[priors]` vary, in order.
    #[getter]
    fn parameters(&self) -> Vec<String> {
        self.record.priors.iter().map(|(k, _)| k.clone()).collect()
    }

    /// `n` points drawn from the priors as a Latin hypercube (rows in the parameters' order).
    #[pyo3(signature = (n, seed = 1))]
    fn sample(&self, n: usize, seed: u64) -> Vec<Vec<f64>> {
        targets::latin_hypercube(&self.record.priors, n, seed)
    }

    /// One run of every scenario at `theta` (a dict by parameter path, or a sequence in the
    /// parameters' order) with replicate `replicate`'s seed: each target's value, by name
    /// (`None` where the run did not reach it). The plain simulator an outside sampler calls.
    #[pyo3(signature = (theta, replicate = Whole(0), seed = None))]
    fn simulate<'py>(
        &self,
        py: Python<'py>,
        theta: &Bound<'py, PyAny>,
        replicate: Whole<u32>,
        seed: Option<Whole<u64>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let (replicate, seed) = (replicate.0, seed.map(|s| s.0));
        let x = self.theta(theta)?;
        let sets = self.sets_of(&x);
        let values = py
            .detach(|| {
                let scenarios = self.load(&sets)?;
                targets::replicate_values(&self.record, &scenarios, seed, replicate, &self.worlds)
                    .map_err(|e| e.to_string())
            })
            .map_err(PyValueError::new_err)?;
        let out = PyDict::new(py);
        for (t, v) in self.record.targets.iter().zip(values) {
            out.set_item(&t.name, v)?;
        }
        Ok(out)
    }

    /// History matching over the `[priors]` (and with `abc`, a posterior by ABC-SMC and each
    /// of `claims` judged from it), as `mobilize calibrate` does; with `out`, into that folder
    /// (resumed if it holds this calibration). Returns a summary: each wave's space left, the
    /// points not ruled out, why it stopped, and the posterior's draws and claims.
    #[pyo3(signature = (out = None, *, waves = 3, points = 40, replicates = 4, candidates = 20_000,
                        cutoff = 3.0, discrepancy = 0.0, seed = 1, run_seed = None, abc = false,
                        particles = 200, generations = 6, claims = Vec::new(), threads = None))]
    #[allow(clippy::too_many_arguments)]
    fn calibrate<'py>(
        &self,
        py: Python<'py>,
        out: Option<PathBuf>,
        waves: usize,
        points: usize,
        replicates: u32,
        candidates: usize,
        cutoff: f64,
        discrepancy: f64,
        seed: u64,
        run_seed: Option<u64>,
        abc: bool,
        particles: usize,
        generations: usize,
        claims: Vec<String>,
        threads: Option<usize>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let usable = cutoff > 0.0 && cutoff.is_finite() && discrepancy >= 0.0;
        if !(usable && discrepancy.is_finite()) {
            return Err(PyValueError::new_err(
                "cutoff must be above 0 and discrepancy 0 or more",
            ));
        }
        if replicates < 2 || points < 4 || candidates < 100 || waves == 0 {
            return Err(PyValueError::new_err(
                "replicates ≥ 2, points ≥ 4, candidates ≥ 100 and waves ≥ 1",
            ));
        }
        if self.record.priors.is_empty() {
            return Err(PyValueError::new_err(format!(
                "{}: a calibration varies the parameters of the file's `[priors]`, and it has none",
                self.record.file
            )));
        }
        let claims: Vec<Claim> = claims
            .iter()
            .map(|c| Claim::parse(c, &self.record))
            .collect::<Result<_, _>>()
            .map_err(PyValueError::new_err)?;
        let settings = Settings {
            waves,
            points,
            replicates,
            candidates,
            cutoff,
            seed,
            discrepancy,
        };
        let store = match &out {
            Some(dir) => {
                let asked = format!(
                    "{{\"targets\":{:?},\"settings\":{:?},\"sets\":{:?},\"run_seed\":{:?}}}\n",
                    self.record.file, settings, self.sets, run_seed
                );
                Store::open(dir, &asked).map_err(|e| PyValueError::new_err(e.to_string()))?
            }
            None => Store::memory(),
        };
        let threads = threads.unwrap_or_else(|| {
            std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
        });
        let pool = super::pool(threads.max(1)).map_err(PyValueError::new_err)?;
        let simulate = |x: &[f64], k: u32| -> Result<Vec<Option<f64>>, String> {
            let scenarios = self.load(&self.sets_of(x))?;
            targets::replicate_values(&self.record, &scenarios, run_seed, k, &self.worlds)
                .map_err(|e| e.to_string())
        };
        let quiet = |_: usize, _: usize, _: usize| {};
        let found = py
            .detach(|| {
                pool.install(|| {
                    let c =
                        calibrate::calibrate(&self.record, &settings, &store, &simulate, &quiet)
                            .map_err(|e| e.to_string())?;
                    calibrate::write_tables(&store, &self.record, &c).map_err(|e| e.to_string())?;
                    let posterior = if (abc || !claims.is_empty()) && c.stopped.is_none() {
                        let s = AbcSettings {
                            particles,
                            generations,
                            seed,
                            ..AbcSettings::default()
                        };
                        let p = calibrate::abc_smc(
                            &self.record,
                            &c.waves,
                            cutoff,
                            discrepancy,
                            &s,
                            &store,
                            &simulate,
                            &quiet,
                        )
                        .map_err(|e| e.to_string())?;
                        let verdicts: Vec<_> =
                            claims.iter().map(|cl| (cl.clone(), cl.judge(&p))).collect();
                        calibrate::write_posterior(&store, &self.record, &p, &verdicts)
                            .map_err(|e| e.to_string())?;
                        calibrate::write_report(&store, &self.record, &c, Some((&p, &verdicts)))
                            .map_err(|e| e.to_string())?;
                        Some((p, verdicts))
                    } else {
                        calibrate::write_report(&store, &self.record, &c, None)
                            .map_err(|e| e.to_string())?;
                        None
                    };
                    Ok::<_, String>((c, posterior))
                })
            })
            .map_err(PyValueError::new_err)?;
        let (c, posterior) = found;
        let d = PyDict::new(py);
        let wave_list = PyList::empty(py);
        for w in &c.waves {
            let wd = PyDict::new(py);
            wd.set_item("wave", w.number)?;
            wd.set_item("points", w.design.len())?;
            wd.set_item("space_before", w.space_before)?;
            wd.set_item("space_after", w.space_after)?;
            wd.set_item(
                "best_point_max_implausibility",
                w.direct.iter().copied().fold(f64::INFINITY, f64::min),
            )?;
            wave_list.append(wd)?;
        }
        d.set_item("waves", wave_list)?;
        d.set_item("parameters", self.parameters())?;
        d.set_item(
            "left",
            c.left.iter().map(|(x, _)| x.clone()).collect::<Vec<_>>(),
        )?;
        d.set_item("stopped", c.stopped.clone())?;
        let met_alone = PyDict::new(py);
        if let Some(first) = c.waves.first() {
            for (t, share) in &first.conflicts.alone {
                met_alone.set_item(&self.record.targets[*t].name, share)?;
            }
        }
        d.set_item("met_alone", met_alone)?;
        if let Some((p, verdicts)) = posterior {
            d.set_item(
                "draws",
                p.particles.iter().map(|q| q.x.clone()).collect::<Vec<_>>(),
            )?;
            d.set_item(
                "weights",
                p.particles.iter().map(|q| q.weight).collect::<Vec<_>>(),
            )?;
            let cd = PyDict::new(py);
            for (cl, v) in verdicts {
                cd.set_item(cl.text, (v.probability, v.interval.0, v.interval.1))?;
            }
            d.set_item("claims", cd)?;
        }
        if let Some(dir) = out {
            d.set_item("folder", dir)?;
        }
        Ok(d)
    }
}
