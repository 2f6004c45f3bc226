//! `alipay-codegen` as a command: `check`'s exit codes, `generate` and `import` writing what
//! `check` accepts, and `features` keeping the manifest's sections.

use alipay_codegen::spec;
use std::process::Command;

use tempfile::TempDir;

use crate::check::{EXPECTED, bad_dir, manifest_dir, seeds_dir};
use crate::common::scratch;

fn codegen() -> Command {
    Command::new(env!("CARGO_BIN_EXE_alipay-codegen"))
}

#[test]
fn cli_check_exit_codes() {
    let ok = codegen().arg("check").arg(seeds_dir()).output().unwrap();
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );

    let bad = codegen()
        .current_dir(bad_dir())
        .args(["check", ".", "common"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&bad.stderr);
    let printed: Vec<&str> = stderr
        .lines()
        .map(|l| l.strip_prefix("./").unwrap_or(l))
        .collect();
    for line in EXPECTED {
        assert!(printed.contains(line), "not printed: {line}\n{stderr}");
    }
    assert!(
        stderr.ends_with(&format!("{} problem(s) in 36 file(s)\n", EXPECTED.len())),
        "{stderr}"
    );

    let one = codegen()
        .arg("check")
        .arg(bad_dir().join("alipay.bad.maxlength.yaml"))
        .output()
        .unwrap();
    assert_eq!(one.status.code(), Some(1));

    for usage in [
        &["check"][..],
        &["frobnicate"],
        &["generate", "--specs", "x"],
        &[],
        &["check", "no/such/folder"],
        &["generate", "--specs", "no/such/folder", "--out", "x"],
    ] {
        let out = codegen().args(usage).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{usage:?}");
    }
}

/// A copy of the doc-page layer of `specs/` (without the SDK-model layer, thousands of
/// specs that debug builds of the generator take long over).
fn doc_page_specs() -> TempDir {
    let dir = scratch();
    for entry in std::fs::read_dir(seeds_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yaml") {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    dir
}

#[test]
fn cli_generate_writes_then_checks() {
    let out_dir = scratch();
    let out = out_dir.path();
    let specs = doc_page_specs();
    let specs = specs.path();
    let run = |extra: &[&str]| {
        let mut cmd = codegen();
        cmd.arg("generate")
            .arg("--specs")
            .arg(specs)
            .arg("--out")
            .arg(out)
            .args(extra);
        cmd.output().unwrap()
    };
    let typo = run(&["--methods", "alipay.usr.*"]);
    assert_eq!(typo.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&typo.stderr)
            .contains("--methods `alipay.usr.*` matches no method")
    );
    assert!(
        !out.join("mod.rs").exists(),
        "nothing generated on a usage error"
    );
    let first = run(&[]);
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_eq!(run(&["--check"]).status.code(), Some(0));

    let generated = out.join("mod.rs");
    let text = std::fs::read_to_string(&generated).unwrap();
    std::fs::write(&generated, format!("{text}// edited by hand\n")).unwrap();
    let stale = run(&["--check"]);
    assert_eq!(stale.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&stale.stderr).contains("mod.rs: out of date"));

    let bad = codegen()
        .arg("generate")
        .arg("--specs")
        .arg(bad_dir())
        .arg("--out")
        .arg(scratch().path())
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains(EXPECTED[0]));
}

#[test]
fn cli_import_writes_a_spec_that_passes_check() {
    let out_dir = scratch();
    let out = out_dir.path();
    let page = manifest_dir().join("../../shared/seeds/alipay.ebpp.pdeduct.sign.validate.txt");
    // The seed pages live in ../shared, which the tests need beside the checkout.
    assert!(page.exists(), "{} is missing", page.display());
    let run = codegen()
        .arg("import")
        .arg(&page)
        .arg("-o")
        .arg(out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    for line in stderr.lines() {
        let rest = line
            .strip_prefix(&format!("{}:", page.display()))
            .unwrap_or_else(|| panic!("{line}"));
        let (number, message) = rest
            .split_once(": warning: ")
            .unwrap_or_else(|| panic!("{line}"));
        assert!(
            number.parse::<usize>().is_ok() && !message.is_empty(),
            "{line}"
        );
    }
    let written = out.join("alipay.ebpp.pdeduct.sign.validate.yaml");
    let spec = spec::load_file(&written).unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(spec.method, "alipay.ebpp.pdeduct.sign.validate");

    let missing = codegen()
        .arg("import")
        .arg(out.join("no-such-page.txt"))
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
    let not_utf8 = out.join("latin1.txt");
    std::fs::write(&not_utf8, b"caf\xe9\n").unwrap();
    let bad_page = codegen().arg("import").arg(&not_utf8).output().unwrap();
    assert_eq!(bad_page.status.code(), Some(1));
}

/// The generated features section of the crate's manifest lists only groups that have
/// methods, sorted, and is what `features --write --crates catalog` writes, with the
/// dependencies section and the packages under `catalog/`. A group that has no feature yet is
/// not a failure here: it builds under `all-groups` and the build warns (a new spec in a new
/// group needs no other edit).
#[test]
fn the_manifest_lists_a_feature_per_group() {
    use alipay_codegen::catalog::Catalog;
    use alipay_codegen::features;
    let root = manifest_dir().join("..");
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    assert!(features::has_section(&manifest));
    let listed = features::section_features(&manifest);
    let files = spec::spec_files(seeds_dir()).unwrap();
    let mut groups: std::collections::BTreeMap<String, usize> = Default::default();
    let methods: std::collections::BTreeSet<&str> = files
        .iter()
        .filter_map(|f| f.file_name()?.to_str()?.strip_suffix(".yaml"))
        .filter(|m| *m != "common")
        .collect();
    for m in methods {
        *groups.entry(alipay_codegen::group_of(m)).or_default() += 1;
    }
    let stale: Vec<&String> = listed.iter().filter(|g| !groups.contains_key(*g)).collect();
    assert!(
        stale.is_empty(),
        "features of groups without methods: {stale:?}"
    );
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(listed, sorted);
    // What is listed is exactly what the generator writes for those groups (their sizes set
    // their parts), and so are the packages.
    let listed_groups: std::collections::BTreeMap<String, usize> = groups
        .iter()
        .filter(|(g, _)| listed.contains(g))
        .map(|(g, n)| (g.clone(), *n))
        .collect();
    // Named, versioned and with the registry keys of the manifest, as `features --write` does.
    let catalog = Catalog::alipay_openapi().named_by(&manifest).unwrap();
    let rewritten = features::replace_section(
        &manifest,
        &features::crates_section(&listed_groups, &catalog),
    )
    .and_then(|m| {
        features::replace_dependencies_section(
            &m,
            &features::dependencies_section(&listed_groups, &catalog),
        )
    })
    .unwrap();
    assert_eq!(
        rewritten, manifest,
        "run `alipay-codegen features --write Cargo.toml --crates catalog`"
    );
    for (rel, content) in catalog.files(&listed_groups) {
        let on_disk = std::fs::read_to_string(root.join(&rel)).unwrap_or_default();
        assert_eq!(
            on_disk,
            content,
            "{} differs: run `alipay-codegen features --write Cargo.toml --crates catalog`",
            rel.display()
        );
    }
    let report = features::check(&manifest, groups.keys().map(String::as_str)).unwrap();
    assert!(report.clashing.is_empty(), "{report:?}");
    for group in &report.missing {
        eprintln!(
            "warning: group `{group}` has no feature of its own yet (builds under all-groups)"
        );
    }
}
