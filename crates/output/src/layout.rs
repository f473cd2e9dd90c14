//! The names of the files in a run folder, written once.
//!
//! Every crate that writes or reads a run folder (the writers here, the report, experiments,
//! the dashboard) takes the names from this module, so a file renamed here is renamed
//! everywhere. What each file holds is in the README's table of run-folder files.

/// What ran and how it ended ([`crate::Manifest`]).
pub const MANIFEST: &str = "manifest.json";
/// The resolved scenario: every default filled in; it runs again as it is.
pub const SCENARIO: &str = "scenario.toml";
/// Stem of the per-step series (`series.csv`, `series.parquet`).
pub const SERIES: &str = "series";
/// Stem of the event log (`events.csv`, `events.parquet`).
pub const EVENTS: &str = "events";
/// The headline chart.
pub const CHART: &str = "series.svg";
/// The report.
pub const REPORT: &str = "report.html";
/// Folder of the report's charts as SVG.
pub const CHARTS: &str = "charts";
/// The names and colours of a lattice picture's codes.
pub const LATTICE_LEGEND: &str = "lattice-legend.txt";
/// An experiment's record (in an experiment folder rather than a run folder).
pub const EXPERIMENT: &str = "experiment.json";

/// `series.csv`, `events.parquet`, …: a table's file with its format's extension.
pub fn table(stem: &str, ext: &str) -> String {
    format!("{stem}.{ext}")
}

/// The lattice picture at `step`.
pub fn lattice_picture(step: u32) -> String {
    format!("lattice-{step:06}.png")
}

/// The step of a lattice picture's file name, if it is one.
pub fn lattice_picture_step(name: &str) -> Option<u32> {
    name.strip_prefix("lattice-")?
        .strip_suffix(".png")?
        .parse()
        .ok()
}

/// The checkpoint at `step`.
pub fn checkpoint(step: u32) -> String {
    format!("checkpoint-{step:06}.bin")
}

/// Whether a file name is a checkpoint's.
pub fn is_checkpoint(name: &str) -> bool {
    name.starts_with("checkpoint-") && name.ends_with(".bin")
}

/// Files every run folder holds besides the manifest, in the order the manifest lists them.
pub const ALWAYS: [&str; 6] = [
    SCENARIO,
    "series.csv",
    "series.parquet",
    "events.csv",
    "events.parquet",
    CHART,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_agree_with_their_parsers() {
        assert_eq!(lattice_picture(42), "lattice-000042.png");
        assert_eq!(lattice_picture_step(&lattice_picture(42)), Some(42));
        assert_eq!(lattice_picture_step("lattice-legend.txt"), None);
        assert!(is_checkpoint(&checkpoint(7)));
        assert_eq!(table(SERIES, "csv"), ALWAYS[1]);
        assert_eq!(table(EVENTS, "parquet"), ALWAYS[4]);
    }
}
