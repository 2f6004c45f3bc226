//! What the TRACE logs of signing and verifying leave out: the values of secret parameters
//! and members (tokens, secrets, passwords), wherever they sit in a JSON text, replaced by
//! `"<redacted>"`. Everything else stays exactly as signed or verified, since the first thing
//! someone debugging a signature mismatch needs is the exact text.
//!
//! `sign` itself is never in the logged text: the request signature covers every parameter
//! but `sign`, and a response's `sign` sits beside the node it covers.
//!
//! Also, for the CLI and the local gateway (not covered by semver): [`quoted_values`], which
//! cuts the values a parser's error message repeats.

use std::borrow::Cow;
use std::ops::Range;

use serde_json::value::RawValue;

use crate::sign_content::sign_content;
use crate::verify::Members;

/// What a redacted value is replaced with (a JSON string, so the text stays JSON).
const REDACTED: &str = "<redacted>";

/// Whether a parameter or member named `name` holds a secret (the app auth token,
/// `access_token`, `refresh_token`, `client_secret`, `password`, ...).
pub(crate) fn is_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    name.ends_with("token") || name.contains("secret") || name.contains("password")
}

/// The sign content of `pairs` with secret parameters' values redacted, and secret members
/// redacted inside values that are JSON objects (such as `biz_content`).
pub(crate) fn sign_content_text<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let redacted: Vec<(&str, Cow<'_, str>)> = pairs
        .into_iter()
        .map(|(k, v)| {
            if is_secret(k) && !v.is_empty() {
                (k, Cow::Borrowed(REDACTED))
            } else {
                (k, json_text(v))
            }
        })
        .collect();
    sign_content(redacted.iter().map(|(k, v)| (*k, v.as_ref())))
}

/// `text` with the values of secret members redacted at any depth, when `text` is a JSON
/// object or array; otherwise `text` as it is.
pub(crate) fn json_text(text: &str) -> Cow<'_, str> {
    let trimmed = text.trim_start();
    if !(trimmed.starts_with('{') || trimmed.starts_with('[')) {
        return Cow::Borrowed(text);
    }
    let Ok(raw) = serde_json::from_str::<&RawValue>(text) else {
        return Cow::Borrowed(text);
    };
    let mut spans = Vec::new();
    secret_spans(text, raw, &mut spans, 0);
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in spans {
        out.push_str(&text[at..span.start]);
        out.push('"');
        out.push_str(REDACTED);
        out.push('"');
        at = span.end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

/// How deep [`secret_spans`] looks for secret members; an object or array nested deeper is
/// redacted whole. Alipay's texts nest a few levels; the text may come from the network before
/// it is verified, and each level is one more frame of this recursion (and one more parse of
/// what it holds).
const MAX_DEPTH: usize = 32;

/// The byte ranges in `base` of the values of secret members inside `value` (a slice of
/// `base`, `depth` levels down), in text order.
fn secret_spans(base: &str, value: &RawValue, out: &mut Vec<Range<usize>>, depth: usize) {
    let text = value.get();
    if depth >= MAX_DEPTH && (text.starts_with('{') || text.starts_with('[')) {
        let start = text.as_ptr() as usize - base.as_ptr() as usize;
        out.push(start..start + text.len());
        return;
    }
    if text.starts_with('{') {
        let Ok(members) = Members::parse(text) else {
            return;
        };
        for (name, member) in &members.0 {
            if is_secret(name) {
                // Every RawValue here borrows from `base`: its offset is where it starts.
                let start = member.get().as_ptr() as usize - base.as_ptr() as usize;
                out.push(start..start + member.get().len());
            } else {
                secret_spans(base, member, out, depth + 1);
            }
        }
    } else if text.starts_with('[') {
        let Ok(items) = serde_json::from_str::<Vec<&RawValue>>(text) else {
            return;
        };
        for item in items {
            secret_spans(base, item, out, depth + 1);
        }
    }
}

/// A request target (`path?query`) with the values of secret query parameters redacted.
pub(crate) fn query_text(target: &str) -> Cow<'_, str> {
    let Some((path, query)) = target.split_once('?') else {
        return Cow::Borrowed(target);
    };
    let pairs: Vec<(Cow<'_, str>, Cow<'_, str>)> =
        form_urlencoded::parse(query.as_bytes()).collect();
    if !pairs.iter().any(|(k, _)| is_secret(k)) {
        return Cow::Borrowed(target);
    }
    let query = crate::v3::query_string(pairs.iter().map(|(k, v)| {
        let v = if is_secret(k) { REDACTED } else { v.as_ref() };
        (k.as_ref(), v)
    }));
    Cow::Owned(format!("{path}?{query}"))
}

/// `message` (a parser's error) with every quoted part (`"..."`, `'...'`, `` `...` ``) that
/// `keep(quote, text)` does not keep replaced by `…`: serde and the TOML parser repeat the
/// offending value there, and in a file that holds a key it may be a piece of the key. An
/// unclosed quote ends the message with `…`.
pub fn quoted_values(message: &str, keep: impl Fn(char, &str) -> bool) -> String {
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(start) = rest.find(['"', '\'', '`']) {
        let quote = rest[start..].chars().next().unwrap_or('"');
        out.push_str(&rest[..=start]);
        let inner = &rest[start + 1..];
        let Some(end) = inner.find(quote) else {
            out.push('…');
            return out;
        };
        let quoted = &inner[..end];
        out.push_str(if keep(quote, quoted) { quoted } else { "…" });
        out.push(quote);
        rest = &inner[end + 1..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::param;

    #[test]
    fn quoted_values_are_cut_unless_kept() {
        let keep_names = |quote: char, text: &str| quote == '`' && !text.contains('+');
        assert_eq!(
            quoted_values(r#"invalid "MIIEv+ab" for `private_key`, 'x'"#, keep_names),
            r#"invalid "…" for `private_key`, '…'"#
        );
        assert_eq!(quoted_values("unclosed `MII", keep_names), "unclosed `…");
        assert_eq!(quoted_values("no quotes", keep_names), "no quotes");
    }

    #[test]
    fn secret_members_are_redacted_at_any_depth_and_the_rest_kept_exactly() {
        let text = r#"{"code":"10000", "access_token" : "AT1","tokens":[{"app_refresh_token":"x\"y","n":1}],"user":{"refresh_token":{"a":1}}}"#;
        assert_eq!(
            json_text(text),
            r#"{"code":"10000", "access_token" : "<redacted>","tokens":[{"app_refresh_token":"<redacted>","n":1}],"user":{"refresh_token":"<redacted>"}}"#
        );
        assert!(matches!(json_text(r#"{"a":"b"}"#), Cow::Borrowed(_)));
        assert_eq!(json_text("not json {"), "not json {");
        assert_eq!(json_text("plain"), "plain");
    }

    #[test]
    fn deep_nesting_is_redacted_whole_without_recursing_into_it() {
        // Found by a probe: with TRACE enabled, verifying an answer (unsigned, or signed by
        // anyone) whose node nested arrays 200,000 deep overflowed the stack in this
        // function, before the signature was checked: the process aborted.
        let depth = 200_000;
        let text = format!(
            r#"{{"code":"40004","x":{}1{}}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        );
        assert_eq!(
            json_text(&text),
            format!(
                r#"{{"code":"40004","x":{}"<redacted>"{}}}"#,
                "[".repeat(MAX_DEPTH - 1),
                "]".repeat(MAX_DEPTH - 1)
            )
        );
        // Within the bound secrets are found as before; past it the whole value goes.
        let nest =
            |n: usize, inner: &str| format!("{}{inner}{}", r#"{"a":"#.repeat(n), "}".repeat(n));
        let shallow = nest(MAX_DEPTH - 1, r#"{"access_token":"AT","n":1}"#);
        assert_eq!(
            json_text(&shallow),
            nest(MAX_DEPTH - 1, r#"{"access_token":"<redacted>","n":1}"#)
        );
        let deep = nest(MAX_DEPTH, r#"{"access_token":"AT","n":1}"#);
        assert_eq!(json_text(&deep), nest(MAX_DEPTH, r#""<redacted>""#));
    }

    #[test]
    fn sign_content_text_redacts_secret_parameters() {
        let text = sign_content_text([
            (param::APP_ID, "1"),
            (param::APP_AUTH_TOKEN, "202401BBtoken"),
            (
                param::BIZ_CONTENT,
                r#"{"grant_type":"refresh_token","refresh_token":"RT"}"#,
            ),
        ]);
        assert_eq!(
            text,
            format!(
                r#"{}=<redacted>&app_id=1&biz_content={{"grant_type":"refresh_token","refresh_token":"<redacted>"}}"#,
                param::APP_AUTH_TOKEN
            )
        );
    }
}
