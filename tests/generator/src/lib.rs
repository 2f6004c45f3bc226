//! The code `alipay-codegen` generates from `specs/`, included as docs/specs.md shows.

// src/lib.rs
include!(concat!(env!("OUT_DIR"), "/alipay/mod.rs"));
