//! `mobilize-fuzz TARGET -n N`: fuzz one of mobilize's input readers.
//!
//! ```sh
//! cargo run --release -p mobilize-fuzz -- scenario -n 10000000 --save crates/fuzz
//! ```
//! Seeds: the embedded scenarios (scenario), typical `--set` lines (set), small design files
//! (design), a real checkpoint (checkpoint), the saved states of small runs of each model
//! (state), typical requests (http), plus what `corpus/<target>/` already holds.

use std::path::PathBuf;
use std::time::Instant;

use clap::Parser;
use mobilize_fuzz::{campaign, targets};

/// Fuzz an input reader of mobilize.
#[derive(Parser, Debug)]
struct Args {
    /// One of: scenario, set, design, checkpoint, state, http, edges.
    target: String,
    /// Inputs to try.
    #[arg(short = 'n', long, default_value_t = 100_000)]
    inputs: u64,
    /// Seed of the mutations (campaigns repeat exactly).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Runs the target once on each of these files and prints the outcome (or the panic).
    #[arg(long, num_args = 1..)]
    replay: Vec<PathBuf>,
    /// Folder with `corpus/` and `crashes/` to read seeds from and save findings to.
    #[arg(long)]
    save: Option<PathBuf>,
}

fn seeds(target: &str, save: Option<&PathBuf>) -> Vec<Vec<u8>> {
    let mut out = targets::seeds(target);
    if let Some(dir) = save {
        out.extend(
            campaign::read_dir(&dir.join("corpus").join(target))
                .into_iter()
                .map(|(_, b)| b),
        );
    }
    out
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    if !targets::TARGETS.contains(&args.target.as_str()) {
        eprintln!(
            "error: unknown target `{}`; targets: {}",
            args.target,
            targets::TARGETS.join(", ")
        );
        return std::process::ExitCode::from(2);
    }
    if !args.replay.is_empty() {
        for p in &args.replay {
            let bytes = std::fs::read(p).unwrap_or_default();
            match campaign::try_run(&args.target, &bytes) {
                Ok(sig) => println!("{}: {sig}", p.display()),
                Err(msg) => println!("{}: PANIC {msg}", p.display()),
            }
        }
        return std::process::ExitCode::SUCCESS;
    }
    let t0 = Instant::now();
    let step = (args.inputs / 10).max(1);
    let progress = |done: u64| {
        if done % step < 20_000 || done == args.inputs {
            eprintln!(
                "{}: {done} inputs ({:.0} s)",
                args.target,
                t0.elapsed().as_secs_f64()
            );
        }
    };
    let seeds = seeds(&args.target, args.save.as_ref());
    let report = campaign::run(
        &args.target,
        seeds,
        args.inputs,
        args.seed,
        args.save.as_deref(),
        &progress,
    );
    println!(
        "{}: {} inputs in {:.1} s ({:.0}/s), {} outcome kinds, {} kept, slowest input {:.1} ms, {} crashes",
        args.target,
        report.inputs,
        t0.elapsed().as_secs_f64(),
        report.inputs as f64 / t0.elapsed().as_secs_f64(),
        report.signatures,
        report.kept,
        report.slowest.as_secs_f64() * 1e3,
        report.crashes.len()
    );
    for c in &report.crashes {
        println!("crash: {}", c.display());
    }
    if report.crashes.is_empty() {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::from(1)
    }
}
