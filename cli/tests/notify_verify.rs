//! `alipay notify verify` (a public contract): the vectors' notifications and bodies signed by
//! the local gateway's throwaway keys are verified and printed as a JSON object (exit 0); an
//! unsigned, altered or wrong-key body is exit 5 with nothing on stdout, and so is one longer
//! than `MAX_NOTIFY_BYTES`, read no further.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use alipay_gateway::ThrowawayKeys;
use alipay_runtime::charset::Charset;
use alipay_runtime::keys::PrivateKey;
use alipay_runtime::notify::notify_sign_content;
use alipay_runtime::sign::{self, SignType};
use serde_json::Value;

use crate::common::{BIN, VECTORS, scratch, write_alipay_toml};

/// A config file: the app key and the Alipay public key that notifications verify with.
fn config(dir: &Path, private_key: &Path, alipay_public_key: &Path) -> PathBuf {
    write_alipay_toml(
        dir,
        &format!(
            "gateway = \"http://127.0.0.1:9/gateway.do\"\napp_id = \"2014072300007148\"\nprivate_key = \"{}\"\nalipay_public_key = \"{}\"\n",
            private_key.display(),
            alipay_public_key.display()
        ),
    )
}

/// `alipay notify verify --config <config> EXTRA...` started, every stream piped.
fn start_verify(config: &Path, extra: &[&str]) -> std::process::Child {
    Command::new(BIN)
        .args(["notify", "verify", "--config"])
        .arg(config)
        .args(extra)
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run alipay")
}

/// Runs `alipay notify verify --config CONFIG [extra]` with `stdin` on standard input.
fn verify(config: &Path, extra: &[&str], stdin: &[u8]) -> Output {
    let mut child = start_verify(config, extra);
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().expect("alipay output")
}

fn printed(out: &Output) -> Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON document")
}

fn refused(out: &Output, why: &str) {
    assert_eq!(out.status.code(), Some(5), "{why}: {out:?}");
    assert!(out.stdout.is_empty(), "{why}: nothing on stdout");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("does not verify"),
        "{why}: {out:?}"
    );
}

/// A notification body signed with `key`, as Alipay signs trade notifications.
fn signed_body(key: &PrivateKey, fields: &[(&str, &str)]) -> String {
    let content = notify_sign_content(fields.iter().copied());
    let signature = sign::sign_base64(
        key,
        SignType::Rsa2,
        &Charset::Utf8.encode(&content).unwrap(),
    )
    .unwrap();
    let mut body = form_urlencoded::Serializer::new(String::new());
    body.extend_pairs(fields);
    body.append_pair("sign_type", "RSA2");
    body.append_pair("sign", &signature);
    body.finish()
}

const FIELDS: &[(&str, &str)] = &[
    ("notify_type", "trade_status_sync"),
    ("out_trade_no", "T-1"),
    ("subject", "电费 & <\"+ 100%"),
    ("total_amount", "88.88"),
    ("trade_status", "TRADE_SUCCESS"),
];

#[test]
fn bodies_signed_by_the_gateway_keys_verify_and_nothing_else_does() {
    let dir = scratch();
    let keys = ThrowawayKeys::generate().unwrap();
    let written = keys.write_to(&dir).unwrap();
    let config = config(&dir, &written.app_private, &written.alipay_public);
    let alipay = PrivateKey::from_pem(&keys.alipay.private_pem).unwrap();
    let body = signed_body(&alipay, FIELDS);

    // From standard input, with the line break a shell adds.
    let shown = printed(&verify(&config, &[], format!("{body}\n").as_bytes()));
    let object = shown.as_object().expect("a JSON object");
    for (k, v) in FIELDS {
        assert_eq!(object[*k], *v, "{k}");
    }
    assert_eq!(object["sign_type"], "RSA2");
    assert!(!object.contains_key("sign"));
    assert_eq!(object.len(), FIELDS.len() + 1);

    // From a file.
    let file = dir.join("notification.txt");
    std::fs::write(&file, &body).unwrap();
    let at = format!("@{}", file.display());
    assert_eq!(printed(&verify(&config, &["--body", &at], b"")), shown);

    // Changed after signing, unsigned, or signed by a key that is not the configured one.
    let changed = body.replace("total_amount=88.88", "total_amount=0.01");
    refused(&verify(&config, &[], changed.as_bytes()), "amount changed");
    let unsigned: String = body
        .split('&')
        .filter(|p| !p.starts_with("sign="))
        .collect::<Vec<_>>()
        .join("&");
    refused(&verify(&config, &[], unsigned.as_bytes()), "unsigned");
    let stranger = PrivateKey::from_pem(&keys.app.private_pem).unwrap();
    let other = signed_body(&stranger, FIELDS);
    refused(&verify(&config, &[], other.as_bytes()), "wrong key");
    refused(&verify(&config, &[], b""), "empty body");

    // Unreadable input is invalid input (exit 2), not a verdict on a notification.
    let out = verify(&config, &["--body", "@/no/such/file"], b"");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
}

#[test]
fn the_vectors_verify_with_the_vector_alipay_key() {
    let dir = scratch();
    let config = config(
        &dir,
        &PathBuf::from(format!("{VECTORS}keys/app_private_pkcs1.pem")),
        &PathBuf::from(format!("{VECTORS}keys/alipay_public.pem")),
    );
    for file in ["verify_notify.json", "verify_notify_more.json"] {
        let text = std::fs::read_to_string(format!("{VECTORS}{file}")).unwrap();
        let vectors: Vec<Value> = serde_json::from_str(&text).unwrap();
        for v in vectors {
            let name = v["name"].as_str().unwrap();
            let body = v["form_body"].as_str().unwrap();
            let out = verify(&config, &["--body", body], b"");
            if v["expected"] == "verified" {
                let shown = printed(&out);
                for (k, value) in v["params"].as_object().unwrap() {
                    if k != "sign" {
                        assert_eq!(&shown[k], value, "{name}: {k}");
                    }
                }
            } else {
                refused(&out, name);
            }
        }
    }
}

#[test]
fn a_body_longer_than_a_notification_is_refused_and_read_no_further() {
    use alipay_runtime::notify::MAX_NOTIFY_BYTES;

    let dir = scratch();
    let config = config(
        &dir,
        Path::new(&format!("{VECTORS}keys/app_private_pkcs1.pem")),
        Path::new(&format!("{VECTORS}keys/alipay_public.pem")),
    );
    let too_long = |out: &Output, why: &str| {
        refused(out, why);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("MAX_NOTIFY_BYTES"), "{why}: {stderr}");
    };

    // 64 MiB on standard input: the command stops reading at the bound and answers, while
    // the writer is still writing (its write then fails, which is expected).
    let mut child = start_verify(&config, &[]);
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let chunk = vec![b'a'; 1 << 20];
        for _ in 0..64 {
            if stdin.write_all(&chunk).is_err() {
                return false;
            }
        }
        true
    });
    too_long(&child.wait_with_output().unwrap(), "64 MiB on stdin");
    assert!(!writer.join().unwrap(), "the command read all 64 MiB");

    // A file one byte over; and exactly at the bound, with a line break, it is read whole
    // (and then does not verify, being no notification).
    let file = dir.join("long.txt");
    std::fs::write(&file, vec![b'a'; MAX_NOTIFY_BYTES + 1]).unwrap();
    let at = format!("@{}", file.display());
    too_long(
        &verify(&config, &["--body", &at], b""),
        "a file over the bound",
    );
    std::fs::write(
        &file,
        [vec![b'a'; MAX_NOTIFY_BYTES], b"\r\n".to_vec()].concat(),
    )
    .unwrap();
    let out = verify(&config, &["--body", &at], b"");
    refused(&out, "a file at the bound");
    assert!(!String::from_utf8_lossy(&out.stderr).contains("MAX_NOTIFY_BYTES"));
}
