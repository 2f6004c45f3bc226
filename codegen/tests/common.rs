//! What the files of this folder share: scratch folders, and the whole catalog of `../shared`,
//! unpacked and loaded once for the test binary.

use std::path::Path;
use std::process::Command;
use std::sync::OnceLock;

use alipay_codegen::spec::{Spec, load_dir};

/// The number of methods in `shared/corpus/catalog.tar.gz`.
pub const CORPUS_METHODS: usize = 8944;

/// The catalog of `shared/corpus/catalog.tar.gz` (8,944 methods converted from the official
/// SDK's models), unpacked with `tar` from PATH into a temp folder and loaded once for every
/// test that reads it; it must load without a problem. The tarball is part of `../shared`,
/// which the tests need beside the checkout: without it they fail.
pub fn corpus() -> &'static [Spec] {
    static SPECS: OnceLock<Vec<Spec>> = OnceLock::new();
    SPECS.get_or_init(|| {
        let tarball =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus/catalog.tar.gz");
        assert!(
            tarball.exists(),
            "the corpus tarball is not at {}: the tests need ../shared beside the checkout",
            tarball.display()
        );
        let dir = tempfile::Builder::new()
            .prefix("alipay-codegen-corpus-")
            .tempdir()
            .expect("temp folder");
        let status = Command::new("tar")
            .arg("-xzf")
            .arg(&tarball)
            .arg("-C")
            .arg(dir.path())
            .status()
            .expect("`tar` must be on PATH to unpack the corpus");
        assert!(status.success(), "tar failed on {}", tarball.display());
        let report = load_dir(dir.path().join("catalog"));
        let problems: Vec<String> = report
            .diagnostics
            .iter()
            .take(20)
            .map(ToString::to_string)
            .collect();
        assert!(
            problems.is_empty(),
            "{} problems, first:\n{}",
            report.diagnostics.len(),
            problems.join("\n")
        );
        report.specs.into_iter().map(|(_, s)| s).collect()
    })
}

/// A fresh, empty folder for one test, removed when it is dropped (a failing test's too).
pub fn scratch() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("alipay-codegen-test-")
        .tempdir()
        .expect("scratch folder")
}
