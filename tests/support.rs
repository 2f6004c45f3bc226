//! What the root tests share: a local gateway (with extra SDK-model methods if need be), a
//! merchant and a client for it, an HTTP client for its cashier and control API, amounts, a
//! bar-code payment, the sub_code of a refusal, a trade's query answer and status, JSON control
//! calls, the request log, form posts, waiting for notifications, and the page requests the
//! cashier answers.
//! Each test file imports what it uses from here (`crate::support::...`); `merchant/` is the
//! merchant's side.

use std::time::Duration;

use alipay_gateway::face_to_face::AUTH_CODE_PAYS;
use alipay_gateway::{Notification, NotifySchedule, RecordedRequest, TestGateway};
use alipay_openapi::trade::{pay, query};
use alipay_runtime::{
    Charset, Client, Error, Method, MethodDescriptor, PreparedRequest, Price, RequestParts,
};
use serde_json::{Value, json};

use crate::merchant::Merchant;

pub(crate) const PAGE_PAY: &str = "alipay.trade.page.pay";

/// Deliveries in quick succession, so that a test sees the retries.
pub(crate) fn fast() -> NotifySchedule {
    NotifySchedule::new([Duration::from_millis(50); 3])
}

/// The crate's typed methods and `extra` (SDK-model methods described by hand), kept for the
/// rest of the test binary's life as a gateway wants them.
pub(crate) fn methods_and(extra: &[MethodDescriptor]) -> &'static [MethodDescriptor] {
    Box::leak(
        alipay_openapi::METHODS
            .iter()
            .chain(extra)
            .copied()
            .collect::<Vec<_>>()
            .into_boxed_slice(),
    )
}

/// A gateway for every method, delivering notifications on the `fast()` schedule.
pub(crate) async fn start() -> TestGateway {
    start_with_schedule(fast()).await
}

/// A gateway for every method, delivering notifications on `schedule`.
pub(crate) async fn start_with_schedule(schedule: NotifySchedule) -> TestGateway {
    TestGateway::start_with(alipay_openapi::METHODS, |b| b.notify_schedule(schedule))
        .await
        .expect("gateway starts")
}

/// A gateway (`start()`), a merchant, and a client of the gateway in `charset` with the
/// merchant's return and notify URLs: what a shop's test starts from.
pub(crate) async fn shop(charset: Charset) -> (TestGateway, Merchant, Client) {
    shop_with_schedule(fast(), charset).await
}

/// [`shop`] with a gateway delivering notifications on `schedule`.
pub(crate) async fn shop_with_schedule(
    schedule: NotifySchedule,
    charset: Charset,
) -> (TestGateway, Merchant, Client) {
    let gw = start_with_schedule(schedule).await;
    let merchant = Merchant::start(0).await;
    let client = client(&gw, &merchant, charset);
    (gw, merchant, client)
}

/// A client of `gw` in `charset` whose return and notify URLs are `merchant`'s.
pub(crate) fn client(gw: &TestGateway, merchant: &Merchant, charset: Charset) -> Client {
    gw.client_builder()
        .charset(charset)
        .return_url(merchant.return_url())
        .notify_url(merchant.notify_url())
        .build()
        .expect("client")
}

/// A client of `gw` that speaks the v3 protocol.
pub(crate) fn v3_client(gw: &TestGateway) -> Client {
    gw.client_builder()
        .protocol(alipay_runtime::Protocol::V3)
        .build()
        .expect("v3 client")
}

/// An HTTP client for the gateway's pages and control API: no proxy, redirects not followed.
pub(crate) fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .expect("http client")
}

pub(crate) fn price(amount: &str) -> Price {
    amount.parse().expect("an amount")
}

/// The sub_code of a business refusal (anything else fails the test).
pub(crate) fn sub_code<E: alipay_runtime::BizErrorCode, T: std::fmt::Debug>(
    result: Result<T, Error<E>>,
) -> String {
    match result {
        Err(Error::Business(b)) => b.sub_code().as_str().to_owned(),
        other => panic!("not a business error: {other:?}"),
    }
}

/// The sub_code with which `client` refuses `request` (an answer or another error fails the
/// test).
pub(crate) async fn refusal<M: Method>(client: &Client, request: &M) -> String
where
    M::Response: std::fmt::Debug,
{
    sub_code(client.execute(request).await)
}

pub(crate) fn status_of(status: &Option<impl ToString>) -> Option<String> {
    status.as_ref().map(ToString::to_string)
}

/// What `alipay.trade.query` answers for the merchant's order number `out`.
pub(crate) async fn query_out(client: &Client, out: &str) -> query::Response {
    client
        .execute(&query::Request::new().out_trade_no(out))
        .await
        .expect("query")
}

/// What `alipay.trade.query` answers for Alipay's trade number `trade_no`.
pub(crate) async fn query_trade_no(client: &Client, trade_no: &str) -> query::Response {
    client
        .execute(&query::Request::new().trade_no(trade_no))
        .await
        .expect("query")
}

/// A bar-code `alipay.trade.pay` of `amount` for `out` with the buyer's `auth_code`.
pub(crate) fn pay_of(out: &str, auth_code: &str, amount: &str) -> pay::Request {
    pay::Request::new(out, pay::Scene::BarCode, auth_code, price(amount)).subject("Iphone6 16G")
}

/// [`pay_of`] with the auth code the gateway pays at once (no password): the answer.
pub(crate) async fn pay_at_once(client: &Client, out: &str, amount: &str) -> pay::Response {
    client
        .execute(&pay_of(out, AUTH_CODE_PAYS, amount))
        .await
        .expect("paid at once")
}

/// The trade status `alipay.trade.query` answers for `out`.
pub(crate) async fn status(client: &Client, out: &str) -> Option<String> {
    status_of(&query_out(client, out).await.trade_status)
}

/// `http://<gateway>{path}`.
pub(crate) fn path_url(gw: &TestGateway, path: &str) -> String {
    format!("http://{}{path}", gw.addr())
}

/// The requests `gw` logged at `path`, oldest first.
pub(crate) fn logged_at(gw: &TestGateway, path: &str) -> Vec<RecordedRequest> {
    gw.requests()
        .into_iter()
        .filter(|r| r.path == path)
        .collect()
}

/// Sends `body` (if any) as JSON to `url` with `method`: the status and the JSON answer.
pub(crate) async fn send_json(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let mut request = http.request(method, url);
    if let Some(body) = body {
        request = request
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.expect("answer");
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).expect("JSON"))
}

/// POSTs `body` as JSON to the control endpoint `url`: the status and the JSON answer.
pub(crate) async fn control(http: &reqwest::Client, url: &str, body: &Value) -> (u16, Value) {
    send_json(http, reqwest::Method::POST, url, Some(body)).await
}

/// POSTs `body` as a form (`application/x-www-form-urlencoded`) to `url`.
pub(crate) async fn post_form(
    http: &reqwest::Client,
    url: &str,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    http.post(url)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(body)
        .send()
        .await
        .expect("answer")
}

/// Waits until the gateway's notifications satisfy `done`, at most 20 s.
pub(crate) async fn wait_notifications(
    gw: &TestGateway,
    done: impl Fn(&[Notification]) -> bool,
) -> Vec<Notification> {
    notifications_within(gw, Duration::from_secs(20), done).await
}

/// Waits until the gateway's notifications satisfy `done`, at most `limit`: the notifications
/// then.
pub(crate) async fn notifications_within(
    gw: &TestGateway,
    limit: Duration,
    done: impl Fn(&[Notification]) -> bool,
) -> Vec<Notification> {
    poll(
        limit,
        Duration::from_millis(10),
        || gw.notifications(),
        |held| done(held),
    )
    .await
}

/// Reads `read()` every `every` until `done` holds for what it read or `limit` has passed:
/// the last reading.
pub(crate) async fn poll<T>(
    limit: Duration,
    every: Duration,
    read: impl Fn() -> T,
    done: impl Fn(&T) -> bool,
) -> T {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let reading = read();
        if done(&reading) || tokio::time::Instant::now() >= deadline {
            return reading;
        }
        tokio::time::sleep(every).await;
    }
}

/// A signed page request for `method` with this `biz_content`.
pub(crate) fn page_request(client: &Client, method: &str, biz: &Value) -> PreparedRequest {
    let parts = RequestParts {
        biz_content: Some(biz.to_string()),
        form: Vec::new(),
        ..RequestParts::default()
    };
    client.prepare_raw(method, &parts).expect("signed request")
}

/// The whole request as one GET URL: the form's fields appended to the query.
pub(crate) fn get_url(p: &PreparedRequest) -> String {
    format!("{}&{}", p.url, std::str::from_utf8(&p.body).expect("ASCII"))
}

pub(crate) fn order(out_trade_no: &str, amount: &str, subject: &str) -> Value {
    json!({
        "out_trade_no": out_trade_no,
        "total_amount": amount,
        "subject": subject,
        "product_code": "FAST_INSTANT_TRADE_PAY",
    })
}

pub(crate) async fn get_page(http: &reqwest::Client, url: &str) -> (u16, String, String) {
    page_of(http.get(url).send().await.expect("answer")).await
}

/// An answer's status, content type and text.
pub(crate) async fn page_of(response: reqwest::Response) -> (u16, String, String) {
    let status = response.status().as_u16();
    let content_type = header(&response, reqwest::header::CONTENT_TYPE);
    (status, content_type, response.text().await.expect("body"))
}

/// An answer's header `name` (empty when absent or not text).
fn header(response: &reqwest::Response, name: reqwest::header::HeaderName) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

/// Presses the cashier's pay button for `trade_no` (with the token its cashier page
/// carries): the answer's status and Location.
pub(crate) async fn press_pay(
    http: &reqwest::Client,
    gw: &TestGateway,
    trade_no: &str,
) -> (u16, String) {
    let token = gw
        .trades()
        .into_iter()
        .find(|t| t.trade_no == trade_no)
        .map(|t| t.cashier_token)
        .unwrap_or_default();
    let response = post_form(
        http,
        &path_url(gw, "/cashier/pay"),
        format!("trade_no={trade_no}&token={token}"),
    )
    .await;
    let location = header(&response, reqwest::header::LOCATION);
    (response.status().as_u16(), location)
}
