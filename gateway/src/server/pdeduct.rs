//! Bill-payment deduction over the wire (see [`crate::pdeduct`]): the answers of
//! `alipay.ebpp.pdeduct.sign.validate`, `.sign.add`, `.pay`, `.bill.pay.status`, `.sign.query`
//! and `.sign.cancel` from the deduction book, and their state as JSON.

use alipay_runtime::Price;
use alipay_runtime::gateway_code::{BUSINESS_FAILED_CODE, BUSINESS_FAILED_MSG};
use alipay_runtime::protocol::PUBLIC_REQUEST_PARAMS;
use serde_json::{Map, Value, json};

use super::answer::Node;
use super::stateful::{Caller, push, success, text};
use crate::pdeduct::{
    AGREEMENT_STATUS_SUCCESS, BillOf, DeductAgreement, DeductBill, DeductPayOrder, DeductSignOrder,
    sign_not_exist,
};
use crate::state::Shared;
use crate::trades::TradeError;

const VALIDATE: &str = "alipay.ebpp.pdeduct.sign.validate";
const SIGN_ADD: &str = "alipay.ebpp.pdeduct.sign.add";
const PAY: &str = "alipay.ebpp.pdeduct.pay";
const PAY_STATUS: &str = "alipay.ebpp.pdeduct.bill.pay.status";
const SIGN_QUERY: &str = "alipay.ebpp.pdeduct.sign.query";
const SIGN_CANCEL: &str = "alipay.ebpp.pdeduct.sign.cancel";

/// A refusal: a business error, or a malformed field (`40002 isv.invalid-parameter`).
enum Refused {
    Business(TradeError),
    Invalid(String),
}

impl From<TradeError> for Refused {
    fn from(e: TradeError) -> Self {
        Refused::Business(e)
    }
}

/// The answer node of a deduction method from the book, or `None` when `method` is not one.
pub(crate) fn answer(
    shared: &Shared,
    method: &str,
    biz: Option<&str>,
    caller: &Caller,
) -> Option<Node> {
    if !matches!(
        method,
        VALIDATE | SIGN_ADD | PAY | PAY_STATUS | SIGN_QUERY | SIGN_CANCEL
    ) {
        return None;
    }
    let fields = fields_of(biz, caller);
    let now = shared.clock.beijing_now();
    let result = match method {
        VALIDATE => validate(shared, &fields),
        SIGN_ADD => sign_add(shared, &fields, &now),
        PAY => pay(shared, &fields, &now),
        PAY_STATUS => pay_status(shared, &fields),
        SIGN_QUERY => sign_query(shared, &fields),
        _ => sign_cancel(shared, &fields, &now),
    };
    Some(result.unwrap_or_else(|refused| match refused {
        Refused::Business(e) => Node::failure(
            BUSINESS_FAILED_CODE,
            BUSINESS_FAILED_MSG,
            &e.sub_code,
            &e.sub_msg,
        ),
        Refused::Invalid(why) => Node::failure(
            "40002",
            "Invalid Arguments",
            "isv.invalid-parameter",
            &format!("参数无效: {why}"),
        ),
    }))
}

/// The request's own fields: the JSON body (and query) of a v3 request, the form fields of a
/// v2 one (these methods send them `in: form`), or `biz_content` if a client put them there.
fn fields_of(biz: Option<&str>, caller: &Caller) -> Value {
    let mut object = match biz.and_then(|b| serde_json::from_str::<Value>(b).ok()) {
        Some(Value::Object(object)) => object,
        _ => Map::new(),
    };
    for (name, value) in caller.params {
        if !PUBLIC_REQUEST_PARAMS.contains(&name.as_str()) && !object.contains_key(name) {
            object.insert(name.clone(), Value::String(value.clone()));
        }
    }
    Value::Object(object)
}

/// The user a request names: `user_id`, else `open_id`.
fn user_of(fields: &Value) -> Option<String> {
    text(fields, "user_id").or_else(|| text(fields, "open_id"))
}

/// The bill the four fields name, if all are there; else the first missing one.
fn bill_of(fields: &Value) -> Result<BillOf, &'static str> {
    let field = |name: &'static str| text(fields, name).ok_or(name);
    Ok(BillOf {
        user_id: user_of(fields),
        biz_type: field("biz_type")?,
        sub_biz_type: field("sub_biz_type")?,
        charge_inst: field("charge_inst")?,
        bill_key: field("bill_key")?,
    })
}

fn arguments_error(what: &str) -> TradeError {
    TradeError::new("isv.arguments-error", format!("参数错误: {what}"))
}

fn validate(shared: &Shared, fields: &Value) -> Result<Node, Refused> {
    // The spec requires these fields: the gateway's validation refused a request without
    // them already.
    let bill = bill_of(fields).map_err(|name| Refused::Invalid(format!("{name} is missing")))?;
    match shared.money.with_deductions(|book| book.held_by(&bill)) {
        None => Ok(success()),
        Some((true, a)) => Err(TradeError::new(
            "DEDUCT_SIGN_DUPLICATED_SELF",
            format!(
                "当前用户重复签约该户号: agreement {} holds bill_key {}",
                a.agreement_id, a.bill_key
            ),
        )
        .into()),
        Some((false, a)) => Err(TradeError::new(
            "DEDUCT_SIGN_DUPLICATED_OTHER",
            format!("当前户号被别的用户已经签约: bill_key {}", a.bill_key),
        )
        .into()),
    }
}

fn sign_add(shared: &Shared, fields: &Value, now: &str) -> Result<Node, Refused> {
    let user_id =
        user_of(fields).ok_or_else(|| arguments_error("user_id (or open_id) is missing"))?;
    let bill = bill_of(fields).map_err(|name| arguments_error(&format!("{name} is missing")))?;
    let order = DeductSignOrder {
        user_id,
        biz_type: bill.biz_type,
        sub_biz_type: bill.sub_biz_type,
        charge_inst: bill.charge_inst,
        bill_key: bill.bill_key,
        out_agreement_id: text(fields, "out_agreement_id"),
        owner_name: text(fields, "owner_name"),
    };
    let a = shared.money.with_deductions(|book| book.sign(order, now))?;
    let mut node = agreement_node(&a);
    push(&mut node, "sign_date", &a.sign_date);
    for echoed in ["extend_field", "notify_config"] {
        if let Some(value) = text(fields, echoed) {
            push(&mut node, echoed, &value);
        }
    }
    Ok(node)
}

/// An amount field, if present; a malformed one is refused.
fn amount(fields: &Value, name: &str) -> Result<Option<Price>, Refused> {
    let Some(raw) = text(fields, name) else {
        return Ok(None);
    };
    match raw
        .parse::<Price>()
        .ok()
        .filter(|p| p.to_cents().is_some_and(|c| c > 0))
    {
        Some(price) => Ok(Some(price)),
        None => Err(Refused::Invalid(format!(
            "{name} `{raw}` is not an amount such as 12.50"
        ))),
    }
}

fn pay(shared: &Shared, fields: &Value, now: &str) -> Result<Node, Refused> {
    let required = |name: &str, code: &str| {
        text(fields, name)
            .ok_or_else(|| Refused::Business(TradeError::new(code, format!("{name} is missing"))))
    };
    let agreement_id = required("agreement_id", "AGREEMENT_ID_IS_NULL")?;
    required("agent_channel", "AGENT_CHANNEL_IS_NULL")?;
    let bill_key = required("bill_key", "BILL_KEY_IS_NULL")?;
    let out_order_no = required("out_order_no", "INST_ORDER_NO_IS_NULL")?;
    let pay_amount = amount(fields, "pay_amount")?
        .ok_or_else(|| Refused::Invalid("pay_amount is missing".into()))?;
    let order = DeductPayOrder {
        agreement_id,
        bill_key,
        out_order_no,
        pay_amount,
        fine_amount: amount(fields, "fine_amount")?,
        bill_date: text(fields, "bill_date"),
    };
    let (bill, _moved) = shared.money.with_deductions(|book| book.pay(order, now))?;
    let mut node = success();
    push(&mut node, "agreement_id", &bill.agreement_id);
    push(&mut node, "bill_no", &bill.bill_no);
    push(&mut node, "out_order_no", &bill.out_order_no);
    push(&mut node, "result_status", &bill.status);
    if let Some(extend) = text(fields, "extend_field") {
        push(&mut node, "extend_field", &extend);
    }
    Ok(node)
}

fn parameter_illegal(what: &str) -> TradeError {
    TradeError::new("PARAMETER_ILLEGAL", format!("参数不合法: {what}"))
}

fn pay_status(shared: &Shared, fields: &Value) -> Result<Node, Refused> {
    let out_order_no =
        text(fields, "out_order_no").ok_or_else(|| parameter_illegal("out_order_no is missing"))?;
    let agreement_id =
        text(fields, "agreement_id").ok_or_else(|| parameter_illegal("agreement_id is missing"))?;
    let bill = shared
        .money
        .with_deductions(|book| book.bill(&out_order_no, &agreement_id))
        .ok_or_else(|| {
            TradeError::new(
                "BILL_NOT_EXIST",
                format!("账单不存在: no deduction {out_order_no} under agreement {agreement_id}"),
            )
        })?;
    let mut node = success();
    push(&mut node, "agreement_id", &bill.agreement_id);
    if let Some(open_id) = text(fields, "open_id") {
        push(&mut node, "open_id", &open_id);
    }
    push(&mut node, "order_no", &bill.bill_no);
    push(&mut node, "out_order_no", &bill.out_order_no);
    push(&mut node, "status", &bill.status);
    Ok(node)
}

fn sign_query(shared: &Shared, fields: &Value) -> Result<Node, Refused> {
    let found = match text(fields, "agreement_id") {
        Some(id) => shared
            .money
            .with_deductions(|book| book.agreement(&id))
            .filter(DeductAgreement::is_active)
            .ok_or_else(|| sign_not_exist(&format!("no agreement {id} in force")))?,
        None => {
            let bill = bill_of(fields).map_err(|name| {
                parameter_illegal(&format!(
                    "agreement_id is missing, and so is {name} (agreement_id, or biz_type, sub_biz_type, charge_inst and bill_key)"
                ))
            })?;
            shared
                .money
                .with_deductions(|book| book.find(&bill))
                .ok_or_else(|| sign_not_exist("no agreement in force for this bill"))?
        }
    };
    let mut node = success();
    push(&mut node, "agreement_id", &found.agreement_id);
    push(&mut node, "bill_key", &found.bill_key);
    push(&mut node, "charge_inst", &found.charge_inst);
    if let Some(out) = &found.out_agreement_id {
        push(&mut node, "out_agreement_id", out);
    }
    push(&mut node, "sign_date", &found.sign_date);
    push(&mut node, "user_id", &found.user_id);
    Ok(node)
}

fn sign_cancel(shared: &Shared, fields: &Value, now: &str) -> Result<Node, Refused> {
    let agreement_id =
        text(fields, "agreement_id").ok_or_else(|| arguments_error("agreement_id is missing"))?;
    let a = shared
        .money
        .with_deductions(|book| book.cancel(&agreement_id, now))?;
    Ok(agreement_node(&a))
}

/// The success node of a sign or cancel call: the agreement's numbers, its status `SUCCESS`.
fn agreement_node(a: &DeductAgreement) -> Node {
    let mut node = success();
    push(&mut node, "agreement_id", &a.agreement_id);
    push(&mut node, "agreement_status", AGREEMENT_STATUS_SUCCESS);
    if let Some(out) = &a.out_agreement_id {
        push(&mut node, "out_agreement_id", out);
    }
    node
}

fn agreement_json(a: &DeductAgreement) -> Value {
    json!({
        "agreement_id": a.agreement_id,
        "out_agreement_id": a.out_agreement_id,
        "user_id": a.user_id,
        "biz_type": a.biz_type,
        "sub_biz_type": a.sub_biz_type,
        "charge_inst": a.charge_inst,
        "bill_key": a.bill_key,
        "owner_name": a.owner_name,
        "status": if a.is_active() { "NORMAL" } else { "CANCELLED" },
        "sign_date": a.sign_date,
        "cancel_date": a.cancel_date,
    })
}

fn bill_json(b: &DeductBill) -> Value {
    json!({
        "bill_no": b.bill_no,
        "out_order_no": b.out_order_no,
        "agreement_id": b.agreement_id,
        "bill_key": b.bill_key,
        "pay_amount": b.pay_amount.as_str(),
        "fine_amount": b.fine_amount.as_ref().map(Price::as_str),
        "bill_date": b.bill_date,
        "status": b.status,
        "paid_at": b.paid_at,
    })
}

/// The deduction agreements and bills, oldest first, as `/control/deductions` answers them.
pub(crate) fn deductions_json(shared: &Shared) -> Value {
    let (agreements, bills) = shared
        .money
        .with_deductions(|book| (book.agreements(), book.bills()));
    json!({
        "agreements": agreements.iter().map(agreement_json).collect::<Vec<_>>(),
        "bills": bills.iter().map(bill_json).collect::<Vec<_>>(),
    })
}
