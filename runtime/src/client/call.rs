//! The call path: validate, sign, send, verify, type the answer.

use super::Client;
use super::options::{NO_OPTIONS, RequestOptions};
use super::span::traced;
use crate::error::{
    BusinessError, CallStyleError, DynBizCode, Error, GatewayError, HttpStatusError, ProtocolError,
    body_snippet,
};
use crate::gateway_code::{BUSINESS_FAILED_CODE, GatewayCode, PublicSubCode, SUCCESS_CODE};
use crate::keys::PublicKey;
use crate::method::{BizErrorCode, CallStyle, Method, Protocol, RequestParts};
use crate::protocol::param;
use crate::request::{self, PrepareError, PreparedRequest, PublicParams, Signed};
use crate::validate::{Rule, ValidationError};
use crate::verify::{ResponseError, VerifiedResponse, verify_encrypted_response, verify_response};

impl Client {
    /// Calls `M`: validates the request, signs and sends it, verifies the answer and returns
    /// the typed response or the typed error.
    ///
    /// Emits one `tracing` span `alipay.call` with `method`, `app_id`, `latency_ms`, `code`
    /// and `sub_code` (never keys, signatures or biz_content).
    ///
    /// Only validation, `to_parts` and the final typing of the answer depend on `M`;
    /// signing, sending and verifying are one piece of code shared by every method, so a
    /// crate that calls many methods does not compile the call path once per method.
    ///
    /// A page or app method (its spec's `call_style`) is refused with
    /// [`Error::WrongCallStyle`] before anything is signed: the gateway would answer it with
    /// an HTML page. Use [`Client::page_form`], [`Client::page_url`] or
    /// [`Client::app_order_string`] for those.
    pub async fn execute<M: Method>(&self, req: &M) -> Result<M::Response, Error<M::BizError>> {
        self.execute_with(req, &NO_OPTIONS).await
    }

    /// [`Client::execute`] with this request's own `app_auth_token`, `auth_token` or
    /// `notify_url` (see [`RequestOptions`]), over the client's.
    pub async fn execute_with<M: Method>(
        &self,
        req: &M,
        options: &RequestOptions,
    ) -> Result<M::Response, Error<M::BizError>> {
        let span = self.call_span(M::METHOD, self.protocol_of(options));
        traced(&span, self.execute_inner(req, options, &span)).await
    }

    async fn execute_inner<M: Method>(
        &self,
        req: &M,
        options: &RequestOptions,
        span: &tracing::Span,
    ) -> Result<M::Response, Error<M::BizError>> {
        check_call_style::<M>("execute", &[CallStyle::Server])?;
        if self.protocol_of(options) == Protocol::V3 {
            return self.execute_v3(req, options, span).await;
        }
        check_v2::<M>()?;
        let parts = req.validated_parts()?;
        let verified = self
            .call_verified(M::METHOD, &parts, options)
            .await
            .map_err(typed_error)?;
        decode_node(&verified)
    }

    /// Signs and sends `parts` as a call of `method`, verifies the answer and returns its
    /// verified response node (successful answers only; business and gateway failures are
    /// errors, their `sub_code` untyped).
    ///
    /// This is the untyped path for dynamic calls (the generated `call_json`): `parts` must
    /// come from a request's [`Method::to_parts`] after [`Method::validate`] passed, since
    /// nothing here can check them. Typed code should call [`Client::execute`]. Emits the
    /// same `alipay.call` span.
    pub async fn execute_raw(
        &self,
        method: &str,
        parts: &RequestParts,
    ) -> Result<VerifiedResponse, Error<DynBizCode>> {
        let span = self.call_span(method, Protocol::V2);
        traced(&span, self.call_verified(method, parts, &NO_OPTIONS)).await
    }

    /// The shared call path: sign, send, verify.
    async fn call_verified(
        &self,
        method: &str,
        parts: &RequestParts,
        options: &RequestOptions,
    ) -> Result<VerifiedResponse, Error<DynBizCode>> {
        let prepared = self.prepare_parts(method, parts, options)?;
        let (status, body) = self.send(prepared).await?;
        check_status(status, &body)?;
        let key = self.answer_key(&body).await?;
        self.check_verified(method, &body, &key)
    }

    /// Validates, builds, signs and encodes `req` without sending it.
    ///
    /// `M::validate()` and `to_parts()` run before anything is signed.
    pub fn prepare<M: Method>(&self, req: &M) -> Result<PreparedRequest, Error<M::BizError>> {
        let parts = req.validated_parts()?;
        self.prepare_parts(M::METHOD, &parts, &NO_OPTIONS)
    }

    /// [`Client::prepare`] for parts that already passed their method's validation (the
    /// untyped twin, as [`Client::execute_raw`] is of [`Client::execute`]).
    // The same error type as execute_raw, returned once per call.
    #[allow(clippy::result_large_err)]
    pub fn prepare_raw(
        &self,
        method: &str,
        parts: &RequestParts,
    ) -> Result<PreparedRequest, Error<DynBizCode>> {
        self.prepare_parts(method, parts, &NO_OPTIONS)
    }

    pub(super) fn prepare_parts<E: BizErrorCode>(
        &self,
        method: &str,
        parts: &RequestParts,
        options: &RequestOptions,
    ) -> Result<PreparedRequest, Error<E>> {
        self.sign_parts(method, parts, options, |s| s.post())
    }

    /// Signs `parts` as a request of `method` and renders it with `render`.
    pub(super) fn sign_parts<E: BizErrorCode, R>(
        &self,
        method: &str,
        parts: &RequestParts,
        options: &RequestOptions,
        render: impl FnOnce(&Signed<'_>) -> R,
    ) -> Result<R, Error<E>> {
        let config = &self.inner.config;
        // This request's own addresses (its options, or the method's own `notify_url` and
        // `return_url` fields, sent as those public parameters), checked as the client's are
        // when it is built.
        let own = parts
            .form
            .iter()
            .filter(|(name, _)| *name == param::NOTIFY_URL || *name == param::RETURN_URL)
            .map(|(name, value)| (*name, Some(value)));
        let given = [
            (param::NOTIFY_URL, options.notify_url.as_ref()),
            (param::RETURN_URL, options.return_url.as_ref()),
        ];
        for (field, url) in given.into_iter().chain(own) {
            if let Some(url) = url
                && super::builder::check_callback_url(url).is_err()
            {
                return Err(Error::InvalidRequest(ValidationError::new(
                    field,
                    Rule::Format {
                        expected: "an absolute http or https URL without white space",
                        value: url.clone(),
                    },
                )));
            }
        }
        let public = PublicParams {
            gateway: &config.gateway,
            app_id: &config.app_id,
            sign_type: config.sign_type,
            charset: config.charset,
            app_auth_token: config.app_auth_token.as_deref(),
            notify_url: config.notify_url.as_deref(),
            return_url: config.return_url.as_deref(),
            options,
            cert_sns: config
                .cert
                .as_deref()
                .map(|c| (c.app_cert_sn.as_str(), c.root.sn())),
            encrypt_key: config.encrypt_key.as_ref(),
            signer: config.signer.as_signer(),
        };
        request::sign_request(&public, method, parts, (config.clock)(), render)
            .map_err(prepare_error)
    }

    /// Checks an answer and types it: 2xx status, then fail-closed signature verification,
    /// then `10000` → `M::Response`, `40004` → [`Error::Business`], any other code →
    /// [`Error::Gateway`].
    ///
    /// In certificate mode this verifies only with certificates already trusted (the
    /// configured one and those accepted on rotation); it fetches nothing.
    pub fn parse_response<M: Method>(
        &self,
        status: u16,
        body: &[u8],
    ) -> Result<M::Response, Error<M::BizError>> {
        let verified = self
            .check_response(M::METHOD, status, body)
            .map_err(typed_error)?;
        decode_node(&verified)
    }

    /// [`Client::parse_response`] up to the verified node of a successful answer.
    // The untyped business code makes the error larger than a typed one; it is returned
    // once per call and converted right away.
    #[allow(clippy::result_large_err)]
    fn check_response(
        &self,
        method: &str,
        status: u16,
        body: &[u8],
    ) -> Result<VerifiedResponse, Error<DynBizCode>> {
        check_status(status, body)?;
        let key = self.known_answer_key(body)?;
        self.check_verified(method, body, &key)
    }

    /// Verifies a 2xx answer with `key` and types its outcome.
    #[allow(clippy::result_large_err)]
    fn check_verified(
        &self,
        method: &str,
        body: &[u8],
        key: &PublicKey,
    ) -> Result<VerifiedResponse, Error<DynBizCode>> {
        let config = &self.inner.config;
        let verified = match &config.encrypt_key {
            None => verify_response(body, method, config.charset, config.sign_type, key),
            Some(aes) => {
                verify_encrypted_response(body, method, config.charset, config.sign_type, key, aes)
            }
        }
        .map_err(response_error)?;
        if verified.is_success() {
            return Ok(verified);
        }
        let VerifiedResponse {
            is_error_response,
            code,
            msg,
            sub_code,
            sub_msg,
            node,
            ..
        } = verified;
        if is_error_response && (code.is_empty() || code == SUCCESS_CODE) {
            return Err(Error::MalformedBody {
                reason: format!("`error_response` carries no failure code (code {code:?})"),
            });
        }
        let sub_code = sub_code.unwrap_or_default();
        let sub_msg = sub_msg.unwrap_or_default();
        if code == BUSINESS_FAILED_CODE && !is_error_response {
            return Err(Error::Business(BusinessError {
                code,
                msg,
                sub_code: DynBizCode::from(sub_code.as_str()),
                sub_msg,
            }));
        }
        Err(Error::Gateway(GatewayError {
            code: GatewayCode::from_code(&code),
            msg,
            sub_code: PublicSubCode::from_code(&sub_code),
            sub_msg,
            node: node.into(),
        }))
    }
}

pub(super) fn prepare_error<E: BizErrorCode>(e: PrepareError) -> Error<E> {
    match e {
        PrepareError::Invalid(v) => Error::InvalidRequest(v),
        PrepareError::Sign(s) => Error::Sign(s),
    }
}

/// Refuses to send over v2 a method only the v3 protocol has.
pub(super) fn check_v2<M: Method>() -> Result<(), Error<M::BizError>> {
    match M::ROUTE {
        Some(route) if !route.v2 => Err(Error::Protocol(ProtocolError {
            method: M::METHOD.to_owned(),
            protocol: Protocol::V2,
        })),
        _ => Ok(()),
    }
}

/// Refuses to `called` a method whose call style is not among `allowed`.
pub(super) fn check_call_style<M: Method>(
    called: &'static str,
    allowed: &[CallStyle],
) -> Result<(), Error<M::BizError>> {
    if allowed.contains(&M::CALL_STYLE) {
        Ok(())
    } else {
        Err(Error::WrongCallStyle(CallStyleError {
            method: M::METHOD.to_owned(),
            call_style: M::CALL_STYLE,
            called,
        }))
    }
}

#[allow(clippy::result_large_err)]
fn check_status(status: u16, body: &[u8]) -> Result<(), Error<DynBizCode>> {
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(Error::HttpStatus(HttpStatusError {
            status,
            body_snippet: body_snippet(body),
        }))
    }
}

/// The typed form of an error of the shared call path: the business `sub_code` becomes
/// the method's error type.
fn typed_error<E: BizErrorCode>(e: Error<DynBizCode>) -> Error<E> {
    e.map_business(|code| E::from(code.code.as_str()))
}

/// The method's response, from the verified node of a successful answer.
fn decode_node<R: serde::de::DeserializeOwned, E: BizErrorCode>(
    verified: &VerifiedResponse,
) -> Result<R, Error<E>> {
    // The reason names the member (its path) and never quotes the node's values.
    crate::de::json_text(verified.node_text()).map_err(|reason| Error::MalformedBody {
        reason: format!(
            "the verified `{}` does not match the method's response type: {reason}",
            verified.node_name
        ),
    })
}

pub(super) fn response_error(e: ResponseError) -> Error<DynBizCode> {
    match e {
        ResponseError::Signature(e) => Error::Signature(e),
        ResponseError::UnverifiedGatewayAnswer(a) => Error::UnverifiedGatewayAnswer(a),
        ResponseError::Malformed(reason) => Error::MalformedBody { reason },
        ResponseError::DuplicateKey(key) => Error::MalformedBody {
            reason: format!(
                "top-level key {key:?} appears more than once (which one was signed is unknowable)"
            ),
        },
        other => Error::MalformedBody {
            reason: other.to_string(),
        },
    }
}
