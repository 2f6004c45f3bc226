//! What the importer could not place: every such fact becomes a warning naming the page line
//! and a `note:` in the spec (on the field, the error code or the whole spec).

use super::ImportWarning;

/// Collects warnings and the spec-level note.
#[derive(Debug, Default)]
pub(crate) struct Notes {
    warnings: Vec<ImportWarning>,
    spec_notes: Vec<(usize, String)>,
}

impl Notes {
    /// A warning only (the caller puts the note where it belongs with [`add_note`]).
    pub fn warn(&mut self, line: usize, message: impl Into<String>) {
        self.warnings.push(ImportWarning {
            line,
            message: message.into(),
        });
    }

    /// A warning and the same text in the spec's top-level `note:`.
    pub fn spec(&mut self, line: usize, message: impl Into<String>) {
        let message = message.into();
        self.spec_notes.push((line, message.clone()));
        self.warn(line, message);
    }

    /// A warning and the same text in `target` (a field's or error's `note:`).
    pub fn on(&mut self, target: &mut Option<String>, line: usize, message: impl Into<String>) {
        let message = message.into();
        add_note(target, line, &message);
        self.warn(line, message);
    }

    /// The collected warnings and the spec-level note, both in page order.
    pub fn finish(mut self) -> (Vec<ImportWarning>, Option<String>) {
        self.warnings.sort_by_key(|w| w.line);
        self.spec_notes.sort_by_key(|(line, _)| *line);
        let mut note = None;
        for (line, message) in &self.spec_notes {
            add_note(&mut note, *line, message);
        }
        (self.warnings, note)
    }
}

/// Appends `page line N: message` to a note, one fact per line.
pub(crate) fn add_note(target: &mut Option<String>, line: usize, message: &str) {
    let entry = format!("page line {line}: {message}");
    match target {
        Some(note) => {
            note.push('\n');
            note.push_str(&entry);
        }
        None => *target = Some(entry),
    }
}
