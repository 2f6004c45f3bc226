//! The protocol with real keys against the test server (`server.rs`): signed, sent,
//! verified and typed, in UTF-8 and GBK, with every kind of failure answer.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use alipay_runtime::charset::Charset;
use alipay_runtime::sign::{SignType, sign_base64};
use alipay_runtime::{Error, GatewayCode, PublicSubCode, Rule, SignatureError};

use crate::server::*;

/// 2014-07-24 03:07:50 in Beijing.
fn fixed_clock() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_406_142_470)
}

/// A server that answers a request signed with `sign_type` (UTF-8) with the success node,
/// signed the same way, and anything else with 400.
async fn success_server(sign_type: SignType) -> Server {
    Server::start(move |req| {
        if !req.verify_signature(Charset::Utf8, sign_type) {
            return reply("400 Bad Request", "text/plain", b"bad request signature");
        }
        json_reply(
            signed_body(NODE, SUCCESS_NODE, Charset::Utf8, sign_type),
            Charset::Utf8,
        )
    })
    .await
}

#[tokio::test]
async fn success_is_signed_sent_verified_and_typed() {
    let server = success_server(SignType::Rsa2).await;
    let client = client_for(&server)
        .notify_url("https://merchant.example/notify?a=1&b=2")
        .app_auth_token("201510BB0c409dd5758b4d939d4008a525463X77")
        .clock(fixed_clock)
        .build()
        .expect("client");
    let mut req = Confirm::new("123456");
    req.remark = Some("a b&c=d+e".into());
    req.channel = Some("APP".into());
    let response = client.execute(&req).await.expect("success");
    assert_eq!(
        response,
        ConfirmResponse {
            code: "10000".into(),
            msg: "Success".into(),
            agreement_no: Some("20170322450983769228".into()),
            remark: Some("ok".into()),
        }
    );

    let received = server.requests();
    assert_eq!(received.len(), 1);
    let r = &received[0];
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded;charset=utf-8")
    );
    let query = r.target.split_once('?').map_or("", |(_, q)| q);
    for public in [
        "app_id=2014072300007148",
        &format!("method={METHOD}"),
        "format=JSON",
        "charset=utf-8",
        "sign_type=RSA2",
        "timestamp=2014-07-24+03%3A07%3A50",
        "version=1.0",
        "app_auth_token=201510BB0c409dd5758b4d939d4008a525463X77",
        "notify_url=https%3A%2F%2Fmerchant.example%2Fnotify%3Fa%3D1%26b%3D2",
        "sign=",
    ] {
        assert!(
            query.split('&').any(|p| p.starts_with(public)),
            "{public} missing from {query}"
        );
    }
    assert!(!query.contains("biz_content") && !query.contains("channel"));
    assert!(!query.contains("return_url"), "empty params are never sent");
    let body = std::str::from_utf8(&r.body).expect("ascii");
    assert!(body.contains("channel=APP"), "{body}");
    assert_eq!(
        r.param(Charset::Utf8, "biz_content").as_deref(),
        Some(r#"{"auth_code":"123456","remark":"a b&c=d+e"}"#)
    );
}

#[tokio::test]
async fn verified_business_error_is_typed() {
    let server = Server::start(|_| {
        let node = r#"{"code":"40004","msg":"Business Failed","sub_code":"VALIDATECODE_EXPIRED","sub_msg":"校验码超时"}"#;
        signed_reply(NODE, node)
    })
    .await;
    let err = confirm_error(&server, "123").await;
    let Error::Business(business) = &err else {
        panic!("expected a business error, got {err:?}")
    };
    assert_eq!(*business.sub_code(), ConfirmError::ValidatecodeExpired);
    assert_eq!(
        err.to_string(),
        "40004 Business Failed: VALIDATECODE_EXPIRED 校验码超时 (solution: 校验码超时,商户可重新发起一次鉴权申请)"
    );
    assert_eq!(err.code(), Some("40004"));
}

#[tokio::test]
async fn verified_gateway_errors_are_typed_with_public_sub_codes() {
    let server = Server::start(|req| {
        if req.param(Charset::Utf8, "biz_content").is_some_and(|b| b.contains("perm")) {
            let node = r#"{"code":"40006","msg":"Insufficient Permissions","sub_code":"isv.insufficient-isv-permissions","sub_msg":"ISV权限不足"}"#;
            signed_reply(NODE, node)
        } else {
            let node = r#"{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-app-id","sub_msg":"无效的AppID参数"}"#;
            signed_reply("error_response", node)
        }
    })
    .await;
    let client = client_for(&server).build().expect("client");

    let err = client.execute(&Confirm::new("123")).await.unwrap_err();
    let Error::Gateway(gateway) = &err else {
        panic!("expected a gateway error, got {err:?}")
    };
    assert_eq!(*gateway.code(), GatewayCode::InvalidArguments);
    assert_eq!(*gateway.sub_code(), PublicSubCode::InvalidAppId);
    assert!(
        err.to_string()
            .starts_with("40002 Invalid Arguments: isv.invalid-app-id 无效的AppID参数 (solution: "),
        "{err}"
    );

    let err = client.execute(&Confirm::new("perm")).await.unwrap_err();
    let Error::Gateway(gateway) = &err else {
        panic!("expected a gateway error, got {err:?}")
    };
    assert_eq!(*gateway.code(), GatewayCode::InsufficientPermissions);
    assert_eq!(
        *gateway.sub_code(),
        PublicSubCode::InsufficientIsvPermissions
    );
}

#[tokio::test]
async fn a_signed_error_response_is_never_a_success_even_with_code_10000() {
    for node in [
        r#"{"code":"10000","msg":"Success"}"#,
        r#"{"msg":"Success"}"#,
    ] {
        let server = Server::start(move |_| signed_reply("error_response", node)).await;
        let client = client_for(&server).build().expect("client");
        let err = client
            .execute(&Confirm::new("123"))
            .await
            .expect_err("an error_response node is never a success");
        assert!(
            matches!(err, Error::MalformedBody { .. }),
            "{node}: {err:?}"
        );
    }
}

#[tokio::test]
async fn unsigned_failure_is_an_unverified_answer_not_a_verified_error() {
    let server = Server::start(|_| {
        let body = r#"{"error_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-signature","sub_msg":"验签出错"}}"#;
        json_reply(body.as_bytes().to_vec(), Charset::Utf8)
    })
    .await;
    let err = confirm_error(&server, "123").await;
    match &err {
        Error::UnverifiedGatewayAnswer(answer) => {
            assert_eq!(answer.code(), "40002");
            assert_eq!(answer.sub_code(), Some("isv.invalid-signature"));
        }
        other => panic!("expected an unverified answer, got {other:?}"),
    }
    assert!(err.to_string().contains("unverified"), "{err}");
}

#[tokio::test]
async fn altered_or_unsigned_success_is_rejected() {
    let server = Server::start(|req| {
        let body = signed_body(NODE, SUCCESS_NODE, Charset::Utf8, SignType::Rsa2);
        let text = String::from_utf8(body).expect("utf-8");
        let biz = req.param(Charset::Utf8, "biz_content").unwrap_or_default();
        let text = if biz.contains("altered") {
            text.replace("20170322450983769228", "20170322450983769229")
        } else if biz.contains("unsigned") {
            format!("{{\"{NODE}\":{SUCCESS_NODE}}}")
        } else {
            // Signed with the app key instead of Alipay's.
            let sign =
                sign_base64(&app_private(), SignType::Rsa2, SUCCESS_NODE.as_bytes()).expect("sign");
            format!("{{\"{NODE}\":{SUCCESS_NODE},\"sign\":\"{sign}\"}}")
        };
        json_reply(text.into_bytes(), Charset::Utf8)
    })
    .await;
    let client = client_for(&server).build().expect("client");
    let invalid = SignatureError::Invalid {
        node: NODE.to_owned(),
        sign_type: SignType::Rsa2,
        charset: Charset::Utf8,
    };
    for (auth_code, expected) in [
        ("altered", invalid.clone()),
        ("unsigned", SignatureError::Missing),
        ("wrongkey", invalid.clone()),
    ] {
        let err = client.execute(&Confirm::new(auth_code)).await.unwrap_err();
        match err {
            Error::Signature(problem) => assert_eq!(problem, expected, "{auth_code}"),
            other => panic!("{auth_code}: expected a signature error, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn gbk_round_trip_with_chinese_text_both_ways() {
    let server = Server::start(|req| {
        if !req.verify_signature(Charset::Gbk, SignType::Rsa2) {
            return reply("400 Bad Request", "text/plain", b"bad request signature");
        }
        let biz = req.param(Charset::Gbk, "biz_content").unwrap_or_default();
        let remark: serde_json::Value = serde_json::from_str(&biz).expect("biz_content JSON");
        let remark = remark["remark"].as_str().unwrap_or_default().to_owned();
        // Echo the remark back, with a character whose GBK trail byte is `\` (0x5C).
        let node = format!(
            r#"{{"code":"10000","msg":"Success","agreement_no":"1","remark":"收到：{remark} 丂"}}"#
        );
        json_reply(
            signed_body(NODE, &node, Charset::Gbk, SignType::Rsa2),
            Charset::Gbk,
        )
    })
    .await;
    let client = client_for(&server)
        .charset(Charset::Gbk)
        .build()
        .expect("client");
    let mut req = Confirm::new("123");
    req.remark = Some("王龙海 校验码超时".into());
    let response = client.execute(&req).await.expect("GBK success");
    assert_eq!(
        response.remark.as_deref(),
        Some("收到：王龙海 校验码超时 丂")
    );

    let received = server.requests();
    let r = &received[0];
    assert_eq!(
        r.header("content-type"),
        Some("application/x-www-form-urlencoded;charset=GBK")
    );
    // 王龙海 in GBK is cd f5 c1 fa ba a3, percent-encoded byte by byte.
    let body = std::str::from_utf8(&r.body).expect("ascii");
    assert!(body.contains("%CD%F5%C1%FA%BA%A3"), "{body}");
    assert!(r.target.contains("charset=GBK"));
}

#[tokio::test]
async fn gbk_rejects_text_it_cannot_encode_before_sending() {
    let server = Server::start(|_| reply("500 Internal Server Error", "text/plain", b"")).await;
    let client = client_for(&server)
        .charset(Charset::Gbk)
        .build()
        .expect("client");
    let mut req = Confirm::new("123");
    req.remark = Some("emoji 😀".into());
    let err = client.execute(&req).await.unwrap_err();
    match err {
        Error::InvalidRequest(v) => {
            assert_eq!(v.field, "biz_content");
            assert!(matches!(v.rule, Rule::Unsupported(_)));
        }
        other => panic!("expected an invalid request, got {other:?}"),
    }
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn invalid_request_sends_nothing() {
    let server = Server::start(|_| reply("500 Internal Server Error", "text/plain", b"")).await;
    let client = client_for(&server).build().expect("client");
    let err = client.execute(&Confirm::new("")).await.unwrap_err();
    let Error::InvalidRequest(v) = &err else {
        panic!("expected an invalid request, got {err:?}")
    };
    assert_eq!(v.field, "auth_code");
    assert_eq!(v.rule, Rule::Required);
    assert_eq!(
        err.to_string(),
        "invalid request, nothing was sent: field `auth_code` is required"
    );
    let err = client
        .execute(&Confirm::new("12345678901234567"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn rsa_sign_type_both_ways() {
    let server = success_server(SignType::Rsa).await;
    let client = client_for(&server)
        .sign_type(SignType::Rsa)
        .build()
        .expect("client");
    let response = client.execute(&Confirm::new("1")).await.expect("success");
    assert_eq!(response.code, "10000");
    assert!(server.requests()[0].target.contains("sign_type=RSA&"));
}
