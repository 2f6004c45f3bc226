// Over 500 lines because: one test binary for the whole v3 wire (auth, placement, AES, uploads, refusals, the Node SDK's requests): each file here is a binary of its own.
//! The v3 protocol (`/v3/...`, signed in headers) over real HTTP on 127.0.0.1: requests
//! signed with the runtime's `v3` functions and sent with reqwest, answers verified with
//! `alipay_runtime::v3::verify_answer`; and the official Node SDK's recorded requests
//! (`shared/vectors/v3_node.json`) replayed byte for byte.

use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alipay_gateway::{
    GatewayCertMode, GatewayKeys, LocalGateway, Scenario, ThrowawayCerts, ThrowawayKeys,
};
use alipay_runtime::cert::{AlipayCert, AppCert, RootBundle};
use alipay_runtime::encrypt::EncryptKey;
use alipay_runtime::v3::{self, AnswerError, AnswerHeaders, Auth, HttpMethod, Route, RouteBody};
use alipay_runtime::validate::{self, FormKind, Rule, ValidationError};
use alipay_runtime::{
    Client, DynBizCode, ErrorDoc, Method, MethodDescriptor, PrivateKey, PublicKey, RequestParts,
};
use serde_json::{Value, json};

use crate::protocol::key_client;

const APP_ID: &str = "2014072300007148";
const AES_KEY: &str = "LWWCLAong8Vx0XsBzWhMFg==";

fn permissive(_biz: Option<&Value>, _form: &[(String, String)]) -> Result<(), ValidationError> {
    Ok(())
}

/// `out_trade_no` or `trade_no`, at most 64 characters (the one rule tests break).
fn validate_trade(biz: Option<&Value>, _form: &[(String, String)]) -> Result<(), ValidationError> {
    if let Some(no) = biz
        .and_then(|b| b.get("out_trade_no"))
        .and_then(Value::as_str)
    {
        validate::max_length("out_trade_no", no, 64)?;
    }
    Ok(())
}

fn validate_bill(biz: Option<&Value>, _form: &[(String, String)]) -> Result<(), ValidationError> {
    biz.and_then(|b| b.get("bill_type"))
        .and_then(Value::as_str)
        .ok_or_else(|| ValidationError::new("bill_type", Rule::Required))?;
    Ok(())
}

#[derive(serde::Deserialize)]
struct Upload {
    #[allow(dead_code)]
    file_content: alipay_runtime::FileUpload,
    #[allow(dead_code)]
    biz_code: String,
}

fn validate_upload(biz: Option<&Value>, form: &[(String, String)]) -> Result<(), ValidationError> {
    let _: Upload = validate::typed_request(biz, form, &[("file_content", FormKind::File)])?;
    Ok(())
}

const TRADE_ERRORS: &[ErrorDoc] = &[ErrorDoc {
    code: "ACQ.TRADE_NOT_EXIST",
    description: "交易不存在",
    solution: "检查传入的交易号是否正确",
}];

const fn route(
    http_method: HttpMethod,
    path: &'static str,
    query: &'static [&'static str],
    body: RouteBody,
) -> Option<Route> {
    Some(Route {
        http_method,
        path,
        query,
        body,
        v2: true,
    })
}

macro_rules! method {
    ($name:expr, $node:expr, $route:expr, $validate:expr, $example:expr, $errors:expr, $style:expr) => {
        MethodDescriptor {
            method: $name,
            title: "测试",
            group: "test",
            response_node: $node,
            errors: $errors,
            example_response: $example,
            route: $route,
            validate_request: $validate,
            call_style: $style,
        }
    };
}

const SERVER: alipay_runtime::CallStyle = alipay_runtime::CallStyle::Server;

/// The methods of the Node SDK's vectors, with the routes its calls used, plus one answered
/// from its example, one with a path parameter and the app pay method that opens trades.
static METHODS: &[MethodDescriptor] = &[
    method!(
        "alipay.trade.query",
        "alipay_trade_query_response",
        route(
            HttpMethod::Post,
            "/v3/alipay/trade/query",
            &[],
            RouteBody::Json
        ),
        validate_trade,
        None,
        TRADE_ERRORS,
        SERVER
    ),
    // Answered from its example: the protocol's tests call it.
    method!(
        "alipay.trade.orderinfo.sync",
        "alipay_trade_orderinfo_sync_response",
        route(
            HttpMethod::Post,
            "/v3/alipay/trade/orderinfo/sync",
            &[],
            RouteBody::Json
        ),
        validate_trade,
        Some(
            r#"{"alipay_trade_orderinfo_sync_response":{"code":"10000","msg":"Success","out_trade_no":"20150320010101001","trade_no":"2013112011001004330000121536"},"sign":"x"}"#
        ),
        TRADE_ERRORS,
        SERVER
    ),
    method!(
        "alipay.data.dataservice.bill.downloadurl.query",
        "alipay_data_dataservice_bill_downloadurl_query_response",
        route(
            HttpMethod::Get,
            "/v3/alipay/data/dataservice/bill/downloadurl/query",
            &["bill_type", "bill_date"],
            RouteBody::None
        ),
        validate_bill,
        Some(
            r#"{"alipay_data_dataservice_bill_downloadurl_query_response":{"code":"10000","msg":"Success","bill_download_url":"http://dwbillcenter.alipay.com/x"},"sign":"x"}"#
        ),
        &[],
        SERVER
    ),
    method!(
        "alipay.open.auth.token.app.query",
        "alipay_open_auth_token_app_query_response",
        route(
            HttpMethod::Post,
            "/v3/alipay/open/auth/token/app/query",
            &[],
            RouteBody::None
        ),
        permissive,
        None,
        &[],
        SERVER
    ),
    method!(
        "alipay.open.file.upload",
        "alipay_open_file_upload_response",
        route(
            HttpMethod::Post,
            "/v3/alipay/open/file/upload",
            &[],
            RouteBody::Multipart
        ),
        validate_upload,
        Some(
            r#"{"alipay_open_file_upload_response":{"code":"10000","msg":"Success","file_id":"F1"},"sign":"x"}"#
        ),
        &[],
        SERVER
    ),
    method!(
        "alipay.marketing.activity.query",
        "alipay_marketing_activity_query_response",
        route(
            HttpMethod::Get,
            "/v3/alipay/marketing/activity/{activity_id}",
            &["merchant_id"],
            RouteBody::None
        ),
        permissive,
        None,
        &[],
        SERVER
    ),
    method!(
        "alipay.trade.app.pay",
        "alipay_trade_app_pay_response",
        None,
        permissive,
        None,
        &[],
        alipay_runtime::CallStyle::App
    ),
    // Answered from the trades (it opens one): the Node SDK's vector calls it.
    method!(
        "alipay.trade.create",
        "alipay_trade_create_response",
        route(
            HttpMethod::Post,
            "/v3/alipay/trade/create",
            &[],
            RouteBody::Json
        ),
        validate_trade,
        None,
        TRADE_ERRORS,
        SERVER
    ),
];

fn throwaway() -> &'static ThrowawayKeys {
    static KEYS: OnceLock<ThrowawayKeys> = OnceLock::new();
    KEYS.get_or_init(|| ThrowawayKeys::generate().expect("keygen"))
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// An answer as received.
#[derive(Debug)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Answer {
    fn headers(&self) -> AnswerHeaders<'_> {
        AnswerHeaders::from_pairs(self.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The answer verified as a strict client takes it: the success's JSON, or the error.
    fn verified(&self, key: &PublicKey, sn: Option<&str>) -> Result<Value, AnswerError> {
        v3::verify_answer(self.status, &self.headers(), &self.body, key, sn)
            .map(|body| serde_json::from_slice(body).unwrap())
    }

    /// A verified error answer's (status, code).
    fn api_error(&self, key: &PublicKey, sn: Option<&str>) -> (u16, String, String) {
        match self.verified(key, sn) {
            Err(AnswerError::Api(e)) => {
                assert!(e.verified(), "error answers are signed: {e}");
                assert_eq!(e.trace_id(), self.header("alipay-trace-id"));
                let links = e.links().expect("links");
                assert!(links[0]["link"].as_str().unwrap().contains("traceId="));
                (
                    e.status(),
                    e.code_str().unwrap().to_owned(),
                    e.message().unwrap().to_owned(),
                )
            }
            other => panic!("expected an API error, got {other:?}"),
        }
    }
}

/// Sends a request as it is, byte for byte.
async fn send(
    base: &str,
    method: &str,
    target: &str,
    headers: &[(String, String)],
    body: Vec<u8>,
) -> Answer {
    let http = reqwest::Client::builder().no_proxy().build().unwrap();
    let mut req = http.request(
        reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
        format!("{base}{target}"),
    );
    for (name, value) in headers {
        req = req.header(name.as_str(), value.as_str());
    }
    let resp = req.body(body).send().await.expect("send");
    let status = resp.status().as_u16();
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap().to_owned()))
        .collect();
    let body = resp.bytes().await.unwrap().to_vec();
    Answer {
        status,
        headers,
        body,
    }
}

/// What a request carries besides its method and target.
#[derive(Debug)]
enum Payload {
    None,
    Json(String),
    Aes(String),
    /// The `data` JSON, then (field, file name, content) files.
    Multipart(String, Vec<(&'static str, &'static str, Vec<u8>)>),
}

/// A v3 client made of the runtime's functions.
struct Caller {
    base: String,
    app_id: String,
    key: PrivateKey,
    app_cert_sn: Option<String>,
    root_cert_sn: Option<String>,
}

impl Caller {
    fn new(gw: &LocalGateway, key: PrivateKey) -> Self {
        Caller {
            base: format!("http://{}", gw.addr()),
            app_id: APP_ID.to_owned(),
            key,
            app_cert_sn: None,
            root_cert_sn: None,
        }
    }

    async fn call(
        &self,
        method: &str,
        target: &str,
        payload: Payload,
        token: Option<&str>,
    ) -> Answer {
        self.call_at(method, target, payload, token, now_ms()).await
    }

    async fn call_at(
        &self,
        method: &str,
        target: &str,
        payload: Payload,
        token: Option<&str>,
        timestamp_ms: u64,
    ) -> Answer {
        let nonce = format!("{timestamp_ms:x}-nonce");
        let auth = Auth {
            app_id: &self.app_id,
            app_cert_sn: self.app_cert_sn.as_deref(),
            nonce: &nonce,
            timestamp_ms,
        }
        .text();
        let mut headers: Vec<(String, String)> = Vec::new();
        let (line, body) = match payload {
            Payload::None => (String::new(), Vec::new()),
            Payload::Json(json) => {
                headers.push(("content-type".into(), "application/json".into()));
                (json.clone(), json.into_bytes())
            }
            Payload::Aes(ciphertext) => {
                headers.push(("content-type".into(), "text/plain".into()));
                headers.push(("alipay-encrypt-type".into(), "AES".into()));
                (ciphertext.clone(), ciphertext.into_bytes())
            }
            Payload::Multipart(data, files) => {
                let b = "----v3-test-boundary-7d1";
                headers.push((
                    "content-type".into(),
                    format!("multipart/form-data; boundary={b}"),
                ));
                let mut body = format!(
                    "--{b}\r\nContent-Disposition: form-data; name=\"data\"\r\nContent-Type: application/json\r\n\r\n{data}\r\n"
                )
                .into_bytes();
                for (name, file_name, content) in files {
                    body.extend_from_slice(
                        format!("--{b}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes(),
                    );
                    body.extend_from_slice(&content);
                    body.extend_from_slice(b"\r\n");
                }
                body.extend_from_slice(format!("--{b}--\r\n").as_bytes());
                (data, body)
            }
        };
        let signed = v3::sign_string(&auth, method, target, line.as_bytes(), token);
        headers.push((
            "authorization".into(),
            v3::authorization(&self.key, &auth, &signed).unwrap(),
        ));
        if let Some(token) = token {
            headers.push(("alipay-app-auth-token".into(), token.into()));
        }
        if let Some(sn) = &self.root_cert_sn {
            headers.push(("alipay-root-cert-sn".into(), sn.clone()));
        }
        send(&self.base, method, target, &headers, body).await
    }
}

async fn gateway() -> LocalGateway {
    LocalGateway::builder(METHODS, throwaway().gateway_keys().unwrap())
        .app_id(APP_ID)
        .encrypt_key(EncryptKey::from_base64(AES_KEY).unwrap())
        .start()
        .await
        .expect("start")
}

fn caller(gw: &LocalGateway) -> Caller {
    Caller::new(gw, throwaway().app_private_key().unwrap())
}

fn alipay_key() -> PublicKey {
    throwaway().alipay_public_key().unwrap()
}

// Long because: one gateway, four route shapes, each request and answer checked whole.
#[tokio::test]
async fn json_post_get_with_query_path_parameter_and_app_auth_token() {
    let gw = gateway().await;
    let c = caller(&gw);
    let key = alipay_key();

    // A JSON body with characters that need escaping, answered from the example.
    let body = json!({"out_trade_no": "T1", "subject": "Iphone & <特价> \"包邮\" a+b/c\\d 😀"})
        .to_string();
    let a = c
        .call(
            "POST",
            "/v3/alipay/trade/orderinfo/sync",
            Payload::Json(body.clone()),
            None,
        )
        .await;
    assert_eq!(a.status, 200, "{}", String::from_utf8_lossy(&a.body));
    let answer = a.verified(&key, None).expect("verified");
    assert_eq!(
        answer,
        json!({"out_trade_no": "20150320010101001", "trade_no": "2013112011001004330000121536"})
    );
    assert!(a.header("alipay-trace-id").is_some_and(|t| t.len() == 24));
    assert_eq!(a.header("alipay-nonce").unwrap().len(), 36);
    let seen = gw.requests().pop().unwrap();
    assert_eq!(seen.method.as_deref(), Some("alipay.trade.orderinfo.sync"));
    assert!(seen.signature_verified);
    assert_eq!(seen.param("biz_content"), Some(body.as_str()));

    // GET with query parameters, written once by the runtime's one query writer.
    let query = v3::query_string([
        ("bill_type", "trade"),
        ("bill_date", "2024-07-30"),
        ("memo", "中文 a+b&c"),
    ]);
    let target = v3::target("/v3/alipay/data/dataservice/bill/downloadurl/query", &query);
    let a = c.call("GET", &target, Payload::None, None).await;
    assert_eq!(
        a.verified(&key, None).expect("verified")["bill_download_url"],
        "http://dwbillcenter.alipay.com/x"
    );
    let seen = gw.requests().pop().unwrap();
    assert_eq!(seen.param("memo"), Some("中文 a+b&c"));
    assert_eq!(seen.param("bill_type"), Some("trade"));
    assert_eq!(seen.param("biz_content"), None);
    // Its required query parameter left out: 400 naming it.
    let a = c
        .call(
            "GET",
            "/v3/alipay/data/dataservice/bill/downloadurl/query?bill_date=2024-07-30",
            Payload::None,
            None,
        )
        .await;
    let (status, code, message) = a.api_error(&key, None);
    assert_eq!((status, code.as_str()), (400, "invalid-parameter"));
    assert!(message.contains("bill_type"), "{message}");

    // A path parameter, percent-decoded.
    let a = c
        .call(
            "GET",
            "/v3/alipay/marketing/activity/A%201%E4%B8%AD?merchant_id=M9",
            Payload::None,
            None,
        )
        .await;
    assert_eq!(a.verified(&key, None).expect("verified"), json!({}));
    let seen = gw.requests().pop().unwrap();
    assert_eq!(seen.param("activity_id"), Some("A 1中"));
    assert_eq!(seen.param("merchant_id"), Some("M9"));

    // app_auth_token: signed as the last line.
    let a = c
        .call(
            "POST",
            "/v3/alipay/trade/query",
            Payload::Json(r#"{"out_trade_no":"NONE"}"#.into()),
            Some("202407BBtoken"),
        )
        .await;
    let (status, code, _) = a.api_error(&key, None);
    assert_eq!((status, code.as_str()), (400, "ACQ.TRADE_NOT_EXIST"));
    assert!(gw.requests().pop().unwrap().signature_verified);
}

/// An app pay request, to open and pay a trade through the order string.
struct AppPay(&'static str);

#[derive(Debug, serde::Deserialize)]
struct Nothing {}

json_method!(
    AppPay => Nothing,
    METHODS[6],
    |pay| json!({"out_trade_no": pay.0, "total_amount": "9.99", "subject": "茶"})
);

#[tokio::test]
async fn a_trade_paid_at_the_cashier_is_seen_by_v3_trade_query() {
    let gw = gateway().await;
    let client = key_client(&gw, throwaway()).build().unwrap();
    let order = client.app_order_string(&AppPay("V3-PAID-1")).unwrap();
    gw.pay_order_string(&order).expect("paid");
    let c = caller(&gw);
    let a = c
        .call(
            "POST",
            "/v3/alipay/trade/query",
            Payload::Json(r#"{"out_trade_no":"V3-PAID-1"}"#.into()),
            None,
        )
        .await;
    let trade = a.verified(&alipay_key(), None).expect("verified");
    assert_eq!(trade["trade_status"], "TRADE_SUCCESS");
    assert_eq!(trade["total_amount"], "9.99");
    assert_eq!(trade["out_trade_no"], "V3-PAID-1");
    assert!(trade.get("code").is_none() && trade.get("msg").is_none());
}

#[tokio::test]
async fn scenarios_apply_to_v3_calls() {
    let gw = gateway().await;
    let c = caller(&gw);
    let key = alipay_key();
    let body = || Payload::Json(r#"{"out_trade_no":"T2"}"#.into());
    gw.set_scenario(
        "alipay.trade.orderinfo.sync",
        Scenario::business_error("ACQ.TRADE_NOT_EXIST"),
    )
    .unwrap();
    let a = c
        .call("POST", "/v3/alipay/trade/orderinfo/sync", body(), None)
        .await;
    assert_eq!(
        a.api_error(&key, None),
        (400, "ACQ.TRADE_NOT_EXIST".into(), "交易不存在".into())
    );
    assert_eq!(
        gw.requests().pop().unwrap().answer.code.as_deref(),
        Some("ACQ.TRADE_NOT_EXIST")
    );

    gw.set_scenario("alipay.trade.orderinfo.sync", Scenario::AlteredBody)
        .unwrap();
    let a = c
        .call("POST", "/v3/alipay/trade/orderinfo/sync", body(), None)
        .await;
    assert!(
        matches!(a.verified(&key, None), Err(AnswerError::Signature(_))),
        "{a:?}"
    );

    gw.set_scenario("alipay.trade.orderinfo.sync", Scenario::MissingSign)
        .unwrap();
    let a = c
        .call("POST", "/v3/alipay/trade/orderinfo/sync", body(), None)
        .await;
    assert!(matches!(
        a.verified(&key, None),
        Err(AnswerError::Unsigned("alipay-signature"))
    ));

    gw.set_scenario("alipay.trade.orderinfo.sync", Scenario::Http500)
        .unwrap();
    let a = c
        .call("POST", "/v3/alipay/trade/orderinfo/sync", body(), None)
        .await;
    assert_eq!(a.status, 500);
}

// Long because: a table of bad Authorization headers, each refused and none reaching the method.
#[tokio::test]
async fn bad_missing_and_expired_auth_is_refused_and_runs_nothing() {
    let gw = gateway().await;
    let c = caller(&gw);
    let key = alipay_key();
    let target = "/v3/alipay/trade/orderinfo/sync";
    let body = r#"{"out_trade_no":"T3"}"#;
    let json = vec![("content-type".to_owned(), "application/json".to_owned())];
    let with_auth = |value: &str| {
        let mut h = json.clone();
        h.push(("authorization".into(), value.into()));
        h
    };

    let cases: Vec<(Answer, u16, &str)> = vec![
        (
            send(&c.base, "POST", target, &json, body.into()).await,
            401,
            "missing-signature",
        ),
        (
            send(
                &c.base,
                "POST",
                target,
                &with_auth("Bearer abc"),
                body.into(),
            )
            .await,
            401,
            "invalid-signature-type",
        ),
        (
            send(
                &c.base,
                "POST",
                target,
                &with_auth("ALIPAY-SHA256withRSA app_id=2014072300007148,nonce=n,timestamp=1"),
                body.into(),
            )
            .await,
            401,
            "missing-signature",
        ),
        (
            send(
                &c.base,
                "POST",
                target,
                &with_auth(&format!(
                    "ALIPAY-SHA256withRSA app_id={APP_ID},nonce=n,timestamp={},sign=%%%not-base64",
                    now_ms()
                )),
                body.into(),
            )
            .await,
            401,
            "invalid-signature",
        ),
    ];
    for (a, status, code) in cases {
        let (got_status, got_code, _) = a.api_error(&key, None);
        assert_eq!((got_status, got_code.as_str()), (status, code));
    }

    // Another app, an old or future timestamp, a body other than the one signed.
    let other = Caller {
        app_id: "2021000000000001".into(),
        ..caller(&gw)
    };
    let a = other
        .call("POST", target, Payload::Json(body.into()), None)
        .await;
    assert_eq!(a.api_error(&key, None).1, "invalid-app-id");
    for off in [-(16 * 60 * 1000_i64), 16 * 60 * 1000] {
        let at = (now_ms() as i64 + off) as u64;
        let a = c
            .call_at("POST", target, Payload::Json(body.into()), None, at)
            .await;
        assert_eq!(a.api_error(&key, None).1, "invalid-timestamp");
    }
    let a = c
        .call_at(
            "POST",
            target,
            Payload::Json(body.into()),
            None,
            now_ms() - 60_000,
        )
        .await;
    assert_eq!(a.status, 200, "a minute off is within the window");
    // Signed with another key.
    let stranger = Caller::new(
        &gw,
        PrivateKey::parse(&ThrowawayKeys::generate().unwrap().app.private_pem).unwrap(),
    );
    let a = stranger
        .call("POST", target, Payload::Json(body.into()), None)
        .await;
    let (status, code, message) = a.api_error(&key, None);
    assert_eq!((status, code.as_str()), (401, "invalid-signature"));
    assert!(
        message.contains("POST\n/v3/alipay/trade/orderinfo/sync\n"),
        "{message}"
    );
    // A token sent but not signed (the signature covers it): refused, and never shown.
    let mut h = json.clone();
    let auth = Auth {
        app_id: APP_ID,
        app_cert_sn: None,
        nonce: "n1",
        timestamp_ms: now_ms(),
    }
    .text();
    let signed = v3::sign_string(&auth, "POST", target, body.as_bytes(), None);
    h.push((
        "authorization".into(),
        v3::authorization(&c.key, &auth, &signed).unwrap(),
    ));
    h.push(("alipay-app-auth-token".into(), "SECRET-TOKEN".into()));
    let a = send(&c.base, "POST", target, &h, body.into()).await;
    let (_, code, message) = a.api_error(&key, None);
    assert_eq!(code, "invalid-signature");
    assert!(!message.contains("SECRET-TOKEN"), "{message}");

    // Refused before the signature verified: nothing ran, nothing is trusted.
    let held = gw.requests();
    let refused: Vec<_> = held.iter().filter(|r| r.answer.status == 401).collect();
    assert_eq!(refused.len(), 9);
    assert!(
        refused
            .iter()
            .all(|r| !r.signature_verified && r.method.is_none())
    );
}

#[tokio::test]
async fn hostile_requests_get_answers_not_panics() {
    let gw = gateway().await;
    let c = caller(&gw);
    let key = alipay_key();
    let sync = "/v3/alipay/trade/orderinfo/sync";
    let refusal = async |method, target, payload: Payload| {
        let shown = format!("{method} {target} {payload:?}");
        let answer = c.call(method, target, payload, None).await;
        (answer.api_error(&key, None), shown)
    };
    // Unknown path and wrong HTTP method, once signed.
    for (method, target, payload, status) in [
        (
            "POST",
            "/v3/alipay/no/such/method",
            Payload::Json("{}".into()),
            404,
        ),
        ("GET", sync, Payload::None, 405),
    ] {
        let ((got, _, _), shown) = refusal(method, target, payload).await;
        assert_eq!(got, status, "{shown}");
    }
    // Bad percent-encoding in a path parameter, bad UTF-8 in the query; a body that is no
    // JSON object, a field in two places.
    for (method, target, payload) in [
        ("GET", "/v3/alipay/marketing/activity/%FF%FE", Payload::None),
        (
            "GET",
            "/v3/alipay/data/dataservice/bill/downloadurl/query?bill_type=%C3%28",
            Payload::None,
        ),
        ("POST", sync, Payload::Json("[1]".into())),
        ("POST", sync, Payload::Json("not json".into())),
        ("POST", sync, Payload::Json("\u{0}".into())),
        (
            "GET",
            "/v3/alipay/marketing/activity/A?activity_id=B",
            Payload::None,
        ),
    ] {
        let ((_, code, _), shown) = refusal(method, target, payload).await;
        assert_eq!(code, "invalid-parameter", "{shown}");
    }
    // Bad AES.
    let ((_, code, _), _) = refusal("POST", sync, Payload::Aes("!!not base64!!".into())).await;
    assert_eq!(code, "decryption-error-not-valid-encrypt-key");
    // A method's own rule, the field named.
    let long = format!(r#"{{"out_trade_no":"{}"}}"#, "x".repeat(65));
    let ((status, code, message), _) = refusal("POST", sync, Payload::Json(long)).await;
    assert_eq!((status, code.as_str()), (400, "invalid-parameter"));
    assert!(message.contains("out_trade_no"), "{message}");
    // A header that is not text, a huge one.
    let raw = [("authorization".to_owned(), "x".repeat(20_000))];
    let a = send(&c.base, "POST", sync, &raw, Vec::new()).await;
    assert!(a.status >= 400);
}

#[tokio::test]
async fn aes_requests_get_aes_answers() {
    let gw = gateway().await;
    let c = caller(&gw);
    let aes = EncryptKey::from_base64(AES_KEY).unwrap();
    let plain = r#"{"out_trade_no":"T-AES","memo":"加密 & <测试>"}"#;
    let a = c
        .call(
            "POST",
            "/v3/alipay/trade/orderinfo/sync",
            Payload::Aes(aes.encrypt(plain)),
            None,
        )
        .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.header("content-type"), Some("text/plain;charset=utf-8"));
    let answer =
        v3::verify_encrypted_answer(a.status, &a.headers(), &a.body, &alipay_key(), None, &aes)
            .expect("verified");
    let answer: Value = serde_json::from_str(&answer).unwrap();
    assert_eq!(answer["trade_no"], "2013112011001004330000121536");
    let seen = gw.requests().pop().unwrap();
    assert_eq!(seen.decrypted_biz_content.as_deref(), Some(plain));
    assert_eq!(seen.biz_content().unwrap()["memo"], "加密 & <测试>");
    // An encrypted request refused by the method's rules: a plain signed error.
    let long = format!(r#"{{"out_trade_no":"{}"}}"#, "y".repeat(65));
    let a = c
        .call(
            "POST",
            "/v3/alipay/trade/orderinfo/sync",
            Payload::Aes(aes.encrypt(&long)),
            None,
        )
        .await;
    assert_eq!(a.api_error(&alipay_key(), None).1, "invalid-parameter");
}

#[tokio::test]
async fn multipart_uploads() {
    let gw = gateway().await;
    let c = caller(&gw);
    let content = b"hello \xe6\x94\xaf\r\n--not-a-boundary\r\n\x00\xff".to_vec();
    let data = r#"{"biz_code":"openpt_appstore","extra":{"k":"值 & <v>"}}"#;
    let a = c
        .call(
            "POST",
            "/v3/alipay/open/file/upload",
            Payload::Multipart(
                data.into(),
                vec![("file_content", "hello.txt", content.clone())],
            ),
            None,
        )
        .await;
    assert_eq!(
        a.verified(&alipay_key(), None).expect("verified")["file_id"],
        "F1"
    );
    let seen = gw.requests().pop().unwrap();
    let file = seen.file("file_content").expect("file");
    assert_eq!(
        (file.file_name.as_str(), file.size),
        ("hello.txt", content.len() as u64)
    );
    assert_eq!(seen.biz_content().unwrap()["biz_code"], "openpt_appstore");
    // Without its required file.
    let a = c
        .call(
            "POST",
            "/v3/alipay/open/file/upload",
            Payload::Multipart(data.into(), Vec::new()),
            None,
        )
        .await;
    let (status, code, message) = a.api_error(&alipay_key(), None);
    assert_eq!((status, code.as_str()), (400, "invalid-parameter"));
    assert!(message.contains("file_content"), "{message}");
}

fn certs() -> &'static ThrowawayCerts {
    static CERTS: OnceLock<ThrowawayCerts> = OnceLock::new();
    CERTS.get_or_init(|| ThrowawayCerts::generate().expect("certificates"))
}

#[tokio::test]
async fn certificate_mode() {
    let cs = certs();
    let keys = ThrowawayKeys {
        app: cs.app.key.clone(),
        alipay: cs.alipay.key.clone(),
    };
    let mode = GatewayCertMode::from_throwaway(cs).unwrap();
    let (app_sn, root_sn) = (
        mode.app_cert_sn().to_owned(),
        mode.alipay_root_cert_sn().to_owned(),
    );
    let gw = LocalGateway::builder(METHODS, keys.gateway_keys().unwrap())
        .cert_mode(mode)
        .start()
        .await
        .unwrap();
    let alipay_sn = gw.alipay_cert_sn().unwrap();
    let alipay_key = keys.alipay_public_key().unwrap();
    let mut c = Caller::new(&gw, keys.app_private_key().unwrap());
    c.app_cert_sn = Some(app_sn.clone());
    c.root_cert_sn = Some(root_sn.clone());
    let body = || Payload::Json(r#"{"out_trade_no":"T-CERT"}"#.into());
    let a = c
        .call(
            "POST",
            "/v3/alipay/trade/orderinfo/sync",
            body(),
            Some("tok"),
        )
        .await;
    assert_eq!(a.header("alipay-sn"), Some(alipay_sn.as_str()));
    a.verified(&alipay_key, Some(&alipay_sn))
        .expect("verified in cert mode");
    assert!(a.verified(&alipay_key, Some("another-sn")).is_err());

    c.app_cert_sn = Some("0000".into());
    let a = c
        .call("POST", "/v3/alipay/trade/orderinfo/sync", body(), None)
        .await;
    assert_eq!(a.api_error(&alipay_key, None).1, "invalid-app-cert-sn");
    c.app_cert_sn = None;
    let a = c
        .call("POST", "/v3/alipay/trade/orderinfo/sync", body(), None)
        .await;
    assert_eq!(a.api_error(&alipay_key, None).1, "invalid-app-cert-sn");
    c.app_cert_sn = Some(app_sn);
    c.root_cert_sn = None;
    let a = c
        .call("POST", "/v3/alipay/trade/orderinfo/sync", body(), None)
        .await;
    assert_eq!(
        a.api_error(&alipay_key, None).1,
        "invalid-alipay-root-cert-sn"
    );
}

// ---- The official Node SDK's recorded requests, replayed byte for byte ----

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors/");

fn vector_file(name: &str) -> String {
    let path = format!("{VECTORS}{name}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

async fn vector_gateway(cert_mode: bool) -> LocalGateway {
    let keys = GatewayKeys::parse(
        &vector_file("keys/app_public.pem"),
        &vector_file("keys/alipay_private_pkcs1.pem"),
    )
    .unwrap();
    let mut builder = LocalGateway::builder(METHODS, keys)
        .app_id(APP_ID)
        .encrypt_key(EncryptKey::from_base64(AES_KEY).unwrap())
        // The recordings are dated: let them in, whatever their age.
        .v3_timestamp_window(Duration::from_secs(100 * 365 * 24 * 3600));
    if cert_mode {
        builder = builder.cert_mode(
            GatewayCertMode::new(
                &vector_file("keys/certs/app_cert.pem"),
                &vector_file("keys/certs/alipay_root_cert.pem"),
                &vector_file("keys/certs/alipay_cert.pem"),
                &vector_file("keys/alipay_private_pkcs1.pem"),
            )
            .unwrap(),
        );
    }
    builder.start().await.unwrap()
}

// Long because: the Node SDK's 14 recorded requests replayed in one loop, each answer checked.
#[tokio::test]
async fn the_node_sdk_requests_are_accepted_byte_for_byte() {
    let all: Value = serde_json::from_str(&vector_file("v3_node.json")).unwrap();
    let plain = vector_gateway(false).await;
    let cert = vector_gateway(true).await;
    let alipay_key = PublicKey::parse(&vector_file("keys/alipay_public.pem")).unwrap();
    let aes = EncryptKey::from_base64(AES_KEY).unwrap();
    let alipay_cert_sn = all["keys"]["alipay_cert_sn"].as_str().unwrap();
    // The trade the vectors query, paid at the cashier of each gateway.
    let order = |client: Client| {
        client
            .app_order_string(&AppPay("6823789339978248"))
            .unwrap()
    };
    let builder = || {
        Client::builder()
            .app_id(APP_ID)
            .private_key(PrivateKey::parse(&vector_file("keys/app_private_pkcs1.pem")).unwrap())
    };
    let plain_client = builder()
        .gateway(plain.url())
        .alipay_public_key(alipay_key.clone())
        .build()
        .unwrap();
    plain.pay_order_string(&order(plain_client)).expect("paid");
    let cert_client = builder()
        .gateway(cert.url())
        .app_cert(AppCert::from_pem(vector_file("keys/certs/app_cert.pem").as_bytes()).unwrap())
        .alipay_cert(
            AlipayCert::from_pem(vector_file("keys/certs/alipay_cert.pem").as_bytes()).unwrap(),
        )
        .alipay_root_cert(
            RootBundle::from_pem(vector_file("keys/certs/alipay_root_cert.pem").as_bytes())
                .unwrap(),
        )
        .build()
        .unwrap();
    cert.pay_order_string(&order(cert_client))
        .expect("paid in cert mode");
    let mut replayed = 0;
    for v in all["vectors"].as_array().unwrap() {
        if v["kind"] != "request" {
            continue;
        }
        let name = v["name"].as_str().unwrap();
        let request = &v["request"];
        let cert_mode =
            v["config"].get("appCertPath").is_some() || v["config"].get("appCertContent").is_some();
        let gw = if cert_mode { &cert } else { &plain };
        let headers: Vec<(String, String)> = request["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h[0].as_str().unwrap().to_owned(),
                    h[1].as_str().unwrap().to_owned(),
                )
            })
            .filter(|(k, _)| {
                !matches!(
                    k.as_str(),
                    "host" | "connection" | "content-length" | "transfer-encoding"
                )
            })
            .collect();
        let body = match request["body"].as_str() {
            Some(text) => text.as_bytes().to_vec(),
            None => {
                use base64ct::Encoding as _;
                base64ct::Base64::decode_vec(request["body_base64"].as_str().unwrap()).unwrap()
            }
        };
        let a = send(
            &format!("http://{}", gw.addr()),
            request["method"].as_str().unwrap(),
            request["path_and_query"].as_str().unwrap(),
            &headers,
            body,
        )
        .await;
        let sn = cert_mode.then_some(alipay_cert_sn);
        let encrypted = headers.iter().any(|(k, _)| k == "alipay-encrypt-type");
        if v["sign_string_matches_wire"] == true {
            assert_eq!(
                a.status,
                200,
                "{name}: {}",
                String::from_utf8_lossy(&a.body)
            );
            if encrypted {
                v3::verify_encrypted_answer(a.status, &a.headers(), &a.body, &alipay_key, sn, &aes)
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
            } else {
                a.verified(&alipay_key, sn)
                    .unwrap_or_else(|e| panic!("{name}: {e}"));
            }
            let seen = gw.requests().pop().unwrap();
            assert!(seen.signature_verified, "{name}");
        } else {
            // The Node SDK signed another target than it sent: no gateway can accept it.
            let (status, code, _) = a.api_error(&alipay_key, sn);
            assert_eq!(
                (status, code.as_str()),
                (401, "invalid-signature"),
                "{name}"
            );
        }
        replayed += 1;
    }
    assert_eq!(replayed, 14);
    let upload = plain
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v3/alipay/open/file/upload")
        .count();
    assert_eq!(upload, 2);
}

// ---- The runtime's typed client over v3, against the gateway ----

/// `alipay.trade.query` as generated code declares it, with its v3 route.
struct TradeQuery(&'static str);

#[derive(Debug, serde::Deserialize)]
struct TradeQueryResponse {
    trade_status: Option<String>,
    total_amount: Option<String>,
}

json_method!(
    TradeQuery => TradeQueryResponse,
    METHODS[0],
    |query| json!({ "out_trade_no": query.0 })
);

/// A method with a path parameter and a query parameter.
struct ActivityQuery;

#[derive(Debug, serde::Deserialize)]
struct Empty {}

json_method!(
    ActivityQuery => Empty,
    METHODS[5],
    |_| json!({ "activity_id": "活动 1/2", "merchant_id": "M&9" })
);

#[tokio::test]
async fn the_runtime_client_calls_the_gateway_over_v3() {
    let gw = gateway().await;
    let client = |aes: bool| {
        let mut b = key_client(&gw, throwaway()).protocol(alipay_runtime::Protocol::V3);
        if aes {
            b = b.encrypt_key(EncryptKey::from_base64(AES_KEY).unwrap());
        }
        b.build().unwrap()
    };
    let order = client(false)
        .app_order_string(&AppPay("V3-CLIENT-1"))
        .unwrap();
    gw.pay_order_string(&order).expect("paid");
    for aes in [false, true] {
        let paid = client(aes)
            .execute(&TradeQuery("V3-CLIENT-1"))
            .await
            .expect("verified");
        assert_eq!(paid.trade_status.as_deref(), Some("TRADE_SUCCESS"));
        assert_eq!(paid.total_amount.as_deref(), Some("9.99"));
        let seen = gw.requests().pop().unwrap();
        assert_eq!(
            (seen.path.as_str(), seen.signature_verified),
            ("/v3/alipay/trade/query", true)
        );
        assert_eq!(seen.decrypted_biz_content.is_some(), aes);
    }
    let missing = client(false).execute(&TradeQuery("NO-SUCH-TRADE")).await;
    let shown = missing.expect_err("no such trade").to_string();
    assert!(shown.contains("ACQ.TRADE_NOT_EXIST"), "{shown}");
    client(false)
        .execute(&ActivityQuery)
        .await
        .expect("verified");
    let seen = gw.requests().pop().unwrap();
    assert_eq!(seen.param("activity_id"), Some("活动 1/2"));
    assert_eq!(seen.param("merchant_id"), Some("M&9"));
}

/// `alipay.data.dataservice.bill.downloadurl.query`: a GET whose fields are query parameters.
struct BillQuery;

#[derive(Debug, serde::Deserialize)]
struct BillQueryResponse {
    bill_download_url: Option<String>,
}

json_method!(
    BillQuery => BillQueryResponse,
    METHODS[2],
    |_| json!({ "bill_type": "trade", "bill_date": "2024-07-30" })
);

/// `alipay.open.file.upload`: a multipart body, its JSON in the signed `data` part.
struct FileUpload(Vec<u8>);

#[derive(Debug, serde::Deserialize)]
struct FileUploadResponse {
    file_id: Option<String>,
}

impl Method for FileUpload {
    const METHOD: &'static str = METHODS[4].method;
    const RESPONSE_NODE: &'static str = METHODS[4].response_node;
    const ROUTE: Option<Route> = METHODS[4].route;
    type Response = FileUploadResponse;
    type BizError = DynBizCode;

    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }

    fn to_parts(&self) -> Result<RequestParts, ValidationError> {
        let mut parts = RequestParts::biz_content_of(&json!({ "biz_code": "openpt_appstore" }))?;
        parts.text("extra", &r#"{"k":"值 & <v>"}"#);
        let file = alipay_runtime::FileUpload::from_bytes("hello.txt", self.0.clone());
        parts.file("file_content", &file)?;
        Ok(parts)
    }
}

#[tokio::test]
async fn the_runtime_client_over_v3_in_certificate_mode() {
    let cs = certs();
    let keys = ThrowawayKeys {
        app: cs.app.key.clone(),
        alipay: cs.alipay.key.clone(),
    };
    let gw = LocalGateway::builder(METHODS, keys.gateway_keys().unwrap())
        .cert_mode(GatewayCertMode::from_throwaway(cs).unwrap())
        .start()
        .await
        .unwrap();
    let client = Client::builder()
        .gateway(gw.url())
        .app_id(APP_ID)
        .private_key(keys.app_private_key().unwrap())
        .app_cert(AppCert::from_pem(cs.app.cert_pem.as_bytes()).unwrap())
        .alipay_cert(AlipayCert::from_pem(cs.alipay.cert_pem.as_bytes()).unwrap())
        .alipay_root_cert(RootBundle::from_pem(cs.root_bundle_pem.as_bytes()).unwrap())
        .protocol(alipay_runtime::Protocol::V3)
        .build()
        .unwrap();
    let order = client.app_order_string(&AppPay("V3-CERT-1")).unwrap();
    gw.pay_order_string(&order).expect("paid");

    // A JSON body, a GET with query parameters, a path parameter, an upload: each verified by
    // the certificate the answer names in `alipay-sn`.
    let paid = client
        .execute(&TradeQuery("V3-CERT-1"))
        .await
        .expect("verified");
    assert_eq!(paid.trade_status.as_deref(), Some("TRADE_SUCCESS"));
    let bill = client.execute(&BillQuery).await.expect("verified");
    assert!(bill.bill_download_url.is_some());
    let seen = gw.requests().pop().unwrap();
    assert_eq!(seen.param("bill_date"), Some("2024-07-30"));
    client.execute(&ActivityQuery).await.expect("verified");
    let content = b"hello \xe6\x94\xaf\r\n--not-a-boundary\r\n\x00\xff".to_vec();
    let uploaded = client
        .execute(&FileUpload(content.clone()))
        .await
        .expect("verified");
    assert_eq!(uploaded.file_id.as_deref(), Some("F1"));
    let seen = gw.requests().pop().unwrap();
    assert!(seen.signature_verified);
    let file = seen.file("file_content").expect("the file part");
    assert_eq!(file.size, content.len() as u64);
    assert_eq!(seen.biz_content().unwrap()["extra"]["k"], "值 & <v>");

    // Alipay rotates its certificate: the next v3 answer names a new `alipay-sn`, which the
    // client fetches (over v2), checks against the roots, and then trusts.
    let rotated = cs.issue_alipay_cert().expect("new cert");
    let new_sn = gw.rotate_alipay_cert(&rotated).expect("rotate");
    let again = client
        .execute(&TradeQuery("V3-CERT-1"))
        .await
        .expect("verified after rotation");
    assert_eq!(again.trade_status.as_deref(), Some("TRADE_SUCCESS"));
    let last = gw.requests();
    assert!(
        last.iter()
            .any(|r| r.method.as_deref() == Some(alipay_runtime::client::CERT_DOWNLOAD_METHOD)),
        "the rotated certificate was fetched"
    );
    assert_eq!(gw.alipay_cert_sn().as_deref(), Some(new_sn.as_str()));
}
