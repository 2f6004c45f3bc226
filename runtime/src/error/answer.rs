//! Errors about the gateway's answer: an untrusted signature, and the verified gateway and
//! business failures with their codes.

use std::fmt;

use crate::gateway_code::{GatewayCode, PublicSubCode};
use crate::method::{BizErrorCode, ErrorDoc};

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

pub(super) fn answer_text(
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
