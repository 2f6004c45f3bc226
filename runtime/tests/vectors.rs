//! Every vector in `shared/vectors/` (`sign.json`, `verify_response.json`, `verify_notify.json`,
//! `verify_notify_more.json`, `verify_notify_real.json`),
//! one test per vector name, with the compiled-in backend. CI runs this file once per backend:
//! `cargo test -p alipay-runtime` and
//! `cargo test -p alipay-runtime --no-default-features --features rsa`.
//! Each file also has a test asserting that the list of names below is exactly the file's.

use std::sync::OnceLock;

use alipay_runtime::SignatureError;
use alipay_runtime::charset::Charset;
use alipay_runtime::keys::{PrivateKey, PublicKey};
use alipay_runtime::notify::{self, NotifyError, SignedContent};
use alipay_runtime::sign::{self, SignType};
use alipay_runtime::sign_content::sign_content;
use alipay_runtime::verify::{ResponseError, verify_response};
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors/");

fn load(file: &str) -> Vec<Value> {
    let path = format!("{DIR}{file}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    match serde_json::from_str(&text) {
        Ok(Value::Array(items)) => items,
        other => panic!("{path}: expected a JSON array, got {other:?}"),
    }
}

fn cached(file: &'static str) -> &'static [Value] {
    static SIGN: OnceLock<Vec<Value>> = OnceLock::new();
    static RESPONSE: OnceLock<Vec<Value>> = OnceLock::new();
    static NOTIFY: OnceLock<Vec<Value>> = OnceLock::new();
    static NOTIFY_MORE: OnceLock<Vec<Value>> = OnceLock::new();
    static NOTIFY_REAL: OnceLock<Vec<Value>> = OnceLock::new();
    let cell = match file {
        "sign.json" => &SIGN,
        "verify_response.json" => &RESPONSE,
        "verify_notify.json" => &NOTIFY,
        "verify_notify_more.json" => &NOTIFY_MORE,
        "verify_notify_real.json" => &NOTIFY_REAL,
        _ => panic!("unknown vector file {file}"),
    };
    cell.get_or_init(|| load(file))
}

fn vector(file: &'static str, name: &str) -> &'static Value {
    cached(file)
        .iter()
        .find(|v| v["name"] == name)
        .unwrap_or_else(|| panic!("{file} has no vector named {name}"))
}

fn names(file: &'static str) -> Vec<&'static str> {
    cached(file)
        .iter()
        .map(|v| v["name"].as_str().expect("vector name"))
        .collect()
}

fn text<'a>(v: &'a Value, field: &str) -> &'a str {
    v[field]
        .as_str()
        .unwrap_or_else(|| panic!("vector {}: field {field} is not a string", v["name"]))
}

fn key_path(relative: &str) -> String {
    format!("{DIR}{relative}")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// One `#[test]` per name, and one test that the file holds exactly these names.
macro_rules! vectors {
    ($file:literal, $run:ident, [$($name:ident),* $(,)?]) => {
        $(
            #[test]
            fn $name() {
                super::$run(super::vector($file, stringify!($name)));
            }
        )*

        #[test]
        fn every_vector_in_the_file_is_tested() {
            assert_eq!(super::names($file), vec![$(stringify!($name)),*]);
        }
    };
}

fn run_sign(v: &Value) {
    let name = text(v, "name");
    let params: Vec<(&str, &str)> = v["params"]
        .as_object()
        .expect("params")
        .iter()
        .map(|(k, val)| (k.as_str(), val.as_str().expect("param value")))
        .collect();
    let content = sign_content(params.iter().copied());
    assert_eq!(content, text(v, "sign_content"), "{name}: sign content");

    let charset: Charset = text(v, "charset").parse().expect("charset");
    let bytes = charset.encode(&content).expect("encodable");
    if let Some(expected_hex) = v["sign_content_bytes_hex"].as_str() {
        assert_eq!(hex(&bytes), expected_hex, "{name}: encoded sign content");
    }

    let sign_type: SignType = text(v, "sign_type").parse().expect("sign_type");
    let pem_path = key_path(text(v, "private_key_file"));
    let key = PrivateKey::from_file(&pem_path).expect("private key");
    assert_eq!(key.bits(), 2048);
    let signature = sign::sign_base64(&key, sign_type, &bytes).expect("sign");
    assert_eq!(signature, text(v, "sign"), "{name}: signature");

    // The bare base64 twin of the key file signs identically.
    let b64_path = pem_path.replace(".pem", ".b64");
    let b64 = std::fs::read_to_string(&b64_path).expect("b64 key");
    let twin = PrivateKey::from_base64(&b64).expect("b64 private key");
    assert_eq!(
        sign::sign_base64(&twin, sign_type, &bytes).unwrap(),
        signature
    );

    // And the app public key verifies it.
    let public = PublicKey::from_file(key_path("keys/app_public.pem")).expect("public key");
    assert_eq!(public, key.public_key());
    public
        .verify(sign_type, &bytes, &signature)
        .expect("verifies with the app public key");
    let other = if sign_type == SignType::Rsa2 {
        SignType::Rsa
    } else {
        SignType::Rsa2
    };
    assert!(
        public.verify(other, &bytes, &signature).is_err(),
        "{name}: wrong digest"
    );
}

mod sign_json {
    vectors!(
        "sign.json",
        run_sign,
        [
            user_agreement_auth_confirm_rsa2_utf8_pkcs1,
            user_agreement_auth_confirm_rsa2_utf8_pkcs8,
            user_agreement_auth_confirm_rsa_utf8,
            user_agreement_auth_confirm_rsa2_app_auth_token,
            user_agreement_auth_confirm_rsa2_without_format,
            ebpp_pdeduct_sign_validate_rsa2_utf8,
            ebpp_pdeduct_sign_validate_rsa_utf8,
            ebpp_pdeduct_sign_validate_rsa2_notify_url,
            ebpp_pdeduct_sign_validate_rsa2_gbk,
            ebpp_pdeduct_sign_validate_rsa2_gbk_pkcs8,
            ebpp_pdeduct_sign_validate_rsa_gbk,
            ebpp_pdeduct_sign_validate_rsa2_gbk_app_auth_token_notify_url,
        ]
    );
}

/// The exact rejection each rejected response vector must produce.
fn expected_rejection(name: &str, method: &str, sign_type: SignType) -> ResponseError {
    match name {
        "tampered_node" | "signed_with_wrong_key" => {
            ResponseError::Signature(SignatureError::Invalid {
                node: alipay_runtime::verify::response_node_name(method),
                sign_type,
                charset: Charset::Utf8,
            })
        }
        "sign_missing" => ResponseError::Signature(SignatureError::Missing),
        "sign_empty" => ResponseError::Signature(SignatureError::Empty),
        "duplicate_response_key_first_signed" | "duplicate_response_key_second_signed" => {
            ResponseError::DuplicateKey("alipay_user_agreement_auth_confirm_response".to_owned())
        }
        other => panic!("no expected rejection listed for {other}"),
    }
}

fn run_verify_response(v: &Value) {
    let name = text(v, "name");
    let key = PublicKey::from_file(key_path(text(v, "alipay_public_key_file"))).expect("key");
    let sign_type: SignType = text(v, "sign_type").parse().expect("sign_type");
    let method = text(v, "method");
    let result = verify_response(
        text(v, "raw_body").as_bytes(),
        method,
        Charset::Utf8,
        sign_type,
        &key,
    );
    match text(v, "expected") {
        "verified" => {
            let verified = result.unwrap_or_else(|e| panic!("{name}: expected verified, got {e}"));
            assert_eq!(
                verified.node_text(),
                text(v, "signed_text"),
                "{name}: node text"
            );
            let node: Value = verified.deserialize_node().expect("node deserializes");
            assert_eq!(
                node["code"],
                Value::String(verified.code.clone()),
                "{name}: code"
            );
            assert_eq!(
                verified.is_error_response,
                verified.node_name == "error_response"
            );
            match name {
                "business_failure_40004" => {
                    assert_eq!(verified.code, "40004");
                    assert_eq!(verified.msg, "Business Failed");
                    assert_eq!(verified.sub_code.as_deref(), Some("VALIDATECODE_EXPIRED"));
                    assert_eq!(verified.sub_msg.as_deref(), Some("校验码超时"));
                    assert!(!verified.is_success());
                }
                "gateway_error_response_signed" => {
                    assert!(verified.is_error_response);
                    assert_eq!(verified.node_name, "error_response");
                    assert_eq!(verified.code, "40002");
                    assert_eq!(verified.sub_code.as_deref(), Some("isv.invalid-signature"));
                    assert!(!verified.is_success());
                }
                _ => {
                    assert_eq!(
                        verified.node_name,
                        "alipay_user_agreement_auth_confirm_response"
                    );
                    assert!(!verified.is_error_response);
                    assert!(verified.is_success(), "{name}: success");
                }
            }
        }
        "rejected" => {
            let err = result.expect_err(name);
            assert_eq!(err, expected_rejection(name, method, sign_type), "{name}");
        }
        other => panic!("{name}: unknown expectation {other}"),
    }
}

mod verify_response_json {
    vectors!(
        "verify_response.json",
        run_verify_response,
        [
            success_node,
            business_failure_40004,
            gateway_error_response_signed,
            escapes_signed_as_sent,
            raw_utf8_non_ascii,
            sign_before_node,
            extra_member_alipay_cert_sn_between_node_and_sign,
            nested_with_sign_text_in_string,
            nested_member_named_sign,
            tampered_node,
            sign_missing,
            sign_empty,
            signed_with_wrong_key,
            duplicate_response_key_first_signed,
            duplicate_response_key_second_signed,
            pretty_printed_whitespace,
            pretty_printed_crlf,
        ]
    );
}

fn expected_notify_rejection(name: &str) -> NotifyError {
    match name {
        "tampered_amount" => NotifyError::SignatureInvalid,
        "missing_sign" => NotifyError::SignatureMissing,
        other => panic!("no expected rejection listed for {other}"),
    }
}

fn run_verify_notify(v: &Value) {
    let name = text(v, "name");
    let key = PublicKey::from_file(key_path("keys/alipay_public.pem")).expect("key");
    let params = v["params"].as_object().expect("params");
    let pairs: Vec<(String, String)> = params
        .iter()
        .map(|(k, val)| (k.clone(), val.as_str().expect("value").to_owned()))
        .collect();
    if let Some(expected) = v["sign_content"].as_str() {
        let content =
            notify::notify_sign_content(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        assert_eq!(content, expected, "{name}: sign content");
    }
    let from_body = notify::verify_notify(text(v, "form_body").as_bytes(), &key);
    let from_pairs = notify::verify_notify_pairs(&pairs, &key);
    match text(v, "expected") {
        "verified" => {
            let verified = from_body.unwrap_or_else(|e| panic!("{name}: body rejected: {e}"));
            let twin = from_pairs.unwrap_or_else(|e| panic!("{name}: pairs rejected: {e}"));
            assert_eq!(verified.sign_type(), SignType::Rsa2);
            assert_eq!(verified.charset(), Charset::Utf8);
            assert!(verified.get("sign").is_none());
            for (k, val) in params {
                if k != "sign" {
                    assert_eq!(verified.get(k), val.as_str(), "{name}: field {k}");
                    assert_eq!(twin.get(k), val.as_str(), "{name}: field {k} (pairs)");
                }
            }
            assert_eq!(verified.iter().count(), params.len() - 1);
            assert_eq!(verified.into_pairs().len(), params.len() - 1);
        }
        "rejected" => {
            let expected = expected_notify_rejection(name);
            assert_eq!(from_body.expect_err(name), expected, "{name} (body)");
            assert_eq!(from_pairs.expect_err(name), expected, "{name} (pairs)");
        }
        other => panic!("{name}: unknown expectation {other}"),
    }
}

mod verify_notify_json {
    vectors!(
        "verify_notify.json",
        run_verify_notify,
        [
            valid_rsa2,
            valid_chinese_percent_plus,
            tampered_amount,
            missing_sign
        ]
    );
}

/// The vector's fields with `name` set to `value` (added when absent), or removed (`None`).
fn edited(pairs: &[(String, String)], name: &str, value: Option<&str>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = pairs.iter().filter(|(k, _)| k != name).cloned().collect();
    if let Some(v) = value {
        out.push((name.to_owned(), v.to_owned()));
    }
    out
}

/// A different value of the same kind for a field: no field's value may change unnoticed.
fn changed(value: &str) -> String {
    match value {
        "RSA2" => "RSA".to_owned(),
        "RSA" => "RSA2".to_owned(),
        "GBK" => "utf-8".to_owned(),
        "utf-8" => "GBK".to_owned(),
        v => format!("{v}0"),
    }
}

/// Every way of changing a verified notification's values fails: each value changed, each
/// field removed, a field added.
fn assert_no_value_can_change(name: &str, pairs: &[(String, String)], key: &PublicKey) {
    for (field, value) in pairs.iter().filter(|(k, _)| k != "sign") {
        let other = changed(value);
        let got = notify::verify_notify_pairs(&edited(pairs, field, Some(&other)), key);
        assert!(
            matches!(
                got,
                Err(NotifyError::SignatureInvalid | NotifyError::Charset(_))
            ),
            "{name}: {field} changed to {other:?} must be refused, got {got:?}"
        );
        let got = notify::verify_notify_pairs(&edited(pairs, field, None), key);
        assert!(got.is_err(), "{name}: {field} removed must be refused");
    }
    let got = notify::verify_notify_pairs(&edited(pairs, "extra", Some("added")), key);
    assert_eq!(
        got,
        Err(NotifyError::SignatureInvalid),
        "{name}: field added"
    );
}

fn pairs_of(v: &Value) -> Vec<(String, String)> {
    v["params"]
        .as_object()
        .expect("params")
        .iter()
        .map(|(k, val)| (k.clone(), val.as_str().expect("value").to_owned()))
        .collect()
}

fn run_verify_notify_more(v: &Value) {
    let name = text(v, "name");
    assert_eq!(text(v, "expected"), "verified", "{name}");
    let key = PublicKey::from_file(key_path("keys/alipay_public.pem")).expect("key");
    let pairs = pairs_of(v);
    let with_sign_type = name.contains("including_sign_type");
    let content = if with_sign_type {
        notify::notify_sign_content_with_sign_type(
            pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        )
    } else {
        notify::notify_sign_content(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    };
    assert_eq!(content, text(v, "sign_content"), "{name}: sign content");
    let charset: Charset = v["params"]["charset"]
        .as_str()
        .unwrap_or("utf-8")
        .parse()
        .unwrap();
    if let Some(expected_hex) = v["sign_content_bytes_hex"].as_str() {
        assert_eq!(
            hex(&charset.encode(&content).unwrap()),
            expected_hex,
            "{name}: bytes"
        );
    }
    // The body as it arrives on the wire, in its charset (GBK bytes behind the %XX).
    let verified = notify::verify_notify(text(v, "form_body").as_bytes(), &key)
        .unwrap_or_else(|e| panic!("{name}: body rejected: {e}"));
    let twin = notify::verify_notify_pairs(&pairs, &key)
        .unwrap_or_else(|e| panic!("{name}: pairs rejected: {e}"));
    // The same parameters (the vector's `params` are in key order, the body in wire order).
    let sorted = |v: &notify::VerifiedNotify| {
        let mut pairs: Vec<(String, String)> = v
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        pairs.sort();
        (pairs, v.sign_type(), v.charset(), v.signed_content())
    };
    assert_eq!(sorted(&verified), sorted(&twin), "{name}");
    assert_eq!(verified.charset(), charset);
    let sign_type: SignType = text(&v["params"], "sign_type").parse().unwrap();
    assert_eq!(verified.sign_type(), sign_type);
    assert_eq!(
        verified.signed_content(),
        if with_sign_type {
            SignedContent::WithSignType
        } else {
            SignedContent::WithoutSignType
        },
        "{name}"
    );
    for (k, val) in &pairs {
        let expected = (k != "sign").then_some(val.as_str());
        assert_eq!(verified.get(k), expected, "{name}: field {k}");
    }
    assert_no_value_can_change(name, &pairs, &key);
    // The same body altered on the wire (a value's last character) is refused too.
    let body = text(v, "form_body").replacen("out_trade_no=T1", "out_trade_no=T2", 1);
    assert_eq!(
        notify::verify_notify(body.as_bytes(), &key),
        Err(NotifyError::SignatureInvalid),
        "{name}: body changed after signing"
    );
}

mod verify_notify_more_json {
    vectors!(
        "verify_notify_more.json",
        run_verify_notify_more,
        [valid_gbk_rsa2, rsa_sha1_signed_including_sign_type]
    );
}

fn run_verify_notify_real(v: &Value) {
    let name = text(v, "name");
    assert!(text(v, "expected").starts_with("verified"), "{name}");
    let key = PublicKey::from_base64(text(v, "alipay_public_key")).expect("key");
    let pairs = pairs_of(v);
    let verified = notify::verify_notify_pairs(&pairs, &key)
        .unwrap_or_else(|e| panic!("{name}: rejected: {e}"));
    assert_eq!(verified.signed_content(), SignedContent::WithoutSignType);
    assert_eq!(verified.get("total_amount"), Some("0.10"));
    assert_no_value_can_change(name, &pairs, &key);
    // And a key that did not sign it refuses it.
    let ours = PublicKey::from_file(key_path("keys/alipay_public.pem")).expect("key");
    assert_eq!(
        notify::verify_notify_pairs(&pairs, &ours),
        Err(NotifyError::SignatureInvalid)
    );
}

mod verify_notify_real_json {
    vectors!(
        "verify_notify_real.json",
        run_verify_notify_real,
        [real_trade_status_sync_2019]
    );
}
