// Over 500 lines because: every fault kind is played once in Rust and once over the HTTP control call.
//! Faults on demand at the local gateway, through the typed client over real HTTP on
//! 127.0.0.1: each fault gives the client's documented typed error and `request_sent()`
//! (runtime/tests/faults.rs has the client's matrix against a scripted server), a rule for the
//! next `n` calls hits exactly `n`, a seeded probability is reproducible, and the request log
//! names every fault injected.

use std::time::{Duration, Instant};

use alipay_gateway::{Fault, FaultRule, TestGateway};
use alipay_openapi::trade::{precreate, query};
use alipay_runtime::{Charset, Client, Error, Protocol, RequestSent, TransportKind};
use serde_json::json;

use crate::merchant::Merchant;
use crate::support::{
    http, logged_at, notifications_within, pay_at_once, price, send_json, shop, shop_with_schedule,
    start,
};

const QUERY: &str = "alipay.trade.query";
const PRECREATE: &str = "alipay.trade.precreate";

/// The client's timeout in these tests: a `slow` fault of 3 s passes it.
const TIMEOUT: Duration = Duration::from_millis(1000);

/// How long a test waits for the notifications it expects.
const NOTIFY_WAIT: Duration = Duration::from_secs(5);

fn short_client(gw: &TestGateway, merchant: &Merchant, protocol: Protocol) -> Client {
    gw.client_builder()
        .charset(Charset::Utf8)
        .notify_url(merchant.notify_url())
        .protocol(protocol)
        .timeout(TIMEOUT)
        .build()
        .expect("client")
}

/// What a call came to, in terms a test can state.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    /// A typed answer (success or business error: the gateway's answer went through).
    Answered,
    Transport(TransportKind),
    HttpStatus(u16),
    /// A verified gateway error: its code and sub_code.
    Gateway(String, String),
    /// A v3 error answer: its status and whether it verified.
    Api(u16, bool),
    Other(String),
}

fn outcome<T, E: alipay_runtime::BizErrorCode + std::fmt::Debug>(
    result: Result<T, Error<E>>,
) -> (Outcome, Option<RequestSent>) {
    let e = match result {
        Ok(_) => return (Outcome::Answered, None),
        Err(e) => e,
    };
    let sent = Some(e.request_sent());
    let outcome = match &e {
        Error::Business(_) => return (Outcome::Answered, None),
        Error::Transport(t) => Outcome::Transport(t.kind()),
        Error::HttpStatus(s) => Outcome::HttpStatus(s.status()),
        Error::Gateway(g) => Outcome::Gateway(
            g.code().as_str().to_owned(),
            g.sub_code().as_str().to_owned(),
        ),
        Error::Api(a) => Outcome::Api(a.status(), a.verified()),
        other => Outcome::Other(format!("{other:?}")),
    };
    (outcome, sent)
}

async fn query_once(client: &Client, out: &str) -> (Outcome, Option<RequestSent>) {
    outcome(
        client
            .execute(&query::Request::new().out_trade_no(out))
            .await,
    )
}

/// `fault` on the next call of `method` (`*`: of any method).
fn fault_once(gw: &TestGateway, method: &str, fault: Fault) {
    gw.inject_fault(FaultRule::new(method, fault).times(1))
        .expect("a rule");
}

/// The faults recorded in the log for `method`, oldest first (`None` for a call without).
fn logged_faults(gw: &TestGateway, method: &str) -> Vec<Option<String>> {
    gw.requests()
        .into_iter()
        .filter(|r| r.method.as_deref() == Some(method))
        .map(|r| r.fault)
        .collect()
}

#[tokio::test]
// Long because: one row per fault, each with its error, request_sent, log entry and recovery.
async fn each_fault_gives_the_documented_typed_error_and_request_sent() {
    let gw = start().await;
    let merchant = Merchant::start(0).await;
    let client = short_client(&gw, &merchant, Protocol::V2);
    use Outcome as O;
    use TransportKind as K;
    let rows: [(Fault, Outcome, RequestSent, &str); 5] = [
        (
            Fault::HttpStatus(503),
            O::HttpStatus(503),
            RequestSent::Sent,
            "http_status 503",
        ),
        (
            Fault::service_unavailable(),
            O::Gateway("20000".into(), "isp.unknow-error".into()),
            RequestSent::Sent,
            "system_error 20000 isp.unknow-error",
        ),
        (
            Fault::Slow(TIMEOUT * 3),
            O::Transport(K::Timeout),
            RequestSent::MaybeSent,
            "slow 3000ms",
        ),
        (
            Fault::Reset,
            O::Transport(K::Other),
            RequestSent::MaybeSent,
            "reset",
        ),
        (
            Fault::Truncated,
            O::Transport(K::ResponseBody),
            RequestSent::Sent,
            "truncated",
        ),
    ];
    for (fault, expected, sent, label) in rows {
        fault_once(&gw, QUERY, fault);
        let started = Instant::now();
        let got = query_once(&client, "nowhere").await;
        assert_eq!(got, (expected, Some(sent)), "{label}");
        assert!(
            started.elapsed() < TIMEOUT * 2,
            "{label}: {:?}",
            started.elapsed()
        );
        assert_eq!(
            logged_faults(&gw, QUERY).last(),
            Some(&Some(label.to_owned())),
            "{label}"
        );
        // Used up: the next call is answered (ACQ.TRADE_NOT_EXIST, a business error).
        assert!(gw.faults().is_empty(), "{label}");
        assert_eq!(
            query_once(&client, "nowhere").await,
            (O::Answered, None),
            "{label}"
        );
        assert_eq!(logged_faults(&gw, QUERY).last(), Some(&None), "{label}");
    }
}

#[tokio::test]
async fn a_lost_answer_was_processed_and_the_retry_finds_the_trade() {
    let gw = start().await;
    let merchant = Merchant::start(0).await;
    let client = short_client(&gw, &merchant, Protocol::V2);
    let request = precreate::Request::new("lost-1", price("9.90")).subject("Iphone6 16G");
    for fault in [Fault::Reset, Fault::Truncated, Fault::Slow(TIMEOUT * 3)] {
        fault_once(&gw, PRECREATE, fault.clone());
        let (got, _) = outcome(client.execute(&request).await);
        assert!(matches!(got, Outcome::Transport(_)), "{fault:?}: {got:?}");
        // The gateway acted before the answer was lost.
        assert!(gw.trade("lost-1").is_some(), "{fault:?}");
    }
    // The retry of the same order: the same trade and code, as Alipay answers it.
    let first = gw.trade("lost-1").unwrap();
    let answer = client.execute(&request).await.expect("precreate");
    assert_eq!(answer.qr_code, first.qr_code);
    assert_eq!(gw.trades().len(), 1);
    // A status or system error fault is answered instead: nothing is processed.
    for fault in [Fault::HttpStatus(502), Fault::service_unavailable()] {
        fault_once(&gw, PRECREATE, fault);
        let other = precreate::Request::new("lost-2", price("1.00")).subject("s");
        assert!(client.execute(&other).await.is_err());
        assert!(gw.trade("lost-2").is_none());
    }
}

#[tokio::test]
async fn times_2_hits_exactly_the_next_two_calls_of_its_method() {
    let (gw, _merchant, client) = shop(Charset::Utf8).await;
    gw.inject_fault(FaultRule::new(QUERY, Fault::HttpStatus(502)).times(2))
        .expect("a rule");
    assert_eq!(gw.faults()[0].times, Some(2));
    // Another method is not hit.
    client
        .execute(&precreate::Request::new("t-1", price("1.00")).subject("s"))
        .await
        .expect("precreate");
    let mut got = Vec::new();
    for _ in 0..4 {
        got.push(query_once(&client, "t-1").await.0);
    }
    assert_eq!(
        got,
        [
            Outcome::HttpStatus(502),
            Outcome::HttpStatus(502),
            Outcome::Answered,
            Outcome::Answered
        ]
    );
    assert!(gw.faults().is_empty());
    assert_eq!(
        logged_faults(&gw, QUERY),
        [
            Some("http_status 502".to_owned()),
            Some("http_status 502".to_owned()),
            None,
            None
        ]
    );
    assert_eq!(logged_faults(&gw, PRECREATE), [None]);
}

/// Which of `calls` queries a fresh gateway with `rule` faulted.
async fn faulted_calls(rule: FaultRule, calls: usize) -> Vec<bool> {
    let (gw, _merchant, client) = shop(Charset::Utf8).await;
    gw.inject_fault(rule).expect("a rule");
    let mut faulted = Vec::new();
    for _ in 0..calls {
        let (got, _) = query_once(&client, "nowhere").await;
        faulted.push(got != Outcome::Answered);
    }
    let logged: Vec<bool> = logged_faults(&gw, QUERY)
        .iter()
        .map(Option::is_some)
        .collect();
    assert_eq!(logged, faulted);
    faulted
}

#[tokio::test]
async fn a_seeded_probability_is_reproducible() {
    let rule = |seed| FaultRule::new("*", Fault::service_unavailable()).probability(0.5, seed);
    let first = faulted_calls(rule(7), 24).await;
    let again = faulted_calls(rule(7), 24).await;
    assert_eq!(first, again);
    let hits = first.iter().filter(|f| **f).count();
    assert!((4..=20).contains(&hits), "{first:?}");
    let other = faulted_calls(rule(8), 24).await;
    assert_ne!(first, other);
    // Probability 0 never fires, 1 always.
    assert!(
        !faulted_calls(rule(7).probability(0.0, 7), 5)
            .await
            .contains(&true)
    );
    assert!(
        !faulted_calls(rule(7).probability(1.0, 7), 5)
            .await
            .contains(&false)
    );
}

#[tokio::test]
async fn v3_requests_get_the_faults_too() {
    let gw = start().await;
    let merchant = Merchant::start(0).await;
    let client = short_client(&gw, &merchant, Protocol::V3);
    for (fault, expected) in [
        // An HTML page is no v3 error body: an unverified API error with the status.
        (
            Fault::HttpStatus(503),
            (Outcome::Api(503, false), Some(RequestSent::Sent)),
        ),
        (
            Fault::Reset,
            (
                Outcome::Transport(TransportKind::Other),
                Some(RequestSent::MaybeSent),
            ),
        ),
        (
            Fault::Truncated,
            (
                Outcome::Transport(TransportKind::ResponseBody),
                Some(RequestSent::Sent),
            ),
        ),
    ] {
        let name = format!("{fault:?}");
        fault_once(&gw, QUERY, fault);
        assert_eq!(query_once(&client, "nowhere").await, expected, "{name}");
    }
    let v3: Vec<_> = gw
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/v3/"))
        .map(|r| r.fault)
        .collect();
    assert_eq!(
        v3,
        [
            Some("http_status 503".to_owned()),
            Some("reset".to_owned()),
            Some("truncated".to_owned())
        ]
    );
}

// Long because: every fault kind set over the HTTP control call and seen once.
#[tokio::test]
async fn the_faults_over_http() {
    let (gw, _merchant, client) = shop(Charset::Utf8).await;
    let http = http();
    let (code, rules) = send_json(
        &http,
        reqwest::Method::POST,
        &gw.faults_url(),
        Some(&json!({ "method": QUERY, "fault": "http_status", "status": 503, "times": 2 })),
    )
    .await;
    assert_eq!(code, 200, "{rules}");
    assert_eq!(
        rules,
        json!({ "faults": [{
            "method": QUERY, "fault": "http_status", "status": 503,
            "times": 2, "probability": null, "seed": 0
        }] })
    );
    assert_eq!(
        gw.faults(),
        [FaultRule::new(QUERY, Fault::HttpStatus(503)).times(2)]
    );
    let (code, _) = send_json(
        &http,
        reqwest::Method::POST,
        &gw.faults_url(),
        Some(&json!({ "fault": "system_error", "probability": 0.25, "seed": 9 })),
    )
    .await;
    assert_eq!(code, 200);
    assert_eq!(query_once(&client, "x").await.0, Outcome::HttpStatus(503));
    let (_, listed) = send_json(&http, reqwest::Method::GET, &gw.faults_url(), None).await;
    assert_eq!(listed["faults"][0]["times"], 1);
    assert_eq!(listed["faults"][1]["fault"], "system_error");
    assert_eq!(listed["faults"][1]["code"], "20000");
    assert_eq!(listed["faults"][1]["sub_code"], "isp.unknow-error");
    assert_eq!(listed["faults"][1]["method"], "*");
    let (code, cleared) = send_json(&http, reqwest::Method::DELETE, &gw.faults_url(), None).await;
    assert_eq!((code, cleared), (200, json!({ "faults": [] })));
    assert!(gw.faults().is_empty());
    assert_eq!(query_once(&client, "x").await.0, Outcome::Answered);

    for (bad, sub_code) in [
        (
            json!({ "fault": "http_status", "status": 200 }),
            "ACQ.INVALID_PARAMETER",
        ),
        (
            json!({ "fault": "reset", "probability": 1.5 }),
            "ACQ.INVALID_PARAMETER",
        ),
        (json!({ "fault": "slow" }), "ACQ.INVALID_PARAMETER"),
        (json!({ "fault": "gremlins" }), "ACQ.INVALID_PARAMETER"),
        (
            json!({ "method": "alipay.no.such", "fault": "reset" }),
            "isv.invalid-method",
        ),
    ] {
        let (code, refused) =
            send_json(&http, reqwest::Method::POST, &gw.faults_url(), Some(&bad)).await;
        assert_eq!(
            (code, refused["sub_code"].as_str()),
            (400, Some(sub_code)),
            "{bad}"
        );
    }
    assert!(gw.faults().is_empty());
    let put = http.put(gw.faults_url()).send().await.expect("answer");
    assert_eq!(put.status().as_u16(), 405);
    // Each control call is in the request log with its verdict.
    let calls: Vec<_> = logged_at(&gw, "/control/faults");
    assert_eq!(calls.len(), 10);
    assert!(
        calls
            .iter()
            .all(|r| r.verdict == "control call (no signature)")
    );
    assert_eq!(calls[0].param("fault"), Some("http_status"));
    assert_eq!(calls[0].param("status"), Some("503"));
    assert_eq!(calls[3].http_method, "DELETE");
}

#[tokio::test]
async fn the_rust_api_refuses_rules_that_cannot_apply() {
    let gw = start().await;
    assert!(matches!(
        gw.inject_fault(FaultRule::new("alipay.no.such", Fault::Reset)),
        Err(alipay_gateway::FaultError::UnknownMethod(_))
    ));
    for bad in [
        FaultRule::new("*", Fault::HttpStatus(404)),
        FaultRule::new("*", Fault::Reset).times(0),
        FaultRule::new("*", Fault::Reset).probability(-0.1, 1),
    ] {
        assert!(matches!(
            gw.inject_fault(bad),
            Err(alipay_gateway::FaultError::Invalid(_))
        ),);
    }
    assert!(gw.faults().is_empty());
}

#[tokio::test]
async fn a_dropped_notification_arrives_with_the_next_delivery_of_the_schedule() {
    let (gw, merchant, client) =
        shop_with_schedule(alipay_gateway::NotifySchedule::alipay(), Charset::Utf8).await;
    fault_once(&gw, "*", Fault::NotifyDrop);
    pay_at_once(&client, "nd-1", "5.00").await;
    let dropped = notifications_within(&gw, NOTIFY_WAIT, |n| {
        n.first().is_some_and(|n| !n.attempts.is_empty())
    })
    .await;
    let first = &dropped[0].attempts[0];
    assert_eq!(first.fault.as_deref(), Some("notify_drop"));
    assert_eq!(first.status, None);
    assert!(first.error.is_some());
    assert!(merchant.received().notifications.is_empty());
    // The retry 4 minutes later on the gateway's clock: delivered.
    gw.advance_clock(Duration::from_secs(240));
    let done = notifications_within(&gw, NOTIFY_WAIT, |n| n[0].is_delivered()).await;
    assert!(done[0].is_delivered(), "{done:#?}");
    assert_eq!(done[0].attempts.len(), 2);
    assert_eq!(done[0].attempts[1].fault, None);
    assert_eq!(merchant.received().notifications.len(), 1);
}

#[tokio::test]
async fn a_duplicated_notification_is_delivered_twice() {
    let (gw, merchant, client) = shop(Charset::Utf8).await;
    fault_once(&gw, "alipay.trade.pay", Fault::NotifyDuplicate);
    pay_at_once(&client, "nu-1", "5.00").await;
    let done = notifications_within(&gw, NOTIFY_WAIT, |n| {
        n.first().is_some_and(|n| n.attempts.len() == 2)
    })
    .await;
    assert!(done[0].is_delivered());
    let attempts = &done[0].attempts;
    assert_eq!(attempts.len(), 2, "{done:#?}");
    assert_eq!(attempts[0].status, Some(200));
    assert_eq!(attempts[1].status, Some(200));
    assert_eq!(attempts[1].fault.as_deref(), Some("notify_duplicate"));
    let received = merchant.received().notifications;
    assert_eq!(received.len(), 2);
    // The same notification twice: same body, same notify_id.
    assert_eq!(received[0], received[1]);
}

#[tokio::test]
async fn a_delayed_notification_waits_on_the_gateways_clock() {
    let (gw, merchant, client) = shop(Charset::Utf8).await;
    fault_once(&gw, "*", Fault::NotifyDelay(Duration::from_secs(60)));
    pay_at_once(&client, "nl-1", "5.00").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(gw.notifications()[0].attempts.is_empty());
    assert!(merchant.received().notifications.is_empty());
    gw.advance_clock(Duration::from_secs(60));
    let done = notifications_within(&gw, NOTIFY_WAIT, |n| n[0].is_delivered()).await;
    assert!(done[0].is_delivered(), "{done:#?}");
    assert_eq!(
        done[0].attempts[0].fault.as_deref(),
        Some("notify_delay 60000ms")
    );
}

#[tokio::test]
async fn a_notification_out_of_order_arrives_after_the_next_one() {
    use alipay_openapi::trade::refund;
    let (gw, merchant, client) =
        shop_with_schedule(alipay_gateway::NotifySchedule::alipay(), Charset::Utf8).await;
    fault_once(&gw, "*", Fault::NotifyOutOfOrder);
    // Paid (TRADE_SUCCESS, held back), then refunded in full (TRADE_CLOSED).
    pay_at_once(&client, "no-1", "5.00").await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(merchant.received().notifications.is_empty());
    client
        .execute(&refund::Request::new(price("5.00")).out_trade_no("no-1"))
        .await
        .expect("refund");
    let done = notifications_within(&gw, NOTIFY_WAIT, |n| {
        n.len() == 2 && n.iter().all(|n| n.is_delivered())
    })
    .await;
    assert!(done.iter().all(|n| n.is_delivered()), "{done:#?}");
    let statuses: Vec<String> = merchant
        .received()
        .notifications
        .iter()
        .map(|(_, body)| {
            let body = String::from_utf8_lossy(body);
            let status = body
                .split('&')
                .find_map(|p| p.strip_prefix("trade_status="))
                .unwrap_or_default();
            status.to_owned()
        })
        .collect();
    assert_eq!(statuses, ["TRADE_CLOSED", "TRADE_SUCCESS"]);
    assert_eq!(done[0].trade_status, "TRADE_SUCCESS");
    assert_eq!(
        done[0].attempts[0].fault.as_deref(),
        Some("notify_out_of_order")
    );
    assert!(done[0].attempts[0].at >= done[1].attempts[0].at);
    assert_eq!(done[1].attempts[0].fault, None);
}
