//! Typed notifications: a method's notification fields (its spec's `notification` key) as a
//! generated `Notification` struct, decoded from a [`VerifiedNotify`] only.
//!
//! Generated code implements [`Notification`] by taking each documented field out of the
//! verified parameters with [`Fields`]; whatever the spec does not list is kept, as received,
//! in the struct's list of other fields. There is no other way to build one: a typed
//! notification has no `Deserialize` and no public constructor, so it cannot come from an
//! unverified body.

use std::fmt;

use serde::de::DeserializeOwned;

use super::VerifiedNotify;
use crate::price::Price;

/// A method's typed asynchronous notification (generated from its spec's `notification` key).
pub trait Notification: Sized {
    /// The method whose notification this is (`alipay.trade.page.pay`).
    const METHOD: &'static str;

    /// Decodes the verified parameters. Prefer [`VerifiedNotify::decode`].
    fn from_verified(verified: &VerifiedNotify) -> Result<Self, DecodeError>;
}

/// A verified notification does not fit its method's typed notification. The notification
/// itself is authentic (its parameters stay readable through [`VerifiedNotify`]); it is of
/// another shape than the spec documents.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// A field the spec marks required is absent.
    #[error("the notification has no {field:?} field, which the spec of {method} requires")]
    Missing {
        /// The method.
        method: &'static str,
        /// The field's wire name.
        field: &'static str,
    },
    /// A field's value is not of the documented type.
    #[error("field {field:?} of the {method} notification: {reason}")]
    Invalid {
        /// The method.
        method: &'static str,
        /// The field's wire name.
        field: &'static str,
        /// What is wrong (the value is not repeated: it may be long).
        reason: String,
    },
}

/// A value type a notification field can have: text, a whole number, a boolean or a
/// [`Price`]. (Enums of listed values decode from their text; models and lists from JSON
/// text, see [`Fields::optional_json`].)
///
/// Support for generated code; not covered by semver.
#[doc(hidden)]
pub trait FromField: Sized {
    /// Parses a received value; `Ok(None)` where an empty value means the field is absent
    /// (every type but text, which keeps an empty value as received).
    fn from_field(value: &str) -> Result<Option<Self>, String>;
}

impl FromField for String {
    fn from_field(value: &str) -> Result<Option<Self>, String> {
        Ok(Some(value.to_owned()))
    }
}

impl FromField for i64 {
    fn from_field(value: &str) -> Result<Option<Self>, String> {
        parsed(value, "not a whole number")
    }
}

impl FromField for bool {
    fn from_field(value: &str) -> Result<Option<Self>, String> {
        match value {
            "" => Ok(None),
            "true" => Ok(Some(true)),
            "false" => Ok(Some(false)),
            _ => Err("not `true` or `false`".to_owned()),
        }
    }
}

impl FromField for Price {
    fn from_field(value: &str) -> Result<Option<Self>, String> {
        parsed(value, "not a decimal amount such as \"0.01\"")
    }
}

/// `value` parsed, `None` when empty; `what_else` says what it is when it does not parse.
fn parsed<T: std::str::FromStr>(value: &str, what_else: &str) -> Result<Option<T>, String> {
    if value.is_empty() {
        return Ok(None);
    }
    value.parse().map(Some).map_err(|_| what_else.to_owned())
}

/// The fields of one verified notification, taken one by one by a generated
/// [`Notification`] impl; [`Fields::rest`] hands out those not taken.
///
/// Support for generated code; not covered by semver.
#[doc(hidden)]
pub struct Fields<'a> {
    method: &'static str,
    verified: &'a VerifiedNotify,
    taken: Vec<bool>,
}

impl fmt::Debug for Fields<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Fields")
            .field("method", &self.method)
            .finish_non_exhaustive()
    }
}

impl<'a> Fields<'a> {
    /// The fields of `verified`, for `method`'s notification.
    pub fn new(method: &'static str, verified: &'a VerifiedNotify) -> Self {
        Fields {
            method,
            verified,
            taken: vec![false; verified.pairs.len()],
        }
    }

    fn take(&mut self, name: &str) -> Option<&'a str> {
        let at = self.verified.pairs.iter().position(|(k, _)| k == name)?;
        self.taken[at] = true;
        Some(self.verified.pairs[at].1.as_str())
    }

    fn invalid(&self, field: &'static str, reason: String) -> DecodeError {
        DecodeError::Invalid {
            method: self.method,
            field,
            reason,
        }
    }

    fn missing(&self, field: &'static str) -> DecodeError {
        DecodeError::Missing {
            method: self.method,
            field,
        }
    }

    /// An optional field: `None` when absent (or empty, for every type but text).
    pub fn optional<T: FromField>(
        &mut self,
        field: &'static str,
    ) -> Result<Option<T>, DecodeError> {
        match self.take(field) {
            None => Ok(None),
            Some(value) => T::from_field(value).map_err(|reason| self.invalid(field, reason)),
        }
    }

    /// A required field: absent (or empty, for every type but text) is an error naming it.
    pub fn required<T: FromField>(&mut self, field: &'static str) -> Result<T, DecodeError> {
        self.optional(field)?.ok_or_else(|| self.missing(field))
    }

    /// An optional field holding JSON text (a model or a list): `None` when absent or empty.
    pub fn optional_json<T: DeserializeOwned>(
        &mut self,
        field: &'static str,
    ) -> Result<Option<T>, DecodeError> {
        match self.take(field) {
            None | Some("") => Ok(None),
            Some(value) => crate::de::json_text(value).map(Some).map_err(|reason| {
                self.invalid(field, format!("not the documented JSON: {reason}"))
            }),
        }
    }

    /// A required field holding JSON text.
    pub fn required_json<T: DeserializeOwned>(
        &mut self,
        field: &'static str,
    ) -> Result<T, DecodeError> {
        self.optional_json(field)?
            .ok_or_else(|| self.missing(field))
    }

    /// The fields not taken, in the order received (`sign` is never among them).
    pub fn rest(self) -> Vec<(String, String)> {
        self.verified
            .pairs
            .iter()
            .zip(self.taken)
            .filter(|(_, taken)| !taken)
            .map(|(pair, _)| pair.clone())
            .collect()
    }
}
