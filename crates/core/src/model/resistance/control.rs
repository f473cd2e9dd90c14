//! Control, liberation and collapse (step 9 of the day).
//!
//! Each home region's control moves toward the ruling side's share of the effective strength
//! there, G / (G + A + U) (see [`super::forces`]; U = unarmed risen × unarmed_weight, 0 by
//! default: crowds act on control through the forces, which may stop obeying, `policing.rs`;
//! G counts only the forces that still obey),
//! by `adjust` of the gap per day: with no rebels it recovers toward 1. Below `liberation` the region is liberated and its remaining garrison
//! and police lay down their arms; above `recapture` it is lost again. The ruling system
//! collapses when liberated regions hold `collapse_share` of the home population, or when the
//! capital is liberated.

use super::forces::Forces;
use super::regions::RegionState;
use super::Resistance;
use crate::observe::LogEntry;

/// The story so far: what has been proclaimed, ordered and reached.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Course {
    /// The programme has been proclaimed (contributions flow).
    pub programme: bool,
    /// Step of the final offensive order.
    pub offensive: Option<u32>,
    /// Step of the first attack on the ruling side: the final offensive or an outside army's.
    pub attack: Option<u32>,
    /// Step and cause of the collapse.
    pub collapse: Option<(u32, String)>,
    /// Share of the home population in liberated regions when the collapse came (so that two
    /// runs are compared at the same moment, whatever each does after it).
    pub liberated_at_collapse: Option<f64>,
    /// Whether, when the model brought the ruling system down, more of its troops and police
    /// had stopped obeying than had fallen in battle (a collapse rather than a defeat); `None`
    /// without such a collapse (none, or one imposed by a surrender).
    pub by_defection: Option<bool>,
    /// Step at which the regime conceded (`concession.rs`).
    pub conceded: Option<u32>,
    /// The pressure of sustained mobilization on the regime (share-days, `concession.rs`).
    pub pressure: f64,
    /// People out under a strike call today (persons, `concession.rs`).
    pub striking: f64,
}

impl Course {
    /// The run has reached an outcome that ends it: a collapse or a concession.
    pub fn decided(&self) -> bool {
        self.collapse.is_some() || self.conceded.is_some()
    }
}

/// From the day after the ruling system collapses, its garrisons and police lay down their
/// arms in every home region, except on a surrender's fronts, which fight on until their day
/// comes. No battle is fought where no ruling force is left.
pub(super) fn lay_down_arms(
    step: u32,
    names: &[String],
    course: &Course,
    forces: &mut Forces,
    regions: &mut [RegionState],
    log: &mut Vec<LogEntry>,
) {
    let Some((collapsed, _)) = course.collapse else {
        return;
    };
    if step <= collapsed {
        return;
    }
    let fronts = std::mem::take(&mut forces.fronts);
    let everywhere = !forces.laid_down;
    forces.laid_down = true;
    for (r, g) in regions.iter_mut().enumerate() {
        let front = fronts.iter().find(|f| f.0 as usize == r);
        let lays_down = match front {
            Some(&(_, until)) => step >= until,
            None => everywhere,
        };
        let armed = g.garrison + g.police;
        if !lays_down || g.abroad || armed <= 0.0 {
            continue;
        }
        g.garrison = 0.0;
        g.police = 0.0;
        log.push(LogEntry {
            step,
            kind: "lay_down_arms".into(),
            region: Some(r as u16),
            count: armed.round() as u64,
            detail: format!(
                "{armed:.0} troops and police lay down their arms in {}",
                names[r]
            ),
        });
    }
    forces.fronts = fronts.into_iter().filter(|f| step < f.1).collect();
}

impl Resistance {
    /// Control, liberation and collapse, for the day `step`.
    pub(super) fn control(&mut self, step: u32, log: &mut Vec<LogEntry>) {
        let k = self.fixed.params.control.clone();
        let rate = 1.0 - (1.0 - k.adjust).powf(self.fixed.dt);
        for r in 0..self.state.regions.len() {
            if self.state.regions[r].abroad {
                continue;
            }
            let share = self.strengths(r, step).ruling_share();
            let g = &mut self.state.regions[r];
            if let Some(target) = share {
                g.control = (g.control + rate * (target - g.control)).clamp(0.0, 1.0);
            }
            if !g.liberated && g.control < k.liberation {
                g.liberated = true;
                // No ruling force left to fear: thresholds fall, the region is scanned again.
                self.state.uprising.rescan.push(r as u16);
                let g = &mut self.state.regions[r];
                let laid_down = g.garrison + g.police;
                g.garrison = 0.0;
                g.police = 0.0;
                log.push(LogEntry {
                    step,
                    kind: "liberation".into(),
                    region: Some(r as u16),
                    count: laid_down.round() as u64,
                    detail: format!(
                        "{} liberated; {laid_down:.0} troops and police lay down arms",
                        self.fixed.names[r]
                    ),
                });
            } else if g.liberated && g.control > k.recapture {
                g.liberated = false;
                log.push(LogEntry {
                    step,
                    kind: "recapture".into(),
                    region: Some(r as u16),
                    count: 0,
                    detail: format!("{} retaken by the ruling side", self.fixed.names[r]),
                });
            }
        }
        if self.state.course.collapse.is_none() {
            let (home, free) = self.home_and_liberated();
            let capital = self
                .fixed
                .params
                .capital
                .is_some_and(|c| self.state.regions[c as usize].liberated);
            if home > 0.0 && (free / home >= k.collapse_share || capital) {
                let cause = if capital {
                    "capital liberated"
                } else {
                    "liberated share reached"
                };
                self.state.course.collapse = Some((step, cause.to_string()));
                self.state.course.liberated_at_collapse = Some(free / home);
                let defected: f64 = self.state.regions.iter().map(|g| g.defected).sum();
                self.state.course.by_defection = Some(defected > self.state.tallies.ruling_losses);
                log.push(LogEntry {
                    step,
                    kind: "collapse".into(),
                    region: self.fixed.params.capital.filter(|_| capital),
                    count: free.round() as u64,
                    detail: format!(
                        "the ruling system collapses ({cause}: {:.0}% of the home population liberated)",
                        100.0 * free / home
                    ),
                });
            }
        }
    }
}
