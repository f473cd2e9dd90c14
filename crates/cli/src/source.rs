//! Finding a scenario: a file path, or the name of one embedded in the binary; then reading and
//! validating it with the command line's overrides.

use std::path::Path;

use mobilize_core::scenario::{embedded, printable, Override, Scenario, Source};

use crate::render;
use crate::Failure;

/// Reads the scenario named by `arg` (a path or an embedded name; `None` = the default).
pub fn find(arg: Option<&str>) -> Result<Source, Failure> {
    let Some(arg) = arg else {
        return Ok(embedded::source(embedded::DEFAULT).expect("the default is embedded"));
    };
    let path = Path::new(arg);
    let looks_like_path = arg.contains(['/', '\\']) || arg.ends_with(".toml") || path.exists();
    if !looks_like_path {
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
    match read_bounded(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok(Source {
                name: arg.to_string(),
                text,
                base_dir: Some(
                    path.parent()
                        .map(Path::to_path_buf)
                        .filter(|p| !p.as_os_str().is_empty())
                        .unwrap_or_else(|| ".".into()),
                ),
            }),
            Err(e) => {
                eprintln!(
                    "error: cannot read scenario file `{}`: not UTF-8 text (byte {})",
                    printable(arg),
                    e.utf8_error().valid_up_to()
                );
                Err(Failure::Input)
            }
        },
        Err(e) => {
            eprintln!("error: cannot read scenario file `{}`: {e}", printable(arg));
            Err(Failure::Input)
        }
    }
}

/// The largest scenario file read: the biggest shipped scenario is about 20 KB.
pub const MAX_SCENARIO_BYTES: u64 = 16 << 20;

/// Reads a regular file of at most [`MAX_SCENARIO_BYTES`] (so `/dev/zero` or a FIFO fails at
/// once instead of filling memory).
fn read_bounded(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::{Error, Read};
    let file = std::fs::File::open(path)?;
    if !file.metadata()?.is_file() {
        return Err(Error::other("not a regular file"));
    }
    let mut bytes = Vec::new();
    file.take(MAX_SCENARIO_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_SCENARIO_BYTES {
        return Err(Error::other(format!(
            "larger than {} MiB (allowed: at most {} MiB)",
            MAX_SCENARIO_BYTES >> 20,
            MAX_SCENARIO_BYTES >> 20
        )));
    }
    Ok(bytes)
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
