//! The scenarios the dashboard offers: the embedded ones, and the `.toml` files directly inside
//! the configured folder. A scenario is asked for by name, never by path, so no request can
//! reach a file elsewhere.

use std::path::Path;

use mobilize_core::scenario::{embedded, Origin, Override, Scenario, ScenarioError, Source};
use serde::Serialize;

/// One offered scenario.
#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    /// Name to ask for it by.
    pub name: String,
    /// `embedded` or `file`.
    pub origin: &'static str,
    /// Model it runs.
    pub model: String,
    /// Its description.
    pub description: String,
    /// Persons after scaling (0 for lattice models).
    pub persons: u64,
    /// Steps at most.
    pub steps: u32,
    /// Why a file in the scenarios folder cannot run (its first problem, located), if it
    /// cannot: it is listed, not silently left off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// A name is a plain word: letters, digits, `-`, `_`, `.` (no `/`, no `..`).
pub fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && !name.contains("..")
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// The source named `name`: a file `<folder>/<name>.toml` first, then an embedded scenario.
pub fn find(folder: Option<&Path>, name: &str) -> Option<Source> {
    if !plain_name(name) {
        return None;
    }
    if let Some(dir) = folder {
        let path = dir.join(format!("{name}.toml"));
        // Only a file that is in the folder: a link that leads out of it (`passwd.toml ->
        // /etc/passwd`) would show the other file's keys and shape through its parse errors.
        let inside = match (path.canonicalize(), dir.canonicalize()) {
            (Ok(p), Ok(d)) => p.starts_with(&d),
            _ => false,
        };
        let read = if inside {
            mobilize_core::files::read_regular(&path, 16 << 20).map(String::from_utf8)
        } else {
            Err(std::io::Error::other("not in the scenarios folder"))
        };
        if let Ok(Ok(text)) = read {
            return Some(Source {
                name: format!("{name}.toml"),
                text,
                base_dir: Some(dir.to_path_buf()),
            });
        }
    }
    embedded::source(name)
}

/// Every scenario offered, files first (sorted), then the embedded ones.
pub fn list(folder: Option<&Path>) -> Vec<Entry> {
    let mut names: Vec<(String, &'static str)> = Vec::new();
    if let Some(dir) = folder {
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .map(|d| {
                d.filter_map(|e| e.ok()?.file_name().into_string().ok())
                    .filter_map(|n| n.strip_suffix(".toml").map(str::to_string))
                    .filter(|n| plain_name(n))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        names.extend(files.into_iter().map(|n| (n, "file")));
    }
    names.extend(
        embedded::ALL
            .iter()
            .filter(|(n, _)| !names.iter().any(|(m, _)| m == n))
            .map(|(n, _)| (n.to_string(), "embedded"))
            .collect::<Vec<_>>(),
    );
    names
        .into_iter()
        .filter_map(|(name, origin)| {
            let source = find(folder, &name)?;
            let s = match Scenario::load(&source, &[]) {
                Ok(s) => s,
                Err(e) => {
                    let first = e.problems.first().map_or_else(String::new, |p| {
                        let at = match &p.origin {
                            mobilize_core::scenario::Origin::File { line, .. } => {
                                format!("line {line}: ")
                            }
                            mobilize_core::scenario::Origin::Override(_) => String::new(),
                        };
                        let path = if p.path.is_empty() {
                            String::new()
                        } else {
                            format!("{}: ", p.path)
                        };
                        format!("{at}{path}{}", p.message)
                    });
                    let more = e.problems.len().saturating_sub(1);
                    return Some(Entry {
                        model: String::new(),
                        description: String::new(),
                        persons: 0,
                        steps: 0,
                        problem: Some(if more > 0 {
                            format!("{first} (and {more} more)")
                        } else {
                            first
                        }),
                        name,
                        origin,
                    });
                }
            };
            Some(Entry {
                model: s.model.name().to_string(),
                description: s.description.clone(),
                persons: if s.model.lattice() {
                    0
                } else {
                    u64::from(s.population())
                },
                steps: s.time.steps,
                problem: None,
                name,
                origin,
            })
        })
        .collect()
}

/// A problem as the page shows it.
#[derive(Clone, Debug, Serialize)]
pub struct ProblemView {
    /// Field path (`regions[0].population`), or empty.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// What is allowed.
    pub help: Option<String>,
    /// Line in the text (1-based), when the problem is in the text.
    pub line: Option<usize>,
    /// Column in the text (1-based).
    pub column: Option<usize>,
    /// The override it came from, when it came from one.
    pub set: Option<String>,
}

/// The problems of a failed load, for the page.
pub fn problems(e: &ScenarioError) -> Vec<ProblemView> {
    e.problems
        .iter()
        .map(|p| {
            let (line, column, set) = match &p.origin {
                Origin::File { line, column, .. } => (Some(*line), Some(*column), None),
                Origin::Override(arg) => (
                    None,
                    None,
                    Some(mobilize_core::scenario::excerpt(arg, 200).into_owned()),
                ),
            };
            ProblemView {
                path: p.path.clone(),
                message: mobilize_core::scenario::excerpt(&p.message, 400).into_owned(),
                help: p
                    .help
                    .as_deref()
                    .map(|h| mobilize_core::scenario::excerpt(h, 2000).into_owned()),
                line,
                column,
                set,
            }
        })
        .collect()
}

/// Loads `source` with `sets`; problems (in the text or the overrides) as the page shows them.
pub fn load(source: &Source, sets: &[String]) -> Result<Scenario, Vec<ProblemView>> {
    let mut overrides = Vec::new();
    let mut bad = Vec::new();
    for s in sets {
        match Override::parse(s) {
            Ok(o) => overrides.push(o),
            Err(e) => bad.push(ProblemView {
                path: String::new(),
                message: e.to_string(),
                help: None,
                line: None,
                column: None,
                set: Some(mobilize_core::scenario::excerpt(s, 200).into_owned()),
            }),
        }
    }
    if !bad.is_empty() {
        return Err(bad);
    }
    Scenario::load(source, &overrides).map_err(|e| problems(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scenario file linked from outside the folder is not offered, nor read: its parse
    /// errors would show another file's keys and shape (`passwd.toml -> /etc/passwd`).
    #[cfg(unix)]
    #[test]
    fn a_link_that_leads_out_of_the_scenarios_folder_is_not_followed() {
        let outside = tempfile::tempdir().unwrap();
        let secret = outside.path().join("secret.txt");
        std::fs::write(&secret, "root:x:0:0:root:/root:/bin/sh\n").unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(&secret, dir.path().join("passwd.toml")).unwrap();
        std::fs::write(
            dir.path().join("mine.toml"),
            embedded::source("two-valleys").unwrap().text,
        )
        .unwrap();
        std::os::unix::fs::symlink(dir.path().join("mine.toml"), dir.path().join("alias.toml"))
            .unwrap();
        assert!(find(Some(dir.path()), "passwd").is_none());
        assert!(find(Some(dir.path()), "mine").is_some());
        // A link to a file inside the folder is a file of the folder.
        assert!(find(Some(dir.path()), "alias").is_some());
        let names: Vec<String> = list(Some(dir.path())).into_iter().map(|e| e.name).collect();
        assert!(!names.iter().any(|n| n == "passwd"), "{names:?}");
    }

    /// A file of the folder that cannot run is listed with its first problem (it was silently
    /// left off the list).
    #[test]
    fn an_invalid_file_is_listed_with_its_first_problem() {
        let dir = tempfile::tempdir().unwrap();
        let text = embedded::source("two-valleys")
            .unwrap()
            .text
            .replace("steps = 760", "steps = -5");
        std::fs::write(dir.path().join("broken.toml"), text).unwrap();
        let all = list(Some(dir.path()));
        let e = all.iter().find(|e| e.name == "broken").expect("listed");
        let why = e.problem.as_deref().expect("with its problem");
        assert!(
            why.starts_with("line ") && why.contains("time.steps"),
            "{why}"
        );
        assert!(all
            .iter()
            .filter(|e| e.name != "broken")
            .all(|e| e.problem.is_none()));
    }
}
