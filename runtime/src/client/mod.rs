//! The async client, one concern per file: `config` (what every call shares), `builder` (the
//! builder that names configuration mistakes), `call` (validate, sign, send, verify, type the
//! answer), `page` (requests the browser or the Alipay app sends: page forms and URLs, app
//! order strings), `options` (the public parameters one request sets), `transport` (the HTTP
//! exchange, and the multipart body of an upload) and `span` (the `alipay.call` tracing span).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

mod builder;
mod call;
mod cert_mode;
mod config;
mod options;
mod page;
mod span;
mod transport;
mod v3;

pub(crate) use builder::token_problem;
pub use builder::{ClientBuilder, DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT};
pub use cert_mode::{CERT_DOWNLOAD_METHOD, CertStore, DEFAULT_REFUSED_CERT_RETRY_AFTER};
pub use config::{AppSigner, Clock, Config, Gateway, PRODUCTION_GATEWAY, SANDBOX_GATEWAY};
#[cfg(test)]
pub(crate) use options::NO_OPTIONS;
pub use options::RequestOptions;
pub use transport::MAX_RESPONSE_BYTES;
pub use v3::PreparedV3;

/// An Alipay OpenAPI client. Cheap to clone: clones share the configuration and the
/// connection pool.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    http: reqwest::Client,
    timeout: Duration,
    retry_connect_failures: u32,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.inner.config)
            .field("timeout", &self.inner.timeout)
            .field("retry_connect_failures", &self.inner.retry_connect_failures)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A builder; `app_id`, `private_key` and `alipay_public_key` are required.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use alipay_runtime::{Charset, Client, Gateway, PrivateKey, PublicKey, SignType};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let client = Client::builder()
    ///     .gateway(Gateway::Sandbox)
    ///     .app_id("2014072300007148")
    ///     .private_key(PrivateKey::from_file("app_private_key.pem")?)
    ///     .alipay_public_key(PublicKey::from_file("alipay_public_key.pem")?)
    ///     .sign_type(SignType::Rsa2)
    ///     .charset(Charset::Utf8)
    ///     .timeout(Duration::from_secs(10))
    ///     .build()?;
    /// // let response = client.execute(&request).await?;
    /// # let _ = client;
    /// # Ok(())
    /// # }
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The checked configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }
}
