// Long because: the v3 request vectors' comparison and the client's v3 refusals share this file's routes, methods and clients.
//! The client's v3 requests ([`Client::prepare_v3`]) against the Node SDK's request vectors:
//! for each, a method with the vector's route, a client with the vector's configuration, and
//! the prepared request compared with what the SDK sent: the target, the body line, the
//! headers that carry meaning, and the signed string byte for byte (the auth line aside:
//! nonces and times are random). The signature is checked with the app's public key.

use alipay_runtime::cert::{AlipayCert, AppCert, RootBundle};
use alipay_runtime::encrypt::EncryptKey;
use alipay_runtime::keys::{PrivateKey, PublicKey};
use alipay_runtime::sign::SignType;
use alipay_runtime::v3::{self, HttpMethod, Route, RouteBody};
use alipay_runtime::{
    Client, Error, FileUpload, Method, ProtocolError, RequestOptions, RequestParts,
    UndocumentedBizError, ValidationError,
};
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors/");

fn read(file: &str) -> String {
    let path = format!("{DIR}{file}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

pub(crate) fn vector(name: &str) -> Value {
    let all: Value = serde_json::from_str(&read("v3_node.json")).unwrap();
    all["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("no vector {name}"))
        .clone()
}

/// The vector's header `name` in its `side` (`request` or `response`).
fn header<'a>(v: &'a Value, side: &str, name: &str) -> Option<&'a str> {
    v[side]["headers"]
        .as_array()?
        .iter()
        .find(|h| h[0].as_str() == Some(name))
        .and_then(|h| h[1].as_str())
}

/// A request holding its fields as JSON, sent by route `ROUTES[N]`.
pub(crate) struct Raw<const N: usize> {
    json: Option<&'static str>,
    form: Vec<(&'static str, String)>,
    files: Vec<(&'static str, FileUpload)>,
}

impl<const N: usize> Raw<N> {
    pub(crate) fn json(json: &'static str) -> Self {
        Self {
            json: Some(json),
            form: Vec::new(),
            files: Vec::new(),
        }
    }
    fn none() -> Self {
        Self {
            json: None,
            form: Vec::new(),
            files: Vec::new(),
        }
    }
}

const fn route(http_method: HttpMethod, path: &'static str, body: RouteBody) -> Route {
    Route {
        http_method,
        path,
        query: &[],
        body,
        v2: true,
    }
}

pub(crate) const QUERY: usize = 0;
const BILL: usize = 1;
const TOKEN: usize = 2;
const UPLOAD: usize = 3;
const CREATE: usize = 4;
/// A GET whose query carries the user's `auth_token`.
pub(crate) const USER_INFO: usize = 5;
const ROUTES: [Route; 6] = [
    route(HttpMethod::Post, "/v3/alipay/trade/query", RouteBody::Json),
    Route {
        query: &[
            "bill_type",
            "bill_date",
            "memo",
            "unreserved",
            "empty",
            "n",
            "flag",
            "key name",
        ],
        ..route(
            HttpMethod::Get,
            "/v3/alipay/data/dataservice/bill/downloadurl/query",
            RouteBody::None,
        )
    },
    route(
        HttpMethod::Post,
        "/v3/alipay/open/auth/token/app/query",
        RouteBody::Json,
    ),
    route(
        HttpMethod::Post,
        "/v3/alipay/open/file/upload",
        RouteBody::Multipart,
    ),
    route(HttpMethod::Post, "/v3/alipay/trade/create", RouteBody::Json),
    Route {
        query: &["auth_token", "scope"],
        ..route(
            HttpMethod::Get,
            "/v3/alipay/user/info/share",
            RouteBody::None,
        )
    },
];

impl<const N: usize> Method for Raw<N> {
    const METHOD: &'static str = "alipay.test.raw";
    const RESPONSE_NODE: &'static str = "alipay_test_raw_response";
    const ROUTE: Option<Route> = Some(ROUTES[N]);
    type Response = serde_json::Map<String, Value>;
    type BizError = UndocumentedBizError;

    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }

    fn to_parts(&self) -> Result<RequestParts, ValidationError> {
        Ok(RequestParts {
            biz_content: self.json.map(str::to_owned),
            form: self.form.clone(),
            files: self.files.clone(),
        })
    }
}

/// A client configured as the vector's SDK was.
pub(crate) fn client_for(v: &Value) -> Client {
    let config = &v["config"];
    let mut b = Client::builder()
        .gateway(
            v["gateway"]
                .as_str()
                .unwrap_or("http://127.0.0.1:9/gateway.do"),
        )
        .app_id(config["appId"].as_str().unwrap())
        .private_key(PrivateKey::parse(&read("keys/app_private_pkcs1.pem")).unwrap())
        .sign_type(SignType::Rsa2);
    if config.get("appCertContent").is_some() || config.get("appCertPath").is_some() {
        b = b
            .app_cert(AppCert::from_pem(read("keys/certs/app_cert.pem").as_bytes()).unwrap())
            .alipay_cert(
                AlipayCert::from_pem(read("keys/certs/alipay_cert.pem").as_bytes()).unwrap(),
            )
            .alipay_root_cert(
                RootBundle::from_pem(read("keys/certs/alipay_root_cert.pem").as_bytes()).unwrap(),
            )
            // The vectors' certificates may have expired since: check them when they were made.
            .clock(|| std::time::UNIX_EPOCH + std::time::Duration::from_millis(1_796_620_309_000));
    } else {
        b = b.alipay_public_key(PublicKey::from_pem(&read("keys/alipay_public.pem")).unwrap());
    }
    if config.get("encryptKey").is_some() {
        b = b.encrypt_key(EncryptKey::from_base64("LWWCLAong8Vx0XsBzWhMFg==").unwrap());
    }
    if let Some(token) = header(v, "request", "alipay-app-auth-token") {
        b = b.app_auth_token(token);
    }
    b.build().unwrap()
}

/// Compares a prepared request with the vector the Node SDK sent.
fn check(name: &str, prepared: &alipay_runtime::PreparedV3, body_line: &str) {
    let v = vector(name);
    let r = &v["request"];
    assert_eq!(prepared.http_method.as_str(), r["method"], "{name}: method");
    assert_eq!(prepared.target, r["path_and_query"], "{name}: target");
    assert_eq!(prepared.body, body_line, "{name}: body line");
    let ours = |h: &str| {
        prepared
            .headers
            .iter()
            .find(|(n, _)| *n == h)
            .map(|(_, v)| v.as_str())
    };
    for h in [
        "alipay-app-auth-token",
        "alipay-root-cert-sn",
        "alipay-encrypt-type",
        "alipay-encryption-algm",
        "accept",
    ] {
        assert_eq!(ours(h), header(&v, "request", h), "{name}: header {h}");
    }
    if prepared.files.is_none() {
        assert_eq!(
            ours("content-type"),
            header(&v, "request", "content-type"),
            "{name}: content-type"
        );
    }
    let request_id = ours("alipay-request-id").unwrap();
    assert!(
        request_id.len() == 32 && request_id.bytes().all(|b| b.is_ascii_hexdigit()),
        "{name}: request id {request_id}"
    );
    // The signed string: the vector's, with our auth line.
    let authorization = ours("authorization").unwrap();
    let rest = authorization.strip_prefix("ALIPAY-SHA256withRSA ").unwrap();
    let (auth, sign) = rest.rsplit_once(",sign=").unwrap();
    let theirs = v["sign_string"].as_str().unwrap();
    let (_, after_auth) = theirs.split_once('\n').unwrap();
    let expected = format!("{auth}\n{after_auth}");
    let signed = v3::sign_string(
        auth,
        prepared.http_method.as_str(),
        &prepared.target,
        prepared.body.as_bytes(),
        ours("alipay-app-auth-token"),
    );
    assert_eq!(
        String::from_utf8(signed.clone()).unwrap(),
        expected,
        "{name}: sign string"
    );
    let app_public = PublicKey::from_pem(&read("keys/app_public.pem")).unwrap();
    app_public
        .verify(SignType::Rsa2, &signed, sign)
        .unwrap_or_else(|e| panic!("{name}: signature: {e}"));
    // The auth line's shape: app id, the certificate's SN, a v4 UUID nonce, a time in ms.
    let cert_sn = v["auth_string"]
        .as_str()
        .unwrap()
        .split(',')
        .find(|kv| kv.starts_with("app_cert_sn="));
    let mut fields = auth.split(',');
    assert_eq!(fields.next(), Some("app_id=2014072300007148"));
    if let Some(sn) = cert_sn {
        assert_eq!(fields.next(), Some(sn), "{name}: app_cert_sn");
    }
    let nonce = fields.next().unwrap().strip_prefix("nonce=").unwrap();
    assert_eq!(nonce.len(), 36, "{name}: nonce {nonce}");
    assert_eq!(nonce.as_bytes()[14], b'4', "{name}: nonce version");
    let ts = fields.next().unwrap().strip_prefix("timestamp=").unwrap();
    assert!(ts.parse::<u64>().is_ok(), "{name}: timestamp {ts}");
}

fn body_of(name: &str) -> &'static str {
    let body = vector(name)["request"]["body"].as_str().unwrap().to_owned();
    Box::leak(body.into_boxed_str())
}

#[test]
fn json_bodies_are_sent_as_serialised_and_signed_as_sent() {
    for (name, n) in [
        ("post_trade_query_json_body", QUERY),
        ("post_trade_create_chinese_and_specials", CREATE),
        ("post_with_app_auth_token", QUERY),
        ("cert_mode_post", QUERY),
    ] {
        let v = vector(name);
        let client = client_for(&v);
        let json = body_of(name);
        let prepared = match n {
            QUERY => client.prepare_v3(&Raw::<QUERY>::json(json)),
            _ => client.prepare_v3(&Raw::<CREATE>::json(json)),
        }
        .unwrap();
        check(name, &prepared, json);
    }
}

#[test]
fn a_get_sends_its_fields_as_the_query_node_writes_it() {
    let json = r#"{"bill_type":"trade","bill_date":"2024-07-30","memo":"中文 a+b&c=d/e?f#g","unreserved":"~*-._!'()","empty":"","n":12,"flag":true,"key name":"x"}"#;
    let name = "get_query_params_encoding";
    let prepared = client_for(&vector(name))
        .prepare_v3(&Raw::<BILL>::json(json))
        .unwrap();
    check(name, &prepared, "");
    let name = "cert_mode_get_with_app_auth_token";
    let prepared = client_for(&vector(name))
        .prepare_v3(&Raw::<BILL>::json(
            r#"{"bill_type":"trade","bill_date":"2024-07-30"}"#,
        ))
        .unwrap();
    check(name, &prepared, "");
}

#[test]
fn debug_of_a_prepared_request_redacts_the_auth_token_in_its_target() {
    // Found by printing a prepared v3 request with `{:?}`: its target showed the user's
    // auth_token, which the route sends in the query.
    let prepared = client_for(&vector("post_trade_query_json_body"))
        .prepare_v3(&Raw::<USER_INFO>::json(
            r#"{"auth_token":"authusrB-PREPARED-TOKEN","scope":"auth_base"}"#,
        ))
        .unwrap();
    // Sent as it is...
    assert_eq!(
        prepared.target,
        "/v3/alipay/user/info/share?auth_token=authusrB-PREPARED-TOKEN&scope=auth_base"
    );
    // ...but never shown.
    let debug = format!("{prepared:?}");
    assert!(!debug.contains("authusrB-PREPARED-TOKEN"), "{debug}");
    assert!(
        debug.contains("/v3/alipay/user/info/share?auth_token=%3Credacted%3E&scope=auth_base"),
        "{debug}"
    );
}

#[test]
fn body_less_and_encrypted_requests_match() {
    let name = "post_without_body";
    let prepared = client_for(&vector(name))
        .prepare_v3(&Raw::<TOKEN>::none())
        .unwrap();
    check(name, &prepared, "");
    let name = "aes_request_without_body";
    let prepared = client_for(&vector(name))
        .prepare_v3(&Raw::<TOKEN>::none())
        .unwrap();
    assert!(prepared.encrypted);
    check(name, &prepared, "u/CkvD3AJdIZhjkoxQi5EQ==");
    let name = "aes_request_and_response";
    let v = vector(name);
    let plaintext = v["aes_request"]["plaintext"].as_str().unwrap().to_owned();
    let prepared = client_for(&v)
        .prepare_v3(&Raw::<QUERY>::json(Box::leak(plaintext.into_boxed_str())))
        .unwrap();
    check(name, &prepared, body_of(name));
}

#[test]
fn an_upload_signs_its_data_part() {
    let name = "multipart_upload_buffer";
    let v = vector(name);
    let mut raw = Raw::<UPLOAD>::json(r#"{"biz_code":"openpt_appstore","merchant_memo":"备注"}"#);
    raw.form.push(("extra", r#"{"k":"值 & <v>"}"#.to_owned()));
    raw.files.push((
        "file_content",
        FileUpload::from_bytes("hello.txt", "hello 支付宝\r\n--not-a-boundary\n"),
    ));
    let prepared = client_for(&v).prepare_v3(&raw).unwrap();
    let data = v["multipart"]["parts"][0]["content"].as_str().unwrap();
    check(name, &prepared, data);
    assert_eq!(prepared.files.as_ref().map(Vec::len), Some(1));
}

/// A method without a route.
struct V2Only;

impl Method for V2Only {
    const METHOD: &'static str = "alipay.test.v2only";
    const RESPONSE_NODE: &'static str = "alipay_test_v2only_response";
    type Response = serde_json::Map<String, Value>;
    type BizError = UndocumentedBizError;

    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }

    fn to_parts(&self) -> Result<RequestParts, ValidationError> {
        Ok(RequestParts::default())
    }
}

#[tokio::test]
async fn a_method_without_a_route_is_refused_over_v3_before_anything_is_signed() {
    let client = client_for(&vector("post_trade_query_json_body"));
    let e = client.prepare_v3(&V2Only).unwrap_err();
    assert!(
        matches!(&e, Error::Protocol(ProtocolError { method, .. }) if method == "alipay.test.v2only"),
        "{e}"
    );
    // The per-call setting: refused the same way, and nothing is sent (port 9 is closed: a
    // send would be a transport error).
    let options = RequestOptions::new().protocol(alipay_runtime::Protocol::V3);
    let e = client.execute_with(&V2Only, &options).await.unwrap_err();
    assert!(matches!(e, Error::Protocol(_)), "{e}");
    assert_eq!(e.request_sent(), alipay_runtime::RequestSent::NotSent);
}

// ---------------------------------------------------------------------------------------
// Answers: each response vector replayed by a server on 127.0.0.1, taken by the client's
// whole v3 path (send, verify by headers, decrypt, decode).

/// Serves one connection: reads the request, answers with the vector's response as recorded.
pub(crate) async fn replay(v: &Value) -> std::net::SocketAddr {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let r = v["response"].clone();
    tokio::spawn(async move {
        // Answer every connection the same way (a rotation fetch may make a second one).
        while let Ok((mut conn, _)) = listener.accept().await {
            let r = r.clone();
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut buf = [0u8; 4096];
                let head_end = loop {
                    let n = conn.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    seen.extend_from_slice(&buf[..n]);
                    if let Some(i) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
                        break i + 4;
                    }
                };
                let head = String::from_utf8_lossy(&seen[..head_end]).to_ascii_lowercase();
                let length: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|n| n.trim().parse().ok())
                    .unwrap_or(0);
                while seen.len() < head_end + length {
                    let n = conn.read(&mut buf).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    seen.extend_from_slice(&buf[..n]);
                }
                let body = r["body"].as_str().unwrap_or("");
                let mut out = format!("HTTP/1.1 {} X\r\n", r["status"]);
                for h in r["headers"].as_array().unwrap() {
                    let name = h[0].as_str().unwrap();
                    if name != "content-length" {
                        out.push_str(&format!("{name}: {}\r\n", h[1].as_str().unwrap()));
                    }
                }
                out.push_str(&format!(
                    "content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                ));
                let _ = conn.write_all(out.as_bytes()).await;
            });
        }
    });
    addr
}

#[tokio::test]
async fn every_response_vector_through_the_client_as_a_strict_client_must() {
    let all: Value = serde_json::from_str(&read("v3_node.json")).unwrap();
    let mut checked = 0;
    for v in all["vectors"].as_array().unwrap() {
        if v["kind"] != "response" {
            continue;
        }
        let name = v["name"].as_str().unwrap();
        let addr = replay(v).await;
        // The vector's configuration, pointed at the replaying server.
        let client = at(v, &format!("http://{addr}/gateway.do"));
        let options = RequestOptions::new().protocol(alipay_runtime::Protocol::V3);
        let got = client
            .execute_with(
                &Raw::<QUERY>::json(r#"{"out_trade_no":"6823789339978248"}"#),
                &options,
            )
            .await;
        let expected = v["expected"].as_str().unwrap();
        match (expected, &got) {
            ("accept", Ok(data)) => {
                assert_eq!(
                    Value::Object(data.clone()),
                    v["sdk_result"]["data"],
                    "{name}"
                );
            }
            ("either", _) => {}
            (
                "reject",
                Err(
                    Error::Signature(_)
                    | Error::MalformedBody { .. }
                    | Error::UntrustedAlipayCert(_),
                ),
            ) => {}
            ("error", Err(Error::Api(e))) => {
                let json: Value = serde_json::from_str(v["response"]["body"].as_str().unwrap())
                    .unwrap_or_default();
                assert_eq!(u64::from(e.status()), v["response"]["status"], "{name}");
                assert_eq!(e.code_str(), json["code"].as_str(), "{name}");
                assert_eq!(e.message(), json["message"].as_str(), "{name}");
                assert_eq!(e.links(), json.get("links"), "{name}");
                assert_eq!(
                    e.trace_id(),
                    header(v, "response", "alipay-trace-id"),
                    "{name}"
                );
                // Verified only when signed by the Alipay key over this body.
                let signed = header(v, "response", "alipay-signature").is_some()
                    && name != "resp_http_401_bad_signature";
                assert_eq!(e.verified(), signed, "{name}");
            }
            _ => panic!("{name}: expected {expected}, got {got:?}"),
        }
        checked += 1;
    }
    assert_eq!(checked, 24);
}

/// `client_for(v)` with another gateway.
pub(crate) fn at(v: &Value, gateway: &str) -> Client {
    let mut v = v.clone();
    v["gateway"] = Value::String(gateway.to_owned());
    client_for(&v)
}
