//! The whole catalog (`shared/corpus/catalog.tar.gz`, 8,944 methods converted from the
//! official SDK) loads, lints clean and generates. Compiling the generated catalog is out of
//! the test suite (it takes minutes); the figures are in the closing note of issue 6.

use std::path::Path;
use std::time::Instant;

use alipay_codegen::generate::{generate_files, write_files};
use alipay_codegen::spec::Spec;

use crate::common::{CORPUS_METHODS as METHODS, corpus, scratch};

#[test]
fn the_whole_catalog_loads_and_generates() {
    // Long because: the corpus is unpacked and generated once; each property is checked on that one output.
    // Loaded once for the test binary (the diff tests read it too): the load time below is
    // this test's wait for it.
    let started = Instant::now();
    let loaded_specs = corpus();
    assert_eq!(loaded_specs.len(), METHODS);
    let loaded = started.elapsed();

    let specs: Vec<&Spec> = loaded_specs.iter().collect();
    let started = Instant::now();
    let files = generate_files(specs.iter().copied()).unwrap();
    let generated = started.elapsed();

    // One file per group, the root `mod.rs`.
    let groups = files.len() - 1;
    assert!(files.keys().all(|p| p.components().count() == 1));
    assert!(groups > 50, "{groups} groups");
    let bytes: usize = files.values().map(String::len).sum();
    for (path, text) in &files {
        assert!(text.starts_with("// @generated"), "{}", path.display());
    }
    // Every method is in the registry, and every hard name came out escaped.
    let root = &files[Path::new("mod.rs")];
    assert_eq!(root.matches("::DESCRIPTOR,").count(), METHODS);
    let all: String = files.values().map(String::as_str).collect();
    for needle in [
        "pub r#type:",
        "pub r#match:",
        "pub r#box:",
        "pub r#use:",
        "pub r#async:",
        "pub self_:",
        "pub r#ref:",
        "pub struct Option {",
        "pub struct Result {",
    ] {
        assert!(
            all.contains(needle),
            "no `{needle}` in the generated catalog"
        );
    }

    // Each file is prettyplease's printing of it as a whole (the generator prints method
    // by method and joins): the root file and one group file in eight
    // (`ALIPAY_LAYOUT_ALL=1`: all of them; a few seconds in release).
    let every = if std::env::var_os("ALIPAY_LAYOUT_ALL").is_some_and(|v| v == "1") {
        1
    } else {
        8
    };
    let problems: Vec<String> = files
        .iter()
        .enumerate()
        .filter(|(i, (path, _))| *path == Path::new("mod.rs") || i % every == 0)
        .filter_map(|(_, (path, text))| {
            crate::layout::layout_difference(text).map(|d| format!("{}: {d}", path.display()))
        })
        .collect();
    assert!(
        problems.is_empty(),
        "{} file(s) not laid out as prettyplease prints them; first:\n{}",
        problems.len(),
        problems
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n\n")
    );

    // Writing it is deterministic: a second generation into the same folder changes nothing.
    let dir = scratch();
    let out = dir.path().join("out");
    let first = write_files(&files, &out, false).unwrap();
    assert_eq!(first.written.len(), files.len());
    let again = generate_files(specs.iter().rev().copied()).unwrap();
    let second = write_files(&again, &out, true).unwrap();
    assert!(second.differing().is_empty());

    eprintln!(
        "catalog: {METHODS} methods, {groups} groups, {} files, {} MB; load {loaded:?}, generate {generated:?}",
        files.len(),
        bytes / 1_000_000
    );
}
