//! Contributions (step 2 of the day): money, provisions, skill and wisdom by occupation,
//! flowing up the hierarchy to the nearest base, where money and skill become strategic
//! materials (arms units) and provisions feed the fighters.
//!
//! Everything here is per region and per occupation, from counts kept by every change of
//! state, so the cost per day does not depend on the population.

use super::control::Course;
use super::params::ContributionParams;
use super::people::State;
use super::regions::RegionState;

/// Contributions for one day of `dt` days: members and sympathizers give by occupation
/// (`c`), pools flow toward the nearest base, bases turn money and skill into arms and feed
/// their fighters. Nothing flows before the programme is proclaimed, or without
/// organizations (`organizations = false`).
pub(super) fn contributions(
    c: &ContributionParams,
    organizations: bool,
    dt: f64,
    course: &Course,
    regions: &mut [RegionState],
) {
    if !course.programme || !organizations {
        return;
    }
    // rates[occupation][resource], per member per day.
    let rates = [
        [c.money_peasant, c.provisions_peasant, c.skill_peasant, 0.0],
        [c.money_worker, 0.0, c.skill_worker, 0.0],
        [0.0, 0.0, 0.0, c.wisdom_student],
        [c.money_other, c.provisions_other, 0.0, c.wisdom_other],
    ];
    let flow = 1.0 - (1.0 - c.flow_to_base).powf(dt);
    for r in 0..regions.len() {
        let g = &mut regions[r];
        for (o, rate) in rates.iter().enumerate() {
            let givers =
                g.by_occupation[0][o] as f64 + c.sympathizer_share * g.by_occupation[1][o] as f64;
            for (k, v) in rate.iter().enumerate() {
                g.pool[k] += givers * v * dt;
            }
        }
        // Up the hierarchy to the nearest base.
        if let Some(b) = g.nearest_base.filter(|&b| b as usize != r) {
            let moved: [f64; 4] = std::array::from_fn(|k| g.pool[k] * flow);
            for (k, m) in moved.iter().enumerate() {
                g.pool[k] -= m;
            }
            let base = &mut regions[b as usize];
            for (k, m) in moved.iter().enumerate() {
                base.pool[k] += m;
            }
        }
    }
    // At bases: arms from money and skill; rations for the fighters.
    for g in regions.iter_mut().filter(|g| g.base) {
        let by_money = g.pool[0] / c.money_per_arm;
        let by_skill = if c.skill_per_arm > 0.0 {
            g.pool[2] / c.skill_per_arm
        } else {
            f64::INFINITY
        };
        let arms = by_money.min(by_skill).floor().max(0.0);
        if arms > 0.0 {
            g.pool[0] = (g.pool[0] - arms * c.money_per_arm).max(0.0);
            if c.skill_per_arm > 0.0 {
                g.pool[2] = (g.pool[2] - arms * c.skill_per_arm).max(0.0);
            }
            g.materials += arms;
        }
        let need = g.count[State::Fighter as usize] as f64 * c.provisions_per_fighter * dt;
        g.pool[1] = (g.pool[1] - need).max(0.0);
    }
}
