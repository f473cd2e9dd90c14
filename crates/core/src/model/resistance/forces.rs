//! Forces and combat (step 5 of the day): raids of small units, the operations plan of
//! the final offensive, battles by Lanchester's square law (aimed fire), and the ruling
//! side's fire on unarmed crowds.
//!
//! Battles are fought by those who carry arms. In a region, the armed rebels' effective
//! strength is
//!   A = Σ columns × weight + fighters × fighter_weight (once the region has risen)
//!       + turned + risen × a × armed_weight,
//! with a the share of the risen that the strategic materials can arm, turned the troops and
//! police who joined the rebels (weighted as the force they came from, `loyalty.rs`), and the
//! ruling side's
//!   G = garrison × garrison_weight + police × police_weight.
//! Each day dG/dt = −fire·A and dA/dt = −fire·G, integrated in small steps; each side's
//! losses fall on its components in proportion to their strength. Casualties among people
//! (fighters, the armed risen) are drawn from the region's lists and die.
//!
//! The unarmed risen fight no battle: aimed fire needs arms. The ruling side fires on them
//! (`suppression` killed per effective ruling fighter per day, of the order of the March
//! First Movement of 1919), and they weigh on its control (step 7) by their numbers.

use super::ops::Strengths;
use super::people::State;
use super::regions::killed;
use super::Resistance;
use crate::observe::LogEntry;
use crate::rng::{Purpose, Stream};
use crate::world::World;

/// The armed forces in the field, and where the ruling side still fights.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Forces {
    /// Armed columns in the field.
    pub columns: Vec<Column>,
    /// Regions where the ruling side fights on after the collapse, and the step until which
    /// it does (a surrender's fronts).
    pub fronts: Vec<(u16, u32)>,
    /// The ruling side's forces have laid down their arms (everywhere but the fronts).
    pub laid_down: bool,
    /// Whether an armed force stood in each region last step.
    pub armed_last: Vec<bool>,
}

/// Whose column it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Side {
    /// The main force of the resistance (the KPRA in the source).
    Main,
    /// An outside army (the Soviet 1st Far Eastern Front in the mainstream account).
    External,
}

/// An armed column.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Column {
    /// Whose.
    pub side: Side,
    /// Region where it stands or to which it is marching.
    pub region: u16,
    /// Persons.
    pub strength: f64,
    /// Under the operations plan (moves on); a column waiting abroad is not.
    pub ordered: bool,
    /// Step from which it stands in `region` (it is marching before that).
    pub arrives: u32,
    /// Arms units it carries for the risen (the strategic materials of the bases abroad,
    /// taken along at the final offensive).
    pub arms: f64,
}

impl Column {
    /// A column standing in `region` now.
    pub fn new(side: Side, region: u16, strength: f64, ordered: bool) -> Column {
        Column {
            side,
            region,
            strength,
            ordered,
            arrives: 0,
            arms: 0.0,
        }
    }
}

/// Sub-steps per day of the Lanchester integration.
const SUBSTEPS: u32 = 24;

/// Lanchester's square law: two effective strengths fight for `days`; returns what is left
/// of each. Integrated with small explicit steps; both sides stop at zero.
pub fn lanchester(mut a: f64, mut b: f64, fire: f64, days: f64) -> (f64, f64) {
    let n = (SUBSTEPS as f64 * days).ceil().max(1.0) as u32;
    let h = days / f64::from(n);
    for _ in 0..n {
        if a <= 0.0 || b <= 0.0 {
            break;
        }
        let da = fire * b * h;
        let db = fire * a * h;
        a = (a - da).max(0.0);
        b = (b - db).max(0.0);
    }
    (a, b)
}

impl Resistance {
    /// Forces and combat, the day's fifth process: raids, movement, then in each home region
    /// a battle between the armed sides and the ruling side's fire on the unarmed crowds.
    pub(super) fn forces(&mut self, step: u32, world: &World, log: &mut Vec<LogEntry>) {
        self.raids(step, world, log);
        self.march(step, log);
        self.hand_out_arms(step, log);
        for r in 0..self.state.regions.len() {
            // Abroad, only punitive expeditions fight (a timeline event).
            if self.state.regions[r].abroad {
                continue;
            }
            let mut s = Stream::new(self.fixed.seed, Purpose::COMBAT, step, r as u32);
            let armed = self.armed_share(r);
            let strengths = self.strengths(r, step);
            if strengths.ruling > 0.0 && strengths.armed > 0.0 {
                self.battle(r, step, strengths, armed, &mut s, world, log);
            }
            self.suppress(r, step, armed, &mut s, world, log);
        }
        self.state
            .forces
            .columns
            .retain(|k| k.strength >= 0.5 || !k.ordered);
    }

    /// A day of battle in region `r` between the ruling side and the armed rebels
    /// (Lanchester's square law); unarmed crowds take no part.
    #[allow(clippy::too_many_arguments)]
    fn battle(
        &mut self,
        r: usize,
        step: u32,
        strengths: Strengths,
        armed: f64,
        s: &mut Stream,
        world: &World,
        log: &mut Vec<LogEntry>,
    ) {
        let c = &self.fixed.params.combat;
        let (ruling, rebels) = (strengths.ruling, strengths.armed);
        let (ruling_left, rebels_left) = lanchester(ruling, rebels, c.fire, self.fixed.dt);
        let ruling_loss = 1.0 - ruling_left / ruling;
        let rebel_loss = 1.0 - rebels_left / rebels;
        let g = &mut self.state.regions[r];
        let before = g.garrison + g.police;
        g.garrison *= 1.0 - ruling_loss;
        g.police *= 1.0 - ruling_loss;
        let ruling_killed = before - (g.garrison + g.police);
        g.killed[killed::RULING] += ruling_killed;
        self.state.tallies.ruling_losses += ruling_killed;
        for k in self
            .state
            .forces
            .columns
            .iter_mut()
            .filter(|k| k.region as usize == r && k.arrives <= step && k.ordered)
        {
            let lost = k.strength * rebel_loss;
            k.strength -= lost;
            let category = match k.side {
                Side::Main => killed::MAIN_FORCE,
                Side::External => killed::OUTSIDE,
            };
            self.state.regions[r].killed[category] += lost;
        }
        let g = &mut self.state.regions[r];
        let turned_lost: f64 = g.turned.iter().map(|t| t * rebel_loss).sum();
        for t in &mut g.turned {
            *t *= 1.0 - rebel_loss;
        }
        g.killed[killed::TURNED] += turned_lost;
        let g = &self.state.regions[r];
        let n_fighters = if g.open {
            g.count[State::Fighter as usize] as f64
        } else {
            0.0
        };
        // Only the armed share of the risen is in the battle.
        let n_armed = g.count[State::Risen as usize] as f64 * armed;
        let fighters = self.casualties(r, State::Fighter, n_fighters * rebel_loss, s, world);
        let risen = self.casualties(r, State::Risen, n_armed * rebel_loss, s, world);
        self.state.regions[r].killed[killed::FIGHTERS] += fighters as f64;
        self.state.regions[r].killed[killed::RISEN] += risen as f64;
        let dead = fighters + risen;
        log.push(LogEntry {
            step,
            kind: "battle".into(),
            region: Some(r as u16),
            count: dead,
            detail: format!(
                "battle in {}: ruling side lost {:.0}%, armed rebels {:.0}% ({dead} people killed)",
                self.fixed.names[r],
                100.0 * ruling_loss,
                100.0 * rebel_loss
            ),
        });
    }

    /// The ruling side fires on unarmed crowds in region `r`: each of its effective fighters
    /// kills `suppression` of the unarmed risen per day (at most all of them). Crowds do
    /// not fire back; what they do to the ruling side is in control (step 7).
    fn suppress(
        &mut self,
        r: usize,
        step: u32,
        armed: f64,
        s: &mut Stream,
        world: &World,
        log: &mut Vec<LogEntry>,
    ) {
        let c = &self.fixed.params.combat;
        let g = &self.state.regions[r];
        let ruling = g.ruling_strength(c);
        let unarmed = g.count[State::Risen as usize] as f64 * (1.0 - armed);
        if ruling <= 0.0 || unarmed <= 0.0 || c.suppression <= 0.0 {
            return;
        }
        let shot = (c.suppression * ruling * self.fixed.dt).min(unarmed);
        let dead = self.casualties(r, State::Risen, shot, s, world);
        if dead == 0 {
            return;
        }
        self.state.regions[r].killed[killed::CROWDS] += dead as f64;
        // The dead frighten the living: each counts `killing_fear` arrests; and orders to fire
        // on one's own people wear down the loyalty of those who fire (`loyalty.rs`).
        let g = &mut self.state.regions[r];
        super::loyalty::after_fire(&self.fixed.params.loyalty, g, dead as f64);
        if g.population > 0 {
            let per =
                self.fixed.params.repression.fear_gain * self.fixed.params.policing.killing_fear;
            g.fear = (g.fear + per * dead as f64 * 1000.0 / f64::from(g.population)).min(1.0);
        }
        log.push(LogEntry {
            step,
            kind: "suppression".into(),
            region: Some(r as u16),
            count: dead,
            detail: format!(
                "troops and police fire on crowds in {}: {dead} people killed",
                self.fixed.names[r]
            ),
        });
    }

    /// A main-force column standing in a region hands its arms to the unarmed risen there,
    /// as many as there are, and carries the rest on.
    fn hand_out_arms(&mut self, step: u32, log: &mut Vec<LogEntry>) {
        for k in 0..self.state.forces.columns.len() {
            let col = &self.state.forces.columns[k];
            if col.side != Side::Main || !col.ordered || col.arrives > step || col.arms < 1.0 {
                continue;
            }
            let r = col.region as usize;
            let g = &self.state.regions[r];
            let unarmed = (g.count[State::Risen as usize] as f64 - g.materials).max(0.0);
            let given = col.arms.min(unarmed).floor();
            if given < 1.0 {
                continue;
            }
            self.state.forces.columns[k].arms -= given;
            self.state.regions[r].materials += given;
            log.push(LogEntry {
                step,
                kind: "arms".into(),
                region: Some(r as u16),
                count: given as u64,
                detail: format!(
                    "the main force hands out {given:.0} arms to the risen in {}",
                    self.fixed.names[r]
                ),
            });
        }
    }

    /// The operations plan: a column whose region is liberated (or holds no ruling force)
    /// marches to the neighbouring unliberated home region with the weakest ruling force, or
    /// toward the nearest one; the march takes `travel_days`.
    fn march(&mut self, step: u32, log: &mut Vec<LogEntry>) {
        let c = &self.fixed.params.combat;
        let ruling = |g: &super::regions::RegionState| g.ruling_strength(c);
        let travel = (c.travel_days / self.fixed.dt).ceil() as u32;
        for k in 0..self.state.forces.columns.len() {
            let col = &self.state.forces.columns[k];
            if !col.ordered || col.arrives > step {
                continue;
            }
            let here = &self.state.regions[col.region as usize];
            let done = here.liberated || here.abroad || ruling(here) < 0.5;
            if !done {
                continue;
            }
            let target = |r: u16| {
                let g = &self.state.regions[r as usize];
                !g.abroad && !g.liberated && g.population > 0
            };
            let next = self.fixed.adjacency[col.region as usize]
                .iter()
                .copied()
                .filter(|&r| target(r))
                .min_by(|&a, &b| {
                    ruling(&self.state.regions[a as usize])
                        .total_cmp(&ruling(&self.state.regions[b as usize]))
                        .then(a.cmp(&b))
                })
                .or_else(|| self.first_hop(col.region, &target));
            if let Some(to) = next {
                let col = &mut self.state.forces.columns[k];
                col.region = to;
                col.arrives = step + travel;
                let side = col.side;
                log.push(LogEntry {
                    step,
                    kind: "advance".into(),
                    region: Some(to),
                    count: self.state.forces.columns[k].strength.round() as u64,
                    detail: format!(
                        "{} column advances into {}",
                        if side == Side::Main {
                            "main-force"
                        } else {
                            "outside"
                        },
                        self.fixed.names[to as usize]
                    ),
                });
            }
        }
    }

    /// First step on a shortest path from `from` to a region satisfying `target`.
    fn first_hop(&self, from: u16, target: &dyn Fn(u16) -> bool) -> Option<u16> {
        let n = self.state.regions.len();
        let mut via: Vec<Option<u16>> = vec![None; n];
        let mut seen = vec![false; n];
        seen[from as usize] = true;
        let mut queue = std::collections::VecDeque::new();
        for &j in &self.fixed.adjacency[from as usize] {
            seen[j as usize] = true;
            via[j as usize] = Some(j);
            queue.push_back(j);
        }
        while let Some(r) = queue.pop_front() {
            if target(r) {
                return via[r as usize];
            }
            for &j in &self.fixed.adjacency[r as usize] {
                if !seen[j as usize] {
                    seen[j as usize] = true;
                    via[j as usize] = via[r as usize];
                    queue.push_back(j);
                }
            }
        }
        None
    }

    /// Small units raid police posts; word of each raid spreads like an appeal.
    pub(super) fn raids(&mut self, step: u32, world: &World, log: &mut Vec<LogEntry>) {
        let c = self.fixed.params.combat.clone();
        for r in 0..self.state.regions.len() {
            let inf = self.state.regions[r].infiltrators.at(step, 0.0);
            if inf <= 0.0 || c.raid_rate <= 0.0 {
                continue;
            }
            let mut s = Stream::new(self.fixed.seed, Purpose::RAIDS, step, r as u32);
            // Raids are real events, as many at any scale: the infiltrators are a count of
            // simulated persons (the scenario's count × scale), so the raids they make are
            // counted from the whole force. Each raid's word reaches `raid_reach` of the
            // simulated region, so the share of the people reached does not depend on scale.
            let raids = s.poisson(inf / self.fixed.scale * c.raid_rate * self.fixed.dt);
            if raids == 0 {
                continue;
            }
            let range = world.people.of_region(r as u16);
            let size = f64::from(range.end - range.start);
            for _ in 0..raids {
                let k = Self::whole(c.raid_reach * size, s.uniform());
                for _ in 0..k {
                    let i = range.start + s.below(range.end - range.start);
                    self.hear_appeal(i, &mut s, world);
                }
            }
            log.push(LogEntry {
                step,
                kind: "raid".into(),
                region: Some(r as u16),
                count: raids,
                detail: format!("{raids} raids by small units in {}", self.fixed.names[r]),
            });
        }
    }
}
