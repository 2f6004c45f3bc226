//! The tests of `alipay-codegen`: the checker, the generator, the importer, the diff and
//! the CLI.
//!
//! One test binary for the crate: each file of this folder is a module of it, so the tree is
//! linked once, not once per file (`cargo test -p <crate> --test integration <file>::` runs
//! one file's tests).

mod check;
mod cli;
mod common;
mod corpus;
mod diff;
mod diff_examples;
mod docs;
mod golden;
mod import;
mod layout;
mod loader_robustness;
mod openapi;
mod output_files;
mod scale;
mod spec_readme;
mod terminal;
