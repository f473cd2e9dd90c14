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
    fn reserve(&mut self) {
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

    fn empty(&self, s: u32) -> bool {
        let s = s as usize;
        match self.sw.jailed {
            JailedAgents::Transparent => self.lattice.free[s] == 0,
            _ => self.lattice.occupied[s] == 0,
        }
    }

    fn put(&mut self, i: u32, s: u32) {
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

    fn take(&mut self, i: u32) {
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

    fn set_active(&mut self, i: u32, on: bool) {
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

    fn spawn(&mut self, kind: u8, group: u8, hardship: f64, site: u32, s: &mut Stream) -> u32 {
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
    fn runs(&self, here: u32, spans: &[(i32, i32)], f: impl FnMut(usize, usize, usize)) {
        let w = self.lattice.width;
        let (x, y) = self.lattice.xy(here);
        lattice::runs(w, self.lattice.height, x, y, spans, f);
    }

    // ---- perception ----------------------------------------------------------------------

    /// (C, A) seen by citizen `i`: cops, and actives counting itself as the switches say.
    fn perceive(&self, i: u32) -> (u32, u32) {
        let iu = i as usize;
        let here = self.site[iu];
        // Both modes count live: one bit-set word per row of the neighbourhood.
        let (cops, mut actives) = {
            let l = &self.lattice;
            let w = l.width as usize;
            let (mut c, mut a) = (0u32, 0u32);
            if l.crowded == 0 {
                // At most one cop and one active per site: count bits.
                let torus = (l.width, l.height, l.words_per_row * 64);
                let (x, y) = l.xy(here);
                (c, a) = l.count_near(x, y, &self.t.spans).unwrap_or_else(|| {
                    lattice::count_two((&l.cop_bits, &l.active_bits), torus, x, y, &self.t.spans)
                });
            } else {
                self.runs(here, &self.t.spans, |row, xl, xh| {
                    let b = row * w;
                    c += l.cops[b + xl..=b + xh]
                        .iter()
                        .map(|&v| u32::from(v))
                        .sum::<u32>();
                    a += l.actives[b + xl..=b + xh]
                        .iter()
                        .map(|&v| u32::from(v))
                        .sum::<u32>();
                });
            }
            if !self.sw.own_site {
                c -= u32::from(l.cops[here as usize]);
                a -= u32::from(l.actives[here as usize]);
            }
            (c, a)
        };
        // `actives` now counts the own site's actives if `own_site`; make A = 1 + others
        // (once) or 1 + all including oneself (double).
        let self_in = self.sw.own_site && self.active[iu];
        match self.sw.self_count {
            SelfCount::Once if self_in => actives -= 1,
            SelfCount::Double if !self_in && self.active[iu] => actives += 1,
            _ => {}
        }
        (cops, 1 + actives)
    }

    // ---- rules ---------------------------------------------------------------------------

    /// The legitimacy that enters grievance this step (set by the model before the step).
    fn grievance_legitimacy(&self) -> f64 {
        self.legitimacy
    }

    /// Rule A (and, in Model II, the killing it means).
    fn decide(&mut self, i: u32, s: &mut Stream) {
        // G − R·P > T needs G > T whatever P (P ≥ 0): the many who can never be active need
        // no look around (an exact shortcut).
        let iu = i as usize;
        if rules::never_active(
            self.hardship[iu],
            self.grievance_legitimacy(),
            self.p.threshold,
        ) {
            self.set_active(i, false);
            return;
        }
        let (c, a) = self.perceive(i);
        let p = self.t.arrest.p(c, a);
        let on = rules::is_active(
            self.hardship[iu],
            self.grievance_legitimacy(),
            self.risk[iu],
            p,
            self.p.threshold,
        );
        self.set_active(i, on);
        if on && self.p.groups == 2 {
            self.kill_near(i, s);
        }
    }

    /// Rule M: a uniformly drawn empty site within vision, if any.
    fn move_agent(&mut self, i: u32, cop: bool, s: &mut Stream) {
        let here = self.site[i as usize];
        if here == NONE {
            return;
        }
        let offsets = if cop {
            &self.t.cop_vision
        } else {
            &self.t.vision
        };
        if offsets.is_empty() {
            return;
        }
        // Rejection: probe random sites in vision, up to 16, then enumerate; both draw
        // uniformly among the empty sites.
        let (w, h) = (self.lattice.width as i32, self.lattice.height as i32);
        let (x, y) = self.lattice.xy(here);
        let (x, y) = (x as i32, y as i32);
        let mut target = None;
        for _ in 0..PROBES {
            let (dx, dy) = offsets[s.below(offsets.len() as u32) as usize];
            let (mut nx, mut ny) = (x + dx, y + dy);
            if nx < 0 {
                nx += w;
            } else if nx >= w {
                nx -= w;
            }
            if ny < 0 {
                ny += h;
            } else if ny >= h {
                ny -= h;
            }
            let n = (ny * w + nx) as u32;
            if self.empty(n) {
                target = Some(n);
                break;
            }
        }
        let target = target.or_else(|| self.pick_empty(here, cop, s));
        if let Some(t) = target {
            self.take(i);
            self.put(i, t);
        }
    }

    /// A uniformly drawn empty site in vision: count the empty sites, draw k, find the k-th
    /// (two branch-free passes over byte runs instead of collecting candidates).
    fn pick_empty(&mut self, here: u32, cop: bool, s: &mut Stream) -> Option<u32> {
        let spans = if cop {
            &self.t.cop_spans
        } else {
            &self.t.spans
        };
        let l = &self.lattice;
        let mut runs = std::mem::take(&mut self.run_scratch);
        runs.clear();
        let mut total = 0u32;
        self.runs(here, spans, |row, xl, xh| {
            let n = l.open_in(row, xl, xh);
            if n > 0 {
                runs.push((row, xl, xh, n));
                total += n;
            }
        });
        let found = if total == 0 {
            None
        } else {
            let mut k = s.below(total);
            let mut found = None;
            for &(row, xl, xh, n) in &runs {
                if k < n {
                    found = Some(l.open_nth(row, xl, xh, k) as u32);
                    break;
                }
                k -= n;
            }
            found
        };
        self.run_scratch = runs;
        found
    }

    /// Free citizens within vision (cop vision if `cop`) of `here` passing `want`, on sites
    /// where `signal` is non-zero, into the scratch list.
    fn citizens_near(
        &mut self,
        here: u32,
        cop: bool,
        actives_only: bool,
        want: impl Fn(&Self, u32) -> bool,
    ) -> Vec<u32> {
        let mut sites = std::mem::take(&mut self.scratch);
        sites.clear();
        let spans = if cop {
            &self.t.cop_spans
        } else {
            &self.t.spans
        };
        let l = &self.lattice;
        let signal = if actives_only { &l.actives } else { &l.free };
        let own = self.sw.own_site;
        let w = l.width as usize;
        self.runs(here, spans, |row, xl, xh| {
            let lo = row * w + xl;
            for (k, &n) in signal[lo..=row * w + xh].iter().enumerate() {
                if n > 0 && (own || lo + k != here as usize) {
                    sites.push((lo + k) as u32);
                }
            }
        });
        let mut found = std::mem::take(&mut self.found_scratch);
        found.clear();
        for &n in &sites {
            let mut a = self.lattice.head[n as usize];
            while a != NONE {
                if self.kind[a as usize] == CITIZEN && !self.jailed[a as usize] && want(self, a) {
                    found.push(a);
                }
                a = self.next[a as usize];
            }
        }
        self.scratch = sites;
        found
    }

    /// A uniformly drawn site with an active citizen within cop vision of `here` (the own
    /// site included), counted and found run by run in [`Self::citizens_near`]'s order.
    fn kth_active_near(&self, here: u32, s: &mut Stream) -> Option<u32> {
        let l = &self.lattice;
        let wpr = l.words_per_row;
        let mut total = 0;
        self.runs(here, &self.t.cop_spans, |row, xl, xh| {
            total += lattice::count_in(&l.active_bits, wpr, row, xl, xh);
        });
        if total == 0 {
            return None;
        }
        let mut k = s.below(total);
        let mut found = None;
        self.runs(here, &self.t.cop_spans, |row, xl, xh| {
            if found.is_some() {
                return;
            }
            let n = lattice::count_in(&l.active_bits, wpr, row, xl, xh);
            if k < n {
                let col = lattice::nth_in(&l.active_bits, wpr, row, xl, xh, k);
                found = Some((row * l.width as usize + col) as u32);
            } else {
                k -= n;
            }
        });
        found
    }

    /// The active citizen on `site` (there is one).
    fn active_on(&self, site: u32) -> u32 {
        let mut a = self.lattice.head[site as usize];
        while a != NONE {
            let au = a as usize;
            if self.kind[au] == CITIZEN && !self.jailed[au] && self.active[au] {
                return a;
            }
            a = self.next[au];
        }
        unreachable!("the site's active bit is set")
    }

    /// Rule C: arrest a random active citizen within cop vision.
    fn arrest(&mut self, cop: u32, s: &mut Stream) {
        let here = self.site[cop as usize];
        if here == NONE {
            return;
        }
        let l = &self.lattice;
        let (x, y) = l.xy(here);
        let own_active =
            l.active_bits[y as usize * l.words_per_row + x as usize / 64] >> (x % 64) & 1 == 1;
        let suspect = if l.crowded == 0 && (self.sw.own_site || !own_active) {
            // One active citizen per site at most, and the own site needs no exclusion: the
            // k-th set bit in the order of the list below is the k-th suspect (same draw).
            match self.kth_active_near(here, s) {
                Some(site) => self.active_on(site),
                None => return,
            }
        } else {
            let suspects = self.citizens_near(here, true, true, |m, a| m.active[a as usize]);
            if suspects.is_empty() {
                self.found_scratch = suspects;
                return;
            }
            let suspect = suspects[s.below(suspects.len() as u32) as usize];
            self.found_scratch = suspects;
            suspect
        };
        let term = rules::jail_term(self.p.max_jail_term, self.sw.jail_range, s);
        self.arrests += 1;
        self.set_active(suspect, false);
        let su = suspect as usize;
        let jailed = rules::held(term, self.sw.release);
        let at = self.site[su];
        if jailed {
            if self.sw.jailed == JailedAgents::OffLattice {
                self.take(suspect);
            } else {
                self.lattice.free[at as usize] -= 1;
                self.lattice.refresh(at as usize);
            }
            self.jailed[su] = true;
            self.jail[su] = term;
            self.prisoners.push((suspect, at));
        }
        if self.sw.cop_steps_onto_arrest && self.empty(at) {
            self.take(cop);
            self.put(cop, at);
        }
    }

    fn release(&mut self, i: u32, left: u32, s: &mut Stream) -> bool {
        let iu = i as usize;
        if self.sw.jailed == JailedAgents::OffLattice {
            let to = if left != NONE && self.empty(left) {
                Some(left)
            } else {
                self.random_empty_site(s)
            };
            let Some(to) = to else { return false };
            self.jailed[iu] = false;
            self.put(i, to);
        } else {
            self.jailed[iu] = false;
            let at = self.site[iu] as usize;
            self.lattice.free[at] += 1;
            self.lattice.refresh(at);
        }
        true
    }

    /// Model II: an active citizen kills a random citizen of the other group within vision.
    fn kill_near(&mut self, i: u32, s: &mut Stream) {
        let here = self.site[i as usize];
        let mine = self.group[i as usize];
        let victims = self.citizens_near(here, false, false, |m: &Self, a: u32| {
            m.group[a as usize] != mine && m.alive[a as usize]
        });
        if !victims.is_empty() {
            let v = victims[s.below(victims.len() as u32) as usize];
            self.die(v);
            self.killed += 1;
        }
        self.found_scratch = victims;
    }

    fn die(&mut self, i: u32) {
        self.take(i);
        self.alive[i as usize] = false;
        self.active[i as usize] = false;
    }

    /// Model II: ageing, death, and cloning onto an empty neighbouring site.
    fn life(&mut self, i: u32, s: &mut Stream) {
        let iu = i as usize;
        self.age[iu] += 1;
        if self.age[iu] >= self.death[iu] {
            self.die(i);
            return;
        }
        if s.bernoulli(self.p.clone_probability) {
            let here = self.site[iu];
            let mut empties = Vec::new();
            for &(dx, dy) in &self.t.near {
                let n = self.lattice.shift(here, dx, dy);
                if self.empty(n) {
                    empties.push(n);
                }
            }
            if !empties.is_empty() {
                let t = empties[s.below(empties.len() as u32) as usize];
                let mut d = Stream::new(
                    self.seed,
                    purpose::DISPOSITION,
                    self.step,
                    self.kind.len() as u32,
                );
                let (g, h) = (self.group[iu], self.hardship[iu]);
                self.spawn(CITIZEN, g, h, t, &mut d);
            }
        }
    }

    // ---- the step ------------------------------------------------------------------------

    fn turn(&mut self, i: u32, s: &mut Stream) {
        let iu = i as usize;
        if !self.alive[iu] {
            return;
        }
        if self.kind[iu] == COP {
            let moves = self.p.movement || self.sw.cops_move_when_still;
            match self.sw.order {
                TurnOrder::MoveThenAct => {
                    if moves {
                        self.move_agent(i, true, s);
                    }
                    self.arrest(i, s);
                }
                TurnOrder::ActThenMove => {
                    self.arrest(i, s);
                    if moves {
                        self.move_agent(i, true, s);
                    }
                }
            }
            return;
        }
        if self.jailed[iu] {
            if self.sw.release != Release::OwnTurn {
                return;
            }
            if self.jail[iu] > 0 {
                self.jail[iu] -= 1;
                return;
            }
            // Off the lattice, the site it left is in the prisoners' list (the only place
            // that holds it); a blocking or transparent prisoner stands on it.
            let left = match self.site[iu] {
                NONE => self
                    .prisoners
                    .iter()
                    .find(|&&(p, _)| p == i)
                    .map_or(NONE, |&(_, left)| left),
                here => here,
            };
            if !self.release(i, left, s) {
                return;
            }
        }
        match self.sw.order {
            TurnOrder::MoveThenAct => {
                if self.p.movement {
                    self.move_agent(i, false, s);
                }
                self.decide(i, s);
            }
            TurnOrder::ActThenMove => {
                self.decide(i, s);
                if self.p.movement && self.alive[iu] {
                    self.move_agent(i, false, s);
                }
            }
        }
        if self.p.groups == 2 && self.alive[iu] {
            self.life(i, s);
        }
    }

    fn end_of_step_releases(&mut self) {
        let mut s = Stream::new(self.seed, purpose::LATTICE_EVENTS, self.step, u32::MAX);
        let list = std::mem::take(&mut self.prisoners);
        let mut kept = Vec::with_capacity(list.len());
        for (i, left) in list {
            let iu = i as usize;
            if !self.jailed[iu] || !self.alive[iu] {
                continue;
            }
            if self.sw.release == Release::EndOfStep {
                if self.jail[iu] > 0 {
                    self.jail[iu] -= 1;
                }
                if self.jail[iu] == 0 && self.release(i, left, &mut s) {
                    continue;
                }
            }
            kept.push((i, left));
        }
        self.prisoners = kept;
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

#[cfg(test)]
mod tests;
