//! Repression (step 4 of the day): releases from jail, drafts that drive young men into
//! the mountains, police detection of cells, arrests, betrayal cascades, fear and backlash;
//! and punitive expeditions against bases (a timeline event).
//!
//! Detection hazard of a cell c in region r, per day:
//!   h_c = detection × (police density / police_reference) × control × campaign × e_c,
//!   e_c = exposure(kind) × (1 + members / exposure_size).
//! The region's total is kept as two running sums, so the number of detections is one
//! Poisson draw and each detected cell is drawn in proportion to e_c.

use std::cmp::Reverse;

use super::people::{State, NO_CELL};
use super::Resistance;
use crate::observe::LogEntry;
use crate::rng::{Purpose, Stream};
use crate::world::World;

/// Everyone in jail, with the step each is due out.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Jail {
    /// (release step, person), the earliest due first.
    pub queue: std::collections::BinaryHeap<std::cmp::Reverse<(u32, u32)>>,
    /// Prisoners let go before their term to make room for new arrests (full jails).
    pub released_early: u64,
}

impl Resistance {
    /// Repression, the day's fourth process (see the order in `mod.rs`).
    pub(super) fn repression(&mut self, step: u32, world: &World, log: &mut Vec<LogEntry>) {
        self.release(step, world);
        self.drafts(step, world);
        self.bans(step, log);
        let decay = (1.0 - self.fixed.params.repression.fear_decay).powf(self.fixed.dt);
        for r in 0..self.state.regions.len() {
            self.state.regions[r].fear *= decay;
            self.detect(r, step, world, log);
        }
    }

    /// Jail terms that end today.
    fn release(&mut self, step: u32, world: &World) {
        while let Some(&Reverse((day, i))) = self.state.jail.queue.peek() {
            if day > step {
                break;
            }
            self.state.jail.queue.pop();
            if self.state.persons.state(i) == State::Arrested {
                self.set_state(i, State::Sympathizer, world);
            }
        }
    }

    /// Under conscription, young unorganized men hide in the mountains.
    fn drafts(&mut self, step: u32, world: &World) {
        for r in 0..self.state.regions.len() {
            let g = &self.state.regions[r];
            if g.hiding_rate <= 0.0 || g.mountain <= 0.0 {
                continue;
            }
            let range = world.people.of_region(r as u16);
            if range.is_empty() {
                continue;
            }
            // Young men are about a tenth of the people; draw among everyone and keep them.
            let lambda =
                g.hiding_rate * g.mountain * f64::from(range.end - range.start) * self.fixed.dt;
            let mut s = Stream::new(self.fixed.seed, Purpose::HIDING, step, r as u32);
            for _ in 0..s.poisson(lambda) {
                let i = range.start + s.below(range.end - range.start);
                let young_man =
                    world.people.age[i as usize] == 1 && world.people.sex[i as usize] == 1;
                if young_man && self.state.persons.state(i) <= State::Sympathizer {
                    self.hide(i, world);
                }
            }
        }
    }

    /// Police work in region `r`.
    fn detect(&mut self, r: usize, step: u32, world: &World, log: &mut Vec<LogEntry>) {
        let p = self.fixed.params.repression.clone();
        let g = &self.state.regions[r];
        if g.exposure_cells <= 0.0 || g.police <= 0.0 {
            return;
        }
        let pressure = p.detection
            * (g.police_density() / p.police_reference)
            * g.control
            * g.campaign.at(step, 1.0);
        let total = g.exposure_cells + g.exposure_members / p.exposure_size;
        let mut s = Stream::new(self.fixed.seed, Purpose::REPRESSION, step, r as u32);
        let k = s.poisson(pressure * total * self.fixed.dt);
        if k == 0 {
            return;
        }
        let max_exposure = (0..self.fixed.params.kinds.len())
            .map(|k| self.exposure(k))
            .fold(0.0, f64::max);
        let mut queue = Vec::new();
        for _ in 0..k {
            if let Some(c) = self.draw_cell(r, total, max_exposure, &mut s) {
                queue.push(c);
            }
        }
        let before = self.state.tallies.arrests;
        let detected = self.break_cells(queue, step, &mut s, world);
        let arrested = self.state.tallies.arrests - before;
        if arrested > 0 {
            log.push(LogEntry {
                step,
                kind: "arrests".into(),
                region: Some(r as u16),
                count: arrested,
                detail: format!(
                    "{detected} cell{} detected, {arrested} arrested",
                    if detected == 1 { "" } else { "s" }
                ),
            });
        }
    }

    /// Draws a cell of region `r` in proportion to its exposure.
    fn draw_cell(
        &mut self,
        r: usize,
        total: f64,
        max_exposure: f64,
        s: &mut Stream,
    ) -> Option<u32> {
        for _ in 0..64 {
            let g = &self.state.regions[r];
            let by_cells = s.uniform() * total < g.exposure_cells;
            let cell = if by_cells {
                if g.cells.is_empty() {
                    return None;
                }
                let j = s.below(g.cells.len() as u32) as usize;
                let c = g.cells[j];
                if self.state.cells.members[c as usize].is_empty() {
                    self.state.regions[r].cells.swap_remove(j);
                    self.state.cells.listed[c as usize] = false;
                    continue;
                }
                c
            } else {
                // A member drawn at random belongs to cell c with chance ∝ its size.
                let i = self.draw_organizer(r, s)?;
                let c = self.state.persons.cell[i as usize];
                if c == NO_CELL {
                    continue;
                }
                c
            };
            let e = self.exposure(self.state.cells.kind[cell as usize] as usize);
            if s.uniform() * max_exposure < e {
                return Some(cell);
            }
        }
        None
    }

    /// Breaks detected cells: arrests, exposure, betrayal (which adds cells to the queue),
    /// fear and backlash. Returns the number of cells broken.
    pub(super) fn break_cells(
        &mut self,
        mut queue: Vec<u32>,
        step: u32,
        s: &mut Stream,
        world: &World,
    ) -> u64 {
        let p = self.fixed.params.repression.clone();
        let mut broken = Vec::new();
        let mut n = 0;
        while let Some(c) = queue.pop() {
            // Betrayal leads to nobody in an organization that is still legal.
            if broken.contains(&c) || self.legal(self.state.cells.kind[c as usize] as usize) {
                continue;
            }
            broken.push(c);
            n += 1;
            let members = self.state.cells.members[c as usize].clone();
            for i in members {
                if !self.state.persons.state(i).is_organizer() || self.state.persons.hiding(i) {
                    continue;
                }
                let region = world.people.region[i as usize] as usize;
                // With no jail space at all the police take nobody: the member escapes as if
                // not caught.
                if s.bernoulli(p.arrest) && self.arrest(i, step, world) {
                    if s.bernoulli(p.betray) {
                        let ties = world.network.neighbours(i);
                        if !ties.is_empty() {
                            let t = ties[s.below(ties.len() as u32) as usize];
                            let tc = self.state.persons.cell[t as usize];
                            if tc != NO_CELL
                                && tc != c
                                && self.state.persons.state(t).is_organizer()
                            {
                                queue.push(tc);
                            }
                        }
                    }
                } else if s.bernoulli(p.hide * self.state.regions[region].mountain) {
                    self.hide(i, world);
                }
            }
        }
        n
    }

    /// Arrests person `i` for a term of the Peace Preservation Law (`jail_min`..`jail_max`).
    /// When the jails are full the prisoner due out soonest is let go early to make room (the
    /// police keep breaking cells; terms shorten): prisoners never exceed the jail space.
    /// `false` (nobody arrested) only when there is no jail space at all.
    pub(super) fn arrest(&mut self, i: u32, step: u32, world: &World) -> bool {
        let p = &self.fixed.params.repression;
        let (lo, hi) = (p.jail_min, p.jail_max);
        if self.jail_room() < 1.0 && !self.release_early(world) {
            return false;
        }
        self.arrest_for(i, step, lo, hi, world);
        true
    }

    /// Lets the prisoner due out soonest go now; `false` if the jails are empty.
    fn release_early(&mut self, world: &World) -> bool {
        while let Some(Reverse((_, j))) = self.state.jail.queue.pop() {
            if self.state.persons.state(j) == State::Arrested {
                self.set_state(j, State::Sympathizer, world);
                self.state.jail.released_early += 1;
                return true;
            }
        }
        false
    }

    /// Arrests person `i` for a term drawn between `lo` and `hi` days: jail, fear in the
    /// region, grievance among their ties. The caller has checked the jail space.
    pub(super) fn arrest_for(&mut self, i: u32, step: u32, lo: f64, hi: f64, world: &World) {
        let p = &self.fixed.params.repression;
        let (gain, backlash) = (p.fear_gain, p.backlash);
        self.leave_cell(i);
        self.set_state(i, State::Arrested, world);
        let mut js = Stream::new(self.fixed.seed, Purpose::JAIL, step, i);
        let days = lo + (hi - lo) * js.uniform();
        let release = step + (days / self.fixed.dt).ceil().max(1.0) as u32;
        self.state.jail.queue.push(Reverse((release, i)));
        self.state.tallies.arrests += 1;
        let g = &mut self.state.regions[world.people.region[i as usize] as usize];
        if g.population > 0 {
            g.fear = (g.fear + gain * 1000.0 / f64::from(g.population)).min(1.0);
        }
        let add = super::people::to_byte(backlash);
        for &t in world.network.neighbours(i) {
            let gr = &mut self.state.persons.hot[t as usize].grievance;
            *gr = gr.saturating_add(add);
        }
    }

    /// A punitive expedition of `strength` troops against the bases (of `region`, or all):
    /// a Lanchester battle with the base's fighters; the fighters' losses die, and if the
    /// troops win the base loses its materials.
    pub(super) fn expedition(
        &mut self,
        region: Option<u16>,
        strength: f64,
        step: u32,
        world: &World,
        log: &mut Vec<LogEntry>,
    ) {
        let targets: Vec<usize> = (0..self.state.regions.len())
            .filter(|&r| self.state.regions[r].base && region.is_none_or(|x| x as usize == r))
            .collect();
        if targets.is_empty() {
            return;
        }
        let each = strength / targets.len() as f64;
        let c = self.fixed.params.combat.clone();
        for r in targets {
            let fighters = self.state.regions[r].count[State::Fighter as usize] as f64;
            let (troops_left, fighters_left) = super::forces::lanchester(
                each * c.garrison_weight,
                fighters * c.fighter_weight,
                c.fire,
                10.0 * self.fixed.dt,
            );
            let lost = if c.fighter_weight > 0.0 {
                fighters - fighters_left / c.fighter_weight
            } else {
                0.0
            };
            let mut s = Stream::new(
                self.fixed.seed,
                Purpose::COMBAT,
                step,
                (self.state.regions.len() + r) as u32,
            );
            let killed = self.casualties(r, State::Fighter, lost, &mut s, world);
            let g = &mut self.state.regions[r];
            g.killed[super::regions::killed::FIGHTERS] += killed as f64;
            if c.garrison_weight > 0.0 {
                g.killed[super::regions::killed::EXPEDITION_TROOPS] +=
                    each - troops_left / c.garrison_weight;
            }
            let won = troops_left > fighters_left;
            if won {
                self.state.regions[r].materials = 0.0;
            }
            log.push(LogEntry {
                step,
                kind: "punitive_expedition".into(),
                region: Some(r as u16),
                count: killed,
                detail: format!(
                    "{} troops against the base in {}: {killed} fighters killed{}",
                    each.round(),
                    self.fixed.names[r],
                    if won { ", materials seized" } else { "" }
                ),
            });
        }
    }
}
