//! Rendering scenario problems for people: each with the offending line underlined.

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor::ColorChoice, termcolor::StandardStream};
use mobilize_core::scenario::{excerpt, printable, Origin, ScenarioError};

/// The scenario's text with every character `printable` would escape replaced by a visible one
/// of the same length in bytes (`?`, `¿` or `\u{fffd}`), so that the spans of problems still
/// point at the right columns.
fn shown(text: &str) -> std::borrow::Cow<'_, str> {
    if printable(text) == text {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let one = c.to_string();
        if printable(&one) == one.as_str() {
            out.push(c);
        } else {
            out.push(match c.len_utf8() {
                1 => '?',
                2 => '¿',
                _ => '\u{fffd}',
            });
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Prints every problem of `err` to standard error, then a count.
pub fn scenario_error(err: &ScenarioError) {
    let name = printable(&err.file).into_owned();
    let text = shown(&err.text);
    let file = SimpleFile::new(name.as_str(), text.as_ref());
    let stderr = StandardStream::stderr(if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        ColorChoice::Auto
    } else {
        ColorChoice::Never
    });
    let config = term::Config::default();
    let mut out = stderr.lock();
    for p in &err.problems {
        let title = if p.path.is_empty() {
            excerpt(&p.message, 400).into_owned()
        } else {
            format!("{}: {}", printable(&p.path), excerpt(&p.message, 400))
        };
        let help = p.help.as_deref().map(|h| excerpt(h, 2000).into_owned());
        let mut d = Diagnostic::error().with_message(title);
        match &p.origin {
            Origin::File { span, .. } => {
                let label = Label::primary((), span.clone());
                d = d.with_labels(vec![match &help {
                    Some(h) => label.with_message(h),
                    None => label,
                }]);
            }
            Origin::Override(arg) => {
                let mut notes = vec![format!("in --set {}", excerpt(arg, 120))];
                notes.extend(help);
                d = d.with_notes(notes);
            }
        }
        if term::emit(&mut out, &config, &file, &d).is_err() {
            eprintln!("{err}");
            return;
        }
    }
    let n = err.problems.len();
    eprintln!(
        "error: {} has {n} problem{}; nothing was run",
        name,
        if n == 1 { "" } else { "s" }
    );
}
