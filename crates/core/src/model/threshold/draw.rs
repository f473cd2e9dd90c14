//! Drawing thresholds and picking people: keyed by person, so one more person changes
//! only what that person touches.

use rayon::prelude::*;

use super::params::*;
use crate::rng::{Purpose, Stream};
use crate::stats::normal_quantile;

/// `count` distinct persons from `pool` (all if fewer): those with the smallest draws keyed by
/// person, in the order of their draws.
pub(super) fn choose(
    pool: Vec<u32>,
    count: u64,
    stream_of: impl Fn(u32) -> Stream + Sync,
) -> Vec<u32> {
    // Each person's draw is keyed by the person, not by their place in the pool: adding a
    // person to the world changes the picks only if the newcomer's key is among the
    // `count` smallest (common random numbers across N → N + 1).
    let k = (count.min(pool.len() as u64)) as usize;
    if k == 0 {
        return Vec::new();
    }
    let order = |a: &(f64, u32), b: &(f64, u32)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
    // The k smallest of each block, then of their union: memory for k per block, not one
    // draw per person (16 bytes a person: 160 MB for ten million).
    let smallest = |mut v: Vec<(f64, u32)>| {
        if k < v.len() {
            v.select_nth_unstable_by(k - 1, order);
            v.truncate(k);
        }
        v
    };
    let mut keyed = pool
        .par_chunks(1 << 16)
        .map(|c| smallest(c.iter().map(|&i| (stream_of(i).uniform(), i)).collect()))
        .reduce(Vec::new, |mut a, b| {
            a.extend(b);
            smallest(a)
        });
    keyed.sort_unstable_by(order);
    keyed.into_iter().map(|(_, i)| i).collect()
}

/// Each person's threshold, in person order, rounded and clipped to the unit's range.
pub fn draw_thresholds(params: &ThresholdParams, n: usize, seed: u64) -> Vec<f64> {
    let hi = match params.unit {
        ThresholdUnit::Count => n as f64,
        ThresholdUnit::Fraction => 1.0,
    };
    let finish = |v: f64| {
        let v = match params.rounding {
            Rounding::None => v,
            Rounding::Round => v.round(),
            Rounding::Floor => v.floor(),
            Rounding::Ceil => v.ceil(),
        };
        v.clamp(0.0, hi)
    };
    let quantile = |u: f64| match params.distribution {
        Distribution::Uniform { min, max, .. } => min + u * (max - min),
        Distribution::Normal { mean, sd, .. } => mean + sd * normal_quantile(u),
        Distribution::List(_) => unreachable!("lists are not sampled"),
    };
    let sampling = match &params.distribution {
        Distribution::List(values) => return values.iter().map(|&v| finish(v)).collect(),
        Distribution::Uniform { sampling, .. } | Distribution::Normal { sampling, .. } => *sampling,
    };
    match sampling {
        Sampling::Quantile => {
            let mut v: Vec<f64> = (0..n)
                .into_par_iter()
                .map(|i| finish(quantile((i as f64 + 0.5) / n as f64)))
                .collect();
            // Shuffle so that thresholds are not correlated with person numbers (and so with
            // households and regions).
            let mut s = Stream::new(seed, Purpose::THRESHOLD, 0, u32::MAX);
            for i in (1..n).rev() {
                let j = s.below(i as u32 + 1) as usize;
                v.swap(i, j);
            }
            v
        }
        Sampling::Random => (0..n)
            .into_par_iter()
            .map(|i| {
                let mut s = Stream::new(seed, Purpose::THRESHOLD, 0, i as u32);
                let u = (s.uniform() + 0.5 / (1u64 << 53) as f64).min(1.0 - f64::EPSILON);
                finish(quantile(u))
            })
            .collect(),
    }
}
