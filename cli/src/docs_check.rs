//! The blocks of docs/cli.md and docs/testing.md this command reads: the synopsis names only
//! subcommands and flags that exist, every `alipay ...` line of their `sh` blocks parses, and
//! the configuration file shown builds a client. (`tests/docs.rs` runs the sessions printed.)

use clap::{CommandFactory as _, Parser as _};

use crate::Cli;
use crate::config::ClientFlags;
use crate::doc_pages::{blocks_of, page};

/// The pages whose `alipay` command lines are parsed here.
const PAGES: [&str; 2] = ["docs/cli.md", "docs/testing.md"];

/// The blocks of `lang` of the pages, in order.
fn blocks(lang: &str) -> Vec<String> {
    let mut found = Vec::new();
    for name in PAGES {
        found.extend(blocks_of(&page(name), lang).iter().map(|b| b.join("\n")));
    }
    found
}

/// The first block of `lang` that `is_it` picks; `what` names it if there is none.
fn block(lang: &str, what: &str, is_it: impl Fn(&str) -> bool) -> String {
    blocks(lang).into_iter().find(|b| is_it(b)).expect(what)
}

/// `block`'s command lines: `\` continuations joined.
fn command_lines(block: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut line = String::new();
    for raw in block.lines() {
        match raw.trim().strip_suffix('\\') {
            Some(part) => line.push_str(part),
            None => {
                line.push_str(raw.trim());
                found.push(std::mem::take(&mut line));
            }
        }
    }
    found
}

#[test]
fn the_synopsis_names_subcommands_and_flags_that_exist() {
    let synopsis = block("text", "the synopsis", |b| {
        b.starts_with("alipay call <method>")
    });
    let cli = Cli::command();
    let mut current = None;
    let mut seen = Vec::new();
    for line in synopsis.lines() {
        if let Some(rest) = line.strip_prefix("alipay ") {
            let name = rest.split_whitespace().next().unwrap();
            current = Some(
                cli.find_subcommand(name)
                    .unwrap_or_else(|| panic!("docs/cli.md: no subcommand `{name}`")),
            );
            seen.push(name.to_owned());
        }
        let sub = current.expect("a line before the first command");
        for flag in line
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .filter_map(|w| w.strip_prefix("--"))
        {
            assert!(
                sub.get_arguments().any(|a| a.get_long() == Some(flag)),
                "docs/cli.md: `alipay {}` has no flag --{flag}",
                sub.get_name()
            );
        }
    }
    // Every subcommand a person runs is in the synopsis.
    for sub in cli.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = sub.get_name();
        if name != "help" && name != "notify" && name != "completions" {
            assert!(
                seen.iter().any(|s| s == name),
                "docs/cli.md: `{name}` missing"
            );
        }
    }
}

#[test]
fn the_command_lines_shown_parse() {
    let mut parsed = 0;
    for block in blocks("sh") {
        for line in command_lines(&block) {
            let Some(rest) = line.strip_prefix("alipay ") else {
                continue;
            };
            let mut args = shlex::split(rest).expect("a shell command line");
            // A comment or a redirection after the command, as a shell reads it.
            if let Some(at) = args.iter().position(|a| {
                a.starts_with('#') || [">", "|", "<", "&&", ";"].contains(&a.as_str())
            }) {
                args.truncate(at);
            }
            args.insert(0, "alipay".to_owned());
            if let Err(e) = Cli::try_parse_from(&args) {
                panic!("docs/cli.md: `{line}` does not parse:\n{e}");
            }
            parsed += 1;
        }
    }
    assert!(parsed >= 4, "only {parsed} command lines");
    // A flag that does not exist would fail.
    assert!(Cli::try_parse_from(["alipay", "call", "m", "--no-such-flag"]).is_err());
}

#[test]
fn the_configuration_file_shown_builds_a_client() {
    let config = block("toml", "the alipay.toml example", |b| {
        b.contains("app_id = ")
    });
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("alipay.toml"), &config).unwrap();
    // The key files it names, relative to its folder: the vectors' keys.
    let vectors = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors/keys");
    std::fs::create_dir(dir.path().join("keys")).unwrap();
    for (from, to) in [
        ("app_private_pkcs1.pem", "app_private.pem"),
        ("alipay_public.pem", "alipay_public.pem"),
    ] {
        std::fs::copy(
            format!("{vectors}/{from}"),
            dir.path().join("keys").join(to),
        )
        .unwrap();
    }
    let flags = ClientFlags {
        config: Some(dir.path().join("alipay.toml")),
        ..ClientFlags::default()
    };
    let client = flags.build_client().map_err(|e| e.0).unwrap();
    assert_eq!(client.config().app_id(), "2021000000000000");
}
