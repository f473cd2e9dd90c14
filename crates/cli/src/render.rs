//! Rendering scenario problems for people: each with the offending line underlined.

use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor::ColorChoice, termcolor::StandardStream};
use mobilize_core::scenario::{Origin, ScenarioError};

/// Prints every problem of `err` to standard error, then a count.
pub fn scenario_error(err: &ScenarioError) {
    let file = SimpleFile::new(err.file.as_str(), err.text.as_str());
    let stderr = StandardStream::stderr(if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        ColorChoice::Auto
    } else {
        ColorChoice::Never
    });
    let config = term::Config::default();
    let mut out = stderr.lock();
    for p in &err.problems {
        let title = if p.path.is_empty() {
            p.message.clone()
        } else {
            format!("{}: {}", p.path, p.message)
        };
        let mut d = Diagnostic::error().with_message(title);
        match &p.origin {
            Origin::File { span, .. } => {
                let label = Label::primary((), span.clone());
                d = d.with_labels(vec![match &p.help {
                    Some(h) => label.with_message(h),
                    None => label,
                }]);
            }
            Origin::Override(arg) => {
                let mut notes = vec![format!("in --set {arg}")];
                notes.extend(p.help.clone());
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
        err.file,
        if n == 1 { "" } else { "s" }
    );
}
