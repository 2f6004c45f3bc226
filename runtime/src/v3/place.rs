//! Where each field of a request goes under a v3 route: path segments, the query, the body.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value};

use super::route::{Route, RouteBody};
use crate::method::RequestParts;
use crate::upload::FileUpload;
use crate::validate::{Rule, ValidationError};

/// What a path segment keeps as it is: RFC 3986's unreserved characters.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A request's fields placed by its route.
///
/// `Debug` shows the body's length, not the body, and the target with the values of secret
/// parameters (`auth_token`) redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct Placed {
    /// The path, each `{name}` replaced by that field's value, percent-encoded.
    pub path: String,
    /// The query (already encoded by [`super::query_string`]); empty when there is none.
    pub query: String,
    /// The JSON object of the other fields, or `None` when there are none (nothing is sent).
    pub body: Option<String>,
    /// The files of a multipart body, in order.
    pub files: Vec<(&'static str, FileUpload)>,
}

impl std::fmt::Debug for Placed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Placed")
            .field("target", &crate::redact::query_text(&self.target()))
            .field("body_len", &self.body.as_ref().map(String::len))
            .field("files", &self.files)
            .finish()
    }
}

impl Placed {
    /// The request target: `path[?query]`, signed and sent as it is.
    pub fn target(&self) -> String {
        super::target(&self.path, &self.query)
    }
}

/// Places the fields of `parts` by `route`: the `{name}` segments of the path and the fields
/// the route lists under `query` leave the JSON object (strings as they are, numbers and
/// booleans as their JSON text, lists and objects as compact JSON; nulls are left out), the
/// rest is the body. `extra` are public parameters (such as `auth_token`) placed in the query
/// when the route lists them and the request does not set them itself; nowhere otherwise.
///
/// Form fields of the v2 request (`in: form`) join the body: a value that is a JSON object or
/// list as that JSON, anything else as a string.
///
/// A path parameter that is missing or empty (or is `.` or `..`, which a URL would resolve as
/// a path step), a field the route has no place for (a body-less route), or a name given twice
/// fails, naming the field; nothing is then signed.
pub fn place(
    route: &Route,
    parts: &RequestParts,
    extra: &[(&'static str, &str)],
) -> Result<Placed, ValidationError> {
    let files = parts.files.clone();
    let plain = route.path_params().next().is_none()
        && route.query.is_empty()
        && parts.form.is_empty()
        && extra.is_empty()
        && route.body != RouteBody::None;
    if plain {
        // The JSON as serialised: nothing to take out, so nothing is parsed again.
        let body = parts.biz_content.clone().filter(|b| b != "{}");
        return Ok(Placed {
            path: route.path.to_owned(),
            query: String::new(),
            body,
            files,
        });
    }
    let mut fields = fields_of(parts)?;
    let path = fill_path(route, &mut fields)?;
    let mut pairs: Vec<(&str, String)> = Vec::new();
    for name in route.query {
        if let Some(value) = fields.remove(*name) {
            if let Some(text) = text_of(&value) {
                pairs.push((name, text));
            }
        } else if let Some((_, value)) = extra.iter().find(|(n, _)| n == name) {
            pairs.push((name, (*value).to_owned()));
        }
    }
    let query = super::query_string(pairs.iter().map(|(k, v)| (*k, v.as_str())));
    let body = match route.body {
        RouteBody::None => {
            if let Some(name) = fields.keys().next() {
                return Err(ValidationError::new(
                    name.clone(),
                    Rule::Unsupported("has no place in the method's v3 route (it sends no body)"),
                ));
            }
            None
        }
        RouteBody::Json | RouteBody::Multipart => (!fields.is_empty())
            .then(|| serde_json::to_string(&fields).expect("a JSON map serialises")),
    };
    Ok(Placed {
        path,
        query,
        body,
        files,
    })
}

/// The request's fields as one JSON object: `biz_content`'s members, then the form fields.
fn fields_of(parts: &RequestParts) -> Result<Map<String, Value>, ValidationError> {
    let mut fields = match parts.biz_content.as_deref() {
        None => Map::new(),
        Some(json) => match serde_json::from_str::<Value>(json) {
            Ok(Value::Object(map)) => map,
            _ => {
                return Err(ValidationError::new(
                    crate::protocol::param::BIZ_CONTENT,
                    Rule::Type {
                        expected: "a JSON object",
                    },
                ));
            }
        },
    };
    for (name, value) in &parts.form {
        let value = match serde_json::from_str::<Value>(value) {
            Ok(v @ (Value::Object(_) | Value::Array(_))) => v,
            _ => Value::String(value.clone()),
        };
        if fields.insert((*name).to_owned(), value).is_some() {
            return Err(ValidationError::new(
                *name,
                Rule::Unsupported("is given twice (in biz_content and as a form field)"),
            ));
        }
    }
    Ok(fields)
}

/// The route's path with each `{name}` replaced by that field, taken out of `fields`.
fn fill_path(route: &Route, fields: &mut Map<String, Value>) -> Result<String, ValidationError> {
    let mut path = String::with_capacity(route.path.len() + 16);
    for (i, segment) in route.path.split('/').enumerate() {
        if i > 0 {
            path.push('/');
        }
        match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            None => path.push_str(segment),
            Some(name) => {
                let text = fields
                    .remove(name)
                    .as_ref()
                    .and_then(text_of)
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| ValidationError::new(name.to_owned(), Rule::Required))?;
                // `.` and `..` stay as they are (unreserved characters), and a URL resolves them
                // as path steps: the request would go to another route than the one signed.
                if text == "." || text == ".." {
                    return Err(ValidationError::new(
                        name.to_owned(),
                        Rule::Unsupported(
                            "is `.` or `..`, which a URL resolves as a step of the path: the \
                             request would reach another route than the one signed",
                        ),
                    ));
                }
                path.extend(utf8_percent_encode(&text, SEGMENT));
            }
        }
    }
    Ok(path)
}

/// A value as the text of a path segment or query parameter; `None` for null.
fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::v3::HttpMethod;

    fn parts(json: &str) -> RequestParts {
        RequestParts {
            biz_content: Some(json.to_owned()),
            form: Vec::new(),
            files: Vec::new(),
        }
    }

    const BILL: Route = Route {
        http_method: HttpMethod::Get,
        path: "/v3/alipay/data/dataservice/bill/downloadurl/query",
        query: &[
            "bill_type",
            "bill_date",
            "memo",
            "unreserved",
            "empty",
            "n",
            "flag",
            "key name",
        ],
        body: RouteBody::None,
        v2: true,
    };

    #[test]
    fn query_is_the_node_sdks_byte_for_byte() {
        // get_query_params_encoding of v3_node.json.
        let p = parts(
            r#"{"bill_type":"trade","bill_date":"2024-07-30","memo":"中文 a+b&c=d/e?f#g","unreserved":"~*-._!'()","empty":"","n":12,"flag":true,"key name":"x"}"#,
        );
        let placed = place(&BILL, &p, &[]).unwrap();
        assert_eq!(
            placed.target(),
            "/v3/alipay/data/dataservice/bill/downloadurl/query?bill_type=trade&bill_date=2024-07-30&memo=%E4%B8%AD%E6%96%87+a%2Bb%26c%3Dd%2Fe%3Ff%23g&unreserved=%7E*-._%21%27%28%29&empty=&n=12&flag=true&key+name=x"
        );
        assert_eq!(placed.body, None);
    }

    #[test]
    fn a_body_less_route_refuses_a_field_it_cannot_place() {
        let e = place(&BILL, &parts(r#"{"bill_type":"trade","other":"x"}"#), &[]).unwrap_err();
        assert_eq!(e.field, "other");
    }

    const USE: Route = Route {
        http_method: HttpMethod::Post,
        path: "/v3/alipay/marketing/ordervoucher/activity/{activity_id}/voucher/{voucher_code}/use",
        query: &["auth_token"],
        body: RouteBody::Json,
        v2: true,
    };

    #[test]
    fn path_parameters_are_encoded_segments_and_leave_the_body() {
        let p = parts(r#"{"activity_id":"A 1/中","voucher_code":7,"amount":"9.90"}"#);
        let placed = place(
            &USE,
            &p,
            &[("auth_token", "T"), ("notify_url", "https://n")],
        )
        .unwrap();
        // An extra the route does not list goes nowhere.
        assert_eq!(
            placed.target(),
            "/v3/alipay/marketing/ordervoucher/activity/A%201%2F%E4%B8%AD/voucher/7/use?auth_token=T"
        );
        assert_eq!(placed.body.as_deref(), Some(r#"{"amount":"9.90"}"#));
    }

    #[test]
    fn debug_redacts_the_auth_token_and_leaves_the_body_out() {
        // Found by printing a placed request with `{:?}`: the auth_token in its query and the
        // whole body (the request's fields) showed.
        let p = parts(r#"{"activity_id":"A1","voucher_code":7,"memo":"BODY-SECRET"}"#);
        let placed = place(&USE, &p, &[("auth_token", "authusrB-DEBUG-TOKEN")]).unwrap();
        let debug = format!("{placed:?}");
        assert!(!debug.contains("authusrB-DEBUG-TOKEN"), "{debug}");
        assert!(!debug.contains("BODY-SECRET"), "{debug}");
        assert!(
            debug.contains("/voucher/7/use?auth_token=%3Credacted%3E"),
            "{debug}"
        );
        assert!(debug.contains("body_len: Some(22)"), "{debug}");
    }

    #[test]
    fn a_dot_segment_path_parameter_is_refused() {
        // Found by a probe over 127.0.0.1: activity_id ".." and voucher_code ".." signed
        // /v3/alipay/marketing/ordervoucher/activity/../voucher/../use, and the URL parser
        // sent /v3/alipay/marketing/ordervoucher/use: another route than the one signed.
        for (json, field) in [
            (r#"{"activity_id":"..","voucher_code":"7"}"#, "activity_id"),
            (r#"{"activity_id":"A1","voucher_code":"."}"#, "voucher_code"),
        ] {
            let e = place(&USE, &parts(json), &[]).unwrap_err();
            assert_eq!(e.field, field);
            assert!(e.to_string().contains("another route"), "{e}");
        }
        // Dots inside a value are only characters of it.
        let placed = place(
            &USE,
            &parts(r#"{"activity_id":"...","voucher_code":"a.b"}"#),
            &[],
        )
        .unwrap();
        assert_eq!(
            placed.target(),
            "/v3/alipay/marketing/ordervoucher/activity/.../voucher/a.b/use"
        );
    }

    #[test]
    fn a_missing_or_empty_path_parameter_is_required() {
        for json in [
            r#"{"voucher_code":"V"}"#,
            r#"{"activity_id":"","voucher_code":"V"}"#,
        ] {
            let e = place(&USE, &parts(json), &[]).unwrap_err();
            assert_eq!(e.field, "activity_id");
            assert_eq!(e.rule, Rule::Required);
        }
    }

    #[test]
    fn a_plain_route_sends_the_json_as_serialised() {
        let route = Route {
            path: "/v3/alipay/trade/query",
            query: &[],
            ..USE
        };
        let json = r#"{"out_trade_no":"6823789339978248","query_options":["trade_settle_info"]}"#;
        let placed = place(&route, &parts(json), &[]).unwrap();
        assert_eq!(placed.body.as_deref(), Some(json));
        let empty = place(&route, &RequestParts::default(), &[]).unwrap();
        assert_eq!(empty.body, None);
    }

    #[test]
    fn form_fields_join_the_body_json_as_json() {
        let route = Route {
            path: "/v3/alipay/open/file/upload",
            query: &[],
            body: RouteBody::Multipart,
            ..USE
        };
        let mut p = parts(r#"{"biz_code":"openpt_appstore"}"#);
        p.form.push(("extra", r#"{"k":"值"}"#.to_owned()));
        p.form.push(("memo", "12".to_owned()));
        let placed = place(&route, &p, &[]).unwrap();
        assert_eq!(
            placed.body.as_deref(),
            Some(r#"{"biz_code":"openpt_appstore","extra":{"k":"值"},"memo":"12"}"#)
        );
        p.form.push(("biz_code", "x".to_owned()));
        assert_eq!(place(&route, &p, &[]).unwrap_err().field, "biz_code");
    }
}
