//! What the server's connections share: the methods, keys, scenarios and the request log.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use alipay_runtime::{MethodDescriptor, ValidationError};

use alipay_runtime::encrypt::EncryptKey;

use crate::cert_mode::{CERT_DOWNLOAD, CERT_DOWNLOAD_METHOD, GatewayCertMode};
use crate::clock::Clock;
use crate::faults::{Fault, FaultBook, FaultRule};
use crate::keys::GatewayKeys;
use crate::log::RecordedRequest;
use crate::notify::{Notification, NotificationLog, NotifySettings};
use crate::resolve::{MethodResolver, ResolvedMethod};
use crate::scenario::{RotationCert, Scenario, ScenarioFile};
use crate::server::{Limits, V3Settings};
use crate::trades::{Trade, TradeBook};

pub(crate) struct Shared {
    all: &'static [MethodDescriptor],
    methods: HashMap<&'static str, &'static MethodDescriptor>,
    resolver: Option<MethodResolver>,
    /// The methods the resolver found, each asked for once (bounded by what it knows).
    resolved: Mutex<HashMap<String, ResolvedMethod>>,
    pub keys: GatewayKeys,
    pub app_id: Option<String>,
    pub cert_mode: Option<GatewayCertMode>,
    pub encrypt_key: Option<EncryptKey>,
    scenarios: Mutex<ScenarioFile>,
    log: Mutex<RequestLog>,
    pub limits: Limits,
    trades: Mutex<TradeBook>,
    notifications: Mutex<NotificationLog>,
    pub notify: NotifySettings,
    /// Notifications being delivered now (bounded by `notify.max_pending`), and how many of
    /// them go to each endpoint (`host:port`; bounded by a share of it, so that one endpoint
    /// that never answers cannot take every slot).
    delivering: AtomicUsize,
    delivering_to: Mutex<HashMap<String, usize>>,
    /// Delivers notifications; built when first needed.
    http: OnceLock<Option<reqwest::Client>>,
    /// The runtime the gateway was started on: deliveries run there, whoever asked for them
    /// (a library call from another thread included).
    pub runtime: Option<tokio::runtime::Handle>,
    /// The v3 protocol's routes and timestamp window.
    pub v3: V3Settings,
    /// Money out and agreements ([`crate::transfers`], [`crate::agreements`]).
    pub money: crate::server::MoneyBooks,
    /// The gateway's clock: trade times and expiry, notification schedules.
    pub clock: Arc<Clock>,
    /// The fault rules in force.
    faults: Mutex<FaultBook>,
    /// How many notifications had their first delivery made: a notification held back by a
    /// `notify_out_of_order` fault waits for it to change.
    pub first_deliveries: tokio::sync::watch::Sender<u64>,
    /// How many times the gateway was reset: the deliveries of notifications made before a
    /// reset end when it changes.
    pub resets: tokio::sync::watch::Sender<u64>,
    /// Woken when the trades' next deadline or their closed-by-expiry list changed (the
    /// expiry watcher waits on it).
    pub trades_changed: tokio::sync::Notify,
}

/// The payment side of a gateway: its bounds and how it delivers notifications.
#[derive(Debug, Clone)]
pub(crate) struct PaymentSettings {
    pub notify: NotifySettings,
    pub max_trades: usize,
    pub max_notifications: usize,
}

impl Default for PaymentSettings {
    fn default() -> Self {
        Self {
            notify: NotifySettings::default(),
            max_trades: 10_000,
            max_notifications: 10_000,
        }
    }
}

/// A panic while a lock is held leaves plain data behind; keep serving it.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Shared {
    pub fn new(
        methods: &'static [MethodDescriptor],
        keys: GatewayKeys,
        app_id: Option<String>,
        scenarios: ScenarioFile,
        cert_mode: Option<GatewayCertMode>,
        encrypt_key: Option<EncryptKey>,
        limits: Limits,
    ) -> Self {
        Self {
            all: methods,
            methods: methods.iter().map(|m| (m.method, m)).collect(),
            resolver: None,
            resolved: Mutex::new(HashMap::new()),
            keys,
            app_id,
            cert_mode,
            encrypt_key,
            scenarios: Mutex::new(scenarios),
            log: Mutex::new(RequestLog::new(limits.log_entries, limits.log_bytes)),
            limits,
            trades: Mutex::new(TradeBook::new(PaymentSettings::default().max_trades)),
            notifications: Mutex::new(NotificationLog::new(
                PaymentSettings::default().max_notifications,
            )),
            notify: NotifySettings::default(),
            delivering: AtomicUsize::new(0),
            delivering_to: Mutex::new(HashMap::new()),
            http: OnceLock::new(),
            runtime: tokio::runtime::Handle::try_current().ok(),
            v3: V3Settings::default(),
            money: crate::server::MoneyBooks::default(),
            clock: Arc::new(Clock::new()),
            faults: Mutex::new(FaultBook::default()),
            first_deliveries: tokio::sync::watch::Sender::new(0),
            resets: tokio::sync::watch::Sender::new(0),
            trades_changed: tokio::sync::Notify::new(),
        }
    }

    /// Keeps at most so many trades and notifications, and delivers notifications so.
    pub fn with_payments(mut self, payments: PaymentSettings) -> Self {
        self.trades = Mutex::new(TradeBook::new(payments.max_trades));
        self.notifications = Mutex::new(NotificationLog::new(payments.max_notifications));
        self.notify = payments.notify;
        self
    }

    /// Serves the v3 protocol so.
    pub fn with_v3(mut self, v3: V3Settings) -> Self {
        self.v3 = v3;
        self
    }

    /// Adds a fault rule (its method checked by the caller).
    pub fn add_fault(&self, rule: FaultRule) -> Result<(), String> {
        lock(&self.faults).add(rule)
    }

    pub fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    pub fn faults(&self) -> Vec<FaultRule> {
        lock(&self.faults).rules()
    }

    /// The fault for the next answer to `method` (`notification`: the next notification
    /// delivery about a trade `method` made), if a rule fires.
    pub fn take_fault(&self, method: &str, notification: bool) -> Option<Fault> {
        lock(&self.faults).take(method, notification)
    }

    /// Runs `f` on the trades, under their lock, once those whose time has come on the
    /// gateway's clock are closed.
    pub fn with_trades<T>(&self, f: impl FnOnce(&mut TradeBook) -> T) -> T {
        let mut book = lock(&self.trades);
        book.expire(self.clock.now());
        let next = book.next_deadline();
        let out = f(&mut book);
        if book.next_deadline() != next || book.has_expired_to_notify() {
            self.trades_changed.notify_one();
        }
        out
    }

    pub fn trades(&self) -> Vec<Trade> {
        self.with_trades(|book| book.all())
    }

    pub fn trades_dropped(&self) -> u64 {
        lock(&self.trades).dropped()
    }

    pub fn next_notify_id(&self) -> u64 {
        lock(&self.notifications).next_id()
    }

    pub fn record_notification(&self, n: Notification) {
        lock(&self.notifications).push(n);
    }

    pub fn update_notification(&self, notify_id: &str, f: impl FnOnce(&mut Notification)) {
        lock(&self.notifications).update(notify_id, f);
    }

    pub fn notifications(&self) -> Vec<Notification> {
        lock(&self.notifications).all()
    }

    pub fn notifications_dropped(&self) -> u64 {
        lock(&self.notifications).dropped()
    }

    /// How many notifications one endpoint may have in delivery at once: a quarter of the
    /// slots (at least one), so that endpoints that never answer leave room for the others.
    pub fn max_pending_per_endpoint(&self) -> usize {
        (self.notify.max_pending / 4).max(1)
    }

    /// Takes one of the delivery slots for `endpoint`, if one is free; otherwise why not.
    pub fn begin_delivery(&self, endpoint: &str) -> Result<(), String> {
        let per_endpoint = self.max_pending_per_endpoint();
        let mut to = lock(&self.delivering_to);
        let for_endpoint = to.get(endpoint).copied().unwrap_or(0);
        if for_endpoint >= per_endpoint {
            return Err(format!(
                "{for_endpoint} notifications to {endpoint} are being delivered already (at most {per_endpoint} to one endpoint)"
            ));
        }
        let max = self.notify.max_pending;
        self.delivering
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .map_err(|n| format!("{n} notifications are being delivered already"))?;
        *to.entry(endpoint.to_owned()).or_insert(0) += 1;
        Ok(())
    }

    pub fn end_delivery(&self, endpoint: &str) {
        // Only ever called after a successful begin_delivery.
        let mut to = lock(&self.delivering_to);
        if let Some(n) = to.get_mut(endpoint) {
            *n -= 1;
            if *n == 0 {
                to.remove(endpoint);
            }
        }
        let _ = self
            .delivering
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
    }

    /// How many notifications are in delivery now (sent, not acknowledged, not given up).
    pub fn deliveries_pending(&self) -> usize {
        self.delivering.load(Ordering::Acquire)
    }

    /// The HTTP client notifications are delivered with (no proxy: they go to the merchant
    /// directly; each delivery bounded by the notify timeout).
    pub fn http_client(&self) -> Option<reqwest::Client> {
        self.http
            .get_or_init(|| {
                reqwest::Client::builder()
                    .no_proxy()
                    .timeout(self.notify.timeout)
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                    .ok()
            })
            .clone()
    }

    /// Serves the methods `resolver` finds besides the static ones.
    pub fn with_resolver(mut self, resolver: Option<MethodResolver>) -> Self {
        self.resolver = resolver;
        self
    }

    pub fn method(&self, name: &str) -> Option<&'static MethodDescriptor> {
        match self.methods.get(name) {
            Some(descriptor) => Some(descriptor),
            None if self.cert_mode.is_some() && name == CERT_DOWNLOAD_METHOD => {
                Some(&CERT_DOWNLOAD)
            }
            None => self.resolved(name).map(|r| r.descriptor),
        }
    }

    fn resolved(&self, name: &str) -> Option<ResolvedMethod> {
        let resolver = self.resolver.as_ref()?;
        if let Some(found) = lock(&self.resolved).get(name) {
            return Some(found.clone());
        }
        // Resolved outside the lock: parsing a spec must not stall other connections.
        let found = resolver(name)?;
        lock(&self.resolved).insert(name.to_owned(), found.clone());
        Some(found)
    }

    /// Validates a request to `descriptor`'s method: its compiled validation, or the
    /// resolver's.
    pub fn validate(
        &self,
        descriptor: &MethodDescriptor,
        biz_content: Option<&serde_json::Value>,
        form: &[(String, String)],
    ) -> Result<(), ValidationError> {
        let compiled = self.methods.contains_key(descriptor.method)
            || std::ptr::eq(descriptor, &CERT_DOWNLOAD);
        if compiled {
            return (descriptor.validate_request)(biz_content, form);
        }
        match self.resolved(descriptor.method) {
            Some(r) => (r.validate)(biz_content, form),
            None => (descriptor.validate_request)(biz_content, form),
        }
    }

    pub fn all_methods(&self) -> &'static [MethodDescriptor] {
        self.all
    }

    pub fn scenario_for(&self, method: &str) -> Scenario {
        let scenarios = lock(&self.scenarios);
        scenarios
            .methods
            .get(method)
            .unwrap_or(&scenarios.default)
            .clone()
    }

    pub fn set_scenario(&self, method: &str, scenario: Scenario) {
        lock(&self.scenarios)
            .methods
            .insert(method.to_owned(), scenario);
    }

    pub fn set_default(&self, scenario: Scenario) {
        lock(&self.scenarios).default = scenario;
    }

    pub fn replace_scenarios(&self, scenarios: ScenarioFile) {
        *lock(&self.scenarios) = scenarios;
    }

    /// Switches to the scenario file's next Alipay certificate once its request count is
    /// reached (once: the rotation is then done).
    pub fn rotate_if_due(&self) {
        let received = u64::try_from(self.request_count()).unwrap_or(u64::MAX);
        let rotation = {
            let mut scenarios = lock(&self.scenarios);
            match &scenarios.rotation {
                Some(r) if received >= r.after_requests => scenarios.rotation.take(),
                _ => None,
            }
        };
        let (Some(rotation), Some(certs)) = (rotation, &self.cert_mode) else {
            return;
        };
        if let RotationCert::Given {
            cert_pem,
            private_key,
        } = &rotation.cert
        {
            // The same check passed when the scenarios were set (`check_signing_cert`), so
            // this cannot fail; if it did, the old certificate would simply stay.
            let _ = certs.rotate_pem(cert_pem, private_key);
        }
    }

    pub fn record(&self, request: RecordedRequest) {
        lock(&self.log).push(request);
    }

    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.log)
            .held
            .iter()
            .map(|(r, _)| r.clone())
            .collect()
    }

    /// The requests from position `skip` on (positions count every request received since
    /// the last clear, dropped ones included).
    pub fn requests_since(&self, skip: usize) -> Vec<RecordedRequest> {
        let log = lock(&self.log);
        let first_held = usize::try_from(log.dropped).unwrap_or(usize::MAX);
        log.held
            .iter()
            .skip(skip.saturating_sub(first_held))
            .map(|(r, _)| r.clone())
            .collect()
    }

    /// [`Self::requests_since`], with the position of the first request returned: more than
    /// `skip` when requests from `skip` on were dropped before they were read.
    pub fn requests_from(&self, skip: usize) -> (usize, Vec<RecordedRequest>) {
        let log = lock(&self.log);
        let first_held = usize::try_from(log.dropped).unwrap_or(usize::MAX);
        let first = skip.max(first_held);
        let held = log
            .held
            .iter()
            .skip(first - first_held)
            .map(|(r, _)| r.clone())
            .collect();
        (first, held)
    }

    pub fn request_count(&self) -> usize {
        let log = lock(&self.log);
        usize::try_from(log.dropped)
            .unwrap_or(usize::MAX)
            .saturating_add(log.held.len())
    }

    pub fn requests_dropped(&self) -> u64 {
        lock(&self.log).dropped
    }

    /// Back to a fresh gateway's state: no trades, notifications (those in delivery stop),
    /// transfers, agreements, SMS codes, fault rules nor requests; the starting balance; the
    /// clock on the real time. The configuration (methods, keys, scenarios, bounds) stays.
    pub fn reset(&self) {
        self.resets.send_modify(|n| *n += 1);
        lock(&self.trades).clear();
        self.trades_changed.notify_one();
        lock(&self.notifications).clear();
        self.money.reset();
        self.clear_faults();
        self.clear_requests();
        self.clock.reset();
    }

    pub fn clear_requests(&self) {
        let mut log = lock(&self.log);
        log.held.clear();
        log.bytes = 0;
        log.dropped = 0;
    }
}

/// The request log: a ring of at most `max_entries` requests holding about `max_bytes` of
/// text, the oldest dropped first (the newest is always kept, whatever its size).
struct RequestLog {
    /// Each request with its size in bytes.
    held: VecDeque<(RecordedRequest, usize)>,
    bytes: usize,
    dropped: u64,
    max_entries: usize,
    max_bytes: usize,
}

impl RequestLog {
    fn new(max_entries: usize, max_bytes: usize) -> Self {
        Self {
            held: VecDeque::new(),
            bytes: 0,
            dropped: 0,
            max_entries: max_entries.max(1),
            max_bytes,
        }
    }

    fn push(&mut self, request: RecordedRequest) {
        let size = request.held_bytes();
        self.held.push_back((request, size));
        self.bytes = self.bytes.saturating_add(size);
        while self.held.len() > 1
            && (self.held.len() > self.max_entries || self.bytes > self.max_bytes)
        {
            if let Some((_, size)) = self.held.pop_front() {
                self.bytes -= size;
                self.dropped += 1;
            }
        }
    }
}
