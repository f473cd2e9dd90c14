//! Decoding a parsed TOML tree into the raw scenario mirror, collecting every problem.
//!
//! serde stops at the first error; a scenario author wants all of them at once, each with its
//! field path and position. So the raw mirror is read field by field from the spanned tree that
//! the `toml` crate parses, and each misfit is recorded and skipped.

use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

/// A node of the parsed tree, with its byte span in the source.
pub(crate) type Node<'a, 'i> = &'a Spanned<DeValue<'i>>;

/// A problem before it is placed in a file or an override.
#[derive(Clone, Debug)]
pub(crate) struct RawProblem {
    pub path: String,
    pub span: Range<usize>,
    pub message: String,
    pub help: Option<String>,
}

/// Collects problems while decoding and validating.
#[derive(Default, Debug)]
pub(crate) struct Problems {
    pub list: Vec<RawProblem>,
}

impl Problems {
    pub fn push(
        &mut self,
        path: &str,
        span: Range<usize>,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        self.list.push(RawProblem {
            path: path.to_string(),
            span,
            message: message.into(),
            help,
        });
    }
}

/// Joins a path and a key: `regions[2]` + `name` = `regions[2].name`.
pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

/// A value that can be read from one TOML node.
pub(crate) trait FromToml: Sized {
    /// What the field expects, for error messages (`a number`, `a table`).
    const EXPECTED: &'static str;
    /// Reads the node, recording problems; `None` when it could not be read.
    fn from_toml(node: Node<'_, '_>, path: &str, problems: &mut Problems) -> Option<Self>;
}

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

fn wrong_type<T: FromToml>(node: Node<'_, '_>, path: &str, problems: &mut Problems) {
    problems.push(
        path,
        node.span(),
        format!(
            "expected {}, found {}",
            T::EXPECTED,
            type_name(node.get_ref())
        ),
        None,
    );
}

fn integer(node: Node<'_, '_>) -> Option<i128> {
    match node.get_ref() {
        DeValue::Integer(i) => i128::from_str_radix(i.as_str(), i.radix()).ok(),
        _ => None,
    }
}

impl FromToml for f64 {
    const EXPECTED: &'static str = "a number";
    fn from_toml(node: Node<'_, '_>, path: &str, problems: &mut Problems) -> Option<Self> {
        let v = match node.get_ref() {
            DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
            DeValue::Integer(_) => integer(node).map(|i| i as f64),
            _ => {
                wrong_type::<Self>(node, path, problems);
                return None;
            }
        };
        match v {
            Some(v) if v.is_finite() => Some(v),
            _ => {
                problems.push(path, node.span(), "expected a finite number", None);
                None
            }
        }
    }
}

macro_rules! unsigned {
    ($t:ty, $what:literal) => {
        impl FromToml for $t {
            const EXPECTED: &'static str = $what;
            fn from_toml(node: Node<'_, '_>, path: &str, problems: &mut Problems) -> Option<Self> {
                if !matches!(node.get_ref(), DeValue::Integer(_)) {
                    wrong_type::<Self>(node, path, problems);
                    return None;
                }
                let i = integer(node);
                match i.and_then(|i| <$t>::try_from(i).ok()) {
                    Some(v) => Some(v),
                    None => {
                        // The field's own limit, if it has one, is checked once the value is
                        // read; here only the sign and the type's width are known.
                        let message = if i.is_some_and(|i| i < 0) {
                            "out of range: it cannot be negative".to_string()
                        } else {
                            format!("out of range: at most {}", <$t>::MAX)
                        };
                        problems.push(path, node.span(), message, None);
                        None
                    }
                }
            }
        }
    };
}
unsigned!(u64, "a non-negative integer");
unsigned!(u32, "a non-negative integer");

impl FromToml for bool {
    const EXPECTED: &'static str = "a boolean (true or false)";
    fn from_toml(node: Node<'_, '_>, path: &str, problems: &mut Problems) -> Option<Self> {
        match node.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                wrong_type::<Self>(node, path, problems);
                None
            }
        }
    }
}

impl FromToml for String {
    const EXPECTED: &'static str = "a string";
    fn from_toml(node: Node<'_, '_>, path: &str, problems: &mut Problems) -> Option<Self> {
        match node.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            _ => {
                wrong_type::<Self>(node, path, problems);
                None
            }
        }
    }
}

/// A calendar date, written as a string (`"1936-05-05"`) or as a bare TOML date (`1936-05-05`).
/// Checked later by validation, which knows what the date is for.
#[derive(Clone, Debug)]
pub(crate) struct DateText(pub String);

impl FromToml for DateText {
    const EXPECTED: &'static str = "a date (YYYY-MM-DD)";
    fn from_toml(node: Node<'_, '_>, path: &str, problems: &mut Problems) -> Option<Self> {
        match node.get_ref() {
            DeValue::String(s) => Some(DateText(s.to_string())),
            DeValue::Datetime(d) if d.date.is_some() && d.time.is_none() => {
                Some(DateText(d.to_string()))
            }
            _ => {
                wrong_type::<Self>(node, path, problems);
                None
            }
        }
    }
}

impl<T: FromToml> FromToml for Vec<T> {
    const EXPECTED: &'static str = "an array";
    fn from_toml(node: Node<'_, '_>, path: &str, problems: &mut Problems) -> Option<Self> {
        let DeValue::Array(items) = node.get_ref() else {
            wrong_type::<Self>(node, path, problems);
            return None;
        };
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match T::from_toml(item, &format!("{path}[{i}]"), problems) {
                Some(v) => out.push(v),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }
}

/// A table of numbers under keys of the author's choosing (`[network.weights]`: a weight per
/// tie kind), in the order written, each with the span of its value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NumberTable(pub Vec<(String, f64)>, pub(crate) Vec<Range<usize>>);

impl NumberTable {
    /// The number under `key`, if given.
    pub fn get(&self, key: &str) -> Option<f64> {
        self.0.iter().find(|(k, _)| k == key).map(|&(_, v)| v)
    }
}

impl serde::Serialize for NumberTable {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl FromToml for NumberTable {
    const EXPECTED: &'static str = "a table of numbers";
    fn from_toml(node: Node<'_, '_>, path: &str, problems: &mut Problems) -> Option<Self> {
        let DeValue::Table(table) = node.get_ref() else {
            wrong_type::<Self>(node, path, problems);
            return None;
        };
        let mut out = NumberTable::default();
        let mut ok = true;
        for (k, v) in table.iter() {
            let key: &str = k.get_ref().as_ref();
            match f64::from_toml(v, &join(path, key), problems) {
                Some(x) => {
                    out.0.push((key.to_string(), x));
                    out.1.push(v.span());
                }
                None => ok = false,
            }
        }
        ok.then_some(out)
    }
}

/// A value with the span it came from, for checks made after decoding.
#[derive(Clone, Debug)]
pub(crate) struct At<T> {
    pub value: T,
    pub span: Range<usize>,
}

impl<T: FromToml> FromToml for At<T> {
    const EXPECTED: &'static str = T::EXPECTED;
    fn from_toml(node: Node<'_, '_>, path: &str, problems: &mut Problems) -> Option<Self> {
        T::from_toml(node, path, problems).map(|value| At {
            value,
            span: node.span(),
        })
    }
}

/// Reads the fields of one table, then reports the keys nobody asked for.
pub(crate) struct Fields<'a, 'i> {
    table: &'a DeTable<'i>,
    pub span: Range<usize>,
    pub path: String,
    known: Vec<&'static str>,
}

impl<'a, 'i> Fields<'a, 'i> {
    /// Opens `node` as a table, or records a type problem.
    pub fn open(node: Node<'a, 'i>, path: &str, problems: &mut Problems) -> Option<Self> {
        match node.get_ref() {
            DeValue::Table(table) => Some(Fields {
                table,
                span: node.span(),
                path: path.to_string(),
                known: Vec::new(),
            }),
            other => {
                problems.push(
                    path,
                    node.span(),
                    format!("expected a table, found {}", type_name(other)),
                    None,
                );
                None
            }
        }
    }

    /// The node of `key`, if present. Marks the key as known.
    pub fn node(&mut self, key: &'static str) -> Option<Node<'a, 'i>> {
        self.known.push(key);
        self.table
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() == key)
            .map(|(_, v)| v)
    }

    /// An optional field.
    pub fn get<T: FromToml>(&mut self, key: &'static str, problems: &mut Problems) -> Option<T> {
        let node = self.node(key)?;
        T::from_toml(node, &join(&self.path, key), problems)
    }

    /// A field that must be present.
    pub fn require<T: FromToml>(
        &mut self,
        key: &'static str,
        problems: &mut Problems,
    ) -> Option<T> {
        if self.node(key).is_none() {
            problems.push(
                &join(&self.path, key),
                self.span.start..self.span.start,
                format!("missing field `{key}`"),
                Some(format!("expected {}", T::EXPECTED)),
            );
            return None;
        }
        self.known.pop();
        self.get(key, problems)
    }

    /// Reports every key that no `get` asked for, suggesting the closest known key.
    pub fn finish(self, problems: &mut Problems) {
        for (k, _) in self.table.iter() {
            let name: &str = k.get_ref().as_ref();
            if self.known.contains(&name) {
                continue;
            }
            let closest = self
                .known
                .iter()
                .map(|cand| (strsim::jaro_winkler(name, cand), *cand))
                .filter(|(score, _)| *score > 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0));
            let help = match closest {
                Some((_, cand)) => format!("did you mean `{cand}`?"),
                None => format!("allowed keys: {}", self.known.join(", ")),
            };
            problems.push(
                &join(&self.path, name),
                k.span(),
                format!("unknown key `{name}`"),
                Some(help),
            );
        }
    }
}

/// Implements [`FromToml`], `Display` and serde for an enumeration written as a string.
macro_rules! string_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        $vis enum $name { $($(#[$vmeta])* $variant,)+ }

        impl $name {
            /// Every allowed spelling, in declaration order.
            pub const ALL: &'static [&'static str] = &[$($text),+];

            /// The spelling used in scenario files.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl $crate::scenario::decode::FromToml for $name {
            const EXPECTED: &'static str = "one of the allowed names";
            fn from_toml(
                node: $crate::scenario::decode::Node<'_, '_>,
                path: &str,
                problems: &mut $crate::scenario::decode::Problems,
            ) -> Option<Self> {
                let s = <String as $crate::scenario::decode::FromToml>::from_toml(node, path, problems)?;
                match s.as_str() {
                    $($text => Some($name::$variant),)+
                    other => {
                        problems.push(
                            path,
                            node.span(),
                            format!("unknown value `{other}`"),
                            Some($crate::scenario::decode::allowed_help(other, Self::ALL)),
                        );
                        None
                    }
                }
            }
        }
    };
}
pub(crate) use string_enum;

/// The help for a value not among `allowed`: the closest allowed one when one is close
/// (`final_ofensive` → `final_offensive`), then the whole list.
pub fn allowed_help(given: &str, allowed: &[&str]) -> String {
    let closest = allowed
        .iter()
        .map(|cand| (strsim::jaro_winkler(given, cand), *cand))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match closest {
        Some((_, cand)) => format!("did you mean `{cand}`? allowed: {}", allowed.join(", ")),
        None => format!("allowed: {}", allowed.join(", ")),
    }
}
