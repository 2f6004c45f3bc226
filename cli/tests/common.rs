//! What the files of this folder share: the binary under test, a scratch folder, writing an
//! `alipay.toml`, running the command, and a started command that is killed when the test ends.

use std::io::{BufRead as _, BufReader};
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc::Receiver;
use std::time::Duration;

/// The `alipay` binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_alipay");

/// The official SDKs' vectors beside the checkout.
pub const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors/");

/// A fresh folder for one test's files, removed when the test ends.
pub struct Scratch(tempfile::TempDir);

impl Deref for Scratch {
    type Target = Path;

    fn deref(&self) -> &Path {
        self.0.path()
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        self.0.path()
    }
}

/// A new [`Scratch`] folder.
pub fn scratch() -> Scratch {
    Scratch(
        tempfile::Builder::new()
            .prefix("alipay-cli-test-")
            .tempdir()
            .expect("scratch dir"),
    )
}

/// Writes `text` as `alipay.toml` in `dir`: the file's path.
pub fn write_alipay_toml(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("alipay.toml");
    std::fs::write(&path, text).expect("config");
    path
}

/// The command with `args`, run from the temp folder: the default `./alipay.toml` must not
/// leak in from wherever the tests run.
pub fn run(args: &[String]) -> Output {
    Command::new(BIN)
        .args(args)
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run alipay")
}

/// The arguments of `alipay call <method> --config <config> --biz-content <biz>`, then `extra`.
pub fn call_args(method: &str, config: &Path, biz: &str, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = vec![
        "call".into(),
        method.into(),
        "--config".into(),
        config.display().to_string(),
        "--biz-content".into(),
        biz.into(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

/// [`run`] off the async runtime's worker threads.
pub async fn run_async(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || run(&args))
        .await
        .expect("join")
}

/// The command exited with `code`, naming `needle` on standard error.
#[track_caller]
pub fn assert_exit(out: &Output, code: i32, needle: &str) {
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{stderr}");
    assert!(stderr.contains(needle), "{needle} missing in: {stderr}");
}

/// Bytes as text, for messages and assertions.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A started command, killed and reaped when the test ends, passing or not.
pub struct Child(pub std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `command` with its standard output piped (standard error dropped); the receiver
/// yields each line it prints. Every line is read until the child ends, so its later log lines
/// never hit a closed pipe, even after the test stopped listening.
pub fn spawn_with_lines(command: &mut Command) -> (Child, Receiver<String>) {
    let mut child = Child(
        command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn"),
    );
    let stdout = child.0.stdout.take().expect("stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    (child, rx)
}

/// The gateway URL (`http://.../gateway.do`) in the start-up `lines` of `alipay gateway`.
pub fn gateway_url(lines: &[String]) -> String {
    lines
        .iter()
        .find_map(|l| l.strip_prefix("local Alipay gateway listening on "))
        .unwrap_or_else(|| panic!("no URL in {lines:#?}"))
        .to_owned()
}

/// The gateway's base URL (`http://host:port`, without `/gateway.do`) in its start-up `lines`.
pub fn gateway_base(lines: &[String]) -> String {
    gateway_url(lines)
        .strip_suffix("/gateway.do")
        .unwrap_or_else(|| panic!("{lines:#?}"))
        .to_owned()
}

/// The lines `alipay gateway` prints up to its last start-up line (the one starting
/// `Ctrl-C`), that line included; fewer when no line comes within `timeout` of the one before.
pub fn lines_until_ready(rx: &Receiver<String>, timeout: Duration) -> Vec<String> {
    let mut seen = Vec::new();
    while let Ok(line) = rx.recv_timeout(timeout) {
        let done = line.starts_with("Ctrl-C");
        seen.push(line);
        if done {
            break;
        }
    }
    seen
}

/// [`lines_until_ready`] off the async runtime's worker threads; the receiver comes back for
/// the lines after.
pub async fn lines_until_ready_async(
    rx: Receiver<String>,
    timeout: Duration,
) -> (Vec<String>, Receiver<String>) {
    tokio::task::spawn_blocking(move || (lines_until_ready(&rx, timeout), rx))
        .await
        .expect("join")
}

/// The base64 body of a PEM key, its armour lines left out: what a user pastes as a bare key.
pub fn pem_body(pem: &str) -> String {
    pem.lines().filter(|l| !l.starts_with("-----")).collect()
}
