//! Structs (request, response, models): fields, constructor, setters and checks.

use crate::emit::docs::Doc;
use crate::emit::out::{Out, lit};
use crate::emit::types::{Prelude, is_form};
use crate::ir::{DateFormat, FieldIr, StructIr, TypeIr};

/// The message of the error a request with a `File` field gets.
pub const FILE_UNSUPPORTED: &str = "multipart upload not supported yet";

/// The struct; on the request side also its constructor, setters and `Check` impl.
pub fn emit_struct(out: &mut Out, p: &Prelude, s: &StructIr, doc: &Doc, is_request: bool) {
    let name = &s.ident;
    let has_required = s.required_fields().next().is_some();
    out.doc(doc);
    // Response-side structs are only read: they derive `Deserialize` alone, which keeps
    // the catalog's code (and its compile time) smaller. The verified JSON of an answer is
    // there as it came for whoever needs it (`Client::execute_raw`, `call_json`).
    let serde = if s.request_side {
        "::serde::Serialize, ::serde::Deserialize"
    } else {
        "::serde::Deserialize"
    };
    if has_required {
        out.linef(format_args!("#[derive(Debug, Clone, PartialEq, {serde})]"));
    } else {
        out.linef(format_args!(
            "#[derive(Debug, Clone, PartialEq, Default, {serde})]"
        ));
        out.line("#[serde(default)]");
    }
    out.line("#[non_exhaustive]");
    if s.fields.is_empty() {
        out.linef(format_args!("pub struct {name} {{}}"));
    } else {
        out.openf(format_args!("pub struct {name} {{"));
        for f in &s.fields {
            out.doc(&field_doc(f, is_request));
            let args = p.serde_args(f, is_request, !has_required, s.request_side);
            if !args.is_empty() {
                out.attr_list("serde", &args);
            }
            out.typed(&format!("pub {}: ", f.ident), &p.field_type(f), ",");
        }
        out.close("}");
    }
    if !s.request_side {
        // Response-side structs are read, not built: `Default` plus field assignment is
        // enough for mocks, and leaving out constructors, setters and checks keeps the
        // catalog's code (and its compile time) smaller.
        return;
    }

    out.openf(format_args!("impl {name} {{"));
    if has_required {
        out.linef(format_args!(
            "/// A `{name}` with its required fields; set the optional ones with the setters."
        ));
    } else {
        out.linef(format_args!(
            "/// An empty `{name}`; set the fields with the setters."
        ));
    }
    if s.required_fields().count() > 7 {
        out.line("#[allow(clippy::too_many_arguments)]");
    }
    let args: Vec<String> = s
        .required_fields()
        .map(|f| format!("{}: impl {}<{}>", f.ident, p.into, p.rust_type(&f.ty)))
        .collect();
    out.fn_open("pub fn new", &args, " -> Self");
    if has_required {
        let inits: Vec<String> = s
            .fields
            .iter()
            .map(|f| {
                if f.required {
                    format!("{0}: {0}.into()", f.ident)
                } else {
                    format!("{}: None", f.ident)
                }
            })
            .collect();
        out.struct_literal("Self", &inits, "");
    } else {
        out.line("Self::default()");
    }
    out.close("}");
    for f in s.fields.iter().filter(|f| !f.required) {
        out.linef(format_args!("/// Sets `{}`.", f.wire.replace('`', "'")));
        let arg = format!("value: impl {}<{}>", p.into, p.rust_type(&f.ty));
        out.fn_open(
            &format!("pub fn {}", f.setter),
            &["mut self", &arg],
            " -> Self",
        );
        out.call(&format!("self.{} = Some", f.ident), &["value.into()"], ";");
        out.line("self");
        out.close("}");
    }
    out.close("}");

    out.impl_trait("impl ::alipay_runtime::check::Leaf", name, true);
    out.impl_trait("impl ::alipay_runtime::check::Check", name, false);
    // The checks go inside `fn check`'s body, one level below the `impl` block's.
    let mut checks = Out::nested(out.depth() + 1);
    for f in &s.fields {
        field_checks(&mut checks, f);
    }
    let checks = checks.finish();
    let strict = if s.fields.iter().any(uses_strict) {
        "__strict: bool"
    } else {
        "_strict: bool"
    };
    out.fn_open(
        "fn check",
        &["&self", strict],
        &format!(" -> {}<(), ::alipay_runtime::ValidationError>", p.result),
    );
    if !checks.is_empty() {
        out.line("use ::alipay_runtime::check as __v;");
        out.raw(&checks);
    }
    out.line("Ok(())");
    out.close("}");
    out.close("}");
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

/// The checks of one field: one `__v::rule(..)?;` statement per documented rule, each
/// taking the field whatever its shape (`alipay_runtime::check::Values`).
fn field_checks(out: &mut Out, f: &FieldIr) {
    let wire = lit(&f.wire);
    let value = format!("&self.{}", f.ident);
    if f.ty.element() == &TypeIr::File {
        let set = if f.required {
            "true".to_owned()
        } else {
            format!("self.{}.is_some()", f.ident)
        };
        out.call("__v::no_upload", &[&wire, &set], "?;");
        return;
    }
    if f.required {
        match &f.ty {
            TypeIr::List(_) => out.call("__v::non_empty_list", &[&wire, &value], "?;"),
            TypeIr::String | TypeIr::Date(_) => {
                out.call("__v::non_empty", &[&wire, &value], "?;");
            }
            TypeIr::Enum(_) => {
                let text = format!("self.{}.as_str()", f.ident);
                out.call("__v::non_empty", &[&wire, &text], "?;");
            }
            _ => {}
        }
    }
    let elem = f.ty.element();
    if let (TypeIr::String | TypeIr::Date(_) | TypeIr::Enum(_), Some(n)) = (elem, f.max_length) {
        out.call("__v::max_length", &[&wire, &value, &n.to_string()], "?;");
    }
    match elem {
        TypeIr::Date(DateFormat::DateTime) => out.call("__v::date_time", &[&wire, &value], "?;"),
        TypeIr::Date(DateFormat::Date) => out.call("__v::date", &[&wire, &value], "?;"),
        TypeIr::Enum(e) => {
            let values = format!("{e}::VALUES");
            out.call("__v::listed", &["__strict", &wire, &value, &values], "?;");
        }
        TypeIr::Number | TypeIr::Price | TypeIr::Boolean if !f.values.is_empty() => {
            let values: Vec<String> = f.values.iter().map(|v| lit(&v.value)).collect();
            let values = format!("&[{}]", values.join(", "));
            out.call("__v::listed", &["__strict", &wire, &value, &values], "?;");
        }
        TypeIr::Model(_) => out.call("__v::nested", &["__strict", &wire, &value], "?;"),
        _ => {}
    }
}
