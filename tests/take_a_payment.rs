//! The "Take a payment" section, run as written: the code between the markers below
//! is the block of `docs/payments.md`, character for character (`tests/docs.rs` checks that).

// README-BEGIN
// Cargo.toml [dev-dependencies]: alipay-gateway = "0.1", tokio, and reqwest (standing in for
// the buyer's browser).
use alipay_gateway::{TestGateway, TradeStatus};
use alipay_openapi::runtime::{Price, RequestParts, verify_notify};
use alipay_openapi::trade::{query, refund};

#[tokio::test]
async fn take_a_payment() {
    let gw = TestGateway::start(alipay_openapi::METHODS).await.unwrap();
    let client = gw
        .client_builder()
        // Your app's pages (nothing listens on port 9 here: the notification is retried).
        .return_url("http://127.0.0.1:9/alipay/return")
        .notify_url("http://127.0.0.1:9/alipay/notify")
        .build()
        .unwrap();

    // Create: a signed alipay.trade.page.pay request for the buyer's browser (a GET URL).
    let order = r#"{"out_trade_no":"order-1","total_amount":"88.88","subject":"T-shirt","product_code":"FAST_INSTANT_TRADE_PAY"}"#;
    let parts = RequestParts {
        biz_content: Some(order.into()),
        form: Vec::new(),
        ..RequestParts::default()
    };
    let signed = client.prepare_raw("alipay.trade.page.pay", &parts).unwrap();
    let url = format!("{}&{}", signed.url, String::from_utf8(signed.body).unwrap());
    let cashier = reqwest::get(&url).await.unwrap().text().await.unwrap();
    assert!(cashier.contains("T-shirt") && cashier.contains("88.88"));

    // Pay: what the buyer's click on the cashier's pay button does.
    let payment = gw.pay("order-1").unwrap();
    let back = payment.return_redirect.unwrap(); // return_url?...&sign=...
    let (_, query_string) = back.split_once('?').unwrap();
    let returned = verify_notify(query_string.as_bytes(), gw.alipay_public_key()).unwrap();
    assert_eq!(returned.get("out_trade_no"), Some("order-1"));

    // Notify: the signed form POSTed to notify_url, again until it is answered `success`.
    let notification = &gw.notifications()[0];
    let verified = verify_notify(&notification.body, gw.alipay_public_key()).unwrap();
    assert_eq!(verified.get("trade_status"), Some("TRADE_SUCCESS"));

    // Query and refund: answered from the trade.
    let trade = client
        .execute(&query::Request::new().out_trade_no("order-1"))
        .await
        .unwrap();
    let status = trade.trade_status.as_ref().map(ToString::to_string);
    assert_eq!(status.as_deref(), Some("TRADE_SUCCESS"));
    let refund = refund::Request::new(Price::from_cents(888))
        .out_trade_no("order-1")
        .out_request_no("refund-1");
    let refunded = client.execute(&refund).await.unwrap();
    assert_eq!(refunded.refund_fee.as_deref(), Some("8.88"));
    assert_eq!(
        gw.trade("order-1").unwrap().status,
        TradeStatus::TradeSuccess
    );
}
// README-END
