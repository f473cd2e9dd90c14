//! Per-region state: counts, lists of people the processes pick from, resources, forces,
//! fear and control. Everything a daily process needs without scanning the population.

use super::people::State;

/// Money, provisions, skill, wisdom: the four contributions of the Ten-Point Programme.
pub const RESOURCES: [&str; 4] = ["money", "provisions", "skill", "wisdom"];

/// Who was killed, and how: the categories of [`RegionState::killed`], in its order, with the
/// names of their series (`killed_<name>`).
pub const KILLED: [&str; 8] = [
    "ruling",
    "main_force",
    "outside",
    "fighters",
    "risen",
    "expedition_troops",
    "crowds",
    "turned",
];

/// Index into [`RegionState::killed`].
pub mod killed {
    /// Garrison and police killed in battles.
    pub const RULING: usize = 0;
    /// Main-force columns' losses in battles.
    pub const MAIN_FORCE: usize = 1;
    /// An outside army's losses in battles.
    pub const OUTSIDE: usize = 2;
    /// Fighters of the region killed (in battles and by punitive expeditions).
    pub const FIGHTERS: usize = 3;
    /// Armed risen people killed in battles.
    pub const RISEN: usize = 4;
    /// Troops of punitive expeditions killed by the fighters of a base.
    pub const EXPEDITION_TROOPS: usize = 5;
    /// Unarmed risen people shot down by the ruling side (suppression of crowds).
    pub const CROWDS: usize = 6;
    /// Troops and police who had joined the rebels, killed in battles.
    pub const TURNED: usize = 7;
}

/// A temporary multiplier or shift with the step at which it ends.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Timed {
    /// Value while in force.
    pub value: f64,
    /// First step at which it no longer applies.
    pub until: u32,
}

impl Timed {
    /// The value at `step`, or `otherwise` once expired.
    pub fn at(&self, step: u32, otherwise: f64) -> f64 {
        if step < self.until {
            self.value
        } else {
            otherwise
        }
    }
}

/// One region's changing state.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct RegionState {
    /// Persons (after scaling).
    pub population: u32,
    /// Persons per [`State`].
    pub count: [u64; 8],
    /// Persons hiding in the mountains.
    pub hiding: u64,
    /// Members, cadres and fighters by age band (3), sex (2) and occupation (4).
    pub organized_by: [u64; 9],
    /// Members and sympathizers by occupation: `[members, sympathizers][occupation]`.
    pub by_occupation: [[u64; 4]; 2],
    /// Members (pruned lazily: entries whose person is no longer a member are dropped when
    /// drawn).
    pub members: Vec<u32>,
    /// Cadres (pruned lazily, likewise).
    pub cadres: Vec<u32>,
    /// People hiding (pruned lazily).
    pub hiders: Vec<u32>,
    /// Risen people (exact).
    pub risen: Vec<u32>,
    /// Fighters (exact).
    pub fighters: Vec<u32>,
    /// Cells of this region (including empty ones, skipped when drawn).
    pub cells: Vec<u32>,
    /// Open cell of each kind (the one new recruits join), if any.
    pub open_cell: Vec<Option<u32>>,
    /// Σ kind exposure over non-empty cells.
    pub exposure_cells: f64,
    /// Σ kind exposure × size over cells.
    pub exposure_members: f64,
    /// Persons killed here since the start, by category ([`KILLED`]); forces are strengths in
    /// persons, so their losses may be fractions.
    pub killed: [f64; KILLED.len()],
    /// Fear, 0..1: cuts outreach and recruitment.
    pub fear: f64,
    /// Training and recruitment drive (multiplier).
    pub drive: Timed,
    /// Police campaign (multiplier on detection).
    pub campaign: Timed,
    /// Threshold shift from appeals (fraction of ties; negative lowers).
    pub appeal: Timed,
    /// Infiltrated small-unit cadres (persons).
    pub infiltrators: Timed,
    /// A strike call in force (1 while it lasts): those out withdraw their labour.
    pub strike: Timed,
    /// The call to rise has reached this region.
    pub open: bool,
    /// Resource pools: money (yen), provisions (kg), skill and wisdom (hours).
    pub pool: [f64; 4],
    /// Strategic materials at this region's base (arms units).
    pub materials: f64,
    /// A base is here.
    pub base: bool,
    /// Nearest base by neighbour steps (where contributions flow), if any.
    pub nearest_base: Option<u16>,
    /// Ruling troops (persons).
    pub garrison: f64,
    /// Police (persons).
    pub police: f64,
    /// Ruling side's control, 0..1.
    pub control: f64,
    /// Liberated (control fell below the liberation level and has not recovered).
    pub liberated: bool,
    /// Outside the ruled country.
    pub abroad: bool,
    /// Mountain share (fraction).
    pub mountain: f64,
    /// Young men may go into hiding at this rate per day (conscription).
    pub hiding_rate: f64,
    /// Troops and police who have stopped obeying here since the start (persons).
    pub defected: f64,
    /// The loyal share of each force ([`super::loyalty::FORCES`]): the part that never stops
    /// obeying, worn down by fire on crowds, ties to the risen and lost ground (fraction).
    pub loyalty: [f64; 2],
    /// Defectors of each force ([`super::loyalty::FORCES`]) who took their arms to the rebels
    /// and fight for them here (persons).
    pub turned: [f64; 2],
    /// Goings home from the rising here since the start (persons; one person may count
    /// more than once).
    pub went_home: u64,
    /// People arrested out of crowds here since the start.
    pub crowd_arrests: u64,
    /// People who have been out in the rising at least once (a rising after going home is not
    /// counted again): the participants, as a record counts them.
    pub ever_risen: u64,
}

impl RegionState {
    /// A region at the start of a run.
    pub fn new(region: &crate::scenario::Region, kinds: usize) -> RegionState {
        let mut count = [0; 8];
        count[State::Unreached as usize] = u64::from(region.population);
        let none = Timed {
            value: 0.0,
            until: 0,
        };
        RegionState {
            population: region.population,
            count,
            hiding: 0,
            organized_by: [0; 9],
            by_occupation: [[0; 4]; 2],
            members: Vec::new(),
            cadres: Vec::new(),
            hiders: Vec::new(),
            risen: Vec::new(),
            fighters: Vec::new(),
            cells: Vec::new(),
            open_cell: vec![None; kinds],
            exposure_cells: 0.0,
            exposure_members: 0.0,
            killed: [0.0; KILLED.len()],
            fear: 0.0,
            drive: none,
            campaign: none,
            appeal: none,
            infiltrators: none,
            strike: none,
            open: false,
            pool: [0.0; 4],
            materials: 0.0,
            base: false,
            nearest_base: None,
            garrison: region.field("garrison"),
            police: region.field("police"),
            control: region.field("control"),
            liberated: false,
            abroad: region.abroad,
            mountain: region.field("mountain_share"),
            hiding_rate: 0.0,
            defected: 0.0,
            loyalty: [1.0; 2],
            turned: [0.0; 2],
            went_home: 0,
            crowd_arrests: 0,
            ever_risen: 0,
        }
    }

    /// Members, cadres and fighters.
    pub fn organized(&self) -> u64 {
        self.count[State::Member as usize]
            + self.count[State::Cadre as usize]
            + self.count[State::Fighter as usize]
    }

    /// The ruling side's effective strength here: garrison · garrison_weight + police ·
    /// police_weight (effective fighters; only the forces that still obey are counted).
    pub fn ruling_strength(&self, c: &super::params::CombatParams) -> f64 {
        self.garrison * c.garrison_weight + self.police * c.police_weight
    }

    /// Police per 1,000 persons.
    pub fn police_density(&self) -> f64 {
        if self.population == 0 {
            0.0
        } else {
            self.police * 1000.0 / f64::from(self.population)
        }
    }
}
