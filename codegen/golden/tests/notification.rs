//! Typed notifications: a verified notification decodes into the method's `Notification`
//! (every kind of field, listed values open, unlisted fields kept), and one that does not fit
//! fails naming the field.

use alipay_codegen_golden::hard_names::type_query;
use alipay_codegen_golden::shapes::order_create::{Notification, TradeStatus};
use alipay_runtime::Price;
use alipay_runtime::charset::Charset;
use alipay_runtime::keys::{PrivateKey, PublicKey};
use alipay_runtime::notify::{
    self, DecodeError, Notification as _, VerifiedNotify, notify_sign_content,
};
use alipay_runtime::sign::{self, SignType};

const KEYS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/vectors/keys/");

/// `fields` signed by the (test) Alipay key, then verified as a notification.
fn verified(fields: &[(&str, &str)]) -> VerifiedNotify {
    let key = PrivateKey::from_file(format!("{KEYS}alipay_private_pkcs1.pem")).unwrap();
    let content = notify_sign_content(fields.iter().copied());
    let signature = sign::sign_base64(
        &key,
        SignType::Rsa2,
        &Charset::Utf8.encode(&content).unwrap(),
    )
    .unwrap();
    let mut pairs: Vec<(String, String)> = fields
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    pairs.push(("sign_type".into(), "RSA2".into()));
    pairs.push(("sign".into(), signature));
    let public = PublicKey::from_file(format!("{KEYS}alipay_public.pem")).unwrap();
    notify::verify_notify_pairs(&pairs, &public).unwrap()
}

const PAID: &[(&str, &str)] = &[
    ("notify_id", "n-1"),
    ("out_trade_no", "T1"),
    ("total_amount", "88.88"),
    ("refund_fee", ""),
    ("item_count", "3"),
    ("paid", "true"),
    ("gmt_payment", "2024-01-02 03:04:05"),
    ("trade_status", "TRADE_SUCCESS"),
    ("goods", r#"[{"goods_id":"g1","price":"1.00"}]"#),
    ("auth_app_id", "2019073166072302"),
    ("charset", "utf-8"),
];

#[test]
fn a_verified_notification_decodes_into_its_type() {
    let n: Notification = verified(PAID).decode().unwrap();
    assert_eq!(Notification::METHOD, "alipay.shapes.order.create");
    assert_eq!(n.notify_id, "n-1");
    assert_eq!(n.out_trade_no, "T1");
    assert_eq!(n.total_amount, "88.88".parse::<Price>().unwrap());
    // An empty amount is an absent one.
    assert_eq!(n.refund_fee, None);
    assert_eq!(n.item_count, Some(3));
    assert_eq!(n.paid, Some(true));
    assert_eq!(n.gmt_payment.as_deref(), Some("2024-01-02 03:04:05"));
    assert_eq!(n.trade_status, Some(TradeStatus::TradeSuccess));
    let goods = n.goods.as_ref().unwrap();
    assert_eq!(goods[0].goods_id.as_deref(), Some("g1"));
    assert_eq!(n.buyer, None);
    // What the spec does not list is kept as received; `sign` never is.
    assert_eq!(
        n.other_fields,
        [
            ("auth_app_id".to_owned(), "2019073166072302".to_owned()),
            ("charset".to_owned(), "utf-8".to_owned()),
            ("sign_type".to_owned(), "RSA2".to_owned()),
        ]
    );
}

#[test]
fn listed_values_are_open_and_a_wrong_shape_names_the_field() {
    let with = |name: &str, value: &str| -> Vec<(&'static str, String)> {
        PAID.iter()
            .map(|(k, v)| {
                (
                    *k,
                    if *k == name {
                        value.to_owned()
                    } else {
                        (*v).to_owned()
                    },
                )
            })
            .collect()
    };
    let decode = |fields: Vec<(&'static str, String)>| {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        verified(&fields).decode::<Notification>()
    };
    let n = decode(with("trade_status", "TRADE_FROZEN")).unwrap();
    assert_eq!(
        n.trade_status,
        Some(TradeStatus::Other("TRADE_FROZEN".into()))
    );

    let missing: Vec<(&str, &str)> = PAID
        .iter()
        .copied()
        .filter(|(k, _)| *k != "total_amount")
        .collect();
    assert_eq!(
        verified(&missing).decode::<Notification>().unwrap_err(),
        DecodeError::Missing {
            method: "alipay.shapes.order.create",
            field: "total_amount"
        }
    );
    for (field, value) in [
        ("total_amount", "eighty"),
        ("item_count", "3.5"),
        ("paid", "yes"),
        ("goods", "[{"),
    ] {
        match decode(with(field, value)).unwrap_err() {
            DecodeError::Invalid { field: f, .. } => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        }
    }
}

#[test]
fn hard_names_keep_the_unlisted_fields_apart() {
    let n: type_query::Notification = verified(&[
        ("type", "个人"),
        ("other_fields", "listed"),
        ("result", "{}"),
        ("extra", "x"),
    ])
    .decode()
    .unwrap();
    assert_eq!(n.r#type, "个人");
    assert_eq!(n.other_fields.as_deref(), Some("listed"));
    assert!(n.result.is_some());
    assert_eq!(
        n.other_fields2,
        [
            ("extra".to_owned(), "x".to_owned()),
            ("sign_type".to_owned(), "RSA2".to_owned()),
        ]
    );
}
