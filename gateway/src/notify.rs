// Over 500 lines because: one notification's life (made, delivered, retried on the clock,
// faulted, stopped by a reset) and its unit tests.
//! Asynchronous notifications: what the gateway POSTs to a trade's `notify_url`, and how it
//! re-delivers them.
//!
//! Each notification is a form body in the trade's charset, signed with the Alipay key the
//! way Alipay signs them (every field but `sign` and `sign_type`, sorted, `key=value` joined
//! with `&`): the runtime's `verify_notify` accepts it. It is delivered by a task of its own,
//! never by the request that caused it, and counts as delivered only when the answer is
//! exactly `success` (HTTP 200, white space around it ignored; `success` followed by anything
//! else is not); any other answer, a timeout or a refused connection is tried again after
//! the next wait of the [`NotifySchedule`], until the schedule is used up. The waits run on
//! the gateway's clock: [`LocalGateway::advance_clock`](crate::LocalGateway::advance_clock)
//! past a wait makes the delivery at once.

use std::sync::{Arc, Weak};
use std::time::Duration;

use crate::clock::Clock;
use crate::faults::Fault;
use crate::state::Shared;

/// The waits between deliveries of a notification that was not acknowledged with `success`.
///
/// Alipay's is [`NotifySchedule::alipay`]: 4m, 10m, 10m, 1h, 2h, 6h, 15h (eight deliveries in
/// about 25 hours). The gateway's default is that shape 60 times faster
/// (`NotifySchedule::compressed(60)`: 4 s, 10 s, 10 s, 1 min, 2 min, 6 min, 15 min); tests set
/// their own with [`GatewayBuilder::notify_schedule`](crate::GatewayBuilder::notify_schedule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifySchedule {
    delays: Vec<Duration>,
}

/// Alipay's waits, in seconds.
const ALIPAY_DELAYS: [u64; 7] = [240, 600, 600, 3_600, 7_200, 21_600, 54_000];

impl NotifySchedule {
    /// Alipay's schedule: 4m, 10m, 10m, 1h, 2h, 6h, 15h.
    pub fn alipay() -> Self {
        Self::new(ALIPAY_DELAYS.iter().map(|s| Duration::from_secs(*s)))
    }

    /// Alipay's shape with every wait divided by `factor` (at least 1): `compressed(2400)`
    /// waits 100 ms, 250 ms, 250 ms, 1.5 s, 3 s, 9 s, 22.5 s.
    pub fn compressed(factor: u32) -> Self {
        let factor = factor.max(1);
        Self::new(
            ALIPAY_DELAYS
                .iter()
                .map(|s| Duration::from_secs(*s) / factor),
        )
    }

    /// These waits: one delivery first, then one more after each wait.
    pub fn new(delays: impl IntoIterator<Item = Duration>) -> Self {
        Self {
            delays: delays.into_iter().collect(),
        }
    }

    /// The waits.
    pub fn delays(&self) -> &[Duration] {
        &self.delays
    }

    /// How many deliveries at most: the first and one after each wait.
    pub fn max_deliveries(&self) -> usize {
        self.delays.len() + 1
    }
}

impl Default for NotifySchedule {
    fn default() -> Self {
        Self::compressed(60)
    }
}

/// Where a notification's delivery stands.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeliveryState {
    /// Not acknowledged yet; another delivery is scheduled.
    Pending,
    /// Acknowledged with `success`.
    Delivered,
    /// Every delivery of the schedule was made, none acknowledged.
    GaveUp,
    /// Never sent, for the reason given (a `notify_url` off the loopback interface, not
    /// http, too many deliveries pending, ...).
    NotSent(String),
}

/// One delivery of a notification.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryAttempt {
    /// When it was made, on the gateway's clock
    /// ([`LocalGateway::now`](crate::LocalGateway::now)): the waits between attempts follow
    /// the [`NotifySchedule`] on that clock.
    pub at: std::time::SystemTime,
    /// The HTTP status of the answer, when one came.
    pub status: Option<u16>,
    /// The start of the answer's body (at most 256 bytes, lossily decoded); the whole body
    /// (read up to 4 KiB) decides whether it acknowledges.
    pub answer: String,
    /// Why no answer came (connection refused, timeout, ...).
    pub error: Option<String>,
    /// The fault injected into this delivery ([`crate::faults`]): `notify_drop` (not made:
    /// no status, no answer), `notify_delay 500ms`, `notify_duplicate` (this is the second of
    /// the pair), `notify_out_of_order` (it waited for the next notification); `None` when
    /// none was.
    pub fault: Option<String>,
}

/// A notification the gateway made, with its deliveries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// The `notify_id` field.
    pub notify_id: String,
    /// Where it goes.
    pub notify_url: String,
    /// The trade's `trade_no` (an agreement's notification: its `agreement_no`).
    pub trade_no: String,
    /// The trade's `out_trade_no` (an agreement's notification: its `external_agreement_no`).
    pub out_trade_no: String,
    /// The `trade_status` it reports (an agreement's notification: the agreement's `status`).
    pub trade_status: String,
    /// Every field, `sign` included, in the order sent.
    pub params: Vec<(String, String)>,
    /// The form body POSTed, in the trade's charset.
    pub body: Vec<u8>,
    /// The `Content-Type` it is POSTed with.
    pub content_type: String,
    /// The deliveries so far, oldest first.
    pub attempts: Vec<DeliveryAttempt>,
    /// Where the delivery stands.
    pub state: DeliveryState,
}

impl Notification {
    /// The value of field `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        crate::log::first_value(&self.params, name)
    }

    /// Whether it was acknowledged with `success`.
    pub fn is_delivered(&self) -> bool {
        self.state == DeliveryState::Delivered
    }
}

/// The notifications made, at most `max`: past that the oldest is forgotten (its delivery
/// goes on, unrecorded).
pub(crate) struct NotificationLog {
    held: std::collections::VecDeque<Notification>,
    max: usize,
    dropped: u64,
    next_id: u64,
}

impl NotificationLog {
    pub fn new(max: usize) -> Self {
        Self {
            held: std::collections::VecDeque::new(),
            max: max.max(1),
            dropped: 0,
            next_id: 1,
        }
    }

    pub fn next_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    pub fn push(&mut self, n: Notification) {
        self.held.push_back(n);
        while self.held.len() > self.max {
            self.held.pop_front();
            self.dropped += 1;
        }
    }

    pub fn all(&self) -> Vec<Notification> {
        self.held.iter().cloned().collect()
    }

    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    /// Forgets every notification (their numbers go on: a delivery of one made before, still
    /// ending, never updates a new one).
    pub fn clear(&mut self) {
        self.held.clear();
        self.dropped = 0;
    }

    pub fn update(&mut self, notify_id: &str, f: impl FnOnce(&mut Notification)) {
        if let Some(n) = self
            .held
            .iter_mut()
            .rev()
            .find(|n| n.notify_id == notify_id)
        {
            f(n);
        }
    }
}

/// How the gateway delivers notifications.
#[derive(Debug, Clone)]
pub(crate) struct NotifySettings {
    pub schedule: NotifySchedule,
    /// How long one delivery may take.
    pub timeout: Duration,
    /// Deliver to any host, not only the loopback interface.
    pub any_host: bool,
    /// How many notifications may be in delivery at once.
    pub max_pending: usize,
}

impl Default for NotifySettings {
    fn default() -> Self {
        Self {
            schedule: NotifySchedule::default(),
            timeout: Duration::from_secs(5),
            any_host: false,
            max_pending: 1_024,
        }
    }
}

/// Why `url` cannot be delivered to, if it cannot.
fn refuse_url(url: &str, any_host: bool) -> Option<String> {
    let parsed = match reqwest::Url::parse(url) {
        Ok(parsed) => parsed,
        Err(e) => return Some(format!("notify_url is not a URL: {e}")),
    };
    if parsed.scheme() != "http" && parsed.scheme() != "https" {
        return Some(format!(
            "notify_url scheme `{}` is not http or https",
            parsed.scheme()
        ));
    }
    if parsed.scheme() == "https" {
        return Some("notify_url is https: this gateway delivers over plain http only".into());
    }
    if any_host {
        return None;
    }
    let host = parsed.host_str().unwrap_or_default();
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let loopback = bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    (!loopback).then(|| {
        "notify_url is not on the loopback interface (GatewayBuilder::notify_any_host allows other hosts)"
            .to_owned()
    })
}

/// Records `n` (about a trade `method` made) and starts delivering it, in a task of its own.
pub(crate) fn send(shared: &Arc<Shared>, mut n: Notification, method: &str) {
    let settings = &shared.notify;
    if let Some(reason) = refuse_url(&n.notify_url, settings.any_host) {
        n.state = DeliveryState::NotSent(reason);
        shared.record_notification(n);
        return;
    }
    let Some(runtime) = shared.runtime.clone() else {
        n.state = DeliveryState::NotSent("the gateway runs on no tokio runtime".into());
        shared.record_notification(n);
        return;
    };
    let Some(client) = shared.http_client() else {
        n.state = DeliveryState::NotSent("no HTTP client could be built".into());
        shared.record_notification(n);
        return;
    };
    let endpoint = endpoint_of(&n.notify_url);
    if let Err(reason) = shared.begin_delivery(&endpoint) {
        n.state = DeliveryState::NotSent(reason);
        shared.record_notification(n);
        return;
    }
    let id = n.notify_id.clone();
    let url = n.notify_url.clone();
    let body = n.body.clone();
    let content_type = n.content_type.clone();
    let delays = settings.schedule.delays().to_vec();
    shared.record_notification(n);
    let weak: Weak<Shared> = Arc::downgrade(shared);
    let clock = Arc::clone(&shared.clock);
    let method = method.to_owned();
    let resets = shared.resets.subscribe();
    let generation = *resets.borrow();
    runtime.spawn(async move {
        let target = Target {
            client,
            url,
            body,
            content_type,
            method,
            resets,
            generation,
        };
        deliver(weak, clock, id, target, delays).await;
    });
}

/// The endpoint a `notify_url` names, `host:port`: where deliveries are counted.
fn endpoint_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| {
            let port = u.port_or_known_default()?;
            Some(format!("{}:{port}", u.host_str()?))
        })
        .unwrap_or_else(|| url.to_owned())
}

/// Where and what a notification is delivered.
struct Target {
    client: reqwest::Client,
    url: String,
    body: Vec<u8>,
    content_type: String,
    /// The method that made the trade (notification faults are matched by it).
    method: String,
    /// The gateway's resets: one after the notification was made ends its deliveries.
    resets: tokio::sync::watch::Receiver<u64>,
    /// How many resets there had been when it was made.
    generation: u64,
}

impl Target {
    /// Whether the gateway was reset since the notification was made.
    fn outdated(&self) -> bool {
        *self.resets.borrow() != self.generation
    }
}

async fn deliver(
    weak: Weak<Shared>,
    clock: Arc<Clock>,
    id: String,
    mut target: Target,
    delays: Vec<Duration>,
) {
    // A notification held back waits at most the schedule's first wait (5 s without one).
    let hold_at_most = delays.first().copied().unwrap_or(Duration::from_secs(5));
    let mut waits = delays.into_iter();
    let mut first = true;
    loop {
        let Some(shared) = weak.upgrade() else { return };
        if target.outdated() {
            // Reset: a fresh gateway has no such notification to deliver.
            shared.end_delivery(&endpoint_of(&target.url));
            return;
        }
        let fault = shared.take_fault(&target.method, true);
        let mut first_made = shared.first_deliveries.subscribe();
        drop(shared);
        let (attempts, acknowledged) =
            attempt(&clock, &target, fault, &mut first_made, hold_at_most).await;
        // The gateway is gone: nobody is left to record or deliver for.
        let Some(shared) = weak.upgrade() else { return };
        if first {
            first = false;
            shared.first_deliveries.send_modify(|n| *n += 1);
        }
        let next = if acknowledged { None } else { waits.next() };
        shared.update_notification(&id, |n| {
            n.attempts.extend(attempts);
            n.state = if acknowledged {
                DeliveryState::Delivered
            } else if next.is_some() {
                DeliveryState::Pending
            } else {
                DeliveryState::GaveUp
            };
        });
        match next {
            Some(wait) => {
                drop(shared);
                tokio::select! {
                    () = clock.sleep(wait) => {}
                    // Woken by a reset (or the gateway gone): the loop's check ends it.
                    _ = target.resets.changed() => {}
                }
            }
            None => {
                shared.end_delivery(&endpoint_of(&target.url));
                return;
            }
        }
    }
}

/// One delivery, spoiled by `fault` if one fired: the attempts it made (none, one, or two
/// for a duplicate) and whether one was acknowledged.
async fn attempt(
    clock: &Clock,
    target: &Target,
    fault: Option<Fault>,
    first_made: &mut tokio::sync::watch::Receiver<u64>,
    hold_at_most: Duration,
) -> (Vec<DeliveryAttempt>, bool) {
    let label = fault.as_ref().map(Fault::label);
    match fault {
        Some(Fault::NotifyDrop) => {
            let dropped = DeliveryAttempt {
                at: clock.now(),
                status: None,
                answer: String::new(),
                error: Some("not delivered: dropped by an injected fault".into()),
                fault: label,
            };
            return (vec![dropped], false);
        }
        Some(Fault::NotifyDelay(wait)) => clock.sleep(wait).await,
        Some(Fault::NotifyOutOfOrder) => {
            tokio::select! {
                _ = first_made.changed() => {}
                () = clock.sleep(hold_at_most) => {}
            }
        }
        _ => {}
    }
    let (mut made, acknowledged) = post(target, clock.now()).await;
    if !matches!(fault, Some(Fault::NotifyDuplicate)) {
        made.fault = label;
        return (vec![made], acknowledged);
    }
    let (mut again, acknowledged_again) = post(target, clock.now()).await;
    again.fault = label;
    (vec![made, again], acknowledged || acknowledged_again)
}

/// How much of an answer is shown in [`DeliveryAttempt::answer`].
const SHOWN_ANSWER_BYTES: usize = 256;

/// The longest answer read: `success` with some white space around it fits many times over;
/// a longer answer is no acknowledgement, whatever it starts with.
const MAX_ACK_BYTES: usize = 4096;

/// Whether an answer acknowledges a notification: HTTP 200 and a body that is exactly
/// `success`, white space around it aside (Alipay's rule: anything else is delivered again).
fn is_acknowledgement(status: u16, body: &[u8]) -> bool {
    status == 200 && body.trim_ascii() == b"success"
}

/// One delivery: what it got, and whether that acknowledged the notification.
async fn post(target: &Target, at: std::time::SystemTime) -> (DeliveryAttempt, bool) {
    let sent = target
        .client
        .post(&target.url)
        .header(reqwest::header::CONTENT_TYPE, &target.content_type)
        .body(target.body.clone())
        .send()
        .await;
    let mut response = match sent {
        Ok(response) => response,
        Err(e) => {
            let attempt = DeliveryAttempt {
                at,
                status: None,
                answer: String::new(),
                error: Some(e.to_string()),
                fault: None,
            };
            return (attempt, false);
        }
    };
    let status = response.status().as_u16();
    // The whole answer decides (`success` followed by anything is no acknowledgement), read
    // up to a bound: one past it is enough to know the answer is too long.
    let mut answer = Vec::new();
    let mut error = None;
    let mut complete = false;
    while answer.len() <= MAX_ACK_BYTES {
        match response.chunk().await {
            Ok(Some(chunk)) => answer.extend_from_slice(&chunk),
            Ok(None) => {
                complete = true;
                break;
            }
            Err(e) => {
                error = Some(e.to_string());
                break;
            }
        }
    }
    let acknowledged = complete && is_acknowledgement(status, &answer);
    answer.truncate(SHOWN_ANSWER_BYTES);
    let attempt = DeliveryAttempt {
        at,
        status: Some(status),
        answer: String::from_utf8_lossy(&answer).into_owned(),
        error,
        fault: None,
    };
    (attempt, acknowledged)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules() {
        assert_eq!(NotifySchedule::alipay().max_deliveries(), 8);
        assert_eq!(
            NotifySchedule::alipay().delays()[3],
            Duration::from_secs(3_600)
        );
        let fast = NotifySchedule::compressed(2_400);
        assert_eq!(fast.delays()[0], Duration::from_millis(100));
        assert_eq!(fast.delays()[6], Duration::from_millis(22_500));
        assert_eq!(
            NotifySchedule::default().delays()[0],
            Duration::from_secs(4)
        );
    }

    #[test]
    fn only_success_acknowledges() {
        for body in [&b"success"[..], b"success\n", b" \r\nsuccess\t\n"] {
            assert!(is_acknowledgement(200, body), "{body:?}");
        }
        for body in [
            &b"successful"[..],
            b"success junk",
            b"success\nfail",
            b"SUCCESS",
            b"fail",
            b"",
            b"\"success\"",
        ] {
            assert!(!is_acknowledgement(200, body), "{body:?}");
        }
        assert!(!is_acknowledgement(500, b"success"));
    }

    #[test]
    fn only_plain_http_to_the_loopback_interface_by_default() {
        assert_eq!(refuse_url("http://127.0.0.1:8080/notify", false), None);
        assert_eq!(refuse_url("http://localhost/notify", false), None);
        assert_eq!(refuse_url("http://[::1]:9/n", false), None);
        assert!(refuse_url("http://example.com/notify", false).is_some());
        assert_eq!(refuse_url("http://example.com/notify", true), None);
        assert!(refuse_url("https://127.0.0.1/notify", true).is_some());
        assert!(refuse_url("ftp://127.0.0.1/notify", true).is_some());
        assert!(refuse_url("not a url", true).is_some());
    }
}
