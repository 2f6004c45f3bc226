//! AES content encryption against `shared/vectors/aes.json` (both directions) and the AES request
//! of `modes_node.json` (`aes_request`).

use alipay_runtime::SignatureError;
use alipay_runtime::encrypt::EncryptKey;
use alipay_runtime::keys::PrivateKey;
use alipay_runtime::sign::{self, SignType};
use alipay_runtime::sign_content::sign_content;
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors/");

fn json(file: &str) -> Value {
    let path = format!("{DIR}{file}");
    serde_json::from_slice(&std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
        .expect("vector JSON")
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string"))
}

#[test]
fn every_aes_vector_both_ways() {
    let vectors = json("aes.json");
    let vectors = vectors.as_array().unwrap();
    assert_eq!(vectors.len(), 3);
    for v in vectors {
        let key = EncryptKey::from_base64(s(v, "key")).unwrap();
        assert_eq!(key.bits() as u64, v["key_bits"].as_u64().unwrap());
        assert_eq!(
            key.encrypt(s(v, "plaintext")),
            s(v, "ciphertext"),
            "{}",
            v["name"]
        );
        assert_eq!(
            key.decrypt(s(v, "ciphertext")).unwrap(),
            s(v, "plaintext"),
            "{}",
            v["name"]
        );
    }
}

#[test]
fn aes_request_signs_the_ciphertext() {
    let v = &json("modes_node.json")["aes_request"];
    let key = EncryptKey::from_base64(s(v, "key")).unwrap();
    let sent = v["params_signed_and_sent"].as_object().unwrap();
    assert_eq!(
        key.encrypt(s(v, "plaintext_biz_content")),
        s(&v["params_signed_and_sent"], "biz_content")
    );
    let private = PrivateKey::from_file(format!("{DIR}keys/app_private_pkcs1.pem")).unwrap();
    let content = sign_content(
        sent.iter()
            .filter(|(k, _)| *k != "sign")
            .map(|(k, v)| (k.as_str(), v.as_str().unwrap())),
    );
    let signature = sign::sign_base64(&private, SignType::Rsa2, content.as_bytes()).unwrap();
    assert_eq!(signature, s(&v["params_signed_and_sent"], "sign"));
}

#[test]
fn encrypted_answers_are_verified_with_their_quotes_then_decrypted() {
    use alipay_runtime::charset::Charset;
    use alipay_runtime::keys::PublicKey;
    use alipay_runtime::verify::{ResponseError, verify_encrypted_response, verify_response};

    let v = &json("modes_py.json")["aes_response"];
    let key = EncryptKey::from_base64(s(v, "key")).unwrap();
    assert_eq!(
        key.decrypt(s(v, "ciphertext")).unwrap(),
        s(v, "plaintext_node")
    );
    let alipay = PublicKey::from_file(format!("{DIR}keys/alipay_public.pem")).unwrap();
    let method = "alipay.user.agreement.auth.confirm";
    let verify_with = |name: &str, key: &EncryptKey| {
        verify_encrypted_response(
            s(&v["bodies"], name).as_bytes(),
            method,
            Charset::Utf8,
            SignType::Rsa2,
            &alipay,
            key,
        )
    };
    let verify = |name: &str| verify_with(name, &key);

    let ok = verify("encrypted_node_signed_with_quotes").unwrap();
    assert!(ok.encrypted && ok.is_success());
    assert_eq!(ok.node_text(), s(v, "plaintext_node"));
    assert_eq!(ok.alipay_cert_sn, None);

    // The other members do not matter; alipay_cert_sn is reported.
    let ok = verify("encrypted_node_cert_sn_member").unwrap();
    assert_eq!(ok.node_text(), s(v, "plaintext_node"));
    assert_eq!(
        ok.alipay_cert_sn.as_deref(),
        Some("e936b6ada25d55675100f055cc555013")
    );

    // Signed without the quotes: not what Alipay signs.
    assert_eq!(
        verify("encrypted_node_signed_without_quotes").unwrap_err(),
        ResponseError::Signature(SignatureError::Invalid {
            node: alipay_runtime::verify::response_node_name(method),
            sign_type: SignType::Rsa2,
            charset: Charset::Utf8,
        })
    );

    // Without the AES key the string node is not an answer at all.
    let err = verify_response(
        s(&v["bodies"], "encrypted_node_signed_with_quotes").as_bytes(),
        method,
        Charset::Utf8,
        SignType::Rsa2,
        &alipay,
    )
    .unwrap_err();
    assert!(matches!(err, ResponseError::Malformed(_)), "{err}");

    // A verified node that does not decrypt with this key is an error, never plaintext.
    let other = EncryptKey::from_base64("qVaHNMry8lTIa1R6RaJ5dQ==").unwrap();
    let err = verify_with("encrypted_node_signed_with_quotes", &other).unwrap_err();
    assert!(matches!(err, ResponseError::Decrypt(_)), "{err}");
}

#[test]
fn an_unencrypted_error_answer_is_still_handled() {
    use alipay_runtime::charset::Charset;
    use alipay_runtime::keys::PublicKey;
    use alipay_runtime::verify::verify_encrypted_response;

    let alipay_private =
        PrivateKey::from_file(format!("{DIR}keys/alipay_private_pkcs1.pem")).unwrap();
    let alipay = PublicKey::from_file(format!("{DIR}keys/alipay_public.pem")).unwrap();
    let node = r#"{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.decryption-error-not-valid-encrypt-key","sub_msg":"解密出错"}"#;
    let sign = sign::sign_base64(&alipay_private, SignType::Rsa2, node.as_bytes()).unwrap();
    let body = format!(r#"{{"error_response":{node},"sign":"{sign}"}}"#);
    let key = EncryptKey::from_base64("LWWCLAong8Vx0XsBzWhMFg==").unwrap();
    let verified = verify_encrypted_response(
        body.as_bytes(),
        "alipay.user.agreement.auth.confirm",
        Charset::Utf8,
        SignType::Rsa2,
        &alipay,
        &key,
    )
    .unwrap();
    assert!(!verified.encrypted && verified.is_error_response);
    assert_eq!(verified.code, "40002");
}
