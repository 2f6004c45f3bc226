//! Building the signed request, one step per module:
//!
//! 1. [`params`]: the request's parameters: the public ones (from the client, its
//!    `RequestOptions` and the method's form fields, none given twice) and the rest
//!    (`biz_content`, AES-encrypted when configured, and the method's form fields);
//! 2. [`encoding`]: each value in the request charset, refused when the charset cannot hold it;
//! 3. [`signing`]: the sign content of those values and its signature;
//! 4. [`render`]: the signed parameters as a POST (query + form body), a GET URL, an
//!    auto-submitting page form or an app order string.
//!
//! Nothing here touches the network: the client's transport (`client/transport.rs`) sends a
//! [`PreparedRequest`] and builds the multipart body of an upload.

mod encoding;
mod params;
mod render;
mod signing;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::time::SystemTime;

use crate::charset::Charset;
use crate::client::RequestOptions;
use crate::method::RequestParts;
use crate::sign::{SignError, SignType};
use crate::upload::FileUpload;
use crate::validate::ValidationError;

pub(crate) use encoding::unencodable_rule;
pub(crate) use params::check_tokens;
pub(crate) use render::Signed;

/// A signed request ready to be POSTed, without any transport attached.
#[derive(Clone, PartialEq, Eq)]
pub struct PreparedRequest {
    /// The gateway URL with the public parameters (including `sign`) in its query,
    /// percent-encoded in the request charset.
    pub url: String,
    /// The `application/x-www-form-urlencoded` body: `biz_content` and the method's other
    /// form fields, percent-encoded in the request charset.
    pub body: Vec<u8>,
    /// The `Content-Type` header value, for example
    /// `application/x-www-form-urlencoded;charset=utf-8`; `multipart/form-data` for an upload
    /// (the boundary is chosen when it is sent).
    pub content_type: String,
    /// For a request with files (`File` fields): the `multipart/form-data` body, whose text
    /// parts are what `body` holds otherwise (then empty).
    pub multipart: Option<MultipartBody>,
}

/// The body of an upload: text parts (signed) and file parts (never signed), in this order.
#[derive(Clone, PartialEq, Eq)]
pub struct MultipartBody {
    /// Each text field (`biz_content`, the method's form fields) and its value encoded in the
    /// request charset; each part says `Content-Type: text/plain; charset=<charset>` (the
    /// charset name in lower case, as the media-type parser writes it).
    pub text: Vec<(String, Vec<u8>)>,
    /// The files, each a file part with its file name and content type.
    pub files: Vec<(String, FileUpload)>,
    /// The request charset.
    pub charset: Charset,
}

impl std::fmt::Debug for MultipartBody {
    // Text parts hold biz_content: names only.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text: Vec<&str> = self.text.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("MultipartBody")
            .field("text", &text)
            .field("files", &self.files)
            .field("charset", &self.charset)
            .finish()
    }
}

impl std::fmt::Debug for PreparedRequest {
    // The query holds the signature and app_auth_token and the body holds biz_content: none
    // of them belongs in a log line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let gateway = self.url.split('?').next().unwrap_or_default();
        f.debug_struct("PreparedRequest")
            .field("gateway", &gateway)
            .field("body_len", &self.body.len())
            .field("content_type", &self.content_type)
            .field("multipart", &self.multipart)
            .finish_non_exhaustive()
    }
}

/// What the client contributes to every request.
pub(crate) struct PublicParams<'a> {
    pub gateway: &'a str,
    pub app_id: &'a str,
    pub sign_type: SignType,
    pub charset: Charset,
    /// The client's `app_auth_token`, `notify_url` and `return_url`.
    pub app_auth_token: Option<&'a str>,
    pub notify_url: Option<&'a str>,
    pub return_url: Option<&'a str>,
    /// This request's own values of those (and of `auth_token`), over the client's.
    pub options: &'a RequestOptions,
    /// Certificate mode: `app_cert_sn` and `alipay_root_cert_sn`, sent and signed.
    pub cert_sns: Option<(&'a str, &'a str)>,
    /// AES content encryption of `biz_content`.
    pub encrypt_key: Option<&'a crate::encrypt::EncryptKey>,
    pub signer: &'a dyn crate::sign::Signer,
}

/// Why a request could not be prepared.
#[derive(Debug)]
pub(crate) enum PrepareError {
    Invalid(ValidationError),
    Sign(SignError),
}

/// One parameter of a request: its name, its value, and the value's bytes in the request
/// charset (what is percent-encoded and sent).
pub(crate) struct Param<'a> {
    pub key: &'a str,
    pub value: &'a str,
    pub encoded: Cow<'a, [u8]>,
}

/// Builds and signs one request, and renders it with `render`.
pub(crate) fn sign_request<R>(
    public: &PublicParams<'_>,
    method: &str,
    parts: &RequestParts,
    now: SystemTime,
    render: impl FnOnce(&Signed<'_>) -> R,
) -> Result<R, PrepareError> {
    let timestamp = crate::time::beijing_timestamp(now);
    // encrypt, then sign: the signature covers the ciphertext and encrypt_type.
    let encrypted = params::encrypt_biz_content(public, parts)?;
    let pairs = params::collect(public, method, parts, &timestamp, encrypted.as_deref())?;
    let query = encoding::encode(&pairs.query, public.charset)?;
    let form = encoding::encode(&pairs.form, public.charset)?;
    let sign = signing::sign(public, method, &query, &form)?;
    Ok(render(&Signed {
        gateway: public.gateway,
        charset: public.charset,
        query: &query,
        form: &form,
        sign: &sign,
        files: &parts.files,
    }))
}
