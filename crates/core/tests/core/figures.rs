//! Every figure a run reports is described by its model (unit and plain words), so that
//! reports never show a bare identifier.

use mobilize_core::engine::Sim;
use mobilize_core::model::BUILT_IN;
use mobilize_core::scenario::{embedded, Override, Scenario};

fn undescribed(name: &str, sets: &[&str]) -> Vec<String> {
    let overrides: Vec<Override> = sets.iter().map(|a| Override::parse(a).unwrap()).collect();
    let scenario = Scenario::load(&embedded::source(name).unwrap(), &overrides).unwrap();
    let meta = scenario.model.meta(&scenario);
    let outcome = Sim::new(scenario).run(&mut []).unwrap();
    assert!(!outcome.figures.is_empty(), "{name} reports no figures");
    outcome
        .figures
        .iter()
        .filter(|(f, _)| meta.figure_doc(f).is_none())
        .map(|(f, _)| format!("{name}: {f}"))
        .collect()
}

/// One scenario of each model, and runs that reach the figures only some runs have: a
/// collapse imposed by a surrender (with dated figures), a genocide's extinction, a cascade.
#[test]
fn every_figure_a_run_reports_is_described() {
    assert_eq!(BUILT_IN.len(), 3, "a new model: add a scenario of it here");
    let mut missing = Vec::new();
    missing.extend(undescribed("granovetter-normal", &[]));
    missing.extend(undescribed(
        "epstein-run7-genocide",
        &["time.steps=60", "civil_violence.snapshots=[0, 50]"],
    ));
    missing.extend(undescribed(
        "epstein-run1",
        &["time.steps=60", "civil_violence.snapshots=[0, 50]"],
    ));
    missing.extend(undescribed("two-valleys", &[]));
    missing.extend(undescribed("korea-1945-mainstream", &["scale=0.01"]));
    assert!(
        missing.is_empty(),
        "figures without a description: {missing:?}"
    );
}

/// A dated figure is described by its stem and its date; an identifier that only looks
/// dated is not.
#[test]
fn dated_figures_take_their_stems_description() {
    let scenario = Scenario::load(&embedded::source("two-valleys").unwrap(), &[]).unwrap();
    let meta = scenario.model.meta(&scenario);
    let (doc, date) = meta.figure_doc("killed_on_1945_08_15").unwrap();
    assert_eq!(
        (doc.name.as_str(), date.as_deref()),
        ("killed", Some("1945-08-15"))
    );
    assert_eq!(meta.figure_doc("killed").unwrap().1, None);
    assert!(meta.figure_doc("killed_on_1945_8_15").is_none());
    assert!(meta.figure_doc("nothing_on_1945_08_15").is_none());
}
