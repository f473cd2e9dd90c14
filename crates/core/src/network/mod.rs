//! The social network: undirected ties between people, stored as CSR (compressed sparse rows).
//!
//! Person `i`'s ties are `targets[offsets[i]..offsets[i + 1]]`, sorted, without duplicates or
//! self-ties. Generators produce edge lists in parallel chunks, each chunk drawing from streams
//! keyed by person, so the network is the same whatever the thread count.
//!
//! Ties may weigh unequally (Granovetter 1978, p. 1429: friends count twice, strangers once).
//! Weights are kept only when some tie weighs other than 1, as one `f32` per tie end beside
//! `targets`; a network of equal ties costs nothing more.
//!
//! Memory: 4 bytes per tie end (8 per undirected tie) plus 8 bytes per person for offsets, and
//! 4 more per tie end when weighted. During construction the edge list (8 bytes per tie) and the
//! CSR coexist, so the peak is about 16 bytes per tie plus 12 per person (see BENCHMARKS.md for
//! the measured peak).

pub mod file;
mod random;
mod structured;

use rayon::prelude::*;

use crate::population::People;
use crate::scenario::NetworkSpec;

pub use random::{erdos_renyi, watts_strogatz};
pub use structured::structured;

/// Persons per parallel chunk of edge generation. Fixed (not derived from the thread count) so
/// that chunk boundaries, and therefore results, never depend on the machine.
pub(crate) const CHUNK: usize = 1 << 16;

/// Undirected ties in CSR form.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Network {
    /// `persons + 1` row starts into `targets`.
    pub offsets: Vec<u64>,
    /// Tie ends, row by row, each row sorted.
    pub targets: Vec<u32>,
    /// The weight of each tie end, beside `targets` (both ends of a tie weigh the same;
    /// positive, relative to a plain tie's 1); `None` when every tie weighs 1.
    pub weights: Option<Vec<f32>>,
}

impl Network {
    /// Generates the network a scenario asks for (a network read from files is copied; runs
    /// share it through [`crate::world::World::of`] instead).
    pub fn generate(spec: &NetworkSpec, people: &People, seed: u64) -> Network {
        let n = people.len();
        match spec {
            NetworkSpec::None => Network::empty(n),
            NetworkSpec::Structured(p) => structured(p, people, seed),
            NetworkSpec::ErdosRenyi { p } => erdos_renyi(n, *p, seed),
            NetworkSpec::WattsStrogatz {
                mean_degree,
                rewire,
            } => watts_strogatz(n, *mean_degree, *rewire, seed),
            NetworkSpec::File(f) => Network::clone(&f.network),
        }
    }

    /// `n` persons, no ties.
    pub fn empty(n: usize) -> Network {
        Network {
            offsets: vec![0; n + 1],
            targets: Vec::new(),
            weights: None,
        }
    }

    /// The weights a tie may have, relative to a plain tie's 1. Weighted thresholds sum weights
    /// exactly as whole millionths in 64-bit integers (the same sum in any order and on any
    /// thread count): a weight below a millionth would count as nothing, and these bounds
    /// with [`Network::MAX_STRENGTH`] keep every sum far from overflowing.
    pub const TIE_WEIGHT: std::ops::RangeInclusive<f64> = 1e-6..=1e6;

    /// The most a person's ties may weigh in all (4·10¹², i.e. 4·10¹⁸ millionths, under the
    /// 9.2·10¹⁸ a 64-bit sum can hold).
    pub const MAX_STRENGTH: f64 = 4e12;

    /// What a tie weight must be, for error messages.
    pub const WEIGHT_HELP: &'static str = "allowed: 0.000001 to 1000000 (a plain tie weighs 1); weights are summed exactly as whole millionths, so rescale weights that fall outside";

    /// The person whose ties weigh the most in all, with that weight, if it is more than
    /// `limit` (weighted thresholds need [`Network::MAX_STRENGTH`] or less).
    pub fn heaviest_above(&self, limit: f64) -> Option<(u32, f64)> {
        (0..self.persons() as u32)
            .map(|i| (i, self.strength(i)))
            .filter(|&(_, s)| s > limit)
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
    }

    /// Whether some tie weighs other than 1.
    pub fn is_weighted(&self) -> bool {
        self.weights.is_some()
    }

    /// The weights of person `i`'s ties, beside [`Network::neighbours`]; `None` when every
    /// tie weighs 1.
    #[inline]
    pub fn weights_of(&self, i: u32) -> Option<&[f32]> {
        let i = i as usize;
        self.weights
            .as_ref()
            .map(|w| &w[self.offsets[i] as usize..self.offsets[i + 1] as usize])
    }

    /// The summed weight of person `i`'s ties (their degree when ties are unweighted), summed
    /// in row order so that it is the same on every machine.
    pub fn strength(&self, i: u32) -> f64 {
        match self.weights_of(i) {
            Some(w) => w.iter().map(|&x| f64::from(x)).sum(),
            None => f64::from(self.degree(i)),
        }
    }

    /// Number of persons.
    pub fn persons(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Number of undirected ties.
    pub fn ties(&self) -> u64 {
        self.targets.len() as u64 / 2
    }

    /// The ties of person `i`.
    #[inline]
    pub fn neighbours(&self, i: u32) -> &[u32] {
        let i = i as usize;
        &self.targets[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    /// Number of ties of person `i`.
    #[inline]
    pub fn degree(&self, i: u32) -> u32 {
        let i = i as usize;
        (self.offsets[i + 1] - self.offsets[i]) as u32
    }

    /// Builds the CSR from edge chunks (each edge once, in either direction). Self-ties and
    /// repeated ties are dropped.
    pub fn from_edges(n: usize, chunks: Vec<Vec<(u32, u32)>>) -> Network {
        Network::from_edge_chunks(
            n,
            chunks
                .into_iter()
                .map(|near| Edges {
                    near,
                    ..Edges::default()
                })
                .collect(),
        )
    }

    /// Builds the CSR from edge chunks split into near and far edges (see [`Edges`]).
    pub fn from_edge_chunks(n: usize, chunks: Vec<Edges>) -> Network {
        // The far ends of far edges, in the order of their far end, so that both passes below
        // touch the offsets of far ends front to back instead of at random.
        // Packed as far end (high half) and near end (low half): one integer compare per step.
        let mut far_by_end: Vec<u64> = chunks
            .iter()
            .flat_map(|c| {
                c.far
                    .iter()
                    .filter(|(a, b)| a != b)
                    .map(|&(a, b)| (u64::from(b) << 32) | u64::from(a))
            })
            .collect();
        far_by_end.par_sort_unstable();
        // Degrees, accumulated in place into what becomes the offsets array.
        let mut offsets = vec![0u64; n + 1];
        for chunk in &chunks {
            if chunk.near_degrees.is_empty() {
                for &(a, b) in &chunk.near {
                    if a != b {
                        offsets[a as usize] += 1;
                        offsets[b as usize] += 1;
                    }
                }
            } else {
                let base = chunk.near_degrees_from as usize;
                for (o, &d) in offsets[base..].iter_mut().zip(&chunk.near_degrees) {
                    *o += u64::from(d);
                }
            }
            for &(a, b) in &chunk.far {
                if a != b {
                    offsets[a as usize] += 1;
                }
            }
        }
        for &key in &far_by_end {
            offsets[(key >> 32) as usize] += 1;
        }
        // offsets[i] = end of row i. Filling each row backwards from its end leaves offsets[i] at
        // its start: one array serves as both cursor and result, one memory access per tie end.
        let mut acc = 0u64;
        for o in offsets.iter_mut().take(n) {
            acc += *o;
            *o = acc;
        }
        offsets[n] = acc;
        let mut targets = vec![0u32; acc as usize];
        let mut put = |from: u32, to: u32| {
            let f = from as usize;
            offsets[f] -= 1;
            targets[offsets[f] as usize] = to;
        };
        for chunk in chunks {
            for (a, b) in chunk.near {
                if a != b {
                    put(a, b);
                    put(b, a);
                }
            }
            for (a, b) in chunk.far {
                if a != b {
                    put(a, b);
                }
            }
        }
        for key in far_by_end {
            put((key >> 32) as u32, key as u32);
        }
        let mut unique = vec![0u32; n];
        sort_and_dedup_rows(&offsets, &mut targets, &mut unique);
        // Compact rows left over the removed duplicates.
        let mut write = 0u64;
        for i in 0..n {
            let start = offsets[i] as usize;
            let len = unique[i] as usize;
            targets.copy_within(start..start + len, write as usize);
            offsets[i] = write;
            write += len as u64;
        }
        offsets[n] = write;
        targets.truncate(write as usize);
        targets.shrink_to_fit();
        Network {
            offsets,
            targets,
            weights: None,
        }
    }

    /// Builds the CSR from chunks of weighted edges `(a, b, weight)` (each edge once, in either
    /// direction; weights positive). Self-ties are dropped; a tie given more than once keeps its
    /// largest weight (the strongest of the relations between two people, e.g. kin who are
    /// also neighbours). If every tie then weighs 1, the network is stored unweighted.
    pub fn from_weighted_edges(n: usize, chunks: Vec<Vec<(u32, u32, f32)>>) -> Network {
        let mut offsets = vec![0u64; n + 1];
        for chunk in &chunks {
            for &(a, b, _) in chunk {
                if a != b {
                    offsets[a as usize] += 1;
                    offsets[b as usize] += 1;
                }
            }
        }
        let mut acc = 0u64;
        for o in offsets.iter_mut().take(n) {
            acc += *o;
            *o = acc;
        }
        offsets[n] = acc;
        // Target in the high half, the weight's bits in the low half: positive floats order
        // like their bits, so sorting a row sorts by target, then weight, and the last of a
        // run of equal targets holds the largest weight.
        let mut packed = vec![0u64; acc as usize];
        for chunk in chunks {
            for (a, b, w) in chunk {
                if a != b {
                    let bits = u64::from(w.to_bits());
                    for (from, to) in [(a, b), (b, a)] {
                        let f = from as usize;
                        offsets[f] -= 1;
                        packed[offsets[f] as usize] = (u64::from(to) << 32) | bits;
                    }
                }
            }
        }
        let mut targets = Vec::with_capacity(packed.len());
        let mut weights = Vec::with_capacity(packed.len());
        let mut start = 0u64;
        for i in 0..n {
            let end = offsets[i + 1];
            let row = &mut packed[start as usize..end as usize];
            row.sort_unstable();
            offsets[i] = targets.len() as u64;
            for (k, &key) in row.iter().enumerate() {
                let last = row.get(k + 1).is_none_or(|&next| next >> 32 != key >> 32);
                if last {
                    targets.push((key >> 32) as u32);
                    weights.push(f32::from_bits(key as u32));
                }
            }
            start = end;
        }
        offsets[n] = targets.len() as u64;
        drop(packed);
        let weights = (!weights.iter().all(|&w| w == 1.0)).then(|| {
            weights.shrink_to_fit();
            weights
        });
        targets.shrink_to_fit();
        Network {
            offsets,
            targets,
            weights,
        }
    }
}

/// One chunk of generated edges. `near` edges join people close in numbering (households,
/// villages, districts); `far` edges join a person to anyone (long ties, region links). The
/// builder sorts far edges by their far end, because visiting 10 million random far ends costs
/// more than sorting them.
#[derive(Clone, Debug, Default)]
pub struct Edges {
    /// Edges between people near in numbering.
    pub near: Vec<(u32, u32)>,
    /// Edges from a person of the chunk to anyone.
    pub far: Vec<(u32, u32)>,
    /// Optional: the near edges' contribution to the degrees of persons
    /// `near_degrees_from..near_degrees_from + near_degrees.len()`, counted by the generator
    /// while the edges were in cache, which spares the builder a pass over them. Self-ties
    /// must not be counted.
    pub near_degrees: Vec<u32>,
    /// First person of `near_degrees`.
    pub near_degrees_from: u32,
}

/// Sorts each row and moves its distinct values to the row's front; `unique[i]` receives the
/// number kept. Rows are processed in parallel blocks.
fn sort_and_dedup_rows(offsets: &[u64], targets: &mut [u32], unique: &mut [u32]) {
    let n = unique.len();
    let mut blocks = Vec::new();
    let mut rest = targets;
    let mut start = 0;
    for uniq in unique.chunks_mut(CHUNK) {
        let end = start + uniq.len();
        let len = (offsets[end] - offsets[start]) as usize;
        let (head, tail) = rest.split_at_mut(len);
        blocks.push((start, head, uniq));
        rest = tail;
        start = end;
    }
    debug_assert_eq!(start, n);
    blocks.into_par_iter().for_each(|(first, slice, uniq)| {
        let base = offsets[first];
        for (k, u) in uniq.iter_mut().enumerate() {
            let r = first + k;
            let row = &mut slice[(offsets[r] - base) as usize..(offsets[r + 1] - base) as usize];
            row.sort_unstable();
            let mut kept = 0;
            for j in 0..row.len() {
                if j == 0 || row[j] != row[kept - 1] {
                    row[kept] = row[j];
                    kept += 1;
                }
            }
            *u = kept as u32;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_sorted_symmetric_rows_without_duplicates_or_loops() {
        let edges = vec![vec![(0, 1), (1, 0), (2, 2), (3, 1)], vec![(0, 3), (0, 1)]];
        let g = Network::from_edges(4, edges);
        assert_eq!(g.neighbours(0), &[1, 3]);
        assert_eq!(g.neighbours(1), &[0, 3]);
        assert_eq!(g.neighbours(2), &[] as &[u32]);
        assert_eq!(g.neighbours(3), &[0, 1]);
        assert_eq!(g.ties(), 3);
        assert_eq!(g.degree(0), 2);
        assert!(!g.is_weighted());
    }

    #[test]
    fn weighted_ties_keep_their_largest_weight_and_equal_weights_store_nothing() {
        let edges = vec![
            vec![(0, 1, 2.0), (1, 0, 0.5), (2, 2, 3.0)],
            vec![(0, 3, 1.0), (3, 1, 1.5)],
        ];
        let g = Network::from_weighted_edges(4, edges);
        assert_eq!(g.neighbours(0), &[1, 3]);
        assert_eq!(g.weights_of(0), Some(&[2.0, 1.0][..]));
        assert_eq!(g.weights_of(1), Some(&[2.0, 1.5][..]));
        assert_eq!(g.weights_of(2), Some(&[][..]));
        assert_eq!(g.strength(1), 3.5);
        assert_eq!(g.ties(), 3);
        let plain = Network::from_weighted_edges(4, vec![vec![(0, 1, 1.0), (3, 1, 1.0)]]);
        assert_eq!(plain, Network::from_edges(4, vec![vec![(0, 1), (3, 1)]]));
        assert_eq!(plain.strength(1), 2.0);
    }
}
