//! The parameters of one request, before encoding: the public ones (the query of a POST) in
//! the gateway's order, and the rest (`biz_content` and the method's form fields), each
//! given once, empty values left out (they are never sent, so never signed either).

use super::{PrepareError, PublicParams};
use crate::method::RequestParts;
use crate::protocol::{self, param};
use crate::validate::{Rule, ValidationError};

/// The `format` public parameter: the only one the gateway answers in a form this client reads.
const FORMAT: &str = "JSON";
/// The `version` public parameter.
const VERSION: &str = "1.0";

/// A request's parameters as names and values.
pub(super) struct Pairs<'a> {
    /// The public parameters, in the order they are sent and signed.
    pub query: Vec<(&'a str, &'a str)>,
    /// `biz_content`, then the method's form fields.
    pub form: Vec<(&'a str, &'a str)>,
}

/// The public parameters one request may set itself (protocol::PER_REQUEST_PARAMS): from its
/// `RequestOptions`, or from a form field of the method named like one.
#[derive(Default)]
struct PerRequest<'a> {
    app_auth_token: Option<&'a str>,
    auth_token: Option<&'a str>,
    notify_url: Option<&'a str>,
    return_url: Option<&'a str>,
}

impl<'a> PerRequest<'a> {
    /// The slot of form field `key`, when it names a per-request public parameter.
    fn slot(&mut self, key: &str) -> Option<&mut Option<&'a str>> {
        match key {
            param::APP_AUTH_TOKEN => Some(&mut self.app_auth_token),
            param::AUTH_TOKEN => Some(&mut self.auth_token),
            param::NOTIFY_URL => Some(&mut self.notify_url),
            param::RETURN_URL => Some(&mut self.return_url),
            _ => None,
        }
    }
}

/// `biz_content` AES-encrypted with the configured key, when there is one (and a
/// `biz_content`). The plaintext is encrypted as encoded in the request charset, as the Java
/// SDK does.
pub(super) fn encrypt_biz_content(
    public: &PublicParams<'_>,
    parts: &RequestParts,
) -> Result<Option<String>, PrepareError> {
    let (Some(key), Some(biz)) = (public.encrypt_key, biz_content(parts)) else {
        return Ok(None);
    };
    match public.charset.encode(biz) {
        Ok(bytes) => Ok(Some(key.encrypt_bytes(&bytes))),
        Err(_) => Err(super::encoding::unencodable(
            param::BIZ_CONTENT,
            public.charset,
        )),
    }
}

/// The request's `biz_content`, unless empty.
fn biz_content(parts: &RequestParts) -> Option<&str> {
    parts.biz_content.as_deref().filter(|v| !v.is_empty())
}

/// Every parameter of a request of `method` sent at `timestamp`; `encrypted`: its
/// `biz_content` encrypted (see [`encrypt_biz_content`]).
pub(super) fn collect<'a>(
    public: &PublicParams<'a>,
    method: &'a str,
    parts: &'a RequestParts,
    timestamp: &'a str,
    encrypted: Option<&'a str>,
) -> Result<Pairs<'a>, PrepareError> {
    let mut own = PerRequest {
        app_auth_token: public.options.app_auth_token.as_deref(),
        auth_token: public.options.auth_token.as_deref(),
        notify_url: public.options.notify_url.as_deref(),
        return_url: public.options.return_url.as_deref(),
    };
    let form = form_fields(parts, encrypted.or(biz_content(parts)), &mut own)?;
    check_files(parts)?;
    check_tokens(&[
        (param::APP_AUTH_TOKEN, own.app_auth_token),
        (param::AUTH_TOKEN, own.auth_token),
    ])?;
    let (app_cert_sn, alipay_root_cert_sn) = public.cert_sns.unzip();
    let encrypt_type = encrypted.map(|_| crate::encrypt::ENCRYPT_TYPE);
    let mut query: Vec<(&str, &str)> = Vec::with_capacity(16);
    for (key, value) in [
        (param::APP_ID, Some(public.app_id)),
        (param::METHOD, Some(method)),
        (param::FORMAT, Some(FORMAT)),
        (param::CHARSET, Some(public.charset.as_str())),
        (param::SIGN_TYPE, Some(public.sign_type.as_str())),
        (param::TIMESTAMP, Some(timestamp)),
        (param::VERSION, Some(VERSION)),
        (
            param::APP_AUTH_TOKEN,
            own.app_auth_token.or(public.app_auth_token),
        ),
        (param::AUTH_TOKEN, own.auth_token),
        (param::NOTIFY_URL, own.notify_url.or(public.notify_url)),
        (param::RETURN_URL, own.return_url.or(public.return_url)),
        (param::APP_CERT_SN, app_cert_sn),
        (param::ALIPAY_ROOT_CERT_SN, alipay_root_cert_sn),
        (param::ENCRYPT_TYPE, encrypt_type),
    ] {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            query.push((key, value));
        }
    }
    Ok(Pairs { query, form })
}

/// `biz_content` and the method's form fields; a field named like a per-request public
/// parameter goes to `own` instead (set twice: refused).
fn form_fields<'a>(
    parts: &'a RequestParts,
    biz_content: Option<&'a str>,
    own: &mut PerRequest<'a>,
) -> Result<Vec<(&'a str, &'a str)>, PrepareError> {
    let mut form: Vec<(&str, &str)> = Vec::with_capacity(1 + parts.form.len());
    if let Some(biz) = biz_content {
        form.push((param::BIZ_CONTENT, biz));
    }
    for (i, (key, value)) in parts.form.iter().enumerate() {
        if let Some(slot) = own.slot(key) {
            if value.is_empty() {
                continue;
            }
            if slot.is_some() {
                return Err(refused(
                    key,
                    "is set twice (as a field of the request and in its RequestOptions, or \
                     twice as a field)",
                ));
            }
            *slot = Some(value.as_str());
            continue;
        }
        if protocol::is_sent_by_client(key) || parts.form[..i].iter().any(|(k, _)| k == key) {
            return Err(refused(
                key,
                "is sent twice (it repeats a public or another form parameter)",
            ));
        }
        if !value.is_empty() {
            form.push((key, value));
        }
    }
    Ok(form)
}

/// Refuses a file named like a public parameter, a form field or another file.
fn check_files(parts: &RequestParts) -> Result<(), PrepareError> {
    for (i, (key, _)) in parts.files.iter().enumerate() {
        if protocol::is_sent_by_client(key)
            || parts.form.iter().any(|(k, _)| k == key)
            || parts.files[..i].iter().any(|(k, _)| k == key)
        {
            return Err(refused(
                key,
                "is sent twice (it repeats a public parameter, a form field or another file)",
            ));
        }
    }
    Ok(())
}

/// Refuses a token of this request (its `RequestOptions`, or its own field) that holds white
/// space or a control character, naming it and never repeating it (the client's own token is
/// checked when it is built).
pub(crate) fn check_tokens(tokens: &[(&str, Option<&str>)]) -> Result<(), PrepareError> {
    for (name, token) in tokens {
        if let Some(rule) = token.and_then(crate::client::token_problem) {
            return Err(refused(name, rule));
        }
    }
    Ok(())
}

fn refused(key: &str, rule: &'static str) -> PrepareError {
    PrepareError::Invalid(ValidationError::new(key, Rule::Unsupported(rule)))
}
