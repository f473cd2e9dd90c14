//! Claims: "given what the record says, how likely is X?", answered from the posterior's draws.
//!
//! A claim names a target of the targets file (usually held out: a figure the record does not
//! give, such as the days from an offensive to a collapse) and a bound, `NAME <= 7`. Its
//! probability is the posterior weight of the draws whose run meets the bound; a draw whose run
//! did not reach the target (no collapse at all) does not meet it. The interval is Wilson's at
//! the weights' effective sample size: the Monte Carlo error of the estimate, not a spread of
//! opinion.

use super::Posterior;
use crate::targets::Targets;

/// How a claim compares.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Op {
    /// At most.
    AtMost,
    /// Below.
    Below,
    /// At least.
    AtLeast,
    /// Above.
    Above,
}

/// A claim about a target's value.
#[derive(Clone, Debug, PartialEq)]
pub struct Claim {
    /// As written.
    pub text: String,
    /// The target it reads.
    pub target: usize,
    /// How it compares.
    pub op: Op,
    /// With what.
    pub value: f64,
}

/// A claim's posterior probability.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Verdict {
    /// Posterior probability.
    pub probability: f64,
    /// 95 % Monte Carlo interval (Wilson, at the effective sample size).
    pub interval: (f64, f64),
    /// Posterior weight of the draws whose run reached the target at all.
    pub reached: f64,
}

impl Claim {
    /// Reads `NAME <= V` (or `<`, `>=`, `>`), NAME a target of `targets`.
    pub fn parse(text: &str, targets: &Targets) -> Result<Claim, String> {
        let ops = [
            ("<=", Op::AtMost),
            (">=", Op::AtLeast),
            ("<", Op::Below),
            (">", Op::Above),
        ];
        let (at, sym, op) = ops
            .iter()
            .filter_map(|&(sym, op)| text.find(sym).map(|at| (at, sym, op)))
            .min_by_key(|&(at, sym, _)| (at, std::cmp::Reverse(sym.len())))
            .ok_or_else(|| {
                format!("claim `{text}`: write it as `TARGET <= VALUE` (or <, >=, >)")
            })?;
        let name = text[..at].trim();
        let value: f64 = text[at + sym.len()..].trim().parse().map_err(|_| {
            format!(
                "claim `{text}`: `{}` is not a number",
                text[at + sym.len()..].trim()
            )
        })?;
        if !value.is_finite() {
            return Err(format!("claim `{text}`: the bound must be a finite number"));
        }
        let target = targets
            .targets
            .iter()
            .position(|t| t.name == name)
            .ok_or_else(|| {
                let names: Vec<&str> = targets.targets.iter().map(|t| t.name.as_str()).collect();
                let near = names
                    .iter()
                    .map(|n| (strsim::jaro_winkler(name, n), n))
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .filter(|(s, _)| *s > 0.8)
                    .map(|(_, n)| format!("; did you mean `{n}`?"))
                    .unwrap_or_default();
                format!(
                    "claim `{text}`: {} has no target `{name}`{near} (a claim reads a target, often one held out)",
                    targets.file
                )
            })?;
        Ok(Claim {
            text: text.trim().to_string(),
            target,
            op,
            value,
        })
    }

    /// Whether `v` meets the claim.
    pub fn holds(&self, v: f64) -> bool {
        match self.op {
            Op::AtMost => v <= self.value,
            Op::Below => v < self.value,
            Op::AtLeast => v >= self.value,
            Op::Above => v > self.value,
        }
    }

    /// The claim's posterior probability.
    pub fn judge(&self, p: &Posterior) -> Verdict {
        let mut yes = 0.0;
        let mut reached = 0.0;
        for q in &p.particles {
            if let Some(v) = q.values[self.target] {
                reached += q.weight;
                if self.holds(v) {
                    yes += q.weight;
                }
            }
        }
        let ess = 1.0 / p.particles.iter().map(|q| q.weight * q.weight).sum::<f64>();
        Verdict {
            probability: yes,
            interval: wilson(yes, ess),
            reached,
        }
    }
}

/// Wilson's 95 % interval for a share `p` of `n` (not necessarily whole) draws.
fn wilson(p: f64, n: f64) -> (f64, f64) {
    if n <= 0.0 {
        return (0.0, 1.0);
    }
    let z = 1.959_963_984_540_054f64;
    let d = 1.0 + z * z / n;
    let c = (p + z * z / (2.0 * n)) / d;
    let h = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / d;
    ((c - h).max(0.0), (c + h).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets() -> Targets {
        Targets::parse(
            "t.toml",
            "scenario = \"x\"\n[[target]]\nname = \"days to collapse\"\nfigure = \"d\"\nobserved = 7\nsd = 1\nholdout = true\nsource = \"s\"\n",
        )
        .unwrap()
    }

    #[test]
    fn claims_read_and_judge_weighted_draws() {
        let t = targets();
        let c = Claim::parse("days to collapse <= 7", &t).unwrap();
        assert_eq!((c.target, c.op, c.value), (0, Op::AtMost, 7.0));
        assert_eq!(
            Claim::parse("days to collapse>7.5", &t).unwrap().op,
            Op::Above
        );
        assert!(Claim::parse("days to colapse <= 7", &t)
            .unwrap_err()
            .contains("did you mean `days to collapse`"));
        assert!(Claim::parse("days to collapse = 7", &t)
            .unwrap_err()
            .contains("write it as"));
        assert!(Claim::parse("days to collapse <= soon", &t)
            .unwrap_err()
            .contains("not a number"));
        let particle = |v: Option<f64>, w: f64| super::super::Particle {
            x: vec![],
            unit: vec![],
            weight: w,
            distance: 0.0,
            values: vec![v],
        };
        let p = Posterior {
            particles: vec![
                particle(Some(5.0), 0.5),
                particle(Some(9.0), 0.25),
                particle(None, 0.25),
            ],
            generations: vec![],
            stopped: String::new(),
            runs_made: 0,
        };
        let v = c.judge(&p);
        assert!((v.probability - 0.5).abs() < 1e-12);
        assert!((v.reached - 0.75).abs() < 1e-12);
        assert!(v.interval.0 < 0.5 && v.interval.1 > 0.5);
    }
}
