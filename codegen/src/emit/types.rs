//! Rust types and serde attributes of fields.

use crate::ir::{FieldIr, TypeIr};
use crate::naming;
use crate::spec::Location;

/// The prelude names the generated code uses, written plainly (`Option`) unless a type
/// of the method module being emitted shadows them (a model named `Option`), then fully
/// qualified (`::core::option::Option`). Plain names keep the output small; the fallback
/// keeps it correct.
#[derive(Debug, Clone, Copy)]
pub struct Prelude {
    /// `Option`.
    pub option: &'static str,
    /// `Result`.
    pub result: &'static str,
    /// `String`.
    pub string: &'static str,
    /// `Vec`.
    pub vec: &'static str,
    /// `Into`.
    pub into: &'static str,
}

impl Prelude {
    /// The names for a module whose own types are `local_types`.
    pub fn for_module<'a>(local_types: impl IntoIterator<Item = &'a str>) -> Self {
        let mut p = Self::plain();
        for t in local_types {
            match t {
                "Option" => p.option = "::core::option::Option",
                "Result" => p.result = "::core::result::Result",
                "String" => p.string = "::std::string::String",
                "Vec" => p.vec = "::std::vec::Vec",
                "Into" => p.into = "::core::convert::Into",
                _ => {}
            }
        }
        p
    }

    /// The plain names (nothing shadowed).
    pub fn plain() -> Self {
        Self {
            option: "Option",
            result: "Result",
            string: "String",
            vec: "Vec",
            into: "Into",
        }
    }

    /// The Rust type of a value of `ty`.
    pub fn rust_type(&self, ty: &TypeIr) -> String {
        match ty {
            TypeIr::String | TypeIr::Date(_) => self.string.to_owned(),
            TypeIr::Number => "i64".to_owned(),
            TypeIr::Price => "::alipay_runtime::Price".to_owned(),
            TypeIr::Boolean => "bool".to_owned(),
            TypeIr::File => format!("{}<u8>", self.vec),
            TypeIr::Model(name) | TypeIr::Enum(name) => name.clone(),
            TypeIr::List(inner) => format!("{}<{}>", self.vec, self.rust_type(inner)),
        }
    }

    /// The type of the struct field: the value type, in `Option` unless required.
    pub fn field_type(&self, f: &FieldIr) -> String {
        let ty = self.rust_type(&f.ty);
        if f.required {
            ty
        } else {
            format!("{}<{ty}>", self.option)
        }
    }

    /// The arguments of the `#[serde(..)]` attribute of a field (empty: no attribute).
    /// `struct_default`: the struct has `#[serde(default)]` (no required fields), so
    /// optional fields need no `default` of their own. `serialize`: the struct derives
    /// `Serialize` (request side), so absent optional fields are left out when sending.
    pub fn serde_args(
        &self,
        f: &FieldIr,
        is_request: bool,
        struct_default: bool,
        serialize: bool,
    ) -> Vec<String> {
        let mut parts = Vec::new();
        if naming::collision_key(&f.ident) != f.wire {
            parts.push(format!("rename = {}", crate::emit::out::lit(&f.wire)));
        }
        if f.ty == TypeIr::File {
            // Uploads are not sent yet; validation refuses a request that sets one.
            parts.push("skip".to_owned());
            return parts;
        }
        if !f.required && !struct_default {
            parts.push("default".to_owned());
        }
        if serialize && is_form(f, is_request) {
            parts.push("skip_serializing".to_owned());
        } else if serialize && !f.required {
            parts.push(format!(
                "skip_serializing_if = \"{}::is_none\"",
                self.option
            ));
        }
        let lenient = match (&f.ty, f.required) {
            (TypeIr::Number, true) => Some("i64_lenient"),
            (TypeIr::Number, false) => Some("option_i64_lenient"),
            (TypeIr::Boolean, true) => Some("bool_lenient"),
            (TypeIr::Boolean, false) => Some("option_bool_lenient"),
            _ => None,
        };
        if let Some(name) = lenient {
            parts.push(format!(
                "deserialize_with = \"::alipay_runtime::de::{name}\""
            ));
        }
        parts
    }
}

/// Whether `f` is sent as its own form field (only on the request struct itself).
pub fn is_form(f: &FieldIr, is_request: bool) -> bool {
    is_request && f.location == Location::Form
}
