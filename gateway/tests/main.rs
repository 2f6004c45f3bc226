//! The tests of the local gateway, over real HTTP on 127.0.0.1.
//!
//! One test binary for the crate: each file of this folder is a module of it, so the tree is
//! linked once, not once per file (`cargo test -p <crate> --test integration <file>::` runs
//! one file's tests).

mod bounds;
mod modes;
mod protocol;
mod refusals;
mod upload;
mod v3;
