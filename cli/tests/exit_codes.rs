// Long because: every exit code of the public contract, and each refusal behind exit 2, share this file's gateway, config and argument helpers.
//! The `alipay` binary's exit codes (a public contract), against a gateway started by the
//! test on 127.0.0.1.

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use alipay_gateway::{Scenario, TestGateway};

use crate::common::{
    self, BIN, Child, Scratch, assert_exit, lines_until_ready_async, run_async as run, scratch,
    spawn_with_lines, text, write_alipay_toml,
};

const CONFIRM: &str = "alipay.user.agreement.auth.confirm";
const CONFIRM_BIZ: &str = r#"{"agreement_no":"20170502000610755993","apply_token":"MDEDUCT0068292ca377d1d44b65fa24ec9cd89132f","auth_confirm_no":"423979"}"#;

/// A config file in its own scratch folder.
struct ConfigFile {
    path: PathBuf,
    _dir: Scratch,
}

impl Deref for ConfigFile {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.path
    }
}

/// Writes the gateway's client keys and a config file pointing at `gateway_url`.
fn write_config(gw: &TestGateway, gateway_url: &str) -> ConfigFile {
    let dir = scratch();
    gw.keys().write_to(&dir).expect("keys");
    let path = write_alipay_toml(
        &dir,
        &format!(
            "gateway = \"{gateway_url}\"\napp_id = \"2021000000000000\"\nprivate_key = \"app_private.pem\"\nalipay_public_key = \"alipay_public.pem\"\nsign_type = \"RSA2\"\ncharset = \"utf-8\"\ntimeout_ms = 5000\n"
        ),
    );
    ConfigFile { path, _dir: dir }
}

fn call_args(config: &Path, biz: &str, extra: &[&str]) -> Vec<String> {
    common::call_args(CONFIRM, config, biz, extra)
}

async fn start() -> TestGateway {
    TestGateway::start(alipay_openapi::METHODS)
        .await
        .expect("gateway")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_0_prints_the_verified_node() {
    let gw = start().await;
    let config = write_config(&gw, &gw.url());
    for extra in [&[][..], &["--charset", "GBK", "--sign-type", "RSA"][..]] {
        let out = run(call_args(&config, CONFIRM_BIZ, extra)).await;
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let node: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
        assert_eq!(node["code"], "10000");
    }
    let last = gw.requests().pop().expect("recorded");
    assert_eq!(last.charset, "GBK");
    assert_eq!(last.param("sign_type"), Some("RSA"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_2_for_invalid_input_or_config_and_nothing_is_sent() {
    let gw = start().await;
    let config = write_config(&gw, &gw.url());
    let too_long = r#"{"agreement_no":"1","apply_token":"2","auth_confirm_no":"12345678901"}"#;
    let cases: Vec<Vec<String>> = vec![
        call_args(&config, too_long, &[]),
        call_args(&config, r#"{"agreement_no":"1"}"#, &[]),
        call_args(&config, "not json", &[]),
        call_args(&config, CONFIRM_BIZ, &["--sign-type", "MD5"]),
        call_args(&config, CONFIRM_BIZ, &["--charset", "latin1"]),
        call_args(&config, CONFIRM_BIZ, &["--private-key", "/no/such/key.pem"]),
        vec![
            "call".into(),
            CONFIRM.into(),
            "--config".into(),
            "/no/such/alipay.toml".into(),
            "--biz-content".into(),
            CONFIRM_BIZ.into(),
        ],
        vec![
            "call".into(),
            "alipay.no.such.method".into(),
            "--config".into(),
            config.display().to_string(),
        ],
        // No configuration at all.
        vec![
            "call".into(),
            CONFIRM.into(),
            "--biz-content".into(),
            CONFIRM_BIZ.into(),
        ],
    ];
    for args in cases {
        let out = run(args.clone()).await;
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            text(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
    assert_eq!(gw.request_count(), 0, "{:?}", gw.requests());

    let out = run(call_args(&config, too_long, &[])).await;
    assert!(
        text(&out.stderr).contains("auth_confirm_no"),
        "{}",
        text(&out.stderr)
    );
}

/// `--biz-content` is sent as written or refused: serde_json's `Value` kept the last of a key
/// given twice (the first amount silently replaced by the second) and rewrote numbers it cannot
/// hold (`1e2` as 100, a 23-digit integer as `1.2345678901234568e22`), all of which went out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn biz_content_with_a_key_twice_or_an_inexact_number_is_refused_before_sending() {
    let gw = start().await;
    let config = write_config(&gw, &gw.url());
    for (biz, named) in [
        (
            r#"{"agreement_no":"20170502000610755993","agreement_no":"1","apply_token":"MDEDUCT0068","auth_confirm_no":"423979"}"#,
            "`agreement_no`",
        ),
        (
            r#"{"agreement_no":"1","apply_token":"2","auth_confirm_no":"3","x":{"a":1,"a":2}}"#,
            "`a`",
        ),
        (
            r#"{"agreement_no":"1","apply_token":"2","auth_confirm_no":"3","x":1e2}"#,
            "`1e2`",
        ),
        (
            r#"{"agreement_no":"1","apply_token":"2","auth_confirm_no":"3","x":12345678901234567890123}"#,
            "`12345678901234567890123`",
        ),
    ] {
        let out = run(call_args(&config, biz, &["--allow-unknown-fields"])).await;
        assert_exit(&out, 2, named);
        assert!(out.stdout.is_empty(), "{biz}");
    }
    assert_eq!(gw.request_count(), 0, "{:?}", gw.requests());
    // The same text without the duplicate goes out.
    let out = run(call_args(&config, CONFIRM_BIZ, &[])).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// `--form NAME=VALUE` for a name the method does not send outside biz_content was dropped
/// silently: `--form app_auth_token=…` called as the app itself, `--form agreement_no=…` was
/// reported as "not given". Each is now refused, named, with what to give instead.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_parameter_the_method_does_not_send_is_refused_before_sending() {
    let gw = start().await;
    let config = write_config(&gw, &gw.url());
    let without_agreement = r#"{"apply_token":"MDEDUCT0068","auth_confirm_no":"423979"}"#;
    for (biz, form, named) in [
        (
            without_agreement,
            "agreement_no=20170502000610755993",
            "give it in --biz-content",
        ),
        (CONFIRM_BIZ, "app_auth_token=201510BB", "--app-auth-token"),
        (
            CONFIRM_BIZ,
            "notify_url=https://shop.example/n",
            "--notify-url",
        ),
        (CONFIRM_BIZ, "sign=abc", "`sign` is a public parameter"),
        (CONFIRM_BIZ, "auth_token=u1", "`auth_token`"),
        (CONFIRM_BIZ, "no_such=1", "`no_such` is not a parameter"),
    ] {
        let out = run(call_args(&config, biz, &["--form", form])).await;
        assert_exit(&out, 2, named);
        assert!(out.stdout.is_empty(), "{form}");
    }
    assert_eq!(gw.request_count(), 0, "{:?}", gw.requests());
}

/// A file the user names may be an endless stream (`--biz-content @/dev/stdin` fed by a
/// program that never stops): it was read until memory ran out. Each is now read no further
/// than a bound, and refused (exit 2), nothing sent.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_file_is_read_no_further_than_a_bound() {
    let gw = start().await;
    let config = write_config(&gw, &gw.url());
    let runs = [
        call_args(&config, "@/dev/zero", &[]),
        vec![
            "call".into(),
            CONFIRM.into(),
            "--config".into(),
            "/dev/zero".into(),
            "--biz-content".into(),
            CONFIRM_BIZ.into(),
        ],
        vec!["cert-sn".into(), "/dev/zero".into()],
        vec!["gateway".into(), "--scenario".into(), "/dev/zero".into()],
    ];
    for args in runs {
        let out = run(args.clone()).await;
        assert_exit(&out, 2, "longer than");
        assert!(text(&out.stderr).contains("/dev/zero"), "{args:?}");
    }
    assert_eq!(gw.request_count(), 0, "{:?}", gw.requests());
}

/// A stdout that cannot be written (a closed pipe: `alipay call … | head -c0`) made `call`
/// and `cert-sn` panic (exit 101, a backtrace on stderr) after the call was made, and `demo`
/// too. Each now exits 1 with the reason, as `page` and `sdk` do, or (demo) goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_stdout_is_exit_1_never_a_panic() {
    let gw = start().await;
    let config = write_config(&gw, &gw.url());
    let runs: Vec<(Vec<String>, i32)> = vec![
        (call_args(&config, CONFIRM_BIZ, &[]), 1),
        (
            vec![
                "cert-sn".into(),
                format!("{}keys/certs/app_cert.pem", common::VECTORS),
            ],
            1,
        ),
        (vec!["demo".into()], 0),
    ];
    for (args, code) in runs {
        let out = tokio::task::spawn_blocking(move || {
            let (reader, writer) = std::io::pipe().expect("pipe");
            drop(reader);
            Command::new(BIN)
                .args(&args)
                .current_dir(std::env::temp_dir())
                .stdout(writer)
                .output()
                .expect("run")
        })
        .await
        .expect("join");
        let stderr = text(&out.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(out.status.code(), Some(code), "{stderr}");
    }
}

/// docs/cli.md: "Error messages name the key and where it came from". A bad `sign_type`,
/// `charset`, `encrypt_key`, `gateway`, `timeout_ms` or `protocol` said only the key, so with
/// both a config file and flags the user could not tell which one to fix.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_setting_names_where_it_came_from() {
    let gw = start().await;
    let config = write_config(&gw, &gw.url());
    for (flag, value, key) in [
        ("--sign-type", "MD5", "sign_type"),
        ("--charset", "latin1", "charset"),
        ("--encrypt-key", "abc", "encrypt_key"),
        ("--gateway", "ftp://x", "gateway"),
        ("--timeout-ms", "0", "timeout_ms"),
    ] {
        let out = run(call_args(&config, CONFIRM_BIZ, &[flag, value])).await;
        assert_exit(&out, 2, key);
        assert_exit(&out, 2, "(from the flag)");
        // The same setting in the config file.
        let text = std::fs::read_to_string(&*config).expect("config");
        let kept: String = text
            .lines()
            .filter(|l| !l.starts_with(&format!("{key} ")))
            .map(|l| format!("{l}\n"))
            .collect();
        let quoted = if key == "timeout_ms" {
            value.to_owned()
        } else {
            format!("\"{value}\"")
        };
        let own = config.with_file_name("own.toml");
        std::fs::write(&own, format!("{kept}{key} = {quoted}\n")).expect("own config");
        let out = run(call_args(&own, CONFIRM_BIZ, &[])).await;
        assert_exit(&out, 2, key);
        assert_exit(&out, 2, "(from the config file)");
    }
    let text = std::fs::read_to_string(&*config).expect("config");
    let own = config.with_file_name("own.toml");
    std::fs::write(&own, format!("{text}protocol = \"v4\"\n")).expect("own config");
    let out = run(call_args(&own, CONFIRM_BIZ, &[])).await;
    assert_exit(&out, 2, "protocol (from the config file)");
    assert_eq!(gw.request_count(), 0, "{:?}", gw.requests());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_3_for_a_verified_business_error_with_its_solution() {
    let gw = start().await;
    gw.set_scenario(CONFIRM, Scenario::business_error("VALIDATECODE_EXPIRED"))
        .expect("scenario");
    let config = write_config(&gw, &gw.url());
    let out = run(call_args(&config, CONFIRM_BIZ, &[])).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    for expected in [
        "40004",
        "Business Failed",
        "VALIDATECODE_EXPIRED",
        "校验码超时",
        "校验码超时,商户可重新发起一次鉴权申请",
    ] {
        assert!(
            stderr.contains(expected),
            "{expected} missing in:\n{stderr}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_4_for_a_verified_gateway_error() {
    let gw = start().await;
    gw.set_scenario(CONFIRM, Scenario::service_unavailable())
        .expect("scenario");
    let config = write_config(&gw, &gw.url());
    let out = run(call_args(&config, CONFIRM_BIZ, &[])).await;
    assert_exit(&out, 4, "isp.unknow-error");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_5_for_an_altered_unsigned_or_wrongly_signed_answer() {
    let gw = start().await;
    let config = write_config(&gw, &gw.url());
    for scenario in [Scenario::AlteredBody, Scenario::MissingSign] {
        gw.set_scenario(CONFIRM, scenario.clone())
            .expect("scenario");
        let out = run(call_args(&config, CONFIRM_BIZ, &[])).await;
        assert_eq!(
            out.status.code(),
            Some(5),
            "{scenario:?}: {}",
            text(&out.stderr)
        );
        assert!(out.stdout.is_empty());
    }
    gw.clear_scenarios();
    // A key pair the gateway never saw: its answers do not verify with that public key.
    let stranger = alipay_gateway::PemKeyPair::generate().expect("keygen");
    let wrong = config.with_file_name("stranger_alipay_public.pem");
    std::fs::write(&wrong, &stranger.public_pem).expect("write");
    let out = run(call_args(
        &config,
        CONFIRM_BIZ,
        &["--alipay-public-key", &wrong.display().to_string()],
    ))
    .await;
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exit_6_for_transport_and_http_failures_and_flags_win_over_the_file() {
    let gw = start().await;
    gw.set_scenario(CONFIRM, Scenario::Http500)
        .expect("scenario");
    let config = write_config(&gw, &gw.url());
    let out = run(call_args(&config, CONFIRM_BIZ, &[])).await;
    assert_eq!(out.status.code(), Some(6), "{}", text(&out.stderr));

    gw.set_scenario(CONFIRM, Scenario::Success.delayed(800))
        .expect("scenario");
    let out = run(call_args(&config, CONFIRM_BIZ, &["--timeout-ms", "100"])).await;
    assert_eq!(out.status.code(), Some(6), "{}", text(&out.stderr));

    // Nothing listens on the file's gateway (a port just freed); the flag points at the
    // real one and wins.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.local_addr().expect("addr")
    };
    let dead = write_config(&gw, &format!("http://{closed}/gateway.do"));
    let out = run(call_args(&dead, CONFIRM_BIZ, &[])).await;
    assert_eq!(out.status.code(), Some(6), "{}", text(&out.stderr));
    gw.clear_scenarios();
    let out = run(call_args(&dead, CONFIRM_BIZ, &["--gateway", &gw.url()])).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn methods_lists_both_seed_methods() {
    let out = run(vec!["methods".into()]).await;
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("alipay.user.agreement.auth.confirm"),
        "{stdout}"
    );
    assert!(
        stdout.contains("alipay.ebpp.pdeduct.sign.validate"),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_command_serves_calls_with_its_throwaway_keys() {
    let dir = scratch();
    let scenario = dir.join("scenario.toml");
    std::fs::write(
        &scenario,
        "[methods.\"alipay.user.agreement.auth.confirm\"]\nanswer = \"business_error\"\nsub_code = \"VALIDATECODE_EXPIRED\"\n",
    )
    .expect("scenario file");
    let keys_dir = dir.join("keys");
    let (_child, rx) = spawn_with_lines(
        Command::new(BIN)
            .args(["gateway", "--port", "0", "--keys-dir"])
            .arg(&keys_dir)
            .arg("--scenario")
            .arg(&scenario),
    );
    let (lines, _rx) = lines_until_ready_async(rx, Duration::from_secs(20)).await;
    assert!(
        lines
            .iter()
            .any(|l| l.contains("listening on http://127.0.0.1:")),
        "{lines:?}"
    );
    let config = keys_dir.join("alipay.toml");
    let out = run(call_args(&config, CONFIRM_BIZ, &[])).await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    let out = run(vec![
        "call".into(),
        "alipay.ebpp.pdeduct.sign.validate".into(),
        "--config".into(),
        config.display().to_string(),
        "--biz-content".into(),
        r#"{"user_id":"2088111133334134","biz_type":"JF","sub_biz_type":"ELECTRIC","bill_key":"02659981","pid":"2088102118849556","charge_inst":"CQCENTERELECTRIC","agent_channel":"PUBLICPLATFORM","agent_code":"123456"}"#.into(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "[methods.\"alipay.nope\"]\nanswer = \"success\"\n").expect("file");
    let out = run(vec![
        "gateway".into(),
        "--scenario".into(),
        bad.display().to_string(),
    ])
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}

/// Starts `alipay gateway` with `extra` arguments and its throwaway keys in `keys_dir`;
/// returns the child once it listens, with the receiver of its output lines.
async fn gateway_command(
    keys_dir: &Path,
    extra: &[&str],
) -> (Child, std::sync::mpsc::Receiver<String>) {
    let (child, rx) = spawn_with_lines(
        Command::new(BIN)
            .args(["gateway", "--port", "0", "--keys-dir"])
            .arg(keys_dir)
            .args(extra),
    );
    let (_, rx) = lines_until_ready_async(rx, Duration::from_secs(30)).await;
    (child, rx)
}

/// A spec in a product group nothing else has, written by hand: a new method is one file.
const WIDGET: &str = "method: acme.widget.order.query\ntitle: 查询挂件订单\nrequest:\n  - name: order_no\n    type: String\n    required: true\n    max_length: 8\n  - name: count\n    type: Number\nresponse:\n  - name: status\n    type: String\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_catalog_method_and_a_new_spec_are_served_without_compiling_them() {
    // Long because: one gateway started once, then every catalog method and a new spec called through it.
    let dir = scratch();
    let specs = dir.join("specs");
    std::fs::create_dir_all(&specs).expect("specs folder");
    std::fs::write(specs.join("acme.widget.order.query.yaml"), WIDGET).expect("spec");
    let specs_arg = specs.display().to_string();

    // `alipay methods`: the whole catalog, and the new method with --specs.
    let out = run(vec!["methods".into()]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let listed = text(&out.stdout);
    assert!(
        listed.lines().count() >= 8944,
        "{} methods",
        listed.lines().count()
    );
    assert!(listed.contains("koubei.trade.order.query"));
    let out = run(vec!["methods".into(), "--specs".into(), specs_arg.clone()]).await;
    assert!(text(&out.stdout).contains("acme.widget.order.query"));

    let keys_dir = dir.join("keys");
    let (_child, _lines) = gateway_command(&keys_dir, &["--specs", &specs_arg]).await;
    let config = keys_dir.join("alipay.toml");
    let call =
        |method: &str, biz: &str, extra: &[&str]| common::call_args(method, &config, biz, extra);

    // A method from the SDK's models, compiled nowhere: validated through its spec by the
    // command and by the gateway.
    let out = run(call(
        "koubei.trade.order.query",
        r#"{"order_no":"20240101"}"#,
        &[],
    ))
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = run(call("koubei.trade.order.query", r#"{"order_no":5}"#, &[])).await;
    assert_exit(&out, 2, "order_no");

    // The new method, from --specs on both sides.
    let widget = "acme.widget.order.query";
    let out = run(call(
        widget,
        r#"{"order_no":"A1","count":"3"}"#,
        &["--specs", &specs_arg],
    ))
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = run(call(widget, r#"{"order_no":"A1"}"#, &[])).await;
    assert_eq!(
        out.status.code(),
        Some(2),
        "not built in: {}",
        text(&out.stderr)
    );
    let out = run(call(
        widget,
        r#"{"order_no":"123456789"}"#,
        &["--specs", &specs_arg],
    ))
    .await;
    assert_exit(&out, 2, "order_no");

    // An unknown field is refused, named, with the field meant; sent only when asked for.
    let typo = r#"{"order_no":"A1","order_num":"A2"}"#;
    let out = run(call(widget, typo, &["--specs", &specs_arg])).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr
            .contains("field `order_num` is not a field of this method (did you mean `order_no`?)"),
        "{stderr}"
    );
    let out = run(call(
        widget,
        typo,
        &["--specs", &specs_arg, "--allow-unknown-fields"],
    ))
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// A verified v2 answer whose node holds a key twice (`out_trade_no` "A" then "B", or an
/// `amount` twice in a list's object) was printed with the last value, exit 0: serde_json's
/// `Value` keeps the last duplicate. The signed text says both; it is now a malformed answer
/// (exit 5), as a duplicated `code` already was.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_answer_holding_a_key_twice_is_exit_5() {
    use std::io::{Read as _, Write as _};

    let keys = alipay_gateway::ThrowawayKeys::generate().expect("keys");
    let alipay_private =
        alipay_runtime::keys::PrivateKey::parse(&keys.alipay.private_pem).expect("key");
    let dir = scratch();
    keys.write_to(&dir).expect("keys");
    for node in [
        r#"{"code":"10000","msg":"Success","out_trade_no":"A","out_trade_no":"B"}"#,
        r#"{"code":"10000","msg":"Success","fund_bill_list":[{"amount":"1.00","amount":"100.00"}]}"#,
    ] {
        let sign = alipay_runtime::sign::sign_base64(
            &alipay_private,
            alipay_runtime::sign::SignType::Rsa2,
            node.as_bytes(),
        )
        .expect("sign");
        let body =
            format!(r#"{{"alipay_trade_query_response":{node},"sign":"{sign}"}}"#).into_bytes();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let server = std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().expect("accept");
            let mut request = [0u8; 65536];
            let _ = stream.read(&mut request);
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        });
        let config = write_alipay_toml(
            &dir,
            &format!(
                "gateway = \"http://127.0.0.1:{port}/gateway.do\"\napp_id = \"2021000000000000\"\nprivate_key = \"app_private.pem\"\nalipay_public_key = \"alipay_public.pem\"\n"
            ),
        );
        let out = run(common::call_args(
            "alipay.trade.query",
            &config,
            r#"{"out_trade_no":"A"}"#,
            &[],
        ))
        .await;
        server.join().expect("server");
        assert_exit(&out, 5, "is sent more than once");
        assert!(out.stdout.is_empty(), "{}", text(&out.stdout));
    }
}
