//! What every call shares: the gateway, the signing key, the checked [`Config`].

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use super::cert_mode::CertMode;
use crate::charset::Charset;
use crate::encrypt::EncryptKey;
use crate::keys::{PrivateKey, PublicKey};
use crate::method::Protocol;
use crate::protocol::param;
use crate::sign::{SignType, Signer};

/// The production gateway.
pub const PRODUCTION_GATEWAY: &str = "https://openapi.alipay.com/gateway.do";
/// The sandbox gateway.
pub const SANDBOX_GATEWAY: &str = "https://openapi-sandbox.dl.alipaydev.com/gateway.do";

/// Where requests go.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Gateway {
    /// `https://openapi.alipay.com/gateway.do`.
    #[default]
    Production,
    /// `https://openapi-sandbox.dl.alipaydev.com/gateway.do`.
    Sandbox,
    /// Any other gateway URL, for example a local test gateway.
    Url(String),
}

impl Gateway {
    /// The gateway URL.
    pub fn url(&self) -> &str {
        match self {
            Gateway::Production => PRODUCTION_GATEWAY,
            Gateway::Sandbox => SANDBOX_GATEWAY,
            Gateway::Url(url) => url,
        }
    }
}

impl From<&str> for Gateway {
    fn from(url: &str) -> Self {
        Gateway::Url(url.to_owned())
    }
}

impl From<String> for Gateway {
    fn from(url: String) -> Self {
        Gateway::Url(url)
    }
}

/// The key that signs requests: the app private key, or any [`Signer`] (KMS, HSM).
#[derive(Clone)]
pub enum AppSigner {
    /// The app private key, signed with the compiled-in backend.
    PrivateKey(Arc<PrivateKey>),
    /// A user-supplied signer.
    Custom(Arc<dyn Signer>),
}

impl fmt::Debug for AppSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppSigner::PrivateKey(_) => f.write_str("AppSigner::PrivateKey(..)"),
            AppSigner::Custom(_) => f.write_str("AppSigner::Custom(..)"),
        }
    }
}

impl AppSigner {
    pub(super) fn as_signer(&self) -> &dyn Signer {
        match self {
            AppSigner::PrivateKey(key) => key.as_ref(),
            AppSigner::Custom(signer) => signer.as_ref(),
        }
    }
}

impl From<PrivateKey> for AppSigner {
    fn from(key: PrivateKey) -> Self {
        AppSigner::PrivateKey(Arc::new(key))
    }
}

impl From<Arc<PrivateKey>> for AppSigner {
    fn from(key: Arc<PrivateKey>) -> Self {
        AppSigner::PrivateKey(key)
    }
}

impl From<Arc<dyn Signer>> for AppSigner {
    fn from(signer: Arc<dyn Signer>) -> Self {
        AppSigner::Custom(signer)
    }
}

/// The source of the `timestamp` parameter. Tests inject a fixed one.
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// The settings every call shares, checked when the client was built.
#[derive(Clone)]
pub struct Config {
    pub(super) gateway: String,
    pub(super) app_id: String,
    pub(super) signer: AppSigner,
    pub(super) alipay_public_key: PublicKey,
    pub(super) sign_type: SignType,
    pub(super) charset: Charset,
    pub(super) app_auth_token: Option<String>,
    pub(super) notify_url: Option<String>,
    pub(super) return_url: Option<String>,
    pub(super) clock: Clock,
    /// Public-key certificate mode, when configured.
    pub(super) cert: Option<Arc<CertMode>>,
    /// AES content encryption, when configured.
    pub(super) encrypt_key: Option<EncryptKey>,
    /// The protocol calls use unless one sets another.
    pub(super) protocol: Protocol,
    /// Where v3 paths are sent: the gateway URL's origin (`https://openapi.alipay.com`).
    pub(super) v3_origin: String,
}

impl Config {
    /// The gateway URL.
    pub fn gateway(&self) -> &str {
        &self.gateway
    }

    /// The protocol calls use unless one sets another ([`RequestOptions::protocol`](crate::RequestOptions::protocol)).
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// Where the v3 protocol's paths are sent: the gateway URL's scheme, host and port
    /// (`https://openapi.alipay.com` for the production gateway).
    pub fn v3_origin(&self) -> &str {
        &self.v3_origin
    }
    /// The `app_id`.
    pub fn app_id(&self) -> &str {
        &self.app_id
    }
    /// The signature algorithm of requests and responses.
    pub fn sign_type(&self) -> SignType {
        self.sign_type
    }
    /// The request (and response) charset.
    pub fn charset(&self) -> Charset {
        self.charset
    }
    /// The `notify_url` sent with every request, if any.
    pub fn notify_url(&self) -> Option<&str> {
        self.notify_url.as_deref()
    }
    /// The `return_url` sent with every request, if any.
    pub fn return_url(&self) -> Option<&str> {
        self.return_url.as_deref()
    }
    /// Whether an `app_auth_token` is sent (the token itself is not exposed).
    pub fn has_app_auth_token(&self) -> bool {
        self.app_auth_token.is_some()
    }
    /// The Alipay public key responses are verified with (in certificate mode: the key of the
    /// configured Alipay certificate).
    pub fn alipay_public_key(&self) -> &PublicKey {
        &self.alipay_public_key
    }
    /// Whether the client is in public-key certificate mode.
    pub fn is_cert_mode(&self) -> bool {
        self.cert.is_some()
    }
    /// Certificate mode: the `app_cert_sn` sent with every request.
    pub fn app_cert_sn(&self) -> Option<&str> {
        self.cert.as_deref().map(|c| c.app_cert_sn.as_str())
    }
    /// Certificate mode: the `alipay_root_cert_sn` sent with every request.
    pub fn alipay_root_cert_sn(&self) -> Option<&str> {
        self.cert.as_deref().map(|c| c.root.sn())
    }
    /// Certificate mode: the SN of the configured Alipay certificate.
    pub fn alipay_cert_sn(&self) -> Option<&str> {
        self.cert.as_deref().map(|c| c.alipay.sn())
    }
    /// Whether `biz_content` is AES-encrypted (the key itself is not exposed).
    pub fn is_encrypted(&self) -> bool {
        self.encrypt_key.is_some()
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("gateway", &self.gateway)
            .field(param::APP_ID, &self.app_id)
            .field("signer", &self.signer)
            .field(param::SIGN_TYPE, &self.sign_type)
            .field(param::CHARSET, &self.charset)
            .field(
                param::APP_AUTH_TOKEN,
                &self.app_auth_token.as_ref().map(|_| "<redacted>"),
            )
            .field(param::NOTIFY_URL, &self.notify_url)
            .field(param::RETURN_URL, &self.return_url)
            .field("cert", &self.cert)
            .field("encrypt_key", &self.encrypt_key)
            .field("protocol", &self.protocol)
            .finish_non_exhaustive()
    }
}
