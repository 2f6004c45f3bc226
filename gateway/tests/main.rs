//! The tests of the local gateway, over real HTTP on 127.0.0.1.
//!
//! One test binary for the crate: each file of this folder is a module of it, so the tree is
//! linked once, not once per file (`cargo test -p <crate> --test integration <file>::` runs
//! one file's tests).

/// Implements [`alipay_runtime::Method`] for a test request as `$descriptor` (a
/// `MethodDescriptor` the test's gateway serves) declares it: nothing to check on this side,
/// its `biz_content` the JSON that `biz` makes of the request.
macro_rules! json_method {
    ($ty:ty => $response:ty, $descriptor:expr, |$req:pat_param| $biz:expr $(,)?) => {
        impl alipay_runtime::Method for $ty {
            const METHOD: &'static str = $descriptor.method;
            const RESPONSE_NODE: &'static str = $descriptor.response_node;
            const CALL_STYLE: alipay_runtime::CallStyle = $descriptor.call_style;
            const ROUTE: Option<alipay_runtime::v3::Route> = $descriptor.route;
            type Response = $response;
            type BizError = alipay_runtime::DynBizCode;

            fn validate(&self) -> Result<(), alipay_runtime::validate::ValidationError> {
                Ok(())
            }

            fn to_parts(
                &self,
            ) -> Result<alipay_runtime::RequestParts, alipay_runtime::validate::ValidationError>
            {
                let $req = self;
                alipay_runtime::RequestParts::biz_content_of(&$biz)
            }
        }
    };
}

mod bounds;
mod modes;
mod protocol;
mod refusals;
mod upload;
mod v3;
