//! The native half of the `mobilize` Python package (`mobilize._mobilize`).
//!
//! A thin layer: scenarios are loaded and validated by `mobilize_core` exactly as the command
//! line does, and runs go through `mobilize_experiment::single::execute`, the function behind
//! `mobilize run`, into a run folder, so a run from Python writes the same bytes as one from
//! the CLI. Its series and event log are also collected in memory and handed to Python as
//! Arrow tables through the Arrow PyCapsule interface, without a copy and without a
//! dependency on pyarrow or polars. The GIL is released while Rust runs.

use pyo3::prelude::*;

mod calibrate;
mod experiment;
mod problems;
mod run;
mod scenario;
mod sim;
mod table;

/// The version of mobilize (the crates' and the package's).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The build that runs, as manifests record it.
fn provenance() -> mobilize_experiment::Provenance {
    mobilize_experiment::Provenance::this_build()
}

thread_local! {
    /// The rayon pool of this calling thread, kept between calls: a fresh pool per run would
    /// start threads whose memory arenas start empty, which cost a run of `two-valleys` a
    /// fifth of its time.
    static POOL: std::cell::RefCell<Option<(usize, std::sync::Arc<rayon::ThreadPool>)>> =
        const { std::cell::RefCell::new(None) };
    /// The one-thread pool of this calling thread, which is the calling thread itself: work
    /// installed in it runs where it is called, with no hand-over to another thread (which
    /// cost 80 µs a call: a `Sim` stepped day by day spent more time handing over than
    /// computing). Kept apart, and for the thread's life, because a thread may belong to one
    /// such pool only.
    static SELF_POOL: std::cell::OnceCell<std::sync::Arc<rayon::ThreadPool>> =
        const { std::cell::OnceCell::new() };
}

/// A pool of `threads` worker threads for the calling thread (the same one each time).
fn pool(threads: usize) -> Result<std::sync::Arc<rayon::ThreadPool>, String> {
    if threads == 1 {
        let made = SELF_POOL.with(|cell| {
            if let Some(p) = cell.get() {
                return Ok(p.clone());
            }
            let p = std::sync::Arc::new(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(1)
                    .use_current_thread()
                    .build()?,
            );
            Ok::<_, rayon::ThreadPoolBuildError>(cell.get_or_init(|| p).clone())
        });
        // A thread already in a pool of its own making (it cannot be): an ordinary pool.
        if let Ok(p) = made {
            return Ok(p);
        }
    }
    POOL.with(|cell| {
        let mut slot = cell.borrow_mut();
        if let Some((n, p)) = slot.as_ref() {
            if *n == threads {
                return Ok(p.clone());
            }
        }
        let p = std::sync::Arc::new(
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .map_err(|e| e.to_string())?,
        );
        *slot = Some((threads, p.clone()));
        Ok(p)
    })
}

/// The names of the scenarios built into mobilize.
#[pyfunction]
fn scenarios() -> Vec<&'static str> {
    mobilize_core::scenario::embedded::ALL
        .iter()
        .map(|(n, _)| *n)
        .collect()
}

/// The seed of replicate `replicate` of an ensemble whose base seed is `base` (as
/// `mobilize ensemble` derives it).
#[pyfunction]
fn replicate_seed(base: u64, replicate: u32) -> u64 {
    mobilize_experiment::seeds::replicate_seed(base, replicate)
}

#[pymodule]
fn _mobilize(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", VERSION)?;
    m.add(
        "ScenarioError",
        m.py().get_type::<problems::ScenarioError>(),
    )?;
    m.add("RunError", m.py().get_type::<run::RunError>())?;
    m.add(
        "ExperimentError",
        m.py().get_type::<experiment::ExperimentError>(),
    )?;
    m.add_class::<calibrate::Targets>()?;
    m.add_class::<experiment::Experiment>()?;
    m.add_class::<experiment::Pending>()?;
    m.add_class::<problems::Problem>()?;
    m.add_class::<scenario::Scenario>()?;
    m.add_class::<table::Table>()?;
    m.add_class::<run::Run>()?;
    m.add_class::<sim::Sim>()?;
    m.add_function(wrap_pyfunction!(scenarios, m)?)?;
    m.add_function(wrap_pyfunction!(replicate_seed, m)?)?;
    m.add_function(wrap_pyfunction!(run::run, m)?)?;
    m.add_function(wrap_pyfunction!(table::read_table, m)?)?;
    Ok(())
}
