//! Replaying a finished run folder: its recorded series and events go to the page as the
//! messages of a live run (the same start, step and end), at the pace the page asks for, with
//! pause and stop. Nothing is simulated again; the folder is only read.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use mobilize_output::{layout, Manifest, Status};
use mobilize_report::data::Table;
use serde_json::json;

use crate::files;
use crate::live::{start_message, LiveRun, Phase};

/// Largest series file a replay reads (bytes): a run's series has one row a step, so even a
/// full-scale nine-year run is a few megabytes; anything far larger is not one of ours.
const MAX_SERIES_BYTES: u64 = 512 * 1024 * 1024;

/// A finished run folder, read and ready to play.
pub struct Replay {
    /// The folder.
    pub dir: PathBuf,
    scenario: mobilize_core::scenario::Scenario,
    manifest: Manifest,
    columns: Vec<String>,
    steps: Vec<u32>,
    dates: Vec<Option<String>>,
    rows: Vec<Vec<f64>>,
    /// Event log entries by step: (step, kind, region, count, detail), in order.
    logs: Vec<(u32, serde_json::Value)>,
}

impl Replay {
    /// Reads the complete run folder `dir`; the reason in words when it cannot be replayed.
    pub fn open(dir: &Path) -> Result<Replay, String> {
        let manifest = Manifest::read(dir).map_err(|e| format!("cannot read its manifest: {e}"))?;
        if manifest.status != Status::Complete {
            return Err(format!(
                "the run is {:?}, not complete: only a finished run can be replayed",
                manifest.status
            )
            .to_lowercase());
        }
        let scenario = mobilize_report::data::scenario(dir).map_err(|e| e.to_string())?;
        let series_path = dir.join(layout::table(layout::SERIES, "csv"));
        let size = std::fs::metadata(&series_path)
            .map_err(|e| format!("{}: {e}", series_path.display()))?
            .len();
        if size > MAX_SERIES_BYTES {
            return Err(format!(
                "{}: {size} bytes, more than a run's series ever holds (at most {MAX_SERIES_BYTES})",
                series_path.display()
            ));
        }
        let table = Table::read(&series_path).map_err(|e| e.to_string())?;
        let columns: Vec<String> = table
            .names
            .iter()
            .filter(|n| *n != "step" && *n != "date")
            .cloned()
            .collect();
        let steps: Vec<u32> = table
            .numbers("step")
            .ok_or_else(|| format!("{}: no `step` column", series_path.display()))?
            .iter()
            .map(|s| *s as u32)
            .collect();
        let dates: Vec<Option<String>> = match table.texts("date") {
            Some(d) => d
                .into_iter()
                .map(|d| (!d.is_empty()).then_some(d))
                .collect(),
            None => vec![None; steps.len()],
        };
        let by_column: Vec<Vec<f64>> = columns
            .iter()
            .map(|c| table.numbers(c).unwrap_or_default())
            .collect();
        let rows: Vec<Vec<f64>> = (0..steps.len())
            .map(|r| {
                by_column
                    .iter()
                    .map(|v| v.get(r).copied().unwrap_or(f64::NAN))
                    .collect()
            })
            .collect();
        drop(by_column);
        let mut logs = Vec::new();
        if let Ok(events) = Table::read(&dir.join(layout::table(layout::EVENTS, "csv"))) {
            let field = |n: &str| events.texts(n).unwrap_or_default();
            let (step, kind, region, count, detail) = (
                events.numbers("step").unwrap_or_default(),
                field("kind"),
                field("region"),
                events.numbers("count").unwrap_or_default(),
                field("detail"),
            );
            for i in 0..step.len().min(kind.len()) {
                logs.push((
                    step[i] as u32,
                    json!({
                        "kind": kind[i],
                        "region": region.get(i).filter(|r| !r.is_empty()),
                        "count": count.get(i),
                        "detail": detail.get(i),
                    }),
                ));
            }
        }
        Ok(Replay {
            dir: dir.to_path_buf(),
            scenario,
            manifest,
            columns,
            steps,
            dates,
            rows,
            logs,
        })
    }

    /// The scenario's name.
    pub fn scenario_name(&self) -> &str {
        &self.scenario.name
    }

    /// The model's name.
    pub fn model_name(&self) -> String {
        self.scenario.value_at("model").unwrap_or_default()
    }

    /// Plays the folder into `run` (the thread's whole work); the phase it ended in and the
    /// page's closing message.
    pub fn play(self, runs: &Path, run: &Arc<LiveRun>) -> (Phase, serde_json::Value) {
        let meta = match &self.manifest.model {
            Some(m) => m.clone(),
            None => self.scenario.model.meta(&self.scenario),
        };
        let folder = files::relative(runs, &self.dir);
        *run.folder.lock().unwrap_or_else(|e| e.into_inner()) = folder.clone();
        let mut start = start_message(
            run,
            &self.scenario,
            &meta,
            &self.columns,
            self.manifest.persons.min(u64::from(u32::MAX)) as u32,
            self.steps.last().copied().unwrap_or(0),
            self.manifest.map.as_ref(),
        );
        start["replay"] = json!(folder);
        run.push("start", &start);
        run.publish();
        let t0 = Instant::now();
        let mut due = None;
        let mut logs = self.logs.iter().peekable();
        for (k, (&step, values)) in self.steps.iter().zip(&self.rows).enumerate() {
            if run.stop.load(std::sync::atomic::Ordering::SeqCst) {
                return (
                    Phase::Stopped,
                    json!({
                        "phase": Phase::Stopped,
                        "sentence": format!("replay stopped at step {step}; the folder is unchanged"),
                        "folder": folder,
                        "last_step": step,
                    }),
                );
            }
            let mut here = Vec::new();
            while let Some((_, entry)) = logs.next_if(|(s, _)| *s <= step) {
                here.push(entry.clone());
            }
            run.push(
                "step",
                &json!({
                    "step": step,
                    "date": self.dates.get(k).cloned().flatten(),
                    "t": t0.elapsed().as_secs_f64(),
                    "values": values,
                    "logs": here,
                    "lattice": null,
                }),
            );
            run.step.store(step, std::sync::atomic::Ordering::Relaxed);
            run.publish();
            run.between_steps(&mut due);
        }
        let report = self
            .dir
            .join(layout::REPORT)
            .is_file()
            .then(|| folder.as_ref().map(|p| format!("/files/{p}/report.html")))
            .flatten();
        (
            Phase::Finished,
            json!({
                "phase": Phase::Finished,
                "sentence": self.manifest.summary.clone().unwrap_or_default(),
                "figures": self.manifest.figures,
                "last_step": self.manifest.last_step,
                "folder": folder,
                "report": report,
                "decisive": mobilize_report::run::decisive_steps(&self.dir),
            }),
        )
    }
}
