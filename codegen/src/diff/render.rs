//! The two outputs: text for people, JSON for tools (a public contract).

use std::fmt::Write;

use serde::Serialize;
use serde_json::Value;

use super::Diff;
use super::change::Severity;

pub(super) fn text(diff: &Diff) -> String {
    let mut out = String::new();
    for c in &diff.changes {
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "{}: {}: {} ({})",
            c.method,
            one_line(&c.path),
            one_line(&c.message),
            c.severity
        );
    }
    if diff.changes.is_empty() {
        out.push_str("no changes; semver: none\n");
        return out;
    }
    let mut methods: Vec<&str> = diff.changes.iter().map(|c| c.method.as_str()).collect();
    methods.dedup();
    let _ = writeln!(
        out,
        "{} change(s) in {} method(s): {} breaking, {} minor, {} patch; semver: {}",
        diff.changes.len(),
        methods.len(),
        diff.count(Severity::Breaking),
        diff.count(Severity::Minor),
        diff.count(Severity::Patch),
        diff.semver()
    );
    out
}

/// `text` with control characters escaped (`\n` as `\\n`): paths and messages hold spec
/// text (a listed value, a field name), and a line per change must stay one line.
fn one_line(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return text.into();
    }
    text.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect::<String>()
        .into()
}

/// The JSON document, keys in the documented order.
#[derive(Serialize)]
struct Report<'a> {
    changes: Vec<ChangeJson<'a>>,
    breaking: usize,
    minor: usize,
    patch: usize,
    semver: &'static str,
}

#[derive(Serialize)]
struct ChangeJson<'a> {
    method: &'a str,
    path: &'a str,
    change: &'static str,
    breaking: bool,
    severity: &'static str,
    message: &'a str,
    old: &'a Value,
    new: &'a Value,
    model: Option<&'a str>,
    used_by: &'a [String],
}

/// Pretty-printed, keys in the order of the structs above (a `Value` would sort them).
pub(super) fn json(diff: &Diff) -> String {
    let report = Report {
        changes: diff
            .changes
            .iter()
            .map(|c| ChangeJson {
                method: &c.method,
                path: &c.path,
                change: c.kind.as_str(),
                breaking: c.is_breaking(),
                severity: c.severity.as_str(),
                message: &c.message,
                old: &c.old,
                new: &c.new,
                model: c.model.as_deref(),
                used_by: &c.used_by,
            })
            .collect(),
        breaking: diff.count(Severity::Breaking),
        minor: diff.count(Severity::Minor),
        patch: diff.count(Severity::Patch),
        semver: diff.semver().as_str(),
    };
    // Strings, numbers, booleans and nulls always serialise.
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{Change, Kind};

    #[test]
    fn a_change_stays_on_its_line() {
        let diff = Diff {
            changes: vec![Change {
                method: "alipay.a.b".into(),
                path: "request.kind.values.A\nB".into(),
                kind: Kind::ValueAdded,
                severity: Severity::Minor,
                message: "listed value `A\nB\r` added".into(),
                old: Value::Null,
                new: Value::from("A\nB\r"),
                model: None,
                used_by: Vec::new(),
            }],
        };
        assert_eq!(
            diff.text(),
            "alipay.a.b: request.kind.values.A\\nB: listed value `A\\nB\\r` added (minor)\n\
             1 change(s) in 1 method(s): 0 breaking, 1 minor, 0 patch; semver: minor\n"
        );
        // JSON keeps the value as it is.
        let json: Value = serde_json::from_str(&diff.json()).unwrap();
        assert_eq!(json["changes"][0]["new"], "A\nB\r");
    }
}
