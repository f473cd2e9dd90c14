//! Granovetter's threshold model (Granovetter 1978, "Threshold models of collective behavior",
//! AJS 83(6): 1420–1443), in its crowd and network forms.
//!
//! Each person i has a threshold θ_i: how many others (count) or what share of others
//! (fraction) must already act before i acts. Updates are synchronous: who acts at step t
//! depends on who acted at step t − 1. Once acting, a person keeps acting.
//!
//! - **Crowd**: everyone sees everyone. With r(t) persons acting, every person with
//!   θ_i ≤ r(t) acts at t + 1 (fractions compare θ_i · N with r). People are kept sorted by
//!   threshold, so a step costs only the people it activates (plus a binary search).
//! - **Network**: person i sees only their ties; i acts at t + 1 once the number of acting ties
//!   reaches need_i = ⌈θ_i⌉ (count) or ⌈θ_i · degree_i⌉ (fraction; at least 1 when θ_i > 0).
//!   The cascade is event-driven: only people who started acting at t push to their ties, so a
//!   whole run costs O(people + ties) however many steps it takes.
//! - **Weighted ties** (Granovetter 1978, p. 1429: friends count twice): on a network whose
//!   ties weigh unequally, i acts once the summed weight of acting ties reaches θ_i (count) or
//!   θ_i · (summed weight of all i's ties) (fraction). Weights are counted in millionths, in
//!   integers, so that the sum is exact and the same in any order (and on any thread count).
//!
//! People with θ = 0 act at step 1 (they need nobody); initial actors act from step 0.
//! The run reaches equilibrium at the first step in which nobody starts acting (r(t+1) = r(t)),
//! so the series ends with one step without change in both forms.

use std::sync::atomic::{AtomicI64, AtomicU32, Ordering::Relaxed};

use rayon::prelude::*;

mod events;
mod params;
mod validate;

pub use events::{Action, Kind};
pub use params::{
    Distribution, DistributionKind, RawDistribution, RawThreshold, Rounding, Sampling,
    ThresholdForm, ThresholdParams, ThresholdUnit,
};

use super::{ChartGroup, MapFamily, Model, ModelDef, ModelMeta, Payload};
use crate::observe::{LogEntry, Outcome, Series, StopReason};
use crate::prefetch::prefetch;
use crate::rng::{Purpose, Stream};
use crate::scenario::{Check, Event, EventArgs, Scenario};
use crate::stats::normal_quantile;
use crate::world::World;

/// The threshold model, as the rest of the system knows it.
pub struct Def;

/// The threshold model's entry in [`super::BUILT_IN`].
pub static DEF: Def = Def;

impl ModelDef for Def {
    fn name(&self) -> &'static str {
        "threshold"
    }

    fn structural(&self) -> &'static [&'static str] {
        &["threshold.form", "threshold.unit"]
    }

    fn key_parameters(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("seed", "seed"),
            ("scale", "scale"),
            ("time.steps", "steps"),
            ("threshold.initial_random", "people acting at the start"),
        ]
    }

    fn events(&self) -> &'static [super::EventShape] {
        Kind::SHAPES
    }

    fn event(
        &self,
        kind: &'static str,
        a: &EventArgs,
        path: &str,
        c: &mut Check<'_>,
    ) -> Option<Payload> {
        let kind = c.event_kind(kind, path, Kind::parse)?;
        Some(events::build(kind, a))
    }

    fn section(&self, c: &mut Check<'_>) -> Option<Payload> {
        c.read_section(RawThreshold::decode, validate::validate)
    }

    fn meta(&self, _scenario: &Scenario) -> ModelMeta {
        ModelMeta {
            model: self.name().into(),
            groups: vec![
                ChartGroup::new("Share active (fraction)", "share", &["share_active"]),
                ChartGroup::new("New per step", "new", &["new_active"]),
            ],
            maps: vec![MapFamily::new("active", false)],
            ..ModelMeta::default()
        }
    }

    fn build(&self, scenario: &Scenario, world: &World) -> Box<dyn Model> {
        Box::new(Threshold::new(scenario, world))
    }

    /// A crowd in which no one can ever act: no one starts (no initial actors, no `activate`
    /// event, no event lowering thresholds) and every threshold is above zero, so the first
    /// step already is the equilibrium. A uniform distribution with `rounding = "none"` makes
    /// such a crowd: its smallest value, (½/N)·(max − min) above `min`, is never 0.
    fn warnings(&self, scenario: &Scenario) -> Vec<String> {
        let p = scenario.params::<ThresholdParams>();
        let starts = !p.initial_actors.is_empty()
            || p.initial_random > 0
            || scenario.events.iter().any(|e| {
                matches!(
                    *super::data::<Action>(&e.action),
                    Action::Activate { .. } | Action::ShiftThresholds { .. }
                )
            });
        if starts || p.form != ThresholdForm::Crowd {
            return Vec::new();
        }
        let n = scenario.population() as usize;
        let lowest = draw_thresholds(p, n, scenario.seed)
            .into_iter()
            .fold(f64::INFINITY, f64::min);
        if lowest > 0.0 {
            vec![format!(
                "no one can ever act: no one starts and the lowest threshold is {lowest} (above 0); \
                 give initial_random or initial_actors, an `activate` event, or thresholds that \
                 reach 0 (e.g. `rounding = \"floor\"` for counts; see the threshold model's docs \
                 on rounding)"
            )]
        } else {
            Vec::new()
        }
    }
}

/// `activated_at` of someone not acting.
const NEVER: u32 = u32::MAX;
/// `remaining` of someone acting.
const ACTING: u32 = u32::MAX;
/// `remaining_w` of someone acting: far below zero, where further decrements leave it.
const ACTING_W: i64 = i64::MIN / 2;
/// Millionths of a tie weight: the unit of weighted counts.
const MICRO: f64 = 1e6;
/// Frontier places between a prefetch of a person's ties and their visit (about 10 ties each).
const LOOKAHEAD: usize = 8;
/// Frontiers at least this long are processed in parallel when threads are available.
const PARALLEL_FRONTIER: usize = 1 << 15;

/// The threshold model's state.
pub struct Threshold {
    params: ThresholdParams,
    seed: u64,
    /// Each person's threshold, in the unit's own scale (persons, ties or fraction).
    theta: Vec<f64>,
    /// Sum of `shift_thresholds` deltas so far (threshold unit).
    shift: f64,
    /// Step at which each person started acting, or `NEVER`.
    activated_at: Vec<u32>,
    /// Persons acting.
    active: u64,
    /// Persons acting per region.
    region_active: Vec<u64>,
    /// Persons who started acting in the current step (events included).
    fresh: Vec<u32>,
    /// Persons who started acting in the previous step: they push to their ties now.
    frontier: Vec<u32>,
    /// An emptied frontier kept for reuse, so steps do not reallocate.
    spare: Vec<u32>,
    /// Scratch bitmap (one bit per person) for putting large frontiers in order.
    bits: Vec<u64>,
    /// Scratch list of persons whose need was met during a frontier pass.
    found: Vec<u32>,
    /// Crowd form: persons sorted by threshold, and how many of them have been reached.
    order: Vec<u32>,
    reached: usize,
    /// Network form: acting ties each person needs (read only when thresholds shift).
    need: Vec<u32>,
    /// Network form, the hot state: for someone not acting, acting ties still needed
    /// (need − acting ties seen); `ACTING` for someone acting. One 4-byte word per person, so
    /// a tie visit touches one word.
    remaining: Vec<AtomicU32>,
    /// Network form: persons whose need is already met; they act at the next update.
    due: Vec<u32>,
    /// Network form on weighted ties, instead of `need` and `remaining`: the acting weight
    /// each person needs, and for someone not acting the weight still needed (`ACTING_W` for
    /// someone acting), both in millionths of a tie weight.
    need_w: Vec<i64>,
    remaining_w: Vec<AtomicI64>,
    /// Last step at which someone started acting.
    last_change: u32,
    persons: u64,
}

crate::model::state::saved_state!(Threshold {
    theta: Vec<f64>,
    shift: f64,
    activated_at: Vec<u32>,
    active: u64,
    region_active: Vec<u64>,
    fresh: Vec<u32>,
    frontier: Vec<u32>,
    order: Vec<u32>,
    reached: usize,
    need: Vec<u32>,
    remaining: Vec<AtomicU32>,
    due: Vec<u32>,
    need_w: Vec<i64>,
    remaining_w: Vec<AtomicI64>,
    last_change: u32,
    persons: u64,
});

impl Threshold {
    /// Checks a restored state against the sizes the scenario fixes (`shape`: persons and the
    /// lengths of `theta`, `region_active`, `order`, `need`, `remaining` as built): a
    /// checkpoint edited and re-checksummed is refused here, never indexed out of bounds or
    /// run with counts that do not add up.
    fn check_state(
        &self,
        (persons, theta, regions, order, need, remaining, weighted): (
            u64,
            usize,
            usize,
            usize,
            usize,
            usize,
            usize,
        ),
    ) -> Result<(), crate::model::state::StateError> {
        let bad = |what: String| {
            Err(crate::model::state::StateError(format!(
                "it does not fit the scenario: {what}"
            )))
        };
        let n = persons as usize;
        if self.persons != persons
            || self.theta.len() != theta
            || self.activated_at.len() != n
            || self.region_active.len() != regions
            || self.order.len() != order
            || self.need.len() != need
            || self.remaining.len() != remaining
            || self.need_w.len() != weighted
            || self.remaining_w.len() != weighted
        {
            return bad(format!(
                "{} people and {} regions saved, {n} and {regions} in the scenario (or a table of another length)",
                self.persons,
                self.region_active.len()
            ));
        }
        let person = |i: &u32| (*i as usize) < n;
        for (name, list) in [
            ("fresh", &self.fresh),
            ("frontier", &self.frontier),
            ("order", &self.order),
            ("due", &self.due),
        ] {
            if !list.iter().all(person) || list.len() > n {
                return bad(format!("`{name}` names someone who is not in the scenario"));
            }
        }
        if self.reached > self.order.len() {
            return bad("more people reached than there are".into());
        }
        if !self.theta.iter().all(|t| !t.is_nan()) || self.shift.is_nan() {
            return bad("a threshold is not a number".into());
        }
        let acting = self.activated_at.iter().filter(|&&a| a != NEVER).count() as u64;
        if acting != self.active || self.region_active.iter().sum::<u64>() != self.active {
            return bad(format!(
                "{} acting saved, {acting} people marked acting",
                self.active
            ));
        }
        Ok(())
    }

    /// Draws thresholds and prepares the chosen form.
    ///
    /// # Panics
    /// If the scenario is not a threshold scenario.
    pub fn new(scenario: &Scenario, world: &World) -> Threshold {
        let params: ThresholdParams = scenario.params::<ThresholdParams>().clone();
        let n = world.people.len();
        let theta = draw_thresholds(&params, n, scenario.seed);
        let mut model = Threshold {
            seed: scenario.seed,
            theta,
            shift: 0.0,
            activated_at: vec![NEVER; n],
            active: 0,
            region_active: vec![0; scenario.regions.len()],
            fresh: Vec::new(),
            frontier: Vec::new(),
            spare: Vec::new(),
            bits: Vec::new(),
            found: Vec::new(),
            order: Vec::new(),
            reached: 0,
            need: Vec::new(),
            remaining: Vec::new(),
            due: Vec::new(),
            need_w: Vec::new(),
            remaining_w: Vec::new(),
            last_change: 0,
            persons: n as u64,
            params,
        };
        match model.params.form {
            ThresholdForm::Crowd => {
                let mut order: Vec<u32> = (0..n as u32).collect();
                order.par_sort_by(|&a, &b| {
                    model.theta[a as usize]
                        .total_cmp(&model.theta[b as usize])
                        .then(a.cmp(&b))
                });
                model.order = order;
            }
            ThresholdForm::Network if world.network.is_weighted() => {
                model.need_w = vec![0; n];
                model.remaining_w = (0..n).map(|_| AtomicI64::new(0)).collect();
                model.recompute_needs(world);
            }
            ThresholdForm::Network => {
                model.need = vec![0; n];
                model.remaining = (0..n).map(|_| AtomicU32::new(0)).collect();
                model.recompute_needs(world);
            }
        }
        model
    }

    /// Acting ties person `i` needs, given the current shift.
    fn need_of(&self, i: usize, degree: u32) -> u32 {
        let t = self.theta[i] + self.shift;
        if t <= 0.0 {
            return 0;
        }
        let raw = match self.params.unit {
            ThresholdUnit::Count => t,
            ThresholdUnit::Fraction => t * f64::from(degree),
        };
        // The small tolerance keeps 0.3 × 10 = 3.0000000000000004 at 3.
        ((raw - 1e-9).ceil().max(1.0)).min(f64::from(u32::MAX)) as u32
    }

    /// Weighted ties: the acting weight person `i` needs (millionths), given the current
    /// shift and the summed weight of their ties (millionths).
    fn need_w_of(&self, i: usize, strength: i64) -> i64 {
        let t = self.theta[i] + self.shift;
        if t <= 0.0 {
            return 0;
        }
        let raw = match self.params.unit {
            ThresholdUnit::Count => t * MICRO,
            ThresholdUnit::Fraction => t * strength as f64,
        };
        // A thousandth of a millionth of tolerance keeps 0.5 × 120 at 60, as for counts.
        (raw - 1e-3).ceil().clamp(1.0, 1e18) as i64
    }

    /// Weighted ties: recomputes every inactive person's need and queues those already met.
    fn recompute_needs_weighted(&mut self, world: &World) {
        let net = &world.network;
        let needs: Vec<i64> = (0..self.theta.len())
            .into_par_iter()
            .map(|i| {
                let strength = net
                    .weights_of(i as u32)
                    .map_or(0, |w| w.iter().map(|&x| micro(x)).sum());
                self.need_w_of(i, strength)
            })
            .collect();
        for (i, &new) in needs.iter().enumerate() {
            let r = self.remaining_w[i].load(Relaxed);
            if self.activated_at[i] == NEVER {
                let seen = self.need_w[i] - r.max(0);
                self.remaining_w[i].store((new - seen).max(0), Relaxed);
            }
        }
        self.need_w = needs;
        self.due = (0..self.theta.len() as u32)
            .filter(|&i| {
                self.activated_at[i as usize] == NEVER
                    && self.remaining_w[i as usize].load(Relaxed) == 0
            })
            .collect();
    }

    /// Network form: recomputes every inactive person's need and queues those already met.
    fn recompute_needs(&mut self, world: &World) {
        if !self.remaining_w.is_empty()
            || (self.remaining.is_empty() && world.network.is_weighted())
        {
            return self.recompute_needs_weighted(world);
        }
        let net = &world.network;
        let needs: Vec<u32> = (0..self.theta.len())
            .into_par_iter()
            .map(|i| self.need_of(i, net.degree(i as u32)))
            .collect();
        for (i, &new) in needs.iter().enumerate() {
            let r = self.remaining[i].load(Relaxed);
            if r != ACTING {
                let seen = self.need[i] - r;
                self.remaining[i].store(new.saturating_sub(seen), Relaxed);
            }
        }
        self.need = needs;
        self.due = (0..self.theta.len() as u32)
            .filter(|&i| self.remaining[i as usize].load(Relaxed) == 0)
            .collect();
    }

    /// Marks `i` as acting from `step` (no effect if already acting).
    fn activate(&mut self, i: u32, step: u32, world: &World) {
        let slot = &mut self.activated_at[i as usize];
        if *slot != NEVER {
            return;
        }
        *slot = step;
        if let Some(r) = self.remaining.get(i as usize) {
            r.store(ACTING, Relaxed);
        }
        if let Some(r) = self.remaining_w.get(i as usize) {
            r.store(ACTING_W, Relaxed);
        }
        self.active += 1;
        self.region_active[world.people.region[i as usize] as usize] += 1;
        self.fresh.push(i);
        self.last_change = step;
    }

    fn step_crowd(&mut self, step: u32, world: &World) {
        let r = (self.active - self.fresh.len() as u64) as f64;
        let scale = match self.params.unit {
            ThresholdUnit::Count => 1.0,
            ThresholdUnit::Fraction => self.persons as f64,
        };
        while self.reached < self.order.len() {
            let i = self.order[self.reached];
            if (self.theta[i as usize] + self.shift) * scale > r {
                break;
            }
            self.reached += 1;
            self.activate(i, step, world);
        }
    }

    fn step_network(&mut self, step: u32, world: &World) {
        for i in std::mem::take(&mut self.due) {
            self.activate(i, step, world);
        }
        let mut frontier = std::mem::take(&mut self.frontier);
        // In person order, ties are read front to back and neighbours sit near each other.
        sort_people(&mut frontier, self.persons as usize, &mut self.bits);
        let net = &world.network;
        if !self.remaining_w.is_empty() {
            self.visit_weighted(&frontier, step, world);
        } else if frontier.len() >= PARALLEL_FRONTIER && rayon::current_num_threads() > 1 {
            let remaining = &self.remaining;
            let found: Vec<Vec<u32>> = frontier
                .par_chunks(PARALLEL_FRONTIER / 8)
                .map(|chunk| {
                    let mut out = Vec::new();
                    for &u in chunk {
                        for &v in net.neighbours(u) {
                            let r = &remaining[v as usize];
                            let now = r.load(Relaxed);
                            if now == ACTING || now == 0 {
                                continue;
                            }
                            // Exactly one thread takes the count from 1 to 0. A stale read may
                            // decrement past 0; the person is marked ACTING after the pass.
                            if r.fetch_sub(1, Relaxed) == 1 {
                                out.push(v);
                            }
                        }
                    }
                    out
                })
                .collect();
            for v in found.into_iter().flatten() {
                self.activate(v, step, world);
            }
        } else {
            // Ask for the counters of the ties of the person `LOOKAHEAD` places further in the
            // frontier, so that the waits for far ties overlap.
            let remaining = &self.remaining;
            for &w in frontier.iter().take(LOOKAHEAD) {
                for &x in net.neighbours(w) {
                    prefetch(remaining, x as usize);
                }
            }
            let mut found = std::mem::take(&mut self.found);
            for (k, &u) in frontier.iter().enumerate() {
                if let Some(&w) = frontier.get(k + LOOKAHEAD) {
                    for &x in net.neighbours(w) {
                        prefetch(remaining, x as usize);
                    }
                }
                for &v in net.neighbours(u) {
                    let r = &remaining[v as usize];
                    match r.load(Relaxed) {
                        ACTING | 0 => {}
                        1 => {
                            r.store(ACTING, Relaxed);
                            found.push(v);
                        }
                        left => r.store(left - 1, Relaxed),
                    }
                }
            }
            for &v in &found {
                self.activate(v, step, world);
            }
            found.clear();
            self.found = found;
        }
        frontier.clear();
        self.spare = frontier;
    }

    /// Weighted ties: the people who started acting last step push their ties' weights.
    /// Exactly one visit takes a person's remaining weight from above zero to zero or below,
    /// whatever the order of visits, so the people found are the same on any thread count.
    fn visit_weighted(&mut self, frontier: &[u32], step: u32, world: &World) {
        let net = &world.network;
        let remaining = &self.remaining_w;
        let visit = |u: u32, out: &mut Vec<u32>| {
            let ws = net.weights_of(u).expect("a weighted network");
            for (&v, &w) in net.neighbours(u).iter().zip(ws) {
                let r = &remaining[v as usize];
                if r.load(Relaxed) <= 0 {
                    continue;
                }
                let w = micro(w);
                let before = r.fetch_sub(w, Relaxed);
                if before > 0 && before - w <= 0 {
                    out.push(v);
                }
            }
        };
        let found: Vec<u32> =
            if frontier.len() >= PARALLEL_FRONTIER && rayon::current_num_threads() > 1 {
                frontier
                    .par_chunks(PARALLEL_FRONTIER / 8)
                    .map(|chunk| {
                        let mut out = Vec::new();
                        for &u in chunk {
                            visit(u, &mut out);
                        }
                        out
                    })
                    .flatten_iter()
                    .collect()
            } else {
                let mut out = Vec::new();
                for &u in frontier {
                    visit(u, &mut out);
                }
                out
            };
        for v in found {
            self.activate(v, step, world);
        }
    }

    /// Persons per step of starting to act, for tests and summaries: `activated_at` per person.
    pub fn activated_at(&self) -> &[u32] {
        &self.activated_at
    }
}

impl Model for Threshold {
    fn save(&self) -> Vec<u8> {
        self.save_state()
    }

    fn restore(&mut self, bytes: &[u8]) -> Result<(), crate::model::state::StateError> {
        let shape = (
            self.persons,
            self.theta.len(),
            self.region_active.len(),
            self.order.len(),
            self.need.len(),
            self.remaining.len(),
            self.need_w.len(),
        );
        self.restore_state(bytes)?;
        self.check_state(shape)
    }

    fn start(&mut self, world: &World, log: &mut Vec<LogEntry>) {
        let before = self.active;
        for i in self.params.initial_actors.clone() {
            self.activate(i, 0, world);
        }
        if self.params.initial_random > 0 {
            let pool: Vec<u32> = (0..self.persons as u32)
                .filter(|&i| self.activated_at[i as usize] == NEVER)
                .collect();
            let picked = choose(pool, self.params.initial_random, |i| {
                Stream::new(self.seed, Purpose::INITIAL_ACTORS, 0, i)
            });
            for i in picked {
                self.activate(i, 0, world);
            }
        }
        let count = self.active - before;
        if count > 0 {
            log.push(LogEntry {
                step: 0,
                kind: "initial_actors".into(),
                region: None,
                count,
                detail: format!("{count} initial actors"),
            });
        }
        self.frontier = std::mem::take(&mut self.fresh);
    }

    fn apply(&mut self, event: &Event, _index: usize, world: &World, log: &mut Vec<LogEntry>) {
        match *super::data::<Action>(&event.action) {
            Action::Activate { count, region } => {
                let range = match region {
                    Some(r) => world.people.of_region(r),
                    None => 0..self.persons as u32,
                };
                let pool: Vec<u32> = range
                    .filter(|&i| self.activated_at[i as usize] == NEVER)
                    .collect();
                let chosen = choose(pool, count, |i| {
                    Stream::new(self.seed, Purpose::EVENTS, event.step, i)
                });
                let n = chosen.len() as u64;
                for i in chosen {
                    self.activate(i, event.step, world);
                }
                log.push(LogEntry {
                    step: event.step,
                    kind: "activate".into(),
                    region,
                    count: n,
                    detail: format!("{n} persons made to act"),
                });
            }
            Action::ShiftThresholds { delta } => {
                self.shift += delta;
                if self.params.form == ThresholdForm::Network {
                    self.recompute_needs(world);
                }
                log.push(LogEntry {
                    step: event.step,
                    kind: "shift_thresholds".into(),
                    region: None,
                    count: 0,
                    detail: format!("thresholds shifted by {delta} (total {})", self.shift),
                });
            }
        }
    }

    fn step(&mut self, step: u32, world: &World, _log: &mut Vec<LogEntry>) {
        match self.params.form {
            ThresholdForm::Crowd => self.step_crowd(step, world),
            ThresholdForm::Network => self.step_network(step, world),
        }
        let next = std::mem::take(&mut self.spare);
        self.frontier = std::mem::replace(&mut self.fresh, next);
    }

    fn series(&self, out: &mut Series<'_>) {
        out.put("active", self.active as f64);
        out.put("new_active", self.frontier.len() as f64);
        let share = if self.persons == 0 {
            0.0
        } else {
            self.active as f64 / self.persons as f64
        };
        out.put("share_active", share);
        out.per_region("active", self.region_active.iter().map(|&a| a as f64));
    }

    fn settled(&self) -> bool {
        if !self.params.stop_at_equilibrium {
            return false;
        }
        match self.params.form {
            ThresholdForm::Crowd => {
                let scale = match self.params.unit {
                    ThresholdUnit::Count => 1.0,
                    ThresholdUnit::Fraction => self.persons as f64,
                };
                // Like the network form, the run records one step without change.
                self.frontier.is_empty()
                    && self.order.get(self.reached).is_none_or(|&i| {
                        (self.theta[i as usize] + self.shift) * scale > self.active as f64
                    })
            }
            ThresholdForm::Network => self.frontier.is_empty() && self.due.is_empty(),
        }
    }

    fn outcome(&self, last_step: u32, reason: StopReason, _world: &World) -> Outcome {
        let share = if self.persons == 0 {
            0.0
        } else {
            self.active as f64 / self.persons as f64
        };
        let sentence = match reason {
            StopReason::Equilibrium => format!(
                "The cascade settled at step {} with {} of {} persons acting ({:.1} %).",
                self.last_change,
                self.active,
                self.persons,
                100.0 * share
            ),
            StopReason::TimeLimit | StopReason::Ended | StopReason::Interrupted => format!(
                "At step {last_step} (the time limit) {} of {} persons were acting ({:.1} %); \
                 the last change was at step {}.",
                self.active,
                self.persons,
                100.0 * share,
                self.last_change
            ),
        };
        Outcome {
            last_step,
            reason,
            figures: vec![
                ("final_active".into(), self.active as f64),
                ("final_share".into(), share),
                ("last_change_step".into(), f64::from(self.last_change)),
            ],
            sentence,
        }
    }
}

/// A tie weight in millionths (weights are at most 10^6, so a person's summed weight fits
/// easily in an `i64`).
#[inline]
fn micro(w: f32) -> i64 {
    (f64::from(w) * MICRO).round() as i64
}

/// Puts distinct person numbers in increasing order: by a bitmap when they are many (linear
/// time, n/64 words scanned), by sorting when they are few.
fn sort_people(people: &mut Vec<u32>, n: usize, bits: &mut Vec<u64>) {
    if people.len() < n / 64 {
        people.sort_unstable();
        return;
    }
    bits.clear();
    bits.resize(n.div_ceil(64), 0);
    for &p in people.iter() {
        bits[p as usize / 64] |= 1 << (p % 64);
    }
    people.clear();
    for (w, &word) in bits.iter().enumerate() {
        let mut x = word;
        while x != 0 {
            people.push((w * 64) as u32 + x.trailing_zeros());
            x &= x - 1;
        }
    }
}

/// `count` distinct persons from `pool` (all if fewer): those with the smallest draws keyed by
/// person, in the order of their draws.
fn choose(pool: Vec<u32>, count: u64, stream_of: impl Fn(u32) -> Stream + Sync) -> Vec<u32> {
    // Each person's draw is keyed by the person, not by their place in the pool: adding a
    // person to the world changes the picks only if the newcomer's key is among the
    // `count` smallest (common random numbers across N → N + 1).
    let k = (count.min(pool.len() as u64)) as usize;
    if k == 0 {
        return Vec::new();
    }
    let order = |a: &(f64, u32), b: &(f64, u32)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
    // The k smallest of each block, then of their union: memory for k per block, not one
    // draw per person (16 bytes a person: 160 MB for ten million).
    let smallest = |mut v: Vec<(f64, u32)>| {
        if k < v.len() {
            v.select_nth_unstable_by(k - 1, order);
            v.truncate(k);
        }
        v
    };
    let mut keyed = pool
        .par_chunks(1 << 16)
        .map(|c| smallest(c.iter().map(|&i| (stream_of(i).uniform(), i)).collect()))
        .reduce(Vec::new, |mut a, b| {
            a.extend(b);
            smallest(a)
        });
    keyed.sort_unstable_by(order);
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Each person's threshold, in person order, rounded and clipped to the unit's range.
pub fn draw_thresholds(params: &ThresholdParams, n: usize, seed: u64) -> Vec<f64> {
    let hi = match params.unit {
        ThresholdUnit::Count => n as f64,
        ThresholdUnit::Fraction => 1.0,
    };
    let finish = |v: f64| {
        let v = match params.rounding {
            Rounding::None => v,
            Rounding::Round => v.round(),
            Rounding::Floor => v.floor(),
            Rounding::Ceil => v.ceil(),
        };
        v.clamp(0.0, hi)
    };
    let quantile = |u: f64| match params.distribution {
        Distribution::Uniform { min, max, .. } => min + u * (max - min),
        Distribution::Normal { mean, sd, .. } => mean + sd * normal_quantile(u),
        Distribution::List(_) => unreachable!("lists are not sampled"),
    };
    let sampling = match &params.distribution {
        Distribution::List(values) => return values.iter().map(|&v| finish(v)).collect(),
        Distribution::Uniform { sampling, .. } | Distribution::Normal { sampling, .. } => *sampling,
    };
    match sampling {
        Sampling::Quantile => {
            let mut v: Vec<f64> = (0..n)
                .into_par_iter()
                .map(|i| finish(quantile((i as f64 + 0.5) / n as f64)))
                .collect();
            // Shuffle so that thresholds are not correlated with person numbers (and so with
            // households and regions).
            let mut s = Stream::new(seed, Purpose::THRESHOLD, 0, u32::MAX);
            for i in (1..n).rev() {
                let j = s.below(i as u32 + 1) as usize;
                v.swap(i, j);
            }
            v
        }
        Sampling::Random => (0..n)
            .into_par_iter()
            .map(|i| {
                let mut s = Stream::new(seed, Purpose::THRESHOLD, 0, i as u32);
                let u = (s.uniform() + 0.5 / (1u64 << 53) as f64).min(1.0 - f64::EPSILON);
                finish(quantile(u))
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_people_orders_small_and_large_sets() {
        let mut bits = Vec::new();
        let mut few = vec![900, 3, 77];
        sort_people(&mut few, 1000, &mut bits);
        assert_eq!(few, vec![3, 77, 900]);
        let mut many: Vec<u32> = (0..1000).rev().filter(|i| i % 3 != 0).collect();
        let mut want = many.clone();
        want.sort_unstable();
        sort_people(&mut many, 1000, &mut bits);
        assert_eq!(many, want);
    }

    /// A saved state edited to name people who are not there, or counts that do not add
    /// up, is refused on restore with a reason (crowd and network forms); the state as saved
    /// is accepted.
    #[test]
    fn a_restored_state_that_does_not_fit_the_scenario_is_refused() {
        for name in ["granovetter-uniform", "village-cascade"] {
            let src = crate::scenario::embedded::source(name).unwrap();
            let overrides = [crate::scenario::Override::parse("scale=0.01").unwrap()];
            let sc = Scenario::load(
                &src,
                if name == "village-cascade" {
                    &overrides
                } else {
                    &[]
                },
            )
            .unwrap();
            let w = World::of(&sc);
            let mut m = Threshold::new(&sc, &w);
            let mut log = Vec::new();
            m.start(&w, &mut log);
            let good = m.save();
            assert!(Threshold::new(&sc, &w).restore(&good).is_ok(), "{name}");
            type Edit = Box<dyn Fn(&mut Threshold)>;
            let edits: Vec<(&str, Edit)> = vec![
                ("the frontier", Box::new(|m| m.frontier.push(u32::MAX - 1))),
                ("fresh", Box::new(|m| m.fresh.push(10_000_000))),
                ("reached", Box::new(|m| m.reached = usize::MAX)),
                ("the count acting", Box::new(|m| m.active += 1)),
                ("a region's count", Box::new(|m| m.region_active[0] += 3)),
                ("the people", Box::new(|m| m.activated_at.push(NEVER))),
                ("a threshold", Box::new(|m| m.theta[0] = f64::NAN)),
                ("the regions", Box::new(|m| m.region_active.push(0))),
            ];
            for (what, edit) in edits {
                let mut bad = Threshold::new(&sc, &w);
                bad.restore(&good).unwrap();
                edit(&mut bad);
                let e = Threshold::new(&sc, &w).restore(&bad.save());
                assert!(
                    e.as_ref()
                        .is_err_and(|e| e.0.contains("does not fit the scenario")),
                    "{name}: {what} was accepted: {e:?}"
                );
            }
        }
    }

    /// Common random numbers across N → N + 1: the people picked to start are keyed by who
    /// they are, so adding one person keeps the other picks (before: 5.4 of 10 survived).
    #[test]
    fn initial_picks_survive_one_more_person() {
        let picks = |n: u32, seed: u64| -> Vec<u32> {
            let text = format!(
                "name = \"crowd\"\nmodel = \"threshold\"\nseed = {seed}\n[[regions]]\n\
                 name = \"crowd\"\npopulation = {n}\n[threshold]\ninitial_random = 10\n\
                 [threshold.distribution]\nkind = \"uniform\"\nmin = 0\nmax = 100\n\
                 rounding = \"floor\"\nsampling = \"random\"\n"
            );
            let sc = Scenario::load(&crate::scenario::Source::text("c.toml", &text), &[]).unwrap();
            let w = World::of(&sc);
            let mut m = Threshold::new(&sc, &w);
            m.start(&w, &mut Vec::new());
            (0..n)
                .filter(|&i| m.activated_at[i as usize] == 0)
                .collect()
        };
        let mut kept = 0;
        for seed in 1..=50 {
            let (a, b) = (picks(100, seed), picks(101, seed));
            assert_eq!((a.len(), b.len()), (10, 10));
            kept += a.iter().filter(|i| b.contains(i)).count();
        }
        // Expected 10 − 10/101 ≈ 9.90 a seed (measured 9.82): only when the newcomer's key is among
        // the ten smallest does one pick change.
        assert!(
            kept as f64 / 50.0 >= 9.7,
            "{} of 10 kept",
            kept as f64 / 50.0
        );
    }

    /// Each person's first step acting (`NEVER` if never) in a world of `n`, with thresholds
    /// keyed by person and `extra` scenario lines.
    fn histories(n: u32, seed: u64, extra: &str) -> Vec<u32> {
        let text = format!(
            "name = \"w\"\nmodel = \"threshold\"\nseed = {seed}\n[time]\nsteps = 200\n\
             [[regions]]\nname = \"w\"\npopulation = {n}\n{extra}"
        );
        let sc = Scenario::load(&crate::scenario::Source::text("w.toml", &text), &[]).unwrap();
        let w = World::of(&sc);
        let mut m = Threshold::new(&sc, &w);
        let mut log = Vec::new();
        m.start(&w, &mut log);
        for step in 1..=sc.time.steps {
            m.step(step, &w, &mut log);
            if m.settled() {
                break;
            }
        }
        m.activated_at
    }

    /// Starsim's standard: adding one person (N → N + 1) changes only the histories that
    /// person touches. With CRN-safe choices (thresholds drawn per person, starters keyed by
    /// person, an Erdős–Rényi network at a fixed p) a newcomer who never acts changes no one's
    /// history, and one who acts changes only histories from the step after it acts on; the
    /// quantile sampling, which is not CRN-safe, changes many.
    #[test]
    fn one_more_person_changes_only_the_histories_it_touches() {
        let crowd = "[threshold]\nform = \"crowd\"\nunit = \"count\"\ninitial_random = 3\n\
                     [threshold.distribution]\nkind = \"uniform\"\nmin = 0\nmax = 100\n\
                     rounding = \"floor\"\nsampling = \"random\"\n";
        let network = "[network]\nkind = \"erdos_renyi\"\np = 0.03\n\
                       [threshold]\nform = \"network\"\nunit = \"count\"\ninitial_random = 5\n\
                       [threshold.distribution]\nkind = \"uniform\"\nmin = 0\nmax = 4\n\
                       rounding = \"floor\"\nsampling = \"random\"\n";
        let (mut quiet, mut acting) = (0, 0);
        for (form, extra) in [("crowd", crowd), ("network", network)] {
            for seed in 1..=30 {
                let (a, b) = (histories(200, seed, extra), histories(201, seed, extra));
                let newcomer = b[200];
                let changed: Vec<usize> = (0..200).filter(|&i| a[i] != b[i]).collect();
                if newcomer == NEVER {
                    quiet += 1;
                    assert!(
                        changed.is_empty(),
                        "{form}, seed {seed}: {changed:?} changed"
                    );
                } else {
                    acting += 1;
                    // A newcomer among the starters takes one starter's place (its key is
                    // among the smallest): that one person is displaced, nobody else.
                    let displaced: Vec<usize> =
                        changed.iter().copied().filter(|&i| a[i] == 0).collect();
                    assert!(
                        displaced.len() <= usize::from(newcomer == 0),
                        "{displaced:?}"
                    );
                    for &i in changed.iter().filter(|i| !displaced.contains(i)) {
                        assert!(
                            a[i].min(b[i]) > newcomer,
                            "{form}, seed {seed}: person {i} changed at {} / {}, before the \
                             newcomer acted at {newcomer}",
                            a[i],
                            b[i]
                        );
                    }
                }
            }
        }
        assert!(
            quiet > 0 && acting > 0,
            "both cases met: {quiet} quiet, {acting} acting"
        );
        // Quantile sampling moves every threshold when N changes.
        let quantile = crowd.replace("\"random\"", "\"quantile\"");
        let differ = (1..=10)
            .filter(|&seed| {
                let (a, b) = (
                    histories(200, seed, &quantile),
                    histories(201, seed, &quantile),
                );
                a[..] != b[..200]
            })
            .count();
        assert!(differ > 0, "quantile sampling is not CRN-safe");
    }

    #[test]
    fn choose_picks_distinct_members() {
        let stream = |i| Stream::new(1, Purpose::EVENTS, 0, i);
        let picked = choose((10..20).collect(), 4, stream);
        assert_eq!(picked.len(), 4);
        let mut sorted = picked.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 4);
        assert!(picked.iter().all(|p| (10..20).contains(p)));
        let all = choose((0..3).collect(), 10, stream);
        assert_eq!(all.len(), 3);
    }
}
