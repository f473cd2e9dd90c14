//! `mobilize-fuzz TARGET -n N`: fuzz one of mobilize's input readers.
//!
//! ```sh
//! cargo run --release -p mobilize-fuzz -- scenario -n 10000000 --save crates/fuzz
//! ```
//! Seeds: the embedded scenarios (scenario), typical `--set` lines (set), small design files
//! (design), a real checkpoint (checkpoint), plus what `corpus/<target>/` already holds.

use std::path::PathBuf;
use std::time::Instant;

use clap::Parser;
use mobilize_fuzz::{campaign, targets};

/// Fuzz an input reader of mobilize.
#[derive(Parser, Debug)]
struct Args {
    /// One of: scenario, set, design, checkpoint.
    target: String,
    /// Inputs to try.
    #[arg(short = 'n', long, default_value_t = 100_000)]
    inputs: u64,
    /// Seed of the mutations (campaigns repeat exactly).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Folder with `corpus/` and `crashes/` to read seeds from and save findings to.
    #[arg(long)]
    save: Option<PathBuf>,
}

fn seeds(target: &str, save: Option<&PathBuf>) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = match target {
        "scenario" => mobilize_core::scenario::embedded::ALL
            .iter()
            .map(|(_, text)| text.as_bytes().to_vec())
            .collect(),
        "set" => [
            "seed=7",
            "scale=0.5",
            "regions[0].population=500",
            "resistance.outreach.member_contacts=0.3",
            "resistance.kinds[1].cell_size=4",
            "time.steps=20",
            "events[2].step=100",
            "resistance.organizations=false",
            "regions.1.neighbours=[\"north\"]",
            "network.kind=\"none\"",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect(),
        "design" => [
            "resistance.outreach.member_contacts,resistance.repression.detection\n0.1,0.001\n0.2,0.002\n",
            "scale\n0.5\n1\n",
            "resistance.organizations,time.steps\ntrue,100\nfalse,\"200\"\n",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect(),
        "checkpoint" => {
            // A real checkpoint of a small run, written by this build's code path.
            let dir = std::env::temp_dir().join(format!("mobilize-fuzz-{}", std::process::id()));
            let _ = std::fs::create_dir_all(&dir);
            let source = mobilize_core::scenario::embedded::source("granovetter-uniform").expect("embedded");
            let scenario = mobilize_core::scenario::Scenario::load(&source, &[]).expect("valid");
            let mut sim = mobilize_core::engine::Sim::new(scenario);
            let mut saved = Vec::new();
            let mut keep = |c: &mobilize_core::engine::Checkpoint| saved.push(c.clone());
            sim.run_with(&mut [], mobilize_core::engine::RunControl {
                checkpoint_every: 5,
                on_checkpoint: Some(&mut keep),
                ..Default::default()
            });
            let c = saved.first().expect("a checkpoint").clone();
            mobilize_output::checkpoint::write(&dir, &c, "granovetter-uniform", "0.1.0", "fuzz", "c.bin").expect("written");
            let bytes = std::fs::read(dir.join("c.bin")).expect("read");
            let _ = std::fs::remove_dir_all(&dir);
            vec![bytes]
        }
        _ => vec![],
    };
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
