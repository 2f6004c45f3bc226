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
    /// How the method is meant to be called: a server call (`server`), a page the user's
    /// browser opens (`page`) or an order string for the Alipay app (`app`). When absent it
    /// is inferred from the method name ([`CallStyle::inferred`]); read it through
    /// [`Spec::call_style`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_style: Option<CallStyle>,
    /// Where the page is inconsistent as a whole, what and how.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// 请求参数, in page order.
    #[serde(default)]
    pub request: Vec<Field>,
    /// 特殊可选: groups of top-level request fields (wire names) of which at least one must be
    /// given, each field itself optional (`out_trade_no` or `trade_no` of `alipay.trade.query`:
    /// "和支付宝交易号不能同时为空"). The generated validation refuses a request that gives none
    /// of a group, before anything is signed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub at_least_one_of: Vec<Vec<String>>,
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
    /// The method's route under Alipay's v3 protocol (`POST /v3/alipay/trade/query`), where
    /// Alipay's OpenAPI document gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub route: Option<Route>,
}

/// A method's route under the v3 protocol (the `route` key): one spec, one typed request
/// for both protocols; the route says how the v3 protocol sends that request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// The HTTP method.
    pub http_method: HttpMethod,
    /// The path, from `/v3/`; each `{name}` segment is the request field of that wire name,
    /// percent-encoded.
    pub path: String,
    /// How the request fields that are not path or query parameters are sent.
    #[serde(default, skip_serializing_if = "Body::is_default")]
    pub body: Body,
    /// The request fields (by wire name) sent as query parameters, in order; `auth_token` may
    /// be named without being a field: it is then the public parameter of that name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub query: Vec<String>,
    /// Whether the method is also served under the v2 protocol (the gateway's `method`
    /// parameter); `false` for a method only the v3 protocol has.
    #[serde(default = "yes", skip_serializing_if = "is_true")]
    pub v2: bool,
    /// Where the route comes from (the document and its version).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Where the route is odd (a field the document does not place), what and how.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn yes() -> bool {
    true
}

fn is_true(value: &bool) -> bool {
    *value
}

/// The HTTP method of a v3 route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
    /// `PUT`.
    Put,
    /// `PATCH`.
    Patch,
    /// `DELETE`.
    Delete,
}

impl HttpMethod {
    /// The method as sent: `GET`, `POST`, `PUT`, `PATCH` or `DELETE`.
    pub fn as_str(self) -> &'static str {
        match self {
            HttpMethod::Get => "GET",
            HttpMethod::Post => "POST",
            HttpMethod::Put => "PUT",
            HttpMethod::Patch => "PATCH",
            HttpMethod::Delete => "DELETE",
        }
    }
}

/// How a v3 request's body is sent (the route's `body` key).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Body {
    /// A JSON object of the fields (the default).
    #[default]
    Json,
    /// `multipart/form-data`: a `data` part holding the JSON object, and each file its own part.
    Multipart,
    /// No body: every field is a path or query parameter.
    None,
}

impl Body {
    fn is_default(&self) -> bool {
        *self == Body::Json
    }

    /// The key's value as written in a spec: `json`, `multipart` or `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            Body::Json => "json",
            Body::Multipart => "multipart",
            Body::None => "none",
        }
    }
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
    /// Imported from Alipay's OpenAPI document of the v3 protocol (a method no other source
    /// has): names, types, nesting, descriptions, the route and the error codes.
    Openapi,
}

impl Provenance {
    fn is_default(&self) -> bool {
        *self == Provenance::DocPage
    }

    /// The key's value as written in a spec: `doc_page`, `sdk_models` or `openapi`.
    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::DocPage => "doc_page",
            Provenance::SdkModels => "sdk_models",
            Provenance::Openapi => "openapi",
        }
    }
}

/// How a method is meant to be called (the `call_style` key).
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum CallStyle {
    /// A server-to-server call: the client POSTs it and verifies the signed answer
    /// (`client.execute`).
    #[default]
    Server,
    /// A page the user's browser opens (`alipay.trade.page.pay`, `alipay.trade.wap.pay`):
    /// the client signs it into a form or URL (`client.page_form`, `client.page_url`).
    Page,
    /// An order string handed to the Alipay app SDK (`alipay.trade.app.pay`):
    /// `client.app_order_string`.
    App,
}

impl CallStyle {
    /// The key's value as written in a spec: `server`, `page` or `app`.
    pub fn as_str(self) -> &'static str {
        match self {
            CallStyle::Server => "server",
            CallStyle::Page => "page",
            CallStyle::App => "app",
        }
    }

    /// The call style of a spec without the key, from the method name alone (the specs
    /// converted from the SDK's models carry none: the SDK does not say). Page methods end in
    /// `.page.pay`, `.wap.pay` or `.page.sign` (`alipay.trade.page.pay`,
    /// `alipay.user.agreement.page.sign`), app methods in `.app.pay` (`alipay.trade.app.pay`,
    /// `alipay.fund.trans.app.pay`), either with `.merge` before the last segment
    /// (`alipay.trade.wap.merge.pay`); everything else is a server call, including the many
    /// `*.page.query` methods, where `page` means a page of results.
    ///
    /// ```
    /// use alipay_codegen::spec::CallStyle;
    /// assert_eq!(CallStyle::inferred("alipay.trade.wap.pay"), CallStyle::Page);
    /// assert_eq!(CallStyle::inferred("alipay.trade.page.merge.pay"), CallStyle::Page);
    /// assert_eq!(CallStyle::inferred("alipay.trade.app.pay"), CallStyle::App);
    /// assert_eq!(CallStyle::inferred("alipay.trade.page.refund"), CallStyle::Server);
    /// assert_eq!(CallStyle::inferred("alipay.open.mini.data.page.query"), CallStyle::Server);
    /// assert_eq!(CallStyle::inferred("alipay.pay.app.car.pay"), CallStyle::Server);
    /// ```
    pub fn inferred(method: &str) -> CallStyle {
        let mut segments = method.rsplit('.');
        let last = segments.next().unwrap_or_default();
        let before = match segments.next() {
            Some("merge") => segments.next(),
            other => other,
        };
        match (before.unwrap_or_default(), last) {
            ("page" | "wap", "pay" | "sign") => CallStyle::Page,
            ("app", "pay") => CallStyle::App,
            _ => CallStyle::Server,
        }
    }
}

impl Spec {
    /// A spec of `method` titled `title` with `provenance`, every other key at its default
    /// (version `1.0`, no fields, models, errors, examples, notification or route).
    pub fn new(
        method: impl Into<String>,
        title: impl Into<String>,
        provenance: Provenance,
    ) -> Spec {
        Spec {
            method: method.into(),
            title: title.into(),
            description: String::new(),
            version: default_version(),
            doc_url: None,
            provenance,
            call_style: None,
            note: None,
            request: Vec::new(),
            at_least_one_of: Vec::new(),
            response: Vec::new(),
            models: BTreeMap::new(),
            errors: Vec::new(),
            examples: Examples::default(),
            notification: None,
            route: None,
        }
    }

    /// How the method is meant to be called: the `call_style` key, or when absent the
    /// style [`CallStyle::inferred`] from the method name.
    pub fn call_style(&self) -> CallStyle {
        self.call_style
            .unwrap_or_else(|| CallStyle::inferred(&self.method))
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
    /// Where the field comes from, when not from the spec's own source (`provenance`): a
    /// field the import of Alipay's OpenAPI document added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
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
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// 解决方案.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub solution: String,
    /// Where the page is odd about this code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Where the code comes from, when not from the spec's own source (`provenance`): a code
    /// the import of Alipay's OpenAPI document added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
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
