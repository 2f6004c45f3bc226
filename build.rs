//! Generates the client from the specs in `specs/` into `$OUT_DIR/alipay` (see
//! `alipay_codegen::Builder`); `src/lib.rs` includes it.

use std::path::PathBuf;

fn main() {
    let specs =
        PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default()).join("specs");
    if let Err(e) = alipay_codegen::Builder::new().specs(specs).generate() {
        // A spec problem must fail the build with its location, not a panic backtrace.
        eprintln!("error: generating the Alipay client from specs/ failed:\n{e}");
        std::process::exit(1);
    }
}
