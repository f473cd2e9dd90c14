//! `civil_violence`: Epstein (2002), "Modeling civil violence: an agent-based computational
//! approach", PNAS 99 suppl. 3. Model I (citizens and cops against a central authority) and
//! Model II (two groups, killing instead of rebellion, peacekeepers), with the switches on
//! which the paper, Mesa and NetLogo differ (`docs/models/civil_violence.md`).
//!
//! # A step
//! 1. timeline events (legitimacy and cop changes, peacekeepers) fire (the engine's stage 1);
//! 2. scheduled ramps of legitimacy and cop density advance one step;
//! 3. every agent alive at the start of the step takes one turn, in a fresh random order
//!    (random sequential activation): a citizen moves and decides (rule M, rule A), a cop moves
//!    and arrests (rule C), in the order of `order`; in Model II an active citizen kills, and
//!    citizens age, die and clone;
//! 4. jail terms count down (`release = "end_of_step"`; with `"own_turn"` they count in the
//!    prisoner's turn);
//! 5. the counts are observed and the outburst tracker advances.
//!
//! Neighbourhood counts are read from bit sets, one word per row of the neighbourhood, so a
//! turn costs O(radius), not O(radius²). Movement probes random sites in vision before
//! enumerating them (both modes).
//!
//! This file holds the faithful mode (agents in columns by agent number, the lattice's
//! per-site counters in `lattice.rs`) and what both modes share: events, ramps, counts,
//! observation and the outcome. `mode = "fast"` hands the agents to `fast::Sites`, which
//! stores each on its site and activates them tile by tile.

mod events;
mod fast;
mod lattice;
mod outbursts;
pub mod params;
pub mod rules;
mod validate;

use std::sync::Arc;

use crate::model::{ChartGroup, Model, ModelDef, ModelMeta, Payload};
use crate::observe::{LatticeImage, LogEntry, Outcome, StopReason};
use crate::rng::Stream;
use crate::scenario::{Check, Event, EventArgs, Scenario};
use crate::world::World;
pub use events::{Action, Kind};
pub use params::*;

use lattice::{Lattice, NONE};
pub use outbursts::{Outburst, Outbursts};

/// The civil violence model, as the rest of the system knows it.
pub struct Def;

/// The civil violence model's entry in [`crate::model::BUILT_IN`].
pub static DEF: Def = Def;

impl ModelDef for Def {
    fn name(&self) -> &'static str {
        "civil_violence"
    }

    fn lattice(&self) -> bool {
        true
    }

    fn structural(&self) -> &'static [&'static str] {
        &[
            "civil_violence.width",
            "civil_violence.height",
            "civil_violence.citizen_density",
            "civil_violence.cop_density",
            "civil_violence.groups",
            // How jailed agents are held and released, and which engine holds the lattice:
            // each fixes the shape of the saved state.
            "civil_violence.mode",
            "civil_violence.jailed",
            "civil_violence.release",
        ]
    }

    fn key_parameters(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("seed", "seed"),
            ("time.steps", "steps"),
            ("civil_violence.legitimacy", "legitimacy"),
            ("civil_violence.citizen_density", "citizen density"),
            ("civil_violence.cop_density", "cop density"),
            ("civil_violence.vision", "citizen vision"),
            ("civil_violence.threshold", "threshold T"),
            ("civil_violence.max_jail_term", "maximum jail term"),
            (
                "civil_violence.variant",
                "variant (epstein2002, mesa, netlogo)",
            ),
        ]
    }

    fn events(&self) -> &'static [crate::model::EventShape] {
        Kind::SHAPES
    }

    fn event(
        &self,
        kind: &'static str,
        a: &EventArgs,
        path: &str,
        c: &mut Check<'_>,
    ) -> Option<Payload> {
        let Some(kind) = Kind::parse(kind) else {
            c.bad(
                path,
                format!("`{kind}` is not a civil-violence event"),
                None,
            );
            return None;
        };
        Some(events::build(kind, a))
    }

    fn section(&self, c: &mut Check<'_>) -> Option<Payload> {
        let mut raw = c
            .section_node()
            .and_then(|n| RawCivilViolence::decode(n, "civil_violence", c.problems, c.spans))
            .unwrap_or_default();
        let params = validate::validate(c, &mut raw);
        c.resolve(&raw);
        params.map(|p| Arc::new(p) as Payload)
    }

    fn meta(&self, scenario: &Scenario) -> ModelMeta {
        let p = scenario.params::<CivilViolenceParams>();
        ModelMeta {
            model: self.name().into(),
            lattice: Some(crate::model::Lattice {
                width: p.epstein.width,
                height: p.epstein.height,
            }),
            snapshots: p.switches.snapshots.clone(),
            groups: vec![
                ChartGroup::new(
                    "Citizens by state",
                    "citizens",
                    &["active", "quiet", "jailed", "killed"],
                ),
                ChartGroup::new("Forces (persons)", "forces", &["cops", "peacekeepers"]),
                ChartGroup::new("Legitimacy", "legitimacy", &["legitimacy"]),
                ChartGroup::new("New per step", "new", &["new_active", "arrests"]),
            ],
            maps: Vec::new(),
        }
    }

    fn build(&self, scenario: &Scenario, world: &World) -> Box<dyn Model> {
        Box::new(CivilViolence::new(scenario, world))
    }
}

/// Random probes of the vision for an empty site before counting them all.
const PROBES: u32 = 16;

const CITIZEN: u8 = 0;
const COP: u8 = 1;

/// Streams of this model.
mod purpose {
    use crate::rng::Purpose;
    /// Placement of agents (agent = site, or 0 for a shuffle).
    pub const PLACEMENT: Purpose = Purpose(22);
    /// Hardship, risk aversion, death age (agent = agent).
    pub const DISPOSITION: Purpose = Purpose(23);
    /// The activation order of a step.
    pub const ORDER: Purpose = Purpose(24);
    /// The turns of a step, drawn in activation order (agent = 0).
    pub const TURN: Purpose = Purpose(25);
    /// Releases to random sites, ramps and peacekeepers (agent = 0 or the event index).
    pub const LATTICE_EVENTS: Purpose = Purpose(26);
}

/// A linear change from `from` at `start` to `to` at `end` (steps).
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
struct Ramp {
    from: f64,
    to: f64,
    start: u32,
    end: u32,
}

impl Ramp {
    fn at(&self, step: u32) -> f64 {
        if step >= self.end {
            return self.to;
        }
        let f = f64::from(step - self.start) / f64::from((self.end - self.start).max(1));
        self.from + (self.to - self.from) * f
    }
}

/// The civil violence model's state. Agents are columns indexed by agent number.
pub struct CivilViolence {
    p: EpsteinParams,
    sw: Switches,
    seed: u64,
    dt: f64,
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
    /// Age in steps (Model II, `groups = 2`, only; empty otherwise).
    age: Vec<u32>,
    /// Age at which each agent dies (Model II only; empty otherwise).
    death: Vec<u32>,
    /// (agent, site it left) of everyone in jail.
    prisoners: Vec<(u32, u32)>,
    vision: Vec<(i32, i32)>,
    cop_vision: Vec<(i32, i32)>,
    spans: Vec<(i32, i32)>,
    cop_spans: Vec<(i32, i32)>,
    near: Vec<(i32, i32)>,
    /// P by rounded C/A (built from the scenario, not saved).
    arrest_table: rules::ArrestTable,
    legitimacy: f64,
    legitimacy_ramp: Option<Ramp>,
    cop_ramp: Option<Ramp>,
    killed: u64,
    arrests: u64,
    extinct: Option<u32>,
    outbursts: Outbursts,
    scratch: Vec<u32>,
    found_scratch: Vec<u32>,
    run_scratch: Vec<(usize, usize, usize, u32)>,
    /// The activation order, kept between steps so that a step allocates nothing.
    order: Vec<u32>,
    /// Counts at the end of the last start or step (what observation reports).
    now: Counts,
    step: u32,
    /// Fast mode's agents, stored by site; while it is present the agent columns and the
    /// lattice above stay empty.
    fast: Option<Box<fast::Sites>>,
}

crate::model::state::saved_state!(CivilViolence {
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
    legitimacy: f64,
    legitimacy_ramp: Option<Ramp>,
    cop_ramp: Option<Ramp>,
    killed: u64,
    arrests: u64,
    extinct: Option<u32>,
    outbursts: Outbursts,
    now: Counts,
    step: u32,
    fast: Option<Box<fast::Sites>>,
});

impl CivilViolence {
    /// The lattice with its citizens and cops placed.
    pub fn new(scenario: &Scenario, _world: &World) -> CivilViolence {
        let c = scenario.params::<CivilViolenceParams>().clone();
        let (p, sw) = (c.epstein, c.switches);
        let fast =
            (sw.mode == Mode::Fast).then(|| Box::new(fast::Sites::new(&p, &sw, scenario.seed)));
        let (w, h) = if fast.is_some() {
            (0, 0)
        } else {
            (p.width, p.height)
        };
        let mut m = CivilViolence {
            lattice: Lattice::new(w, h, sw.jailed == JailedAgents::Transparent),
            vision: rules::offsets(p.vision, sw.vision_shape),
            cop_vision: rules::offsets(p.cop_vision, sw.vision_shape),
            spans: rules::row_spans(p.vision, sw.vision_shape),
            cop_spans: rules::row_spans(p.cop_vision, sw.vision_shape),
            near: rules::offsets(1.0, VisionShape::Moore),
            // C/A ≤ C, and C is at most the cops in a citizen's vision (one per site, more
            // where a transparent jail crowds them: those are computed).
            arrest_table: rules::ArrestTable::new(
                p.k,
                sw.ratio,
                rules::offsets(p.vision, sw.vision_shape).len() as u32 + 1,
            ),
            legitimacy: p.legitimacy,
            outbursts: Outbursts::new(p.outburst_level),
            seed: scenario.seed,
            dt: scenario.time.step_days,
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
            legitimacy_ramp: None,
            cop_ramp: None,
            killed: 0,
            arrests: 0,
            extinct: None,
            scratch: Vec::new(),
            found_scratch: Vec::new(),
            run_scratch: Vec::new(),
            order: Vec::new(),
            now: Counts::default(),
            step: 0,
            fast,
            p,
            sw,
        };
        if m.fast.is_none() {
            m.lattice.keep_halo((m.spans.len() / 2) as u32);
            m.reserve();
            m.place();
        }
        m
    }

    /// What fast mode's rules read from the model this step.
    fn rules(&self) -> fast::Rules<'_> {
        fast::Rules {
            p: &self.p,
            sw: &self.sw,
            legitimacy: self.grievance_legitimacy(),
            seed: self.seed,
            vision: &self.vision,
            cop_vision: &self.cop_vision,
            spans: &self.spans,
            cop_spans: &self.cop_spans,
            near: &self.near,
            arrest: &self.arrest_table,
        }
    }

    /// Sites of the lattice.
    fn sites(&self) -> usize {
        self.p.width as usize * self.p.height as usize
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

    /// Agents ever created (dead ones included).
    pub fn agents(&self) -> usize {
        if let Some(f) = &self.fast {
            return f.agents();
        }
        self.kind.len()
    }

    /// The outbursts so far.
    pub fn outbursts(&self) -> &Outbursts {
        &self.outbursts
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
        let death = 1 + s.below(self.p.max_age);
        if self.p.groups == 2 {
            self.age.push(0);
            self.death.push(death);
        }
        self.put(i, site);
        i
    }

    fn random_empty_site(&self, s: &mut Stream) -> Option<u32> {
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
                (c, a) = l.count_near(x, y, &self.spans).unwrap_or_else(|| {
                    lattice::count_two((&l.cop_bits, &l.active_bits), torus, x, y, &self.spans)
                });
            } else {
                self.runs(here, &self.spans, |row, xl, xh| {
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

    fn grievance_legitimacy(&self) -> f64 {
        if self.sw.dynamic_legitimacy {
            self.legitimacy
        } else {
            self.p.legitimacy
        }
    }

    /// Rule A (and, in Model II, the killing it means).
    fn decide(&mut self, i: u32, s: &mut Stream) {
        // G − R·P > T needs G > T whatever P (P ≥ 0): the many who can never be active need
        // no look around (an exact shortcut).
        let iu = i as usize;
        if self.hardship[iu] * (1.0 - self.grievance_legitimacy()) <= self.p.threshold {
            self.set_active(i, false);
            return;
        }
        let (c, a) = self.perceive(i);
        let p = self.arrest_table.p(c, a);
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
        let offsets = if cop { &self.cop_vision } else { &self.vision };
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
        let spans = if cop { &self.cop_spans } else { &self.spans };
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
        let spans = if cop { &self.cop_spans } else { &self.spans };
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
        self.runs(here, &self.cop_spans, |row, xl, xh| {
            total += lattice::count_in(&l.active_bits, wpr, row, xl, xh);
        });
        if total == 0 {
            return None;
        }
        let mut k = s.below(total);
        let mut found = None;
        self.runs(here, &self.cop_spans, |row, xl, xh| {
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
            for &(dx, dy) in &self.near {
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
    fn add_cops(&mut self, k: u64, s: &mut Stream) -> u64 {
        if let Some(f) = &mut self.fast {
            return f.add_cops(k, &self.p, s);
        }
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

    fn set_cop_count(&mut self, target: u64, s: &mut Stream) {
        if let Some(f) = &mut self.fast {
            f.set_cop_count(target, &self.p, s);
            return;
        }
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
    fn cells(&self) -> Vec<u8> {
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

    fn counts(&self) -> Counts {
        if let Some(f) = &self.fast {
            return f.counts();
        }
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

/// Calls `f(kind, site)` for each agent placed at the start, in site order (both modes place
/// the same agents, numbered in site order so that neighbours sit near in memory).
fn placements(
    seed: u64,
    p: &EpsteinParams,
    how: Placement,
    sites: u32,
    mut f: impl FnMut(u8, u32),
) {
    let (cd, kd) = (p.citizen_density, p.cop_density);
    match how {
        Placement::PerSite => {
            // Sites are visited in order, so agents are born numbered in site order directly,
            // with no list of placements to hold and sort.
            for site in 0..sites {
                let mut s = Stream::new(seed, purpose::PLACEMENT, 0, site);
                let u = s.uniform();
                if u < cd {
                    f(CITIZEN, site);
                } else if u < cd + kd {
                    f(COP, site);
                }
            }
        }
        Placement::Exact => {
            let mut order: Vec<u32> = (0..sites).collect();
            let mut s = Stream::new(seed, purpose::PLACEMENT, 0, 0);
            let cops = (kd * f64::from(sites)).round() as usize;
            let citizens = (cd * f64::from(sites)).round() as usize;
            let n = (cops + citizens).min(sites as usize);
            for k in 0..n {
                let j = k + s.below(sites - k as u32) as usize;
                order.swap(k, j);
            }
            // Cops first, as NetLogo places them; then born in site order (a byte per site
            // rather than a sorted list: a quarter of the memory, no sort).
            const NOBODY: u8 = u8::MAX;
            let mut kinds = vec![NOBODY; sites as usize];
            for (k, &site) in order[..n].iter().enumerate() {
                kinds[site as usize] = if k < cops { COP } else { CITIZEN };
            }
            drop(order);
            for (site, &kind) in kinds.iter().enumerate() {
                if kind != NOBODY {
                    f(kind, site as u32);
                }
            }
        }
    }
}

/// Per-group counts of one moment.
#[derive(Clone, Copy, Debug, Default, serde::Serialize, serde::Deserialize)]
struct Counts {
    population: [u64; 2],
    active: [u64; 2],
    quiet: [u64; 2],
    jailed: [u64; 2],
    cops: u64,
}

impl Model for CivilViolence {
    fn save(&self) -> Vec<u8> {
        self.save_state()
    }

    fn restore(&mut self, bytes: &[u8]) -> Result<(), crate::model::state::StateError> {
        self.restore_state(bytes)
    }

    fn columns(&self, _scenario: &Scenario) -> Vec<String> {
        let mut c: Vec<String> = ["active", "quiet", "jailed", "cops", "legitimacy", "arrests"]
            .map(String::from)
            .to_vec();
        if self.p.groups == 2 {
            c.push("killed".into());
            for g in ["blue", "green"] {
                for what in ["population", "active", "quiet", "jailed"] {
                    c.push(format!("{what}_{g}"));
                }
            }
        }
        c
    }

    fn start(&mut self, _world: &World, log: &mut Vec<LogEntry>) {
        let sites = self.sites();
        let c = self.counts();
        self.now = c;
        log.push(LogEntry {
            step: 0,
            kind: "placement".into(),
            region: None,
            count: c.population[0] + c.population[1],
            detail: format!(
                "{} citizens and {} cops on {} sites",
                c.population[0] + c.population[1],
                c.cops,
                sites
            ),
        });
        self.outbursts.observe(0, c.active[0] + c.active[1]);
    }

    fn apply(&mut self, event: &Event, index: usize, _world: &World, log: &mut Vec<LogEntry>) {
        let step = event.step;
        let steps = |days: f64, dt: f64| (days / dt).round() as u32;
        let mut s = Stream::new(self.seed, purpose::LATTICE_EVENTS, step, index as u32);
        match *crate::model::data::<Action>(&event.action) {
            Action::Legitimacy { value, days } => {
                if !self.sw.dynamic_legitimacy {
                    log.push(LogEntry {
                        step,
                        kind: "legitimacy_fixed".into(),
                        region: None,
                        count: 0,
                        detail: format!(
                            "legitimacy stays {} (dynamic_legitimacy = false)",
                            self.p.legitimacy
                        ),
                    });
                    return;
                }
                let n = steps(days, self.dt);
                if n == 0 {
                    self.legitimacy = value;
                    self.legitimacy_ramp = None;
                } else {
                    self.legitimacy_ramp = Some(Ramp {
                        from: self.legitimacy,
                        to: value,
                        start: step,
                        end: step + n,
                    });
                }
                log.push(LogEntry {
                    step,
                    kind: "legitimacy".into(),
                    region: None,
                    count: 0,
                    detail: format!("legitimacy to {value} over {days} days"),
                });
            }
            Action::Cops { value, days } => {
                let sites = self.sites() as f64;
                let n = steps(days, self.dt);
                if n == 0 {
                    self.set_cop_count((value * sites).round() as u64, &mut s);
                    self.cop_ramp = None;
                } else {
                    let now = self.counts().cops as f64 / sites;
                    self.cop_ramp = Some(Ramp {
                        from: now,
                        to: value,
                        start: step,
                        end: step + n,
                    });
                }
                log.push(LogEntry {
                    step,
                    kind: "cops".into(),
                    region: None,
                    count: (value * sites).round() as u64,
                    detail: format!("cop density to {value} over {days} days"),
                });
            }
            Action::Peacekeepers { value } => {
                let k = (value * self.sites() as f64).round() as u64;
                let added = self.add_cops(k, &mut s);
                log.push(LogEntry {
                    step,
                    kind: "peacekeepers".into(),
                    region: None,
                    count: added,
                    detail: format!("{added} peacekeepers enter"),
                });
            }
        }
    }

    fn step(&mut self, step: u32, _world: &World, log: &mut Vec<LogEntry>) {
        self.step = step;
        if let Some(r) = self.legitimacy_ramp {
            self.legitimacy = r.at(step);
        }
        if let Some(r) = self.cop_ramp {
            let mut s = Stream::new(self.seed, purpose::LATTICE_EVENTS, step, u32::MAX - 1);
            let target = (r.at(step) * self.sites() as f64).round() as u64;
            self.set_cop_count(target, &mut s);
        }
        if let Some(mut f) = self.fast.take() {
            let t = f.step(&self.rules(), step);
            self.fast = Some(f);
            self.arrests += t.arrests;
            self.killed += t.killed;
        } else {
            // One stream for the step's turns, drawn in random sequential order.
            let mut s = Stream::new(self.seed, purpose::TURN, step, 0);
            let mut order = std::mem::take(&mut self.order);
            self.random_order(step, &mut order);
            for &i in &order {
                self.turn(i, &mut s);
            }
            self.order = order;
            self.end_of_step_releases();
        }
        let c = self.counts();
        self.now = c;
        if let Some(done) = self.outbursts.observe(step, c.active[0] + c.active[1]) {
            log.push(done.entry());
        }
        if self.p.groups == 2
            && self.extinct.is_none()
            && (c.population[0] == 0 || c.population[1] == 0)
        {
            self.extinct = Some(step);
            log.push(LogEntry {
                step,
                kind: "extinction".into(),
                region: None,
                count: c.population[0] + c.population[1],
                detail: format!(
                    "the {} group is gone",
                    if c.population[0] == 0 {
                        "blue"
                    } else {
                        "green"
                    }
                ),
            });
        }
    }

    fn observe(&self, out: &mut Vec<f64>) {
        let c = self.now;
        let sum = |a: [u64; 2]| (a[0] + a[1]) as f64;
        out.extend([
            sum(c.active),
            sum(c.quiet),
            sum(c.jailed),
            c.cops as f64,
            self.grievance_legitimacy(),
            self.arrests as f64,
        ]);
        if self.p.groups == 2 {
            out.push(self.killed as f64);
            for g in 0..2 {
                out.extend([
                    c.population[g] as f64,
                    c.active[g] as f64,
                    c.quiet[g] as f64,
                    c.jailed[g] as f64,
                ]);
            }
        }
    }

    fn settled(&self) -> bool {
        false
    }

    fn lattice(&self) -> Option<LatticeImage> {
        let cells = match &self.fast {
            Some(f) => f.image(),
            None => self.cells(),
        };
        Some(LatticeImage {
            width: self.p.width,
            height: self.p.height,
            cells,
            legend: &[
                (0, "empty", [255, 255, 255]),
                (1, "quiet", [86, 180, 233]),
                (2, "active", [213, 94, 0]),
                (3, "jailed", [60, 60, 60]),
                (4, "cop", [0, 0, 128]),
                (5, "quiet (green group)", [0, 158, 115]),
            ],
        })
    }

    fn snapshot_steps(&self) -> &[u32] {
        &self.sw.snapshots
    }

    fn outcome(&self, last_step: u32, reason: StopReason, _world: &World) -> Outcome {
        let mut tracker = self.outbursts.clone();
        tracker.close(last_step);
        let o = tracker.summary();
        let c = self.now;
        let mut figures = vec![
            ("outbursts".to_string(), o.count as f64),
            ("mean_wait".to_string(), o.mean_wait),
            ("sd_wait".to_string(), o.sd_wait),
            ("mean_size".to_string(), o.mean_size),
            ("sd_size".to_string(), o.sd_size),
            ("peak_active".to_string(), o.peak as f64),
            ("mean_active".to_string(), o.mean_active),
            ("arrests".to_string(), self.arrests as f64),
            (
                "final_jailed".to_string(),
                (c.jailed[0] + c.jailed[1]) as f64,
            ),
        ];
        let sentence = if self.p.groups == 2 {
            figures.push(("killed".into(), self.killed as f64));
            figures.push(("final_blue".into(), c.population[0] as f64));
            figures.push(("final_green".into(), c.population[1] as f64));
            if let Some(e) = self.extinct {
                figures.push(("extinction_step".into(), f64::from(e)));
            }
            match self.extinct {
                Some(e) => format!(
                    "Genocide: one group was gone at step {e}; {} killed in all.",
                    self.killed
                ),
                None => format!(
                    "Both groups survive to step {last_step} ({} blue, {} green); {} killed.",
                    c.population[0], c.population[1], self.killed
                ),
            }
        } else {
            format!(
                "{} outbursts (over {} actives) in {last_step} steps, mean wait {:.0} steps, mean size {:.0} active-steps; peak {} active.",
                o.count, self.p.outburst_level, o.mean_wait, o.mean_size, o.peak
            )
        };
        Outcome {
            last_step,
            reason,
            figures,
            sentence,
        }
    }
}

#[cfg(test)]
mod tests;
