//! Scenario reading: defaults, dates, overrides, the resolved form.

use mobilize_core::model::data;
use mobilize_core::model::threshold::{Action, ThresholdForm, ThresholdParams};
use mobilize_core::scenario::{embedded, NetworkSpec, Origin, Override, Scenario, Source};

const SMALL: &str = r#"
name = "small"
model = "threshold"
[time]
start = 1936-05-05
steps = 30
[[regions]]
name = "a"
population = 50
[[events]]
date = 1936-05-15
kind = "activate"
count = 2
[threshold.distribution]
kind = "uniform"
"#;

fn load(text: &str, sets: &[&str]) -> Result<Scenario, mobilize_core::scenario::ScenarioError> {
    let o: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
    Scenario::load(&Source::text("small.toml", text), &o)
}

#[test]
fn bare_toml_dates_are_accepted_and_placed_on_steps() {
    let s = load(SMALL, &[]).unwrap();
    assert_eq!(s.time.start.unwrap().to_string(), "1936-05-05");
    assert_eq!(s.events[0].step, 10);
    assert_eq!(s.events[0].kind, "activate");
    assert_eq!(
        *data::<Action>(&s.events[0].action),
        Action::Activate {
            count: 2,
            region: None
        }
    );
    let s = load(SMALL, &["time.step_days=7"]).unwrap();
    assert_eq!(s.events[0].step, 1, "day 10 falls in the second week");
}

#[test]
fn defaults_are_filled_into_the_resolved_scenario() {
    let s = load(SMALL, &[]).unwrap();
    assert_eq!(s.seed, 1);
    assert_eq!(s.scale, 1.0);
    assert_eq!(s.network, NetworkSpec::None);
    let t = s.params::<ThresholdParams>();
    assert_eq!(t.form, ThresholdForm::Crowd);
    let text = s.resolved_toml();
    for key in [
        "seed = 1",
        "scale = 1.0",
        "step_days = 1.0",
        "stop_at_equilibrium = true",
        "sampling = \"quantile\"",
    ] {
        assert!(text.contains(key), "{key} missing from\n{text}");
    }
    // The resolved scenario is itself valid and resolves to itself.
    let again = load(&text, &[]).unwrap();
    assert_eq!(again.resolved_toml(), text);
}

#[test]
fn overrides_create_missing_tables_and_are_blamed_for_their_problems() {
    let s = load(
        SMALL,
        &[
            "network.kind=erdos_renyi",
            "network.mean_degree=4",
            "threshold.form=network",
        ],
    )
    .unwrap();
    let n = f64::from(s.population());
    assert_eq!(s.network, NetworkSpec::ErdosRenyi { p: 4.0 / (n - 1.0) });
    let err = load(SMALL, &["network.kind=ring"]).unwrap_err();
    assert_eq!(err.problems.len(), 1);
    assert_eq!(err.problems[0].path, "network.kind");
    assert_eq!(
        err.problems[0].origin,
        Origin::Override("network.kind=ring".into())
    );
    assert!(err.problems[0]
        .help
        .as_deref()
        .unwrap()
        .contains("structured"));
}

#[test]
fn problems_in_the_file_carry_line_and_column() {
    let err = load(&SMALL.replace("count = 2", "count = -2"), &[]).unwrap_err();
    assert_eq!(err.problems.len(), 1, "one mistake, one problem: {err}");
    let p = &err.problems[0];
    assert_eq!(p.path, "events[0].count");
    match &p.origin {
        Origin::File { line, column, .. } => assert_eq!((*line, *column), (13, 9)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_embedded_scenario_is_valid() {
    for (name, _) in embedded::ALL {
        let s = Scenario::load(&embedded::source(name).unwrap(), &[]);
        assert!(s.is_ok(), "{name}: {}", s.unwrap_err());
    }
}

#[test]
fn fast_mode_with_a_transparent_jail_is_refused_where_it_is_set() {
    let text = "name = \"x\"\nmodel = \"civil_violence\"\n[time]\nsteps = 5\n\
                [civil_violence]\nvariant = \"netlogo\"\nmode = \"fast\"\n";
    let e = Scenario::load(&Source::text("x.toml", text), &[]).unwrap_err();
    let p = &e.problems[0];
    assert_eq!(p.path, "civil_violence.mode");
    assert!(p.message.contains("transparent"), "{}", p.message);
    assert!(p.help.as_deref().unwrap().contains("blocking"));
    assert!(
        matches!(p.origin, Origin::File { line: 7, .. }),
        "{:?}",
        p.origin
    );
    // With a jail that holds one agent per site, fast mode is accepted.
    let ok = text.replace("mode = \"fast\"", "mode = \"fast\"\njailed = \"blocking\"");
    Scenario::load(&Source::text("x.toml", &ok), &[]).unwrap();
}

/// A model's region fields belong to it: the resistance model's garrison in a threshold
/// scenario is refused where it is written, and a resistance scenario's resolved regions carry
/// every one of its fields with its default.
#[test]
fn region_fields_belong_to_their_model() {
    let text = SMALL.replace("population = 50\n", "population = 50\ngarrison = 20\n");
    let e = load(&text, &[]).unwrap_err();
    assert_eq!(e.problems.len(), 1, "{e}");
    assert_eq!(e.problems[0].path, "regions[0].garrison");
    assert!(
        e.problems[0].message.contains("`model = \"resistance\"`"),
        "{e}"
    );
    assert!(
        matches!(e.problems[0].origin, Origin::File { line: 10, .. }),
        "{e}"
    );
    // The threshold model's resolved regions have no resistance fields.
    assert!(!load(SMALL, &[])
        .unwrap()
        .resolved_toml()
        .contains("garrison"));

    let s = Scenario::load(&embedded::source("two-valleys").unwrap(), &[]).unwrap();
    let resolved = s.resolved_toml();
    // The regions come before the model's section (which has its own `garrison` loyalty).
    let regions = &resolved[..resolved.find("[resistance]").unwrap()];
    for key in ["mountain_share =", "garrison =", "police =", "control ="] {
        assert_eq!(regions.matches(key).count(), 2, "{key} in both regions");
    }
    // Counts of persons are scaled, fractions are not.
    let half = Scenario::load(
        &embedded::source("two-valleys").unwrap(),
        &[Override::parse("scale=0.5").unwrap()],
    )
    .unwrap();
    for (a, b) in s.regions.iter().zip(&half.regions) {
        assert_eq!(b.field("garrison"), a.field("garrison") * 0.5);
        assert_eq!(b.field("control"), a.field("control"));
    }
}

/// Every series of every built-in scenario is charted in a group the model declares, with its
/// unit: a report then never puts two units on one axis (a count of regions with a fraction,
/// yen with kilograms), and every chart says what its numbers count.
#[test]
fn every_series_is_charted_with_its_unit() {
    use mobilize_core::engine::{RunControl, Sim};
    use mobilize_core::observe::Recorder;
    let mut missing = Vec::new();
    for (name, text) in embedded::ALL {
        let sets: &[&str] = if name.starts_with("korea") {
            &["scale=0.002"]
        } else {
            &[]
        };
        let scenario = load(text, sets).unwrap();
        let meta = scenario.model.meta(&scenario);
        let mut rec = Recorder::default();
        // Stopped at once: the columns are all this needs.
        let stop = std::sync::atomic::AtomicBool::new(true);
        let control = RunControl {
            stop: Some(&stop),
            ..RunControl::default()
        };
        Sim::new(scenario)
            .run_with(&mut [&mut rec], control)
            .unwrap();
        assert!(!rec.columns.is_empty(), "{name}: no columns");
        assert!(
            !meta.headline_unit.is_empty(),
            "{name}: the headline's unit"
        );
        for g in &meta.groups {
            assert!(
                !g.unit.is_empty(),
                "{name}: group `{}` has no unit",
                g.title
            );
            assert!(
                !g.title.contains('('),
                "{name}: `{}`: the unit goes in `unit`, not the title",
                g.title
            );
        }
        let headline = &rec.columns[0];
        for c in rec.columns.iter().skip(1) {
            let whole = c.split_once('.').map_or(c.as_str(), |(w, _)| w);
            if whole != headline && meta.unit_of(c).is_none() {
                missing.push(format!("{name}: {c}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "series in no declared chart group: {missing:?}"
    );
}

/// Display names: regions and organization kinds take a `label` (spaces and all), their
/// names stay identifiers, and a name that cannot name a column points to `label`.
#[test]
fn labels_are_display_names_and_names_stay_identifiers() {
    use mobilize_core::model::resistance::params::ResistanceParams;
    let two = embedded::source("two-valleys").unwrap();
    let s = Scenario::load(&two, &[]).unwrap();
    assert_eq!(s.regions[0].name, "north");
    assert_eq!(s.regions[0].label, "North valley");
    let korea = embedded::source("korea-1936-1945").unwrap();
    let s = Scenario::load(&korea, &[]).unwrap();
    let kinds = &s.params::<ResistanceParams>().kinds;
    assert_eq!(kinds[1].name, "young_communist_league");
    assert_eq!(kinds[1].label, "Young Communist League");
    let meta = s.model.meta(&s);
    assert_eq!(
        meta.labels["kind.young_communist_league"],
        "Young Communist League"
    );
    // Without a label, the name is shown.
    assert_eq!(s.regions[0].label, s.regions[0].name);
    let refused = |sets: &[&str]| {
        let o: Vec<Override> = sets.iter().map(|a| Override::parse(a).unwrap()).collect();
        Scenario::load(&korea, &o).unwrap_err().problems
    };
    let p = refused(&[r#"resistance.kinds[0].name="Revolutionary Council""#]);
    assert!(
        p.iter().any(|p| p.path == "resistance.kinds[0].name"
            && p.help.as_deref().is_some_and(|h| h.contains("`label`"))),
        "{p:?}"
    );
    for bad in ["", " ", "a\tb"] {
        let set = format!("regions[0].label={bad:?}");
        let p = refused(&[&set]);
        assert!(
            p.iter().any(|p| p.path == "regions[0].label"),
            "{bad:?}: {p:?}"
        );
    }
    let long = format!("resistance.kinds[2].label=\"{}\"", "x".repeat(81));
    assert!(refused(&[&long])
        .iter()
        .any(|p| p.path == "resistance.kinds[2].label"));
}

/// A scenario given as text cannot name a file by a relative path, and says so in one plain
/// sentence (the message once held a run of 18 spaces from a broken line).
#[test]
fn a_scenario_given_as_text_cannot_read_files_by_relative_path_said_plainly() {
    let text = "name = \"x\"\nmodel = \"threshold\"\n[time]\nsteps = 5\n\
                [network]\nkind = \"file\"\nedges = \"e.csv\"\n[[regions]]\nname = \"a\"\n";
    let e = Scenario::load(&Source::text("x", text), &[]).unwrap_err();
    let p = e
        .problems
        .iter()
        .find(|p| p.message.contains("cannot read files by relative path"))
        .unwrap_or_else(|| panic!("{e}"));
    assert!(!p.message.contains("  "), "{:?}", p.message);
}

/// An event switched off keeps its place: every other event keeps the index its random
/// draws are keyed by, so an arm that switches one cause off stays paired with the arm that
/// keeps it (the draws of the later events used to shift by one).
#[test]
fn a_switched_off_event_leaves_the_other_events_their_places() {
    let all = Scenario::load(&embedded::source("two-valleys").unwrap(), &[]).unwrap();
    let off = Scenario::load(
        &embedded::source("two-valleys").unwrap(),
        &[Override::parse("events[1].enabled=false").unwrap()],
    )
    .unwrap();
    assert_eq!(off.events.len() + 1, all.events.len());
    let places = |s: &Scenario| -> Vec<(u32, u32, &str)> {
        s.events.iter().map(|e| (e.index, e.step, e.kind)).collect()
    };
    let (a, b) = (places(&all), places(&off));
    // Every event left has the place, step and kind it has with all of them.
    assert!(b.iter().all(|e| a.contains(e)), "{a:?}\n{b:?}");
}
