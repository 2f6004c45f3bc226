//! Open enums: listed values of a field, and a method's business error codes.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::docs::Doc;
use crate::emit::types::ident;
use crate::emit::types::{OPTION, RESULT, STRING};
use crate::ir::{EnumIr, MethodIr};

/// An enum of listed values: one variant per value plus `Other(String)`, (de)serialised
/// as the plain string, so values Alipay adds later are sent and received unchanged.
pub fn emit_value_enum(e: &EnumIr) -> TokenStream {
    let name = ident(&e.ident);
    let mut doc = Doc::new();
    doc.raw(format!(
        "The listed values of `{}`. Values not listed are kept in [`{}::Other`].",
        e.field, e.ident
    ));
    let doc = doc.tokens();
    let variants = e.variants.iter().map(|v| {
        let id = ident(&v.ident);
        let mut d = Doc::new();
        d.raw(format!("`{}`", v.value.replace('`', "'")));
        d.text(&v.description);
        let d = d.tokens();
        quote!(#d #id,)
    });
    let values = e.variants.iter().map(|v| v.value.as_str());
    let as_str = e.variants.iter().map(|v| {
        let id = ident(&v.ident);
        let value = &v.value;
        quote!(Self::#id => #value,)
    });
    let from = e.variants.iter().map(|v| {
        let id = ident(&v.ident);
        let value = &v.value;
        quote!(#value => Self::#id,)
    });
    let from2 = from.clone();
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum #name {
            #(#variants)*
            /// A value the spec does not list, kept as received.
            Other(#STRING),
        }

        impl #name {
            /// The listed values, in the page's order.
            pub const VALUES: &'static [&'static str] = &[#(#values),*];

            /// The value exactly as sent.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#as_str)*
                    Self::Other(value) => value,
                }
            }
        }

        impl ::core::convert::From<&str> for #name {
            fn from(value: &str) -> Self {
                match value {
                    #(#from)*
                    other => Self::Other(::std::borrow::ToOwned::to_owned(other)),
                }
            }
        }

        impl ::core::convert::From<#STRING> for #name {
            fn from(value: #STRING) -> Self {
                match value.as_str() {
                    #(#from2)*
                    _ => Self::Other(value),
                }
            }
        }

        impl ::core::fmt::Display for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for #name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> #RESULT<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> #RESULT<Self, D::Error> {
                <#STRING as ::serde::Deserialize>::deserialize(deserializer).map(Self::from)
            }
        }
    }
}

/// The method's business error codes: one variant per documented code plus `Unknown`.
pub fn emit_biz_error(m: &MethodIr) -> TokenStream {
    let mut doc = Doc::new();
    doc.raw(format!(
        "The business error codes (`sub_code`) of `{}`. Codes the page does not document are kept in [`BizError::Unknown`].",
        m.method
    ));
    let doc = doc.tokens();
    let variants = m.errors.iter().map(|e| {
        let id = ident(&e.ident);
        let mut d = Doc::new();
        d.raw(format!("`{}`", e.code.replace('`', "'")));
        d.text(&e.description);
        d.labelled("Solution", &e.solution);
        let d = d.tokens();
        quote!(#d #id,)
    });
    let arm =
        |f: &dyn Fn(&crate::ir::ErrorIr) -> TokenStream| m.errors.iter().map(f).collect::<Vec<_>>();
    let as_str = arm(&|e| {
        let id = ident(&e.ident);
        let code = &e.code;
        quote!(Self::#id => #code,)
    });
    let from = arm(&|e| {
        let id = ident(&e.ident);
        let code = &e.code;
        quote!(#code => Self::#id,)
    });
    let descriptions = arm(&|e| {
        let id = ident(&e.ident);
        let text = &e.description;
        quote!(Self::#id => Some(#text),)
    });
    let solutions = arm(&|e| {
        let id = ident(&e.ident);
        let text = &e.solution;
        quote!(Self::#id => Some(#text),)
    });
    let from_body = if from.is_empty() {
        quote!(Self::Unknown(::std::borrow::ToOwned::to_owned(code)))
    } else {
        quote! {
            match code {
                #(#from)*
                other => Self::Unknown(::std::borrow::ToOwned::to_owned(other)),
            }
        }
    };
    quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum BizError {
            #(#variants)*
            /// A code the page does not document, kept as received.
            Unknown(#STRING),
        }

        impl ::core::convert::From<&str> for BizError {
            fn from(code: &str) -> Self {
                #from_body
            }
        }

        impl ::core::fmt::Display for BizError {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(::alipay_runtime::BizErrorCode::as_str(self))
            }
        }

        impl ::alipay_runtime::BizErrorCode for BizError {
            fn as_str(&self) -> &str {
                match self {
                    #(#as_str)*
                    Self::Unknown(code) => code,
                }
            }

            fn description(&self) -> #OPTION<&'static str> {
                match self {
                    #(#descriptions)*
                    Self::Unknown(_) => None,
                }
            }

            fn solution(&self) -> #OPTION<&'static str> {
                match self {
                    #(#solutions)*
                    Self::Unknown(_) => None,
                }
            }
        }
    }
}
