//! Timeline events (before the day's processes: the engine's stage 1) and the starting state.

use super::events::Action;
use super::forces::{Column, Side};
use super::people::State;
use super::regions::Timed;
use super::Resistance;
use crate::observe::LogEntry;
use crate::rng::{Purpose, Stream};
use crate::scenario::Event;
use crate::world::World;

impl Resistance {
    /// Step 0: the central leadership's cadres, in the leadership region, in cell 0; the
    /// main force's first fighters wait abroad as a column that does not move until ordered.
    pub(super) fn place_leadership(&mut self, world: &World, log: &mut Vec<LogEntry>) {
        let r = self.fixed.params.leadership;
        let range = world.people.of_region(r);
        let mut s = Stream::new(self.fixed.seed, Purpose::CADRES, 0, 0);
        let want = Self::whole(self.fixed.params.initial_cadres, s.uniform());
        if !range.is_empty() && want > 0 {
            let kind = self
                .fixed
                .params
                .kinds
                .iter()
                .position(|k| k.cadres_only)
                .unwrap_or(0) as u8;
            // Cell 0, the central leadership, then the region's party cells.
            self.found_cell(kind, r, 0, log);
            let mut placed = 0;
            let mut tries = 0;
            while placed < want && tries < want * 20 {
                tries += 1;
                let i = range.start + s.below(range.end - range.start);
                // Cadres are adults or youths.
                if world.people.age[i as usize] == 0
                    || self.state.persons.state(i) != State::Unreached
                {
                    continue;
                }
                let cell = self.cell_for(kind, r, None, 0, log);
                self.set_state(i, State::Cadre, world);
                self.join_cell(i, cell);
                placed += 1;
            }
            log.push(LogEntry {
                step: 0,
                kind: "leadership".into(),
                region: Some(r),
                count: placed,
                detail: format!(
                    "{placed} cadres of the central leadership in {}",
                    self.fixed.names[r as usize]
                ),
            });
        }
        if self.fixed.params.initial_fighters > 0.0 {
            self.state.forces.columns.push(Column::new(
                Side::Main,
                r,
                self.fixed.params.initial_fighters,
                false,
            ));
        }
    }

    /// Fires one timeline event.
    pub(super) fn apply_event(
        &mut self,
        event: &Event,
        index: usize,
        world: &World,
        log: &mut Vec<LogEntry>,
    ) {
        let step = event.step;
        let until = |days: f64, dt: f64| step + (days / dt).ceil() as u32;
        let regions_of = |region: Option<u16>, n: usize| -> Vec<usize> {
            match region {
                Some(r) => vec![r as usize],
                None => (0..n).collect(),
            }
        };
        let n = self.state.regions.len();
        let mut entry = |kind: &str, region: Option<u16>, count: u64, detail: String| {
            log.push(LogEntry {
                step,
                kind: kind.into(),
                region,
                count,
                detail,
            })
        };
        match crate::model::data::<Action>(&event.action) {
            Action::ProclaimProgramme => {
                self.state.course.programme = true;
                entry(
                    "programme",
                    None,
                    0,
                    "programme proclaimed: contributions begin".into(),
                );
            }
            Action::Appeal {
                region,
                share,
                delta,
                days,
            } => {
                let mut s = Stream::new(self.fixed.seed, Purpose::EVENTS, step, index as u32);
                let before: u64 = self
                    .state
                    .regions
                    .iter()
                    .map(|g| g.count[State::Sympathizer as usize])
                    .sum();
                let mut reached = 0u64;
                for r in regions_of(*region, n) {
                    let range = world.people.of_region(r as u16);
                    if range.is_empty() {
                        continue;
                    }
                    let k = Self::whole(share * f64::from(range.end - range.start), s.uniform());
                    for _ in 0..k {
                        let i = range.start + s.below(range.end - range.start);
                        self.hear_appeal(i, &mut s, world);
                    }
                    reached += k;
                    if *delta != 0.0 {
                        self.state.regions[r].appeal = Timed {
                            value: *delta,
                            until: until(*days, self.fixed.dt),
                        };
                        self.state.uprising.rescan.push(r as u16);
                    }
                }
                let after: u64 = self
                    .state
                    .regions
                    .iter()
                    .map(|g| g.count[State::Sympathizer as usize])
                    .sum();
                let mut entry = |kind: &str, region: Option<u16>, count: u64, detail: String| {
                    log.push(LogEntry {
                        step,
                        kind: kind.into(),
                        region,
                        count,
                        detail,
                    })
                };
                entry(
                    "appeal",
                    *region,
                    reached,
                    format!(
                        "appeal reached {reached} persons; {} new sympathizers",
                        after.saturating_sub(before)
                    ),
                );
            }
            Action::AppealToRise {
                region,
                delta,
                days,
            } => {
                for r in regions_of(*region, n) {
                    self.open_region(r as u16);
                    if *delta != 0.0 {
                        self.state.regions[r].appeal = Timed {
                            value: *delta,
                            until: until(*days, self.fixed.dt),
                        };
                    }
                }
                entry("appeal_to_rise", *region, 0, "the call to rise".into());
            }
            Action::Strike { region, days } => {
                for r in regions_of(*region, n) {
                    self.state.regions[r].strike = Timed {
                        value: 1.0,
                        until: until(*days, self.fixed.dt),
                    };
                }
                entry(
                    "strike",
                    *region,
                    0,
                    format!("a strike call: those out withdraw their labour for {days} days"),
                );
            }
            Action::TrainingDrive {
                region,
                factor,
                days,
            } => {
                for r in regions_of(*region, n) {
                    self.state.regions[r].drive = Timed {
                        value: *factor,
                        until: until(*days, self.fixed.dt),
                    };
                }
                entry(
                    "training_drive",
                    *region,
                    0,
                    format!("meetings and training: ×{factor} for {days} days"),
                );
            }
            Action::SmallUnits {
                regions,
                count,
                days,
            } => {
                for &r in regions {
                    self.state.regions[r as usize].infiltrators = Timed {
                        value: *count,
                        until: until(*days, self.fixed.dt),
                    };
                }
                entry(
                    "small_units",
                    None,
                    (*count * regions.len() as f64).round() as u64,
                    format!("small units infiltrate {} regions", regions.len()),
                );
            }
            Action::FinalOffensive { regions, strength } => {
                self.state.course.offensive.get_or_insert(step);
                self.state.course.attack.get_or_insert(step);
                // The main force waiting abroad joins the offensive.
                let waiting: f64 = self
                    .state
                    .forces
                    .columns
                    .iter_mut()
                    .filter(|c| c.side == Side::Main && !c.ordered)
                    .map(|c| std::mem::take(&mut c.strength))
                    .sum();
                self.state.forces.columns.retain(|c| c.strength > 0.0);
                // Fighters trained at bases abroad march with it (the series keeps counting
                // them as fighters of their home region; their losses are the columns').
                let abroad: f64 = self
                    .state
                    .regions
                    .iter()
                    .filter(|g| g.abroad)
                    .map(|g| g.count[State::Fighter as usize] as f64)
                    .sum();
                let waiting = waiting + abroad;
                let each = (strength + waiting) / regions.len().max(1) as f64;
                // The strategic materials stored at the bases abroad go with the columns, to
                // arm the risen where they arrive; none go if no column does.
                let arms: f64 = if strength + waiting > 0.0 {
                    self.state
                        .regions
                        .iter_mut()
                        .filter(|g| g.abroad)
                        .map(|g| std::mem::take(&mut g.materials))
                        .sum()
                } else {
                    0.0
                };
                let arms_each = arms / regions.len().max(1) as f64;
                for &r in regions {
                    let mut column = Column::new(Side::Main, r, each, true);
                    column.arms = arms_each;
                    self.state.forces.columns.push(column);
                    self.open_region(r);
                }
                entry(
                    "final_offensive",
                    None,
                    (strength + waiting).round() as u64,
                    format!("final offensive: {} columns", regions.len()),
                );
            }
            Action::ExternalAttack { regions, strength } => {
                self.state.course.attack.get_or_insert(step);
                let each = strength / regions.len().max(1) as f64;
                for &r in regions {
                    self.state
                        .forces
                        .columns
                        .push(Column::new(Side::External, r, each, true));
                }
                entry(
                    "external_attack",
                    None,
                    strength.round() as u64,
                    format!("outside army enters {} regions", regions.len()),
                );
            }
            Action::RepressionCampaign {
                region,
                factor,
                days,
            } => {
                for r in regions_of(*region, n) {
                    self.state.regions[r].campaign = Timed {
                        value: *factor,
                        until: until(*days, self.fixed.dt),
                    };
                }
                entry(
                    "repression_campaign",
                    *region,
                    0,
                    format!("police campaign: detection ×{factor} for {days} days"),
                );
            }
            Action::PunitiveExpedition { region, strength } => {
                self.expedition(*region, *strength, step, world, log);
            }
            Action::Conscription { rate } => {
                for g in &mut self.state.regions {
                    g.hiding_rate = *rate;
                }
                entry(
                    "conscription",
                    None,
                    0,
                    format!("drafts: young men hide at {rate} per day"),
                );
            }
            Action::Surrender { fronts, days } => {
                if self.state.course.collapse.is_none() {
                    self.state.course.collapse = Some((step, "surrender".into()));
                    let (home, free) = self.home_and_liberated();
                    self.state.course.liberated_at_collapse = Some(free / home.max(1.0));
                    let until = step + (days / self.fixed.dt).ceil() as u32;
                    self.state.forces.fronts = fronts.iter().map(|&r| (r, until)).collect();
                    entry("surrender", None, 0, "the ruling side surrenders".into());
                }
            }
        }
    }
}
