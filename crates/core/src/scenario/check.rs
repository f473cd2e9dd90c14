//! [`Check`]: what validation gives a model to read and check its own section and events.
//!
//! Scenario validation reads the parts every model shares (time, regions, network, the
//! timeline's steps and fields), then hands a `Check` to the scenario's model
//! ([`crate::model::ModelDef`]) for its events and its section. The model reports problems
//! through it, so they are placed and rendered like every other problem, and records its
//! section's resolved form (every default filled in) through [`Check::resolve`].

use std::path::{Path, PathBuf};

use serde::de::{DeserializeOwned, IntoDeserializer};
use serde::Serialize;

use super::decode::{Node, Problems};
use super::raw::Spans;
use super::{Event, NetworkSpec, Region, Source, TimeSpan};

/// What the shared parts of a scenario validated to, as far as validation has come.
#[derive(Clone, Debug, Default)]
pub(crate) struct Context {
    pub scale: f64,
    pub time: Option<TimeSpan>,
    pub regions: Vec<Region>,
    pub network: Option<NetworkSpec>,
    pub events: Vec<Event>,
}

/// A scenario being validated, as a model sees it.
pub struct Check<'a> {
    pub(crate) problems: &'a mut Problems,
    pub(crate) spans: &'a mut Spans,
    pub(crate) source: &'a Source,
    /// The document's root table, once parsed.
    pub(crate) root: Option<Node<'a, 'a>>,
    /// The section being checked (`resistance`), while a model checks it.
    pub(crate) section: &'static str,
    pub(crate) cx: Context,
    pub(crate) resolved: Option<toml::Value>,
}

impl<'a> Check<'a> {
    pub(crate) fn new(
        problems: &'a mut Problems,
        spans: &'a mut Spans,
        source: &'a Source,
        root: Option<Node<'a, 'a>>,
    ) -> Check<'a> {
        Check {
            problems,
            spans,
            source,
            root,
            section: "",
            cx: Context {
                scale: 1.0,
                ..Context::default()
            },
            resolved: None,
        }
    }

    /// Reports a problem at `path` (a dotted field path such as `voter.noise`), with what is
    /// allowed or what was probably meant. A field already reported is not reported again.
    pub fn bad(&mut self, path: &str, message: impl Into<String>, help: Option<String>) {
        // A field that could not be read was reported then; "missing" would only repeat it.
        if self.problems.list.iter().any(|p| p.path == path) {
            return;
        }
        let span = self.spans.get(path).cloned().unwrap_or(0..0);
        self.problems.push(path, span, message, help);
    }

    /// Reports a problem at `path` even if the field has one already (problems of files, each
    /// with its own place).
    pub(crate) fn bad_each(
        &mut self,
        path: &str,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        let span = self.spans.get(path).cloned().unwrap_or(0..0);
        self.problems.push(path, span, message, help);
    }

    /// Checks `lo <= v <= hi`, reporting the field otherwise.
    pub fn range(&mut self, path: &str, v: f64, lo: f64, hi: f64, unit: &str) -> bool {
        if v < lo || v > hi {
            self.bad(
                path,
                format!("{v} is out of range"),
                Some(
                    if lo == f64::MIN_POSITIVE {
                        format!("allowed: above 0, at most {} {unit}", shown(hi))
                    } else {
                        format!("allowed: {} to {} {unit}", shown(lo), shown(hi))
                    }
                    .trim_end()
                    .to_string(),
                ),
            );
            false
        } else {
            true
        }
    }

    /// Checks a display name (a region's or an organization kind's `label`): 1 to 80
    /// visible characters, since it is printed in legends, on maps and in terminals.
    pub fn label(&mut self, path: &str, label: Option<&str>) {
        let Some(l) = label else { return };
        if l.trim().is_empty()
            || l.chars().count() > 80
            || super::problem::printable(l) != l
            || l.contains(['\n', '\t'])
        {
            self.bad(
                path,
                // Escaped, so that a tab or a newline is seen as what it is.
                format!("`{}` cannot be a label", l.escape_debug()),
                Some("allowed: 1 to 80 visible characters (spaces inside are fine)".into()),
            );
        }
    }

    /// Problems reported so far (to tell whether a part added any).
    pub fn problem_count(&self) -> usize {
        self.problems.list.len()
    }

    /// The scenario's `scale` (multiplier on every count of persons).
    pub fn scale(&self) -> f64 {
        self.cx.scale
    }

    /// The time span, if it validated.
    pub fn time(&self) -> Option<&TimeSpan> {
        self.cx.time.as_ref()
    }

    /// The regions, numbered in order.
    pub fn regions(&self) -> &[Region] {
        &self.cx.regions
    }

    /// Persons in all (after scaling).
    pub fn population(&self) -> u64 {
        self.cx
            .regions
            .iter()
            .map(|r| u64::from(r.population))
            .sum()
    }

    /// The network, if it validated.
    pub fn network(&self) -> Option<&NetworkSpec> {
        self.cx.network.as_ref()
    }

    /// The timeline (while a model checks its section; empty while it checks its events).
    pub fn events(&self) -> &[Event] {
        &self.cx.events
    }

    /// The folder relative paths in the scenario resolve against; `None` for embedded
    /// scenarios, which may not read files.
    pub fn base_dir(&self) -> Option<&Path> {
        self.source.base_dir.as_deref()
    }

    /// The file a scenario names at `field`. A scenario names files next to it, never
    /// elsewhere, because it may come from someone else: a relative path without `..` inside
    /// the scenario's folder. An absolute path is taken only with the file's SHA-256 (as the
    /// resolved scenario of a run names its files): such a file is hashed before it is read,
    /// and refused unread if the hash differs.
    pub fn scenario_file(&mut self, field: &str, path: &str, pinned: bool) -> Option<PathBuf> {
        let given = Path::new(path);
        if pinned && given.is_absolute() {
            return Some(given.to_path_buf());
        }
        let Some(base) = self.base_dir().map(Path::to_path_buf) else {
            self.bad(
                field,
                "a scenario given as text (embedded, from a checkpoint or the dashboard) cannot read files by relative path",
                Some("save the scenario in a folder beside the file".into()),
            );
            return None;
        };
        let inside = given.components().all(|k| {
            matches!(
                k,
                std::path::Component::Normal(_) | std::path::Component::CurDir
            )
        });
        if !inside || path.is_empty() {
            self.bad(
                field,
                format!("`{path}` is not a path inside the scenario's folder"),
                Some("give a relative path without `..`, e.g. data/ties.csv".into()),
            );
            return None;
        }
        let full = base.join(given);
        // A link inside the folder may point anywhere: what it names must be inside too.
        if let (Ok(real), Ok(root)) = (std::fs::canonicalize(&full), std::fs::canonicalize(&base)) {
            if !real.starts_with(&root) {
                self.bad(
                    field,
                    format!("`{path}` leads out of the scenario's folder (a link)"),
                    Some("put the file itself in the scenario's folder".into()),
                );
                return None;
            }
        }
        Some(full)
    }

    /// Whether the scenario has the model's section at all.
    pub fn has_section(&self) -> bool {
        self.section_node().is_some()
    }

    /// The model's section as the parsed tree, for the built-in models' field-by-field
    /// readers.
    pub(crate) fn section_node(&self) -> Option<Node<'a, 'a>> {
        self.root?
            .get_ref()
            .as_table()?
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == self.section)
            .map(|(_, v)| v)
    }

    /// Reads the model's section into `T` with serde (for models outside this crate). A
    /// section that does not fit is reported at its place, and `None` is returned; an absent
    /// section reads as `T::default()`.
    pub fn deserialize<T: DeserializeOwned + Default>(&mut self) -> Option<T> {
        let Some(node) = self.section_node() else {
            return Some(T::default());
        };
        match T::deserialize(node.clone().into_deserializer()) {
            Ok(v) => Some(v),
            Err(e) => {
                let span = e.span().unwrap_or_else(|| node.span());
                let section = self.section;
                self.problems
                    .push(section, span, e.message().trim().to_string(), None);
                None
            }
        }
    }

    /// Reads the model's section with a built-in model's field-by-field reader (an absent or
    /// unreadable section reads as its defaults, its problems reported), checks it, records
    /// its resolved form and returns the validated parameters.
    pub(crate) fn read_section<R, P>(
        &mut self,
        decode: fn(Node<'_, '_>, &str, &mut Problems, &mut Spans) -> Option<R>,
        validate: fn(&mut Check<'_>, &mut R) -> Option<P>,
    ) -> Option<crate::model::Payload>
    where
        R: Default + Serialize,
        P: crate::model::ModelData,
    {
        let section = self.section;
        let mut raw = self
            .section_node()
            .and_then(|n| decode(n, section, self.problems, self.spans))
            .unwrap_or_default();
        let params = validate(self, &mut raw);
        self.resolve(&raw);
        params.map(|p| std::sync::Arc::new(p) as crate::model::Payload)
    }

    /// The kind `kind` as a model's typed kind, reporting it at `path` if `parse` does not know
    /// it (which validation prevents: the kinds come from the same model).
    pub fn event_kind<K>(
        &mut self,
        kind: &str,
        path: &str,
        parse: fn(&str) -> Option<K>,
    ) -> Option<K> {
        let k = parse(kind);
        if k.is_none() {
            let section = self.section;
            self.bad(
                &format!("{path}.kind"),
                format!("`{kind}` is not an event of the `{section}` model"),
                None,
            );
        }
        k
    }

    /// Records the section as resolved (every default filled in): it is written into the
    /// resolved scenario beside each run, which must run again as it is.
    pub fn resolve(&mut self, section: &impl Serialize) {
        match toml::Value::try_from(section) {
            Ok(v) => self.resolved = Some(v),
            Err(e) => {
                let name = self.section;
                self.problems.push(
                    name,
                    0..0,
                    format!("the resolved section cannot be written: {e}"),
                    None,
                );
            }
        }
    }
}

/// A bound as a message shows it: in full where that is short, in scientific notation where
/// it would run to dozens of digits (`1e-12`, not `0.000000000001`).
pub(crate) fn shown(x: f64) -> String {
    let a = x.abs();
    if a != 0.0 && !(1e-4..1e15).contains(&a) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// `x` to three significant digits, as [`shown`] writes it (`8.76`, `2.09e-7`).
pub(crate) fn three_digits(x: f64) -> String {
    shown(format!("{x:.2e}").parse().unwrap_or(x))
}
