//! Small numeric helpers that the models and the reports share.

/// The Wilson score interval (95 %) of a proportion: `k` runs of `n` in which something
/// happened, as (low, high) fractions. Unlike k/n ± 1.96·se it stays inside [0, 1] and is not
/// empty at 0 of 20 or 20 of 20 (both plausible from a few runs); `(0, 1)` when `n` is 0.
pub fn wilson_interval(k: usize, n: usize) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (k, n) = (k.min(n) as f64, n as f64);
    let z = 1.959_963_984_540_054_f64;
    let p = k / n;
    let centre = (p + z * z / (2.0 * n)) / (1.0 + z * z / n);
    let half = z / (1.0 + z * z / n) * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt();
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// The standard normal quantile Φ⁻¹(p) for p in (0, 1).
///
/// Acklam's rational approximation (relative error below 1.2e-9), which is ample for
/// discretizing threshold distributions: a person's rounded threshold changes only if a
/// quantile lies within 1e-9 of a half-integer.
pub fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const P_LOW: f64 = 0.02425;
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < P_LOW {
        tail((-2.0 * p.ln()).sqrt())
    } else if p <= 1.0 - P_LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    }
}

/// ln Γ(x) for x > 0, by Stirling's series after shifting x above 7 (error below 1e-12).
pub fn ln_gamma(x: f64) -> f64 {
    const C: [f64; 6] = [
        1.0 / 12.0,
        -1.0 / 360.0,
        1.0 / 1260.0,
        -1.0 / 1680.0,
        1.0 / 1188.0,
        -691.0 / 360360.0,
    ];
    let mut shift = 0.0;
    let mut x = x;
    while x < 7.0 {
        shift -= x.ln();
        x += 1.0;
    }
    let inv = 1.0 / x;
    let inv2 = inv * inv;
    let mut series = 0.0;
    let mut power = inv;
    for c in C {
        series += c * power;
        power *= inv2;
    }
    shift + (x - 0.5) * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI).ln() + series
}

/// The regularized incomplete beta function I_x(a, b), for a, b > 0 and x in [0, 1].
///
/// Continued fraction evaluated by the modified Lentz method, on the side of the symmetry
/// I_x(a, b) = 1 − I_{1−x}(b, a) where it converges fast; relative accuracy about 1e-14.
pub fn incomplete_beta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    if x < (a + 1.0) / (a + b + 2.0) {
        ln_front.exp() * beta_fraction(x, a, b) / a
    } else {
        1.0 - ln_front.exp() * beta_fraction(1.0 - x, b, a) / b
    }
}

/// The continued fraction of the incomplete beta function (modified Lentz).
fn beta_fraction(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let mut c = 1.0;
    let mut d = 1.0 - (a + b) * x / (a + 1.0);
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..500 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        // Even step.
        let num = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
        d = 1.0 + num * d;
        d = if d.abs() < TINY { 1.0 / TINY } else { 1.0 / d };
        c = 1.0 + num / c;
        if c.abs() < TINY {
            c = TINY;
        }
        h *= d * c;
        // Odd step.
        let num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
        d = 1.0 + num * d;
        d = if d.abs() < TINY { 1.0 / TINY } else { 1.0 / d };
        c = 1.0 + num / c;
        if c.abs() < TINY {
            c = TINY;
        }
        let step = d * c;
        h *= step;
        if (step - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// The CDF of Student's t distribution with `df` degrees of freedom.
pub fn student_t_cdf(t: f64, df: f64) -> f64 {
    let tail = 0.5 * incomplete_beta(df / (df + t * t), df / 2.0, 0.5);
    if t >= 0.0 {
        1.0 - tail
    } else {
        tail
    }
}

/// The quantile of Student's t distribution: the t with P(T ≤ t) = p, for p in (0, 1).
///
/// Found by bisection on [`student_t_cdf`] to 1e-12: confidence intervals need a few digits,
/// and bisection cannot fail to converge.
pub fn student_t_quantile(p: f64, df: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    if p < 0.5 {
        return -student_t_quantile(1.0 - p, df);
    }
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    while student_t_cdf(hi, df) < p {
        hi *= 2.0;
        if hi > 1e12 {
            return hi;
        }
    }
    while hi - lo > 1e-12 * hi.max(1.0) {
        let mid = 0.5 * (lo + hi);
        if student_t_cdf(mid, df) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// Quantile `p` (fraction) of `values`, which are reordered in place, by linear interpolation
/// between order statistics (Hyndman & Fan type 7, the default of R and NumPy); NaN when empty.
/// Selection, not sorting: linear time.
pub fn quantile(values: &mut [f64], p: f64) -> f64 {
    let n = values.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * p;
    let k = h.floor() as usize;
    let (_, &mut lo, right) = values.select_nth_unstable_by(k, f64::total_cmp);
    if k + 1 >= n {
        return lo;
    }
    let hi = right.iter().copied().fold(f64::INFINITY, f64::min);
    lo + (h - k as f64) * (hi - lo)
}

#[cfg(test)]
mod tests {
    /// Published values: 0 of 20 gives (0, 0.1611), 20 of 20 (0.8389, 1), 5 of 10
    /// (0.2366, 0.7634) (Newcombe 1998, Statistics in Medicine 17, table II, method 3).
    #[test]
    fn wilson_intervals_match_published_values() {
        let near = |(a, b): (f64, f64), (c, d): (f64, f64)| {
            assert!((a - c).abs() < 5e-5 && (b - d).abs() < 5e-5, "{a} {b}");
        };
        near(super::wilson_interval(0, 20), (0.0, 0.1611));
        near(super::wilson_interval(20, 20), (0.8389, 1.0));
        near(super::wilson_interval(5, 10), (0.2366, 0.7634));
        assert_eq!(super::wilson_interval(0, 0), (0.0, 1.0));
    }

    #[test]
    fn ln_gamma_matches_factorials() {
        let mut fact = 1.0f64;
        for n in 1..30 {
            fact *= n as f64;
            assert!(
                (super::ln_gamma(n as f64 + 1.0) - fact.ln()).abs() < 1e-10,
                "{n}"
            );
        }
        assert!((super::ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-10);
    }

    use super::*;

    /// Reference values from CPython's `statistics.NormalDist().inv_cdf` (Wichura's AS241).
    #[test]
    fn quantile_matches_reference() {
        let cases = [
            (1e-10, -6.361340902404056),
            (0.001, -3.090232306167813),
            (0.02425, -1.9729610513118845),
            (0.1, -1.2815515655446008),
            (0.3, -0.5244005127080407),
            (0.5, 0.0),
            (0.7, 0.5244005127080407),
            (0.975, 1.9599639845400536),
            (0.999999, 4.753424308817089),
        ];
        for (p, want) in cases {
            let got = normal_quantile(p);
            assert!(
                (got - want).abs() <= 1e-8 * want.abs().max(1.0),
                "p={p}: {got} vs {want}"
            );
        }
    }

    #[test]
    fn student_t_quantiles_match_tables() {
        // Two-sided 95 % critical values from standard tables.
        for (df, t) in [
            (1.0, 12.706_204_736),
            (2.0, 4.302_652_730),
            (10.0, 2.228_138_852),
            (30.0, 2.042_272_456),
            (1000.0, 1.962_339_081),
        ] {
            let q = student_t_quantile(0.975, df);
            assert!((q - t).abs() < 1e-6 * t, "df {df}: {q} vs {t}");
        }
        assert!((student_t_cdf(0.0, 5.0) - 0.5).abs() < 1e-15);
        assert!((student_t_quantile(0.025, 10.0) + 2.228_138_852).abs() < 1e-6);
        assert!((incomplete_beta(0.3, 2.0, 3.0) - 0.3483).abs() < 1e-12);
    }

    #[test]
    fn quantiles_match_numpy_defaults() {
        // numpy.quantile([1, 2, 3, 4, 10], [0.05, 0.5, 0.95]) = [1.2, 3.0, 8.8]
        let mut v = [10.0, 3.0, 1.0, 4.0, 2.0];
        assert!((quantile(&mut v, 0.05) - 1.2).abs() < 1e-12);
        assert_eq!(quantile(&mut v, 0.5), 3.0);
        assert!((quantile(&mut v, 0.95) - 8.8).abs() < 1e-12);
        assert_eq!(quantile(&mut [7.0], 0.95), 7.0);
        assert!(quantile(&mut [], 0.5).is_nan());
    }
}
