//! `alipay.trade.query`, `alipay.trade.refund` and `alipay.trade.close` answering from the
//! trades the local gateway keeps, over real HTTP on 127.0.0.1 (the payment itself as in
//! `payments.rs`; the helpers are `support.rs`'s).

use alipay_gateway::TradeStatus;
use alipay_openapi::trade::{close, query, refund};
use alipay_runtime::{Charset, Client};

use crate::support::*;

fn refund_of(out: &str, amount: &str, request_no: &str) -> refund::Request {
    refund::Request::new(price(amount))
        .out_trade_no(out)
        .out_request_no(request_no)
}

/// The answer to a refund of `amount` on `out` under `request_no` (a refusal fails the test).
async fn refunded(client: &Client, out: &str, amount: &str, request_no: &str) -> refund::Response {
    client
        .execute(&refund_of(out, amount, request_no))
        .await
        .expect("refund")
}

#[tokio::test]
// Long because: one trade's story (query, refunds, close), each step on the state the last left.
async fn query_refund_and_close_answer_from_the_trades() {
    let (gw, _merchant, client) = shop(Charset::Utf8).await;
    let http = http();

    assert_eq!(
        refusal(
            &client,
            &query::Request::new().out_trade_no("never-ordered")
        )
        .await,
        "ACQ.TRADE_NOT_EXIST"
    );

    let p = page_request(&client, PAGE_PAY, &order("paid", "88.88", "paid order"));
    get_page(&http, &get_url(&p)).await;
    assert_eq!(
        status(&client, "paid").await.as_deref(),
        Some("WAIT_BUYER_PAY")
    );
    assert_eq!(
        refusal(&client, &refund_of("paid", "1.00", "r0")).await,
        "ACQ.TRADE_STATUS_ERROR"
    );
    let payment = gw.pay("paid").expect("paid");
    assert_eq!(payment.trade.status, TradeStatus::TradeSuccess);
    assert!(payment.return_redirect.is_some());

    // Partial refunds add up; the same out_request_no again moves nothing.
    let r1 = refunded(&client, "paid", "10.00", "r1").await;
    assert_eq!(r1.refund_fee.as_deref(), Some("10.00"));
    assert_eq!(r1.fund_change.as_deref(), Some("Y"));
    let again = refunded(&client, "paid", "10.00", "r1").await;
    assert_eq!(again.refund_fee.as_deref(), Some("10.00"));
    assert_eq!(again.fund_change.as_deref(), Some("N"));
    let r2 = refunded(&client, "paid", "70.00", "r2").await;
    assert_eq!(r2.refund_fee.as_deref(), Some("80.00"));
    assert_eq!(
        refusal(&client, &refund_of("paid", "8.89", "r3")).await,
        "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"
    );
    assert_eq!(
        status(&client, "paid").await.as_deref(),
        Some("TRADE_SUCCESS")
    );
    let r3 = refunded(&client, "paid", "8.88", "r3").await;
    assert_eq!(r3.refund_fee.as_deref(), Some("88.88"));
    assert_eq!(
        status(&client, "paid").await.as_deref(),
        Some("TRADE_CLOSED")
    );
    let trade = gw.trade("paid").expect("held");
    assert_eq!(trade.refunded_amount.as_str(), "88.88");
    assert_eq!(trade.refunds.len(), 3);
    assert_eq!(
        refusal(&client, &close::Request::new().out_trade_no("paid")).await,
        "ACQ.TRADE_STATUS_ERROR"
    );

    // An unpaid order is closed; paying it afterwards is refused.
    let p = page_request(&client, PAGE_PAY, &order("unpaid", "5.00", "unpaid order"));
    get_page(&http, &get_url(&p)).await;
    let trade_no = gw.trade("unpaid").expect("opened").trade_no;
    let answer = client
        .execute(&close::Request::new().trade_no(trade_no.clone()))
        .await
        .expect("close");
    assert_eq!(answer.out_trade_no.as_deref(), Some("unpaid"));
    let answer = query_trade_no(&client, &trade_no).await;
    assert_eq!(
        status_of(&answer.trade_status).as_deref(),
        Some("TRADE_CLOSED")
    );
    assert_eq!(
        gw.pay("unpaid").unwrap_err().sub_code,
        "ACQ.TRADE_HAS_CLOSE"
    );

    // The same out_trade_no with another amount.
    let p = page_request(&client, PAGE_PAY, &order("twice", "1.00", "first"));
    get_page(&http, &get_url(&p)).await;
    let p = page_request(&client, PAGE_PAY, &order("twice", "2.00", "first"));
    let (_, _, page) = get_page(&http, &get_url(&p)).await;
    assert!(page.contains("ACQ.CONTEXT_INCONSISTENT"), "{page}");
    assert_eq!(
        gw.trade("twice").expect("held").total_amount.as_str(),
        "1.00"
    );

    // The refunds notified the merchant too (TRADE_CLOSED once refunded in full).
    let held =
        wait_notifications(&gw, |n| n.len() >= 4 && n.iter().all(|n| n.is_delivered())).await;
    let statuses: Vec<&str> = held.iter().map(|n| n.trade_status.as_str()).collect();
    assert_eq!(
        statuses,
        [
            "TRADE_SUCCESS",
            "TRADE_SUCCESS",
            "TRADE_SUCCESS",
            "TRADE_CLOSED"
        ]
    );
    assert_eq!(held[3].param("refund_fee"), Some("88.88"));

    // Everything is in the request log.
    let over = gw
        .requests()
        .into_iter()
        .find(|r| r.answer.sub_code.as_deref() == Some("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"))
        .expect("logged");
    assert_eq!(over.method.as_deref(), Some("alipay.trade.refund"));
    assert_eq!(over.answer.code.as_deref(), Some("40004"));
}
