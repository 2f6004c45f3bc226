//! The root and group files: module tree, method registry and dynamic calls.

use std::path::PathBuf;

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::docs::Doc;
use crate::emit::{ident, lit};
use crate::ir::Ir;

/// The file of a group's methods, relative to the output folder: `<group>.rs`.
pub fn group_file(group: &str) -> PathBuf {
    PathBuf::from(format!("{group}.rs"))
}

/// A group module's body in the default layout: its file, included.
pub fn include_group(group: &str) -> TokenStream {
    let file = lit(&format!("{group}.rs"));
    quote! { include!(#file); }
}

/// The root `mod.rs`: the group modules, `METHODS`, `find_method` and `call_json`. It is
/// included into a module of the user's crate, whose own names (a `Result` alias, say) are
/// in scope: prelude types are spelled in full. The groups are behind their Cargo features
/// when `feature_gates` (a build script that generates only the enabled groups leaves the
/// gates out); each group module's body comes from `body` (the vendored crates layout
/// re-exports the group's crates there). Without the JSON path ([`Ir::json`]) the root has
/// no `call_json`.
pub fn emit_root(ir: &Ir, feature_gates: bool, body: &dyn Fn(&str) -> TokenStream) -> TokenStream {
    // Long because: one quote! of the root file, read as the file it prints.
    let gate = |group: &str| {
        let feature = lit(group);
        if feature_gates {
            quote! { #[cfg(feature = #feature)] }
        } else {
            quote! {}
        }
    };
    let groups = ir.groups().into_iter().map(|(group, methods)| {
        let mut doc = Doc::new();
        doc.raw(format!(
            "Product group `{group}` (Cargo feature `{group}`): {} method{}.",
            methods.len(),
            if methods.len() == 1 { "" } else { "s" }
        ));
        let (docs, cfg, module) = (doc.attrs(), gate(group), ident(group));
        let items = body(group);
        quote! {
            #docs
            #cfg
            pub mod #module {
                #items
            }
        }
    });
    let descriptors = ir.methods.values().map(|m| {
        let (cfg, group, module) = (gate(&m.group), ident(&m.group), ident(&m.module));
        quote! {
            #cfg
            #group::#module::DESCRIPTOR
        }
    });
    let arms = ir.methods.values().map(|m| {
        let (cfg, name) = (gate(&m.group), lit(&m.method));
        let (group, module) = (ident(&m.group), ident(&m.module));
        quote! {
            #cfg
            #name => {
                let request = #group::#module::request_from_json(Some(&biz_content), form);
                __parts(request)
            }
        }
    });
    let registry = quote! {
        #(#groups)*
        /// Every generated method of the enabled groups, sorted by name.
        pub static METHODS: &[::alipay_runtime::MethodDescriptor] = &[#(#descriptors),*];
        /// The method named `name` (for example `alipay.user.agreement.auth.confirm`), if it
        /// is generated and its group enabled.
        pub fn find_method(name: &str) -> ::core::option::Option<&'static ::alipay_runtime::MethodDescriptor> {
            METHODS.binary_search_by(|m| m.method.cmp(name)).ok().and_then(|i| METHODS.get(i))
        }
    };
    if !ir.json {
        return registry;
    }
    quote! {
        #registry
        /// Calls the method named `method` with its parameters as JSON: `biz_content` and the
        /// fields the method sends as form fields. The parameters go through the method's
        /// typed request and its validation; the answer is the verified response node, as
        /// Alipay sent it. A business error carries the method's documentation of its code.
        /// A page or app method is refused (`Error::WrongCallStyle`), as `execute` refuses it.
        #[allow(unused_variables)]
        pub async fn call_json(
            client: &::alipay_runtime::Client,
            method: &str,
            biz_content: ::serde_json::Value,
            form: &[(::std::string::String, ::std::string::String)],
        ) -> ::core::result::Result<::serde_json::Value, ::alipay_runtime::Error<::alipay_runtime::DynBizCode>> {
            let parts = match method {
                #(#arms)*
                _ => {
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
            let descriptor = find_method(method);
            if let Some(m) = descriptor.filter(|m| m.call_style != ::alipay_runtime::CallStyle::Server) {
                return Err(::alipay_runtime::Error::WrongCallStyle(::alipay_runtime::CallStyleError {
                    method: m.method.into(),
                    call_style: m.call_style,
                    called: "call_json",
                }));
            }
            let errors = descriptor.map_or(&[][..], |m| m.errors);
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
            request: ::core::result::Result<M, ::alipay_runtime::ValidationError>,
        ) -> ::core::result::Result<::alipay_runtime::RequestParts, ::alipay_runtime::ValidationError> {
            let request = request?;
            request.validate()?;
            request.to_parts()
        }
    }
}
