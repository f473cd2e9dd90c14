//! `mobilize run`: run a scenario into a new run folder.

use std::path::PathBuf;
use std::time::SystemTime;

use clap::Args;
use mobilize_core::scenario::Override;
use mobilize_experiment::{execute_run, RunRequest};
use mobilize_output::RunFolder;

use crate::progress::Progress;
use crate::source;
use crate::Failure;

/// Arguments of `mobilize run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// Scenario file, or the name of an embedded scenario (default: the embedded default).
    pub scenario: Option<String>,
    /// Seed of every random stream (same as --set seed=N).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Multiplier on every region's population, e.g. 0.01 for a 1 % sample (same as --set scale=F).
    #[arg(long)]
    pub scale: Option<f64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Folder under which run folders are created.
    #[arg(long, default_value = "runs")]
    pub out: PathBuf,
    /// Override a field: `path.to.key=value` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// No progress output.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs the scenario and prints where its results are.
pub fn run(args: RunArgs) -> Result<(), Failure> {
    let started = SystemTime::now();
    let src = source::find(args.scenario.as_deref())?;
    let mut sets = args.set.clone();
    if let Some(seed) = args.seed {
        sets.push(format!("seed={seed}"));
    }
    if let Some(scale) = args.scale {
        sets.push(format!("scale={scale:?}"));
    }
    let overrides: Vec<Override> = source::overrides(&sets)?;
    let scenario = source::load(&src, &overrides)?;
    let threads = match args.threads {
        Some(0) => {
            eprintln!("error: --threads must be at least 1");
            return Err(Failure::Input);
        }
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Failure::Other(format!("cannot start {threads} threads: {e}")))?;

    let resolved = scenario.resolved_toml();
    let folder = RunFolder::create(&args.out, &scenario.name, &resolved, started)?;
    let name = scenario.name.clone();
    let persons = scenario.population();
    let lattice = scenario
        .civil_violence
        .as_ref()
        .map(|c| (c.epstein.width, c.epstein.height));
    let provenance = crate::provenance();
    let req = RunRequest {
        scenario,
        source: src.name.clone(),
        overrides: sets,
        threads,
        provenance: &provenance,
        report: true,
    };
    let mut progress = Progress::new(args.quiet);
    let finished = pool.install(|| execute_run(req, folder, &mut [&mut progress]))?;
    let (outcome, ties, setup_s, run_s, final_dir) = (
        finished.outcome,
        finished.ties,
        finished.setup_s,
        finished.run_s,
        finished.dir,
    );
    match lattice {
        Some((w, h)) => println!("{name}: {w} × {h} lattice, {} steps", outcome.last_step),
        None => println!(
            "{name}: {persons} persons, {ties} ties, {} steps",
            outcome.last_step
        ),
    }
    println!("{}", outcome.sentence);
    println!(
        "time: {:.2} s setup, {:.2} s run, {threads} thread{}",
        setup_s,
        run_s,
        if threads == 1 { "" } else { "s" }
    );
    println!("results: {}", final_dir.display());
    Ok(())
}
