//! The local gateway accepts requests signed by the official SDKs (the shared `sign.json`
//! vectors: Python and Node SDKs, utf-8 and GBK, RSA2 and RSA), refuses them once altered, and
//! its answers verify with the Alipay public key. Requests are written by hand here, the way
//! the SDKs send them, so nothing of this crate's client takes part.

use alipay_gateway::{GatewayKeys, LocalGateway};
use alipay_runtime::{Charset, PublicKey, SignType, verify_response};
use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/vectors/");

fn read(path: &str) -> String {
    let full = format!("{VECTORS}{path}");
    std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{full}: {e}"))
}

async fn gateway() -> LocalGateway {
    let keys = GatewayKeys::parse(
        &read("keys/app_public.pem"),
        &read("keys/alipay_private_pkcs1.pem"),
    )
    .expect("keys");
    LocalGateway::builder(alipay_openapi::METHODS, keys)
        .app_id("2014072300007148")
        .start()
        .await
        .expect("gateway")
}

/// `application/x-www-form-urlencoded` of bytes already in the request charset.
fn percent(bytes: &[u8]) -> String {
    form_urlencoded::byte_serialize(bytes).collect()
}

fn encode_pairs(pairs: &[(String, String)], charset: Charset) -> String {
    pairs
        .iter()
        .map(|(k, v)| {
            let value = charset.encode(v).expect("encodable");
            format!("{}={}", percent(k.as_bytes()), percent(&value))
        })
        .collect::<Vec<_>>()
        .join("&")
}

/// POSTs public parameters in the query and `biz_content` in the body, as the SDKs do;
/// returns the status and the body bytes.
async fn post(gw: &LocalGateway, params: &[(String, String)], charset: Charset) -> (u16, Vec<u8>) {
    let (body, query): (Vec<_>, Vec<_>) = params
        .iter()
        .cloned()
        .partition(|(k, _)| k == "biz_content");
    let query = encode_pairs(&query, charset);
    let body = encode_pairs(&body, charset);
    let request = format!(
        "POST /gateway.do?{query} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-www-form-urlencoded;charset={}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        gw.addr(),
        charset.as_str(),
        body.len()
    );
    let mut stream = tokio::net::TcpStream::connect(gw.addr())
        .await
        .expect("connect");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("header end");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status");
    assert!(
        head.to_ascii_lowercase().contains("content-length"),
        "fixed-length answers: {head}"
    );
    (status, raw[split + 4..].to_vec())
}

fn vectors() -> Vec<Value> {
    let all: Value = serde_json::from_str(&read("sign.json")).expect("sign.json");
    all.as_array().expect("array").clone()
}

/// A vector's name, charset, sign type and method.
fn settings(vector: &Value) -> (&str, Charset, SignType, &str) {
    let text = |key: &str| vector[key].as_str().unwrap_or_else(|| panic!("{key}"));
    (
        text("name"),
        text("charset").parse().expect("charset"),
        text("sign_type").parse().expect("sign_type"),
        vector["params"]["method"].as_str().expect("method"),
    )
}

fn params_of(vector: &Value) -> Vec<(String, String)> {
    let mut params: Vec<(String, String)> = vector["params"]
        .as_object()
        .expect("params")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().expect("string").to_owned()))
        .collect();
    params.push((
        "sign".into(),
        vector["sign"].as_str().expect("sign").to_owned(),
    ));
    params
}

#[tokio::test]
async fn requests_signed_by_the_official_sdks_verify_and_get_verified_answers() {
    let gw = gateway().await;
    let alipay_public = PublicKey::from_pem(&read("keys/alipay_public.pem")).expect("key");
    let vectors = vectors();
    assert_eq!(vectors.len(), 12);
    for vector in &vectors {
        let (name, charset, sign_type, method) = settings(vector);

        let (status, body) = post(&gw, &params_of(vector), charset).await;
        assert_eq!(status, 200, "{name}");
        let last = gw.requests().pop().expect("recorded");
        assert!(last.signature_verified, "{name}: {:?}", last.answer);
        assert_eq!(last.answer.code.as_deref(), Some("10000"), "{name}");
        assert_eq!(last.charset, charset.as_str(), "{name}");

        let verified = verify_response(&body, method, charset, sign_type, &alipay_public)
            .unwrap_or_else(|e| panic!("{name}: answer does not verify: {e}"));
        assert_eq!(verified.code, "10000", "{name}");
    }
}

#[tokio::test]
async fn an_altered_sdk_request_is_refused_with_invalid_signature() {
    let gw = gateway().await;
    let alipay_public = PublicKey::from_pem(&read("keys/alipay_public.pem")).expect("key");
    for vector in vectors() {
        let (name, charset, sign_type, method) = settings(&vector);
        let mut params = params_of(&vector);
        for (k, v) in &mut params {
            if k == "biz_content" {
                // Still the same JSON, but no longer the signed text.
                v.insert(v.len() - 1, ' ');
            }
        }
        let (status, body) = post(&gw, &params, charset).await;
        assert_eq!(status, 200, "{name}");
        let verified = verify_response(&body, method, charset, sign_type, &alipay_public)
            .unwrap_or_else(|e| panic!("{name}: refusal does not verify: {e}"));
        // Under the method's own node, signed, as Alipay answers a signature it cannot verify.
        assert!(!verified.is_error_response, "{name}");
        assert_eq!(verified.code, "40002", "{name}");
        assert_eq!(
            verified.sub_code.as_deref(),
            Some("isv.invalid-signature"),
            "{name}"
        );
        assert!(!gw.requests().pop().expect("recorded").signature_verified);
    }
}

#[tokio::test]
async fn another_app_id_is_refused_when_the_gateway_expects_one() {
    let gw = gateway().await;
    let vector = &vectors()[0];
    let mut params = params_of(vector);
    for (k, v) in &mut params {
        if k == "app_id" {
            *v = "2014072300009999".into();
        }
    }
    let (_, body) = post(&gw, &params, Charset::Utf8).await;
    let body: Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(body["error_response"]["sub_code"], "isv.invalid-app-id");
}
