//! The generator's golden output: the code generated from `codegen/tests/fixtures/specs`,
//! checked in under `src/generated` and compiled here with warnings denied, so a change in
//! the generator that emits a warning, a missing doc or broken code fails the build.
//!
//! Regenerate with `UPDATE_GOLDEN=1 cargo test -p alipay-codegen --test golden`.

#![deny(warnings)]
#![warn(missing_docs)]

include!("generated/mod.rs");
