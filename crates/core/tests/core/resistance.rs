//! The resistance model through the public API: the reference scenarios' results, scale,
//! common random numbers, bad input, and the docs' parameter tables.

use mobilize_core::engine::Sim;
use mobilize_core::model::resistance::params as resistance;
use mobilize_core::observe::{Outcome, Recorder};
use mobilize_core::scenario::{embedded, Override, Scenario, Source};

fn load(name: &str, sets: &[String]) -> Scenario {
    let overrides: Vec<Override> = sets.iter().map(|a| Override::parse(a).unwrap()).collect();
    Scenario::load(&embedded::source(name).unwrap(), &overrides).unwrap()
}

fn run(name: &str, sets: &[String]) -> (Recorder, Outcome) {
    let mut rec = Recorder::default();
    let outcome = Sim::new(load(name, sets)).run(&mut [&mut rec]).unwrap();
    (rec, outcome)
}

fn figure(o: &Outcome, name: &str) -> Option<f64> {
    o.figures.iter().find(|(n, _)| n == name).map(|(_, v)| *v)
}

fn korea(scale: f64, seed: u64, more: &[&str]) -> (Recorder, Outcome) {
    let mut sets = vec![format!("scale={scale}"), format!("seed={seed}")];
    sets.extend(more.iter().map(|s| s.to_string()));
    run("korea-1936-1945", &sets)
}

/// The main force acts: its columns fight, hand out arms and raise the regions they enter, so
/// taking it away (no offensive strength, no fighters at the start, none trained) changes
/// whether and when the ruling system collapses, how much is liberated or how many rise. The test asserts that it acts, not in which direction or by
/// how much: the docs report the measured effect (the 2 x 2 of organizations and main force).
#[test]
fn the_main_force_changes_when_the_collapse_comes() {
    let off = [
        "events[12].strength=0",
        "resistance.initial_fighters=0",
        "resistance.training.military=0",
    ];
    let mut changed = 0;
    for seed in 1..=3 {
        let (rec_on, on) = korea(0.01, seed, &[]);
        let (rec_off, off) = korea(0.01, seed, &off);
        // At the record's size the columns fight where they enter (whether they get further
        // is the model's to say; at the Korean scenarios' fitted values they do not).
        assert!(rec_on
            .log
            .iter()
            .any(|e| e.kind == "final_offensive" && e.count > 0));
        assert!(rec_on.log.iter().any(|e| e.kind == "battle"));
        assert!(!rec_off
            .log
            .iter()
            .any(|e| e.kind == "advance" || e.kind == "arms"));
        let outcome = |o: &Outcome| {
            (
                figure(o, "collapse_step"),
                figure(o, "liberated_share").map(|v| (v * 1e6).round()),
                figure(o, "peak_risen"),
            )
        };
        if outcome(&on) != outcome(&off) {
            changed += 1;
        }
    }
    assert!(
        changed >= 2,
        "the main force changed the outcome (collapse, liberated share, rising) in {changed} of 3 seeds"
    );
}

/// The counterfactual: without mass organizations, the same offensive does not bring
/// collapse within a week (criterion: no seed of five collapses within 7 days).
#[test]
fn without_mass_organizations_there_is_no_quick_collapse() {
    for seed in 1..=5 {
        let (rec, o) = korea(0.01, seed, &["resistance.organizations=false"]);
        let days = figure(&o, "days_offensive_to_collapse");
        assert!(
            days.is_none_or(|d| d > 7.0),
            "seed {seed}: collapsed after {days:?} days"
        );
        let organized = rec.column("organized").unwrap();
        assert!(
            organized.iter().all(|&v| v <= 1000.0),
            "only the leadership's cadres exist"
        );
    }
}

/// The mainstream account: the surrender is an outside event on 15 August 1945.
#[test]
fn the_mainstream_scenario_collapses_on_the_day_of_the_surrender() {
    let (rec, o) = run("korea-1945-mainstream", &["scale=0.01".into()]);
    let s = load("korea-1945-mainstream", &["scale=0.01".into()]);
    let start = s.time.start.unwrap();
    let day = mobilize_core::calendar::Date::parse("1945-08-15").unwrap();
    let step = day.days_since(start) as f64;
    assert_eq!(figure(&o, "collapse_step"), Some(step));
    assert!(rec.log.iter().any(|e| e.kind == "external_attack"));
    assert!(rec.log.iter().any(|e| e.kind == "surrender"));
    assert!(!rec.log.iter().any(|e| e.kind == "final_offensive"));
}

/// The mainstream account: the ARF's networks broken in 1937–38 and kept down, so little is
/// organized at home on the eve of the surrender. No count of members at home was found; the
/// range taken is under 1.5 % of the people [E] (at the scenario's fitted values it is 0.02–0.1 %,
/// 3 seeds at 1/20). After the surrender people rise and form local
/// committees that did not exist before it; the record is about 145 CPKI branches by 31 August
/// 1945 [S]; the docs report the model's count next to it (here it is only required to exist).
#[test]
fn the_mainstream_scenario_organizes_little_before_the_surrender_and_committees_after_it() {
    let (_, o) = run("korea-1945-mainstream", &["scale=0.05".into()]);
    let eve = figure(&o, "organized_share_on_1945_08_15").unwrap();
    assert!(eve < 0.015, "organized share on 15 August: {eve}");
    assert_eq!(figure(&o, "committees_on_1945_08_15"), Some(0.0));
    let committees = figure(&o, "committees_on_1945_08_31").unwrap();
    assert!(committees > 0.0, "no committee by 31 August");
    assert!(committees <= 230.0);
    assert_eq!(figure(&o, "collapsed_on_1945_08_15"), Some(1.0));
}

/// Figures at fixed dates: taken on the day, and for a run stopped at its collapse, frozen at
/// the collapse; a date outside the run is an error naming it.
#[test]
fn figures_are_taken_at_the_report_dates() {
    let (rec, o) = korea(0.01, 1, &[]);
    let collapse = figure(&o, "collapse_step").map_or(usize::MAX, |c| c as usize);
    let start = mobilize_core::calendar::Date::parse("1936-05-05").unwrap();
    let aug15 = mobilize_core::calendar::Date::parse("1945-08-15").unwrap();
    let step = aug15.days_since(start) as usize;
    let killed_15 = figure(&o, "killed_on_1945_08_15").unwrap();
    let at = step.min(collapse);
    assert_eq!(killed_15, rec.column("killed").unwrap()[at].round());
    let aug31 = mobilize_core::calendar::Date::parse("1945-08-31").unwrap();
    let step31 = aug31.days_since(start) as usize;
    if collapse < step31 {
        // 31 August comes after this run's collapse: the state at the collapse.
        assert_eq!(
            figure(&o, "killed_on_1945_08_31"),
            figure(&o, "killed"),
            "frozen at the collapse"
        );
        assert_eq!(figure(&o, "collapsed_on_1945_08_31"), Some(1.0));
    } else {
        assert_eq!(
            figure(&o, "killed_on_1945_08_31"),
            Some(rec.column("killed").unwrap()[step31].round())
        );
        assert_eq!(figure(&o, "collapsed_on_1945_08_31"), Some(0.0));
    }
    let p = problems(&format!(
        "{}\n",
        include_str!("../../../../scenarios/korea-1936-1945.toml").replace(
            "report_dates = [\"1945-08-15\"",
            "report_dates = [\"1950-01-01\""
        )
    ));
    assert!(
        p.iter()
            .any(|(q, m)| q == "resistance.report_dates[0]" && m.contains("outside the run")),
        "{p:?}"
    );
}

/// Criterion: the same scenario at 1/20 (the smallest scale whose regions all have at least
/// `MIN_REGION_PERSONS`) and 1/10 gives the same shares. The tolerances are measured, not
/// chosen (`python3 scripts/resistance-figures.py scale`, 5 seeds per scale): on the eve of the
/// offensive the organized share is 0.194 % (s.d. 0.010) at 1/20 and 0.189 % (0.009) at 1/10,
/// the sympathizer share 12.2 % at both (s.d. 0.2), the arrested share 0.0876 % at both (jails
/// full); the risen share on the offensive's third day 10.5 % (0.27) and 10.4 % (0.20). Means
/// over 3 seeds are compared within about 3 s.d. of their difference: 16 % of the share for
/// the organized, 6 % for the risen, 5 % for the others. The liberated share on 31 August (0 in
/// the median of 20 seeds at 1/20) moves by whole regions; its 3-seed means are compared
/// within 0.2.
#[test]
fn shares_agree_between_scale_one_twentieth_and_one_tenth() {
    let shares = |scale: f64, seed: u64| {
        let (rec, o) = korea(scale, seed, &[]);
        let row = |name: &str, step: usize| rec.column(name).unwrap()[step];
        // The day before the final offensive.
        let eve = rec
            .log
            .iter()
            .find(|e| e.kind == "final_offensive")
            .unwrap()
            .step as usize
            - 1;
        let people: f64 = [
            "unreached",
            "sympathizer",
            "member",
            "cadre",
            "fighter",
            "risen",
            "arrested",
            "dead",
        ]
        .iter()
        .map(|s| row(s, 0))
        .sum();
        let share = |name: &str, step: usize| row(name, step) / people;
        (
            [
                share("organized", eve),
                share("sympathizer", eve),
                share("arrested", eve),
                share("risen", eve + 3),
            ],
            figure(&o, "liberated_share_on_1945_08_31").unwrap(),
        )
    };
    let (mut small, mut large) = ([0.0; 4], [0.0; 4]);
    let mut liberated = [0.0, 0.0];
    for seed in 1..=3 {
        let (a, liberated_small) = shares(0.05, seed);
        let (b, liberated_large) = shares(0.1, seed);
        liberated[0] += liberated_small / 3.0;
        liberated[1] += liberated_large / 3.0;
        for k in 0..4 {
            small[k] += a[k] / 3.0;
            large[k] += b[k] / 3.0;
        }
    }
    let tolerance = [0.16, 0.05, 0.05, 0.06];
    for k in 0..4 {
        let (a, b) = (small[k], large[k]);
        assert!(
            (a - b).abs() <= tolerance[k] * b,
            "share {k}, mean of 3 seeds: {a} at 1/20 vs {b} at 1/10"
        );
    }
    assert!(
        (liberated[0] - liberated[1]).abs() <= 0.2,
        "mean liberated share on 31 August {} at 1/20 vs {} at 1/10",
        liberated[0],
        liberated[1]
    );
}

/// Common random numbers: the fighting weight of armed risen people matters only once people
/// have risen, so changing it leaves every earlier step bit-identical, and changes later ones.
#[test]
fn an_uprising_parameter_leaves_the_years_before_the_offensive_untouched() {
    let (a, _) = korea(0.01, 3, &[]);
    let (b, _) = korea(0.01, 3, &["resistance.combat.armed_weight=0.05"]);
    let offensive = a
        .log
        .iter()
        .find(|e| e.kind == "final_offensive")
        .unwrap()
        .step as usize;
    assert!(offensive > 3000);
    assert!(
        a.rows[..offensive] == b.rows[..offensive],
        "the years before differ"
    );
    assert!(
        a.rows[offensive..] != b.rows[offensive..],
        "the offensive does not change"
    );
}

/// The same seed gives the same bits, run after run.
#[test]
fn the_teaching_scenario_is_reproducible() {
    let (a, oa) = run("two-valleys", &[]);
    let (b, ob) = run("two-valleys", &[]);
    assert_eq!(a, b);
    assert_eq!(oa, ob);
    assert!(a.log.iter().any(|e| e.kind == "base_founded"));
    assert!(a.log.iter().any(|e| e.kind == "organization_founded"));
}

fn problems(text: &str) -> Vec<(String, String)> {
    match Scenario::load(&Source::text("bad.toml", text), &[]) {
        Ok(_) => Vec::new(),
        Err(e) => e
            .problems
            .iter()
            .map(|p| {
                (
                    p.path.clone(),
                    format!("{} {}", p.message, p.help.clone().unwrap_or_default()),
                )
            })
            .collect(),
    }
}

const BASE: &str = r#"
name = "bad"
model = "resistance"
[time]
start = "1936-05-05"
steps = 100
[population.shares]
age = { child = 0.4, adult = 0.6 }
occupation = { peasant = 0.8, other = 0.2 }
[[regions]]
name = "north"
population = 100
neighbours = ["centre"]
[[regions]]
name = "centre"
population = 100
[[regions]]
name = "island"
population = 100
"#;

#[test]
fn a_region_the_plan_cannot_reach_is_an_error() {
    let text = format!(
        "{BASE}\n[[events]]\nstep = 10\nkind = \"final_offensive\"\nregions = [\"north\"]\nstrength = 100\n"
    );
    let p = problems(&text);
    assert!(
        p.iter().any(|(path, m)| path == "regions[2].neighbours"
            && m.contains("cannot reach region `island` from north")),
        "{p:?}"
    );
}

#[test]
fn an_organization_kind_no_one_is_eligible_for_is_an_error() {
    // There are no students anywhere.
    let text = format!("{BASE}\n[resistance]\n[[resistance.kinds]]\nname = \"students\"\noccupations = [\"student\"]\n");
    let p = problems(&text);
    assert!(
        p.iter().any(|(path, m)| path == "resistance.kinds[0]"
            && m.contains("no one is eligible for kind `students`")),
        "{p:?}"
    );
}

#[test]
fn a_timeline_event_before_the_start_is_an_error() {
    let text =
        format!("{BASE}\n[[events]]\ndate = \"1935-01-01\"\nkind = \"proclaim_programme\"\n");
    let p = problems(&text);
    assert!(
        p.iter()
            .any(|(path, m)| path == "events[0].date" && m.contains("before time.start")),
        "{p:?}"
    );
}

#[test]
fn events_and_parameters_are_checked_against_the_model() {
    let text = format!(
        "{BASE}\n[resistance.repression]\njail_min = 500.0\njail_max = 100.0\ndetekt = 1.0\n\
         [[events]]\nstep = 1\nkind = \"activate\"\ncount = 5\n\
         [[events]]\nstep = 2\nkind = \"appeal\"\nshare = 1.5\nfactor = 2.0\n"
    );
    let p = problems(&text);
    let has = |path: &str, what: &str| p.iter().any(|(q, m)| q == path && m.contains(what));
    assert!(
        has("resistance.repression.jail_max", "below jail_min"),
        "{p:?}"
    );
    assert!(
        has("resistance.repression.detekt", "did you mean `detection`"),
        "{p:?}"
    );
    assert!(
        has("events[0].kind", "not part of the `resistance` model"),
        "{p:?}"
    );
    assert!(has("events[1].share", "out of range"), "{p:?}");
    assert!(
        has("events[1].factor", "does not apply to a `appeal` event"),
        "{p:?}"
    );
}

/// The docs page lists every parameter of every group, with its default as in the code.
#[test]
fn the_docs_list_every_parameter_with_its_default() {
    let docs = include_str!("../../../../docs/models/resistance.md");
    for (table, params) in resistance::parameter_tables() {
        let heading = format!("#### `[{table}]`");
        let start = docs
            .find(&heading)
            .unwrap_or_else(|| panic!("docs miss the table {table}"));
        let section = &docs[start + heading.len()..];
        let section = &section[..section.find("####").unwrap_or(section.len())];
        for p in params {
            let row = format!("| `{}` |", p.name);
            let line = section.lines().find(|l| l.starts_with(&row));
            let line = line.unwrap_or_else(|| panic!("docs miss {table}.{}", p.name));
            assert!(
                line.contains(&format!("| {} |", p.default)),
                "{table}.{}: default {} not in `{line}`",
                p.name,
                p.default
            );
        }
    }
}

/// The resolved scenario (every default written out) runs again to the same results, and
/// resolving it again changes nothing.
#[test]
fn the_resolved_resistance_scenario_is_a_fixed_point_and_reruns_identically() {
    let s = load("two-valleys", &[]);
    let text = s.resolved_toml();
    let again = Scenario::load(&Source::text("resolved.toml", &text), &[]).unwrap();
    assert_eq!(again.resolved_toml(), text);
    let mut a = Recorder::default();
    let mut b = Recorder::default();
    Sim::new(s).run(&mut [&mut a]).unwrap();
    Sim::new(again).run(&mut [&mut b]).unwrap();
    assert_eq!(a, b);
}

/// The March First Movement of 1919, run with the parameters the model uses for 1945: the
/// record says the rising was contained (no collapse) after two months, with 553–7,509 killed.
/// The model meets these patterns (5 seeds at 1/10: 1,420–1,700 killed at full scale, held, a
/// rising below a tenth of its peak by 10 April). It misses participation, which the docs report
/// and this test does not hide: 3.1–3.4 million took part at full scale against the record's
/// 0.8–2 million (arrests, 17,000–17,700 against 46,948, are within a factor of three).
#[test]
fn the_1919_rising_is_contained_without_a_collapse_and_kills_as_the_record_does() {
    for seed in 1..=2 {
        let (rec, o) = run("korea-1919", &["scale=0.05".into(), format!("seed={seed}")]);
        assert_eq!(
            figure(&o, "collapse_step"),
            None,
            "seed {seed}: 1919 did not collapse"
        );
        assert_eq!(
            figure(&o, "held"),
            Some(1.0),
            "seed {seed}: the rising subsided"
        );
        let killed = figure(&o, "killed").unwrap() / 0.05;
        assert!(
            (553.0 / 3.0..=7509.0 * 3.0).contains(&killed),
            "seed {seed}: {killed} killed at full scale"
        );
        let ever = figure(&o, "ever_risen").unwrap();
        assert!(
            ever >= figure(&o, "peak_risen").unwrap(),
            "participants count everyone out"
        );
        assert!(rec.log.iter().any(|e| e.kind == "crowd_policing"));
    }
}

/// The teaching scenario retold as a nonviolent campaign: no final offensive, a call to rise and
/// a general strike from the same day. A rising of under a hundred of 6,000 people builds a
/// pressure of about 0.09 share-days with the strike call (0.03 without, at the end); against
/// a regime of resolve 0.08 the strike ends in a concession, said as such; without the strike
/// call, or against the default resolve, the same rising does not win it.
#[test]
fn a_general_strike_scenario_ends_in_a_concession_said_as_such() {
    let text = include_str!("../../../../scenarios/two-valleys.toml").replace(
        "kind = \"final_offensive\"\nregions = [\"north\"]\nstrength = 30",
        "kind = \"strike\"\ndays = 60",
    );
    assert!(text.contains("kind = \"strike\""));
    let go = |resolve: Option<f64>, strike: bool| {
        let mut sets = vec![];
        if let Some(r) = resolve {
            sets.push(Override::parse(&format!("resistance.concession.resolve={r}")).unwrap());
        }
        let body = if strike {
            text.clone()
        } else {
            text.replace(
                "kind = \"strike\"\ndays = 60",
                "kind = \"appeal\"\nshare = 0.0",
            )
        };
        let s = Scenario::load(&Source::text("strike.toml", &body), &sets).unwrap();
        let mut rec = Recorder::default();
        let o = Sim::new(s).run(&mut [&mut rec]).unwrap();
        (rec, o)
    };
    let (rec, o) = go(Some(0.08), true);
    assert_eq!(figure(&o, "conceded"), Some(1.0), "{}", o.sentence);
    assert!(
        o.sentence.starts_with("The regime conceded on 1938-"),
        "{}",
        o.sentence
    );
    assert!(
        !o.sentence.contains("offensive"),
        "no offensive in a nonviolent run: {}",
        o.sentence
    );
    assert!(rec.column("striking").unwrap().iter().any(|&v| v > 0.0));
    let (_, marched) = go(Some(0.08), false);
    let (_, resolute) = go(None, true);
    assert_eq!(
        figure(&resolute, "conceded"),
        Some(0.0),
        "{}",
        resolute.sentence
    );
    assert!(
        figure(&marched, "conceded") == Some(0.0)
            || figure(&marched, "concession_step") > figure(&o, "concession_step"),
        "the strike brings the concession sooner: {} / {}",
        marched.sentence,
        o.sentence
    );
}

/// Open organizations: the teaching scenario with every kind legal and public. While they are
/// legal nobody is arrested for belonging to one, and they grow larger than the same
/// organizations underground; banned on 5 May 1937, their members are known to the police and
/// the arrests begin at once.
#[test]
fn open_organizations_are_not_arrested_until_banned_and_then_are_known() {
    let kinds = [
        "party",
        "youth_league",
        "peasants",
        "women",
        "front",
        "children",
    ];
    let base = include_str!("../../../../scenarios/two-valleys.toml");
    let with = |extra: &str| {
        let mut text = base.to_string();
        for k in kinds {
            let line = format!("name = \"{k}\"\n");
            assert!(text.contains(&line), "{k}");
            text = text.replace(&line, &format!("{line}{extra}"));
        }
        let s = Scenario::load(&Source::text("open.toml", &text), &[]).unwrap();
        let mut rec = Recorder::default();
        Sim::new(s).run(&mut [&mut rec]).unwrap();
        rec
    };
    let ban = 365; // 1937-05-05, a year after the start.
                   // Arrests of people found in cells: all arrests less those out of crowds.
    let arrests_by = |rec: &Recorder, step: u32| {
        let i = rec.steps.iter().position(|&s| s >= step).unwrap();
        rec.column("arrests").unwrap()[i] - rec.column("crowd_arrests").unwrap()[i]
    };
    let organized_at = |rec: &Recorder, step: u32| {
        let i = rec.steps.iter().position(|&s| s >= step).unwrap();
        rec.column("organized").unwrap()[i]
    };
    let underground = with("");
    let legal = with("open = true\n");
    let banned = with("open = true\nbanned = \"1937-05-05\"\n");
    assert!(
        arrests_by(&underground, ban) > 0.0,
        "clandestine cells are found"
    );
    assert_eq!(
        arrests_by(&legal, *legal.steps.last().unwrap()),
        0.0,
        "nobody is arrested for belonging to a legal organization"
    );
    assert!(
        organized_at(&legal, ban) > organized_at(&underground, ban),
        "legal organizations grow unhindered: {} vs {}",
        organized_at(&legal, ban),
        organized_at(&underground, ban)
    );
    assert_eq!(arrests_by(&banned, ban - 1), 0.0);
    assert!(banned.log.iter().any(|e| e.kind == "organization_banned"));
    let after = arrests_by(&banned, ban + 60);
    assert!(after > 0.0, "banned, their members are arrested");
    assert!(
        after > arrests_by(&underground, ban + 60) - arrests_by(&underground, ban),
        "known members are found faster than clandestine ones: {after} in 60 days vs {}",
        arrests_by(&underground, ban + 60) - arrests_by(&underground, ban)
    );
}

/// A ban needs an open organization, and a date the scenario's calendar can place.
#[test]
fn a_ban_on_a_clandestine_kind_is_refused_where_it_is_written() {
    let text = include_str!("../../../../scenarios/two-valleys.toml").replace(
        "name = \"front\"\n",
        "name = \"front\"\nbanned = \"1937-05-05\"\n",
    );
    let e = Scenario::load(&Source::text("ban.toml", &text), &[])
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("banned") && e.contains("open organization") && e.contains("ban.toml:"),
        "{e}"
    );
}
