//! Concession (step 10 of the day): the regime yields to the movement's demands when sustained
//! mobilization costs it more than its resolve.
//!
//! A regime can fall to force (liberation, `control.rs`), to its forces' ceasing to obey
//! (defection, `policing.rs`), or yield: nonviolent campaigns mostly win this way, by making
//! the status quo too costly to keep (Chenoweth and Stephan 2011). The cost here is the
//! people out in the streets as a share of the home population, each day; a person out in a
//! region under a strike call (`strike` event) also withdraws labour and counts
//! `strike_weight` times. The pressure on the regime is that cost summed over days, each
//! past day's weight fading by `forgetting` a day (a movement must sustain its pressure):
//!
//! P(t) = P(t − 1) × (1 − forgetting)^dt + cost(t) × dt,
//!
//! and the regime concedes on the first day P reaches `resolve` (share-days), unless it has
//! already collapsed. By default `resolve` is never reached: a scenario that lets a regime
//! concede says how resolute it is.

use super::control::Course;
use super::params::ConcessionParams;
use super::people::State;
use super::regions::RegionState;
use crate::observe::LogEntry;

/// Today's cost to the regime, in shares of the home population (people out, strikers
/// counted `strike_weight` times), and the people out under a strike call (persons).
pub(super) fn cost(p: &ConcessionParams, step: u32, regions: &[RegionState]) -> (f64, f64) {
    let (mut out, mut striking, mut home) = (0.0, 0.0, 0.0);
    for g in regions.iter().filter(|g| !g.abroad) {
        home += f64::from(g.population);
        let risen = g.count[State::Risen as usize] as f64;
        if g.strike.at(step, 0.0) > 0.0 {
            striking += risen;
            out += risen * p.strike_weight;
        } else {
            out += risen;
        }
    }
    (if home > 0.0 { out / home } else { 0.0 }, striking)
}

/// Adds today's cost to the pressure and lets the regime concede when it reaches its resolve.
pub(super) fn concession(
    p: &ConcessionParams,
    dt: f64,
    step: u32,
    regions: &[RegionState],
    course: &mut Course,
    log: &mut Vec<LogEntry>,
) {
    let (today, striking) = cost(p, step, regions);
    course.striking = striking;
    course.pressure = course.pressure * (1.0 - p.forgetting).powf(dt) + today * dt;
    if course.conceded.is_none() && course.collapse.is_none() && course.pressure >= p.resolve {
        course.conceded = Some(step);
        log.push(LogEntry {
            step,
            kind: "concession".into(),
            region: None,
            count: 0,
            detail: format!(
                "the regime yields to the movement's demands (pressure {:.2} share-days against a resolve of {})",
                course.pressure, p.resolve
            ),
        });
    }
}
