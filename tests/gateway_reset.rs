//! `POST /control/reset` and `LocalGateway::reset`, over real HTTP on 127.0.0.1: a gateway full
//! of state (a paid trade whose notification is being delivered again and again, a transfer,
//! a signed agreement, an SMS code, a fault rule, an advanced clock, the request log) is back
//! to a fresh gateway's state, its deliveries stopped, and works as a fresh one would.

use std::time::Duration;

use alipay_gateway::{Fault, FaultRule, NotifySchedule, TestGateway};
use alipay_openapi::trade::{precreate, query};
use alipay_runtime::{Charset, Price};
use serde_json::Value;

use crate::merchant::Merchant;
use crate::money_and_agreements::{AUTH_APPLY, apply, signed_agreement, transfer};
use crate::support::{client, http, methods_and, refusal};

async fn post(http: &reqwest::Client, url: &str, content_type: &str, body: &str) -> (u16, Value) {
    let response = http
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, content_type)
        .body(body.to_owned())
        .send()
        .await
        .expect("answer");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
// Long because: one gateway filled with every kind of state, reset, and checked piece by piece.
async fn a_reset_over_http_forgets_everything_and_stops_the_deliveries() {
    let gw = TestGateway::start_with(methods_and(&[AUTH_APPLY]), |b| {
        b.fund_balance("500.00".parse().unwrap())
            .notify_schedule(NotifySchedule::new([Duration::from_millis(100); 100]))
    })
    .await
    .expect("gateway starts");
    // A merchant that never acknowledges: the notification is delivered again and again.
    let merchant = Merchant::start(usize::MAX).await;
    let client = client(&gw, &merchant, Charset::Utf8);
    let http = http();

    let qr = client
        .execute(&precreate::Request::new("r-1", Price::from_cents(100)).subject("tea"))
        .await
        .expect("precreate")
        .qr_code
        .expect("a qr_code");
    gw.scan_and_pay(&qr).expect("paid");
    client
        .execute(&transfer("t-1", "30.00"))
        .await
        .expect("transfer");
    let agreement_no = signed_agreement(&client, &gw, "ext-r").await;
    apply(&client, &agreement_no).await;
    gw.inject_fault(FaultRule::new("alipay.trade.query", Fault::HttpStatus(503)).times(5))
        .expect("fault");
    gw.advance_clock(Duration::from_secs(3_600));
    merchant
        .wait_for(Duration::from_secs(10), |r| r.notifications.len() >= 2)
        .await;
    assert!(
        merchant.received().notifications.len() >= 2,
        "being delivered"
    );
    assert_eq!(gw.fund_balance().as_str(), "470.00");
    assert!(!gw.requests().is_empty() && !gw.sms_codes().is_empty());

    let (status, held) = post(&http, &gw.reset_url(), "application/json", "{}").await;
    assert_eq!(status, 200, "{held}");
    for empty in [
        "trades",
        "notifications",
        "transfers",
        "agreements",
        "sms_codes",
        "faults",
    ] {
        assert_eq!(held[empty], 0, "{empty}: {held}");
    }
    assert_eq!(held["available_amount"], "500.00", "the starting balance");
    assert_eq!(held["clock"]["offset_ms"], 0);

    assert!(gw.trades().is_empty() && gw.notifications().is_empty());
    assert!(gw.transfers().is_empty() && gw.agreements().is_empty());
    assert!(gw.sms_codes().is_empty() && gw.faults().is_empty());
    assert_eq!(gw.fund_balance().as_str(), "500.00");
    assert_eq!(gw.clock_offset(), Duration::ZERO);
    // The log holds the reset call alone (every request is recorded, this one too).
    let log = gw.requests();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0].path, "/control/reset");
    assert_eq!(log[0].verdict, "control call (no signature)");

    // The notification made before the reset is delivered no more (one already on the way
    // when it came may still land: wait for that first).
    tokio::time::sleep(Duration::from_millis(200)).await;
    let delivered = merchant.received().notifications.len();
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(merchant.received().notifications.len(), delivered);
    assert_eq!(gw.deliveries_pending(), 0);

    // A fresh gateway: no such trade (and no 503 fault left), and the same order number opens
    // a new trade, with another amount.
    assert_eq!(
        refusal(&client, &query::Request::new().out_trade_no("r-1")).await,
        "ACQ.TRADE_NOT_EXIST"
    );
    client
        .execute(&precreate::Request::new("r-1", Price::from_cents(999)).subject("tea"))
        .await
        .expect("a new trade");
    assert_eq!(gw.trades()[0].total_amount.as_str(), "9.99");
}

#[tokio::test]
async fn the_rust_reset_is_the_same_operation_and_the_call_wants_a_json_post() {
    let gw = TestGateway::start(alipay_openapi::METHODS)
        .await
        .expect("gateway starts");
    let client = gw.client().expect("client");
    client
        .execute(&precreate::Request::new("r-2", Price::from_cents(100)).subject("tea"))
        .await
        .expect("precreate");
    gw.advance_clock(Duration::from_secs(600));
    gw.inject_fault(FaultRule::new("*", Fault::Reset).times(1))
        .expect("fault");

    gw.reset();
    assert!(gw.trades().is_empty() && gw.faults().is_empty());
    assert_eq!((gw.request_count(), gw.clock_offset()), (0, Duration::ZERO));
    assert!(gw.now() <= std::time::SystemTime::now() + Duration::from_secs(1));

    let http = http();
    let answer = http.get(gw.reset_url()).send().await.expect("answer");
    assert_eq!(answer.status(), 405);
    let (status, refused) = post(&http, &gw.reset_url(), "text/plain", "{}").await;
    assert_eq!(status, 415, "{refused}");
    let (status, refused) = post(&http, &gw.reset_url(), "application/json", "[]").await;
    assert_eq!(status, 400, "{refused}");
    // Refused calls reset nothing, and are logged like any request.
    assert_eq!(gw.request_count(), 3);
}
