//! Scenarios shipped inside the binary, so that `mobilize run` works with no files at all.
//! The same files live in `scenarios/` for users to copy and edit.

use super::Source;

/// Files the built-in scenarios name (by the path they use), built in with them.
pub const FILES: &[(&str, &str)] = &[(
    "maps/korea-ne50m.geojson",
    include_str!("../../../../scenarios/maps/korea-ne50m.geojson"),
)];

/// Whether `arg` names a scenario file rather than a built-in scenario: it has a path
/// separator, ends in `.toml`, or exists.
pub fn looks_like_path(arg: &str) -> bool {
    arg.contains(['/', '\\']) || arg.ends_with(".toml") || std::path::Path::new(arg).exists()
}

/// A file a built-in scenario names.
pub fn file(path: &str) -> Option<&'static [u8]> {
    FILES
        .iter()
        .find(|(p, _)| *p == path)
        .map(|(_, text)| text.as_bytes())
}

/// The scenario `mobilize run` runs with no argument.
pub const DEFAULT: &str = "korea-1936-1945";

/// Every embedded scenario: (name, TOML text).
pub const ALL: &[(&str, &str)] = &[
    (
        "korea-1936-1945",
        include_str!("../../../../scenarios/korea-1936-1945.toml"),
    ),
    (
        "korea-1945-mainstream",
        include_str!("../../../../scenarios/korea-1945-mainstream.toml"),
    ),
    (
        "korea-1919",
        include_str!("../../../../scenarios/korea-1919.toml"),
    ),
    (
        "two-valleys",
        include_str!("../../../../scenarios/two-valleys.toml"),
    ),
    (
        "epstein-run1",
        include_str!("../../../../scenarios/epstein-run1.toml"),
    ),
    (
        "epstein-run2",
        include_str!("../../../../scenarios/epstein-run2.toml"),
    ),
    (
        "epstein-run3-gradual",
        include_str!("../../../../scenarios/epstein-run3-gradual.toml"),
    ),
    (
        "epstein-run4-sudden",
        include_str!("../../../../scenarios/epstein-run4-sudden.toml"),
    ),
    (
        "epstein-run5-cops",
        include_str!("../../../../scenarios/epstein-run5-cops.toml"),
    ),
    (
        "epstein-run6-coexistence",
        include_str!("../../../../scenarios/epstein-run6-coexistence.toml"),
    ),
    (
        "epstein-run7-genocide",
        include_str!("../../../../scenarios/epstein-run7-genocide.toml"),
    ),
    (
        "epstein-run7-peacekeepers",
        include_str!("../../../../scenarios/epstein-run7-peacekeepers.toml"),
    ),
    (
        "epstein-run8",
        include_str!("../../../../scenarios/epstein-run8.toml"),
    ),
    (
        "mesa-civil-violence",
        include_str!("../../../../scenarios/mesa-civil-violence.toml"),
    ),
    (
        "netlogo-rebellion",
        include_str!("../../../../scenarios/netlogo-rebellion.toml"),
    ),
    (
        "village-cascade",
        include_str!("../../../../scenarios/village-cascade.toml"),
    ),
    (
        "granovetter-uniform",
        include_str!("../../../../scenarios/granovetter-uniform.toml"),
    ),
    (
        "granovetter-perturbed",
        include_str!("../../../../scenarios/granovetter-perturbed.toml"),
    ),
    (
        "granovetter-normal",
        include_str!("../../../../scenarios/granovetter-normal.toml"),
    ),
];

/// The embedded scenario called `name`.
pub fn source(name: &str) -> Option<Source> {
    ALL.iter()
        .find(|(n, _)| *n == name)
        .map(|(n, text)| Source {
            name: format!("<embedded:{n}>"),
            text: (*text).to_string(),
            base_dir: None,
        })
}

/// The first line of the scenario's `description`, for listings.
pub fn description(text: &str) -> String {
    text.lines()
        .find_map(|l| l.trim().strip_prefix("description"))
        .and_then(|rest| rest.trim().strip_prefix('='))
        .map(|v| v.trim().trim_matches('"').to_string())
        .unwrap_or_default()
}
