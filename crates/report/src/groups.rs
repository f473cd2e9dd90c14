//! Which series are charted together, and which become maps: the model declares its groups
//! and map families (the run's manifest carries them); the headline and whatever is left are
//! grouped here from the column names (`organized`, `organized.<region>`).

use mobilize_core::model::{ChartGroup, MapFamily};

/// A chart's worth of series.
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    /// Chart title.
    pub title: String,
    /// File stem of the chart (`charts/<stem>.svg`).
    pub stem: String,
    /// Series, in legend order.
    pub columns: Vec<String>,
}

/// The chart groups for a run's columns: first the headline (the first column) with its parts
/// by region, then the groups the model declares (in its order, each series charted once,
/// names the run lacks skipped), then every other national series, seven to a chart.
pub fn groups(columns: &[String], declared: &[ChartGroup]) -> Vec<Group> {
    let mut out = Vec::new();
    let mut used: Vec<&str> = Vec::new();
    let Some(headline) = columns.first() else {
        return out;
    };
    let mut first = vec![headline.clone()];
    first.extend(
        columns
            .iter()
            .filter(|c| {
                c.strip_prefix(headline.as_str())
                    .is_some_and(|r| r.starts_with('.'))
            })
            .cloned(),
    );
    used.extend(
        columns
            .iter()
            .filter(|c| first.contains(c))
            .map(String::as_str),
    );
    out.push(Group {
        title: if first.len() > 1 {
            format!("{headline}, in all and by region")
        } else {
            headline.clone()
        },
        stem: "headline".into(),
        columns: first,
    });
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
    for (k, chunk) in rest.chunks(7).enumerate() {
        out.push(Group {
            title: "Other series".into(),
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let declared = [
            ChartGroup::new("States", "states", &["member", "cadre"]),
            ChartGroup::new("Kinds", "kinds", &["kind.party", "kind.youth"]),
            ChartGroup::new("By group", "by-group", &["organized_child", "absent"]),
        ];
        let g = groups(&cols, &declared);
        assert_eq!(
            g[0].columns,
            s(&["organized", "organized.n", "organized.s"])
        );
        assert_eq!(g[1].columns, s(&["member", "cadre"]));
        assert!(g
            .iter()
            .any(|x| x.columns == s(&["kind.party", "kind.youth"])));
        assert!(g.iter().any(|x| x.columns == s(&["organized_child"])));
        // Series no group declares are charted as "other series".
        assert!(g
            .iter()
            .any(|x| x.title == "Other series" && x.columns == s(&["control", "cells"])));
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
    }
}
