//! The text writer the emitters write Rust through.
//!
//! The output is written directly in the layout `prettyplease` gives (four-space indents,
//! one item after another, lists broken one element per line when a line would pass its
//! 89-column margin), rather than built as a token tree, parsed back by `syn` and printed:
//! that round trip cost seven times the whole generation budget. The test suite holds the
//! output to the layout: `prettyplease::unparse(syn::parse_file(output))` must give back
//! the output unchanged, for the goldens and the corpus (`codegen/tests/format.rs`).

use crate::emit::docs::Doc;

/// prettyplease's line width.
const MARGIN: usize = 89;

/// A Rust source file being written.
#[derive(Debug, Default)]
pub struct Out {
    buf: String,
    depth: usize,
}

impl Out {
    /// An empty file.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty file with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        Self {
            buf: String::with_capacity(capacity),
            depth: 0,
        }
    }

    /// An empty piece of text to be spliced in at indentation `depth` (see [`Out::raw`]).
    pub fn nested(depth: usize) -> Self {
        Self {
            buf: String::new(),
            depth,
        }
    }

    /// Sets the indentation (in levels of four spaces) of the lines that follow.
    pub fn set_depth(&mut self, depth: usize) {
        self.depth = depth;
    }

    /// The indentation (in levels of four spaces) of the next line.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// Appends text written by another [`Out`] (whole lines) as is.
    pub fn raw(&mut self, text: &str) {
        self.buf.push_str(text);
    }

    /// The text written.
    pub fn finish(self) -> String {
        self.buf
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.buf.push_str("    ");
        }
    }

    /// One line at the current indentation.
    pub fn line(&mut self, text: &str) {
        self.indent();
        self.buf.push_str(text);
        self.buf.push('\n');
    }

    /// A line opening a block (`... {`): what follows is indented once more.
    pub fn open(&mut self, text: &str) {
        self.line(text);
        self.depth += 1;
    }

    /// A line closing a block (`}`), back one indentation.
    pub fn close(&mut self, text: &str) {
        self.depth = self.depth.saturating_sub(1);
        self.line(text);
    }

    /// Whether `len` bytes fit on a line at the current indentation.
    fn fits(&self, len: usize) -> bool {
        self.depth * 4 + len <= MARGIN
    }

    /// A doc comment, one `///` line per line.
    pub fn doc(&mut self, doc: &Doc) {
        for l in doc.lines() {
            self.indent();
            self.buf.push_str("///");
            if !l.is_empty() {
                self.buf.push(' ');
                self.buf.push_str(l.trim_end_matches(' '));
            }
            self.buf.push('\n');
        }
    }

    /// `head(a, b)tail` on one line, or, when that is too long, the arguments one per
    /// line with trailing commas.
    pub fn call(&mut self, head: &str, args: &[impl AsRef<str>], tail: &str) {
        if !self.try_one_line(&[head, "("], args, &[")", tail]) {
            self.open_parts(&[head, "("]);
            self.items(args, true);
            self.close_parts(&[")", tail]);
        }
    }

    /// `open` then `items` joined by `, ` then `close`, as one line when it fits (or
    /// `items` is empty): whether it was written.
    fn try_one_line(&mut self, open: &[&str], items: &[impl AsRef<str>], close: &[&str]) -> bool {
        let start = self.buf.len();
        self.indent();
        open.iter().for_each(|p| self.buf.push_str(p));
        push_joined(&mut self.buf, items);
        close.iter().for_each(|p| self.buf.push_str(p));
        if items.is_empty() || self.buf.len() - start <= MARGIN {
            self.buf.push('\n');
            return true;
        }
        self.buf.truncate(start);
        false
    }

    /// `items` one per line, each followed by a comma (but the last when not `last_comma`).
    fn items(&mut self, items: &[impl AsRef<str>], last_comma: bool) {
        let last = items.len().saturating_sub(1);
        for (i, item) in items.iter().enumerate() {
            let comma = if i < last || last_comma { "," } else { "" };
            self.line_parts(&[item.as_ref(), comma]);
        }
    }

    /// A line made of `parts` closing a block.
    fn close_parts(&mut self, parts: &[&str]) {
        self.depth = self.depth.saturating_sub(1);
        self.line_parts(parts);
    }

    /// One line made of `parts`.
    pub fn line_parts(&mut self, parts: &[&str]) {
        self.indent();
        for p in parts {
            self.buf.push_str(p);
        }
        self.buf.push('\n');
    }

    /// A line made of `parts` opening a block.
    pub fn open_parts(&mut self, parts: &[&str]) {
        self.line_parts(parts);
        self.depth += 1;
    }

    /// One line, formatted in place (`out.linef(format_args!(..))`).
    pub fn linef(&mut self, args: std::fmt::Arguments<'_>) {
        use std::fmt::Write;
        self.indent();
        // Writing to a String never fails.
        let _ = self.buf.write_fmt(args);
        self.buf.push('\n');
    }

    /// [`Out::linef`] opening a block.
    pub fn openf(&mut self, args: std::fmt::Arguments<'_>) {
        self.linef(args);
        self.depth += 1;
    }

    /// A function signature and the opening of its body: `head(args)ret {`, or the
    /// arguments one per line when too long.
    pub fn fn_open(&mut self, head: &str, args: &[impl AsRef<str>], ret: &str) {
        if !self.try_one_line(&[head, "("], args, &[")", ret, " {"]) {
            self.open_parts(&[head, "("]);
            self.items(args, true);
            self.depth -= 1;
            // A return type too long even then has its generic arguments broken too.
            match split_generic(ret) {
                Some((outer, inner)) if !self.fits(ret.len() + 3) => {
                    self.open_parts(&[")", outer, "<"]);
                    self.items(&inner, true);
                    self.close("> {");
                }
                _ => self.line_parts(&[")", ret, " {"]),
            }
        }
        self.depth += 1;
    }

    /// `prefix Type<Args>suffix` (a field or an argument with its type): when too long,
    /// the type's generic arguments one per line, again as long as they do not fit.
    pub fn typed(&mut self, prefix: &str, ty: &str, suffix: &str) {
        if self.fits(prefix.len() + ty.len() + suffix.len()) {
            self.line_parts(&[prefix, ty, suffix]);
            return;
        }
        match split_generic(ty) {
            Some((outer, args)) => {
                self.open(&format!("{prefix}{outer}<"));
                for a in args {
                    self.typed("", a, ",");
                }
                self.close(&format!(">{suffix}"));
            }
            None => self.line_parts(&[prefix, ty, suffix]),
        }
    }

    /// `impl Trait for Type {` opening a trait impl (`{}` when `empty`), with `for Type`
    /// on a line of its own when too long.
    pub fn impl_trait(&mut self, head: &str, ty: &str, empty: bool) {
        let brace = if empty { "{}" } else { "{" };
        let one = format!("{head} for {ty} {brace}");
        // The closing brace of an empty body does not count against the margin.
        if self.fits(one.len() - usize::from(empty)) {
            self.line(&one);
        } else {
            self.line(head);
            self.line(&format!("for {ty} {brace}"));
        }
        if !empty {
            self.depth += 1;
        }
    }

    /// A struct literal `path { a: 1, b: 2 }tail`: on one line only when it is at most
    /// 34 bytes long (prettyplease's rule), else one field per line.
    pub fn struct_literal(&mut self, path: &str, fields: &[String], tail: &str) {
        let one = format!("{path} {{ {} }}", fields.join(", "));
        if one.len() <= 34 && self.fits(one.len() + tail.len()) {
            self.line(&format!("{one}{tail}"));
            return;
        }
        self.open(&format!("{path} {{"));
        for f in fields {
            self.line(&format!("{f},"));
        }
        self.close(&format!("}}{tail}"));
    }

    /// A match arm `pat => head(args),` (`head(args)` being a plain expression when
    /// `args` is `None`), put in a block when too long.
    pub fn arm(&mut self, pat: &str, head: &str, args: Option<&[&str]>) {
        let start = self.buf.len();
        self.indent();
        self.buf.push_str(pat);
        self.buf.push_str(" => ");
        match args {
            Some(args) => push_call(&mut self.buf, head, args, ","),
            None => {
                self.buf.push_str(head);
                self.buf.push(',');
            }
        }
        if self.buf.len() - start <= MARGIN {
            self.buf.push('\n');
            return;
        }
        self.buf.truncate(start);
        self.open_parts(&[pat, " => {"]);
        match args {
            Some(args) => self.call(head, args, ""),
            None => self.line(head),
        }
        self.close("}");
    }

    /// `head[a, b]tail` (an array), or one element per line when too long.
    pub fn array(&mut self, head: &str, items: &[impl AsRef<str>], tail: &str) {
        if !self.try_one_line(&[head, "["], items, &["]", tail]) {
            self.open_parts(&[head, "["]);
            self.items(items, true);
            self.close_parts(&["]", tail]);
        }
    }

    /// An array of pairs `head[(a, b), (c, d)]tail`, one pair per line when too long, and
    /// a pair itself broken one element per line when it does not fit.
    pub fn pair_array(&mut self, head: &str, pairs: &[[String; 2]], tail: &str) {
        let joined: Vec<String> = pairs.iter().map(|[a, b]| format!("({a}, {b})")).collect();
        if self.try_one_line(&[head, "["], &joined, &["]", tail]) {
            return;
        }
        self.open_parts(&[head, "["]);
        for pair in pairs {
            self.call("", pair, ",");
        }
        self.close_parts(&["]", tail]);
    }

    /// An outer attribute `#[name(a, b)]`, or its arguments one per line when too long
    /// (attributes take no trailing comma).
    pub fn attr_list(&mut self, name: &str, args: &[impl AsRef<str>]) {
        if !self.try_one_line(&["#[", name, "("], args, &[")]"]) {
            self.open_parts(&["#[", name, "("]);
            self.items(args, false);
            self.close(")]");
        }
    }
}

/// ` -> Outer<A, B>` as (` -> Outer`, [`A`, `B`]), splitting at top-level commas only.
fn split_generic(ret: &str) -> Option<(&str, Vec<&str>)> {
    let open = ret.find('<')?;
    let inner = ret[open + 1..].strip_suffix('>')?;
    let (mut parts, mut depth, mut start) = (Vec::new(), 0usize, 0);
    for (i, c) in inner.char_indices() {
        match c {
            '<' | '(' | '[' => depth += 1,
            '>' | ')' | ']' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(inner[start..i].trim());
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(inner[start..].trim());
    Some((&ret[..open], parts))
}

fn push_call(buf: &mut String, head: &str, args: &[&str], tail: &str) {
    buf.push_str(head);
    buf.push('(');
    push_joined(buf, args);
    buf.push(')');
    buf.push_str(tail);
}

/// `items` joined by `, `.
fn push_joined(buf: &mut String, items: &[impl AsRef<str>]) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            buf.push_str(", ");
        }
        buf.push_str(item.as_ref());
    }
}

/// A Rust string literal of `text`: quotes, backslashes and control characters escaped,
/// everything else as written.
pub fn lit(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_escape_what_rust_needs() {
        assert_eq!(lit("a\"b\\c\nd\te\u{7}支"), r#""a\"b\\c\nd\te\u{7}支""#);
    }

    #[test]
    fn long_calls_break_one_argument_per_line() {
        let mut out = Out::new();
        out.depth = 2;
        out.call("f", &["1", "2"], "?;");
        let long = "x".repeat(80);
        out.call("g", &[long.as_str(), "2"], "?;");
        let text = out.finish();
        assert_eq!(
            text,
            format!(
                "        f(1, 2)?;\n        g(\n            {long},\n            2,\n        )?;\n"
            )
        );
    }
}
