//! `alipay gateway`'s throwaway keys: a fresh private folder that is removed on SIGTERM, and
//! no write through a link planted in a folder the user names.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::common::{BIN, Child, gateway_url, lines_until_ready, spawn_with_lines};

/// Starts `alipay gateway` with `extra` flags; its stdout lines up to the "Ctrl-C" line.
fn start(extra: &[&std::ffi::OsStr]) -> (Child, Vec<String>) {
    let (child, rx) = spawn_with_lines(
        Command::new(BIN)
            .args(["gateway", "--port", "0"])
            .args(extra),
    );
    let lines = lines_until_ready(&rx, Duration::from_secs(60));
    (child, lines)
}

/// [`start`] with `--keys-dir <keys>`.
fn start_in(keys: &Path) -> (Child, Vec<String>) {
    start(&["--keys-dir".as_ref(), keys.as_os_str()])
}

fn terminate(child: &mut Child) -> std::process::ExitStatus {
    let status = Command::new("kill")
        .args(["-TERM", &child.0.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    for _ in 0..1_000 {
        if let Some(status) = child.0.try_wait().expect("wait") {
            return status;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("the gateway did not stop on SIGTERM");
}

fn keys_dir(lines: &[String]) -> PathBuf {
    let line = lines
        .iter()
        .find_map(|l| l.strip_prefix("throwaway keys (TEST ONLY) written to "))
        .unwrap_or_else(|| panic!("no keys folder in {lines:#?}"));
    PathBuf::from(line.trim_end_matches(':'))
}

#[test]
fn the_default_keys_folder_is_fresh_private_and_removed_on_sigterm() {
    let (mut child, lines) = start(&[]);
    let dir = keys_dir(&lines);
    assert!(dir.join("app_private.pem").is_file(), "{lines:#?}");
    let name = dir.file_name().unwrap().to_string_lossy().into_owned();
    assert_ne!(
        name,
        format!("alipay-gateway-{}", child.0.id()),
        "a guessable name"
    );
    let mode = std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o700, "{}", dir.display());

    terminate(&mut child);
    assert!(!dir.exists(), "{} left behind after SIGTERM", dir.display());
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("alipay-cli-keys-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch");
    dir
}

#[test]
fn a_link_planted_in_the_keys_folder_is_not_written_through() {
    let root = scratch("planted");
    let keys = root.join("keys");
    std::fs::create_dir(&keys).unwrap();
    let outside: Vec<(PathBuf, &Path)> = ["app_private.pem", "alipay_public.pem", "alipay.toml"]
        .iter()
        .map(|name| {
            let target = root.join(format!("victim-{name}"));
            std::fs::write(&target, "precious").unwrap();
            std::os::unix::fs::symlink(&target, keys.join(name)).unwrap();
            (target, Path::new(*name))
        })
        .collect();

    let (mut child, lines) = start_in(&keys);
    assert_eq!(keys_dir(&lines), keys, "{lines:#?}");
    terminate(&mut child);
    for (target, name) in &outside {
        assert_eq!(
            std::fs::read_to_string(target).unwrap(),
            "precious",
            "written through {}",
            name.display()
        );
        let meta = std::fs::symlink_metadata(keys.join(name)).unwrap();
        assert!(
            meta.file_type().is_file(),
            "{} is still a link",
            name.display()
        );
    }
    assert!(keys.exists(), "a folder the user named stays");
    let _ = std::fs::remove_dir_all(&root);
}

const CONFIRM_BIZ: &str = r#"{"agreement_no":"20170502000610755993","apply_token":"MDEDUCT0068292ca377d1d44b65fa24ec9cd89132f","auth_confirm_no":"423979"}"#;

// Long because: one gateway run writes the folder; every key form and both SDK configurations are read from it in turn.
#[test]
fn the_keys_folder_holds_every_key_form_and_the_official_sdks_configurations() {
    let root = scratch("forms");
    let keys = root.join("keys");
    let (mut child, lines) = start_in(&keys);
    let url = gateway_url(&lines);
    let read = |name: &str| {
        std::fs::read_to_string(keys.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    // The existing names stay (a public contract); the new forms are beside them.
    assert!(read("app_private.pem").starts_with("-----BEGIN PRIVATE KEY-----\n"));
    assert!(read("app_private_pkcs1.pem").starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));
    assert!(read("alipay_public.pem").starts_with("-----BEGIN PUBLIC KEY-----\n"));
    assert!(read("alipay_public_pkcs1.pem").starts_with("-----BEGIN RSA PUBLIC KEY-----\n"));
    for name in [
        "app_private.txt",
        "app_private_pkcs1.txt",
        "alipay_public.txt",
        "alipay_public_pkcs1.txt",
    ] {
        let text = read(name);
        let line = text.strip_suffix('\n').expect("one line");
        assert!(
            !line.is_empty()
                && line
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b)),
            "{name} is not bare base64: {text:?}"
        );
    }
    // A bare form is the PEM's body on one line.
    let body = |pem: &str| -> String { pem.lines().filter(|l| !l.starts_with("-----")).collect() };
    assert_eq!(
        read("app_private.txt").trim(),
        body(&read("app_private.pem"))
    );
    assert_eq!(
        read("app_private_pkcs1.txt").trim(),
        body(&read("app_private_pkcs1.pem"))
    );
    assert_eq!(
        read("alipay_public.txt").trim(),
        body(&read("alipay_public.pem"))
    );
    for name in [
        "app_private_pkcs1.pem",
        "app_private.txt",
        "app_private_pkcs1.txt",
        "alipay-sdk.node.js",
        "alipay_sdk_python.py",
    ] {
        let mode = std::fs::metadata(keys.join(name))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "{name} is readable by others");
    }

    // Every form signs and verifies real calls to this gateway: a config per pair of forms.
    for (private_key, alipay_public_key) in [
        ("app_private_pkcs1.pem", "alipay_public.txt"),
        ("app_private.txt", "alipay_public_pkcs1.pem"),
        ("app_private_pkcs1.txt", "alipay_public_pkcs1.txt"),
    ] {
        let config = keys.join(format!("forms-{private_key}.toml"));
        std::fs::write(
            &config,
            format!(
                "gateway = \"{url}\"\napp_id = \"2021000000000000\"\nprivate_key = \"{private_key}\"\nalipay_public_key = \"{alipay_public_key}\"\n"
            ),
        )
        .unwrap();
        let out = Command::new(BIN)
            .args(["call", "alipay.user.agreement.auth.confirm", "--config"])
            .arg(&config)
            .args(["--biz-content", CONFIRM_BIZ])
            .output()
            .expect("alipay call");
        assert!(
            out.status.success(),
            "{private_key} + {alipay_public_key}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    // The official SDKs' configurations: this gateway, the app id, the PKCS#1 private key
    // (the Node SDK's default keyType, the Python SDK's only form) and the Alipay public key.
    let pkcs1 = read("app_private_pkcs1.txt").trim().to_owned();
    let alipay_public = read("alipay_public.txt").trim().to_owned();
    let node = read("alipay-sdk.node.js");
    for expected in [
        format!("gateway: \"{url}\""),
        "appId: \"2021000000000000\"".to_owned(),
        format!("privateKey: \"{pkcs1}\""),
        "keyType: 'PKCS1'".to_owned(),
        format!("alipayPublicKey: \"{alipay_public}\""),
        "require('alipay-sdk')".to_owned(),
    ] {
        assert!(node.contains(&expected), "{expected} not in\n{node}");
    }
    let python = read("alipay_sdk_python.py");
    for expected in [
        format!("config.server_url = \"{url}\""),
        "config.app_id = \"2021000000000000\"".to_owned(),
        format!("config.app_private_key = \"{pkcs1}\""),
        format!("config.alipay_public_key = \"{alipay_public}\""),
        "DefaultAlipayClient(alipay_client_config=config)".to_owned(),
    ] {
        assert!(python.contains(&expected), "{expected} not in\n{python}");
    }
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("official SDKs: ") && l.contains("alipay-sdk.node.js")),
        "{lines:#?}"
    );
    terminate(&mut child);
    let _ = std::fs::remove_dir_all(&root);
}

/// Sends `request` on a new connection to `addr` and reads until `until` arrives in the
/// answer; the connection stays open.
fn open_connection(addr: &str, request: &str, until: &str) -> std::net::TcpStream {
    use std::io::{Read as _, Write as _};
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream.write_all(request.as_bytes()).expect("send");
    if until.is_empty() {
        return stream;
    }
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains(until) {
        let n = stream.read(&mut buf).expect("answer");
        assert!(n > 0, "closed: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&buf[..n]);
    }
    stream
}

#[test]
fn sigterm_stops_the_gateway_within_a_second_whatever_is_in_flight() {
    let root = scratch("sigterm");
    let keys = root.join("keys");
    let (mut child, lines) = start_in(&keys);
    let url = gateway_url(&lines);
    let addr = url
        .strip_prefix("http://")
        .and_then(|u| u.strip_suffix("/gateway.do"))
        .expect("address")
        .to_owned();

    // A merchant endpoint that accepts notifications and never answers them.
    let hanging = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let notify_url = format!("http://{}/notify", hanging.local_addr().unwrap());
    let (accepted_tx, accepted) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in hanging.incoming().map_while(Result::ok) {
            held.push(stream);
            let _ = accepted_tx.send(());
        }
    });
    // A paid trade whose notification is in delivery to it.
    let order = Command::new(BIN)
        .args(["sdk", "alipay.trade.app.pay", "--config"])
        .arg(keys.join("alipay.toml"))
        .args(["--notify-url", &notify_url, "--biz-content"])
        .arg(r#"{"out_trade_no":"SIGTERM-1","total_amount":"9.99","subject":"Tea","product_code":"QUICK_MSECURITY_PAY"}"#)
        .output()
        .expect("alipay sdk");
    assert!(order.status.success(), "{order:?}");
    let order = String::from_utf8(order.stdout).unwrap();
    let order = order.trim_end();
    let _paid = open_connection(
        &addr,
        &format!(
            "POST /control/pay-order-string HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\n\r\n{order}",
            order.len()
        ),
        "TRADE_SUCCESS",
    );
    accepted
        .recv_timeout(Duration::from_secs(20))
        .expect("the notification's delivery connected");
    // A keep-alive connection after an answer, a request half sent, a connection that sent
    // nothing.
    let _keep_alive = open_connection(
        &addr,
        "GET /gateway.do HTTP/1.1\r\nHost: x\r\n\r\n",
        "\r\n\r\n",
    );
    let _half = open_connection(
        &addr,
        "POST /gateway.do HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nmethod=",
        "",
    );
    let _idle = open_connection(&addr, "", "");
    std::thread::sleep(Duration::from_millis(200));

    let sent = std::time::Instant::now();
    let status = terminate(&mut child);
    let took = sent.elapsed();
    assert!(status.success(), "{status:?}");
    assert!(took < Duration::from_secs(1), "SIGTERM took {took:?}");
    let _ = std::fs::remove_dir_all(&root);
}

/// `--app-id` was written into the client config unescaped: an id holding a `"` or a `\`
/// made `alipay.toml` fail to parse (a line break could add a key to it), so the printed
/// "try" command failed. The config now holds the id exactly: a call with it is accepted by a
/// gateway that accepts only that id. (White space and control characters in an `app_id`
/// are refused by the client itself, by name: runtime/tests/config.rs.)
#[test]
fn an_app_id_of_any_text_makes_a_client_config_that_works() {
    let root = scratch("app-id");
    let keys = root.join("keys");
    let app_id = "20\"21\\x";
    let (mut child, _lines) = start(&[
        "--keys-dir".as_ref(),
        keys.as_os_str(),
        "--app-id".as_ref(),
        app_id.as_ref(),
    ]);
    let config = keys.join("alipay.toml");
    let out = Command::new(BIN)
        .args(["call", "alipay.user.agreement.auth.confirm", "--config"])
        .arg(&config)
        .args(["--biz-content", CONFIRM_BIZ])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    terminate(&mut child);
    let _ = std::fs::remove_dir_all(&root);
}
