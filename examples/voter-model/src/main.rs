//! `voter-model [SCENARIO.toml] [--out DIR] [--set KEY=VALUE]...`: runs a voter-model scenario
//! (by default the bundled `two-towns`) with mobilize's engine into a run folder with a report,
//! exactly as `mobilize run` does for the built-in models.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

use mobilize_core::model::Models;
use mobilize_core::scenario::{Override, Scenario, Source};
use mobilize_experiment::{execute_run, Provenance, RunRequest};
use mobilize_output::RunFolder;
use voter_model::VOTER;

const TWO_TOWNS: &str = include_str!("../scenarios/two-towns.toml");

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (mut path, mut out, mut sets) = (None, PathBuf::from("runs"), Vec::new());
    while let Some(a) = args.next() {
        match a.as_str() {
            "--out" => out = args.next().map_or(out, PathBuf::from),
            "--set" => sets.extend(args.next()),
            "-h" | "--help" => {
                println!("voter-model [SCENARIO.toml] [--out DIR] [--set KEY=VALUE]...");
                return ExitCode::SUCCESS;
            }
            _ => path = Some(PathBuf::from(a)),
        }
    }
    let source = match &path {
        None => Source::text("<embedded:two-towns>", TWO_TOWNS),
        Some(p) => match std::fs::read_to_string(p) {
            Ok(text) => Source {
                name: p.display().to_string(),
                text,
                base_dir: p.parent().map(PathBuf::from),
            },
            Err(e) => {
                eprintln!("error: cannot read `{}`: {e}", p.display());
                return ExitCode::from(2);
            }
        },
    };
    let mut overrides = Vec::new();
    for s in &sets {
        match Override::parse(s) {
            Ok(o) => overrides.push(o),
            Err(e) => {
                eprintln!("error: --set {s}: {e}");
                return ExitCode::from(2);
            }
        }
    }
    match run(&source, &overrides, &sets, &out) {
        Ok(()) => ExitCode::SUCCESS,
        Err((code, message)) => {
            eprintln!("{message}");
            ExitCode::from(code)
        }
    }
}

fn run(
    source: &Source,
    overrides: &[Override],
    sets: &[String],
    out: &std::path::Path,
) -> Result<(), (u8, String)> {
    // The one line that makes the model known: the built-in models and this one.
    let scenario = Scenario::load_with(source, overrides, &Models::with(&VOTER))
        .map_err(|e| (2, e.to_string()))?;
    let folder = RunFolder::create(
        out,
        &scenario.name,
        &scenario.resolved_toml(),
        SystemTime::now(),
    )
    .map_err(|e| (1, format!("error: {e}")))?;
    let provenance = Provenance {
        version: env!("CARGO_PKG_VERSION").to_string(),
        git_commit: "unknown".to_string(),
    };
    let mut req = RunRequest::fresh(scenario, source.name.clone(), sets.to_vec(), 1, &provenance);
    req.report = true;
    let done = execute_run(req, folder, &mut []).map_err(|e| (1, format!("error: {e}")))?;
    println!("{}", done.outcome.sentence);
    println!("results: {}", done.dir.display());
    Ok(())
}
