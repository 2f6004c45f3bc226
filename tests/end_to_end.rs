//! The generated client against the local gateway, over real HTTP on 127.0.0.1: both seed
//! methods, utf-8 and GBK, RSA2 and RSA.

use std::time::Duration;

use alipay_gateway::{PemKeyPair, Scenario, TestGateway};
use alipay_openapi::ebpp::pdeduct_sign_validate as sign_validate;
use alipay_openapi::user::agreement_auth_confirm as auth_confirm;
use alipay_runtime::{
    BizErrorCode as _, Charset, Client, Error, GatewayCode, PrivateKey, PublicKey, PublicSubCode,
    RequestSent, SignType, SignatureError, TransportKind,
};
use serde_json::json;

const AUTH_CONFIRM: &str = "alipay.user.agreement.auth.confirm";
const SIGN_VALIDATE: &str = "alipay.ebpp.pdeduct.sign.validate";

/// Every combination the tests cover.
const COMBINATIONS: [(SignType, Charset); 4] = [
    (SignType::Rsa2, Charset::Utf8),
    (SignType::Rsa2, Charset::Gbk),
    (SignType::Rsa, Charset::Utf8),
    (SignType::Rsa, Charset::Gbk),
];

fn confirm() -> auth_confirm::Request {
    auth_confirm::Request::new(
        "20170502000610755993",
        "MDEDUCT0068292ca377d1d44b65fa24ec9cd89132f",
        "423979",
    )
}

fn sign_validate_with(bill_key: &str) -> sign_validate::Request {
    sign_validate::Request::new(
        "2088111133334134",
        "JF",
        "ELECTRIC",
        bill_key,
        "2088102118849556",
        "CQCENTERELECTRIC",
        "PUBLICPLATFORM",
        "123456",
    )
    // Non-ASCII text, so the GBK runs sign and send bytes that differ from UTF-8.
    .owner_name("王龙海")
}

fn validate() -> sign_validate::Request {
    sign_validate_with("02659981")
}

async fn start() -> TestGateway {
    TestGateway::start(alipay_openapi::METHODS)
        .await
        .expect("gateway starts")
}

fn client(gw: &TestGateway, sign_type: SignType, charset: Charset) -> Client {
    gw.client_builder()
        .sign_type(sign_type)
        .charset(charset)
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client")
}

#[tokio::test]
async fn success_for_both_methods_in_every_charset_and_sign_type() {
    let gw = start().await;
    for (sign_type, charset) in COMBINATIONS {
        let c = client(&gw, sign_type, charset);
        let confirmed = c
            .execute(&confirm())
            .await
            .unwrap_or_else(|e| panic!("{sign_type} {charset}: {e}"));
        assert_eq!(confirmed.code.as_deref(), Some("10000"));
        let validated = c
            .execute(&validate())
            .await
            .unwrap_or_else(|e| panic!("{sign_type} {charset}: {e}"));
        assert_eq!(validated.code.as_deref(), Some("10000"));

        let log = gw.requests();
        let last = log.last().expect("recorded");
        assert!(last.signature_verified);
        assert_eq!(last.method.as_deref(), Some(SIGN_VALIDATE));
        assert_eq!(last.charset, charset.as_str());
        assert_eq!(last.param("sign_type"), Some(sign_type.as_str()));
        let biz = last.biz_content().expect("biz_content");
        assert_eq!(biz["owner_name"], json!("王龙海"));
        assert_eq!(biz["bill_key"], json!("02659981"));
    }
    assert_eq!(gw.request_count(), 8);
}

#[tokio::test]
async fn business_errors_are_typed_with_their_documented_solution() {
    let gw = start().await;
    gw.set_scenario(
        AUTH_CONFIRM,
        Scenario::business_error("VALIDATECODE_EXPIRED"),
    )
    .expect("documented code");
    gw.set_scenario(SIGN_VALIDATE, Scenario::business_error("USER_IS_NOT_EXITS"))
        .expect("documented code");
    for (sign_type, charset) in COMBINATIONS {
        let c = client(&gw, sign_type, charset);
        match c.execute(&confirm()).await {
            Err(Error::Business(b)) => {
                assert_eq!(b.code(), "40004");
                assert_eq!(b.msg(), "Business Failed");
                assert_eq!(b.sub_code(), &auth_confirm::BizError::ValidatecodeExpired);
                assert_eq!(b.sub_msg(), "校验码超时");
                assert_eq!(
                    b.sub_code().solution(),
                    Some("校验码超时,商户可重新发起一次鉴权申请")
                );
            }
            other => panic!("{sign_type} {charset}: {other:?}"),
        }
        match c.execute(&validate()).await {
            Err(Error::Business(b)) => {
                assert_eq!(b.sub_code(), &sign_validate::BizError::UserIsNotExits);
                assert_eq!(b.sub_msg(), "签约的用户id不存在");
            }
            other => panic!("{sign_type} {charset}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn an_undocumented_business_code_lands_in_unknown() {
    let gw = start().await;
    gw.set_scenario(
        AUTH_CONFIRM,
        Scenario::GatewayError {
            code: "40004".into(),
            msg: "Business Failed".into(),
            sub_code: "NEW_CODE_FROM_LATER".into(),
            sub_msg: "新的错误".into(),
        },
    )
    .expect("scenario");
    match client(&gw, SignType::Rsa2, Charset::Utf8)
        .execute(&confirm())
        .await
    {
        Err(Error::Business(b)) => assert_eq!(
            b.sub_code(),
            &auth_confirm::BizError::Unknown("NEW_CODE_FROM_LATER".into())
        ),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn gateway_errors_are_typed() {
    let gw = start().await;

    // The business system is down.
    gw.set_scenario(AUTH_CONFIRM, Scenario::service_unavailable())
        .expect("scenario");
    for (sign_type, charset) in COMBINATIONS {
        match client(&gw, sign_type, charset).execute(&confirm()).await {
            Err(Error::Gateway(g)) => {
                assert_eq!(*g.code(), GatewayCode::ServiceUnavailable);
                assert_eq!(*g.sub_code(), PublicSubCode::IspUnknowError);
            }
            other => panic!("{sign_type} {charset}: {other:?}"),
        }
    }

    // A value the client keeps (open enum) but the gateway's strict spec check refuses.
    let unlisted = sign_validate::Request::new(
        "2088111133334134",
        "NOT_A_BIZ_TYPE",
        "ELECTRIC",
        "02659981",
        "2088102118849556",
        "CQCENTERELECTRIC",
        "PUBLICPLATFORM",
        "123456",
    );
    for (sign_type, charset) in COMBINATIONS {
        match client(&gw, sign_type, charset).execute(&unlisted).await {
            Err(Error::Gateway(g)) => {
                assert_eq!(*g.code(), GatewayCode::InvalidArguments);
                assert_eq!(*g.sub_code(), PublicSubCode::InvalidParameter);
                assert!(g.sub_msg().contains("biz_type"), "{}", g.sub_msg());
            }
            other => panic!("{sign_type} {charset}: {other:?}"),
        }
    }

    // Signed with a key the gateway does not know.
    let stranger = PemKeyPair::generate().expect("keygen");
    let wrong_app_key = gw
        .client_builder()
        .private_key(PrivateKey::parse(&stranger.private_pem).expect("key"))
        .build()
        .expect("client");
    // Answered under the method's node, signed: the typed client reports the gateway's
    // refusal (not a signature failure of the answer), with the string the gateway verified.
    match wrong_app_key.execute(&validate()).await {
        Err(Error::Gateway(g)) => {
            assert_eq!(*g.code(), GatewayCode::InvalidArguments);
            assert_eq!(*g.sub_code(), PublicSubCode::InvalidSignature);
            let verified = g
                .sub_msg()
                .strip_prefix(
                    "验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：",
                )
                .unwrap_or_else(|| panic!("{}", g.sub_msg()));
            assert!(
                verified.starts_with("app_id=")
                    && verified.contains("&method=alipay.ebpp.pdeduct.sign.validate&"),
                "{verified}"
            );
        }
        other => panic!("{other:?}"),
    }
    let last = gw.requests().pop().expect("recorded");
    assert!(!last.signature_verified);
    assert_eq!(
        last.answer.node.as_deref(),
        Some("alipay_ebpp_pdeduct_sign_validate_response")
    );
}

fn is_invalid(e: &SignatureError) -> bool {
    matches!(e, SignatureError::Invalid { .. })
}

/// Both methods' answers are refused by `c` (`why` they must be) with a signature error that
/// `is` accepts.
async fn both_rejected(c: &Client, why: &str, is: fn(&SignatureError) -> bool) {
    let e = c.execute(&confirm()).await.expect_err(why);
    assert!(matches!(&e, Error::Signature(s) if is(s)), "{e:?}");
    let e = c.execute(&validate()).await.expect_err(why);
    assert!(matches!(&e, Error::Signature(s) if is(s)), "{e:?}");
}

#[tokio::test]
async fn altered_unsigned_and_wrong_key_answers_are_rejected() {
    let gw = start().await;
    for (sign_type, charset) in COMBINATIONS {
        let c = client(&gw, sign_type, charset);

        gw.set_scenario(AUTH_CONFIRM, Scenario::AlteredBody)
            .expect("scenario");
        gw.set_scenario(SIGN_VALIDATE, Scenario::AlteredBody)
            .expect("scenario");
        both_rejected(&c, "altered", is_invalid).await;

        gw.set_scenario(AUTH_CONFIRM, Scenario::MissingSign)
            .expect("scenario");
        gw.set_scenario(SIGN_VALIDATE, Scenario::MissingSign)
            .expect("scenario");
        both_rejected(&c, "unsigned", |s| matches!(s, SignatureError::Missing)).await;
    }

    // A client that trusts another Alipay public key rejects the gateway's genuine answers.
    gw.clear_scenarios();
    let stranger = PemKeyPair::generate().expect("keygen");
    let c = gw
        .client_builder()
        .alipay_public_key(PublicKey::parse(&stranger.public_pem).expect("key"))
        .build()
        .expect("client");
    both_rejected(&c, "wrong key", is_invalid).await;
    // The gateway did answer: the requests reached it and verified.
    assert!(
        gw.requests()
            .iter()
            .rev()
            .take(2)
            .all(|r| r.signature_verified)
    );
}

#[tokio::test]
async fn invalid_input_never_reaches_the_gateway() {
    let gw = start().await;
    let c = client(&gw, SignType::Rsa2, Charset::Gbk);

    let too_long = auth_confirm::Request::new(
        "20170502000610755993",
        "MDEDUCT0068292ca377d1d44b65fa24ec9cd89132f",
        "12345678901",
    );
    let e = c.execute(&too_long).await.expect_err("too long");
    let Error::InvalidRequest(v) = e else {
        panic!("{e:?}")
    };
    assert_eq!(v.field, "auth_confirm_no");

    let empty = sign_validate_with("");
    let e = c.execute(&empty).await.expect_err("empty");
    let Error::InvalidRequest(v) = e else {
        panic!("{e:?}")
    };
    assert_eq!(v.field, "bill_key");

    // A character GBK cannot encode cannot be signed as asked.
    let emoji = sign_validate_with("02659981").owner_name("王😀");
    let e = c.execute(&emoji).await.expect_err("unencodable");
    assert!(matches!(e, Error::InvalidRequest(_)), "{e:?}");

    // The dynamic path validates the same way.
    let e = alipay_openapi::call_json(
        &c,
        AUTH_CONFIRM,
        json!({"agreement_no": "1", "apply_token": "2"}),
        &[],
    )
    .await
    .expect_err("missing field");
    let Error::InvalidRequest(v) = e else {
        panic!("{e:?}")
    };
    assert_eq!(v.field, "auth_confirm_no");

    assert_eq!(gw.request_count(), 0, "{:?}", gw.requests());
}

#[tokio::test]
async fn timeout_and_http_500_are_transport_failures() {
    let gw = start().await;
    gw.set_scenario(AUTH_CONFIRM, Scenario::Success.delayed(800))
        .expect("scenario");
    let quick = gw
        .client_builder()
        .timeout(Duration::from_millis(150))
        .build()
        .expect("client");
    let e = quick.execute(&confirm()).await.expect_err("timeout");
    assert!(
        matches!(
            &e,
            Error::Transport(t)
                if t.kind() == TransportKind::Timeout && t.sent() == RequestSent::MaybeSent
        ),
        "{e:?}"
    );

    gw.set_scenario(SIGN_VALIDATE, Scenario::Http500)
        .expect("scenario");
    let e = quick.execute(&validate()).await.expect_err("500");
    assert!(
        matches!(&e, Error::HttpStatus(h) if h.status() == 500),
        "{e:?}"
    );
}

#[tokio::test]
async fn dynamic_calls_give_the_verified_node_as_json() {
    let gw = start().await;
    let c = client(&gw, SignType::Rsa2, Charset::Utf8);
    let node = alipay_openapi::call_json(
        &c,
        SIGN_VALIDATE,
        json!({
            "user_id": "2088111133334134", "biz_type": "JF", "sub_biz_type": "ELECTRIC",
            "bill_key": "02659981", "pid": "2088102118849556", "charge_inst": "CQCENTERELECTRIC",
            "agent_channel": "PUBLICPLATFORM", "agent_code": "123456"
        }),
        &[],
    )
    .await
    .expect("success");
    assert_eq!(node["code"], json!("10000"));

    gw.set_scenario(
        AUTH_CONFIRM,
        Scenario::business_error("VALIDATECODE_EXPIRED"),
    )
    .expect("scenario");
    let e = alipay_openapi::call_json(
        &c,
        AUTH_CONFIRM,
        json!({"agreement_no": "1", "apply_token": "2", "auth_confirm_no": "3"}),
        &[],
    )
    .await
    .expect_err("business");
    let Error::Business(b) = e else {
        panic!("{e:?}")
    };
    assert_eq!(b.sub_code().code, "VALIDATECODE_EXPIRED");
    assert_eq!(
        b.sub_code().solution,
        Some("校验码超时,商户可重新发起一次鉴权申请")
    );
}

/// `with_extra` sends a field the spec does not know, signed inside `biz_content` after the
/// request's own fields (kept byte for byte); a clash or a public parameter is refused
/// before anything is sent.
#[tokio::test]
async fn with_extra_sends_a_field_the_spec_does_not_know_and_nothing_when_it_clashes() {
    use alipay_runtime::MethodExt as _;
    let gw = start().await;
    for (sign_type, charset) in COMBINATIONS {
        gw.clear_requests();
        let c = client(&gw, sign_type, charset);
        let plain = alipay_runtime::Method::to_parts(&validate()).expect("parts");
        let request = validate()
            .with_extra("new_field", "新字段 & <x>")
            .with_extra("count", 2);
        let outcome = c.execute(&request).await;
        let sent = gw.requests();
        assert_eq!(sent.len(), 1, "{charset:?}: {outcome:?}");
        let biz = sent[0].param("biz_content").expect("biz_content");
        let own = plain.biz_content.expect("own biz_content");
        assert!(
            biz.starts_with(own.trim_end_matches('}')),
            "{charset:?}: {biz}"
        );
        assert!(
            biz.ends_with(r#","new_field":"新字段 & <x>","count":2}"#),
            "{charset:?}: {biz}"
        );
        assert_eq!(sent[0].param("method"), Some(SIGN_VALIDATE));
    }

    gw.clear_requests();
    let c = client(&gw, SignType::Rsa2, Charset::Utf8);
    for (name, field) in [("bill_key", "bill_key"), ("notify_url", "notify_url")] {
        let e = c
            .execute(&validate().with_extra(name, "x"))
            .await
            .expect_err("refused");
        let Error::InvalidRequest(v) = e else {
            panic!("{e:?}")
        };
        assert_eq!(v.field, field);
    }
    assert_eq!(gw.request_count(), 0, "{:?}", gw.requests());
}
