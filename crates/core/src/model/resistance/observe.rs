//! Observation (step 8 of the day, the engine's stage 3): the per-step series and the summary
//! of a run.

use super::forces::Side;
use super::people::{State, STATES};
use super::regions::RESOURCES;
use super::Resistance;
use crate::observe::{Outcome, StopReason};
use crate::population::{AGE_BANDS, OCCUPATIONS, SEXES};
use crate::scenario::Scenario;

impl Resistance {
    /// Column names, in the order [`Resistance::observe_into`] writes them. The first is the
    /// headline (`organized`), followed by its parts per region, as the chart expects.
    pub(super) fn column_names(&self, scenario: &Scenario) -> Vec<String> {
        let regions: Vec<&str> = scenario.regions.iter().map(|g| g.name.as_str()).collect();
        let mut c = vec!["organized".to_string()];
        c.extend(regions.iter().map(|r| format!("organized.{r}")));
        c.extend(STATES.iter().map(|s| s.to_string()));
        c.push("hiding".into());
        for s in STATES {
            c.extend(regions.iter().map(|r| format!("{s}.{r}")));
        }
        c.extend(regions.iter().map(|r| format!("hiding.{r}")));
        let attributes: Vec<&str> = AGE_BANDS
            .iter()
            .chain(SEXES.iter())
            .chain(OCCUPATIONS.iter())
            .copied()
            .collect();
        for a in &attributes {
            c.push(format!("organized_{a}"));
        }
        for a in &attributes {
            c.extend(regions.iter().map(|r| format!("organized_{a}.{r}")));
        }
        c.extend(self.params.kinds.iter().map(|k| format!("kind.{}", k.name)));
        c.push("cells".into());
        c.extend(RESOURCES.iter().map(|s| s.to_string()));
        c.extend(
            [
                "materials",
                "bases",
                "main_force",
                "external_force",
                "garrison",
                "police",
            ]
            .map(String::from),
        );
        c.push("control".into());
        c.extend(regions.iter().map(|r| format!("control.{r}")));
        c.extend(["liberated", "liberated_share", "fear", "collapsed"].map(String::from));
        c
    }

    /// This step's values, one per column.
    pub(super) fn observe_into(&self, out: &mut Vec<f64>) {
        let g = &self.regions;
        out.push(g.iter().map(|r| r.organized() as f64).sum());
        out.extend(g.iter().map(|r| r.organized() as f64));
        for s in 0..STATES.len() {
            out.push(g.iter().map(|r| r.count[s] as f64).sum());
        }
        out.push(g.iter().map(|r| r.hiding as f64).sum());
        for s in 0..STATES.len() {
            out.extend(g.iter().map(|r| r.count[s] as f64));
        }
        out.extend(g.iter().map(|r| r.hiding as f64));
        for a in 0..9 {
            out.push(g.iter().map(|r| r.organized_by[a] as f64).sum());
        }
        for a in 0..9 {
            out.extend(g.iter().map(|r| r.organized_by[a] as f64));
        }
        out.extend(self.kind_members.iter().map(|&v| v as f64));
        out.push(self.cells.members.iter().filter(|m| !m.is_empty()).count() as f64);
        for k in 0..RESOURCES.len() {
            out.push(g.iter().map(|r| r.pool[k]).sum());
        }
        out.push(g.iter().map(|r| r.materials).sum());
        out.push(g.iter().filter(|r| r.base).count() as f64);
        for side in [Side::Main, Side::External] {
            out.push(
                self.columns
                    .iter()
                    .filter(|c| c.side == side)
                    .map(|c| c.strength)
                    .sum(),
            );
        }
        out.push(g.iter().map(|r| r.garrison).sum());
        out.push(g.iter().map(|r| r.police).sum());
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
        out.push(weighted(|r| r.control));
        out.extend(g.iter().map(|r| r.control));
        out.push(home.iter().filter(|r| r.liberated).count() as f64);
        out.push(liberated / people);
        out.push(weighted(|r| r.fear));
        out.push(f64::from(u8::from(self.collapse.is_some())));
    }

    /// Keeps the peaks for the summary.
    pub(super) fn track_peaks(&mut self) {
        let sum = |s: State| -> u64 { self.regions.iter().map(|g| g.count[s as usize]).sum() };
        let organized: u64 = self.regions.iter().map(|g| g.organized()).sum();
        self.peak_organized = self.peak_organized.max(organized);
        self.peak_fighters = self.peak_fighters.max(sum(State::Fighter));
        self.peak_risen = self.peak_risen.max(sum(State::Risen));
    }

    /// The run's headline figures and sentence.
    pub(super) fn summary(&self, last_step: u32, reason: StopReason) -> Outcome {
        let mut figures = Vec::new();
        if let Some(o) = self.offensive {
            figures.push(("offensive_step".to_string(), f64::from(o)));
        }
        if let Some((c, _)) = &self.collapse {
            figures.push(("collapse_step".to_string(), f64::from(*c)));
            if let Some(o) = self.offensive {
                figures.push((
                    "days_offensive_to_collapse".to_string(),
                    f64::from(c.saturating_sub(o)) * self.dt,
                ));
            }
        }
        figures.push(("peak_organized".into(), self.peak_organized as f64));
        figures.push(("peak_fighters".into(), self.peak_fighters as f64));
        figures.push(("peak_risen".into(), self.peak_risen as f64));
        figures.push(("arrests".into(), self.arrests as f64));
        figures.push(("cells_founded".into(), self.cells_founded as f64));
        figures.push(("ruling_losses".into(), self.ruling_losses.round()));
        let (home, free) = self.home_and_liberated();
        let home = home.max(1.0);
        figures.push(("liberated_share".into(), free / home));
        let sentence = match (&self.collapse, self.offensive) {
            (Some((c, cause)), Some(o)) => format!(
                "The ruling system collapsed at step {c} ({cause}), {} days after the final offensive; at most {} people were organized and {} rose.",
                f64::from(c.saturating_sub(o)) * self.dt,
                self.peak_organized,
                self.peak_risen
            ),
            (Some((c, cause)), None) => format!(
                "The ruling system collapsed at step {c} ({cause}); at most {} people were organized and {} rose.",
                self.peak_organized, self.peak_risen
            ),
            (None, Some(o)) => format!(
                "No collapse by step {last_step}, {} days after the final offensive; {:.0}% of the home population liberated.",
                f64::from(last_step.saturating_sub(o)) * self.dt,
                100.0 * free / home
            ),
            (None, None) => format!(
                "No final offensive by step {last_step}; at most {} people were organized, {} arrested in all.",
                self.peak_organized, self.arrests
            ),
        };
        Outcome {
            last_step,
            reason,
            figures,
            sentence,
        }
    }
}
