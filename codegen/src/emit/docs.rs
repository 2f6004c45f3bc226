//! Doc comments from spec text, escaped so rustdoc renders them as written and never
//! warns (no intra-doc links, HTML tags, bare URLs or code blocks by accident) and
//! doctests never run spec text.
//!
//! Spec text reaches a doc comment in three ways only, each of which rustdoc cannot read as
//! code: escaped paragraphs ([`Doc::text`]: every line trimmed and its runs of spaces
//! collapsed, so no line is indented enough to open a code block, even inside a list item;
//! Markdown's punctuation backslash-escaped, so no fence, HTML tag or link forms), inline
//! code spans ([`code`]: one line, backticks replaced) and `text` fences ([`Doc::fenced`]:
//! a fence longer than any run of backticks inside). Line breaks and other control
//! characters (a lone `\r` among them) are dropped or made line breaks first. Each line
//! becomes one `#[doc = "..."]` string literal ([`Doc::attrs`]).

use proc_macro2::{Literal, TokenStream};
use quote::quote;

/// Collects the lines of one doc comment.
#[derive(Debug, Default)]
pub struct Doc {
    lines: Vec<String>,
}

impl Doc {
    /// An empty doc comment.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a paragraph of Markdown written by the generator (not escaped: spec text
    /// goes in only through [`code`] or [`escape`]).
    pub fn raw(&mut self, markdown: impl Into<String>) -> &mut Self {
        self.blank();
        for line in markdown.into().lines() {
            self.lines.push(line.to_owned());
        }
        self
    }

    /// Appends spec text as escaped paragraphs (blank lines kept as paragraph breaks).
    pub fn text(&mut self, text: &str) -> &mut Self {
        if text.trim().is_empty() {
            return self;
        }
        self.blank();
        let mut last_blank = false;
        for line in clean(text).lines() {
            let line = line.trim();
            if line.is_empty() {
                if !last_blank {
                    self.lines.push(String::new());
                }
                last_blank = true;
                continue;
            }
            last_blank = false;
            self.lines
                .push(escape_list_marker(escape(&collapse_spaces(line))));
        }
        self
    }

    /// Appends a labelled line: `**label**: escaped text`, the text on one line.
    pub fn labelled(&mut self, label: &str, text: &str) -> &mut Self {
        if text.trim().is_empty() {
            return self;
        }
        self.blank();
        self.lines
            .push(format!("{label}: {}", escape(&one_line(text))));
        self
    }

    /// Appends verbatim text fenced as a `text` code block, so it is shown as written and
    /// never compiled as a doctest.
    pub fn fenced(&mut self, title: &str, text: &str) -> &mut Self {
        if text.trim().is_empty() {
            return self;
        }
        let body = clean(text);
        let fence = "`".repeat(longest_run(&body, '`').max(2) + 1);
        self.raw(title.to_owned());
        self.lines.push(String::new());
        self.lines.push(format!("{fence}text"));
        for line in body.trim_matches('\n').lines() {
            self.lines.push(line.trim_end().to_owned());
        }
        self.lines.push(fence);
        self
    }

    /// Appends a bullet item of generator Markdown followed by escaped spec text.
    pub fn item(&mut self, markdown: &str, text: &str) -> &mut Self {
        let text = one_line(text);
        let rest = if text.is_empty() {
            String::new()
        } else {
            format!(": {}", escape(&text))
        };
        self.lines.push(format!("- {markdown}{rest}"));
        self
    }

    /// Ends the current paragraph.
    pub fn blank(&mut self) -> &mut Self {
        if self.lines.last().is_some_and(|l| !l.is_empty()) {
            self.lines.push(String::new());
        }
        self
    }

    /// Whether nothing was added.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The doc comment as `#[doc = "..."]` attributes, one per line (each line after a
    /// space, so prettyplease prints it as `/// line`).
    pub fn attrs(&self) -> TokenStream {
        let mut tokens = TokenStream::new();
        for line in self.lines() {
            let line = line.trim_end_matches(' ');
            let text = if line.is_empty() {
                Literal::string("")
            } else {
                Literal::string(&format!(" {line}"))
            };
            tokens.extend(quote!(#[doc = #text]));
        }
        tokens
    }

    /// The lines, without leading or trailing blank ones.
    pub fn lines(&self) -> &[String] {
        let mut lines: &[String] = &self.lines;
        while let [first, rest @ ..] = lines
            && first.is_empty()
        {
            lines = rest;
        }
        while let [rest @ .., last] = lines
            && last.is_empty()
        {
            lines = rest;
        }
        lines
    }
}

/// Normalises line ends, turns tabs into spaces and drops other control characters and
/// the text-direction controls (which rustc refuses in comments: a comment's text could
/// then read differently from how it compiles).
fn clean(text: &str) -> std::borrow::Cow<'_, str> {
    // Most text has no control characters but line breaks: nothing to copy.
    if !text
        .chars()
        .any(|c| (c.is_control() && c != '\n') || is_direction_control(c))
    {
        return std::borrow::Cow::Borrowed(text);
    }
    let cleaned: String = text
        .replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|&c| (!c.is_control() || c == '\n' || c == '\t') && !is_direction_control(c))
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    std::borrow::Cow::Owned(cleaned)
}

/// The characters of rustc's `text_direction_codepoint_in_comment` lint.
fn is_direction_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `line` with every run of spaces made one space: an indent of four spaces after a list
/// marker (`-     x`, `1.     x`) would open a code block inside the list item.
fn collapse_spaces(line: &str) -> std::borrow::Cow<'_, str> {
    if !line.contains("  ") {
        return std::borrow::Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len());
    for c in line.chars() {
        if !(c == ' ' && out.ends_with(' ')) {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Spec text as an inline code span for generator Markdown: one line, backticks turned
/// into `'` so the span cannot close early, nothing inside read as Markdown or HTML.
pub fn code(text: &str) -> String {
    let text = one_line(text).replace('`', "'");
    if text.is_empty() {
        // An empty span would be two backticks in a row, which Markdown reads as text.
        return "`\"\"`".to_owned();
    }
    format!("`{text}`")
}

/// The cleaned text's non-blank lines, trimmed and joined by spaces.
fn one_line(text: &str) -> String {
    let cleaned = clean(text);
    let lines: Vec<&str> = cleaned
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    lines.join(" ")
}

fn longest_run(text: &str, ch: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for c in text.chars() {
        run = if c == ch { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// Escapes one line of spec text for Markdown: every character with a Markdown meaning is
/// backslash-escaped, and URLs become autolinks (`<https://..>`) so `rustdoc::bare_urls`
/// stays quiet.
pub fn escape(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + 8);
    let mut rest = line;
    while !rest.is_empty() {
        let url_at = ["https://", "http://"]
            .iter()
            .filter_map(|p| rest.find(p))
            .min();
        let (plain, tail) = match url_at {
            Some(i) => rest.split_at(i),
            None => (rest, ""),
        };
        escape_plain(plain, &mut out);
        if tail.is_empty() {
            break;
        }
        let end = tail
            .find(|c: char| !(c.is_ascii_graphic()) || matches!(c, '<' | '>' | '"' | '`' | '\\'))
            .unwrap_or(tail.len());
        let url = tail[..end].trim_end_matches(['.', ',', ';', ':', ')', ']', '}', '\'', '!', '?']);
        let after = &tail[url.len()..];
        if url.len() > "https://".len() {
            out.push('<');
            out.push_str(url);
            out.push('>');
        } else {
            escape_plain(url, &mut out);
        }
        rest = after;
    }
    out
}

/// A spec line that starts like a Markdown list item (`1. d:天`, `2) x`, `- x`, `+ x`) would
/// open a list, and the next plain line would then be a lazy continuation of it
/// (`clippy::doc_lazy_continuation`): the marker is escaped so the line stays text.
fn escape_list_marker(line: String) -> String {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let marker_at = if digits > 0 {
        matches!(line.as_bytes().get(digits), Some(b'.' | b')')).then_some(digits)
    } else {
        (line.starts_with("- ") || line.starts_with("+ ") || line == "-" || line == "+")
            .then_some(0)
    };
    match marker_at {
        Some(i) => format!("{}\\{}", &line[..i], &line[i..]),
        None => line,
    }
}

fn escape_plain(text: &str, out: &mut String) {
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`'
                | '*'
                | '_'
                | '['
                | ']'
                | '<'
                | '>'
                | '#'
                | '|'
                | '~'
                | '&'
                | '{'
                | '}'
                | '!'
                | '+'
                | '-'
                | '='
                | '.'
        ) && needs_escape(c)
        {
            out.push('\\');
        }
        out.push(c);
    }
}

/// `.`, `-`, `+`, `=`, `!`, `{`, `}` only matter at line starts or in constructs the
/// other escapes already break; escaping them everywhere would make docs hard to read.
fn needs_escape(c: char) -> bool {
    !matches!(c, '.' | '-' | '+' | '=' | '!' | '{' | '}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_escaped() {
        assert_eq!(
            escape("a [b] <c> `d` *e* _f_"),
            r"a \[b\] \<c\> \`d\` \*e\* \_f\_"
        );
        assert_eq!(escape("# not a heading | x"), r"\# not a heading \| x");
        assert_eq!(escape(r"C:\path"), r"C:\\path");
    }

    #[test]
    fn list_markers_at_line_start_stay_text() {
        let mut d = Doc::new();
        d.text("单位:\n1. d:天\n2) m:月\n- 横线\n+ 加号\n2016. 年份在句中 1. 不动\n默认长期有效。");
        assert_eq!(
            d.lines(),
            [
                "单位:",
                r"1\. d:天",
                r"2\) m:月",
                r"\- 横线",
                r"\+ 加号",
                r"2016\. 年份在句中 1. 不动",
                "默认长期有效。",
            ]
        );
    }

    #[test]
    fn urls_become_autolinks() {
        assert_eq!(
            escape("详见https://opendocs.alipay.com/x?a=1。"),
            "详见<https://opendocs.alipay.com/x?a=1>。"
        );
        assert_eq!(escape("see http://a.b/c."), "see <http://a.b/c>.");
        assert_eq!(escape("just https:// here"), "just https:// here");
    }

    #[test]
    fn indented_text_never_becomes_a_code_block() {
        let mut d = Doc::new();
        d.text("first\n\n    let x = 1;\n\n\n\tsecond");
        assert_eq!(d.lines, ["first", "", r"let x = 1;", "", "second"]);
    }

    #[test]
    fn fences_outgrow_backticks_inside() {
        let mut d = Doc::new();
        d.fenced("Example:", "a ```` b");
        assert!(d.lines.contains(&"`````text".to_owned()));
        assert_eq!(d.lines.last().map(String::as_str), Some("`````"));
    }
}
