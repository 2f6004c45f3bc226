//! The generator's golden output: the code generated from `codegen/tests/fixtures/specs`,
//! checked in under `src/generated` and compiled here with warnings denied, so a change in
//! the generator that emits a warning, a missing doc or broken code fails the build.
//!
//! Regenerate with `UPDATE_GOLDEN=1 cargo test -p alipay-codegen --test integration golden::`.

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

/// What a generated request refuses at compile time: each `compile_fail` example below must
/// fail with the error code it names, and the plain example beside it shows that the same
/// code compiles once the mistake is gone.
///
/// `new` takes every required field: leaving one out does not compile (E0061, wrong number of
/// arguments).
///
/// ```compile_fail,E0061
/// use alipay_codegen_golden::user::agreement_auth_confirm::Request;
///
/// let _ = Request::new("20170502000610755993", "MDEDUCT0068292ca377d1d44b65fa24ec9cd89132f");
/// ```
///
/// ```
/// use alipay_codegen_golden::user::agreement_auth_confirm::Request;
///
/// let _ = Request::new(
///     "20170502000610755993",
///     "MDEDUCT0068292ca377d1d44b65fa24ec9cd89132f",
///     "20170502000610755993001",
/// );
/// ```
///
/// Requests are `#[non_exhaustive]`: a struct literal cannot bypass `new`, even with every
/// field given (E0639).
///
/// ```compile_fail,E0639
/// use alipay_codegen_golden::user::agreement_auth_confirm::Request;
///
/// let _ = Request {
///     agreement_no: String::new(),
///     apply_token: String::new(),
///     auth_confirm_no: String::new(),
/// };
/// ```
pub mod compile_checks {}
