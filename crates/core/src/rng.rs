//! Random streams: the one place that names the generator.
//!
//! Every random decision in mobilize draws from a [`Stream`] keyed by
//! `(seed, purpose, step, agent)`. The generator is **Philox4x32-10** (Salmon et al. 2011,
//! "Parallel random numbers: as easy as 1, 2, 3"), a counter-based generator: the output for a
//! key and a counter is a pure function of both, so a draw does not depend on which thread makes
//! it, in which order agents are visited, or how many draws other agents made. This is what makes
//! results bit-identical whatever the thread count, and what gives common random numbers between
//! two scenarios that differ in one parameter.
//!
//! Layout: the 64-bit key is the run's seed; the 128-bit counter is
//! `[block, agent, step, purpose]`, where `block` counts the 4-word blocks drawn so far by this
//! stream. A stream therefore holds 2^32 blocks (2^34 words) before it would wrap, far beyond any
//! per-agent, per-step need.

/// Philox multipliers and Weyl key increments (Salmon et al. 2011, Table 2).
const M0: u32 = 0xD251_1F53;
const M1: u32 = 0xCD9E_8D57;
const W0: u32 = 0x9E37_79B9;
const W1: u32 = 0xBB67_AE85;

/// The Philox4x32 block function with `rounds` rounds (10 is the standard, crush-resistant one).
///
/// Exposed for known-answer tests against the Random123 reference vectors.
#[inline(always)]
pub fn philox4x32(rounds: u32, counter: [u32; 4], key: [u32; 2]) -> [u32; 4] {
    let mut c = counter;
    let mut k = key;
    for r in 0..rounds {
        if r > 0 {
            k[0] = k[0].wrapping_add(W0);
            k[1] = k[1].wrapping_add(W1);
        }
        let p0 = u64::from(M0) * u64::from(c[0]);
        let p1 = u64::from(M1) * u64::from(c[2]);
        let (hi0, lo0) = ((p0 >> 32) as u32, p0 as u32);
        let (hi1, lo1) = ((p1 >> 32) as u32, p1 as u32);
        c = [hi1 ^ c[1] ^ k[0], lo1, hi0 ^ c[3] ^ k[1], lo0];
    }
    c
}

/// What a stream is used for. Two purposes never share draws, so adding a new random decision
/// leaves every existing one unchanged.
///
/// The numbers are part of the output format: changing one changes every result that used it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Purpose(pub u32);

impl Purpose {
    /// Attributes of a person (age band, sex, occupation).
    pub const ATTRIBUTES: Purpose = Purpose(1);
    /// A person's threshold, and the shuffle that assigns discretized thresholds to people.
    pub const THRESHOLD: Purpose = Purpose(2);
    /// Ties within a village.
    pub const VILLAGE_TIES: Purpose = Purpose(3);
    /// Ties within a district's workplaces and schools.
    pub const WORK_TIES: Purpose = Purpose(4);
    /// Long ties anywhere in the population.
    pub const LONG_TIES: Purpose = Purpose(5);
    /// Ties across a scenario's region links.
    pub const LINK_TIES: Purpose = Purpose(6);
    /// Erdős–Rényi ties.
    pub const ERDOS_RENYI: Purpose = Purpose(7);
    /// Watts–Strogatz rewiring.
    pub const WATTS_STROGATZ: Purpose = Purpose(8);
    /// Choice of initial actors.
    pub const INITIAL_ACTORS: Purpose = Purpose(9);
    /// Timeline events that pick people at random.
    pub const EVENTS: Purpose = Purpose(10);
    /// resistance: a person's grievance and risk aversion.
    pub const DISPOSITION: Purpose = Purpose(11);
    /// resistance: outreach contacts of a region's organized people (agent = region).
    pub const OUTREACH: Purpose = Purpose(12);
    /// resistance: contacts of infiltrated small units (agent = region).
    pub const INFILTRATION: Purpose = Purpose(13);
    /// resistance: training at a base (agent = region).
    pub const TRAINING: Purpose = Purpose(14);
    /// resistance: police detection, arrests and betrayal (agent = region).
    pub const REPRESSION: Purpose = Purpose(15);
    /// resistance: jail terms (agent = person).
    pub const JAIL: Purpose = Purpose(16);
    /// resistance: casualties of combat (agent = region).
    pub const COMBAT: Purpose = Purpose(17);
    /// resistance: rallying of people in hiding (agent = region).
    pub const RALLY: Purpose = Purpose(18);
    /// resistance: going into hiding under conscription (agent = region).
    pub const HIDING: Purpose = Purpose(19);
    /// resistance: the initial cadres (agent = 0).
    pub const CADRES: Purpose = Purpose(20);
    /// resistance: raids of small units (agent = region).
    pub const RAIDS: Purpose = Purpose(21);
}

/// Draws built on 32 random bits at a time, shared by [`Stream`] and [`Quick`].
pub trait Draw {
    /// The next 32 uniformly distributed bits.
    fn next_u32(&mut self) -> u32;

    /// The next 64 uniformly distributed bits.
    #[inline]
    fn next_u64(&mut self) -> u64 {
        (u64::from(self.next_u32()) << 32) | u64::from(self.next_u32())
    }

    /// A uniform number in [0, 1) with 53 bits of precision.
    #[inline]
    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A uniform integer in `0..n` without modulo bias (Lemire 2019). `n` must be positive.
    #[inline(always)]
    fn below(&mut self, n: u32) -> u32 {
        debug_assert!(n > 0);
        let mut m = u64::from(self.next_u32()) * u64::from(n);
        if (m as u32) < n {
            let t = n.wrapping_neg() % n;
            while (m as u32) < t {
                m = u64::from(self.next_u32()) * u64::from(n);
            }
        }
        (m >> 32) as u32
    }

    /// True with probability `p` (fraction, clamped to 0..1).
    #[inline]
    fn bernoulli(&mut self, p: f64) -> bool {
        self.uniform() < p
    }
}

/// A sequential generator for hot loops that draw many numbers under one key: its 64-bit
/// state is seeded from the Philox block of `(seed, purpose, step, agent)`, then advanced by
/// wyrand (Wang Yi's, a Weyl sequence through a 64 × 64 → 128-bit multiply mix; passes
/// BigCrush and PractRand), about four times cheaper per draw than a Philox-10 block. Results
/// stay a pure function of the key, so the thread count still does not matter.
#[derive(Clone, Debug)]
pub struct Quick {
    state: u64,
}

impl Quick {
    /// The generator of `purpose` for `agent` (or a block of agents) at `step`.
    pub fn new(seed: u64, purpose: Purpose, step: u32, agent: u32) -> Self {
        let b = philox4x32(
            10,
            [0, agent, step, purpose.0],
            [seed as u32, (seed >> 32) as u32],
        );
        Quick {
            state: (u64::from(b[0]) << 32) | u64::from(b[1]),
        }
    }

    #[inline(always)]
    fn step(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0xa076_1d64_78bd_642f);
        let t = u128::from(self.state) * u128::from(self.state ^ 0xe703_7ed1_a0b4_28db);
        ((t >> 64) as u64) ^ (t as u64)
    }
}

impl Draw for Quick {
    #[inline(always)]
    fn next_u32(&mut self) -> u32 {
        (self.step() >> 32) as u32
    }

    #[inline]
    fn next_u64(&mut self) -> u64 {
        self.step()
    }
}

impl Draw for Stream {
    #[inline(always)]
    fn next_u32(&mut self) -> u32 {
        Stream::next_u32(self)
    }
}

/// A stream of random numbers for one `(seed, purpose, step, agent)`.
///
/// Cheap to create (no state beyond 28 bytes); create one where the decision is made.
#[derive(Clone, Debug)]
pub struct Stream {
    key: [u32; 2],
    counter: [u32; 4],
    buffer: [u32; 4],
    used: u8,
}

impl Stream {
    /// The stream of `purpose` for `agent` at `step` of the run seeded with `seed`.
    pub fn new(seed: u64, purpose: Purpose, step: u32, agent: u32) -> Self {
        Stream {
            key: [seed as u32, (seed >> 32) as u32],
            counter: [0, agent, step, purpose.0],
            buffer: [0; 4],
            used: 4,
        }
    }

    /// The next 32 uniformly distributed bits.
    #[inline(always)]
    pub fn next_u32(&mut self) -> u32 {
        if self.used == 4 {
            self.buffer = philox4x32(10, self.counter, self.key);
            self.counter[0] = self.counter[0].wrapping_add(1);
            self.used = 0;
        }
        let v = self.buffer[self.used as usize];
        self.used += 1;
        v
    }

    /// The next 64 uniformly distributed bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        Draw::next_u64(self)
    }

    /// A uniform number in [0, 1) with 53 bits of precision.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        Draw::uniform(self)
    }

    /// A uniform integer in `0..n` without modulo bias (Lemire 2019). `n` must be positive.
    #[inline(always)]
    pub fn below(&mut self, n: u32) -> u32 {
        Draw::below(self, n)
    }

    /// True with probability `p` (fraction, clamped to 0..1).
    #[inline]
    pub fn bernoulli(&mut self, p: f64) -> bool {
        Draw::bernoulli(self, p)
    }

    /// A standard normal deviate, by inversion so that one draw gives one deviate.
    pub fn normal(&mut self) -> f64 {
        // Avoid 0, whose quantile is −∞.
        let u = (self.uniform() + 0.5 / (1u64 << 53) as f64).min(1.0 - f64::EPSILON);
        crate::stats::normal_quantile(u)
    }

    /// A geometric number of failures before the first success, for success probability `p`
    /// in (0, 1]. Used to skip over absent ties in Erdős–Rényi graphs.
    pub fn geometric(&mut self, p: f64) -> u64 {
        if p >= 1.0 {
            return 0;
        }
        let u = 1.0 - self.uniform(); // in (0, 1]
        let g = (u.ln() / (1.0 - p).ln()).floor();
        if g >= u64::MAX as f64 {
            u64::MAX
        } else {
            g as u64
        }
    }

    /// A Poisson count with mean `lambda` (≥ 0): inversion below 10, Hörmann's transformed
    /// rejection (PTRS, 1993) above, so the cost does not grow with the mean.
    pub fn poisson(&mut self, lambda: f64) -> u64 {
        if lambda <= 0.0 || lambda.is_nan() {
            return 0;
        }
        if lambda < 10.0 {
            let mut k = 0;
            let mut p = (-lambda).exp();
            let mut cdf = p;
            let u = self.uniform();
            while u > cdf && k < 1000 {
                k += 1;
                p *= lambda / k as f64;
                cdf += p;
            }
            return k;
        }
        let slam = lambda.sqrt();
        let loglam = lambda.ln();
        let b = 0.931 + 2.53 * slam;
        let a = -0.059 + 0.02483 * b;
        let inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
        let vr = 0.9277 - 3.6224 / (b - 2.0);
        loop {
            let u = self.uniform() - 0.5;
            let v = self.uniform();
            let us = 0.5 - u.abs();
            let k = ((2.0 * a / us + b) * u + lambda + 0.43).floor();
            if us >= 0.07 && v <= vr {
                return k as u64;
            }
            if k < 0.0 || (us < 0.013 && v > us) {
                continue;
            }
            if v.ln() + inv_alpha.ln() - (a / (us * us) + b).ln()
                <= -lambda + k * loglam - crate::stats::ln_gamma(k + 1.0)
            {
                return k as u64;
            }
        }
    }

    /// A count with mean `mean` whose fractional part is drawn: `floor(mean)` plus one with
    /// probability `mean − floor(mean)`. Lower variance than Poisson; used for ties per person.
    pub fn rounded_count(&mut self, mean: f64) -> u32 {
        let whole = mean.floor();
        if whole == mean {
            return whole as u32;
        }
        // 32 bits of precision are ample for a Bernoulli draw and save a word.
        let u = f64::from(self.next_u32()) * (1.0 / 4_294_967_296.0);
        whole as u32 + u32::from(u < mean - whole)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn poisson_mean_and_variance_match() {
        for lambda in [0.3, 4.0, 25.0, 1000.0] {
            let mut s = super::Stream::new(3, super::Purpose::OUTREACH, 0, 0);
            let n = 20_000;
            let xs: Vec<f64> = (0..n).map(|_| s.poisson(lambda) as f64).collect();
            let mean = xs.iter().sum::<f64>() / n as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            // Standard error of the mean is sqrt(lambda / n); allow five of them.
            assert!(
                (mean - lambda).abs() < 5.0 * (lambda / n as f64).sqrt(),
                "{lambda}: {mean}"
            );
            assert!(
                (var / lambda - 1.0).abs() < 0.08,
                "{lambda}: variance {var}"
            );
        }
    }

    use super::*;

    /// Known answers from Random123's `kat_vectors` (Philox4x32, 10 rounds).
    #[test]
    fn philox_known_answers() {
        assert_eq!(
            philox4x32(10, [0; 4], [0; 2]),
            [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]
        );
        assert_eq!(
            philox4x32(10, [u32::MAX; 4], [u32::MAX; 2]),
            [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]
        );
        assert_eq!(
            philox4x32(
                10,
                [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
                [0xa4093822, 0x299f31d0]
            ),
            [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]
        );
    }

    /// Pins the stream layout: changing it changes every published result.
    #[test]
    fn stream_layout_is_pinned() {
        let mut s = Stream::new(0x0123_4567_89ab_cdef, Purpose(7), 3, 11);
        let first = philox4x32(10, [0, 11, 3, 7], [0x89ab_cdef, 0x0123_4567]);
        let second = philox4x32(10, [1, 11, 3, 7], [0x89ab_cdef, 0x0123_4567]);
        let got: Vec<u32> = (0..8).map(|_| s.next_u32()).collect();
        assert_eq!(&got[..4], &first);
        assert_eq!(&got[4..], &second);
    }

    #[test]
    fn streams_differ_by_every_key_part() {
        let a = Stream::new(1, Purpose(1), 0, 0).next_u64();
        assert_ne!(a, Stream::new(2, Purpose(1), 0, 0).next_u64());
        assert_ne!(a, Stream::new(1, Purpose(2), 0, 0).next_u64());
        assert_ne!(a, Stream::new(1, Purpose(1), 1, 0).next_u64());
        assert_ne!(a, Stream::new(1, Purpose(1), 0, 1).next_u64());
    }

    #[test]
    fn quick_is_keyed_like_a_stream_and_balanced() {
        let draws = |seed, step, agent| {
            let mut q = Quick::new(seed, Purpose(25), step, agent);
            (0..4).map(|_| q.next_u32()).collect::<Vec<_>>()
        };
        assert_eq!(draws(1, 2, 3), draws(1, 2, 3), "a pure function of its key");
        assert_ne!(draws(1, 2, 3), draws(2, 2, 3));
        assert_ne!(draws(1, 2, 3), draws(1, 3, 3));
        assert_ne!(draws(1, 2, 3), draws(1, 2, 4));
        let mut q = Quick::new(42, Purpose(1), 0, 0);
        let mut counts = [0u32; 10];
        let mut sum = 0.0;
        for _ in 0..100_000 {
            let u = q.uniform();
            assert!((0.0..1.0).contains(&u));
            sum += u;
            counts[q.below(10) as usize] += 1;
        }
        assert!((sum / 100_000.0 - 0.5).abs() < 0.01);
        for c in counts {
            assert!((9_500..10_500).contains(&c), "{counts:?}");
        }
    }

    #[test]
    fn uniform_and_below_stay_in_range_and_are_balanced() {
        let mut s = Stream::new(42, Purpose(1), 0, 0);
        let mut counts = [0u32; 10];
        let mut sum = 0.0;
        for _ in 0..100_000 {
            let u = s.uniform();
            assert!((0.0..1.0).contains(&u));
            sum += u;
            counts[s.below(10) as usize] += 1;
        }
        assert!((sum / 100_000.0 - 0.5).abs() < 0.01);
        for c in counts {
            assert!((9_500..10_500).contains(&c), "{counts:?}");
        }
    }

    #[test]
    fn normal_has_unit_moments() {
        let mut s = Stream::new(9, Purpose(2), 0, 0);
        let n = 200_000;
        let xs: Vec<f64> = (0..n).map(|_| s.normal()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.01, "{mean}");
        assert!((var - 1.0).abs() < 0.02, "{var}");
    }

    #[test]
    fn geometric_mean_matches() {
        let mut s = Stream::new(5, Purpose(7), 0, 0);
        let p = 0.2;
        let n = 100_000;
        let mean = (0..n).map(|_| s.geometric(p) as f64).sum::<f64>() / n as f64;
        assert!((mean - (1.0 - p) / p).abs() < 0.05, "{mean}");
    }
}
