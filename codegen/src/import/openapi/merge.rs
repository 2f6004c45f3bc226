//! One operation's facts merged into a spec: the route always (it is the document's own fact),
//! everything else only where the spec lacks it. A fact the spec has (a type, a length, a
//! required flag, a description, an error's solution) is never replaced; every fact added
//! names its source.

use std::collections::BTreeSet;

use super::document::{Operation, ParamIn};
use crate::spec::{Body, ErrorCode, Field, Provenance, Route, Spec, TypeRef};

/// The public parameter a v3 query may carry without a request field of its name.
use crate::spec::PUBLIC_QUERY;

/// A new spec for an operation no other source has (`provenance: openapi`).
pub(crate) fn new_spec(op: &Operation, source: &str) -> Spec {
    let title = match op.summary.trim() {
        "" => op.id.as_str(),
        summary => summary,
    };
    let mut spec = Spec::new(op.id.as_str(), title, Provenance::Openapi);
    spec.description = op.description.trim().to_owned();
    merge(&mut spec, op, source);
    spec
}

/// Merges `op` into `spec`. Idempotent.
pub(crate) fn merge(spec: &mut Spec, op: &Operation, source: &str) {
    // Facts the spec's own source gave need no source of their own; a method only the
    // document has is not a v2 method.
    let own = spec.provenance == Provenance::Openapi;
    let v2 = !own;
    let src = || (!own).then(|| source.to_owned());
    let mut query = Vec::new();
    let mut added_models = Vec::new();
    for (field, place) in &op.params {
        if *place == ParamIn::Query {
            query.push(field.name.clone());
        }
        if field.name == PUBLIC_QUERY && !has(&spec.request, PUBLIC_QUERY) {
            // The public parameter of v2, a query parameter in v3: not a field of the request.
            continue;
        }
        add_field(&mut spec.request, field, src(), &mut added_models);
    }
    for field in &op.body_fields {
        add_field(&mut spec.request, field, src(), &mut added_models);
    }
    for field in &op.response {
        add_field(&mut spec.response, field, src(), &mut added_models);
    }
    // Models the added fields name, and the models those name.
    while let Some(name) = added_models.pop() {
        if spec.models.contains_key(&name) {
            continue;
        }
        let Some(fields) = op.models.get(&name) else {
            continue;
        };
        let fields: Vec<Field> = fields
            .iter()
            .map(|f| {
                added_models.extend(model_of(&f.ty));
                Field {
                    source: src(),
                    ..f.clone()
                }
            })
            .collect();
        spec.models.insert(name, fields);
    }
    for code in &op.errors {
        if !spec.errors.iter().any(|e| &e.code == code) {
            spec.errors.push(ErrorCode {
                code: code.clone(),
                description: String::new(),
                solution: String::new(),
                note: None,
                source: src(),
            });
        }
    }
    spec.route = Some(route(spec, op, query, source, v2));
}

/// The route of `op` for `spec` (whose request holds every parameter by now).
fn route(spec: &Spec, op: &Operation, mut query: Vec<String>, source: &str, v2: bool) -> Route {
    let mut note = None;
    if op.body == Body::None {
        // A field the v2 request has and the document does not place: without a body, the
        // query is the only place left for it.
        let placed: BTreeSet<&str> = op.params.iter().map(|(f, _)| f.name.as_str()).collect();
        let unplaced: Vec<String> = spec
            .request
            .iter()
            .filter(|f| !placed.contains(f.name.as_str()))
            .map(|f| f.name.clone())
            .collect();
        if !unplaced.is_empty() {
            note = Some(format!(
                "the document has no body for this operation and does not name {}: sent as \
                 query parameters",
                unplaced
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            query.extend(unplaced);
        }
    }
    Route {
        http_method: op.http_method,
        path: op.path.clone(),
        body: op.body,
        query,
        v2,
        source: Some(source.to_owned()),
        note,
    }
}

fn has(fields: &[Field], name: &str) -> bool {
    fields.iter().any(|f| f.name == name)
}

/// Appends `field` to `fields` unless a field of its name is there; notes the models it names.
fn add_field(
    fields: &mut Vec<Field>,
    field: &Field,
    source: Option<String>,
    models: &mut Vec<String>,
) {
    if has(fields, &field.name) {
        return;
    }
    models.extend(model_of(&field.ty));
    fields.push(Field {
        source,
        ..field.clone()
    });
}

/// The model a type names, if any.
fn model_of(ty: &str) -> Option<String> {
    TypeRef::parse(ty)
        .ok()
        .and_then(|t| t.model_name().map(str::to_owned))
}
