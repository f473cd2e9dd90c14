//! The network form's cascade: what each person needs, and the frontier's visits to its
//! ties (counts of ties, or weighted sums in millionths), serial or in parallel.

use std::sync::atomic::Ordering::Relaxed;

use rayon::prelude::*;

use super::*;
use crate::prefetch::prefetch;

impl Threshold {
    /// Acting ties person `i` needs, given the current shift.
    fn need_of(&self, i: usize, degree: u32) -> u32 {
        let t = self.theta[i] + self.shift;
        if t <= 0.0 {
            return 0;
        }
        let raw = match self.params.unit {
            ThresholdUnit::Count => t,
            ThresholdUnit::Fraction => t * f64::from(degree),
        };
        // The small tolerance keeps 0.3 × 10 = 3.0000000000000004 at 3.
        ((raw - 1e-9).ceil().max(1.0)).min(f64::from(u32::MAX)) as u32
    }

    /// Weighted ties: the acting weight person `i` needs (millionths), given the current
    /// shift and the summed weight of their ties (millionths).
    fn need_w_of(&self, i: usize, strength: i64) -> i64 {
        let t = self.theta[i] + self.shift;
        if t <= 0.0 {
            return 0;
        }
        let raw = match self.params.unit {
            ThresholdUnit::Count => t * MICRO,
            ThresholdUnit::Fraction => t * strength as f64,
        };
        // A thousandth of a millionth of tolerance keeps 0.5 × 120 at 60, as for counts.
        (raw - 1e-3).ceil().clamp(1.0, 1e18) as i64
    }

    /// Weighted ties: recomputes every inactive person's need and queues those already met.
    fn recompute_needs_weighted(&mut self, world: &World) {
        let net = &world.network;
        let needs: Vec<i64> = (0..self.theta.len())
            .into_par_iter()
            .map(|i| {
                let strength = net
                    .weights_of(i as u32)
                    .map_or(0, |w| w.iter().map(|&x| micro(x)).sum());
                self.need_w_of(i, strength)
            })
            .collect();
        for (i, &new) in needs.iter().enumerate() {
            let r = self.remaining_w[i].load(Relaxed);
            if self.activated_at[i] == NEVER {
                let seen = self.need_w[i] - r.max(0);
                self.remaining_w[i].store((new - seen).max(0), Relaxed);
            }
        }
        self.need_w = needs;
        self.due = (0..self.theta.len() as u32)
            .filter(|&i| {
                self.activated_at[i as usize] == NEVER
                    && self.remaining_w[i as usize].load(Relaxed) == 0
            })
            .collect();
    }

    /// Network form: recomputes every inactive person's need and queues those already met.
    pub(super) fn recompute_needs(&mut self, world: &World) {
        if !self.remaining_w.is_empty()
            || (self.remaining.is_empty() && world.network.is_weighted())
        {
            return self.recompute_needs_weighted(world);
        }
        let net = &world.network;
        let needs: Vec<u32> = (0..self.theta.len())
            .into_par_iter()
            .map(|i| self.need_of(i, net.degree(i as u32)))
            .collect();
        for (i, &new) in needs.iter().enumerate() {
            let r = self.remaining[i].load(Relaxed);
            if r != ACTING {
                let seen = self.need[i] - r;
                self.remaining[i].store(new.saturating_sub(seen), Relaxed);
            }
        }
        self.need = needs;
        self.due = (0..self.theta.len() as u32)
            .filter(|&i| self.remaining[i as usize].load(Relaxed) == 0)
            .collect();
    }

    pub(super) fn step_network(&mut self, step: u32, world: &World) {
        for i in std::mem::take(&mut self.due) {
            self.activate(i, step, world);
        }
        let mut frontier = std::mem::take(&mut self.frontier);
        // In person order, ties are read front to back and neighbours sit near each other.
        sort_people(&mut frontier, self.persons as usize, &mut self.bits);
        let net = &world.network;
        if !self.remaining_w.is_empty() {
            self.visit_weighted(&frontier, step, world);
        } else if frontier.len() >= PARALLEL_FRONTIER && rayon::current_num_threads() > 1 {
            let remaining = &self.remaining;
            let found: Vec<Vec<u32>> = frontier
                .par_chunks(PARALLEL_FRONTIER / 8)
                .map(|chunk| {
                    let mut out = Vec::new();
                    for &u in chunk {
                        for &v in net.neighbours(u) {
                            let r = &remaining[v as usize];
                            let now = r.load(Relaxed);
                            if now == ACTING || now == 0 {
                                continue;
                            }
                            // Exactly one thread takes the count from 1 to 0. A stale read may
                            // decrement past 0; the person is marked ACTING after the pass.
                            if r.fetch_sub(1, Relaxed) == 1 {
                                out.push(v);
                            }
                        }
                    }
                    out
                })
                .collect();
            for v in found.into_iter().flatten() {
                self.activate(v, step, world);
            }
        } else {
            // Ask for the counters of the ties of the person `LOOKAHEAD` places further in the
            // frontier, so that the waits for far ties overlap.
            let remaining = &self.remaining;
            for &w in frontier.iter().take(LOOKAHEAD) {
                for &x in net.neighbours(w) {
                    prefetch(remaining, x as usize);
                }
            }
            let mut found = std::mem::take(&mut self.found);
            for (k, &u) in frontier.iter().enumerate() {
                if let Some(&w) = frontier.get(k + LOOKAHEAD) {
                    for &x in net.neighbours(w) {
                        prefetch(remaining, x as usize);
                    }
                }
                for &v in net.neighbours(u) {
                    let r = &remaining[v as usize];
                    match r.load(Relaxed) {
                        ACTING | 0 => {}
                        1 => {
                            r.store(ACTING, Relaxed);
                            found.push(v);
                        }
                        left => r.store(left - 1, Relaxed),
                    }
                }
            }
            for &v in &found {
                self.activate(v, step, world);
            }
            found.clear();
            self.found = found;
        }
        frontier.clear();
        self.spare = frontier;
    }

    /// Weighted ties: the people who started acting last step push their ties' weights.
    /// Exactly one visit takes a person's remaining weight from above zero to zero or below,
    /// whatever the order of visits, so the people found are the same on any thread count.
    fn visit_weighted(&mut self, frontier: &[u32], step: u32, world: &World) {
        let net = &world.network;
        let remaining = &self.remaining_w;
        let visit = |u: u32, out: &mut Vec<u32>| {
            let ws = net.weights_of(u).expect("a weighted network");
            for (&v, &w) in net.neighbours(u).iter().zip(ws) {
                let r = &remaining[v as usize];
                if r.load(Relaxed) <= 0 {
                    continue;
                }
                let w = micro(w);
                let before = r.fetch_sub(w, Relaxed);
                if before > 0 && before - w <= 0 {
                    out.push(v);
                }
            }
        };
        let found: Vec<u32> =
            if frontier.len() >= PARALLEL_FRONTIER && rayon::current_num_threads() > 1 {
                frontier
                    .par_chunks(PARALLEL_FRONTIER / 8)
                    .map(|chunk| {
                        let mut out = Vec::new();
                        for &u in chunk {
                            visit(u, &mut out);
                        }
                        out
                    })
                    .flatten_iter()
                    .collect()
            } else {
                let mut out = Vec::new();
                for &u in frontier {
                    visit(u, &mut out);
                }
                out
            };
        for v in found {
            self.activate(v, step, world);
        }
    }
}

/// A tie weight in millionths (weights are at most 10^6, so a person's summed weight fits
/// easily in an `i64`).
#[inline]
fn micro(w: f32) -> i64 {
    (f64::from(w) * MICRO).round() as i64
}

/// Puts distinct person numbers in increasing order: by a bitmap when they are many (linear
/// time, n/64 words scanned), by sorting when they are few.
pub(super) fn sort_people(people: &mut Vec<u32>, n: usize, bits: &mut Vec<u64>) {
    if people.len() < n / 64 {
        people.sort_unstable();
        return;
    }
    bits.clear();
    bits.resize(n.div_ceil(64), 0);
    for &p in people.iter() {
        bits[p as usize / 64] |= 1 << (p % 64);
    }
    people.clear();
    for (w, &word) in bits.iter().enumerate() {
        let mut x = word;
        while x != 0 {
            people.push((w * 64) as u32 + x.trailing_zeros());
            x &= x - 1;
        }
    }
}
