// Over 500 lines because: one list of fields compared rule by rule; every rule reads the same pairing of old and new fields.
//! Comparing two versions of one list of fields (a request, a response or a model), field by
//! field, with the rules of what the generated code does with each key:
//!
//! - a request-side struct (the request, and models it reaches) takes its required fields in
//!   `new(..)`, its optional ones through setters, and checks `max_length` (on text and
//!   dates), `Date` formats and, strictly, listed values before anything is sent;
//! - a response-side struct has every field optional and checks nothing: `required`,
//!   `max_length` and `format` there are documentation;
//! - on both sides the Rust type of a field (listed values make an enum) and its name are API.

use std::collections::HashMap;

use serde_json::Value;

use super::change::{Change, Kind, Severity};
use super::unclassified::{FIELD_KEYS, VALUE_KEYS, unclassified};
use crate::ir::{DateFormat, FieldIr, MethodIr, StructIr, TypeIr};
use crate::spec::{Field, Location, Spec, TypeRef};

/// One version of a method: its spec and what the generator makes of it.
pub(super) struct Version<'a> {
    pub spec: &'a Spec,
    pub ir: &'a MethodIr,
}

impl<'a> Version<'a> {
    /// The generated struct of a model (not its response-side copy) and that copy, if any.
    pub fn model_structs(&self, spec_name: &str) -> (Option<&'a StructIr>, Option<&'a StructIr>) {
        let mut original = None;
        let mut twin = None;
        for s in self.ir.models.values().filter(|s| s.spec_name == spec_name) {
            if s.twin_of().is_some() {
                twin = Some(s);
            } else {
                original = Some(s);
            }
        }
        (original, twin)
    }
}

/// The generated structs of one list of fields in one version.
#[derive(Clone, Copy)]
pub(super) struct Structs<'a> {
    /// The struct itself.
    pub main: &'a StructIr,
    /// A model's response-side copy (all fields optional), where it has one.
    pub twin: Option<&'a StructIr>,
}

/// Where the list being compared sits, and how it is reported.
pub(super) struct Scope<'a> {
    pub method: &'a str,
    /// The path of the list: `request`, `response`, or the first path reaching a model.
    pub prefix: String,
    /// Whether the generated struct is built and checked by callers (the request, and the
    /// models it reaches in either version).
    pub request_side: bool,
    /// The constructor required fields go to: `Request::new`, `GoodsDetail::new`.
    pub constructor: String,
    /// For a model: its name and every path using it.
    pub model: Option<(String, Vec<String>)>,
    /// The list is a typed notification's: read like an answer (nothing checked), but a
    /// required field is not an `Option` and must be present for the notification to decode.
    pub notification: bool,
}

impl Scope<'_> {
    #[allow(clippy::too_many_arguments)]
    fn push(
        &self,
        out: &mut Vec<Change>,
        path: String,
        kind: Kind,
        severity: Severity,
        message: String,
        old: Value,
        new: Value,
    ) {
        let (model, used_by, message) = match &self.model {
            Some((name, used_by)) => (
                Some(name.clone()),
                used_by.clone(),
                format!("{message} (model `{name}`, used at {})", used_by.join(", ")),
            ),
            None => (None, Vec::new(), message),
        };
        out.push(Change {
            model,
            used_by,
            ..Change::at(self.method, path, kind, severity, message, old, new)
        });
    }

    /// The severity of a change that matters only where callers build and send the struct.
    fn if_sent(&self, severity: Severity) -> Severity {
        if self.request_side {
            severity
        } else {
            Severity::Patch
        }
    }
}

/// Compares one list of fields, matched by wire name: removed fields in OLD's order, then
/// fields in both, then added fields in NEW's order.
pub(super) fn compare_fields(
    scope: &Scope<'_>,
    (old_v, new_v): (&Version<'_>, &Version<'_>),
    (old, new): (&[Field], &[Field]),
    (old_s, new_s): (Structs<'_>, Structs<'_>),
    out: &mut Vec<Change>,
) {
    let new_by_name: HashMap<&str, &Field> = new.iter().map(|f| (f.name.as_str(), f)).collect();
    let old_by_name: HashMap<&str, &Field> = old.iter().map(|f| (f.name.as_str(), f)).collect();
    let (old_ir, new_ir) = (by_wire(old_s), by_wire(new_s));
    for f in old
        .iter()
        .filter(|f| !new_by_name.contains_key(f.name.as_str()))
    {
        scope.push(
            out,
            scope.path(&f.name),
            Kind::FieldRemoved,
            Severity::Breaking,
            format!("field removed (was `{}`)", f.ty),
            Value::from(f.ty.as_str()),
            Value::Null,
        );
    }
    for o in old {
        let Some(n) = new_by_name.get(o.name.as_str()) else {
            continue;
        };
        let (o_ir, n_ir) = (
            old_ir.get(o.name.as_str()).copied().unwrap_or_default(),
            new_ir.get(o.name.as_str()).copied().unwrap_or_default(),
        );
        // Equal specs and equal generated fields: nothing to report.
        if o == *n && o_ir == n_ir {
            continue;
        }
        FieldPair {
            scope,
            path: scope.path(&o.name),
            old: o,
            new: n,
            old_v,
            new_v,
            old_ir: o_ir,
            new_ir: n_ir,
        }
        .compare(out);
    }
    for f in new
        .iter()
        .filter(|f| !old_by_name.contains_key(f.name.as_str()))
    {
        let (severity, message) = if scope.request_side && f.required {
            (
                Severity::Breaking,
                format!(
                    "required field added (`{}`): a new argument of `{}`",
                    f.ty, scope.constructor
                ),
            )
        } else if scope.request_side {
            (
                Severity::Minor,
                format!("optional field added (`{}`)", f.ty),
            )
        } else {
            (Severity::Minor, format!("field added (`{}`)", f.ty))
        };
        scope.push(
            out,
            scope.path(&f.name),
            Kind::FieldAdded,
            severity,
            message,
            Value::Null,
            Value::from(f.ty.as_str()),
        );
    }
}

impl Scope<'_> {
    fn path(&self, name: &str) -> String {
        format!("{}.{name}", self.prefix)
    }
}

/// A field's generated forms: in the struct, and in the model's response-side copy.
type Generated<'a> = (Option<&'a FieldIr>, Option<&'a FieldIr>);

fn by_wire(s: Structs<'_>) -> HashMap<&str, Generated<'_>> {
    let mut map: HashMap<&str, Generated<'_>> = HashMap::new();
    for f in &s.main.fields {
        map.entry(f.wire.as_str()).or_default().0 = Some(f);
    }
    for f in s.twin.iter().flat_map(|t| &t.fields) {
        map.entry(f.wire.as_str()).or_default().1 = Some(f);
    }
    map
}

/// One field in both versions.
struct FieldPair<'s, 'a> {
    scope: &'s Scope<'s>,
    path: String,
    old: &'a Field,
    new: &'a Field,
    old_v: &'a Version<'a>,
    new_v: &'a Version<'a>,
    old_ir: Generated<'a>,
    new_ir: Generated<'a>,
}

impl FieldPair<'_, '_> {
    fn push(
        &self,
        out: &mut Vec<Change>,
        kind: Kind,
        severity: Severity,
        message: String,
        old: Value,
        new: Value,
    ) {
        self.scope
            .push(out, self.path.clone(), kind, severity, message, old, new);
    }

    fn compare(&self, out: &mut Vec<Change>) {
        let (old, new) = (self.old, self.new);
        self.rust_name(out);
        if old.ty != new.ty {
            self.type_changed(out);
        } else {
            self.rust_type(out);
            self.format(out);
        }
        if old.required != new.required {
            self.required(out);
        }
        if old.max_length != new.max_length {
            self.max_length(out);
        }
        if old.location != new.location {
            let (from, to) = (location(old.location), location(new.location));
            self.push(
                out,
                Kind::LocationChanged,
                self.scope.if_sent(Severity::Breaking),
                format!(
                    "now sent {to} instead of {from}: `validate_request` and the local gateway expect it there"
                ),
                Value::from(location_key(old.location)),
                Value::from(location_key(new.location)),
            );
        }
        if old.values != new.values {
            self.values(out);
        }
        docs(self, out, "description", &old.description, &new.description);
        docs_opt(
            self,
            out,
            "example",
            old.example.as_deref(),
            new.example.as_deref(),
        );
        docs_opt(self, out, "note", old.note.as_deref(), new.note.as_deref());
        docs_opt(
            self,
            out,
            "source",
            old.source.as_deref(),
            new.source.as_deref(),
        );
        for (key, o, n) in unclassified(old, new, FIELD_KEYS) {
            self.push(
                out,
                Kind::UnclassifiedChanged,
                Severity::Breaking,
                unclassified_message(&key),
                o,
                n,
            );
        }
    }

    fn rust_name(&self, out: &mut Vec<Change>) {
        let (Some(o), Some(n)) = (self.old_ir.0, self.new_ir.0) else {
            return;
        };
        if o.ident != n.ident {
            let what = if self.scope.request_side {
                "the Rust field and its setter are"
            } else {
                "the Rust field is"
            };
            self.push(
                out,
                Kind::RustNameChanged,
                Severity::Breaking,
                format!("{what} renamed from `{}` to `{}`", o.ident, n.ident),
                Value::from(o.ident.as_str()),
                Value::from(n.ident.as_str()),
            );
        }
    }

    fn type_changed(&self, out: &mut Vec<Change>) {
        let (old, new) = (self.old, self.new);
        let (o, n) = (TypeRef::parse(&old.ty).ok(), TypeRef::parse(&new.ty).ok());
        let renamed = match (&o, &n) {
            (Some(o), Some(n)) if o.is_array() == n.is_array() => {
                match (o.model_name(), n.model_name()) {
                    (Some(a), Some(b)) => {
                        let fields = |v: &Version<'_>, m: &str| v.spec.models.get(m).cloned();
                        fields(self.old_v, a).is_some()
                            && fields(self.old_v, a) == fields(self.new_v, b)
                    }
                    _ => false,
                }
            }
            _ => false,
        };
        let (kind, message) = if renamed {
            (
                Kind::ModelRenamed,
                format!(
                    "model renamed from `{}` to `{}` (same fields): the Rust type is named differently",
                    o.as_ref().and_then(TypeRef::model_name).unwrap_or_default(),
                    n.as_ref().and_then(TypeRef::model_name).unwrap_or_default()
                ),
            )
        } else {
            (
                Kind::TypeChanged,
                format!("type changed from `{}` to `{}`", old.ty, new.ty),
            )
        };
        self.push(
            out,
            kind,
            Severity::Breaking,
            message,
            Value::from(old.ty.as_str()),
            Value::from(new.ty.as_str()),
        );
    }

    /// The same spec type may still give another Rust type: values listed (an enum) or no
    /// longer listed, an enum or a model's response-side copy named differently.
    fn rust_type(&self, out: &mut Vec<Change>) {
        let pairs = [
            (self.old_ir.0, self.new_ir.0),
            (self.old_ir.1, self.new_ir.1),
        ];
        let Some((o, n)) = pairs.into_iter().find_map(|pair| match pair {
            (Some(o), Some(n)) if rust_type(&o.ty) != rust_type(&n.ty) => Some((o, n)),
            _ => None,
        }) else {
            return;
        };
        let (from, to) = (rust_type(&o.ty), rust_type(&n.ty));
        let why = if self.old.values.is_empty() && !self.new.values.is_empty() {
            " (its values are listed now)".to_owned()
        } else if !self.old.values.is_empty() && self.new.values.is_empty() {
            " (its values are no longer listed)".to_owned()
        } else if let Some(original) = twin_of(self.new_v.ir, &n.ty) {
            format!(
                " (answers now read it through a copy of `{original}` whose fields are all optional)"
            )
        } else if let Some(original) = twin_of(self.old_v.ir, &o.ty) {
            format!(" (answers now read it as `{original}` itself)")
        } else {
            String::new()
        };
        self.push(
            out,
            Kind::RustTypeChanged,
            Severity::Breaking,
            format!("the generated Rust type changes from `{from}` to `{to}`{why}"),
            Value::from(from),
            Value::from(to),
        );
    }

    fn format(&self, out: &mut Vec<Change>) {
        let (old, new) = (self.old.format.as_deref(), self.new.format.as_deref());
        if old == new {
            return;
        }
        let checked = |f: Option<&FieldIr>| match f.map(|f| f.ty.element()) {
            Some(TypeIr::Date(format)) => Some(*format),
            _ => None,
        };
        let (o, n) = (checked(self.old_ir.0), checked(self.new_ir.0));
        let (severity, message) = if o == n {
            let how = match (old, new) {
                (None, Some(f)) => format!("format `{f}` written out"),
                (Some(f), None) => format!("format `{f}` left out"),
                (Some(a), Some(b)) => format!("format written as `{b}` instead of `{a}`"),
                (None, None) => unreachable!("only called when format changed"),
            };
            (
                Severity::Patch,
                format!("{how} (the default: the same check)"),
            )
        } else if self.scope.request_side {
            (
                Severity::Breaking,
                format!(
                    "date format changed from `{}` to `{}`: the client now refuses dates in the old format",
                    date_format(o),
                    date_format(n)
                ),
            )
        } else {
            (
                Severity::Patch,
                format!(
                    "date format changed from `{}` to `{}` (documentation only: answers are not checked)",
                    date_format(o),
                    date_format(n)
                ),
            )
        };
        self.push(
            out,
            Kind::FormatChanged,
            severity,
            message,
            old.map_or(Value::Null, Value::from),
            new.map_or(Value::Null, Value::from),
        );
    }

    fn required(&self, out: &mut Vec<Change>) {
        let (severity, message) = match (self.scope.request_side, self.new.required) {
            _ if self.scope.notification => (
                Severity::Breaking,
                if self.new.required {
                    "optional → required: no longer an `Option`, and a notification without it \
                     no longer decodes"
                        .to_owned()
                } else {
                    "required → optional: the field becomes an `Option`".to_owned()
                },
            ),
            (true, true) => (
                Severity::Breaking,
                format!(
                    "optional → required: now an argument of `{}`, and no longer an `Option`",
                    self.scope.constructor
                ),
            ),
            (true, false) => (
                Severity::Breaking,
                format!(
                    "required → optional: no longer an argument of `{}`; the field becomes an `Option` with a setter",
                    self.scope.constructor
                ),
            ),
            (false, now) => (
                Severity::Patch,
                format!(
                    "{} (documentation only: fields read from answers are all optional)",
                    if now {
                        "optional → required"
                    } else {
                        "required → optional"
                    }
                ),
            ),
        };
        self.push(
            out,
            Kind::RequiredChanged,
            severity,
            message,
            Value::from(self.old.required),
            Value::from(self.new.required),
        );
    }

    fn max_length(&self, out: &mut Vec<Change>) {
        let (old, new) = (self.old.max_length, self.new.max_length);
        let lowered = match (old, new) {
            (Some(a), Some(b)) => b < a,
            (None, Some(_)) => true,
            _ => false,
        };
        let what = match (old, new) {
            (Some(a), Some(b)) if lowered => format!("max_length lowered from {a} to {b}"),
            (Some(a), Some(b)) => format!("max_length raised from {a} to {b}"),
            (None, Some(b)) => format!("max_length {b} set where there was no limit"),
            (Some(a), _) => format!("max_length {a} removed"),
            (None, None) => unreachable!("only called when max_length changed"),
        };
        // The generated checks measure text and dates (listed values included), nothing else.
        let checked = self.scope.request_side
            && matches!(
                TypeRef::parse(&self.new.ty).map(|t| t.element().clone()),
                Ok(TypeRef::String | TypeRef::Date)
            );
        let (kind, severity, message) = match (lowered, checked) {
            (true, true) => (
                Kind::MaxLengthLowered,
                Severity::Breaking,
                format!("{what}: the client now refuses longer values"),
            ),
            (false, true) => (Kind::MaxLengthRaised, Severity::Minor, what),
            (lowered, false) => (
                if lowered {
                    Kind::MaxLengthLowered
                } else {
                    Kind::MaxLengthRaised
                },
                Severity::Patch,
                format!(
                    "{what} (documentation only: {})",
                    if self.scope.request_side {
                        "the client measures only text and dates"
                    } else {
                        "answers are not checked"
                    }
                ),
            ),
        };
        let number = |n: Option<u64>| n.map_or(Value::Null, Value::from);
        self.push(out, kind, severity, message, number(old), number(new));
    }

    fn values(&self, out: &mut Vec<Change>) {
        // Long because: one rule per kind of change to a listed value, each with its severity.
        let (old, new) = (&self.old.values, &self.new.values);
        let old_variants = variants(self.old_v.ir, self.old_ir.0);
        let new_variants = variants(self.new_v.ir, self.new_ir.0);
        let in_new: HashMap<&str, _> = new.iter().map(|v| (v.value.as_str(), v)).collect();
        let in_old: HashMap<&str, _> = old.iter().map(|v| (v.value.as_str(), v)).collect();
        let value_path = |value: &str| format!("{}.values.{value}", self.path);
        let push = |out: &mut Vec<Change>, value: &str, kind, severity, message, o, n| {
            self.scope
                .push(out, value_path(value), kind, severity, message, o, n);
        };
        for v in old
            .iter()
            .filter(|v| !in_new.contains_key(v.value.as_str()))
        {
            let gone = match old_variants.get(v.value.as_str()) {
                Some((enum_ident, variant)) => format!(": `{enum_ident}::{variant}` is gone"),
                None => String::new(),
            };
            let refused = if self.scope.request_side {
                " and strict validation (`validate_request`, the local gateway) refuses it"
            } else {
                ""
            };
            push(
                out,
                &v.value,
                Kind::ValueRemoved,
                Severity::Breaking,
                format!("listed value `{}` removed{gone}{refused}", v.value),
                Value::from(v.value.as_str()),
                Value::Null,
            );
        }
        for o in old {
            let Some(n) = in_new.get(o.value.as_str()) else {
                continue;
            };
            if let (Some(a), Some(b)) = (
                old_variants.get(o.value.as_str()),
                new_variants.get(o.value.as_str()),
            ) && a != b
            {
                push(
                    out,
                    &o.value,
                    Kind::VariantRenamed,
                    Severity::Breaking,
                    format!(
                        "the Rust variant of `{}` is renamed from `{}::{}` to `{}::{}`",
                        o.value, a.0, a.1, b.0, b.1
                    ),
                    Value::from(format!("{}::{}", a.0, a.1)),
                    Value::from(format!("{}::{}", b.0, b.1)),
                );
            }
            if o.description != n.description {
                push(
                    out,
                    &o.value,
                    Kind::DescriptionChanged,
                    Severity::Patch,
                    "description changed".to_owned(),
                    Value::from(o.description.as_str()),
                    Value::from(n.description.as_str()),
                );
            }
            for (key, a, b) in unclassified(o, *n, VALUE_KEYS) {
                push(
                    out,
                    &o.value,
                    Kind::UnclassifiedChanged,
                    Severity::Breaking,
                    unclassified_message(&key),
                    a,
                    b,
                );
            }
        }
        for v in new
            .iter()
            .filter(|v| !in_old.contains_key(v.value.as_str()))
        {
            push(
                out,
                &v.value,
                Kind::ValueAdded,
                Severity::Minor,
                format!(
                    "listed value `{}` added (enums are open: `Other` held it before)",
                    v.value
                ),
                Value::Null,
                Value::from(v.value.as_str()),
            );
        }
    }
}

/// The value → (enum, variant) identifiers of a field with listed values.
fn variants<'a>(ir: &'a MethodIr, f: Option<&FieldIr>) -> HashMap<&'a str, (&'a str, &'a str)> {
    let Some(TypeIr::Enum(ident)) = f.map(|f| f.ty.element()) else {
        return HashMap::new();
    };
    ir.enums.get(ident).map_or_else(HashMap::new, |e| {
        e.variants
            .iter()
            .map(|v| (v.value.as_str(), (e.ident.as_str(), v.ident.as_str())))
            .collect()
    })
}

/// The model a response-side copy was made from, when `ty` names such a copy.
fn twin_of<'a>(ir: &'a MethodIr, ty: &TypeIr) -> Option<&'a str> {
    match ty.element() {
        TypeIr::Model(ident) => ir.models.get(ident)?.twin_of(),
        _ => None,
    }
}

/// A docs-only change of a text key.
fn docs(pair: &FieldPair<'_, '_>, out: &mut Vec<Change>, key: &str, old: &str, new: &str) {
    if old != new {
        pair.push(
            out,
            docs_kind(key),
            Severity::Patch,
            format!("{key} changed"),
            Value::from(old),
            Value::from(new),
        );
    }
}

fn docs_opt(
    pair: &FieldPair<'_, '_>,
    out: &mut Vec<Change>,
    key: &str,
    old: Option<&str>,
    new: Option<&str>,
) {
    if old != new {
        let what = match (old, new) {
            (None, _) => "added",
            (_, None) => "removed",
            _ => "changed",
        };
        pair.push(
            out,
            docs_kind(key),
            Severity::Patch,
            format!("{key} {what}"),
            old.map_or(Value::Null, Value::from),
            new.map_or(Value::Null, Value::from),
        );
    }
}

/// The kind of a docs-only change of `key`.
pub(super) fn docs_kind(key: &str) -> Kind {
    match key {
        "title" => Kind::TitleChanged,
        "description" => Kind::DescriptionChanged,
        "example" => Kind::ExampleChanged,
        "examples" => Kind::ExamplesChanged,
        "note" => Kind::NoteChanged,
        "doc_url" => Kind::DocUrlChanged,
        "version" => Kind::VersionChanged,
        "solution" => Kind::SolutionChanged,
        "source" => Kind::SourceChanged,
        _ => Kind::UnclassifiedChanged,
    }
}

/// The message of a change of a key the diff does not know.
pub(super) fn unclassified_message(key: &str) -> String {
    format!(
        "`{key}` changed; this version of `alipay-codegen diff` does not classify that key, so the change counts as breaking"
    )
}

const DATE_TIME: &str = "yyyy-MM-dd HH:mm:ss";

fn date_format(f: Option<DateFormat>) -> &'static str {
    match f {
        Some(DateFormat::Date) => "yyyy-MM-dd",
        Some(DateFormat::DateTime) | None => DATE_TIME,
    }
}

fn location(l: Location) -> &'static str {
    match l {
        Location::BizContent => "inside biz_content",
        Location::Form => "as its own form field",
    }
}

fn location_key(l: Location) -> &'static str {
    match l {
        Location::BizContent => "biz_content",
        Location::Form => "form",
    }
}

/// The Rust type of a value, as a caller writes it.
pub(super) fn rust_type(ty: &TypeIr) -> String {
    match ty {
        TypeIr::String | TypeIr::Date(_) => "String".to_owned(),
        TypeIr::Number => "i64".to_owned(),
        TypeIr::Price => "Price".to_owned(),
        TypeIr::Boolean => "bool".to_owned(),
        TypeIr::File => "FileUpload".to_owned(),
        TypeIr::Model(name) | TypeIr::Enum(name) => name.clone(),
        TypeIr::List(inner) => format!("Vec<{}>", rust_type(inner)),
    }
}
