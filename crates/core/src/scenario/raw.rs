//! The raw mirror of a scenario file: every field as written, before validation.
//!
//! Optional fields are `Option`; validation fills in defaults, so the same types, serialized,
//! are the *resolved* scenario written beside every run (it runs again as it is).

use std::collections::BTreeMap;

use serde::Serialize;

use super::decode::{
    join, string_enum, At, DateText, Fields, FromToml, Node, NumberTable, Problems,
};

string_enum! {
    /// How the social network is generated.
    pub enum NetworkKind {
        /// No ties (for the crowd form of the threshold model).
        None = "none",
        /// Households, villages, districts (workplaces and schools), long ties and region links.
        Structured = "structured",
        /// G(n, p) with p given, or p = mean_degree / (n − 1).
        ErdosRenyi = "erdos_renyi",
        /// A ring lattice with mean_degree neighbours, each tie rewired with probability `rewire`.
        WattsStrogatz = "watts_strogatz",
        /// Ties read from an edge list (CSV or Parquet), people optionally from a table.
        File = "file",
    }
}

/// The whole scenario file.
#[derive(Clone, Debug, Default)]
pub struct RawScenario {
    /// Short name, used for the run folder.
    pub name: Option<String>,
    /// What the scenario is for.
    pub description: Option<String>,
    /// Which model runs (a name in [`crate::model::Models`]).
    pub model: Option<String>,
    /// Seed of every random stream.
    pub seed: Option<u64>,
    /// Multiplier on every region's population.
    pub scale: Option<f64>,
    /// Time span and step.
    pub time: Option<RawTime>,
    /// Attribute shares used where a region gives none.
    pub population: Option<RawPopulation>,
    /// Regions, in order.
    pub regions: Option<Vec<RawRegion>>,
    /// The social network.
    pub network: Option<RawNetwork>,
    /// How regions are drawn on maps (shapes, or an outline to clip schematic cells to).
    pub map: Option<RawMap>,
    /// The timeline.
    pub events: Option<Vec<RawEvent>>,
    /// The model's section (`[resistance]`), resolved by the model: its name and content.
    pub section: Option<(&'static str, toml::Value)>,
}

/// `[time]`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RawTime {
    /// Calendar date of step 0, `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// Number of steps to run (at most; models may stop at equilibrium).
    pub steps: Option<u32>,
    /// Length of one step in days.
    pub step_days: Option<f64>,
}

/// `[population]`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RawPopulation {
    /// Attribute shares.
    pub shares: Option<RawShares>,
}

/// Shares of each attribute's categories (fractions summing to 1).
#[derive(Clone, Debug, Default, Serialize)]
pub struct RawShares {
    /// Age bands: child, youth, adult.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub age: Option<BTreeMap<String, f64>>,
    /// Sex: female, male.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<BTreeMap<String, f64>>,
    /// Occupation: peasant, worker, student, other.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occupation: Option<BTreeMap<String, f64>>,
}

/// `[[regions]]`.
#[derive(Clone, Debug, Default)]
pub struct RawRegion {
    /// Unique name.
    pub name: Option<String>,
    /// Display name (reports and the dashboard); the name by default.
    pub label: Option<String>,
    /// Persons before scaling.
    pub population: Option<u64>,
    /// Area in km².
    pub area_km2: Option<f64>,
    /// Map position (e.g. longitude).
    pub x: Option<f64>,
    /// Map position (e.g. latitude).
    pub y: Option<f64>,
    /// Names of adjacent regions.
    pub neighbours: Option<Vec<String>>,
    /// Attribute shares of this region, replacing `population.shares` per attribute.
    pub shares: Option<RawShares>,
    /// The numbers models add to regions ([`crate::model::ModelDef::region_fields`]), as
    /// given (and, once resolved, the scenario's model's, every one, in its order).
    pub fields: Vec<(&'static str, f64)>,
    /// Outside the ruled country (counts neither for liberation nor for collapse).
    pub abroad: Option<bool>,
}

/// `[network]`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RawNetwork {
    /// Generator.
    pub kind: Option<NetworkKind>,
    /// Persons per household (structured).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub household_size: Option<u32>,
    /// Persons per village (structured).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub village_size: Option<u32>,
    /// Mean village ties per person (structured).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub village_ties: Option<f64>,
    /// Persons per district, within which workplaces and schools tie people (structured).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub district_size: Option<u32>,
    /// Mean workplace and school ties per person (structured).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub district_ties: Option<f64>,
    /// Mean long ties per person, to anyone in the population (structured).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub long_ties: Option<f64>,
    /// Mean degree (erdos_renyi, watts_strogatz).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mean_degree: Option<f64>,
    /// Probability that any two people are tied (erdos_renyi, instead of `mean_degree`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p: Option<f64>,
    /// Rewiring probability (watts_strogatz).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rewire: Option<f64>,
    /// Extra ties between named regions (structured).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub links: Option<Vec<RawLink>>,
    /// The weight of each kind of tie (structured: household, village, district, long; file:
    /// the kinds of its `kind` column), relative to a plain tie's 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weights: Option<NumberTable>,
    /// The edge list, CSV or Parquet (file): a path relative to the scenario's folder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edges: Option<String>,
    /// SHA-256 of the edge list (file): checked when given; the resolved scenario carries it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub edges_sha256: Option<String>,
    /// The people table, CSV or Parquet (file, optional).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub people: Option<String>,
    /// SHA-256 of the people table (file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub people_sha256: Option<String>,
}

/// `[map]`: how regions are drawn (never what happens to them).
#[derive(Clone, Debug, Default, Serialize)]
pub struct RawMap {
    /// A GeoJSON file with one feature per region (property `name`), its real shapes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shapes: Option<String>,
    /// A GeoJSON file of land (countries as features with a `name`): schematic cells around
    /// the regions' points are clipped to it, and it is drawn as the map's background.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outline: Option<String>,
    /// Features of the outline the home regions' cells are clipped to (default: all).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub land: Option<Vec<String>>,
    /// Features of the outline the cells of regions `abroad` are clipped to (default: `land`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abroad_land: Option<Vec<String>>,
    /// Farthest a schematic cell reaches from its region's point (map units, e.g. degrees).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cell_radius: Option<f64>,
    /// The credit line the map data asks for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit: Option<String>,
}

impl RawMap {
    fn decode(n: Node<'_, '_>, path: &str, p: &mut Problems, s: &mut Spans) -> Option<Self> {
        let mut f = Fields::open(n, path, p)?;
        let t = RawMap {
            shapes: get_at(&mut f, "shapes", p, s),
            outline: get_at(&mut f, "outline", p, s),
            land: get_at(&mut f, "land", p, s),
            abroad_land: get_at(&mut f, "abroad_land", p, s),
            cell_radius: get_at(&mut f, "cell_radius", p, s),
            credit: get_at(&mut f, "credit", p, s),
        };
        f.finish(p);
        Some(t)
    }
}

/// `[[network.links]]`: ties between two regions.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RawLink {
    /// The two regions' names.
    pub regions: Option<Vec<String>>,
    /// Mean ties per person of the first region to people of the second.
    pub ties_per_person: Option<f64>,
    /// The weight of these ties, relative to a plain tie's 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<f64>,
}

/// `[[events]]`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RawEvent {
    /// Step at which the event fires (or use `date`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<u32>,
    /// Date at which the event fires, `YYYY-MM-DD` (needs `time.start`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    /// What happens (one of the model's event kinds).
    pub kind: Option<String>,
    /// `false` switches the event off: it is still checked, but does not happen (so that a
    /// cause on the timeline can be switched off with `--set events[N].enabled=false`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Persons (activate).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    /// Region name (activate; all regions if absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Threshold change (shift_thresholds; appeals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta: Option<f64>,
    /// Region names (small_units, final_offensive, external_attack).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regions: Option<Vec<String>>,
    /// Fraction of the people reached (appeal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
    /// Duration in days (appeals, drives, campaigns, small units).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub days: Option<f64>,
    /// Multiplier (training_drive, repression_campaign).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub factor: Option<f64>,
    /// Persons under arms, before scaling (final_offensive, external_attack,
    /// punitive_expedition).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub strength: Option<f64>,
    /// Rate per day (conscription).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// New value (legitimacy, cops, peacekeepers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<f64>,
}

/// Spans of the fields that validation checks after decoding, keyed by path.
pub(crate) type Spans = BTreeMap<String, std::ops::Range<usize>>;

/// Reads an optional field and records its span for later checks.
pub(crate) fn get_at<T: FromToml>(
    f: &mut Fields<'_, '_>,
    key: &'static str,
    problems: &mut Problems,
    spans: &mut Spans,
) -> Option<T> {
    let at: At<T> = f.get(key, problems)?;
    spans.insert(join(&f.path, key), at.span);
    Some(at.value)
}

/// Reads an optional sub-table.
pub(crate) fn table<T>(
    f: &mut Fields<'_, '_>,
    key: &'static str,
    problems: &mut Problems,
    spans: &mut Spans,
    read: impl FnOnce(Node<'_, '_>, &str, &mut Problems, &mut Spans) -> Option<T>,
) -> Option<T> {
    let node = f.node(key)?;
    let path = join(&f.path, key);
    spans.insert(path.clone(), node.span());
    read(node, &path, problems, spans)
}

/// Reads an optional array of tables.
pub(crate) fn array<T>(
    f: &mut Fields<'_, '_>,
    key: &'static str,
    problems: &mut Problems,
    spans: &mut Spans,
    read: impl Fn(Node<'_, '_>, &str, &mut Problems, &mut Spans) -> Option<T>,
) -> Option<Vec<T>> {
    let node = f.node(key)?;
    let path = join(&f.path, key);
    spans.insert(path.clone(), node.span());
    let Some(items) = node.get_ref().as_array() else {
        problems.push(&path, node.span(), "expected an array of tables", None);
        return None;
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let p = format!("{path}[{i}]");
        spans.insert(p.clone(), item.span());
        if let Some(v) = read(item, &p, problems, spans) {
            out.push(v);
        }
    }
    Some(out)
}

impl Serialize for RawScenario {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = ser.serialize_struct("RawScenario", 11)?;
        st.serialize_field("name", &self.name)?;
        match &self.description {
            Some(d) => st.serialize_field("description", d)?,
            None => st.skip_field("description")?,
        }
        st.serialize_field("model", &self.model)?;
        st.serialize_field("seed", &self.seed)?;
        st.serialize_field("scale", &self.scale)?;
        st.serialize_field("time", &self.time)?;
        st.serialize_field("population", &self.population)?;
        st.serialize_field("regions", &self.regions)?;
        st.serialize_field("network", &self.network)?;
        if let Some(m) = &self.map {
            st.serialize_field("map", m)?;
        }
        match &self.events {
            Some(e) => st.serialize_field("events", e)?,
            None => st.skip_field("events")?,
        }
        if let Some((name, value)) = &self.section {
            st.serialize_field(name, value)?;
        }
        st.end()
    }
}

impl RawScenario {
    /// Reads the document's root table.
    /// Models' sections are only marked as known here: the scenario's model reads its own
    /// during validation ([`crate::model::ModelDef::section`]).
    pub(crate) fn decode(
        root: Node<'_, '_>,
        models: &crate::model::Models,
        problems: &mut Problems,
        spans: &mut Spans,
    ) -> Self {
        let Some(mut f) = Fields::open(root, "", problems) else {
            return RawScenario::default();
        };
        let s = RawScenario {
            name: get_at(&mut f, "name", problems, spans),
            description: get_at(&mut f, "description", problems, spans),
            model: get_at(&mut f, "model", problems, spans),
            seed: get_at(&mut f, "seed", problems, spans),
            scale: get_at(&mut f, "scale", problems, spans),
            time: table(&mut f, "time", problems, spans, RawTime::decode),
            population: table(&mut f, "population", problems, spans, RawPopulation::decode),
            regions: {
                let keys = models.region_keys();
                array(&mut f, "regions", problems, spans, |n, path, p, s| {
                    RawRegion::decode(n, path, p, s, &keys)
                })
            },
            network: table(&mut f, "network", problems, spans, RawNetwork::decode),
            map: table(&mut f, "map", problems, spans, RawMap::decode),
            events: array(&mut f, "events", problems, spans, RawEvent::decode),
            section: None,
        };
        for m in models.all() {
            if let Some(node) = f.node(m.name()) {
                spans.insert(m.name().to_string(), node.span());
            }
        }
        f.finish(problems);
        s
    }
}

impl RawTime {
    fn decode(n: Node<'_, '_>, path: &str, p: &mut Problems, s: &mut Spans) -> Option<Self> {
        let mut f = Fields::open(n, path, p)?;
        let t = RawTime {
            start: get_at::<DateText>(&mut f, "start", p, s).map(|d| d.0),
            steps: get_at(&mut f, "steps", p, s),
            step_days: get_at(&mut f, "step_days", p, s),
        };
        f.finish(p);
        Some(t)
    }
}

impl RawPopulation {
    fn decode(n: Node<'_, '_>, path: &str, p: &mut Problems, s: &mut Spans) -> Option<Self> {
        let mut f = Fields::open(n, path, p)?;
        let t = RawPopulation {
            shares: table(&mut f, "shares", p, s, RawShares::decode),
        };
        f.finish(p);
        Some(t)
    }
}

fn decode_categories(
    n: Node<'_, '_>,
    path: &str,
    categories: &'static [&'static str],
    p: &mut Problems,
    s: &mut Spans,
) -> Option<BTreeMap<String, f64>> {
    let mut f = Fields::open(n, path, p)?;
    let mut out = BTreeMap::new();
    for &c in categories {
        if let Some(v) = get_at::<f64>(&mut f, c, p, s) {
            out.insert(c.to_string(), v);
        }
    }
    f.finish(p);
    Some(out)
}

impl RawShares {
    fn decode(n: Node<'_, '_>, path: &str, p: &mut Problems, s: &mut Spans) -> Option<Self> {
        use crate::scenario::{AGE_BANDS, OCCUPATIONS, SEXES};
        let mut f = Fields::open(n, path, p)?;
        let t = RawShares {
            age: table(&mut f, "age", p, s, |n, path, p, s| {
                decode_categories(n, path, &AGE_BANDS, p, s)
            }),
            sex: table(&mut f, "sex", p, s, |n, path, p, s| {
                decode_categories(n, path, &SEXES, p, s)
            }),
            occupation: table(&mut f, "occupation", p, s, |n, path, p, s| {
                decode_categories(n, path, &OCCUPATIONS, p, s)
            }),
        };
        f.finish(p);
        Some(t)
    }
}

impl Serialize for RawRegion {
    fn serialize<S: serde::Serializer>(&self, ser: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = ser.serialize_struct("RawRegion", 9 + self.fields.len())?;
        st.serialize_field("name", &self.name)?;
        match &self.label {
            Some(v) => st.serialize_field("label", v)?,
            None => st.skip_field("label")?,
        }
        st.serialize_field("population", &self.population)?;
        let optional = |st: &mut S::SerializeStruct, key: &'static str, v: &Option<f64>| match v {
            Some(v) => st.serialize_field(key, v),
            None => st.skip_field(key),
        };
        optional(&mut st, "area_km2", &self.area_km2)?;
        optional(&mut st, "x", &self.x)?;
        optional(&mut st, "y", &self.y)?;
        st.serialize_field("neighbours", &self.neighbours)?;
        match &self.shares {
            Some(v) => st.serialize_field("shares", v)?,
            None => st.skip_field("shares")?,
        }
        for (key, value) in &self.fields {
            st.serialize_field(key, value)?;
        }
        match &self.abroad {
            Some(v) => st.serialize_field("abroad", v)?,
            None => st.skip_field("abroad")?,
        }
        st.end()
    }
}

impl RawRegion {
    fn decode(
        n: Node<'_, '_>,
        path: &str,
        p: &mut Problems,
        s: &mut Spans,
        keys: &[&'static str],
    ) -> Option<Self> {
        let mut f = Fields::open(n, path, p)?;
        let name = f.require::<At<String>>("name", p).map(|at| {
            s.insert(join(path, "name"), at.span);
            at.value
        });
        let population = f.require::<At<u64>>("population", p).map(|at| {
            s.insert(join(path, "population"), at.span);
            at.value
        });
        let t = RawRegion {
            name,
            label: get_at(&mut f, "label", p, s),
            population,
            area_km2: get_at(&mut f, "area_km2", p, s),
            x: get_at(&mut f, "x", p, s),
            y: get_at(&mut f, "y", p, s),
            neighbours: get_at(&mut f, "neighbours", p, s),
            shares: table(&mut f, "shares", p, s, RawShares::decode),
            fields: keys
                .iter()
                .filter_map(|&k| get_at::<f64>(&mut f, k, p, s).map(|v| (k, v)))
                .collect(),
            abroad: get_at(&mut f, "abroad", p, s),
        };
        f.finish(p);
        Some(t)
    }
}

impl RawNetwork {
    fn decode(n: Node<'_, '_>, path: &str, p: &mut Problems, s: &mut Spans) -> Option<Self> {
        let mut f = Fields::open(n, path, p)?;
        let t = RawNetwork {
            kind: get_at(&mut f, "kind", p, s),
            household_size: get_at(&mut f, "household_size", p, s),
            village_size: get_at(&mut f, "village_size", p, s),
            village_ties: get_at(&mut f, "village_ties", p, s),
            district_size: get_at(&mut f, "district_size", p, s),
            district_ties: get_at(&mut f, "district_ties", p, s),
            long_ties: get_at(&mut f, "long_ties", p, s),
            mean_degree: get_at(&mut f, "mean_degree", p, s),
            p: get_at(&mut f, "p", p, s),
            rewire: get_at(&mut f, "rewire", p, s),
            links: array(&mut f, "links", p, s, RawLink::decode),
            weights: get_at::<NumberTable>(&mut f, "weights", p, s).inspect(|w| {
                for ((k, _), span) in w.0.iter().zip(&w.1) {
                    s.insert(join(&join(path, "weights"), k), span.clone());
                }
            }),
            edges: get_at(&mut f, "edges", p, s),
            edges_sha256: get_at(&mut f, "edges_sha256", p, s),
            people: get_at(&mut f, "people", p, s),
            people_sha256: get_at(&mut f, "people_sha256", p, s),
        };
        f.finish(p);
        Some(t)
    }
}

impl RawLink {
    fn decode(n: Node<'_, '_>, path: &str, p: &mut Problems, s: &mut Spans) -> Option<Self> {
        let mut f = Fields::open(n, path, p)?;
        let t = RawLink {
            regions: get_at(&mut f, "regions", p, s),
            ties_per_person: get_at(&mut f, "ties_per_person", p, s),
            weight: get_at(&mut f, "weight", p, s),
        };
        f.finish(p);
        Some(t)
    }
}

impl RawEvent {
    fn decode(n: Node<'_, '_>, path: &str, p: &mut Problems, s: &mut Spans) -> Option<Self> {
        let mut f = Fields::open(n, path, p)?;
        let t = RawEvent {
            step: get_at(&mut f, "step", p, s),
            date: get_at::<DateText>(&mut f, "date", p, s).map(|d| d.0),
            kind: get_at(&mut f, "kind", p, s),
            enabled: get_at(&mut f, "enabled", p, s),
            count: get_at(&mut f, "count", p, s),
            region: get_at(&mut f, "region", p, s),
            delta: get_at(&mut f, "delta", p, s),
            regions: get_at(&mut f, "regions", p, s),
            share: get_at(&mut f, "share", p, s),
            days: get_at(&mut f, "days", p, s),
            factor: get_at(&mut f, "factor", p, s),
            strength: get_at(&mut f, "strength", p, s),
            rate: get_at(&mut f, "rate", p, s),
            value: get_at(&mut f, "value", p, s),
        };
        f.finish(p);
        Some(t)
    }
}
