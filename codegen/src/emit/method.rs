//! One method's items: request, response, models, enums, error codes, the `Method` impl,
//! its descriptor and strict validation.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::docs::{Doc, code};
use crate::emit::enums::{emit_biz_error, emit_value_enum};
use crate::emit::structs::emit_struct;
use crate::emit::types::Prelude;
use crate::emit::{EmitError, ident, lit, print};
use crate::ir::{MethodIr, TypeIr};
use crate::spec::{Body, CallStyle, HttpMethod, Location, Provenance};

/// The per-method entry point: a method's documented inline module (`pub mod <method> { .. }`),
/// printed, as its group's file (or its part crate) holds it.
pub fn method_module(m: &MethodIr) -> Result<String, EmitError> {
    let docs = method_doc(m).attrs();
    let module = ident(&m.module);
    let items = emit_method(m);
    let tokens = quote! {
        #docs
        pub mod #module {
            #items
        }
    };
    print(tokens, || format!("`{}`", m.method))
}

/// The items of a method's module; with its JSON path ([`MethodIr::json`]), also
/// `request_from_json` and `validate_request`.
fn emit_method(m: &MethodIr) -> TokenStream {
    let locals = ["Request", "Response", "BizError"].into_iter();
    let locals = locals
        .chain(m.notification.as_ref().map(|_| "Notification"))
        .chain(m.models.keys().map(String::as_str))
        .chain(m.enums.keys().map(String::as_str));
    let p = Prelude::for_module(locals);

    let mut rdoc = Doc::new();
    rdoc.raw(format!("The request of {}.", code(&m.method)));
    rdoc.text(&m.title);
    rdoc.raw(
        "Required fields are arguments of [`Request::new`]; optional ones have setters. \
         The client validates it before anything is signed or sent."
            .to_owned(),
    );
    let mut out = emit_struct(&p, &m.request, &rdoc);

    let mut sdoc = Doc::new();
    sdoc.raw(format!(
        "The response of {}: the fields of the {} node. Every field is optional: Alipay \
         leaves out fields that do not apply.",
        code(&m.method),
        code(&m.response_node)
    ));
    out.extend(emit_struct(&p, &m.response, &sdoc));

    for s in m.models.values() {
        let mut d = Doc::new();
        let name = code(&s.spec_name);
        match s.twin_of() {
            None => d.raw(format!("The model {name}.")),
            Some(original) => d.raw(format!(
                "The model {name} as answers carry it: every field is optional, so an \
                 answer that leaves one out still decodes. Requests send [`{original}`]."
            )),
        };
        out.extend(emit_struct(&p, s, &d));
    }
    if let Some(n) = &m.notification {
        out.extend(super::notification::emit_notification(&p, m, n));
    }
    for e in m.enums.values() {
        out.extend(emit_value_enum(&p, e));
    }
    out.extend(emit_biz_error(&p, m));
    out.extend(emit_route(m));
    out.extend(emit_at_least_one_of(m));
    out.extend(emit_method_impl(&p, m));
    out.extend(emit_descriptor(m));
    if m.json {
        out.extend(emit_validate_request(&p, m));
    }
    out
}

/// The doc comment of a method's module.
pub fn method_doc(m: &MethodIr) -> Doc {
    let mut d = Doc::new();
    d.raw(code(&m.method));
    d.text(&m.title);
    d.text(&m.description);
    // Where the spec comes from, so nobody mistakes a missing check for a verified one.
    d.raw(match m.provenance {
        Provenance::DocPage => "Spec: from the doc page.",
        Provenance::SdkModels => {
            "Spec: from the SDK's models: lengths and required flags not documented (every \
             field optional, no listed values, no error table; only types are checked)."
        }
        Provenance::Openapi => {
            "Spec: from Alipay's OpenAPI document of the v3 protocol: lengths and required \
             flags not documented (every field optional, no listed values; only types are \
             checked)."
        }
    });
    if let Some(url) = &m.doc_url {
        d.labelled("Documentation", url);
    }
    if let Some(note) = &m.note {
        d.labelled("Note", note);
    }
    let module = m.module.trim_start_matches("r#");
    d.raw(match m.call_style {
        CallStyle::Server => format!(
            "Send a [`{module}::Request`] with `client.execute(&request)`; the answer is a \
             [`{module}::Response`] or an error carrying a [`{module}::BizError`]."
        ),
        CallStyle::Page => format!(
            "A page method: the user's browser opens it. Sign a [`{module}::Request`] into \
             an auto-submitting form with `client.page_form(&request)` (or a URL with \
             `client.page_url(&request)`); the outcome comes back through `return_url` and the \
             asynchronous notification. `client.execute` refuses it."
        ),
        CallStyle::App => format!(
            "An app method: the Alipay app opens it. Sign a [`{module}::Request`] into the \
             order string the app SDK takes with `client.app_order_string(&request)`; the \
             outcome comes back through the asynchronous notification. `client.execute` \
             refuses it."
        ),
    });
    if m.notification.is_some() {
        d.raw(format!(
            "Its asynchronous notification is typed: verify the body POSTed to `notify_url` \
             (`client.verify_notify(body)`), then `verified.decode::<Notification>()` gives a \
             [`{module}::Notification`]."
        ));
    }
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
        .any(|f| f.location == Location::BizContent && f.ty.element() != &TypeIr::File)
}

fn emit_method_impl(p: &Prelude, m: &MethodIr) -> TokenStream {
    // Long because: one quote! of the Method impl, read as the code it prints.
    let (method, node, result) = (lit(&m.method), lit(&m.response_node), p.result());
    let form: Vec<_> = m
        .request
        .fields
        .iter()
        .filter(|f| f.location == Location::Form && f.ty.element() != &TypeIr::File)
        .collect();
    // Files, wherever the spec puts them, go out as multipart file parts.
    let files: Vec<_> = m
        .request
        .fields
        .iter()
        .filter(|f| f.ty.element() == &TypeIr::File)
        .collect();
    let parts = if form.is_empty() && files.is_empty() {
        quote!(__parts)
    } else {
        quote!(mut __parts)
    };
    let init = if has_biz_content(m) {
        quote!(let #parts = ::alipay_runtime::RequestParts::biz_content_of(self)?;)
    } else {
        quote!(let #parts = ::alipay_runtime::RequestParts::default();)
    };
    let form = form.into_iter().map(|f| {
        let (wire, id) = (lit(&f.wire), ident(&f.ident));
        let add = |value: TokenStream| match &f.ty {
            TypeIr::Model(_) | TypeIr::List(_) => quote!(__parts.json(#wire, #value)?;),
            _ => quote!(__parts.text(#wire, #value);),
        };
        if f.required {
            add(quote!(&self.#id))
        } else {
            let add = add(quote!(__value));
            quote! {
                if let Some(__value) = &self.#id {
                    #add
                }
            }
        }
    });
    let files = files.into_iter().map(|f| {
        let (wire, id) = (lit(&f.wire), ident(&f.ident));
        let add = match &f.ty {
            TypeIr::List(_) => quote! {
                for __file in __files {
                    __parts.file(#wire, __file)?;
                }
            },
            _ => quote!(__parts.file(#wire, __files)?;),
        };
        if f.required {
            quote! {
                let __files = &self.#id;
                #add
            }
        } else {
            quote! {
                if let ::core::option::Option::Some(__files) = &self.#id {
                    #add
                }
            }
        }
    });
    // The trait's default is a server call: only the other styles are spelt out.
    let style_const = (m.call_style != CallStyle::Server).then(|| {
        let style = call_style(m.call_style);
        quote!(const CALL_STYLE: ::alipay_runtime::CallStyle = #style;)
    });
    let route_const = m.route.is_some().then(|| {
        quote!(
            const ROUTE: ::core::option::Option<::alipay_runtime::v3::Route> =
                ::core::option::Option::Some(ROUTE);
        )
    });
    let validate_body = validate_body(m);
    quote! {
        impl ::alipay_runtime::Method for Request {
            const METHOD: &'static str = #method;
            const RESPONSE_NODE: &'static str = #node;
            type Response = Response;
            type BizError = BizError;
            #style_const
            #route_const
            fn validate(&self) -> #result<(), ::alipay_runtime::ValidationError> {
                #validate_body
            }
            fn to_parts(&self) -> #result<::alipay_runtime::RequestParts, ::alipay_runtime::ValidationError> {
                #init
                #(#form)*
                #(#files)*
                Ok(__parts)
            }
        }
    }
}

/// The body of `Method::validate`: every field's documented rules, then (where the spec has
/// `at_least_one_of`) the 特殊可选 groups.
fn validate_body(m: &MethodIr) -> TokenStream {
    let check = quote!(::alipay_runtime::check::Check::check(self, false));
    if m.at_least_one_of.is_empty() {
        return check;
    }
    quote! {
        #check?;
        self.check_at_least_one_of()
    }
}

/// `Request::check_at_least_one_of`, where the spec has `at_least_one_of`: each 特殊可选 group
/// must have a field given (a text, listed value or list counts when it is not empty).
fn emit_at_least_one_of(m: &MethodIr) -> Option<TokenStream> {
    if m.at_least_one_of.is_empty() {
        return None;
    }
    let groups = m.at_least_one_of.iter().map(|group| {
        let members = group.iter().filter_map(|wire| {
            let f = m.request.fields.iter().find(|f| f.wire == *wire)?;
            let (name, id) = (lit(&f.wire), ident(&f.ident));
            let given = match &f.ty {
                TypeIr::String | TypeIr::Date(_) => {
                    quote!(self.#id.as_deref().is_some_and(|v| !v.is_empty()))
                }
                TypeIr::List(_) => quote!(self.#id.as_ref().is_some_and(|v| !v.is_empty())),
                TypeIr::Enum(_) => {
                    quote!(self.#id.as_ref().is_some_and(|v| !v.as_str().is_empty()))
                }
                _ => quote!(self.#id.is_some()),
            };
            Some(quote!((#name, #given)))
        });
        quote!(::alipay_runtime::validate::at_least_one_of(&[#(#members),*])?;)
    });
    Some(quote! {
        impl Request {
            /// 特殊可选: at least one field of each group must be given (the spec's
            /// `at_least_one_of`).
            fn check_at_least_one_of(&self) -> ::core::result::Result<(), ::alipay_runtime::ValidationError> {
                #(#groups)*
                Ok(())
            }
        }
    })
}

/// `ROUTE`: the method's v3 route as the runtime reads it, where the spec gives one.
fn emit_route(m: &MethodIr) -> Option<TokenStream> {
    let route = m.route.as_ref()?;
    let doc = format!(
        " The method's route under Alipay's v3 protocol: `{} {}`.",
        route.http_method.as_str(),
        route.path
    );
    let http = match route.http_method {
        HttpMethod::Get => quote!(Get),
        HttpMethod::Post => quote!(Post),
        HttpMethod::Put => quote!(Put),
        HttpMethod::Patch => quote!(Patch),
        HttpMethod::Delete => quote!(Delete),
    };
    let body = match route.body {
        Body::Json => quote!(Json),
        Body::Multipart => quote!(Multipart),
        Body::None => quote!(None),
    };
    let path = lit(&route.path);
    let query = route.query.iter().map(|q| lit(q));
    let v2 = route.v2;
    Some(quote! {
        #[doc = #doc]
        pub const ROUTE: ::alipay_runtime::v3::Route = ::alipay_runtime::v3::Route {
            http_method: ::alipay_runtime::v3::HttpMethod::#http,
            path: #path,
            query: &[#(#query),*],
            body: ::alipay_runtime::v3::RouteBody::#body,
            v2: #v2,
        };
    })
}

/// The runtime's `CallStyle` variant of `style`.
fn call_style(style: CallStyle) -> TokenStream {
    match style {
        CallStyle::Server => quote!(::alipay_runtime::CallStyle::Server),
        CallStyle::Page => quote!(::alipay_runtime::CallStyle::Page),
        CallStyle::App => quote!(::alipay_runtime::CallStyle::App),
    }
}

fn emit_descriptor(m: &MethodIr) -> TokenStream {
    let doc = format!(" What the registry knows about {}.", code(&m.method));
    let (method, title, group, node) = (
        lit(&m.method),
        lit(&m.title),
        lit(&m.group),
        lit(&m.response_node),
    );
    let errors = m.errors.iter().map(|e| {
        let (c, d, s) = (lit(&e.code), lit(&e.description), lit(&e.solution));
        quote! {
            ::alipay_runtime::ErrorDoc {
                code: #c,
                description: #d,
                solution: #s,
            }
        }
    });
    let example = match &m.examples.response {
        Some(ex) => {
            let ex = lit(ex);
            quote!(Some(#ex))
        }
        None => quote!(None),
    };
    let style = call_style(m.call_style);
    let route = match &m.route {
        Some(_) => quote!(::core::option::Option::Some(ROUTE)),
        None => quote!(::core::option::Option::None),
    };
    // Without the JSON path the method has no compiled strict validation: the descriptor
    // says so when asked (the local gateway validates through the specs instead).
    let validate = if m.json {
        quote!(validate_request)
    } else {
        quote!(validate_request: ::alipay_runtime::validate::not_generated)
    };
    quote! {
        #[doc = #doc]
        pub const DESCRIPTOR: ::alipay_runtime::MethodDescriptor = ::alipay_runtime::MethodDescriptor {
            method: #method,
            title: #title,
            group: #group,
            response_node: #node,
            call_style: #style,
            errors: &[#(#errors),*],
            example_response: #example,
            route: #route,
            #validate,
        };
    }
}

fn emit_validate_request(p: &Prelude, m: &MethodIr) -> TokenStream {
    let strict_check = if m.at_least_one_of.is_empty() {
        quote!(::alipay_runtime::check::Check::check(&request, true))
    } else {
        quote! {
            ::alipay_runtime::check::Check::check(&request, true)?;
            request.check_at_least_one_of()
        }
    };
    let fields = m.request.fields.iter().filter_map(|f| {
        let kind = match (&f.ty, f.location) {
            _ if f.ty.element() == &TypeIr::File => quote!(File),
            (_, Location::BizContent) => return None,
            (TypeIr::Model(_) | TypeIr::List(_), Location::Form) => quote!(Json),
            (_, Location::Form) => quote!(Text),
        };
        let wire = lit(&f.wire);
        Some(quote!((#wire, ::alipay_runtime::validate::FormKind::#kind)))
    });
    let (option, string, result) = (p.option(), p.string(), p.result());
    let method = code(&m.method);
    let from_json_doc = format!(
        " The {method} request given as JSON `biz_content` plus form fields (other form fields, the public parameters, are ignored), typed: a missing required field or a value of the wrong type fails naming the field."
    );
    let validate_doc = format!(
        " Validates a {method} request given as JSON `biz_content` plus form fields, strictly, as Alipay's gateway would: required fields, types, maximum lengths, listed values only, formats. A file field is given as a form pair whose value is the file name of the part received."
    );
    quote! {
        /// The request's fields that do not travel in `biz_content`.
        const FORM_FIELDS: &[(&str, ::alipay_runtime::validate::FormKind)] = &[#(#fields),*];
        #[doc = #from_json_doc]
        pub fn request_from_json(
            biz_content: #option<&::serde_json::Value>,
            form: &[(#string, #string)],
        ) -> #result<Request, ::alipay_runtime::ValidationError> {
            ::alipay_runtime::validate::typed_request(biz_content, form, FORM_FIELDS)
        }
        #[doc = #validate_doc]
        pub fn validate_request(
            biz_content: #option<&::serde_json::Value>,
            form: &[(#string, #string)],
        ) -> #result<(), ::alipay_runtime::ValidationError> {
            let request = request_from_json(biz_content, form)?;
            #strict_check
        }
    }
}
