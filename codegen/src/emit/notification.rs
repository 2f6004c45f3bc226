//! A method's typed notification: the struct and its decoder from a verified notification.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::docs::{Doc, code};
use crate::emit::structs::field_doc;
use crate::emit::types::Prelude;
use crate::emit::{ident, lit};
use crate::ir::{FieldIr, MethodIr, NotificationIr, TypeIr};

/// The typed notification: a struct with no `Deserialize` and no constructor, built only by
/// its `alipay_runtime::notify::Notification` impl from a verified notification.
pub(super) fn emit_notification(p: &Prelude, m: &MethodIr, n: &NotificationIr) -> TokenStream {
    let mut doc = Doc::new();
    doc.raw(format!(
        "The asynchronous notification of {} (异步通知参数): the form Alipay POSTs to \
         `notify_url`, once its signature verified. Decode it with \
         `verified.decode::<Notification>()` from a verified notification: there is no other \
         way to one. Fields the spec does not list are kept, as received, in [`Notification::{}`].",
        code(&m.method),
        n.other_fields
    ));
    for source in &n.sources {
        doc.labelled("Source", source);
    }
    if let Some(note) = &n.note {
        doc.labelled("Note", note);
    }
    let docs = doc.attrs();
    let fields = n.fields.fields.iter().map(|f| {
        let docs = field_doc(f, &n.fields).attrs();
        let (id, ty) = (ident(&f.ident), p.field_type(f));
        quote!(#docs pub #id: #ty)
    });
    let (string, vec, result) = (p.string(), p.vec(), p.result());
    let other = ident(&n.other_fields);
    let method = lit(&m.method);
    let decode = n.fields.fields.iter().map(|f| {
        let id = ident(&f.ident);
        let value = decode_field(p, f);
        quote!(#id: #value)
    });
    // With no listed field, nothing is taken and the decoder needs no `mut`.
    let fields_binding = if n.fields.fields.is_empty() {
        quote!(__fields)
    } else {
        quote!(mut __fields)
    };
    quote! {
        #docs
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub struct Notification {
            #(#fields,)*
            /// The fields the spec does not list, as received, in the order received.
            pub #other: #vec<(#string, #string)>,
        }
        impl ::alipay_runtime::notify::Notification for Notification {
            const METHOD: &'static str = #method;
            fn from_verified(
                verified: &::alipay_runtime::VerifiedNotify,
            ) -> #result<Self, ::alipay_runtime::notify::DecodeError> {
                let #fields_binding = ::alipay_runtime::notify::Fields::new(#method, verified);
                Ok(Self {
                    #(#decode,)*
                    #other: __fields.rest(),
                })
            }
        }
    }
}

/// How one notification field is taken from the verified parameters: scalars by their
/// `FromField` impl, enums through their text, models and lists as JSON text.
fn decode_field(p: &Prelude, f: &FieldIr) -> TokenStream {
    let wire = lit(&f.wire);
    let string = p.string();
    match (&f.ty, f.required) {
        (TypeIr::Model(_) | TypeIr::List(_), true) => quote!(__fields.required_json(#wire)?),
        (TypeIr::Model(_) | TypeIr::List(_), false) => quote!(__fields.optional_json(#wire)?),
        (TypeIr::Enum(e), true) => {
            let e = ident(e);
            quote!(#e::from(__fields.required::<#string>(#wire)?))
        }
        (TypeIr::Enum(e), false) => {
            let e = ident(e);
            quote!(__fields.optional::<#string>(#wire)?.map(#e::from))
        }
        (_, true) => quote!(__fields.required(#wire)?),
        (_, false) => quote!(__fields.optional(#wire)?),
    }
}
