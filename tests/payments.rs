// Over 500 lines because: page, WAP and app payment each from order to notification, in three charsets.
//! Taking a payment against the local gateway, over real HTTP on 127.0.0.1: the cashier page
//! for a signed page request (GET URL or POSTed form, utf-8 and GBK), the error page for a bad
//! one, paying (the signed return to `return_url`, the notification to `notify_url` delivered
//! again until it is acknowledged), and app pay through an order string; `trade_answers.rs`
//! has `alipay.trade.query`, `alipay.trade.refund` and `alipay.trade.close` answering from the
//! trade.

use std::time::Duration;

use crate::merchant::Merchant;
use crate::support::*;
use alipay_gateway::{DeliveryState, NotifySchedule, TestGateway, TradeStatus};
use alipay_openapi::trade::page_pay;
use alipay_runtime::{Charset, Client, verify_notify};
use serde_json::{Value, json};

const WAP_PAY: &str = "alipay.trade.wap.pay";
const APP_PAY: &str = "alipay.trade.app.pay";

/// A page-pay request as a GET URL, signed by hand with the gateway's app key, whatever its
/// `return_url` and `notify_url`.
fn hand_signed_page_url(
    gw: &TestGateway,
    biz: &Value,
    return_url: &str,
    notify_url: &str,
) -> String {
    let biz = biz.to_string();
    let timestamp = alipay_runtime::time::beijing_timestamp(std::time::SystemTime::now());
    let params = [
        ("app_id", "2021000000000000"),
        ("method", PAGE_PAY),
        ("format", "JSON"),
        ("charset", "utf-8"),
        ("sign_type", "RSA2"),
        ("timestamp", timestamp.as_str()),
        ("version", "1.0"),
        ("biz_content", biz.as_str()),
        ("return_url", return_url),
        ("notify_url", notify_url),
    ];
    let content = alipay_runtime::sign_content::sign_content(params);
    let key = gw.keys().app_private_key().expect("the app key");
    let sign = alipay_runtime::sign::sign_base64(
        &key,
        alipay_runtime::sign::SignType::Rsa2,
        content.as_bytes(),
    )
    .expect("signed");
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params)
        .append_pair("sign", &sign)
        .finish();
    format!("{}?{query}", gw.gateway().url())
}

#[tokio::test]
async fn a_signed_page_request_gets_the_cashier_by_get_or_post_in_utf8_and_gbk() {
    let gw = start().await;
    let merchant = Merchant::start(0).await;
    let http = http();
    let subject = "王龙海 <b>&\"+'";
    for charset in [Charset::Utf8, Charset::Gbk] {
        let client = client(&gw, &merchant, charset);
        for (method, post) in [(PAGE_PAY, false), (PAGE_PAY, true), (WAP_PAY, false)] {
            let out = format!("cashier-{}-{method}-{post}", charset.as_str());
            let p = page_request(&client, method, &order(&out, "88.88", subject));
            let (status, content_type, page) = if post {
                let response = http
                    .post(&p.url)
                    .header(reqwest::header::CONTENT_TYPE, &p.content_type)
                    .body(p.body.clone())
                    .send()
                    .await
                    .expect("answer");
                page_of(response).await
            } else {
                get_page(&http, &get_url(&p)).await
            };
            assert_eq!(status, 200, "{page}");
            assert!(content_type.starts_with("text/html"), "{content_type}");
            // Escaped: the subject's markup is text on the page.
            assert!(
                page.contains("<dd id=\"subject\">王龙海 &lt;b&gt;&amp;\"+'</dd>"),
                "{page}"
            );
            assert!(!page.contains("<b>"), "{page}");
            assert!(page.contains("<span id=\"amount\">88.88</span>"), "{page}");
            assert!(page.contains("id=\"pay\""), "{page}");
            assert!(page.contains("id=\"cancel\""), "{page}");
            let trade = gw.trade(&out).expect("the cashier opened the trade");
            assert_eq!(trade.status, TradeStatus::WaitBuyerPay);
            assert_eq!(trade.subject, subject);
            assert_eq!(trade.method, method);
            assert_eq!(trade.charset, charset.as_str());
            assert_eq!(trade.trade_no.len(), 28);
            assert!(page.contains(&trade.trade_no), "{page}");
        }
    }
    // The request log shows them, verified.
    let log = gw.requests();
    assert_eq!(log.len(), 6);
    assert!(
        log.iter()
            .all(|r| r.signature_verified && r.answer.status == 200)
    );
    assert!(log.iter().all(|r| r.path == "/gateway.do"));
}

// Long because: a table of URLs, each refused or accepted at the client and the gateway.
#[tokio::test]
async fn return_and_notify_urls_are_http_or_https_and_the_return_query_precedes_the_fragment() {
    let gw = start().await;
    let merchant = Merchant::start(0).await;
    let http = http();
    // Signed by hand: our client refuses such URLs before signing (runtime/tests/config.rs),
    // so these stand for a client that does not.
    let page_with = |return_url: &str, notify_url: &str, out_trade_no: &str| {
        hand_signed_page_url(
            &gw,
            &order(out_trade_no, "1.00", "x"),
            return_url,
            notify_url,
        )
    };
    let notify = merchant.notify_url();
    let back = merchant.return_url();
    for (i, (return_url, notify_url, field)) in [
        (
            "javascript:alert(document.domain)",
            notify.as_str(),
            "return_url",
        ),
        (
            "data:text/html,<script>alert(1)</script>",
            notify.as_str(),
            "return_url",
        ),
        (
            "http://127.0.0.1:9/r\njavascript:alert(1)",
            notify.as_str(),
            "return_url",
        ),
        ("/relative", notify.as_str(), "return_url"),
        (back.as_str(), "javascript:alert(1)", "notify_url"),
        (back.as_str(), "ftp://127.0.0.1/notify", "notify_url"),
    ]
    .into_iter()
    .enumerate()
    {
        let out_trade_no = format!("bad-url-{i}");
        let (status, _, page) =
            get_page(&http, &page_with(return_url, notify_url, &out_trade_no)).await;
        assert_eq!(status, 200);
        assert!(
            page.contains("ACQ.INVALID_PARAMETER"),
            "{return_url}: {page}"
        );
        assert!(page.contains(field), "{return_url}: {page}");
        assert!(!page.contains("javascript:"), "{return_url}: {page}");
        assert!(gw.trade(&out_trade_no).is_none(), "{return_url}");
    }

    // Our client refuses them itself, before signing: the method's own field too.
    let client = gw.client().expect("client");
    let request = page_pay::Request::new()
        .out_trade_no("bad-field")
        .total_amount(alipay_runtime::Price::from_cents(100))
        .subject("x")
        .product_code(page_pay::ProductCode::FastInstantTradePay)
        .return_url("javascript:alert(1)");
    match client.page_url(&request) {
        Err(alipay_runtime::Error::InvalidRequest(e)) => assert_eq!(e.field, "return_url"),
        other => panic!("{other:?}"),
    }

    // A fragment stays last: the signed return parameters go in the query, where the
    // merchant's server reads them.
    let with_fragment = format!("{back}?from=shop#/orders/1");
    let (_, _, page) = get_page(&http, &page_with(&with_fragment, &notify, "fragment")).await;
    assert!(page.contains("id=\"pay\""), "{page}");
    let trade_no = gw.trade("fragment").expect("opened").trade_no;
    let (status, location) = press_pay(&http, &gw, &trade_no).await;
    assert_eq!(status, 302);
    let (before, fragment) = location.split_once('#').expect("fragment kept");
    assert_eq!(fragment, "/orders/1");
    assert!(
        before.starts_with(&format!("{back}?from=shop&")),
        "{location}"
    );
    assert!(before.contains("&sign="), "{location}");
}

#[tokio::test]
async fn a_bad_page_request_gets_the_error_page_and_opens_no_trade() {
    let (gw, _merchant, client) = shop(Charset::Utf8).await;
    let http = http();

    // Changed after signing.
    let p = page_request(&client, PAGE_PAY, &order("tampered", "1.00", "x"));
    let url = get_url(&p);
    assert!(url.contains("1.00"));
    let (status, content_type, page) = get_page(&http, &url.replace("1.00", "0.01")).await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    assert!(page.contains("isv.invalid-signature"), "{page}");
    assert!(gw.trade("tampered").is_none());

    // Public parameters missing.
    let (_, _, page) = get_page(&http, &format!("{}?method={PAGE_PAY}", gw.url())).await;
    assert!(page.contains("isv.missing-app-id"), "{page}");

    // Not valid in its charset: still a page, never a crash.
    let (status, _, page) = get_page(
        &http,
        &format!(
            "{}?method={PAGE_PAY}&charset=utf-8&subject=%FF%FE",
            gw.url()
        ),
    )
    .await;
    assert_eq!(status, 200);
    assert!(page.contains("isv.invalid-charset"), "{page}");

    // Signed, but without a subject.
    let p = page_request(
        &client,
        PAGE_PAY,
        &json!({"out_trade_no": "no-subject", "total_amount": "1.00", "product_code": "FAST_INSTANT_TRADE_PAY"}),
    );
    let (_, _, page) = get_page(&http, &get_url(&p)).await;
    assert!(page.contains("ACQ.INVALID_PARAMETER"), "{page}");
    assert!(page.contains("subject"), "{page}");
    assert!(gw.trades().is_empty());

    // Markup in what the gateway shows back is escaped.
    let (_, _, page) = get_page(
        &http,
        &format!("{}?method={PAGE_PAY}&charset=%3Cscript%3E", gw.url()),
    )
    .await;
    assert!(!page.contains("<script>"), "{page}");
}

#[tokio::test]
// Long because: one story per charset (open, pay, return, notify, retry, acknowledge).
async fn paying_returns_signed_parameters_and_notifies_until_acknowledged() {
    for charset in [Charset::Utf8, Charset::Gbk] {
        let gw = start().await;
        // The merchant's notify_url answers `fail` twice: the gateway must deliver thrice.
        let merchant = Merchant::start(2).await;
        let http = http();
        let client = client(&gw, &merchant, charset);
        let out = format!("pay-{}", charset.as_str());
        let p = page_request(&client, PAGE_PAY, &order(&out, "88.88", "王龙海的订单"));
        let (status, _, _) = get_page(&http, &get_url(&p)).await;
        assert_eq!(status, 200);
        let trade_no = gw.trade(&out).expect("opened").trade_no;

        let (status, location) = press_pay(&http, &gw, &trade_no).await;
        assert_eq!(status, 302);
        let query = location
            .strip_prefix(&format!("{}?", merchant.return_url()))
            .unwrap_or_else(|| panic!("{location}"));
        let returned = verify_notify(query.as_bytes(), gw.alipay_public_key()).expect("verifies");
        assert_eq!(returned.get("out_trade_no"), Some(out.as_str()));
        assert_eq!(returned.get("trade_no"), Some(trade_no.as_str()));
        assert_eq!(returned.get("total_amount"), Some("88.88"));
        assert_eq!(returned.get("method"), Some("alipay.trade.page.pay.return"));
        assert_eq!(returned.get("charset"), Some(charset.as_str()));
        let changed = query.replace("total_amount=88.88", "total_amount=0.01");
        assert!(verify_notify(changed.as_bytes(), gw.alipay_public_key()).is_err());

        let held = wait_notifications(&gw, |n| n.iter().any(|n| n.is_delivered())).await;
        assert_eq!(held.len(), 1, "{held:?}");
        let n = &held[0];
        assert_eq!(n.state, DeliveryState::Delivered, "{n:?}");
        assert_eq!(n.attempts.len(), 3, "{:?}", n.attempts);
        assert_eq!(n.attempts[0].answer, "fail");
        assert_eq!(n.attempts[2].answer, "success");
        assert_eq!(n.trade_status, "TRADE_SUCCESS");
        let received = merchant.received();
        assert_eq!(received.notifications.len(), 3);
        for (content_type, body) in &received.notifications {
            assert!(
                content_type.contains(&format!("charset={}", charset.as_str())),
                "{content_type}"
            );
            let verified = verify_notify(body, gw.alipay_public_key()).expect("verifies");
            assert_eq!(verified.get("trade_status"), Some("TRADE_SUCCESS"));
            assert_eq!(verified.get("out_trade_no"), Some(out.as_str()));
            assert_eq!(verified.get("subject"), Some("王龙海的订单"));
            assert_eq!(verified.get("total_amount"), Some("88.88"));
            assert_eq!(verified.get("notify_type"), Some("trade_status_sync"));
            // The typed notification of page.pay, decoded from what verified.
            let typed: page_pay::Notification = verified.decode().expect("decodes");
            assert_eq!(
                typed.trade_status,
                Some(page_pay::TradeStatus::TradeSuccess)
            );
            assert_eq!(typed.out_trade_no, out);
            assert_eq!(typed.trade_no, trade_no);
            assert_eq!(
                typed.total_amount.as_ref().and_then(|p| p.to_cents()),
                Some(8888)
            );
            assert_eq!(typed.subject.as_deref(), Some("王龙海的订单"));
        }

        let answer = query_out(&client, &out).await;
        assert_eq!(
            status_of(&answer.trade_status).as_deref(),
            Some("TRADE_SUCCESS")
        );
        assert_eq!(answer.trade_no.as_deref(), Some(trade_no.as_str()));
        assert_eq!(answer.total_amount.as_deref(), Some("88.88"));

        // Pressed again: already paid.
        let (status, _) = press_pay(&http, &gw, &trade_no).await;
        assert_eq!(status, 200);
        let pay_log: Vec<_> = logged_at(&gw, "/cashier/pay");
        assert_eq!(pay_log.len(), 2);
        assert_eq!(pay_log[0].answer.status, 302);
        assert_eq!(
            pay_log[1].answer.sub_code.as_deref(),
            Some("ACQ.TRADE_HAS_SUCCESS")
        );
    }
}

/// `trade_status` as text: the field is an open enum (or a `String`), both `Display`.
/// The order string the app pay client hands the Alipay app: the signed request as one form.
fn order_string(client: &Client, biz: &Value) -> String {
    let p = page_request(client, APP_PAY, biz);
    let (_, query) = p.url.split_once('?').expect("query");
    format!("{query}&{}", std::str::from_utf8(&p.body).expect("ASCII"))
}

// Long because: one app order paid two ways, each with its notification checked.
#[tokio::test]
async fn an_app_order_string_is_paid_by_the_library_or_the_control_endpoint() {
    let (gw, merchant, client) = shop(Charset::Gbk).await;
    let http = http();
    let app_order = |out: &str| json!({"out_trade_no": out, "total_amount": "9.99", "subject": "App 订单", "product_code": "QUICK_MSECURITY_PAY"});

    let payment = gw
        .pay_order_string(&order_string(&client, &app_order("app-1")))
        .expect("paid");
    assert_eq!(payment.trade.status, TradeStatus::TradeSuccess);
    assert_eq!(payment.trade.method, APP_PAY);
    assert_eq!(payment.return_redirect, None);

    let response = http
        .post(gw.pay_order_string_url())
        .body(order_string(&client, &app_order("app-2")))
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.expect("JSON");
    assert_eq!(answer["trade_status"], "TRADE_SUCCESS");
    assert_eq!(answer["out_trade_no"], "app-2");

    let changed = order_string(&client, &app_order("app-3")).replace("9.99", "0.01");
    assert_eq!(
        gw.pay_order_string(&changed).unwrap_err().sub_code,
        "isv.invalid-signature"
    );
    let response = http
        .post(gw.pay_order_string_url())
        .body(changed)
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 400);
    assert!(gw.trade("app-3").is_none());

    let held =
        wait_notifications(&gw, |n| n.len() == 2 && n.iter().all(|n| n.is_delivered())).await;
    assert_eq!(held.len(), 2, "{held:?}");
    for (_, body) in merchant.received().notifications {
        let verified = verify_notify(&body, gw.alipay_public_key()).expect("verifies");
        assert_eq!(verified.get("subject"), Some("App 订单"));
        assert_eq!(verified.get("charset"), Some("GBK"));
    }
    // A body that is no order string, naming a method of its own, and a cashier button's
    // form with one: neither names the method in the log (nor on the console).
    let response = http
        .post(gw.pay_order_string_url())
        .body("method=alipay.trade.refund&trade_no=1")
        .send()
        .await
        .expect("answer");
    assert_eq!(response.status(), 400);
    let response = post_form(
        &http,
        &path_url(&gw, "/cashier/pay"),
        "trade_no=1&method=alipay.trade.refund",
    )
    .await;
    assert_eq!(response.status(), 403, "no token: refused");

    let control: Vec<_> = gw
        .requests()
        .into_iter()
        .filter(|r| r.path != "/gateway.do")
        .collect();
    assert_eq!(control.len(), 4, "{control:#?}");
    // The verdict the gateway reached: the order string's signature verified, or not.
    assert!(control[0].signature_verified);
    assert_eq!(control[0].verdict, "order string signature ok");
    assert_eq!(control[0].method.as_deref(), Some(APP_PAY));
    assert_eq!(control[1].answer.status, 400);
    assert!(!control[1].signature_verified);
    assert_eq!(control[1].verdict, "order string signature not verified");
    assert_eq!(control[1].method, None);
    assert_eq!(control[2].path, "/control/pay-order-string");
    assert_eq!(control[2].method, None);
    assert_eq!(control[2].verdict, "order string signature not verified");
    assert_eq!(control[3].path, "/cashier/pay");
    assert_eq!(control[3].method, None);
    assert!(!control[3].signature_verified);
    assert_eq!(control[3].verdict, "cashier token refused");
}

#[tokio::test]
async fn cashier_buttons_need_their_trades_token_and_trade_numbers_are_not_serial() {
    let (gw, _merchant, client) = shop(Charset::Utf8).await;
    let http = http();
    for out in ["token-1", "token-2"] {
        let p = page_request(&client, PAGE_PAY, &order(out, "1.00", "x"));
        get_page(&http, &get_url(&p)).await;
    }
    let first = gw.trade("token-1").expect("opened");
    let second = gw.trade("token-2").expect("opened");
    assert_ne!(first.cashier_token, second.cashier_token);
    let number = |t: &alipay_gateway::Trade| t.trade_no[13..].parse::<u64>().unwrap();
    assert_ne!(number(&second), number(&first) + 1, "a serial is guessable");

    // The cashier page carries the token in both forms.
    let p = page_request(&client, PAGE_PAY, &order("token-1", "1.00", "x"));
    let (_, _, page) = get_page(&http, &get_url(&p)).await;
    let hidden = format!("name=\"token\" value=\"{}\"", first.cashier_token);
    assert_eq!(page.matches(&hidden).count(), 2, "{page}");

    // What a page elsewhere in the tester's browser could send: the trade number alone, a
    // wrong token, another trade's token. None pays or cancels.
    let trade_no = &first.trade_no;
    for body in [
        format!("trade_no={trade_no}"),
        format!("trade_no={trade_no}&token=00000000000000000000000000000000"),
        format!("trade_no={trade_no}&token={}", second.cashier_token),
        format!(
            "trade_no={trade_no}&token={}&token={}",
            first.cashier_token, first.cashier_token
        ),
    ] {
        for path in ["/cashier/pay", "/cashier/cancel"] {
            let response = post_form(&http, &path_url(&gw, path), body.clone()).await;
            assert_eq!(response.status(), 403, "{path} {body}");
            let page = response.text().await.unwrap();
            assert!(page.contains("CASHIER_TOKEN_INVALID"), "{page}");
        }
    }
    assert_eq!(
        gw.trade("token-1").unwrap().status,
        TradeStatus::WaitBuyerPay
    );
    let refused = gw.requests();
    let refused: Vec<_> = refused
        .iter()
        .filter(|r| r.path.starts_with("/cashier/"))
        .collect();
    assert_eq!(refused.len(), 8);
    assert!(refused.iter().all(|r| r.verdict == "cashier token refused"));

    // The trade's own page: paid.
    let (status, _) = press_pay(&http, &gw, trade_no).await;
    assert_eq!(status, 302);
    assert_eq!(
        gw.trade("token-1").unwrap().status,
        TradeStatus::TradeSuccess
    );
    let last = gw.requests().pop().unwrap();
    assert_eq!(last.verdict, "cashier token ok");
}

#[tokio::test]
async fn only_an_answer_that_is_exactly_success_acknowledges_a_notification() {
    let (gw, merchant, client) = shop_with_schedule(
        NotifySchedule::new([Duration::from_millis(30); 2]),
        Charset::Utf8,
    )
    .await;
    let http = http();
    let padded_junk = format!("success{}junk", " ".repeat(300));
    let answers: [(&str, &[u8], bool); 5] = [
        ("plain", b"success", true),
        ("spaced", b" \r\nsuccess\n", true),
        ("junk", b"success junk", false),
        // Past the 256 bytes a delivery shows: the whole answer decides.
        ("padded", padded_junk.as_bytes(), false),
        ("word", b"successful", false),
    ];
    for (out_trade_no, answer, acknowledges) in answers {
        merchant.set_notify_answer(answer);
        let p = page_request(&client, PAGE_PAY, &order(out_trade_no, "1.00", "x"));
        get_page(&http, &get_url(&p)).await;
        gw.pay(out_trade_no).expect("paid");
        let held = wait_notifications(&gw, |n| {
            n.iter()
                .any(|n| n.out_trade_no == out_trade_no && n.state != DeliveryState::Pending)
        })
        .await;
        let n = held
            .iter()
            .find(|n| n.out_trade_no == out_trade_no)
            .expect("notified");
        if acknowledges {
            assert_eq!(n.state, DeliveryState::Delivered, "{out_trade_no}: {n:?}");
            assert_eq!(n.attempts.len(), 1);
        } else {
            assert_eq!(n.state, DeliveryState::GaveUp, "{out_trade_no}: {n:?}");
            assert_eq!(n.attempts.len(), 3, "{out_trade_no}: delivered again");
        }
    }
}

#[tokio::test]
async fn an_endpoint_that_never_answers_leaves_the_others_their_deliveries() {
    // Four deliveries at once, at most one per endpoint.
    let gw = TestGateway::start_with(alipay_openapi::METHODS, |b| {
        b.payment_limits(100, 100, 4)
            .notify_timeout(Duration::from_secs(30))
            .notify_schedule(fast())
    })
    .await
    .expect("gateway starts");
    // An endpoint that accepts connections and never answers.
    let dead = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let dead_url = format!("http://{}/notify", dead.local_addr().unwrap());
    let held = tokio::spawn(async move {
        let mut streams = Vec::new();
        while let Ok((stream, _)) = dead.accept().await {
            streams.push(stream);
        }
    });
    let http = http();
    let to_dead = gw
        .client_builder()
        .notify_url(dead_url.as_str())
        .build()
        .expect("client");
    for i in 0..4 {
        let out = format!("dead-{i}");
        get_page(
            &http,
            &get_url(&page_request(&to_dead, PAGE_PAY, &order(&out, "1.00", "x"))),
        )
        .await;
        gw.pay(&out).expect("paid");
    }
    assert_eq!(gw.deliveries_pending(), 1, "the backlog is visible");
    let notifications = gw.notifications();
    let not_sent: Vec<&str> = notifications
        .iter()
        .filter_map(|n| match &n.state {
            DeliveryState::NotSent(reason) => Some(reason.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(not_sent.len(), 3, "{notifications:?}");
    assert!(
        not_sent[0].contains("being delivered already") && not_sent[0].contains("one endpoint"),
        "{}",
        not_sent[0]
    );

    // Another merchant is delivered to at once.
    let merchant = Merchant::start(0).await;
    let live = client(&gw, &merchant, Charset::Utf8);
    get_page(
        &http,
        &get_url(&page_request(&live, PAGE_PAY, &order("live", "1.00", "x"))),
    )
    .await;
    gw.pay("live").expect("paid");
    let held_notifications = wait_notifications(&gw, |n| {
        n.iter()
            .any(|n| n.out_trade_no == "live" && n.is_delivered())
    })
    .await;
    let live = held_notifications
        .iter()
        .find(|n| n.out_trade_no == "live")
        .expect("notified");
    assert!(live.is_delivered(), "{live:?}");
    held.abort();
}

#[tokio::test]
async fn a_notification_never_acknowledged_is_given_up_and_one_off_loopback_never_sent() {
    let gw = start_with_schedule(NotifySchedule::new([Duration::from_millis(30); 2])).await;
    let merchant = Merchant::start(usize::MAX).await;
    let http = http();
    let client = client(&gw, &merchant, Charset::Utf8);
    let p = page_request(&client, PAGE_PAY, &order("ignored", "1.00", "x"));
    get_page(&http, &get_url(&p)).await;
    gw.pay("ignored").expect("paid");
    let held = wait_notifications(&gw, |n| {
        n.first().is_some_and(|n| n.state == DeliveryState::GaveUp)
    })
    .await;
    assert_eq!(held[0].state, DeliveryState::GaveUp, "{held:?}");
    assert_eq!(held[0].attempts.len(), 3);
    assert_eq!(merchant.received().notifications.len(), 3);

    let elsewhere = gw
        .client_builder()
        .notify_url("http://example.invalid/notify")
        .build()
        .expect("client");
    let p = page_request(&elsewhere, PAGE_PAY, &order("elsewhere", "1.00", "x"));
    get_page(&http, &get_url(&p)).await;
    gw.pay("elsewhere").expect("paid");
    let n = gw
        .notifications()
        .into_iter()
        .find(|n| n.out_trade_no == "elsewhere")
        .expect("recorded");
    assert!(matches!(n.state, DeliveryState::NotSent(_)), "{n:?}");
    assert!(n.attempts.is_empty());
}
