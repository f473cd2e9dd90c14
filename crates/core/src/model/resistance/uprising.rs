//! The uprising (step 8 of the day): Granovetter's threshold rule on the social network,
//! in regions the call to rise has reached.
//!
//! Person i rises when the share of their ties now out in the rising reaches
//!   θ_i = threshold_base + risk_weight·(risk_i − ½) − grievance_weight·grievance_i
//!         − bonus(state) − armed_bonus·a_r + fear_weight·fear_r
//!         + weariness·[has gone home before] + appeal shift,
//! with bonus = sympathizer_bonus for sympathizers, member_bonus for members, and cadres
//! rising at once ("organized people first"); a_r is the armed rebels' share of the armed
//! strength in the region, A / (A + G) (1 where no ruling force is left and in a liberated
//! region, 0 where no armed rebel stands), so a larger column emboldens more. Only the people `who_rises` admits rise
//! (children do not, by default). Updates are synchronous like the `threshold` model: people
//! who rise at step t are counted by their ties at t + 1; people who stop being out (home,
//! jail, death) are uncounted at once (`ops.rs`). Only the ties of new risers are visited
//! (event-driven); a region is scanned whole only when its thresholds fall (it opens, an armed
//! force arrives, an appeal lands), a handful of times per run.
//! On weighted ties the share is by weight: risen ties' weights over all ties' weights.
//! People hiding in the mountains are off the network; they come down and rise when an armed
//! force stands in their region (`rally` per day).

use super::forces::Side;
use super::params::WhoRises;
use super::people::{State, COUNTED};
use super::Resistance;
use crate::observe::LogEntry;
use crate::rng::{Purpose, Stream};
use crate::world::World;

/// The uprising's bookkeeping between steps.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Uprising {
    /// Persons who rose this step; their ties are counted next step.
    pub frontier: Vec<u32>,
    /// On weighted ties only: each person's summed weight of risen ties (the count is in
    /// `risen_ties`).
    pub risen_weight: Vec<f32>,
    /// Regions whose thresholds fell or that opened: scanned once for people now over them.
    pub rescan: Vec<u16>,
    /// Risen people in each local unit.
    pub county_risen: Vec<u32>,
    /// Local units that have formed a committee (kept once formed).
    pub county_formed: Vec<bool>,
}

/// What a person needs to rise.
enum Need {
    /// So many risen ties (unweighted ties).
    Ties(u32),
    /// This share of the summed weight of their ties risen (weighted ties).
    Share(f64),
}

/// Each person's number of ties whom `who` lets rise, or nothing when it lets everyone rise
/// (the degree is then the count).
pub(super) fn eligible_ties(world: &World, who: &WhoRises) -> Vec<u16> {
    use rayon::prelude::*;
    if who.admits_all() {
        return Vec::new();
    }
    let p = &world.people;
    let may = |t: u32| {
        let t = t as usize;
        who.admits(p.age[t], p.sex[t], p.occupation[t])
    };
    (0..p.len() as u32)
        .into_par_iter()
        .map(|i| {
            let n = world
                .network
                .neighbours(i)
                .iter()
                .filter(|&&t| may(t))
                .count();
            n.min(usize::from(u16::MAX)) as u16
        })
        .collect()
}

/// One bit a person: whether `who` lets them rise; nothing when it lets everyone rise.
pub(super) fn rise_bits(world: &World, who: &WhoRises) -> Vec<u64> {
    use rayon::prelude::*;
    if who.admits_all() {
        return Vec::new();
    }
    let p = &world.people;
    let n = p.len();
    (0..n.div_ceil(64))
        .into_par_iter()
        .map(|w| {
            let mut bits = 0u64;
            for b in 0..64 {
                let i = w * 64 + b;
                if i < n && who.admits(p.age[i], p.sex[i], p.occupation[i]) {
                    bits |= 1 << b;
                }
            }
            bits
        })
        .collect()
}

/// Each person's summed weight of ties whom `who` lets rise (weighted networks).
pub(super) fn eligible_strength(world: &World, who: &WhoRises) -> Vec<f32> {
    use rayon::prelude::*;
    let p = &world.people;
    (0..p.len() as u32)
        .into_par_iter()
        .map(|i| {
            let ties = world.network.neighbours(i);
            let weights = world.network.weights_of(i);
            let mut sum = 0.0f64;
            for (k, &t) in ties.iter().enumerate() {
                let tu = t as usize;
                if who.admits(p.age[tu], p.sex[tu], p.occupation[tu]) {
                    sum += weights.map_or(1.0, |w| f64::from(w[k]));
                }
            }
            sum as f32
        })
        .collect()
}

impl Resistance {
    /// Whether an armed force of the resistance stands in region `r` at `step`.
    fn armed(&self, r: usize, step: u32) -> bool {
        self.state.forces.columns.iter().any(|c| {
            c.side == Side::Main && c.region as usize == r && c.arrives <= step && c.ordered
        }) || (self.state.regions[r].open
            && self.state.regions[r].count[State::Fighter as usize] > 0)
    }

    /// The armed rebels' share of the armed strength in region `r` at `step`, A / (A + G):
    /// 0 where no armed rebel stands, 1 where they stand and no ruling force is left. It
    /// scales `armed_bonus`, so the size of a column matters to those who watch it.
    pub(super) fn armed_presence(&self, r: usize, step: u32) -> f64 {
        // A liberated region is held by the people: no ruling force is left to fear.
        if self.state.regions[r].liberated {
            return 1.0;
        }
        if !self.armed(r, step) {
            return 0.0;
        }
        let s = self.strengths(r, step);
        if s.armed + s.ruling <= 0.0 {
            1.0
        } else {
            s.armed / (s.armed + s.ruling)
        }
    }

    /// Whether `who_rises` admits person `i` (one bit a person, read in place of three
    /// attribute columns).
    #[inline]
    fn may_rise(&self, i: u32) -> bool {
        self.fixed.rise_ok.is_empty() || self.fixed.rise_ok[(i / 64) as usize] >> (i % 64) & 1 == 1
    }

    /// Whether `i` rises now: the share of their ties that are out (by weight, on weighted
    /// ties) has reached their threshold.
    fn rises(&self, i: u32, step: u32, armed: f64, world: &World) -> bool {
        let state = self.state.persons.state(i);
        if state == State::Risen {
            return false;
        }
        self.need(i, state, step, armed, world)
            .is_some_and(|need| self.meets(i, need))
    }

    /// Whether `i`'s ties out now meet `need`.
    fn meets(&self, i: u32, need: Need) -> bool {
        match need {
            Need::Ties(need) => u32::from(self.state.persons.hot[i as usize].risen_ties) >= need,
            Need::Share(theta) => {
                let strength = f64::from(self.fixed.strength[i as usize]);
                // The tolerance keeps 0.5 × 120 at 60 in floating point.
                f64::from(self.state.uprising.risen_weight[i as usize]) >= theta * strength - 1e-6
            }
        }
    }

    /// Whether a risen person `i` would no longer rise by the rule that brought them out:
    /// their ties out have fallen below their threshold as it is today (judged with the state
    /// they rose from), `armed` being the armed presence in their region.
    pub(super) fn unsupported(&self, i: u32, step: u32, armed: f64, world: &World) -> bool {
        match self.need(i, self.state.persons.prior(i), step, armed, world) {
            None => true,
            Some(need) => !self.meets(i, need),
        }
    }

    /// What `i`, in `state`, needs to rise, or `None` if `i` cannot rise now.
    fn need(&self, i: u32, state: State, step: u32, armed: f64, world: &World) -> Option<Need> {
        let u = &self.fixed.params.uprising;
        let iu = i as usize;
        // Cheap rejections first: the state and flags are in the person's hot record.
        let bonus = match state {
            State::Unreached => 0.0,
            State::Sympathizer => u.sympathizer_bonus,
            State::Member => u.member_bonus,
            State::Cadre => -1.0,
            _ => return None,
        };
        if !self.may_rise(i) {
            return None;
        }
        if state == State::Cadre {
            return Some(Need::Ties(0));
        }
        let h = &self.state.persons.hot[iu];
        if h.flags & super::people::HIDING != 0 {
            return None;
        }
        let g = &self.state.regions[h.region as usize];
        if !g.open {
            return None;
        }
        let weary = if self.state.persons.went_home(i) {
            self.fixed.params.demobilization.weariness
        } else {
            0.0
        };
        let theta = self.state.persons.threshold(i, u) - bonus - u.armed_bonus * armed
            + u.fear_weight * g.fear
            + weary
            + g.appeal.at(step, 0.0);
        let degree = match self.fixed.eligible_ties.get(i as usize) {
            Some(&d) => u32::from(d),
            None => world.network.degree(i),
        };
        if theta <= 0.0 {
            return Some(Need::Ties(0));
        }
        if degree == 0 {
            return None;
        }
        if !self.fixed.strength.is_empty() {
            return Some(Need::Share(theta));
        }
        Some(Need::Ties((theta * f64::from(degree)).ceil() as u32))
    }

    /// The uprising, the day's eighth process.
    pub(super) fn uprising(&mut self, step: u32, world: &World, log: &mut Vec<LogEntry>) {
        // The main force opens the regions where it stands; an arriving force lowers
        // thresholds, so those regions are scanned again.
        let n = self.state.regions.len();
        let armed: Vec<bool> = (0..n).map(|r| self.armed(r, step)).collect();
        for (r, &a) in armed.iter().enumerate() {
            let newly = a && !self.armed_before(r);
            if newly {
                self.open_region(r as u16);
            }
        }
        self.state.forces.armed_last = armed.clone();
        self.rally(step, &armed, world, log);
        let presence: Vec<f64> = (0..n).map(|r| self.armed_presence(r, step)).collect();

        let before: u64 = self
            .state
            .regions
            .iter()
            .map(|g| g.count[State::Risen as usize])
            .sum();
        let current = std::mem::take(&mut self.state.uprising.frontier);
        for &p in &current {
            // Out of the rising before their ties learnt of it, or counted already.
            let h = &mut self.state.persons.hot[p as usize];
            if h.state != State::Risen as u8 || h.flags & COUNTED != 0 {
                continue;
            }
            h.flags |= COUNTED;
            let weights = world.network.weights_of(p);
            for (k, &t) in world.network.neighbours(p).iter().enumerate() {
                let c = &mut self.state.persons.hot[t as usize].risen_ties;
                *c = c.saturating_add(1);
                if let Some(w) = weights {
                    self.state.uprising.risen_weight[t as usize] += w[k];
                }
                let r = world.people.region[t as usize] as usize;
                if self.rises(t, step, presence[r], world) {
                    self.rise(t, world);
                }
            }
        }
        let mut rescan = std::mem::take(&mut self.state.uprising.rescan);
        rescan.sort_unstable();
        rescan.dedup();
        for r in rescan {
            if !self.state.regions[r as usize].open {
                continue;
            }
            for i in world.people.of_region(r) {
                if self.rises(i, step, presence[r as usize], world) {
                    self.rise(i, world);
                }
            }
        }
        let after: u64 = self
            .state
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
        self.state
            .forces
            .armed_last
            .get(r)
            .copied()
            .unwrap_or(false)
    }

    /// Person `i` rises; their ties count it next step.
    fn rise(&mut self, i: u32, world: &World) {
        self.set_state(i, State::Risen, world);
        self.state.uprising.frontier.push(i);
    }

    /// People hiding in the mountains come down to an armed force in their region.
    fn rally(&mut self, step: u32, armed: &[bool], world: &World, log: &mut Vec<LogEntry>) {
        let rate = self.fixed.params.combat.rally;
        for (r, &armed) in armed.iter().enumerate() {
            if !armed || self.state.regions[r].hiding == 0 || rate <= 0.0 {
                continue;
            }
            let mut s = Stream::new(self.fixed.seed, Purpose::RALLY, step, r as u32);
            let hiding = self.state.regions[r].hiding;
            let k = s.poisson(hiding as f64 * rate * self.fixed.dt).min(hiding);
            let mut rallied = 0;
            while rallied < k {
                let list = &mut self.state.regions[r].hiders;
                if list.is_empty() {
                    break;
                }
                let j = s.below(list.len() as u32) as usize;
                let i = list.swap_remove(j);
                self.state.persons.hot[i as usize].flags &= !super::people::HIDE_LISTED;
                if !self.state.persons.hiding(i) {
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
                        self.fixed.names[r]
                    ),
                });
            }
        }
    }
}
