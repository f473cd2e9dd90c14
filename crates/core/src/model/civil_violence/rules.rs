//! The rules of Epstein (2002) as pure functions, so each can be checked by hand.

use super::params::{JailRange, RatioRule, Release};
use crate::rng::Draw;

/// The estimated arrest probability P = 1 − exp(−k · r(C/A)), with r the ratio rule.
/// `actives` counts the agent itself (A ≥ 1).
pub fn arrest_probability(cops: u32, actives: u32, k: f64, rule: RatioRule) -> f64 {
    let ratio = f64::from(cops) / f64::from(actives.max(1));
    let r = match rule {
        RatioRule::Literal => ratio,
        RatioRule::RoundHalfEven => ratio.round_ties_even(),
        RatioRule::Floor => ratio.floor(),
    };
    1.0 - (-k * r).exp()
}

/// [`arrest_probability`] with the values for whole ratios (the rounding rules) looked up
/// rather than recomputed: the same numbers, without an `exp` per decision.
#[derive(Clone, Debug)]
pub struct ArrestTable {
    k: f64,
    rule: RatioRule,
    /// P for a rounded ratio of 0, 1, 2, …
    whole: Vec<f64>,
}

impl ArrestTable {
    /// The table for ratios up to `most` (more are computed as they come).
    pub fn new(k: f64, rule: RatioRule, most: u32) -> ArrestTable {
        let whole = (0..=most)
            .map(|r| 1.0 - (-k * f64::from(r)).exp())
            .collect();
        ArrestTable { k, rule, whole }
    }

    /// P for `cops` and `actives` (A ≥ 1), equal to [`arrest_probability`].
    #[inline]
    pub fn p(&self, cops: u32, actives: u32) -> f64 {
        let a = actives.max(1);
        let (q, rem) = (cops / a, cops % a);
        let r = match self.rule {
            RatioRule::Literal => return arrest_probability(cops, actives, self.k, self.rule),
            RatioRule::Floor => q,
            RatioRule::RoundHalfEven => {
                let twice = 2 * rem;
                q + u32::from(twice > a || (twice == a && q % 2 == 1))
            }
        };
        match self.whole.get(r as usize) {
            Some(&p) => p,
            None => arrest_probability(cops, actives, self.k, self.rule),
        }
    }
}

/// Rule C's jail term (steps), drawn from 0..=J (`inclusive`) or 0..J (`exclusive`; 0 when
/// J = 0).
pub fn jail_term(j: u32, range: JailRange, s: &mut impl Draw) -> u32 {
    match range {
        JailRange::Inclusive => s.below(j.saturating_add(1).max(1)),
        JailRange::Exclusive if j == 0 => 0,
        JailRange::Exclusive => s.below(j),
    }
}

/// Whether an arrest with this term puts the citizen in jail: with releases at the end of a
/// step a term of 0 frees at once (NetLogo), with releases in the prisoner's turn it still
/// costs that turn (Mesa).
pub fn held(term: u32, release: Release) -> bool {
    match release {
        Release::EndOfStep => term > 0,
        Release::OwnTurn => true,
    }
}

/// Rule A: active iff grievance − risk aversion · P > T (strict).
pub fn is_active(hardship: f64, legitimacy: f64, risk: f64, p: f64, threshold: f64) -> bool {
    let grievance = hardship * (1.0 - legitimacy);
    grievance - risk * p > threshold
}

/// Whether a citizen can never be active whatever it sees: G − R·P > T needs G > T, as P ≥ 0.
/// An exact shortcut: the many who cannot act need no look around.
#[inline]
pub fn never_active(hardship: f64, legitimacy: f64, threshold: f64) -> bool {
    hardship * (1.0 - legitimacy) <= threshold
}

/// The age (steps) at which a newborn agent will die, Model II: uniform on 1..=max_age. It is
/// drawn for every agent, whatever the model, so that a stream's later draws are the same.
#[inline]
pub fn death_age(max_age: u32, s: &mut impl crate::rng::Draw) -> u32 {
    1 + s.below(max_age)
}

/// The vision neighbourhood of radius `v` as (dx, dy) offsets, own site excluded, in row order.
pub fn offsets(v: f64, shape: super::params::VisionShape) -> Vec<(i32, i32)> {
    use super::params::VisionShape::*;
    let r = v.floor() as i32;
    let mut out = Vec::new();
    for dy in -r..=r {
        for dx in -r..=r {
            if dx == 0 && dy == 0 {
                continue;
            }
            let inside = match shape {
                VonNeumann => dx.abs() + dy.abs() <= r,
                Moore => true,
                Euclidean => f64::from(dx * dx + dy * dy) <= v * v,
            };
            if inside {
                out.push((dx, dy));
            }
        }
    }
    out
}

/// Half-widths of each row of the neighbourhood, dy = −r..=r (for row prefix sums).
pub fn row_spans(v: f64, shape: super::params::VisionShape) -> Vec<(i32, i32)> {
    use super::params::VisionShape::*;
    let r = v.floor() as i32;
    (-r..=r)
        .map(|dy| {
            let h = match shape {
                VonNeumann => r - dy.abs(),
                Moore => r,
                Euclidean => (v * v - f64::from(dy * dy)).max(0.0).sqrt().floor() as i32,
            };
            (dy, h)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::civil_violence::params::VisionShape;

    #[test]
    fn arrest_probability_by_hand() {
        // k = 2.3, C = A = 1: 1 − e^−2.3 = 0.8997.
        let p = arrest_probability(1, 1, 2.3, RatioRule::Literal);
        assert!((p - 0.899_741).abs() < 1e-6, "{p}");
        // C = 1, A = 2: literal 1 − e^−1.15; round half to even: round(0.5) = 0; floor 0.
        assert!(
            (arrest_probability(1, 2, 2.3, RatioRule::Literal) - (1.0 - (-1.15f64).exp())).abs()
                < 1e-12
        );
        assert_eq!(arrest_probability(1, 2, 2.3, RatioRule::RoundHalfEven), 0.0);
        assert_eq!(arrest_probability(1, 2, 2.3, RatioRule::Floor), 0.0);
        // C = 5, A = 2: 2.5 rounds to 2 (even), floors to 2.
        let two = 1.0 - (-4.6f64).exp();
        assert!((arrest_probability(5, 2, 2.3, RatioRule::RoundHalfEven) - two).abs() < 1e-12);
        assert!((arrest_probability(5, 2, 2.3, RatioRule::Floor) - two).abs() < 1e-12);
        // C = 3, A = 2: 1.5 rounds to 2, floors to 1.
        assert!((arrest_probability(3, 2, 2.3, RatioRule::RoundHalfEven) - two).abs() < 1e-12);
        // No cops: P = 0 whatever the rule.
        assert_eq!(arrest_probability(0, 7, 2.3, RatioRule::Literal), 0.0);
    }

    #[test]
    fn the_table_gives_exactly_the_formula() {
        for rule in [
            RatioRule::Literal,
            RatioRule::RoundHalfEven,
            RatioRule::Floor,
        ] {
            let t = ArrestTable::new(2.3, rule, 40);
            for cops in 0..120 {
                for actives in 0..60 {
                    assert_eq!(
                        t.p(cops, actives).to_bits(),
                        arrest_probability(cops, actives, 2.3, rule).to_bits(),
                        "{rule:?} C = {cops} A = {actives}"
                    );
                }
            }
        }
    }

    #[test]
    fn activation_is_strict() {
        // G = 0.5 · (1 − 0.8) = 0.1; with no risk the margin is exactly T: quiet.
        assert!(!is_active(0.5, 0.8, 0.0, 0.9, 0.1));
        // G = 0.9 · 0.2 = 0.18, N = 0.5 · 0.1 = 0.05: 0.13 > 0.1, active.
        assert!(is_active(0.9, 0.8, 0.5, 0.1, 0.1));
        // Same with P = 0.9: N = 0.45, quiet.
        assert!(!is_active(0.9, 0.8, 0.5, 0.9, 0.1));
    }

    #[test]
    fn neighbourhood_sizes_match_the_implementations() {
        // Mesa: von Neumann r = 7 has 112 cells, r = 1 has 4; Moore r = 7 has 224.
        assert_eq!(offsets(7.0, VisionShape::VonNeumann).len(), 112);
        assert_eq!(offsets(1.7, VisionShape::VonNeumann).len(), 4);
        assert_eq!(offsets(7.0, VisionShape::Moore).len(), 224);
        // NetLogo: a radius-7 disc has 149 patches with its own, 148 without.
        assert_eq!(offsets(7.0, VisionShape::Euclidean).len(), 148);
        // v = 1.7 as a Euclidean radius: the 8 Moore neighbours.
        assert_eq!(offsets(1.7, VisionShape::Euclidean).len(), 8);
        // Row spans cover the same sites (plus the own site).
        for shape in [
            VisionShape::VonNeumann,
            VisionShape::Moore,
            VisionShape::Euclidean,
        ] {
            let n: i32 = row_spans(7.0, shape).iter().map(|&(_, h)| 2 * h + 1).sum();
            assert_eq!(n as usize, offsets(7.0, shape).len() + 1);
        }
    }
}
