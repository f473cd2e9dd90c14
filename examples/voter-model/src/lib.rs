//! The voter model (Clifford and Sudbury 1973; Holley and Liggett 1975), written outside
//! mobilize's core as an example of how a researcher adds a model without forking.
//!
//! Each person holds opinion 0 or 1. At each step, each person, with probability `rate`,
//! copies the opinion one of their ties held at the previous step (a tie chosen at random),
//! and with probability `noise` then takes a random opinion instead. On a connected network
//! without noise, the opinions reach consensus; the expected share holding 1 is a martingale.
//!
//! Everything mobilize needs to know about the model is in [`Voter`], a
//! [`ModelDef`]: its section `[voter]`, its event `convert`, its chart groups and maps, and how
//! its state is built. `main.rs` passes it to [`mobilize_core::scenario::Scenario::load_with`]
//! and runs the scenario with mobilize's engine into a normal run folder.

use std::sync::Arc;

use mobilize_core::model::state::StateError;
use mobilize_core::model::{
    data, ChartGroup, EventShape, MapFamily, Model, ModelDef, ModelMeta, Payload,
};
use mobilize_core::observe::{LogEntry, Outcome, Series, StopReason};
use mobilize_core::rng::{Purpose, Stream};
use mobilize_core::scenario::{Check, Event, EventArgs, NetworkSpec, Scenario};
use mobilize_core::world::World;
use serde::{Deserialize, Serialize};

/// The random streams of this model. Numbers from 1000 on are left to models outside the core.
const UPDATE: Purpose = Purpose(1000);
/// Initial opinions.
const INITIAL: Purpose = Purpose(1001);
/// Conversions by events.
const CONVERT: Purpose = Purpose(1002);

/// `[voter]` as written (and, with every default filled in, as resolved).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVoter {
    /// Share holding opinion 1 at the start (fraction; default 0.5).
    pub initial_share: Option<f64>,
    /// Probability per step that a person copies a tie (default 1).
    pub rate: Option<f64>,
    /// Probability per step that a person then takes a random opinion (default 0).
    pub noise: Option<f64>,
}

/// `[voter]`, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct Params {
    /// Share holding opinion 1 at the start (fraction).
    pub initial_share: f64,
    /// Probability per step of copying a tie.
    pub rate: f64,
    /// Probability per step of a random opinion.
    pub noise: f64,
}

/// What a `convert` event does: `share` of the people (of `region`) take opinion 1.
#[derive(Clone, Debug, PartialEq)]
pub struct Convert {
    /// Fraction of the people reached.
    pub share: f64,
    /// Region number, or everywhere.
    pub region: Option<u16>,
}

/// The voter model, as mobilize knows it.
pub struct Voter;

/// The one value of [`Voter`], to register with [`mobilize_core::model::Models::with`].
pub static VOTER: Voter = Voter;

impl ModelDef for Voter {
    fn name(&self) -> &'static str {
        "voter"
    }

    fn structural(&self) -> &'static [&'static str] {
        &[]
    }

    fn events(&self) -> &'static [EventShape] {
        &[EventShape {
            kind: "convert",
            needs: &["share"],
            may: &["region"],
        }]
    }

    fn event(
        &self,
        _kind: &'static str,
        a: &EventArgs,
        _path: &str,
        _c: &mut Check<'_>,
    ) -> Option<Payload> {
        Some(Arc::new(Convert {
            share: a.share,
            region: a.region,
        }))
    }

    fn section(&self, c: &mut Check<'_>) -> Option<Payload> {
        let mut raw: RawVoter = c.deserialize()?;
        let before = c.problem_count();
        let initial_share = *raw.initial_share.get_or_insert(0.5);
        let rate = *raw.rate.get_or_insert(1.0);
        let noise = *raw.noise.get_or_insert(0.0);
        c.range("voter.initial_share", initial_share, 0.0, 1.0, "");
        c.range("voter.rate", rate, 0.0, 1.0, "per step");
        c.range("voter.noise", noise, 0.0, 1.0, "per step");
        if matches!(c.network(), Some(NetworkSpec::None)) {
            c.bad(
                "network.kind",
                "the voter model copies opinions along ties: it needs a network",
                Some("set network.kind to structured, erdos_renyi or watts_strogatz".into()),
            );
        }
        c.resolve(&raw);
        (c.problem_count() == before).then(|| {
            Arc::new(Params {
                initial_share,
                rate,
                noise,
            }) as Payload
        })
    }

    fn meta(&self, _scenario: &Scenario) -> ModelMeta {
        ModelMeta {
            model: self.name().into(),
            groups: vec![
                ChartGroup::new("Share holding opinion 1", "fraction", "share", &["share_1"]),
                ChartGroup::new(
                    "Changes of opinion per step",
                    "persons per step",
                    "changes",
                    &["changes"],
                ),
            ],
            headline_unit: "persons".into(),
            maps: vec![MapFamily::new("opinion_1", false)],
            ..ModelMeta::default()
        }
    }

    fn build(&self, scenario: &Scenario, world: &World) -> Box<dyn Model> {
        let p = scenario.params::<Params>().clone();
        let n = world.people.len();
        let opinion: Vec<u8> = (0..n as u32)
            .map(|i| u8::from(Stream::new(scenario.seed, INITIAL, 0, i).bernoulli(p.initial_share)))
            .collect();
        Box::new(State {
            seed: scenario.seed,
            regions: (0..scenario.regions.len() as u16)
                .map(|r| world.people.of_region(r))
                .collect(),
            p,
            opinion,
            changes: 0,
            consensus: None,
        })
    }
}

/// The voter model's state: one opinion per person.
pub struct State {
    seed: u64,
    /// The persons of each region (people are numbered region by region).
    regions: Vec<std::ops::Range<u32>>,
    p: Params,
    /// Opinion of each person (0 or 1).
    pub opinion: Vec<u8>,
    /// People who changed opinion in the last step.
    changes: u64,
    /// First step at which everyone held one opinion.
    consensus: Option<u32>,
}

impl State {
    fn holding_1(&self) -> u64 {
        self.opinion.iter().map(|&o| u64::from(o)).sum()
    }
}

impl Model for State {
    fn start(&mut self, _world: &World, _log: &mut Vec<LogEntry>) {}

    fn apply(&mut self, event: &Event, index: usize, world: &World, log: &mut Vec<LogEntry>) {
        let c = data::<Convert>(&event.action);
        let people = match c.region {
            Some(r) => world.people.of_region(r),
            None => 0..world.people.len() as u32,
        };
        // One stream per event, drawn person by person in order.
        let mut s = Stream::new(self.seed, CONVERT, event.step, index as u32);
        let mut converted = 0;
        for i in people {
            if s.bernoulli(c.share) && self.opinion[i as usize] == 0 {
                self.opinion[i as usize] = 1;
                converted += 1;
            }
        }
        log.push(LogEntry {
            step: event.step,
            kind: "convert".into(),
            region: c.region,
            count: converted,
            detail: format!("{converted} persons converted to opinion 1"),
        });
    }

    fn step(&mut self, step: u32, world: &World, _log: &mut Vec<LogEntry>) {
        let before = &self.opinion;
        let next: Vec<u8> = (0..before.len() as u32)
            .map(|i| {
                let mut s = Stream::new(self.seed, UPDATE, step, i);
                let ties = world.network.neighbours(i);
                let mut o = before[i as usize];
                if !ties.is_empty() && s.bernoulli(self.p.rate) {
                    o = before[ties[s.below(ties.len() as u32) as usize] as usize];
                }
                if self.p.noise > 0.0 && s.bernoulli(self.p.noise) {
                    o = u8::from(s.bernoulli(0.5));
                }
                o
            })
            .collect();
        self.changes = next.iter().zip(before).filter(|(a, b)| a != b).count() as u64;
        self.opinion = next;
        let ones = self.holding_1();
        if self.consensus.is_none() && (ones == 0 || ones == self.opinion.len() as u64) {
            self.consensus = Some(step);
        }
    }

    fn series(&self, out: &mut Series<'_>) {
        let ones = self.holding_1();
        out.put("opinion_1", ones as f64);
        out.per_region(
            "opinion_1",
            self.regions.iter().map(|r| {
                self.opinion[r.start as usize..r.end as usize]
                    .iter()
                    .map(|&o| f64::from(o))
                    .sum::<f64>()
            }),
        );
        let n = self.opinion.len().max(1) as f64;
        out.put("share_1", ones as f64 / n);
        out.put("changes", self.changes as f64);
    }

    fn settled(&self) -> bool {
        self.consensus.is_some() && self.p.noise == 0.0
    }

    fn save(&self) -> Vec<u8> {
        let mut bytes = self.changes.to_le_bytes().to_vec();
        bytes.extend(self.consensus.map_or(u32::MAX, |s| s).to_le_bytes());
        bytes.extend(&self.opinion);
        bytes
    }

    fn restore(&mut self, bytes: &[u8]) -> Result<(), StateError> {
        if bytes.len() != 12 + self.opinion.len() || bytes[12..].iter().any(|&o| o > 1) {
            return Err(StateError("not a voter-model state of this world".into()));
        }
        self.changes = u64::from_le_bytes(bytes[..8].try_into().expect("8 bytes"));
        let c = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
        self.consensus = (c != u32::MAX).then_some(c);
        self.opinion = bytes[12..].to_vec();
        Ok(())
    }

    fn outcome(&self, last_step: u32, reason: StopReason, _world: &World) -> Outcome {
        let ones = self.holding_1();
        let n = self.opinion.len() as u64;
        let share = ones as f64 / n.max(1) as f64;
        let sentence = match self.consensus {
            Some(s) => format!("Consensus on opinion {} at step {s}.", u8::from(ones == n)),
            None => format!(
                "No consensus by step {last_step}: {ones} of {n} hold opinion 1 ({:.1} %).",
                100.0 * share
            ),
        };
        let mut figures = vec![("final_share".to_string(), share)];
        if let Some(s) = self.consensus {
            figures.push(("consensus_step".to_string(), f64::from(s)));
        }
        Outcome {
            last_step,
            reason,
            figures,
            sentence,
        }
    }
}
