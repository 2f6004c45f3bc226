//! The async client: configuration, the builder that names configuration mistakes, and the
//! call path (validate, sign, send, verify, type the answer).

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use tracing::Instrument as _;
use tracing::field::Empty;

use crate::charset::Charset;
use crate::error::{
    BusinessError, ConfigError, DynBizCode, Error, GatewayError, SignatureError, TransportKind,
    body_snippet,
};
use crate::gateway_code::{BUSINESS_FAILED_CODE, GatewayCode, PublicSubCode, SUCCESS_CODE};
use crate::keys::{PrivateKey, PublicKey, check_alipay_public_key};
use crate::method::{BizErrorCode, Method, RequestParts};
use crate::request::{
    self, PRODUCTION_GATEWAY, PrepareError, PreparedRequest, PublicParams, SANDBOX_GATEWAY,
};
use crate::sign::{SignType, Signer};
use crate::verify::{ResponseError, VerifiedResponse, verify_response};

/// Default time allowed to open a connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Default time allowed for a whole call, from connecting to the last byte of the answer.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Answers larger than this are refused (no gateway answer comes close).
pub const MAX_RESPONSE_BYTES: usize = 16 * 1024 * 1024;

/// Where requests go.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Gateway {
    /// `https://openapi.alipay.com/gateway.do`.
    #[default]
    Production,
    /// `https://openapi-sandbox.dl.alipaydev.com/gateway.do`.
    Sandbox,
    /// Any other gateway URL, for example a local test gateway.
    Url(String),
}

impl Gateway {
    /// The gateway URL.
    pub fn url(&self) -> &str {
        match self {
            Gateway::Production => PRODUCTION_GATEWAY,
            Gateway::Sandbox => SANDBOX_GATEWAY,
            Gateway::Url(url) => url,
        }
    }
}

impl From<&str> for Gateway {
    fn from(url: &str) -> Self {
        Gateway::Url(url.to_owned())
    }
}

impl From<String> for Gateway {
    fn from(url: String) -> Self {
        Gateway::Url(url)
    }
}

/// The key that signs requests: the app private key, or any [`Signer`] (KMS, HSM).
#[derive(Clone)]
pub enum AppSigner {
    /// The app private key, signed with the compiled-in backend.
    PrivateKey(Arc<PrivateKey>),
    /// A user-supplied signer.
    Custom(Arc<dyn Signer>),
}

impl fmt::Debug for AppSigner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AppSigner::PrivateKey(_) => f.write_str("AppSigner::PrivateKey(..)"),
            AppSigner::Custom(_) => f.write_str("AppSigner::Custom(..)"),
        }
    }
}

impl AppSigner {
    fn as_signer(&self) -> &dyn Signer {
        match self {
            AppSigner::PrivateKey(key) => key.as_ref(),
            AppSigner::Custom(signer) => signer.as_ref(),
        }
    }
}

impl From<PrivateKey> for AppSigner {
    fn from(key: PrivateKey) -> Self {
        AppSigner::PrivateKey(Arc::new(key))
    }
}

impl From<Arc<PrivateKey>> for AppSigner {
    fn from(key: Arc<PrivateKey>) -> Self {
        AppSigner::PrivateKey(key)
    }
}

impl From<Arc<dyn Signer>> for AppSigner {
    fn from(signer: Arc<dyn Signer>) -> Self {
        AppSigner::Custom(signer)
    }
}

/// The source of the `timestamp` parameter. Tests inject a fixed one.
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// The settings every call shares, checked when the client was built.
#[derive(Clone)]
pub struct Config {
    gateway: String,
    app_id: String,
    signer: AppSigner,
    alipay_public_key: PublicKey,
    sign_type: SignType,
    charset: Charset,
    app_auth_token: Option<String>,
    notify_url: Option<String>,
    return_url: Option<String>,
    clock: Clock,
}

impl Config {
    /// The gateway URL.
    pub fn gateway(&self) -> &str {
        &self.gateway
    }
    /// The `app_id`.
    pub fn app_id(&self) -> &str {
        &self.app_id
    }
    /// The signature algorithm of requests and responses.
    pub fn sign_type(&self) -> SignType {
        self.sign_type
    }
    /// The request (and response) charset.
    pub fn charset(&self) -> Charset {
        self.charset
    }
    /// The `notify_url` sent with every request, if any.
    pub fn notify_url(&self) -> Option<&str> {
        self.notify_url.as_deref()
    }
    /// The `return_url` sent with every request, if any.
    pub fn return_url(&self) -> Option<&str> {
        self.return_url.as_deref()
    }
    /// Whether an `app_auth_token` is sent (the token itself is not exposed).
    pub fn has_app_auth_token(&self) -> bool {
        self.app_auth_token.is_some()
    }
    /// The Alipay public key responses are verified with.
    pub fn alipay_public_key(&self) -> &PublicKey {
        &self.alipay_public_key
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("gateway", &self.gateway)
            .field("app_id", &self.app_id)
            .field("signer", &self.signer)
            .field("sign_type", &self.sign_type)
            .field("charset", &self.charset)
            .field(
                "app_auth_token",
                &self.app_auth_token.as_ref().map(|_| "<redacted>"),
            )
            .field("notify_url", &self.notify_url)
            .field("return_url", &self.return_url)
            .finish_non_exhaustive()
    }
}

/// Builds a [`Client`]; see [`Client::builder`].
#[derive(Default)]
pub struct ClientBuilder {
    gateway: Gateway,
    app_id: Option<String>,
    signer: Option<AppSigner>,
    alipay_public_key: Option<PublicKey>,
    sign_type: SignType,
    charset: Charset,
    app_auth_token: Option<String>,
    notify_url: Option<String>,
    return_url: Option<String>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    http_client: Option<reqwest::Client>,
    retry_connect_failures: u32,
    clock: Option<Clock>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("gateway", &self.gateway)
            .field("app_id", &self.app_id)
            .field("signer", &self.signer)
            .field("sign_type", &self.sign_type)
            .field("charset", &self.charset)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The gateway: [`Gateway::Production`] (default), [`Gateway::Sandbox`], or any URL.
    pub fn gateway(mut self, gateway: impl Into<Gateway>) -> Self {
        self.gateway = gateway.into();
        self
    }

    /// The app's `app_id` (required).
    pub fn app_id(mut self, app_id: impl Into<String>) -> Self {
        self.app_id = Some(app_id.into());
        self
    }

    /// The app private key (required), or any [`Signer`] as `Arc<dyn Signer>`.
    pub fn private_key(mut self, key: impl Into<AppSigner>) -> Self {
        self.signer = Some(key.into());
        self
    }

    /// The Alipay public key (支付宝公钥) that verifies every answer (required).
    pub fn alipay_public_key(mut self, key: PublicKey) -> Self {
        self.alipay_public_key = Some(key);
        self
    }

    /// The signature algorithm, `RSA2` (default) or `RSA`.
    pub fn sign_type(mut self, sign_type: SignType) -> Self {
        self.sign_type = sign_type;
        self
    }

    /// The request charset, utf-8 (default), GBK or GB2312.
    pub fn charset(mut self, charset: Charset) -> Self {
        self.charset = charset;
        self
    }

    /// The `app_auth_token` for calls made on behalf of a merchant (third-party apps).
    pub fn app_auth_token(mut self, token: impl Into<String>) -> Self {
        self.app_auth_token = Some(token.into()).filter(|t: &String| !t.is_empty());
        self
    }

    /// The `notify_url` sent with every request.
    pub fn notify_url(mut self, url: impl Into<String>) -> Self {
        self.notify_url = Some(url.into()).filter(|t: &String| !t.is_empty());
        self
    }

    /// The `return_url` sent with every request.
    pub fn return_url(mut self, url: impl Into<String>) -> Self {
        self.return_url = Some(url.into()).filter(|t: &String| !t.is_empty());
        self
    }

    /// The time allowed to open a connection (default 5 s). Cannot be combined with
    /// [`ClientBuilder::http_client`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The time allowed for a whole call, from connecting to the last byte of the answer
    /// (default 30 s). Applies to a user-supplied HTTP client too.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sends through this `reqwest::Client` (proxies, TLS roots, connection pool of your
    /// choice) instead of one built by the client.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Retries a call up to `n` more times when no connection could be opened (default 0).
    ///
    /// Only failures that prove the request never reached the gateway are retried, after a
    /// pause of 100 ms, 200 ms, 400 ms, ... (at most 2 s); a request that may have reached it
    /// is never resent automatically.
    pub fn retry_connect_failures(mut self, n: u32) -> Self {
        self.retry_connect_failures = n;
        self
    }

    /// Where the `timestamp` parameter's time comes from (default: the system clock).
    pub fn clock(mut self, clock: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Checks the configuration and builds the client.
    ///
    /// Names the usual mistakes: no `app_id`, no key, the app's own public key configured as
    /// the Alipay public key, a gateway that is not an http(s) URL.
    pub fn build(self) -> Result<Client, ConfigError> {
        let app_id = self
            .app_id
            .filter(|id| !id.trim().is_empty())
            .ok_or(ConfigError::MissingAppId)?;
        let signer = self.signer.ok_or(ConfigError::MissingPrivateKey)?;
        let alipay_public_key = self
            .alipay_public_key
            .ok_or(ConfigError::MissingAlipayPublicKey)?;
        if let AppSigner::PrivateKey(key) = &signer {
            check_alipay_public_key(key, &alipay_public_key)?;
        }
        let gateway = check_gateway(self.gateway.url())?;

        let http = match self.http_client {
            Some(client) => {
                if self.connect_timeout.is_some() {
                    return Err(ConfigError::ConnectTimeoutWithCustomClient);
                }
                client
            }
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                .user_agent(concat!("alipay-rs/", env!("CARGO_PKG_VERSION")))
                // A redirect would carry the signed query (and app_auth_token) elsewhere, and
                // turn the POST into a GET: report it as an HTTP status instead.
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .map_err(ConfigError::HttpClient)?,
        };

        let config = Config {
            gateway,
            app_id,
            signer,
            alipay_public_key,
            sign_type: self.sign_type,
            charset: self.charset,
            app_auth_token: self.app_auth_token,
            notify_url: self.notify_url,
            return_url: self.return_url,
            clock: self.clock.unwrap_or_else(|| Arc::new(SystemTime::now)),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                config,
                http,
                timeout: self.timeout.unwrap_or(DEFAULT_TIMEOUT),
                retry_connect_failures: self.retry_connect_failures,
            }),
        })
    }
}

fn check_gateway(url: &str) -> Result<String, ConfigError> {
    let invalid = |reason| ConfigError::InvalidGateway {
        url: url.to_owned(),
        reason,
    };
    let parsed = reqwest::Url::parse(url).map_err(|_| invalid("not an absolute URL"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid("the scheme must be http or https"));
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(invalid("it has no host"));
    }
    if parsed.fragment().is_some() {
        return Err(invalid("it has a #fragment"));
    }
    Ok(url.to_owned())
}

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

    /// Calls `M`: validates the request, signs and sends it, verifies the answer and returns
    /// the typed response or the typed error.
    ///
    /// Emits one `tracing` span `alipay.call` with `method`, `app_id`, `latency_ms`, `code`
    /// and `sub_code` (never keys, signatures or biz_content).
    ///
    /// Only validation, `to_parts` and the final typing of the answer depend on `M`;
    /// signing, sending and verifying are one piece of code shared by every method, so a
    /// crate that calls many methods does not compile the call path once per method.
    pub async fn execute<M: Method>(&self, req: &M) -> Result<M::Response, Error<M::BizError>> {
        let span = self.call_span(M::METHOD);
        let started = Instant::now();
        let result = self.execute_inner(req).instrument(span.clone()).await;
        finish_span(&span, started, result.as_ref().err().map(CallOutcome::of));
        result
    }

    async fn execute_inner<M: Method>(&self, req: &M) -> Result<M::Response, Error<M::BizError>> {
        req.validate()?;
        let parts = req.to_parts()?;
        let verified = self
            .call_verified(M::METHOD, &parts)
            .await
            .map_err(typed_error)?;
        decode_node(&verified)
    }

    /// Signs and sends `parts` as a call of `method`, verifies the answer and returns its
    /// verified response node (successful answers only; business and gateway failures are
    /// errors, their `sub_code` untyped).
    ///
    /// This is the untyped path for dynamic calls (the generated `call_json`): `parts` must
    /// come from a request's [`Method::to_parts`] after [`Method::validate`] passed, since
    /// nothing here can check them. Typed code should call [`Client::execute`]. Emits the
    /// same `alipay.call` span.
    pub async fn execute_raw(
        &self,
        method: &str,
        parts: &RequestParts,
    ) -> Result<VerifiedResponse, Error<DynBizCode>> {
        let span = self.call_span(method);
        let started = Instant::now();
        let result = self
            .call_verified(method, parts)
            .instrument(span.clone())
            .await;
        finish_span(&span, started, result.as_ref().err().map(CallOutcome::of));
        result
    }

    fn call_span(&self, method: &str) -> tracing::Span {
        tracing::info_span!(
            "alipay.call",
            method = method,
            app_id = %self.inner.config.app_id,
            latency_ms = Empty,
            code = Empty,
            sub_code = Empty,
        )
    }

    /// The shared call path: sign, send, verify.
    async fn call_verified(
        &self,
        method: &str,
        parts: &RequestParts,
    ) -> Result<VerifiedResponse, Error<DynBizCode>> {
        let prepared = self.prepare_parts(method, parts)?;
        let (status, body) = self.send(prepared).await?;
        self.check_response(method, status, &body)
    }

    /// Validates, builds, signs and encodes `req` without sending it.
    ///
    /// `M::validate()` and `to_parts()` run before anything is signed.
    pub fn prepare<M: Method>(&self, req: &M) -> Result<PreparedRequest, Error<M::BizError>> {
        req.validate()?;
        let parts = req.to_parts()?;
        self.prepare_parts(M::METHOD, &parts)
    }

    fn prepare_parts<E: BizErrorCode>(
        &self,
        method: &str,
        parts: &RequestParts,
    ) -> Result<PreparedRequest, Error<E>> {
        let config = &self.inner.config;
        let public = PublicParams {
            gateway: &config.gateway,
            app_id: &config.app_id,
            sign_type: config.sign_type,
            charset: config.charset,
            app_auth_token: config.app_auth_token.as_deref(),
            notify_url: config.notify_url.as_deref(),
            return_url: config.return_url.as_deref(),
            signer: config.signer.as_signer(),
        };
        request::prepare(&public, method, parts, (config.clock)()).map_err(|e| match e {
            PrepareError::Invalid(v) => Error::InvalidRequest(v),
            PrepareError::Sign(s) => Error::Sign(s),
        })
    }

    /// POSTs a prepared request and reads the whole answer.
    async fn send(&self, prepared: PreparedRequest) -> Result<(u16, Vec<u8>), Error<DynBizCode>> {
        let PreparedRequest {
            url,
            body,
            content_type,
        } = prepared;
        let mut attempts_left = self.inner.retry_connect_failures;
        loop {
            let request = self
                .inner
                .http
                .post(url.as_str())
                .header(reqwest::header::CONTENT_TYPE, content_type.as_str())
                .timeout(self.inner.timeout)
                .body(body.clone());
            match request.send().await {
                Ok(response) => return read_body(response).await,
                Err(e) => {
                    let (kind, reached) = classify(&e, false);
                    if kind == TransportKind::Connect && !reached && attempts_left > 0 {
                        attempts_left -= 1;
                        let retry = self.inner.retry_connect_failures - attempts_left;
                        tracing::debug!("connect failed, retry {retry} ({attempts_left} left)");
                        tokio::time::sleep(connect_backoff(retry)).await;
                        continue;
                    }
                    return Err(transport_error(e, kind, reached));
                }
            }
        }
    }

    /// Checks an answer and types it: 2xx status, then fail-closed signature verification,
    /// then `10000` → `M::Response`, `40004` → [`Error::Business`], any other code →
    /// [`Error::Gateway`].
    pub fn parse_response<M: Method>(
        &self,
        status: u16,
        body: &[u8],
    ) -> Result<M::Response, Error<M::BizError>> {
        let verified = self
            .check_response(M::METHOD, status, body)
            .map_err(typed_error)?;
        decode_node(&verified)
    }

    /// [`Client::parse_response`] up to the verified node of a successful answer.
    // The untyped business code makes the error larger than a typed one; it is returned
    // once per call and converted right away.
    #[allow(clippy::result_large_err)]
    fn check_response(
        &self,
        method: &str,
        status: u16,
        body: &[u8],
    ) -> Result<VerifiedResponse, Error<DynBizCode>> {
        if !(200..300).contains(&status) {
            return Err(Error::HttpStatus {
                status,
                body_snippet: body_snippet(body),
            });
        }
        let config = &self.inner.config;
        let verified = verify_response(
            body,
            method,
            config.charset,
            config.sign_type,
            &config.alipay_public_key,
        )
        .map_err(response_error)?;
        if verified.is_success() {
            return Ok(verified);
        }
        let VerifiedResponse {
            is_error_response,
            code,
            msg,
            sub_code,
            sub_msg,
            ..
        } = verified;
        if is_error_response && (code.is_empty() || code == SUCCESS_CODE) {
            return Err(Error::MalformedBody {
                reason: format!("`error_response` carries no failure code (code {code:?})"),
            });
        }
        let sub_code = sub_code.unwrap_or_default();
        let sub_msg = sub_msg.unwrap_or_default();
        if code == BUSINESS_FAILED_CODE && !is_error_response {
            return Err(Error::Business(BusinessError {
                code,
                msg,
                sub_code: DynBizCode::from(sub_code.as_str()),
                sub_msg,
            }));
        }
        Err(Error::Gateway(GatewayError {
            code: GatewayCode::from_code(&code),
            msg,
            sub_code: PublicSubCode::from_code(&sub_code),
            sub_msg,
        }))
    }
}

/// The pause before connect retry `n` (1-based): 100 ms, 200 ms, 400 ms, ... at most 2 s.
fn connect_backoff(n: u32) -> Duration {
    Duration::from_millis(100u64.saturating_mul(1 << n.saturating_sub(1).min(5)))
        .min(Duration::from_secs(2))
}

/// The typed form of an error of the shared call path: the business `sub_code` becomes
/// the method's error type.
fn typed_error<E: BizErrorCode>(e: Error<DynBizCode>) -> Error<E> {
    e.map_business(|code| E::from(code.code.as_str()))
}

/// The method's response, from the verified node of a successful answer.
fn decode_node<R: serde::de::DeserializeOwned, E: BizErrorCode>(
    verified: &VerifiedResponse,
) -> Result<R, Error<E>> {
    verified
        .deserialize_node()
        .map_err(|e| Error::MalformedBody {
            reason: format!(
                "the verified `{}` does not match the method's response type: {e}",
                verified.node_name
            ),
        })
}

/// What the `alipay.call` span records of a failed call.
struct CallOutcome<'a> {
    code: Option<&'a str>,
    sub_code: Option<&'a str>,
    error: &'a dyn fmt::Display,
}

impl<'a> CallOutcome<'a> {
    fn of<E: BizErrorCode>(e: &'a Error<E>) -> Self {
        Self {
            code: e.code(),
            sub_code: e.sub_code(),
            error: e,
        }
    }
}

/// Records the latency and the outcome (`None`: success) of a call on its span.
fn finish_span(span: &tracing::Span, started: Instant, failure: Option<CallOutcome<'_>>) {
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    span.record("latency_ms", latency_ms);
    match failure {
        None => {
            span.record("code", SUCCESS_CODE);
        }
        Some(f) => {
            if let Some(code) = f.code {
                span.record("code", code);
            }
            if let Some(sub_code) = f.sub_code {
                span.record("sub_code", sub_code);
            }
            let error = f.error;
            span.in_scope(|| tracing::debug!(error = %error, "alipay call failed"));
        }
    }
}

fn response_error(e: ResponseError) -> Error<DynBizCode> {
    match e {
        ResponseError::SignatureMissing => Error::Signature(SignatureError::Missing),
        ResponseError::SignatureEmpty => Error::Signature(SignatureError::Empty),
        ResponseError::SignatureInvalid => Error::Signature(SignatureError::Invalid),
        ResponseError::UnverifiedGatewayAnswer {
            code,
            msg,
            sub_code,
            sub_msg,
        } => Error::UnverifiedGatewayAnswer {
            code,
            msg,
            sub_code,
            sub_msg,
        },
        ResponseError::Malformed(reason) => Error::MalformedBody { reason },
        ResponseError::DuplicateKey(key) => Error::MalformedBody {
            reason: format!(
                "top-level key {key:?} appears more than once (which one was signed is unknowable)"
            ),
        },
        other => Error::MalformedBody {
            reason: other.to_string(),
        },
    }
}

async fn read_body(mut response: reqwest::Response) -> Result<(u16, Vec<u8>), Error<DynBizCode>> {
    let status = response.status().as_u16();
    let mut body = Vec::with_capacity(
        response
            .content_length()
            .map_or(4096, |n| usize::try_from(n).unwrap_or(MAX_RESPONSE_BYTES))
            .min(MAX_RESPONSE_BYTES),
    );
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                    return Err(Error::MalformedBody {
                        reason: format!("the answer is larger than {MAX_RESPONSE_BYTES} bytes"),
                    });
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok((status, body)),
            Err(e) => {
                let (kind, reached) = classify(&e, true);
                return Err(transport_error(e, kind, reached));
            }
        }
    }
}

fn transport_error(
    e: reqwest::Error,
    kind: TransportKind,
    may_have_reached_gateway: bool,
) -> Error<DynBizCode> {
    Error::Transport {
        kind,
        may_have_reached_gateway,
        // The URL carries the signature and app_auth_token: never let it into messages.
        source: Box::new(e.without_url()),
    }
}

/// What failed, and whether the request may have reached the gateway. Only failures to open
/// a connection (TCP, TLS, connect timeout) prove that it did not.
fn classify(e: &reqwest::Error, reading_body: bool) -> (TransportKind, bool) {
    if reading_body {
        let kind = if e.is_timeout() {
            TransportKind::Timeout
        } else {
            TransportKind::ResponseBody
        };
        return (kind, true);
    }
    if e.is_builder() {
        return (TransportKind::Other, false);
    }
    if is_tls(e) {
        return (TransportKind::Tls, false);
    }
    if e.is_timeout() {
        return (TransportKind::Timeout, !e.is_connect());
    }
    if e.is_connect() {
        return (TransportKind::Connect, false);
    }
    (TransportKind::Other, true)
}

fn is_tls(e: &reqwest::Error) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if err.is::<rustls::Error>() {
            return true;
        }
        // io::Error::source() skips the error it wraps (and TLS errors arrive as io::Errors
        // nested in io::Errors), so step into the wrapped error explicitly.
        cur = match err.downcast_ref::<std::io::Error>() {
            Some(io) => io
                .get_ref()
                .map(|inner| inner as &(dyn std::error::Error + 'static)),
            None => err.source(),
        };
    }
    false
}
