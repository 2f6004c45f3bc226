//! What the gateway answers to a valid, correctly signed request: a success, a business
//! error from the method's table, a gateway error, or a fault.

use alipay_runtime::MethodDescriptor;

mod file;
#[cfg(test)]
mod tests;

pub use file::{Rotation, RotationCert, ScenarioFile};

/// The `code`, `msg`, `sub_code` and `sub_msg` of `20000 Service Currently Unavailable` /
/// `isp.unknow-error` / `系统繁忙`, Alipay's answer when its business system fails (the
/// scenario's and the `system_error` fault's).
pub(crate) fn service_unavailable_words() -> [String; 4] {
    let code = alipay_runtime::GatewayCode::ServiceUnavailable;
    [
        code.as_str().into(),
        code.msg().unwrap_or_default().into(),
        alipay_runtime::PublicSubCode::IspUnknowError
            .as_str()
            .into(),
        "系统繁忙".into(),
    ]
}

/// The answer chosen for a method's valid, correctly signed requests.
///
/// Requests that break the protocol (missing public parameters, a wrong signature, biz
/// content breaking the spec) are always refused as Alipay would, whatever the scenario.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Scenario {
    /// `10000 Success`, with the fields of the spec's example response when it has one.
    #[default]
    Success,
    /// `40004 Business Failed` with this `sub_code`, which must be in the method's error
    /// table; `sub_msg` is the table's description.
    BusinessError(String),
    /// Any other signed answer in the method's node, for example `20000 Service Currently
    /// Unavailable` / `isp.unknow-error`, or a `40004` with a code the table does not list.
    GatewayError {
        /// `code`, for example `20000`.
        code: String,
        /// `msg`, for example `Service Currently Unavailable`.
        msg: String,
        /// `sub_code`, for example `isp.unknow-error`.
        sub_code: String,
        /// `sub_msg`, for example `系统繁忙`.
        sub_msg: String,
    },
    /// A success whose node is changed after it was signed, as a tampering proxy would.
    AlteredBody,
    /// A success without the `sign` member.
    MissingSign,
    /// HTTP 500 with an HTML body, as a failing load balancer answers.
    Http500,
    /// Waits this many milliseconds, then answers as `then` says.
    Delay {
        /// The wait in milliseconds.
        ms: u64,
        /// The answer after the wait.
        then: Box<Scenario>,
    },
}

impl Scenario {
    /// A business error with `sub_code`.
    pub fn business_error(sub_code: impl Into<String>) -> Self {
        Scenario::BusinessError(sub_code.into())
    }

    /// `20000 Service Currently Unavailable` / `isp.unknow-error`, the documented answer
    /// when the business system is down.
    pub fn service_unavailable() -> Self {
        let [code, msg, sub_code, sub_msg] = service_unavailable_words();
        Scenario::GatewayError {
            code,
            msg,
            sub_code,
            sub_msg,
        }
    }

    /// `self`, answered after a wait of `ms` milliseconds.
    pub fn delayed(self, ms: u64) -> Self {
        Scenario::Delay {
            ms,
            then: Box::new(self),
        }
    }

    /// Checks that this scenario makes sense for `method` (a business error code must be in
    /// its error table).
    pub fn check_for(&self, method: &MethodDescriptor) -> Result<(), ScenarioError> {
        match self {
            Scenario::BusinessError(code) => {
                if method.errors.iter().any(|e| e.code == code) {
                    Ok(())
                } else {
                    Err(ScenarioError::UndocumentedCode {
                        method: method.method.to_owned(),
                        code: code.clone(),
                    })
                }
            }
            Scenario::Delay { then, .. } => then.check_for(method),
            Scenario::GatewayError { code, .. } if code.is_empty() => Err(ScenarioError::Invalid {
                method: method.method.to_owned(),
                reason: "a gateway_error needs a non-empty `code`".into(),
            }),
            _ => Ok(()),
        }
    }
}

/// A scenario that cannot apply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ScenarioError {
    /// The method is not one the gateway serves.
    #[error("unknown method `{0}`: the gateway serves only the methods it was given")]
    UnknownMethod(String),
    /// The business error code is not in the method's error table.
    #[error(
        "`{code}` is not in the error table of `{method}` (use a gateway_error with code 40004 for an undocumented code)"
    )]
    UndocumentedCode {
        /// The method.
        method: String,
        /// The code asked for.
        code: String,
    },
    /// The scenario's fields do not fit together.
    #[error("scenario for `{method}`: {reason}")]
    Invalid {
        /// The method (or `default`).
        method: String,
        /// What is wrong.
        reason: String,
    },
    /// The scenario file cannot be read or parsed.
    #[error("scenario file {path}: {reason}")]
    File {
        /// The file.
        path: String,
        /// What failed.
        reason: String,
    },
}
