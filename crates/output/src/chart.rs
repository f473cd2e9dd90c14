//! `series.svg`: the headline series and its parts by region, as a line chart.
//!
//! Convention: a model's first column is its headline count (e.g. `active`), and columns named
//! `<headline>.<region>` are its parts. The chart draws those; the CSV and Parquet hold the rest.
//! The SVG is written by hand (a few elements, no scripts, no fonts to fetch) so that it opens
//! anywhere, offline, and is byte-identical for identical runs.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use mobilize_core::observe::{Flow, Observer, ObserverError, Outcome, RunInfo, StepRecord, GO_ON};

use crate::run_folder::write_atomic;

/// Most points drawn per line; longer series are thinned evenly (the last step always kept).
const MAX_POINTS: usize = 2000;
const WIDTH: f64 = 800.0;
const HEIGHT: f64 = 420.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 170.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 50.0;
/// Line colours (Okabe–Ito, readable by colour-blind readers); the headline is black.
const COLOURS: [&str; 7] = [
    "#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2", "#CC79A7", "#F0E442",
];

/// Collects the charted columns and writes `series.svg` when the run finishes.
pub struct ChartWriter {
    path: PathBuf,
    title: String,
    names: Vec<String>,
    columns: Vec<usize>,
    steps: Vec<u32>,
    values: Vec<Vec<f64>>,
}

impl ChartWriter {
    /// Prepares `folder/series.svg`.
    pub fn new(folder: &Path) -> ChartWriter {
        ChartWriter {
            path: folder.join(crate::layout::CHART),
            title: String::new(),
            names: Vec::new(),
            columns: Vec::new(),
            steps: Vec::new(),
            values: Vec::new(),
        }
    }

    /// The SVG text for the collected series.
    pub fn svg(&self) -> String {
        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="white"/>
<text x="{LEFT}" y="24" font-size="15">{}</text>
"#,
            escape(&self.title)
        );
        let last = self.steps.last().copied().unwrap_or(0).max(1) as f64;
        let top = self
            .values
            .iter()
            .flatten()
            .fold(0.0f64, |m, &v| m.max(v))
            .max(1.0);
        let (pw, ph) = (WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
        let x = |step: f64| LEFT + pw * step / last;
        let y = |v: f64| TOP + ph * (1.0 - v / top);
        // Axes and ticks.
        let _ = writeln!(
            s,
            r##"<path d="M{LEFT} {TOP} V{} H{}" fill="none" stroke="#333"/>"##,
            TOP + ph,
            LEFT + pw
        );
        for k in 0..=4 {
            let v = top * f64::from(k) / 4.0;
            // Steps are whole numbers.
            let st = (last * f64::from(k) / 4.0).round();
            let _ = writeln!(
                s,
                r##"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text><line x1="{:.1}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="#ddd"/>"##,
                LEFT - 6.0,
                y(v) + 4.0,
                compact(v),
                LEFT,
                LEFT + pw,
                y(v),
                y(v)
            );
            let _ = writeln!(
                s,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                x(st),
                TOP + ph + 18.0,
                compact(st)
            );
        }
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">step</text>"#,
            LEFT + pw / 2.0,
            HEIGHT - 10.0
        );
        // Lines, headline last so it sits on top.
        let every = self.steps.len().div_ceil(MAX_POINTS).max(1);
        let order: Vec<usize> = (1..self.names.len())
            .chain(0..1.min(self.names.len()))
            .collect();
        for &c in &order {
            let colour = if c == 0 {
                "#000000"
            } else {
                COLOURS[(c - 1) % COLOURS.len()]
            };
            let mut points = String::new();
            for (k, (&st, row)) in self.steps.iter().zip(&self.values).enumerate() {
                if k % every == 0 || k + 1 == self.steps.len() {
                    let _ = write!(points, "{:.1},{:.1} ", x(f64::from(st)), y(row[c]));
                }
            }
            let _ = writeln!(
                s,
                r#"<polyline data-series="{}" fill="none" stroke="{colour}" stroke-width="{}" points="{}"/>"#,
                escape(&self.names[c]),
                if c == 0 { 2.5 } else { 1.5 },
                points.trim_end()
            );
            let ly = TOP + 16.0 * c as f64;
            let _ = writeln!(
                s,
                r#"<line x1="{:.1}" x2="{:.1}" y1="{ly:.1}" y2="{ly:.1}" stroke="{colour}" stroke-width="2.5"/><text x="{:.1}" y="{:.1}">{}</text>"#,
                WIDTH - RIGHT + 12.0,
                WIDTH - RIGHT + 32.0,
                WIDTH - RIGHT + 38.0,
                ly + 4.0,
                escape(&self.names[c])
            );
        }
        s.push_str("</svg>\n");
        s
    }
}

impl Observer for ChartWriter {
    fn start(&mut self, info: &RunInfo<'_>) -> Result<(), ObserverError> {
        self.title = info.scenario.name.clone();
        if let Some(first) = info.columns.first() {
            let prefix = format!("{first}.");
            self.columns = std::iter::once(0)
                .chain(
                    info.columns
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| c.starts_with(&prefix))
                        .map(|(i, _)| i),
                )
                .collect();
            self.names = self
                .columns
                .iter()
                .map(|&i| info.columns[i].clone())
                .collect();
        }
        Ok(())
    }

    fn step(&mut self, record: &StepRecord<'_>) -> Flow {
        self.steps.push(record.step);
        self.values
            .push(self.columns.iter().map(|&i| record.values[i]).collect());
        GO_ON
    }

    fn finish(&mut self, _outcome: &Outcome) -> Result<(), ObserverError> {
        if !self.names.is_empty() {
            write_atomic(&self.path, self.svg().as_bytes()).map_err(ObserverError::new)?;
        }
        Ok(())
    }
}

/// Escapes text for XML.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A tick label: whole numbers with thousands as k and millions as M.
fn compact(v: f64) -> String {
    if v >= 1e6 {
        let m = format!("{:.3}", v / 1e6);
        format!("{}M", m.trim_end_matches('0').trim_end_matches('.'))
    } else if v >= 1e4 {
        format!("{:.1}k", v / 1e3).replace(".0k", "k")
    } else if v.fract() == 0.0 {
        format!("{v}")
    } else {
        format!("{v:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_labels_are_short() {
        assert_eq!(compact(0.0), "0");
        assert_eq!(compact(25.0), "25");
        assert_eq!(compact(12.5), "12.5");
        assert_eq!(compact(75_000.0), "75k");
        assert_eq!(compact(2_500_000.0), "2.5M");
    }
}
