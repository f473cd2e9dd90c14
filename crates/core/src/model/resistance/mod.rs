//! `resistance`: the all-people resistance model (`docs/models/resistance.md`).
//!
//! # The day, in order
//! The processes of a step run in this order, written here and nowhere else
//! ([`Resistance::step`]); timeline events fire before them (the engine's stage 1):
//! 1. **outreach and recruitment** ([`outreach`]);
//! 2. **contributions**, flows to bases, strategic materials ([`contributions`]);
//! 3. **bases and training** ([`training`]);
//! 4. **repression**: releases, drafts into hiding, detection, arrests, betrayal ([`repression`]);
//! 5. **forces and combat**: movement by the operations plan, raids, Lanchester battles, fire
//!    on crowds ([`forces`]);
//! 6. **policing of crowds**: arrests out of crowds, dispersal ([`policing`]); the forces'
//!    loyalty worn down, defection, defectors joining the rebels ([`loyalty`]);
//! 7. **demobilization**: people out in the rising go home ([`demobilization`]);
//! 8. **uprising** by thresholds on ties, and rallying of people in hiding ([`uprising`]);
//! 9. **control, liberation and collapse** ([`control`]);
//! 10. **concession**: the cost of sustained mobilization against the regime's resolve
//!     ([`concession`]);
//! 11. **observation** (the engine's stage 3, [`Model::series`]).
//!
//! The daily work is proportional to what changes: contacts, detections, trainees and
//! casualties are Poisson counts drawn per region and then picked from per-region lists;
//! the uprising is an event-driven cascade. Nothing scans the population each day. The
//! processes run on one thread in region order (each region draws from its own streams, so a
//! change in one region leaves the others' draws alone); synthesis and initialization are
//! parallel.

mod committees;
mod concession;
mod contributions;
mod control;
mod demobilization;
mod events;
mod forces;
mod integrity;
mod loyalty;
mod observe;
mod ops;
mod organizations;
mod outreach;
pub mod params;
pub mod people;
mod policing;
mod regions;
mod repression;
#[cfg(test)]
mod tests;
mod timeline;
mod training;
mod uprising;
mod validate;

use crate::model::{ChartGroup, MapFamily, Model, ModelDef, ModelMeta, Payload};
use crate::observe::{LogEntry, Outcome, StopReason};
use crate::scenario::{Check, Event, EventArgs, Scenario};
use crate::world::World;

pub use events::{Action, Kind as EventKind};
pub use params::{Kind, ResistanceParams};

pub use forces::{Column, Side};
pub use organizations::Cells;
pub use people::{Persons, State, STATES};
pub use regions::{RegionState, Timed, RESOURCES};

/// The resistance model's own random purposes (numbers after the core's and civil
/// violence's; part of the output format like theirs).
pub mod purpose {
    use crate::rng::Purpose;
    /// Going home from the rising (agent = region).
    pub const DEMOBILIZATION: Purpose = Purpose(27);
    /// Arrests and dispersal of crowds (agent = region).
    pub const POLICING: Purpose = Purpose(28);
}

/// Persons in the smallest home region from which shares agree with those of the whole
/// population within sampling noise. Measured on `korea-1936-1945` as shipped (5 seeds per
/// scale, `python3 scripts/resistance-figures.py scale`): the organized share on the eve of the
/// offensive is 0.19 % at 1/10, 1/20, 1/30 and 1/50 (the smallest region then has 16,278
/// persons or more), but 0.22 % at 1/100, and three times as variable; 40,000 leaves a margin.
pub const MIN_REGION_PERSONS: u32 = 40_000;

/// The resistance model, as the rest of the system knows it.
pub struct Def;

/// The resistance model's entry in [`crate::model::BUILT_IN`].
pub static DEF: Def = Def;

impl ModelDef for Def {
    fn name(&self) -> &'static str {
        "resistance"
    }

    fn structural(&self) -> &'static [&'static str] {
        &["resistance.kinds", "resistance.leadership"]
    }

    fn parameters(&self) -> Vec<(&'static str, &'static [crate::scenario::ParamDoc])> {
        params::parameter_tables()
    }

    fn key_parameters(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("seed", "seed"),
            ("scale", "scale (share of the population simulated)"),
            ("time.steps", "days to simulate"),
            (
                "resistance.organizations",
                "mass organizations (true/false)",
            ),
            (
                "resistance.outreach.member_contacts",
                "contacts per member per day",
            ),
            ("resistance.outreach.persuade", "persuasion probability"),
            (
                "resistance.repression.detection",
                "police detection per cell per day",
            ),
            (
                "resistance.uprising.threshold_base",
                "threshold to rise (fraction of ties)",
            ),
            ("resistance.combat.fire", "aimed fire per fighter per day"),
        ]
    }

    fn region_fields(&self) -> &'static [crate::model::RegionField] {
        use crate::model::RegionField;
        &[
            // Share of the area that is mountain or forest: hiding places and bases.
            RegionField {
                key: "mountain_share",
                unit: "",
                min: 0.0,
                max: 1.0,
                default: 0.0,
                scaled: false,
            },
            // The ruling side's troops stationed in the region (persons before scaling).
            RegionField {
                key: "garrison",
                unit: "persons",
                min: 0.0,
                max: 1e9,
                default: 0.0,
                scaled: true,
            },
            // The ruling side's police (persons before scaling).
            RegionField {
                key: "police",
                unit: "persons",
                min: 0.0,
                max: 1e9,
                default: 0.0,
                scaled: true,
            },
            // The ruling side's control at the start (fraction).
            RegionField {
                key: "control",
                unit: "",
                min: 0.0,
                max: 1.0,
                default: 1.0,
                scaled: false,
            },
        ]
    }

    fn events(&self) -> &'static [crate::model::EventShape] {
        EventKind::SHAPES
    }

    fn event(
        &self,
        kind: &'static str,
        a: &EventArgs,
        path: &str,
        c: &mut Check<'_>,
    ) -> Option<Payload> {
        let kind = c.event_kind(kind, path, EventKind::parse)?;
        events::build(kind, a, path, c)
    }

    fn section(&self, c: &mut Check<'_>) -> Option<Payload> {
        c.read_section(params::RawResistance::decode, validate::validate)
    }

    fn size_warning(&self, scenario: &Scenario) -> Option<String> {
        let smallest = scenario
            .regions
            .iter()
            .filter(|r| !r.abroad && r.population > 0)
            .map(|r| r.population)
            .min()?;
        (smallest < MIN_REGION_PERSONS).then(|| {
            format!(
                "the smallest home region has {smallest} persons: below {MIN_REGION_PERSONS}, shares such as \
                 the organized share are biased upward by the regions' small size and noisier (a sixth \
                 higher at 1/100 of Korea; docs/models/resistance.md, Scale); use the \
                 results to explore, and raise `scale` to conclude"
            )
        })
    }

    /// An 8-byte hot record and a cell number per person, the per-region lists (about 4
    /// bytes a person), and where `who_rises` leaves anyone out each person's count of ties
    /// who may rise (2 bytes) and a bit: measured at 1.69 GB with the network at full scale.
    fn memory(&self, scenario: &Scenario) -> u64 {
        18 * u64::from(scenario.population())
    }

    fn meta(&self, scenario: &Scenario) -> ModelMeta {
        let p = scenario.params::<ResistanceParams>();
        let kinds: Vec<String> = p.kinds.iter().map(|k| format!("kind.{}", k.name)).collect();
        let attributes = crate::population::AGE_BANDS
            .iter()
            .chain(crate::population::SEXES.iter())
            .chain(crate::population::OCCUPATIONS.iter());
        // Killed, by side and cause: the categories of `regions::KILLED`, in its order.
        const KILLED_LABELS: [&str; 8] = [
            "ruling side (garrison, police)",
            "main force",
            "outside armies",
            "fighters",
            "armed risen",
            "expedition troops",
            "crowds (unarmed risen)",
            "defectors on the rebels' side",
        ];
        let mut labels: std::collections::BTreeMap<String, String> = p
            .kinds
            .iter()
            .map(|k| (format!("kind.{}", k.name), k.label.clone()))
            .collect();
        labels.extend(
            regions::KILLED
                .iter()
                .zip(KILLED_LABELS)
                .map(|(k, l)| (format!("killed_{k}"), l.to_string())),
        );
        labels.insert("killed".into(), "in all".into());
        labels.insert("liberated_share".into(), "liberated share".into());
        labels.insert("collapsed".into(), "collapsed (0 or 1)".into());
        labels.insert("main_force".into(), "main force".into());
        labels.insert("external_force".into(), "outside army".into());
        labels.insert("risen".into(), "out in the rising".into());
        labels.insert(
            "organized".into(),
            "organized (members, cadres, fighters)".into(),
        );
        labels.insert("defected".into(), "stopped obeying".into());
        labels.insert("turned".into(), "joined the rebels".into());
        labels.insert("loyalty_garrison".into(), "garrison's loyal share".into());
        labels.insert("loyalty_police".into(), "police's loyal share".into());
        labels.insert("went_home".into(), "gone home".into());
        labels.insert("ever_risen".into(), "out at least once".into());
        labels.insert("crowd_arrests".into(), "arrested out of crowds".into());
        labels.insert("arrests".into(), "arrested in all".into());
        labels.insert("striking".into(), "out under a strike call".into());
        labels.insert("pressure".into(), "pressure on the regime".into());
        labels.insert("conceded".into(), "conceded (0 or 1)".into());
        labels.extend(
            attributes
                .clone()
                .map(|a| (format!("organized_{a}"), a.to_string())),
        );
        ModelMeta {
            model: self.name().into(),
            groups: vec![
                ChartGroup::new(
                    "People by state",
                    "persons",
                    "states",
                    &[
                        "sympathizer",
                        "member",
                        "cadre",
                        "fighter",
                        "risen",
                        "arrested",
                        "dead",
                        "hiding",
                    ],
                ),
                // Two million people against thousands: on one axis the others are a line
                // along zero.
                ChartGroup::new(
                    "Not yet reached by the organizations",
                    "persons",
                    "unreached",
                    &["unreached"],
                ),
                ChartGroup::new(
                    "Organization",
                    "count",
                    "organization",
                    &["committees", "cells", "bases"],
                ),
                ChartGroup::new("Money collected", "yen", "money", &["money"]),
                ChartGroup::new(
                    "Provisions collected",
                    "kg of grain",
                    "provisions",
                    &["provisions"],
                ),
                ChartGroup::new(
                    "Skill and wisdom given",
                    "hours",
                    "skill-wisdom",
                    &["skill", "wisdom"],
                ),
                ChartGroup::new(
                    "Strategic materials",
                    "arms units",
                    "materials",
                    &["materials"],
                ),
                ChartGroup::new(
                    "Forces",
                    "persons",
                    "forces",
                    &[
                        "main_force",
                        "external_force",
                        "garrison",
                        "police",
                        "defected",
                        "turned",
                    ],
                ),
                ChartGroup::new(
                    "Loyal share of the ruling side's forces",
                    "fraction",
                    "loyalty",
                    &["loyalty_garrison", "loyalty_police"],
                ),
                // Cumulative counts: how the rising ebbs and how crowds are policed.
                ChartGroup::new(
                    "Out at least once, gone home, and arrested, since the start",
                    "persons",
                    "ebb",
                    &["ever_risen", "went_home", "arrests", "crowd_arrests"],
                ),
                ChartGroup {
                    title: "Killed since the start, by side and cause".into(),
                    unit: "persons".into(),
                    stem: "killed".into(),
                    columns: std::iter::once("killed".to_string())
                        .chain(regions::KILLED.iter().map(|k| format!("killed_{k}")))
                        .collect(),
                },
                ChartGroup::new(
                    "Control, liberation, fear, collapse and concession",
                    "fraction",
                    "control",
                    &[
                        "control",
                        "liberated_share",
                        "fear",
                        "collapsed",
                        "conceded",
                    ],
                ),
                // The cost of sustained mobilization, against which a regime may yield.
                ChartGroup::new(
                    "Out under a strike call",
                    "persons",
                    "strike",
                    &["striking"],
                ),
                ChartGroup::new(
                    "Pressure of sustained mobilization on the regime",
                    "share-days",
                    "pressure",
                    &["pressure"],
                ),
                ChartGroup::new("Regions liberated", "regions", "liberated", &["liberated"]),
                ChartGroup {
                    title: "Members by organization kind".into(),
                    unit: "persons".into(),
                    stem: "kinds".into(),
                    columns: kinds,
                },
                ChartGroup {
                    title: "Organized by age, sex and occupation".into(),
                    unit: "persons".into(),
                    stem: "organized-by-group".into(),
                    columns: attributes.map(|a| format!("organized_{a}")).collect(),
                },
            ],
            maps: vec![
                MapFamily::new("control", true),
                MapFamily::new("organized", false),
                MapFamily::new("risen", false),
                MapFamily::new("killed", false),
            ],
            headline_unit: "persons".into(),
            labels,
            outcomes: vec![
                crate::model::KeyOutcome {
                    figure: "collapse_step".into(),
                    happened: "The ruling system collapsed".into(),
                },
                crate::model::KeyOutcome {
                    figure: "concession_step".into(),
                    happened: "The regime conceded".into(),
                },
            ],
            // A run is told by its rising where there was one, by its organizations before.
            leads: vec!["risen".into(), "organized".into()],
            decisive: vec!["control".into()],
            figures: crate::observe::FigureDoc::list(observe::FIGURES),
            ..ModelMeta::default()
        }
    }

    fn build(&self, scenario: &Scenario, world: &World) -> Box<dyn Model> {
        Box::new(Resistance::new(scenario, world))
    }
}

/// The resistance model: what the scenario fixes, and what a run changes.
pub struct Resistance {
    /// Fixed for the run by the scenario and the world; never saved.
    fixed: Fixed,
    /// Everything a run changes; saved whole in a checkpoint.
    pub state: RunState,
}

/// What the scenario and the world fix for a run: parameters and tables derived from them.
struct Fixed {
    params: ResistanceParams,
    seed: u64,
    /// Days per step.
    dt: f64,
    /// Share of the population simulated: counts that are real numbers of events (raids) are
    /// divided by it so that their effect on shares does not depend on it.
    scale: f64,
    /// The run's calendar, to say when things happened.
    time: crate::scenario::TimeSpan,
    names: Vec<String>,
    /// Neighbours of each region, both directions.
    adjacency: Vec<Vec<u16>>,
    /// The local units in which committees are counted.
    counties: committees::Counties,
    /// On weighted ties only: the summed weight of each person's ties who may rise (fixed by
    /// the network and `who_rises`).
    strength: Vec<f32>,
    /// Each person's ties who may rise (`who_rises`), saturating at u16::MAX: the reference
    /// group of the threshold share. Empty when everyone may rise (then it is the degree).
    eligible_ties: Vec<u16>,
    /// One bit a person: `who_rises` admits them. Empty when everyone may rise.
    rise_ok: Vec<u64>,
}

/// What a run changes, in parts: a checkpoint saves this whole (derived from the types, so a
/// field added to any part is saved with it), and a branch rebuilds [`Fixed`] from its own
/// scenario.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct RunState {
    /// Per-person state.
    pub persons: Persons,
    /// Per-region state.
    pub regions: Vec<RegionState>,
    /// Organizations: cells, their members, committees.
    pub cells: Cells,
    /// The uprising's bookkeeping: who rose last step, ties out, committees.
    pub uprising: uprising::Uprising,
    /// Armed columns and fronts.
    pub forces: forces::Forces,
    /// Who is in jail, until when.
    pub jail: repression::Jail,
    /// The story so far: programme, offensive, first attack, collapse.
    pub course: control::Course,
    /// Running figures for the outcome.
    pub tallies: observe::Tallies,
}

impl Resistance {
    /// Initial state: every person unreached, the leadership's cadres placed.
    pub fn new(scenario: &Scenario, world: &World) -> Resistance {
        let params = scenario.params::<ResistanceParams>().clone();
        let n_regions = scenario.regions.len();
        let mut adjacency = vec![Vec::new(); n_regions];
        for (i, g) in scenario.regions.iter().enumerate() {
            for &j in &g.neighbours {
                if !adjacency[i].contains(&j) {
                    adjacency[i].push(j);
                }
                if !adjacency[j as usize].contains(&(i as u16)) {
                    adjacency[j as usize].push(i as u16);
                }
            }
        }
        for a in &mut adjacency {
            a.sort_unstable();
        }
        let kinds = params.kinds.len();
        let counties = committees::Counties::new(scenario, world, params.committees.counties);
        let fixed = Fixed {
            strength: if world.network.is_weighted() {
                uprising::eligible_strength(world, &params.who_rises)
            } else {
                Vec::new()
            },
            eligible_ties: uprising::eligible_ties(world, &params.who_rises),
            rise_ok: uprising::rise_bits(world, &params.who_rises),
            seed: scenario.seed,
            dt: scenario.time.step_days,
            scale: scenario.scale,
            time: scenario.time.clone(),
            names: scenario.regions.iter().map(|g| g.name.clone()).collect(),
            adjacency,
            counties,
            params,
        };
        let state = RunState {
            persons: Persons::new(
                &world.people.occupation,
                &world.people.region,
                &fixed.params.people,
                scenario.seed,
            ),
            regions: scenario
                .regions
                .iter()
                .map(|g| RegionState {
                    loyalty: loyalty::base(&fixed.params.loyalty),
                    ..RegionState::new(g, kinds)
                })
                .collect(),
            cells: Cells {
                committee: vec![None; n_regions],
                kind_members: vec![0; kinds],
                banned: vec![false; kinds],
                ..Default::default()
            },
            uprising: uprising::Uprising {
                frontier: Vec::new(),
                risen_weight: if world.network.is_weighted() {
                    vec![0.0; world.people.len()]
                } else {
                    Vec::new()
                },
                rescan: Vec::new(),
                county_risen: vec![0; fixed.counties.len()],
                county_formed: vec![false; fixed.counties.len()],
            },
            forces: forces::Forces {
                columns: Vec::new(),
                fronts: Vec::new(),
                laid_down: false,
                armed_last: vec![false; n_regions],
            },
            jail: repression::Jail::default(),
            course: control::Course::default(),
            tallies: observe::Tallies::default(),
        };
        Resistance { fixed, state }
    }

    /// The parameters in force.
    pub fn params(&self) -> &ResistanceParams {
        &self.fixed.params
    }

    /// Step and cause of the collapse of the ruling system, if it has happened.
    pub fn collapse(&self) -> Option<(u32, &str)> {
        self.state
            .course
            .collapse
            .as_ref()
            .map(|(s, c)| (*s, c.as_str()))
    }

    /// Step of the final offensive, if it has begun.
    pub fn offensive(&self) -> Option<u32> {
        self.state.course.offensive
    }

    /// Share of the home population in liberated regions (0 with no home population).
    pub(crate) fn liberated_share(&self) -> f64 {
        let (home, free) = self.home_and_liberated();
        if home > 0.0 {
            free / home
        } else {
            0.0
        }
    }

    /// (home population, of which in liberated regions), in persons; areas abroad count
    /// for neither.
    pub(crate) fn home_and_liberated(&self) -> (f64, f64) {
        let home = self.state.regions.iter().filter(|g| !g.abroad);
        let people = |g: &RegionState| f64::from(g.population);
        // `+ 0.0`: an empty sum of floats is −0.0, which would print as "-0".
        (
            home.clone().map(people).sum::<f64>() + 0.0,
            home.filter(|g| g.liberated).map(people).sum::<f64>() + 0.0,
        )
    }
}

impl Model for Resistance {
    fn save(&self) -> Vec<u8> {
        postcard::to_stdvec(&self.state).expect("plain data always encodes")
    }

    fn restore(&mut self, bytes: &[u8]) -> Result<(), crate::model::state::StateError> {
        let shape = self.shape();
        self.state = postcard::from_bytes(bytes)?;
        self.check_state(&shape)
    }

    fn start(&mut self, world: &World, log: &mut Vec<LogEntry>) {
        self.place_leadership(world, log);
        self.state.tallies.track_peaks(&self.state.regions);
    }

    fn apply(&mut self, event: &Event, index: usize, world: &World, log: &mut Vec<LogEntry>) {
        self.apply_event(event, index, world, log);
    }

    fn step(&mut self, step: u32, world: &World, log: &mut Vec<LogEntry>) {
        if self.state.course.decided() && self.fixed.params.stop_at_collapse {
            return;
        }
        // After a collapse, the ruling side's forces lay down their arms (control.rs).
        let (f, s) = (&self.fixed, &mut self.state);
        control::lay_down_arms(
            step,
            &f.names,
            &s.course,
            &mut s.forces,
            &mut s.regions,
            log,
        );
        // The order of the module documentation, written here and nowhere else. A process is
        // a function of its parameters and of the parts of the state it touches (as
        // `contributions`); those that change people's states are still methods on the
        // whole model, which calls `ops.rs` for every such change.
        self.outreach(step, world, log);
        let (f, s) = (&self.fixed, &mut self.state);
        contributions::contributions(
            &f.params.contributions,
            f.params.organizations,
            f.dt,
            &s.course,
            &mut s.regions,
        );
        self.training(step, world, log);
        self.repression(step, world, log);
        self.forces(step, world, log);
        self.policing(step, world, log);
        self.demobilization(step, world, log);
        self.uprising(step, world, log);
        self.control(step, log);
        let (f, s) = (&self.fixed, &mut self.state);
        concession::concession(
            &f.params.concession,
            f.dt,
            step,
            &s.regions,
            &mut s.course,
            log,
        );
        self.state.tallies.track_peaks(&self.state.regions);
        self.take_moments(step);
    }

    fn series(&self, out: &mut crate::observe::Series<'_>) {
        self.write_series(out);
    }

    fn settled(&self) -> bool {
        false
    }

    fn finished(&self) -> bool {
        self.state.course.decided() && self.fixed.params.stop_at_collapse
    }

    fn outcome(&self, last_step: u32, reason: StopReason, _world: &World) -> Outcome {
        self.summary(last_step, reason)
    }
}
