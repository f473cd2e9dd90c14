//! Forces on small worlds: columns against garrisons, fire on crowds, arms carried to the
//! risen, and a surrender's fronts.

use super::*;

/// An outside army fights the garrisons of both regions; the surrender (with region `a` a
/// front that fights on for three days) ends the fighting in `b` the next day and in `a` when
/// its days are up. Every loss is counted by side.
#[test]
fn a_surrender_stops_the_fighting_except_on_its_fronts() {
    let s = scenario("[resistance.combat]\nfire = 0.01\n");
    let w = world(&s, &[]);
    let mut m = Resistance::new(&s, &w);
    let mut log = Vec::new();
    m.start(&w, &mut log);
    for r in 0..2 {
        m.state.regions[r].garrison = 500.0;
        m.state.forces.columns.push(super::super::Column::new(
            super::super::Side::External,
            r as u16,
            2000.0,
            true,
        ));
    }
    let killed = |m: &Resistance, r: usize| m.state.regions[r].killed;
    use super::super::regions::killed::{OUTSIDE, RULING};
    m.forces(1, &w, &mut log);
    for r in 0..2 {
        assert!(
            killed(&m, r)[RULING] > 0.0 && killed(&m, r)[OUTSIDE] > 0.0,
            "region {r} fights"
        );
    }
    let surrender = super::super::events::Action::Surrender {
        fronts: vec![0],
        days: 3.0,
    };
    let event = crate::scenario::Event {
        step: 2,
        kind: "surrender",
        action: std::sync::Arc::new(surrender),
        index: 0,
    };
    m.apply(&event, 0, &w, &mut log);
    assert_eq!(
        m.state.course.liberated_at_collapse,
        Some(0.0),
        "the liberated share is taken at the collapse"
    );
    m.forces(2, &w, &mut log);
    lay_down(&mut m, 3, &mut log);
    assert_eq!(
        m.state.regions[1].garrison + m.state.regions[1].police,
        0.0,
        "b lays down its arms"
    );
    assert!(m.state.regions[0].garrison > 0.0, "the front fights on");
    let b_before = killed(&m, 1);
    let a_before = killed(&m, 0);
    m.forces(3, &w, &mut log);
    assert_eq!(
        killed(&m, 1),
        b_before,
        "no battle where no ruling force is left"
    );
    assert!(
        killed(&m, 0)[RULING] > a_before[RULING],
        "the front still fights"
    );
    lay_down(&mut m, 4, &mut log);
    assert!(
        m.state.regions[0].garrison > 0.0,
        "until its three days are up"
    );
    lay_down(&mut m, 5, &mut log);
    assert_eq!(
        m.state.regions[0].garrison + m.state.regions[0].police,
        0.0,
        "then it lays down too"
    );
    let a_done = killed(&m, 0);
    m.forces(6, &w, &mut log);
    assert_eq!(killed(&m, 0), a_done);
    assert_eq!(
        log.iter().filter(|e| e.kind == "lay_down_arms").count(),
        2,
        "{log:?}"
    );
    check_invariants(&m, &w);
}

/// Region `a` with its six people in a ring, the call to rise heard there, thresholds that
/// an armed force's presence alone brings to zero, and a garrison of 20 (no police).
pub(super) fn armed_presence_world() -> (Scenario, World) {
    // The bonus is armed_bonus × A / (A + G): a column of 50 against a garrison of 20
    // (12 effective) gives 0.4 × 0.81 = 0.32, over the threshold.
    let s = scenario(
        "[resistance.uprising]\nthreshold_base = 0.3\nrisk_weight = 0.0\ngrievance_weight = 0.0\narmed_bonus = 0.4\n\
         [resistance.combat]\nfire = 0.05\nsuppression = 0.0\n",
    );
    let ring: Vec<(u32, u32)> = (0..6).map(|i| (i, (i + 1) % 6)).collect();
    let w = world(&s, &ring);
    (s, w)
}

/// One day of the processes that a column touches: battle, uprising, control.
pub(super) fn day(m: &mut Resistance, step: u32, w: &World, log: &mut Vec<LogEntry>) {
    m.forces(step, w, log);
    m.uprising(step, w, log);
    m.control(step, log);
}

/// A main-force column entering a region fights its garrison (Lanchester), shifts control
/// there and raises its people (armed presence lowers thresholds), against the same world
/// without it, where nothing happens.
#[test]
fn a_column_fights_the_garrison_shifts_control_and_raises_the_region() {
    let (s, w) = armed_presence_world();
    let run = |column: bool| {
        let mut m = Resistance::new(&s, &w);
        let mut log = Vec::new();
        m.state.regions[0].police = 0.0;
        m.state.regions[0].garrison = 20.0;
        m.open_region(0);
        if column {
            m.state.forces.columns.push(super::super::Column::new(
                super::super::Side::Main,
                0,
                50.0,
                true,
            ));
        }
        for step in 1..=3 {
            day(&mut m, step, &w, &mut log);
        }
        check_invariants(&m, &w);
        let g = &m.state.regions[0];
        (
            g.garrison,
            g.control,
            g.count[State::Risen as usize],
            g.killed[super::super::regions::killed::RULING],
            m.state.course.by_defection,
        )
    };
    let (garrison_without, control_without, risen_without, killed_without, _) = run(false);
    let (garrison_with, control_with, risen_with, killed_with, by_defection) = run(true);
    assert_eq!(
        by_defection,
        Some(false),
        "the column's victory is a defeat of the forces, not their defection"
    );
    assert_eq!(
        (garrison_without, killed_without),
        (20.0, 0.0),
        "no battle without the column"
    );
    assert_eq!(control_without, 1.0, "control stays with the ruling side");
    assert_eq!(risen_without, 0, "nobody rises without an armed force");
    assert!(
        garrison_with < 20.0 && killed_with > 0.0,
        "the column fights the garrison"
    );
    assert!(
        control_with < control_without,
        "control falls: {control_with}"
    );
    assert_eq!(risen_with, 6, "everyone rises where the column stands");
}

/// Unarmed crowds fight no battle: the garrison loses nobody to them, and it fires on them
/// (`suppression`). Armed from a store of materials, the same people fight a battle.
#[test]
fn unarmed_crowds_fight_no_battle_but_are_fired_on_and_armed_risen_fight() {
    let (s, w) = armed_presence_world();
    let mut m = Resistance::new(&s, &w);
    let mut log = Vec::new();
    m.state.regions[0].police = 0.0;
    m.state.regions[0].garrison = 100.0;
    m.fixed.params.combat.suppression = 0.02;
    for i in 0..6 {
        m.set_state(i, State::Risen, &w);
    }
    use super::super::regions::killed::{CROWDS, RISEN, RULING};
    for step in 1..=2 {
        m.forces(step, &w, &mut log);
    }
    let g = &m.state.regions[0];
    assert_eq!(g.killed[RULING], 0.0, "crowds do not fire back");
    assert_eq!(g.garrison, 100.0);
    assert!(
        !log.iter().any(|e| e.kind == "battle"),
        "no battle is fought"
    );
    // 100 × 0.6 × 0.02 = 1.2 a day, rounded stochastically: 1 or 2 of the six each day.
    assert!((2.0..=4.0).contains(&g.killed[CROWDS]), "{:?}", g.killed);
    assert_eq!(g.killed[RISEN], 0.0, "no armed risen died");
    check_invariants(&m, &w);
    let left = m.state.regions[0].count[State::Risen as usize];
    assert!(left > 0, "some are left to arm");
    m.state.regions[0].materials = left as f64;
    m.forces(6, &w, &mut log);
    assert!(
        m.state.regions[0].killed[RULING] > 0.0,
        "armed, the risen fight a battle"
    );
    assert!(log.iter().any(|e| e.kind == "battle"));
    check_invariants(&m, &w);
}

/// The final offensive takes the materials stored abroad with its columns, and a column hands
/// them to the unarmed risen where it stands, carrying the rest on.
#[test]
fn the_columns_carry_the_bases_arms_to_the_risen() {
    let (s, w) = armed_presence_world();
    let mut m = Resistance::new(&s, &w);
    let mut log = Vec::new();
    m.state.regions[1].abroad = true;
    m.state.regions[1].materials = 10.0;
    m.state.regions[0].police = 0.0;
    m.state.regions[0].garrison = 0.0;
    let offensive = crate::scenario::Event {
        step: 1,
        kind: "final_offensive",
        action: std::sync::Arc::new(super::super::events::Action::FinalOffensive {
            regions: vec![0],
            strength: 5.0,
        }),
        index: 0,
    };
    m.apply(&offensive, 0, &w, &mut log);
    assert_eq!(
        m.state.regions[1].materials, 0.0,
        "the store abroad is taken along"
    );
    assert_eq!(m.state.forces.columns[0].arms, 10.0);
    for i in 0..4 {
        m.set_state(i, State::Risen, &w);
    }
    m.forces(1, &w, &mut log);
    assert_eq!(m.state.regions[0].materials, 4.0, "four risen armed");
    assert_eq!(m.state.forces.columns[0].arms, 6.0, "six carried on");
    assert!(log.iter().any(|e| e.kind == "arms"));
    check_invariants(&m, &w);
}

/// Raids are real events: a small unit of 100 raids as often whether the run simulates every
/// person or a quarter of them, and the word of its raids reaches the same share of the
/// region. (Counting raids from the simulated infiltrators made them scale with the
/// population, so the share reached grew with scale: 1.6 % sympathizers on the eve of 1945
/// at scale 1/100, 12 % at full scale.)
#[test]
fn raids_are_as_many_and_reach_as_far_at_any_scale() {
    let run = |scale: f64| {
        let text = format!(
            r#"
name = "raids"
model = "resistance"
scale = {scale}
[time]
steps = 100
[population.shares]
age = {{ adult = 1.0 }}
occupation = {{ peasant = 1.0 }}
[[regions]]
name = "a"
population = 20000
police = 0
garrison = 0
[resistance]
initial_cadres = 0
[resistance.outreach]
persuade = 1.0
[[resistance.kinds]]
name = "union"
cell_size = 5
"#
        );
        let s = Scenario::load(&Source::text("raids.toml", &text), &[]).unwrap();
        let w = world(&s, &[]);
        let mut m = Resistance::new(&s, &w);
        m.state.regions[0].infiltrators = super::super::regions::Timed {
            value: 100.0 * scale,
            until: u32::MAX,
        };
        let mut log = Vec::new();
        for step in 1..=100 {
            m.raids(step, &w, &mut log);
        }
        check_invariants(&m, &w);
        let raids: u64 = log
            .iter()
            .filter(|e| e.kind == "raid")
            .map(|e| e.count)
            .sum();
        let g = &m.state.regions[0];
        let share = g.count[State::Sympathizer as usize] as f64 / g.population as f64;
        (raids, share)
    };
    let (raids_all, share_all) = run(1.0);
    let (raids_quarter, share_quarter) = run(0.25);
    // 100 infiltrators × 0.02 raids a day × 100 days = 200 raids expected (Poisson, sd 14).
    for raids in [raids_all, raids_quarter] {
        assert!(
            raids.abs_diff(200) <= 57,
            "{raids} raids, expected 200 ± 4 sd"
        );
    }
    assert!(
        share_all > 0.05,
        "the raids' word made sympathizers: {share_all}"
    );
    assert!(
        (share_all - share_quarter).abs() <= 0.15 * share_all,
        "sympathizer share {share_all} of all persons, {share_quarter} of a quarter"
    );
}
