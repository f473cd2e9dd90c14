//! Seeds of replicates, derived from one base seed.
//!
//! Replicate `r` of every design point and of both arms of a comparison gets the same seed, so
//! that points differ only by their parameters (common random numbers). Seeds are spread by
//! SplitMix64 so that neighbouring replicates do not share stream keys that differ in one bit,
//! and kept below 2^53 so that every tool that reads the tables (R, JavaScript, spreadsheets
//! store integers as doubles) holds them exactly.

/// Largest seed handed out: 2^53 − 1.
pub const MAX_SEED: u64 = (1 << 53) - 1;

/// The seed of replicate `replicate` of an experiment whose base seed is `base`.
pub fn replicate_seed(base: u64, replicate: u32) -> u64 {
    splitmix64(base ^ splitmix64(u64::from(replicate).wrapping_add(0x6d6f_6269_6c69_7a65)))
        & MAX_SEED
}

/// SplitMix64's output function (Steele, Lea & Flood 2014).
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_are_distinct_stable_and_exact_as_doubles() {
        let seeds: Vec<u64> = (0..10_000).map(|r| replicate_seed(7, r)).collect();
        let mut sorted = seeds.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), seeds.len());
        assert!(seeds
            .iter()
            .all(|&s| s <= MAX_SEED && (s as f64) as u64 == s));
        // Pinned: changing the derivation changes every published ensemble.
        assert_ne!(replicate_seed(7, 0), replicate_seed(8, 0));
        assert_eq!(replicate_seed(1937, 0), PINNED);
    }

    const PINNED: u64 = 3821424893752327;
}
