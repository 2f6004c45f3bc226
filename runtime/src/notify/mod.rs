//! Verification of what Alipay sends back to the merchant: the asynchronous notification (the
//! form POSTed to `notify_url`, [`verify_notify`]) and the browser's return from the cashier
//! (the query of the `return_url` redirect, [`verify_return`]).
//!
//! Both follow the rule of `shared/vectors/README.md` (`verify_notify.json`): form-decode the
//! body once, take every field except `sign` and `sign_type`, sort by key, join `key=value`
//! with `&` using the decoded values (empty values included: they were received), encode in
//! the notification's own `charset` (default utf-8) and verify `sign` with the algorithm
//! `sign_type` names. Values are never decoded a second time.
//!
//! Some notifications (for example `alipay.open.servicemarket.order.notify`) are signed with
//! `sign_type` included in the content (Java's `rsaCheckV2`). When the form without `sign_type`
//! does not verify, the form with it is tried: both are fixed by the same values, so accepting
//! either lets no one change a value ([`VerifiedNotify::signed_content`] says which one it was).
//!
//! The parameters become readable only through the [`VerifiedNotify`] (or [`VerifiedReturn`])
//! that a successful verification returns; a generated `Notification` type decodes only from
//! a [`VerifiedNotify`] ([`VerifiedNotify::decode`]).
//!
//! A notification arrives at a public URL, so anyone can post anything to it: a body longer
//! than [`MAX_NOTIFY_BYTES`] (64 KiB), or holding more than [`MAX_NOTIFY_FIELDS`] fields, is
//! refused before it is parsed ([`NotifyError::TooLarge`], [`NotifyError::TooManyFields`]),
//! so verifying costs memory in proportion to a real notification's size, never the
//! sender's. Read the body with the same bound (the handler below does).
//!
//! Once a notification is verified and handled, answer it with [`ACK`] (`success`): Alipay
//! delivers it again on any other answer.
//!
//! # A handler
//!
//! With hyper 1 (any framework that hands out the raw body works the same way):
//!
//! ```
//! use std::convert::Infallible;
//!
//! use alipay_runtime::notify::{self, ACK};
//! use alipay_runtime::PublicKey;
//! use http_body_util::{BodyExt as _, Full, Limited};
//! use hyper::body::{Bytes, Incoming};
//! use hyper::{Request, Response, StatusCode};
//!
//! /// POST /alipay/notify: verify, act once per notification, then acknowledge.
//! async fn notify_url(
//!     request: Request<Incoming>,
//!     alipay_key: &PublicKey,
//! ) -> Result<Response<Full<Bytes>>, Infallible> {
//!     let answer = |status: StatusCode, body: &'static str| {
//!         let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
//!         *response.status_mut() = status;
//!         Ok(response)
//!     };
//!     // The raw body, exactly as it arrived (verification decodes it once, in its charset),
//!     // read no further than the largest notification verified: the URL is public.
//!     let body = Limited::new(request.into_body(), notify::MAX_NOTIFY_BYTES);
//!     let Ok(body) = body.collect().await.map(|b| b.to_bytes()) else {
//!         return answer(StatusCode::PAYLOAD_TOO_LARGE, "fail");
//!     };
//!     let verified = match notify::verify_notify(&body, alipay_key) {
//!         Ok(verified) => verified,
//!         // Not from Alipay, or changed on the way: trust nothing in it.
//!         Err(_) => return answer(StatusCode::BAD_REQUEST, "fail"),
//!     };
//!     // Alipay delivers a notification until it is acknowledged, so the same one may arrive
//!     // twice: record it by its notify_id (and check out_trade_no and total_amount against
//!     // the order) before acting on it.
//!     let _order = verified.get("out_trade_no");
//!     let _status = verified.get("trade_status");
//!     answer(StatusCode::OK, ACK)
//! }
//! ```
//!
//! A method whose spec lists its notification fields has a typed `Notification`
//! (`alipay_openapi::trade::wap_pay::Notification`), decoded from the verified parameters
//! with `verified.decode::<Notification>()`.

mod typed;

pub use typed::{DecodeError, Fields, FromField, Notification};

use crate::charset::{Charset, CharsetError};
use crate::form;
use crate::keys::PublicKey;
use crate::protocol::param;
use crate::sign::{SignType, UnsupportedSignType};
use crate::sign_content::join_pairs;

/// The answer Alipay expects once a notification is verified and handled: exactly these seven
/// characters, nothing around them (no newline, no HTML). Any other answer (`fail`, an error
/// page, a timeout) makes Alipay deliver the notification again later.
pub const ACK: &str = "success";

/// The longest notification body (or `return_url` query) verified: 64 KiB.
///
/// Alipay's notifications are a few KB (the official SDKs' four vectors are 1.7 to 3.7 KB;
/// the documented maximum lengths of a trade notification's fields add up to under 8 KB), so
/// this leaves a margin of more than ten times, while bounding what a stranger posting to the
/// public `notify_url` can make the verifier hold. Longer input is [`NotifyError::TooLarge`],
/// refused before it is parsed. For pairs already decoded ([`verify_notify_pairs`]), their
/// size is counted as `key=value&...` without percent-encoding.
pub const MAX_NOTIFY_BYTES: usize = 64 * 1024;

/// The most fields a notification (or return) may hold: 512. A trade notification has about
/// 40; the bound keeps the per-field cost of parsing (each a pair of strings) from turning a
/// body within [`MAX_NOTIFY_BYTES`] into many times its size in memory. More is
/// [`NotifyError::TooManyFields`], counted before anything is decoded.
pub const MAX_NOTIFY_FIELDS: usize = 512;

/// A notification (or return) failed verification. Nothing from it may be trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotifyError {
    /// A field name or value is not valid in the notification's charset.
    #[error("malformed notification: {0}")]
    Charset(#[from] CharsetError),
    /// The same field arrives twice.
    #[error("malformed notification: field {0:?} appears more than once")]
    DuplicateField(String),
    /// There is no `sign` field.
    #[error("the notification is not signed (no \"sign\" field)")]
    SignatureMissing,
    /// The `sign` field is empty.
    #[error("the notification signature is empty")]
    SignatureEmpty,
    /// There is no `sign_type` field.
    #[error("the notification has no \"sign_type\" field")]
    SignTypeMissing,
    /// `sign_type` is neither `RSA2` nor `RSA`.
    #[error(transparent)]
    UnsupportedSignType(#[from] UnsupportedSignType),
    /// The signature does not verify, over the fields without `sign_type` nor with it.
    #[error("the notification signature does not verify against the Alipay public key")]
    SignatureInvalid,
    /// The body (or query, or decoded pairs) is longer than [`MAX_NOTIFY_BYTES`]; refused
    /// before it is parsed.
    #[error(
        "notification refused: {len} bytes, over the limit of {limit} bytes (MAX_NOTIFY_BYTES); \
         Alipay's notifications are a few KB"
    )]
    TooLarge {
        /// The length received, in bytes.
        len: usize,
        /// [`MAX_NOTIFY_BYTES`].
        limit: usize,
    },
    /// The notification holds more than [`MAX_NOTIFY_FIELDS`] fields; refused before any is
    /// decoded.
    #[error(
        "notification refused: more than {limit} fields (MAX_NOTIFY_FIELDS); \
         Alipay's notifications have a few dozen"
    )]
    TooManyFields {
        /// [`MAX_NOTIFY_FIELDS`].
        limit: usize,
    },
}

/// Which of the two signed forms of the same parameters a signature covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignedContent {
    /// Every field except `sign` and `sign_type` (trade notifications and returns; Java's
    /// `rsaCheckV1`). Tried first.
    WithoutSignType,
    /// Every field except `sign`, `sign_type` included (some other notifications; Java's
    /// `rsaCheckV2`). Tried when the first form does not verify.
    WithSignType,
}

/// The parameters of a notification whose signature verified.
///
/// `Debug` shows the field names, not their values: a notification carries the payer's and
/// the order's data, and some carry secrets (the `app_auth_token` of an authorisation).
#[derive(Clone, PartialEq, Eq)]
pub struct VerifiedNotify {
    pairs: Vec<(String, String)>,
    sign_type: SignType,
    charset: Charset,
    signed: SignedContent,
}

impl VerifiedNotify {
    /// The value of a field (`sign` excluded).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// All fields in the order received, `sign` excluded (`sign_type` and `charset` kept).
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The fields, `sign` excluded.
    pub fn into_pairs(self) -> Vec<(String, String)> {
        self.pairs
    }

    /// The algorithm the notification was signed with.
    pub fn sign_type(&self) -> SignType {
        self.sign_type
    }

    /// The notification's charset.
    pub fn charset(&self) -> Charset {
        self.charset
    }

    /// Which form of the parameters the signature covered.
    pub fn signed_content(&self) -> SignedContent {
        self.signed
    }

    /// Decodes the verified parameters into a method's typed notification (a generated
    /// `Notification`, such as `alipay_openapi::trade::wap_pay::Notification`). This is the
    /// only way to one: a typed notification never comes from an unverified body.
    pub fn decode<N: Notification>(&self) -> Result<N, DecodeError> {
        N::from_verified(self)
    }

    /// The answer to give Alipay once the notification is handled: [`ACK`].
    pub fn ack(&self) -> &'static str {
        ACK
    }
}

impl std::fmt::Debug for VerifiedNotify {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.pairs.iter().map(|(k, _)| k.as_str()).collect();
        f.debug_struct("VerifiedNotify")
            .field("fields", &names)
            .field("sign_type", &self.sign_type)
            .field("charset", &self.charset)
            .field("signed", &self.signed)
            .finish()
    }
}

/// The parameters of a `return_url` redirect whose signature verified: what the browser
/// brought back from the cashier. A return is a convenience for the page the buyer sees; the
/// payment is settled by the notification (or `alipay.trade.query`), which Alipay always sends.
///
/// `Debug` shows the parameter names, not their values (as [`VerifiedNotify`]'s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedReturn(VerifiedNotify);

impl VerifiedReturn {
    /// The value of a parameter (`sign` excluded).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name)
    }

    /// All parameters in the order received, `sign` excluded.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter()
    }

    /// The parameters, `sign` excluded.
    pub fn into_pairs(self) -> Vec<(String, String)> {
        self.0.into_pairs()
    }

    /// The algorithm the return was signed with.
    pub fn sign_type(&self) -> SignType {
        self.0.sign_type()
    }

    /// The return's charset.
    pub fn charset(&self) -> Charset {
        self.0.charset()
    }

    /// Which form of the parameters the signature covered.
    pub fn signed_content(&self) -> SignedContent {
        self.0.signed_content()
    }
}

/// Verifies the raw `application/x-www-form-urlencoded` body of a notification. A body longer
/// than [`MAX_NOTIFY_BYTES`] or with more than [`MAX_NOTIFY_FIELDS`] fields is refused before
/// it is parsed.
pub fn verify_notify(form_body: &[u8], key: &PublicKey) -> Result<VerifiedNotify, NotifyError> {
    check_form_size(form_body)?;
    let pairs = decode_form(form_body)?;
    verify_pairs_in(pairs.0, Some(pairs.1), key)
}

/// Verifies the query of the `return_url` redirect: the part of the URL after `?` (a leading
/// `?` is allowed), as the browser requested it, not yet decoded. The same rules as for a
/// notification: decoded once in its `charset` parameter, `sign` and `sign_type` left out of
/// the content (then, failing that, `sign_type` included), every other parameter signed, and
/// the same bounds ([`MAX_NOTIFY_BYTES`], [`MAX_NOTIFY_FIELDS`]).
pub fn verify_return(query: &str, key: &PublicKey) -> Result<VerifiedReturn, NotifyError> {
    let query = query.strip_prefix('?').unwrap_or(query);
    check_form_size(query.as_bytes())?;
    let pairs = decode_form(query.as_bytes())?;
    verify_pairs_in(pairs.0, Some(pairs.1), key).map(VerifiedReturn)
}

/// Verifies a notification whose form body has already been decoded once into pairs (for
/// example by a web framework). Values must not have been decoded a second time. More than
/// [`MAX_NOTIFY_FIELDS`] pairs, or pairs longer together than [`MAX_NOTIFY_BYTES`] (counted
/// as `key=value&...`), are refused before anything is copied.
pub fn verify_notify_pairs(
    pairs: &[(String, String)],
    key: &PublicKey,
) -> Result<VerifiedNotify, NotifyError> {
    check_pairs_size(pairs)?;
    verify_pairs_in(pairs.to_vec(), None, key)
}

/// Verifies the parameters of a `return_url` redirect already decoded once into pairs, with
/// the bounds of [`verify_notify_pairs`].
pub fn verify_return_pairs(
    pairs: &[(String, String)],
    key: &PublicKey,
) -> Result<VerifiedReturn, NotifyError> {
    check_pairs_size(pairs)?;
    verify_pairs_in(pairs.to_vec(), None, key).map(VerifiedReturn)
}

/// Refuses a form body (or query) over [`MAX_NOTIFY_BYTES`] or with more than
/// [`MAX_NOTIFY_FIELDS`] non-empty `&`-separated parts (the fields [`form::decode`] would
/// make), without allocating: the checks the client runs once before trying its keys.
pub(crate) fn check_form_size(form: &[u8]) -> Result<(), NotifyError> {
    if form.len() > MAX_NOTIFY_BYTES {
        return Err(NotifyError::TooLarge {
            len: form.len(),
            limit: MAX_NOTIFY_BYTES,
        });
    }
    let fields = form
        .split(|&b| b == b'&')
        .filter(|part| !part.is_empty())
        .count();
    if fields > MAX_NOTIFY_FIELDS {
        return Err(NotifyError::TooManyFields {
            limit: MAX_NOTIFY_FIELDS,
        });
    }
    Ok(())
}

/// [`check_form_size`] for pairs already decoded: their count, and their length as
/// `key=value&...`.
fn check_pairs_size(pairs: &[(String, String)]) -> Result<(), NotifyError> {
    if pairs.len() > MAX_NOTIFY_FIELDS {
        return Err(NotifyError::TooManyFields {
            limit: MAX_NOTIFY_FIELDS,
        });
    }
    let len = pairs
        .iter()
        .fold(0usize, |n, (k, v)| n.saturating_add(k.len() + v.len() + 2))
        .saturating_sub(1);
    if len > MAX_NOTIFY_BYTES {
        return Err(NotifyError::TooLarge {
            len,
            limit: MAX_NOTIFY_BYTES,
        });
    }
    Ok(())
}

/// Percent-decodes a form once, then decodes names and values in the form's own `charset`.
fn decode_form(body: &[u8]) -> Result<(Vec<(String, String)>, Charset), NotifyError> {
    let raw = form::decode(body);
    // The charset field names how the other fields are encoded; its own value is ASCII.
    let charset = match raw
        .iter()
        .find(|(k, _)| k.as_ref() == param::CHARSET.as_bytes())
    {
        Some((_, v)) => Charset::from_str_bytes(v)?,
        None => Charset::Utf8,
    };
    let mut pairs = Vec::with_capacity(raw.len());
    for (k, v) in &raw {
        pairs.push((
            charset.decode(k)?.into_owned(),
            charset.decode(v)?.into_owned(),
        ));
    }
    Ok((pairs, charset))
}

fn verify_pairs_in(
    pairs: Vec<(String, String)>,
    charset: Option<Charset>,
    key: &PublicKey,
) -> Result<VerifiedNotify, NotifyError> {
    let mut names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    names.sort_unstable();
    if let Some(w) = names.windows(2).find(|w| w[0] == w[1]) {
        return Err(NotifyError::DuplicateField(w[0].to_owned()));
    }
    let find = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let charset = match charset {
        Some(c) => c,
        None => match find(param::CHARSET) {
            Some(c) => c.parse()?,
            None => Charset::Utf8,
        },
    };
    let sign = match find(param::SIGN) {
        None => return Err(NotifyError::SignatureMissing),
        Some("") => return Err(NotifyError::SignatureEmpty),
        Some(s) => s,
    };
    let sign_type: SignType = find(param::SIGN_TYPE)
        .ok_or(NotifyError::SignTypeMissing)?
        .parse()?;

    let fields = || pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()));
    let verifies = |content: String| -> Result<bool, NotifyError> {
        let bytes = charset.encode(&content)?;
        Ok(key.verify(sign_type, &bytes, sign).is_ok())
    };
    // Both forms hold every value received (the second adds sign_type itself), so whichever
    // verifies, no value can have been changed.
    let signed = if verifies(notify_sign_content(fields()))? {
        SignedContent::WithoutSignType
    } else if verifies(notify_sign_content_with_sign_type(fields()))? {
        SignedContent::WithSignType
    } else {
        return Err(NotifyError::SignatureInvalid);
    };

    let pairs = pairs
        .into_iter()
        .filter(|(k, _)| k != param::SIGN)
        .collect();
    Ok(VerifiedNotify {
        pairs,
        sign_type,
        charset,
        signed,
    })
}

/// The content a notification signature covers: every field except `sign` and `sign_type`,
/// sorted by key in byte order, `key=value` joined with `&`, decoded values as they are (empty
/// ones included).
pub fn notify_sign_content<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    sorted_content(pairs, |k| k != param::SIGN && k != param::SIGN_TYPE)
}

/// The other form some notifications are signed over ([`SignedContent::WithSignType`]): every
/// field except `sign`, `sign_type` included, sorted and joined as [`notify_sign_content`].
pub fn notify_sign_content_with_sign_type<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> String {
    sorted_content(pairs, |k| k != param::SIGN)
}

fn sorted_content<'a>(
    pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
    signed: impl Fn(&str) -> bool,
) -> String {
    let mut pairs: Vec<(&str, &str)> = pairs.into_iter().filter(|(k, _)| signed(k)).collect();
    pairs.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    join_pairs(&pairs)
}

impl Charset {
    fn from_str_bytes(bytes: &[u8]) -> Result<Charset, CharsetError> {
        match std::str::from_utf8(bytes) {
            Ok(s) => s.parse(),
            Err(_) => Err(CharsetError::Unsupported {
                name: String::from_utf8_lossy(bytes).chars().take(40).collect(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_content_skips_sign_and_sign_type_but_keeps_empty_values() {
        let fields = [("b", ""), ("sign", "x"), ("sign_type", "RSA2"), ("a", "1")];
        assert_eq!(notify_sign_content(fields), "a=1&b=");
        assert_eq!(
            notify_sign_content_with_sign_type(fields),
            "a=1&b=&sign_type=RSA2"
        );
    }
}
