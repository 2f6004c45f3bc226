//! One parse of the response body: the top-level members, each with the raw text of its value.
//!
//! serde_json validates the whole body and, through `RawValue`, hands out each member's value
//! exactly as sent (from its first to its last character, escapes and whitespace kept). The
//! structure is found by its JSON grammar (strings and escapes skipped), never by searching the
//! text for `"sign"` or `}`.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

/// The top-level members in body order.
pub(crate) struct Members<'a>(pub(crate) Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'a> Members<'a> {
    /// Parses `text` as one JSON object.
    pub(crate) fn parse(text: &'a str) -> Result<Self, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(text);
        let members = de.deserialize_map(MembersVisitor)?;
        de.end()?;
        Ok(members)
    }

    /// The first key that appears more than once.
    pub(crate) fn duplicate_key(&self) -> Option<&str> {
        let mut keys: Vec<&str> = self.0.iter().map(|(k, _)| k.as_ref()).collect();
        keys.sort_unstable();
        keys.windows(2).find(|w| w[0] == w[1]).map(|w| w[0])
    }

    /// The value of the member named `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&'a RawValue> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }
}

struct MembersVisitor;

impl<'de> Visitor<'de> for MembersVisitor {
    type Value = Members<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Vec::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let value: &'de RawValue = map.next_value()?;
            members.push((key, value));
        }
        Ok(Members(members))
    }
}

/// A member name, borrowed unless it holds escapes.
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a member name")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_values_are_exact_and_escaped_keys_are_decoded() {
        let body = "{ \"a_response\" : {\"k\":\"},\\\"sign\\\":\\\"x\" , \"n\":[1,{}]}\r\n, \"si\\u0067n\":\"s\" }";
        let m = Members::parse(body).unwrap();
        assert_eq!(m.0.len(), 2);
        assert_eq!(
            m.get("a_response").unwrap().get(),
            "{\"k\":\"},\\\"sign\\\":\\\"x\" , \"n\":[1,{}]}"
        );
        assert_eq!(m.get("sign").unwrap().get(), "\"s\"");
        assert!(m.duplicate_key().is_none());
    }

    #[test]
    fn duplicates_and_non_objects_are_found() {
        let m = Members::parse(r#"{"a":1,"b":2,"a":3}"#).unwrap();
        assert_eq!(m.duplicate_key(), Some("a"));
        assert!(Members::parse("[1]").is_err());
        assert!(Members::parse(r#"{"a":1} x"#).is_err());
        assert!(Members::parse(r#"{"a":1"#).is_err());
    }
}
