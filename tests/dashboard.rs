//! The gateway's root page and its JSON reads: what a trade, a notification and a request look
//! like there, hostile text escaped, and reading them leaves the request log as it was.

use alipay_gateway::TestGateway;
use alipay_openapi::trade::precreate;
use alipay_runtime::Price;
use serde_json::Value;

#[tokio::test]
async fn the_dashboard_shows_the_state_escaped_and_reading_records_nothing() {
    let gw = TestGateway::start(alipay_openapi::METHODS).await.unwrap();
    let client = gw.client().unwrap();
    let hostile = "<script>alert(1)</script>";
    let request = precreate::Request::new("dash-1", Price::from_cents(100)).subject(hostile);
    client.execute(&request).await.unwrap();
    let before = gw.request_count();

    let base = format!("http://{}", gw.addr());
    let page = reqwest::get(format!("{base}/")).await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let page = page.text().await.unwrap();
    assert!(page.contains("dash-1") && page.contains("WAIT_BUYER_PAY"));
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(!page.contains(hostile));
    assert!(page.contains("alipay.trade.precreate") && page.contains("signature ok"));

    let trades: Value = reqwest::get(format!("{base}/control/trades"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(trades[0]["out_trade_no"], "dash-1");
    assert_eq!(trades[0]["subject"], hostile);
    let notifications: Value = reqwest::get(format!("{base}/control/notifications"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(notifications, serde_json::json!([]));
    let log: Value = reqwest::get(format!("{base}/control/requests?since=0"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(log["count"], before);
    assert_eq!(log["requests"][0]["method"], "alipay.trade.precreate");
    assert_eq!(log["requests"][0]["verdict"], "signature ok");
    // Reading recorded nothing.
    assert_eq!(gw.request_count(), before);
    // Writing to a read is refused like any other unknown request, and logged.
    let posted = reqwest::Client::new()
        .post(format!("{base}/control/trades"))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 404);
    assert_eq!(gw.request_count(), before + 1);
}
