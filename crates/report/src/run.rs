//! The report of one run.

use std::path::Path;

use base64::Engine as _;

use mobilize_core::model::ModelMeta;
use mobilize_core::scenario::map::MapSpec;
use mobilize_output::{layout, Manifest, RegionInfo};

use crate::data::{scenario, Table};
use crate::groups::{groups_led_by, label, map_families};
use crate::map::{self, Frame, Place};
use crate::page::Page;
use crate::svg::{number, Line, LineChart};
use crate::{timeline, ReportError};

/// A run's series, column by column.
#[derive(Clone, Debug)]
pub struct Series {
    /// Step of each row.
    pub steps: Vec<f64>,
    /// Date of each row, for dated runs.
    pub dates: Option<Vec<String>>,
    /// Column names (the model's, without `step` and `date`).
    pub names: Vec<String>,
    /// Values, `values[column][row]`.
    pub values: Vec<Vec<f64>>,
}

impl Series {
    /// From a `series.csv`.
    pub fn from_table(t: &Table) -> Series {
        let names: Vec<String> = t
            .names
            .iter()
            .filter(|n| *n != "step" && *n != "date")
            .cloned()
            .collect();
        Series {
            steps: t.numbers("step").unwrap_or_default(),
            dates: t.texts("date"),
            values: names
                .iter()
                .map(|n| t.numbers(n).unwrap_or_default())
                .collect(),
            names,
        }
    }

    /// The headline series (the first column).
    pub fn headline(&self) -> Option<&[f64]> {
        self.column(self.names.first()?)
    }

    /// The series the run's story is told by: the first of the model's `leads` that the run
    /// moved from zero, or the first column.
    pub fn lead<'a>(&'a self, meta: &'a ModelMeta) -> Option<&'a str> {
        meta.leads
            .iter()
            .find(|c| {
                self.column(c)
                    .is_some_and(|v| v.iter().any(|x| x.is_finite() && *x != 0.0))
            })
            .or(self.names.first())
            .map(String::as_str)
    }

    /// The values of column `name`.
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        let i = self.names.iter().position(|n| n == name)?;
        Some(&self.values[i])
    }
}

/// Tick labels for dated runs: the date of each step.
pub fn date_ticks(steps: &[f64], dates: Option<&Vec<String>>) -> Option<Vec<(f64, String)>> {
    let dates = dates?;
    if dates.iter().all(String::is_empty) {
        return None;
    }
    Some(
        steps
            .iter()
            .zip(dates)
            .map(|(s, d)| (*s, d.clone()))
            .collect(),
    )
}

/// The regions of a run: from its manifest, or, for folders written before manifests listed
/// regions, from its scenario (none when neither can be read).
pub fn regions(dir: &Path) -> Vec<RegionInfo> {
    let regions = Manifest::read(dir).map(|m| m.regions).unwrap_or_default();
    if regions.is_empty() {
        return scenario(dir)
            .map(|s| RegionInfo::of(&s))
            .unwrap_or_default();
    }
    regions
}

/// The regions of a run as map places, if every region has a position.
pub fn places(dir: &Path) -> Vec<Place> {
    let places: Option<Vec<Place>> = regions(dir)
        .into_iter()
        .map(|r| {
            r.position.map(|(x, y)| Place {
                label: r.shown().to_string(),
                name: r.name,
                x,
                y,
                population: f64::from(r.population),
            })
        })
        .collect();
    places.filter(|p| p.len() > 1).unwrap_or_default()
}

pub use crate::map::Geography;

/// The geography of the run in `dir`, if its scenario gave a map and every region a point.
pub fn geography(dir: &Path) -> Option<Geography> {
    let m = Manifest::read(dir).ok()?;
    geography_of(&m.regions, m.map.as_ref()?)
}

/// The map the dashboard draws (as large as the report's, with room for a legend and a note):
/// the regions' shapes projected, or `None` without a map or without a point for every region.
pub fn dashboard_map(regions: &[RegionInfo], spec: &MapSpec) -> Option<crate::map::Projected> {
    let g = geography_of(regions, spec)?;
    let places: Vec<Place> = regions
        .iter()
        .map(|r| {
            let (x, y) = r.position?;
            Some(Place {
                name: r.name.clone(),
                label: r.shown().to_string(),
                x,
                y,
                population: f64::from(r.population),
            })
        })
        .collect::<Option<_>>()?;
    Some(crate::map::project(
        &places,
        &g,
        crate::map::SIZE,
        crate::map::TOP,
        crate::map::BOTTOM,
    ))
}

/// The geography of `regions` on the map `spec` (their shapes, or schematic cells), if every
/// region has a point.
pub fn geography_of(regions: &[RegionInfo], spec: &MapSpec) -> Option<Geography> {
    let sites: Option<Vec<crate::cells::Site>> = regions
        .iter()
        .map(|r| {
            r.position.map(|(x, y)| crate::cells::Site {
                x,
                y,
                abroad: r.abroad,
            })
        })
        .collect();
    let sites = sites?;
    let shapes = crate::cells::regions(&sites, spec);
    let background = crate::cells::land(&spec.outline, &[]);
    let mut note = if spec.schematic() {
        "Schematic: each region is the land nearest its point, not its historical borders."
            .to_string()
    } else {
        String::new()
    };
    if let Some(c) = &spec.credit {
        if !note.is_empty() {
            note.push(' ');
        }
        note.push_str(c);
        note.push('.');
    }
    Some(Geography {
        shapes,
        background,
        note,
    })
}

/// The decisive period of a run, as rows of its series (first, last): from shortly before the
/// attack that ends it (the final offensive or an outside army: the `attack_step` figure) to
/// the end; without one, from where `key` (the run's lead) first reached a tenth of its peak to
/// shortly after the first of the model's key outcomes that the run reached (`outcomes`: the
/// figures giving their steps, such as `collapse_step`); without either, around the step of
/// the largest change of `key`. `None` when that period is most of the run (nothing to zoom
/// on).
pub fn climax(
    figures: &std::collections::BTreeMap<String, f64>,
    outcomes: &[mobilize_core::model::KeyOutcome],
    steps: &[f64],
    key: Option<&[f64]>,
) -> Option<(usize, usize)> {
    let n = steps.len();
    if n < 20 {
        return None;
    }
    let pad = (n / 200).max(3);
    let outcome = outcomes
        .iter()
        .filter_map(|o| figures.get(&o.figure).copied())
        .filter(|s| s.is_finite())
        .min_by(f64::total_cmp);
    let (a, b) = match (
        figures.get("attack_step").filter(|s| s.is_finite()),
        outcome,
    ) {
        (Some(&s), _) => {
            let at = steps.iter().position(|&t| t >= s)?;
            (at.saturating_sub(pad), n - 1)
        }
        (None, Some(s)) => {
            let at = steps.iter().position(|&t| t >= s).unwrap_or(n - 1);
            let rise = key.and_then(|v| {
                let peak = v[..=at].iter().copied().fold(0.0, f64::max);
                (peak > 0.0)
                    .then(|| v[..=at].iter().position(|&x| x >= 0.1 * peak))
                    .flatten()
            });
            let from = rise.unwrap_or(at).min(at.saturating_sub(pad));
            (from.saturating_sub(pad), (at + pad).min(n - 1))
        }
        (None, None) => {
            let v = key?;
            let (at, _) = v
                .windows(2)
                .enumerate()
                .map(|(k, w)| (k + 1, (w[1] - w[0]).abs()))
                .filter(|(_, d)| d.is_finite())
                .max_by(|x, y| x.1.total_cmp(&y.1))?;
            let w = (n / 50).max(pad);
            (at.saturating_sub(w), (at + w).min(n - 1))
        }
    };
    (b - a < n * 3 / 5).then_some((a, b))
}

/// The decisive period of the finished run in `dir` as (first, last) step (see [`climax`]),
/// for the dashboard's zoomed chart.
pub fn decisive_steps(dir: &Path) -> Option<(f64, f64)> {
    let m = Manifest::read(dir).ok()?;
    let series =
        Series::from_table(&Table::read(&dir.join(layout::table(layout::SERIES, "csv"))).ok()?);
    let meta = m.model.clone().unwrap_or_else(|| meta(dir));
    let key = series.lead(&meta).and_then(|c| series.column(c));
    let (a, b) = climax(&m.figures, &meta.outcomes, &series.steps, key)?;
    Some((series.steps[a], series.steps[b]))
}

/// What the run in `dir` says about its model (chart groups, maps, lattice): from its
/// manifest, or, for folders written before manifests carried it, from its scenario.
pub fn meta(dir: &Path) -> ModelMeta {
    if let Some(m) = Manifest::read(dir).ok().and_then(|m| m.model) {
        return m;
    }
    scenario(dir).map_or_else(|_| ModelMeta::default(), |s| s.model.meta(&s))
}

/// The scenario's description: from the manifest, or, for folders written before manifests
/// carried it, from the scenario (if the built-in models can read it).
pub fn description(dir: &Path, m: &Manifest) -> Option<String> {
    let d = if m.description.is_empty() && m.timeline.is_empty() {
        scenario(dir).ok()?.description
    } else {
        m.description.clone()
    };
    (!d.is_empty()).then_some(d)
}

/// The scenario's timeline: from the manifest, or, for folders written before manifests
/// carried it, from the scenario (if the built-in models can read it).
pub fn timeline(dir: &Path, m: &Manifest) -> Vec<mobilize_output::TimelineMark> {
    if !m.timeline.is_empty() || !m.description.is_empty() {
        return m.timeline.clone();
    }
    scenario(dir)
        .map(|s| mobilize_output::TimelineMark::of(&s))
        .unwrap_or_default()
}

/// A figure's name as words: its identifier with spaces, a date in it written as a date
/// (`collapsed_on_1945_08_15` → "collapsed on 1945-08-15"). (Series labels are not used: they
/// are written for a chart's legend, where "in all" means the chart's subject.)
fn figure_name(k: &str) -> String {
    let parts: Vec<&str> = k.split('_').collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < parts.len() {
        let date = parts.get(i..i + 3).filter(|p| {
            p[0].len() == 4
                && p[1].len() == 2
                && p[2].len() == 2
                && p.iter().all(|x| x.bytes().all(|b| b.is_ascii_digit()))
        });
        match date {
            Some(p) => {
                out.push(format!("{}-{}-{}", p[0], p[1], p[2]));
                i += 3;
            }
            None => {
                out.push(parts[i].to_string());
                i += 1;
            }
        }
    }
    out.join(" ")
}

/// Which of a page's maps [`add_maps`] adds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Maps {
    /// Every one.
    All,
    /// The first (the story's: it opens the report).
    First,
    /// All but the first.
    Rest,
}

/// What a page's maps are drawn from: the run's (or median's) series and its regions.
pub struct MapData<'a> {
    /// The model's description (map families, labels, units).
    pub meta: &'a ModelMeta,
    /// The series' columns.
    pub names: &'a [String],
    /// The regions on the map.
    pub places: &'a [Place],
    /// Rows of the series.
    pub rows: usize,
    /// The date (or step) of a row, as the slider shows it.
    pub label: &'a dyn Fn(usize) -> String,
    /// The value of a column at a row.
    pub value: &'a dyn Fn(&str, usize) -> f64,
    /// The regions' shapes, if the run has a map.
    pub geography: Option<&'a Geography>,
    /// The decisive period's rows, which the slider steps through one by one.
    pub focus: Option<(usize, usize)>,
}

/// Adds a map per family of the model's to `page`; `note` follows the explanation.
pub fn add_maps(page: &mut Page, d: &MapData<'_>, note: &str, which: Maps) {
    let MapData {
        meta,
        names,
        places,
        rows,
        label,
        value,
        geography,
        focus,
    } = *d;
    let regions: Vec<String> = places.iter().map(|p| p.name.clone()).collect();
    let mut families = map_families(names, &regions, &meta.maps);
    match which {
        Maps::All => {}
        Maps::First => families.truncate(1),
        Maps::Rest => {
            if !families.is_empty() {
                families.remove(0);
            }
        }
    }
    if families.is_empty() || rows == 0 {
        return;
    }
    page.heading(match which {
        Maps::First => "Map",
        Maps::Rest => "More maps",
        Maps::All => "Regions",
    });
    let how = match geography {
        Some(g) => format!(
            "Each region is coloured by its value. {}Drag the slider or press play to move through time.",
            if g.note.is_empty() { String::new() } else { format!("{} ", g.note) }
        ),
        None => "Each circle is a region at the scenario's coordinates, its area proportional to its population; drag the slider or press play to move through time.".to_string(),
    };
    page.text("muted", &format!("{how} {note}"));
    for (family, fraction) in families {
        let shown = if fraction {
            Shown::Fraction
        } else {
            Shown::ShareOfPeople
        };
        let (frames, max) = family_frames(&family, shown, places, rows, label, value, focus);
        let title = if fraction {
            family.clone()
        } else {
            format!("{family} (share of the region's people)")
        };
        let id = format!("map-{family}");
        let svg = map_svg(&id, &title, places, geography, &frames, max);
        let data = map::data_json(places, &frames, max);
        page.map(&id, &id, svg, &data, frames.len());
    }
}

/// How a family's values are coloured on a map.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shown {
    /// Already fractions (control): scale 0 to 1.
    Fraction,
    /// Counts of persons: shares of each region's people, scale 0 to the largest reached.
    ShareOfPeople,
    /// Other counts (committees): as they are, scale 0 to the largest reached.
    Counted,
}

/// A family's map frames at the rows the slider steps through, and the colour scale's maximum.
fn family_frames(
    family: &str,
    shown: Shown,
    places: &[Place],
    rows: usize,
    label: &dyn Fn(usize) -> String,
    value: &dyn Fn(&str, usize) -> f64,
    focus: Option<(usize, usize)>,
) -> (Vec<Frame>, f64) {
    let frames: Vec<Frame> = map::frame_indices_with(rows, focus)
        .into_iter()
        .map(|row| Frame {
            label: label(row),
            values: places
                .iter()
                .map(|p| {
                    let v = value(&format!("{family}.{}", p.name), row);
                    match shown {
                        Shown::ShareOfPeople => v / p.population.max(1.0),
                        Shown::Fraction | Shown::Counted => v,
                    }
                })
                .collect(),
        })
        .collect();
    let max = if shown == Shown::Fraction {
        1.0
    } else {
        frames
            .iter()
            .flat_map(|f| f.values.iter().copied())
            .filter(|v| v.is_finite())
            .fold(1e-9, f64::max)
    };
    (frames, max)
}

/// One more map whose menu picks any other per-region series of the run (members, fighters,
/// arrested … by region), so that every such series can be seen as a map, not only the
/// model's map families.
fn add_menu_map(page: &mut Page, d: &MapData<'_>) {
    let MapData {
        meta,
        names,
        places,
        rows,
        label,
        value,
        geography,
        focus,
    } = *d;
    let regions: Vec<String> = places.iter().map(|p| p.name.clone()).collect();
    let families = crate::groups::other_families(names, &regions, meta);
    if families.is_empty() || rows == 0 {
        return;
    }
    page.heading("Any series by region");
    page.text(
        "muted",
        "Choose a series in the menu: counts of persons are shown as shares of each region's people.",
    );
    let id = "map-any";
    let mut entries = Vec::new();
    let mut first = None;
    for family in &families {
        let name = meta.labels.get(family).unwrap_or(family);
        let (shown, title) = match meta.unit_of(family).unwrap_or("persons") {
            "fraction" => (Shown::Fraction, name.clone()),
            "persons" => (
                Shown::ShareOfPeople,
                format!("{name} (share of the region's people)"),
            ),
            unit => (Shown::Counted, format!("{name} ({unit})")),
        };
        let (frames, max) = family_frames(family, shown, places, rows, label, value, focus);
        entries.push((title.clone(), map::menu_json(places, &frames, max, &title)));
        if first.is_none() {
            first = Some((title, frames, max));
        }
    }
    let Some((title, frames, max)) = first else {
        return;
    };
    let svg = map_svg(id, &title, places, geography, &frames, max);
    page.map_menu(id, svg, &entries, frames.len());
}

/// A map's picture: the regions' shapes where the run has a geography, else circles.
fn map_svg(
    id: &str,
    title: &str,
    places: &[Place],
    geography: Option<&Geography>,
    frames: &[Frame],
    max: f64,
) -> String {
    match geography {
        Some(g) if g.shapes.len() == places.len() => {
            map::svg_shapes(id, title, places, g, frames, max)
        }
        _ => map::svg(id, title, places, frames, max),
    }
}

/// The page of the run in `dir`.
pub fn page(dir: &Path) -> Result<Page, ReportError> {
    let m = Manifest::read(dir).map_err(|e| crate::ReportError::Read {
        path: dir.join(layout::MANIFEST),
        reason: e.to_string(),
    })?;
    let mut meta = match &m.model {
        Some(meta) => meta.clone(),
        None => meta(dir),
    };
    if meta.figures.is_empty() {
        // Folders written before models described their figures.
        meta.figures = self::meta(dir).figures;
    }
    let mut page = Page::new(&format!("{}: run report", m.scenario));
    if let Some(summary) = &m.summary {
        page.text("lead", summary);
    }
    // The counts above are of the persons simulated: say how they relate to the whole.
    if let Some(scale) = m.scale.filter(|&s| s != 1.0 && m.persons > 0) {
        let whole = if scale < 1.0 {
            format!(
                "; × {} for the whole population",
                mobilize_core::text::human(1.0 / scale)
            )
        } else {
            String::new()
        };
        page.text(
            "muted",
            &format!(
                "Scale {scale}: {} persons simulated, and the counts here are of them{whole}.",
                mobilize_core::text::human(m.persons as f64)
            ),
        );
    }
    if let Some(d) = description(dir, &m) {
        page.text("muted", &d);
    }
    for w in &m.warnings {
        page.text("warning", &format!("Warning: {w}"));
    }
    let series = Series::from_table(&Table::read(
        &dir.join(layout::table(layout::SERIES, "csv")),
    )?);
    let x_label = if series.dates.is_some() {
        "date"
    } else {
        "step"
    };
    // The timeline's events, marked on the charts (hover for what and when).
    let marks: Vec<(f64, String)> = timeline(dir, &m)
        .into_iter()
        .map(|e| {
            let when = e.date.unwrap_or_else(|| format!("step {}", e.step));
            (
                f64::from(e.step),
                format!("{when}: {}", e.kind.replace('_', " ")),
            )
        })
        .collect();
    let regions = regions(dir);
    // A chart of group `g` over rows `a..=b` of the series.
    let chart_of = |g: &crate::groups::Group, title: String, a: usize, b: usize| {
        LineChart {
            title,
            x_label: x_label.into(),
            y_label: g.unit.clone(),
            lines: g
                .columns
                .iter()
                .enumerate()
                .filter_map(|(k, c)| {
                    // The headline's first line is the whole its parts by region add up to.
                    let name = match label(&meta, &regions, c) {
                        l if k == 0 && g.stem == "headline" && g.columns.len() > 1 => {
                            format!("{l}, in all")
                        }
                        l => l,
                    };
                    Some(Line {
                        name,
                        column: c.clone(),
                        points: series.steps[a..=b]
                            .iter()
                            .copied()
                            .zip(series.column(c)?[a..=b].iter().copied())
                            .collect(),
                        ..Line::default()
                    })
                })
                .collect(),
            x_text: date_ticks(
                &series.steps[a..=b],
                series.dates.as_ref().map(|d| d[a..=b].to_vec()).as_ref(),
            ),
            marks: marks.clone(),
            ..LineChart::default()
        }
        .svg()
    };
    let last_row = series.steps.len().saturating_sub(1);
    // The story's series leads: the rising where there was one.
    let lead = series.lead(&meta).unwrap_or_default().to_string();
    let all_groups = groups_led_by(&series.names, &meta, &lead);
    let charts: Vec<(String, String)> = if series.steps.is_empty() {
        Vec::new()
    } else {
        all_groups
            .iter()
            .map(|g| (g.stem.clone(), chart_of(g, g.title.clone(), 0, last_row)))
            .collect()
    };
    let places = places(dir);
    let label = |row: usize| match &series.dates {
        Some(d) if !d[row].is_empty() => d[row].clone(),
        _ => format!("step {}", series.steps[row]),
    };
    let value = |c: &str, row: usize| series.column(c).map_or(f64::NAN, |v| v[row]);
    let geo = geography(dir);
    let key_group = all_groups.first();
    let focus = climax(
        &m.figures,
        &meta.outcomes,
        &series.steps,
        series.column(&lead),
    );
    let data = MapData {
        meta: &meta,
        names: &series.names,
        places: &places,
        rows: series.steps.len(),
        label: &label,
        value: &value,
        geography: geo.as_ref(),
        focus,
    };
    let maps = |page: &mut Page, which: Maps| {
        add_maps(page, &data, "", which);
    };
    // The story first: the key chart and the map, then the rest; the run's details at the end.
    let mut rest = charts.into_iter();
    if let Some((stem, svg)) = rest.next() {
        page.chart(&stem, svg);
    }
    // The decisive period, zoomed: on the whole run's axis it is the last few pixels.
    if let (Some((a, b)), Some(g)) = (focus, key_group) {
        page.heading("The decisive days");
        page.text(
            "muted",
            &format!(
                "From {} to {}: {} steps of {}, where the whole-run chart above has a few pixels; the map below moves step by step here.",
                label(a),
                label(b),
                b - a + 1,
                series.steps.len()
            ),
        );
        // The lead, and the groups the model names for these days (control).
        let also = all_groups
            .iter()
            .filter(|h| meta.decisive.contains(&h.stem) && h.stem != g.stem);
        for h in std::iter::once(g).chain(also) {
            let title = format!("{}, {} to {}", h.title, label(a), label(b));
            page.chart(&format!("{}-decisive", h.stem), chart_of(h, title, a, b));
        }
        // What happened on those days, on their own axis.
        if let Ok(events) = Table::read(&dir.join(layout::table(layout::EVENTS, "csv"))) {
            // The window's own dates, so that its axis has ticks inside it.
            let window: Option<Vec<String>> = series.dates.as_ref().map(|d| d[a..=b].to_vec());
            let dates = date_ticks(&series.steps[a..=b], window.as_ref());
            let (first, last) = (series.steps[a], series.steps[b]);
            let title = format!("Events, {} to {}", label(a), label(b));
            if let Some(svg) = timeline::window(&events, first, last, dates.as_deref(), &title) {
                page.chart("timeline-decisive", svg);
            }
        }
    }
    maps(&mut page, Maps::First);
    page.heading("Series");
    for (stem, svg) in rest {
        page.chart(&stem, svg);
    }
    maps(&mut page, Maps::Rest);
    if !places.is_empty() {
        add_menu_map(&mut page, &data);
    }

    if let Ok(events) = Table::read(&dir.join(layout::table(layout::EVENTS, "csv"))) {
        let last = series.steps.last().copied().unwrap_or(0.0);
        let dates = date_ticks(&series.steps, series.dates.as_ref());
        if let Some(svg) = timeline::svg(&events, last, dates.as_deref()) {
            page.heading("Events");
            page.chart("timeline", svg);
        }
    }
    if !m.figures.is_empty() {
        page.heading("Figures");
        // The model's key outcomes first (`collapse_step`, `concession_step`), then the rest
        // by name; names read as words, dates in them as dates.
        let key = |k: &str| meta.outcomes.iter().position(|o| o.figure == k);
        let mut names: Vec<&String> = m.figures.keys().collect();
        names.sort_by_key(|k| (key(k).unwrap_or(usize::MAX), *k));
        let rows: Vec<Vec<String>> = names
            .into_iter()
            .map(|k| {
                let v = m.figures[k];
                let shown = if v.is_finite() && v.fract() == 0.0 && v.abs() >= 1000.0 {
                    mobilize_core::text::human(v)
                } else {
                    number(v)
                };
                let value = match m.dates.get(k) {
                    Some(d) => format!("{shown} ({d})"),
                    None => shown,
                };
                let (unit, what) = match meta.figure_doc(k) {
                    Some((d, Some(date))) => (
                        d.unit.clone(),
                        format!("{} on {date}.", d.description.trim_end_matches('.')),
                    ),
                    Some((d, None)) => (d.unit.clone(), d.description.clone()),
                    None => (String::new(), String::new()),
                };
                vec![figure_name(k), value, unit, what]
            })
            .collect();
        page.table(&["figure", "value", "unit", "what it is"], &rows);
    }

    let mut pictures: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    pictures.retain(|f| layout::lattice_picture_step(f).is_some());
    pictures.sort();
    if !pictures.is_empty() {
        page.heading("Lattice");
        if let Ok(legend) = std::fs::read_to_string(dir.join(layout::LATTICE_LEGEND)) {
            page.text("muted", &legend.lines().collect::<Vec<_>>().join("; "));
        }
        let mut html = String::new();
        for p in &pictures {
            let bytes = std::fs::read(dir.join(p)).map_err(|e| ReportError::Read {
                path: dir.join(p),
                reason: e.to_string(),
            })?;
            let step = layout::lattice_picture_step(p).unwrap_or(0);
            html.push_str(&format!(
                r#"<figure style="display:inline-block"><img class="lattice" alt="lattice at step {s}" src="data:image/png;base64,{b}"/><figcaption>step {s}</figcaption></figure>"#,
                s = step,
                b = base64::engine::general_purpose::STANDARD.encode(bytes)
            ));
        }
        page.html(&html);
    }

    page.heading("Run details");
    let or_null = |v: Option<String>| v.unwrap_or_else(|| "null".into());
    let status = serde_json::to_value(m.status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let facts: Vec<Vec<String>> = [
        ("seed", m.seed.to_string()),
        ("persons", m.persons.to_string()),
        ("ties", m.ties.to_string()),
        (
            "last step",
            or_null(m.last_step.map(|s| match m.dates.get("last_step") {
                Some(d) => format!("{s} ({d})"),
                None => s.to_string(),
            })),
        ),
        (
            "stopped because",
            m.stop_reason.clone().unwrap_or_default().replace('_', " "),
        ),
        ("status", status),
        ("overrides", m.overrides.join(" ")),
        ("scenario source", m.scenario_source.clone()),
        (
            "mobilize",
            format!("{} ({})", m.mobilize_version, m.git_commit),
        ),
        ("started", m.started_at.clone()),
        ("run time", format!("{:.2} s", m.timings.total_s)),
    ]
    .into_iter()
    .map(|(k, v)| vec![k.to_string(), v])
    .collect();
    page.table(&["", "value"], &facts);
    page.heading("Files");
    page.text("muted", "series.csv / series.parquet: one row per step; events.csv / events.parquet: the event log; scenario.toml: the resolved scenario (re-runs to the same results); manifest.json: what ran and how it ended; charts/: these charts as SVG.");
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mobilize_core::model::KeyOutcome;
    use std::collections::BTreeMap;

    fn outcome(figure: &str) -> KeyOutcome {
        KeyOutcome {
            figure: figure.into(),
            happened: String::new(),
        }
    }

    #[test]
    fn figure_names_read_as_words_with_dates_as_dates() {
        assert_eq!(
            figure_name("collapsed_on_1945_08_15"),
            "collapsed on 1945-08-15"
        );
        assert_eq!(figure_name("killed_ruling"), "killed ruling");
    }

    #[test]
    fn the_lead_is_the_first_named_series_the_run_moved() {
        let series = Series {
            steps: vec![0.0, 1.0],
            dates: None,
            names: vec!["organized".into(), "risen".into()],
            values: vec![vec![5.0, 6.0], vec![0.0, 0.0]],
        };
        let meta = ModelMeta {
            leads: vec!["risen".into(), "organized".into()],
            ..ModelMeta::default()
        };
        assert_eq!(series.lead(&meta), Some("organized"), "nobody rose");
        let risen = Series {
            values: vec![vec![5.0, 6.0], vec![0.0, 3.0]],
            ..series.clone()
        };
        assert_eq!(risen.lead(&meta), Some("risen"));
        assert_eq!(risen.lead(&ModelMeta::default()), Some("organized"));
    }

    /// A run of 1,000 steps whose rising starts at step 700 and ends in a concession at 760
    /// zooms on 700 to 760 (with a few steps either side), not on the largest change of an
    /// earlier series; with an offensive, from the attack to the end, as before.
    #[test]
    fn the_decisive_days_run_from_the_rising_to_the_outcome() {
        let steps: Vec<f64> = (0..1000).map(f64::from).collect();
        let risen: Vec<f64> = steps
            .iter()
            .map(|&t| {
                if (700.0..=770.0).contains(&t) {
                    t - 690.0
                } else {
                    0.0
                }
            })
            .collect();
        let outcomes = [outcome("collapse_step"), outcome("concession_step")];
        let mut figures = BTreeMap::new();
        figures.insert("concession_step".to_string(), 760.0);
        let (a, b) = climax(&figures, &outcomes, &steps, Some(&risen)).unwrap();
        assert!((690..=700).contains(&a), "{a}");
        assert!((760..=770).contains(&b), "{b}");
        // An earlier outcome is the one told.
        figures.insert("collapse_step".to_string(), 740.0);
        let (_, b) = climax(&figures, &outcomes, &steps, Some(&risen)).unwrap();
        assert!((740..=750).contains(&b), "{b}");
        figures.insert("attack_step".to_string(), 900.0);
        let (a, b) = climax(&figures, &outcomes, &steps, Some(&risen)).unwrap();
        assert!((890..=900).contains(&a) && b == 999, "{a} {b}");
        // No outcome and no attack: around the largest change.
        let (a, b) = climax(&BTreeMap::new(), &outcomes, &steps, Some(&risen)).unwrap();
        assert!(a < 771 && b > 771, "{a} {b}");
    }
}
