//! Reports of experiments: ensembles (bands), sweeps (responses), comparisons (paired
//! differences).

use std::collections::BTreeMap;
use std::path::Path;

use mobilize_core::stats::quantile;
use mobilize_output::experiment::ExperimentManifest;

use crate::data::Table;
use crate::groups::{groups, label};
use crate::page::Page;
use crate::run::{add_maps, geography, meta, places, regions, MapData, Maps};
use crate::svg::{heat_map, number, Line, LineChart};
use crate::ReportError;

/// Bands of one arm: per series, (step, p05, median, p95) rows.
type Bands = BTreeMap<String, Vec<(f64, f64, f64, f64)>>;

/// What `bands.csv` holds: bands per arm, series names in order, the date of each step.
type BandsFile = (BTreeMap<String, Bands>, Vec<String>, Vec<String>);

/// Reads `bands.csv` into one [`Bands`] per arm (one arm, `""`, for ensembles), with the date
/// of each step when the runs are dated.
fn read_bands(dir: &Path) -> Result<BandsFile, ReportError> {
    let t = Table::read(&dir.join("bands.csv"))?;
    let arm = t.texts("arm");
    let series = t.texts("series").unwrap_or_default();
    let steps = t.numbers("step").unwrap_or_default();
    let dates = t.texts("date");
    let (p05, med, p95) = (
        t.numbers("p05").unwrap_or_default(),
        t.numbers("median").unwrap_or_default(),
        t.numbers("p95").unwrap_or_default(),
    );
    let mut out: BTreeMap<String, Bands> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut date_of: Vec<String> = Vec::new();
    for i in 0..series.len() {
        let a = arm.as_ref().map_or(String::new(), |a| a[i].clone());
        if !order.contains(&series[i]) {
            order.push(series[i].clone());
        }
        if let Some(d) = &dates {
            let s = steps[i] as usize;
            if date_of.len() <= s {
                date_of.resize(s + 1, String::new());
            }
            date_of[s] = d[i].clone();
        }
        out.entry(a)
            .or_default()
            .entry(series[i].clone())
            .or_default()
            .push((steps[i], p05[i], med[i], p95[i]));
    }
    Ok((out, order, date_of))
}

/// The outcome in words, counted over runs: first the model's key outcomes with their 95 %
/// intervals ("The ruling system collapsed in 20 of 20 runs of arm a (…) and in 0 of 20 runs
/// of arm b"), then each other figure that some runs report and others do not, then how each
/// group of runs (an arm, or all) stopped.
fn outcome_lead(
    summary: &Table,
    m: &ExperimentManifest,
    meta: &mobilize_core::model::ModelMeta,
) -> Vec<String> {
    let arms: Vec<String> = match summary.texts("arm") {
        Some(a) => a,
        None => vec![String::new(); summary.rows.len()],
    };
    let mut groups: Vec<String> = Vec::new();
    for a in &arms {
        if !groups.contains(a) {
            groups.push(a.clone());
        }
    }
    let describe = |g: &str| -> String {
        if g.is_empty() {
            return String::new();
        }
        let sets = m
            .points
            .iter()
            .find(|p| p.label == g)
            .map(|p| p.sets.join(" "))
            .unwrap_or_default();
        if sets.is_empty() {
            format!(" of arm {g} (the scenario as it is)")
        } else {
            format!(" of arm {g} ({sets})")
        }
    };
    let of = |g: &str| arms.iter().filter(|a| *a == g).count();
    let reported = |col: usize| -> Vec<usize> {
        groups
            .iter()
            .map(|g| {
                summary
                    .rows
                    .iter()
                    .zip(&arms)
                    .filter(|(r, a)| *a == g && r.get(col).is_some_and(|v| !v.is_empty()))
                    .count()
            })
            .collect()
    };
    let mut lines = Vec::new();
    // The model's key outcomes first, counted with their 95 % intervals: "The ruling system
    // collapsed in 20 of 20 runs of arm a (…; 95 % interval 84 to 100 %) and in 0 of 20 …".
    let mut told: Vec<Vec<usize>> = Vec::new();
    for o in &meta.outcomes {
        // A figure no run reported has no column: it happened in none of them, which is
        // worth saying as much as any other count.
        let counts = match summary.index(&o.figure) {
            Some(col) => reported(col),
            None => vec![0; groups.len()],
        };
        let parts: Vec<String> = groups
            .iter()
            .zip(&counts)
            .map(|(g, &k)| {
                let (lo, hi) = mobilize_core::stats::wilson_interval(k, of(g));
                format!(
                    "{k} of {} runs{} (95 % interval {:.0} to {:.0} %)",
                    of(g),
                    describe(g),
                    100.0 * lo,
                    100.0 * hi
                )
            })
            .collect();
        let list = match parts.split_last() {
            Some((last, rest)) if !rest.is_empty() => {
                format!("{} and in {last}", rest.join(", in "))
            }
            _ => parts.join(""),
        };
        lines.push(format!("{} in {list}.", o.happened));
        told.push(counts);
    }
    // Figures that come and go together (a collapse's step, day count, share) share a line.
    let mut by_counts: Vec<(Vec<usize>, Vec<String>)> = Vec::new();
    for name in figure_names(summary) {
        let Some(col) = summary.index(&name) else {
            continue;
        };
        let counts = reported(col);
        // Those that come and go with a key outcome (a collapse's step and day count) were
        // told with it.
        if told.contains(&counts) {
            continue;
        }
        let all_or_none = groups
            .iter()
            .zip(&counts)
            .all(|(g, &c)| c == of(g) || c == 0)
            && counts.windows(2).all(|w| w[0] == w[1]);
        if all_or_none && groups.len() > 1 {
            continue;
        }
        if groups.len() == 1 && (counts[0] == of(&groups[0]) || counts[0] == 0) {
            continue;
        }
        let label = name.replace('_', " ");
        match by_counts.iter_mut().find(|(c, _)| *c == counts) {
            Some((_, names)) => names.push(label),
            None => by_counts.push((counts, vec![label])),
        }
    }
    for (counts, names) in by_counts {
        let parts: Vec<String> = groups
            .iter()
            .zip(&counts)
            .map(|(g, c)| format!("{c} of {} runs{}", of(g), describe(g)))
            .collect();
        let named = match names.len() {
            1 => names[0].clone(),
            2 => format!("{} and {}", names[0], names[1]),
            n => format!("{}, {} and {} more figures", names[0], names[1], n - 2),
        };
        lines.push(format!("{named}: reported in {}.", parts.join(", ")));
    }
    if let Some(reasons) = summary.texts("stop_reason") {
        let parts: Vec<String> = groups
            .iter()
            .map(|g| {
                let mut counted: Vec<(String, usize)> = Vec::new();
                for (r, a) in reasons.iter().zip(&arms) {
                    if a == g {
                        match counted.iter_mut().find(|(k, _)| k == r) {
                            Some((_, n)) => *n += 1,
                            None => counted.push((r.clone(), 1)),
                        }
                    }
                }
                let list: Vec<String> = counted
                    .iter()
                    .map(|(k, n)| format!("{} {n}", k.replace('_', " ")))
                    .collect();
                format!("{}{}", list.join(", "), describe(g))
            })
            .collect();
        lines.push(format!("Runs ended by: {}.", parts.join("; ")));
    }
    lines
}

fn facts(page: &mut Page, m: &ExperimentManifest) {
    let rows: Vec<Vec<String>> = [
        ("kind", m.kind.as_str().to_string()),
        ("runs", m.runs.to_string()),
        ("replicates per point", m.replicates.to_string()),
        ("design points", m.points.len().to_string()),
        ("base seed", m.base_seed.to_string()),
        ("command", m.command.join(" ")),
        ("attempts", m.attempts.to_string()),
        (
            "mobilize",
            format!("{} ({})", m.mobilize_version, m.git_commit),
        ),
        ("started", m.started_at.clone()),
    ]
    .into_iter()
    .map(|(k, v)| vec![k.to_string(), v])
    .collect();
    page.table(&["", "value"], &rows);
}

/// Figure columns of `summary.csv`: those after `last_step`.
fn figure_names(t: &Table) -> Vec<String> {
    let start = t.index("last_step").map_or(t.names.len(), |i| i + 1);
    t.names[start..].to_vec()
}

/// One row per figure: its name, unit (as the model declares it), runs that have it, and its
/// distribution over them.
fn distribution_rows(
    t: &Table,
    rows: &[usize],
    meta: &mobilize_core::model::ModelMeta,
) -> Vec<Vec<String>> {
    figure_names(t)
        .iter()
        .map(|f| {
            let all = t.numbers(f).unwrap_or_default();
            let mut v: Vec<f64> = rows
                .iter()
                .map(|&r| all[r])
                .filter(|x| x.is_finite())
                .collect();
            let n = v.len();
            let mean = v.iter().sum::<f64>() / n.max(1) as f64;
            let sd = if n > 1 {
                (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt()
            } else {
                f64::NAN
            };
            let r3 = |x: f64| {
                if x.is_finite() {
                    number((x * 1000.0).round() / 1000.0)
                } else {
                    "–".into()
                }
            };
            let unit = meta
                .figure_doc(f)
                .map_or(String::new(), |(d, _)| d.unit.clone());
            vec![
                f.replace('_', " "),
                unit,
                format!("{n} of {}", rows.len()),
                r3(if n > 0 { mean } else { f64::NAN }),
                r3(sd),
                r3(quantile(&mut v, 0.05)),
                r3(quantile(&mut v, 0.5)),
                r3(quantile(&mut v, 0.95)),
            ]
        })
        .collect()
}

/// Band charts: one per group, arms overlaid (solid a, dashed b).
fn band_charts(
    page: &mut Page,
    meta: &mobilize_core::model::ModelMeta,
    regions: &[mobilize_output::RegionInfo],
    arms: &BTreeMap<String, Bands>,
    order: &[String],
    dates: &[String],
) {
    let ticks = (!dates.is_empty() && dates.iter().any(|d| !d.is_empty())).then(|| {
        dates
            .iter()
            .enumerate()
            .map(|(s, d)| (s as f64, d.clone()))
            .collect::<Vec<_>>()
    });
    let two = arms.len() > 1;
    for g in groups(order, meta) {
        // The series an ensemble's chart shows (at most eight); with two arms, four to a
        // chart, so that each holds at most eight lines and no series is left out.
        let shown: Vec<&String> = g.columns.iter().take(8).collect();
        let per = if two { 4 } else { 8 };
        let parts = shown.len().div_ceil(per).max(1);
        for (part, cols) in shown.chunks(per).enumerate() {
            let mut lines = Vec::new();
            let mut colours = Vec::new();
            for (a, (arm, bands)) in arms.iter().enumerate() {
                for (k, c) in cols.iter().enumerate() {
                    let Some(rows) = bands.get(*c) else { continue };
                    lines.push(Line {
                        name: if two {
                            format!("{} ({arm})", label(meta, regions, c))
                        } else {
                            label(meta, regions, c)
                        },
                        column: c.to_string(),
                        points: rows.iter().map(|r| (r.0, r.2)).collect(),
                        band: rows.iter().map(|r| (r.0, r.1, r.3)).collect(),
                        dashed: a == 1,
                    });
                    colours.push(k);
                }
            }
            let (title, stem) = if parts > 1 {
                (
                    format!(
                        "{} ({} of {parts}) — median and 5–95 % band",
                        g.title,
                        part + 1
                    ),
                    format!("bands-{}-{}", g.stem, part + 1),
                )
            } else {
                (
                    format!("{} — median and 5–95 % band", g.title),
                    format!("bands-{}", g.stem),
                )
            };
            let chart = LineChart {
                title,
                x_label: if ticks.is_some() { "date" } else { "step" }.into(),
                y_label: g.unit.clone(),
                lines,
                x_text: ticks.clone(),
                colours,
                dots: false,
                marks: Vec::new(),
            };
            page.chart(&stem, chart.svg());
        }
    }
}

/// The outcome of the experiment in `dir` in a few sentences, as its report opens (for the
/// terminal); empty when its files cannot be read.
pub fn lead(dir: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(dir.join(mobilize_output::layout::EXPERIMENT)) else {
        return Vec::new();
    };
    let (Ok(m), Ok(summary)) = (
        ExperimentManifest::from_json(&text),
        Table::read(&dir.join("summary.csv")),
    ) else {
        return Vec::new();
    };
    outcome_lead(&summary, &m, &meta(&dir.join("runs").join("000000")))
}

/// The page of the experiment in `dir`.
pub fn page(dir: &Path) -> Result<Page, ReportError> {
    let path = dir.join(mobilize_output::layout::EXPERIMENT);
    let read_error = |reason: String| ReportError::Read {
        path: path.clone(),
        reason,
    };
    let text = std::fs::read_to_string(&path).map_err(|e| read_error(e.to_string()))?;
    let m = ExperimentManifest::from_json(&text).map_err(|e| read_error(e.to_string()))?;
    let kind = m.kind.as_str().to_string();
    let scenario = m.scenario.as_str();
    let mut page = Page::new(&format!("{scenario}: {kind} report"));
    let first_run = dir.join("runs").join("000000");
    let summary = Table::read(&dir.join("summary.csv"))?;
    // The outcome first, counted; the experiment's details at the end.
    for line in outcome_lead(&summary, &m, &meta(&first_run)) {
        page.text("lead", &line);
    }
    if let Some(d) = mobilize_output::Manifest::read(&first_run)
        .ok()
        .and_then(|rm| crate::run::description(&first_run, &rm))
    {
        page.text("muted", &d);
    }
    match kind.as_str() {
        "compare" => compare(&mut page, dir, &m)?,
        "sweep" => sweep(&mut page, &m, &summary),
        _ => {
            page.heading("Figures over replicates");
            let meta = meta(&first_run);
            let all: Vec<usize> = (0..summary.rows.len()).collect();
            page.table(
                &[
                    "figure", "unit", "runs", "mean", "sd", "5 %", "median", "95 %",
                ],
                &distribution_rows(&summary, &all, &meta),
            );
            let (arms, order, dates) = read_bands(dir)?;
            page.heading("Series");
            band_charts(
                &mut page,
                &meta,
                &regions(&first_run),
                &arms,
                &order,
                &dates,
            );
            if let Some(bands) = arms.get("") {
                let places = places(&first_run);
                let rows = bands.values().next().map_or(0, Vec::len);
                let label = |row: usize| {
                    dates
                        .get(row)
                        .filter(|d| !d.is_empty())
                        .cloned()
                        .unwrap_or_else(|| format!("step {row}"))
                };
                let value = |c: &str, row: usize| {
                    bands
                        .get(c)
                        .and_then(|v| v.get(row))
                        .map_or(f64::NAN, |r| r.2)
                };
                let geo = geography(&first_run);
                let data = MapData {
                    meta: &meta,
                    names: &order,
                    places: &places,
                    rows,
                    label: &label,
                    value: &value,
                    geography: geo.as_ref(),
                    focus: None,
                };
                add_maps(
                    &mut page,
                    &data,
                    "Colours show the median over replicates.",
                    Maps::All,
                );
            }
        }
    }
    page.heading("Experiment details");
    facts(&mut page, &m);
    page.heading("Files");
    page.text("muted", "design.csv / .parquet: one row per run (run, point, replicate, seed, varied parameters); summary.csv / .parquet: one row per run with its figures; bands.csv / .parquet: per series and step, the 5 %, 50 % and 95 % quantiles and the mean over replicates; comparison.csv / .parquet: paired differences (comparisons); runs/NNNNNN/: each run's own folder; experiment.json: what ran.");
    Ok(page)
}

fn compare(page: &mut Page, dir: &Path, m: &ExperimentManifest) -> Result<(), ReportError> {
    page.heading("Arms");
    let arms: Vec<Vec<String>> = m
        .points
        .iter()
        .map(|p| {
            let sets = p.sets.join(" ");
            vec![
                p.label.clone(),
                m.sources.get(p.source).cloned().unwrap_or_default(),
                if sets.is_empty() {
                    "(none)".into()
                } else {
                    sets
                },
            ]
        })
        .collect();
    page.table(&["arm", "scenario", "overrides"], &arms);
    let c = Table::read(&dir.join("comparison.csv"))?;
    // Older comparisons have no `design` column: they were all paired.
    let paired = c
        .texts("design")
        .is_none_or(|d| d.iter().all(|x| x == "paired"));
    if paired {
        page.text("muted", "Replicate r of both arms shares its seed, and the arms describe the same world and timeline, so every random stream is the same in both (common random numbers); differences are b − a over the replicates where both arms report the figure, with Student's t 95 % interval.");
        page.heading("Paired differences (b − a)");
    } else {
        page.text("muted", "The arms differ in their world or timeline (for example two accounts of history), so the same seed does not draw the same things in both and the runs cannot be paired: differences are of the two arms' means, over the runs of each arm that report the figure, with Welch's 95 % interval.");
        page.heading("Differences of the means (b − a), unpaired");
    }
    let cell = |r: &Vec<String>, name: &str| {
        c.index(name).map_or(String::new(), |i| {
            r[i].parse::<f64>()
                .map_or("–".into(), |x| number((x * 1000.0).round() / 1000.0))
        })
    };
    let rows: Vec<Vec<String>> = c
        .rows
        .iter()
        .map(|r| {
            vec![
                r[0].replace('_', " "),
                if paired {
                    cell(r, "pairs")
                } else {
                    format!("{} / {}", cell(r, "n_a"), cell(r, "n_b"))
                },
                cell(r, "mean_a"),
                cell(r, "mean_b"),
                cell(r, "difference"),
                format!("[{}, {}]", cell(r, "ci_low"), cell(r, "ci_high")),
                format!("{} / {}", cell(r, "only_a"), cell(r, "only_b")),
            ]
        })
        .collect();
    page.table(
        &[
            "figure",
            if paired { "pairs" } else { "runs a / b" },
            "mean a",
            "mean b",
            "b − a",
            "95 % interval",
            "only in a / b",
        ],
        &rows,
    );
    let (arms, order, dates) = read_bands(dir)?;
    page.heading("Series of both arms");
    let meta = meta(&dir.join("runs").join("000000"));
    band_charts(
        page,
        &meta,
        &regions(&dir.join("runs").join("000000")),
        &arms,
        &order,
        &dates,
    );
    Ok(())
}

fn sweep(page: &mut Page, m: &ExperimentManifest, summary: &Table) {
    let varied: Vec<String> = m.varied.clone();
    let points = summary.numbers("point").unwrap_or_default();
    let n_points = points.iter().fold(0.0f64, |a, &b| a.max(b)) as usize + 1;
    let by_point: Vec<Vec<usize>> = (0..n_points)
        .map(|p| {
            (0..points.len())
                .filter(|&r| points[r] as usize == p)
                .collect()
        })
        .collect();
    let figures: Vec<String> = figure_names(summary)
        .into_iter()
        .filter(|f| {
            let v: Vec<f64> = summary
                .numbers(f)
                .unwrap_or_default()
                .into_iter()
                .filter(|x| x.is_finite())
                .collect();
            v.iter().any(|x| *x != v[0])
        })
        .take(8)
        .collect();
    let value_of = |key: &str, p: usize| -> Option<f64> {
        let r = *by_point[p].first()?;
        summary
            .numbers(key)?
            .get(r)
            .copied()
            .filter(|x| x.is_finite())
    };
    let stats = |f: &str, p: usize| -> (f64, f64, f64) {
        let all = summary.numbers(f).unwrap_or_default();
        let mut v: Vec<f64> = by_point[p]
            .iter()
            .map(|&r| all[r])
            .filter(|x| x.is_finite())
            .collect();
        let mean = if v.is_empty() {
            f64::NAN
        } else {
            v.iter().sum::<f64>() / v.len() as f64
        };
        (quantile(&mut v, 0.05), mean, quantile(&mut v, 0.95))
    };
    page.heading("Responses");
    let numeric: Vec<&String> = varied
        .iter()
        .filter(|k| (0..n_points).all(|p| value_of(k, p).is_some()))
        .collect();
    if varied.len() == 2 && numeric.len() == 2 {
        page.text(
            "muted",
            "Each cell is the mean over the point's replicates.",
        );
        let axis = |k: &str| -> Vec<f64> {
            let mut v: Vec<f64> = (0..n_points).filter_map(|p| value_of(k, p)).collect();
            v.sort_by(f64::total_cmp);
            v.dedup();
            v
        };
        let (xs, ys) = (axis(numeric[0]), axis(numeric[1]));
        for f in &figures {
            let mut grid = vec![vec![f64::NAN; xs.len()]; ys.len()];
            for p in 0..n_points {
                if let (Some(x), Some(y)) = (value_of(numeric[0], p), value_of(numeric[1], p)) {
                    let (cx, cy) = (
                        xs.iter().position(|v| *v == x),
                        ys.iter().position(|v| *v == y),
                    );
                    if let (Some(cx), Some(cy)) = (cx, cy) {
                        grid[cy][cx] = stats(f, p).1;
                    }
                }
            }
            let labels = |v: &[f64]| v.iter().map(|x| number(*x)).collect::<Vec<_>>();
            page.chart(
                &format!("heat-{f}"),
                heat_map(
                    &format!("{f} (mean)"),
                    numeric[0],
                    &labels(&xs),
                    numeric[1],
                    &labels(&ys),
                    &grid,
                ),
            );
        }
    } else if !numeric.is_empty() {
        page.text("muted", if varied.len() == 1 { "The line is the mean over replicates; the band spans their 5–95 %." } else { "Each dot is a design point (mean over its replicates), against one parameter at a time." });
        for f in &figures {
            for key in numeric.iter().take(if varied.len() == 1 { 1 } else { 4 }) {
                let mut rows: Vec<(f64, (f64, f64, f64))> = (0..n_points)
                    .filter_map(|p| Some((value_of(key, p)?, stats(f, p))))
                    .collect();
                rows.sort_by(|a, b| a.0.total_cmp(&b.0));
                let single = varied.len() == 1;
                let chart = LineChart {
                    title: format!("{f} against {key}"),
                    x_label: key.to_string(),
                    lines: vec![Line {
                        name: format!("{f} (mean)"),
                        points: rows.iter().map(|r| (r.0, r.1 .1)).collect(),
                        band: if single {
                            rows.iter().map(|r| (r.0, r.1 .0, r.1 .2)).collect()
                        } else {
                            vec![]
                        },
                        ..Line::default()
                    }],
                    dots: !single,
                    ..LineChart::default()
                };
                page.chart(&format!("response-{f}-{key}"), chart.svg());
            }
        }
    }
    if n_points <= 60 {
        page.heading("Points");
        let mut head: Vec<&str> = vec!["point"];
        head.extend(varied.iter().map(String::as_str));
        head.extend(figures.iter().take(4).map(String::as_str));
        let rows: Vec<Vec<String>> = (0..n_points)
            .map(|p| {
                let mut r = vec![p.to_string()];
                for k in &varied {
                    let c = summary.index(k).unwrap_or(0);
                    r.push(
                        by_point[p]
                            .first()
                            .map_or(String::new(), |&i| summary.rows[i][c].clone()),
                    );
                }
                for f in figures.iter().take(4) {
                    let (_, mean, _) = stats(f, p);
                    r.push(if mean.is_finite() {
                        number((mean * 1000.0).round() / 1000.0)
                    } else {
                        "–".into()
                    });
                }
                r
            })
            .collect();
        page.table(&head, &rows);
    }
}
