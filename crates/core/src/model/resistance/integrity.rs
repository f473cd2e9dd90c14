//! What a restored state must satisfy before the model runs on it.
//!
//! A checkpoint is a file: its checksum shows that it was not damaged, not that it was written
//! by this model (anyone can recompute a checksum). So every length, index and quantity that a
//! process will later use to index a list or size a loop is checked here against the scenario
//! the model was built from; a state that fails is refused with the first reason found, never
//! run (a flipped byte in a person list once panicked in outreach).

use super::people::{NO_CELL, STATES};
use super::Resistance;
use crate::model::state::StateError;

/// What the scenario fixes, taken before the saved state replaced the built one.
pub(super) struct Shape {
    persons: usize,
    regions: usize,
    kinds: usize,
    counties: usize,
    /// Each person's region, as the population has it.
    region_of: Vec<u16>,
}

fn bad(what: impl Into<String>) -> Result<(), StateError> {
    Err(StateError(format!(
        "it does not fit the scenario: {}",
        what.into()
    )))
}

fn fraction(v: f64) -> bool {
    (0.0..=1.0).contains(&v)
}

fn amount(v: f64) -> bool {
    v.is_finite() && v >= 0.0
}

impl Resistance {
    /// The sizes the scenario fixes.
    pub(super) fn shape(&self) -> Shape {
        Shape {
            persons: self.state.persons.hot.len(),
            regions: self.state.regions.len(),
            kinds: self.state.cells.kind_members.len(),
            counties: self.state.uprising.county_risen.len(),
            region_of: self.state.persons.hot.iter().map(|h| h.region).collect(),
        }
    }

    /// Checks the restored state against `shape` (see the module docs).
    pub(super) fn check_state(&self, shape: &Shape) -> Result<(), StateError> {
        let n = shape.persons;
        let person = |i: u32| (i as usize) < n;
        if self.state.persons.hot.len() != n || self.state.persons.cell.len() != n {
            return bad(format!(
                "{} people saved, {n} in the scenario",
                self.state.persons.hot.len()
            ));
        }
        if self.state.regions.len() != shape.regions
            || self.state.forces.armed_last.len() != shape.regions
            || self.state.cells.committee.len() != shape.regions
        {
            return bad(format!(
                "{} regions saved, {} in the scenario",
                self.state.regions.len(),
                shape.regions
            ));
        }
        if self.state.cells.kind_members.len() != shape.kinds
            || self.state.cells.banned.len() != shape.kinds
        {
            return bad("the number of organization kinds differs");
        }
        if self.state.uprising.county_risen.len() != shape.counties
            || self.state.uprising.county_formed.len() != shape.counties
        {
            return bad("the number of local units differs");
        }
        if self.state.uprising.risen_weight.len() != self.fixed.strength.len()
            || !self
                .state
                .uprising
                .risen_weight
                .iter()
                .all(|&w| w.is_finite() && w >= 0.0)
        {
            return bad("the weights of risen ties do not fit the network");
        }
        for (i, h) in self.state.persons.hot.iter().enumerate() {
            if usize::from(h.state) >= STATES.len() || h.region != shape.region_of[i] {
                return bad(format!("person {i} has an impossible state or region"));
            }
        }
        let cells = self.state.cells.len();
        let c = &self.state.cells;
        if [
            c.region.len(),
            c.parent.len(),
            c.members.len(),
            c.listed.len(),
        ]
        .iter()
        .any(|&l| l != cells)
        {
            return bad("the cell tables have different lengths");
        }
        let cell = |k: u32| k == NO_CELL || (k as usize) < cells;
        if let Some(i) = self.state.persons.cell.iter().position(|&k| !cell(k)) {
            return bad(format!("person {i} names a cell that does not exist"));
        }
        for k in 0..cells {
            if usize::from(c.kind[k]) >= shape.kinds
                || usize::from(c.region[k]) >= shape.regions
                || !cell(c.parent[k])
                || !c.members[k].iter().all(|&i| person(i))
            {
                return bad(format!("cell {k} names something that does not exist"));
            }
        }
        if !c
            .committee
            .iter()
            .all(|k| k.is_none_or(|k| (k as usize) < cells))
        {
            return bad("a region's committee is not a cell");
        }
        for (r, g) in self.state.regions.iter().enumerate() {
            let lists = [&g.members, &g.cadres, &g.hiders, &g.risen, &g.fighters];
            if !lists.iter().all(|l| l.iter().all(|&i| person(i)))
                || !g.cells.iter().all(|&k| (k as usize) < cells)
                || g.open_cell.len() != shape.kinds
                || !g
                    .open_cell
                    .iter()
                    .all(|k| k.is_none_or(|k| (k as usize) < cells))
                || g.nearest_base
                    .is_some_and(|b| usize::from(b) >= shape.regions)
            {
                return bad(format!(
                    "region {r} lists someone or something that does not exist"
                ));
            }
            let quantities = [g.garrison, g.police, g.materials, g.hiding_rate, g.defected]
                .into_iter()
                .chain(g.pool)
                .chain(g.killed)
                .chain(g.turned);
            if !quantities.into_iter().all(amount)
                || !g.loyalty.iter().all(|&l| fraction(l))
                || !fraction(g.fear)
                || !fraction(g.control)
                || !fraction(g.mountain)
                || !g.exposure_cells.is_finite()
                || !g.exposure_members.is_finite()
                || ![
                    g.drive.value,
                    g.campaign.value,
                    g.appeal.value,
                    g.infiltrators.value,
                    g.strike.value,
                ]
                .iter()
                .all(|v| v.is_finite())
            {
                return bad(format!("region {r} has an impossible quantity"));
            }
        }
        for (k, col) in self.state.forces.columns.iter().enumerate() {
            if usize::from(col.region) >= shape.regions
                || !amount(col.strength)
                || !amount(col.arms)
            {
                return bad(format!("column {k} is impossible"));
            }
        }
        if !self.state.jail.queue.iter().all(|e| person(e.0 .1))
            || !self.state.uprising.frontier.iter().all(|&i| person(i))
            || !self
                .state
                .uprising
                .rescan
                .iter()
                .all(|&r| usize::from(r) < shape.regions)
            || !self
                .state
                .forces
                .fronts
                .iter()
                .all(|f| usize::from(f.0) < shape.regions)
        {
            return bad("a queue names someone or somewhere that does not exist");
        }
        Ok(())
    }
}
