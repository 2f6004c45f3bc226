//! One problem found in a spec file, with where it is.

use std::fmt;
use std::path::PathBuf;

/// One problem in a spec file: where (file, line, column, field path) and what.
///
/// Displays as `file:line:column: path: message` (the path part is left out for problems
/// that concern the file as a whole, such as a YAML syntax error).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Diagnostic {
    /// The file (or the source name given to [`load_str`](super::load_str)).
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The field path, for example `request[3].max_length` or `models.GoodsDetail[0].type`.
    pub path: String,
    /// What is wrong, and where possible how to fix it.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: ", self.file.display(), self.line, self.column)?;
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diagnostic {}

/// A 1-based line and column in a source text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl Pos {
    /// The start of a file.
    pub const START: Pos = Pos { line: 1, column: 1 };
}

/// A field path under construction: `request[3].max_length`. Segments borrow their keys, so
/// building paths costs no string copies; the text is made only when a problem is reported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct FieldPath<'a>(Vec<Seg<'a>>);

/// One step of a [`FieldPath`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

impl<'a> FieldPath<'a> {
    pub(crate) fn root() -> Self {
        FieldPath(Vec::new())
    }

    /// This path extended by a key.
    pub(crate) fn key(&self, key: &'a str) -> Self {
        let mut segs = Vec::with_capacity(self.0.len() + 1);
        segs.extend_from_slice(&self.0);
        segs.push(Seg::Key(key));
        FieldPath(segs)
    }

    /// This path extended by a list index.
    pub(crate) fn index(&self, index: usize) -> Self {
        let mut segs = Vec::with_capacity(self.0.len() + 1);
        segs.extend_from_slice(&self.0);
        segs.push(Seg::Index(index));
        FieldPath(segs)
    }

    /// Extends this path in place (undo with [`pop`](Self::pop)).
    pub(crate) fn push(&mut self, seg: Seg<'a>) {
        self.0.push(seg);
    }

    /// Undoes the last [`push`](Self::push).
    pub(crate) fn pop(&mut self) {
        self.0.pop();
    }

    pub(crate) fn segs(&self) -> &[Seg<'a>] {
        &self.0
    }
}

fn is_plain_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$' || c == '-')
}

impl fmt::Display for FieldPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Key(key) if is_plain_key(key) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    f.write_str(key)?;
                }
                Seg::Key(key) => write!(f, "[{key:?}]")?,
                Seg::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_paths() {
        let p = FieldPath::root().key("request").index(3).key("max_length");
        assert_eq!(p.to_string(), "request[3].max_length");
        let p = FieldPath::root().key("models").key("Foo Bar").index(0);
        assert_eq!(p.to_string(), "models[\"Foo Bar\"][0]");
        assert_eq!(FieldPath::root().to_string(), "");
    }

    #[test]
    fn displays_diagnostic() {
        let d = Diagnostic {
            file: "specs/a.b.c.yaml".into(),
            line: 4,
            column: 17,
            path: "request[3].max_length".into(),
            message: "must be at least 1".into(),
        };
        assert_eq!(
            d.to_string(),
            "specs/a.b.c.yaml:4:17: request[3].max_length: must be at least 1"
        );
        let d = Diagnostic {
            path: String::new(),
            ..d
        };
        assert_eq!(d.to_string(), "specs/a.b.c.yaml:4:17: must be at least 1");
    }
}
