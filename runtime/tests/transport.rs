//! The client against transport faults of the test server (`server.rs`): refused, silent,
//! HTML 500, redirected, cut-off and slow answers, and opt-in connect retries.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use alipay_runtime::charset::Charset;
use alipay_runtime::sign::SignType;
use alipay_runtime::{Client, Error, RequestSent, TransportKind};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpListener;

use crate::server::*;

#[tokio::test]
async fn connection_refused_never_reached_the_gateway() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let client = Client::builder()
        .gateway(format!("http://{addr}/gateway.do"))
        .app_id("2014072300007148")
        .private_key(app_private())
        .alipay_public_key(alipay_public())
        .retry_connect_failures(2)
        .build()
        .expect("client");
    let err = client.execute(&Confirm::new("123")).await.unwrap_err();
    assert_transport(
        &err,
        TransportKind::Connect,
        RequestSent::NotSent,
        "a connect failure",
    );
    assert_eq!(err.request_sent(), RequestSent::NotSent);
    let text = err.to_string();
    assert!(text.contains("could not connect"), "{text}");
    assert!(!text.contains("sign="), "the URL leaked into {text}");
}

#[tokio::test]
async fn opt_in_connect_retry_reaches_a_gateway_that_comes_up_late() {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    drop(listener);
    let url = format!("http://{addr}/gateway.do");
    let build = |retries| {
        Client::builder()
            .gateway(url.clone())
            .app_id("2014072300007148")
            .private_key(app_private())
            .alipay_public_key(alipay_public())
            .retry_connect_failures(retries)
            .build()
            .expect("client")
    };
    // Without retries the first refusal is final.
    let err = build(0).execute(&Confirm::new("1")).await.unwrap_err();
    assert!(
        matches!(
            &err,
            Error::Transport(e) if e.kind() == TransportKind::Connect
        ),
        "{err:?}"
    );

    // The gateway starts listening 150 ms later; retries (100 ms, 200 ms, ...) find it.
    let client = build(4);
    let late = tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        let listener = TcpListener::bind(addr).await.expect("rebind the same port");
        let (stream, _) = listener.accept().await.expect("accept");
        let log = Arc::new(Mutex::new(Vec::new()));
        let script: Script = Arc::new(|_: &Received| signed_reply(NODE, SUCCESS_NODE));
        serve(stream, script, log.clone()).await.expect("serve");
        log.lock().expect("log").len()
    });
    let response = client
        .execute(&Confirm::new("1"))
        .await
        .expect("success after retries");
    assert_eq!(response.code, "10000");
    assert_eq!(late.await.expect("server task"), 1);
}

#[tokio::test]
async fn tls_handshake_failure_is_named_and_never_reached_the_gateway() {
    // A plain-HTTP server where the client expects TLS: it answers the ClientHello with
    // HTTP text, which no TLS stack accepts.
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let _ = stream
                .write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                .await;
            let _ = stream.shutdown().await;
        }
    });
    let client = Client::builder()
        .gateway(format!("https://{addr}/gateway.do"))
        .app_id("2014072300007148")
        .private_key(app_private())
        .alipay_public_key(alipay_public())
        .build()
        .expect("client");
    let err = client.execute(&Confirm::new("1")).await.unwrap_err();
    assert_transport(
        &err,
        TransportKind::Tls,
        RequestSent::NotSent,
        "a TLS failure",
    );
    assert!(
        err.to_string()
            .starts_with("the TLS handshake with the gateway failed"),
        "{err}"
    );
}

#[tokio::test]
async fn silent_gateway_times_out_and_may_have_been_reached() {
    let server = Server::start(|_| vec![Step::Sleep(Duration::from_secs(10))]).await;
    let client = client_for(&server)
        .timeout(Duration::from_millis(300))
        .retry_connect_failures(3)
        .build()
        .expect("client");
    let started = std::time::Instant::now();
    let err = client.execute(&Confirm::new("123")).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_transport(
        &err,
        TransportKind::Timeout,
        RequestSent::MaybeSent,
        "a timeout",
    );
    // A request that may have arrived is never resent, even with connect retries on.
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn http_500_with_html_body() {
    let html = "<html>\r\n<head><title>500 Internal Server Error</title></head>\r\n<body>\r\n<center><h1>500 Internal Server Error</h1></center>\r\n</body>\r\n</html>\r\n";
    let server =
        Server::start(move |_| reply("500 Internal Server Error", "text/html", html.as_bytes()))
            .await;
    let err = confirm_error(&server, "123").await;
    match &err {
        Error::HttpStatus(e) if e.status() == 500 => {
            let body_snippet = e.body_snippet();
            assert!(body_snippet.starts_with("<html> <head><title>500 Internal Server Error"));
            assert!(!body_snippet.contains('\n'));
        }
        other => panic!("expected HTTP 500, got {other:?}"),
    }
    assert!(err.to_string().starts_with("the gateway answered HTTP 500"));
}

#[tokio::test]
async fn redirects_are_not_followed() {
    let server = Server::start(|_| {
        vec![Step::Write(
            b"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/elsewhere\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
        )]
    })
    .await;
    let err = confirm_error(&server, "123").await;
    assert!(
        matches!(&err, Error::HttpStatus(e) if e.status() == 302),
        "{err:?}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn truncated_body_is_a_transport_error_after_the_gateway_was_reached() {
    let server = Server::start(|_| {
        let body = signed_body(NODE, SUCCESS_NODE, Charset::Utf8, SignType::Rsa2);
        let mut bytes = http_head("200 OK", "text/html;charset=utf-8", body.len() + 500);
        bytes.extend_from_slice(&body);
        vec![Step::Write(bytes)]
    })
    .await;
    let err = confirm_error(&server, "123").await;
    assert_transport(
        &err,
        TransportKind::ResponseBody,
        RequestSent::Sent,
        "a cut-off body",
    );
}

fn slow_body(pause: Duration) -> impl Fn(&Received) -> Vec<Step> + Send + Sync + 'static {
    move |_| {
        let body = signed_body(NODE, SUCCESS_NODE, Charset::Utf8, SignType::Rsa2);
        let third = body.len() / 3;
        vec![
            Step::Write(http_head("200 OK", "text/html;charset=utf-8", body.len())),
            Step::Write(body[..third].to_vec()),
            Step::Sleep(pause),
            Step::Write(body[third..2 * third].to_vec()),
            Step::Sleep(pause),
            Step::Write(body[2 * third..].to_vec()),
        ]
    }
}

/// One call to a server that sends its answer in thirds `pause` apart, with `timeout`.
async fn slow_call(
    pause: Duration,
    timeout: Duration,
) -> Result<ConfirmResponse, Error<ConfirmError>> {
    let server = Server::start(slow_body(pause)).await;
    let client = client_for(&server)
        .timeout(timeout)
        .build()
        .expect("client");
    client.execute(&Confirm::new("123")).await
}

#[tokio::test]
async fn slow_body_within_the_timeout_succeeds() {
    let response = slow_call(Duration::from_millis(150), Duration::from_secs(3))
        .await
        .expect("success");
    assert_eq!(
        response.agreement_no.as_deref(),
        Some("20170322450983769228")
    );
}

#[tokio::test]
async fn slow_body_beyond_the_timeout_fails_as_timeout() {
    let err = slow_call(Duration::from_millis(400), Duration::from_millis(500))
        .await
        .unwrap_err();
    assert_transport(
        &err,
        TransportKind::Timeout,
        RequestSent::Sent,
        "a timeout while reading",
    );
}

/// `err` is a transport failure of `kind` that reached the gateway as `sent` (`what` names
/// the failure expected).
fn assert_transport<E: std::fmt::Debug + alipay_runtime::BizErrorCode>(
    err: &Error<E>,
    kind: TransportKind,
    sent: RequestSent,
    what: &str,
) {
    match err {
        Error::Transport(e) if e.kind() == kind && e.sent() == sent => {}
        other => panic!("expected {what}, got {other:?}"),
    }
}
