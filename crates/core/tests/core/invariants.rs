//! Invariants of the threshold model, checked on random scenarios (property tests), and the
//! equivalence of its crowd and network forms.

use mobilize_core::engine::Sim;
use mobilize_core::observe::Recorder;
use mobilize_core::scenario::{Scenario, Source};
use proptest::prelude::*;

fn scenario(text: &str) -> Scenario {
    Scenario::load(&Source::text("test.toml", text), &[]).unwrap()
}

fn network_text(
    n1: u32,
    n2: u32,
    mean: f64,
    sd: f64,
    kind: &str,
    seed: u64,
    initial: u64,
) -> String {
    format!(
        r#"
name = "prop"
model = "threshold"
seed = {seed}
[time]
steps = 60
[[regions]]
name = "a"
population = {n1}
[[regions]]
name = "b"
population = {n2}
[network]
kind = "{kind}"
[threshold]
form = "network"
unit = "fraction"
initial_random = {initial}
[threshold.distribution]
kind = "normal"
mean = {mean}
sd = {sd}
sampling = "random"
[[events]]
step = 5
kind = "shift_thresholds"
delta = -0.05
[[events]]
step = 9
kind = "activate"
count = 3
region = "b"
"#
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Counts sum to the population; nobody is counted twice; acting never decreases;
    /// `new_active` is the step's increase; region counts add up to the total.
    #[test]
    fn counts_conserve_people(
        n1 in 1u32..3000, n2 in 1u32..3000, mean in 0.0f64..0.6, sd in 0.0f64..0.3,
        seed in 0u64..1000, initial in 0u64..20, structured in any::<bool>(),
    ) {
        let kind = if structured { "structured" } else { "erdos_renyi" };
        let s = scenario(&network_text(n1, n2, mean, sd, kind, seed, initial));
        let persons = f64::from(s.population());
        let mut rec = Recorder::default();
        Sim::new(s).run(&mut [&mut rec]).unwrap();
        let active = rec.column("active").unwrap();
        let new = rec.column("new_active").unwrap();
        let a = rec.column("active.a").unwrap();
        let b = rec.column("active.b").unwrap();
        for t in 0..active.len() {
            prop_assert!(active[t] <= persons);
            prop_assert_eq!(a[t] + b[t], active[t]);
            prop_assert!(a[t] <= f64::from(n1) && b[t] <= f64::from(n2));
            if t > 0 {
                prop_assert!(active[t] >= active[t - 1]);
                prop_assert_eq!(new[t], active[t] - active[t - 1]);
            }
        }
        prop_assert_eq!(new[0], active[0]);
    }

    /// On the complete graph with count thresholds, the network form is the crowd form.
    #[test]
    fn network_on_complete_graph_equals_crowd(n in 2u32..120, sd in 0.0f64..30.0, mean in 0.0f64..40.0, seed in 0u64..100) {
        let text = |form: &str, network: &str| format!(
            r#"
name = "eq"
model = "threshold"
seed = {seed}
[time]
steps = 300
[[regions]]
name = "a"
population = {n}
[network]
{network}
[threshold]
form = "{form}"
unit = "count"
[threshold.distribution]
kind = "normal"
mean = {mean}
sd = {sd}
rounding = "round"
"#);
        let complete = format!("kind = \"erdos_renyi\"\nmean_degree = {}", n - 1);
        let mut crowd = Recorder::default();
        Sim::new(scenario(&text("crowd", "kind = \"none\""))).run(&mut [&mut crowd]).unwrap();
        let mut net = Recorder::default();
        Sim::new(scenario(&text("network", &complete))).run(&mut [&mut net]).unwrap();
        prop_assert_eq!(crowd.column("active"), net.column("active"));
    }
}

/// The same scenario and seed give identical series with 1, 2 and 8 threads, also on a network
/// large enough for the parallel frontier.
#[test]
fn results_do_not_depend_on_thread_count() {
    let text = network_text(150_000, 100_000, 0.25, 0.1, "structured", 7, 30);
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                let mut rec = Recorder::default();
                Sim::new(scenario(&text)).run(&mut [&mut rec]).unwrap();
                rec
            })
    };
    let one = run(1);
    let peak = one
        .column("new_active")
        .unwrap()
        .into_iter()
        .fold(0.0, f64::max);
    assert!(
        peak > 40_000.0,
        "the frontier must be large enough to run in parallel: {peak}"
    );
    assert_eq!(one, run(2));
    assert_eq!(one, run(8));
    assert_eq!(one, run(1));
}

/// Common random numbers: changing the seed changes the run, changing nothing does not.
#[test]
fn seed_matters_and_nothing_else_varies() {
    let run = |seed| {
        let mut rec = Recorder::default();
        Sim::new(scenario(&network_text(
            3000,
            2000,
            0.2,
            0.1,
            "structured",
            seed,
            5,
        )))
        .run(&mut [&mut rec])
        .unwrap();
        rec
    };
    assert_eq!(run(1), run(1));
    assert_ne!(run(1), run(2));
}
