//! Alipay's v3 protocol on the gateway's port: requests under `/v3/`, found by HTTP method
//! and path among the served routes, authenticated by their `Authorization` header, then
//! answered by the same validation, scenarios and trades as v2 requests, in v3's form.
//!
//! One exchange, in order: the `Authorization` header (present, well formed, the app's id,
//! a timestamp within the window, in certificate mode the configured certificates), the body
//! (its signed line), the signature, the route (404 / 405 otherwise), the fields (path, query
//! and body, an AES body decrypted), the method's validation (400 `invalid-parameter`
//! naming the field), then the answer. A request refused before its signature verified runs
//! nothing; every answer is signed.

mod answer;
mod auth;
mod request;
mod routes;

use std::sync::Arc;
use std::time::Duration;

use alipay_runtime::v3::HttpMethod;
use hyper::Request;
use hyper::body::Incoming;
use hyper::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap};

use super::answer::Logged;
use super::stateful;
use crate::faults::Fault;
use crate::log::{RecordedFile, RecordedRequest};
use crate::scenario::Scenario;
use crate::state::Shared;
use answer::{AnswerContext, V3Error};
pub(crate) use auth::DEFAULT_TIMESTAMP_WINDOW;
use routes::Found;
pub(crate) use routes::V3Routes;

/// Requests whose path starts with this are the v3 protocol's.
pub(crate) const V3_PATH_PREFIX: &str = "/v3/";

/// How a gateway serves the v3 protocol: its routes, and how old (or new) a request's
/// timestamp may be.
#[derive(Debug)]
pub(crate) struct V3Settings {
    pub routes: V3Routes,
    pub timestamp_window: Duration,
}

impl Default for V3Settings {
    fn default() -> Self {
        Self {
            routes: V3Routes::default(),
            timestamp_window: DEFAULT_TIMESTAMP_WINDOW,
        }
    }
}

/// What the request log keeps of a v3 exchange, filled in as it gets further.
struct Seen {
    http_method: String,
    path: String,
    method: Option<String>,
    params: Vec<(String, String)>,
    signature_verified: bool,
    decrypted: Option<String>,
    files: Vec<RecordedFile>,
    /// The fault injected into the answer ([`crate::faults`]).
    fault: Option<Fault>,
}

/// The headers a v3 request is read by (the first of each; a value that is not text counts as
/// malformed).
struct V3Headers {
    authorization: Option<String>,
    app_auth_token: Option<String>,
    root_cert_sn: Option<String>,
    encrypt_type: Option<String>,
    content_type: String,
}

impl V3Headers {
    fn read(headers: &HeaderMap) -> Result<Self, V3Error> {
        let text = |name: &str| -> Result<Option<String>, V3Error> {
            let mut values = headers.get_all(name).iter();
            let Some(value) = values.next() else {
                return Ok(None);
            };
            if values.next().is_some() {
                return Err(V3Error::invalid_parameter(format!(
                    "header `{name}` is sent more than once"
                )));
            }
            value.to_str().map(|v| Some(v.to_owned())).map_err(|_| {
                V3Error::invalid_parameter(format!("header `{name}` is not visible ASCII"))
            })
        };
        Ok(Self {
            authorization: text(AUTHORIZATION.as_str())?,
            app_auth_token: text("alipay-app-auth-token")?,
            root_cert_sn: text("alipay-root-cert-sn")?,
            encrypt_type: text("alipay-encrypt-type")?,
            content_type: text(CONTENT_TYPE.as_str())?.unwrap_or_default(),
        })
    }
}

/// One v3 exchange: checked, answered, recorded.
pub(super) async fn exchange(shared: &Arc<Shared>, req: Request<Incoming>) -> super::Exchanged {
    shared.rotate_if_due();
    let mut ctx = AnswerContext {
        trace_id: answer::trace_id(),
        encrypt: false,
    };
    let mut seen = Seen {
        http_method: req.method().as_str().to_owned(),
        path: req.uri().path().to_owned(),
        method: None,
        params: Vec::new(),
        signature_verified: false,
        decrypted: None,
        files: Vec::new(),
        fault: None,
    };
    let (mut logged, mut delay_ms) = match run(shared, req, &mut seen, &mut ctx).await {
        Ok(done) => done,
        Err(e) => (answer::error(shared, &ctx, &e), 0),
    };
    tracing::debug!(
        http_method = %seen.http_method,
        path = %seen.path,
        method = seen.method.as_deref().unwrap_or(""),
        status = logged.http.status,
        code = logged.summary.code.as_deref().unwrap_or(""),
        trace_id = %ctx.trace_id,
        "v3 request answered"
    );
    if let Some(Fault::Slow(wait)) = &seen.fault {
        delay_ms = delay_ms.saturating_add(u64::try_from(wait.as_millis()).unwrap_or(u64::MAX));
    }
    let delivery = super::Delivery::of(seen.fault.as_ref());
    record(shared, seen, &mut logged);
    if delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
    }
    super::Exchanged {
        http: logged.http,
        delivery,
    }
}

/// A request received: its HTTP method, query and host, its app id and its body, once its
/// `Authorization` checked and verified (and the body line recorded as sent).
struct Received {
    http_method: HttpMethod,
    query: Option<String>,
    host: Option<String>,
    app_id: String,
    body: request::Body,
}

/// Reads and authenticates a request: the HTTP method, the headers, the app, the timestamp
/// window, the certificates, the body, then the signature over the target as received.
async fn receive(
    shared: &Arc<Shared>,
    req: Request<Incoming>,
    seen: &mut Seen,
    ctx: &mut AnswerContext,
) -> Result<Received, V3Error> {
    let http_method = HttpMethod::from_name(req.method().as_str()).ok_or_else(|| {
        V3Error::new(
            405,
            "invalid-method",
            format!(
                "HTTP method {} (the v3 protocol uses GET, POST, PUT, PATCH, DELETE)",
                req.method()
            ),
        )
    })?;
    let target = req
        .uri()
        .path_and_query()
        .map_or_else(|| seen.path.clone(), |p| p.as_str().to_owned());
    let query = req.uri().query().map(str::to_owned);
    let host = req
        .headers()
        .get(hyper::header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let headers = V3Headers::read(req.headers())?;
    let auth = auth::parse(headers.authorization.as_deref())?;
    auth::check_app(shared, &auth)?;
    auth::check_fresh(&auth, answer::now_ms(), shared.v3.timestamp_window)?;
    auth::check_certs(shared, &auth, headers.root_cert_sn.as_deref())?;

    let bytes = super::exchange::read_body(shared, req.into_body())
        .await
        .map_err(|plain| {
            V3Error::new(
                plain.status,
                "invalid-parameter",
                String::from_utf8_lossy(&plain.body).trim().to_owned(),
            )
        })?;
    let body = request::read_body(
        &headers.content_type,
        headers.encrypt_type.as_deref(),
        bytes,
    )
    .await?;
    auth::verify(
        shared,
        &auth,
        http_method.as_str(),
        &target,
        body.line(),
        headers.app_auth_token.as_deref(),
    )?;
    seen.signature_verified = true;
    ctx.encrypt = body.encrypted();
    if !body.line().is_empty() {
        // The body line as sent (signed): the JSON, the ciphertext, or the `data` part.
        seen.params.push((
            "biz_content".to_owned(),
            String::from_utf8_lossy(body.line()).into_owned(),
        ));
    }
    Ok(Received {
        http_method,
        query,
        host,
        app_id: auth.app_id.to_owned(),
        body,
    })
}

/// The steps of the module's list; the answer and how long to wait before giving it.
async fn run(
    shared: &Arc<Shared>,
    req: Request<Incoming>,
    seen: &mut Seen,
    ctx: &mut AnswerContext,
) -> Result<(Logged, u64), V3Error> {
    let Received {
        http_method,
        query,
        host,
        app_id,
        body,
    } = receive(shared, req, seen, ctx).await?;
    let path = seen.path.clone();
    let Target {
        entry,
        path_params,
        descriptor,
    } = find_method(shared, http_method, &path)?;
    seen.method = Some(descriptor.method.to_owned());
    let fields = request::fields(shared, &entry.route, &path_params, query.as_deref(), body)?;
    let mut params = fields.params;
    params.append(&mut seen.params);
    seen.params = params;
    seen.decrypted = fields.decrypted;
    seen.files = fields.files;
    if let Some(name) = crate::protocol::non_file_part(shared, descriptor, &seen.files) {
        return Err(V3Error::invalid_parameter(format!(
            "the part `{name}` is sent as a file, but `{name}` is no file field of this method (fields travel in the signed `data` part)"
        )));
    }
    let object = serde_json::Value::Object(fields.object);
    shared
        .validate(descriptor, Some(&object), &fields.form)
        .map_err(|e| V3Error::invalid_parameter(crate::protocol::plain_validation(&e)))?;
    let caller = stateful::Caller {
        app_id: &app_id,
        notify_url: None,
        charset: alipay_runtime::charset::Charset::Utf8,
        sign_type: alipay_runtime::sign::SignType::Rsa2,
        host: host.as_deref(),
        params: &[],
    };
    // An injected fault: a status or a system error instead of the answer (the request is
    // not processed), or the answer late, cut or lost (it is).
    seen.fault = shared.take_fault(descriptor.method, false);
    match &seen.fault {
        Some(Fault::HttpStatus(status)) => {
            return Ok((super::answer::http_status_logged(*status), 0));
        }
        Some(fault) => {
            if let Some(scenario) = fault.as_scenario() {
                return Ok((answer::scenario(shared, ctx, descriptor, &scenario), 0));
            }
        }
        None => {}
    }
    Ok(dispatch(
        shared,
        ctx,
        descriptor,
        &object.to_string(),
        &caller,
    ))
}

/// What a request's HTTP method and path found.
struct Target<'p> {
    entry: routes::RouteEntry,
    /// The raw segments of the route's `{name}` parameters.
    path_params: Vec<(&'static str, &'p str)>,
    descriptor: &'static alipay_runtime::MethodDescriptor,
}

/// The method a request's HTTP method and path name: 404 `invalid-method` when no route has
/// the path, 405 when its routes take other HTTP methods (named).
fn find_method<'p>(
    shared: &Shared,
    http_method: HttpMethod,
    path: &'p str,
) -> Result<Target<'p>, V3Error> {
    let (entry, path_params) = match shared.v3.routes.find(http_method, path) {
        Found::Route(entry, params) => (entry, params),
        Found::OtherMethods(methods) => {
            let allowed: Vec<&str> = methods.iter().map(|m| m.as_str()).collect();
            return Err(V3Error::new(
                405,
                "invalid-method",
                format!(
                    "不存在的方法名: {http_method} {} (this path takes {})",
                    path,
                    allowed.join(", ")
                ),
            ));
        }
        Found::NoRoute => {
            return Err(V3Error::new(
                404,
                "invalid-method",
                format!("不存在的方法名: {http_method} {}", path),
            ));
        }
    };
    let descriptor = shared.method(entry.method).ok_or_else(|| {
        V3Error::new(
            404,
            "invalid-method",
            format!("不存在的方法名: {} (its spec does not load)", entry.method),
        )
    })?;
    Ok(Target {
        entry,
        path_params,
        descriptor,
    })
}

/// The answer to a valid request: the trades' (query, refund, close, the face-to-face methods)
/// or the method's scenario.
fn dispatch(
    shared: &Arc<Shared>,
    ctx: &AnswerContext,
    descriptor: &alipay_runtime::MethodDescriptor,
    biz: &str,
    caller: &stateful::Caller,
) -> (Logged, u64) {
    let mut scenario = shared.scenario_for(descriptor.method);
    let mut delay_ms: u64 = 0;
    while let Scenario::Delay { ms, then } = scenario {
        delay_ms = delay_ms.saturating_add(ms);
        scenario = *then;
    }
    let state = match scenario {
        Scenario::Success => stateful::answer(shared, descriptor.method, Some(biz), caller),
        _ => None,
    };
    let logged = match state {
        Some(node) => answer::from_node(shared, ctx, &node, answer::Tamper::None),
        None => answer::scenario(shared, ctx, descriptor, &scenario),
    };
    (logged, delay_ms)
}

fn record(shared: &Shared, seen: Seen, answer: &mut Logged) {
    shared.record(RecordedRequest {
        http_method: seen.http_method,
        path: seen.path,
        method: seen.method,
        params: seen.params,
        charset: "utf-8".to_owned(),
        signature_verified: seen.signature_verified,
        verdict: crate::log::signature_verdict(seen.signature_verified),
        decrypted_biz_content: seen.decrypted,
        files: seen.files,
        answer: answer.summary.clone(),
        fault: seen.fault.as_ref().map(Fault::label),
    });
}
