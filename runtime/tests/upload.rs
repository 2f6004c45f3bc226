//! File uploads against the official SDK's multipart vector (`modes_py.json`,
//! `multipart_py`) and a real HTTP/1.1 server on 127.0.0.1 that records the bytes sent.
//!
//! The body must equal the vector byte for byte, except for two things the vector allows to
//! differ: the boundary (random per request, as every multipart sender's) and the part header
//! `Content-Transfer-Encoding: binary` that PY adds to file parts (RFC 7578 §4.7 deprecates
//! it; the Java SDK and browsers do not send it). The signature covers the same text as the
//! vector's, except `format`: PY sends `json` and this client `JSON` (whatever is sent is
//! signed; both are accepted by the gateway).

use crate::server::{Received, Server, json_reply, signed_body};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alipay_runtime::charset::Charset;
use alipay_runtime::keys::{PrivateKey, PublicKey};
use alipay_runtime::sign::{SignType, sign_base64};
use alipay_runtime::sign_content::sign_content;
use alipay_runtime::{Client, Error, FileUpload, RequestParts, Rule};
use serde_json::Value;

const VECTORS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors");
const METHOD: &str = "alipay.offline.material.image.upload";
const NODE: &str = "alipay_offline_material_image_upload_response";
const VECTOR_BOUNDARY: &str = "ALIPAY_SDK_PYTHON_BOUNDARY";

fn key(name: &str) -> String {
    format!("{VECTORS}/keys/{name}")
}

fn vector() -> Value {
    let text = std::fs::read_to_string(format!("{VECTORS}/modes_py.json")).expect("vectors");
    let all: Value = serde_json::from_str(&text).expect("json");
    all["multipart_py"].clone()
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// 2024-07-30 10:21:33 in Beijing: the vector's frozen clock.
fn vector_clock() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_722_306_093)
}

/// A server that answers every request with a signed success node and records it.
async fn start() -> Server {
    let node = r#"{"code":"10000","msg":"Success","image_id":"X1","image_url":"http://x"}"#;
    let body = signed_body(NODE, node, Charset::Utf8, SignType::Rsa2);
    Server::start(move |_| json_reply(body.clone(), Charset::Utf8)).await
}

fn client(server: &Server, charset: Charset) -> Client {
    Client::builder()
        .gateway(server.url())
        .app_id("2014072300007148")
        .private_key(PrivateKey::from_file(key("app_private_pkcs1.pem")).unwrap())
        .alipay_public_key(PublicKey::from_file(key("alipay_public.pem")).unwrap())
        .charset(charset)
        .clock(vector_clock)
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

fn replace(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}

/// The vector's request: two text fields and one file (its bytes from `body_hex`).
fn vector_parts(file: FileUpload) -> RequestParts {
    RequestParts {
        biz_content: None,
        form: vec![
            ("image_name", "海底捞".to_owned()),
            ("image_type", "jpg".to_owned()),
        ],
        files: vec![("image_content", file)],
    }
}

const JPEG_START: [u8; 13] = [
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x01, 0x02, 0x03,
];

/// Checks the signature in the query over the query's parameters and the text fields.
fn check_signature(req: &Received, charset: Charset, text: &[(&str, &str)]) -> String {
    let query = req.query(charset);
    let sign = query
        .iter()
        .find(|(k, _)| k == "sign")
        .map(|(_, v)| v.clone())
        .expect("sign in the query");
    let content = sign_content(
        query
            .iter()
            .filter(|(k, _)| k != "sign")
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .chain(text.iter().copied()),
    );
    let app_public = PublicKey::from_file(key("app_public.pem")).unwrap();
    let bytes = charset.encode(&content).unwrap();
    app_public
        .verify(SignType::Rsa2, &bytes, &sign)
        .expect("the request signature verifies over the query and the text fields");
    content
}

#[tokio::test]
async fn upload_matches_the_sdk_vector_byte_for_byte() {
    let v = vector();
    let server = start().await;
    let client = client(&server, Charset::Utf8);
    let file = FileUpload::from_bytes("a.jpg", JPEG_START.to_vec());
    assert_eq!(file.content_type(), "image/jpeg");
    let answer = client
        .execute_raw(METHOD, &vector_parts(file))
        .await
        .expect("verified answer");
    assert_eq!(answer.node_name, NODE);

    let sent = server.requests();
    assert_eq!(sent.len(), 1);
    let req = &sent[0];
    // Public params and sign in the query, nothing else.
    let names: Vec<String> = req
        .query(Charset::Utf8)
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    assert_eq!(
        names,
        [
            "app_id",
            "method",
            "format",
            "charset",
            "sign_type",
            "timestamp",
            "version",
            "sign"
        ]
    );
    // The body, byte for byte, boundary aside (and PY's deprecated transfer-encoding line).
    let expected = hex(v["body_hex"].as_str().unwrap());
    let expected = replace(&expected, b"Content-Transfer-Encoding: binary\r\n", b"");
    let ours = replace(
        &req.body,
        req.boundary().as_bytes(),
        VECTOR_BOUNDARY.as_bytes(),
    );
    assert_eq!(
        String::from_utf8_lossy(&ours),
        String::from_utf8_lossy(&expected)
    );
    assert_eq!(ours, expected);
    assert_eq!(
        req.header("content-length"),
        Some(req.body.len().to_string().as_str())
    );

    // Text fields signed, the file not; the same sign content as the SDK's but for `format`.
    let content = check_signature(
        req,
        Charset::Utf8,
        &[("image_name", "海底捞"), ("image_type", "jpg")],
    );
    let sdk_content = v["expected_sign_content"].as_str().unwrap();
    assert_eq!(content, sdk_content.replace("format=json", "format=JSON"));
    // And the vector's own signature is what this signer makes of the vector's content.
    let app = PrivateKey::from_file(key("app_private_pkcs1.pem")).unwrap();
    assert_eq!(
        sign_base64(&app, SignType::Rsa2, sdk_content.as_bytes()).unwrap(),
        v["expected_sign"].as_str().unwrap()
    );
}

#[tokio::test]
async fn gbk_upload_encodes_text_parts_in_gbk_and_signs_them() {
    let server = start().await;
    let client = client(&server, Charset::Gbk);
    let file = FileUpload::from_bytes("a.jpg", JPEG_START.to_vec());
    client
        .execute_raw(METHOD, &vector_parts(file))
        .await
        .expect("verified answer");
    let req = &server.requests()[0];
    let gbk_name = Charset::Gbk.encode("海底捞").unwrap().into_owned();
    // The media type's parameters are written lower-case (charset names are case-insensitive).
    let mut part = b"Content-Disposition: form-data; name=\"image_name\"\r\nContent-Type: text/plain; charset=gbk\r\n\r\n".to_vec();
    part.extend_from_slice(&gbk_name);
    part.extend_from_slice(b"\r\n");
    assert!(
        req.body.windows(part.len()).any(|w| w == part.as_slice()),
        "{}",
        String::from_utf8_lossy(&req.body)
    );
    check_signature(
        req,
        Charset::Gbk,
        &[("image_name", "海底捞"), ("image_type", "jpg")],
    );
}

#[tokio::test]
async fn a_file_on_disk_is_sent_whole_with_its_name_and_type() {
    let dir = std::env::temp_dir().join(format!("alipay-upload-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("statement.pdf");
    // Larger than any read buffer, so the part is streamed in many chunks.
    let content: Vec<u8> = (0..3 * 1024 * 1024 + 17).map(|i| (i % 251) as u8).collect();
    std::fs::write(&path, &content).unwrap();

    let server = start().await;
    let client = client(&server, Charset::Utf8);
    let parts = RequestParts {
        biz_content: Some(r#"{"bill_no":"B1"}"#.to_owned()),
        form: Vec::new(),
        files: vec![("file_content", FileUpload::from_path(&path))],
    };
    client.execute_raw(METHOD, &parts).await.expect("answer");
    std::fs::remove_dir_all(&dir).unwrap();

    let req = &server.requests()[0];
    let boundary = req.boundary();
    let head = b"Content-Disposition: form-data; name=\"file_content\"; filename=\"statement.pdf\"\r\nContent-Type: application/pdf\r\n\r\n";
    let start = req
        .body
        .windows(head.len())
        .position(|w| w == head)
        .expect("the file part")
        + head.len();
    let end = format!("\r\n--{boundary}--\r\n");
    assert!(req.body.ends_with(end.as_bytes()));
    assert_eq!(
        &req.body[start..req.body.len() - end.len()],
        content.as_slice()
    );
    // biz_content is a signed text part.
    check_signature(
        req,
        Charset::Utf8,
        &[("biz_content", r#"{"bill_no":"B1"}"#)],
    );
}

#[tokio::test]
async fn an_unreadable_file_fails_before_anything_is_sent() {
    let server = start().await;
    let client = client(&server, Charset::Utf8);
    let parts = vector_parts(FileUpload::from_path("/no/such/folder/a.jpg"));
    match client.execute_raw(METHOD, &parts).await {
        Err(Error::InvalidRequest(e)) => {
            assert_eq!(e.field, "image_content");
            assert!(matches!(e.rule, Rule::Unreadable { .. }), "{e}");
            assert!(e.to_string().contains("/no/such/folder/a.jpg"), "{e}");
        }
        other => panic!("expected an invalid request, got {other:?}"),
    }
    // A file name repeating a text field is refused too.
    let mut twice = vector_parts(FileUpload::from_bytes("a.jpg", vec![1]));
    twice
        .files
        .push(("image_name", FileUpload::from_bytes("b.jpg", vec![2])));
    assert!(matches!(
        client.execute_raw(METHOD, &twice).await,
        Err(Error::InvalidRequest(_))
    ));
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(server.requests().is_empty());
}

#[test]
fn prepared_uploads_are_multipart_and_debug_shows_no_content() {
    let client = Client::builder()
        .gateway("http://127.0.0.1:9/gateway.do")
        .app_id("2014072300007148")
        .private_key(PrivateKey::from_file(key("app_private_pkcs1.pem")).unwrap())
        .alipay_public_key(PublicKey::from_file(key("alipay_public.pem")).unwrap())
        .build()
        .unwrap();
    let prepared = client
        .prepare_raw(
            METHOD,
            &vector_parts(FileUpload::from_bytes("a.jpg", b"SECRET-BYTES".to_vec())),
        )
        .unwrap();
    assert_eq!(prepared.content_type, "multipart/form-data");
    assert!(prepared.body.is_empty());
    let m = prepared.multipart.as_ref().expect("multipart");
    assert_eq!(
        m.text,
        vec![
            ("image_name".to_owned(), "海底捞".as_bytes().to_vec()),
            ("image_type".to_owned(), b"jpg".to_vec())
        ]
    );
    let shown = format!("{prepared:?}");
    assert!(
        !shown.contains("SECRET-BYTES") && !shown.contains("海底捞"),
        "{shown}"
    );
}

#[tokio::test]
async fn a_file_name_with_a_line_break_is_refused_before_sending() {
    // Found by a probe over 127.0.0.1: FileUpload::from_bytes("a\r\nContent-Type:
    // text/evil\r\n....jpg", ..) was sent with the CR and LF in the part's header (reqwest
    // only puts a backslash before each), so a file name taken from a user's upload could
    // add headers to the part.
    let server = start().await;
    for protocol in [alipay_runtime::Protocol::V2, alipay_runtime::Protocol::V3] {
        let client = Client::builder()
            .gateway(server.url())
            .app_id("2014072300007148")
            .private_key(PrivateKey::from_file(key("app_private_pkcs1.pem")).unwrap())
            .alipay_public_key(PublicKey::from_file(key("alipay_public.pem")).unwrap())
            .protocol(protocol)
            .build()
            .unwrap();
        for name in ["a\r\nContent-Type: text/evil\r\n.jpg", "a\n.jpg", "a\0.jpg"] {
            let file = FileUpload::from_bytes(name, JPEG_START.to_vec());
            let err = match protocol {
                alipay_runtime::Protocol::V2 => client
                    .execute_raw(METHOD, &vector_parts(file))
                    .await
                    .map(drop)
                    .unwrap_err(),
                _ => client
                    .execute_raw_v3(
                        METHOD,
                        &alipay_runtime::v3::Route {
                            http_method: alipay_runtime::v3::HttpMethod::Post,
                            path: "/v3/alipay/offline/material/image/upload",
                            query: &[],
                            body: alipay_runtime::v3::RouteBody::Multipart,
                            v2: true,
                        },
                        &vector_parts(file),
                        &alipay_runtime::RequestOptions::new(),
                    )
                    .await
                    .map(drop)
                    .unwrap_err(),
            };
            assert!(
                matches!(&err, Error::InvalidRequest(e) if e.field == "image_content"),
                "{protocol:?} {name:?}: {err:?}"
            );
        }
    }
    assert_eq!(server.requests().len(), 0, "nothing is sent");
}
