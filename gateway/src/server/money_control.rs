//! The money and agreement control calls over the wire (see [`crate::transfers`],
//! [`crate::agreements`] and [`crate::pdeduct`]): `/control/balance`, `/control/transfers`,
//! `/control/sign-agreement`, `/control/agreements`, `/control/sms-code` and
//! `/control/deductions`, answered as JSON and recorded as the other control calls are; the
//! JSON the dashboard's reads share with them.

use std::sync::Arc;

use alipay_runtime::Price;
use hyper::Request;
use hyper::body::Incoming;
use serde_json::{Value, json};

use super::answer::HttpAnswer;
use super::face_to_face::{control_exchange, error_answer, json_answer, string_params};
use super::money::{agreement_key, invalid, sign_agreement};
use super::stateful::text;
use crate::agreements::{AGREEMENTS_PATH, Agreement, SIGN_PATH, SMS_CODE_PATH, SmsCode};
use crate::log::RecordedAnswer;
use crate::pdeduct::DEDUCTIONS_PATH;
use crate::state::Shared;
use crate::trades::TradeError;
use crate::transfers::{BALANCE_PATH, TRANSFERS_PATH, Transfer};

/// The SMS code as the control call answers it.
pub(crate) fn sms_json(c: &SmsCode) -> Value {
    json!({
        "apply_token": c.apply_token,
        "agreement_no": c.agreement_no,
        "auth_confirm_no": c.code,
        "wrong_attempts": c.wrong_attempts,
        "used": c.used,
        "sent_at": c.sent_at,
        "expires_at": c.expires_at,
    })
}

/// The agreement as the control calls answer it.
pub(crate) fn agreement_json(a: &Agreement) -> Value {
    json!({
        "agreement_no": a.agreement_no,
        "external_agreement_no": a.external_agreement_no,
        "personal_product_code": a.personal_product_code,
        "sign_scene": a.sign_scene,
        "status": a.status.as_str(),
        "notify_url": a.notify_url,
        "gmt_create": a.gmt_create,
        "sign_time": a.sign_time,
        "valid_time": a.valid_time,
        "invalid_time": a.invalid_time,
        "unsign_time": a.unsign_time,
    })
}

/// The transfer as the control calls answer it.
pub(crate) fn transfer_json(t: &Transfer) -> Value {
    json!({
        "out_biz_no": t.out_biz_no,
        "order_id": t.order_id,
        "pay_fund_order_id": t.pay_fund_order_id,
        "trans_amount": t.trans_amount.as_str(),
        "status": t.status,
        "trans_date": t.trans_date,
        "product_code": t.product_code,
        "order_title": t.order_title,
        "payee": t.payee,
    })
}

/// Every transfer, oldest first, as `/control/transfers` answers them.
pub(crate) fn transfers_json(shared: &Shared) -> Value {
    let all = shared.money.with_transfers(|book| book.all());
    json!({ "transfers": all.iter().map(transfer_json).collect::<Vec<_>>() })
}

/// Every agreement, oldest first, as `/control/agreements` answers them.
pub(crate) fn agreements_json(shared: &Shared) -> Value {
    let all = shared.money.with_agreements(|book| book.all());
    json!({ "agreements": all.iter().map(agreement_json).collect::<Vec<_>>() })
}

/// Whether `path` is one of this module's control paths.
pub(crate) fn is_control_path(path: &str) -> bool {
    matches!(
        path,
        BALANCE_PATH
            | TRANSFERS_PATH
            | SIGN_PATH
            | AGREEMENTS_PATH
            | SMS_CODE_PATH
            | DEDUCTIONS_PATH
    )
}

/// One control exchange: answered and recorded.
pub(crate) async fn exchange(shared: &Arc<Shared>, req: Request<Incoming>) -> HttpAnswer {
    control_exchange(
        shared,
        req,
        |_, _| None,
        string_params,
        |path, body| control(shared, path, body),
    )
    .await
}

fn control(shared: &Arc<Shared>, path: &str, body: &Value) -> (HttpAnswer, RecordedAnswer) {
    match path {
        BALANCE_PATH => {
            if body.get("available_amount").is_some() {
                let cents = text(body, "available_amount")
                    .and_then(|a| a.parse::<Price>().ok())
                    .and_then(|p| p.to_cents())
                    .filter(|c| *c >= 0);
                let Some(cents) = cents else {
                    return error_answer(
                        400,
                        &invalid("available_amount is not an amount such as 500.00"),
                    );
                };
                shared.money.with_transfers(|book| book.set_balance(cents));
            }
            let balance = shared.money.with_transfers(|book| book.balance());
            json_answer(200, &json!({ "available_amount": balance.as_str() }), None)
        }
        TRANSFERS_PATH => json_answer(200, &transfers_json(shared), None),
        SMS_CODE_PATH => {
            let found = text(body, "apply_token")
                .ok_or_else(|| invalid("apply_token is missing"))
                .and_then(|token| {
                    shared
                        .money
                        .with_agreements(|book| book.code(&token))
                        .ok_or_else(|| {
                            TradeError::new(
                                "AUTH_TOKEN_IS_NOT_EXIST",
                                "鉴权token不存在: no auth.apply answered this apply_token",
                            )
                        })
                });
            match found {
                Ok(sms) => json_answer(200, &sms_json(&sms), None),
                Err(e) if e.sub_code == "INVALID_PARAMETER" => error_answer(400, &e),
                Err(e) => error_answer(404, &e),
            }
        }
        AGREEMENTS_PATH => json_answer(200, &agreements_json(shared), None),
        DEDUCTIONS_PATH => json_answer(200, &super::pdeduct::deductions_json(shared), None),
        _ => match agreement_key(body).and_then(|key| sign_agreement(shared, &key)) {
            Ok(a) => json_answer(200, &agreement_json(&a), None),
            Err(e) => {
                let status = match e.sub_code.as_str() {
                    "USER_AGREEMENT_NOT_EXIST" => 404,
                    "USER_AGREEMENT_STATUS_NOT_NORMAL" => 409,
                    _ => 400,
                };
                error_answer(status, &e)
            }
        },
    }
}
