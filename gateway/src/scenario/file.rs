//! Scenario files: the answers per method, and a rotation of the Alipay certificate, read from
//! TOML or JSON.

use std::collections::BTreeMap;
use std::path::Path;

use alipay_runtime::MethodDescriptor;
use serde::Deserialize;

use super::{Scenario, ScenarioError};

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
///
/// In certificate mode a file can also rotate the gateway to a new Alipay certificate, as
/// Alipay does when it changes its key (see [`Rotation`]):
///
/// ```toml
/// [rotate_alipay_cert]
/// after_requests = 2      # the switch comes once 2 requests were received (default 0)
/// issue = "from_root"     # a new certificate from the gateway's throwaway CA (`--cert-mode`)
/// # issue = "forged"      # or one from a CA outside the root bundle: clients must refuse it
/// # cert = "next_alipay_cert.crt"            # or your own certificate and its private key:
/// # private_key = "next_alipay_private.pem"  # paths relative to this file, or inline PEM
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScenarioFile {
    /// The answer for methods without their own entry.
    pub default: Scenario,
    /// The answer per method wire name.
    pub methods: BTreeMap<String, Scenario>,
    /// A switch to another Alipay certificate (certificate mode), if any.
    pub rotation: Option<Rotation>,
}

/// A switch of the gateway's Alipay certificate, from a scenario file's
/// `[rotate_alipay_cert]`: from the request after the first `after_requests` on, answers are
/// signed with the new certificate and name it in `alipay_cert_sn` (the client downloads it
/// with `alipay.open.app.alipaycert.download`, which serves it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// How many requests the gateway receives (counted since it started or its log was
    /// cleared) before it switches; 0: before the first answer.
    pub after_requests: u64,
    /// The certificate it switches to.
    pub cert: RotationCert,
}

/// The certificate a [`Rotation`] switches to.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RotationCert {
    /// A certificate (PEM, leaf first) and its private key (PEM or bare base64).
    Given {
        /// The certificate.
        cert_pem: String,
        /// Its private key.
        private_key: String,
    },
    /// A new certificate from the gateway's throwaway CA (`issue = "from_root"`): made by
    /// [`ScenarioFile::issue_rotation_cert`], which `alipay gateway --cert-mode` calls.
    FromRoot,
    /// A certificate from a CA that is not in the root bundle (`issue = "forged"`): a rotation
    /// clients must refuse.
    Forged,
}

impl std::fmt::Debug for RotationCert {
    // Never the private key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RotationCert::Given { .. } => f.write_str("RotationCert::Given(..)"),
            RotationCert::FromRoot => f.write_str("RotationCert::FromRoot"),
            RotationCert::Forged => f.write_str("RotationCert::Forged"),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    default: Option<RawScenario>,
    #[serde(default)]
    methods: BTreeMap<String, RawScenario>,
    #[serde(default)]
    rotate_alipay_cert: Option<RawRotation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRotation {
    #[serde(default)]
    after_requests: u64,
    issue: Option<IssueKind>,
    cert: Option<String>,
    private_key: Option<String>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum IssueKind {
    FromRoot,
    Forged,
}

impl RawRotation {
    /// `base`: the folder relative paths are read from.
    fn into_rotation(self, base: &Path) -> Result<Rotation, ScenarioError> {
        let invalid = |reason: String| ScenarioError::Invalid {
            method: "rotate_alipay_cert".into(),
            reason,
        };
        let cert = match (self.issue, self.cert, self.private_key) {
            (Some(IssueKind::FromRoot), None, None) => RotationCert::FromRoot,
            (Some(IssueKind::Forged), None, None) => RotationCert::Forged,
            (None, Some(cert), Some(key)) => {
                let read = |what: &str, value: &str| -> Result<String, ScenarioError> {
                    if value.contains("-----BEGIN") {
                        return Ok(value.to_owned());
                    }
                    let path = base.join(value);
                    std::fs::read_to_string(&path).map_err(|e| {
                        // A bare base64 key pasted here is read as a path: never echoed.
                        let shown = if may_be_key(value) {
                            "(the value is not shown: it may be key material; give a file or inline PEM)".to_owned()
                        } else {
                            path.display().to_string()
                        };
                        invalid(format!("{what} {shown}: {e}"))
                    })
                };
                let cert_pem = read("cert", &cert)?;
                let private_key = read("private_key", &key)?;
                // Checked now: a certificate and a key that do not fit are an error at start.
                crate::cert_mode::check_signing_cert(&cert_pem, &private_key)
                    .map_err(|e| invalid(e.to_string()))?;
                RotationCert::Given {
                    cert_pem,
                    private_key,
                }
            }
            _ => {
                return Err(invalid(
                    "give either `issue` (\"from_root\" or \"forged\") or both `cert` and `private_key`"
                        .into(),
                ));
            }
        };
        Ok(Rotation {
            after_requests: self.after_requests,
            cert,
        })
    }
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
    /// Parses TOML text (relative paths in it are read from the current folder).
    pub fn from_toml(text: &str) -> Result<Self, ScenarioError> {
        Self::toml_in(text, Path::new("."))
    }

    /// Parses JSON text (relative paths in it are read from the current folder).
    pub fn from_json(text: &str) -> Result<Self, ScenarioError> {
        Self::json_in(text, Path::new("."))
    }

    fn toml_in(text: &str, base: &Path) -> Result<Self, ScenarioError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            // The TOML crate's own rendering quotes the source line, which may hold an inline
            // private key: only the position and the message are kept.
            let position = e
                .span()
                .map(|span| {
                    let before = text.get(..span.start).unwrap_or(text);
                    let line = before.matches('\n').count() + 1;
                    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
                    format!("line {line}, column {column}: ")
                })
                .unwrap_or_default();
            unparsed("toml", &format!("{position}{}", e.message().trim()))
        })?;
        Self::from_raw(raw, base)
    }

    fn json_in(text: &str, base: &Path) -> Result<Self, ScenarioError> {
        let raw: RawFile = serde_json::from_str(text).map_err(|e| unparsed("json", &e))?;
        Self::from_raw(raw, base)
    }

    /// Makes the certificate of a `from_root` or `forged` rotation: one issued by `ca` (the
    /// gateway's throwaway certificates), or a forged one. A `from_root` rotation without `ca`
    /// is an error (a rotation to a certificate of your own needs `cert` and `private_key`).
    pub fn issue_rotation_cert(
        &mut self,
        ca: Option<&crate::ThrowawayCerts>,
    ) -> Result<(), ScenarioError> {
        let Some(rotation) = &mut self.rotation else {
            return Ok(());
        };
        let invalid = |reason: String| ScenarioError::Invalid {
            method: "rotate_alipay_cert".into(),
            reason,
        };
        let issued = match (&rotation.cert, ca) {
            (RotationCert::Given { .. }, _) => return Ok(()),
            (RotationCert::FromRoot, Some(ca)) => ca.issue_alipay_cert(),
            (RotationCert::FromRoot, None) => {
                return Err(invalid(
                    "issue = \"from_root\" needs the gateway's throwaway CA (`alipay gateway --cert-mode`); give `cert` and `private_key` otherwise".into(),
                ));
            }
            (RotationCert::Forged, _) => crate::ThrowawayCerts::forge_alipay_cert(),
        }
        .map_err(|e| invalid(e.to_string()))?;
        rotation.cert = RotationCert::Given {
            cert_pem: issued.cert_pem,
            private_key: issued.key.private_pem,
        };
        Ok(())
    }

    /// Reads a file: JSON when its name ends in `.json`, TOML otherwise.
    pub fn from_path(path: &Path) -> Result<Self, ScenarioError> {
        let shown = path.display().to_string();
        let text =
            alipay_runtime::bounded::read_to_string(path, MAX_SCENARIO_BYTES).map_err(|e| {
                ScenarioError::File {
                    path: shown.clone(),
                    reason: e.to_string(),
                }
            })?;
        let is_json = path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("json"));
        let base = path.parent().unwrap_or(Path::new("."));
        let parsed = if is_json {
            Self::json_in(&text, base)
        } else {
            Self::toml_in(&text, base)
        };
        parsed.map_err(|e| match e {
            ScenarioError::File { reason, .. } => ScenarioError::File {
                path: shown,
                reason,
            },
            other => other,
        })
    }

    fn from_raw(raw: RawFile, base: &Path) -> Result<Self, ScenarioError> {
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
        let rotation = raw
            .rotate_alipay_cert
            .map(|r| r.into_rotation(base))
            .transpose()?;
        Ok(Self {
            default,
            methods,
            rotation,
        })
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

/// The most of a scenario file that is read: 8 MiB, far more than a scenario for every
/// method of the catalog. The path may be an endless stream (`--scenario /dev/stdin`).
const MAX_SCENARIO_BYTES: u64 = 8 * 1024 * 1024;

/// The error of scenario text that does not parse as `format` (`toml`, `json`), with every
/// quoted value the message repeats cut out (serde repeats the offending value, which may be a
/// piece of a private key).
fn unparsed(format: &str, error: &dyn std::fmt::Display) -> ScenarioError {
    ScenarioError::File {
        path: format!("<{format}>"),
        reason: redact_values(&error.to_string()),
    }
}

/// `message` with every quoted value (`"..."`, `'...'`, `` `...` ``) that may be key material
/// (see [`may_be_key`]) replaced by `…`; names such as `` `privte_key` `` stay.
fn redact_values(message: &str) -> String {
    alipay_runtime::redact::quoted_values(message, |_, quoted| !may_be_key(quoted))
}

/// Whether text could be (a piece of) a key: PEM armour, or a run of 16 or more base64
/// characters (names and paths are made of shorter runs between `_`, `.`, `-` and `/`).
fn may_be_key(text: &str) -> bool {
    text.contains("-----")
        || text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '='))
            .any(|run| run.len() >= 16)
}
