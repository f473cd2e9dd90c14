//! Scenarios: the file format, its validation, and the validated [`Scenario`] that is the
//! engine's only input.
//!
//! Reading goes in three stages, as in ripgrep's `LowArgs` → `HiArgs`:
//! 1. the `toml` crate parses the text into a tree with byte spans;
//! 2. `--set` overrides are applied to that tree, and the tree is decoded into the raw mirror
//!    ([`raw::RawScenario`]), recording unknown keys (with "did you mean") and wrong types;
//! 3. validation checks ranges and cross-references and fills in defaults.
//!
//! Every problem of every stage is collected into one [`ScenarioError`], each with the field's
//! path, its line and column (or the `--set` argument it came from) and what is allowed.
//!
//! ```
//! use mobilize_core::scenario::{Scenario, Source};
//! let text = r#"
//! name = "tiny"
//! model = "threshold"
//! [[regions]]
//! name = "town"
//! population = 10
//! [threshold.distribution]
//! kind = "uniform"
//! min = 0.0
//! max = 9.0
//! "#;
//! let scenario = Scenario::load(&Source::text("tiny.toml", text), &[])?;
//! assert_eq!(scenario.population(), 10);
//! # Ok::<(), mobilize_core::scenario::ScenarioError>(())
//! ```

mod check;
pub(crate) mod decode;
pub mod embedded;
pub mod map;
pub mod memory;
mod overrides;
pub mod params;
mod problem;
pub mod raw;
mod validate;

use std::path::PathBuf;

pub use check::Check;
pub use overrides::{Override, OverrideError, Segment};
pub use params::ParamDoc;
pub use problem::{excerpt, line_column, printable, Origin, Problem, ScenarioError};
pub use raw::{NetworkKind, RawScenario};

use crate::model::{ModelDef, Models, Payload};

use crate::calendar::Date;

/// Most persons a scenario may ask for (after scaling), checked before anything is allocated.
/// A threshold run on a network of mean degree 10 needs about 70 bytes per person, so this
/// bound keeps the largest allowed run within about 14 GB (a whole country of 22 million
/// needs about 1.5 GB).
pub const MAX_PEOPLE: u64 = 200_000_000;
/// Most regions a scenario may list (region numbers are `u16`).
pub const MAX_REGIONS: usize = 10_000;
/// Most timeline events a scenario may list.
pub const MAX_EVENTS: usize = 100_000;
/// Most steps a run may take.
pub const MAX_STEPS: u32 = 10_000_000;

/// A scenario's text and where it came from.
#[derive(Clone, Debug)]
pub struct Source {
    /// The name shown in messages: the path as the user gave it, or `<embedded:NAME>`.
    pub name: String,
    /// The TOML text.
    pub text: String,
    /// Folder against which relative paths inside the scenario (threshold files) resolve;
    /// `None` for embedded scenarios, which may not refer to files.
    pub base_dir: Option<PathBuf>,
}

/// The largest scenario file read: the biggest shipped scenario is about 20 KB.
pub const MAX_SCENARIO_BYTES: u64 = 16 << 20;

impl Source {
    /// A scenario file: a regular file of at most [`MAX_SCENARIO_BYTES`] (so `/dev/zero` or a
    /// FIFO fails at once instead of filling memory), UTF-8; relative paths in it resolve
    /// against its folder. The error says why, for "cannot read scenario file `…`: …".
    pub fn from_file(path: &str) -> Result<Source, String> {
        let p = std::path::Path::new(path);
        let bytes = crate::files::read_regular(p, MAX_SCENARIO_BYTES).map_err(|e| e.to_string())?;
        let text = String::from_utf8(bytes)
            .map_err(|e| format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()))?;
        Ok(Source {
            name: path.to_string(),
            text,
            base_dir: Some(
                p.parent()
                    .map(std::path::Path::to_path_buf)
                    .filter(|d| !d.as_os_str().is_empty())
                    .unwrap_or_else(|| ".".into()),
            ),
        })
    }

    /// A scenario given as text, with no folder for relative paths.
    pub fn text(name: &str, text: &str) -> Source {
        Source {
            name: name.to_string(),
            text: text.to_string(),
            base_dir: None,
        }
    }
}

/// The validated scenario: every field present, every reference resolved, every range checked.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// Short name (letters, digits, `.`, `_`, `-`), used for the run folder.
    pub name: String,
    /// What the scenario is for.
    pub description: String,
    /// Which model runs.
    pub model: &'static dyn ModelDef,
    /// Seed of every random stream.
    pub seed: u64,
    /// Multiplier applied to every region's population (fraction; 1 = full size).
    pub scale: f64,
    /// Time span and step length.
    pub time: TimeSpan,
    /// Regions, numbered in order; people are numbered region by region.
    pub regions: Vec<Region>,
    /// How ties are generated.
    pub network: NetworkSpec,
    /// How regions are drawn, if the scenario says (`[map]`, read from its files).
    pub map: Option<std::sync::Arc<map::MapSpec>>,
    /// What a reader should know about the scenario itself (a map shape no region uses).
    pub warnings: Vec<String>,
    /// The timeline, sorted by step (stable: same-step events keep file order).
    pub events: Vec<Event>,
    /// The model's validated parameters ([`Scenario::params`]).
    pub params: Payload,
    /// The scenario with every default filled in; serialized beside each run, it runs again.
    pub resolved: RawScenario,
}

impl Scenario {
    /// Reads, overrides and validates a scenario, reporting every problem at once.
    pub fn load(source: &Source, overrides: &[Override]) -> Result<Scenario, ScenarioError> {
        validate::load(source, overrides, &Models::default())
    }

    /// Like [`Scenario::load`], with the models a scenario may name (a model defined outside
    /// this crate among them).
    pub fn load_with(
        source: &Source,
        overrides: &[Override],
        models: &Models,
    ) -> Result<Scenario, ScenarioError> {
        validate::load(source, overrides, models)
    }

    /// The same scenario with another seed, changed by value: nothing is read or validated
    /// again (a seed is valid whatever its value, and validation reads nothing from it), and
    /// files the scenario named (a network, a threshold table) are shared, not read again. The
    /// resolved scenario says the new seed, so it runs again as it is; it is the scenario that
    /// `seed=N` on the command line gives.
    pub fn with_seed(&self, seed: u64) -> Scenario {
        let mut s = self.clone();
        s.seed = seed;
        s.resolved.seed = Some(seed);
        s
    }

    /// The model's validated parameters.
    ///
    /// # Panics
    /// If `T` is not the type of this scenario's model's parameters (a bug in the caller:
    /// each model reads only its own).
    pub fn params<T: std::any::Any>(&self) -> &T {
        crate::model::data(&self.params)
    }

    /// Total persons (after scaling).
    pub fn population(&self) -> u32 {
        self.regions.iter().map(|r| r.population).sum()
    }

    /// What makes `other` describe a different world from this scenario: the fields, of those
    /// that fix the people, their ties and the shape of a model's state, whose values differ.
    /// A run may branch from a checkpoint of this scenario into `other` only if there are none.
    pub fn structural_differences(&self, other: &Scenario) -> Vec<String> {
        /// Fields that size or fill the state a checkpoint holds, whatever the model; each
        /// model adds its own ([`ModelDef::structural`]). Everything else (rates,
        /// probabilities, events, the seed of future draws, the number of steps) may change.
        const STRUCTURAL: [&str; 7] = [
            "model",
            "scale",
            "regions",
            "population",
            "network",
            "time.start",
            "time.step_days",
        ];
        let (a, b) = (self.resolved_value(), other.resolved_value());
        let at = |v: &toml::Value, path: &str| -> Option<toml::Value> {
            path.split('.').try_fold(v, |v, k| v.get(k)).cloned()
        };
        STRUCTURAL
            .iter()
            .chain(self.model.structural())
            .filter(|p| at(&a, p) != at(&b, p))
            .map(|p| p.to_string())
            .collect()
    }

    /// The resolved value at a dotted path (`resistance.outreach.persuade`), as TOML text.
    pub fn value_at(&self, path: &str) -> Option<String> {
        let v = self.resolved_value();
        let found = path.split('.').try_fold(&v, |v, k| v.get(k))?;
        Some(match found {
            toml::Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    }

    fn resolved_value(&self) -> toml::Value {
        toml::Value::try_from(&self.resolved).unwrap_or(toml::Value::Boolean(false))
    }

    /// The resolved scenario as TOML.
    pub fn resolved_toml(&self) -> String {
        toml::to_string(&self.resolved).unwrap_or_else(|e| format!("# could not serialize: {e}\n"))
    }
}

/// Time span of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeSpan {
    /// Calendar date of step 0, if the scenario is dated.
    pub start: Option<Date>,
    /// Steps to run at most.
    pub steps: u32,
    /// Days per step.
    pub step_days: f64,
}

impl TimeSpan {
    /// The calendar date of `step`, if the scenario is dated (whole days, rounded down).
    pub fn date_of(&self, step: u32) -> Option<Date> {
        self.start
            .map(|d| d.plus_days((f64::from(step) * self.step_days).floor() as i64))
    }
}

/// Age bands, in column code order (the scenario names them in `shares.age`).
pub const AGE_BANDS: [&str; 3] = ["child", "youth", "adult"];
/// Sexes, in column code order.
pub const SEXES: [&str; 2] = ["female", "male"];
/// Occupations, in column code order.
pub const OCCUPATIONS: [&str; 4] = ["peasant", "worker", "student", "other"];

/// Shares of each attribute's categories, fractions summing to 1, in the order of
/// [`AGE_BANDS`], [`SEXES`] and [`OCCUPATIONS`].
#[derive(Clone, Debug, PartialEq)]
pub struct Shares {
    /// child, youth, adult.
    pub age: [f64; 3],
    /// female, male.
    pub sex: [f64; 2],
    /// peasant, worker, student, other.
    pub occupation: [f64; 4],
}

/// A region.
#[derive(Clone, Debug, PartialEq)]
pub struct Region {
    /// Unique name (in column names: `organized.<name>`).
    pub name: String,
    /// Display name: the scenario's `label`, or the name.
    pub label: String,
    /// Persons, after scaling.
    pub population: u32,
    /// Area in km², if given.
    pub area_km2: Option<f64>,
    /// Map position (x, y), if given.
    pub position: Option<(f64, f64)>,
    /// Adjacent regions, by number.
    pub neighbours: Vec<u16>,
    /// Attribute shares.
    pub shares: Shares,
    /// The numbers the scenario's model adds to regions
    /// ([`crate::model::ModelDef::region_fields`]), every one, counts of persons scaled.
    pub fields: Vec<(&'static str, f64)>,
    /// Outside the ruled country: not counted for liberation or collapse.
    pub abroad: bool,
}

impl Region {
    /// The value of one of the model's region fields (`garrison`).
    ///
    /// # Panics
    /// If the scenario's model has no such field (a bug in the model that asks).
    pub fn field(&self, key: &str) -> f64 {
        self.fields
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| *v)
            .unwrap_or_else(|| panic!("the model declares no region field `{key}`"))
    }
}

/// How the social network is generated.
#[derive(Clone, Debug, PartialEq)]
pub enum NetworkSpec {
    /// No ties.
    None,
    /// Households, villages, districts, long ties and region links.
    Structured(StructuredNetwork),
    /// G(n, p): every pair tied with probability p.
    ErdosRenyi {
        /// The probability. Given as `network.p`, it stays when the population changes (one
        /// more person keeps every existing tie: common random numbers); given as
        /// `network.mean_degree` it is mean_degree / (n − 1), and changes with n.
        p: f64,
    },
    /// Ring lattice with `mean_degree` neighbours (even), each tie rewired with `rewire`.
    WattsStrogatz {
        /// Ties per person before rewiring (even).
        mean_degree: u32,
        /// Probability (0..1) that a tie's far end is replaced by a random person.
        rewire: f64,
    },
    /// Ties (and optionally people) read from files when the scenario was validated.
    File(std::sync::Arc<crate::network::file::FileNetwork>),
}

/// Parameters of the structured generator (see `network::structured`).
#[derive(Clone, Debug, PartialEq)]
pub struct StructuredNetwork {
    /// Persons per household; everyone in a household is tied to everyone else in it.
    pub household_size: u32,
    /// Persons per village (whole households).
    pub village_size: u32,
    /// Mean village ties per person.
    pub village_ties: f64,
    /// Persons per district (whole villages).
    pub district_size: u32,
    /// Mean workplace and school ties per person, within the district.
    pub district_ties: f64,
    /// Mean long ties per person, to anyone.
    pub long_ties: f64,
    /// Ties between named regions.
    pub links: Vec<Link>,
    /// The weight of each kind of tie.
    pub weights: TieWeights,
}

/// The weight of each kind of tie of the structured generator, relative to a plain tie's 1
/// (all 1 by default: every tie counts the same). Where two kinds join the same two people
/// (kin who are also neighbours), the tie keeps the larger weight.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TieWeights {
    /// Ties within a household.
    pub household: f32,
    /// Ties within a village.
    pub village: f32,
    /// Workplace and school ties, within a district.
    pub district: f32,
    /// Long ties, to anyone.
    pub long: f32,
}

impl Default for TieWeights {
    fn default() -> TieWeights {
        TieWeights {
            household: 1.0,
            village: 1.0,
            district: 1.0,
            long: 1.0,
        }
    }
}

impl StructuredNetwork {
    /// Whether some tie weighs other than 1.
    pub fn is_weighted(&self) -> bool {
        self.weights != TieWeights::default() || self.links.iter().any(|l| l.weight != 1.0)
    }
}

/// Extra ties from one region to another.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// Region whose people make the ties.
    pub from: u16,
    /// Region whose people receive them.
    pub to: u16,
    /// Mean ties per person of `from`.
    pub ties_per_person: f64,
    /// The weight of these ties.
    pub weight: f32,
}

/// A timeline event.
#[derive(Clone, Debug)]
pub struct Event {
    /// Step at which it fires (before the step's update).
    pub step: u32,
    /// Its kind, one of the model's ([`crate::model::ModelDef::events`]).
    pub kind: &'static str,
    /// What it does, as the model built it ([`crate::model::ModelDef::event`]); the model
    /// reads it back with [`crate::model::data`].
    pub action: Payload,
    /// Its place on the timeline counting every event, switched off or not (in step order):
    /// the key of its random draws, so that switching one event off (`enabled = false`) leaves
    /// the draws of every other event as they were (common random numbers).
    pub index: u32,
}

/// An event's fields as the scenario gives them, checked against the event's shape and the
/// common ranges, regions resolved to numbers. Counts of persons are before scaling.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EventArgs {
    /// Persons (`count`).
    pub count: Option<u64>,
    /// Region number (`region`), or everywhere.
    pub region: Option<u16>,
    /// Region numbers (`regions`).
    pub regions: Vec<u16>,
    /// Change (`delta`, in the model's unit), 0 if not given.
    pub delta: f64,
    /// Fraction (`share`, 0..1), 0 if not given.
    pub share: f64,
    /// Duration in days (`days`), 0 if not given.
    pub days: f64,
    /// Multiplier (`factor`, 0..1000), 1 if not given.
    pub factor: f64,
    /// Persons under arms before scaling (`strength`), 0 if not given.
    pub strength: f64,
    /// Rate per day (`rate`, 0..1), 0 if not given.
    pub rate: f64,
    /// New value (`value`, 0..1), 0 if not given.
    pub value: f64,
}
