//! Which series are charted together, and which become maps: the model declares its groups
//! and map families (the run's manifest carries them); the headline and whatever is left are
//! grouped here from the column names (`organized`, `organized.<region>`), one unit to a
//! chart. And what legends call each series.

use mobilize_core::model::{MapFamily, ModelMeta};
use mobilize_output::RegionInfo;

/// A chart's worth of series, all in one unit.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// Chart title.
    pub title: String,
    /// The unit of every series on the chart (empty when the model does not say).
    pub unit: String,
    /// File stem of the chart (`charts/<stem>.svg`).
    pub stem: String,
    /// Series, in legend order.
    pub columns: Vec<String>,
}

/// What a legend calls `column`: the model's label for it; for a region's part
/// (`organized.<region>`), the region's label; otherwise the column's name.
pub fn label(meta: &ModelMeta, regions: &[RegionInfo], column: &str) -> String {
    if let Some(l) = meta.labels.get(column) {
        return l.clone();
    }
    if let Some((_, region)) = column.split_once('.') {
        if let Some(r) = regions.iter().find(|r| r.name == region) {
            return r.shown().to_string();
        }
    }
    column.to_string()
}

/// The chart groups for a run's columns, led by the first column (see [`groups_led_by`]).
pub fn groups(columns: &[String], meta: &ModelMeta) -> Vec<Group> {
    match columns.first() {
        Some(first) => groups_led_by(columns, meta, first),
        None => Vec::new(),
    }
}

/// A column with its parts by region (`organized`, `organized.<region>`), as a chart group.
fn with_parts(columns: &[String], meta: &ModelMeta, column: &str, unit: &str, stem: &str) -> Group {
    let mut parts = vec![column.to_string()];
    parts.extend(
        columns
            .iter()
            .filter(|c| c.strip_prefix(column).is_some_and(|r| r.starts_with('.')))
            .cloned(),
    );
    let name = meta.labels.get(column).map_or(column, String::as_str);
    Group {
        title: if parts.len() > 1 {
            format!("{name}, in all and by region")
        } else {
            name.to_string()
        },
        unit: unit.to_string(),
        stem: stem.into(),
        columns: parts,
    }
}

/// The chart groups for a run's columns: first the headline, `lead` (the series the run's
/// story is told by, see [`crate::run::lead`]) with its parts by region; then, if the lead is
/// not the first column, the first column with its parts; then the groups the model declares
/// (in its order, each series charted once, names the run lacks skipped), then every other
/// national series, seven to a chart.
pub fn groups_led_by(columns: &[String], meta: &ModelMeta, lead: &str) -> Vec<Group> {
    let declared = &meta.groups;
    let mut out = Vec::new();
    let mut used: Vec<&str> = Vec::new();
    let Some(first) = columns.first() else {
        return out;
    };
    // The lead's unit: the one its group declares, or the headline's.
    let unit = declared
        .iter()
        .find(|g| g.columns.iter().any(|c| c == lead))
        .map_or(meta.headline_unit.as_str(), |g| g.unit.as_str());
    out.push(with_parts(columns, meta, lead, unit, "headline"));
    if lead != first {
        out.push(with_parts(
            columns,
            meta,
            first,
            &meta.headline_unit,
            "first",
        ));
    }
    for g in &out {
        used.extend(
            columns
                .iter()
                .filter(|c| g.columns.contains(c))
                .map(String::as_str),
        );
    }
    for g in declared {
        let cols: Vec<String> = g
            .columns
            .iter()
            .filter(|n| columns.contains(n) && !used.contains(&n.as_str()))
            .cloned()
            .collect();
        used.extend(
            g.columns
                .iter()
                .filter_map(|n| columns.iter().find(|c| *c == n).map(String::as_str)),
        );
        if !cols.is_empty() {
            out.push(Group {
                title: g.title.clone(),
                unit: g.unit.clone(),
                stem: g.stem.clone(),
                columns: cols,
            });
        }
    }
    let rest: Vec<String> = columns
        .iter()
        .filter(|c| !c.contains('.') && !used.contains(&c.as_str()))
        .cloned()
        .collect();
    // Series no group declares, so of no known unit: seven to a chart. Every built-in model
    // declares all its series (a test in the core crate), so these come from user models.
    for (k, chunk) in rest.chunks(7).enumerate() {
        out.push(Group {
            title: "Other series".into(),
            unit: String::new(),
            stem: format!("other-{}", k + 1),
            columns: chunk.to_vec(),
        });
    }
    out
}

/// The model's map families that the run has for every region: (family, whether its values
/// are already fractions).
pub fn map_families(
    columns: &[String],
    regions: &[String],
    declared: &[MapFamily],
) -> Vec<(String, bool)> {
    if regions.is_empty() {
        return vec![];
    }
    let complete = |f: &str| {
        regions
            .iter()
            .all(|r| columns.iter().any(|c| *c == format!("{f}.{r}")))
    };
    declared
        .iter()
        .filter(|m| complete(&m.family))
        .map(|m| (m.family.clone(), m.fraction))
        .collect()
}

/// Every other family with a column for each region (`member.<region>`), in column order:
/// those the model declares no map for.
pub fn other_families(columns: &[String], regions: &[String], meta: &ModelMeta) -> Vec<String> {
    if regions.is_empty() {
        return vec![];
    }
    let mut out: Vec<String> = Vec::new();
    for c in columns {
        let Some((family, _)) = c.split_once('.') else {
            continue;
        };
        if out.iter().any(|f| f == family) || meta.maps.iter().any(|m| m.family == family) {
            continue;
        }
        if regions
            .iter()
            .all(|r| columns.iter().any(|c| *c == format!("{family}.{r}")))
        {
            out.push(family.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use mobilize_core::model::ChartGroup;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn headline_parts_kinds_and_leftovers_are_grouped() {
        let cols = s(&[
            "organized",
            "organized.n",
            "organized.s",
            "member",
            "cadre",
            "kind.party",
            "kind.youth",
            "control",
            "control.n",
            "cells",
            "organized_child",
        ]);
        let meta = ModelMeta {
            groups: vec![
                ChartGroup::new("States", "persons", "states", &["member", "cadre"]),
                ChartGroup::new("Kinds", "persons", "kinds", &["kind.party", "kind.youth"]),
                ChartGroup::new(
                    "By group",
                    "persons",
                    "by-group",
                    &["organized_child", "absent"],
                ),
                ChartGroup::new("Cells", "count", "cells", &["cells"]),
            ],
            headline_unit: "persons".into(),
            ..ModelMeta::default()
        };
        let g = groups(&cols, &meta);
        assert_eq!(g[0].unit, "persons");
        assert_eq!(
            g[0].columns,
            s(&["organized", "organized.n", "organized.s"])
        );
        assert_eq!(g[1].columns, s(&["member", "cadre"]));
        assert!(g
            .iter()
            .any(|x| x.columns == s(&["kind.party", "kind.youth"])));
        assert!(g.iter().any(|x| x.columns == s(&["organized_child"])));
        assert!(g
            .iter()
            .any(|x| x.columns == s(&["cells"]) && x.unit == "count"));
        // Series no group declares are charted as "other series", without a unit.
        assert!(g.iter().any(|x| x.title == "Other series"
            && x.columns == s(&["control"])
            && x.unit.is_empty()));
        let maps = [
            MapFamily::new("control", true),
            MapFamily::new("organized", false),
            MapFamily::new("risen", false),
        ];
        assert_eq!(
            map_families(&cols, &s(&["n"]), &maps),
            vec![
                ("control".to_string(), true),
                ("organized".to_string(), false)
            ]
        );
        assert!(map_families(&cols, &s(&["n", "x"]), &maps).is_empty());
        // Every other complete family can be mapped too (kinds are national, not by region).
        let more = ModelMeta {
            maps: maps.to_vec(),
            ..meta
        };
        let cols2 = [cols.clone(), s(&["member.n", "member.s", "cadre.n"])].concat();
        assert_eq!(
            other_families(&cols2, &s(&["n", "s"]), &more),
            s(&["member"])
        );
    }
}
