//! What `ensemble`, `sweep` and `compare` share: replicate count, seed, scale, threads, output
//! folder, a progress bar over runs, and the closing lines.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use mobilize_core::scenario::Source;
use mobilize_experiment::{Done, Experiment, Options};

use crate::Failure;

/// Arguments every experiment takes.
#[derive(Args, Debug)]
pub struct CommonArgs {
    /// Replicates (per design point, per arm).
    #[arg(short = 'n', long = "replicates", default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub replicates: u32,
    /// Base seed; replicate seeds derive from it (default: the scenario's seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Multiplier on every region's population (same as --set scale=F).
    #[arg(long, allow_negative_numbers = true)]
    pub scale: Option<f64>,
    /// Runs at once (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Folder under which experiment folders are created.
    #[arg(long, default_value = "runs")]
    pub out: PathBuf,
    /// No progress output.
    #[arg(long, short)]
    pub quiet: bool,
    /// Most memory the runs at once may need together (e.g. 8G); larger is refused before
    /// anything runs. Default: the memory available now.
    #[arg(long, value_name = "SIZE")]
    pub max_memory: Option<String>,
    /// Stop after this many seconds of wall time as an interrupt would: finished runs are
    /// kept and `mobilize resume` finishes the rest; exit code 130.
    #[arg(long, value_name = "SECONDS", allow_negative_numbers = true)]
    pub time_limit: Option<f64>,
    /// Do only shard I of N (the runs whose number is I modulo N; I from 0), leaving the
    /// tables to `mobilize merge`; `slurm` takes I and N from a Slurm job array
    /// (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_COUNT).
    #[arg(long, value_name = "I/N|slurm")]
    pub shard: Option<String>,
}

/// Shard `index` of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// From 0.
    pub index: usize,
    /// At least 1.
    pub count: usize,
}

/// Reads `--shard I/N` or `--shard slurm` (from the environment `env` gives).
pub fn parse_shard(arg: &str, env: impl Fn(&str) -> Option<String>) -> Result<Shard, String> {
    let (index, count) = if arg == "slurm" {
        let get = |k: &str| -> Result<usize, String> {
            let v = env(k).ok_or_else(|| format!("{k} is not set (not in a Slurm job array?)"))?;
            v.trim()
                .parse()
                .map_err(|_| format!("{k}={v} is not a whole number"))
        };
        let id = get("SLURM_ARRAY_TASK_ID")?;
        let min = env("SLURM_ARRAY_TASK_MIN").map_or(Ok(0), |_| get("SLURM_ARRAY_TASK_MIN"))?;
        let count = get("SLURM_ARRAY_TASK_COUNT")?;
        (
            id.checked_sub(min)
                .ok_or("SLURM_ARRAY_TASK_ID is below SLURM_ARRAY_TASK_MIN")?,
            count,
        )
    } else {
        let (i, n) = arg
            .split_once('/')
            .ok_or_else(|| format!("`{arg}` is not I/N (e.g. 0/4) or `slurm`"))?;
        let i = i
            .trim()
            .parse::<usize>()
            .map_err(|_| format!("`{i}` is not a whole number"))?;
        let n = n
            .trim()
            .parse::<usize>()
            .map_err(|_| format!("`{n}` is not a whole number"))?;
        (i, n)
    };
    if count == 0 || index >= count {
        return Err(format!(
            "shard {index} of {count} does not exist (allowed: 0 to N − 1 of N ≥ 1)"
        ));
    }
    Ok(Shard { index, count })
}

impl CommonArgs {
    /// The overrides implied by `--scale`, before the user's `--set`s.
    pub fn sets(&self, user: &[String]) -> Vec<String> {
        let mut sets = Vec::new();
        if let Some(scale) = self.scale {
            sets.push(format!("scale={scale:?}"));
        }
        sets.extend(user.iter().cloned());
        sets
    }

    /// The base seed: `--seed`, or the seed the scenario names.
    pub fn base_seed(&self, source: &Source, sets: &[String]) -> Result<u64, Failure> {
        if let Some(s) = self.seed {
            return Ok(s);
        }
        let overrides = crate::source::overrides(sets)?;
        Ok(crate::source::load(source, &overrides)?.seed)
    }

    fn threads(&self) -> Result<usize, Failure> {
        super::run::threads(self.threads)
    }
}

/// Progress over runs: a bar on a terminal, a line per tenth when piped, nothing when quiet.
pub(super) enum RunsProgress {
    Bar(ProgressBar),
    Lines(Mutex<(usize, Instant)>),
    Quiet,
}

impl RunsProgress {
    pub(super) fn new(quiet: bool) -> RunsProgress {
        if quiet {
            RunsProgress::Quiet
        } else if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template(
                    "runs {pos}/{len} [{bar:30}] {per_sec} ({elapsed}, {eta} left)",
                )
                .expect("template is valid")
                .progress_chars("=> "),
            );
            RunsProgress::Bar(bar)
        } else {
            RunsProgress::Lines(Mutex::new((0, Instant::now())))
        }
    }

    pub(super) fn update(&self, done: usize, total: usize) {
        match self {
            RunsProgress::Bar(bar) => {
                bar.set_length(total as u64);
                bar.set_position(done as u64);
            }
            RunsProgress::Lines(state) => {
                let mut s = state.lock().unwrap_or_else(|e| e.into_inner());
                let tenth = done * 10 / total.max(1);
                if tenth > s.0 || done == total {
                    s.0 = tenth + usize::from(done == total) * 10;
                    eprintln!("runs {done}/{total} ({:.1} s)", s.1.elapsed().as_secs_f64());
                }
            }
            RunsProgress::Quiet => {}
        }
    }

    pub(super) fn finish(&self) {
        if let RunsProgress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

/// Runs `exp`, showing progress, and prints where the results are.
pub fn execute(exp: &Experiment, common: &CommonArgs) -> Result<Done, Failure> {
    let threads = common.threads()?;
    let limit = super::run::memory_limit(common.max_memory.as_deref())?;
    super::run::time_limit(common.time_limit)?;
    if limit.is_some() {
        if let Ok(scenarios) = exp.validate() {
            let runs = exp.points.len() * exp.replicates as usize;
            let all: Vec<&mobilize_core::scenario::Scenario> = scenarios.iter().collect();
            super::run::check_memory(&all, threads.min(runs.max(1)), limit)?;
        }
    }
    if let Some(arg) = &common.shard {
        let shard = parse_shard(arg, |k| std::env::var(k).ok()).map_err(|e| {
            eprintln!("error: --shard {arg}: {e}");
            Failure::Input
        })?;
        return execute_shard(exp, common, shard, threads);
    }
    let progress = RunsProgress::new(common.quiet);
    let update = |done: usize, total: usize| progress.update(done, total);
    let opts = Options {
        out: common.out.clone(),
        threads,
        provenance: crate::provenance(),
        command: std::env::args().collect(),
        progress: Some(&update),
        stop: Some(&crate::STOP),
    };
    let done = mobilize_experiment::run(exp, &opts);
    progress.finish();
    let done = done?;
    let ran = done.total - done.skipped;
    println!(
        "{} of {}: {} runs ({} run now, {} finished before and kept), {:.2} s",
        done.manifest.kind.as_str(),
        done.manifest.scenario,
        done.total,
        ran,
        done.skipped,
        done.seconds
    );
    Ok(done)
}

/// Does one shard's runs into the experiment's folder, leaving the tables to
/// `mobilize merge`; exits through `Failure::Sharded` so no results line is printed.
fn execute_shard(
    exp: &Experiment,
    common: &CommonArgs,
    shard: Shard,
    threads: usize,
) -> Result<Done, Failure> {
    use rayon::prelude::*;
    let provenance = crate::provenance();
    let t0 = Instant::now();
    let prepared = mobilize_experiment::execute::prepare(
        exp,
        &common.out,
        &provenance,
        std::env::args().collect(),
    )?;
    let mine: Vec<usize> = prepared
        .pending
        .iter()
        .copied()
        .filter(|id| id % shard.count == shard.index)
        .collect();
    let progress = RunsProgress::new(common.quiet);
    let done = std::sync::atomic::AtomicUsize::new(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| {
            eprintln!("error: cannot start {threads} threads: {e}");
            Failure::Input
        })?;
    let result = pool.install(|| {
        mine.par_iter().try_for_each(|&id| {
            mobilize_experiment::execute::run_one(
                exp,
                &prepared.dir,
                id,
                threads,
                &provenance,
                Some(&crate::STOP),
            )?;
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            progress.update(n, mine.len());
            Ok::<(), mobilize_experiment::ExperimentError>(())
        })
    });
    progress.finish();
    result?;
    let mine_total = (0..prepared.specs.len())
        .filter(|id| id % shard.count == shard.index)
        .count();
    println!(
        "shard {}/{} of {}: {} runs of {} ({} run now, {} finished before and kept), {:.2} s",
        shard.index,
        shard.count,
        prepared.manifest.scenario,
        mine_total,
        prepared.specs.len(),
        mine.len(),
        mine_total - mine.len(),
        t0.elapsed().as_secs_f64()
    );
    println!("folder: {}", prepared.dir.display());
    println!(
        "when every shard is done: mobilize merge {}",
        prepared.dir.display()
    );
    Err(Failure::Sharded)
}

/// Prints the closing line.
pub fn results(done: &Done) {
    // The outcome counted, as the report opens.
    for line in mobilize_report::experiment::lead(&done.dir) {
        println!("{line}");
    }
    println!("results: {}", done.dir.display());
    println!(
        "report: {}",
        done.dir.join(mobilize_output::layout::REPORT).display()
    );
}
