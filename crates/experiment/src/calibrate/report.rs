//! A calibration's report: `report.html` (and `charts/*.svg`) in its folder, one page that opens
//! offline: the space left wave by wave, each target's share of the space, the posterior of
//! each parameter beside its prior, pairs of the parameters that moved most, and the runs of
//! the posterior against every target (held-out ones marked).

use mobilize_report::page::Page;
use mobilize_report::svg::{bars, Line, LineChart};

use super::claims::{Claim, Verdict};
use super::{four_digits, Calibration, Posterior, Store, StoreError};
use crate::targets::{human, Targets};

/// Bins of the marginal histograms (on the unit cube: equal prior probability each).
const BINS: usize = 20;

/// The weighted `u`-quantile of `values`, pairs of (value, weight) whose weights sum to 1.
pub fn weighted_quantile(values: &[(f64, f64)], u: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut c = 0.0;
    for (x, w) in &v {
        c += w;
        if c >= u {
            return *x;
        }
    }
    v.last().map_or(f64::NAN, |x| x.0)
}

/// Writes the report into the store's folder (nothing without one).
pub fn write(
    store: &Store,
    targets: &Targets,
    c: &Calibration,
    posterior: Option<(&Posterior, &[(Claim, Verdict)])>,
) -> Result<(), StoreError> {
    let Some(dir) = store.dir() else {
        return Ok(());
    };
    let mut page = Page::new(&format!("Calibration: {}", targets.file));
    let left = c.waves.last().map_or(1.0, |w| w.space_after);
    page.text(
        "lead",
        &format!(
            "History matching over {} parameter(s) in {} wave(s): {} of the prior is not ruled out.{}",
            targets.priors.len(),
            c.waves.len(),
            percent(left),
            match &c.stopped {
                Some(why) => format!(" Stopped: {why}."),
                None => String::new(),
            }
        ),
    );
    page.heading("The space the record leaves");
    let line = |name: &str, points: Vec<(f64, f64)>| Line {
        name: name.into(),
        column: name.into(),
        points,
        band: Vec::new(),
        dashed: false,
    };
    page.chart(
        "space",
        LineChart {
            title: "Share of the prior not ruled out, after each wave".into(),
            x_label: "wave".into(),
            x_text: Some(
                std::iter::once((0.0, "prior".to_string()))
                    .chain(
                        c.waves
                            .iter()
                            .map(|w| (w.number as f64, w.number.to_string())),
                    )
                    .collect(),
            ),
            y_label: "share of the prior".into(),
            lines: vec![line(
                "not ruled out",
                std::iter::once((0.0, 1.0))
                    .chain(c.waves.iter().map(|w| (w.number as f64, w.space_after)))
                    .collect(),
            )],
            ..LineChart::default()
        }
        .svg(),
    );
    if let Some(first) = c.waves.first() {
        let items: Vec<(String, f64)> = first
            .conflicts
            .alone
            .iter()
            .map(|&(t, s)| (targets.targets[t].name.clone(), s))
            .collect();
        page.chart(
            "targets-alone",
            bars(
                "Share of the whole prior where each target alone is met",
                &items,
            ),
        );
    }
    let Some((p, verdicts)) = posterior else {
        page.text(
            "muted",
            "No posterior was drawn (run with --abc, inside a space history matching did not empty).",
        );
        return page
            .write(dir)
            .map_err(|e| StoreError::Report(e.to_string()));
    };
    page.heading("Each parameter: the posterior beside its prior");
    page.text(
        "muted",
        "On the axis of prior probability (each parameter through its prior's distribution function), the prior is flat at 1; the posterior is the weighted histogram of the ABC-SMC draws. A posterior as flat as the prior: the targets do not pin that parameter.",
    );
    let mut narrowing = Vec::new();
    for (k, (key, prior)) in targets.priors.iter().enumerate() {
        let mut hist = [0.0; BINS];
        for q in &p.particles {
            let b = ((q.unit[k] * BINS as f64) as usize).min(BINS - 1);
            hist[b] += q.weight * BINS as f64;
        }
        let steps: Vec<(f64, f64)> = (0..BINS)
            .flat_map(|b| {
                let (a, z) = (b as f64 / BINS as f64, (b + 1) as f64 / BINS as f64);
                [(a, hist[b]), (z, hist[b])]
            })
            .collect();
        let ticks: Vec<(f64, String)> = [0.0, 0.25, 0.5, 0.75, 1.0]
            .iter()
            .map(|&u| {
                let u2: f64 = u;
                (
                    u,
                    format!(
                        "{}",
                        four_digits(prior.quantile(u2.clamp(1e-6, 1.0 - 1e-6)))
                    ),
                )
            })
            .collect();
        page.chart(
            &format!("marginal-{k}"),
            LineChart {
                title: key.clone(),
                x_label: "value (placed by prior probability)".into(),
                y_label: "density on the prior-probability axis".into(),
                lines: vec![
                    line("prior", vec![(0.0, 1.0), (1.0, 1.0)]),
                    line("posterior", steps),
                ],
                x_text: Some(ticks),
                ..LineChart::default()
            }
            .svg(),
        );
        let unit: Vec<(f64, f64)> = p.particles.iter().map(|q| (q.unit[k], q.weight)).collect();
        narrowing.push((
            k,
            weighted_quantile(&unit, 0.95) - weighted_quantile(&unit, 0.05),
        ));
    }
    // Pairs of the three parameters the targets narrowed most.
    narrowing.sort_by(|a, b| a.1.total_cmp(&b.1));
    let top: Vec<usize> = narrowing.iter().take(3).map(|n| n.0).collect();
    if top.len() >= 2 {
        page.heading("The parameters that moved most, in pairs");
        for (i, &a) in top.iter().enumerate() {
            for &b in &top[i + 1..] {
                page.chart(
                    &format!("pair-{a}-{b}"),
                    LineChart {
                        title: format!("{} against {}", targets.priors[b].0, targets.priors[a].0),
                        x_label: targets.priors[a].0.clone(),
                        y_label: targets.priors[b].0.clone(),
                        lines: vec![line(
                            "posterior draws",
                            p.particles.iter().map(|q| (q.x[a], q.x[b])).collect(),
                        )],
                        dots: true,
                        ..LineChart::default()
                    }
                    .svg(),
                );
            }
        }
    }
    page.heading("The posterior's runs against the record");
    let rows: Vec<Vec<String>> = targets
        .targets
        .iter()
        .enumerate()
        .map(|(t, target)| {
            let values: Vec<(f64, f64)> = p
                .particles
                .iter()
                .filter_map(|q| q.values[t].map(|v| (v, q.weight)))
                .collect();
            let reached: f64 = values.iter().map(|v| v.1).sum();
            let model = if values.is_empty() {
                "never reached".to_string()
            } else {
                let norm: Vec<(f64, f64)> = values.iter().map(|&(v, w)| (v, w / reached)).collect();
                format!(
                    "{} [{} – {}]{}",
                    human(weighted_quantile(&norm, 0.5)),
                    human(weighted_quantile(&norm, 0.05)),
                    human(weighted_quantile(&norm, 0.95)),
                    if reached < 0.999 {
                        format!(" (reached in {:.0} %)", 100.0 * reached)
                    } else {
                        String::new()
                    }
                )
            };
            vec![
                format!(
                    "{}{}",
                    target.name,
                    if target.holdout { " (held out)" } else { "" }
                ),
                format!(
                    "{} {}",
                    human(target.observed),
                    target.error.describe(target.observed)
                ),
                model,
                target.source.clone(),
            ]
        })
        .collect();
    page.table(
        &[
            "target",
            "record",
            "posterior's runs: median [5 – 95 %]",
            "source",
        ],
        &rows,
    );
    if !verdicts.is_empty() {
        page.heading("Claims");
        let rows: Vec<Vec<String>> = verdicts
            .iter()
            .map(|(cl, v)| {
                vec![
                    cl.text.clone(),
                    format!("{:.2}", v.probability),
                    format!("{:.2} – {:.2}", v.interval.0, v.interval.1),
                    format!("{:.0} %", 100.0 * v.reached),
                ]
            })
            .collect();
        page.table(
            &[
                "claim",
                "posterior probability",
                "95 % Monte Carlo interval",
                "draws that reached the target",
            ],
            &rows,
        );
    }
    page.write(dir)
        .map_err(|e| StoreError::Report(e.to_string()))
}

fn percent(v: f64) -> String {
    if v == 0.0 {
        "none".into()
    } else if v < 0.001 {
        format!("{:.3} %", 100.0 * v)
    } else {
        format!("{:.1} %", 100.0 * v)
    }
}
