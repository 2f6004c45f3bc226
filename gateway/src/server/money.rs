// Over 500 lines because: the answers of the money and agreement methods and the agreement
// notifications they make, which share the books' helpers.
//! Money out and agreements over the wire (see [`crate::transfers`] and
//! [`crate::agreements`]): the answers of `alipay.fund.trans.uni.transfer`,
//! `alipay.fund.trans.common.query`, `alipay.fund.account.query`,
//! `alipay.user.agreement.query` and `.unsign` from the books, the sign page of
//! `alipay.user.agreement.page.sign` and the agreement notifications (the control calls are
//! `money_control`'s).

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use alipay_runtime::Price;
use alipay_runtime::charset::Charset;
use alipay_runtime::protocol::param;
use alipay_runtime::sign::SignType;
use html_escape::encode_text as html_text;
use serde_json::Value;

use super::answer::{self, Logged, Node};
use super::cashier::now;
use super::pages;
use super::stateful::{Caller, biz_json, failure, push, success, text};
use super::trade_messages::{Subject, next_notify_id, notification_head, signed_notification};
use crate::agreements::{
    Agreement, AgreementBook, AgreementKey, AgreementStatus, NOTIFY_SIGN, NOTIFY_UNSIGN, SIGN_PATH,
    SignOrder, has_unsigned, query_not_exist,
};
use crate::notify::{self, DeliveryState};
use crate::protocol::{Accepted, Decoded};
use crate::scenario::Scenario;
use crate::state::Shared;
use crate::trades::{BUYER_ID, BUYER_LOGON_ID, TradeError};
use crate::transfers::{TransferBook, TransferKey, TransferOrder};

/// `alipay.fund.trans.uni.transfer`.
const TRANSFER: &str = "alipay.fund.trans.uni.transfer";
/// `alipay.fund.trans.common.query`.
const TRANSFER_QUERY: &str = "alipay.fund.trans.common.query";
/// `alipay.fund.account.query`.
const ACCOUNT_QUERY: &str = "alipay.fund.account.query";
/// `alipay.user.agreement.page.sign`.
const PAGE_SIGN: &str = "alipay.user.agreement.page.sign";
/// `alipay.user.agreement.query`.
const AGREEMENT_QUERY: &str = "alipay.user.agreement.query";
/// `alipay.user.agreement.unsign`.
const UNSIGN: &str = "alipay.user.agreement.unsign";
/// `alipay.user.agreement.auth.apply`.
const AUTH_APPLY: &str = "alipay.user.agreement.auth.apply";
/// `alipay.user.agreement.auth.confirm`.
const AUTH_CONFIRM: &str = "alipay.user.agreement.auth.confirm";

/// The transfers, the balance and the agreements a gateway holds.
#[derive(Debug, Default)]
pub(crate) struct MoneyBooks {
    transfers: Mutex<TransferBook>,
    agreements: Mutex<AgreementBook>,
    /// Bill-payment deduction agreements and their bills ([`crate::pdeduct`]).
    deductions: Mutex<crate::pdeduct::DeductBook>,
    /// The balance a fresh gateway starts with ([`crate::GatewayBuilder::fund_balance`]), when
    /// not the default.
    starting_balance: Mutex<Option<i64>>,
}

/// A panic while a lock is held leaves plain data behind; keep serving it.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl MoneyBooks {
    /// Runs `f` on the transfers, under their lock.
    pub fn with_transfers<T>(&self, f: impl FnOnce(&mut TransferBook) -> T) -> T {
        f(&mut lock(&self.transfers))
    }

    /// Runs `f` on the agreements, under their lock.
    pub fn with_agreements<T>(&self, f: impl FnOnce(&mut AgreementBook) -> T) -> T {
        f(&mut lock(&self.agreements))
    }

    /// Runs `f` on the deduction agreements and bills, under their lock.
    pub fn with_deductions<T>(&self, f: impl FnOnce(&mut crate::pdeduct::DeductBook) -> T) -> T {
        f(&mut lock(&self.deductions))
    }

    /// Starts (and, after a reset, starts again) with this balance.
    pub fn set_starting_balance(&self, cents: i64) {
        *lock(&self.starting_balance) = Some(cents);
        self.with_transfers(|book| book.set_balance(cents));
    }

    /// Back to a fresh gateway's books: no transfers, agreements, codes nor deductions; the
    /// starting balance.
    pub fn reset(&self) {
        let mut transfers = TransferBook::default();
        if let Some(cents) = *lock(&self.starting_balance) {
            transfers.set_balance(cents);
        }
        *lock(&self.transfers) = transfers;
        *lock(&self.agreements) = AgreementBook::default();
        *lock(&self.deductions) = crate::pdeduct::DeductBook::default();
    }
}

pub(super) fn invalid(what: &str) -> TradeError {
    TradeError::new("INVALID_PARAMETER", format!("参数有误: {what}"))
}

/// The answer node of a money or agreement method from the books, or `None` when `method`
/// is not one of them (or is the sign page, which [`page`] answers).
pub(crate) fn answer(
    shared: &Arc<Shared>,
    method: &str,
    biz: Option<&str>,
    caller: &Caller,
) -> Option<Node> {
    if !matches!(
        method,
        TRANSFER
            | TRANSFER_QUERY
            | ACCOUNT_QUERY
            | AGREEMENT_QUERY
            | UNSIGN
            | AUTH_APPLY
            | AUTH_CONFIRM
    ) {
        return None;
    }
    let biz = biz_json(biz);
    if method == AUTH_CONFIRM && !holds_confirm_state(shared, &biz) {
        // Neither the agreement nor the token is the gateway's: the scenario answers, as
        // before (the spec's example for the default success, which the quickstart shows).
        return None;
    }
    let result = match method {
        TRANSFER => transfer(shared, &biz),
        TRANSFER_QUERY => transfer_query(shared, &biz),
        ACCOUNT_QUERY => Ok(account_query(shared)),
        AGREEMENT_QUERY => agreement_query(shared, &biz),
        AUTH_APPLY => Ok(auth_apply(shared, &biz)),
        AUTH_CONFIRM => auth_confirm(shared, &biz),
        _ => unsign(shared, &biz, caller),
    };
    Some(result.unwrap_or_else(|e| failure(&e)))
}

fn transfer(shared: &Shared, biz: &Value) -> Result<Node, TradeError> {
    let out_biz_no = text(biz, "out_biz_no").ok_or_else(|| invalid("out_biz_no is missing"))?;
    let trans_amount: Price = text(biz, "trans_amount")
        .ok_or_else(|| invalid("trans_amount is missing"))?
        .parse()
        .map_err(|_| invalid("trans_amount is not an amount such as 0.10"))?;
    let order = TransferOrder {
        out_biz_no,
        trans_amount,
        product_code: text(biz, "product_code"),
        order_title: text(biz, "order_title"),
        payee: biz.get("payee_info").and_then(|p| text(p, "identity")),
    };
    let now = now(shared);
    let (t, _moved) = shared
        .money
        .with_transfers(|book| book.transfer(order, &now))?;
    let mut node = success();
    push(&mut node, "out_biz_no", &t.out_biz_no);
    push(&mut node, "order_id", &t.order_id);
    push(&mut node, "pay_fund_order_id", &t.pay_fund_order_id);
    push(&mut node, "status", &t.status);
    push(&mut node, "trans_date", &t.trans_date);
    Ok(node)
}

fn transfer_query(shared: &Shared, biz: &Value) -> Result<Node, TradeError> {
    let key = TransferKey {
        out_biz_no: text(biz, "out_biz_no"),
        order_id: text(biz, "order_id"),
        pay_fund_order_id: text(biz, "pay_fund_order_id"),
    };
    if key.out_biz_no.is_none() && key.order_id.is_none() && key.pay_fund_order_id.is_none() {
        return Err(invalid(
            "out_biz_no, order_id and pay_fund_order_id are all missing (one is needed)",
        ));
    }
    let t = shared
        .money
        .with_transfers(|book| book.find(&key))
        .ok_or_else(|| TradeError::new("ORDER_NOT_EXIST", "转账订单不存在"))?;
    let mut node = success();
    push(&mut node, "order_id", &t.order_id);
    push(&mut node, "pay_fund_order_id", &t.pay_fund_order_id);
    push(&mut node, "out_biz_no", &t.out_biz_no);
    push(&mut node, "trans_amount", t.trans_amount.as_str());
    push(&mut node, "status", &t.status);
    push(&mut node, "pay_date", &t.trans_date);
    push(&mut node, "order_fee", "0.00");
    Ok(node)
}

fn account_query(shared: &Shared) -> Node {
    let balance = shared.money.with_transfers(|book| book.balance());
    let mut node = success();
    push(&mut node, "available_amount", balance.as_str());
    push(&mut node, "freeze_amount", "0.00");
    node
}

pub(super) fn agreement_key(biz: &Value) -> Result<AgreementKey, TradeError> {
    let key = AgreementKey {
        agreement_no: text(biz, "agreement_no"),
        external_agreement_no: text(biz, "external_agreement_no"),
    };
    if key.is_empty() {
        return Err(invalid(
            "agreement_no and external_agreement_no are both missing (one is needed)",
        ));
    }
    Ok(key)
}

fn agreement_query(shared: &Shared, biz: &Value) -> Result<Node, TradeError> {
    let key = agreement_key(biz)?;
    let a = shared
        .money
        .with_agreements(|book| book.find(&key))
        .ok_or_else(query_not_exist)?;
    if a.status == AgreementStatus::Unsigned {
        return Err(has_unsigned(&a));
    }
    let mut node = success();
    push(&mut node, "agreement_no", &a.agreement_no);
    if let Some(ext) = &a.external_agreement_no {
        push(&mut node, "external_agreement_no", ext);
    }
    push(&mut node, "personal_product_code", &a.personal_product_code);
    if let Some(scene) = &a.sign_scene {
        push(&mut node, "sign_scene", scene);
    }
    push(&mut node, "status", a.status.as_str());
    push(&mut node, "alipay_logon_id", BUYER_LOGON_ID);
    push(&mut node, "principal_id", BUYER_ID);
    push(&mut node, "third_party_type", "PARTNER");
    if let Some(at) = &a.sign_time {
        push(&mut node, "sign_time", at);
    }
    if let Some(at) = &a.valid_time {
        push(&mut node, "valid_time", at);
    }
    push(&mut node, "invalid_time", &a.invalid_time);
    Ok(node)
}

fn unsign(shared: &Arc<Shared>, biz: &Value, caller: &Caller) -> Result<Node, TradeError> {
    let key = agreement_key(biz)?;
    let now = now(shared);
    let a = shared
        .money
        .with_agreements(|book| book.unsign(&key, &now))?;
    // Alipay notifies the unsign request's notify_url, else the agreement's.
    let url = caller
        .notify_url
        .map(str::to_owned)
        .or_else(|| a.notify_url.clone());
    notify_agreement(shared, &a, url.as_deref(), NOTIFY_UNSIGN, UNSIGN, &now);
    Ok(success())
}

fn auth_apply(shared: &Shared, biz: &Value) -> Node {
    let now = shared.clock.now();
    let sms = shared
        .money
        .with_agreements(|book| book.apply(text(biz, "agreement_no"), now));
    let mut node = success();
    push(&mut node, "apply_token", &sms.apply_token);
    node
}

/// Whether a confirm names an agreement the gateway opened or a token it answered.
fn holds_confirm_state(shared: &Shared, biz: &Value) -> bool {
    let key = AgreementKey {
        agreement_no: text(biz, "agreement_no"),
        external_agreement_no: None,
    };
    let token = text(biz, "apply_token").unwrap_or_default();
    shared
        .money
        .with_agreements(|book| book.find(&key).is_some() || book.code(&token).is_some())
}

fn auth_confirm(shared: &Shared, biz: &Value) -> Result<Node, TradeError> {
    let field = |name: &str| text(biz, name).ok_or_else(|| invalid(&format!("{name} is missing")));
    let agreement_no = field("agreement_no")?;
    let apply_token = field("apply_token")?;
    let answer = field("auth_confirm_no")?;
    let now = shared.clock.now();
    shared
        .money
        .with_agreements(|book| book.confirm(&agreement_no, &apply_token, &answer, now))?;
    Ok(success())
}

/// The parameters of an agreement notification (before `sign`), in Alipay's order.
fn agreement_params(
    a: &Agreement,
    notify_type: &str,
    now: &str,
    notify_id: &str,
    charset: Charset,
    sign_type: SignType,
) -> Vec<(String, String)> {
    let mut pairs = notification_head(notify_type, now, notify_id, &a.app_id, charset, sign_type);
    let mut add = |k: &str, v: &str| pairs.push((k.to_owned(), v.to_owned()));
    add("agreement_no", &a.agreement_no);
    if let Some(ext) = &a.external_agreement_no {
        add("external_agreement_no", ext);
    }
    add("personal_product_code", &a.personal_product_code);
    if let Some(scene) = &a.sign_scene {
        add("sign_scene", scene);
    }
    add("status", a.status.as_str());
    add("alipay_user_id", BUYER_ID);
    add("alipay_logon_id", BUYER_LOGON_ID);
    if let Some(at) = &a.sign_time {
        add("sign_time", at);
    }
    if let Some(at) = &a.valid_time {
        add("valid_time", at);
    }
    add("invalid_time", &a.invalid_time);
    if let Some(at) = &a.unsign_time {
        add("unsign_time", at);
    }
    pairs
}

/// Notifies `url` (if any) that agreement `a` was signed or unsigned (`notify_type`; `method`
/// made it, which notification faults are set on).
fn notify_agreement(
    shared: &Arc<Shared>,
    a: &Agreement,
    url: Option<&str>,
    notify_type: &str,
    method: &str,
    now: &str,
) {
    let Some(url) = url else {
        return;
    };
    let charset = crate::crypto::parse_charset(&a.charset).unwrap_or(Charset::Utf8);
    let sign_type = a.sign_type.parse::<SignType>().unwrap_or_default();
    let notify_id = next_notify_id(shared, now);
    let pairs = agreement_params(a, notify_type, now, &notify_id, charset, sign_type);
    let subject = Subject {
        notify_url: url,
        trade_no: &a.agreement_no,
        out_trade_no: a.external_agreement_no.as_deref().unwrap_or_default(),
        status: a.status.as_str(),
    };
    let n = signed_notification(shared, notify_id, &subject, pairs, charset, sign_type);
    if n.state == DeliveryState::Pending {
        notify::send(shared, n, method);
    } else {
        shared.record_notification(n);
    }
}

/// The user signs the agreement `key` names: `NORMAL`, and notified.
pub(crate) fn sign_agreement(
    shared: &Arc<Shared>,
    key: &AgreementKey,
) -> Result<Agreement, TradeError> {
    let now = now(shared);
    let a = shared.money.with_agreements(|book| book.sign(key, &now))?;
    notify_agreement(
        shared,
        &a,
        a.notify_url.as_deref(),
        NOTIFY_SIGN,
        PAGE_SIGN,
        &now,
    );
    Ok(a)
}

/// The sign page of a verified `alipay.user.agreement.page.sign` request (while its scenario
/// is the default success), or `None` for any other method or scenario.
pub(crate) fn page(
    shared: &Shared,
    decoded: &Decoded,
    accepted: &Accepted,
    biz: Option<&str>,
    scenario: &Scenario,
) -> Option<Logged> {
    if accepted.descriptor.method != PAGE_SIGN || !matches!(scenario, Scenario::Success) {
        return None;
    }
    let biz = biz_json(biz);
    let Some(personal_product_code) = text(&biz, "personal_product_code") else {
        return Some(super::cashier::trade_error_page(&invalid(
            "personal_product_code is missing",
        )));
    };
    let order = SignOrder {
        external_agreement_no: text(&biz, "external_agreement_no"),
        personal_product_code,
        sign_scene: text(&biz, "sign_scene"),
        app_id: decoded.get(param::APP_ID).unwrap_or_default().to_owned(),
        notify_url: decoded
            .get(param::NOTIFY_URL)
            .map(str::to_owned)
            .or_else(|| text(&biz, "notify_url")),
        charset: decoded.charset.as_str().to_owned(),
        sign_type: accepted.sign_type.as_str().to_owned(),
    };
    if let Some(reason) = order
        .notify_url
        .as_deref()
        .and_then(super::cashier::refuse_url)
    {
        return Some(super::cashier::trade_error_page(&invalid(&format!(
            "notify_url {reason}"
        ))));
    }
    let now = now(shared);
    let a = shared.money.with_agreements(|book| book.open(order, &now));
    Some(Logged::by_status(answer::html(200, sign_page(&a))))
}

fn sign_page(a: &Agreement) -> String {
    let button = if a.status == AgreementStatus::Temp {
        format!(
            "<button id=\"sign\" class=\"primary\" type=\"button\">同意协议并开通 (sign)</button>\n\
<script>document.getElementById('sign').onclick=function(){{fetch('{SIGN_PATH}',{{method:'POST',headers:{{'Content-Type':'application/json'}},body:JSON.stringify({{agreement_no:document.getElementById('agreement_no').textContent}})}}).then(function(r){{return r.json()}}).then(function(a){{document.getElementById('status').textContent=a.status||a.sub_code;}});}};</script>\n"
        )
    } else {
        String::new()
    };
    let body = format!(
        "<div class=\"card\"><h1>开通免密支付 (sign a deduction agreement)</h1>\n\
<dl><dt>协议号</dt><dd id=\"agreement_no\">{no}</dd>\n\
<dt>商户协议号</dt><dd id=\"external_agreement_no\">{ext}</dd>\n\
<dt>产品码</dt><dd id=\"personal_product_code\">{product}</dd>\n\
<dt>状态</dt><dd id=\"status\">{status}</dd></dl></div>\n\
<div class=\"card\">{button}</div>\n",
        no = html_text(&a.agreement_no),
        ext = html_text(a.external_agreement_no.as_deref().unwrap_or_default()),
        product = html_text(&a.personal_product_code),
        status = a.status.as_str(),
    );
    pages::page("支付宝 - 协议签约", &body)
}
