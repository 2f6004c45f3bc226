//! Generates the client from the specs of the `alipay-specs` data crate (the folder `specs/`,
//! and its `sdk/` layer) into
//! `$OUT_DIR/alipay` (see `alipay_codegen::Builder`); `src/lib.rs` includes it. Only what the
//! enabled Cargo features select is generated: `curated` (the doc-page specs), one feature
//! per product group, `all-groups`; the untyped JSON path (`call_json`, `request_from_json`)
//! only with `json`.

use std::path::PathBuf;

use alipay_codegen::features::{self, Severity};

fn main() {
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let manifest_path = root.join("Cargo.toml");
    let manifest = match std::fs::read_to_string(&manifest_path) {
        Ok(manifest) => manifest,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", manifest_path.display());
            std::process::exit(1);
        }
    };
    let feature_on = |name: &str| {
        let var = format!(
            "CARGO_FEATURE_{}",
            name.to_ascii_uppercase().replace('-', "_")
        );
        std::env::var_os(var).is_some()
    };
    let mut builder = alipay_codegen::Builder::new()
        .specs(alipay_specs::DIR)
        .select_by_cargo_features()
        // The untyped JSON path is the `json` feature's.
        .json(feature_on("json"));
    // An enabled group that has packages of its own (catalog/) is compiled there, in its own
    // rustc: its module re-exports them. The others are generated here.
    match alipay_codegen::features::group_crates(&manifest) {
        Ok(crates) => {
            for (group, parts) in crates.into_iter().filter(|(g, _)| feature_on(g)) {
                builder = builder.external_group(group, parts);
            }
        }
        Err(e) => {
            eprintln!("error: {}: {e}", manifest_path.display());
            std::process::exit(1);
        }
    }
    let report = match builder.generate() {
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
    println!("cargo:rerun-if-changed={}", manifest_path.display());
    let checked = features::check(&manifest, report.all_groups.iter().map(|(g, _)| g.as_str()));
    let messages = match checked {
        Ok(check) => check.messages("Cargo.toml"),
        Err(e) => vec![(Severity::Error, e.to_string())],
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
