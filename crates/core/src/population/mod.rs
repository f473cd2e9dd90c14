//! People as columns (struct of arrays), numbered region by region.
//!
//! A person is an index `0..n` (`u32`). Each attribute is one compact column, so a pass over one
//! attribute touches only its bytes, and a million people cost a few megabytes.

use rayon::prelude::*;

use crate::rng::{Purpose, Stream};
use crate::scenario::{Region, Shares};
pub use crate::scenario::{AGE_BANDS, OCCUPATIONS, SEXES};

/// The population's attribute columns. Index = person number.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct People {
    /// Region number of each person.
    pub region: Vec<u16>,
    /// Age band code (index into [`AGE_BANDS`]).
    pub age: Vec<u8>,
    /// Sex code (index into [`SEXES`]).
    pub sex: Vec<u8>,
    /// Occupation code (index into [`OCCUPATIONS`]).
    pub occupation: Vec<u8>,
    /// First person number of each region, plus the total at the end (`regions + 1` entries).
    pub region_start: Vec<u32>,
}

impl People {
    /// Number of persons.
    pub fn len(&self) -> usize {
        self.region.len()
    }

    /// Whether there is nobody.
    pub fn is_empty(&self) -> bool {
        self.region.is_empty()
    }

    /// The person numbers of region `r`.
    pub fn of_region(&self, r: u16) -> std::ops::Range<u32> {
        self.region_start[r as usize]..self.region_start[r as usize + 1]
    }

    /// Synthesizes the population: each person's attributes are drawn independently from
    /// their region's shares, with the person's own stream (so the result does not depend on
    /// thread count, and adding a region leaves earlier people unchanged).
    pub fn synthesize(regions: &[Region], seed: u64) -> People {
        let mut region_start = Vec::with_capacity(regions.len() + 1);
        let mut total: u32 = 0;
        for r in regions {
            region_start.push(total);
            total += r.population;
        }
        region_start.push(total);
        let n = total as usize;
        let mut people = People {
            region: vec![0; n],
            age: vec![0; n],
            sex: vec![0; n],
            occupation: vec![0; n],
            region_start,
        };
        for (r, region) in regions.iter().enumerate() {
            let range = people.of_region(r as u16);
            let (lo, hi) = (range.start as usize, range.end as usize);
            people.region[lo..hi].fill(r as u16);
            let shares = &region.shares;
            people.age[lo..hi]
                .par_iter_mut()
                .zip(people.sex[lo..hi].par_iter_mut())
                .zip(people.occupation[lo..hi].par_iter_mut())
                .enumerate()
                .for_each(|(k, ((age, sex), occ))| {
                    let mut s = Stream::new(seed, Purpose::ATTRIBUTES, 0, (lo + k) as u32);
                    *age = pick(&mut s, &shares.age);
                    *sex = pick(&mut s, &shares.sex);
                    *occ = pick(&mut s, &shares.occupation);
                });
        }
        people
    }

    /// Persons per category of each attribute, for checks and summaries.
    pub fn tally(&self) -> Shares {
        let mut t = Shares {
            age: [0.0; 3],
            sex: [0.0; 2],
            occupation: [0.0; 4],
        };
        for i in 0..self.len() {
            t.age[self.age[i] as usize] += 1.0;
            t.sex[self.sex[i] as usize] += 1.0;
            t.occupation[self.occupation[i] as usize] += 1.0;
        }
        t
    }
}

/// Draws a category index from shares that sum to 1.
fn pick(s: &mut Stream, shares: &[f64]) -> u8 {
    let u = s.uniform();
    let mut acc = 0.0;
    for (i, &p) in shares.iter().enumerate() {
        acc += p;
        if u < acc {
            return i as u8;
        }
    }
    // Rounding left u above the last cumulative share: take the last category with weight.
    shares.iter().rposition(|&p| p > 0.0).unwrap_or(0) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(name: &str, population: u32, age: [f64; 3]) -> Region {
        Region {
            name: name.into(),
            label: name.into(),
            population,
            area_km2: None,
            position: None,
            neighbours: vec![],
            shares: Shares {
                age,
                sex: [0.5, 0.5],
                occupation: [0.7, 0.1, 0.1, 0.1],
            },
            fields: Vec::new(),
            abroad: false,
        }
    }

    #[test]
    fn numbers_people_region_by_region_with_their_shares() {
        let regions = [
            region("a", 30_000, [0.0, 0.0, 1.0]),
            region("b", 20_000, [0.5, 0.5, 0.0]),
        ];
        let p = People::synthesize(&regions, 3);
        assert_eq!(p.len(), 50_000);
        assert_eq!(p.of_region(1), 30_000..50_000);
        assert!(p.region[..30_000].iter().all(|&r| r == 0));
        assert!(p.age[..30_000].iter().all(|&a| a == 2));
        let children = p.age[30_000..].iter().filter(|&&a| a == 0).count();
        assert!((9_500..10_500).contains(&children), "{children}");
        let t = p.tally();
        assert_eq!(t.age.iter().sum::<f64>(), 50_000.0);
        let peasants = t.occupation[0] / 50_000.0;
        assert!((peasants - 0.7).abs() < 0.01);
    }

    #[test]
    fn same_seed_same_people_whatever_the_threads() {
        let regions = [region("a", 10_000, [0.2, 0.3, 0.5])];
        let one = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap()
            .install(|| People::synthesize(&regions, 9));
        let four = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap()
            .install(|| People::synthesize(&regions, 9));
        assert_eq!(one, four);
        assert_ne!(one, People::synthesize(&regions, 10));
    }
}
