//! Sending a field the method's spec does not know yet, explicitly.
//!
//! Generated requests refuse what their spec does not list, so a typo never reaches Alipay.
//! When Alipay adds a `biz_content` field before the spec is updated, wrap the request:
//!
//! ```
//! use alipay_runtime::{Method, MethodExt, RequestParts, ValidationError};
//!
//! # struct Ping;
//! # impl Method for Ping {
//! #     const METHOD: &'static str = "alipay.example.ping";
//! #     const RESPONSE_NODE: &'static str = "alipay_example_ping_response";
//! #     type Response = serde_json::Value;
//! #     type BizError = alipay_runtime::DynBizCode;
//! #     fn validate(&self) -> Result<(), ValidationError> { Ok(()) }
//! #     fn to_parts(&self) -> Result<RequestParts, ValidationError> {
//! #         Ok(RequestParts { biz_content: Some(r#"{"out_trade_no":"1"}"#.into()), ..RequestParts::default() })
//! #     }
//! # }
//! // `Ping` stands for any generated `Request`.
//! let request = Ping.with_extra("new_field", "value").with_extra("count", 2);
//! let parts = request.to_parts()?;
//! assert_eq!(
//!     parts.biz_content.as_deref(),
//!     Some(r#"{"out_trade_no":"1","new_field":"value","count":2}"#)
//! );
//! # Ok::<(), ValidationError>(())
//! ```
//!
//! The extra fields are validated only for what the client can know: a name that is not
//! empty, not a public parameter (`app_id`, `notify_url`, ...), not given twice, and not a
//! field the request already sets. Their values are sent as given, inside `biz_content`, and
//! signed with it.

use crate::method::{Method, RequestParts};
use crate::validate::{Rule, ValidationError};

/// The rule an extra field breaks when the request, or an earlier extra field, has its name.
const DUPLICATE: Rule =
    Rule::Unsupported("is given twice (by the request and by with_extra, or twice by with_extra)");

/// A request plus `biz_content` fields its spec does not list. Made with
/// [`MethodExt::with_extra`]; sent like the request itself (`client.execute(&request)`).
#[derive(Debug, Clone, PartialEq)]
pub struct WithExtra<M> {
    request: M,
    extra: Vec<(String, serde_json::Value)>,
}

/// Adds [`with_extra`](MethodExt::with_extra) to every request type.
pub trait MethodExt: Method + Sized {
    /// This request with one more `biz_content` field, `name`, that the method's spec does
    /// not know. Use it only for a field Alipay documents and the spec lacks: nothing checks
    /// the value against a rule.
    fn with_extra(
        self,
        name: impl Into<String>,
        value: impl Into<serde_json::Value>,
    ) -> WithExtra<Self> {
        WithExtra {
            request: self,
            extra: Vec::new(),
        }
        .with_extra(name, value)
    }
}

impl<M: Method> MethodExt for M {}

impl<M> WithExtra<M> {
    /// Adds another field the spec does not know.
    pub fn with_extra(
        mut self,
        name: impl Into<String>,
        value: impl Into<serde_json::Value>,
    ) -> Self {
        self.extra.push((name.into(), value.into()));
        self
    }

    /// The wrapped request.
    pub fn request(&self) -> &M {
        &self.request
    }

    /// The extra fields, in the order they were added.
    pub fn extra(&self) -> &[(String, serde_json::Value)] {
        &self.extra
    }

    /// The wrapped request and the extra fields.
    pub fn into_parts(self) -> (M, Vec<(String, serde_json::Value)>) {
        (self.request, self.extra)
    }
}

impl<M: Method> Method for WithExtra<M> {
    const METHOD: &'static str = M::METHOD;
    const RESPONSE_NODE: &'static str = M::RESPONSE_NODE;
    type Response = M::Response;
    type BizError = M::BizError;
    // A page method with extra fields is still a page method.
    const CALL_STYLE: crate::method::CallStyle = M::CALL_STYLE;

    fn validate(&self) -> Result<(), ValidationError> {
        self.request.validate()?;
        self.check_names()
    }

    fn to_parts(&self) -> Result<RequestParts, ValidationError> {
        self.validate()?;
        self.merge(self.request.to_parts()?)
    }

    // Validated once, not again through `to_parts`.
    fn validated_parts(&self) -> Result<RequestParts, ValidationError> {
        self.validate()?;
        self.merge(self.request.to_parts()?)
    }
}

impl<M: Method> WithExtra<M> {
    /// Refuses an extra field whose name is empty, a public parameter, or given twice.
    fn check_names(&self) -> Result<(), ValidationError> {
        for (i, (name, _)) in self.extra.iter().enumerate() {
            if name.trim().is_empty() {
                return Err(ValidationError::new(
                    name.as_str(),
                    Rule::Unsupported("is an empty field name"),
                ));
            }
            if crate::protocol::is_sent_by_client(name) {
                return Err(ValidationError::new(
                    name.as_str(),
                    Rule::Unsupported(
                        "is a public parameter, which the client sends itself (not a biz_content field)",
                    ),
                ));
            }
            if self.extra[..i].iter().any(|(earlier, _)| earlier == name) {
                return Err(ValidationError::new(name.as_str(), DUPLICATE));
            }
        }
        Ok(())
    }

    /// The request's parts with the extra fields appended to its `biz_content`.
    fn merge(&self, mut parts: RequestParts) -> Result<RequestParts, ValidationError> {
        if self.extra.is_empty() {
            return Ok(parts);
        }
        // The request's own biz_content is kept byte for byte (its field order is what
        // the other SDKs send); the extra fields follow it, each written by serde_json.
        let own = parts.biz_content.take().unwrap_or_else(|| "{}".to_owned());
        let parsed: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&own)
            .map_err(|_| {
                ValidationError::new(
                    crate::protocol::param::BIZ_CONTENT,
                    Rule::Type {
                        expected: "a JSON object",
                    },
                )
            })?;
        let mut text = own.trim_end().to_owned();
        if !text.ends_with('}') {
            return Err(ValidationError::new(
                crate::protocol::param::BIZ_CONTENT,
                Rule::Type {
                    expected: "a JSON object",
                },
            ));
        }
        text.pop();
        let mut first = parsed.is_empty();
        for (name, value) in &self.extra {
            let taken = parsed.contains_key(name)
                || parts.form.iter().any(|(f, _)| f == name)
                || parts.files.iter().any(|(f, _)| f == name);
            if taken {
                return Err(ValidationError::new(name.as_str(), DUPLICATE));
            }
            if !first {
                text.push(',');
            }
            first = false;
            let pair = serde_json::to_string(name)
                .and_then(|key| Ok(format!("{key}:{}", serde_json::to_string(value)?)))
                .map_err(|_| {
                    ValidationError::new(
                        name.as_str(),
                        Rule::Type {
                            expected: "a value serialisable as JSON",
                        },
                    )
                })?;
            text.push_str(&pair);
        }
        text.push('}');
        parts.biz_content = Some(text);
        Ok(parts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct Fake {
        biz: Option<&'static str>,
        form: Vec<(&'static str, String)>,
        valid: bool,
    }

    impl Method for Fake {
        const METHOD: &'static str = "alipay.example.fake";
        const RESPONSE_NODE: &'static str = "alipay_example_fake_response";
        type Response = serde_json::Value;
        type BizError = crate::DynBizCode;
        fn validate(&self) -> Result<(), ValidationError> {
            if self.valid {
                Ok(())
            } else {
                Err(ValidationError::new("out_trade_no", Rule::Required))
            }
        }
        fn to_parts(&self) -> Result<RequestParts, ValidationError> {
            Ok(RequestParts {
                biz_content: self.biz.map(str::to_owned),
                form: self.form.clone(),
                files: Vec::new(),
            })
        }
    }

    fn fake(biz: Option<&'static str>) -> Fake {
        Fake {
            biz,
            form: vec![("auth_token", "t".into())],
            valid: true,
        }
    }

    #[test]
    fn extra_fields_follow_the_request_s_own_byte_for_byte() {
        let parts = fake(Some(r#"{"b":1,"a":"中文"}"#))
            .with_extra("z", serde_json::json!({"k": [1, 2]}))
            .with_extra("q\"uote", "<&>")
            .to_parts()
            .unwrap();
        assert_eq!(
            parts.biz_content.as_deref(),
            Some(r#"{"b":1,"a":"中文","z":{"k":[1,2]},"q\"uote":"<&>"}"#)
        );
        assert_eq!(parts.form, vec![("auth_token", "t".to_owned())]);
    }

    #[test]
    fn a_request_without_biz_content_gets_one() {
        let parts = fake(None).with_extra("x", 1).to_parts().unwrap();
        assert_eq!(parts.biz_content.as_deref(), Some(r#"{"x":1}"#));
        let parts = fake(Some("{}")).with_extra("x", true).to_parts().unwrap();
        assert_eq!(parts.biz_content.as_deref(), Some(r#"{"x":true}"#));
    }

    #[test]
    fn clashes_and_public_parameters_are_refused_naming_the_field() {
        let dup = fake(Some(r#"{"a":1}"#))
            .with_extra("a", 2)
            .to_parts()
            .unwrap_err();
        assert_eq!((dup.field.as_str(), &dup.rule), ("a", &DUPLICATE));
        let form = fake(None)
            .with_extra("auth_token", "x")
            .to_parts()
            .unwrap_err();
        assert_eq!(form.field, "auth_token");
        let twice = fake(None).with_extra("n", 1).with_extra("n", 2);
        assert_eq!(twice.validate().unwrap_err().rule, DUPLICATE);
        for public in ["app_id", "sign", "notify_url", "biz_content", "app_cert_sn"] {
            let e = fake(None).with_extra(public, "x").validate().unwrap_err();
            assert_eq!(e.field, public);
            assert!(e.to_string().contains("public parameter"), "{e}");
        }
        let empty = fake(None).with_extra(" ", "x").validate().unwrap_err();
        assert!(matches!(empty.rule, Rule::Unsupported(_)));
    }

    #[test]
    fn the_request_s_own_rules_still_apply() {
        let mut invalid = fake(None);
        invalid.valid = false;
        let e = invalid.with_extra("x", 1).to_parts().unwrap_err();
        assert_eq!(e.field, "out_trade_no");
    }

    #[test]
    fn the_method_s_names_are_the_wrapped_ones() {
        fn names<M: Method>(_: &M) -> (&'static str, &'static str) {
            (M::METHOD, M::RESPONSE_NODE)
        }
        let w = fake(None).with_extra("x", 1);
        assert_eq!(
            names(&w),
            ("alipay.example.fake", "alipay_example_fake_response")
        );
        assert_eq!(w.extra().len(), 1);
        assert_eq!(w.request(), &fake(None));
    }
}
