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
    for key in ["mountain_share =", "garrison =", "police =", "control ="] {
        assert_eq!(resolved.matches(key).count(), 2, "{key} in both regions");
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
