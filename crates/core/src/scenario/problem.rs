//! Problems found in a scenario, with where they are.

use std::fmt;
use std::ops::Range;

/// Where a problem sits: in the scenario file, or in a `--set` override.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    /// A byte range of the scenario file, with its 1-based line and column.
    File {
        /// Byte range in the file's text.
        span: Range<usize>,
        /// 1-based line of the range's start.
        line: usize,
        /// 1-based column (in characters) of the range's start.
        column: usize,
    },
    /// A command-line override, as the user typed it (`path=value`).
    Override(String),
}

/// One problem in a scenario: which field, what is wrong, what is allowed.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    /// The field's path, e.g. `regions[2].shares.age.child`; empty for the whole document.
    pub path: String,
    /// What is wrong.
    pub message: String,
    /// What is allowed, or what was probably meant.
    pub help: Option<String>,
    /// Where the problem is.
    pub origin: Origin,
}

/// Every problem found in one scenario. Validation never stops at the first.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub struct ScenarioError {
    /// The file's name as the user gave it (or `<embedded:NAME>`).
    pub file: String,
    /// The file's text, so that renderers can show the offending lines.
    pub text: String,
    /// The problems, in the order they appear in the file.
    pub problems: Vec<Problem>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        writeln!(
            f,
            "{}: {n} problem{} in scenario",
            self.file,
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            match &p.origin {
                Origin::File { line, column, .. } => write!(f, "{}:{line}:{column}: ", self.file)?,
                Origin::Override(arg) => write!(f, "--set {arg}: ")?,
            }
            if !p.path.is_empty() {
                write!(f, "{}: ", p.path)?;
            }
            write!(f, "{}", p.message)?;
            if let Some(h) = &p.help {
                write!(f, " ({h})")?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

/// 1-based line and column (in characters) of byte offset `at` in `text`.
pub fn line_column(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let before = &text[..floor_char_boundary(text, at)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(text: &str, mut at: usize) -> usize {
    while at > 0 && !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let t = "a = 1\nbé = 2\n";
        assert_eq!(line_column(t, 0), (1, 1));
        assert_eq!(line_column(t, 6), (2, 1));
        assert_eq!(line_column(t, 10), (2, 4));
        assert_eq!(line_column(t, 1000), (3, 1));
    }
}

/// `text` safe to print on a terminal: control characters (C0 but tab and newline, DEL, C1)
/// and the bidirectional overrides and isolates (which reorder what follows them on screen)
/// are written as `\u{…}`. Every message that repeats text from a file or a request uses it.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char = |c: char| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    };
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// `text` made [`printable`] and cut to at most `max` characters, saying how long it was: a
/// 10 MB value quoted in a message would otherwise flood the terminal.
pub fn excerpt(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    let shown = printable(text);
    if shown.chars().count() <= max {
        return shown;
    }
    let cut: String = shown.chars().take(max).collect();
    std::borrow::Cow::Owned(format!("{cut}… ({} bytes in all)", text.len()))
}

#[cfg(test)]
mod printable_tests {
    use super::printable;

    #[test]
    fn control_and_bidi_characters_are_escaped() {
        assert_eq!(printable("north"), "north");
        assert_eq!(printable("a\u{1b}[31mred"), "a\\u{1b}[31mred");
        assert_eq!(printable("bell\u{7}"), "bell\\u{7}");
        assert_eq!(printable("\u{202e}txt.exe"), "\\u{202e}txt.exe");
        assert_eq!(printable("two\nlines\tok"), "two\nlines\tok");
    }
}
