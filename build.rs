//! Generates the client from the specs in `specs/` into `$OUT_DIR/alipay` (see
//! `alipay_codegen::Builder`); `src/lib.rs` includes it.

use std::path::PathBuf;

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let report = match alipay_codegen::Builder::new()
        .specs(root.join("specs"))
        .generate()
    {
        Ok(report) => report,
        Err(e) => {
            // A spec problem must fail the build with its location, not a panic backtrace.
            eprintln!("error: generating the Alipay client from specs/ failed:\n{e}");
            std::process::exit(1);
        }
    };

    // Each product group is compiled only under its Cargo feature. A spec in a new group
    // whose feature is not declared would silently generate nothing: refuse instead.
    let manifest_path = root.join("Cargo.toml");
    println!("cargo:rerun-if-changed={}", manifest_path.display());
    let manifest = std::fs::read_to_string(&manifest_path).unwrap_or_default();
    let declared = |group: &str| {
        manifest.lines().any(|line| {
            line.trim_start()
                .strip_prefix(group)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        })
    };
    let missing: Vec<&String> = report.groups.iter().filter(|g| !declared(g)).collect();
    if !missing.is_empty() {
        for group in missing {
            eprintln!(
                "error: specs/ has methods in product group `{group}`, but {} declares no \
                 feature `{group}`: add `{group} = []` under [features] and to `default`",
                manifest_path.display()
            );
        }
        std::process::exit(1);
    }
}
