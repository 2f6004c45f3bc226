//! The v3 call path: place the fields by the method's route, sign in `Authorization`, send,
//! verify the answer's headers, decode. One path for every method; only the route, the
//! validation and the final typing depend on the method.

use std::borrow::Cow;
use std::fmt;
use std::time::UNIX_EPOCH;

use super::Client;
use super::options::{NO_OPTIONS, RequestOptions};
use super::span::traced;
use super::transport::read_body;
use crate::error::{
    DynBizCode, Error, HttpStatusError, ProtocolError, SignatureError, body_snippet,
};
use crate::keys::PublicKey;
use crate::method::{Method, Protocol, RequestParts};
use crate::upload::FileUpload;
use crate::v3::{self, AnswerError, AnswerHeaders, HttpMethod, Route, RouteBody};

/// A v3 request signed and ready to send, without any transport attached
/// ([`Client::prepare_v3`]).
#[derive(Clone)]
pub struct PreparedV3 {
    /// The HTTP method.
    pub http_method: HttpMethod,
    /// The whole URL: the gateway's origin and the target.
    pub url: String,
    /// The request target as signed and sent: the path, then `?query` when there is one.
    pub target: String,
    /// The headers, in the order sent: `authorization`, `alipay-request-id`, `accept`, then
    /// those that apply (`content-type`, `alipay-encrypt-type`, `alipay-encryption-algm`,
    /// `alipay-root-cert-sn`, `alipay-app-auth-token`). A multipart body's `content-type`
    /// (with its boundary) is chosen when it is sent.
    pub headers: Vec<(&'static str, String)>,
    /// The body line that was signed: the JSON (or its AES ciphertext) sent as the body, or
    /// the `data` part of a multipart body. Empty when nothing is sent.
    pub body: String,
    /// The files of a multipart body (never signed); `None` when the body is not multipart.
    pub files: Option<Vec<(&'static str, FileUpload)>>,
    /// Whether the body is AES ciphertext (the answer then is too).
    pub encrypted: bool,
}

impl fmt::Debug for PreparedV3 {
    // The body holds the request's fields and the token header a secret: names only. The
    // target's query may hold a secret too (`auth_token`): its value is redacted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<&str> = self.headers.iter().map(|(name, _)| *name).collect();
        f.debug_struct("PreparedV3")
            .field("http_method", &self.http_method)
            .field("target", &crate::redact::query_text(&self.target))
            .field("headers", &headers)
            .field("body_len", &self.body.len())
            .field("files", &self.files.as_ref().map(Vec::len))
            .field("encrypted", &self.encrypted)
            .finish()
    }
}

/// An answer as received: status, the headers verification reads, the body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Client {
    /// The protocol of a call with `options`: the call's own, or the client's.
    pub(super) fn protocol_of(&self, options: &RequestOptions) -> Protocol {
        options.protocol.unwrap_or(self.inner.config.protocol)
    }

    /// [`Client::execute_with`] over the v3 protocol (the client calls it when the call's
    /// protocol is v3).
    pub(super) async fn execute_v3<M: Method>(
        &self,
        req: &M,
        options: &RequestOptions,
        span: &tracing::Span,
    ) -> Result<M::Response, Error<M::BizError>> {
        let route = route_of::<M>()?;
        let parts = req.validated_parts()?;
        let body = self
            .call_v3(M::METHOD, &route, &parts, options, span)
            .await
            .map_err(|e| e.map_business(|code| M::BizError::from(code.code.as_str())))?;
        decode_v3::<M>(&body)
    }

    /// Signs and sends `parts` as a v3 call of `method` by `route`, verifies the answer and
    /// returns its verified JSON object (decrypted when the exchange is encrypted). An answer
    /// holding a key twice in any object is [`Error::MalformedBody`], not read as one of its
    /// values.
    ///
    /// The untyped path for dynamic calls (the CLI), as [`Client::execute_raw`] is for v2:
    /// `parts` must come from a request's [`Method::to_parts`] after [`Method::validate`]
    /// passed. Emits the same `alipay.call` span.
    pub async fn execute_raw_v3(
        &self,
        method: &str,
        route: &Route,
        parts: &RequestParts,
        options: &RequestOptions,
    ) -> Result<serde_json::Map<String, serde_json::Value>, Error<DynBizCode>> {
        let span = self.call_span(method, Protocol::V3);
        traced(&span, async {
            let body = self.call_v3(method, route, parts, options, &span).await?;
            // A key given twice (at any depth) is refused, not read as its last value.
            match crate::de::json_without_duplicates(&body) {
                Ok(serde_json::Value::Object(map)) => Ok(map),
                Ok(_) => Err(Error::MalformedBody {
                    reason: "the verified v3 answer is not a JSON object".to_owned(),
                }),
                Err(e) => Err(Error::MalformedBody {
                    reason: format!("the verified v3 answer is not well-formed JSON: {e}"),
                }),
            }
        })
        .await
    }

    /// Validates `req`, places its fields by its route and signs it as a v3 request, without
    /// sending it. A method without a v3 route fails with [`Error::Protocol`].
    pub fn prepare_v3<M: Method>(&self, req: &M) -> Result<PreparedV3, Error<M::BizError>> {
        let route = route_of::<M>()?;
        let parts = req.validated_parts()?;
        self.prepare_v3_parts(&route, &parts, &NO_OPTIONS)
    }

    /// The shared v3 path: sign, send, verify; the verified body.
    async fn call_v3(
        &self,
        method: &str,
        route: &Route,
        parts: &RequestParts,
        options: &RequestOptions,
        span: &tracing::Span,
    ) -> Result<Vec<u8>, Error<DynBizCode>> {
        span.record("route", route.path);
        let prepared = self.prepare_v3_parts(route, parts, options)?;
        // The route's path, not the target: the target's path and query carry the request's
        // fields (and `auth_token`), which only the TRACE sign string shows, secrets redacted.
        tracing::debug!(method, http_method = %route.http_method, route = route.path, "v3 request");
        let answer = self.send_v3(prepared.clone()).await?;
        let headers =
            AnswerHeaders::from_pairs(answer.headers.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        if let Some(trace_id) = headers.trace_id {
            span.record("trace_id", trace_id);
        }
        self.verify_v3(&answer, &headers, prepared.encrypted).await
    }

    /// Places, encrypts and signs: what [`Client::prepare_v3`] returns.
    pub(super) fn prepare_v3_parts<E: crate::method::BizErrorCode>(
        &self,
        route: &Route,
        parts: &RequestParts,
        options: &RequestOptions,
    ) -> Result<PreparedV3, Error<E>> {
        let config = &self.inner.config;
        options.check_v3().map_err(super::call::prepare_error)?;
        let mut extra: Vec<(&'static str, &str)> = Vec::new();
        if let Some(token) = options.auth_token.as_deref() {
            extra.push((crate::protocol::param::AUTH_TOKEN, token));
        }
        // `notify_url` and `return_url` are v2 public parameters: over v3 they are body fields
        // of the methods that take them (the request's own `notify_url`), never added here, so
        // that a method without one is not sent a field it does not know.
        let placed = v3::place(route, parts, &extra)?;
        let target = placed.target();
        let multipart = route.body == RouteBody::Multipart || !placed.files.is_empty();
        // A multipart body's data part and a body-less route are never encrypted.
        let encrypt = config
            .encrypt_key
            .as_ref()
            .filter(|_| !multipart && route.body != RouteBody::None);
        let body = match (encrypt, &placed.body) {
            (Some(aes), json) => aes.encrypt(json.as_deref().unwrap_or("")),
            (None, Some(json)) => json.clone(),
            (None, None) if multipart => "{}".to_owned(),
            (None, None) => String::new(),
        };
        let token = options
            .app_auth_token
            .as_deref()
            .or(config.app_auth_token.as_deref());
        let nonce = v3::random_nonce();
        let timestamp_ms = (config.clock)()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        let auth = v3::Auth {
            app_id: &config.app_id,
            app_cert_sn: config.cert.as_deref().map(|c| c.app_cert_sn.as_str()),
            nonce: &nonce,
            timestamp_ms,
        }
        .text();
        let http_method = route.http_method.as_str();
        let signed = v3::sign_string(&auth, http_method, &target, body.as_bytes(), token);
        tracing::trace!(
            auth = %auth,
            http_method,
            target = %crate::redact::query_text(&target),
            body = %crate::redact::json_text(if encrypt.is_some() { "" } else { &body }),
            app_auth_token = token.map(|_| "<redacted>"),
            "v3 sign string"
        );
        let authorization =
            v3::authorization(config.signer.as_signer(), &auth, &signed).map_err(Error::Sign)?;
        let headers = self.v3_headers(
            authorization,
            V3Body {
                multipart,
                bodyless: body.is_empty() && route.body == RouteBody::None,
                encrypted: encrypt.is_some(),
            },
            token,
        );
        Ok(PreparedV3 {
            http_method: route.http_method,
            url: format!("{}{target}", config.v3_origin),
            target,
            headers,
            body,
            files: multipart.then_some(placed.files),
            encrypted: encrypt.is_some(),
        })
    }

    /// The headers of a v3 request signed with `authorization`: the request id, `accept`, the
    /// content type its body needs, the AES, certificate and app-auth-token headers.
    fn v3_headers(
        &self,
        authorization: String,
        body: V3Body,
        token: Option<&str>,
    ) -> Vec<(&'static str, String)> {
        let config = &self.inner.config;
        let mut headers = vec![
            ("authorization", authorization),
            ("alipay-request-id", v3::random_hex()),
            ("accept", "application/json".to_owned()),
        ];
        // A body-less route sends no content type; a body-less POST of a JSON route sends one
        // (as the Node SDK does).
        if !body.multipart && !body.bodyless {
            let content_type = if body.encrypted {
                "text/plain"
            } else {
                "application/json"
            };
            headers.push(("content-type", content_type.to_owned()));
        }
        if body.encrypted {
            headers.push(("alipay-encrypt-type", "AES".to_owned()));
            headers.push(("alipay-encryption-algm", "AES".to_owned()));
        }
        if let Some(cert) = config.cert.as_deref() {
            headers.push(("alipay-root-cert-sn", cert.root.sn().to_owned()));
        }
        if let Some(token) = token {
            headers.push(("alipay-app-auth-token", token.to_owned()));
        }
        headers
    }

    /// Sends a prepared v3 request and reads the whole answer.
    async fn send_v3(&self, prepared: PreparedV3) -> Result<Answer, Error<DynBizCode>> {
        let method = match prepared.http_method {
            HttpMethod::Get => reqwest::Method::GET,
            HttpMethod::Post => reqwest::Method::POST,
            HttpMethod::Put => reqwest::Method::PUT,
            HttpMethod::Patch => reqwest::Method::PATCH,
            HttpMethod::Delete => reqwest::Method::DELETE,
        };
        let body = bytes::Bytes::from(prepared.body);
        let resendable = prepared
            .files
            .as_ref()
            .is_none_or(|files| files.iter().all(|(_, f)| f.can_resend()));
        let response = self
            .send_retrying(resendable, || async {
                let mut request = self
                    .inner
                    .http
                    .request(method.clone(), prepared.url.as_str())
                    .timeout(self.inner.timeout);
                for (name, value) in &prepared.headers {
                    request = request.header(*name, value.as_str());
                }
                Ok(match &prepared.files {
                    Some(files) => {
                        let data = reqwest::multipart::Part::bytes(body.to_vec())
                            .mime_str("application/json")
                            .expect("application/json is a media type");
                        let mut form = reqwest::multipart::Form::new().part("data", data);
                        for (name, file) in files {
                            form = form.part(
                                *name,
                                file.to_part(name).await.map_err(Error::InvalidRequest)?,
                            );
                        }
                        request.multipart(form)
                    }
                    None if body.is_empty() => request,
                    None => request.body(body.clone()),
                })
            })
            .await?;
        let headers = response
            .headers()
            .iter()
            .filter(|(name, _)| name.as_str().starts_with("alipay-"))
            .filter_map(|(name, value)| {
                Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
            })
            .collect();
        let (status, body) = read_body(response).await?;
        Ok(Answer {
            status,
            headers,
            body,
        })
    }

    /// Verifies an answer (see [`v3::verify_answer`]) with the key its certificate names (in
    /// certificate mode: trusted already, or fetched and checked on rotation).
    async fn verify_v3(
        &self,
        answer: &Answer,
        headers: &AnswerHeaders<'_>,
        encrypted: bool,
    ) -> Result<Vec<u8>, Error<DynBizCode>> {
        check_v3_status(answer.status, &answer.body)?;
        let rotated = match (self.inner.config.cert.as_deref(), headers.sn) {
            (Some(cert), Some(sn)) if answer.status < 400 && cert.known(sn).is_none() => {
                Some(self.key_for_sn(sn.to_owned()).await?)
            }
            _ => None,
        };
        self.verify_v3_known(answer.status, headers, &answer.body, encrypted, rotated)
    }

    /// Verifies an answer with a key already trusted (`rotated`: one just accepted).
    // The untyped error of the shared path, returned once per call and converted right away
    // (as `check_response`'s).
    #[allow(clippy::result_large_err)]
    fn verify_v3_known(
        &self,
        status: u16,
        headers: &AnswerHeaders<'_>,
        body: &[u8],
        encrypted: bool,
        rotated: Option<Cow<'_, PublicKey>>,
    ) -> Result<Vec<u8>, Error<DynBizCode>> {
        check_v3_status(status, body)?;
        let config = &self.inner.config;
        let (key, sn): (Cow<'_, PublicKey>, Option<&str>) =
            match (config.cert.as_deref(), headers.sn) {
                (None, _) => (Cow::Borrowed(&config.alipay_public_key), None),
                (Some(cert), Some(sn)) if status < 400 => {
                    let key = match rotated {
                        Some(key) => key,
                        None => Cow::Owned(cert.known(sn).ok_or_else(|| {
                            Error::UntrustedAlipayCert(crate::error::UntrustedCertError {
                            configured_sn: cert.alipay.sn().to_owned(),
                            answer_sn: sn.to_owned(),
                            reason:
                                "it is not trusted yet (only a call fetches a rotated certificate)"
                                    .to_owned(),
                        })
                        })?),
                    };
                    (key, Some(sn))
                }
                (Some(_), None) if status < 400 => {
                    return Err(Error::Signature(SignatureError::HeaderMissing("alipay-sn")));
                }
                // An error answer: verified with a key already trusted, else reported unverified.
                (Some(cert), sn) => (
                    Cow::Owned(
                        sn.and_then(|sn| cert.known(sn))
                            .unwrap_or_else(|| config.alipay_public_key.clone()),
                    ),
                    None,
                ),
            };
        let result = match config.encrypt_key.as_ref().filter(|_| encrypted) {
            Some(aes) => v3::verify_encrypted_answer(status, headers, body, &key, sn, aes)
                .map(String::into_bytes),
            None => v3::verify_answer(status, headers, body, &key, sn).map(<[u8]>::to_vec),
        };
        result.map_err(answer_error)
    }

    /// Checks a v3 answer you received yourself and types it, as the client does after
    /// sending: a status neither 2xx nor 400 or more (a redirect) is [`Error::HttpStatus`];
    /// then the signature in its headers, then the status (400 or more: [`Error::Api`]), then
    /// (`encrypted`: the request was AES-encrypted) decryption, then `M::Response`.
    ///
    /// In certificate mode this verifies only with certificates already trusted; it fetches
    /// nothing.
    pub fn parse_response_v3<M: Method>(
        &self,
        status: u16,
        headers: &AnswerHeaders<'_>,
        body: &[u8],
        encrypted: bool,
    ) -> Result<M::Response, Error<M::BizError>> {
        let body = self
            .verify_v3_known(status, headers, body, encrypted, None)
            .map_err(|e| e.map_business(|code| M::BizError::from(code.code.as_str())))?;
        decode_v3::<M>(&body)
    }
}

/// Refuses an answer whose status is neither 2xx (a signed answer) nor 400 or more (the
/// protocol's error): a redirect (never followed) or another status Alipay does not send is
/// [`Error::HttpStatus`], as over v2, not a missing signature.
#[allow(clippy::result_large_err)]
fn check_v3_status(status: u16, body: &[u8]) -> Result<(), Error<DynBizCode>> {
    if (200..300).contains(&status) || status >= 400 {
        Ok(())
    } else {
        Err(Error::HttpStatus(HttpStatusError {
            status,
            body_snippet: body_snippet(body),
        }))
    }
}

/// `M::Response` from a verified v3 body.
fn decode_v3<M: Method>(body: &[u8]) -> Result<M::Response, Error<M::BizError>> {
    // Verified as a JSON object (so UTF-8); the reason names the member, never its value.
    let text = std::str::from_utf8(body).map_err(|_| Error::MalformedBody {
        reason: "the verified v3 answer is not UTF-8".to_owned(),
    })?;
    crate::de::json_text(text).map_err(|reason| Error::MalformedBody {
        reason: format!(
            "the verified v3 answer does not match the method's response type: {reason}"
        ),
    })
}

/// `M`'s route, or the error that refuses to send it over v3.
fn route_of<M: Method>() -> Result<Route, Error<M::BizError>> {
    M::ROUTE.ok_or_else(|| {
        Error::Protocol(ProtocolError {
            method: M::METHOD.to_owned(),
            protocol: Protocol::V3,
        })
    })
}

/// The call error of a v3 answer that was not accepted.
fn answer_error(e: AnswerError) -> Error<DynBizCode> {
    match e {
        AnswerError::Unsigned(name) => Error::Signature(SignatureError::HeaderMissing(name)),
        AnswerError::CertSn { .. } => Error::Signature(SignatureError::HeaderMissing("alipay-sn")),
        AnswerError::Signature(_) => Error::Signature(SignatureError::HeaderInvalid),
        AnswerError::NotJson => Error::MalformedBody {
            reason: "the verified v3 answer is not a JSON object".to_owned(),
        },
        AnswerError::Decrypt(e) => Error::MalformedBody {
            reason: format!("the verified v3 answer does not decrypt: {e}"),
        },
        AnswerError::Api(e) => Error::Api(e),
    }
}

/// What a v3 request's body is, for its headers.
struct V3Body {
    /// `multipart/form-data` (its content type is set with the boundary when sent).
    multipart: bool,
    /// A body-less route with no body: no content type.
    bodyless: bool,
    /// The JSON body sent AES-encrypted.
    encrypted: bool,
}
