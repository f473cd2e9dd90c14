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

mod draw;
mod events;
mod network;
mod params;
mod validate;

use draw::choose;
pub use draw::draw_thresholds;

pub use events::{Action, Kind};
pub use params::{
    Distribution, DistributionKind, RawDistribution, RawThreshold, Rounding, Sampling,
    ThresholdForm, ThresholdParams, ThresholdUnit,
};

use super::{ChartGroup, MapFamily, Model, ModelDef, ModelMeta, Payload};
use crate::observe::{LogEntry, Outcome, Series, StopReason};
use crate::rng::{Purpose, Stream};
use crate::scenario::{Check, Event, EventArgs, Scenario};
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
                ChartGroup::new("Share active", "fraction", "share", &["share_active"]),
                ChartGroup::new("New per step", "persons per step", "new", &["new_active"]),
            ],
            headline_unit: "persons".into(),
            maps: vec![MapFamily::new("active", false)],
            figures: crate::observe::FigureDoc::list(&[
                ("final_active", "persons", "People active at the end."),
                (
                    "final_share",
                    "share of the population",
                    "The share of the population active at the end.",
                ),
                (
                    "last_change_step",
                    "step",
                    "The last step at which anyone became active: where the cascade stopped.",
                ),
            ]),
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

#[cfg(test)]
mod tests;
