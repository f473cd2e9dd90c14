//! Outbursts: maximal runs of steps with more actives than a level (the paper's Fig. 5 uses
//! 50), with their waiting times, computed from the series as it is produced.

use crate::observe::LogEntry;

/// One outburst.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Outburst {
    /// First step above the level.
    pub start: u32,
    /// Last step above the level.
    pub end: u32,
    /// Most actives at one step.
    pub peak: u64,
    /// Total activation: the sum of actives over the outburst's steps (the paper's Fig. 7).
    pub size: u64,
}

impl Outburst {
    /// Steps above the level.
    pub fn duration(&self) -> u32 {
        self.end - self.start + 1
    }

    /// The event-log line of this outburst (the outburst table of `events.csv`).
    pub fn entry(&self) -> LogEntry {
        LogEntry {
            step: self.end,
            kind: "outburst".into(),
            region: None,
            count: self.size,
            detail: format!(
                "start={} peak={} size={} duration={}",
                self.start,
                self.peak,
                self.size,
                self.duration()
            ),
        }
    }
}

/// Tracks outbursts step by step.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Outbursts {
    level: u32,
    open: Option<Outburst>,
    /// Finished outbursts, in order.
    pub done: Vec<Outburst>,
    peak: u64,
    total: u64,
    steps: u64,
}

/// Summary statistics of a run's outbursts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Summary {
    /// Number of outbursts.
    pub count: usize,
    /// Mean steps from the end of one outburst to the start of the next (NaN-free: 0 if < 2).
    pub mean_wait: f64,
    /// Standard deviation of the waits.
    pub sd_wait: f64,
    /// Mean total activation.
    pub mean_size: f64,
    /// Standard deviation of total activation.
    pub sd_size: f64,
    /// Most actives at any step.
    pub peak: u64,
    /// Mean actives per step.
    pub mean_active: f64,
}

fn mean_sd(xs: &[f64]) -> (f64, f64) {
    if xs.is_empty() {
        return (0.0, 0.0);
    }
    let n = xs.len() as f64;
    let m = xs.iter().sum::<f64>() / n;
    let v = if xs.len() > 1 {
        xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0)
    } else {
        0.0
    };
    (m, v.sqrt())
}

impl Outbursts {
    /// A tracker for outbursts above `level` actives.
    pub fn new(level: u32) -> Outbursts {
        Outbursts {
            level,
            open: None,
            done: Vec::new(),
            peak: 0,
            total: 0,
            steps: 0,
        }
    }

    /// Records a step's actives; returns the outburst that ended just before it, if any.
    pub fn observe(&mut self, step: u32, active: u64) -> Option<Outburst> {
        self.peak = self.peak.max(active);
        self.total += active;
        self.steps += 1;
        if active > u64::from(self.level) {
            let o = self.open.get_or_insert(Outburst {
                start: step,
                end: step,
                peak: 0,
                size: 0,
            });
            o.end = step;
            o.peak = o.peak.max(active);
            o.size += active;
            None
        } else {
            let o = self.open.take()?;
            self.done.push(o);
            Some(o)
        }
    }

    /// Ends an outburst still under way at the last step.
    pub fn close(&mut self, _last: u32) {
        if let Some(o) = self.open.take() {
            self.done.push(o);
        }
    }

    /// Counts, waits and sizes.
    pub fn summary(&self) -> Summary {
        let waits: Vec<f64> = self
            .done
            .windows(2)
            .map(|w| f64::from(w[1].start - w[0].end - 1))
            .collect();
        let sizes: Vec<f64> = self.done.iter().map(|o| o.size as f64).collect();
        let (mean_wait, sd_wait) = mean_sd(&waits);
        let (mean_size, sd_size) = mean_sd(&sizes);
        Summary {
            count: self.done.len(),
            mean_wait,
            sd_wait,
            mean_size,
            sd_size,
            peak: self.peak,
            mean_active: if self.steps == 0 {
                0.0
            } else {
                self.total as f64 / self.steps as f64
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outbursts_are_maximal_runs_above_the_level() {
        let mut t = Outbursts::new(50);
        let series = [0, 60, 80, 40, 10, 51, 51, 50, 70];
        let mut ended = Vec::new();
        for (s, &a) in series.iter().enumerate() {
            if let Some(o) = t.observe(s as u32, a) {
                ended.push(o);
            }
        }
        t.close(8);
        assert_eq!(ended.len(), 2);
        assert_eq!(t.done.len(), 3);
        assert_eq!(
            t.done[0],
            Outburst {
                start: 1,
                end: 2,
                peak: 80,
                size: 140
            }
        );
        assert_eq!(
            t.done[1],
            Outburst {
                start: 5,
                end: 6,
                peak: 51,
                size: 102
            }
        );
        assert_eq!(t.done[2].start, 8);
        let s = t.summary();
        // Waits: 3..=4 (2 steps), 7..=7 (1 step).
        assert_eq!(s.mean_wait, 1.5);
        assert_eq!(s.peak, 80);
    }
}
