//! `mobilize run`: run a scenario into a new run folder, from the start or from a checkpoint
//! (`--from`: a branch with changed parameters).

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use clap::Args;
use mobilize_core::observe::{Flow, Observer, StepRecord, GO_ON};
use mobilize_core::scenario::{Override, Scenario, Source};
use mobilize_experiment::{execute_run, Finished, RunRequest, Start, StartHow};
use mobilize_output::{checkpoint, RunFolder};

use crate::progress::Progress;
use crate::source;
use crate::Failure;

/// Arguments of `mobilize run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// Scenario file, or the name of an embedded scenario (default: the embedded default, or
    /// with --from the checkpoint's own scenario).
    pub scenario: Option<String>,
    /// Seed of every random stream (same as --set seed=N).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Multiplier on every region's population, e.g. 0.01 for a 1 % sample (same as --set scale=F).
    #[arg(long, allow_negative_numbers = true)]
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
    /// Save the whole state every N steps into the run folder (`mobilize resume` continues
    /// from the newest; `--from` branches from one).
    #[arg(long, value_name = "N")]
    pub checkpoint_every: Option<u32>,
    /// How many of the newest checkpoints to keep.
    #[arg(long, value_name = "K", default_value_t = 2)]
    pub keep_checkpoints: usize,
    /// Start from this checkpoint (a branch): its people and history, this scenario's
    /// parameters and events from then on.
    #[arg(long, value_name = "CHECKPOINT")]
    pub from: Option<PathBuf>,
    /// No progress output.
    #[arg(long, short)]
    pub quiet: bool,
    /// Most memory the run may need (e.g. 8G, 512MiB); a scenario whose estimate is larger is
    /// refused before anything is allocated. Default: the memory available now.
    #[arg(long, value_name = "SIZE")]
    pub max_memory: Option<String>,
    /// Stop after this many seconds of wall time as an interrupt would: at the end of the
    /// step, with what was computed saved (and a checkpoint, with --checkpoint-every, for
    /// `mobilize resume`); exit code 130.
    #[arg(long, value_name = "SECONDS", allow_negative_numbers = true)]
    pub time_limit: Option<f64>,
}

/// The most threads a run or experiment may ask for: more is never faster, and each costs a
/// stack (thousands took tens of seconds to fail).
pub const MAX_THREADS: usize = 1024;

/// The number of threads asked for, or all cores.
pub fn threads(arg: Option<usize>) -> Result<usize, Failure> {
    match arg {
        Some(n) if n == 0 || n > MAX_THREADS => {
            eprintln!("error: --threads {n} is out of range\n  allowed: 1 to {MAX_THREADS}");
            Err(Failure::Input)
        }
        Some(n) => {
            let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
            if n > 4 * cores {
                eprintln!(
                    "warning: --threads {n} on {cores} cores: threads beyond the cores only wait \
                     their turn (results are the same at any thread count; use --threads {cores})"
                );
            }
            Ok(n)
        }
        None => Ok(std::thread::available_parallelism().map_or(1, |n| n.get())),
    }
}

/// Arms `--time-limit`: after `seconds` of wall time the run or experiment stops as an
/// interrupt would (`crate::STOP`). A limit that is not a positive number is refused.
pub fn time_limit(seconds: Option<f64>) -> Result<(), Failure> {
    let Some(s) = seconds else { return Ok(()) };
    if !(s.is_finite() && s > 0.0 && s <= 1e9) {
        eprintln!("error: --time-limit {s} is out of range\n  allowed: above 0, at most 1000000000 seconds");
        return Err(Failure::Input);
    }
    std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_secs_f64(s));
        if !crate::STOP.swap(true, std::sync::atomic::Ordering::SeqCst) {
            eprintln!(
                "\ntime limit of {s} s reached: stopping at the end of this step and saving what was computed"
            );
        }
    });
    Ok(())
}

/// The memory a run may use: `--max-memory`, or what the machine has available now.
pub fn memory_limit(arg: Option<&str>) -> Result<Option<u64>, Failure> {
    match arg {
        Some(text) => match mobilize_core::scenario::memory::parse_size(text) {
            Some(b) => Ok(Some(b)),
            None => {
                eprintln!(
                    "error: --max-memory {text}: not a size\n  allowed: bytes, or a number with K, M, G or T (e.g. 8G, 512MiB)"
                );
                Err(Failure::Input)
            }
        },
        None => Ok(mobilize_core::scenario::memory::available()),
    }
}

/// Refuses `parallel` runs of the largest of `scenarios` at once if they cannot fit in `limit`.
pub fn check_memory(
    scenarios: &[&Scenario],
    parallel: usize,
    limit: Option<u64>,
) -> Result<(), Failure> {
    let Some(limit) = limit else { return Ok(()) };
    let parallel = parallel.max(1) as u64;
    for s in scenarios {
        if let Err(why) = mobilize_core::scenario::memory::check(s, limit / parallel) {
            let at_once = if parallel > 1 {
                format!(" ({parallel} runs at once share it; --threads lowers that)")
            } else {
                String::new()
            };
            eprintln!("error: {why}{at_once}");
            return Err(Failure::Input);
        }
    }
    Ok(())
}

/// Loads the scenario text a checkpoint carries.
fn checkpoint_scenario(text: &str, what: &str) -> Result<Scenario, Failure> {
    source::load(&Source::text(what, text), &[])
}

/// Reads a checkpoint written by this build, printing why not.
fn read_checkpoint(path: &Path) -> Result<mobilize_core::engine::Checkpoint, Failure> {
    let p = crate::provenance();
    checkpoint::read(path, &p.version, &p.git_commit)
        .map(|(_, c)| c)
        .map_err(|e| {
            eprintln!("error: {e}");
            Failure::Input
        })
}

/// Runs the scenario and prints where its results are.
pub fn run(args: RunArgs) -> Result<(), Failure> {
    let started = SystemTime::now();
    let mut sets = args.set.clone();
    if let Some(seed) = args.seed {
        sets.push(format!("seed={seed}"));
    }
    if let Some(scale) = args.scale {
        sets.push(format!("scale={scale:?}"));
    }
    let overrides: Vec<Override> = source::overrides(&sets)?;
    let (src, start) = match &args.from {
        None => (source::find(args.scenario.as_deref())?, Start::Fresh),
        Some(path) => {
            let checkpoint = read_checkpoint(path)?;
            let world = checkpoint_scenario(&checkpoint.world_scenario, "<checkpoint world>")?;
            let src = match &args.scenario {
                Some(s) => source::find(Some(s))?,
                None => Source::text(
                    &format!("<checkpoint {}>", path.display()),
                    &checkpoint.scenario,
                ),
            };
            (
                src,
                Start::From {
                    world: Box::new(world),
                    checkpoint: Box::new(checkpoint),
                    how: StartHow::Branch(path.clone()),
                },
            )
        }
    };
    let scenario = source::load(&src, &overrides)?;
    if let Start::From {
        world, checkpoint, ..
    } = &start
    {
        let differ = world.structural_differences(&scenario);
        if !differ.is_empty() {
            eprintln!(
                "error: cannot branch from `{}`: the scenario describes another world ({} differ{}); a branch may change rates, probabilities, events, the seed and the number of steps, not the people, their ties or the shape of the state",
                args.from.as_ref().map(|p| p.display().to_string()).unwrap_or_default(),
                differ.join(", "),
                if differ.len() == 1 { "s" } else { "" }
            );
            return Err(Failure::Input);
        }
        if scenario.time.steps <= checkpoint.step {
            eprintln!(
                "error: cannot branch from step {}: the scenario ends at step {} (raise time.steps)",
                checkpoint.step, scenario.time.steps
            );
            return Err(Failure::Input);
        }
    }
    for w in scenario
        .warnings
        .iter()
        .cloned()
        .chain(scenario.model.warnings(&scenario))
    {
        eprintln!("warning: {w}");
    }
    let threads = threads(args.threads)?;
    check_memory(&[&scenario], 1, memory_limit(args.max_memory.as_deref())?)?;
    time_limit(args.time_limit)?;
    let folder = RunFolder::create(
        &args.out,
        &scenario.name,
        &scenario.resolved_toml(),
        started,
    )?;
    let provenance = crate::provenance();
    let req = RunRequest {
        checkpoint_every: args.checkpoint_every.unwrap_or(0),
        keep_checkpoints: args.keep_checkpoints,
        stop: Some(&crate::STOP),
        start,
        report: true,
        ..RunRequest::fresh(scenario, src.name.clone(), sets, threads, &provenance)
    };
    execute_and_print(req, folder, threads, args.quiet)
}

/// Runs `req` in a pool of `threads`, with progress, and prints what happened.
pub fn execute_and_print(
    req: RunRequest<'_>,
    folder: RunFolder,
    threads: usize,
    quiet: bool,
) -> Result<(), Failure> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Failure::Other(format!("cannot start {threads} threads: {e}")))?;
    let name = req.scenario.name.clone();
    let scale = req.scenario.scale;
    let lattice = req
        .scenario
        .model
        .meta(&req.scenario)
        .lattice
        .map(|l| (l.width, l.height));
    let mut progress = Progress::new(quiet);
    let mut crash = CrashAt::from_env();
    let finished: Finished =
        pool.install(|| execute_run(req, folder, &mut [&mut progress, &mut crash]))?;
    let outcome = &finished.outcome;
    match lattice {
        Some((w, h)) => println!("{name}: {w} × {h} lattice, {} steps", outcome.last_step),
        None => {
            use mobilize_experiment::targets::human;
            // Counts in the summary are of the persons simulated: say how they relate to the
            // scenario's whole population.
            let at_scale = if scale == 1.0 {
                String::new()
            } else if scale < 1.0 {
                format!(
                    " (scale {scale}: counts below are of these persons; × {} for the whole population)",
                    human(1.0 / scale)
                )
            } else {
                format!(" (scale {scale})")
            };
            println!(
                "{name}: {} persons{at_scale}, {} ties, {} steps",
                human(f64::from(finished.persons)),
                human(finished.ties as f64),
                human(f64::from(outcome.last_step))
            )
        }
    }
    println!("{}", outcome.sentence);
    println!(
        "time: {:.2} s setup, {:.2} s run, {threads} thread{}",
        finished.setup_s,
        finished.run_s,
        if threads == 1 { "" } else { "s" }
    );
    println!("results: {}", finished.dir.display());
    Ok(())
}

/// A testing hook: with `MOBILIZE_TEST_ABORT_AT_STEP=N` in the environment, the process aborts
/// (like a `kill -9`: nothing flushed) right after observing step N. The resume tests use it
/// to stop runs at chosen steps; it has no other use.
struct CrashAt(Option<u32>);

impl CrashAt {
    fn from_env() -> CrashAt {
        CrashAt(
            std::env::var("MOBILIZE_TEST_ABORT_AT_STEP")
                .ok()
                .and_then(|v| v.parse().ok()),
        )
    }
}

impl Observer for CrashAt {
    fn step(&mut self, record: &StepRecord<'_>) -> Flow {
        if self.0 == Some(record.step) {
            std::process::abort();
        }
        GO_ON
    }
}
