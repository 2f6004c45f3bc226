//! Certificate mode and AES on the command line: `alipay cert-sn` against the vectors, the
//! certificate-mode config keys and flags against an in-process gateway (utf-8 and GBK, AES),
//! `alipay gateway --cert-mode` with the client config it writes, and exit 5 naming both SNs
//! when an answer's certificate cannot be trusted.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use alipay_gateway::{GatewayCertMode, LocalGateway, ThrowawayCerts, ThrowawayKeys};
use alipay_runtime::encrypt::EncryptKey;

use crate::common::{
    self, BIN, Scratch, VECTORS, assert_exit, call_args, lines_until_ready_async, run_async as run,
    scratch, spawn_with_lines, text, write_alipay_toml,
};

const CONFIRM: &str = "alipay.user.agreement.auth.confirm";
const CONFIRM_BIZ: &str = r#"{"agreement_no":"20170502000610755993","apply_token":"MDEDUCT0068292ca377d1d44b65fa24ec9cd89132f","auth_confirm_no":"423979"}"#;
const AES_KEY: &str = "LWWCLAong8Vx0XsBzWhMFg==";

fn vector(name: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(format!("{VECTORS}{name}")).unwrap()).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cert_sn_prints_the_vectors_sns() {
    let v = vector("cert_sn.json");
    let real = &vector("modes_node.json")["cert_sn_real"];
    for (args, expected) in [
        (vec!["keys/certs/app_cert.pem"], &v["app_cert_sn"]),
        (vec!["keys/certs/alipay_cert.pem"], &v["alipay_cert_sn"]),
        (
            vec!["--root", "keys/certs/alipay_root_cert.pem"],
            &v["alipay_root_cert_sn"],
        ),
        (
            vec!["--root", "certs_real/alipayRootCert_real.crt"],
            &real["alipay_root_cert_sn"],
        ),
        (
            vec!["certs_real/alipayPublicCert_sandbox.crt"],
            &real["alipay_cert_sn"],
        ),
    ] {
        let mut full = vec!["cert-sn".to_owned()];
        for a in args {
            full.push(if a.starts_with("--") {
                a.to_owned()
            } else {
                format!("{VECTORS}{a}")
            });
        }
        let out = run(full.clone()).await;
        assert_eq!(
            out.status.code(),
            Some(0),
            "{full:?}: {}",
            text(&out.stderr)
        );
        assert_eq!(
            text(&out.stdout),
            format!("{}\n", expected.as_str().unwrap())
        );
    }
    // Not a certificate, and no file at all: exit 2.
    for file in ["keys/app_public.pem", "no/such.crt"] {
        let out = run(vec!["cert-sn".into(), format!("{VECTORS}{file}")]).await;
        assert_eq!(out.status.code(), Some(2), "{file}");
        assert!(out.stdout.is_empty());
    }
}

/// Writes the throwaway certificates and a cert-mode config for `url`.
fn cert_config(certs: &ThrowawayCerts, dir: &Path, url: &str, extra: &str) -> PathBuf {
    certs.write_to(dir).expect("certs");
    write_alipay_toml(
        dir,
        &format!(
            "gateway = \"{url}\"\napp_id = \"2021000000000000\"\nprivate_key = \"app_private.pem\"\napp_cert = \"app_cert.crt\"\nalipay_cert = \"alipay_cert.crt\"\nalipay_root_cert = \"alipay_root_cert.crt\"\ntimeout_ms = 5000\n{extra}"
        ),
    )
}

fn call(config: &Path, extra: &[&str]) -> Vec<String> {
    call_args(CONFIRM, config, CONFIRM_BIZ, extra)
}

async fn cert_gateway(certs: &ThrowawayCerts) -> LocalGateway {
    let keys = ThrowawayKeys {
        app: certs.app.key.clone(),
        alipay: certs.alipay.key.clone(),
    };
    LocalGateway::builder(alipay_openapi::METHODS, keys.gateway_keys().unwrap())
        .cert_mode(GatewayCertMode::from_throwaway(certs).unwrap())
        .encrypt_key(EncryptKey::from_base64(AES_KEY).unwrap())
        .start()
        .await
        .expect("gateway")
}

/// Fresh throwaway certificates, a cert-mode gateway on them, and a scratch folder holding
/// the certificates and a cert-mode config for that gateway.
async fn cert_setup() -> (ThrowawayCerts, LocalGateway, Scratch, PathBuf) {
    let certs = ThrowawayCerts::generate().expect("certs");
    let gw = cert_gateway(&certs).await;
    let dir = scratch();
    let config = cert_config(&certs, &dir, &gw.url(), "");
    (certs, gw, dir, config)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cert_mode_config_keys_flags_and_aes() {
    let (certs, gw, dir, config) = cert_setup().await;
    for extra in [
        &[][..],
        &["--charset", "GBK"][..],
        &["--encrypt-key", AES_KEY][..],
        &["--charset", "GBK", "--encrypt-key", AES_KEY][..],
    ] {
        let out = run(call(&config, extra)).await;
        assert_eq!(
            out.status.code(),
            Some(0),
            "{extra:?}: {}",
            text(&out.stderr)
        );
        let node: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(node["code"], "10000");
        let last = gw.requests().pop().unwrap();
        assert!(last.param("app_cert_sn").is_some());
        assert_eq!(
            last.param("encrypt_type").is_some(),
            extra.contains(&"--encrypt-key")
        );
    }
    // The same through flags only, with inline PEM for the app certificate.
    let flags = vec![
        "call".to_owned(),
        CONFIRM.into(),
        "--gateway".into(),
        gw.url(),
        "--app-id".into(),
        "2021000000000000".into(),
        // `=`: a value that starts with `-----` would read as a flag.
        format!("--private-key={}", certs.app.key.private_pem),
        format!("--app-cert={}", certs.app.cert_pem),
        "--alipay-cert".into(),
        dir.join("alipay_cert.crt").display().to_string(),
        "--alipay-root-cert".into(),
        dir.join("alipay_root_cert.crt").display().to_string(),
        "--biz-content".into(),
        CONFIRM_BIZ.into(),
    ];
    let out = run(flags.clone()).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    // Only two of the three: exit 2, nothing sent.
    let before = gw.request_count();
    let partial: Vec<String> = flags[..flags.len() - 4]
        .iter()
        .cloned()
        .chain(["--biz-content".to_owned(), CONFIRM_BIZ.to_owned()])
        .collect();
    let out = run(partial).await;
    assert_exit(&out, 2, "alipay_root_cert");
    // An Alipay certificate from another root: exit 2 naming the file.
    let forged = ThrowawayCerts::forge_alipay_cert().unwrap();
    let forged_path = dir.join("forged.crt");
    std::fs::write(&forged_path, &forged.cert_pem).unwrap();
    let out = run(call(
        &config,
        &["--alipay-cert", &forged_path.display().to_string()],
    ))
    .await;
    assert_exit(&out, 2, "forged.crt");
    assert_eq!(gw.request_count(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_untrusted_alipay_cert_sn_is_exit_5_naming_both_sns() {
    // The folder holds the config's files until the test ends.
    let (certs, gw, _dir, config) = cert_setup().await;
    let configured = gw.alipay_cert_sn().unwrap();
    let forged_sn = gw
        .rotate_alipay_cert(&ThrowawayCerts::forge_alipay_cert().unwrap())
        .unwrap();
    let out = run(call(&config, &[])).await;
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&configured) && stderr.contains(&forged_sn),
        "{stderr}"
    );

    // A rotation to a certificate from the root is followed.
    let good = certs.issue_alipay_cert().unwrap();
    gw.rotate_alipay_cert(&good).unwrap();
    let out = run(call(&config, &[])).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_cert_mode_writes_a_ready_client_config() {
    let dir = scratch();
    let keys_dir = dir.join("keys");
    let (_child, rx) = spawn_with_lines(
        Command::new(BIN)
            .args([
                "gateway",
                "--port",
                "0",
                "--cert-mode",
                "--encrypt-key",
                AES_KEY,
            ])
            .arg("--keys-dir")
            .arg(&keys_dir),
    );
    let (lines, _rx) = lines_until_ready_async(rx, Duration::from_secs(60)).await;
    assert!(
        lines.iter().any(|l| l.contains("alipay_cert_sn")),
        "{lines:?}"
    );
    let config = keys_dir.join("alipay.toml");
    let written = std::fs::read_to_string(&config).expect("config written");
    assert!(written.contains("alipay_root_cert") && !written.contains("alipay_public_key"));
    assert!(written.contains("encrypt_key"));
    for extra in [&[][..], &["--charset", "GBK"][..]] {
        let out = run(call(&config, extra)).await;
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    let root = keys_dir.join("alipay_root_cert.crt");
    let out = run(vec![
        "cert-sn".into(),
        "--root".into(),
        root.display().to_string(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(text(&out.stdout).trim().len(), 32);
}

/// `alipay gateway --scenario FILE` with a broken `[rotate_alipay_cert]` holding the private key
/// inline: exit 2 naming the file and line, and no piece of the key on the terminal (the TOML
/// error quoted the key's line, and a bare base64 key, read as a path, was echoed).
#[test]
fn a_broken_scenario_file_never_shows_its_inline_private_key() {
    let keys = ThrowawayKeys::generate().expect("keys");
    let body = common::pem_body(&keys.alipay.private_pem);
    let dir = scratch();
    let path = dir.join("rotate.toml");
    let cert = "cert = \"-----BEGIN CERTIFICATE-----\"\n";
    for (scenario, named) in [
        (
            format!("[rotate_alipay_cert]\n{cert}private_key = \"{body}\n"),
            "line 3",
        ),
        (
            format!("[rotate_alipay_cert]\n{cert}private_key = \"{body}\"\n"),
            "private_key",
        ),
    ] {
        std::fs::write(&path, scenario).expect("scenario");
        let out = common::run(&[
            "gateway".into(),
            "--cert-mode".into(),
            "--scenario".into(),
            path.display().to_string(),
        ]);
        assert_exit(&out, 2, named);
        let stderr = text(&out.stderr);
        for piece in body.as_bytes().chunks_exact(12) {
            let piece = std::str::from_utf8(piece).expect("ascii");
            assert!(!stderr.contains(piece), "{piece:?} shown in: {stderr}");
        }
        assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    }
}

/// A private key pasted where a certificate's path goes (`--app-cert`, `alipay_cert` in the
/// config file, `alipay cert-sn`) is not a file: the error said "cannot read certificate file
/// MIIEvQ…", the whole key on the terminal. Now it says the value is not shown; a file name
/// that is not a key is still named.
#[test]
fn a_key_given_as_a_certificate_path_is_not_echoed() {
    let keys = ThrowawayKeys::generate().expect("keys");
    let body = common::pem_body(&keys.app.private_pem);
    let dir = scratch();
    keys.write_to(&dir).expect("keys");
    let config = write_alipay_toml(
        &dir,
        &format!(
            "gateway = \"http://127.0.0.1:9/gateway.do\"\napp_id = \"2021000000000000\"\nprivate_key = \"app_private.pem\"\napp_cert = \"{body}\"\nalipay_cert = \"alipay_cert.crt\"\nalipay_root_cert = \"root.crt\"\n"
        ),
    );
    let runs = [
        call_args(CONFIRM, &config, CONFIRM_BIZ, &["--app-cert", &body]),
        call_args(CONFIRM, &config, CONFIRM_BIZ, &[]),
        vec!["cert-sn".into(), body.clone()],
        vec!["cert-sn".into(), "--root".into(), body.clone()],
    ];
    for args in runs {
        let out = common::run(&args);
        assert_exit(&out, 2, "not shown");
        let stderr = text(&out.stderr);
        for piece in body.as_bytes().chunks_exact(12) {
            let piece = std::str::from_utf8(piece).expect("ascii");
            assert!(!stderr.contains(piece), "{piece:?} shown in: {stderr}");
        }
    }
    // A missing certificate file is named.
    let out = common::run(&[
        "cert-sn".into(),
        "appCertPublicKey_2021000000000000.crt".into(),
    ]);
    assert_exit(&out, 2, "appCertPublicKey_2021000000000000.crt");
}

/// A scenario file's mistakes found after parsing (an undocumented business code, an unknown
/// method, a rotation without certificate mode) did not name the file.
#[test]
fn every_scenario_mistake_names_the_file() {
    let dir = scratch();
    let path = dir.join("answers.toml");
    for (scenario, words) in [
        (
            "[methods.\"alipay.trade.query\"]\nanswer = \"business_error\"\nsub_code = \"NOPE\"\n",
            "`NOPE` is not in the error table",
        ),
        (
            "[methods.\"alipay.no.such\"]\nanswer = \"success\"\n",
            "unknown method `alipay.no.such`",
        ),
        (
            "[rotate_alipay_cert]\nissue = \"from_root\"\n",
            "rotate_alipay_cert",
        ),
    ] {
        std::fs::write(&path, scenario).expect("scenario");
        let out = common::run(&[
            "gateway".into(),
            "--scenario".into(),
            path.display().to_string(),
        ]);
        assert_exit(&out, 2, words);
        assert_exit(&out, 2, &format!("scenario file {}", path.display()));
    }
}
