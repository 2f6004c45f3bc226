//! The tests of the golden output, compiled as a crate.
//!
//! One test binary for the crate: each file of this folder is a module of it, so the tree is
//! linked once, not once per file (`cargo test -p <crate> --test integration <file>::` runs
//! one file's tests).

mod behaviour;
mod call_json;
mod notification;
