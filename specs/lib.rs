//! The method specs of alipay-rs as a data crate: the YAML files of this folder (the doc-page
//! specs, `common.yaml`) and of `sdk/` (the whole catalog converted from the SDK's models), in
//! the format `README.md` documents.
//!
//! It holds no code: [`DIR`] is where Cargo unpacked it, so that build scripts read the specs
//! from their own (build-)dependency rather than from a path outside their package. The crates
//! generated from it (`alipay-openapi`, its product groups' packages, the `alipay` command)
//! depend on it by version, so a published crate and the specs it was generated from move
//! together: the version policy (the repository's CHANGELOG.md) says what a spec change does
//! to the version.
//!
//! ```no_run
//! // build.rs
//! alipay_codegen::Builder::new()
//!     .specs(alipay_specs::DIR)
//!     .select_by_cargo_features()
//!     .generate()
//!     .unwrap();
//! ```

#![no_std]

/// The folder of the specs: `<method>.yaml` and `common.yaml` at its top, `sdk/<method>.yaml`
/// below (this package's own folder, as Cargo unpacked or checked it out). Read it from build
/// scripts only: a compiled program may run where the folder does not exist.
pub const DIR: &str = env!("CARGO_MANIFEST_DIR");

/// This crate's version: the version of the specs (see the crate's documentation).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
