//! The README's notification snippet is the crate documentation's (which `cargo test --doc`
//! compiles), character for character.

fn readme_block(section: &str, fence: &str) -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let at = readme.find(section).expect("section");
    let rest = &readme[at..];
    let open = format!("```{fence}\n");
    let start = rest.find(&open).expect("block") + open.len();
    let end = start + rest[start..].find("```\n").expect("end of block");
    rest[start..end].to_owned()
}

fn doc_block(file: &str, section: &str) -> String {
    let text = std::fs::read_to_string(file).unwrap();
    let lines: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect();
    let at = lines
        .iter()
        .position(|l| *l == section)
        .expect("doc section");
    let start = at
        + lines[at..]
            .iter()
            .position(|l| l.starts_with("```"))
            .unwrap()
        + 1;
    let end = start + lines[start..].iter().position(|l| *l == "```").unwrap();
    lines[start..end].iter().map(|l| format!("{l}\n")).collect()
}

#[test]
fn the_readme_notification_snippet_is_the_compiled_one() {
    assert_eq!(
        readme_block("## Notifications and returns", "rust,no_run"),
        doc_block(
            concat!(env!("CARGO_MANIFEST_DIR"), "/src/lib.rs"),
            "# Notifications and returns"
        )
    );
}

#[test]
fn the_readme_handler_is_the_runtime_s_compiled_example() {
    let readme = readme_block("- A handler, with hyper", "rust,ignore");
    let runtime = doc_block(
        concat!(env!("CARGO_MANIFEST_DIR"), "/runtime/src/notify/mod.rs"),
        "# A handler",
    );
    // The README shows the function; the doc test adds its imports.
    let function = &runtime[runtime.find("async fn notify_url").expect("the handler")..];
    let readme_fn = &readme[readme.find("async fn notify_url").expect("the handler")..];
    assert_eq!(readme_fn, function);
}
