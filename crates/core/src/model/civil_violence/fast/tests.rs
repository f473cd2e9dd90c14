//! Fast mode's rules on hand-built lattices, and its agreement with faithful mode's storage.

use super::*;
use crate::model::civil_violence::CivilViolence;
use crate::model::Model;
use crate::scenario::{embedded, Override, Scenario, Source};
use crate::world::World;

fn load(source: &Source, extra: &[&str]) -> Scenario {
    let overrides: Vec<Override> = extra.iter().map(|a| Override::parse(a).unwrap()).collect();
    Scenario::load(source, &overrides).unwrap()
}

/// An empty `size × size` fast-mode lattice with the given settings (no agents).
fn model(size: u32, extra: &[&str]) -> CivilViolence {
    let text = format!(
        "name = \"tiny\"\nmodel = \"civil_violence\"\n[time]\nsteps = 10\n[civil_violence]\n\
         width = {size}\nheight = {size}\ncitizen_density = 0.0\ncop_density = 0.0\n\
         vision = 1.0\ncop_vision = 1.0\nmode = \"fast\"\n"
    );
    let s = load(&Source::text("tiny.toml", &text), extra);
    CivilViolence::new(&s, &World::default())
}

fn sites(m: &mut CivilViolence) -> &mut Sites {
    m.fast_sites().expect("fast mode")
}

/// Puts an agent on column x, row y; returns its site.
fn put(m: &mut CivilViolence, x: u32, y: u32, cop: bool, hardship: f64, risk: f64) -> u32 {
    let p = m.p.clone();
    let f = sites(m);
    let site = f.at(x, y);
    let mut s = Stream::new(1, purpose::DISPOSITION, 0, 0);
    let flags = if cop { OCCUPIED | COP } else { OCCUPIED };
    f.spawn(flags, hardship, site, &p, &mut s);
    f.disposition[site as usize] = Disposition::new(hardship, risk);
    site
}

#[test]
fn both_modes_place_the_same_agents() {
    // Exact placement (the paper's runs), per-site draws (Mesa's), Model II's groups.
    for (name, extra) in [
        ("epstein-run2", vec![]),
        ("mesa-civil-violence", vec![]),
        ("epstein-run7-genocide", vec![]),
        ("epstein-run2", vec!["civil_violence.width=100"]),
    ] {
        let source = embedded::source(name).unwrap();
        let mut fast_sets = extra.clone();
        fast_sets.push("civil_violence.mode=fast");
        let faithful = CivilViolence::new(&load(&source, &extra), &World::default());
        let mut fast = CivilViolence::new(&load(&source, &fast_sets), &World::default());
        assert!(fast.fast_sites().is_some() && faithful.faithful().is_some());
        assert_eq!(
            faithful.lattice().unwrap().cells,
            fast.lattice().unwrap().cells,
            "{name} {extra:?}: the same agents on the same sites"
        );
        let (a, b) = (faithful.counts(), fast.counts());
        assert_eq!((a.population, a.cops), (b.population, b.cops), "{name}");
        assert_eq!(faithful.agents(), fast.agents());
        // Same dispositions, rounded to single precision.
        let agents = faithful.agents();
        let w = faithful.p.width;
        let faithful = faithful.faithful().unwrap();
        let f = fast.fast_sites().unwrap();
        for i in 0..agents {
            let site = faithful.site[i];
            let at = f.at(site % w, site / w) as usize;
            if faithful.kind[i] == super::CITIZEN {
                let d = f.disposition[at];
                assert_eq!(d, Disposition::new(faithful.hardship[i], faithful.risk[i]));
                assert!((d.hardship() - faithful.hardship[i]).abs() <= 0.5 / 65_536.0);
                assert!((d.risk() - faithful.risk[i]).abs() <= 0.5 / 65_536.0);
            }
        }
    }
}

#[test]
fn perception_by_bits_equals_a_plain_count_with_wrap_around() {
    // 70 columns: rows are 128 sites apart in storage, so the layout's padding is exercised.
    // Prepared, interior sites count by 64-bit windows; a vision wider than a window (33:
    // rows of 67 sites) and an unprepared lattice count word by word.
    for (size, vision, prepared) in [(70, 7, true), (70, 7, false), (100, 33, true)] {
        perception_equals_a_plain_count(size, vision, prepared);
    }
}

fn perception_equals_a_plain_count(size: u32, vision: u32, prepared: bool) {
    let v = format!("civil_violence.vision={vision}");
    let cv = format!("civil_violence.cop_vision={vision}");
    let mut m = model(size, &[&v, &cv]);
    let mut s = Stream::new(3, purpose::PLACEMENT, 0, 0);
    for k in 0..size * size / 2 {
        let (x, y) = (s.below(size), s.below(size));
        let site = sites(&mut m).at(x, y);
        if sites(&mut m).is_open(site) {
            put(&mut m, x, y, k % 10 == 0, 1.0, 0.0);
            if k % 3 == 0 && k % 10 != 0 {
                sites(&mut m).set_active(site, true);
            }
        }
    }
    let r = m.rules();
    let mut f = Box::new(m.fast_ref().unwrap().clone());
    if prepared {
        f.prepare(&r);
        assert_eq!(f.windows.is_empty(), vision > 31);
    }
    for y in 0..size {
        for x in 0..size {
            let here = f.at(x, y);
            let (mut c, mut a) = (0, 0);
            for &(dx, dy) in r.vision.iter().chain(&[(0, 0)]) {
                let nx = (x as i32 + dx).rem_euclid(size as i32) as u32;
                let ny = (y as i32 + dy).rem_euclid(size as i32) as u32;
                let flags = f.flags[f.at(nx, ny) as usize];
                c += u32::from(flags & COP != 0);
                a += u32::from(flags & ACTIVE != 0);
            }
            let seen = f.cops_and_actives(here, r.spans);
            assert_eq!(seen, (c, a), "v {vision}, prepared {prepared}: ({x}, {y})");
            // Away from the edges, picking by windows finds what picking word by word does.
            let deep = (vision..size - vision).contains(&x) && (vision..size - vision).contains(&y);
            if prepared && deep {
                for (bits, spans) in [(&f.actives, r.cop_spans), (&f.open, r.spans)] {
                    let mut draws = Quick::new(u64::from(x), purpose::TURN, y, 0);
                    let by_words = f.pick(bits, here, spans, &mut draws.clone());
                    f.deep = true;
                    let by_windows = f.pick(bits, here, spans, &mut draws);
                    f.deep = false;
                    assert_eq!(by_windows, by_words, "v {vision}: ({x}, {y})");
                }
            }
        }
    }
}

#[test]
fn perception_counts_the_agent_itself_as_the_variant_says() {
    for (variant, quiet, active) in [("epstein2002", 1, 2), ("netlogo", 1, 2), ("mesa", 1, 2)] {
        // NetLogo's transparent jail is faithful mode's only; perception does not involve it.
        let mut m = model(
            5,
            &[
                &format!("civil_violence.variant={variant}"),
                "civil_violence.jailed=blocking",
            ],
        );
        let me = put(&mut m, 2, 2, false, 1.0, 0.0);
        let a = put(&mut m, 1, 2, false, 1.0, 0.0);
        put(&mut m, 2, 1, true, 0.0, 0.0);
        sites(&mut m).set_active(a, true);
        let r = m.rules();
        let f = m.fast_ref().unwrap();
        assert_eq!(f.perceive(me, &r), (1, quiet + 1), "{variant}: quiet");
        let mut m2 = m;
        sites(&mut m2).set_active(me, true);
        let r = m2.rules();
        let f = m2.fast_ref().unwrap();
        let expect = if variant == "netlogo" {
            active + 1
        } else {
            active
        };
        assert_eq!(f.perceive(me, &r), (1, expect), "{variant}: active");
    }
}

#[test]
fn movement_goes_only_to_empty_sites() {
    // In the interior (offsets as steps in site numbers) and on the edge (wrapping).
    for prepared in [true, false] {
        movement_goes_only_to_empty_sites_when(prepared);
    }
    // On the edge: (0, 0) has neighbours (4, 0), (1, 0), (0, 4), (0, 1); three taken.
    let mut m = model(5, &[]);
    let me = put(&mut m, 0, 0, false, 0.3, 0.4);
    for (x, y) in [(4, 0), (1, 0), (0, 1)] {
        put(&mut m, x, y, false, 0.0, 0.0);
    }
    let mut fast = Box::new(m.fast_ref().unwrap().clone());
    let r = m.rules();
    fast.prepare(&r);
    let to = fast.move_agent(me, false, &r, &mut Quick::new(3, purpose::TURN, 1, 0));
    assert_eq!(to, fast.at(0, 4), "across the edge of the torus");
}

fn movement_goes_only_to_empty_sites_when(prepared: bool) {
    // (2, 2) has four von Neumann neighbours; three are taken, so it must move to (3, 2).
    let mut m = model(5, &[]);
    let me = put(&mut m, 2, 2, false, 0.3, 0.4);
    for (x, y) in [(2, 1), (1, 2), (2, 3)] {
        put(&mut m, x, y, false, 0.0, 0.0);
    }
    let mut fast = Box::new(m.fast_ref().unwrap().clone());
    let r = m.rules();
    if prepared {
        fast.prepare(&r);
    }
    let mut s = Quick::new(1, purpose::TURN, 1, 0);
    let to = fast.move_agent(me, false, &r, &mut s);
    assert_eq!(to, fast.at(3, 2));
    assert!(fast.is_open(me) && !fast.is_open(to));
    assert_eq!(fast.disposition[to as usize], Disposition::new(0.3, 0.4));
    // Every neighbour of (3, 2) taken: it stays.
    for (x, y) in [(4, 2), (3, 1), (3, 3), (2, 2)] {
        let p = m.p.clone();
        let site = fast.at(x, y);
        fast.spawn(OCCUPIED, 0.0, site, &p, &mut s);
    }
    assert_eq!(fast.move_agent(to, false, &r, &mut s), to);
}

#[test]
fn a_cop_arrests_an_active_citizen_in_vision_and_jail_ends_in_release() {
    // Blocking jail, terms 0..=3, counted down at the end of a step.
    let mut m = model(
        5,
        &[
            "civil_violence.max_jail_term=3",
            "civil_violence.jail_range=inclusive",
            "civil_violence.jailed=blocking",
            "civil_violence.release=end_of_step",
        ],
    );
    let cop = put(&mut m, 2, 2, true, 0.0, 0.0);
    let quiet = put(&mut m, 2, 1, false, 0.0, 0.0);
    let rebel = put(&mut m, 3, 2, false, 1.0, 0.0);
    let far = put(&mut m, 0, 0, false, 1.0, 0.0);
    sites(&mut m).set_active(rebel, true);
    sites(&mut m).set_active(far, true);
    let mut f = Box::new(m.fast_ref().unwrap().clone());
    let r = m.rules();
    let mut tally = Tally::default();
    let mut s = Quick::new(7, purpose::TURN, 1, 0);
    f.arrest(cop, &r, &mut s, &mut tally);
    assert_eq!(tally.arrests, 1);
    let flags = |f: &Sites, at: u32| f.flags[at as usize];
    assert_eq!(
        flags(&f, rebel) & ACTIVE,
        0,
        "the arrested is no longer active"
    );
    assert_ne!(flags(&f, far) & ACTIVE, 0, "out of vision: not arrested");
    assert_eq!(flags(&f, quiet) & JAILED, 0);
    let term = f.jail[rebel as usize];
    assert!(term <= 3);
    if term > 0 {
        assert_ne!(flags(&f, rebel) & JAILED, 0);
        assert!(!f.is_open(rebel), "blocking: it stays on its site");
        for _ in 0..term {
            assert_ne!(flags(&f, rebel) & JAILED, 0);
            f.end_of_step_releases(&r, 1);
        }
    }
    assert_eq!(flags(&f, rebel) & JAILED, 0, "released after its term");
    assert_eq!(f.counts().jailed, [0, 0]);
}

#[test]
fn off_lattice_prisoners_free_their_site_and_return_to_it_if_empty() {
    let mut m = model(
        5,
        &[
            "civil_violence.jailed=off_lattice",
            "civil_violence.max_jail_term=5",
            "civil_violence.jail_range=exclusive",
        ],
    );
    let rebel = put(&mut m, 3, 2, false, 1.0, 0.25);
    let cop = put(&mut m, 2, 2, true, 0.0, 0.0);
    let mut f = Box::new(m.fast_ref().unwrap().clone());
    let r = m.rules();
    let mut tally = Tally::default();
    let mut seed = 0;
    while f.due.items().next().is_none() {
        f.set_active(rebel, true);
        f.arrest(
            cop,
            &r,
            &mut Quick::new(seed, purpose::TURN, 1, 0),
            &mut tally,
        );
        seed += 1;
    }
    assert!(f.is_open(rebel), "off the lattice");
    assert_eq!(f.counts().jailed, [1, 0]);
    for _ in 0..5 {
        f.end_of_step_releases(&r, 1);
    }
    assert!(f.due.items().next().is_none() && f.held == [0, 0]);
    assert!(!f.is_open(rebel), "back on its old site");
    let d = f.disposition[rebel as usize];
    assert_eq!(d, Disposition::new(1.0, 0.25), "with its dispositions");
    assert_eq!(f.counts().quiet, [1, 0]);
}

#[test]
fn everyone_has_exactly_one_turn_per_step_and_nobody_is_lost() {
    // 100 × 100 (four tiles and a part), crowded, movement on, no cops: every agent acts once
    // (its flag shows it), and the population is conserved.
    let source = embedded::source("epstein-run2").unwrap();
    let s = load(
        &source,
        &[
            "civil_violence.mode=fast",
            "civil_violence.width=100",
            "civil_violence.height=90",
            "civil_violence.cop_density=0.0",
            "civil_violence.citizen_density=0.8",
        ],
    );
    let mut m = CivilViolence::new(&s, &World::default());
    let before = m.counts().population;
    for step in 1..=5 {
        let mut f = Box::new(m.fast_ref().unwrap().clone());
        let parity = f.parity;
        f.step(&m.rules(), step);
        for (site, &flags) in f.flags.iter().enumerate() {
            if flags & OCCUPIED != 0 {
                assert_eq!(flags & ACTED, parity, "site {site} at step {step}");
            }
        }
        assert_ne!(f.parity, parity);
        *m.fast_sites().unwrap() = *f;
        assert_eq!(m.counts().population, before);
    }
}

#[test]
fn the_bit_sets_agree_with_the_flags_after_every_step() {
    // Run 2 on 300 × 200 (tiles away from the edges take the windowed paths), cops arresting,
    // citizens moving and turning active: every bit set says what the flags say.
    let source = embedded::source("epstein-run2").unwrap();
    let s = load(
        &source,
        &[
            "civil_violence.mode=fast",
            "civil_violence.width=300",
            "civil_violence.height=200",
        ],
    );
    let mut m = CivilViolence::new(&s, &World::default());
    let mut actives = 0;
    for step in 1..=8 {
        let mut f = Box::new(m.fast_ref().unwrap().clone());
        f.step(&m.rules(), step);
        for y in 0..200 {
            for x in 0..300 {
                let site = f.at(x, y);
                let flags = f.flags[site as usize];
                let bit = |v: &[u64], i: usize| v[i / 64] >> (i % 64) & 1 == 1;
                let cop = flags & COP != 0;
                let active = flags & ACTIVE != 0;
                let at = site as usize;
                assert_eq!(bit(&f.open, at), flags & OCCUPIED == 0, "({x}, {y})");
                assert_eq!(bit(&f.cops, at), cop, "({x}, {y})");
                assert_eq!(bit(&f.actives, at), active, "({x}, {y})");
                assert_eq!(bit(&f.seen, 2 * at), cop, "({x}, {y})");
                assert_eq!(bit(&f.seen, 2 * at + 1), active, "({x}, {y})");
                actives += u32::from(active);
            }
        }
        *m.fast_sites().unwrap() = *f;
    }
    assert!(actives > 0, "some turned active");
}

#[test]
fn the_wheel_gives_items_back_when_due_in_the_order_they_came() {
    let mut w = Wheel::default();
    for (steps, item) in [(2, 'a'), (0, 'b'), (2, 'c'), (1, 'd')] {
        w.push(steps, item);
    }
    let now = w.take_due();
    assert_eq!(now, ['b']);
    w.recycle(now);
    let next = w.take_due();
    assert_eq!(next, ['d']);
    w.recycle(next);
    // Filed now for now: after those already due.
    w.push(0, 'e');
    assert_eq!(w.items().copied().collect::<String>(), "ace");
    assert_eq!(w.take_due(), ['a', 'c', 'e']);
    assert!(w.take_due().is_empty());

    // Beyond the horizon (a billion-step term is the paper's "for ever"): held apart without
    // a slot per step, and back in its slot, ahead of later arrivals, when it comes near.
    let mut w = Wheel::default();
    w.push(1_000_000_000, 'z');
    w.push(1_500, 'f');
    assert_eq!(w.slots.len(), 0);
    for _ in 0..477 {
        assert!(w.take_due().is_empty());
    }
    assert_eq!(w.far.len(), 1, "f came within the horizon");
    w.push(1_023, 'd');
    for _ in 0..1_023 {
        assert!(w.take_due().is_empty());
    }
    assert_eq!(w.take_due(), ['f', 'd']);
    assert!(w.slots.len() <= 1_024);
    assert_eq!(w.items().copied().collect::<String>(), "z");
}

#[test]
fn jail_for_ever_keeps_the_wheel_small() {
    // Run 4 jails for up to a billion steps (the paper's "infinite" term): prisoners wait
    // beyond the wheel's horizon, which stays at most 1,024 slots (a slot per step of term
    // once asked for 20 GB).
    let source = embedded::source("epstein-run4-sudden").unwrap();
    let s = load(
        &source,
        &[
            "civil_violence.mode=fast",
            "civil_violence.snapshots=[]",
            // After Run 4's jump (the events are not run here).
            "civil_violence.legitimacy=0.7",
        ],
    );
    let mut m = CivilViolence::new(&s, &World::default());
    for step in 1..=100 {
        let mut f = Box::new(m.fast_ref().unwrap().clone());
        f.step(&m.rules(), step);
        *m.fast_sites().unwrap() = *f;
    }
    let f = m.fast_ref().unwrap();
    assert!(f.due.slots.len() <= 1_024, "{} slots", f.due.slots.len());
    assert!(
        !f.due.far.is_empty(),
        "some are jailed for longer than the horizon"
    );
    assert_eq!(f.held.iter().sum::<u64>() as usize, f.due.items().count());
}
