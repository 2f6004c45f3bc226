//! What can go wrong with a call, from building the request to the verified answer.
//!
//! The variants keep apart what a caller handles differently: the request was refused before
//! anything was sent, it could not be sent, it may or may not have reached the gateway, the
//! answer could not be trusted, or Alipay (verified) said no.

use std::fmt;

use crate::gateway_code::{GatewayCode, PublicSubCode};
use crate::keys::KeyError;
use crate::method::{BizErrorCode, ErrorDoc};
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

/// What part of the exchange with the gateway failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// No connection could be opened (refused, unreachable, DNS).
    Connect,
    /// The connect or the total timeout elapsed.
    Timeout,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// The connection broke while the answer's body was being read (for example fewer bytes
    /// than its `Content-Length`).
    ResponseBody,
    /// Anything else the HTTP client reported.
    Other,
}

impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::Connect => "connect",
            TransportKind::Timeout => "timeout",
            TransportKind::Tls => "tls",
            TransportKind::ResponseBody => "response body",
            TransportKind::Other => "other",
        })
    }
}

fn root_cause<'a>(
    e: &'a (dyn std::error::Error + 'static),
) -> &'a (dyn std::error::Error + 'static) {
    let mut cur = e;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur
}

fn transport_message(
    kind: TransportKind,
    reached: bool,
    source: &(dyn std::error::Error + Send + Sync + 'static),
) -> String {
    let what = match kind {
        TransportKind::Connect => "could not connect to the gateway",
        TransportKind::Timeout => "the call to the gateway timed out",
        TransportKind::Tls => "the TLS handshake with the gateway failed",
        TransportKind::ResponseBody => "the gateway's answer was cut off",
        TransportKind::Other => "the HTTP exchange with the gateway failed",
    };
    let reach = if reached {
        "the request may have reached the gateway: query its outcome before resending"
    } else {
        "the request did not reach the gateway"
    };
    let source: &(dyn std::error::Error + 'static) = source;
    format!("{what} ({reach}): {}", root_cause(source))
}

/// Why a response failed verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureError {
    /// The answer has no `sign` member.
    Missing,
    /// The `sign` member is empty.
    Empty,
    /// The signature does not verify with the configured Alipay public key (altered body,
    /// wrong key or wrong sign type).
    Invalid,
}

impl fmt::Display for SignatureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SignatureError::Missing => "the signature (`sign`) is missing",
            SignatureError::Empty => "the signature (`sign`) is empty",
            SignatureError::Invalid => {
                "the signature does not match the body and the configured Alipay public key"
            }
        })
    }
}

impl std::error::Error for SignatureError {}

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

/// A verified gateway error: the gateway itself refused the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayError {
    /// The public code, for example `40002`.
    pub code: GatewayCode,
    /// The answer's `msg`, for example `Invalid Arguments`.
    pub msg: String,
    /// The public error code; `PublicSubCode::Unknown("")` when the answer had none.
    pub sub_code: PublicSubCode,
    /// The answer's `sub_msg` (empty when it had none).
    pub sub_msg: String,
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

/// A verified business failure (`code` 40004) with the method's typed `sub_code`.
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessError<E> {
    /// The public code, `40004`.
    pub code: String,
    /// The answer's `msg`, normally `Business Failed`.
    pub msg: String,
    /// The method's business error code.
    pub sub_code: E,
    /// The answer's `sub_msg` (empty when it had none).
    pub sub_msg: String,
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

/// A mistake in the client's configuration, found when the client is built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// `app_id` was not set (or is empty).
    #[error("app_id is not set")]
    MissingAppId,
    /// Neither a private key nor a signer was set.
    #[error("the app private key (or a signer) is not set")]
    MissingPrivateKey,
    /// The Alipay public key was not set.
    #[error("the Alipay public key is not set: responses cannot be verified without it")]
    MissingAlipayPublicKey,
    /// A key could not be loaded.
    #[error("{0}")]
    Key(#[from] KeyError),
    /// The gateway URL is not an absolute `http` or `https` URL.
    #[error("gateway URL {url:?} is not usable: {reason}")]
    InvalidGateway {
        /// The URL given.
        url: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// A connect timeout was set together with a user-supplied `reqwest::Client`, which
    /// cannot take one after it is built.
    #[error(
        "connect_timeout cannot be applied to a user-supplied reqwest::Client: set it on that \
         client's builder instead"
    )]
    ConnectTimeoutWithCustomClient,
    /// The HTTP client could not be built (for example no TLS root certificates).
    #[error("could not build the HTTP client: {0}")]
    HttpClient(#[source] reqwest::Error),
}

/// Keeps the start of a body for an error message: bounded, lossily decoded, control
/// characters replaced by spaces and runs of whitespace collapsed.
pub(crate) fn body_snippet(body: &[u8]) -> String {
    const MAX_CHARS: usize = 200;
    let head = &body[..body.len().min(MAX_CHARS * 4)];
    let text = String::from_utf8_lossy(head);
    let mut out = String::new();
    let mut count = 0;
    let mut last_space = false;
    for c in text.chars() {
        let c = if c.is_control() || c.is_whitespace() {
            ' '
        } else {
            c
        };
        if c == ' ' && (last_space || out.is_empty()) {
            continue;
        }
        last_space = c == ' ';
        if count == MAX_CHARS {
            out.push('…');
            return out;
        }
        out.push(c);
        count += 1;
    }
    if out.ends_with(' ') {
        out.pop();
    }
    if body.len() > head.len() && !out.ends_with('…') {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    enum TestCode {
        Expired,
        Other(String),
    }

    impl From<&str> for TestCode {
        fn from(s: &str) -> Self {
            match s {
                "VALIDATECODE_EXPIRED" => TestCode::Expired,
                o => TestCode::Other(o.to_owned()),
            }
        }
    }

    impl BizErrorCode for TestCode {
        fn as_str(&self) -> &str {
            match self {
                TestCode::Expired => "VALIDATECODE_EXPIRED",
                TestCode::Other(s) => s,
            }
        }
        fn description(&self) -> Option<&'static str> {
            matches!(self, TestCode::Expired).then_some("校验码超时")
        }
        fn solution(&self) -> Option<&'static str> {
            matches!(self, TestCode::Expired).then_some("校验码超时,商户可重新发起一次鉴权申请")
        }
    }

    fn business(sub_code: &str, sub_msg: &str) -> Error<TestCode> {
        Error::Business(BusinessError {
            code: "40004".into(),
            msg: "Business Failed".into(),
            sub_code: TestCode::from(sub_code),
            sub_msg: sub_msg.into(),
        })
    }

    #[test]
    fn business_error_reads_like_the_issue_says() {
        let e = business("VALIDATECODE_EXPIRED", "校验码超时");
        assert_eq!(
            e.to_string(),
            "40004 Business Failed: VALIDATECODE_EXPIRED 校验码超时 (solution: 校验码超时,商户可重新发起一次鉴权申请)"
        );
        assert_eq!(e.code(), Some("40004"));
        assert_eq!(e.sub_code(), Some("VALIDATECODE_EXPIRED"));
        let undocumented = business("NEW_CODE", "新的错误");
        assert_eq!(
            undocumented.to_string(),
            "40004 Business Failed: NEW_CODE 新的错误"
        );
    }

    #[test]
    fn map_business_keeps_docs_in_dyn_code() {
        let e = business("VALIDATECODE_EXPIRED", "").map_business(|c| DynBizCode::from_typed(&c));
        let Error::Business(b) = &e else {
            panic!("not a business error: {e:?}")
        };
        assert_eq!(b.sub_code.code, "VALIDATECODE_EXPIRED");
        assert_eq!(
            e.to_string(),
            "40004 Business Failed: VALIDATECODE_EXPIRED 校验码超时 (solution: 校验码超时,商户可重新发起一次鉴权申请)"
        );
        const DOCS: &[ErrorDoc] = &[ErrorDoc {
            code: "X",
            description: "d",
            solution: "s",
        }];
        assert_eq!(DynBizCode::documented("X", DOCS).solution, Some("s"));
        assert_eq!(DynBizCode::documented("Y", DOCS).solution, None);
    }

    #[test]
    fn gateway_error_names_code_sub_code_and_solution() {
        let e: Error<TestCode> = Error::Gateway(GatewayError {
            code: GatewayCode::InvalidArguments,
            msg: "Invalid Arguments".into(),
            sub_code: PublicSubCode::InvalidAppId,
            sub_msg: "无效的AppID参数".into(),
        });
        assert_eq!(
            e.to_string(),
            "40002 Invalid Arguments: isv.invalid-app-id 无效的AppID参数 (solution: 检查入参app_id，app_id不存在，或者未上线)"
        );
        assert_eq!(e.sub_code(), Some("isv.invalid-app-id"));
    }

    #[test]
    fn unverified_answer_says_so() {
        let e: Error<TestCode> = Error::UnverifiedGatewayAnswer {
            code: "40002".into(),
            sub_code: Some("isv.invalid-signature".into()),
            msg: "Invalid Arguments".into(),
            sub_msg: Some("验签出错".into()),
        };
        let text = e.to_string();
        assert!(text.contains("unsigned (unverified)"), "{text}");
        assert!(
            text.ends_with("40002 Invalid Arguments: isv.invalid-signature 验签出错"),
            "{text}"
        );
    }

    #[test]
    fn transport_error_states_whether_the_request_may_have_arrived() {
        let e: Error<TestCode> = Error::Transport {
            kind: TransportKind::Connect,
            may_have_reached_gateway: false,
            source: Box::new(std::io::Error::from(std::io::ErrorKind::ConnectionRefused)),
        };
        let text = e.to_string();
        assert!(
            text.starts_with(
                "could not connect to the gateway (the request did not reach the gateway)"
            ),
            "{text}"
        );
        assert!(!e.may_have_reached_gateway());
    }

    #[test]
    fn snippet_is_bounded_and_clean() {
        let html = format!("<html>\r\n<body>\t{}</body></html>", "x".repeat(5000));
        let s = body_snippet(html.as_bytes());
        assert!(s.starts_with("<html> <body> xxx"), "{s}");
        assert_eq!(s.chars().count(), 201);
        assert_eq!(body_snippet(b"  oops \n"), "oops");
        assert_eq!(body_snippet(&[0xff, b'a']), "\u{fffd}a");
    }
}
