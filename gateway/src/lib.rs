//! A local, spec-driven Alipay gateway for tests and demos.
