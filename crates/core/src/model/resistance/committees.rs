//! Local committees (an observation, after step 7): the people's committees that formed
//! wherever people had risen, as the CPKI's branches did in the second half of August 1945.
//!
//! The home regions are cut into `counties` local units, shared by population (largest
//! remainder, at least one per populated region); person i of a region belongs to unit
//! ⌊k · n_r / P_r⌋ of it, k being i's place in the region, so a unit is a block of people
//! who live near each other (the network's villages and districts are blocks too). A unit
//! forms a committee the first time at least `quorum` of its people are out at once, and
//! keeps it when the crowds go home (the CPKI's branches outlived the demonstrations of
//! August 1945). The risen of each unit are counted as people change state, so the count
//! costs nothing per day. Nothing in the model acts on the committees: they measure how far
//! the self-organization reached.

use super::people::State;
use super::Resistance;
use crate::scenario::Scenario;
use crate::world::World;

/// Where each region's local units start, and how many people each holds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counties {
    /// Index of each region's first unit; `base[r + 1] − base[r]` units in region r.
    base: Vec<u32>,
    /// Persons in each unit.
    size: Vec<u32>,
}

impl Counties {
    /// Cuts the home regions into `total` units in proportion to their people.
    pub fn new(scenario: &Scenario, world: &World, total: u32) -> Counties {
        let pops: Vec<u64> = scenario
            .regions
            .iter()
            .enumerate()
            .map(|(r, g)| {
                if g.abroad {
                    0
                } else {
                    world.people.of_region(r as u16).len() as u64
                }
            })
            .collect();
        let home: u64 = pops.iter().sum();
        let mut units: Vec<u32> = vec![0; pops.len()];
        if total > 0 && home > 0 {
            // Largest remainder, then at least one unit in each populated region.
            let quota: Vec<f64> = pops
                .iter()
                .map(|&p| f64::from(total) * p as f64 / home as f64)
                .collect();
            for (u, q) in units.iter_mut().zip(&quota) {
                *u = q.floor() as u32;
            }
            let mut left = total.saturating_sub(units.iter().sum());
            let mut order: Vec<usize> = (0..pops.len()).collect();
            order.sort_by(|&a, &b| {
                (quota[b] - quota[b].floor())
                    .total_cmp(&(quota[a] - quota[a].floor()))
                    .then(a.cmp(&b))
            });
            for &r in order.iter().cycle().take(pops.len() * 2) {
                if left == 0 {
                    break;
                }
                if pops[r] > 0 {
                    units[r] += 1;
                    left -= 1;
                }
            }
            for (u, &p) in units.iter_mut().zip(&pops) {
                *u = if p == 0 { 0 } else { (*u).clamp(1, p as u32) };
            }
        }
        let mut base = Vec::with_capacity(pops.len() + 1);
        let mut size = Vec::new();
        base.push(0);
        for (&n, &p) in units.iter().zip(&pops) {
            for j in 0..u64::from(n) {
                // People k with ⌊k·n/P⌋ = j: from ⌈j·P/n⌉ up to ⌈(j+1)·P/n⌉.
                let lo = (j * p).div_ceil(u64::from(n));
                let hi = ((j + 1) * p).div_ceil(u64::from(n));
                size.push((hi - lo) as u32);
            }
            base.push(base.last().unwrap() + n);
        }
        Counties { base, size }
    }

    /// Number of units.
    pub fn len(&self) -> usize {
        self.size.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.size.is_empty()
    }

    /// The unit of person `i`, if their region has units.
    pub fn of(&self, i: u32, world: &World) -> Option<usize> {
        let r = world.people.region[i as usize] as usize;
        let n = self.base.get(r + 1)? - self.base[r];
        if n == 0 {
            return None;
        }
        let range = world.people.of_region(r as u16);
        let k = u64::from(i - range.start);
        let p = u64::from(range.end - range.start);
        Some(self.base[r] as usize + (k * u64::from(n) / p) as usize)
    }

    /// Units of region `r`.
    pub fn of_region(&self, r: usize) -> std::ops::Range<usize> {
        self.base[r] as usize..self.base[r + 1] as usize
    }
}

impl Resistance {
    /// Keeps the risen count of `i`'s unit when `i` rises or stops being risen.
    pub(super) fn count_committee(&mut self, i: u32, from: State, to: State, world: &World) {
        if self.fixed.counties.is_empty() || (from != State::Risen && to != State::Risen) {
            return;
        }
        let unit = self.fixed.counties.of(i, world);
        if let Some(n) = unit.and_then(|c| self.state.uprising.county_risen.get_mut(c)) {
            if to == State::Risen {
                *n += 1;
            } else {
                *n = n.saturating_sub(1);
            }
        }
        if let Some(c) = unit {
            let q = self.fixed.params.committees.quorum;
            let size = self.fixed.counties.size[c];
            let risen = self
                .state
                .uprising
                .county_risen
                .get(c)
                .copied()
                .unwrap_or(0);
            if to == State::Risen && size > 0 && f64::from(risen) >= q * f64::from(size) {
                if let Some(f) = self.state.uprising.county_formed.get_mut(c) {
                    *f = true;
                }
            }
        }
    }

    /// Units of region `r` that have a committee now.
    pub(super) fn committees_in(&self, r: usize) -> u32 {
        self.fixed
            .counties
            .of_region(r)
            .filter(|&c| {
                self.state
                    .uprising
                    .county_formed
                    .get(c)
                    .copied()
                    .unwrap_or(false)
            })
            .count() as u32
    }
}
