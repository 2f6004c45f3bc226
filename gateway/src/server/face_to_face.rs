// Over 500 lines because: the wire side of six face-to-face methods and their three control calls share the trade-to-JSON helpers here.
//! Face-to-face and server-created trades over the wire (see [`crate::face_to_face`]): the
//! answers of `alipay.trade.precreate`, `.pay`, `.create`, `.cancel` and
//! `.fastpay.refund.query` from the trades, and the control calls that stand in for the
//! buyer (`POST /control/scan`, `POST /control/pay`, `GET /qr/<token>`).

use std::sync::Arc;
use std::time::SystemTime;

use alipay_runtime::Price;
use html_escape::{encode_double_quoted_attribute as attr, encode_text as html_text};
use hyper::Method as HttpMethod;
use hyper::Request;
use hyper::body::Incoming;
use hyper::header::CONTENT_TYPE;
use serde_json::{Value, json};

use super::answer::{self, HttpAnswer, Node, summary_of};
use super::cashier::now;
use super::pages;
use super::stateful::{Caller, failure, push, success, text, trade_success};
use super::trade_messages::notify_trade;
use crate::face_to_face::{
    AuthCode, PAY_IN_PROCESS_CODE, PAY_IN_PROCESS_MSG, PAY_PATH, QR_PATH_PREFIX, SCAN_PATH,
    auth_code,
};
use crate::log::{RecordedAnswer, RecordedRequest};
use crate::state::Shared;
use crate::trades::{
    self, BUYER_ID, BUYER_LOGON_ID, Order, Trade, TradeError, TradeKey, TradeStatus,
};

/// `alipay.trade.precreate`: a QR code the buyer scans.
pub(crate) const PRECREATE: &str = "alipay.trade.precreate";
/// `alipay.trade.pay`: the buyer's auth code, scanned by the merchant.
pub(crate) const PAY: &str = "alipay.trade.pay";
/// `alipay.trade.create`: a trade the mini program or JSAPI pays.
pub(crate) const CREATE: &str = "alipay.trade.create";
/// `alipay.trade.cancel`: close or refund, whichever the trade needs.
pub(crate) const CANCEL: &str = "alipay.trade.cancel";
/// `alipay.trade.fastpay.refund.query`: one refund of a trade.
pub(crate) const REFUND_QUERY: &str = "alipay.trade.fastpay.refund.query";

/// Whether this module answers `method`.
pub(crate) fn answers(method: &str) -> bool {
    matches!(method, PRECREATE | PAY | CREATE | CANCEL | REFUND_QUERY)
}

/// The answer node of one of this module's methods ([`answers`]).
pub(crate) fn answer(shared: &Arc<Shared>, method: &str, biz: &Value, caller: &Caller) -> Node {
    let result = match method {
        PRECREATE => precreate(shared, biz, caller),
        PAY => pay(shared, biz, caller),
        CREATE => create(shared, biz, caller),
        CANCEL => cancel(shared, biz),
        _ => refund_query(shared, biz),
    };
    result.unwrap_or_else(|e| failure(&e))
}

/// The order a precreate, pay or create request carries.
fn order_of(
    biz: &Value,
    method: &str,
    caller: &Caller,
    now: SystemTime,
) -> Result<Order, TradeError> {
    let missing = |field: &str| TradeError::invalid(field, "is missing from biz_content");
    let out_trade_no = text(biz, "out_trade_no").ok_or_else(|| missing("out_trade_no"))?;
    let subject = text(biz, "subject").ok_or_else(|| missing("subject"))?;
    let amount = text(biz, "total_amount").ok_or_else(|| missing("total_amount"))?;
    let total_amount: Price = amount
        .parse()
        .map_err(|_| TradeError::invalid("total_amount", "is not an amount such as 88.88"))?;
    match total_amount.to_cents() {
        Some(c) if c > 10_000_000_000 => {
            return Err(TradeError::new(
                "ACQ.TOTAL_FEE_EXCEED",
                "订单总金额超过限额: total_amount is above 100000000",
            ));
        }
        Some(c) if c >= 1 => {}
        _ => {
            return Err(TradeError::invalid(
                "total_amount",
                "is below 0.01 or has more than two decimals",
            ));
        }
    }
    let (expires_at, qr_expires_at) = trades::deadlines(
        biz,
        now,
        trades::DEFAULT_FACE_TO_FACE_TIMEOUT,
        method == PRECREATE,
    )?;
    Ok(Order {
        out_trade_no,
        subject,
        total_amount,
        expires_at,
        qr_expires_at,
        method: method.to_owned(),
        app_id: caller.app_id.to_owned(),
        // A v3 request carries notify_url in its body.
        notify_url: caller
            .notify_url
            .map(str::to_owned)
            .or_else(|| text(biz, "notify_url")),
        return_url: None,
        passback_params: text(biz, "passback_params"),
        charset: caller.charset.as_str().to_owned(),
        sign_type: caller.sign_type.as_str().to_owned(),
    })
}

/// A fresh unguessable token for a `qr_code` URL: 128 random bits, hex.
fn qr_token() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static MADE: AtomicU64 = AtomicU64::new(0);
    let mut bytes = [0u8; 16];
    // The system's random source does not fail on the platforms aws-lc supports; were it to,
    // the count mixed in below still keeps every token distinct (if guessable).
    let _ = aws_lc_rs::rand::fill(&mut bytes);
    let made = MADE.fetch_add(1, Ordering::Relaxed).to_be_bytes();
    for (b, m) in bytes[8..].iter_mut().zip(made) {
        *b ^= m;
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The gateway's origin as the client reached it (the `Host` header, when it is a plain
/// `host[:port]`), else 127.0.0.1.
fn origin(caller: &Caller) -> String {
    let host = caller
        .host
        .filter(|h| {
            !h.is_empty()
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

fn precreate(shared: &Arc<Shared>, biz: &Value, caller: &Caller) -> Result<Node, TradeError> {
    let order = order_of(biz, PRECREATE, caller, shared.clock.now())?;
    let now = now(shared);
    let origin = origin(caller);
    let trade = shared.with_trades(|book| {
        book.precreate(order, &now, || {
            format!("{origin}{QR_PATH_PREFIX}{}", qr_token())
        })
    })?;
    let mut node = success();
    push(&mut node, "out_trade_no", &trade.out_trade_no);
    push(
        &mut node,
        "qr_code",
        trade.qr_code.as_deref().unwrap_or_default(),
    );
    Ok(node)
}

fn create(shared: &Arc<Shared>, biz: &Value, caller: &Caller) -> Result<Node, TradeError> {
    let order = order_of(biz, CREATE, caller, shared.clock.now())?;
    let now = now(shared);
    let trade = shared.with_trades(|book| book.open(order, &now))?;
    let mut node = success();
    push(&mut node, "out_trade_no", &trade.out_trade_no);
    push(&mut node, "trade_no", &trade.trade_no);
    Ok(node)
}

fn pay(shared: &Arc<Shared>, biz: &Value, caller: &Caller) -> Result<Node, TradeError> {
    let code = text(biz, "auth_code").unwrap_or_default();
    let needs_password = match auth_code(&code) {
        AuthCode::Invalid => {
            return Err(TradeError::new(
                "ACQ.PAYMENT_AUTH_CODE_INVALID",
                format!(
                    "支付授权码无效: {code:?} (an auth code is 16 to 24 digits starting with 25 to 30)"
                ),
            ));
        }
        AuthCode::Pays => false,
        AuthCode::AsksPassword => true,
    };
    let order = order_of(biz, PAY, caller, shared.clock.now())?;
    let now = now(shared);
    let (trade, paid) = shared.with_trades(|book| book.pay_by_code(order, needs_password, &now))?;
    if paid {
        notify_trade(shared, &trade, None, &now);
        return Ok(paid_node(&trade));
    }
    // Waiting for the buyer's password: the fields Alipay's gateway gives with 10003.
    let mut node = Node::new(PAY_IN_PROCESS_CODE, PAY_IN_PROCESS_MSG);
    push(&mut node, "buyer_logon_id", BUYER_LOGON_ID);
    push(&mut node, "buyer_pay_amount", "0.00");
    push(&mut node, "buyer_user_id", BUYER_ID);
    push(&mut node, "invoice_amount", "0.00");
    push(&mut node, "out_trade_no", &trade.out_trade_no);
    push(&mut node, "point_amount", "0.00");
    push(&mut node, "receipt_amount", "0.00");
    push(&mut node, "total_amount", trade.total_amount.as_str());
    push(&mut node, "trade_no", &trade.trade_no);
    Ok(node)
}

fn paid_node(trade: &Trade) -> Node {
    let amount = trade.total_amount.as_str();
    let mut node = trade_success(trade);
    push(&mut node, "buyer_logon_id", BUYER_LOGON_ID);
    push(&mut node, "buyer_user_id", BUYER_ID);
    push(&mut node, "total_amount", amount);
    push(&mut node, "receipt_amount", amount);
    push(&mut node, "buyer_pay_amount", amount);
    push(&mut node, "point_amount", "0.00");
    push(&mut node, "invoice_amount", amount);
    if let Some(at) = &trade.gmt_payment {
        push(&mut node, "gmt_payment", at);
    }
    node.push(
        "fund_bill_list",
        json!([{ "fund_channel": "ALIPAYACCOUNT", "amount": amount }]),
    );
    node
}

fn key_of(biz: &Value) -> Result<TradeKey, TradeError> {
    let key = TradeKey {
        trade_no: text(biz, "trade_no"),
        out_trade_no: text(biz, "out_trade_no"),
    };
    if key.trade_no.is_none() && key.out_trade_no.is_none() {
        return Err(TradeError::invalid(
            "out_trade_no",
            "and trade_no are both missing (one is needed)",
        ));
    }
    Ok(key)
}

fn cancel(shared: &Arc<Shared>, biz: &Value) -> Result<Node, TradeError> {
    let key = key_of(biz)?;
    let now = now(shared);
    let cancelled = shared.with_trades(|book| book.cancel(&key, &now))?;
    let mut node = success();
    let Some(cancelled) = cancelled else {
        // No such trade (the payment never reached Alipay): nothing to do, no action.
        push(
            &mut node,
            "out_trade_no",
            key.out_trade_no.as_deref().unwrap_or_default(),
        );
        push(&mut node, "retry_flag", "N");
        return Ok(node);
    };
    if let Some(refund) = &cancelled.refund {
        notify_trade(shared, &cancelled.trade, Some(refund), &now);
    }
    push(&mut node, "trade_no", &cancelled.trade.trade_no);
    push(&mut node, "out_trade_no", &cancelled.trade.out_trade_no);
    push(&mut node, "retry_flag", "N");
    push(&mut node, "action", cancelled.action.as_str());
    Ok(node)
}

fn refund_query(shared: &Arc<Shared>, biz: &Value) -> Result<Node, TradeError> {
    let key = key_of(biz)?;
    let out_request_no = text(biz, "out_request_no")
        .ok_or_else(|| TradeError::invalid("out_request_no", "is missing from biz_content"))?;
    let trade = shared
        .with_trades(|book| book.find(&key))
        .ok_or_else(TradeError::not_exist)?;
    let mut node = trade_success(&trade);
    push(&mut node, "out_request_no", &out_request_no);
    // No such refund: success without refund_status, as Alipay answers a refund it never got.
    let Some(refund) = trade
        .refunds
        .iter()
        .find(|r| r.out_request_no == out_request_no)
    else {
        return Ok(node);
    };
    push(&mut node, "total_amount", trade.total_amount.as_str());
    push(&mut node, "refund_amount", refund.refund_amount.as_str());
    push(&mut node, "refund_status", "REFUND_SUCCESS");
    let asked = |option: &str| {
        biz.get("query_options")
            .and_then(Value::as_array)
            .is_some_and(|o| o.iter().any(|v| v.as_str() == Some(option)))
    };
    if asked("gmt_refund_pay") {
        push(&mut node, "gmt_refund_pay", &refund.gmt_refund);
    }
    Ok(node)
}

/// The buyer pays the waiting trade `key` names (a bar-code payment waiting for the password,
/// a created or precreated trade): it becomes `TRADE_SUCCESS` and is notified.
pub(crate) fn buyer_pays(shared: &Arc<Shared>, key: &TradeKey) -> Result<Trade, TradeError> {
    let now = now(shared);
    let trade = shared.with_trades(|book| book.pay(key, &now))?;
    notify_trade(shared, &trade, None, &now);
    Ok(trade)
}

/// The buyer scans `qr_code` (a precreated trade's) and pays.
pub(crate) fn scan_and_pay(shared: &Arc<Shared>, qr_code: &str) -> Result<Trade, TradeError> {
    let now = shared.clock.now();
    let (trade, expired) = shared
        .with_trades(|book| {
            let trade = book.find_by_qr_code(qr_code)?;
            let expired = book.qr_code_expired(&trade.out_trade_no, now);
            Some((trade, expired))
        })
        .ok_or_else(|| {
            TradeError::new(
                "ACQ.TRADE_NOT_EXIST",
                "交易不存在: no precreated trade has this qr_code",
            )
        })?;
    if expired && trade.status == TradeStatus::WaitBuyerPay {
        return Err(TradeError::new(
            QR_CODE_EXPIRED,
            "二维码已失效: the qr_code expired (qr_code_timeout_express, 2 hours at most); the trade waits until its time_expire",
        ));
    }
    buyer_pays(
        shared,
        &TradeKey {
            trade_no: Some(trade.trade_no),
            out_trade_no: None,
        },
    )
}

/// Whether `path` is one of this module's control or QR paths.
pub(crate) fn is_control_path(path: &str) -> bool {
    path == SCAN_PATH || path == PAY_PATH || path.starts_with(QR_PATH_PREFIX)
}

/// The trade as the control calls answer it (and `GET /control/trades` lists it).
pub(crate) fn trade_json(trade: &Trade) -> Value {
    json!({
        "trade_no": trade.trade_no,
        "out_trade_no": trade.out_trade_no,
        "method": trade.method,
        "trade_status": trade.status.as_str(),
        "total_amount": trade.total_amount.as_str(),
        "refunded_amount": trade.refunded_amount.as_str(),
        "subject": trade.subject,
        "qr_code": trade.qr_code,
        "gmt_create": trade.gmt_create,
        "gmt_payment": trade.gmt_payment,
        "gmt_close": trade.gmt_close,
        "time_expire": trade.time_expire,
    })
}

/// A control call's JSON answer, and what the log says about it.
pub(super) fn json_answer(
    status: u16,
    value: &Value,
    sub_code: Option<&str>,
) -> (HttpAnswer, RecordedAnswer) {
    (
        answer::json(status, value),
        RecordedAnswer {
            status,
            code: None,
            sub_code: sub_code.map(str::to_owned),
            node: None,
        },
    )
}

pub(super) fn error_answer(status: u16, e: &TradeError) -> (HttpAnswer, RecordedAnswer) {
    json_answer(
        status,
        &json!({ "sub_code": e.sub_code, "sub_msg": e.sub_msg }),
        Some(&e.sub_code),
    )
}

/// The `sub_code` of a scan refused because the `qr_code` expired (the control call's own:
/// Alipay's app shows the buyer a page, the merchant sees no error).
const QR_CODE_EXPIRED: &str = "QR_CODE_EXPIRED";

/// The HTTP status of a refused control call.
fn status_of(e: &TradeError) -> u16 {
    match e.sub_code.as_str() {
        "ACQ.TRADE_NOT_EXIST" => 404,
        QR_CODE_EXPIRED => 410,
        "ACQ.TRADE_HAS_SUCCESS" | "ACQ.TRADE_HAS_CLOSE" | "ACQ.TRADE_STATUS_ERROR" => 409,
        _ => 400,
    }
}

/// One control or QR exchange: answered and recorded.
pub(crate) async fn exchange(shared: &Arc<Shared>, req: Request<Incoming>) -> HttpAnswer {
    control_exchange(
        shared,
        req,
        |http_method, path| {
            if !path.starts_with(QR_PATH_PREFIX) {
                None
            } else if http_method == HttpMethod::GET {
                Some(qr_page(shared, path))
            } else {
                Some(plain(405, "method not allowed: use GET\n"))
            }
        },
        string_params,
        |path, body| control(shared, path, body),
    )
    .await
}

/// The verdict of a control call: JSON from the test, which carries no signature.
pub(super) const CONTROL_VERDICT: &str = "control call (no signature)";

/// The request's `Content-Type`, empty when it has none (or one that is not text).
pub(super) fn content_type(req: &Request<Incoming>) -> String {
    req.headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// One exchange of control calls, answered and recorded: `direct`'s answer when it gives one
/// from the HTTP method and path alone; else the POSTed JSON body handed to `control` with the
/// path, the body's members recorded as `shown` makes them. Another HTTP method is answered
/// 405, and a body that is not JSON as [`json_body`] refuses it.
pub(super) async fn control_exchange(
    shared: &Arc<Shared>,
    req: Request<Incoming>,
    direct: impl FnOnce(&HttpMethod, &str) -> Option<(HttpAnswer, RecordedAnswer)>,
    shown: fn(&Value) -> Vec<(String, String)>,
    control: impl FnOnce(&str, &Value) -> (HttpAnswer, RecordedAnswer),
) -> HttpAnswer {
    let http_method = req.method().clone();
    let path = req.uri().path().to_owned();
    let (params, (http, summary)) = if let Some(answered) = direct(&http_method, &path) {
        (Vec::new(), answered)
    } else if http_method != HttpMethod::POST {
        (Vec::new(), plain(405, "method not allowed: use POST\n"))
    } else {
        let content_type = content_type(&req);
        match json_body(shared, &content_type, req.into_body()).await {
            Ok(body) => (shown(&body), control(&path, &body)),
            Err(refused) => (Vec::new(), refused),
        }
    };
    record_control(shared, &http_method, path, params, summary);
    http
}

/// A control call's body read (within the gateway's bounds) and parsed as a JSON document
/// sent as `application/json`; the answer to give and log when it cannot be.
pub(super) async fn json_body(
    shared: &Arc<Shared>,
    content_type: &str,
    body: Incoming,
) -> Result<Value, (HttpAnswer, RecordedAnswer)> {
    let body = super::exchange::read_body(shared, body)
        .await
        .map_err(|answer| {
            let summary = summary_of(&answer);
            (answer, summary)
        })?;
    read_json(content_type, &body).map_err(|(status, e)| error_answer(status, &e))
}

/// Records a control call in the request log, with the control verdict.
fn record_control(
    shared: &Shared,
    http_method: &HttpMethod,
    path: String,
    params: Vec<(String, String)>,
    summary: RecordedAnswer,
) {
    shared.record(RecordedRequest {
        http_method: http_method.as_str().to_owned(),
        path,
        method: None,
        params,
        charset: "utf-8".to_owned(),
        signature_verified: false,
        verdict: CONTROL_VERDICT.to_owned(),
        decrypted_biz_content: None,
        files: Vec::new(),
        answer: summary,
        fault: None,
    });
}

/// The string members of a control call's body, as the log shows them.
pub(super) fn string_params(body: &Value) -> Vec<(String, String)> {
    body.as_object()
        .map(|members| {
            members
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

pub(super) fn plain(status: u16, message: &str) -> (HttpAnswer, RecordedAnswer) {
    let answer = answer::plain(status, message);
    let summary = summary_of(&answer);
    (answer, summary)
}

/// A control call's body: a JSON object, sent as `application/json` (which a cross-site
/// form cannot send). A refusal comes with its HTTP status.
pub(super) fn read_json(content_type: &str, body: &[u8]) -> Result<Value, (u16, TradeError)> {
    let media = content_type.split(';').next().unwrap_or("").trim();
    if !media.eq_ignore_ascii_case("application/json") {
        return Err((
            415,
            TradeError::invalid(
                "Content-Type",
                "must be application/json: a control call's body is a JSON object",
            ),
        ));
    }
    // Strictly, as biz_content is read: serde_json's `Value` keeps the last of a key given
    // twice, so `{"out_trade_no":"A","out_trade_no":"B"}` paid B.
    let parsed = std::str::from_utf8(body)
        .map_err(|_| "is not UTF-8 text".to_owned())
        .and_then(|text| {
            crate::protocol::strict_json::parse(text).map_err(|e| format!("is not valid: {e}"))
        });
    match parsed {
        Ok(value @ Value::Object(_)) => Ok(value),
        Ok(_) => Err((400, TradeError::invalid("body", "is not a JSON object"))),
        Err(why) => Err((400, TradeError::invalid("body", &why))),
    }
}

fn control(shared: &Arc<Shared>, path: &str, body: &Value) -> (HttpAnswer, RecordedAnswer) {
    let paid = if path == SCAN_PATH {
        match text(body, "qr_code") {
            Some(qr_code) => scan_and_pay(shared, &qr_code),
            None => Err(TradeError::invalid("qr_code", "is missing")),
        }
    } else {
        match key_of(body) {
            Ok(key) => buyer_pays(shared, &key),
            Err(e) => Err(e),
        }
    };
    match paid {
        Ok(trade) => json_answer(200, &trade_json(&trade), None),
        Err(e) => error_answer(status_of(&e), &e),
    }
}

/// `GET /qr/<token>`: what the buyer's phone shows after scanning, with a button that pays.
fn qr_page(shared: &Shared, path: &str) -> (HttpAnswer, RecordedAnswer) {
    let token = &path[QR_PATH_PREFIX.len()..];
    let found = shared.with_trades(|book| book.find_by_qr_code(token));
    let Some(trade) = found else {
        return plain(404, "not found: no precreated trade has this qr_code\n");
    };
    let waiting = trade.status == TradeStatus::WaitBuyerPay;
    let button = if waiting {
        format!(
            "<button id=\"scan-and-pay\" class=\"primary\" type=\"button\">扫码付款 (scan and pay)</button>\n\
<script>document.getElementById('scan-and-pay').onclick=function(){{fetch('{SCAN_PATH}',{{method:'POST',headers:{{'Content-Type':'application/json'}},body:JSON.stringify({{qr_code:location.href}})}}).then(function(r){{return r.json()}}).then(function(t){{document.getElementById('status').textContent=t.trade_status||t.sub_code;}});}};</script>\n"
        )
    } else {
        String::new()
    };
    let qr = trade.qr_code.as_deref().unwrap_or_default();
    let body = format!(
        "<div class=\"card\"><div>扫码付款 · 付款金额</div>\n\
<div class=\"amount\">¥<span id=\"amount\">{amount}</span></div>\n\
<div class=\"qr\" data-qr-code=\"{qr_attr}\">{image}</div>\n\
<dl><dt>订单</dt><dd id=\"subject\">{subject}</dd>\n\
<dt>商户订单号</dt><dd id=\"out_trade_no\">{out}</dd>\n\
<dt>状态</dt><dd id=\"status\">{status}</dd></dl></div>\n\
<div class=\"card\">{button}</div>\n",
        amount = html_text(trade.total_amount.as_str()),
        subject = html_text(&trade.subject),
        out = html_text(&trade.out_trade_no),
        status = trade.status.as_str(),
        qr_attr = attr(qr),
        image = pages::qr_svg(qr),
    );
    let body = pages::page("支付宝 - 扫码付款", &body);
    let answer = answer::html(200, body);
    let summary = summary_of(&answer);
    (answer, summary)
}
