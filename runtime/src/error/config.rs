//! Mistakes in the client's configuration.

use crate::keys::KeyError;

/// A mistake in the client's configuration, found when the client is built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// `app_id` was not set (or is empty).
    #[error("app_id is not set")]
    MissingAppId,
    /// Neither a private key nor a signer was set.
    #[error("the app private key (or a signer) is not set")]
    MissingPrivateKey,
    /// The Alipay public key was not set.
    #[error("the Alipay public key is not set: responses cannot be verified without it")]
    MissingAlipayPublicKey,
    /// A key could not be loaded.
    #[error("{0}")]
    Key(#[from] KeyError),
    /// The gateway URL is not an absolute `http` or `https` URL.
    #[error("gateway URL {url:?} is not usable: {reason}")]
    InvalidGateway {
        /// The URL given.
        url: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// A `notify_url` or `return_url` that Alipay does not take: not an absolute `http` or
    /// `https` URL, or holding white space or a control character.
    #[error("{setting} {url:?} is not usable: {reason}")]
    InvalidUrl {
        /// The setting: `notify_url` or `return_url`.
        setting: &'static str,
        /// The URL given.
        url: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// A setting that is sent in every request holds something no request can carry: white
    /// space or a control character in `app_id` or `app_auth_token` (a line break would end
    /// the v3 `Authorization` or `alipay-app-auth-token` header). The value is not repeated: a
    /// token is a secret.
    #[error("{setting} is not usable: {reason}")]
    InvalidSetting {
        /// The setting: `app_id` or `app_auth_token`.
        setting: &'static str,
        /// Why it is refused.
        reason: &'static str,
    },
    /// A connect timeout was set together with a user-supplied `reqwest::Client`, which
    /// cannot take one after it is built.
    #[error(
        "connect_timeout cannot be applied to a user-supplied reqwest::Client: set it on that \
         client's builder instead"
    )]
    ConnectTimeoutWithCustomClient,
    /// Only some of the three certificate-mode files were configured.
    #[error(
        "certificate mode needs the app certificate, the Alipay certificate and the Alipay root \
         certificate; {missing} is not set"
    )]
    IncompleteCertMode {
        /// The setting that is missing: `app_cert`, `alipay_cert` or `alipay_root_cert`.
        missing: &'static str,
    },
    /// The Alipay public-key certificate is not trusted: it does not chain to the root bundle,
    /// or it is outside its validity period.
    #[error("the Alipay certificate {file} is not trusted: {source}")]
    UntrustedAlipayCert {
        /// The file it was read from (or `alipay_cert` when given as text).
        file: String,
        /// Why.
        #[source]
        source: crate::cert::CertError,
    },
    /// The app certificate does not hold the public half of the app private key.
    #[error(
        "the app certificate (app_cert_sn {app_cert_sn}) does not hold the public key of the \
         configured app private key"
    )]
    AppCertKeyMismatch {
        /// The SN of the app certificate.
        app_cert_sn: String,
    },
    /// A certificate could not be used.
    #[error("{0}")]
    Cert(#[from] crate::cert::CertError),
    /// The HTTP client could not be built (for example no TLS root certificates).
    #[error("could not build the HTTP client: {0}")]
    HttpClient(#[source] reqwest::Error),
}
