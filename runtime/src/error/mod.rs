//! What can go wrong with a call, from building the request to the verified answer.
//!
//! Modelled on smithy-rs's `SdkError`: each variant holds one value that says what happened,
//! so a caller matches the variant and reads its fields. The variants keep apart what a caller
//! handles differently: the request was refused before anything was sent, it could not be
//! sent, it may or may not have reached the gateway ([`RequestSent`]), the answer could not be
//! trusted, or Alipay (verified) said no.

mod answer;
mod call_style;
mod config;
mod snippet;
mod transport;

#[cfg(test)]
mod tests;

pub use answer::{
    BusinessError, DynBizCode, GatewayError, HttpStatusError, SignatureError, UntrustedCertError,
    UnverifiedAnswer,
};
pub use call_style::{CallStyleError, ProtocolError};
pub use config::ConfigError;
pub(crate) use snippet::body_snippet;
pub use transport::{RequestSent, TransportError, TransportKind};

use crate::method::BizErrorCode;
use crate::sign::SignError;
use crate::v3::ApiError;
use crate::validate::ValidationError;

/// The error of one call of method error type `E` (the method's business error codes).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error<E: BizErrorCode> {
    /// The request breaks a documented rule. Nothing was signed or sent.
    #[error("invalid request, nothing was sent: {0}")]
    InvalidRequest(ValidationError),
    /// The method is not meant to be called this way (its spec's `call_style`): `execute` on
    /// a page or app method, `page_form` on a server call. Nothing was signed or sent.
    #[error(transparent)]
    WrongCallStyle(CallStyleError),
    /// The client is configured wrongly (for example a bad key). Nothing was sent.
    #[error("client configuration: {0}")]
    Config(ConfigError),
    /// The signer failed to sign the request (for example an unreachable KMS). Nothing was sent.
    #[error("could not sign the request, nothing was sent: {0}")]
    Sign(SignError),
    /// The request could not be sent, or the answer could not be received; says whether the
    /// request reached the gateway.
    #[error(transparent)]
    Transport(TransportError),
    /// The gateway answered with an HTTP status other than 2xx.
    #[error(transparent)]
    HttpStatus(HttpStatusError),
    /// The answer is not a well-formed gateway response.
    #[error("the gateway's answer is malformed: {reason}")]
    MalformedBody {
        /// What is wrong with it.
        reason: String,
    },
    /// The answer's signature is missing, empty or wrong: it may not come from Alipay.
    #[error("the gateway's answer failed verification: {0}")]
    Signature(SignatureError),
    /// The gateway sent an unsigned failure. It cannot be verified, so it may not come from
    /// Alipay; the codes are kept for diagnosis only.
    #[error("the gateway sent an unsigned (unverified) failure: {0}")]
    UnverifiedGatewayAnswer(UnverifiedAnswer),
    /// A verified gateway error (`20000`, `20001`, `40001`, `40002`, `40003`, `40005`,
    /// `40006` or an unknown code).
    #[error(transparent)]
    Gateway(GatewayError),
    /// A verified business failure (`40004`) with the method's typed error code.
    #[error(transparent)]
    Business(BusinessError<E>),
    /// Certificate mode: the answer names (in `alipay_cert_sn`) an Alipay certificate other than
    /// the configured one, and that certificate could not be fetched or does not chain to the
    /// configured root bundle. The answer is not trusted.
    #[error(transparent)]
    UntrustedAlipayCert(UntrustedCertError),
    /// The method cannot be sent over the protocol asked for (no v3 route, or a method only
    /// the v3 protocol has sent over v2). Nothing was signed or sent.
    #[error(transparent)]
    Protocol(ProtocolError),
    /// A v3 answer with HTTP status 400 or more: Alipay's `{code, message, links}` with the
    /// method's typed code, the status and the trace id; [`ApiError::verified`] says whether
    /// its signature verified.
    #[error(transparent)]
    Api(Box<ApiError<E>>),
}

impl<E: BizErrorCode> Error<E> {
    /// Converts the business error code type, keeping every other variant as it is.
    ///
    /// The CLI's dynamic call uses this to turn any method's error into
    /// `Error<DynBizCode>`.
    pub fn map_business<F: BizErrorCode>(self, f: impl FnOnce(E) -> F) -> Error<F> {
        match self {
            Error::Business(b) => Error::Business(b.map_code(f)),
            Error::InvalidRequest(e) => Error::InvalidRequest(e),
            Error::WrongCallStyle(e) => Error::WrongCallStyle(e),
            Error::Config(e) => Error::Config(e),
            Error::Sign(e) => Error::Sign(e),
            Error::Transport(e) => Error::Transport(e),
            Error::HttpStatus(e) => Error::HttpStatus(e),
            Error::MalformedBody { reason } => Error::MalformedBody { reason },
            Error::Signature(e) => Error::Signature(e),
            Error::UntrustedAlipayCert(e) => Error::UntrustedAlipayCert(e),
            Error::UnverifiedGatewayAnswer(a) => Error::UnverifiedGatewayAnswer(a),
            Error::Gateway(e) => Error::Gateway(e),
            Error::Protocol(e) => Error::Protocol(e),
            Error::Api(e) => Error::Api(Box::new(e.map_code(f))),
        }
    }

    /// The gateway's `code`, when the gateway answered one (verified or not).
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Gateway(g) => Some(g.code.as_str()),
            Error::Business(b) => Some(&b.code),
            Error::UnverifiedGatewayAnswer(a) => Some(&a.code),
            _ => None,
        }
    }

    /// The gateway's `sub_code`, when the gateway answered one (verified or not).
    pub fn sub_code(&self) -> Option<&str> {
        match self {
            Error::Gateway(g) => Some(g.sub_code.as_str()).filter(|s| !s.is_empty()),
            Error::Business(b) => Some(b.sub_code.as_str()),
            Error::UnverifiedGatewayAnswer(a) => a.sub_code.as_deref(),
            Error::Api(e) => e.code_str(),
            _ => None,
        }
    }

    /// Whether the request reached the gateway: [`RequestSent::NotSent`] means it certainly
    /// did not take effect; every answer received is [`RequestSent::Sent`].
    pub fn request_sent(&self) -> RequestSent {
        match self {
            Error::InvalidRequest(_)
            | Error::WrongCallStyle(_)
            | Error::Config(_)
            | Error::Protocol(_)
            | Error::Sign(_) => RequestSent::NotSent,
            Error::Transport(t) => t.sent,
            _ => RequestSent::Sent,
        }
    }
}

impl<E: BizErrorCode> From<ValidationError> for Error<E> {
    fn from(e: ValidationError) -> Self {
        Error::InvalidRequest(e)
    }
}

impl<E: BizErrorCode> From<ConfigError> for Error<E> {
    fn from(e: ConfigError) -> Self {
        Error::Config(e)
    }
}
