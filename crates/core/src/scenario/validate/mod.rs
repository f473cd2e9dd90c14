//! From the raw mirror to the validated [`Scenario`]: ranges, cross-references, defaults.

mod events;
mod network;

use std::collections::BTreeMap;

use toml::de::DeTable;

use super::decode::{join, Problems, RawProblem};
use super::overrides::{self, Override};
use super::problem::{line_column, Origin, Problem, ScenarioError};
use super::raw::*;
use super::*;
use crate::scenario::{AGE_BANDS, OCCUPATIONS, SEXES};

/// Shares used when neither the region nor `population.shares` gives an attribute.
/// Neutral on purpose: one category takes everything, so nothing is invented.
fn default_shares() -> RawShares {
    let one = |k: &str| BTreeMap::from([(k.to_string(), 1.0)]);
    RawShares {
        age: Some(one("adult")),
        sex: Some(BTreeMap::from([
            ("female".to_string(), 0.5),
            ("male".to_string(), 0.5),
        ])),
        occupation: Some(one("other")),
    }
}

pub(super) fn load(
    source: &Source,
    overrides: &[Override],
    models: &Models,
) -> Result<Scenario, ScenarioError> {
    let mut problems = Problems::default();
    let mut spans = Spans::new();
    let root = match DeTable::parse(&source.text) {
        Ok(table) => {
            let span = table.span();
            let mut root = toml::Spanned::new(span, toml::de::DeValue::Table(table.into_inner()));
            overrides::apply(&mut root, overrides, &mut problems);
            Some(root)
        }
        Err(e) => {
            problems.push(
                "",
                e.span().unwrap_or(0..0),
                format!("not valid TOML: {}", e.message().trim()),
                None,
            );
            None
        }
    };
    let scenario = root.as_ref().and_then(|root| {
        let raw = RawScenario::decode(root, models, &mut problems, &mut spans);
        let mut check = Check::new(&mut problems, &mut spans, source, Some(root));
        check.scenario(raw, models)
    });
    match scenario {
        Some(s) if problems.list.is_empty() => Ok(s),
        _ => Err(place(source, overrides, problems.list, &spans)),
    }
}

/// Gives each problem its origin: the `--set` that caused it, or its line and column.
fn place(
    source: &Source,
    overrides: &[Override],
    list: Vec<RawProblem>,
    spans: &Spans,
) -> ScenarioError {
    let mut problems: Vec<Problem> = list
        .into_iter()
        .map(|p| {
            // A problem with a whole table the file does not have (`[civil_violence]` made
            // by `--set civil_violence.width=10`) is that override's too.
            let made_by_override = |o: &&Override| {
                o.display_path
                    .strip_prefix(p.path.as_str())
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
                    && !in_file(&source.text, &p.path)
            };
            let origin = match overrides
                .iter()
                .rev()
                .find(|o| o.covers(&p.path))
                .or_else(|| overrides.iter().rev().find(made_by_override))
            {
                Some(o) => Origin::Override(o.arg.clone()),
                None => {
                    let span = if p.span == (0..0) {
                        nearest_span(&p.path, spans).unwrap_or(0..0)
                    } else {
                        p.span
                    };
                    let (line, column) = line_column(&source.text, span.start);
                    Origin::File { span, line, column }
                }
            };
            Problem {
                path: p.path,
                message: p.message,
                help: p.help,
                origin,
            }
        })
        .collect();
    problems.sort_by_key(|p| match &p.origin {
        Origin::File { span, .. } => (0, span.start),
        Origin::Override(_) => (1, 0),
    });
    ScenarioError {
        file: source.name.clone(),
        text: source.text.clone(),
        problems,
    }
}

/// Whether the file itself (before any `--set`) has the table or key at `path` (a path of
/// keys; a path with indices is taken to be there).
fn in_file(text: &str, path: &str) -> bool {
    if path.contains('[') {
        return true;
    }
    let Ok(root) = toml::de::DeTable::parse(text) else {
        return true;
    };
    let mut table = root.get_ref();
    let mut keys = path.split('.').peekable();
    while let Some(k) = keys.next() {
        let Some(v) = table.get(k) else {
            return false;
        };
        if keys.peek().is_none() {
            return true;
        }
        match v.get_ref().as_table() {
            Some(t) => table = t,
            None => return true,
        }
    }
    true
}

/// The span of `path` or of its nearest recorded parent.
fn nearest_span(path: &str, spans: &Spans) -> Option<std::ops::Range<usize>> {
    let mut p = path;
    loop {
        if let Some(s) = spans.get(p) {
            return Some(s.clone());
        }
        let cut = p.rfind(['.', '['])?;
        p = &p[..cut];
    }
}

impl Check<'_> {
    fn scenario(&mut self, mut raw: RawScenario, models: &Models) -> Option<Scenario> {
        let name = match raw.name.clone() {
            None => {
                self.bad(
                    "name",
                    "missing field `name`",
                    Some("a short name such as \"my-scenario\"".into()),
                );
                String::new()
            }
            Some(n) => {
                let ok = !n.is_empty()
                    && n.len() <= 80
                    && n.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
                if !ok {
                    self.bad(
                        "name",
                        format!(
                            "`{}` cannot name a run folder",
                            super::problem::printable(&n)
                        ),
                        Some("allowed: 1 to 80 letters, digits, `.`, `_`, `-`".into()),
                    );
                }
                n
            }
        };
        let model = match raw.model.as_deref() {
            None => {
                self.bad(
                    "model",
                    "missing field `model`",
                    Some(format!("allowed: {}", models.names().join(", "))),
                );
                None
            }
            Some(m) => match models.find(m) {
                Some(d) => Some(d),
                None => {
                    self.bad(
                        "model",
                        format!("unknown value `{}`", super::problem::printable(m)),
                        Some(super::decode::allowed_help(m, &models.names())),
                    );
                    None
                }
            },
        };
        // A top-level key that is one of the model's parameter groups (`repression.detection`
        // for `resistance.repression.detection`): say where it belongs.
        if let Some(m) = model {
            let groups: Vec<&str> = m.parameters().iter().map(|(g, _)| *g).collect();
            for p in &mut self.problems.list {
                let top = p.path.split(['.', '[']).next().unwrap_or_default();
                let group = format!("{}.{top}", m.name());
                if p.message == format!("unknown key `{top}`") && groups.contains(&group.as_str()) {
                    p.help = Some(format!(
                        "did you mean `{}.{}`? (the `{}` model's parameters are under `[{}]`)",
                        m.name(),
                        p.path,
                        m.name(),
                        m.name()
                    ));
                }
            }
        }
        let seed = *raw.seed.get_or_insert(1);
        let scale = *raw.scale.get_or_insert(1.0);
        let scale_ok = if scale <= 0.0 {
            self.bad(
                "scale",
                format!("{scale} is out of range"),
                Some("allowed: more than 0, at most 1000".into()),
            );
            false
        } else {
            self.range("scale", scale, f64::MIN_POSITIVE, 1000.0, "")
        };

        self.cx.scale = if scale_ok { scale } else { 1.0 };
        let time = self.check_time(raw.time.get_or_insert_with(Default::default));
        self.cx.time = time.clone();
        let default = self.shares(
            "population.shares",
            raw.population
                .get_or_insert_with(Default::default)
                .shares
                .get_or_insert_with(Default::default),
            &default_shares(),
        );
        // A model on a lattice of its own (civil violence) needs no regions.
        let lattice = model.is_some_and(|m| m.lattice());
        let regions = if lattice && raw.regions.as_ref().is_none_or(|r| r.is_empty()) {
            Vec::new()
        } else {
            self.check_regions(raw.regions.as_mut(), &default, self.cx.scale, model, models)
        };
        let total: u64 = regions.iter().map(|r| u64::from(r.population)).sum();
        let network = self.check_network(
            raw.network.get_or_insert_with(Default::default),
            &regions,
            total,
        );
        let mut warnings = Vec::new();
        let map = self.check_map(raw.map.as_mut(), &regions, &mut warnings);
        self.cx.regions = regions;
        self.cx.network = network;
        let events = self.check_events(raw.events.as_mut(), model, models);
        self.cx.events = events;
        let params = model.and_then(|m| {
            self.section = m.name();
            let params = m.section(self);
            raw.section = Some((
                m.name(),
                self.resolved
                    .take()
                    .unwrap_or(toml::Value::Table(Default::default())),
            ));
            params
        });
        for other in models.all() {
            let name = other.name();
            if model.is_some_and(|m| m.name() != name)
                && self.root.is_some_and(|r| {
                    r.get_ref()
                        .as_table()
                        .is_some_and(|t| t.iter().any(|(k, _)| k.get_ref().as_ref() == name))
                })
            {
                self.bad(
                    name,
                    format!("`[{name}]` is for `model = \"{name}\"`"),
                    Some("remove the section or change `model`".into()),
                );
            }
        }
        let cx = std::mem::take(&mut self.cx);
        Some(Scenario {
            description: raw.description.clone().unwrap_or_default(),
            name,
            model: model?,
            seed,
            scale,
            time: cx.time?,
            regions: cx.regions,
            network: cx.network?,
            map,
            warnings,
            events: cx.events,
            params: params?,
            resolved: raw,
        })
    }

    fn check_time(&mut self, t: &mut RawTime) -> Option<TimeSpan> {
        // A value that did not decode (`steps = "abc"`) was reported already; the default
        // must not stand in for it, or every check that uses the run's length would report
        // false problems (events "after the last step").
        let undecoded = |path: &str| self.problems.list.iter().any(|p| p.path == path);
        let mut ok = !undecoded("time.steps") && !undecoded("time.step_days");
        let steps = *t.steps.get_or_insert(100);
        let step_days = *t.step_days.get_or_insert(1.0);
        if steps == 0 || steps > MAX_STEPS {
            self.bad(
                "time.steps",
                format!("{steps} is out of range"),
                Some(format!("allowed: 1 to {MAX_STEPS}")),
            );
            ok = false;
        }
        if step_days <= 0.0 || step_days > 3660.0 {
            self.bad(
                "time.step_days",
                format!("{step_days} is out of range"),
                Some("allowed: more than 0, at most 3660 days".into()),
            );
            ok = false;
        }
        let start = match &t.start {
            None => None,
            Some(s) => match Date::parse(s) {
                Some(d) => Some(d),
                None => {
                    self.bad(
                        "time.start",
                        format!("`{s}` is not a date"),
                        Some("write YYYY-MM-DD, e.g. 1936-05-05".into()),
                    );
                    ok = false;
                    None
                }
            },
        };
        ok.then_some(TimeSpan {
            start,
            steps,
            step_days,
        })
    }

    /// Validates one attribute's shares and fills in the default where absent.
    fn categories(
        &mut self,
        path: &str,
        given: &mut Option<BTreeMap<String, f64>>,
        default: &BTreeMap<String, f64>,
        names: &[&str],
        out: &mut [f64],
    ) {
        if given.is_none() {
            // Inherited shares were checked where they were written; copy them silently.
            let copy = given.insert(default.clone());
            for (i, name) in names.iter().enumerate() {
                out[i] = *copy.entry(name.to_string()).or_insert(0.0);
            }
            return;
        }
        let map = given.get_or_insert_with(|| default.clone());
        let mut sum = 0.0;
        let mut ok = true;
        for (i, name) in names.iter().enumerate() {
            let v = map.get(*name).copied().unwrap_or(0.0);
            let p = join(path, name);
            if !(0.0..=1.0).contains(&v) {
                self.bad(
                    &p,
                    format!("share {v} is out of range"),
                    Some("allowed: 0 to 1".into()),
                );
                ok = false;
            }
            out[i] = v;
            sum += v;
        }
        if ok && (sum - 1.0).abs() > 1e-6 {
            self.bad(
                path,
                format!("shares sum to {}, not 1", (sum * 1e9).round() / 1e9),
                Some(format!(
                    "the shares of {} must add up to 1",
                    names.join(", ")
                )),
            );
        }
        for name in names {
            map.entry(name.to_string()).or_insert(0.0);
        }
    }

    fn shares(&mut self, path: &str, s: &mut RawShares, default: &RawShares) -> Shares {
        let mut out = Shares {
            age: [0.0; 3],
            sex: [0.0; 2],
            occupation: [0.0; 4],
        };
        let empty = BTreeMap::new();
        self.categories(
            &join(path, "age"),
            &mut s.age,
            default.age.as_ref().unwrap_or(&empty),
            &AGE_BANDS,
            &mut out.age,
        );
        self.categories(
            &join(path, "sex"),
            &mut s.sex,
            default.sex.as_ref().unwrap_or(&empty),
            &SEXES,
            &mut out.sex,
        );
        self.categories(
            &join(path, "occupation"),
            &mut s.occupation,
            default.occupation.as_ref().unwrap_or(&empty),
            &OCCUPATIONS,
            &mut out.occupation,
        );
        out
    }

    fn check_regions(
        &mut self,
        raw: Option<&mut Vec<RawRegion>>,
        default: &Shares,
        scale: f64,
        model: Option<&'static dyn ModelDef>,
        models: &Models,
    ) -> Vec<Region> {
        let Some(raw) = raw.filter(|r| !r.is_empty()) else {
            self.bad(
                "regions",
                "a scenario needs at least one region",
                Some("add a [[regions]] table with name and population".into()),
            );
            return Vec::new();
        };
        if raw.len() > MAX_REGIONS {
            self.bad(
                "regions",
                format!("{} regions", raw.len()),
                Some(format!("allowed: at most {MAX_REGIONS}")),
            );
            return Vec::new();
        }
        let default_raw = RawShares {
            age: Some(
                AGE_BANDS
                    .iter()
                    .zip(default.age)
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
            ),
            sex: Some(
                SEXES
                    .iter()
                    .zip(default.sex)
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
            ),
            occupation: Some(
                OCCUPATIONS
                    .iter()
                    .zip(default.occupation)
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
            ),
        };
        let names: Vec<Option<String>> = raw.iter().map(|r| r.name.clone()).collect();
        let mut out = Vec::new();
        let mut total: u64 = 0;
        // The populations as the file gives them, to say what `scale` would do.
        let mut given: Vec<u64> = Vec::new();
        for (i, r) in raw.iter_mut().enumerate() {
            let path = format!("regions[{i}]");
            let name = r.name.clone().unwrap_or_default();
            if r.name.is_some() && names[..i].iter().any(|n| n.as_deref() == Some(&name)) {
                self.bad(
                    &join(&path, "name"),
                    format!("region `{name}` is listed twice"),
                    Some("region names must be unique".into()),
                );
            }
            if r.name.is_some() && name.is_empty() {
                self.bad(&join(&path, "name"), "empty region name", None);
            }
            if super::problem::printable(&name) != name.as_str() {
                self.bad(
                    &join(&path, "name"),
                    format!(
                        "region name `{}` holds control or text-direction characters",
                        super::problem::printable(&name)
                    ),
                    Some("names are printed on terminals and pages: use visible characters".into()),
                );
            }
            let persons = r
                .population
                .map_or(0, |p| (p as f64 * scale).round() as u64);
            // A region too large by `scale` alone is said once, of the whole, naming `scale`.
            if r.population.is_some()
                && persons > MAX_PEOPLE
                && (scale <= 1.0 || r.population.unwrap_or(0) > MAX_PEOPLE)
            {
                self.bad(
                    &join(&path, "population"),
                    format!("{persons} persons after scaling"),
                    Some(format!("allowed: at most {MAX_PEOPLE}")),
                );
            }
            total = total.saturating_add(persons);
            given.push(r.population.unwrap_or(0));
            let mut neighbours = Vec::new();
            for (j, n) in r.neighbours.get_or_insert_with(Vec::new).iter().enumerate() {
                match names.iter().position(|m| m.as_deref() == Some(n.as_str())) {
                    Some(k) if k == i => self.bad(
                        &format!("{path}.neighbours[{j}]"),
                        "a region cannot neighbour itself",
                        None,
                    ),
                    Some(k) => neighbours.push(k as u16),
                    None => self.unknown_region(&format!("{path}.neighbours"), n, &names),
                }
            }
            let shares = self.shares(
                &join(&path, "shares"),
                r.shares.get_or_insert_with(Default::default),
                &default_raw,
            );
            let fields = self.region_fields(&path, &mut r.fields, model, models, scale);
            let abroad = *r.abroad.get_or_insert(false);
            self.label(&join(&path, "label"), r.label.as_deref());
            out.push(Region {
                label: r.label.clone().unwrap_or_else(|| name.clone()),
                name,
                population: persons.min(u64::from(u32::MAX)) as u32,
                area_km2: r.area_km2,
                position: r.x.zip(r.y),
                neighbours,
                shares,
                fields,
                abroad,
            });
            if let Some(a) = r.area_km2 {
                if a <= 0.0 {
                    self.bad(
                        &join(&path, "area_km2"),
                        format!("{a} is out of range"),
                        Some("allowed: more than 0 km²".into()),
                    );
                }
            }
            if r.x.is_some() != r.y.is_some() {
                self.bad(&path, "a map position needs both `x` and `y`", None);
            }
        }
        let unscaled: f64 = given.iter().map(|&p| p as f64).sum();
        if total > MAX_PEOPLE {
            let help = if scale > 1.0 && unscaled > 0.0 {
                format!(
                    "allowed: at most {MAX_PEOPLE}; `scale` {} multiplies the file's {} persons: at most {} keeps them within it",
                    crate::scenario::check::shown(scale),
                    unscaled as u64,
                    crate::scenario::check::three_digits(MAX_PEOPLE as f64 / unscaled)
                )
            } else {
                format!("allowed: at most {MAX_PEOPLE}; lower `scale` to run a sample")
            };
            self.bad(
                "regions",
                format!("{total} persons in all after scaling"),
                Some(help),
            );
        } else if total == 0 && !out.is_empty() {
            let largest = given.iter().copied().max().unwrap_or(0);
            let help = if largest > 0 {
                format!(
                    "`scale` {} rounds every region to no one: at least {} keeps one person in the largest region",
                    crate::scenario::check::shown(scale),
                    crate::scenario::check::three_digits(0.5 / largest as f64)
                )
            } else {
                "raise a region's population or `scale`".into()
            };
            self.bad(
                "regions",
                "the population is empty after scaling",
                Some(help),
            );
        }
        out
    }

    /// The scenario's model's region fields for one region: each given one checked against its
    /// range, the others at their defaults (written into the resolved scenario, in the model's
    /// order); counts of persons scaled. A field of another model is refused.
    fn region_fields(
        &mut self,
        path: &str,
        given: &mut Vec<(&'static str, f64)>,
        model: Option<&'static dyn ModelDef>,
        models: &Models,
        scale: f64,
    ) -> Vec<(&'static str, f64)> {
        let Some(model) = model else {
            return Vec::new();
        };
        for &(key, _) in given.iter() {
            if model.region_fields().iter().any(|f| f.key == key) {
                continue;
            }
            let owner = models.owner_of_region_field(key).map_or("", |m| m.name());
            self.bad(
                &join(path, key),
                format!("`{key}` is a region field of `model = \"{owner}\"`"),
                Some(format!(
                    "remove it, or change `model` (this is `{}`)",
                    model.name()
                )),
            );
        }
        let mut resolved = Vec::new();
        let mut out = Vec::new();
        for f in model.region_fields() {
            let v = given
                .iter()
                .find(|(k, _)| *k == f.key)
                .map_or(f.default, |(_, v)| *v);
            self.range(&join(path, f.key), v, f.min, f.max, f.unit);
            resolved.push((f.key, v));
            out.push((f.key, if f.scaled { v * scale } else { v }));
        }
        *given = resolved;
        out
    }

    /// Reports an unknown region name, suggesting the closest known one.
    pub(crate) fn unknown_region(&mut self, path: &str, name: &str, names: &[Option<String>]) {
        let known: Vec<&str> = names.iter().flatten().map(String::as_str).collect();
        let best = known
            .iter()
            .map(|k| (strsim::jaro_winkler(name, k), *k))
            .filter(|(s, _)| *s > 0.8)
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let help = match best {
            Some((_, k)) => format!("did you mean `{k}`?"),
            None => format!("known regions: {}", known.join(", ")),
        };
        self.bad(path, format!("unknown region `{name}`"), Some(help));
    }
}
