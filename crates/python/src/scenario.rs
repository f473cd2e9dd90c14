//! `mobilize.Scenario`: a scenario file (or a built-in one) with overrides, validated by the
//! same code as the command line.

use std::path::PathBuf;

use mobilize_core::scenario::{embedded, Override, Scenario as Core, Source};
use pyo3::exceptions::{PyFileNotFoundError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};

/// A scenario: its text, where relative paths in it resolve, and the overrides applied to it
/// (`path=value`, as `--set` takes them). Immutable: `set` returns a new one.
#[pyclass(frozen, module = "mobilize")]
pub struct Scenario {
    name: String,
    text: String,
    base_dir: Option<PathBuf>,
    sets: Vec<String>,
    /// The scenario validated with its overrides, kept after the first time it is needed:
    /// reading a property does not read and check the whole scenario again. (Never copied:
    /// a copy is made to be changed.)
    validated: std::sync::OnceLock<Core>,
}

impl Clone for Scenario {
    fn clone(&self) -> Scenario {
        Scenario {
            name: self.name.clone(),
            text: self.text.clone(),
            base_dir: self.base_dir.clone(),
            sets: self.sets.clone(),
            validated: std::sync::OnceLock::new(),
        }
    }
}

/// A scenario as a function argument: a `Scenario`, or the name of a built-in one or the path
/// of a file (what `Scenario.load` takes), as peers accept a name wherever a model is asked for.
pub struct ScenarioArg(pub Scenario);

impl<'a, 'py> FromPyObject<'a, 'py> for ScenarioArg {
    type Error = PyErr;

    fn extract(obj: pyo3::Borrowed<'a, 'py, PyAny>) -> PyResult<ScenarioArg> {
        if let Ok(s) = obj.extract::<PyRef<'_, Scenario>>() {
            return Ok(ScenarioArg(s.clone()));
        }
        if obj.is_instance_of::<PyString>() || obj.hasattr("__fspath__").unwrap_or(false) {
            let p: PathBuf = obj.extract()?;
            return Scenario::load(&p.to_string_lossy()).map(ScenarioArg);
        }
        Err(PyTypeError::new_err(format!(
            "a scenario is a mobilize.Scenario, a built-in scenario's name or a file's path, not {}",
            obj.get_type().name()?
        )))
    }
}

impl Scenario {
    /// The source the core reads.
    pub fn source(&self) -> Source {
        Source {
            name: self.name.clone(),
            text: self.text.clone(),
            base_dir: self.base_dir.clone(),
        }
    }

    /// The overrides, with `extra` after them.
    pub fn sets_with(&self, extra: &[String]) -> Vec<String> {
        self.sets.iter().chain(extra).cloned().collect()
    }

    /// Validates with the overrides and `extra` (once, when there is no `extra`).
    pub fn load_with(&self, py: Python<'_>, extra: &[String]) -> PyResult<Core> {
        if extra.is_empty() {
            if let Some(core) = self.validated.get() {
                return Ok(core.clone());
            }
        }
        let sets = self.sets_with(extra);
        let overrides = sets
            .iter()
            .map(|s| Override::parse(s))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let source = self.source();
        let core = py
            .detach(|| Core::load(&source, &overrides))
            .map_err(|e| super::problems::to_py(py, &e))?;
        if extra.is_empty() {
            let _ = self.validated.set(core.clone());
        }
        Ok(core)
    }

    /// Where the scenario came from, as manifests record it.
    pub fn origin(&self) -> String {
        self.name.clone()
    }

    /// A scenario as read, without overrides.
    fn of(s: Source) -> Scenario {
        Scenario {
            name: s.name,
            text: s.text,
            base_dir: s.base_dir,
            sets: Vec::new(),
            validated: std::sync::OnceLock::new(),
        }
    }

    /// A copy with `extra` overrides after its own.
    pub fn with_overrides_vec(mut self, extra: Vec<String>) -> Scenario {
        self.validated = std::sync::OnceLock::new();
        self.sets.extend(extra);
        self
    }

    /// A copy whose text has `extra` appended (a `[[events]]` table).
    pub fn with_text_appended(&self, extra: &str) -> Scenario {
        let mut s = self.clone();
        if !s.text.ends_with('\n') {
            s.text.push('\n');
        }
        s.text.push_str(extra);
        s
    }

    /// A scenario given as text (no folder).
    pub fn from_text(text: &str, name: &str) -> Scenario {
        Scenario {
            name: name.to_string(),
            text: text.to_string(),
            base_dir: None,
            sets: Vec::new(),
            validated: std::sync::OnceLock::new(),
        }
    }

    /// The overrides as given.
    pub fn sets(&self) -> &[String] {
        &self.sets
    }
}

/// What a pickled scenario is made of: name, text, folder, overrides.
type Parts = (String, String, Option<PathBuf>, Vec<String>);

/// `value` as TOML text for an override (`True` → `true`, `"a"` → `"a"`, lists and dicts as
/// arrays and inline tables).
pub(crate) fn toml_of(v: &Bound<'_, PyAny>) -> PyResult<String> {
    toml_at(v, 0)
}

/// Most levels of lists and dicts a value may nest: deeper is refused before it is walked
/// (a list nested 10,000 deep, or one that holds itself, once overflowed the stack and killed
/// the interpreter).
pub(crate) const MAX_NESTING: usize = 32;

fn toml_at(v: &Bound<'_, PyAny>, depth: usize) -> PyResult<String> {
    if depth > MAX_NESTING {
        return Err(PyValueError::new_err(format!(
            "the value is nested more than {MAX_NESTING} lists or dicts deep (or holds itself); \
             allowed: at most {MAX_NESTING} levels"
        )));
    }
    if v.is_instance_of::<PyBool>() {
        return Ok(if v.extract::<bool>()? {
            "true"
        } else {
            "false"
        }
        .into());
    }
    if v.is_instance_of::<PyInt>() {
        return Ok(v.extract::<i128>()?.to_string());
    }
    if v.is_instance_of::<PyFloat>() {
        let f: f64 = v.extract()?;
        if !f.is_finite() {
            return Err(PyValueError::new_err(format!(
                "{f} is not a number TOML can hold"
            )));
        }
        return Ok(format!("{f:?}"));
    }
    if v.is_instance_of::<PyString>() {
        let s: String = v.extract()?;
        return Ok(toml_string(&s));
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        let items: Vec<String> = v
            .try_iter()?
            .map(|x| toml_at(&x?, depth + 1))
            .collect::<PyResult<_>>()?;
        return Ok(format!("[{}]", items.join(", ")));
    }
    if let Ok(d) = v.cast::<PyDict>() {
        let mut items = Vec::new();
        for (k, x) in d.iter() {
            let k: String = k.extract()?;
            items.push(format!("{} = {}", toml_string(&k), toml_at(&x, depth + 1)?));
        }
        return Ok(format!("{{{}}}", items.join(", ")));
    }
    Err(PyTypeError::new_err(format!(
        "a {} cannot be a scenario value (give a bool, int, float, str, list or dict)",
        v.get_type().name()?
    )))
}

/// A TOML basic string.
pub(crate) fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[pymethods]
impl Scenario {
    /// Loads a scenario file (a path) or a built-in scenario (a name from `scenarios()`).
    /// Nothing is validated yet: `validate()` (or running it) does.
    #[staticmethod]
    fn load(name_or_path: &str) -> PyResult<Scenario> {
        if !embedded::looks_like_path(name_or_path) {
            if let Some(s) = embedded::source(name_or_path) {
                return Ok(Scenario::of(s));
            }
            let names: Vec<&str> = embedded::ALL.iter().map(|(n, _)| *n).collect();
            return Err(PyValueError::new_err(format!(
                "`{name_or_path}` is neither a scenario file nor a built-in scenario (built in: {})",
                names.join(", ")
            )));
        }
        let s = Source::from_file(name_or_path).map_err(|why| {
            PyFileNotFoundError::new_err(format!(
                "cannot read scenario file `{name_or_path}`: {why}"
            ))
        })?;
        Ok(Scenario::of(s))
    }

    /// A scenario from TOML text; relative paths in it resolve against `base_dir` (none: it
    /// may not name files).
    #[staticmethod]
    #[pyo3(signature = (text, name = "<text>".to_string(), base_dir = None))]
    fn from_toml(text: String, name: String, base_dir: Option<PathBuf>) -> Scenario {
        Scenario {
            name,
            text,
            base_dir,
            sets: Vec::new(),
            validated: std::sync::OnceLock::new(),
        }
    }

    /// A copy with `path` set to `value` (`s.set("resistance.organizations", False)`), as
    /// `--set path=value` does.
    pub fn set(&self, path: &str, value: &Bound<'_, PyAny>) -> PyResult<Scenario> {
        let mut s = self.clone();
        s.sets.push(format!("{path}={}", toml_of(value)?));
        Ok(s)
    }

    /// A copy with overrides as the command line writes them (`["seed=7", "scale=0.01"]`).
    fn with_overrides(&self, overrides: Vec<String>) -> Scenario {
        let mut s = self.clone();
        s.sets.extend(overrides);
        s
    }

    /// Validates; raises `ScenarioError` with every problem. Returns the scenario itself.
    fn validate(slf: Bound<'_, Self>) -> PyResult<Bound<'_, Self>> {
        slf.get().load_with(slf.py(), &[])?;
        Ok(slf)
    }

    /// The resolved scenario as TOML: every default filled in (what a run folder keeps).
    fn to_toml(&self, py: Python<'_>) -> PyResult<String> {
        Ok(self.load_with(py, &[])?.resolved_toml())
    }

    /// The resolved value at a dotted path (`"resistance.outreach.persuade"`), as TOML text.
    fn get(&self, py: Python<'_>, path: &str) -> PyResult<Option<String>> {
        Ok(self.load_with(py, &[])?.value_at(path))
    }

    /// The scenario's name.
    #[getter]
    fn name(&self, py: Python<'_>) -> PyResult<String> {
        Ok(self.load_with(py, &[])?.name)
    }

    /// The model it runs.
    #[getter]
    fn model(&self, py: Python<'_>) -> PyResult<&'static str> {
        Ok(self.load_with(py, &[])?.model.name())
    }

    /// Its seed.
    #[getter]
    fn seed(&self, py: Python<'_>) -> PyResult<u64> {
        Ok(self.load_with(py, &[])?.seed)
    }

    /// Persons (after scaling).
    #[getter]
    fn population(&self, py: Python<'_>) -> PyResult<u32> {
        Ok(self.load_with(py, &[])?.population())
    }

    /// The overrides applied, as `path=value` texts.
    #[getter]
    fn overrides(&self) -> Vec<String> {
        self.sets.clone()
    }

    /// Where it came from (a path, or `<embedded:NAME>`).
    #[getter]
    fn source_name(&self) -> String {
        self.name.clone()
    }

    fn __repr__(&self) -> String {
        if self.sets.is_empty() {
            format!("Scenario({:?})", self.name)
        } else {
            format!("Scenario({:?}, overrides={:?})", self.name, self.sets)
        }
    }

    /// Pickled as its text, folder and overrides (so that process pools can run it).
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, Parts)> {
        let s = slf.get();
        let restore = slf.getattr("_restore")?;
        Ok((
            restore,
            (
                s.name.clone(),
                s.text.clone(),
                s.base_dir.clone(),
                s.sets.clone(),
            ),
        ))
    }

    #[staticmethod]
    fn _restore(
        name: String,
        text: String,
        base_dir: Option<PathBuf>,
        sets: Vec<String>,
    ) -> Scenario {
        Scenario {
            name,
            text,
            base_dir,
            sets,
            validated: std::sync::OnceLock::new(),
        }
    }
}

/// A whole number as a function argument (a count, a step, a replicate, a seed), checked
/// with a plain message: a negative number was turned down with Python's "out of range
/// integral type conversion attempted", which says nothing of what is allowed.
pub struct Whole<T>(pub T);

impl<'a, 'py, T> FromPyObject<'a, 'py> for Whole<T>
where
    T: TryFrom<i128> + Into<i128> + Copy + Bounded,
{
    type Error = PyErr;

    fn extract(obj: pyo3::Borrowed<'a, 'py, PyAny>) -> PyResult<Whole<T>> {
        if obj.is_instance_of::<PyBool>() || !obj.is_instance_of::<PyInt>() {
            return Err(PyTypeError::new_err(format!(
                "expected a whole number, not {}",
                obj.get_type().name()?
            )));
        }
        let v: i128 = match obj.extract() {
            Ok(v) => v,
            Err(_) => {
                return Err(PyValueError::new_err(format!(
                    "{} is too large: allowed 0 to {}",
                    obj.str()?,
                    T::MAX.into()
                )))
            }
        };
        if v < 0 {
            return Err(PyValueError::new_err(format!(
                "{v} is negative: counts, steps, replicates and seeds are 0 or more"
            )));
        }
        T::try_from(v).map(Whole).map_err(|_| {
            PyValueError::new_err(format!("{v} is too large: allowed 0 to {}", T::MAX.into()))
        })
    }
}

/// The largest value of an unsigned integer type (for [`Whole`]'s messages).
pub trait Bounded {
    /// The largest value.
    const MAX: Self;
}

impl Bounded for u32 {
    const MAX: u32 = u32::MAX;
}

impl Bounded for u64 {
    const MAX: u64 = u64::MAX;
}

/// The override a `scale=` argument makes; a scale that is not a finite number is refused
/// here (written as `NaN`, it was read back as text: "expected a number, found a string").
pub(crate) fn scale_set(scale: f64) -> PyResult<String> {
    if !scale.is_finite() {
        return Err(PyValueError::new_err(format!(
            "scale: {scale} is not a number a scale can be (allowed: above 0, at most 1000)"
        )));
    }
    Ok(format!("scale={scale:?}"))
}
