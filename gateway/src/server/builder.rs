//! Configuring a [`LocalGateway`] before it starts: its bounds, keys, modes and scenarios.

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Duration;

use alipay_runtime::v3::Route;
use alipay_runtime::{MethodDescriptor, Price};
use tokio::net::TcpListener;

use alipay_runtime::encrypt::EncryptKey;

use crate::cert_mode::GatewayCertMode;
use crate::keys::GatewayKeys;
use crate::notify::NotifySchedule;
use crate::resolve::MethodResolver;
use crate::scenario::{ScenarioError, ScenarioFile};
use crate::state::PaymentSettings;
use crate::state::Shared;

use super::{LocalGateway, V3Routes, V3Settings, serve};

/// The bounds a gateway keeps, whatever its clients send: see the [`GatewayBuilder`] methods
/// that set each. The defaults hold for the loopback benchmark (`bench/run.sh`) and any test
/// suite: 8 MiB bodies, 10 s to send the headers and 30 s for the body, a log of 10,000
/// requests or 64 MiB, 512 connections at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limits {
    pub max_body_bytes: usize,
    pub header_read_timeout: Duration,
    pub body_read_timeout: Duration,
    pub log_entries: usize,
    pub log_bytes: usize,
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_body_bytes: 8 * 1024 * 1024,
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            log_entries: 10_000,
            log_bytes: 64 * 1024 * 1024,
            max_connections: 512,
        }
    }
}

/// Configures a [`LocalGateway`] before it starts.
#[must_use = "a builder does nothing until .start().await"]
pub struct GatewayBuilder {
    methods: &'static [MethodDescriptor],
    keys: GatewayKeys,
    port: u16,
    app_id: Option<String>,
    scenarios: ScenarioFile,
    cert_mode: Option<GatewayCertMode>,
    encrypt_key: Option<EncryptKey>,
    resolver: Option<MethodResolver>,
    limits: Limits,
    payments: PaymentSettings,
    routes: Vec<(Route, &'static str)>,
    v3_timestamp_window: Duration,
    fund_balance: Option<Price>,
}

impl std::fmt::Debug for GatewayBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GatewayBuilder")
            .field("methods", &self.methods.len())
            .field("keys", &self.keys)
            .field("port", &self.port)
            .field("app_id", &self.app_id)
            .field("scenarios", &self.scenarios)
            .field("cert_mode", &self.cert_mode.is_some())
            .field("encrypt_key", &self.encrypt_key.is_some())
            .field("resolver", &self.resolver.is_some())
            .field("limits", &self.limits)
            .field("payments", &self.payments)
            .field("routes", &self.routes.len())
            .field("v3_timestamp_window", &self.v3_timestamp_window)
            .field("fund_balance", &self.fund_balance)
            .finish()
    }
}

impl GatewayBuilder {
    /// A builder serving `methods` with `keys` (see [`LocalGateway::builder`]).
    pub(super) fn new(methods: &'static [MethodDescriptor], keys: GatewayKeys) -> Self {
        GatewayBuilder {
            methods,
            keys,
            port: 0,
            app_id: None,
            scenarios: ScenarioFile::default(),
            cert_mode: None,
            encrypt_key: None,
            resolver: None,
            limits: Limits::default(),
            payments: PaymentSettings::default(),
            routes: Vec::new(),
            v3_timestamp_window: super::v3::DEFAULT_TIMESTAMP_WINDOW,
            fund_balance: None,
        }
    }

    /// Also serves these v3 routes, each by its method's wire name (a method the static list
    /// has, or one the [`resolver`](Self::resolver) finds): the routes of methods resolved by
    /// name, which the gateway cannot know before they are asked for. The static methods'
    /// own routes (`MethodDescriptor::route`) are always served, and win over these.
    pub fn routes(mut self, routes: impl IntoIterator<Item = (Route, &'static str)>) -> Self {
        self.routes.extend(routes);
        self
    }

    /// How far a v3 request's `timestamp` may be from the gateway's clock, either way
    /// (default 15 minutes, the tolerance Alipay gives v2's `timestamp`); further is refused
    /// with HTTP 401 `invalid-timestamp`. Replaying recorded requests needs a wider one.
    pub fn v3_timestamp_window(mut self, window: Duration) -> Self {
        self.v3_timestamp_window = window;
        self
    }

    /// Also serves the methods `resolver` finds by name (each asked for once, when first
    /// requested): the `alipay` command serves the whole catalog so, validated through each
    /// method's spec. The static methods come first.
    pub fn resolver(mut self, resolver: MethodResolver) -> Self {
        self.resolver = Some(resolver);
        self
    }

    /// Public-key certificate mode: requests must carry these `app_cert_sn` and
    /// `alipay_root_cert_sn`; answers are signed with the Alipay certificate's key and name it
    /// in `alipay_cert_sn` (the [`GatewayKeys`]' Alipay private key is then unused).
    pub fn cert_mode(mut self, certs: GatewayCertMode) -> Self {
        self.cert_mode = Some(certs);
        self
    }

    /// AES content encryption: `encrypt_type=AES` requests are decrypted with this key and
    /// their method answers encrypted.
    pub fn encrypt_key(mut self, key: EncryptKey) -> Self {
        self.encrypt_key = Some(key);
        self
    }

    /// The largest request body read (default 8 MiB); a longer one is answered `413`
    /// without being read further.
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.limits.max_body_bytes = bytes;
        self
    }

    /// How long a client may take to send a request's headers (default 10 s); the connection
    /// is closed when it takes longer.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.limits.header_read_timeout = timeout;
        self
    }

    /// How long a client may take to send a request's body (default 30 s); answered `408`
    /// when it takes longer.
    pub fn body_read_timeout(mut self, timeout: Duration) -> Self {
        self.limits.body_read_timeout = timeout;
        self
    }

    /// The request log's bounds (default 10,000 requests and 64 MiB): past either, the
    /// oldest requests are dropped ([`LocalGateway::requests_dropped`] counts them). The
    /// newest request is always kept.
    pub fn request_log_limits(mut self, entries: usize, bytes: usize) -> Self {
        self.limits.log_entries = entries;
        self.limits.log_bytes = bytes;
        self
    }

    /// How many connections are served at once (default 512, at least 1); further ones wait
    /// in the listen queue until one closes.
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.limits.max_connections = connections.max(1);
        self
    }

    /// The waits between deliveries of a notification not acknowledged with `success`
    /// (default: Alipay's shape, 60 times faster; see [`NotifySchedule`]).
    pub fn notify_schedule(mut self, schedule: NotifySchedule) -> Self {
        self.payments.notify.schedule = schedule;
        self
    }

    /// How long one delivery of a notification may take (default 5 s).
    pub fn notify_timeout(mut self, timeout: Duration) -> Self {
        self.payments.notify.timeout = timeout;
        self
    }

    /// Delivers notifications to any host. By default only `notify_url`s on the loopback
    /// interface (127.0.0.0/8, `::1`, `localhost`) are delivered to; the others are recorded
    /// as [`DeliveryState::NotSent`](crate::DeliveryState::NotSent).
    pub fn notify_any_host(mut self) -> Self {
        self.payments.notify.any_host = true;
        self
    }

    /// The bounds of the payment side (default 10,000 trades, 10,000 notifications, 1,024
    /// notifications in delivery at once): past the first two, the oldest are forgotten
    /// ([`LocalGateway::trades_dropped`], [`LocalGateway::notifications_dropped`]); past the
    /// third, a new notification is recorded as not sent, its reason naming the backlog. One
    /// endpoint (`host:port` of `notify_url`) has at most a quarter of those deliveries at
    /// once (at least one), so that an endpoint that never answers leaves the others theirs;
    /// [`LocalGateway::deliveries_pending`] tells the backlog.
    pub fn payment_limits(
        mut self,
        trades: usize,
        notifications: usize,
        delivering: usize,
    ) -> Self {
        self.payments.max_trades = trades;
        self.payments.max_notifications = notifications;
        self.payments.notify.max_pending = delivering;
        self
    }

    /// The port on 127.0.0.1 (default 0: any free port; [`LocalGateway::addr`] tells which).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Accepts only this `app_id` (`40002 isv.invalid-app-id` otherwise). By default any
    /// app id is accepted.
    pub fn app_id(mut self, app_id: impl Into<String>) -> Self {
        self.app_id = Some(app_id.into());
        self
    }

    /// Starts with these scenarios (checked against the methods at start).
    pub fn scenarios(mut self, scenarios: ScenarioFile) -> Self {
        self.scenarios = scenarios;
        self
    }

    /// The merchant's balance at start (`available_amount` of `alipay.fund.account.query`;
    /// [`transfers::DEFAULT_BALANCE`](crate::transfers::DEFAULT_BALANCE) unless set): each
    /// `alipay.fund.trans.uni.transfer` takes its amount off ([`crate::transfers`]).
    pub fn fund_balance(mut self, available_amount: Price) -> Self {
        self.fund_balance = Some(available_amount);
        self
    }

    /// Binds 127.0.0.1 and starts serving on the current tokio runtime.
    pub async fn start(mut self) -> Result<LocalGateway, StartError> {
        prepare_rotation(&mut self.scenarios, self.cert_mode.is_some())?;
        let resolver = self.resolver.clone();
        self.scenarios.check_with(|name| {
            self.methods.iter().find(|m| m.method == name).or_else(|| {
                resolver
                    .as_ref()
                    .and_then(|r| r(name))
                    .map(|r| r.descriptor)
            })
        })?;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, self.port))
            .await
            .map_err(|source| StartError::Bind {
                port: self.port,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| StartError::Bind {
            port: self.port,
            source,
        })?;
        let shared = Arc::new(
            Shared::new(
                self.methods,
                self.keys,
                self.app_id,
                self.scenarios,
                self.cert_mode,
                self.encrypt_key,
                self.limits,
            )
            .with_resolver(self.resolver)
            .with_payments(self.payments)
            .with_v3(V3Settings {
                routes: V3Routes::new(self.methods, self.routes),
                timestamp_window: self.v3_timestamp_window,
            }),
        );
        if let Some(cents) = self.fund_balance.as_ref().and_then(Price::to_cents) {
            shared.money.set_starting_balance(cents.max(0));
        }
        let task = tokio::spawn(serve(listener, Arc::clone(&shared)));
        Ok(LocalGateway {
            addr,
            shared,
            task: Some(task),
        })
    }
}

/// A scenario file's rotation needs certificate mode, and its certificate made (a forged one);
/// `from_root` must have been issued already ([`ScenarioFile::issue_rotation_cert`]).
pub(super) fn prepare_rotation(
    scenarios: &mut ScenarioFile,
    cert_mode: bool,
) -> Result<(), ScenarioError> {
    if scenarios.rotation.is_none() {
        return Ok(());
    }
    if !cert_mode {
        return Err(ScenarioError::Invalid {
            method: "rotate_alipay_cert".into(),
            reason: "a rotation needs certificate mode (the gateway signs with no certificate)"
                .into(),
        });
    }
    scenarios.issue_rotation_cert(None)
}

/// The gateway could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The port could not be bound.
    #[error("cannot listen on 127.0.0.1:{port}: {source}")]
    Bind {
        /// The port asked for.
        port: u16,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The scenarios do not fit the methods.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// Throwaway keys could not be generated or loaded.
    #[error("throwaway keys: {0}")]
    Keys(String),
}
