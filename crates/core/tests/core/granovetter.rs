//! Validation: Granovetter (1978), "Threshold models of collective behavior", AJS 83(6),
//! reproduced exactly with the shipped scenario files.

use mobilize_core::engine::Sim;
use mobilize_core::observe::{Recorder, StopReason};
use mobilize_core::scenario::{embedded, Override, Scenario};

fn run(name: &str, sets: &[&str]) -> (Recorder, mobilize_core::observe::Outcome) {
    let overrides: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    let scenario = Scenario::load(&embedded::source(name).unwrap(), &overrides).unwrap();
    let mut rec = Recorder::default();
    let outcome = Sim::new(scenario).run(&mut [&mut rec]).unwrap();
    (rec, outcome)
}

fn figure(o: &mobilize_core::observe::Outcome, name: &str) -> f64 {
    o.figures.iter().find(|(n, _)| n == name).unwrap().1
}

/// p. 1424: thresholds 0..99 — everyone acts, one more at each step, the last at step 100.
#[test]
fn uniform_thresholds_give_100_actors_at_step_100() {
    let (rec, outcome) = run("granovetter-uniform", &[]);
    let active = rec.column("active").unwrap();
    // Steps 0..=100, then one step without change (the equilibrium test r(t+1) = r(t)).
    assert_eq!(active.len(), 102);
    for (t, &a) in active.iter().enumerate() {
        assert_eq!(a, (t as f64).min(100.0), "step {t}");
    }
    assert_eq!(outcome.reason, StopReason::Equilibrium);
    assert_eq!(figure(&outcome, "last_change_step"), 100.0);
    assert_eq!(outcome.last_step, 101);
    assert_eq!(figure(&outcome, "final_active"), 100.0);
}

/// p. 1424: replace the threshold-1 person by a threshold-2 person — one actor only.
#[test]
fn perturbed_uniform_stops_at_one_actor() {
    let (rec, outcome) = run("granovetter-perturbed", &[]);
    assert_eq!(rec.column("active").unwrap(), vec![0.0, 1.0, 1.0]);
    assert_eq!(figure(&outcome, "final_active"), 1.0);
    assert_eq!(outcome.reason, StopReason::Equilibrium);
}

/// Fig. 2: N = 100, mean 25. With mid-point quantiles rounded to whole persons, the
/// equilibrium jumps from a handful to everyone between sd = 12.2 and sd = 12.3.
#[test]
fn normal_thresholds_jump_near_sd_12_2() {
    let actors = |sd: f64| {
        let set = format!("threshold.distribution.sd={sd}");
        figure(&run("granovetter-normal", &[&set]).1, "final_active")
    };
    // None or a handful below the critical value (with a small sd nobody has threshold 0)...
    for (sd, want) in [
        (4.0, 0.0),
        (8.0, 0.0),
        (10.0, 1.0),
        (12.0, 4.0),
        (12.2, 5.0),
    ] {
        assert_eq!(actors(sd), want, "sd {sd}");
    }
    // ...nearly all above it.
    for sd in [12.3, 13.0, 15.0] {
        assert!(actors(sd) >= 95.0, "sd {sd}: {}", actors(sd));
    }
    // The jump is a single step in sd, located to 0.01.
    let mut jump = None;
    for k in 1150..1300 {
        let sd = f64::from(k) / 100.0;
        if actors(sd) > 50.0 {
            jump = Some(sd);
            break;
        }
    }
    let jump = jump.expect("a jump between sd 11.5 and 13");
    assert!((12.2..=12.3).contains(&jump), "jump at sd {jump}");
}

/// With `stop_at_equilibrium = false` the run goes on to `time.steps`, unchanged.
#[test]
fn runs_to_the_time_limit_when_asked() {
    let (rec, outcome) = run(
        "granovetter-perturbed",
        &["threshold.stop_at_equilibrium=false", "time.steps=30"],
    );
    assert_eq!(outcome.reason, StopReason::TimeLimit);
    assert_eq!(outcome.last_step, 30);
    let active = rec.column("active").unwrap();
    assert_eq!(active.len(), 31);
    assert!(active[1..].iter().all(|&a| a == 1.0));
}

/// p. 1431: a crowd of 100 whose thresholds are drawn at random from 0..99 (each 1/100)
/// ends with at most one actor with probability 0.99^100 + 0.98^99 ≈ 0.5014 (no one at 0, or
/// one at 0 and no one at 1). Over 4,000 seeds the share must be within 4 standard errors
/// (4 · 0.0079); `uniform` on [0, 100) floored is that crowd (docs/models/threshold.md).
#[test]
fn random_uniform_crowds_stop_at_one_actor_about_half_the_time() {
    let exact = 0.99f64.powi(100) + 0.98f64.powi(99);
    let runs = 4_000;
    let mut at_most_one = 0;
    for seed in 1..=runs {
        let seed = format!("seed={seed}");
        let (_, outcome) = run(
            "granovetter-uniform",
            &[
                &seed,
                r#"threshold.distribution={kind="uniform",min=0,max=100,rounding="floor",sampling="random"}"#,
            ],
        );
        if figure(&outcome, "final_active") <= 1.0 {
            at_most_one += 1;
        }
    }
    let share = f64::from(at_most_one) / f64::from(runs);
    let se = (exact * (1.0 - exact) / f64::from(runs)).sqrt();
    assert!(
        (share - exact).abs() < 4.0 * se,
        "{share} of {runs} crowds stopped at one actor or none; exactly {exact:.4}"
    );
}
