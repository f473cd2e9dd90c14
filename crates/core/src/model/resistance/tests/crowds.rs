//! Crowds on small worlds: risings that ebb or topple, defection, who rises, the main force by
//! its size, and concession to a sustained strike; each against the same world without the
//! cause.

use super::forces::{armed_presence_world, day};
use super::*;
use crate::model::resistance::regions::killed;
use crate::model::resistance::Timed;

/// Region `a` with 300 adults on a ring where each is tied to the four nearest on each side,
/// the call to rise heard, everyone out and counted by their ties; region `b` empty of forces.
/// `extra` sets parameters (the scenario's `[resistance.*]` tables).
fn crowd_world(extra: &str) -> (Resistance, World) {
    let text = format!(
        r#"
name = "crowd"
model = "resistance"
[time]
steps = 120
[population.shares]
age = {{ adult = 1.0 }}
occupation = {{ peasant = 1.0 }}
[[regions]]
name = "a"
population = 300
neighbours = ["b"]
police = 0
[[regions]]
name = "b"
population = 4
[resistance]
initial_cadres = 0
[[resistance.kinds]]
name = "union"
[resistance.uprising]
threshold_base = 0.5
risk_weight = 0.0
grievance_weight = 0.0
[resistance.control]
collapse_share = 0.5
{extra}
"#
    );
    let s = Scenario::load(&Source::text("crowd.toml", &text), &[]).unwrap();
    let mut edges = Vec::new();
    for i in 0..300u32 {
        for k in 1..=4 {
            edges.push((i, (i + k) % 300));
        }
    }
    let w = world(&s, &edges);
    let mut m = Resistance::new(&s, &w);
    m.open_region(0);
    for i in 0..300 {
        m.set_state(i, State::Risen, &w);
        m.state.uprising.frontier.push(i);
    }
    let mut log = Vec::new();
    m.uprising(0, &w, &mut log);
    (m, w)
}

/// Runs `m` for `days` whole days (every process, in the day's order); returns the risen in
/// region `a` each day.
fn run_days(m: &mut Resistance, w: &World, days: u32) -> Vec<u64> {
    let mut log = Vec::new();
    let mut risen = Vec::new();
    for step in 1..=days {
        m.step(step, w, &mut log);
        check_invariants(m, w);
        risen.push(m.state.regions[0].count[State::Risen as usize]);
    }
    risen
}

/// Forces that hold the crowds down but cannot topple them: 100 troops and 100 police (100
/// effective) against 300 risers weighing 0.5 each in control (150): control goes to 0.4,
/// above `liberation`, so nothing collapses whatever the crowds do.
const STANDOFF: &str = "[resistance.combat]\nunarmed_weight = 0.5\nsuppression = 0.0\n";

/// A rising facing loyal forces that arrest and disperse shrinks and ends, and the ruling
/// system holds; the same rising with no policing and nobody tiring stays out to the end.
#[test]
fn a_rising_facing_loyal_forces_that_arrest_and_disperse_ebbs_without_a_collapse() {
    let policed = format!(
        "{STANDOFF}[resistance.policing]\ncrowd_arrest = 0.05\ndispersal = 0.05\n\
         [resistance.demobilization]\nfatigue = 0.01\n"
    );
    let (mut m, w) = crowd_world(&policed);
    m.state.regions[0].garrison = 100.0;
    m.state.regions[0].police = 100.0;
    assert_eq!(
        m.state.regions[0].count[State::Risen as usize],
        300,
        "everyone is out"
    );
    let risen = run_days(&mut m, &w, 120);
    assert_eq!(*risen.last().unwrap(), 0, "it ends: {risen:?}");
    assert!(
        m.state.course.collapse.is_none(),
        "and the ruling system holds"
    );
    assert!(
        m.state.regions[0].crowd_arrests > 0,
        "the police arrested people out of crowds"
    );
    assert!(m.state.regions[0].went_home > 0, "and people went home");
    assert_eq!(
        m.state.regions[0].defected, 0.0,
        "loyal forces never defect"
    );

    let still = format!(
        "{STANDOFF}[resistance.policing]\ncrowd_arrest = 0.0\ndispersal = 0.0\n\
         [resistance.demobilization]\nfatigue = 0.0\nfear_exit = 0.0\nunsupported_exit = 0.0\n"
    );
    let (mut m, w) = crowd_world(&still);
    m.state.regions[0].garrison = 100.0;
    m.state.regions[0].police = 100.0;
    let risen = run_days(&mut m, &w, 120);
    assert_eq!(
        *risen.last().unwrap(),
        300,
        "without the causes nobody goes home"
    );
    assert!(m.state.course.collapse.is_none());
}

/// The same standoff with forces of low loyalty: facing crowds three times their size they
/// stop obeying, the ruling side's share of the strength falls below `liberation`, and the
/// ruling system collapses; nobody of the ruling side was killed.
#[test]
fn the_same_rising_facing_forces_that_defect_ends_in_a_collapse() {
    let setup = format!(
        "{STANDOFF}[resistance.policing]\ncrowd_arrest = 0.0\ndispersal = 0.0\n\
         [resistance.demobilization]\nfatigue = 0.0\nfear_exit = 0.0\n\
         [resistance.loyalty]\ndefection = 0.2\ncrowd_ratio = 1.0\n"
    );
    let run = |loyalty: f64| {
        let (mut m, w) = crowd_world(&format!(
            "{setup}garrison = {loyalty}\npolice = {loyalty}\n"
        ));
        m.state.regions[0].garrison = 100.0;
        m.state.regions[0].police = 100.0;
        run_days(&mut m, &w, 60);
        m
    };
    let loyal = run(1.0);
    assert!(loyal.state.course.collapse.is_none(), "loyal forces hold");
    assert_eq!(
        loyal.state.regions[0].garrison + loyal.state.regions[0].police,
        200.0
    );
    let wavering = run(0.2);
    let (day, _) = wavering
        .collapse()
        .expect("forces that defect let the state fall");
    assert!(day > 1, "not at once: on day {day}");
    assert!(
        wavering.state.regions[0].defected > 100.0,
        "{}",
        wavering.state.regions[0].defected
    );
    assert_eq!(
        wavering.state.tallies.ruling_losses, 0.0,
        "fallen without a battle"
    );
    assert_eq!(
        wavering.state.course.by_defection,
        Some(true),
        "a collapse, not a defeat"
    );
    let said = wavering.summary(day, crate::observe::StopReason::Ended);
    assert!(
        said.sentence.contains("stopped obeying than had fallen"),
        "{}",
        said.sentence
    );
}

/// The standoff again, with forces of loyalty 0.9 that fire on the crowds (one killed a day)
/// and stop obeying only slowly: they hold for 60 days. When each volley wears their loyalty
/// down (`fire_erosion`), the same forces come to stop obeying and the state collapses.
#[test]
fn orders_to_fire_on_crowds_wear_loyalty_down_until_the_forces_stop_obeying() {
    let run = |fire_erosion: f64| {
        let (mut m, w) = crowd_world(&format!(
            "[resistance.combat]\nunarmed_weight = 0.5\nsuppression = 0.01\n\
             [resistance.policing]\ncrowd_arrest = 0.0\ndispersal = 0.0\nkilling_fear = 0.0\n\
             [resistance.demobilization]\nfatigue = 0.0\nfear_exit = 0.0\n\
             [resistance.loyalty]\ngarrison = 0.9\npolice = 0.9\ndefection = 0.05\n\
             crowd_ratio = 1.0\nfire_erosion = {fire_erosion}\n"
        ));
        m.state.regions[0].garrison = 100.0;
        m.state.regions[0].police = 100.0;
        run_days(&mut m, &w, 60);
        m
    };
    let steady = run(0.0);
    let g = &steady.state.regions[0];
    assert!(
        g.killed[killed::CROWDS] > 10.0,
        "they fired: {:?}",
        g.killed
    );
    assert_eq!(g.loyalty, [0.9, 0.9], "nothing wore their loyalty down");
    assert!(steady.state.course.collapse.is_none(), "and they held");
    let worn = run(1000.0);
    let h = &worn.state.regions[0];
    assert!(h.loyalty[1] < 0.1, "{:?}", h.loyalty);
    assert!(
        h.defected > 2.0 * g.defected,
        "{} vs {}",
        h.defected,
        g.defected
    );
    let (day, _) = worn
        .collapse()
        .expect("worn-down forces let the state fall");
    assert_eq!(worn.state.course.by_defection, Some(true), "on day {day}");
}

/// The standoff with a loyal garrison and a police of no loyalty, which soon stops obeying.
/// Gone home, the police leave the garrison alone against the crowds, and it holds (60
/// effective against 150: control just above `liberation`). Gone over to the rebels with their
/// arms (`join`), the same police fight the garrison and weigh against its control: the
/// state collapses.
#[test]
fn defectors_who_join_the_rebels_fight_beside_them() {
    let run = |join: f64| {
        let (mut m, w) = crowd_world(&format!(
            "{STANDOFF}[resistance.policing]\ncrowd_arrest = 0.0\ndispersal = 0.0\n\
             [resistance.demobilization]\nfatigue = 0.0\nfear_exit = 0.0\n\
             [resistance.loyalty]\ngarrison = 1.0\npolice = 0.0\ndefection = 0.2\n\
             crowd_ratio = 1.0\njoin = {join}\n"
        ));
        m.state.regions[0].garrison = 100.0;
        m.state.regions[0].police = 100.0;
        run_days(&mut m, &w, 60);
        m
    };
    let home = run(0.0);
    let g = &home.state.regions[0];
    assert!(
        g.defected > 90.0,
        "the police stopped obeying: {}",
        g.defected
    );
    assert_eq!(g.turned, [0.0, 0.0], "and went home");
    assert_eq!(home.state.tallies.ruling_losses, 0.0, "nobody fought");
    assert!(home.state.course.collapse.is_none(), "the garrison held");
    let over = run(1.0);
    let h = &over.state.regions[0];
    assert_eq!(h.turned[0], 0.0, "the garrison is loyal");
    assert!(
        over.state.tallies.ruling_losses > 0.0,
        "defectors fought those who still obey"
    );
    let (day, _) = over
        .collapse()
        .expect("defectors who fight bring the state down");
    assert!(day > 1, "not at once: on day {day}");
}

/// Children are not among those who rise by default: in a region of children and adults
/// where an armed force brings every threshold to zero, only the adults rise. With
/// `who_rises.ages` naming children too, everyone does.
#[test]
fn children_below_the_eligible_age_never_rise() {
    let build = |extra: &str| {
        let text = format!(
            r#"
name = "ages"
model = "resistance"
[time]
steps = 10
[population.shares]
age = {{ child = 0.5, adult = 0.5 }}
[[regions]]
name = "a"
population = 400
[resistance]
initial_cadres = 0
[[resistance.kinds]]
name = "union"
[resistance.uprising]
threshold_base = 0.0
risk_weight = 0.0
grievance_weight = 0.0
{extra}
"#
        );
        let s = Scenario::load(&Source::text("ages.toml", &text), &[]).unwrap();
        let ring: Vec<(u32, u32)> = (0..400).map(|i| (i, (i + 1) % 400)).collect();
        let w = world(&s, &ring);
        let mut m = Resistance::new(&s, &w);
        m.open_region(0);
        let mut log = Vec::new();
        m.uprising(1, &w, &mut log);
        check_invariants(&m, &w);
        let children_risen = (0..400u32)
            .filter(|&i| w.people.age[i as usize] == 0 && m.state.persons.state(i) == State::Risen)
            .count();
        let adults = (0..400usize).filter(|&i| w.people.age[i] == 2).count();
        (
            children_risen,
            m.state.regions[0].count[State::Risen as usize],
            adults,
        )
    };
    let (children, risen, adults) = build("");
    assert_eq!(children, 0, "no child rises");
    assert_eq!(risen as usize, adults, "every adult does");
    assert!(adults > 100 && adults < 300);
    let (children, risen, _) =
        build("[resistance.who_rises]\nages = [\"child\", \"youth\", \"adult\"]\n");
    assert!(children > 100, "named, children rise too");
    assert_eq!(risen, 400);
}

/// A person who has been out and gone home needs `weariness` more of their ties out to
/// rise again.
#[test]
fn people_who_went_home_need_more_of_their_ties_to_rise_again() {
    let (s, w) = armed_presence_world();
    let mut m = Resistance::new(&s, &w);
    m.fixed.params.demobilization.weariness = 0.6;
    m.open_region(0);
    m.set_state(0, State::Risen, &w);
    m.state.regions[0].risen.retain(|&i| i != 0);
    m.go_home(0, &w);
    assert!(m.state.persons.went_home(0));
    assert_eq!(
        m.state.persons.state(0),
        State::Unreached,
        "home to where they came from"
    );
    // One of person 0's two ties (1 and 5) out is a share of 0.5: enough at θ = 0.3, not at
    // 0.3 + 0.6 = 0.9.
    m.set_state(1, State::Risen, &w);
    m.state.uprising.frontier.push(1);
    let mut log = Vec::new();
    m.uprising(1, &w, &mut log);
    assert_eq!(
        m.state.persons.state(0),
        State::Unreached,
        "one tie out of two: 0.5 < 0.9"
    );
    assert_eq!(
        m.state.persons.state(2),
        State::Risen,
        "a person who never went home rises at 0.5"
    );
    check_invariants(&m, &w);
}

/// The main force acts by its size: a column of 300 against a garrison of 200 (120
/// effective) raises the region and breaks the garrison, one of 75 does neither as well.
#[test]
fn the_main_force_acts_by_its_size() {
    let (s, w) = armed_presence_world();
    let run = |strength: f64| {
        let mut m = Resistance::new(&s, &w);
        m.fixed.params.uprising.armed_bonus = 0.5;
        m.state.regions[0].police = 0.0;
        m.state.regions[0].garrison = 200.0;
        m.open_region(0);
        m.state.forces.columns.push(super::super::Column::new(
            super::super::Side::Main,
            0,
            strength,
            true,
        ));
        let mut log = Vec::new();
        for step in 1..=3 {
            day(&mut m, step, &w, &mut log);
        }
        check_invariants(&m, &w);
        let g = &m.state.regions[0];
        (g.garrison, g.control, g.count[State::Risen as usize])
    };
    let (garrison_small, control_small, risen_small) = run(75.0);
    let (garrison_large, control_large, risen_large) = run(300.0);
    assert!(
        garrison_large < garrison_small,
        "{garrison_large} vs {garrison_small}"
    );
    assert!(
        control_large < control_small,
        "{control_large} vs {control_small}"
    );
    // 0.5 × 75 / (75 + 120) = 0.19 < 0.3; 0.5 × 300 / 420 = 0.36 ≥ 0.3.
    assert_eq!(risen_small, 0, "a small column raises nobody");
    assert_eq!(risen_large, 6, "a large one raises everyone");
}

/// A sustained strike against a regime of low resolve ends in a concession: in the standoff
/// (the forces neither topple nor are toppled, nobody goes home) 300 of 304 people are out,
/// a cost of about 0.99 share-days a day, whose pressure settles near 0.99 / 0.05 ≈ 20
/// share-days; under a strike call each counts three times, so the pressure passes a resolve of
/// 30 after about two weeks. The same rising without the strike call never does, and a
/// regime of the default resolve never yields.
#[test]
fn a_sustained_strike_against_a_regime_of_low_resolve_ends_in_a_concession() {
    let still = format!(
        "{STANDOFF}[resistance.policing]\ncrowd_arrest = 0.0\ndispersal = 0.0\n\
         [resistance.demobilization]\nfatigue = 0.0\nfear_exit = 0.0\nunsupported_exit = 0.0\n"
    );
    let run = |strike: bool, resolve: Option<f64>| {
        let (mut m, w) = crowd_world(&still);
        m.state.regions[0].garrison = 100.0;
        m.state.regions[0].police = 100.0;
        if let Some(r) = resolve {
            m.fixed.params.concession.resolve = r;
        }
        if strike {
            m.state.regions[0].strike = Timed {
                value: 1.0,
                until: 1_000,
            };
        }
        run_days(&mut m, &w, 60);
        m
    };
    let struck = run(true, Some(30.0));
    let day = struck.state.course.conceded.expect("the regime yields");
    assert!(
        (8..=25).contains(&day),
        "after a sustained strike: day {day}"
    );
    assert!(struck.state.course.collapse.is_none(), "it did not fall");
    assert_eq!(struck.state.course.striking, 300.0);
    assert!(struck.state.course.pressure >= 30.0);
    let outcome = struck.summary(day, crate::observe::StopReason::Ended);
    assert!(
        outcome.sentence.starts_with("The regime conceded"),
        "{}",
        outcome.sentence
    );
    let figure = |o: &crate::observe::Outcome, name: &str| {
        o.figures.iter().find(|f| f.0 == name).map(|f| f.1)
    };
    assert_eq!(figure(&outcome, "conceded"), Some(1.0));
    assert_eq!(figure(&outcome, "held"), Some(0.0));

    let marched = run(false, Some(30.0));
    assert!(
        marched.state.course.conceded.is_none(),
        "marching alone does not reach it"
    );
    assert!(
        (15.0..30.0).contains(&marched.state.course.pressure),
        "{}",
        marched.state.course.pressure
    );
    let resolute = run(true, None);
    assert!(
        resolute.state.course.conceded.is_none(),
        "the default resolve is never reached"
    );
}
