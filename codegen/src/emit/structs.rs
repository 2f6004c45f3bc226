//! Structs (request, response, models): fields, constructor, setters and validation.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::docs::Doc;
use crate::emit::types::{INTO, RESULT};
use crate::emit::types::{field_type, ident, is_form, rust_type, serde_attr};
use crate::ir::{DateFormat, FieldIr, StructIr, TypeIr};

/// The message of the error a request with a `File` field gets.
pub const FILE_UNSUPPORTED: &str = "multipart upload not supported yet";

/// The struct, its constructor, setters and `__check`.
pub fn emit_struct(s: &StructIr, doc: &Doc, is_request: bool) -> TokenStream {
    let name = ident(&s.ident);
    let doc = doc.tokens();
    let has_required = s.required_fields().next().is_some();
    let (default, serde_default) = if has_required {
        (quote!(), quote!())
    } else {
        (quote!(Default,), quote!(#[serde(default)]))
    };
    let fields = s.fields.iter().map(|f| {
        let fdoc = field_doc(f, is_request).tokens();
        let id = ident(&f.ident);
        let ty = field_type(f);
        let attr = serde_attr(f, is_request, !has_required);
        quote! {
            #fdoc
            #attr
            pub #id: #ty,
        }
    });

    let args = s.required_fields().map(|f| {
        let id = ident(&f.ident);
        let ty = rust_type(&f.ty);
        quote!(#id: impl #INTO<#ty>)
    });
    let inits = s.fields.iter().map(|f| {
        let id = ident(&f.ident);
        if f.required {
            quote!(#id: #id.into())
        } else {
            quote!(#id: None)
        }
    });
    let body = if has_required {
        quote!(Self { #(#inits),* })
    } else {
        quote!(Self::default())
    };
    let many = if s.required_fields().count() > 7 {
        quote!(#[allow(clippy::too_many_arguments)])
    } else {
        quote!()
    };
    let new_doc = if has_required {
        format!(
            " A `{}` with its required fields; set the optional ones with the setters.",
            s.ident
        )
    } else {
        format!(" An empty `{}`; set the fields with the setters.", s.ident)
    };
    let setters = s.fields.iter().filter(|f| !f.required).map(|f| {
        let id = ident(&f.ident);
        let setter = ident(&f.setter);
        let ty = rust_type(&f.ty);
        let d = format!(" Sets `{}`.", f.wire);
        quote! {
            #[doc = #d]
            pub fn #setter(mut self, value: impl #INTO<#ty>) -> Self {
                self.#id = Some(value.into());
                self
            }
        }
    });
    let checks: Vec<TokenStream> = s.fields.iter().map(field_check).collect();
    let strict_used = s.fields.iter().any(uses_strict);
    let strict = if strict_used {
        quote!(__strict)
    } else {
        quote!(_strict)
    };

    let definition = quote! {
        #doc
        #[derive(Debug, Clone, PartialEq, #default ::serde::Serialize, ::serde::Deserialize)]
        #serde_default
        #[non_exhaustive]
        pub struct #name {
            #(#fields)*
        }
    };
    if !s.request_side {
        // Response-side structs are read, not built: `Default` plus field assignment is
        // enough for mocks, and leaving out constructors, setters and checks keeps the
        // catalog's code (and its compile time) smaller.
        return definition;
    }
    quote! {
        #definition

        impl #name {
            #[doc = #new_doc]
            #many
            pub fn new(#(#args),*) -> Self {
                #body
            }

            #(#setters)*

            /// Checks the documented rules of every field, nested models included. `strict`
            /// also refuses values outside a field's listed values.
            #[doc(hidden)]
            pub fn __check(&self, #strict: bool) -> #RESULT<(), ::alipay_runtime::ValidationError> {
                #(#checks)*
                Ok(())
            }
        }
    }
}

fn field_doc(f: &FieldIr, is_request: bool) -> Doc {
    let mut d = Doc::new();
    d.text(&f.description);
    let mut facts = Vec::new();
    if crate::naming::collision_key(&f.ident) != f.wire {
        facts.push(format!("Sent as `{}`.", f.wire.replace('`', "'")));
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
        facts.push(format!(
            "A file upload: setting it makes validation fail ({FILE_UNSUPPORTED})."
        ));
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
            d.item(&format!("`{}`", v.value.replace('`', "'")), &v.description);
        }
    }
    if let Some(note) = &f.note {
        d.labelled("Note", note);
    }
    if d.is_empty() {
        d.raw(format!("`{}`", f.wire.replace('`', "'")));
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

/// The statements checking one field (each ends in `?`).
fn field_check(f: &FieldIr) -> TokenStream {
    let id = ident(&f.ident);
    let wire = f.wire.as_str();
    if f.ty.element() == &TypeIr::File {
        let err = quote! {
            Err(::alipay_runtime::ValidationError::new(
                #wire,
                ::alipay_runtime::Rule::Unsupported(::alipay_runtime::validate::FILE_UPLOAD_UNSUPPORTED),
            ))?;
        };
        return if f.required {
            err
        } else {
            quote!(if self.#id.is_some() { #err })
        };
    }
    let mut stmts = Vec::new();
    match &f.ty {
        TypeIr::List(elem) => {
            if f.required {
                stmts.push(quote! {
                    if __value.is_empty() {
                        return Err(::alipay_runtime::ValidationError::new(
                            #wire,
                            ::alipay_runtime::Rule::Required,
                        ));
                    }
                });
            }
            let inner = value_checks(elem, &quote!(__item), f);
            if !inner.is_empty() {
                let len = wire.len();
                let inner = inner.iter().map(|e| {
                    quote! {
                        #e.map_err(|mut __e| {
                            __e.field.insert_str(#len, &::std::format!("[{__index}]"));
                            __e
                        })?;
                    }
                });
                stmts.push(quote! {
                    for (__index, __item) in __value.iter().enumerate() {
                        #(#inner)*
                    }
                });
            }
        }
        ty => {
            if f.required {
                match ty {
                    TypeIr::String | TypeIr::Date(_) => {
                        stmts.push(quote!(::alipay_runtime::validate::non_empty(#wire, __value)?;));
                    }
                    TypeIr::Enum(_) => {
                        stmts.push(quote!(::alipay_runtime::validate::non_empty(#wire, __value.as_str())?;));
                    }
                    _ => {}
                }
            }
            stmts.extend(
                value_checks(ty, &quote!(__value), f)
                    .into_iter()
                    .map(|e| quote!(#e?;)),
            );
        }
    }
    if stmts.is_empty() {
        return quote!();
    }
    if f.required {
        quote! {
            {
                let __value = &self.#id;
                #(#stmts)*
            }
        }
    } else {
        quote! {
            if let Some(__value) = &self.#id {
                #(#stmts)*
            }
        }
    }
}

/// Expressions of type `Result<(), ValidationError>` checking one value `v` (a reference)
/// of scalar type `ty`; errors name the field by its wire name.
fn value_checks(ty: &TypeIr, v: &TokenStream, f: &FieldIr) -> Vec<TokenStream> {
    let wire = f.wire.as_str();
    let mut out = Vec::new();
    let max = f
        .max_length
        .map(|n| usize::try_from(n).unwrap_or(usize::MAX));
    match ty {
        TypeIr::String => {
            if let Some(n) = max {
                out.push(quote!(::alipay_runtime::validate::max_length(#wire, #v, #n)));
            }
        }
        TypeIr::Date(fmt) => {
            if let Some(n) = max {
                out.push(quote!(::alipay_runtime::validate::max_length(#wire, #v, #n)));
            }
            out.push(match fmt {
                DateFormat::DateTime => quote!(::alipay_runtime::validate::date_time(#wire, #v)),
                DateFormat::Date => quote!(::alipay_runtime::validate::date(#wire, #v)),
            });
        }
        TypeIr::Enum(e) => {
            let e = ident(e);
            if let Some(n) = max {
                out.push(quote!(::alipay_runtime::validate::max_length(#wire, #v.as_str(), #n)));
            }
            out.push(quote! {
                match (__strict, #v) {
                    (true, #e::Other(__other)) => ::alipay_runtime::validate::one_of(#wire, __other, #e::VALUES),
                    _ => Ok(()),
                }
            });
        }
        TypeIr::Number | TypeIr::Price | TypeIr::Boolean if !f.values.is_empty() => {
            let values = f.values.iter().map(|v| v.value.as_str());
            out.push(quote! {
                if __strict {
                    ::alipay_runtime::validate::one_of(
                        #wire,
                        &::std::string::ToString::to_string(#v),
                        &[#(#values),*],
                    )
                } else {
                    Ok(())
                }
            });
        }
        TypeIr::Model(_) => {
            out.push(quote! {
                #v.__check(__strict).map_err(|__e| {
                    ::alipay_runtime::ValidationError::new(::std::format!("{}.{}", #wire, __e.field), __e.rule)
                })
            });
        }
        TypeIr::Number | TypeIr::Price | TypeIr::Boolean | TypeIr::File | TypeIr::List(_) => {}
    }
    out
}
