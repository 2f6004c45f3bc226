//! Open enums: listed values of a field, and a method's business error codes.

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;

use crate::emit::docs::{Doc, code};
use crate::emit::types::Prelude;
use crate::emit::{ident, lit};
use crate::ir::{EnumIr, MethodIr};

/// An enum of listed values: one variant per value plus `Other(String)`, (de)serialised
/// as the plain string, so values Alipay adds later are sent and received unchanged.
pub fn emit_value_enum(p: &Prelude, e: &EnumIr) -> TokenStream {
    let name = ident(&e.ident);
    let mut doc = Doc::new();
    doc.raw(format!(
        "The listed values of {}. Values not listed are kept in [`{}::Other`].",
        code(&e.field),
        e.ident
    ));
    let docs = doc.attrs();
    let variants = e.variants.iter().map(|v| {
        let mut d = Doc::new();
        d.raw(code(&v.value));
        d.text(&v.description);
        let (docs, id) = (d.attrs(), ident(&v.ident));
        quote!(#docs #id)
    });
    let idents: Vec<Ident> = e.variants.iter().map(|v| ident(&v.ident)).collect();
    let values: Vec<Literal> = e.variants.iter().map(|v| lit(&v.value)).collect();
    let (string, result) = (p.string(), p.result());
    let from_str = emit_from_str(&name, &quote!(value), &values, &idents, &quote!(Other));
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants,)*
            /// A value the spec does not list, kept as received.
            Other(#string),
        }
        impl #name {
            /// The listed values, in the page's order.
            pub const VALUES: &'static [&'static str] = &[#(#values),*];
            /// The value exactly as sent.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#idents => #values,)*
                    Self::Other(value) => value,
                }
            }
        }
        #from_str
        impl ::core::convert::From<#string> for #name {
            fn from(value: #string) -> Self {
                match value.as_str() {
                    #(#values => Self::#idents,)*
                    _ => Self::Other(value),
                }
            }
        }
        impl ::core::convert::AsRef<str> for #name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }
        impl ::core::fmt::Display for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> #result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> #result<Self, D::Error> {
                ::alipay_runtime::de::string(deserializer).map(Self::from)
            }
        }
        impl ::alipay_runtime::check::Leaf for #name {}
    }
}

/// The method's business error codes: one variant per documented code plus `Unknown`.
/// Descriptions and solutions come from the method's `DESCRIPTOR`.
/// A method whose page documents no code names the runtime's shared
/// `UndocumentedBizError` instead, which spares the catalog thousands of identical enums.
pub fn emit_biz_error(p: &Prelude, m: &MethodIr) -> TokenStream {
    if m.errors.is_empty() {
        let mut doc = Doc::new();
        doc.raw(format!(
            "The business error codes (`sub_code`) of {}. The page documents none: every code is kept in [`BizError::Unknown`](alipay_runtime::UndocumentedBizError::Unknown).",
            code(&m.method)
        ));
        let docs = doc.attrs();
        return quote! {
            #docs
            pub type BizError = ::alipay_runtime::UndocumentedBizError;
        };
    }
    let mut doc = Doc::new();
    doc.raw(format!(
        "The business error codes (`sub_code`) of {}. Codes the page does not document are kept in [`BizError::Unknown`].",
        code(&m.method)
    ));
    let docs = doc.attrs();
    let variants = m.errors.iter().map(|e| {
        let mut d = Doc::new();
        d.raw(code(&e.code));
        d.text(&e.description);
        d.labelled("Solution", &e.solution);
        let (docs, id) = (d.attrs(), ident(&e.ident));
        quote!(#docs #id)
    });
    let idents: Vec<Ident> = m.errors.iter().map(|e| ident(&e.ident)).collect();
    let codes: Vec<Literal> = m.errors.iter().map(|e| lit(&e.code)).collect();
    let (string, option) = (p.string(), p.option());
    let name = ident("BizError");
    let from_str = emit_from_str(&name, &quote!(code), &codes, &idents, &quote!(Unknown));
    let lookups = [quote!(description), quote!(solution)]
        .into_iter()
        .map(|what| {
            quote! {
                fn #what(&self) -> #option<&'static str> {
                    let code = ::alipay_runtime::BizErrorCode::as_str(self);
                    let doc = ::alipay_runtime::ErrorDoc::find(DESCRIPTOR.errors, code)?;
                    Some(doc.#what)
                }
            }
        });
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum BizError {
            #(#variants,)*
            /// A code the page does not document, kept as received.
            Unknown(#string),
        }
        #from_str
        impl ::core::fmt::Display for BizError {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(::alipay_runtime::BizErrorCode::as_str(self))
            }
        }
        impl ::alipay_runtime::BizErrorCode for BizError {
            fn as_str(&self) -> &str {
                match self {
                    #(Self::#idents => #codes,)*
                    Self::Unknown(code) => code,
                }
            }
            #(#lookups)*
        }
    }
}

/// `From<&str>` for an open enum: each listed literal to its variant, anything else kept
/// in the `fallback(String)` variant.
fn emit_from_str(
    name: &Ident,
    arg: &TokenStream,
    literals: &[Literal],
    idents: &[Ident],
    fallback: &TokenStream,
) -> TokenStream {
    let body = if literals.is_empty() {
        quote!(Self::#fallback(::std::borrow::ToOwned::to_owned(#arg)))
    } else {
        quote! {
            match #arg {
                #(#literals => Self::#idents,)*
                other => Self::#fallback(::std::borrow::ToOwned::to_owned(other)),
            }
        }
    };
    quote! {
        impl ::core::convert::From<&str> for #name {
            fn from(#arg: &str) -> Self {
                #body
            }
        }
    }
}
