//! An experiment: design points × replicates, and the identity that names its folder.

use mobilize_core::model::Models;
use mobilize_core::scenario::{Override, Scenario, Source};

use crate::design::Design;
use crate::seeds::replicate_seed;
use crate::ExperimentError;

pub use mobilize_output::experiment::{Kind, Point};

/// One run of the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunSpec {
    /// Run number: `point × replicates + replicate`; its folder is `runs/<id, 6 digits>`.
    pub id: usize,
    /// Design point.
    pub point: usize,
    /// Replicate within the point.
    pub replicate: u32,
    /// Seed of every random stream of this run.
    pub seed: u64,
}

/// An experiment, fully specified: the same experiment always has the same identity, and so
/// the same folder, which is how a killed experiment is resumed by repeating its command.
#[derive(Clone, Debug)]
pub struct Experiment {
    /// What kind.
    pub kind: Kind,
    /// Scenario texts (one, or two for a comparison of two files).
    pub sources: Vec<Source>,
    /// Design points.
    pub points: Vec<Point>,
    /// Names of the varied parameters (columns of the design table).
    pub varied: Vec<String>,
    /// Replicates per point.
    pub replicates: u32,
    /// Base seed from which replicate seeds derive.
    pub base_seed: u64,
    /// The models its scenarios may name: the built-in ones unless a model from outside is
    /// added ([`Experiment::with_models`]).
    pub models: Models,
    /// Each point's scenario, once validated ([`Experiment::load_run`]).
    validated: std::sync::OnceLock<Vec<Scenario>>,
}

/// Most runs of one experiment.
pub const MAX_RUNS: usize = 10_000_000;

impl Experiment {
    /// An experiment from its parts (one read back from its manifest).
    pub fn new(
        kind: Kind,
        sources: Vec<Source>,
        points: Vec<Point>,
        varied: Vec<String>,
        replicates: u32,
        base_seed: u64,
    ) -> Experiment {
        Experiment {
            kind,
            sources,
            points,
            varied,
            replicates,
            base_seed,
            models: Models::default(),
            validated: std::sync::OnceLock::new(),
        }
    }

    /// The same experiment with its scenarios read by `models` (a model defined outside
    /// mobilize's crates among them).
    pub fn with_models(mut self, models: Models) -> Experiment {
        self.models = models;
        self.validated = std::sync::OnceLock::new();
        self
    }

    /// Replicates of one scenario with common overrides.
    pub fn ensemble(source: Source, sets: Vec<String>, replicates: u32, base_seed: u64) -> Self {
        Experiment {
            kind: Kind::Ensemble,
            sources: vec![source],
            points: vec![Point {
                label: "0".into(),
                source: 0,
                sets,
                values: vec![],
                origin: "the command line".into(),
            }],
            varied: vec![],
            replicates,
            base_seed,
            models: Models::default(),
            validated: std::sync::OnceLock::new(),
        }
    }

    /// Every row of `design` on top of `sets`, `replicates` times.
    pub fn sweep(
        source: Source,
        sets: Vec<String>,
        design: &Design,
        replicates: u32,
        base_seed: u64,
    ) -> Self {
        let points = design
            .rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let mut point_sets = sets.clone();
                point_sets.extend(design.keys.iter().zip(row).map(|(k, v)| format!("{k}={v}")));
                Point {
                    label: i.to_string(),
                    source: 0,
                    sets: point_sets,
                    values: row.clone(),
                    origin: match (&design.file, design.lines[i]) {
                        (Some(f), line) => format!("{} line {line}", f.display()),
                        (None, _) => format!(
                            "grid point {}",
                            design
                                .keys
                                .iter()
                                .zip(row)
                                .map(|(k, v)| format!("{k}={v}"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    },
                }
            })
            .collect();
        Experiment {
            kind: Kind::Sweep,
            sources: vec![source],
            points,
            varied: design.keys.clone(),
            replicates,
            base_seed,
            models: Models::default(),
            validated: std::sync::OnceLock::new(),
        }
    }

    /// Two arms, `a` and `b`, each a scenario and overrides, run with the same seeds.
    pub fn compare(
        a: (Source, Vec<String>),
        b: (Source, Vec<String>),
        replicates: u32,
        base_seed: u64,
    ) -> Self {
        let same = a.0.text == b.0.text && a.0.name == b.0.name;
        let mut sources = vec![a.0];
        if !same {
            sources.push(b.0);
        }
        let arm = |label: &str, source, sets: Vec<String>| Point {
            label: label.into(),
            source,
            values: vec![label.into()],
            sets,
            origin: format!("arm {label}"),
        };
        Experiment {
            kind: Kind::Compare,
            points: vec![arm("a", 0, a.1), arm("b", usize::from(!same), b.1)],
            sources,
            varied: vec!["arm".into()],
            replicates,
            base_seed,
            models: Models::default(),
            validated: std::sync::OnceLock::new(),
        }
    }

    /// The runs, point by point.
    pub fn runs(&self) -> impl Iterator<Item = RunSpec> + '_ {
        let n = self.replicates;
        (0..self.points.len()).flat_map(move |point| {
            (0..n).map(move |replicate| RunSpec {
                id: point * n as usize + replicate as usize,
                point,
                replicate,
                seed: replicate_seed(self.base_seed, replicate),
            })
        })
    }

    /// Number of runs.
    pub fn total_runs(&self) -> usize {
        self.points.len() * self.replicates as usize
    }

    /// The overrides of one run, as typed: the point's, then its seed.
    pub fn run_sets(&self, spec: &RunSpec) -> Vec<String> {
        let mut sets = self.points[spec.point].sets.clone();
        sets.push(format!("seed={}", spec.seed));
        sets
    }

    /// The scenario of one run: its point's, validated once for the whole experiment (with
    /// the files it names read once), with the run's seed set by value.
    pub fn load_run(&self, spec: &RunSpec) -> Result<Scenario, ExperimentError> {
        if self.validated.get().is_none() {
            let points = self.validate()?;
            let _ = self.validated.set(points);
        }
        let points = self.validated.get().expect("just set");
        Ok(points[spec.point].with_seed(spec.seed))
    }

    /// Checks every point before anything runs, so that a bad row costs nothing; returns the
    /// scenario of each point (with the base seed).
    pub fn validate(&self) -> Result<Vec<Scenario>, ExperimentError> {
        if self.replicates == 0 {
            return Err(crate::design::DesignError::Size {
                what: "0 replicates".into(),
                reason: "at least one is needed (`-n` on the command line, `n` in Python)".into(),
            }
            .into());
        }
        if self.total_runs() > MAX_RUNS {
            return Err(crate::design::DesignError::Size {
                what: format!(
                    "{} points × {} replicates",
                    self.points.len(),
                    self.replicates
                ),
                reason: format!("more than the {MAX_RUNS} runs an experiment may have"),
            }
            .into());
        }
        if let Some(k) = self.varied.iter().find(|k| k.as_str() == "seed") {
            return Err(crate::design::DesignError::Grid {
                arg: k.clone(),
                reason:
                    "seeds are not a design parameter: replicate seeds derive from --seed and -n"
                        .into(),
            }
            .into());
        }
        self.points
            .iter()
            .map(|p| {
                let mut sets = p.sets.clone();
                sets.push(format!("seed={}", self.base_seed));
                self.load(p, &sets)
            })
            .collect()
    }

    fn load(&self, point: &Point, sets: &[String]) -> Result<Scenario, ExperimentError> {
        let overrides = sets
            .iter()
            .map(|s| Override::parse(s))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| crate::design::DesignError::Grid {
                arg: e.arg.clone(),
                reason: format!("{} (in {})", e.reason, point.origin),
            })?;
        Scenario::load_with(&self.sources[point.source], &overrides, &self.models).map_err(|e| {
            ExperimentError::Scenario {
                context: point.origin.clone(),
                error: Box::new(e),
            }
        })
    }

    /// SHA-256 of everything that decides the results: kind, scenario texts, points,
    /// replicates and base seed (not thread counts, not output paths).
    pub fn identity(&self) -> String {
        let canonical = serde_json::json!({
            "kind": self.kind,
            "sources": self.sources.iter().map(|s| [&s.name, &s.text]).collect::<Vec<_>>(),
            "points": self.points.iter().map(|p| (&p.label, p.source, &p.sets)).collect::<Vec<_>>(),
            "varied": self.varied,
            "replicates": self.replicates,
            "base_seed": self.base_seed,
        });
        mobilize_output::Manifest::sha256(&canonical.to_string())
    }
}
