//! Support for generated code; not covered by semver.
//!
//! The checks generated request types run in [`Check::check`], one call per documented rule.
//!
//! Every helper takes a field whatever its shape (one value, `Option`, `Vec` or
//! `Option<Vec>`, through [`Values`]), so generated code stays one line per rule:
//!
//! ```
//! use alipay_runtime::check::{self as v, Check};
//! use alipay_runtime::ValidationError;
//!
//! struct Goods { name: String, tags: Option<Vec<String>> }
//! impl v::Leaf for Goods {}
//! impl Check for Goods {
//!     fn check(&self, _strict: bool) -> Result<(), ValidationError> {
//!         v::non_empty("name", &self.name)?;
//!         v::max_length("tags", &self.tags, 4)?;
//!         Ok(())
//!     }
//! }
//!
//! let goods = vec![Goods { name: "pen".into(), tags: Some(vec!["red".into(), "too long".into()]) }];
//! let err = v::nested(false, "goods", &goods).unwrap_err();
//! assert_eq!(err.field, "goods[0].tags[1]");
//! ```
//!
//! Errors name the field by its wire name; an item of a list gets its index (`tags[1]`)
//! and a field of a nested model its path (`goods[0].name`).

use std::fmt::Display;

use crate::validate::{self, FILE_UPLOAD_UNSUPPORTED, Rule, ValidationError};

pub use crate::validate::non_empty;

/// A type whose values are checked as a whole: text, numbers, amounts, booleans, and the
/// generated models and enums (generated code implements it for each of those).
pub trait Leaf {}

impl Leaf for String {}
impl Leaf for i64 {}
impl Leaf for bool {}
impl Leaf for crate::Price {}

/// The documented rules of a generated request type or model.
pub trait Check {
    /// Checks every documented rule, nested models included. `strict` also refuses values
    /// outside a field's listed values (as Alipay's gateway does); the client itself is
    /// lenient, so values Alipay adds later can still be sent.
    fn check(&self, strict: bool) -> Result<(), ValidationError>;
}

/// A field's values, whatever the field's shape: one value, `Option`, `Vec`, `Option<Vec>`.
pub trait Values {
    /// The type of one value.
    type Item;

    /// Runs `f` on every value present; the error of a list item gets the item's index
    /// inserted after `field` (`tags` becomes `tags[2]`, `goods.name` becomes
    /// `goods[2].name`).
    fn try_each(
        &self,
        field: &str,
        f: impl FnMut(&Self::Item) -> Result<(), ValidationError>,
    ) -> Result<(), ValidationError>;
}

impl<T: Leaf> Values for T {
    type Item = T;

    fn try_each(
        &self,
        _field: &str,
        mut f: impl FnMut(&T) -> Result<(), ValidationError>,
    ) -> Result<(), ValidationError> {
        f(self)
    }
}

impl<T: Leaf> Values for Option<T> {
    type Item = T;

    fn try_each(
        &self,
        _field: &str,
        mut f: impl FnMut(&T) -> Result<(), ValidationError>,
    ) -> Result<(), ValidationError> {
        self.as_ref().map_or(Ok(()), &mut f)
    }
}

impl<T: Leaf> Values for Vec<T> {
    type Item = T;

    fn try_each(
        &self,
        field: &str,
        mut f: impl FnMut(&T) -> Result<(), ValidationError>,
    ) -> Result<(), ValidationError> {
        for (index, item) in self.iter().enumerate() {
            f(item).map_err(|mut e| {
                // The error names `field` or `field.rest`; the index goes right after it.
                let at = if e.field.starts_with(field) {
                    field.len()
                } else {
                    0
                };
                e.field.insert_str(at, &format!("[{index}]"));
                e
            })?;
        }
        Ok(())
    }
}

impl<T: Leaf> Values for Option<Vec<T>> {
    type Item = T;

    fn try_each(
        &self,
        field: &str,
        f: impl FnMut(&T) -> Result<(), ValidationError>,
    ) -> Result<(), ValidationError> {
        self.as_ref().map_or(Ok(()), |list| list.try_each(field, f))
    }
}

/// Fails with [`Rule::Required`] when a required list is empty.
pub fn non_empty_list<T>(field: &str, value: &[T]) -> Result<(), ValidationError> {
    if value.is_empty() {
        return Err(ValidationError::new(field, Rule::Required));
    }
    Ok(())
}

/// Fails with [`Rule::MaxLength`] when a value has more than `max` characters.
pub fn max_length<V>(field: &str, value: &V, max: usize) -> Result<(), ValidationError>
where
    V: Values,
    V::Item: AsRef<str>,
{
    value.try_each(field, |item| {
        validate::max_length(field, item.as_ref(), max)
    })
}

/// Fails with [`Rule::Format`] unless every value is `yyyy-MM-dd HH:mm:ss`.
pub fn date_time<V>(field: &str, value: &V) -> Result<(), ValidationError>
where
    V: Values,
    V::Item: AsRef<str>,
{
    value.try_each(field, |item| validate::date_time(field, item.as_ref()))
}

/// Fails with [`Rule::Format`] unless every value is `yyyy-MM-dd`.
pub fn date<V>(field: &str, value: &V) -> Result<(), ValidationError>
where
    V: Values,
    V::Item: AsRef<str>,
{
    value.try_each(field, |item| validate::date(field, item.as_ref()))
}

/// When `strict`, fails with [`Rule::NotAllowed`] unless every value, as sent, is one of
/// `allowed`. Lenient (`strict` false) it accepts anything.
pub fn listed<V>(
    strict: bool,
    field: &str,
    value: &V,
    allowed: &[&'static str],
) -> Result<(), ValidationError>
where
    V: Values,
    V::Item: Display,
{
    if !strict {
        return Ok(());
    }
    value.try_each(field, |item| {
        validate::one_of(field, &item.to_string(), allowed)
    })
}

/// Checks every nested model, naming a failing field by its path (`buyer.name`,
/// `goods[1].price`).
pub fn nested<V>(strict: bool, field: &str, value: &V) -> Result<(), ValidationError>
where
    V: Values,
    V::Item: Check,
{
    value.try_each(field, |item| {
        item.check(strict)
            .map_err(|e| ValidationError::new(format!("{field}.{}", e.field), e.rule))
    })
}

/// Fails with [`Rule::Unsupported`] when a file field inside a model is set: only a request's
/// own `File` fields are uploaded (as multipart file parts), so a request that sets one inside
/// a model is refused before anything is sent.
pub fn no_upload(field: &str, set: bool) -> Result<(), ValidationError> {
    if set {
        return Err(ValidationError::new(
            field,
            Rule::Unsupported(FILE_UPLOAD_UNSUPPORTED),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Price;

    struct Item {
        name: String,
        count: Option<i64>,
    }
    impl Leaf for Item {}
    impl Check for Item {
        fn check(&self, strict: bool) -> Result<(), ValidationError> {
            non_empty("name", &self.name)?;
            max_length("name", &self.name, 3)?;
            listed(strict, "count", &self.count, &["1", "2"])?;
            Ok(())
        }
    }

    fn item(name: &str, count: Option<i64>) -> Item {
        Item {
            name: name.to_owned(),
            count,
        }
    }

    #[test]
    fn every_shape_is_checked_and_indexed() {
        let one = "abcd".to_owned();
        assert_eq!(max_length("f", &one, 3).unwrap_err().field, "f");
        assert!(max_length("f", &one, 4).is_ok());
        assert!(max_length("f", &None::<String>, 1).is_ok());
        assert_eq!(
            max_length("f", &Some("ab".to_owned()), 1).unwrap_err().rule,
            Rule::MaxLength { max: 1, actual: 2 }
        );
        let list = vec!["a".to_owned(), "bcd".to_owned()];
        assert_eq!(max_length("f", &list, 2).unwrap_err().field, "f[1]");
        assert_eq!(max_length("f", &Some(list), 2).unwrap_err().field, "f[1]");
        assert!(max_length("f", &None::<Vec<String>>, 0).is_ok());
    }

    #[test]
    fn nested_paths_name_index_and_field() {
        let goods = vec![item("ok", None), item("long", None)];
        assert_eq!(
            nested(false, "goods", &goods).unwrap_err().field,
            "goods[1].name"
        );
        let goods = Some(vec![item("ok", Some(3))]);
        assert!(nested(false, "goods", &goods).is_ok());
        let err = nested(true, "goods", &goods).unwrap_err();
        assert_eq!(err.field, "goods[0].count");
        assert!(matches!(err.rule, Rule::NotAllowed { .. }));
        assert_eq!(
            nested(false, "buyer", &item("", None)).unwrap_err().field,
            "buyer.name"
        );
    }

    #[test]
    fn listed_is_strict_only() {
        let amount: Price = "0.01".parse().unwrap();
        assert!(listed(false, "a", &amount, &["1.00"]).is_ok());
        assert!(listed(true, "a", &amount, &["0.01"]).is_ok());
        assert!(listed(true, "a", &Some(true), &["false"]).is_err());
    }

    #[test]
    fn dates_and_lists_and_uploads() {
        assert!(date_time("d", &Some("2024-01-02 03:04:05".to_owned())).is_ok());
        assert_eq!(
            date("d", &vec!["2024-01-02".to_owned(), "2024/01/02".to_owned()])
                .unwrap_err()
                .field,
            "d[1]"
        );
        assert!(non_empty_list::<String>("l", &[]).is_err());
        assert!(non_empty_list("l", &[1]).is_ok());
        assert!(no_upload("f", false).is_ok());
        assert_eq!(
            no_upload("f", true).unwrap_err().rule,
            Rule::Unsupported(FILE_UPLOAD_UNSUPPORTED)
        );
    }
}
