//! The ways of sending a signed request, each a rendering of [`Signed`]: a POST (public
//! parameters in the query, the rest in the body, or `multipart/form-data` with files), one
//! GET URL, an auto-submitting page form, or an app order string.

use super::encoding::push_pair;
use super::{MultipartBody, Param, PrepareError, PreparedRequest};
use crate::charset::Charset;
use crate::page::PageForm;
use crate::protocol::param;
use crate::upload::FileUpload;

/// A signed request: the public parameters (a POST's query, a form's action URL), `sign`, and
/// the rest (`biz_content` and the method's form fields), each value beside its bytes in the
/// request charset.
pub(crate) struct Signed<'a> {
    pub gateway: &'a str,
    pub charset: Charset,
    pub query: &'a [Param<'a>],
    pub form: &'a [Param<'a>],
    /// The signature, standard base64.
    pub sign: &'a str,
    /// The file parts (never signed): an upload goes out as `multipart/form-data`.
    pub files: &'a [(&'static str, FileUpload)],
}

impl Signed<'_> {
    /// Appends the public parameters and `sign`, percent-encoded: the query of a POST.
    fn push_public(&self, out: &mut String) {
        let mut first = true;
        for p in self.query {
            push_pair(out, &mut first, p.key, &p.encoded);
        }
        push_pair(out, &mut first, param::SIGN, self.sign.as_bytes());
    }

    /// Appends the other parameters, percent-encoded (the body of a POST), after `&` when
    /// `out` is not empty.
    fn push_form(&self, out: &mut String) {
        let mut first = out.is_empty();
        for p in self.form {
            push_pair(out, &mut first, p.key, &p.encoded);
        }
    }

    /// The length the encoded parameters may take, to allocate once.
    fn capacity(&self) -> usize {
        self.gateway.len()
            + encoded_len(self.query)
            + encoded_len(self.form)
            + self.sign.len() * 2
            + 8
    }

    /// The gateway URL and the separator its query starts with.
    fn gateway_url(&self) -> String {
        let mut url = String::with_capacity(self.capacity());
        url.push_str(self.gateway);
        url.push(if self.gateway.contains('?') { '&' } else { '?' });
        url
    }

    /// Every parameter, `sign` included, percent-encoded in one query string.
    pub fn all_params(&self) -> String {
        let mut all = String::with_capacity(self.capacity());
        self.push_public(&mut all);
        self.push_form(&mut all);
        all
    }

    /// The server call: POSTed, the public parameters in the URL, the rest in the body.
    pub fn post(&self) -> PreparedRequest {
        let mut url = self.gateway_url();
        self.push_public(&mut url);
        if !self.files.is_empty() {
            return PreparedRequest {
                url,
                body: Vec::new(),
                content_type: "multipart/form-data".to_owned(),
                multipart: Some(self.multipart()),
            };
        }
        let mut body = String::with_capacity(encoded_len(self.form));
        self.push_form(&mut body);
        PreparedRequest {
            url,
            body: body.into_bytes(),
            content_type: [
                "application/x-www-form-urlencoded;charset=",
                self.charset.as_str(),
            ]
            .concat(),
            multipart: None,
        }
    }

    /// Files go out as multipart/form-data, as the SDKs send them: the query as it is, the
    /// text fields (signed) as text parts, the files (never signed) as file parts.
    fn multipart(&self) -> MultipartBody {
        MultipartBody {
            text: self
                .form
                .iter()
                .map(|p| (p.key.to_owned(), p.encoded.to_vec()))
                .collect(),
            files: self
                .files
                .iter()
                .map(|(key, file)| ((*key).to_owned(), file.clone()))
                .collect(),
            charset: self.charset,
        }
    }

    /// The whole request as one GET URL.
    pub fn page_url(&self) -> String {
        let mut url = self.gateway_url();
        self.push_public(&mut url);
        self.push_form(&mut url);
        url
    }

    /// The auto-submitting form: the public parameters in the action URL, the rest as
    /// hidden inputs with their values as signed (a NUL in one is refused, naming it).
    pub fn page_form(&self) -> Result<PageForm, PrepareError> {
        let mut action = self.gateway_url();
        self.push_public(&mut action);
        let fields: Vec<(&str, &str)> = self.form.iter().map(|p| (p.key, p.value)).collect();
        PageForm::new(&action, &fields, self.charset).map_err(PrepareError::Invalid)
    }
}

/// The length `params` may take percent-encoded (every value byte as `%XX`).
fn encoded_len(params: &[Param<'_>]) -> usize {
    params
        .iter()
        .map(|p| p.key.len() + p.value.len() * 3 + 2)
        .sum()
}
