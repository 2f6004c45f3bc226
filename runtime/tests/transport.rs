//! The client against a real HTTP/1.1 server on 127.0.0.1, written by hand on tokio's
//! `TcpListener` so every fault (refused, silent, HTML 500, cut-off, slow) is exact.
//!
//! Requests are signed with the test app key and checked by the server with the app public
//! key; answers are signed with the test "alipay" key and verified by the client.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alipay_runtime::charset::Charset;
use alipay_runtime::keys::{PrivateKey, PublicKey};
use alipay_runtime::sign::{SignType, sign_base64};
use alipay_runtime::sign_content::sign_content;
use alipay_runtime::validate::{self, ValidationError};
use alipay_runtime::{
    BizErrorCode, Client, ConfigError, Error, GatewayCode, HttpStatusError, Method, PublicSubCode,
    RequestParts, RequestSent, Rule, SignatureError, TransportError, TransportKind,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const KEYS: &str = "../../shared/vectors/keys";

fn key_path(name: &str) -> String {
    format!("{}/{KEYS}/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn app_private() -> PrivateKey {
    PrivateKey::from_file(key_path("app_private_pkcs1.pem")).expect("app private key")
}
fn app_public() -> PublicKey {
    PublicKey::from_file(key_path("app_public.pem")).expect("app public key")
}
fn alipay_private() -> PrivateKey {
    PrivateKey::from_file(key_path("alipay_private_pkcs1.pem")).expect("alipay private key")
}
fn alipay_public() -> PublicKey {
    PublicKey::from_file(key_path("alipay_public.pem")).expect("alipay public key")
}

// ---------------------------------------------------------------------------------------
// A tiny hand-written method, as generated code would write it.

const METHOD: &str = "alipay.test.agreement.confirm";
const NODE: &str = "alipay_test_agreement_confirm_response";

#[derive(Debug)]
struct Confirm {
    auth_code: String,
    remark: Option<String>,
    /// An `in: form` parameter, sent as its own form field.
    channel: Option<String>,
}

impl Confirm {
    fn new(auth_code: &str) -> Self {
        Self {
            auth_code: auth_code.to_owned(),
            remark: None,
            channel: None,
        }
    }
}

#[derive(Debug, serde::Deserialize, PartialEq)]
struct ConfirmResponse {
    code: String,
    msg: String,
    agreement_no: Option<String>,
    remark: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum ConfirmError {
    ValidatecodeExpired,
    Unknown(String),
}

impl From<&str> for ConfirmError {
    fn from(code: &str) -> Self {
        match code {
            "VALIDATECODE_EXPIRED" => ConfirmError::ValidatecodeExpired,
            other => ConfirmError::Unknown(other.to_owned()),
        }
    }
}

impl BizErrorCode for ConfirmError {
    fn as_str(&self) -> &str {
        match self {
            ConfirmError::ValidatecodeExpired => "VALIDATECODE_EXPIRED",
            ConfirmError::Unknown(code) => code,
        }
    }
    fn description(&self) -> Option<&'static str> {
        match self {
            ConfirmError::ValidatecodeExpired => Some("校验码超时"),
            ConfirmError::Unknown(_) => None,
        }
    }
    fn solution(&self) -> Option<&'static str> {
        match self {
            ConfirmError::ValidatecodeExpired => Some("校验码超时,商户可重新发起一次鉴权申请"),
            ConfirmError::Unknown(_) => None,
        }
    }
}

impl Method for Confirm {
    const METHOD: &'static str = METHOD;
    const RESPONSE_NODE: &'static str = NODE;
    type Response = ConfirmResponse;
    type BizError = ConfirmError;

    fn validate(&self) -> Result<(), ValidationError> {
        validate::non_empty("auth_code", &self.auth_code)?;
        validate::max_length("auth_code", &self.auth_code, 16)
    }

    fn to_parts(&self) -> Result<RequestParts, ValidationError> {
        let mut biz = serde_json::Map::new();
        biz.insert("auth_code".into(), self.auth_code.clone().into());
        if let Some(remark) = &self.remark {
            biz.insert("remark".into(), remark.clone().into());
        }
        Ok(RequestParts {
            biz_content: Some(serde_json::Value::Object(biz).to_string()),
            form: self
                .channel
                .iter()
                .map(|c| ("channel", c.clone()))
                .collect(),
            files: Vec::new(),
        })
    }
}

// ---------------------------------------------------------------------------------------
// The server.

/// One request as the server received it.
#[derive(Debug, Clone)]
struct Received {
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Query and form parameters, percent-decoded to bytes and then decoded in `charset`.
    fn params(&self, charset: Charset) -> Vec<(String, String)> {
        let query = self.target.split_once('?').map_or("", |(_, q)| q);
        alipay_runtime::form::decode(query.as_bytes())
            .into_iter()
            .chain(alipay_runtime::form::decode(&self.body))
            .map(|(k, v)| {
                let k = charset.decode(&k).expect("key").into_owned();
                let v = charset.decode(&v).expect("value").into_owned();
                (k, v)
            })
            .collect()
    }

    fn param(&self, charset: Charset, name: &str) -> Option<String> {
        self.params(charset)
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// Checks the request signature as the gateway does, with the app public key.
    fn verify_signature(&self, charset: Charset, sign_type: SignType) -> bool {
        let params = self.params(charset);
        let sign = params
            .iter()
            .find(|(k, _)| k == "sign")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let content = sign_content(params.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let bytes = charset.encode(&content).expect("encodable");
        app_public().verify(sign_type, &bytes, &sign).is_ok()
    }
}

/// What the server does with one connection, step by step.
#[derive(Clone)]
enum Step {
    Write(Vec<u8>),
    Sleep(Duration),
}

type Script = Arc<dyn Fn(&Received) -> Vec<Step> + Send + Sync>;

struct Server {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Server {
    async fn start(script: impl Fn(&Received) -> Vec<Step> + Send + Sync + 'static) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let received = Arc::new(Mutex::new(Vec::new()));
        let script: Script = Arc::new(script);
        let log = received.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let script = script.clone();
                let log = log.clone();
                tokio::spawn(async move {
                    let _ = serve(stream, script, log).await;
                });
            }
        });
        Server { addr, received }
    }

    fn url(&self) -> String {
        format!("http://{}/gateway.do", self.addr)
    }

    fn requests(&self) -> Vec<Received> {
        self.received.lock().expect("log").clone()
    }
}

async fn serve(
    mut stream: TcpStream,
    script: Script,
    log: Arc<Mutex<Vec<Received>>>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let target = request_line
        .split(' ')
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    assert!(request_line.starts_with("POST "), "{request_line}");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + len {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let received = Received {
        target,
        headers,
        body: buf[head_end..].to_vec(),
    };
    log.lock().expect("log").push(received.clone());
    for step in script(&received) {
        match step {
            Step::Write(bytes) => {
                stream.write_all(&bytes).await?;
                stream.flush().await?;
            }
            Step::Sleep(d) => tokio::time::sleep(d).await,
        }
    }
    stream.shutdown().await
}

fn http_head(status: &str, content_type: &str, content_length: usize) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {content_length}\r\nConnection: close\r\n\r\n"
    )
    .into_bytes()
}

fn reply(status: &str, content_type: &str, body: &[u8]) -> Vec<Step> {
    let mut bytes = http_head(status, content_type, body.len());
    bytes.extend_from_slice(body);
    vec![Step::Write(bytes)]
}

/// A gateway answer with `node_text` under `node`, signed by the "alipay" key over the
/// node text encoded in `charset`, the whole body encoded in `charset`.
fn signed_body(node: &str, node_text: &str, charset: Charset, sign_type: SignType) -> Vec<u8> {
    let bytes = charset.encode(node_text).expect("encodable");
    let sign = sign_base64(&alipay_private(), sign_type, &bytes).expect("sign");
    let text = format!("{{\"{node}\":{node_text},\"sign\":\"{sign}\"}}");
    charset.encode(&text).expect("encodable").into_owned()
}

fn json_reply(body: Vec<u8>, charset: Charset) -> Vec<Step> {
    reply(
        "200 OK",
        &format!("text/html;charset={}", charset.as_str()),
        &body,
    )
}

fn client_for(server: &Server) -> alipay_runtime::ClientBuilder {
    Client::builder()
        .gateway(server.url())
        .app_id("2014072300007148")
        .private_key(app_private())
        .alipay_public_key(alipay_public())
        .timeout(Duration::from_secs(5))
}

const SUCCESS_NODE: &str =
    r#"{"code":"10000","msg":"Success","agreement_no":"20170322450983769228","remark":"ok"}"#;

// ---------------------------------------------------------------------------------------
// Transport faults.

#[tokio::test]
async fn connection_refused_never_reached_the_gateway() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let client = Client::builder()
        .gateway(format!("http://{addr}/gateway.do"))
        .app_id("2014072300007148")
        .private_key(app_private())
        .alipay_public_key(alipay_public())
        .retry_connect_failures(2)
        .build()
        .expect("client");
    let err = client.execute(&Confirm::new("123")).await.unwrap_err();
    match &err {
        Error::Transport(TransportError {
            kind: TransportKind::Connect,
            sent: RequestSent::NotSent,
            ..
        }) => {}
        other => panic!("expected a connect failure, got {other:?}"),
    }
    assert_eq!(err.request_sent(), RequestSent::NotSent);
    let text = err.to_string();
    assert!(text.contains("could not connect"), "{text}");
    assert!(!text.contains("sign="), "the URL leaked into {text}");
}

#[tokio::test]
async fn opt_in_connect_retry_reaches_a_gateway_that_comes_up_late() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let url = format!("http://{addr}/gateway.do");
    let build = |retries| {
        Client::builder()
            .gateway(url.clone())
            .app_id("2014072300007148")
            .private_key(app_private())
            .alipay_public_key(alipay_public())
            .retry_connect_failures(retries)
            .build()
            .expect("client")
    };
    // Without retries the first refusal is final.
    let err = build(0).execute(&Confirm::new("1")).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport(TransportError {
                kind: TransportKind::Connect,
                ..
            })
        ),
        "{err:?}"
    );

    // The gateway starts listening 150 ms later; retries (100 ms, 200 ms, ...) find it.
    let client = build(4);
    let late = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let listener = TcpListener::bind(addr).await.expect("rebind the same port");
        let (stream, _) = listener.accept().await.expect("accept");
        let log = Arc::new(Mutex::new(Vec::new()));
        let script: Script = Arc::new(|_: &Received| {
            json_reply(
                signed_body(NODE, SUCCESS_NODE, Charset::Utf8, SignType::Rsa2),
                Charset::Utf8,
            )
        });
        serve(stream, script, log.clone()).await.expect("serve");
        log.lock().expect("log").len()
    });
    let response = client
        .execute(&Confirm::new("1"))
        .await
        .expect("success after retries");
    assert_eq!(response.code, "10000");
    assert_eq!(late.await.expect("server task"), 1);
}

#[tokio::test]
async fn tls_handshake_failure_is_named_and_never_reached_the_gateway() {
    // A plain-HTTP server where the client expects TLS: it answers the ClientHello with
    // HTTP text, which no TLS stack accepts.
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let _ = stream
                .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                .await;
            let _ = stream.shutdown().await;
        }
    });
    let client = Client::builder()
        .gateway(format!("https://{addr}/gateway.do"))
        .app_id("2014072300007148")
        .private_key(app_private())
        .alipay_public_key(alipay_public())
        .build()
        .expect("client");
    let err = client.execute(&Confirm::new("1")).await.unwrap_err();
    match &err {
        Error::Transport(TransportError {
            kind: TransportKind::Tls,
            sent: RequestSent::NotSent,
            ..
        }) => {}
        other => panic!("expected a TLS failure, got {other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with("the TLS handshake with the gateway failed"),
        "{err}"
    );
}

#[tokio::test]
async fn silent_gateway_times_out_and_may_have_been_reached() {
    let server = Server::start(|_| vec![Step::Sleep(Duration::from_secs(10))]).await;
    let client = client_for(&server)
        .timeout(Duration::from_millis(300))
        .retry_connect_failures(3)
        .build()
        .expect("client");
    let started = std::time::Instant::now();
    let err = client.execute(&Confirm::new("123")).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3));
    match err {
        Error::Transport(TransportError {
            kind: TransportKind::Timeout,
            sent: RequestSent::MaybeSent,
            ..
        }) => {}
        other => panic!("expected a timeout, got {other:?}"),
    }
    // A request that may have arrived is never resent, even with connect retries on.
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn http_500_with_html_body() {
    let html = "<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n<center><h1>500 Internal Server Error</h1></center>\r\n</body>\r\n</html>\r\n";
    let server =
        Server::start(move |_| reply("500 Internal Server Error", "text/html", html.as_bytes()))
            .await;
    let client = client_for(&server).build().expect("client");
    let err = client.execute(&Confirm::new("123")).await.unwrap_err();
    match &err {
        Error::HttpStatus(HttpStatusError {
            status: 500,
            body_snippet,
        }) => {
            assert!(body_snippet.starts_with("<html> <head><title>500 Internal Server Error"));
            assert!(!body_snippet.contains('\n'));
        }
        other => panic!("expected HTTP 500, got {other:?}"),
    }
    assert!(err.to_string().starts_with("the gateway answered HTTP 500"));
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = Server::start(|_| {
        vec![Step::Write(
            b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/elsewhere\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
        )]
    })
    .await;
    let client = client_for(&server).build().expect("client");
    let err = client.execute(&Confirm::new("123")).await.unwrap_err();
    assert!(
        matches!(err, Error::HttpStatus(HttpStatusError { status: 302, .. })),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn truncated_body_is_a_transport_error_after_the_gateway_was_reached() {
    let server = Server::start(|_| {
        let body = signed_body(NODE, SUCCESS_NODE, Charset::Utf8, SignType::Rsa2);
        let mut bytes = http_head("200 OK", "text/html;charset=utf-8", body.len() + 500);
        bytes.extend_from_slice(&body);
        vec![Step::Write(bytes)]
    })
    .await;
    let client = client_for(&server).build().expect("client");
    let err = client.execute(&Confirm::new("123")).await.unwrap_err();
    match err {
        Error::Transport(TransportError {
            kind: TransportKind::ResponseBody,
            sent: RequestSent::Sent,
            ..
        }) => {}
        other => panic!("expected a cut-off body, got {other:?}"),
    }
}

fn slow_body(pause: Duration) -> impl Fn(&Received) -> Vec<Step> + Send + Sync + 'static {
    move |_| {
        let body = signed_body(NODE, SUCCESS_NODE, Charset::Utf8, SignType::Rsa2);
        let third = body.len() / 3;
        vec![
            Step::Write(http_head("200 OK", "text/html;charset=utf-8", body.len())),
            Step::Write(body[..third].to_vec()),
            Step::Sleep(pause),
            Step::Write(body[third..2 * third].to_vec()),
            Step::Sleep(pause),
            Step::Write(body[2 * third..].to_vec()),
        ]
    }
}

#[tokio::test]
async fn slow_body_within_the_timeout_succeeds() {
    let server = Server::start(slow_body(Duration::from_millis(150))).await;
    let client = client_for(&server)
        .timeout(Duration::from_secs(3))
        .build()
        .expect("client");
    let response = client.execute(&Confirm::new("123")).await.expect("success");
    assert_eq!(
        response.agreement_no.as_deref(),
        Some("20170322450983769228")
    );
}

#[tokio::test]
async fn slow_body_beyond_the_timeout_fails_as_timeout() {
    let server = Server::start(slow_body(Duration::from_millis(400))).await;
    let client = client_for(&server)
        .timeout(Duration::from_millis(500))
        .build()
        .expect("client");
    let err = client.execute(&Confirm::new("123")).await.unwrap_err();
    match err {
        Error::Transport(TransportError {
            kind: TransportKind::Timeout,
            sent: RequestSent::Sent,
            ..
        }) => {}
        other => panic!("expected a timeout while reading, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------
// The protocol with real keys.

/// 2014-07-24 03:07:50 in Beijing.
fn fixed_clock() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_406_142_470)
}

#[tokio::test]
async fn success_is_signed_sent_verified_and_typed() {
    let server = Server::start(|req| {
        if !req.verify_signature(Charset::Utf8, SignType::Rsa2) {
            return reply("400 Bad Request", "text/plain", b"bad request signature");
        }
        json_reply(
            signed_body(NODE, SUCCESS_NODE, Charset::Utf8, SignType::Rsa2),
            Charset::Utf8,
        )
    })
    .await;
    let client = client_for(&server)
        .notify_url("https://merchant.example/notify?a=1&b=2")
        .app_auth_token("201510BB0c409dd5758b4d939d4008a525463X77")
        .clock(fixed_clock)
        .build()
        .expect("client");
    let mut req = Confirm::new("123456");
    req.remark = Some("a b&c=d+e".into());
    req.channel = Some("APP".into());
    let response = client.execute(&req).await.expect("success");
    assert_eq!(
        response,
        ConfirmResponse {
            code: "10000".into(),
            msg: "Success".into(),
            agreement_no: Some("20170322450983769228".into()),
            remark: Some("ok".into()),
        }
    );

    let received = server.requests();
    assert_eq!(received.len(), 1);
    let r = &received[0];
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded;charset=utf-8")
    );
    let query = r.target.split_once('?').map_or("", |(_, q)| q);
    for public in [
        "app_id=2014072300007148",
        &format!("method={METHOD}"),
        "format=JSON",
        "charset=utf-8",
        "sign_type=RSA2",
        "timestamp=2014-07-24+03%3A07%3A50",
        "version=1.0",
        "app_auth_token=201510BB0c409dd5758b4d939d4008a525463X77",
        "notify_url=https%3A%2F%2Fmerchant.example%2Fnotify%3Fa%3D1%26b%3D2",
        "sign=",
    ] {
        assert!(
            query.split('&').any(|p| p.starts_with(public)),
            "{public} missing from {query}"
        );
    }
    assert!(!query.contains("biz_content") && !query.contains("channel"));
    assert!(!query.contains("return_url"), "empty params are never sent");
    let body = std::str::from_utf8(&r.body).expect("ascii");
    assert!(body.contains("channel=APP"), "{body}");
    assert_eq!(
        r.param(Charset::Utf8, "biz_content").as_deref(),
        Some(r#"{"auth_code":"123456","remark":"a b&c=d+e"}"#)
    );
}

#[tokio::test]
async fn verified_business_error_is_typed() {
    let server = Server::start(|_| {
        let node = r#"{"code":"40004","msg":"Business Failed","sub_code":"VALIDATECODE_EXPIRED","sub_msg":"校验码超时"}"#;
        json_reply(
            signed_body(NODE, node, Charset::Utf8, SignType::Rsa2),
            Charset::Utf8,
        )
    })
    .await;
    let client = client_for(&server).build().expect("client");
    let err = client.execute(&Confirm::new("123")).await.unwrap_err();
    let Error::Business(business) = &err else {
        panic!("expected a business error, got {err:?}")
    };
    assert_eq!(business.sub_code, ConfirmError::ValidatecodeExpired);
    assert_eq!(
        err.to_string(),
        "40004 Business Failed: VALIDATECODE_EXPIRED 校验码超时 (solution: 校验码超时,商户可重新发起一次鉴权申请)"
    );
    assert_eq!(err.code(), Some("40004"));
}

#[tokio::test]
async fn verified_gateway_errors_are_typed_with_public_sub_codes() {
    let server = Server::start(|req| {
        if req.param(Charset::Utf8, "biz_content").is_some_and(|b| b.contains("perm")) {
            let node = r#"{"code":"40006","msg":"Insufficient Permissions","sub_code":"isv.insufficient-isv-permissions","sub_msg":"ISV权限不足"}"#;
            json_reply(signed_body(NODE, node, Charset::Utf8, SignType::Rsa2), Charset::Utf8)
        } else {
            let node = r#"{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-app-id","sub_msg":"无效的AppID参数"}"#;
            json_reply(
                signed_body("error_response", node, Charset::Utf8, SignType::Rsa2),
                Charset::Utf8,
            )
        }
    })
    .await;
    let client = client_for(&server).build().expect("client");

    let err = client.execute(&Confirm::new("123")).await.unwrap_err();
    let Error::Gateway(gateway) = &err else {
        panic!("expected a gateway error, got {err:?}")
    };
    assert_eq!(gateway.code, GatewayCode::InvalidArguments);
    assert_eq!(gateway.sub_code, PublicSubCode::InvalidAppId);
    assert!(
        err.to_string()
            .starts_with("40002 Invalid Arguments: isv.invalid-app-id 无效的AppID参数 (solution: "),
        "{err}"
    );

    let err = client.execute(&Confirm::new("perm")).await.unwrap_err();
    let Error::Gateway(gateway) = &err else {
        panic!("expected a gateway error, got {err:?}")
    };
    assert_eq!(gateway.code, GatewayCode::InsufficientPermissions);
    assert_eq!(gateway.sub_code, PublicSubCode::InsufficientIsvPermissions);
}

#[tokio::test]
async fn a_signed_error_response_is_never_a_success_even_with_code_10000() {
    for node in [
        r#"{"code":"10000","msg":"Success"}"#,
        r#"{"msg":"Success"}"#,
    ] {
        let server = Server::start(move |_| {
            json_reply(
                signed_body("error_response", node, Charset::Utf8, SignType::Rsa2),
                Charset::Utf8,
            )
        })
        .await;
        let client = client_for(&server).build().expect("client");
        let err = client
            .execute(&Confirm::new("123"))
            .await
            .expect_err("an error_response node is never a success");
        assert!(
            matches!(err, Error::MalformedBody { .. }),
            "{node}: {err:?}"
        );
    }
}

#[tokio::test]
async fn unsigned_failure_is_an_unverified_answer_not_a_verified_error() {
    let server = Server::start(|_| {
        let body = r#"{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-signature","sub_msg":"验签出错"}}"#;
        json_reply(body.as_bytes().to_vec(), Charset::Utf8)
    })
    .await;
    let client = client_for(&server).build().expect("client");
    let err = client.execute(&Confirm::new("123")).await.unwrap_err();
    match &err {
        Error::UnverifiedGatewayAnswer(answer) => {
            assert_eq!(answer.code, "40002");
            assert_eq!(answer.sub_code.as_deref(), Some("isv.invalid-signature"));
        }
        other => panic!("expected an unverified answer, got {other:?}"),
    }
    assert!(err.to_string().contains("unverified"), "{err}");
}

#[tokio::test]
async fn altered_or_unsigned_success_is_rejected() {
    let server = Server::start(|req| {
        let body = signed_body(NODE, SUCCESS_NODE, Charset::Utf8, SignType::Rsa2);
        let text = String::from_utf8(body).expect("utf-8");
        let biz = req.param(Charset::Utf8, "biz_content").unwrap_or_default();
        let text = if biz.contains("altered") {
            text.replace("20170322450983769228", "20170322450983769229")
        } else if biz.contains("unsigned") {
            format!("{{\"{NODE}\":{SUCCESS_NODE}}}")
        } else {
            // Signed with the app key instead of Alipay's.
            let sign =
                sign_base64(&app_private(), SignType::Rsa2, SUCCESS_NODE.as_bytes()).expect("sign");
            format!("{{\"{NODE}\":{SUCCESS_NODE},\"sign\":\"{sign}\"}}")
        };
        json_reply(text.into_bytes(), Charset::Utf8)
    })
    .await;
    let client = client_for(&server).build().expect("client");
    let invalid = SignatureError::Invalid {
        node: NODE.to_owned(),
        sign_type: SignType::Rsa2,
        charset: Charset::Utf8,
    };
    for (auth_code, expected) in [
        ("altered", invalid.clone()),
        ("unsigned", SignatureError::Missing),
        ("wrongkey", invalid.clone()),
    ] {
        let err = client.execute(&Confirm::new(auth_code)).await.unwrap_err();
        match err {
            Error::Signature(problem) => assert_eq!(problem, expected, "{auth_code}"),
            other => panic!("{auth_code}: expected a signature error, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn gbk_round_trip_with_chinese_text_both_ways() {
    let server = Server::start(|req| {
        if !req.verify_signature(Charset::Gbk, SignType::Rsa2) {
            return reply("400 Bad Request", "text/plain", b"bad request signature");
        }
        let biz = req.param(Charset::Gbk, "biz_content").unwrap_or_default();
        let remark: serde_json::Value = serde_json::from_str(&biz).expect("biz_content JSON");
        let remark = remark["remark"].as_str().unwrap_or_default().to_owned();
        // Echo the remark back, with a character whose GBK trail byte is `\` (0x5C).
        let node = format!(
            r#"{{"code":"10000","msg":"Success","agreement_no":"1","remark":"收到：{remark} 丂"}}"#
        );
        json_reply(
            signed_body(NODE, &node, Charset::Gbk, SignType::Rsa2),
            Charset::Gbk,
        )
    })
    .await;
    let client = client_for(&server)
        .charset(Charset::Gbk)
        .build()
        .expect("client");
    let mut req = Confirm::new("123");
    req.remark = Some("王龙海 校验码超时".into());
    let response = client.execute(&req).await.expect("GBK success");
    assert_eq!(
        response.remark.as_deref(),
        Some("收到：王龙海 校验码超时 丂")
    );

    let received = server.requests();
    let r = &received[0];
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded;charset=GBK")
    );
    // 王龙海 in GBK is cd f5 c1 fa ba a3, percent-encoded byte by byte.
    let body = std::str::from_utf8(&r.body).expect("ascii");
    assert!(body.contains("%CD%F5%C1%FA%BA%A3"), "{body}");
    assert!(r.target.contains("charset=GBK"));
}

#[tokio::test]
async fn gbk_rejects_text_it_cannot_encode_before_sending() {
    let server = Server::start(|_| reply("500 Internal Server Error", "text/plain", b"")).await;
    let client = client_for(&server)
        .charset(Charset::Gbk)
        .build()
        .expect("client");
    let mut req = Confirm::new("123");
    req.remark = Some("emoji 😀".into());
    let err = client.execute(&req).await.unwrap_err();
    match err {
        Error::InvalidRequest(v) => {
            assert_eq!(v.field, "biz_content");
            assert!(matches!(v.rule, Rule::Unsupported(_)));
        }
        other => panic!("expected an invalid request, got {other:?}"),
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn invalid_request_sends_nothing() {
    let server = Server::start(|_| reply("500 Internal Server Error", "text/plain", b"")).await;
    let client = client_for(&server).build().expect("client");
    let err = client.execute(&Confirm::new("")).await.unwrap_err();
    let Error::InvalidRequest(v) = &err else {
        panic!("expected an invalid request, got {err:?}")
    };
    assert_eq!(v.field, "auth_code");
    assert_eq!(v.rule, Rule::Required);
    assert_eq!(
        err.to_string(),
        "invalid request, nothing was sent: field `auth_code` is required"
    );
    let err = client
        .execute(&Confirm::new("12345678901234567"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn rsa_sign_type_both_ways() {
    let server = Server::start(|req| {
        if !req.verify_signature(Charset::Utf8, SignType::Rsa) {
            return reply("400 Bad Request", "text/plain", b"bad request signature");
        }
        json_reply(
            signed_body(NODE, SUCCESS_NODE, Charset::Utf8, SignType::Rsa),
            Charset::Utf8,
        )
    })
    .await;
    let client = client_for(&server)
        .sign_type(SignType::Rsa)
        .build()
        .expect("client");
    let response = client.execute(&Confirm::new("1")).await.expect("success");
    assert_eq!(response.code, "10000");
    assert!(server.requests()[0].target.contains("sign_type=RSA&"));
}

// ---------------------------------------------------------------------------------------
// Configuration mistakes named at build time.

#[test]
fn errors_and_calls_cross_threads() {
    fn send_sync<T: Send + Sync + 'static>() {}
    fn send<T: Send>(_: &T) {}
    send_sync::<Error<ConfirmError>>();
    send_sync::<Client>();
    let client = Client::builder()
        .app_id("1")
        .private_key(app_private())
        .alipay_public_key(alipay_public())
        .build()
        .expect("client");
    let req = Confirm::new("1");
    // The call future can be spawned on a multi-threaded runtime.
    send(&client.execute(&req));
}

#[tokio::test]
async fn malformed_and_duplicate_bodies_are_named() {
    let server = Server::start(|req| {
        let biz = req.param(Charset::Utf8, "biz_content").unwrap_or_default();
        let body = if biz.contains("dup") {
            let signed = String::from_utf8(signed_body(
                NODE,
                SUCCESS_NODE,
                Charset::Utf8,
                SignType::Rsa2,
            ))
            .expect("utf-8");
            signed.replacen('{', &format!("{{\"{NODE}\":{{\"code\":\"10000\"}},"), 1)
        } else {
            "<html>maintenance</html>".to_owned()
        };
        json_reply(body.into_bytes(), Charset::Utf8)
    })
    .await;
    let client = client_for(&server).build().expect("client");
    for (auth_code, needle) in [
        ("dup", "appears more than once"),
        ("html", "the gateway's answer is malformed"),
    ] {
        let err = client.execute(&Confirm::new(auth_code)).await.unwrap_err();
        assert!(matches!(err, Error::MalformedBody { .. }), "{err:?}");
        assert!(err.to_string().contains(needle), "{err}");
    }
}

#[test]
fn build_names_the_usual_mistakes() {
    let err = Client::builder()
        .private_key(app_private())
        .alipay_public_key(alipay_public())
        .build()
        .unwrap_err();
    assert!(matches!(err, ConfigError::MissingAppId), "{err:?}");

    let err = Client::builder()
        .app_id("1")
        .alipay_public_key(alipay_public())
        .build()
        .unwrap_err();
    assert!(matches!(err, ConfigError::MissingPrivateKey), "{err:?}");

    let err = Client::builder()
        .app_id("1")
        .private_key(app_private())
        .build()
        .unwrap_err();
    assert!(
        matches!(err, ConfigError::MissingAlipayPublicKey),
        "{err:?}"
    );

    let err = Client::builder()
        .app_id("1")
        .private_key(app_private())
        .alipay_public_key(app_public())
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("app's own public key"), "{err}");

    let err = Client::builder()
        .app_id("1")
        .gateway("ftp://openapi.alipay.com/gateway.do")
        .private_key(app_private())
        .alipay_public_key(alipay_public())
        .build()
        .unwrap_err();
    assert!(matches!(err, ConfigError::InvalidGateway { .. }), "{err:?}");

    let err = Client::builder()
        .app_id("1")
        .private_key(app_private())
        .alipay_public_key(alipay_public())
        .http_client(reqwest::Client::new())
        .connect_timeout(Duration::from_secs(1))
        .build()
        .unwrap_err();
    assert!(
        matches!(err, ConfigError::ConnectTimeoutWithCustomClient),
        "{err:?}"
    );
}

#[test]
fn debug_output_holds_no_secrets() {
    let token = "201510BB0c409dd5758b4d939d4008a525463X77";
    let client = Client::builder()
        .app_id("2014072300007148")
        .private_key(app_private())
        .alipay_public_key(alipay_public())
        .app_auth_token(token)
        .build()
        .expect("client");
    let debug = format!("{client:?}");
    assert!(!debug.contains(token), "{debug}");
    assert!(debug.contains("2014072300007148"));
    let pem = std::fs::read_to_string(key_path("app_private_pkcs1.pem")).expect("pem");
    let some_key_line = pem.lines().nth(3).expect("a base64 line");
    assert!(!debug.contains(some_key_line));

    let prepared = client
        .prepare(&Confirm::new("secret-auth"))
        .expect("prepare");
    let debug = format!("{prepared:?}");
    assert!(
        !debug.contains("secret-auth") && !debug.contains("sign="),
        "{debug}"
    );
}

// ---------------------------------------------------------------------------------------
// Tracing: one span per call, with its facts and without secrets; at TRACE, the exact text
// signed and verified, secrets redacted.

/// A subscriber that writes down every span name, field and event (with its level) as text.
#[derive(Default, Clone)]
struct Recorder {
    lines: Arc<Mutex<Vec<String>>>,
    next_id: Arc<std::sync::atomic::AtomicU64>,
}

struct Fields<'a>(&'a mut Vec<String>, String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0
            .push(format!("{} {}={value:?}", self.1, field.name()));
    }
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push(format!("{} {}={value}", self.1, field.name()));
    }
}

impl tracing::Subscriber for Recorder {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let id = 1 + self
            .next_id
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut lines = self.lines.lock().expect("lines");
        let name = format!("span#{id}:{}", attrs.metadata().name());
        lines.push(name.clone());
        attrs.record(&mut Fields(&mut lines, name));
        tracing::span::Id::from_u64(id)
    }
    fn record(&self, span: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut lines = self.lines.lock().expect("lines");
        values.record(&mut Fields(&mut lines, format!("span#{}", span.into_u64())));
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut lines = self.lines.lock().expect("lines");
        let prefix = format!("event[{}]", event.metadata().level());
        event.record(&mut Fields(&mut lines, prefix));
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

/// Installs the recorder as the global subscriber (a scoped one races with the callsite
/// interest cache while other tests run in parallel); this test finds its own span by its
/// unique app_id.
#[test]
fn one_span_per_call_with_codes_and_no_secrets() {
    const APP_ID: &str = "2088SPANTEST0001";
    let recorder = Recorder::default();
    let lines = recorder.lines.clone();
    tracing::subscriber::set_global_default(recorder).expect("the only global subscriber");
    let token = "201510BBspantest0token0000000000000X77";
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (sign_seen, response_sign, received) = runtime.block_on(async {
        let node = r#"{"code":"40004","msg":"Business Failed","sub_code":"VALIDATECODE_EXPIRED","sub_msg":"校验码超时","access_token":"ACCESS-SECRET-1"}"#;
        let body = signed_body(NODE, node, Charset::Utf8, SignType::Rsa2);
        let answer: serde_json::Value = serde_json::from_slice(&body).expect("json");
        let response_sign = answer["sign"].as_str().expect("sign").to_owned();
        let server = Server::start(move |_| json_reply(body.clone(), Charset::Utf8)).await;
        let client = client_for(&server)
            .app_id(APP_ID)
            .app_auth_token(token)
            .build()
            .expect("client");
        let err = client.execute(&Confirm::new("SECRETAUTH")).await.unwrap_err();
        assert!(matches!(err, Error::Business(_)), "{err:?}");
        let received = server.requests().remove(0).params(Charset::Utf8);
        let sign = received
            .iter()
            .find(|(k, _)| k == "sign")
            .map(|(_, v)| v.clone())
            .expect("sign sent");
        (sign, response_sign, received)
    });
    let lines = lines.lock().expect("lines").clone();
    let calls: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.strip_suffix(&format!(":alipay.call app_id={APP_ID}")))
        .collect();
    assert_eq!(calls.len(), 1, "{lines:#?}");
    let id = calls[0];
    let field = |name: &str| {
        lines
            .iter()
            .filter_map(|l| {
                l.strip_prefix(&format!("{id}:alipay.call {name}="))
                    .or_else(|| l.strip_prefix(&format!("{id} {name}=")))
            })
            .map(str::to_owned)
            .next_back()
    };
    assert_eq!(field("method").as_deref(), Some(METHOD));
    assert_eq!(field("code").as_deref(), Some("40004"));
    assert_eq!(field("sub_code").as_deref(), Some("VALIDATECODE_EXPIRED"));
    assert!(
        field("latency_ms").is_some_and(|v| v.parse::<u64>().is_ok()),
        "{lines:#?}"
    );

    // Above TRACE: nothing of the request's content.
    let above_trace = lines
        .iter()
        .filter(|l| !l.starts_with("event[TRACE]"))
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    for secret in [token, "SECRETAUTH", "biz_content", "ACCESS-SECRET-1"] {
        assert!(
            !above_trace.contains(secret),
            "{secret} leaked into tracing above TRACE:\n{above_trace}"
        );
    }

    // At TRACE: exactly the text that was signed, with the app_auth_token redacted. Other
    // tests run in parallel, so this call's event is the one carrying its app_id.
    let trace_field = |name: &str, containing: &str| {
        let prefix = format!("event[TRACE] {name}=");
        let found: Vec<&str> = lines
            .iter()
            .filter_map(|l| l.strip_prefix(prefix.as_str()))
            .filter(|v| v.contains(containing))
            .collect();
        assert_eq!(found.len(), 1, "{name} containing {containing}: {lines:#?}");
        found[0].to_owned()
    };
    let expected_content = sign_content(received.iter().map(|(k, v)| {
        let v = if k == "app_auth_token" {
            "<redacted>"
        } else {
            v.as_str()
        };
        (k.as_str(), v)
    }));
    assert!(
        expected_content.contains("SECRETAUTH"),
        "{expected_content}"
    );
    assert_eq!(
        trace_field("content", &format!("app_id={APP_ID}&")),
        expected_content
    );
    // And exactly the node text that was verified, with its secret member redacted.
    assert_eq!(
        trace_field("text", "\"access_token\""),
        r#"{"code":"40004","msg":"Business Failed","sub_code":"VALIDATECODE_EXPIRED","sub_msg":"校验码超时","access_token":"<redacted>"}"#
    );
    assert!(
        lines
            .iter()
            .any(|l| l == &format!("event[TRACE] node={NODE}")),
        "{lines:#?}"
    );

    // No secret anywhere, at any level: the token, both signatures, the key.
    let all = lines.join("\n");
    let pem = std::fs::read_to_string(key_path("app_private_pkcs1.pem")).expect("pem");
    let key_line = pem.lines().nth(3).expect("a base64 line");
    for secret in [
        token,
        sign_seen.as_str(),
        response_sign.as_str(),
        "ACCESS-SECRET-1",
        key_line,
    ] {
        assert!(
            !all.contains(secret),
            "{secret} leaked into tracing:\n{all}"
        );
    }
}
