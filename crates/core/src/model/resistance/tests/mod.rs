//! Unit tests of each process on tiny hand-built worlds, and invariants as property tests.

use proptest::prelude::*;

use super::forces::lanchester;
use super::people::{State, COUNTED, HIDING, NO_CELL};
use super::{contributions, control, Resistance};
use crate::model::Model;
use crate::network::Network;
use crate::observe::LogEntry;
use crate::population::People;
use crate::rng::{Purpose, Stream};
use crate::scenario::{Scenario, Source};
use crate::world::World;

/// Two regions, `a` (6 persons, mountainous) and `b` (4 persons), all adults, no ties unless
/// given; `extra` is appended to the `[resistance]` section's sub-tables.
fn scenario(extra: &str) -> Scenario {
    let text = format!(
        r#"
name = "tiny"
model = "resistance"
[time]
steps = 50
[population.shares]
age = {{ adult = 1.0 }}
occupation = {{ peasant = 1.0 }}
[[regions]]
name = "a"
population = 6
neighbours = ["b"]
mountain_share = 1.0
police = 1000
garrison = 0
[[regions]]
name = "b"
population = 4
police = 1000
[resistance]
initial_cadres = 0
[[resistance.kinds]]
name = "party"
cadres_only = true
cell_size = 5
[[resistance.kinds]]
name = "union"
cell_size = 5
{extra}
"#
    );
    Scenario::load(&Source::text("tiny.toml", &text), &[]).unwrap()
}

fn world(s: &Scenario, edges: &[(u32, u32)]) -> World {
    let people = People::synthesize(&s.regions, s.seed);
    let n = people.len();
    World {
        people,
        network: Network::from_edges(n, vec![edges.to_vec()]).into(),
    }
}

/// Puts persons `who` into one new cell of kind `kind` as members.
fn cell_of(m: &mut Resistance, w: &World, who: &[u32], kind: u8) -> u32 {
    let region = w.people.region[who[0] as usize];
    let mut log = Vec::new();
    let c = m.found_cell(kind, region, 0, &mut log);
    for &i in who {
        m.set_state(i, State::Member, w);
        m.join_cell(i, c);
    }
    c
}

fn check_invariants(m: &Resistance, w: &World) {
    for (r, g) in m.state.regions.iter().enumerate() {
        let range = w.people.of_region(r as u16);
        assert_eq!(
            g.count.iter().sum::<u64>(),
            u64::from(range.end - range.start),
            "people conserved in region {r}"
        );
        for s in 0..8u8 {
            let n = range
                .clone()
                .filter(|&i| m.state.persons.hot[i as usize].state == s)
                .count() as u64;
            assert_eq!(g.count[s as usize], n, "count of state {s} in region {r}");
        }
        let hiding = range
            .clone()
            .filter(|&i| m.state.persons.hot[i as usize].flags & HIDING != 0)
            .count() as u64;
        assert_eq!(g.hiding, hiding, "hiding count in region {r}");
        assert!(
            g.pool.iter().all(|&v| v >= 0.0) && g.materials >= 0.0,
            "resources never negative"
        );
        assert!((0.0..=1.0).contains(&g.control), "control in [0, 1]");
        assert!(g.garrison >= 0.0 && g.police >= 0.0);
        // Loyalty is only ever worn down, never below 0; those who changed sides are some of
        // those who stopped obeying.
        let base = super::loyalty::base(&m.fixed.params.loyalty);
        for (f, (loyal, base)) in g.loyalty.iter().zip(base).enumerate() {
            assert!(
                (0.0..=base).contains(loyal),
                "loyalty {f} of region {r}: {loyal} (base {base})"
            );
        }
        assert!(g.turned.iter().all(|&t| t >= 0.0));
        assert!(g.turned.iter().sum::<f64>() <= g.defected + 1e-9);
        // Every person who died was killed, and counted once: the dead of a region are its
        // fighters and risen killed, in battle or by fire on crowds (alive + dead = population,
        // above).
        use super::regions::killed;
        assert_eq!(
            g.count[State::Dead as usize] as f64,
            g.killed[killed::FIGHTERS] + g.killed[killed::RISEN] + g.killed[killed::CROWDS],
            "the dead of region {r} are the people killed there"
        );
        assert!(g.killed.iter().all(|&k| k >= 0.0), "deaths never negative");
    }
    // Each person's count of ties out is exactly the number of their ties who are risen and
    // whom the ties have learnt of (counted); the risen lists are exact.
    for i in 0..w.people.len() as u32 {
        let h = &m.state.persons.hot[i as usize];
        let out = w
            .network
            .neighbours(i)
            .iter()
            .filter(|&&t| {
                let ht = &m.state.persons.hot[t as usize];
                ht.state == State::Risen as u8 && ht.flags & COUNTED != 0
            })
            .count();
        assert_eq!(usize::from(h.risen_ties), out, "ties out of person {i}");
        if h.flags & COUNTED != 0 {
            assert_eq!(h.state, State::Risen as u8, "only the risen are counted");
        }
    }
    for (r, g) in m.state.regions.iter().enumerate() {
        assert_eq!(
            g.risen.len() as u64,
            g.count[State::Risen as usize],
            "the risen list of region {r} is exact"
        );
        assert!(g
            .risen
            .iter()
            .all(|&i| m.state.persons.state(i) == State::Risen));
    }
    let jailed: u64 = m
        .state
        .regions
        .iter()
        .map(|g| g.count[State::Arrested as usize])
        .sum();
    assert!(
        jailed as f64 <= m.fixed.params.policing.jail_capacity.max(0.0),
        "arrested ({jailed}) never above the jail space ({})",
        m.fixed.params.policing.jail_capacity
    );
    let carried: f64 = m.state.forces.columns.iter().map(|k| k.arms).sum();
    assert!(carried >= 0.0, "columns never carry negative arms");
    for (k, &n) in m.state.cells.kind_members.iter().enumerate() {
        let named = m
            .state
            .persons
            .cell
            .iter()
            .filter(|&&c| c != NO_CELL && m.state.cells.kind[c as usize] as usize == k)
            .count() as u64;
        assert_eq!(
            n, named,
            "members of kind {k} equal the people naming its cells"
        );
    }
    for (c, members) in m.state.cells.members.iter().enumerate() {
        for &i in members {
            assert_eq!(
                m.state.persons.cell[i as usize], c as u32,
                "cell lists agree with persons"
            );
        }
    }
}

#[test]
fn a_detected_cell_of_five_is_arrested_and_its_one_tie_out_exposes_one_more_cell() {
    // Five members of one cell in region a; member 0 has one tie out, to person 7 (region b),
    // who is in another cell with person 8. Person 5 (region a) is tied to 1 but organized
    // nowhere: betrayal cannot reach him.
    let s = scenario("[resistance.repression]\narrest = 1.0\nbetray = 1.0\n");
    let w = world(&s, &[(0, 7), (1, 5)]);
    let mut m = Resistance::new(&s, &w);
    let first = cell_of(&mut m, &w, &[0, 1, 2, 3, 4], 1);
    let other = cell_of(&mut m, &w, &[7, 8], 1);
    let mut st = Stream::new(1, Purpose::REPRESSION, 1, 0);
    let broken = m.break_cells(vec![first], 1, &mut st, &w);
    assert_eq!(
        broken, 2,
        "the cell and the one its betrayed tie belongs to"
    );
    for i in [0, 1, 2, 3, 4, 7, 8] {
        assert_eq!(m.state.persons.state(i), State::Arrested, "person {i}");
        assert_eq!(m.state.persons.cell[i as usize], NO_CELL);
    }
    assert_eq!(
        m.state.persons.state(5),
        State::Unreached,
        "an unorganized tie is not arrested"
    );
    assert!(
        m.state.cells.members[first as usize].is_empty()
            && m.state.cells.members[other as usize].is_empty()
    );
    assert!(
        m.state.regions[0].fear > 0.0 && m.state.regions[1].fear > 0.0,
        "arrests raise fear"
    );
    let backlash = super::people::to_byte(m.fixed.params.repression.backlash);
    assert!(
        m.state.persons.hot[5].grievance >= backlash,
        "backlash among the arrested's ties"
    );
    check_invariants(&m, &w);
}

#[test]
fn without_betrayal_the_cell_structure_stops_the_cascade() {
    let s = scenario("[resistance.repression]\narrest = 1.0\nbetray = 0.0\n");
    let w = world(&s, &[(0, 7)]);
    let mut m = Resistance::new(&s, &w);
    let first = cell_of(&mut m, &w, &[0, 1, 2, 3, 4], 1);
    cell_of(&mut m, &w, &[7, 8], 1);
    let mut st = Stream::new(1, Purpose::REPRESSION, 1, 0);
    assert_eq!(m.break_cells(vec![first], 1, &mut st, &w), 1);
    assert_eq!(m.state.persons.state(7), State::Member);
    assert_eq!(m.state.persons.state(8), State::Member);
    check_invariants(&m, &w);
}

#[test]
fn exposed_members_who_escape_hide_in_the_mountains() {
    // No arrests; region a is all mountain and hide = 1: every exposed member hides.
    let s = scenario("[resistance.repression]\narrest = 0.0\nhide = 1.0\n");
    let w = world(&s, &[]);
    let mut m = Resistance::new(&s, &w);
    let c = cell_of(&mut m, &w, &[0, 1, 2], 1);
    let mut st = Stream::new(1, Purpose::REPRESSION, 1, 0);
    m.break_cells(vec![c], 1, &mut st, &w);
    for i in 0..3 {
        assert!(m.state.persons.hiding(i));
        assert_eq!(m.state.persons.state(i), State::Member);
    }
    assert_eq!(m.state.regions[0].hiding, 3);
    check_invariants(&m, &w);
}

#[test]
fn jail_terms_end_in_release_as_sympathizers() {
    let s = scenario("[resistance.repression]\njail_min = 2.0\njail_max = 2.0\n");
    let w = world(&s, &[]);
    let mut m = Resistance::new(&s, &w);
    cell_of(&mut m, &w, &[0], 1);
    m.arrest(0, 10, &w);
    let mut log: Vec<LogEntry> = Vec::new();
    m.repression(11, &w, &mut log);
    assert_eq!(
        m.state.persons.state(0),
        State::Arrested,
        "still in jail after one day"
    );
    m.repression(12, &w, &mut log);
    assert_eq!(
        m.state.persons.state(0),
        State::Sympathizer,
        "released after two days"
    );
    check_invariants(&m, &w);
}

#[test]
fn a_contact_wins_over_and_enrols_into_the_recruiters_cell() {
    // Certain persuasion: grievance 1, risk 0, persuade = join = 1, no fear.
    let s = scenario("[resistance.outreach]\npersuade = 1.0\njoin = 1.0\n");
    let w = world(&s, &[(0, 1)]);
    let mut m = Resistance::new(&s, &w);
    m.state.persons.hot[1].grievance = 255;
    m.state.persons.hot[1].risk = 0;
    let c = cell_of(&mut m, &w, &[0], 1);
    let recruiter = super::outreach::Recruiter {
        skill: 1.0,
        who: Some(0),
    };
    let mut st = Stream::new(1, Purpose::OUTREACH, 1, 0);
    let mut log = Vec::new();
    m.contact(1, recruiter, &mut st, 1, &w, &mut log);
    assert_eq!(
        m.state.persons.state(1),
        State::Sympathizer,
        "first contact: sympathizer"
    );
    m.contact(1, recruiter, &mut st, 1, &w, &mut log);
    assert_eq!(
        m.state.persons.state(1),
        State::Member,
        "second contact: member"
    );
    assert_eq!(m.state.persons.cell[1], c, "joins the recruiter's cell");
    check_invariants(&m, &w);
}

#[test]
fn full_cells_split_and_ineligible_recruits_join_another_kind() {
    // `youth` admits only youths; everyone here is an adult, so recruits of a `youth` cell's
    // member go to `union`, and a sixth `union` member founds a second cell (size 5).
    let s = scenario(
        "[[resistance.kinds]]\nname = \"youth\"\nages = [\"youth\", \"adult\"]\ncell_size = 5\n",
    );
    let w = world(&s, &[]);
    let mut m = Resistance::new(&s, &w);
    let mut log = Vec::new();
    let mut cells = Vec::new();
    for i in 0..6 {
        m.set_state(i, State::Sympathizer, &w);
        m.enrol(i, 1, None, 0, &w, &mut log);
        cells.push(m.state.persons.cell[i as usize]);
    }
    assert!(cells[..5].iter().all(|&c| c == cells[0]));
    assert_ne!(cells[5], cells[0], "the sixth member starts a new cell");
    assert_eq!(
        m.state.cells.parent[cells[5] as usize], cells[0],
        "under the region's committee"
    );
    // A `party` recruiter's kind is closed to recruits (cadres only): another kind is drawn.
    let kind = m.kind_for(9, Some(0), 0.0, 0, &w).unwrap();
    assert_ne!(kind, 0);
    check_invariants(&m, &w);
}

#[test]
fn lanchester_square_law_conserves_the_difference_of_squares() {
    // A = 2, B = 1: A² − B² = 3 is conserved, so A ends with √3 once B is gone.
    let (a, b) = lanchester(2000.0, 1000.0, 0.05, 200.0);
    assert!(b == 0.0);
    assert!((a - 3.0f64.sqrt() * 1000.0).abs() < 0.02 * 1000.0, "{a}");
    // Equal forces wear each other down equally.
    let (a, b) = lanchester(500.0, 500.0, 0.05, 1.0);
    assert!((a - b).abs() < 1e-9 && a < 500.0);
}

#[test]
fn contributions_follow_occupation_and_never_go_negative() {
    let s = scenario("[resistance.contributions]\nprovisions_peasant = 0.5\nflow_to_base = 0.0\nprovisions_per_fighter = 10.0\n");
    let w = world(&s, &[]);
    let mut m = Resistance::new(&s, &w);
    cell_of(&mut m, &w, &[0, 1, 2, 3], 1);
    m.state.course.programme = true;
    contribute(&mut m);
    // Four peasant members at 0.5 kg a day.
    assert!(
        (m.state.regions[0].pool[1] - 2.0).abs() < 1e-12,
        "{:?}",
        m.state.regions[0].pool
    );
    // A base with a hungry fighter eats the store down to zero, not below.
    m.state.regions[0].base = true;
    m.set_state(0, State::Fighter, &w);
    contribute(&mut m);
    assert_eq!(m.state.regions[0].pool[1], 0.0);
    check_invariants(&m, &w);
}

#[test]
fn people_rise_when_the_share_of_risen_ties_reaches_their_threshold() {
    // Person 0 has ties to 1, 2, 3, 4; thresholds are 0.5 of ties (no grievance or risk
    // terms), so 0 rises the step after two ties have risen, not after one.
    let s = scenario(
        "[resistance.uprising]\nthreshold_base = 0.5\nrisk_weight = 0.0\ngrievance_weight = 0.0\narmed_bonus = 0.0\n",
    );
    let w = world(&s, &[(0, 1), (0, 2), (0, 3), (0, 4)]);
    let mut m = Resistance::new(&s, &w);
    let mut log = Vec::new();
    m.open_region(0);
    m.uprising(1, &w, &mut log);
    m.set_state(1, State::Risen, &w);
    m.state.uprising.frontier.push(1);
    m.uprising(2, &w, &mut log);
    assert_eq!(
        m.state.persons.state(0),
        State::Unreached,
        "one of four ties is below 0.5"
    );
    m.set_state(2, State::Risen, &w);
    m.state.uprising.frontier.push(2);
    m.uprising(3, &w, &mut log);
    assert_eq!(
        m.state.persons.state(0),
        State::Risen,
        "two of four reach 0.5"
    );
    check_invariants(&m, &w);
}

#[test]
fn on_weighted_ties_the_share_that_has_risen_is_by_weight() {
    // Person 0's ties: 1 weighs 3, 2, 3 and 4 weigh 1 (a share of 3/6 when 1 rises alone).
    // Threshold 0.5: with equal ties 0 would need two risen ties; here 1 alone suffices,
    // and 2 and 3 together (2/6) do not.
    let s = scenario(
        "[resistance.uprising]\nthreshold_base = 0.5\nrisk_weight = 0.0\ngrievance_weight = 0.0\narmed_bonus = 0.0\n",
    );
    let people = People::synthesize(&s.regions, s.seed);
    let n = people.len();
    let edges = vec![(0, 1, 3.0), (0, 2, 1.0), (0, 3, 1.0), (0, 4, 1.0)];
    let w = World {
        people,
        network: Network::from_weighted_edges(n, vec![edges]).into(),
    };
    let rise_and_count = |risen: &[u32]| {
        let mut m = Resistance::new(&s, &w);
        let mut log = Vec::new();
        m.open_region(0);
        m.uprising(1, &w, &mut log);
        for &i in risen {
            m.set_state(i, State::Risen, &w);
            m.state.uprising.frontier.push(i);
        }
        m.uprising(2, &w, &mut log);
        check_invariants(&m, &w);
        m.state.persons.state(0)
    };
    assert_eq!(
        rise_and_count(&[2, 3]),
        State::Unreached,
        "2/6 is below 0.5"
    );
    assert_eq!(rise_and_count(&[1]), State::Risen, "3/6 reaches 0.5");
    assert_eq!(rise_and_count(&[2, 3, 4]), State::Risen, "3/6 reaches 0.5");
}

/// Local units are shared by population (here 6 and 4 people, 5 units: 3 and 2), every person
/// belongs to one unit of their region, and a unit forms a committee once `quorum` of its
/// people are out at once, and keeps it when they go home or die; a death takes the person
/// out of the count that forms the next.
#[test]
fn committees_form_where_a_quorum_of_a_unit_has_risen() {
    let s = scenario("[resistance.committees]\ncounties = 5\nquorum = 0.5\n");
    let w = world(&s, &[]);
    let mut m = Resistance::new(&s, &w);
    assert_eq!(m.fixed.counties.len(), 5);
    assert_eq!(
        (
            m.fixed.counties.of_region(0).len(),
            m.fixed.counties.of_region(1).len()
        ),
        (3, 2)
    );
    let units: Vec<usize> = (0..10)
        .map(|i| m.fixed.counties.of(i, &w).unwrap())
        .collect();
    assert_eq!(units, vec![0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    assert_eq!(m.committees_in(0), 0);
    m.set_state(0, State::Risen, &w);
    assert_eq!(m.committees_in(0), 1, "one of two is half");
    m.set_state(2, State::Risen, &w);
    m.set_state(3, State::Risen, &w);
    assert_eq!(m.committees_in(0), 2);
    m.set_state(0, State::Dead, &w);
    assert_eq!(m.committees_in(0), 2, "a committee outlives the crowd");
    m.set_state(4, State::Risen, &w);
    assert_eq!(m.committees_in(0), 3);
    assert_eq!(m.committees_in(1), 0);
}

/// A saved state that names people, cells or regions the scenario does not have, or holds an
/// impossible quantity, is refused on restore with a reason; the state as saved is accepted.
#[test]
fn a_restored_state_that_does_not_fit_the_scenario_is_refused() {
    let s = scenario("");
    let w = world(&s, &[(0, 1), (1, 2)]);
    let mut m = Resistance::new(&s, &w);
    let mut log = Vec::new();
    m.start(&w, &mut log);
    let c = cell_of(&mut m, &w, &[0, 1], 1);
    m.set_state(2, State::Risen, &w);
    m.state
        .forces
        .columns
        .push(super::Column::new(super::Side::Main, 0, 5.0, true));
    let good = m.save();
    assert!(Resistance::new(&s, &w).restore(&good).is_ok());
    type Edit = Box<dyn Fn(&mut Resistance)>;
    let edits: Vec<(&str, Edit)> = vec![
        (
            "a person list",
            Box::new(|m| m.state.regions[0].members.push(10_000)),
        ),
        (
            "a cell member",
            Box::new(move |m| m.state.cells.members[c as usize].push(99)),
        ),
        (
            "a person's cell",
            Box::new(|m| m.state.persons.cell[3] = 4_000),
        ),
        (
            "a person's region",
            Box::new(|m| m.state.persons.hot[0].region = 1),
        ),
        (
            "a state byte",
            Box::new(|m| m.state.persons.hot[4].state = 200),
        ),
        (
            "a column's region",
            Box::new(|m| m.state.forces.columns[0].region = 7),
        ),
        (
            "a column's strength",
            Box::new(|m| m.state.forces.columns[0].strength = f64::NAN),
        ),
        (
            "the jail",
            Box::new(|m| m.state.jail.queue.push(std::cmp::Reverse((5, 77)))),
        ),
        (
            "the frontier",
            Box::new(|m| m.state.uprising.frontier.push(123)),
        ),
        ("control", Box::new(|m| m.state.regions[1].control = 2.0)),
        (
            "a garrison",
            Box::new(|m| m.state.regions[1].garrison = f64::INFINITY),
        ),
        (
            "the regions",
            Box::new(|m| {
                let r = m.state.regions[0].clone();
                m.state.regions.push(r);
            }),
        ),
        (
            "the people",
            Box::new(|m| {
                m.state.persons.hot.pop();
                m.state.persons.cell.pop();
            }),
        ),
    ];
    for (what, edit) in edits {
        let mut bad = Resistance::new(&s, &w);
        bad.restore(&good).unwrap();
        edit(&mut bad);
        let bytes = bad.save();
        let e = Resistance::new(&s, &w).restore(&bytes);
        assert!(e.is_err(), "{what} was accepted");
        assert!(
            e.unwrap_err().0.contains("does not fit the scenario"),
            "{what}"
        );
    }
}

#[test]
fn control_recovers_without_rebels_and_falls_to_liberation_against_them() {
    let s =
        scenario("[resistance.control]\nadjust = 0.5\nliberation = 0.25\ncollapse_share = 0.5\n");
    let w = world(&s, &[]);
    let mut m = Resistance::new(&s, &w);
    let mut log = Vec::new();
    m.state.regions[0].control = 0.5;
    m.control(1, &mut log);
    assert!(
        m.state.regions[0].control > 0.5,
        "recovers toward 1 with no rebels"
    );
    // Six risen people against one soldier, with the risen made strong: the rebels win.
    m.state.regions[0].police = 0.0;
    m.state.regions[0].garrison = 1.0;
    for i in 0..6 {
        m.set_state(i, State::Risen, &w);
    }
    m.fixed.params.combat.unarmed_weight = 10.0;
    for step in 2..20 {
        m.control(step, &mut log);
    }
    assert!(
        m.state.regions[0].liberated,
        "control {}",
        m.state.regions[0].control
    );
    assert!(
        m.collapse().is_some(),
        "region a holds 60 % of the home population"
    );
    check_invariants(&m, &w);
}

/// Jail space bounds prisoners: with room for two, a detected cell of five is broken (all
/// five arrested) but the jails hold two, the others let go early as room is needed; with
/// no room at all, nobody is taken.
#[test]
fn full_jails_let_the_earliest_due_go_and_never_hold_more_than_their_space() {
    let run = |capacity: u32| {
        let s = scenario(&format!(
            "[resistance.policing]\njail_capacity = {capacity}\n[resistance.repression]\narrest = 1.0\nbetray = 0.0\nhide = 0.0\n"
        ));
        let w = world(&s, &[]);
        let mut m = Resistance::new(&s, &w);
        let c = cell_of(&mut m, &w, &[0, 1, 2, 3, 4], 1);
        let mut st = Stream::new(1, Purpose::REPRESSION, 1, 0);
        m.break_cells(vec![c], 1, &mut st, &w);
        check_invariants(&m, &w);
        (
            m.state.regions[0].count[State::Arrested as usize],
            m.state.tallies.arrests,
            m.state.jail.released_early,
        )
    };
    assert_eq!(run(2), (2, 5, 3));
    assert_eq!(run(0), (0, 0, 0));
    assert_eq!(run(100), (5, 5, 0));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Whole runs of the teaching scenario with random seeds and parameters (small jails,
    /// heavy crowd policing, wavering forces worn down and changing sides among them): every
    /// invariant holds at every step.
    #[test]
    fn invariants_hold_at_every_step(
        seed in 0u64..1000,
        detection in 0.0f64..0.05,
        join in 0.0f64..1.0,
        betray in 0.0f64..1.0,
        fire in 0.0f64..0.5,
        jail in 0u32..200,
        crowd_arrest in 0.0f64..1.0,
        dispersal in 0.0f64..2.0,
        fatigue in 0.0f64..0.2,
        defection in 0.0f64..0.5,
        police_loyalty in 0.0f64..1.0,
        unarmed_weight in 0.0f64..0.1,
        fire_erosion in 0.0f64..100.0,
        ties in 0.0f64..10.0,
        prospects in 0.0f64..10.0,
        defectors_join in 0.0f64..1.0,
    ) {
        let text = crate::scenario::embedded::source("two-valleys").unwrap();
        let sets = [
            format!("seed={seed}"),
            format!("resistance.repression.detection={detection}"),
            format!("resistance.outreach.join={join}"),
            format!("resistance.repression.betray={betray}"),
            format!("resistance.combat.fire={fire}"),
            format!("resistance.policing.jail_capacity={jail}"),
            format!("resistance.policing.crowd_arrest={crowd_arrest}"),
            format!("resistance.policing.dispersal={dispersal}"),
            format!("resistance.demobilization.fatigue={fatigue}"),
            format!("resistance.loyalty.defection={defection}"),
            format!("resistance.loyalty.police={police_loyalty}"),
            format!("resistance.combat.unarmed_weight={unarmed_weight}"),
            format!("resistance.loyalty.fire_erosion={fire_erosion}"),
            format!("resistance.loyalty.ties={ties}"),
            format!("resistance.loyalty.prospects={prospects}"),
            format!("resistance.loyalty.join={defectors_join}"),
        ];
        let overrides: Vec<_> = sets.iter().map(|a| crate::scenario::Override::parse(a).unwrap()).collect();
        let s = Scenario::load(&text, &overrides).unwrap();
        let people = People::synthesize(&s.regions, s.seed);
        let network = Network::generate(&s.network, &people, s.seed);
        let w = World {
            people,
            network: network.into(),
        };
        let mut m = Resistance::new(&s, &w);
        let mut log = Vec::new();
        let mut next = 0;
        for step in 0..=s.time.steps {
            while next < s.events.len() && s.events[next].step == step {
                m.apply(&s.events[next], next, &w, &mut log);
                next += 1;
            }
            if step == 0 { m.start(&w, &mut log) } else { m.step(step, &w, &mut log) }
            check_invariants(&m, &w);
            if m.finished() { break; }
        }
    }
}

/// One day's contributions of `m`, as its day runs them.
fn contribute(m: &mut Resistance) {
    let (f, s) = (&m.fixed, &mut m.state);
    contributions::contributions(
        &f.params.contributions,
        f.params.organizations,
        f.dt,
        &s.course,
        &mut s.regions,
    );
}

/// The ruling side laying down its arms on day `step`, as `m`'s day runs it.
fn lay_down(m: &mut Resistance, step: u32, log: &mut Vec<LogEntry>) {
    let (f, s) = (&m.fixed, &mut m.state);
    control::lay_down_arms(
        step,
        &f.names,
        &s.course,
        &mut s.forces,
        &mut s.regions,
        log,
    );
}

mod crowds;
mod forces;
