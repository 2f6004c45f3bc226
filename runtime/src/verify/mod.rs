//! Fail-closed verification of synchronous gateway responses.
//!
//! [`verify_response`] follows `shared/vectors/README.md` (`verify_response.json`):
//!
//! 1. Decode the body in the response charset, then parse it once as one JSON object; reject
//!    invalid JSON and any top-level key that appears twice (parsers keep the last duplicate,
//!    which need not be the signed one).
//! 2. The node is `<method with . replaced by _>_response`, else `error_response`.
//! 3. The signed text is the raw text of the node's value, located by JSON structure in the
//!    decoded text (GBK trail bytes include `\`, `{` and `}`, so raw GBK bytes are never
//!    scanned), then encoded back in the response charset.
//! 4. `sign` is the top-level member; it must be a non-empty string. A missing or empty `sign`
//!    never yields success.
//! 5. The signature is verified before anything in the node is trusted or deserialized.

mod body;

pub(crate) use body::Members;

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::charset::Charset;
use crate::encrypt::EncryptKey;
use crate::error::{SignatureError, UnverifiedAnswer};
use crate::keys::PublicKey;
use crate::protocol::field;
use crate::redact;
use crate::sign::SignType;

/// The success code of the gateway.
pub use crate::gateway_code::SUCCESS_CODE;

/// A response whose node carried a valid signature.
///
/// `Debug` leaves the node out (its length only): it is the method's data, and may hold
/// secrets such as the `access_token` of `alipay.system.oauth.token` or the plaintext of an
/// AES-encrypted answer.
#[derive(Clone)]
pub struct VerifiedResponse {
    /// The member name of the node: `<method>_response` or `error_response`.
    pub node_name: String,
    /// Whether the node is `error_response` (the gateway rejected the call before the method).
    pub is_error_response: bool,
    /// The verified node, exactly as sent.
    pub node: Box<RawValue>,
    /// `code` of the node; empty when the node has none (some methods, such as
    /// `alipay.system.oauth.token`, omit it on success).
    pub code: String,
    /// `msg` of the node; empty when absent.
    pub msg: String,
    /// `sub_code` of the node.
    pub sub_code: Option<String>,
    /// `sub_msg` of the node.
    pub sub_msg: Option<String>,
    /// The top-level `alipay_cert_sn` (certificate mode: the SN of the certificate whose key
    /// signed the answer), when present. Not covered by the signature.
    pub alipay_cert_sn: Option<String>,
    /// Whether the node arrived AES-encrypted (`node` is then the decrypted text).
    pub encrypted: bool,
}

impl std::fmt::Debug for VerifiedResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifiedResponse")
            .field("node_name", &self.node_name)
            .field("is_error_response", &self.is_error_response)
            .field("node_len", &self.node.get().len())
            .field("code", &self.code)
            .field("msg", &self.msg)
            .field("sub_code", &self.sub_code)
            .field("sub_msg", &self.sub_msg)
            .field("alipay_cert_sn", &self.alipay_cert_sn)
            .field("encrypted", &self.encrypted)
            .finish()
    }
}

impl VerifiedResponse {
    /// Whether the gateway reported success: the method's own node (never `error_response`,
    /// whatever code it carries) with `code` `10000`, or with no `code` at all.
    pub fn is_success(&self) -> bool {
        !self.is_error_response && (self.code == SUCCESS_CODE || self.code.is_empty())
    }

    /// The verified node text.
    pub fn node_text(&self) -> &str {
        self.node.get()
    }

    /// Deserializes the verified node into the method's response type.
    pub fn deserialize_node<'a, T: Deserialize<'a>>(&'a self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.node.get())
    }
}

/// A response failed verification. Nothing from it may be trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// Not decodable in the charset, not JSON, not an object, or a member of the wrong type.
    #[error("malformed response body: {0}")]
    Malformed(String),
    /// A top-level key appears twice.
    #[error("malformed response body: top-level key {0:?} appears more than once")]
    DuplicateKey(String),
    /// Neither the method node nor `error_response` is present.
    #[error("the response has neither {expected:?} nor \"error_response\"")]
    NodeMissing {
        /// The method node name looked for.
        expected: String,
    },
    /// The signature is missing, empty or does not verify (altered body, wrong Alipay public
    /// key, wrong sign type, or not base64).
    #[error(transparent)]
    Signature(SignatureError),
    /// A verified encrypted node does not decrypt with the configured AES key, or its plaintext
    /// is not a JSON object.
    #[error("the verified encrypted answer cannot be decrypted: {0}")]
    Decrypt(String),
    /// An unsigned non-success answer. Kept for diagnosis only: the values are UNVERIFIED (a
    /// gateway that cannot identify the app, for example a wrong `app_id`, answers unsigned).
    #[error("unverified gateway answer (unsigned, not trusted): {0}")]
    UnverifiedGatewayAnswer(UnverifiedAnswer),
}

/// The member name of a method's response node: `alipay.trade.query` →
/// `alipay_trade_query_response`.
pub fn response_node_name(method: &str) -> String {
    let mut name = method.replace('.', "_");
    name.push_str("_response");
    name
}

/// Verifies a synchronous response body.
///
/// `body` is the HTTP body as received, in `charset`; `method` the method's wire name;
/// `sign_type` the algorithm of the request; `key` the Alipay public key.
pub fn verify_response(
    body: &[u8],
    method: &str,
    charset: Charset,
    sign_type: SignType,
    key: &PublicKey,
) -> Result<VerifiedResponse, ResponseError> {
    verify(body, method, charset, sign_type, key, None)
}

/// Verifies an answer to an `encrypt_type=AES` request.
///
/// An encrypted node is a JSON string: the signature covers that string token with its two
/// quotes, exactly as sent; only once it verifies is the base64 inside decrypted, and the
/// plaintext (text in `charset`) becomes [`VerifiedResponse::node`]. A node that arrives as a
/// plain object (the gateway answers errors unencrypted) is verified as
/// [`verify_response`] does.
pub fn verify_encrypted_response(
    body: &[u8],
    method: &str,
    charset: Charset,
    sign_type: SignType,
    key: &PublicKey,
    encrypt_key: &EncryptKey,
) -> Result<VerifiedResponse, ResponseError> {
    verify(body, method, charset, sign_type, key, Some(encrypt_key))
}

/// The top-level `alipay_cert_sn` of an answer, read before verification to choose the key
/// (certificate mode). It is not signed: the key it selects must itself be trusted, and the
/// signature verified with it.
pub fn answer_cert_sn(body: &[u8], charset: Charset) -> Result<Option<String>, ResponseError> {
    let text = charset
        .decode(body)
        .map_err(|e| ResponseError::Malformed(e.to_string()))?;
    let members = Members::parse(&text).map_err(|e| ResponseError::Malformed(e.to_string()))?;
    cert_sn_member(&members)
}

fn cert_sn_member(members: &Members<'_>) -> Result<Option<String>, ResponseError> {
    match members.get("alipay_cert_sn") {
        None => Ok(None),
        Some(raw) => serde_json::from_str::<Option<String>>(raw.get())
            .map(|sn| sn.filter(|sn| !sn.is_empty()))
            .map_err(|_| {
                ResponseError::Malformed("top-level \"alipay_cert_sn\" is not a string".to_owned())
            }),
    }
}

fn verify(
    body: &[u8],
    method: &str,
    charset: Charset,
    sign_type: SignType,
    key: &PublicKey,
    encrypt_key: Option<&EncryptKey>,
) -> Result<VerifiedResponse, ResponseError> {
    let text = charset
        .decode(body)
        .map_err(|e| ResponseError::Malformed(e.to_string()))?;
    let members = Members::parse(&text).map_err(|e| ResponseError::Malformed(e.to_string()))?;
    if let Some(dup) = members.duplicate_key() {
        return Err(ResponseError::DuplicateKey(dup.to_owned()));
    }

    let (node_name, node, is_error_response) = find_node(&members, method)?;
    let encrypted = encrypt_key.is_some() && node.get().starts_with('"');
    if !encrypted && !node.get().starts_with('{') {
        return Err(ResponseError::Malformed(format!(
            "{node_name} is not a JSON object"
        )));
    }
    let alipay_cert_sn = cert_sn_member(&members)?;

    let sign = signature(&members, node)?;

    let signed = charset
        .encode(node.get())
        .map_err(|e| ResponseError::Malformed(e.to_string()))?;
    tracing::trace!(
        node = %node_name,
        sign_type = sign_type.as_str(),
        charset = charset.as_str(),
        text = %redact::json_text(node.get()),
        "verifying the answer's node text (secret members redacted)"
    );
    key.verify(sign_type, &signed, &sign).map_err(|_| {
        ResponseError::Signature(SignatureError::Invalid {
            node: node_name.clone(),
            sign_type,
            charset,
        })
    })?;

    let node: Box<RawValue> = match encrypt_key {
        Some(encrypt_key) if encrypted => decrypt_node(node, charset, encrypt_key)?,
        _ => node.to_owned(),
    };
    let head: Head = serde_json::from_str(node.get())
        .map_err(|e| ResponseError::Malformed(format!("{node_name}: {e}")))?;
    Ok(VerifiedResponse {
        node_name,
        is_error_response,
        node,
        code: head.code.unwrap_or_default(),
        msg: head.msg.unwrap_or_default(),
        sub_code: head.sub_code,
        sub_msg: head.sub_msg,
        alipay_cert_sn,
        encrypted,
    })
}

/// The method's node (`<method>_response`), else `error_response`: its name, its raw value,
/// and whether it is `error_response`.
fn find_node<'a>(
    members: &Members<'a>,
    method: &str,
) -> Result<(String, &'a RawValue, bool), ResponseError> {
    let method_node = response_node_name(method);
    match members.get(&method_node) {
        Some(node) => Ok((method_node, node, false)),
        None => match members.get("error_response") {
            Some(node) => Ok(("error_response".to_owned(), node, true)),
            None => Err(ResponseError::NodeMissing {
                expected: method_node,
            }),
        },
    }
}

/// The top-level `sign`, which must be a non-empty string. An unsigned answer is refused: as
/// the unverified gateway answer it carries when its node has a failure code (read for
/// diagnosis only, never trusted), else as a missing or empty signature.
fn signature<'a>(members: &Members<'a>, node: &RawValue) -> Result<Cow<'a, str>, ResponseError> {
    let sign = match members.get(field::SIGN) {
        None => None,
        Some(raw) => match serde_json::from_str::<Option<Cow<'_, str>>>(raw.get()) {
            Ok(sign) => sign,
            Err(_) => {
                return Err(ResponseError::Malformed(
                    "top-level \"sign\" is not a string".to_owned(),
                ));
            }
        },
    };
    match sign {
        Some(sign) if !sign.is_empty() => Ok(sign),
        unsigned => {
            // Read the node only to tell an unsigned gateway error apart; never trusted.
            if let Ok(head) = serde_json::from_str::<Head>(node.get())
                && let Some(code) = head.code.filter(|c| c != SUCCESS_CODE)
            {
                return Err(ResponseError::UnverifiedGatewayAnswer(UnverifiedAnswer {
                    code,
                    msg: head.msg.unwrap_or_default(),
                    sub_code: head.sub_code,
                    sub_msg: head.sub_msg,
                }));
            }
            Err(ResponseError::Signature(match unsigned {
                None => SignatureError::Missing,
                Some(_) => SignatureError::Empty,
            }))
        }
    }
}

/// The plaintext of a verified encrypted node, which must be one JSON object.
fn decrypt_node(
    node: &RawValue,
    charset: Charset,
    encrypt_key: &EncryptKey,
) -> Result<Box<RawValue>, ResponseError> {
    let ciphertext: Cow<'_, str> = serde_json::from_str(node.get())
        .map_err(|e| ResponseError::Malformed(format!("encrypted node: {e}")))?;
    let plaintext = encrypt_key
        .decrypt_bytes(&ciphertext)
        .map_err(|e| ResponseError::Decrypt(e.to_string()))?;
    let plaintext = charset
        .decode(&plaintext)
        .map_err(|e| ResponseError::Decrypt(e.to_string()))?
        .into_owned();
    if !plaintext.trim_start().starts_with('{') {
        return Err(ResponseError::Decrypt(
            "the plaintext is not a JSON object".to_owned(),
        ));
    }
    RawValue::from_string(plaintext).map_err(|e| ResponseError::Decrypt(e.to_string()))
}

/// The common members of every node. `code` may arrive as a string or a number.
#[derive(Deserialize)]
struct Head {
    #[serde(default, deserialize_with = "string_or_number")]
    code: Option<String>,
    #[serde(default)]
    msg: Option<String>,
    #[serde(default)]
    sub_code: Option<String>,
    #[serde(default)]
    sub_msg: Option<String>,
}

fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Code {
        Text(String),
        Number(serde_json::Number),
    }
    Ok(Option::<Code>::deserialize(d)?.map(|c| match c {
        Code::Text(s) => s,
        Code::Number(n) => n.to_string(),
    }))
}
