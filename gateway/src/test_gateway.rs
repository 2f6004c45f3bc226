//! One call for a downstream crate's tests: a gateway with throwaway keys and a client
//! configured for it.

use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use alipay_runtime::{Client, ClientBuilder, ConfigError, MethodDescriptor, PrivateKey, PublicKey};

use crate::server::{GatewayBuilder, LocalGateway, StartError};
use crate::throwaway::ThrowawayKeys;

/// The app id the client of a [`TestGateway`] sends.
pub const TEST_APP_ID: &str = "2021000000000000";

/// Keys parsed once per process: RSA key generation is the slow part of starting a gateway,
/// and tests need fresh gateways, not fresh keys.
struct ParsedKeys {
    pem: ThrowawayKeys,
    app_private: Arc<PrivateKey>,
    alipay_public: PublicKey,
}

fn process_keys() -> Result<&'static ParsedKeys, StartError> {
    static KEYS: OnceLock<ParsedKeys> = OnceLock::new();
    if let Some(keys) = KEYS.get() {
        return Ok(keys);
    }
    let pem = ThrowawayKeys::generate().map_err(|e| StartError::Keys(e.to_string()))?;
    let app_private = pem
        .app_private_key()
        .map_err(|e| StartError::Keys(e.to_string()))?;
    let alipay_public = pem
        .alipay_public_key()
        .map_err(|e| StartError::Keys(e.to_string()))?;
    // Two threads may both generate; either result is as good, the first one stays.
    Ok(KEYS.get_or_init(|| ParsedKeys {
        pem,
        app_private: Arc::new(app_private),
        alipay_public,
    }))
}

/// A [`LocalGateway`] with throwaway keys (generated once per process) and the matching
/// client settings. Derefs to the [`LocalGateway`] for scenarios and the request log.
///
/// ```no_run
/// # async fn demo(methods: &'static [alipay_runtime::MethodDescriptor]) -> Result<(), Box<dyn std::error::Error>> {
/// let gw = alipay_gateway::TestGateway::start(methods).await?;
/// let client = gw.client()?;
/// // client.execute(&request).await ...
/// assert_eq!(gw.request_count(), 0);
/// # Ok(()) }
/// ```
pub struct TestGateway {
    gateway: LocalGateway,
    keys: &'static ParsedKeys,
}

impl std::fmt::Debug for TestGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestGateway")
            .field("gateway", &self.gateway)
            .finish_non_exhaustive()
    }
}

impl TestGateway {
    /// Starts a gateway for `methods` on a free port of 127.0.0.1.
    pub async fn start(methods: &'static [MethodDescriptor]) -> Result<Self, StartError> {
        Self::start_with(methods, |builder| builder).await
    }

    /// [`TestGateway::start`] with the builder set up by `configure` first (a notification
    /// schedule for the test, bounds, scenarios, ...).
    ///
    /// ```no_run
    /// # async fn demo(methods: &'static [alipay_runtime::MethodDescriptor]) -> Result<(), Box<dyn std::error::Error>> {
    /// use std::time::Duration;
    /// use alipay_gateway::{NotifySchedule, TestGateway};
    ///
    /// let gw = TestGateway::start_with(methods, |b| {
    ///     b.notify_schedule(NotifySchedule::new([Duration::from_millis(50); 3]))
    /// })
    /// .await?;
    /// # Ok(()) }
    /// ```
    pub async fn start_with(
        methods: &'static [MethodDescriptor],
        configure: impl FnOnce(GatewayBuilder) -> GatewayBuilder,
    ) -> Result<Self, StartError> {
        let keys = process_keys()?;
        let gateway_keys = keys
            .pem
            .gateway_keys()
            .map_err(|e| StartError::Keys(e.to_string()))?;
        let gateway = configure(LocalGateway::builder(methods, gateway_keys))
            .start()
            .await?;
        Ok(Self { gateway, keys })
    }

    /// The Alipay public key the gateway's answers, returns and notifications verify with.
    pub fn alipay_public_key(&self) -> &PublicKey {
        &self.keys.alipay_public
    }

    /// A client builder already set up for this gateway: its URL, [`TEST_APP_ID`], the app
    /// private key and the Alipay public key. Set the sign type, charset or timeout on it.
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder()
            .gateway(self.gateway.url())
            .app_id(TEST_APP_ID)
            .private_key(Arc::clone(&self.keys.app_private))
            .alipay_public_key(self.keys.alipay_public.clone())
    }

    /// A client for this gateway with the default settings (RSA2, utf-8).
    pub fn client(&self) -> Result<Client, ConfigError> {
        self.client_builder().build()
    }

    /// The throwaway keys, as PEM (for a client configured by hand, or the `alipay` CLI).
    pub fn keys(&self) -> &ThrowawayKeys {
        &self.keys.pem
    }

    /// The gateway itself.
    pub fn gateway(&self) -> &LocalGateway {
        &self.gateway
    }
}

impl Deref for TestGateway {
    type Target = LocalGateway;

    fn deref(&self) -> &LocalGateway {
        &self.gateway
    }
}
