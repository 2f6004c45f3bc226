//! The gateway's own page and its read-only control calls: `GET /` shows, live, the gateway's
//! clock, its trades with their states, each notification with every delivery and its answer,
//! the transfers, the agreements, and the latest requests with the verdict the gateway
//! reached; `GET /control/trades`, `/control/notifications`, `/control/transfers`,
//! `/control/agreements` and `/control/requests` answer the same as JSON, for tests in any
//! language. Reading changes nothing and is not itself recorded in the request log (a page
//! that refreshes itself would otherwise fill it).

use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use hyper::Method as HttpMethod;
use serde_json::{Value, json};

use super::answer::{self, HttpAnswer};
use super::cashier::now;
use super::face_to_face::trade_json;
use super::money_control::{agreements_json, transfers_json};
use super::pages;
use crate::agreements::{AGREEMENTS_PATH, Agreement, AgreementStatus};
use crate::log::RecordedRequest;
use crate::notify::{DeliveryState, Notification};
use crate::pdeduct::{DEDUCTIONS_PATH, DeductAgreement};
use crate::state::Shared;
use crate::trades::{Trade, TradeStatus};
use crate::transfers::{TRANSFERS_PATH, Transfer};

/// The dashboard.
pub(crate) const DASHBOARD_PATH: &str = "/";
/// The trades, as JSON.
pub(crate) const TRADES_PATH: &str = "/control/trades";
/// The notifications and their deliveries, as JSON.
pub(crate) const NOTIFICATIONS_PATH: &str = "/control/notifications";
/// The request log, as JSON (`?since=N`: from position N on).
pub(crate) const REQUESTS_PATH: &str = "/control/requests";

/// How many of the latest requests the page shows.
const SHOWN_REQUESTS: usize = 50;

/// Whether a request is one of these reads.
pub(crate) fn handles(method: &HttpMethod, path: &str) -> bool {
    method == HttpMethod::GET
        && matches!(
            path,
            DASHBOARD_PATH
                | TRADES_PATH
                | NOTIFICATIONS_PATH
                | REQUESTS_PATH
                | TRANSFERS_PATH
                | AGREEMENTS_PATH
                | DEDUCTIONS_PATH
        )
}

/// The answer to one of these reads (`query`: the request's query string).
pub(crate) fn answer(shared: &Shared, path: &str, query: &str) -> HttpAnswer {
    match path {
        TRADES_PATH => json_answer(&Value::Array(
            shared.trades().iter().map(trade_json).collect(),
        )),
        NOTIFICATIONS_PATH => json_answer(&Value::Array(
            shared
                .notifications()
                .iter()
                .map(notification_json)
                .collect(),
        )),
        // The same answers as POSTing `{}` there.
        TRANSFERS_PATH => json_answer(&transfers_json(shared)),
        AGREEMENTS_PATH => json_answer(&agreements_json(shared)),
        DEDUCTIONS_PATH => json_answer(&super::pdeduct::deductions_json(shared)),
        REQUESTS_PATH => {
            let since = form_value(query, "since")
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            let (first, requests) = shared.requests_from(since);
            json_answer(&json!({
                "first": first,
                "count": shared.request_count(),
                "requests": requests.iter().map(request_json).collect::<Vec<_>>(),
            }))
        }
        _ => answer::html(200, dashboard(shared)),
    }
}

fn form_value(query: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn json_answer(value: &Value) -> HttpAnswer {
    answer::json(200, value)
}

fn delivery_state(state: &DeliveryState) -> String {
    match state {
        DeliveryState::Pending => "pending".to_owned(),
        DeliveryState::Delivered => "delivered".to_owned(),
        DeliveryState::GaveUp => "gave up".to_owned(),
        DeliveryState::NotSent(reason) => format!("not sent: {reason}"),
    }
}

fn notification_json(n: &Notification) -> Value {
    json!({
        "notify_id": n.notify_id,
        "notify_url": n.notify_url,
        "trade_no": n.trade_no,
        "out_trade_no": n.out_trade_no,
        "trade_status": n.trade_status,
        "state": delivery_state(&n.state),
        "attempts": n.attempts.iter().map(|a| json!({
            "status": a.status,
            "answer": a.answer,
            "error": a.error,
        })).collect::<Vec<_>>(),
        "params": n.params.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
    })
}

fn request_json(r: &RecordedRequest) -> Value {
    json!({
        "http_method": r.http_method,
        "path": r.path,
        "method": r.method,
        "charset": r.charset,
        "signature_verified": r.signature_verified,
        "verdict": r.verdict,
        "fault": r.fault,
        "status": r.answer.status,
        "code": r.answer.code,
        "sub_code": r.answer.sub_code,
    })
}

fn status_class(status: TradeStatus) -> &'static str {
    match status {
        TradeStatus::TradeSuccess => "ok",
        TradeStatus::TradeClosed => "bad",
        TradeStatus::WaitBuyerPay => "wait",
    }
}

fn trade_row(t: &Trade) -> String {
    let qr = t
        .qr_code
        .as_deref()
        .map(|q| format!("<a href=\"{}\">qr_code</a>", attr(q)))
        .unwrap_or_default();
    format!(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
        text(&t.out_trade_no),
        text(&t.trade_no),
        text(&t.method),
        status_class(t.status),
        t.status.as_str(),
        text(t.total_amount.as_str()),
        text(t.refunded_amount.as_str()),
        text(&t.subject),
        text(t.gmt_payment.as_deref().unwrap_or(&t.gmt_create)),
        qr,
    )
}

fn notification_row(n: &Notification) -> String {
    let attempts: Vec<String> = n
        .attempts
        .iter()
        .map(|a| match (&a.status, &a.error) {
            (Some(status), _) => format!("HTTP {status} “{}”", text(&a.answer)),
            (None, Some(error)) => text(error).into_owned(),
            (None, None) => "no answer".to_owned(),
        })
        .collect();
    let class = match n.state {
        DeliveryState::Delivered => "ok",
        DeliveryState::Pending => "wait",
        _ => "bad",
    };
    format!(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"{class}\">{}</td><td>{}</td></tr>\n",
        text(&n.out_trade_no),
        text(&n.trade_status),
        text(&n.notify_url),
        text(&delivery_state(&n.state)),
        attempts.join("<br>"),
    )
}

fn transfer_row(t: &Transfer) -> String {
    format!(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"ok\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
        text(&t.out_biz_no),
        text(&t.order_id),
        text(t.trans_amount.as_str()),
        text(&t.status),
        text(t.payee.as_deref().unwrap_or_default()),
        text(t.order_title.as_deref().unwrap_or_default()),
        text(&t.trans_date),
    )
}

fn agreement_row(a: &Agreement) -> String {
    let class = match a.status {
        AgreementStatus::Normal => "ok",
        AgreementStatus::Temp => "wait",
        AgreementStatus::Unsigned => "bad",
    };
    let time = a
        .unsign_time
        .as_deref()
        .or(a.sign_time.as_deref())
        .unwrap_or(&a.gmt_create);
    format!(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"{class}\">{}</td><td>{}</td></tr>\n",
        text(a.external_agreement_no.as_deref().unwrap_or_default()),
        text(&a.agreement_no),
        text(&a.personal_product_code),
        text(a.status.as_str()),
        text(time),
    )
}

fn deduction_row(a: &DeductAgreement, bills: &[crate::pdeduct::DeductBill]) -> String {
    let (class, status) = if a.is_active() {
        ("ok", "NORMAL")
    } else {
        ("bad", "CANCELLED")
    };
    let deducted: Vec<String> = bills
        .iter()
        .filter(|b| b.agreement_id == a.agreement_id)
        .map(|b| format!("{} {}", text(&b.out_order_no), text(b.pay_amount.as_str())))
        .collect();
    format!(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{class}\">{status}</td><td>{}</td></tr>\n",
        text(&a.agreement_id),
        text(&a.user_id),
        text(&format!(
            "{}/{} {}",
            a.biz_type, a.sub_biz_type, a.charge_inst
        )),
        text(&a.bill_key),
        deducted.join("<br>"),
    )
}

fn request_row(r: &RecordedRequest) -> String {
    let answer = match (&r.answer.code, &r.answer.sub_code) {
        (Some(code), Some(sub)) => format!("{code} {sub}"),
        (Some(code), None) => code.clone(),
        _ => format!("HTTP {}", r.answer.status),
    };
    let verdict_class = if r.verdict.ends_with(" ok") {
        "ok"
    } else if r.verdict.contains("not verified") || r.verdict.contains("refused") {
        "bad"
    } else {
        ""
    };
    let verdict = match &r.fault {
        Some(fault) => format!("{}; injected fault: {fault}", r.verdict),
        None => r.verdict.clone(),
    };
    format!(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"{verdict_class}\">{}</td></tr>\n",
        text(&r.http_method),
        text(r.method.as_deref().unwrap_or(&r.path)),
        text(&r.charset),
        text(&answer),
        text(&verdict),
    )
}

fn dashboard(shared: &Shared) -> String {
    let trades = shared.trades();
    let notifications = shared.notifications();
    let transfers = shared.money.with_transfers(|book| book.all());
    let agreements = shared.money.with_agreements(|book| book.all());
    let (deductions, bills) = shared
        .money
        .with_deductions(|book| (book.agreements(), book.bills()));
    let (_, requests) = shared.requests_from(0);
    let latest = requests.iter().rev().take(SHOWN_REQUESTS);
    let body = format!(
        "<div class=\"card\"><dl><dt>时钟 (clock)</dt><dd id=\"clock\">{clock}</dd>\
<dt>requests</dt><dd id=\"request-count\">{count}</dd></dl></div>\n\
<div class=\"card\"><h2>Trades</h2><table id=\"trades\"><tr><th>out_trade_no</th><th>trade_no</th><th>method</th><th>status</th><th>total</th><th>refunded</th><th>subject</th><th>time</th><th></th></tr>\n{trades}</table></div>\n\
<div class=\"card\"><h2>Notifications</h2><table id=\"notifications\"><tr><th>out_trade_no or agreement</th><th>status</th><th>notify_url</th><th>delivery</th><th>attempts (answer)</th></tr>\n{notifications}</table></div>\n\
<div class=\"card\"><h2>Transfers</h2><table id=\"transfers\"><tr><th>out_biz_no</th><th>order_id</th><th>amount</th><th>status</th><th>payee</th><th>title</th><th>time</th></tr>\n{transfers}</table></div>\n\
<div class=\"card\"><h2>Agreements</h2><table id=\"agreements\"><tr><th>external_agreement_no</th><th>agreement_no</th><th>product</th><th>status</th><th>time</th></tr>\n{agreements}</table></div>\n\
<div class=\"card\"><h2>Bill-payment deductions (ebpp.pdeduct)</h2><table id=\"deductions\"><tr><th>agreement_id</th><th>user</th><th>bill</th><th>bill_key</th><th>status</th><th>deductions (out_order_no amount)</th></tr>\n{deductions}</table></div>\n\
<div class=\"card\"><h2>Latest requests</h2><table id=\"requests\"><tr><th></th><th>method or path</th><th>charset</th><th>answer</th><th>verdict</th></tr>\n{requests}</table></div>\n\
<script>setTimeout(function(){{location.reload()}},2000)</script>\n",
        clock = text(&now(shared)),
        count = shared.request_count(),
        trades = newest_first(&trades, trade_row),
        notifications = newest_first(&notifications, notification_row),
        transfers = newest_first(&transfers, transfer_row),
        agreements = newest_first(&agreements, agreement_row),
        deductions = newest_first(&deductions, |a| deduction_row(a, &bills)),
        requests = latest.map(request_row).collect::<String>(),
    );
    pages::page("支付宝 - local gateway", &body)
}

/// The table rows of `items` (oldest first), newest first.
fn newest_first<T>(items: &[T], row: impl Fn(&T) -> String) -> String {
    items.iter().rev().map(row).collect()
}
