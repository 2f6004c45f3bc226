//! Generate typed Alipay OpenAPI clients from method specs.
//!
//! The pipeline, and the functions a newcomer reads first:
//! 1. **Load and check** a folder of specs ([`spec::load_dir`]; the format is documented in
//!    `specs/README.md`): shape, then lint, every problem with its file and line.
//! 2. **Lower** the specs into the IR ([`ir::lower_with`]): every name, type, twin model and
//!    derive resolved once, by the [`Settings`].
//! 3. **Emit** the IR into formatted files (`emit::files`, one entry point for every layout
//!    of [`Layout`]): token trees built with `quote`, printed by `prettyplease`, one method's
//!    module per core (`emit::method::method_module`).
//! 4. **Write** only what changed ([`generate::write_files`]).
//!
//! What users call: [`Builder`] (from `build.rs`), [`generate`] (the same engine without the
//! build-script conveniences), [`spec`] (load and check), [`import`] (doc pages to specs),
//! [`diff`] (what changed between two spec folders), [`features`] and [`catalog`] (a crate's
//! Cargo features and its product groups as packages), [`progress`] (how far long work has
//! got, for a command that shows it), and for the `alipay` CLI [`ir`] and
//! `validate`. Everything else is the generator's own.

pub mod builder;
pub mod catalog;
pub mod diff;
mod emit;
pub mod features;
pub mod generate;
pub mod import;
pub mod ir;
mod naming;
mod parallel;
pub mod progress;
// The protocol's public names, written once in `alipay-protocol` (which the runtime re-exports
// as `alipay_runtime::protocol`): the generator must not depend on the runtime's HTTP stack.
use alipay_protocol as protocol;
mod settings;
pub mod spec;
#[cfg(feature = "validate")]
pub mod validate;

pub use builder::Builder;
pub use generate::{GenerateError, GenerateReport, generate_dir};
pub use naming::group_of;
pub use settings::{Layout, Settings};
