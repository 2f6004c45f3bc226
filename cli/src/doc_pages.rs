//! The guides' fenced blocks, read for the tests: the binary's unit tests (`docs_check.rs`)
//! and the integration tests (`tests/docs.rs`, which include this file by path) share it.

/// The text of `name`, a path from the workspace's root.
pub fn page(name: &str) -> String {
    std::fs::read_to_string(format!("{}/../{name}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The blocks of `lang` of `page`, in order, each as its lines.
pub fn blocks_of(page: &str, lang: &str) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut lines = page.lines();
    while let Some(line) = lines.next() {
        if line.trim() == format!("```{lang}") {
            found.push(
                lines
                    .by_ref()
                    .take_while(|l| l.trim() != "```")
                    .map(str::to_owned)
                    .collect(),
            );
        }
    }
    found
}
