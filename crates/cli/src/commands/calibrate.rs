//! `mobilize calibrate`: history matching of a targets file's scenarios over its `[priors]`,
//! wave by wave, into a folder; a summary of what the record rules out.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Mutex;

use clap::Args;
use mobilize_experiment::calibrate::claims::{Claim, Verdict};
use mobilize_experiment::calibrate::{self, AbcSettings, Calibration, Posterior, Settings, Store};
use mobilize_experiment::targets::Targets;

use super::experiment::RunsProgress;
use crate::Failure;

/// Progress of ABC-SMC's generations is told as waves from this number on.
const ABC: usize = 1_000_000;

/// Arguments of `mobilize calibrate`.
#[derive(Args, Debug)]
pub struct CalibrateArgs {
    /// The targets file, with a `[priors]` table naming the parameters to vary.
    pub targets: PathBuf,
    /// The folder to write (default: `calibration-<targets file name>`). Run again with the
    /// same arguments, it resumes: no finished run is made again.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    /// Waves at most (fewer when nothing of the space is left).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=50))]
    pub waves: u32,
    /// Design points run per wave.
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u32).range(4..=2_000))]
    pub points: u32,
    /// Replicates of every point (common random numbers; at least 2, to measure the model's
    /// own noise).
    #[arg(short = 'n', long = "replicates", default_value_t = 4,
          value_parser = clap::value_parser!(u32).range(2..=1_000))]
    pub replicates: u32,
    /// Points sampled to map what is left of the space, per batch.
    #[arg(long, default_value_t = 20_000,
          value_parser = clap::value_parser!(u32).range(100..=1_000_000))]
    pub candidates: u32,
    /// Implausibility above which a point is ruled out.
    #[arg(long, default_value_t = 3.0, allow_negative_numbers = true)]
    pub cutoff: f64,
    /// Model discrepancy: a relative error allowed for the model not being the world (0.2:
    /// a standard deviation of 20 % of each observed value).
    #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
    pub discrepancy: f64,
    /// Seed of the designs and samples.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Base seed of the replicates (default: each scenario's seed).
    #[arg(long)]
    pub run_seed: Option<u64>,
    /// Multiplier on every region's population, for every scenario.
    #[arg(long, allow_negative_numbers = true)]
    pub scale: Option<f64>,
    /// Override a field of every scenario: `path.to.key=value` (repeatable).
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// After history matching, draw the posterior by ABC-SMC inside what is left
    /// (`posterior.csv`, `abc.csv`).
    #[arg(long)]
    pub abc: bool,
    /// ABC-SMC: particles per generation.
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(10..=100_000))]
    pub particles: u32,
    /// ABC-SMC: generations at most after the first.
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(u32).range(0..=100))]
    pub generations: u32,
    /// A claim to judge from the posterior: `TARGET <= VALUE` (or <, >=, >), TARGET a target of
    /// the file, often held out (repeatable; implies --abc).
    #[arg(long = "claim", value_name = "CLAIM")]
    pub claims: Vec<String>,
    /// Runs at once (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress output.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Runs the calibration and prints its summary.
pub fn run(args: CalibrateArgs) -> Result<(), Failure> {
    let input = |m: String| {
        eprintln!("error: {m}");
        Failure::Input
    };
    if !(args.cutoff > 0.0 && args.cutoff.is_finite()) {
        return Err(input(format!(
            "--cutoff: {} is out of range (allowed: a number above 0)",
            args.cutoff
        )));
    }
    if !(args.discrepancy >= 0.0 && args.discrepancy.is_finite()) {
        return Err(input(format!(
            "--discrepancy: {} is out of range (allowed: 0 or more)",
            args.discrepancy
        )));
    }
    let mut targets = Targets::read(&args.targets).map_err(|e| input(e.to_string()))?;
    if targets.priors.is_empty() {
        return Err(input(format!(
            "{}: a calibration varies the parameters of the file's `[priors]`, and it has none",
            targets.file
        )));
    }
    let claims: Vec<Claim> = args
        .claims
        .iter()
        .map(|c| Claim::parse(c, &targets))
        .collect::<Result<_, _>>()
        .map_err(input)?;
    let load = super::score::loader(&targets, &args.targets, &args.set, args.scale)?;
    // Bounds a prior leaves out come from its parameter's declared range; a prior reaching
    // outside that range is refused here, at the `[priors]` table's line.
    let model = load(&[], "")?
        .first()
        .map(|(_, s)| s.model)
        .ok_or_else(|| input(format!("{}: names no scenario", targets.file)))?;
    targets
        .bound_priors(&|p| mobilize_core::model::declared_range(model, p))
        .map_err(|e| input(e.to_string()))?;
    let targets = targets;
    let keys: Vec<String> = targets.priors.iter().map(|(k, _)| k.clone()).collect();
    let sets_of = |x: &[f64]| -> Vec<String> {
        keys.iter()
            .zip(x)
            .map(|(k, v)| format!("{k}={v:?}"))
            .collect()
    };
    // Every prior's ends, checked before anything runs: a value the parameter does not allow
    // is a located error now rather than a failed run later.
    for (k, (key, prior)) in targets.priors.iter().enumerate() {
        for u in [1e-6, 0.5, 1.0 - 1e-6] {
            let mut x: Vec<f64> = targets
                .priors
                .iter()
                .map(|(_, p)| p.quantile(0.5))
                .collect();
            x[k] = calibrate::four_digits(prior.quantile(u));
            load(
                &sets_of(&x),
                &format!("{}: priors.\"{key}\" at {}", targets.file, x[k]),
            )?;
        }
    }
    let settings = Settings {
        waves: args.waves as usize,
        points: args.points as usize,
        replicates: args.replicates,
        candidates: args.candidates as usize,
        cutoff: args.cutoff,
        seed: args.seed,
        discrepancy: args.discrepancy,
    };
    let text = mobilize_core::files::read_regular(&args.targets, 16 << 20)
        .map_err(|e| input(format!("{}: {e}", args.targets.display())))?;
    let asked = serde_json::json!({
        "targets": args.targets.display().to_string(),
        "targets_sha256": mobilize_output::Manifest::sha256(&String::from_utf8_lossy(&text)),
        "waves": settings.waves,
        "points": settings.points,
        "replicates": settings.replicates,
        "candidates": settings.candidates,
        "cutoff": settings.cutoff,
        "discrepancy": settings.discrepancy,
        "seed": settings.seed,
        "run_seed": args.run_seed,
        "scale": args.scale,
        "set": args.set,
        "mobilize": env!("CARGO_PKG_VERSION"),
    });
    let asked = serde_json::to_string_pretty(&asked).expect("JSON values serialize") + "\n";
    let out = args.out.clone().unwrap_or_else(|| {
        let stem = args
            .targets
            .file_stem()
            .map_or("targets".into(), |s| s.to_string_lossy().into_owned());
        PathBuf::from(format!("calibration-{stem}"))
    });
    let store = Store::open(&out, &asked).map_err(|e| input(e.to_string()))?;
    let threads = super::run::threads(args.threads)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| Failure::Other(format!("cannot start {threads} threads: {e}")))?;
    // Replicate k of every point runs in the same world (the points' parameters do not change
    // the people or their ties): built once per replicate and scenario.
    let worlds = mobilize_core::world::WorldCache::new(
        (args.replicates as usize * targets.scenarios().len()).min(64),
    );
    let simulate = |x: &[f64], k: u32| -> Result<Vec<Option<f64>>, String> {
        let scenarios =
            load(&sets_of(x), "").map_err(|_| "a design point is invalid".to_string())?;
        mobilize_experiment::targets::replicate_values(
            &targets,
            &scenarios,
            args.run_seed,
            k,
            &worlds,
        )
        .map_err(|e| e.to_string())
    };
    let progress: Mutex<Option<(usize, RunsProgress)>> = Mutex::new(None);
    let tick = |wave: usize, done: usize, total: usize| {
        let mut p = progress.lock().unwrap_or_else(|e| e.into_inner());
        if p.as_ref().is_none_or(|(w, _)| *w != wave) {
            if let Some((_, old)) = p.take() {
                old.finish();
            }
            if !args.quiet {
                if wave >= ABC {
                    eprintln!("ABC-SMC generation {}: runs", wave - ABC);
                } else {
                    eprintln!("wave {wave}: {total} runs");
                }
            }
            *p = Some((wave, RunsProgress::new(args.quiet)));
        }
        if let Some((_, bar)) = p.as_ref() {
            bar.update(done, total);
        }
    };
    let started = std::time::Instant::now();
    let result =
        pool.install(|| calibrate::calibrate(&targets, &settings, &store, &simulate, &tick));
    if let Some((_, bar)) = progress.lock().unwrap_or_else(|e| e.into_inner()).take() {
        bar.finish();
    }
    let c = result.map_err(|e| input(e.to_string()))?;
    calibrate::write_tables(&store, &targets, &c).map_err(|e| Failure::Other(e.to_string()))?;
    let mut summary = summary(&targets, &settings, &c, started.elapsed().as_secs_f64());
    if args.abc || !claims.is_empty() {
        if let Some(why) = &c.stopped {
            let _ = writeln!(
                summary,
                "\nNo posterior drawn: {why}. A posterior of a model that meets nowhere what the record says would describe nothing."
            );
        } else {
            let abc = AbcSettings {
                particles: args.particles as usize,
                generations: args.generations as usize,
                seed: args.seed,
                ..AbcSettings::default()
            };
            let started = std::time::Instant::now();
            let posterior = pool
                .install(|| {
                    calibrate::abc_smc(
                        &targets,
                        &c.waves,
                        settings.cutoff,
                        settings.discrepancy,
                        &abc,
                        &store,
                        &simulate,
                        &|g, d, t| tick(ABC + g, d, t),
                    )
                })
                .map_err(|e| input(e.to_string()));
            if let Some((_, bar)) = progress.lock().unwrap_or_else(|e| e.into_inner()).take() {
                bar.finish();
            }
            let posterior = posterior?;
            let verdicts: Vec<(Claim, Verdict)> = claims
                .iter()
                .map(|cl| (cl.clone(), cl.judge(&posterior)))
                .collect();
            calibrate::write_posterior(&store, &targets, &posterior, &verdicts)
                .map_err(|e| Failure::Other(e.to_string()))?;
            calibrate::write_report(&store, &targets, &c, Some((&posterior, &verdicts)))
                .map_err(|e| Failure::Other(e.to_string()))?;
            describe_posterior(
                &mut summary,
                &targets,
                &posterior,
                &verdicts,
                started.elapsed().as_secs_f64(),
            );
        }
    }
    let drawn = (args.abc || !claims.is_empty()) && c.stopped.is_none();
    if !drawn {
        calibrate::write_report(&store, &targets, &c, None)
            .map_err(|e| Failure::Other(e.to_string()))?;
    }
    let _ = writeln!(
        summary,
        "\nReport: {}/report.html; tables: waves.csv, non-implausible.csv, conflicts.csv, wave-N/{}",
        out.display(),
        if drawn {
            ", posterior.csv, abc.csv, claims.csv"
        } else {
            ""
        }
    );
    print!("{summary}");
    mobilize_output::write_atomic(&out.join("summary.txt"), summary.as_bytes())
        .map_err(|e| Failure::Other(e.to_string()))?;
    Ok(())
}

/// The posterior in words: each parameter's 90 % interval beside its prior's, and the claims.
fn describe_posterior(
    s: &mut String,
    targets: &Targets,
    p: &Posterior,
    claims: &[(Claim, Verdict)],
    seconds: f64,
) {
    let runs: usize = p.generations.iter().map(|g| g.proposed).sum();
    let last = p.generations.last();
    let _ = writeln!(
        s,
        "\nPosterior by ABC-SMC: {} generation(s), {runs} runs ({} made now, {seconds:.0} s); {}; tolerance {} standard deviation(s) of the record, effective sample size {:.0}",
        p.generations.len(),
        p.runs_made,
        p.stopped,
        last.map_or("–".into(), |g| format!("{:.2}", g.epsilon)),
        last.map_or(0.0, |g| g.ess)
    );
    let _ = writeln!(s, "  parameter: posterior median [5 – 95 %]  (prior [5 – 95 %]; the posterior's 90 % width as a share of the prior's)");
    for (k, (key, prior)) in targets.priors.iter().enumerate() {
        let draws: Vec<(f64, f64)> = p.particles.iter().map(|q| (q.x[k], q.weight)).collect();
        let q = |u: f64| calibrate::weighted_quantile(&draws, u);
        let share = (prior.cdf(q(0.95)) - prior.cdf(q(0.05))) / 0.9;
        let _ = writeln!(
            s,
            "  {key}: {} [{} – {}]  (prior [{} – {}]; {}{})",
            calibrate::four_digits(q(0.5)),
            calibrate::four_digits(q(0.05)),
            calibrate::four_digits(q(0.95)),
            calibrate::four_digits(prior.quantile(0.05)),
            calibrate::four_digits(prior.quantile(0.95)),
            percent(share),
            if share > 0.8 {
                ": the data do not pin it"
            } else {
                ""
            }
        );
    }
    if !claims.is_empty() {
        let _ = writeln!(
            s,
            "\nClaims (posterior probability, 95 % Monte Carlo interval):"
        );
        for (c, v) in claims {
            let _ = writeln!(
                s,
                "  {}: {:.2} [{:.2} – {:.2}]{}",
                c.text,
                v.probability,
                v.interval.0,
                v.interval.1,
                if v.reached < 0.999 {
                    format!(
                        " (its target not reached in {:.0} % of the posterior)",
                        100.0 * (1.0 - v.reached)
                    )
                } else {
                    String::new()
                }
            );
        }
    }
}

/// What the calibration found, in words and small tables.
fn summary(targets: &Targets, settings: &Settings, c: &Calibration, seconds: f64) -> String {
    let mut s = String::new();
    let made: usize = c.waves.iter().map(|w| w.runs_made).sum();
    let all: usize = c
        .waves
        .iter()
        .map(|w| w.runs.iter().map(Vec::len).sum::<usize>())
        .sum();
    let _ = writeln!(
        s,
        "History matching of {} over {} parameter(s): {} wave(s), {all} runs ({made} made now, {seconds:.0} s)\n",
        targets.file,
        targets.priors.len(),
        c.waves.len()
    );
    let _ = writeln!(s, "wave  points  space left before → after  best point's largest I  emulators: left-out runs within ±3");
    for w in &c.waves {
        let best = w.direct.iter().copied().fold(f64::INFINITY, f64::min);
        let loo = w
            .fits
            .iter()
            .filter_map(|f| f.diagnostics.map(|d| d.within_three))
            .fold(f64::INFINITY, f64::min);
        let _ = writeln!(
            s,
            "{:>4}  {:>6}  {:>9} → {:<13}  {:>22}  {}",
            w.number,
            w.design.len(),
            percent(w.space_before),
            percent(w.space_after),
            if best.is_finite() {
                format!("{best:.1}")
            } else {
                "∞".into()
            },
            if loo.is_finite() {
                format!("worst {:.0} %", 100.0 * loo)
            } else {
                "–".into()
            }
        );
    }
    // Each target alone: over the whole prior (wave 1's emulators) and over what was left
    // before the last wave (its emulators).
    let first = c.waves.first().map(|w| &w.conflicts);
    let last = &c.conflicts;
    let _ = writeln!(
        s,
        "\nEach target alone: the share of the space where it is met\n  whole prior  before the last wave  target"
    );
    let mut alone: Vec<(usize, f64)> = first.map_or_else(Vec::new, |f| f.alone.clone());
    alone.sort_by(|a, b| a.1.total_cmp(&b.1));
    for (t, share) in &alone {
        let later = last
            .alone
            .iter()
            .find(|(x, _)| x == t)
            .map_or("–".into(), |(_, v)| percent(*v));
        let _ = writeln!(
            s,
            "  {:>11}  {:>19}  {}{}",
            percent(*share),
            later,
            targets.targets[*t].name,
            if *share == 0.0 {
                "  — met nowhere: a misfit of the model, or of the record"
            } else {
                ""
            }
        );
    }
    let clashes: Vec<_> = first
        .map_or(&[][..], |f| &f.pairs[..])
        .iter()
        .filter(|(a, b, both)| {
            *both == 0.0
                && [a, b]
                    .iter()
                    .all(|t| alone.iter().any(|(x, v)| x == *t && *v > 0.0))
        })
        .collect();
    if !clashes.is_empty() {
        let _ = writeln!(
            s,
            "\nTargets each met somewhere in the prior but never together (they conflict):"
        );
        for (a, b, _) in clashes {
            let _ = writeln!(
                s,
                "  {}  ×  {}",
                targets.targets[*a].name, targets.targets[*b].name
            );
        }
    }
    match &c.stopped {
        Some(why) => {
            let _ = writeln!(s, "\nStopped: {why}.");
        }
        None => {
            let _ = writeln!(
                s,
                "\n{} of {} sampled points are not ruled out (cut-off {}). Where they lie, each parameter's range as a share of its prior's:",
                c.left.len(),
                settings.candidates,
                settings.cutoff
            );
            for (k, (key, prior)) in targets.priors.iter().enumerate() {
                let lo = c
                    .left
                    .iter()
                    .map(|(x, _)| x[k])
                    .fold(f64::INFINITY, f64::min);
                let hi = c
                    .left
                    .iter()
                    .map(|(x, _)| x[k])
                    .fold(f64::NEG_INFINITY, f64::max);
                let share = prior.cdf(hi) - prior.cdf(lo);
                let _ = writeln!(
                    s,
                    "  {key}: {} – {} ({}{})",
                    calibrate::four_digits(lo),
                    calibrate::four_digits(hi),
                    percent(share),
                    if share > 0.9 {
                        ": its whole range is left; alone, the targets do not pin it, and non-implausible.csv shows how it trades off against the others"
                    } else {
                        ""
                    }
                );
            }
        }
    }
    s
}

fn percent(v: f64) -> String {
    if v == 0.0 {
        "0 %".into()
    } else if v < 0.001 {
        format!("{:.3} %", 100.0 * v)
    } else if v < 0.1 {
        format!("{:.1} %", 100.0 * v)
    } else {
        format!("{:.0} %", 100.0 * v)
    }
}
