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
            path: path.to_string(),
            message: message.into(),
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
