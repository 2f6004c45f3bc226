//! Text that came from the network, made safe to print: a terminal never sees its control
//! characters (ANSI escapes, carriage returns, line breaks that would forge a line) or its
//! text-direction controls; each is shown as `\u{..}` instead.

use std::borrow::Cow;

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// `text` with every character a terminal would act on written as a `\u{..}` escape.
pub fn shown(text: &str) -> Cow<'_, str> {
    if !text.contains(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_a_terminal_acts_on() {
        assert_eq!(shown("校验码超时"), "校验码超时");
        assert_eq!(
            shown("a\u{1b}[31mred\r\nfake line\u{202e}"),
            "a\\u{1b}[31mred\\u{d}\\u{a}fake line\\u{202e}"
        );
    }
}
