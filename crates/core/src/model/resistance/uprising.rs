//! The uprising (step 6 of the day): Granovetter's threshold rule on the social network,
//! in regions the call to rise has reached.
//!
//! Person i rises when the share of their ties that have risen reaches
//!   θ_i = threshold_base + risk_weight·(risk_i − ½) − grievance_weight·grievance_i
//!         − bonus(state) − armed_bonus·[armed force in the region] + appeal shift,
//! with bonus = sympathizer_bonus for sympathizers, member_bonus for members, and cadres
//! rising at once ("organized people first"). Updates are synchronous like the `threshold`
//! model: people who rise at step t are counted by their ties at t + 1. Only the ties of new
//! risers are visited (event-driven); a region is scanned whole only when its thresholds fall
//! (it opens, an armed force arrives, an appeal lands), a handful of times per run.
//! On weighted ties the share is by weight: risen ties' weights over all ties' weights.
//! People hiding in the mountains are off the network; they come down and rise when an armed
//! force stands in their region (`rally` per day).

use super::forces::Side;
use super::people::State;
use super::Resistance;
use crate::observe::LogEntry;
use crate::rng::{Purpose, Stream};
use crate::world::World;

/// What a person needs to rise.
enum Need {
    /// So many risen ties (unweighted ties).
    Ties(u32),
    /// This share of the summed weight of their ties risen (weighted ties).
    Share(f64),
}

impl Resistance {
    /// Whether an armed force of the resistance stands in region `r` at `step`.
    fn armed(&self, r: usize, step: u32) -> bool {
        self.columns.iter().any(|c| {
            c.side == Side::Main && c.region as usize == r && c.arrives <= step && c.ordered
        }) || (self.regions[r].open && self.regions[r].count[State::Fighter as usize] > 0)
    }

    /// Whether `i` rises now: the share of their ties that have risen (by weight, on weighted
    /// ties) has reached their threshold.
    fn rises(&self, i: u32, step: u32, armed: bool, world: &World) -> bool {
        match self.need(i, step, armed, world) {
            None => false,
            Some(Need::Ties(need)) => u32::from(self.persons.hot[i as usize].risen_ties) >= need,
            Some(Need::Share(theta)) => {
                let strength = f64::from(self.strength[i as usize]);
                // The tolerance keeps 0.5 × 120 at 60 in floating point.
                f64::from(self.risen_weight[i as usize]) >= theta * strength - 1e-6
            }
        }
    }

    /// What `i` needs to rise, or `None` if `i` cannot rise now.
    fn need(&self, i: u32, step: u32, armed: bool, world: &World) -> Option<Need> {
        let state = self.persons.state(i);
        let u = &self.params.uprising;
        let bonus = match state {
            State::Unreached => 0.0,
            State::Sympathizer => u.sympathizer_bonus,
            State::Member => u.member_bonus,
            State::Cadre => return Some(Need::Ties(0)),
            _ => return None,
        };
        if self.persons.hiding(i) {
            return None;
        }
        let r = world.people.region[i as usize] as usize;
        let g = &self.regions[r];
        if !g.open {
            return None;
        }
        let theta = self.persons.threshold(i, u) - bonus - if armed { u.armed_bonus } else { 0.0 }
            + g.appeal.at(step, 0.0);
        let degree = world.network.degree(i);
        if theta <= 0.0 {
            return Some(Need::Ties(0));
        }
        if degree == 0 {
            return None;
        }
        if !self.strength.is_empty() {
            return Some(Need::Share(theta));
        }
        Some(Need::Ties((theta * f64::from(degree)).ceil() as u32))
    }

    /// Step 7.
    pub(super) fn uprising(&mut self, step: u32, world: &World, log: &mut Vec<LogEntry>) {
        // The main force opens the regions where it stands; an arriving force lowers
        // thresholds, so those regions are scanned again.
        let n = self.regions.len();
        let armed: Vec<bool> = (0..n).map(|r| self.armed(r, step)).collect();
        for (r, &a) in armed.iter().enumerate() {
            let newly = a && !self.armed_before(r);
            if newly {
                self.open_region(r as u16);
            }
        }
        self.armed_last = armed.clone();
        self.rally(step, &armed, world, log);

        let before: u64 = self
            .regions
            .iter()
            .map(|g| g.count[State::Risen as usize])
            .sum();
        let current = std::mem::take(&mut self.frontier);
        for &p in &current {
            let weights = world.network.weights_of(p);
            for (k, &t) in world.network.neighbours(p).iter().enumerate() {
                let c = &mut self.persons.hot[t as usize].risen_ties;
                *c = c.saturating_add(1);
                if let Some(w) = weights {
                    self.risen_weight[t as usize] += w[k];
                }
                let r = world.people.region[t as usize] as usize;
                if self.rises(t, step, armed[r], world) {
                    self.rise(t, world);
                }
            }
        }
        let mut rescan = std::mem::take(&mut self.rescan);
        rescan.sort_unstable();
        rescan.dedup();
        for r in rescan {
            if !self.regions[r as usize].open {
                continue;
            }
            for i in world.people.of_region(r) {
                if self.rises(i, step, armed[r as usize], world) {
                    self.rise(i, world);
                }
            }
        }
        let after: u64 = self
            .regions
            .iter()
            .map(|g| g.count[State::Risen as usize])
            .sum();
        if after > before && before == 0 {
            log.push(LogEntry {
                step,
                kind: "uprising".into(),
                region: None,
                count: after - before,
                detail: format!("the uprising begins: {} people rise", after - before),
            });
        }
    }

    fn armed_before(&self, r: usize) -> bool {
        self.armed_last.get(r).copied().unwrap_or(false)
    }

    /// Person `i` rises; their ties count it next step.
    fn rise(&mut self, i: u32, world: &World) {
        self.set_state(i, State::Risen, world);
        self.frontier.push(i);
    }

    /// People hiding in the mountains come down to an armed force in their region.
    fn rally(&mut self, step: u32, armed: &[bool], world: &World, log: &mut Vec<LogEntry>) {
        let rate = self.params.combat.rally;
        for (r, &armed) in armed.iter().enumerate() {
            if !armed || self.regions[r].hiding == 0 || rate <= 0.0 {
                continue;
            }
            let mut s = Stream::new(self.seed, Purpose::RALLY, step, r as u32);
            let hiding = self.regions[r].hiding;
            let k = s.poisson(hiding as f64 * rate * self.dt).min(hiding);
            let mut rallied = 0;
            while rallied < k {
                let list = &mut self.regions[r].hiders;
                if list.is_empty() {
                    break;
                }
                let j = s.below(list.len() as u32) as usize;
                let i = list.swap_remove(j);
                self.persons.hot[i as usize].flags &= !super::people::HIDE_LISTED;
                if !self.persons.hiding(i) {
                    continue;
                }
                self.rise(i, world);
                rallied += 1;
            }
            if rallied > 0 {
                log.push(LogEntry {
                    step,
                    kind: "rally".into(),
                    region: Some(r as u16),
                    count: rallied,
                    detail: format!(
                        "{rallied} people come down from the mountains in {}",
                        self.names[r]
                    ),
                });
            }
        }
    }
}
