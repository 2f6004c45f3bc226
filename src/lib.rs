//! Typed, verified Alipay OpenAPI client generated from the specs in `specs/`.

pub use alipay_runtime as runtime;
