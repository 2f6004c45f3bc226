// Long because: each case runs the real binary against a real gateway (key mode, then certificate mode with AES); one file keeps one build of the two.
//! `alipay call <method> --protocol v3` against `alipay gateway` (the real binary on both
//! sides, on 127.0.0.1): a JSON body, a GET with a query parameter, a path parameter, a query
//! `auth_token`, an upload, in key mode and in certificate mode with AES; the config key
//! `protocol`; and the exit codes of v3 answers and of calls refused before anything is sent
//! (the gateway's console log shows each request it received: none arrive for those).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::mpsc::Receiver;
use std::time::Duration;

use crate::common::{
    BIN, Child, Scratch, assert_exit, gateway_base, lines_until_ready_async, run_async, scratch,
    spawn_with_lines, text,
};

const AES_KEY: &str = "LWWCLAong8Vx0XsBzWhMFg==";
const UPLOAD: &str = "alipay.offline.material.image.upload";

/// A started `alipay gateway`: its base URL, the client config it wrote and its console lines.
struct Gateway {
    _child: Child,
    lines: Receiver<String>,
    base: String,
    config: PathBuf,
    dir: Scratch,
}

/// Starts `alipay gateway` with `extra` arguments, its keys in a scratch folder.
async fn gateway(extra: &[&str]) -> Gateway {
    let dir = scratch();
    let keys_dir = dir.join("keys");
    let (child, rx) = spawn_with_lines(
        Command::new(BIN)
            .args(["gateway", "--port", "0", "--keys-dir"])
            .arg(&keys_dir)
            .args(extra),
    );
    let (lines, rx) = lines_until_ready_async(rx, Duration::from_secs(60)).await;
    let base = gateway_base(&lines);
    Gateway {
        _child: child,
        lines: rx,
        base,
        config: keys_dir.join("alipay.toml"),
        dir,
    }
}

impl Gateway {
    /// `alipay call METHOD --config <its config> ARGS...`.
    async fn call(&self, method: &str, args: &[&str]) -> Output {
        self.call_with(&self.config, method, args).await
    }

    /// [`Gateway::call`] over v3 with this `--biz-content`.
    async fn v3_call(&self, method: &str, biz: &str) -> Output {
        self.v3_call_with(&self.config, method, biz).await
    }

    /// [`Gateway::v3_call`] with another config file.
    async fn v3_call_with(&self, config: &Path, method: &str, biz: &str) -> Output {
        let args = ["--protocol", "v3", "--biz-content", biz];
        self.call_with(config, method, &args).await
    }

    /// [`Gateway::call`] with another config file.
    async fn call_with(&self, config: &Path, method: &str, args: &[&str]) -> Output {
        let mut full: Vec<String> = vec![
            "call".into(),
            method.into(),
            "--config".into(),
            config.display().to_string(),
        ];
        full.extend(args.iter().map(|a| (*a).to_owned()));
        run_async(full).await
    }

    /// The console line of the next request the gateway received.
    fn next_line(&self) -> String {
        tokio::task::block_in_place(|| self.lines.recv_timeout(Duration::from_secs(20)))
            .expect("a request line")
    }

    /// Asserts that the gateway received nothing (for a while).
    fn assert_nothing_received(&self) {
        let line =
            tokio::task::block_in_place(|| self.lines.recv_timeout(Duration::from_millis(700)));
        assert!(line.is_err(), "a request reached the gateway: {line:?}");
    }

    /// A copy of the client config (beside it, so its key paths hold) with `edit` applied.
    fn config_variant(&self, name: &str, edit: impl FnOnce(String) -> String) -> PathBuf {
        let text = std::fs::read_to_string(&self.config).expect("config");
        let path = self.config.with_file_name(name);
        std::fs::write(&path, edit(text)).expect("config variant");
        path
    }

    /// Opens and pays an app-pay trade of 9.99 at the gateway's cashier: the order string
    /// `alipay sdk` signs, POSTed to the gateway's control endpoint (as the Alipay app pays it).
    async fn paid_trade(&self, config: &Path, out_trade_no: &str) {
        let order = format!(
            r#"{{"out_trade_no":"{out_trade_no}","total_amount":"9.99","subject":"Tea","product_code":"QUICK_MSECURITY_PAY"}}"#
        );
        let out = run_async(vec![
            "sdk".into(),
            "alipay.trade.app.pay".into(),
            "--config".into(),
            config.display().to_string(),
            "--notify-url".into(),
            "http://127.0.0.1:9/notify".into(),
            "--biz-content".into(),
            order,
        ])
        .await;
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let paid = reqwest::Client::builder()
            .no_proxy()
            .build()
            .unwrap()
            .post(format!("{}/control/pay-order-string", self.base))
            .body(text(&out.stdout).trim_end().to_owned())
            .send()
            .await
            .expect("pay");
        assert_eq!(paid.status().as_u16(), 200, "{:?}", paid.text().await);
        let line = self.next_line();
        assert!(line.contains("/control/pay-order-string"), "{line}");
    }
}

/// The verified JSON printed on stdout of a call that exited 0.
fn success(out: &Output) -> serde_json::Value {
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

fn assert_line(line: &str, expected: &[&str]) {
    for e in expected {
        assert!(
            line.contains(e),
            "{e:?} missing in the gateway's line: {line}"
        );
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// The calls every mode must get through over v3, each checked against what the gateway saw:
/// a JSON-body POST of a paid trade, a GET with a query parameter, a GET with a path parameter
/// (holding a space and a `/`) and a query parameter, a body-less POST with the user's
/// `auth_token` in its query, and an upload. `aes`: the JSON body went encrypted.
async fn the_v3_calls(gw: &Gateway, trade: &str, aes: bool) {
    // Long because: one gateway, five routes of different shapes, each with its log line.
    let signed_ok = "(signature ok)";
    let node = success(
        &gw.v3_call(
            "alipay.trade.query",
            &format!(r#"{{"out_trade_no":"{trade}"}}"#),
        )
        .await,
    );
    assert_eq!(node["trade_status"], "TRADE_SUCCESS", "{node}");
    assert_eq!(node["total_amount"], "9.99", "{node}");
    assert_eq!(node["out_trade_no"], trade, "{node}");
    // A v3 answer is the object itself: no v2 `code`/`msg`.
    assert!(node.get("code").is_none(), "{node}");
    let line = gw.next_line();
    assert_line(
        &line,
        &[
            "POST alipay.trade.query [utf-8] v3 /v3/alipay/trade/query",
            "-> HTTP 200",
            signed_ok,
        ],
    );
    assert_eq!(line.ends_with(" AES"), aes, "{line}");

    let node = success(
        &gw.v3_call(
            "alipay.open.auth.token.app.query",
            r#"{"app_auth_token":"202407BBa1b2"}"#,
        )
        .await,
    );
    assert!(node.is_object());
    assert_line(
        &gw.next_line(),
        &[
            "GET alipay.open.auth.token.app.query [utf-8] v3 /v3/alipay/open/auth/token/app/query params app_auth_token ->",
            signed_ok,
        ],
    );

    success(
        &gw.v3_call(
            "alipay.marketing.activity.query",
            r#"{"activity_id":"ACT 1/2","merchant_id":"M&9"}"#,
        )
        .await,
    );
    assert_line(
        &gw.next_line(),
        &[
            "GET alipay.marketing.activity.query [utf-8] v3 /v3/alipay/marketing/activity/ACT%201%2F2 params activity_id,merchant_id ->",
            signed_ok,
        ],
    );

    // `auth_token` is a field of the method: given with --form, placed in the query by the
    // route.
    success(
        &gw.call(
            "alipay.user.info.share",
            &[
                "--protocol",
                "v3",
                "--form",
                "auth_token=kuaijieBb2a8a0b04d4a4bd8b1bbd2e4b8a3d",
            ],
        )
        .await,
    );
    let line = gw.next_line();
    assert_line(
        &line,
        &[
            "POST alipay.user.info.share [utf-8] v3 /v3/alipay/user/info/share params auth_token ->",
            signed_ok,
        ],
    );
    assert!(!line.contains("kuaijie"), "a token in the console: {line}");

    let image = gw.dir.join("门店.jpg");
    let content: Vec<u8> = (0..150_000u32).map(|i| (i % 251) as u8).collect();
    std::fs::write(&image, &content).expect("image");
    let file = format!("image_content=@{}", image.display());
    success(
        &gw.call(
            UPLOAD,
            &[
                "--protocol",
                "v3",
                "--form",
                "image_type=jpg",
                "--form",
                "image_name=门店",
                "--file",
                &file,
            ],
        )
        .await,
    );
    assert_line(
        &gw.next_line(),
        &[
            &format!("POST {UPLOAD} [utf-8] v3 /v3/alipay/offline/material/image/upload"),
            signed_ok,
            &format!(
                "file image_content=门店.jpg ({} bytes, sha256 {})",
                content.len(),
                sha256_hex(&content)
            ),
        ],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v3_calls_in_key_mode_and_the_protocol_config_key() {
    let gw = gateway(&[]).await;
    gw.paid_trade(&gw.config, "CLI-V3-KEY-1").await;
    the_v3_calls(&gw, "CLI-V3-KEY-1", false).await;
    // On behalf of a merchant: the token in the signed `alipay-app-auth-token` header (the
    // gateway verifies the signature over it); a missing path parameter: exit 2, nothing sent.
    let node = success(
        &gw.call(
            "alipay.trade.query",
            &[
                "--protocol",
                "v3",
                "--app-auth-token",
                "202407BBtoken",
                "--biz-content",
                r#"{"out_trade_no":"CLI-V3-KEY-1"}"#,
            ],
        )
        .await,
    );
    assert_eq!(node["trade_status"], "TRADE_SUCCESS");
    let line = gw.next_line();
    assert_line(&line, &["v3 /v3/alipay/trade/query", "(signature ok)"]);
    assert!(!line.contains("202407BBtoken"), "{line}");
    let out = gw
        .v3_call("alipay.marketing.activity.query", r#"{"merchant_id":"M"}"#)
        .await;
    assert_exit(&out, 2, "activity_id");
    gw.assert_nothing_received();

    // `protocol = "v3"` in the config file: v3 without the flag; `--protocol v2` wins over it.
    let v3 = gw.config_variant("v3.toml", |t| format!("{t}protocol = \"v3\"\n"));
    let query = ["--biz-content", r#"{"out_trade_no":"CLI-V3-KEY-1"}"#];
    let node = success(&gw.call_with(&v3, "alipay.trade.query", &query).await);
    assert!(node.get("code").is_none(), "{node}");
    assert_eq!(node["trade_status"], "TRADE_SUCCESS");
    assert_line(&gw.next_line(), &["v3 /v3/alipay/trade/query"]);
    let mut over_v2 = query.to_vec();
    over_v2.extend(["--protocol", "v2"]);
    let node = success(&gw.call_with(&v3, "alipay.trade.query", &over_v2).await);
    assert_eq!(node["code"], "10000", "{node}");
    assert_eq!(node["trade_status"], "TRADE_SUCCESS");
    let line = gw.next_line();
    assert!(
        line.starts_with("POST alipay.trade.query [utf-8] -> 10000"),
        "{line}"
    );
    // Without the key and the flag: v2.
    let node = success(&gw.call("alipay.trade.query", &query).await);
    assert_eq!(node["code"], "10000", "{node}");
    assert!(!gw.next_line().contains("/v3/"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v3_calls_in_certificate_mode_with_aes() {
    let gw = gateway(&["--cert-mode", "--encrypt-key", AES_KEY]).await;
    let written = std::fs::read_to_string(&gw.config).expect("config");
    assert!(written.contains("alipay_root_cert") && written.contains("encrypt_key"));
    // The app order string unencrypted (the gateway's cashier reads it as the app does).
    let plain = gw.config_variant("plain.toml", |t| {
        t.lines()
            .filter(|l| !l.starts_with("encrypt_key"))
            .map(|l| format!("{l}\n"))
            .collect()
    });
    gw.paid_trade(&plain, "CLI-V3-CERT-1").await;
    the_v3_calls(&gw, "CLI-V3-CERT-1", true).await;

    // A verified v3 business error in certificate mode and AES: exit 3.
    let out = gw
        .v3_call("alipay.trade.query", r#"{"out_trade_no":"NONE"}"#)
        .await;
    assert_exit(&out, 3, "ACQ.TRADE_NOT_EXIST");
    gw.next_line();

    // The body really is encrypted: under another AES key the gateway cannot read it.
    let out = gw
        .call(
            "alipay.trade.query",
            &[
                "--protocol",
                "v3",
                "--encrypt-key",
                "aGVsbG8gd29ybGQgMTIzNA==",
                "--biz-content",
                r#"{"out_trade_no":"CLI-V3-CERT-1"}"#,
            ],
        )
        .await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    assert!(
        text(&out.stderr).contains("decryption-error-not-valid-encrypt-key"),
        "{}",
        text(&out.stderr)
    );
    assert_line(
        &gw.next_line(),
        &["v3 /v3/alipay/trade/query -> decryption-error"],
    );
    // Without AES the same call goes plain, and verifies.
    let out = gw
        .v3_call_with(
            &plain,
            "alipay.trade.query",
            r#"{"out_trade_no":"CLI-V3-CERT-1"}"#,
        )
        .await;
    assert_eq!(success(&out)["trade_status"], "TRADE_SUCCESS");
    assert!(!gw.next_line().ends_with(" AES"));
}

const SCENARIOS: &str = r#"
[methods."alipay.trade.close"]
answer = "business_error"
sub_code = "ACQ.TRADE_STATUS_ERROR"

[methods."alipay.trade.cancel"]
answer = "gateway_error"
code = "20000"
msg = "Service Currently Unavailable"
sub_code = "isp.unknow-error"
sub_msg = "系统繁忙"

[methods."alipay.trade.precreate"]
answer = "missing_sign"

[methods."alipay.trade.create"]
answer = "http_500"
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v3_exit_codes_and_calls_refused_before_sending() {
    // Long because: one gateway, each exit code and each refusal checked against its log.
    let dir = scratch();
    let scenario = dir.join("scenario.toml");
    std::fs::write(&scenario, SCENARIOS).expect("scenario");
    let gw = gateway(&["--scenario", &scenario.display().to_string()]).await;
    let v3 = |biz: &'static str| ["--protocol", "v3", "--biz-content", biz];

    // A verified business error: exit 3, with its status, code, message and documented
    // solution; nothing on stdout.
    let out = gw
        .call("alipay.trade.close", &v3(r#"{"out_trade_no":"T1"}"#))
        .await;
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    for expected in [
        "verified answer, HTTP 400",
        "ACQ.TRADE_STATUS_ERROR",
        "交易状态不合法",
        "只有等待买家付款状态下才能发起交易关闭",
        "trace id:",
    ] {
        assert!(
            stderr.contains(expected),
            "{expected} missing in:\n{stderr}"
        );
    }
    assert_line(
        &gw.next_line(),
        &["v3 /v3/alipay/trade/close", "(signature ok)"],
    );

    // A verified gateway error (HTTP 500, signed): exit 4.
    let out = gw
        .call("alipay.trade.cancel", &v3(r#"{"out_trade_no":"T1"}"#))
        .await;
    assert_exit(&out, 4, "unknow-error");
    gw.next_line();

    // A success without its signature: exit 5, nothing on stdout.
    let precreate = r#"{"out_trade_no":"T1","total_amount":"1.00","subject":"Tea"}"#;
    let out = gw.call("alipay.trade.precreate", &v3(precreate)).await;
    assert_eq!(out.status.code(), Some(5), "{}", text(&out.stderr));
    assert!(out.stdout.is_empty());
    gw.next_line();

    // An unsigned HTTP 500 without a code: exit 6.
    let create = r#"{"out_trade_no":"T1","total_amount":"1.00","subject":"Tea"}"#;
    let out = gw.call("alipay.trade.create", &v3(create)).await;
    assert_eq!(out.status.code(), Some(6), "{}", text(&out.stderr));
    gw.next_line();

    // Refused before anything is sent: exit 2, nothing on stdout, nothing at the gateway.
    let confirm = r#"{"agreement_no":"20170502000610755993","apply_token":"MDEDUCT0068292ca377d1d44b65fa24ec9cd89132f","auth_confirm_no":"423979"}"#;
    let online = r#"{"commodity_id":"C1","shop_id":"S1"}"#;
    let v4_config = gw.config_variant("v4.toml", |t| format!("{t}protocol = \"v4\"\n"));
    let cases: Vec<(Option<&Path>, &str, Vec<&str>, &str)> = vec![
        // A method without a v3 route.
        (
            None,
            "alipay.user.agreement.auth.confirm",
            v3(confirm).to_vec(),
            "v3",
        ),
        // A method only v3 has, over v2 (the default).
        (
            None,
            "alipay.open.servicemarket.commodity.shop.online",
            vec!["--biz-content", online],
            "only under the v3 protocol",
        ),
        // No such protocol, as a flag and as the config key.
        (
            None,
            "alipay.trade.query",
            vec![
                "--protocol",
                "v4",
                "--biz-content",
                r#"{"out_trade_no":"T1"}"#,
            ],
            "v4",
        ),
        (
            Some(&v4_config),
            "alipay.trade.query",
            vec!["--biz-content", r#"{"out_trade_no":"T1"}"#],
            "protocol",
        ),
        // A field a body-less route has no place for.
        (
            None,
            "alipay.open.auth.token.app.query",
            vec![
                "--protocol",
                "v3",
                "--allow-unknown-fields",
                "--biz-content",
                r#"{"app_auth_token":"202407BBa1b2","extra_field":"x"}"#,
            ],
            "extra_field",
        ),
    ];
    for (config, method, args, named) in cases {
        let out = gw
            .call_with(config.unwrap_or(&gw.config), method, &args)
            .await;
        assert_eq!(
            out.status.code(),
            Some(2),
            "{method} {args:?}: {}",
            text(&out.stderr)
        );
        assert!(out.stdout.is_empty(), "{method} {args:?}");
        assert!(
            text(&out.stderr).contains(named),
            "{named} missing in: {}",
            text(&out.stderr)
        );
    }
    gw.assert_nothing_received();
    // The v3-only method over v3 is served.
    let out = gw
        .call(
            "alipay.open.servicemarket.commodity.shop.online",
            &v3(online),
        )
        .await;
    success(&out);
    assert_line(
        &gw.next_line(),
        &["v3 /v3/alipay/open/servicemarket/commodity/shop/online"],
    );
}

/// Specs written by hand: one only v3 has (a path parameter), one with no route.
const V3_ONLY: &str = "method: acme.widget.order.get\ntitle: 查询挂件订单\nrequest:\n  - name: order_no\n    type: String\n    required: true\nresponse:\n  - name: status\n    type: String\nroute:\n  http_method: GET\n  path: /v3/acme/widget/orders/{order_no}\n  body: none\n  v2: false\n";
const NO_ROUTE: &str = "method: alipay.trade.query\ntitle: 交易查询(没有 v3)\nrequest:\n  - name: out_trade_no\n    type: String\nresponse:\n  - name: trade_status\n    type: String\n";

/// The protocols column of `alipay methods`, by method.
fn protocols_listed(out: &Output) -> std::collections::HashMap<String, String> {
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    text(&out.stdout)
        .lines()
        .map(|l| {
            let columns: Vec<&str> = l.split_whitespace().collect();
            (columns[0].to_owned(), columns[2].to_owned())
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn methods_shows_each_methods_protocols() {
    let listed = protocols_listed(&run_async(vec!["methods".into()]).await);
    assert!(listed.len() >= 8944, "{}", listed.len());
    for (method, protocols) in [
        ("alipay.trade.query", "v2+v3"),
        ("alipay.marketing.activity.query", "v2+v3"),
        ("alipay.open.servicemarket.commodity.shop.online", "v3"),
        ("alipay.user.agreement.auth.confirm", "v2"),
    ] {
        assert_eq!(
            listed.get(method).map(String::as_str),
            Some(protocols),
            "{method}"
        );
    }
    assert!(
        listed
            .values()
            .all(|p| ["v2", "v3", "v2+v3"].contains(&p.as_str()))
    );
    assert!(listed.values().filter(|p| *p != "v2").count() > 700);

    // --specs DIR: a new v3-only method, and a spec without a route over one that had one.
    let dir = scratch();
    std::fs::write(dir.join("acme.widget.order.get.yaml"), V3_ONLY).expect("spec");
    std::fs::write(dir.join("alipay.trade.query.yaml"), NO_ROUTE).expect("spec");
    let listed = protocols_listed(
        &run_async(vec![
            "methods".into(),
            "--specs".into(),
            dir.display().to_string(),
        ])
        .await,
    );
    assert_eq!(listed["acme.widget.order.get"], "v3");
    assert_eq!(listed["alipay.trade.query"], "v2");
    assert_eq!(listed["alipay.trade.close"], "v2+v3");
}

/// A hand-written spec whose v3 route has a path parameter and whose request requires the
/// method's own `notify_url` field.
const PAY: &str = "method: acme.widget.order.pay\ntitle: 支付挂件订单\nrequest:\n  - name: notify_url\n    type: String\n    required: true\n    in: form\n  - name: order_no\n    type: String\n    required: true\nresponse:\n  - name: status\n    type: String\nroute:\n  http_method: POST\n  path: /v3/acme/widget/orders/{order_no}/pay\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn v3_routes_of_specs_dir_and_the_notify_url_setting() {
    let specs = scratch();
    std::fs::write(specs.join("acme.widget.order.get.yaml"), V3_ONLY).expect("spec");
    std::fs::write(specs.join("acme.widget.order.pay.yaml"), PAY).expect("spec");
    let specs = specs.display().to_string();
    let gw = gateway(&["--specs", &specs]).await;

    // A v3-only method of --specs: over v3 by its route, refused over v2.
    let get = ["--specs", &specs, "--biz-content", r#"{"order_no":"A/1"}"#];
    let out = gw.call("acme.widget.order.get", &get).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    gw.assert_nothing_received();
    let mut over_v3 = get.to_vec();
    over_v3.extend(["--protocol", "v3"]);
    success(&gw.call("acme.widget.order.get", &over_v3).await);
    assert_line(
        &gw.next_line(),
        &[
            "GET acme.widget.order.get [utf-8] v3 /v3/acme/widget/orders/A%2F1 params order_no -> HTTP 200 (signature ok)",
        ],
    );

    // `--notify-url` is the method's `notify_url` field over v3 (the gateway requires it,
    // strictly, in the JSON body), and over v2.
    let pay = |protocol: &'static str| {
        [
            "--specs",
            &specs,
            "--protocol",
            protocol,
            "--notify-url",
            "http://127.0.0.1:9/notify",
            "--biz-content",
            r#"{"order_no":"A1"}"#,
        ]
        .map(str::to_owned)
    };
    for protocol in ["v3", "v2"] {
        let args = pay(protocol);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        success(&gw.call("acme.widget.order.pay", &args).await);
        let line = gw.next_line();
        assert!(line.contains("acme.widget.order.pay"), "{line}");
        assert_eq!(
            line.contains("/v3/acme/widget/orders/A1/pay"),
            protocol == "v3"
        );
    }
    // Without it: the required field is missing, exit 2, nothing sent.
    let args = pay("v3");
    let without: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| !a.contains("notify"))
        .collect();
    let out = gw.call("acme.widget.order.pay", &without).await;
    assert_exit(&out, 2, "notify_url");
    gw.assert_nothing_received();
}
