//! The `[threshold]` section: form, unit, initial actors and the threshold distribution.

use serde::Serialize;

use crate::scenario::decode::{string_enum, Fields, FromToml, Node, Problems};
use crate::scenario::raw::{get_at, table, Spans};

string_enum! {
    /// Whether the threshold model runs on the whole crowd or on the social network.
    pub enum ThresholdForm {
        /// Everyone sees everyone: r(t+1) = #{i : θ_i ≤ r(t)}.
        Crowd = "crowd",
        /// A person sees only their ties.
        Network = "network",
    }
}

string_enum! {
    /// What a threshold counts.
    pub enum ThresholdUnit {
        /// Persons (crowd) or ties (network) that must already act.
        Count = "count",
        /// Fraction 0..1 of the crowd (crowd) or of one's ties (network).
        Fraction = "fraction",
    }
}

string_enum! {
    /// Threshold distributions.
    pub enum DistributionKind {
        /// One value per person, in person order.
        List = "list",
        /// Uniform between `min` and `max`.
        Uniform = "uniform",
        /// Normal with `mean` and `sd`, clipped to the unit's range.
        Normal = "normal",
        /// One value per line of a text file (lines starting with `#` are comments).
        File = "file",
    }
}

string_enum! {
    /// How a continuous distribution is turned into the thresholds of N people.
    pub enum Sampling {
        /// The N mid-point quantiles F⁻¹((i + ½)/N), shuffled among people: no sampling noise.
        Quantile = "quantile",
        /// N independent draws.
        Random = "random",
    }
}

string_enum! {
    /// Rounding of thresholds.
    pub enum Rounding {
        /// Keep real values.
        None = "none",
        /// To the nearest integer, halves away from zero.
        Round = "round",
        /// Down.
        Floor = "floor",
        /// Up.
        Ceil = "ceil",
    }
}

/// A person named in a scenario: by number (`0..N`, in the generators' numbering) or, with a
/// network read from files, by the files' id (`"alice"`, or an integer id such as `17`).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum PersonRef {
    /// A person number, or an integer id of a file network.
    Number(u32),
    /// An id of a file network.
    Id(String),
}

impl FromToml for PersonRef {
    const EXPECTED: &'static str = "a person number or, with a file network, an id";
    fn from_toml(node: Node<'_, '_>, path: &str, problems: &mut Problems) -> Option<Self> {
        if matches!(node.get_ref(), toml::de::DeValue::String(_)) {
            String::from_toml(node, path, problems).map(PersonRef::Id)
        } else {
            u32::from_toml(node, path, problems).map(PersonRef::Number)
        }
    }
}

/// `[threshold]`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RawThreshold {
    /// Crowd or network.
    pub form: Option<ThresholdForm>,
    /// Count or fraction.
    pub unit: Option<ThresholdUnit>,
    /// People who act from step 0, by person number (or by id, with a file network).
    pub initial_actors: Option<Vec<PersonRef>>,
    /// Randomly chosen people who act from step 0.
    pub initial_random: Option<u64>,
    /// Stop once nobody can change any more (and no event is pending).
    pub stop_at_equilibrium: Option<bool>,
    /// The threshold distribution.
    pub distribution: Option<RawDistribution>,
}

/// `[threshold.distribution]`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RawDistribution {
    /// Which distribution.
    pub kind: Option<DistributionKind>,
    /// Values (list).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub values: Option<Vec<f64>>,
    /// Lower bound (uniform).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// Upper bound (uniform).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// Mean (normal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean: Option<f64>,
    /// Standard deviation (normal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sd: Option<f64>,
    /// Quantile or random (uniform, normal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sampling: Option<Sampling>,
    /// Rounding applied to every value.
    pub rounding: Option<Rounding>,
    /// File path, relative to the scenario file (file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

impl RawThreshold {
    pub(crate) fn decode(
        n: Node<'_, '_>,
        path: &str,
        p: &mut Problems,
        s: &mut Spans,
    ) -> Option<Self> {
        let mut f = Fields::open(n, path, p)?;
        let t = RawThreshold {
            form: get_at(&mut f, "form", p, s),
            unit: get_at(&mut f, "unit", p, s),
            initial_actors: get_at(&mut f, "initial_actors", p, s),
            initial_random: get_at(&mut f, "initial_random", p, s),
            stop_at_equilibrium: get_at(&mut f, "stop_at_equilibrium", p, s),
            distribution: table(&mut f, "distribution", p, s, RawDistribution::decode),
        };
        f.finish(p);
        Some(t)
    }
}

impl RawDistribution {
    fn decode(n: Node<'_, '_>, path: &str, p: &mut Problems, s: &mut Spans) -> Option<Self> {
        let mut f = Fields::open(n, path, p)?;
        let t = RawDistribution {
            kind: get_at(&mut f, "kind", p, s),
            values: get_at(&mut f, "values", p, s),
            min: get_at(&mut f, "min", p, s),
            max: get_at(&mut f, "max", p, s),
            mean: get_at(&mut f, "mean", p, s),
            sd: get_at(&mut f, "sd", p, s),
            sampling: get_at(&mut f, "sampling", p, s),
            rounding: get_at(&mut f, "rounding", p, s),
            path: get_at(&mut f, "path", p, s),
        };
        f.finish(p);
        Some(t)
    }
}

/// Parameters of the threshold model.
#[derive(Clone, Debug, PartialEq)]
pub struct ThresholdParams {
    /// Crowd or network.
    pub form: ThresholdForm,
    /// Count or fraction.
    pub unit: ThresholdUnit,
    /// Person numbers acting from step 0.
    pub initial_actors: Vec<u32>,
    /// Random people acting from step 0.
    pub initial_random: u64,
    /// Stop when nothing can change any more and no event is pending.
    pub stop_at_equilibrium: bool,
    /// Threshold distribution.
    pub distribution: Distribution,
    /// Rounding applied to each drawn threshold.
    pub rounding: Rounding,
}

/// A threshold distribution.
#[derive(Clone, Debug, PartialEq)]
pub enum Distribution {
    /// One value per person, in person order (also what a file becomes).
    List(Vec<f64>),
    /// Uniform on [min, max].
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
        /// Quantiles or random draws.
        sampling: Sampling,
    },
    /// Normal, clipped to the unit's range.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        sd: f64,
        /// Quantiles or random draws.
        sampling: Sampling,
    },
}
