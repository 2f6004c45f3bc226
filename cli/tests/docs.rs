//! The command sessions the guides show, run: README.md's main job (`alipay demo`, the
//! quickstart, which `cargo run --release -- demo` runs) and its test command (what `.ci/run`
//! runs), and the printed sessions of docs/cli.md (`alipay methods`, and `alipay gateway`
//! followed by the `alipay call` it suggests). The command lines of docs/cli.md's `sh` blocks
//! are parsed by `src/docs_check.rs`.

use std::process::Command;
use std::time::Duration;

use crate::common::{BIN, lines_until_ready, run, scratch, spawn_with_lines, text};
use crate::doc_pages::{blocks_of as blocks, page};

#[test]
fn the_readme_s_two_commands_are_the_quickstart_and_ci_s_test_command() {
    let readme = page("README.md");
    let two = blocks(&readme, "sh")
        .into_iter()
        .find(|b| b.iter().any(|l| l.contains("-- demo")))
        .expect("the README's two commands");
    let commands: Vec<&str> = two
        .iter()
        .map(|l| l.split('#').next().unwrap().trim())
        .collect();
    assert_eq!(
        commands,
        ["cargo run --release -- demo", "cargo test --workspace"]
    );
    // The test command is the one CI runs.
    let ci = page(".ci/run");
    assert!(ci.contains("cargo test --workspace --locked\n"), ".ci/run");
    // The main job: the quickstart, which exits 0 only when every outcome is as described.
    let out = run(&["demo".to_owned()]);
    assert!(
        out.status.success(),
        "alipay demo: {}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// The `text` block of docs/cli.md whose first line starts `$ alipay <command>`.
fn cli_md_session(command: &str) -> Vec<String> {
    let prompt = format!("$ alipay {command}");
    blocks(&page("docs/cli.md"), "text")
        .into_iter()
        .find(|b| b[0].starts_with(&prompt))
        .unwrap_or_else(|| panic!("the `alipay {command}` example"))
}

#[test]
fn the_methods_lines_shown_are_printed() {
    let shown = cli_md_session("methods");
    let out = run(&["methods".to_owned()]);
    assert!(out.status.success());
    let printed = text(&out.stdout);
    let squeeze = |l: &str| l.split_whitespace().collect::<Vec<_>>().join(" ");
    let printed: Vec<String> = printed.lines().map(squeeze).collect();
    for line in &shown[1..] {
        assert!(
            printed.contains(&squeeze(line)),
            "docs/cli.md shows a line `alipay methods` does not print: {line}"
        );
    }
}

#[test]
fn the_gateway_session_shown_runs() {
    let shown = cli_md_session("gateway");
    assert_eq!(shown[0], "$ alipay gateway --port 8080");
    // Its keys in a folder of the test's (a folder the gateway chose is removed on Ctrl-C,
    // not when the test kills it).
    let keys = scratch();
    let (_child, rx) = spawn_with_lines(
        Command::new(BIN)
            .args(["gateway", "--port", "0", "--keys-dir"])
            .arg(&*keys),
    );
    let printed = lines_until_ready(&rx, Duration::from_secs(60));
    // The lines shown before the call are printed, but for the port and the temporary folder.
    let config = printed
        .iter()
        .find_map(|l| l.strip_prefix("client config: "))
        .unwrap_or_else(|| panic!("no client config in {printed:#?}"))
        .to_owned();
    for line in shown[1..].iter().take_while(|l| !l.starts_with('$')) {
        if line == "..." {
            continue;
        }
        let (prefix, _) = line.split_once("127.0.0.1:").unwrap_or((line, ""));
        let prefix = prefix.split("/tmp/").next().unwrap_or(prefix);
        assert!(
            printed.iter().any(|p| p.starts_with(prefix)),
            "docs/cli.md shows `{line}`; printed: {printed:#?}"
        );
    }
    // The call shown, with the configuration the gateway wrote, succeeds against it.
    let call: String = shown
        .iter()
        .skip_while(|l| !l.starts_with("$ alipay call"))
        .map(|l| {
            l.trim()
                .trim_start_matches("$ ")
                .trim_end_matches('\\')
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join(" ");
    let mut args = shlex::split(&call).expect("a shell command line");
    assert_eq!(args.remove(0), "alipay");
    let at = args.iter().position(|a| a == "--config").expect("--config") + 1;
    args[at] = config;
    let out = run(&args);
    assert!(
        out.status.success(),
        "{call}: {}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
}
