//! The page's type notation (`String`, `Number`, `Price`, `Boolean`, `Date`, `File`, `<Model>`,
//! `<Type>[]`), parsed once so the linter and the generator agree on what a type string means.

use std::fmt;

/// A field's type, parsed from the spec's `type:` string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TypeRef {
    /// `String`: text.
    String,
    /// `Number`: an integer.
    Number,
    /// `Price`: a money amount that Alipay writes as a decimal string (`"0.01"`).
    Price,
    /// `Boolean`.
    Boolean,
    /// `Date`: `yyyy-MM-dd HH:mm:ss`, or `yyyy-MM-dd` where the field's `format` says so.
    Date,
    /// `File`: an uploaded file, sent as a multipart part.
    File,
    /// A named model from the spec's `models:` (not checked here that it exists).
    Model(String),
    /// `<Type>[]`: a list.
    Array(Box<TypeRef>),
}

/// Why a `type:` string is not in the page's notation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TypeError {
    /// The string is empty (or only `[]`).
    #[error("empty type")]
    Empty,
    /// A list of lists (`String[][]`): the pages never use it and the wire format has no meaning for it.
    #[error("nested list type `{0}` is not supported; use a model holding a list")]
    NestedArray(String),
    /// Not a built-in type and not a valid model name.
    #[error(
        "unknown type `{0}`: expected String, Number, Price, Boolean, Date, File, a model name (ASCII letters and digits, starting with an uppercase letter) or <Type>[]"
    )]
    Malformed(String),
}

impl TypeRef {
    /// Parses the page notation. Model names must be ASCII alphanumeric and start with an
    /// uppercase letter (that they exist in `models:` is the linter's job).
    ///
    /// ```
    /// use alipay_codegen::spec::TypeRef;
    /// assert_eq!(TypeRef::parse("String[]"), Ok(TypeRef::Array(Box::new(TypeRef::String))));
    /// assert_eq!(TypeRef::parse("GoodsDetail"), Ok(TypeRef::Model("GoodsDetail".into())));
    /// assert!(TypeRef::parse("string").is_err());
    /// ```
    pub fn parse(ty: &str) -> Result<TypeRef, TypeError> {
        if let Some(inner) = ty.strip_suffix("[]") {
            if inner.is_empty() {
                return Err(TypeError::Empty);
            }
            if inner.ends_with("[]") {
                return Err(TypeError::NestedArray(ty.to_owned()));
            }
            return Ok(TypeRef::Array(Box::new(Self::parse_scalar(inner)?)));
        }
        Self::parse_scalar(ty)
    }

    fn parse_scalar(ty: &str) -> Result<TypeRef, TypeError> {
        Ok(match ty {
            "" => return Err(TypeError::Empty),
            "String" => TypeRef::String,
            "Number" => TypeRef::Number,
            "Price" => TypeRef::Price,
            "Boolean" => TypeRef::Boolean,
            "Date" => TypeRef::Date,
            "File" => TypeRef::File,
            name if is_model_name(name) => TypeRef::Model(name.to_owned()),
            other => return Err(TypeError::Malformed(other.to_owned())),
        })
    }

    /// The element type of a list, or the type itself.
    pub fn element(&self) -> &TypeRef {
        match self {
            TypeRef::Array(inner) => inner,
            other => other,
        }
    }

    /// Whether this is `<Type>[]`.
    pub fn is_array(&self) -> bool {
        matches!(self, TypeRef::Array(_))
    }

    /// The model this type refers to (directly or as list element), if any.
    pub fn model_name(&self) -> Option<&str> {
        match self.element() {
            TypeRef::Model(name) => Some(name),
            _ => None,
        }
    }
}

/// Whether `name` is a valid model name: ASCII letters and digits, starting with an uppercase letter.
pub fn is_model_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase()) && chars.all(|c| c.is_ascii_alphanumeric())
}

impl fmt::Display for TypeRef {
    /// Writes the page notation back (`parse(x.to_string()) == x`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeRef::String => f.write_str("String"),
            TypeRef::Number => f.write_str("Number"),
            TypeRef::Price => f.write_str("Price"),
            TypeRef::Boolean => f.write_str("Boolean"),
            TypeRef::Date => f.write_str("Date"),
            TypeRef::File => f.write_str("File"),
            TypeRef::Model(name) => f.write_str(name),
            TypeRef::Array(inner) => write!(f, "{inner}[]"),
        }
    }
}

impl std::str::FromStr for TypeRef {
    type Err = TypeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TypeRef::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_and_lists() {
        for (text, ty) in [
            ("String", TypeRef::String),
            ("Number", TypeRef::Number),
            ("Price", TypeRef::Price),
            ("Boolean", TypeRef::Boolean),
            ("Date", TypeRef::Date),
            ("File", TypeRef::File),
            ("Number[]", TypeRef::Array(Box::new(TypeRef::Number))),
            (
                "Amount[]",
                TypeRef::Array(Box::new(TypeRef::Model("Amount".into()))),
            ),
        ] {
            assert_eq!(TypeRef::parse(text), Ok(ty.clone()), "{text}");
            assert_eq!(ty.to_string(), text);
        }
    }

    #[test]
    fn rejects_malformed() {
        assert_eq!(TypeRef::parse(""), Err(TypeError::Empty));
        assert_eq!(TypeRef::parse("[]"), Err(TypeError::Empty));
        assert!(matches!(
            TypeRef::parse("String[][]"),
            Err(TypeError::NestedArray(_))
        ));
        for bad in [
            "string",
            "Str ing",
            "List<String>",
            "[]String",
            "Foo-Bar",
            "9Lives",
            "Ünicode",
        ] {
            assert!(
                matches!(TypeRef::parse(bad), Err(TypeError::Malformed(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn model_name_of_list() {
        let ty = TypeRef::parse("GoodsDetail[]").unwrap();
        assert_eq!(ty.model_name(), Some("GoodsDetail"));
        assert!(ty.is_array());
        assert_eq!(TypeRef::parse("String").unwrap().model_name(), None);
    }
}
