//! Loyalty of the ruling side's forces (part of step 6 of the day, after the policing of
//! crowds; and after each volley of the fire on crowds in step 5): how troops and police
//! ordered against their own people come to stop obeying, and some to change sides.
//!
//! Each force f of a region (garrison, police) has a *loyal share* ℓ_f, which starts at the
//! scenario's loyalty L_f (`[resistance.loyalty]`). The part 1 − ℓ_f may stop obeying:
//!
//! - **defection**: each day a share defection · (1 − ℓ_f) · U / (U + crowd_ratio · F) of the
//!   force stops obeying, with U the unarmed risen it faces and F the region's troops and
//!   police: it leaves the ruling side's strength and fights no more (`defected`).
//! - **joining**: of those who stop obeying, a share `join` take their arms to the other side
//!   (`turned`): they fight in the region's battles beside the armed risen, with the weight of
//!   the force they came from, and count against the ruling side's control.
//!
//! The loyal share is worn down by three causes, each scaled by 1 − L_f: a force drawn from
//! the country's own people (low L) is worn down, an occupier's army far from home (L = 1)
//! is not. Per day, ℓ_f is multiplied by
//!
//!   exp(−(1 − L_f) · (ties · R/N + prospects · Λ) · dt)
//!
//! with R/N the share of the region's people out in the rising (their relatives and
//! neighbours are in the crowds) and Λ the share of the home population in liberated
//! regions (the regime's prospects); and each volley of fire on crowds multiplies it by
//! exp(−(1 − L_f) · fire_erosion · k / F), k the unarmed people killed, F the forces that
//! fired (orders to shoot one's own people). Nothing restores it within a run.
//!
//! By default no cause wears loyalty down and nobody changes sides: no record fixes these
//! rates for Korea, and the record of 1919 bounds them from above (no mass defection in two
//! months of crowds and fire; `docs/models/resistance.md`).

use super::params::{CombatParams, LoyaltyParams};
use super::people::State;
use super::regions::RegionState;

/// The forces of a region, in the order of [`RegionState::loyalty`] and
/// [`RegionState::turned`].
pub const FORCES: [&str; 2] = ["garrison", "police"];

/// The scenario's loyalty of each force, in the order of [`FORCES`].
pub(super) fn base(l: &LoyaltyParams) -> [f64; 2] {
    [l.garrison, l.police]
}

/// Persons of each force in region `g`, in the order of [`FORCES`].
fn members(g: &RegionState) -> [f64; 2] {
    [g.garrison, g.police]
}

/// Multiplies each force's loyal share by exp(−(1 − L_f) · wear), `wear` ≥ 0.
fn wear_down(l: &LoyaltyParams, g: &mut RegionState, wear: f64) {
    if wear <= 0.0 {
        return;
    }
    for (loyal, base) in g.loyalty.iter_mut().zip(base(l)) {
        *loyal *= (-(1.0 - base) * wear).exp();
    }
}

/// The forces of `g` have fired on crowds and killed `killed` unarmed people: each force's
/// loyal share is worn down by fire_erosion · killed / (troops and police).
pub(super) fn after_fire(l: &LoyaltyParams, g: &mut RegionState, killed: f64) {
    let forces = g.garrison + g.police;
    if forces > 0.0 && l.fire_erosion > 0.0 {
        wear_down(l, g, l.fire_erosion * killed / forces);
    }
}

/// A day of loyalty in region `g`, whose forces faced `unarmed` unarmed risen today, with
/// `liberated` the share of the home population in liberated regions: the loyal share is worn
/// down by ties and prospects, then part of the disloyal share stops obeying and part of those
/// join the other side. Returns the persons who stopped obeying today.
pub(super) fn day(
    l: &LoyaltyParams,
    dt: f64,
    g: &mut RegionState,
    unarmed: f64,
    liberated: f64,
) -> f64 {
    let out = if g.population > 0 {
        g.count[State::Risen as usize] as f64 / f64::from(g.population)
    } else {
        0.0
    };
    wear_down(l, g, (l.ties * out + l.prospects * liberated) * dt);
    let forces = g.garrison + g.police;
    if forces <= 0.0 || l.defection <= 0.0 {
        return 0.0;
    }
    let pressure = unarmed / (unarmed + l.crowd_ratio * forces);
    let mut gone = [0.0; 2];
    for (f, n) in members(g).into_iter().enumerate() {
        gone[f] = n * (l.defection * (1.0 - g.loyalty[f]) * pressure * dt).min(1.0);
    }
    g.garrison -= gone[0];
    g.police -= gone[1];
    for (turned, gone) in g.turned.iter_mut().zip(gone) {
        *turned += l.join * gone;
    }
    g.defected += gone[0] + gone[1];
    gone[0] + gone[1]
}

/// The fighting strength of the defectors who joined the rebels in `g` (effective fighters:
/// each with the weight of the force they came from).
pub(super) fn turned_strength(c: &CombatParams, g: &RegionState) -> f64 {
    g.turned[0] * c.garrison_weight + g.turned[1] * c.police_weight
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> LoyaltyParams {
        LoyaltyParams {
            garrison: 1.0,
            police: 0.5,
            defection: 0.1,
            crowd_ratio: 10.0,
            fire_erosion: 0.0,
            ties: 0.0,
            prospects: 0.0,
            join: 0.0,
        }
    }

    /// A region of 10,000 persons held by 1,000 troops and 1,000 police.
    fn region(l: &LoyaltyParams) -> RegionState {
        let r = crate::scenario::Region {
            name: "r".into(),
            label: "r".into(),
            population: 10_000,
            area_km2: None,
            position: None,
            neighbours: Vec::new(),
            shares: crate::scenario::Shares {
                age: [0.3, 0.3, 0.4],
                sex: [0.5, 0.5],
                occupation: [0.7, 0.1, 0.1, 0.1],
            },
            fields: vec![
                ("garrison", 1000.0),
                ("police", 1000.0),
                ("control", 1.0),
                ("mountain_share", 0.0),
            ],
            abroad: false,
        };
        let mut g = RegionState::new(&r, 1);
        g.loyalty = base(l);
        g
    }

    #[test]
    fn an_occupiers_army_of_loyalty_one_never_defects_nor_is_worn_down() {
        let l = LoyaltyParams {
            fire_erosion: 100.0,
            ties: 100.0,
            prospects: 100.0,
            ..params()
        };
        let mut g = region(&l);
        g.count[State::Risen as usize] = 5000;
        after_fire(&l, &mut g, 2000.0);
        for _ in 0..100 {
            day(&l, 1.0, &mut g, 100_000.0, 1.0);
        }
        assert_eq!(g.loyalty[0], 1.0);
        assert_eq!(g.garrison, 1000.0);
        assert!(g.police < 1000.0);
    }

    #[test]
    fn fire_on_crowds_wears_down_the_loyalty_of_a_force_drawn_from_the_people() {
        let quiet = params();
        let harsh = LoyaltyParams {
            fire_erosion: 1.0,
            ..params()
        };
        let (mut a, mut b) = (region(&quiet), region(&harsh));
        after_fire(&quiet, &mut a, 2000.0);
        after_fire(&harsh, &mut b, 2000.0);
        assert_eq!(a.loyalty[1], 0.5);
        // exp(−0.5 · 1 · 2000 / 2000) of 0.5.
        assert!((b.loyalty[1] - 0.5 * (-0.5f64).exp()).abs() < 1e-12);
        let (da, db) = (
            day(&quiet, 1.0, &mut a, 10_000.0, 0.0),
            day(&harsh, 1.0, &mut b, 10_000.0, 0.0),
        );
        assert!(db > da, "worn-down police defect more: {db} vs {da}");
    }

    #[test]
    fn ties_to_the_risen_and_lost_ground_wear_loyalty_down_day_by_day() {
        let l = LoyaltyParams {
            ties: 0.5,
            prospects: 0.2,
            ..params()
        };
        let mut g = region(&l);
        g.population = 10_000;
        g.count[State::Risen as usize] = 2_000;
        day(&l, 1.0, &mut g, 0.0, 0.5);
        let want = 0.5 * (-(0.5) * (0.5 * 0.2 + 0.2 * 0.5f64)).exp();
        assert!((g.loyalty[1] - want).abs() < 1e-12, "{}", g.loyalty[1]);
        // Nobody out and nothing liberated: nothing wears it down.
        let mut h = region(&l);
        h.population = 10_000;
        day(&l, 1.0, &mut h, 0.0, 0.0);
        assert_eq!(h.loyalty[1], 0.5);
    }

    #[test]
    fn those_who_join_the_other_side_are_a_share_of_those_who_stop_obeying() {
        let l = LoyaltyParams {
            join: 0.25,
            ..params()
        };
        let mut g = region(&l);
        let gone = day(&l, 1.0, &mut g, 20_000.0, 0.0);
        assert!(gone > 0.0);
        assert_eq!(g.turned[0], 0.0, "the garrison is loyal");
        assert!((g.turned[1] - 0.25 * gone).abs() < 1e-9);
        assert!((g.garrison + g.police + g.defected - 2000.0).abs() < 1e-9);
    }
}
