//! Rust types and serde attributes of fields.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use crate::emit::{ident, lit};
use crate::ir::{FieldIr, StructIr, StructKind, TypeIr};
use crate::naming;
use crate::spec::Location;

/// The prelude names the generated code uses, written plainly (`Option`) unless a type
/// of the method module being emitted shadows them (a model named `Option`), then fully
/// qualified (`::core::option::Option`). Plain names keep the output readable; the
/// fallback keeps it correct. Everything else the code names is fully qualified
/// (`::alipay_runtime::..`, `::serde::..`, `::core::..`) or defined in the module itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct Prelude {
    option: bool,
    result: bool,
    string: bool,
    vec: bool,
    into: bool,
}

/// A prelude name: `qualified` where the module shadows it, else `plain`.
fn prelude_name(shadowed: bool, qualified: TokenStream, plain: TokenStream) -> TokenStream {
    if shadowed { qualified } else { plain }
}

impl Prelude {
    /// The names for a module whose own types are `local_types`.
    pub fn for_module<'a>(local_types: impl IntoIterator<Item = &'a str>) -> Self {
        let mut p = Self::default();
        for t in local_types {
            match t {
                "Option" => p.option = true,
                "Result" => p.result = true,
                "String" => p.string = true,
                "Vec" => p.vec = true,
                "Into" => p.into = true,
                _ => {}
            }
        }
        p
    }

    /// `Option`.
    pub fn option(&self) -> TokenStream {
        prelude_name(self.option, quote!(::core::option::Option), quote!(Option))
    }

    /// `Result`.
    pub fn result(&self) -> TokenStream {
        prelude_name(self.result, quote!(::core::result::Result), quote!(Result))
    }

    /// `String`.
    pub fn string(&self) -> TokenStream {
        prelude_name(self.string, quote!(::std::string::String), quote!(String))
    }

    /// `Vec`.
    pub fn vec(&self) -> TokenStream {
        prelude_name(self.vec, quote!(::std::vec::Vec), quote!(Vec))
    }

    /// `Into`.
    pub fn into(&self) -> TokenStream {
        prelude_name(self.into, quote!(::core::convert::Into), quote!(Into))
    }

    /// The Rust type of a value of `ty`.
    pub fn rust_type(&self, ty: &TypeIr) -> TokenStream {
        match ty {
            TypeIr::String | TypeIr::Date(_) => self.string(),
            TypeIr::Number => quote!(i64),
            TypeIr::Price => quote!(::alipay_runtime::Price),
            TypeIr::Boolean => quote!(bool),
            TypeIr::File => quote!(::alipay_runtime::FileUpload),
            TypeIr::Model(name) | TypeIr::Enum(name) => {
                let name = ident(name);
                quote!(#name)
            }
            TypeIr::List(inner) => {
                let (vec, inner) = (self.vec(), self.rust_type(inner));
                quote!(#vec<#inner>)
            }
        }
    }

    /// The type of the struct field: the value type, in `Option` unless required.
    pub fn field_type(&self, f: &FieldIr) -> TokenStream {
        let ty = self.rust_type(&f.ty);
        if f.required {
            ty
        } else {
            let option = self.option();
            quote!(#option<#ty>)
        }
    }

    /// The arguments of the `#[serde(..)]` attribute of field `f` of struct `owner` (empty:
    /// no attribute). A struct with `#[serde(default)]` needs no `default` on its optional
    /// fields; one that derives `Serialize` (request side) leaves absent optional fields out
    /// when sending.
    pub fn serde_args(&self, f: &FieldIr, owner: &StructIr) -> Vec<TokenStream> {
        let is_request = owner.kind == StructKind::Request;
        let (struct_default, serialize) = (owner.derives.default, owner.derives.serialize);
        let mut parts = Vec::new();
        if naming::collision_key(&f.ident) != f.wire {
            let wire = lit(&f.wire);
            parts.push(quote!(rename = #wire));
        }
        if f.ty.element() == &TypeIr::File {
            if !serialize {
                // An answer carries no files.
                parts.push(quote!(skip));
                return parts;
            }
            // A file is never JSON: it goes out as a multipart file part (`to_parts`), and it
            // reads from JSON as the name of a file part received (`request_from_json`).
            if !f.required && !struct_default {
                parts.push(quote!(default));
            }
            parts.push(quote!(skip_serializing));
            return parts;
        }
        if !f.required && !struct_default {
            parts.push(quote!(default));
        }
        if serialize && is_form(f, is_request) {
            parts.push(quote!(skip_serializing));
        } else if serialize && !f.required {
            let is_none = Literal::string(if self.option {
                "::core::option::Option::is_none"
            } else {
                "Option::is_none"
            });
            parts.push(quote!(skip_serializing_if = #is_none));
        }
        if let Some(name) = lenient(f) {
            let path = Literal::string(&format!("::alipay_runtime::de::{name}"));
            parts.push(quote!(deserialize_with = #path));
        }
        parts
    }
}

/// The runtime's lenient reader of `f` (`alipay_runtime::de::..`), for a number or a
/// boolean, which Alipay sometimes sends as a string.
pub fn lenient(f: &FieldIr) -> Option<&'static str> {
    match (&f.ty, f.required) {
        (TypeIr::Number, true) => Some("i64_lenient"),
        (TypeIr::Number, false) => Some("option_i64_lenient"),
        (TypeIr::Boolean, true) => Some("bool_lenient"),
        (TypeIr::Boolean, false) => Some("option_bool_lenient"),
        _ => None,
    }
}

/// Whether `f` is sent as its own form field (only on the request struct itself).
pub fn is_form(f: &FieldIr, is_request: bool) -> bool {
    is_request && f.location == Location::Form
}
