//! The plain random graphs: Erdős–Rényi G(n, p) and Watts–Strogatz small worlds.

use rayon::prelude::*;

use super::{Network, CHUNK};
use crate::rng::{Purpose, Stream};

/// G(n, p): every pair is tied independently with probability `p`.
///
/// Each person i draws its ties to j > i by geometric skips (Batagelj & Brandes 2005), so the
/// cost is proportional to the ties made, not to n². The skips come from i's own stream, so a
/// person added after the others (N → N + 1 at the same p) leaves every existing tie as it
/// was and only adds the newcomer's.
pub fn erdos_renyi(n: usize, p: f64, seed: u64) -> Network {
    if n < 2 || p <= 0.0 {
        return Network::empty(n);
    }
    let p = p.min(1.0);
    let mean_degree = p * (n - 1) as f64;
    let chunks: Vec<Vec<(u32, u32)>> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let lo = c * CHUNK;
            let hi = (lo + CHUNK).min(n);
            let mut edges = Vec::with_capacity(((hi - lo) as f64 * mean_degree * 0.55) as usize);
            for i in lo..hi {
                let mut s = Stream::new(seed, Purpose::ERDOS_RENYI, 0, i as u32);
                let mut j = i as u64 + 1 + s.geometric(p);
                while j < n as u64 {
                    edges.push((i as u32, j as u32));
                    j = j.saturating_add(1 + s.geometric(p));
                }
            }
            edges
        })
        .collect();
    Network::from_edges(n, chunks)
}

/// Watts & Strogatz (1998): a ring where each person is tied to the `k/2` nearest on each side;
/// then each tie's far end is, with probability `rewire`, replaced by a uniformly random person.
///
/// A rewired tie that lands on an existing tie is merged with it, so the mean degree can fall
/// slightly below k (by about k·rewire·k/n; negligible for large n).
pub fn watts_strogatz(n: usize, k: u32, rewire: f64, seed: u64) -> Network {
    if n < 2 || k == 0 {
        return Network::empty(n);
    }
    let half = (k / 2) as usize;
    let chunks: Vec<Vec<(u32, u32)>> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let lo = c * CHUNK;
            let hi = (lo + CHUNK).min(n);
            let mut edges = Vec::with_capacity((hi - lo) * half);
            for i in lo..hi {
                let mut s = Stream::new(seed, Purpose::WATTS_STROGATZ, 0, i as u32);
                for d in 1..=half {
                    let mut j = ((i + d) % n) as u32;
                    if rewire > 0.0 && s.bernoulli(rewire) {
                        j = s.below(n as u32 - 1);
                        if j >= i as u32 {
                            j += 1;
                        }
                    }
                    edges.push((i as u32, j));
                }
            }
            edges
        })
        .collect();
    Network::from_edges(n, chunks)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// At a fixed p, one more person keeps every tie among the others (common random
    /// numbers); at a fixed mean degree p changes with N, and so do many ties.
    #[test]
    fn erdos_renyi_at_a_fixed_p_keeps_every_tie_when_a_person_is_added() {
        let (n, p) = (300, 0.02);
        let (a, b) = (erdos_renyi(n, p, 7), erdos_renyi(n + 1, p, 7));
        for i in 0..n as u32 {
            let old: Vec<u32> = a.neighbours(i).to_vec();
            let new: Vec<u32> = b
                .neighbours(i)
                .iter()
                .copied()
                .filter(|&j| j < n as u32)
                .collect();
            assert_eq!(old, new, "person {i}");
        }
        let pn = |n: usize| 6.0 / (n - 1) as f64;
        let (c, d) = (erdos_renyi(n, pn(n), 7), erdos_renyi(n + 1, pn(n + 1), 7));
        let changed = (0..n as u32)
            .filter(|&i| {
                let new: Vec<u32> = d
                    .neighbours(i)
                    .iter()
                    .copied()
                    .filter(|&j| j < n as u32)
                    .collect();
                c.neighbours(i) != new.as_slice()
            })
            .count();
        assert!(changed > 0, "a fixed mean degree moves p, and ties with it");
    }

    #[test]
    fn erdos_renyi_has_the_asked_mean_degree() {
        let g = erdos_renyi(20_000, 8.0 / 19_999.0, 1);
        let mean = 2.0 * g.ties() as f64 / 20_000.0;
        assert!((mean - 8.0).abs() < 0.1, "{mean}");
    }

    #[test]
    fn watts_strogatz_without_rewiring_is_a_ring_lattice() {
        let g = watts_strogatz(100, 4, 0.0, 1);
        assert_eq!(g.neighbours(0), &[1, 2, 98, 99]);
        assert_eq!(g.neighbours(50), &[48, 49, 51, 52]);
        assert_eq!(g.ties(), 200);
        let r = watts_strogatz(10_000, 6, 0.2, 1);
        let mean = 2.0 * r.ties() as f64 / 10_000.0;
        assert!((mean - 6.0).abs() < 0.05, "{mean}");
        let far = (0..10_000u32)
            .flat_map(|i| r.neighbours(i).iter().map(move |&j| (i, j)))
            .filter(|&(i, j)| {
                let d = i.abs_diff(j);
                d.min(10_000 - d) > 3
            })
            .count();
        // Each rewired tie shows up at both of its ends.
        let share = far as f64 / (2.0 * r.ties() as f64);
        assert!((share - 0.2).abs() < 0.02, "{share}");
    }
}
