//! What a person sees of the command itself: help and usage errors styled only on a terminal
//! and never with `NO_COLOR` set, and the shell completion scripts.

use std::process::{Command, Output, Stdio};

use crate::common::{BIN, scratch, text};

const ESC: char = '\u{1b}';

/// The environment variables that choose colour, all removed before `set` are applied.
const COLOUR_VARS: &[&str] = &["NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "TERM"];

/// `alipay ARGS` with its output piped, the colour variables of `set` only.
fn run_with(args: &[&str], set: &[(&str, &str)]) -> Output {
    let mut command = Command::new(BIN);
    command.args(args).current_dir(std::env::temp_dir());
    for var in COLOUR_VARS {
        command.env_remove(var);
    }
    command
        .envs(set.iter().copied())
        .output()
        .expect("run alipay")
}

/// Help on stdout and usage errors on stderr: what is checked for escapes.
const MESSAGES: &[&[&str]] = &[
    &["--help"],
    &["-h"],
    &["call", "--help"],
    &["notify", "verify", "--help"],
    &["call"],
    &["frobnicate"],
    &["gateway", "--port", "many"],
];

#[test]
fn piped_help_and_usage_errors_carry_no_escapes_with_or_without_no_color() {
    for args in MESSAGES {
        for set in [&[][..], &[("NO_COLOR", "1")], &[("TERM", "xterm-256color")]] {
            let out = run_with(args, set);
            let shown = format!("{}{}", text(&out.stdout), text(&out.stderr));
            assert!(
                !shown.trim().is_empty(),
                "{args:?} {set:?}: nothing printed"
            );
            assert!(!shown.contains(ESC), "{args:?} {set:?}: {shown:?}");
        }
    }
}

#[test]
fn no_color_wins_over_forced_colour() {
    for args in MESSAGES {
        let forced = run_with(args, &[("CLICOLOR_FORCE", "1")]);
        let shown = format!("{}{}", text(&forced.stdout), text(&forced.stderr));
        assert!(shown.contains(ESC), "{args:?}: styles expected: {shown:?}");
        // An empty NO_COLOR is as good as none (https://no-color.org).
        let empty = run_with(args, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "")]);
        assert!(text(&empty.stdout).contains(ESC) || text(&empty.stderr).contains(ESC));
        let plain = run_with(args, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
        let shown_plain = format!("{}{}", text(&plain.stdout), text(&plain.stderr));
        assert!(!shown_plain.contains(ESC), "{args:?}: {shown_plain:?}");
        // The same words, the same exit code: only the styles differ.
        assert_eq!(
            anstream::adapter::strip_str(&shown).to_string(),
            shown_plain,
            "{args:?}"
        );
        assert_eq!(forced.status.code(), plain.status.code(), "{args:?}");
    }
}

#[test]
fn a_key_in_a_usage_error_is_cut_out_in_colour_too() {
    let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAv8Yv3rsQ5u4dO5t+Kx0aB/cd\n-----END RSA PRIVATE KEY-----\n";
    let out = run_with(
        &["call", "alipay.trade.query", pem],
        &[("CLICOLOR_FORCE", "1")],
    );
    assert_eq!(out.status.code(), Some(2));
    let shown = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(
        !shown.contains("MIIE") && !shown.contains("PRIVATE KEY"),
        "{shown}"
    );
    assert!(shown.contains("<redacted>"), "{shown}");
    // A message with anything cut out is printed plain.
    assert!(!shown.contains(ESC), "{shown:?}");
}

/// `alipay ARGS` run in a pseudo-terminal by `script` (util-linux), with `set`: what the
/// terminal received. `None` when `script` cannot be run here (the tests then fail).
fn in_a_terminal(args: &[&str], set: &[(&str, &str)]) -> Option<String> {
    let line = shlex::try_join(std::iter::once(BIN).chain(args.iter().copied())).ok()?;
    let mut command = Command::new("script");
    command
        .args(["-qec", &line, "/dev/null"])
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::null());
    for var in COLOUR_VARS {
        command.env_remove(var);
    }
    let out = command
        .env("TERM", "xterm-256color")
        .envs(set.iter().copied())
        .output()
        .ok()?;
    let shown = text(&out.stdout);
    // A `script` that could not start a terminal here says so, and never runs the command.
    shown.contains("Usage:").then_some(shown)
}

#[test]
fn on_a_terminal_help_is_styled_unless_no_color_is_set() {
    let styled = in_a_terminal(&["call", "--help"], &[])
        .expect("`script` (util-linux) runs a pseudo-terminal");
    assert!(styled.contains(ESC), "{styled:?}");
    let plain = in_a_terminal(&["call", "--help"], &[("NO_COLOR", "1")]).expect("script");
    assert!(!plain.contains(ESC), "{plain:?}");
    let error = in_a_terminal(&["frobnicate"], &[]).expect("script");
    assert!(error.contains(ESC), "{error:?}");
    let error = in_a_terminal(&["frobnicate"], &[("NO_COLOR", "1")]).expect("script");
    assert!(!error.contains(ESC), "{error:?}");
}

#[test]
fn completion_scripts_name_the_commands() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = run_with(&["completions", shell], &[]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", text(&out.stderr));
        assert!(out.stderr.is_empty(), "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        for word in ["call", "gateway", "notify", "completions", "biz-content"] {
            assert!(script.contains(word), "{shell}: no {word}\n{script}");
        }
        assert!(!script.contains(ESC), "{shell}");
    }
    let unknown = run_with(&["completions", "tcsh"], &[]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(unknown.stdout.is_empty());
}

#[test]
fn the_bash_completion_script_is_valid_bash() {
    let script = run_with(&["completions", "bash"], &[]).stdout;
    let dir = scratch();
    let path = dir.join("alipay.bash");
    std::fs::write(&path, &script).expect("write the script");
    let checked = Command::new("bash").arg("-n").arg(&path).output();
    match checked {
        Ok(out) => assert!(out.status.success(), "bash -n: {}", text(&out.stderr)),
        Err(e) => panic!("bash -n: bash is needed to check the completion script ({e})"),
    }
}
