//! The local gateway's clock, through the typed client over real HTTP on 127.0.0.1: trades
//! expire after `timeout_express` / `time_expire` / `qr_code_timeout_express` (or the
//! documented defaults) when the test advances the clock, and notification retries come as
//! soon as the clock passes their wait, all in milliseconds.

use std::time::Duration;

use alipay_gateway::face_to_face::AUTH_CODE_ASKS_PASSWORD;
use alipay_gateway::{DeliveryState, NotifySchedule, TestGateway, TradeStatus};
use alipay_openapi::trade::{cancel, precreate, wap_pay};
use alipay_runtime::{Charset, Client, verify_notify};
use serde_json::json;

use crate::merchant::Merchant;
use crate::support::{
    PAGE_PAY, client, control, get_page, get_url, http, logged_at, order, page_request,
    pay_at_once, pay_of, post_form, press_pay, price, refusal, shop, start, start_with_schedule,
    status, wait_notifications,
};

const MINUTE: Duration = Duration::from_secs(60);

/// `out` still waits for the buyer once the gateway's clock has moved `open`, and is closed a
/// minute later.
async fn closes_a_minute_after(gw: &TestGateway, client: &Client, out: &str, open: Duration) {
    gw.advance_clock(open);
    assert_eq!(
        status(client, out).await.as_deref(),
        Some("WAIT_BUYER_PAY"),
        "{out} before its last minute"
    );
    gw.advance_clock(MINUTE);
    assert_eq!(
        status(client, out).await.as_deref(),
        Some("TRADE_CLOSED"),
        "{out} after it"
    );
}

#[tokio::test]
async fn an_unpaid_trade_is_closed_once_its_timeout_express_has_passed() {
    let (gw, _merchant, client) = shop(Charset::Utf8).await;
    let http = http();

    let made = gw.now();
    let answer = client
        .execute(
            &precreate::Request::new("exp-1", price("9.90"))
                .subject("Iphone6 16G")
                .timeout_express("15m"),
        )
        .await
        .expect("precreate");
    let qr_code = answer.qr_code.expect("a qr_code");
    let trade = gw.trade("exp-1").expect("the trade");
    let time_expire = trade.time_expire.clone().expect("time_expire");
    assert_eq!(
        time_expire,
        alipay_runtime::time::beijing_timestamp(made + 15 * MINUTE)
    );

    closes_a_minute_after(&gw, &client, "exp-1", 14 * MINUTE).await;
    let closed = gw.trade("exp-1").expect("the trade");
    assert_eq!(closed.status, TradeStatus::TradeClosed);
    // Closed at its time_expire, not when it was looked at.
    assert_eq!(closed.gmt_close.as_deref(), Some(time_expire.as_str()));

    // Paying it is refused, by the buyer's scan and by the control call; no notification.
    let (code, refused) = control(&http, &gw.scan_url(), &json!({ "qr_code": qr_code })).await;
    assert_eq!(
        (code, refused["sub_code"].as_str()),
        (409, Some("ACQ.TRADE_HAS_CLOSE"))
    );
    let (code, refused) = control(&http, &gw.pay_url(), &json!({ "out_trade_no": "exp-1" })).await;
    assert_eq!(
        (code, refused["sub_code"].as_str()),
        (409, Some("ACQ.TRADE_HAS_CLOSE"))
    );
    assert!(gw.notifications().is_empty());
    // The same order again is a closed trade, as Alipay answers it.
    assert_eq!(
        refusal(
            &client,
            &precreate::Request::new("exp-1", price("9.90")).subject("Iphone6 16G")
        )
        .await,
        "ACQ.TRADE_HAS_CLOSE"
    );
    // A cancel of the closed trade closes nothing more.
    let cancelled = client
        .execute(&cancel::Request::new().out_trade_no("exp-1"))
        .await
        .expect("cancel");
    assert_eq!(cancelled.action, Some(cancel::Action::Close));
}

#[tokio::test]
async fn a_bar_code_payment_waiting_for_the_password_closes_after_the_3_hour_default() {
    let (gw, _merchant, client) = shop(Charset::Utf8).await;
    let waiting = client
        .execute(&pay_of("exp-2", AUTH_CODE_ASKS_PASSWORD, "5.00"))
        .await;
    // 10003: the typed client reports it as an error; the trade waits.
    assert!(waiting.is_err(), "{waiting:?}");
    closes_a_minute_after(&gw, &client, "exp-2", 179 * MINUTE).await;
    assert_eq!(
        gw.pay("exp-2").expect_err("closed").sub_code,
        "ACQ.TRADE_HAS_CLOSE"
    );
    // A paid trade never expires.
    pay_at_once(&client, "exp-3", "5.00").await;
    gw.advance_clock(Duration::from_secs(30 * 86_400));
    assert_eq!(
        status(&client, "exp-3").await.as_deref(),
        Some("TRADE_SUCCESS")
    );
}

#[tokio::test]
async fn time_expire_wins_and_bad_timeouts_are_refused() {
    let (gw, _merchant, client) = shop(Charset::Utf8).await;
    let at = alipay_runtime::time::beijing_timestamp(gw.now() + 10 * MINUTE);
    client
        .execute(
            &precreate::Request::new("exp-4", price("1.00"))
                .subject("s")
                .timeout_express("1d")
                .time_expire(at.clone()),
        )
        .await
        .expect("precreate");
    assert_eq!(
        gw.trade("exp-4").unwrap().time_expire.as_deref(),
        Some(at.as_str())
    );
    gw.advance_clock(10 * MINUTE);
    assert_eq!(
        status(&client, "exp-4").await.as_deref(),
        Some("TRADE_CLOSED")
    );

    let past = alipay_runtime::time::beijing_timestamp(gw.now() - MINUTE);
    assert_eq!(
        refusal(
            &client,
            &precreate::Request::new("exp-5", price("1.00"))
                .subject("s")
                .time_expire(past)
        )
        .await,
        "ACQ.NOW_TIME_AFTER_EXPIRE_TIME_ERROR"
    );
    for bad in ["1.5h", "16d", "0m", "5s"] {
        assert_eq!(
            refusal(
                &client,
                &precreate::Request::new("exp-6", price("1.00"))
                    .subject("s")
                    .timeout_express(bad)
            )
            .await,
            "ACQ.INVALID_PARAMETER",
            "{bad}"
        );
    }
    assert!(gw.trade("exp-5").is_none() && gw.trade("exp-6").is_none());
}

#[tokio::test]
async fn a_qr_code_stops_scanning_after_two_hours_and_its_trade_closes_after_three() {
    let (gw, _merchant, client) = shop(Charset::Utf8).await;
    let http = http();
    let qr_code = client
        .execute(&precreate::Request::new("exp-7", price("1.00")).subject("s"))
        .await
        .expect("precreate")
        .qr_code
        .expect("qr_code");
    gw.advance_clock(120 * MINUTE);
    let (code, refused) = control(&http, &gw.scan_url(), &json!({ "qr_code": qr_code })).await;
    assert_eq!(
        (code, refused["sub_code"].as_str()),
        (410, Some("QR_CODE_EXPIRED"))
    );
    assert_eq!(
        status(&client, "exp-7").await.as_deref(),
        Some("WAIT_BUYER_PAY")
    );
    gw.advance_clock(60 * MINUTE);
    assert_eq!(
        status(&client, "exp-7").await.as_deref(),
        Some("TRADE_CLOSED")
    );

    // qr_code_timeout_express closes the trade itself.
    client
        .execute(
            &precreate::Request::new("exp-8", price("1.00"))
                .subject("s")
                .qr_code_timeout_express("5m"),
        )
        .await
        .expect("precreate");
    gw.advance_clock(5 * MINUTE);
    assert_eq!(
        status(&client, "exp-8").await.as_deref(),
        Some("TRADE_CLOSED")
    );
}

#[tokio::test]
// Long because: two checkouts expire on the clock alone, one notified, and the notification read.
async fn a_wap_trade_closed_by_the_clock_is_notified_trade_closed_a_page_trade_is_not() {
    let (gw, merchant, client) = shop(Charset::Gbk).await;
    let http = http();
    let checkout = |out: &str, product_code: &str| {
        json!({
            "out_trade_no": out,
            "total_amount": "5.00",
            "subject": "水费",
            "product_code": product_code,
            "timeout_express": "15m",
        })
    };
    for (method, out, product_code) in [
        ("alipay.trade.wap.pay", "exp-wap", "QUICK_WAP_WAY"),
        (PAGE_PAY, "exp-page", "FAST_INSTANT_TRADE_PAY"),
    ] {
        let request = page_request(&client, method, &checkout(out, product_code));
        let (code, _, page) = get_page(&http, &get_url(&request)).await;
        assert_eq!(code, 200, "{page}");
    }
    let time_expire = gw.trade("exp-wap").and_then(|t| t.time_expire);

    // Nobody looks at the trades: the clock alone closes them, and the WAP trade's close is
    // notified (Alipay notifies TRADE_CLOSED for WAP and app pay, not for page pay).
    gw.advance_clock(16 * MINUTE);
    let received = merchant
        .wait_for(Duration::from_secs(10), |r| !r.notifications.is_empty())
        .await;
    assert_eq!(received.notifications.len(), 1);
    let (content_type, body) = &received.notifications[0];
    assert!(content_type.contains("charset=GBK"), "{content_type}");
    let verified = verify_notify(body, gw.alipay_public_key()).expect("verifies");
    assert_eq!(verified.get("out_trade_no"), Some("exp-wap"));
    assert_eq!(verified.get("trade_status"), Some("TRADE_CLOSED"));
    assert_eq!(verified.get("subject"), Some("水费"));
    assert_eq!(verified.get("total_amount"), Some("5.00"));
    // Closed at its time_expire, unpaid: no payment, no refund (what tells it from a full
    // refund, whose notification has refund_fee and gmt_refund).
    assert_eq!(verified.get("gmt_close"), time_expire.as_deref());
    for absent in [
        "gmt_payment",
        "refund_fee",
        "gmt_refund",
        "receipt_amount",
        "fund_bill_list",
    ] {
        assert_eq!(verified.get(absent), None, "{absent}");
    }
    let typed: wap_pay::Notification = verified.decode().expect("decodes");
    assert_eq!(typed.trade_status, Some(wap_pay::TradeStatus::TradeClosed));

    let held = wait_notifications(&gw, |n| n.iter().all(|n| n.is_delivered())).await;
    assert_eq!(held.len(), 1, "{held:?}");
    assert_eq!(
        (held[0].out_trade_no.as_str(), held[0].trade_status.as_str()),
        ("exp-wap", "TRADE_CLOSED")
    );
    assert_eq!(
        gw.trade("exp-page").unwrap().status,
        TradeStatus::TradeClosed
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        merchant.received().notifications.len(),
        1,
        "once, for the WAP trade"
    );
}

#[tokio::test]
async fn a_cashier_trade_waits_15_days_then_its_pay_button_is_refused() {
    let (gw, _merchant, client) = shop(Charset::Utf8).await;
    let http = http();
    let request = page_request(&client, PAGE_PAY, &order("exp-9", "88.88", "Iphone6 16G"));
    let (code, _, page) = get_page(&http, &get_url(&request)).await;
    assert_eq!(code, 200, "{page}");
    let trade = gw.trade("exp-9").expect("opened");
    gw.advance_clock(Duration::from_secs(15 * 86_400) - MINUTE);
    assert_eq!(gw.trade("exp-9").unwrap().status, TradeStatus::WaitBuyerPay);
    gw.advance_clock(MINUTE);
    assert_eq!(gw.trade("exp-9").unwrap().status, TradeStatus::TradeClosed);
    let (code, _) = press_pay(&http, &gw, &trade.trade_no).await;
    assert_eq!(code, 200);
    assert_eq!(gw.trade("exp-9").unwrap().status, TradeStatus::TradeClosed);
    assert!(gw.notifications().is_empty());
}

#[tokio::test]
async fn a_notification_retry_comes_as_soon_as_the_clock_passes_its_wait() {
    // Alipay's own schedule: the first retry 4 minutes after the first delivery.
    let gw = start_with_schedule(NotifySchedule::alipay()).await;
    let merchant = Merchant::start(1).await;
    let client = client(&gw, &merchant, Charset::Utf8);
    pay_at_once(&client, "n-1", "5.00").await;
    let first =
        wait_notifications(&gw, |n| n.first().is_some_and(|n| !n.attempts.is_empty())).await;
    assert_eq!(first[0].attempts.len(), 1, "{first:#?}");
    assert_eq!(first[0].state, DeliveryState::Pending);

    gw.advance_clock(3 * MINUTE);
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        gw.notifications()[0].attempts.len(),
        1,
        "no retry before 4 minutes"
    );

    let started = std::time::Instant::now();
    gw.advance_clock(MINUTE);
    let done = wait_notifications(&gw, |n| n[0].is_delivered()).await;
    assert!(done[0].is_delivered(), "{done:#?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let attempts = &done[0].attempts;
    assert_eq!(attempts.len(), 2);
    let apart = attempts[1]
        .at
        .duration_since(attempts[0].at)
        .expect("later");
    assert!(apart >= 4 * MINUTE && apart < 5 * MINUTE, "{apart:?}");
    assert_eq!(merchant.received().notifications.len(), 2);
    // The notification is dated on the gateway's clock too.
    let paid_at = gw.trade("n-1").unwrap().gmt_payment.unwrap();
    assert_eq!(done[0].param("gmt_payment"), Some(paid_at.as_str()));
}

#[tokio::test]
async fn the_clock_over_http() {
    let gw = start().await;
    let http = http();
    let before = gw.now();
    let (code, clock) = control(&http, &gw.clock_url(), &json!({ "advance_seconds": 900 })).await;
    assert_eq!(code, 200, "{clock}");
    assert_eq!(clock["offset_ms"], 900_000);
    assert_eq!(gw.clock_offset(), Duration::from_secs(900));
    let now = clock["now"].as_str().expect("now");
    assert_eq!(now.len(), 19, "{now}");
    let unix_ms = clock["unix_ms"].as_u64().expect("unix_ms");
    let before_ms = before
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    assert!(unix_ms >= before_ms + 900_000, "{clock}");
    // 0 reads the clock; fractions are allowed.
    let (_, read) = control(&http, &gw.clock_url(), &json!({ "advance_seconds": 0.5 })).await;
    assert_eq!(read["offset_ms"], 900_500);
    for bad in [
        json!({}),
        json!({ "advance_seconds": -1 }),
        json!({ "advance_seconds": "60" }),
        json!({ "advance_seconds": 4e9 }),
    ] {
        let (code, refused) = control(&http, &gw.clock_url(), &bad).await;
        assert_eq!(
            (code, refused["sub_code"].as_str()),
            (400, Some("ACQ.INVALID_PARAMETER")),
            "{bad}"
        );
    }
    assert_eq!(gw.clock_offset(), Duration::from_millis(900_500));
    // Only JSON, only POST.
    let form = post_form(&http, &gw.clock_url(), "advance_seconds=60").await;
    assert_eq!(form.status().as_u16(), 415);
    let get = http.get(gw.clock_url()).send().await.expect("answer");
    assert_eq!(get.status().as_u16(), 405);
    assert_eq!(gw.clock_offset(), Duration::from_millis(900_500));
    // Each call is in the request log with its verdict.
    let log: Vec<_> = logged_at(&gw, "/control/clock");
    assert_eq!(log.len(), 8);
    assert!(
        log.iter()
            .all(|r| r.verdict == "control call (no signature)" && r.method.is_none())
    );
    assert_eq!(log[0].param("advance_seconds"), Some("900"));
    assert_eq!(log[0].answer.status, 200);
    assert_eq!(log[6].answer.status, 415);
}
