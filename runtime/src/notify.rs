//! Verification of asynchronous notifications (the form POSTed to `notify_url`).
//!
//! As `shared/vectors/README.md` (`verify_notify.json`) describes: form-decode the body once,
//! take every field except `sign` and `sign_type`, sort by key, join `key=value` with `&` using
//! the decoded values (empty values included: they were received), encode in the notification's
//! own `charset` (default utf-8) and verify `sign` with the algorithm `sign_type` names. Values
//! are never decoded a second time. The parameters become readable only through the
//! [`VerifiedNotify`] that a successful verification returns.

use crate::charset::{Charset, CharsetError};
use crate::form;
use crate::keys::PublicKey;
use crate::protocol::param;
use crate::sign::{SignType, UnsupportedSignType};
use crate::sign_content::join_pairs;

/// A notification failed verification. Nothing from it may be trusted.
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
    /// The signature does not verify.
    #[error("the notification signature does not verify against the Alipay public key")]
    SignatureInvalid,
}

/// The parameters of a notification whose signature verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedNotify {
    pairs: Vec<(String, String)>,
    sign_type: SignType,
    charset: Charset,
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
}

/// Verifies the raw `application/x-www-form-urlencoded` body of a notification.
pub fn verify_notify(form_body: &[u8], key: &PublicKey) -> Result<VerifiedNotify, NotifyError> {
    let raw = form::decode(form_body);
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
    verify_pairs_in(pairs, Some(charset), key)
}

/// Verifies a notification whose form body has already been decoded once into pairs (for
/// example by a web framework). Values must not have been decoded a second time.
pub fn verify_notify_pairs(
    pairs: &[(String, String)],
    key: &PublicKey,
) -> Result<VerifiedNotify, NotifyError> {
    verify_pairs_in(pairs.to_vec(), None, key)
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

    let content = notify_sign_content(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let bytes = charset.encode(&content)?;
    key.verify(sign_type, &bytes, sign)
        .map_err(|_| NotifyError::SignatureInvalid)?;

    let pairs = pairs
        .into_iter()
        .filter(|(k, _)| k != param::SIGN)
        .collect();
    Ok(VerifiedNotify {
        pairs,
        sign_type,
        charset,
    })
}

/// The content a notification signature covers: every field except `sign` and `sign_type`,
/// sorted by key in byte order, `key=value` joined with `&`, decoded values as they are (empty
/// ones included).
pub fn notify_sign_content<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut pairs: Vec<(&str, &str)> = pairs
        .into_iter()
        .filter(|(k, _)| *k != param::SIGN && *k != param::SIGN_TYPE)
        .collect();
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
        let c = notify_sign_content([("b", ""), ("sign", "x"), ("sign_type", "RSA2"), ("a", "1")]);
        assert_eq!(c, "a=1&b=");
    }
}
