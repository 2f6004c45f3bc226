//! The README's "Quick start" is the crate `tests/downstream`, character for character: its
//! manifest's dependencies, its library and its test between the README markers. CI builds and
//! tests that crate against the packaged crates (`.ci/downstream`).

/// The text between `README-BEGIN` and `README-END` comment lines of `file`, fenced as `lang`.
fn marked(file: &str, comment: &str, lang: &str) -> String {
    let begin_marker = format!("{comment} README-BEGIN\n");
    let begin = file.find(&begin_marker).expect("begin marker") + begin_marker.len();
    let end = file
        .find(&format!("{comment} README-END"))
        .expect("end marker");
    format!("```{lang}\n{}```", &file[begin..end])
}

#[test]
fn the_readme_quick_start_is_the_downstream_crate() {
    let readme = include_str!("../README.md");
    for (name, block) in [
        (
            "Cargo.toml",
            marked(include_str!("downstream/Cargo.toml"), "#", "toml"),
        ),
        (
            "src/lib.rs",
            marked(include_str!("downstream/src/lib.rs"), "//", "rust"),
        ),
        (
            "tests/checkout.rs",
            marked(include_str!("downstream/tests/checkout.rs"), "//", "rust"),
        ),
    ] {
        assert!(
            readme.contains(&block),
            "README.md must hold this block of tests/downstream/{name} verbatim:\n{block}"
        );
    }
}
