// Over 500 lines because: 480 lines of the exchange's steps, then their unit tests.
//! One exchange, one function per step: route (path and HTTP method), read the body, parse
//! (query, form or multipart body, charset), verify (`protocol::check`), dispatch (the
//! answer a scenario or the trade state gives), answer, and record both.

use std::sync::Arc;
use std::time::Duration;

use alipay_runtime::charset::Charset;
use alipay_runtime::protocol::param;
use alipay_runtime::{GatewayCode, PublicSubCode, form};
use http_body_util::{BodyExt as _, LengthLimitError, Limited};
use hyper::Method as HttpMethod;
use hyper::Request;
use hyper::body::{Bytes, Incoming};
use hyper::header::HOST;

use super::GATEWAY_PATH;
use super::answer::{self, HttpAnswer, Logged, refusal_answer, scenario_answer};
use super::{Delivery, Exchanged, cashier, stateful};
use crate::crypto;
use crate::faults::Fault;
use crate::log::RecordedRequest;
use crate::protocol::{self, Accepted, Decoded, NodeName, Refusal};
use crate::scenario::Scenario;
use crate::state::Shared;

/// The `charset` parameter of a `Content-Type` header value.
fn content_type_charset(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|part| {
        let (name, value) = part.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"'))
    })
}

/// Reads the body, bounded by the gateway's limits; the answer to give when it cannot be read.
pub(super) async fn read_body(shared: &Shared, body: Incoming) -> Result<Bytes, HttpAnswer> {
    let limits = shared.limits;
    let read = Limited::new(body, limits.max_body_bytes).collect();
    match tokio::time::timeout(limits.body_read_timeout, read).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.is::<LengthLimitError>() => Err(answer::plain(
            413,
            &format!(
                "request body too large: this gateway reads at most {} bytes\n",
                limits.max_body_bytes
            ),
        )),
        Ok(Err(_)) => Err(answer::plain(400, "request body unreadable\n")),
        Err(_) => Err(answer::plain(
            408,
            "request timeout: the body did not arrive in time\n",
        )),
    }
}

/// Where a request arrived: its HTTP method and path, as recorded.
struct Arrival {
    http_method: HttpMethod,
    path: String,
    /// The `Host` header (face-to-face `qr_code` URLs are made on it).
    host: Option<String>,
}

/// One exchange, step by step: route, read, parse, verify, dispatch, answer (and record).
pub(super) async fn exchange(shared: &Arc<Shared>, req: Request<Incoming>) -> Exchanged {
    let arrival = Arrival {
        http_method: req.method().clone(),
        path: req.uri().path().to_owned(),
        host: req
            .headers()
            .get(HOST)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    };
    let query = owned(form::decode(req.uri().query().unwrap_or("").as_bytes()));
    // Every refusal is logged with its status: "nothing reached the gateway" must mean it.
    let cashier_path = match route(shared, &arrival) {
        Ok(cashier_path) => cashier_path,
        Err(answer) => return record_refused(shared, &arrival, &query, answer).into(),
    };
    let content_type = super::face_to_face::content_type(&req);
    let body = match read_body(shared, req.into_body()).await {
        Ok(body) => body,
        Err(answer) => return record_refused(shared, &arrival, &query, answer).into(),
    };
    if cashier_path {
        return cashier_exchange(shared, &arrival, &body).into();
    }
    let decoded = match parse(query.clone(), &content_type, body).await {
        Parsed::Decoded(decoded) => decoded,
        Parsed::Refused(decoded, refusal) => {
            return refuse_and_record(shared, &arrival, &decoded, refusal).into();
        }
        Parsed::Unreadable(answer) => {
            return record_refused(shared, &arrival, &query, answer).into();
        }
    };

    let checked = protocol::check(shared, &decoded);
    let accepted = match checked.verdict {
        Ok(accepted) => accepted,
        Err(refusal) => {
            let mut answer = refusal_for(shared, &decoded, &refusal);
            let verified = checked.signature_verified;
            let decrypted = checked.decrypted_biz_content;
            record(shared, &arrival, &decoded, verified, decrypted, &mut answer);
            return answer.http.into();
        }
    };
    if accepted.descriptor.method == crate::cert_mode::CERT_DOWNLOAD_METHOD {
        let mut answer = answer::download_answer(shared, &decoded, &accepted);
        record(shared, &arrival, &decoded, true, None, &mut answer);
        return answer.http.into();
    }

    answer_accepted(
        shared,
        &arrival,
        &decoded,
        &accepted,
        checked.decrypted_biz_content,
    )
    .await
}

/// The answer to an accepted request (the method's, or an injected fault's), recorded, then
/// given after its delay.
async fn answer_accepted(
    shared: &Arc<Shared>,
    arrival: &Arrival,
    decoded: &Decoded,
    accepted: &Accepted,
    decrypted: Option<String>,
) -> Exchanged {
    // An injected fault: a status or a system error instead of the answer (the request is
    // not processed), or the answer late, cut or lost (it is).
    let fault = shared.take_fault(accepted.descriptor.method, false);
    let (mut answer, mut delay_ms) = match &fault {
        Some(Fault::HttpStatus(status)) => (answer::http_status_logged(*status), 0),
        _ => dispatch(
            shared,
            decoded,
            accepted,
            decrypted.as_deref(),
            arrival.host.as_deref(),
            fault.as_ref().and_then(Fault::as_scenario),
        ),
    };
    if let Some(Fault::Slow(wait)) = &fault {
        delay_ms = delay_ms.saturating_add(u64::try_from(wait.as_millis()).unwrap_or(u64::MAX));
    }
    let recorded = Recorded {
        signature_verified: true,
        decrypted_biz_content: decrypted,
        fault: fault.as_ref().map(Fault::label),
    };
    record_as(shared, arrival, decoded, recorded, &mut answer);
    if delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
    }
    Exchanged {
        http: answer.http,
        delivery: Delivery::of(fault.as_ref()),
    }
}

/// Whether the path is one of the cashier's (`Ok(true)`) or the gateway's (`Ok(false)`); the
/// plain answer to any other path or HTTP method. A scenario's certificate rotation takes
/// effect here, before the request is answered.
fn route(shared: &Shared, arrival: &Arrival) -> Result<bool, HttpAnswer> {
    let cashier_path = matches!(
        arrival.path.as_str(),
        cashier::PAY_PATH | cashier::CANCEL_PATH | cashier::PAY_ORDER_STRING_PATH
    );
    if arrival.path != GATEWAY_PATH && !cashier_path {
        return Err(answer::plain(
            404,
            "not found: the local gateway answers on /gateway.do\n",
        ));
    }
    if cashier_path && arrival.http_method != HttpMethod::POST {
        return Err(answer::plain(405, "method not allowed: use POST\n"));
    }
    shared.rotate_if_due();
    if arrival.http_method != HttpMethod::POST && arrival.http_method != HttpMethod::GET {
        return Err(answer::plain(
            405,
            "method not allowed: use POST (or GET)\n",
        ));
    }
    Ok(cashier_path)
}

/// A buyer's action on a cashier page (pay, cancel) or a control action, answered and
/// recorded with the verdict the gateway reached (the order string's signature, the cashier's
/// token) and the method of the order string paid, never a `method` field of the body.
fn cashier_exchange(shared: &Arc<Shared>, arrival: &Arrival, body: &[u8]) -> HttpAnswer {
    let outcome = cashier::action(shared, &arrival.path, body);
    let params = owned(form::decode(body))
        .into_iter()
        .map(|(k, v)| {
            (
                String::from_utf8_lossy(&k).into_owned(),
                String::from_utf8_lossy(&v).into_owned(),
            )
        })
        .collect();
    shared.record(RecordedRequest {
        http_method: arrival.http_method.as_str().to_owned(),
        path: arrival.path.clone(),
        method: outcome.method,
        params,
        charset: Charset::Utf8.as_str().to_owned(),
        signature_verified: outcome.signature_verified,
        verdict: outcome.verdict,
        decrypted_biz_content: None,
        files: Vec::new(),
        answer: outcome.logged.summary.clone(),
        fault: None,
    });
    outcome.logged.http
}

/// A gateway request's parameters, read and decoded.
enum Parsed {
    Decoded(Decoded),
    /// Not decodable (charset), with what could be read.
    Refused(Decoded, Refusal),
    /// The body cannot be read at all: the plain HTTP answer.
    Unreadable(HttpAnswer),
}

/// The query's pairs, then the body's (a form, or a multipart body's text parts and files),
/// decoded in the request's charset.
async fn parse(mut pairs: Vec<(Vec<u8>, Vec<u8>)>, content_type: &str, body: Bytes) -> Parsed {
    let mut files = Vec::new();
    if !body.is_empty() {
        let media = content_type.split(';').next().unwrap_or("").trim();
        if media.eq_ignore_ascii_case("multipart/form-data") {
            match super::multipart::read(content_type, body).await {
                Ok(read) => {
                    pairs.extend(read.text);
                    files = read.files;
                }
                Err(reason) => {
                    return Parsed::Unreadable(answer::plain(
                        400,
                        &format!("malformed multipart body: {reason}\n"),
                    ));
                }
            }
        } else if !media.is_empty()
            && !media.eq_ignore_ascii_case("application/x-www-form-urlencoded")
        {
            return Parsed::Unreadable(answer::plain(
                415,
                "unsupported media type: the local gateway reads application/x-www-form-urlencoded and multipart/form-data bodies\n",
            ));
        } else {
            pairs.extend(owned(form::decode(&body)));
        }
    }
    match decode_request(&pairs, content_type) {
        Ok(mut decoded) => {
            decoded.files = files;
            Parsed::Decoded(decoded)
        }
        Err(refused) => {
            let (mut decoded, refusal) = *refused;
            decoded.files = files;
            Parsed::Refused(decoded, refusal)
        }
    }
}

/// The answer to an accepted request (the cashier page of a page method, the trade state's
/// answer, or the method's scenario, or the `forced` one of an injected fault), and how long
/// to wait before giving it.
fn dispatch(
    shared: &Arc<Shared>,
    decoded: &Decoded,
    accepted: &Accepted,
    decrypted_biz_content: Option<&str>,
    host: Option<&str>,
    forced: Option<Scenario>,
) -> (Logged, u64) {
    let method = accepted.descriptor.method;
    let mut scenario = forced.unwrap_or_else(|| shared.scenario_for(method));
    let mut delay_ms: u64 = 0;
    while let Scenario::Delay { ms, then } = scenario {
        delay_ms = delay_ms.saturating_add(ms);
        scenario = *then;
    }
    let biz = decrypted_biz_content.or_else(|| decoded.get(param::BIZ_CONTENT));
    let answer = if cashier::is_cashier_method(method) {
        cashier::show(shared, decoded, accepted, biz, &scenario)
    } else if let Some(page) = super::money::page(shared, decoded, accepted, biz, &scenario) {
        page
    } else {
        let state = match scenario {
            Scenario::Success => {
                let caller = stateful::Caller {
                    app_id: decoded.get(param::APP_ID).unwrap_or_default(),
                    notify_url: decoded.get(param::NOTIFY_URL),
                    charset: decoded.charset,
                    sign_type: accepted.sign_type,
                    host,
                    params: &decoded.params,
                };
                stateful::answer(shared, method, biz, &caller)
            }
            _ => None,
        };
        match state {
            Some(node) => answer::node_answer(shared, accepted, decoded.charset, &node),
            None => scenario_answer(shared, accepted, decoded.charset, &scenario),
        }
    };
    (answer, delay_ms)
}

/// Decodes the raw pairs of a request (or of an app order string) in their charset: the
/// `Content-Type`'s, else the `charset` parameter's (ASCII in every supported charset), else
/// UTF-8. A refusal comes with what could be read.
pub(super) fn decode_request(
    pairs: &[(Vec<u8>, Vec<u8>)],
    content_type: &str,
) -> Result<Decoded, Box<(Decoded, Refusal)>> {
    let param_charset = pairs
        .iter()
        .find(|(k, _)| k == param::CHARSET.as_bytes())
        .map(|(_, v)| String::from_utf8_lossy(v).into_owned());
    let named = content_type_charset(content_type)
        .map(str::to_owned)
        .or(param_charset);
    let (charset, unsupported) = match named.as_deref().filter(|n| !n.is_empty()) {
        None => (Charset::Utf8, None),
        Some(name) => match crypto::parse_charset(name) {
            Some(charset) => (charset, None),
            None => (Charset::Utf8, Some(name.to_owned())),
        },
    };

    let decoded = match protocol::decode(pairs, charset) {
        Ok(params) => Decoded {
            params,
            charset,
            files: Vec::new(),
        },
        Err(refusal) => {
            let decoded = Decoded {
                params: lossy(pairs),
                charset,
                files: Vec::new(),
            };
            return Err(Box::new((decoded, refusal)));
        }
    };
    if let Some(name) = unsupported {
        let refusal = protocol::refuse(
            NodeName::Error,
            GatewayCode::InvalidArguments,
            PublicSubCode::InvalidCharset,
            format!("字符集错误: charset `{name}` (supported: utf-8, GBK, GB2312)"),
        );
        return Err(Box::new((decoded, refusal)));
    }
    Ok(decoded)
}

/// The refusal of a request: the error page for a page method, the signed JSON otherwise.
fn refusal_for(shared: &Shared, decoded: &Decoded, refusal: &Refusal) -> Logged {
    match decoded.get(param::METHOD) {
        Some(method) if cashier::is_cashier_method(method) => cashier::refusal_page(refusal),
        _ => refusal_answer(shared, decoded, refusal),
    }
}

/// Raw pairs as text, bytes that are not UTF-8 replaced (what a refusal's log shows).
fn lossy(pairs: &[(Vec<u8>, Vec<u8>)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| {
            (
                String::from_utf8_lossy(k).into_owned(),
                String::from_utf8_lossy(v).into_owned(),
            )
        })
        .collect()
}

/// Form pairs that outlive the request they were read from.
fn owned(pairs: Vec<form::RawPair<'_>>) -> Vec<(Vec<u8>, Vec<u8>)> {
    pairs
        .into_iter()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn refuse_and_record(
    shared: &Shared,
    arrival: &Arrival,
    decoded: &Decoded,
    refusal: Refusal,
) -> HttpAnswer {
    let mut answer = refusal_for(shared, decoded, &refusal);
    record(shared, arrival, decoded, false, None, &mut answer);
    answer.http
}

/// Records a request refused outside the protocol (wrong path or HTTP method, a body too
/// large, too slow, of another media type or malformed) with its HTTP status: its query's
/// parameters (lossily decoded), no method (nothing of it was checked), the plain answer.
fn record_refused(
    shared: &Shared,
    arrival: &Arrival,
    query: &[(Vec<u8>, Vec<u8>)],
    answer: HttpAnswer,
) -> HttpAnswer {
    shared.record(RecordedRequest {
        http_method: arrival.http_method.as_str().to_owned(),
        path: arrival.path.clone(),
        method: None,
        params: lossy(query),
        charset: Charset::Utf8.as_str().to_owned(),
        signature_verified: false,
        verdict: "refused before any check".to_owned(),
        decrypted_biz_content: None,
        files: Vec::new(),
        answer: answer::summary_of(&answer),
        fault: None,
    });
    answer
}

/// Records the exchange in the gateway's log.
fn record(
    shared: &Shared,
    arrival: &Arrival,
    decoded: &Decoded,
    signature_verified: bool,
    decrypted_biz_content: Option<String>,
    answer: &mut Logged,
) {
    let recorded = Recorded {
        signature_verified,
        decrypted_biz_content,
        fault: None,
    };
    record_as(shared, arrival, decoded, recorded, answer);
}

/// What the log says about an exchange beyond the request and its answer.
struct Recorded {
    signature_verified: bool,
    decrypted_biz_content: Option<String>,
    /// The injected fault's label.
    fault: Option<String>,
}

fn record_as(
    shared: &Shared,
    arrival: &Arrival,
    decoded: &Decoded,
    recorded: Recorded,
    answer: &mut Logged,
) {
    shared.record(RecordedRequest {
        http_method: arrival.http_method.as_str().to_owned(),
        path: arrival.path.clone(),
        method: decoded.get(param::METHOD).map(str::to_owned),
        params: decoded.params.clone(),
        charset: decoded.charset.as_str().to_owned(),
        signature_verified: recorded.signature_verified,
        verdict: crate::log::signature_verdict(recorded.signature_verified),
        decrypted_biz_content: recorded.decrypted_biz_content,
        files: decoded.files.clone(),
        answer: answer.summary.clone(),
        fault: recorded.fault,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charset_from_content_type() {
        assert_eq!(
            content_type_charset("application/x-www-form-urlencoded;charset=GBK"),
            Some("GBK")
        );
        assert_eq!(
            content_type_charset("application/x-www-form-urlencoded; Charset=\"utf-8\""),
            Some("utf-8")
        );
        assert_eq!(
            content_type_charset("application/x-www-form-urlencoded"),
            None
        );
    }
}
