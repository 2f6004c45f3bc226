//! Allowed-value lists inside descriptions, and the values the page's request example sends.
//!
//! Two layouts: one value per line after the description's first line (`JF:缴水、电...`), and an
//! inline list after a keyword (`类型有:BALANCE;CARTOON;...`, `目前类型有INST_DIRECT_DEDUCT`).

use std::collections::HashMap;

use crate::spec::AllowedValue;

use super::page::fold;

/// Whether `s` can be an allowed value written before a colon: ASCII letters, digits, `_`, `.`
/// and `-`, starting with a letter or digit.
fn is_value_token(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// Parses one `VALUE:meaning` line (half- or full-width colon).
pub(crate) fn value_item(line: &str) -> Option<AllowedValue> {
    let line = line.trim();
    let colon = line.char_indices().find(|&(_, c)| c == ':' || c == '：')?;
    let value = line[..colon.0].trim();
    let meaning = line[colon.0 + colon.1.len_utf8()..].trim();
    if !is_value_token(value) || meaning.is_empty() || meaning.starts_with("//") {
        return None;
    }
    Some(AllowedValue {
        value: value.to_owned(),
        description: meaning.to_owned(),
    })
}

/// Keywords after which pages list values inline.
const INLINE_KEYWORDS: &[&str] = &[
    "类型有",
    "取值有",
    "可选值有",
    "枚举值有",
    "可选值",
    "枚举值",
    "取值为",
    "取值",
];

fn is_list_item(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// An inline list after a keyword, running to the end of the description (or to a full stop):
/// upper-case values separated by `;`, `,`, `、`, `/` or `|`.
fn inline_list(description: &str) -> Vec<AllowedValue> {
    let folded = fold(description);
    for keyword in INLINE_KEYWORDS {
        let Some(at) = folded.rfind(keyword) else {
            continue;
        };
        let after = folded[at + keyword.len()..].trim_start_matches([':', ' ']);
        let list = after.trim_end().trim_end_matches(['。', '.']);
        let items: Vec<&str> = list
            .split([';', ',', '、', '/', '|'])
            .map(str::trim)
            .filter(|i| !i.is_empty())
            .collect();
        if !items.is_empty() && items.iter().all(|i| is_list_item(i)) {
            return items
                .into_iter()
                .map(|v| AllowedValue {
                    value: v.to_owned(),
                    description: String::new(),
                })
                .collect();
        }
    }
    Vec::new()
}

/// The allowed values a description lists: one per line after its first line, or inline after a
/// keyword. Empty when it lists none.
pub(crate) fn from_description(description: &str) -> Vec<AllowedValue> {
    let per_line: Vec<AllowedValue> = description.lines().skip(1).filter_map(value_item).collect();
    if !per_line.is_empty() {
        return per_line;
    }
    inline_list(description)
}

/// The `"key":"value"` pairs (and `"key":number`) a request example sends, Java-escaped or plain
/// JSON; the first occurrence of a key wins.
pub(crate) fn sent_values(example: &str) -> HashMap<String, String> {
    let text = example.replace("\\\"", "\"");
    let mut out = HashMap::new();
    let quotes: Vec<usize> = text
        .char_indices()
        .filter(|&(_, c)| c == '"')
        .map(|(i, _)| i)
        .collect();
    for pair in quotes.windows(2) {
        let (open, close) = (pair[0], pair[1]);
        let key = &text[open + 1..close];
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        let rest = text[close + 1..].trim_start();
        let Some(rest) = rest.strip_prefix(':') else {
            continue;
        };
        let rest = rest.trim_start();
        let value = if let Some(quoted) = rest.strip_prefix('"') {
            match quoted.find('"') {
                Some(end) => &quoted[..end],
                None => continue,
            }
        } else {
            let end = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-'))
                .unwrap_or(rest.len());
            if end == 0 {
                continue;
            }
            &rest[..end]
        };
        out.entry(key.to_owned())
            .or_insert_with(|| value.to_owned());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn values(d: &str) -> Vec<(String, String)> {
        from_description(d)
            .into_iter()
            .map(|v| (v.value, v.description))
            .collect()
    }

    #[test]
    fn one_per_line() {
        assert_eq!(
            values("业务类型。\nJF:缴水、电\nWUYE：缴物业费"),
            vec![
                ("JF".into(), "缴水、电".into()),
                ("WUYE".into(), "缴物业费".into())
            ]
        );
        assert!(
            values("JF:缴水").is_empty(),
            "the first line is the description itself"
        );
        assert!(values("说明\n详见 https://example.com").is_empty());
        assert!(values("说明\nhttps://example.com").is_empty());
    }

    #[test]
    fn inline() {
        assert_eq!(
            values("支付工具设置,目前可为空。类型有:BALANCE;CARTOON;MONEY_FUND"),
            vec![
                ("BALANCE".into(), String::new()),
                ("CARTOON".into(), String::new()),
                ("MONEY_FUND".into(), String::new())
            ]
        );
        assert_eq!(
            values("签约类型,可为空。目前类型有INST_DIRECT_DEDUCT"),
            vec![("INST_DIRECT_DEDUCT".into(), String::new())]
        );
        assert!(values("取值范围[0.01,100000000]").is_empty());
        assert!(values("类型有:很多").is_empty());
    }

    #[test]
    fn request_example_values() {
        let java = r#"request.setBizContent("{" +
"\"agreement_no\":\"20170502000610755993\"," +
"\"n\":12," +
"  }");"#;
        let got = sent_values(java);
        assert_eq!(
            got.get("agreement_no").map(String::as_str),
            Some("20170502000610755993")
        );
        assert_eq!(got.get("n").map(String::as_str), Some("12"));
        let json = "{\"a\": \"x y\", \"b\":\"\"}";
        let got = sent_values(json);
        assert_eq!(got.get("a").map(String::as_str), Some("x y"));
        assert_eq!(got.get("b").map(String::as_str), Some(""));
        assert!(sent_values("\"unterminated\":\"x").is_empty());
    }
}
