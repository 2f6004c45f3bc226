//! What the gateway answers to a valid, correctly signed request: a success, a business
//! error from the method's table, a gateway error, or a fault.

use std::collections::BTreeMap;
use std::path::Path;

use alipay_runtime::MethodDescriptor;
use serde::Deserialize;

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
        let code = alipay_runtime::GatewayCode::ServiceUnavailable;
        Scenario::GatewayError {
            code: code.as_str().into(),
            msg: code.msg().unwrap_or_default().into(),
            sub_code: alipay_runtime::PublicSubCode::IspUnknowError
                .as_str()
                .into(),
            sub_msg: "系统繁忙".into(),
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

/// The scenarios of a gateway, as read from a scenario file.
///
/// TOML (or the same structure in JSON, for a file ending in `.json`):
///
/// ```toml
/// # Optional: the answer for methods not listed below (default: success).
/// [default]
/// answer = "success"
///
/// [methods."alipay.user.agreement.auth.confirm"]
/// answer = "business_error"
/// sub_code = "VALIDATECODE_EXPIRED"
///
/// [methods."alipay.ebpp.pdeduct.sign.validate"]
/// answer = "success"
/// delay_ms = 1500
/// ```
///
/// `answer` is one of `success`, `business_error` (with `sub_code`), `gateway_error` (with
/// `code`, `msg`, `sub_code`, `sub_msg`), `altered_body`, `missing_sign`, `http_500`;
/// `delay_ms` may go with any of them. Unknown keys are errors.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScenarioFile {
    /// The answer for methods without their own entry.
    pub default: Scenario,
    /// The answer per method wire name.
    pub methods: BTreeMap<String, Scenario>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    default: Option<RawScenario>,
    #[serde(default)]
    methods: BTreeMap<String, RawScenario>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum AnswerKind {
    Success,
    BusinessError,
    GatewayError,
    AlteredBody,
    MissingSign,
    #[serde(rename = "http_500")]
    Http500,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    answer: AnswerKind,
    code: Option<String>,
    msg: Option<String>,
    sub_code: Option<String>,
    sub_msg: Option<String>,
    delay_ms: Option<u64>,
}

impl RawScenario {
    fn into_scenario(self, name: &str) -> Result<Scenario, ScenarioError> {
        let invalid = |reason: &str| ScenarioError::Invalid {
            method: name.to_owned(),
            reason: reason.to_owned(),
        };
        let extra = self.code.is_some()
            || self.msg.is_some()
            || self.sub_code.is_some()
            || self.sub_msg.is_some();
        let base = match self.answer {
            AnswerKind::BusinessError => {
                if self.code.is_some() || self.msg.is_some() || self.sub_msg.is_some() {
                    return Err(invalid(
                        "business_error takes only `sub_code` (its message comes from the error table)",
                    ));
                }
                Scenario::BusinessError(
                    self.sub_code
                        .ok_or_else(|| invalid("business_error needs `sub_code`"))?,
                )
            }
            AnswerKind::GatewayError => Scenario::GatewayError {
                code: self
                    .code
                    .ok_or_else(|| invalid("gateway_error needs `code`"))?,
                msg: self.msg.unwrap_or_default(),
                sub_code: self.sub_code.unwrap_or_default(),
                sub_msg: self.sub_msg.unwrap_or_default(),
            },
            _ if extra => {
                return Err(invalid(
                    "`code`, `msg`, `sub_code` and `sub_msg` go only with business_error or gateway_error",
                ));
            }
            AnswerKind::Success => Scenario::Success,
            AnswerKind::AlteredBody => Scenario::AlteredBody,
            AnswerKind::MissingSign => Scenario::MissingSign,
            AnswerKind::Http500 => Scenario::Http500,
        };
        Ok(match self.delay_ms {
            Some(ms) if ms > 0 => base.delayed(ms),
            _ => base,
        })
    }
}

impl ScenarioFile {
    /// Parses TOML text.
    pub fn from_toml(text: &str) -> Result<Self, ScenarioError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| ScenarioError::File {
            path: "<toml>".into(),
            reason: e.to_string(),
        })?;
        Self::from_raw(raw)
    }

    /// Parses JSON text.
    pub fn from_json(text: &str) -> Result<Self, ScenarioError> {
        let raw: RawFile = serde_json::from_str(text).map_err(|e| ScenarioError::File {
            path: "<json>".into(),
            reason: e.to_string(),
        })?;
        Self::from_raw(raw)
    }

    /// Reads a file: JSON when its name ends in `.json`, TOML otherwise.
    pub fn from_path(path: &Path) -> Result<Self, ScenarioError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ScenarioError::File {
            path: shown.clone(),
            reason: e.to_string(),
        })?;
        let is_json = path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("json"));
        let parsed = if is_json {
            Self::from_json(&text)
        } else {
            Self::from_toml(&text)
        };
        parsed.map_err(|e| match e {
            ScenarioError::File { reason, .. } => ScenarioError::File {
                path: shown,
                reason,
            },
            other => other,
        })
    }

    fn from_raw(raw: RawFile) -> Result<Self, ScenarioError> {
        let default = match raw.default {
            Some(s) => s.into_scenario("default")?,
            None => Scenario::Success,
        };
        if let Scenario::BusinessError(_) = strip_delay(&default) {
            return Err(ScenarioError::Invalid {
                method: "default".into(),
                reason: "business error codes belong to one method: set them per method".into(),
            });
        }
        let methods = raw
            .methods
            .into_iter()
            .map(|(name, s)| {
                let scenario = s.into_scenario(&name)?;
                Ok((name, scenario))
            })
            .collect::<Result<_, ScenarioError>>()?;
        Ok(Self { default, methods })
    }

    /// Checks every entry against the methods the gateway serves.
    pub fn check(&self, methods: &[MethodDescriptor]) -> Result<(), ScenarioError> {
        self.check_with(|name| methods.iter().find(|m| m.method == name))
    }

    /// [`ScenarioFile::check`] against the methods `find` finds by name.
    pub fn check_with<'a>(
        &self,
        find: impl Fn(&str) -> Option<&'a MethodDescriptor>,
    ) -> Result<(), ScenarioError> {
        for (name, scenario) in &self.methods {
            let descriptor =
                find(name).ok_or_else(|| ScenarioError::UnknownMethod(name.clone()))?;
            scenario.check_for(descriptor)?;
        }
        Ok(())
    }
}

fn strip_delay(s: &Scenario) -> &Scenario {
    match s {
        Scenario::Delay { then, .. } => strip_delay(then),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_file_with_every_answer() {
        let file = ScenarioFile::from_toml(
            r#"
            [default]
            answer = "http_500"

            [methods."a.b"]
            answer = "business_error"
            sub_code = "X"
            delay_ms = 30

            [methods."a.c"]
            answer = "gateway_error"
            code = "20000"
            msg = "Service Currently Unavailable"
            sub_code = "isp.unknow-error"
            sub_msg = "系统繁忙"

            [methods."a.d"]
            answer = "altered_body"

            [methods."a.e"]
            answer = "missing_sign"
            "#,
        )
        .expect("valid file");
        assert_eq!(file.default, Scenario::Http500);
        assert_eq!(
            file.methods["a.b"],
            Scenario::business_error("X").delayed(30)
        );
        assert_eq!(file.methods["a.c"], Scenario::service_unavailable());
        assert_eq!(file.methods["a.d"], Scenario::AlteredBody);
        assert_eq!(file.methods["a.e"], Scenario::MissingSign);
    }

    #[test]
    fn json_file_is_the_same_structure() {
        let file = ScenarioFile::from_json(
            r#"{"methods": {"a.b": {"answer": "success", "delay_ms": 5}}}"#,
        )
        .expect("valid file");
        assert_eq!(file.default, Scenario::Success);
        assert_eq!(file.methods["a.b"], Scenario::Success.delayed(5));
    }

    #[test]
    fn mistakes_are_errors() {
        for bad in [
            "[methods.\"a.b\"]\nanswer = \"business_error\"\n",
            "[methods.\"a.b\"]\nanswer = \"success\"\nsub_code = \"X\"\n",
            "[methods.\"a.b\"]\nanswer = \"sucess\"\n",
            "[methods.\"a.b\"]\nanswer = \"success\"\ndelay = 5\n",
            "[methods.\"a.b\"]\nanswer = \"gateway_error\"\nmsg = \"m\"\n",
            "[default]\nanswer = \"business_error\"\nsub_code = \"X\"\n",
            "[method.\"a.b\"]\nanswer = \"success\"\n",
        ] {
            assert!(ScenarioFile::from_toml(bad).is_err(), "accepted: {bad}");
        }
    }
}
