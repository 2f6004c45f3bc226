//! Errors about the gateway's answer: an untrusted signature, and the verified gateway and
//! business failures with their codes.

use std::fmt;

use crate::charset::Charset;
use crate::gateway_code::{GatewayCode, PublicSubCode};
use crate::method::{BizErrorCode, ErrorDoc};
use crate::sign::SignType;

/// Why a response failed verification.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureError {
    /// The answer has no `sign` member.
    Missing,
    /// The `sign` member is empty.
    Empty,
    /// The signature does not verify with the configured Alipay public key (altered body,
    /// wrong key or wrong sign type). Says what was checked.
    Invalid {
        /// The member whose text was verified: `<method>_response` or `error_response`.
        node: String,
        /// The algorithm it was verified with.
        sign_type: SignType,
        /// The charset the node text was encoded in before verifying.
        charset: Charset,
    },
    /// A v3 answer lacks a header its signature needs (`alipay-signature`,
    /// `alipay-timestamp`, `alipay-nonce`, or in certificate mode `alipay-sn`): nothing in it
    /// is trusted.
    HeaderMissing(&'static str),
    /// A v3 answer's `alipay-signature` does not verify over
    /// `alipay-timestamp\nalipay-nonce\nbody\n` with the Alipay key (altered body, wrong key).
    HeaderInvalid,
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignatureError::Missing => f.write_str("the signature (`sign`) is missing"),
            SignatureError::Empty => f.write_str("the signature (`sign`) is empty"),
            SignatureError::Invalid {
                node,
                sign_type,
                charset,
            } => write!(
                f,
                "the signature does not verify as {} over the text of `{node}` in {} with the \
                 configured Alipay public key (altered body, wrong key or wrong sign type)",
                sign_type.as_str(),
                charset.as_str()
            ),
            SignatureError::HeaderMissing(name) => {
                write!(f, "the v3 answer has no `{name}` header: it is not signed")
            }
            SignatureError::HeaderInvalid => f.write_str(
                "the v3 answer's `alipay-signature` does not verify over its timestamp, nonce and \
                 body with the configured Alipay public key (altered body or wrong key)",
            ),
        }
    }
}

impl std::error::Error for SignatureError {}

/// An unsigned failure answer. Nothing in it is verified: a gateway that cannot identify
/// the app (for example a wrong `app_id`) answers unsigned, and so can anything between the
/// client and Alipay. Kept for diagnosis only.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnverifiedAnswer {
    /// The answer's `code`.
    pub(crate) code: String,
    /// The answer's `msg`.
    pub(crate) msg: String,
    /// The answer's `sub_code`, if any.
    pub(crate) sub_code: Option<String>,
    /// The answer's `sub_msg`, if any.
    pub(crate) sub_msg: Option<String>,
}

impl UnverifiedAnswer {
    /// An unsigned answer with these values (for tests of code that handles one; the client
    /// reads them from the gateway's answer).
    pub fn new(
        code: impl Into<String>,
        msg: impl Into<String>,
        sub_code: Option<String>,
        sub_msg: Option<String>,
    ) -> Self {
        Self {
            code: code.into(),
            msg: msg.into(),
            sub_code,
            sub_msg,
        }
    }

    /// The answer's `code`.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The answer's `msg`.
    pub fn msg(&self) -> &str {
        &self.msg
    }

    /// The answer's `sub_code`, if any.
    pub fn sub_code(&self) -> Option<&str> {
        self.sub_code.as_deref()
    }

    /// The answer's `sub_msg`, if any.
    pub fn sub_msg(&self) -> Option<&str> {
        self.sub_msg.as_deref()
    }
}

impl fmt::Display for UnverifiedAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&answer_text(
            &self.code,
            &self.msg,
            self.sub_code.as_deref(),
            self.sub_msg.as_deref(),
            None,
        ))
    }
}

/// Certificate mode: the answer is signed with an Alipay certificate that is not trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "the answer is signed with Alipay certificate {answer_sn}, not the configured \
     {configured_sn}, and that certificate is not trusted: {reason}"
)]
#[non_exhaustive]
pub struct UntrustedCertError {
    /// The SN of the configured Alipay certificate.
    pub(crate) configured_sn: String,
    /// The SN the answer names.
    pub(crate) answer_sn: String,
    /// Why it is not trusted.
    pub(crate) reason: String,
}

impl UntrustedCertError {
    /// The SN of the configured Alipay certificate.
    pub fn configured_sn(&self) -> &str {
        &self.configured_sn
    }

    /// The SN the answer names.
    pub fn answer_sn(&self) -> &str {
        &self.answer_sn
    }

    /// Why it is not trusted.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// The gateway answered with an HTTP status other than 2xx.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the gateway answered HTTP {status} instead of 200 (body: {body_snippet:?})")]
#[non_exhaustive]
pub struct HttpStatusError {
    /// The HTTP status code.
    pub(crate) status: u16,
    /// The start of the body, bounded and with control characters removed.
    pub(crate) body_snippet: String,
}

impl HttpStatusError {
    /// An answer with `status` and the start of its body (for tests of code that handles one).
    pub fn new(status: u16, body_snippet: impl Into<String>) -> Self {
        Self {
            status,
            body_snippet: body_snippet.into(),
        }
    }

    /// The HTTP status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The start of the body, bounded and with control characters removed.
    pub fn body_snippet(&self) -> &str {
        &self.body_snippet
    }
}

fn answer_text(
    code: &str,
    msg: &str,
    sub_code: Option<&str>,
    sub_msg: Option<&str>,
    solution: Option<&str>,
) -> String {
    let mut out = format!("{code} {msg}");
    let sub_code = sub_code.filter(|s| !s.is_empty());
    let sub_msg = sub_msg.filter(|s| !s.is_empty());
    if sub_code.is_some() || sub_msg.is_some() {
        out.push(':');
    }
    for part in [sub_code, sub_msg].into_iter().flatten() {
        out.push(' ');
        out.push_str(part);
    }
    if let Some(solution) = solution.filter(|s| !s.is_empty()) {
        out.push_str(" (solution: ");
        out.push_str(solution);
        out.push(')');
    }
    out
}

/// A verified answer with a public code other than success and business failure: the gateway
/// itself refused the call, or (with [`GatewayCode::InProcess`]) the call is still being
/// processed.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct GatewayError {
    /// The public code, for example `40002`.
    pub(crate) code: GatewayCode,
    /// The answer's `msg`, for example `Invalid Arguments`.
    pub(crate) msg: String,
    /// The public error code; `PublicSubCode::Unknown("")` when the answer had none.
    pub(crate) sub_code: PublicSubCode,
    /// The answer's `sub_msg` (empty when it had none).
    pub(crate) sub_msg: String,
    /// The verified node, exactly as received (decrypted when it was encrypted).
    pub(crate) node: Box<str>,
}

impl fmt::Debug for GatewayError {
    // The node is the method's data (a trade's amounts and ids): its length only.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatewayError")
            .field("code", &self.code)
            .field("msg", &self.msg)
            .field("sub_code", &self.sub_code)
            .field("sub_msg", &self.sub_msg)
            .field("node_len", &self.node.len())
            .finish()
    }
}

impl GatewayError {
    /// The public code, for example `40002`.
    pub fn code(&self) -> &GatewayCode {
        &self.code
    }

    /// The answer's `msg`, for example `Invalid Arguments`.
    pub fn msg(&self) -> &str {
        &self.msg
    }

    /// The public error code; `PublicSubCode::Unknown("")` when the answer had none.
    pub fn sub_code(&self) -> &PublicSubCode {
        &self.sub_code
    }

    /// The answer's `sub_msg` (empty when it had none).
    pub fn sub_msg(&self) -> &str {
        &self.sub_msg
    }

    /// The verified answer node decoded as `T`, usually the method's `Response`: how to read
    /// what an answer that is not final carries, such as the `trade_no` and `out_trade_no` of
    /// an `alipay.trade.pay` answered with [`GatewayCode::InProcess`] (`10003`). The node's
    /// signature was verified, so its fields are as trustworthy as a success's; only the code
    /// says the call has not finished.
    pub fn decode_answer<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_str(&self.node)
    }
}

impl fmt::Display for GatewayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sub_msg = if self.sub_msg.is_empty() {
            self.sub_code.description()
        } else {
            Some(self.sub_msg.as_str())
        };
        let msg = if self.msg.is_empty() {
            self.code.msg().unwrap_or("gateway error")
        } else {
            &self.msg
        };
        f.write_str(&answer_text(
            self.code.as_str(),
            msg,
            Some(self.sub_code.as_str()),
            sub_msg,
            self.sub_code.solution(),
        ))
    }
}

impl std::error::Error for GatewayError {}

/// A verified business failure (`code` 40004) with the method's typed `sub_code`, read
/// through its accessors.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct BusinessError<E> {
    pub(crate) code: String,
    pub(crate) msg: String,
    pub(crate) sub_code: E,
    pub(crate) sub_msg: String,
}

impl<E> BusinessError<E> {
    /// A business failure with these values (for tests of code that handles one; the client
    /// reads them from a verified answer).
    pub fn new(
        code: impl Into<String>,
        msg: impl Into<String>,
        sub_code: E,
        sub_msg: impl Into<String>,
    ) -> Self {
        Self {
            code: code.into(),
            msg: msg.into(),
            sub_code,
            sub_msg: sub_msg.into(),
        }
    }

    /// The public code, `40004`.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The answer's `msg`, normally `Business Failed`.
    pub fn msg(&self) -> &str {
        &self.msg
    }

    /// The method's business error code.
    pub fn sub_code(&self) -> &E {
        &self.sub_code
    }

    /// The method's business error code, taken out of the error.
    pub fn into_sub_code(self) -> E {
        self.sub_code
    }

    /// The answer's `sub_msg` (empty when it had none).
    pub fn sub_msg(&self) -> &str {
        &self.sub_msg
    }

    /// The same failure with its `sub_code` converted.
    pub fn map_code<F>(self, f: impl FnOnce(E) -> F) -> BusinessError<F> {
        BusinessError {
            code: self.code,
            msg: self.msg,
            sub_code: f(self.sub_code),
            sub_msg: self.sub_msg,
        }
    }
}

impl<E: BizErrorCode> fmt::Display for BusinessError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sub_msg = if self.sub_msg.is_empty() {
            self.sub_code.description()
        } else {
            Some(self.sub_msg.as_str())
        };
        f.write_str(&answer_text(
            &self.code,
            &self.msg,
            Some(self.sub_code.as_str()),
            sub_msg,
            self.sub_code.solution(),
        ))
    }
}

impl<E: BizErrorCode> std::error::Error for BusinessError<E> {}

/// A business error code known only at run time, for dynamic calls (the CLI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DynBizCode {
    /// The `sub_code` exactly as Alipay spells it.
    pub code: String,
    /// The documented description, when known.
    pub description: Option<&'static str>,
    /// The documented solution, when known.
    pub solution: Option<&'static str>,
}

impl DynBizCode {
    /// `code` with its documentation looked up in a method's error table.
    pub fn documented(code: &str, docs: &'static [ErrorDoc]) -> Self {
        let doc = docs.iter().find(|d| d.code == code);
        Self {
            code: code.to_owned(),
            description: doc.map(|d| d.description),
            solution: doc.map(|d| d.solution),
        }
    }

    /// The dynamic form of a typed business error code, keeping its documentation.
    pub fn from_typed<E: BizErrorCode>(code: &E) -> Self {
        Self {
            code: code.as_str().to_owned(),
            description: code.description(),
            solution: code.solution(),
        }
    }
}

impl From<&str> for DynBizCode {
    fn from(code: &str) -> Self {
        Self {
            code: code.to_owned(),
            description: None,
            solution: None,
        }
    }
}

impl BizErrorCode for DynBizCode {
    fn as_str(&self) -> &str {
        &self.code
    }
    fn description(&self) -> Option<&'static str> {
        self.description
    }
    fn solution(&self) -> Option<&'static str> {
        self.solution
    }
}
