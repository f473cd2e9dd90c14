//! Command-line overrides: `--set path.to.key=value`, applied to the parsed tree before
//! decoding, so that they are validated exactly like the file.

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::decode::Problems;

/// One step of an override's path.
#[derive(Clone, Debug, PartialEq)]
pub enum Segment {
    /// A table key.
    Key(String),
    /// An index into an array (of tables).
    Index(usize),
}

/// A parsed `--set` argument.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    /// The argument as typed, for messages.
    pub arg: String,
    /// Where the value goes.
    pub path: Vec<Segment>,
    /// The path as validation spells it (`regions[0].population`).
    pub display_path: String,
    /// The value's text: TOML (`12`, `true`, `[1, 2]`, `"x"`) or a bare word taken as a string.
    pub value: String,
}

/// Why a `--set` argument could not be read.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error(
    "--set {}: {reason} (expected path.to.key=value, e.g. seed=7 or regions[0].population=500)",
    super::problem::excerpt(.arg, 120)
)]
pub struct OverrideError {
    /// The argument as typed.
    pub arg: String,
    /// What is wrong with it.
    pub reason: String,
}

/// The deepest `--set` path or value accepted: no scenario field is nested deeper than four,
/// and a deeper tree is only a way to exhaust the stack of whatever reads it.
pub const MAX_DEPTH: usize = 32;

/// How deeply brackets and braces nest in a TOML value, outside quoted strings.
fn nesting(value: &str) -> usize {
    let (mut depth, mut deepest, mut quote) = (0usize, 0usize, None::<char>);
    let mut escaped = false;
    for c in value.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q == '"' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' => quote = Some(c),
                '[' | '{' => {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
    }
    deepest
}

impl Override {
    /// Parses `path=value`. Path segments are keys separated by `.`, with `[n]` (or a bare
    /// number segment) indexing arrays.
    pub fn parse(arg: &str) -> Result<Override, OverrideError> {
        let err = |reason: &str| OverrideError {
            arg: arg.to_string(),
            reason: reason.to_string(),
        };
        let (path, value) = arg.split_once('=').ok_or_else(|| err("no `=`"))?;
        let path = path.trim();
        if path.is_empty() {
            return Err(err("empty path"));
        }
        let parts = path.split('.').count() + path.matches('[').count();
        if parts > MAX_DEPTH {
            return Err(err(&format!(
                "a path of {parts} segments; allowed: at most {MAX_DEPTH}"
            )));
        }
        if nesting(value) > MAX_DEPTH {
            return Err(err(&format!(
                "the value nests deeper than {MAX_DEPTH} brackets"
            )));
        }
        // A value that starts as TOML structure (an array, a table, a quoted string) must be
        // TOML: taken as a bare word, `[1,` would hide its syntax error behind a type error.
        if value.trim_start().starts_with(['[', '{', '"', '\'']) {
            if let Err(e) = DeValue::parse(value) {
                let why = e.message().lines().next().unwrap_or("").trim().to_string();
                return Err(err(&format!(
                    "the value is not valid TOML ({why}); quote a string as '\"text\"'"
                )));
            }
        }
        let mut segments = Vec::new();
        for part in path.split('.') {
            let (key, mut rest) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            if key.is_empty() && rest.is_empty() {
                return Err(err("empty path segment"));
            }
            if !key.is_empty() {
                match key.parse::<usize>() {
                    Ok(i) if !segments.is_empty() => segments.push(Segment::Index(i)),
                    _ => {
                        if !key
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
                        {
                            return Err(err(&format!("`{key}` is not a plain key")));
                        }
                        segments.push(Segment::Key(key.to_string()))
                    }
                }
            }
            while !rest.is_empty() {
                let close = rest.find(']').ok_or_else(|| err("unclosed `[`"))?;
                let index = rest[1..close]
                    .parse::<usize>()
                    .map_err(|_| err("an index must be a non-negative integer"))?;
                segments.push(Segment::Index(index));
                rest = &rest[close + 1..];
                if !rest.is_empty() && !rest.starts_with('[') {
                    return Err(err("unexpected text after `]`"));
                }
            }
        }
        if matches!(segments.first(), Some(Segment::Index(_))) {
            return Err(err("a path must start with a key"));
        }
        let mut display_path = String::new();
        for s in &segments {
            match s {
                Segment::Key(k) if display_path.is_empty() => display_path.push_str(k),
                Segment::Key(k) => {
                    display_path.push('.');
                    display_path.push_str(k);
                }
                Segment::Index(i) => display_path.push_str(&format!("[{i}]")),
            }
        }
        Ok(Override {
            arg: arg.to_string(),
            path: segments,
            display_path,
            value: value.trim().to_string(),
        })
    }

    /// The value as a TOML node: TOML if it parses as a value, else the text as a string.
    pub(crate) fn node(&self) -> Spanned<DeValue<'_>> {
        match DeValue::parse(&self.value) {
            Ok(v) => v,
            Err(_) => Spanned::new(
                0..self.value.len(),
                DeValue::String(self.value.as_str().into()),
            ),
        }
    }

    /// Whether a problem at `path` concerns this override.
    pub(crate) fn covers(&self, path: &str) -> bool {
        path == self.display_path
            || path
                .strip_prefix(self.display_path.as_str())
                .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
    }
}

/// Puts each override's value into the tree, creating tables as needed.
pub(crate) fn apply<'i>(
    root: &mut Spanned<DeValue<'i>>,
    overrides: &'i [Override],
    problems: &mut Problems,
) {
    for o in overrides {
        let mut node: &mut Spanned<DeValue<'i>> = root;
        let mut walked = String::new();
        let last = o.path.len() - 1;
        for (depth, seg) in o.path.iter().enumerate() {
            let span = node.span();
            match (seg, node.get_mut()) {
                (Segment::Key(k), DeValue::Table(t)) => {
                    if depth == last {
                        if let Some(pos) = t.iter().position(|(key, _)| key.get_ref() == k) {
                            let key = t
                                .keys()
                                .nth(pos)
                                .cloned()
                                .unwrap_or_else(|| Spanned::new(0..0, k.clone().into()));
                            t.insert(key, o.node());
                        } else {
                            t.insert(Spanned::new(0..0, k.clone().into()), o.node());
                        }
                        break;
                    }
                    if !t.iter().any(|(key, _)| key.get_ref() == k) {
                        t.insert(
                            Spanned::new(0..0, k.clone().into()),
                            Spanned::new(span.clone(), DeValue::Table(DeTable::new())),
                        );
                    }
                    let (_, child) = t
                        .iter_mut()
                        .find(|(key, _)| key.get_ref() == k)
                        .expect("inserted above");
                    node = child;
                }
                (Segment::Index(i), DeValue::Array(items)) => {
                    if *i >= items.len() {
                        problems.push(
                            &o.display_path,
                            0..0,
                            format!("`{walked}` has {} entries, no [{i}]", items.len()),
                            None,
                        );
                        break;
                    }
                    if depth == last {
                        items.as_mut()[*i] = o.node();
                        break;
                    }
                    node = &mut items.as_mut()[*i];
                }
                (seg, value) => {
                    let what = match seg {
                        Segment::Key(_) => "a table",
                        Segment::Index(_) => "an array",
                    };
                    // A list of named entries addressed by a name (`regions.capital.police`):
                    // say which number the name has.
                    let help = match (seg, &*value) {
                        (Segment::Key(k), DeValue::Array(items)) => {
                            let named = items.iter().position(|item| {
                                matches!(item.get_ref(), DeValue::Table(t)
                                    if t.iter().any(|(key, v)| key.get_ref() == "name"
                                        && matches!(v.get_ref(), DeValue::String(s) if s == k)))
                            });
                            Some(match named {
                                Some(n) => format!(
                                    "`{walked}` is a list: the entry named `{k}` is `{walked}[{n}]`"
                                ),
                                None => format!(
                                    "`{walked}` is a list: give an entry's number, e.g. `{walked}[0]`"
                                ),
                            })
                        }
                        _ => None,
                    };
                    problems.push(
                        &o.display_path,
                        0..0,
                        format!("`{walked}` is not {what}"),
                        help,
                    );
                    break;
                }
            }
            match seg {
                Segment::Key(k) if walked.is_empty() => walked.push_str(k),
                Segment::Key(k) => {
                    walked.push('.');
                    walked.push_str(k)
                }
                Segment::Index(i) => walked.push_str(&format!("[{i}]")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_values_nested_too_deep_are_refused_without_recursion() {
        let deep = format!("{}=1", vec!["a"; 15_000].join("."));
        let e = Override::parse(&deep).unwrap_err();
        assert!(e.reason.contains("at most 32"), "{e}");
        let indexed = format!("regions{}=1", "[0]".repeat(40));
        assert!(Override::parse(&indexed).is_err());
        let value = format!("seed={}1{}", "[".repeat(10_000), "]".repeat(10_000));
        let e = Override::parse(&value).unwrap_err();
        assert!(e.reason.contains("nests deeper"), "{e}");
        assert!(Override::parse("name=\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"").is_ok());
        assert!(Override::parse(&format!("a.b.c={}", "[1, 2]")).is_ok());
    }

    #[test]
    fn parses_paths_and_values() {
        let o = Override::parse("regions[1].population=500").unwrap();
        assert_eq!(
            o.path,
            vec![
                Segment::Key("regions".into()),
                Segment::Index(1),
                Segment::Key("population".into())
            ]
        );
        assert_eq!(o.display_path, "regions[1].population");
        assert_eq!(o.value, "500");
        let o = Override::parse("regions.1.name=north").unwrap();
        assert_eq!(o.display_path, "regions[1].name");
        assert!(Override::parse("seed").is_err());
        assert!(Override::parse("=3").is_err());
        assert!(Override::parse("a[x]=3").is_err());
        assert!(Override::parse("[0]=3").is_err());
        assert!(Override::parse("a b=3").is_err());
    }

    #[test]
    fn covers_only_its_own_subtree() {
        let o = Override::parse("threshold.form=network").unwrap();
        assert!(o.covers("threshold.form"));
        assert!(!o.covers("threshold.formula"));
        let o = Override::parse("threshold=1").unwrap();
        assert!(o.covers("threshold.form"));
    }
}
