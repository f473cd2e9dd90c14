//! The readers under test. Each takes arbitrary bytes and returns a short description of the
//! outcome (its first error's kind), which the campaign uses as a cheap novelty signal. None
//! may panic; none may allocate in proportion to a number written in the input.

use std::path::Path;

use mobilize_core::scenario::{embedded, Override, Scenario, Source};
use mobilize_experiment::design::parse_design;
use mobilize_experiment::Experiment;

/// The readers, by name.
pub const TARGETS: [&str; 4] = ["scenario", "set", "design", "checkpoint"];

/// Runs target `name` on `bytes`; returns the outcome's signature.
pub fn run(name: &str, bytes: &[u8]) -> String {
    match name {
        "scenario" => scenario(bytes),
        "set" => set(bytes),
        "design" => design(bytes),
        "checkpoint" => checkpoint(bytes),
        _ => panic!("unknown target `{name}`"),
    }
}

/// The kind of an error message: its first words, letters only (names, numbers and quoted
/// parts dropped), so that "a value out of range" is one kind whatever the field.
fn signature(message: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    for c in message.chars() {
        match c {
            '`' | '"' => quoted = !quoted,
            _ if quoted => {}
            c if c.is_ascii_lowercase() || c == ' ' => out.push(c),
            _ => {}
        }
        if out.len() >= 48 {
            break;
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A scenario file's text: parsed and validated (never run).
pub fn scenario(bytes: &[u8]) -> String {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return "not utf-8".into();
    };
    match Scenario::load(&Source::text("fuzz.toml", text), &[]) {
        Ok(s) => {
            // A valid scenario also resolves and re-reads to itself.
            let again = Scenario::load(&Source::text("resolved.toml", &s.resolved_toml()), &[])
                .expect("a resolved scenario is valid");
            assert_eq!(
                again.resolved_toml(),
                s.resolved_toml(),
                "resolution is a fixed point"
            );
            format!("ok {:?}", s.model)
        }
        Err(e) => e.problems.first().map_or("error".into(), |p| {
            // The field's section and the message's kind.
            let section = p.path.split(['.', '[']).next().unwrap_or("");
            format!("{section}: {}", signature(&p.message))
        }),
    }
}

/// A `--set` argument: parsed, then applied to a small scenario and validated.
pub fn set(bytes: &[u8]) -> String {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return "not utf-8".into();
    };
    // Several arguments, one per line, as a user would repeat --set.
    let mut overrides = Vec::new();
    for line in text.lines().take(8) {
        match Override::parse(line) {
            Ok(o) => overrides.push(o),
            Err(e) => return signature(&e.reason),
        }
    }
    let base = embedded::source("two-valleys").expect("embedded");
    match Scenario::load(&base, &overrides) {
        Ok(_) => "ok".into(),
        Err(e) => e
            .problems
            .first()
            .map_or("error".into(), |p| signature(&p.message)),
    }
}

/// A design file: parsed; its first rows validated as sweep points of a small scenario.
pub fn design(bytes: &[u8]) -> String {
    match parse_design(Path::new("design.csv"), bytes) {
        Ok(mut d) => {
            d.rows.truncate(4);
            d.lines.truncate(4);
            let base = embedded::source("two-valleys").expect("embedded");
            let exp = Experiment::sweep(base, vec![], &d, 1, 1);
            match exp.validate() {
                Ok(_) => "ok".into(),
                Err(e) => signature(&e.to_string()),
            }
        }
        Err(e) => signature(&e.to_string()),
    }
}

/// A checkpoint file.
pub fn checkpoint(bytes: &[u8]) -> String {
    match mobilize_output::checkpoint::decode(Path::new("c.bin"), bytes, "0.1.0", "fuzz") {
        Ok(_) => "ok".into(),
        Err(e) => signature(&e.to_string()),
    }
}
