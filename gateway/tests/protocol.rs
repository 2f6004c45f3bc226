//! The gateway's protocol over real HTTP on 127.0.0.1, with a hand-written method (the
//! generated ones are tested from the root crate's `tests/`).

use std::sync::OnceLock;
use std::time::Duration;

use alipay_gateway::{LocalGateway, Scenario, ScenarioFile, ThrowawayKeys};
use alipay_runtime::validate::{self, Rule, ValidationError};
use alipay_runtime::{
    Charset, Client, DynBizCode, Error, ErrorDoc, GatewayCode, Method, MethodDescriptor,
    PreparedRequest, PublicSubCode, RequestParts, RequestSent, SignType, SignatureError,
};
use serde::Deserialize;
use serde_json::{Value, json};

const ERRORS: &[ErrorDoc] = &[ErrorDoc {
    code: "VALIDATECODE_EXPIRED",
    description: "校验码超时",
    solution: "校验码超时,商户可重新发起一次鉴权申请",
}];

static METHODS: &[MethodDescriptor] = &[MethodDescriptor {
    method: "alipay.test.echo",
    title: "测试",
    group: "test",
    response_node: "alipay_test_echo_response",
    call_style: alipay_runtime::CallStyle::Server,
    errors: ERRORS,
    example_response: Some(
        "{\n\t\"sign\":\"ERITJK\",\n\t\"alipay_test_echo_response\":{\n\t\t\"msg\":\"Success\",\n\t\t\"code\":\"10000\",\n\t\t\"owner\":\"王龙海\"\n\t}\n}",
    ),
    validate_request: validate_echo,
}];

fn validate_echo(biz: Option<&Value>, _form: &[(String, String)]) -> Result<(), ValidationError> {
    let no = biz
        .and_then(|b| b.get("no"))
        .and_then(Value::as_str)
        .ok_or_else(|| ValidationError::new("no", Rule::Required))?;
    validate::non_empty("no", no)?;
    validate::max_length("no", no, 8)
}

/// A request that skips the client-side checks, so the gateway's own can be seen.
struct Echo {
    no: String,
}

#[derive(Debug, Deserialize)]
struct EchoResponse {
    owner: Option<String>,
}

impl Method for Echo {
    const METHOD: &'static str = "alipay.test.echo";
    const RESPONSE_NODE: &'static str = "alipay_test_echo_response";
    type Response = EchoResponse;
    type BizError = DynBizCode;

    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }

    fn to_parts(&self) -> Result<RequestParts, ValidationError> {
        Ok(RequestParts {
            biz_content: Some(json!({ "no": self.no }).to_string()),
            form: Vec::new(),
            files: Vec::new(),
        })
    }
}

fn keys() -> &'static ThrowawayKeys {
    static KEYS: OnceLock<ThrowawayKeys> = OnceLock::new();
    KEYS.get_or_init(|| ThrowawayKeys::generate().expect("keygen"))
}

async fn gateway() -> LocalGateway {
    LocalGateway::builder(METHODS, keys().gateway_keys().expect("keys"))
        .start()
        .await
        .expect("start")
}

fn client(gw: &LocalGateway, sign_type: SignType, charset: Charset) -> Client {
    Client::builder()
        .gateway(gw.url())
        .app_id("2014072300007148")
        .private_key(keys().app_private_key().expect("app key"))
        .alipay_public_key(keys().alipay_public_key().expect("alipay key"))
        .sign_type(sign_type)
        .charset(charset)
        .timeout(Duration::from_millis(2000))
        .build()
        .expect("client")
}

#[tokio::test]
async fn success_in_every_charset_and_sign_type() {
    let gw = gateway().await;
    for charset in [Charset::Utf8, Charset::Gbk, Charset::Gb2312] {
        for sign_type in [SignType::Rsa2, SignType::Rsa] {
            let c = client(&gw, sign_type, charset);
            let answer = c
                .execute(&Echo { no: "王1".into() })
                .await
                .unwrap_or_else(|e| panic!("{charset} {sign_type}: {e}"));
            assert_eq!(answer.owner.as_deref(), Some("王龙海"));
            let last = gw.requests().pop().expect("recorded");
            assert!(last.signature_verified);
            assert_eq!(last.charset, charset.as_str());
            assert_eq!(last.biz_content(), Some(json!({"no": "王1"})));
            assert_eq!(last.answer.code.as_deref(), Some("10000"));
        }
    }
    assert_eq!(gw.request_count(), 6);
}

#[tokio::test]
async fn business_error_from_the_table() {
    let gw = gateway().await;
    gw.set_scenario(
        "alipay.test.echo",
        Scenario::business_error("VALIDATECODE_EXPIRED"),
    )
    .expect("documented code");
    let err = client(&gw, SignType::Rsa2, Charset::Gbk)
        .execute(&Echo { no: "1".into() })
        .await
        .expect_err("business error");
    let Error::Business(b) = err else {
        panic!("expected a business error, got {err:?}")
    };
    assert_eq!(b.code, "40004");
    assert_eq!(b.sub_code.code, "VALIDATECODE_EXPIRED");
    assert_eq!(b.sub_msg, "校验码超时");
    assert!(
        gw.set_scenario("alipay.test.echo", Scenario::business_error("NOPE"))
            .is_err()
    );
    assert!(gw.set_scenario("alipay.nope", Scenario::Success).is_err());
}

#[tokio::test]
async fn biz_content_breaking_the_spec_is_refused_with_the_field_named() {
    let gw = gateway().await;
    let err = client(&gw, SignType::Rsa2, Charset::Utf8)
        .execute(&Echo {
            no: "123456789".into(),
        })
        .await
        .expect_err("too long");
    let Error::Gateway(g) = err else {
        panic!("expected a gateway error, got {err:?}")
    };
    assert_eq!(*g.code(), GatewayCode::InvalidArguments);
    assert_eq!(
        *g.sub_code(),
        PublicSubCode::from_code("isv.invalid-parameter")
    );
    assert!(g.sub_msg().contains("`no`"), "{}", g.sub_msg());
    let last = gw.requests().pop().expect("recorded");
    assert!(last.signature_verified);
    assert_eq!(
        last.answer.node.as_deref(),
        Some("alipay_test_echo_response")
    );
}

#[tokio::test]
async fn faults_are_rejected_by_the_client() {
    let gw = gateway().await;
    let c = client(&gw, SignType::Rsa2, Charset::Utf8);
    let echo = Echo { no: "1".into() };

    gw.set_scenario("alipay.test.echo", Scenario::AlteredBody)
        .expect("scenario");
    let err = c.execute(&echo).await.expect_err("altered");
    assert!(
        matches!(
            &err,
            Error::Signature(SignatureError::Invalid { node, sign_type: SignType::Rsa2, charset: Charset::Utf8 })
                if node == "alipay_test_echo_response"
        ),
        "{err:?}"
    );

    gw.set_scenario("alipay.test.echo", Scenario::MissingSign)
        .expect("scenario");
    let err = c.execute(&echo).await.expect_err("unsigned");
    assert!(
        matches!(err, Error::Signature(SignatureError::Missing)),
        "{err:?}"
    );

    gw.set_scenario("alipay.test.echo", Scenario::Http500)
        .expect("scenario");
    let err = c.execute(&echo).await.expect_err("500");
    assert!(
        matches!(&err, Error::HttpStatus(h) if h.status() == 500),
        "{err:?}"
    );

    gw.set_scenario("alipay.test.echo", Scenario::Success.delayed(600))
        .expect("scenario");
    let quick = Client::builder()
        .gateway(gw.url())
        .app_id("2014072300007148")
        .private_key(keys().app_private_key().expect("app key"))
        .alipay_public_key(keys().alipay_public_key().expect("alipay key"))
        .timeout(Duration::from_millis(100))
        .build()
        .expect("client");
    let err = quick.execute(&echo).await.expect_err("timeout");
    assert!(
        matches!(
            &err,
            Error::Transport(t) if t.kind() == alipay_runtime::TransportKind::Timeout
                && t.sent() == RequestSent::MaybeSent
        ),
        "{err:?}"
    );

    gw.set_scenario("alipay.test.echo", Scenario::service_unavailable())
        .expect("scenario");
    let err = c.execute(&echo).await.expect_err("20000");
    let Error::Gateway(g) = err else {
        panic!("expected a gateway error, got {err:?}")
    };
    assert_eq!(*g.code(), GatewayCode::ServiceUnavailable);

    gw.clear_scenarios();
    c.execute(&echo).await.expect("success again");
}

#[tokio::test]
async fn scenario_file_applies_at_start() {
    let file = ScenarioFile::from_toml(
        "[methods.\"alipay.test.echo\"]\nanswer = \"business_error\"\nsub_code = \"VALIDATECODE_EXPIRED\"\n",
    )
    .expect("file");
    let gw = LocalGateway::builder(METHODS, keys().gateway_keys().expect("keys"))
        .scenarios(file)
        .start()
        .await
        .expect("start");
    let err = client(&gw, SignType::Rsa, Charset::Utf8)
        .execute(&Echo { no: "1".into() })
        .await
        .expect_err("business");
    assert!(matches!(err, Error::Business(_)), "{err:?}");

    let unknown =
        ScenarioFile::from_toml("[methods.\"alipay.x\"]\nanswer = \"success\"\n").expect("parses");
    let refused = LocalGateway::builder(METHODS, keys().gateway_keys().expect("keys"))
        .scenarios(unknown)
        .start()
        .await;
    assert!(refused.is_err());
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
    let response = reqwest::Client::new()
        .post(format!("{base}?{query}"))
        .header("content-type", &prepared.content_type)
        .body(prepared.body.clone())
        .send()
        .await
        .expect("send");
    assert_eq!(gw.addr().ip().to_string(), "127.0.0.1");
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("json");
    (status, body)
}

#[tokio::test]
async fn public_parameter_and_signature_errors_under_error_response() {
    let gw = gateway().await;
    let c = client(&gw, SignType::Rsa2, Charset::Utf8);
    let prepared = c.prepare(&Echo { no: "1".into() }).expect("prepare");

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

    let replace = |name: &'static str, value: &'static str| {
        move |pairs: Vec<(String, String)>| {
            pairs
                .into_iter()
                .map(|(k, v)| {
                    if k == name {
                        (k, value.to_owned())
                    } else {
                        (k, v)
                    }
                })
                .collect::<Vec<_>>()
        }
    };
    for (name, value, sub_code) in [
        ("method", "alipay.nope", "isv.invalid-method"),
        ("sign_type", "HMAC", "isv.invalid-signature-type"),
        ("timestamp", "yesterday", "isv.invalid-timestamp"),
        ("charset", "latin1", "isv.invalid-charset"),
        ("format", "xml", "isv.invalid-format"),
        ("app_id", "2014072300009999", "isv.invalid-signature"),
    ] {
        let (_, body) = send_edited(&gw, &prepared, replace(name, value)).await;
        let node = &body["error_response"];
        assert_eq!(node["code"], "40002", "{name}: {body}");
        assert_eq!(node["sub_code"], sub_code, "{name}: {body}");
    }

    let log = gw.requests();
    assert_eq!(log.len(), 12);
    assert!(log.iter().all(|r| !r.signature_verified));
    assert!(
        log.iter()
            .all(|r| r.answer.node.as_deref() == Some("error_response"))
    );
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
    let err = wrong
        .execute(&Echo { no: "1".into() })
        .await
        .expect_err("refused");
    let Error::Gateway(g) = err else {
        panic!("expected a gateway error, got {err:?}")
    };
    assert_eq!(
        *g.sub_code(),
        PublicSubCode::from_code("isv.invalid-signature")
    );
    assert!(g.sub_msg().contains("app_id=2014072300007148&biz_content="));
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
    let r = http
        .post(gw.url())
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 415);
    // An upload whose multipart body does not parse.
    let r = http
        .post(gw.url())
        .header("content-type", "multipart/form-data; boundary=x")
        .body("--x\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\ncut off")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status().as_u16(), 400);
    assert!(
        r.text()
            .await
            .unwrap()
            .starts_with("malformed multipart body")
    );
    // None of these is a gateway request: nothing is logged.
    assert_eq!(gw.request_count(), 0);
}

#[tokio::test]
async fn get_requests_and_the_query_alone_work_too() {
    let gw = gateway().await;
    let c = client(&gw, SignType::Rsa2, Charset::Utf8);
    let prepared = c.prepare(&Echo { no: "1".into() }).expect("prepare");
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
    let prepared = c.prepare(&Echo { no: "王".into() }).expect("prepare");
    let http = reqwest::Client::new();

    // biz_content both in the query and in the body: which one was signed is ambiguous.
    let body = String::from_utf8(prepared.body.clone()).expect("ascii");
    let r = http
        .post(format!("{}&{body}", prepared.url))
        .header("content-type", &prepared.content_type)
        .body(prepared.body.clone())
        .send()
        .await
        .expect("send");
    let answer = gbk_json(&r.bytes().await.expect("body"));
    assert_eq!(
        answer["error_response"]["sub_code"],
        "isv.invalid-parameter"
    );

    // A lone GBK lead byte is not GBK.
    let r = http
        .post(&prepared.url)
        .header("content-type", &prepared.content_type)
        .body("biz_content=%81")
        .send()
        .await
        .expect("send");
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
        .execute(&Echo { no: "1".into() })
        .await
        .expect_err("other app id");
    let Error::Gateway(g) = err else {
        panic!("expected a gateway error, got {err:?}")
    };
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
