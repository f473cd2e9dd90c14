//! What a run of Epstein's model reports at its end: the outburst statistics, the groups'
//! fates in Model II, and the sentence that tells them.

use super::CivilViolence;
use crate::observe::{Outcome, StopReason};

/// What each figure of the outcome means (name, unit, description).
pub(super) const FIGURES: &[(&str, &str, &str)] = &[
    (
        "outbursts",
        "outbursts",
        "Outbursts: spells of steps with the active above the outburst level.",
    ),
    (
        "mean_wait",
        "steps",
        "Mean steps from the end of one outburst to the start of the next.",
    ),
    (
        "sd_wait",
        "steps",
        "Standard deviation of the waits between outbursts.",
    ),
    (
        "mean_size",
        "person-steps",
        "Mean size of an outburst: the actives summed over its steps.",
    ),
    (
        "sd_size",
        "person-steps",
        "Standard deviation of outburst sizes.",
    ),
    (
        "peak_active",
        "persons",
        "The most citizens active at one step.",
    ),
    ("mean_active", "persons", "Mean citizens active per step."),
    ("arrests", "persons", "Arrests over the run."),
    ("final_jailed", "persons", "Citizens in jail at the end."),
    (
        "killed",
        "persons",
        "Citizens killed (Model II: by the other group's actives).",
    ),
    ("final_blue", "persons", "Blue citizens alive at the end."),
    ("final_green", "persons", "Green citizens alive at the end."),
    (
        "extinction_step",
        "step",
        "The step at which one group was gone.",
    ),
];

impl CivilViolence {
    /// The run's figures and sentence at `last_step`.
    pub(super) fn summary(&self, last_step: u32, reason: StopReason) -> Outcome {
        let mut tracker = self.outbursts.clone();
        tracker.close(last_step);
        let o = tracker.summary();
        let c = self.now;
        let mut figures = vec![
            ("outbursts".to_string(), o.count as f64),
            ("mean_wait".to_string(), o.mean_wait),
            ("sd_wait".to_string(), o.sd_wait),
            ("mean_size".to_string(), o.mean_size),
            ("sd_size".to_string(), o.sd_size),
            ("peak_active".to_string(), o.peak as f64),
            ("mean_active".to_string(), o.mean_active),
            ("arrests".to_string(), self.arrests as f64),
            (
                "final_jailed".to_string(),
                (c.jailed[0] + c.jailed[1]) as f64,
            ),
        ];
        let sentence = if self.p.groups == 2 {
            figures.push(("killed".into(), self.killed as f64));
            figures.push(("final_blue".into(), c.population[0] as f64));
            figures.push(("final_green".into(), c.population[1] as f64));
            if let Some(e) = self.extinct {
                figures.push(("extinction_step".into(), f64::from(e)));
            }
            match self.extinct {
                Some(e) => format!(
                    "Genocide: one group was gone at step {e}; {} killed in all.",
                    self.killed
                ),
                None => format!(
                    "Both groups survive to step {last_step} ({} blue, {} green); {} killed.",
                    c.population[0], c.population[1], self.killed
                ),
            }
        } else {
            format!(
            "{} outbursts (over {} actives) in {last_step} steps, mean wait {:.0} steps, mean size {:.0} active-steps; peak {} active.",
            o.count, self.p.outburst_level, o.mean_wait, o.mean_size, o.peak
        )
        };
        Outcome {
            last_step,
            reason,
            figures,
            sentence,
        }
    }
}
