//! Notification verification beyond the shared vectors: GBK notifications, RSA (SHA1), and the
//! exact rejection for each malformed notification.

use alipay_runtime::charset::Charset;
use alipay_runtime::keys::{PrivateKey, PublicKey};
use alipay_runtime::notify::{
    NotifyError, notify_sign_content, verify_notify, verify_notify_pairs,
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
    let bytes = charset.encode(&content).unwrap();
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
