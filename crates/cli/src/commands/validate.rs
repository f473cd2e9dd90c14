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
        // A lattice model's agents live on its lattice, not in regions of persons.
        let world = match scenario.model.meta(&scenario).lattice {
            Some(l) => format!("{} × {} lattice", l.width, l.height),
            None => format!(
                "{} persons in {} region{}",
                scenario.population(),
                scenario.regions.len(),
                if scenario.regions.len() == 1 { "" } else { "s" }
            ),
        };
        println!(
            "{}: valid ({} model, {world}, {} steps)",
            src.name,
            scenario.model.name(),
            scenario.time.steps
        );
    }
    Ok(())
}
