//! Hostile input: the scenario reader and the `--set` parser return errors, never panic.

use mobilize_core::scenario::{embedded, Override, Scenario, Source};
use proptest::prelude::*;

fn load(text: &str, sets: &[Override]) {
    // Either result is fine; a panic fails the test.
    let _ = Scenario::load(&Source::text("fuzz.toml", text), sets);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,400}") {
        load(&text, &[]);
    }

    /// Valid scenarios with bytes cut, inserted or changed: close to real typos.
    #[test]
    fn mutated_scenarios_never_panic(
        which in 0..embedded::ALL.len(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), 0u8..3, "[ -~\n]{0,3}"), 1..6),
    ) {
        let mut text = embedded::ALL[which].1.to_string();
        for (at, op, s) in edits {
            let mut i = at.index(text.len().max(1)).min(text.len());
            while !text.is_char_boundary(i) {
                i -= 1;
            }
            match op {
                0 => text.insert_str(i, &s),
                1 => {
                    let end = (i + s.len() + 1).min(text.len());
                    let mut end = end;
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    text.replace_range(i..end, "");
                }
                _ => {
                    let end = (i + s.len()).min(text.len());
                    let mut end = end;
                    while !text.is_char_boundary(end) {
                        end -= 1;
                    }
                    text.replace_range(i..end, &s);
                }
            }
        }
        load(&text, &[]);
    }

    #[test]
    fn arbitrary_overrides_never_panic(arg in "[a-z_\\[\\]0-9.=\" -]{0,40}") {
        if let Ok(o) = Override::parse(&arg) {
            load(embedded::ALL[0].1, &[o]);
        }
    }
}

/// A scenario asking for far more people than allowed is refused before allocating.
#[test]
fn too_many_people_are_refused_before_allocating() {
    let text = r#"
name = "huge"
model = "threshold"
[[regions]]
name = "a"
population = 1000000000000
[threshold.distribution]
kind = "uniform"
"#;
    let err = Scenario::load(&Source::text("huge.toml", text), &[]).unwrap_err();
    assert!(
        err.problems.iter().any(|p| p.message.contains("persons")),
        "{err}"
    );
}

/// A crafted model state (bytes changed, as by someone who then recomputes the checkpoint's
/// checksums) is refused or, if it still fits the scenario, runs on: never a panic. Built once,
/// stepped past the offensive of `two-valleys` so that every list and queue is in use.
mod crafted_state {
    use super::*;
    use mobilize_core::world::World;
    use std::sync::OnceLock;

    struct Base {
        scenario: Scenario,
        world: World,
        saved: Vec<u8>,
        step: u32,
    }

    fn base() -> &'static Base {
        static BASE: OnceLock<Base> = OnceLock::new();
        BASE.get_or_init(|| {
            let text = embedded::ALL
                .iter()
                .find(|(n, _)| *n == "two-valleys")
                .unwrap()
                .1;
            let scenario = Scenario::load(&Source::text("two-valleys.toml", text), &[]).unwrap();
            let world = World::of(&scenario);
            let mut model = scenario.model.build(&scenario, &world);
            let mut log = Vec::new();
            model.start(&world, &mut log);
            // Mid-run: organizations, cells, jail and lists in use, the run still going.
            let step = scenario.time.steps / 2;
            for s in 1..=step {
                for (k, e) in scenario
                    .events
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.step == s)
                {
                    model.apply(e, k, &world, &mut log);
                }
                model.step(s, &world, &mut log);
            }
            let saved = model.save();
            Base {
                scenario,
                world,
                saved,
                step,
            }
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn changed_state_bytes_are_refused_or_run(
            flips in prop::collection::vec((any::<prop::sample::Index>(), 1u8..=255, any::<bool>()), 1..4),
        ) {
            let b = base();
            let mut bytes = b.saved.clone();
            for (at, x, wide) in flips {
                let i = at.index(bytes.len());
                if wide {
                    // A varint made large (an index far out of range), same length kept.
                    let end = (i + 3).min(bytes.len() - 1);
                    for byte in &mut bytes[i..end] {
                        *byte |= 0x80;
                    }
                    bytes[end] = x & 0x7f;
                } else {
                    bytes[i] ^= x;
                }
            }
            let mut model = b.scenario.model.build(&b.scenario, &b.world);
            if model.restore(&bytes).is_ok() {
                let mut log = Vec::new();
                for s in b.step + 1..=b.step + 5 {
                    model.step(s, &b.world, &mut log);
                }
            }
        }
    }
}
