//! One method's file: request, response, models, enums, error codes, the `Method` impl,
//! its descriptor and strict validation.

use crate::emit::docs::Doc;
use crate::emit::enums::{emit_biz_error, emit_value_enum};
use crate::emit::out::{Out, lit};
use crate::emit::structs::{FILE_UNSUPPORTED, emit_struct};
use crate::emit::types::Prelude;
use crate::ir::{MethodIr, TypeIr};
use crate::spec::Location;

/// The items of a method's module, at `out`'s indentation.
pub fn emit_method(out: &mut Out, m: &MethodIr) {
    let locals = ["Request", "Response", "BizError"].into_iter();
    let locals = locals
        .chain(m.models.keys().map(String::as_str))
        .chain(m.enums.keys().map(String::as_str));
    let p = Prelude::for_module(locals);

    let mut rdoc = Doc::new();
    rdoc.raw(format!("The request of `{}`.", m.method));
    rdoc.text(&m.title);
    rdoc.raw(
        "Required fields are arguments of [`Request::new`]; optional ones have setters. \
         The client validates it before anything is signed or sent."
            .to_owned(),
    );
    emit_struct(out, &p, &m.request, &rdoc, true);

    let mut sdoc = Doc::new();
    sdoc.raw(format!(
        "The response of `{}`: the fields of the `{}` node. Every field is optional: Alipay \
         leaves out fields that do not apply.",
        m.method, m.response_node
    ));
    emit_struct(out, &p, &m.response, &sdoc, false);

    for s in m.models.values() {
        let mut d = Doc::new();
        let name = s.spec_name.replace('`', "'");
        match &s.twin_of {
            None => d.raw(format!("The model `{name}`.")),
            Some(original) => d.raw(format!(
                "The model `{name}` as answers carry it: every field is optional, so an \
                 answer that leaves one out still decodes. Requests send [`{original}`]."
            )),
        };
        emit_struct(out, &p, s, &d, false);
    }
    for e in m.enums.values() {
        emit_value_enum(out, &p, e);
    }
    emit_biz_error(out, &p, m);
    emit_method_impl(out, &p, m);
    emit_descriptor(out, m);
    emit_validate_request(out, &p, m);
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

fn emit_method_impl(out: &mut Out, p: &Prelude, m: &MethodIr) {
    let errors = "::alipay_runtime::ValidationError";
    out.open("impl ::alipay_runtime::Method for Request {");
    out.linef(format_args!(
        "const METHOD: &'static str = {};",
        lit(&m.method)
    ));
    out.linef(format_args!(
        "const RESPONSE_NODE: &'static str = {};",
        lit(&m.response_node)
    ));
    out.line("type Response = Response;");
    out.line("type BizError = BizError;");
    out.fn_open(
        "fn validate",
        &["&self"],
        &format!(" -> {}<(), {errors}>", p.result),
    );
    out.line("::alipay_runtime::check::Check::check(self, false)");
    out.close("}");
    out.fn_open(
        "fn to_parts",
        &["&self"],
        &format!(" -> {}<::alipay_runtime::RequestParts, {errors}>", p.result),
    );
    let form: Vec<_> = m
        .request
        .fields
        .iter()
        .filter(|f| f.location == Location::Form && f.ty != TypeIr::File)
        .collect();
    let parts = if form.is_empty() {
        "__parts"
    } else {
        "mut __parts"
    };
    if has_biz_content(m) {
        out.linef(format_args!(
            "let {parts} = ::alipay_runtime::RequestParts::biz_content_of(self)?;"
        ));
    } else {
        out.linef(format_args!(
            "let {parts} = ::alipay_runtime::RequestParts::default();"
        ));
    }
    for f in form {
        let wire = lit(&f.wire);
        let (head, tail) = match &f.ty {
            TypeIr::Model(_) | TypeIr::List(_) => ("__parts.json", "?;"),
            _ => ("__parts.text", ";"),
        };
        if f.required {
            out.call(head, &[&wire, &format!("&self.{}", f.ident)], tail);
        } else {
            out.openf(format_args!("if let Some(__value) = &self.{} {{", f.ident));
            out.call(head, &[&wire, "__value"], tail);
            out.close("}");
        }
    }
    out.line("Ok(__parts)");
    out.close("}");
    out.close("}");
}

fn emit_descriptor(out: &mut Out, m: &MethodIr) {
    out.linef(format_args!(
        "/// What the registry knows about `{}`.",
        m.method
    ));
    out.open(
        "pub const DESCRIPTOR: ::alipay_runtime::MethodDescriptor = ::alipay_runtime::MethodDescriptor {",
    );
    out.linef(format_args!("method: {},", lit(&m.method)));
    out.linef(format_args!("title: {},", lit(&m.title)));
    out.linef(format_args!("group: {},", lit(&m.group)));
    out.linef(format_args!("response_node: {},", lit(&m.response_node)));
    if m.errors.is_empty() {
        out.line("errors: &[],");
    } else {
        out.open("errors: &[");
        for e in &m.errors {
            out.open("::alipay_runtime::ErrorDoc {");
            out.linef(format_args!("code: {},", lit(&e.code)));
            out.linef(format_args!("description: {},", lit(&e.description)));
            out.linef(format_args!("solution: {},", lit(&e.solution)));
            out.close("},");
        }
        out.close("],");
    }
    match &m.examples.response {
        Some(ex) => out.call("example_response: Some", &[&lit(ex)], ","),
        None => out.line("example_response: None,"),
    }
    out.line("validate_request,");
    out.close("};");
}

fn emit_validate_request(out: &mut Out, p: &Prelude, m: &MethodIr) {
    let mut fields = Vec::new();
    for f in &m.request.fields {
        let kind = match (&f.ty, f.location) {
            (TypeIr::File, _) => "File",
            (_, Location::BizContent) => continue,
            (TypeIr::Model(_) | TypeIr::List(_), Location::Form) => "Json",
            (_, Location::Form) => "Text",
        };
        fields.push([
            lit(&f.wire),
            format!("::alipay_runtime::validate::FormKind::{kind}"),
        ]);
    }
    out.line("/// The request's fields that do not travel in `biz_content`.");
    out.pair_array(
        "const FORM_FIELDS: &[(&str, ::alipay_runtime::validate::FormKind)] = &",
        &fields,
        ";",
    );
    let args = [
        format!("biz_content: {}<&::serde_json::Value>", p.option),
        format!("form: &[({0}, {0})]", p.string),
    ];
    out.linef(format_args!(
        "/// The `{}` request given as JSON `biz_content` plus form fields (other form fields, the public parameters, are ignored), typed: a missing required field or a value of the wrong type fails naming the field.",
        m.method
    ));
    out.fn_open(
        "pub fn request_from_json",
        &args,
        &format!(
            " -> {}<Request, ::alipay_runtime::ValidationError>",
            p.result
        ),
    );
    out.line("::alipay_runtime::validate::typed_request(biz_content, form, FORM_FIELDS)");
    out.close("}");
    out.linef(format_args!(
        "/// Validates a `{}` request given as JSON `biz_content` plus form fields, strictly, as Alipay's gateway would: required fields, types, maximum lengths, listed values only, formats. File fields fail with \"{FILE_UNSUPPORTED}\".",
        m.method
    ));
    out.fn_open(
        "pub fn validate_request",
        &args,
        &format!(" -> {}<(), ::alipay_runtime::ValidationError>", p.result),
    );
    out.line("let request = request_from_json(biz_content, form)?;");
    out.line("::alipay_runtime::check::Check::check(&request, true)");
    out.close("}");
}
