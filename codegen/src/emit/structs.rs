//! Structs (request, response, models): fields, constructor, setters and checks.

use proc_macro2::{Literal, TokenStream};
use quote::quote;

use crate::emit::docs::{Doc, code};
use crate::emit::types::{self, Prelude, is_form};
use crate::emit::{ident, lit};
use crate::ir::{DateFormat, Derives, FieldIr, Read, StructIr, StructKind, TypeIr};

/// The message of the error a request gets for a file set inside a model (only the request's
/// own `File` fields are uploaded).
/// The same text as `alipay_runtime::validate::FILE_UPLOAD_UNSUPPORTED`.
pub const FILE_UNSUPPORTED: &str = "is a file inside a model: only a request's own File fields are uploaded (as multipart file parts)";

/// The struct, deriving what lowering decided ([`StructIr::derives`]); on the request side
/// also its constructor, setters and `Check` impl.
pub fn emit_struct(p: &Prelude, s: &StructIr, doc: &Doc) -> TokenStream {
    let name = ident(&s.ident);
    let docs = doc.attrs();
    let Derives {
        default,
        serialize,
        read,
    } = s.derives;
    // Response-side structs are only read, never serialised; the verified JSON of an answer is
    // there as it came for whoever needs it (`Client::execute_raw`, `call_json`). Those read
    // through `alipay_runtime::de::Fields` have plain fields and a `Fields` impl
    // (`emit_fields_impl`) in place of what `serde_derive` expands.
    if read == Read::Fields {
        let fields = s.fields.iter().map(|f| {
            let docs = field_doc(f, s).attrs();
            let (id, ty) = (ident(&f.ident), p.field_type(f));
            quote!(#docs pub #id: #ty)
        });
        let mut out = quote! {
            #docs
            #[derive(Debug, Clone, PartialEq, Default)]
            #[non_exhaustive]
            pub struct #name { #(#fields),* }
        };
        out.extend(emit_fields_impl(p, s));
        return out;
    }
    let serde = match (serialize, read) {
        (true, Read::Derive) => quote!(::serde::Serialize, ::serde::Deserialize),
        (true, _) => quote!(::serde::Serialize),
        (false, _) => quote!(::serde::Deserialize),
    };
    let derive = if default {
        quote! {
            #[derive(Debug, Clone, PartialEq, Default, #serde)]
            #[serde(default)]
        }
    } else {
        quote!(#[derive(Debug, Clone, PartialEq, #serde)])
    };
    let fields = s.fields.iter().map(|f| {
        let docs = field_doc(f, s).attrs();
        let args = p.serde_args(f, s);
        let serde = (!args.is_empty()).then(|| quote!(#[serde(#(#args),*)]));
        let (id, ty) = (ident(&f.ident), p.field_type(f));
        quote!(#docs #serde pub #id: #ty)
    });
    let mut out = quote! {
        #docs
        #derive
        #[non_exhaustive]
        pub struct #name { #(#fields),* }
    };
    if !s.request_side() {
        // Response-side structs are read, not built: `Default` plus field assignment is
        // enough for mocks, and leaving out constructors, setters and checks keeps the
        // catalog's code (and its compile time) smaller.
        return out;
    }
    out.extend(emit_builders(p, s));
    out
}

/// A request-side struct's constructor (its required fields as arguments), setters and
/// `Check` impl.
fn emit_builders(p: &Prelude, s: &StructIr) -> TokenStream {
    let name = ident(&s.ident);
    let has_required = !s.derives.default;
    let into = p.into();
    let new_doc = if has_required {
        format!(
            " A `{}` with its required fields; set the optional ones with the setters.",
            s.ident
        )
    } else {
        format!(" An empty `{}`; set the fields with the setters.", s.ident)
    };
    let many =
        (s.required_fields().count() > 7).then(|| quote!(#[allow(clippy::too_many_arguments)]));
    let args = s.required_fields().map(|f| {
        let (id, ty) = (ident(&f.ident), p.rust_type(&f.ty));
        quote!(#id: impl #into<#ty>)
    });
    let body = if has_required {
        let inits = s.fields.iter().map(|f| {
            let id = ident(&f.ident);
            if f.required {
                quote!(#id: #id.into())
            } else {
                quote!(#id: None)
            }
        });
        quote!(Self { #(#inits),* })
    } else {
        quote!(Self::default())
    };
    let setters = s.fields.iter().filter(|f| !f.required).map(|f| {
        let doc = Literal::string(&format!(" Sets {}.", code(&f.wire)));
        let (id, setter, ty) = (ident(&f.ident), ident(&f.setter), p.rust_type(&f.ty));
        quote! {
            #[doc = #doc]
            pub fn #setter(mut self, value: impl #into<#ty>) -> Self {
                self.#id = Some(value.into());
                self
            }
        }
    });
    let checks: Vec<TokenStream> = s
        .fields
        .iter()
        .flat_map(|f| field_checks(f, s.kind == StructKind::Request))
        .collect();
    let strict = if s.fields.iter().any(uses_strict) {
        quote!(__strict)
    } else {
        quote!(_strict)
    };
    let checks = (!checks.is_empty()).then(|| {
        quote! {
            use ::alipay_runtime::check as __v;
            #(#checks)*
        }
    });
    let result = p.result();
    quote! {
        impl #name {
            #[doc = #new_doc]
            #many
            pub fn new(#(#args),*) -> Self {
                #body
            }
            #(#setters)*
        }
        impl ::alipay_runtime::check::Leaf for #name {}
        impl ::alipay_runtime::check::Check for #name {
            fn check(&self, #strict: bool) -> #result<(), ::alipay_runtime::ValidationError> {
                #checks
                Ok(())
            }
        }
    }
}

/// The `Deserialize` and `alipay_runtime::de::Fields` impls of a response-side struct whose
/// fields are all optional: each wire name to its field's index, each index to the read of
/// its field (leniently for numbers and booleans). An answer carries no files: a `File`
/// field is not read, its key skipped like any unknown one.
fn emit_fields_impl(p: &Prelude, s: &StructIr) -> TokenStream {
    let name = ident(&s.ident);
    let (option, result) = (p.option(), p.result());
    let read: Vec<&FieldIr> = s
        .fields
        .iter()
        .filter(|f| f.ty.element() != &TypeIr::File)
        .collect();
    let wires: Vec<Literal> = read.iter().map(|f| lit(&f.wire)).collect();
    let indices = (0..read.len()).map(Literal::usize_unsuffixed);
    let name_lit = lit(&s.ident);
    let (index, read_fn) = if read.is_empty() {
        (
            quote! {
                fn index(_key: &str) -> #option<usize> {
                    None
                }
            },
            quote! {
                fn read<'de, A: ::serde::de::MapAccess<'de>>(&mut self, _index: usize, map: &mut A) -> #result<(), A::Error> {
                    ::alipay_runtime::de::skip(map)
                }
            },
        )
    } else {
        let arms = read.iter().enumerate().map(|(i, f)| {
            let (i, id) = (Literal::usize_unsuffixed(i), ident(&f.ident));
            if types::lenient(f).is_some() {
                quote!(#i => self.#id = ::alipay_runtime::de::lenient(map)?)
            } else {
                quote!(#i => self.#id = map.next_value()?)
            }
        });
        (
            quote! {
                fn index(key: &str) -> #option<usize> {
                    match key {
                        #(#wires => Some(#indices),)*
                        _ => None,
                    }
                }
            },
            quote! {
                fn read<'de, A: ::serde::de::MapAccess<'de>>(&mut self, index: usize, map: &mut A) -> #result<(), A::Error> {
                    match index {
                        #(#arms,)*
                        _ => ::alipay_runtime::de::skip(map)?,
                    }
                    Ok(())
                }
            },
        )
    };
    quote! {
        impl<'de> ::serde::Deserialize<'de> for #name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> #result<Self, D::Error> {
                ::alipay_runtime::de::fields(deserializer)
            }
        }
        impl ::alipay_runtime::de::Fields for #name {
            const NAME: &'static str = #name_lit;
            const FIELDS: &'static [&'static str] = &[#(#wires),*];
            #index
            #read_fn
        }
    }
}

/// The doc comment of field `f` of struct `owner`.
pub(crate) fn field_doc(f: &FieldIr, owner: &StructIr) -> Doc {
    let is_request = owner.kind == StructKind::Request;
    let mut d = Doc::new();
    d.text(&f.description);
    let mut facts = Vec::new();
    if crate::naming::collision_key(&f.ident) != f.wire {
        facts.push(format!("Sent as {}.", code(&f.wire)));
    }
    if f.required {
        facts.push("Required.".to_owned());
    }
    if let Some(n) = f.max_length {
        facts.push(format!("At most {n} characters."));
    }
    if let TypeIr::Date(fmt) = f.ty.element() {
        facts.push(format!("Format `{}`.", date_format(*fmt)));
    }
    if is_form(f, is_request) {
        facts.push("Sent as its own form field, not in `biz_content`.".to_owned());
    }
    if f.ty.element() == &TypeIr::File {
        if is_request {
            facts.push(
                "A file upload (`alipay_runtime::FileUpload`: a path, bytes or a reader), \
                 sent as a multipart file part with its file name and content type, never signed."
                    .to_owned(),
            );
        } else {
            facts.push(format!(
                "A file inside a model: setting it makes validation fail ({FILE_UNSUPPORTED})."
            ));
        }
    }
    if let TypeIr::Enum(e) = f.ty.element() {
        facts.push(format!("Listed values: [`{e}`]."));
    }
    if !facts.is_empty() {
        d.raw(facts.join(" "));
    }
    if let Some(example) = &f.example {
        d.labelled("Example", example);
    }
    if !f.values.is_empty() && !matches!(f.ty.element(), TypeIr::Enum(_)) {
        d.raw("Listed values:".to_owned());
        for v in &f.values {
            d.item(&code(&v.value), &v.description);
        }
    }
    if let Some(note) = &f.note {
        d.labelled("Note", note);
    }
    if d.is_empty() {
        d.raw(code(&f.wire));
    }
    d
}

fn date_format(f: DateFormat) -> &'static str {
    match f {
        DateFormat::DateTime => "yyyy-MM-dd HH:mm:ss",
        DateFormat::Date => "yyyy-MM-dd",
    }
}

fn uses_strict(f: &FieldIr) -> bool {
    match f.ty.element() {
        TypeIr::Enum(_) | TypeIr::Model(_) => true,
        TypeIr::Number | TypeIr::Price | TypeIr::Boolean => !f.values.is_empty(),
        _ => false,
    }
}

/// The checks of one field: one `__v::rule(..)?;` statement per documented rule, each
/// taking the field whatever its shape (`alipay_runtime::check::Values`). `is_request`: the
/// field is the request's own (not a model's).
fn field_checks(f: &FieldIr, is_request: bool) -> Vec<TokenStream> {
    let wire = lit(&f.wire);
    let id = ident(&f.ident);
    let value = quote!(&self.#id);
    let mut out = Vec::new();
    if f.ty.element() == &TypeIr::File {
        if is_request {
            // Uploaded as file parts: the type holds all there is to check (a required file
            // is an argument of `new`).
            return out;
        }
        let set = if f.required {
            quote!(true)
        } else {
            quote!(self.#id.is_some())
        };
        out.push(quote!(__v::no_upload(#wire, #set)?;));
        return out;
    }
    if f.required {
        match &f.ty {
            TypeIr::List(_) => out.push(quote!(__v::non_empty_list(#wire, #value)?;)),
            TypeIr::String | TypeIr::Date(_) => out.push(quote!(__v::non_empty(#wire, #value)?;)),
            TypeIr::Enum(_) => out.push(quote!(__v::non_empty(#wire, self.#id.as_str())?;)),
            _ => {}
        }
    }
    let elem = f.ty.element();
    if let (TypeIr::String | TypeIr::Date(_) | TypeIr::Enum(_), Some(n)) = (elem, f.max_length) {
        let n = Literal::u64_unsuffixed(n);
        out.push(quote!(__v::max_length(#wire, #value, #n)?;));
    }
    match elem {
        TypeIr::Date(DateFormat::DateTime) => out.push(quote!(__v::date_time(#wire, #value)?;)),
        TypeIr::Date(DateFormat::Date) => out.push(quote!(__v::date(#wire, #value)?;)),
        TypeIr::Enum(e) => {
            let e = ident(e);
            out.push(quote!(__v::listed(__strict, #wire, #value, #e::VALUES)?;));
        }
        TypeIr::Number | TypeIr::Price | TypeIr::Boolean if !f.values.is_empty() => {
            let values = f.values.iter().map(|v| lit(&v.value));
            out.push(quote!(__v::listed(__strict, #wire, #value, &[#(#values),*])?;));
        }
        TypeIr::Model(_) => out.push(quote!(__v::nested(__strict, #wire, #value)?;)),
        _ => {}
    }
    out
}
