//! Collects the diagnostics of one file.

use std::path::Path;

use super::diagnostic::{Diagnostic, FieldPath, Pos};

/// Collects the problems of one file, each with its position and field path.
pub(crate) struct Reporter<'a> {
    file: &'a Path,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> Reporter<'a> {
    pub(crate) fn new(file: &'a Path) -> Self {
        Reporter {
            file,
            diagnostics: Vec::new(),
        }
    }

    /// Reports a problem at `pos` concerning `path`.
    pub(crate) fn at(&mut self, pos: Pos, path: &FieldPath<'_>, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic {
            file: self.file.to_owned(),
            line: pos.line,
            column: pos.column,
            path: shown(path.to_string()),
            message: shown(message.into()),
        });
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.diagnostics.is_empty()
    }

    /// The problems, in source order.
    pub(crate) fn finish(mut self) -> Vec<Diagnostic> {
        self.diagnostics.sort_by_key(|d| (d.line, d.column));
        self.diagnostics
    }
}

/// `text` with every character that could change how a terminal shows it (control and
/// text-direction characters, which a message may quote from the spec) written as `\u{..}`.
fn shown(text: String) -> String {
    if super::shape::forbidden_char(&text).is_none() && !text.contains(['\n', '\t']) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if c.is_control()
            || ('\u{202A}'..='\u{202E}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
        {
            out.push_str(&c.escape_unicode().to_string());
        } else {
            out.push(c);
        }
    }
    out
}
