//! The waves of history matching: design, runs, emulators, what is left.

use rayon::prelude::*;

use super::emulator::{Diagnostics, Emulator};
use super::CalibrateError;
use super::{Settings, Store};
use crate::targets::{unit_hypercube, Prior, Targets};

/// One target's emulator in one wave.
#[derive(Clone, Debug)]
pub struct TargetFit {
    /// Index of the target in the file.
    pub target: usize,
    /// Emulated as log(1 + v) (counts spanning orders of magnitude) rather than v.
    pub log: bool,
    /// The observation in the emulation scale.
    pub z: f64,
    /// The record's variance in the emulation scale.
    pub v_obs: f64,
    /// The model's run-to-run variance in the emulation scale (mean over the wave's points).
    pub v_run: f64,
    /// The discrepancy variance in the emulation scale.
    pub v_disc: f64,
    /// Points the emulator was fitted to (those where every replicate reached the target).
    pub used: usize,
    /// The emulator; `None` when too few points reached the target to fit one (then it rules
    /// nothing out in this wave).
    pub emulator: Option<Emulator>,
    /// How well it predicts the runs it was not given.
    pub diagnostics: Option<Diagnostics>,
}

impl TargetFit {
    /// The implausibility at `u` (unit cube); 0 without an emulator.
    pub fn implausibility(&self, u: &[f64]) -> f64 {
        match &self.emulator {
            Some(e) => {
                let (m, v) = e.predict(u);
                (self.z - m).abs() / (v + self.v_obs + self.v_run + self.v_disc).sqrt()
            }
            None => 0.0,
        }
    }

    /// A run's value in the emulation scale.
    fn scaled(&self, v: f64) -> f64 {
        if self.log {
            v.max(0.0).ln_1p()
        } else {
            v
        }
    }
}

/// One wave: its design, its runs, its emulators, and the space left after it.
#[derive(Clone, Debug)]
pub struct Wave {
    /// From 1.
    pub number: usize,
    /// Share of the prior not ruled out before this wave (1 in wave 1).
    pub space_before: f64,
    /// Share of the prior not ruled out after it.
    pub space_after: f64,
    /// The design points, in parameter units (rows: points; columns: the priors' order).
    pub design: Vec<Vec<f64>>,
    /// The same points on the unit cube (each value's prior probability below it).
    pub unit: Vec<Vec<f64>>,
    /// Each point's replicates' values, target by target (`None`: not reached).
    pub runs: Vec<Vec<Vec<Option<f64>>>>,
    /// Runs made in this attempt (the rest were read from the folder).
    pub runs_made: usize,
    /// The emulators of the targets that are fitted (not held out).
    pub fits: Vec<TargetFit>,
    /// Each design point's largest implausibility over the fitted targets, from its own runs
    /// (no emulator): the points the model itself says are not ruled out.
    pub direct: Vec<f64>,
    /// Which targets rule out what, by this wave's emulators, on what was left before it
    /// (wave 1: the whole prior).
    pub conflicts: Conflict,
}

/// Which targets allow which share of the space (on the points left before a wave, by that
/// wave's emulators).
#[derive(Clone, Debug, Default)]
pub struct Conflict {
    /// Per fitted target: (target index, share of the points where it alone is met).
    pub alone: Vec<(usize, f64)>,
    /// Per pair of fitted targets: (a, b, share where both are met).
    pub pairs: Vec<(usize, usize, f64)>,
}

/// What a calibration found.
#[derive(Clone, Debug)]
pub struct Calibration {
    /// The waves run.
    pub waves: Vec<Wave>,
    /// A sample of the points not ruled out (parameter units) with their largest
    /// implausibility by the last wave's emulators, at most `candidates` of them.
    pub left: Vec<(Vec<f64>, f64)>,
    /// Which targets rule out what, by the last wave (each wave's are in [`Wave::conflicts`]).
    pub conflicts: Conflict,
    /// Why it stopped before `settings.waves`, if it did.
    pub stopped: Option<String>,
}

/// The model as a calibration sees it: `simulate(point, replicate)` gives every target's value
/// (in the targets file's order; `None` where a run did not reach it) of one replicate at a
/// point in parameter units, or why it could not run.
pub type Simulator<'a> = dyn Fn(&[f64], u32) -> Result<Vec<Option<f64>>, String> + Sync + 'a;

/// The seed of batch `batch` of wave `wave`'s samples.
fn sample_seed(seed: u64, wave: usize, batch: usize) -> u64 {
    seed ^ (wave as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (batch as u64).wrapping_mul(0xD1B5_4A32_D192_ED03)
}

/// A value rounded to four significant digits: what a design file shows, and the very value
/// the point runs with.
pub fn four_digits(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let digits = 3 - v.abs().log10().floor() as i32;
    let text = if (0..=15).contains(&digits) {
        format!("{v:.*}", digits as usize)
    } else {
        format!("{v:.3e}")
    };
    text.parse().unwrap_or(v)
}

/// Whether `u` is not ruled out by any wave in `waves`.
pub(super) fn passes(waves: &[Wave], fitted: &[usize], u: &[f64], cutoff: f64) -> bool {
    waves.iter().all(|w| {
        w.fits
            .iter()
            .filter(|f| fitted.contains(&f.target))
            .all(|f| f.implausibility(u) <= cutoff)
    })
}

/// Runs history matching on `targets` (its `[priors]` are the space) with `simulate(point,
/// replicate)` giving every target's value (in file order) of one replicate at a point in
/// parameter units. `progress(wave, runs done, runs in the wave)` is called as runs finish.
pub fn calibrate(
    targets: &Targets,
    settings: &Settings,
    store: &Store,
    simulate: &Simulator<'_>,
    progress: &(dyn Fn(usize, usize, usize) + Sync),
) -> Result<Calibration, CalibrateError> {
    let priors: Vec<Prior> = targets.priors.iter().map(|(_, p)| *p).collect();
    let dims = priors.len();
    if dims == 0 {
        return Err(CalibrateError::Setup(format!(
            "{}: a calibration varies the parameters of the file's `[priors]`, and it has none",
            targets.file
        )));
    }
    let fitted: Vec<usize> = (0..targets.targets.len())
        .filter(|&t| !targets.targets[t].holdout)
        .collect();
    if fitted.is_empty() {
        return Err(CalibrateError::Setup(format!(
            "{}: every target is held out; nothing to fit",
            targets.file
        )));
    }
    let reps = settings.replicates.max(1);
    let mut waves: Vec<Wave> = Vec::new();
    let mut stopped = None;
    let mut conflicts = Conflict::default();
    for number in 1..=settings.waves {
        // 1. What is left, sampled; the design drawn from it.
        let mut left_units: Vec<Vec<f64>> = Vec::new();
        let mut space_before = 1.0;
        for batch in 0..10 {
            let sample = unit_hypercube(
                dims,
                settings.candidates,
                sample_seed(settings.seed, number, batch),
            );
            let ok: Vec<bool> = sample
                .par_iter()
                .map(|u| passes(&waves, &fitted, u, settings.cutoff))
                .collect();
            let before = left_units.len();
            left_units.extend(
                sample
                    .into_iter()
                    .zip(ok)
                    .filter(|(_, k)| *k)
                    .map(|(u, _)| u),
            );
            if batch == 0 {
                space_before = (left_units.len() - before) as f64 / settings.candidates as f64;
            }
            if waves.is_empty() || left_units.len() >= 5 * settings.points {
                break;
            }
        }
        if left_units.is_empty() {
            stopped = Some(format!(
                "nothing of the space is left before wave {number}: no parameter values of the priors meet every target (see the conflicts)"
            ));
            break;
        }
        let chosen = maximin(&left_units, settings.points);
        let design: Vec<Vec<f64>> = chosen
            .iter()
            .map(|&i| {
                left_units[i]
                    .iter()
                    .zip(&priors)
                    .map(|(&u, p)| four_digits(p.quantile(u)))
                    .collect()
            })
            .collect();
        let unit: Vec<Vec<f64>> = design
            .iter()
            .map(|x| x.iter().zip(&priors).map(|(&v, p)| p.cdf(v)).collect())
            .collect();
        // 2. The runs, each point's kept as soon as its replicates are done.
        let total = design.len() * reps as usize;
        let done = std::sync::atomic::AtomicUsize::new(0);
        let made = std::sync::atomic::AtomicUsize::new(0);
        let runs: Vec<Vec<Vec<Option<f64>>>> = design
            .par_iter()
            .enumerate()
            .map(|(i, x)| -> Result<_, CalibrateError> {
                let tick = |n: usize| {
                    let d = done.fetch_add(n, std::sync::atomic::Ordering::Relaxed) + n;
                    progress(number, d, total);
                };
                if let Some(r) = store.cached(
                    &format!("wave-{number}"),
                    i,
                    x,
                    reps as usize,
                    targets.targets.len(),
                ) {
                    tick(reps as usize);
                    return Ok(r);
                }
                let r: Vec<Vec<Option<f64>>> = (0..reps)
                    .into_par_iter()
                    .map(|k| {
                        let v = simulate(x, k).map_err(CalibrateError::Run);
                        tick(1);
                        v
                    })
                    .collect::<Result<_, _>>()?;
                made.fetch_add(reps as usize, std::sync::atomic::Ordering::Relaxed);
                store.save_point(&format!("wave-{number}"), i, x, &r)?;
                Ok(r)
            })
            .collect::<Result<_, _>>()?;
        // 3. An emulator per fitted target, from this wave's runs and every earlier run that
        //    lies in what was left before this wave.
        let mut train_u: Vec<&Vec<f64>> = Vec::new();
        let mut train_runs: Vec<&Vec<Vec<Option<f64>>>> = Vec::new();
        for w in &waves {
            for (u, r) in w.unit.iter().zip(&w.runs) {
                if passes(&waves, &fitted, u, settings.cutoff) {
                    train_u.push(u);
                    train_runs.push(r);
                }
            }
        }
        train_u.extend(unit.iter());
        train_runs.extend(runs.iter());
        let fits: Vec<TargetFit> = fitted
            .par_iter()
            .map(|&t| fit_target(targets, settings, t, &train_u, &train_runs))
            .collect();
        let direct = direct_implausibility(&fits, &runs);
        let mut wave = Wave {
            number,
            space_before,
            space_after: 0.0,
            design,
            unit,
            runs,
            runs_made: made.into_inner(),
            fits,
            direct,
            conflicts: Conflict::default(),
        };
        // 4. What is left after it, and which targets rule out what (on the points left
        //    before it).
        let sample = unit_hypercube(
            dims,
            settings.candidates,
            sample_seed(settings.seed, number, usize::MAX),
        );
        let before: Vec<&Vec<f64>> = sample
            .iter()
            .filter(|u| passes(&waves, &fitted, u, settings.cutoff))
            .collect();
        let met: Vec<Vec<bool>> = before
            .par_iter()
            .map(|u| {
                wave.fits
                    .iter()
                    .map(|f| f.implausibility(u) <= settings.cutoff)
                    .collect()
            })
            .collect();
        let share = |pred: &dyn Fn(&Vec<bool>) -> bool| -> f64 {
            if met.is_empty() {
                0.0
            } else {
                met.iter().filter(|m| pred(m)).count() as f64 / met.len() as f64
            }
        };
        conflicts = Conflict {
            alone: (0..wave.fits.len())
                .map(|a| (wave.fits[a].target, share(&|m| m[a])))
                .collect(),
            pairs: (0..wave.fits.len())
                .flat_map(|a| (a + 1..wave.fits.len()).map(move |b| (a, b)))
                .map(|(a, b)| {
                    (
                        wave.fits[a].target,
                        wave.fits[b].target,
                        share(&|m| m[a] && m[b]),
                    )
                })
                .collect(),
        };
        wave.conflicts = conflicts.clone();
        let all_met = met.iter().filter(|m| m.iter().all(|&k| k)).count();
        wave.space_after = all_met as f64 / settings.candidates as f64;
        waves.push(wave);
        if all_met == 0 {
            stopped = Some(format!(
                "nothing of the space is left after wave {number}: no parameter values of the priors meet every target (see the conflicts)"
            ));
            break;
        }
    }
    // The points left: the last sample's survivors of every wave.
    let left = match waves.last() {
        Some(last) if stopped.is_none() => {
            let sample = unit_hypercube(
                dims,
                settings.candidates,
                sample_seed(settings.seed, last.number, usize::MAX),
            );
            sample
                .par_iter()
                .filter(|u| passes(&waves, &fitted, u, settings.cutoff))
                .map(|u| {
                    let worst = last
                        .fits
                        .iter()
                        .map(|f| f.implausibility(u))
                        .fold(0.0, f64::max);
                    let x = u
                        .iter()
                        .zip(&priors)
                        .map(|(&v, p)| four_digits(p.quantile(v)))
                        .collect();
                    (x, worst)
                })
                .collect()
        }
        _ => Vec::new(),
    };
    Ok(Calibration {
        waves,
        left,
        conflicts,
        stopped,
    })
}

/// Fits target `t`'s emulator to the training runs.
fn fit_target(
    targets: &Targets,
    settings: &Settings,
    t: usize,
    units: &[&Vec<f64>],
    runs: &[&Vec<Vec<Option<f64>>>],
) -> TargetFit {
    let target = &targets.targets[t];
    let observed = target.error.centre(target.observed);
    let v_obs_raw = target.error.variance(target.observed);
    // Points where every replicate reached the target.
    let reached: Vec<(usize, Vec<f64>)> = runs
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            r.iter()
                .map(|rep| rep[t])
                .collect::<Option<Vec<f64>>>()
                .map(|v| (i, v))
        })
        .collect();
    let largest = reached
        .iter()
        .flat_map(|(_, v)| v.iter())
        .fold(observed.abs(), |m, &v| m.max(v.abs()));
    let none_negative = observed >= 0.0 && reached.iter().all(|(_, v)| v.iter().all(|&x| x >= 0.0));
    let log = none_negative && largest > 100.0;
    let (z, v_obs, v_disc) = if log {
        let g = 1.0 / (1.0 + observed);
        (
            observed.ln_1p(),
            v_obs_raw * g * g,
            (settings.discrepancy * observed * g).powi(2),
        )
    } else {
        (
            observed,
            v_obs_raw,
            (settings.discrepancy * observed).powi(2),
        )
    };
    let mut fit = TargetFit {
        target: t,
        log,
        z,
        v_obs,
        v_run: 0.0,
        v_disc,
        used: reached.len(),
        emulator: None,
        diagnostics: None,
    };
    let stats: Vec<(f64, f64)> = reached
        .iter()
        .map(|(_, v)| {
            let s: Vec<f64> = v.iter().map(|&x| fit.scaled(x)).collect();
            let n = s.len() as f64;
            let mean = s.iter().sum::<f64>() / n;
            let var = if s.len() > 1 {
                s.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0)
            } else {
                0.0
            };
            (mean, var)
        })
        .collect();
    if stats.is_empty() {
        return fit;
    }
    let reps = settings.replicates.max(1) as f64;
    fit.v_run = stats.iter().map(|s| s.1).sum::<f64>() / stats.len() as f64;
    let x: Vec<Vec<f64>> = reached.iter().map(|(i, _)| units[*i].clone()).collect();
    let y: Vec<f64> = stats.iter().map(|s| s.0).collect();
    let spread = {
        let m = y.iter().sum::<f64>() / y.len() as f64;
        y.iter().map(|v| (v - m).powi(2)).sum::<f64>() / y.len() as f64
    };
    // Each mean's own noise; never below a tenth of the pooled one, so a point whose few
    // replicates happened to agree does not pin the emulator.
    let noise: Vec<f64> = stats
        .iter()
        .map(|s| (s.1.max(0.1 * fit.v_run) / reps).max(1e-9 * spread))
        .collect();
    fit.emulator = Emulator::fit(&x, &y, &noise);
    fit.diagnostics = fit.emulator.as_ref().map(Emulator::leave_one_out);
    fit
}

/// Each design point's largest implausibility over the fitted targets from its own runs.
fn direct_implausibility(fits: &[TargetFit], runs: &[Vec<Vec<Option<f64>>>]) -> Vec<f64> {
    runs.iter()
        .map(|r| {
            fits.iter()
                .map(|f| {
                    let vals: Option<Vec<f64>> = r
                        .iter()
                        .map(|rep| rep[f.target].map(|v| f.scaled(v)))
                        .collect();
                    match vals {
                        Some(v) if !v.is_empty() => {
                            let mean = v.iter().sum::<f64>() / v.len() as f64;
                            (f.z - mean).abs() / (f.v_obs + f.v_run + f.v_disc).sqrt()
                        }
                        _ => f64::INFINITY,
                    }
                })
                .fold(0.0, f64::max)
        })
        .collect()
}

/// `k` of `points` spread as far apart as a greedy maximin choice makes them: the first
/// point, then each time the point farthest from every one chosen.
fn maximin(points: &[Vec<f64>], k: usize) -> Vec<usize> {
    if points.len() <= k {
        return (0..points.len()).collect();
    }
    let dist = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(p, q)| (p - q).powi(2)).sum::<f64>();
    let mut chosen = vec![0usize];
    let mut nearest: Vec<f64> = points.iter().map(|p| dist(p, &points[0])).collect();
    while chosen.len() < k {
        let (far, _) = nearest
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))
            .expect("points is not empty");
        chosen.push(far);
        for (n, p) in nearest.iter_mut().zip(points) {
            *n = n.min(dist(p, &points[far]));
        }
    }
    chosen
}
