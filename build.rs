//! Generates the client from the specs in `specs/` (and its `sdk/` layer) into
//! `$OUT_DIR/alipay` (see `alipay_codegen::Builder`); `src/lib.rs` includes it. Only what the
//! enabled Cargo features select is generated: `curated` (the doc-page specs), one feature
//! per product group, `all-groups`; the untyped JSON path (`call_json`, `request_from_json`)
//! only with `json`.

use std::path::PathBuf;

use alipay_codegen::features::{self, Severity};

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let report = match alipay_codegen::Builder::new()
        .specs(root.join("specs"))
        .select_by_cargo_features()
        // The untyped JSON path is the `json` feature's.
        .json(std::env::var_os("CARGO_FEATURE_JSON").is_some())
        .generate()
    {
        Ok(report) => report,
        Err(e) => {
            // A spec problem must fail the build with its location, not a panic backtrace.
            eprintln!("error: generating the Alipay client from specs/ failed:\n{e}");
            std::process::exit(1);
        }
    };

    // Every product group should have its own feature, declared in the manifest's generated
    // section. The manifest is parsed as TOML: a dependency or a key of another table named
    // like a group is not its feature.
    let manifest_path = root.join("Cargo.toml");
    println!("cargo:rerun-if-changed={}", manifest_path.display());
    let checked = std::fs::read_to_string(&manifest_path)
        .map_err(|e| format!("cannot read {}: {e}", manifest_path.display()))
        .and_then(|manifest| {
            features::check(&manifest, report.all_groups.iter().map(|(g, _)| g.as_str()))
        });
    let messages = match checked {
        Ok(check) => check.messages("Cargo.toml"),
        Err(e) => vec![(Severity::Error, e)],
    };
    let mut failed = false;
    for (severity, message) in messages {
        match severity {
            // A group without a feature still builds under `all-groups`; say so, go on.
            Severity::Warning => println!("cargo:warning={message}"),
            Severity::Error => {
                eprintln!("error: {message}");
                failed = true;
            }
        }
    }
    if failed {
        std::process::exit(1);
    }
}
