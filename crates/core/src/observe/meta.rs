//! What the outputs need to know about a run's model, typed: its lattice, the steps at which
//! the lattice is drawn, which series are charted together and which become maps.
//!
//! Each model says this once ([`crate::model::ModelDef::meta`]); the run's manifest carries it, so
//! the report and the dashboard draw the right charts without knowing any model's column
//! names.

use serde::{Deserialize, Serialize};

/// A model's description for observers and outputs.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelMeta {
    /// The model's name (`resistance`).
    pub model: String,
    /// The lattice the model's agents live on, if it has one (then there are no persons
    /// in regions to count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lattice: Option<Lattice>,
    /// Steps at which the lattice is drawn into the run folder (`lattice-NNNNNN.png`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub snapshots: Vec<u32>,
    /// Named groups of series charted together, in the order reports show them. The
    /// headline (the first column) and its parts by region are always charted first, and
    /// series in no group are charted as "other series".
    #[serde(default)]
    pub groups: Vec<ChartGroup>,
    /// Series families `family.<region>` that can be drawn as maps, in order.
    #[serde(default)]
    pub maps: Vec<MapFamily>,
}

/// A lattice's size.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lattice {
    /// Sites per row.
    pub width: u32,
    /// Rows.
    pub height: u32,
}

impl Lattice {
    /// Sites in all.
    pub fn sites(&self) -> u64 {
        u64::from(self.width) * u64::from(self.height)
    }
}

/// Series drawn on one chart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChartGroup {
    /// Chart title (with the unit where the series share one).
    pub title: String,
    /// File stem of the chart (`charts/<stem>.svg`) and id in the dashboard.
    pub stem: String,
    /// Series, in legend order; names the run does not have are skipped.
    pub columns: Vec<String>,
}

impl ChartGroup {
    /// A group from fixed names.
    pub fn new(title: &str, stem: &str, columns: &[&str]) -> ChartGroup {
        ChartGroup {
            title: title.to_string(),
            stem: stem.to_string(),
            columns: columns.iter().map(|c| c.to_string()).collect(),
        }
    }
}

/// A family of per-region series (`organized.<region>`) that can be drawn as a map.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MapFamily {
    /// The family (`organized`).
    pub family: String,
    /// True when the values are already fractions (control); otherwise they are counts of
    /// persons, which maps show as shares of each region's population.
    pub fraction: bool,
}

impl MapFamily {
    /// A family of counts or of fractions.
    pub fn new(family: &str, fraction: bool) -> MapFamily {
        MapFamily {
            family: family.to_string(),
            fraction,
        }
    }
}
