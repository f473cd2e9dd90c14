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
//! This file holds what both modes share: events, ramps, counts, observation and the
//! outcome, and the choice between the two storages. The faithful mode (`faithful.rs`, its
//! turns in `faithful/turns.rs`) keeps agents in columns by agent number, with the lattice's
//! per-site counters in `lattice.rs`; `mode = "fast"` (`fast.rs`, `fast/turns.rs`) stores
//! each agent on its site and activates them tile by tile. The rules an agent follows are
//! written once, in `rules.rs`.

mod events;
mod faithful;
mod fast;
mod lattice;
mod outbursts;
mod outcome;
pub mod params;
pub mod rules;
mod validate;

use crate::model::{ChartGroup, Model, ModelDef, ModelMeta, Payload};
use crate::observe::{LatticeImage, LogEntry, Outcome, Series, StopReason};
use crate::rng::Stream;
use crate::scenario::{Check, Event, EventArgs, Scenario};
use crate::world::World;
pub use events::{Action, Kind};
pub use params::*;

pub use outbursts::{Outburst, Outbursts};

/// The civil violence model, as the rest of the system knows it.
pub struct Def;

/// The civil violence model's entry in [`crate::model::BUILT_IN`].
pub static DEF: Def = Def;

/// The series of runs with two groups, with what legends call them.
const GROUP_SERIES: [(&str, &str); 8] = [
    ("population_blue", "blue: all"),
    ("active_blue", "blue: active"),
    ("quiet_blue", "blue: quiet"),
    ("jailed_blue", "blue: jailed"),
    ("population_green", "green: all"),
    ("active_green", "green: active"),
    ("quiet_green", "green: quiet"),
    ("jailed_green", "green: jailed"),
];

impl ModelDef for Def {
    fn name(&self) -> &'static str {
        "civil_violence"
    }

    fn lattice(&self) -> bool {
        true
    }

    fn parameters(&self) -> Vec<(&'static str, &'static [crate::scenario::ParamDoc])> {
        vec![("civil_violence", params::EpsteinParams::PARAMS)]
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
        let kind = c.event_kind(kind, path, Kind::parse)?;
        Some(events::build(kind, a))
    }

    fn section(&self, c: &mut Check<'_>) -> Option<Payload> {
        c.read_section(RawCivilViolence::decode, validate::validate)
    }

    /// Measured at 47 bytes a site in faithful mode (2,000 × 2,000); 64 leaves a margin.
    fn memory(&self, scenario: &Scenario) -> u64 {
        let p = scenario.params::<CivilViolenceParams>();
        64 * u64::from(p.epstein.width) * u64::from(p.epstein.height)
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
                    "persons",
                    "citizens",
                    &["active", "quiet", "jailed", "killed"],
                ),
                ChartGroup::new("Forces", "persons", "forces", &["cops", "peacekeepers"]),
                ChartGroup::new("Legitimacy", "fraction", "legitimacy", &["legitimacy"]),
                ChartGroup::new(
                    "New per step",
                    "persons per step",
                    "new",
                    &["new_active", "arrests"],
                ),
                // Runs with two ethnic groups (Epstein's runs 6 to 8).
                ChartGroup {
                    title: "Citizens by group and state".into(),
                    unit: "persons".into(),
                    stem: "by-group".into(),
                    columns: GROUP_SERIES.iter().map(|(c, _)| c.to_string()).collect(),
                },
            ],
            maps: Vec::new(),
            headline_unit: "persons".into(),
            labels: GROUP_SERIES
                .iter()
                .map(|(c, l)| (c.to_string(), l.to_string()))
                .collect(),
            figures: crate::observe::FigureDoc::list(outcome::FIGURES),
            ..ModelMeta::default()
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

/// The neighbourhoods a vision reaches and the arrest table: built from the scenario, never
/// saved, the same for both ways of storing the agents.
#[derive(Clone, Debug)]
pub(crate) struct Tables {
    /// Citizens' vision as (dx, dy) offsets, own site excluded (movement).
    pub vision: Vec<(i32, i32)>,
    /// Cops' vision as offsets.
    pub cop_vision: Vec<(i32, i32)>,
    /// Citizens' vision as row spans (row offset, half width).
    pub spans: Vec<(i32, i32)>,
    /// Cops' vision as row spans.
    pub cop_spans: Vec<(i32, i32)>,
    /// The eight Moore neighbours (cloning, Model II).
    pub near: Vec<(i32, i32)>,
    /// P by rounded C/A.
    pub arrest: rules::ArrestTable,
}

impl Tables {
    /// What fast mode's rules read this step, with `legitimacy` entering grievance.
    fn rules<'a>(
        &'a self,
        p: &'a EpsteinParams,
        sw: &'a Switches,
        seed: u64,
        legitimacy: f64,
    ) -> fast::Rules<'a> {
        fast::Rules {
            p,
            sw,
            legitimacy,
            seed,
            vision: &self.vision,
            cop_vision: &self.cop_vision,
            spans: &self.spans,
            cop_spans: &self.cop_spans,
            near: &self.near,
            arrest: &self.arrest,
        }
    }

    fn new(p: &EpsteinParams, sw: &Switches) -> Tables {
        Tables {
            vision: rules::offsets(p.vision, sw.vision_shape),
            cop_vision: rules::offsets(p.cop_vision, sw.vision_shape),
            spans: rules::row_spans(p.vision, sw.vision_shape),
            cop_spans: rules::row_spans(p.cop_vision, sw.vision_shape),
            near: rules::offsets(1.0, VisionShape::Moore),
            // C/A ≤ C, and C is at most the cops in a citizen's vision (one per site, more
            // where a transparent jail crowds them: those are computed).
            arrest: rules::ArrestTable::new(
                p.k,
                sw.ratio,
                rules::offsets(p.vision, sw.vision_shape).len() as u32 + 1,
            ),
        }
    }
}

/// How the agents are held: as columns by agent number (faithful), or by site (fast).
enum Storage {
    Faithful(Box<faithful::Faithful>),
    Fast(Box<fast::Sites>),
}

/// A storage's changing state, as a checkpoint holds it.
#[derive(serde::Serialize, serde::Deserialize)]
enum SavedStorage {
    Faithful(Vec<u8>),
    Fast(Box<fast::Sites>),
}

/// The civil violence model's state: what both storages share (legitimacy, ramps, counts,
/// outbursts), and the agents in one of the two storages.
pub struct CivilViolence {
    p: EpsteinParams,
    sw: Switches,
    seed: u64,
    dt: f64,
    t: Tables,
    storage: Storage,
    legitimacy: f64,
    legitimacy_ramp: Option<Ramp>,
    cop_ramp: Option<Ramp>,
    killed: u64,
    arrests: u64,
    extinct: Option<u32>,
    outbursts: Outbursts,
    /// Counts at the end of the last start or step (what observation reports).
    now: Counts,
    step: u32,
}

crate::model::state::saved_state!(CivilViolence {
    legitimacy: f64,
    legitimacy_ramp: Option<Ramp>,
    cop_ramp: Option<Ramp>,
    killed: u64,
    arrests: u64,
    extinct: Option<u32>,
    outbursts: Outbursts,
    now: Counts,
    step: u32,
});

impl CivilViolence {
    /// The lattice with its citizens and cops placed.
    pub fn new(scenario: &Scenario, _world: &World) -> CivilViolence {
        let c = scenario.params::<CivilViolenceParams>().clone();
        let (p, sw) = (c.epstein, c.switches);
        let t = Tables::new(&p, &sw);
        let storage = match sw.mode {
            Mode::Fast => Storage::Fast(Box::new(fast::Sites::new(&p, &sw, scenario.seed))),
            Mode::Faithful => Storage::Faithful(Box::new(faithful::Faithful::new(
                &p,
                &sw,
                &t,
                scenario.seed,
            ))),
        };
        CivilViolence {
            legitimacy: p.legitimacy,
            outbursts: Outbursts::new(p.outburst_level),
            seed: scenario.seed,
            dt: scenario.time.step_days,
            storage,
            legitimacy_ramp: None,
            cop_ramp: None,
            killed: 0,
            arrests: 0,
            extinct: None,
            now: Counts::default(),
            step: 0,
            t,
            p,
            sw,
        }
    }

    /// Sites of the lattice.
    fn sites(&self) -> usize {
        self.p.width as usize * self.p.height as usize
    }

    /// Agents ever created (dead ones included).
    pub fn agents(&self) -> usize {
        match &self.storage {
            Storage::Faithful(f) => f.agents(),
            Storage::Fast(f) => f.agents(),
        }
    }

    /// The outbursts so far.
    pub fn outbursts(&self) -> &Outbursts {
        &self.outbursts
    }

    /// The legitimacy that enters grievance: the current one, or the scenario's when
    /// legitimacy is fixed.
    fn grievance_legitimacy(&self) -> f64 {
        if self.sw.dynamic_legitimacy {
            self.legitimacy
        } else {
            self.p.legitimacy
        }
    }

    /// Cops at random empty sites (at most `k`; fewer if the lattice fills); returns how many.
    fn add_cops(&mut self, k: u64, s: &mut Stream) -> u64 {
        match &mut self.storage {
            Storage::Faithful(f) => f.add_cops(k, s),
            Storage::Fast(f) => f.add_cops(k, &self.p, s),
        }
    }

    /// Adds or removes cops until there are `target`.
    fn set_cop_count(&mut self, target: u64, s: &mut Stream) {
        match &mut self.storage {
            Storage::Faithful(f) => f.set_cop_count(target, s),
            Storage::Fast(f) => f.set_cop_count(target, &self.p, s),
        }
    }

    fn counts(&self) -> Counts {
        match &self.storage {
            Storage::Faithful(f) => f.counts(),
            Storage::Fast(f) => f.counts(),
        }
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
        let storage = match &self.storage {
            Storage::Faithful(f) => SavedStorage::Faithful(f.save_state()),
            Storage::Fast(f) => SavedStorage::Fast(f.clone()),
        };
        postcard::to_stdvec(&(self.save_state(), storage)).expect("plain data always encodes")
    }

    fn restore(&mut self, bytes: &[u8]) -> Result<(), crate::model::state::StateError> {
        let (shared, storage): (Vec<u8>, SavedStorage) = postcard::from_bytes(bytes)?;
        self.restore_state(&shared)?;
        let refuse = |why: String| {
            crate::model::state::StateError(format!("it does not fit the scenario: {why}"))
        };
        match (&mut self.storage, storage) {
            (Storage::Faithful(f), SavedStorage::Faithful(b)) => {
                let fresh = f.lattice.clone();
                f.restore_state(&b)?;
                f.check_restored(&fresh).map_err(refuse)
            }
            (Storage::Fast(f), SavedStorage::Fast(saved)) => {
                saved.fits(f).map_err(refuse)?;
                **f = *saved;
                Ok(())
            }
            _ => Err(crate::model::state::StateError(
                "the checkpoint holds the agents in the other mode (faithful or fast)".into(),
            )),
        }
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
        let legitimacy = self.grievance_legitimacy();
        let t = match &mut self.storage {
            Storage::Faithful(f) => f.step(step, legitimacy),
            Storage::Fast(f) => f.step(
                &self.t.rules(&self.p, &self.sw, self.seed, legitimacy),
                step,
            ),
        };
        self.arrests += t.arrests;
        self.killed += t.killed;
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

    fn series(&self, out: &mut Series<'_>) {
        let c = self.now;
        let sum = |a: [u64; 2]| (a[0] + a[1]) as f64;
        out.put("active", sum(c.active));
        out.put("quiet", sum(c.quiet));
        out.put("jailed", sum(c.jailed));
        out.put("cops", c.cops as f64);
        out.put("legitimacy", self.grievance_legitimacy());
        out.put("arrests", self.arrests as f64);
        if self.p.groups == 2 {
            out.put("killed", self.killed as f64);
            for (g, group) in ["blue", "green"].iter().enumerate() {
                out.put_named(|| format!("population_{group}"), c.population[g] as f64);
                out.put_named(|| format!("active_{group}"), c.active[g] as f64);
                out.put_named(|| format!("quiet_{group}"), c.quiet[g] as f64);
                out.put_named(|| format!("jailed_{group}"), c.jailed[g] as f64);
            }
        }
    }

    fn settled(&self) -> bool {
        false
    }

    fn lattice(&self) -> Option<LatticeImage> {
        let cells = match &self.storage {
            Storage::Faithful(f) => f.cells(),
            Storage::Fast(f) => f.image(),
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
        self.summary(last_step, reason)
    }
}

#[cfg(test)]
impl CivilViolence {
    /// The faithful storage (tests of its rules).
    fn into_faithful(self) -> faithful::Faithful {
        match self.storage {
            Storage::Faithful(f) => *f,
            Storage::Fast(_) => panic!("a fast-mode model"),
        }
    }

    /// The fast storage, if the model has one.
    fn fast_sites(&mut self) -> Option<&mut fast::Sites> {
        match &mut self.storage {
            Storage::Fast(f) => Some(f),
            Storage::Faithful(_) => None,
        }
    }

    /// The fast storage, if the model has one.
    fn fast_ref(&self) -> Option<&fast::Sites> {
        match &self.storage {
            Storage::Fast(f) => Some(f),
            Storage::Faithful(_) => None,
        }
    }

    /// What fast mode's rules read this step.
    fn rules(&self) -> fast::Rules<'_> {
        self.t
            .rules(&self.p, &self.sw, self.seed, self.grievance_legitimacy())
    }

    /// The faithful storage, if the model has one.
    fn faithful(&self) -> Option<&faithful::Faithful> {
        match &self.storage {
            Storage::Faithful(f) => Some(f),
            Storage::Fast(_) => None,
        }
    }
}

#[cfg(test)]
mod restore_tests {
    use super::*;
    use crate::scenario::{embedded, Override};

    fn run(name: &str, mode: &str) -> (Scenario, CivilViolence) {
        let src = embedded::source(name).unwrap();
        let set = [Override::parse(&format!("civil_violence.mode={mode}")).unwrap()];
        let s = Scenario::load(&src, &set).unwrap();
        let w = World::default();
        let mut m = CivilViolence::new(&s, &w);
        let mut log = Vec::new();
        m.start(&w, &mut log);
        (s, m)
    }

    /// A saved state edited (and re-encoded, as a re-checksummed checkpoint would be) to
    /// name sites or agents that are not there, or a lattice of another size, is refused on
    /// restore, in both modes; the state as saved is accepted.
    #[test]
    fn a_restored_state_that_does_not_fit_the_scenario_is_refused() {
        let w = World::default();
        type Edit = Box<dyn Fn(&mut CivilViolence)>;
        let faithful: Vec<(&str, Edit)> = vec![
            (
                "an agent's site",
                Box::new(|m| m.storage_faithful().site[0] = 1 << 30),
            ),
            (
                "a list that loops",
                Box::new(|m| {
                    let f = m.storage_faithful();
                    let first = f
                        .lattice
                        .head
                        .iter()
                        .copied()
                        .find(|&h| h != lattice::NONE)
                        .unwrap();
                    f.next[first as usize] = first;
                }),
            ),
            (
                "a column",
                Box::new(|m| m.storage_faithful().risk.pop().map(|_| ()).unwrap()),
            ),
            ("a kind", Box::new(|m| m.storage_faithful().kind[0] = 9)),
            (
                "the lattice",
                Box::new(|m| m.storage_faithful().lattice.width += 1),
            ),
            (
                "a prisoner",
                Box::new(|m| m.storage_faithful().prisoners.push((u32::MAX - 1, 0))),
            ),
        ];
        let fast: Vec<(&str, Edit)> = vec![
            (
                "the width",
                Box::new(|m| m.fast_sites().unwrap().spoil("width")),
            ),
            (
                "the flags",
                Box::new(|m| m.fast_sites().unwrap().spoil("flags")),
            ),
            (
                "a jailed site",
                Box::new(|m| m.fast_sites().unwrap().spoil("jailed site")),
            ),
            (
                "the wheel",
                Box::new(|m| m.fast_sites().unwrap().spoil("wheel")),
            ),
        ];
        for (mode, edits) in [("faithful", faithful), ("fast", fast)] {
            let (s, m) = run("epstein-run1", mode);
            let good = m.save();
            let r = CivilViolence::new(&s, &w).restore(&good);
            assert!(r.is_ok(), "{mode}: {r:?}");
            for (what, edit) in edits {
                let mut bad = CivilViolence::new(&s, &w);
                bad.restore(&good).unwrap();
                edit(&mut bad);
                let e = CivilViolence::new(&s, &w).restore(&bad.save());
                assert!(
                    e.as_ref()
                        .is_err_and(|e| e.0.contains("does not fit the scenario")),
                    "{mode}: {what} was accepted: {e:?}"
                );
            }
        }
    }

    impl CivilViolence {
        fn storage_faithful(&mut self) -> &mut faithful::Faithful {
            match &mut self.storage {
                Storage::Faithful(f) => f,
                Storage::Fast(_) => panic!("a fast-mode model"),
            }
        }
    }
}
