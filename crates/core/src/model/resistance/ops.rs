//! The operations that keep the model's counts and lists in step with its people: every change
//! of a person's state (with the region's counts, the contributors by occupation, the organized
//! by attribute and the per-region lists), hiding, draws from a region's lists, and the
//! strengths and casualties of combat. The processes call down into these for every change of
//! a person's state. Some processes still keep counts of their own (cells and members in
//! `organizations.rs`, contacts in `outreach.rs`, arrests in `repression.rs`, ties out in
//! `uprising.rs`); the invariants the tests check (`integrity.rs`) cover those too.

use super::people::{State, CADRE_LISTED, COUNTED, HIDE_LISTED, HIDING, LISTED, PRIOR_SHIFT};
use super::{Resistance, Side};
use crate::rng::Stream;
use crate::world::World;

impl Resistance {
    /// Moves person `i` to state `to`, keeping every count and list in step.
    pub(crate) fn set_state(&mut self, i: u32, to: State, world: &World) {
        let from = self.state.persons.state(i);
        if from == to {
            return;
        }
        let p = &world.people;
        let iu = i as usize;
        let occ = p.occupation[iu] as usize;
        let r = &mut self.state.regions[p.region[iu] as usize];
        r.count[from as usize] -= 1;
        r.count[to as usize] += 1;
        let contributing = |s: State| match s {
            State::Member | State::Cadre => Some(0),
            State::Sympathizer => Some(1),
            _ => None,
        };
        if let Some(k) = contributing(from) {
            r.by_occupation[k][occ] -= 1;
        }
        if let Some(k) = contributing(to) {
            r.by_occupation[k][occ] += 1;
        }
        let organized = |s: State| matches!(s, State::Member | State::Cadre | State::Fighter);
        let attrs = [
            p.age[iu] as usize,
            3 + p.sex[iu] as usize,
            5 + p.occupation[iu] as usize,
        ];
        if organized(from) && !organized(to) {
            for a in attrs {
                r.organized_by[a] -= 1;
            }
        } else if !organized(from) && organized(to) {
            for a in attrs {
                r.organized_by[a] += 1;
            }
        }
        let flags = &mut self.state.persons.hot[iu].flags;
        if to == State::Member && *flags & LISTED == 0 {
            *flags |= LISTED;
            r.members.push(i);
        }
        if to == State::Cadre && *flags & CADRE_LISTED == 0 {
            *flags |= CADRE_LISTED;
            r.cadres.push(i);
        }
        if matches!(
            to,
            State::Risen | State::Arrested | State::Dead | State::Fighter
        ) && *flags & HIDING != 0
        {
            *flags &= !HIDING;
            r.hiding -= 1;
        }
        match to {
            State::Risen => r.risen.push(i),
            State::Fighter => r.fighters.push(i),
            _ => {}
        }
        if to == State::Risen && *flags & super::people::WENT_HOME == 0 {
            r.ever_risen += 1;
        }
        if to == State::Risen {
            // Remember where they came from: going home returns them there.
            let prior = (from as u8).min(State::Cadre as u8);
            *flags = (*flags & !(3 << PRIOR_SHIFT)) | (prior << PRIOR_SHIFT);
        }
        let uncount = from == State::Risen && *flags & COUNTED != 0;
        if uncount {
            *flags &= !COUNTED;
        }
        self.state.persons.hot[iu].state = to as u8;
        if uncount {
            // No longer out: their ties stop counting them at once.
            let weights = world.network.weights_of(i);
            for (k, &t) in world.network.neighbours(i).iter().enumerate() {
                let c = &mut self.state.persons.hot[t as usize].risen_ties;
                *c = c.saturating_sub(1);
                if let Some(w) = weights {
                    let rw = &mut self.state.uprising.risen_weight[t as usize];
                    *rw = (*rw - w[k]).max(0.0);
                }
            }
        }
        self.count_committee(i, from, to, world);
    }

    /// Draws a risen person of region `r` and takes them off its list of risen (the caller
    /// moves them to another state at once), or `None` if nobody is out there.
    pub(super) fn take_risen(&mut self, r: usize, s: &mut Stream) -> Option<u32> {
        let list = &mut self.state.regions[r].risen;
        if list.is_empty() {
            return None;
        }
        let j = s.below(list.len() as u32) as usize;
        Some(list.swap_remove(j))
    }

    /// Sends person `i` into hiding in the mountains.
    pub(crate) fn hide(&mut self, i: u32, world: &World) {
        let iu = i as usize;
        if self.state.persons.hot[iu].flags & HIDING != 0 {
            return;
        }
        let r = &mut self.state.regions[world.people.region[iu] as usize];
        r.hiding += 1;
        if self.state.persons.hot[iu].flags & HIDE_LISTED == 0 {
            r.hiders.push(i);
        }
        self.state.persons.hot[iu].flags |= HIDING | HIDE_LISTED;
    }

    /// Stochastic rounding: `x` persons become ⌊x⌋ or ⌈x⌉ with the right mean.
    pub(super) fn whole(x: f64, u: f64) -> u64 {
        let f = x.max(0.0).floor();
        f as u64 + u64::from(u < x - f)
    }

    /// The list of region `r` that holds people of `role` (member or cadre).
    pub(super) fn list(&self, r: usize, role: State) -> &Vec<u32> {
        match role {
            State::Cadre => &self.state.regions[r].cadres,
            _ => &self.state.regions[r].members,
        }
    }

    /// One draw from the `role` list of region `r`: the person, or `None` if the entry was
    /// stale (it is then pruned).
    pub(super) fn pick(&mut self, r: usize, role: State, s: &mut Stream) -> Option<u32> {
        let (list, flag) = match role {
            State::Cadre => (&mut self.state.regions[r].cadres, CADRE_LISTED),
            _ => (&mut self.state.regions[r].members, LISTED),
        };
        if list.is_empty() {
            return None;
        }
        let j = s.below(list.len() as u32) as usize;
        let who = list[j];
        if self.state.persons.state(who) == role {
            return Some(who);
        }
        list.swap_remove(j);
        self.state.persons.hot[who as usize].flags &= !flag;
        None
    }

    /// A uniformly drawn member or cadre of region `r` (each list in proportion to its
    /// length), trying a bounded number of times; `None` if there is none.
    pub(super) fn draw_organizer(&mut self, r: usize, s: &mut Stream) -> Option<u32> {
        for _ in 0..64 {
            let (m, c) = (
                self.state.regions[r].members.len(),
                self.state.regions[r].cadres.len(),
            );
            if m + c == 0 {
                return None;
            }
            let role = if (s.below((m + c) as u32) as usize) < m {
                State::Member
            } else {
                State::Cadre
            };
            if let Some(who) = self.pick(r, role, s) {
                return Some(who);
            }
        }
        None
    }

    /// Share of region `r`'s risen whom the strategic materials there arm (0..1): one arms
    /// unit per person. Arms are where they are stored (a base) or where a column has handed
    /// them out; they do not reach a region by themselves.
    pub(super) fn armed_share(&self, r: usize) -> f64 {
        let g = &self.state.regions[r];
        let risen = g.count[State::Risen as usize];
        if risen == 0 {
            0.0
        } else {
            (g.materials / risen as f64).min(1.0)
        }
    }

    /// Effective strengths in region `r` at `step` (see [`Strengths`]).
    pub(super) fn strengths(&self, r: usize, step: u32) -> Strengths {
        let c = &self.fixed.params.combat;
        let armed = self.armed_share(r);
        let g = &self.state.regions[r];
        let ruling = g.ruling_strength(c);
        let columns: f64 = self
            .state
            .forces
            .columns
            .iter()
            .filter(|k| k.region as usize == r && k.arrives <= step && k.ordered)
            .map(|k| {
                k.strength
                    * if k.side == Side::Main {
                        c.main_weight
                    } else {
                        c.external_weight
                    }
            })
            .sum();
        let fighters = if g.open {
            g.count[State::Fighter as usize] as f64 * c.fighter_weight
        } else {
            0.0
        };
        let risen = g.count[State::Risen as usize] as f64;
        let turned = super::loyalty::turned_strength(c, g);
        Strengths {
            ruling,
            columns,
            armed: columns + fighters + turned + risen * armed * c.armed_weight,
            crowds: risen * (1.0 - armed) * c.unarmed_weight,
        }
    }

    /// Kills `x` (rounded stochastically) people of `state` in region `r`, drawn from its list.
    pub(super) fn casualties(
        &mut self,
        r: usize,
        state: State,
        x: f64,
        s: &mut Stream,
        world: &World,
    ) -> u64 {
        let k = Self::whole(x, s.uniform());
        let mut killed = 0;
        for _ in 0..k {
            let list = match state {
                State::Fighter => &mut self.state.regions[r].fighters,
                _ => &mut self.state.regions[r].risen,
            };
            if list.is_empty() {
                break;
            }
            let j = s.below(list.len() as u32) as usize;
            let i = list.swap_remove(j);
            self.leave_cell(i);
            self.set_state(i, State::Dead, world);
            killed += 1;
        }
        killed
    }

    /// The call to rise reaches region `r`.
    pub(super) fn open_region(&mut self, r: u16) {
        if !self.state.regions[r as usize].open {
            self.state.regions[r as usize].open = true;
        }
        self.state.uprising.rescan.push(r);
    }
}

/// The two sides' effective strengths in a region (effective fighters; see [`super::forces`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Strengths {
    /// The ruling side: garrison · garrison_weight + police · police_weight.
    pub ruling: f64,
    /// The columns standing in the region (main force and outside armies), weighted.
    pub columns: f64,
    /// Everyone on the rebel side who carries arms and fights battles: the columns, the
    /// region's fighters (once it has risen), troops and police who joined the rebels, and the
    /// risen whom the materials arm.
    pub armed: f64,
    /// The unarmed risen, weighted by `unarmed_weight` (0 by default): they fight no battle;
    /// where the weight is above 0, a ruling side that must hold them down controls the
    /// region less by their numbers alone.
    pub crowds: f64,
}

impl Strengths {
    /// The ruling side's share of all the strength in the region, toward which its control
    /// moves: G / (G + armed + crowds), or `None` where neither side has any.
    pub fn ruling_share(&self) -> Option<f64> {
        let all = self.ruling + self.armed + self.crowds;
        (all > 0.0).then(|| self.ruling / all)
    }
}
