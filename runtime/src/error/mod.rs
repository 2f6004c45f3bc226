//! What can go wrong with a call, from building the request to the verified answer.
//!
//! The variants keep apart what a caller handles differently: the request was refused before
//! anything was sent, it could not be sent, it may or may not have reached the gateway, the
//! answer could not be trusted, or Alipay (verified) said no.

mod answer;
mod config;
mod snippet;
mod transport;

#[cfg(test)]
mod tests;

pub use answer::{BusinessError, DynBizCode, GatewayError, SignatureError};
pub use config::ConfigError;
pub(crate) use snippet::body_snippet;
pub use transport::TransportKind;

use answer::answer_text;
use transport::transport_message;

use crate::method::BizErrorCode;
use crate::sign::SignError;
use crate::validate::ValidationError;

/// The error of one call of method error type `E` (the method's business error codes).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error<E: BizErrorCode> {
    /// The request breaks a documented rule. Nothing was signed or sent.
    #[error("invalid request, nothing was sent: {0}")]
    InvalidRequest(ValidationError),
    /// The client is configured wrongly (for example a bad key). Nothing was sent.
    #[error("client configuration: {0}")]
    Config(ConfigError),
    /// The signer failed to sign the request (for example an unreachable KMS). Nothing was sent.
    #[error("could not sign the request, nothing was sent: {0}")]
    Sign(SignError),
    /// The request could not be sent, or the answer could not be received.
    #[error("{}", transport_message(*kind, *may_have_reached_gateway, source.as_ref()))]
    Transport {
        /// What failed.
        kind: TransportKind,
        /// Whether the request may have reached the gateway (and so may have taken effect).
        /// When `true`, resending it may repeat its effect: query the outcome first.
        may_have_reached_gateway: bool,
        /// The underlying error (its text never carries the request URL).
        #[source]
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },
    /// The gateway answered with an HTTP status other than 2xx.
    #[error("the gateway answered HTTP {status} instead of 200 (body: {body_snippet:?})")]
    HttpStatus {
        /// The HTTP status code.
        status: u16,
        /// The start of the body, bounded and with control characters removed.
        body_snippet: String,
    },
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
    #[error(
        "the gateway sent an unsigned (unverified) failure: {}",
        answer_text(code, msg, sub_code.as_deref(), sub_msg.as_deref(), None)
    )]
    UnverifiedGatewayAnswer {
        /// The answer's `code`.
        code: String,
        /// The answer's `sub_code`, if any.
        sub_code: Option<String>,
        /// The answer's `msg`.
        msg: String,
        /// The answer's `sub_msg`, if any.
        sub_msg: Option<String>,
    },
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
    #[error(
        "the answer is signed with Alipay certificate {answer_sn}, not the configured \
         {configured_sn}, and that certificate is not trusted: {reason}"
    )]
    UntrustedAlipayCert {
        /// The SN of the configured Alipay certificate.
        configured_sn: String,
        /// The SN the answer names.
        answer_sn: String,
        /// Why it is not trusted.
        reason: String,
    },
}

impl<E: BizErrorCode> Error<E> {
    /// Converts the business error code type, keeping every other variant as it is.
    ///
    /// The CLI's dynamic call uses this to turn any method's error into
    /// `Error<DynBizCode>`.
    pub fn map_business<F: BizErrorCode>(self, f: impl FnOnce(E) -> F) -> Error<F> {
        match self {
            Error::InvalidRequest(e) => Error::InvalidRequest(e),
            Error::Config(e) => Error::Config(e),
            Error::Sign(e) => Error::Sign(e),
            Error::Transport {
                kind,
                may_have_reached_gateway,
                source,
            } => Error::Transport {
                kind,
                may_have_reached_gateway,
                source,
            },
            Error::HttpStatus {
                status,
                body_snippet,
            } => Error::HttpStatus {
                status,
                body_snippet,
            },
            Error::MalformedBody { reason } => Error::MalformedBody { reason },
            Error::Signature(e) => Error::Signature(e),
            Error::UntrustedAlipayCert {
                configured_sn,
                answer_sn,
                reason,
            } => Error::UntrustedAlipayCert {
                configured_sn,
                answer_sn,
                reason,
            },
            Error::UnverifiedGatewayAnswer {
                code,
                sub_code,
                msg,
                sub_msg,
            } => Error::UnverifiedGatewayAnswer {
                code,
                sub_code,
                msg,
                sub_msg,
            },
            Error::Gateway(e) => Error::Gateway(e),
            Error::Business(b) => Error::Business(BusinessError {
                code: b.code,
                msg: b.msg,
                sub_code: f(b.sub_code),
                sub_msg: b.sub_msg,
            }),
        }
    }

    /// The gateway's `code`, when the gateway answered one (verified or not).
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Gateway(g) => Some(g.code.as_str()),
            Error::Business(b) => Some(&b.code),
            Error::UnverifiedGatewayAnswer { code, .. } => Some(code),
            _ => None,
        }
    }

    /// The gateway's `sub_code`, when the gateway answered one (verified or not).
    pub fn sub_code(&self) -> Option<&str> {
        match self {
            Error::Gateway(g) => Some(g.sub_code.as_str()).filter(|s| !s.is_empty()),
            Error::Business(b) => Some(b.sub_code.as_str()),
            Error::UnverifiedGatewayAnswer { sub_code, .. } => sub_code.as_deref(),
            _ => None,
        }
    }

    /// Whether the request may have reached the gateway. `false` means it certainly did not
    /// take effect; `true` includes every answer received.
    pub fn may_have_reached_gateway(&self) -> bool {
        match self {
            Error::InvalidRequest(_) | Error::Config(_) | Error::Sign(_) => false,
            Error::Transport {
                may_have_reached_gateway,
                ..
            } => *may_have_reached_gateway,
            _ => true,
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
