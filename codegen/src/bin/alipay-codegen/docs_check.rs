//! The `alipay-codegen` command lines of the guides parse: every line of a `sh` block of
//! `docs/specs.md`, `docs/spec-diffs.md`, `specs/README.md` and `CHANGELOG.md` that runs
//! `cargo run -p alipay-codegen -- ...` is given to the command's own argument parser, so a
//! renamed flag or subcommand fails here (`tests/diff_examples.rs` runs the diff examples
//! themselves).

use clap::Parser;

use crate::args::Cli;

/// The command lines of `page`'s `sh` blocks: `\` continuations joined, `#` comments cut.
fn commands(page: &str) -> Vec<String> {
    let text = std::fs::read_to_string(format!("{}/../{page}", env!("CARGO_MANIFEST_DIR")))
        .unwrap_or_else(|e| panic!("{page}: {e}"));
    let mut found = Vec::new();
    let mut in_sh = false;
    let mut line = String::new();
    for raw in text.lines() {
        let trimmed = raw.trim();
        if trimmed.starts_with("```") {
            in_sh = !in_sh && trimmed == "```sh";
            continue;
        }
        if !in_sh {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(part) => line.push_str(part),
            None => {
                line.push_str(trimmed);
                found.push(std::mem::take(&mut line));
            }
        }
    }
    found
}

#[test]
fn the_guides_command_lines_parse() {
    let prefix = "cargo run -p alipay-codegen -- ";
    let mut parsed = 0;
    for page in [
        "docs/specs.md",
        "docs/spec-diffs.md",
        "specs/README.md",
        "CHANGELOG.md",
    ] {
        for command in commands(page) {
            let Some(rest) = command.strip_prefix(prefix) else {
                continue;
            };
            let mut args =
                shlex::split(rest).unwrap_or_else(|| panic!("{page}: cannot split `{command}`"));
            // A comment or a redirection after the command, as a shell reads it.
            if let Some(at) = args
                .iter()
                .position(|a| a.starts_with('#') || [">", "|", "&&", ";"].contains(&a.as_str()))
            {
                args.truncate(at);
            }
            args.insert(0, "alipay-codegen".to_owned());
            if let Err(e) = Cli::try_parse_from(&args) {
                panic!("{page}: `{command}` does not parse:\n{e}");
            }
            parsed += 1;
        }
    }
    assert!(parsed >= 6, "only {parsed} command lines found");
}

#[test]
fn a_wrong_flag_in_a_guide_would_fail() {
    let args = ["alipay-codegen", "diff", "OLD", "NEW", "--format", "yaml"];
    assert!(Cli::try_parse_from(args).is_err());
}
