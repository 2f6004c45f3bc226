//! Rust types and serde attributes of fields.

use std::cell::Cell;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{ToTokens, TokenStreamExt, quote};

use crate::ir::{FieldIr, TypeIr};
use crate::naming;
use crate::spec::Location;

/// An identifier token, raw when written `r#..`.
pub fn ident(s: &str) -> Ident {
    match s.strip_prefix("r#") {
        Some(raw) => Ident::new_raw(raw, Span::call_site()),
        None => Ident::new(s, Span::call_site()),
    }
}

/// The Rust type of a value of `ty`, with fully qualified paths.
pub fn rust_type(ty: &TypeIr) -> TokenStream {
    match ty {
        TypeIr::String | TypeIr::Date(_) => quote!(#STRING),
        TypeIr::Number => quote!(i64),
        TypeIr::Price => quote!(::alipay_runtime::Price),
        TypeIr::Boolean => quote!(bool),
        TypeIr::File => quote!(#VEC<u8>),
        TypeIr::Model(name) | TypeIr::Enum(name) => {
            let name = ident(name);
            quote!(#name)
        }
        TypeIr::List(inner) => {
            let inner = rust_type(inner);
            quote!(#VEC<#inner>)
        }
    }
}

/// The type of the struct field: the value type, in `Option` unless required.
pub fn field_type(f: &FieldIr) -> TokenStream {
    let ty = rust_type(&f.ty);
    if f.required { ty } else { quote!(#OPTION<#ty>) }
}

/// Whether `f` is sent as its own form field (only on the request struct itself).
pub fn is_form(f: &FieldIr, is_request: bool) -> bool {
    is_request && f.location == Location::Form
}

/// The `#[serde(..)]` attribute of a field, if it needs one.
/// `struct_default`: the struct has `#[serde(default)]` (no required fields), so optional
/// fields need no `default` of their own.
pub fn serde_attr(f: &FieldIr, is_request: bool, struct_default: bool) -> TokenStream {
    let is_none = if OPTION.is_shadowed() {
        "::core::option::Option::is_none"
    } else {
        "Option::is_none"
    };
    let mut parts: Vec<TokenStream> = Vec::new();
    if naming::collision_key(&f.ident) != f.wire {
        let wire = &f.wire;
        parts.push(quote!(rename = #wire));
    }
    if f.ty == TypeIr::File {
        // Uploads are not sent yet; validation refuses a request that sets one.
        parts.push(quote!(skip));
        return quote!(#[serde(#(#parts),*)]);
    }
    if !f.required && !struct_default {
        parts.push(quote!(default));
    }
    if is_form(f, is_request) {
        parts.push(quote!(skip_serializing));
    } else if !f.required {
        parts.push(quote!(
            skip_serializing_if = #is_none
        ));
    }
    let lenient = match (&f.ty, f.required) {
        (TypeIr::Number, true) => Some("::alipay_runtime::de::i64_lenient"),
        (TypeIr::Number, false) => Some("::alipay_runtime::de::option_i64_lenient"),
        (TypeIr::Boolean, true) => Some("::alipay_runtime::de::bool_lenient"),
        (TypeIr::Boolean, false) => Some("::alipay_runtime::de::option_bool_lenient"),
        _ => None,
    };
    if let Some(path) = lenient {
        parts.push(quote!(deserialize_with = #path));
    }
    if parts.is_empty() {
        return TokenStream::new();
    }
    quote!(#[serde(#(#parts),*)])
}

/// A prelude name the generated code uses: written plainly (`Option`) unless a type of the
/// method module being emitted shadows it (a model named `Option`), then fully qualified
/// (`::core::option::Option`). Plain names keep the output small (the parse and compile cost
/// of the catalog is mostly paths); the fallback keeps it correct.
#[derive(Debug, Clone, Copy)]
pub struct PreludeName {
    name: &'static str,
    path: &'static [&'static str],
    bit: u8,
}

/// `Option`.
pub const OPTION: PreludeName = PreludeName {
    name: "Option",
    path: &["core", "option", "Option"],
    bit: 1,
};
/// `Result`.
pub const RESULT: PreludeName = PreludeName {
    name: "Result",
    path: &["core", "result", "Result"],
    bit: 2,
};
/// `String`.
pub const STRING: PreludeName = PreludeName {
    name: "String",
    path: &["std", "string", "String"],
    bit: 4,
};
/// `Vec`.
pub const VEC: PreludeName = PreludeName {
    name: "Vec",
    path: &["std", "vec", "Vec"],
    bit: 8,
};
/// `Into`.
pub const INTO: PreludeName = PreludeName {
    name: "Into",
    path: &["core", "convert", "Into"],
    bit: 16,
};

const ALL: [PreludeName; 5] = [OPTION, RESULT, STRING, VEC, INTO];

thread_local! {
    /// The prelude names shadowed in the module being emitted on this thread.
    static SHADOWED: Cell<u8> = const { Cell::new(0) };
}

/// Runs `f` with the prelude names in `local_types` marked as shadowed.
pub fn with_local_types<'a, T>(
    local_types: impl IntoIterator<Item = &'a str>,
    f: impl FnOnce() -> T,
) -> T {
    let mut mask = 0;
    for t in local_types {
        if let Some(p) = ALL.iter().find(|p| p.name == t) {
            mask |= p.bit;
        }
    }
    let before = SHADOWED.with(|s| s.replace(mask));
    let out = f();
    SHADOWED.with(|s| s.set(before));
    out
}

impl PreludeName {
    /// Whether a local type shadows this name in the module being emitted.
    pub fn is_shadowed(&self) -> bool {
        SHADOWED.with(Cell::get) & self.bit != 0
    }
}

impl ToTokens for PreludeName {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        if SHADOWED.with(Cell::get) & self.bit == 0 {
            tokens.append(Ident::new(self.name, Span::call_site()));
            return;
        }
        for segment in self.path {
            let segment = Ident::new(segment, Span::call_site());
            tokens.extend(quote!(::#segment));
        }
    }
}
