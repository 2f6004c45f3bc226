//! Configuration mistakes named at build time, errors that cross threads, malformed bodies,
//! and `Debug` output without secrets.

use std::time::Duration;

use alipay_runtime::charset::Charset;
use alipay_runtime::sign::SignType;
use alipay_runtime::{Client, ConfigError, Error};

use crate::server::*;

#[test]
fn errors_and_calls_cross_threads() {
    fn send_sync<T: Send + Sync + 'static>() {}
    fn send<T: Send>(_: &T) {}
    send_sync::<Error<ConfirmError>>();
    send_sync::<Client>();
    let client = Client::builder()
        .app_id("1")
        .private_key(app_private())
        .alipay_public_key(alipay_public())
        .build()
        .expect("client");
    let req = Confirm::new("1");
    // The call future can be spawned on a multi-threaded runtime.
    send(&client.execute(&req));
}

#[tokio::test]
async fn malformed_and_duplicate_bodies_are_named() {
    let server = Server::start(|req| {
        let biz = req.param(Charset::Utf8, "biz_content").unwrap_or_default();
        let body = if biz.contains("dup") {
            let signed = String::from_utf8(signed_body(
                NODE,
                SUCCESS_NODE,
                Charset::Utf8,
                SignType::Rsa2,
            ))
            .expect("utf-8");
            signed.replacen('{', &format!("{{\"{NODE}\":{{\"code\":\"10000\"}},"), 1)
        } else {
            "<html>maintenance</html>".to_owned()
        };
        json_reply(body.into_bytes(), Charset::Utf8)
    })
    .await;
    let client = client_for(&server).build().expect("client");
    for (auth_code, needle) in [
        ("dup", "appears more than once"),
        ("html", "the gateway's answer is malformed"),
    ] {
        let err = client.execute(&Confirm::new(auth_code)).await.unwrap_err();
        assert!(matches!(err, Error::MalformedBody { .. }), "{err:?}");
        assert!(err.to_string().contains(needle), "{err}");
    }
}

#[test]
fn build_names_the_usual_mistakes() {
    let err = Client::builder()
        .private_key(app_private())
        .alipay_public_key(alipay_public())
        .build()
        .unwrap_err();
    assert!(matches!(err, ConfigError::MissingAppId), "{err:?}");

    let err = Client::builder()
        .app_id("1")
        .alipay_public_key(alipay_public())
        .build()
        .unwrap_err();
    assert!(matches!(err, ConfigError::MissingPrivateKey), "{err:?}");

    let err = Client::builder()
        .app_id("1")
        .private_key(app_private())
        .build()
        .unwrap_err();
    assert!(
        matches!(err, ConfigError::MissingAlipayPublicKey),
        "{err:?}"
    );

    let err = Client::builder()
        .app_id("1")
        .private_key(app_private())
        .alipay_public_key(app_public())
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("app's own public key"), "{err}");

    let err = Client::builder()
        .app_id("1")
        .gateway("ftp://openapi.alipay.com/gateway.do")
        .private_key(app_private())
        .alipay_public_key(alipay_public())
        .build()
        .unwrap_err();
    assert!(matches!(err, ConfigError::InvalidGateway { .. }), "{err:?}");

    let err = Client::builder()
        .app_id("1")
        .private_key(app_private())
        .alipay_public_key(alipay_public())
        .http_client(reqwest::Client::new())
        .connect_timeout(Duration::from_secs(1))
        .build()
        .unwrap_err();
    assert!(
        matches!(err, ConfigError::ConnectTimeoutWithCustomClient),
        "{err:?}"
    );
}

#[test]
fn debug_output_holds_no_secrets() {
    let token = "201510BB0c409dd5758b4d939d4008a525463X77";
    let client = Client::builder()
        .app_id("2014072300007148")
        .private_key(app_private())
        .alipay_public_key(alipay_public())
        .app_auth_token(token)
        .build()
        .expect("client");
    let debug = format!("{client:?}");
    assert!(!debug.contains(token), "{debug}");
    assert!(debug.contains("2014072300007148"));
    let pem = std::fs::read_to_string(key_path("app_private_pkcs1.pem")).expect("pem");
    let some_key_line = pem.lines().nth(3).expect("a base64 line");
    assert!(!debug.contains(some_key_line));

    let prepared = client
        .prepare(&Confirm::new("secret-auth"))
        .expect("prepare");
    let debug = format!("{prepared:?}");
    assert!(
        !debug.contains("secret-auth") && !debug.contains("sign="),
        "{debug}"
    );
}

#[tokio::test]
async fn notify_and_return_urls_are_http_urls_before_anything_is_signed() {
    let builder = || {
        Client::builder()
            .app_id("1")
            .private_key(app_private())
            .alipay_public_key(alipay_public())
    };
    for (bad, reason) in [
        ("javascript:alert(1)", "scheme"),
        ("data:text/html,<b>x</b>", "scheme"),
        (
            "https://shop.example/return\nSet-Cookie: x=1",
            "white space",
        ),
        ("/relative/return", "absolute"),
    ] {
        let err = builder().return_url(bad).build().unwrap_err();
        match &err {
            ConfigError::InvalidUrl { setting, url, .. } => {
                assert_eq!((*setting, url.as_str()), ("return_url", bad));
            }
            other => panic!("{other:?}"),
        }
        assert!(err.to_string().contains(reason), "{err}");
        let err = builder().notify_url(bad).build().unwrap_err();
        assert!(
            matches!(
                err,
                ConfigError::InvalidUrl {
                    setting: "notify_url",
                    ..
                }
            ),
            "{err:?}"
        );
    }
    // http and https URLs, with a port, a query and a fragment, are taken.
    builder()
        .notify_url("http://127.0.0.1:8080/alipay/notify?shop=1")
        .return_url("https://shop.example/orders/T1#paid")
        .build()
        .expect("http(s) URLs");

    // One request's own addresses are checked the same way, and nothing is sent.
    let client = builder()
        .gateway("http://127.0.0.1:9/gateway.do")
        .build()
        .unwrap();
    let options = alipay_runtime::RequestOptions::new().notify_url("javascript:alert(1)");
    match client.execute_with(&Confirm::new("1"), &options).await {
        Err(Error::InvalidRequest(e)) => assert_eq!(e.field, "notify_url"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn settings_with_white_space_or_control_characters_are_refused_by_name() {
    // Found by a probe: an app_id or app_auth_token holding CR LF built a client whose v3
    // calls failed as a transport error ("failed to parse header value") naming nothing, and
    // whose v2 calls sent the value; a gateway URL holding a line break was accepted (the URL
    // parser drops it) and written as it was into page URLs and forms.
    let builder = || {
        Client::builder()
            .private_key(app_private())
            .alipay_public_key(alipay_public())
    };
    for (app_id, token, setting) in [
        ("2014072300007148\r\n", None, "app_id"),
        (" 2014072300007148", None, "app_id"),
        ("2014\x0007", None, "app_id"),
        (
            "2014072300007148",
            Some("201510BB\r\nx-evil: 1"),
            "app_auth_token",
        ),
        ("2014072300007148", Some("201510BB 0c40"), "app_auth_token"),
    ] {
        let mut b = builder().app_id(app_id);
        if let Some(token) = token {
            b = b.app_auth_token(token);
        }
        let err = b.build().unwrap_err();
        assert!(
            matches!(&err, ConfigError::InvalidSetting { setting: s, .. } if *s == setting),
            "{err:?}"
        );
        let text = err.to_string();
        assert!(text.starts_with(setting), "{text}");
        assert!(
            !text.contains("201510BB") && !text.contains("2014"),
            "{text}"
        );
    }
    for gateway in [
        "http://127.0.0.1:1/gate\nway.do",
        "https://openapi.alipay.com/gateway.do\t",
    ] {
        let err = builder()
            .app_id("2014072300007148")
            .gateway(gateway)
            .build()
            .unwrap_err();
        assert!(matches!(err, ConfigError::InvalidGateway { .. }), "{err:?}");
    }
}

#[tokio::test]
async fn a_token_of_one_request_with_a_line_break_is_refused_before_sending() {
    // Found by a probe: over v3 the app_auth_token goes into a header, and a line break in
    // one request's token failed the call as a transport error naming nothing.
    use alipay_runtime::{Protocol, RequestOptions};
    let server = Server::start(|_| signed_reply(NODE, SUCCESS_NODE)).await;
    let client = client_for(&server).build().expect("client");
    let v3 = crate::v3_client::Raw::<{ crate::v3_client::QUERY }>::json(r#"{"out_trade_no":"1"}"#);
    let user_info = crate::v3_client::Raw::<{ crate::v3_client::USER_INFO }>::json(r#"{}"#);
    for protocol in [Protocol::V2, Protocol::V3] {
        for (options, field) in [
            (
                RequestOptions::new().app_auth_token("201510BB\r\nx-evil: 1"),
                "app_auth_token",
            ),
            (
                RequestOptions::new().app_auth_token("201510BB\0"),
                "app_auth_token",
            ),
            (
                RequestOptions::new().auth_token("authusrB 201510BB"),
                "auth_token",
            ),
        ] {
            let options = options.protocol(protocol);
            let errs = match protocol {
                Protocol::V2 => vec![
                    client
                        .execute_with(&Confirm::new("1"), &options)
                        .await
                        .map(drop)
                        .unwrap_err()
                        .to_string(),
                ],
                _ => vec![
                    client
                        .execute_with(&v3, &options)
                        .await
                        .map(drop)
                        .unwrap_err()
                        .to_string(),
                    client
                        .execute_with(&user_info, &options)
                        .await
                        .map(drop)
                        .unwrap_err()
                        .to_string(),
                ],
            };
            for err in errs {
                assert!(
                    err.contains(&format!("`{field}`")) && err.contains("control character"),
                    "{protocol:?}: {err}"
                );
                assert!(!err.contains("201510BB"), "{err}");
            }
        }
    }
    assert_eq!(server.requests().len(), 0, "nothing is sent");
}

#[tokio::test]
async fn a_v3_call_with_its_own_notify_or_return_url_is_refused_not_sent_without_it() {
    // Found by a probe: RequestOptions::notify_url on a v3 call was dropped silently (v3
    // carries no such public parameter), and the call went out without it.
    use alipay_runtime::{Protocol, RequestOptions};
    let server = Server::start(|_| signed_reply(NODE, SUCCESS_NODE)).await;
    let client = client_for(&server)
        .notify_url("https://shop.example/client-notify")
        .build()
        .expect("client");
    let request =
        crate::v3_client::Raw::<{ crate::v3_client::QUERY }>::json(r#"{"out_trade_no":"1"}"#);
    for (options, field) in [
        (
            RequestOptions::new().notify_url("https://shop.example/n"),
            "notify_url",
        ),
        (
            RequestOptions::new().return_url("https://shop.example/r"),
            "return_url",
        ),
    ] {
        let err = client
            .execute_with(&request, &options.protocol(Protocol::V3))
            .await
            .map(drop)
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidRequest(e) if e.field == field),
            "{err:?}"
        );
    }
    assert_eq!(server.requests().len(), 0, "nothing is sent");
    // The client's own notify_url is not a reason to refuse (documented: not sent over v3).
    let err = client
        .execute_with(&request, &RequestOptions::new().protocol(Protocol::V3))
        .await
        .map(drop)
        .unwrap_err();
    assert!(!matches!(err, Error::InvalidRequest(_)), "{err:?}");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn a_verified_answer_of_another_shape_names_the_member_without_quoting_its_value() {
    // Found by a probe: a verified node whose member has another type than the response's
    // (`agreement_no` as a number) failed with serde_json's message, which quotes the value
    // and names no member ("invalid type: integer `4242424242`, expected a string at line 1
    // column 62"); the call's DEBUG event carries that text, and node text belongs to TRACE.
    use alipay_runtime::sign::sign_base64;
    use alipay_runtime::v3::AnswerHeaders;
    let client = Client::builder()
        .app_id("2014072300007148")
        .private_key(app_private())
        .alipay_public_key(alipay_public())
        .build()
        .expect("client");
    let node = r#"{"code":"10000","msg":"Success","agreement_no":4242424242}"#;
    let body = signed_body(NODE, node, Charset::Utf8, SignType::Rsa2);
    let v2 = client.parse_response::<Confirm>(200, &body).unwrap_err();
    let signed = format!("1722306093000\nnonce-1\n{node}\n");
    let signature =
        sign_base64(&alipay_private(), SignType::Rsa2, signed.as_bytes()).expect("sign");
    let headers = AnswerHeaders {
        timestamp: Some("1722306093000"),
        nonce: Some("nonce-1"),
        signature: Some(&signature),
        ..AnswerHeaders::default()
    };
    let v3 = client
        .parse_response_v3::<Confirm>(200, &headers, node.as_bytes(), false)
        .unwrap_err();
    for err in [v2, v3] {
        assert!(matches!(err, Error::MalformedBody { .. }), "{err:?}");
        let text = err.to_string();
        assert!(!text.contains("4242424242"), "{text}");
        assert!(text.contains("`agreement_no`"), "{text}");
    }
}
