//! Lenient deserializers for response fields: Alipay sometimes sends numbers and booleans
//! as strings. Generated code uses these through `#[serde(deserialize_with = ..)]`.

use serde::Deserialize;
use serde::de::{Deserializer, Error};

#[derive(Deserialize)]
#[serde(untagged)]
enum NumOrText {
    Int(i64),
    Float(f64),
    Text(String),
}

fn to_i64<E: Error>(v: NumOrText) -> Result<i64, E> {
    match v {
        NumOrText::Int(n) => Ok(n),
        NumOrText::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
        NumOrText::Float(f) => Err(E::custom(format!("{f} is not an integer"))),
        NumOrText::Text(s) => s
            .trim()
            .parse()
            .map_err(|_| E::custom(format!("{s:?} is not an integer"))),
    }
}

/// A string; generated open enums deserialise through it (`.map(Self::from)`).
pub fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    String::deserialize(d)
}

/// An integer sent as a JSON number or as a string.
pub fn i64_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    to_i64(NumOrText::deserialize(d)?)
}

/// An optional integer sent as a JSON number, a string, an empty string or null.
pub fn option_i64_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Option::<NumOrText>::deserialize(d)? {
        None => Ok(None),
        Some(NumOrText::Text(s)) if s.trim().is_empty() => Ok(None),
        Some(v) => to_i64(v).map(Some),
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum BoolOrText {
    Bool(bool),
    Text(String),
}

fn to_bool<E: Error>(v: BoolOrText) -> Result<bool, E> {
    match v {
        BoolOrText::Bool(b) => Ok(b),
        BoolOrText::Text(s) => match s.trim() {
            "true" | "TRUE" | "True" | "T" | "Y" | "1" => Ok(true),
            "false" | "FALSE" | "False" | "F" | "N" | "0" => Ok(false),
            _ => Err(E::custom(format!("{s:?} is not a boolean"))),
        },
    }
}

/// A boolean sent as a JSON boolean or as a string (`"true"`, `"Y"`, ...).
pub fn bool_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    to_bool(BoolOrText::deserialize(d)?)
}

/// An optional boolean sent as a JSON boolean, a string, an empty string or null.
pub fn option_bool_lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    match Option::<BoolOrText>::deserialize(d)? {
        None => Ok(None),
        Some(BoolOrText::Text(s)) if s.trim().is_empty() => Ok(None),
        Some(v) => to_bool(v).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct T {
        #[serde(default, deserialize_with = "option_i64_lenient")]
        n: Option<i64>,
        #[serde(default, deserialize_with = "option_bool_lenient")]
        b: Option<bool>,
        #[serde(deserialize_with = "i64_lenient")]
        m: i64,
    }

    #[test]
    fn accepts_numbers_as_strings() {
        let t: T = serde_json::from_str(r#"{"n":"42","b":"true","m":7}"#).unwrap();
        assert_eq!((t.n, t.b, t.m), (Some(42), Some(true), 7));
        let t: T = serde_json::from_str(r#"{"n":"","m":"8"}"#).unwrap();
        assert_eq!((t.n, t.b, t.m), (None, None, 8));
        assert!(serde_json::from_str::<T>(r#"{"m":"x"}"#).is_err());
    }
}
