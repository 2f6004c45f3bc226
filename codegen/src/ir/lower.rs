// Over 500 lines because: one lowering pass over a spec; its steps share the tables of names it builds.
//! Lowering: from spec model to IR, resolving every name and type once.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::Settings;
use crate::ir::{
    DateFormat, Derives, EnumIr, ErrorIr, FieldIr, Ir, MethodIr, NotificationIr, Read, StructIr,
    StructKind, TypeIr, VariantIr,
};
use crate::naming;
use crate::progress::Stage;
use crate::spec::{Field, Spec, TypeError, TypeRef};

/// Names the generator uses itself in every method module.
const RESERVED_TYPES: &[&str] = &["Request", "Response", "BizError"];
/// The type name of a method's typed notification, reserved only where the spec has one (so
/// a model named `Notification` elsewhere keeps its name).
const NOTIFICATION_TYPE: &str = "Notification";
/// The notification parameter that verification consumes: never a field of the type.
const SIGN_FIELD: &str = "sign";
/// Inherent method names on generated structs that a setter must not take.
const RESERVED_METHODS: &[&str] = &["new"];
/// The public response parameters every response node may carry (all but `sign`, which
/// sits beside the node), with the doc text of their generated fields.
fn public_response() -> impl Iterator<Item = (&'static str, &'static str)> {
    use crate::protocol::{PUBLIC_RESPONSE_FIELDS, field};
    PUBLIC_RESPONSE_FIELDS.iter().filter_map(|&name| {
        let doc = match name {
            field::CODE => "网关返回码。",
            field::MSG => "网关返回码描述。",
            field::SUB_CODE => "业务返回码。",
            field::SUB_MSG => "业务返回码描述。",
            _ => return None,
        };
        Some((name, doc))
    })
}

/// A spec the generator cannot turn into code (the linter reports these first).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LowerError {
    /// A field's type notation does not parse.
    #[error("{method}: field `{field}` of {owner}: {source}")]
    Type {
        /// The method.
        method: String,
        /// Where the field is (`request`, `response` or the model name).
        owner: String,
        /// The field's wire name.
        field: String,
        /// What is wrong with the type.
        source: TypeError,
    },
    /// A field refers to a model the spec does not define.
    #[error("{method}: field `{field}` of {owner} refers to undefined model `{model}`")]
    UnknownModel {
        /// The method.
        method: String,
        /// Where the field is.
        owner: String,
        /// The field's wire name.
        field: String,
        /// The missing model.
        model: String,
    },
    /// Two fields of one struct map to the same Rust identifier.
    #[error(
        "{method}: fields {names:?} of {owner} all become `{ident}` in Rust; give all but one an explicit `rust_name:`"
    )]
    FieldCollision {
        /// The method.
        method: String,
        /// Where the fields are.
        owner: String,
        /// The shared identifier.
        ident: String,
        /// The colliding wire names.
        names: Vec<String>,
    },
    /// A `Date` field has a format other than the two supported.
    #[error(
        "{method}: field `{field}` of {owner} has format `{format}`; expected `yyyy-MM-dd HH:mm:ss` or `yyyy-MM-dd`"
    )]
    DateFormat {
        /// The method.
        method: String,
        /// Where the field is.
        owner: String,
        /// The field's wire name.
        field: String,
        /// The format given.
        format: String,
    },
    /// Two methods share a wire name.
    #[error("method `{0}` is defined twice")]
    DuplicateMethod(String),
    /// Two methods map to the same module in the same group.
    #[error("methods `{0}` and `{1}` both become module `{2}`")]
    ModuleCollision(String, String, String),
}

/// Lowers every spec into one IR, with the default [`Settings`] (the untyped JSON path
/// included).
pub fn lower<'a>(specs: impl IntoIterator<Item = &'a Spec>) -> Result<Ir, LowerError> {
    lower_with(specs, &Settings::default())
}

/// Lowers every spec into one IR with `settings` (which decide what the structs derive).
pub fn lower_with<'a>(
    specs: impl IntoIterator<Item = &'a Spec>,
    settings: &Settings,
) -> Result<Ir, LowerError> {
    let mut ir = Ir {
        json: settings.json,
        ..Ir::default()
    };
    let mut modules: BTreeMap<(String, String), String> = BTreeMap::new();
    // Each spec lowers on its own; the first error in input order wins, as in a loop.
    let specs: Vec<&Spec> = specs.into_iter().collect();
    let lowered = crate::parallel::in_parallel(Stage::Lower, &specs, |spec| {
        Lowering::new(spec, settings.json).run()
    });
    for m in lowered {
        let m = m?;
        if ir.methods.contains_key(&m.method) {
            return Err(LowerError::DuplicateMethod(m.method));
        }
        let key = (m.group.clone(), naming::collision_key(&m.module).to_owned());
        if let Some(other) = modules.insert(key, m.method.clone()) {
            return Err(LowerError::ModuleCollision(other, m.method, m.module));
        }
        ir.methods.insert(m.method.clone(), m);
    }
    Ok(ir)
}

/// Lowers one spec, with the default [`Settings`].
pub fn lower_one(spec: &Spec) -> Result<MethodIr, LowerError> {
    Lowering::new(spec, true).run()
}

struct Lowering<'a> {
    spec: &'a Spec,
    /// [`Settings::json`].
    json: bool,
    /// Rust identifiers of models, by spec name.
    model_idents: BTreeMap<&'a str, String>,
    /// Type identifiers in use (reserved, models, enums).
    taken: BTreeSet<String>,
    enums: BTreeMap<String, EnumIr>,
    /// Response-side twins of request models: a model that the request and the response
    /// both use, and that requires a field (itself or through a model it holds), is read
    /// from an answer through a copy whose fields are all optional, so an answer that
    /// leaves a field out still decodes. By spec name, the twin's Rust identifier.
    twins: BTreeMap<&'a str, String>,
    /// Spec names of the models the request reaches (they honour `required`).
    request_models: BTreeSet<&'a str>,
    /// For [`Lowering::free_ident`]: the next number to try after each base.
    next_suffix: HashMap<String, usize>,
}

impl<'a> Lowering<'a> {
    fn new(spec: &'a Spec, json: bool) -> Self {
        let names: Vec<&str> = spec.models.keys().map(String::as_str).collect();
        let mut reserved: Vec<&str> = RESERVED_TYPES.to_vec();
        if spec.notification.is_some() {
            reserved.push(NOTIFICATION_TYPE);
        }
        let idents = naming::dedupe(
            names.iter().map(|n| naming::type_ident(n)).collect(),
            &reserved,
        );
        let mut taken: BTreeSet<String> = reserved.iter().map(|s| (*s).to_owned()).collect();
        taken.extend(idents.iter().cloned());
        let mut lowering = Lowering {
            spec,
            json,
            model_idents: names.into_iter().zip(idents).collect(),
            taken,
            enums: BTreeMap::new(),
            twins: BTreeMap::new(),
            request_models: BTreeSet::new(),
            next_suffix: HashMap::new(),
        };
        lowering.request_models = lowering.reachable(&spec.request);
        for name in lowering.models_needing_twins() {
            let model = naming::suffix_base(&lowering.model_idents[name]);
            let ident = lowering.free_ident(&format!("{model}InResponse"));
            lowering.taken.insert(ident.clone());
            lowering.twins.insert(name, ident);
        }
        lowering
    }

    /// `base`, or `base2`, `base3`, ... : the first type identifier not yet taken.
    fn free_ident(&mut self, base: &str) -> String {
        if !self.taken.contains(base) {
            return base.to_owned();
        }
        // Numbering resumes where the last search for this base stopped.
        let n = self.next_suffix.entry(base.to_owned()).or_insert(2);
        loop {
            let ident = format!("{}{}", naming::suffix_base(base), *n);
            *n += 1;
            if !self.taken.contains(&ident) {
                return ident;
            }
        }
    }

    /// Spec names of the models that need a response-side twin (see [`Lowering::twins`]),
    /// sorted.
    fn models_needing_twins(&self) -> BTreeSet<&'a str> {
        // Notifications are read like answers: their models go through the same twins.
        let mut response = self.reachable(&self.spec.response);
        if let Some(n) = &self.spec.notification {
            response.extend(self.reachable(&n.fields));
        }
        let shared: Vec<&'a str> = self
            .request_models
            .intersection(&response)
            .copied()
            .collect();
        // A model needs one when it requires a field, or holds a model that needs one: start
        // from those that require a field and walk the "is held by" edges back, each once.
        let shared_set: BTreeSet<&'a str> = shared.iter().copied().collect();
        let mut held_by: HashMap<&'a str, Vec<&'a str>> = HashMap::new();
        let mut todo: Vec<&'a str> = Vec::new();
        for &name in &shared {
            for f in &self.spec.models[name] {
                if f.required {
                    todo.push(name);
                }
                if let Ok(ty) = TypeRef::parse(&f.ty)
                    && let Some(inner) = ty.model_name()
                    && let Some(&inner) = shared_set.get(inner)
                {
                    held_by.entry(inner).or_default().push(name);
                }
            }
        }
        let mut twins = BTreeSet::new();
        while let Some(name) = todo.pop() {
            if twins.insert(name) {
                todo.extend(held_by.get(name).into_iter().flatten());
            }
        }
        twins
    }

    fn run(mut self) -> Result<MethodIr, LowerError> {
        // Long because: the method's structs, models, twins, notification and errors lowered in the order later steps need them.
        let spec = self.spec;
        let request = self.lower_struct(
            "Request",
            "Request",
            "request",
            &spec.request,
            StructKind::Request,
        )?;

        let mut response_fields: Vec<Field> = public_response()
            .filter(|(wire, _)| !spec.response.iter().any(|f| f.name == *wire))
            .map(|(wire, desc)| Field {
                name: wire.to_owned(),
                rust_name: None,
                ty: "String".to_owned(),
                required: false,
                max_length: None,
                format: None,
                description: desc.to_owned(),
                example: None,
                values: Vec::new(),
                location: Default::default(),
                note: None,
                source: None,
            })
            .collect();
        response_fields.extend(spec.response.iter().cloned());
        let response = self.lower_struct(
            "Response",
            "Response",
            "response",
            &response_fields,
            StructKind::Response,
        )?;

        let mut models = BTreeMap::new();
        for (name, fields) in &spec.models {
            let ident = self.model_idents[name.as_str()].clone();
            let kind = if self.request_models.contains(name.as_str()) {
                StructKind::SentModel
            } else {
                StructKind::ReadModel
            };
            let s = self.lower_struct(&ident, &ident, name, fields, kind)?;
            models.insert(ident, s);
        }
        for (&name, twin) in &self.twins.clone() {
            let ident = self.model_idents[name].clone();
            let kind = StructKind::Twin(ident.clone());
            let s = self.lower_struct(twin, &ident, name, &spec.models[name], kind)?;
            models.insert(twin.clone(), s);
        }

        let notification = match &spec.notification {
            None => None,
            Some(n) => Some(self.lower_notification(n)?),
        };

        let errors = lower_errors(&spec.errors);

        let mut m = MethodIr {
            method: spec.method.clone(),
            group: naming::group_of(&spec.method),
            module: naming::method_module(&spec.method),
            response_node: naming::response_node(&spec.method),
            title: spec.title.clone(),
            description: spec.description.clone(),
            doc_url: spec.doc_url.clone(),
            provenance: spec.provenance,
            call_style: spec.call_style(),
            note: spec.note.clone(),
            request,
            response,
            models,
            enums: self.enums,
            errors,
            examples: spec.examples.clone(),
            notification,
            json: self.json,
            route: spec.route.clone(),
            at_least_one_of: spec.at_least_one_of.clone(),
        };
        // What each struct derives, now that every struct is known.
        super::derive::assign(&mut m);
        Ok(m)
    }

    /// The notification's struct: read like an answer (models through their twins, enums
    /// shared), but with the spec's `required` kept, since a notification is decoded only
    /// after it verified and a missing required field is then a wrong shape, not a gap.
    fn lower_notification(
        &mut self,
        n: &'a crate::spec::Notification,
    ) -> Result<NotificationIr, LowerError> {
        let listed: Vec<Field> = n
            .fields
            .iter()
            .filter(|f| f.name != SIGN_FIELD)
            .cloned()
            .collect();
        let mut fields = self.lower_struct(
            NOTIFICATION_TYPE,
            NOTIFICATION_TYPE,
            "notification",
            &listed,
            StructKind::Notification,
        )?;
        for (ir, spec) in fields.fields.iter_mut().zip(&listed) {
            ir.required = spec.required;
        }
        let taken: BTreeSet<&str> = fields
            .fields
            .iter()
            .map(|f| naming::collision_key(&f.ident))
            .collect();
        let other_fields = std::iter::once("other_fields".to_owned())
            .chain((2..).map(|i| format!("other_fields{i}")))
            .find(|name| !taken.contains(name.as_str()))
            .expect("an unbounded list of names has a free one");
        Ok(NotificationIr {
            fields,
            other_fields,
            sources: n.sources.clone(),
            note: n.note.clone(),
        })
    }

    /// Spec names of the models reachable from `fields`.
    fn reachable(&self, fields: &'a [Field]) -> BTreeSet<&'a str> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&'a [Field]> = vec![fields];
        while let Some(fields) = stack.pop() {
            for f in fields {
                let Ok(ty) = TypeRef::parse(&f.ty) else {
                    continue;
                };
                if let Some(name) = ty.model_name()
                    && let Some((key, model)) = self.spec.models.get_key_value(name)
                    && seen.insert(key.as_str())
                {
                    stack.push(model);
                }
            }
        }
        seen
    }

    /// Lowers one struct; `enum_owner` prefixes the names of the enums its fields need when
    /// the plain name is taken (a twin names them as its original does, so they share them).
    fn lower_struct(
        &mut self,
        ident: &str,
        enum_owner: &str,
        spec_name: &str,
        fields: &[Field],
        kind: StructKind,
    ) -> Result<StructIr, LowerError> {
        let request_side = matches!(kind, StructKind::Request | StructKind::SentModel);
        let method = &self.spec.method;
        let names: Vec<&str> = fields
            .iter()
            .map(|f| f.rust_name.as_deref().unwrap_or(&f.name))
            .collect();
        let idents: Vec<String> = names.iter().map(|n| naming::field_ident(n)).collect();
        let pairs = names.iter().copied().zip(idents.iter().map(String::as_str));
        if let Some(c) = naming::collisions_of(pairs).pop() {
            return Err(LowerError::FieldCollision {
                method: method.clone(),
                owner: spec_name.to_owned(),
                ident: c.ident,
                names: c.names,
            });
        }
        let mut out = Vec::with_capacity(fields.len());
        for (f, field_ident) in fields.iter().zip(idents) {
            let setter = if RESERVED_METHODS.contains(&naming::collision_key(&field_ident)) {
                format!("set_{}", naming::collision_key(&field_ident))
            } else {
                field_ident.clone()
            };
            let ty = self.lower_type(enum_owner, spec_name, f, request_side)?;
            out.push(FieldIr {
                wire: f.name.clone(),
                ident: field_ident,
                setter,
                ty,
                required: request_side && f.required,
                max_length: f.max_length,
                description: f.description.clone(),
                example: f.example.clone(),
                values: f.values.clone(),
                location: f.location,
                note: f.note.clone(),
            });
        }
        Ok(StructIr {
            ident: ident.to_owned(),
            spec_name: spec_name.to_owned(),
            kind,
            // Set once every struct of the method is known (see `run`).
            derives: Derives {
                default: false,
                serialize: false,
                read: Read::No,
            },
            fields: out,
        })
    }

    /// The field's type; on the response side (`request_side` false) a model with a
    /// response-side twin resolves to the twin.
    fn lower_type(
        &mut self,
        owner: &str,
        spec_owner: &str,
        f: &Field,
        request_side: bool,
    ) -> Result<TypeIr, LowerError> {
        let method = &self.spec.method;
        let parsed = TypeRef::parse(&f.ty).map_err(|source| LowerError::Type {
            method: method.clone(),
            owner: spec_owner.to_owned(),
            field: f.name.clone(),
            source,
        })?;
        let scalar = match parsed.element() {
            TypeRef::String if !f.values.is_empty() => TypeIr::Enum(self.enum_for(owner, f)),
            TypeRef::String => TypeIr::String,
            TypeRef::Number => TypeIr::Number,
            TypeRef::Price => TypeIr::Price,
            TypeRef::Boolean => TypeIr::Boolean,
            TypeRef::Date => TypeIr::Date(match f.format.as_deref() {
                None | Some("yyyy-MM-dd HH:mm:ss") => DateFormat::DateTime,
                Some("yyyy-MM-dd") => DateFormat::Date,
                Some(other) => {
                    return Err(LowerError::DateFormat {
                        method: method.clone(),
                        owner: spec_owner.to_owned(),
                        field: f.name.clone(),
                        format: other.to_owned(),
                    });
                }
            }),
            TypeRef::File => TypeIr::File,
            TypeRef::Model(name) => match self.model_idents.get(name.as_str()) {
                Some(_) if !request_side && self.twins.contains_key(name.as_str()) => {
                    TypeIr::Model(self.twins[name.as_str()].clone())
                }
                Some(ident) => TypeIr::Model(ident.clone()),
                None => {
                    return Err(LowerError::UnknownModel {
                        method: method.clone(),
                        owner: spec_owner.to_owned(),
                        field: f.name.clone(),
                        model: name.clone(),
                    });
                }
            },
            TypeRef::Array(_) => unreachable!("TypeRef::parse rejects nested lists"),
        };
        Ok(if parsed.is_array() {
            TypeIr::List(Box::new(scalar))
        } else {
            scalar
        })
    }

    /// The enum for a field with listed values: named after the field, prefixed with its
    /// owner when a model or a different enum already has that name; identical lists share one.
    fn enum_for(&mut self, owner: &str, f: &Field) -> String {
        let variants: Vec<VariantIr> = unique_variants(&f.values, |v| v.value.as_str(), "Other")
            .into_iter()
            .map(|(v, ident)| VariantIr {
                ident,
                value: v.value.clone(),
                description: v.description.clone(),
            })
            .collect();
        let base = naming::type_ident(f.rust_name.as_deref().unwrap_or(&f.name));
        let same = |e: &EnumIr| {
            e.variants
                .iter()
                .map(|v| &v.value)
                .eq(variants.iter().map(|v| &v.value))
        };
        let owned = format!("{}{base}", naming::suffix_base(owner));
        for candidate in [base.clone(), owned.clone()] {
            if let Some(existing) = self.enums.get(&candidate)
                && same(existing)
            {
                return candidate;
            }
            if !self.taken.contains(&candidate) {
                return self.add_enum(candidate, f, variants);
            }
        }
        // `{owner}{base}` itself is taken (it was the last candidate above).
        let ident = self.free_ident(&owned);
        self.add_enum(ident, f, variants)
    }

    fn add_enum(&mut self, ident: String, f: &Field, variants: Vec<VariantIr>) -> String {
        self.taken.insert(ident.clone());
        self.enums.insert(
            ident.clone(),
            EnumIr {
                ident: ident.clone(),
                field: f.name.clone(),
                variants,
            },
        );
        ident
    }
}

/// The business error codes, each once (the first wins), with variant identifiers clear of
/// each other and of `Unknown`.
fn lower_errors(errors: &[crate::spec::ErrorCode]) -> Vec<ErrorIr> {
    unique_variants(errors, |e| e.code.as_str(), "Unknown")
        .into_iter()
        .map(|(e, ident)| ErrorIr {
            ident,
            code: e.code.clone(),
            description: e.description.clone(),
            solution: e.solution.clone(),
        })
        .collect()
}

/// The items whose `value` no earlier item has (the first wins), each with an enum variant
/// identifier clear of the others' and of `reserved`.
fn unique_variants<'a, T>(
    items: &'a [T],
    value: impl Fn(&'a T) -> &'a str,
    reserved: &str,
) -> Vec<(&'a T, String)> {
    let mut seen = BTreeSet::new();
    let items: Vec<&T> = items.iter().filter(|i| seen.insert(value(i))).collect();
    let idents = naming::dedupe(
        items
            .iter()
            .map(|i| naming::variant_ident(value(i)))
            .collect(),
        &[reserved],
    );
    items.into_iter().zip(idents).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::load_str;

    fn lowered(yaml: &str) -> MethodIr {
        lower_one(&load_str("alipay.twin.order.create.yaml", yaml).expect("a valid spec"))
            .expect("lowers")
    }

    fn field<'a>(s: &'a StructIr, wire: &str) -> &'a FieldIr {
        s.fields.iter().find(|f| f.wire == wire).expect("field")
    }

    #[test]
    fn twins_only_where_a_shared_model_requires_something_and_named_clear_of_other_types() {
        let m = lowered(
            "method: alipay.twin.order.create
title: t
request:
  - { name: item, type: Item, required: true, description: d }
  - { name: note, type: Note, required: false, description: d }
response:
  - { name: item, type: Item, required: false, description: d }
  - { name: note, type: Note, required: false, description: d }
  - { name: own, type: ItemInResponse, required: false, description: d }
models:
  Item:
    - { name: part, type: Part, required: false, description: d }
  Part:
    - { name: id, type: String, required: true, description: d }
  Note:
    - { name: text, type: String, required: false, description: d }
  ItemInResponse:
    - { name: x, type: String, required: false, description: d }
",
        );
        // `Item` requires nothing itself but holds `Part`, which does: both get twins, and
        // the spec's own `ItemInResponse` keeps its name.
        assert_eq!(
            m.models.keys().map(String::as_str).collect::<Vec<_>>(),
            [
                "Item",
                "ItemInResponse",
                "ItemInResponse2",
                "Note",
                "Part",
                "PartInResponse"
            ]
        );
        let twin = &m.models["ItemInResponse2"];
        assert_eq!(twin.twin_of(), Some("Item"));
        assert!(!twin.request_side());
        assert_eq!(
            field(twin, "part").ty,
            TypeIr::Model("PartInResponse".into())
        );
        assert!(
            m.models["PartInResponse"]
                .fields
                .iter()
                .all(|f| !f.required)
        );
        // The request keeps the originals; the response reads the twins, and `Note`, which
        // requires nothing, is used as it is on both sides.
        assert_eq!(field(&m.request, "item").ty, TypeIr::Model("Item".into()));
        assert_eq!(
            field(&m.models["Item"], "part").ty,
            TypeIr::Model("Part".into())
        );
        assert_eq!(
            field(&m.response, "item").ty,
            TypeIr::Model("ItemInResponse2".into())
        );
        assert_eq!(field(&m.response, "note").ty, TypeIr::Model("Note".into()));
        assert_eq!(
            field(&m.response, "own").ty,
            TypeIr::Model("ItemInResponse".into())
        );
        assert!(m.models["Part"].fields[0].required);
    }
}
