//! Faithful mode: every agent a row of columns (kind, group, state, site, dispositions),
//! the lattice a linked list of agents per site with counts and bit sets beside it, and turns
//! in random sequential order over agent numbers, as in the paper, Mesa and NetLogo.
//!
//! Fast mode ([`super::fast`]) stores the same agents by site instead; both place the same
//! agents ([`super::placements`]), and the model ([`super::CivilViolence`]) drives either
//! through the same calls: `step`, `add_cops`, `set_cop_count`, `counts`, `cells`.

use super::fast::Tally;
use super::lattice::{self, Lattice, NONE};
use super::params::*;
use super::{placements, purpose, rules, Counts, Tables, CITIZEN, COP, PROBES};
use crate::rng::Stream;

/// The agents as columns indexed by agent number, and the lattice they stand on.
pub struct Faithful {
    pub(super) p: EpsteinParams,
    pub(super) sw: Switches,
    pub(super) seed: u64,
    /// The neighbourhoods and the arrest table (from the scenario, not saved).
    pub(super) t: Tables,
    pub(super) lattice: Lattice,
    pub(super) kind: Vec<u8>,
    pub(super) group: Vec<u8>,
    pub(super) active: Vec<bool>,
    pub(super) jailed: Vec<bool>,
    pub(super) jail: Vec<u32>,
    pub(super) site: Vec<u32>,
    pub(super) next: Vec<u32>,
    pub(super) hardship: Vec<f64>,
    pub(super) risk: Vec<f64>,
    pub(super) alive: Vec<bool>,
    /// Age in steps (Model II, `groups = 2`, only; empty otherwise).
    pub(super) age: Vec<u32>,
    /// Age at which each agent dies (Model II only; empty otherwise).
    pub(super) death: Vec<u32>,
    /// (agent, site it left) of everyone in jail.
    pub(super) prisoners: Vec<(u32, u32)>,
    /// The legitimacy that enters grievance in the current step (fraction; set by the model).
    pub(super) legitimacy: f64,
    /// The current step (for the streams of births and releases).
    pub(super) step: u32,
    /// Arrests and killings of the current step.
    pub(super) arrests: u64,
    pub(super) killed: u64,
    pub(super) scratch: Vec<u32>,
    pub(super) found_scratch: Vec<u32>,
    pub(super) run_scratch: Vec<(usize, usize, usize, u32)>,
    /// The activation order, kept between steps so that a step allocates nothing.
    pub(super) order: Vec<u32>,
}

crate::model::state::saved_state!(Faithful {
    lattice: Lattice,
    kind: Vec<u8>,
    group: Vec<u8>,
    active: Vec<bool>,
    jailed: Vec<bool>,
    jail: Vec<u32>,
    site: Vec<u32>,
    next: Vec<u32>,
    hardship: Vec<f64>,
    risk: Vec<f64>,
    alive: Vec<bool>,
    age: Vec<u32>,
    death: Vec<u32>,
    prisoners: Vec<(u32, u32)>,
});

impl Faithful {
    /// Checks a restored state against `fresh` (the lattice as the scenario builds it): every
    /// per-agent column of one length, every site and agent number in range, every site's
    /// list of agents finite. A checkpoint edited and re-checksummed is refused here, never
    /// indexed out of bounds or walked in a loop.
    pub(super) fn check_restored(&self, fresh: &Lattice) -> Result<(), String> {
        if !self.lattice.same_shape(fresh) {
            return Err("the lattice is not the scenario's".into());
        }
        let n = self.kind.len();
        let columns = [
            self.group.len(),
            self.active.len(),
            self.jailed.len(),
            self.jail.len(),
            self.site.len(),
            self.next.len(),
            self.hardship.len(),
            self.risk.len(),
            self.alive.len(),
        ];
        let aged = [self.age.len(), self.death.len()];
        if columns.iter().any(|&l| l != n) || aged.iter().any(|&l| l != n && l != 0) {
            return Err("the agents' columns differ in length".into());
        }
        let sites = self.lattice.sites();
        let agent = |i: u32| i == NONE || (i as usize) < n;
        let site = |s: u32| s == NONE || (s as usize) < sites;
        if !self.kind.iter().all(|&k| k == CITIZEN || k == COP)
            || !self.group.iter().all(|&g| g < 2)
            || !self.site.iter().all(|&s| site(s))
            || !self.next.iter().all(|&i| agent(i))
            || !self.lattice.head.iter().all(|&i| agent(i))
            || !self
                .prisoners
                .iter()
                .all(|&(i, s)| (i as usize) < n && site(s))
            || !self
                .hardship
                .iter()
                .chain(&self.risk)
                .all(|v| (0.0..=1.0).contains(v))
        {
            return Err("an agent, site or disposition is out of range".into());
        }
        // Each agent is on at most one site's list: walking every list visits at most n, and
        // every agent listed on a site says it stands there.
        let mut seen = 0usize;
        let mut counts = vec![[0u32; 4]; sites];
        for (s, &first) in self.lattice.head.iter().enumerate() {
            let mut i = first;
            while i != NONE {
                seen += 1;
                let iu = i as usize;
                if seen > n || self.site[iu] as usize != s {
                    return Err("the lists of agents on the sites do not match the agents".into());
                }
                let c = &mut counts[s];
                c[0] += 1;
                c[1] += u32::from(!self.jailed[iu]);
                c[2] += u32::from(self.kind[iu] == COP);
                c[3] += u32::from(self.active[iu]);
                i = self.next[iu];
            }
        }
        if self.site.iter().filter(|&&s| s != NONE).count() != seen {
            return Err("an agent stands on a site whose list does not hold it".into());
        }
        // The counts and bit sets are those the agents make.
        let mut rebuilt = Lattice::new(fresh.width, fresh.height, fresh.transparent);
        rebuilt.keep_halo(fresh.halo);
        for (s, c) in counts.iter().enumerate() {
            if c.iter().any(|&k| k > u32::from(u8::MAX)) {
                return Err("too many agents on one site".into());
            }
            rebuilt.occupied[s] = c[0] as u8;
            rebuilt.free[s] = c[1] as u8;
            rebuilt.cops[s] = c[2] as u8;
            rebuilt.actives[s] = c[3] as u8;
            rebuilt.refresh(s);
        }
        if !rebuilt.same_counts(&self.lattice) {
            return Err("the lattice's counts are not those of its agents".into());
        }
        Ok(())
    }

    /// The lattice with its citizens and cops placed.
    pub(super) fn new(p: &EpsteinParams, sw: &Switches, t: &Tables, seed: u64) -> Faithful {
        let mut m = Faithful {
            lattice: Lattice::new(p.width, p.height, sw.jailed == JailedAgents::Transparent),
            p: p.clone(),
            sw: sw.clone(),
            seed,
            t: t.clone(),
            kind: Vec::new(),
            group: Vec::new(),
            active: Vec::new(),
            jailed: Vec::new(),
            jail: Vec::new(),
            site: Vec::new(),
            next: Vec::new(),
            hardship: Vec::new(),
            risk: Vec::new(),
            alive: Vec::new(),
            age: Vec::new(),
            death: Vec::new(),
            prisoners: Vec::new(),
            legitimacy: p.legitimacy,
            step: 0,
            arrests: 0,
            killed: 0,
            scratch: Vec::new(),
            found_scratch: Vec::new(),
            run_scratch: Vec::new(),
            order: Vec::new(),
        };
        m.lattice.keep_halo((m.t.spans.len() / 2) as u32);
        m.reserve();
        m.place();
        m
    }

    /// Agents ever created (dead ones included).
    pub(super) fn agents(&self) -> usize {
        self.kind.len()
    }

    /// One step: every agent alive at its start takes a turn, in random sequential order, with
    /// `legitimacy` entering grievance; then releases due at the end of the step.
    pub(super) fn step(&mut self, step: u32, legitimacy: f64) -> Tally {
        self.step = step;
        self.legitimacy = legitimacy;
        self.arrests = 0;
        self.killed = 0;
        // One stream for the step's turns, drawn in random sequential order.
        let mut s = Stream::new(self.seed, purpose::TURN, step, 0);
        let mut order = std::mem::take(&mut self.order);
        self.random_order(step, &mut order);
        for &i in &order {
            self.turn(i, &mut s);
        }
        self.order = order;
        self.end_of_step_releases();
        Tally {
            arrests: self.arrests,
            killed: self.killed,
        }
    }

    /// Sizes the agent columns for the agents placement will make (the expected number and six
    /// standard deviations more), so that pushing them one by one does not leave up to half of
    /// each column as slack: on a 2000 × 2000 lattice that is bytes per site.
    pub(super) fn reserve(&mut self) {
        let sites = self.lattice.sites() as f64;
        let expected = sites * (self.p.citizen_density + self.p.cop_density).min(1.0);
        let n = (expected + 6.0 * expected.sqrt() + 16.0).min(sites) as usize;
        self.kind.reserve_exact(n);
        self.group.reserve_exact(n);
        self.active.reserve_exact(n);
        self.jailed.reserve_exact(n);
        self.jail.reserve_exact(n);
        self.site.reserve_exact(n);
        self.next.reserve_exact(n);
        self.hardship.reserve_exact(n);
        self.risk.reserve_exact(n);
        self.alive.reserve_exact(n);
        if self.p.groups == 2 {
            self.age.reserve_exact(n);
            self.death.reserve_exact(n);
        }
    }

    // ---- the lattice ---------------------------------------------------------------------

    pub(super) fn empty(&self, s: u32) -> bool {
        let s = s as usize;
        match self.sw.jailed {
            JailedAgents::Transparent => self.lattice.free[s] == 0,
            _ => self.lattice.occupied[s] == 0,
        }
    }

    pub(super) fn put(&mut self, i: u32, s: u32) {
        let (iu, su) = (i as usize, s as usize);
        self.site[iu] = s;
        self.next[iu] = self.lattice.head[su];
        self.lattice.head[su] = i;
        self.lattice.occupied[su] += 1;
        if !self.jailed[iu] {
            self.lattice.free[su] += 1;
        }
        if self.kind[iu] == COP {
            self.lattice.cops[su] += 1;
        }
        if self.active[iu] {
            self.lattice.actives[su] += 1;
        }
        self.lattice.refresh(su);
    }

    pub(super) fn take(&mut self, i: u32) {
        let iu = i as usize;
        let s = self.site[iu];
        if s == NONE {
            return;
        }
        let su = s as usize;
        let mut cur = self.lattice.head[su];
        let mut prev = NONE;
        while cur != i && cur != NONE {
            prev = cur;
            cur = self.next[cur as usize];
        }
        if prev == NONE {
            self.lattice.head[su] = self.next[iu];
        } else {
            self.next[prev as usize] = self.next[iu];
        }
        self.lattice.occupied[su] -= 1;
        if !self.jailed[iu] {
            self.lattice.free[su] -= 1;
        }
        if self.kind[iu] == COP {
            self.lattice.cops[su] -= 1;
        }
        if self.active[iu] {
            self.lattice.actives[su] -= 1;
        }
        self.lattice.refresh(su);
        self.site[iu] = NONE;
        self.next[iu] = NONE;
    }

    pub(super) fn set_active(&mut self, i: u32, on: bool) {
        let iu = i as usize;
        if self.active[iu] == on {
            return;
        }
        self.active[iu] = on;
        let s = self.site[iu];
        if s != NONE {
            if on {
                self.lattice.actives[s as usize] += 1;
            } else {
                self.lattice.actives[s as usize] -= 1;
            }
            self.lattice.refresh(s as usize);
        }
    }

    pub(super) fn spawn(
        &mut self,
        kind: u8,
        group: u8,
        hardship: f64,
        site: u32,
        s: &mut Stream,
    ) -> u32 {
        let i = self.kind.len() as u32;
        self.kind.push(kind);
        self.group.push(group);
        self.active.push(false);
        self.jailed.push(false);
        self.jail.push(0);
        self.site.push(NONE);
        self.next.push(NONE);
        self.hardship.push(hardship);
        self.risk.push(s.uniform());
        self.alive.push(true);
        // The age at death is drawn whatever the model, so that the stream's later draws are
        // the same; it is kept only where agents age (Model II).
        let death = rules::death_age(self.p.max_age, s);
        if self.p.groups == 2 {
            self.age.push(0);
            self.death.push(death);
        }
        self.put(i, site);
        i
    }

    pub(super) fn random_empty_site(&self, s: &mut Stream) -> Option<u32> {
        let n = self.lattice.sites() as u32;
        for _ in 0..1000 {
            let c = s.below(n);
            if self.empty(c) {
                return Some(c);
            }
        }
        (0..n).find(|&c| self.empty(c))
    }

    /// Calls `f(row, xl, xh)` for each run of sites of the neighbourhood `spans` around
    /// `here` (see [`lattice::runs`]).
    #[inline]
    pub(super) fn runs(&self, here: u32, spans: &[(i32, i32)], f: impl FnMut(usize, usize, usize)) {
        let w = self.lattice.width;
        let (x, y) = self.lattice.xy(here);
        lattice::runs(w, self.lattice.height, x, y, spans, f);
    }

    /// Places citizens and cops (before any step-0 event, so that events see them).
    fn place(&mut self) {
        let sites = self.lattice.sites() as u32;
        let (seed, p, sw) = (self.seed, self.p.clone(), self.sw.placement);
        placements(seed, &p, sw, sites, |kind, site| self.born(kind, site));
    }

    /// Places the next agent at the start: its dispositions come from its own stream, keyed
    /// by its number.
    fn born(&mut self, kind: u8, site: u32) {
        let n = self.kind.len() as u32;
        let mut s = Stream::new(self.seed, purpose::DISPOSITION, 0, n);
        let hardship = s.uniform();
        let group = if self.p.groups == 2 {
            s.below(2) as u8
        } else {
            0
        };
        self.spawn(kind, group, hardship, site, &mut s);
    }

    /// Random sequential activation of everyone alive at the start of the step.
    fn random_order(&self, step: u32, order: &mut Vec<u32>) {
        order.clear();
        order.extend((0..self.kind.len() as u32).filter(|&i| self.alive[i as usize]));
        let mut s = Stream::new(self.seed, purpose::ORDER, step, 0);
        for k in (1..order.len()).rev() {
            let j = s.below(k as u32 + 1) as usize;
            order.swap(k, j);
        }
    }

    /// Cops at random empty sites (at most `k`; fewer if the lattice fills); returns how many.
    pub(super) fn add_cops(&mut self, k: u64, s: &mut Stream) -> u64 {
        let mut added = 0;
        for _ in 0..k {
            let Some(site) = self.random_empty_site(s) else {
                break;
            };
            self.spawn(COP, 0, 0.0, site, s);
            added += 1;
        }
        added
    }

    pub(super) fn set_cop_count(&mut self, target: u64, s: &mut Stream) {
        let cops: Vec<u32> = (0..self.kind.len() as u32)
            .filter(|&i| self.kind[i as usize] == COP && self.alive[i as usize])
            .collect();
        let have = cops.len() as u64;
        if have > target {
            let mut pool = cops;
            for k in 0..(have - target) as usize {
                let j = k + s.below((pool.len() - k) as u32) as usize;
                pool.swap(k, j);
                self.die(pool[k]);
            }
        } else {
            self.add_cops(target - have, s);
        }
    }

    /// One code per site (the lattice legend's), the topmost agent of each site.
    pub(super) fn cells(&self) -> Vec<u8> {
        let mut cells = vec![0u8; self.lattice.sites()];
        for (site, cell) in cells.iter_mut().enumerate() {
            let mut a = self.lattice.head[site];
            let mut code = 0;
            while a != NONE {
                let au = a as usize;
                let c = if self.kind[au] == COP {
                    4
                } else if self.jailed[au] {
                    3
                } else if self.active[au] {
                    2
                } else if self.group[au] == 1 {
                    5
                } else {
                    1
                };
                code = code.max(c);
                a = self.next[au];
            }
            *cell = code;
        }
        cells
    }

    pub(super) fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for i in 0..self.kind.len() {
            if !self.alive[i] {
                continue;
            }
            if self.kind[i] == COP {
                c.cops += 1;
                continue;
            }
            let g = self.group[i] as usize;
            c.population[g] += 1;
            if self.jailed[i] {
                c.jailed[g] += 1;
            } else if self.active[i] {
                c.active[g] += 1;
            } else {
                c.quiet[g] += 1;
            }
        }
        c
    }
}

mod turns;

#[cfg(test)]
mod tests;
