//! One method's file: request, response, models, enums, error codes, the `Method` impl,
//! its descriptor and strict validation.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::docs::Doc;
use crate::emit::enums::{emit_biz_error, emit_value_enum};
use crate::emit::structs::{FILE_UNSUPPORTED, emit_struct};
use crate::emit::types::{OPTION, RESULT, STRING, VEC};
use crate::emit::types::{ident, with_local_types};
use crate::ir::{MethodIr, TypeIr};
use crate::spec::Location;

/// The items of a method's module (the content of `<group>/<module>.rs`).
pub fn emit_method(m: &MethodIr) -> TokenStream {
    let locals = ["Request", "Response", "BizError"].into_iter();
    let locals = locals
        .chain(m.models.keys().map(String::as_str))
        .chain(m.enums.keys().map(String::as_str));
    with_local_types(locals, || emit_method_items(m))
}

fn emit_method_items(m: &MethodIr) -> TokenStream {
    let mut rdoc = Doc::new();
    rdoc.raw(format!("The request of `{}`.", m.method));
    rdoc.text(&m.title);
    rdoc.raw(
        "Required fields are arguments of [`Request::new`]; optional ones have setters. \
         The client validates it before anything is signed or sent."
            .to_owned(),
    );
    let request = emit_struct(&m.request, &rdoc, true);

    let mut sdoc = Doc::new();
    sdoc.raw(format!(
        "The response of `{}`: the fields of the `{}` node. Every field is optional: Alipay \
         leaves out fields that do not apply.",
        m.method, m.response_node
    ));
    let response = emit_struct(&m.response, &sdoc, false);

    let models = m.models.values().map(|s| {
        let mut d = Doc::new();
        d.raw(format!("The model `{}`.", s.spec_name));
        emit_struct(s, &d, false)
    });
    let enums = m.enums.values().map(emit_value_enum);
    let biz_error = emit_biz_error(m);
    let method_impl = emit_method_impl(m);
    let descriptor = emit_descriptor(m);
    let validate = emit_validate_request(m);
    quote! {
        #request
        #response
        #(#models)*
        #(#enums)*
        #biz_error
        #method_impl
        #descriptor
        #validate
    }
}

/// The doc comment of a method's module.
pub fn method_doc(m: &MethodIr) -> Doc {
    let mut d = Doc::new();
    d.raw(format!("`{}`", m.method));
    d.text(&m.title);
    d.text(&m.description);
    if let Some(url) = &m.doc_url {
        d.labelled("Documentation", url);
    }
    if let Some(note) = &m.note {
        d.labelled("Note", note);
    }
    d.raw(format!(
        "Send a [`{0}::Request`] with `client.execute(&request)`; the answer is a \
         [`{0}::Response`] or an error carrying a [`{0}::BizError`].",
        m.module.trim_start_matches("r#")
    ));
    if let Some(ex) = &m.examples.request {
        d.fenced("Request example:", ex);
    }
    if let Some(ex) = &m.examples.response {
        d.fenced("Response example:", ex);
    }
    if let Some(ex) = &m.examples.error {
        d.fenced("Error example:", ex);
    }
    d
}

fn has_biz_content(m: &MethodIr) -> bool {
    m.request
        .fields
        .iter()
        .any(|f| f.location == Location::BizContent && f.ty != TypeIr::File)
}

fn emit_method_impl(m: &MethodIr) -> TokenStream {
    let method = &m.method;
    let node = &m.response_node;
    let biz_content = if has_biz_content(m) {
        quote! {
            Some(::serde_json::to_string(self).map_err(|_| {
                ::alipay_runtime::ValidationError::new(
                    "biz_content",
                    ::alipay_runtime::Rule::Type { expected: "a value serialisable as JSON" },
                )
            })?)
        }
    } else {
        quote!(None)
    };
    let form: Vec<TokenStream> = m
        .request
        .fields
        .iter()
        .filter(|f| f.location == Location::Form && f.ty != TypeIr::File)
        .map(|f| {
            let id = ident(&f.ident);
            let wire = &f.wire;
            let text = match &f.ty {
                TypeIr::Model(_) | TypeIr::List(_) => quote! {
                    ::serde_json::to_string(__value).map_err(|_| {
                        ::alipay_runtime::ValidationError::new(
                            #wire,
                            ::alipay_runtime::Rule::Type { expected: "a value serialisable as JSON" },
                        )
                    })?
                },
                _ => quote!(::std::string::ToString::to_string(__value)),
            };
            if f.required {
                quote! {
                    let __value = &self.#id;
                    __form.push((#wire, #text));
                }
            } else {
                quote! {
                    if let Some(__value) = &self.#id {
                        __form.push((#wire, #text));
                    }
                }
            }
        })
        .collect();
    let form_init = if form.is_empty() {
        quote!(let __form = #VEC::new();)
    } else {
        quote!(let mut __form = #VEC::new();)
    };
    quote! {
        impl ::alipay_runtime::Method for Request {
            const METHOD: &'static str = #method;
            const RESPONSE_NODE: &'static str = #node;
            type Response = Response;
            type BizError = BizError;

            fn validate(&self) -> #RESULT<(), ::alipay_runtime::ValidationError> {
                self.__check(false)
            }

            fn to_parts(&self) -> #RESULT<::alipay_runtime::RequestParts, ::alipay_runtime::ValidationError> {
                #form_init
                #(#form)*
                Ok(::alipay_runtime::RequestParts {
                    biz_content: #biz_content,
                    form: __form,
                })
            }
        }
    }
}

fn emit_descriptor(m: &MethodIr) -> TokenStream {
    let method = &m.method;
    let title = &m.title;
    let group = &m.group;
    let node = &m.response_node;
    let errors = m.errors.iter().map(|e| {
        let (code, description, solution) = (&e.code, &e.description, &e.solution);
        quote! {
            ::alipay_runtime::ErrorDoc { code: #code, description: #description, solution: #solution },
        }
    });
    let example = match &m.examples.response {
        Some(ex) => quote!(Some(#ex)),
        None => quote!(None),
    };
    let doc = format!(" What the registry knows about `{method}`.");
    quote! {
        #[doc = #doc]
        pub const DESCRIPTOR: ::alipay_runtime::MethodDescriptor = ::alipay_runtime::MethodDescriptor {
            method: #method,
            title: #title,
            group: #group,
            response_node: #node,
            errors: &[#(#errors)*],
            example_response: #example,
            validate_request,
        };
    }
}

fn emit_validate_request(m: &MethodIr) -> TokenStream {
    let mut arms = Vec::new();
    for f in &m.request.fields {
        let wire = &f.wire;
        let kind = match (&f.ty, f.location) {
            (TypeIr::File, _) => quote!(::alipay_runtime::validate::FormKind::File),
            (_, Location::BizContent) => continue,
            (TypeIr::Model(_) | TypeIr::List(_), Location::Form) => {
                quote!(::alipay_runtime::validate::FormKind::Json)
            }
            (_, Location::Form) => quote!(::alipay_runtime::validate::FormKind::Text),
        };
        arms.push(quote!((#wire, #kind),));
    }
    let doc = format!(
        " Validates a `{}` request given as JSON `biz_content` plus form fields, strictly, as \
          Alipay's gateway would: required fields, types, maximum lengths, listed values \
          only, formats. File fields fail with \"{FILE_UNSUPPORTED}\".",
        m.method
    );
    let from_doc = format!(
        " The `{}` request given as JSON `biz_content` plus form fields (other form \
          fields, the public parameters, are ignored), typed: a missing required field or a \
          value of the wrong type fails naming the field.",
        m.method
    );
    quote! {
        #[doc = #from_doc]
        pub fn request_from_json(
            biz_content: #OPTION<&::serde_json::Value>,
            form: &[(#STRING, #STRING)],
        ) -> #RESULT<Request, ::alipay_runtime::ValidationError> {
            ::alipay_runtime::validate::from_json(::alipay_runtime::validate::request_json(
                biz_content,
                form,
                &[#(#arms)*],
            )?)
        }

        #[doc = #doc]
        pub fn validate_request(
            biz_content: #OPTION<&::serde_json::Value>,
            form: &[(#STRING, #STRING)],
        ) -> #RESULT<(), ::alipay_runtime::ValidationError> {
            request_from_json(biz_content, form)?.__check(true)
        }
    }
}
