//! `alipay.trade.pay` waiting for the buyer's password, over v3 through the typed client on
//! 127.0.0.1: HTTP 200 with the trade's fields and `trade_status` `WAIT_BUYER_PAY` (v2 answers
//! `10003` with the same fields), never the HTTP 500 it was; the trade is the one v2 sees, paid
//! by the control call, then answered paid by a query over either protocol.

use alipay_gateway::face_to_face::{AUTH_CODE_ASKS_PASSWORD, AUTH_CODE_PAYS};
use alipay_openapi::trade::pay;
use alipay_runtime::{Price, RequestOptions, RequestParts};

use crate::merchant::Merchant;
use crate::support::{client, start, status, v3_client};

fn pay_of(out: &str, auth_code: &str) -> pay::Request {
    pay::Request::new(out, pay::Scene::BarCode, auth_code, Price::from_cents(600)).subject("tea")
}

#[tokio::test]
async fn a_v3_bar_code_payment_waiting_for_the_password_answers_200_with_the_trade() {
    let gw = start().await;
    let merchant = Merchant::start(0).await;
    let v2 = client(&gw, &merchant, alipay_runtime::Charset::Utf8);
    let v3 = v3_client(&gw);

    let waiting = v3
        .execute(&pay_of("v3-wait-1", AUTH_CODE_ASKS_PASSWORD))
        .await
        .expect("a 200 answer, not an error");
    let held = gw.trade("v3-wait-1").expect("held");
    assert_eq!(waiting.trade_no.as_deref(), Some(held.trade_no.as_str()));
    assert_eq!(waiting.out_trade_no.as_deref(), Some("v3-wait-1"));
    assert_eq!(waiting.total_amount.as_deref(), Some("6.00"));
    assert_eq!(waiting.buyer_pay_amount.as_deref(), Some("0.00"));
    assert_eq!(waiting.gmt_payment, None, "not paid yet");
    assert_eq!(
        status(&v2, "v3-wait-1").await.as_deref(),
        Some("WAIT_BUYER_PAY")
    );

    // The answer as sent: the trade_status a v3 client tells a waiting payment by.
    let route = <pay::Request as alipay_runtime::Method>::ROUTE.expect("a v3 route");
    let parts =
        RequestParts::biz_content_of(&pay_of("v3-wait-2", AUTH_CODE_ASKS_PASSWORD)).expect("parts");
    let raw = v3
        .execute_raw_v3(
            "alipay.trade.pay",
            &route,
            &parts,
            &RequestOptions::default(),
        )
        .await
        .expect("200");
    assert_eq!(raw["trade_status"], "WAIT_BUYER_PAY");
    assert!(!raw.contains_key("code") && !raw.contains_key("msg"));
    let paid_at_once = v3
        .execute_raw_v3(
            "alipay.trade.pay",
            &route,
            &RequestParts::biz_content_of(&pay_of("v3-paid", AUTH_CODE_PAYS)).expect("parts"),
            &RequestOptions::default(),
        )
        .await
        .expect("200");
    assert!(
        !paid_at_once.contains_key("trade_status"),
        "{paid_at_once:?}"
    );
    assert!(paid_at_once.contains_key("gmt_payment"));

    // The buyer types the password: paid, over v2 and v3 alike.
    gw.pay("v3-wait-1").expect("paid");
    assert_eq!(
        status(&v2, "v3-wait-1").await.as_deref(),
        Some("TRADE_SUCCESS")
    );
    assert_eq!(
        status(&v3, "v3-wait-1").await.as_deref(),
        Some("TRADE_SUCCESS")
    );
    let answers: Vec<u16> = gw
        .requests()
        .iter()
        .filter(|r| r.method.as_deref() == Some("alipay.trade.pay"))
        .map(|r| r.answer.status)
        .collect();
    assert_eq!(answers, [200, 200, 200]);
}
