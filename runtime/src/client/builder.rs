//! [`ClientBuilder`]: collects the settings and names configuration mistakes.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::cert_mode::{CertMode, CertStore, DEFAULT_REFUSED_CERT_RETRY_AFTER};
use super::{AppSigner, Client, Clock, Config, Gateway, Inner};
use crate::cert::{AlipayCert, AppCert, RootBundle};
use crate::charset::Charset;
use crate::encrypt::EncryptKey;
use crate::error::ConfigError;
use crate::keys::{PublicKey, check_alipay_public_key};
use crate::method::Protocol;
use crate::protocol::param;
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
    app_cert: Option<AppCert>,
    alipay_cert: Option<AlipayCert>,
    alipay_root_cert: Option<RootBundle>,
    cert_store: Option<Arc<dyn CertStore>>,
    refused_cert_retry_after: Option<Duration>,
    encrypt_key: Option<EncryptKey>,
    protocol: Protocol,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("gateway", &self.gateway)
            .field(param::APP_ID, &self.app_id)
            .field("signer", &self.signer)
            .field(param::SIGN_TYPE, &self.sign_type)
            .field(param::CHARSET, &self.charset)
            .field("app_cert", &self.app_cert)
            .field("alipay_cert", &self.alipay_cert)
            .field("encrypt_key", &self.encrypt_key)
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

    /// Public-key certificate mode: the app public-key certificate
    /// (`appCertPublicKey_<app_id>.crt`), whose SN is sent as `app_cert_sn`.
    ///
    /// Certificate mode needs all three of [`ClientBuilder::app_cert`],
    /// [`ClientBuilder::alipay_cert`] and [`ClientBuilder::alipay_root_cert`]; the Alipay public
    /// key then comes from the Alipay certificate and [`ClientBuilder::alipay_public_key`] is
    /// not needed.
    pub fn app_cert(mut self, cert: AppCert) -> Self {
        self.app_cert = Some(cert);
        self
    }

    /// Certificate mode: the Alipay public-key certificate (`alipayCertPublicKey_RSA2.crt`).
    /// [`ClientBuilder::build`] refuses it unless it chains to the root bundle and is valid.
    pub fn alipay_cert(mut self, cert: AlipayCert) -> Self {
        self.alipay_cert = Some(cert);
        self
    }

    /// Certificate mode: the Alipay root certificate bundle (`alipayRootCert.crt`), whose SN is
    /// sent as `alipay_root_cert_sn` and which every Alipay certificate must chain to.
    pub fn alipay_root_cert(mut self, roots: RootBundle) -> Self {
        self.alipay_root_cert = Some(roots);
        self
    }

    /// Certificate mode: how long an `alipay_cert_sn` whose certificate was refused (not
    /// fetched, or not chaining to the root bundle) is refused again at once, without a new
    /// download (default [`DEFAULT_REFUSED_CERT_RETRY_AFTER`], 10 minutes). An answer naming
    /// an unknown certificate then costs one download per SN and period, not one per call; at
    /// most 64 refused SNs are remembered.
    pub fn refused_cert_retry_after(mut self, period: Duration) -> Self {
        self.refused_cert_retry_after = Some(period);
        self
    }

    /// Certificate mode: where rotated Alipay certificates are kept (see [`CertStore`]).
    pub fn cert_store(mut self, store: Arc<dyn CertStore>) -> Self {
        self.cert_store = Some(store);
        self
    }

    /// AES content encryption (`encrypt_type=AES`): every `biz_content` is encrypted with this
    /// key before it is signed, and encrypted answers are decrypted after they verify.
    pub fn encrypt_key(mut self, key: EncryptKey) -> Self {
        self.encrypt_key = Some(key);
        self
    }

    /// The protocol every call uses unless it sets another with
    /// [`RequestOptions::protocol`](crate::RequestOptions::protocol): [`Protocol::V2`] (the
    /// default) or [`Protocol::V3`], whose paths go to the gateway URL's origin. Over v3, a
    /// method without a v3 route is refused before anything is signed.
    ///
    /// Over v3 the client's `notify_url` and `return_url` are not sent: they are v2 public
    /// parameters, and v3 carries them only as body fields of the methods that take them (set
    /// the request's own `notify_url`). `app_auth_token` is sent in the
    /// `alipay-app-auth-token` header, `auth_token` (per call) as the query parameter of the
    /// routes that list it.
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// Checks the configuration and builds the client.
    ///
    /// Names the usual mistakes: no `app_id`, no key, the app's own public key configured as
    /// the Alipay public key, a gateway that is not an http(s) URL.
    pub fn build(mut self) -> Result<Client, ConfigError> {
        let app_id = self
            .app_id
            .take()
            .filter(|id| !id.trim().is_empty())
            .ok_or(ConfigError::MissingAppId)?;
        for (setting, value) in [
            (param::APP_ID, Some(&app_id)),
            (param::APP_AUTH_TOKEN, self.app_auth_token.as_ref()),
        ] {
            if let Some(reason) = value.and_then(|v| token_problem(v)) {
                return Err(ConfigError::InvalidSetting { setting, reason });
            }
        }
        let signer = self.signer.take().ok_or(ConfigError::MissingPrivateKey)?;
        let clock = self
            .clock
            .take()
            .unwrap_or_else(|| Arc::new(SystemTime::now));
        let cert = self.take_cert_mode(&signer, &*clock)?;
        let alipay_public_key = match (&cert, self.alipay_public_key.take()) {
            (Some(cert), _) => cert.alipay.public_key().clone(),
            (None, key) => key.ok_or(ConfigError::MissingAlipayPublicKey)?,
        };
        if let AppSigner::PrivateKey(key) = &signer {
            check_alipay_public_key(key, &alipay_public_key)?;
        }
        let (gateway, v3_origin) = check_gateway(self.gateway.url())?;
        for (setting, url) in [
            (param::NOTIFY_URL, &self.notify_url),
            (param::RETURN_URL, &self.return_url),
        ] {
            if let Some(url) = url {
                check_callback_url(url).map_err(|reason| ConfigError::InvalidUrl {
                    setting,
                    url: url.clone(),
                    reason,
                })?;
            }
        }

        let http = self.take_http_client()?;

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
            clock,
            cert,
            encrypt_key: self.encrypt_key,
            protocol: self.protocol,
            v3_origin,
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

impl ClientBuilder {
    /// Certificate mode, when all three certificates are given: the Alipay certificate must
    /// chain to the root bundle now (by `clock`), and the app certificate hold the app key.
    fn take_cert_mode(
        &mut self,
        signer: &AppSigner,
        clock: &dyn Fn() -> SystemTime,
    ) -> Result<Option<Arc<CertMode>>, ConfigError> {
        Ok(
            match (
                self.app_cert.take(),
                self.alipay_cert.take(),
                self.alipay_root_cert.take(),
            ) {
                (None, None, None) => None,
                (Some(app), Some(alipay), Some(root)) => {
                    root.verify(&alipay, clock()).map_err(|source| {
                        ConfigError::UntrustedAlipayCert {
                            file: alipay.file().map_or_else(
                                || "alipay_cert".to_owned(),
                                |f| f.display().to_string(),
                            ),
                            source,
                        }
                    })?;
                    if let AppSigner::PrivateKey(key) = signer
                        && app.public_key()? != key.public_key()
                    {
                        return Err(ConfigError::AppCertKeyMismatch {
                            app_cert_sn: app.sn().to_owned(),
                        });
                    }
                    Some(Arc::new(CertMode::new(
                        &app,
                        alipay,
                        root,
                        self.cert_store.take(),
                        self.refused_cert_retry_after
                            .unwrap_or(DEFAULT_REFUSED_CERT_RETRY_AFTER),
                    )))
                }
                (app, alipay, _) => {
                    return Err(ConfigError::IncompleteCertMode {
                        missing: if app.is_none() {
                            "app_cert"
                        } else if alipay.is_none() {
                            "alipay_cert"
                        } else {
                            "alipay_root_cert"
                        },
                    });
                }
            },
        )
    }

    /// The given HTTP client (then no connect timeout may be set), or one with the connect
    /// timeout, this crate's user agent and no redirects.
    fn take_http_client(&mut self) -> Result<reqwest::Client, ConfigError> {
        match self.http_client.take() {
            Some(client) => {
                if self.connect_timeout.is_some() {
                    return Err(ConfigError::ConnectTimeoutWithCustomClient);
                }
                Ok(client)
            }
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                .user_agent(concat!("alipay-rs/", env!("CARGO_PKG_VERSION")))
                // A redirect would carry the signed query (and app_auth_token) elsewhere, and
                // turn the POST into a GET: report it as an HTTP status instead.
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(ConfigError::HttpClient),
        }
    }
}

/// The gateway URL, checked, and its origin (where v3 paths go).
fn check_gateway(url: &str) -> Result<(String, String), ConfigError> {
    let invalid = |reason| ConfigError::InvalidGateway {
        url: url.to_owned(),
        reason,
    };
    // The URL parser would drop a line break or tab silently, but the URL given is the one
    // that page URLs and forms are written with.
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid("it holds white space or a control character"));
    }
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
    Ok((url.to_owned(), parsed.origin().ascii_serialization()))
}

/// Why `value` (an `app_id`, `app_auth_token` or `auth_token`) cannot be sent, if it cannot:
/// white space or a control character, which no real one holds, and which would end or split
/// a v3 header (`Authorization`, `alipay-app-auth-token`) or a line of the v3 signed string.
pub(crate) fn token_problem(value: &str) -> Option<&'static str> {
    value
        .chars()
        .any(|c| c.is_whitespace() || c.is_control())
        .then_some("it holds white space or a control character")
}

/// Why `url` cannot be a `notify_url` or `return_url`, if it cannot: Alipay's pages take an
/// absolute `http` or `https` URL (a `javascript:` or `data:` URL would run in the buyer's
/// browser), and a URL holding white space or a control character is refused rather than
/// repaired (a URL parser would silently drop a line break, so the URL signed would differ from
/// the one used).
pub(crate) fn check_callback_url(url: &str) -> Result<(), &'static str> {
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("it holds white space or a control character");
    }
    let parsed = reqwest::Url::parse(url).map_err(|_| "it is not an absolute URL")?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("the scheme must be http or https");
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err("it has no host");
    }
    Ok(())
}
