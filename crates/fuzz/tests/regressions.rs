//! Every input the fuzzer kept (`corpus/<target>/`) and every input that once made a reader
//! panic (`crashes/<target>-<hash>`, fixed since) goes through its reader again: none may
//! panic. Also a short campaign per target, so that the mutator and the readers are exercised
//! on every test run.

use std::path::Path;

use mobilize_fuzz::campaign::{read_dir, run, try_run};
use mobilize_fuzz::targets::TARGETS;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_kept_corpus_never_panics() {
    let mut total = 0;
    for target in TARGETS {
        for (path, bytes) in read_dir(&root().join("corpus").join(target)) {
            if let Err(msg) = try_run(target, &bytes) {
                panic!("{} panics: {msg}", path.display());
            }
            total += 1;
        }
    }
    assert!(total > 0, "the corpus is checked in");
}

#[test]
fn past_crashes_stay_fixed() {
    for (path, bytes) in read_dir(&root().join("crashes")) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.ends_with(".md") || name.starts_with('.') {
            continue;
        }
        let target = TARGETS
            .iter()
            .find(|t| name.starts_with(&format!("{t}-")))
            .unwrap_or_else(|| panic!("{name}: crash files are named <target>-<hash>"));
        if let Err(msg) = try_run(target, &bytes) {
            panic!("{} panics again: {msg}", path.display());
        }
    }
}

#[test]
fn a_short_campaign_finds_no_panic() {
    for target in TARGETS {
        let seeds = read_dir(&root().join("corpus").join(target))
            .into_iter()
            .map(|(_, b)| b)
            .collect();
        let report = run(target, seeds, 2_000, 7, None, &|_| {});
        assert_eq!(report.inputs, 2_000);
        assert!(report.crashes.is_empty(), "{target}: {:?}", report.crashes);
    }
}
