//! The Alipay gateway protocol's names, each written once: the public request parameters and
//! the public response fields that `specs/common.yaml` lists (its `request` and `response`), in
//! its order; a test of `alipay-runtime` (`gateway_code`'s) proves the lists and the file agree.
//!
//! A crate of its own, without dependencies, because two packages need the same names: the
//! runtime (`alipay_runtime::protocol` re-exports this crate, as support for generated code)
//! and the generator (`alipay-codegen`, whose IR lowering and importer read them), which must
//! not depend on the runtime's HTTP stack. Not covered by semver beyond what `alipay-runtime`
//! promises: use the names through `alipay_runtime::protocol`.

#![no_std]
#![warn(missing_docs)]

/// The public request parameters, one constant each.
pub mod param {
    /// `app_id`: the app's id.
    pub const APP_ID: &str = "app_id";
    /// `method`: the method's wire name.
    pub const METHOD: &str = "method";
    /// `format`: always `JSON`.
    pub const FORMAT: &str = "format";
    /// `charset`: the request (and answer) charset.
    pub const CHARSET: &str = "charset";
    /// `sign_type`: `RSA2` or `RSA`.
    pub const SIGN_TYPE: &str = "sign_type";
    /// `sign`: the request signature.
    pub const SIGN: &str = "sign";
    /// `timestamp`: Beijing time, `yyyy-MM-dd HH:mm:ss`.
    pub const TIMESTAMP: &str = "timestamp";
    /// `version`: always `1.0`.
    pub const VERSION: &str = "version";
    /// `app_auth_token`: calls made on behalf of a merchant (a secret).
    pub const APP_AUTH_TOKEN: &str = "app_auth_token";
    /// `auth_token`: calls authorised by a user (the access token of
    /// `alipay.system.oauth.token`, for example for `alipay.user.info.share`; a secret).
    pub const AUTH_TOKEN: &str = "auth_token";
    /// `notify_url`: where asynchronous notifications go.
    pub const NOTIFY_URL: &str = "notify_url";
    /// `return_url`: where page methods send the user back.
    pub const RETURN_URL: &str = "return_url";
    /// `biz_content`: the method's own parameters, as JSON (or their AES ciphertext).
    pub const BIZ_CONTENT: &str = "biz_content";
    /// `encrypt_type`: `AES` when `biz_content` is encrypted.
    pub const ENCRYPT_TYPE: &str = "encrypt_type";
    /// `app_cert_sn`: certificate mode, the SN of the app's certificate.
    pub const APP_CERT_SN: &str = "app_cert_sn";
    /// `alipay_root_cert_sn`: certificate mode, the SNs of Alipay's root certificates.
    pub const ALIPAY_ROOT_CERT_SN: &str = "alipay_root_cert_sn";
}

/// The public request parameters `specs/common.yaml` lists, in its order.
pub const PUBLIC_REQUEST_PARAMS: &[&str] = &[
    param::APP_ID,
    param::METHOD,
    param::FORMAT,
    param::CHARSET,
    param::SIGN_TYPE,
    param::SIGN,
    param::TIMESTAMP,
    param::VERSION,
    param::APP_AUTH_TOKEN,
    param::BIZ_CONTENT,
];

/// The public parameters the client also sends when they are configured or set per request
/// (the URLs, the user's `auth_token`, the certificate mode, AES), which `specs/common.yaml`, transcribed from pages that do not
/// print them, does not list.
pub const CONFIGURED_PARAMS: &[&str] = &[
    param::AUTH_TOKEN,
    param::NOTIFY_URL,
    param::RETURN_URL,
    param::ENCRYPT_TYPE,
    param::APP_CERT_SN,
    param::ALIPAY_ROOT_CERT_SN,
];

/// The public parameters a single request may set, over the client's own value (see the
/// runtime's `RequestOptions`): a platform calls on behalf of many merchants and users, and
/// each payment has its own return and notification addresses. A method's form field of one
/// of these names (a spec may list `return_url` among a page method's parameters) is sent as
/// that public parameter.
pub const PER_REQUEST_PARAMS: &[&str] = &[
    param::APP_AUTH_TOKEN,
    param::AUTH_TOKEN,
    param::NOTIFY_URL,
    param::RETURN_URL,
];

/// Whether the client sends `name` itself ([`PUBLIC_REQUEST_PARAMS`] and
/// [`CONFIGURED_PARAMS`]): a method's own form fields must not reuse it, except the
/// [`PER_REQUEST_PARAMS`], which are then sent as that public parameter.
pub fn is_sent_by_client(name: &str) -> bool {
    PUBLIC_REQUEST_PARAMS.contains(&name) || CONFIGURED_PARAMS.contains(&name)
}

/// The public response fields, one constant each.
pub mod field {
    /// `code`: the gateway's answer code.
    pub const CODE: &str = "code";
    /// `msg`: the gateway's answer message.
    pub const MSG: &str = "msg";
    /// `sub_code`: the public or the method's error code.
    pub const SUB_CODE: &str = "sub_code";
    /// `sub_msg`: the error code's message.
    pub const SUB_MSG: &str = "sub_msg";
    /// `sign`: the answer's signature, beside the node it covers.
    pub const SIGN: &str = "sign";
}

/// The public response fields, in `specs/common.yaml`'s order.
pub const PUBLIC_RESPONSE_FIELDS: &[&str] = &[
    field::CODE,
    field::MSG,
    field::SUB_CODE,
    field::SUB_MSG,
    field::SIGN,
];
