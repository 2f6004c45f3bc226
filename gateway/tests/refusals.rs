//! Requests the gateway refuses as Alipay would, over real HTTP on 127.0.0.1: public
//! parameters and signatures wrong, requests outside the protocol, duplicated or undecodable
//! parameters, another app; and the gateway's shutdown. The method and client are
//! `protocol.rs`'s.

use std::time::Duration;

use alipay_gateway::{LocalGateway, ThrowawayKeys};
use alipay_runtime::{Charset, Client, PreparedRequest, PublicSubCode, SignType};
use serde_json::Value;

use crate::protocol::*;

/// POSTs `body` to `url` as `content_type` with `http`; the answer.
async fn post(
    http: &reqwest::Client,
    url: impl reqwest::IntoUrl,
    content_type: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    http.post(url)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("send")
}

/// Sends a prepared request after `edit` changed its query.
async fn send_edited(
    gw: &LocalGateway,
    prepared: &PreparedRequest,
    edit: impl FnOnce(Vec<(String, String)>) -> Vec<(String, String)>,
) -> (u16, Value) {
    let (base, query) = prepared.url.split_once('?').expect("query");
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let edited = edit(pairs);
    let query: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(edited)
        .finish();
    let response = post(
        &reqwest::Client::new(),
        format!("{base}?{query}"),
        &prepared.content_type,
        prepared.body.clone(),
    )
    .await;
    assert_eq!(gw.addr().ip().to_string(), "127.0.0.1");
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("json");
    (status, body)
}

/// An edit for [`send_edited`]: the parameter `name` set to `value`.
fn replace(
    name: &'static str,
    value: &'static str,
) -> impl FnOnce(Vec<(String, String)>) -> Vec<(String, String)> {
    move |pairs| {
        pairs
            .into_iter()
            .map(|(k, v)| {
                if k == name {
                    (k, value.to_owned())
                } else {
                    (k, v)
                }
            })
            .collect()
    }
}

#[tokio::test]
async fn public_parameter_and_signature_errors_under_error_response() {
    let gw = gateway().await;
    let c = client(&gw, SignType::Rsa2, Charset::Utf8);
    let prepared = c.prepare(&Echo::new("1")).expect("prepare");

    for (param, sub_code) in [
        ("method", "isv.missing-method"),
        ("app_id", "isv.missing-app-id"),
        ("timestamp", "isv.missing-timestamp"),
        ("version", "isv.missing-version"),
        ("sign_type", "isv.missing-signature-type"),
        ("sign", "isv.missing-signature"),
    ] {
        let (status, body) = send_edited(&gw, &prepared, |pairs| {
            pairs.into_iter().filter(|(k, _)| k != param).collect()
        })
        .await;
        assert_eq!(status, 200);
        let node = &body["error_response"];
        assert_eq!(node["code"], "40001", "{param}: {body}");
        assert_eq!(node["sub_code"], sub_code, "{param}: {body}");
        assert!(body["sign"].is_string(), "error answers are signed");
    }

    for (name, value, sub_code) in [
        ("method", "alipay.nope", "isv.invalid-method"),
        ("sign_type", "HMAC", "isv.invalid-signature-type"),
        ("timestamp", "yesterday", "isv.invalid-timestamp"),
        ("charset", "latin1", "isv.invalid-charset"),
        ("format", "xml", "isv.invalid-format"),
    ] {
        let (_, body) = send_edited(&gw, &prepared, replace(name, value)).await;
        let node = &body["error_response"];
        assert_eq!(node["code"], "40002", "{name}: {body}");
        assert_eq!(node["sub_code"], sub_code, "{name}: {body}");
    }
    // A signature that does not verify (the app_id changed after signing): under the
    // method's node, as Alipay answers it, with the string the gateway verified.
    let (_, body) = send_edited(&gw, &prepared, replace("app_id", "2014072300009999")).await;
    assert!(body.get("error_response").is_none(), "{body}");
    let node = &body["alipay_test_echo_response"];
    assert_eq!(node["code"], "40002", "{body}");
    assert_eq!(node["sub_code"], "isv.invalid-signature", "{body}");
    assert!(body["sign"].is_string(), "{body}");

    let log = gw.requests();
    assert_eq!(log.len(), 12);
    assert!(log.iter().all(|r| !r.signature_verified));
    let (last, refused) = log.split_last().expect("log");
    assert!(
        refused
            .iter()
            .all(|r| r.answer.node.as_deref() == Some("error_response"))
    );
    assert_eq!(
        last.answer.node.as_deref(),
        Some("alipay_test_echo_response")
    );
}

#[tokio::test]
async fn sub_msgs_quote_values_as_sent_never_as_rust_debug_text() {
    let gw = gateway().await;
    let c = client(&gw, SignType::Rsa2, Charset::Utf8);
    let prepared = c.prepare(&Echo::new("1")).expect("prepare");
    for (name, value, expected) in [
        (
            "sign_type",
            "H\"MAC\t",
            "无效的签名类型: sign_type `H\"MAC\t` (supported: RSA2, RSA)",
        ),
        (
            "timestamp",
            "yester\"day",
            "非法的时间戳参数: timestamp `yester\"day` is not yyyy-MM-dd HH:mm:ss",
        ),
        (
            "format",
            "x\\ml",
            "无效的数据格式: format `x\\ml` (this gateway answers JSON only)",
        ),
        ("version", "2.0\n", "参数无效: version `2.0\n` (only 1.0)"),
        (
            "charset",
            "latin\"1",
            "字符集错误: charset `latin\"1` (supported: utf-8, GBK, GB2312; it must match the Content-Type charset)",
        ),
    ] {
        let (_, body) = send_edited(&gw, &prepared, replace(name, value)).await;
        let sub_msg = body["error_response"]["sub_msg"].as_str().expect("sub_msg");
        assert_eq!(sub_msg, expected, "{name}: {body}");
    }
}

#[tokio::test]
async fn biz_content_with_a_key_twice_or_an_exponent_number_is_refused() {
    let gw = gateway().await;
    let c = client(&gw, SignType::Rsa2, Charset::Utf8);
    for (biz, words) in [
        (
            r#"{"no":"1","amount":"100000.00","amount":"0.01"}"#,
            "the key `amount` is sent more than once",
        ),
        (
            r#"{"no":"1","goods":[{"price":"1","price":"2"}]}"#,
            "the key `price` is sent more than once",
        ),
        (
            r#"{"no":"1","amount":1e2}"#,
            "the number `1e2` is written with an exponent",
        ),
    ] {
        let parts = alipay_runtime::RequestParts {
            biz_content: Some(biz.to_owned()),
            ..alipay_runtime::RequestParts::default()
        };
        let prepared = c.prepare_raw("alipay.test.echo", &parts).expect("signed");
        let (status, body) = send_edited(&gw, &prepared, |pairs| pairs).await;
        assert_eq!(status, 200);
        let node = &body["alipay_test_echo_response"];
        assert_eq!(node["code"], "40002", "{biz}: {body}");
        assert_eq!(node["sub_code"], "isv.invalid-parameter", "{biz}: {body}");
        let sub_msg = node["sub_msg"].as_str().expect("sub_msg");
        assert!(sub_msg.contains(words), "{biz}: {sub_msg}");
        // The signature verified: the refusal is the content's.
        assert!(gw.requests().pop().expect("recorded").signature_verified);
    }
}

#[tokio::test]
async fn the_wrong_signature_is_verified_against_the_app_key() {
    let gw = gateway().await;
    let other = ThrowawayKeys::generate().expect("keygen");
    let wrong = Client::builder()
        .gateway(gw.url())
        .app_id("2014072300007148")
        .private_key(other.app_private_key().expect("key"))
        .alipay_public_key(keys().alipay_public_key().expect("alipay key"))
        .build()
        .expect("client");
    let err = wrong.execute(&Echo::new("1")).await.expect_err("refused");
    let g = gateway_error(err);
    assert_eq!(
        *g.sub_code(),
        PublicSubCode::from_code("isv.invalid-signature")
    );
    // Alipay's words, then exactly the string the gateway verified.
    let last = gw.requests().pop().expect("recorded");
    let mut expected: Vec<(&str, &str)> = last
        .params
        .iter()
        .filter(|(k, v)| k != "sign" && !v.is_empty())
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    expected.sort();
    let content: Vec<String> = expected.iter().map(|(k, v)| format!("{k}={v}")).collect();
    assert_eq!(
        g.sub_msg(),
        format!(
            "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：{}",
            content.join("&")
        )
    );
    assert!(g.sub_msg().contains("app_id=2014072300007148&biz_content="));
    assert_eq!(
        last.answer.node.as_deref(),
        Some("alipay_test_echo_response")
    );
    assert!(!last.signature_verified);
}

#[tokio::test]
async fn requests_outside_the_protocol() {
    let gw = gateway().await;
    let http = reqwest::Client::new();
    let base = format!("http://{}", gw.addr());

    let r = http
        .post(format!("{base}/other"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 404);
    let r = http.put(gw.url()).send().await.expect("send");
    assert_eq!(r.status().as_u16(), 405);
    let r = post(&http, gw.url(), "application/json", "{}").await;
    assert_eq!(r.status().as_u16(), 415);
    // An upload whose multipart body does not parse.
    let r = post(
        &http,
        gw.url(),
        "multipart/form-data; boundary=x",
        "--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\ncut off",
    )
    .await;
    assert_eq!(r.status().as_u16(), 400);
    assert!(
        r.text()
            .await
            .unwrap()
            .starts_with("malformed multipart body")
    );
    // None of these is a gateway request, yet each reached the gateway: each is logged
    // with its status, so that "nothing reached the gateway" means it.
    let log = gw.requests();
    let seen: Vec<(&str, &str, u16)> = log
        .iter()
        .map(|r| (r.http_method.as_str(), r.path.as_str(), r.answer.status))
        .collect();
    assert_eq!(
        seen,
        [
            ("POST", "/other", 404),
            ("PUT", "/gateway.do", 405),
            ("POST", "/gateway.do", 415),
            ("POST", "/gateway.do", 400),
        ]
    );
    for r in &log {
        assert!(!r.signature_verified);
        assert_eq!(r.verdict, "refused before any check");
        assert_eq!(r.method, None);
        assert_eq!(r.answer.code, None);
    }
}

#[tokio::test]
async fn get_requests_and_the_query_alone_work_too() {
    let gw = gateway().await;
    let c = client(&gw, SignType::Rsa2, Charset::Utf8);
    let prepared = c.prepare(&Echo::new("1")).expect("prepare");
    // Everything in the query, as a page redirect would send it.
    let body = String::from_utf8(prepared.body.clone()).expect("ascii");
    let url = format!("{}&{body}", prepared.url);
    let r = reqwest::Client::new().get(url).send().await.expect("send");
    let answer: Value = r.json().await.expect("json");
    assert_eq!(
        answer["alipay_test_echo_response"]["code"], "10000",
        "{answer}"
    );
    let last = gw.requests().pop().expect("recorded");
    assert_eq!(last.http_method, "GET");
    assert!(last.signature_verified);
}

/// The answer to a GBK request is GBK.
fn gbk_json(bytes: &[u8]) -> Value {
    let text = Charset::Gbk.decode(bytes).expect("GBK");
    serde_json::from_str(&text).expect("json")
}

#[tokio::test]
async fn duplicated_parameters_and_undecodable_bytes_are_refused() {
    let gw = gateway().await;
    let c = client(&gw, SignType::Rsa2, Charset::Gbk);
    let prepared = c.prepare(&Echo::new("王")).expect("prepare");
    let http = reqwest::Client::new();

    // biz_content both in the query and in the body: which one was signed is ambiguous.
    let body = String::from_utf8(prepared.body.clone()).expect("ascii");
    let r = post(
        &http,
        format!("{}&{body}", prepared.url),
        &prepared.content_type,
        prepared.body.clone(),
    )
    .await;
    let answer = gbk_json(&r.bytes().await.expect("body"));
    assert_eq!(
        answer["error_response"]["sub_code"],
        "isv.invalid-parameter"
    );

    // A lone GBK lead byte is not GBK.
    let r = post(
        &http,
        &prepared.url,
        &prepared.content_type,
        "biz_content=%81",
    )
    .await;
    let answer = gbk_json(&r.bytes().await.expect("body"));
    assert_eq!(answer["error_response"]["sub_code"], "isv.invalid-charset");
    assert_eq!(gw.request_count(), 2);
}

#[tokio::test]
async fn an_expected_app_id_is_enforced() {
    let gw = LocalGateway::builder(METHODS, keys().gateway_keys().expect("keys"))
        .app_id("2021000000000001")
        .start()
        .await
        .expect("start");
    let err = client(&gw, SignType::Rsa2, Charset::Utf8)
        .execute(&Echo::new("1"))
        .await
        .expect_err("other app id");
    let g = gateway_error(err);
    assert_eq!(
        *g.sub_code(),
        PublicSubCode::from_code("isv.invalid-app-id")
    );
}

#[tokio::test]
async fn the_gateway_stops_on_shutdown_and_on_drop() {
    let gw = gateway().await;
    let addr = gw.addr();
    tokio::net::TcpStream::connect(addr)
        .await
        .expect("listening");
    gw.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());

    let gw = gateway().await;
    let addr = gw.addr();
    drop(gw);
    // The serving task ends at its next poll.
    let mut refused = false;
    for _ in 0..50 {
        if tokio::net::TcpStream::connect(addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert!(refused, "still listening after drop");
}

/// A control call's JSON body is read as strictly as `biz_content`: serde_json's `Value` kept
/// the last of a key given twice, so `{"out_trade_no":"A","out_trade_no":"B"}` paid B and
/// a fault body naming two faults injected the second.
#[tokio::test]
async fn a_control_body_with_a_key_twice_is_refused() {
    let gw = gateway().await;
    let http = reqwest::Client::new();
    for (url, body, key) in [
        (
            gw.pay_url(),
            r#"{"out_trade_no":"A","out_trade_no":"B"}"#,
            "out_trade_no",
        ),
        (
            gw.faults_url(),
            r#"{"fault":"reset","fault":"system_error"}"#,
            "fault",
        ),
    ] {
        let r = post(&http, url, "application/json", body).await;
        assert_eq!(r.status().as_u16(), 400, "{body}");
        let answer: Value = r.json().await.expect("json");
        let sub_msg = answer["sub_msg"].as_str().expect("sub_msg");
        assert!(
            sub_msg.contains(&format!("`{key}` is sent more than once")),
            "{sub_msg}"
        );
    }
    assert!(gw.faults().is_empty());
}
