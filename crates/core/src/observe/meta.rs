//! What the outputs need to know about a run's model, typed: its lattice, the steps at which
//! the lattice is drawn, which series are charted together and which become maps.
//!
//! Each model says this once ([`crate::model::ModelDef::meta`]); the run's manifest carries it, so
//! the report and the dashboard draw the right charts without knowing any model's column
//! names.

use std::collections::BTreeMap;

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
    /// The unit of the headline series (the first column), which no group declares:
    /// `persons`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub headline_unit: String,
    /// Display names of series, by column (`kind.young_communist_league` → `Young Communist
    /// League`): legends show these; columns keep their identifiers. Columns without one are
    /// shown by name; a region's part (`organized.<region>`) by the region's label.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// What the experiments of this model count first: the outcomes a run has or has not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outcomes: Vec<KeyOutcome>,
    /// The series a run's story is told by, in order of preference: a report leads with the
    /// first that the run moved from zero (`risen`, then `organized`), or with the first column
    /// when none did or none is named.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leads: Vec<String>,
    /// Chart groups (by stem) drawn again over a run's decisive days, beside its lead
    /// (`control`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decisive: Vec<String>,
    /// What each figure of the outcome means, with its unit: reports show them beside the
    /// values. A figure taken at a report date (`killed_on_1945_08_15`) is described by its
    /// stem (`killed`), which need not be a figure itself (`risen_share`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub figures: Vec<FigureDoc>,
}

/// What one figure of a run's outcome means, for a reader: its unit and a sentence.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FigureDoc {
    /// The figure's identifier (`peak_risen`), or the stem of dated figures.
    pub name: String,
    /// Its unit (`persons`, `step`, `days`, `share of the home population`, `0 or 1`).
    pub unit: String,
    /// What it counts, in plain words.
    pub description: String,
}

impl FigureDoc {
    /// Docs from `(name, unit, description)` triples, as models declare them.
    pub fn list(entries: &[(&str, &str, &str)]) -> Vec<FigureDoc> {
        entries
            .iter()
            .map(|(name, unit, description)| FigureDoc {
                name: name.to_string(),
                unit: unit.to_string(),
                description: description.to_string(),
            })
            .collect()
    }
}

/// An outcome that happens in some runs and not in others, told by a figure that a run
/// reports only when it happened (`collapse_step`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeyOutcome {
    /// The figure.
    pub figure: String,
    /// What happened, as a sentence's start: "The ruling system collapsed".
    pub happened: String,
}

impl ModelMeta {
    /// The doc of figure `name`, and the date it was taken on when it is a dated figure
    /// (`killed_on_1945_08_15` → the doc of `killed`, "1945-08-15").
    pub fn figure_doc(&self, name: &str) -> Option<(&FigureDoc, Option<String>)> {
        let find = |n: &str| self.figures.iter().find(|d| d.name == n);
        if let Some(d) = find(name) {
            return Some((d, None));
        }
        let (stem, tag) = name.rsplit_once("_on_")?;
        let parts: Vec<&str> = tag.split('_').collect();
        let dated = parts.len() == 3
            && [4, 2, 2].iter().zip(&parts).all(|(n, p)| p.len() == *n)
            && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
        dated.then(|| find(stem).map(|d| (d, Some(parts.join("-")))))?
    }

    /// The unit of `column` by the declared group that charts it (the part of a region has
    /// its whole's unit); `None` when no group charts it.
    pub fn unit_of(&self, column: &str) -> Option<&str> {
        let whole = column.split_once('.').map_or(column, |(w, _)| w);
        let declared = |c: &str| {
            self.groups
                .iter()
                .find(|g| g.columns.iter().any(|n| n == c))
                .map(|g| g.unit.as_str())
        };
        declared(column).or_else(|| declared(whole))
    }
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

/// Series drawn on one chart: one unit to an axis, so a count of regions never shares a
/// scale with a fraction, nor yen with kilograms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChartGroup {
    /// Chart title, without the unit.
    pub title: String,
    /// The unit every series of the group is in (`persons`, `yen`, `fraction`), shown on the
    /// chart's value axis.
    #[serde(default)]
    pub unit: String,
    /// File stem of the chart (`charts/<stem>.svg`) and id in the dashboard.
    pub stem: String,
    /// Series, in legend order; names the run does not have are skipped.
    pub columns: Vec<String>,
}

impl ChartGroup {
    /// A group from fixed names.
    pub fn new(title: &str, unit: &str, stem: &str, columns: &[&str]) -> ChartGroup {
        ChartGroup {
            title: title.to_string(),
            unit: unit.to_string(),
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
