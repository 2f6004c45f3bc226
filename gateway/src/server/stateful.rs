//! The methods answered from the gateway's trades rather than from the spec's example:
//! `alipay.trade.query`, `alipay.trade.refund` and `alipay.trade.close`, and the face-to-face
//! ones (`face_to_face`: precreate, pay, create, cancel, fastpay.refund.query), when their
//! scenario is the default success; any other scenario still wins.

use std::sync::Arc;

use alipay_runtime::Price;
use alipay_runtime::charset::Charset;
use alipay_runtime::gateway_code::{
    BUSINESS_FAILED_CODE, BUSINESS_FAILED_MSG, SUCCESS_CODE, SUCCESS_MSG,
};
use alipay_runtime::sign::SignType;
use serde_json::Value;

use super::answer::Node;
use super::cashier::now;
use super::{face_to_face, trade_messages};
use crate::state::Shared;
use crate::trades::{BUYER_ID, BUYER_LOGON_ID, Trade, TradeError, TradeKey, TradeStatus};

/// `alipay.trade.query`.
pub(crate) const QUERY: &str = "alipay.trade.query";
/// `alipay.trade.refund`.
pub(crate) const REFUND: &str = "alipay.trade.refund";
/// `alipay.trade.close`.
pub(crate) const CLOSE: &str = "alipay.trade.close";

/// Who sent a request, as a trade it opens remembers it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Caller<'a> {
    /// The request's `app_id`.
    pub app_id: &'a str,
    /// The request's `notify_url` (v2: a public parameter; v3 sends it in the body).
    pub notify_url: Option<&'a str>,
    /// The charset the trade's notifications are encoded in.
    pub charset: Charset,
    /// How the trade's notifications are signed.
    pub sign_type: SignType,
    /// The request's `Host` header: the origin `qr_code` URLs are made on.
    pub host: Option<&'a str>,
    /// Every parameter of a v2 request, decoded (public ones included; methods whose fields
    /// travel `in: form` read theirs here); empty for v3, whose fields are all in `biz`.
    pub params: &'a [(String, String)],
}

/// The `biz_content` as JSON: `null` when there is none or it is not JSON.
pub(crate) fn biz_json(biz: Option<&str>) -> Value {
    biz.and_then(|b| serde_json::from_str(b).ok())
        .unwrap_or(Value::Null)
}

/// A `biz_content` member as text (a number as written), when present and not empty.
pub(crate) fn text(biz: &Value, name: &str) -> Option<String> {
    match biz.get(name)? {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A business failure (`40004`) answering `e`.
pub(super) fn failure(e: &TradeError) -> Node {
    Node::failure(
        BUSINESS_FAILED_CODE,
        BUSINESS_FAILED_MSG,
        &e.sub_code,
        &e.sub_msg,
    )
}

/// A success node (`10000`), members to be pushed.
pub(super) fn success() -> Node {
    Node::new(SUCCESS_CODE, SUCCESS_MSG)
}

/// A success naming `trade`: its `trade_no`, then its `out_trade_no`.
pub(super) fn trade_success(trade: &Trade) -> Node {
    let mut node = success();
    push(&mut node, "trade_no", &trade.trade_no);
    push(&mut node, "out_trade_no", &trade.out_trade_no);
    node
}

/// Appends the string member `key`.
pub(super) fn push(node: &mut Node, key: &str, value: &str) {
    node.push(key, Value::String(value.to_owned()));
}

/// The answer node for `method` from the trades, or `None` when `method` is not one of these.
pub(crate) fn answer(
    shared: &Arc<Shared>,
    method: &str,
    biz: Option<&str>,
    caller: &Caller,
) -> Option<Node> {
    if let Some(node) = super::money::answer(shared, method, biz, caller) {
        return Some(node);
    }
    if let Some(node) = super::pdeduct::answer(shared, method, biz, caller) {
        return Some(node);
    }
    let face_to_face = face_to_face::answers(method);
    if !face_to_face && !matches!(method, QUERY | REFUND | CLOSE) {
        return None;
    }
    let biz = biz_json(biz);
    if face_to_face {
        return Some(face_to_face::answer(shared, method, &biz, caller));
    }
    let key = TradeKey {
        trade_no: text(&biz, "trade_no"),
        out_trade_no: text(&biz, "out_trade_no"),
    };
    if key.trade_no.is_none() && key.out_trade_no.is_none() {
        return Some(failure(&TradeError::invalid(
            "out_trade_no",
            "and trade_no are both missing (one is needed)",
        )));
    }
    let now = now(shared);
    Some(match method {
        QUERY => match shared.with_trades(|book| book.find(&key)) {
            Some(trade) => query_node(&trade),
            None => failure(&TradeError::not_exist()),
        },
        CLOSE => match shared.with_trades(|book| book.close(&key, &now)) {
            Ok(trade) => trade_success(&trade),
            Err(e) => failure(&e),
        },
        _ => {
            let Some(amount) = text(&biz, "refund_amount").and_then(|a| a.parse::<Price>().ok())
            else {
                return Some(failure(&TradeError::invalid(
                    "refund_amount",
                    "is missing or not an amount such as 0.01",
                )));
            };
            let out_request_no = text(&biz, "out_request_no");
            let refunded = shared
                .with_trades(|book| book.refund(&key, &amount, out_request_no.as_deref(), &now));
            match refunded {
                Ok((trade, moved)) => {
                    if moved {
                        trade_messages::notify_trade(shared, &trade, trade.refunds.last(), &now);
                    }
                    refund_node(&trade, moved)
                }
                Err(e) => failure(&e),
            }
        }
    })
}

fn query_node(trade: &Trade) -> Node {
    let paid = trade.gmt_payment.is_some();
    let amount = trade.total_amount.as_str();
    let paid_amount = if paid { amount } else { "0.00" };
    let mut node = trade_success(trade);
    if trade.status != TradeStatus::WaitBuyerPay || paid {
        push(&mut node, "buyer_logon_id", BUYER_LOGON_ID);
        push(&mut node, "buyer_user_id", BUYER_ID);
    }
    push(&mut node, "trade_status", trade.status.as_str());
    push(&mut node, "total_amount", amount);
    push(&mut node, "buyer_pay_amount", paid_amount);
    push(&mut node, "point_amount", "0.00");
    push(&mut node, "invoice_amount", paid_amount);
    push(&mut node, "receipt_amount", paid_amount);
    if let Some(at) = &trade.gmt_payment {
        push(&mut node, "send_pay_date", at);
    }
    push(&mut node, "subject", &trade.subject);
    node
}

fn refund_node(trade: &Trade, moved: bool) -> Node {
    let mut node = trade_success(trade);
    push(&mut node, "buyer_logon_id", BUYER_LOGON_ID);
    push(&mut node, "buyer_user_id", BUYER_ID);
    push(&mut node, "fund_change", if moved { "Y" } else { "N" });
    // refund_fee: everything refunded so far, as Alipay answers it.
    push(&mut node, "refund_fee", trade.refunded_amount.as_str());
    if let Some(last) = trade.refunds.last() {
        push(&mut node, "gmt_refund_pay", &last.gmt_refund);
    }
    node
}
