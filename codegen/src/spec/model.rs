//! The spec model: one method as transcribed from its doc page.
//!
//! Key names here are a public contract (see `specs/README.md`): add keys, never rename.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One Alipay method, as in `specs/<method>.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    /// The wire name, for example `alipay.user.agreement.auth.confirm`.
    pub method: String,
    /// The page title (the Chinese name).
    pub title: String,
    /// The page's introduction.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The method version, `"1.0"`.
    #[serde(default = "default_version")]
    pub version: String,
    /// The doc page's address, where known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_url: Option<String>,
    /// Where the spec's facts come from: the method's doc page (the default) or the
    /// official SDK's models (no required flags, lengths, value lists or error tables).
    #[serde(default, skip_serializing_if = "Provenance::is_default")]
    pub provenance: Provenance,
    /// Where the page is inconsistent as a whole, what and how.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// 请求参数, in page order.
    #[serde(default)]
    pub request: Vec<Field>,
    /// 响应参数 beyond the public response parameters, in page order.
    #[serde(default)]
    pub response: Vec<Field>,
    /// Named object types that fields refer to, each a list of fields.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub models: BTreeMap<String, Vec<Field>>,
    /// 业务错误码, in page order.
    #[serde(default)]
    pub errors: Vec<ErrorCode>,
    /// The page's examples, verbatim.
    #[serde(default, skip_serializing_if = "Examples::is_empty")]
    pub examples: Examples,
    /// 异步通知参数: the fields of the method's asynchronous notification, where the method
    /// has one and its page documents them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification: Option<Notification>,
}

/// The fields of a method's asynchronous notification (the `notification` key): the form
/// Alipay POSTs to `notify_url`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notification {
    /// Where the table was transcribed from: page addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// Where the table is odd or incomplete, what and how.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The 异步通知参数 table, one field per row, in page order.
    pub fields: Vec<Field>,
}

/// Where a spec's facts come from (the `provenance` key).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Provenance {
    /// Transcribed from the method's doc page (the default): required flags, lengths, value
    /// lists and error codes are the page's.
    #[default]
    DocPage,
    /// Converted from the official SDK's request and response models: names, types,
    /// nesting and descriptions only; no required flags, lengths, value lists or errors.
    SdkModels,
}

impl Provenance {
    fn is_default(&self) -> bool {
        *self == Provenance::DocPage
    }

    /// The key's value as written in a spec: `doc_page` or `sdk_models`.
    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::DocPage => "doc_page",
            Provenance::SdkModels => "sdk_models",
        }
    }
}

fn default_version() -> String {
    "1.0".to_owned()
}

/// One parameter (request, response or model field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// The wire name.
    pub name: String,
    /// The Rust name to use instead of the one derived from `name`, where two names
    /// collide after case conversion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rust_name: Option<String>,
    /// The page's type notation: `String | Number | Price | Boolean | Date | File | <Model> | <Type>[]`.
    #[serde(rename = "type")]
    pub ty: String,
    /// Whether the page marks it required.
    #[serde(default)]
    pub required: bool,
    /// The maximum length in characters, where the page gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u64>,
    /// For `Date`: `yyyy-MM-dd HH:mm:ss` (default) or `yyyy-MM-dd`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// The page's description.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The page's example value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<String>,
    /// The allowed values, where the page lists them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<AllowedValue>,
    /// Where the parameter is sent.
    #[serde(default, rename = "in", skip_serializing_if = "Location::is_default")]
    pub location: Location,
    /// Where the page is inconsistent about this field, what and how.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// One allowed value of a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowedValue {
    /// The value as sent.
    pub value: String,
    /// What it means.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
}

/// Where a request parameter is sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    /// Inside the `biz_content` JSON (the default).
    #[default]
    BizContent,
    /// As its own top-level form field.
    Form,
}

impl Location {
    fn is_default(&self) -> bool {
        *self == Location::BizContent
    }
}

/// One business error code (`sub_code`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorCode {
    /// The code, spelled exactly as on the page.
    pub code: String,
    /// 错误描述.
    #[serde(default)]
    pub description: String,
    /// 解决方案.
    #[serde(default)]
    pub solution: String,
    /// Where the page is odd about this code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The page's examples, verbatim.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// 请求示例.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    /// 响应示例.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<String>,
    /// 异常示例.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Examples {
    fn is_empty(&self) -> bool {
        self.request.is_none() && self.response.is_none() && self.error.is_none()
    }
}
