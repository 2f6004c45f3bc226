//! The client's fault matrix: every fault of the test server (`server.rs`) over real HTTP on
//! 127.0.0.1, for v2 (`Client::execute`) and v3 (the same client with `Protocol::V3`, a
//! routed method), each row asserting the typed error, `request_sent()`, how many connections
//! the server accepted and requests it read (nothing is resent automatically, though every
//! client here retries refused connects), and that the call ended within the configured
//! timeout. `transport.rs` keeps the case-by-case tests of the messages and of a gateway that
//! comes up late; BENCHMARKS.md records the table.
//!
//! What is provable about whether the request reached the gateway, from the client's side:
//!
//! - **refused**: no connection was opened, so nothing was written: `NotSent`, and the only
//!   case a connect retry may resend;
//! - **reset on accept**: the connection was opened and then reset, most likely before the
//!   server read a byte; but the client wrote its request into the connection and cannot tell
//!   a server that never read it from one that read it, acted, and crashed: `MaybeSent`;
//! - **reset or closed after the request**, **silent past the timeout**: the request was
//!   written and no answer came back: `MaybeSent`;
//! - **any status line received** (a stalled or truncated body, 5xx, HTML, a redirect, an
//!   empty 200): the gateway answered, so it had the request: `Sent`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use alipay_runtime::charset::Charset;
use alipay_runtime::sign::SignType;
use alipay_runtime::{
    BizErrorCode, Client, ClientBuilder, Error, Protocol, RequestSent, SignatureError,
    TransportKind,
};
use tokio::net::TcpListener;

use crate::server::*;
use crate::v3_client::{QUERY, Raw};

/// The total time each call is given.
const TIMEOUT: Duration = Duration::from_millis(1000);
/// What a call may take beyond its timeout (scheduling on a busy 2-core machine).
const MARGIN: Duration = Duration::from_millis(700);
/// Connect retries every client of the matrix is configured with.
const RETRIES: u32 = 2;

/// A fault the server plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    /// A correct, signed answer: the control row.
    Healthy,
    /// Nothing listens on the port.
    Refused,
    /// The connection is accepted and reset before anything is read.
    ResetOnAccept,
    /// The request is read whole, then the connection is reset without an answer.
    ResetAfterRequest,
    /// The request is read whole, then the connection is closed (FIN) without an answer.
    ClosedAfterRequest,
    /// The request is read whole and nothing is answered for longer than the timeout.
    SilentPastTimeout,
    /// The status line, headers and a third of the body, then nothing past the timeout.
    StalledBodyPastTimeout,
    /// A `Content-Length` larger than the body sent, then the connection closed.
    TruncatedBody,
    /// HTTP 503 with a proxy's HTML error page (no `alipay-*` headers).
    Html503,
    /// HTTP 500 with the v3 error JSON (`{code, message}`), unsigned.
    Json500Unsigned,
    /// HTTP 502 with the v3 error JSON, signed by the Alipay key in its headers.
    Json502Signed,
    /// HTTP 302 to another server (which counts what reaches it).
    Redirect302,
    /// HTTP 200 with `Content-Length: 0`.
    Empty200,
}

/// What a call came to, in terms a row can state.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Ok,
    Transport(TransportKind),
    HttpStatus(u16),
    /// `Error::Api`: status, code, verified.
    Api(u16, Option<String>, bool),
    /// `Error::Signature(SignatureError::HeaderMissing(header))`.
    Unsigned(&'static str),
    Malformed,
    Other(String),
}

/// One row: a fault, a protocol, and what the client must make of it.
struct Row {
    fault: Fault,
    protocol: Protocol,
    outcome: Outcome,
    sent: Option<RequestSent>,
    /// Connections the server accepted; requests it read whole.
    connections: usize,
    requests: usize,
}

const V2: Protocol = Protocol::V2;
const V3: Protocol = Protocol::V3;
const NOT_SENT: Option<RequestSent> = Some(RequestSent::NotSent);
const MAYBE: Option<RequestSent> = Some(RequestSent::MaybeSent);
const SENT: Option<RequestSent> = Some(RequestSent::Sent);

fn row(
    fault: Fault,
    protocol: Protocol,
    outcome: Outcome,
    sent: Option<RequestSent>,
    connections: usize,
    requests: usize,
) -> Row {
    Row {
        fault,
        protocol,
        outcome,
        sent,
        connections,
        requests,
    }
}

/// The matrix. `sent` is `None` for a success (no error to ask).
fn matrix() -> Vec<Row> {
    use Fault::*;
    use Outcome as O;
    use TransportKind as K;
    let mut rows = Vec::new();
    for p in [V2, V3] {
        rows.extend([
            row(Healthy, p, O::Ok, None, 1, 1),
            // Refused: 0 connections accepted (nothing listens); the retries are counted in
            // `refused_connects_are_retried_and_nothing_else_is`.
            row(Refused, p, O::Transport(K::Connect), NOT_SENT, 0, 0),
            row(ResetOnAccept, p, O::Transport(K::Other), MAYBE, 1, 0),
            row(ResetAfterRequest, p, O::Transport(K::Other), MAYBE, 1, 1),
            row(ClosedAfterRequest, p, O::Transport(K::Other), MAYBE, 1, 1),
            row(SilentPastTimeout, p, O::Transport(K::Timeout), MAYBE, 1, 1),
            row(
                StalledBodyPastTimeout,
                p,
                O::Transport(K::Timeout),
                SENT,
                1,
                1,
            ),
            row(TruncatedBody, p, O::Transport(K::ResponseBody), SENT, 1, 1),
        ]);
    }
    rows.extend([
        // v2 has no error body: any status outside 2xx is `HttpStatus`, unread.
        row(Html503, V2, O::HttpStatus(503), SENT, 1, 1),
        row(Json500Unsigned, V2, O::HttpStatus(500), SENT, 1, 1),
        row(Json502Signed, V2, O::HttpStatus(502), SENT, 1, 1),
        row(Redirect302, V2, O::HttpStatus(302), SENT, 1, 1),
        row(Empty200, V2, O::Malformed, SENT, 1, 1),
        // v3: 400 or more is `Error::Api`, verified only when signed; a page that is not the
        // protocol's JSON carries no code.
        row(Html503, V3, O::Api(503, None, false), SENT, 1, 1),
        row(
            Json500Unsigned,
            V3,
            O::Api(500, Some("SYSTEM_ERROR".to_owned()), false),
            SENT,
            1,
            1,
        ),
        row(
            Json502Signed,
            V3,
            O::Api(502, Some("SYSTEM_ERROR".to_owned()), true),
            SENT,
            1,
            1,
        ),
        // A redirect is a status, as over v2 (it was reported as a missing signature).
        row(Redirect302, V3, O::HttpStatus(302), SENT, 1, 1),
        // A 2xx must be signed: an empty one is not.
        row(Empty200, V3, O::Unsigned("alipay-signature"), SENT, 1, 1),
    ]);
    rows
}

const V3_ERROR: &str = r#"{"code":"SYSTEM_ERROR","message":"系统繁忙"}"#;
const V3_SUCCESS: &str = r#"{"trade_no":"2013112011001004330000121536","out_trade_no":"6823789339978248","trade_status":"TRADE_SUCCESS"}"#;
const HTML_503: &str = "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body><center><h1>503 Service Temporarily Unavailable</h1></center></body>\r\n</html>\r\n";

/// A correct answer's bytes for `protocol`.
fn healthy(protocol: Protocol) -> Vec<u8> {
    match protocol {
        Protocol::V2 => {
            let body = signed_body(NODE, SUCCESS_NODE, Charset::Utf8, SignType::Rsa2);
            let mut bytes = http_head("200 OK", "text/html;charset=utf-8", body.len());
            bytes.extend_from_slice(&body);
            bytes
        }
        _ => v3_signed("200 OK", V3_SUCCESS),
    }
}

/// What the server does after reading the request, for `fault`; `elsewhere` is where a
/// redirect points.
fn script(fault: Fault, protocol: Protocol, elsewhere: &str) -> Vec<Step> {
    let past_timeout = TIMEOUT * 5;
    match fault {
        Fault::Healthy => vec![Step::Write(healthy(protocol))],
        Fault::Refused | Fault::ResetOnAccept => unreachable!("no request is read"),
        Fault::ResetAfterRequest => vec![Step::Reset],
        Fault::ClosedAfterRequest => Vec::new(),
        Fault::SilentPastTimeout => vec![Step::Sleep(past_timeout)],
        Fault::StalledBodyPastTimeout => {
            let answer = healthy(protocol);
            let head_end = answer
                .windows(4)
                .position(|w| w == b"\r\n\r\n")
                .expect("head")
                + 4;
            let third = head_end + (answer.len() - head_end) / 3;
            vec![
                Step::Write(answer[..third].to_vec()),
                Step::Sleep(past_timeout),
                Step::Write(answer[third..].to_vec()),
            ]
        }
        Fault::TruncatedBody => {
            let answer = healthy(protocol);
            let text = String::from_utf8(answer).expect("ASCII head, UTF-8 body");
            let (head, body) = text.split_once("\r\n\r\n").expect("head");
            // The head announces 500 bytes more than follow; the server then closes.
            let head = head.replace(
                &format!("Content-Length: {}", body.len()),
                &format!("Content-Length: {}", body.len() + 500),
            );
            vec![Step::Write(format!("{head}\r\n\r\n{body}").into_bytes())]
        }
        Fault::Html503 => reply(
            "503 Service Temporarily Unavailable",
            "text/html",
            HTML_503.as_bytes(),
        ),
        Fault::Json500Unsigned => reply(
            "500 Internal Server Error",
            "application/json",
            V3_ERROR.as_bytes(),
        ),
        Fault::Json502Signed => vec![Step::Write(v3_signed("502 Bad Gateway", V3_ERROR))],
        Fault::Redirect302 => vec![Step::Write(
            format!(
                "HTTP/1.1 302 Found\r\nLocation: {elsewhere}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            )
            .into_bytes(),
        )],
        Fault::Empty200 => reply("200 OK", "application/json", b""),
    }
}

/// A client of the matrix: the given gateway, `protocol`, the short timeout, connect retries.
fn client(gateway: String, protocol: Protocol) -> ClientBuilder {
    Client::builder()
        .gateway(gateway)
        .app_id("2014072300007148")
        .private_key(app_private())
        .alipay_public_key(alipay_public())
        .protocol(protocol)
        .timeout(TIMEOUT)
        .retry_connect_failures(RETRIES)
}

/// One call of the protocol's method; its outcome and `request_sent()`.
async fn call(client: &Client, protocol: Protocol) -> (Outcome, Option<RequestSent>) {
    match protocol {
        Protocol::V2 => observe(client.execute(&Confirm::new("123")).await),
        _ => observe(
            client
                .execute(&Raw::<QUERY>::json(
                    r#"{"out_trade_no":"6823789339978248"}"#,
                ))
                .await,
        ),
    }
}

fn observe<T, E: BizErrorCode + std::fmt::Debug>(
    result: Result<T, Error<E>>,
) -> (Outcome, Option<RequestSent>) {
    let e = match result {
        Ok(_) => return (Outcome::Ok, None),
        Err(e) => e,
    };
    let sent = Some(e.request_sent());
    let outcome = match &e {
        Error::Transport(t) => {
            // The error's own `sent` and `request_sent()` must agree.
            assert_eq!(Some(t.sent()), sent, "{e:?}");
            Outcome::Transport(t.kind())
        }
        Error::HttpStatus(s) => Outcome::HttpStatus(s.status()),
        Error::Api(a) => Outcome::Api(a.status(), a.code_str().map(str::to_owned), a.verified()),
        Error::Signature(SignatureError::HeaderMissing(h)) => Outcome::Unsigned(h),
        Error::MalformedBody { .. } => Outcome::Malformed,
        other => Outcome::Other(format!("{other:?}")),
    };
    (outcome, sent)
}

/// What one row did.
struct Observed {
    outcome: Outcome,
    sent: Option<RequestSent>,
    connections: usize,
    requests: usize,
    elsewhere: usize,
    elapsed: Duration,
}

async fn run(fault: Fault, protocol: Protocol) -> Observed {
    // Where a redirect points: it must never be reached.
    let elsewhere = Server::start(|_| reply("200 OK", "text/plain", b"elsewhere")).await;
    let elsewhere_url = format!("http://{}/elsewhere", elsewhere.addr);
    let server = match fault {
        Fault::Refused => None,
        Fault::ResetOnAccept => Some(Server::resetting_on_accept().await),
        _ => Some(Server::start(move |_| script(fault, protocol, &elsewhere_url)).await),
    };
    let url = match &server {
        Some(server) => server.url(),
        None => format!("http://{}/gateway.do", free_port().await),
    };
    let client = client(url, protocol).build().expect("client");
    let started = Instant::now();
    let (outcome, sent) = call(&client, protocol).await;
    let elapsed = started.elapsed();
    // Give the server's tasks a moment to log what reached them (the log is written before
    // the script runs; the pause only covers a late accept).
    tokio::time::sleep(Duration::from_millis(20)).await;
    Observed {
        outcome,
        sent,
        connections: server.as_ref().map_or(0, Server::connection_count),
        requests: server.as_ref().map_or(0, |s| s.requests().len()),
        elsewhere: elsewhere.connection_count(),
        elapsed,
    }
}

/// A port nothing listens on (bound, then released).
async fn free_port() -> std::net::SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    listener.local_addr().expect("addr")
}

#[tokio::test]
async fn fault_matrix() {
    let mut failures = Vec::new();
    let mut table = vec![
        "| fault | protocol | error | request_sent | connections | requests | ms |".to_owned(),
        "|---|---|---|---|---|---|---|".to_owned(),
    ];
    for row in matrix() {
        let got = run(row.fault, row.protocol).await;
        let name = format!("{:?} over {:?}", row.fault, row.protocol);
        table.push(format!(
            "| {:?} | {:?} | {:?} | {} | {} | {} | {} |",
            row.fault,
            row.protocol,
            got.outcome,
            got.sent.map_or("-".to_owned(), |s| format!("{s:?}")),
            got.connections,
            got.requests,
            got.elapsed.as_millis(),
        ));
        let mut check = |ok: bool, what: String| {
            if !ok {
                failures.push(format!("{name}: {what}"));
            }
        };
        check(
            got.outcome == row.outcome,
            format!("outcome {:?}, expected {:?}", got.outcome, row.outcome),
        );
        check(
            got.sent == row.sent,
            format!("request_sent {:?}, expected {:?}", got.sent, row.sent),
        );
        check(
            got.connections == row.connections,
            format!(
                "{} connections, expected {} (a resend?)",
                got.connections, row.connections
            ),
        );
        check(
            got.requests == row.requests,
            format!("{} requests read, expected {}", got.requests, row.requests),
        );
        check(got.elsewhere == 0, "a redirect was followed".to_owned());
        check(
            got.elapsed < TIMEOUT + MARGIN,
            format!("took {:?}, timeout {TIMEOUT:?}", got.elapsed),
        );
    }
    // The table BENCHMARKS.md records (`--nocapture` shows it).
    println!("{}", table.join("\n"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A resolver that maps every name to one address and counts lookups: one per connect
/// attempt, so it counts the attempts a refused call makes.
struct CountingResolver {
    addr: std::net::SocketAddr,
    lookups: Arc<AtomicUsize>,
}

impl reqwest::dns::Resolve for CountingResolver {
    fn resolve(&self, _: reqwest::dns::Name) -> reqwest::dns::Resolving {
        self.lookups.fetch_add(1, Ordering::SeqCst);
        let addrs: reqwest::dns::Addrs = Box::new(std::iter::once(self.addr));
        Box::pin(std::future::ready(Ok(addrs)))
    }
}

/// `retry_connect_failures(n)` resends a refused connect n times, after pauses of 100 ms,
/// 200 ms, ..., and nothing else: a row of every other kind was counted above with retries on.
#[tokio::test]
async fn refused_connects_are_retried_and_nothing_else_is() {
    for (protocol, retries) in [(V2, 0), (V2, 2), (V3, 0), (V3, 2)] {
        let addr = free_port().await;
        let lookups = Arc::new(AtomicUsize::new(0));
        let http = reqwest::Client::builder()
            .dns_resolver(Arc::new(CountingResolver {
                addr,
                lookups: lookups.clone(),
            }))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client");
        let client = client(
            format!("http://gateway.test:{}/gateway.do", addr.port()),
            protocol,
        )
        .retry_connect_failures(retries)
        .http_client(http)
        .build()
        .expect("client");
        let started = Instant::now();
        let (outcome, sent) = call(&client, protocol).await;
        let elapsed = started.elapsed();
        assert_eq!(
            outcome,
            Outcome::Transport(TransportKind::Connect),
            "{protocol:?}"
        );
        assert_eq!(sent, NOT_SENT);
        assert_eq!(
            lookups.load(Ordering::SeqCst),
            1 + retries as usize,
            "{protocol:?}, {retries} retries"
        );
        // The pauses (100 ms, then 200 ms) bound the time from both sides.
        let pauses: u64 = (1..=retries).map(|n| 100 << (n - 1)).sum();
        assert!(
            elapsed >= Duration::from_millis(pauses) && elapsed < TIMEOUT + MARGIN,
            "{protocol:?}, {retries} retries: {elapsed:?}"
        );
    }
}
