//! The `[resistance]` section: the resistance model's parameters and organization kinds.
//!
//! Every number is declared once with its unit, range, default and reason
//! ([`param_group!`]); `docs/models/resistance.md` lists them (a test checks that it lists
//! every one). Counts of persons given here are *before* scaling; the model multiplies them
//! by the scenario's `scale`, so a run at scale 1/100 is the same world in miniature.

use serde::Serialize;

use crate::scenario::decode::{join, At, Fields, Node, Problems};
use crate::scenario::params::param_group;
use crate::scenario::raw::{array, get_at, table, Spans};

param_group! {
    /// How grievance is spread over the people.
    PeopleParams / RawPeopleParams {
        grievance_peasant: f64 = 0.60, [0, 1], "fraction",
            "Mean grievance of peasants: in 1935 three of every four farm households were tenants (docs/data/korea.md §2) [E].";
        grievance_worker: f64 = 0.55, [0, 1], "fraction",
            "Mean grievance of industrial and mining workers: wartime labour drafts and long hours [E].";
        grievance_student: f64 = 0.50, [0, 1], "fraction",
            "Mean grievance of students: Japanese-only schooling and the 1938 ban on Korean lessons [E].";
        grievance_other: f64 = 0.35, [0, 1], "fraction",
            "Mean grievance of everyone else (traders, officials, landlords) [E].";
        grievance_sd: f64 = 0.15, [0, 0.5], "fraction",
            "Spread of grievance within an occupation (normal, clipped to 0..1) [E].";
    }
}

param_group! {
    /// Outreach and recruitment by members and cadres.
    OutreachParams / RawOutreachParams {
        member_contacts: f64 = 0.15, [0, 10], "ties approached per member per day",
            "A member sounds out an acquaintance about once a week [E], which gives membership in the hundreds of thousands by 1945, as the source says (docs/data/korea.md §4). The Korean scenarios set this rate to its fit to the record of 1919 and 1937–1945 [F].";
        cadre_contacts: f64 = 0.5, [0, 10], "ties approached per cadre per day",
            "A trained cadre, whose work is organizing, approaches a tie every other day [E, set by hand: not fitted].";
        infiltrator_contacts: f64 = 0.5, [0, 50], "persons approached per infiltrator per day",
            "Small units sent into a region approach random people there, about one every two days [E].";
        persuade: f64 = 0.5, [0, 1], "probability scale",
            "Chance that an approached unreached person becomes a sympathizer, times grievance, (1 − risk_weight·risk) and (1 − fear) [E, set by hand: not fitted].";
        join: f64 = 0.5, [0, 1], "probability scale",
            "Chance that an approached sympathizer joins an organization, with the same factors [E, set by hand: not fitted].";
        cadre_skill: f64 = 2.0, [1, 10], "multiplier",
            "Cadres persuade and enrol this many times better than members: the source's 'hard core capable of leading' [E].";
        risk_weight: f64 = 0.8, [0, 1], "fraction",
            "How much risk aversion (0..1) cuts the chance of being won over [E].";
    }
}

param_group! {
    /// Contributions of the Ten-Point Programme and their use.
    ContributionParams / RawContributionParams {
        sympathizer_share: f64 = 0.2, [0, 1], "fraction of a member's contribution",
            "Sympathizers give, but less and less regularly than members [E].";
        money_worker: f64 = 0.05, [0, 100], "yen per member per day",
            "Workers earned about 1 yen a day around 1937; a member gives one twentieth [E].";
        money_other: f64 = 0.08, [0, 100], "yen per member per day",
            "Traders and officials give more money than workers [E].";
        money_peasant: f64 = 0.005, [0, 100], "yen per member per day",
            "Tenant peasants have little cash [E].";
        provisions_peasant: f64 = 0.3, [0, 100], "kg of grain per member per day",
            "A peasant household member can spare a bowl of grain a day [E].";
        provisions_other: f64 = 0.05, [0, 100], "kg of grain per member per day",
            "Others buy and pass on a little food [E].";
        skill_worker: f64 = 0.5, [0, 24], "hours per member per day",
            "Workers give skilled labour: repairing arms, printing, transport [E].";
        skill_peasant: f64 = 0.1, [0, 24], "hours per member per day",
            "Peasants give labour in the slack season [E].";
        wisdom_student: f64 = 0.5, [0, 24], "hours per member per day",
            "Students write, teach and copy leaflets [E].";
        wisdom_other: f64 = 0.1, [0, 24], "hours per member per day",
            "Others give knowledge and information [E].";
        flow_to_base: f64 = 0.1, [0, 1], "fraction of a region's pool per day",
            "Contributions travel up the hierarchy to the nearest base within about ten days [E].";
        money_per_arm: f64 = 40.0, [0.01, 100000], "yen per arms unit",
            "Price of a rifle and ammunition on the black market in Manchuria [E]. The Korean scenarios set this rate to its fit to the record of 1919 and 1937–1945 [F]: the price then stands for all the money that never became a weapon.";
        skill_per_arm: f64 = 40.0, [0, 100000], "hours per arms unit",
            "Labour to procure, carry and repair one arms unit [E].";
        provisions_per_fighter: f64 = 0.8, [0, 10], "kg of grain per fighter per day",
            "A fighter's daily ration [E].";
        wisdom_per_cadre: f64 = 100.0, [0, 100000], "hours per cadre trained",
            "Teaching material and lessons for one political course [E].";
    }
}

param_group! {
    /// Bases and training.
    TrainingParams / RawTrainingParams {
        base_min_mountain: f64 = 0.6, [0, 1], "fraction of area",
            "Bases are chosen where mountains and forest hide them (source: 'selecting bases of activities') [E].";
        base_min_organized: f64 = 0.0005, [0, 1], "fraction of the region's population",
            "A base needs a local organization to feed and hide it [E, set by hand: not fitted].";
        max_bases: u32 = 6, [0, 1000], "bases",
            "At most this many bases are kept at once [E].";
        political: f64 = 0.02, [0, 10], "members per trainer per day",
            "A cadre at a base brings a member to cadre level in about 50 days [E].";
        military: f64 = 0.04, [0, 10], "members per trainer per day",
            "A cadre trains a fighter in about 25 days, if arms are there [E]. The Korean scenarios set this rate to its fit to the record of 1919 and 1937–1945 [F].";
    }
}

param_group! {
    /// Police, arrests, betrayal, fear and backlash.
    RepressionParams / RawRepressionParams {
        detection: f64 = 0.0005, [0, 1], "per cell per day",
            "Chance that the police find a cell of average visibility at reference police density and full control [E]. The Korean scenarios set this rate to its fit to the record of 1919 and 1937–1945 [F].";
        police_reference: f64 = 1.0, [0.001, 1000], "police per 1,000 persons",
            "Korea had about 21,800 police for 22 million people in 1938 (docs/data/korea.md §3).";
        exposure_size: f64 = 10.0, [0.1, 10000], "members",
            "A cell of this many members is twice as visible as a lone member [E].";
        arrest: f64 = 0.6, [0, 1], "fraction of a detected cell",
            "Share of a detected cell's members arrested; the rest are exposed [E].";
        hide: f64 = 0.8, [0, 1], "probability, times mountain share",
            "Exposed members who escape flee to the mountains [E].";
        betray: f64 = 0.25, [0, 1], "probability per arrested person",
            "Under interrogation an arrested person names one organized acquaintance [E].";
        jail_min: f64 = 180.0, [0, 100000], "days",
            "Shortest term under the Peace Preservation Law [E].";
        jail_max: f64 = 1460.0, [0, 100000], "days",
            "Longest term drawn (four years) [E].";
        fear_gain: f64 = 0.2, [0, 100], "fear per arrest per 1,000 persons",
            "Fear rises with arrests per head in the region [E].";
        fear_decay: f64 = 0.01, [0, 1], "per day",
            "Fear fades in about 100 days without arrests [E].";
        backlash: f64 = 0.03, [0, 1], "grievance per arrested tie",
            "Each arrest of a relative or friend adds to a person's grievance [E].";
    }
}

param_group! {
    /// Forces and Lanchester combat.
    CombatParams / RawCombatParams {
        fire: f64 = 0.01, [0, 10], "enemy persons killed per effective fighter per day",
            "Aimed fire coefficient of Lanchester's square law, the same for both sides; losses are deaths. Engel (1954) fitted the square law to Iwo Jima, among the most intense battles of the Pacific war: 0.054 US casualties per Japanese defender per day and 0.011 Japanese per American, killed and wounded together; deaths are a quarter to a third of casualties, so 0.003–0.018 killed a day [S]. Plausible in 0.0025–0.025 [E].";
        main_weight: f64 = 1.0, [0, 10], "effective fighters per person",
            "The main force, trained and armed, is the unit of effectiveness [E].";
        fighter_weight: f64 = 0.8, [0, 10], "effective fighters per person",
            "Fighters trained at bases [E].";
        armed_weight: f64 = 0.3, [0, 10], "effective fighters per person",
            "Risen people armed from the strategic materials where they are: at a base, or handed out by a main-force column [E].";
        unarmed_weight: f64 = 0.0, [0, 10], "effective fighters per person, in control only",
            "Whether unarmed risers take a region out of the ruling side's hands by their numbers alone, each counting as this share of an effective fighter in the control rule. 0 by default: crowds act on control through the forces, which arrest, disperse and fire on them and may stop obeying (`[resistance.loyalty]`). At 0.03 (one soldier per 33 risers, the earlier default) the 1919 call to rise, run with the same parameters (`korea-1919`), topples the colonial state 15 to 18 days after the call (3 seeds), which the record contradicts [E, U].";
        suppression: f64 = 0.002, [0, 1], "unarmed risers killed per effective ruling fighter per day",
            "The ruling side fires on unarmed crowds. In the March First Movement of 1919, 0.8-2 million people demonstrated, mostly in March and April, and 798 (Japanese count) to 7,509 (Park Eun-sik's) were killed; against 20,000-40,000 gendarmes, police and troops [U] over 60 days that is 0.0003-0.006 killed per member of the ruling forces per day [E, range from the record].";
        garrison_weight: f64 = 0.6, [0, 10], "effective fighters per person",
            "The 1945 garrison was mostly poorly trained reservists (docs/data/korea.md §3) [E]; no figure fixes the weight [U]: plausible in 0.3–1.2 (half to twice the default).";
        police_weight: f64 = 0.4, [0, 10], "effective fighters per person",
            "Police are armed but not trained for battle [E].";
        external_weight: f64 = 1.0, [0, 10], "effective fighters per person",
            "An outside regular army [E].";
        travel_days: f64 = 1.0, [0, 365], "days per region",
            "The main force moves to the next region of the plan in about a day (source: 'rapid advance') [E].";
        rally: f64 = 0.3, [0, 1], "fraction of the hiding people per day",
            "People hiding in the mountains come down to join an armed force in their region [E].";
        raid_rate: f64 = 0.02, [0, 1], "raids per infiltrator per day",
            "An infiltrated cadre takes part in a raid on a police post about every 50 days [E].";
        raid_reach: f64 = 0.002, [0, 1], "fraction of the region's people per raid",
            "Word of a raid reaches a share of the region, like an appeal [E].";
    }
}

param_group! {
    /// The uprising by thresholds on the social network.
    UprisingParams / RawUprisingParams {
        threshold_base: f64 = 0.75, [0, 1], "fraction of ties",
            "Threshold of a person of average risk aversion and no grievance [E]. The Korean scenarios set this rate to its fit to the record of 1919 and 1937–1945 [F].";
        risk_weight: f64 = 0.4, [0, 1], "fraction of ties per unit of risk aversion",
            "The more risk averse need more of their ties to have risen [E].";
        grievance_weight: f64 = 0.5, [0, 1], "fraction of ties per unit of grievance",
            "The aggrieved need fewer [E].";
        sympathizer_bonus: f64 = 0.2, [0, 1], "fraction of ties",
            "Sympathizers' thresholds are this much lower [E].";
        member_bonus: f64 = 0.4, [0, 1], "fraction of ties",
            "Members' thresholds are this much lower: 'organized people first' (cadres and fighters rise at once) [E].";
        armed_bonus: f64 = 0.15, [0, 1], "fraction of ties",
            "Thresholds are lower where an armed force stands [E].";
        fear_weight: f64 = 0.2, [0, 1], "fraction of ties per unit of fear",
            "Thresholds are higher where the region is afraid (fear 0..1, from arrests and fire on crowds): the fear that sends people home also keeps them there, so a person sent home by fear does not come back the next day while the fear lasts [E, U].";
    }
}

param_group! {
    /// Demobilization: people out in the rising go home again (the rising can ebb).
    DemobilizationParams / RawDemobilizationParams {
        fatigue: f64 = 0.02, [0, 1], "per day",
            "Chance a day that a person out in the rising goes home of their own accord: work, family and hunger call them back. 0.02 keeps the average person out about 50 days if nothing else acts; the March First Movement of 1919 had most of its demonstrations in March and April, about 60 days (docs/data/korea.md) [E, U]. The Korean scenarios set this rate to its fit to the record of 1919 and 1937–1945 [F].";
        fear_exit: f64 = 0.5, [0, 10], "per day per unit of fear",
            "Extra chance a day of going home, times the region's fear (0..1): arrests and fire on crowds send people home [E, U].";
        unsupported_exit: f64 = 0.2, [0, 10], "per day",
            "Extra chance a day of going home for a person whose risen ties have fallen below their threshold: the rule that brought them out no longer holds, and they leave within days as their ties do [E, U].";
        weariness: f64 = 0.1, [0, 1], "fraction of ties",
            "Threshold added for a person who has been out and gone home: to rise again they need more of their ties out than the first time [E, U].";
    }
}

param_group! {
    /// Policing of crowds: arrests of people out in the streets, dispersal, jail space.
    PolicingParams / RawPolicingParams {
        crowd_arrest: f64 = 0.03, [0, 100], "persons arrested per police officer per day",
            "In the March First Movement of 1919, 46,948 were arrested in about 60 days by 20,000-40,000 gendarmes, police and troops (docs/data/korea.md): 0.02-0.04 a day per member of the ruling forces [E, range from the record]. The Korean scenarios set this rate to its fit to the record of 1919 and 1937–1945 [F].";
        crowd_jail_min: f64 = 10.0, [0, 100000], "days",
            "Shortest detention of a person arrested in a crowd; most of 1919's arrested were flogged or fined and let go within weeks [E].";
        crowd_jail_max: f64 = 180.0, [0, 100000], "days",
            "Longest detention drawn for a person arrested in a crowd [E].";
        dispersal: f64 = 0.5, [0, 1000], "persons sent home per effective ruling fighter per day",
            "Troops and police break up crowds without killing: each effective member of the ruling forces sends about one person home every other day [E, U].";
        jail_capacity: f64 = 1e9, [0, 1e10], "persons (before scaling)",
            "Jail space for the people this model arrests, in all regions together. No arrest is made once it is full (those who would have been taken go free). The default is no limit; a scenario gives its country's figure [E].";
        killing_fear: f64 = 1.0, [0, 100], "times the fear of an arrest",
            "A person killed in a crowd frightens the region this many times as much as an arrest (`fear_gain`) [E].";
    }
}

param_group! {
    /// Loyalty of the ruling side's forces, and defection.
    LoyaltyParams / RawLoyaltyParams {
        garrison: f64 = 1.0, [0, 1], "fraction",
            "Loyalty of the garrison: the share of it that never stops obeying. An occupier's army far from home has nowhere to defect to: 1 by default [E].";
        police: f64 = 1.0, [0, 1], "fraction",
            "Loyalty of the police: a police drawn from the country's own people may waver. 1 by default; a scenario gives its country's figure [E].";
        defection: f64 = 0.005, [0, 1], "per day",
            "Largest share a day of the disloyal part of a force (1 − loyalty) that stops obeying, when facing crowds of its own people far larger than itself; scaled by the crowd's pressure. The March First Movement of 1919 (two months of crowds of up to a million) records no mass defection: at 0.005 a day, under a fifth of the disloyal part would have gone [E, U].";
        crowd_ratio: f64 = 10.0, [0.001, 100000], "unarmed risers per member of the forces",
            "Crowds this many times larger than the forces in a region press them half as hard as an overwhelming crowd: pressure = U / (U + crowd_ratio × forces) [E, U].";
        fire_erosion: f64 = 0.0, [0, 1000], "per unarmed person killed per member of the forces",
            "Orders to fire on crowds of their own people wear down a force's loyal share: each volley multiplies it by exp(−(1 − loyalty) × fire_erosion × killed / forces). 0 by default: no record fixes it; 1919's crowds were fired on for two months without a mass defection, which bounds it from above (docs) [E, U].";
        ties: f64 = 0.0, [0, 1000], "per day with the whole region out",
            "Ties to the risen wear down a force's loyal share: their relatives and neighbours are in the crowds. Each day it is multiplied by exp(−(1 − loyalty) × ties × (risen share of the region's people)). 0 by default [E, U].";
        prospects: f64 = 0.0, [0, 1000], "per day with the whole home population liberated",
            "The regime's prospects: as regions are lost, staying loyal looks worse. Each day a force's loyal share is multiplied by exp(−(1 − loyalty) × prospects × (share of the home population in liberated regions)). 0 by default [E, U].";
        join: f64 = 0.0, [0, 1], "fraction of those who stop obeying",
            "Share of the troops and police who stop obeying that take their arms to the rebels and fight beside the armed risen of their region, with the weight of the force they came from. 0 by default: those who stop obeying go home [E, U].";
    }
}

param_group! {
    /// Control, liberation and collapse.
    ControlParams / RawControlParams {
        adjust: f64 = 0.5, [0, 1], "fraction of the gap per day",
            "Control moves this fast toward the ruling side's share of the strength in the region. A model choice with no source [U]: plausible anywhere in 0.25–1 (half to twice the default).";
        liberation: f64 = 0.25, [0, 1], "control",
            "A region whose control falls below this is liberated. A model choice with no source [U]: plausible in 0.125–0.5 (half to twice the default).";
        recapture: f64 = 0.5, [0, 1], "control",
            "A liberated region whose control climbs back above this is lost again. A model choice [U]: it must be at least `liberation`; it acts only where the ruling side regains strength.";
        collapse_share: f64 = 0.5, [0, 1], "fraction of the home population",
            "The ruling system collapses when regions holding this share of the home population are liberated. A model choice with no source [U]: plausible in 0.25–0.75 (half to twice the default).";
    }
}

param_group! {
    /// Concession: the regime yields to the movement's demands when sustained mobilization
    /// costs it more than its resolve.
    ConcessionParams / RawConcessionParams {
        resolve: f64 = 1e9, [0, 1e9], "share-days",
            "The cost of mobilization the regime bears before it yields: the share of the home population out in the streets, summed over days (a striker counts `strike_weight` times). The default, 10⁹, is never reached: a regime concedes only where a scenario gives it a resolve. No record fixes one for Korea; a month with a tenth of the people out on strike builds a pressure of about 5 [E, U].";
        strike_weight: f64 = 3.0, [0, 1000], "times one person out in the streets",
            "A person out in a region under a strike call withdraws labour as well as being out: this many times the cost to the regime of one demonstrator [E, U].";
        forgetting: f64 = 0.05, [0, 1], "per day",
            "The weight of past costs fades at this rate: a movement must sustain its pressure, and a rising that went home a month ago weighs a fifth of what it did [E, U].";
    }
}

param_group! {
    /// Local committees that people form once they have risen (an observation: counted, not acted on).
    CommitteeParams / RawCommitteeParams {
        counties: u32 = 0, [0, 100000], "local units in the home regions",
            "The country is cut into this many local units, shared among the home regions by population; 0 counts none. Korea had 218 counties after the 1914 reform, besides a dozen or more cities (docs/data/korea.md) [S].";
        quorum: f64 = 0.05, [0, 1], "fraction of a unit's people",
            "A unit has a committee once this share of its people has risen (and is alive). A model choice [U]: no record says how many people a county's committee took; the docs report the count at 1 %, 5 % and 10 %.";
    }
}

/// `[resistance]`, as written.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RawResistance {
    /// Mass organizations on or off.
    pub organizations: Option<bool>,
    /// Region of the central leadership.
    pub leadership: Option<String>,
    /// Region whose liberation alone brings collapse.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capital: Option<String>,
    /// Cadres at the start, in the leadership region (persons, before scaling).
    pub initial_cadres: Option<f64>,
    /// Main-force fighters at the start, in the leadership region (persons, before scaling).
    pub initial_fighters: Option<f64>,
    /// Stop the run once the ruling system has collapsed or conceded.
    pub stop_at_collapse: Option<bool>,
    /// Dates (`YYYY-MM-DD`) at which headline figures are also taken, so that two accounts
    /// are compared at the same moment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report_dates: Option<Vec<String>>,
    /// `[resistance.people]`.
    pub people: Option<RawPeopleParams>,
    /// `[resistance.outreach]`.
    pub outreach: Option<RawOutreachParams>,
    /// `[resistance.contributions]`.
    pub contributions: Option<RawContributionParams>,
    /// `[resistance.training]`.
    pub training: Option<RawTrainingParams>,
    /// `[resistance.repression]`.
    pub repression: Option<RawRepressionParams>,
    /// `[resistance.combat]`.
    pub combat: Option<RawCombatParams>,
    /// `[resistance.uprising]`.
    pub uprising: Option<RawUprisingParams>,
    /// `[resistance.control]`.
    pub control: Option<RawControlParams>,
    /// `[resistance.demobilization]`.
    pub demobilization: Option<RawDemobilizationParams>,
    /// `[resistance.policing]`.
    pub policing: Option<RawPolicingParams>,
    /// `[resistance.loyalty]`.
    pub loyalty: Option<RawLoyaltyParams>,
    /// `[resistance.concession]`.
    pub concession: Option<RawConcessionParams>,
    /// `[resistance.who_rises]`: who may rise.
    pub who_rises: Option<RawWhoRises>,
    /// `[resistance.committees]`.
    pub committees: Option<RawCommitteeParams>,
    /// `[[resistance.kinds]]`.
    pub kinds: Option<Vec<RawKind>>,
}

/// `[resistance.who_rises]`: the people who may rise, by attribute.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RawWhoRises {
    /// Age bands that may rise (youth and adult if absent).
    pub ages: Option<Vec<String>>,
    /// Sexes that may rise (all if absent).
    pub sexes: Option<Vec<String>>,
    /// Occupations that may rise (all if absent).
    pub occupations: Option<Vec<String>>,
}

impl RawWhoRises {
    fn decode(n: Node<'_, '_>, path: &str, p: &mut Problems, s: &mut Spans) -> Option<Self> {
        let mut f = Fields::open(n, path, p)?;
        let t = RawWhoRises {
            ages: get_at(&mut f, "ages", p, s),
            sexes: get_at(&mut f, "sexes", p, s),
            occupations: get_at(&mut f, "occupations", p, s),
        };
        f.finish(p);
        Some(t)
    }
}

/// Who may rise: eligibility by age band, sex and occupation.
#[derive(Clone, Debug, PartialEq)]
pub struct WhoRises {
    /// Indexed like [`crate::population::AGE_BANDS`].
    pub ages: [bool; 3],
    /// Indexed like [`crate::population::SEXES`].
    pub sexes: [bool; 2],
    /// Indexed like [`crate::population::OCCUPATIONS`].
    pub occupations: [bool; 4],
}

impl WhoRises {
    /// Whether everyone may rise.
    pub fn admits_all(&self) -> bool {
        self.ages
            .iter()
            .chain(&self.sexes)
            .chain(&self.occupations)
            .all(|&a| a)
    }

    /// Whether a person with these attribute codes may rise.
    pub fn admits(&self, age: u8, sex: u8, occupation: u8) -> bool {
        self.ages[age as usize] && self.sexes[sex as usize] && self.occupations[occupation as usize]
    }
}

/// `[[resistance.kinds]]`: an organization kind with its eligibility rule.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RawKind {
    /// Name (an identifier: it names columns, `kind.<name>`).
    pub name: Option<String>,
    /// Display name (`Young Communist League`); the name by default.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Eligible age bands (all if absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ages: Option<Vec<String>>,
    /// Eligible sexes (all if absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sexes: Option<Vec<String>>,
    /// Eligible occupations (all if absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occupations: Option<Vec<String>>,
    /// Relative chance of being chosen among the kinds a recruit is eligible for.
    pub weight: Option<f64>,
    /// Members before a cell splits.
    pub cell_size: Option<u32>,
    /// Visibility to the police, relative to 1.
    pub exposure: Option<f64>,
    /// Members count as an armed presence and are trained as fighters first.
    pub paramilitary: Option<bool>,
    /// Only cadres join (by promotion).
    pub cadres_only: Option<bool>,
    /// Date from which people can join.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub opens: Option<String>,
    /// A legal, public organization (a union, a party): nobody is arrested for belonging to
    /// it while it is legal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open: Option<bool>,
    /// Date from which an open organization is banned (never, if absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub banned: Option<String>,
    /// Visibility to the police of a banned open organization's cells, relative to 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub banned_exposure: Option<f64>,
}

impl RawResistance {
    pub(crate) fn decode(
        n: Node<'_, '_>,
        path: &str,
        p: &mut Problems,
        s: &mut Spans,
    ) -> Option<Self> {
        let mut f = Fields::open(n, path, p)?;
        let t = RawResistance {
            organizations: get_at(&mut f, "organizations", p, s),
            leadership: get_at(&mut f, "leadership", p, s),
            capital: get_at(&mut f, "capital", p, s),
            initial_cadres: get_at(&mut f, "initial_cadres", p, s),
            initial_fighters: get_at(&mut f, "initial_fighters", p, s),
            stop_at_collapse: get_at(&mut f, "stop_at_collapse", p, s),
            report_dates: get_at(&mut f, "report_dates", p, s),
            people: table(&mut f, "people", p, s, RawPeopleParams::decode),
            outreach: table(&mut f, "outreach", p, s, RawOutreachParams::decode),
            contributions: table(&mut f, "contributions", p, s, RawContributionParams::decode),
            training: table(&mut f, "training", p, s, RawTrainingParams::decode),
            repression: table(&mut f, "repression", p, s, RawRepressionParams::decode),
            combat: table(&mut f, "combat", p, s, RawCombatParams::decode),
            uprising: table(&mut f, "uprising", p, s, RawUprisingParams::decode),
            control: table(&mut f, "control", p, s, RawControlParams::decode),
            demobilization: table(
                &mut f,
                "demobilization",
                p,
                s,
                RawDemobilizationParams::decode,
            ),
            policing: table(&mut f, "policing", p, s, RawPolicingParams::decode),
            loyalty: table(&mut f, "loyalty", p, s, RawLoyaltyParams::decode),
            concession: table(&mut f, "concession", p, s, RawConcessionParams::decode),
            who_rises: table(&mut f, "who_rises", p, s, RawWhoRises::decode),
            committees: table(&mut f, "committees", p, s, RawCommitteeParams::decode),
            kinds: array(&mut f, "kinds", p, s, RawKind::decode),
        };
        f.finish(p);
        Some(t)
    }
}

impl RawKind {
    fn decode(n: Node<'_, '_>, path: &str, p: &mut Problems, s: &mut Spans) -> Option<Self> {
        let mut f = Fields::open(n, path, p)?;
        let name = f.require::<At<String>>("name", p).map(|at| {
            s.insert(join(path, "name"), at.span);
            at.value
        });
        let t = RawKind {
            name,
            label: get_at(&mut f, "label", p, s),
            ages: get_at(&mut f, "ages", p, s),
            sexes: get_at(&mut f, "sexes", p, s),
            occupations: get_at(&mut f, "occupations", p, s),
            weight: get_at(&mut f, "weight", p, s),
            cell_size: get_at(&mut f, "cell_size", p, s),
            exposure: get_at(&mut f, "exposure", p, s),
            paramilitary: get_at(&mut f, "paramilitary", p, s),
            cadres_only: get_at(&mut f, "cadres_only", p, s),
            opens: get_at::<crate::scenario::decode::DateText>(&mut f, "opens", p, s).map(|d| d.0),
            open: get_at(&mut f, "open", p, s),
            banned: get_at::<crate::scenario::decode::DateText>(&mut f, "banned", p, s)
                .map(|d| d.0),
            banned_exposure: get_at(&mut f, "banned_exposure", p, s),
        };
        f.finish(p);
        Some(t)
    }
}

/// An organization kind, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct Kind {
    /// Name, as in the scenario (used in column names).
    pub name: String,
    /// Display name: the scenario's `label`, or the name.
    pub label: String,
    /// Eligible age bands, indexed like [`crate::population::AGE_BANDS`].
    pub ages: [bool; 3],
    /// Eligible sexes, indexed like [`crate::population::SEXES`].
    pub sexes: [bool; 2],
    /// Eligible occupations, indexed like [`crate::population::OCCUPATIONS`].
    pub occupations: [bool; 4],
    /// Relative chance of being chosen among the kinds a recruit is eligible for.
    pub weight: f64,
    /// Members before a cell splits (persons).
    pub cell_size: u32,
    /// Visibility to the police, relative to 1.
    pub exposure: f64,
    /// Members are an armed presence and are trained as fighters first.
    pub paramilitary: bool,
    /// Only cadres join, by promotion.
    pub cadres_only: bool,
    /// First step at which people can join.
    pub opens: u32,
    /// A legal, public organization: nobody is arrested for belonging to it while it is legal
    /// (its cells are invisible to detection and betrayal leads nowhere).
    pub open: bool,
    /// Step from which an open organization is banned, if ever.
    pub banned: Option<u32>,
    /// Visibility of a banned open organization's cells (its members were public, so the
    /// police know them): 5 × `exposure` unless the scenario says [E].
    pub banned_exposure: f64,
}

impl Kind {
    /// Whether a person with these attribute codes may join.
    pub fn admits(&self, age: u8, sex: u8, occupation: u8) -> bool {
        self.ages[age as usize] && self.sexes[sex as usize] && self.occupations[occupation as usize]
    }
}

/// The validated `[resistance]` section.
#[derive(Clone, Debug, PartialEq)]
pub struct ResistanceParams {
    /// Mass organizations on (the source's account) or off (the counterfactual).
    pub organizations: bool,
    /// Region of the central leadership (the Party Committee of the main force).
    pub leadership: u16,
    /// Region whose liberation alone brings collapse, if any.
    pub capital: Option<u16>,
    /// Cadres at the start, in the leadership region (persons, after scaling).
    pub initial_cadres: f64,
    /// Main-force fighters at the start, in the leadership region (persons, after scaling).
    pub initial_fighters: f64,
    /// Stop once the ruling system has collapsed.
    pub stop_at_collapse: bool,
    /// (date, step) at which headline figures are also taken, in step order.
    pub report_dates: Vec<(String, u32)>,
    /// Grievance.
    pub people: PeopleParams,
    /// Outreach and recruitment.
    pub outreach: OutreachParams,
    /// Contributions.
    pub contributions: ContributionParams,
    /// Bases and training.
    pub training: TrainingParams,
    /// Repression.
    pub repression: RepressionParams,
    /// Combat.
    pub combat: CombatParams,
    /// Uprising.
    pub uprising: UprisingParams,
    /// Control and collapse.
    pub control: ControlParams,
    /// Going home from the rising.
    pub demobilization: DemobilizationParams,
    /// Policing of crowds and jail space (`jail_capacity` after scaling).
    pub policing: PolicingParams,
    /// Defection of the ruling side's forces.
    pub loyalty: LoyaltyParams,
    /// Concession.
    pub concession: ConcessionParams,
    /// Who may rise.
    pub who_rises: WhoRises,
    /// Local committees (counted).
    pub committees: CommitteeParams,
    /// Organization kinds, in the scenario's order.
    pub kinds: Vec<Kind>,
}

/// Every parameter group with its table name, for the docs.
pub fn parameter_tables() -> Vec<(&'static str, &'static [crate::scenario::params::ParamDoc])> {
    vec![
        ("resistance.people", PeopleParams::PARAMS),
        ("resistance.outreach", OutreachParams::PARAMS),
        ("resistance.contributions", ContributionParams::PARAMS),
        ("resistance.training", TrainingParams::PARAMS),
        ("resistance.repression", RepressionParams::PARAMS),
        ("resistance.combat", CombatParams::PARAMS),
        ("resistance.uprising", UprisingParams::PARAMS),
        ("resistance.demobilization", DemobilizationParams::PARAMS),
        ("resistance.policing", PolicingParams::PARAMS),
        ("resistance.loyalty", LoyaltyParams::PARAMS),
        ("resistance.concession", ConcessionParams::PARAMS),
        ("resistance.control", ControlParams::PARAMS),
        ("resistance.committees", CommitteeParams::PARAMS),
    ]
}
