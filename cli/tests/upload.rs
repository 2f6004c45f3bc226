//! `alipay call ... --file NAME=@PATH` against `alipay gateway` (which serves the whole
//! catalog) on 127.0.0.1, utf-8 and GBK; and command-line errors that never print a key.

use std::path::Path;
use std::process::{Command, Output};
use std::sync::mpsc::Receiver;
use std::time::Duration;

use crate::common::{BIN, Child, lines_until_ready, run, scratch, spawn_with_lines, text};

const UPLOAD: &str = "alipay.offline.material.image.upload";
const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors/keys");

/// Starts `alipay gateway` with its keys in `keys_dir`; its console lines come through the
/// receiver once it listens.
fn gateway(keys_dir: &Path) -> (Child, Receiver<String>) {
    let (child, rx) = spawn_with_lines(
        Command::new(BIN)
            .args(["gateway", "--port", "0", "--keys-dir"])
            .arg(keys_dir),
    );
    let lines = lines_until_ready(&rx, Duration::from_secs(30));
    assert!(
        lines.last().is_some_and(|l| l.starts_with("Ctrl-C")),
        "the gateway starts: {lines:?}"
    );
    (child, rx)
}

fn sha256_hex(bytes: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

fn call(config: &Path, file_arg: &str) -> Vec<String> {
    vec![
        "call".into(),
        UPLOAD.into(),
        "--config".into(),
        config.display().to_string(),
        "--form".into(),
        "image_name=海底捞".into(),
        "--form".into(),
        "image_type=jpg".into(),
        "--file".into(),
        file_arg.to_owned(),
    ]
}

#[test]
fn file_uploads_in_utf8_and_gbk_and_bad_files_send_nothing() {
    let dir = scratch();
    let keys_dir = dir.join("keys");
    let (_child, lines) = gateway(&keys_dir);
    let utf8 = keys_dir.join("alipay.toml");
    // Beside the gateway's config, so its relative key paths hold.
    let gbk = keys_dir.join("gbk.toml");
    let config = std::fs::read_to_string(&utf8).expect("config");
    let config = config.replace("charset = \"utf-8\"", "charset = \"GBK\"");
    assert!(config.contains("GBK"));
    std::fs::write(&gbk, config).expect("gbk config");

    let image = dir.join("门店.jpg");
    let content: Vec<u8> = (0..200_000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(&image, &content).expect("image");
    let arg = format!("image_content=@{}", image.display());
    for (config, charset) in [(&utf8, "utf-8"), (&gbk, "GBK")] {
        let out = run(&call(config, &arg));
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let line = lines
            .recv_timeout(Duration::from_secs(20))
            .expect("a request line");
        assert!(
            line.contains(UPLOAD) && line.contains(&format!("[{charset}]")),
            "{line}"
        );
        assert!(line.contains("(signature ok)"), "{line}");
        assert!(
            line.contains(&format!(
                "file image_content=门店.jpg ({} bytes, sha256 {})",
                content.len(),
                sha256_hex(&content)
            )),
            "{line}"
        );
    }

    // A missing file, a folder, a bad argument, a field that is no File field: exit 2, nothing
    // sent.
    for bad in [
        format!("image_content=@{}", dir.join("missing.jpg").display()),
        format!("image_content=@{}", dir.display()),
        format!("image_content={}", image.display()),
        format!("image_name=@{}", image.display()),
    ] {
        let out = run(&call(&utf8, &bad));
        assert_eq!(out.status.code(), Some(2), "{bad}: {}", text(&out.stderr));
        assert!(
            text(&out.stderr).contains("nothing was sent"),
            "{}",
            text(&out.stderr)
        );
    }
    // A File field given as text is refused too.
    let mut as_text = call(&utf8, &arg);
    as_text.truncate(as_text.len() - 2);
    as_text.extend(["--form".to_owned(), "image_content=a.jpg".to_owned()]);
    let out = run(&as_text);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        lines.recv_timeout(Duration::from_millis(500)).is_err(),
        "a refused call reached the gateway"
    );
}

fn pem() -> String {
    std::fs::read_to_string(format!("{KEYS}/app_private_pkcs1.pem")).expect("key")
}

/// The base64 lines of the key: none may appear in any message.
fn key_lines(pem: &str) -> Vec<String> {
    pem.lines()
        .filter(|l| !l.starts_with("-----") && l.len() > 16)
        .map(str::to_owned)
        .collect()
}

fn assert_no_key(out: &Output, pem: &str) {
    let shown = format!("{}{}", text(&out.stdout), text(&out.stderr));
    assert!(
        !shown.contains("PRIVATE KEY") && !shown.contains("BEGIN"),
        "{shown}"
    );
    for line in key_lines(pem) {
        assert!(!shown.contains(&line[..16]), "key material shown: {shown}");
    }
}

#[test]
fn command_line_errors_never_print_a_key() {
    let pem = pem();
    let mut split: Vec<String> = vec!["call".into(), UPLOAD.into(), "--private-key".into()];
    // As an unquoted `$(cat key.pem)` arrives: one argument per word.
    split.extend(pem.split_whitespace().map(str::to_owned));
    let body = key_lines(&pem).concat();
    let cases: Vec<Vec<String>> = vec![
        split,
        // A mistyped flag before an inline key, and after one.
        vec![
            "call".into(),
            UPLOAD.into(),
            "--privat-key".into(),
            pem.clone(),
        ],
        vec!["call".into(), UPLOAD.into(), format!("--privat-key={pem}")],
        vec![
            "call".into(),
            UPLOAD.into(),
            "--private-key".into(),
            pem.clone(),
            "extra".into(),
        ],
        // A key body where a number belongs.
        vec![
            "call".into(),
            UPLOAD.into(),
            "--timeout-ms".into(),
            body.clone(),
        ],
        vec![
            "gateway".into(),
            "--alipay-private-key".into(),
            pem.clone(),
            "--nope".into(),
        ],
        vec!["call".into(), UPLOAD.into(), "--encrypt-key".into()],
        vec![body],
    ];
    for args in cases {
        let out = run(&args);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(!out.stderr.is_empty());
        assert_no_key(&out, &pem);
    }
    // The rest of the message still says what is wrong.
    let out = run(&[
        "call".into(),
        UPLOAD.into(),
        "--privat-key".into(),
        pem.clone(),
    ]);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("--privat-key"), "{stderr}");
    assert!(stderr.contains("Usage"), "{stderr}");
    // Help still prints, on stdout, with exit 0.
    let out = run(&["call".into(), "--help".into()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("--file <NAME=@PATH>"));
}
