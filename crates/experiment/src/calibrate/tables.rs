//! A calibration's tables, as CSV in its folder (layout in [`super::store`]).

use super::claims::{Claim, Verdict};
use super::{Calibration, Posterior, Store, StoreError};
use crate::targets::Targets;
use mobilize_output::Column;

fn number(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else if v.is_nan() {
        String::new()
    } else {
        "inf".into()
    }
}

fn csv_bytes(head: &[String], rows: &[Vec<String>]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        // Writing to a vector cannot fail.
        let _ = w.write_record(head);
        for r in rows {
            let _ = w.write_record(r);
        }
        let _ = w.flush();
    }
    out
}

/// Writes every table of `c` into the store's folder (nothing without one).
pub fn write(store: &Store, targets: &Targets, c: &Calibration) -> Result<(), StoreError> {
    if store.dir().is_none() {
        return Ok(());
    }
    let keys: Vec<String> = targets.priors.iter().map(|(k, _)| k.clone()).collect();
    let name = |t: usize| targets.targets[t].name.clone();
    for w in &c.waves {
        let dir = format!("wave-{}", w.number);
        let mut head = vec!["point".to_string()];
        head.extend(keys.iter().cloned());
        head.push("max_implausibility".into());
        let rows: Vec<Vec<String>> = w
            .design
            .iter()
            .enumerate()
            .map(|(i, x)| {
                let mut r = vec![i.to_string()];
                r.extend(x.iter().map(|&v| number(v)));
                r.push(number(w.direct[i]));
                r
            })
            .collect();
        store.write(&format!("{dir}/design.csv"), &csv_bytes(&head, &rows))?;
        let head: Vec<String> = [
            "point", "target", "holdout", "reached", "mean", "sd", "min", "max",
        ]
        .map(String::from)
        .to_vec();
        let mut rows = Vec::new();
        for (i, r) in w.runs.iter().enumerate() {
            for (t, target) in targets.targets.iter().enumerate() {
                let v: Vec<f64> = r.iter().filter_map(|rep| rep[t]).collect();
                let n = v.len() as f64;
                let mean = v.iter().sum::<f64>() / n;
                let sd = if v.len() > 1 {
                    (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
                } else {
                    f64::NAN
                };
                rows.push(vec![
                    i.to_string(),
                    target.name.clone(),
                    target.holdout.to_string(),
                    v.len().to_string(),
                    number(mean),
                    number(sd),
                    number(v.iter().copied().fold(f64::INFINITY, f64::min)),
                    number(v.iter().copied().fold(f64::NEG_INFINITY, f64::max)),
                ]);
            }
        }
        store.write(&format!("{dir}/results.csv"), &csv_bytes(&head, &rows))?;
        let mut head: Vec<String> = [
            "target",
            "scale",
            "points_used",
            "observed",
            "v_obs",
            "v_run",
            "v_disc",
            "variance",
        ]
        .map(String::from)
        .to_vec();
        head.extend(keys.iter().map(|k| format!("length_{k}")));
        head.extend(["loo_within_3", "loo_rmse"].map(String::from));
        let rows: Vec<Vec<String>> = w
            .fits
            .iter()
            .map(|f| {
                let mut r = vec![
                    name(f.target),
                    if f.log { "log1p" } else { "identity" }.into(),
                    f.used.to_string(),
                    number(f.z),
                    number(f.v_obs),
                    number(f.v_run),
                    number(f.v_disc),
                ];
                match &f.emulator {
                    Some(e) => {
                        r.push(number(e.variance));
                        r.extend(e.lengths.iter().map(|&l| number(l)));
                    }
                    None => r.extend(std::iter::repeat_n(String::new(), keys.len() + 1)),
                }
                match &f.diagnostics {
                    Some(d) => r.extend([number(d.within_three), number(d.rmse)]),
                    None => r.extend([String::new(), String::new()]),
                }
                r
            })
            .collect();
        store.write(&format!("{dir}/emulators.csv"), &csv_bytes(&head, &rows))?;
    }
    let head: Vec<String> = [
        "wave",
        "points",
        "runs",
        "space_before",
        "space_after",
        "best_point_max_implausibility",
    ]
    .map(String::from)
    .to_vec();
    let rows: Vec<Vec<String>> = c
        .waves
        .iter()
        .map(|w| {
            vec![
                w.number.to_string(),
                w.design.len().to_string(),
                w.runs.iter().map(Vec::len).sum::<usize>().to_string(),
                number(w.space_before),
                number(w.space_after),
                number(w.direct.iter().copied().fold(f64::INFINITY, f64::min)),
            ]
        })
        .collect();
    store.write("waves.csv", &csv_bytes(&head, &rows))?;
    let mut head = keys.clone();
    head.push("max_implausibility".into());
    let rows: Vec<Vec<String>> = c
        .left
        .iter()
        .map(|(x, i)| {
            let mut r: Vec<String> = x.iter().map(|&v| number(v)).collect();
            r.push(number(*i));
            r
        })
        .collect();
    store.write("non-implausible.csv", &csv_bytes(&head, &rows))?;
    let head: Vec<String> = ["wave", "target", "with", "share_met"]
        .map(String::from)
        .to_vec();
    let mut rows: Vec<Vec<String>> = Vec::new();
    for w in &c.waves {
        let n = w.number.to_string();
        rows.extend(
            w.conflicts
                .alone
                .iter()
                .map(|&(t, s)| vec![n.clone(), name(t), String::new(), number(s)]),
        );
        rows.extend(
            w.conflicts
                .pairs
                .iter()
                .map(|&(a, b, s)| vec![n.clone(), name(a), name(b), number(s)]),
        );
    }
    store.write("conflicts.csv", &csv_bytes(&head, &rows))
}

/// Writes ABC-SMC's draws (`posterior.csv` and `.parquet`: parameters, weight, distance and
/// every target's value in the draw's run), its generations (`abc.csv`) and the claims'
/// probabilities (`claims.csv`).
pub fn write_posterior(
    store: &Store,
    targets: &Targets,
    p: &Posterior,
    claims: &[(Claim, Verdict)],
) -> Result<(), StoreError> {
    let Some(dir) = store.dir() else {
        return Ok(());
    };
    let mut names: Vec<String> = targets.priors.iter().map(|(k, _)| k.clone()).collect();
    let mut columns: Vec<Column> = (0..names.len())
        .map(|k| Column::Double(p.particles.iter().map(|q| q.x[k]).collect()))
        .collect();
    names.extend(["weight".to_string(), "distance".to_string()]);
    columns.push(Column::Double(
        p.particles.iter().map(|q| q.weight).collect(),
    ));
    columns.push(Column::Double(
        p.particles.iter().map(|q| q.distance).collect(),
    ));
    for (t, target) in targets.targets.iter().enumerate() {
        names.push(target.name.clone());
        columns.push(Column::OptDouble(
            p.particles.iter().map(|q| q.values[t]).collect(),
        ));
    }
    mobilize_output::write_tables(dir, "posterior", &names, columns)?;
    let head: Vec<String> = ["generation", "epsilon", "proposed", "accepted", "ess"]
        .map(String::from)
        .to_vec();
    let rows: Vec<Vec<String>> = p
        .generations
        .iter()
        .map(|g| {
            vec![
                g.number.to_string(),
                number(g.epsilon),
                g.proposed.to_string(),
                g.accepted.to_string(),
                number(g.ess),
            ]
        })
        .collect();
    store.write("abc.csv", &csv_bytes(&head, &rows))?;
    let head: Vec<String> = ["claim", "probability", "lo95", "hi95", "reached"]
        .map(String::from)
        .to_vec();
    let rows: Vec<Vec<String>> = claims
        .iter()
        .map(|(c, v)| {
            vec![
                c.text.clone(),
                number(v.probability),
                number(v.interval.0),
                number(v.interval.1),
                number(v.reached),
            ]
        })
        .collect();
    store.write("claims.csv", &csv_bytes(&head, &rows))
}
