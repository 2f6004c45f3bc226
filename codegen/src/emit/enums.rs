//! Open enums: listed values of a field, and a method's business error codes.

use crate::emit::docs::Doc;
use crate::emit::out::{Out, lit};
use crate::emit::types::Prelude;
use crate::ir::{EnumIr, MethodIr};

/// An enum of listed values: one variant per value plus `Other(String)`, (de)serialised
/// as the plain string, so values Alipay adds later are sent and received unchanged.
pub fn emit_value_enum(out: &mut Out, p: &Prelude, e: &EnumIr) {
    let name = &e.ident;
    let mut doc = Doc::new();
    doc.raw(format!(
        "The listed values of `{}`. Values not listed are kept in [`{}::Other`].",
        e.field.replace('`', "'"),
        e.ident
    ));
    out.doc(&doc);
    out.line("#[derive(Debug, Clone, PartialEq, Eq, Hash)]");
    out.line("#[non_exhaustive]");
    out.openf(format_args!("pub enum {name} {{"));
    for v in &e.variants {
        let mut d = Doc::new();
        d.raw(format!("`{}`", v.value.replace('`', "'")));
        d.text(&v.description);
        out.doc(&d);
        out.linef(format_args!("{},", v.ident));
    }
    out.line("/// A value the spec does not list, kept as received.");
    out.linef(format_args!("Other({}),", p.string));
    out.close("}");

    let values: Vec<String> = e.variants.iter().map(|v| lit(&v.value)).collect();
    out.openf(format_args!("impl {name} {{"));
    out.line("/// The listed values, in the page's order.");
    out.array(
        "pub const VALUES: &'static [&'static str] = &",
        &values,
        ";",
    );
    out.line("/// The value exactly as sent.");
    out.open("pub fn as_str(&self) -> &str {");
    out.open("match self {");
    for (v, value) in e.variants.iter().zip(&values) {
        out.arm(&format!("Self::{}", v.ident), value, None);
    }
    out.line("Self::Other(value) => value,");
    out.close("}");
    out.close("}");
    out.close("}");

    let idents: Vec<&str> = e.variants.iter().map(|v| v.ident.as_str()).collect();
    emit_from_str(out, name, "value", &values, &idents, "Other");

    out.impl_trait(
        &format!("impl ::core::convert::From<{}>", p.string),
        name,
        false,
    );
    out.fn_open("fn from", &[&format!("value: {}", p.string)], " -> Self");
    out.open("match value.as_str() {");
    for (v, value) in e.variants.iter().zip(&values) {
        out.arm(value, &format!("Self::{}", v.ident), None);
    }
    out.line("_ => Self::Other(value),");
    out.close("}");
    out.close("}");
    out.close("}");

    out.impl_trait("impl ::core::convert::AsRef<str>", name, false);
    out.open("fn as_ref(&self) -> &str {");
    out.line("self.as_str()");
    out.close("}");
    out.close("}");

    out.impl_trait("impl ::core::fmt::Display", name, false);
    out.open("fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {");
    out.line("f.write_str(self.as_str())");
    out.close("}");
    out.close("}");

    out.impl_trait("impl ::serde::Serialize", name, false);
    out.fn_open(
        "fn serialize<S: ::serde::Serializer>",
        &["&self", "serializer: S"],
        &format!(" -> {}<S::Ok, S::Error>", p.result),
    );
    out.line("serializer.serialize_str(self.as_str())");
    out.close("}");
    out.close("}");

    out.impl_trait("impl<'de> ::serde::Deserialize<'de>", name, false);
    out.fn_open(
        "fn deserialize<D: ::serde::Deserializer<'de>>",
        &["deserializer: D"],
        &format!(" -> {}<Self, D::Error>", p.result),
    );
    out.line("::alipay_runtime::de::string(deserializer).map(Self::from)");
    out.close("}");
    out.close("}");

    out.impl_trait("impl ::alipay_runtime::check::Leaf", name, true);
}

/// The method's business error codes: one variant per documented code plus `Unknown`.
/// Descriptions and solutions come from the method's `DESCRIPTOR`.
pub fn emit_biz_error(out: &mut Out, p: &Prelude, m: &MethodIr) {
    let mut doc = Doc::new();
    doc.raw(format!(
        "The business error codes (`sub_code`) of `{}`. Codes the page does not document are kept in [`BizError::Unknown`].",
        m.method
    ));
    out.doc(&doc);
    out.line("#[derive(Debug, Clone, PartialEq, Eq, Hash)]");
    out.line("#[non_exhaustive]");
    out.open("pub enum BizError {");
    for e in &m.errors {
        let mut d = Doc::new();
        d.raw(format!("`{}`", e.code.replace('`', "'")));
        d.text(&e.description);
        d.labelled("Solution", &e.solution);
        out.doc(&d);
        out.linef(format_args!("{},", e.ident));
    }
    out.line("/// A code the page does not document, kept as received.");
    out.linef(format_args!("Unknown({}),", p.string));
    out.close("}");

    let codes: Vec<String> = m.errors.iter().map(|e| lit(&e.code)).collect();
    let idents: Vec<&str> = m.errors.iter().map(|e| e.ident.as_str()).collect();
    emit_from_str(out, "BizError", "code", &codes, &idents, "Unknown");

    out.open("impl ::core::fmt::Display for BizError {");
    out.open("fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {");
    out.line("f.write_str(::alipay_runtime::BizErrorCode::as_str(self))");
    out.close("}");
    out.close("}");

    out.open("impl ::alipay_runtime::BizErrorCode for BizError {");
    out.open("fn as_str(&self) -> &str {");
    out.open("match self {");
    for (e, code) in m.errors.iter().zip(&codes) {
        out.arm(&format!("Self::{}", e.ident), code, None);
    }
    out.line("Self::Unknown(code) => code,");
    out.close("}");
    out.close("}");
    for what in ["description", "solution"] {
        out.openf(format_args!(
            "fn {what}(&self) -> {}<&'static str> {{",
            p.option
        ));
        out.line("let code = ::alipay_runtime::BizErrorCode::as_str(self);");
        out.line("let doc = ::alipay_runtime::ErrorDoc::find(DESCRIPTOR.errors, code)?;");
        out.linef(format_args!("Some(doc.{what})"));
        out.close("}");
    }
    out.close("}");
}

/// `From<&str>` for an open enum: each listed literal to its variant, anything else kept
/// in the `fallback(String)` variant.
fn emit_from_str(
    out: &mut Out,
    name: &str,
    arg: &str,
    literals: &[String],
    idents: &[&str],
    fallback: &str,
) {
    out.impl_trait("impl ::core::convert::From<&str>", name, false);
    out.openf(format_args!("fn from({arg}: &str) -> Self {{"));
    if literals.is_empty() {
        out.linef(format_args!(
            "Self::{fallback}(::std::borrow::ToOwned::to_owned({arg}))"
        ));
    } else {
        out.openf(format_args!("match {arg} {{"));
        for (literal, ident) in literals.iter().zip(idents) {
            out.arm(literal, &format!("Self::{ident}"), None);
        }
        out.linef(format_args!(
            "other => Self::{fallback}(::std::borrow::ToOwned::to_owned(other)),"
        ));
        out.close("}");
    }
    out.close("}");
    out.close("}");
}
