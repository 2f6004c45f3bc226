//! What `alipay-codegen` shows a person and nothing else: a progress line for long work and
//! styled help only on a terminal (`NO_COLOR` honoured), nothing of either when piped; the
//! shell completion scripts; and the progress the library reports to a caller that asks.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};

use alipay_codegen::progress::{Progress, Stage, report_to};

use crate::check::bad_dir;
use crate::common::scratch;

const BIN: &str = env!("CARGO_BIN_EXE_alipay-codegen");
const ESC: char = '\u{1b}';

/// The environment variables that choose colour, all removed before a test sets its own.
const COLOUR_VARS: &[&str] = &["NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "TERM"];

/// Six clean specs.
fn specs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/specs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `alipay-codegen ARGS`, its output piped, with the colour variables of `set` only.
fn piped(args: &[&str], set: &[(&str, &str)]) -> Output {
    let mut command = Command::new(BIN);
    command.args(args);
    for var in COLOUR_VARS {
        command.env_remove(var);
    }
    command.envs(set.iter().copied()).output().expect("run")
}

/// `alipay-codegen ARGS` in a pseudo-terminal run by `script` (util-linux), with `set`: what
/// the terminal received (stdout and stderr both). `None` when `script` cannot run here.
fn in_a_terminal(args: &[&str], set: &[(&str, &str)]) -> Option<String> {
    let line = shlex::try_join(std::iter::once(BIN).chain(args.iter().copied())).ok()?;
    let mut command = Command::new("script");
    command
        .args(["-qec", &line, "/dev/null"])
        .stdin(Stdio::null());
    for var in COLOUR_VARS {
        command.env_remove(var);
    }
    let out = command
        .env("TERM", "xterm-256color")
        .envs(set.iter().copied())
        .output()
        .ok()?;
    out.status.success().then(|| text(&out.stdout))
}

#[test]
fn piped_long_work_prints_no_progress() {
    let specs = specs();
    let specs = specs.to_str().unwrap();
    let out_dir = scratch();
    let out = out_dir.path().to_str().unwrap();
    // A terminal type set, as in a person's shell: only where stderr goes counts.
    let term = [("TERM", "xterm-256color")];
    for args in [
        &["check", specs][..],
        &["generate", "--specs", specs, "--out", out],
        &["generate", "--specs", specs, "--out", out, "--check"],
        &["diff", specs, specs],
        &["features", "--specs", specs],
    ] {
        let run = piped(args, &term);
        assert_eq!(
            run.status.code(),
            Some(0),
            "{args:?}: {}",
            text(&run.stderr)
        );
        assert!(run.stderr.is_empty(), "{args:?}: {:?}", text(&run.stderr));
        let stdout = text(&run.stdout);
        assert!(!stdout.contains(['\r', ESC]), "{args:?}: {stdout:?}");
    }
    // Problems are listed as before: one per line, no progress around them.
    let bad = piped(&["check", bad_dir().to_str().unwrap()], &term);
    assert_eq!(bad.status.code(), Some(1));
    let stderr = text(&bad.stderr);
    assert!(!stderr.contains(['\r', ESC]), "{stderr:?}");
    assert!(stderr.ends_with(" file(s)\n"), "{stderr:?}");
}

#[test]
fn on_a_terminal_long_work_shows_its_progress_then_clears_it() {
    let specs = specs();
    let out_dir = scratch();
    let args = [
        "generate",
        "--specs",
        specs.to_str().unwrap(),
        "--out",
        out_dir.path().to_str().unwrap(),
    ];
    let shown = in_a_terminal(&args, &[]).expect("`script` (util-linux) runs a pseudo-terminal");
    assert!(shown.contains("loading specs"), "{shown:?}");
    assert!(shown.contains('\r'), "{shown:?}");
    // Cleared: the summary starts a line of its own, after the last progress line.
    let summary = shown.rfind("method(s):").expect("the summary");
    let last_progress = shown.rfind("specs [").unwrap_or(0);
    assert!(last_progress < summary, "{shown:?}");
    assert!(out_dir.path().join("mod.rs").exists());
}

#[test]
fn help_is_styled_on_a_terminal_only_and_never_with_no_color() {
    for args in [&["--help"][..], &["generate", "--help"], &["frobnicate"]] {
        let plain = piped(args, &[]);
        let shown = format!("{}{}", text(&plain.stdout), text(&plain.stderr));
        assert!(!shown.trim().is_empty() && !shown.contains(ESC), "{args:?}");
        let forced = piped(args, &[("CLICOLOR_FORCE", "1")]);
        let shown = format!("{}{}", text(&forced.stdout), text(&forced.stderr));
        assert!(shown.contains(ESC), "{args:?}: {shown:?}");
        let no_color = piped(args, &[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]);
        let shown = format!("{}{}", text(&no_color.stdout), text(&no_color.stderr));
        assert!(!shown.contains(ESC), "{args:?}: {shown:?}");
    }
    let styled = in_a_terminal(&["generate", "--help"], &[])
        .expect("`script` (util-linux) runs a pseudo-terminal");
    assert!(styled.contains(ESC), "{styled:?}");
    let plain = in_a_terminal(&["generate", "--help"], &[("NO_COLOR", "1")]).expect("script");
    assert!(!plain.contains(ESC), "{plain:?}");
}

#[test]
fn completion_scripts_name_the_commands() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = piped(&["completions", shell], &[]);
        assert_eq!(out.status.code(), Some(0), "{shell}: {}", text(&out.stderr));
        assert!(out.stderr.is_empty(), "{shell}");
        let script = text(&out.stdout);
        for word in ["check", "generate", "import-openapi", "diff", "specs"] {
            assert!(script.contains(word), "{shell}: no {word}\n{script}");
        }
    }
    let dir = scratch();
    let path = dir.path().join("alipay-codegen.bash");
    std::fs::write(&path, piped(&["completions", "bash"], &[]).stdout).unwrap();
    match Command::new("bash").arg("-n").arg(&path).output() {
        Ok(out) => assert!(out.status.success(), "bash -n: {}", text(&out.stderr)),
        Err(e) => panic!("bash -n: bash is needed to check the completion script ({e})"),
    }
}

/// Every call, in order: `(Some(stage), items)` for a stage, `(None, items)` for progress.
#[derive(Default)]
struct Log(Mutex<Vec<(Option<Stage>, usize)>>);

impl Progress for Log {
    fn stage(&self, stage: Stage, items: usize) {
        self.0.lock().unwrap().push((Some(stage), items));
    }
    fn advance(&self, items: usize) {
        self.0.lock().unwrap().push((None, items));
    }
}

#[test]
fn generation_reports_each_stage_and_every_item_of_it() {
    let out_dir = scratch();
    let log = Arc::new(Log::default());
    let report = report_to(log.clone(), || {
        alipay_codegen::generate_dir(&specs(), out_dir.path(), false)
    })
    .expect("generate");
    let log = std::mem::take(&mut *log.0.lock().unwrap());
    let mut stages: Vec<(Stage, usize, usize)> = Vec::new();
    for &(stage, items) in log.iter() {
        match stage {
            Some(stage) => stages.push((stage, items, 0)),
            None => stages.last_mut().expect("a stage first").2 += items,
        }
    }
    let order: Vec<Stage> = stages.iter().map(|s| s.0).collect();
    assert_eq!(
        order,
        [
            Stage::Load,
            Stage::Lower,
            Stage::Emit,
            Stage::Join,
            Stage::Write
        ],
        "{stages:?}"
    );
    for (stage, items, done) in &stages {
        assert_eq!(items, done, "{stage}: every item done once");
    }
    assert_eq!(stages[1].1, report.methods);
    // The root file, then each method.
    assert_eq!(stages[2].1, report.methods + 1);
    assert_eq!(stages[4].1, report.written.len() + report.unchanged);
}

#[test]
fn nothing_is_reported_outside_report_to() {
    let log = Arc::new(Log::default());
    let out_dir = scratch();
    report_to(log.clone(), || ());
    alipay_codegen::generate_dir(&specs(), out_dir.path(), false).expect("generate");
    assert!(log.0.lock().unwrap().is_empty());
}
