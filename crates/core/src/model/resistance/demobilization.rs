//! Demobilization (step 7 of the day): people out in the rising go home again, so a rising
//! can ebb without any collapse.
//!
//! A risen person i in region r goes home with hazard, per day,
//!   h_i = fatigue + fear_exit · fear_r + unsupported_exit · [ties out < θ_i],
//! where the last term is the threshold rule read backwards: a person whose ties have gone
//! home (or been arrested or killed) no longer meets the threshold that brought them out.
//! They return to the state they rose from and keep a mark (`WENT_HOME`) that raises their
//! threshold by `weariness` should their ties come out again. The draws are a thinning: a
//! Poisson number of candidates at the largest hazard, each kept with h_i / h_max, so the
//! work is proportional to the people who leave, not to the people out.

use super::people::WENT_HOME;
use super::Resistance;
use crate::observe::LogEntry;
use crate::rng::Stream;
use crate::world::World;

impl Resistance {
    /// Going home, the day's seventh process.
    pub(super) fn demobilization(&mut self, step: u32, world: &World, log: &mut Vec<LogEntry>) {
        let d = self.fixed.params.demobilization.clone();
        for r in 0..self.state.regions.len() {
            let out = self.state.regions[r].risen.len();
            if out == 0 {
                continue;
            }
            let fear = self.state.regions[r].fear;
            let base = d.fatigue + d.fear_exit * fear;
            let h_max = base + d.unsupported_exit;
            if h_max <= 0.0 {
                continue;
            }
            let p_max = 1.0 - (-h_max * self.fixed.dt).exp();
            let armed = self.armed_presence(r, step);
            let mut s = Stream::new(
                self.fixed.seed,
                super::purpose::DEMOBILIZATION,
                step,
                r as u32,
            );
            let candidates = s.poisson(out as f64 * p_max).min(out as u64);
            let mut went = 0;
            for _ in 0..candidates {
                let list = &self.state.regions[r].risen;
                if list.is_empty() {
                    break;
                }
                let j = s.below(list.len() as u32) as usize;
                let i = list[j];
                let h = if d.unsupported_exit > 0.0 && self.unsupported(i, step, armed, world) {
                    h_max
                } else {
                    base
                };
                if s.uniform() * h_max < h {
                    self.state.regions[r].risen.swap_remove(j);
                    self.go_home(i, world);
                    went += 1;
                }
            }
            if went > 0 {
                log.push(LogEntry {
                    step,
                    kind: "demobilization".into(),
                    region: Some(r as u16),
                    count: went,
                    detail: format!("{went} people out in {} go home", self.fixed.names[r]),
                });
            }
        }
    }

    /// Risen person `i`, already taken off their region's list of risen, goes home to the
    /// state they rose from.
    pub(super) fn go_home(&mut self, i: u32, world: &World) {
        let prior = self.state.persons.prior(i);
        self.set_state(i, prior, world);
        self.state.persons.hot[i as usize].flags |= WENT_HOME;
        self.state.regions[world.people.region[i as usize] as usize].went_home += 1;
    }
}
