//! Which series are charted together, and which become maps, decided from the column names
//! that the models write (`organized`, `organized.<region>`, `kind.<name>`, …).

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

/// Named groups of national series, in the order the report shows them.
const KNOWN: [(&str, &str, &[&str]); 8] = [
    (
        "People by state",
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
    (
        "Citizens by state",
        "citizens",
        &["active", "quiet", "jailed", "killed"],
    ),
    (
        "Resources",
        "resources",
        &["money", "provisions", "skill", "wisdom", "materials"],
    ),
    (
        "Forces (persons)",
        "forces",
        &[
            "main_force",
            "external_force",
            "garrison",
            "police",
            "cops",
            "peacekeepers",
        ],
    ),
    (
        "Control (fraction) and regions liberated",
        "control",
        &["control", "liberated"],
    ),
    ("Share active (fraction)", "share", &["share_active"]),
    ("Legitimacy", "legitimacy", &["legitimacy"]),
    ("New per step", "new", &["new_active", "arrests"]),
];

/// The chart groups for a model's columns (the first column is its headline).
pub fn groups(columns: &[String]) -> Vec<Group> {
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
    let national = |c: &&String| !c.contains('.');
    let mut push = |title: &str, stem: &str, cols: Vec<String>, used: &mut Vec<&str>| {
        let cols: Vec<String> = cols
            .into_iter()
            .filter(|c| !used.contains(&c.as_str()))
            .collect();
        if !cols.is_empty() {
            out.push(Group {
                title: title.into(),
                stem: stem.into(),
                columns: cols,
            });
        }
    };
    for (title, stem, names) in KNOWN {
        let cols: Vec<String> = names
            .iter()
            .filter(|n| columns.iter().any(|c| c == *n))
            .map(|n| n.to_string())
            .collect();
        push(title, stem, cols.clone(), &mut used);
        used.extend(
            names
                .iter()
                .filter_map(|n| columns.iter().find(|c| c == n).map(String::as_str)),
        );
    }
    let kinds: Vec<String> = columns
        .iter()
        .filter(|c| c.starts_with("kind."))
        .cloned()
        .collect();
    push(
        "Members by organization kind",
        "kinds",
        kinds.clone(),
        &mut used,
    );
    let organized: Vec<String> = columns
        .iter()
        .filter(national)
        .filter(|c| c.starts_with("organized_"))
        .cloned()
        .collect();
    push(
        "Organized by age, sex and occupation",
        "organized-by-group",
        organized.clone(),
        &mut used,
    );
    let rest: Vec<String> = columns
        .iter()
        .filter(national)
        .filter(|c| !used.contains(&c.as_str()) && !organized.contains(c))
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

/// Series families that can be drawn as maps: `family.<region>` for every region. Returns
/// (family, whether its values are already fractions).
pub fn map_families(columns: &[String], regions: &[String]) -> Vec<(String, bool)> {
    if regions.is_empty() {
        return vec![];
    }
    let complete = |f: &str| {
        regions
            .iter()
            .all(|r| columns.iter().any(|c| *c == format!("{f}.{r}")))
    };
    let mut out = Vec::new();
    if complete("control") {
        out.push(("control".to_string(), true));
    }
    for f in ["organized", "active", "risen"] {
        if complete(f) {
            out.push((f.to_string(), false));
        }
    }
    out
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
        let g = groups(&cols);
        assert_eq!(
            g[0].columns,
            s(&["organized", "organized.n", "organized.s"])
        );
        assert_eq!(g[1].columns, s(&["member", "cadre"]));
        assert!(g
            .iter()
            .any(|x| x.columns == s(&["kind.party", "kind.youth"])));
        assert!(g.iter().any(|x| x.columns == s(&["organized_child"])));
        assert!(g.iter().any(|x| x.columns == s(&["cells"])));
        assert_eq!(
            map_families(&cols, &s(&["n"])),
            vec![
                ("control".to_string(), true),
                ("organized".to_string(), false)
            ]
        );
        assert!(map_families(&cols, &s(&["n", "x"])).is_empty());
    }
}
