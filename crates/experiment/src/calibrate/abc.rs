//! ABC-SMC: weighted draws from the posterior, by simulation, inside what history matching
//! left.
//!
//! Approximate Bayesian computation by sequential Monte Carlo (Toni et al. 2009; the weights
//! and the perturbation kernel of Beaumont et al. 2009; the tolerance set adaptively as a
//! quantile of the last generation's distances, as in Del Moral, Doucet and Jasra 2012):
//!
//! - generation 0 draws `particles` points from the prior, restricted to the points history
//!   matching did not rule out, and runs each once;
//! - each later generation sets the tolerance ε to the `quantile` of the previous generation's
//!   distances, proposes points by drawing a particle by weight and moving it with a Gaussian
//!   kernel (twice the particles' weighted variance, per parameter, on the unit cube), runs
//!   each once, and keeps those within ε until it has `particles`; a kept point's weight is
//!   the prior over the proposal density (on the unit cube the prior is flat, so 1 over
//!   Σ_j w_j K(u | u_j));
//! - it stops after `generations`, when ε reaches `min_epsilon` (one standard deviation of the
//!   record by default: the record's uncertainty read as a uniform error, Wilkinson 2013), or
//!   when fewer than `min_acceptance` of the proposals are kept.
//!
//! The distance between a run and the record is the weighted root mean square of each fitted
//! target's standardized error, (f − z) / √(V_obs + V_disc), in the emulation scale history
//! matching chose (log(1 + v) for counts over 100); the targets file's `weight` is the weight.
//!
//! Proposals are made in batches from a seeded stream and judged in order, so the draws do not
//! depend on how many threads ran them; every run is kept in the folder as it finishes.

use rayon::prelude::*;

use super::waves::{passes, Simulator, Wave};
use super::{CalibrateError, Store};
use crate::targets::{Prior, Targets};

/// How ABC-SMC is run.
#[derive(Clone, Debug, PartialEq)]
pub struct AbcSettings {
    /// Particles kept per generation.
    pub particles: usize,
    /// Generations at most after generation 0.
    pub generations: usize,
    /// The next tolerance as this quantile of the last generation's distances.
    pub quantile: f64,
    /// The smallest tolerance (standard deviations of the record).
    pub min_epsilon: f64,
    /// Stop when fewer than this share of a generation's proposals are kept.
    pub min_acceptance: f64,
    /// Seed of the proposals.
    pub seed: u64,
}

impl Default for AbcSettings {
    fn default() -> Self {
        AbcSettings {
            particles: 200,
            generations: 6,
            quantile: 0.5,
            min_epsilon: 1.0,
            min_acceptance: 0.02,
            seed: 1,
        }
    }
}

/// A draw of the posterior.
#[derive(Clone, Debug, PartialEq)]
pub struct Particle {
    /// Parameter values, in the priors' order.
    pub x: Vec<f64>,
    /// The same on the unit cube.
    pub unit: Vec<f64>,
    /// Normalized weight (the weights sum to 1).
    pub weight: f64,
    /// Distance of its run from the record.
    pub distance: f64,
    /// Its run's value of every target (held-out ones too), in file order.
    pub values: Vec<Option<f64>>,
}

/// One generation.
#[derive(Clone, Debug, PartialEq)]
pub struct Generation {
    /// From 0.
    pub number: usize,
    /// Tolerance (infinite in generation 0).
    pub epsilon: f64,
    /// Points run.
    pub proposed: usize,
    /// Points kept.
    pub accepted: usize,
    /// Effective sample size of the weights, (Σw)² / Σw².
    pub ess: f64,
}

/// The posterior ABC-SMC found.
#[derive(Clone, Debug, PartialEq)]
pub struct Posterior {
    /// The last generation's particles.
    pub particles: Vec<Particle>,
    /// Every generation.
    pub generations: Vec<Generation>,
    /// Why it stopped.
    pub stopped: String,
    /// Runs made in this attempt (the rest were read from the folder).
    pub runs_made: usize,
}

/// How a target enters the distance: scale, observation, spread and weight.
#[derive(Clone, Debug)]
struct Scale {
    target: usize,
    log: bool,
    z: f64,
    sd: f64,
    weight: f64,
}

fn scales(targets: &Targets, waves: &[Wave], discrepancy: f64) -> Vec<Scale> {
    let last = waves.last();
    targets
        .targets
        .iter()
        .enumerate()
        .filter(|(_, t)| !t.holdout)
        .map(|(i, t)| {
            let fit = last.and_then(|w| w.fits.iter().find(|f| f.target == i));
            let observed = t.error.centre(t.observed);
            let (log, z, var) = match fit {
                Some(f) => (f.log, f.z, f.v_obs + f.v_disc),
                None => {
                    let v = t.error.variance(t.observed) + (discrepancy * observed).powi(2);
                    if observed > 100.0 {
                        let g = 1.0 / (1.0 + observed);
                        (true, observed.ln_1p(), v * g * g)
                    } else {
                        (false, observed, v)
                    }
                }
            };
            Scale {
                target: i,
                log,
                z,
                sd: var.sqrt().max(1e-12),
                weight: t.weight,
            }
        })
        .collect()
}

fn distance(scales: &[Scale], values: &[Option<f64>]) -> f64 {
    let mut sum = 0.0;
    let mut weights = 0.0;
    for s in scales {
        let Some(v) = values[s.target] else {
            return f64::INFINITY;
        };
        let v = if s.log { v.max(0.0).ln_1p() } else { v };
        sum += s.weight * ((v - s.z) / s.sd).powi(2);
        weights += s.weight;
    }
    (sum / weights.max(f64::MIN_POSITIVE)).sqrt()
}

/// A small seeded stream: SplitMix64, uniforms in (0, 1) and normals by Box–Muller.
struct Stream(u64);

impl Stream {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn uniform(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        let (a, b) = (self.uniform(), self.uniform());
        (-2.0 * a.ln()).sqrt() * (std::f64::consts::TAU * b).cos()
    }
}

/// Runs ABC-SMC on `targets` inside what `waves` left (everything, with no waves).
#[allow(clippy::too_many_arguments)]
pub fn abc_smc(
    targets: &Targets,
    waves: &[Wave],
    cutoff: f64,
    discrepancy: f64,
    settings: &AbcSettings,
    store: &Store,
    simulate: &Simulator<'_>,
    progress: &(dyn Fn(usize, usize, usize) + Sync),
) -> Result<Posterior, CalibrateError> {
    let priors: Vec<Prior> = targets.priors.iter().map(|(_, p)| *p).collect();
    let dims = priors.len();
    let fitted: Vec<usize> = (0..targets.targets.len())
        .filter(|&t| !targets.targets[t].holdout)
        .collect();
    let scales = scales(targets, waves, discrepancy);
    let n = settings.particles.max(2);
    let mut generations: Vec<Generation> = Vec::new();
    let mut particles: Vec<Particle> = Vec::new();
    let made = std::sync::atomic::AtomicUsize::new(0);
    let mut stopped = format!("{} generations run", settings.generations);
    for g in 0..=settings.generations {
        let epsilon = if g == 0 {
            f64::INFINITY
        } else {
            let mut d: Vec<f64> = particles.iter().map(|p| p.distance).collect();
            d.sort_by(f64::total_cmp);
            let q =
                d[((settings.quantile * (d.len() - 1) as f64).round() as usize).min(d.len() - 1)];
            q.max(settings.min_epsilon)
        };
        // The kernel: twice the weighted variance of each coordinate (Beaumont et al. 2009).
        let sd: Vec<f64> = (0..dims)
            .map(|k| {
                let m: f64 = particles.iter().map(|p| p.weight * p.unit[k]).sum();
                let v: f64 = particles
                    .iter()
                    .map(|p| p.weight * (p.unit[k] - m).powi(2))
                    .sum();
                (2.0 * v).sqrt().max(1e-6)
            })
            .collect();
        let cumulative: Vec<f64> = particles
            .iter()
            .scan(0.0, |c, p| {
                *c += p.weight;
                Some(*c)
            })
            .collect();
        let mut stream = Stream(settings.seed ^ (g as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
        let mut tries = 0u64;
        let mut propose = || -> Result<Vec<f64>, CalibrateError> {
            loop {
                tries += 1;
                if tries > 100_000_000 {
                    return Err(CalibrateError::Setup(
                        "no proposal in 10⁸ lands in what history matching left".into(),
                    ));
                }
                let u: Vec<f64> = if g == 0 {
                    (0..dims).map(|_| stream.uniform()).collect()
                } else {
                    let r = stream.uniform() * cumulative.last().copied().unwrap_or(1.0);
                    let j = cumulative
                        .partition_point(|&c| c < r)
                        .min(particles.len() - 1);
                    particles[j]
                        .unit
                        .iter()
                        .zip(&sd)
                        .map(|(&c, &s)| c + s * stream.normal())
                        .collect()
                };
                if u.iter().all(|&v| v > 0.0 && v < 1.0) && passes(waves, &fitted, &u, cutoff) {
                    return Ok(u);
                }
            }
        };
        let mut kept: Vec<Particle> = Vec::new();
        let mut proposed = 0usize;
        let mut batch = n;
        let stage = format!("abc-{g}");
        while kept.len() < n {
            let units: Vec<Vec<f64>> = (0..batch).map(|_| propose()).collect::<Result<_, _>>()?;
            let xs: Vec<Vec<f64>> = units
                .iter()
                .map(|u| {
                    u.iter()
                        .zip(&priors)
                        .map(|(&v, p)| super::four_digits(p.quantile(v)))
                        .collect()
                })
                .collect();
            let first = proposed;
            let done = std::sync::atomic::AtomicUsize::new(0);
            let runs: Vec<Vec<Option<f64>>> = xs
                .par_iter()
                .enumerate()
                .map(|(i, x)| -> Result<_, CalibrateError> {
                    let id = first + i;
                    let r = match store.cached(&stage, id, x, 1, targets.targets.len()) {
                        Some(mut r) => r.remove(0),
                        None => {
                            // Each proposal its own replicate seed: ABC needs independent runs.
                            let r = simulate(x, id as u32 + 1_000_000 * g as u32)
                                .map_err(CalibrateError::Run)?;
                            store.save_point(&stage, id, x, std::slice::from_ref(&r))?;
                            made.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            r
                        }
                    };
                    let d = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    progress(g, first + d, first + batch);
                    Ok(r)
                })
                .collect::<Result<_, _>>()?;
            for ((x, u), r) in xs.into_iter().zip(units).zip(runs) {
                proposed += 1;
                let d = distance(&scales, &r);
                if d.is_finite() && d <= epsilon && kept.len() < n {
                    kept.push(Particle {
                        x,
                        unit: u,
                        weight: 0.0,
                        distance: d,
                        values: r,
                    });
                }
            }
            let rate = kept.len().max(1) as f64 / proposed as f64;
            if rate < settings.min_acceptance && proposed >= n {
                break;
            }
            batch = (((n - kept.len().min(n)) as f64 / rate).ceil() as usize).clamp(1, 20 * n);
        }
        let rate = kept.len() as f64 / proposed.max(1) as f64;
        if kept.len() < n {
            stopped = format!(
                "generation {g} kept {} of {proposed} proposals (below {} %): the tolerance {epsilon:.2} is as close as runs get",
                kept.len(),
                100.0 * settings.min_acceptance
            );
            break;
        }
        // Weights: the prior (flat on the cube) over the proposal density.
        let weights: Vec<f64> = if g == 0 {
            vec![1.0; kept.len()]
        } else {
            kept.par_iter()
                .map(|k| {
                    let u = &k.unit;
                    let q: f64 = particles
                        .iter()
                        .map(|p| {
                            let e: f64 = p
                                .unit
                                .iter()
                                .zip(u)
                                .zip(&sd)
                                .map(|((a, b), s)| ((a - b) / s).powi(2))
                                .sum();
                            p.weight * (-0.5 * e).exp()
                        })
                        .sum();
                    1.0 / q.max(f64::MIN_POSITIVE)
                })
                .collect()
        };
        let total: f64 = weights.iter().sum();
        for (k, w) in kept.iter_mut().zip(&weights) {
            k.weight = w / total;
        }
        particles = kept;
        let ess = 1.0 / particles.iter().map(|p| p.weight * p.weight).sum::<f64>();
        generations.push(Generation {
            number: g,
            epsilon,
            proposed,
            accepted: particles.len(),
            ess,
        });
        if g > 0 && epsilon <= settings.min_epsilon {
            stopped = format!(
                "the tolerance reached {} standard deviation(s) of the record",
                settings.min_epsilon
            );
            break;
        }
        if rate < settings.min_acceptance {
            stopped = format!(
                "generation {g} kept {:.1} % of its proposals (below {} %)",
                100.0 * rate,
                100.0 * settings.min_acceptance
            );
            break;
        }
    }
    Ok(Posterior {
        particles,
        generations,
        stopped,
        runs_made: made.into_inner(),
    })
}
