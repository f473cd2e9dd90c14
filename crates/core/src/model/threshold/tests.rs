use super::network::sort_people;
use super::*;

#[test]
fn sort_people_orders_small_and_large_sets() {
    let mut bits = Vec::new();
    let mut few = vec![900, 3, 77];
    sort_people(&mut few, 1000, &mut bits);
    assert_eq!(few, vec![3, 77, 900]);
    let mut many: Vec<u32> = (0..1000).rev().filter(|i| i % 3 != 0).collect();
    let mut want = many.clone();
    want.sort_unstable();
    sort_people(&mut many, 1000, &mut bits);
    assert_eq!(many, want);
}

/// A saved state edited to name people who are not there, or counts that do not add
/// up, is refused on restore with a reason (crowd and network forms); the state as saved
/// is accepted.
#[test]
fn a_restored_state_that_does_not_fit_the_scenario_is_refused() {
    for name in ["granovetter-uniform", "village-cascade"] {
        let src = crate::scenario::embedded::source(name).unwrap();
        let overrides = [crate::scenario::Override::parse("scale=0.01").unwrap()];
        let sc = Scenario::load(
            &src,
            if name == "village-cascade" {
                &overrides
            } else {
                &[]
            },
        )
        .unwrap();
        let w = World::of(&sc);
        let mut m = Threshold::new(&sc, &w);
        let mut log = Vec::new();
        m.start(&w, &mut log);
        let good = m.save();
        assert!(Threshold::new(&sc, &w).restore(&good).is_ok(), "{name}");
        type Edit = Box<dyn Fn(&mut Threshold)>;
        let edits: Vec<(&str, Edit)> = vec![
            ("the frontier", Box::new(|m| m.frontier.push(u32::MAX - 1))),
            ("fresh", Box::new(|m| m.fresh.push(10_000_000))),
            ("reached", Box::new(|m| m.reached = usize::MAX)),
            ("the count acting", Box::new(|m| m.active += 1)),
            ("a region's count", Box::new(|m| m.region_active[0] += 3)),
            ("the people", Box::new(|m| m.activated_at.push(NEVER))),
            ("a threshold", Box::new(|m| m.theta[0] = f64::NAN)),
            ("the regions", Box::new(|m| m.region_active.push(0))),
        ];
        for (what, edit) in edits {
            let mut bad = Threshold::new(&sc, &w);
            bad.restore(&good).unwrap();
            edit(&mut bad);
            let e = Threshold::new(&sc, &w).restore(&bad.save());
            assert!(
                e.as_ref()
                    .is_err_and(|e| e.0.contains("does not fit the scenario")),
                "{name}: {what} was accepted: {e:?}"
            );
        }
    }
}

/// Common random numbers across N → N + 1: the people picked to start are keyed by who
/// they are, so adding one person keeps the other picks (before: 5.4 of 10 survived).
#[test]
fn initial_picks_survive_one_more_person() {
    let picks = |n: u32, seed: u64| -> Vec<u32> {
        let text = format!(
            "name = \"crowd\"\nmodel = \"threshold\"\nseed = {seed}\n[[regions]]\n\
             name = \"crowd\"\npopulation = {n}\n[threshold]\ninitial_random = 10\n\
             [threshold.distribution]\nkind = \"uniform\"\nmin = 0\nmax = 100\n\
             rounding = \"floor\"\nsampling = \"random\"\n"
        );
        let sc = Scenario::load(&crate::scenario::Source::text("c.toml", &text), &[]).unwrap();
        let w = World::of(&sc);
        let mut m = Threshold::new(&sc, &w);
        m.start(&w, &mut Vec::new());
        (0..n)
            .filter(|&i| m.activated_at[i as usize] == 0)
            .collect()
    };
    let mut kept = 0;
    for seed in 1..=50 {
        let (a, b) = (picks(100, seed), picks(101, seed));
        assert_eq!((a.len(), b.len()), (10, 10));
        kept += a.iter().filter(|i| b.contains(i)).count();
    }
    // Expected 10 − 10/101 ≈ 9.90 a seed (measured 9.82): only when the newcomer's key is among
    // the ten smallest does one pick change.
    assert!(
        kept as f64 / 50.0 >= 9.7,
        "{} of 10 kept",
        kept as f64 / 50.0
    );
}

/// Each person's first step acting (`NEVER` if never) in a world of `n`, with thresholds
/// keyed by person and `extra` scenario lines.
fn histories(n: u32, seed: u64, extra: &str) -> Vec<u32> {
    let text = format!(
        "name = \"w\"\nmodel = \"threshold\"\nseed = {seed}\n[time]\nsteps = 200\n\
         [[regions]]\nname = \"w\"\npopulation = {n}\n{extra}"
    );
    let sc = Scenario::load(&crate::scenario::Source::text("w.toml", &text), &[]).unwrap();
    let w = World::of(&sc);
    let mut m = Threshold::new(&sc, &w);
    let mut log = Vec::new();
    m.start(&w, &mut log);
    for step in 1..=sc.time.steps {
        m.step(step, &w, &mut log);
        if m.settled() {
            break;
        }
    }
    m.activated_at
}

/// Starsim's standard: adding one person (N → N + 1) changes only the histories that
/// person touches. With CRN-safe choices (thresholds drawn per person, starters keyed by
/// person, an Erdős–Rényi network at a fixed p) a newcomer who never acts changes no one's
/// history, and one who acts changes only histories from the step after it acts on; the
/// quantile sampling, which is not CRN-safe, changes many.
#[test]
fn one_more_person_changes_only_the_histories_it_touches() {
    let crowd = "[threshold]\nform = \"crowd\"\nunit = \"count\"\ninitial_random = 3\n\
                 [threshold.distribution]\nkind = \"uniform\"\nmin = 0\nmax = 100\n\
                 rounding = \"floor\"\nsampling = \"random\"\n";
    let network = "[network]\nkind = \"erdos_renyi\"\np = 0.03\n\
                   [threshold]\nform = \"network\"\nunit = \"count\"\ninitial_random = 5\n\
                   [threshold.distribution]\nkind = \"uniform\"\nmin = 0\nmax = 4\n\
                   rounding = \"floor\"\nsampling = \"random\"\n";
    let (mut quiet, mut acting) = (0, 0);
    for (form, extra) in [("crowd", crowd), ("network", network)] {
        for seed in 1..=30 {
            let (a, b) = (histories(200, seed, extra), histories(201, seed, extra));
            let newcomer = b[200];
            let changed: Vec<usize> = (0..200).filter(|&i| a[i] != b[i]).collect();
            if newcomer == NEVER {
                quiet += 1;
                assert!(
                    changed.is_empty(),
                    "{form}, seed {seed}: {changed:?} changed"
                );
            } else {
                acting += 1;
                // A newcomer among the starters takes one starter's place (its key is
                // among the smallest): that one person is displaced, nobody else.
                let displaced: Vec<usize> =
                    changed.iter().copied().filter(|&i| a[i] == 0).collect();
                assert!(
                    displaced.len() <= usize::from(newcomer == 0),
                    "{displaced:?}"
                );
                for &i in changed.iter().filter(|i| !displaced.contains(i)) {
                    assert!(
                        a[i].min(b[i]) > newcomer,
                        "{form}, seed {seed}: person {i} changed at {} / {}, before the \
                         newcomer acted at {newcomer}",
                        a[i],
                        b[i]
                    );
                }
            }
        }
    }
    assert!(
        quiet > 0 && acting > 0,
        "both cases met: {quiet} quiet, {acting} acting"
    );
    // Quantile sampling moves every threshold when N changes.
    let quantile = crowd.replace("\"random\"", "\"quantile\"");
    let differ = (1..=10)
        .filter(|&seed| {
            let (a, b) = (
                histories(200, seed, &quantile),
                histories(201, seed, &quantile),
            );
            a[..] != b[..200]
        })
        .count();
    assert!(differ > 0, "quantile sampling is not CRN-safe");
}

#[test]
fn choose_picks_distinct_members() {
    let stream = |i| Stream::new(1, Purpose::EVENTS, 0, i);
    let picked = choose((10..20).collect(), 4, stream);
    assert_eq!(picked.len(), 4);
    let mut sorted = picked.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), 4);
    assert!(picked.iter().all(|p| (10..20).contains(p)));
    let all = choose((0..3).collect(), 10, stream);
    assert_eq!(all.len(), 3);
}
