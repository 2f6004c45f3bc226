// Over 500 lines because: the lint rules of the spec format, in the order specs/README.md documents them.
//! The second check, on a spec that has the right shape: names, types, references,
//! duplicates and collisions. Positions come from the source tree.
//!
//! The rules (each with a fixture in `codegen/tests/fixtures/bad/`):
//! - `method`: at least three dot-separated segments of lowercase ASCII letters and digits,
//!   each starting with a letter; the file is named `<method>.yaml`; `title` is not empty;
//!   `version` is digits, a dot and digits.
//! - fields (request, response, model fields): `name` not empty and unique in its list;
//!   `type` in the page notation ([`TypeRef`]) and every model it names defined; no
//!   `max_length: 0`; `format` only on `Date` and only one of [`DATE_FORMATS`]; `values` only
//!   on `String`/`String[]`, each non-empty and unique; `in: form` only on request
//!   parameters; `rust_name` a snake_case identifier that is not a keyword; no two fields of a
//!   list with the same Rust name (as [`crate::naming::field_ident`] derives it) unless told
//!   apart by `rust_name`.
//! - models: names of ASCII letters and digits starting with an uppercase letter, distinct
//!   after UpperCamelCase conversion, and every model used (reachable from the request or
//!   response): an unused model is an error, since it is most often a misspelt reference;
//!   no model holds itself, directly or through others, by fields that are not lists (the
//!   type would be infinitely large; a list field `Node[]` is fine).
//! - text (checked with the shape, `shape::forbidden_char`): no control characters other than
//!   line feed and tab, and none of the text-direction controls U+202A–U+202E, U+2066–U+2069.
//! - notification (`notification.fields`): the field rules, no `in: form`, no `File`; every
//!   `sources` entry non-empty.
//! - errors: codes non-empty and unique.
//! - `common.yaml`: the same field rules; gateway codes digits and unique, each with a `msg`;
//!   sub_codes non-empty and unique per gateway code.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use super::common::CommonSpec;
use super::diagnostic::{FieldPath, Pos, Seg};
use super::model::{ErrorCode, Field, Location, Spec};
use super::report::Reporter;
use super::shape::closest;
use super::tree::{Node, Value};
use super::types::{TypeError, TypeRef, is_model_name};
use crate::naming;

/// The two formats a `Date` field may declare.
pub const DATE_FORMATS: [&str; 2] = ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd"];

type Models = BTreeMap<String, Vec<Field>>;

/// The name comparisons the type hints of one file may make (see [`Lint::hint_budget`]).
const HINT_BUDGET: usize = 200_000;

/// Where a list of fields sits, which decides what it may hold.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ListKind {
    Request,
    Response,
    Model,
    Notification,
}

/// Reports a problem at the node `path` names (or its nearest existing ancestor).
mod route;

pub(crate) use route::PUBLIC_QUERY;

struct Lint<'t, 'r> {
    tree: &'t Node<'t>,
    out: &'t mut Reporter<'r>,
    /// The entries of `models:` by name, built on the first problem under it: a spec may
    /// hold any number of models, and finding one by a scan for each problem is quadratic.
    models: Option<HashMap<&'t str, (&'t Node<'t>, &'t Node<'t>)>>,
    /// How many more names "did you mean" hints may compare against: each hint compares a
    /// misspelt type with every model, so without a bound many misspellings among many
    /// models cost their product.
    hint_budget: usize,
}

impl<'t> Lint<'t, '_> {
    fn new<'r>(tree: &'t Node<'t>, out: &'t mut Reporter<'r>) -> Lint<'t, 'r> {
        Lint {
            tree,
            out,
            models: None,
            hint_budget: HINT_BUDGET,
        }
    }

    fn at(&mut self, path: &FieldPath, message: impl Into<String>) {
        let pos = self.locate(path, false);
        self.out.at(pos, path, message);
    }

    fn at_key(&mut self, path: &FieldPath, message: impl Into<String>) {
        let pos = self.locate(path, true);
        self.out.at(pos, path, message);
    }

    fn line_of(&mut self, path: &FieldPath) -> usize {
        self.locate(path, false).line
    }

    /// Reports the entry at `path`, whose `what` is `name`, as a duplicate of `list[first]`.
    fn duplicate(
        &mut self,
        path: &FieldPath,
        what: &str,
        name: &str,
        list: &FieldPath,
        first: usize,
    ) {
        let line = self.line_of(&list.index(first));
        self.at(
            path,
            format!("duplicate {what} `{name}` (first at {list}[{first}], line {line})"),
        );
    }

    fn locate(&mut self, path: &FieldPath, at_key: bool) -> Pos {
        let tree = self.tree;
        let [Seg::Key("models"), Seg::Key(name), rest @ ..] = path.segs() else {
            return tree.locate(path, at_key);
        };
        let models = self
            .models
            .get_or_insert_with(|| match tree.entry("models") {
                Some((
                    _,
                    Node {
                        value: Value::Map(entries),
                        ..
                    },
                )) => entries
                    .iter()
                    .rev()
                    .filter_map(|(k, v)| match &k.value {
                        Value::Scalar { text, .. } => Some((&**text, (k, v))),
                        _ => None,
                    })
                    .collect(),
                _ => HashMap::new(),
            });
        match models.get(name) {
            Some((key, _)) if rest.is_empty() && at_key => key.pos,
            Some((_, value)) => value.locate_segs(rest, at_key),
            None => tree.locate(path, at_key),
        }
    }
}

/// Whether `method` is a wire method name: at least three dot-separated segments of lowercase
/// ASCII letters and digits, each starting with a letter (`alipay.trade.pay`).
pub fn is_method_name(method: &str) -> bool {
    let segments: Vec<&str> = method.split('.').collect();
    segments.len() >= 3
        && segments.iter().all(|s| {
            s.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// Lints a method spec. `file` is used only for the file-name rule (when it ends in `.yaml`/`.yml`).
pub(crate) fn lint_spec(spec: &Spec, file: &Path, tree: &Node<'_>, out: &mut Reporter<'_>) {
    // Long because: every rule on the spec's own keys, in the order they are documented.
    let mut lint = Lint::new(tree, out);
    let root = FieldPath::root();

    let method_path = root.key("method");
    if !is_method_name(&spec.method) {
        lint.at(
            &method_path,
            format!(
                "malformed method name `{}`: expected at least three dot-separated segments of lowercase \
                 letters and digits, each starting with a letter, like `alipay.trade.pay`",
                spec.method
            ),
        );
    } else if let Some(name) = file.file_name().and_then(|n| n.to_str()) {
        let expected = format!("{}.yaml", spec.method);
        if (name.ends_with(".yaml") || name.ends_with(".yml")) && name != expected {
            lint.at(
                &method_path,
                format!(
                    "file name `{name}` does not match the method: rename the file to `{expected}`"
                ),
            );
        }
    }
    if spec.title.trim().is_empty() {
        lint.at(&root.key("title"), "empty title: use the page's title");
    }
    if !is_version(&spec.version) {
        lint.at(
            &root.key("version"),
            format!(
                "malformed version `{}`: expected digits, a dot and digits, like \"1.0\"",
                spec.version
            ),
        );
    }

    lint_fields(
        &mut lint,
        &spec.models,
        &spec.request,
        &root.key("request"),
        ListKind::Request,
    );
    lint_fields(
        &mut lint,
        &spec.models,
        &spec.response,
        &root.key("response"),
        ListKind::Response,
    );
    if let Some(notification) = &spec.notification {
        let path = root.key("notification");
        lint_fields(
            &mut lint,
            &spec.models,
            &notification.fields,
            &path.key("fields"),
            ListKind::Notification,
        );
        for (i, source) in notification.sources.iter().enumerate() {
            if source.trim().is_empty() {
                lint.at(
                    &path.key("sources").index(i),
                    "empty source: give the address of the page the table was transcribed from",
                );
            }
        }
    }
    for (name, fields) in &spec.models {
        lint_fields(
            &mut lint,
            &spec.models,
            fields,
            &root.key("models").key(name),
            ListKind::Model,
        );
    }
    lint_models(&mut lint, spec);
    lint_recursion(&mut lint, &spec.models);
    lint_errors(&mut lint, &spec.errors, &root.key("errors"));
    if let Some(r) = &spec.route {
        route::lint_route(&mut lint, r, &spec.request, &root.key("route"));
    }
    lint_at_least_one_of(&mut lint, spec, &root.key("at_least_one_of"));
}

/// `at_least_one_of`: each group names two or more distinct optional top-level request fields.
fn lint_at_least_one_of(lint: &mut Lint<'_, '_>, spec: &Spec, at: &FieldPath) {
    for (i, group) in spec.at_least_one_of.iter().enumerate() {
        let at = at.index(i);
        if group.len() < 2 {
            lint.at(
                &at,
                "a group names at least two fields (one field alone is `required: true`)",
            );
        }
        for (j, name) in group.iter().enumerate() {
            let Some(field) = spec.request.iter().find(|f| f.name == *name) else {
                lint.at(
                    &at.index(j),
                    format!("`{name}` is not a top-level request field"),
                );
                continue;
            };
            if group[..j].contains(name) {
                lint.at(&at.index(j), format!("`{name}` appears twice in the group"));
            } else if field.required {
                lint.at(
                    &at.index(j),
                    format!(
                        "`{name}` is `required: true`, so the group always holds: make it \
                         `required: false` or drop the group"
                    ),
                );
            }
        }
    }
}

fn is_version(version: &str) -> bool {
    version.split_once('.').is_some_and(|(major, minor)| {
        let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
        digits(major) && digits(minor)
    })
}

fn lint_fields(
    lint: &mut Lint<'_, '_>,
    models: &Models,
    fields: &[Field],
    list: &FieldPath,
    kind: ListKind,
) {
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    let mut by_rust_name: HashMap<String, usize> = HashMap::new();
    for (i, field) in fields.iter().enumerate() {
        let path = list.index(i);
        if field.name.trim().is_empty() {
            lint.at(&path.key("name"), "empty name");
        } else if field.name.contains(char::is_whitespace) {
            lint.at(
                &path.key("name"),
                format!("`{}` contains whitespace; wire names never do", field.name),
            );
        } else if let Some(&first) = by_name.get(field.name.as_str()) {
            lint.duplicate(
                &path.key("name"),
                "parameter name",
                &field.name,
                list,
                first,
            );
        } else {
            by_name.insert(&field.name, i);
            lint_rust_name(lint, fields, list, field, &path, &mut by_rust_name, i);
        }
        lint_field(lint, models, field, &path, kind);
    }
}

fn lint_rust_name(
    lint: &mut Lint<'_, '_>,
    fields: &[Field],
    list: &FieldPath,
    field: &Field,
    path: &FieldPath,
    seen: &mut HashMap<String, usize>,
    i: usize,
) {
    if let Some(rust_name) = &field.rust_name
        && !is_snake_ident(rust_name)
    {
        lint.at(
            &path.key("rust_name"),
            format!(
                "`{rust_name}` is not a valid Rust field name: use snake_case ASCII letters, digits and `_`, \
                 starting with a letter or `_`, and not a Rust keyword"
            ),
        );
        return;
    }
    let rust = field_rust_name(field);
    if let Some(&first) = seen.get(&rust) {
        let other = &fields[first];
        let message = if field.rust_name.is_some() {
            format!(
                "rust_name `{rust}` collides with `{}` ({list}[{first}]) in Rust; choose another `rust_name:`",
                other.name
            )
        } else {
            format!(
                "`{}` and `{}` ({list}[{first}]) both become `{rust}` in Rust; add an explicit `rust_name:`",
                field.name, other.name
            )
        };
        let at = if field.rust_name.is_some() {
            path.key("rust_name")
        } else {
            path.key("name")
        };
        lint.at(&at, message);
    } else {
        seen.insert(rust, i);
    }
}

/// The built-in type or model a misspelt type name most likely meant, while the file's hint
/// budget lasts.
fn type_hint<'m>(lint: &mut Lint<'_, '_>, name: &str, models: &'m Models) -> Option<&'m str> {
    const BUILTIN: [&str; 6] = ["String", "Number", "Price", "Boolean", "Date", "File"];
    let cost = BUILTIN.len() + models.len();
    lint.hint_budget = lint.hint_budget.checked_sub(cost)?;
    let known: Vec<&'m str> = BUILTIN
        .iter()
        .copied()
        .chain(models.keys().map(String::as_str))
        .filter(|k| *k != name)
        .collect();
    known
        .iter()
        .find(|k| k.eq_ignore_ascii_case(name))
        .copied()
        .or_else(|| closest(name, &known))
}

/// The name a field has in Rust, as the generator derives it (without any `r#`).
fn field_rust_name(field: &Field) -> String {
    let name = field.rust_name.as_deref().unwrap_or(&field.name);
    // Lowercase words joined by single `_` are their own snake_case (a shortcut: the case
    // conversion is the slowest part of linting a large folder).
    let simple = !name.is_empty()
        && name
            .split('_')
            .all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase()))
        && !naming::is_keyword(name);
    if simple {
        return name.to_owned();
    }
    let ident = naming::field_ident(field.rust_name.as_deref().unwrap_or(&field.name));
    naming::collision_key(&ident).to_owned()
}

/// An ASCII snake_case identifier that is not a keyword: what `rust_name:` must be.
pub fn is_snake_ident(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name != "_"
        && !naming::is_keyword(name)
}

fn lint_field(
    lint: &mut Lint<'_, '_>,
    models: &Models,
    field: &Field,
    path: &FieldPath,
    kind: ListKind,
) {
    // Long because: every rule on one field (name, type, length, format, values, location), in the order they are documented.
    let ty = match TypeRef::parse(&field.ty) {
        Ok(ty) => Some(ty),
        Err(e) => {
            let hint = match &e {
                TypeError::Malformed(name) => type_hint(lint, name, models)
                    .map(|t| format!("; did you mean `{t}`?"))
                    .unwrap_or_default(),
                _ => String::new(),
            };
            lint.at(&path.key("type"), format!("{e}{hint}"));
            None
        }
    };
    if let Some(name) = ty.as_ref().and_then(TypeRef::model_name)
        && !models.contains_key(name)
    {
        let hint = match type_hint(lint, name, models) {
            Some(t) => format!("did you mean `{t}`?"),
            None => "define it under `models:`".to_owned(),
        };
        lint.at(&path.key("type"), format!("unknown model `{name}`: {hint}"));
    }
    if field.max_length == Some(0) {
        lint.at(
            &path.key("max_length"),
            "must be at least 1, found 0 (leave it out where the page gives no length)",
        );
    }
    if let Some(format) = &field.format {
        if !matches!(ty.as_ref().map(TypeRef::element), Some(TypeRef::Date)) {
            lint.at(
                &path.key("format"),
                format!("`format` applies only to Date fields, not {}", field.ty),
            );
        } else if !DATE_FORMATS.contains(&format.as_str()) {
            lint.at(
                &path.key("format"),
                format!(
                    "unknown date format `{format}`: expected `{}` or `{}`",
                    DATE_FORMATS[0], DATE_FORMATS[1]
                ),
            );
        }
    }
    if !field.values.is_empty() {
        if ty.is_some() && !matches!(ty.as_ref().map(TypeRef::element), Some(TypeRef::String)) {
            lint.at_key(
                &path.key("values"),
                format!(
                    "`values` applies only to String and String[] fields, not {}",
                    field.ty
                ),
            );
        }
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (j, value) in field.values.iter().enumerate() {
            let value_path = path.key("values").index(j).key("value");
            if value.value.is_empty() {
                lint.at(&value_path, "empty value");
            } else if let Some(&first) = seen.get(value.value.as_str()) {
                lint.at(
                    &value_path,
                    format!(
                        "duplicate value `{}` (first at values[{first}])",
                        value.value
                    ),
                );
            } else {
                seen.insert(&value.value, j);
            }
        }
    }
    if kind == ListKind::Notification
        && matches!(ty.as_ref().map(TypeRef::element), Some(TypeRef::File))
    {
        lint.at(
            &path.key("type"),
            "a notification field cannot be a File: notifications are forms of text",
        );
    }
    if field.location == Location::Form && kind != ListKind::Request {
        let where_ = match kind {
            ListKind::Response => "response",
            ListKind::Notification => "notification",
            _ => "model",
        };
        lint.at(
            &path.key("in"),
            format!("`in: form` applies only to request parameters, not to a {where_} field"),
        );
    }
}

fn lint_models(lint: &mut Lint<'_, '_>, spec: &Spec) {
    let models = FieldPath::root().key("models");
    let mut rust_names: HashMap<String, &str> = HashMap::new();
    for name in spec.models.keys() {
        if !is_model_name(name) {
            lint.at_key(
                &models.key(name),
                format!(
                    "malformed model name `{name}`: use ASCII letters and digits, starting with an uppercase letter"
                ),
            );
            continue;
        }
        let rust = naming::collision_key(&naming::type_ident(name)).to_owned();
        match rust_names.get(&rust) {
            Some(other) => {
                let line = lint.locate(&models.key(other), true).line;
                lint.at_key(
                    &models.key(name),
                    format!("models `{name}` and `{other}` (line {line}) both become `{rust}` in Rust; rename one"),
                );
            }
            None => {
                rust_names.insert(rust, name);
            }
        }
    }

    // Models reachable from the request, the response and the notification, through other
    // models.
    let mut used: BTreeSet<&str> = BTreeSet::new();
    let mut todo: Vec<&str> = spec
        .request
        .iter()
        .chain(&spec.response)
        .chain(spec.notification.iter().flat_map(|n| &n.fields))
        .filter_map(|f| TypeRef::parse(&f.ty).ok())
        .filter_map(|t| t.model_name().map(str::to_owned))
        .filter_map(|n| spec.models.get_key_value(&n).map(|(k, _)| k.as_str()))
        .collect();
    while let Some(name) = todo.pop() {
        if !used.insert(name) {
            continue;
        }
        for field in spec.models.get(name).into_iter().flatten() {
            if let Ok(ty) = TypeRef::parse(&field.ty)
                && let Some(inner) = ty.model_name()
                && let Some((key, _)) = spec.models.get_key_value(inner)
            {
                todo.push(key);
            }
        }
    }
    for name in spec.models.keys() {
        // A malformed name is reported above, and no field can refer to it.
        if !used.contains(name.as_str()) && is_model_name(name) {
            lint.at_key(
                &models.key(name),
                format!("model `{name}` is not used by any request or response field; remove it or refer to it"),
            );
        }
    }
}

/// Models that hold themselves, directly or through other models, by fields that are not
/// lists: such a type would be infinitely large (rustc's E0072). Each cycle is reported once,
/// at the field that closes it. A depth-first walk without recursion, so a long chain of
/// models costs neither stack nor more than one visit per field.
fn lint_recursion(lint: &mut Lint<'_, '_>, models: &Models) {
    // For each model, its fields holding a model by value: (field index, held model).
    let held: BTreeMap<&str, Vec<(usize, &str)>> = models
        .iter()
        .map(|(name, fields)| {
            let by_value = fields
                .iter()
                .enumerate()
                .filter_map(|(i, f)| match TypeRef::parse(&f.ty) {
                    Ok(TypeRef::Model(inner)) => models
                        .get_key_value(&inner)
                        .map(|(key, _)| (i, key.as_str())),
                    _ => None,
                })
                .collect();
            (name.as_str(), by_value)
        })
        .collect();
    #[derive(Clone, Copy, PartialEq)]
    enum State {
        /// On the current path, at this index.
        OnPath(usize),
        Done,
    }
    let mut state: HashMap<&str, State> = HashMap::with_capacity(held.len());
    for &start in held.keys() {
        if state.contains_key(start) {
            continue;
        }
        // The path from `start`: each model with the next of its fields to follow.
        let mut path: Vec<(&str, usize)> = vec![(start, 0)];
        state.insert(start, State::OnPath(0));
        while let Some(&mut (model, ref mut next)) = path.last_mut() {
            let Some(&(field, inner)) = held[model].get(*next) else {
                state.insert(model, State::Done);
                path.pop();
                continue;
            };
            *next += 1;
            match state.get(inner) {
                None => {
                    state.insert(inner, State::OnPath(path.len()));
                    path.push((inner, 0));
                }
                Some(&State::OnPath(from)) => {
                    // At most a few names each side of a long cycle, so the messages of many
                    // cycles stay short.
                    let cycle = &path[from..];
                    let mut chain: Vec<&str> = cycle.iter().take(4).map(|(m, _)| *m).collect();
                    if cycle.len() > 8 {
                        chain.push("…");
                        chain.extend(cycle[cycle.len() - 3..].iter().map(|(m, _)| *m));
                    } else {
                        chain.extend(cycle.iter().skip(4).map(|(m, _)| *m));
                    }
                    chain.push(inner);
                    let at = FieldPath::root()
                        .key("models")
                        .key(model)
                        .index(field)
                        .key("type");
                    lint.at(
                        &at,
                        format!(
                            "model `{inner}` holds itself ({}): a model cannot contain itself; \
                             make this field a list (`{inner}[]`) or break the cycle",
                            chain.join(" → ")
                        ),
                    );
                }
                Some(State::Done) => {}
            }
        }
    }
}

fn lint_errors(lint: &mut Lint<'_, '_>, errors: &[ErrorCode], list: &FieldPath) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, error) in errors.iter().enumerate() {
        let path = list.index(i).key("code");
        if error.code.trim().is_empty() {
            lint.at(&path, "empty error code");
        } else if error.code.contains(char::is_whitespace) {
            lint.at(
                &path,
                format!("`{}` contains whitespace; error codes never do", error.code),
            );
        } else if let Some(&first) = seen.get(error.code.as_str()) {
            lint.duplicate(&path, "error code", &error.code, list, first);
        } else {
            seen.insert(&error.code, i);
        }
    }
}

/// Lints `common.yaml`.
pub(crate) fn lint_common(common: &CommonSpec, tree: &Node<'_>, out: &mut Reporter<'_>) {
    let mut lint = Lint::new(tree, out);
    let root = FieldPath::root();
    let no_models = Models::new();
    lint_fields(
        &mut lint,
        &no_models,
        &common.request,
        &root.key("request"),
        ListKind::Request,
    );
    lint_fields(
        &mut lint,
        &no_models,
        &common.response,
        &root.key("response"),
        ListKind::Response,
    );
    let codes = root.key("gateway_codes");
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for (i, code) in common.gateway_codes.iter().enumerate() {
        let path = codes.index(i);
        if code.code.is_empty() || !code.code.chars().all(|c| c.is_ascii_digit()) {
            lint.at(
                &path.key("code"),
                format!(
                    "malformed gateway code `{}`: expected digits, like \"40004\"",
                    code.code
                ),
            );
        } else if let Some(&first) = seen.get(code.code.as_str()) {
            lint.duplicate(&path.key("code"), "gateway code", &code.code, &codes, first);
        } else {
            seen.insert(&code.code, i);
        }
        if code.msg.trim().is_empty() {
            lint.at(&path.key("msg"), "empty msg");
        }
        lint_errors(&mut lint, &code.sub_codes, &path.key("sub_codes"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_names() {
        assert!(is_method_name("alipay.user.agreement.auth.confirm"));
        assert!(is_method_name("koubei.item.v2.query"));
        assert!(!is_method_name("alipay.trade"));
        assert!(!is_method_name("alipay.Trade.pay"));
        assert!(!is_method_name("alipay..pay"));
        assert!(!is_method_name("alipay.trade.pay "));
        assert!(!is_method_name(""));
        assert!(!is_method_name("alipay.2trade.pay"));
    }

    #[test]
    fn versions() {
        assert!(is_version("1.0"));
        assert!(is_version("2.10"));
        assert!(!is_version("1"));
        assert!(!is_version("v1.0"));
        assert!(!is_version("1.0.0"));
    }
}
