//! The models, and the one place where they are made known to the rest of the system.
//!
//! A model is one folder (`model/<name>/`): its parameters and their validation, its timeline
//! events, its state and rules, its observation and chart groups. It is described to the
//! engine, the scenario reader and every output by a [`ModelDef`]: nothing outside the folder
//! matches on a model's name or reads its section. The built-in models are listed once, in
//! [`BUILT_IN`]; a model outside this crate implements [`ModelDef`] the same way and is passed
//! to [`crate::scenario::Scenario::load_with`] (see `examples/voter-model/`).

pub mod civil_violence;
pub mod resistance;
pub mod state;
pub mod threshold;

use std::any::Any;
use std::fmt;
use std::sync::Arc;

pub use crate::observe::{ChartGroup, KeyOutcome, Lattice, MapFamily, ModelMeta};

use crate::observe::{LatticeImage, LogEntry, Outcome, Series, StopReason};
use crate::scenario::{Check, Event, EventArgs, Scenario};
use crate::world::World;

/// The models of this build, in the order messages list them. Adding a model is one line here
/// (and its folder).
pub static BUILT_IN: [&dyn ModelDef; 3] = [&threshold::DEF, &resistance::DEF, &civil_violence::DEF];

/// A model as the rest of the system knows it: how its scenario section and events are read,
/// what the outputs need to know about it, and how its state is built.
///
/// Implementations are unit structs kept in a `static`, so a validated scenario can name its
/// model by reference.
pub trait ModelDef: Send + Sync + 'static {
    /// The name in `model = "…"`, which is also the name of the model's section (`[name]`).
    fn name(&self) -> &'static str;

    /// True when the model's people live on a lattice of its own rather than in the
    /// scenario's regions: regions are then optional.
    fn lattice(&self) -> bool {
        false
    }

    /// The fields (dotted paths into the resolved scenario) of this model's section that fix
    /// the shape of its saved state: a run may not branch from a checkpoint into a scenario
    /// that changes them. The scenario's own structural fields (regions, network, …) are
    /// always checked.
    fn structural(&self) -> &'static [&'static str] {
        &[]
    }

    /// The parameters a user changes first, as (dotted path, label): the dashboard's form
    /// shows them.
    fn key_parameters(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("seed", "seed"),
            ("scale", "scale"),
            ("time.steps", "steps"),
        ]
    }

    /// The model's numeric parameters by table (`resistance.repression`), each with its
    /// declared range: what a calibration's priors default to ([`declared_range`]).
    fn parameters(&self) -> Vec<(&'static str, &'static [crate::scenario::ParamDoc])> {
        Vec::new()
    }

    /// The numbers this model adds to every `[[regions]]` table (the resistance model's
    /// garrison), with their ranges and defaults. Other models' scenarios may not give them.
    fn region_fields(&self) -> &'static [RegionField] {
        &[]
    }

    /// The timeline events this model accepts, with the fields each needs and may have.
    fn events(&self) -> &'static [EventShape] {
        &[]
    }

    /// Builds the action of a timeline event of one of this model's kinds, from fields that
    /// have been checked against [`ModelDef::events`] and the common ranges. `path` is the
    /// event's place in the file (`events[3]`), for further problems, reported on `check`.
    fn event(
        &self,
        kind: &'static str,
        args: &EventArgs,
        path: &str,
        check: &mut Check<'_>,
    ) -> Option<Payload>;

    /// Reads, checks and completes the model's section (`check.section()`), returning its
    /// validated parameters. Defaults are filled in the resolved scenario with
    /// [`Check::resolve`], so that the resolved scenario runs again as it is.
    fn section(&self, check: &mut Check<'_>) -> Option<Payload>;

    /// A warning when `scenario` is too small for the model's shares to agree with a large
    /// population's (a finite-size bias measured for the model), or `None`.
    fn size_warning(&self, _scenario: &Scenario) -> Option<String> {
        None
    }

    /// Everything worth warning about in `scenario` before it runs (printed by `validate` and
    /// `run`, recorded in the manifest): the size warning, and what else the model finds,
    /// such as a world in which no one can ever act.
    fn warnings(&self, scenario: &Scenario) -> Vec<String> {
        self.size_warning(scenario).into_iter().collect()
    }

    /// Estimated peak bytes of the model's own state for `scenario` (the population and the
    /// network are counted apart, [`crate::scenario::memory`]). The default, 32 bytes a
    /// person, is a conservative figure for a model with a few columns per person.
    fn memory(&self, scenario: &Scenario) -> u64 {
        32 * u64::from(scenario.population())
    }

    /// What observers and outputs need to know about a run of `scenario`: its lattice, the
    /// steps at which it is drawn, its chart groups and maps.
    fn meta(&self, scenario: &Scenario) -> ModelMeta;

    /// The model's state at the start of a run.
    fn build(&self, scenario: &Scenario, world: &World) -> Box<dyn Model>;
}

impl fmt::Debug for dyn ModelDef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.name())
    }
}

impl PartialEq for dyn ModelDef {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name()
    }
}

/// A number a model adds to each region (`garrison = 2300` in a `[[regions]]` table).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RegionField {
    /// Key in the region's table.
    pub key: &'static str,
    /// Unit, for messages and docs.
    pub unit: &'static str,
    /// Smallest allowed value.
    pub min: f64,
    /// Largest allowed value.
    pub max: f64,
    /// Value when the region does not give one.
    pub default: f64,
    /// A count of persons, multiplied by the scenario's `scale`.
    pub scaled: bool,
}

/// A kind of timeline event: its name, the fields it needs and the fields it may have,
/// besides `step`, `date` and `kind`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EventShape {
    /// The `kind` written in the scenario (`final_offensive`).
    pub kind: &'static str,
    /// Fields that must be given.
    pub needs: &'static [&'static str],
    /// Fields that may be given.
    pub may: &'static [&'static str],
}

/// Data that belongs to one model (its validated parameters, an event's action), carried by
/// the model-neutral [`Scenario`] and read back by the model that made it.
pub trait ModelData: Any + fmt::Debug + Send + Sync {
    /// For downcasting.
    fn as_any(&self) -> &dyn Any;
}

impl<T: Any + fmt::Debug + Send + Sync> ModelData for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// A model's data, shared (a scenario is cloned for every run of an experiment).
pub type Payload = Arc<dyn ModelData>;

/// Reads back a model's own data.
///
/// # Panics
/// If `data` is not a `T`: the model that reads it made it, so this is a bug, not an input
/// problem.
pub fn data<T: Any>(data: &Payload) -> &T {
    (**data).as_any().downcast_ref::<T>().unwrap_or_else(|| {
        panic!(
            "a model read data of another type than it made: {}",
            std::any::type_name::<T>()
        )
    })
}

/// A model's state and rules. The engine calls these in the order written in
/// the engine's step loop.
pub trait Model: Send {
    /// Sets up step 0 (after step-0 events).
    fn start(&mut self, world: &World, log: &mut Vec<LogEntry>);
    /// Applies a timeline event (`index` is its place in the timeline, for its random stream).
    fn apply(&mut self, event: &Event, index: usize, world: &World, log: &mut Vec<LogEntry>);
    /// Advances to `step`.
    fn step(&mut self, step: u32, world: &World, log: &mut Vec<LogEntry>);
    /// Writes this step's series: each value with its column's name ([`Series::put`]). The
    /// columns must be the same at every step; the first is the run's headline.
    fn series(&self, out: &mut Series<'_>);
    /// True when nothing can change without outside input.
    fn settled(&self) -> bool;
    /// True when the model's own end has come (e.g. the ruling system collapsed); the run
    /// stops even if timeline events are pending.
    fn finished(&self) -> bool {
        false
    }
    /// A picture of the model's lattice, if it has one.
    fn lattice(&self) -> Option<LatticeImage> {
        None
    }
    /// Steps at which [`Model::lattice`] is drawn for the observers.
    fn snapshot_steps(&self) -> &[u32] {
        &[]
    }
    /// The changing state (not what the scenario fixes), encoded for a checkpoint.
    fn save(&self) -> Vec<u8>;
    /// Puts back a state from [`Model::save`] into a model built from a scenario with the
    /// same world.
    fn restore(&mut self, bytes: &[u8]) -> Result<(), state::StateError>;
    /// Headline figures and a sentence for the end of the run.
    fn outcome(&self, last_step: u32, reason: StopReason, world: &World) -> Outcome;
}

/// The models a scenario may name: the built-in ones, and any given from outside.
#[derive(Clone, Debug)]
pub struct Models {
    list: Vec<&'static dyn ModelDef>,
}

impl Default for Models {
    fn default() -> Models {
        Models {
            list: BUILT_IN.to_vec(),
        }
    }
}

impl Models {
    /// The built-in models and `extra` (a model defined outside this crate).
    pub fn with(extra: &'static dyn ModelDef) -> Models {
        let mut m = Models::default();
        m.list.retain(|d| d.name() != extra.name());
        m.list.push(extra);
        m
    }

    /// Every model, in order.
    pub fn all(&self) -> &[&'static dyn ModelDef] {
        &self.list
    }

    /// The model called `name`.
    pub fn find(&self, name: &str) -> Option<&'static dyn ModelDef> {
        self.list.iter().copied().find(|d| d.name() == name)
    }

    /// The model that owns events of kind `kind`.
    pub fn owner_of(&self, kind: &str) -> Option<&'static dyn ModelDef> {
        self.list
            .iter()
            .copied()
            .find(|d| d.events().iter().any(|e| e.kind == kind))
    }

    /// Every model's name, for messages.
    pub fn names(&self) -> Vec<&'static str> {
        self.list.iter().map(|d| d.name()).collect()
    }

    /// Every model's region field keys, each once, in order.
    pub fn region_keys(&self) -> Vec<&'static str> {
        let mut keys: Vec<&'static str> = Vec::new();
        for d in &self.list {
            for f in d.region_fields() {
                if !keys.contains(&f.key) {
                    keys.push(f.key);
                }
            }
        }
        keys
    }

    /// The model that owns region field `key`.
    pub fn owner_of_region_field(&self, key: &str) -> Option<&'static dyn ModelDef> {
        self.list
            .iter()
            .copied()
            .find(|d| d.region_fields().iter().any(|f| f.key == key))
    }

    /// Every event kind of every model, for messages.
    pub fn event_kinds(&self) -> Vec<&'static str> {
        self.list
            .iter()
            .flat_map(|d| d.events().iter().map(|e| e.kind))
            .collect()
    }
}

/// Declares a model's event kinds once: an enum with one variant per kind, its
/// [`EventShape`]s (`Kind::SHAPES`, for [`ModelDef::events`]) and `Kind::parse`.
///
/// ```ignore
/// event_kinds! {
///     /// The voter model's events.
///     pub enum Kind {
///         /// Everyone's opinion is drawn again.
///         Reset = "reset" { needs: [], may: ["region"] },
///     }
/// }
/// ```
#[macro_export]
macro_rules! event_kinds {
    ($(#[$meta:meta])* $vis:vis enum $name:ident {
        $($(#[$vmeta:meta])* $variant:ident = $text:literal {
            needs: [$($need:literal),* $(,)?], may: [$($may:literal),* $(,)?] $(,)?
        },)+
    }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        $vis enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            /// Every kind with the fields it needs and may have, in declaration order.
            pub const SHAPES: &'static [$crate::model::EventShape] = &[$(
                $crate::model::EventShape { kind: $text, needs: &[$($need),*], may: &[$($may),*] },
            )+];

            /// The kind written `kind` in a scenario, if it is one of these.
            pub fn parse(kind: &str) -> Option<$name> {
                match kind {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

/// The declared range `[min, max]` of the parameter at `path` (`resistance.repression.detection`)
/// of `model`, if it declares one.
pub fn declared_range(model: &dyn ModelDef, path: &str) -> Option<(f64, f64)> {
    let (table, name) = path.rsplit_once('.')?;
    model
        .parameters()
        .into_iter()
        .filter(|(t, _)| *t == table)
        .flat_map(|(_, params)| params.iter())
        .find(|p| p.name == name)
        .map(|p| (p.min, p.max))
}
