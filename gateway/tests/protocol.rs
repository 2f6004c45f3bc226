//! The gateway's protocol over real HTTP on 127.0.0.1, with a hand-written method (the
//! generated ones are tested from the root crate's `tests/`).

use std::sync::OnceLock;
use std::time::Duration;

use alipay_gateway::{LocalGateway, Scenario, ScenarioFile, ThrowawayKeys};
use alipay_runtime::validate::{self, Rule, ValidationError};
use alipay_runtime::{
    Charset, Client, ClientBuilder, Error, ErrorDoc, GatewayCode, GatewayError, MethodDescriptor,
    PublicSubCode, RequestSent, SignType, SignatureError,
};
use serde::Deserialize;
use serde_json::{Value, json};

pub(crate) const ERRORS: &[ErrorDoc] = &[ErrorDoc {
    code: "VALIDATECODE_EXPIRED",
    description: "校验码超时",
    solution: "校验码超时,商户可重新发起一次鉴权申请",
}];

pub(crate) static METHODS: &[MethodDescriptor] = &[echo_method(
    ERRORS,
    Some(
        "{\n\t\"sign\":\"ERITJK\",\n\t\"alipay_test_echo_response\":{\n\t\t\"msg\":\"Success\",\n\t\t\"code\":\"10000\",\n\t\t\"owner\":\"王龙海\"\n\t}\n}",
    ),
    validate_echo,
)];

/// A descriptor's request check (its `validate_request`).
pub(crate) type RequestCheck =
    fn(Option<&Value>, &[(String, String)]) -> Result<(), ValidationError>;

/// `alipay.test.echo` (this file's, `modes.rs`'s and `bounds.rs`'s method) with the errors,
/// example answer and request check given.
pub(crate) const fn echo_method(
    errors: &'static [ErrorDoc],
    example_response: Option<&'static str>,
    validate_request: RequestCheck,
) -> MethodDescriptor {
    MethodDescriptor {
        method: "alipay.test.echo",
        title: "测试",
        group: "test",
        response_node: "alipay_test_echo_response",
        call_style: alipay_runtime::CallStyle::Server,
        errors,
        example_response,
        route: None,
        validate_request,
    }
}

pub(crate) fn validate_echo(
    biz: Option<&Value>,
    _form: &[(String, String)],
) -> Result<(), ValidationError> {
    let no = biz
        .and_then(|b| b.get("no"))
        .and_then(Value::as_str)
        .ok_or_else(|| ValidationError::new("no", Rule::Required))?;
    validate::non_empty("no", no)?;
    validate::max_length("no", no, 8)
}

/// A request that skips the client-side checks, so the gateway's own can be seen.
pub(crate) struct Echo {
    pub(crate) no: String,
}

impl Echo {
    /// An echo of `no` (this file's and `modes.rs`'s method).
    pub(crate) fn new(no: &str) -> Self {
        Echo { no: no.to_owned() }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct EchoResponse {
    pub(crate) owner: Option<String>,
}

json_method!(
    Echo => EchoResponse,
    METHODS[0],
    |echo| json!({ "no": echo.no })
);

/// The gateway error `err` is; panics on any other error.
pub(crate) fn gateway_error<E: alipay_runtime::BizErrorCode>(err: Error<E>) -> GatewayError {
    let Error::Gateway(g) = err else {
        panic!("expected a gateway error, got {err:?}")
    };
    g
}

pub(crate) fn keys() -> &'static ThrowawayKeys {
    static KEYS: OnceLock<ThrowawayKeys> = OnceLock::new();
    KEYS.get_or_init(|| ThrowawayKeys::generate().expect("keygen"))
}

pub(crate) async fn gateway() -> LocalGateway {
    LocalGateway::builder(METHODS, keys().gateway_keys().expect("keys"))
        .start()
        .await
        .expect("start")
}

/// A client of `gw` that signs with `keys`' app key and verifies with its Alipay key.
pub(crate) fn key_client(gw: &LocalGateway, keys: &ThrowawayKeys) -> ClientBuilder {
    Client::builder()
        .gateway(gw.url())
        .app_id("2014072300007148")
        .private_key(keys.app_private_key().expect("app key"))
        .alipay_public_key(keys.alipay_public_key().expect("alipay key"))
}

pub(crate) fn client(gw: &LocalGateway, sign_type: SignType, charset: Charset) -> Client {
    key_client(gw, keys())
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
                .execute(&Echo::new("王1"))
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
        .execute(&Echo::new("1"))
        .await
        .expect_err("business error");
    let Error::Business(b) = err else {
        panic!("expected a business error, got {err:?}")
    };
    assert_eq!(b.code(), "40004");
    assert_eq!(b.sub_code().code, "VALIDATECODE_EXPIRED");
    assert_eq!(b.sub_msg(), "校验码超时");
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
        .execute(&Echo::new("123456789"))
        .await
        .expect_err("too long");
    let g = gateway_error(err);
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
    let echo = Echo::new("1");

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
    let quick = key_client(&gw, keys())
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
    let g = gateway_error(c.execute(&echo).await.expect_err("20000"));
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
        .execute(&Echo::new("1"))
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
