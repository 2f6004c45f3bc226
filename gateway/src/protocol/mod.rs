//! The checks Alipay's gateway makes before a request reaches the business system, in the
//! order this gateway makes them:
//!
//! 1. the parameters decode in the request charset (`40002 isv.invalid-charset`), and none
//!    is sent twice (`40002 isv.invalid-parameter`);
//! 2. the public parameters are present (`40001 isv.missing-method`, `isv.missing-app-id`,
//!    `isv.missing-timestamp`, `isv.missing-version`, `isv.missing-signature-type`,
//!    `isv.missing-signature`);
//! 3. they are valid (`40002 isv.invalid-charset`, `isv.invalid-format`,
//!    `isv.invalid-signature-type`, `isv.invalid-timestamp`, `isv.invalid-method`,
//!    `isv.invalid-app-id`);
//! 4. the signature verifies with the app public key (`40002 isv.invalid-signature`);
//! 5. `biz_content` and the form fields follow the method's spec (`40002
//!    isv.invalid-parameter`, with a `sub_msg` naming the field and the rule).
//!
//! Steps 1 to 3 answer under `error_response`, since the request cannot be trusted to name
//! its method; steps 4 and 5 answer under the method's own node, as Alipay does (a signature
//! that does not verify: `40002 isv.invalid-signature`, the `sub_msg` ending with the string
//! the gateway verified). Every answer is signed.

use alipay_runtime::charset::Charset;
use alipay_runtime::sign::SignType;
use alipay_runtime::{GatewayCode, MethodDescriptor, PublicSubCode};

use crate::crypto;
use crate::state::Shared;

mod checks;
pub(crate) mod strict_json;

use checks::run;

/// A request decoded from its charset.
#[derive(Debug, Clone)]
pub(crate) struct Decoded {
    pub params: Vec<(String, String)>,
    pub charset: Charset,
    /// The file parts of a multipart request (never signed).
    pub files: Vec<crate::log::RecordedFile>,
}

impl Decoded {
    pub fn get(&self, name: &str) -> Option<&str> {
        crate::log::first_value(&self.params, name).filter(|v| !v.is_empty())
    }
}

/// Where a refusal is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NodeName {
    /// `error_response`.
    Error,
    /// The method's response node.
    Method(&'static str),
}

impl NodeName {
    pub fn as_str(self) -> &'static str {
        match self {
            NodeName::Error => "error_response",
            NodeName::Method(name) => name,
        }
    }
}

/// A request the gateway refuses, with the answer Alipay gives.
#[derive(Debug, Clone)]
pub(crate) struct Refusal {
    pub node: NodeName,
    pub code: GatewayCode,
    pub sub_code: PublicSubCode,
    pub sub_msg: String,
}

impl Refusal {
    /// The gateway's `msg` for the code.
    pub fn msg(&self) -> &'static str {
        self.code.msg().unwrap_or_default()
    }
}

const MISSING: GatewayCode = GatewayCode::MissingRequiredArguments;
const INVALID: GatewayCode = GatewayCode::InvalidArguments;

pub(crate) fn refuse(
    node: NodeName,
    code: GatewayCode,
    sub_code: PublicSubCode,
    sub_msg: impl Into<String>,
) -> Refusal {
    Refusal {
        node,
        code,
        sub_code,
        sub_msg: sub_msg.into(),
    }
}

/// A validation error as a `sub_msg` says it: `field `x` ` and the rule broken, every value
/// quoted as sent (never Rust's debug text: no escapes, no `["A", "B"]`).
pub(crate) fn plain_validation(e: &alipay_runtime::ValidationError) -> String {
    use alipay_runtime::Rule;
    let rule = match &e.rule {
        Rule::NotAllowed { value, allowed } => {
            let allowed: Vec<String> = allowed.iter().map(|a| format!("`{a}`")).collect();
            format!(
                "has value `{value}`, which is not one of {}",
                allowed.join(", ")
            )
        }
        Rule::Format { expected, value } => {
            format!("has value `{value}`, which is not in the format {expected}")
        }
        Rule::Unreadable { reason, .. } => format!("is a file that cannot be read: {reason}"),
        other => other.to_string(),
    };
    format!("field `{}` {rule}", e.field)
}

/// The first file part that does not stand for one of the method's `File` fields (a text
/// field sent as a file part would otherwise reach the validation unsigned: file parts are
/// never signed). The method's validation says which fields are files: it refuses a `File`
/// field given inside `biz_content` with [`FILE_IN_BIZ_CONTENT`], and nothing else so.
///
/// [`FILE_IN_BIZ_CONTENT`]: alipay_runtime::validate::FILE_IN_BIZ_CONTENT
pub(crate) fn non_file_part<'f>(
    shared: &Shared,
    descriptor: &MethodDescriptor,
    files: &'f [crate::log::RecordedFile],
) -> Option<&'f str> {
    use alipay_runtime::Rule;
    use alipay_runtime::validate::FILE_IN_BIZ_CONTENT;
    files.iter().map(|f| f.name.as_str()).find(|name| {
        let probe = serde_json::json!({ *name: "" });
        let is_file = matches!(
            shared.validate(descriptor, Some(&probe), &[]),
            Err(e) if e.field == *name && e.rule == Rule::Unsupported(FILE_IN_BIZ_CONTENT)
        );
        !is_file
    })
}

/// A certificate SN a request carried, as a `sub_msg` names it: the value, or that it is missing.
fn shown_sn(sn: Option<&str>) -> String {
    sn.map_or_else(|| "missing".to_owned(), |sn| format!("`{sn}`"))
}

/// A request that passed every check.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Accepted {
    pub descriptor: &'static MethodDescriptor,
    pub sign_type: SignType,
    /// Whether the request was AES-encrypted (its method answer is then encrypted too).
    pub encrypted: bool,
}

/// The outcome of the checks: the request (or what could be read of it), whether its
/// signature verified, the decrypted `biz_content` of an encrypted request, and the verdict.
pub(crate) struct Checked {
    pub signature_verified: bool,
    pub decrypted_biz_content: Option<String>,
    pub verdict: Result<Accepted, Refusal>,
}

/// Decodes raw pairs in `charset`; a value that is not valid in it is refused.
pub(crate) fn decode(
    pairs: &[(Vec<u8>, Vec<u8>)],
    charset: Charset,
) -> Result<Vec<(String, String)>, Refusal> {
    pairs
        .iter()
        .map(|(k, v)| {
            let key = crypto::decode(charset, k);
            let value = crypto::decode(charset, v);
            match (key, value) {
                (Some(key), Some(value)) => Ok((key, value)),
                _ => Err(refuse(
                    NodeName::Error,
                    INVALID,
                    PublicSubCode::InvalidCharset,
                    format!(
                        "字符集错误: parameter `{}` is not valid {}",
                        String::from_utf8_lossy(k),
                        charset.as_str()
                    ),
                )),
            }
        })
        .collect()
}

/// Runs every check on a decoded request.
pub(crate) fn check(shared: &Shared, request: &Decoded) -> Checked {
    let mut signature_verified = false;
    let mut decrypted_biz_content = None;
    let verdict = run(
        shared,
        request,
        &mut signature_verified,
        &mut decrypted_biz_content,
    );
    Checked {
        signature_verified,
        decrypted_biz_content,
        verdict,
    }
}

#[cfg(test)]
mod tests {
    use alipay_runtime::{Rule, ValidationError};

    #[test]
    fn validation_sub_msgs_are_plain_text() {
        let not_allowed = ValidationError::new(
            "product_code",
            Rule::NotAllowed {
                value: "X\"Y\t".into(),
                allowed: vec!["FAST_INSTANT_TRADE_PAY", "QUICK_WAP_WAY"],
            },
        );
        assert_eq!(
            super::plain_validation(&not_allowed),
            "field `product_code` has value `X\"Y\t`, which is not one of `FAST_INSTANT_TRADE_PAY`, `QUICK_WAP_WAY`"
        );
        let format = ValidationError::new(
            "time_expire",
            Rule::Format {
                expected: "yyyy-MM-dd HH:mm:ss",
                value: "明天".into(),
            },
        );
        assert_eq!(
            super::plain_validation(&format),
            "field `time_expire` has value `明天`, which is not in the format yyyy-MM-dd HH:mm:ss"
        );
        assert_eq!(
            super::plain_validation(&ValidationError::new("no", Rule::Required)),
            "field `no` is required"
        );
    }
}
