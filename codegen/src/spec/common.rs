//! `specs/common.yaml`: what every method shares (public request and response parameters and
//! the gateway's public error codes). Its shape is documented in `specs/README.md` and
//! `specs/common.schema.json`; key names here are a public contract.

use serde::{Deserialize, Serialize};

use super::model::{ErrorCode, Field};
use super::shape::{ERROR_CODE, FIELDS, KeyRule, Kind};

/// The file name of the shared spec in a specs folder.
pub const COMMON_FILE: &str = "common.yaml";

/// The contents of `specs/common.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommonSpec {
    /// Where the facts come from (page addresses).
    pub source: String,
    /// The production gateway address the pages give.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_url: Option<String>,
    /// 公共请求参数, in page order.
    pub request: Vec<Field>,
    /// 公共响应参数, in page order.
    pub response: Vec<Field>,
    /// 公共错误码: one entry per gateway `code`.
    pub gateway_codes: Vec<GatewayCode>,
}

/// One gateway `code` (`"40004"`) with its `msg` and documented sub_codes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GatewayCode {
    /// The code as sent, a string of digits.
    pub code: String,
    /// The English `msg` the gateway returns with it.
    pub msg: String,
    /// 返回码描述.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// 解决方案 for the code itself, where the table gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub solution: Option<String>,
    /// Its documented sub_codes, in table order.
    #[serde(default)]
    pub sub_codes: Vec<ErrorCode>,
}

const GATEWAY_CODE: &[KeyRule] = &[
    KeyRule {
        key: "code",
        kind: Kind::Str,
        required: true,
    },
    KeyRule {
        key: "msg",
        kind: Kind::Str,
        required: true,
    },
    KeyRule {
        key: "description",
        kind: Kind::Str,
        required: false,
    },
    KeyRule {
        key: "solution",
        kind: Kind::Str,
        required: false,
    },
    KeyRule {
        key: "sub_codes",
        kind: Kind::List(&Kind::Struct(ERROR_CODE)),
        required: false,
    },
];

/// The top level of `common.yaml`: mirrors [`CommonSpec`].
pub(crate) const COMMON: &[KeyRule] = &[
    KeyRule {
        key: "source",
        kind: Kind::Str,
        required: true,
    },
    KeyRule {
        key: "gateway_url",
        kind: Kind::Str,
        required: false,
    },
    KeyRule {
        key: "request",
        kind: FIELDS,
        required: true,
    },
    KeyRule {
        key: "response",
        kind: FIELDS,
        required: true,
    },
    KeyRule {
        key: "gateway_codes",
        kind: Kind::List(&Kind::Struct(GATEWAY_CODE)),
        required: true,
    },
];
