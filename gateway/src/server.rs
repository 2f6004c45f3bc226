//! The HTTP server: hyper on a tokio listener bound to 127.0.0.1.

use std::convert::Infallible;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use alipay_runtime::MethodDescriptor;
use alipay_runtime::charset::Charset;
use alipay_runtime::sign::SignType;
use http_body_util::{BodyExt as _, Full, Limited};
use hyper::body::{Bytes, Incoming};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method as HttpMethod, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

use crate::answer::{self, HttpAnswer, Node};
use crate::crypto;
use crate::form;
use crate::keys::GatewayKeys;
use crate::log::{RecordedAnswer, RecordedRequest};
use crate::protocol::{self, Decoded, NodeName, Refusal};
use crate::scenario::{Scenario, ScenarioError, ScenarioFile};
use crate::state::Shared;

/// The path Alipay's gateway answers on.
pub const GATEWAY_PATH: &str = "/gateway.do";

/// The largest request body accepted (Alipay's own limit for non-file requests is far
/// below this).
const MAX_BODY: usize = 8 * 1024 * 1024;

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

/// Configures a [`LocalGateway`] before it starts.
#[derive(Debug)]
#[must_use = "a builder does nothing until .start().await"]
pub struct GatewayBuilder {
    methods: &'static [MethodDescriptor],
    keys: GatewayKeys,
    port: u16,
    app_id: Option<String>,
    scenarios: ScenarioFile,
}

impl GatewayBuilder {
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

    /// Binds 127.0.0.1 and starts serving on the current tokio runtime.
    pub async fn start(self) -> Result<LocalGateway, StartError> {
        self.scenarios.check(self.methods)?;
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
        let shared = Arc::new(Shared::new(
            self.methods,
            self.keys,
            self.app_id,
            self.scenarios,
        ));
        let task = tokio::spawn(serve(listener, Arc::clone(&shared)));
        Ok(LocalGateway {
            addr,
            shared,
            task: Some(task),
        })
    }
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

impl LocalGateway {
    /// A builder serving `methods` with `keys`.
    pub fn builder(methods: &'static [MethodDescriptor], keys: GatewayKeys) -> GatewayBuilder {
        GatewayBuilder {
            methods,
            keys,
            port: 0,
            app_id: None,
            scenarios: ScenarioFile::default(),
        }
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
    pub fn set_scenarios(&self, scenarios: ScenarioFile) -> Result<(), ScenarioError> {
        scenarios.check(self.shared.all_methods())?;
        self.shared.replace_scenarios(scenarios);
        Ok(())
    }

    /// Back to success for every method.
    pub fn clear_scenarios(&self) {
        self.shared.replace_scenarios(ScenarioFile::default());
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests()
    }

    /// The requests received after the first `skip` ones.
    pub fn requests_since(&self, skip: usize) -> Vec<RecordedRequest> {
        self.shared.requests_since(skip)
    }

    /// How many requests were received so far.
    pub fn request_count(&self) -> usize {
        self.shared.request_count()
    }

    /// Forgets the requests received so far.
    pub fn clear_requests(&self) {
        self.shared.clear_requests();
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

fn strip_delay(s: &Scenario) -> &Scenario {
    match s {
        Scenario::Delay { then, .. } => strip_delay(then),
        other => other,
    }
}

async fn serve(listener: TcpListener, shared: Arc<Shared>) {
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    let shared = Arc::clone(&shared);
                    connections.spawn(async move {
                        let service = service_fn(move |req| {
                            let shared = Arc::clone(&shared);
                            async move { Ok::<_, Infallible>(respond(&shared, req).await) }
                        });
                        // A client that hangs up mid-request is its own business.
                        let _ = http1::Builder::new()
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

async fn respond(shared: &Shared, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let answer = answer(shared, req).await;
    let mut response = Response::new(Full::new(Bytes::from(answer.body)));
    *response.status_mut() =
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(value) = HeaderValue::from_str(&answer.content_type) {
        response.headers_mut().insert(CONTENT_TYPE, value);
    }
    response
}

/// The `charset` parameter of a `Content-Type` header value.
fn content_type_charset(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|part| {
        let (name, value) = part.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches('"'))
    })
}

async fn answer(shared: &Shared, req: Request<Incoming>) -> HttpAnswer {
    if req.uri().path() != GATEWAY_PATH {
        return answer::plain(404, "not found: the local gateway answers on /gateway.do\n");
    }
    let http_method = req.method().clone();
    if http_method != HttpMethod::POST && http_method != HttpMethod::GET {
        return answer::plain(405, "method not allowed: use POST (or GET)\n");
    }
    let content_type = req
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let mut pairs = form::decode(req.uri().query().unwrap_or("").as_bytes());
    let body = match Limited::new(req.into_body(), MAX_BODY).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return answer::plain(413, "request body too large or unreadable\n"),
    };
    if !body.is_empty() {
        let media = content_type.split(';').next().unwrap_or("").trim();
        if !media.is_empty() && !media.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            return answer::plain(
                415,
                "unsupported media type: the local gateway reads application/x-www-form-urlencoded bodies\n",
            );
        }
        pairs.extend(form::decode(&body));
    }

    // The charset: the Content-Type's, else the `charset` parameter (ASCII in every
    // supported charset), else UTF-8.
    let param_charset = pairs
        .iter()
        .find(|(k, _)| k == b"charset")
        .map(|(_, v)| String::from_utf8_lossy(v).into_owned());
    let named = content_type_charset(&content_type)
        .map(str::to_owned)
        .or(param_charset);
    let (charset, unsupported) = match named.as_deref().filter(|n| !n.is_empty()) {
        None => (Charset::Utf8, None),
        Some(name) => match crypto::parse_charset(name) {
            Some(charset) => (charset, None),
            None => (Charset::Utf8, Some(name.to_owned())),
        },
    };

    let decoded = match protocol::decode(&pairs, charset) {
        Ok(params) => Decoded { params, charset },
        Err(refusal) => {
            let lossy = pairs
                .iter()
                .map(|(k, v)| {
                    (
                        String::from_utf8_lossy(k).into_owned(),
                        String::from_utf8_lossy(v).into_owned(),
                    )
                })
                .collect();
            let decoded = Decoded {
                params: lossy,
                charset,
            };
            return refuse_and_record(shared, &http_method, &decoded, refusal);
        }
    };
    if let Some(name) = unsupported {
        let refusal = Refusal {
            node: NodeName::Error,
            code: "40002",
            msg: "Invalid Arguments",
            sub_code: "isv.invalid-charset",
            sub_msg: format!("字符集错误: charset {name:?} (supported: utf-8, GBK, GB2312)"),
        };
        return refuse_and_record(shared, &http_method, &decoded, refusal);
    }

    let checked = protocol::check(shared, &decoded);
    let accepted = match checked.verdict {
        Ok(accepted) => accepted,
        Err(refusal) => {
            let mut answer = refusal_answer(shared, &decoded, &refusal);
            record(
                shared,
                &http_method,
                &decoded,
                checked.signature_verified,
                &mut answer,
            );
            return answer.http;
        }
    };

    let descriptor = accepted.descriptor;
    let mut scenario = shared.scenario_for(descriptor.method);
    let mut delay_ms: u64 = 0;
    while let Scenario::Delay { ms, then } = scenario {
        delay_ms = delay_ms.saturating_add(ms);
        scenario = *then;
    }
    let mut answer = scenario_answer(shared, descriptor, accepted.sign_type, charset, &scenario);
    record(shared, &http_method, &decoded, true, &mut answer);
    if delay_ms > 0 {
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
    }
    answer.http
}

/// An answer plus what the log says about it.
struct Logged {
    http: HttpAnswer,
    summary: RecordedAnswer,
}

fn refuse_and_record(
    shared: &Shared,
    http_method: &HttpMethod,
    decoded: &Decoded,
    refusal: Refusal,
) -> HttpAnswer {
    let mut answer = refusal_answer(shared, decoded, &refusal);
    record(shared, http_method, decoded, false, &mut answer);
    answer.http
}

fn record(
    shared: &Shared,
    http_method: &HttpMethod,
    decoded: &Decoded,
    signature_verified: bool,
    answer: &mut Logged,
) {
    shared.record(RecordedRequest {
        http_method: http_method.as_str().to_owned(),
        method: decoded.get("method").map(str::to_owned),
        params: decoded.params.clone(),
        charset: decoded.charset.as_str().to_owned(),
        signature_verified,
        answer: answer.summary.clone(),
    });
}

fn refusal_answer(shared: &Shared, decoded: &Decoded, refusal: &Refusal) -> Logged {
    // Answer with the algorithm the request asked for when it named a valid one.
    let sign_type = decoded
        .get("sign_type")
        .and_then(|t| t.parse::<SignType>().ok())
        .unwrap_or_default();
    let node = Node::failure(
        refusal.code,
        refusal.msg,
        refusal.sub_code,
        &refusal.sub_msg,
    );
    signed(
        shared,
        refusal.node.as_str(),
        &node,
        sign_type,
        decoded.charset,
        Tamper::None,
    )
}

fn scenario_answer(
    shared: &Shared,
    descriptor: &MethodDescriptor,
    sign_type: SignType,
    charset: Charset,
    scenario: &Scenario,
) -> Logged {
    let node_name = descriptor.response_node;
    let success = || Node::success(node_name, descriptor.example_response);
    let (node, tamper) = match scenario {
        Scenario::Success | Scenario::Delay { .. } => (success(), Tamper::None),
        Scenario::AlteredBody => (success(), Tamper::Alter),
        Scenario::MissingSign => (success(), Tamper::DropSign),
        Scenario::BusinessError(code) => {
            let description = descriptor
                .errors
                .iter()
                .find(|e| e.code == code)
                .map_or("", |e| e.description);
            (
                Node::failure("40004", "Business Failed", code, description),
                Tamper::None,
            )
        }
        Scenario::GatewayError {
            code,
            msg,
            sub_code,
            sub_msg,
        } => (Node::failure(code, msg, sub_code, sub_msg), Tamper::None),
        Scenario::Http500 => {
            return Logged {
                http: answer::http_500(),
                summary: RecordedAnswer {
                    status: 500,
                    code: None,
                    sub_code: None,
                    node: None,
                },
            };
        }
    };
    signed(shared, node_name, &node, sign_type, charset, tamper)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Tamper {
    None,
    Alter,
    DropSign,
}

/// Signs `node` (its JSON text in `charset`) with the Alipay private key and writes the body.
fn signed(
    shared: &Shared,
    node_name: &str,
    node: &Node,
    sign_type: SignType,
    charset: Charset,
    tamper: Tamper,
) -> Logged {
    let summary = RecordedAnswer {
        status: 200,
        code: node.text("code").map(str::to_owned),
        sub_code: node.text("sub_code").map(str::to_owned),
        node: Some(node_name.to_owned()),
    };
    let node_bytes = crypto::encode_json(charset, &node.to_json());
    // `encode_json` output decodes in its own charset; the text is what goes on the wire.
    let node_text = crypto::decode(charset, &node_bytes).unwrap_or_else(|| node.to_json());
    let sign = match crypto::sign(&shared.keys.alipay_private_key, sign_type, &node_bytes) {
        Ok(sign) => sign,
        Err(e) => {
            return Logged {
                http: answer::plain(500, &format!("local gateway cannot sign: {e}\n")),
                summary: RecordedAnswer {
                    status: 500,
                    ..summary
                },
            };
        }
    };
    let body = match tamper {
        Tamper::None => answer::body_text(node_name, &node_text, Some(&sign)),
        Tamper::Alter => answer::body_text(node_name, &answer::altered(&node_text), Some(&sign)),
        Tamper::DropSign => answer::body_text(node_name, &node_text, None),
    };
    Logged {
        http: HttpAnswer {
            status: 200,
            content_type: format!("application/json;charset={}", charset.as_str()),
            body: crypto::encode_json(charset, &body),
        },
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charset_from_content_type() {
        assert_eq!(
            content_type_charset("application/x-www-form-urlencoded;charset=GBK"),
            Some("GBK")
        );
        assert_eq!(
            content_type_charset("application/x-www-form-urlencoded; Charset=\"utf-8\""),
            Some("utf-8")
        );
        assert_eq!(
            content_type_charset("application/x-www-form-urlencoded"),
            None
        );
    }
}
