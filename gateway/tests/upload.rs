//! Uploads end to end: the runtime's client sends `multipart/form-data` to the local gateway
//! over real HTTP on 127.0.0.1, in utf-8 and GBK; the gateway verifies the signature over the
//! text parts, validates the method's fields (a required file included) and records each
//! file's name, size and SHA-256.

use std::time::Duration;

use alipay_gateway::{RecordedFile, TestGateway};
use alipay_runtime::validate::{self, FormKind, Rule, ValidationError};
use alipay_runtime::{Charset, Error, FileUpload, MethodDescriptor, RequestParts};
use serde_json::Value;

const METHOD: &str = "alipay.test.image.upload";

static METHODS: &[MethodDescriptor] = &[MethodDescriptor {
    method: METHOD,
    title: "上传图片",
    group: "test",
    response_node: "alipay_test_image_upload_response",
    errors: &[],
    example_response: Some(
        r#"{"alipay_test_image_upload_response":{"code":"10000","msg":"Success","image_id":"X1"},"sign":"x"}"#,
    ),
    route: None,
    validate_request: validate_upload,
    call_style: alipay_runtime::CallStyle::Server,
}];

/// As a generated request would read it: a required file, an optional text field.
#[derive(serde::Deserialize)]
struct UploadRequest {
    #[allow(dead_code)]
    image_content: FileUpload,
    #[serde(default)]
    image_name: Option<String>,
}

const FIELDS: &[(&str, FormKind)] = &[
    ("image_content", FormKind::File),
    ("image_name", FormKind::Text),
];

fn validate_upload(biz: Option<&Value>, form: &[(String, String)]) -> Result<(), ValidationError> {
    let request: UploadRequest = validate::typed_request(biz, form, FIELDS)?;
    if let Some(name) = &request.image_name {
        validate::max_length("image_name", name, 8)?;
    }
    Ok(())
}

fn sha256_hex(bytes: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

fn parts(name: &str, file: Option<FileUpload>) -> RequestParts {
    RequestParts {
        biz_content: None,
        form: vec![("image_name", name.to_owned())],
        files: file.map(|f| ("image_content", f)).into_iter().collect(),
    }
}

fn content(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 256) as u8).collect()
}

#[tokio::test]
async fn a_file_from_disk_in_utf8_and_gbk() {
    let gw = TestGateway::start(METHODS).await.expect("gateway");
    let dir = std::env::temp_dir().join(format!("alipay-gw-upload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("门店.jpg");
    let bytes = content(1024 * 1024 + 3);
    std::fs::write(&path, &bytes).unwrap();

    for charset in [Charset::Utf8, Charset::Gbk] {
        let client = gw
            .client_builder()
            .charset(charset)
            .timeout(Duration::from_secs(10))
            .build()
            .unwrap();
        let answer = client
            .execute_raw(METHOD, &parts("海底捞", Some(FileUpload::from_path(&path))))
            .await
            .expect("accepted");
        assert!(answer.is_success());
        let last = gw.gateway().requests().pop().unwrap();
        assert!(last.signature_verified, "{last:?}");
        assert_eq!(last.charset, charset.as_str());
        assert_eq!(last.param("image_name"), Some("海底捞"));
        assert_eq!(
            last.files,
            vec![RecordedFile {
                name: "image_content".into(),
                file_name: "门店.jpg".into(),
                content_type: Some("image/jpeg".into()),
                size: bytes.len() as u64,
                sha256: sha256_hex(&bytes),
            }]
        );
        // The file is no parameter: it was not signed.
        assert!(last.param("image_content").is_none());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn bytes_and_a_reader_of_unknown_length() {
    let gw = TestGateway::start(METHODS).await.expect("gateway");
    let client = gw.client().unwrap();
    let bytes = content(70_000);
    let reader = std::io::Cursor::new(bytes.clone());
    for file in [
        FileUpload::from_bytes("a.png", bytes.clone()),
        FileUpload::from_reader("a.png", reader).with_content_type("image/png"),
    ] {
        client
            .execute_raw(METHOD, &parts("x", Some(file)))
            .await
            .expect("accepted");
        let f = gw.gateway().requests().pop().unwrap().files.remove(0);
        assert_eq!(f.file_name, "a.png");
        assert_eq!(f.content_type.as_deref(), Some("image/png"));
        assert_eq!(f.size, bytes.len() as u64);
        assert_eq!(f.sha256, sha256_hex(&bytes));
    }
}

#[tokio::test]
async fn the_gateway_validates_text_parts_and_requires_the_file() {
    let gw = TestGateway::start(METHODS).await.expect("gateway");
    let client = gw.client().unwrap();
    // The method's rules apply to the text parts.
    let long = parts(
        "九个字太长了吧真的",
        Some(FileUpload::from_bytes("a.jpg", vec![1])),
    );
    match client.execute_raw(METHOD, &long).await {
        Err(Error::Gateway(e)) => {
            assert_eq!(e.code().as_str(), "40002");
            assert!(e.sub_msg().contains("image_name"), "{}", e.sub_msg());
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    // A required file that did not come (urlencoded, no file part at all).
    match client.execute_raw(METHOD, &parts("x", None)).await {
        Err(Error::Gateway(e)) => {
            assert!(e.sub_msg().contains("image_content"), "{}", e.sub_msg());
            assert_eq!(
                e.sub_msg(),
                format!(
                    "参数无效: {}",
                    ValidationError::new("image_content", Rule::Required)
                )
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let logged = gw.gateway().requests();
    assert_eq!(logged.len(), 2);
    assert!(logged.iter().all(|r| r.signature_verified));
}

#[tokio::test]
async fn a_text_field_sent_as_a_file_part_does_not_pass_unsigned() {
    let gw = TestGateway::start(METHODS).await.expect("gateway");
    let client = gw.client().unwrap();
    // `image_name` as a file part: its "value" (the part's file name, 9 characters over the
    // maximum of 8) would reach the validation unsigned.
    let smuggled = RequestParts {
        biz_content: None,
        form: Vec::new(),
        files: vec![
            ("image_content", FileUpload::from_bytes("a.jpg", vec![1])),
            ("image_name", FileUpload::from_bytes("unsigned!", vec![2])),
        ],
    };
    match client.execute_raw(METHOD, &smuggled).await {
        Err(Error::Gateway(e)) => {
            assert_eq!(e.code().as_str(), "40002");
            assert_eq!(e.sub_code().as_str(), "isv.invalid-parameter");
            assert!(
                e.sub_msg()
                    .contains("the part `image_name` is sent as a file"),
                "{}",
                e.sub_msg()
            );
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let last = gw.gateway().requests().pop().unwrap();
    assert!(last.signature_verified);
    assert_eq!(last.answer.code.as_deref(), Some("40002"));
    // The file field itself still goes as a file part.
    client
        .execute_raw(
            METHOD,
            &parts("x", Some(FileUpload::from_bytes("a.jpg", vec![1]))),
        )
        .await
        .expect("accepted");
}
