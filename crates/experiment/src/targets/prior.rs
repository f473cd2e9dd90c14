//! Priors: how a parameter is drawn before any target is seen, and Latin hypercubes of them.

use serde::Deserialize;

/// How a parameter is drawn before any target is seen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Prior {
    /// Uniform on [min, max].
    Uniform {
        /// Low end.
        min: f64,
        /// High end.
        max: f64,
    },
    /// Uniform in the logarithm on [min, max], min > 0: every factor of ten as likely (for
    /// rates known only to an order of magnitude).
    LogUniform {
        /// Low end (> 0).
        min: f64,
        /// High end.
        max: f64,
    },
    /// Normal with this mean and standard deviation (a value outside the parameter's range
    /// is refused when the point is validated).
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation (> 0).
        sd: f64,
    },
    /// Beta(a, b) stretched onto [min, max] (by default [0, 1]).
    Beta {
        /// Shape a (> 0).
        a: f64,
        /// Shape b (> 0).
        b: f64,
        /// Low end.
        min: f64,
        /// High end.
        max: f64,
    },
}

impl Prior {
    /// Its bounds: (min, max) of a uniform, log-uniform or beta prior, none for a normal one.
    /// A bound not yet taken from the declared range is NaN.
    pub fn bounds(&self) -> Option<(f64, f64)> {
        match *self {
            Prior::Uniform { min, max } | Prior::LogUniform { min, max } => Some((min, max)),
            Prior::Beta { min, max, .. } => Some((min, max)),
            Prior::Normal { .. } => None,
        }
    }

    /// The value at cumulative probability `u` in (0, 1).
    pub fn quantile(&self, u: f64) -> f64 {
        match *self {
            Prior::Uniform { min, max } => min + u * (max - min),
            Prior::LogUniform { min, max } => (min.ln() + u * (max.ln() - min.ln())).exp(),
            Prior::Normal { mean, sd } => mean + sd * mobilize_core::stats::normal_quantile(u),
            Prior::Beta { a, b, min, max } => {
                // The incomplete beta function is increasing in x: bisection to 1e-12.
                let (mut lo, mut hi) = (0.0f64, 1.0f64);
                for _ in 0..60 {
                    let mid = 0.5 * (lo + hi);
                    if mobilize_core::stats::incomplete_beta(mid, a, b) < u {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                min + 0.5 * (lo + hi) * (max - min)
            }
        }
    }

    /// The cumulative probability of `x`: the inverse of [`Prior::quantile`], clamped to
    /// [0, 1] outside the support.
    pub fn cdf(&self, x: f64) -> f64 {
        let u = match *self {
            Prior::Uniform { min, max } => (x - min) / (max - min),
            Prior::LogUniform { min, max } => {
                if x <= 0.0 {
                    0.0
                } else {
                    (x.ln() - min.ln()) / (max.ln() - min.ln())
                }
            }
            Prior::Normal { .. } => {
                // The quantile is increasing in u: bisection to 1e-15.
                let (mut lo, mut hi) = (0.0f64, 1.0f64);
                for _ in 0..50 {
                    let mid = 0.5 * (lo + hi);
                    if self.quantile(mid) < x {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                0.5 * (lo + hi)
            }
            Prior::Beta { a, b, min, max } => {
                let t = ((x - min) / (max - min)).clamp(0.0, 1.0);
                mobilize_core::stats::incomplete_beta(t, a, b)
            }
        };
        u.clamp(0.0, 1.0)
    }
}

/// A Latin hypercube of `n` points from `priors`: each parameter's range cut into `n` strata
/// of equal prior probability, each stratum drawn once, the strata paired at random across
/// parameters; the same `seed` gives the same points. Rows are points, columns parameters.
pub fn latin_hypercube(priors: &[(String, Prior)], n: usize, seed: u64) -> Vec<Vec<f64>> {
    unit_hypercube(priors.len(), n, seed)
        .into_iter()
        .map(|row| {
            row.iter()
                .zip(priors)
                .map(|(&u, (_, prior))| prior.quantile(u))
                .collect()
        })
        .collect()
}

/// A Latin hypercube of `n` points in the unit cube of `dims` dimensions, every coordinate
/// strictly inside (0, 1): the cumulative probabilities [`latin_hypercube`] maps through the
/// priors.
pub fn unit_hypercube(dims: usize, n: usize, seed: u64) -> Vec<Vec<f64>> {
    // SplitMix64: a small, well-mixed generator, enough to shuffle strata reproducibly.
    let mut state = seed ^ 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut rows = vec![vec![0.0; dims]; n];
    for d in 0..dims {
        let mut strata: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = (next() % (i as u64 + 1)) as usize;
            strata.swap(i, j);
        }
        for (row, &k) in rows.iter_mut().zip(&strata) {
            // Within the stratum, strictly inside (0, 1).
            let within = ((next() >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
            row[d] = (k as f64 + within) / n as f64;
        }
    }
    rows
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPrior {
    dist: String,
    min: Option<f64>,
    max: Option<f64>,
    mean: Option<f64>,
    sd: Option<f64>,
    a: Option<f64>,
    b: Option<f64>,
}

pub(super) fn check_prior(raw: RawPrior) -> Result<Prior, String> {
    let given = |v: Option<f64>, field: &str| -> Result<f64, String> {
        let v = v.ok_or_else(|| format!("`{}` needs `{field}`", raw.dist))?;
        if v.is_finite() {
            Ok(v)
        } else {
            Err(format!("`{field}`: {v} is not a number"))
        }
    };
    let none = |fields: &[(&str, Option<f64>)]| -> Result<(), String> {
        match fields.iter().find(|(_, v)| v.is_some()) {
            Some((f, _)) => Err(format!("`{f}` does not apply to `{}`", raw.dist)),
            None => Ok(()),
        }
    };
    let range = |min: f64, max: f64| -> Result<(), String> {
        if min < max {
            Ok(())
        } else {
            Err(format!(
                "[{min}, {max}] is not a range (allowed: min < max)"
            ))
        }
    };
    match raw.dist.as_str() {
        "uniform" | "log_uniform" => {
            none(&[
                ("mean", raw.mean),
                ("sd", raw.sd),
                ("a", raw.a),
                ("b", raw.b),
            ])?;
            // A bound not given is taken from the parameter's declared range later
            // (`Targets::bound_priors`); NaN marks it until then.
            let bound = |v: Option<f64>, field: &str| match v {
                Some(_) => given(v, field),
                None => Ok(f64::NAN),
            };
            let (min, max) = (bound(raw.min, "min")?, bound(raw.max, "max")?);
            if min.is_finite() && max.is_finite() {
                range(min, max)?;
            }
            if raw.dist == "uniform" {
                Ok(Prior::Uniform { min, max })
            } else if min.is_nan() || min > 0.0 {
                Ok(Prior::LogUniform { min, max })
            } else {
                Err(format!("`log_uniform` needs min > 0 (found {min})"))
            }
        }
        "normal" => {
            none(&[
                ("min", raw.min),
                ("max", raw.max),
                ("a", raw.a),
                ("b", raw.b),
            ])?;
            let (mean, sd) = (given(raw.mean, "mean")?, given(raw.sd, "sd")?);
            if sd <= 0.0 {
                return Err(format!("`sd`: {sd} is out of range (allowed: more than 0)"));
            }
            Ok(Prior::Normal { mean, sd })
        }
        "beta" => {
            none(&[("mean", raw.mean), ("sd", raw.sd)])?;
            let (a, b) = (given(raw.a, "a")?, given(raw.b, "b")?);
            if a <= 0.0 || b <= 0.0 {
                return Err(format!("a = {a}, b = {b} (allowed: both more than 0)"));
            }
            let (min, max) = (raw.min.unwrap_or(0.0), raw.max.unwrap_or(1.0));
            range(min, max)?;
            Ok(Prior::Beta { a, b, min, max })
        }
        other => Err(format!(
            "`dist`: unknown value `{other}` (allowed: uniform, log_uniform, normal, beta)"
        )),
    }
}
