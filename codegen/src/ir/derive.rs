//! What each struct of a method derives and how it is read: decided once, here, from its kind,
//! its fields, the models answers carry and [`Settings::json`](crate::Settings::json).

use std::collections::BTreeSet;

use crate::ir::{Derives, MethodIr, Read, StructIr, StructKind, TypeIr};

/// Sets [`StructIr::derives`] on every struct of `m` (whose [`MethodIr::json`] is set).
pub(super) fn assign(m: &mut MethodIr) {
    let read: BTreeSet<String> = read_models(m).into_iter().map(str::to_owned).collect();
    let json = m.json;
    let set = |s: &mut StructIr, read_by_answers: bool| {
        s.derives = derives(s, json, read_by_answers);
    };
    set(&mut m.request, false);
    set(&mut m.response, true);
    for s in m.models.values_mut() {
        let by_answers = read.contains(&s.ident);
        set(s, by_answers);
    }
    if let Some(n) = &mut m.notification {
        set(&mut n.fields, false);
    }
}

/// What `s` derives: request-side structs are serialised, and read only by the untyped JSON
/// path (`json`) or when an answer carries them too (`read_by_answers`); response-side ones
/// are only read (never serialised, which keeps the catalog's code and its compile time
/// smaller), those whose fields are all optional through `alipay_runtime::de::Fields`; the
/// notification is decoded from a verified form, not from JSON.
fn derives(s: &StructIr, json: bool, read_by_answers: bool) -> Derives {
    let default = s.required_fields().next().is_none();
    let read = match &s.kind {
        StructKind::Notification => Read::No,
        _ if s.request_side() && (json || read_by_answers) => Read::Derive,
        _ if s.request_side() => Read::No,
        _ if default => Read::Fields,
        _ => Read::Derive,
    };
    Derives {
        default: default && s.kind != StructKind::Notification,
        serialize: s.request_side(),
        read,
    }
}

/// The models an answer (or a notification) carries: reached from the response, the
/// notification and every response-side model, through fields. They must be read from JSON
/// whether or not the request side is.
fn read_models(m: &MethodIr) -> BTreeSet<&str> {
    fn model_of(ty: &TypeIr) -> Option<&str> {
        match ty {
            TypeIr::Model(name) => Some(name),
            TypeIr::List(inner) => model_of(inner),
            _ => None,
        }
    }
    let mut todo: Vec<&StructIr> = vec![&m.response];
    todo.extend(m.models.values().filter(|s| !s.request_side()));
    if let Some(n) = &m.notification {
        todo.push(&n.fields);
    }
    let mut seen = BTreeSet::new();
    while let Some(s) = todo.pop() {
        for f in &s.fields {
            if let Some(name) = model_of(&f.ty)
                && seen.insert(name)
                && let Some(model) = m.models.get(name)
            {
                todo.push(model);
            }
        }
    }
    seen
}
