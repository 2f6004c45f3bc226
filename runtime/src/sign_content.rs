//! Support for generated code and the local gateway; not covered by semver.
//!
//! The string a request signature covers.
//!
//! Every parameter that is sent except `sign` (`sign_type` included), empty values left out
//! (they are never sent), sorted by key in byte order, `key=value` joined with `&`, values raw:
//! not URL-encoded, not escaped, not trimmed. The caller encodes the result in the request
//! charset before signing (see [`crate::charset::Charset::encode`]).

use crate::protocol::param;

/// Builds the sign content from the parameters that are sent.
///
/// ```
/// use alipay_runtime::protocol::param;
/// use alipay_runtime::sign_content::sign_content;
/// let content = sign_content([
///     (param::METHOD, "alipay.trade.query"),
///     (param::APP_ID, "2014072300007148"),
///     (param::SIGN, "ignored"),
///     (param::NOTIFY_URL, ""),
/// ]);
/// assert_eq!(content, "app_id=2014072300007148&method=alipay.trade.query");
/// ```
pub fn sign_content<'a>(params: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut pairs: Vec<(&str, &str)> = params
        .into_iter()
        .filter(|(k, v)| *k != param::SIGN && !v.is_empty())
        .collect();
    // Byte order of the UTF-8 keys; stable, so a repeated key keeps its order.
    pairs.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    join_pairs(&pairs)
}

/// Joins already-filtered, sorted pairs as `k=v&k=v`.
pub(crate) fn join_pairs(pairs: &[(&str, &str)]) -> String {
    let len = pairs.iter().map(|(k, v)| k.len() + v.len() + 2).sum();
    let mut out = String::with_capacity(len);
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorts_by_byte_order_and_drops_sign_and_empty_values() {
        let content = sign_content([
            ("timestamp", "2014-07-24 03:07:50"),
            ("sign", "abc"),
            ("notify_url", "https://x.example/n?a=1&b=2"),
            ("app_id", "1"),
            ("Zeta", "upper sorts first"),
            ("return_url", ""),
            ("sign_type", "RSA2"),
        ]);
        assert_eq!(
            content,
            "Zeta=upper sorts first&app_id=1&notify_url=https://x.example/n?a=1&b=2\
             &sign_type=RSA2&timestamp=2014-07-24 03:07:50"
        );
    }

    #[test]
    fn empty_input_gives_empty_content() {
        assert_eq!(sign_content(std::iter::empty()), "");
        assert_eq!(sign_content([("sign", "x"), ("a", "")]), "");
    }
}
