//! `mobilize report`: rebuild the report of a run or experiment folder.

use std::path::PathBuf;

use clap::Args;

use crate::Failure;

/// Arguments of `mobilize report`.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// A run folder (with manifest.json) or an experiment folder (with experiment.json).
    pub dir: PathBuf,
}

/// Rebuilds `report.html` and `charts/` and prints the report's path.
pub fn run(args: ReportArgs) -> Result<(), Failure> {
    let path = mobilize_report::build(&args.dir).map_err(|e| match e {
        mobilize_report::ReportError::NotAResult(_) => {
            eprintln!("error: {e}");
            Failure::Input
        }
        e => Failure::Other(e.to_string()),
    })?;
    println!("report: {}", path.display());
    Ok(())
}
