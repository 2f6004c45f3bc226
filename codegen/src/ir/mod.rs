//! The generator's intermediate representation: one owned, fully name-resolved description
//! of every method, kept in sorted maps so the output order never depends on input order.
//!
//! [`lower`] builds it from [`Spec`](crate::spec::Spec)s; the emitters (the private `emit` module)
//! read only this, never the spec.

mod derive;
mod lower;

use std::collections::BTreeMap;

pub use lower::{LowerError, lower, lower_one, lower_with};

use crate::spec::{AllowedValue, CallStyle, Examples, Location, Provenance};

/// Every method to generate, by wire name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ir {
    /// Methods by wire name (sorted).
    pub methods: BTreeMap<String, MethodIr>,
    /// Whether the untyped JSON path is generated (`call_json` in the root, and each method's;
    /// see [`MethodIr::json`]), from [`Settings::json`](crate::Settings::json).
    pub json: bool,
}

impl Default for Ir {
    fn default() -> Self {
        Self {
            methods: BTreeMap::new(),
            json: true,
        }
    }
}

impl Ir {
    /// The product groups (Cargo features) in use, sorted, each with its methods in order.
    pub fn groups(&self) -> BTreeMap<&str, Vec<&MethodIr>> {
        let mut groups: BTreeMap<&str, Vec<&MethodIr>> = BTreeMap::new();
        for m in self.methods.values() {
            groups.entry(m.group.as_str()).or_default().push(m);
        }
        groups
    }
}

/// One method, names resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodIr {
    /// The wire name, `alipay.user.agreement.auth.confirm`.
    pub method: String,
    /// The product group: Cargo feature and top-level module, `user`.
    pub group: String,
    /// The method's module inside its group, `agreement_auth_confirm`.
    pub module: String,
    /// The response node, `alipay_user_agreement_auth_confirm_response`.
    pub response_node: String,
    /// The page title.
    pub title: String,
    /// The page's introduction.
    pub description: String,
    /// The doc page, where known.
    pub doc_url: Option<String>,
    /// Where the spec's facts come from.
    pub provenance: Provenance,
    /// How the method is meant to be called (the spec's `call_style`, or the one inferred
    /// from the method name).
    pub call_style: CallStyle,
    /// The spec's note on the page as a whole.
    pub note: Option<String>,
    /// The request parameters (the struct is always named `Request`).
    pub request: StructIr,
    /// The response parameters, public ones included (the struct is always named `Response`).
    pub response: StructIr,
    /// Models by Rust identifier.
    pub models: BTreeMap<String, StructIr>,
    /// Enums of listed values by Rust identifier.
    pub enums: BTreeMap<String, EnumIr>,
    /// The business error codes, in page order, variants resolved.
    pub errors: Vec<ErrorIr>,
    /// The page's examples.
    pub examples: Examples,
    /// The typed asynchronous notification, where the spec lists its fields.
    pub notification: Option<NotificationIr>,
    /// Whether the method's untyped JSON path is generated (`request_from_json`,
    /// `validate_request`, `Deserialize` on its request types), from
    /// [`Settings::json`](crate::Settings::json).
    pub json: bool,
    /// The method's route under the v3 protocol (the spec's `route`), where it has one.
    pub route: Option<crate::spec::Route>,
    /// 特殊可选: groups of request fields (wire names) of which at least one must be given
    /// (the spec's `at_least_one_of`).
    pub at_least_one_of: Vec<Vec<String>>,
}

/// A method's asynchronous notification: the generated `Notification` struct.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationIr {
    /// The fields (`sign` left out: verification consumes it), in page order; `required` as
    /// the spec says (a notification without a required field does not decode), models
    /// read through their response-side twins.
    pub fields: StructIr,
    /// The Rust identifier of the field holding the fields the spec does not list
    /// (`other_fields`, numbered when a listed field takes that name).
    pub other_fields: String,
    /// Where the table comes from.
    pub sources: Vec<String>,
    /// The spec's note on the table.
    pub note: Option<String>,
}

/// A struct: the request, the response, a model or the notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructIr {
    /// The Rust identifier.
    pub ident: String,
    /// The name in the spec (the model name, or `request` / `response`).
    pub spec_name: String,
    /// What the struct is.
    pub kind: StructKind,
    /// What it derives and how it is read, decided in lowering.
    pub derives: Derives,
    /// The fields, in page order.
    pub fields: Vec<FieldIr>,
}

impl StructIr {
    /// The fields that are required (taken by `new(..)`).
    pub fn required_fields(&self) -> impl Iterator<Item = &FieldIr> {
        self.fields.iter().filter(|f| f.required)
    }

    /// Whether `required` is honoured (request side: the request and the models it sends)
    /// rather than everything optional (response side).
    pub fn request_side(&self) -> bool {
        matches!(self.kind, StructKind::Request | StructKind::SentModel)
    }

    /// For the response-side twin of a request model, the request model's Rust identifier.
    pub fn twin_of(&self) -> Option<&str> {
        match &self.kind {
            StructKind::Twin(original) => Some(original),
            _ => None,
        }
    }
}

/// What a struct is: where it comes from and therefore how it is built and read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StructKind {
    /// The method's `Request`: its fields are the request's own (form fields and files among
    /// them); it has a constructor, setters and checks.
    Request,
    /// The method's `Response`: read from answers, every field optional.
    Response,
    /// A model the request sends (possibly also read): `required` honoured, constructor,
    /// setters and checks.
    SentModel,
    /// A model only answers carry: read, every field optional.
    ReadModel,
    /// The response-side twin of a sent model that requires a field, by that model's Rust
    /// identifier: read from answers, every field optional.
    Twin(String),
    /// The typed notification's fields (`required` as the spec says).
    Notification,
}

/// What a struct derives, decided once in lowering from its kind, its fields and the
/// settings; the emitter only prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Derives {
    /// `Default` (and `#[serde(default)]` when serde derives): no field is required.
    pub default: bool,
    /// `serde::Serialize`: the request side, sent as JSON.
    pub serialize: bool,
    /// How the struct is read from JSON.
    pub read: Read,
}

/// How a struct is read from JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Read {
    /// Not read (a request-side struct without the JSON path that no answer carries, or the
    /// notification, decoded from a verified form).
    No,
    /// Derived `serde::Deserialize`.
    Derive,
    /// `Deserialize` through `alipay_runtime::de::Fields` (a response-side struct whose fields
    /// are all optional: far less code than what `serde_derive` expands).
    Fields,
}

/// One field, names and types resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldIr {
    /// The wire name.
    pub wire: String,
    /// The Rust identifier (possibly raw, `r#type`).
    pub ident: String,
    /// The setter's identifier (the field's, unless that would clash with `new`).
    pub setter: String,
    /// The resolved type.
    pub ty: TypeIr,
    /// Required here (always false on the response side).
    pub required: bool,
    /// Maximum length in characters.
    pub max_length: Option<u64>,
    /// The spec's description.
    pub description: String,
    /// The spec's example.
    pub example: Option<String>,
    /// The listed values, as documented.
    pub values: Vec<AllowedValue>,
    /// Where the field is sent.
    pub location: Location,
    /// The spec's note.
    pub note: Option<String>,
}

/// The format a `Date` field is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DateFormat {
    /// `yyyy-MM-dd HH:mm:ss`.
    DateTime,
    /// `yyyy-MM-dd`.
    Date,
}

/// A resolved field type.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum TypeIr {
    /// Text.
    String,
    /// A whole number (`i64`).
    Number,
    /// A money amount (`alipay_runtime::Price`).
    Price,
    /// A boolean.
    Boolean,
    /// A date as text, checked against the format.
    Date(DateFormat),
    /// A multipart upload (not sendable yet).
    File,
    /// A generated model, by Rust identifier.
    Model(String),
    /// A generated enum of listed values, by Rust identifier.
    Enum(String),
    /// A list.
    List(Box<TypeIr>),
}

impl TypeIr {
    /// The element type of a list, or the type itself.
    pub fn element(&self) -> &TypeIr {
        match self {
            TypeIr::List(inner) => inner,
            other => other,
        }
    }
}

/// An open enum of listed values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnumIr {
    /// The Rust identifier.
    pub ident: String,
    /// The wire name of the (first) field it was made for.
    pub field: String,
    /// One variant per listed value, in page order.
    pub variants: Vec<VariantIr>,
}

/// One listed value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariantIr {
    /// The Rust identifier.
    pub ident: String,
    /// The value as sent.
    pub value: String,
    /// What it means.
    pub description: String,
}

/// One documented business error code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorIr {
    /// The Rust variant identifier.
    pub ident: String,
    /// The code as Alipay spells it.
    pub code: String,
    /// 错误描述.
    pub description: String,
    /// 解决方案.
    pub solution: String,
}
