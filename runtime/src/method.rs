//! The contract between generated code and the runtime.

use crate::protocol::param;
use crate::upload::FileUpload;
use crate::v3::Route;
use crate::validate::ValidationError;

/// One Alipay OpenAPI method, implemented by every generated request type.
///
/// The runtime never names a method: everything it needs to know about one comes through
/// this trait.
pub trait Method: Send + Sync {
    /// The wire name, for example `alipay.user.agreement.auth.confirm`.
    const METHOD: &'static str;
    /// The response node, for example `alipay_user_agreement_auth_confirm_response`.
    const RESPONSE_NODE: &'static str;
    /// The method's successful response (the fields of the verified response node).
    type Response: serde::de::DeserializeOwned + Send + 'static;
    /// The method's business error codes (`sub_code` of a `40004` answer).
    type BizError: BizErrorCode;
    /// How the method is meant to be called (the spec's `call_style`): the client refuses
    /// [`Client::execute`](crate::Client::execute) on a page or app method, and
    /// [`Client::page_form`](crate::Client::page_form) and its kin on a server call, before
    /// anything is signed.
    const CALL_STYLE: CallStyle = CallStyle::Server;
    /// The method's route under Alipay's v3 protocol (its spec's `route`), or `None` when it
    /// has none: the client then refuses to send it over v3, before anything is signed.
    const ROUTE: Option<Route> = None;

    /// Checks every documented rule (required, max length, allowed values, formats).
    /// Called by the client before anything is signed or sent.
    fn validate(&self) -> Result<(), ValidationError>;

    /// The parameters this request contributes beyond the public ones.
    fn to_parts(&self) -> Result<RequestParts, ValidationError>;

    /// [`Method::validate`], then [`Method::to_parts`]: what the client calls before signing.
    /// A wrapper whose `to_parts` validates too (as [`WithExtra`](crate::WithExtra)'s does)
    /// overrides it so that a call validates once.
    fn validated_parts(&self) -> Result<RequestParts, ValidationError> {
        self.validate()?;
        self.to_parts()
    }
}

/// How a method is meant to be called: the spec's `call_style` key.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum CallStyle {
    /// A server-to-server call (the default): the client POSTs it to the gateway and verifies
    /// the signed answer, with [`Client::execute`](crate::Client::execute).
    #[default]
    Server,
    /// A page the user's browser opens (`alipay.trade.page.pay`, `alipay.trade.wap.pay`,
    /// `alipay.user.agreement.page.sign`): the client signs it into an auto-submitting form
    /// ([`Client::page_form`](crate::Client::page_form)) or a URL
    /// ([`Client::page_url`](crate::Client::page_url)); the result comes back through
    /// `return_url` and the asynchronous notification, never as an answer to the client.
    Page,
    /// An order handed to the Alipay app SDK (`alipay.trade.app.pay`): the client signs it
    /// into an order string ([`Client::app_order_string`](crate::Client::app_order_string)).
    App,
}

impl CallStyle {
    /// The spec's spelling: `server`, `page` or `app`.
    pub const fn as_str(self) -> &'static str {
        match self {
            CallStyle::Server => "server",
            CallStyle::Page => "page",
            CallStyle::App => "app",
        }
    }
}

impl std::fmt::Display for CallStyle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The protocol a call is sent over.
///
/// v2 (the default) posts a signed form to the gateway (`gateway.do`); v3 sends the method's
/// route (`POST /v3/alipay/trade/query`) signed in an `Authorization` header, with the answer
/// signed in `alipay-*` headers. Choose it for a client
/// ([`ClientBuilder::protocol`](crate::ClientBuilder::protocol)) or one call
/// ([`RequestOptions::protocol`](crate::RequestOptions::protocol)).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// The gateway protocol: a signed form POSTed to `gateway.do`.
    #[default]
    V2,
    /// The REST protocol under `/v3/`, signed in headers.
    V3,
}

impl Protocol {
    /// `v2` or `v3`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Protocol::V2 => "v2",
            Protocol::V3 => "v3",
        }
    }
}

impl std::fmt::Display for Protocol {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a request sends beyond the public parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestParts {
    /// The `biz_content` parameter as compact JSON, or `None` when the method has no
    /// `biz_content` fields at all.
    pub biz_content: Option<String>,
    /// Parameters sent as their own top-level form fields (`in: form` in the spec).
    pub form: Vec<(&'static str, String)>,
    /// Files (`File` fields), each sent as a multipart file part and never signed. With at
    /// least one, the request is `multipart/form-data`.
    pub files: Vec<(&'static str, FileUpload)>,
}

impl RequestParts {
    /// Parts whose `biz_content` is `request` as compact JSON (its form fields skip
    /// serialisation) and no form fields yet.
    pub fn biz_content_of<T: serde::Serialize>(request: &T) -> Result<Self, ValidationError> {
        let json = serde_json::to_string(request).map_err(|_| not_json(param::BIZ_CONTENT))?;
        Ok(Self {
            biz_content: Some(json),
            form: Vec::new(),
            files: Vec::new(),
        })
    }

    /// Adds a file, sent as a multipart file part. A file known only by its name
    /// ([`FileUpload::described`], what validation of JSON input yields) has nothing to send
    /// and fails.
    pub fn file(&mut self, name: &'static str, file: &FileUpload) -> Result<(), ValidationError> {
        file.check_sendable(name)?;
        self.files.push((name, file.clone()));
        Ok(())
    }

    /// Adds a form field sent as text.
    pub fn text(&mut self, name: &'static str, value: &impl std::fmt::Display) {
        self.form.push((name, value.to_string()));
    }

    /// Adds a form field sent as JSON text (a model or a list).
    pub fn json(
        &mut self,
        name: &'static str,
        value: &impl serde::Serialize,
    ) -> Result<(), ValidationError> {
        let json = serde_json::to_string(value).map_err(|_| not_json(name))?;
        self.form.push((name, json));
        Ok(())
    }
}

fn not_json(field: &'static str) -> ValidationError {
    ValidationError::new(
        field,
        crate::Rule::Type {
            expected: "a value serialisable as JSON",
        },
    )
}

/// A method's business error code (`sub_code`), generated as an open enum.
pub trait BizErrorCode:
    std::fmt::Debug + Clone + PartialEq + Send + Sync + 'static + for<'a> From<&'a str>
{
    /// The code exactly as Alipay spells it.
    fn as_str(&self) -> &str;
    /// The documented description, when the code is documented.
    fn description(&self) -> Option<&'static str>;
    /// The documented solution, when the code is documented.
    fn solution(&self) -> Option<&'static str>;
}

/// A documented business error code, as listed on a method's page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ErrorDoc {
    /// The `sub_code`.
    pub code: &'static str,
    /// The page's 错误描述.
    pub description: &'static str,
    /// The page's 解决方案.
    pub solution: &'static str,
}

impl ErrorDoc {
    /// The entry of `code` in a method's documented `errors`, if documented.
    pub fn find(errors: &'static [ErrorDoc], code: &str) -> Option<&'static ErrorDoc> {
        errors.iter().find(|e| e.code == code)
    }
}

/// Static facts about one generated method, for registries, the CLI and the local gateway.
#[derive(Debug, Clone, Copy)]
pub struct MethodDescriptor {
    /// The wire name.
    pub method: &'static str,
    /// The page title.
    pub title: &'static str,
    /// The product group (Cargo feature) the method belongs to.
    pub group: &'static str,
    /// The response node name.
    pub response_node: &'static str,
    /// How the method is meant to be called.
    pub call_style: CallStyle,
    /// The documented business error codes, in page order.
    pub errors: &'static [ErrorDoc],
    /// The page's successful response example, verbatim, if any.
    pub example_response: Option<&'static str>,
    /// The method's route under the v3 protocol, if it has one.
    pub route: Option<Route>,
    /// Validates a request given as JSON biz content plus form fields, strictly, as
    /// Alipay's gateway would: required, max length, listed values only, formats.
    // A plain fn pointer keeps the descriptor `const`-friendly.
    #[allow(clippy::type_complexity)]
    pub validate_request: fn(
        biz_content: Option<&serde_json::Value>,
        form: &[(String, String)],
    ) -> Result<(), ValidationError>,
}

/// The business error codes of a method whose page documents none: every `sub_code` is
/// kept as received. Generated modules of such methods name it as their `BizError`
/// (`pub type BizError = alipay_runtime::UndocumentedBizError;`), which spares the catalog
/// thousands of identical enums.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UndocumentedBizError {
    /// A code the page does not document, kept as received.
    Unknown(String),
}

impl From<&str> for UndocumentedBizError {
    fn from(code: &str) -> Self {
        Self::Unknown(code.to_owned())
    }
}

impl std::fmt::Display for UndocumentedBizError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl BizErrorCode for UndocumentedBizError {
    fn as_str(&self) -> &str {
        match self {
            Self::Unknown(code) => code,
        }
    }

    fn description(&self) -> Option<&'static str> {
        None
    }

    fn solution(&self) -> Option<&'static str> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn undocumented_codes_are_kept_as_received() {
        let code = UndocumentedBizError::from("ACQ.NEW_CODE");
        assert_eq!(code, UndocumentedBizError::Unknown("ACQ.NEW_CODE".into()));
        assert_eq!(
            (code.as_str(), code.to_string()),
            ("ACQ.NEW_CODE", "ACQ.NEW_CODE".into())
        );
        assert_eq!((code.description(), code.solution()), (None, None));
    }
}
