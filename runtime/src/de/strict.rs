//! JSON read into a `serde_json::Value` that refuses a key given twice in any object.
//!
//! serde_json's own `Value` keeps the last of a duplicated key, so text such as
//! `{"total_amount":"100000.00","total_amount":"0.01"}` would be read as 0.01 by one
//! reader and 100000.00 by another. The local gateway reads `biz_content` and control
//! bodies this way, the CLI the answers it prints, and the client the untyped v3 answer.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// Parses `text` as one JSON value (nothing after it but white space), refusing a key
/// that appears twice in any object, at any depth. Numbers are read as serde_json reads
/// them. The error names the key (`the key `a` is sent more than once`) and where it is.
pub fn json_without_duplicates(text: &[u8]) -> Result<Value, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(text);
    let value = Strict.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// The numbers of `json` (valid JSON text) as written, in order: each run of digits, signs,
/// points and exponents outside strings (valid JSON has `-` or a digit outside strings only
/// in numbers). The gateway refuses those written with an exponent; the CLI those it cannot
/// send as written.
pub fn json_numbers(json: &str) -> impl Iterator<Item = &str> {
    let bytes = json.as_bytes();
    let (mut i, mut in_string, mut escaped) = (0, false, false);
    std::iter::from_fn(move || {
        while i < bytes.len() {
            let b = bytes[i];
            i += 1;
            if in_string {
                match b {
                    _ if escaped => escaped = false,
                    b'\\' => escaped = true,
                    b'"' => in_string = false,
                    _ => {}
                }
            } else if b == b'"' {
                in_string = true;
            } else if b == b'-' || b.is_ascii_digit() {
                let start = i - 1;
                while bytes
                    .get(i)
                    .is_some_and(|c| c.is_ascii_digit() || b"+-.eE".contains(c))
                {
                    i += 1;
                }
                return json.get(start..i);
            }
        }
        None
    })
}

/// Builds a `Value`, refusing a key sent twice in one object.
struct Strict;

impl<'de> DeserializeSeed<'de> for Strict {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("JSON")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        serde_json::Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("a number out of range"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(Strict)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "the key `{key}` is sent more than once"
                )));
            }
            let value = map.next_value_seed(Strict)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_twice_at_any_depth_is_refused_and_the_rest_reads_as_serde_json_does() {
        let ok = r#"{"total_amount":"100.00","n":3,"x":1.5,"t":true,"s":"a\"b","l":[{"a":1},{"a":2}],"o":{"a":null}}"#;
        assert_eq!(
            json_without_duplicates(ok.as_bytes()).expect("valid"),
            serde_json::from_str::<Value>(ok).expect("valid")
        );
        for (text, key) in [
            (
                r#"{"total_amount":"100000.00","total_amount":"0.01"}"#,
                "total_amount",
            ),
            (r#"{"goods":[{"price":"1","price":"2"}]}"#, "price"),
            (r#"{"o":{"p":{"q":1,"q":1}}}"#, "q"),
        ] {
            let e = json_without_duplicates(text.as_bytes()).expect_err(text);
            let words = format!("the key `{key}` is sent more than once");
            assert!(e.to_string().starts_with(&words), "{text}: {e}");
        }
        assert!(json_without_duplicates(b"{\"a\":1} x").is_err());
    }

    #[test]
    fn the_numbers_of_a_json_text_are_those_outside_strings_as_written() {
        let json = r#"{"s":"1e2 \"-3","n":-1.50,"e":2E-3,"l":[0,true,null,false,12345678901234567890123],"k1":"x"}"#;
        let numbers: Vec<&str> = json_numbers(json).collect();
        assert_eq!(numbers, ["-1.50", "2E-3", "0", "12345678901234567890123"]);
        assert_eq!(json_numbers(r#"{"a":"b"}"#).count(), 0);
        assert!(json_without_duplicates(b"").is_err());
    }
}
