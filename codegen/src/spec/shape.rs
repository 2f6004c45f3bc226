//! The first check: every key known, every required key present, every value of the right
//! kind, reported all at once with positions. What passes converts to JSON, from which serde
//! builds the model (so `model.rs` stays the single definition of the types).

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use serde_json::{Map, Value as Json};

use super::diagnostic::{FieldPath, Pos, Seg};
use super::report::Reporter;
use super::tree::{Node, Scalar, Value};

/// What a value must look like.
#[derive(Debug)]
pub(crate) enum Kind {
    /// A string (quoted, or plain text that YAML does not read as a number, boolean or null).
    Str,
    /// `true` or `false`.
    Bool,
    /// A whole number ≥ 0.
    UInt,
    /// One of these strings.
    OneOf(&'static [&'static str]),
    /// A list of the inner kind.
    List(&'static Kind),
    /// A mapping with these keys.
    Struct(&'static [KeyRule]),
    /// A mapping from names (free keys) to the inner kind.
    NamedMap(&'static Kind),
}

/// One key of a [`Kind::Struct`].
#[derive(Debug)]
pub(crate) struct KeyRule {
    pub key: &'static str,
    pub kind: Kind,
    pub required: bool,
}

const fn req(key: &'static str, kind: Kind) -> KeyRule {
    KeyRule {
        key,
        kind,
        required: true,
    }
}

const fn opt(key: &'static str, kind: Kind) -> KeyRule {
    KeyRule {
        key,
        kind,
        required: false,
    }
}

/// The keys of a field (request, response or model field): mirrors `model::Field`.
pub(crate) const FIELD: &[KeyRule] = &[
    req("name", Kind::Str),
    opt("rust_name", Kind::Str),
    req("type", Kind::Str),
    opt("required", Kind::Bool),
    opt("max_length", Kind::UInt),
    opt("format", Kind::Str),
    opt("description", Kind::Str),
    opt("example", Kind::Str),
    opt("values", Kind::List(&Kind::Struct(ALLOWED_VALUE))),
    opt("in", Kind::OneOf(&["biz_content", "form"])),
    opt("note", Kind::Str),
    opt("source", Kind::Str),
];

/// A list of fields.
pub(crate) const FIELDS: Kind = Kind::List(&Kind::Struct(FIELD));

/// Mirrors `model::AllowedValue`.
const ALLOWED_VALUE: &[KeyRule] = &[req("value", Kind::Str), opt("description", Kind::Str)];

/// Mirrors `model::ErrorCode`.
pub(crate) const ERROR_CODE: &[KeyRule] = &[
    req("code", Kind::Str),
    opt("description", Kind::Str),
    opt("solution", Kind::Str),
    opt("note", Kind::Str),
    opt("source", Kind::Str),
];

/// Mirrors `model::Examples`.
const EXAMPLES: &[KeyRule] = &[
    opt("request", Kind::Str),
    opt("response", Kind::Str),
    opt("error", Kind::Str),
];

/// Mirrors `model::Notification`.
const NOTIFICATION: &[KeyRule] = &[
    opt("sources", Kind::List(&Kind::Str)),
    opt("note", Kind::Str),
    req("fields", FIELDS),
];

/// Mirrors `model::Route`.
const ROUTE: &[KeyRule] = &[
    req(
        "http_method",
        Kind::OneOf(&["GET", "POST", "PUT", "PATCH", "DELETE"]),
    ),
    req("path", Kind::Str),
    opt("body", Kind::OneOf(&["json", "multipart", "none"])),
    opt("query", Kind::List(&Kind::Str)),
    opt("v2", Kind::Bool),
    opt("source", Kind::Str),
    opt("note", Kind::Str),
];

/// The top level of a method spec: mirrors `model::Spec`.
pub(crate) const SPEC: &[KeyRule] = &[
    req("method", Kind::Str),
    req("title", Kind::Str),
    opt("description", Kind::Str),
    opt("version", Kind::Str),
    opt("doc_url", Kind::Str),
    opt(
        "provenance",
        Kind::OneOf(&["doc_page", "sdk_models", "openapi"]),
    ),
    opt("call_style", Kind::OneOf(&["server", "page", "app"])),
    opt("note", Kind::Str),
    opt("request", FIELDS),
    opt("at_least_one_of", Kind::List(&Kind::List(&Kind::Str))),
    opt("response", FIELDS),
    opt("models", Kind::NamedMap(&FIELDS)),
    opt("errors", Kind::List(&Kind::Struct(ERROR_CODE))),
    opt("examples", Kind::Struct(EXAMPLES)),
    opt("notification", Kind::Struct(NOTIFICATION)),
    opt("route", Kind::Struct(ROUTE)),
];

/// Checks `node` against `kind`, reporting every problem; returns its JSON form when it has none.
pub(crate) fn check<'t>(
    node: &'t Node<'_>,
    kind: &Kind,
    path: &mut FieldPath<'t>,
    out: &mut Reporter<'_>,
) -> Option<Json> {
    // Long because: one arm per kind of node in the shape table; splitting it would scatter the table.
    if let Value::Alias = node.value {
        out.at(
            node.pos,
            path,
            "aliases (`*name`) are not supported in spec files; write the value out",
        );
        return None;
    }
    match kind {
        Kind::Str => match node.scalar() {
            Some(Scalar::Str(text)) => match forbidden_char(text) {
                None => Some(Json::String(text.to_owned())),
                Some((at, c)) => {
                    let what = if ('\u{202A}'..='\u{202E}').contains(&c)
                        || ('\u{2066}'..='\u{2069}').contains(&c)
                    {
                        "a text-direction control character"
                    } else {
                        "a control character"
                    };
                    out.at(
                        node.pos,
                        path,
                        format!(
                            "{what} (U+{:04X}) at character {}: spec text may not hold control \
                             or text-direction characters (a line break is `\\n`); remove it",
                            u32::from(c),
                            at + 1
                        ),
                    );
                    None
                }
            },
            Some(other @ (Scalar::Int(text) | Scalar::Float(text))) => {
                out.at(
                    node.pos,
                    path,
                    format!(
                        "expected a string, found {} `{text}`; quote it: \"{text}\"",
                        other.kind()
                    ),
                );
                None
            }
            Some(other @ Scalar::Bool(_)) => {
                out.at(
                    node.pos,
                    path,
                    format!("expected a string, found {}; quote it", other.kind()),
                );
                None
            }
            _ => mismatch(node, "a string", path, out),
        },
        Kind::Bool => match node.scalar() {
            Some(Scalar::Bool(b)) => Some(Json::Bool(b)),
            _ => mismatch(node, "`true` or `false`", path, out),
        },
        Kind::UInt => match node.scalar() {
            Some(Scalar::Int(text)) => {
                match text.strip_prefix('+').unwrap_or(text).parse::<u64>() {
                    Ok(n) => Some(Json::from(n)),
                    Err(_) => {
                        out.at(
                            node.pos,
                            path,
                            format!("expected a whole number from 0 to 2^64-1, found `{text}`"),
                        );
                        None
                    }
                }
            }
            _ => mismatch(node, "a whole number", path, out),
        },
        Kind::OneOf(allowed) => match node.scalar() {
            Some(Scalar::Str(text)) if allowed.contains(&text) => {
                Some(Json::String(text.to_owned()))
            }
            Some(Scalar::Str(text)) => {
                out.at(
                    node.pos,
                    path,
                    format!("`{text}` is not one of {}", list(allowed)),
                );
                None
            }
            _ => mismatch(node, &format!("one of {}", list(allowed)), path, out),
        },
        Kind::List(item) => {
            let Value::Seq(items) = &node.value else {
                return mismatch(node, "a list", path, out);
            };
            let mut ok = true;
            let mut json = Vec::with_capacity(items.len());
            for (i, child) in items.iter().enumerate() {
                path.push(Seg::Index(i));
                match check(child, item, path, out) {
                    Some(value) => json.push(value),
                    None => ok = false,
                }
                path.pop();
            }
            ok.then_some(Json::Array(json))
        }
        Kind::Struct(rules) => check_struct(node, rules, path, out),
        Kind::NamedMap(item) => {
            let Value::Map(entries) = &node.value else {
                return mismatch(node, "a mapping of names", path, out);
            };
            let mut ok = true;
            let mut json = Map::new();
            let mut first_at: HashMap<&str, Pos> = HashMap::with_capacity(entries.len());
            for (key, value) in entries {
                let Some(name) = unique_key(key, "name", &mut first_at, path, out) else {
                    ok = false;
                    continue;
                };
                ok &= check_entry(value, item, name, path, out, &mut json);
            }
            ok.then_some(Json::Object(json))
        }
    }
}

fn check_struct<'t>(
    node: &'t Node<'_>,
    rules: &'static [KeyRule],
    path: &mut FieldPath<'t>,
    out: &mut Reporter<'_>,
) -> Option<Json> {
    // Long because: the key rules of a mapping checked in one pass, every problem reported with its position.
    let Value::Map(entries) = &node.value else {
        let keys: Vec<&str> = rules.iter().filter(|r| r.required).map(|r| r.key).collect();
        return mismatch(
            node,
            &format!("a mapping with keys {}", list(&keys)),
            path,
            out,
        );
    };
    let mut ok = true;
    let mut json = Map::new();
    // Where each key was first seen: a mapping may hold any number of unknown keys, and each
    // is looked up once.
    let mut first_at: HashMap<&str, Pos> = HashMap::new();
    for (key, value) in entries {
        let Some(name) = unique_key(key, "key", &mut first_at, path, out) else {
            ok = false;
            continue;
        };
        let rule_index = rules.iter().position(|r| r.key == name);
        let Some(rule) = rule_index.map(|r| &rules[r]) else {
            let known: Vec<&str> = rules.iter().map(|r| r.key).collect();
            let hint = match closest(name, &known) {
                Some(near) => format!("did you mean `{near}`?"),
                None => format!("expected one of {}", list(&known)),
            };
            out.at(
                key.pos,
                &path.key(name),
                format!("unknown key `{name}`; {hint}"),
            );
            ok = false;
            continue;
        };
        if matches!(value.scalar(), Some(Scalar::Null)) {
            if rule.required {
                out.at(
                    value.pos,
                    &path.key(name),
                    format!("required key `{name}` has no value"),
                );
                ok = false;
            }
            continue;
        }
        ok &= check_entry(value, &rule.kind, rule.key, path, out, &mut json);
    }
    for rule in rules.iter().filter(|r| r.required) {
        if !first_at.contains_key(rule.key) {
            out.at(
                node.pos,
                &path.key(rule.key),
                format!("missing required key `{}`", rule.key),
            );
            ok = false;
        }
    }
    ok.then_some(Json::Object(json))
}

/// The first character spec text may not hold, with its index (in characters): control
/// characters other than line feed and tab (a carriage return, alone or not, escape
/// sequences, NUL), and the text-direction controls U+202A–U+202E and U+2066–U+2069, which make
/// text read differently from what it holds (rustc refuses them in literals and comments).
pub(crate) fn forbidden_char(text: &str) -> Option<(usize, char)> {
    text.chars().enumerate().find(|&(_, c)| {
        (c.is_control() && c != '\n' && c != '\t')
            || ('\u{202A}'..='\u{202E}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    })
}

/// The text of a mapping key, which must be a scalar other than null.
fn key_text<'n>(
    key: &'n Node<'_>,
    path: &FieldPath<'_>,
    out: &mut Reporter<'_>,
) -> Option<&'n str> {
    match &key.value {
        Value::Scalar { text, plain, .. }
            if !*plain || !matches!(&**text, "" | "~" | "null" | "Null" | "NULL") =>
        {
            Some(text)
        }
        _ => {
            out.at(
                key.pos,
                path,
                format!("keys must be names, found {}", key.kind()),
            );
            None
        }
    }
}

/// Checks the value of a mapping's entry `name` as `kind`, into `json` when it passes;
/// whether it did.
fn check_entry<'t>(
    value: &'t Node<'_>,
    kind: &Kind,
    name: &'t str,
    path: &mut FieldPath<'t>,
    out: &mut Reporter<'_>,
    json: &mut Map<String, Json>,
) -> bool {
    path.push(Seg::Key(name));
    let checked = check(value, kind, path, out);
    path.pop();
    match checked {
        Some(v) => {
            json.insert(name.to_owned(), v);
            true
        }
        None => false,
    }
}

/// A mapping's key when it is a name the mapping has not held before (`first_at`: where each
/// name was first seen, `noun`: what the messages call the mapping's keys); otherwise `None`,
/// the problem reported.
fn unique_key<'n>(
    key: &'n Node<'_>,
    noun: &str,
    first_at: &mut HashMap<&'n str, Pos>,
    path: &FieldPath<'n>,
    out: &mut Reporter<'_>,
) -> Option<&'n str> {
    let name = key_text(key, path, out)?;
    match first_at.entry(name) {
        Entry::Occupied(first) => {
            out.at(
                key.pos,
                &path.key(name),
                format!(
                    "duplicate {noun} `{name}` (first at line {})",
                    first.get().line
                ),
            );
            None
        }
        Entry::Vacant(slot) => {
            slot.insert(key.pos);
            Some(name)
        }
    }
}

fn mismatch(
    node: &Node<'_>,
    expected: &str,
    path: &FieldPath<'_>,
    out: &mut Reporter<'_>,
) -> Option<Json> {
    let found = match &node.value {
        Value::Scalar { text, .. } if !text.is_empty() => {
            let shown: String = text.chars().take(40).collect();
            let more = if shown.len() < text.len() { "..." } else { "" };
            format!("{} `{shown}{more}`", node.kind())
        }
        _ => node.kind().to_owned(),
    };
    out.at(
        node.pos,
        path,
        format!("expected {expected}, found {found}"),
    );
    None
}

fn list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The known key within edit distance 2 of a misspelt one.
pub(crate) fn closest<'k>(name: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (edit_distance(name, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1)
                .min(row[j] + 1)
                .min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_and_hint() {
        assert_eq!(edit_distance("max_lenght", "max_length"), 2);
        assert_eq!(closest("requried", &["required", "name"]), Some("required"));
        assert_eq!(closest("zzzzzz", &["required", "name"]), None);
    }
}
