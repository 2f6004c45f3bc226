//! Support for generated code; not covered by semver.
//!
//! Request validation errors and the checks generated code calls.

use crate::protocol::param;
use std::fmt;

/// A request that breaks a documented rule. Nothing is signed or sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("field `{field}` {rule}")]
pub struct ValidationError {
    /// The field path, for example `pay_config` or `goods_detail[2].price`.
    pub field: String,
    /// The rule it breaks.
    pub rule: Rule,
}

impl ValidationError {
    /// A new error for `field` breaking `rule`.
    pub fn new(field: impl Into<String>, rule: Rule) -> Self {
        Self {
            field: field.into(),
            rule,
        }
    }
}

/// A documented rule a field can break.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Rule {
    /// A required field is missing or empty.
    Required,
    /// Longer than the documented maximum, counted in characters.
    MaxLength {
        /// The documented maximum.
        max: usize,
        /// The length given.
        actual: usize,
    },
    /// Not one of the documented values.
    NotAllowed {
        /// The value given.
        value: String,
        /// The documented values.
        allowed: Vec<&'static str>,
    },
    /// Does not match the documented format.
    Format {
        /// The expected format, for example `yyyy-MM-dd HH:mm:ss`.
        expected: &'static str,
        /// The value given.
        value: String,
    },
    /// The JSON given has the wrong type or shape for this field.
    Type {
        /// What was expected, for example `string` or `integer`.
        expected: &'static str,
    },
    /// The request uses something this client cannot send yet.
    Unsupported(&'static str),
    /// A file to upload cannot be read (missing, unreadable, not a regular file).
    Unreadable {
        /// The path given.
        path: String,
        /// Why it cannot be read.
        reason: String,
    },
    /// A field the method's spec does not know (refused unless unknown fields are allowed
    /// explicitly, for a field Alipay added after the spec was written).
    Unknown {
        /// The known field whose name is closest, when one is close enough to be meant.
        suggestion: Option<String>,
    },
    /// 特殊可选: none of a group of fields is given, and at least one of them must be (the
    /// error names the group's first field; `group` is the whole group, in spec order).
    AtLeastOneOf {
        /// The group's fields.
        group: Vec<String>,
    },
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Required => f.write_str("is required"),
            Rule::MaxLength { max, actual } => {
                write!(
                    f,
                    "is {actual} characters long, longer than the maximum {max}"
                )
            }
            Rule::NotAllowed { value, allowed } => {
                write!(f, "has value {value:?}, which is not one of {allowed:?}")
            }
            Rule::Format { expected, value } => {
                write!(
                    f,
                    "has value {value:?}, which is not in the format {expected}"
                )
            }
            Rule::Type { expected } => write!(f, "must be {expected}"),
            Rule::Unsupported(what) => f.write_str(what),
            Rule::Unreadable { path, reason } => {
                write!(f, "is a file that cannot be read from {path:?}: {reason}")
            }
            Rule::Unknown { suggestion: None } => f.write_str("is not a field of this method"),
            Rule::Unknown {
                suggestion: Some(name),
            } => write!(f, "is not a field of this method (did you mean `{name}`?)"),
            Rule::AtLeastOneOf { group } => {
                let names: Vec<String> = group.iter().map(|n| format!("`{n}`")).collect();
                write!(
                    f,
                    "is not given, nor is any other of {}: at least one of them is required",
                    names.join(", ")
                )
            }
        }
    }
}

/// 特殊可选: fails with [`Rule::AtLeastOneOf`], naming the group's first field, when no field
/// of `group` (name, whether the request gives it) is given.
pub fn at_least_one_of(group: &[(&str, bool)]) -> Result<(), ValidationError> {
    if group.is_empty() || group.iter().any(|(_, given)| *given) {
        return Ok(());
    }
    Err(ValidationError::new(
        group[0].0,
        Rule::AtLeastOneOf {
            group: group.iter().map(|(name, _)| (*name).to_owned()).collect(),
        },
    ))
}

/// Format of a `Date` field with date and time.
pub const DATE_TIME_FORMAT: &str = "yyyy-MM-dd HH:mm:ss";
/// Format of a `Date` field with the date only.
pub const DATE_FORMAT: &str = "yyyy-MM-dd";

/// Fails with [`Rule::MaxLength`] when `value` has more than `max` characters.
pub fn max_length(field: &str, value: &str, max: usize) -> Result<(), ValidationError> {
    let actual = value.chars().count();
    if actual > max {
        return Err(ValidationError::new(field, Rule::MaxLength { max, actual }));
    }
    Ok(())
}

/// Fails with [`Rule::Required`] when a required string is empty (Alipay never receives
/// empty parameters: they are dropped before signing).
pub fn non_empty(field: &str, value: &str) -> Result<(), ValidationError> {
    if value.is_empty() {
        return Err(ValidationError::new(field, Rule::Required));
    }
    Ok(())
}

/// Fails with [`Rule::NotAllowed`] when `value` is not one of `allowed`.
pub fn one_of(field: &str, value: &str, allowed: &[&'static str]) -> Result<(), ValidationError> {
    if allowed.contains(&value) {
        return Ok(());
    }
    Err(ValidationError::new(
        field,
        Rule::NotAllowed {
            value: value.to_owned(),
            allowed: allowed.to_vec(),
        },
    ))
}

/// Fails with [`Rule::Format`] unless `value` is `yyyy-MM-dd HH:mm:ss`.
pub fn date_time(field: &str, value: &str) -> Result<(), ValidationError> {
    formatted(field, value, crate::time::is_date_time, DATE_TIME_FORMAT)
}

/// Fails with [`Rule::Format`] unless `value` is `yyyy-MM-dd`.
pub fn date(field: &str, value: &str) -> Result<(), ValidationError> {
    formatted(field, value, crate::time::is_date, DATE_FORMAT)
}

/// Fails with [`Rule::Format`] (`expected`) unless `value` passes `is`.
fn formatted(
    field: &str,
    value: &str,
    is: fn(&str) -> bool,
    expected: &'static str,
) -> Result<(), ValidationError> {
    if is(value) {
        return Ok(());
    }
    Err(ValidationError::new(
        field,
        Rule::Format {
            expected,
            value: value.to_owned(),
        },
    ))
}

/// How a method's request field arrives in the form of a request to validate (see
/// [`request_json`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    /// A text form field (`in: form`), taken as a JSON string.
    Text,
    /// A form field holding JSON text (a model or a list), parsed.
    Json,
    /// A file upload (a multipart file part): the form pair's value is the file name of the
    /// part received, taken as a JSON string ([`crate::FileUpload::described`]).
    File,
}

/// The message of [`Rule::Unsupported`] for a file field inside a model: only a request's
/// own `File` fields are sent, each as a multipart file part.
pub const FILE_UPLOAD_UNSUPPORTED: &str = "is a file inside a model: only a request's own File fields are uploaded (as multipart file parts)";

/// The message of [`Rule::Unsupported`] for a file field given inside `biz_content`.
pub const FILE_IN_BIZ_CONTENT: &str =
    "is a file: it is sent as a multipart file part, not inside biz_content";

/// The message of [`Rule::Unsupported`] from [`not_generated`].
pub const JSON_PATH_NOT_GENERATED: &str = "cannot be validated from JSON: the method was generated without its JSON path (alipay-openapi's `json` feature, or `Builder::json(true)`)";

/// The `validate_request` of a method generated without its untyped JSON path
/// (`alipay_codegen::Builder::json(false)`, or `alipay-openapi` without its `json` feature):
/// it has no compiled strict validation, so every request is refused, naming `method`, rather
/// than let through unchecked. The typed path (`client.execute`) validates as always.
pub fn not_generated(
    _biz_content: Option<&serde_json::Value>,
    _form: &[(String, String)],
) -> Result<(), ValidationError> {
    Err(ValidationError::new(
        "method",
        Rule::Unsupported(JSON_PATH_NOT_GENERATED),
    ))
}

/// Merges a request given as JSON `biz_content` plus form fields into one JSON object, for
/// deserialising into a generated request type. `fields` lists the method's fields that do
/// not travel in `biz_content` (form fields and file uploads); other form pairs (the public
/// parameters) are ignored. A file field comes as a form pair whose value is the name of the
/// file part received (a file field inside `biz_content` fails with [`Rule::Unsupported`]).
pub fn request_json(
    biz_content: Option<&serde_json::Value>,
    form: &[(String, String)],
    fields: &[(&'static str, FormKind)],
) -> Result<serde_json::Value, ValidationError> {
    let mut object = match biz_content {
        None | Some(serde_json::Value::Null) => serde_json::Map::new(),
        Some(serde_json::Value::Object(map)) => map.clone(),
        Some(_) => {
            return Err(ValidationError::new(
                param::BIZ_CONTENT,
                Rule::Type {
                    expected: "a JSON object",
                },
            ));
        }
    };
    for (name, kind) in fields {
        if *kind == FormKind::File && object.contains_key(*name) {
            return Err(ValidationError::new(
                *name,
                Rule::Unsupported(FILE_IN_BIZ_CONTENT),
            ));
        }
    }
    for (name, value) in form {
        let Some((wire, kind)) = fields.iter().find(|(wire, _)| wire == name) else {
            continue;
        };
        let value = match kind {
            FormKind::Text | FormKind::File => serde_json::Value::String(value.clone()),
            FormKind::Json => serde_json::from_str(value).map_err(|_| {
                ValidationError::new(
                    *wire,
                    Rule::Type {
                        expected: "JSON text",
                    },
                )
            })?,
        };
        object.insert((*wire).to_owned(), value);
    }
    Ok(serde_json::Value::Object(object))
}

/// A generated request type from JSON `biz_content` plus form fields: [`request_json`]
/// then [`from_json`].
pub fn typed_request<T: serde::de::DeserializeOwned>(
    biz_content: Option<&serde_json::Value>,
    form: &[(String, String)],
    fields: &[(&'static str, FormKind)],
) -> Result<T, ValidationError> {
    from_json(request_json(biz_content, form, fields)?)
}

/// Deserialises `value` into a generated request type, naming the failing field on error:
/// a missing required field is [`Rule::Required`], a value of the wrong shape [`Rule::Type`].
pub fn from_json<T: serde::de::DeserializeOwned>(
    value: serde_json::Value,
) -> Result<T, ValidationError> {
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        let message = err.inner().to_string();
        if let Some(rest) = message.strip_prefix("missing field `")
            && let Some(name) = rest.strip_suffix('`')
        {
            let field = if path == "." {
                name.to_owned()
            } else {
                format!("{path}.{name}")
            };
            return ValidationError::new(field, Rule::Required);
        }
        let field = if path == "." {
            param::BIZ_CONTENT.to_owned()
        } else {
            path
        };
        ValidationError::new(
            field,
            Rule::Type {
                expected: expected_of(&message),
            },
        )
    })
}

/// A readable name for what serde expected, from its error message.
fn expected_of(message: &str) -> &'static str {
    let expected = message.rsplit_once("expected ").map_or("", |(_, e)| e);
    if message.contains("decimal amount") {
        "a decimal amount such as \"0.01\""
    } else if expected.starts_with("a string") {
        "a string"
    } else if expected.starts_with("i64")
        || expected.contains("integer")
        || expected.contains("number")
    {
        "an integer"
    } else if expected.contains("bool") {
        "a boolean"
    } else if expected.starts_with("a sequence") {
        "an array"
    } else if expected.starts_with("struct") || expected.contains("map") {
        "an object"
    } else {
        "a value of the documented type"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_method_without_its_json_path_refuses_rather_than_accepts() {
        let e = not_generated(Some(&serde_json::json!({"a": 1})), &[]).unwrap_err();
        assert_eq!(e.field, "method");
        assert_eq!(e.rule, Rule::Unsupported(JSON_PATH_NOT_GENERATED));
        assert!(e.to_string().contains("without its JSON path"), "{e}");
    }

    #[test]
    fn max_length_counts_characters_not_bytes() {
        assert!(max_length("owner_name", "王龙海", 3).is_ok());
        let err = max_length("owner_name", "王龙海", 2).unwrap_err();
        assert_eq!(err.rule, Rule::MaxLength { max: 2, actual: 3 });
        assert_eq!(
            err.to_string(),
            "field `owner_name` is 3 characters long, longer than the maximum 2"
        );
    }

    #[test]
    fn dates() {
        assert!(date("d", "2015-03-12").is_ok());
        assert!(date("d", "2024-02-29").is_ok());
        assert!(date("d", "2023-02-29").is_err());
        assert!(date("d", "2015-3-12").is_err());
        assert!(date("d", "2015-13-01").is_err());
        assert!(date_time("d", "2014-07-24 03:07:50").is_ok());
        assert!(date_time("d", "2014-07-24 24:07:50").is_err());
        assert!(date_time("d", "2014-07-24T03:07:50").is_err());
        assert!(date_time("d", "２014-07-24 03:07:50").is_err());
    }

    #[test]
    fn from_json_names_the_field() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Item {
            price: crate::Price,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Req {
            name: String,
            #[serde(default)]
            goods: Vec<Item>,
        }
        let err = from_json::<Req>(serde_json::json!({})).unwrap_err();
        assert_eq!(err, ValidationError::new("name", Rule::Required));
        let err = from_json::<Req>(serde_json::json!({"name": 5})).unwrap_err();
        assert_eq!(
            err,
            ValidationError::new(
                "name",
                Rule::Type {
                    expected: "a string"
                }
            )
        );
        let v = serde_json::json!({"name": "x", "goods": [{"price": "1"}, {"price": "x"}]});
        let err = from_json::<Req>(v).unwrap_err();
        assert_eq!(err.field, "goods[1].price");
        let v = serde_json::json!({"name": "x", "goods": [{}]});
        assert_eq!(
            from_json::<Req>(v).unwrap_err(),
            ValidationError::new("goods[0].price", Rule::Required)
        );
    }

    #[test]
    fn request_json_merges_form_fields_and_file_names() {
        let fields = [
            ("a", FormKind::Text),
            ("j", FormKind::Json),
            ("f", FormKind::File),
        ];
        let biz = serde_json::json!({"x": 1});
        let form = vec![
            ("a".to_owned(), "t".to_owned()),
            ("j".to_owned(), "[1]".to_owned()),
            ("app_id".to_owned(), "1".to_owned()),
        ];
        let v = request_json(Some(&biz), &form, &fields).unwrap();
        assert_eq!(v, serde_json::json!({"x": 1, "a": "t", "j": [1]}));
        let form = vec![("f".to_owned(), "a.jpg".to_owned())];
        let v = request_json(None, &form, &fields).unwrap();
        assert_eq!(v, serde_json::json!({"f": "a.jpg"}));
        let err = request_json(Some(&serde_json::json!({"f": "x"})), &[], &fields).unwrap_err();
        assert_eq!(err.rule, Rule::Unsupported(FILE_IN_BIZ_CONTENT));
        assert_eq!(err.field, "f");
        let err = request_json(Some(&serde_json::json!([])), &[], &fields).unwrap_err();
        assert_eq!(err.field, "biz_content");
    }

    #[test]
    fn one_of_names_the_value_and_the_list() {
        let err = one_of("biz_type", "XX", &["JF", "WUYE"]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "field `biz_type` has value \"XX\", which is not one of [\"JF\", \"WUYE\"]"
        );
    }
}
