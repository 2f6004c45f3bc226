//! Response verification beyond the shared vectors: GBK bodies, unsigned gateway answers, and
//! malformed bodies, each with the exact error kind.

use alipay_runtime::SignatureError;
use alipay_runtime::charset::Charset;
use alipay_runtime::keys::{PrivateKey, PublicKey};
use alipay_runtime::sign::{self, SignType};
use alipay_runtime::verify::{ResponseError, verify_response};

const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors/keys/");
const METHOD: &str = "alipay.user.agreement.auth.confirm";
const NODE: &str = "alipay_user_agreement_auth_confirm_response";

fn alipay_private() -> PrivateKey {
    PrivateKey::from_file(format!("{KEYS}alipay_private_pkcs8.pem")).unwrap()
}

fn alipay_public() -> PublicKey {
    PublicKey::from_file(format!("{KEYS}alipay_public.pem")).unwrap()
}

/// Signs `node` as Alipay does: over its bytes in the response charset.
fn sign_node(node: &str, charset: Charset) -> String {
    let bytes = charset.encode(node).unwrap();
    sign::sign_base64(&alipay_private(), SignType::Rsa2, &bytes).unwrap()
}

/// The rejection of a wrong signature over the method node, verified as RSA2 in `charset`.
fn invalid(charset: Charset) -> ResponseError {
    ResponseError::Signature(SignatureError::Invalid {
        node: NODE.to_owned(),
        sign_type: SignType::Rsa2,
        charset,
    })
}

fn verify(
    body: &[u8],
    charset: Charset,
) -> Result<alipay_runtime::verify::VerifiedResponse, ResponseError> {
    verify_response(body, METHOD, charset, SignType::Rsa2, &alipay_public())
}

#[test]
fn gbk_body_verifies_over_gbk_bytes_located_after_decoding() {
    // 衆 衶 衹 are D0 5C, D0 7B, D0 7D in GBK: their trail bytes are '\', '{' and '}'.
    let node =
        r#"{"code":"10000","msg":"Success","user_name":"王龙海","memo":"衆衶衹}{\\ 校验成功"}"#;
    let text = format!(
        r#"{{"{NODE}":{node},"sign":"{}"}}"#,
        sign_node(node, Charset::Gbk)
    );
    let body = Charset::Gbk.encode(&text).unwrap().into_owned();
    let raw_braces = body.iter().filter(|&&b| b == b'}').count();
    assert!(
        raw_braces > text.matches('}').count(),
        "the body exercises the GBK trap"
    );

    let verified = verify(&body, Charset::Gbk).unwrap();
    assert_eq!(verified.node_text(), node);
    assert_eq!(verified.code, "10000");
    #[derive(serde::Deserialize)]
    struct Answer {
        user_name: String,
        memo: String,
    }
    let answer: Answer = verified.deserialize_node().unwrap();
    assert_eq!(answer.user_name, "王龙海");
    assert_eq!(answer.memo, "衆衶衹}{\\ 校验成功");

    // GB2312 is handled as GBK.
    assert!(verify(&body, Charset::Gb2312).is_ok());
    // The same body read as UTF-8 is malformed, not guessed at.
    assert!(matches!(
        verify(&body, Charset::Utf8),
        Err(ResponseError::Malformed(_))
    ));
    // A signature over the UTF-8 bytes does not verify a GBK response.
    let text = format!(
        r#"{{"{NODE}":{node},"sign":"{}"}}"#,
        sign_node(node, Charset::Utf8)
    );
    let body = Charset::Gbk.encode(&text).unwrap().into_owned();
    assert_eq!(
        verify(&body, Charset::Gbk).unwrap_err(),
        invalid(Charset::Gbk)
    );
}

#[test]
fn unsigned_gateway_error_is_its_own_kind() {
    let body = r#"{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-app-id","sub_msg":"无效的AppID参数"}}"#;
    let err = verify(body.as_bytes(), Charset::Utf8).unwrap_err();
    let ResponseError::UnverifiedGatewayAnswer(answer) = &err else {
        panic!("expected an unverified answer, got {err:?}");
    };
    assert_eq!(
        (
            answer.code(),
            answer.msg(),
            answer.sub_code(),
            answer.sub_msg()
        ),
        (
            "40002",
            "Invalid Arguments",
            Some("isv.invalid-app-id"),
            Some("无效的AppID参数")
        )
    );
    let shown = err.to_string();
    assert!(
        shown.contains("unverified") && shown.contains("isv.invalid-app-id"),
        "{shown}"
    );

    let empty_sign =
        r#"{"error_response":{"code":"20000","msg":"Service Currently Unavailable"},"sign":""}"#;
    assert!(matches!(
        verify(empty_sign.as_bytes(), Charset::Utf8),
        Err(ResponseError::UnverifiedGatewayAnswer(a)) if a.code() == "20000" && a.sub_code().is_none()
    ));
    // An unsigned success never passes, and is not dressed up as a gateway answer.
    let success = format!(r#"{{"{NODE}":{{"code":"10000","msg":"Success"}}}}"#);
    assert_eq!(
        verify(success.as_bytes(), Charset::Utf8).unwrap_err(),
        ResponseError::Signature(SignatureError::Missing)
    );
    let no_code = format!(r#"{{"{NODE}":{{"access_token":"x"}},"sign":null}}"#);
    assert_eq!(
        verify(no_code.as_bytes(), Charset::Utf8).unwrap_err(),
        ResponseError::Signature(SignatureError::Missing)
    );
}

#[test]
fn node_without_code_verifies_as_success() {
    // Some methods (alipay.system.oauth.token) answer success without code/msg.
    let node = r#"{"access_token":"composeB1","user_id":"2088102150477652","expires_in":3600}"#;
    let body = format!(
        r#"{{"{NODE}":{node},"sign":"{}"}}"#,
        sign_node(node, Charset::Utf8)
    );
    let verified = verify(body.as_bytes(), Charset::Utf8).unwrap();
    assert_eq!(verified.code, "");
    assert!(verified.is_success());
    // A numeric code is read as text.
    let node = r#"{"code":10000,"msg":"Success"}"#;
    let body = format!(
        r#"{{"{NODE}":{node},"sign":"{}"}}"#,
        sign_node(node, Charset::Utf8)
    );
    assert_eq!(
        verify(body.as_bytes(), Charset::Utf8).unwrap().code,
        "10000"
    );
}

#[test]
fn method_node_wins_over_an_unsigned_error_response() {
    let node = r#"{"code":"10000","msg":"Success"}"#;
    let body = format!(
        r#"{{"error_response":{{"code":"40004"}},"{NODE}":{node},"sign":"{}"}}"#,
        sign_node(node, Charset::Utf8)
    );
    let verified = verify(body.as_bytes(), Charset::Utf8).unwrap();
    assert_eq!(verified.node_name, NODE);
    assert!(!verified.is_error_response);
}

#[test]
fn malformed_bodies_are_rejected_with_their_kind() {
    let node = r#"{"code":"10000","msg":"Success"}"#;
    let sign = sign_node(node, Charset::Utf8);
    type Check = fn(&ResponseError) -> bool;
    let cases: Vec<(String, Check)> = vec![
        ("".into(), |e| matches!(e, ResponseError::Malformed(_))),
        ("<html>502 Bad Gateway</html>".into(), |e| {
            matches!(e, ResponseError::Malformed(_))
        }),
        (format!(r#"[{{"{NODE}":{node}}}]"#), |e| {
            matches!(e, ResponseError::Malformed(_))
        }),
        (
            format!(r#"{{"{NODE}":{node},"sign":"{sign}"}} trailing"#),
            |e| matches!(e, ResponseError::Malformed(_)),
        ),
        (format!(r#"{{"{NODE}":{node},"sign":"{sign}""#), |e| {
            matches!(e, ResponseError::Malformed(_))
        }),
        (format!(r#"{{"{NODE}":"{{}}","sign":"{sign}"}}"#), |e| {
            matches!(e, ResponseError::Malformed(_))
        }),
        (format!(r#"{{"{NODE}":{node},"sign":42}}"#), |e| {
            matches!(e, ResponseError::Malformed(_))
        }),
        (
            format!(r#"{{"other_response":{node},"sign":"{sign}"}}"#),
            |e| matches!(e, ResponseError::NodeMissing { expected } if expected == NODE),
        ),
        (
            format!(r#"{{"{NODE}":{node},"sign":"{sign}","si\u0067n":"x"}}"#),
            |e| *e == ResponseError::DuplicateKey("sign".into()),
        ),
        (
            format!(r#"{{"{NODE}":{node},"sign":"{}"}}"#, &sign[4..]),
            |e| *e == invalid(Charset::Utf8),
        ),
        (format!(r#"{{"{NODE}":{node},"sign":"!!{sign}"}}"#), |e| {
            *e == invalid(Charset::Utf8)
        }),
    ];
    for (body, expected) in cases {
        let err = verify(body.as_bytes(), Charset::Utf8).expect_err(&body);
        assert!(expected(&err), "{body}: got {err:?}");
    }
    // Sanity: the well-formed body verifies.
    let body = format!(r#"{{"{NODE}":{node},"sign":"{sign}"}}"#);
    assert!(verify(body.as_bytes(), Charset::Utf8).is_ok());
    // RSA (SHA1) responses verify with sign_type RSA only.
    let sha1 = sign::sign_base64(&alipay_private(), SignType::Rsa, node.as_bytes()).unwrap();
    let body = format!(r#"{{"{NODE}":{node},"sign":"{sha1}"}}"#);
    assert!(
        verify_response(
            body.as_bytes(),
            METHOD,
            Charset::Utf8,
            SignType::Rsa,
            &alipay_public()
        )
        .is_ok()
    );
    assert_eq!(
        verify(body.as_bytes(), Charset::Utf8).unwrap_err(),
        invalid(Charset::Utf8)
    );
}

#[test]
fn deep_nesting_does_not_exhaust_the_stack() {
    for depth in [1_000usize, 200_000] {
        let body = format!(
            r#"{{"{NODE}":{{"a":{}{}}},"sign":"x"}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        );
        // Valid JSON: located without recursion, then the bogus signature fails.
        assert_eq!(
            verify(body.as_bytes(), Charset::Utf8).unwrap_err(),
            invalid(Charset::Utf8)
        );
        let unclosed = format!(r#"{{"{NODE}":{}"#, "{\"a\":".repeat(depth));
        assert!(verify(unclosed.as_bytes(), Charset::Utf8).is_err());
    }
}

#[test]
fn debug_of_a_verified_response_leaves_the_node_out() {
    // Found by printing a verified answer with `{:?}`: the whole node showed, an
    // alipay.system.oauth.token answer's access_token and refresh_token included, and so
    // did the plaintext of an AES-encrypted answer.
    let node = r#"{"code":"10000","msg":"Success","access_token":"authusrB-SECRET-AT","refresh_token":"authusrB-SECRET-RT"}"#;
    let body = format!(
        r#"{{"{NODE}":{node},"sign":"{}"}}"#,
        sign_node(node, Charset::Utf8)
    );
    let verified = verify(body.as_bytes(), Charset::Utf8).unwrap();
    let aes = alipay_runtime::EncryptKey::from_base64("LWWCLAong8Vx0XsBzWhMFg==").unwrap();
    let sealed = format!("\"{}\"", aes.encrypt(node));
    let body = format!(
        r#"{{"{NODE}":{sealed},"sign":"{}"}}"#,
        sign_node(&sealed, Charset::Utf8)
    );
    let decrypted = alipay_runtime::verify::verify_encrypted_response(
        body.as_bytes(),
        METHOD,
        Charset::Utf8,
        SignType::Rsa2,
        &alipay_public(),
        &aes,
    )
    .unwrap();
    assert!(decrypted.encrypted);
    for v in [&verified, &decrypted] {
        assert_eq!(v.node_text(), node);
        let debug = format!("{v:?}");
        assert!(!debug.contains("SECRET"), "{debug}");
        assert!(
            debug.contains(&format!("node_len: {}", node.len())),
            "{debug}"
        );
        assert!(debug.contains("code: \"10000\""), "{debug}");
    }
}
