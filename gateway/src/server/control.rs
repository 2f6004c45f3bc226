//! The clock and fault control calls over the wire ([`crate::control`]), answered and recorded
//! as the face-to-face control calls are.

use std::sync::Arc;
use std::time::Duration;

use hyper::Method as HttpMethod;
use hyper::Request;
use hyper::body::Incoming;
use serde_json::{Value, json};

use super::answer::HttpAnswer;
use super::face_to_face::{control_exchange, error_answer, json_answer, plain};
use crate::clock::{MAX_OFFSET, unix_ms};
use crate::control::{CLOCK_PATH, RESET_PATH};
use crate::faults::{FAULTS_PATH, FaultError, FaultRule};
use crate::log::RecordedAnswer;
use crate::state::Shared;
use crate::trades::TradeError;

/// Whether `path` is one of this module's.
pub(crate) fn is_control_path(path: &str) -> bool {
    matches!(path, CLOCK_PATH | FAULTS_PATH | RESET_PATH)
}

/// The fault rules in force, as the control calls answer them.
fn faults_json(shared: &Shared) -> Value {
    let rules: Vec<Value> = shared.faults().iter().map(FaultRule::json).collect();
    json!({ "faults": rules })
}

/// The clock as the control call answers it.
pub(crate) fn clock_json(shared: &Shared) -> Value {
    let now = shared.clock.now();
    json!({
        "now": alipay_runtime::time::beijing_timestamp(now),
        "unix_ms": unix_ms(now),
        "offset_ms": u64::try_from(shared.clock.offset().as_millis()).unwrap_or(u64::MAX),
    })
}

/// One control exchange: answered and recorded.
pub(crate) async fn exchange(shared: &Arc<Shared>, req: Request<Incoming>) -> HttpAnswer {
    control_exchange(
        shared,
        req,
        |http_method, path| {
            let faults = path == FAULTS_PATH;
            if faults && http_method == HttpMethod::GET {
                Some(json_answer(200, &faults_json(shared), None))
            } else if faults && http_method == HttpMethod::DELETE {
                shared.clear_faults();
                Some(json_answer(200, &faults_json(shared), None))
            } else if faults && http_method != HttpMethod::POST {
                Some(plain(405, "method not allowed: use POST, GET or DELETE\n"))
            } else {
                None
            }
        },
        shown_params,
        |path, body| control(shared, path, body),
    )
    .await
}

/// The members of a control call's body, as the log shows them (values as JSON text, strings
/// bare).
fn shown_params(body: &Value) -> Vec<(String, String)> {
    body.as_object()
        .map(|members| {
            members
                .iter()
                .map(|(k, v)| {
                    let v = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                    (k.clone(), v)
                })
                .collect()
        })
        .unwrap_or_default()
}

fn control(shared: &Shared, path: &str, body: &Value) -> (HttpAnswer, RecordedAnswer) {
    match path {
        CLOCK_PATH => advance(shared, body),
        RESET_PATH => {
            shared.reset();
            json_answer(200, &held_json(shared), None)
        }
        _ => inject(shared, body),
    }
}

/// How much the gateway holds, as `POST /control/reset` answers it.
fn held_json(shared: &Shared) -> Value {
    let (transfers, balance) = shared
        .money
        .with_transfers(|book| (book.all().len(), book.balance()));
    let (agreements, sms_codes) = shared
        .money
        .with_agreements(|book| (book.all().len(), book.codes().len()));
    json!({
        "trades": shared.trades().len(),
        "notifications": shared.notifications().len(),
        "transfers": transfers,
        "agreements": agreements,
        "sms_codes": sms_codes,
        "faults": shared.faults().len(),
        "available_amount": balance.as_str(),
        "clock": clock_json(shared),
    })
}

/// `POST /control/faults`: a fault rule as JSON.
fn inject(shared: &Shared, body: &Value) -> (HttpAnswer, RecordedAnswer) {
    let refused = |why: &str| TradeError::new("ACQ.INVALID_PARAMETER", format!("参数无效: {why}"));
    let rule = match FaultRule::from_json(body) {
        Ok(rule) => rule,
        Err(why) => return error_answer(400, &refused(&why)),
    };
    let added = super::check_fault(shared, &rule)
        .and_then(|()| shared.add_fault(rule).map_err(FaultError::Invalid));
    match added {
        Ok(()) => json_answer(200, &faults_json(shared), None),
        Err(e @ FaultError::UnknownMethod(_)) => {
            error_answer(400, &TradeError::new("isv.invalid-method", e.to_string()))
        }
        Err(e) => error_answer(400, &refused(&e.to_string())),
    }
}

/// `POST /control/clock`: `{"advance_seconds": N}`.
fn advance(shared: &Shared, body: &Value) -> (HttpAnswer, RecordedAnswer) {
    let by = match body.get("advance_seconds").and_then(Value::as_f64) {
        Some(seconds) if seconds >= 0.0 && seconds.is_finite() => {
            Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX)
        }
        _ => {
            let e = TradeError::invalid(
                "advance_seconds",
                "is missing or not a number of seconds, 0 or more",
            );
            return error_answer(400, &e);
        }
    };
    if shared.clock.offset().saturating_add(by) > MAX_OFFSET {
        let e = TradeError::invalid(
            "advance_seconds",
            "would take the gateway's clock more than 100 years ahead",
        );
        return error_answer(400, &e);
    }
    shared.clock.advance(by);
    json_answer(200, &clock_json(shared), None)
}
