//! Keys the diff does not know: a key added to the spec format later (the fields of a
//! method's notifications, say) must not slip through as "no change". Each side is serialised and every key
//! outside the known ones compared; a difference counts as breaking until the diff learns it.

use serde::Serialize;
use serde_json::{Map, Value};

/// The keys of a method spec the diff classifies.
pub(super) const SPEC_KEYS: &[&str] = &[
    "method",
    "title",
    "description",
    "version",
    "doc_url",
    "call_style",
    "note",
    "request",
    "response",
    "models",
    "errors",
    "examples",
    "notification",
    "route",
    "at_least_one_of",
];

/// The keys of a notification the diff classifies.
pub(super) const NOTIFICATION_KEYS: &[&str] = &["sources", "note", "fields"];

/// The keys of a field the diff classifies.
pub(super) const FIELD_KEYS: &[&str] = &[
    "name",
    "rust_name",
    "type",
    "required",
    "max_length",
    "format",
    "description",
    "example",
    "values",
    "in",
    "note",
    "source",
];

/// The keys of an allowed value the diff classifies.
pub(super) const VALUE_KEYS: &[&str] = &["value", "description"];

/// The keys of an error code the diff classifies.
pub(super) const ERROR_KEYS: &[&str] = &["code", "description", "solution", "note", "source"];

/// The keys outside `known` whose values differ between `old` and `new`, sorted, each with
/// its old and new value (`null` where absent).
pub(super) fn unclassified<T: Serialize>(
    old: &T,
    new: &T,
    known: &[&str],
) -> Vec<(String, Value, Value)> {
    let (old, new) = (object(old), object(new));
    let mut keys: Vec<&String> = old
        .keys()
        .chain(new.keys())
        .filter(|k| !known.contains(&k.as_str()))
        .collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter_map(|k| {
            let (a, b) = (old.get(k), new.get(k));
            (a != b).then(|| {
                let value = |v: Option<&Value>| v.cloned().unwrap_or(Value::Null);
                (k.clone(), value(a), value(b))
            })
        })
        .collect()
}

fn object<T: Serialize>(value: &T) -> Map<String, Value> {
    match serde_json::to_value(value) {
        Ok(Value::Object(map)) => map,
        // The spec model serialises to objects; anything else has no keys to compare.
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    use crate::spec::{Spec, load_str};

    #[derive(Serialize)]
    struct Later<'a> {
        name: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        call: Option<&'a str>,
    }

    #[test]
    fn a_key_it_does_not_know_is_reported() {
        let old = Later {
            name: "a",
            call: None,
        };
        let new = Later {
            name: "b",
            call: Some("page"),
        };
        assert_eq!(
            unclassified(&old, &new, &["name"]),
            [("call".to_owned(), Value::Null, Value::from("page"))]
        );
        assert!(unclassified(&old, &old, &["name"]).is_empty());
    }

    #[test]
    fn the_known_keys_are_exactly_the_model_s_keys() {
        // A spec that sets every key: the lists name exactly the keys serde writes (`in`,
        // `type`), no more, so nothing the model has today falls to `unclassified`.
        let spec: Spec = load_str(
            "alipay.keys.all.set.yaml",
            "method: alipay.keys.all.set
title: t
description: d
doc_url: https://example.com/
call_style: page
note: n
request:
  - { name: a, rust_name: b, type: String, required: true, max_length: 3, description: d, example: e, values: [{ value: X, description: x }], in: form, note: n, source: s }
  - { name: d, type: Date, format: yyyy-MM-dd }
  - { name: c, type: String }
at_least_one_of: [[c, d]]
response:
  - { name: m, type: M }
models:
  M:
    - { name: x, type: String }
errors:
  - { code: E, description: d, solution: s, note: n, source: s }
examples: { request: r }
notification:
  sources: [https://example.com/notify]
  note: n
  fields:
    - { name: s, type: String }
route: { http_method: POST, path: /v3/alipay/keys/all/set }
",
        )
        .expect("a valid spec");
        fn keys<T: Serialize>(items: &[T]) -> BTreeSet<String> {
            items
                .iter()
                .flat_map(|i| object(i).into_iter().map(|(k, _)| k))
                .collect()
        }
        let set = |known: &[&str]| {
            known
                .iter()
                .map(|k| (*k).to_owned())
                .collect::<BTreeSet<_>>()
        };
        assert_eq!(keys(std::slice::from_ref(&spec)), set(SPEC_KEYS));
        assert_eq!(keys(&spec.request), set(FIELD_KEYS));
        assert_eq!(keys(&spec.request[0].values), set(VALUE_KEYS));
        assert_eq!(keys(&spec.errors), set(ERROR_KEYS));
        assert_eq!(
            keys(std::slice::from_ref(spec.notification.as_ref().unwrap())),
            set(NOTIFICATION_KEYS)
        );
    }
}
