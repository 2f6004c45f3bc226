// Over 500 lines because: every cashier page and button (page, WAP, app order strings, GBK twins) shares one token and trade check here.
//! The cashier: the pages a buyer's browser sees for a page or WAP pay request, the pay and
//! cancel buttons behind them, the signed return to `return_url`, the notification to
//! `notify_url`, and app pay through an order string.
//!
//! The cashier opens the trade (`WAIT_BUYER_PAY`) when it shows the order, the moment the
//! buyer sees it; Alipay opens it once the buyer logs in or scans, a step a test has no use for.

use std::sync::Arc;
use std::time::SystemTime;

use alipay_runtime::protocol::param;
use alipay_runtime::{Price, form};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use serde_json::Value;

use super::answer::{self, HttpAnswer, Logged};
use super::face_to_face::trade_json;
use super::pages::page;
use super::stateful::{biz_json, text as biz_text};
use super::trade_messages::{notify_trade, return_redirect};
use crate::log::RecordedAnswer;
use crate::protocol::{self, Accepted, Decoded, Refusal};
use crate::scenario::Scenario;
use crate::state::Shared;
use crate::trades::{self, Order, Trade, TradeError, TradeKey, TradeStatus};

/// `alipay.trade.page.pay`: the desktop web checkout.
pub(crate) const PAGE_PAY: &str = "alipay.trade.page.pay";
/// `alipay.trade.wap.pay`: the mobile web checkout.
pub(crate) const WAP_PAY: &str = "alipay.trade.wap.pay";
/// `alipay.trade.app.pay`: the app checkout (an order string handed to the Alipay app).
pub(crate) const APP_PAY: &str = "alipay.trade.app.pay";

/// The pay button's target.
pub(crate) const PAY_PATH: &str = "/cashier/pay";
/// The cancel button's target.
pub(crate) const CANCEL_PATH: &str = "/cashier/cancel";
/// The control endpoint that pays an app order string, for tests without a phone.
pub(crate) const PAY_ORDER_STRING_PATH: &str = "/control/pay-order-string";

/// Whether `method` is answered by the cashier rather than with a JSON node.
pub(crate) fn is_cashier_method(method: &str) -> bool {
    matches!(method, PAGE_PAY | WAP_PAY | APP_PAY)
}

/// Now on the gateway's clock, Beijing time, as Alipay writes it.
pub(crate) fn now(shared: &Shared) -> String {
    shared.clock.beijing_now()
}

/// Alipay's error page: the code and the reason, as the real cashier shows them.
pub(crate) fn error_page(sub_code: &str, sub_msg: &str) -> HttpAnswer {
    let body = format!(
        "<div class=\"card\"><h1>抱歉，您的请求出错了</h1>\n<dl><dt>错误代码</dt><dd id=\"error-code\" class=\"bad\">{}</dd>\n<dt>错误原因</dt><dd id=\"error-message\">{}</dd></dl></div>\n",
        text(sub_code),
        text(sub_msg)
    );
    answer::html(200, page("支付宝 - 错误", &body))
}

/// The error page for a refused page request, recorded like the JSON refusal it replaces.
pub(crate) fn refusal_page(refusal: &Refusal) -> Logged {
    error_page_logged(
        refusal.code.as_str(),
        refusal.sub_code.as_str(),
        &refusal.sub_msg,
    )
}

/// The error page for a refused trade operation, recorded like the business error it is.
pub(crate) fn trade_error_page(e: &TradeError) -> Logged {
    error_page_logged(
        alipay_runtime::gateway_code::BUSINESS_FAILED_CODE,
        &e.sub_code,
        &e.sub_msg,
    )
}

/// The error page for `sub_code` and `sub_msg`, recorded with `code` and `sub_code` like the
/// JSON error it stands for.
fn error_page_logged(code: &str, sub_code: &str, sub_msg: &str) -> Logged {
    Logged {
        http: error_page(sub_code, sub_msg),
        summary: RecordedAnswer {
            status: 200,
            code: Some(code.to_owned()),
            sub_code: Some(sub_code.to_owned()),
            node: None,
        },
    }
}

fn cashier_page(trade: &Trade) -> String {
    let trade_no = attr(&trade.trade_no);
    let token = attr(&trade.cashier_token);
    let body = format!(
        "<div class=\"card\"><div>收银台 · 付款金额</div>\n\
<div class=\"amount\">¥<span id=\"amount\">{amount}</span></div>\n\
<dl><dt>订单</dt><dd id=\"subject\">{subject}</dd>\n\
<dt>商户订单号</dt><dd id=\"out_trade_no\">{out}</dd>\n\
<dt>交易号</dt><dd id=\"trade_no\">{shown_trade_no}</dd></dl></div>\n\
<div class=\"card\">\
<form id=\"pay-form\" method=\"post\" action=\"{PAY_PATH}\"><input type=\"hidden\" name=\"trade_no\" value=\"{trade_no}\"><input type=\"hidden\" name=\"token\" value=\"{token}\"><button id=\"pay\" class=\"primary\" type=\"submit\">确认付款 (pay)</button></form>\n\
<form id=\"cancel-form\" method=\"post\" action=\"{CANCEL_PATH}\"><input type=\"hidden\" name=\"trade_no\" value=\"{trade_no}\"><input type=\"hidden\" name=\"token\" value=\"{token}\"><button id=\"cancel\" class=\"secondary\" type=\"submit\">取消 (cancel)</button></form>\n\
</div>\n",
        subject = text(&trade.subject),
        amount = text(trade.total_amount.as_str()),
        out = text(&trade.out_trade_no),
        shown_trade_no = text(&trade.trade_no),
    );
    page("支付宝 - 收银台", &body)
}

/// Why `url` cannot be a `notify_url` or `return_url`, if it cannot: Alipay takes absolute
/// `http` and `https` URLs only, so a `javascript:` or `data:` URL never becomes a link on
/// the gateway's pages, and a URL holding white space or control characters (a line break
/// the URL parser would silently drop) is refused rather than repaired.
pub(crate) fn refuse_url(url: &str) -> Option<&'static str> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Some("holds white space or a control character");
    }
    match reqwest::Url::parse(url) {
        Ok(parsed) if matches!(parsed.scheme(), "http" | "https") && parsed.has_host() => None,
        Ok(_) => Some("is not an http or https URL"),
        Err(_) => Some("is not an absolute URL"),
    }
}

/// The order a verified page or app request carries.
fn order_of(
    decoded: &Decoded,
    accepted: &Accepted,
    biz: Option<&str>,
    now: SystemTime,
) -> Result<Order, TradeError> {
    let biz = biz_json(biz);
    let missing = |field: &str| TradeError::invalid(field, "is missing from biz_content");
    let out_trade_no = biz_text(&biz, "out_trade_no").ok_or_else(|| missing("out_trade_no"))?;
    let subject = biz_text(&biz, "subject").ok_or_else(|| missing("subject"))?;
    let amount = biz_text(&biz, "total_amount").ok_or_else(|| missing("total_amount"))?;
    let total_amount: Price = amount
        .parse()
        .map_err(|_| TradeError::invalid("total_amount", "is not an amount such as 88.88"))?;
    if !total_amount
        .to_cents()
        .is_some_and(|c| (1..=10_000_000_000).contains(&c))
    {
        return Err(TradeError::invalid(
            "total_amount",
            "is outside [0.01, 100000000] or has more than two decimals",
        ));
    }
    let notify_url = decoded.get(param::NOTIFY_URL);
    let return_url = decoded.get(param::RETURN_URL);
    for (name, url) in [("notify_url", notify_url), ("return_url", return_url)] {
        if let Some(why) = url.and_then(refuse_url) {
            return Err(TradeError::invalid(name, why));
        }
    }
    let (expires_at, _) = trades::deadlines(&biz, now, trades::DEFAULT_CHECKOUT_TIMEOUT, false)?;
    Ok(Order {
        out_trade_no,
        subject,
        total_amount,
        expires_at,
        qr_expires_at: None,
        method: accepted.descriptor.method.to_owned(),
        app_id: decoded.get(param::APP_ID).unwrap_or_default().to_owned(),
        notify_url: notify_url.map(str::to_owned),
        return_url: return_url.map(str::to_owned),
        passback_params: biz_text(&biz, "passback_params"),
        charset: decoded.charset.as_str().to_owned(),
        sign_type: accepted.sign_type.as_str().to_owned(),
    })
}

/// The cashier's answer to a verified page request: the order's page, or the error page.
pub(crate) fn show(
    shared: &Shared,
    decoded: &Decoded,
    accepted: &Accepted,
    biz: Option<&str>,
    scenario: &Scenario,
) -> Logged {
    match scenario {
        Scenario::BusinessError(code) => {
            let description = answer::error_description(accepted.descriptor, code);
            return trade_error_page(&TradeError::new(code, description));
        }
        Scenario::GatewayError {
            code,
            sub_code,
            sub_msg,
            ..
        } => {
            return error_page_logged(code, sub_code, sub_msg);
        }
        Scenario::Http500 => {
            return answer::http_500_logged();
        }
        _ => {}
    }
    let opened = order_of(decoded, accepted, biz, shared.clock.now()).and_then(|order| {
        let now = now(shared);
        shared.with_trades(|book| book.open(order, &now))
    });
    match opened {
        Ok(trade) => Logged::by_status(answer::html(200, cashier_page(&trade))),
        Err(e) => trade_error_page(&e),
    }
}

/// A payment made at the cashier (or through the library).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// The trade, now `TRADE_SUCCESS`.
    pub trade: Trade,
    /// Where the buyer's browser is sent: `return_url` with the signed return parameters,
    /// when the order had a `return_url`.
    pub return_redirect: Option<String>,
}

/// Pays the trade `key` names: records it, notifies `notify_url`, and gives the return.
pub(crate) fn pay(shared: &Arc<Shared>, key: &TradeKey) -> Result<Payment, TradeError> {
    let now = now(shared);
    let trade = shared.with_trades(|book| book.pay(key, &now))?;
    notify_trade(shared, &trade, None, &now);
    // App pay has no browser to send back: the app SDK hands the result to the app.
    let return_redirect = trade
        .return_url
        .as_deref()
        .filter(|_| trade.method != APP_PAY)
        .and_then(|url| return_redirect(shared, &trade, url, &now));
    Ok(Payment {
        trade,
        return_redirect,
    })
}

fn refusal_error(refusal: &Refusal) -> TradeError {
    TradeError::new(refusal.sub_code.as_str(), refusal.sub_msg.clone())
}

/// Pays an app order string (what `alipay.trade.app.pay`'s client hands the Alipay app): it
/// is checked as the gateway checks a request (signature, public parameters, the method's
/// spec), then its trade is opened and paid at once.
pub(crate) fn pay_order_string(shared: &Arc<Shared>, order: &[u8]) -> Result<Payment, TradeError> {
    pay_checked_order_string(shared, order).payment
}

/// An order string paid (or refused), with how far its checks got.
struct OrderStringPaid {
    /// Its `method`, once it decoded.
    method: Option<String>,
    /// Whether its signature verified.
    signature_verified: bool,
    payment: Result<Payment, TradeError>,
}

fn pay_checked_order_string(shared: &Arc<Shared>, order: &[u8]) -> OrderStringPaid {
    let pairs: Vec<(Vec<u8>, Vec<u8>)> = form::decode(order.trim_ascii())
        .into_iter()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let decoded = match super::exchange::decode_request(&pairs, "") {
        Ok(decoded) => decoded,
        Err(refused) => {
            return OrderStringPaid {
                method: None,
                signature_verified: false,
                payment: Err(refusal_error(&refused.1)),
            };
        }
    };
    let checked = protocol::check(shared, &decoded);
    // The method is recorded only when the signature vouches for it: an unsigned body's
    // `method` would name whatever it likes in the log and on the console.
    OrderStringPaid {
        method: checked
            .signature_verified
            .then(|| decoded.get(param::METHOD).map(str::to_owned))
            .flatten(),
        signature_verified: checked.signature_verified,
        payment: pay_checked(shared, &decoded, checked),
    }
}

fn pay_checked(
    shared: &Arc<Shared>,
    decoded: &Decoded,
    checked: protocol::Checked,
) -> Result<Payment, TradeError> {
    let accepted = checked.verdict.map_err(|r| refusal_error(&r))?;
    if !is_cashier_method(accepted.descriptor.method) {
        return Err(TradeError::new(
            "isv.invalid-method",
            format!(
                "an order string pays a checkout method ({APP_PAY}, {PAGE_PAY}, {WAP_PAY}), not {}",
                accepted.descriptor.method
            ),
        ));
    }
    let biz = checked
        .decrypted_biz_content
        .or_else(|| decoded.get(param::BIZ_CONTENT).map(str::to_owned));
    let order = order_of(decoded, &accepted, biz.as_deref(), shared.clock.now())?;
    let key = TradeKey {
        trade_no: None,
        out_trade_no: Some(order.out_trade_no.clone()),
    };
    let now = now(shared);
    shared.with_trades(|book| book.open(order, &now))?;
    pay(shared, &key)
}

/// What a cashier button or control action got, for the log.
pub(crate) struct ActionOutcome {
    /// The answer, and what the log says about it.
    pub logged: Logged,
    /// The method of the order string paid (never a `method` field of a button's form).
    pub method: Option<String>,
    /// Whether the order string's signature verified.
    pub signature_verified: bool,
    /// The verdict the gateway reached, in words.
    pub verdict: String,
}

/// The cashier's buttons and the control endpoint.
pub(crate) fn action(shared: &Arc<Shared>, path: &str, body: &[u8]) -> ActionOutcome {
    if path == PAY_ORDER_STRING_PATH {
        let paid = pay_checked_order_string(shared, body);
        let logged = match paid.payment {
            Ok(payment) => json_answer(200, &trade_json(&payment.trade), None),
            Err(e) => json_answer(
                400,
                &serde_json::json!({ "sub_code": e.sub_code, "sub_msg": e.sub_msg }),
                Some(e.sub_code.as_str()),
            ),
        };
        let verdict = if paid.signature_verified {
            "order string signature ok"
        } else {
            "order string signature not verified"
        };
        return ActionOutcome {
            logged,
            method: paid.method,
            signature_verified: paid.signature_verified,
            verdict: verdict.to_owned(),
        };
    }
    let (logged, token_ok) = button(shared, path, body);
    let verdict = if token_ok {
        "cashier token ok"
    } else {
        "cashier token refused"
    };
    ActionOutcome {
        logged,
        method: None,
        signature_verified: false,
        verdict: verdict.to_owned(),
    }
}

/// The field of a button's form named `name`, when it is there once, as UTF-8.
fn form_field(body: &[u8], name: &str) -> Option<String> {
    let mut values = form::decode(body)
        .into_iter()
        .filter(|(k, _)| &**k == name.as_bytes());
    let (_, value) = values.next()?;
    if values.next().is_some() {
        return None;
    }
    String::from_utf8(value.into_owned()).ok()
}

/// The answer to a button whose token is missing or not its trade's: the request did not
/// come from the trade's own cashier page (another page in the tester's browser, a script
/// that knows a trade number).
fn token_refused() -> Logged {
    let mut logged = trade_error_page(&TradeError::new(
        "CASHIER_TOKEN_INVALID",
        "收银台令牌无效: the button's token is missing or not this trade's: pay and cancel come from the trade's own cashier page",
    ));
    logged.http.status = 403;
    logged.summary.status = 403;
    logged
}

/// A button of the cashier page, pay or cancel, and whether it carried its trade's token.
fn button(shared: &Arc<Shared>, path: &str, body: &[u8]) -> (Logged, bool) {
    let (Some(trade_no), Some(token)) = (form_field(body, "trade_no"), form_field(body, "token"))
    else {
        return (token_refused(), false);
    };
    let key = TradeKey {
        trade_no: Some(trade_no),
        out_trade_no: None,
    };
    let Some(trade) = shared.with_trades(|book| book.find(&key)) else {
        return (token_refused(), false);
    };
    let token_ok = aws_lc_rs::constant_time::verify_slices_are_equal(
        token.as_bytes(),
        trade.cashier_token.as_bytes(),
    )
    .is_ok();
    if !token_ok {
        return (token_refused(), false);
    }
    (press(shared, path, &key), true)
}

/// The button pressed, its token checked.
fn press(shared: &Arc<Shared>, path: &str, key: &TradeKey) -> Logged {
    let key = key.clone();
    if path == CANCEL_PATH {
        return match shared.with_trades(|book| book.find(&key)) {
            Some(trade) if trade.status == TradeStatus::WaitBuyerPay => {
                let body = format!(
                    "<h1>支付宝 · 已取消</h1>\n<p id=\"cancelled\">订单 <span id=\"out_trade_no\">{}</span> 未支付 (WAIT_BUYER_PAY): the buyer left the cashier.</p>\n",
                    text(&trade.out_trade_no)
                );
                Logged::by_status(answer::html(200, page("支付宝 - 已取消", &body)))
            }
            Some(trade) => trade_error_page(&TradeError::new(
                "ACQ.TRADE_STATUS_ERROR",
                format!("交易状态不合法: the trade is {}", trade.status),
            )),
            None => trade_error_page(&TradeError::not_exist()),
        };
    }
    match pay(shared, &key) {
        Ok(Payment {
            return_redirect: Some(url),
            ..
        }) => {
            let mut http = answer::html(
                302,
                page(
                    "支付宝 - 支付成功",
                    &format!(
                        "<p>支付成功: <a id=\"return\" href=\"{}\">back to the merchant</a></p>\n",
                        attr(&url)
                    ),
                ),
            );
            http.location = Some(url);
            Logged::by_status(http)
        }
        Ok(Payment { trade, .. }) => {
            let body = format!(
                "<h1>支付宝 · 支付成功</h1>\n<p id=\"paid\">交易 <span id=\"trade_no\">{}</span> TRADE_SUCCESS (the order has no return_url)</p>\n",
                text(&trade.trade_no)
            );
            Logged::by_status(answer::html(200, page("支付宝 - 支付成功", &body)))
        }
        Err(e) => trade_error_page(&e),
    }
}

fn json_answer(status: u16, value: &Value, sub_code: Option<&str>) -> Logged {
    let (http, summary) = super::face_to_face::json_answer(status, value, sub_code);
    Logged { http, summary }
}
