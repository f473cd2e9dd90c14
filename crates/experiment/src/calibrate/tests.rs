use super::*;
use crate::targets::Targets;

/// A toy "model": target i is 10 × the parameter `uses[i]` names (0: a, 1: b), plus noise of
/// sd 0.1 that depends on the point and replicate only.
fn toy(uses: &'static [usize]) -> impl Fn(&[f64], u32) -> Result<Vec<Option<f64>>, String> + Sync {
    move |x: &[f64], k: u32| {
        let mut h = x.iter().fold(u64::from(k) ^ 0x1234_5678, |h, v| {
            (h ^ v.to_bits())
                .wrapping_mul(0x9E37_79B9_7F4A_7C15)
                .rotate_left(17)
        });
        Ok(uses
            .iter()
            .map(|&p| {
                h = h.wrapping_mul(0xD1B5_4A32_D192_ED03).rotate_left(29);
                let u = (h >> 11) as f64 / (1u64 << 53) as f64;
                Some(
                    10.0 * x[p]
                        + 0.1
                            * crate::targets::Prior::Normal { mean: 0.0, sd: 1.0 }
                                .quantile(u.clamp(1e-9, 1.0 - 1e-9)),
                )
            })
            .collect())
    }
}

fn targets(observed: &[f64]) -> Targets {
    let mut text = String::from("scenario = \"toy\"\n");
    for (i, o) in observed.iter().enumerate() {
        text.push_str(&format!(
            "[[target]]\nname = \"t{i}\"\nfigure = \"x\"\nobserved = {o:?}\nsd = 0.2\nsource = \"made up\"\n"
        ));
    }
    text.push_str("[priors]\na = { dist = \"uniform\", min = 0.0, max = 1.0 }\nb = { dist = \"uniform\", min = 0.0, max = 1.0 }\n");
    Targets::parse("toy.toml", &text).unwrap()
}

fn settings() -> Settings {
    Settings {
        waves: 3,
        points: 20,
        replicates: 3,
        candidates: 4_000,
        ..Settings::default()
    }
}

fn quiet(_: usize, _: usize, _: usize) {}

#[test]
fn waves_close_in_on_the_truth_and_the_space_shrinks() {
    let t = targets(&[3.0, 7.0]);
    let c = calibrate(&t, &settings(), &Store::memory(), &toy(&[0, 1]), &quiet).unwrap();
    assert!(c.stopped.is_none(), "{:?}", c.stopped);
    assert_eq!(c.waves.len(), 3);
    let spaces: Vec<f64> = c.waves.iter().map(|w| w.space_after).collect();
    assert!(spaces.windows(2).all(|w| w[1] <= w[0] + 1e-9), "{spaces:?}");
    // |10a − 3| ≤ 3 √(0.04 + 0.01) ≈ 0.67: a within 0.3 ± 0.07, b within 0.7 ± 0.07,
    // about 1.8 % of the square.
    let last = *spaces.last().unwrap();
    assert!(last > 0.005 && last < 0.05, "{spaces:?}");
    assert!(!c.left.is_empty());
    for (x, i) in &c.left {
        assert!(
            (x[0] - 0.3).abs() < 0.1 && (x[1] - 0.7).abs() < 0.1,
            "{x:?} (I = {i})"
        );
    }
    // Later waves' designs lie near the truth.
    for x in &c.waves[2].design {
        assert!((x[0] - 0.3).abs() < 0.15, "{x:?}");
    }
    // The emulators predict left-out runs.
    for f in &c.waves[0].fits {
        assert!(f.diagnostics.unwrap().within_three >= 0.9, "{f:?}");
    }
}

#[test]
fn a_parameter_no_target_reads_stays_unconstrained() {
    let t = targets(&[3.0]);
    let c = calibrate(&t, &settings(), &Store::memory(), &toy(&[0]), &quiet).unwrap();
    let bs: Vec<f64> = c.left.iter().map(|(x, _)| x[1]).collect();
    let lo = bs.iter().copied().fold(1.0, f64::min);
    let hi = bs.iter().copied().fold(0.0, f64::max);
    assert!(lo < 0.05 && hi > 0.95, "b in [{lo}, {hi}]");
}

#[test]
fn targets_that_cannot_be_met_together_are_named_as_conflicting() {
    // Both targets read a: one says 3, the other 8.
    let t = targets(&[3.0, 8.0]);
    let c = calibrate(&t, &settings(), &Store::memory(), &toy(&[0, 0]), &quiet).unwrap();
    assert!(c.stopped.is_some());
    assert!(c.left.is_empty());
    let alone: Vec<f64> = c.conflicts.alone.iter().map(|a| a.1).collect();
    assert!(alone.iter().all(|&s| s > 0.02), "{alone:?}");
    assert_eq!(c.conflicts.pairs, vec![(0, 1, 0.0)]);
}

#[test]
fn a_calibration_run_again_in_its_folder_makes_no_run_and_writes_the_same_tables() {
    let dir = tempfile::tempdir().unwrap();
    let t = targets(&[3.0, 7.0]);
    let s = settings();
    let go = || {
        let store = Store::open(dir.path(), "{\"asked\":1}").unwrap();
        let c = calibrate(&t, &s, &store, &toy(&[0, 1]), &quiet).unwrap();
        write_tables(&store, &t, &c).unwrap();
        c
    };
    let first = go();
    assert!(first.waves.iter().all(|w| w.runs_made == w.runs.len() * 3));
    let read = |name: &str| std::fs::read_to_string(dir.path().join(name)).unwrap();
    let before: Vec<String> = [
        "waves.csv",
        "non-implausible.csv",
        "wave-2/emulators.csv",
        "wave-3/results.csv",
    ]
    .iter()
    .map(|n| read(n))
    .collect();
    // As if killed after wave 2: wave 3's tables lost, one of its points' runs lost.
    std::fs::remove_file(dir.path().join("wave-3/runs/0005.json")).unwrap();
    std::fs::remove_file(dir.path().join("wave-3/results.csv")).unwrap();
    let again = go();
    assert_eq!(again.waves[0].runs_made + again.waves[1].runs_made, 0);
    assert_eq!(again.waves[2].runs_made, 3);
    let after: Vec<String> = [
        "waves.csv",
        "non-implausible.csv",
        "wave-2/emulators.csv",
        "wave-3/results.csv",
    ]
    .iter()
    .map(|n| read(n))
    .collect();
    assert_eq!(before, after);
    // Another calibration is refused the folder.
    assert!(matches!(
        Store::open(dir.path(), "{\"asked\":2}"),
        Err(StoreError::Different(_))
    ));
}

#[test]
fn the_answer_does_not_depend_on_the_thread_count() {
    let t = targets(&[3.0, 7.0]);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            calibrate(&t, &settings(), &Store::memory(), &toy(&[0, 1]), &quiet).unwrap()
        })
    };
    let (a, b) = (run(1), run(3));
    assert_eq!(a.left, b.left);
    for (x, y) in a.waves.iter().zip(&b.waves) {
        assert_eq!(x.design, y.design);
        assert_eq!(x.direct, y.direct);
    }
}

#[test]
fn four_digits_rounds_to_what_a_table_shows() {
    assert_eq!(four_digits(0.070_077_105), 0.07008);
    assert_eq!(four_digits(1234.6), 1235.0);
    assert_eq!(four_digits(1.234_56e-13), 1.235e-13);
}

#[test]
fn prior_cdf_inverts_the_quantile() {
    use crate::targets::Prior;
    for p in [
        Prior::Uniform {
            min: -1.0,
            max: 3.0,
        },
        Prior::LogUniform {
            min: 0.001,
            max: 10.0,
        },
        Prior::Normal { mean: 2.0, sd: 0.5 },
        Prior::Beta {
            a: 2.0,
            b: 5.0,
            min: 0.0,
            max: 2.0,
        },
    ] {
        for u in [0.01, 0.3, 0.5, 0.77, 0.99] {
            let back = p.cdf(p.quantile(u));
            assert!((back - u).abs() < 1e-7, "{p:?} at {u}: {back}");
        }
    }
}

/// One parameter θ ~ U(0, 1) and a run's value 10θ + N(0, 1): the posterior of θ given one
/// observed run is known (normal, sd 0.1, truncated to [0, 1]).
fn noisy_line(x: &[f64], k: u32) -> Result<Vec<Option<f64>>, String> {
    let h = (x[0].to_bits() ^ u64::from(k).wrapping_mul(0x9E37_79B9_7F4A_7C15))
        .wrapping_mul(0xD1B5_4A32_D192_ED03)
        .rotate_left(29)
        .wrapping_mul(0x94D0_49BB_1331_11EB);
    let u = ((h >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
    Ok(vec![Some(
        10.0 * x[0] + mobilize_core::stats::normal_quantile(u),
    )])
}

fn one_target(observed: f64) -> Targets {
    Targets::parse(
        "sbc.toml",
        &format!(
            "scenario = \"toy\"\n[[target]]\nname = \"y\"\nfigure = \"y\"\nobserved = {observed:?}\nsd = 1.0\nsource = \"simulated\"\n[priors]\ntheta = {{ dist = \"uniform\", min = 0.0, max = 1.0 }}\n"
        ),
    )
    .unwrap()
}

#[test]
fn abc_smc_recovers_known_truth_simulation_based_calibration() {
    // 100 replications: θ* from the prior, one run at θ* as the record, ABC-SMC, and where
    // θ* falls in the weighted posterior (Talts et al. 2018).
    let settings = AbcSettings {
        particles: 200,
        generations: 12,
        min_epsilon: 0.05,
        min_acceptance: 0.001,
        ..AbcSettings::default()
    };
    let mut ranks = Vec::new();
    let mut covered = 0;
    for r in 0..100u32 {
        let truth = (f64::from(r) + 0.5) / 100.0;
        let z = noisy_line(&[truth], u32::MAX - r).unwrap()[0].unwrap();
        let t = one_target(z);
        let s = AbcSettings {
            seed: u64::from(r) + 1,
            ..settings.clone()
        };
        let p = abc_smc(
            &t,
            &[],
            3.0,
            0.0,
            &s,
            &Store::memory(),
            &noisy_line,
            &|_, _, _| {},
        )
        .unwrap();
        assert!((p.particles.iter().map(|q| q.weight).sum::<f64>() - 1.0).abs() < 1e-9);
        let below: f64 = p
            .particles
            .iter()
            .filter(|q| q.x[0] < truth)
            .map(|q| q.weight)
            .sum();
        covered += usize::from((0.05..=0.95).contains(&below));
        ranks.push(below);
    }
    assert!(
        (80..=97).contains(&covered),
        "90 % intervals cover {covered} of 100"
    );
    let mut bins = [0usize; 10];
    for f in &ranks {
        bins[((f * 10.0) as usize).min(9)] += 1;
    }
    let chi2: f64 = bins.iter().map(|&b| (b as f64 - 10.0).powi(2) / 10.0).sum();
    eprintln!("SBC: 90 % intervals cover {covered} of 100; ranks {bins:?}, χ² = {chi2:.1}");
    // χ² with 9 degrees of freedom: 21.67 at p = 0.01.
    assert!(chi2 < 21.67, "rank histogram {bins:?}: χ² = {chi2:.1}");
}

#[test]
fn abc_smc_narrows_to_the_posterior_and_its_draws_do_not_depend_on_threads() {
    let t = one_target(4.0);
    let s = AbcSettings {
        particles: 300,
        generations: 10,
        min_epsilon: 0.05,
        min_acceptance: 0.001,
        ..AbcSettings::default()
    };
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| {
                abc_smc(
                    &t,
                    &[],
                    3.0,
                    0.0,
                    &s,
                    &Store::memory(),
                    &noisy_line,
                    &|_, _, _| {},
                )
                .unwrap()
            })
    };
    let p = run(1);
    let mean: f64 = p.particles.iter().map(|q| q.weight * q.x[0]).sum();
    let sd = p
        .particles
        .iter()
        .map(|q| q.weight * (q.x[0] - mean).powi(2))
        .sum::<f64>()
        .sqrt();
    // The exact posterior: N(0.4, 0.1²).
    assert!((mean - 0.4).abs() < 0.03, "{mean}");
    assert!((sd - 0.1).abs() < 0.025, "{sd}");
    let eps: Vec<f64> = p.generations.iter().map(|g| g.epsilon).collect();
    assert!(eps.windows(2).all(|w| w[1] <= w[0]), "{eps:?}");
    assert_eq!(p, run(3));
}

#[test]
fn a_mechanism_switched_off_is_reported_as_a_misfit() {
    // The second target's mechanism is off: it is always 0, and the record says 7.
    let t = targets(&[3.0, 7.0]);
    let off = |x: &[f64], k: u32| -> Result<Vec<Option<f64>>, String> {
        let v = toy(&[0, 1])(x, k)?;
        Ok(vec![v[0], Some(0.0)])
    };
    let c = calibrate(&t, &settings(), &Store::memory(), &off, &quiet).unwrap();
    assert!(c.stopped.is_some());
    let alone: Vec<(usize, f64)> = c.conflicts.alone.clone();
    assert_eq!(alone[1], (1, 0.0), "met nowhere: {alone:?}");
    assert!(alone[0].1 > 0.05, "{alone:?}");
}
