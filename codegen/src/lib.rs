//! Generate typed Alipay OpenAPI clients from method specs.
//!
//! The spec format is documented in `specs/README.md`; [`spec`] loads and checks specs.

pub mod spec;
