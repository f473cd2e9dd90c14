//! `mobilize score`: the model as it stands against a targets file: replicates of every
//! scenario the file names, and for each target the model's values beside the observation,
//! with the implausibility of history matching and a verdict.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use clap::Args;
use mobilize_core::scenario::{embedded, Scenario, Source};
use mobilize_experiment::targets::{self, human, Score, Targets, CUT_OFF};

use super::experiment::RunsProgress;
use crate::{source, Failure};

/// Arguments of `mobilize score`.
#[derive(Args, Debug)]
pub struct ScoreArgs {
    /// The targets file (TOML: `[[target]]` tables; see docs/calibration.md).
    pub targets: PathBuf,
    /// Replicates of each scenario.
    #[arg(short = 'n', long = "replicates", default_value_t = 10,
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub replicates: u32,
    /// Base seed; replicate seeds derive from it (default: each scenario's seed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Multiplier on every region's population, for every scenario (same as --set scale=F).
    #[arg(long, allow_negative_numbers = true)]
    pub scale: Option<f64>,
    /// Override a field of every scenario: `path.to.key=value` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Runs at once (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Score every point of a grid, `path=v1,v2,...` (repeatable: every combination).
    #[arg(long = "grid", value_name = "KEY=V1,V2,...", conflicts_with = "design")]
    pub grid: Vec<String>,
    /// Score every point of a design file: a CSV header of parameter paths, then a row of
    /// values per point (a Latin hypercube from SALib, say). Every point runs with the same
    /// replicate seeds (common random numbers), and points that meet every target that is
    /// not held out (the largest implausibility ≤ 3) are marked: the first wave of history
    /// matching, run directly rather than through an emulator.
    #[arg(long, value_name = "FILE")]
    pub design: Option<PathBuf>,
    /// Score `N` points drawn from the targets file's `[priors]` as a Latin hypercube (seeded
    /// by `--seed`, 1 by default): a space-filling first wave over the parameters the priors
    /// name.
    #[arg(long, value_name = "N", conflicts_with_all = ["grid", "design"],
          value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub sample: Option<u32>,
    /// Also write the table as CSV to this file (one row per target, every number; with a
    /// grid or design, one row per point and target).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,
    /// Most memory the runs at once may need together (e.g. 8G). Default: what is available.
    #[arg(long, value_name = "SIZE")]
    pub max_memory: Option<String>,
    /// No progress output.
    #[arg(long, short)]
    pub quiet: bool,
}

/// A scenario named in a targets file: an embedded name, or a file relative to the targets
/// file's folder.
fn scenario_source(name: &str, beside: &Path) -> Result<Source, Failure> {
    if !embedded::looks_like_path(name) {
        if let Some(s) = embedded::source(name) {
            return Ok(s);
        }
    }
    let path = beside.join(name);
    source::find(Some(&path.to_string_lossy()))
}

/// Loads the targets file's scenarios with `sets` (and `scale`) and then a point's overrides;
/// the context names the point in messages.
pub(super) fn loader(
    targets: &Targets,
    path: &Path,
    set: &[String],
    scale: Option<f64>,
) -> Result<impl Fn(&[String], &str) -> Result<Named, Failure> + Sync, Failure> {
    let beside = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut sets = set.to_vec();
    if let Some(s) = scale {
        sets.push(format!("scale={s:?}"));
    }
    let sources: Vec<(String, Source)> = targets
        .scenarios()
        .into_iter()
        .map(|name| Ok((name.to_string(), scenario_source(name, &beside)?)))
        .collect::<Result<_, Failure>>()?;
    Ok(
        move |point: &[String], context: &str| -> Result<Named, Failure> {
            let all: Vec<String> = sets.iter().chain(point).cloned().collect();
            let overrides = source::overrides(&all)?;
            sources
                .iter()
                .map(|(name, src)| {
                    let s = source::load(src, &overrides).inspect_err(|_| {
                        if !context.is_empty() {
                            eprintln!("  (in {context})");
                        }
                    })?;
                    Ok((name.clone(), s))
                })
                .collect()
        },
    )
}

/// Scores the model against the targets file and prints the table.
pub fn run(args: ScoreArgs) -> Result<(), Failure> {
    let mut targets = Targets::read(&args.targets).map_err(|e| {
        eprintln!("error: {e}");
        Failure::Input
    })?;
    let load = loader(&targets, &args.targets, &args.set, args.scale)?;
    if args.sample.is_some() {
        // `--sample` draws from the priors: their missing bounds from the declared ranges.
        if let Some((_, s)) = load(&[], "")?.first() {
            let model = s.model;
            targets
                .bound_priors(&|p| mobilize_core::model::declared_range(model, p))
                .map_err(|e| {
                    eprintln!("error: {e}");
                    Failure::Input
                })?;
        }
    }
    let targets = targets;
    if !args.grid.is_empty() || args.design.is_some() || args.sample.is_some() {
        return run_design(&args, &targets, &load);
    }
    let scenarios = load(&[], "")?;
    let threads = super::run::threads(args.threads)?;
    let limit = super::run::memory_limit(args.max_memory.as_deref())?;
    let all: Vec<&Scenario> = scenarios.iter().map(|(_, s)| s).collect();
    super::run::check_memory(&all, threads, limit)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Failure::Other(format!("cannot start {threads} threads: {e}")))?;
    let progress = RunsProgress::new(args.quiet);
    let scores = pool
        .install(|| {
            targets::score(
                &targets,
                &scenarios,
                args.replicates,
                args.seed,
                &mobilize_core::world::WorldCache::new(0),
                &|d, t| progress.update(d, t),
            )
        })
        .map_err(|e| {
            progress.finish();
            eprintln!("error: {e}");
            Failure::Input
        })?;
    progress.finish();
    print_table(&targets, &scores, args.replicates);
    if let Some(path) = &args.csv {
        write_csv(path, &targets, &scores)?;
    }
    Ok(())
}

fn print_table(targets: &Targets, scores: &[Score], replicates: u32) {
    let rows: Vec<[String; 5]> = targets
        .targets
        .iter()
        .zip(scores)
        .map(|(t, s)| {
            [
                format!("{}{}", t.name, if t.holdout { " (held out)" } else { "" }),
                format!("{} {}", human(t.observed), t.error.describe(t.observed)),
                if s.reached == 0 {
                    "–".into()
                } else {
                    format!(
                        "{} [{} – {}]",
                        human(s.quantiles[1]),
                        human(s.quantiles[0]),
                        human(s.quantiles[2])
                    )
                },
                if s.implausibility.is_finite() {
                    format!("{:.1}", s.implausibility)
                } else {
                    "∞".into()
                },
                s.verdict(),
            ]
        })
        .collect();
    let head = [
        "target".to_string(),
        "observed".into(),
        format!("model: median [5 – 95 %] of {replicates}"),
        "I".into(),
        "verdict".into(),
    ];
    let width: Vec<usize> = (0..5)
        .map(|c| {
            std::iter::once(&head)
                .chain(&rows)
                .map(|r| r[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |r: &[String; 5]| {
        let cells: Vec<String> = r
            .iter()
            .zip(&width)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        println!("{}", cells.join("  ").trim_end());
    };
    line(&head);
    for r in &rows {
        line(r);
    }
    let scored: Vec<(&targets::Target, &Score)> = targets.targets.iter().zip(scores).collect();
    let count = |holdout: bool| {
        let of: Vec<_> = scored
            .iter()
            .filter(|(t, _)| t.holdout == holdout)
            .collect();
        (of.iter().filter(|(_, s)| s.met()).count(), of.len())
    };
    let (met, n) = count(false);
    let (hmet, hn) = count(true);
    println!(
        "\n{met} of {n} targets met (implausibility I ≤ {CUT_OFF}: the observation within the model's own noise and the record's uncertainty){}",
        if hn > 0 {
            format!("; held out: {hmet} of {hn}")
        } else {
            String::new()
        }
    );
}

fn write_csv(path: &Path, targets: &Targets, scores: &[Score]) -> Result<(), Failure> {
    let fail = |e: &dyn std::fmt::Display| {
        Failure::Other(format!("cannot write `{}`: {e}", path.display()))
    };
    let mut out = Vec::new();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        w.write_record([
            "target",
            "scenario",
            "holdout",
            "weight",
            "observed",
            "obs_sd",
            "runs",
            "reached",
            "mean",
            "sd",
            "q05",
            "median",
            "q95",
            "implausibility",
            "met",
            "source",
        ])
        .map_err(|e| fail(&e))?;
        for (t, s) in targets.targets.iter().zip(scores) {
            w.write_record([
                t.name.clone(),
                t.scenario.clone(),
                t.holdout.to_string(),
                csv_number(t.weight),
                csv_number(t.observed),
                csv_number(t.error.variance(t.observed).sqrt()),
                s.runs.to_string(),
                s.reached.to_string(),
                csv_number(s.mean),
                csv_number(s.sd),
                csv_number(s.quantiles[0]),
                csv_number(s.quantiles[1]),
                csv_number(s.quantiles[2]),
                csv_implausibility(s.implausibility),
                s.met().to_string(),
                t.source.clone(),
            ])
            .map_err(|e| fail(&e))?;
        }
        w.flush().map_err(|e| fail(&e))?;
    }
    mobilize_output::write_atomic(path, &out).map_err(|e| fail(&e))?;
    let _ = std::io::stdout().flush();
    Ok(())
}

/// The scenarios of the targets file, each named as the file names it.
pub(super) type Named = Vec<(String, Scenario)>;

/// Loads the scenarios with a point's overrides; the context names the point in messages.
type Loader<'a> = dyn Fn(&[String], &str) -> Result<Named, Failure> + 'a;

/// Scores every point of `--grid` or `--design`.
fn run_design(args: &ScoreArgs, targets: &Targets, load: &Loader<'_>) -> Result<(), Failure> {
    use mobilize_experiment::design::{from_args, Design};
    let design = match (&args.design, args.sample) {
        (_, Some(n)) => {
            if targets.priors.is_empty() {
                eprintln!(
                    "error: {}: --sample draws from the file's `[priors]`, and it has none",
                    targets.file
                );
                return Err(Failure::Input);
            }
            let rows =
                targets::latin_hypercube(&targets.priors, n as usize, args.seed.unwrap_or(1));
            Ok(Design {
                keys: targets.priors.iter().map(|(k, _)| k.clone()).collect(),
                rows: rows
                    .into_iter()
                    .map(|r| r.iter().map(|&v| significant(v)).collect())
                    .collect(),
                lines: vec![0; n as usize],
                file: None,
            })
        }
        (design, None) => from_args(design.as_deref(), &args.grid),
    }
    .map_err(|e| {
        eprintln!("error: {e}");
        Failure::Input
    })?;
    // Every point is checked before anything runs.
    let mut points = Vec::with_capacity(design.rows.len());
    for (i, row) in design.rows.iter().enumerate() {
        let sets: Vec<String> = design
            .keys
            .iter()
            .zip(row)
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let context = match &design.file {
            Some(f) => format!("{} line {}", f.display(), design.lines[i]),
            None if args.sample.is_some() => format!("sampled point {i}: {}", sets.join(", ")),
            None => format!("grid point {}", sets.join(", ")),
        };
        points.push(load(&sets, &context)?);
    }
    let threads = super::run::threads(args.threads)?;
    let limit = super::run::memory_limit(args.max_memory.as_deref())?;
    if let Some(first) = points.first() {
        let all: Vec<&Scenario> = first.iter().map(|(_, s)| s).collect();
        super::run::check_memory(&all, threads, limit)?;
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Failure::Other(format!("cannot start {threads} threads: {e}")))?;
    let progress = RunsProgress::new(args.quiet);
    let per_point = points.first().map_or(0, Vec::len) * args.replicates as usize;
    let total = per_point * points.len();
    let mut all_scores = Vec::with_capacity(points.len());
    // Replicate k of every point runs in the same world: built once per replicate.
    let worlds = mobilize_core::world::WorldCache::new(
        (args.replicates as usize * points.first().map_or(0, Vec::len)).min(64),
    );
    for (i, scenarios) in points.iter().enumerate() {
        let scores = pool
            .install(|| {
                targets::score(
                    targets,
                    scenarios,
                    args.replicates,
                    args.seed,
                    &worlds,
                    &|d, _| progress.update(i * per_point + d, total),
                )
            })
            .map_err(|e| {
                progress.finish();
                eprintln!("error: {e}");
                Failure::Input
            })?;
        all_scores.push(scores);
    }
    progress.finish();
    // One line per point: its values, the targets met, the largest implausibilities.
    let fitted: Vec<usize> = (0..targets.targets.len())
        .filter(|&j| !targets.targets[j].holdout)
        .collect();
    let mut kept = 0;
    println!("point  {}  met  max I  2nd I", design.keys.join("  "));
    for (i, scores) in all_scores.iter().enumerate() {
        let mut is: Vec<f64> = fitted.iter().map(|&j| scores[j].implausibility).collect();
        is.sort_by(|a, b| b.total_cmp(a));
        let met = fitted.iter().filter(|&&j| scores[j].met()).count();
        let max = is.first().copied().unwrap_or(0.0);
        let second = is.get(1).copied().unwrap_or(0.0);
        let ok = fitted.iter().all(|&j| scores[j].met());
        kept += usize::from(ok);
        let f = |v: f64| {
            if v.is_finite() {
                format!("{v:.1}")
            } else {
                "∞".into()
            }
        };
        let values: Vec<String> = design.rows[i]
            .iter()
            .zip(&design.keys)
            .map(|(v, k)| format!("{v:<w$}", w = k.chars().count()))
            .collect();
        println!(
            "{i:>5}  {}  {:<3}  {:<5}  {}{}",
            values.join("  "),
            format!("{met}/{}", fitted.len()),
            f(max),
            f(second),
            if ok { "  not implausible" } else { "" }
        );
    }
    println!(
        "\n{kept} of {} points meet every target that is not held out (largest implausibility ≤ {CUT_OFF})",
        all_scores.len()
    );
    if let Some(path) = &args.csv {
        let fail = |e: &dyn std::fmt::Display| {
            Failure::Other(format!("cannot write `{}`: {e}", path.display()))
        };
        let mut out = Vec::new();
        {
            let mut w = csv::Writer::from_writer(&mut out);
            let mut head = vec!["point".to_string()];
            head.extend(design.keys.iter().cloned());
            head.extend(
                [
                    "target",
                    "holdout",
                    "median",
                    "mean",
                    "sd",
                    "reached",
                    "implausibility",
                    "met",
                ]
                .map(String::from),
            );
            w.write_record(&head).map_err(|e| fail(&e))?;
            for (i, scores) in all_scores.iter().enumerate() {
                for (t, s) in targets.targets.iter().zip(scores) {
                    let mut row = vec![i.to_string()];
                    row.extend(design.rows[i].iter().cloned());
                    row.extend([
                        t.name.clone(),
                        t.holdout.to_string(),
                        csv_number(s.quantiles[1]),
                        csv_number(s.mean),
                        csv_number(s.sd),
                        s.reached.to_string(),
                        csv_implausibility(s.implausibility),
                        s.met().to_string(),
                    ]);
                    w.write_record(&row).map_err(|e| fail(&e))?;
                }
            }
            w.flush().map_err(|e| fail(&e))?;
        }
        mobilize_output::write_atomic(path, &out).map_err(|e| fail(&e))?;
    }
    Ok(())
}

/// A drawn value to four significant digits, as TOML reads it back (`0.07008`, `1.234e-5`):
/// readable in the table, and the very value the point runs with.
fn significant(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v:?}");
    }
    let digits = 3 - v.abs().log10().floor() as i32;
    if (0..=12).contains(&digits) {
        let text = format!("{v:.*}", digits as usize);
        // A whole number keeps a decimal point, so that a float parameter reads it as one.
        if text.contains('.') {
            text
        } else {
            format!("{text}.0")
        }
    } else {
        format!("{v:.3e}")
    }
}

/// A number in a CSV cell: every digit, empty when there is none (a target never reached).
pub(super) fn csv_number(v: f64) -> String {
    if v.is_finite() {
        format!("{v}")
    } else {
        String::new()
    }
}

/// An implausibility in a CSV cell: `inf` for a target never reached.
fn csv_implausibility(i: f64) -> String {
    if i.is_finite() {
        format!("{i}")
    } else {
        "inf".into()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn drawn_values_keep_four_significant_digits_and_read_as_toml_floats() {
        use super::significant;
        assert_eq!(significant(0.070_077_105), "0.07008");
        assert_eq!(significant(0.854_741_695), "0.8547");
        assert_eq!(significant(12.345_67), "12.35");
        assert_eq!(significant(1234.6), "1235.0");
        assert_eq!(significant(0.000_012_345_6), "0.00001235");
        assert_eq!(significant(-3.0), "-3.000");
        for v in ["0.07008", "1235.0", "1.235e-13", "-3.000"] {
            let t: toml::Table = format!("x = {v}").parse().unwrap();
            assert!(t["x"].is_float(), "{v}");
        }
        assert_eq!(significant(1.234_5e-13), "1.234e-13");
    }
}
