//! The `[civil_violence]` section: Epstein's (2002) parameters, with the names a reader of the
//! paper knows, and the switches on which implementations differ (see
//! `docs/models/civil_violence.md`).

use serde::Serialize;

use crate::scenario::decode::{string_enum, Fields, Node, Problems};
use crate::scenario::params::param_group;
use crate::scenario::raw::{get_at, Spans};

param_group! {
    /// Epstein's parameters (Table 2 of the paper; defaults are Run 2's).
    EpsteinParams / RawEpsteinParams {
        width: u32 = 40, [1, 100000], "sites",
            "Lattice width; every run of the paper uses a 40 × 40 torus.";
        height: u32 = 40, [1, 100000], "sites",
            "Lattice height.";
        citizen_density: f64 = 0.7, [0, 1], "fraction of sites",
            "Initial citizen (agent) density: 0.7 in every run of the paper.";
        cop_density: f64 = 0.04, [0, 1], "fraction of sites",
            "Initial cop density: 0.04 in Runs 1, 2 and 8, 0.074 in Runs 3-5, 0 in Runs 6-7.";
        legitimacy: f64 = 0.82, [0, 1], "fraction",
            "L, the regime's perceived legitimacy (Model II: of the other group), the same for all: 0.82 in Run 2.";
        vision: f64 = 7.0, [0, 1000], "sites",
            "v, citizens' vision radius: 1.7 in Runs 1, 6-8, 7 in Runs 2-5.";
        cop_vision: f64 = 7.0, [0, 1000], "sites",
            "v*, cops' vision radius.";
        k: f64 = 2.3, [0, 100], "per unit of C/A",
            "Arrest constant: P = 1 − exp(−k·C/A) = 0.9 when C = A = 1 (the paper's 2.3 ≈ ln 10).";
        threshold: f64 = 0.1, [0, 1], "grievance units",
            "T: a citizen is active iff G − N > T (strict).";
        max_jail_term: u32 = 30, [0, 1000000000], "steps",
            "J_max: jail terms are drawn from 0..J_max (see `jail_range`); 15 in Run 1, 30 in Run 2, 'infinite' (use a large value) in Runs 3-5.";
        movement: bool = true, [0, 1], "switch",
            "Rule M on: agents move to a random empty site within vision each turn (off in Run 1).";
        groups: u32 = 1, [1, 2], "groups",
            "1: Model I (citizens against a central authority); 2: Model II (two ethnic groups).";
        clone_probability: f64 = 0.05, [0, 1], "per agent per step",
            "Model II: chance of cloning onto an empty neighbouring site each step.";
        max_age: u32 = 200, [1, 1000000000], "steps",
            "Model II: each agent dies at an age drawn from U(0, max_age).";
        outburst_level: u32 = 50, [0, 1000000000], "active citizens",
            "An outburst is a maximal run of steps with more actives than this (the paper's Fig. 5 uses 50).";
    }
}

string_enum! {
    /// A named set of switches.
    pub enum Variant {
        /// The paper as printed: literal C/A, self counted once, von Neumann vision, move then act.
        Epstein2002 = "epstein2002",
        /// Mesa 3.5.1's `epstein_civil_violence` example.
        Mesa = "mesa",
        /// NetLogo's Rebellion model (Wilensky 2004).
        Netlogo = "netlogo",
    }
}

string_enum! {
    /// How C/A enters the arrest probability.
    pub enum RatioRule {
        /// P = 1 − exp(−k·C/A), as printed.
        Literal = "literal",
        /// round(C/A) with halves to even (Python's `round`, Mesa).
        RoundHalfEven = "round_half_even",
        /// floor(C/A) (NetLogo).
        Floor = "floor",
    }
}

string_enum! {
    /// How an agent counts itself among the actives.
    pub enum SelfCount {
        /// A = 1 + active others in vision (the paper, Mesa).
        Once = "once",
        /// A = 1 + actives in vision including oneself if active (NetLogo counts its own patch).
        Double = "double",
    }
}

string_enum! {
    /// The shape of a vision neighbourhood of radius v.
    pub enum VisionShape {
        /// |dx| + |dy| ≤ ⌊v⌋.
        VonNeumann = "von_neumann",
        /// max(|dx|, |dy|) ≤ ⌊v⌋.
        Moore = "moore",
        /// dx² + dy² ≤ v².
        Euclidean = "euclidean",
    }
}

string_enum! {
    /// The order of rules within an agent's turn.
    pub enum TurnOrder {
        /// Move, then act (the paper, NetLogo).
        MoveThenAct = "move_then_act",
        /// Act on the old neighbourhood, then move (Mesa).
        ActThenMove = "act_then_move",
    }
}

string_enum! {
    /// What a jailed citizen does to its site.
    pub enum JailedAgents {
        /// Leaves the lattice; comes back to its old site if empty, else to a random empty site.
        OffLattice = "off_lattice",
        /// Stays on its site and blocks it (Mesa).
        Blocking = "blocking",
        /// Stays on its site, which counts as empty: others may move in (NetLogo).
        Transparent = "transparent",
    }
}

string_enum! {
    /// Which integers a jail term is drawn from.
    pub enum JailRange {
        /// 0..=J_max (Mesa's `randint`).
        Inclusive = "inclusive",
        /// 0..J_max − 1 (NetLogo's `random`).
        Exclusive = "exclusive",
    }
}

string_enum! {
    /// How agents are placed at the start.
    pub enum Placement {
        /// Each site independently: citizen, cop or empty (binomial counts; Mesa).
        PerSite = "per_site",
        /// Exactly round(density × sites) of each, on random empty sites (NetLogo).
        Exact = "exact",
    }
}

string_enum! {
    /// When jail terms count down.
    pub enum Release {
        /// At the end of each step, for everyone in jail (NetLogo; the paper's reading).
        EndOfStep = "end_of_step",
        /// In the prisoner's own turn; released at its first turn with a spent term (Mesa).
        OwnTurn = "own_turn",
    }
}

string_enum! {
    /// Faithful (agent by agent, exact neighbourhoods) or fast (row prefix sums).
    pub enum Mode {
        /// Random sequential activation with up-to-date neighbourhood counts.
        Faithful = "faithful",
        /// Neighbourhood counts from the start of the step, in O(radius) per agent.
        Fast = "fast",
    }
}

/// Implementation switches, as written (each may be left to the variant).
#[derive(Clone, Debug, Default, Serialize)]
pub struct RawSwitches {
    /// The named preset.
    pub variant: Option<Variant>,
    /// C/A rule.
    pub ratio: Option<RatioRule>,
    /// Self count.
    pub self_count: Option<SelfCount>,
    /// Vision shape.
    pub vision_shape: Option<VisionShape>,
    /// Whether an agent's own site is in its vision.
    pub own_site: Option<bool>,
    /// Turn order.
    pub order: Option<TurnOrder>,
    /// Jailed agents.
    pub jailed: Option<JailedAgents>,
    /// Jail-term range.
    pub jail_range: Option<JailRange>,
    /// Placement.
    pub placement: Option<Placement>,
    /// Whether cops move when `movement` is off.
    pub cops_move_when_still: Option<bool>,
    /// Whether a cop steps onto the arrest site.
    pub cop_steps_onto_arrest: Option<bool>,
    /// Whether legitimacy can change during a run.
    pub dynamic_legitimacy: Option<bool>,
    /// When jail terms count down.
    pub release: Option<Release>,
    /// Faithful or fast.
    pub mode: Option<Mode>,
    /// Steps at which the lattice is drawn into the run folder.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshots: Option<Vec<u32>>,
}

/// The switches, resolved.
#[derive(Clone, Debug, PartialEq)]
pub struct Switches {
    /// The preset the others default to.
    pub variant: Variant,
    /// C/A rule.
    pub ratio: RatioRule,
    /// Self count.
    pub self_count: SelfCount,
    /// Vision shape.
    pub vision_shape: VisionShape,
    /// Whether an agent's own site is in its vision.
    pub own_site: bool,
    /// Turn order.
    pub order: TurnOrder,
    /// Jailed agents.
    pub jailed: JailedAgents,
    /// Jail-term range.
    pub jail_range: JailRange,
    /// Placement.
    pub placement: Placement,
    /// Whether cops move when `movement` is off.
    pub cops_move_when_still: bool,
    /// Whether a cop steps onto the arrest site (if it then counts as empty).
    pub cop_steps_onto_arrest: bool,
    /// Whether legitimacy events take effect.
    pub dynamic_legitimacy: bool,
    /// When jail terms count down.
    pub release: Release,
    /// Faithful or fast.
    pub mode: Mode,
    /// Steps at which the lattice is drawn.
    pub snapshots: Vec<u32>,
}

impl Switches {
    /// The switches of a preset.
    pub fn preset(v: Variant) -> Switches {
        use Variant::*;
        let (ratio, self_count, shape, own, order, jailed, range, placement) = match v {
            Epstein2002 => (
                RatioRule::Literal,
                SelfCount::Once,
                VisionShape::VonNeumann,
                false,
                TurnOrder::MoveThenAct,
                JailedAgents::OffLattice,
                JailRange::Inclusive,
                Placement::Exact,
            ),
            Mesa => (
                RatioRule::RoundHalfEven,
                SelfCount::Once,
                VisionShape::VonNeumann,
                false,
                TurnOrder::ActThenMove,
                JailedAgents::Blocking,
                JailRange::Inclusive,
                Placement::PerSite,
            ),
            Netlogo => (
                RatioRule::Floor,
                SelfCount::Double,
                VisionShape::Euclidean,
                true,
                TurnOrder::MoveThenAct,
                JailedAgents::Transparent,
                JailRange::Exclusive,
                Placement::Exact,
            ),
        };
        Switches {
            variant: v,
            ratio,
            self_count,
            vision_shape: shape,
            own_site: own,
            order,
            jailed,
            jail_range: range,
            placement,
            cops_move_when_still: v == Netlogo,
            cop_steps_onto_arrest: v == Netlogo,
            dynamic_legitimacy: v != Mesa,
            release: if v == Mesa {
                Release::OwnTurn
            } else {
                Release::EndOfStep
            },
            mode: Mode::Faithful,
            snapshots: Vec::new(),
        }
    }

    /// Fills the raw switches from the preset where they are absent.
    pub(crate) fn resolve(raw: &mut RawSwitches) -> Switches {
        let variant = *raw.variant.get_or_insert(Variant::Epstein2002);
        let p = Switches::preset(variant);
        Switches {
            variant,
            ratio: *raw.ratio.get_or_insert(p.ratio),
            self_count: *raw.self_count.get_or_insert(p.self_count),
            vision_shape: *raw.vision_shape.get_or_insert(p.vision_shape),
            own_site: *raw.own_site.get_or_insert(p.own_site),
            order: *raw.order.get_or_insert(p.order),
            jailed: *raw.jailed.get_or_insert(p.jailed),
            jail_range: *raw.jail_range.get_or_insert(p.jail_range),
            placement: *raw.placement.get_or_insert(p.placement),
            cops_move_when_still: *raw
                .cops_move_when_still
                .get_or_insert(p.cops_move_when_still),
            cop_steps_onto_arrest: *raw
                .cop_steps_onto_arrest
                .get_or_insert(p.cop_steps_onto_arrest),
            dynamic_legitimacy: *raw.dynamic_legitimacy.get_or_insert(p.dynamic_legitimacy),
            release: *raw.release.get_or_insert(p.release),
            mode: *raw.mode.get_or_insert(p.mode),
            snapshots: raw.snapshots.clone().unwrap_or_default(),
        }
    }
}

/// `[civil_violence]`, as written.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RawCivilViolence {
    /// Parameters (flattened into the section).
    #[serde(flatten)]
    pub params: RawEpsteinParams,
    /// Switches (flattened into the section).
    #[serde(flatten)]
    pub switches: RawSwitches,
}

impl RawCivilViolence {
    pub(crate) fn decode(
        n: Node<'_, '_>,
        path: &str,
        p: &mut Problems,
        s: &mut Spans,
    ) -> Option<Self> {
        // Switches are read here; the parameters by the group's decoder on the same table,
        // which reports keys that neither knows.
        let mut f = Fields::open(n, path, p)?;
        let switches = RawSwitches {
            variant: get_at(&mut f, "variant", p, s),
            ratio: get_at(&mut f, "ratio", p, s),
            self_count: get_at(&mut f, "self_count", p, s),
            vision_shape: get_at(&mut f, "vision_shape", p, s),
            own_site: get_at(&mut f, "own_site", p, s),
            order: get_at(&mut f, "order", p, s),
            jailed: get_at(&mut f, "jailed", p, s),
            jail_range: get_at(&mut f, "jail_range", p, s),
            placement: get_at(&mut f, "placement", p, s),
            cops_move_when_still: get_at(&mut f, "cops_move_when_still", p, s),
            cop_steps_onto_arrest: get_at(&mut f, "cop_steps_onto_arrest", p, s),
            dynamic_legitimacy: get_at(&mut f, "dynamic_legitimacy", p, s),
            release: get_at(&mut f, "release", p, s),
            mode: get_at(&mut f, "mode", p, s),
            snapshots: get_at(&mut f, "snapshots", p, s),
        };
        let params = RawEpsteinParams::decode_known(&mut f, path, p, s);
        f.finish(p);
        Some(RawCivilViolence { params, switches })
    }
}

/// The validated `[civil_violence]` section.
#[derive(Clone, Debug, PartialEq)]
pub struct CivilViolenceParams {
    /// Epstein's parameters.
    pub epstein: EpsteinParams,
    /// Implementation switches.
    pub switches: Switches,
}
