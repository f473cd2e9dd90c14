//! Organizations as cells in a hierarchy: who belongs where, founding and splitting, and the
//! visibility sums the police work from.
//!
//! Cell 0 is the central leadership (the Party Committee of the main force) in the leadership
//! region. The first cell founded in a region is that region's committee, under cell 0; every
//! later cell of the region is under its committee. Members of a cell know each other, so a
//! detected cell loses its members, while other cells are reached only through betrayal.

use super::people::{State, NO_CELL};
use super::Resistance;
use crate::observe::LogEntry;
use crate::world::World;

/// Cells as columns.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct Cells {
    /// Kind number (index into the scenario's kinds).
    pub kind: Vec<u8>,
    /// Region number.
    pub region: Vec<u16>,
    /// Parent cell ([`NO_CELL`] for the central leadership).
    pub parent: Vec<u32>,
    /// Members (persons naming this cell), in joining order.
    pub members: Vec<Vec<u32>>,
    /// Whether the cell is in its region's list of cells.
    pub listed: Vec<bool>,
    /// First cell of each region, its committee.
    pub committee: Vec<Option<u32>>,
    /// Persons naming a cell of each kind.
    pub kind_members: Vec<u64>,
    /// Whether each kind, if open, has been banned.
    pub banned: Vec<bool>,
}

impl Cells {
    /// Number of cells ever founded.
    pub fn len(&self) -> usize {
        self.kind.len()
    }

    /// Whether no cell exists.
    pub fn is_empty(&self) -> bool {
        self.kind.is_empty()
    }
}

impl Resistance {
    /// Whether `kind` is an open organization that is still legal: nobody is arrested for
    /// belonging to it.
    pub(super) fn legal(&self, kind: usize) -> bool {
        self.fixed.params.kinds[kind].open && !self.state.cells.banned[kind]
    }

    /// The visibility to the police of a cell of `kind` now: its exposure; none for an open
    /// organization while it is legal, `banned_exposure` once it is banned (its members were
    /// public).
    pub(super) fn exposure(&self, kind: usize) -> f64 {
        let k = &self.fixed.params.kinds[kind];
        match (k.open, self.state.cells.banned[kind]) {
            (false, _) => k.exposure,
            (true, false) => 0.0,
            (true, true) => k.banned_exposure,
        }
    }

    /// Open organizations whose ban comes today are banned: from now on their cells are
    /// clandestine and known to the police; each region's running sums of exposure are made
    /// again from its cells.
    pub(super) fn bans(&mut self, step: u32, log: &mut Vec<LogEntry>) {
        let mut any = false;
        for k in 0..self.fixed.params.kinds.len() {
            let kind = &self.fixed.params.kinds[k];
            if kind.open && kind.banned.is_some_and(|b| b <= step) && !self.state.cells.banned[k] {
                self.state.cells.banned[k] = true;
                any = true;
                log.push(LogEntry {
                    step,
                    kind: "organization_banned".into(),
                    region: None,
                    count: self.state.cells.kind_members[k],
                    detail: format!(
                        "`{}` is banned: its {} members are now known to the police",
                        kind.label, self.state.cells.kind_members[k]
                    ),
                });
            }
        }
        if !any {
            return;
        }
        for r in 0..self.state.regions.len() {
            let (mut cells, mut members) = (0.0, 0.0);
            for &c in &self.state.regions[r].cells {
                let size = self.state.cells.members[c as usize].len();
                if size > 0 {
                    let e = self.exposure(self.state.cells.kind[c as usize] as usize);
                    cells += e;
                    members += e * size as f64;
                }
            }
            self.state.regions[r].exposure_cells = cells;
            self.state.regions[r].exposure_members = members;
        }
    }

    /// Founds a cell of `kind` in `region` and returns its number.
    pub(super) fn found_cell(
        &mut self,
        kind: u8,
        region: u16,
        step: u32,
        log: &mut Vec<LogEntry>,
    ) -> u32 {
        let id = self.state.cells.len() as u32;
        let parent = match self.state.cells.committee[region as usize] {
            Some(c) => c,
            None => {
                self.state.cells.committee[region as usize] = Some(id);
                if id == 0 {
                    NO_CELL
                } else {
                    0
                }
            }
        };
        self.state.cells.kind.push(kind);
        self.state.cells.region.push(region);
        self.state.cells.parent.push(parent);
        self.state.cells.members.push(Vec::new());
        self.state.cells.listed.push(true);
        let r = &mut self.state.regions[region as usize];
        r.cells.push(id);
        let first_of_kind = r.open_cell[kind as usize].is_none();
        r.open_cell[kind as usize] = Some(id);
        self.state.tallies.cells_founded += 1;
        if first_of_kind && id != 0 {
            let k = &self.fixed.params.kinds[kind as usize].label;
            log.push(LogEntry {
                step,
                kind: "organization_founded".into(),
                region: Some(region),
                count: 1,
                detail: format!("first cell of {k} in {}", self.fixed.names[region as usize]),
            });
        }
        id
    }

    /// Adds person `i` to `cell`.
    pub(super) fn join_cell(&mut self, i: u32, cell: u32) {
        debug_assert_eq!(self.state.persons.cell[i as usize], NO_CELL);
        let kind = self.state.cells.kind[cell as usize] as usize;
        let exposure = self.exposure(kind);
        let region = self.state.cells.region[cell as usize] as usize;
        let members = &mut self.state.cells.members[cell as usize];
        members.push(i);
        let r = &mut self.state.regions[region];
        if members.len() == 1 {
            r.exposure_cells += exposure;
            if !self.state.cells.listed[cell as usize] {
                self.state.cells.listed[cell as usize] = true;
                r.cells.push(cell);
            }
        }
        r.exposure_members += exposure;
        self.state.persons.cell[i as usize] = cell;
        self.state.cells.kind_members[kind] += 1;
    }

    /// Removes person `i` from their cell, if any.
    pub(super) fn leave_cell(&mut self, i: u32) {
        let cell = self.state.persons.cell[i as usize];
        if cell == NO_CELL {
            return;
        }
        let kind = self.state.cells.kind[cell as usize] as usize;
        let exposure = self.exposure(kind);
        let region = self.state.cells.region[cell as usize] as usize;
        let members = &mut self.state.cells.members[cell as usize];
        if let Some(pos) = members.iter().position(|&m| m == i) {
            members.swap_remove(pos);
        }
        let r = &mut self.state.regions[region];
        r.exposure_members = (r.exposure_members - exposure).max(0.0);
        if members.is_empty() {
            r.exposure_cells = (r.exposure_cells - exposure).max(0.0);
        }
        self.state.persons.cell[i as usize] = NO_CELL;
        self.state.cells.kind_members[kind] -= 1;
    }

    /// The cell a new member of `kind` in `region` joins: `preferred` if it has room, else
    /// the region's open cell of that kind, else a new cell (a split, or the first).
    pub(super) fn cell_for(
        &mut self,
        kind: u8,
        region: u16,
        preferred: Option<u32>,
        step: u32,
        log: &mut Vec<LogEntry>,
    ) -> u32 {
        let size = self.fixed.params.kinds[kind as usize].cell_size as usize;
        if let Some(c) = preferred {
            if self.state.cells.kind[c as usize] == kind
                && self.state.cells.region[c as usize] == region
                && self.state.cells.members[c as usize].len() < size
            {
                return c;
            }
        }
        if let Some(c) = self.state.regions[region as usize].open_cell[kind as usize] {
            if self.state.cells.members[c as usize].len() < size {
                return c;
            }
        }
        self.found_cell(kind, region, step, log)
    }

    /// The kind a sympathizer `i` joins: the recruiter's if `i` is eligible, else one of the
    /// kinds open to `i`, drawn by weight. `None` if no kind admits `i` now.
    pub(super) fn kind_for(
        &self,
        i: u32,
        recruiter_kind: Option<u8>,
        u: f64,
        step: u32,
        world: &World,
    ) -> Option<u8> {
        let p = &world.people;
        let (age, sex, occ) = (
            p.age[i as usize],
            p.sex[i as usize],
            p.occupation[i as usize],
        );
        let open =
            |k: &super::params::Kind| !k.cadres_only && k.opens <= step && k.admits(age, sex, occ);
        if let Some(k) = recruiter_kind {
            if open(&self.fixed.params.kinds[k as usize]) {
                return Some(k);
            }
        }
        let total: f64 = self
            .fixed
            .params
            .kinds
            .iter()
            .filter(|k| open(k))
            .map(|k| k.weight)
            .sum();
        if total <= 0.0 {
            return None;
        }
        let mut x = u * total;
        let mut last = None;
        for (n, k) in self.fixed.params.kinds.iter().enumerate() {
            if open(k) && k.weight > 0.0 {
                last = Some(n as u8);
                if x < k.weight {
                    return last;
                }
                x -= k.weight;
            }
        }
        last
    }

    /// Makes sympathizer `i` a member of a cell of `kind`.
    pub(super) fn enrol(
        &mut self,
        i: u32,
        kind: u8,
        preferred: Option<u32>,
        step: u32,
        world: &World,
        log: &mut Vec<LogEntry>,
    ) {
        let region = world.people.region[i as usize];
        let cell = self.cell_for(kind, region, preferred, step, log);
        self.set_state(i, State::Member, world);
        self.join_cell(i, cell);
    }
}
