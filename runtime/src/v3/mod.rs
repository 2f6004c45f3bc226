//! Alipay's v3 protocol (REST paths under `/v3/`, signed in headers): the signature of a
//! request and the verification of an answer, as functions of their inputs.
//!
//! This is the protocol's core, checked against the official Node SDK's vectors, as functions
//! of their inputs; the client's v3 path (`Client` with [`Protocol::V3`](crate::Protocol)),
//! the local gateway and `alipay call --protocol v3` are built on it. [`Route`] is how
//! generated code states a method's route, and [`place`] puts a request's fields where the
//! route says.
//!
//! A request: [`Auth::text`] (`app_id=…[,app_cert_sn=…],nonce=…,timestamp=…`), the target
//! `path[?query]` with the query written once by [`query_string`] (so what is signed is what is
//! sent), [`sign_string`] over `auth\nMETHOD\ntarget\nbody\n[app_auth_token\n]`, and the
//! `Authorization` header from [`authorization`].
//!
//! An answer: [`verify_answer`] checks `alipay-signature` over
//! `alipay-timestamp\nalipay-nonce\nbody\n` **before** anything is read, and fails closed where
//! the Node SDK is lax: a 2xx without the signature, the timestamp or the nonce is refused, as is
//! (in certificate mode) one without `alipay-sn` or with another certificate's. An HTTP status
//! of 400 or more is a typed [`ApiError`] (`{code, message, links}`, the status and
//! `alipay-trace-id`), verified only when its signature verifies. An encrypted answer
//! ([`verify_encrypted_answer`]) is verified over its ciphertext, then decrypted.

mod place;
mod route;

pub use place::{Placed, place};
pub use route::{HttpMethod, Route, RouteBody};

use crate::encrypt::{EncryptError, EncryptKey};
use crate::error::DynBizCode;
use crate::keys::PublicKey;
use crate::method::BizErrorCode;
use crate::sign::{SignError, SignType, Signer, VerifyError, sign_base64};

/// The scheme of the `Authorization` header (SHA256withRSA: RSA2).
pub const AUTH_SCHEME: &str = "ALIPAY-SHA256withRSA";

/// What a request's authentication string says: who signs it, once, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Auth<'a> {
    /// The app id.
    pub app_id: &'a str,
    /// Certificate mode: the SN of the app's certificate.
    pub app_cert_sn: Option<&'a str>,
    /// A fresh random nonce (a UUID, lower case, with dashes).
    pub nonce: &'a str,
    /// The time of signing, in milliseconds since the Unix epoch.
    pub timestamp_ms: u64,
}

impl Auth<'_> {
    /// `app_id=…[,app_cert_sn=…],nonce=…,timestamp=…`: the first line of the signed string and
    /// the start of the `Authorization` header.
    pub fn text(&self) -> String {
        let mut out = format!("app_id={}", self.app_id);
        if let Some(sn) = self.app_cert_sn {
            out.push_str(",app_cert_sn=");
            out.push_str(sn);
        }
        out.push_str(",nonce=");
        out.push_str(self.nonce);
        out.push_str(",timestamp=");
        out.push_str(&self.timestamp_ms.to_string());
        out
    }
}

/// The query of a v3 request, `application/x-www-form-urlencoded` in the order given (not
/// sorted): only `A–Z a–z 0–9 * - . _` stay as they are, a space becomes `+`, everything else
/// is percent-encoded UTF-8. Empty when there are no pairs. The one function that writes a
/// query, so the target signed is the target sent.
///
/// ```
/// let q = alipay_runtime::v3::query_string([("memo", "中文 a+b"), ("empty", "")]);
/// assert_eq!(q, "memo=%E4%B8%AD%E6%96%87+a%2Bb&empty=");
/// ```
pub fn query_string<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// The request target: `path`, then `?query` when the query is not empty.
pub fn target(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// The string a v3 request's signature covers: `auth\nMETHOD\ntarget\nbody\n`, then
/// `app_auth_token\n` when a token is sent. `body` is the body line as sent: the JSON, the
/// base64 ciphertext of an encrypted body, or the `data` part of a multipart body (files are
/// never signed); empty without a body.
pub fn sign_string(
    auth: &str,
    http_method: &str,
    target: &str,
    body: &[u8],
    app_auth_token: Option<&str>,
) -> Vec<u8> {
    let mut out = Vec::with_capacity(auth.len() + target.len() + body.len() + 16);
    for line in [
        auth.as_bytes(),
        http_method.as_bytes(),
        target.as_bytes(),
        body,
    ] {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    if let Some(token) = app_auth_token {
        out.extend_from_slice(token.as_bytes());
        out.push(b'\n');
    }
    out
}

/// The `Authorization` header: `ALIPAY-SHA256withRSA <auth>,sign=<signature>`, the signature
/// by `signer` (SHA256withRSA) over `sign_string`.
pub fn authorization(
    signer: &dyn Signer,
    auth: &str,
    sign_string: &[u8],
) -> Result<String, SignError> {
    let sign = sign_base64(signer, SignType::Rsa2, sign_string)?;
    Ok(format!("{AUTH_SCHEME} {auth},sign={sign}"))
}

/// The headers of an answer that verification reads (by name, case-insensitively; the first
/// of a repeated header counts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AnswerHeaders<'a> {
    /// `alipay-timestamp`.
    pub timestamp: Option<&'a str>,
    /// `alipay-nonce`.
    pub nonce: Option<&'a str>,
    /// `alipay-signature`, standard base64.
    pub signature: Option<&'a str>,
    /// `alipay-sn`: the SN of the certificate that signed (certificate mode).
    pub sn: Option<&'a str>,
    /// `alipay-trace-id`.
    pub trace_id: Option<&'a str>,
}

impl<'a> AnswerHeaders<'a> {
    /// The headers of interest among `headers` (name, value).
    pub fn from_pairs(headers: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut out = Self::default();
        for (name, value) in headers {
            let slot = match name.to_ascii_lowercase().as_str() {
                "alipay-timestamp" => &mut out.timestamp,
                "alipay-nonce" => &mut out.nonce,
                "alipay-signature" => &mut out.signature,
                "alipay-sn" => &mut out.sn,
                "alipay-trace-id" => &mut out.trace_id,
                _ => continue,
            };
            slot.get_or_insert(value);
        }
        out
    }
}

/// Why a v3 answer was not accepted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AnswerError {
    /// A successful answer without a header its signature needs: nothing in it is trusted.
    #[error("the answer is not signed: no `{0}` header")]
    Unsigned(&'static str),
    /// Certificate mode: the answer names no certificate, or another one than configured.
    #[error("the answer is signed by certificate {got:?}, not the configured {expected}")]
    CertSn {
        /// The configured Alipay certificate's SN.
        expected: String,
        /// The answer's `alipay-sn`, if any.
        got: Option<String>,
    },
    /// The signature does not verify over the answer as received.
    #[error("the answer's signature does not verify: {0}")]
    Signature(#[from] VerifyError),
    /// A verified successful answer whose body is not a JSON object.
    #[error("the verified answer is not a JSON object")]
    NotJson,
    /// An encrypted answer that does not decrypt.
    #[error("the verified answer does not decrypt: {0}")]
    Decrypt(#[from] EncryptError),
    /// HTTP status 400 or more: Alipay's error.
    #[error(transparent)]
    Api(Box<ApiError>),
}

/// An answer with HTTP status 400 or more: `{code, message, links}`, with the status and the
/// trace id, read through its accessors. `C` is the code's type: the method's business error
/// enum in a typed call, [`DynBizCode`] otherwise.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiError<C: BizErrorCode = DynBizCode> {
    status: u16,
    code: Option<C>,
    message: Option<String>,
    links: Option<serde_json::Value>,
    trace_id: Option<String>,
    verified: bool,
}

impl<C: BizErrorCode> std::fmt::Display for ApiError<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "HTTP {}: {} {}",
            self.status,
            self.code.as_ref().map_or("(no code)", |c| c.as_str()),
            self.message.as_deref().unwrap_or("")
        )?;
        if let Some(trace) = &self.trace_id {
            write!(f, " (trace id {trace})")?;
        }
        if !self.verified {
            f.write_str(" (signature not verified)")?;
        }
        Ok(())
    }
}

impl<C: BizErrorCode> std::error::Error for ApiError<C> {}

impl<C: BizErrorCode> ApiError<C> {
    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The error code (`invalid-parameter`, or the method's business code), where the body is
    /// the protocol's JSON.
    pub fn code(&self) -> Option<&C> {
        self.code.as_ref()
    }

    /// The code as Alipay spells it.
    pub fn code_str(&self) -> Option<&str> {
        self.code.as_ref().map(|c| c.as_str())
    }

    /// The message.
    pub fn message(&self) -> Option<&str> {
        self.message.as_deref()
    }

    /// The `links` member as sent (documentation of the code).
    pub fn links(&self) -> Option<&serde_json::Value> {
        self.links.as_ref()
    }

    /// `alipay-trace-id`, to quote to Alipay.
    pub fn trace_id(&self) -> Option<&str> {
        self.trace_id.as_deref()
    }

    /// Whether the answer's signature verified: only then is the rest Alipay's word.
    pub fn verified(&self) -> bool {
        self.verified
    }

    /// The same error with its code converted by `f` (the method's typed code).
    pub fn map_code<D: BizErrorCode>(self, f: impl FnOnce(C) -> D) -> ApiError<D> {
        ApiError {
            status: self.status,
            code: self.code.map(f),
            message: self.message,
            links: self.links,
            trace_id: self.trace_id,
            verified: self.verified,
        }
    }
}

/// Verifies an answer and returns its body when it is a verified success (a JSON object); see
/// the module's documentation for the rules. `alipay_cert_sn`: certificate mode, the SN the
/// configured Alipay certificate has (the answer's `alipay-sn` must name it).
pub fn verify_answer<'b>(
    status: u16,
    headers: &AnswerHeaders<'_>,
    body: &'b [u8],
    key: &PublicKey,
    alipay_cert_sn: Option<&str>,
) -> Result<&'b [u8], AnswerError> {
    verified(status, headers, body, key, alipay_cert_sn)?;
    json_object(body)?;
    Ok(body)
}

/// [`verify_answer`] for an encrypted exchange (`alipay-encrypt-type: AES`): the signature
/// covers the ciphertext, which is then decrypted with `aes`; the plaintext JSON object.
pub fn verify_encrypted_answer(
    status: u16,
    headers: &AnswerHeaders<'_>,
    body: &[u8],
    key: &PublicKey,
    alipay_cert_sn: Option<&str>,
    aes: &EncryptKey,
) -> Result<String, AnswerError> {
    verified(status, headers, body, key, alipay_cert_sn)?;
    let text = std::str::from_utf8(body).map_err(|_| EncryptError::CiphertextNotBase64)?;
    let plain = aes.decrypt(text.trim())?;
    json_object(plain.as_bytes())?;
    Ok(plain)
}

/// An answer of status 400 or more as its [`ApiError`], any other verified as signed.
fn verified(
    status: u16,
    headers: &AnswerHeaders<'_>,
    body: &[u8],
    key: &PublicKey,
    alipay_cert_sn: Option<&str>,
) -> Result<(), AnswerError> {
    if status >= 400 {
        return Err(AnswerError::Api(Box::new(api_error(
            status, headers, body, key,
        ))));
    }
    verify_signed(headers, body, key, alipay_cert_sn)
}

/// Refuses what is not a JSON object.
fn json_object(body: &[u8]) -> Result<(), AnswerError> {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(_)) => Ok(()),
        _ => Err(AnswerError::NotJson),
    }
}

/// The signature checks of an answer: its headers present, its certificate the configured one,
/// its signature over `timestamp\nnonce\nbody\n`.
fn verify_signed(
    headers: &AnswerHeaders<'_>,
    body: &[u8],
    key: &PublicKey,
    alipay_cert_sn: Option<&str>,
) -> Result<(), AnswerError> {
    fn present<'h>(value: Option<&'h str>, name: &'static str) -> Result<&'h str, AnswerError> {
        value
            .filter(|v| !v.trim().is_empty())
            .ok_or(AnswerError::Unsigned(name))
    }
    let signature = present(headers.signature, "alipay-signature")?;
    let timestamp = present(headers.timestamp, "alipay-timestamp")?;
    let nonce = present(headers.nonce, "alipay-nonce")?;
    // The signed string is the three joined by line feeds: a line feed inside the timestamp
    // or the nonce would move where the body starts, so that a signature over one answer
    // verified another, shorter body. No HTTP header holds one; headers given by hand might.
    if timestamp.contains(['\n', '\r']) || nonce.contains(['\n', '\r']) {
        return Err(AnswerError::Signature(VerifyError::Mismatch));
    }
    if let Some(expected) = alipay_cert_sn
        && headers.sn != Some(expected)
    {
        return Err(AnswerError::CertSn {
            expected: expected.to_owned(),
            got: headers.sn.map(str::to_owned),
        });
    }
    let mut signed = Vec::with_capacity(timestamp.len() + nonce.len() + body.len() + 3);
    for line in [timestamp.as_bytes(), nonce.as_bytes(), body] {
        signed.extend_from_slice(line);
        signed.push(b'\n');
    }
    key.verify(SignType::Rsa2, &signed, signature)?;
    Ok(())
}

/// An answer of status 400 or more as a typed error: its members where the body is the
/// protocol's JSON, verified only when its signature verifies.
fn api_error(status: u16, headers: &AnswerHeaders<'_>, body: &[u8], key: &PublicKey) -> ApiError {
    let verified = verify_signed(headers, body, key, None).is_ok();
    let json: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let text = |name: &str| json.get(name).and_then(|v| v.as_str()).map(str::to_owned);
    ApiError {
        status,
        code: text("code").map(|c| DynBizCode::from(c.as_str())),
        message: text("message"),
        links: json.get("links").cloned(),
        trace_id: headers.trace_id.map(str::to_owned),
        verified,
    }
}

/// 16 bytes from the operating system's random source.
fn random_bytes() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    // Without a random source no nonce is safe to send; the OS source does not fail on the
    // platforms the client runs on.
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    bytes
}

/// A random UUID (version 4), lower case with dashes: the auth string's nonce.
pub(crate) fn random_nonce() -> String {
    let mut b = random_bytes();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// 32 random lower-case hex digits: `alipay-request-id`.
pub(crate) fn random_hex() -> String {
    hex(&random_bytes())
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::with_capacity(32), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}
