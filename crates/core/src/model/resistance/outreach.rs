//! Outreach and recruitment (step 1 of the day, see [`super`]), and the persuasion rule that appeals
//! and raids share.
//!
//! Each day, a region's organizers make a Poisson number of contacts (rate per member or
//! per cadre, times any drive, times 1 − fear); each contact goes to a random tie of a random
//! organizer. Drawing a contact costs the same whatever the population, so the day costs
//! what it changes.

use super::people::{State, CADRE_LISTED, LISTED};
use crate::prefetch::prefetch;

/// Contacts handled per batch: enough to overlap memory reads, few enough to stay in cache.
const CHUNK: usize = 1024;
/// How many list entries ahead to request.
const AHEAD: usize = 16;
use super::Resistance;
use crate::observe::LogEntry;
use crate::rng::{Purpose, Stream};
use crate::world::World;

/// Who made a contact.
#[derive(Clone, Copy, Debug)]
pub(super) struct Recruiter {
    /// Skill multiplier (1 for members, `cadre_skill` for cadres and infiltrators).
    pub skill: f64,
    /// The recruiting person, whose cell a new member joins if eligible (none for
    /// infiltrators, who found local cells).
    pub who: Option<u32>,
}

impl Resistance {
    /// The day's first process: organizers and infiltrators contact people.
    pub(super) fn outreach(&mut self, step: u32, world: &World, log: &mut Vec<LogEntry>) {
        if !self.fixed.params.organizations {
            return;
        }
        let o = self.fixed.params.outreach.clone();
        for r in 0..self.state.regions.len() {
            let region = &self.state.regions[r];
            let drive = region.drive.at(step, 1.0);
            let calm = 1.0 - region.fear;
            let mut s = Stream::new(self.fixed.seed, Purpose::OUTREACH, step, r as u32);
            // Each list's length counts stale entries too; a draw that finds one is a contact
            // that does not happen (exact Poisson thinning).
            for (role, rate, skill) in [
                (State::Member, o.member_contacts, 1.0),
                (State::Cadre, o.cadre_contacts, o.cadre_skill),
            ] {
                let listed = self.list(r, role).len() as f64;
                let mut k = s.poisson(listed * rate * drive * calm * self.fixed.dt);
                while k > 0 {
                    let n = k.min(CHUNK as u64) as usize;
                    k -= n as u64;
                    self.contacts(r, role, skill, n, &mut s, step, world, log);
                }
            }
            // Small units sent into the region approach random people there.
            let inf = self.state.regions[r].infiltrators.at(step, 0.0);
            if inf > 0.0 {
                let mut s = Stream::new(self.fixed.seed, Purpose::INFILTRATION, step, r as u32);
                let lambda = inf * o.infiltrator_contacts * drive * calm * self.fixed.dt;
                let range = world.people.of_region(r as u16);
                if range.is_empty() {
                    continue;
                }
                for _ in 0..s.poisson(lambda) {
                    let target = range.start + s.below(range.end - range.start);
                    let recruiter = Recruiter {
                        skill: o.cadre_skill,
                        who: None,
                    };
                    self.contact(target, recruiter, &mut s, step, world, log);
                }
            }
        }
    }

    /// `n` contacts by people of `role` in region `r`, in four passes so that the random
    /// reads of each pass (list entries, person records, tie rows, contacts' records) are
    /// requested ahead and overlap instead of waiting one by one. Draw order: every list
    /// index, then every tie, then every outcome, so results do not depend on the passes.
    #[allow(clippy::too_many_arguments)]
    fn contacts(
        &mut self,
        r: usize,
        role: State,
        skill: f64,
        n: usize,
        s: &mut Stream,
        step: u32,
        world: &World,
        log: &mut Vec<LogEntry>,
    ) {
        let net = &world.network;
        let len = self.list(r, role).len() as u32;
        if len == 0 {
            return;
        }
        let index: Vec<u32> = (0..n).map(|_| s.below(len)).collect();
        // Pass 1: who is drawn.
        let mut who = Vec::with_capacity(n);
        {
            let list = self.list(r, role);
            for (m, &j) in index.iter().enumerate() {
                if let Some(&ahead) = index.get(m + AHEAD) {
                    prefetch(list, ahead as usize);
                }
                let w = list[j as usize];
                prefetch(&self.state.persons.hot, w as usize);
                prefetch(&net.offsets, w as usize);
                who.push(w);
            }
        }
        // Pass 2: which tie; stale entries are noted for pruning.
        let mut stale = Vec::new();
        let mut at: Vec<(u32, usize)> = Vec::with_capacity(n);
        for (m, &w) in who.iter().enumerate() {
            let h = self.state.persons.hot[w as usize];
            if State::from_u8(h.state) != role {
                stale.push(index[m]);
                continue;
            }
            if h.flags & super::people::HIDING != 0 {
                continue;
            }
            let lo = net.offsets[w as usize] as usize;
            let degree = net.offsets[w as usize + 1] as usize - lo;
            if degree == 0 {
                continue;
            }
            let pos = lo + s.below(degree as u32) as usize;
            prefetch(&net.targets, pos);
            at.push((w, pos));
        }
        // Pass 3: the contacts' records.
        let targets: Vec<u32> = at
            .iter()
            .map(|&(_, pos)| {
                let t = net.targets[pos];
                prefetch(&self.state.persons.hot, t as usize);
                t
            })
            .collect();
        // Pass 4: outcomes, in order.
        for (&(w, _), &t) in at.iter().zip(&targets) {
            let recruiter = Recruiter {
                skill,
                who: Some(w),
            };
            self.contact(t, recruiter, s, step, world, log);
        }
        // Prune stale entries, highest index first so earlier ones stay put.
        stale.sort_unstable_by(|a, b| b.cmp(a));
        stale.dedup();
        let flag = if role == State::Cadre {
            CADRE_LISTED
        } else {
            LISTED
        };
        for j in stale {
            let list = match role {
                State::Cadre => &mut self.state.regions[r].cadres,
                _ => &mut self.state.regions[r].members,
            };
            let gone = list.swap_remove(j as usize);
            self.state.persons.hot[gone as usize].flags &= !flag;
        }
    }

    /// The chance factor shared by persuasion and enrolment: grievance, risk and fear.
    pub(super) fn receptivity(&self, i: u32, _world: &World) -> f64 {
        let h = self.state.persons.hot[i as usize];
        let fear = self.state.regions[h.region as usize].fear;
        let (g, r) = (f64::from(h.grievance) / 255.0, f64::from(h.risk) / 255.0);
        g * (1.0 - self.fixed.params.outreach.risk_weight * r) * (1.0 - fear)
    }

    /// One contact: an unreached person may become a sympathizer, a sympathizer may join.
    pub(super) fn contact(
        &mut self,
        target: u32,
        recruiter: Recruiter,
        s: &mut Stream,
        step: u32,
        world: &World,
        log: &mut Vec<LogEntry>,
    ) {
        let o = &self.fixed.params.outreach;
        let state = self.state.persons.state(target);
        if state > State::Sympathizer {
            return;
        }
        let q = self.receptivity(target, world) * recruiter.skill;
        match state {
            State::Unreached if s.bernoulli(o.persuade * q) => {
                self.set_state(target, State::Sympathizer, world);
            }
            State::Sympathizer => {
                let p = o.join * q;
                let u = s.uniform();
                let pick = s.uniform();
                if u < p {
                    // Only now is the recruiter's cell looked up (a rare event).
                    let cell = recruiter
                        .who
                        .map(|who| self.state.persons.cell[who as usize])
                        .filter(|&c| c != super::people::NO_CELL);
                    let rk = cell.map(|c| self.state.cells.kind[c as usize]);
                    if let Some(kind) = self.kind_for(target, rk, pick, step, world) {
                        let preferred = cell.filter(|_| rk == Some(kind));
                        self.enrol(target, kind, preferred, step, world, log);
                    }
                }
            }
            _ => {}
        }
    }

    /// An appeal reaching person `i` (appeals and raids): unreached people may sympathize.
    pub(super) fn hear_appeal(&mut self, i: u32, s: &mut Stream, world: &World) {
        if self.state.persons.state(i) == State::Unreached {
            let q = self.receptivity(i, world);
            if s.bernoulli(self.fixed.params.outreach.persuade * q) {
                self.set_state(i, State::Sympathizer, world);
            }
        }
    }
}
