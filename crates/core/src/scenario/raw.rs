//! The raw mirror of a scenario file: every field as written, before validation.
//!
//! Optional fields are `Option`; validation fills in defaults, so the same types, serialized,
//! are the *resolved* scenario written beside every run (it runs again as it is).

use std::collections::BTreeMap;

use serde::Serialize;

use super::decode::{join, string_enum, At, DateText, Fields, FromToml, Node, Problems};

string_enum! {
    /// Which built-in model a scenario runs.
    pub enum ModelKind {
        /// Granovetter's threshold model (MODEL.md §1).
        Threshold = "threshold",
        /// The all-people resistance model (MODEL.md §3).
        Resistance = "resistance",
        /// Epstein's (2002) civil violence model (MODEL.md §2).
        CivilViolence = "civil_violence",
    }
}

string_enum! {
    /// How the social network is generated.
    pub enum NetworkKind {
        /// No ties (for the crowd form of the threshold model).
        None = "none",
        /// Households, villages, districts (workplaces and schools), long ties and region links.
        Structured = "structured",
        /// G(n, p) with p = mean_degree / (n − 1).
        ErdosRenyi = "erdos_renyi",
        /// A ring lattice with mean_degree neighbours, each tie rewired with probability `rewire`.
        WattsStrogatz = "watts_strogatz",
    }
}

string_enum! {
    /// Kinds of timeline event.
    pub enum EventKind {
        /// `count` randomly chosen people (in `region`, if given) start acting.
        Activate = "activate",
        /// Every threshold moves by `delta` (in the threshold's unit; negative lowers it).
        ShiftThresholds = "shift_thresholds",
        /// resistance: the programme is proclaimed; members start contributing.
        ProclaimProgramme = "proclaim_programme",
        /// resistance: an appeal reaches `share` of the people (of `region`, or everywhere),
        /// making sympathizers and lowering uprising thresholds by `delta` for `days`.
        Appeal = "appeal",
        /// resistance: the call to rise; opens the uprising (in `region`, or everywhere) and
        /// lowers thresholds by `delta` for `days`.
        AppealToRise = "appeal_to_rise",
        /// resistance: meetings and training drives multiply recruitment and training by
        /// `factor` for `days` (in `region`, or everywhere).
        TrainingDrive = "training_drive",
        /// resistance: `count` cadres of the main force infiltrate `regions` for `days`.
        SmallUnits = "small_units",
        /// resistance: the main force (`strength` persons) enters `regions` and advances by the
        /// operations plan; the uprising opens where it stands.
        FinalOffensive = "final_offensive",
        /// resistance: an outside army (`strength` persons) enters `regions` and advances.
        ExternalAttack = "external_attack",
        /// resistance: police detection is multiplied by `factor` for `days`.
        RepressionCampaign = "repression_campaign",
        /// resistance: `strength` troops attack the bases (in `region`, or all bases).
        PunitiveExpedition = "punitive_expedition",
        /// resistance: from now on, young unorganized men hide in the mountains at `rate` per
        /// day (times the region's mountain share) to escape labour and military drafts.
        Conscription = "conscription",
        /// resistance: the ruling side surrenders (an outside cause, as in the mainstream account).
        Surrender = "surrender",
        /// civil_violence: legitimacy becomes `value`, at once or linearly over `days`.
        Legitimacy = "legitimacy",
        /// civil_violence: the cop density becomes `value`, at once or linearly over `days`.
        Cops = "cops",
        /// civil_violence: peacekeepers (cops) at density `value` enter random empty sites.
        Peacekeepers = "peacekeepers",
    }
}

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

/// The whole scenario file.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RawScenario {
    /// Short name, used for the run folder.
    pub name: Option<String>,
    /// What the scenario is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Which model runs.
    pub model: Option<ModelKind>,
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
    /// The timeline.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<RawEvent>>,
    /// Parameters of the threshold model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub threshold: Option<RawThreshold>,
    /// Parameters of the resistance model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resistance: Option<super::resistance::RawResistance>,
    /// Parameters of the civil violence model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub civil_violence: Option<super::civil_violence::RawCivilViolence>,
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
#[derive(Clone, Debug, Default, Serialize)]
pub struct RawRegion {
    /// Unique name.
    pub name: Option<String>,
    /// Persons before scaling.
    pub population: Option<u64>,
    /// Area in km².
    #[serde(skip_serializing_if = "Option::is_none")]
    pub area_km2: Option<f64>,
    /// Map position (e.g. longitude).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub x: Option<f64>,
    /// Map position (e.g. latitude).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub y: Option<f64>,
    /// Names of adjacent regions.
    pub neighbours: Option<Vec<String>>,
    /// Attribute shares of this region, replacing `population.shares` per attribute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shares: Option<RawShares>,
    /// Share of the area that is mountain or forest, where people can hide (fraction).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mountain_share: Option<f64>,
    /// Ruling side's troops stationed here (persons, before scaling).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub garrison: Option<f64>,
    /// Ruling side's police (persons, before scaling).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub police: Option<f64>,
    /// Ruling side's control at the start (fraction).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub control: Option<f64>,
    /// Outside the ruled country (counts neither for liberation nor for collapse).
    #[serde(skip_serializing_if = "Option::is_none")]
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
    /// Rewiring probability (watts_strogatz).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rewire: Option<f64>,
    /// Extra ties between named regions (structured).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub links: Option<Vec<RawLink>>,
}

/// `[[network.links]]`: ties between two regions.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RawLink {
    /// The two regions' names.
    pub regions: Option<Vec<String>>,
    /// Mean ties per person of the first region to people of the second.
    pub ties_per_person: Option<f64>,
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
    /// What happens.
    pub kind: Option<EventKind>,
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

/// `[threshold]`.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RawThreshold {
    /// Crowd or network.
    pub form: Option<ThresholdForm>,
    /// Count or fraction.
    pub unit: Option<ThresholdUnit>,
    /// People who act from step 0, by person number.
    pub initial_actors: Option<Vec<u32>>,
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

impl RawScenario {
    /// Reads the document's root table.
    pub(crate) fn decode(root: Node<'_, '_>, problems: &mut Problems, spans: &mut Spans) -> Self {
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
            regions: array(&mut f, "regions", problems, spans, RawRegion::decode),
            network: table(&mut f, "network", problems, spans, RawNetwork::decode),
            events: array(&mut f, "events", problems, spans, RawEvent::decode),
            threshold: table(&mut f, "threshold", problems, spans, RawThreshold::decode),
            resistance: table(
                &mut f,
                "resistance",
                problems,
                spans,
                super::resistance::RawResistance::decode,
            ),
            civil_violence: table(
                &mut f,
                "civil_violence",
                problems,
                spans,
                super::civil_violence::RawCivilViolence::decode,
            ),
        };
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
        use crate::population::{AGE_BANDS, OCCUPATIONS, SEXES};
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

impl RawRegion {
    fn decode(n: Node<'_, '_>, path: &str, p: &mut Problems, s: &mut Spans) -> Option<Self> {
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
            population,
            area_km2: get_at(&mut f, "area_km2", p, s),
            x: get_at(&mut f, "x", p, s),
            y: get_at(&mut f, "y", p, s),
            neighbours: get_at(&mut f, "neighbours", p, s),
            shares: table(&mut f, "shares", p, s, RawShares::decode),
            mountain_share: get_at(&mut f, "mountain_share", p, s),
            garrison: get_at(&mut f, "garrison", p, s),
            police: get_at(&mut f, "police", p, s),
            control: get_at(&mut f, "control", p, s),
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
            rewire: get_at(&mut f, "rewire", p, s),
            links: array(&mut f, "links", p, s, RawLink::decode),
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

impl RawThreshold {
    fn decode(n: Node<'_, '_>, path: &str, p: &mut Problems, s: &mut Spans) -> Option<Self> {
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
