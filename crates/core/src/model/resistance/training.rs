//! Bases and training (step 3 of the day).
//!
//! A region becomes a base once it is mountainous enough and its organizations reach a share
//! of its people (the source: "selecting bases of activities"). At bases, each cadre trains
//! members: politically into cadres (using wisdom) and militarily into fighters (each takes
//! one arms unit and needs a month of rations in store).

use super::people::State;
use super::Resistance;
use crate::observe::LogEntry;
use crate::rng::{Purpose, Stream};
use crate::world::World;

/// Days of rations a base must hold per new fighter.
const RATION_DAYS: f64 = 30.0;

impl Resistance {
    /// Bases and training, the day's third process.
    pub(super) fn training(&mut self, step: u32, world: &World, log: &mut Vec<LogEntry>) {
        if !self.fixed.params.organizations {
            return;
        }
        self.choose_bases(step, log);
        let t = self.fixed.params.training.clone();
        let c = self.fixed.params.contributions.clone();
        for r in 0..self.state.regions.len() {
            if !self.state.regions[r].base {
                continue;
            }
            let g = &self.state.regions[r];
            let trainers = g.count[State::Cadre as usize] as f64;
            if trainers == 0.0 {
                continue;
            }
            let drive = g.drive.at(step, 1.0);
            let mut s = Stream::new(self.fixed.seed, Purpose::TRAINING, step, r as u32);
            // Political training: member → cadre.
            let mut cadres = s.poisson(trainers * t.political * drive * self.fixed.dt);
            if c.wisdom_per_cadre > 0.0 {
                cadres = cadres.min((g.pool[3] / c.wisdom_per_cadre).floor() as u64);
            }
            let made = self.promote(r, cadres, State::Cadre, &mut s, world);
            self.state.regions[r].pool[3] =
                (self.state.regions[r].pool[3] - made as f64 * c.wisdom_per_cadre).max(0.0);
            // Military training: member → fighter.
            let g = &self.state.regions[r];
            let mut fighters = s.poisson(trainers * t.military * drive * self.fixed.dt);
            fighters = fighters.min(g.materials.floor() as u64);
            let ration = c.provisions_per_fighter * RATION_DAYS;
            if ration > 0.0 {
                fighters = fighters.min((g.pool[1] / ration).floor() as u64);
            }
            let made = self.promote(r, fighters, State::Fighter, &mut s, world);
            self.state.regions[r].materials -= made as f64;
        }
    }

    /// Turns up to `k` members of region `r` (youths and adults for fighters) into `to`.
    fn promote(&mut self, r: usize, k: u64, to: State, s: &mut Stream, world: &World) -> u64 {
        let mut made = 0;
        let mut tries = 0;
        while made < k && tries < 4 * k + 8 {
            tries += 1;
            if self.state.regions[r].members.is_empty() {
                break;
            }
            let Some(i) = self.pick(r, State::Member, s) else {
                continue;
            };
            if self.state.persons.hiding(i) {
                continue;
            }
            if to == State::Fighter && world.people.age[i as usize] == 0 {
                continue;
            }
            self.set_state(i, to, world);
            made += 1;
        }
        made
    }

    /// Picks new bases and points every region's contributions at its nearest base.
    fn choose_bases(&mut self, step: u32, log: &mut Vec<LogEntry>) {
        let t = &self.fixed.params.training;
        let have = self.state.regions.iter().filter(|g| g.base).count() as u32;
        if have >= t.max_bases {
            return;
        }
        let mut added = false;
        let mut candidates: Vec<(f64, usize)> = self
            .state
            .regions
            .iter()
            .enumerate()
            .filter(|(_, g)| {
                !g.base
                    && g.population > 0
                    && g.mountain >= t.base_min_mountain
                    && g.organized() as f64 >= t.base_min_organized * f64::from(g.population)
            })
            .map(|(r, g)| (g.mountain, r))
            .collect();
        candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, r) in candidates.into_iter().take((t.max_bases - have) as usize) {
            self.state.regions[r].base = true;
            added = true;
            log.push(LogEntry {
                step,
                kind: "base_founded".into(),
                region: Some(r as u16),
                count: self.state.regions[r].organized(),
                detail: format!("base chosen in {}", self.fixed.names[r]),
            });
        }
        if added {
            self.route_to_bases();
        }
    }

    /// Nearest base of every region by neighbour steps (ties broken by region number).
    pub(super) fn route_to_bases(&mut self) {
        let n = self.state.regions.len();
        let mut nearest: Vec<Option<u16>> = vec![None; n];
        let mut queue: std::collections::VecDeque<usize> =
            (0..n).filter(|&r| self.state.regions[r].base).collect();
        for &b in &queue {
            nearest[b] = Some(b as u16);
        }
        while let Some(r) = queue.pop_front() {
            for &j in &self.fixed.adjacency[r] {
                if nearest[j as usize].is_none() {
                    nearest[j as usize] = nearest[r];
                    queue.push_back(j as usize);
                }
            }
        }
        // Regions with no path to a base send to the first base (couriers across the border).
        let first = (0..n)
            .find(|&r| self.state.regions[r].base)
            .map(|r| r as u16);
        for (g, b) in self.state.regions.iter_mut().zip(nearest) {
            g.nearest_base = b.or(first);
        }
    }
}
