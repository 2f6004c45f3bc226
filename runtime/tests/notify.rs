//! Notification and return verification beyond the shared vectors: GBK notifications, RSA
//! (SHA1), signatures over the form with `sign_type`, `return_url` queries, the
//! acknowledgement, and the exact rejection for each malformed notification.

use alipay_runtime::charset::Charset;
use alipay_runtime::keys::{PrivateKey, PublicKey};
use alipay_runtime::notify::{
    ACK, NotifyError, SignedContent, notify_sign_content, notify_sign_content_with_sign_type,
    verify_notify, verify_notify_pairs, verify_return, verify_return_pairs,
};
use alipay_runtime::sign::{self, SignType};

const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/vectors/keys/");

fn alipay_private() -> PrivateKey {
    PrivateKey::from_file(format!("{KEYS}alipay_private_pkcs1.pem")).unwrap()
}

fn alipay_public() -> PublicKey {
    PublicKey::from_file(format!("{KEYS}alipay_public.b64")).unwrap()
}

/// Signs `fields` as Alipay does, returning the fields plus `sign` and `sign_type`.
fn signed(fields: &[(&str, &str)], charset: Charset, sign_type: SignType) -> Vec<(String, String)> {
    let content = notify_sign_content(fields.iter().copied());
    with_signature(fields, &content, charset, sign_type)
}

/// `fields`, then `sign_type`, then `sign`: Alipay's signature of `content` in `charset`.
fn with_signature(
    fields: &[(&str, &str)],
    content: &str,
    charset: Charset,
    sign_type: SignType,
) -> Vec<(String, String)> {
    let bytes = charset.encode(content).unwrap();
    let signature = sign::sign_base64(&alipay_private(), sign_type, &bytes).unwrap();
    let mut pairs: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    pairs.push(("sign_type".into(), sign_type.as_str().into()));
    pairs.push(("sign".into(), signature));
    pairs
}

/// Form-encodes the pairs with their bytes in `charset`.
fn form_body(pairs: &[(String, String)], charset: Charset) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push(b'&');
        }
        for (j, part) in [k, v].into_iter().enumerate() {
            if j == 1 {
                out.push(b'=');
            }
            for &b in charset.encode(part).unwrap().iter() {
                match b {
                    b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                        out.push(b)
                    }
                    b' ' => out.push(b'+'),
                    _ => out.extend(format!("%{b:02X}").bytes()),
                }
            }
        }
    }
    out
}

const FIELDS: &[(&str, &str)] = &[
    ("notify_type", "trade_status_sync"),
    ("out_trade_no", "20240730102133001"),
    ("subject", "电费 衆衶衹 100%+赠品 & a=b"),
    ("total_amount", "88.88"),
    ("passback_params", ""),
];

#[test]
fn gbk_notification_verifies_over_gbk_bytes() {
    let mut fields = FIELDS.to_vec();
    fields.push(("charset", "GBK"));
    let pairs = signed(&fields, Charset::Gbk, SignType::Rsa2);
    let body = form_body(&pairs, Charset::Gbk);
    let verified = verify_notify(&body, &alipay_public()).unwrap();
    assert_eq!(verified.charset(), Charset::Gbk);
    assert_eq!(verified.get("subject"), Some("电费 衆衶衹 100%+赠品 & a=b"));
    assert_eq!(verified.get("passback_params"), Some(""));
    assert_eq!(verified.get("sign"), None);
    assert_eq!(verified.get("sign_type"), Some("RSA2"));
    // The same notification already decoded by a web framework.
    assert_eq!(
        verify_notify_pairs(&pairs, &alipay_public()).unwrap(),
        verified
    );
    // Read as UTF-8 bytes the GBK body is malformed.
    let relabelled = form_body(&pairs, Charset::Gbk);
    let relabelled = String::from_utf8_lossy(&relabelled).replace("charset=GBK", "charset=utf-8");
    assert!(verify_notify(relabelled.as_bytes(), &alipay_public()).is_err());
}

#[test]
fn rsa_sha1_notification_verifies_by_its_sign_type() {
    let pairs = signed(FIELDS, Charset::Utf8, SignType::Rsa);
    let verified = verify_notify(&form_body(&pairs, Charset::Utf8), &alipay_public()).unwrap();
    assert_eq!(verified.sign_type(), SignType::Rsa);
    // Claiming RSA2 for a SHA1 signature fails.
    let mut lying = pairs.clone();
    for (k, v) in &mut lying {
        if k == "sign_type" {
            *v = "RSA2".into();
        }
    }
    assert_eq!(
        verify_notify_pairs(&lying, &alipay_public()).unwrap_err(),
        NotifyError::SignatureInvalid
    );
}

#[test]
fn malformed_notifications_are_rejected_with_their_kind() {
    let good = signed(FIELDS, Charset::Utf8, SignType::Rsa2);
    let public = alipay_public();
    assert!(verify_notify_pairs(&good, &public).is_ok());

    let edit = |name: &str, value: Option<&str>| -> Vec<(String, String)> {
        let mut pairs: Vec<(String, String)> =
            good.iter().filter(|(k, _)| k != name).cloned().collect();
        if let Some(v) = value {
            pairs.push((name.into(), v.into()));
        }
        pairs
    };
    let cases: Vec<(Vec<(String, String)>, NotifyError)> = vec![
        (edit("sign", None), NotifyError::SignatureMissing),
        (edit("sign", Some("")), NotifyError::SignatureEmpty),
        (edit("sign_type", None), NotifyError::SignTypeMissing),
        (
            edit("sign_type", Some("MD5")),
            NotifyError::UnsupportedSignType(sign::UnsupportedSignType {
                value: "MD5".into(),
            }),
        ),
        (
            edit("total_amount", Some("0.01")),
            NotifyError::SignatureInvalid,
        ),
        (edit("extra", Some("added")), NotifyError::SignatureInvalid),
        (edit("sign", Some("%%%")), NotifyError::SignatureInvalid),
    ];
    for (pairs, expected) in cases {
        assert_eq!(verify_notify_pairs(&pairs, &public).unwrap_err(), expected);
        let body = form_body(&pairs, Charset::Utf8);
        assert_eq!(verify_notify(&body, &public).unwrap_err(), expected);
    }

    let mut doubled = good.clone();
    doubled.push(("total_amount".into(), "0.01".into()));
    assert_eq!(
        verify_notify_pairs(&doubled, &public).unwrap_err(),
        NotifyError::DuplicateField("total_amount".into())
    );
    let latin = edit("charset", Some("latin1"));
    assert!(matches!(
        verify_notify(&form_body(&latin, Charset::Utf8), &public),
        Err(NotifyError::Charset(_))
    ));
    assert!(matches!(
        verify_notify(b"subject=%FF%FE&sign=x&sign_type=RSA2", &public),
        Err(NotifyError::Charset(_))
    ));
    assert_eq!(
        verify_notify(b"", &public).unwrap_err(),
        NotifyError::SignatureMissing
    );
}

/// Signs `fields` plus `sign_type` with `sign_type` included in the content (Java's
/// `rsaCheckV2` form), returning the fields plus `sign_type` and `sign`.
fn signed_with_sign_type(
    fields: &[(&str, &str)],
    charset: Charset,
    sign_type: SignType,
) -> Vec<(String, String)> {
    let mut all: Vec<(&str, &str)> = fields.to_vec();
    all.push(("sign_type", sign_type.as_str()));
    let content = notify_sign_content_with_sign_type(all.iter().copied());
    assert!(content.contains("&sign_type="));
    with_signature(fields, &content, charset, sign_type)
}

#[test]
fn a_signature_over_the_form_with_sign_type_verifies_and_pins_every_value() {
    let mut fields: Vec<(&str, &str)> = FIELDS
        .iter()
        .copied()
        .filter(|(k, _)| *k != "notify_type")
        .collect();
    fields.push(("charset", "GBK"));
    fields.push(("notify_type", "servicemarket_order_notify"));
    for sign_type in [SignType::Rsa2, SignType::Rsa] {
        let pairs = signed_with_sign_type(&fields, Charset::Gbk, sign_type);
        let body = form_body(&pairs, Charset::Gbk);
        let verified = verify_notify(&body, &alipay_public()).unwrap();
        assert_eq!(verified.signed_content(), SignedContent::WithSignType);
        assert_eq!(verified.sign_type(), sign_type);
        assert_eq!(verified.get("subject"), Some("电费 衆衶衹 100%+赠品 & a=b"));
        assert_eq!(
            verify_notify_pairs(&pairs, &alipay_public()).unwrap(),
            verified
        );
        // No value can change, sign_type included.
        for (name, value) in pairs.iter().filter(|(k, _)| k != "sign") {
            let mut changed = pairs.clone();
            for (k, v) in &mut changed {
                if k == name {
                    *v = if value == "RSA2" {
                        "RSA".into()
                    } else if value == "RSA" {
                        "RSA2".into()
                    } else {
                        format!("{value}x")
                    };
                }
            }
            assert!(
                verify_notify_pairs(&changed, &alipay_public()).is_err(),
                "{name} changed"
            );
        }
    }
    // Trade notifications are signed without sign_type: those still verify that way first.
    let plain = signed(FIELDS, Charset::Utf8, SignType::Rsa2);
    assert_eq!(
        verify_notify_pairs(&plain, &alipay_public())
            .unwrap()
            .signed_content(),
        SignedContent::WithoutSignType
    );
}

/// A `return_url` query as the browser requests it: parameters signed as a notification's,
/// percent-encoded in the return's charset.
fn return_query(charset: Charset) -> String {
    let fields: &[(&str, &str)] = &[
        ("app_id", "2014072300007148"),
        ("charset", charset.as_str()),
        ("method", "alipay.trade.page.pay.return"),
        ("out_trade_no", "20240730102133001"),
        ("seller_id", "2088101106499364"),
        ("subject", "电费 王龙海 &+=?"),
        ("timestamp", "2024-07-30 10:21:35"),
        ("total_amount", "88.88"),
        ("trade_no", "2024073022001477846800000001"),
        ("version", "1.0"),
    ];
    let pairs = signed(fields, charset, SignType::Rsa2);
    String::from_utf8(form_body(&pairs, charset)).unwrap()
}

#[test]
fn return_url_queries_verify_in_their_charset_and_refuse_any_change() {
    let public = alipay_public();
    for charset in [Charset::Utf8, Charset::Gbk] {
        let query = return_query(charset);
        let verified = verify_return(&query, &public).unwrap();
        assert_eq!(verified.charset(), charset);
        assert_eq!(verified.get("subject"), Some("电费 王龙海 &+=?"));
        assert_eq!(verified.get("method"), Some("alipay.trade.page.pay.return"));
        assert_eq!(verified.get("sign"), None);
        assert_eq!(verified.signed_content(), SignedContent::WithoutSignType);
        // As the URL carries it, with its `?`.
        assert_eq!(
            verify_return(&format!("?{query}"), &public).unwrap(),
            verified
        );
        let pairs: Vec<(String, String)> = verified
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(pairs.len(), 11);
        // Changed after signing: the amount, or a parameter added by whoever passed it on.
        let tampered = query.replace("total_amount=88.88", "total_amount=0.01");
        assert_ne!(tampered, query);
        assert_eq!(
            verify_return(&tampered, &public).unwrap_err(),
            NotifyError::SignatureInvalid
        );
        assert_eq!(
            verify_return(&format!("{query}&extra=1"), &public).unwrap_err(),
            NotifyError::SignatureInvalid
        );
        let unsigned: String = query
            .split('&')
            .filter(|p| !p.starts_with("sign="))
            .collect::<Vec<_>>()
            .join("&");
        assert_eq!(
            verify_return(&unsigned, &public).unwrap_err(),
            NotifyError::SignatureMissing
        );
    }
    // The pairs a framework already decoded.
    let query = return_query(Charset::Utf8);
    let pairs: Vec<(String, String)> = form_urlencoded_pairs(&query);
    assert!(verify_return_pairs(&pairs, &public).is_ok());
    // A key that did not sign it.
    let stranger = PrivateKey::from_file(format!("{KEYS}app_private_pkcs1.pem"))
        .unwrap()
        .public_key();
    assert_eq!(
        verify_return(&query, &stranger).unwrap_err(),
        NotifyError::SignatureInvalid
    );
}

/// Decodes a UTF-8 query once, as a web framework would.
fn form_urlencoded_pairs(query: &str) -> Vec<(String, String)> {
    alipay_runtime::form::decode(query.as_bytes())
        .into_iter()
        .map(|(k, v)| {
            (
                String::from_utf8(k.into_owned()).unwrap(),
                String::from_utf8(v.into_owned()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn the_acknowledgement_is_exactly_success() {
    assert_eq!(ACK, "success");
    let pairs = signed(FIELDS, Charset::Utf8, SignType::Rsa2);
    let verified = verify_notify_pairs(&pairs, &alipay_public()).unwrap();
    assert_eq!(verified.ack(), "success");
}

#[test]
fn debug_of_a_verified_notification_or_return_shows_names_not_values() {
    // Found by printing a verified notification with `{:?}`: every value showed, an
    // authorisation's app_auth_token included.
    let mut fields = FIELDS.to_vec();
    fields.push(("app_auth_token", "202409BBdebugsecret0000000000000X01"));
    let pairs = signed(&fields, Charset::Utf8, SignType::Rsa2);
    let body = form_body(&pairs, Charset::Utf8);
    let verified = verify_notify(&body, &alipay_public()).unwrap();
    let returned = verify_return(std::str::from_utf8(&body).unwrap(), &alipay_public()).unwrap();
    for debug in [format!("{verified:?}"), format!("{returned:?}")] {
        for (_, value) in &fields {
            assert!(
                value.is_empty() || !debug.contains(value),
                "{value} in {debug}"
            );
        }
        assert!(debug.contains("\"app_auth_token\""), "{debug}");
        assert!(debug.contains("\"out_trade_no\""), "{debug}");
        assert!(debug.contains("Rsa2"), "{debug}");
    }
    // The values stay readable through the accessors.
    assert_eq!(
        verified.get("app_auth_token"),
        Some("202409BBdebugsecret0000000000000X01")
    );
}

#[test]
fn a_json_field_of_another_shape_is_named_without_repeating_its_value() {
    // Found by a probe: Fields::optional_json put serde_json's message in DecodeError's
    // reason, and that message quotes the offending value ("invalid type: string \"…\"",
    // Price's "\"…\" is not a decimal amount"), against DecodeError's own documentation
    // (the value is not repeated) and the rule that no notification content is in an error.
    use alipay_runtime::notify::{DecodeError, Fields};
    #[derive(serde::Deserialize)]
    #[allow(dead_code)]
    struct Bill {
        amount: alipay_runtime::Price,
        #[serde(rename = "fundChannel")]
        fund_channel: String,
    }
    let cases = [
        (
            r#"[{"amount":"SECRET-A","fundChannel":"ALIPAYACCOUNT"}]"#,
            "[0].amount",
        ),
        (
            r#"[{"amount":"1.00","fundChannel":{"SECRET-B":1}}]"#,
            "[0].fundChannel",
        ),
        (r#"[{"amount":"1.00","fundChannel":"X"},"SECRET-C"]"#, "[1]"),
        (r#"[{"amount":"1.00"}]"#, "fundChannel"),
        (r#"[{"amount":"1.00","fundChannel":"X"}] SECRET-D"#, ""),
        (r#"[{"amount":"SECRET-E"#, ""),
    ];
    for (json, named) in cases {
        let mut fields = FIELDS.to_vec();
        fields.push(("fund_bill_list", json));
        let verified = verify_notify_pairs(
            &signed(&fields, Charset::Utf8, SignType::Rsa2),
            &alipay_public(),
        )
        .unwrap();
        let err = Fields::new("alipay.trade.page.pay", &verified)
            .optional_json::<Vec<Bill>>("fund_bill_list")
            .map(drop)
            .unwrap_err();
        assert!(
            matches!(
                err,
                DecodeError::Invalid {
                    field: "fund_bill_list",
                    ..
                }
            ),
            "{err:?}"
        );
        let text = err.to_string();
        assert!(!text.contains("SECRET"), "{json}: {text}");
        assert!(text.contains(named), "{json}: {text}");
    }
}
