//! Support for generated code; not covered by semver.
//!
//! Reading answers: lenient deserializers for response fields (Alipay sometimes sends
//! numbers and booleans as strings), and [`Fields`], through which generated response
//! structs read a JSON object field by field.
//!
//! Generated structs that have required fields derive `Deserialize` and name the lenient
//! functions in `#[serde(deserialize_with = ..)]`. Response structs whose fields are all
//! optional (every struct of the SDK-model catalog) implement [`Fields`] instead: a `match`
//! from a wire name to a field, and one `read` per field. The loop over the object, the
//! skipping of unknown keys and the refusal of duplicates are written once, here, rather
//! than expanded by `serde_derive` into every one of the catalog's thousands of structs.
//!
//! Reading untyped JSON: [`json_without_duplicates`], for the local gateway, the CLI and the
//! client's untyped v3 answer.

mod strict;

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, Error, IgnoredAny, MapAccess, Visitor};

pub use strict::{json_numbers, json_without_duplicates};

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

/// A value read leniently: `Lenient<i64>`, `Lenient<Option<i64>>`, `Lenient<bool>` and
/// `Lenient<Option<bool>>` deserialize as [`i64_lenient`], [`option_i64_lenient`],
/// [`bool_lenient`] and [`option_bool_lenient`] do. Generated [`Fields::read`] impls use it
/// through [`lenient`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lenient<T>(pub T);

macro_rules! lenient_impl {
    ($($ty:ty => $read:ident),* $(,)?) => {$(
        impl<'de> Deserialize<'de> for Lenient<$ty> {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $read(d).map(Lenient)
            }
        }
    )*};
}

lenient_impl! {
    i64 => i64_lenient,
    Option<i64> => option_i64_lenient,
    bool => bool_lenient,
    Option<bool> => option_bool_lenient,
}

/// A struct read from a JSON object field by field, implemented by generated response
/// structs whose fields are all optional. Their `Deserialize` impl is [`fields`].
///
/// The object's keys are matched with [`Fields::index`]; a key it does not know is skipped
/// (Alipay adds response fields without notice), a key given twice is refused, as
/// `serde_derive` would.
pub trait Fields: Default {
    /// The struct's name, for "expected struct X" errors.
    const NAME: &'static str;
    /// The wire names of the fields, in declaration order; [`Fields::index`] indexes it.
    const FIELDS: &'static [&'static str];
    /// The index in [`Fields::FIELDS`] of the field sent as `key`, if the struct has one.
    fn index(key: &str) -> Option<usize>;
    /// Reads the value of the field at `index` from `map` (whose key was just read) into
    /// `self`.
    fn read<'de, A: MapAccess<'de>>(&mut self, index: usize, map: &mut A) -> Result<(), A::Error>;
}

/// Deserializes a [`Fields`] struct from a map (a JSON object).
pub fn fields<'de, D: Deserializer<'de>, T: Fields>(d: D) -> Result<T, D::Error> {
    d.deserialize_struct(T::NAME, T::FIELDS, FieldsVisitor(PhantomData))
}

/// Reads the next value of `map` leniently (see [`Lenient`]).
pub fn lenient<'de, A: MapAccess<'de>, T>(map: &mut A) -> Result<T, A::Error>
where
    Lenient<T>: Deserialize<'de>,
{
    map.next_value::<Lenient<T>>().map(|v| v.0)
}

/// Reads and discards the next value of `map`.
pub fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(drop)
}

struct FieldsVisitor<T>(PhantomData<T>);

impl<'de, T: Fields> Visitor<'de> for FieldsVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut out = T::default();
        let mut seen = Seen::new(T::FIELDS.len());
        while let Some(key) = map.next_key_seed(KeySeed::<T>(PhantomData))? {
            match key {
                Some(index) => {
                    if seen.insert(index) {
                        return Err(A::Error::duplicate_field(T::FIELDS[index]));
                    }
                    out.read(index, &mut map)?;
                }
                None => skip(&mut map)?,
            }
        }
        Ok(out)
    }
}

/// The fields read so far: a bit per field, on the heap only past 64 fields.
enum Seen {
    Small(u64),
    Large(Vec<bool>),
}

impl Seen {
    fn new(len: usize) -> Self {
        if len <= 64 {
            Seen::Small(0)
        } else {
            Seen::Large(vec![false; len])
        }
    }

    /// Marks `index` as read; whether it had been already.
    fn insert(&mut self, index: usize) -> bool {
        match self {
            Seen::Small(bits) => {
                let bit = 1u64 << index;
                let had = *bits & bit != 0;
                *bits |= bit;
                had
            }
            Seen::Large(seen) => std::mem::replace(&mut seen[index], true),
        }
    }
}

/// A key of the object, as the index of the field it names (`None`: not a field).
struct KeySeed<T>(PhantomData<T>);

impl<'de, T: Fields> DeserializeSeed<'de> for KeySeed<T> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_identifier(self)
    }
}

impl<'de, T: Fields> Visitor<'de> for KeySeed<T> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: Error>(self, key: &str) -> Result<Option<usize>, E> {
        Ok(T::index(key))
    }

    fn visit_bytes<E: Error>(self, key: &[u8]) -> Result<Option<usize>, E> {
        Ok(std::str::from_utf8(key).ok().and_then(T::index))
    }
}

/// `value` (JSON text) as `T`, or what is wrong with it: where in it (a path such as
/// `[0].amount`, or the line and column of a syntax error), and never the value itself, which
/// serde_json's messages quote (`invalid type: string "…"`).
pub(crate) fn json_text<T: serde::de::DeserializeOwned>(value: &str) -> Result<T, String> {
    // Parsed once on the way that succeeds; the path is tracked only to explain a failure.
    serde_json::from_str(value).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => data_error::<T>(value),
        _ => syntax(&e),
    })
}

/// Where `value` does not fit `T`, found again with the path tracked.
fn data_error<T: serde::de::DeserializeOwned>(value: &str) -> String {
    let mut de = serde_json::Deserializer::from_str(value);
    let Err(e) = serde_path_to_error::deserialize::<_, T>(&mut de) else {
        return "not of the documented type or form".to_owned();
    };
    let path = e.path().to_string();
    let message = e.inner().to_string();
    // Messages about fields name the field, never a value.
    let named = ["missing field `", "duplicate field `", "unknown field `"]
        .iter()
        .find_map(|prefix| {
            let rest = message.strip_prefix(prefix)?;
            Some(format!("{prefix}{}`", rest.split('`').next()?))
        });
    match named {
        Some(named) if path == "." => named,
        Some(named) => format!("at `{path}`, {named}"),
        None => format!("the value at `{path}` is not of the documented type or form"),
    }
}

/// A JSON text that does not parse, by where (its content is not repeated).
fn syntax(e: &serde_json::Error) -> String {
    format!("not JSON (line {}, column {})", e.line(), e.column())
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

    /// What a generated `Fields` struct looks like (`FieldsDerived` is the same struct read
    /// by `serde_derive`).
    #[derive(Debug, Default, PartialEq)]
    struct Item {
        name: Option<String>,
        count: Option<i64>,
        flag: Option<bool>,
        items: Option<Vec<Item>>,
    }

    impl<'de> Deserialize<'de> for Item {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            fields(d)
        }
    }

    impl Fields for Item {
        const NAME: &'static str = "Item";
        const FIELDS: &'static [&'static str] = &["name", "count", "flag", "items"];
        fn index(key: &str) -> Option<usize> {
            match key {
                "name" => Some(0),
                "count" => Some(1),
                "flag" => Some(2),
                "items" => Some(3),
                _ => None,
            }
        }
        fn read<'de, A: MapAccess<'de>>(
            &mut self,
            index: usize,
            map: &mut A,
        ) -> Result<(), A::Error> {
            match index {
                0 => self.name = map.next_value()?,
                1 => self.count = lenient(map)?,
                2 => self.flag = lenient(map)?,
                _ => self.items = map.next_value()?,
            }
            Ok(())
        }
    }

    #[derive(Debug, Default, PartialEq, Deserialize)]
    #[serde(default)]
    struct FieldsDerived {
        name: Option<String>,
        #[serde(deserialize_with = "option_i64_lenient")]
        count: Option<i64>,
        #[serde(deserialize_with = "option_bool_lenient")]
        flag: Option<bool>,
        items: Option<Vec<FieldsDerived>>,
    }

    fn same(json: &str) {
        let ours = serde_json::from_str::<Item>(json).map_err(|e| e.to_string());
        let derived = serde_json::from_str::<FieldsDerived>(json).map_err(|e| e.to_string());
        match (&ours, &derived) {
            (Ok(a), Ok(b)) => {
                assert_eq!(
                    (&a.name, a.count, a.flag, a.items.as_ref().map(Vec::len)),
                    (&b.name, b.count, b.flag, b.items.as_ref().map(Vec::len)),
                    "{json}"
                );
            }
            (Err(a), Err(b)) => assert_eq!(*a, b.replace("FieldsDerived", "Item"), "{json}"),
            _ => panic!("{json}: ours {ours:?}, derive {derived:?}"),
        }
    }

    #[test]
    fn fields_read_as_serde_derive_does() {
        for json in [
            r#"{}"#,
            r#"{"name":"a","count":"42","flag":"Y"}"#,
            r#"{"name":null,"count":null,"flag":null,"items":null}"#,
            r#"{"count":7,"flag":true,"unknown":{"deep":[1,2,{"x":null}]},"name":"z"}"#,
            r#"{"items":[{"name":"x"},{"count":"3","items":[]}]}"#,
            r#"{"count":""}"#,
            r#"{"name":"a","name":"b"}"#,
            r#"{"count":"x"}"#,
            r#"{"name":5}"#,
            r#""text""#,
            r#"{"name":"a""#,
        ] {
            same(json);
        }
        let item: Item = serde_json::from_str(r#"{"items":[{"name":"x","count":"3"}]}"#).unwrap();
        let inner = &item.items.unwrap()[0];
        assert_eq!((inner.name.as_deref(), inner.count), (Some("x"), Some(3)));
    }

    #[test]
    fn refusals_name_the_struct_and_the_field() {
        let e = serde_json::from_str::<Item>(r#"{"name":"a","name":"b"}"#).unwrap_err();
        assert!(e.to_string().starts_with("duplicate field `name`"), "{e}");
        // An array is refused, where `serde_derive` reads one positionally: an answer's
        // fields come as an object, and position says nothing about which field is which.
        for json in ["[]", r#"["a",1]"#] {
            let e = serde_json::from_str::<Item>(json).unwrap_err();
            assert!(e.to_string().contains("expected struct Item"), "{e}");
        }
        // Past 64 fields the seen set lives on the heap: the same answers.
        let mut seen = Seen::new(70);
        assert!(!seen.insert(69) && seen.insert(69) && !seen.insert(0));
        let mut seen = Seen::new(3);
        assert!(!seen.insert(2) && seen.insert(2) && !seen.insert(0));
    }

    #[test]
    fn a_failing_field_is_named_by_its_path() {
        let json = r#"{"items":[{"name":"x"},{"name":7}]}"#;
        let d = &mut serde_json::Deserializer::from_str(json);
        let e = serde_path_to_error::deserialize::<_, Item>(d).unwrap_err();
        assert_eq!(e.path().to_string(), "items[1].name");
    }
}
