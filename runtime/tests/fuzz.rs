//! Property tests: nothing from the network panics, and a body verifies only when the node text
//! it hands out is exactly the text that was signed.

use std::sync::OnceLock;

use alipay_runtime::charset::Charset;
use alipay_runtime::keys::{PrivateKey, PublicKey};
use alipay_runtime::notify::{verify_notify, verify_notify_pairs, verify_return};
use alipay_runtime::sign::{self, SignType};
use alipay_runtime::verify::verify_response;
use proptest::prelude::*;
use serde_json::Value;

const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors/keys/");
const METHOD: &str = "alipay.trade.query";
const NODE: &str = "alipay_trade_query_response";

fn public() -> &'static PublicKey {
    static KEY: OnceLock<PublicKey> = OnceLock::new();
    KEY.get_or_init(|| PublicKey::from_file(format!("{KEYS}alipay_public.pem")).unwrap())
}

fn private() -> &'static PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| PrivateKey::from_file(format!("{KEYS}alipay_private_pkcs1.pem")).unwrap())
}

fn charsets() -> impl Strategy<Value = Charset> {
    prop_oneof![
        Just(Charset::Utf8),
        Just(Charset::Gbk),
        Just(Charset::Gb2312)
    ]
}

/// JSON values with the characters that trip naive scanners.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[a-z{}\\[\\]\",:\\\\/ 中文衆衶衹]{0,12}".prop_map(Value::String),
        Just(Value::String("},\"sign\":\"AAAA".into())),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{1,6}|sign|code", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512), cs in charsets()) {
        let _ = verify_response(&body, METHOD, cs, SignType::Rsa2, public());
        let _ = verify_notify(&body, public());
        let _ = verify_return(&String::from_utf8_lossy(&body), public());
    }

    #[test]
    fn arbitrary_json_shaped_text_never_panics(body in "[{}\\[\\]\",:a-z_ 0-9\\\\]{0,200}") {
        let _ = verify_response(body.as_bytes(), "a.b", Charset::Utf8, SignType::Rsa2, public());
        let with_node = format!("{{\"a_b_response\":{body}");
        let _ = verify_response(with_node.as_bytes(), "a.b", Charset::Utf8, SignType::Rsa2, public());
    }

    #[test]
    fn arbitrary_key_text_never_panics(text in "\\PC{0,300}", bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = PrivateKey::parse(&text);
        let _ = PublicKey::parse(&text);
        use base64ct::Encoding as _;
        let b64 = base64ct::Base64::encode_string(&bytes);
        let _ = PrivateKey::parse(&b64);
        let _ = PublicKey::parse(&b64);
        let pem = format!("-----BEGIN PRIVATE KEY-----\n{b64}\n-----END PRIVATE KEY-----");
        let _ = PrivateKey::parse(&pem);
    }

    #[test]
    fn arbitrary_notify_pairs_never_verify_unsigned(pairs in prop::collection::vec(("[a-z_]{1,8}", "\\PC{0,16}"), 0..8)) {
        prop_assert!(verify_notify_pairs(&pairs, public()).is_err());
    }
}

proptest! {
    // Each case signs once; the pure-Rust backend is slow in debug builds.
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Any node, written compactly or pretty, with `sign` before or after it and extra members,
    /// verifies, and the node handed out is exactly the signed text.
    #[test]
    fn signed_nodes_are_located_by_structure(
        // code/msg/sub_code/sub_msg must be text in a node; everything else is free.
        node in prop::collection::btree_map(
            "[a-z_]{1,6}|sign".prop_filter("head member", |k| k != "code" && k != "msg"),
            json_value(),
            0..5,
        ),
        pretty in any::<bool>(),
        sign_first in any::<bool>(),
        cs in charsets(),
    ) {
        let node = Value::Object(node.into_iter().collect());
        let node_text = if pretty {
            serde_json::to_string_pretty(&node).unwrap().replace('\n', "\r\n")
        } else {
            serde_json::to_string(&node).unwrap()
        };
        let bytes = cs.encode(&node_text).unwrap();
        let signature = sign::sign_base64(private(), SignType::Rsa2, &bytes).unwrap();
        let body = if sign_first {
            format!("{{ \"sign\" : \"{signature}\",\n \"{NODE}\" :\t{node_text} , \"x\":[\"}}\"]}}")
        } else {
            format!("{{\"{NODE}\":{node_text},\"alipay_cert_sn\":\"}}{{\",\"sign\":\"{signature}\"}}")
        };
        let body = cs.encode(&body).unwrap();
        let verified = verify_response(&body, METHOD, cs, SignType::Rsa2, public()).unwrap();
        prop_assert_eq!(verified.node_text(), node_text.as_str());
        let parsed: Value = verified.deserialize_node().unwrap();
        prop_assert_eq!(parsed, node);
    }

    /// Changing any one byte of a signed body either gets it rejected or leaves the verified node
    /// text untouched (the byte was outside the node, e.g. whitespace or another member).
    #[test]
    fn one_byte_changes_never_alter_a_verified_node(index in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let node_text = r#"{"code":"10000","msg":"Success","total_amount":"88.88","memo":"},\"sign\":\"x"}"#;
        let signature = sign::sign_base64(private(), SignType::Rsa2, node_text.as_bytes()).unwrap();
        let body = format!("{{\"{NODE}\":{node_text}, \"sign\":\"{signature}\" }}");
        let mut body = body.into_bytes();
        let i = index.index(body.len());
        body[i] = byte;
        if let Ok(verified) = verify_response(&body, METHOD, Charset::Utf8, SignType::Rsa2, public()) {
            prop_assert_eq!(verified.node_text(), node_text);
        }
    }
}
