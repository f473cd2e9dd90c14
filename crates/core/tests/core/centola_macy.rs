//! Validation: Centola and Macy (2007), "Complex contagions and the weakness of long ties",
//! AJS 113(3). On a ring lattice where each person is tied to the k nearest on each side, with
//! a count threshold a ≤ k for everyone and a contiguous seed of a people, the front of a
//! complex contagion advances exactly k − a + 1 places per step on each side; rewiring ties at
//! random slows or stops it, while it speeds a simple contagion (a = 1).

use mobilize_core::engine::Sim;
use mobilize_core::observe::Recorder;
use mobilize_core::scenario::{Scenario, Source};

/// A ring of `n` with `k` ties on each side, rewired with probability `rewire`, thresholds
/// `a` (ties acting) for all, the people 0..a acting at the start; the count acting per step.
fn ring(n: u32, k: u32, a: u32, rewire: f64, seed: u64) -> Vec<f64> {
    let seeds: Vec<String> = (0..a).map(|i| i.to_string()).collect();
    let text = format!(
        "name = \"ring\"\nmodel = \"threshold\"\nseed = {seed}\n[time]\nsteps = {n}\n\
         [[regions]]\nname = \"ring\"\npopulation = {n}\n\
         [network]\nkind = \"watts_strogatz\"\nmean_degree = {}\nrewire = {rewire}\n\
         [threshold]\nform = \"network\"\nunit = \"count\"\ninitial_actors = [{}]\n\
         [threshold.distribution]\nkind = \"uniform\"\nmin = {a}\nmax = {a}\n",
        2 * k,
        seeds.join(", ")
    );
    let scenario = Scenario::load(&Source::text("ring.toml", &text), &[]).unwrap();
    let mut rec = Recorder::default();
    Sim::new(scenario).run(&mut [&mut rec]).unwrap();
    rec.column("active").unwrap()
}

#[test]
fn the_front_advances_k_minus_a_plus_one_places_per_step_on_each_side() {
    let n = 2_000;
    for (k, a) in [(2, 1), (2, 2), (3, 2), (4, 2), (4, 3), (5, 5), (6, 4)] {
        let active = ring(n, k, a, 0.0, 1);
        let per_step = 2 * (k - a + 1);
        // Until the two fronts come within reach of each other on the far side of the ring.
        let steps = (n - a - 2 * k) / per_step;
        for (t, &got) in active.iter().enumerate().take(steps as usize) {
            let want = f64::from(a + per_step * t as u32);
            assert_eq!(got, want, "k = {k}, a = {a}, step {t}");
        }
        assert_eq!(
            *active.last().unwrap(),
            f64::from(n),
            "k = {k}, a = {a}: everyone in the end"
        );
    }
}

#[test]
fn a_threshold_above_k_stops_at_the_seed() {
    // a = 3 > k = 2: a person next to the seed sees at most 2 of their ties acting.
    let mut active = ring(500, 2, 3, 0.0, 1);
    active.dedup();
    assert_eq!(active, vec![3.0]);
}

/// Steps until half the ring acts (or `None` if it never does), averaged over seeds.
fn half_time(k: u32, a: u32, rewire: f64, seeds: u64) -> (f64, u64) {
    let n = 4_000;
    let mut total = 0.0;
    let mut reached = 0;
    for seed in 1..=seeds {
        let active = ring(n, k, a, rewire, seed);
        if let Some(t) = active.iter().position(|&x| x >= f64::from(n / 2)) {
            total += t as f64;
            reached += 1;
        }
    }
    (total / reached.max(1) as f64, reached)
}

#[test]
fn rewiring_speeds_a_simple_contagion_and_slows_or_stops_a_complex_one() {
    // Simple contagion (a = 1): long ties are shortcuts.
    let (ring_t, ring_n) = half_time(3, 1, 0.0, 5);
    let (small_t, small_n) = half_time(3, 1, 0.2, 5);
    eprintln!("simple: ring {ring_t}, rewired {small_t}");
    assert_eq!((ring_n, small_n), (5, 5));
    assert!(
        small_t < 0.5 * ring_t,
        "simple: {small_t} steps rewired vs {ring_t} on the ring"
    );
    // Complex contagion (a = 2 of k = 3 each side): rewired ties are wasted on it, and the
    // wide front it needs is broken.
    let (ring_t, ring_n) = half_time(3, 2, 0.0, 5);
    let (small_t, small_n) = half_time(3, 2, 0.2, 5);
    eprintln!("complex: ring {ring_t} ({ring_n}/5), rewired {small_t} ({small_n}/5)");
    assert_eq!(ring_n, 5);
    assert!(
        small_n < 5 || small_t > ring_t,
        "complex: {small_t} steps rewired ({small_n} of 5 reach half) vs {ring_t} on the ring"
    );
}
