// Over 500 lines because: one method compared key by key (its own keys, request, response, models, errors, notification).
//! Comparing two versions of one method: the method's own keys, its request and response,
//! each model once, its error codes.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

use super::change::{Change, Kind, Severity};
use super::fields::{Scope, Structs, Version, compare_fields, docs_kind, unclassified_message};
use super::unclassified::{ERROR_KEYS, NOTIFICATION_KEYS, SPEC_KEYS, unclassified};
use super::uses::model_uses;
use crate::ir::{LowerError, lower_one};
use crate::spec::{CallStyle, Spec};

/// Every change between two versions of one method (none when the specs are equal).
pub(super) fn compare_method(old: &Spec, new: &Spec) -> Result<Vec<Change>, LowerError> {
    if old == new {
        // Lowering is a function of the spec alone, so equal specs generate equal code.
        return Ok(Vec::new());
    }
    let (old_ir, new_ir) = (lower_one(old)?, lower_one(new)?);
    let old_v = Version {
        spec: old,
        ir: &old_ir,
    };
    let new_v = Version {
        spec: new,
        ir: &new_ir,
    };
    let mut out = Vec::new();
    method_keys(old, new, &mut out);

    let scope = |prefix: &str, request_side: bool| Scope {
        method: &new.method,
        prefix: prefix.to_owned(),
        request_side,
        constructor: "Request::new".to_owned(),
        model: None,
        notification: false,
    };
    let top = |s| Structs {
        main: s,
        twin: None,
    };
    compare_fields(
        &scope("request", true),
        (&old_v, &new_v),
        (&old.request, &new.request),
        (top(&old_ir.request), top(&new_ir.request)),
        &mut out,
    );
    compare_fields(
        &scope("response", false),
        (&old_v, &new_v),
        (&old.response, &new.response),
        (top(&old_ir.response), top(&new_ir.response)),
        &mut out,
    );
    compare_notification(&old_v, &new_v, &mut out);
    compare_models(&old_v, &new_v, &mut out);
    compare_errors(&old_v, &new_v, &mut out);
    Ok(out)
}

/// The typed notification: added (minor), removed (breaking), or its fields compared as an
/// answer's are, except that `required` is kept in the type (see [`Scope::notification`]).
fn compare_notification(old: &Version<'_>, new: &Version<'_>, out: &mut Vec<Change>) {
    // Long because: added, removed, then each field as an answer's, one rule after the other.
    let method = &new.spec.method;
    let mut push = |kind, severity, message: String, o: Value, n: Value| {
        out.push(Change::at(
            method,
            "notification".to_owned(),
            kind,
            severity,
            message,
            o,
            n,
        ));
    };
    let count = |n: &crate::spec::Notification| Value::from(n.fields.len());
    let (o, n) = match (&old.spec.notification, &new.spec.notification) {
        (None, None) => return,
        (None, Some(n)) => {
            return push(
                Kind::NotificationAdded,
                Severity::Minor,
                format!(
                    "typed notification added: `Notification` ({} field(s))",
                    n.fields.len()
                ),
                Value::Null,
                count(n),
            );
        }
        (Some(o), None) => {
            return push(
                Kind::NotificationRemoved,
                Severity::Breaking,
                "typed notification removed: the `Notification` type is gone".to_owned(),
                count(o),
                Value::Null,
            );
        }
        (Some(o), Some(n)) => (o, n),
    };
    if o.sources != n.sources {
        push(
            Kind::SourcesChanged,
            Severity::Patch,
            "notification sources changed".to_owned(),
            Value::from(o.sources.clone()),
            Value::from(n.sources.clone()),
        );
    }
    if o.note != n.note {
        let opt = |s: &Option<String>| s.as_deref().map_or(Value::Null, Value::from);
        push(
            Kind::NoteChanged,
            Severity::Patch,
            "notification note changed".to_owned(),
            opt(&o.note),
            opt(&n.note),
        );
    }
    let (Some(o_ir), Some(n_ir)) = (&old.ir.notification, &new.ir.notification) else {
        return;
    };
    if o_ir.other_fields != n_ir.other_fields {
        push(
            Kind::RustNameChanged,
            Severity::Breaking,
            format!(
                "the field holding the unlisted fields is renamed from `{}` to `{}`",
                o_ir.other_fields, n_ir.other_fields
            ),
            Value::from(o_ir.other_fields.as_str()),
            Value::from(n_ir.other_fields.as_str()),
        );
    }
    for (key, o_value, n_value) in unclassified(o, n, NOTIFICATION_KEYS) {
        push(
            Kind::UnclassifiedChanged,
            Severity::Breaking,
            unclassified_message(&format!("notification.{key}")),
            o_value,
            n_value,
        );
    }
    let scope = Scope {
        method,
        prefix: "notification".to_owned(),
        request_side: false,
        constructor: "Notification".to_owned(),
        model: None,
        notification: true,
    };
    let structs = |s| Structs {
        main: s,
        twin: None,
    };
    compare_fields(
        &scope,
        (old, new),
        (&o.fields, &n.fields),
        (structs(&o_ir.fields), structs(&n_ir.fields)),
        out,
    );
}

/// The method's own keys: documentation as far as the generated client goes, but for the
/// call style.
fn method_keys(old: &Spec, new: &Spec, out: &mut Vec<Change>) {
    let mut push = |key: &str, message: String, o: Value, n: Value| {
        out.push(Change::at(
            &new.method,
            new.method.clone(),
            docs_kind(key),
            Severity::Patch,
            message,
            o,
            n,
        ));
    };
    let text = |s: &str| Value::from(s);
    let opt = |s: &Option<String>| s.as_deref().map_or(Value::Null, Value::from);
    // Each text key as a JSON value (an absent one is null): two values are equal exactly
    // when the keys are.
    for (key, o, n) in [
        ("title", text(&old.title), text(&new.title)),
        (
            "description",
            text(&old.description),
            text(&new.description),
        ),
        ("doc_url", opt(&old.doc_url), opt(&new.doc_url)),
        ("note", opt(&old.note), opt(&new.note)),
    ] {
        if o != n {
            push(key, format!("{key} changed"), o, n);
        }
    }
    if old.version != new.version {
        push(
            "version",
            format!(
                "version changed from {} to {} (documentation only: the client sends the public `version` parameter, 1.0, for every method)",
                old.version, new.version
            ),
            text(&old.version),
            text(&new.version),
        );
    }
    for (key, o, n) in unclassified(&old.examples, &new.examples, &[]) {
        push("examples", format!("the {key} example changed"), o, n);
    }
    call_style(old, new, out);
    route(old, new, out);
    at_least_one_of(old, new, out);
    for (key, o, n) in unclassified(old, new, SPEC_KEYS) {
        out.push(Change::at(
            &new.method,
            new.method.clone(),
            Kind::UnclassifiedChanged,
            Severity::Breaking,
            unclassified_message(&key),
            o,
            n,
        ));
    }
}

/// 特殊可选 groups (`at_least_one_of`), each compared as a set of fields: a group added is
/// breaking (a request that gave none of its fields was sent before and is refused now), a
/// group removed is minor (more requests are accepted).
fn at_least_one_of(old: &Spec, new: &Spec, out: &mut Vec<Change>) {
    let set = |g: &Vec<String>| {
        let mut names = g.clone();
        names.sort();
        names
    };
    let old_sets: Vec<Vec<String>> = old.at_least_one_of.iter().map(set).collect();
    let new_sets: Vec<Vec<String>> = new.at_least_one_of.iter().map(set).collect();
    let mut push = |group: &Vec<String>, kind: Kind, severity: Severity, message: String| {
        let value = Value::from(group.clone());
        let (o, n) = match kind {
            Kind::AtLeastOneOfAdded => (Value::Null, value),
            _ => (value, Value::Null),
        };
        out.push(Change::at(
            &new.method,
            format!("at_least_one_of.[{}]", group.join(", ")),
            kind,
            severity,
            message,
            o,
            n,
        ));
    };
    for (group, sorted) in new.at_least_one_of.iter().zip(&new_sets) {
        if !old_sets.contains(sorted) {
            push(
                group,
                Kind::AtLeastOneOfAdded,
                Severity::Breaking,
                format!(
                    "at least one of {} must be given now: a request with none of them is refused before it is sent",
                    group.join(", ")
                ),
            );
        }
    }
    for (group, sorted) in old.at_least_one_of.iter().zip(&old_sets) {
        if !new_sets.contains(sorted) {
            push(
                group,
                Kind::AtLeastOneOfRemoved,
                Severity::Minor,
                format!(
                    "the rule that at least one of {} is given is gone (more requests are accepted)",
                    group.join(", ")
                ),
            );
        }
    }
}

/// The v3 route: added (minor: the v3 protocol can call the method), removed (breaking), or
/// changed: breaking when v3 sends the request another way (HTTP method, path, body, query)
/// or v2 no longer serves the method, patch when only its source or note changed.
fn route(old: &Spec, new: &Spec, out: &mut Vec<Change>) {
    let shown = |r: &Option<crate::spec::Route>| {
        r.as_ref().map_or(Value::Null, |r| {
            Value::from(format!("{} {}", r.http_method.as_str(), r.path))
        })
    };
    let described = |r: &crate::spec::Route| {
        format!(
            "{} {}, body {}, query [{}]",
            r.http_method.as_str(),
            r.path,
            r.body.as_str(),
            r.query.join(", ")
        )
    };
    let (kind, severity, message) = match (&old.route, &new.route) {
        (None, None) => return,
        (None, Some(r)) => (
            Kind::RouteAdded,
            Severity::Minor,
            format!(
                "v3 route added: {} {} (the v3 protocol can call the method)",
                r.http_method.as_str(),
                r.path
            ),
        ),
        (Some(_), None) => (
            Kind::RouteRemoved,
            Severity::Breaking,
            "v3 route removed: the v3 protocol can no longer call the method".to_owned(),
        ),
        (Some(o), Some(n)) if o == n => return,
        (Some(o), Some(n)) if described(o) != described(n) => (
            Kind::RouteChanged,
            Severity::Breaking,
            format!(
                "v3 route changed: v3 sends the request another way now ({}; was {})",
                described(n),
                described(o)
            ),
        ),
        (Some(o), Some(n)) if o.v2 != n.v2 => (
            Kind::RouteChanged,
            if n.v2 {
                Severity::Minor
            } else {
                Severity::Breaking
            },
            if n.v2 {
                "v3 route changed: the v2 protocol serves the method too now".to_owned()
            } else {
                "v3 route changed: the v2 protocol no longer serves the method".to_owned()
            },
        ),
        (Some(_), Some(_)) => (
            Kind::RouteChanged,
            Severity::Patch,
            "v3 route's source or note changed (the same calls)".to_owned(),
        ),
    };
    out.push(Change::at(
        &new.method,
        "route".to_owned(),
        kind,
        severity,
        message,
        shown(&old.route),
        shown(&new.route),
    ));
}

/// The call style: which of the client's functions accept the method. A change of the style
/// breaks; writing out or leaving out the key with the style the name gives changes nothing.
fn call_style(old: &Spec, new: &Spec, out: &mut Vec<Change>) {
    let (was, is) = (old.call_style(), new.call_style());
    let (severity, message) = if was != is {
        let what = match is {
            CallStyle::Server => {
                "`client.execute` sends it now; `page_form`, `page_url` and `app_order_string` refuse it"
            }
            CallStyle::Page => {
                "`client.execute` refuses it now; it is signed for the browser with `page_form` or `page_url`"
            }
            CallStyle::App => {
                "`client.execute`, `page_form` and `page_url` refuse it now; it is signed for the app with `app_order_string`"
            }
        };
        (
            Severity::Breaking,
            format!(
                "call style changed from `{}` to `{}`: {what}",
                was.as_str(),
                is.as_str()
            ),
        )
    } else if old.call_style != new.call_style {
        let message = match new.call_style {
            Some(style) => format!(
                "call_style `{}` written out (the style the method name gives: the same calls)",
                style.as_str()
            ),
            None => format!(
                "call_style `{}` left out (the method name gives the same style: the same calls)",
                is.as_str()
            ),
        };
        (Severity::Patch, message)
    } else {
        return;
    };
    out.push(Change::at(
        &new.method,
        new.method.clone(),
        Kind::CallStyleChanged,
        severity,
        message,
        Value::from(was.as_str()),
        Value::from(is.as_str()),
    ));
}

/// Each model in both versions, once: its fields at the first path that uses it, every
/// path using it listed. A model in one version only is reported where fields use it (a
/// field added or removed, or its type changed).
fn compare_models(old: &Version<'_>, new: &Version<'_>, out: &mut Vec<Change>) {
    let (old_uses, new_uses) = (model_uses(old.spec), model_uses(new.spec));
    for (name, old_fields) in &old.spec.models {
        let Some(new_fields) = new.spec.models.get(name) else {
            continue;
        };
        let ((Some(old_main), old_twin), (Some(new_main), new_twin)) =
            (old.model_structs(name), new.model_structs(name))
        else {
            continue;
        };
        let used_by = merged_uses(&new_uses, &old_uses, name);
        let prefix = used_by
            .first()
            .cloned()
            .unwrap_or_else(|| format!("models.{name}"));
        let scope = Scope {
            method: &new.spec.method,
            prefix,
            request_side: old_main.request_side() || new_main.request_side(),
            constructor: format!("{}::new", new_main.ident),
            model: Some((name.clone(), used_by)),
            notification: false,
        };
        if old_main.request_side() != new_main.request_side() {
            let has_required = new_main.required_fields().next().is_some();
            let (severity, message) = match (new_main.request_side(), has_required) {
                (false, _) => (
                    Severity::Breaking,
                    format!(
                        "no longer sent in requests: `{0}::new`, its setters, its checks and `Serialize` are gone",
                        new_main.ident
                    ),
                ),
                (true, true) => (
                    Severity::Breaking,
                    format!(
                        "now sent in requests, with required fields: `{0}` gains `{0}::new` and setters but no longer implements `Default`",
                        new_main.ident
                    ),
                ),
                (true, false) => (
                    Severity::Minor,
                    format!(
                        "now sent in requests: `{0}` gains `{0}::new`, setters, checks and `Serialize`",
                        new_main.ident
                    ),
                ),
            };
            let (model, used_by) = scope.model.clone().unwrap_or_default();
            out.push(Change {
                method: new.spec.method.clone(),
                path: scope.prefix.clone(),
                kind: Kind::ModelUsageChanged,
                severity,
                message: format!("model `{model}` {message}"),
                old: Value::from(old_main.request_side()),
                new: Value::from(new_main.request_side()),
                model: Some(model),
                used_by,
            });
        }
        compare_fields(
            &scope,
            (old, new),
            (old_fields, new_fields),
            (
                Structs {
                    main: old_main,
                    twin: old_twin,
                },
                Structs {
                    main: new_main,
                    twin: new_twin,
                },
            ),
            out,
        );
    }
}

/// The paths using a model in NEW, then those only OLD had.
fn merged_uses(
    new: &BTreeMap<&str, Vec<String>>,
    old: &BTreeMap<&str, Vec<String>>,
    name: &str,
) -> Vec<String> {
    let mut all: Vec<String> = new.get(name).cloned().unwrap_or_default();
    for path in old.get(name).into_iter().flatten() {
        if !all.contains(path) {
            all.push(path.clone());
        }
    }
    all
}

/// The business error codes, by code: each is a variant of the method's `BizError`.
fn compare_errors(old: &Version<'_>, new: &Version<'_>, out: &mut Vec<Change>) {
    // Long because: one rule per kind of error-table change (added, removed, renamed variant, text), each with its severity.
    let variant = |v: &Version<'_>| -> HashMap<String, String> {
        v.ir.errors
            .iter()
            .map(|e| (e.code.clone(), e.ident.clone()))
            .collect()
    };
    let (old_variants, new_variants) = (variant(old), variant(new));
    let method = &new.spec.method;
    let mut push = |code: &str, kind, severity, message: String, o: Value, n: Value| {
        out.push(Change::at(
            method,
            format!("errors.{code}"),
            kind,
            severity,
            message,
            o,
            n,
        ));
    };
    let new_by_code: HashMap<&str, _> = new
        .spec
        .errors
        .iter()
        .map(|e| (e.code.as_str(), e))
        .collect();
    let old_by_code: HashMap<&str, _> = old
        .spec
        .errors
        .iter()
        .map(|e| (e.code.as_str(), e))
        .collect();
    for e in &old.spec.errors {
        let Some(n) = new_by_code.get(e.code.as_str()) else {
            let gone = old_variants
                .get(&e.code)
                .map(|v| format!(": `BizError::{v}` is gone"))
                .unwrap_or_default();
            push(
                &e.code,
                Kind::ErrorRemoved,
                Severity::Breaking,
                format!("documented error code removed{gone}"),
                Value::from(e.code.as_str()),
                Value::Null,
            );
            continue;
        };
        if let (Some(a), Some(b)) = (old_variants.get(&e.code), new_variants.get(&e.code))
            && a != b
        {
            push(
                &e.code,
                Kind::VariantRenamed,
                Severity::Breaking,
                format!("the Rust variant is renamed from `BizError::{a}` to `BizError::{b}`"),
                Value::from(format!("BizError::{a}")),
                Value::from(format!("BizError::{b}")),
            );
        }
        for (key, o, n) in [
            ("description", &e.description, &n.description),
            ("solution", &e.solution, &n.solution),
        ] {
            if o != n {
                push(
                    &e.code,
                    docs_kind(key),
                    Severity::Patch,
                    format!("{key} changed"),
                    Value::from(o.as_str()),
                    Value::from(n.as_str()),
                );
            }
        }
        let opt = |s: &Option<String>| s.as_deref().map_or(Value::Null, Value::from);
        for (key, kind, o, n) in [
            ("note", Kind::NoteChanged, &e.note, &n.note),
            ("source", Kind::SourceChanged, &e.source, &n.source),
        ] {
            if o != n {
                push(
                    &e.code,
                    kind,
                    Severity::Patch,
                    format!("{key} changed"),
                    opt(o),
                    opt(n),
                );
            }
        }
        for (key, o, n) in unclassified(e, *n, ERROR_KEYS) {
            push(
                &e.code,
                Kind::UnclassifiedChanged,
                Severity::Breaking,
                unclassified_message(&key),
                o,
                n,
            );
        }
    }
    for e in new
        .spec
        .errors
        .iter()
        .filter(|e| !old_by_code.contains_key(e.code.as_str()))
    {
        push(
            &e.code,
            Kind::ErrorAdded,
            Severity::Minor,
            "documented error code added (`BizError::Unknown` held it before)".to_owned(),
            Value::Null,
            Value::from(e.code.as_str()),
        );
    }
}
