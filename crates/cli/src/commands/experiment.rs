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
    #[arg(long)]
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
enum RunsProgress {
    Bar(ProgressBar),
    Lines(Mutex<(usize, Instant)>),
    Quiet,
}

impl RunsProgress {
    fn new(quiet: bool) -> RunsProgress {
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

    fn update(&self, done: usize, total: usize) {
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

    fn finish(&self) {
        if let RunsProgress::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}

/// Runs `exp`, showing progress, and prints where the results are.
pub fn execute(exp: &Experiment, common: &CommonArgs) -> Result<Done, Failure> {
    let threads = common.threads()?;
    let limit = super::run::memory_limit(common.max_memory.as_deref())?;
    if limit.is_some() {
        if let Ok(scenarios) = exp.validate() {
            let runs = exp.points.len() * exp.replicates as usize;
            let all: Vec<&mobilize_core::scenario::Scenario> = scenarios.iter().collect();
            super::run::check_memory(&all, threads.min(runs.max(1)), limit)?;
        }
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

/// Prints the closing line.
pub fn results(done: &Done) {
    println!("results: {}", done.dir.display());
    println!(
        "report: {}",
        done.dir.join(mobilize_output::layout::REPORT).display()
    );
}
