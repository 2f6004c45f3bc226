// Over 500 lines because: one trade story per face-to-face flow (precreate, pay, create, cancel, refund query), each end to end.
//! Face-to-face pay and server-created trades against the local gateway, through the typed
//! client over real HTTP on 127.0.0.1: `alipay.trade.precreate` and the buyer scanning its
//! `qr_code`, `alipay.trade.pay` with an auth code (paid at once, or waiting for the buyer's
//! password), `alipay.trade.create`, `alipay.trade.cancel` and
//! `alipay.trade.fastpay.refund.query`, each answering from the trade the others made.

use alipay_gateway::face_to_face::{AUTH_CODE_ASKS_PASSWORD, AUTH_CODE_PAYS, PAY_IN_PROCESS_CODE};
use alipay_gateway::{Scenario, TestGateway};
use alipay_openapi::trade::{cancel, create, fastpay_refund_query, pay, precreate, refund};
use alipay_runtime::{Error, GatewayCode};
use serde_json::json;

use crate::merchant::Merchant;
use crate::support::{
    client, control, get_page, http, pay_at_once, pay_of, post_form, price, query_out,
    query_trade_no, refusal, shop, start, status, status_of, v3_client, wait_notifications,
};

fn precreate_of(out: &str, amount: &str) -> precreate::Request {
    precreate::Request::new(out, price(amount)).subject("Iphone6 16G")
}

#[tokio::test]
// Long because: one precreated trade's story (scan, query, refund, refund queries, notification).
async fn precreate_then_the_buyer_scans_and_pays_then_a_refund_is_queried() {
    let (gw, _merchant, client) = shop(alipay_runtime::Charset::Utf8).await;
    let http = http();

    let answer = client
        .execute(&precreate_of("qr-1", "88.88"))
        .await
        .expect("precreate");
    assert_eq!(answer.out_trade_no.as_deref(), Some("qr-1"));
    let qr_code = answer.qr_code.expect("a qr_code");
    let prefix = format!("http://{}/qr/", gw.addr());
    assert!(qr_code.starts_with(&prefix), "{qr_code}");
    assert_eq!(qr_code.len(), prefix.len() + 32, "{qr_code}");
    // The same order again: the same code; another amount: refused.
    let again = client
        .execute(&precreate_of("qr-1", "88.88"))
        .await
        .expect("precreate");
    assert_eq!(again.qr_code.as_deref(), Some(qr_code.as_str()));
    assert_eq!(
        refusal(&client, &precreate_of("qr-1", "1.00")).await,
        "ACQ.CONTEXT_INCONSISTENT"
    );
    assert_eq!(
        status(&client, "qr-1").await.as_deref(),
        Some("WAIT_BUYER_PAY")
    );

    // The code's page, then the buyer scans and pays through the control endpoint.
    let (_, _, page) = get_page(&http, &qr_code).await;
    assert!(page.contains("<span id=\"amount\">88.88</span>"), "{page}");
    assert!(page.contains("scan-and-pay"), "{page}");
    let (code, paid) = control(&http, &gw.scan_url(), &json!({ "qr_code": qr_code })).await;
    assert_eq!(code, 200, "{paid}");
    assert_eq!(paid["trade_status"], "TRADE_SUCCESS");
    assert_eq!(paid["out_trade_no"], "qr-1");
    let (code, again) = control(&http, &gw.scan_url(), &json!({ "qr_code": qr_code })).await;
    assert_eq!(code, 409, "{again}");
    assert_eq!(again["sub_code"], "ACQ.TRADE_HAS_SUCCESS");

    let paid = query_out(&client, "qr-1").await;
    assert_eq!(
        status_of(&paid.trade_status).as_deref(),
        Some("TRADE_SUCCESS")
    );
    assert_eq!(
        paid.buyer_user_id.as_deref(),
        Some(alipay_gateway::trades::BUYER_ID)
    );
    assert_eq!(paid.total_amount.as_deref(), Some("88.88"));
    let trade_no = paid.trade_no.expect("trade_no");

    // A partial refund, then the refund queries.
    let refunded = client
        .execute(
            &refund::Request::new(price("8.88"))
                .trade_no(trade_no.clone())
                .out_request_no("rq-1"),
        )
        .await
        .expect("refund");
    assert_eq!(refunded.refund_fee.as_deref(), Some("8.88"));
    let found = client
        .execute(
            &fastpay_refund_query::Request::new("rq-1")
                .out_trade_no("qr-1")
                .query_options(vec!["gmt_refund_pay".to_owned()]),
        )
        .await
        .expect("refund query");
    assert_eq!(found.refund_amount.as_deref(), Some("8.88"));
    assert_eq!(found.total_amount.as_deref(), Some("88.88"));
    assert_eq!(found.refund_status.as_deref(), Some("REFUND_SUCCESS"));
    assert_eq!(found.trade_no.as_deref(), Some(trade_no.as_str()));
    assert_eq!(found.out_request_no.as_deref(), Some("rq-1"));
    assert!(found.gmt_refund_pay.is_some());
    // A refund never asked for: success without refund_status; a trade never made: an error.
    let unknown = client
        .execute(&fastpay_refund_query::Request::new("rq-9").trade_no(trade_no.clone()))
        .await
        .expect("refund query");
    assert_eq!(unknown.refund_status, None);
    assert_eq!(unknown.refund_amount, None);
    assert_eq!(
        refusal(
            &client,
            &fastpay_refund_query::Request::new("rq-1").out_trade_no("never")
        )
        .await,
        "ACQ.TRADE_NOT_EXIST"
    );

    // The payment and the refund were notified, as for a cashier payment.
    let held =
        wait_notifications(&gw, |n| n.len() >= 2 && n.iter().all(|n| n.is_delivered())).await;
    let statuses: Vec<&str> = held.iter().map(|n| n.trade_status.as_str()).collect();
    assert_eq!(statuses, ["TRADE_SUCCESS", "TRADE_SUCCESS"]);
    assert_eq!(held[0].param("total_amount"), Some("88.88"));
    assert_eq!(held[1].param("refund_fee"), Some("8.88"));
    assert_eq!(held[1].param("out_biz_no"), Some("rq-1"));
}

#[tokio::test]
async fn a_bar_code_payment_is_paid_at_once() {
    let (gw, _merchant, client) = shop(alipay_runtime::Charset::Gbk).await;

    let paid = pay_at_once(&client, "bar-1", "12.34").await;
    assert_eq!(paid.out_trade_no.as_deref(), Some("bar-1"));
    assert_eq!(paid.total_amount.as_deref(), Some("12.34"));
    assert_eq!(paid.buyer_pay_amount.as_deref(), Some("12.34"));
    assert_eq!(
        paid.buyer_user_id.as_deref(),
        Some(alipay_gateway::trades::BUYER_ID)
    );
    assert!(paid.gmt_payment.is_some());
    let trade_no = paid.trade_no.expect("trade_no");
    let queried = query_out(&client, "bar-1").await;
    assert_eq!(queried.trade_no.as_deref(), Some(trade_no.as_str()));
    assert_eq!(
        status_of(&queried.trade_status).as_deref(),
        Some("TRADE_SUCCESS")
    );
    assert_eq!(queried.send_pay_date, paid.gmt_payment);

    // Paid already; a code that is not Alipay's.
    assert_eq!(
        refusal(&client, &pay_of("bar-1", AUTH_CODE_PAYS, "12.34")).await,
        "ACQ.TRADE_HAS_SUCCESS"
    );
    assert_eq!(
        refusal(&client, &pay_of("bar-2", "1234", "1.00")).await,
        "ACQ.PAYMENT_AUTH_CODE_INVALID"
    );
    assert!(gw.trade("bar-2").is_none());

    let held = wait_notifications(&gw, |n| n.iter().any(|n| n.is_delivered())).await;
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].trade_no, trade_no);
    assert_eq!(held[0].param("charset"), Some("GBK"));
}

#[tokio::test]
// Long because: two waiting payments, one cancelled and one paid by the control call.
async fn a_bar_code_payment_waiting_for_the_password_is_polled_then_cancelled_or_paid() {
    let (gw, _merchant, client) = shop(alipay_runtime::Charset::Utf8).await;
    let http = http();

    let waiting = match client
        .execute(&pay_of("wait-1", AUTH_CODE_ASKS_PASSWORD, "6.00"))
        .await
    {
        Err(Error::Gateway(g)) => {
            assert_eq!(*g.code(), GatewayCode::InProcess);
            assert_eq!(g.code().as_str(), PAY_IN_PROCESS_CODE);
            assert_eq!(g.msg(), " order success pay inprocess");
            // The verified node of the waiting answer, typed as the method's response.
            g.decode_answer::<pay::Response>().expect("the 10003 node")
        }
        other => panic!("not 10003: {other:?}"),
    };
    let held = gw.trade("wait-1").expect("held");
    assert_eq!(waiting.trade_no.as_deref(), Some(held.trade_no.as_str()));
    assert_eq!(waiting.out_trade_no.as_deref(), Some("wait-1"));
    assert_eq!(waiting.total_amount.as_deref(), Some("6.00"));
    assert_eq!(held.method, "alipay.trade.pay");
    assert_eq!(
        status(&client, "wait-1").await.as_deref(),
        Some("WAIT_BUYER_PAY")
    );
    // The buyer never types the password: the merchant cancels, the trade is closed.
    let cancelled = client
        .execute(&cancel::Request::new().out_trade_no("wait-1"))
        .await
        .expect("cancel");
    assert_eq!(cancelled.action, Some(cancel::Action::Close));
    assert_eq!(cancelled.retry_flag.as_deref(), Some("N"));
    assert_eq!(cancelled.trade_no.as_deref(), Some(held.trade_no.as_str()));
    assert_eq!(
        status(&client, "wait-1").await.as_deref(),
        Some("TRADE_CLOSED")
    );
    let (code, refused) = control(&http, &gw.pay_url(), &json!({ "out_trade_no": "wait-1" })).await;
    assert_eq!(code, 409, "{refused}");
    assert_eq!(refused["sub_code"], "ACQ.TRADE_HAS_CLOSE");

    // This buyer types it: the control call pays, the next poll sees TRADE_SUCCESS.
    assert!(
        client
            .execute(&pay_of("wait-2", AUTH_CODE_ASKS_PASSWORD, "7.00"))
            .await
            .is_err()
    );
    let (code, paid) = control(&http, &gw.pay_url(), &json!({ "out_trade_no": "wait-2" })).await;
    assert_eq!(code, 200, "{paid}");
    assert_eq!(paid["trade_status"], "TRADE_SUCCESS");
    assert_eq!(
        status(&client, "wait-2").await.as_deref(),
        Some("TRADE_SUCCESS")
    );
    let (code, missing) = control(&http, &gw.pay_url(), &json!({ "out_trade_no": "nope" })).await;
    assert_eq!(code, 404, "{missing}");
    assert_eq!(missing["sub_code"], "ACQ.TRADE_NOT_EXIST");

    // Only the payment was notified (closing an unpaid trade is not).
    let held = wait_notifications(&gw, |n| n.iter().any(|n| n.is_delivered())).await;
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].out_trade_no, "wait-2");
}

// Long because: one paid trade cancelled, then its refund, notification and query checked.
#[tokio::test]
async fn cancel_refunds_a_paid_trade_in_full() {
    let (gw, _merchant, client) = shop(alipay_runtime::Charset::Utf8).await;

    pay_at_once(&client, "c-1", "20.00").await;
    let cancelled = client
        .execute(&cancel::Request::new().out_trade_no("c-1"))
        .await
        .expect("cancel");
    assert_eq!(cancelled.action, Some(cancel::Action::Refund));
    assert_eq!(cancelled.out_trade_no.as_deref(), Some("c-1"));
    assert_eq!(
        status(&client, "c-1").await.as_deref(),
        Some("TRADE_CLOSED")
    );
    let trade = gw.trade("c-1").expect("held");
    assert_eq!(trade.refunded_amount.as_str(), "20.00");
    // Sent again (the first answer was lost): the same action, nothing more moves.
    let again = client
        .execute(&cancel::Request::new().out_trade_no("c-1"))
        .await
        .expect("cancel");
    assert_eq!(again.action, Some(cancel::Action::Refund));
    assert_eq!(gw.trade("c-1").expect("held").refunds.len(), 1);
    // The cancel's refund is a refund like any other.
    let found = client
        .execute(&fastpay_refund_query::Request::new("c-1").out_trade_no("c-1"))
        .await
        .expect("refund query");
    assert_eq!(found.refund_amount.as_deref(), Some("20.00"));

    // Refunded in part first: a cancel is refused.
    pay_at_once(&client, "c-2", "20.00").await;
    client
        .execute(
            &refund::Request::new(price("1.00"))
                .out_trade_no("c-2")
                .out_request_no("part"),
        )
        .await
        .expect("refund");
    assert_eq!(
        refusal(&client, &cancel::Request::new().out_trade_no("c-2")).await,
        "ACQ.REASON_TRADE_REFUND_FEE_ERR"
    );

    // A payment that never reached Alipay: success, no action.
    let nothing = client
        .execute(&cancel::Request::new().out_trade_no("never-paid"))
        .await
        .expect("cancel");
    assert_eq!(nothing.action, None);
    assert_eq!(nothing.trade_no, None);
    assert_eq!(nothing.retry_flag.as_deref(), Some("N"));

    // Notified: c-1 paid, c-1 refunded in full (TRADE_CLOSED), c-2 paid, c-2's partial refund.
    let held =
        wait_notifications(&gw, |n| n.len() >= 4 && n.iter().all(|n| n.is_delivered())).await;
    let seen: Vec<(&str, &str)> = held
        .iter()
        .map(|n| (n.out_trade_no.as_str(), n.trade_status.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            ("c-1", "TRADE_SUCCESS"),
            ("c-1", "TRADE_CLOSED"),
            ("c-2", "TRADE_SUCCESS"),
            ("c-2", "TRADE_SUCCESS"),
        ]
    );
    assert_eq!(held[1].param("refund_fee"), Some("20.00"));
    assert!(held[1].param("gmt_close").is_some());
}

#[tokio::test]
async fn a_created_trade_is_paid_by_the_buyer_and_amounts_stay_consistent() {
    let (gw, _merchant, client) = shop(alipay_runtime::Charset::Utf8).await;

    let created = client
        .execute(&create::Request::new("cr-1", price("3.50")).subject("mini program order"))
        .await
        .expect("create");
    assert_eq!(created.out_trade_no.as_deref(), Some("cr-1"));
    let trade_no = created.trade_no.expect("trade_no");
    let waiting = query_trade_no(&client, &trade_no).await;
    assert_eq!(waiting.out_trade_no.as_deref(), Some("cr-1"));
    assert_eq!(
        status_of(&waiting.trade_status).as_deref(),
        Some("WAIT_BUYER_PAY")
    );
    assert_eq!(waiting.total_amount.as_deref(), Some("3.50"));
    assert_eq!(
        refusal(
            &client,
            &create::Request::new("cr-1", price("3.51")).subject("mini program order")
        )
        .await,
        "ACQ.CONTEXT_INCONSISTENT"
    );
    // The same out_trade_no through another method, with another amount.
    assert_eq!(
        refusal(&client, &pay_of("cr-1", AUTH_CODE_PAYS, "9.99")).await,
        "ACQ.CONTEXT_INCONSISTENT"
    );
    let payment = gw.pay("cr-1").expect("the buyer pays");
    assert_eq!(payment.trade.trade_no, trade_no);
    assert!(payment.return_redirect.is_none());
    assert_eq!(
        status(&client, "cr-1").await.as_deref(),
        Some("TRADE_SUCCESS")
    );
    assert_eq!(
        refusal(
            &client,
            &create::Request::new("cr-1", price("3.50")).subject("mini program order")
        )
        .await,
        "ACQ.TRADE_HAS_SUCCESS"
    );
    // Paid by the buyer: notified, as any payment.
    let held = wait_notifications(&gw, |n| n.iter().any(|n| n.is_delivered())).await;
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].trade_no, trade_no);
    assert_eq!(held[0].trade_status, "TRADE_SUCCESS");
    assert_eq!(held[0].param("total_amount"), Some("3.50"));
}

#[tokio::test]
async fn a_scenario_still_wins_and_control_calls_want_json() {
    let (gw, _merchant, client) = shop(alipay_runtime::Charset::Utf8).await;
    let http = http();

    gw.set_scenario(
        "alipay.trade.precreate",
        Scenario::business_error("ACQ.TRADE_HAS_SUCCESS"),
    )
    .expect("scenario");
    assert_eq!(
        refusal(&client, &precreate_of("sc-1", "1.00")).await,
        "ACQ.TRADE_HAS_SUCCESS"
    );
    assert!(gw.trade("sc-1").is_none());
    gw.clear_scenarios();

    let qr_code = client
        .execute(&precreate_of("sc-1", "1.00"))
        .await
        .expect("precreate")
        .qr_code
        .expect("qr_code");
    // A form (what a web page can post cross-site) is refused; the trade stays unpaid.
    let form = post_form(&http, &gw.scan_url(), format!("qr_code={qr_code}")).await;
    assert_eq!(form.status().as_u16(), 415);
    let (code, unknown) = control(
        &http,
        &gw.scan_url(),
        &json!({ "qr_code": format!("http://{}/qr/0000", gw.addr()) }),
    )
    .await;
    assert_eq!(code, 404, "{unknown}");
    assert_eq!(
        http.get(format!("http://{}/qr/0000", gw.addr()))
            .send()
            .await
            .expect("answer")
            .status()
            .as_u16(),
        404
    );
    assert_eq!(
        gw.trade("sc-1").expect("held").status,
        alipay_gateway::TradeStatus::WaitBuyerPay
    );
    // The Rust call is the same operation.
    let paid = gw.scan_and_pay(&qr_code).expect("paid");
    assert_eq!(paid.status, alipay_gateway::TradeStatus::TradeSuccess);
    let logged: Vec<(String, u16)> = gw
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/control/") || r.path.starts_with("/qr/"))
        .map(|r| (r.path, r.answer.status))
        .collect();
    assert_eq!(
        logged,
        [
            ("/control/scan".to_owned(), 415),
            ("/control/scan".to_owned(), 404),
            ("/qr/0000".to_owned(), 404),
        ]
    );
}

#[tokio::test]
async fn a_trade_precreated_over_v3_is_seen_over_v2() {
    let gw: TestGateway = start().await;
    let merchant = Merchant::start(0).await;
    let v2 = client(&gw, &merchant, alipay_runtime::Charset::Utf8);
    let v3 = v3_client(&gw);

    let answer = v3
        .execute(&precreate_of("v3-1", "2.00"))
        .await
        .expect("precreate over v3");
    let qr_code = answer.qr_code.expect("qr_code");
    assert_eq!(status(&v2, "v3-1").await.as_deref(), Some("WAIT_BUYER_PAY"));
    gw.scan_and_pay(&qr_code).expect("paid");
    assert_eq!(status(&v3, "v3-1").await.as_deref(), Some("TRADE_SUCCESS"));
    let cancelled = v3
        .execute(&cancel::Request::new().out_trade_no("v3-1"))
        .await
        .expect("cancel over v3");
    assert_eq!(cancelled.action, Some(cancel::Action::Refund));
    assert_eq!(status(&v2, "v3-1").await.as_deref(), Some("TRADE_CLOSED"));
}
