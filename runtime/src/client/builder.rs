//! [`ClientBuilder`]: collects the settings and names configuration mistakes.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::{AppSigner, Client, Clock, Config, Gateway, Inner};
use crate::charset::Charset;
use crate::error::ConfigError;
use crate::keys::{PublicKey, check_alipay_public_key};
use crate::sign::SignType;

/// Default time allowed to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default time allowed for a whole call, from connecting to the last byte of the answer.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Builds a [`Client`]; see [`Client::builder`].
#[derive(Default)]
pub struct ClientBuilder {
    gateway: Gateway,
    app_id: Option<String>,
    signer: Option<AppSigner>,
    alipay_public_key: Option<PublicKey>,
    sign_type: SignType,
    charset: Charset,
    app_auth_token: Option<String>,
    notify_url: Option<String>,
    return_url: Option<String>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    http_client: Option<reqwest::Client>,
    retry_connect_failures: u32,
    clock: Option<Clock>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("gateway", &self.gateway)
            .field("app_id", &self.app_id)
            .field("signer", &self.signer)
            .field("sign_type", &self.sign_type)
            .field("charset", &self.charset)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The gateway: [`Gateway::Production`] (default), [`Gateway::Sandbox`], or any URL.
    pub fn gateway(mut self, gateway: impl Into<Gateway>) -> Self {
        self.gateway = gateway.into();
        self
    }

    /// The app's `app_id` (required).
    pub fn app_id(mut self, app_id: impl Into<String>) -> Self {
        self.app_id = Some(app_id.into());
        self
    }

    /// The app private key (required), or any [`Signer`](crate::sign::Signer) as `Arc<dyn Signer>`.
    pub fn private_key(mut self, key: impl Into<AppSigner>) -> Self {
        self.signer = Some(key.into());
        self
    }

    /// The Alipay public key (支付宝公钥) that verifies every answer (required).
    pub fn alipay_public_key(mut self, key: PublicKey) -> Self {
        self.alipay_public_key = Some(key);
        self
    }

    /// The signature algorithm, `RSA2` (default) or `RSA`.
    pub fn sign_type(mut self, sign_type: SignType) -> Self {
        self.sign_type = sign_type;
        self
    }

    /// The request charset, utf-8 (default), GBK or GB2312.
    pub fn charset(mut self, charset: Charset) -> Self {
        self.charset = charset;
        self
    }

    /// The `app_auth_token` for calls made on behalf of a merchant (third-party apps).
    pub fn app_auth_token(mut self, token: impl Into<String>) -> Self {
        self.app_auth_token = Some(token.into()).filter(|t: &String| !t.is_empty());
        self
    }

    /// The `notify_url` sent with every request.
    pub fn notify_url(mut self, url: impl Into<String>) -> Self {
        self.notify_url = Some(url.into()).filter(|t: &String| !t.is_empty());
        self
    }

    /// The `return_url` sent with every request.
    pub fn return_url(mut self, url: impl Into<String>) -> Self {
        self.return_url = Some(url.into()).filter(|t: &String| !t.is_empty());
        self
    }

    /// The time allowed to open a connection (default 5 s). Cannot be combined with
    /// [`ClientBuilder::http_client`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The time allowed for a whole call, from connecting to the last byte of the answer
    /// (default 30 s). Applies to a user-supplied HTTP client too.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sends through this `reqwest::Client` (proxies, TLS roots, connection pool of your
    /// choice) instead of one built by the client.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Retries a call up to `n` more times when no connection could be opened (default 0).
    ///
    /// Only failures that prove the request never reached the gateway are retried, after a
    /// pause of 100 ms, 200 ms, 400 ms, ... (at most 2 s); a request that may have reached it
    /// is never resent automatically.
    pub fn retry_connect_failures(mut self, n: u32) -> Self {
        self.retry_connect_failures = n;
        self
    }

    /// Where the `timestamp` parameter's time comes from (default: the system clock).
    pub fn clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Checks the configuration and builds the client.
    ///
    /// Names the usual mistakes: no `app_id`, no key, the app's own public key configured as
    /// the Alipay public key, a gateway that is not an http(s) URL.
    pub fn build(self) -> Result<Client, ConfigError> {
        let app_id = self
            .app_id
            .filter(|id| !id.trim().is_empty())
            .ok_or(ConfigError::MissingAppId)?;
        let signer = self.signer.ok_or(ConfigError::MissingPrivateKey)?;
        let alipay_public_key = self
            .alipay_public_key
            .ok_or(ConfigError::MissingAlipayPublicKey)?;
        if let AppSigner::PrivateKey(key) = &signer {
            check_alipay_public_key(key, &alipay_public_key)?;
        }
        let gateway = check_gateway(self.gateway.url())?;

        let http = match self.http_client {
            Some(client) => {
                if self.connect_timeout.is_some() {
                    return Err(ConfigError::ConnectTimeoutWithCustomClient);
                }
                client
            }
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                .user_agent(concat!("alipay-rs/", env!("CARGO_PKG_VERSION")))
                // A redirect would carry the signed query (and app_auth_token) elsewhere, and
                // turn the POST into a GET: report it as an HTTP status instead.
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(ConfigError::HttpClient)?,
        };

        let config = Config {
            gateway,
            app_id,
            signer,
            alipay_public_key,
            sign_type: self.sign_type,
            charset: self.charset,
            app_auth_token: self.app_auth_token,
            notify_url: self.notify_url,
            return_url: self.return_url,
            clock: self.clock.unwrap_or_else(|| Arc::new(SystemTime::now)),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                config,
                http,
                timeout: self.timeout.unwrap_or(DEFAULT_TIMEOUT),
                retry_connect_failures: self.retry_connect_failures,
            }),
        })
    }
}

fn check_gateway(url: &str) -> Result<String, ConfigError> {
    let invalid = |reason| ConfigError::InvalidGateway {
        url: url.to_owned(),
        reason,
    };
    let parsed = reqwest::Url::parse(url).map_err(|_| invalid("not an absolute URL"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("it has no host"));
    }
    if parsed.fragment().is_some() {
        return Err(invalid("it has a #fragment"));
    }
    Ok(url.to_owned())
}
