//! The README's code blocks are files of the tests: what they share to say so.

/// The text between the `README-BEGIN` and `README-END` comment lines of `file`, fenced as
/// `lang`.
pub(crate) fn marked(file: &str, comment: &str, lang: &str) -> String {
    let begin_marker = format!("{comment} README-BEGIN\n");
    let begin = file.find(&begin_marker).expect("begin marker") + begin_marker.len();
    let end = file
        .find(&format!("{comment} README-END"))
        .expect("end marker");
    format!("```{lang}\n{}```", &file[begin..end])
}

/// Fails unless README.md holds `block` (from `name`) verbatim.
pub(crate) fn assert_readme_holds(name: &str, block: &str) {
    let readme = include_str!("../README.md");
    assert!(
        readme.contains(block),
        "README.md must hold this block of {name} verbatim:\n{block}"
    );
}
