//! The v3 protocol's core (`alipay_runtime::v3`) against `shared/vectors/v3_node.json`: every
//! request vector's auth string, signed string, signature and `Authorization` header byte for
//! byte (and the query written as the Node SDK sends it), and every response vector as a strict
//! client must take it (stricter than the Node SDK where its README says so).

use alipay_runtime::encrypt::EncryptKey;
use alipay_runtime::keys::{PrivateKey, PublicKey};
use alipay_runtime::v3::{self, AnswerError, AnswerHeaders, Auth};
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors/");

fn vectors() -> Value {
    let path = format!("{DIR}v3_node.json");
    serde_json::from_slice(&std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
        .expect("vector JSON")
}

fn key_text(file: &str) -> String {
    let path = format!("{DIR}keys/{file}");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn s<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{}: {key} is not a string", v["name"]))
}

fn header<'a>(headers: &'a Value, name: &str) -> Option<&'a str> {
    headers
        .as_array()?
        .iter()
        .find(|h| h[0].as_str() == Some(name))
        .and_then(|h| h[1].as_str())
}

/// The parts of an auth string, read back (the vectors' nonces and times are random).
fn auth_of(text: &str) -> (String, Option<String>, String, u64) {
    let field = |name: &str| {
        text.split(',')
            .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
            .map(str::to_owned)
    };
    (
        field("app_id").unwrap(),
        field("app_cert_sn"),
        field("nonce").unwrap(),
        field("timestamp").unwrap().parse().unwrap(),
    )
}

#[test]
fn every_request_vector_signs_byte_for_byte() {
    let all = vectors();
    let key = PrivateKey::parse(&key_text("app_private_pkcs1.pem")).unwrap();
    let app_cert_sn = s(&all["keys"], "app_cert_sn");
    let mut checked = 0;
    for v in all["vectors"].as_array().unwrap() {
        if v["kind"] != "request" {
            continue;
        }
        let request = &v["request"];
        let headers = &request["headers"];
        // The auth string, from its parts.
        let (app_id, cert_sn, nonce, timestamp_ms) = auth_of(s(v, "auth_string"));
        let cert_mode =
            v["config"].get("appCertPath").is_some() || v["config"].get("appCertContent").is_some();
        assert_eq!(cert_sn.is_some(), cert_mode, "{}", v["name"]);
        if let Some(sn) = &cert_sn {
            assert_eq!(sn, app_cert_sn);
        }
        let auth = Auth {
            app_id: &app_id,
            app_cert_sn: cert_sn.as_deref(),
            nonce: &nonce,
            timestamp_ms,
        }
        .text();
        assert_eq!(auth, s(v, "auth_string"));
        // The signed string: the target as sent, the body line (a multipart body's `data`
        // part; the ciphertext of an encrypted one), the token.
        let body_line = match v.get("multipart").filter(|m| !m.is_null()) {
            Some(m) => s(&m["parts"][0], "content").to_owned(),
            None => request["body"].as_str().unwrap_or("").to_owned(),
        };
        let token = header(headers, "alipay-app-auth-token");
        let signed = v3::sign_string(
            &auth,
            s(request, "method"),
            s(request, "path_and_query"),
            body_line.as_bytes(),
            token,
        );
        if v["sign_string_matches_wire"] == true {
            assert_eq!(
                String::from_utf8(signed.clone()).unwrap(),
                s(v, "sign_string"),
                "{}",
                v["name"]
            );
        } else {
            // The Node SDK signed one target and sent another: we sign what is sent.
            assert_ne!(
                String::from_utf8(signed.clone()).unwrap(),
                s(v, "sign_string")
            );
            assert_eq!(
                String::from_utf8(signed.clone()).unwrap(),
                s(v, "sign_string_rebuilt_from_wire"),
                "{}",
                v["name"]
            );
        }
        // The signature and the header, over what the SDK signed (deterministic).
        let header_value = v3::authorization(&key, &auth, s(v, "sign_string").as_bytes()).unwrap();
        assert_eq!(
            Some(header_value.as_str()),
            header(headers, "authorization"),
            "{}",
            v["name"]
        );
        assert!(header_value.ends_with(&format!(",sign={}", s(v, "sign"))));
        checked += 1;
    }
    assert_eq!(checked, 14);
}

#[test]
fn the_query_is_written_as_the_node_sdk_sends_it() {
    let all = vectors();
    let v = all["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "get_query_params_encoding")
        .unwrap();
    // The `query` object of the vector's call, in its order.
    let query = v3::query_string([
        ("bill_type", "trade"),
        ("bill_date", "2024-07-30"),
        ("memo", "中文 a+b&c=d/e?f#g"),
        ("unreserved", "~*-._!'()"),
        ("empty", ""),
        ("n", "12"),
        ("flag", "true"),
        ("key name", "x"),
    ]);
    let target = v3::target("/v3/alipay/data/dataservice/bill/downloadurl/query", &query);
    assert!(
        s(v, "call").contains(r#""memo":"中文 a+b&c=d/e?f#g""#),
        "{}",
        s(v, "call")
    );
    assert_eq!(target, s(&v["request"], "path_and_query"));
    assert_eq!(v3::target("/v3/x", ""), "/v3/x");
}

/// What a strict client makes of a response vector: `accept`, `reject` or `error`.
fn outcome(v: &Value, alipay: &PublicKey, aes: &EncryptKey, alipay_cert_sn: &str) -> &'static str {
    let response = &v["response"];
    let pairs: Vec<(&str, &str)> = response["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h[0].as_str().unwrap(), h[1].as_str().unwrap()))
        .collect();
    let headers = AnswerHeaders::from_pairs(pairs);
    let status = response["status"].as_u64().unwrap() as u16;
    let body = s(response, "body").as_bytes();
    let cert_mode = v["config"].get("alipayPublicCertContent").is_some()
        || v["config"].get("alipayPublicCertPath").is_some();
    let sn = cert_mode.then_some(alipay_cert_sn);
    let encrypted = v["config"].get("encryptKey").is_some()
        || response["aes_plaintext"].is_string()
        || v["name"].as_str().is_some_and(|n| n.contains("aes"));
    let result = if encrypted {
        v3::verify_encrypted_answer(status, &headers, body, alipay, sn, aes).map(|_| ())
    } else {
        v3::verify_answer(status, &headers, body, alipay, sn).map(|_| ())
    };
    match result {
        Ok(()) => "accept",
        Err(AnswerError::Api(e)) => {
            assert_eq!(e.status(), status);
            assert_eq!(e.trace_id(), headers.trace_id);
            let json: Value = serde_json::from_slice(body).unwrap_or_default();
            assert_eq!(e.code_str(), json["code"].as_str(), "{}", v["name"]);
            assert_eq!(e.message(), json["message"].as_str(), "{}", v["name"]);
            // Verified only when signed and the signature holds.
            let signed_ok =
                response["openssl_verify_as_sent_with_keys/alipay_public.pem"] == "Verified OK";
            assert_eq!(e.verified(), signed_ok, "{}", v["name"]);
            "error"
        }
        Err(_) => "reject",
    }
}

#[test]
fn every_response_vector_is_taken_as_a_strict_client_must() {
    let all = vectors();
    let alipay = PublicKey::parse(&key_text("alipay_public.pem")).unwrap();
    let aes = EncryptKey::from_base64(s(&all["keys"], "aes_key")).unwrap();
    let sn = s(&all["keys"], "alipay_cert_sn");
    let mut checked = 0;
    for v in all["vectors"].as_array().unwrap() {
        if v["kind"] != "response" {
            continue;
        }
        let expected = s(v, "expected");
        let got = outcome(v, &alipay, &aes, sn);
        match expected {
            // Where either is acceptable, the strict side is taken: refused, never accepted
            // on a doubt (an unpadded or URL-safe signature, a certificate answer without SN).
            "either" => assert_eq!(got, "reject", "{}", v["name"]),
            _ => assert_eq!(got, expected, "{}: {}", v["name"], s(v, "expected_reason")),
        }
        checked += 1;
    }
    assert_eq!(checked, 24);
}

#[test]
fn the_header_names_are_read_case_insensitively_first_one_counting() {
    let h = AnswerHeaders::from_pairs([
        ("Alipay-Signature", "a"),
        ("alipay-signature", "b"),
        ("ALIPAY-NONCE", "n"),
        ("x-other", "o"),
    ]);
    assert_eq!(h.signature, Some("a"));
    assert_eq!(h.nonce, Some("n"));
    assert_eq!(h.timestamp, None);
}

#[test]
fn a_line_feed_in_the_timestamp_or_nonce_cannot_move_where_the_body_starts() {
    // Found by reading verify_answer: the signed string is `timestamp\nnonce\nbody\n`, and
    // AnswerHeaders (public fields, or from_pairs over headers a caller decoded) could carry
    // a line feed, so Alipay's signature over one answer verified a suffix of its body.
    use alipay_runtime::sign::{SignType, sign_base64};
    let alipay_private = PrivateKey::parse(&key_text("alipay_private_pkcs1.pem")).unwrap();
    let alipay = PublicKey::parse(&key_text("alipay_public.pem")).unwrap();
    let body = "{\"a\":1}\n{\"code\":\"forged\"}";
    let signed = format!("1722306093000\nnonce-1\n{body}\n");
    let signature = sign_base64(&alipay_private, SignType::Rsa2, signed.as_bytes()).unwrap();
    let honest = AnswerHeaders {
        timestamp: Some("1722306093000"),
        nonce: Some("nonce-1"),
        signature: Some(&signature),
        ..AnswerHeaders::default()
    };
    // As sent: the signature holds (the body is not one JSON object, so it is refused anyway).
    assert!(matches!(
        v3::verify_answer(200, &honest, body.as_bytes(), &alipay, None),
        Err(AnswerError::NotJson)
    ));
    // Split elsewhere: the nonce swallows the first line, the rest poses as the body.
    let moved = AnswerHeaders {
        nonce: Some("nonce-1\n{\"a\":1}"),
        ..honest
    };
    let err = v3::verify_answer(200, &moved, b"{\"code\":\"forged\"}", &alipay, None).unwrap_err();
    assert!(matches!(err, AnswerError::Signature(_)), "{err:?}");
    let moved = AnswerHeaders {
        timestamp: Some("1722306093000\nnonce-1"),
        nonce: Some("{\"a\":1}"),
        ..honest
    };
    let err = v3::verify_answer(200, &moved, b"{\"code\":\"forged\"}", &alipay, None).unwrap_err();
    assert!(matches!(err, AnswerError::Signature(_)), "{err:?}");
}
