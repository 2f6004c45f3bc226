//! Telling a row's description from its example when the page separates them by a single
//! space, as pages copied as text do. Both may hold spaces (`格式"yyyy-MM-dd HH:mm:ss"`,
//! `Business Failed`), so the split is chosen by evidence, in this order: the value the request
//! example sends for the field; a trailing date and time; a trailing run of non-CJK words after
//! a description holding CJK; the last word. A split never cuts a quoted or bracketed span.

use super::page::{has_cjk, tokens};

/// How sure the split is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Confidence {
    /// Backed by the request example, a date-time shape, or a single non-CJK word after CJK text.
    Sure,
    /// A reading among several; the caller notes it.
    Guess,
}

/// A description and an example, split from one line of text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Split {
    /// The description part (possibly empty).
    pub description: String,
    /// The example part, if any.
    pub example: Option<String>,
    /// How sure the split is.
    pub confidence: Confidence,
}

/// Running counts of quotes and brackets, to tell in O(1) whether a split point would cut a
/// quoted or bracketed span.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Balance {
    /// Whether an odd number of `"` came before.
    quote_open: bool,
    round: isize,
    wide_round: isize,
    square: isize,
    curly_quotes: isize,
    corner: isize,
}

impl Balance {
    fn add(&mut self, c: char) {
        match c {
            '"' => self.quote_open = !self.quote_open,
            '(' => self.round += 1,
            ')' => self.round -= 1,
            '（' => self.wide_round += 1,
            '）' => self.wide_round -= 1,
            '[' => self.square += 1,
            ']' => self.square -= 1,
            '“' => self.curly_quotes += 1,
            '”' => self.curly_quotes -= 1,
            '「' => self.corner += 1,
            '」' => self.corner -= 1,
            _ => {}
        }
    }

    fn balanced(&self) -> bool {
        !self.quote_open
            && self.round == 0
            && self.wide_round == 0
            && self.square == 0
            && self.curly_quotes == 0
            && self.corner == 0
    }
}

/// For each token, whether the text before it is balanced.
fn balanced_before(text: &str, spans: &[(usize, usize)]) -> Vec<bool> {
    let mut out = Vec::with_capacity(spans.len());
    let mut balance = Balance::default();
    let mut chars = text.char_indices().peekable();
    for &(start, _) in spans {
        while let Some(&(i, c)) = chars.peek() {
            if i >= start {
                break;
            }
            balance.add(c);
            chars.next();
        }
        out.push(balance.balanced());
    }
    out
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

fn is_time(s: &str) -> bool {
    let b = s.as_bytes();
    (b.len() == 8 || b.len() == 5)
        && b.iter().enumerate().all(|(i, c)| {
            if i == 2 || i == 5 {
                *c == b':'
            } else {
                c.is_ascii_digit()
            }
        })
}

/// Splits `text` (the rest of a row after its fixed columns) into description and example.
/// `known` is the value the page's request example sends for this field, if any.
pub(crate) fn split(text: &str, known: Option<&str>) -> Split {
    let text = text.trim();
    let spans = tokens(text);
    let n = spans.len();
    let whole = |confidence| Split {
        description: text.to_owned(),
        example: None,
        confidence,
    };
    if n <= 1 {
        return whole(Confidence::Sure);
    }
    let description = |k: usize| text[..spans[k].0].trim_end();
    let example = |k: usize| &text[spans[k].0..];
    let before = balanced_before(text, &spans);
    let valid = |k: usize| before[k];
    let at = |k: usize, confidence| Split {
        description: description(k).to_owned(),
        example: Some(example(k).to_owned()),
        confidence,
    };

    if let Some(known) = known
        && let Some(k) = (1..n)
            .find(|&k| text.len() - spans[k].0 == known.len() && valid(k) && example(k) == known)
    {
        return at(k, Confidence::Sure);
    }
    let word = |i: usize| &text[spans[i].0..spans[i].1];
    if n >= 3 && is_date(word(n - 2)) && is_time(word(n - 1)) && valid(n - 2) {
        return at(n - 2, Confidence::Sure);
    }
    if !has_cjk(word(n - 1)) {
        // The shortest valid description after which every word is free of CJK.
        let first_plain = (1..n)
            .rev()
            .take_while(|&i| !has_cjk(word(i)))
            .last()
            .unwrap_or(n - 1);
        if let Some(k) = (first_plain..n).find(|&k| valid(k)) {
            if !has_cjk(description(k)) {
                // Nothing marks where an all-ASCII description ends: take the last word.
                return if valid(n - 1) {
                    at(n - 1, Confidence::Guess)
                } else {
                    whole(Confidence::Guess)
                };
            }
            let confidence = if k == n - 1 {
                Confidence::Sure
            } else {
                Confidence::Guess
            };
            return at(k, confidence);
        }
    }
    match (1..n).rev().find(|&k| valid(k)) {
        Some(k) => at(k, Confidence::Guess),
        None => whole(Confidence::Guess),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str, known: Option<&str>) -> (String, Option<String>, Confidence) {
        let got = split(text, known);
        (got.description, got.example, got.confidence)
    }

    fn sure(d: &str, e: &str) -> (String, Option<String>, Confidence) {
        (d.into(), Some(e.into()), Confidence::Sure)
    }

    #[test]
    fn seed_rows() {
        assert_eq!(
            s("支付宝分配给开发者的应用ID 2014072300007148", None),
            sure("支付宝分配给开发者的应用ID", "2014072300007148")
        );
        assert_eq!(s("仅支持JSON JSON", None), sure("仅支持JSON", "JSON"));
        assert_eq!(
            s(
                "发送请求的时间,格式\"yyyy-MM-dd HH:mm:ss\" 2014-07-24 03:07:50",
                None
            ),
            sure(
                "发送请求的时间,格式\"yyyy-MM-dd HH:mm:ss\"",
                "2014-07-24 03:07:50"
            )
        );
        assert_eq!(
            s("调用的接口版本,固定为:1.0 1.0", None),
            sure("调用的接口版本,固定为:1.0", "1.0")
        );
        assert_eq!(s("扩展字段 null", None), sure("扩展字段", "null"));
        assert_eq!(
            s("户名,户主真实姓名 王龙海", Some("王龙海")),
            sure("户名,户主真实姓名", "王龙海")
        );
        assert_eq!(
            s(
                "签约类型,可为空。目前类型有INST_DIRECT_DEDUCT direct_sign_deduct",
                None
            ),
            sure(
                "签约类型,可为空。目前类型有INST_DIRECT_DEDUCT",
                "direct_sign_deduct"
            )
        );
    }

    #[test]
    fn single_word_is_the_description() {
        assert_eq!(
            s("详见应用授权概述", None),
            ("详见应用授权概述".into(), None, Confidence::Sure)
        );
        assert_eq!(s("", None), (String::new(), None, Confidence::Sure));
    }

    #[test]
    fn guesses_are_flagged() {
        assert_eq!(
            s("网关返回码描述,详见文档 Business Failed", None).2,
            Confidence::Guess
        );
        assert_eq!(
            s("网关返回码描述,详见文档 Business Failed", None)
                .1
                .as_deref(),
            Some("Business Failed")
        );
        assert_eq!(
            s("业务返回码描述,详见文档 交易已被支付", None).2,
            Confidence::Guess
        );
        assert_eq!(
            s("the order id abc", None),
            ("the order id".into(), Some("abc".into()), Confidence::Guess)
        );
        // The request example settles it.
        assert_eq!(
            s("网关返回码描述,详见文档 Business Failed", Some("Failed")),
            sure("网关返回码描述,详见文档 Business", "Failed")
        );
    }

    #[test]
    fn never_cuts_quotes() {
        let got = split("说明\"a b\"", None);
        assert_eq!(got.example, None);
        assert_eq!(got.description, "说明\"a b\"");
    }
}
