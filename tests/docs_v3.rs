//! The "The v3 protocol" section, run as written: the code between the markers below
//! is the block of `docs/client.md`, character for character (`tests/docs.rs` checks that).

// README-BEGIN
use alipay_gateway::TestGateway;
use alipay_openapi::runtime::RequestParts;
use alipay_openapi::trade::{query, refund};
use alipay_openapi::{Error, Price, Protocol, RequestOptions};

#[tokio::test]
async fn the_same_requests_over_v3() {
    let gw = TestGateway::start(alipay_openapi::METHODS).await.unwrap();
    // Every call of this client goes over v3 (`Protocol::V2` is the default).
    let client = gw.client_builder().protocol(Protocol::V3).build().unwrap();

    // A trade the buyer paid at the (local) cashier.
    let order = r#"{"out_trade_no":"order-3","total_amount":"20.00","subject":"Mug","product_code":"FAST_INSTANT_TRADE_PAY"}"#;
    let parts = RequestParts {
        biz_content: Some(order.into()),
        ..RequestParts::default()
    };
    let page = client.prepare_raw("alipay.trade.page.pay", &parts).unwrap(); // page methods stay v2
    let url = format!("{}&{}", page.url, String::from_utf8(page.body).unwrap());
    reqwest::get(&url).await.unwrap();
    gw.pay("order-3").unwrap();

    // POST /v3/alipay/trade/query, signed in `Authorization`, the answer verified from its
    // `alipay-*` headers before it is decoded into the same typed response as over v2.
    let request = query::Request::new().out_trade_no("order-3");
    let trade = client.execute(&request).await.unwrap();
    assert_eq!(
        trade.total_amount.map(|p| p.to_string()).as_deref(),
        Some("20.00")
    );

    // One call over the other protocol.
    let v2 = RequestOptions::new().protocol(Protocol::V2);
    assert!(client.execute_with(&request, &v2).await.is_ok());

    // An error answer (HTTP 400 `{code, message, links}`) carries the method's typed code.
    let refund = refund::Request::new(Price::from_cents(9_999)).out_trade_no("order-3");
    match client.execute(&refund).await {
        Err(Error::Api(e)) => {
            assert_eq!((e.status(), e.verified()), (400, true));
            assert_eq!(e.code_str(), Some("ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"));
        }
        other => panic!("{other:?}"),
    }
}
// README-END
