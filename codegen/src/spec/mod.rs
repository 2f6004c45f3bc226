//! The spec format: model, loading and linting.
//!
//! [`load_file`], [`load_str`] and [`load_dir`] read specs and check them in two passes: the
//! shape (every key known, every required key present, every value of the right kind), then
//! the lints (names, types, references, duplicates, collisions). Every problem is a
//! [`Diagnostic`] naming file, line, column and field path; loading never panics.

pub mod common;
mod diagnostic;
mod lint;
mod load;
pub mod model;
mod report;
mod shape;
mod tree;
pub mod types;
mod yaml;

pub use common::{COMMON_FILE, CommonSpec, GatewayCode};
pub use diagnostic::{Diagnostic, Pos};
pub(crate) use lint::PUBLIC_QUERY;
pub use lint::{DATE_FORMATS, is_method_name, is_snake_ident};
pub use load::{
    LoadReport, SDK_LAYER, in_sdk_layer, load_bytes, load_common_file, load_common_str, load_dir,
    load_dir_where, load_file, load_paths, load_str, spec_files,
};
pub use model::*;
pub use types::{TypeError, TypeRef, is_model_name};
pub(crate) use yaml::to_json as yaml_to_json;
pub use yaml::{ToYamlError, to_yaml};
