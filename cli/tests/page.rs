//! `alipay page` and `alipay sdk`: what they print is signed as Alipay's gateway checks it
//! (every parameter but `sign`, sorted, in the request charset, with the app public key), in
//! utf-8 and GBK; invalid input exits 2 with nothing on stdout. Nothing is sent anywhere.

use std::process::{Command, Output};

use alipay_runtime::protocol::param;
use alipay_runtime::sign_content::sign_content;
use alipay_runtime::{Charset, PublicKey, SignType};

use crate::common::BIN;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors/");
const PAGE_PAY_BIZ: &str = r#"{"out_trade_no":"T1","total_amount":"0.01","subject":"中文 \"q\" & <b> a+b","product_code":"FAST_INSTANT_TRADE_PAY"}"#;
const APP_PAY_BIZ: &str = r#"{"out_trade_no":"T2","total_amount":"0.01","subject":"中文 a+b","product_code":"QUICK_MSECURITY_PAY"}"#;

fn run(args: &[&str]) -> Output {
    let private_key = format!("{DIR}keys/app_private_pkcs1.pem");
    let alipay_public_key = format!("{DIR}keys/alipay_public.pem");
    Command::new(BIN)
        .args(args)
        .args([
            "--app-id",
            "2014072300007148",
            "--private-key",
            &private_key,
        ])
        .args(["--alipay-public-key", &alipay_public_key])
        // Nothing listens there: nothing may be sent.
        .args(["--gateway", "http://127.0.0.1:1/gateway.do"])
        // The default ./alipay.toml must not leak in from wherever the tests run.
        .current_dir(std::env::temp_dir())
        .output()
        .expect("run alipay")
}

fn pairs(query: &[u8], charset: Charset) -> Vec<(String, String)> {
    alipay_runtime::form::decode_text(query, charset).expect("text in the charset")
}

fn value<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Alipay's gateway's check of a request's signature.
fn verifies(params: &[(String, String)], charset: Charset) -> bool {
    let key = PublicKey::from_file(format!("{DIR}keys/app_public.pem")).unwrap();
    let content = sign_content(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let Some(sign) = value(params, param::SIGN) else {
        return false;
    };
    key.verify(SignType::Rsa2, &charset.encode(&content).unwrap(), sign)
        .is_ok()
}

/// What a browser submits for the form: its action's query and its hidden inputs.
fn submitted(html: &str, charset: Charset) -> Vec<(String, String)> {
    let attr = |tag: &str, name: &str| -> String {
        let start = tag.find(&format!(" {name}=\"")).expect("attribute") + name.len() + 3;
        let end = tag[start..].find('"').expect("quote") + start;
        html_escape::decode_html_entities(&tag[start..end]).into_owned()
    };
    let form = &html[html.find("<form").expect("form")..];
    let action = attr(&form[..form.find('>').unwrap()], "action");
    let mut params = pairs(action.split_once('?').expect("query").1.as_bytes(), charset);
    for tag in html.split("<input ").skip(1) {
        if tag.contains("type=\"hidden\"") {
            params.push((attr(tag, "name"), attr(tag, "value")));
        }
    }
    params
}

#[test]
fn page_prints_a_form_or_a_url_that_verifies_in_utf8_and_gbk() {
    for (name, charset) in [("utf-8", Charset::Utf8), ("GBK", Charset::Gbk)] {
        let out = run(&[
            "page",
            "alipay.trade.page.pay",
            "--biz-content",
            PAGE_PAY_BIZ,
            "--return-url",
            "https://m.example/r?x=1&y=2",
            "--notify-url",
            "https://m.example/n",
            "--charset",
            name,
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // In the request charset: a GBK form is GBK bytes.
        let html = charset.decode(&out.stdout).expect("in the request charset");
        assert!(html.starts_with("<form "), "{html}");
        assert!(
            html.contains(&format!("accept-charset=\"{name}\"")),
            "{html}"
        );
        let sent = submitted(&html, charset);
        assert!(verifies(&sent, charset), "{name}: {sent:?}");
        assert_eq!(value(&sent, param::CHARSET), Some(name));
        assert_eq!(
            value(&sent, param::RETURN_URL),
            Some("https://m.example/r?x=1&y=2")
        );
        assert_eq!(value(&sent, param::NOTIFY_URL), Some("https://m.example/n"));
        let biz: serde_json::Value =
            serde_json::from_str(value(&sent, param::BIZ_CONTENT).unwrap()).unwrap();
        assert_eq!(biz["subject"], "中文 \"q\" & <b> a+b");

        let out = run(&[
            "page",
            "alipay.trade.page.pay",
            "--biz-content",
            PAGE_PAY_BIZ,
            "--http-method",
            "GET",
            "--charset",
            name,
        ]);
        assert_eq!(out.status.code(), Some(0));
        let url = String::from_utf8(out.stdout).expect("a URL is ASCII");
        let url = url.strip_suffix('\n').expect("one line");
        assert!(!url.contains('\n'));
        let (gateway, query) = url.split_once('?').unwrap();
        assert_eq!(gateway, "http://127.0.0.1:1/gateway.do");
        let sent = pairs(query.as_bytes(), charset);
        assert!(verifies(&sent, charset), "{name}: {sent:?}");
        assert_eq!(value(&sent, param::METHOD), Some("alipay.trade.page.pay"));
    }
}

#[test]
fn sdk_prints_an_order_string_that_verifies() {
    let out = run(&[
        "sdk",
        "alipay.trade.app.pay",
        "--biz-content",
        APP_PAY_BIZ,
        "--notify-url",
        "https://m.example/n?a=1",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let order = String::from_utf8(out.stdout).unwrap();
    let order = order.strip_suffix('\n').expect("one line");
    let sent = pairs(order.as_bytes(), Charset::Utf8);
    assert!(verifies(&sent, Charset::Utf8), "{sent:?}");
    assert_eq!(value(&sent, param::METHOD), Some("alipay.trade.app.pay"));
    // The spec requires notify_url: the flag gives it.
    assert_eq!(
        value(&sent, param::NOTIFY_URL),
        Some("https://m.example/n?a=1")
    );
}

#[test]
fn invalid_input_exits_2_with_nothing_on_stdout() {
    let cases: &[&[&str]] = &[
        // Not JSON.
        &["page", "alipay.trade.page.pay", "--biz-content", "{"],
        // A server call.
        &[
            "page",
            "alipay.trade.query",
            "--biz-content",
            r#"{"out_trade_no":"T1"}"#,
        ],
        &[
            "sdk",
            "alipay.trade.query",
            "--biz-content",
            r#"{"out_trade_no":"T1"}"#,
        ],
        // An app method is no page.
        &["page", "alipay.trade.app.pay", "--biz-content", APP_PAY_BIZ],
        // Unknown method, unknown field, a rule broken.
        &["page", "alipay.no.such.method"],
        &[
            "page",
            "alipay.trade.page.pay",
            "--biz-content",
            r#"{"subjetc":"x"}"#,
        ],
        &[
            "page",
            "alipay.trade.page.pay",
            "--biz-content",
            r#"{"total_amount":"0.0.1"}"#,
        ],
        // No HTTP method but POST and GET.
        &["page", "alipay.trade.page.pay", "--http-method", "PUT"],
        // app.pay requires notify_url, and none is given.
        &["sdk", "alipay.trade.app.pay", "--biz-content", APP_PAY_BIZ],
        // A character GBK cannot hold.
        &[
            "page",
            "alipay.trade.page.pay",
            "--biz-content",
            r#"{"subject":"😀"}"#,
            "--charset",
            "GBK",
        ],
    ];
    for args in cases {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
    let out = run(&["page", "alipay.trade.query"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("a server call") && stderr.contains("alipay call"),
        "{stderr}"
    );
}
