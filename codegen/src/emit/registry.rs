//! The root and group files: module tree, method registry and dynamic calls.

use crate::emit::docs::Doc;
use std::path::PathBuf;

use crate::emit::method::{emit_method, method_doc};
use crate::emit::out::{Out, lit};
use crate::ir::{Ir, MethodIr};

/// The file of a group's methods, relative to the output folder: `<group>.rs`.
pub fn group_file(group: &str) -> PathBuf {
    PathBuf::from(format!("{group}.rs"))
}

/// A method's documented inline module, holding its items.
pub fn emit_method_module(out: &mut Out, m: &MethodIr) {
    out.doc(&method_doc(m));
    out.openf(format_args!("pub mod {} {{", m.module));
    emit_method(out, m);
    out.close("}");
}

/// The root `mod.rs`: the group modules behind their features, `METHODS`, `find_method`
/// and `call_json`.
pub fn emit_root(out: &mut Out, ir: &Ir) {
    let groups = ir.groups();
    for (group, methods) in &groups {
        let mut doc = Doc::new();
        doc.raw(format!(
            "Product group `{group}` (Cargo feature `{group}`): {} method{}.",
            methods.len(),
            if methods.len() == 1 { "" } else { "s" }
        ));
        out.doc(&doc);
        out.linef(format_args!("#[cfg(feature = {})]", lit(group)));
        out.openf(format_args!("pub mod {group} {{"));
        out.linef(format_args!("include!({});", lit(&format!("{group}.rs"))));
        out.close("}");
    }
    out.line("/// Every generated method of the enabled groups, sorted by name.");
    if ir.methods.is_empty() {
        out.line("pub static METHODS: &[::alipay_runtime::MethodDescriptor] = &[];");
    } else {
        out.open("pub static METHODS: &[::alipay_runtime::MethodDescriptor] = &[");
        for m in ir.methods.values() {
            out.linef(format_args!("#[cfg(feature = {})]", lit(&m.group)));
            out.linef(format_args!("{}::{}::DESCRIPTOR,", m.group, m.module));
        }
        out.close("];");
    }
    out.raw(FIND_METHOD);
    out.raw(CALL_JSON_HEAD);
    out.set_depth(2);
    for m in ir.methods.values() {
        out.linef(format_args!("#[cfg(feature = {})]", lit(&m.group)));
        out.openf(format_args!("{} => {{", lit(&m.method)));
        out.call(
            &format!("let request = {}::{}::request_from_json", m.group, m.module),
            &["Some(&biz_content)", "form"],
            ";",
        );
        out.line("__parts(request)");
        out.close("}");
    }
    out.set_depth(0);
    out.raw(CALL_JSON_TAIL);
}

const FIND_METHOD: &str = r#"/// The method named `name` (for example `alipay.user.agreement.auth.confirm`), if it
/// is generated and its group enabled.
pub fn find_method(name: &str) -> Option<&'static ::alipay_runtime::MethodDescriptor> {
    METHODS.binary_search_by(|m| m.method.cmp(name)).ok().and_then(|i| METHODS.get(i))
}
"#;

const CALL_JSON_HEAD: &str = r#"/// Calls the method named `method` with its parameters as JSON: `biz_content` and the
/// fields the method sends as form fields. The parameters go through the method's
/// typed request and its validation; the answer is the verified response node, as
/// Alipay sent it. A business error carries the method's documentation of its code.
#[allow(unused_variables)]
pub async fn call_json(
    client: &::alipay_runtime::Client,
    method: &str,
    biz_content: ::serde_json::Value,
    form: &[(String, String)],
) -> Result<::serde_json::Value, ::alipay_runtime::Error<::alipay_runtime::DynBizCode>> {
    let parts = match method {
"#;

const CALL_JSON_TAIL: &str = r#"        _ => {
            Err(
                ::alipay_runtime::ValidationError::new(
                    "method",
                    ::alipay_runtime::Rule::Unsupported(
                        "is not a generated method (check the name and the enabled feature groups)",
                    ),
                ),
            )
        }
    };
    let parts = parts.map_err(::alipay_runtime::Error::InvalidRequest)?;
    let errors = find_method(method).map_or(&[][..], |m| m.errors);
    let documented = |code: ::alipay_runtime::DynBizCode| {
        ::alipay_runtime::DynBizCode::documented(&code.code, errors)
    };
    let verified = client
        .execute_raw(method, &parts)
        .await
        .map_err(|e| e.map_business(documented))?;
    ::serde_json::from_str(verified.node_text())
        .map_err(|e| ::alipay_runtime::Error::MalformedBody {
            reason: ::std::format!("the verified response node is not JSON: {e}"),
        })
}
/// Validates a typed request and builds what it sends: only this step depends on the
/// method, so `call_json` compiles one call path for all of them.
#[allow(dead_code)]
fn __parts<M: ::alipay_runtime::Method>(
    request: Result<M, ::alipay_runtime::ValidationError>,
) -> Result<::alipay_runtime::RequestParts, ::alipay_runtime::ValidationError> {
    let request = request?;
    request.validate()?;
    request.to_parts()
}
"#;
