//! A network with the layers of a real society: households, villages, districts (workplaces
//! and schools), long ties, and links between named regions.
//!
//! People are numbered region by region, and within a region household by household, so a
//! household is a run of consecutive numbers, a village a run of households, a district a run of
//! villages. Most ties therefore join people near in memory, which keeps cascades cache-friendly.
//!
//! Within each layer, every person *makes* on average half the layer's ties (the other half
//! are made to them), choosing partners uniformly in their village or district, so each layer
//! adds its `*_ties` parameter to the mean degree.
//!
//! Each kind of tie may weigh differently (`[network.weights]`); the ties drawn are the same
//! whatever the weights, so weighting a kind changes how ties count, never who is tied.

use rayon::prelude::*;

use super::{Edges, Network, CHUNK};
use crate::population::People;
use crate::rng::{Purpose, Stream};
use crate::scenario::StructuredNetwork;

/// Generates the structured network.
pub fn structured(p: &StructuredNetwork, people: &People, seed: u64) -> Network {
    let n = people.len();
    let h = p.household_size.max(1) as usize;
    let village = (p.village_size as usize / h).max(1) * h;
    let district = (p.district_size as usize / village).max(1) * village;
    let mean = (h - 1) as f64 / 2.0 + (p.village_ties + p.district_ties + p.long_ties) / 2.0;
    let weighted = p.is_weighted();
    let w = p.weights;
    let chunks: Vec<(Edges, Vec<f32>, Vec<f32>)> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let lo = c * CHUNK;
            let hi = (lo + CHUNK).min(n);
            let mut edges = Vec::with_capacity(((hi - lo) as f64 * (mean + 0.5)) as usize);
            // Near ties stay within a district, so their ends lie within one district of the
            // chunk: count degrees there while the edges are hot.
            let from = lo.saturating_sub(district);
            let mut degrees = vec![0u32; (hi + district).min(n) - from];
            let mut far =
                Vec::with_capacity(((hi - lo) as f64 * (p.long_ties / 2.0 + 0.5)) as usize);
            // The weight of each edge, beside `edges` and `far`, kept only when weighted.
            let (mut near_w, mut far_w) = (Vec::new(), Vec::new());
            let mark = |ws: &mut Vec<f32>, len: usize, weight: f32| {
                if weighted {
                    ws.resize(len, weight);
                }
            };
            for i in lo..hi {
                let r = people.region[i];
                let range = people.of_region(r);
                let (r_lo, r_hi) = (range.start as usize, range.end as usize);
                let local = i - r_lo;
                // Household: everyone tied to everyone.
                let h_end = (r_lo + (local / h + 1) * h).min(r_hi);
                for j in i + 1..h_end {
                    edges.push((i as u32, j as u32));
                }
                mark(&mut near_w, edges.len(), w.household);
                let group = |size: usize| {
                    let start = r_lo + local / size * size;
                    (start, (start + size).min(r_hi))
                };
                let (v_lo, v_hi) = group(village);
                ties_within(
                    &mut edges,
                    i,
                    v_lo,
                    v_hi,
                    p.village_ties / 2.0,
                    seed,
                    Purpose::VILLAGE_TIES,
                );
                mark(&mut near_w, edges.len(), w.village);
                let (d_lo, d_hi) = group(district);
                ties_within(
                    &mut edges,
                    i,
                    d_lo,
                    d_hi,
                    p.district_ties / 2.0,
                    seed,
                    Purpose::WORK_TIES,
                );
                mark(&mut near_w, edges.len(), w.district);
                ties_within(
                    &mut far,
                    i,
                    0,
                    n,
                    p.long_ties / 2.0,
                    seed,
                    Purpose::LONG_TIES,
                );
                mark(&mut far_w, far.len(), w.long);
            }
            for (l, link) in p.links.iter().enumerate() {
                let source = people.of_region(link.from);
                let to = people.of_region(link.to);
                let (a, b) = (source.start.max(lo as u32), source.end.min(hi as u32));
                for i in a..b {
                    let mut s = Stream::new(seed, Purpose::LINK_TIES, l as u32, i);
                    let count = s.rounded_count(link.ties_per_person);
                    if to.is_empty() {
                        continue;
                    }
                    for _ in 0..count {
                        let j = to.start + s.below(to.end - to.start);
                        far.push((i, j));
                    }
                }
                mark(&mut far_w, far.len(), link.weight);
            }
            for &(a, b) in &edges {
                degrees[a as usize - from] += 1;
                degrees[b as usize - from] += 1;
            }
            (
                Edges {
                    near: edges,
                    far,
                    near_degrees: degrees,
                    near_degrees_from: from as u32,
                },
                near_w,
                far_w,
            )
        })
        .collect();
    if !weighted {
        return Network::from_edge_chunks(n, chunks.into_iter().map(|c| c.0).collect());
    }
    let weighted_chunks = chunks
        .into_iter()
        .map(|(e, near_w, far_w)| {
            let near = e.near.into_iter().zip(near_w);
            let far = e.far.into_iter().zip(far_w);
            near.chain(far).map(|((a, b), w)| (a, b, w)).collect()
        })
        .collect();
    Network::from_weighted_edges(n, weighted_chunks)
}

/// Person `i` makes on average `mean` ties to uniformly chosen others in `lo..hi`.
#[inline]
fn ties_within(
    edges: &mut Vec<(u32, u32)>,
    i: usize,
    lo: usize,
    hi: usize,
    mean: f64,
    seed: u64,
    purpose: Purpose,
) {
    let size = hi - lo;
    if size < 2 || mean <= 0.0 {
        return;
    }
    let mut s = Stream::new(seed, purpose, 0, i as u32);
    for _ in 0..s.rounded_count(mean) {
        let mut j = lo + s.below(size as u32 - 1) as usize;
        if j >= i {
            j += 1;
        }
        edges.push((i as u32, j as u32));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::{Link, Region, Shares, TieWeights};

    fn people(sizes: &[u32]) -> People {
        let regions: Vec<Region> = sizes
            .iter()
            .enumerate()
            .map(|(i, &n)| Region {
                name: format!("r{i}"),
                label: format!("r{i}"),
                population: n,
                area_km2: None,
                position: None,
                neighbours: vec![],
                shares: Shares {
                    age: [0.0, 0.0, 1.0],
                    sex: [0.5, 0.5],
                    occupation: [0.0, 0.0, 0.0, 1.0],
                },
                fields: Vec::new(),
                abroad: false,
            })
            .collect();
        People::synthesize(&regions, 1)
    }

    fn params() -> StructuredNetwork {
        StructuredNetwork {
            household_size: 5,
            village_size: 100,
            village_ties: 4.0,
            district_size: 1000,
            district_ties: 2.0,
            long_ties: 1.0,
            links: vec![],
            weights: TieWeights::default(),
        }
    }

    #[test]
    fn households_are_cliques_and_the_mean_degree_adds_up() {
        let pop = people(&[50_000]);
        let g = structured(&params(), &pop, 7);
        for i in 0..5 {
            for j in 0..5 {
                if i != j {
                    assert!(g.neighbours(i).contains(&j));
                }
            }
        }
        let mean = 2.0 * g.ties() as f64 / 50_000.0;
        // 4 household + 4 village + 2 district + 1 long, less a few merged duplicates.
        assert!((10.7..=11.0).contains(&mean), "{mean}");
        // Most ties are local: within a district of 1000 numbers.
        let local = (0..50_000u32)
            .flat_map(|i| g.neighbours(i).iter().map(move |&j| i.abs_diff(j)))
            .filter(|&d| d < 1000)
            .count();
        assert!(local as f64 / g.targets.len() as f64 > 0.85);
    }

    #[test]
    fn villages_do_not_cross_regions_and_links_join_regions() {
        let pop = people(&[1_000, 1_000]);
        let mut p = params();
        p.long_ties = 0.0;
        let g = structured(&p, &pop, 1);
        assert!((0..1000u32).all(|i| g.neighbours(i).iter().all(|&j| j < 1000)));
        p.links = vec![Link {
            from: 0,
            to: 1,
            ties_per_person: 1.0,
            weight: 1.0,
        }];
        let g = structured(&p, &pop, 1);
        let across = (0..1000u32)
            .flat_map(|i| g.neighbours(i).iter().copied())
            .filter(|&j| j >= 1000)
            .count();
        assert!((950..=1000).contains(&across), "{across}");
    }

    #[test]
    fn weights_change_how_ties_count_never_who_is_tied() {
        let pop = people(&[20_000, 5_000]);
        let mut p = params();
        p.links = vec![Link {
            from: 0,
            to: 1,
            ties_per_person: 0.5,
            weight: 1.0,
        }];
        let plain = structured(&p, &pop, 5);
        assert!(!plain.is_weighted());
        p.weights = TieWeights {
            household: 3.0,
            village: 2.0,
            district: 1.5,
            long: 0.25,
        };
        p.links[0].weight = 0.5;
        let weighted = structured(&p, &pop, 5);
        assert_eq!(weighted.offsets, plain.offsets);
        assert_eq!(weighted.targets, plain.targets);
        // Household members weigh 3 (the largest of the kinds that join them).
        assert_eq!(weighted.weights_of(0).unwrap()[..4], [3.0; 4]);
        for i in 0..25_000u32 {
            for (&j, &w) in weighted
                .neighbours(i)
                .iter()
                .zip(weighted.weights_of(i).unwrap())
            {
                assert!([3.0, 2.0, 1.5, 0.5, 0.25].contains(&w), "{w}");
                // Both ends of a tie weigh the same.
                let back = weighted.neighbours(j).binary_search(&i).unwrap();
                assert_eq!(weighted.weights_of(j).unwrap()[back], w);
                if i / 5 == j / 5 && (i < 20_000) == (j < 20_000) {
                    assert_eq!(w, 3.0);
                }
            }
        }
    }

    #[test]
    fn same_network_whatever_the_threads() {
        let pop = people(&[150_000, 70_000]);
        let build = |t| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(t)
                .build()
                .unwrap()
                .install(|| structured(&params(), &pop, 3))
        };
        let a = build(1);
        assert_eq!(a, build(3));
        assert_eq!(a, build(8));
    }
}
