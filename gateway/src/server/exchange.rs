//! One exchange: read the request (query, form body, charset), decode and check it, pick the
//! answer, record both.

use std::time::Duration;

use alipay_runtime::charset::Charset;
use alipay_runtime::protocol::param;
use alipay_runtime::{GatewayCode, PublicSubCode, form};
use http_body_util::{BodyExt as _, LengthLimitError, Limited};
use hyper::Method as HttpMethod;
use hyper::Request;
use hyper::body::Incoming;
use hyper::header::CONTENT_TYPE;

use super::GATEWAY_PATH;
use super::answer::{self, HttpAnswer, Logged, refusal_answer, scenario_answer};
use crate::crypto;
use crate::log::RecordedRequest;
use crate::protocol::{self, Decoded, NodeName, Refusal};
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

pub(super) async fn exchange(shared: &Shared, req: Request<Incoming>) -> HttpAnswer {
    if req.uri().path() != GATEWAY_PATH {
        return answer::plain(404, "not found: the local gateway answers on /gateway.do\n");
    }
    let http_method = req.method().clone();
    if http_method != HttpMethod::POST && http_method != HttpMethod::GET {
        return answer::plain(405, "method not allowed: use POST (or GET)\n");
    }
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let mut pairs = owned(form::decode(req.uri().query().unwrap_or("").as_bytes()));
    let limits = shared.limits;
    let read = Limited::new(req.into_body(), limits.max_body_bytes).collect();
    let body = match tokio::time::timeout(limits.body_read_timeout, read).await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(e)) if e.is::<LengthLimitError>() => {
            return answer::plain(
                413,
                &format!(
                    "request body too large: this gateway reads at most {} bytes\n",
                    limits.max_body_bytes
                ),
            );
        }
        Ok(Err(_)) => return answer::plain(400, "request body unreadable\n"),
        Err(_) => {
            return answer::plain(408, "request timeout: the body did not arrive in time\n");
        }
    };
    if !body.is_empty() {
        let media = content_type.split(';').next().unwrap_or("").trim();
        if !media.is_empty() && !media.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            return answer::plain(
                415,
                "unsupported media type: the local gateway reads application/x-www-form-urlencoded bodies\n",
            );
        }
        pairs.extend(owned(form::decode(&body)));
    }

    // The charset: the Content-Type's, else the `charset` parameter (ASCII in every
    // supported charset), else UTF-8.
    let param_charset = pairs
        .iter()
        .find(|(k, _)| k == param::CHARSET.as_bytes())
        .map(|(_, v)| String::from_utf8_lossy(v).into_owned());
    let named = content_type_charset(&content_type)
        .map(str::to_owned)
        .or(param_charset);
    let (charset, unsupported) = match named.as_deref().filter(|n| !n.is_empty()) {
        None => (Charset::Utf8, None),
        Some(name) => match crypto::parse_charset(name) {
            Some(charset) => (charset, None),
            None => (Charset::Utf8, Some(name.to_owned())),
        },
    };

    let decoded = match protocol::decode(&pairs, charset) {
        Ok(params) => Decoded { params, charset },
        Err(refusal) => {
            let lossy = pairs
                .iter()
                .map(|(k, v)| {
                    (
                        String::from_utf8_lossy(k).into_owned(),
                        String::from_utf8_lossy(v).into_owned(),
                    )
                })
                .collect();
            let decoded = Decoded {
                params: lossy,
                charset,
            };
            return refuse_and_record(shared, &http_method, &decoded, refusal);
        }
    };
    if let Some(name) = unsupported {
        let refusal = protocol::refuse(
            NodeName::Error,
            GatewayCode::InvalidArguments,
            PublicSubCode::InvalidCharset,
            format!("字符集错误: charset {name:?} (supported: utf-8, GBK, GB2312)"),
        );
        return refuse_and_record(shared, &http_method, &decoded, refusal);
    }

    let checked = protocol::check(shared, &decoded);
    let accepted = match checked.verdict {
        Ok(accepted) => accepted,
        Err(refusal) => {
            let mut answer = refusal_answer(shared, &decoded, &refusal);
            record(
                shared,
                &http_method,
                &decoded,
                checked.signature_verified,
                checked.decrypted_biz_content,
                &mut answer,
            );
            return answer.http;
        }
    };

    let descriptor = accepted.descriptor;
    if descriptor.method == crate::cert_mode::CERT_DOWNLOAD_METHOD {
        let mut answer = answer::download_answer(shared, &decoded, &accepted);
        record(shared, &http_method, &decoded, true, None, &mut answer);
        return answer.http;
    }
    let mut scenario = shared.scenario_for(descriptor.method);
    let mut delay_ms: u64 = 0;
    while let Scenario::Delay { ms, then } = scenario {
        delay_ms = delay_ms.saturating_add(ms);
        scenario = *then;
    }
    let mut answer = scenario_answer(shared, &accepted, charset, &scenario);
    record(
        shared,
        &http_method,
        &decoded,
        true,
        checked.decrypted_biz_content,
        &mut answer,
    );
    if delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
    }
    answer.http
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
    http_method: &HttpMethod,
    decoded: &Decoded,
    refusal: Refusal,
) -> HttpAnswer {
    let mut answer = refusal_answer(shared, decoded, &refusal);
    record(shared, http_method, decoded, false, None, &mut answer);
    answer.http
}

fn record(
    shared: &Shared,
    http_method: &HttpMethod,
    decoded: &Decoded,
    signature_verified: bool,
    decrypted_biz_content: Option<String>,
    answer: &mut Logged,
) {
    shared.record(RecordedRequest {
        http_method: http_method.as_str().to_owned(),
        method: decoded.get(param::METHOD).map(str::to_owned),
        params: decoded.params.clone(),
        charset: decoded.charset.as_str().to_owned(),
        signature_verified,
        decrypted_biz_content,
        answer: answer.summary.clone(),
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
