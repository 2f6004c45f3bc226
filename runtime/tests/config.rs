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
