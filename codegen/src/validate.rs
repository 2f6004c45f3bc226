//! Validating a request against a method's IR at run time: what the generated code of the
//! method does (`request_from_json`, then `Check::check`), without compiling it. The `alipay`
//! command and the local gateway serve every method of the catalog through this, and the
//! agreement test (`tests/ir_agrees.rs` at the workspace root) holds it to the generated code.
//!
//! Two steps, as in the generated code:
//! 1. typing ([`typed`]): the JSON `biz_content` plus the form fields are read as the
//!    generated `Request` would be deserialised (serde derive, the runtime's lenient number
//!    and boolean readers, `Price`), keys in the map's order, then required fields in
//!    declaration order; the result is the request as the typed value would serialise it;
//! 2. the rules ([`check`]): one per documented rule, field by field in declaration order,
//!    through the same runtime helpers the generated `check` calls.
//!
//! Errors are the runtime's [`ValidationError`]s, field paths and rules as the generated
//! code reports them. Names and listed values in errors are `&'static str`: they are interned
//! once per distinct text (bounded by the specs loaded), never leaked per request.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Mutex, OnceLock};

use alipay_runtime::de::Lenient;
use alipay_runtime::validate::{self as rv, FormKind};
use alipay_runtime::{Rule, ValidationError};
use serde::Deserialize as _;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::ir::{DateFormat, FieldIr, MethodIr, StructIr, TypeIr};
use crate::spec::Location;

/// `text` as a `&'static str`, stored once per distinct text for the life of the process.
pub fn intern(text: &str) -> &'static str {
    static TEXTS: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut texts = TEXTS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(found) = texts.get(text) {
        return found;
    }
    let stored: &'static str = Box::leak(text.to_owned().into_boxed_str());
    texts.insert(stored);
    stored
}

/// The request's fields that do not travel in `biz_content`, as the generated
/// `FORM_FIELDS` lists them.
pub fn form_fields(m: &MethodIr) -> Vec<(&'static str, FormKind)> {
    m.request
        .fields
        .iter()
        .filter_map(|f| {
            let kind = match (&f.ty, f.location) {
                _ if f.ty.element() == &TypeIr::File => FormKind::File,
                (_, Location::BizContent) => return None,
                (TypeIr::Model(_) | TypeIr::List(_), Location::Form) => FormKind::Json,
                (_, Location::Form) => FormKind::Text,
            };
            Some((intern(&f.wire), kind))
        })
        .collect()
}

/// Validates a request given as JSON `biz_content` plus form fields, as the generated
/// `validate_request` (with `strict`: listed values only, as Alipay's gateway does) or the
/// client's own validation (without) would; returns the typed request as JSON (see
/// [`typed`]).
pub fn validate(
    m: &MethodIr,
    biz_content: Option<&Value>,
    form: &[(String, String)],
    strict: bool,
) -> Result<Map<String, Value>, ValidationError> {
    let request = typed(m, biz_content, form)?;
    check(m, &request, strict)?;
    Ok(request)
}

/// Step 1: the request typed as the generated `request_from_json` types it. The result
/// holds each field present, in declaration order, in the form the typed value serialises to
/// (numbers and booleans read from text are numbers and booleans, a model given as an array
/// is an object); keys the method does not know are dropped, as serde drops them.
pub fn typed(
    m: &MethodIr,
    biz_content: Option<&Value>,
    form: &[(String, String)],
) -> Result<Map<String, Value>, ValidationError> {
    let json = rv::request_json(biz_content, form, &form_fields(m))?;
    let Value::Object(object) = json else {
        return Err(ValidationError::new(
            "biz_content",
            Rule::Type {
                expected: "a JSON object",
            },
        ));
    };
    Typer { m }.object(&m.request, &object, "")
}

/// Step 2: every documented rule of the typed request (from [`typed`]), as the generated
/// `check` runs them.
pub fn check(
    m: &MethodIr,
    request: &Map<String, Value>,
    strict: bool,
) -> Result<(), ValidationError> {
    Checker { m, strict }.fields(&m.request, request)?;
    for group in &m.at_least_one_of {
        let given: Vec<(&str, bool)> = group
            .iter()
            .map(|wire| (wire.as_str(), request.get(wire).is_some_and(is_given)))
            .collect();
        rv::at_least_one_of(&given)?;
    }
    Ok(())
}

/// Whether a typed value counts as given for `at_least_one_of`, as the generated check counts
/// it: present, and not an empty text or list.
fn is_given(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(items) => !items.is_empty(),
        _ => true,
    }
}

/// The fields of `biz_content` (nested models included) that the method does not know, the
/// first one as an error naming it by its path, with the closest known name when one is
/// close ("did you mean"). Form fields are not looked at: the public parameters travel there.
pub fn unknown_fields(m: &MethodIr, biz_content: Option<&Value>) -> Result<(), ValidationError> {
    match biz_content {
        Some(Value::Object(object)) => unknown_in(m, &m.request, object, ""),
        _ => Ok(()),
    }
}

fn unknown_in(
    m: &MethodIr,
    s: &StructIr,
    object: &Map<String, Value>,
    path: &str,
) -> Result<(), ValidationError> {
    for (key, value) in object {
        let here = join(path, key);
        let Some(f) = s.fields.iter().find(|f| f.wire == *key) else {
            let suggestion = closest(key, s.fields.iter().map(|f| f.wire.as_str()));
            return Err(ValidationError::new(here, Rule::Unknown { suggestion }));
        };
        if let TypeIr::Model(model) = f.ty.element()
            && let Some(inner) = m.models.get(model)
        {
            match value {
                Value::Object(o) => unknown_in(m, inner, o, &here)?,
                Value::Array(items) if matches!(f.ty, TypeIr::List(_)) => {
                    for (i, item) in items.iter().enumerate() {
                        if let Value::Object(o) = item {
                            unknown_in(m, inner, o, &format!("{here}[{i}]"))?;
                        }
                    }
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// The known name closest to `name`, when it is close enough to be a misspelling.
fn closest<'a>(name: &str, known: impl Iterator<Item = &'a str>) -> Option<String> {
    known
        .map(|k| (strsim::jaro_winkler(name, k), k))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k.to_owned())
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

fn type_error(path: &str, expected: &'static str) -> ValidationError {
    let field = if path.is_empty() { "biz_content" } else { path };
    ValidationError::new(field, Rule::Type { expected })
}

/// What the runtime reports for a value its serde error message does not name more
/// precisely (the lenient readers, a too-long array for a model).
const DOCUMENTED: &str = "a value of the documented type";
const PRICE: &str = "a decimal amount such as \"0.01\"";

struct Typer<'a> {
    m: &'a MethodIr,
}

impl Typer<'_> {
    /// A struct given as a JSON object: keys in the map's order (type errors first), then
    /// missing required fields in declaration order, as serde derive reads it.
    fn object(
        &self,
        s: &StructIr,
        object: &Map<String, Value>,
        path: &str,
    ) -> Result<Map<String, Value>, ValidationError> {
        let mut typed: BTreeMap<usize, Value> = BTreeMap::new();
        for (key, value) in object {
            let Some((i, f)) = s.fields.iter().enumerate().find(|(_, f)| f.wire == *key) else {
                continue;
            };
            if let Some(v) = self.field(f, value, &join(path, key))? {
                typed.insert(i, v);
            }
        }
        for f in &s.fields {
            if f.required && !object.contains_key(&f.wire) {
                return Err(ValidationError::new(join(path, &f.wire), Rule::Required));
            }
        }
        Ok(self.in_order(s, typed))
    }

    /// A struct given as a JSON array: serde derive reads the (not skipped) fields in
    /// order; a missing element is an error unless the field has a default.
    fn array(
        &self,
        s: &StructIr,
        items: &[Value],
        path: &str,
    ) -> Result<Map<String, Value>, ValidationError> {
        let fields: Vec<(usize, &FieldIr)> = s.fields.iter().enumerate().collect();
        let mut typed = BTreeMap::new();
        for (n, (i, f)) in fields.iter().enumerate() {
            match items.get(n) {
                Some(value) => {
                    if let Some(v) = self.field(f, value, &format!("{path}[{n}]"))? {
                        typed.insert(*i, v);
                    }
                }
                None if f.required => return Err(type_error(path, "an object")),
                None => {}
            }
        }
        if items.len() > fields.len() {
            return Err(type_error(path, DOCUMENTED));
        }
        Ok(self.in_order(s, typed))
    }

    fn in_order(&self, s: &StructIr, typed: BTreeMap<usize, Value>) -> Map<String, Value> {
        typed
            .into_iter()
            .map(|(i, v)| (s.fields[i].wire.clone(), v))
            .collect()
    }

    /// One field's value; `None` when it types to an absent optional value.
    fn field(
        &self,
        f: &FieldIr,
        value: &Value,
        path: &str,
    ) -> Result<Option<Value>, ValidationError> {
        match (&f.ty, f.required) {
            // The runtime's lenient readers for a field that is a number or a boolean.
            (TypeIr::Number, required) => lenient::<i64>(value, required, path),
            (TypeIr::Boolean, required) => lenient::<bool>(value, required, path),
            (_, false) if value.is_null() => Ok(None),
            (ty, _) => self.value(ty, value, path).map(Some),
        }
    }

    /// A value of type `ty` read with its plain deserialiser (list items, and fields that
    /// are not lenient).
    fn value(&self, ty: &TypeIr, value: &Value, path: &str) -> Result<Value, ValidationError> {
        match ty {
            // A file reads as the name of the file part received (`FileUpload::described`).
            TypeIr::String | TypeIr::Date(_) | TypeIr::Enum(_) | TypeIr::File => match value {
                Value::String(_) => Ok(value.clone()),
                _ => Err(type_error(path, "a string")),
            },
            TypeIr::Number => match value.as_i64() {
                Some(n) => Ok(Value::from(n)),
                None => Err(type_error(path, "an integer")),
            },
            TypeIr::Boolean => match value {
                Value::Bool(_) => Ok(value.clone()),
                _ => Err(type_error(path, "a boolean")),
            },
            TypeIr::Price => price(value, path),
            TypeIr::Model(model) => {
                let Some(s) = self.m.models.get(model) else {
                    return Err(type_error(path, DOCUMENTED));
                };
                match value {
                    Value::Object(o) => self.object(s, o, path).map(Value::Object),
                    Value::Array(items) => self.array(s, items, path).map(Value::Object),
                    _ => Err(type_error(path, "an object")),
                }
            }
            TypeIr::List(inner) => match value {
                Value::Array(items) => items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.value(inner, item, &format!("{path}[{i}]")))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Value::Array),
                _ => Err(type_error(path, "an array")),
            },
        }
    }
}

/// A number or a boolean read by the runtime's own lenient readers, as the generated
/// `Request` reads it (`alipay_runtime::de::{i64_lenient, option_i64_lenient, bool_lenient,
/// option_bool_lenient}`): a JSON number or boolean, or a string; when not required, also
/// null or a blank string (`None`).
fn lenient<T: Into<Value>>(
    value: &Value,
    required: bool,
    path: &str,
) -> Result<Option<Value>, ValidationError>
where
    Lenient<T>: DeserializeOwned,
    Lenient<Option<T>>: DeserializeOwned,
{
    let read = if required {
        Lenient::<T>::deserialize(value).map(|Lenient(v)| Some(v))
    } else {
        Lenient::<Option<T>>::deserialize(value).map(|Lenient(v)| v)
    };
    read.map(|v| v.map(Into::into))
        .map_err(|_| type_error(path, DOCUMENTED))
}

/// `alipay_runtime::Price`'s deserialiser: a decimal string, or a JSON number as text.
fn price(value: &Value, path: &str) -> Result<Value, ValidationError> {
    let text = match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (None, Some(u), _) => u.to_string(),
            (None, None, Some(f)) => format!("{f}"),
            _ => return Err(type_error(path, PRICE)),
        },
        _ => return Err(type_error(path, PRICE)),
    };
    match text.parse::<alipay_runtime::Price>() {
        Ok(_) => Ok(Value::String(text)),
        Err(_) => Err(type_error(path, PRICE)),
    }
}

struct Checker<'a> {
    m: &'a MethodIr,
    strict: bool,
}

impl Checker<'_> {
    fn fields(&self, s: &StructIr, object: &Map<String, Value>) -> Result<(), ValidationError> {
        let top = std::ptr::eq(s, &self.m.request);
        for f in &s.fields {
            self.field(f, object.get(&f.wire), top)?;
        }
        Ok(())
    }

    /// The generated `field_checks` of one field, in the same order; `top`: a field of the
    /// request itself, not of a model.
    fn field(&self, f: &FieldIr, value: Option<&Value>, top: bool) -> Result<(), ValidationError> {
        // Long because: mirrors the generated field_checks rule by rule, in the same order.
        let wire = f.wire.as_str();
        if f.ty.element() == &TypeIr::File {
            // The request's own files are file parts, nothing more to check; a file inside a
            // model cannot be uploaded.
            if top {
                return Ok(());
            }
            return alipay_runtime::check::no_upload(wire, f.required || value.is_some());
        }
        // The values present: one, or each item of a list (with its index).
        let items: Vec<(Option<usize>, &Value)> = match (value, &f.ty) {
            (None, _) => Vec::new(),
            (Some(Value::Array(list)), TypeIr::List(_)) => {
                list.iter().enumerate().map(|(i, v)| (Some(i), v)).collect()
            }
            (Some(v), _) => vec![(None, v)],
        };
        let at = |i: Option<usize>| match i {
            Some(i) => format!("{wire}[{i}]"),
            None => wire.to_owned(),
        };
        if f.required {
            match &f.ty {
                TypeIr::List(_) if items.is_empty() => {
                    return Err(ValidationError::new(wire, Rule::Required));
                }
                TypeIr::String | TypeIr::Date(_) | TypeIr::Enum(_) => {
                    let text = value.and_then(Value::as_str).unwrap_or_default();
                    rv::non_empty(wire, text)?;
                }
                _ => {}
            }
        }
        let elem = f.ty.element();
        if let (TypeIr::String | TypeIr::Date(_) | TypeIr::Enum(_), Some(max)) =
            (elem, f.max_length)
        {
            for (i, v) in &items {
                let text = v.as_str().unwrap_or_default();
                let max = usize::try_from(max).unwrap_or(usize::MAX);
                rv::max_length(wire, text, max)
                    .map_err(|e| ValidationError::new(at(*i), e.rule))?;
            }
        }
        for (i, v) in &items {
            let text = v.as_str().unwrap_or_default();
            let result = match elem {
                TypeIr::Date(DateFormat::DateTime) => rv::date_time(wire, text),
                TypeIr::Date(DateFormat::Date) => rv::date(wire, text),
                TypeIr::Enum(e) if self.strict => {
                    let allowed = self.m.enums.get(e).map_or_else(Vec::new, |e| {
                        e.variants.iter().map(|v| intern(&v.value)).collect()
                    });
                    rv::one_of(wire, text, &allowed)
                }
                TypeIr::Number | TypeIr::Price | TypeIr::Boolean
                    if self.strict && !f.values.is_empty() =>
                {
                    let allowed: Vec<&'static str> =
                        f.values.iter().map(|v| intern(&v.value)).collect();
                    let shown = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    rv::one_of(wire, &shown, &allowed)
                }
                TypeIr::Model(model) => match (self.m.models.get(model), v.as_object()) {
                    (Some(s), Some(o)) => self
                        .fields(s, o)
                        .map_err(|e| ValidationError::new(format!("{wire}.{}", e.field), e.rule)),
                    _ => Ok(()),
                },
                _ => Ok(()),
            };
            result.map_err(|e| match i {
                // The index goes right after the field's own name, as `check::Values` puts it.
                Some(i) => {
                    let mut field = e.field;
                    let cut = if field.starts_with(wire) {
                        wire.len()
                    } else {
                        0
                    };
                    field.insert_str(cut, &format!("[{i}]"));
                    ValidationError::new(field, e.rule)
                }
                None => e,
            })?;
        }
        Ok(())
    }
}
