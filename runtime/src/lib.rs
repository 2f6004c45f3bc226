//! Runtime for generated Alipay OpenAPI clients.
//!
//! This crate knows nothing about any particular Alipay method. Generated code implements
//! [`Method`] for each request type; the [`Client`] signs, sends and verifies.

pub mod de;
pub mod method;
pub mod price;
pub mod validate;

pub use method::{BizErrorCode, ErrorDoc, Method, MethodDescriptor, RequestParts};
pub use price::Price;
pub use validate::{Rule, ValidationError};
