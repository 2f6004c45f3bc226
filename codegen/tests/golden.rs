//! Golden files: the fixture specs' generated code is checked in under `golden/src/generated`
//! (compiled, warnings denied, by the `alipay-codegen-golden` crate). Regenerate with
//! `UPDATE_GOLDEN=1 cargo test -p alipay-codegen --test golden`.

use std::path::{Path, PathBuf};

use alipay_codegen::generate::{generate_dir, generate_files, write_files};
use alipay_codegen::spec::{Spec, load_dir};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/specs")
}

fn golden() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("golden/src/generated")
}

fn load_fixtures() -> Vec<Spec> {
    let report = load_dir(fixtures());
    let problems: Vec<String> = report.diagnostics.iter().map(ToString::to_string).collect();
    assert!(
        problems.is_empty(),
        "fixture specs have problems:\n{}",
        problems.join("\n")
    );
    report.specs.into_iter().map(|(_, s)| s).collect()
}

/// A fresh empty folder under the system temp folder.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("alipay-codegen-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn generated_code_matches_the_goldens() {
    let specs = load_fixtures();
    assert_eq!(specs.len(), 5);
    let files = generate_files(&specs).unwrap();
    let update = std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let report = write_files(&files, &golden(), !update).unwrap();
    if !update {
        assert!(
            report.differing().is_empty(),
            "generated code differs from the goldens in {:?}; if intended, rerun with UPDATE_GOLDEN=1",
            report.differing()
        );
    }
    assert_eq!(report.unchanged + report.written.len(), files.len());
}

#[test]
fn output_does_not_depend_on_input_order() {
    let specs = load_fixtures();
    let forward = generate_files(&specs).unwrap();
    let backward = generate_files(specs.iter().rev()).unwrap();
    assert_eq!(forward, backward);
    let again = generate_files(&specs).unwrap();
    assert_eq!(forward, again);
}

#[test]
fn every_file_has_the_generated_header_and_the_layout_is_one_module_per_method() {
    let files = generate_files(&load_fixtures()).unwrap();
    let names: Vec<String> = files
        .keys()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect();
    assert_eq!(
        names,
        [
            "ebpp/mod.rs",
            "ebpp/pdeduct_sign_validate.rs",
            "hard_names/mod.rs",
            "hard_names/type_query.rs",
            "mod.rs",
            "shapes/mod.rs",
            "shapes/order_create.rs",
            "shapes/ping.rs",
            "user/agreement_auth_confirm.rs",
            "user/mod.rs",
        ]
    );
    for (path, text) in &files {
        assert!(text.starts_with("// @generated"), "{}", path.display());
        assert!(
            !text.contains("#!["),
            "{}: included files cannot hold inner attributes",
            path.display()
        );
        assert!(
            !text.contains("//!"),
            "{}: included files cannot hold inner docs",
            path.display()
        );
    }
    let root = &files[Path::new("mod.rs")];
    for group in ["ebpp", "hard_names", "shapes", "user"] {
        assert!(
            root.contains(&format!(
                "#[cfg(feature = \"{group}\")]\npub mod {group} {{"
            )),
            "{group}"
        );
    }
}

#[test]
fn generate_dir_writes_only_changes_deletes_removed_methods_and_checks() {
    let specs_dir = scratch("specs");
    let out = scratch("out");
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, specs_dir.join(path.file_name().unwrap())).unwrap();
    }
    let first = generate_dir(&specs_dir, &out, false).unwrap();
    assert_eq!(first.methods, 5);
    assert_eq!(first.groups, ["ebpp", "hard_names", "shapes", "user"]);
    assert_eq!(first.written.len(), 10);
    assert!(first.removed.is_empty());

    let second = generate_dir(&specs_dir, &out, true).unwrap();
    assert!(second.differing().is_empty());
    assert_eq!(second.unchanged, 10);

    // A hand-written file in the output folder is never touched.
    std::fs::write(out.join("notes.rs"), "// mine\n").unwrap();
    std::fs::remove_file(specs_dir.join("alipay.shapes.ping.yaml")).unwrap();
    let check = generate_dir(&specs_dir, &out, true).unwrap();
    let differing: Vec<String> = check
        .differing()
        .iter()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect();
    assert_eq!(differing, ["mod.rs", "shapes/mod.rs", "shapes/ping.rs"]);
    assert!(
        out.join("shapes/ping.rs").exists(),
        "check mode must not touch files"
    );

    let third = generate_dir(&specs_dir, &out, false).unwrap();
    assert_eq!(third.removed, [PathBuf::from("shapes/ping.rs")]);
    assert_eq!(third.written.len(), 2);
    assert!(!out.join("shapes/ping.rs").exists());
    assert!(out.join("notes.rs").exists());
    assert_eq!(third.inputs.len(), 4);

    let _ = std::fs::remove_dir_all(&specs_dir);
    let _ = std::fs::remove_dir_all(&out);
}

mod layout;

#[test]
fn goldens_are_laid_out_as_prettyplease_prints_them() {
    let specs = load_fixtures();
    let files = generate_files(&specs).unwrap();
    let problems: Vec<String> = files
        .iter()
        .filter_map(|(path, text)| {
            layout::layout_difference(text).map(|d| format!("{}: {d}", path.display()))
        })
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
