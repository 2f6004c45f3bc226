// Over 500 lines because: the gateway handle's methods (one per control operation, each a thin
// client of the same operation over HTTP) and the serving loop they share.
//! The HTTP server: hyper on a tokio listener bound to 127.0.0.1. One request is one
//! `exchange`; the signed answers are built in `answer`.

mod answer;
mod builder;
mod cashier;
mod control;
mod dashboard;
mod exchange;
mod face_to_face;
mod money;
mod money_api;
mod money_control;
mod multipart;
mod pages;
mod pdeduct;
mod stateful;
mod trade_messages;
mod v3;

pub(crate) use builder::Limits;
use builder::prepare_rotation;
pub use builder::{GatewayBuilder, StartError};
pub use cashier::Payment;
pub(crate) use money::MoneyBooks;
use v3::V3_PATH_PREFIX;
pub(crate) use v3::{V3Routes, V3Settings};

use std::future::Future as _;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use alipay_runtime::MethodDescriptor;
use hyper::body::{Body, Bytes, Frame, Incoming, SizeHint};
use hyper::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, LOCATION};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::{JoinHandle, JoinSet};

use crate::cert_mode::CertModeError;
use crate::faults::{Fault, FaultError, FaultRule};
use crate::keys::GatewayKeys;
use crate::log::RecordedRequest;
use crate::notify::Notification;
use crate::scenario::{Scenario, ScenarioError, ScenarioFile};
use crate::state::Shared;
use crate::throwaway_certs::IssuedCert;
use crate::trades::{Trade, TradeError, TradeKey};

/// The path Alipay's gateway answers on.
pub const GATEWAY_PATH: &str = "/gateway.do";

/// A running local gateway. It stops when dropped (or with [`LocalGateway::shutdown`]).
///
/// ```no_run
/// # async fn demo(methods: &'static [alipay_runtime::MethodDescriptor]) -> Result<(), Box<dyn std::error::Error>> {
/// use alipay_gateway::{LocalGateway, Scenario, ThrowawayKeys};
///
/// let keys = ThrowawayKeys::generate()?;
/// let gw = LocalGateway::builder(methods, keys.gateway_keys()?).start().await?;
/// gw.set_scenario(
///     "alipay.user.agreement.auth.confirm",
///     Scenario::business_error("VALIDATECODE_EXPIRED"),
/// )?;
/// println!("gateway at {}", gw.url());
/// # Ok(()) }
/// ```
pub struct LocalGateway {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for LocalGateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalGateway")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl LocalGateway {
    /// A builder serving `methods` with `keys`.
    pub fn builder(methods: &'static [MethodDescriptor], keys: GatewayKeys) -> GatewayBuilder {
        GatewayBuilder::new(methods, keys)
    }

    /// Certificate mode: signs answers with `cert` from now on (and serves it for download),
    /// as Alipay does when it rotates its key. Returns the new `alipay_cert_sn`.
    pub fn rotate_alipay_cert(&self, cert: &IssuedCert) -> Result<String, CertModeError> {
        match &self.shared.cert_mode {
            Some(certs) => certs.rotate(cert),
            None => Err(CertModeError::NotCertMode),
        }
    }

    /// Certificate mode: the SN of the certificate answers are signed with now.
    pub fn alipay_cert_sn(&self) -> Option<String> {
        self.shared.cert_mode.as_ref().map(|c| c.alipay_cert_sn())
    }

    /// How many v3 routes the gateway serves (`/v3/...`: the static methods' and those given
    /// to [`GatewayBuilder::routes`]).
    pub fn v3_route_count(&self) -> usize {
        self.shared.v3.routes.len()
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The gateway URL to configure a client with, `http://127.0.0.1:PORT/gateway.do`.
    pub fn url(&self) -> String {
        format!("http://{}{GATEWAY_PATH}", self.addr)
    }

    /// Answers `method`'s valid requests as `scenario` says from now on.
    pub fn set_scenario(&self, method: &str, scenario: Scenario) -> Result<(), ScenarioError> {
        let descriptor = self
            .shared
            .method(method)
            .ok_or_else(|| ScenarioError::UnknownMethod(method.to_owned()))?;
        scenario.check_for(descriptor)?;
        self.shared.set_scenario(method, scenario);
        Ok(())
    }

    /// The answer for methods without their own scenario (a business error is refused: its
    /// code belongs to one method).
    pub fn set_default_scenario(&self, scenario: Scenario) -> Result<(), ScenarioError> {
        if matches!(strip_delay(&scenario), Scenario::BusinessError(_)) {
            return Err(ScenarioError::Invalid {
                method: "default".into(),
                reason: "business error codes belong to one method: set them per method".into(),
            });
        }
        self.shared.set_default(scenario);
        Ok(())
    }

    /// Replaces every scenario (for example with a freshly read scenario file).
    pub fn set_scenarios(&self, mut scenarios: ScenarioFile) -> Result<(), ScenarioError> {
        scenarios.check(self.shared.all_methods())?;
        prepare_rotation(&mut scenarios, self.shared.cert_mode.is_some())?;
        self.shared.replace_scenarios(scenarios);
        Ok(())
    }

    /// Back to success for every method.
    pub fn clear_scenarios(&self) {
        self.shared.replace_scenarios(ScenarioFile::default());
    }

    /// The requests the log holds, oldest first: every request received so far, unless the
    /// log's bounds ([`GatewayBuilder::request_log_limits`]) dropped the oldest.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests()
    }

    /// The held requests received after the first `skip` ones (positions count every request
    /// received, dropped ones included).
    pub fn requests_since(&self, skip: usize) -> Vec<RecordedRequest> {
        self.shared.requests_since(skip)
    }

    /// The held requests from position `skip` on, with the position of the first one
    /// returned: past `skip` when the log's bounds dropped requests from `skip` on before they
    /// were read (that many were lost to the reader). Reading on from the position after the
    /// last one returned never repeats a request, whatever the log dropped meanwhile.
    pub fn requests_from(&self, skip: usize) -> (usize, Vec<RecordedRequest>) {
        self.shared.requests_from(skip)
    }

    /// How many requests were received so far (dropped ones included).
    pub fn request_count(&self) -> usize {
        self.shared.request_count()
    }

    /// How many of the requests received were dropped from the log to keep it within its
    /// bounds (0 when [`requests`](Self::requests) holds every one).
    pub fn requests_dropped(&self) -> u64 {
        self.shared.requests_dropped()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        self.shared.clear_requests();
    }

    /// The trades, oldest first: opened by the cashier (page, WAP and app pay), then paid,
    /// refunded or closed. `alipay.trade.query` answers from them.
    pub fn trades(&self) -> Vec<Trade> {
        self.shared.trades()
    }

    /// The trade of `out_trade_no`, if the gateway holds one.
    pub fn trade(&self, out_trade_no: &str) -> Option<Trade> {
        self.shared.with_trades(|book| {
            book.find(&TradeKey {
                trade_no: None,
                out_trade_no: Some(out_trade_no.to_owned()),
            })
        })
    }

    /// How many trades were forgotten to keep within [`GatewayBuilder::payment_limits`].
    pub fn trades_dropped(&self) -> u64 {
        self.shared.trades_dropped()
    }

    /// The notifications made so far, oldest first, each with its deliveries.
    pub fn notifications(&self) -> Vec<Notification> {
        self.shared.notifications()
    }

    /// How many notifications are in delivery now: sent and not yet acknowledged nor given
    /// up (the backlog; see [`GatewayBuilder::payment_limits`] for its bounds).
    pub fn deliveries_pending(&self) -> usize {
        self.shared.deliveries_pending()
    }

    /// How many notifications were forgotten to keep within
    /// [`GatewayBuilder::payment_limits`] (their deliveries went on).
    pub fn notifications_dropped(&self) -> u64 {
        self.shared.notifications_dropped()
    }

    /// Pays the trade waiting at the cashier for `out_trade_no`, as the buyer's click on
    /// the pay button does: the trade becomes `TRADE_SUCCESS`, its notification is sent,
    /// and the return redirect is given back. It pays a face-to-face trade waiting for its
    /// buyer the same way (a bar-code payment waiting for the password, a trade made by
    /// `alipay.trade.create` or `.precreate`), as POSTing `{"out_trade_no": "…"}` to
    /// `/control/pay` does ([`crate::face_to_face`]).
    pub fn pay(&self, out_trade_no: &str) -> Result<Payment, TradeError> {
        cashier::pay(
            &self.shared,
            &TradeKey {
                trade_no: None,
                out_trade_no: Some(out_trade_no.to_owned()),
            },
        )
    }

    /// Pays an app order string (what the app pay client hands the Alipay app), for tests
    /// without a phone: it is checked as a request is (signature, parameters, the method's
    /// spec), then its trade is opened and paid, and its notification sent. The same as
    /// POSTing the order string to `/control/pay-order-string`.
    pub fn pay_order_string(&self, order_string: &str) -> Result<Payment, TradeError> {
        cashier::pay_order_string(&self.shared, order_string.as_bytes())
    }

    /// The buyer scans a precreated trade's `qr_code` (what `alipay.trade.precreate`
    /// answered: the URL, or its last segment) and pays: the trade becomes `TRADE_SUCCESS`
    /// and its notification is sent. The same as POSTing `{"qr_code": "…"}` to
    /// `/control/scan` ([`crate::face_to_face`]).
    pub fn scan_and_pay(&self, qr_code: &str) -> Result<Trade, TradeError> {
        face_to_face::scan_and_pay(&self.shared, qr_code)
    }

    /// The URL of the control endpoint that scans and pays a `qr_code`
    /// (`http://127.0.0.1:PORT/control/scan`).
    pub fn scan_url(&self) -> String {
        format!("http://{}{}", self.addr, crate::face_to_face::SCAN_PATH)
    }

    /// The URL of the control endpoint that pays a waiting trade
    /// (`http://127.0.0.1:PORT/control/pay`, the same as [`LocalGateway::pay`]).
    pub fn pay_url(&self) -> String {
        format!("http://{}{}", self.addr, crate::face_to_face::PAY_PATH)
    }

    /// The URL of the control endpoint that pays an app order string POSTed to it
    /// (`http://127.0.0.1:PORT/control/pay-order-string`; it answers the trade as JSON).
    pub fn pay_order_string_url(&self) -> String {
        format!("http://{}{}", self.addr, cashier::PAY_ORDER_STRING_PATH)
    }

    /// Now on the gateway's clock: the real time plus every
    /// [`advance_clock`](Self::advance_clock) so far. Trade times, trade expiry and the
    /// notification schedule run on it ([`crate::control`]).
    pub fn now(&self) -> SystemTime {
        self.shared.clock.now()
    }

    /// Moves the gateway's clock `by` forward (it never goes back, but for
    /// [`reset`](Self::reset)) and answers the new time, as POSTing `{"advance_seconds": …}` to
    /// `/control/clock` does: unpaid trades whose `time_expire` has come are `TRADE_CLOSED`
    /// (those of WAP and app pay notified `TRADE_CLOSED` at once), and notification
    /// deliveries waiting on the [`NotifySchedule`](crate::NotifySchedule) whose wait is over
    /// are made at once. The clock goes at most 100 years ahead in all.
    ///
    /// ```no_run
    /// # async fn demo(gw: &alipay_gateway::LocalGateway) {
    /// use std::time::Duration;
    /// let before = gw.now();
    /// let after = gw.advance_clock(Duration::from_secs(15 * 60));
    /// assert!(after.duration_since(before).unwrap() >= Duration::from_secs(900));
    /// # }
    /// ```
    pub fn advance_clock(&self, by: Duration) -> SystemTime {
        self.shared.clock.advance(by);
        self.shared.clock.now()
    }

    /// How far the gateway's clock was advanced in all (zero: it is the real time).
    pub fn clock_offset(&self) -> Duration {
        self.shared.clock.offset()
    }

    /// The URL of the control endpoint that advances the clock
    /// (`http://127.0.0.1:PORT/control/clock`).
    pub fn clock_url(&self) -> String {
        format!("http://{}{}", self.addr, crate::control::CLOCK_PATH)
    }

    /// Injects a fault ([`crate::faults`]): the next matching answers (or notification
    /// deliveries) go wrong as `rule` says, as POSTing the rule as JSON to `/control/faults`
    /// does. Refused for a method the gateway does not serve (other than `*`), and for a rule
    /// whose fields do not fit (a status that is not 5xx, a probability outside 0 to 1, ...).
    ///
    /// ```no_run
    /// # fn demo(gw: &alipay_gateway::LocalGateway) -> Result<(), alipay_gateway::FaultError> {
    /// use alipay_gateway::{Fault, FaultRule};
    /// gw.inject_fault(FaultRule::new("alipay.trade.query", Fault::HttpStatus(503)).times(2))?;
    /// gw.inject_fault(FaultRule::new("*", Fault::service_unavailable()).probability(0.2, 7))?;
    /// # Ok(()) }
    /// ```
    pub fn inject_fault(&self, rule: FaultRule) -> Result<(), FaultError> {
        check_fault(&self.shared, &rule)?;
        self.shared.add_fault(rule).map_err(FaultError::Invalid)
    }

    /// Removes every fault rule, as `DELETE /control/faults` does.
    pub fn clear_faults(&self) {
        self.shared.clear_faults();
    }

    /// The fault rules in force, in the order they were injected, each with what is left of
    /// its `times` (a rule used up is gone).
    pub fn faults(&self) -> Vec<FaultRule> {
        self.shared.faults()
    }

    /// The URL of the fault rules' control endpoint (`http://127.0.0.1:PORT/control/faults`).
    pub fn faults_url(&self) -> String {
        format!("http://{}{}", self.addr, crate::faults::FAULTS_PATH)
    }

    /// Back to a fresh gateway's state, as POSTing `{}` to `/control/reset` does
    /// ([`crate::control`]): no trades, notifications (deliveries in progress stop), transfers,
    /// agreements, SMS codes, fault rules nor recorded requests; the starting balance; the
    /// clock on the real time. Methods, keys, scenarios and bounds stay as configured. For a
    /// gateway shared by tests that run one after another.
    pub fn reset(&self) {
        self.shared.reset();
    }

    /// The URL of the reset control endpoint (`http://127.0.0.1:PORT/control/reset`).
    pub fn reset_url(&self) -> String {
        format!("http://{}{}", self.addr, crate::control::RESET_PATH)
    }

    /// Stops serving and waits until the listener is closed.
    pub async fn shutdown(mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
            // The task was aborted: its result says only that.
            let _ = task.await;
        }
    }
}

impl Drop for LocalGateway {
    fn drop(&mut self) {
        // Ending the serving task drops its JoinSet, which aborts every connection.
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}

/// Why `rule` cannot apply to this gateway, if it cannot.
pub(crate) fn check_fault(shared: &Shared, rule: &FaultRule) -> Result<(), FaultError> {
    if rule.method != "*" && shared.method(&rule.method).is_none() {
        return Err(FaultError::UnknownMethod(rule.method.clone()));
    }
    rule.check().map_err(FaultError::Invalid)
}

fn strip_delay(s: &Scenario) -> &Scenario {
    match s {
        Scenario::Delay { then, .. } => strip_delay(then),
        other => other,
    }
}

async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    // Ends with the server (dropping the set aborts it): trades closed by the clock, notified.
    let mut background = JoinSet::new();
    background.spawn(trade_messages::notify_expiries(Arc::clone(&shared)));
    // A connection is accepted only with a permit: past the limit, clients wait in the
    // listen queue instead of each costing a task and buffers.
    let permits = Arc::new(Semaphore::new(shared.limits.max_connections));
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                // The semaphore is never closed.
                Err(_) => return,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => continue,
        };
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    let shared = Arc::clone(&shared);
                    connections.spawn(async move {
                        let _permit = permit;
                        let header_timeout = shared.limits.header_read_timeout;
                        let service = service_fn(move |req| {
                            let shared = Arc::clone(&shared);
                            async move { respond(&shared, req).await }
                        });
                        // A client that hangs up mid-request is its own business.
                        let _ = http1::Builder::new()
                            .timer(TokioTimer::new())
                            .header_read_timeout(header_timeout)
                            .serve_connection(TokioIo::new(stream), service)
                            .await;
                    });
                }
                // Out of file descriptors and the like: wait instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// How an answer goes out: whole, or spoiled by an injected fault ([`crate::faults`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum Delivery {
    /// As it is.
    #[default]
    Whole,
    /// Not at all: the connection is closed.
    Reset,
    /// The head, declaring the whole body's length, and half of the body; then the
    /// connection is closed.
    Truncated,
}

impl Delivery {
    /// How an answer with `fault` goes out.
    pub(crate) fn of(fault: Option<&Fault>) -> Self {
        match fault {
            Some(Fault::Reset) => Delivery::Reset,
            Some(Fault::Truncated) => Delivery::Truncated,
            _ => Delivery::Whole,
        }
    }
}

/// An exchange's answer and how it goes out.
pub(crate) struct Exchanged {
    pub http: answer::HttpAnswer,
    pub delivery: Delivery,
}

impl From<answer::HttpAnswer> for Exchanged {
    fn from(http: answer::HttpAnswer) -> Self {
        Self {
            http,
            delivery: Delivery::Whole,
        }
    }
}

/// The connection closed on purpose (an injected `reset` or `truncated` fault).
#[derive(Debug)]
struct Cut;

impl std::fmt::Display for Cut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection closed by an injected fault")
    }
}

impl std::error::Error for Cut {}

/// An answer's body: whole, or cut short (its data, a pause for it to be flushed, then an
/// error that makes hyper close the connection).
struct AnswerBody {
    data: Option<Bytes>,
    cut: bool,
    pause: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl AnswerBody {
    fn whole(data: Vec<u8>) -> Self {
        Self {
            data: (!data.is_empty()).then(|| Bytes::from(data)),
            cut: false,
            pause: None,
        }
    }

    fn cut(data: Bytes) -> Self {
        Self {
            data: (!data.is_empty()).then_some(data),
            cut: true,
            pause: None,
        }
    }
}

impl Body for AnswerBody {
    type Data = Bytes;
    type Error = Cut;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Cut>>> {
        let this = self.get_mut();
        if let Some(data) = this.data.take() {
            return Poll::Ready(Some(Ok(Frame::data(data))));
        }
        if !this.cut {
            return Poll::Ready(None);
        }
        let pause = this
            .pause
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(Duration::from_millis(50))));
        match pause.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(Cut))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        !self.cut && self.data.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        match (&self.data, self.cut) {
            (_, true) => SizeHint::default(),
            (Some(data), false) => SizeHint::with_exact(data.len() as u64),
            (None, false) => SizeHint::with_exact(0),
        }
    }
}

async fn respond(
    shared: &Arc<Shared>,
    req: Request<Incoming>,
) -> Result<Response<AnswerBody>, Cut> {
    let exchanged: Exchanged = if req.uri().path().starts_with(V3_PATH_PREFIX) {
        v3::exchange(shared, req).await
    } else if dashboard::handles(req.method(), req.uri().path()) {
        dashboard::answer(shared, req.uri().path(), req.uri().query().unwrap_or("")).into()
    } else if money_control::is_control_path(req.uri().path()) {
        money_control::exchange(shared, req).await.into()
    } else if face_to_face::is_control_path(req.uri().path()) {
        face_to_face::exchange(shared, req).await.into()
    } else if control::is_control_path(req.uri().path()) {
        control::exchange(shared, req).await.into()
    } else {
        exchange::exchange(shared, req).await
    };
    let answer = exchanged.http;
    let body = match exchanged.delivery {
        Delivery::Reset => return Err(Cut),
        Delivery::Whole => AnswerBody::whole(answer.body),
        Delivery::Truncated => {
            let whole = Bytes::from(answer.body);
            let half = whole.slice(..whole.len() / 2);
            let mut response = Response::new(AnswerBody::cut(half));
            response
                .headers_mut()
                .insert(CONTENT_LENGTH, HeaderValue::from(whole.len()));
            return Ok(finish(
                response,
                answer.status,
                &answer.content_type,
                &answer.headers,
                None,
            ));
        }
    };
    let response = Response::new(body);
    Ok(finish(
        response,
        answer.status,
        &answer.content_type,
        &answer.headers,
        answer.location.as_deref(),
    ))
}

/// `response` with its status and headers.
fn finish(
    mut response: Response<AnswerBody>,
    status: u16,
    content_type: &str,
    headers: &[(&'static str, String)],
    location: Option<&str>,
) -> Response<AnswerBody> {
    *response.status_mut() =
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(value) = HeaderValue::from_str(content_type) {
        response.headers_mut().insert(CONTENT_TYPE, value);
    }
    for (name, value) in headers {
        if let Ok(value) = HeaderValue::from_str(value) {
            response.headers_mut().insert(*name, value);
        }
    }
    // A return_url that is no valid header value: the page's link takes the browser there.
    if let Some(value) = location.and_then(|l| HeaderValue::from_str(l).ok()) {
        response.headers_mut().insert(LOCATION, value);
    } else if location.is_some() {
        *response.status_mut() = StatusCode::OK;
    }
    response
}
