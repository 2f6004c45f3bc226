// Over 500 lines because: the answer builders are 120 lines; the rest is their unit tests (placement, signing, faults).
//! Building the gateway's answers: the response node, its signature, and the faults.

use alipay_runtime::MethodDescriptor;
use alipay_runtime::charset::Charset;
use alipay_runtime::gateway_code::{
    BUSINESS_FAILED_CODE, BUSINESS_FAILED_MSG, SUCCESS_CODE, SUCCESS_MSG,
};
use alipay_runtime::protocol::{PUBLIC_RESPONSE_FIELDS, field, param};
use alipay_runtime::sign::SignType;
use serde_json::Value;

use crate::crypto;
use crate::log::RecordedAnswer;
use base64ct::Encoding as _;

use crate::protocol::{Accepted, Decoded, Refusal};
use crate::scenario::Scenario;
use crate::state::Shared;

/// An HTTP answer, ready to write.
#[derive(Debug, Clone)]
pub(crate) struct HttpAnswer {
    pub status: u16,
    pub content_type: String,
    pub body: Vec<u8>,
    /// The `Location` of a redirect.
    pub location: Option<String>,
    /// Further headers (the v3 protocol's `alipay-*` answer headers).
    pub headers: Vec<(&'static str, String)>,
}

/// The members of a response node, in the order they are written.
#[derive(Debug, Clone, Default)]
pub(crate) struct Node {
    members: Vec<(String, Value)>,
}

impl Node {
    /// A node holding only `code` and `msg`.
    pub fn new(code: &str, msg: &str) -> Self {
        Self {
            members: vec![
                (field::CODE.into(), Value::String(code.into())),
                (field::MSG.into(), Value::String(msg.into())),
            ],
        }
    }

    /// A failure node: `code`, `msg`, `sub_code`, `sub_msg`.
    pub fn failure(code: &str, msg: &str, sub_code: &str, sub_msg: &str) -> Self {
        let mut node = Self::new(code, msg);
        if !sub_code.is_empty() {
            node.push(field::SUB_CODE, Value::String(sub_code.into()));
        }
        if !sub_msg.is_empty() {
            node.push(field::SUB_MSG, Value::String(sub_msg.into()));
        }
        node
    }

    /// The success node: `10000 Success` followed by the fields of the example response's
    /// node, when the example parses and has one.
    pub fn success(response_node: &str, example: Option<&str>) -> Self {
        let mut node = Self::new(SUCCESS_CODE, SUCCESS_MSG);
        let Some(fields) = example.and_then(|text| example_fields(text, response_node)) else {
            return node;
        };
        for (key, value) in fields {
            if !PUBLIC_RESPONSE_FIELDS.contains(&key.as_str()) {
                node.push(&key, value);
            }
        }
        node
    }

    /// The members, in order.
    pub(crate) fn members(&self) -> &[(String, Value)] {
        &self.members
    }

    pub(crate) fn push(&mut self, key: &str, value: Value) {
        self.members.push((key.to_owned(), value));
    }

    /// The value of member `key`, when it is a string.
    pub fn text(&self, key: &str) -> Option<&str> {
        self.members
            .iter()
            .find(|(k, _)| k == key)
            .and_then(|(_, v)| v.as_str())
    }

    /// The node as compact JSON text, members in order.
    pub fn to_json(&self) -> String {
        let mut out = String::from("{");
        for (i, (key, value)) in self.members.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&Value::String(key.clone()).to_string());
            out.push(':');
            out.push_str(&value.to_string());
        }
        out.push('}');
        out
    }
}

/// The members of `response_node` in the page's example, if the example is a JSON object
/// holding that node as an object. Examples copied from documentation pages are often not
/// valid JSON; those give `None` and the success answer stays minimal.
fn example_fields(example: &str, response_node: &str) -> Option<Vec<(String, Value)>> {
    let parsed: Value = serde_json::from_str(example).ok()?;
    let node = match parsed.get(response_node) {
        Some(Value::Object(node)) => node.clone(),
        _ => return None,
    };
    Some(node.into_iter().collect())
}

/// Writes `node_text` into `{"<node_name>":<node_text>,"sign":"<sign>"}`; `sign: None`
/// leaves the member out.
#[cfg(test)]
pub(crate) fn body_text(node_name: &str, node_text: &str, sign: Option<&str>) -> String {
    body_text_with_cert(node_name, node_text, None, sign)
}

/// [`body_text`] with `"alipay_cert_sn"` between the node and `sign` (certificate mode).
pub(crate) fn body_text_with_cert(
    node_name: &str,
    node_text: &str,
    cert_sn: Option<&str>,
    sign: Option<&str>,
) -> String {
    let mut out = String::with_capacity(node_text.len() + node_name.len() + 400);
    out.push('{');
    out.push_str(&Value::String(node_name.to_owned()).to_string());
    out.push(':');
    out.push_str(node_text);
    if let Some(sn) = cert_sn {
        out.push_str(",\"alipay_cert_sn\":");
        out.push_str(&Value::String(sn.to_owned()).to_string());
    }
    if let Some(sign) = sign {
        out.push(',');
        out.push_str(&Value::String(field::SIGN.to_owned()).to_string());
        out.push(':');
        out.push_str(&Value::String(sign.to_owned()).to_string());
    }
    out.push('}');
    out
}

/// The node text after a tampering proxy changed it: one member added in front, so the
/// signature made over the original no longer matches.
pub(crate) fn altered(node_text: &str) -> String {
    match node_text.strip_prefix('{') {
        Some("}") => "{\"altered_by\":\"proxy\"}".to_owned(),
        Some(rest) => format!("{{\"altered_by\":\"proxy\",{rest}"),
        None => node_text.to_owned(),
    }
}

/// The HTML page a failing load balancer answers with.
pub(crate) fn http_500() -> HttpAnswer {
    HttpAnswer {
        headers: Vec::new(),
        location: None,
        status: 500,
        content_type: "text/html;charset=utf-8".into(),
        body: b"<html><head><title>500 Internal Server Error</title></head>\
<body><h1>500 Internal Server Error</h1><p>local gateway: scenario http_500</p></body></html>"
            .to_vec(),
    }
}

/// A plain-text answer outside the Alipay protocol (wrong path, wrong HTTP method, ...).
pub(crate) fn plain(status: u16, text: &str) -> HttpAnswer {
    HttpAnswer {
        headers: Vec::new(),
        location: None,
        status,
        content_type: "text/plain;charset=utf-8".into(),
        body: text.as_bytes().to_vec(),
    }
}

/// A JSON document (`value` and a newline), always utf-8: a control call's or the
/// dashboard's answer.
pub(crate) fn json(status: u16, value: &Value) -> HttpAnswer {
    HttpAnswer {
        headers: Vec::new(),
        location: None,
        status,
        content_type: "application/json;charset=utf-8".into(),
        body: format!("{value}\n").into_bytes(),
    }
}

/// An answer plus what the log says about it.
pub(crate) struct Logged {
    pub http: HttpAnswer,
    pub summary: RecordedAnswer,
}

impl Logged {
    /// `http`, logged by its status alone ([`summary_of`]).
    pub(crate) fn by_status(http: HttpAnswer) -> Self {
        Logged {
            summary: summary_of(&http),
            http,
        }
    }
}

/// What the log says about an answer that carries no node, code or sub_code (a page, a
/// control call's answer, one outside the protocol): its status alone.
pub(crate) fn summary_of(answer: &HttpAnswer) -> RecordedAnswer {
    RecordedAnswer {
        status: answer.status,
        code: None,
        sub_code: None,
        node: None,
    }
}

pub(crate) fn refusal_answer(shared: &Shared, decoded: &Decoded, refusal: &Refusal) -> Logged {
    // Answer with the algorithm the request asked for when it named a valid one.
    let sign_type = decoded
        .get(param::SIGN_TYPE)
        .and_then(|t| t.parse::<SignType>().ok())
        .unwrap_or_default();
    let node = Node::failure(
        refusal.code.as_str(),
        refusal.msg(),
        refusal.sub_code.as_str(),
        &refusal.sub_msg,
    );
    // Refusals are never encrypted: the gateway cannot assume the request's key worked.
    signed(
        shared,
        refusal.node.as_str(),
        &node,
        sign_type,
        decoded.charset,
        Tamper::None,
        false,
    )
}

/// The answer to `alipay.open.app.alipaycert.download`: the certificate named by
/// `alipay_cert_sn`, base64 of its PEM text, when this gateway has signed with it.
pub(crate) fn download_answer(shared: &Shared, decoded: &Decoded, accepted: &Accepted) -> Logged {
    let node_name = accepted.descriptor.response_node;
    let wanted = decoded
        .get(param::BIZ_CONTENT)
        .and_then(|b| serde_json::from_str::<Value>(b).ok())
        .and_then(|b| b.get("alipay_cert_sn")?.as_str().map(str::to_owned))
        .unwrap_or_default();
    let pem = shared
        .cert_mode
        .as_ref()
        .and_then(|certs| certs.served_pem(&wanted));
    let node = match pem {
        Some(pem) => {
            let mut node = Node::new(SUCCESS_CODE, SUCCESS_MSG);
            node.push(
                "alipay_cert_content",
                Value::String(base64ct::Base64::encode_string(pem.as_bytes())),
            );
            node
        }
        None => Node::failure(
            BUSINESS_FAILED_CODE,
            BUSINESS_FAILED_MSG,
            "CERT_NOT_EXIST",
            "证书不存在: no certificate with this alipay_cert_sn",
        ),
    };
    signed(
        shared,
        node_name,
        &node,
        accepted.sign_type,
        decoded.charset,
        Tamper::None,
        false,
    )
}

pub(crate) fn scenario_answer(
    shared: &Shared,
    accepted: &Accepted,
    charset: Charset,
    scenario: &Scenario,
) -> Logged {
    let descriptor: &MethodDescriptor = accepted.descriptor;
    let sign_type = accepted.sign_type;
    let node_name = descriptor.response_node;
    let Some((node, tamper)) = scenario_node(descriptor, scenario) else {
        return http_500_logged();
    };
    signed(
        shared,
        node_name,
        &node,
        sign_type,
        charset,
        tamper,
        accepted.encrypted,
    )
}

/// The description `descriptor`'s error table gives `code` (its `sub_msg`), empty when the
/// table does not list it.
pub(crate) fn error_description(descriptor: &MethodDescriptor, code: &str) -> &'static str {
    descriptor
        .errors
        .iter()
        .find(|e| e.code == code)
        .map_or("", |e| e.description)
}

/// What `scenario` answers a valid request of `descriptor`'s method with, under either
/// protocol: the node and how a proxy spoils it after signing; `None` for an HTTP 500 (the
/// load balancer's page, no node at all: [`http_500_logged`]).
pub(crate) fn scenario_node(
    descriptor: &MethodDescriptor,
    scenario: &Scenario,
) -> Option<(Node, Tamper)> {
    let success = || Node::success(descriptor.response_node, descriptor.example_response);
    Some(match scenario {
        Scenario::Success | Scenario::Delay { .. } => (success(), Tamper::None),
        Scenario::AlteredBody => (success(), Tamper::Alter),
        Scenario::MissingSign => (success(), Tamper::DropSign),
        Scenario::BusinessError(code) => {
            let description = error_description(descriptor, code);
            (
                Node::failure(BUSINESS_FAILED_CODE, BUSINESS_FAILED_MSG, code, description),
                Tamper::None,
            )
        }
        Scenario::GatewayError {
            code,
            msg,
            sub_code,
            sub_msg,
        } => (Node::failure(code, msg, sub_code, sub_msg), Tamper::None),
        Scenario::Http500 => return None,
    })
}

/// An injected `http_status` fault's answer: a load balancer's HTML page with `status`, as
/// logged.
pub(crate) fn http_status_logged(status: u16) -> Logged {
    let reason = hyper::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Server Error");
    Logged::by_status(html(
        status,
        format!(
            "<html><head><title>{status} {reason}</title></head>\
<body><h1>{status} {reason}</h1><p>local gateway: injected fault http_status {status}</p></body></html>"
        ),
    ))
}

/// The HTTP 500 scenario's answer, as logged.
pub(crate) fn http_500_logged() -> Logged {
    Logged::by_status(http_500())
}

/// A node computed from the gateway's state (a trade query, a refund, ...), signed as every
/// answer is.
pub(crate) fn node_answer(
    shared: &Shared,
    accepted: &Accepted,
    charset: Charset,
    node: &Node,
) -> Logged {
    signed(
        shared,
        accepted.descriptor.response_node,
        node,
        accepted.sign_type,
        charset,
        Tamper::None,
        accepted.encrypted,
    )
}

/// Signs `message` as Alipay signs what it sends: with the Alipay private key, or in
/// certificate mode with the current Alipay certificate's key.
pub(crate) fn alipay_sign(
    shared: &Shared,
    sign_type: SignType,
    message: &[u8],
) -> Result<String, alipay_runtime::SignError> {
    alipay_sign_with_sn(shared, sign_type, message).map(|(sign, _)| sign)
}

/// [`alipay_sign`]'s signature and, in certificate mode, the SN of the certificate whose key
/// made it (what an answer names in `alipay_cert_sn` or `alipay-sn`).
pub(crate) fn alipay_sign_with_sn(
    shared: &Shared,
    sign_type: SignType,
    message: &[u8],
) -> Result<(String, Option<String>), alipay_runtime::SignError> {
    let cert = shared.cert_mode.as_ref().map(|certs| certs.current());
    let key = match &cert {
        Some(cert) => &cert.key,
        None => &shared.keys.alipay_private_key,
    };
    let sign = crypto::sign(key, sign_type, message)?;
    Ok((sign, cert.map(|cert| cert.sn.clone())))
}

/// The answer when the gateway cannot sign one: HTTP 500 saying why, logged as `summary`
/// with that status.
pub(crate) fn cannot_sign(error: &alipay_runtime::SignError, summary: RecordedAnswer) -> Logged {
    Logged {
        http: plain(500, &format!("local gateway cannot sign: {error}\n")),
        summary: RecordedAnswer {
            status: 500,
            ..summary
        },
    }
}

/// An HTML page (the cashier's, or its error page), always utf-8.
pub(crate) fn html(status: u16, page: String) -> HttpAnswer {
    HttpAnswer {
        headers: Vec::new(),
        location: None,
        status,
        content_type: "text/html;charset=utf-8".into(),
        body: page.into_bytes(),
    }
}

/// How an answer is spoiled after signing (the scenarios' faults, under either protocol).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tamper {
    /// Sent as signed.
    None,
    /// The body is changed after it was signed.
    Alter,
    /// The signature is left out.
    DropSign,
}

/// Signs `node` (its JSON text in `charset`; when `encrypt`, the JSON string of its AES
/// ciphertext, quotes included) with the Alipay private key (in certificate mode: the current
/// certificate's key, named in `alipay_cert_sn`) and writes the body.
fn signed(
    shared: &Shared,
    node_name: &str,
    node: &Node,
    sign_type: SignType,
    charset: Charset,
    tamper: Tamper,
    encrypt: bool,
) -> Logged {
    let summary = RecordedAnswer {
        status: 200,
        code: node.text(field::CODE).map(str::to_owned),
        sub_code: node.text(field::SUB_CODE).map(str::to_owned),
        node: Some(node_name.to_owned()),
    };
    let mut node_bytes = crypto::encode_json(charset, &node.to_json());
    if encrypt && let Some(key) = &shared.encrypt_key {
        // The plaintext is encrypted as encoded in the charset; the ciphertext is ASCII.
        node_bytes = Value::String(key.encrypt_bytes(&node_bytes))
            .to_string()
            .into_bytes();
    }
    // `encode_json` output decodes in its own charset; the text is what goes on the wire.
    let node_text = crypto::decode(charset, &node_bytes).unwrap_or_else(|| node.to_json());
    let (sign, cert_sn) = match alipay_sign_with_sn(shared, sign_type, &node_bytes) {
        Ok(signed) => signed,
        Err(e) => return cannot_sign(&e, summary),
    };
    let cert_sn = cert_sn.as_deref();
    let body = match tamper {
        Tamper::None => body_text_with_cert(node_name, &node_text, cert_sn, Some(&sign)),
        Tamper::Alter => body_text_with_cert(node_name, &altered(&node_text), cert_sn, Some(&sign)),
        Tamper::DropSign => body_text_with_cert(node_name, &node_text, cert_sn, None),
    };
    Logged {
        http: HttpAnswer {
            headers: Vec::new(),
            location: None,
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

    const EXAMPLE: &str = "{\n\t\"sign\":\"ERITJK\",\n\t\"a_b_response\":{\n\t\t\"msg\":\"Success\",\n\t\t\"code\":\"10000\",\n\t\t\"sign_no\":\"2088\",\n\t\t\"count\":3\n\t}\n}";

    #[test]
    fn success_takes_the_example_fields_after_code_and_msg() {
        let node = Node::success("a_b_response", Some(EXAMPLE));
        assert_eq!(
            node.to_json(),
            r#"{"code":"10000","msg":"Success","count":3,"sign_no":"2088"}"#
        );
    }

    #[test]
    fn success_without_a_usable_example_is_minimal() {
        for example in [None, Some("not json"), Some("{\"other_response\":{}}")] {
            let node = Node::success("a_b_response", example);
            assert_eq!(node.to_json(), r#"{"code":"10000","msg":"Success"}"#);
        }
    }

    #[test]
    fn failure_and_body_and_alteration() {
        let node = Node::failure("40004", "Business Failed", "X_Y", "校验码超时");
        let text = node.to_json();
        assert_eq!(
            text,
            r#"{"code":"40004","msg":"Business Failed","sub_code":"X_Y","sub_msg":"校验码超时"}"#
        );
        assert_eq!(
            body_text("a_b_response", "{}", Some("c2ln")),
            r#"{"a_b_response":{},"sign":"c2ln"}"#
        );
        assert_eq!(body_text("n", "{}", None), r#"{"n":{}}"#);
        assert_eq!(altered("{}"), r#"{"altered_by":"proxy"}"#);
        assert_eq!(
            altered(r#"{"code":"10000"}"#),
            r#"{"altered_by":"proxy","code":"10000"}"#
        );
    }
}
