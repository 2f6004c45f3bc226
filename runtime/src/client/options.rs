//! [`RequestOptions`]: the public parameters one request sets over the client's.

use std::fmt;

use crate::method::Protocol;
use crate::protocol::param;
use crate::request::PrepareError;
use crate::validate::{Rule, ValidationError};

/// Public parameters of one request, over the client's own (a platform calls on behalf of
/// many merchants and users, and each order has its own addresses): `return_url`,
/// `notify_url`, `app_auth_token` and `auth_token`. Give them to the `*_with` functions of
/// [`Client`](crate::Client) ([`execute_with`](crate::Client::execute_with),
/// [`page_form_with`](crate::Client::page_form_with), ...).
///
/// A value set here wins over the client's ([`ClientBuilder::notify_url`](crate::ClientBuilder::notify_url)
/// and the like); an empty one counts as not set. A request whose method lists one of these
/// among its own fields (`return_url` of `alipay.trade.page.pay`) sends that value as the same
/// public parameter; setting it both there and here is refused before anything is signed.
///
/// ```
/// use alipay_runtime::RequestOptions;
///
/// let options = RequestOptions::new()
///     .app_auth_token("202409BBe3f0c6dd6a9844a7a1a1fd4bb9b6aX48")
///     .notify_url("https://shop.example/alipay/notify")
///     .return_url("https://shop.example/orders/T1");
/// // Tokens never show in Debug.
/// assert!(!format!("{options:?}").contains("202409BB"));
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct RequestOptions {
    pub(crate) app_auth_token: Option<String>,
    pub(crate) auth_token: Option<String>,
    pub(crate) notify_url: Option<String>,
    pub(crate) return_url: Option<String>,
    pub(crate) protocol: Option<Protocol>,
}

/// No per-request values, for the calls that take none.
pub(crate) static NO_OPTIONS: RequestOptions = RequestOptions {
    app_auth_token: None,
    auth_token: None,
    notify_url: None,
    return_url: None,
    protocol: None,
};

fn non_empty(value: impl Into<String>) -> Option<String> {
    Some(value.into()).filter(|v| !v.is_empty())
}

impl RequestOptions {
    /// No per-request values: the client's own are sent.
    pub fn new() -> Self {
        Self::default()
    }

    /// The `app_auth_token` of the merchant this request is made for (third-party apps).
    pub fn app_auth_token(mut self, token: impl Into<String>) -> Self {
        self.app_auth_token = non_empty(token);
        self
    }

    /// The `auth_token` of the user who authorised this call (the access token that
    /// `alipay.system.oauth.token` returned), for methods such as `alipay.user.info.share`.
    pub fn auth_token(mut self, token: impl Into<String>) -> Self {
        self.auth_token = non_empty(token);
        self
    }

    /// Where Alipay sends this request's asynchronous notifications. A v2 public parameter: a
    /// v3 call with one is refused ([`Error::InvalidRequest`](crate::Error::InvalidRequest),
    /// nothing sent), since v3 carries it only as a body field of the methods that take one
    /// (set the request's own `notify_url`).
    pub fn notify_url(mut self, url: impl Into<String>) -> Self {
        self.notify_url = non_empty(url);
        self
    }

    /// The protocol of this call, over the client's
    /// ([`ClientBuilder::protocol`](crate::ClientBuilder::protocol)). Page and app methods are
    /// signed as v2 whatever is set here.
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = Some(protocol);
        self
    }

    /// Where a page method sends the user's browser back afterwards. A v2 public parameter,
    /// refused on a v3 call as [`RequestOptions::notify_url`] is (page methods are always
    /// signed as v2).
    pub fn return_url(mut self, url: impl Into<String>) -> Self {
        self.return_url = non_empty(url);
        self
    }

    /// Refuses what a v3 call cannot carry: a token holding white space or a control
    /// character (it goes into a header and a line of the signed string), and this call's own
    /// `notify_url` or `return_url`, v2 public parameters that a v3 call would drop: refused
    /// rather than dropped, so that no one waits for notifications that were never asked for.
    pub(crate) fn check_v3(&self) -> Result<(), PrepareError> {
        crate::request::check_tokens(&[
            (param::APP_AUTH_TOKEN, self.app_auth_token.as_deref()),
            (param::AUTH_TOKEN, self.auth_token.as_deref()),
        ])?;
        for (field, url) in [
            (param::NOTIFY_URL, &self.notify_url),
            (param::RETURN_URL, &self.return_url),
        ] {
            if url.is_some() {
                return Err(PrepareError::Invalid(ValidationError::new(
                    field,
                    Rule::Unsupported(
                        "is a v2 public parameter, which a v3 call does not send: set the \
                         request's own field where its method has one, or call over v2",
                    ),
                )));
            }
        }
        Ok(())
    }
}

impl fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let redacted = |v: &Option<String>| v.as_ref().map(|_| "<redacted>");
        f.debug_struct("RequestOptions")
            .field(param::APP_AUTH_TOKEN, &redacted(&self.app_auth_token))
            .field(param::AUTH_TOKEN, &redacted(&self.auth_token))
            .field(param::NOTIFY_URL, &self.notify_url)
            .field(param::RETURN_URL, &self.return_url)
            .field("protocol", &self.protocol)
            .finish()
    }
}
