//! `mobilize.ScenarioError`: a scenario's problems, each located as the CLI prints them.

use mobilize_core::scenario::{Origin, ScenarioError as CoreError};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

pyo3::create_exception!(
    mobilize,
    ScenarioError,
    PyValueError,
    "A scenario that does not validate. `.problems` lists every problem (not only the first), \
     each with `file`, `line`, `column`, `path`, `message` and `help`, the same ones \
     `mobilize validate` prints."
);

/// One problem of a scenario: where it is, what is wrong and what is allowed.
#[pyclass(frozen, module = "mobilize")]
#[derive(Clone)]
pub struct Problem {
    /// The scenario file's name as given (or `<embedded:NAME>`).
    #[pyo3(get)]
    file: String,
    /// 1-based line in the file, or `None` for a problem made by an override.
    #[pyo3(get)]
    line: Option<usize>,
    /// 1-based column in the file, or `None` for an override.
    #[pyo3(get)]
    column: Option<usize>,
    /// The override (`path=value`) that made the problem, if one did.
    #[pyo3(get)]
    r#override: Option<String>,
    /// The field's dotted path (`regions[2].population`); empty for the whole file.
    #[pyo3(get)]
    path: String,
    /// What is wrong.
    #[pyo3(get)]
    message: String,
    /// What is allowed, or what was probably meant.
    #[pyo3(get)]
    help: Option<String>,
}

#[pymethods]
impl Problem {
    fn __repr__(&self) -> String {
        let at = match (self.line, self.column, &self.r#override) {
            (Some(l), Some(c), _) => format!("{}:{l}:{c}", self.file),
            (_, _, Some(o)) => format!("--set {o}"),
            _ => self.file.clone(),
        };
        let help = self
            .help
            .as_ref()
            .map(|h| format!(" ({h})"))
            .unwrap_or_default();
        format!("{at}: {}: {}{help}", self.path, self.message)
    }

    fn __str__(&self) -> String {
        self.__repr__()
    }
}

/// The Python exception for a core scenario error.
pub fn to_py(py: Python<'_>, e: &CoreError) -> PyErr {
    let problems: Vec<Problem> = e
        .problems
        .iter()
        .map(|p| {
            let (line, column, r#override) = match &p.origin {
                Origin::File { line, column, .. } => (Some(*line), Some(*column), None),
                Origin::Override(o) => (None, None, Some(o.clone())),
            };
            Problem {
                file: e.file.clone(),
                line,
                column,
                r#override,
                path: p.path.clone(),
                message: p.message.clone(),
                help: p.help.clone(),
            }
        })
        .collect();
    let lines: Vec<String> = problems.iter().map(Problem::__repr__).collect();
    let err = ScenarioError::new_err(format!(
        "{} has {} problem{}:\n  {}",
        e.file,
        problems.len(),
        if problems.len() == 1 { "" } else { "s" },
        lines.join("\n  ")
    ));
    let list = problems
        .into_iter()
        .map(|p| Py::new(py, p))
        .collect::<PyResult<Vec<_>>>();
    match list {
        Ok(list) => match err.value(py).setattr("problems", list) {
            Ok(()) => err,
            Err(e) => e,
        },
        Err(e) => e,
    }
}
