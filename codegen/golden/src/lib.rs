//! The generator's golden output: the code generated from `codegen/tests/fixtures/specs`,
//! checked in under `src/generated` and compiled here with warnings denied, so a change in
//! the generator that emits a warning, a missing doc or broken code fails the build.
//!
//! Regenerate with `UPDATE_GOLDEN=1 cargo test -p alipay-codegen --test golden`.

#![deny(warnings)]
#![warn(missing_docs)]

include!("generated/mod.rs");

/// The code generated from the compile-fuzz specs (hostile names and text that `check`
/// accepts; see `build.rs`), compiled here with warnings denied like the goldens.
pub mod compile_fuzz {
    // The names the client crate (`alipay-openapi`) defines beside the generated code, so a
    // product group that takes one fails here as it would there.
    pub use ::alipay_runtime as runtime;
    /// Stands for the client crate's `gateway` module.
    pub mod gateway {}

    include!(concat!(env!("OUT_DIR"), "/fuzz/mod.rs"));
}
