//! The title line: `method (中文名)`, with half- or full-width brackets, and whatever page chrome
//! follows it (`在线调试(沙箱环境)`).

use super::page::{fold, is_chrome};

/// A parsed title line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TitleLine {
    /// The method's wire name.
    pub method: String,
    /// The Chinese name in brackets (empty when the line has none).
    pub title: String,
    /// Text after the brackets that is not known page chrome (empty when none).
    pub rest: String,
}

/// Parses a title line: a method name (lowercase ASCII, digits, dots; at least one dot), then
/// optionally its name in brackets. `None` when the line does not start with a method name.
pub(crate) fn parse(line: &str) -> Option<TitleLine> {
    let text = line.trim();
    let method_end = text
        .char_indices()
        .find(|&(_, c)| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '_'))
        .map_or(text.len(), |(i, _)| i);
    let method = &text[..method_end];
    let starts_with_letter = method
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase());
    if !starts_with_letter || !method.contains('.') || method.ends_with('.') {
        return None;
    }
    let after = text[method_end..].trim_start();
    let mut chars = after.char_indices();
    let opens = matches!(chars.next(), Some((_, '(' | '（')));
    if !opens {
        // Only a method name, or a method name followed by something else.
        if after.is_empty() {
            return Some(TitleLine {
                method: method.to_owned(),
                title: String::new(),
                rest: String::new(),
            });
        }
        if method_end < text.len() && !text[method_end..].starts_with(char::is_whitespace) {
            return None;
        }
        return Some(TitleLine {
            method: method.to_owned(),
            title: String::new(),
            rest: after.to_owned(),
        });
    }
    let mut depth = 0usize;
    let mut close = None;
    for (i, c) in after.char_indices() {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    close = Some(i);
                    break;
                }
            }
            _ => {}
        }
    }
    let open_len = after.chars().next().map_or(0, char::len_utf8);
    let (title, rest) = match close {
        Some(i) => {
            let close_len = after[i..].chars().next().map_or(0, char::len_utf8);
            (&after[open_len..i], after[i + close_len..].trim())
        }
        None => (&after[open_len..], ""),
    };
    let rest = if is_chrome(rest) || fold(rest).trim().is_empty() {
        ""
    } else {
        rest
    };
    Some(TitleLine {
        method: method.to_owned(),
        title: title.trim().to_owned(),
        rest: rest.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(method: &str, title: &str, rest: &str) -> Option<TitleLine> {
        Some(TitleLine {
            method: method.into(),
            title: title.into(),
            rest: rest.into(),
        })
    }

    #[test]
    fn both_seed_layouts() {
        assert_eq!(
            parse("alipay.user.agreement.auth.confirm (支付宝个人协议鉴权确认接口)"),
            t(
                "alipay.user.agreement.auth.confirm",
                "支付宝个人协议鉴权确认接口",
                ""
            )
        );
        assert_eq!(
            parse("alipay.ebpp.pdeduct.sign.validate(缴费直连代扣签约前置校验) 在线调试(沙箱环境)"),
            t(
                "alipay.ebpp.pdeduct.sign.validate",
                "缴费直连代扣签约前置校验",
                ""
            )
        );
    }

    #[test]
    fn full_width_brackets_and_leftovers() {
        assert_eq!(
            parse("alipay.trade.pay（统一收单交易支付接口）"),
            t("alipay.trade.pay", "统一收单交易支付接口", "")
        );
        assert_eq!(
            parse("alipay.trade.pay (名(内)) 其他"),
            t("alipay.trade.pay", "名(内)", "其他")
        );
        assert_eq!(parse("alipay.trade.pay"), t("alipay.trade.pay", "", ""));
        assert_eq!(
            parse("alipay.trade.pay (未闭合"),
            t("alipay.trade.pay", "未闭合", "")
        );
    }

    #[test]
    fn not_a_title() {
        assert_eq!(parse("商家向支付宝申请认证。"), None);
        assert_eq!(parse("Alipay.Trade"), None);
        assert_eq!(parse("alipay"), None);
        assert_eq!(parse("alipay.trade.pay:x"), None);
        assert_eq!(parse(""), None);
    }
}
