//! Outreach and recruitment (MODEL.md §3.2 step 2), and the persuasion rule that appeals
//! and raids share.
//!
//! Each day, a region's organizers make a Poisson number of contacts (rate per member or
//! per cadre, times any drive, times 1 − fear); each contact goes to a random tie of a random
//! organizer. Drawing a contact costs the same whatever the population, so the day costs
//! what it changes.

use super::people::{State, LISTED};
use super::Resistance;
use crate::engine::World;
use crate::observe::LogEntry;
use crate::rng::{Purpose, Stream};

/// Who made a contact.
#[derive(Clone, Copy, Debug)]
pub(super) struct Recruiter {
    /// Skill multiplier (1 for members, `cadre_skill` for cadres and infiltrators).
    pub skill: f64,
    /// The recruiter's cell, which a new member joins if eligible.
    pub cell: Option<u32>,
}

impl Resistance {
    /// Step 2: organizers and infiltrators contact people.
    pub(super) fn outreach(&mut self, step: u32, world: &World, log: &mut Vec<LogEntry>) {
        if !self.params.organizations {
            return;
        }
        let o = self.params.outreach.clone();
        for r in 0..self.regions.len() {
            let region = &self.regions[r];
            let drive = region.drive.at(step, 1.0);
            let calm = 1.0 - region.fear;
            // Thinning: draw at the highest rate, accept each draw at the drawn person's rate.
            let top = o.member_contacts.max(o.cadre_contacts);
            let lambda = region.organizers.len() as f64 * top * drive * calm * self.dt;
            let mut s = Stream::new(self.seed, Purpose::OUTREACH, step, r as u32);
            let k = s.poisson(lambda);
            for _ in 0..k {
                let Some(who) = self.draw_organizer(r, &mut s) else {
                    break;
                };
                let cadre = self.persons.state(who) == State::Cadre;
                let rate = if cadre { o.cadre_contacts } else { o.member_contacts };
                if s.uniform() * top >= rate || self.persons.hiding(who) {
                    continue;
                }
                let ties = world.network.neighbours(who);
                if ties.is_empty() {
                    continue;
                }
                let target = ties[s.below(ties.len() as u32) as usize];
                let cell = self.persons.cell[who as usize];
                let recruiter = Recruiter {
                    skill: if cadre { o.cadre_skill } else { 1.0 },
                    cell: (cell != super::people::NO_CELL).then_some(cell),
                };
                self.contact(target, recruiter, &mut s, step, world, log);
            }
            // Small units sent into the region approach random people there.
            let inf = self.regions[r].infiltrators.at(step, 0.0);
            if inf > 0.0 {
                let mut s = Stream::new(self.seed, Purpose::INFILTRATION, step, r as u32);
                let lambda = inf * o.infiltrator_contacts * drive * calm * self.dt;
                let range = world.people.of_region(r as u16);
                if range.is_empty() {
                    continue;
                }
                for _ in 0..s.poisson(lambda) {
                    let target = range.start + s.below(range.end - range.start);
                    let recruiter = Recruiter {
                        skill: o.cadre_skill,
                        cell: None,
                    };
                    self.contact(target, recruiter, &mut s, step, world, log);
                }
            }
        }
    }

    /// A uniformly drawn organizer of region `r`, pruning stale list entries on the way.
    pub(super) fn draw_organizer(&mut self, r: usize, s: &mut Stream) -> Option<u32> {
        loop {
            let list = &mut self.regions[r].organizers;
            if list.is_empty() {
                return None;
            }
            let j = s.below(list.len() as u32) as usize;
            let who = list[j];
            if self.persons.state(who).is_organizer() {
                return Some(who);
            }
            list.swap_remove(j);
            self.persons.flags[who as usize] &= !LISTED;
        }
    }

    /// The chance factor shared by persuasion and enrolment: grievance, risk and fear.
    pub(super) fn receptivity(&self, i: u32, world: &World) -> f64 {
        let fear = self.regions[world.people.region[i as usize] as usize].fear;
        self.persons.grievance(i)
            * (1.0 - self.params.outreach.risk_weight * self.persons.risk(i))
            * (1.0 - fear)
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
        let o = &self.params.outreach;
        let q = self.receptivity(target, world) * recruiter.skill;
        match self.persons.state(target) {
            State::Unreached if s.bernoulli(o.persuade * q) => {
                self.set_state(target, State::Sympathizer, world);
            }
            State::Sympathizer => {
                let p = o.join * q;
                let u = s.uniform();
                let pick = s.uniform();
                if u < p {
                    let rk = recruiter.cell.map(|c| self.cells.kind[c as usize]);
                    if let Some(kind) = self.kind_for(target, rk, pick, step, world) {
                        let preferred = recruiter.cell.filter(|_| rk == Some(kind));
                        self.enrol(target, kind, preferred, step, world, log);
                    }
                }
            }
            _ => {}
        }
    }

    /// An appeal reaching person `i` (appeals and raids): unreached people may sympathize.
    pub(super) fn hear_appeal(&mut self, i: u32, s: &mut Stream, world: &World) {
        if self.persons.state(i) == State::Unreached {
            let q = self.receptivity(i, world);
            if s.bernoulli(self.params.outreach.persuade * q) {
                self.set_state(i, State::Sympathizer, world);
            }
        }
    }
}
