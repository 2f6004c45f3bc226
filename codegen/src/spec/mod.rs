//! The spec format: model, loading and linting.

pub mod model;
pub mod types;
mod yaml;

pub use model::*;
pub use types::{TypeError, TypeRef, is_model_name};
