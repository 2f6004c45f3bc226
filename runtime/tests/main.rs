//! The tests of `alipay-runtime`: the vectors, the keys, and the client over real HTTP on
//! 127.0.0.1.
//!
//! One test binary for the crate: each file of this folder is a module of it, so the tree is
//! linked once, not once per file (`cargo test -p <crate> --test integration <file>::` runs
//! one file's tests).

mod aes;
mod cert;
mod config;
mod faults;
mod fuzz;
mod keys;
mod notify;
mod notify_handler;
mod notify_limits;
mod page;
mod protocol;
mod response;
mod server;
mod spans;
mod strict_input;
mod transport;
mod upload;
mod v3;
mod v3_client;
mod vectors;
