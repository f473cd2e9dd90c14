//! Progress of a run: a bar on a terminal, a few plain lines when piped, nothing when quiet.

use std::io::IsTerminal;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use mobilize_core::observe::{Flow, Observer, ObserverError, Outcome, RunInfo, StepRecord, GO_ON};

/// How progress is shown.
pub enum Progress {
    /// An indicatif bar on standard error.
    Bar(ProgressBar),
    /// A line at every tenth of the run, for logs.
    Lines {
        /// Last step of the run.
        max: u32,
        /// Next tenth to report.
        next: u32,
        /// When the run started.
        started: Instant,
        /// Index of the `active` column, if the model has one.
        headline: Option<usize>,
    },
    /// Nothing.
    Quiet,
}

impl Progress {
    /// A bar when standard error is a terminal, plain lines otherwise.
    pub fn new(quiet: bool) -> Progress {
        if quiet {
            Progress::Quiet
        } else if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template(
                    "{spinner} step {pos}/{len} [{bar:30}] {msg} ({elapsed})",
                )
                .expect("template is valid")
                .progress_chars("=> "),
            );
            Progress::Bar(bar)
        } else {
            Progress::Lines {
                max: 0,
                next: 1,
                started: Instant::now(),
                headline: None,
            }
        }
    }
}

impl Observer for Progress {
    fn start(&mut self, info: &RunInfo<'_>) -> Result<(), ObserverError> {
        match self {
            Progress::Bar(bar) => bar.set_length(u64::from(info.max_step)),
            Progress::Lines { max, headline, .. } => {
                *max = info.max_step;
                *headline = info.columns.iter().position(|c| c == "active");
            }
            Progress::Quiet => {}
        }
        Ok(())
    }

    fn step(&mut self, record: &StepRecord<'_>) -> Flow {
        match self {
            Progress::Bar(bar) => {
                bar.set_position(u64::from(record.step));
                if let Some(&active) = record.values.first() {
                    bar.set_message(format!("{active} active"));
                }
            }
            Progress::Lines {
                max,
                next,
                started,
                headline,
            } => {
                if *max > 0 && u64::from(record.step) * 10 >= u64::from(*next) * u64::from(*max) {
                    let value = headline
                        .and_then(|i| record.values.get(i))
                        .map(|v| format!(", {v} active"))
                        .unwrap_or_default();
                    eprintln!(
                        "step {}/{max}{value} ({:.1} s)",
                        record.step,
                        started.elapsed().as_secs_f64()
                    );
                    *next = (u64::from(record.step) * 10 / u64::from(*max)) as u32 + 1;
                }
            }
            Progress::Quiet => {}
        }
        GO_ON
    }

    fn finish(&mut self, _outcome: &Outcome) -> Result<(), ObserverError> {
        if let Progress::Bar(bar) = self {
            bar.finish_and_clear();
        }
        Ok(())
    }
}
