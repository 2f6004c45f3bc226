//! The tests of the `alipay` command, run as a process.
//!
//! One test binary for the crate: each file of this folder is a module of it, so the tree is
//! linked once, not once per file (`cargo test -p <crate> --test integration <file>::` runs
//! one file's tests).

mod call_v3;
mod cert_mode;
mod common;
mod docs;
// The guides' blocks, read as the binary's own tests read them.
#[path = "../src/doc_pages.rs"]
mod doc_pages;
mod exit_codes;
mod gateway_keys;
mod help;
mod notify_verify;
mod page;
mod upload;
mod v3_gateway;
