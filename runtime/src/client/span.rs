//! The `alipay.call` tracing span: opened per call, its outcome recorded at the end.

use std::fmt;
use std::time::Instant;

use tracing::Instrument as _;
use tracing::field::Empty;

use super::Client;
use crate::error::Error;
use crate::gateway_code::SUCCESS_CODE;
use crate::method::{BizErrorCode, Protocol};
use crate::protocol::field;

impl Client {
    pub(super) fn call_span(&self, method: &str, protocol: Protocol) -> tracing::Span {
        tracing::info_span!(
            "alipay.call",
            method = method,
            protocol = protocol.as_str(),
            app_id = %self.inner.config.app_id,
            route = Empty,
            trace_id = Empty,
            latency_ms = Empty,
            code = Empty,
            sub_code = Empty,
        )
    }
}

/// What the `alipay.call` span records of a failed call.
struct CallOutcome<'a> {
    code: Option<&'a str>,
    sub_code: Option<&'a str>,
    error: &'a dyn fmt::Display,
}

impl<'a> CallOutcome<'a> {
    fn of<E: BizErrorCode>(e: &'a Error<E>) -> Self {
        Self {
            code: e.code(),
            sub_code: e.sub_code(),
            error: e,
        }
    }
}

/// Runs `call` inside `span`, then records its latency and outcome there.
pub(super) async fn traced<T, E: BizErrorCode>(
    span: &tracing::Span,
    call: impl Future<Output = Result<T, Error<E>>>,
) -> Result<T, Error<E>> {
    let started = Instant::now();
    let result = call.instrument(span.clone()).await;
    finish_span(span, started, result.as_ref().err().map(CallOutcome::of));
    result
}

/// Records the latency and the outcome (`None`: success) of a call on its span.
fn finish_span(span: &tracing::Span, started: Instant, failure: Option<CallOutcome<'_>>) {
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    span.record("latency_ms", latency_ms);
    match failure {
        None => {
            span.record(field::CODE, SUCCESS_CODE);
        }
        Some(f) => {
            if let Some(code) = f.code {
                span.record(field::CODE, code);
            }
            if let Some(sub_code) = f.sub_code {
                span.record(field::SUB_CODE, sub_code);
            }
            let error = f.error;
            span.in_scope(|| tracing::debug!(error = %error, "alipay call failed"));
        }
    }
}
