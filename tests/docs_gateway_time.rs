//! The "Time and faults" block of `docs/gateway.md`, run as written: the code between the
//! markers is the page's block (`tests/docs.rs` checks that). It needs the root crate's
//! `gateway` feature, as the page says; CI runs it in its `trade,gateway` step.
#![cfg(feature = "gateway")]

// README-BEGIN
use std::time::Duration;

use alipay_openapi::Price;
use alipay_openapi::gateway::{self, Fault, FaultRule};
use alipay_openapi::runtime::RequestSent;
use alipay_openapi::trade::{precreate, query};

#[tokio::test]
async fn unpaid_after_15_minutes_is_closed_and_a_lost_answer_is_sent_again() {
    let gw = gateway::start().await.unwrap();
    let client = gw.client().unwrap();
    let order = precreate::Request::new("demo-3", Price::from_cents(990))
        .subject("tea")
        .timeout_express("15m");

    // The gateway makes the trade, then the answer is lost: the client cannot know which.
    gw.inject_fault(FaultRule::new("alipay.trade.precreate", Fault::Reset).times(1))
        .unwrap();
    let lost = client.execute(&order).await.unwrap_err();
    assert_eq!(lost.request_sent(), RequestSent::MaybeSent);
    assert_eq!(gw.requests()[0].fault.as_deref(), Some("reset"));
    // Sent again, it is the same trade.
    client.execute(&order).await.unwrap();
    assert_eq!(gw.trades().len(), 1);

    // Nobody pays: 15 minutes later on the gateway's clock, the trade is closed.
    gw.advance_clock(Duration::from_secs(15 * 60));
    let answer = client
        .execute(&query::Request::new().out_trade_no("demo-3"))
        .await
        .unwrap();
    let status = answer.trade_status.as_ref().map(ToString::to_string);
    assert_eq!(status.as_deref(), Some("TRADE_CLOSED"));
}
// README-END
