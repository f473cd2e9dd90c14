//! A Gaussian-process emulator of one target: what the model's mean would be at a point it
//! was not run at, and how unsure that guess is.
//!
//! The model is expensive (a second or more a run) and history matching asks it about tens of
//! thousands of points a wave; the emulator answers in microseconds from the runs of the wave.
//! It is the usual one of history matching (Andrianakis et al. 2015; Vernon, Goldstein and
//! Bower 2010): a linear regression on the inputs for the trend, and a Gaussian process with a
//! squared-exponential kernel, one length scale per input, for what the trend misses:
//!
//! f(x) = h(x)ᵀβ + u(x),  cov(u(x), u(x')) = σ² exp(−Σ_j (x_j − x'_j)² / 2ℓ_j²),
//!
//! with inputs on the unit cube (each parameter through its prior's cumulative distribution).
//! Each training value is a mean over replicates, so it carries its own known noise (the
//! replicates' variance over their number) on the diagonal: the emulator does not interpolate
//! the noise. β is fitted by least squares first; σ² and the ℓ_j maximize the residuals'
//! marginal likelihood by a deterministic coordinate search. The design has at most a few
//! hundred points, so the linear algebra is a dense Cholesky factorization written here rather
//! than a dependency (it is twenty lines; a linear-algebra crate would add more to a cold build
//! than the whole emulator).

/// A fitted emulator.
#[derive(Clone, Debug)]
pub struct Emulator {
    /// Training inputs (unit cube), one row per point.
    x: Vec<Vec<f64>>,
    /// Trend coefficients: intercept, then one per input.
    beta: Vec<f64>,
    /// Process variance σ² (in the target's emulation scale, squared).
    pub variance: f64,
    /// Length scales ℓ_j (unit-cube units): how far a parameter must move for the residual to
    /// change; long means the target barely depends on it beyond the trend.
    pub lengths: Vec<f64>,
    /// Cholesky factor of the training covariance (lower, row-major n × n).
    chol: Vec<f64>,
    /// K⁻¹ (y − Hβ).
    alpha: Vec<f64>,
}

/// How well an emulator predicts the runs it was not given: leave-one-out.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Diagnostics {
    /// Share of training points whose left-out standardized error is within ±3.
    pub within_three: f64,
    /// Root mean square of the left-out errors, in the emulation scale.
    pub rmse: f64,
}

/// The jitter added to the diagonal, as a share of σ², so the factorization never fails on
/// two points that nearly coincide.
const JITTER: f64 = 1e-8;

impl Emulator {
    /// Fits an emulator to `y[i]` observed at `x[i]` with noise variance `noise[i]`. Needs at
    /// least two points more than inputs (for the trend); returns `None` with fewer, or when
    /// the values do not vary at all.
    pub fn fit(x: &[Vec<f64>], y: &[f64], noise: &[f64]) -> Option<Emulator> {
        let n = x.len();
        let d = x.first().map_or(0, Vec::len);
        if n < d + 3 {
            return None;
        }
        let beta = least_squares(x, y)?;
        let resid: Vec<f64> = x
            .iter()
            .zip(y)
            .map(|(xi, yi)| yi - trend(&beta, xi))
            .collect();
        let spread = resid.iter().map(|r| r * r).sum::<f64>() / n as f64;
        let scale = y.iter().map(|v| v * v).sum::<f64>() / n as f64;
        let floor = 1e-12 * scale.max(1e-300);
        let start = spread.max(floor);
        // Coordinate search on log σ² and each log ℓ_j, from σ² = the residuals' variance and
        // ℓ = 0.3, with steps that halve when nothing improves.
        let mut params: Vec<f64> = std::iter::once(start.ln())
            .chain(std::iter::repeat_n(0.3f64.ln(), d))
            .collect();
        let bounds = |k: usize| -> (f64, f64) {
            if k == 0 {
                ((start * 1e-4).max(floor).ln(), (start * 1e2).ln())
            } else {
                (0.02f64.ln(), 10.0f64.ln())
            }
        };
        let nll = |p: &[f64]| neg_log_likelihood(x, &resid, noise, p);
        let mut best = nll(&params);
        let mut step = 2.0f64.ln();
        while step > 0.05 {
            let mut moved = false;
            for k in 0..params.len() {
                for dir in [1.0, -1.0] {
                    let (lo, hi) = bounds(k);
                    let mut trial = params.clone();
                    trial[k] = (trial[k] + dir * step).clamp(lo, hi);
                    if trial[k] == params[k] {
                        continue;
                    }
                    let v = nll(&trial);
                    if v < best {
                        best = v;
                        params = trial;
                        moved = true;
                        break;
                    }
                }
            }
            if !moved {
                step /= 2.0;
            }
        }
        let variance = params[0].exp();
        let lengths: Vec<f64> = params[1..].iter().map(|l| l.exp()).collect();
        let k = covariance(x, noise, variance, &lengths);
        let chol = cholesky(k, n)?;
        let alpha = solve(&chol, n, &resid);
        Some(Emulator {
            x: x.to_vec(),
            beta,
            variance,
            lengths,
            chol,
            alpha,
        })
    }

    /// The emulator's mean and variance at `p` (unit cube), in the emulation scale.
    pub fn predict(&self, p: &[f64]) -> (f64, f64) {
        let ks: Vec<f64> = self
            .x
            .iter()
            .map(|xi| kernel(xi, p, self.variance, &self.lengths))
            .collect();
        let mean =
            trend(&self.beta, p) + ks.iter().zip(&self.alpha).map(|(a, b)| a * b).sum::<f64>();
        let v = forward(&self.chol, self.x.len(), &ks);
        let var = (self.variance - v.iter().map(|a| a * a).sum::<f64>()).max(0.0);
        (mean, var)
    }

    /// Leave-one-out errors of the Gaussian-process part against `y` (the values it was fitted
    /// to), from the closed form (Rasmussen and Williams 2006, §5.4.2): the left-out mean is
    /// yᵢ − αᵢ / [K⁻¹]ᵢᵢ and its variance 1 / [K⁻¹]ᵢᵢ (the trend held fixed).
    pub fn leave_one_out(&self) -> Diagnostics {
        let n = self.x.len();
        let mut within = 0usize;
        let mut sq = 0.0;
        for i in 0..n {
            let mut e = vec![0.0; n];
            e[i] = 1.0;
            let col = solve(&self.chol, n, &e);
            let kii = col[i];
            let err = self.alpha[i] / kii;
            let sd = (1.0 / kii).sqrt();
            if (err / sd).abs() <= 3.0 {
                within += 1;
            }
            sq += err * err;
        }
        Diagnostics {
            within_three: within as f64 / n as f64,
            rmse: (sq / n as f64).sqrt(),
        }
    }
}

fn trend(beta: &[f64], x: &[f64]) -> f64 {
    beta[0] + beta[1..].iter().zip(x).map(|(b, v)| b * v).sum::<f64>()
}

fn kernel(a: &[f64], b: &[f64], variance: f64, lengths: &[f64]) -> f64 {
    let r2: f64 = a
        .iter()
        .zip(b)
        .zip(lengths)
        .map(|((p, q), l)| ((p - q) / l).powi(2))
        .sum();
    variance * (-0.5 * r2).exp()
}

fn covariance(x: &[Vec<f64>], noise: &[f64], variance: f64, lengths: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut k = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let v = kernel(&x[i], &x[j], variance, lengths);
            k[i * n + j] = v;
            k[j * n + i] = v;
        }
        k[i * n + i] += noise[i] + JITTER * variance;
    }
    k
}

/// −log p(resid | σ², ℓ) up to a constant: ½ rᵀK⁻¹r + Σ log Lᵢᵢ.
fn neg_log_likelihood(x: &[Vec<f64>], resid: &[f64], noise: &[f64], p: &[f64]) -> f64 {
    let n = x.len();
    let lengths: Vec<f64> = p[1..].iter().map(|l| l.exp()).collect();
    let k = covariance(x, noise, p[0].exp(), &lengths);
    let Some(l) = cholesky(k, n) else {
        return f64::INFINITY;
    };
    let v = forward(&l, n, resid);
    let logdet: f64 = (0..n).map(|i| l[i * n + i].ln()).sum();
    0.5 * v.iter().map(|a| a * a).sum::<f64>() + logdet
}

/// The lower Cholesky factor of a symmetric positive definite `n × n` matrix, in place;
/// `None` if it is not positive definite.
fn cholesky(mut a: Vec<f64>, n: usize) -> Option<Vec<f64>> {
    for j in 0..n {
        let mut d = a[j * n + j];
        for k in 0..j {
            d -= a[j * n + k] * a[j * n + k];
        }
        if d <= 0.0 || !d.is_finite() {
            return None;
        }
        let d = d.sqrt();
        a[j * n + j] = d;
        for i in j + 1..n {
            let mut s = a[i * n + j];
            for k in 0..j {
                s -= a[i * n + k] * a[j * n + k];
            }
            a[i * n + j] = s / d;
        }
        for i in 0..j {
            a[i * n + j] = 0.0;
        }
    }
    Some(a)
}

/// L v = b.
fn forward(l: &[f64], n: usize, b: &[f64]) -> Vec<f64> {
    let mut v = b.to_vec();
    for i in 0..n {
        let mut s = v[i];
        for k in 0..i {
            s -= l[i * n + k] * v[k];
        }
        v[i] = s / l[i * n + i];
    }
    v
}

/// (L Lᵀ) x = b.
fn solve(l: &[f64], n: usize, b: &[f64]) -> Vec<f64> {
    let mut v = forward(l, n, b);
    for i in (0..n).rev() {
        let mut s = v[i];
        for k in i + 1..n {
            s -= l[k * n + i] * v[k];
        }
        v[i] = s / l[i * n + i];
    }
    v
}

/// Least squares of `y` on [1, x]: the normal equations with a tiny ridge so a design that
/// does not vary an input still solves.
fn least_squares(x: &[Vec<f64>], y: &[f64]) -> Option<Vec<f64>> {
    let d = x.first().map_or(0, Vec::len) + 1;
    let mut ata = vec![0.0; d * d];
    let mut aty = vec![0.0; d];
    for (xi, yi) in x.iter().zip(y) {
        let h: Vec<f64> = std::iter::once(1.0).chain(xi.iter().copied()).collect();
        for a in 0..d {
            aty[a] += h[a] * yi;
            for b in 0..d {
                ata[a * d + b] += h[a] * h[b];
            }
        }
    }
    for a in 0..d {
        ata[a * d + a] += 1e-9 * (1.0 + ata[a * d + a]);
    }
    let l = cholesky(ata, d)?;
    Some(solve(&l, d, &aty))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(n: usize) -> Vec<Vec<f64>> {
        (0..n)
            .flat_map(|i| {
                (0..n).map(move |j| vec![i as f64 / (n - 1) as f64, j as f64 / (n - 1) as f64])
            })
            .collect()
    }

    #[test]
    fn cholesky_solves_a_known_system() {
        // [[4, 2], [2, 3]] x = [2, 1] → x = [0.5, 0].
        let l = cholesky(vec![4.0, 2.0, 2.0, 3.0], 2).unwrap();
        let x = solve(&l, 2, &[2.0, 1.0]);
        assert!((x[0] - 0.5).abs() < 1e-12 && x[1].abs() < 1e-12, "{x:?}");
        assert!(cholesky(vec![1.0, 2.0, 2.0, 1.0], 2).is_none());
    }

    #[test]
    fn predicts_a_smooth_function_between_its_points_and_knows_where_it_is_unsure() {
        let f = |p: &[f64]| (3.0 * p[0]).sin() + p[1] * p[1];
        let x = grid(6);
        let y: Vec<f64> = x.iter().map(|p| f(p)).collect();
        let e = Emulator::fit(&x, &y, &vec![1e-6; x.len()]).unwrap();
        for p in [[0.1, 0.7], [0.55, 0.33], [0.9, 0.9]] {
            let (m, v) = e.predict(&p);
            assert!((m - f(&p)).abs() < 0.02, "{p:?}: {m} vs {}", f(&p));
            assert!(v.sqrt() < 0.05, "{p:?}: sd {}", v.sqrt());
        }
        // Far outside the design the variance returns towards σ².
        let (_, far) = e.predict(&[4.0, 4.0]);
        assert!(far > 0.5 * e.variance, "{far} vs {}", e.variance);
        let loo = e.leave_one_out();
        assert!(loo.within_three >= 0.9, "{loo:?}");
    }

    #[test]
    fn an_input_the_target_ignores_gets_a_long_length_scale() {
        let x = grid(6);
        let y: Vec<f64> = x.iter().map(|p| (4.0 * p[0]).cos()).collect();
        let e = Emulator::fit(&x, &y, &vec![1e-6; x.len()]).unwrap();
        assert!(e.lengths[1] > 4.0 * e.lengths[0], "{:?}", e.lengths);
    }

    #[test]
    fn noisy_values_are_smoothed_not_interpolated() {
        // A line with alternating noise of ±0.1 and a declared noise variance of 0.01.
        let x: Vec<Vec<f64>> = (0..30).map(|i| vec![i as f64 / 29.0]).collect();
        let y: Vec<f64> = x
            .iter()
            .enumerate()
            .map(|(i, p)| 2.0 * p[0] + if i % 2 == 0 { 0.1 } else { -0.1 })
            .collect();
        let e = Emulator::fit(&x, &y, &vec![0.01; 30]).unwrap();
        let (m, _) = e.predict(&x[10]);
        assert!((m - 2.0 * x[10][0]).abs() < 0.05, "{m}");
    }

    #[test]
    fn too_few_points_give_no_emulator() {
        let x = vec![
            vec![0.0, 0.0],
            vec![1.0, 1.0],
            vec![0.5, 0.5],
            vec![0.2, 0.9],
        ];
        assert!(Emulator::fit(&x, &[1.0, 2.0, 3.0, 4.0], &[0.0; 4]).is_none());
    }
}
