//! `mobilize scenarios`: the embedded scenarios.

use mobilize_core::scenario::embedded;

use crate::Failure;

/// Prints one line per embedded scenario, the default marked.
pub fn list() -> Result<(), Failure> {
    let width = embedded::ALL
        .iter()
        .map(|(n, _)| n.len())
        .max()
        .unwrap_or(0);
    for (name, text) in embedded::ALL {
        let mark = if *name == embedded::DEFAULT {
            " (default)"
        } else {
            ""
        };
        println!(
            "{name:width$}  {}{mark}",
            embedded::description(text),
            width = width
        );
    }
    Ok(())
}
