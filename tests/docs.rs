//! Every fenced block of README.md, ARCHITECTURE.md, CHANGELOG.md, the specs' and the runtime's
//! README.md and `docs/*.md` is compiled or run by a test, and says which: the line before each block is a comment `<!-- check: KIND ARG -->`.
//!
//! - `file PATH`: the block is, character for character, text of PATH, a file the tests compile
//!   or run (a test's code between its `README-BEGIN` and `README-END` lines, a doc test of a
//!   crate, the downstream crates CI builds). In a Rust block, lines rustdoc hides (`# ...`) are
//!   left out on both sides, and in a `.rs` file doc comments are read without their `//!` or
//!   `///`.
//! - `test PATH`: the test at PATH reads the blocks of this page and runs or parses them (the
//!   CLI's and the generator's command lines, configuration and scenario files, printed
//!   output); PATH must name the page.
//! - `ci PATH`: each command of the block is run by the CI script PATH (`.ci/run`).
//!
//! A block without its comment, an unknown kind, a missing file, or a block that is not where
//! its comment says fails, naming the page and the line.

use std::path::{Path, PathBuf};

/// One fenced block: where it is, its info string, its text and the check its comment names.
#[derive(Debug)]
pub(crate) struct Block {
    page: String,
    line: usize,
    pub(crate) lang: String,
    pub(crate) body: String,
    check: Option<String>,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The pages whose blocks are checked: the project's pages and every `docs/*.md`.
fn pages() -> Vec<String> {
    let mut pages: Vec<String> = [
        "README.md",
        "ARCHITECTURE.md",
        "CHANGELOG.md",
        "specs/README.md",
        "runtime/README.md",
    ]
    .map(String::from)
    .to_vec();
    let mut docs: Vec<String> = std::fs::read_dir(root().join("docs"))
        .expect("docs/")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".md"))
        .map(|n| format!("docs/{n}"))
        .collect();
    docs.sort();
    assert!(!docs.is_empty(), "docs/ holds no page");
    pages.extend(docs);
    pages
}

/// The fenced blocks of `text` (fences may be indented, as inside a list item); the tests that
/// run a page's blocks read them here too.
pub(crate) fn blocks(page: &str, text: &str) -> Vec<Block> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let trimmed = lines[i].trim_start();
        if let Some(lang) = trimmed.strip_prefix("```") {
            let indent = lines[i].len() - trimmed.len();
            let end = (i + 1..lines.len())
                .find(|&j| lines[j].trim_start() == "```")
                .unwrap_or_else(|| panic!("{page}:{}: a block that is never closed", i + 1));
            let body: String = lines[i + 1..end]
                .iter()
                .map(|l| format!("{}\n", l.get(indent..).unwrap_or(l.trim_start())))
                .collect();
            let check = (0..i)
                .rev()
                .map(|j| lines[j].trim())
                .find(|l| !l.is_empty())
                .and_then(|l| l.strip_prefix("<!-- check:"))
                .and_then(|l| l.strip_suffix("-->"))
                .map(|l| l.trim().to_owned());
            found.push(Block {
                page: page.to_owned(),
                line: i + 1,
                lang: lang.trim().to_owned(),
                body,
                check,
            });
            i = end;
        }
        i += 1;
    }
    found
}

/// Lines rustdoc hides in a Rust block (`# ...` and a lone `#`), left out.
fn without_hidden(text: &str) -> String {
    text.lines()
        .filter(|l| {
            let t = l.trim_start();
            !(t == "#" || t.starts_with("# "))
        })
        .map(|l| format!("{l}\n"))
        .collect()
}

/// The texts of `file` a block may be: the whole file, and for a `.rs` file its doc comments
/// without their `//!` / `///`.
fn texts_of(file: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let mut texts = vec![text.clone()];
    if file.extension().is_some_and(|e| e == "rs") {
        let docs: String = text
            .lines()
            .filter_map(|l| {
                let t = l.trim_start();
                t.strip_prefix("//!").or_else(|| t.strip_prefix("///"))
            })
            .map(|l| format!("{}\n", l.strip_prefix(' ').unwrap_or(l)))
            .collect();
        texts.push(docs);
    }
    texts
}

fn check(block: &Block) -> Result<(), String> {
    let Some(check) = &block.check else {
        return Err("no `<!-- check: KIND ARG -->` line before the block".to_owned());
    };
    let (kind, arg) = check.split_once(' ').unwrap_or((check, ""));
    let path = root().join(arg.trim());
    if arg.trim().is_empty() || !path.is_file() {
        return Err(format!("`{check}`: no file `{arg}`"));
    }
    match kind {
        "file" => {
            let rust = block.lang.starts_with("rust");
            let wanted = if rust {
                without_hidden(&block.body)
            } else {
                block.body.clone()
            };
            let found = texts_of(&path).iter().any(|text| {
                let text = if rust {
                    without_hidden(text)
                } else {
                    text.clone()
                };
                text.contains(&wanted)
            });
            if found {
                Ok(())
            } else {
                Err(format!("the block is not text of `{arg}`"))
            }
        }
        "test" => {
            let text = std::fs::read_to_string(&path).unwrap();
            if text.contains(&block.page) {
                Ok(())
            } else {
                Err(format!("`{arg}` does not read `{}`", block.page))
            }
        }
        "ci" => {
            let ci = std::fs::read_to_string(&path).unwrap();
            let missing: Vec<String> = block
                .body
                .lines()
                .map(|l| l.split('#').next().unwrap().trim())
                .filter(|l| !l.is_empty())
                .filter(|l| !runs(&ci, l))
                .map(|l| format!("`{l}`"))
                .collect();
            if missing.is_empty() {
                Ok(())
            } else {
                Err(format!("`{arg}` does not run {}", missing.join(", ")))
            }
        }
        other => Err(format!("unknown check kind `{other}`")),
    }
}

/// Whether the CI script `ci` runs `command`: as written, with `--locked` added; a test of one
/// package (`cargo test -p NAME`) is run by CI's `cargo test --workspace --locked`.
fn runs(ci: &str, command: &str) -> bool {
    let lines: Vec<&str> = ci.lines().map(str::trim).collect();
    let locked = format!("{command} --locked");
    lines.contains(&command)
        || lines.contains(&locked.as_str())
        || (command.starts_with("cargo test -p ")
            && command.split_whitespace().count() == 4
            && lines.contains(&"cargo test --workspace --locked"))
}

#[test]
fn every_block_of_the_docs_is_checked_by_a_test() {
    let mut problems = Vec::new();
    let mut count = 0;
    for page in pages() {
        let text = std::fs::read_to_string(root().join(&page)).unwrap();
        for block in blocks(&page, &text) {
            count += 1;
            if let Err(problem) = check(&block) {
                problems.push(format!("{}:{}: {problem}", block.page, block.line));
            }
        }
    }
    assert!(
        count > 20,
        "only {count} blocks found: is the parser right?"
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_block_that_is_not_where_its_comment_says_fails() {
    let page = "<!-- check: file tests/docs.rs -->\n```rust\nfn not_in_that_file() {}\n```\n\
                \n```sh\necho unchecked\n```\n";
    let found = blocks("docs/x.md", page);
    assert_eq!(found.len(), 2);
    assert!(check(&found[0]).unwrap_err().contains("not text of"));
    assert!(check(&found[1]).unwrap_err().contains("no `<!-- check"));
    let hidden = "<!-- check: file tests/docs.rs -->\n```rust\n# fn main() {\nfn check(block: &Block) -> Result<(), String> {\n# }\n```\n";
    assert!(check(&blocks("docs/x.md", hidden)[0]).is_ok());
}

#[test]
fn the_readme_stays_a_page_a_newcomer_reads() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let lines = readme.lines().count();
    assert!(
        lines <= 250,
        "README.md has {lines} lines; move detail into docs/"
    );
    for page in pages().iter().filter(|p| p.starts_with("docs/")) {
        assert!(
            readme.contains(&format!("({page})")),
            "README.md does not link {page}"
        );
    }
}

/// GitHub's anchor for a heading: lower case, spaces as `-`, other punctuation dropped.
fn anchor(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// The anchors of `text`'s headings (outside code blocks).
fn anchors(text: &str) -> Vec<String> {
    let mut in_code = false;
    let mut found = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        } else if !in_code && line.starts_with('#') {
            found.push(anchor(line.trim_start_matches('#').trim()));
        }
    }
    found
}

#[test]
fn every_link_between_the_pages_leads_somewhere() {
    let mut broken = Vec::new();
    for page in pages() {
        let text = std::fs::read_to_string(root().join(&page)).unwrap();
        let dir = Path::new(&page).parent().unwrap().to_owned();
        for (at, _) in text.match_indices("](") {
            let rest = &text[at + 2..];
            let Some(end) = rest.find(')') else { continue };
            let target = &rest[..end];
            if target.contains("://") || target.starts_with("mailto:") || target.contains(' ') {
                continue;
            }
            let (file, fragment) = target.split_once('#').unwrap_or((target, ""));
            let path = if file.is_empty() {
                root().join(&page)
            } else {
                root().join(&dir).join(file)
            };
            if !path.exists() {
                broken.push(format!("{page}: `{target}`: no such file"));
                continue;
            }
            if !fragment.is_empty() && path.extension().is_some_and(|e| e == "md") {
                let linked = std::fs::read_to_string(&path).unwrap();
                if !anchors(&linked).iter().any(|a| a == fragment) {
                    broken.push(format!("{page}: `{target}`: no such heading"));
                }
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
    assert_eq!(
        anchor("The groups' packages (`catalog/`)"),
        "the-groups-packages-catalog"
    );
    assert_eq!(
        anchor("Certificate mode (公钥证书模式)"),
        "certificate-mode-公钥证书模式"
    );
}
