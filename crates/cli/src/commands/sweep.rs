//! `mobilize sweep`: replicates of every point of a grid or a design file.

use std::path::PathBuf;

use clap::Args;
use mobilize_experiment::design::from_args;
use mobilize_experiment::Experiment;

use super::experiment::{execute, results, CommonArgs};
use crate::{source, Failure};

/// Arguments of `mobilize sweep`.
#[derive(Args, Debug)]
pub struct SweepArgs {
    /// Scenario file, or the name of an embedded scenario (default: the embedded default).
    pub scenario: Option<String>,
    /// A parameter and its values, `path.to.key=v1,v2,...` (repeatable: the full factorial).
    #[arg(
        long = "grid",
        value_name = "KEY=V1,V2,...",
        conflicts_with = "design",
        required_unless_present = "design"
    )]
    pub grid: Vec<String>,
    /// A CSV file of design points: a header of parameter paths, a row of values per point.
    #[arg(long, value_name = "FILE.csv")]
    pub design: Option<PathBuf>,
    /// Override a field for every run: `path.to.key=value` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Runs the sweep and prints where its tables are.
pub fn run(args: SweepArgs) -> Result<(), Failure> {
    let design = from_args(args.design.as_deref(), &args.grid).map_err(|e| {
        eprintln!("error: {e}");
        Failure::Input
    })?;
    let src = source::find(args.scenario.as_deref())?;
    let sets = args.common.sets(&args.set);
    let seed = args.common.base_seed(&src, &sets)?;
    let exp = Experiment::sweep(src, sets, &design, args.common.replicates, seed);
    let done = execute(&exp, &args.common)?;
    println!(
        "{} design points × {} replicates",
        exp.points.len(),
        exp.replicates
    );
    results(&done);
    Ok(())
}
