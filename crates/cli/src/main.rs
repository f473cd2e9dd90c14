//! `mobilize`: run, validate and list scenarios.
//!
//! Exit codes: 0 success; 1 a run failed (I/O); 2 bad input (scenario, overrides, arguments).

mod commands;
mod progress;
mod render;
mod source;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Population-scale agent-based simulation of mass mobilization.
#[derive(Parser, Debug)]
#[command(name = "mobilize", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a scenario and write its results to a new run folder.
    Run(commands::run::RunArgs),
    /// Check a scenario and report every problem in it.
    Validate(commands::validate::ValidateArgs),
    /// List the scenarios embedded in this binary.
    Scenarios,
}

/// A command's failure, with the exit code it maps to.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The input is wrong; the message was already printed.
    #[error("invalid input")]
    Input,
    /// Something failed while running or writing.
    #[error(transparent)]
    Output(#[from] mobilize_output::OutputError),
    /// Another failure, described.
    #[error("{0}")]
    Other(String),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => commands::run::run(args),
        Command::Validate(args) => commands::validate::validate(args),
        Command::Scenarios => commands::scenarios::list(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input) => ExitCode::from(2),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(1)
        }
    }
}
