//! The gateway's root page and its JSON reads: what a trade, a notification and a request look
//! like there, hostile text escaped, and reading them leaves the request log as it was.

use alipay_gateway::TestGateway;
use alipay_openapi::trade::precreate;
use alipay_runtime::Price;
use serde_json::Value;

/// GETs the gateway's JSON read `path`.
async fn read_json(gw: &TestGateway, path: &str) -> Value {
    reqwest::get(format!("http://{}{path}", gw.addr()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

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

    let trades = read_json(&gw, "/control/trades").await;
    assert_eq!(trades[0]["out_trade_no"], "dash-1");
    assert_eq!(trades[0]["subject"], hostile);
    let notifications = read_json(&gw, "/control/notifications").await;
    assert_eq!(notifications, serde_json::json!([]));
    let log = read_json(&gw, "/control/requests?since=0").await;
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

#[tokio::test]
// Long because: a transfer, an agreement and a deduction, each on the page and as JSON.
async fn the_dashboard_and_its_json_show_transfers_agreements_and_deductions() {
    use crate::money_and_agreements::signed_agreement;
    use alipay_openapi::fund::trans_uni_transfer;

    let gw = crate::pdeduct::gateway().await;
    let client = gw.client().unwrap();
    let base = format!("http://{}", gw.addr());
    let hostile = "<img src=x onerror=alert(1)>";
    let transfer = trans_uni_transfer::Request::new()
        .out_biz_no("dash-t-1")
        .trans_amount("12.34")
        .product_code("TRANS_ACCOUNT_NO_PWD")
        .biz_scene("DIRECT_TRANSFER")
        .order_title(hostile)
        .payee_info(
            trans_uni_transfer::Participant::new()
                .identity("2088123412341234")
                .identity_type("ALIPAY_USER_ID"),
        );
    let order_id = client.execute(&transfer).await.unwrap().order_id.unwrap();
    let agreement_no = signed_agreement(&client, &gw, "dash-a-1").await;
    crate::pdeduct::sign_and_deduct(&client, "dash-o-1").await;
    let deduction = gw.deduct_agreements()[0].agreement_id.clone();
    let before = gw.request_count();

    let page = reqwest::get(format!("{base}/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for shown in [
        "id=\"transfers\"",
        "dash-t-1",
        order_id.as_str(),
        "12.34",
        "id=\"agreements\"",
        "dash-a-1",
        agreement_no.as_str(),
        "GENERAL_WITHHOLDING_P",
        "NORMAL",
        "id=\"deductions\"",
        deduction.as_str(),
        "dash-o-1 12.50",
    ] {
        assert!(page.contains(shown), "the page lacks {shown}:\n{page}");
    }
    assert!(
        page.contains("&lt;img src=x onerror=alert(1)&gt;"),
        "{page}"
    );
    assert!(!page.contains(hostile));

    // The JSON reads answer what POSTing {} there does (the transfers and agreements
    // control calls), and record nothing.
    let transfers = read_json(&gw, "/control/transfers").await;
    assert_eq!(transfers["transfers"][0]["out_biz_no"], "dash-t-1");
    assert_eq!(transfers["transfers"][0]["order_title"], hostile);
    let agreements = read_json(&gw, "/control/agreements").await;
    assert_eq!(agreements["agreements"][0]["agreement_no"], agreement_no);
    assert_eq!(agreements["agreements"][0]["status"], "NORMAL");
    let deductions = read_json(&gw, "/control/deductions").await;
    assert_eq!(deductions["agreements"][0]["agreement_id"], deduction);
    assert_eq!(deductions["bills"][0]["out_order_no"], "dash-o-1");
    assert_eq!(gw.request_count(), before);
    let posted: Value = reqwest::Client::new()
        .post(format!("{base}/control/transfers"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(posted, transfers);
}
