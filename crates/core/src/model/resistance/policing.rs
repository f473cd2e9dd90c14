//! Policing of crowds (step 6 of the day): besides detecting cells (`repression.rs`) and
//! firing on crowds (`forces.rs`), the police arrest people out in the streets and troops and
//! police disperse crowds without killing; and forces ordered against crowds of their own
//! people may stop obeying (`loyalty.rs`, called here for the crowds each force faced today).
//!
//! In a home region with U unarmed risen, police P and garrison T (persons), per day:
//! - **arrests**: crowd_arrest · P persons, at most the unarmed risen and the jail space left
//!   (`jail_capacity`, all regions together); each is detained for a term drawn between
//!   `crowd_jail_min` and `crowd_jail_max` days, adds to the region's fear and to their ties'
//!   grievance like any arrest;
//! - **dispersal**: dispersal · (T · garrison_weight + P · police_weight) persons sent home;
//! - **defection**: the forces facing these crowds may stop obeying, and some change sides
//!   (`loyalty.rs`): an occupier's army of loyalty 1 never does; a police drawn from the
//!   country's own people may, the more so the larger the crowds it faces.

use super::people::State;
use super::Resistance;
use crate::observe::LogEntry;
use crate::rng::Stream;
use crate::world::World;

impl Resistance {
    /// Persons the jails can still take (all regions together).
    pub(super) fn jail_room(&self) -> f64 {
        let jailed: u64 = self
            .state
            .regions
            .iter()
            .map(|g| g.count[State::Arrested as usize])
            .sum();
        self.fixed.params.policing.jail_capacity - jailed as f64
    }

    /// Policing of crowds, the day's sixth process.
    pub(super) fn policing(&mut self, step: u32, world: &World, log: &mut Vec<LogEntry>) {
        let p = self.fixed.params.policing.clone();
        let c = self.fixed.params.combat.clone();
        // The regime's prospects, as its forces see them this morning (`loyalty.rs`).
        let liberated = self.liberated_share();
        for r in 0..self.state.regions.len() {
            if self.state.regions[r].abroad || self.state.regions[r].risen.is_empty() {
                continue;
            }
            let armed = self.armed_share(r);
            let g = &self.state.regions[r];
            let unarmed = g.risen.len() as f64 * (1.0 - armed);
            let ruling = g.ruling_strength(&c);
            if unarmed < 1.0 || g.garrison + g.police <= 0.0 {
                continue;
            }
            let mut s = Stream::new(self.fixed.seed, super::purpose::POLICING, step, r as u32);
            let room = self.jail_room().max(0.0);
            let wanted = Self::whole(p.crowd_arrest * g.police * self.fixed.dt, s.uniform());
            let arrests = (wanted as f64).min(unarmed.floor()).min(room.floor()) as u64;
            for _ in 0..arrests {
                let Some(i) = self.take_risen(r, &mut s) else {
                    break;
                };
                self.arrest_for(i, step, p.crowd_jail_min, p.crowd_jail_max, world);
                self.state.regions[r].crowd_arrests += 1;
            }
            let left = (unarmed - arrests as f64).max(0.0);
            let dispersed = (Self::whole(p.dispersal * ruling * self.fixed.dt, s.uniform()) as f64)
                .min(left) as u64;
            for _ in 0..dispersed {
                let Some(i) = self.take_risen(r, &mut s) else {
                    break;
                };
                self.go_home(i, world);
            }
            let defected = super::loyalty::day(
                &self.fixed.params.loyalty,
                self.fixed.dt,
                &mut self.state.regions[r],
                unarmed,
                liberated,
            );
            if arrests + dispersed > 0 || defected >= 0.5 {
                log.push(LogEntry {
                    step,
                    kind: "crowd_policing".into(),
                    region: Some(r as u16),
                    count: arrests,
                    detail: format!(
                        "police arrest {arrests} and disperse {dispersed} of the crowds in {}{}",
                        self.fixed.names[r],
                        if defected >= 0.5 {
                            format!("; {defected:.0} troops and police stop obeying")
                        } else {
                            String::new()
                        }
                    ),
                });
            }
        }
    }
}
