//! The test gateway of the client's tests over real HTTP: a real HTTP/1.1 server on
//! 127.0.0.1, written by hand on tokio's `TcpListener` so every fault (refused, reset before or
//! after the request, silent, HTML 500, cut-off, slow) is exact, and a tiny hand-written
//! method, as generated code would write it.
//!
//! Requests are signed with the test app key and checked by the server with the app public
//! key; answers are signed with the test "alipay" key and verified by the client.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use alipay_runtime::charset::Charset;
use alipay_runtime::keys::{PrivateKey, PublicKey};
use alipay_runtime::sign::{SignType, sign_base64};
use alipay_runtime::sign_content::sign_content;
use alipay_runtime::validate::{self, ValidationError};
use alipay_runtime::{BizErrorCode, Client, Method, RequestParts};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

pub(crate) const KEYS: &str = "../../shared/vectors/keys";

pub(crate) fn key_path(name: &str) -> String {
    format!("{}/{KEYS}/{name}", env!("CARGO_MANIFEST_DIR"))
}

pub(crate) fn app_private() -> PrivateKey {
    PrivateKey::from_file(key_path("app_private_pkcs1.pem")).expect("app private key")
}
pub(crate) fn app_public() -> PublicKey {
    PublicKey::from_file(key_path("app_public.pem")).expect("app public key")
}
pub(crate) fn alipay_private() -> PrivateKey {
    PrivateKey::from_file(key_path("alipay_private_pkcs1.pem")).expect("alipay private key")
}
pub(crate) fn alipay_public() -> PublicKey {
    PublicKey::from_file(key_path("alipay_public.pem")).expect("alipay public key")
}

// ---------------------------------------------------------------------------------------
// A tiny hand-written method, as generated code would write it.

pub(crate) const METHOD: &str = "alipay.test.agreement.confirm";
pub(crate) const NODE: &str = "alipay_test_agreement_confirm_response";

#[derive(Debug)]
pub(crate) struct Confirm {
    pub(crate) auth_code: String,
    pub(crate) remark: Option<String>,
    /// An `in: form` parameter, sent as its own form field.
    pub(crate) channel: Option<String>,
}

impl Confirm {
    pub(crate) fn new(auth_code: &str) -> Self {
        Self {
            auth_code: auth_code.to_owned(),
            remark: None,
            channel: None,
        }
    }
}

#[derive(Debug, serde::Deserialize, PartialEq)]
pub(crate) struct ConfirmResponse {
    pub(crate) code: String,
    pub(crate) msg: String,
    pub(crate) agreement_no: Option<String>,
    pub(crate) remark: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ConfirmError {
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
pub(crate) struct Received {
    pub(crate) target: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Received {
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Query and form parameters, percent-decoded to bytes and then decoded in `charset`.
    pub(crate) fn params(&self, charset: Charset) -> Vec<(String, String)> {
        let mut params = self.query(charset);
        params.extend(decoded(&self.body, charset));
        params
    }

    /// The query parameters alone (the body of an upload is multipart).
    pub(crate) fn query(&self, charset: Charset) -> Vec<(String, String)> {
        let query = self.target.split_once('?').map_or("", |(_, q)| q);
        decoded(query.as_bytes(), charset)
    }

    /// The boundary of a `multipart/form-data` body.
    pub(crate) fn boundary(&self) -> String {
        let ct = self.header("content-type").expect("content type");
        ct.strip_prefix("multipart/form-data; boundary=")
            .unwrap_or_else(|| panic!("not multipart: {ct}"))
            .to_owned()
    }

    pub(crate) fn param(&self, charset: Charset, name: &str) -> Option<String> {
        self.params(charset)
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// Checks the request signature as the gateway does, with the app public key.
    pub(crate) fn verify_signature(&self, charset: Charset, sign_type: SignType) -> bool {
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

/// The pairs of a form, percent-decoded to bytes and then decoded in `charset`.
pub(crate) fn decoded(form: &[u8], charset: Charset) -> Vec<(String, String)> {
    alipay_runtime::form::decode_text(form, charset).expect("text in the charset")
}

/// What the server does with one connection, step by step, once it has read the request.
#[derive(Clone)]
pub(crate) enum Step {
    Write(Vec<u8>),
    Sleep(Duration),
    /// Aborts the connection: a TCP reset (zero linger), no orderly close. Later steps are
    /// not taken.
    Reset,
}

pub(crate) type Script = Arc<dyn Fn(&Received) -> Vec<Step> + Send + Sync>;

pub(crate) struct Server {
    pub(crate) addr: SocketAddr,
    pub(crate) received: Arc<Mutex<Vec<Received>>>,
    /// Connections accepted, whether or not a request was read from them.
    pub(crate) connections: Arc<AtomicUsize>,
}

impl Server {
    /// Reads each request and answers it as `script` says.
    pub(crate) async fn start(
        script: impl Fn(&Received) -> Vec<Step> + Send + Sync + 'static,
    ) -> Self {
        Self::listen(Some(Arc::new(script))).await
    }

    /// Accepts each connection and resets it at once, before reading anything: the request,
    /// if the client wrote it already, is never read.
    pub(crate) async fn resetting_on_accept() -> Self {
        Self::listen(None).await
    }

    async fn listen(script: Option<Script>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let received = Arc::new(Mutex::new(Vec::new()));
        let connections = Arc::new(AtomicUsize::new(0));
        let log = received.clone();
        let accepted = connections.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                accepted.fetch_add(1, Ordering::SeqCst);
                let Some(script) = script.clone() else {
                    reset(stream);
                    continue;
                };
                let log = log.clone();
                tokio::spawn(async move {
                    let _ = serve(stream, script, log).await;
                });
            }
        });
        Server {
            addr,
            received,
            connections,
        }
    }

    /// How many connections were accepted.
    pub(crate) fn connection_count(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    pub(crate) fn url(&self) -> String {
        format!("http://{}/gateway.do", self.addr)
    }

    pub(crate) fn requests(&self) -> Vec<Received> {
        self.received.lock().expect("log").clone()
    }
}

pub(crate) async fn serve(
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
            Step::Reset => {
                reset(stream);
                return Ok(());
            }
        }
    }
    stream.shutdown().await
}

/// Closes `stream` with a TCP reset instead of an orderly shutdown.
fn reset(stream: TcpStream) {
    // Zero linger makes close() send RST; it does not block the thread.
    stream.set_zero_linger().expect("SO_LINGER");
    drop(stream);
}

pub(crate) fn http_head(status: &str, content_type: &str, content_length: usize) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {content_length}\r\nConnection: close\r\n\r\n"
    )
    .into_bytes()
}

pub(crate) fn reply(status: &str, content_type: &str, body: &[u8]) -> Vec<Step> {
    let mut bytes = http_head(status, content_type, body.len());
    bytes.extend_from_slice(body);
    vec![Step::Write(bytes)]
}

/// A gateway answer with `node_text` under `node`, signed by the "alipay" key over the
/// node text encoded in `charset`, the whole body encoded in `charset`.
pub(crate) fn signed_body(
    node: &str,
    node_text: &str,
    charset: Charset,
    sign_type: SignType,
) -> Vec<u8> {
    let bytes = charset.encode(node_text).expect("encodable");
    let sign = sign_base64(&alipay_private(), sign_type, &bytes).expect("sign");
    let text = format!("{{\"{node}\":{node_text},\"sign\":\"{sign}\"}}");
    charset.encode(&text).expect("encodable").into_owned()
}

pub(crate) fn json_reply(body: Vec<u8>, charset: Charset) -> Vec<Step> {
    reply(
        "200 OK",
        &format!("text/html;charset={}", charset.as_str()),
        &body,
    )
}

/// A 200 answer of `node_text` under `node`, signed RSA2 in UTF-8 (as the gateway answers).
pub(crate) fn signed_reply(node: &str, node_text: &str) -> Vec<Step> {
    json_reply(
        signed_body(node, node_text, Charset::Utf8, SignType::Rsa2),
        Charset::Utf8,
    )
}

pub(crate) fn client_for(server: &Server) -> alipay_runtime::ClientBuilder {
    Client::builder()
        .gateway(server.url())
        .app_id("2014072300007148")
        .private_key(app_private())
        .alipay_public_key(alipay_public())
        .timeout(Duration::from_secs(5))
}

/// The error the client of [`client_for`] `server` makes of `Confirm::new(auth_code)` (an
/// answer fails the test).
pub(crate) async fn confirm_error(
    server: &Server,
    auth_code: &str,
) -> alipay_runtime::Error<ConfirmError> {
    client_for(server)
        .build()
        .expect("client")
        .execute(&Confirm::new(auth_code))
        .await
        .unwrap_err()
}

pub(crate) const SUCCESS_NODE: &str =
    r#"{"code":"10000","msg":"Success","agreement_no":"20170322450983769228","remark":"ok"}"#;

/// An HTTP answer whose body is signed as v3 answers are, in `alipay-*` headers.
pub(crate) fn v3_signed(status: &str, body: &str) -> Vec<u8> {
    let (timestamp, nonce) = ("1700000000000", "5f0c1d2e-3a4b-4c5d-8e6f-708192a3b4c5");
    let signed = format!("{timestamp}\n{nonce}\n{body}\n");
    let signature =
        sign_base64(&alipay_private(), SignType::Rsa2, signed.as_bytes()).expect("sign");
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nalipay-timestamp: {timestamp}\r\nalipay-nonce: {nonce}\r\nalipay-signature: {signature}\r\nalipay-trace-id: 0b1c2d3e\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}
