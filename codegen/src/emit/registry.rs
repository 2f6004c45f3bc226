//! The root and group files: module tree, method registry and dynamic calls.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit::docs::Doc;
use crate::emit::method::method_doc;
use crate::emit::types::ident;
use crate::emit::types::{OPTION, RESULT, STRING};
use crate::ir::{Ir, MethodIr};
use crate::naming;

/// The file name of a method's module inside its group folder.
pub fn method_file(m: &MethodIr) -> String {
    format!("{}.rs", naming::collision_key(&m.module))
}

/// A group's `mod.rs`: one documented module per method, each including its file.
pub fn emit_group(methods: &[&MethodIr]) -> TokenStream {
    let mods = methods.iter().map(|m| {
        let doc = method_doc(m).tokens();
        let name = ident(&m.module);
        let file = method_file(m);
        quote! {
            #doc
            pub mod #name {
                include!(#file);
            }
        }
    });
    quote!(#(#mods)*)
}

/// The root `mod.rs`: the group modules behind their features, `METHODS`, `find_method`
/// and `call_json`.
pub fn emit_root(ir: &Ir) -> TokenStream {
    let groups = ir.groups();
    let mods = groups.iter().map(|(group, methods)| {
        let name = ident(group);
        let file = format!("{group}/mod.rs");
        let mut doc = Doc::new();
        doc.raw(format!(
            "Product group `{group}` (Cargo feature `{group}`): {} method{}.",
            methods.len(),
            if methods.len() == 1 { "" } else { "s" }
        ));
        let doc = doc.tokens();
        quote! {
            #doc
            #[cfg(feature = #group)]
            pub mod #name {
                include!(#file);
            }
        }
    });
    let paths = |m: &MethodIr| {
        let g = ident(&m.group);
        let md = ident(&m.module);
        (m.group.clone(), quote!(#g::#md))
    };
    let descriptors = ir.methods.values().map(|m| {
        let (group, path) = paths(m);
        quote!(#[cfg(feature = #group)] #path::DESCRIPTOR,)
    });
    let arms = ir.methods.values().map(|m| {
        let (group, path) = paths(m);
        let name = &m.method;
        quote! {
            #[cfg(feature = #group)]
            #name => __call(client, #path::request_from_json(Some(&biz_content), form)).await,
        }
    });
    quote! {
        #(#mods)*

        /// Every generated method of the enabled groups, sorted by name.
        pub static METHODS: &[::alipay_runtime::MethodDescriptor] = &[#(#descriptors)*];

        /// The method named `name` (for example `alipay.user.agreement.auth.confirm`), if it
        /// is generated and its group enabled.
        pub fn find_method(name: &str) -> #OPTION<&'static ::alipay_runtime::MethodDescriptor> {
            METHODS
                .binary_search_by(|m| m.method.cmp(name))
                .ok()
                .and_then(|i| METHODS.get(i))
        }

        /// Calls the method named `method` with its parameters as JSON: `biz_content` and the
        /// fields the method sends as form fields. The parameters go through the method's
        /// typed request and its validation; the answer is the typed response as JSON.
        #[allow(unused_variables)]
        pub async fn call_json(
            client: &::alipay_runtime::Client,
            method: &str,
            biz_content: ::serde_json::Value,
            form: &[(#STRING, #STRING)],
        ) -> #RESULT<::serde_json::Value, ::alipay_runtime::Error<::alipay_runtime::DynBizCode>> {
            match method {
                #(#arms)*
                _ => Err(::alipay_runtime::Error::InvalidRequest(
                    ::alipay_runtime::ValidationError::new(
                        "method",
                        ::alipay_runtime::Rule::Unsupported(
                            "is not a generated method (check the name and the enabled feature groups)",
                        ),
                    ),
                )),
            }
        }

        #[allow(dead_code)]
        async fn __call<M: ::alipay_runtime::Method>(
            client: &::alipay_runtime::Client,
            request: #RESULT<M, ::alipay_runtime::ValidationError>,
        ) -> #RESULT<::serde_json::Value, ::alipay_runtime::Error<::alipay_runtime::DynBizCode>>
        where
            M::Response: ::serde::Serialize,
        {
            let request = request.map_err(::alipay_runtime::Error::InvalidRequest)?;
            let response = client
                .execute(&request)
                .await
                .map_err(|e| e.map_business(|code| ::alipay_runtime::DynBizCode::from_typed(&code)))?;
            ::serde_json::to_value(&response).map_err(|e| ::alipay_runtime::Error::MalformedBody {
                reason: ::std::format!("the response could not be turned into JSON: {e}"),
            })
        }
    }
}
