//! `mobilize validate`: check a scenario without running it.

use clap::Args;

use crate::source;
use crate::Failure;

/// Arguments of `mobilize validate`.
#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Scenario file, or the name of an embedded scenario.
    pub scenario: String,
    /// Override a field: `path.to.key=value` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Print the resolved scenario (every default filled in) on success.
    #[arg(long)]
    pub resolved: bool,
}

/// Validates and reports.
pub fn validate(args: ValidateArgs) -> Result<(), Failure> {
    let src = source::find(Some(&args.scenario))?;
    let overrides = source::overrides(&args.set)?;
    let scenario = source::load(&src, &overrides)?;
    for w in scenario.model.warnings(&scenario) {
        eprintln!("warning: {w}");
    }
    if args.resolved {
        print!("{}", scenario.resolved_toml());
    } else {
        println!(
            "{}: valid ({} model, {} persons in {} region{}, {} steps)",
            src.name,
            scenario.model.name(),
            scenario.population(),
            scenario.regions.len(),
            if scenario.regions.len() == 1 { "" } else { "s" },
            scenario.time.steps
        );
    }
    Ok(())
}
