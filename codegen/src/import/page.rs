//! The page as lines: splitting (LF, CRLF or CR), punctuation folding for matching, and the
//! page chrome (links and widget labels) that a copied page carries but no spec needs.

/// One line of the page, with its 1-based line number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Line<'a> {
    /// 1-based line number in the page.
    pub no: usize,
    /// The line's text, without its line break.
    pub text: &'a str,
}

/// The page without the characters a spec may not hold and a reader does not see: control
/// characters other than line breaks and tabs, and the text-direction controls (U+202A–U+202E,
/// U+2066–U+2069) that pages copied from a browser sometimes carry. Line numbers stay the same.
pub(crate) fn without_invisible_controls(text: &str) -> std::borrow::Cow<'_, str> {
    let dropped = |c: char| {
        (c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
            || ('\u{202A}'..='\u{202E}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    };
    if text.contains(dropped) {
        text.chars()
            .filter(|&c| !dropped(c))
            .collect::<String>()
            .into()
    } else {
        text.into()
    }
}

/// Splits a page into lines. `\r\n`, `\n` and a lone `\r` all end a line.
pub(crate) fn lines(text: &str) -> Vec<Line<'_>> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                out.push(Line {
                    no: out.len() + 1,
                    text: &text[start..i],
                });
                start = i + 1;
            }
            b'\r' => {
                out.push(Line {
                    no: out.len() + 1,
                    text: &text[start..i],
                });
                if bytes.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    if start < bytes.len() {
        out.push(Line {
            no: out.len() + 1,
            text: &text[start..],
        });
    }
    out
}

/// Folds full-width punctuation and spaces to their half-width forms, for matching only: the
/// spec keeps the page's own characters.
pub(crate) fn fold(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '：' => ':',
            '；' => ';',
            '，' => ',',
            '\u{3000}' => ' ',
            '［' => '[',
            '］' => ']',
            '－' => '-',
            other => other,
        })
        .collect()
}

/// Whether a character is CJK (ideographs, CJK punctuation, full-width forms, kana, hangul).
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{2E80}'..='\u{9FFF}'
        | '\u{AC00}'..='\u{D7AF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF00}'..='\u{FFEF}'
        | '\u{20000}'..='\u{2FA1F}')
}

/// Whether the text holds any CJK character.
pub(crate) fn has_cjk(s: &str) -> bool {
    s.chars().any(is_cjk)
}

/// Lines that are the page's own chrome (navigation, widget labels), never content.
const CHROME: &[&str] = &[
    "返回",
    "顶部",
    "返回顶部",
    "onlineServer",
    "在线调试",
    "在线调试(沙箱环境)",
];

/// Whether a whole line is page chrome.
pub(crate) fn is_chrome(line: &str) -> bool {
    let folded = fold(line);
    CHROME.contains(&folded.trim())
}

/// Whether a line is blank (only whitespace, including the ideographic space).
pub(crate) fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// The width of a line's indentation: a space counts 1, an ideographic space 2, a tab 4.
pub(crate) fn indent_width(line: &str) -> usize {
    line.chars()
        .take_while(|c| c.is_whitespace())
        .map(|c| match c {
            '\t' => 4,
            '\u{3000}' => 2,
            _ => 1,
        })
        .sum()
}

/// Splits text into whitespace-separated tokens, each with its byte range in `text`.
pub(crate) fn tokens(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                out.push((s, i));
            }
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_every_line_break_style() {
        let got: Vec<(usize, &str)> = lines("a\r\nb\nc\rd")
            .iter()
            .map(|l| (l.no, l.text))
            .collect();
        assert_eq!(got, vec![(1, "a"), (2, "b"), (3, "c"), (4, "d")]);
        assert_eq!(lines("a\n").len(), 1);
        assert_eq!(lines("\n\n").len(), 2);
        assert!(lines("").is_empty());
    }

    #[test]
    fn folds_full_width_punctuation() {
        assert_eq!(
            fold("方法（中文）：值；a，b\u{3000}c"),
            "方法(中文):值;a,b c"
        );
    }

    #[test]
    fn tokens_keep_byte_ranges() {
        let text = "描述 ex\u{3000}ample  x";
        let spans = tokens(text);
        let words: Vec<&str> = spans.iter().map(|&(s, e)| &text[s..e]).collect();
        assert_eq!(words, vec!["描述", "ex", "ample", "x"]);
    }

    #[test]
    fn chrome_and_indent() {
        assert!(is_chrome("  返回 "));
        assert!(is_chrome("在线调试（沙箱环境）"));
        assert!(!is_chrome("返回参数"));
        assert_eq!(indent_width("\t \u{3000}x"), 7);
    }
}
