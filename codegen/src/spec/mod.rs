//! The spec format: model, loading and linting.

pub mod model;
mod yaml;

pub use model::*;
