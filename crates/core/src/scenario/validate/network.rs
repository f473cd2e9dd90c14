//! The `[network]` table: which generator, its parameters, and the region links.

use super::super::decode::join;
use super::super::raw::*;
use super::super::*;
use crate::network::file::FileNetwork;

impl Check<'_> {
    pub(super) fn check_network(
        &mut self,
        n: &mut RawNetwork,
        regions: &[Region],
        total: u64,
    ) -> Option<NetworkSpec> {
        let kind = *n.kind.get_or_insert(NetworkKind::None);
        let names: Vec<Option<String>> = regions.iter().map(|r| Some(r.name.clone())).collect();
        let before = self.problems.list.len();
        let spec = match kind {
            NetworkKind::None => NetworkSpec::None,
            NetworkKind::Structured => {
                let household_size = *n.household_size.get_or_insert(5);
                let village_size = *n.village_size.get_or_insert(200);
                let village_ties = *n.village_ties.get_or_insert(4.0);
                let district_size = *n.district_size.get_or_insert(5000);
                let district_ties = *n.district_ties.get_or_insert(2.0);
                let long_ties = *n.long_ties.get_or_insert(0.5);
                self.range(
                    "network.household_size",
                    f64::from(household_size),
                    1.0,
                    100.0,
                    "persons",
                );
                self.range(
                    "network.village_size",
                    f64::from(village_size),
                    1.0,
                    1e6,
                    "persons",
                );
                self.range(
                    "network.district_size",
                    f64::from(district_size),
                    1.0,
                    1e8,
                    "persons",
                );
                if village_size < household_size {
                    self.bad(
                        "network.village_size",
                        "a village is smaller than a household",
                        Some(format!(
                            "allowed: at least household_size ({household_size})"
                        )),
                    );
                }
                if district_size < village_size {
                    self.bad(
                        "network.district_size",
                        "a district is smaller than a village",
                        Some(format!("allowed: at least village_size ({village_size})")),
                    );
                }
                for (key, v) in [
                    ("village_ties", village_ties),
                    ("district_ties", district_ties),
                    ("long_ties", long_ties),
                ] {
                    self.range(&join("network", key), v, 0.0, 1000.0, "ties per person");
                }
                let mut links = Vec::new();
                for (i, l) in n.links.get_or_insert_with(Vec::new).iter_mut().enumerate() {
                    let path = format!("network.links[{i}]");
                    let tpp = *l.ties_per_person.get_or_insert(0.0);
                    self.range(
                        &join(&path, "ties_per_person"),
                        tpp,
                        0.0,
                        1000.0,
                        "ties per person",
                    );
                    let names_given = l.regions.clone().unwrap_or_default();
                    if names_given.len() != 2 {
                        self.bad(
                            &join(&path, "regions"),
                            format!("{} regions given", names_given.len()),
                            Some(
                                "a link joins exactly two regions: regions = [\"a\", \"b\"]".into(),
                            ),
                        );
                        continue;
                    }
                    let ids: Vec<Option<u16>> = names_given
                        .iter()
                        .map(|g| {
                            names
                                .iter()
                                .position(|m| m.as_deref() == Some(g.as_str()))
                                .map(|k| k as u16)
                        })
                        .collect();
                    for (g, id) in names_given.iter().zip(&ids) {
                        if id.is_none() {
                            self.unknown_region(&join(&path, "regions"), g, &names);
                        }
                    }
                    let weight = l.weight.unwrap_or(1.0);
                    self.weight(&join(&path, "weight"), weight);
                    if let (Some(a), Some(b)) = (ids[0], ids[1]) {
                        links.push(Link {
                            from: a,
                            to: b,
                            ties_per_person: tpp,
                            weight: weight as f32,
                        });
                    }
                }
                let mut weights = TieWeights::default();
                for (key, w) in n.weights.iter().flat_map(|t| t.0.iter()) {
                    let path = join("network.weights", key);
                    let slot = match key.as_str() {
                        "household" => &mut weights.household,
                        "village" => &mut weights.village,
                        "district" => &mut weights.district,
                        "long" => &mut weights.long,
                        _ => {
                            self.bad(
                                &path,
                                format!("`{key}` is not a kind of tie of the structured network"),
                                Some(super::super::decode::allowed_help(
                                    key,
                                    &["household", "village", "district", "long"],
                                )),
                            );
                            continue;
                        }
                    };
                    self.weight(&path, *w);
                    *slot = *w as f32;
                }
                NetworkSpec::Structured(StructuredNetwork {
                    household_size,
                    village_size,
                    village_ties,
                    district_size,
                    district_ties,
                    long_ties,
                    links,
                    weights,
                })
            }
            NetworkKind::File => match self.file_network(n, regions) {
                Some(f) => NetworkSpec::File(std::sync::Arc::new(f)),
                None => NetworkSpec::None,
            },
            NetworkKind::ErdosRenyi => {
                let hi = (total.max(2) - 1) as f64;
                match (n.p, n.mean_degree) {
                    (Some(_), Some(_)) => {
                        self.bad(
                            "network.p",
                            "give `p` or `mean_degree`, not both",
                            Some(
                                "`p` stays when the population changes; `mean_degree` sets p = \
                                 mean_degree / (N − 1)"
                                    .into(),
                            ),
                        );
                        NetworkSpec::ErdosRenyi { p: 0.0 }
                    }
                    (Some(p), None) => {
                        // At most 10^4 ties a person on average, as with `mean_degree`.
                        self.range(
                            "network.p",
                            p,
                            0.0,
                            (1e4 / hi).min(1.0),
                            "(probability of a tie; at most 10,000 ties a person on average)",
                        );
                        NetworkSpec::ErdosRenyi { p }
                    }
                    (None, _) => {
                        let mean_degree = *n.mean_degree.get_or_insert(10.0);
                        self.range(
                            "network.mean_degree",
                            mean_degree,
                            0.0,
                            hi.min(1e4),
                            "ties per person (below the population)",
                        );
                        NetworkSpec::ErdosRenyi {
                            p: (mean_degree / hi).min(1.0),
                        }
                    }
                }
            }
            NetworkKind::WattsStrogatz => {
                let k = *n.mean_degree.get_or_insert(10.0);
                let rewire = *n.rewire.get_or_insert(0.1);
                if k.fract() != 0.0 || k < 2.0 || k as u64 % 2 != 0 || k as u64 >= total.max(1) {
                    self.bad(
                        "network.mean_degree",
                        format!("{k} is not allowed for a ring lattice"),
                        Some("allowed: an even integer, at least 2, below the population".into()),
                    );
                }
                self.range("network.rewire", rewire, 0.0, 1.0, "(probability)");
                NetworkSpec::WattsStrogatz {
                    mean_degree: k as u32,
                    rewire,
                }
            }
        };
        // Fields that belong to another generator are a mistake worth reporting.
        let stray: Vec<&str> = [
            ("household_size", n.household_size.is_some()),
            ("village_size", n.village_size.is_some()),
            ("village_ties", n.village_ties.is_some()),
            ("district_size", n.district_size.is_some()),
            ("district_ties", n.district_ties.is_some()),
            ("long_ties", n.long_ties.is_some()),
            ("links", n.links.as_ref().is_some_and(|l| !l.is_empty())),
        ]
        .into_iter()
        .filter(|(_, set)| *set && kind != NetworkKind::Structured)
        .chain(
            [
                ("edges", n.edges.is_some()),
                ("edges_sha256", n.edges_sha256.is_some()),
                ("people", n.people.is_some()),
                ("people_sha256", n.people_sha256.is_some()),
            ]
            .into_iter()
            .filter(|(_, set)| *set && kind != NetworkKind::File),
        )
        .chain(
            [("weights", n.weights.is_some())]
                .into_iter()
                .filter(|(_, set)| {
                    *set && !matches!(kind, NetworkKind::Structured | NetworkKind::File)
                }),
        )
        .map(|(k, _)| k)
        .chain(
            [
                ("mean_degree", n.mean_degree.is_some()),
                ("rewire", n.rewire.is_some()),
                ("p", n.p.is_some()),
            ]
            .into_iter()
            .filter(|(k, set)| {
                *set && !matches!(
                    (kind, *k),
                    (NetworkKind::ErdosRenyi, "mean_degree" | "p")
                        | (NetworkKind::WattsStrogatz, "mean_degree" | "rewire")
                )
            })
            .map(|(k, _)| k),
        )
        .collect();
        for k in stray {
            self.bad(
                &join("network", k),
                format!("`{k}` does not apply to network kind `{kind}`"),
                None,
            );
        }
        (self.problems.list.len() == before).then_some(spec)
    }

    /// A tie weight: a millionth to a million (relative to a plain tie's 1;
    /// [`crate::network::Network::TIE_WEIGHT`]).
    fn weight(&mut self, path: &str, w: f64) {
        if !crate::network::Network::TIE_WEIGHT.contains(&w) {
            self.bad(
                path,
                format!("weight {w} is not allowed"),
                Some(crate::network::Network::WEIGHT_HELP.into()),
            );
        }
    }

    /// `kind = "file"`: reads and checks the files, and makes the resolved scenario name them
    /// by absolute path and SHA-256.
    fn file_network(&mut self, n: &mut RawNetwork, regions: &[Region]) -> Option<FileNetwork> {
        use crate::network::file::{read, Context, Input};
        if self.cx.scale != 1.0 {
            self.bad(
                "scale",
                format!(
                    "a network read from a file cannot be scaled (scale = {})",
                    self.cx.scale
                ),
                Some(
                    "its people are the file's: run it at scale 1, or sample the file yourself"
                        .into(),
                ),
            );
            return None;
        }
        let Some(edges) = n.edges.clone() else {
            self.bad(
                "network.edges",
                "a file network needs `edges`",
                Some("the edge list: a CSV or Parquet file with columns source, target".into()),
            );
            return None;
        };
        let input = |c: &mut Self, field: &str, path: &str, sha: &Option<String>| {
            let full = c.scenario_file(field, path, sha.is_some())?;
            // Absolute, so the resolved scenario names it from anywhere.
            let full = std::fs::canonicalize(&full).unwrap_or(full);
            Some(Input {
                path: full,
                shown: path.to_string(),
                sha256: sha.clone(),
            })
        };
        let edges_in = input(self, "network.edges", &edges, &n.edges_sha256);
        let people_in = match n.people.clone() {
            Some(p) => Some(input(self, "network.people", &p, &n.people_sha256)?),
            None => None,
        };
        let edges_in = edges_in?;
        let mut weights = Vec::new();
        for (key, w) in n.weights.iter().flat_map(|t| t.0.iter()) {
            self.weight(&join("network.weights", key), *w);
            weights.push((key.clone(), *w));
        }
        let names: Vec<String> = regions.iter().map(|r| r.name.clone()).collect();
        let cx = Context {
            regions: &names,
            weights: &weights,
        };
        let f = match read(&edges_in, people_in.as_ref(), &cx) {
            Ok(f) => f,
            Err(problems) => {
                for p in problems {
                    let field = if people_in.as_ref().is_some_and(|i| i.shown == p.file) {
                        "network.people"
                    } else {
                        "network.edges"
                    };
                    // Every problem of the files, each with its place (`bad` would keep
                    // only the first of a field).
                    let span = self.spans.get(field).cloned().unwrap_or(0..0);
                    self.problems.push(field, span, p.to_string(), p.help);
                }
                return None;
            }
        };
        for (key, _) in &weights {
            if !f.kinds.contains(key) {
                let kinds: Vec<&str> = f.kinds.iter().map(String::as_str).collect();
                self.bad(
                    &join("network.weights", key),
                    format!("no tie of kind `{key}` in the edge list"),
                    Some(if kinds.is_empty() {
                        "the edge list has no `kind` column".into()
                    } else {
                        super::super::decode::allowed_help(key, &kinds)
                    }),
                );
            }
        }
        for (i, (r, &count)) in regions.iter().zip(&f.region_counts).enumerate() {
            if r.population != count {
                self.bad(
                    &format!("regions[{i}].population"),
                    format!(
                        "{} people in the scenario, {count} in the files",
                        r.population
                    ),
                    Some(format!(
                        "set population = {count}: a file network's people are the file's"
                    )),
                );
            }
        }
        // The resolved scenario names the very files, so that a run resumes or branches on
        // them (and on nothing else) from anywhere.
        n.edges = Some(f.edges.display().to_string());
        n.edges_sha256 = Some(f.edges_sha256.clone());
        if let Some((path, sha)) = &f.people {
            n.people = Some(path.display().to_string());
            n.people_sha256 = Some(sha.clone());
        }
        Some(f)
    }
}
