//! `mobilize ensemble`: replicates of one scenario.

use clap::Args;
use mobilize_experiment::Experiment;

use super::experiment::{execute, results, CommonArgs};
use crate::{source, Failure};

/// Arguments of `mobilize ensemble`.
#[derive(Args, Debug)]
pub struct EnsembleArgs {
    /// Scenario file, or the name of an embedded scenario (default: the embedded default).
    pub scenario: Option<String>,
    /// Override a field for every run: `path.to.key=value` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Runs the ensemble and prints where its tables are.
pub fn run(args: EnsembleArgs) -> Result<(), Failure> {
    let src = source::find(args.scenario.as_deref())?;
    let sets = args.common.sets(&args.set);
    let seed = args.common.base_seed(&src, &sets)?;
    let exp = Experiment::ensemble(src, sets, args.common.replicates, seed);
    let done = execute(&exp, &args.common)?;
    results(&done);
    Ok(())
}
