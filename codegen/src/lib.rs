//! Generate typed Alipay OpenAPI clients from method specs.
//!
//! The spec format is documented in `specs/README.md`; [`spec`] loads and checks specs.

pub mod builder;
pub mod catalog;
pub mod diff;
pub mod emit;
pub mod features;
pub mod generate;
pub mod import;
pub mod ir;
pub mod layout;
pub mod naming;
mod parallel;
// The runtime's list of the protocol's public names (`runtime/src/protocol.rs`), compiled here
// too: the generator must not depend on the runtime's HTTP stack, and the names are written once.
#[allow(dead_code)]
#[path = "../../runtime/src/protocol.rs"]
mod protocol;
pub mod spec;
#[cfg(feature = "validate")]
pub mod validate;

pub use builder::Builder;
pub use generate::{GenerateError, GenerateReport, generate_dir};
