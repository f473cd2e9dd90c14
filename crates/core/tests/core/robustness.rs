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
