//! A v3 request's content: the body line its signature covers (the JSON, the AES ciphertext,
//! or the `data` part of a multipart body), then, once the signature verified, the one JSON
//! object of its fields (path parameters, query parameters and the body) that the method's
//! validation and answers take, as v2's `biz_content` plus the file parts as form fields.

use alipay_runtime::v3::{Route, RouteBody};
use hyper::body::Bytes;
use percent_encoding::percent_decode_str;
use serde_json::{Map, Value};

use super::answer::V3Error;
use crate::log::RecordedFile;
use crate::state::Shared;

/// What the body holds, before its signature is checked.
#[derive(Debug)]
pub(super) enum Body {
    /// No body.
    Empty,
    /// A JSON body (its text not yet parsed).
    Json(Vec<u8>),
    /// `alipay-encrypt-type: AES`: the base64 ciphertext.
    Aes(Vec<u8>),
    /// `multipart/form-data`: the `data` part (if any) and the file parts.
    Multipart {
        data: Option<Vec<u8>>,
        files: Vec<RecordedFile>,
    },
}

impl Body {
    /// The body line of the signed string.
    pub fn line(&self) -> &[u8] {
        match self {
            Body::Empty => b"",
            Body::Json(text) | Body::Aes(text) => text,
            Body::Multipart { data, .. } => data.as_deref().unwrap_or_default(),
        }
    }

    /// Whether the body is encrypted (its success answer is then encrypted too).
    pub fn encrypted(&self) -> bool {
        matches!(self, Body::Aes(_))
    }
}

/// The media type of a `Content-Type` value, without parameters.
fn media_type(content_type: &str) -> &str {
    content_type.split(';').next().unwrap_or("").trim()
}

/// Reads the body as its headers describe it.
pub(super) async fn read_body(
    content_type: &str,
    encrypt_type: Option<&str>,
    bytes: Bytes,
) -> Result<Body, V3Error> {
    if let Some(encrypt_type) = encrypt_type {
        if encrypt_type != "AES" {
            return Err(V3Error::new(
                400,
                "decryption-error-not-valid-encrypt-type",
                format!(
                    "解密出错, 不支持的加密算法: alipay-encrypt-type `{encrypt_type}` (only AES)"
                ),
            ));
        }
        return Ok(Body::Aes(bytes.to_vec()));
    }
    let media = media_type(content_type);
    if media.eq_ignore_ascii_case("multipart/form-data") {
        let read = super::super::multipart::read(content_type, bytes)
            .await
            .map_err(|reason| {
                V3Error::invalid_parameter(format!("malformed multipart body: {reason}"))
            })?;
        let mut data = None;
        for (name, content) in read.text {
            if name != b"data" || data.is_some() {
                return Err(V3Error::invalid_parameter(format!(
                    "multipart part `{}`: a v3 upload sends its fields in one `data` part (the signed one), then files",
                    String::from_utf8_lossy(&name)
                )));
            }
            data = Some(content);
        }
        return Ok(Body::Multipart {
            data,
            files: read.files,
        });
    }
    if bytes.is_empty() {
        return Ok(Body::Empty);
    }
    if !media.is_empty() && !media.eq_ignore_ascii_case("application/json") {
        return Err(V3Error::new(
            415,
            "invalid-parameter",
            format!(
                "参数有误：Content-Type `{media}` (a v3 body is application/json, multipart/form-data, or text/plain with alipay-encrypt-type: AES)"
            ),
        ));
    }
    Ok(Body::Json(bytes.to_vec()))
}

/// A request's fields, ready for the method's validation and answers.
#[derive(Debug, Default)]
pub(super) struct Fields {
    /// Path parameters, query parameters and body members, as one object (`biz_content`).
    pub object: Map<String, Value>,
    /// Each file part as a form field: its name and its file name, as the validation takes it.
    pub form: Vec<(String, String)>,
    pub files: Vec<RecordedFile>,
    /// The decrypted body of an AES request.
    pub decrypted: Option<String>,
    /// Path and query parameters, decoded, in order (as the request log shows them).
    pub params: Vec<(String, String)>,
}

fn insert(object: &mut Map<String, Value>, name: &str, value: &str) -> Result<(), V3Error> {
    if object.contains_key(name) {
        return Err(V3Error::invalid_parameter(format!(
            "`{name}` is sent more than once (path, query or body)"
        )));
    }
    object.insert(name.to_owned(), Value::String(value.to_owned()));
    Ok(())
}

/// The fields of a request whose signature verified.
pub(super) fn fields(
    shared: &Shared,
    route: &Route,
    path_params: &[(&'static str, &str)],
    query: Option<&str>,
    body: Body,
) -> Result<Fields, V3Error> {
    let mut out = Fields::default();
    let text = match body {
        Body::Empty => None,
        Body::Json(text) => Some(text),
        Body::Multipart { data, files } => {
            out.form = files
                .iter()
                .map(|f| (f.name.clone(), f.file_name.clone()))
                .collect();
            out.files = files;
            data
        }
        Body::Aes(ciphertext) => {
            let plain = decrypt(shared, &ciphertext)?;
            out.decrypted = Some(plain.clone());
            Some(plain.into_bytes())
        }
    };
    if let Some(text) = text.filter(|t| !t.is_empty()) {
        if route.body == RouteBody::None {
            return Err(V3Error::invalid_parameter(format!(
                "{} {} takes no body: its fields are path and query parameters",
                route.http_method, route.path
            )));
        }
        let parsed = std::str::from_utf8(&text)
            .map_err(|_| "the body is not UTF-8".to_owned())
            .and_then(crate::protocol::strict_json::parse);
        match parsed {
            Ok(Value::Object(object)) => out.object = object,
            Ok(_) => {
                return Err(V3Error::invalid_parameter(
                    "the body is not a JSON object (UTF-8)",
                ));
            }
            Err(e) => {
                return Err(V3Error::invalid_parameter(format!(
                    "the body is not a JSON object (UTF-8): {e}"
                )));
            }
        }
    }
    for (name, raw) in path_params {
        let value = percent_decode_str(raw).decode_utf8().map_err(|_| {
            V3Error::invalid_parameter(format!(
                "path parameter `{name}` is not percent-encoded UTF-8"
            ))
        })?;
        insert(&mut out.object, name, &value)?;
        out.params.push(((*name).to_owned(), value.into_owned()));
    }
    for (name, value) in alipay_runtime::form::decode(query.unwrap_or("").as_bytes()) {
        let (Ok(name), Ok(value)) = (
            String::from_utf8(name.into_owned()),
            String::from_utf8(value.into_owned()),
        ) else {
            return Err(V3Error::invalid_parameter(
                "a query parameter is not percent-encoded UTF-8",
            ));
        };
        insert(&mut out.object, &name, &value)?;
        out.params.push((name, value));
    }
    Ok(out)
}

/// The plaintext of an AES body, with the gateway's key.
fn decrypt(shared: &Shared, ciphertext: &[u8]) -> Result<String, V3Error> {
    let Some(key) = &shared.encrypt_key else {
        return Err(V3Error::new(
            400,
            "decryption-error-missing-encrypt-key",
            "解密出错, 未配置AES密钥: this gateway has no encrypt_key",
        ));
    };
    std::str::from_utf8(ciphertext)
        .ok()
        .and_then(|text| key.decrypt(text.trim()).ok())
        .ok_or_else(|| {
            V3Error::new(
                400,
                "decryption-error-not-valid-encrypt-key",
                "解密出错, 未配置AES密钥或AES密钥错误: the body does not decrypt",
            )
        })
}
