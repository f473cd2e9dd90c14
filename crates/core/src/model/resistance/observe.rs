//! Observation (step 11 of the day, the engine's stage 3): the per-step series and the summary
//! of a run.

use super::forces::Side;
use super::people::{State, STATES};
use super::regions::{killed, RegionState, KILLED, RESOURCES};

/// The figures taken at each of the scenario's `report_dates`, as `<name>_on_<YYYY_MM_DD>`:
/// whether the ruling system has collapsed (0/1), the home population's liberated share, the
/// organized and risen shares of all people, persons killed since the start, and local
/// committees.
pub const MOMENT: [&str; 6] = [
    "collapsed",
    "liberated_share",
    "organized_share",
    "risen_share",
    "killed",
    "committees",
];
use super::Resistance;
use crate::observe::{Outcome, Series, StopReason};
use crate::population::{AGE_BANDS, OCCUPATIONS, SEXES};

/// What each figure of the outcome means (name, unit, description), in the order reports
/// list them after the key outcomes. Counts are of the persons simulated (divide by the
/// scenario's `scale` for the whole population).
pub const FIGURES: &[(&str, &str, &str)] = &[
    ("collapse_step", "step", "The step at which the ruling system collapsed (its forces beaten or no longer obeying, or a surrender)."),
    ("concession_step", "step", "The step at which the regime yielded to sustained mobilization."),
    ("days_offensive_to_collapse", "days", "Days from the final offensive to the collapse."),
    ("days_attack_to_collapse", "days", "Days from the first attack on the ruling side (the final offensive or an outside army's) to the collapse."),
    ("collapse_imposed", "0 or 1", "1 when the collapse was imposed by a surrender event, 0 when the model produced it."),
    ("collapse_by_defection", "0 or 1", "1 when more troops and police stopped obeying than fell in battle before the collapse."),
    ("liberated_share_at_collapse", "share of the home population", "The share of the home population living in liberated regions on the day of the collapse."),
    ("offensive_step", "step", "The step of the final offensive."),
    ("attack_step", "step", "The step of the first attack on the ruling side."),
    ("held", "0 or 1", "1 when the ruling system held: no collapse or concession, and the rising subsided to a tenth of its peak or less."),
    ("conceded", "0 or 1", "1 when the regime conceded."),
    ("peak_risen", "persons", "The most people out in the rising on any one day."),
    ("ever_risen", "persons", "People who were out in the rising at least once."),
    ("risen_at_end", "persons", "People still out in the rising on the last day."),
    ("went_home", "persons", "Times someone out in the rising went home (fatigue, fear, ties gone home)."),
    ("peak_organized", "persons", "The most members, cadres and fighters at once."),
    ("peak_fighters", "persons", "The most fighters at once."),
    ("cells_founded", "cells", "Organization cells founded over the run."),
    ("arrests", "persons", "Arrests over the run: members found in their cells and people taken out of crowds."),
    ("crowd_arrests", "persons", "Arrests of people out in crowds."),
    ("released_early", "persons", "Prisoners let go before their term to make room in full jails."),
    ("defected", "persons", "Troops and police who stopped obeying."),
    ("turned", "persons", "Troops and police who stopped obeying and took their arms to the rebels."),
    ("ruling_losses", "persons", "Garrison and police lost in battle and to fire."),
    ("killed", "persons", "Killed in all, every side and cause."),
    ("killed_ruling", "persons", "Killed of the ruling side: garrison, police and expedition troops."),
    ("killed_resistance", "persons", "Killed of the resistance and the risen: main force, fighters, armed and unarmed risen, defectors who joined them."),
    ("killed_outside", "persons", "Killed of outside armies."),
    ("liberated_share", "share of the home population", "The share of the home population living in liberated regions at the end."),
    ("pressure", "person-days per person", "The regime's accumulated cost of mobilization and withdrawn labour, which the concession rule weighs against its resolve."),
    ("collapsed", "0 or 1", "1 when the ruling system had collapsed"),
    ("organized_share", "share of the population", "Members, cadres and fighters as a share of all persons"),
    ("risen_share", "share of the population", "People out in the rising as a share of all persons"),
    ("committees", "committees", "Local units with a committee"),
];

/// Running figures for the outcome, kept as the run goes.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Tallies {
    /// Figures taken at the scenario's `report_dates` ([`MOMENT`]), in date order.
    pub moments: Vec<(String, [f64; 6])>,
    /// Cells ever founded.
    pub cells_founded: u64,
    /// Arrests by detection of cells.
    pub arrests: u64,
    /// Highest counts so far.
    pub peak_organized: u64,
    /// Highest count of fighters so far.
    pub peak_fighters: u64,
    /// Highest count of risen people so far.
    pub peak_risen: u64,
    /// The ruling side's losses in battle.
    pub ruling_losses: f64,
}

impl Tallies {
    /// Keeps the peaks of the day's counts in `regions`, for the summary.
    pub(super) fn track_peaks(&mut self, regions: &[RegionState]) {
        let sum = |s: State| -> u64 { regions.iter().map(|g| g.count[s as usize]).sum() };
        let organized: u64 = regions.iter().map(|g| g.organized()).sum();
        self.peak_organized = self.peak_organized.max(organized);
        self.peak_fighters = self.peak_fighters.max(sum(State::Fighter));
        self.peak_risen = self.peak_risen.max(sum(State::Risen));
    }
}

impl Resistance {
    /// This step's series, each value with its column. The first is the headline
    /// (`organized`), followed by its parts per region, as the charts expect.
    pub(super) fn write_series(&self, out: &mut Series<'_>) {
        let g = &self.state.regions;
        out.put("organized", g.iter().map(|r| r.organized() as f64).sum());
        out.per_region("organized", g.iter().map(|r| r.organized() as f64));
        for (s, name) in STATES.iter().enumerate() {
            out.put(name, g.iter().map(|r| r.count[s] as f64).sum());
        }
        out.put("hiding", g.iter().map(|r| r.hiding as f64).sum());
        // Local committees, where units are counted (each region's count once).
        if !self.fixed.counties.is_empty() {
            let by_region: Vec<f64> = (0..g.len())
                .map(|r| f64::from(self.committees_in(r)))
                .collect();
            out.put("committees", by_region.iter().sum());
            out.per_region("committees", by_region);
        }
        for (s, name) in STATES.iter().enumerate() {
            out.per_region(name, g.iter().map(|r| r.count[s] as f64));
        }
        out.per_region("hiding", g.iter().map(|r| r.hiding as f64));
        let attributes = AGE_BANDS
            .iter()
            .chain(SEXES.iter())
            .chain(OCCUPATIONS.iter());
        for (a, name) in attributes.clone().enumerate() {
            let v = g.iter().map(|r| r.organized_by[a] as f64).sum();
            out.put_named(|| format!("organized_{name}"), v);
        }
        for (a, name) in attributes.enumerate() {
            let family = format!("organized_{name}");
            out.per_region(&family, g.iter().map(|r| r.organized_by[a] as f64));
        }
        for (k, kind) in self.fixed.params.kinds.iter().enumerate() {
            out.put_named(
                || format!("kind.{}", kind.name),
                self.state.cells.kind_members[k] as f64,
            );
        }
        out.put(
            "cells",
            self.state
                .cells
                .members
                .iter()
                .filter(|m| !m.is_empty())
                .count() as f64,
        );
        for (k, name) in RESOURCES.iter().enumerate() {
            out.put(name, g.iter().map(|r| r.pool[k]).sum());
        }
        // Arms at the bases, in the regions' hands and carried by the columns.
        let carried: f64 = self.state.forces.columns.iter().map(|k| k.arms).sum();
        out.put(
            "materials",
            g.iter().map(|r| r.materials).sum::<f64>() + carried,
        );
        out.put("bases", g.iter().filter(|r| r.base).count() as f64);
        for (side, name) in [
            (Side::Main, "main_force"),
            (Side::External, "external_force"),
        ] {
            let strength = self
                .state
                .forces
                .columns
                .iter()
                .filter(|c| c.side == side)
                .map(|c| c.strength)
                .sum();
            out.put(name, strength);
        }
        out.put("garrison", g.iter().map(|r| r.garrison).sum());
        out.put("police", g.iter().map(|r| r.police).sum());
        // Troops and police who stopped obeying (persons, cumulative), goings home from the
        // rising, arrests in all (of people found in detected cells and out of crowds) and
        // those out of crowds alone
        // (cumulative counts: a year's arrests are the change over the year).
        out.put("arrests", self.state.tallies.arrests as f64);
        out.put("defected", g.iter().map(|r| r.defected).sum());
        // Defectors fighting for the rebels (persons), and each force's loyal share,
        // averaged over its members in the home regions (1 where it has none).
        out.put(
            "turned",
            g.iter().map(|r| r.turned.iter().sum::<f64>()).sum(),
        );
        for (f, name) in super::loyalty::FORCES.iter().enumerate() {
            let members = |r: &super::regions::RegionState| [r.garrison, r.police][f];
            let (weighted, all) = g
                .iter()
                .filter(|r| !r.abroad)
                .fold((0.0, 0.0), |(w, a), r| {
                    (w + r.loyalty[f] * members(r), a + members(r))
                });
            out.put_named(
                || format!("loyalty_{name}"),
                if all > 0.0 { weighted / all } else { 1.0 },
            );
        }
        out.put("went_home", g.iter().map(|r| r.went_home as f64).sum());
        out.put(
            "crowd_arrests",
            g.iter().map(|r| r.crowd_arrests as f64).sum(),
        );
        out.put("ever_risen", g.iter().map(|r| r.ever_risen as f64).sum());
        out.per_region("defected", g.iter().map(|r| r.defected));
        out.per_region("went_home", g.iter().map(|r| r.went_home as f64));
        let home: Vec<_> = g.iter().filter(|r| !r.abroad).collect();
        let (people, liberated) = self.home_and_liberated();
        let people = people.max(1.0);
        // Population-weighted mean over the home regions.
        let weighted = |f: fn(&super::regions::RegionState) -> f64| {
            home.iter()
                .map(|r| f(r) * f64::from(r.population))
                .sum::<f64>()
                / people
        };
        out.put("control", weighted(|r| r.control));
        out.per_region("control", g.iter().map(|r| r.control));
        out.put(
            "liberated",
            home.iter().filter(|r| r.liberated).count() as f64,
        );
        out.put("liberated_share", liberated / people);
        out.put("fear", weighted(|r| r.fear));
        out.put(
            "collapsed",
            f64::from(u8::from(self.state.course.collapse.is_some())),
        );
        // People out under a strike call (withdrawing their labour) and the pressure of
        // sustained mobilization on the regime (share-days, `concession.rs`).
        out.put("striking", self.state.course.striking);
        out.put("pressure", self.state.course.pressure);
        out.put(
            "conceded",
            f64::from(u8::from(self.state.course.conceded.is_some())),
        );
        // Deaths since the start (persons, cumulative): in all and by region, then by side
        // and cause (battles, punitive expeditions).
        out.put(
            "killed",
            g.iter().map(|r| r.killed.iter().sum::<f64>()).sum(),
        );
        out.per_region("killed", g.iter().map(|r| r.killed.iter().sum::<f64>()));
        for (k, name) in KILLED.iter().enumerate() {
            let v = g.iter().map(|r| r.killed[k]).sum();
            out.put_named(|| format!("killed_{name}"), v);
        }
        // By side and cause in each region too (`killed_<cause>.<region>`).
        for (k, name) in KILLED.iter().enumerate() {
            out.per_region(&format!("killed_{name}"), g.iter().map(|r| r.killed[k]));
        }
    }

    /// Persons killed since the start, in all, by category ([`KILLED`]).
    pub(super) fn killed_totals(&self) -> [f64; KILLED.len()] {
        let mut t = [0.0; KILLED.len()];
        for r in &self.state.regions {
            for (k, v) in r.killed.iter().enumerate() {
                t[k] += v;
            }
        }
        t
    }

    /// The figures taken at each of the scenario's `report_dates` ([`MOMENT`]).
    fn moment(&self) -> [f64; 6] {
        let (home, free) = self.home_and_liberated();
        let home = home.max(1.0);
        let people: f64 = self
            .state
            .regions
            .iter()
            .map(|g| f64::from(g.population))
            .sum();
        let people = people.max(1.0);
        let sum = |s: State| -> f64 {
            self.state
                .regions
                .iter()
                .map(|g| g.count[s as usize] as f64)
                .sum()
        };
        let organized: f64 = self
            .state
            .regions
            .iter()
            .map(|g| g.organized() as f64)
            .sum();
        let committees: u32 = (0..self.state.regions.len())
            .map(|r| self.committees_in(r))
            .sum();
        [
            f64::from(u8::from(self.state.course.collapse.is_some())),
            free / home,
            organized / people,
            sum(State::Risen) / people,
            self.killed_totals().iter().sum::<f64>().round(),
            f64::from(committees),
        ]
    }

    /// Takes the figures of the report dates that fall on `step`.
    pub(super) fn take_moments(&mut self, step: u32) {
        for k in 0..self.fixed.params.report_dates.len() {
            let (date, at) = &self.fixed.params.report_dates[k];
            if *at == step && !self.state.tallies.moments.iter().any(|(d, _)| d == date) {
                let m = self.moment();
                self.state.tallies.moments.push((date.clone(), m));
            }
        }
    }

    /// The run's headline figures and sentence.
    pub(super) fn summary(&self, last_step: u32, reason: StopReason) -> Outcome {
        let mut figures = Vec::new();
        if let Some(o) = self.state.course.offensive {
            figures.push(("offensive_step".to_string(), f64::from(o)));
        }
        if let Some((c, _)) = &self.state.course.collapse {
            figures.push(("collapse_step".to_string(), f64::from(*c)));
            if let Some(o) = self.state.course.offensive {
                figures.push((
                    "days_offensive_to_collapse".to_string(),
                    f64::from(c.saturating_sub(o)) * self.fixed.dt,
                ));
            }
        }
        if let Some((c, cause)) = &self.state.course.collapse {
            // Produced by the model (liberation) or imposed by a timeline event (surrender).
            figures.push((
                "collapse_imposed".to_string(),
                f64::from(u8::from(cause == "surrender")),
            ));
            if let Some(a) = self.state.course.attack {
                figures.push((
                    "days_attack_to_collapse".to_string(),
                    f64::from(c.saturating_sub(a)) * self.fixed.dt,
                ));
            }
        }
        if let Some(a) = self.state.course.attack {
            figures.push(("attack_step".to_string(), f64::from(a)));
        }
        figures.push((
            "peak_organized".into(),
            self.state.tallies.peak_organized as f64,
        ));
        figures.push((
            "peak_fighters".into(),
            self.state.tallies.peak_fighters as f64,
        ));
        figures.push(("peak_risen".into(), self.state.tallies.peak_risen as f64));
        figures.push(("arrests".into(), self.state.tallies.arrests as f64));
        figures.push((
            "cells_founded".into(),
            self.state.tallies.cells_founded as f64,
        ));
        figures.push((
            "ruling_losses".into(),
            self.state.tallies.ruling_losses.round(),
        ));
        let total = |f: fn(&super::regions::RegionState) -> f64| -> f64 {
            self.state.regions.iter().map(f).sum()
        };
        figures.push((
            "released_early".into(),
            self.state.jail.released_early as f64,
        ));
        figures.push(("defected".into(), total(|g| g.defected).round()));
        figures.push((
            "turned".into(),
            total(|g| g.turned.iter().sum::<f64>()).round(),
        ));
        figures.push(("went_home".into(), total(|g| g.went_home as f64)));
        figures.push(("crowd_arrests".into(), total(|g| g.crowd_arrests as f64)));
        let risen_now = total(|g| g.count[State::Risen as usize] as f64);
        figures.push(("risen_at_end".into(), risen_now));
        figures.push(("ever_risen".into(), total(|g| g.ever_risen as f64)));
        // The ruling system held: no collapse, and a rising that came has subsided to a tenth
        // of its peak or less (a run that ends with its rising still at full strength is
        // undecided, not held).
        let held = !self.state.course.decided()
            && self.state.tallies.peak_risen > 0
            && risen_now <= 0.1 * self.state.tallies.peak_risen as f64;
        figures.push(("held".into(), f64::from(u8::from(held))));
        figures.push((
            "conceded".into(),
            f64::from(u8::from(self.state.course.conceded.is_some())),
        ));
        if let Some(c) = self.state.course.conceded {
            figures.push(("concession_step".into(), f64::from(c)));
        }
        figures.push(("pressure".into(), self.state.course.pressure));
        let defected = total(|g| g.defected);
        let (home, free) = self.home_and_liberated();
        let home = home.max(1.0);
        figures.push(("liberated_share".into(), free / home));
        if let Some(l) = self.state.course.liberated_at_collapse {
            figures.push(("liberated_share_at_collapse".into(), l));
        }
        if let Some(d) = self.state.course.by_defection {
            figures.push(("collapse_by_defection".into(), f64::from(u8::from(d))));
        }
        // Figures at fixed dates. A run stopped at the collapse is frozen from then on: its
        // later dates take the state at the collapse.
        for (date, at) in &self.fixed.params.report_dates {
            let taken = self
                .state
                .tallies
                .moments
                .iter()
                .find(|(d, _)| d == date)
                .map(|m| m.1);
            let stopped = self.state.course.decided() && self.fixed.params.stop_at_collapse;
            let frozen = (*at > last_step && stopped).then(|| self.moment());
            if let Some(m) = taken.or(frozen) {
                let tag = date.replace('-', "_");
                for (name, v) in MOMENT.iter().zip(m) {
                    figures.push((format!("{name}_on_{tag}"), v));
                }
            }
        }
        let k = self.killed_totals();
        let ruling = k[killed::RULING] + k[killed::EXPEDITION_TROOPS];
        let rebels = k[killed::MAIN_FORCE]
            + k[killed::FIGHTERS]
            + k[killed::RISEN]
            + k[killed::CROWDS]
            + k[killed::TURNED];
        let outside = k[killed::OUTSIDE];
        figures.push(("killed_ruling".into(), ruling.round()));
        figures.push(("killed_resistance".into(), rebels.round()));
        figures.push(("killed_outside".into(), outside.round()));
        figures.push(("killed".into(), (ruling + rebels + outside).round()));
        // Counts in prose, whole, with their thousands separated (130,652, not 130652).
        let n = |v: f64| crate::text::human(v.round());
        let deaths = if ruling + rebels + outside >= 0.5 {
            format!(
                " {} killed in all: {} of the ruling side, {} of the resistance and the risen, {} of outside armies.",
                n(ruling + rebels + outside),
                n(ruling),
                n(rebels),
                n(outside)
            )
        } else {
            " Nobody was killed in battle.".to_string()
        };
        // On a dated scenario every moment is given as a date, with its step.
        let at = |step: u32| match self.fixed.time.date_of(step) {
            Some(d) => format!("on {d} (step {step}"),
            None => format!("at step {step} ("),
        };
        let by = |step: u32| match self.fixed.time.date_of(step) {
            Some(d) => format!("by {d} (step {step})"),
            None => format!("by step {step}"),
        };
        let of = |step: u32| match self.fixed.time.date_of(step) {
            Some(d) => format!(" of {d}"),
            None => String::new(),
        };
        let sep = |step: u32| {
            if self.fixed.time.date_of(step).is_some() {
                "; "
            } else {
                ""
            }
        };
        let conceded = self.state.course.conceded.map(|c| {
            format!(
                "The regime conceded {}{}yielding to sustained mobilization: pressure {:.1} share-days against its resolve of {}); at most {} people were organized and {} rose.",
                at(c),
                sep(c),
                self.state.course.pressure,
                self.fixed.params.concession.resolve,
                n(self.state.tallies.peak_organized as f64),
                n(self.state.tallies.peak_risen as f64)
            )
        });
        // A collapse the forces' defection brought rather than their defeat is said so.
        let how = if self.state.course.by_defection == Some(true) {
            "; more of its troops and police had stopped obeying than had fallen"
        } else {
            ""
        };
        let sentence = match (&self.state.course.collapse, self.state.course.offensive) {
            _ if conceded.is_some() => conceded.unwrap_or_default(),
            (Some((c, cause)), Some(o)) => format!(
                "The ruling system collapsed {}{}{cause}{how}), {} days after the final offensive{}; at most {} people were organized and {} rose.",
                at(*c),
                sep(*c),
                f64::from(c.saturating_sub(o)) * self.fixed.dt,
                of(o),
                n(self.state.tallies.peak_organized as f64),
                n(self.state.tallies.peak_risen as f64)
            ),
            (Some((c, cause)), None) => format!(
                "The ruling system collapsed {}{}{cause}{how}); at most {} people were organized and {} rose.",
                at(*c),
                sep(*c),
                n(self.state.tallies.peak_organized as f64),
                n(self.state.tallies.peak_risen as f64)
            ),
            (None, Some(o)) => format!(
                "No collapse {}, {} days after the final offensive{}; {:.0}% of the home population liberated.",
                by(last_step),
                f64::from(last_step.saturating_sub(o)) * self.fixed.dt,
                of(o),
                100.0 * free / home
            ),
            (None, None) => format!(
                "No collapse {}; at most {} people were organized, {} arrested in all.",
                by(last_step),
                n(self.state.tallies.peak_organized as f64),
                n(self.state.tallies.arrests as f64)
            ),
        };
        let rising = if held {
            format!(
                " The ruling system held: the rising peaked at {} and subsided ({} still out at the end).",
                n(self.state.tallies.peak_risen as f64),
                n(risen_now)
            )
        } else if !self.state.course.decided() && self.state.tallies.peak_risen > 0 {
            format!(
                " The rising peaked at {}; {} were still out at the end.",
                n(self.state.tallies.peak_risen as f64),
                n(risen_now)
            )
        } else {
            String::new()
        };
        let obeying = if defected >= 0.5 {
            format!(" {} troops and police stopped obeying.", n(defected))
        } else {
            String::new()
        };
        let sentence = sentence + &rising + &obeying + &deaths;
        Outcome {
            last_step,
            reason,
            figures,
            sentence,
        }
    }
}
