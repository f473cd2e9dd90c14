//! `mobilize run`: run a scenario into a new run folder.

use std::path::PathBuf;
use std::time::{Instant, SystemTime};

use clap::Args;
use mobilize_core::engine::Sim;
use mobilize_core::observe::Observer;
use mobilize_core::scenario::Override;
use mobilize_output::{
    ChartWriter, LatticeWriter, LogWriter, Manifest, RunFolder, SeriesWriter, Status, Timings,
};

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
    let t0 = Instant::now();
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
    let dir = folder.path().to_path_buf();
    std::fs::write(dir.join("scenario.toml"), &resolved).map_err(|e| {
        Failure::Output(mobilize_output::OutputError::Io {
            action: "cannot write",
            path: dir.join("scenario.toml"),
            source: e,
        })
    })?;
    let mut manifest = Manifest {
        mobilize_version: env!("CARGO_PKG_VERSION").to_string(),
        git_commit: env!("MOBILIZE_GIT_COMMIT").to_string(),
        scenario: scenario.name.clone(),
        scenario_source: src.name.clone(),
        scenario_sha256: Manifest::sha256(&resolved),
        overrides: sets,
        seed: scenario.seed,
        threads,
        persons: u64::from(scenario.population()),
        ties: 0,
        started_at: humantime::format_rfc3339_seconds(started).to_string(),
        finished_at: None,
        status: Status::Incomplete,
        exit_code: None,
        error: None,
        stop_reason: None,
        last_step: None,
        figures: Default::default(),
        summary: None,
        timings: Timings::default(),
        files: vec![
            "scenario.toml".into(),
            "series.csv".into(),
            "series.parquet".into(),
            "events.csv".into(),
            "events.parquet".into(),
            "series.svg".into(),
        ],
    };
    manifest.write(&dir)?;

    let name = scenario.name.clone();
    let persons = scenario.population();
    let lattice = scenario
        .civil_violence
        .as_ref()
        .map(|c| (c.epstein.width, c.epstein.height));
    let (outcome, ties, setup_s, run_s, closed) = pool.install(|| {
        let t_setup = Instant::now();
        let mut sim = Sim::new(scenario);
        let setup_s = t_setup.elapsed().as_secs_f64();
        let ties = sim.world().network.ties();
        let mut series = SeriesWriter::new(&dir);
        let mut events = LogWriter::new(&dir);
        let mut chart = ChartWriter::new(&dir);
        let mut lattice = LatticeWriter::new(&dir);
        let mut progress = Progress::new(args.quiet);
        let t_run = Instant::now();
        let outcome = {
            let mut observers: [&mut dyn Observer; 5] = [
                &mut progress,
                &mut series,
                &mut events,
                &mut chart,
                &mut lattice,
            ];
            sim.run(&mut observers)
        };
        let run_s = t_run.elapsed().as_secs_f64();
        let closed = series
            .close()
            .and(events.close())
            .and(chart.close())
            .and(lattice.close());
        (outcome, ties, setup_s, run_s, closed)
    });
    manifest.ties = ties;
    manifest.timings = Timings {
        setup_s,
        run_s,
        total_s: t0.elapsed().as_secs_f64(),
    };
    manifest.finished_at = Some(humantime::format_rfc3339_seconds(SystemTime::now()).to_string());
    manifest.stop_reason = Some(outcome.reason.as_str().to_string());
    manifest.last_step = Some(outcome.last_step);
    manifest.figures = outcome.figures.iter().cloned().collect();
    manifest.summary = Some(outcome.sentence.clone());
    let closed = closed.map(|pictures| {
        if !pictures.is_empty() {
            manifest.files.extend(pictures);
            manifest.files.push("lattice-legend.txt".into());
        }
    });
    if let Err(e) = closed {
        manifest.status = Status::Failed;
        manifest.exit_code = Some(1);
        manifest.error = Some(e.to_string());
        // Best effort: the folder stays hidden (`.partial`) and says why.
        let _ = manifest.write(&dir);
        return Err(e.into());
    }
    manifest.status = Status::Complete;
    manifest.exit_code = Some(0);
    manifest.write(&dir)?;
    let final_dir = folder.commit()?;

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
