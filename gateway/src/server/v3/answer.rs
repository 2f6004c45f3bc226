//! The v3 protocol's answers: a success is the response node's fields as a JSON object (HTTP
//! 200), an error is `{code, message, links}` with its HTTP status; every one is signed in
//! headers (`alipay-timestamp`, `alipay-nonce`, `alipay-signature` over
//! `timestamp\nnonce\nbody\n`, `alipay-trace-id`, and in certificate mode `alipay-sn`).

use std::time::{SystemTime, UNIX_EPOCH};

use alipay_runtime::MethodDescriptor;
use alipay_runtime::gateway_code::{BUSINESS_FAILED_CODE, SUCCESS_CODE};
use alipay_runtime::protocol::{PUBLIC_RESPONSE_FIELDS, field};
use alipay_runtime::sign::SignType;
use serde_json::{Map, Value, json};

pub(crate) use super::super::answer::Tamper;
use super::super::answer::{
    HttpAnswer, Logged, Node, alipay_sign_with_sn, altered, cannot_sign, http_500_logged,
    scenario_node,
};
use crate::face_to_face::PAY_IN_PROCESS_CODE;
use crate::log::RecordedAnswer;
use crate::scenario::Scenario;
use crate::state::Shared;

/// A refused or failed v3 request: the HTTP status and the body's `code` and `message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct V3Error {
    pub status: u16,
    pub code: String,
    pub message: String,
}

impl V3Error {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_owned(),
            message: message.into(),
        }
    }

    /// HTTP 400 `invalid-parameter`: the request breaks the method's rules or the protocol's.
    pub fn invalid_parameter(message: impl std::fmt::Display) -> Self {
        Self::new(400, "invalid-parameter", format!("参数有误：{message}"))
    }
}

/// What every answer of one exchange shares: its trace id, and whether its success is
/// encrypted (an AES request).
#[derive(Debug, Clone)]
pub(crate) struct AnswerContext {
    pub trace_id: String,
    pub encrypt: bool,
}

/// A fresh nonce: a random UUID (version 4), lower case, with dashes.
pub(crate) fn nonce() -> String {
    let mut b = random::<16>();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = hex(&b);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// A fresh trace id: 24 lower-case hex digits, the length Alipay's have.
pub(crate) fn trace_id() -> String {
    hex(&random::<12>())
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    // The system's random source does not fail on the platforms aws-lc supports; were it
    // to, a zero nonce is still a valid (if not fresh) one for a test gateway.
    let _ = aws_lc_rs::rand::fill(&mut bytes);
    bytes
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// The `links` of an error body: where Alipay's own answers send a developer to diagnose it.
fn links(trace_id: &str) -> Value {
    json!([{
        "link": format!("https://open.alipay.com/api/errCheck?traceId={trace_id}&source=openapi"),
        "desc": "请前往开放平台进行诊断",
    }])
}

/// The signed error answer (never encrypted: the client may not share the gateway's key).
pub(crate) fn error(shared: &Shared, ctx: &AnswerContext, e: &V3Error) -> Logged {
    let body = json!({
        "code": e.code,
        "message": e.message,
        "links": links(&ctx.trace_id),
    })
    .to_string();
    let summary = RecordedAnswer {
        status: e.status,
        code: Some(e.code.clone()),
        sub_code: None,
        node: None,
    };
    signed(
        shared,
        ctx,
        e.status,
        "application/json;charset=utf-8",
        body.into_bytes(),
        Tamper::None,
        summary,
    )
}

/// The answer to a v2 response node: its fields (code, msg and the other public response
/// members left out) on success, else its failure as a v3 error. A node that waits for the
/// buyer ([`PAY_IN_PROCESS_CODE`], a bar-code payment waiting for the password) is no failure
/// either: its fields, with `trade_status` `WAIT_BUYER_PAY` (what a query of the trade
/// answers then), and HTTP 200. Alipay's v3 pages do not show that answer; this is the
/// gateway's reading, consistent with the v2 one.
pub(crate) fn from_node(
    shared: &Shared,
    ctx: &AnswerContext,
    node: &Node,
    tamper: Tamper,
) -> Logged {
    let code = node.text(field::CODE);
    let waiting = code == Some(PAY_IN_PROCESS_CODE);
    if code != Some(SUCCESS_CODE) && !waiting {
        return error(shared, ctx, &node_error(node));
    }
    let mut fields: Map<String, Value> = node
        .members()
        .iter()
        .filter(|(k, _)| !PUBLIC_RESPONSE_FIELDS.contains(&k.as_str()))
        .cloned()
        .collect();
    if waiting && !fields.contains_key("trade_status") {
        fields.insert("trade_status".into(), Value::from("WAIT_BUYER_PAY"));
    }
    let json = Value::Object(fields).to_string();
    let summary = RecordedAnswer {
        status: 200,
        code: None,
        sub_code: None,
        node: None,
    };
    match (&shared.encrypt_key, ctx.encrypt) {
        (Some(key), true) => {
            let body = key.encrypt(&json).into_bytes();
            let sent = match tamper {
                // Altered after signing: another plaintext's ciphertext sent under the signature.
                Tamper::Alter => Sent::Replace(key.encrypt(&altered(&json)).into_bytes()),
                Tamper::DropSign => Sent::DropSign,
                Tamper::None => Sent::AsSigned,
            };
            signed_with(
                shared,
                ctx,
                200,
                "text/plain;charset=utf-8",
                body,
                sent,
                summary,
            )
        }
        _ => signed(
            shared,
            ctx,
            200,
            "application/json;charset=utf-8",
            json.into_bytes(),
            tamper,
            summary,
        ),
    }
}

/// A failure node (`code` other than 10000) as the v3 error Alipay answers for it: a business
/// failure (40004) is HTTP 400 with the `sub_code` as the code; the gateway's own failures
/// keep their HTTP meaning, their `sub_code` without its `isv.`/`isp.`/`aop.` prefix.
fn node_error(node: &Node) -> V3Error {
    let code = node.text(field::CODE).unwrap_or_default();
    let sub_code = node.text(field::SUB_CODE).unwrap_or_default();
    let message = node
        .text(field::SUB_MSG)
        .or(node.text(field::MSG))
        .unwrap_or_default();
    let status = match code {
        BUSINESS_FAILED_CODE | "40001" | "40002" | "40005" => 400,
        "20001" => 401,
        "40003" | "40006" => 403,
        _ => 500,
    };
    let v3_code = if code == BUSINESS_FAILED_CODE {
        sub_code
    } else {
        ["isv.", "isp.", "aop."]
            .iter()
            .find_map(|p| sub_code.strip_prefix(p))
            .unwrap_or(sub_code)
    };
    let v3_code = if v3_code.is_empty() {
        "unknown-error"
    } else {
        v3_code
    };
    V3Error::new(status, v3_code, message)
}

/// The answer `scenario` gives to a valid request of `descriptor`'s method.
pub(crate) fn scenario(
    shared: &Shared,
    ctx: &AnswerContext,
    descriptor: &MethodDescriptor,
    scenario: &Scenario,
) -> Logged {
    let Some((node, tamper)) = scenario_node(descriptor, scenario) else {
        return http_500_logged();
    };
    from_node(shared, ctx, &node, tamper)
}

/// What is sent instead of the signed body, or which header is left out.
enum Sent {
    AsSigned,
    Replace(Vec<u8>),
    DropSign,
}

fn signed(
    shared: &Shared,
    ctx: &AnswerContext,
    status: u16,
    content_type: &str,
    body: Vec<u8>,
    tamper: Tamper,
    summary: RecordedAnswer,
) -> Logged {
    let sent = match tamper {
        Tamper::Alter => Sent::Replace(altered(&String::from_utf8_lossy(&body)).into_bytes()),
        Tamper::DropSign => Sent::DropSign,
        Tamper::None => Sent::AsSigned,
    };
    signed_with(shared, ctx, status, content_type, body, sent, summary)
}

/// Signs `body` with the Alipay private key (in certificate mode: the current certificate's
/// key, named in `alipay-sn`) over `timestamp\nnonce\nbody\n`, and writes the answer.
fn signed_with(
    shared: &Shared,
    ctx: &AnswerContext,
    status: u16,
    content_type: &str,
    body: Vec<u8>,
    sent: Sent,
    summary: RecordedAnswer,
) -> Logged {
    let timestamp = now_ms().to_string();
    let nonce = nonce();
    let mut message = Vec::with_capacity(timestamp.len() + nonce.len() + body.len() + 3);
    for line in [timestamp.as_bytes(), nonce.as_bytes(), &body] {
        message.extend_from_slice(line);
        message.push(b'\n');
    }
    let (signature, cert_sn) = match alipay_sign_with_sn(shared, SignType::Rsa2, &message) {
        Ok(signed) => signed,
        Err(e) => return cannot_sign(&e, summary),
    };
    let mut headers = vec![
        ("alipay-trace-id", ctx.trace_id.clone()),
        ("alipay-timestamp", timestamp),
        ("alipay-nonce", nonce),
    ];
    if !matches!(sent, Sent::DropSign) {
        headers.push(("alipay-signature", signature));
    }
    if let Some(sn) = cert_sn {
        headers.push(("alipay-sn", sn));
    }
    let body = match sent {
        Sent::Replace(other) => other,
        Sent::AsSigned | Sent::DropSign => body,
    };
    Logged {
        http: HttpAnswer {
            status,
            content_type: content_type.to_owned(),
            body,
            location: None,
            headers,
        },
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonce_is_a_v4_uuid_and_trace_ids_differ() {
        let n = nonce();
        assert_eq!(n.len(), 36);
        assert_eq!(&n[14..15], "4");
        assert!(n.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
        assert_ne!(nonce(), n);
        assert_eq!(trace_id().len(), 24);
        assert_ne!(trace_id(), trace_id());
    }

    #[test]
    fn failure_nodes_become_v3_errors() {
        let business = Node::failure(
            "40004",
            "Business Failed",
            "ACQ.TRADE_NOT_EXIST",
            "交易不存在",
        );
        assert_eq!(
            node_error(&business),
            V3Error::new(400, "ACQ.TRADE_NOT_EXIST", "交易不存在")
        );
        let gateway = Node::failure(
            "20000",
            "Service Currently Unavailable",
            "isp.unknow-error",
            "",
        );
        assert_eq!(
            node_error(&gateway),
            V3Error::new(500, "unknow-error", "Service Currently Unavailable")
        );
        let auth = Node::failure(
            "20001",
            "Insufficient Token Permissions",
            "aop.invalid-auth-token",
            "无效的访问令牌",
        );
        assert_eq!(node_error(&auth).status, 401);
        assert_eq!(node_error(&auth).code, "invalid-auth-token");
    }
}
