//! The README's "Quick start" is the crate `tests/downstream`, character for character: its
//! manifest's dependencies, its library and its test between the README markers. CI builds and
//! tests that crate against the packaged crates (`.ci/downstream`).

use crate::readme::{assert_readme_holds, marked};

#[test]
fn the_readme_quick_start_is_the_downstream_crate() {
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
        assert_readme_holds(&format!("tests/downstream/{name}"), &block);
    }
}
