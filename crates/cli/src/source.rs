//! Finding a scenario: a file path, or the name of one embedded in the binary; then reading and
//! validating it with the command line's overrides.

use mobilize_core::scenario::{embedded, printable, Override, Scenario, Source};

use crate::render;
use crate::Failure;

/// Reads the scenario named by `arg` (a path or an embedded name; `None` = the default).
pub fn find(arg: Option<&str>) -> Result<Source, Failure> {
    let Some(arg) = arg else {
        return Ok(embedded::source(embedded::DEFAULT).expect("the default is embedded"));
    };
    if !embedded::looks_like_path(arg) {
        if let Some(s) = embedded::source(arg) {
            return Ok(s);
        }
        let names: Vec<&str> = embedded::ALL.iter().map(|(n, _)| *n).collect();
        eprintln!(
            "error: `{}` is neither a scenario file nor an embedded scenario\n  \
             embedded scenarios: {}\n  (`mobilize scenarios` lists them)",
            printable(arg),
            names.join(", ")
        );
        return Err(Failure::Input);
    }
    Source::from_file(arg).map_err(|why| {
        eprintln!(
            "error: cannot read scenario file `{}`: {why}",
            printable(arg)
        );
        Failure::Input
    })
}

/// Parses `--set` arguments, reporting every malformed one.
pub fn overrides(sets: &[String]) -> Result<Vec<Override>, Failure> {
    let mut out = Vec::new();
    let mut bad = false;
    for s in sets {
        match Override::parse(s) {
            Ok(o) => out.push(o),
            Err(e) => {
                eprintln!("error: {e}");
                bad = true;
            }
        }
    }
    if bad {
        Err(Failure::Input)
    } else {
        Ok(out)
    }
}

/// Validates `source` with `overrides`, printing every problem on failure.
pub fn load(source: &Source, overrides: &[Override]) -> Result<Scenario, Failure> {
    Scenario::load(source, overrides).map_err(|e| {
        render::scenario_error(&e);
        Failure::Input
    })
}
