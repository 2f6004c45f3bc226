//! Generate typed Alipay OpenAPI clients from method specs.
//!
//! The spec format is documented in `specs/README.md`; [`spec`] loads and checks specs.

pub mod builder;
pub mod diff;
pub mod emit;
pub mod generate;
pub mod import;
pub mod ir;
pub mod naming;
mod parallel;
pub mod spec;

pub use builder::Builder;
pub use generate::{GenerateError, GenerateReport, generate_dir};
