//! The local gateway's bounds, over raw TCP on 127.0.0.1: bodies over the limit are answered
//! 413, half-sent requests time out, the request log holds at most so many entries and bytes
//! (and says how many it dropped), connections beyond the limit wait, and a request with many
//! parameters is checked in linear time.

use std::time::Duration;

use alipay_gateway::LocalGateway;
use alipay_runtime::MethodDescriptor;
use alipay_runtime::validate::ValidationError;
use serde_json::Value;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;
use tokio::time::timeout;

use crate::protocol::{echo_method, keys};

static METHODS: &[MethodDescriptor] = &[echo_method(&[], None, accept)];

fn accept(_: Option<&Value>, _: &[(String, String)]) -> Result<(), ValidationError> {
    Ok(())
}

fn builder() -> alipay_gateway::GatewayBuilder {
    LocalGateway::builder(METHODS, keys().gateway_keys().expect("keys"))
}

/// Sends `head` and `body` on a fresh connection and reads the answer until the server
/// closes or `wait` passes; the answer's status, if one came.
async fn exchange(gw: &LocalGateway, head: &str, body: &[u8], wait: Duration) -> Option<u16> {
    let mut stream = TcpStream::connect(gw.addr()).await.expect("connect");
    stream.write_all(head.as_bytes()).await.expect("write head");
    // The server may answer (and close) before the whole body is sent.
    let _ = stream.write_all(body).await;
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    let _ = timeout(wait, async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    answer.extend_from_slice(&buf[..n]);
                    if answer.windows(4).any(|w| w == b"\r\n\r\n") {
                        break;
                    }
                }
            }
        }
    })
    .await;
    let text = String::from_utf8_lossy(&answer);
    text.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()
}

/// [`exchange`] of a POST of `body`, its `Content-Length` its length.
async fn post(gw: &LocalGateway, body: &[u8], wait: Duration) -> Option<u16> {
    exchange(gw, &post_head(body.len()), body, wait).await
}

fn post_head(length: usize) -> String {
    format!(
        "POST /gateway.do HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
    )
}

#[tokio::test]
async fn a_body_over_the_limit_is_answered_413() {
    let gw = builder().max_body_bytes(1024).start().await.expect("start");
    let body = vec![b'a'; 4096];
    let status = post(&gw, &body, Duration::from_secs(10)).await;
    assert_eq!(status, Some(413));
    let small = b"method=alipay.test.echo";
    let status = post(&gw, small, Duration::from_secs(10)).await;
    assert_eq!(status, Some(200), "a body within the limit is read");
    let statuses: Vec<u16> = gw.requests().iter().map(|r| r.answer.status).collect();
    assert_eq!(
        statuses,
        [413, 200],
        "the refusal is logged with its status"
    );
}

#[tokio::test]
async fn half_sent_headers_and_bodies_time_out() {
    let gw = builder()
        .header_read_timeout(Duration::from_millis(300))
        .body_read_timeout(Duration::from_millis(300))
        .start()
        .await
        .expect("start");
    // Headers that never end: the server closes the connection.
    let mut stream = TcpStream::connect(gw.addr()).await.expect("connect");
    stream
        .write_all(b"POST /gateway.do HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        .await
        .expect("write");
    let mut buf = [0u8; 1024];
    let closed = timeout(Duration::from_secs(10), async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    })
    .await;
    assert!(closed.is_ok(), "half-sent headers kept the connection open");

    // A body shorter than its Content-Length: answered 408 once the timeout passes.
    let status = exchange(&gw, &post_head(1000), b"method=", Duration::from_secs(10)).await;
    assert_eq!(status, Some(408));
    let statuses: Vec<u16> = gw.requests().iter().map(|r| r.answer.status).collect();
    assert_eq!(
        statuses,
        [408],
        "the timed-out request is logged with its status"
    );
}

#[tokio::test]
async fn the_request_log_is_a_bounded_ring() {
    let gw = builder()
        .request_log_limits(5, usize::MAX)
        .start()
        .await
        .expect("start");
    for i in 0..8 {
        let body = format!("method=alipay.test.echo&n={i}");
        let status = post(&gw, body.as_bytes(), Duration::from_secs(10)).await;
        assert_eq!(status, Some(200));
    }
    let held = gw.requests();
    assert_eq!(held.len(), 5);
    assert_eq!(
        held[0].param("n"),
        Some("3"),
        "the oldest are dropped first"
    );
    assert_eq!(gw.requests_dropped(), 3);
    assert_eq!(gw.request_count(), 8, "every request received is counted");
    // Positions count every request received: the first 3 are gone, the next held.
    assert_eq!(gw.requests_since(6).len(), 2);
    assert_eq!(gw.requests_since(0).len(), 5);
    // A reader that saw the first 1: requests 1 and 2 were dropped before it read them; it
    // reads on from 3, and from where that left it, with nothing repeated.
    let (first, held) = gw.requests_from(1);
    assert_eq!((first, held.len()), (3, 5));
    assert_eq!(gw.requests_from(first + held.len()), (8, Vec::new()));
    let (first, held) = gw.requests_from(6);
    assert_eq!((first, held.len()), (6, 2));

    // In bytes: no more than the limit is held, and the newest is always kept.
    let gw = builder()
        .request_log_limits(usize::MAX, 64 * 1024)
        .start()
        .await
        .expect("start");
    let big = format!("method=alipay.test.echo&pad={}", "x".repeat(20 * 1024));
    for _ in 0..10 {
        let status = post(&gw, big.as_bytes(), Duration::from_secs(10)).await;
        assert_eq!(status, Some(200));
    }
    let held = gw.requests();
    assert!(held.len() < 10 && !held.is_empty(), "{} held", held.len());
    assert_eq!(gw.requests_dropped() as usize + held.len(), 10);
}

#[tokio::test]
async fn the_default_log_holds_at_most_64_mib() {
    let gw = builder().start().await.expect("start");
    // 70 requests of 1 MiB each: without a bound the log would hold all of them.
    let big = format!("method=alipay.test.echo&pad={}", "x".repeat(1024 * 1024));
    for _ in 0..70 {
        let status = post(&gw, big.as_bytes(), Duration::from_secs(30)).await;
        assert_eq!(status, Some(200));
    }
    let held = gw.requests();
    let bytes: usize = held
        .iter()
        .map(|r| {
            r.params
                .iter()
                .map(|(k, v)| k.len() + v.len())
                .sum::<usize>()
        })
        .sum();
    assert!(bytes <= 64 * 1024 * 1024, "{bytes} bytes held");
    assert!(held.len() < 70);
}

#[tokio::test]
async fn connections_beyond_the_limit_wait() {
    let gw = builder().max_connections(2).start().await.expect("start");
    let idle_a = TcpStream::connect(gw.addr()).await.expect("connect");
    let idle_b = TcpStream::connect(gw.addr()).await.expect("connect");
    let body = b"method=alipay.test.echo";
    let waiting = post(&gw, body, Duration::from_millis(500)).await;
    assert_eq!(waiting, None, "a third connection was served");
    drop(idle_a);
    drop(idle_b);
    let served = post(&gw, body, Duration::from_secs(10)).await;
    assert_eq!(served, Some(200));
}

#[tokio::test]
async fn many_parameters_are_checked_in_linear_time() {
    // 80,000 distinct parameters and one duplicate at the end: the duplicate check used to
    // compare each with every earlier one (minutes in a debug build).
    let gw = builder()
        .max_body_bytes(16 * 1024 * 1024)
        .start()
        .await
        .expect("start");
    let mut body = String::from("method=alipay.test.echo");
    for i in 0..80_000 {
        body.push_str(&format!("&p{i}=v"));
    }
    body.push_str("&p1=again");
    let status = post(&gw, body.as_bytes(), Duration::from_secs(120)).await;
    assert_eq!(status, Some(200));
    let held = gw.requests();
    assert_eq!(
        held[0].answer.sub_code.as_deref(),
        Some("isv.invalid-parameter")
    );
}
