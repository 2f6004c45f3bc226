//! Rust types and serde attributes of fields.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

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
        TypeIr::String | TypeIr::Date(_) => quote!(::std::string::String),
        TypeIr::Number => quote!(i64),
        TypeIr::Price => quote!(::alipay_runtime::Price),
        TypeIr::Boolean => quote!(bool),
        TypeIr::File => quote!(::std::vec::Vec<u8>),
        TypeIr::Model(name) | TypeIr::Enum(name) => {
            let name = ident(name);
            quote!(#name)
        }
        TypeIr::List(inner) => {
            let inner = rust_type(inner);
            quote!(::std::vec::Vec<#inner>)
        }
    }
}

/// The type of the struct field: the value type, in `Option` unless required.
pub fn field_type(f: &FieldIr) -> TokenStream {
    let ty = rust_type(&f.ty);
    if f.required {
        ty
    } else {
        quote!(::core::option::Option<#ty>)
    }
}

/// Whether `f` is sent as its own form field (only on the request struct itself).
pub fn is_form(f: &FieldIr, is_request: bool) -> bool {
    is_request && f.location == Location::Form
}

/// The `#[serde(..)]` attribute of a field, if it needs one.
pub fn serde_attr(f: &FieldIr, is_request: bool) -> TokenStream {
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
    if !f.required {
        parts.push(quote!(default));
    }
    if is_form(f, is_request) {
        parts.push(quote!(skip_serializing));
    } else if !f.required {
        parts.push(quote!(
            skip_serializing_if = "::core::option::Option::is_none"
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
