//! Rules on tiny hand-built lattices.

use super::*;
use crate::model::civil_violence::CivilViolence;
use crate::model::Model;
use crate::scenario::{Override, Scenario, Source};
use crate::world::World;

/// An empty `size × size` lattice with the given `[civil_violence]` settings (no agents).
fn model(size: u32, extra: &[&str]) -> Faithful {
    let text = format!(
        "name = \"tiny\"\nmodel = \"civil_violence\"\n[time]\nsteps = 10\n[civil_violence]\n\
         width = {size}\nheight = {size}\ncitizen_density = 0.0\ncop_density = 0.0\n\
         vision = 1.0\ncop_vision = 1.0\n"
    );
    let overrides: Vec<Override> = extra.iter().map(|a| Override::parse(a).unwrap()).collect();
    let s = Scenario::load(&Source::text("tiny.toml", &text), &overrides).unwrap();
    let mut m = CivilViolence::new(&s, &World::default());
    let mut log = Vec::new();
    m.start(&World::default(), &mut log);
    m.into_faithful()
}

fn at(m: &Faithful, x: u32, y: u32) -> u32 {
    y * m.lattice.width + x
}

fn citizen(m: &mut Faithful, x: u32, y: u32, hardship: f64, risk: f64) -> u32 {
    let site = at(m, x, y);
    let mut s = Stream::new(1, purpose::DISPOSITION, 0, 0);
    let i = m.spawn(CITIZEN, 0, hardship, site, &mut s);
    m.risk[i as usize] = risk;
    i
}

fn cop(m: &mut Faithful, x: u32, y: u32) -> u32 {
    let site = at(m, x, y);
    let mut s = Stream::new(1, purpose::DISPOSITION, 0, 0);
    m.spawn(COP, 0, 0.0, site, &mut s)
}

#[test]
fn perception_counts_cops_and_actives_in_vision_and_the_agent_once() {
    // Von Neumann radius 1 around (2, 2): sites (2,1), (1,2), (3,2), (2,3).
    let mut m = model(5, &["civil_violence.variant=epstein2002"]);
    let me = citizen(&mut m, 2, 2, 1.0, 0.0);
    cop(&mut m, 2, 1);
    let a = citizen(&mut m, 1, 2, 1.0, 0.0);
    let far = citizen(&mut m, 0, 0, 1.0, 0.0);
    m.set_active(a, true);
    m.set_active(far, true);
    assert_eq!(
        m.perceive(me),
        (1, 2),
        "one cop; A = 1 (self) + 1 active neighbour"
    );
    // Active itself: still counted once.
    m.set_active(me, true);
    assert_eq!(m.perceive(me), (1, 2));
}

#[test]
fn netlogo_counts_an_active_agent_twice() {
    let mut m = model(5, &["civil_violence.variant=netlogo"]);
    let me = citizen(&mut m, 2, 2, 1.0, 0.0);
    assert_eq!(m.perceive(me).1, 1);
    m.set_active(me, true);
    assert_eq!(m.perceive(me).1, 2, "1 + itself on its own patch");
}

#[test]
fn activation_follows_rule_a_with_the_ratio_rule() {
    // C = 1, A = 2 (self and one active): literal P = 1 − e^−1.15 = 0.683; round and floor
    // give P = 0. Hardship 1, L = 0.82: G = 0.18; risk 0.2 makes N = 0.137 (literal) or 0.
    for (rule, active) in [
        ("literal", false),
        ("round_half_even", true),
        ("floor", true),
    ] {
        let mut m = model(
            5,
            &[
                &format!("civil_violence.ratio={rule}"),
                "civil_violence.legitimacy=0.82",
            ],
        );
        let me = citizen(&mut m, 2, 2, 1.0, 0.2);
        cop(&mut m, 2, 1);
        let other = citizen(&mut m, 1, 2, 1.0, 0.0);
        m.set_active(other, true);
        let mut s = Stream::new(1, purpose::TURN, 1, me);
        m.decide(me, &mut s);
        assert_eq!(m.active[me as usize], active, "{rule}");
    }
}

#[test]
fn movement_goes_only_to_empty_sites() {
    // (2, 2) has four von Neumann neighbours; three are taken, so it must move to (3, 2).
    let mut m = model(5, &[]);
    let me = citizen(&mut m, 2, 2, 0.0, 0.0);
    citizen(&mut m, 2, 1, 0.0, 0.0);
    citizen(&mut m, 1, 2, 0.0, 0.0);
    citizen(&mut m, 2, 3, 0.0, 0.0);
    let mut s = Stream::new(1, purpose::TURN, 1, me);
    m.move_agent(me, false, &mut s);
    assert_eq!(m.site[me as usize], at(&m, 3, 2));
    // Now every neighbour of (3, 2) but (2, 2) is free... fill them all: it stays put.
    citizen(&mut m, 4, 2, 0.0, 0.0);
    citizen(&mut m, 3, 1, 0.0, 0.0);
    citizen(&mut m, 3, 3, 0.0, 0.0);
    citizen(&mut m, 2, 2, 0.0, 0.0);
    m.move_agent(me, false, &mut s);
    assert_eq!(m.site[me as usize], at(&m, 3, 2));
}

#[test]
fn a_cop_arrests_an_active_citizen_in_vision_and_jail_ends_in_release() {
    // Mesa-like jail: terms 0..=3, prisoners block their sites, count down at the end of a step.
    let mut m = model(
        5,
        &[
            "civil_violence.max_jail_term=3",
            "civil_violence.jail_range=inclusive",
            "civil_violence.jailed=blocking",
            "civil_violence.release=end_of_step",
        ],
    );
    let c = cop(&mut m, 2, 2);
    let quiet = citizen(&mut m, 2, 1, 0.0, 0.0);
    let rebel = citizen(&mut m, 3, 2, 1.0, 0.0);
    let far = citizen(&mut m, 0, 0, 1.0, 0.0);
    m.set_active(rebel, true);
    m.set_active(far, true);
    let mut s = Stream::new(7, purpose::TURN, 1, c);
    m.arrest(c, &mut s);
    assert!(
        !m.active[rebel as usize],
        "the arrested is no longer active"
    );
    assert!(m.active[far as usize], "out of vision: not arrested");
    assert!(!m.jailed[quiet as usize]);
    let term = m.jail[rebel as usize];
    assert!(term <= 3);
    if term > 0 {
        assert!(m.jailed[rebel as usize]);
        assert_eq!(
            m.lattice.occupied[at(&m, 3, 2) as usize],
            1,
            "blocking: it stays on its site"
        );
        assert_eq!(m.lattice.free[at(&m, 3, 2) as usize], 0);
        for _ in 0..term {
            assert!(m.jailed[rebel as usize]);
            m.end_of_step_releases();
        }
    }
    assert!(!m.jailed[rebel as usize], "released after its term");
    assert_eq!(m.lattice.free[at(&m, 3, 2) as usize], 1);
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
    let rebel = citizen(&mut m, 3, 2, 1.0, 0.0);
    let c = cop(&mut m, 2, 2);
    m.set_active(rebel, true);
    // Draw until a positive term (exclusive range 0..4).
    let mut seed = 0;
    loop {
        let mut s = Stream::new(seed, purpose::TURN, 1, c);
        m.set_active(rebel, true);
        m.arrest(c, &mut s);
        if m.jailed[rebel as usize] {
            break;
        }
        seed += 1;
    }
    assert_eq!(m.site[rebel as usize], NONE, "off the lattice");
    assert!(m.empty(at(&m, 3, 2)));
    for _ in 0..5 {
        m.end_of_step_releases();
    }
    assert!(!m.jailed[rebel as usize]);
    assert_eq!(m.site[rebel as usize], at(&m, 3, 2), "back on its old site");
}

#[test]
fn transparent_prisoners_leave_their_site_open_to_movers() {
    let mut m = model(
        5,
        &[
            "civil_violence.jailed=transparent",
            "civil_violence.max_jail_term=100",
        ],
    );
    let rebel = citizen(&mut m, 3, 2, 1.0, 0.0);
    let c = cop(&mut m, 2, 2);
    let mut seed = 0;
    loop {
        let mut s = Stream::new(seed, purpose::TURN, 1, c);
        m.set_active(rebel, true);
        m.arrest(c, &mut s);
        if m.jailed[rebel as usize] {
            break;
        }
        seed += 1;
    }
    assert_eq!(m.site[rebel as usize], at(&m, 3, 2));
    assert!(m.empty(at(&m, 3, 2)), "its patch counts as empty");
}

#[test]
fn the_lattice_bits_agree_with_the_counters() {
    // 70 wide: perception counts the bit sets word by word, wrapping; 40 wide (Mesa's): through
    // the halo rows, which must follow every change, moves and deactivations included.
    for (size, halo) in [(70, 0), (40, 7)] {
        lattice_bits_agree_with_the_counters(size, halo);
    }
}

fn lattice_bits_agree_with_the_counters(size: u32, halo: u32) {
    let mut m = model(
        size,
        &["civil_violence.vision=7", "civil_violence.cop_vision=7"],
    );
    assert_eq!(m.lattice.halo, halo);
    let mut s = Stream::new(3, purpose::PLACEMENT, 0, 0);
    for k in 0..size * size * 2 / 5 {
        let x = s.below(size);
        let y = s.below(size);
        if m.empty(at(&m, x, y)) {
            let i = if k % 10 == 0 {
                cop(&mut m, x, y)
            } else {
                citizen(&mut m, x, y, 1.0, 0.0)
            };
            if k % 3 == 0 {
                m.set_active(i, m.kind[i as usize] == CITIZEN);
            }
        }
    }
    // Some move (to a random empty site) and some quiet down.
    for i in (0..m.agents() as u32).step_by(3) {
        let t = at(&m, s.below(size), s.below(size));
        if m.empty(t) {
            m.take(i);
            m.put(i, t);
        }
        if i % 2 == 0 && m.kind[i as usize] == CITIZEN {
            m.set_active(i, false);
        }
    }
    // Perception by bits equals a plain count over the offsets.
    for i in 0..m.agents() as u32 {
        if m.kind[i as usize] != CITIZEN {
            continue;
        }
        let here = m.site[i as usize];
        let (mut c, mut a) = (0, 0);
        for &(dx, dy) in &m.t.vision {
            let n = m.lattice.shift(here, dx, dy) as usize;
            c += u32::from(m.lattice.cops[n]);
            a += u32::from(m.lattice.actives[n]);
        }
        assert_eq!(m.perceive(i), (c, 1 + a), "agent {i}");
    }
}
