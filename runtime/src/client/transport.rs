//! Sending: the HTTP POST (a form body, or the multipart body of an upload), connect retries,
//! the size-capped body read, and the classification of transport failures.

use std::time::Duration;

use super::Client;
use crate::error::{DynBizCode, Error, RequestSent, TransportError, TransportKind};
use crate::request::{MultipartBody, PreparedRequest};
use crate::validate::{Rule, ValidationError};

/// Answers larger than this are refused (no gateway answer comes close).
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

impl Client {
    /// POSTs a prepared request and reads the whole answer.
    pub(super) async fn send(
        &self,
        prepared: PreparedRequest,
    ) -> Result<(u16, Vec<u8>), Error<DynBizCode>> {
        let PreparedRequest {
            url,
            body,
            content_type,
            multipart,
        } = prepared;
        // Shared, not copied, by each attempt.
        let body = bytes::Bytes::from(body);
        // A file from a reader is read once: an upload holding one is not retried.
        let resendable = multipart.as_ref().is_none_or(can_resend);
        let response = self
            .send_retrying(resendable, || async {
                let request = self
                    .inner
                    .http
                    .post(url.as_str())
                    .timeout(self.inner.timeout);
                Ok(match &multipart {
                    // Files are opened (readers taken) before the connection is made: a file
                    // that cannot be read fails the call with nothing sent.
                    Some(m) => {
                        request.multipart(multipart_form(m).await.map_err(Error::InvalidRequest)?)
                    }
                    None => request
                        .header(reqwest::header::CONTENT_TYPE, content_type.as_str())
                        .body(body.clone()),
                })
            })
            .await?;
        read_body(response).await
    }

    /// Sends the request `build` makes, again (a new one from `build`) after a failure to
    /// connect when the client retries those and `resendable` says the body can be built again.
    pub(super) async fn send_retrying<F, Fut>(
        &self,
        resendable: bool,
        mut build: F,
    ) -> Result<reqwest::Response, Error<DynBizCode>>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<reqwest::RequestBuilder, Error<DynBizCode>>>,
    {
        let mut attempts_left = if resendable {
            self.inner.retry_connect_failures
        } else {
            0
        };
        loop {
            match build().await?.send().await {
                Ok(response) => return Ok(response),
                Err(e) => {
                    let (kind, sent) = classify(&e, false);
                    if kind == TransportKind::Connect
                        && sent == RequestSent::NotSent
                        && attempts_left > 0
                    {
                        attempts_left -= 1;
                        let retry = self.inner.retry_connect_failures - attempts_left;
                        tracing::debug!("connect failed, retry {retry} ({attempts_left} left)");
                        tokio::time::sleep(connect_backoff(retry)).await;
                        continue;
                    }
                    return Err(transport_error(e, kind, sent));
                }
            }
        }
    }
}

/// The `reqwest` form of an upload: text parts, then file parts. Files are opened (readers
/// taken) here, so a file that cannot be read fails before anything is sent.
async fn multipart_form(m: &MultipartBody) -> Result<reqwest::multipart::Form, ValidationError> {
    let text_type = format!("text/plain; charset={}", m.charset.as_str());
    let mut form = reqwest::multipart::Form::new();
    for (name, value) in &m.text {
        let part = reqwest::multipart::Part::bytes(value.clone())
            .mime_str(&text_type)
            .map_err(|_| {
                ValidationError::new(name.clone(), Rule::Unsupported("has no media type"))
            })?;
        form = form.part(name.clone(), part);
    }
    for (name, file) in &m.files {
        form = form.part(name.clone(), file.to_part(name).await?);
    }
    Ok(form)
}

/// Whether an upload's body can be built again for a retry (no file comes from a reader).
fn can_resend(m: &MultipartBody) -> bool {
    m.files.iter().all(|(_, f)| f.can_resend())
}

/// The pause before connect retry `n` (1-based): 100 ms, 200 ms, 400 ms, ... at most 2 s.
fn connect_backoff(n: u32) -> Duration {
    Duration::from_millis(100u64.saturating_mul(1 << n.saturating_sub(1).min(5)))
        .min(Duration::from_secs(2))
}

pub(super) async fn read_body(
    mut response: reqwest::Response,
) -> Result<(u16, Vec<u8>), Error<DynBizCode>> {
    let status = response.status().as_u16();
    let mut body = Vec::with_capacity(
        response
            .content_length()
            .map_or(4096, |n| usize::try_from(n).unwrap_or(MAX_RESPONSE_BYTES))
            .min(MAX_RESPONSE_BYTES),
    );
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                    return Err(Error::MalformedBody {
                        reason: format!("the answer is larger than {MAX_RESPONSE_BYTES} bytes"),
                    });
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok((status, body)),
            Err(e) => {
                let (kind, sent) = classify(&e, true);
                return Err(transport_error(e, kind, sent));
            }
        }
    }
}

fn transport_error(e: reqwest::Error, kind: TransportKind, sent: RequestSent) -> Error<DynBizCode> {
    // The URL carries the signature and app_auth_token: never let it into messages.
    Error::Transport(TransportError::new(kind, sent, e.without_url()))
}

/// What failed, and whether the request reached the gateway. Only failures to open a
/// connection (TCP, TLS, connect timeout) prove that it did not; a failure while the body of
/// an answer is read proves that it did.
fn classify(e: &reqwest::Error, reading_body: bool) -> (TransportKind, RequestSent) {
    if reading_body {
        let kind = if e.is_timeout() {
            TransportKind::Timeout
        } else {
            TransportKind::ResponseBody
        };
        return (kind, RequestSent::Sent);
    }
    if e.is_builder() {
        return (TransportKind::Other, RequestSent::NotSent);
    }
    if is_tls(e) {
        return (TransportKind::Tls, RequestSent::NotSent);
    }
    if e.is_timeout() {
        let sent = if e.is_connect() {
            RequestSent::NotSent
        } else {
            RequestSent::MaybeSent
        };
        return (TransportKind::Timeout, sent);
    }
    if e.is_connect() {
        return (TransportKind::Connect, RequestSent::NotSent);
    }
    (TransportKind::Other, RequestSent::MaybeSent)
}

fn is_tls(e: &reqwest::Error) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if err.is::<rustls::Error>() {
            return true;
        }
        // io::Error::source() skips the error it wraps (and TLS errors arrive as io::Errors
        // nested in io::Errors), so step into the wrapped error explicitly.
        cur = match err.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    false
}
